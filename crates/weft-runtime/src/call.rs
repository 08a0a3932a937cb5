//! Calls: a lifted function called from the host (or from another component instance
//! through the host), and the core functions of lowerings and resource built-ins, which
//! wasmtime calls when the guest calls out.
//!
//! A call into a lifted function lowers its arguments into the callee's memory (two phases:
//! every `realloc` first, then the writes; see [`weft_abi::abi::allocate`]), calls the core
//! function, lifts the results and, once the caller has them (the host at once, a guest after
//! they are lowered into it), runs the post-return function. A lowered function does the
//! reverse for a call out of the guest: to a host function, or to a function lifted by
//! another component instance of the same component.

use std::sync::Arc;

use wasmtime::{AsContextMut, Caller, Extern, StoreContextMut};
use weft_abi::abi::{
    self, CoreType, CoreVal, Lifter, Options as AbiOptions, Realloc, Spill, StringSource, Trap,
    MAX_FLAT_PARAMS, MAX_FLAT_RESULTS,
};
use weft_abi::{FuncType, ResourceType, Type, Val};

use crate::handles::{end_lends, Handle, TableView, WRONG_TYPE};
use crate::inline::{CoreDef, FuncDef, Options, PlanResource};
use crate::instance::{Data, InstanceData};
use crate::linker::{Direct, HostImpl};

/// Calls a component function from the host side.
pub(crate) async fn call_def<T: Send + 'static>(
    cx: &mut StoreContextMut<'_, Data<T>>,
    inst: usize,
    def: &FuncDef,
    args: &[Val],
) -> wasmtime::Result<Option<Val>> {
    // The host has the result once it is lifted: the callee's post-return function runs now.
    let (result, _, post) = call_def_from(cx, inst, def, args, None).await?;
    if let Some(post) = post {
        post.run(cx, inst).await?;
    }
    Ok(result)
}

/// A lifted callee's post-return function, with the core results it takes, to run once the
/// caller has the results (the spec's `canon_lift` runs it after `task.return`).
pub(crate) struct PostReturn {
    func: wasmtime::Func,
    results: Vec<wasmtime::Val>,
    /// The callee's component instance.
    callee: usize,
}

impl PostReturn {
    /// Runs it (the callee may not leave meanwhile); a trap in it poisons the callee.
    pub(crate) async fn run<T: Send + 'static>(
        self,
        cx: &mut StoreContextMut<'_, Data<T>>,
        inst: usize,
    ) -> wasmtime::Result<()> {
        let before = set_may_leave(cx, inst, self.callee, false);
        let result = self.func.call_async(&mut *cx, &self.results, &mut []).await;
        set_may_leave(cx, inst, self.callee, before);
        if result.is_err() {
            cx.data_mut().instances[inst].poisoned[self.callee] = true;
        }
        result
    }
}

/// [`call_def`] with the [`StringSource`]s of the arguments' strings if they were lifted from
/// a guest (`None` for host values, whose strings are UTF-8). Returns the result and, if the
/// callee is lifted (a guest), the sources of the result's strings and its post-return
/// function, which the caller runs once it has the result.
async fn call_def_from<T: Send + 'static>(
    cx: &mut StoreContextMut<'_, Data<T>>,
    inst: usize,
    def: &FuncDef,
    args: &[Val],
    sources: Option<&[StringSource]>,
) -> wasmtime::Result<(Option<Val>, Option<Vec<StringSource>>, Option<PostReturn>)> {
    match def {
        FuncDef::Import { import, path } => {
            let f = cx.data().instances[inst]
                .host
                .get(&(*import, path.to_vec()))
                .cloned()
                .ok_or_else(|| wasmtime::Error::msg("an import without a host function"))?;
            let result = match f {
                HostImpl::Sync(f) => f(&mut cx.data_mut().user, args),
                HostImpl::Typed(t) => (t.vals)(&mut cx.data_mut().user, args),
                HostImpl::Async(f) => f(&mut cx.data_mut().user, args.to_vec()).await,
            };
            Ok((
                result.map_err(|m| wasmtime::Error::new(Trap::new(m)))?,
                None,
                None,
            ))
        }
        FuncDef::Lifted(l) => {
            let (result, sources, post) = call_lifted(cx, inst, *l, args, sources).await?;
            Ok((result, Some(sources), post))
        }
    }
}

