//! Running a plan: stores, host functions, instances and calls.
//!
//! Each component instance of a plan (the outermost component and every inlined one) has a
//! resource handle table. A call into a lifted function lowers its arguments into the
//! callee's memory (two phases: every `realloc` first, then the writes; see
//! [`weft_abi::abi::allocate`]), calls the core function, lifts the results and runs the
//! post-return function. A lowered function does the reverse for a call out of the guest:
//! to a host function, or to a function lifted by another component instance of the same
//! component (through the host, for now).

use std::collections::HashMap;
use std::sync::Arc;

use futures::executor::block_on;
use wasmtime::{AsContextMut, Caller, Extern, StoreContextMut};
use weft_abi::abi::{
    self, CoreType, CoreVal, Handles, Options as AbiOptions, Realloc, Spill, Trap, MAX_FLAT_PARAMS,
    MAX_FLAT_RESULTS,
};
use weft_abi::{FuncType, Resource, ResourceType, Type, Val};

use crate::inline::{CoreDef, Export, FuncDef, Options, Plan, PlanResource};
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
enum HostImpl<T> {
    Sync(HostFunc<T>),
    Async(HostFuncAsync<T>),
}

impl<T> Clone for HostImpl<T> {
    fn clone(&self) -> Self {
        match self {
            HostImpl::Sync(f) => HostImpl::Sync(f.clone()),
            HostImpl::Async(f) => HostImpl::Async(f.clone()),
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
        let key = if instance.is_empty() {
            (func.to_string(), Vec::new())
        } else {
            (instance.to_string(), vec![func.to_string()])
        };
        self.funcs.insert(
            key,
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
        R: crate::typed::ComponentResult + 'static,
    {
        self.funcs
            .insert((name.to_string(), Vec::new()), typed_def(f));
        self
    }

    /// Provides function `func` of instance import `instance` with a typed Rust function.
    pub fn instance_func_wrap<P, R>(
        &mut self,
        instance: &str,
        func: &str,
        f: impl Fn(&mut T, P) -> Result<R, String> + Send + Sync + 'static,
    ) -> &mut Self
    where
        P: crate::typed::ComponentList + 'static,
        R: crate::typed::ComponentResult + 'static,
    {
        self.funcs
            .insert((instance.to_string(), vec![func.to_string()]), typed_def(f));
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
            return Err(Error::new(
                ErrorKind::MissingImports(missing),
                "the component imports functions the host does not provide:",
            ));
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
            resource_types,
            implementers,
            host,
            host_dtors,
            lowered: vec![None; plan.lowerings.len()],
            builtins: HashMap::new(),
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

/// The functions in an import of `shape`: path inside the import and type.
fn collect_funcs(
    shape: &crate::translate::ImportShape,
    path: &mut Vec<String>,
    out: &mut Vec<(Vec<String>, FuncType)>,
) {
    use crate::translate::ImportShape;
    match shape {
        ImportShape::Func(ty) => out.push((path.clone(), ty.clone())),
        ImportShape::Instance(items) => {
            for (name, s) in items {
                path.push(name.clone());
                collect_funcs(s, path, out);
                path.pop();
            }
        }
        _ => {}
    }
}

/// A store: the instances of components and the host's data `T`.
pub struct Store<T: 'static> {
    inner: wasmtime::Store<Data<T>>,
    engine: crate::Engine,
}

impl<T: Send + 'static> Store<T> {
    /// A store in `engine` with host data `data`.
    pub fn new(engine: &crate::Engine, data: T) -> Store<T> {
        let mut inner = wasmtime::Store::new(
            &engine.inner,
            Data {
                user: data,
                instances: Vec::new(),
                next_resource: 0,
                next_call: 0,
                limits: wasmtime::StoreLimits::default(),
            },
        );
        inner.limiter(|data| &mut data.limits);
        if engine.timeouts {
            // No deadline until one is set.
            inner.set_epoch_deadline(u64::MAX / 2);
            inner.epoch_deadline_trap();
        }
        if engine.fuel {
            let _ = inner.set_fuel(u64::MAX);
        }
        Store {
            inner,
            engine: engine.clone(),
        }
    }

    /// Limits each linear memory to `bytes`: growing beyond fails (`memory.grow` returns -1),
    /// and a module whose memory starts larger cannot be instantiated.
    pub fn set_max_memory(&mut self, bytes: usize) {
        self.inner.data_mut().limits = wasmtime::StoreLimitsBuilder::new()
            .memory_size(bytes)
            .build();
    }

    /// Gives the guest `fuel` units (about one per instruction) to run on; running out traps.
    /// The engine must have been made with [`crate::EngineOptions::fuel`].
    pub fn set_fuel(&mut self, fuel: u64) -> Result<()> {
        if !self.engine.fuel {
            return Err(Error::msg(
                "the engine does not count fuel (`EngineOptions::fuel`)",
            ));
        }
        self.inner
            .set_fuel(fuel)
            .map_err(|e| Error::msg(format!("{e:#}")))
    }

    /// Interrupts the guest (a trap) once `timeout` has passed from now. The engine must have
    /// been made with [`crate::EngineOptions::timeouts`].
    pub fn set_timeout(&mut self, timeout: std::time::Duration) -> Result<()> {
        if !self.engine.timeouts {
            return Err(Error::msg(
                "the engine does not interrupt guests (`EngineOptions::timeouts`)",
            ));
        }
        self.engine.start_ticker();
        let ticks = timeout.as_nanos().div_ceil(crate::TICK.as_nanos()).max(1);
        self.inner
            .set_epoch_deadline(u64::try_from(ticks).unwrap_or(u64::MAX / 2));
        Ok(())
    }

    /// The host's data.
    pub fn data(&self) -> &T {
        &self.inner.data().user
    }

    /// The host's data, mutably.
    pub fn data_mut(&mut self) -> &mut T {
        &mut self.inner.data_mut().user
    }
}

struct Data<T> {
    user: T,
    instances: Vec<InstanceData<T>>,
    next_resource: u32,
    /// The id of the last call into a lifted function (borrow scopes).
    next_call: u64,
    limits: wasmtime::StoreLimits,
}

/// Ends the lends of own handles `lent` lent for a call.
fn end_lends(table: &mut HandleTable, lent: &[u32]) {
    for &h in lent {
        if let Some(Some(handle)) = table.slots.get_mut(h as usize) {
            handle.lends = handle.lends.saturating_sub(1);
        }
    }
}

struct InstanceData<T> {
    component: Component,
    /// Core instances, in plan order.
    core: Vec<wasmtime::Instance>,
    /// One handle table per component instance of the plan.
    tables: Vec<HandleTable>,
    /// Per component instance of the plan: it trapped, and cannot be entered again.
    poisoned: Vec<bool>,
    /// The runtime type of each plan resource.
    resource_types: Vec<ResourceType>,
    /// The component instance that defines each runtime resource type it defines.
    implementers: HashMap<ResourceType, u32>,
    /// Imported functions: (import, path) → host function.
    host: HashMap<(u32, Vec<String>), HostImpl<T>>,
    /// Destructors of host resource types.
    host_dtors: HashMap<ResourceType, HostDtor<T>>,
    /// Lowered functions, made when first needed.
    lowered: Vec<Option<wasmtime::Func>>,
    /// `resource.new`/`.rep`/`.drop` functions, made when first needed.
    builtins: HashMap<(u8, u32, u32), wasmtime::Func>,
}

/// One slot of a handle table.
#[derive(Clone, Debug)]
struct Handle {
    rep: u32,
    ty: ResourceType,
    own: bool,
    /// Borrows of this (own) handle lent out and not yet ended.
    lends: u32,
    /// For a borrow handle lowered into a call, the call's id (0 otherwise): the callee must
    /// drop it before it returns.
    scope: u64,
}

/// A component instance's resource handles. Index 0 is never used, as in the spec.
#[derive(Default)]
struct HandleTable {
    slots: Vec<Option<Handle>>,
    free: Vec<u32>,
}

impl HandleTable {
    fn add(&mut self, h: Handle) -> Result<u32, Trap> {
        if let Some(i) = self.free.pop() {
            self.slots[i as usize] = Some(h);
            return Ok(i);
        }
        if self.slots.is_empty() {
            self.slots.push(None);
        }
        if self.slots.len() >= (1 << 28) {
            return Err(Trap::new("too many resource handles"));
        }
        self.slots.push(Some(h));
        Ok(self.slots.len() as u32 - 1)
    }

    fn get(&self, i: u32) -> Result<&Handle, Trap> {
        self.slots
            .get(i as usize)
            .and_then(Option::as_ref)
            .ok_or_else(|| Trap::new(format!("unknown handle index {i}")))
    }

    fn remove(&mut self, i: u32) -> Result<Handle, Trap> {
        let h = self
            .slots
            .get_mut(i as usize)
            .and_then(Option::take)
            .ok_or_else(|| Trap::new(format!("unknown handle index {i}")))?;
        self.free.push(i);
        Ok(h)
    }
}

/// The handle table of one component instance, as the ABI sees it.
struct TableView<'a> {
    table: &'a mut HandleTable,
    /// The component instance the table belongs to.
    instance: u32,
    /// The component instance implementing each resource type, by runtime type.
    implementers: &'a HashMap<ResourceType, u32>,
    /// Own handles lent out as borrows while lifting a call's arguments: their lends end
    /// when the call returns.
    lent: Vec<u32>,
    /// The call borrow handles lowered now belong to (0: none).
    scope: u64,
    /// How many borrow handles were lowered for `scope`.
    borrows: u32,
}

impl<'a> TableView<'a> {
    fn new(
        table: &'a mut HandleTable,
        instance: u32,
        implementers: &'a HashMap<ResourceType, u32>,
    ) -> Self {
        TableView {
            table,
            instance,
            implementers,
            lent: Vec::new(),
            scope: 0,
            borrows: 0,
        }
    }
}

const WRONG_TYPE: &str =
    "used with the wrong type, expected guest-defined resource but found a different guest-defined resource";

impl Handles for TableView<'_> {
    fn lift_own(&mut self, rt: ResourceType, h: u32) -> Result<Resource, Trap> {
        let handle = self.table.get(h)?;
        if handle.ty != rt {
            return Err(Trap::new(format!("handle index {h} {WRONG_TYPE}")));
        }
        if !handle.own {
            return Err(Trap::new(format!(
                "cannot lift own resource from a borrow (handle {h})"
            )));
        }
        if handle.lends != 0 {
            return Err(Trap::new(format!(
                "cannot remove owned resource while borrowed (handle {h})"
            )));
        }
        let handle = self.table.remove(h)?;
        Ok(Resource {
            ty: rt,
            rep: handle.rep,
            own: true,
        })
    }

    fn lift_borrow(&mut self, rt: ResourceType, h: u32) -> Result<Resource, Trap> {
        let handle = self.table.get(h)?;
        if handle.ty != rt {
            return Err(Trap::new(format!("handle index {h} {WRONG_TYPE}")));
        }
        let rep = handle.rep;
        if handle.own {
            // Lent for the call: the owner may not drop or pass it on until the call ends.
            if let Some(Some(handle)) = self.table.slots.get_mut(h as usize) {
                handle.lends += 1;
            }
            self.lent.push(h);
        }
        Ok(Resource {
            ty: rt,
            rep,
            own: false,
        })
    }

    fn lower_own(&mut self, r: Resource) -> Result<u32, Trap> {
        self.table.add(Handle {
            rep: r.rep,
            ty: r.ty,
            own: true,
            lends: 0,
            scope: 0,
        })
    }

    fn lower_borrow(&mut self, r: Resource) -> Result<u32, Trap> {
        // A component receives a borrow of its own resource as the representation itself.
        if self.implementers.get(&r.ty) == Some(&self.instance) {
            return Ok(r.rep);
        }
        self.borrows += 1;
        self.table.add(Handle {
            rep: r.rep,
            ty: r.ty,
            own: false,
            lends: 0,
            scope: self.scope,
        })
    }
}

/// An instance of a component in a store.
#[derive(Copy, Clone, Debug)]
pub struct Instance {
    index: usize,
}

impl Instance {
    /// The exported function `name`: a top-level export, or `instance#function` (also
    /// written `instance.function`, as `wasmtime run --invoke` accepts).
    pub fn func<T: Send + 'static>(&self, store: &Store<T>, name: &str) -> Option<Func> {
        let data = &store.inner.data().instances[self.index];
        let plan = &data.component.inner.plan;
        let (def, ty) = find_export(plan, name)?;
        Some(Func {
            instance: self.index,
            def,
            ty,
            name: name.to_string(),
        })
    }
}

