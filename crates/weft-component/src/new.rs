//! `weft new`: wrap a core module into a component.
//!
//! The world comes from `--wit` or from the module's `component-type*` custom sections. The
//! module's imports and exports are bound to the world by the canonical ABI's naming
//! conventions ([`bind`]), then the component is assembled:
//!
//! 1. the world's imports that the module (or an export's types) uses, as instances, functions
//!    and types — only the functions and types actually used, as wit-component does;
//! 2. a *shim* module: a table of `funcref` and one trampoline per import that needs the main
//!    module's memory or `cabi_realloc` (which do not exist before the main module is
//!    instantiated), and per destructor of an exported resource;
//! 3. exported resource types and their `resource.new/rep/drop` built-ins;
//! 4. the main module, instantiated with one core instance per import module name;
//! 5. a *fixup* module that fills the shim's table with the real lowered functions;
//! 6. `_initialize`, if exported, run by a module whose start function calls it;
//! 7. the world's exports: lifted functions, and instances for exported interfaces.

mod bind;
mod builder;

use std::collections::{HashMap, HashSet};

use wasm_encoder::{
    CanonicalOption, ComponentExportKind, ComponentTypeEncoder, ComponentTypeRef, ExportKind,
    InstanceType, TypeBounds,
};
use weft_binary::{Binary, CoreFuncType, CoreValType, Module};
use weft_wit::{
    Function, InterfaceId, Resolve, Type, TypeDefKind, TypeId, TypeOwner, WorldId, WorldItem,
};

use crate::abi::{flatten_functype, AbiOptions, Context, MAX_FLAT_PARAMS, MAX_FLAT_RESULTS};
use crate::encode::types::{TypeEncoder, TypeSpace};
use crate::{Error, Result, StringEncoding};
use bind::{key_name, Bindings, ImportUse};
use builder::{Builder, ResourceBuiltin};

/// What `weft new` wraps a module with.
#[derive(Default)]
pub struct NewOptions {
    /// The world, when given with `--wit` (otherwise read from the module's custom sections).
    pub world: Option<(Resolve, WorldId)>,
    /// The string encoding of the module's bindings (otherwise from the custom sections,
    /// UTF-8 by default).
    pub string_encoding: Option<StringEncoding>,
}

/// Wraps core module `module` into a component.
pub fn new_component(module: &[u8], opts: NewOptions) -> Result<Vec<u8>> {
    let parsed = match weft_binary::decode(module)? {
        Binary::Module(m) => m,
        Binary::Component(_) => {
            return Err(
                Error::msg("the input is already a component, not a core module").with_help(
                    "`weft new` wraps core modules; inspect this one with `weft inspect`",
                ),
            )
        }
    };
    let (resolve, world, encoding) = match opts.world {
        Some((resolve, world)) => (resolve, world, opts.string_encoding.unwrap_or_default()),
        None => {
            let (resolve, world, encoding) = world_from_module(module)?;
            (resolve, world, opts.string_encoding.unwrap_or(encoding))
        }
    };
    let bindings = bind::bind(&resolve, world, &parsed, &|_| false)?;
    let main = strip_metadata(module)?;
    Assembler::new(&resolve, world, &parsed, &bindings, encoding).assemble(&main)
}

/// The world in the module's `component-type*` custom sections, or an empty world.
fn world_from_module(module: &[u8]) -> Result<(Resolve, WorldId, StringEncoding)> {
    match crate::decode_metadata(module)? {
        Some(m) => Ok((m.resolve, m.world, m.string_encoding)),
        None => {
            let mut resolve = Resolve::new();
            let pkg = resolve
                .push_str("<empty>", "package root:component;\nworld root {}\n")
                .map_err(|e| Error::msg(e.to_string()))?;
            let world = resolve.packages[pkg].worlds[0];
            Ok((resolve, world, StringEncoding::Utf8))
        }
    }
}

/// The module without its `component-type*` custom sections (the component carries the
/// world in its own types).
fn strip_metadata(module: &[u8]) -> Result<Vec<u8>> {
    let mut out = wasm_encoder::Module::new();
    for payload in wasmparser::Parser::new(0).parse_all(module) {
        let payload = payload?;
        if let wasmparser::Payload::CustomSection(c) = &payload {
            if c.name().starts_with("component-type") {
                continue;
            }
        }
        if let Some((id, range)) = payload.as_section() {
            out.section(&wasm_encoder::RawSection {
                id,
                data: &module[range],
            });
        }
    }
    Ok(out.finish())
}