/// The guest's `realloc` and memory, for the ABI's allocation phase.
pub(crate) struct GuestRealloc<'a, 'b, T: 'static> {
    cx: &'a mut StoreContextMut<'b, Data<T>>,
    /// The store's instance, and the component instance whose `realloc` this is: it may
    /// not call out while `realloc` runs.
    inst: usize,
    owner: usize,
    realloc: Option<Realloc32>,
    memory: Option<wasmtime::Memory>,
}

/// A `realloc` of a 32-bit memory, called through wasmtime's typed path.
type Realloc32 = wasmtime::TypedFunc<(i32, i32, i32, i32), i32>;

impl<T: Send + 'static> Realloc for GuestRealloc<'_, '_, T> {
    async fn realloc(
        &mut self,
        old_ptr: u32,
        old_size: u32,
        align: u32,
        new_size: u32,
    ) -> Result<u32, Trap> {
        match &self.realloc {
            None => Err(Trap::new("no `realloc` to allocate guest memory with")),
            Some(f) => {
                let args = (
                    old_ptr as i32,
                    old_size as i32,
                    align as i32,
                    new_size as i32,
                );
                let before = set_may_leave(self.cx, self.inst, self.owner, false);
                let result = f.call_async(&mut *self.cx, args).await;
                set_may_leave(self.cx, self.inst, self.owner, before);
                match result.map(|ptr| ptr as u32) {
                    Ok(ptr) => Ok(ptr),
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

pub(crate) fn abi_options(o: &Options) -> AbiOptions {
    AbiOptions {
        encoding: o.encoding,
    }
}

/// Resolves a core definition of instance `inst` to a wasmtime item.
pub(crate) fn resolve<T: Send + 'static>(
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
            // A call into another component instance of this component runs its compiled
            // adapter if it has one (adapter.rs); every other goes through the host.
            let f = match crate::adapter::instantiate(cx, inst, *l) {
                Some(f) => f,
                None => make_lowered(cx, inst, *l),
            };
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

pub(crate) fn resolve_func<T: Send + 'static>(
    cx: &mut StoreContextMut<'_, Data<T>>,
    inst: usize,
    def: &CoreDef,
) -> wasmtime::Result<wasmtime::Func> {
    resolve(cx, inst, def)?
        .into_func()
        .ok_or_else(|| wasmtime::Error::msg("expected a core function"))
}

pub(crate) fn resolve_memory<T: Send + 'static>(
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

pub(crate) fn core_val(v: &wasmtime::Val) -> wasmtime::Result<CoreVal> {
    Ok(match v {
        wasmtime::Val::I32(x) => CoreVal::I32(*x),
        wasmtime::Val::I64(x) => CoreVal::I64(*x),
        wasmtime::Val::F32(x) => CoreVal::F32(f32::from_bits(*x)),
        wasmtime::Val::F64(x) => CoreVal::F64(f64::from_bits(*x)),
        _ => return Err(wasmtime::Error::msg("unexpected core value type")),
    })
}

pub(crate) fn wasm_val(v: CoreVal) -> wasmtime::Val {
    match v {
        CoreVal::I32(x) => wasmtime::Val::I32(x),
        CoreVal::I64(x) => wasmtime::Val::I64(x),
        CoreVal::F32(x) => wasmtime::Val::F32(x.to_bits()),
        CoreVal::F64(x) => wasmtime::Val::F64(x.to_bits()),
    }
}

pub(crate) fn wasm_type(t: CoreType) -> wasmtime::ValType {
    match t {
        CoreType::I32 => wasmtime::ValType::I32,
        CoreType::I64 => wasmtime::ValType::I64,
        CoreType::F32 => wasmtime::ValType::F32,
        CoreType::F64 => wasmtime::ValType::F64,
    }
}

pub(crate) fn trap(t: Trap) -> wasmtime::Error {
    wasmtime::Error::new(t)
}

/// `ty` with plan resources replaced by instance `inst`'s runtime resource types.
pub(crate) fn runtime_types<T>(data: &InstanceData<T>, ty: &FuncType) -> (Vec<Type>, Vec<Type>) {
    let map = |t: &Type| map_resources(t, &data.resource_types);
    (
        ty.params.iter().map(|(_, t)| map(t)).collect(),
        ty.result.iter().map(map).collect(),
    )
}

pub(crate) fn map_resources(t: &Type, types: &[ResourceType]) -> Type {
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

/// Calls lifted function `l` of instance `inst` with `args` (from the host, `sources` `None`,
/// or from another component instance through the host, `sources` those of the strings in
/// `args`). Returns the result and the sources of its strings (lifted from the callee).
pub(crate) async fn call_lifted<T: Send + 'static>(
    cx: &mut StoreContextMut<'_, Data<T>>,
    inst: usize,
    l: u32,
    args: &[Val],
    sources: Option<&[StringSource]>,
) -> wasmtime::Result<(Option<Val>, Vec<StringSource>, Option<PostReturn>)> {
    let component = cx.data().instances[inst].component.clone();
    let lift = &component.inner.plan.lifts[l as usize];
    let callee = lift.instance as usize;
    // A component instance that trapped cannot be entered again.
    if cx.data().instances[inst].poisoned[callee] {
        return Err(trap(Trap::new("cannot enter component instance")));
    }
    let entered = cx.data().instances[inst].entered.len();
    let result = call_lifted_inner(cx, inst, l, args, sources).await;
    if result.is_err() {
        let d = &mut cx.data_mut().instances[inst];
        d.poisoned[callee] = true;
        // So are the instances compiled adapters entered inside this call and did not leave:
        // the trap unwound through them.
        let above = d.entered.split_off(entered.min(d.entered.len()));
        for i in above {
            d.poisoned[i as usize] = true;
        }
    }
    result
}

pub(crate) async fn call_lifted_inner<T: Send + 'static>(
    cx: &mut StoreContextMut<'_, Data<T>>,
    inst: usize,
    l: u32,
    args: &[Val],
    sources: Option<&[StringSource]>,
) -> wasmtime::Result<(Option<Val>, Vec<StringSource>, Option<PostReturn>)> {
    let component = cx.data().instances[inst].component.clone();
    let lift = &component.inner.plan.lifts[l as usize];
    let resolved = resolved_lift(cx, inst, l)?;
    let (param_types, result_types) = (resolved.params.clone(), resolved.results.clone());
    let func = resolved
        .func
        .ok_or_else(|| wasmtime::Error::msg("a lift without its core function"))?;
    let memory = resolved.memory;
    let realloc = resolved.realloc.clone();
    let opts = abi_options(&lift.options);
    let table = lift.instance as usize;

    // Arguments into the callee.
    let allocs = allocate(
        &mut GuestRealloc {
            cx,
            inst,
            owner: table,
            realloc,
            memory,
        },
        &opts,
        MAX_FLAT_PARAMS,
        Spill::Realloc,
        args,
        &param_types,
        sources,
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
    let (values, sources) = {
        let (mem, data): (&[u8], &mut Data<T>) = match memory {
            Some(m) => {
                let (mem, data) = m.data_and_store_mut(&mut *cx);
                (mem, data)
            }
            None => (&[], cx.data_mut()),
        };
        let d = &mut data.instances[inst];
        let mut handles = TableView::new(&mut d.tables[table], table as u32, &d.implementers);
        abi::lift_flat_values_with_sources(
            mem,
            &opts,
            &mut handles,
            MAX_FLAT_RESULTS,
            &core_results,
            &result_types,
        )
        .map_err(trap)?
    };
    let post = resolved.post_return.map(|func| PostReturn {
        func,
        results,
        callee: table,
    });
    Ok((values.into_iter().next(), sources, post))
}

/// Phase one of lowering `vals`: [`abi::allocate_with_sources`] if their strings' sources are
/// known (they were lifted from a guest), else [`abi::allocate`] (host values, UTF-8).
async fn allocate<T: Send + 'static>(
    realloc: &mut GuestRealloc<'_, '_, T>,
    opts: &AbiOptions,
    max_flat: usize,
    spill: Spill,
    vals: &[Val],
    ts: &[Type],
    sources: Option<&[StringSource]>,
) -> Result<abi::Allocations, Trap> {
    match sources {
        Some(sources) => {
            abi::allocate_with_sources(realloc, opts, max_flat, spill, vals, ts, sources).await
        }
        None => abi::allocate(realloc, opts, max_flat, spill, vals, ts).await,
    }
}

/// Makes the core function of lowering `l`: lifts the guest's arguments, calls the callee,
/// lowers its result back.
pub(crate) fn make_lowered<T: Send + 'static>(
    cx: &mut StoreContextMut<'_, Data<T>>,
    inst: usize,
    l: u32,
) -> wasmtime::Func {
    let component = cx.data().instances[inst].component.clone();
    let lowering = &component.inner.plan.lowerings[l as usize];
    let (params, results) = abi::flatten_functype(&lowering.ty, abi::Context::Lower);
    // A typed host function, found once: its calls take the fast path.
    let typed = match &lowering.callee {
        FuncDef::Import { import, path } => match cx.data().instances[inst]
            .host
            .get(&(*import, path.to_vec()))
        {
            Some(HostImpl::Typed(t)) => Some(t.clone()),
            _ => None,
        },
        FuncDef::Lifted(_) => None,
    };
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
            let typed = typed.clone();
            Box::new(async move {
                let component = caller.data().instances[inst].component.clone();
                let lowering = &component.inner.plan.lowerings[l as usize];
                if !caller.data().instances[inst].may_leave[lowering.instance as usize] {
                    return Err(trap(Trap::new("cannot leave component instance")));
                }
                let mut cx = caller.as_context_mut();
                let resolved = resolved_lowering(&mut cx, inst, l)?;
                let (param_types, result_types) =
                    (resolved.params.clone(), resolved.results.clone());
                let memory = resolved.memory;
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
                let (result, sources, post) = match &typed {
                    // The typed fast path: the host function lifts its parameters straight
                    // into Rust values.
                    Some(typed) if flat_params <= MAX_FLAT_PARAMS => {
                        let (mem, data): (&[u8], &mut Data<T>) = match memory {
                            Some(m) => {
                                let (mem, data) = m.data_and_store_mut(&mut cx);
                                (mem, data)
                            }
                            None => (&[], cx.data_mut()),
                        };
                        let Data {
                            user, instances, ..
                        } = data;
                        let d = &mut instances[inst];
                        let mut handles =
                            TableView::new(&mut d.tables[table], table as u32, &d.implementers);
                        let result = {
                            let mut lifter = Lifter::new(mem, &opts, &mut handles, &args_core);
                            (typed.direct)(user, &mut lifter, &param_types)
                        };
                        // Lends end with the call.
                        let lent = std::mem::take(&mut handles.lent);
                        end_lends(&mut d.tables[table], &lent);
                        match result.map_err(trap)? {
                            Direct::Val(v) => (v, None, None),
                            Direct::Typed(r) => {
                                // The typed path lowers it, unless some part of it needs the
                                // general one (then it becomes a `Val`).
                                let mut blocks = Vec::new();
                                let typed_ok = match result_types.first() {
                                    Some(rty) if result_types.len() == 1 => {
                                        r.value().fast_blocks(rty, opts.encoding, &mut blocks)
                                            && (out_ptr.is_some()
                                                || (blocks.is_empty() && r.value().has_fast_flat()))
                                    }
                                    _ => false,
                                };
                                if !typed_ok {
                                    (r.into_val(), None, None)
                                } else {
                                    let flat = lower_typed(
                                        &mut cx,
                                        inst,
                                        table,
                                        memory,
                                        resolved.realloc.clone(),
                                        out_ptr,
                                        &result_types,
                                        &blocks,
                                        r,
                                    )
                                    .await?;
                                    if let (Some(slot), Some(v)) = (core_results.first_mut(), flat)
                                    {
                                        *slot = wasm_val(v);
                                    }
                                    return Ok(());
                                }
                            }
                        }
                    }
                    _ => {
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
                            let args = abi::lift_flat_values_with_sources(
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
                        let ((args, sources), lent) = args;
                        // A lifted callee lowers the strings from this guest's encoding (the spec's
                        // `realloc` calls depend on it); a host function takes the values alone.
                        let result =
                            call_def_from(&mut cx, inst, &lowering.callee, &args, Some(&sources))
                                .await;
                        end_lends(&mut cx.data_mut().instances[inst].tables[table], &lent);
                        result?
                    }
                };
                let values: Vec<Val> = result.into_iter().collect();
                if values.len() != result_types.len() {
                    return Err(trap(Trap::new(
                        "the callee returned the wrong number of results",
                    )));
                }
                for (v, t) in values.iter().zip(result_types.iter()) {
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
                let realloc = resolved.realloc.clone();
                // The result's strings come from the callee's encoding if it is a guest.
                let allocs = allocate(
                    &mut GuestRealloc {
                        cx: &mut cx,
                        inst,
                        owner: table,
                        realloc,
                        memory,
                    },
                    &opts,
                    MAX_FLAT_RESULTS,
                    spill,
                    &values,
                    &result_types,
                    sources.as_deref(),
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
                // The caller has its results: now the callee's post-return function runs.
                if let Some(post) = post {
                    post.run(&mut cx, inst).await?;
                }
                Ok(())
            })
        },
    )
}

/// Lowers a typed host function's result on the typed path (the blocks its
/// [`fast_blocks`](crate::typed::FastValue::fast_blocks) asked for): checks the out-pointer,
/// allocates the blocks with the guest's `realloc`, then stores the value at the out-pointer,
/// or returns it as its one flat value.
#[allow(clippy::too_many_arguments)]
async fn lower_typed<T: Send + 'static>(
    cx: &mut StoreContextMut<'_, Data<T>>,
    inst: usize,
    table: usize,
    memory: Option<wasmtime::Memory>,
    realloc: Option<Realloc32>,
    out_ptr: Option<u32>,
    result_types: &[Type],
    blocks: &[abi::Block],
    result: Box<dyn crate::linker::TypedResult>,
) -> wasmtime::Result<Option<CoreVal>> {
    let mem_len = memory.map_or(0, |m| m.data_size(&*cx));
    if let Some(p) = out_ptr {
        abi::check_out_pointer(mem_len, p, result_types).map_err(trap)?;
    }
    let ptrs = if blocks.is_empty() {
        Vec::new()
    } else {
        abi::allocate_blocks(
            &mut GuestRealloc {
                cx: &mut *cx,
                inst,
                owner: table,
                realloc,
                memory,
            },
            blocks,
        )
        .await
        .map_err(trap)?
    };
    let (mem, data): (&mut [u8], &mut Data<T>) = match memory {
        Some(m) => m.data_and_store_mut(&mut *cx),
        None => (&mut [], cx.data_mut()),
    };
    let d = &mut data.instances[inst];
    let mut handles = TableView::new(&mut d.tables[table], table as u32, &d.implementers);
    let mut w = abi::Writer::new(mem, &mut handles, &ptrs);
    let rty = &result_types[0];
    let value = result.value();
    match out_ptr {
        Some(p) => {
            value.fast_store(rty, &mut w, u64::from(p)).map_err(trap)?;
            Ok(None)
        }
        None => match value.fast_flat(rty, &mut w) {
            Some(v) => Ok(Some(v.map_err(trap)?)),
            None => Err(trap(Trap::new(
                "internal error: a typed result without its flat value",
            ))),
        },
    }
}

/// Makes `resource.new` (kind 0), `resource.rep` (1) or `resource.drop` (2) of plan
/// resource `resource` in component instance `table`'s handle table.
pub(crate) fn make_resource_builtin<T: Send + 'static>(
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
                // `resource.new` and `resource.drop` count as leaving; `resource.rep` does not.
                if kind != 1 && !caller.data().instances[inst].may_leave[table as usize] {
                    return Err(trap(Trap::new("cannot leave component instance")));
                }
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

/// Sets whether component instance `owner` may call out of itself (the spec's `may_leave`:
/// not while its `realloc` or a post-return function runs); returns what it was.
fn set_may_leave<T: Send + 'static>(
    cx: &mut StoreContextMut<'_, Data<T>>,
    inst: usize,
    owner: usize,
    may: bool,
) -> bool {
    std::mem::replace(&mut cx.data_mut().instances[inst].may_leave[owner], may)
}