fn find_export(plan: &Plan, name: &str) -> Option<(FuncDef, Arc<FuncType>)> {
    for (n, e) in &plan.exports {
        if n == name {
            if let Export::Func(d, t) = e {
                return Some((d.clone(), t.clone()));
            }
        }
    }
    for sep in ['#', '.'] {
        if let Some((instance, func)) = name.rsplit_once(sep) {
            for (n, e) in &plan.exports {
                if n != instance {
                    continue;
                }
                if let Export::Instance(items) = e {
                    for (fname, item) in items {
                        if fname == func {
                            if let Export::Func(d, t) = item {
                                return Some((d.clone(), t.clone()));
                            }
                        }
                    }
                }
            }
        }
    }
    None
}

/// An exported function with Rust types for its parameters and result ([`Func::typed`]).
pub struct TypedFunc<P, R> {
    func: Func,
    _types: std::marker::PhantomData<fn(P) -> R>,
}

impl<P, R> TypedFunc<P, R>
where
    P: crate::typed::ComponentList,
    R: crate::typed::ComponentResult,
{
    /// Calls the function.
    pub fn call<T: Send + 'static>(&self, store: &mut Store<T>, params: P) -> Result<R> {
        block_on(self.call_async(store, params))
    }

    /// [`TypedFunc::call`], for async hosts.
    pub async fn call_async<T: Send + 'static>(
        &self,
        store: &mut Store<T>,
        params: P,
    ) -> Result<R> {
        let result = self.func.call_async(store, &params.into_vals()).await?;
        R::from_result(result).map_err(|e| Error::msg(format!("`{}` returned {e}", self.func.name)))
    }
}

