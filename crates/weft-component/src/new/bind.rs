//! Matching a core module's imports and exports to a world, by the canonical ABI's naming
//! conventions, with errors that speak WIT.
//!
//! Core imports:
//! * module `$root`, field `f`: the world's imported function `f` (also `[method]r.f`, …);
//! * module `ns:pkg/iface@1.2.3` (or a plain import name), field `f`: a function of that
//!   imported interface; a semver-compatible version matches too;
//! * field `[resource-drop]r` in those modules: drop a handle of imported resource `r`;
//! * module `[export]ns:pkg/iface` (or `[export]$root`), fields `[resource-new]r`,
//!   `[resource-rep]r`, `[resource-drop]r`: the built-ins of exported resource `r`.
//!
//! Core exports: `f` for a world-level function, `ns:pkg/iface#f` for an interface function,
//! `cabi_post_<export>` for its post-return, `ns:pkg/iface#[dtor]r` for a destructor, `memory`,
//! `cabi_realloc` and `_initialize`.

use indexmap::IndexMap;
use weft_binary::{CoreFuncType, CoreKind, Module};
use weft_wit::{Function, InterfaceId, Resolve, TypeDefKind, TypeId, WorldId, WorldItem, WorldKey};

use crate::abi::{flatten_functype, AbiOptions, Context};
use crate::{Error, Result};

/// What one core import is bound to.
#[derive(Clone, Debug)]
pub(crate) enum ImportUse<'a> {
    /// An imported WIT function, lowered.
    Lower {
        key: &'a WorldKey,
        interface: Option<InterfaceId>,
        func: &'a Function,
        /// `[async-lower]`: lowered with the `async` option.
        is_async: bool,
    },
    /// A component-model built-in (async tasks, waitables, error contexts, task-local storage).
    Builtin(Builtin<'a>),
    /// `[resource-drop]r` of an imported resource.
    ImportedDrop(TypeId),
    /// `[resource-new]r`, `[resource-rep]r` or `[resource-drop]r` of an exported resource.
    Exported(super::builder::ResourceBuiltin, TypeId),
}

/// The component-model built-ins a core module can import by name.
#[derive(Clone, Debug)]
pub(crate) enum Builtin<'a> {
    BackpressureInc,
    BackpressureDec,
    /// `[task-cancel]` (in an `[export]…` module).
    TaskCancel,
    /// `[task-return]f`: the result of async-lifted export `func` (of exported interface
    /// `interface`, or of the world).
    TaskReturn(Option<InterfaceId>, &'a Function),
    WaitableSetNew,
    WaitableSetWait,
    WaitableSetPoll,
    WaitableSetDrop,
    WaitableJoin,
    ThreadYield,
    SubtaskDrop,
    /// `[subtask-cancel]`; `true` with the `[async-lower]` prefix.
    SubtaskCancel(bool),
    ErrorContextNew(crate::StringEncoding),
    ErrorContextDebugMessage(crate::StringEncoding),
    ErrorContextDrop,
    /// A `future` or `stream` built-in: `[future-read-N]f` operates on the `N`th future or
    /// stream type in function `f`'s signature (`unit` for a payload-less one).
    Payload {
        kind: PayloadKind,
        op: PayloadOp,
        /// The `future<T>`/`stream<T>` type, with the exported interface whose types it uses
        /// when `f` is an export (`Some(None)` for a world-level export); `None` for `unit`.
        ty: Option<(Option<Option<InterfaceId>>, TypeId)>,
        /// `[async-lower]`.
        is_async: bool,
    },
    /// `[thread-index]`.
    ThreadIndex,
    /// `[thread-new-indirect-v0]`: a thread running a function of the module's
    /// `__indirect_function_table`.
    ThreadNewIndirect,
    ThreadResumeLater,
    ThreadSuspend,
    ThreadSuspendThenResume,
    ThreadYieldThenResume,
    ThreadSuspendThenPromote,
    ThreadYieldThenPromote,
    /// wasm-ld's `env.__wasm_get_tls_base` / `__wasm_set_tls_base`: task-local storage slot 1
    /// for a module that uses threads, a plain global otherwise.
    TlsBaseGet(weft_binary::CoreValType),
    TlsBaseSet(weft_binary::CoreValType),
    /// `[context-get-N]` (`-i32-N`, `-i64-N`): the type and slot.
    ContextGet(weft_binary::CoreValType, u32),
    ContextSet(weft_binary::CoreValType, u32),
}