/// The wasmtime items and runtime types of a lift or lowering, resolved once per instance.
pub(crate) struct Resolved {
    /// The lifted core function (`None` for a lowering).
    func: Option<wasmtime::Func>,
    memory: Option<wasmtime::Memory>,
    realloc: Option<Realloc32>,
    post_return: Option<wasmtime::Func>,
    /// Parameter and result types with the instance's runtime resource types.
    params: Arc<[Type]>,
    results: Arc<[Type]>,
}

/// Resolves lift `l` of instance `inst`, or returns what an earlier call resolved. Nothing
/// is cached until every item exists (a start function may call before later core
/// instances are made).
fn resolved_lift<T: Send + 'static>(
    cx: &mut StoreContextMut<'_, Data<T>>,
    inst: usize,
    l: u32,
) -> wasmtime::Result<Arc<Resolved>> {
    if let Some(r) = &cx.data().instances[inst].resolved_lifts[l as usize] {
        return Ok(r.clone());
    }
    let component = cx.data().instances[inst].component.clone();
    let lift = &component.inner.plan.lifts[l as usize];
    let r = resolve_all(cx, inst, Some(&lift.func), &lift.options, &lift.ty)?;
    cx.data_mut().instances[inst].resolved_lifts[l as usize] = Some(r.clone());
    Ok(r)
}