/// Whether values of `ty` live (partly) in linear memory: strings and lists.
fn has_pointers(resolve: &Resolve, ty: Type) -> bool {
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
fn needs(resolve: &Resolve, func: &Function, context: Context) -> (bool, bool) {
    let mut flat = Vec::new();
    for p in &func.params {
        crate::abi::flatten_type(resolve, p.ty, &mut flat);
    }
    let params_spill = flat.len() > MAX_FLAT_PARAMS;
    flat.clear();
    if let Some(t) = func.result {
        crate::abi::flatten_type(resolve, t, &mut flat);
    }
    let results_spill = flat.len() > MAX_FLAT_RESULTS;
    let params_ptr = func.params.iter().any(|p| has_pointers(resolve, p.ty));
    let result_ptr = func.result.is_some_and(|t| has_pointers(resolve, t));
    let memory = params_spill || results_spill || params_ptr || result_ptr;
    let realloc = match context {
        Context::Lift => params_spill || params_ptr,
        Context::Lower => result_ptr,
    };
    (memory, realloc)
}

/// Types and interfaces the component must carry: everything used, transitively, by the
/// imported functions the module calls and by every export.
///
/// A type owned by an exported interface belongs to that export; reaching one does not make
/// its interface an import, even when the world imports the same interface too.
#[derive(Default)]
struct Live {
    /// Exported interfaces.
    exported: HashSet<InterfaceId>,
    /// Types the imports must provide.
    types: HashSet<TypeId>,
    /// Types of exported interfaces already walked.
    export_types: HashSet<TypeId>,
    /// Imported interfaces whose types are used.
    interfaces: HashSet<InterfaceId>,
    /// Import keys (by name) that the module calls into.
    keys: HashSet<String>,
    /// Functions the module calls: (import key name, function name).
    funcs: HashSet<(String, String)>,
}

impl Live {
    fn ty(&mut self, resolve: &Resolve, ty: Type) {
        let Type::Id(id) = ty else { return };
        let def = &resolve.types[id];
        match def.owner {
            TypeOwner::Interface(i) if self.exported.contains(&i) => {
                if !self.export_types.insert(id) {
                    return;
                }
            }
            owner => {
                if !self.types.insert(id) {
                    return;
                }
                if let TypeOwner::Interface(i) = owner {
                    self.interfaces.insert(i);
                }
            }
        }
        match &def.kind {
            TypeDefKind::Record(r) => r.fields.iter().for_each(|f| self.ty(resolve, f.ty)),
            TypeDefKind::Tuple(t) => t.types.iter().for_each(|t| self.ty(resolve, *t)),
            TypeDefKind::Variant(v) => v
                .cases
                .iter()
                .filter_map(|c| c.ty)
                .for_each(|t| self.ty(resolve, t)),
            TypeDefKind::Option(t)
            | TypeDefKind::List(t)
            | TypeDefKind::FixedLengthList(t, _)
            | TypeDefKind::Type(t) => self.ty(resolve, *t),
            TypeDefKind::Map(k, v) => {
                self.ty(resolve, *k);
                self.ty(resolve, *v);
            }
            TypeDefKind::Result(r) => {
                if let Some(t) = r.ok {
                    self.ty(resolve, t);
                }
                if let Some(t) = r.err {
                    self.ty(resolve, t);
                }
            }
            TypeDefKind::Future(t) | TypeDefKind::Stream(t) => {
                if let Some(t) = t {
                    self.ty(resolve, *t);
                }
            }
            TypeDefKind::Handle(weft_wit::Handle::Own(r) | weft_wit::Handle::Borrow(r)) => {
                self.ty(resolve, Type::Id(*r))
            }
            TypeDefKind::Flags(_)
            | TypeDefKind::Enum(_)
            | TypeDefKind::Resource
            | TypeDefKind::Unknown => {}
        }
    }

    fn func(&mut self, resolve: &Resolve, func: &Function) {
        for p in &func.params {
            self.ty(resolve, p.ty);
        }
        if let Some(t) = func.result {
            self.ty(resolve, t);
        }
        if let Some(r) = func.kind.resource() {
            self.ty(resolve, Type::Id(r));
        }
    }
}

/// How names are bound in the root component while types are defined there.
enum Mode {
    /// World-level types are imported by name.
    Import,
    /// Types of exported interface `iface` are defined in the root and exported through the
    /// interface's instance; `names` collects them.
    Export {
        iface: InterfaceId,
        names: Vec<(String, u32)>,
    },
}

/// The root component as a [`TypeSpace`].
struct Root<'r> {
    b: Builder,
    resolve: &'r Resolve,
    /// Instance index of each imported interface.
    instances: HashMap<InterfaceId, u32>,
    /// Instance index of each import, by its name.
    by_key: HashMap<String, u32>,
    /// Instance index of each exported interface exported so far.
    exported: HashMap<InterfaceId, u32>,
    /// Root type index of each type aliased out of an instance: (from an export?, type).
    aliases: HashMap<(bool, TypeId), u32>,
    /// Root type index of each exported resource.
    resources: HashMap<TypeId, u32>,
    mode: Mode,
}