/// An exported function of an instance.
#[derive(Clone, Debug)]
pub struct Func {
    instance: usize,
    def: FuncDef,
    ty: Arc<FuncType>,
    name: String,
}

impl Func {
    /// The function's type.
    pub fn ty(&self) -> &FuncType {
        &self.ty
    }

    /// The function with Rust types for its parameters `P` (a tuple) and result `R` (`()`
    /// for none), checked against its type now (see [`crate::typed`]).
    pub fn typed<P, R>(&self) -> Result<TypedFunc<P, R>>
    where
        P: crate::typed::ComponentList,
        R: crate::typed::ComponentResult,
    {
        crate::typed::typecheck_func::<P, R>(&self.ty).map_err(|e| {
            Error::new(
                ErrorKind::Arguments,
                format!("`{}` is `{}`: {e}", self.name, self.ty),
            )
        })?;
        Ok(TypedFunc {
            func: self.clone(),
            _types: std::marker::PhantomData,
        })
    }

    /// Calls the function with `args`; returns its result.
    pub fn call<T: Send + 'static>(
        &self,
        store: &mut Store<T>,
        args: &[Val],
    ) -> Result<Option<Val>> {
        block_on(self.call_async(store, args))
    }

    /// [`Func::call`], for async hosts: the guest runs on a fiber, and the host functions it
    /// calls may suspend.
    pub async fn call_async<T: Send + 'static>(
        &self,
        store: &mut Store<T>,
        args: &[Val],
    ) -> Result<Option<Val>> {
        if args.len() != self.ty.params.len() {
            return Err(Error::new(
                ErrorKind::Arguments,
                format!(
                    "`{}` takes {} argument(s), {} given",
                    self.name,
                    self.ty.params.len(),
                    args.len()
                ),
            ));
        }
        for ((name, ty), arg) in self.ty.params.iter().zip(args) {
            abi::type_check(arg, ty)
                .map_err(|e| Error::new(ErrorKind::Arguments, format!("argument `{name}`: {e}")))?;
        }
        let mut cx = store.inner.as_context_mut();
        call_def(&mut cx, self.instance, &self.def, args)
            .await
            .map_err(|e| Error::from_wasmtime(e, Some(&self.name)))
    }
}