/// Resolves lowering `l` of instance `inst` (its memory, `realloc` and types), once.
fn resolved_lowering<T: Send + 'static>(
    cx: &mut StoreContextMut<'_, Data<T>>,
    inst: usize,
    l: u32,
) -> wasmtime::Result<Arc<Resolved>> {
    if let Some(r) = &cx.data().instances[inst].resolved_lowerings[l as usize] {
        return Ok(r.clone());
    }
    let component = cx.data().instances[inst].component.clone();
    let lowering = &component.inner.plan.lowerings[l as usize];
    let r = resolve_all(cx, inst, None, &lowering.options, &lowering.ty)?;
    cx.data_mut().instances[inst].resolved_lowerings[l as usize] = Some(r.clone());
    Ok(r)
}

/// The items of canonical `options` (and a lift's core function) and the runtime types of
/// `ty`, resolved in instance `inst`.
fn resolve_all<T: Send + 'static>(
    cx: &mut StoreContextMut<'_, Data<T>>,
    inst: usize,
    func: Option<&CoreDef>,
    options: &Options,
    ty: &FuncType,
) -> wasmtime::Result<Arc<Resolved>> {
    let mut func_of = |def: Option<&CoreDef>| def.map(|d| resolve_func(cx, inst, d)).transpose();
    let func = func_of(func)?;
    let realloc = func_of(options.realloc.as_ref())?;
    let post_return = func_of(options.post_return.as_ref())?;
    let realloc = realloc
        .map(|f| f.typed::<(i32, i32, i32, i32), i32>(&*cx))
        .transpose()?;
    let memory = resolve_memory(cx, inst, &options.memory)?;
    let (params, results) = runtime_types(&cx.data().instances[inst], ty);
    Ok(Arc::new(Resolved {
        func,
        memory,
        realloc,
        post_return,
        params: params.into(),
        results: results.into(),
    }))
}
