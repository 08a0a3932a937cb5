//! Compiled adapters: calls from one component instance into another of the same component
//! without going through the host (DESIGN.md §2).
//!
//! A `canon lower` of a function another component instance `canon lift`ed is, on the host
//! path (`call.rs`: `make_lowered` → `call_lifted`), a host function that lifts the arguments
//! out of the caller into [`Val`](weft_abi::Val)s, lowers them into the callee, calls it, lifts
//! the results and lowers them back. For an eligible signature ([`shape`]), [`compile`]
//! generates instead, once per component, a core module whose one export has the lowering's
//! core signature and does the same in wasm, with both memories imported (multi-memory):
//!
//! 1. the caller must be allowed to leave (`may_leave`: "cannot leave component instance");
//! 2. the arguments are checked in the caller's memory (bounds, alignment, lengths, UTF-8,
//!    `char`s, discriminants: every check of `weft_abi`'s lifting, with its messages), all of
//!    them before anything else happens, so the first failure is the host path's;
//! 3. the callee is entered ("cannot enter component instance" once it trapped);
//! 4. the arguments are copied into the callee's memory, allocated with its `realloc`: the same
//!    calls with the same arguments in the same order as `weft_abi::abi::allocate` (a spilled
//!    parameter tuple first, then each list's block before its elements', each string), each
//!    result checked for alignment and bounds; integer lists are one `memory.copy`, other
//!    values are copied element by element (booleans normalized, NaNs canonicalized, unknown
//!    flag bits cleared, unused variant slots zeroed, as lifting and lowering do);
//! 5. the callee's core function is called;
//! 6. its results are checked in its memory, copied into the caller's (the out-pointer checked
//!    first, then the caller's `realloc`), and the callee's post-return function runs.
//!
//! The spec runs the post-return function after the caller has its results (`canon_lift` calls
//! it after `task.return`), which is what lets the copy read the callee's memory before the
//! post-return function frees it; the host path runs it after lowering the results too
//! (`call::PostReturn`), so when the caller traps receiving them (a bad out-pointer, its
//! `realloc` misbehaving) neither path has run it.
//!
//! What only the host knows stays in the host and is reached through three imported
//! intrinsics: `rt` (the `may_leave` and poisoned flags of the store's component instances,
//! and the stack of instances adapters have entered, which `call_lifted` poisons when a trap
//! unwinds through them), `trap` (a trap with `weft_abi`'s message) and `utf8` (UTF-8
//! validation with `std::str::from_utf8`, for its error message).
//!
//! **Invariant:** an adapter is observably the host path: same results, same `realloc` calls
//! with the same arguments in the same order, same traps with the same messages, same poisoned
//! instances; but for a trap in the callee's `realloc`, whose message the host path reports
//! with the backtrace folded in. `tests/run.rs` compares the two
//! on random values of every eligible type, with the callee's memory corrupted and either
//! side's `realloc` misbehaving.

use std::collections::HashMap;
use std::sync::Arc;

use futures::FutureExt;
use wasmtime::{Caller, Extern, StoreContextMut};
use weft_abi::abi::{
    alignment, discriminant_type, elem_size, flatten_type, flatten_types, max_case_alignment, Trap,
    MAX_FLAT_PARAMS, MAX_FLAT_RESULTS,
};
use weft_abi::{StringEncoding, Type};

use crate::call::{resolve_func, resolve_memory, trap};
use crate::inline::{FuncDef, Lowering, Plan};
use crate::instance::Data;

mod codegen;

use codegen::generate;

/// The compiled adapters of a component: for each lowering of its plan, its adapter if it has
/// one.
#[derive(Default)]
pub(crate) struct Adapters {
    by_lowering: Vec<Option<Adapter>>,
}

impl Adapters {
    /// How many lowerings have an adapter.
    pub(crate) fn len(&self) -> usize {
        self.by_lowering.iter().flatten().count()
    }
}

