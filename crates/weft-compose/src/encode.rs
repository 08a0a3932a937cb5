//! Building the composed component: the inputs as nested components, the imports that stay,
//! one instance per input in dependency order, the root's exports re-exported.
//!
//! Every item is appended as soon as it is known (sections may repeat and interleave), so an
//! import that needs a type another instance exports comes after that instance. Each import of
//! the result is given the type its first importer declared, rebuilt from wasmparser's types:
//! resources and named types the importer took from another of its imports are aliased from
//! wherever that import came from, never redefined, so resource identity is kept.

use rustc_hash::FxHashMap as HashMap;

use wasm_encoder::{
    Alias, ComponentAliasSection, ComponentExportKind, ComponentExportSection,
    ComponentImportSection, ComponentInstanceSection, ComponentNameSection,
    ComponentOuterAliasKind, ComponentType, ComponentTypeEncoder, ComponentTypeRef,
    ComponentTypeSection, CoreTypeSection, Encode as _, InstanceType, NameMap, TypeBounds,
};
use wasmparser::component_types::{
    AliasableResourceId, ComponentAnyTypeId, ComponentDefinedType, ComponentDefinedTypeId,
    ComponentEntityType, ComponentFuncTypeId, ComponentInstanceTypeId, ComponentValType,
};

use crate::check::{Checker, NodeId, Origin, Origins, Side};
use crate::read::Component;
use crate::{Composed, Error, Part, Plan, Result};

/// A type as a key of the maps below, as the input's index spaces tell types apart: a resource
/// by its identity and the alias it was reached through (`type headers = fields` is the same
/// resource as `fields` under another name), a defined type by id (which includes its alias).
/// [`Space::keys`] lists what a key is an alias of, so a name-less match can still be found.
#[derive(Clone, Copy, PartialEq, Eq, Hash, Debug)]
enum Key {
    Res(AliasableResourceId),
    Def(ComponentDefinedTypeId),
}

fn any_key(id: ComponentAnyTypeId) -> Option<Key> {
    match id {
        ComponentAnyTypeId::Resource(r) => Some(Key::Res(r)),
        ComponentAnyTypeId::Defined(d) => Some(Key::Def(d)),
        _ => None,
    }
}

fn export_kind(ty: &ComponentEntityType) -> ComponentExportKind {
    match ty {
        ComponentEntityType::Module(_) => ComponentExportKind::Module,
        ComponentEntityType::Func(_) => ComponentExportKind::Func,
        ComponentEntityType::Value(_) => ComponentExportKind::Value,
        ComponentEntityType::Type { .. } => ComponentExportKind::Type,
        ComponentEntityType::Instance(_) => ComponentExportKind::Instance,
        ComponentEntityType::Component(_) => ComponentExportKind::Component,
    }
}

/// An import of the result: which input's import gave it its type, and its item.
struct TopImport {
    node: NodeId,
    ty: ComponentEntityType,
    item: (ComponentExportKind, u32),
}

/// A type a node imports by itself, as the result has it.
struct TopType {
    /// Its index in the result.
    index: u32,
    /// For a plugged one, the import's name and the definition plugging it.
    plugged: Option<(String, NodeId)>,
}

/// `'a`: the composer's inputs (components and plan); `'b`: the input bytes, which the
/// composed parts borrow.
pub(crate) struct Composer<'a, 'b> {
    comps: &'a [Component<'b>],
    plan: &'a Plan,
    origins: Origins,
    out: wasm_encoder::Component,
    n_types: u32,
    n_funcs: u32,
    n_instances: u32,
    n_components: u32,
    n_modules: u32,
    n_values: u32,
    n_core_types: u32,
    top_imports: HashMap<String, TopImport>,
    /// The item each import of each node is given: `(node, import index)`.
    import_items: HashMap<(NodeId, usize), (ComponentExportKind, u32)>,
    /// Where a node's imports name a type: `(node, key)` → `(import index, export name)`.
    locations: HashMap<(NodeId, Key), (usize, String)>,
    /// The types a node imports by themselves (top-level `(import "x" (type …))`), as the
    /// result's type indices: `(node, key)` → index, and for a plugged one the import's name
    /// and the definition plugging it (an import of the result cannot refer to that type).
    top_types: HashMap<(NodeId, Key), TopType>,
    /// Types aliased out of an import's instance: `(node, import index, export name)`.
    aliased_types: HashMap<(NodeId, usize, String), u32>,
    /// Items aliased out of a node's instance: `(node, export name)`.
    aliased_exports: HashMap<(NodeId, String), u32>,
    instances: HashMap<NodeId, u32>,
    /// The unplugged instance imports of every node, by name: one import of the result serves
    /// them all, its type the union of theirs (each importer may use other functions of the
    /// same interface).
    merged: HashMap<String, Vec<(NodeId, usize)>>,
    /// The imports whose type is being encoded (the merged ones of one name): their own
    /// types are not to be aliased from them.
    building: Vec<(NodeId, usize)>,
}