/// Calls a component function from the host side.
async fn call_def<T: Send + 'static>(
    cx: &mut StoreContextMut<'_, Data<T>>,
    inst: usize,
    def: &FuncDef,
    args: &[Val],
) -> wasmtime::Result<Option<Val>> {
    match def {
        FuncDef::Import { import, path } => {
            let f = cx.data().instances[inst]
                .host
                .get(&(*import, path.to_vec()))
                .cloned()
                .ok_or_else(|| wasmtime::Error::msg("an import without a host function"))?;
            match f {
                HostImpl::Sync(f) => f(&mut cx.data_mut().user, args),
                HostImpl::Async(f) => f(&mut cx.data_mut().user, args.to_vec()).await,
            }
            .map_err(|m| wasmtime::Error::new(Trap::new(m)))
        }
        FuncDef::Lifted(l) => call_lifted(cx, inst, *l, args).await,
    }
}

/// The guest's `realloc` and memory, for the ABI's allocation phase.
struct GuestRealloc<'a, 'b, T: 'static> {
    cx: &'a mut StoreContextMut<'b, Data<T>>,
    realloc: Option<wasmtime::Func>,
    memory: Option<wasmtime::Memory>,
}

impl<T: Send + 'static> Realloc for GuestRealloc<'_, '_, T> {
    async fn realloc(
        &mut self,
        old_ptr: u32,
        old_size: u32,
        align: u32,
        new_size: u32,
    ) -> Result<u32, Trap> {
        match self.realloc {
            None => Err(Trap::new("no `realloc` to allocate guest memory with")),
            Some(f) => {
                let mut out = [wasmtime::Val::I32(0)];
                let args =
                    [old_ptr, old_size, align, new_size].map(|v| wasmtime::Val::I32(v as i32));
                match f.call_async(&mut *self.cx, &args, &mut out).await {
                    Ok(()) => Ok(out[0].unwrap_i32() as u32),
                    // A trap in `realloc` is the guest's trap: pass its message on.
                    Err(e) => Err(Trap::new(format!("{e:#}"))),
                }
            }
        }
    }

    fn memory_len(&self) -> usize {
        self.memory.map_or(0, |m| m.data_size(&*self.cx))
    }
}

