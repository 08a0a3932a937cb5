//! Helpers shared by the integration tests: a guest memory with a recording bump `realloc`, a
//! resource handle table, type constructors and the lower-then-lift round trip.

#![allow(dead_code, reason = "each test binary uses a different subset")]

use std::future::Future;
use std::sync::Arc;

use futures::executor::block_on;
use weft_abi::abi::{
    lift_flat_values, lower_values, CoreVal, Handles, MemoryRealloc, Options, Realloc, Spill,
};
use weft_abi::{
    EnumType, FlagsType, RecordType, Resource, ResourceType, ResultType, Trap, Type, Val,
    VariantType,
};

/// Guest memory with a bump allocator as its `realloc`, recording every call.
pub struct Mem {
    pub mem: Vec<u8>,
    pub next: u32,
    /// Every `realloc(old_ptr, old_size, align, new_size)` call, in order.
    pub calls: Vec<(u32, u32, u32, u32)>,
    /// Every result, in order.
    pub results: Vec<u32>,
    /// Whether every `realloc` of an existing block moves it (and scribbles on the old one),
    /// rather than shrinking in place.
    pub moving: bool,
    /// A pointer every call returns instead of allocating (to test the result checks).
    pub fixed_result: Option<u32>,
}

impl Mem {
    pub fn new(size: usize) -> Mem {
        Mem {
            mem: vec![0; size],
            next: 16,
            calls: Vec::new(),
            results: Vec::new(),
            moving: false,
            fixed_result: None,
        }
    }

    pub fn moving(size: usize) -> Mem {
        Mem {
            moving: true,
            ..Mem::new(size)
        }
    }

    fn bump(
        &mut self,
        old_ptr: u32,
        old_size: u32,
        align: u32,
        new_size: u32,
    ) -> Result<u32, Trap> {
        if let Some(p) = self.fixed_result {
            return Ok(p);
        }
        if old_ptr != 0 && new_size <= old_size && !self.moving {
            return Ok(old_ptr);
        }
        let ptr = self.next.next_multiple_of(align.max(1));
        let end = ptr as usize + new_size as usize;
        if end > self.mem.len() {
            return Err(Trap::new("test memory exhausted"));
        }
        if old_ptr != 0 {
            let n = old_size.min(new_size) as usize;
            self.mem
                .copy_within(old_ptr as usize..old_ptr as usize + n, ptr as usize);
            // A freed block's contents are garbage.
            self.mem[old_ptr as usize..old_ptr as usize + old_size as usize].fill(0xaa);
        }
        self.next = end as u32;
        Ok(ptr)
    }
}

impl Realloc for Mem {
    fn realloc(
        &mut self,
        old_ptr: u32,
        old_size: u32,
        align: u32,
        new_size: u32,
    ) -> impl Future<Output = Result<u32, Trap>> + Send {
        self.calls.push((old_ptr, old_size, align, new_size));
        let r = self.bump(old_ptr, old_size, align, new_size);
        if let Ok(p) = r {
            self.results.push(p);
        }
        std::future::ready(r)
    }

    fn memory_len(&self) -> usize {
        self.mem.len()
    }
}

impl MemoryRealloc for Mem {
    fn memory_mut(&mut self) -> &mut [u8] {
        &mut self.mem
    }
}

/// A resource handle table like a component instance's: index 0 is reserved.
#[derive(Default)]
pub struct Table {
    pub slots: Vec<Option<Resource>>,
}

impl Table {
    fn get(&self, h: u32) -> Result<Resource, Trap> {
        match self.slots.get(h as usize) {
            Some(Some(r)) if h != 0 => Ok(*r),
            _ => Err(Trap::new(format!("unknown handle index {h}"))),
        }
    }

    fn add(&mut self, r: Resource) -> u32 {
        if self.slots.is_empty() {
            self.slots.push(None);
        }
        self.slots.push(Some(r));
        (self.slots.len() - 1) as u32
    }
}

impl Handles for Table {
    fn lift_own(&mut self, rt: ResourceType, h: u32) -> Result<Resource, Trap> {
        let r = self.get(h)?;
        if r.ty != rt || !r.own {
            return Err(Trap::new(format!(
                "handle index {h} used with the wrong type"
            )));
        }
        self.slots[h as usize] = None;
        Ok(r)
    }

    fn lift_borrow(&mut self, rt: ResourceType, h: u32) -> Result<Resource, Trap> {
        let r = self.get(h)?;
        if r.ty != rt {
            return Err(Trap::new(format!(
                "handle index {h} used with the wrong type"
            )));
        }
        Ok(Resource { own: false, ..r })
    }

    fn lower_own(&mut self, r: Resource) -> Result<u32, Trap> {
        Ok(self.add(r))
    }

    fn lower_borrow(&mut self, r: Resource) -> Result<u32, Trap> {
        Ok(self.add(Resource { own: false, ..r }))
    }
}

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