impl Builtin<'_> {
    /// The core signature a module imports this built-in with.
    pub(crate) fn core_type(&self, resolve: &Resolve) -> CoreFuncType {
        use weft_binary::CoreValType::I32;
        let f = |params: &[weft_binary::CoreValType], results: &[weft_binary::CoreValType]| {
            CoreFuncType {
                params: params.to_vec(),
                results: results.to_vec(),
            }
        };
        match self {
            Builtin::BackpressureInc | Builtin::BackpressureDec | Builtin::TaskCancel => {
                f(&[], &[])
            }
            Builtin::TaskReturn(_, func) => crate::abi::task_return_type(resolve, func),
            Builtin::WaitableSetNew => f(&[], &[I32]),
            Builtin::WaitableSetWait | Builtin::WaitableSetPoll => f(&[I32, I32], &[I32]),
            Builtin::WaitableSetDrop | Builtin::SubtaskDrop | Builtin::ErrorContextDrop => {
                f(&[I32], &[])
            }
            Builtin::WaitableJoin => f(&[I32, I32], &[]),
            Builtin::ThreadYield => f(&[], &[I32]),
            Builtin::SubtaskCancel(_) => f(&[I32], &[I32]),
            Builtin::ErrorContextNew(_) => f(&[I32, I32], &[I32]),
            Builtin::ErrorContextDebugMessage(_) => f(&[I32, I32], &[]),
            Builtin::Payload { kind, op, .. } => match op {
                PayloadOp::New => f(&[], &[weft_binary::CoreValType::I64]),
                PayloadOp::Read | PayloadOp::Write => match kind {
                    PayloadKind::Future => f(&[I32, I32], &[I32]),
                    PayloadKind::Stream => f(&[I32, I32, I32], &[I32]),
                },
                PayloadOp::CancelRead | PayloadOp::CancelWrite => f(&[I32], &[I32]),
                PayloadOp::DropReadable | PayloadOp::DropWritable => f(&[I32], &[]),
            },
            Builtin::ThreadIndex | Builtin::ThreadSuspend => f(&[], &[I32]),
            Builtin::ThreadNewIndirect => f(&[I32, I32], &[I32]),
            Builtin::ThreadResumeLater => f(&[I32], &[]),
            Builtin::ThreadSuspendThenResume
            | Builtin::ThreadYieldThenResume
            | Builtin::ThreadSuspendThenPromote
            | Builtin::ThreadYieldThenPromote => f(&[I32], &[I32]),
            Builtin::TlsBaseGet(t) => f(&[], &[*t]),
            Builtin::TlsBaseSet(t) => f(&[*t], &[]),
            Builtin::ContextGet(t, _) => f(&[], &[*t]),
            Builtin::ContextSet(t, _) => f(&[*t], &[]),
        }
    }

    /// Whether the built-in reads or writes linear memory (and so needs the `memory` option).
    pub(crate) fn needs_memory(&self, resolve: &Resolve) -> bool {
        match self {
            Builtin::WaitableSetWait
            | Builtin::WaitableSetPoll
            | Builtin::ErrorContextNew(_)
            | Builtin::ErrorContextDebugMessage(_) => true,
            Builtin::Payload { op, ty, .. } => {
                ty.is_some() && matches!(op, PayloadOp::Read | PayloadOp::Write)
            }
            Builtin::TaskReturn(_, func) => {
                let mut flat = Vec::new();
                if let Some(t) = func.result {
                    crate::abi::flatten_type(resolve, t, &mut flat);
                }
                flat.len() > crate::abi::MAX_FLAT_PARAMS
                    || func
                        .result
                        .is_some_and(|t| crate::abi::has_pointers(resolve, t))
            }
            _ => false,
        }
    }
}

/// Finds a function of an import or export scope by name.
type FuncLookup<'a> = Box<dyn Fn(&str) -> Option<&'a Function> + 'a>;

/// Futures or streams.
#[derive(Copy, Clone, Debug, PartialEq, Eq)]
pub(crate) enum PayloadKind {
    Future,
    Stream,
}

/// What a future/stream built-in does.
#[derive(Copy, Clone, Debug, PartialEq, Eq)]
pub(crate) enum PayloadOp {
    New,
    Read,
    Write,
    CancelRead,
    CancelWrite,
    DropReadable,
    DropWritable,
}

/// `[async-lower][future-read-N]f` → (kind, op, `N` or `unit`, `f`, async).
fn parse_payload(field: &str) -> Option<(PayloadKind, PayloadOp, &str, &str, bool)> {
    let (is_async, name) = match field.strip_prefix("[async-lower]") {
        Some(rest) => (true, rest),
        None => (false, field),
    };
    let (kind, rest) = if let Some(r) = name.strip_prefix("[future-") {
        (PayloadKind::Future, r)
    } else {
        (PayloadKind::Stream, name.strip_prefix("[stream-")?)
    };
    let ops = [
        ("new-", PayloadOp::New),
        ("read-", PayloadOp::Read),
        ("write-", PayloadOp::Write),
        ("cancel-read-", PayloadOp::CancelRead),
        ("cancel-write-", PayloadOp::CancelWrite),
        ("drop-readable-", PayloadOp::DropReadable),
        ("drop-writable-", PayloadOp::DropWritable),
    ];
    let (op, rest) = ops
        .iter()
        .find_map(|(p, op)| rest.strip_prefix(p).map(|r| (*op, r)))?;
    let (index, func) = rest.split_once(']')?;
    Some((kind, op, index, func, is_async))
}

/// The future and stream types in `func`'s signature, depth first, parameters then result:
/// what the `N` of a payload built-in counts.
fn futures_and_streams(resolve: &Resolve, func: &Function) -> Vec<TypeId> {
    fn walk(resolve: &Resolve, ty: weft_wit::Type, out: &mut Vec<TypeId>) {
        let weft_wit::Type::Id(id) = ty else { return };
        match &resolve.types[id].kind {
            TypeDefKind::Record(r) => r.fields.iter().for_each(|f| walk(resolve, f.ty, out)),
            TypeDefKind::Tuple(t) => t.types.iter().for_each(|t| walk(resolve, *t, out)),
            TypeDefKind::Variant(v) => v
                .cases
                .iter()
                .filter_map(|c| c.ty)
                .for_each(|t| walk(resolve, t, out)),
            TypeDefKind::Option(t)
            | TypeDefKind::List(t)
            | TypeDefKind::FixedLengthList(t, _)
            | TypeDefKind::Type(t) => walk(resolve, *t, out),
            TypeDefKind::Map(k, v) => {
                walk(resolve, *k, out);
                walk(resolve, *v, out);
            }
            TypeDefKind::Result(r) => {
                r.ok.iter()
                    .chain(&r.err)
                    .for_each(|t| walk(resolve, *t, out))
            }
            TypeDefKind::Future(t) | TypeDefKind::Stream(t) => {
                if let Some(t) = t {
                    walk(resolve, *t, out);
                }
                out.push(id);
            }
            _ => {}
        }
    }
    let mut out = Vec::new();
    for p in &func.params {
        walk(resolve, p.ty, &mut out);
    }
    if let Some(t) = func.result {
        walk(resolve, t, &mut out);
    }
    out
}

/// A future/stream built-in named `field`, for the functions of `funcs` (the import or export
/// scope the module name selects); `export` says which exported interface (if any) defines
/// the types.
fn payload_builtin<'a>(
    resolve: &'a Resolve,
    field: &str,
    funcs: &dyn Fn(&str) -> Option<&'a Function>,
    export: Option<Option<InterfaceId>>,
) -> Option<Builtin<'a>> {
    let (kind, op, index, func, is_async) = parse_payload(field)?;
    let ty = if index == "unit" {
        None
    } else {
        let f = funcs(func)?;
        let id = *futures_and_streams(resolve, f).get(index.parse::<usize>().ok()?)?;
        Some((export, id))
    };
    Some(Builtin::Payload {
        kind,
        op,
        ty,
        is_async,
    })
}