/// One lowering's adapter: the compiled module (shared by every lowering whose module has the
/// same bytes), what its imports are, and the lift it calls.
struct Adapter {
    module: wasmtime::Module,
    imports: Arc<[Import]>,
    lift: u32,
}

/// An import of an adapter module, in the order of the module's imports.
#[derive(Copy, Clone, Debug, PartialEq, Eq)]
enum Import {
    /// `rt(op: i32)`: the runtime's bookkeeping (the `OP_*` bits).
    Rt,
    /// `trap(code: i32, a: i64, b: i64)`: traps with [`message`]`(code, a, b)`.
    Trap,
    /// `utf8(which: i32, ptr: i32, len: i32)`: traps unless the bytes are UTF-8 (0: the
    /// caller's memory, 1: the callee's).
    Utf8,
    CallerMemory,
    CallerRealloc,
    CalleeFunc,
    CalleeMemory,
    CalleeRealloc,
    CalleePostReturn,
}

// The bits of `rt`'s operand, applied in this order.
/// Trap unless the caller may leave.
const OP_CHECK_LEAVE: i32 = 1;
/// Trap if the callee is poisoned.
const OP_CHECK_ENTER: i32 = 2;
/// Pop the callee off the stack of entered instances.
const OP_POP: i32 = 4;
/// Push the callee on it.
const OP_PUSH: i32 = 8;
/// The caller may not leave (its `realloc` runs) / may again.
const OP_CALLER_STAY: i32 = 16;
const OP_CALLER_FREE: i32 = 32;
/// The callee may not leave (its `realloc` or post-return function runs) / may again.
const OP_CALLEE_STAY: i32 = 64;
const OP_CALLEE_FREE: i32 = 128;

/// The traps an adapter raises through `trap`, with `weft_abi`'s messages (the spec tests
/// assert on them; `tests/run.rs` compares them with the host path's).
#[derive(Copy, Clone)]
enum Code {
    Unaligned = 0,
    OutOfBounds = 1,
    /// a: the byte length.
    StringTooLong = 2,
    StringOutOfBounds = 3,
    /// a: the length, b: the byte length.
    ListTooLong = 4,
    ListOutOfBounds = 5,
    /// a: the bit pattern.
    Char = 6,
    /// a: the discriminant, b: the number of cases (variant, enum, option, result).
    Variant = 7,
    Enum = 8,
    Option = 9,
    Result = 10,
    ReallocUnaligned = 11,
    ReallocTuple = 12,
    ReallocList = 13,
    ReallocString = 14,
}

/// The message of trap `code` with operands `a` and `b`.
fn message(code: i32, a: i64, b: i64) -> String {
    let realloc = |what: &str| format!("realloc return: beyond end of memory ({what})");
    let discriminant =
        |what: &str| format!("invalid variant discriminant {a} for {what} with {b} cases");
    match code {
        0 => "unaligned pointer".into(),
        1 => "pointer out of bounds of memory".into(),
        2 => format!("string too long: {a} bytes"),
        3 => STRING_OUT_OF_BOUNDS.into(),
        4 => format!("list too long: {a} elements, {b} bytes"),
        5 => "list content out-of-bounds: list pointer/length out of bounds of memory".into(),
        6 => format!("invalid `char` bit pattern {:#x}", a as u32),
        7 => discriminant("variant"),
        8 => discriminant("enum"),
        9 => discriminant("option"),
        10 => discriminant("result"),
        11 => "realloc return: result not aligned (unaligned pointer)".into(),
        12 => realloc("pointer out of bounds of memory"),
        13 => realloc("list content out-of-bounds"),
        14 => realloc("string content out-of-bounds"),
        _ => format!("adapter trap {code}"),
    }
}

const STRING_OUT_OF_BOUNDS: &str =
    "string content out-of-bounds: string pointer/length out of bounds of memory";

