//! The linker: host functions (dynamic, typed or async) and host resource types by import
//! name, matched to a component's imports (semver-compatibly) when it is instantiated.

use std::collections::HashMap;
use std::sync::Arc;

use futures::executor::block_on;
use wasmtime::AsContextMut;
use weft_abi::{FuncType, ResourceType, Val};

use crate::call::resolve;
use crate::handles::HandleTable;
use crate::inline::PlanResource;
use crate::instance::{Instance, InstanceData, Store};
use crate::typed::ComponentResult;
use crate::{Component, Error, ErrorKind, Result};

/// A host function over values: the arguments, in order, and the result if the function has
/// one. An error is a trap in the guest that called it.
pub type HostFunc<T> =
    Arc<dyn Fn(&mut T, &[Val]) -> std::result::Result<Option<Val>, String> + Send + Sync>;

/// A host function that may suspend (waiting for I/O, say): it gets the host's data for as
/// long as it runs, and the arguments. An error is a trap in the guest that called it.
pub type HostFuncAsync<T> = Arc<
    dyn for<'a> Fn(
            &'a mut T,
            Vec<Val>,
        )
            -> futures::future::BoxFuture<'a, std::result::Result<Option<Val>, String>>
        + Send
        + Sync,
>;

/// A host function, synchronous or not.
pub(crate) enum HostImpl<T> {
    Sync(HostFunc<T>),
    Async(HostFuncAsync<T>),
    Typed(Arc<TypedHost<T>>),
}

/// A typed host function ([`Linker::func_wrap`]): called from a guest, it lifts its
/// parameters straight into Rust values (`direct`); called with values (host to host, or
/// parameters spilled to memory), it converts them (`vals`).
pub(crate) struct TypedHost<T> {
    #[allow(clippy::type_complexity)]
    pub(crate) direct: Box<
        dyn Fn(
                &mut T,
                &mut weft_abi::abi::Lifter<'_>,
                &[weft_abi::Type],
            ) -> std::result::Result<Direct, weft_abi::abi::Trap>
            + Send
            + Sync,
    >,
    pub(crate) vals: HostFunc<T>,
}

/// What a typed host function called from a guest returned.
pub(crate) enum Direct {
    /// A result for the general path (or none).
    Val(Option<Val>),
    /// A Rust result, which lowers on the typed path when it can.
    Typed(Box<dyn TypedResult>),
}

/// A typed host function's Rust result.
pub(crate) trait TypedResult: Send {
    /// The value, for typed lowering.
    fn value(&self) -> &dyn crate::typed::FastValue;
    /// The value as a [`Val`], for the general path.
    fn into_val(self: Box<Self>) -> Option<Val>;
}

/// A result that has a value ([`ComponentResult::as_value`] is `Some`).
struct Held<R>(R);

impl<R: ComponentResult + Send> TypedResult for Held<R> {
    fn value(&self) -> &dyn crate::typed::FastValue {
        self.0
            .as_value()
            .expect("only results with a value are held")
    }
    fn into_val(self: Box<Self>) -> Option<Val> {
        self.0.into_result()
    }
}

impl<T> Clone for HostImpl<T> {
    fn clone(&self) -> Self {
        match self {
            HostImpl::Sync(f) => HostImpl::Sync(f.clone()),
            HostImpl::Async(f) => HostImpl::Async(f.clone()),
            HostImpl::Typed(f) => HostImpl::Typed(f.clone()),
        }
    }
}

/// Host functions and resource types by import name.
pub struct Linker<T> {
    /// (import name, path inside it) → function, and the check of its type when typed.
    funcs: HashMap<ImportPath, HostDef<T>>,
    /// (import name, path inside it) → host resource type and its destructor.
    resources: HashMap<ImportPath, (ResourceType, Option<HostDtor<T>>)>,
    stub_missing: bool,
}

/// A host resource's destructor: called with the representation when the guest drops an own
/// handle.
pub type HostDtor<T> = Arc<dyn Fn(&mut T, u32) + Send + Sync>;

/// An import's name and the path of an item inside it (empty for the import itself).
type ImportPath = (String, Vec<String>);

