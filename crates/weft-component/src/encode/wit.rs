//! WIT packages and worlds as component types, in wit-component's layout.
//!
//! A package becomes a component with one exported type per interface and per world:
//!
//! * an interface `i` is a component type that imports (as instances holding only their types)
//!   every interface `i` uses types from, transitively and dependencies first, and exports
//!   one instance `ns:pkg/i@v` with `i`'s types and functions;
//! * a world `w` is a component type wrapping the world's own component type (its imports
//!   and exports) and exporting it as `ns:pkg/w@v`.
//!
//! The component type of a world is also what the `component-type` custom section carries
//! (see [`super::metadata`]).

use weft_wit::fxhash::HashMap;

use indexmap::IndexSet;
use wasm_encoder::{
    Alias, ComponentBuilder, ComponentExportKind, ComponentExternName, ComponentOuterAliasKind,
    ComponentType, ComponentTypeEncoder, ComponentTypeRef, InstanceType, TypeBounds,
};
use weft_wit::{
    Function, Interface, InterfaceId, PackageId, Resolve, Type, TypeDefKind, TypeId, TypeOwner,
    WorldId, WorldItem, WorldKey,
};

use super::types::{TypeEncoder, TypeSpace};
use super::{interface_of, world_of};
use crate::{Error, Result};

/// Encodes every interface and world of `pkg` into `component` as exported types.
pub(crate) fn encode_package_types(
    resolve: &Resolve,
    pkg: PackageId,
    component: &mut ComponentBuilder,
) -> Result<()> {
    let package = resolve
        .packages
        .get(pkg)
        .ok_or_else(|| Error::msg(format!("package id {pkg:?} is not in the `Resolve`")))?;
    for (name, id) in package_interfaces(resolve, pkg) {
        let ty = interface_type(resolve, id)
            .map_err(|e| e.context(format!("encoding interface `{name}`")))?;
        let index = component.type_component(Some(name), &ty);
        component.export(name, ComponentExportKind::Type, index, None);
    }
    for (name, &id) in &package.worlds {
        let ty = world_wrapper(resolve, id)
            .map_err(|e| e.context(format!("encoding world `{name}`")))?;
        let index = component.type_component(Some(name), &ty);
        component.export(name.as_str(), ComponentExportKind::Type, index, None);
    }
    Ok(())
}

/// The interfaces of `pkg` in the order wit-parser gives them: a topological sort of the
/// package's `use` graph that, among interfaces ready at the same time, takes the one declared
/// first. (The order of `Package::interfaces` may be plain declaration order; interfaces and
/// worlds are declared in the order of their spans, and the map order is kept for items
/// without a span.)
pub(crate) fn package_interfaces(resolve: &Resolve, pkg: PackageId) -> Vec<(&str, InterfaceId)> {
    let Some(package) = resolve.packages.get(pkg) else {
        return Vec::new();
    };
    // Interfaces and worlds share one declaration order; worlds depend on nothing here.
    let mut items: Vec<(u32, Option<(&str, InterfaceId)>)> = package
        .interfaces
        .iter()
        .map(|(n, &id)| {
            let start = resolve
                .interfaces
                .get(id)
                .map_or(u32::MAX, |i| i.span.start);
            (start, Some((n.as_str(), id)))
        })
        .chain(package.worlds.values().map(|&id| {
            (
                resolve.worlds.get(id).map_or(u32::MAX, |w| w.span.start),
                None,
            )
        }))
        .collect();
    items.sort_by_key(|(start, _)| *start);
    let position: HashMap<InterfaceId, usize> = items
        .iter()
        .enumerate()
        .filter_map(|(i, (_, item))| item.map(|(_, id)| (id, i)))
        .collect();
    // Dependencies not yet placed, and who waits on each item.
    let mut remaining = vec![0usize; items.len()];
    let mut waiting: Vec<Vec<usize>> = vec![Vec::new(); items.len()];
    for (i, (_, item)) in items.iter().enumerate() {
        let Some((_, id)) = item else { continue };
        let Some(iface) = resolve.interfaces.get(*id) else {
            continue;
        };
        let mut deps: Vec<usize> = iface
            .types
            .values()
            .filter_map(|&t| type_interface_dep(resolve, t))
            .filter_map(|dep| position.get(&dep).copied())
            .filter(|&j| j != i)
            .collect();
        deps.sort_unstable();
        deps.dedup();
        remaining[i] = deps.len();
        for j in deps {
            waiting[j].push(i);
        }
    }
    let mut ready: std::collections::BTreeSet<usize> =
        (0..items.len()).filter(|&i| remaining[i] == 0).collect();
    let mut order = Vec::with_capacity(items.len());
    while let Some(i) = ready.pop_first() {
        order.push(i);
        for w in std::mem::take(&mut waiting[i]) {
            remaining[w] -= 1;
            if remaining[w] == 0 {
                ready.insert(w);
            }
        }
    }
    // A cycle cannot be resolved; keep whatever is left in declaration order.
    let placed: std::collections::HashSet<usize> = order.iter().copied().collect();
    order.extend((0..items.len()).filter(|i| !placed.contains(i)));
    order.into_iter().filter_map(|i| items[i].1).collect()
}