impl TypeSpace for Root<'_> {
    fn define(&mut self) -> (u32, ComponentTypeEncoder<'_>) {
        self.b.ty()
    }

    fn bind(
        &mut self,
        name: wasm_encoder::ComponentExternName<'_>,
        bounds: TypeBounds,
    ) -> Result<Option<u32>> {
        match &mut self.mode {
            Mode::Import => Ok(Some(
                self.b.import(&name.name, ComponentTypeRef::Type(bounds)),
            )),
            Mode::Export { iface, names } => {
                // A resource is already defined (with its destructor); other named types are
                // the structure just defined, named only inside the exported instance.
                let (index, bound) = match bounds {
                    TypeBounds::SubResource => {
                        let id = self.resolve.interfaces[*iface]
                            .types
                            .get(name.name.as_ref())
                            .copied();
                        match id.and_then(|id| self.resources.get(&id)) {
                            Some(i) => (*i, Some(*i)),
                            None => {
                                return Err(Error::msg(format!(
                                    "resource `{}` of an exported interface was not defined",
                                    name.name
                                )))
                            }
                        }
                    }
                    TypeBounds::Eq(i) => (i, None),
                };
                names.push((name.name.to_string(), index));
                Ok(bound)
            }
        }
    }

    fn foreign(&mut self, resolve: &Resolve, owner: InterfaceId, id: TypeId) -> Result<u32> {
        // While an export is defined, an interface the world exports provides its own types;
        // otherwise they come from the import.
        let from_export =
            matches!(self.mode, Mode::Export { .. }) && self.exported.contains_key(&owner);
        if let Some(i) = self.aliases.get(&(from_export, id)) {
            return Ok(*i);
        }
        let instance = if from_export {
            self.exported[&owner]
        } else {
            match self.instances.get(&owner) {
                Some(i) => *i,
                None => {
                    return Err(Error::msg(format!(
                        "a type of interface `{}` is used, but the world neither imports nor exports that interface",
                        resolve.id_of(owner).unwrap_or_else(|| "<anonymous>".into())
                    ))
                    .with_help("add the interface to the world"))
                }
            }
        };
        let name = resolve.types[id]
            .name
            .as_deref()
            .ok_or_else(|| Error::msg("an anonymous type is owned by an interface"))?;
        let index = self
            .b
            .alias_export(instance, name, ComponentExportKind::Type);
        self.aliases.insert((from_export, id), index);
        Ok(index)
    }
}

/// `[method]r.f` → `method-r-f`, `f` → `func-f`: a function name as a plain kebab name.
fn sanitize(name: &str) -> String {
    match name.strip_prefix('[') {
        Some(rest) => rest.replace([']', '.'], "-"),
        None => format!("func-{name}"),
    }
}

/// The nested component that names an exported interface's types, while its imports are
/// being defined: every named type is imported (`import-type-…`), foreign ones included.
struct Nested<'r> {
    b: Builder,
    resolve: &'r Resolve,
    /// The interface whose types are being defined (foreign types push their owner).
    stack: Vec<InterfaceId>,
    /// Every type imported: import name and index.
    imported: indexmap::IndexMap<TypeId, (String, u32)>,
    /// Import names used so far.
    names: HashSet<String>,
    /// Whether the exports are being defined: names are then bound by exporting, and foreign
    /// types are their imports.
    exporting: bool,
}

impl Nested<'_> {
    fn unique(&mut self, base: &str) -> String {
        let mut name = base.to_string();
        let mut n = 1;
        while !self.names.insert(name.clone()) {
            n += 1;
            name = format!("{base}{n}");
        }
        name
    }
}