impl<'a, 'b> Composer<'a, 'b> {
    pub(crate) fn new(comps: &'a [Component<'b>], plan: &'a Plan) -> Composer<'a, 'b> {
        let mut merged: HashMap<String, Vec<(NodeId, usize)>> = HashMap::default();
        // Where each node's instance imports bring types (for the imports after them), known
        // before any is encoded: a merged import's type may need another node's.
        let mut locations = HashMap::default();
        for &node in &plan.order {
            for (idx, (name, ty)) in comps[node].imports.iter().enumerate() {
                let ComponentEntityType::Instance(id) = ty else {
                    continue;
                };
                if !plan.plugs.contains_key(&(node, idx)) {
                    merged.entry(name.clone()).or_default().push((node, idx));
                }
                for (ename, e) in &comps[node].types[*id].exports {
                    if let ComponentEntityType::Type {
                        referenced,
                        created,
                    } = e.ty
                    {
                        for k in [referenced, created].into_iter().filter_map(any_key) {
                            locations
                                .entry((node, k))
                                .or_insert_with(|| (idx, ename.clone()));
                        }
                    }
                }
            }
        }
        Composer {
            comps,
            plan,
            origins: Origins::default(),
            out: wasm_encoder::Component::new(),
            n_types: 0,
            n_funcs: 0,
            n_instances: 0,
            n_components: 0,
            n_modules: 0,
            n_values: 0,
            n_core_types: 0,
            top_imports: HashMap::default(),
            import_items: HashMap::default(),
            locations,
            top_types: HashMap::default(),
            aliased_types: HashMap::default(),
            aliased_exports: HashMap::default(),
            instances: HashMap::default(),
            merged,
            building: Vec::new(),
        }
    }

    /// The composed component, as parts: the inputs' bytes are not copied.
    pub(crate) fn run(mut self) -> Result<Composed<'b>> {
        let mut component_index = HashMap::default();
        // The header and the nested components (a section header, then an input's bytes);
        // `self.out` encodes the sections after them.
        let mut parts = Vec::new();
        let mut head = wasm_encoder::Component::HEADER.to_vec();
        for &node in &self.plan.order {
            let bytes = self.comps[node].bytes;
            head.push(wasm_encoder::ComponentSectionId::Component as u8);
            bytes.len().encode(&mut head);
            parts.push(Part::Encoded(std::mem::take(&mut head)));
            parts.push(Part::Input(bytes));
            component_index.insert(node, self.n_components);
            self.n_components += 1;
        }
        // The root's imports come first, in its order, up to its first plugged one (the ones
        // after it may need types that import's instance exports).
        for idx in 0..self.comps[0].imports.len() {
            if self.plan.plugs.contains_key(&(0, idx)) {
                break;
            }
            self.import(0, idx)?;
        }
        for &node in &self.plan.order {
            let mut args = Vec::new();
            for idx in 0..self.comps[node].imports.len() {
                let item = self.import(node, idx)?;
                args.push((self.comps[node].imports[idx].0.clone(), item.0, item.1));
            }
            let mut section = ComponentInstanceSection::new();
            section.instantiate(component_index[&node], args);
            self.out.section(&section);
            self.instances.insert(node, self.n_instances);
            self.n_instances += 1;
        }
        let root = &self.comps[0];
        let mut exports = ComponentExportSection::new();
        for (name, ty) in &root.exports {
            let kind = export_kind(ty);
            let idx = self.alias_export(0, name, kind);
            exports.export(name.as_str(), kind, idx, None);
        }
        self.out.section(&exports);
        // Names for tools (`weft inspect --graph`): each nested component and its instance is
        // called after its input's file stem.
        let (mut components, mut instances) = (NameMap::new(), NameMap::new());
        for &node in &self.plan.order {
            let label = &self.comps[node].label;
            let stem = std::path::Path::new(label)
                .file_stem()
                .map_or(label.clone(), |s| s.to_string_lossy().into_owned());
            components.append(component_index[&node], &stem);
            instances.append(self.instances[&node], &stem);
        }
        let mut names = ComponentNameSection::new();
        names.components(&components);
        names.instances(&instances);
        self.out.section(&names);
        let mut tail = self.out.finish();
        tail.drain(..wasm_encoder::Component::HEADER.len());
        parts.push(Part::Encoded(tail));
        let left_out = (0..self.comps.len())
            .filter(|n| !self.plan.order.contains(n))
            .collect();
        Ok(Composed { parts, left_out })
    }

    /// Gives import `idx` of `node` its item: a plugged export, or an import of the result.
    fn import(&mut self, node: NodeId, idx: usize) -> Result<(ComponentExportKind, u32)> {
        if let Some(item) = self.import_items.get(&(node, idx)) {
            return Ok(*item);
        }
        let comps = self.comps;
        let me = &comps[node];
        let (name, ty) = &me.imports[idx];
        let imp = Side {
            node,
            types: &me.types,
        };
        let item = if let Some(&(dep, eidx)) = self.plan.plugs.get(&(node, idx)) {
            let d = &comps[dep];
            let (ename, ety) = &d.exports[eidx];
            let exp = Side {
                node: dep,
                types: &d.types,
            };
            Checker {
                origins: &mut self.origins,
            }
            .entity(exp, ety, imp, ty)
            .map_err(|m| {
                let (import, export) = (crate::names::split(name), crate::names::split(ename));
                let help = match (import, export) {
                    ((ib, Some(iv)), (eb, Some(ev))) if ib == eb && ev < iv => format!(
                        "the export is an older version ({ev}) than the import asks for ({iv}); \
                         pass a definition built against {iv} or later"
                    ),
                    _ => "the export's type must be a subtype of the import's".to_string(),
                };
                Error::msg(format!(
                    "import `{name}` of `{}` could not be satisfied by export `{ename}` of `{}`: \
                     {m}",
                    me.label, d.label
                ))
                .with_help(help)
            })?;
            let kind = export_kind(ety);
            (kind, self.alias_export(dep, ename, kind))
        } else if let Some(top) = self.top_imports.get(name) {
            let first = &comps[top.node];
            let exp = Side {
                node: top.node,
                types: &first.types,
            };
            let item = top.item;
            Checker {
                origins: &mut self.origins,
            }
            .shared(exp, &top.ty, imp, ty)
            .map_err(|m| {
                Error::msg(format!(
                    "`{}` and `{}` both import `{name}`, and one import of the result cannot \
                     serve both: {m}",
                    first.label, me.label
                ))
                .with_help("plug the import of one of them (or both) with a definition")
            })?;
            item
        } else {
            let item = self.new_import(node, name, ty)?;
            self.top_imports.insert(
                name.clone(),
                TopImport {
                    node,
                    ty: *ty,
                    item,
                },
            );
            item
        };
        // Record where the types this import brings are, for the imports after it.
        if let (
            ComponentEntityType::Type {
                referenced,
                created,
            },
            (ComponentExportKind::Type, top),
        ) = (ty, item)
        {
            let plugged = self
                .plan
                .plugs
                .get(&(node, idx))
                .map(|&(dep, _)| (name.clone(), dep));
            for k in [referenced, created]
                .into_iter()
                .filter_map(|t| any_key(*t))
            {
                self.top_types.entry((node, k)).or_insert_with(|| TopType {
                    index: top,
                    plugged: plugged.clone(),
                });
            }
        }
        self.import_items.insert((node, idx), item);
        Ok(item)
    }

    /// An item aliased out of `node`'s instance (once).
    fn alias_export(&mut self, node: NodeId, name: &str, kind: ComponentExportKind) -> u32 {
        if let Some(idx) = self.aliased_exports.get(&(node, name.to_string())) {
            return *idx;
        }
        let mut section = ComponentAliasSection::new();
        section.alias(Alias::InstanceExport {
            instance: self.instances[&node],
            kind,
            name,
        });
        self.out.section(&section);
        let idx = self.bump(kind);
        self.aliased_exports.insert((node, name.to_string()), idx);
        idx
    }

    fn bump(&mut self, kind: ComponentExportKind) -> u32 {
        let counter = match kind {
            ComponentExportKind::Func => &mut self.n_funcs,
            ComponentExportKind::Instance => &mut self.n_instances,
            ComponentExportKind::Type => &mut self.n_types,
            ComponentExportKind::Component => &mut self.n_components,
            // A root may export a core module (or a value) of its own: aliased out of its
            // instance into the result's index space of that kind.
            ComponentExportKind::Module => &mut self.n_modules,
            ComponentExportKind::Value => &mut self.n_values,
        };
        *counter += 1;
        *counter - 1
    }

    /// The top-level type a node's import named `name` in the instance it imported as
    /// `import` (aliased out of whatever that import became, once).
    fn located_type(&mut self, node: NodeId, import: usize, name: &str) -> Result<u32> {
        let key = (node, import, name.to_string());
        if let Some(idx) = self.aliased_types.get(&key) {
            return Ok(*idx);
        }
        // An import not given its item yet (a merged import's type can need a type from an
        // import of another node, which comes later): given it now, if it stays an import.
        if !self.import_items.contains_key(&(node, import))
            && !self.plan.plugs.contains_key(&(node, import))
        {
            self.import(node, import)?;
        }
        let Some(&(ComponentExportKind::Instance, instance)) =
            self.import_items.get(&(node, import))
        else {
            return Err(Error::msg(format!(
                "type `{name}` of import `{}` of `{}` is not available",
                self.comps[node].imports[import].0, self.comps[node].label
            )));
        };
        let mut section = ComponentAliasSection::new();
        section.alias(Alias::InstanceExport {
            instance,
            kind: ComponentExportKind::Type,
            name,
        });
        self.out.section(&section);
        let idx = self.n_types;
        self.n_types += 1;
        self.aliased_types.insert(key, idx);
        Ok(idx)
    }

    /// A new import of the result with the type `node` gave its import `name`.
    fn new_import(
        &mut self,
        node: NodeId,
        name: &str,
        ty: &ComponentEntityType,
    ) -> Result<(ComponentExportKind, u32)> {
        match ty {
            ComponentEntityType::Instance(id) => {
                let others = self.merged.get(name).cloned().unwrap_or_default();
                let building = std::mem::replace(&mut self.building, others.clone());
                let result = self.new_instance_import(node, name, *id, &others);
                self.building = building;
                result
            }
            ComponentEntityType::Func(f) => {
                let mut space = self.space(node, None);
                let ty_idx = space.func(*f)?;
                Ok(self.emit_import(name, ComponentTypeRef::Func(ty_idx)))
            }
            ComponentEntityType::Type { referenced, .. } => {
                let mut space = self.space(node, None);
                let (bound, _) = space.bound(name, name, *referenced)?;
                Ok(self.emit_import(name, ComponentTypeRef::Type(bound)))
            }
            ComponentEntityType::Value(v) => {
                let mut space = self.space(node, None);
                let ty = space.val(*v)?;
                Ok(self.emit_import(name, ComponentTypeRef::Value(ty)))
            }
            ComponentEntityType::Module(id) => {
                let ty = module_type(&self.comps[node].types, *id).map_err(|what| {
                    Error::msg(format!(
                        "import `{name}` of `{}` is a core module whose type uses {what}, which \
                         an import of the result cannot declare yet",
                        self.comps[node].label
                    ))
                    .with_help("plug it with a definition that exports it")
                })?;
                let mut section = CoreTypeSection::new();
                section.ty().module(&ty);
                self.out.section(&section);
                self.n_core_types += 1;
                Ok(self.emit_import(name, ComponentTypeRef::Module(self.n_core_types - 1)))
            }
            ComponentEntityType::Component(id) => {
                let mut space = self.space(node, Some(Target::Component(ComponentType::new())));
                let ty = &space.composer.comps[node].types[*id];
                for (iname, item) in &ty.imports {
                    space.item(Dir::Import, name, iname, &item.ty)?;
                }
                for (ename, item) in &ty.exports {
                    space.item(Dir::Export, name, ename, &item.ty)?;
                }
                let Some(Target::Component(ty)) = space.inst.take() else {
                    unreachable!("a component type is built here");
                };
                let mut section = ComponentTypeSection::new();
                section.component(&ty);
                self.out.section(&section);
                self.n_types += 1;
                Ok(self.emit_import(name, ComponentTypeRef::Component(self.n_types - 1)))
            }
        }
    }
    /// A new instance import of the result, `name`: the type `node` gave it (`id`), with what
    /// the other importers of the name (`others`) use that it does not.
    fn new_instance_import(
        &mut self,
        node: NodeId,
        name: &str,
        id: ComponentInstanceTypeId,
        others: &[(NodeId, usize)],
    ) -> Result<(ComponentExportKind, u32)> {
        let mut space = self.space(node, Some(Target::Instance(InstanceType::new())));
        let types = &space.composer.comps[node].types;
        for (ename, item) in &types[id].exports {
            space.export(name, ename, &item.ty)?;
        }
        let (mut inst, mut exported) = (space.inst.take(), space.exported);
        // The other importers of this name: what they use that this one does not.
        let comps = self.comps;
        for &(other, oidx) in others {
            let ComponentEntityType::Instance(oid) = &comps[other].imports[oidx].1 else {
                continue;
            };
            let exports = &comps[other].types[*oid].exports;
            if exports.keys().all(|e| exported.contains_key(e)) {
                continue;
            }
            let mut space = Space {
                composer: self,
                node: other,
                inst,
                local: HashMap::default(),
                exported,
            };
            // Its types that the instance type has already are those, by name.
            for (ename, item) in exports {
                if let (
                    ComponentEntityType::Type {
                        referenced,
                        created,
                    },
                    Some(Some(idx)),
                ) = (item.ty, space.exported.get(ename))
                {
                    for k in [referenced, created].into_iter().filter_map(any_key) {
                        space.local.insert(k, *idx);
                    }
                }
            }
            for (ename, item) in exports {
                if !space.exported.contains_key(ename) {
                    space.export(name, ename, &item.ty)?;
                }
            }
            (inst, exported) = (space.inst.take(), space.exported);
        }
        let Some(Target::Instance(inst)) = inst else {
            unreachable!("an instance type is built here");
        };
        let mut section = ComponentTypeSection::new();
        section.instance(&inst);
        self.out.section(&section);
        let ty_idx = self.n_types;
        self.n_types += 1;
        Ok(self.emit_import(name, ComponentTypeRef::Instance(ty_idx)))
    }

    /// A space for types `node` declares: the component itself (`inst` `None`), or an
    /// instance or component type being built.
    fn space(&mut self, node: NodeId, inst: Option<Target>) -> Space<'_, 'a, 'b> {
        Space {
            composer: self,
            node,
            inst,
            local: HashMap::default(),
            exported: HashMap::default(),
        }
    }

    /// An import of the result, `name` of type `ty`: its kind and index.
    fn emit_import(&mut self, name: &str, ty: ComponentTypeRef) -> (ComponentExportKind, u32) {
        let mut imports = ComponentImportSection::new();
        imports.import(name, ty);
        self.out.section(&imports);
        let kind = match ty {
            ComponentTypeRef::Func(_) => ComponentExportKind::Func,
            ComponentTypeRef::Type(_) => ComponentExportKind::Type,
            ComponentTypeRef::Instance(_) => ComponentExportKind::Instance,
            ComponentTypeRef::Component(_) => ComponentExportKind::Component,
            ComponentTypeRef::Module(_) => ComponentExportKind::Module,
            ComponentTypeRef::Value(_) => ComponentExportKind::Value,
        };
        (kind, self.bump(kind))
    }
}