/// A `$root` built-in by its legacy core import name.
fn root_builtin(field: &str) -> Option<Builtin<'static>> {
    use crate::StringEncoding::*;
    let (is_async, name) = match field.strip_prefix("[async-lower]") {
        Some(rest) => (true, rest),
        None => (false, field),
    };
    Some(match name {
        "[backpressure-inc]" => Builtin::BackpressureInc,
        "[backpressure-dec]" => Builtin::BackpressureDec,
        "[waitable-set-new]" => Builtin::WaitableSetNew,
        "[waitable-set-wait]" | "[waitable-set-wait-i32]" => Builtin::WaitableSetWait,
        "[waitable-set-poll]" | "[waitable-set-poll-i32]" => Builtin::WaitableSetPoll,
        "[waitable-set-drop]" => Builtin::WaitableSetDrop,
        "[waitable-join]" => Builtin::WaitableJoin,
        "[thread-yield]" => Builtin::ThreadYield,
        "[subtask-drop]" => Builtin::SubtaskDrop,
        "[subtask-cancel]" => Builtin::SubtaskCancel(is_async),
        "[error-context-new-utf8]" => Builtin::ErrorContextNew(Utf8),
        "[error-context-new-utf16]" => Builtin::ErrorContextNew(Utf16),
        "[error-context-new-latin1+utf16]" => Builtin::ErrorContextNew(CompactUtf16),
        "[error-context-debug-message-utf8]" => Builtin::ErrorContextDebugMessage(Utf8),
        "[error-context-debug-message-utf16]" => Builtin::ErrorContextDebugMessage(Utf16),
        "[error-context-debug-message-latin1+utf16]" => {
            Builtin::ErrorContextDebugMessage(CompactUtf16)
        }
        "[error-context-drop]" => Builtin::ErrorContextDrop,
        "[thread-index]" => Builtin::ThreadIndex,
        "[thread-new-indirect-v0]" => Builtin::ThreadNewIndirect,
        "[thread-resume-later]" => Builtin::ThreadResumeLater,
        "[thread-suspend]" => Builtin::ThreadSuspend,
        "[thread-suspend-then-resume]" => Builtin::ThreadSuspendThenResume,
        "[thread-yield-then-resume]" => Builtin::ThreadYieldThenResume,
        "[thread-suspend-then-promote]" => Builtin::ThreadSuspendThenPromote,
        "[thread-yield-then-promote]" => Builtin::ThreadYieldThenPromote,
        _ => {
            let (get, rest) = if let Some(r) = name.strip_prefix("[context-get-") {
                (true, r)
            } else {
                (false, name.strip_prefix("[context-set-")?)
            };
            let rest = rest.strip_suffix(']')?;
            let (ty, slot) = match rest.split_once('-') {
                Some(("i32", slot)) => (weft_binary::CoreValType::I32, slot),
                Some(("i64", slot)) => (weft_binary::CoreValType::I64, slot),
                _ => (weft_binary::CoreValType::I32, rest),
            };
            let slot = slot.parse().ok()?;
            if get {
                Builtin::ContextGet(ty, slot)
            } else {
                Builtin::ContextSet(ty, slot)
            }
        }
    })
}

/// How an export is lifted.
#[derive(Clone, Debug, PartialEq, Eq)]
pub(crate) enum LiftAbi {
    /// Synchronously.
    Sync,
    /// `[async-lift]`, with the `[callback][async-lift]` export as its callback.
    AsyncCallback(String),
    /// `[async-lift-stackful]`: async, no callback.
    AsyncStackful,
}

/// An exported WIT function and the core export that implements it.
#[derive(Clone, Debug)]
pub(crate) struct ExportFunc<'a> {
    pub(crate) func: &'a Function,
    pub(crate) core_name: String,
    pub(crate) post_return: Option<String>,
    pub(crate) abi: LiftAbi,
}

/// The whole binding of a module to a world.
pub(crate) struct Bindings<'a> {
    /// Core imports grouped by module name, in order of first appearance: field → use.
    pub(crate) imports: IndexMap<String, Vec<(String, ImportUse<'a>)>>,
    /// Exported functions by world export key, in world order.
    pub(crate) exports: IndexMap<&'a WorldKey, Vec<ExportFunc<'a>>>,
    /// Destructors of exported resources: resource → core export name.
    pub(crate) dtors: IndexMap<TypeId, String>,
    /// `memory`, if exported.
    pub(crate) memory: bool,
    /// `cabi_realloc`, if exported.
    pub(crate) realloc: bool,
    /// `_initialize`, if exported.
    pub(crate) initialize: bool,
    /// The memory the module imports instead of exporting one: (module, field, type).
    pub(crate) imported_memory: Option<(String, String, weft_binary::Memory)>,
    /// The real names of the module's `memory`, `cabi_realloc` and `_initialize` exports.
    pub(crate) names: SpecialNames,
}

/// The real export names of a module's memory, allocator and initializer: the legacy names
/// (`memory`, `cabi_realloc`, `_initialize`) or the standard ones (`cm32p2_memory`, …).
#[derive(Clone, Debug)]
pub(crate) struct SpecialNames {
    pub(crate) memory: String,
    pub(crate) realloc: String,
    pub(crate) initialize: String,
    /// `__wasm_task_hook`, if the module exports it: called around every export, destructor and
    /// `cabi_realloc` the component calls (see `new/assemble.rs`).
    pub(crate) task_hook: Option<String>,
}

impl Default for SpecialNames {
    fn default() -> SpecialNames {
        SpecialNames {
            memory: "memory".into(),
            realloc: "cabi_realloc".into(),
            initialize: "_initialize".into(),
            task_hook: None,
        }
    }
}

/// The prefix of the canonical ABI's standard core names for 32-bit memories and WASI 0.2.
const STANDARD: &str = "cm32p2";