/// The functions of `iface` in map order, except that a setter (`[set]x`) declared before
/// its getter (`[get]x`) moves to just after it, as wit-parser orders them; validation
/// requires the getter first.
pub(crate) fn interface_functions(iface: &Interface) -> Vec<(&String, &Function)> {
    let mut funcs: Vec<(&String, &Function)> = iface.functions.iter().collect();
    let mut getters_seen = weft_wit::fxhash::HashSet::default();
    let mut i = 0;
    // Each setter moves forward at most once, so this ends.
    while i < funcs.len() {
        let name = &funcs[i].1.name;
        if name.contains("[get]") {
            getters_seen.insert(name.clone());
        } else if name.contains("[set]") {
            let getter = name.replacen("[set]", "[get]", 1);
            if !getters_seen.contains(&getter) {
                if let Some(g) = (i + 1..funcs.len()).find(|&j| funcs[j].1.name == getter) {
                    let setter = funcs.remove(i);
                    funcs.insert(g, setter);
                    continue;
                }
            }
        }
        i += 1;
    }
    funcs
}

/// The type wit-component exports for a world: a component type holding the world's
/// component type (type 0) and exporting it as `ns:pkg/world@version`.
pub(crate) fn world_wrapper(resolve: &Resolve, world: WorldId) -> Result<ComponentType> {
    let inner = world_type(resolve, world)?;
    let w = world_of(resolve, world)?;
    let pkg = w
        .package
        .and_then(|p| resolve.packages.get(p))
        .ok_or_else(|| Error::msg(format!("world `{}` belongs to no package", w.name)))?;
    let mut wrapper = ComponentType::new();
    wrapper.ty().component(&inner);
    wrapper.export(
        pkg.name.interface_id(&w.name).as_str(),
        ComponentTypeRef::Component(0),
    );
    Ok(wrapper)
}

/// A world as a component type: its imports (interfaces as instances, functions, types) and
/// its exports, in declaration order.
pub(crate) fn world_type(resolve: &Resolve, world: WorldId) -> Result<ComponentType> {
    let w = resolve
        .worlds
        .get(world)
        .ok_or_else(|| Error::msg(format!("world id {world:?} is not in the `Resolve`")))?;
    let mut space = WitSpace::default();
    let mut outer = TypeEncoder::new(resolve, None);
    for (key, item) in &w.imports {
        let name = extern_name(resolve, key, item)?;
        let ty = match item {
            WorldItem::Interface { id, .. } => {
                ComponentTypeRef::Instance(space.instance(resolve, *id)?)
            }
            WorldItem::Function(f) => ComponentTypeRef::Func(outer.func_type(&mut space, f)?),
            WorldItem::Type { id, .. } => {
                // A type import: binding its name imports it.
                space.import_types = true;
                let r = outer.valtype(&mut space, &Type::Id(*id));
                space.import_types = false;
                r?;
                continue;
            }
        };
        space.outer.import(name, ty);
    }
    for (key, item) in &w.exports {
        let name = extern_name(resolve, key, item)?;
        let ty = match item {
            WorldItem::Interface { id, .. } => {
                ComponentTypeRef::Instance(space.instance(resolve, *id)?)
            }
            WorldItem::Function(f) => ComponentTypeRef::Func(outer.func_type(&mut space, f)?),
            WorldItem::Type { .. } => {
                return Err(Error::msg(format!(
                    "world `{}` exports a type, which a world cannot do",
                    w.name
                )))
            }
        };
        space.outer.export(name, ty);
    }
    Ok(space.outer)
}

