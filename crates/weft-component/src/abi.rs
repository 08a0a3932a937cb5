//! The canonical ABI's core signatures of WIT functions (CanonicalABI.md, "Flattening"): what a
//! core module must import or export for each function of a world.
//!
//! The names follow the spec: [`flatten_functype`], [`flatten_type`], `join`,
//! [`MAX_FLAT_PARAMS`], [`MAX_FLAT_RESULTS`], [`MAX_FLAT_ASYNC_PARAMS`].

use weft_binary::{CoreFuncType, CoreValType};
use weft_wit::{Function, Resolve, Type, TypeDefKind};

/// Parameters passed as scalars before falling back to a pointer into memory.
pub const MAX_FLAT_PARAMS: usize = 16;
/// Parameters of an `async`-lowered import passed as scalars.
pub const MAX_FLAT_ASYNC_PARAMS: usize = 4;
/// Results returned as scalars before falling back to memory.
pub const MAX_FLAT_RESULTS: usize = 1;

/// Whether a function is lifted (a component export implemented by core code) or lowered (a
/// component import called by core code).
#[derive(Copy, Clone, Debug, PartialEq, Eq, Hash)]
pub enum Context {
    /// `canon lift`: the core module exports the function.
    Lift,
    /// `canon lower`: the core module imports the function.
    Lower,
}

/// The canonical options that change a core signature.
#[derive(Copy, Clone, Debug, Default, PartialEq, Eq)]
pub struct AbiOptions {
    /// The `async` option.
    pub is_async: bool,
    /// The `callback` option (async lifts only).
    pub callback: bool,
}

/// `flatten_functype(opts, ft, context)`: the core signature of `func`.
pub fn flatten_functype(
    resolve: &Resolve,
    func: &Function,
    opts: AbiOptions,
    context: Context,
) -> CoreFuncType {
    let mut params = Vec::new();
    for p in &func.params {
        flatten_type(resolve, p.ty, &mut params);
    }
    let mut results = Vec::new();
    if let Some(ty) = func.result {
        flatten_type(resolve, ty, &mut results);
    }
    let ptr = CoreValType::I32;
    if !opts.is_async {
        if params.len() > MAX_FLAT_PARAMS {
            params = vec![ptr];
        }
        if results.len() > MAX_FLAT_RESULTS {
            match context {
                Context::Lift => results = vec![ptr],
                Context::Lower => {
                    params.push(ptr);
                    results.clear();
                }
            }
        }
    } else {
        match context {
            Context::Lift => {
                if params.len() > MAX_FLAT_PARAMS {
                    params = vec![ptr];
                }
                results = if opts.callback { vec![ptr] } else { vec![] };
            }
            Context::Lower => {
                if params.len() > MAX_FLAT_ASYNC_PARAMS {
                    params = vec![ptr];
                }
                if !results.is_empty() {
                    params.push(ptr);
                }
                results = vec![CoreValType::I32];
            }
        }
    }
    CoreFuncType { params, results }
}

/// The signature of the `task.return` built-in for an async-lifted `func`: the flattened
/// result, through memory when it does not fit in [`MAX_FLAT_PARAMS`] scalars.
pub fn task_return_type(resolve: &Resolve, func: &Function) -> CoreFuncType {
    let mut params = Vec::new();
    if let Some(ty) = func.result {
        flatten_type(resolve, ty, &mut params);
    }
    if params.len() > MAX_FLAT_PARAMS {
        params = vec![CoreValType::I32];
    }
    CoreFuncType {
        params,
        results: vec![],
    }
}