/// Checks an imported function's type against a typed host function's.
type TypeCheck = fn(&FuncType) -> Result<(), String>;

/// A host function and, for a typed one, the check of the import's type.
struct HostDef<T> {
    f: HostImpl<T>,
    check: Option<TypeCheck>,
}

impl<T> Clone for HostDef<T> {
    fn clone(&self) -> Self {
        HostDef {
            f: self.f.clone(),
            check: self.check,
        }
    }
}

/// Host resource types get ids from one counter for the process, above those of guest
/// resource types (which count per store from 0).
static NEXT_HOST_RESOURCE: std::sync::atomic::AtomicU32 =
    std::sync::atomic::AtomicU32::new(1 << 31);

impl<T> Default for Linker<T> {
    fn default() -> Self {
        Linker {
            funcs: HashMap::new(),
            resources: HashMap::new(),
            stub_missing: false,
        }
    }
}

impl<T: Send + 'static> Linker<T> {
    /// A linker that provides nothing.
    pub fn new() -> Linker<T> {
        Linker::default()
    }

    /// Provides function import `name` (a top-level function import).
    pub fn func(&mut self, name: &str, f: HostFunc<T>) -> &mut Self {
        self.funcs.insert(
            (name.to_string(), Vec::new()),
            HostDef {
                f: HostImpl::Sync(f),
                check: None,
            },
        );
        self
    }

    /// Provides function `func` of instance import `instance` (or, with `instance` empty,
    /// the top-level function import `func`) with a function that may suspend; the guest
    /// waits for it. Call the component with the `_async` methods when it has such imports.
    pub fn func_async(&mut self, instance: &str, func: &str, f: HostFuncAsync<T>) -> &mut Self {
        self.funcs.insert(
            import_path(instance, func),
            HostDef {
                f: HostImpl::Async(f),
                check: None,
            },
        );
        self
    }

    /// Provides function `func` of instance import `instance` (`ns:pkg/iface@1.0.0`, say).
    pub fn instance_func(&mut self, instance: &str, func: &str, f: HostFunc<T>) -> &mut Self {
        self.funcs.insert(
            (instance.to_string(), vec![func.to_string()]),
            HostDef {
                f: HostImpl::Sync(f),
                check: None,
            },
        );
        self
    }

    /// Provides function import `name` with a typed Rust function (see [`crate::typed`] for
    /// how WIT types map to Rust types). Instantiation checks the import has this type.
    ///
    /// ```
    /// use weft_runtime::{Component, Engine, Linker, Store};
    ///
    /// let wat = r#"(component
    ///     (import "double" (func $double (param "x" u32) (result u32)))
    ///     (core func $double (canon lower (func $double)))
    ///     (core module $m
    ///         (import "" "double" (func $double (param i32) (result i32)))
    ///         (func (export "quad") (param i32) (result i32)
    ///             (call $double (call $double (local.get 0)))))
    ///     (core instance $i (instantiate $m (with "" (instance (export "double" (func $double))))))
    ///     (func (export "quad") (param "x" u32) (result u32) (canon lift (core func $i "quad"))))"#;
    /// let engine = Engine::new()?;
    /// let component = Component::new(&engine, &wat::parse_str(wat).unwrap())?;
    /// let mut linker = Linker::new();
    /// // The host's data counts the calls.
    /// linker.func_wrap("double", |calls: &mut u32, (x,): (u32,)| {
    ///     *calls += 1;
    ///     Ok(x * 2)
    /// });
    /// let mut store = Store::new(&engine, 0u32);
    /// let instance = linker.instantiate(&mut store, &component)?;
    /// let quad = instance.func(&store, "quad").unwrap().typed::<(u32,), u32>()?;
    /// assert_eq!(quad.call(&mut store, (5,))?, 20);
    /// assert_eq!(*store.data(), 2);
    /// # Ok::<(), weft_runtime::Error>(())
    /// ```
    pub fn func_wrap<P, R>(
        &mut self,
        name: &str,
        f: impl Fn(&mut T, P) -> Result<R, String> + Send + Sync + 'static,
    ) -> &mut Self
    where
        P: crate::typed::ComponentList + 'static,
        R: crate::typed::ComponentResult + Send + 'static,
    {
        self.instance_func_wrap("", name, f)
    }

    /// Provides function `func` of instance import `instance` with a typed Rust function
    /// (`instance` empty: the top-level function import `func`).
    pub fn instance_func_wrap<P, R>(
        &mut self,
        instance: &str,
        func: &str,
        f: impl Fn(&mut T, P) -> Result<R, String> + Send + Sync + 'static,
    ) -> &mut Self
    where
        P: crate::typed::ComponentList + 'static,
        R: crate::typed::ComponentResult + Send + 'static,
    {
        self.funcs.insert(import_path(instance, func), typed_def(f));
        self
    }

    /// Provides resource type `name` of instance import `instance`, implemented by the host:
    /// the guest's handles of it carry representations the host chooses (a host function
    /// returns `Val::Resource(Resource { ty, rep, own: true })` with the type returned here),
    /// and `dtor` runs when the guest drops an own handle. The type is the same for every
    /// store and instance this linker makes.
    pub fn resource(
        &mut self,
        instance: &str,
        name: &str,
        dtor: Option<HostDtor<T>>,
    ) -> ResourceType {
        let key = (instance.to_string(), vec![name.to_string()]);
        let ty = match self.resources.get(&key) {
            Some((ty, _)) => *ty,
            None => {
                ResourceType(NEXT_HOST_RESOURCE.fetch_add(1, std::sync::atomic::Ordering::Relaxed))
            }
        };
        self.resources.insert(key, (ty, dtor));
        ty
    }

    /// Makes every function import the linker does not provide a function that traps when
    /// called, instead of an instantiation error.
    pub fn stub_missing(&mut self, yes: bool) -> &mut Self {
        self.stub_missing = yes;
        self
    }

    /// Instantiates `component` in `store`.
    pub fn instantiate(&self, store: &mut Store<T>, component: &Component) -> Result<Instance> {
        block_on(self.instantiate_async(store, component))
    }

    /// [`Linker::instantiate`], for async hosts: start functions and the host functions they
    /// call may suspend.
    pub async fn instantiate_async(
        &self,
        store: &mut Store<T>,
        component: &Component,
    ) -> Result<Instance> {
        if !wasmtime::Engine::same(store.inner.engine(), &component.inner.engine.inner) {
            return Err(Error::msg(
                "the component and the store belong to different engines",
            ));
        }
        let plan = &component.inner.plan;
        // Every imported function, resolved (or listed as missing).
        let mut host = HashMap::new();
        let mut missing = Vec::new();
        let mut mistyped = Vec::new();
        for (index, (name, shape)) in plan.imports.iter().enumerate() {
            let mut funcs = Vec::new();
            collect_funcs(shape, &mut Vec::new(), &mut funcs);
            for (path, ty) in funcs {
                let key = (name.clone(), path.clone());
                let full = if path.is_empty() {
                    name.clone()
                } else {
                    format!("{name}#{}", path.join("#"))
                };
                let f = match lookup(&self.funcs, &key) {
                    Some(def) => {
                        if let Some(check) = def.check {
                            if let Err(e) = check(&ty) {
                                mistyped
                                    .push(format!("{full}: {ty} (the host function differs: {e})"));
                                continue;
                            }
                        }
                        def.f.clone()
                    }
                    None if self.stub_missing => {
                        let full = full.clone();
                        HostImpl::Sync(Arc::new(move |_: &mut T, _: &[Val]| {
                            Err(format!(
                                "called `{full}`, an import stubbed by `--stub-missing`"
                            ))
                        }) as HostFunc<T>)
                    }
                    None => {
                        missing.push(format!("{full}: {ty}"));
                        continue;
                    }
                };
                host.insert((index as u32, path), f);
            }
        }
        // Imported core modules and components: the host has none to give.
        let mut missing_others = false;
        if !self.stub_missing {
            for (name, shape) in &plan.imports {
                let mut others = Vec::new();
                collect_others(shape, &mut Vec::new(), &mut others);
                for (path, sort) in others {
                    let full = std::iter::once(name.as_str())
                        .chain(path.iter().map(String::as_str))
                        .collect::<Vec<_>>()
                        .join("#");
                    missing.push(format!("{full}: {} (a host provides none)", sort.as_str()));
                    missing_others = true;
                }
            }
        }
        // Imported resource types: the host's.
        let mut host_types = HashMap::new();
        let mut host_dtors = HashMap::new();
        for r in &plan.resources {
            if let PlanResource::Imported { import, path } = r {
                let name = &plan.imports[*import as usize].0;
                let key = (name.clone(), path.to_vec());
                match lookup(&self.resources, &key) {
                    Some((ty, dtor)) => {
                        if let Some(dtor) = dtor {
                            host_dtors.insert(*ty, dtor.clone());
                        }
                        host_types.insert(key, *ty);
                    }
                    None if self.stub_missing => {}
                    None => missing.push(format!("{name}#{}: resource type", path.join("#"))),
                }
            }
        }
        if !mistyped.is_empty() {
            return Err(Error::new(
                ErrorKind::MistypedImports(mistyped),
                "the host provides functions of other types than the component imports:",
            ));
        }
        if !missing.is_empty() {
            let what = match missing_others {
                false => "the component imports functions the host does not provide:",
                true => "the component has imports the host does not provide:",
            };
            return Err(Error::new(ErrorKind::MissingImports(missing), what));
        }
        let data = store.inner.data_mut();
        let index = data.instances.len();
        let mut resource_types = Vec::new();
        let mut implementers = HashMap::new();
        for r in &plan.resources {
            let host = match r {
                PlanResource::Imported { import, path } => host_types
                    .get(&(plan.imports[*import as usize].0.clone(), path.to_vec()))
                    .copied(),
                PlanResource::Defined { .. } => None,
            };
            let ty = host.unwrap_or_else(|| {
                data.next_resource += 1;
                ResourceType(data.next_resource - 1)
            });
            if let PlanResource::Defined { instance, .. } = r {
                implementers.insert(ty, *instance);
            }
            resource_types.push(ty);
        }
        data.instances.push(InstanceData {
            component: component.clone(),
            core: Vec::new(),
            tables: (0..plan.component_instances)
                .map(|_| HandleTable::default())
                .collect(),
            poisoned: vec![false; plan.component_instances as usize],
            may_leave: vec![true; plan.component_instances as usize],
            entered: Vec::new(),
            resource_types,
            implementers,
            host,
            host_dtors,
            lowered: vec![None; plan.lowerings.len()],
            builtins: HashMap::new(),
            resolved_lifts: vec![None; plan.lifts.len()],
            resolved_lowerings: vec![None; plan.lowerings.len()],
        });
        let mut cx = store.inner.as_context_mut();
        for (i, core) in plan.instances.iter().enumerate() {
            let module = component.inner.modules[core.module as usize]
                .as_ref()
                .ok_or_else(|| Error::msg("a core module was not compiled"))?;
            let mut imports = Vec::with_capacity(core.args.len());
            for def in &core.args {
                imports
                    .push(resolve(&mut cx, index, def).map_err(|e| Error::from_wasmtime(e, None))?);
            }
            let instance = wasmtime::Instance::new_async(&mut cx, module, &imports)
                .await
                .map_err(|e| Error::from_wasmtime(e, None))?;
            debug_assert_eq!(cx.data().instances[index].core.len(), i);
            cx.data_mut().instances[index].core.push(instance);
        }
        Ok(Instance { index })
    }
}