fn abi_options(o: &Options) -> AbiOptions {
    AbiOptions {
        encoding: o.encoding,
    }
}

/// Resolves a core definition of instance `inst` to a wasmtime item.
fn resolve<T: Send + 'static>(
    cx: &mut StoreContextMut<'_, Data<T>>,
    inst: usize,
    def: &CoreDef,
) -> wasmtime::Result<Extern> {
    match def {
        CoreDef::Export { instance, name } => {
            let core = *cx.data().instances[inst]
                .core
                .get(*instance as usize)
                .ok_or_else(|| wasmtime::Error::msg("a core instance used before it exists"))?;
            core.get_export(&mut *cx, name).ok_or_else(|| {
                wasmtime::Error::msg(format!("core instance has no export `{name}`"))
            })
        }
        CoreDef::Lowered(l) => {
            if let Some(f) = cx.data().instances[inst].lowered[*l as usize] {
                return Ok(f.into());
            }
            let f = make_lowered(cx, inst, *l);
            cx.data_mut().instances[inst].lowered[*l as usize] = Some(f);
            Ok(f.into())
        }
        CoreDef::ResourceNew { resource, instance }
        | CoreDef::ResourceRep { resource, instance }
        | CoreDef::ResourceDrop { resource, instance } => {
            let kind = match def {
                CoreDef::ResourceNew { .. } => 0u8,
                CoreDef::ResourceRep { .. } => 1,
                _ => 2,
            };
            let key = (kind, *resource, *instance);
            if let Some(f) = cx.data().instances[inst].builtins.get(&key) {
                return Ok((*f).into());
            }
            let f = make_resource_builtin(cx, inst, kind, *resource, *instance);
            cx.data_mut().instances[inst].builtins.insert(key, f);
            Ok(f.into())
        }
    }
}

fn resolve_func<T: Send + 'static>(
    cx: &mut StoreContextMut<'_, Data<T>>,
    inst: usize,
    def: &CoreDef,
) -> wasmtime::Result<wasmtime::Func> {
    resolve(cx, inst, def)?
        .into_func()
        .ok_or_else(|| wasmtime::Error::msg("expected a core function"))
}

fn resolve_memory<T: Send + 'static>(
    cx: &mut StoreContextMut<'_, Data<T>>,
    inst: usize,
    def: &Option<CoreDef>,
) -> wasmtime::Result<Option<wasmtime::Memory>> {
    def.as_ref()
        .map(|d| {
            resolve(cx, inst, d)?
                .into_memory()
                .ok_or_else(|| wasmtime::Error::msg("expected a core memory"))
        })
        .transpose()
}

fn core_val(v: &wasmtime::Val) -> wasmtime::Result<CoreVal> {
    Ok(match v {
        wasmtime::Val::I32(x) => CoreVal::I32(*x),
        wasmtime::Val::I64(x) => CoreVal::I64(*x),
        wasmtime::Val::F32(x) => CoreVal::F32(f32::from_bits(*x)),
        wasmtime::Val::F64(x) => CoreVal::F64(f64::from_bits(*x)),
        _ => return Err(wasmtime::Error::msg("unexpected core value type")),
    })
}

fn wasm_val(v: CoreVal) -> wasmtime::Val {
    match v {
        CoreVal::I32(x) => wasmtime::Val::I32(x),
        CoreVal::I64(x) => wasmtime::Val::I64(x),
        CoreVal::F32(x) => wasmtime::Val::F32(x.to_bits()),
        CoreVal::F64(x) => wasmtime::Val::F64(x.to_bits()),
    }
}

fn wasm_type(t: CoreType) -> wasmtime::ValType {
    match t {
        CoreType::I32 => wasmtime::ValType::I32,
        CoreType::I64 => wasmtime::ValType::I64,
        CoreType::F32 => wasmtime::ValType::F32,
        CoreType::F64 => wasmtime::ValType::F64,
    }
}

fn trap(t: Trap) -> wasmtime::Error {
    wasmtime::Error::new(t)
}

/// `ty` with plan resources replaced by instance `inst`'s runtime resource types.
fn runtime_types<T>(data: &InstanceData<T>, ty: &FuncType) -> (Vec<Type>, Vec<Type>) {
    let map = |t: &Type| map_resources(t, &data.resource_types);
    (
        ty.params.iter().map(|(_, t)| map(t)).collect(),
        ty.result.iter().map(map).collect(),
    )
}