/// The core module type `id` of an input, rebuilt for an import of the result: its imports
/// and exports, and the function types they use. `Err` names what it cannot rebuild (a
/// garbage-collected or shared type, a reference to a defined type).
fn module_type(
    types: &wasmparser::types::Types,
    id: wasmparser::component_types::ComponentCoreModuleTypeId,
) -> std::result::Result<wasm_encoder::ModuleType, &'static str> {
    use wasm_encoder::reencode::{Reencode as _, RoundtripReencoder as R};
    use wasmparser::types::EntityType as E;
    use wasmparser::CompositeInnerType;
    let mut out = wasm_encoder::ModuleType::new();
    let mut funcs: HashMap<wasmparser::types::CoreTypeId, u32> = HashMap::default();
    let mut entity = |out: &mut wasm_encoder::ModuleType, e: &E| {
        let mut func = |out: &mut wasm_encoder::ModuleType, id| {
            if let Some(&idx) = funcs.get(&id) {
                return Ok(idx);
            }
            let sub = &types[id];
            let CompositeInnerType::Func(f) = &sub.composite_type.inner else {
                return Err("a garbage-collected type");
            };
            if !sub.is_final || sub.supertype_idx.is_some() || sub.composite_type.shared {
                return Err("a garbage-collected or shared function type");
            }
            let val = |v: &wasmparser::ValType| R.val_type(*v).map_err(|_| "a typed reference");
            let params = f.params().iter().map(val).collect::<Result<Vec<_>, _>>()?;
            let results = f.results().iter().map(val).collect::<Result<Vec<_>, _>>()?;
            let idx = out.type_count();
            out.ty().function(params, results);
            funcs.insert(id, idx);
            Ok(idx)
        };
        Ok(match e {
            E::Func(t) => wasm_encoder::EntityType::Function(func(out, *t)?),
            E::FuncExact(t) => wasm_encoder::EntityType::FunctionExact(func(out, *t)?),
            E::Tag(t) => wasm_encoder::EntityType::Tag(wasm_encoder::TagType {
                kind: wasm_encoder::TagKind::Exception,
                func_type_idx: func(out, *t)?,
            }),
            E::Table(t) => {
                wasm_encoder::EntityType::Table(R.table_type(*t).map_err(|_| "a typed reference")?)
            }
            E::Memory(m) => wasm_encoder::EntityType::Memory(
                R.memory_type(*m)
                    .map_err(|_| "a memory type it cannot read")?,
            ),
            E::Global(g) => wasm_encoder::EntityType::Global(
                R.global_type(*g).map_err(|_| "a typed reference")?,
            ),
        })
    };
    let module = &types[id];
    for ((m, n), e) in &module.imports {
        let e = entity(&mut out, e)?;
        out.import(m, n, e);
    }
    for (n, e) in &module.exports {
        let e = entity(&mut out, e)?;
        out.export(n, e);
    }
    Ok(out)
}

