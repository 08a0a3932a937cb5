//! Stores, instances and exported functions.

use std::collections::HashMap;
use std::sync::Arc;

use futures::executor::block_on;
use wasmtime::AsContextMut;
use weft_abi::abi;
use weft_abi::{FuncType, ResourceType, Val};

use crate::call::call_def;
use crate::handles::HandleTable;
use crate::inline::{Export, FuncDef, Plan};
use crate::linker::{HostDtor, HostImpl};
use crate::{Component, Error, ErrorKind, Result};

/// A store: the instances of components and the host's data `T`.
pub struct Store<T: 'static> {
    pub(crate) inner: wasmtime::Store<Data<T>>,
    pub(crate) engine: crate::Engine,
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

pub(crate) struct Data<T> {
    pub(crate) user: T,
    pub(crate) instances: Vec<InstanceData<T>>,
    pub(crate) next_resource: u32,
    /// The id of the last call into a lifted function (borrow scopes).
    pub(crate) next_call: u64,
    pub(crate) limits: wasmtime::StoreLimits,
}

pub(crate) struct InstanceData<T> {
    pub(crate) component: Component,
    /// Core instances, in plan order.
    pub(crate) core: Vec<wasmtime::Instance>,
    /// One handle table per component instance of the plan.
    pub(crate) tables: Vec<HandleTable>,
    /// Per component instance of the plan: it trapped, and cannot be entered again.
    pub(crate) poisoned: Vec<bool>,
    /// Per component instance of the plan: whether it may call out (not while its
    /// `realloc` or a post-return function runs).
    pub(crate) may_leave: Vec<bool>,
    /// The component instances compiled adapters have entered and not yet left, innermost
    /// last: a trap that unwinds through them poisons them (`call_lifted`).
    pub(crate) entered: Vec<u32>,
    /// The runtime type of each plan resource.
    pub(crate) resource_types: Vec<ResourceType>,
    /// The component instance that defines each runtime resource type it defines.
    pub(crate) implementers: HashMap<ResourceType, u32>,
    /// Imported functions: (import, path) → host function.
    pub(crate) host: HashMap<(u32, Vec<String>), HostImpl<T>>,
    /// Destructors of host resource types.
    pub(crate) host_dtors: HashMap<ResourceType, HostDtor<T>>,
    /// Lowered functions, made when first needed.
    pub(crate) lowered: Vec<Option<wasmtime::Func>>,
    /// `resource.new`/`.rep`/`.drop` functions, made when first needed.
    pub(crate) builtins: HashMap<(u8, u32, u32), wasmtime::Func>,
    /// Lifts and lowerings with their items and types resolved, made when first called.
    pub(crate) resolved_lifts: Vec<Option<Arc<crate::call::Resolved>>>,
    pub(crate) resolved_lowerings: Vec<Option<Arc<crate::call::Resolved>>>,
}

/// An instance of a component in a store.
#[derive(Copy, Clone, Debug)]
pub struct Instance {
    pub(crate) index: usize,
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
    pub(crate) instance: usize,
    pub(crate) def: FuncDef,
    pub(crate) ty: Arc<FuncType>,
    pub(crate) name: String,
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
