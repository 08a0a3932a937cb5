//! Assembling the component from the bound units (the main module and its adapters):
//!
//! 1. the imports the units use — only the functions and types actually used, as
//!    wit-component does;
//! 2. the shim module: a `funcref` table and one trampoline per function a core module must
//!    import before it exists (lowerings that need the main module's memory or an adapter's
//!    `cabi_realloc`, functions the main module imports from adapters, destructors);
//! 3. exported resource types and their `resource.new/rep/drop` built-ins;
//! 4. the main module, instantiated with one core instance per import module name;
//! 5. each adapter, instantiated with the main module's memory and exports;
//! 6. the fixup module, which fills the shim's table with the real functions;
//! 7. `_initialize`, if the main module exports it, run by a module whose start calls it;
//! 8. the units' exports: lifted functions, and instances for exported interfaces.

use weft_wit::fxhash::{HashMap, HashSet};

use wasm_encoder::{
    CanonicalOption, ComponentExportKind, ComponentTypeRef, ExportKind, InstanceType,
};
use weft_binary::{CoreFuncType, CoreKind};
use weft_wit::{Function, InterfaceId, Resolve, Type, TypeDefKind, TypeOwner, WorldItem, WorldKey};

use super::bind::{self, key_name, Builtin, ImportUse, LiftAbi, PayloadKind, PayloadOp};
use super::builder::{Builder, ResourceBuiltin};
use super::live::{self, Live};
use super::modules::{self, ShimEntry};
use super::spaces::{sanitize, InstanceSpace, Mode, Nested, Root};
use super::Unit;
use crate::abi::{flatten_functype, needs_memory_and_realloc, AbiOptions, Context};
use crate::encode::types::{TypeEncoder, TypeSpace as _};
use crate::{Error, Result, StringEncoding};

/// The shim module's trampolines and its instance.
struct Shim<'e> {
    instance: Option<u32>,
    /// The trampoline of each lowered or built-in import: (unit, module, field) → its index in
    /// `entries`.
    by_import: HashMap<(usize, &'e str, &'e str), usize>,
}

impl<'e> Shim<'e> {
    fn new(entries: &'e [ShimEntry<'e>], instance: Option<u32>) -> Shim<'e> {
        let by_import = entries
            .iter()
            .enumerate()
            .filter_map(|(i, e)| match e {
                ShimEntry::Lower {
                    unit,
                    module,
                    field,
                    ..
                }
                | ShimEntry::Builtin {
                    unit,
                    module,
                    field,
                    ..
                } => Some(((*unit, *module, *field), i)),
                _ => None,
            })
            .collect();
        Shim {
            instance,
            by_import,
        }
    }

    /// The trampoline of import `module`.`field` of unit `unit`, if it has one.
    fn of_import(&self, unit: usize, module: &str, field: &str) -> Option<usize> {
        self.by_import.get(&(unit, module, field)).copied()
    }

    /// The core function of trampoline `i`.
    fn func(&self, root: &mut Root<'_>, i: usize) -> u32 {
        root.b.core_alias_export(
            self.instance.unwrap_or_default(),
            &i.to_string(),
            ExportKind::Func,
        )
    }
}

/// What exists once a unit's core instance does: the memory, the unit's allocator, the
/// instance (for built-ins that need them).
#[derive(Copy, Clone, Default)]
struct After {
    memory: Option<u32>,
    realloc: Option<u32>,
    instance: Option<u32>,
}

/// A core instance export: name, kind, index.
type CoreItem<'a> = (&'a str, ExportKind, u32);

pub(crate) struct Assembler<'a> {
    resolve: &'a Resolve,
    units: &'a [Unit<'a>],
    /// Per unit: the allocator its lowerings (`Lower`) and its lifts (`Lift`) use, found once
    /// (see [`Assembler::realloc_name`]).
    reallocs: Vec<[Option<&'a str>; 2]>,
}

/// Indices known once the core instances exist.
#[derive(Default)]
struct Core {
    /// Core instance of each unit.
    instances: Vec<u32>,
    /// The main module's memory.
    memory: Option<u32>,
    /// `cabi_realloc` (or the adapter's variant) per unit and direction, aliased on first use.
    reallocs: HashMap<(usize, Context), u32>,
    /// Core exports of units wrapped to call the main module's `__wasm_task_hook`: (unit,
    /// export name) → the wrapper.
    hooked: HashMap<(usize, String), u32>,
}

impl<'a> Assembler<'a> {
    pub(crate) fn new(resolve: &'a Resolve, units: &'a [Unit<'a>]) -> Assembler<'a> {
        let reallocs = units
            .iter()
            .map(|unit| {
                let exports = &unit.module.exports;
                let has = |n: &str| {
                    exports
                        .iter()
                        .any(|e| e.name == n && e.kind == CoreKind::Func)
                };
                let realloc = unit.bindings.names.realloc.as_str();
                let general = (unit.bindings.realloc && has(realloc)).then_some(realloc);
                let pick = |specific: &'a str| {
                    if has(specific) {
                        Some(specific)
                    } else {
                        general
                    }
                };
                [pick("cabi_import_realloc"), pick("cabi_export_realloc")]
            })
            .collect();
        Assembler {
            resolve,
            units,
            reallocs,
        }
    }

    /// The export a unit's lowerings (`Lower`) or lifts (`Lift`) allocate with: the main
    /// module's `cabi_realloc`; an adapter's `cabi_import_realloc` / `cabi_export_realloc`, or
    /// its `cabi_realloc`.
    fn realloc_name(&self, unit: usize, context: Context) -> Option<&'a str> {
        match context {
            Context::Lower => self.reallocs[unit][0],
            Context::Lift => self.reallocs[unit][1],
        }
    }

    fn check_memory(
        &self,
        unit: usize,
        func: &Function,
        opts: AbiOptions,
        context: Context,
    ) -> Result<(bool, bool)> {
        let (needs_memory, needs_realloc) =
            needs_memory_and_realloc(self.resolve, func, opts, context);
        let what = match (context, self.units[unit].name) {
            (Context::Lower, None) => "imported function".to_string(),
            (Context::Lift, None) => "exported function".to_string(),
            (Context::Lower, Some(a)) => format!("function imported by adapter `{a}`"),
            (Context::Lift, Some(a)) => format!("function exported by adapter `{a}`"),
        };
        if needs_memory && !self.units[0].bindings.memory {
            return Err(Error::msg(format!(
                "{what} `{}` passes values through linear memory, but the core module does not export `memory`",
                func.name
            ))
            .with_help("export the module's memory as `memory`"));
        }
        if needs_realloc && self.realloc_name(unit, context).is_none() {
            return Err(Error::msg(format!(
                "{what} `{}` needs to allocate in the module's memory, but the core module does not export `cabi_realloc`",
                func.name
            ))
            .with_help("export `cabi_realloc: (func (param i32 i32 i32 i32) (result i32))` (bindings generators emit it)"));
        }
        Ok((needs_memory, needs_realloc))
    }