/// Every function in an import of `shape`, with its path.
fn collect_funcs(
    shape: &crate::translate::ImportShape,
    path: &mut Vec<String>,
    out: &mut Vec<(Vec<String>, FuncType)>,
) {
    walk_import(shape, path, &mut |path, shape| {
        if let crate::translate::ImportShape::Func(ty) = shape {
            out.push((path.to_vec(), ty.clone()));
        }
    });
}

/// The core modules and components in an import of `shape`, with their paths.
fn collect_others(
    shape: &crate::translate::ImportShape,
    path: &mut Vec<String>,
    out: &mut Vec<(Vec<String>, crate::translate::Sort)>,
) {
    use crate::translate::{ImportShape, Sort};
    walk_import(shape, path, &mut |path, shape| {
        if let ImportShape::Other(sort @ (Sort::Module | Sort::Component)) = shape {
            out.push((path.to_vec(), *sort));
        }
    });
}

/// Calls `f` with each item of an import of `shape` that is not an instance, and its path.
fn walk_import(
    shape: &crate::translate::ImportShape,
    path: &mut Vec<String>,
    f: &mut impl FnMut(&[String], &crate::translate::ImportShape),
) {
    match shape {
        crate::translate::ImportShape::Instance(items) => {
            for (name, s) in items {
                path.push(name.clone());
                walk_import(s, path, f);
                path.pop();
            }
        }
        other => f(path, other),
    }
}