impl TypeSpace for Nested<'_> {
    fn define(&mut self) -> (u32, ComponentTypeEncoder<'_>) {
        self.b.ty()
    }

    fn bind(
        &mut self,
        name: wasm_encoder::ComponentExternName<'_>,
        bounds: TypeBounds,
    ) -> Result<Option<u32>> {
        let iface = *self
            .stack
            .last()
            .ok_or_else(|| Error::msg("no interface being encoded"))?;
        let id = *self.resolve.interfaces[iface]
            .types
            .get(name.name.as_ref())
            .ok_or_else(|| Error::msg(format!("type `{}` is not in its interface", name.name)))?;
        if self.exporting {
            let index = match bounds {
                TypeBounds::SubResource => {
                    self.imported
                        .get(&id)
                        .ok_or_else(|| {
                            Error::msg(format!("resource `{}` was not imported", name.name))
                        })?
                        .1
                }
                TypeBounds::Eq(i) => i,
            };
            return Ok(Some(self.b.export(
                &name.name,
                ComponentExportKind::Type,
                index,
            )));
        }
        let import = self.unique(&format!("import-type-{}", name.name));
        let index = self.b.import(&import, ComponentTypeRef::Type(bounds));
        self.imported.insert(id, (import, index));
        Ok(Some(index))
    }

    fn foreign(&mut self, resolve: &Resolve, owner: InterfaceId, id: TypeId) -> Result<u32> {
        if let Some((_, index)) = self.imported.get(&id) {
            return Ok(*index);
        }
        if self.exporting {
            return Err(Error::msg(format!(
                "type `{}` of `{}` was not imported",
                resolve.types[id].name.as_deref().unwrap_or("?"),
                resolve.id_of(owner).unwrap_or_default()
            )));
        }
        self.stack.push(owner);
        let mut types = TypeEncoder::new(self.resolve, Some(owner));
        let result = types.valtype(self, &Type::Id(id));
        self.stack.pop();
        match result? {
            wasm_encoder::ComponentValType::Type(index) => Ok(index),
            wasm_encoder::ComponentValType::Primitive(_) => Err(Error::msg(format!(
                "type `{}` of `{}` is not a defined type",
                resolve.types[id].name.as_deref().unwrap_or("?"),
                resolve.id_of(owner).unwrap_or_default()
            ))),
        }
    }
}

/// An imported interface's instance type as a [`TypeSpace`]; foreign types are aliased from
/// the root.
struct InstanceSpace<'a, 'r> {
    root: &'a mut Root<'r>,
    ty: InstanceType,
}

impl TypeSpace for InstanceSpace<'_, '_> {
    fn define(&mut self) -> (u32, ComponentTypeEncoder<'_>) {
        (self.ty.type_count(), self.ty.ty())
    }

    fn bind(
        &mut self,
        name: wasm_encoder::ComponentExternName<'_>,
        bounds: TypeBounds,
    ) -> Result<Option<u32>> {
        let index = self.ty.type_count();
        self.ty.export(name, ComponentTypeRef::Type(bounds));
        Ok(Some(index))
    }

    fn foreign(&mut self, resolve: &Resolve, owner: InterfaceId, id: TypeId) -> Result<u32> {
        let outer = self.root.foreign(resolve, owner, id)?;
        let index = self.ty.type_count();
        self.ty.alias(wasm_encoder::Alias::Outer {
            kind: wasm_encoder::ComponentOuterAliasKind::Type,
            count: 1,
            index: outer,
        });
        Ok(index)
    }
}

struct Assembler<'a> {
    resolve: &'a Resolve,
    world: WorldId,
    module: &'a Module,
    bindings: &'a Bindings<'a>,
    encoding: StringEncoding,
}