/// `ns:pkg/iface@1.2.3` → `ns:pkg/iface@1`: an interface's name with its version reduced to
/// its semver compatibility track, as standard core names spell it.
fn canonical_name(resolve: &Resolve, key: &WorldKey) -> String {
    match key {
        WorldKey::Name(n) => n.clone(),
        WorldKey::Interface(id) => {
            let iface = &resolve.interfaces[*id];
            let Some(pkg) = iface.package.map(|p| &resolve.packages[p].name) else {
                return String::new();
            };
            let mut s = format!(
                "{}:{}/{}",
                pkg.namespace,
                pkg.name,
                iface.name.as_deref().unwrap_or_default()
            );
            if let Some(v) = &pkg.version {
                s.push('@');
                s.push_str(&compat_track(v));
            }
            s
        }
    }
}

/// The legacy key name of the item among `items` a standard name refers to.
fn standard_key(
    resolve: &Resolve,
    items: &IndexMap<WorldKey, WorldItem>,
    name: &str,
) -> Option<String> {
    items
        .keys()
        .find(|k| canonical_name(resolve, k) == name)
        .map(|k| key_name(resolve, k))
}

/// `r_drop` → `[resource-drop]r` (and `_new`, `_rep`): WIT names are kebab-case, so an
/// underscore suffix is always one of these.
fn standard_field(field: &str) -> String {
    for (suffix, prefix) in [
        ("_drop", "[resource-drop]"),
        ("_new", "[resource-new]"),
        ("_rep", "[resource-rep]"),
    ] {
        if let Some(r) = field.strip_suffix(suffix) {
            return format!("{prefix}{r}");
        }
    }
    field.to_string()
}

/// A standard core import name (`cm32p2`, `cm32p2|iface`, `cm32p2|_ex_iface`) as the legacy
/// (module, field) pair it means, or `None` for a name that is not a standard one.
fn standard_import(
    resolve: &Resolve,
    w: &weft_wit::World,
    module: &str,
    field: &str,
) -> Option<(String, String)> {
    let rest = module.strip_prefix(STANDARD)?;
    if rest.is_empty() {
        return Some(("$root".into(), standard_field(field)));
    }
    let rest = rest.strip_prefix('|')?;
    if let Some(exported) = rest.strip_prefix("_ex_") {
        let key = if exported.is_empty() {
            "$root".to_string()
        } else {
            standard_key(resolve, &w.exports, exported)?
        };
        return Some((format!("[export]{key}"), standard_field(field)));
    }
    Some((
        standard_key(resolve, &w.imports, rest)?,
        standard_field(field),
    ))
}

/// A standard core export name as the legacy name it means: `cm32p2||f` → `f`,
/// `cm32p2|iface|f` → `iface#f`, `…_post` → `cabi_post_…`, `cm32p2|iface|r_dtor` →
/// `iface#[dtor]r`, `cm32p2_memory` → `memory`, `cm32p2_realloc` → `cabi_realloc`,
/// `cm32p2_initialize` → `_initialize`.
fn standard_export(resolve: &Resolve, w: &weft_wit::World, name: &str) -> Option<String> {
    let rest = name.strip_prefix(STANDARD)?;
    match rest {
        "_memory" => return Some("memory".into()),
        "_realloc" => return Some("cabi_realloc".into()),
        "_initialize" => return Some("_initialize".into()),
        _ => {}
    }
    let rest = rest.strip_prefix('|')?;
    let (iface, item) = rest.split_once('|')?;
    let (item, post) = match item.strip_suffix("_post") {
        Some(i) => (i, true),
        None => (item, false),
    };
    let legacy = if iface.is_empty() {
        item.to_string()
    } else {
        let key = standard_key(resolve, &w.exports, iface)?;
        match item.strip_suffix("_dtor") {
            Some(r) => format!("{key}#[dtor]{r}"),
            None => format!("{key}#{item}"),
        }
    };
    Some(if post {
        format!("cabi_post_{legacy}")
    } else {
        legacy
    })
}

/// The name a world key has in a component: `ns:pkg/iface@1.0.0` or the plain name.
pub(crate) fn key_name(resolve: &Resolve, key: &WorldKey) -> String {
    match key {
        WorldKey::Name(n) => n.clone(),
        WorldKey::Interface(id) => resolve.id_of(*id).unwrap_or_default(),
    }
}

/// `1.2.3` → `1`, `0.2.3` → `0.2`, `0.0.3` → `0.0.3`: versions with the same track are
/// semver-compatible.
pub(crate) fn compat_track(v: &semver::Version) -> String {
    if v.major > 0 {
        v.major.to_string()
    } else if v.minor > 0 {
        format!("0.{}", v.minor)
    } else {
        format!("0.0.{}", v.patch)
    }
}

/// Finds the world item `module` names among `items`: exactly, or an interface of a
/// semver-compatible version.
fn find_item<'a>(
    resolve: &Resolve,
    items: &'a IndexMap<WorldKey, WorldItem>,
    module: &str,
) -> Option<(&'a WorldKey, &'a WorldItem)> {
    let parsed = ParsedName::new(module);
    if let Some(found) = items.iter().find(|(k, _)| parsed.names(resolve, k, false)) {
        return Some(found);
    }
    items.iter().find(|(k, _)| parsed.names(resolve, k, true))
}

/// A core import module name taken apart once: `ns:pkg/iface@1.2.3`, or a plain name.
struct ParsedName<'m> {
    whole: &'m str,
    /// `(namespace, package, interface)` for an interface name.
    path: Option<(&'m str, &'m str, &'m str)>,
    version: Option<semver::Version>,
}