/// `flatten_type(t, opts)`, appending to `out`.
pub fn flatten_type(resolve: &Resolve, ty: Type, out: &mut Vec<CoreValType>) {
    use CoreValType::*;
    match ty {
        Type::Bool
        | Type::U8
        | Type::U16
        | Type::U32
        | Type::S8
        | Type::S16
        | Type::S32
        | Type::Char
        | Type::ErrorContext => out.push(I32),
        Type::U64 | Type::S64 => out.push(I64),
        Type::F32 => out.push(F32),
        Type::F64 => out.push(F64),
        Type::String => out.extend([I32, I32]),
        Type::Id(id) => match &resolve.types[id].kind {
            TypeDefKind::Record(r) => {
                for f in &r.fields {
                    flatten_type(resolve, f.ty, out);
                }
            }
            TypeDefKind::Tuple(t) => {
                for ty in &t.types {
                    flatten_type(resolve, *ty, out);
                }
            }
            TypeDefKind::Flags(_)
            | TypeDefKind::Enum(_)
            | TypeDefKind::Handle(_)
            | TypeDefKind::Future(_)
            | TypeDefKind::Stream(_)
            | TypeDefKind::Resource => out.push(I32),
            TypeDefKind::List(_) | TypeDefKind::Map(..) => out.extend([I32, I32]),
            TypeDefKind::FixedLengthList(elem, n) => {
                for _ in 0..*n {
                    flatten_type(resolve, *elem, out);
                }
            }
            TypeDefKind::Variant(v) => flatten_variant(resolve, v.cases.iter().map(|c| c.ty), out),
            TypeDefKind::Option(t) => flatten_variant(resolve, [None, Some(*t)], out),
            TypeDefKind::Result(r) => flatten_variant(resolve, [r.ok, r.err], out),
            TypeDefKind::Type(t) => flatten_type(resolve, *t, out),
            TypeDefKind::Unknown => {}
        },
    }
}

/// `flatten_variant(cases, opts)`: the discriminant, then each position's `join` over the
/// cases' payloads. The discriminant of any variant with at most 2³² cases is an `i32`.
fn flatten_variant(
    resolve: &Resolve,
    cases: impl IntoIterator<Item = Option<Type>>,
    out: &mut Vec<CoreValType>,
) {
    out.push(CoreValType::I32);
    let start = out.len();
    let mut case_flat = Vec::new();
    for ty in cases.into_iter().flatten() {
        case_flat.clear();
        flatten_type(resolve, ty, &mut case_flat);
        for (i, ft) in case_flat.iter().enumerate() {
            match out.get_mut(start + i) {
                Some(slot) => *slot = join(*slot, *ft),
                None => out.push(*ft),
            }
        }
    }
}

/// `join(a, b)`: the tightest core type both can be bit-cast into.
fn join(a: CoreValType, b: CoreValType) -> CoreValType {
    use CoreValType::*;
    match (a, b) {
        _ if a == b => a,
        (I32, F32) | (F32, I32) => I32,
        _ => I64,
    }
}

/// Whether values of `ty` live (partly) in linear memory: strings and lists.
pub fn has_pointers(resolve: &Resolve, ty: Type) -> bool {
    let Type::Id(id) = ty else {
        return ty == Type::String;
    };
    match &resolve.types[id].kind {
        TypeDefKind::List(_) | TypeDefKind::Map(..) => true,
        TypeDefKind::Record(r) => r.fields.iter().any(|f| has_pointers(resolve, f.ty)),
        TypeDefKind::Tuple(t) => t.types.iter().any(|t| has_pointers(resolve, *t)),
        TypeDefKind::Variant(v) => v
            .cases
            .iter()
            .any(|c| c.ty.is_some_and(|t| has_pointers(resolve, t))),
        TypeDefKind::Option(t) | TypeDefKind::Type(t) | TypeDefKind::FixedLengthList(t, _) => {
            has_pointers(resolve, *t)
        }
        TypeDefKind::Result(r) => {
            r.ok.is_some_and(|t| has_pointers(resolve, t))
                || r.err.is_some_and(|t| has_pointers(resolve, t))
        }
        _ => false,
    }
}

/// Which of `memory` and `realloc` a lift or lower of `func` needs (CanonicalABI.md, "canon
/// lift" and "canon lower" validation).
pub fn needs_memory_and_realloc(
    resolve: &Resolve,
    func: &Function,
    opts: AbiOptions,
    context: Context,
) -> (bool, bool) {
    let mut flat = Vec::new();
    for p in &func.params {
        flatten_type(resolve, p.ty, &mut flat);
    }
    let max_params = match (opts.is_async, context) {
        (true, Context::Lower) => MAX_FLAT_ASYNC_PARAMS,
        _ => MAX_FLAT_PARAMS,
    };
    let params_spill = flat.len() > max_params;
    flat.clear();
    if let Some(t) = func.result {
        flatten_type(resolve, t, &mut flat);
    }
    // Async lowerings write any result through a pointer; async lifts return theirs with
    // `task.return`, which spills past MAX_FLAT_PARAMS.
    let results_spill = match (opts.is_async, context) {
        (false, _) => flat.len() > MAX_FLAT_RESULTS,
        (true, Context::Lower) => !flat.is_empty(),
        (true, Context::Lift) => flat.len() > MAX_FLAT_PARAMS,
    };
    let params_ptr = func.params.iter().any(|p| has_pointers(resolve, p.ty));
    let result_ptr = func.result.is_some_and(|t| has_pointers(resolve, t));
    let memory = params_spill || results_spill || params_ptr || result_ptr;
    let realloc = match context {
        Context::Lift => params_spill || params_ptr,
        Context::Lower => result_ptr,
    };
    (memory, realloc)
}