fn map_resources(t: &Type, types: &[ResourceType]) -> Type {
    use weft_abi::{RecordType, ResultType, VariantType};
    let m = |t: &Type| map_resources(t, types);
    match t {
        Type::Own(r) => Type::Own(types[r.0 as usize]),
        Type::Borrow(r) => Type::Borrow(types[r.0 as usize]),
        Type::List(e) => Type::List(Arc::new(m(e))),
        Type::FixedList(e, n) => Type::FixedList(Arc::new(m(e)), *n),
        Type::Map(kv) => Type::Map(Arc::new((m(&kv.0), m(&kv.1)))),
        Type::Option(e) => Type::Option(Arc::new(m(e))),
        Type::Tuple(ts) => Type::Tuple(ts.iter().map(m).collect::<Vec<_>>().into()),
        Type::Record(r) => Type::Record(Arc::new(RecordType {
            fields: r.fields.iter().map(|(n, t)| (n.clone(), m(t))).collect(),
        })),
        Type::Variant(v) => Type::Variant(Arc::new(VariantType {
            cases: v
                .cases
                .iter()
                .map(|(n, t)| (n.clone(), t.as_ref().map(m)))
                .collect(),
        })),
        Type::Result(r) => Type::Result(Arc::new(ResultType {
            ok: r.ok.as_ref().map(m),
            err: r.err.as_ref().map(m),
        })),
        other => other.clone(),
    }
}

/// Calls lifted function `l` of instance `inst` with `args` (from the host or from another
/// component instance through the host).
async fn call_lifted<T: Send + 'static>(
    cx: &mut StoreContextMut<'_, Data<T>>,
    inst: usize,
    l: u32,
    args: &[Val],
) -> wasmtime::Result<Option<Val>> {
    let component = cx.data().instances[inst].component.clone();
    let lift = &component.inner.plan.lifts[l as usize];
    let callee = lift.instance as usize;
    // A component instance that trapped cannot be entered again.
    if cx.data().instances[inst].poisoned[callee] {
        return Err(trap(Trap::new("cannot enter component instance")));
    }
    let result = call_lifted_inner(cx, inst, l, args).await;
    if result.is_err() {
        cx.data_mut().instances[inst].poisoned[callee] = true;
    }
    result
}

async fn call_lifted_inner<T: Send + 'static>(
    cx: &mut StoreContextMut<'_, Data<T>>,
    inst: usize,
    l: u32,
    args: &[Val],
) -> wasmtime::Result<Option<Val>> {
    let component = cx.data().instances[inst].component.clone();
    let lift = &component.inner.plan.lifts[l as usize];
    let (param_types, result_types) = runtime_types(&cx.data().instances[inst], &lift.ty);
    let func = resolve_func(cx, inst, &lift.func)?;
    let memory = resolve_memory(cx, inst, &lift.options.memory)?;
    let realloc = lift
        .options
        .realloc
        .as_ref()
        .map(|r| resolve_func(cx, inst, r))
        .transpose()?;
    let opts = abi_options(&lift.options);
    let table = lift.instance as usize;

    // Arguments into the callee.
    let allocs = abi::allocate(
        &mut GuestRealloc {
            cx,
            realloc,
            memory,
        },
        &opts,
        MAX_FLAT_PARAMS,
        Spill::Realloc,
        args,
        &param_types,
    )
    .await
    .map_err(trap)?;
    let (flat, scope) = {
        let (mem, data) = match memory {
            Some(m) => {
                let (mem, data) = m.data_and_store_mut(&mut *cx);
                (mem, data)
            }
            None => (&mut [][..], cx.data_mut()),
        };
        data.next_call += 1;
        let d = &mut data.instances[inst];
        let mut handles = TableView::new(&mut d.tables[table], table as u32, &d.implementers);
        handles.scope = data.next_call;
        let flat = abi::lower_flat_values(
            mem,
            &opts,
            &mut handles,
            &allocs,
            MAX_FLAT_PARAMS,
            Spill::Realloc,
            args,
            &param_types,
        )
        .map_err(trap)?;
        (flat, (handles.borrows > 0).then_some(handles.scope))
    };
    let params: Vec<wasmtime::Val> = flat.into_iter().map(wasm_val).collect();
    let ty = func.ty(&*cx);
    let mut results: Vec<wasmtime::Val> = ty.results().map(|_| wasmtime::Val::I32(0)).collect();
    func.call_async(&mut *cx, &params, &mut results).await?;
    // Borrows lent to the callee must be gone when it returns.
    if let Some(scope) = scope {
        let remains = cx.data().instances[inst].tables[table]
            .slots
            .iter()
            .flatten()
            .any(|h| h.scope == scope);
        if remains {
            return Err(trap(Trap::new(
                "borrow handles still remain at the end of the call",
            )));
        }
    }

    // Results out of it.
    let core_results = results
        .iter()
        .map(core_val)
        .collect::<wasmtime::Result<Vec<_>>>()?;
    let values = {
        let (mem, data): (&[u8], &mut Data<T>) = match memory {
            Some(m) => {
                let (mem, data) = m.data_and_store_mut(&mut *cx);
                (mem, data)
            }
            None => (&[], cx.data_mut()),
        };
        let d = &mut data.instances[inst];
        let mut handles = TableView::new(&mut d.tables[table], table as u32, &d.implementers);
        abi::lift_flat_values(
            mem,
            &opts,
            &mut handles,
            MAX_FLAT_RESULTS,
            &core_results,
            &result_types,
        )
        .map_err(trap)?
    };
    if let Some(post) = &lift.options.post_return {
        let post = resolve_func(cx, inst, post)?;
        post.call_async(&mut *cx, &results, &mut []).await?;
    }
    Ok(values.into_iter().next())
}