/// A compiler of core modules: the engine's, with its cache.
pub(crate) type CompileModule<'a> = dyn Fn(&[u8]) -> wasmtime::Result<wasmtime::Module> + Sync + 'a;

/// Generates the adapter of every eligible lowering of `plan` and compiles them with
/// `compile`. A module that does not compile (a bug here) leaves its lowerings on the host
/// path.
pub(crate) fn compile(plan: &Plan, compile: &CompileModule<'_>) -> Adapters {
    let mut unique: HashMap<Vec<u8>, usize> = HashMap::new();
    let mut modules: Vec<(Vec<u8>, Arc<[Import]>)> = Vec::new();
    let mut wanted = Vec::with_capacity(plan.lowerings.len());
    for lowering in &plan.lowerings {
        let Some((lift, shape)) = shape(plan, lowering) else {
            wanted.push(None);
            continue;
        };
        let (bytes, imports) = generate(&shape);
        let next = modules.len();
        let index = *unique.entry(bytes.clone()).or_insert(next);
        if index == next {
            modules.push((bytes, imports.into()));
        }
        wanted.push(Some((index, lift)));
    }
    let compile_one = |bytes: &[u8]| {
        let module = compile(bytes);
        debug_assert!(
            module.is_ok(),
            "a generated adapter does not compile: {:?}",
            module.as_ref().err()
        );
        module.ok()
    };
    // Small modules: one is compiled here, more on a few threads at a time.
    if let [(bytes, _)] = modules.as_slice() {
        let compiled = [compile_one(bytes)];
        return adapters(wanted, &modules, &compiled);
    }
    let chunk = modules.len().div_ceil(4).max(1);
    let compiled: Vec<Option<wasmtime::Module>> = std::thread::scope(|scope| {
        let handles: Vec<_> = modules
            .chunks(chunk)
            .map(|c| scope.spawn(move || c.iter().map(|(b, _)| compile_one(b)).collect()))
            .collect();
        // A thread that panicked leaves its modules uncompiled (`None`), in their places.
        handles
            .into_iter()
            .zip(modules.chunks(chunk))
            .flat_map(|(h, c)| {
                h.join()
                    .unwrap_or_else(|_| c.iter().map(|_| None).collect::<Vec<_>>())
            })
            .collect::<Vec<_>>()
    });
    adapters(wanted, &modules, &compiled)
}

/// Each lowering's adapter, from the modules it wants (`wanted`: module index and lift) and
/// the compiled modules.
fn adapters(
    wanted: Vec<Option<(usize, u32)>>,
    modules: &[(Vec<u8>, Arc<[Import]>)],
    compiled: &[Option<wasmtime::Module>],
) -> Adapters {
    let by_lowering = wanted
        .into_iter()
        .map(|w| {
            let (index, lift) = w?;
            let module = compiled.get(index)?.clone()?;
            Some(Adapter {
                module,
                imports: modules[index].1.clone(),
                lift,
            })
        })
        .collect();
    Adapters { by_lowering }
}