impl<'m> ParsedName<'m> {
    fn new(whole: &'m str) -> ParsedName<'m> {
        let (path, version) = match whole.split_once('@') {
            Some((p, v)) => (p, semver::Version::parse(v).ok()),
            None => (whole, None),
        };
        let path = path.split_once('/').and_then(|(nspkg, iface)| {
            let (ns, pkg) = nspkg.split_once(':')?;
            Some((ns, pkg, iface))
        });
        ParsedName {
            whole,
            path,
            version,
        }
    }

    /// Whether this name names world key `key`: exactly, or with `compatible`, at a
    /// semver-compatible version of the same interface.
    fn names(&self, resolve: &Resolve, key: &WorldKey, compatible: bool) -> bool {
        match key {
            WorldKey::Name(n) => !compatible && n == self.whole,
            WorldKey::Interface(id) => {
                let iface = &resolve.interfaces[*id];
                let (Some(pkg), Some(name), Some((ns, p, i))) =
                    (iface.package, iface.name.as_deref(), self.path)
                else {
                    return false;
                };
                let pkg = &resolve.packages[pkg].name;
                if pkg.namespace != ns || pkg.name != p || name != i {
                    return false;
                }
                match (&self.version, &pkg.version) {
                    (None, None) => !compatible,
                    (Some(a), Some(b)) if compatible => compat_track(a) == compat_track(b),
                    (Some(a), Some(b)) => a == b,
                    _ => false,
                }
            }
        }
    }
}

fn resource_named(
    resolve: &Resolve,
    types: &IndexMap<String, TypeId>,
    name: &str,
) -> Option<TypeId> {
    let id = *types.get(name)?;
    let mut ty = id;
    // Follow `use` and `type` aliases to the resource itself.
    loop {
        match &resolve.types[ty].kind {
            TypeDefKind::Resource => return Some(ty),
            TypeDefKind::Type(weft_wit::Type::Id(next)) => ty = *next,
            _ => return None,
        }
    }
}

/// `` `f: func(x: u32) -> string` ``, with `` in `ns:pkg/iface` `` for an interface's.
fn describe_func(resolve: &Resolve, key: &WorldKey, func: &Function) -> String {
    let sig = weft_wit::print::func_signature(resolve, func);
    match key {
        WorldKey::Name(_) if matches!(func.kind, weft_wit::FunctionKind::Freestanding) => {
            format!("`{}: {sig}`", func.name)
        }
        _ => format!("`{}: {sig}` in `{}`", func.name, key_name(resolve, key)),
    }
}

fn check_signature(
    what: impl std::fmt::Display,
    expected: &CoreFuncType,
    actual: Option<&CoreFuncType>,
) -> Result<()> {
    match actual {
        Some(actual) if actual == expected => Ok(()),
        Some(actual) => Err(Error::msg(format!(
            "{what} has the wrong core signature: expected {expected}, found {actual}"
        ))
        .with_help(
            "regenerate the bindings from the same WIT, or pass the WIT the module was built against with `--wit`",
        )),
        None => Err(Error::msg(format!("{what} is not a function"))),
    }
}

fn func_type_of(module: &Module, func_index: u32) -> Option<&CoreFuncType> {
    let ty = *module.funcs.get(func_index as usize)?;
    module.func_types.get(ty as usize)?.as_ref()
}

/// Binds every import and export of `module` to `world`, checking core signatures.
pub(crate) fn bind<'a>(
    resolve: &'a Resolve,
    world: WorldId,
    module: &Module,
    is_adapter_module: &dyn Fn(&str) -> bool,
) -> Result<Bindings<'a>> {
    let w = &resolve.worlds[world];
    let mut b = Bindings {
        imports: IndexMap::new(),
        exports: IndexMap::new(),
        dtors: IndexMap::new(),
        memory: false,
        realloc: false,
        initialize: false,
        imported_memory: None,
        names: SpecialNames::default(),
    };
    for import in &module.imports {
        let (real_module, real_field) = (import.module.as_str(), import.name.as_str());
        if is_adapter_module(real_module) {
            continue;
        }
        let standard = standard_import(resolve, w, real_module, real_field);
        let (m, field) = standard
            .as_ref()
            .map_or((real_module, real_field), |(m, f)| (m.as_str(), f.as_str()));
        let what = format!("core import `{m}` `{field}`");
        // One imported memory is allowed: the component defines it (in the shim module) and
        // gives it to the module.
        if import.kind == CoreKind::Memory && b.imported_memory.is_none() {
            let memory = module
                .memories
                .iter()
                .find(|mem| {
                    mem.import
                        .as_ref()
                        .is_some_and(|(im, f)| im == m && f == field)
                })
                .cloned()
                .ok_or_else(|| Error::msg(format!("{what}: the memory import has no type")))?;
            if memory.shared || memory.memory64 {
                return Err(Error::msg(format!(
                    "{what} is a {} memory, which weft cannot provide yet",
                    if memory.shared { "shared" } else { "64-bit" }
                )));
            }
            b.imported_memory = Some((real_module.to_string(), real_field.to_string(), memory));
            b.memory = true;
            continue;
        }
        // wasm-ld's stack pointer and TLS base accessors.
        if m == "env" && import.kind == CoreKind::Func {
            let actual = import
                .func_type
                .and_then(|t| module.func_types.get(t as usize)?.as_ref());
            let result = actual.and_then(|t| t.results.first().copied());
            let param = actual.and_then(|t| t.params.first().copied());
            let builtin = match (field, result, param) {
                ("__wasm_get_stack_pointer", Some(t), _) => Some(Builtin::ContextGet(t, 0)),
                ("__wasm_set_stack_pointer", _, Some(t)) => Some(Builtin::ContextSet(t, 0)),
                ("__wasm_get_tls_base", Some(t), _) => Some(Builtin::TlsBaseGet(t)),
                ("__wasm_set_tls_base", _, Some(t)) => Some(Builtin::TlsBaseSet(t)),
                _ => None,
            };
            if let Some(builtin) = builtin {
                check_signature(&what, &builtin.core_type(resolve), actual)?;
                b.imports
                    .entry(real_module.to_string())
                    .or_default()
                    .push((real_field.to_string(), ImportUse::Builtin(builtin)));
                continue;
            }
        }
        if import.kind != CoreKind::Func {
            return Err(Error::msg(format!(
                "{what} is a {}, but a component can only give a core module functions",
                import.kind.as_str()
            ))
            .with_help("export the memory or table from the module instead of importing it"));
        }
        let actual = import
            .func_type
            .and_then(|t| module.func_types.get(t as usize)?.as_ref());
        let use_ = if let Some(rest) = m.strip_prefix("[export]") {
            bind_exported_builtin(resolve, w, rest, field, actual, &what)?
        } else if m == "$root" {
            let (is_async, fname) = match field.strip_prefix("[async-lower]") {
                Some(rest) => (true, rest),
                None => (false, field),
            };
            match w.imports.get_key_value(&WorldKey::Name(fname.to_string())) {
                Some((key, WorldItem::Function(func))) => {
                    lower(resolve, key, None, func, is_async, &what, actual)?
                }
                _ if root_builtin(field).is_some() => {
                    let builtin =
                        root_builtin(field).ok_or_else(|| Error::msg("built-in vanished"))?;
                    check_signature(&what, &builtin.core_type(resolve), actual)?;
                    ImportUse::Builtin(builtin)
                }
                _ if parse_payload(field).is_some() => {
                    let funcs = |name: &str| match w.imports.get(&WorldKey::Name(name.to_string()))
                    {
                        Some(WorldItem::Function(f)) => Some(f),
                        _ => None,
                    };
                    let Some(builtin) = payload_builtin(resolve, field, &funcs, None) else {
                        return Err(Error::msg(format!(
                            "{what}: no world-level imported function of world `{}` has that future or stream",
                            w.name
                        )));
                    };
                    check_signature(&what, &builtin.core_type(resolve), actual)?;
                    ImportUse::Builtin(builtin)
                }
                _ => {
                    if let Some(r) = field.strip_prefix("[resource-drop]") {
                        let world_types: IndexMap<String, TypeId> = w
                            .imports
                            .iter()
                            .filter_map(|(k, v)| match (k, v) {
                                (WorldKey::Name(n), WorldItem::Type { id, .. }) => {
                                    Some((n.clone(), *id))
                                }
                                _ => None,
                            })
                            .collect();
                        let Some(id) = resource_named(resolve, &world_types, r) else {
                            return Err(Error::msg(format!(
                                "{what}: world `{}` imports no resource named `{r}`",
                                w.name
                            )));
                        };
                        check_signature(&what, &drop_type(), actual)?;
                        ImportUse::ImportedDrop(id)
                    } else {
                        return Err(unknown_world_function(resolve, w, field, &what));
                    }
                }
            }
        } else {
            let Some((key, item)) = find_item(resolve, &w.imports, m) else {
                return Err(unknown_import_module(resolve, w, m, &what));
            };
            let WorldItem::Interface { id, .. } = item else {
                return Err(Error::msg(format!(
                    "{what}: `{m}` is a function of world `{}`, not an interface",
                    w.name
                ))
                .with_help(format!("import it from module `$root`, field `{m}`")));
            };
            let iface = &resolve.interfaces[*id];
            let (is_async, fname) = match field.strip_prefix("[async-lower]") {
                Some(rest) => (true, rest),
                None => (false, field),
            };
            if let Some(func) = iface.functions.get(fname) {
                lower(resolve, key, Some(*id), func, is_async, &what, actual)?
            } else if parse_payload(field).is_some() {
                let funcs = |name: &str| iface.functions.get(name);
                let Some(builtin) = payload_builtin(resolve, field, &funcs, None) else {
                    return Err(Error::msg(format!(
                        "{what}: interface `{}` has no function with that future or stream",
                        key_name(resolve, key)
                    )));
                };
                check_signature(&what, &builtin.core_type(resolve), actual)?;
                ImportUse::Builtin(builtin)
            } else if let Some(r) = field.strip_prefix("[resource-drop]") {
                let Some(rid) = resource_named(resolve, &iface.types, r) else {
                    return Err(Error::msg(format!(
                        "{what}: interface `{}` has no resource named `{r}`",
                        key_name(resolve, key)
                    )));
                };
                check_signature(&what, &drop_type(), actual)?;
                ImportUse::ImportedDrop(rid)
            } else {
                let known: Vec<_> = iface.functions.keys().map(|k| format!("`{k}`")).collect();
                return Err(Error::msg(format!(
                    "{what}: interface `{}` has no function named `{field}`",
                    key_name(resolve, key)
                ))
                .with_help(if known.is_empty() {
                    "the interface has no functions".to_string()
                } else {
                    format!("its functions are {}", known.join(", "))
                }));
            }
        };
        b.imports
            .entry(real_module.to_string())
            .or_default()
            .push((real_field.to_string(), use_));
    }

    // Exports.
    // Core exports by their legacy name (standard `cm32p2` names translated).
    let exports: IndexMap<String, &weft_binary::CoreExport> = module
        .exports
        .iter()
        .map(|e| {
            (
                standard_export(resolve, w, &e.name).unwrap_or_else(|| e.name.clone()),
                e,
            )
        })
        .collect();
    for (name, e) in &exports {
        match (name.as_str(), e.kind) {
            ("memory", CoreKind::Memory) if b.imported_memory.is_none() => {
                b.memory = true;
                b.names.memory = e.name.clone();
            }
            ("cabi_realloc", CoreKind::Func) => {
                let expected = CoreFuncType {
                    params: vec![weft_binary::CoreValType::I32; 4],
                    results: vec![weft_binary::CoreValType::I32],
                };
                b.names.realloc = e.name.clone();
                check_signature(
                    "core export `cabi_realloc`",
                    &expected,
                    func_type_of(module, e.index),
                )?;
                b.realloc = true;
            }
            ("__wasm_task_hook", CoreKind::Func) => {
                check_signature(
                    "core export `__wasm_task_hook`",
                    &drop_type(),
                    func_type_of(module, e.index),
                )?;
                b.names.task_hook = Some(e.name.clone());
            }
            ("_initialize", CoreKind::Func) => {
                check_signature(
                    "core export `_initialize`",
                    &CoreFuncType::default(),
                    func_type_of(module, e.index),
                )?;
                b.initialize = true;
                b.names.initialize = e.name.clone();
            }
            _ => {}
        }
    }
    for (key, item) in &w.exports {
        let prefix = match key {
            WorldKey::Name(n) => n.clone(),
            WorldKey::Interface(_) => key_name(resolve, key),
        };
        let (interface, funcs): (Option<InterfaceId>, Vec<&Function>) = match item {
            WorldItem::Function(f) => (None, vec![f]),
            WorldItem::Interface { id, .. } => (
                Some(*id),
                resolve.interfaces[*id].functions.values().collect(),
            ),
            WorldItem::Type { .. } => continue,
        };
        let mut list = Vec::new();
        for func in funcs {
            let core_name = match interface {
                None => func.name.clone(),
                Some(_) => format!("{prefix}#{}", func.name),
            };
            let what = DescribeExport {
                resolve,
                key,
                func,
                world: &w.name,
            };
            // A sync lift (`name`), an async one with a callback (`[async-lift]name` and
            // `[callback][async-lift]name`), or a stackful async one.
            let sync = flatten_functype(resolve, func, AbiOptions::default(), Context::Lift);
            let async_name = format!("[async-lift]{core_name}");
            let stackful_name = format!("[async-lift-stackful]{core_name}");
            let (export, abi, expected) = if let Some(e) = exports.get(&core_name) {
                (*e, LiftAbi::Sync, sync.clone())
            } else if let Some(e) = exports.get(&async_name) {
                let callback_name = format!("[callback]{async_name}");
                let Some(callback) = exports.get(&callback_name) else {
                    return Err(Error::msg(format!(
                        "{what}: `{async_name}` is exported, but its callback `{callback_name}` is not"
                    ))
                    .with_help("an async-lifted export needs its callback, or export it as `[async-lift-stackful]…`"));
                };
                use weft_binary::CoreValType::I32;
                check_signature(
                    format_args!("core export `{callback_name}`"),
                    &CoreFuncType {
                        params: vec![I32; 3],
                        results: vec![I32],
                    },
                    func_type_of(module, callback.index),
                )?;
                let opts = AbiOptions {
                    is_async: true,
                    callback: true,
                };
                (
                    *e,
                    LiftAbi::AsyncCallback(callback.name.clone()),
                    flatten_functype(resolve, func, opts, Context::Lift),
                )
            } else if let Some(e) = exports.get(&stackful_name) {
                let opts = AbiOptions {
                    is_async: true,
                    callback: false,
                };
                (
                    *e,
                    LiftAbi::AsyncStackful,
                    flatten_functype(resolve, func, opts, Context::Lift),
                )
            } else {
                let err = Error::msg(format!(
                    "{what} has no matching core export: expected an export named `{core_name}` with type {sync}"
                ));
                let near = weft_wit::suggest(&core_name, exports.keys().map(|k| k.as_ref()));
                return Err(match near {
                    Some(near) => err.with_help(format!(
                        "the module exports `{near}`: regenerate its bindings from the same WIT, or pass the WIT it was built against with `--wit`"
                    )),
                    None => err.with_help(
                        "implement the function in the module (regenerate its bindings), or remove it from the world",
                    ),
                });
            };
            let shown = &export.name;
            if export.kind != CoreKind::Func {
                return Err(Error::msg(format!(
                    "{what}: core export `{shown}` is a {}, not a function",
                    export.kind.as_str()
                )));
            }
            check_signature(
                format_args!("core export `{shown}` ({what})"),
                &expected,
                func_type_of(module, export.index),
            )?;
            let post_name = format!("cabi_post_{core_name}");
            let post_return = match exports.get(&post_name) {
                Some(post) if abi == LiftAbi::Sync => {
                    let expected = CoreFuncType {
                        params: expected.results.clone(),
                        results: vec![],
                    };
                    check_signature(
                        format_args!("core export `{post_name}`"),
                        &expected,
                        func_type_of(module, post.index),
                    )?;
                    Some(post.name.clone())
                }
                _ => None,
            };
            list.push(ExportFunc {
                func,
                core_name: export.name.clone(),
                post_return,
                abi,
            });
        }
        if let Some(id) = interface {
            for (name, ty) in &resolve.interfaces[id].types {
                if !matches!(resolve.types[*ty].kind, TypeDefKind::Resource) {
                    continue;
                }
                let dtor = format!("{prefix}#[dtor]{name}");
                if let Some(e) = exports.get(&dtor) {
                    check_signature(
                        format_args!("core export `{dtor}`"),
                        &drop_type(),
                        func_type_of(module, e.index),
                    )?;
                    b.dtors.insert(*ty, e.name.clone());
                }
            }
        }
        b.exports.insert(key, list);
    }
    Ok(b)
}