/// A type being declared for an import of the result: an instance type, or a component type
/// (which has imports too).
enum Target {
    Instance(InstanceType),
    Component(ComponentType),
}

impl Target {
    fn type_count(&self) -> u32 {
        match self {
            Target::Instance(t) => t.type_count(),
            Target::Component(t) => t.type_count(),
        }
    }

    fn ty(&mut self) -> ComponentTypeEncoder<'_> {
        match self {
            Target::Instance(t) => t.ty(),
            Target::Component(t) => t.ty(),
        }
    }

    fn alias(&mut self, alias: Alias<'_>) {
        match self {
            Target::Instance(t) => {
                t.alias(alias);
            }
            Target::Component(t) => {
                t.alias(alias);
            }
        }
    }

    /// Declares an export, or (in a component type) an import.
    fn item(&mut self, dir: Dir, name: &str, ty: ComponentTypeRef) {
        match (self, dir) {
            (Target::Instance(t), _) => {
                t.export(name, ty);
            }
            (Target::Component(t), Dir::Export) => {
                t.export(name, ty);
            }
            (Target::Component(t), Dir::Import) => {
                t.import(name, ty);
            }
        }
    }
}

/// Which side of a component type an item is on.
#[derive(Clone, Copy, PartialEq, Eq)]
enum Dir {
    Import,
    Export,
}