/// The core function of lowering `l` of instance `inst`: an instance of its adapter, or `None`
/// when it has none (or its items cannot be resolved yet, or are not what an adapter takes: a
/// 64-bit or shared memory), for the host path.
pub(crate) fn instantiate<T: Send + 'static>(
    cx: &mut StoreContextMut<'_, Data<T>>,
    inst: usize,
    l: u32,
) -> Option<wasmtime::Func> {
    let component = cx.data().instances[inst].component.clone();
    let adapter = component
        .inner
        .adapters
        .by_lowering
        .get(l as usize)?
        .as_ref()?;
    let plan = &component.inner.plan;
    let lowering = &plan.lowerings[l as usize];
    let lift = &plan.lifts[adapter.lift as usize];
    let (caller, callee) = (lowering.instance as usize, lift.instance as usize);
    let caller_memory = resolve_memory(cx, inst, &lowering.options.memory).ok()?;
    let callee_memory = resolve_memory(cx, inst, &lift.options.memory).ok()?;
    let mut externs: Vec<Extern> = Vec::with_capacity(adapter.imports.len());
    for import in adapter.imports.iter() {
        let item: Extern = match import {
            Import::Rt => {
                wasmtime::Func::wrap(&mut *cx, move |mut c: Caller<'_, Data<T>>, op: i32| {
                    rt(&mut c, inst, caller, callee, op)
                })
                .into()
            }
            Import::Trap => wasmtime::Func::wrap(
                &mut *cx,
                |code: i32, a: i64, b: i64| -> wasmtime::Result<()> {
                    Err(trap(Trap::new(message(code, a, b))))
                },
            )
            .into(),
            Import::Utf8 => {
                let memories = [caller_memory, callee_memory];
                wasmtime::Func::wrap(
                    &mut *cx,
                    move |c: Caller<'_, Data<T>>, which: i32, ptr: i32, len: i32| {
                        let memory = memories.get(which as usize).copied().flatten();
                        utf8(memory.map_or(&[][..], |m| m.data(&c)), ptr, len)
                    },
                )
                .into()
            }
            Import::CallerMemory => caller_memory?.into(),
            Import::CalleeMemory => callee_memory?.into(),
            Import::CallerRealloc => resolve_func(cx, inst, lowering.options.realloc.as_ref()?)
                .ok()?
                .into(),
            Import::CalleeFunc => resolve_func(cx, inst, &lift.func).ok()?.into(),
            Import::CalleeRealloc => resolve_func(cx, inst, lift.options.realloc.as_ref()?)
                .ok()?
                .into(),
            Import::CalleePostReturn => resolve_func(cx, inst, lift.options.post_return.as_ref()?)
                .ok()?
                .into(),
        };
        externs.push(item);
    }
    // The module has no start function and no memory of its own: instantiating it never
    // waits, so the future is ready when first polled.
    let instance = wasmtime::Instance::new_async(&mut *cx, &adapter.module, &externs)
        .now_or_never()?
        .ok()?;
    instance.get_func(&mut *cx, "adapter")
}

/// The `rt` intrinsic: the `OP_*` bits of `op` for caller `caller` and callee `callee`
/// (component instances of store instance `inst`).
fn rt<T>(
    c: &mut Caller<'_, Data<T>>,
    inst: usize,
    caller: usize,
    callee: usize,
    op: i32,
) -> wasmtime::Result<()> {
    let d = &mut c.data_mut().instances[inst];
    if op & OP_CHECK_LEAVE != 0 && !d.may_leave[caller] {
        return Err(trap(Trap::new("cannot leave component instance")));
    }
    if op & OP_CHECK_ENTER != 0 && d.poisoned[callee] {
        return Err(trap(Trap::new("cannot enter component instance")));
    }
    if op & OP_POP != 0 {
        d.entered.pop();
    }
    if op & OP_PUSH != 0 {
        d.entered.push(callee as u32);
    }
    if op & (OP_CALLER_STAY | OP_CALLER_FREE) != 0 {
        d.may_leave[caller] = op & OP_CALLER_FREE != 0;
    }
    if op & (OP_CALLEE_STAY | OP_CALLEE_FREE) != 0 {
        d.may_leave[callee] = op & OP_CALLEE_FREE != 0;
    }
    Ok(())
}

/// The `utf8` intrinsic: traps unless `len` bytes at `ptr` of `memory` are UTF-8 (the
/// adapter checked the bounds already).
fn utf8(memory: &[u8], ptr: i32, len: i32) -> wasmtime::Result<()> {
    let start = ptr as u32 as usize;
    let bytes = start
        .checked_add(len as u32 as usize)
        .and_then(|end| memory.get(start..end))
        .ok_or_else(|| trap(Trap::new(STRING_OUT_OF_BOUNDS)))?;
    match std::str::from_utf8(bytes) {
        Ok(_) => Ok(()),
        Err(e) => Err(trap(Trap::new(format!("invalid utf-8 string: {e}")))),
    }
}