/// A core import of WIT function `func`, checked against the function's lowered signature.
fn lower<'a>(
    resolve: &Resolve,
    key: &'a WorldKey,
    interface: Option<InterfaceId>,
    func: &'a Function,
    is_async: bool,
    what: &str,
    actual: Option<&CoreFuncType>,
) -> Result<ImportUse<'a>> {
    let opts = AbiOptions {
        is_async,
        callback: false,
    };
    let expected = flatten_functype(resolve, func, opts, Context::Lower);
    // The message names the WIT function, which takes formatting: only on a mismatch.
    if actual != Some(&expected) {
        check_signature(
            format_args!("{what} (WIT: {})", describe_func(resolve, key, func)),
            &expected,
            actual,
        )?;
    }
    Ok(ImportUse::Lower {
        key,
        interface,
        func,
        is_async,
    })
}

/// "WIT export `f` of world `w`", formatted only when an error needs it.
struct DescribeExport<'a> {
    resolve: &'a Resolve,
    key: &'a WorldKey,
    func: &'a Function,
    world: &'a str,
}

impl std::fmt::Display for DescribeExport<'_> {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        write!(
            f,
            "WIT export {} of world `{}`",
            describe_func(self.resolve, self.key, self.func),
            self.world
        )
    }
}

/// `(func (param i32))`: a destructor or `resource.drop`.
fn drop_type() -> CoreFuncType {
    CoreFuncType {
        params: vec![weft_binary::CoreValType::I32],
        results: vec![],
    }
}