#[cfg(test)]
mod tests {
    use super::*;

    fn sig(wit: &str, func: &str, opts: AbiOptions, context: Context) -> String {
        let mut resolve = Resolve::new();
        let pkg = resolve.push_str("test.wit", wit).unwrap();
        let iface = resolve.packages[pkg].interfaces["i"];
        let f = &resolve.interfaces[iface].functions[func];
        flatten_functype(&resolve, f, opts, context).to_string()
    }

    const WIT: &str = r#"package t:t;
        interface i {
            record point { x: f32, y: u64 }
            variant v { a(f32), b(u32), c(f64), d }
            resource r { m: func(s: string) -> list<u8>; }
            scalar: func(a: bool, b: s64, c: f64) -> char;
            strings: func(s: string) -> string;
            records: func(p: point) -> point;
            variants: func(x: v) -> option<v>;
            many: func(a: u8, b: u8, c: u8, d: u8, e: u8, f: u8, g: u8, h: u8, i: u8, j: u8,
                       k: u8, l: u8, m: u8, n: u8, o: u8, p: u8, q: u8) -> tuple<u8, u8>;
            fixed: func(a: list<u16, 3>) -> result<_, string>;
            flagged: func(f: result<point, v>);
        }"#;

    #[test]
    fn sync_signatures() {
        let s = AbiOptions::default();
        let cases = [
            (
                "scalar",
                Context::Lower,
                "(func (param i32 i64 f64) (result i32))",
            ),
            ("strings", Context::Lower, "(func (param i32 i32 i32))"),
            (
                "strings",
                Context::Lift,
                "(func (param i32 i32) (result i32))",
            ),
            (
                "records",
                Context::Lift,
                "(func (param f32 i64) (result i32))",
            ),
            // join(f32, i32) = i32, join(i32, f64) = i64.
            ("variants", Context::Lower, "(func (param i32 i64 i32))"),
            ("many", Context::Lower, "(func (param i32 i32))"),
            ("many", Context::Lift, "(func (param i32) (result i32))"),
            (
                "fixed",
                Context::Lift,
                "(func (param i32 i32 i32) (result i32))",
            ),
            // result<point, v>: discriminant, join(f32, i32)=i32, join(i64, ·)=i64.
            ("flagged", Context::Lower, "(func (param i32 i32 i64))"),
            (
                "[method]r.m",
                Context::Lower,
                "(func (param i32 i32 i32 i32))",
            ),
        ];
        for (func, context, expected) in cases {
            assert_eq!(sig(WIT, func, s, context), expected, "{func} {context:?}");
        }
    }

    #[test]
    fn async_signatures() {
        let lower = AbiOptions {
            is_async: true,
            callback: false,
        };
        assert_eq!(
            sig(WIT, "strings", lower, Context::Lower),
            "(func (param i32 i32 i32) (result i32))"
        );
        assert_eq!(
            sig(WIT, "records", lower, Context::Lower),
            "(func (param f32 i64 i32) (result i32))"
        );
        assert_eq!(
            sig(WIT, "variants", lower, Context::Lower),
            "(func (param i32 i64 i32) (result i32))"
        );
        assert_eq!(
            sig(WIT, "many", lower, Context::Lower),
            "(func (param i32 i32) (result i32))"
        );
        let callback = AbiOptions {
            is_async: true,
            callback: true,
        };
        assert_eq!(
            sig(WIT, "strings", callback, Context::Lift),
            "(func (param i32 i32) (result i32))"
        );
        assert_eq!(
            sig(WIT, "strings", lower_stackful(), Context::Lift),
            "(func (param i32 i32))"
        );
    }

    fn lower_stackful() -> AbiOptions {
        AbiOptions {
            is_async: true,
            callback: false,
        }
    }
}