// ---- Eligibility. ----

/// What an adapter is generated from.
struct Shape {
    params: Vec<Type>,
    result: Option<Type>,
    /// More than `MAX_FLAT_PARAMS` flat parameters: they travel as a tuple in memory.
    params_spill: bool,
    /// More than `MAX_FLAT_RESULTS` flat results: a pointer from the callee, an out-pointer
    /// from the caller.
    results_spill: bool,
    /// Strings or lists among the parameters (the callee's `realloc`) and the result (the
    /// caller's).
    params_alloc: bool,
    result_alloc: bool,
    strings: bool,
    post_return: bool,
}

/// The lift lowering `lowering` calls and its shape, if it gets an adapter: a lowering of a
/// function another component instance lifted, of a type built from booleans, integers,
/// floats, `char`s, UTF-8 strings (UTF-8 on both sides), lists, records, tuples, variants,
/// enums, options, results and flags, with the memories and `realloc`s the host path would use.
/// Everything else stays on the host path: resources (the handle tables), maps and fixed-length
/// lists, other string encodings (transcoding), a component instance calling its own lift (its
/// memories could be one, and the arguments must not change between the checks and the copy),
/// and canonical options without an item the call needs (the host path traps on those).
fn shape(plan: &Plan, lowering: &Lowering) -> Option<(u32, Shape)> {
    let FuncDef::Lifted(l) = lowering.callee else {
        return None;
    };
    let lift = plan.lifts.get(l as usize)?;
    if lift.instance == lowering.instance || lift.ty != lowering.ty {
        return None;
    }
    let params: Vec<Type> = lowering.ty.params.iter().map(|(_, t)| t.clone()).collect();
    let result = lowering.ty.result.clone();
    let all = || params.iter().chain(result.iter());
    if !all().all(supported) {
        return None;
    }
    let strings = all().any(has_string);
    if strings
        && (lift.options.encoding != StringEncoding::Utf8
            || lowering.options.encoding != StringEncoding::Utf8)
    {
        return None;
    }
    let params_spill = flatten_types(&params).len() > MAX_FLAT_PARAMS;
    let results_spill = result
        .as_ref()
        .is_some_and(|t| flatten_type(t).len() > MAX_FLAT_RESULTS);
    let params_alloc = params.iter().any(has_alloc);
    let result_alloc = result.iter().any(has_alloc);
    let memories = params_spill || params_alloc || results_spill;
    let have = |needed: bool, item: bool| !needed || item;
    let ok = have(memories, lift.options.memory.is_some())
        && have(memories, lowering.options.memory.is_some())
        && have(params_spill || params_alloc, lift.options.realloc.is_some())
        && have(result_alloc, lowering.options.realloc.is_some());
    if !ok {
        return None;
    }
    Some((
        l,
        Shape {
            params,
            result,
            params_spill,
            results_spill,
            params_alloc,
            result_alloc,
            strings,
            post_return: lift.options.post_return.is_some(),
        },
    ))
}

/// Types an adapter copies: no resources, maps or fixed-length lists.
fn supported(t: &Type) -> bool {
    match t {
        Type::Own(_) | Type::Borrow(_) | Type::Map(_) | Type::FixedList(..) => false,
        Type::List(e) | Type::Option(e) => supported(e),
        Type::Record(_) | Type::Tuple(_) => fields(t).into_iter().all(supported),
        Type::Variant(_) | Type::Result(_) | Type::Enum(_) => {
            cases(t).1.into_iter().flatten().all(supported)
        }
        _ => true,
    }
}

fn has_string(t: &Type) -> bool {
    any_in(t, &|t| matches!(t, Type::String))
}