impl<'a> Assembler<'a> {
    fn new(
        resolve: &'a Resolve,
        world: WorldId,
        module: &'a Module,
        bindings: &'a Bindings<'a>,
        encoding: StringEncoding,
    ) -> Assembler<'a> {
        Assembler {
            resolve,
            world,
            module,
            bindings,
            encoding,
        }
    }

    fn live(&self) -> Live {
        let resolve = self.resolve;
        let world = &resolve.worlds[self.world];
        let mut live = Live::default();
        // The module's imports are walked with no interface counted as exported: what they
        // use comes from the imports.
        for uses in self.bindings.imports.values() {
            for (_, u) in uses {
                match u {
                    ImportUse::Lower { key, func, .. } => {
                        live.func(resolve, func);
                        let key = key_name(resolve, key);
                        live.funcs.insert((key.clone(), func.name.clone()));
                        live.keys.insert(key);
                    }
                    ImportUse::ImportedDrop(r) => live.ty(resolve, Type::Id(*r)),
                    ImportUse::Exported(..) => {}
                }
            }
        }
        // World-level types are always part of the world.
        for item in world.imports.values() {
            if let WorldItem::Type { id, .. } = item {
                live.ty(resolve, Type::Id(*id));
            }
        }
        live.exported = world
            .exports
            .values()
            .filter_map(|item| match item {
                WorldItem::Interface { id, .. } => Some(*id),
                _ => None,
            })
            .collect();
        for (key, funcs) in &self.bindings.exports {
            if let Some(WorldItem::Interface { id, .. }) = world.exports.get(*key) {
                for ty in resolve.interfaces[*id].types.values() {
                    live.ty(resolve, Type::Id(*ty));
                }
            }
            for f in funcs {
                live.func(resolve, f.func);
            }
        }
        live
    }

    fn check_memory(
        &self,
        func: &Function,
        needs_memory: bool,
        needs_realloc: bool,
        what: &str,
    ) -> Result<()> {
        if needs_memory && !self.bindings.memory {
            return Err(Error::msg(format!(
                "{what} `{}` passes values through linear memory, but the core module does not export `memory`",
                func.name
            ))
            .with_help("export the module's memory as `memory`"));
        }
        if needs_realloc && !self.bindings.realloc {
            return Err(Error::msg(format!(
                "{what} `{}` needs to allocate in the module's memory, but the core module does not export `cabi_realloc`",
                func.name
            ))
            .with_help("export `cabi_realloc: (func (param i32 i32 i32 i32) (result i32))` (bindings generators emit it)"));
        }
        Ok(())
    }

    fn options(
        &self,
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
            opts.push(match self.encoding {
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

    fn assemble(self, main_bytes: &[u8]) -> Result<Vec<u8>> {
        let resolve = self.resolve;
        let world = &resolve.worlds[self.world];
        let live = self.live();
        let mut root = Root {
            b: Builder::new(),
            resolve,
            instances: HashMap::new(),
            by_key: HashMap::new(),
            exported: HashMap::new(),
            aliases: HashMap::new(),
            resources: HashMap::new(),
            mode: Mode::Import,
        };
        let mut root_types = TypeEncoder::new(resolve, None);

        // 1. Imports.
        let mut world_funcs: HashMap<&str, u32> = HashMap::new();
        for (key, item) in &world.imports {
            match item {
                WorldItem::Interface { id, .. } => {
                    let name = key_name(resolve, key);
                    if !live.interfaces.contains(id) && !live.keys.contains(&name) {
                        continue;
                    }
                    let iface = &resolve.interfaces[*id];
                    let mut space = InstanceSpace {
                        root: &mut root,
                        ty: InstanceType::new(),
                    };
                    let mut types = TypeEncoder::new(resolve, Some(*id));
                    for ty in iface.types.values() {
                        if live.types.contains(ty) {
                            types.valtype(&mut space, &Type::Id(*ty))?;
                        }
                    }
                    for (name, func) in &iface.functions {
                        if live.funcs.contains(&(key_name(resolve, key), name.clone())) {
                            let index = types.func_type(&mut space, func)?;
                            space
                                .ty
                                .export(name.as_str(), ComponentTypeRef::Func(index));
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
                    root.by_key.insert(key_name(resolve, key), instance);
                }
                WorldItem::Function(func) => {
                    if !live.funcs.contains(&(func.name.clone(), func.name.clone())) {
                        continue;
                    }
                    let ty = root_types.func_type(&mut root, func)?;
                    let index = root.b.import(&func.name, ComponentTypeRef::Func(ty));
                    world_funcs.insert(func.name.as_str(), index);
                }
                WorldItem::Type { id, .. } => {
                    if live.types.contains(id) {
                        root_types.valtype(&mut root, &Type::Id(*id))?;
                    }
                }
            }
        }

        // 2. The shim: trampolines for lowerings that need the main module's memory, and for
        // destructors.
        let mut shimmed: Vec<ShimEntry<'_>> = Vec::new();
        for (module, uses) in &self.bindings.imports {
            for (field, u) in uses {
                if let ImportUse::Lower { func, .. } = u {
                    let (memory, realloc) = needs(resolve, func, Context::Lower);
                    self.check_memory(func, memory, realloc, "imported function")?;
                    if memory {
                        shimmed.push(ShimEntry::Lower {
                            module: module.as_str(),
                            field: field.as_str(),
                            realloc,
                            sig: flatten_functype(
                                resolve,
                                func,
                                AbiOptions::default(),
                                Context::Lower,
                            ),
                        });
                    }
                }
            }
        }
        for (resource, dtor) in &self.bindings.dtors {
            shimmed.push(ShimEntry::Dtor {
                resource: *resource,
                export: dtor.as_str(),
            });
        }
        let shim = if shimmed.is_empty() {
            None
        } else {
            let module = root.b.core_module(&shim_module(&shimmed));
            Some(root.b.core_instantiate(module, &[]))
        };
        let shim_func = |root: &mut Root<'_>, i: usize| {
            root.b
                .core_alias_export(shim.unwrap_or_default(), &i.to_string(), ExportKind::Func)
        };

        // 3. Exported resources.
        for (key, item) in &world.exports {
            let WorldItem::Interface { id, .. } = item else {
                continue;
            };
            let _ = key;
            for ty in resolve.interfaces[*id].types.values() {
                if !matches!(resolve.types[*ty].kind, TypeDefKind::Resource)
                    || !live.export_types.contains(ty)
                {
                    continue;
                }
                let dtor = shimmed
                    .iter()
                    .position(|e| matches!(e, ShimEntry::Dtor { resource, .. } if resource == ty))
                    .map(|i| shim_func(&mut root, i));
                let (index, enc) = root.b.ty();
                enc.resource(wasm_encoder::ValType::I32, dtor);
                root.resources.insert(*ty, index);
            }
        }

        // 4. The main module and its import instances.
        let main = root.b.core_module(main_bytes);
        let mut args: Vec<(String, u32)> = Vec::new();
        for (module, uses) in &self.bindings.imports {
            let mut items: Vec<(&str, ExportKind, u32)> = Vec::new();
            for (field, u) in uses {
                let index = match u {
                    ImportUse::Lower { key, interface, func } => {
                        if let Some(i) = shimmed.iter().position(
                            |e| matches!(e, ShimEntry::Lower { module: m, field: f, .. } if m == module && f == field),
                        ) {
                            shim_func(&mut root, i)
                        } else {
                            let f = imported_func(&mut root, &world_funcs, key, *interface, func)?;
                            root.b.lower(f, Vec::new())
                        }
                    }
                    ImportUse::ImportedDrop(r) => {
                        let ty = self.resource_index(&mut root, &mut root_types, *r)?;
                        root.b.resource_builtin(ResourceBuiltin::Drop, ty)
                    }
                    ImportUse::Exported(which, r) => {
                        let ty = *root.resources.get(r).ok_or_else(|| Error::msg("exported resource not defined"))?;
                        root.b.resource_builtin(*which, ty)
                    }
                };
                items.push((field.as_str(), ExportKind::Func, index));
            }
            let instance = root.b.core_instance_from_exports(&items);
            args.push((module.clone(), instance));
        }
        let args_ref: Vec<(&str, u32)> = args.iter().map(|(n, i)| (n.as_str(), *i)).collect();
        let main_instance = root.b.core_instantiate(main, &args_ref);
        let memory = if self.bindings.memory {
            Some(
                root.b
                    .core_alias_export(main_instance, "memory", ExportKind::Memory),
            )
        } else {
            None
        };
        let mut realloc_index = None;
        let mut realloc = |root: &mut Root<'_>| -> u32 {
            *realloc_index.get_or_insert_with(|| {
                root.b
                    .core_alias_export(main_instance, "cabi_realloc", ExportKind::Func)
            })
        };

        // 5. The fixup: fill the shim's table.
        if let Some(shim_instance) = shim {
            let mut items: Vec<(String, ExportKind, u32)> = Vec::new();
            for (i, entry) in shimmed.iter().enumerate() {
                let index = match entry {
                    ShimEntry::Lower {
                        module,
                        field,
                        realloc: needs_realloc,
                        ..
                    } => {
                        let Some(ImportUse::Lower {
                            key,
                            interface,
                            func,
                        }) = self.bindings.imports[*module]
                            .iter()
                            .find(|(f, _)| f == field)
                            .map(|(_, u)| u)
                        else {
                            return Err(Error::msg("shimmed import vanished"));
                        };
                        let f = imported_func(&mut root, &world_funcs, key, *interface, func)?;
                        let r = if *needs_realloc {
                            Some(realloc(&mut root))
                        } else {
                            None
                        };
                        let opts = self.options(memory, r, None);
                        root.b.lower(f, opts)
                    }
                    ShimEntry::Dtor { export, .. } => {
                        root.b
                            .core_alias_export(main_instance, export, ExportKind::Func)
                    }
                };
                items.push((i.to_string(), ExportKind::Func, index));
            }
            let items_ref: Vec<(&str, ExportKind, u32)> =
                items.iter().map(|(n, k, i)| (n.as_str(), *k, *i)).collect();
            let actual = root.b.core_instance_from_exports(&items_ref);
            let fixup = root.b.core_module(&fixup_module(&shimmed));
            root.b
                .core_instantiate(fixup, &[("shim", shim_instance), ("actual", actual)]);
        }

        // 6. `_initialize`.
        if self.bindings.initialize {
            let init = root.b.core_module(&initialize_module());
            root.b.core_instantiate(init, &[("main", main_instance)]);
        }

        // 7. Exports, each exported interface after those whose types it uses.
        for (key, item) in export_order(resolve, world) {
            let funcs = self
                .bindings
                .exports
                .get(key)
                .map(Vec::as_slice)
                .unwrap_or_default();
            match item {
                WorldItem::Function(_) => {
                    for f in funcs {
                        let ty = root_types.func_type(&mut root, f.func)?;
                        let lifted =
                            self.lift(&mut root, main_instance, memory, &mut realloc, f, ty)?;
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
                        let index =
                            self.lift(&mut root, main_instance, memory, &mut realloc, f, ty)?;
                        lifted.push((f.func.name.as_str(), index));
                    }
                    let names = match &root.mode {
                        Mode::Export { names, .. } => names.clone(),
                        Mode::Import => Vec::new(),
                    };
                    let instance = self.export_instance(&mut root, *id, &names, funcs, &lifted)?;
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

        let mut producers = wasm_encoder::ProducersSection::new();
        let mut field = wasm_encoder::ProducersField::new();
        field.value("weft", env!("CARGO_PKG_VERSION"));
        producers.field("processed-by", &field);
        root.b
            .custom_section("producers", &producers_data(&producers));
        let bytes = root.b.finish();
        if let Some(path) = std::env::var_os("WEFT_DEBUG_NEW_OUTPUT") {
            let _ = std::fs::write(path, &bytes);
        }
        wasmparser::Validator::new_with_features(weft_binary::features())
            .validate_all(&bytes)
            .map_err(|e| {
                Error::from(e).context(
                    "weft new produced an invalid component (a bug in weft; please report it)",
                )
            })?;
        let _ = self.module;
        Ok(bytes)
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
            names: HashSet::new(),
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

    fn resource_index(
        &self,
        root: &mut Root<'_>,
        root_types: &mut TypeEncoder<'_>,
        r: TypeId,
    ) -> Result<u32> {
        match root_types.valtype(root, &Type::Id(r))? {
            wasm_encoder::ComponentValType::Type(i) => Ok(i),
            wasm_encoder::ComponentValType::Primitive(_) => {
                Err(Error::msg("a resource encoded as a primitive"))
            }
        }
    }

    fn lift(
        &self,
        root: &mut Root<'_>,
        main_instance: u32,
        memory: Option<u32>,
        realloc: &mut dyn FnMut(&mut Root<'_>) -> u32,
        f: &bind::ExportFunc<'_>,
        ty: u32,
    ) -> Result<u32> {
        let (needs_memory, needs_realloc) = needs(self.resolve, f.func, Context::Lift);
        self.check_memory(f.func, needs_memory, needs_realloc, "exported function")?;
        let core = root
            .b
            .core_alias_export(main_instance, &f.core_name, ExportKind::Func);
        let r = if needs_realloc {
            Some(realloc(root))
        } else {
            None
        };
        let post = f
            .post_return
            .as_deref()
            .map(|p| root.b.core_alias_export(main_instance, p, ExportKind::Func));
        let opts = self.options(if needs_memory { memory } else { None }, r, post);
        Ok(root.b.lift(core, ty, opts))
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
    world_funcs: &HashMap<&str, u32>,
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

fn producers_data(section: &wasm_encoder::ProducersSection) -> Vec<u8> {
    use wasm_encoder::Encode;
    let mut data = Vec::new();
    section.encode(&mut data);
    // `encode` writes the whole custom section (id, size, name); keep only the payload.
    let mut reader = wasmparser::BinaryReader::new(&data, 0);
    let payload = (|| -> wasmparser::Result<Vec<u8>> {
        reader.read_u8()?;
        reader.read_var_u32()?;
        reader.read_string()?;
        Ok(reader.read_bytes(reader.bytes_remaining())?.to_vec())
    })();
    payload.unwrap_or_default()
}

/// One trampoline of the shim module.
enum ShimEntry<'a> {
    /// A lowered import that needs the main module's memory.
    Lower {
        module: &'a str,
        field: &'a str,
        realloc: bool,
        sig: CoreFuncType,
    },
    /// The destructor of an exported resource.
    Dtor { resource: TypeId, export: &'a str },
}

impl ShimEntry<'_> {
    fn sig(&self) -> CoreFuncType {
        match self {
            ShimEntry::Lower { sig, .. } => sig.clone(),
            ShimEntry::Dtor { .. } => CoreFuncType {
                params: vec![CoreValType::I32],
                results: vec![],
            },
        }
    }
}

fn val_type(t: CoreValType) -> wasm_encoder::ValType {
    match t {
        CoreValType::I32 => wasm_encoder::ValType::I32,
        CoreValType::I64 => wasm_encoder::ValType::I64,
        CoreValType::F32 => wasm_encoder::ValType::F32,
        CoreValType::F64 => wasm_encoder::ValType::F64,
        CoreValType::V128 => wasm_encoder::ValType::V128,
        CoreValType::Ref => wasm_encoder::ValType::FUNCREF,
    }
}

fn func_type(types: &mut wasm_encoder::TypeSection, sig: &CoreFuncType) {
    types.ty().function(
        sig.params.iter().copied().map(val_type),
        sig.results.iter().copied().map(val_type),
    );
}

fn table_type(n: usize) -> wasm_encoder::TableType {
    wasm_encoder::TableType {
        element_type: wasm_encoder::RefType::FUNCREF,
        minimum: n as u64,
        maximum: Some(n as u64),
        table64: false,
        shared: false,
    }
}

/// `(module (table N N funcref) (export "$imports" (table 0)) (func (export "i") … call_indirect))`.
fn shim_module(entries: &[ShimEntry<'_>]) -> Vec<u8> {
    let mut types = wasm_encoder::TypeSection::new();
    let mut funcs = wasm_encoder::FunctionSection::new();
    let mut tables = wasm_encoder::TableSection::new();
    let mut exports = wasm_encoder::ExportSection::new();
    let mut code = wasm_encoder::CodeSection::new();
    tables.table(table_type(entries.len()));
    for (i, e) in entries.iter().enumerate() {
        let sig = e.sig();
        func_type(&mut types, &sig);
        funcs.function(i as u32);
        exports.export(&i.to_string(), wasm_encoder::ExportKind::Func, i as u32);
        let mut body = wasm_encoder::Function::new([]);
        for p in 0..sig.params.len() {
            body.instruction(&wasm_encoder::Instruction::LocalGet(p as u32));
        }
        body.instruction(&wasm_encoder::Instruction::I32Const(i as i32));
        body.instruction(&wasm_encoder::Instruction::CallIndirect {
            type_index: i as u32,
            table_index: 0,
        });
        body.instruction(&wasm_encoder::Instruction::End);
        code.function(&body);
    }
    exports.export("$imports", wasm_encoder::ExportKind::Table, 0);
    let mut m = wasm_encoder::Module::new();
    m.section(&types)
        .section(&funcs)
        .section(&tables)
        .section(&exports)
        .section(&code);
    m.finish()
}

/// `(module (import "shim" "$imports" (table …)) (import "actual" "i" (func …)) (elem …))`.
fn fixup_module(entries: &[ShimEntry<'_>]) -> Vec<u8> {
    let mut types = wasm_encoder::TypeSection::new();
    let mut imports = wasm_encoder::ImportSection::new();
    for (i, e) in entries.iter().enumerate() {
        func_type(&mut types, &e.sig());
        imports.import(
            "actual",
            &i.to_string(),
            wasm_encoder::EntityType::Function(i as u32),
        );
    }
    imports.import(
        "shim",
        "$imports",
        wasm_encoder::EntityType::Table(table_type(entries.len())),
    );
    let mut elems = wasm_encoder::ElementSection::new();
    let funcs: Vec<u32> = (0..entries.len() as u32).collect();
    elems.active(
        Some(0),
        &wasm_encoder::ConstExpr::i32_const(0),
        wasm_encoder::Elements::Functions(funcs.into()),
    );
    let mut m = wasm_encoder::Module::new();
    m.section(&types).section(&imports).section(&elems);
    m.finish()
}

/// `(module (import "main" "_initialize" (func)) (start 0))`.
fn initialize_module() -> Vec<u8> {
    let mut types = wasm_encoder::TypeSection::new();
    types.ty().function([], []);
    let mut imports = wasm_encoder::ImportSection::new();
    imports.import("main", "_initialize", wasm_encoder::EntityType::Function(0));
    let mut m = wasm_encoder::Module::new();
    m.section(&types)
        .section(&imports)
        .section(&wasm_encoder::StartSection { function_index: 0 });
    m.finish()
}

#[cfg(test)]
mod tests;