/// Makes the core function of lowering `l`: lifts the guest's arguments, calls the callee,
/// lowers its result back.
fn make_lowered<T: Send + 'static>(
    cx: &mut StoreContextMut<'_, Data<T>>,
    inst: usize,
    l: u32,
) -> wasmtime::Func {
    let component = cx.data().instances[inst].component.clone();
    let lowering = &component.inner.plan.lowerings[l as usize];
    let (params, results) = abi::flatten_functype(&lowering.ty, abi::Context::Lower);
    let engine = cx.engine().clone();
    let ty = wasmtime::FuncType::new(
        &engine,
        params.iter().copied().map(wasm_type),
        results.iter().copied().map(wasm_type),
    );
    wasmtime::Func::new_async(
        &mut *cx,
        ty,
        move |mut caller: Caller<'_, Data<T>>, core_args, core_results| {
            Box::new(async move {
                let component = caller.data().instances[inst].component.clone();
                let lowering = &component.inner.plan.lowerings[l as usize];
                let mut cx = caller.as_context_mut();
                let (param_types, result_types) =
                    runtime_types(&cx.data().instances[inst], &lowering.ty);
                let memory = resolve_memory(&mut cx, inst, &lowering.options.memory)?;
                let opts = abi_options(&lowering.options);
                let table = lowering.instance as usize;
                let flat_params = abi::flatten_types(&param_types).len();
                let n_params = if flat_params > MAX_FLAT_PARAMS {
                    1
                } else {
                    flat_params
                };
                let args_core = core_args[..n_params]
                    .iter()
                    .map(core_val)
                    .collect::<wasmtime::Result<Vec<_>>>()?;
                let out_ptr = core_args.get(n_params).map(|v| v.unwrap_i32() as u32);
                let args = {
                    let (mem, data): (&[u8], &mut Data<T>) = match memory {
                        Some(m) => {
                            let (mem, data) = m.data_and_store_mut(&mut cx);
                            (mem, data)
                        }
                        None => (&[], cx.data_mut()),
                    };
                    let d = &mut data.instances[inst];
                    let mut handles =
                        TableView::new(&mut d.tables[table], table as u32, &d.implementers);
                    let args = abi::lift_flat_values(
                        mem,
                        &opts,
                        &mut handles,
                        MAX_FLAT_PARAMS,
                        &args_core,
                        &param_types,
                    );
                    // Lends end with the call, or now if lifting failed.
                    let lent = std::mem::take(&mut handles.lent);
                    if args.is_err() {
                        end_lends(&mut d.tables[table], &lent);
                    }
                    (args.map_err(trap)?, lent)
                };
                let (args, lent) = args;
                let result = call_def(&mut cx, inst, &lowering.callee, &args).await;
                end_lends(&mut cx.data_mut().instances[inst].tables[table], &lent);
                let result = result?;
                let values: Vec<Val> = result.into_iter().collect();
                if values.len() != result_types.len() {
                    return Err(trap(Trap::new(
                        "the callee returned the wrong number of results",
                    )));
                }
                for (v, t) in values.iter().zip(&result_types) {
                    abi::type_check(v, t).map_err(|e| {
                        trap(Trap::new(format!(
                            "the host function returned a wrong value: {e}"
                        )))
                    })?;
                }
                let spill = match out_ptr {
                    Some(p) => Spill::OutPointer(p),
                    None => Spill::Realloc,
                };
                let realloc = lowering
                    .options
                    .realloc
                    .as_ref()
                    .map(|r| resolve_func(&mut cx, inst, r))
                    .transpose()?;
                let allocs = abi::allocate(
                    &mut GuestRealloc {
                        cx: &mut cx,
                        realloc,
                        memory,
                    },
                    &opts,
                    MAX_FLAT_RESULTS,
                    spill,
                    &values,
                    &result_types,
                )
                .await
                .map_err(trap)?;
                let flat = {
                    let (mem, data): (&mut [u8], &mut Data<T>) = match memory {
                        Some(m) => m.data_and_store_mut(&mut cx),
                        None => (&mut [], cx.data_mut()),
                    };
                    let d = &mut data.instances[inst];
                    let mut handles =
                        TableView::new(&mut d.tables[table], table as u32, &d.implementers);
                    abi::lower_flat_values(
                        mem,
                        &opts,
                        &mut handles,
                        &allocs,
                        MAX_FLAT_RESULTS,
                        spill,
                        &values,
                        &result_types,
                    )
                    .map_err(trap)?
                };
                for (slot, v) in core_results.iter_mut().zip(flat) {
                    *slot = wasm_val(v);
                }
                Ok(())
            })
        },
    )
}