    fn realloc(
        &self,
        root: &mut Root<'_>,
        core: &mut Core,
        unit: usize,
        context: Context,
    ) -> Option<u32> {
        let name = self.realloc_name(unit, context)?;
        if let Some(i) = core.reallocs.get(&(unit, context)) {
            return Some(*i);
        }
        let index = core_func(root, core, unit, name);
        core.reallocs.insert((unit, context), index);
        Some(index)
    }

    fn options(
        &self,
        unit: usize,
        memory: Option<u32>,
        realloc: Option<u32>,
        post_return: Option<u32>,
    ) -> Vec<CanonicalOption> {
        let mut opts = Vec::new();
        if let Some(m) = memory {
            opts.push(CanonicalOption::Memory(m));
        }
        if let Some(r) = realloc {
            opts.push(CanonicalOption::Realloc(r));
        }
        if memory.is_some() {
            opts.push(match self.units[unit].encoding {
                StringEncoding::Utf8 => CanonicalOption::UTF8,
                StringEncoding::Utf16 => CanonicalOption::UTF16,
                StringEncoding::CompactUtf16 => CanonicalOption::CompactUTF16,
            });
        }
        if let Some(p) = post_return {
            opts.push(CanonicalOption::PostReturn(p));
        }
        opts
    }

    pub(crate) fn assemble(self) -> Result<Vec<u8>> {
        let resolve = self.resolve;
        let live = live::compute(resolve, self.units);
        let mut root = Root {
            b: Builder::new(),
            resolve,
            instances: HashMap::default(),
            by_key: HashMap::default(),
            exported: HashMap::default(),
            aliases: HashMap::default(),
            resources: HashMap::default(),
            mode: Mode::Import,
            tls: None,
            thread_start_type: None,
        };
        let mut root_types = TypeEncoder::new(resolve, None);

        // 1. Imports, once per name across the units.
        let mut world_funcs: HashMap<String, u32> = HashMap::default();
        let mut imported: HashSet<String> = HashSet::default();
        for unit in self.units {
            for (key, item) in &resolve.worlds[unit.world].imports {
                let name = key_name(resolve, key);
                if imported.contains(&name) {
                    continue;
                }
                self.import(
                    &mut root,
                    &mut root_types,
                    &live,
                    &mut world_funcs,
                    key,
                    item,
                )?;
                imported.insert(name);
            }
        }

        // 2. The shim.
        let mut shimmed: Vec<ShimEntry<'_>> = Vec::new();
        for (u, unit) in self.units.iter().enumerate() {
            for (module, uses) in &unit.bindings.imports {
                for (field, use_) in uses {
                    let memory_early = self.units[0].bindings.imported_memory.is_some();
                    if let ImportUse::Builtin(b) = use_ {
                        // Built-ins that need the module's memory or table exist only after it.
                        if b.needs_memory(resolve) || matches!(b, Builtin::ThreadNewIndirect) {
                            if b.needs_memory(resolve) && !self.units[0].bindings.memory {
                                return Err(Error::msg(format!(
                                    "core import `{module}` `{field}` uses linear memory, but the core module does not export `memory`"
                                )));
                            }
                            shimmed.push(ShimEntry::Builtin {
                                unit: u,
                                module: module.as_str(),
                                field: field.as_str(),
                                sig: b.core_type(resolve),
                            });
                        }
                    }
                    if let ImportUse::Lower { func, is_async, .. } = use_ {
                        let abi = AbiOptions {
                            is_async: *is_async,
                            callback: false,
                        };
                        let (memory, realloc) = self.check_memory(u, func, abi, Context::Lower)?;
                        // An adapter's lowerings need its own `cabi_realloc`, which exists only
                        // after it is instantiated; they go through the shim whenever they
                        // need memory at all.
                        // With an imported memory (defined by the shim, so it exists early),
                        // only lowerings that allocate need the shim.
                        if memory && (realloc || !memory_early) {
                            shimmed.push(ShimEntry::Lower {
                                unit: u,
                                module: module.as_str(),
                                field: field.as_str(),
                                realloc,
                                sig: flatten_functype(resolve, func, abi, Context::Lower),
                            });
                        }
                    }
                }
            }
            for (resource, dtor) in &unit.bindings.dtors {
                shimmed.push(ShimEntry::Dtor {
                    unit: u,
                    resource: *resource,
                    export: dtor.as_str(),
                });
            }
        }
        let main = &self.units[0];
        for import in &main.module.imports {
            if self.units[1..]
                .iter()
                .any(|a| a.name == Some(import.module.as_str()))
            {
                let sig = import
                    .func_type
                    .and_then(|t| main.module.func_types.get(t as usize)?.clone())
                    .ok_or_else(|| {
                        Error::msg(format!(
                            "core import `{}` `{}` has no function type",
                            import.module, import.name
                        ))
                    })?;
                shimmed.push(ShimEntry::Adapter {
                    module: import.module.as_str(),
                    field: import.name.as_str(),
                    sig,
                });
            }
        }
        let imported_memory = main.bindings.imported_memory.as_ref();
        let shim = if shimmed.is_empty() && imported_memory.is_none() {
            None
        } else {
            let module = root.b.core_module(&modules::shim_module(
                &shimmed,
                imported_memory.map(|(_, _, m)| m),
            ));
            Some(root.b.core_instantiate(module, &[]))
        };
        let mut core = Core::default();
        if let (Some(shim), Some(_)) = (shim, imported_memory) {
            core.memory = Some(
                root.b
                    .core_alias_export(shim, "$memory", ExportKind::Memory),
            );
        }
        let shim_ref = Shim::new(&shimmed, shim);

        // 3. Exported resources.
        for unit in self.units {
            for item in resolve.worlds[unit.world].exports.values() {
                let WorldItem::Interface { id, .. } = item else {
                    continue;
                };
                for ty in resolve.interfaces[*id].types.values() {
                    if !matches!(resolve.types[*ty].kind, TypeDefKind::Resource)
                        || !live.export_types.contains(ty)
                        || root.resources.contains_key(ty)
                    {
                        continue;
                    }
                    let dtor = shimmed
                        .iter()
                        .position(
                            |e| matches!(e, ShimEntry::Dtor { resource, .. } if resource == ty),
                        )
                        .map(|i| shim_ref.func(&mut root, i));
                    let (index, enc) = root.b.ty();
                    enc.resource(wasm_encoder::ValType::I32, dtor);
                    root.resources.insert(*ty, index);
                }
            }
        }

        // 4. The main module.
        let main_module = root.b.core_module(&main.bytes);
        let mut args = self.wit_import_args(
            &mut root,
            &mut root_types,
            &world_funcs,
            &shim_ref,
            0,
            core.memory,
        )?;
        if let (Some((module, field, _)), Some(memory)) = (imported_memory, core.memory) {
            if args.iter().any(|(m, _)| m == module) {
                return Err(Error::msg(format!(
                    "the module imports its memory from `{module}`, which also names an interface it imports"
                )));
            }
            let instance =
                root.b
                    .core_instance_from_exports(&[(field.as_str(), ExportKind::Memory, memory)]);
            args.push((module.clone(), instance));
        }
        let mut adapter_items: Vec<(&str, Vec<(&str, u32)>)> = Vec::new();
        for (i, e) in shimmed.iter().enumerate() {
            if let ShimEntry::Adapter { module, field, .. } = e {
                let index = shim_ref.func(&mut root, i);
                match adapter_items.iter_mut().find(|(m, _)| m == module) {
                    Some((_, items)) => items.push((field, index)),
                    None => adapter_items.push((module, vec![(field, index)])),
                }
            }
        }
        for (module, items) in adapter_items {
            let items: Vec<(&str, ExportKind, u32)> = items
                .iter()
                .map(|(f, i)| (*f, ExportKind::Func, *i))
                .collect();
            args.push((
                module.to_string(),
                root.b.core_instance_from_exports(&items),
            ));
        }
        let args_ref: Vec<(&str, u32)> = args.iter().map(|(n, i)| (n.as_str(), *i)).collect();
        core.instances
            .push(root.b.core_instantiate(main_module, &args_ref));
        if main.bindings.memory && core.memory.is_none() {
            core.memory = Some(root.b.core_alias_export(
                core.instances[0],
                &main.bindings.names.memory,
                ExportKind::Memory,
            ));
        }

        // 5. Adapters.
        let mut realloc_helper = None;
        for (u, unit) in self.units.iter().enumerate().skip(1) {
            let module = root.b.core_module(&unit.bytes);
            let mut args = self.wit_import_args(
                &mut root,
                &mut root_types,
                &world_funcs,
                &shim_ref,
                u,
                core.memory,
            )?;
            let mut special: Vec<(&str, Vec<CoreItem<'_>>)> = Vec::new();
            for import in &unit.module.imports {
                if import.module != "env" && import.module != "__main_module__" {
                    continue;
                }
                let item = match import.kind {
                    CoreKind::Memory => {
                        let memory = core.memory.ok_or_else(|| {
                            Error::msg(format!(
                                "adapter `{}` imports a memory, but the main module does not export `memory`",
                                unit.name.unwrap_or_default()
                            ))
                        })?;
                        (import.name.as_str(), ExportKind::Memory, memory)
                    }
                    CoreKind::Func => {
                        let exported = main
                            .module
                            .exports
                            .iter()
                            .any(|e| e.name == import.name && e.kind == CoreKind::Func);
                        let index = if exported {
                            root.b.core_alias_export(
                                core.instances[0],
                                &import.name,
                                ExportKind::Func,
                            )
                        } else if import.name == "cabi_realloc" {
                            let helper = match realloc_helper {
                                Some(h) => h,
                                None => {
                                    let memory = core.memory.ok_or_else(|| {
                                        Error::msg("the main module exports no memory")
                                    })?;
                                    let env = root.b.core_instance_from_exports(&[(
                                        "memory",
                                        ExportKind::Memory,
                                        memory,
                                    )]);
                                    let page_size_log2 = main
                                        .module
                                        .exports
                                        .iter()
                                        .find(|e| e.kind == CoreKind::Memory)
                                        .and_then(|e| main.module.memories.get(e.index as usize))
                                        .or(main.module.memories.first())
                                        .map_or(16, |m| m.page_size_log2);
                                    let m = root
                                        .b
                                        .core_module(&modules::realloc_module(page_size_log2));
                                    let h = root.b.core_instantiate(m, &[("env", env)]);
                                    realloc_helper = Some(h);
                                    h
                                }
                            };
                            root.b
                                .core_alias_export(helper, "cabi_realloc", ExportKind::Func)
                        } else {
                            return Err(Error::msg(format!(
                                "adapter `{}` needs the main module to export function `{}`",
                                unit.name.unwrap_or_default(),
                                import.name
                            ))
                            .with_help(if import.name == "_start" {
                                "the command adapter runs `_start`; build the module as a command, or pass the reactor adapter with `--adapt`"
                            } else {
                                "rebuild the module so it exports the function, or use an adapter that does not need it"
                            }));
                        };
                        (import.name.as_str(), ExportKind::Func, index)
                    }
                    other => {
                        return Err(Error::msg(format!(
                            "adapter `{}` imports a {} `{}` `{}`, which weft cannot provide",
                            unit.name.unwrap_or_default(),
                            other.as_str(),
                            import.module,
                            import.name
                        )))
                    }
                };
                match special.iter_mut().find(|(m, _)| *m == import.module) {
                    Some((_, items)) => items.push(item),
                    None => special.push((import.module.as_str(), vec![item])),
                }
            }
            for (module, items) in special {
                args.push((
                    module.to_string(),
                    root.b.core_instance_from_exports(&items),
                ));
            }
            let args_ref: Vec<(&str, u32)> = args.iter().map(|(n, i)| (n.as_str(), *i)).collect();
            core.instances
                .push(root.b.core_instantiate(module, &args_ref));
        }

        // The task hook: wrappers around everything the component calls in the modules.
        if let Some(hook) = &main.bindings.names.task_hook {
            self.task_hooks(&mut root, &mut core, hook)?;
        }

        // 6. The fixup: fill the shim's table.
        if let Some(shim_instance) = shim {
            // What each unit does with each of its imports: (unit, module, field) → the use.
            let uses: HashMap<(usize, &str, &str), &ImportUse<'_>> = self
                .units
                .iter()
                .enumerate()
                .flat_map(|(u, unit)| {
                    unit.bindings
                        .imports
                        .iter()
                        .flat_map(move |(module, fields)| {
                            fields.iter().map(move |(field, use_)| {
                                ((u, module.as_str(), field.as_str()), use_)
                            })
                        })
                })
                .collect();
            let mut items: Vec<(String, ExportKind, u32)> = Vec::new();
            for (i, entry) in shimmed.iter().enumerate() {
                let index = match entry {
                    ShimEntry::Lower {
                        unit,
                        module,
                        field,
                        realloc,
                        ..
                    } => {
                        let Some(ImportUse::Lower {
                            key,
                            interface,
                            func,
                            is_async,
                        }) = uses.get(&(*unit, *module, *field)).copied()
                        else {
                            return Err(Error::msg("a shimmed import vanished"));
                        };
                        let f = imported_func(&mut root, &world_funcs, key, *interface, func)?;
                        let r = if *realloc {
                            self.realloc(&mut root, &mut core, *unit, Context::Lower)
                        } else {
                            None
                        };
                        let mut opts = self.options(*unit, core.memory, r, None);
                        if *is_async {
                            opts.push(CanonicalOption::Async);
                        }
                        root.b.lower(f, opts)
                    }
                    ShimEntry::Builtin {
                        unit,
                        module,
                        field,
                        ..
                    } => {
                        let Some(ImportUse::Builtin(b)) =
                            uses.get(&(*unit, *module, *field)).copied()
                        else {
                            return Err(Error::msg("a shimmed built-in vanished"));
                        };
                        // Debug messages, and reads of payloads with lists or strings, allocate.
                        let allocates = match b {
                            Builtin::ErrorContextDebugMessage(_) => true,
                            Builtin::Payload {
                                op: PayloadOp::Read,
                                ty: Some((_, id)),
                                ..
                            } => match &resolve.types[*id].kind {
                                TypeDefKind::Future(Some(t)) | TypeDefKind::Stream(Some(t)) => {
                                    crate::abi::has_pointers(resolve, *t)
                                }
                                _ => false,
                            },
                            _ => false,
                        };
                        let r = if allocates {
                            self.realloc(&mut root, &mut core, *unit, Context::Lower)
                        } else {
                            None
                        };
                        let instance = core.instances[*unit];
                        self.builtin(
                            &mut root,
                            &mut root_types,
                            *unit,
                            b,
                            After {
                                memory: core.memory,
                                realloc: r,
                                instance: Some(instance),
                            },
                        )?
                    }
                    ShimEntry::Adapter { module, field, .. } => {
                        let u = self
                            .units
                            .iter()
                            .position(|a| a.name == Some(*module))
                            .ok_or_else(|| Error::msg("an adapter vanished"))?;
                        root.b
                            .core_alias_export(core.instances[u], field, ExportKind::Func)
                    }
                    ShimEntry::Dtor { unit, export, .. } => {
                        core_func(&mut root, &core, *unit, export)
                    }
                };
                items.push((i.to_string(), ExportKind::Func, index));
            }
            let items_ref: Vec<(&str, ExportKind, u32)> =
                items.iter().map(|(n, k, i)| (n.as_str(), *k, *i)).collect();
            let actual = root.b.core_instance_from_exports(&items_ref);
            let fixup = root.b.core_module(&modules::fixup_module(&shimmed));
            root.b
                .core_instantiate(fixup, &[("shim", shim_instance), ("actual", actual)]);
        }

        // 7. `_initialize`.
        if main.bindings.initialize {
            let init = root
                .b
                .core_module(&modules::initialize_module(&main.bindings.names.initialize));
            let name = &main.bindings.names.initialize;
            let init_func = core_func(&mut root, &core, 0, name);
            let instance =
                root.b
                    .core_instance_from_exports(&[(name.as_str(), ExportKind::Func, init_func)]);
            root.b.core_instantiate(init, &[("main", instance)]);
        }

        // 8. Exports, each exported interface after those whose types it uses.
        let mut exported_names: HashSet<String> = HashSet::default();
        for (u, unit) in self.units.iter().enumerate() {
            let world = &resolve.worlds[unit.world];
            for (key, item) in export_order(resolve, world) {
                let name = key_name(resolve, key);
                if !exported_names.insert(name.clone()) {
                    return Err(Error::msg(format!(
                        "`{name}` is exported by both the module and an adapter"
                    )));
                }
                let funcs = unit
                    .bindings
                    .exports
                    .get(key)
                    .map(Vec::as_slice)
                    .unwrap_or_default();
                match item {
                    WorldItem::Function(_) => {
                        for f in funcs {
                            let ty = root_types.func_type(&mut root, f.func)?;
                            let lifted = self.lift(&mut root, &mut core, u, f, ty)?;
                            root.b
                                .export(&f.func.name, ComponentExportKind::Func, lifted);
                        }
                    }
                    WorldItem::Interface { id, .. } => {
                        root.mode = Mode::Export {
                            iface: *id,
                            names: Vec::new(),
                        };
                        let mut types = TypeEncoder::new(resolve, Some(*id));
                        for ty in resolve.interfaces[*id].types.values() {
                            types.valtype(&mut root, &Type::Id(*ty))?;
                        }
                        let mut lifted = Vec::new();
                        for f in funcs {
                            let ty = types.func_type(&mut root, f.func)?;
                            let index = self.lift(&mut root, &mut core, u, f, ty)?;
                            lifted.push((f.func.name.as_str(), index));
                        }
                        let names = match &root.mode {
                            Mode::Export { names, .. } => names.clone(),
                            Mode::Import => Vec::new(),
                        };
                        let instance =
                            self.export_instance(&mut root, *id, &names, funcs, &lifted)?;
                        root.mode = Mode::Import;
                        let exported = root.b.export_named(
                            crate::encode::extern_name(resolve, key, item)?,
                            ComponentExportKind::Instance,
                            instance,
                            None,
                        );
                        root.exported.entry(*id).or_insert(exported);
                    }
                    WorldItem::Type { .. } => {}
                }
            }
        }

        let mut producers = wasm_encoder::ProducersSection::new();
        let mut field = wasm_encoder::ProducersField::new();
        field.value("weft", env!("CARGO_PKG_VERSION"));
        producers.field("processed-by", &field);
        root.b
            .custom_section("producers", &modules::producers_data(&producers));
        let bytes = root.b.finish();
        // The output's structure is validated; the function bodies in it are the input's (validated
        // when it was read) and weft's own small modules (shim, fixup), which tests validate.
        weft_binary::validate(&bytes, weft_binary::Validation::Structure).map_err(|e| {
            e.context("weft new produced an invalid component (a bug in weft; please report it)")
        })?;
        Ok(bytes)
    }

    /// Imports world item `key` if the units use it.
    fn import(
        &self,
        root: &mut Root<'_>,
        root_types: &mut TypeEncoder<'a>,
        live: &Live,
        world_funcs: &mut HashMap<String, u32>,
        key: &WorldKey,
        item: &'a WorldItem,
    ) -> Result<()> {
        let resolve = self.resolve;
        match item {
            WorldItem::Interface { id, .. } => {
                let name = key_name(resolve, key);
                if !live.interfaces.contains(id) && !live.keys.contains(&name) {
                    return Ok(());
                }
                let iface = &resolve.interfaces[*id];
                let mut space = InstanceSpace {
                    root,
                    ty: InstanceType::new(),
                };
                // The interface's live types in the order they were found live, then its
                // functions (wit-component's order, so the printed worlds agree).
                let mut types = TypeEncoder::new(resolve, Some(*id));
                for ty in &live.types {
                    if resolve.types[*ty].owner == TypeOwner::Interface(*id) {
                        types.valtype(&mut space, &Type::Id(*ty))?;
                    }
                }
                for (fname, func) in &iface.functions {
                    if live.funcs.contains(&(name.clone(), fname.clone())) {
                        let index = types.func_type(&mut space, func)?;
                        space
                            .ty
                            .export(fname.as_str(), ComponentTypeRef::Func(index));
                    }
                }
                let ty = space.ty;
                let (type_index, enc) = root.b.ty();
                enc.instance(&ty);
                let instance = root.b.import_named(
                    crate::encode::extern_name(resolve, key, item)?,
                    ComponentTypeRef::Instance(type_index),
                );
                root.instances.entry(*id).or_insert(instance);
                root.by_key.insert(name, instance);
            }
            WorldItem::Function(func) => {
                if !live.funcs.contains(&(func.name.clone(), func.name.clone())) {
                    return Ok(());
                }
                let ty = root_types.func_type(root, func)?;
                let index = root.b.import(&func.name, ComponentTypeRef::Func(ty));
                world_funcs.insert(func.name.clone(), index);
            }
            WorldItem::Type { id, .. } => {
                if live.types.contains(id) {
                    root_types.valtype(root, &Type::Id(*id))?;
                }
            }
        }
        Ok(())
    }

    /// The core instances satisfying unit `u`'s WIT imports, one per import module name.
    fn wit_import_args(
        &self,
        root: &mut Root<'_>,
        root_types: &mut TypeEncoder<'a>,
        world_funcs: &HashMap<String, u32>,
        shim: &Shim<'_>,
        u: usize,
        memory: Option<u32>,
    ) -> Result<Vec<(String, u32)>> {
        let mut args = Vec::new();
        for (module, uses) in &self.units[u].bindings.imports {
            let mut items: Vec<(&str, ExportKind, u32)> = Vec::new();
            for (field, use_) in uses {
                let index = match use_ {
                    ImportUse::Lower {
                        key,
                        interface,
                        func,
                        is_async,
                    } => {
                        let shimmed = shim.of_import(u, module, field);
                        match shimmed {
                            Some(i) => shim.func(root, i),
                            None => {
                                let f = imported_func(root, world_funcs, key, *interface, func)?;
                                // Not shimmed: either no memory is needed, or it exists already.
                                let abi = AbiOptions {
                                    is_async: *is_async,
                                    callback: false,
                                };
                                let (needs_memory, _) = needs_memory_and_realloc(
                                    self.resolve,
                                    func,
                                    abi,
                                    Context::Lower,
                                );
                                let mut opts = if needs_memory {
                                    self.options(u, memory, None, None)
                                } else {
                                    Vec::new()
                                };
                                if *is_async {
                                    opts.push(CanonicalOption::Async);
                                }
                                root.b.lower(f, opts)
                            }
                        }
                    }
                    ImportUse::Builtin(b) => {
                        let shimmed = shim.of_import(u, module, field);
                        match shimmed {
                            Some(i) => shim.func(root, i),
                            None => self.builtin(root, root_types, u, b, After::default())?,
                        }
                    }
                    ImportUse::ImportedDrop(r) => {
                        let ty = match root_types.valtype(root, &Type::Id(*r))? {
                            wasm_encoder::ComponentValType::Type(i) => i,
                            wasm_encoder::ComponentValType::Primitive(_) => {
                                return Err(Error::msg("a resource encoded as a primitive"))
                            }
                        };
                        root.b.resource_builtin(ResourceBuiltin::Drop, ty)
                    }
                    ImportUse::Exported(which, r) => {
                        let ty = *root
                            .resources
                            .get(r)
                            .ok_or_else(|| Error::msg("an exported resource was not defined"))?;
                        root.b.resource_builtin(*which, ty)
                    }
                };
                items.push((field.as_str(), ExportKind::Func, index));
            }
            args.push((module.clone(), root.b.core_instance_from_exports(&items)));
        }
        Ok(args)
    }

    fn lift(
        &self,
        root: &mut Root<'_>,
        core: &mut Core,
        u: usize,
        f: &bind::ExportFunc<'_>,
        ty: u32,
    ) -> Result<u32> {
        let abi = AbiOptions {
            is_async: f.abi != LiftAbi::Sync,
            callback: matches!(f.abi, LiftAbi::AsyncCallback(_)),
        };
        let (needs_memory, needs_realloc) = self.check_memory(u, f.func, abi, Context::Lift)?;
        let func = core_func(root, core, u, &f.core_name);
        let realloc = if needs_realloc {
            self.realloc(root, core, u, Context::Lift)
        } else {
            None
        };
        let post = f
            .post_return
            .as_deref()
            .map(|p| core_func(root, core, u, p));
        let memory = if needs_memory { core.memory } else { None };
        let mut opts = self.options(u, memory, realloc, post);
        match &f.abi {
            LiftAbi::Sync => {}
            LiftAbi::AsyncStackful => opts.push(CanonicalOption::Async),
            LiftAbi::AsyncCallback(callback) => {
                let callback = core_func(root, core, u, callback);
                opts.push(CanonicalOption::Async);
                opts.push(CanonicalOption::Callback(callback));
            }
        }
        Ok(root.b.lift(func, ty, opts))
    }

    /// Wraps every core function the component calls in a unit — lifted exports, their
    /// post-returns and callbacks, `cabi_realloc`s, destructors and `_initialize` — in a
    /// function that calls the main module's `__wasm_task_hook` with wit-component's codes:
    /// 0/1 around a sync export (1 after its post-return if it has one), 2 before an async
    /// export, 3 before its callback, then 4 (blocked) or 5 (finished) by the returned code, 5
    /// after a stackful one, 6/7 around `_initialize`, 8/9 around a destructor, 12/13 around
    /// `cabi_realloc`.
    fn task_hooks(&self, root: &mut Root<'_>, core: &mut Core, hook: &str) -> Result<()> {
        use modules::HookEnd;
        let sig_of = |u: usize, name: &str| -> Result<CoreFuncType> {
            let m = self.units[u].module;
            m.exports
                .iter()
                .find(|e| e.name == name && e.kind == CoreKind::Func)
                .and_then(|e| m.funcs.get(e.index as usize))
                .and_then(|t| m.func_types.get(*t as usize)?.clone())
                .ok_or_else(|| Error::msg(format!("core export `{name}` has no function type")))
        };
        let mut entries: Vec<modules::HookEntry> = Vec::new();
        let mut add = |u: usize, name: &str, start: Option<i32>, end: HookEnd| -> Result<()> {
            if entries.iter().any(|e| e.unit == u && e.name == name) {
                return Ok(());
            }
            entries.push(modules::HookEntry {
                unit: u,
                name: name.to_string(),
                sig: sig_of(u, name)?,
                start,
                end,
            });
            Ok(())
        };
        for (u, unit) in self.units.iter().enumerate() {
            for funcs in unit.bindings.exports.values() {
                for f in funcs {
                    match &f.abi {
                        LiftAbi::Sync => {
                            let end = match f.post_return {
                                Some(_) => HookEnd::None,
                                None => HookEnd::Code(1),
                            };
                            add(u, &f.core_name, Some(0), end)?;
                            if let Some(p) = &f.post_return {
                                add(u, p, None, HookEnd::Code(1))?;
                            }
                        }
                        LiftAbi::AsyncStackful => add(u, &f.core_name, Some(2), HookEnd::Code(5))?,
                        LiftAbi::AsyncCallback(callback) => {
                            add(u, &f.core_name, Some(2), HookEnd::AsyncCode)?;
                            add(u, callback, Some(3), HookEnd::AsyncCode)?;
                        }
                    }
                }
            }
            for context in [Context::Lower, Context::Lift] {
                if let Some(name) = self.realloc_name(u, context) {
                    add(u, name, Some(12), HookEnd::Code(13))?;
                }
            }
            for dtor in unit.bindings.dtors.values() {
                add(u, dtor, Some(8), HookEnd::Code(9))?;
            }
            if u == 0 && unit.bindings.initialize {
                add(
                    u,
                    &unit.bindings.names.initialize,
                    Some(6),
                    HookEnd::Code(7),
                )?;
            }
        }
        if entries.is_empty() {
            return Ok(());
        }
        let module = root.b.core_module(&modules::hook_module(hook, &entries));
        let mut args: Vec<(String, u32)> = vec![("main".to_string(), core.instances[0])];
        for (u, instance) in core.instances.iter().enumerate() {
            args.push((format!("unit{u}"), *instance));
        }
        let args_ref: Vec<(&str, u32)> = args.iter().map(|(n, i)| (n.as_str(), *i)).collect();
        let instance = root.b.core_instantiate(module, &args_ref);
        for (i, e) in entries.iter().enumerate() {
            let wrapper = root
                .b
                .core_alias_export(instance, &format!("hook{i}"), ExportKind::Func);
            core.hooked.insert((e.unit, e.name.clone()), wrapper);
        }
        Ok(())
    }

    /// The core function of built-in `b` for unit `u`, with `memory` (and `realloc`) for the
    /// built-ins that use them.
    fn builtin(
        &self,
        root: &mut Root<'_>,
        root_types: &mut TypeEncoder<'a>,
        u: usize,
        b: &Builtin<'a>,
        at: After,
    ) -> Result<u32> {
        let After {
            memory,
            realloc,
            instance,
        } = at;
        let encoding = |e: StringEncoding| match e {
            StringEncoding::Utf8 => CanonicalOption::UTF8,
            StringEncoding::Utf16 => CanonicalOption::UTF16,
            StringEncoding::CompactUtf16 => CanonicalOption::CompactUTF16,
        };
        let need_memory = || {
            memory.ok_or_else(|| {
                Error::msg("a built-in needs the module's memory, which it does not export")
            })
        };
        let val = |t: weft_binary::CoreValType| match t {
            weft_binary::CoreValType::I64 => wasm_encoder::ValType::I64,
            _ => wasm_encoder::ValType::I32,
        };
        Ok(match b {
            Builtin::BackpressureInc => root.b.canon(|c| {
                c.backpressure_inc();
            }),
            Builtin::BackpressureDec => root.b.canon(|c| {
                c.backpressure_dec();
            }),
            Builtin::TaskCancel => root.b.canon(|c| {
                c.task_cancel();
            }),
            Builtin::TaskReturn(iface, func) => {
                let result = match (func.result, iface) {
                    (None, _) => None,
                    (Some(t), Some(id)) => {
                        // The result's types as the export defines them.
                        let saved = std::mem::replace(
                            &mut root.mode,
                            Mode::Export {
                                iface: *id,
                                names: Vec::new(),
                            },
                        );
                        let mut types = TypeEncoder::new(self.resolve, Some(*id));
                        let v = types.valtype(root, &t);
                        root.mode = saved;
                        Some(v?)
                    }
                    (Some(t), None) => Some(root_types.valtype(root, &t)?),
                };
                let opts = if b.needs_memory(self.resolve) {
                    vec![
                        CanonicalOption::Memory(need_memory()?),
                        encoding(self.units[u].encoding),
                    ]
                } else {
                    Vec::new()
                };
                root.b.canon(|c| {
                    c.task_return(result, opts);
                })
            }
            Builtin::WaitableSetNew => root.b.canon(|c| {
                c.waitable_set_new();
            }),
            Builtin::WaitableSetWait => {
                let m = need_memory()?;
                root.b.canon(|c| {
                    c.waitable_set_wait(false, m);
                })
            }
            Builtin::WaitableSetPoll => {
                let m = need_memory()?;
                root.b.canon(|c| {
                    c.waitable_set_poll(false, m);
                })
            }
            Builtin::WaitableSetDrop => root.b.canon(|c| {
                c.waitable_set_drop();
            }),
            Builtin::WaitableJoin => root.b.canon(|c| {
                c.waitable_join();
            }),
            Builtin::ThreadYield => root.b.canon(|c| {
                c.thread_yield(false);
            }),
            Builtin::SubtaskDrop => root.b.canon(|c| {
                c.subtask_drop();
            }),
            Builtin::SubtaskCancel(is_async) => root.b.canon(|c| {
                c.subtask_cancel(*is_async);
            }),
            Builtin::ErrorContextNew(e) => {
                let opts = vec![CanonicalOption::Memory(need_memory()?), encoding(*e)];
                root.b.canon(|c| {
                    c.error_context_new(opts);
                })
            }
            Builtin::ErrorContextDebugMessage(e) => {
                let mut opts = vec![CanonicalOption::Memory(need_memory()?)];
                opts.extend(realloc.map(CanonicalOption::Realloc));
                opts.push(encoding(*e));
                root.b.canon(|c| {
                    c.error_context_debug_message(opts);
                })
            }
            Builtin::ErrorContextDrop => root.b.canon(|c| {
                c.error_context_drop();
            }),
            Builtin::Payload {
                kind,
                op,
                ty,
                is_async,
            } => {
                let index = match ty {
                    None => {
                        let (i, enc) = root.b.ty();
                        match kind {
                            PayloadKind::Future => enc.defined_type().future(None),
                            PayloadKind::Stream => enc.defined_type().stream(None),
                        }
                        i
                    }
                    Some((export, id)) => {
                        let v = match export {
                            Some(Some(iface)) => {
                                let saved = std::mem::replace(
                                    &mut root.mode,
                                    Mode::Export {
                                        iface: *iface,
                                        names: Vec::new(),
                                    },
                                );
                                let mut types = TypeEncoder::new(self.resolve, Some(*iface));
                                let v = types.valtype(root, &Type::Id(*id));
                                root.mode = saved;
                                v?
                            }
                            _ => root_types.valtype(root, &Type::Id(*id))?,
                        };
                        match v {
                            wasm_encoder::ComponentValType::Type(i) => i,
                            wasm_encoder::ComponentValType::Primitive(_) => {
                                return Err(Error::msg(
                                    "a future or stream type encoded as a primitive",
                                ))
                            }
                        }
                    }
                };
                let mut opts = Vec::new();
                if b.needs_memory(self.resolve) {
                    opts.push(CanonicalOption::Memory(need_memory()?));
                    opts.extend(realloc.map(CanonicalOption::Realloc));
                    opts.push(encoding(self.units[u].encoding));
                }
                if *is_async {
                    opts.push(CanonicalOption::Async);
                }
                let (kind, op, a) = (*kind, *op, *is_async);
                root.b.canon(|c| match (kind, op) {
                    (PayloadKind::Future, PayloadOp::New) => {
                        c.future_new(index);
                    }
                    (PayloadKind::Future, PayloadOp::Read) => {
                        c.future_read(index, opts);
                    }
                    (PayloadKind::Future, PayloadOp::Write) => {
                        c.future_write(index, opts);
                    }
                    (PayloadKind::Future, PayloadOp::CancelRead) => {
                        c.future_cancel_read(index, a);
                    }
                    (PayloadKind::Future, PayloadOp::CancelWrite) => {
                        c.future_cancel_write(index, a);
                    }
                    (PayloadKind::Future, PayloadOp::DropReadable) => {
                        c.future_drop_readable(index);
                    }
                    (PayloadKind::Future, PayloadOp::DropWritable) => {
                        c.future_drop_writable(index);
                    }
                    (PayloadKind::Stream, PayloadOp::New) => {
                        c.stream_new(index);
                    }
                    (PayloadKind::Stream, PayloadOp::Read) => {
                        c.stream_read(index, opts);
                    }
                    (PayloadKind::Stream, PayloadOp::Write) => {
                        c.stream_write(index, opts);
                    }
                    (PayloadKind::Stream, PayloadOp::CancelRead) => {
                        c.stream_cancel_read(index, a);
                    }
                    (PayloadKind::Stream, PayloadOp::CancelWrite) => {
                        c.stream_cancel_write(index, a);
                    }
                    (PayloadKind::Stream, PayloadOp::DropReadable) => {
                        c.stream_drop_readable(index);
                    }
                    (PayloadKind::Stream, PayloadOp::DropWritable) => {
                        c.stream_drop_writable(index);
                    }
                })
            }
            Builtin::ThreadIndex => root.b.canon(|c| {
                c.thread_index();
            }),
            Builtin::ThreadNewIndirect => {
                let instance = instance
                    .ok_or_else(|| Error::msg("`thread.new-indirect` needs the module's table"))?;
                if !self.units[u]
                    .module
                    .exports
                    .iter()
                    .any(|e| e.name == "__indirect_function_table" && e.kind == CoreKind::Table)
                {
                    return Err(Error::msg(
                        "`[thread-new-indirect-v0]` is imported, but the core module does not export `__indirect_function_table`",
                    )
                    .with_help("link the module with `--export-table` (wasm-ld), so threads can start from its function table"));
                }
                let table = root.b.core_alias_export(
                    instance,
                    "__indirect_function_table",
                    ExportKind::Table,
                );
                let ty = match root.thread_start_type {
                    Some(t) => t,
                    None => {
                        let t = root.b.core_func_type(&[wasm_encoder::ValType::I32], &[]);
                        root.thread_start_type = Some(t);
                        t
                    }
                };
                root.b.canon(|c| {
                    c.thread_new_indirect(ty, table);
                })
            }
            Builtin::ThreadResumeLater => root.b.canon(|c| {
                c.thread_resume_later();
            }),
            Builtin::ThreadSuspend => root.b.canon(|c| {
                c.thread_suspend(false);
            }),
            Builtin::ThreadSuspendThenResume => root.b.canon(|c| {
                c.thread_suspend_then_resume(false);
            }),
            Builtin::ThreadYieldThenResume => root.b.canon(|c| {
                c.thread_yield_then_resume(false);
            }),
            Builtin::ThreadSuspendThenPromote => root.b.canon(|c| {
                c.thread_suspend_then_promote(false);
            }),
            Builtin::ThreadYieldThenPromote => root.b.canon(|c| {
                c.thread_yield_then_promote(false);
            }),
            Builtin::TlsBaseGet(t) | Builtin::TlsBaseSet(t) => {
                let get = matches!(b, Builtin::TlsBaseGet(_));
                // A module that uses threads keeps its TLS base in task-local slot 1; one that
                // does not, in a global of a small module of its own.
                let threads = self.units[u]
                    .bindings
                    .imports
                    .values()
                    .flatten()
                    .any(|(_, i)| {
                        matches!(
                            i,
                            ImportUse::Builtin(
                                Builtin::ThreadNewIndirect
                                    | Builtin::ContextGet(_, 1)
                                    | Builtin::ContextSet(_, 1)
                            )
                        )
                    });
                if threads {
                    root.b.canon(|c| {
                        if get {
                            c.context_get(val(*t), 1);
                        } else {
                            c.context_set(val(*t), 1);
                        }
                    })
                } else {
                    let tls = match root.tls {
                        Some(i) => i,
                        None => {
                            let m = root.b.core_module(&modules::tls_module(val(*t)));
                            let i = root.b.core_instantiate(m, &[]);
                            root.tls = Some(i);
                            i
                        }
                    };
                    root.b
                        .core_alias_export(tls, if get { "get" } else { "set" }, ExportKind::Func)
                }
            }
            Builtin::ContextGet(t, slot) => root.b.canon(|c| {
                c.context_get(val(*t), *slot);
            }),
            Builtin::ContextSet(t, slot) => root.b.canon(|c| {
                c.context_set(val(*t), *slot);
            }),
        })
    }

    /// The instance exported for interface `iface`: a nested component imports the lifted
    /// functions and the types they use, and re-exports them under their WIT names with their
    /// WIT types, so the exported instance's types are named by the instance itself.
    fn export_instance(
        &self,
        root: &mut Root<'_>,
        iface: InterfaceId,
        root_names: &[(String, u32)],
        funcs: &[bind::ExportFunc<'_>],
        lifted: &[(&str, u32)],
    ) -> Result<u32> {
        let resolve = self.resolve;
        let interface = &resolve.interfaces[iface];
        let mut nested = Nested {
            b: Builder::new(),
            resolve,
            stack: vec![iface],
            imported: indexmap::IndexMap::new(),
            names: HashSet::default(),
            exporting: false,
        };
        // Imports: the interface's types, then its functions.
        let mut types = TypeEncoder::new(resolve, Some(iface));
        for ty in interface.types.values() {
            types.valtype(&mut nested, &Type::Id(*ty))?;
        }
        let mut func_imports = Vec::new();
        for f in funcs {
            let ty = types.func_type(&mut nested, f.func)?;
            let name = nested.unique(&format!("import-{}", sanitize(&f.func.name)));
            let index = nested.b.import(&name, ComponentTypeRef::Func(ty));
            func_imports.push((name, index));
        }
        // Exports: the interface's types defined again on top of the re-exported resources
        // and exported by name (so the instance names every type its functions use), then
        // the functions with their WIT types.
        nested.exporting = true;
        let mut exports = TypeEncoder::new(resolve, Some(iface));
        for ty in interface.types.values() {
            exports.valtype(&mut nested, &Type::Id(*ty))?;
        }
        for (f, (_, index)) in funcs.iter().zip(&func_imports) {
            let ty = exports.func_type(&mut nested, f.func)?;
            nested.b.export_as(
                &f.func.name,
                ComponentExportKind::Func,
                *index,
                Some(ComponentTypeRef::Func(ty)),
            );
        }
        let imported = std::mem::take(&mut nested.imported);
        let component = root.b.component(&nested.b.finish());

        // Instantiate it with the lifted functions and the root's types.
        let mut args: Vec<(String, ComponentExportKind, u32)> = Vec::new();
        for (id, (name, _)) in &imported {
            let def = &resolve.types[*id];
            let index = match def.owner {
                TypeOwner::Interface(owner) if owner == iface => {
                    let type_name = def.name.as_deref().unwrap_or_default();
                    root_names
                        .iter()
                        .find(|(n, _)| n == type_name)
                        .map(|(_, i)| *i)
                        .ok_or_else(|| {
                            Error::msg(format!(
                                "type `{type_name}` of an exported interface was not defined"
                            ))
                        })?
                }
                TypeOwner::Interface(owner) => root.foreign(resolve, owner, *id)?,
                _ => return Err(Error::msg("an exported interface uses a type of a world")),
            };
            args.push((name.clone(), ComponentExportKind::Type, index));
        }
        for ((name, _), (_, index)) in func_imports.iter().zip(lifted) {
            args.push((name.clone(), ComponentExportKind::Func, *index));
        }
        let args_ref: Vec<(&str, ComponentExportKind, u32)> =
            args.iter().map(|(n, k, i)| (n.as_str(), *k, *i)).collect();
        Ok(root.b.instantiate(component, &args_ref))
    }
}

/// Core function `name` exported by unit `unit`: its task-hook wrapper if it has one, else an
/// alias of the export.
fn core_func(root: &mut Root<'_>, core: &Core, unit: usize, name: &str) -> u32 {
    match core.hooked.get(&(unit, name.to_string())) {
        Some(i) => *i,
        None => root
            .b
            .core_alias_export(core.instances[unit], name, ExportKind::Func),
    }
}

/// The world's exports, each interface after the exported interfaces whose types it uses
/// (otherwise in world order).
fn export_order<'a>(
    resolve: &Resolve,
    world: &'a weft_wit::World,
) -> Vec<(&'a weft_wit::WorldKey, &'a WorldItem)> {
    fn visit<'a>(
        resolve: &Resolve,
        world: &'a weft_wit::World,
        i: usize,
        state: &mut Vec<u8>,
        out: &mut Vec<(&'a weft_wit::WorldKey, &'a WorldItem)>,
    ) {
        if state[i] != 0 {
            return;
        }
        state[i] = 1;
        let Some((key, item)) = world.exports.get_index(i) else {
            return;
        };
        if let WorldItem::Interface { id, .. } = item {
            for ty in resolve.interfaces[*id].types.values() {
                if let TypeDefKind::Type(Type::Id(target)) = resolve.types[*ty].kind {
                    if let TypeOwner::Interface(owner) = resolve.types[target].owner {
                        if let Some(j) = world.exports.values().position(
                            |v| matches!(v, WorldItem::Interface { id, .. } if *id == owner),
                        ) {
                            visit(resolve, world, j, state, out);
                        }
                    }
                }
            }
        }
        state[i] = 2;
        out.push((key, item));
    }
    let mut state = vec![0; world.exports.len()];
    let mut out = Vec::with_capacity(world.exports.len());
    for i in 0..world.exports.len() {
        visit(resolve, world, i, &mut state, &mut out);
    }
    out
}

/// The component function for imported WIT function `func`: an alias of the export of the
/// imported instance, or the imported world-level function.
fn imported_func(
    root: &mut Root<'_>,
    world_funcs: &HashMap<String, u32>,
    key: &weft_wit::WorldKey,
    interface: Option<InterfaceId>,
    func: &Function,
) -> Result<u32> {
    let missing = || Error::msg(format!("import of `{}` was not encoded", func.name));
    match interface {
        Some(_) => {
            let instance = *root
                .by_key
                .get(&key_name(root.resolve, key))
                .ok_or_else(missing)?;
            Ok(root
                .b
                .alias_export(instance, &func.name, ComponentExportKind::Func))
        }
        None => world_funcs
            .get(func.name.as_str())
            .copied()
            .ok_or_else(missing),
    }
}