/// A typed host function as a [`HostDef`]: converts the arguments and the result, and checks
/// the import's type at instantiation.
fn typed_def<T, P, R>(
    f: impl Fn(&mut T, P) -> Result<R, String> + Send + Sync + 'static,
) -> HostDef<T>
where
    T: Send + 'static,
    P: crate::typed::ComponentList + 'static,
    R: crate::typed::ComponentResult + Send + 'static,
{
    let f = Arc::new(f);
    let g = f.clone();
    let vals: HostFunc<T> = Arc::new(move |data: &mut T, args: &[Val]| {
        let params = P::from_vals(args.to_vec())?;
        Ok(g(data, params)?.into_result())
    });
    let direct = Box::new(
        move |data: &mut T, lifter: &mut weft_abi::abi::Lifter<'_>, tys: &[weft_abi::Type]| {
            let params = P::lift_params(lifter, tys)?;
            let result = f(data, params).map_err(weft_abi::abi::Trap::new)?;
            Ok(match result.as_value() {
                Some(_) => Direct::Typed(Box::new(Held(result))),
                None => Direct::Val(result.into_result()),
            })
        },
    );
    HostDef {
        f: HostImpl::Typed(Arc::new(TypedHost { direct, vals })),
        check: Some(crate::typed::typecheck_func::<P, R>),
    }
}