/// Whether lowering `t` calls `realloc` (a string or a list in it).
fn has_alloc(t: &Type) -> bool {
    any_in(t, &|t| matches!(t, Type::String | Type::List(_)))
}

/// Whether lifting `t` checks something beyond the core types (`char`s, strings, lists,
/// discriminants).
fn needs_check(t: &Type) -> bool {
    any_in(t, &|t| {
        matches!(
            t,
            Type::Char
                | Type::String
                | Type::List(_)
                | Type::Variant(_)
                | Type::Enum(_)
                | Type::Option(_)
                | Type::Result(_)
        )
    })
}

/// Whether `t` or a type in it satisfies `f`.
fn any_in(t: &Type, f: &dyn Fn(&Type) -> bool) -> bool {
    f(t) || match t {
        Type::List(e) | Type::Option(e) | Type::FixedList(e, _) => any_in(e, f),
        Type::Map(kv) => any_in(&kv.0, f) || any_in(&kv.1, f),
        Type::Record(_) | Type::Tuple(_) => fields(t).into_iter().any(|t| any_in(t, f)),
        Type::Variant(_) | Type::Result(_) => {
            cases(t).1.into_iter().flatten().any(|t| any_in(t, f))
        }
        _ => false,
    }
}

/// Whether a value of `t` in memory is copied byte for byte (after its checks): integers and
/// `char`s, and records and tuples of them without padding.
fn plain(t: &Type) -> bool {
    match t {
        Type::U8
        | Type::S8
        | Type::U16
        | Type::S16
        | Type::U32
        | Type::S32
        | Type::U64
        | Type::S64
        | Type::Char => true,
        Type::Record(_) | Type::Tuple(_) => {
            let mut end = 0;
            for (f, offset) in field_offsets(t) {
                if offset != end || !plain(f) {
                    return false;
                }
                end = offset + elem_size(f);
            }
            end == elem_size(t)
        }
        _ => false,
    }
}

/// The field types of a record or tuple.
fn fields(t: &Type) -> Vec<&Type> {
    match t {
        Type::Record(r) => r.fields.iter().map(|(_, t)| t).collect(),
        Type::Tuple(ts) => ts.iter().collect(),
        _ => Vec::new(),
    }
}

/// The fields of a record or tuple with their offsets (spec `store_record`/`load_record`).
fn field_offsets(t: &Type) -> Vec<(&Type, u32)> {
    let mut offset = 0;
    fields(t)
        .into_iter()
        .map(|f| {
            offset = align_to(offset, alignment(f));
            let at = offset;
            offset += elem_size(f);
            (f, at)
        })
        .collect()
}

/// The trap of a bad discriminant of a variant-like type, and its cases' payload types (spec
/// `despecialize`: `enum`, `option` and `result` are variants).
fn cases(t: &Type) -> (Code, Vec<Option<&Type>>) {
    match t {
        Type::Variant(v) => (
            Code::Variant,
            v.cases.iter().map(|(_, t)| t.as_ref()).collect(),
        ),
        Type::Enum(e) => (Code::Enum, vec![None; e.cases.len()]),
        Type::Option(t) => (Code::Option, vec![None, Some(&**t)]),
        Type::Result(r) => (Code::Result, vec![r.ok.as_ref(), r.err.as_ref()]),
        _ => (Code::Variant, Vec::new()),
    }
}

fn is_variant(t: &Type) -> bool {
    matches!(
        t,
        Type::Variant(_) | Type::Enum(_) | Type::Option(_) | Type::Result(_)
    )
}

/// The offset of a variant's payload: after the discriminant, aligned to its cases.
fn payload_offset(t: &Type, cases: usize) -> u32 {
    align_to(elem_size(&discriminant_type(cases)), max_case_alignment(t))
}

fn align_to(x: u32, alignment: u32) -> u32 {
    x.next_multiple_of(alignment.max(1))
}