/// Makes `resource.new` (kind 0), `resource.rep` (1) or `resource.drop` (2) of plan
/// resource `resource` in component instance `table`'s handle table.
fn make_resource_builtin<T: Send + 'static>(
    cx: &mut StoreContextMut<'_, Data<T>>,
    inst: usize,
    kind: u8,
    resource: u32,
    table: u32,
) -> wasmtime::Func {
    let engine = cx.engine().clone();
    let results: &[wasmtime::ValType] = if kind == 2 {
        &[]
    } else {
        &[wasmtime::ValType::I32]
    };
    let ty = wasmtime::FuncType::new(&engine, [wasmtime::ValType::I32], results.iter().cloned());
    wasmtime::Func::new_async(
        &mut *cx,
        ty,
        move |mut caller: Caller<'_, Data<T>>, args, results| {
            Box::new(async move {
                let arg = args[0].unwrap_i32() as u32;
                let data = &mut caller.data_mut().instances[inst];
                let rt = data.resource_types[resource as usize];
                let t = &mut data.tables[table as usize];
                match kind {
                    0 => {
                        let h = t
                            .add(Handle {
                                rep: arg,
                                ty: rt,
                                own: true,
                                lends: 0,
                                scope: 0,
                            })
                            .map_err(trap)?;
                        results[0] = wasmtime::Val::I32(h as i32);
                    }
                    1 => {
                        let h = t.get(arg).map_err(trap)?;
                        if h.ty != rt {
                            return Err(trap(Trap::new(format!(
                                "handle index {arg} {WRONG_TYPE}"
                            ))));
                        }
                        results[0] = wasmtime::Val::I32(h.rep as i32);
                    }
                    _ => {
                        let h = t.get(arg).map_err(trap)?;
                        if h.ty != rt {
                            return Err(trap(Trap::new(format!(
                                "handle index {arg} {WRONG_TYPE}"
                            ))));
                        }
                        if h.lends != 0 {
                            return Err(trap(Trap::new(format!(
                                "cannot remove owned resource while borrowed (handle {arg})"
                            ))));
                        }
                        let h = t.remove(arg).map_err(trap)?;
                        if h.own {
                            if let Some(dtor) = data.host_dtors.get(&rt).cloned() {
                                dtor(&mut caller.data_mut().user, h.rep);
                                return Ok(());
                            }
                            // The destructor of a resource this component defines runs on drop.
                            let component = data.component.clone();
                            if let PlanResource::Defined {
                                dtor: Some(dtor), ..
                            } = &component.inner.plan.resources[resource as usize]
                            {
                                let mut cx = caller.as_context_mut();
                                let dtor = resolve_func(&mut cx, inst, dtor)?;
                                dtor.call_async(
                                    &mut cx,
                                    &[wasmtime::Val::I32(h.rep as i32)],
                                    &mut [],
                                )
                                .await?;
                            }
                        }
                    }
                }
                Ok(())
            })
        },
    )
}

/// A typed host function as a [`HostDef`]: converts the arguments and the result, and checks
/// the import's type at instantiation.
fn typed_def<T, P, R>(
    f: impl Fn(&mut T, P) -> Result<R, String> + Send + Sync + 'static,
) -> HostDef<T>
where
    T: Send + 'static,
    P: crate::typed::ComponentList + 'static,
    R: crate::typed::ComponentResult + 'static,
{
    let f: HostFunc<T> = Arc::new(move |data: &mut T, args: &[Val]| {
        let params = P::from_vals(args.to_vec())?;
        Ok(f(data, params)?.into_result())
    });
    HostDef {
        f: HostImpl::Sync(f),
        check: Some(crate::typed::typecheck_func::<P, R>),
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
fn compatible(wanted: &semver::Version, have: &semver::Version) -> bool {
    if wanted.major != have.major || !wanted.pre.is_empty() || !have.pre.is_empty() {
        return wanted == have;
    }
    if wanted.major == 0 {
        wanted.minor == have.minor && (wanted.minor != 0 || wanted.patch == have.patch)
    } else {
        true
    }
}