/// The key of function `func` of instance import `instance`, or of the top-level function
/// import `func` when `instance` is empty.
fn import_path(instance: &str, func: &str) -> ImportPath {
    if instance.is_empty() {
        (func.to_string(), Vec::new())
    } else {
        (instance.to_string(), vec![func.to_string()])
    }
}

/// The entry of `map` for `key`, or, when the import names a versioned interface
/// (`ns:pkg/iface@1.2.3`), for the same interface at the newest semver-compatible version
/// the map has (same major version; for 0.x, the same minor): a component built against
/// `wasi:cli/stdout@0.2.3` links to a host that provides `@0.2.12`.
fn lookup<'m, V>(map: &'m HashMap<ImportPath, V>, key: &ImportPath) -> Option<&'m V> {
    if let Some(v) = map.get(key) {
        return Some(v);
    }
    let (base, version) = key.0.rsplit_once('@')?;
    let wanted = semver::Version::parse(version).ok()?;
    let mut best: Option<(semver::Version, &V)> = None;
    for ((name, path), v) in map {
        if path != &key.1 {
            continue;
        }
        let Some((b, ver)) = name.rsplit_once('@') else {
            continue;
        };
        if b != base {
            continue;
        }
        let Ok(have) = semver::Version::parse(ver) else {
            continue;
        };
        if compatible(&wanted, &have) && best.as_ref().is_none_or(|(v, _)| have > *v) {
            best = Some((have, v));
        }
    }
    best.map(|(_, v)| v)
}

/// Whether an import of version `wanted` may bind to an implementation of version `have`.
pub(crate) fn compatible(wanted: &semver::Version, have: &semver::Version) -> bool {
    if wanted.major != have.major || !wanted.pre.is_empty() || !have.pre.is_empty() {
        return wanted == have;
    }
    if wanted.major == 0 {
        wanted.minor == have.minor && (wanted.minor != 0 || wanted.patch == have.patch)
    } else {
        true
    }
}