/// Where a type being rebuilt goes: an instance or component type (`inst`) or the component
/// itself.
struct Space<'c, 'a, 'b> {
    composer: &'c mut Composer<'a, 'b>,
    node: NodeId,
    inst: Option<Target>,
    /// Types already in this space.
    local: HashMap<Key, u32>,
    /// The exports of the instance type (`inst`), by name, with each type export's index.
    exported: HashMap<String, Option<u32>>,
}

impl Space<'_, '_, '_> {
    /// Defines a type in this space; returns its index.
    fn define(&mut self, f: impl FnOnce(ComponentTypeEncoder<'_>)) -> u32 {
        match &mut self.inst {
            Some(inst) => {
                let idx = inst.type_count();
                f(inst.ty());
                idx
            }
            None => {
                let mut section = ComponentTypeSection::new();
                f(section.ty());
                self.composer.out.section(&section);
                self.composer.n_types += 1;
                self.composer.n_types - 1
            }
        }
    }

    /// A top-level type, reachable from this space.
    fn outer(&mut self, top: u32) -> u32 {
        match &mut self.inst {
            Some(inst) => {
                let idx = inst.type_count();
                inst.alias(Alias::Outer {
                    kind: ComponentOuterAliasKind::Type,
                    count: 1,
                    index: top,
                });
                idx
            }
            None => top,
        }
    }

    /// A type the node's earlier imports brought, aliased into this space, if it is one.
    fn located(&mut self, key: Key) -> Result<Option<u32>> {
        if let Some(TopType { index, plugged }) = self.composer.top_types.get(&(self.node, key)) {
            if let Some((name, dep)) = plugged {
                let comps = self.composer.comps;
                return Err(Error::msg(format!(
                    "an import of `{}` that stays an import of the result uses its type `{name}`, \
                     which `{}` plugs: an import of the result cannot use a type defined inside it",
                    comps[self.node].label, comps[*dep].label
                ))
                .with_help(
                    "plug that import too (a composition file, `weft compose --config`, can plug it \
                     with an export of another name)",
                ));
            }
            let idx = self.outer(*index);
            self.local.insert(key, idx);
            return Ok(Some(idx));
        }
        let Some((import, name)) = self.composer.locations.get(&(self.node, key)).cloned() else {
            return Ok(None);
        };
        if self.composer.building.contains(&(self.node, import)) {
            return Ok(None);
        }
        let top = self.composer.located_type(self.node, import, &name)?;
        let idx = self.outer(top);
        self.local.insert(key, idx);
        Ok(Some(idx))
    }

    /// `key` and every alias it peels to, the nearest first: `headers` (`type headers = fields`),
    /// then `fields`.
    fn keys(&self, key: Key) -> Vec<Key> {
        let types = &self.composer.comps[self.node].types;
        let mut keys = vec![key];
        let mut cur = key;
        loop {
            let next = match cur {
                Key::Res(r) => types.peel_alias(r).map(Key::Res),
                Key::Def(d) => types.peel_alias(d).map(Key::Def),
            };
            let Some(next) = next else {
                return keys;
            };
            keys.push(next);
            cur = next;
        }
    }

    /// The index of the nearest of `keys` (see [`Space::keys`]) this space has or can alias from
    /// an earlier import, so a type keeps the name the input gave it: a function of `headers`
    /// takes `headers`, not `fields`, and a type an interface `use`s through `wasi:io/streams`
    /// is aliased from `streams`, not from `wasi:io/error` that defines it.
    fn find(&mut self, keys: &[Key]) -> Result<Option<u32>> {
        for k in keys {
            if let Some(idx) = self.local.get(k) {
                return Ok(Some(*idx));
            }
            if let Some(idx) = self.located(*k)? {
                return Ok(Some(idx));
            }
        }
        Ok(None)
    }

    /// Adds export `ename` of an imported instance type.
    fn export(&mut self, import: &str, ename: &str, ty: &ComponentEntityType) -> Result<()> {
        self.item(Dir::Export, import, ename, ty)
    }

    /// Adds item `ename` of an imported instance or component type: an export, or a component
    /// type's import.
    fn item(
        &mut self,
        dir: Dir,
        import: &str,
        ename: &str,
        ty: &ComponentEntityType,
    ) -> Result<()> {
        let comps = self.composer.comps;
        let types = &comps[self.node].types;
        let bound = match ty {
            ComponentEntityType::Type {
                referenced,
                created,
            } => {
                let (bound, keys) = self.bound(import, ename, *referenced)?;
                let Some(inst) = &mut self.inst else {
                    return Ok(());
                };
                let idx = inst.type_count();
                inst.item(dir, ename, ComponentTypeRef::Type(bound));
                if dir == Dir::Export {
                    self.exported.insert(ename.to_string(), Some(idx));
                }
                // The input's functions name this export by its own identity (`created`); what
                // it is equal to keeps the index it had (`type trailers = fields` in
                // `wasi:http/types`: functions of `fields` still name `fields`), or takes this
                // one if it had none (a resource defined here).
                if let Some(k) = any_key(*created) {
                    self.local.insert(k, idx);
                }
                for k in keys {
                    self.local.entry(k).or_insert(idx);
                }
                return Ok(());
            }
            ComponentEntityType::Func(f) => ComponentTypeRef::Func(self.func(*f)?),
            other => {
                let _ = types;
                let which = match dir {
                    Dir::Import => "import",
                    Dir::Export => "export",
                };
                return Err(Error::msg(format!(
                    "{which} `{ename}` of import `{import}` of `{}` is {}, which an import of \
                     the result cannot declare yet",
                    comps[self.node].label,
                    crate::check::a_kind(other)
                ))
                .with_help("plug the import with a definition that exports it"));
            }
        };
        if let Some(inst) = &mut self.inst {
            inst.item(dir, ename, bound);
            if dir == Dir::Export {
                self.exported.insert(ename.to_string(), None);
            }
        }
        Ok(())
    }

    /// The bound an import gives type `referenced`, which it calls `ename` (an export of the
    /// instance it imports as `import`; for a type imported by itself, `ename` is its name
    /// too): equal to a type this space has or can alias, or to one defined here, or a new
    /// resource. Also the keys the type answers to (see [`Space::keys`]).
    fn bound(
        &mut self,
        import: &str,
        ename: &str,
        referenced: ComponentAnyTypeId,
    ) -> Result<(TypeBounds, Vec<Key>)> {
        let key = any_key(referenced);
        let keys = key.map(|k| self.keys(k)).unwrap_or_default();
        let bound = match (key, self.find(&keys)?) {
            (_, Some(idx)) => TypeBounds::Eq(idx),
            (Some(Key::Res(r)), None) => {
                let rid = r.resource();
                // A resource this import defines: the result's import defines it. (One a
                // component type declares is that type's own, new at each use: not bound.)
                let in_component_type = matches!(self.inst, Some(Target::Component(_)));
                if !in_component_type && self.composer.origins.bound(self.node, rid).is_none() {
                    self.composer.origins.bind(
                        self.node,
                        rid,
                        Origin::Import {
                            name: import.to_string(),
                            export: ename.to_string(),
                        },
                    );
                }
                TypeBounds::SubResource
            }
            (Some(Key::Def(d)), None) => TypeBounds::Eq(self.defined(ComponentValType::Type(d))?),
            (None, None) => {
                return Err(Error::msg(format!(
                    "type `{ename}` of import `{import}` of `{}` is not a value type or a \
                     resource, which is not supported yet",
                    self.composer.comps[self.node].label
                )))
            }
        };
        Ok((bound, keys))
    }

    fn func(&mut self, f: ComponentFuncTypeId) -> Result<u32> {
        let ty = &self.composer.comps[self.node].types[f];
        let mut params = Vec::new();
        for (name, p) in ty.params.iter() {
            params.push((name.to_string(), self.val(*p)?));
        }
        let result = ty.result.map(|r| self.val(r)).transpose()?;
        let async_ = ty.async_;
        Ok(self.define(|t| {
            let mut f = t.function();
            f.async_(async_);
            f.params(params.iter().map(|(n, t)| (n.as_str(), *t)));
            f.result(result);
        }))
    }

    fn val(&mut self, ty: ComponentValType) -> Result<wasm_encoder::ComponentValType> {
        match ty {
            ComponentValType::Primitive(p) => {
                Ok(wasm_encoder::ComponentValType::Primitive(p.into()))
            }
            ComponentValType::Type(id) => {
                if let ComponentDefinedType::Primitive(p) =
                    &self.composer.comps[self.node].types[id]
                {
                    if self.find(&self.keys(Key::Def(id)))?.is_none() {
                        return Ok(wasm_encoder::ComponentValType::Primitive((*p).into()));
                    }
                }
                Ok(wasm_encoder::ComponentValType::Type(self.defined(ty)?))
            }
        }
    }

    fn resource(&mut self, r: AliasableResourceId) -> Result<u32> {
        match self.find(&self.keys(Key::Res(r)))? {
            Some(idx) => Ok(idx),
            None => Err(Error::msg(format!(
                "a resource type used by an import of `{}` is not one of its imports' resources, \
                 which is not supported yet",
                self.composer.comps[self.node].label
            ))),
        }
    }

    /// The index of a defined type in this space (found, aliased or defined here).
    fn defined(&mut self, ty: ComponentValType) -> Result<u32> {
        let id = match ty {
            ComponentValType::Primitive(p) => {
                return Ok(self.define(|t| t.defined_type().primitive(p.into())));
            }
            ComponentValType::Type(id) => id,
        };
        let keys = self.keys(Key::Def(id));
        if let Some(idx) = self.find(&keys)? {
            return Ok(idx);
        }
        let comps = self.composer.comps;
        let def = &comps[self.node].types[id];
        use ComponentDefinedType as D;
        let idx = match def {
            D::Primitive(p) => self.define(|t| t.defined_type().primitive((*p).into())),
            D::Record(r) => {
                let mut fields = Vec::new();
                for (n, t) in &r.fields {
                    fields.push((n.to_string(), self.val(*t)?));
                }
                self.define(|t| {
                    t.defined_type()
                        .record(fields.iter().map(|(n, t)| (n.as_str(), *t)))
                })
            }
            D::Variant(v) => {
                let mut cases = Vec::new();
                for (n, c) in &v.cases {
                    cases.push((n.to_string(), c.ty.map(|t| self.val(t)).transpose()?));
                }
                self.define(|t| {
                    t.defined_type()
                        .variant(cases.iter().map(|(n, t)| (n.as_str(), *t)))
                })
            }
            D::List { element, .. } => {
                let e = self.val(*element)?;
                self.define(|t| t.defined_type().list(e))
            }
            D::FixedLengthList {
                element, length, ..
            } => {
                let e = self.val(*element)?;
                let n = *length;
                self.define(|t| t.defined_type().fixed_length_list(e, n))
            }
            D::Map { key, value, .. } => {
                let k = self.val(*key)?;
                let v = self.val(*value)?;
                self.define(|t| t.defined_type().map(k, v))
            }
            D::Tuple(tu) => {
                let mut items = Vec::new();
                for t in tu.types.iter() {
                    items.push(self.val(*t)?);
                }
                self.define(|t| t.defined_type().tuple(items))
            }
            D::Flags(f) => self.define(|t| t.defined_type().flags(f.iter().map(|n| n.as_str()))),
            D::Enum(e) => self.define(|t| t.defined_type().enum_type(e.iter().map(|n| n.as_str()))),
            D::Option { ty, .. } => {
                let e = self.val(*ty)?;
                self.define(|t| t.defined_type().option(e))
            }
            D::Result { ok, err, .. } => {
                let ok = ok.map(|t| self.val(t)).transpose()?;
                let err = err.map(|t| self.val(t)).transpose()?;
                self.define(|t| t.defined_type().result(ok, err))
            }
            D::Own(r) => {
                let r = self.resource(*r)?;
                self.define(|t| t.defined_type().own(r))
            }
            D::Borrow(r) => {
                let r = self.resource(*r)?;
                self.define(|t| t.defined_type().borrow(r))
            }
            D::Future { ty, .. } => {
                let e = ty.map(|t| self.val(t)).transpose()?;
                self.define(|t| t.defined_type().future(e))
            }
            D::Stream { ty, .. } => {
                let e = ty.map(|t| self.val(t)).transpose()?;
                self.define(|t| t.defined_type().stream(e))
            }
        };
        self.local.insert(Key::Def(id), idx);
        Ok(idx)
    }
}