/// An interface as a component type: imports of the interfaces it uses types from (types
/// only), then the export of the interface itself as an instance.
fn interface_type(resolve: &Resolve, id: InterfaceId) -> Result<ComponentType> {
    let mut live = IndexSet::new();
    add_live_interfaces(resolve, &mut live, id, 0)?;
    let mut space = WitSpace::default();
    for iface in live {
        let name = resolve.id_of(iface).ok_or_else(|| {
            Error::msg("an anonymous interface cannot be encoded in a package".to_string())
        })?;
        if iface == id {
            let index = space.instance(resolve, iface)?;
            space
                .outer
                .export(name.as_str(), ComponentTypeRef::Instance(index));
        } else {
            // A dependency: only its types, so every reader agrees on their order.
            let mut types = TypeEncoder::new(resolve, Some(iface));
            space.instance = Some(InstanceType::new());
            for &ty in interface_of(resolve, iface)?.types.values() {
                if let Err(e) = types.valtype(&mut space, &Type::Id(ty)) {
                    space.instance = None;
                    return Err(e);
                }
            }
            let instance = space.instance.take().unwrap_or_default();
            let index = space.outer.type_count();
            space.outer.ty().instance(&instance);
            space.instances.insert(iface, space.instance_count);
            space.instance_count += 1;
            space
                .outer
                .import(name.as_str(), ComponentTypeRef::Instance(index));
        }
    }
    Ok(space.outer)
}

/// Adds to `live` every interface `id` uses types from (transitively, dependencies first),
/// then `id` itself.
fn add_live_interfaces(
    resolve: &Resolve,
    live: &mut IndexSet<InterfaceId>,
    id: InterfaceId,
    depth: usize,
) -> Result<()> {
    if live.contains(&id) {
        return Ok(());
    }
    // Interface `use`s form no cycles in a valid `Resolve`; the limit only keeps a broken one
    // from overflowing the stack.
    if depth > resolve.interfaces.len() {
        return Err(Error::msg("interfaces use each other's types in a cycle"));
    }
    let iface = resolve
        .interfaces
        .get(id)
        .ok_or_else(|| Error::msg(format!("interface id {id:?} is not in the `Resolve`")))?;
    for &ty in iface.types.values() {
        if let Some(dep) = type_interface_dep(resolve, ty) {
            add_live_interfaces(resolve, live, dep, depth + 1)?;
        }
    }
    live.insert(id);
    Ok(())
}

/// The interface `ty` is `use`d from, if it is a `use` of a type owned by another interface.
fn type_interface_dep(resolve: &Resolve, ty: TypeId) -> Option<InterfaceId> {
    let def = resolve.types.get(ty)?;
    let TypeDefKind::Type(Type::Id(dep)) = def.kind else {
        return None;
    };
    let other = resolve.types.get(dep)?;
    if def.owner == other.owner {
        return None;
    }
    match other.owner {
        TypeOwner::Interface(i) => Some(i),
        _ => None,
    }
}

/// The name of a world import or export: the plain name or the interface's full name, with
/// `(implements …)` when a plain name stands for a named interface.
pub(crate) fn extern_name(
    resolve: &Resolve,
    key: &WorldKey,
    item: &WorldItem,
) -> Result<ComponentExternName<'static>> {
    let name = match key {
        WorldKey::Name(name) => name.clone(),
        WorldKey::Interface(id) => resolve
            .id_of(*id)
            .ok_or_else(|| Error::msg("a world imports an anonymous interface by path"))?,
    };
    let implements = match (key, item) {
        (WorldKey::Name(_), WorldItem::Interface { id, .. }) => resolve.id_of(*id),
        _ => None,
    };
    Ok(ComponentExternName {
        name: name.into(),
        implements: implements.map(Into::into),
        version_suffix: None,
        external_id: None,
    })
}