fn bind_exported_builtin<'a>(
    resolve: &'a Resolve,
    w: &'a weft_wit::World,
    module: &str,
    field: &str,
    actual: Option<&CoreFuncType>,
    what: &str,
) -> Result<ImportUse<'a>> {
    use super::builder::ResourceBuiltin;
    use weft_binary::CoreValType::I32;
    let (which, r, expected) = if let Some(r) = field.strip_prefix("[resource-new]") {
        (
            ResourceBuiltin::New,
            r,
            CoreFuncType {
                params: vec![I32],
                results: vec![I32],
            },
        )
    } else if let Some(r) = field.strip_prefix("[resource-rep]") {
        (
            ResourceBuiltin::Rep,
            r,
            CoreFuncType {
                params: vec![I32],
                results: vec![I32],
            },
        )
    } else if let Some(r) = field.strip_prefix("[resource-drop]") {
        (ResourceBuiltin::Drop, r, drop_type())
    } else if parse_payload(field).is_some() {
        let (iface, funcs): (Option<InterfaceId>, FuncLookup<'a>) = if module == "$root" {
            (
                None,
                Box::new(
                    |name: &str| match w.exports.get(&WorldKey::Name(name.to_string())) {
                        Some(WorldItem::Function(f)) => Some(f),
                        _ => None,
                    },
                ),
            )
        } else {
            match find_item(resolve, &w.exports, module) {
                Some((_, WorldItem::Interface { id, .. })) => {
                    let id = *id;
                    (
                        Some(id),
                        Box::new(move |name: &str| resolve.interfaces[id].functions.get(name)),
                    )
                }
                _ => {
                    return Err(Error::msg(format!(
                        "{what}: world `{}` exports no interface named `{module}`",
                        w.name
                    )))
                }
            }
        };
        let Some(builtin) = payload_builtin(resolve, field, &*funcs, Some(iface)) else {
            return Err(Error::msg(format!(
                "{what}: no exported function of `{module}` has that future or stream"
            )));
        };
        check_signature(what, &builtin.core_type(resolve), actual)?;
        return Ok(ImportUse::Builtin(builtin));
    } else if field == "[task-cancel]" {
        check_signature(what, &Builtin::TaskCancel.core_type(resolve), actual)?;
        return Ok(ImportUse::Builtin(Builtin::TaskCancel));
    } else if let Some(fname) = field.strip_prefix("[task-return]") {
        let found = if module == "$root" {
            match w.exports.get(&WorldKey::Name(fname.to_string())) {
                Some(WorldItem::Function(f)) => Some((None, f)),
                _ => None,
            }
        } else {
            match find_item(resolve, &w.exports, module) {
                Some((_, WorldItem::Interface { id, .. })) => resolve.interfaces[*id]
                    .functions
                    .get(fname)
                    .map(|f| (Some(*id), f)),
                _ => None,
            }
        };
        let Some((interface, func)) = found else {
            return Err(Error::msg(format!(
                "{what}: world `{}` exports no function `{fname}` in `{module}`",
                w.name
            )));
        };
        let builtin = Builtin::TaskReturn(interface, func);
        check_signature(what, &builtin.core_type(resolve), actual)?;
        return Ok(ImportUse::Builtin(builtin));
    } else {
        return Err(Error::msg(format!(
            "{what}: only `[resource-new]`, `[resource-rep]` and `[resource-drop]` built-ins are imported from `[export]…` modules"
        )));
    };
    let Some((key, item)) = find_item(resolve, &w.exports, module) else {
        return Err(Error::msg(format!(
            "{what}: world `{}` exports no interface named `{module}`",
            w.name
        )));
    };
    let WorldItem::Interface { id, .. } = item else {
        return Err(Error::msg(format!(
            "{what}: `{module}` is not an exported interface"
        )));
    };
    let Some(rid) = resource_named(resolve, &resolve.interfaces[*id].types, r) else {
        return Err(Error::msg(format!(
            "{what}: exported interface `{}` has no resource named `{r}`",
            key_name(resolve, key)
        )));
    };
    check_signature(what, &expected, actual)?;
    Ok(ImportUse::Exported(which, rid))
}

