//! Helpers shared by the integration tests: type constructors and the lower-then-lift round
//! trip. The guest memory with a recording bump `realloc` and the resource handle table come
//! from `weft_test_util::abi` (the `abi` fuzz target uses them too).

#![allow(dead_code, reason = "each test binary uses a different subset")]

use std::sync::Arc;

use futures::executor::block_on;
use weft_abi::abi::{lift_flat_values, lower_values, CoreVal, Options, Spill};
use weft_abi::{EnumType, FlagsType, RecordType, ResultType, Trap, Type, Val, VariantType};
// Short names: the tests build many of these.
pub use weft_test_util::abi::{GuestMemory as Mem, HandleTable as Table};

// ---- Type constructors. ----

pub fn list(t: Type) -> Type {
    Type::List(Arc::new(t))
}

pub fn fixed(t: Type, n: u32) -> Type {
    Type::FixedList(Arc::new(t), n)
}

pub fn map(k: Type, v: Type) -> Type {
    Type::Map(Arc::new((k, v)))
}

pub fn option(t: Type) -> Type {
    Type::Option(Arc::new(t))
}

pub fn result(ok: Option<Type>, err: Option<Type>) -> Type {
    Type::Result(Arc::new(ResultType { ok, err }))
}

pub fn tuple(ts: Vec<Type>) -> Type {
    Type::Tuple(Arc::from(ts))
}

pub fn record(fields: &[(&str, Type)]) -> Type {
    Type::Record(Arc::new(RecordType {
        fields: fields
            .iter()
            .map(|(n, t)| (n.to_string(), t.clone()))
            .collect(),
    }))
}

pub fn variant(cases: &[(&str, Option<Type>)]) -> Type {
    Type::Variant(Arc::new(VariantType {
        cases: cases
            .iter()
            .map(|(n, t)| (n.to_string(), t.clone()))
            .collect(),
    }))
}

pub fn enum_(cases: &[&str]) -> Type {
    Type::Enum(Arc::new(EnumType {
        cases: cases.iter().map(|c| c.to_string()).collect(),
    }))
}

pub fn enum_n(n: usize) -> Type {
    Type::Enum(Arc::new(EnumType {
        cases: (0..n).map(|i| format!("c{i}")).collect(),
    }))
}

pub fn flags_n(n: usize) -> Type {
    Type::Flags(Arc::new(FlagsType {
        names: (0..n).map(|i| format!("f{i}")).collect(),
    }))
}

// ---- Value constructors. ----

pub fn s(x: &str) -> Val {
    Val::String(x.to_string())
}

pub fn some(v: Val) -> Val {
    Val::Option(Some(Box::new(v)))
}

pub fn case(name: &str, payload: Option<Val>) -> Val {
    Val::Variant(name.to_string(), payload.map(Box::new))
}

// ---- Round trips. ----

/// Lowers `vals` (parameters-style with `Spill::Realloc`, or results-style to an out-pointer
/// the "guest" allocated), then lifts them back from the flat values and memory.
pub fn roundtrip(
    mem: &mut Mem,
    handles: &mut Table,
    opts: &Options,
    max_flat: usize,
    out_pointer: bool,
    vals: &[Val],
    ts: &[Type],
) -> Result<(Vec<CoreVal>, Vec<Val>), Trap> {
    let spill = match out_pointer {
        true => {
            // The guest's own stack slot for the results, well away from the bump area.
            let size = elem_size_tuple(ts);
            let ptr = (mem.mem.len() as u32 - size - 64) & !7;
            Spill::OutPointer(ptr)
        }
        false => Spill::Realloc,
    };
    let flat = block_on(lower_values(mem, opts, handles, max_flat, spill, vals, ts))?;
    let lift_from = match (spill, flat.is_empty() && !vals.is_empty()) {
        (Spill::OutPointer(p), true) => vec![CoreVal::I32(p as i32)],
        _ => flat.clone(),
    };
    let lifted = lift_flat_values(&mem.mem, opts, handles, max_flat, &lift_from, ts)?;
    Ok((flat, lifted))
}

fn elem_size_tuple(ts: &[Type]) -> u32 {
    weft_abi::abi::elem_size(&tuple(ts.to_vec()))
}

/// Value equality that treats NaNs as equal (lifting canonicalizes them).
pub fn same(a: &[Val], b: &[Val]) -> bool {
    format!("{a:?}") == format!("{b:?}")
}