/// The index spaces of a world's or an interface's component type: the component type
/// itself, and the instance type being built inside it, if any.
#[derive(Default)]
struct WitSpace {
    /// The component type.
    outer: ComponentType,
    /// The instance type being built; definitions go here while it is `Some`.
    instance: Option<InstanceType>,
    /// The instance index (in `outer`) of each interface encoded so far.
    instances: HashMap<InterfaceId, u32>,
    /// Instances in `outer` so far.
    instance_count: u32,
    /// Aliases in `outer` of types exported by those instances.
    aliases: HashMap<TypeId, u32>,
    /// Whether names bound in `outer` are imports (a world's imported types) rather than
    /// exports.
    import_types: bool,
}

impl WitSpace {
    /// Defines the instance type of interface `id` (types, then functions, resource
    /// functions first in the order of their resources) in `outer` and returns its type
    /// index. The instance is recorded as the next instance of `outer`.
    fn instance(&mut self, resolve: &Resolve, id: InterfaceId) -> Result<u32> {
        let iface = resolve
            .interfaces
            .get(id)
            .ok_or_else(|| Error::msg(format!("interface id {id:?} is not in the `Resolve`")))?;
        self.instance = Some(InstanceType::new());
        let result = self.fill_instance(resolve, id, iface);
        let instance = self.instance.take().unwrap_or_default();
        result?;
        let index = self.outer.type_count();
        self.outer.ty().instance(&instance);
        self.instances.insert(id, self.instance_count);
        self.instance_count += 1;
        Ok(index)
    }

    /// Defines the types and functions of `iface` in the instance type being built.
    fn fill_instance(
        &mut self,
        resolve: &Resolve,
        id: InterfaceId,
        iface: &Interface,
    ) -> Result<()> {
        let mut types = TypeEncoder::new(resolve, Some(id));
        for &ty in iface.types.values() {
            types.valtype(self, &Type::Id(ty))?;
        }
        // Functions of resources first, in the order of their resources, then the rest;
        // this is the order printing WIT and reading it back gives.
        let mut funcs = interface_functions(iface);
        funcs.sort_by_key(|(_, f)| {
            f.kind
                .resource()
                .and_then(|r| iface.types.values().position(|&t| t == r))
                .unwrap_or(iface.types.len())
        });
        for (name, func) in funcs {
            let index = types.func_type(self, func)?;
            if let Some(instance) = &mut self.instance {
                instance.export(name.as_str(), ComponentTypeRef::Func(index));
            }
        }
        Ok(())
    }
}

impl TypeSpace for WitSpace {
    fn define(&mut self) -> (u32, ComponentTypeEncoder<'_>) {
        match &mut self.instance {
            Some(i) => (i.type_count(), i.ty()),
            None => (self.outer.type_count(), self.outer.ty()),
        }
    }

    fn bind(&mut self, name: ComponentExternName<'_>, bounds: TypeBounds) -> Result<Option<u32>> {
        let ty = ComponentTypeRef::Type(bounds);
        Ok(Some(match &mut self.instance {
            Some(i) => {
                let index = i.type_count();
                i.export(name, ty);
                index
            }
            None => {
                let index = self.outer.type_count();
                if self.import_types {
                    self.outer.import(name, ty);
                } else {
                    self.outer.export(name, ty);
                }
                index
            }
        }))
    }

    fn foreign(&mut self, resolve: &Resolve, owner: InterfaceId, id: TypeId) -> Result<u32> {
        let outer_index = match self.aliases.get(&id) {
            Some(index) => *index,
            None => {
                let instance = *self.instances.get(&owner).ok_or_else(|| {
                    Error::msg(format!(
                        "a type of interface `{}` is used, but that interface is not imported",
                        resolve
                            .id_of(owner)
                            .unwrap_or_else(|| "<anonymous>".to_string())
                    ))
                })?;
                let name = resolve
                    .types
                    .get(id)
                    .and_then(|t| t.name.as_deref())
                    .ok_or_else(|| Error::msg("an anonymous type is owned by an interface"))?;
                let index = self.outer.type_count();
                self.outer.alias(Alias::InstanceExport {
                    instance,
                    kind: ComponentExportKind::Type,
                    name,
                });
                self.aliases.insert(id, index);
                index
            }
        };
        Ok(match &mut self.instance {
            Some(i) => {
                let index = i.type_count();
                i.alias(Alias::Outer {
                    kind: ComponentOuterAliasKind::Type,
                    count: 1,
                    index: outer_index,
                });
                index
            }
            None => outer_index,
        })
    }
}