fn unknown_world_function(
    resolve: &Resolve,
    w: &weft_wit::World,
    field: &str,
    what: &str,
) -> Error {
    let known: Vec<_> = w
        .imports
        .iter()
        .filter(|(_, v)| matches!(v, WorldItem::Function(_)))
        .map(|(k, _)| format!("`{}`", key_name(resolve, k)))
        .collect();
    Error::msg(format!(
        "{what}: world `{}` imports no function named `{field}`",
        w.name
    ))
    .with_help(if known.is_empty() {
        format!("the world imports no functions of its own; add `import {field}: func(…);` to it")
    } else {
        format!("the world's imported functions are {}", known.join(", "))
    })
}

fn unknown_import_module(
    resolve: &Resolve,
    w: &weft_wit::World,
    module: &str,
    what: &str,
) -> Error {
    let known: Vec<_> = w
        .imports
        .iter()
        .filter(|(_, v)| matches!(v, WorldItem::Interface { .. }))
        .map(|(k, _)| format!("`{}`", key_name(resolve, k)))
        .collect();
    let help = if module == "wasi_snapshot_preview1" || module == "wasi_unstable" {
        "this is a WASI preview1 import: weft adapts `wasi_snapshot_preview1` itself; for another adapter pass `--adapt NAME=adapter.wasm`".to_string()
    } else if module.contains(':') {
        format!(
            "add `import {};` to world `{}` (and its package to the WIT), or rebuild the module against the world",
            module.split('@').next().unwrap_or(module),
            w.name
        )
    } else if known.is_empty() {
        format!(
            "world `{}` imports no interfaces; pass the WIT the module was built against with `--wit`, or an adapter with `--adapt {module}=adapter.wasm`",
            w.name
        )
    } else {
        format!(
            "world `{}` imports {}; or pass an adapter with `--adapt {module}=adapter.wasm`",
            w.name,
            known.join(", ")
        )
    };
    Error::msg(format!(
        "{what}: world `{}` has no import named `{module}`",
        w.name
    ))
    .with_help(help)
}
