//! wasmparser's component types → WIT items in a [`Resolve`].
//!
//! The conventions are wit-component's:
//!
//! * An instance named `ns:pkg/iface@version` is that interface. The first time a foreign
//!   interface is seen it is created, holding the types and functions this binary shows of it;
//!   later sightings reuse what is there (types by name) and add what is missing.
//! * A type export whose type was already given a WIT id (directly, or through a chain of
//!   aliases that wasmparser records for `(type (eq …))` bounds and outer aliases) becomes
//!   `type name = other`: that is how `use` is encoded.
//! * Anonymous value types (`list<u8>`, `option<t>`, …) are shared: each wasmparser type id
//!   maps to one WIT type. Records, variants, enums, flags and resources must be named.
//! * Function names carry their kind: `[constructor]r`, `[method]r.f`, `[static]r.f`; an
//!   `async` function type makes the async kinds.
//!
//! Items land in packages only at [`Decoder::finish`], in dependency order; a package that the
//! target [`Resolve`] already has is reused by name, and its interfaces, types and world
//! items are checked against the binary's instead of duplicated.

use weft_wit::fxhash::{HashMap, HashSet};

use indexmap::IndexMap;
use wasmparser::component_types::{
    ComponentAnyTypeId, ComponentDefinedType, ComponentEntityType, ComponentItem, ComponentType,
    ComponentValType,
};
use wasmparser::names::{ComponentName, ComponentNameKind};
use wasmparser::types::Types;
use wasmparser::PrimitiveValType;
use weft_wit::{
    Case, Docs, Enum, EnumCase, Field, Flag, Flags, Function, FunctionKind, Handle, Interface,
    InterfaceId, Package, PackageId, PackageName, Param, Record, Resolve, ResultType, Span,
    Stability, Tuple, Type, TypeDef, TypeDefKind, TypeId, TypeOwner, Variant, World, WorldId,
    WorldItem, WorldKey,
};

use super::metadata::{function_eq, item_eq};
use crate::{Error, Result};

/// How deep anonymous types may nest before the decoder gives up (instead of overflowing the
/// stack on a hostile binary).
const MAX_DEPTH: usize = 500;

/// A top-level import or export of the component being decoded.
pub(crate) enum Extern<'a> {
    Import(&'a ComponentItem),
    Export(&'a ComponentItem),
}

/// A package touched by this decode: new, or already in the target `Resolve`.
#[derive(Default)]
struct Pending {
    existing: Option<PackageId>,
    interfaces: IndexMap<String, InterfaceId>,
    worlds: IndexMap<String, WorldId>,
}

/// Converts the types of one validated component into WIT items of a target [`Resolve`].
pub(crate) struct Decoder<'r, 't> {
    resolve: &'r mut Resolve,
    types: &'t Types,
    /// What each wasmparser type has become.
    type_map: HashMap<ComponentAnyTypeId, TypeId>,
    /// Resources by owner and name, for the functions that name them.
    resources: HashMap<TypeOwner, HashMap<String, TypeId>>,
    /// Interfaces of the package being decoded, by full name: fully defined, never extended.
    local: HashMap<String, InterfaceId>,
    /// Interfaces and worlds that were in the target before this decode: checked, not trusted.
    preexisting_interfaces: HashSet<InterfaceId>,
    preexisting_worlds: HashSet<WorldId>,
    /// Packages touched, by name.
    packages: IndexMap<PackageName, Pending>,
}

impl<'r, 't> Decoder<'r, 't> {
    pub(crate) fn new(resolve: &'r mut Resolve, types: &'t Types) -> Decoder<'r, 't> {
        Decoder {
            resolve,
            types,
            type_map: HashMap::default(),
            resources: HashMap::default(),
            local: HashMap::default(),
            preexisting_interfaces: HashSet::default(),
            preexisting_worlds: HashSet::default(),
            packages: IndexMap::new(),
        }
    }

    /// The target `Resolve`.
    pub(crate) fn resolve(&mut self) -> &mut Resolve {
        self.resolve
    }

    /// A WIT package encoded as a component: each export is a component type holding one
    /// interface (an instance export) or one world (a component export).
    pub(crate) fn decode_package(&mut self, externs: &[(String, Extern<'_>)]) -> Result<PackageId> {
        let mut main: Option<PackageName> = None;
        for (name, ext) in externs {
            let Extern::Export(item) = ext else {
                return Err(Error::msg(format!(
                    "unexpected import `{name}` in a WIT package"
                )));
            };
            let ComponentEntityType::Type {
                created: ComponentAnyTypeId::Component(id),
                ..
            } = item.ty
            else {
                return Err(Error::msg(format!(
                    "export `{name}` is not a component type"
                )));
            };
            let component = &self.types[id];
            let Some((inner, inner_item)) = component.exports.iter().next() else {
                return Err(Error::msg(format!(
                    "component type `{name}` exports nothing; a WIT package's types export one interface or world each"
                )));
            };
            if component.exports.len() != 1 {
                return Err(Error::msg(format!(
                    "component type `{name}` has {} exports; a WIT package's types export one interface or world each",
                    component.exports.len()
                )));
            }
            let package = package_name_of(inner, inner_item)
                .map_err(|e| e.context(format!("decoding `{name}`")))?;
            match &main {
                Some(m) if *m != package => {
                    return Err(Error::msg(format!(
                        "`{inner}` belongs to package `{package}`, but the binary's first item belongs to `{m}`"
                    ))
                    .with_help("a binary WIT package holds the items of one package"))
                }
                Some(_) => {}
                None => {
                    self.pending(&package);
                    main = Some(package.clone());
                }
            }
            match inner_item.ty {
                ComponentEntityType::Component(world) => {
                    let world = &self.types[world];
                    self.register_world(inner, world, &package)
                        .map_err(|e| e.context(format!("decoding world `{inner}`")))?;
                }
                ComponentEntityType::Instance(_) => {
                    for (import, import_item) in &component.imports {
                        self.register_import(import, import_item).map_err(|e| {
                            e.context(format!("decoding `{import}`, used by `{inner}`"))
                        })?;
                    }
                    self.register_interface(inner, inner_item)
                        .map_err(|e| e.context(format!("decoding interface `{inner}`")))?;
                }
                _ => {
                    return Err(Error::msg(format!(
                        "`{inner}` is neither an interface (instance type) nor a world (component type)"
                    )))
                }
            }
        }
        let main = main.ok_or_else(|| Error::msg("the binary exports no WIT items"))?;
        let ids = self.finish(Some(&main))?;
        ids.get(&main)
            .copied()
            .ok_or_else(|| Error::msg("the package was not created"))
    }

    /// A real component: its imports and exports become the world `root:component/root`.
    pub(crate) fn decode_component(&mut self, externs: &[(String, Extern<'_>)]) -> Result<WorldId> {
        let package = PackageName {
            namespace: "root".to_string(),
            name: "component".to_string(),
            version: None,
        };
        if self.resolve.package_names.contains_key(&package) {
            return Err(Error::msg(
                "a component was already decoded into this set of packages (`root:component`)",
            ));
        }
        let world = self.alloc_world("root".to_string());
        self.pending(&package)
            .worlds
            .insert("root".to_string(), world);
        let owner = TypeOwner::World(world);
        for (name, ext) in externs {
            let (import, item) = match ext {
                Extern::Import(item) => (true, item),
                Extern::Export(item) => (false, item),
            };
            let entry = match item.ty {
                ComponentEntityType::Instance(_) => self.world_instance(name, item),
                ComponentEntityType::Func(_) => self.world_function(name, item, owner),
                ComponentEntityType::Type { .. } if import => self
                    .register_type_export(name, item, owner)
                    .map(|id| {
                        (
                            WorldKey::Name(name.clone()),
                            WorldItem::Type {
                                id,
                                span: Span::UNKNOWN,
                            },
                        )
                    }),
                // Modules, components and values are not part of a world.
                _ if import => continue,
                _ => {
                    return Err(Error::msg(format!(
                        "component export `{name}` is not a function or an instance, which WIT cannot describe"
                    )))
                }
            };
            let (key, value) = entry.map_err(|e| {
                let dir = if import { "import" } else { "export" };
                e.context(format!("decoding {dir} `{name}`"))
            })?;
            let w = &mut self.resolve.worlds[world];
            let map = if import {
                &mut w.imports
            } else {
                &mut w.exports
            };
            map.insert(key, value);
        }
        self.finish(None)?;
        Ok(world)
    }

    /// Decodes the one world a `component-type` section encodes (a component type whose only
    /// export is a component type named `ns:pkg/world@version`).
    pub(crate) fn decode_world_type(
        &mut self,
        name: &str,
        item: &ComponentItem,
    ) -> Result<WorldId> {
        let ComponentEntityType::Component(id) = item.ty else {
            return Err(Error::msg(format!(
                "`{name}` is not a world (component type)"
            )));
        };
        let package = package_name_of(name, item)?;
        self.pending(&package);
        let world = self.register_world(name, &self.types[id], &package)?;
        self.finish(Some(&package))?;
        Ok(world)
    }

    /// The pending entry of a package, created (and linked to the target's package of that
    /// name, if any) on first use.
    fn pending(&mut self, name: &PackageName) -> &mut Pending {
        let existing = self.resolve.package_names.get(name).copied();
        self.packages
            .entry(name.clone())
            .or_insert_with(|| Pending {
                existing,
                ..Pending::default()
            })
    }

    /// An interface the binary names `ns:pkg/iface@version`: found among those already
    /// known (this decode's or the target's), or created empty in its package.
    fn dep_interface(&mut self, name: &str, item: &ComponentItem) -> Result<InterfaceId> {
        let parsed = parse_name(name)?;
        let ComponentNameKind::Interface(iface) = parsed.kind() else {
            return Err(Error::msg(format!(
                "`{name}` is not an interface name (`namespace:package/interface@version`)"
            )));
        };
        let package = package_name_of(name, item)?;
        let iface_name = iface.interface().as_str().to_string();
        let existing_pkg = self.pending(&package).existing;
        if let Some(id) = self.packages[&package].interfaces.get(&iface_name) {
            return Ok(*id);
        }
        if let Some(pkg) = existing_pkg {
            if let Some(&id) = self.resolve.packages[pkg].interfaces.get(&iface_name) {
                self.preexisting_interfaces.insert(id);
                self.packages[&package].interfaces.insert(iface_name, id);
                return Ok(id);
            }
        }
        let id = self.alloc_interface(Some(iface_name.clone()));
        self.packages[&package].interfaces.insert(iface_name, id);
        Ok(id)
    }

    /// An instance of interface `name` whose definition is elsewhere (a foreign package, an
    /// earlier item of this package, or the target): connects the instance's types to the
    /// interface's, and adds what a foreign interface did not have yet.
    fn register_import(&mut self, name: &str, item: &ComponentItem) -> Result<InterfaceId> {
        let ComponentEntityType::Instance(ty) = item.ty else {
            return Err(Error::msg(format!("`{name}` is not an instance")));
        };
        let (is_local, interface) = match self.local.get(name) {
            Some(id) => (true, *id),
            None => (false, self.dep_interface(name, item)?),
        };
        let checked = self.preexisting_interfaces.contains(&interface);
        let owner = TypeOwner::Interface(interface);
        for (export, export_item) in &self.types[ty].exports {
            match export_item.ty {
                ComponentEntityType::Type {
                    referenced,
                    created,
                } => {
                    let known = self.resolve.interfaces[interface]
                        .types
                        .get(export.as_str())
                        .copied();
                    match known {
                        Some(id) => {
                            self.register_existing(id, referenced, 0)
                                .map_err(|e| e.context(format!("type `{export}` of `{name}`")))?;
                            self.type_map.insert(created, id);
                        }
                        None => {
                            if is_local {
                                return Err(Error::msg(format!(
                                    "`{name}` exports a type `{export}` that the interface does not define"
                                )));
                            }
                            let id = self.register_type_export(export, export_item, owner)?;
                            self.resolve.interfaces[interface]
                                .types
                                .insert(export.to_string(), id);
                        }
                    }
                }
                ComponentEntityType::Func(_) => {
                    let known = self.resolve.interfaces[interface]
                        .functions
                        .contains_key(export.as_str());
                    if known {
                        if checked {
                            let new = self.convert_function(export, export_item, owner)?;
                            let old =
                                &self.resolve.interfaces[interface].functions[export.as_str()];
                            if !function_eq(self.resolve, old, &new) {
                                return Err(Error::msg(format!(
                                    "function `{export}` of `{name}` has a different type than in the package already loaded"
                                ))
                                .with_help("the two binaries were built from different versions of the interface"));
                            }
                        }
                        continue;
                    }
                    if is_local {
                        return Err(Error::msg(format!(
                            "`{name}` exports a function `{export}` that the interface does not define"
                        )));
                    }
                    let func = self.convert_function(export, export_item, owner)?;
                    self.resolve.interfaces[interface]
                        .functions
                        .insert(export.to_string(), func);
                }
                _ => {
                    return Err(Error::msg(format!(
                        "`{name}` exports `{export}`, which is neither a type nor a function"
                    )))
                }
            }
        }
        Ok(interface)
    }

    /// Follows wasmparser's alias chain from `id` to the first type that has a WIT id.
    fn find_alias(&self, id: ComponentAnyTypeId) -> Option<TypeId> {
        let mut cur = id;
        // Alias chains are short; the bound only guards against a cycle.
        for _ in 0..10_000 {
            if let Some(found) = self.type_map.get(&cur) {
                return Some(*found);
            }
            cur = self.types.peel_alias(cur)?;
        }
        None
    }

    /// An interface defined by this binary (an export of a WIT package, or an instance with a
    /// plain name in a world, which becomes an anonymous interface). Returns its world key.
    fn register_interface(
        &mut self,
        name: &str,
        item: &ComponentItem,
    ) -> Result<(WorldKey, InterfaceId)> {
        let ComponentEntityType::Instance(ty) = item.ty else {
            return Err(Error::msg(format!("`{name}` is not an instance")));
        };
        if self.local.contains_key(name) {
            let id = self.register_import(name, item)?;
            return Ok((WorldKey::Interface(id), id));
        }
        let parsed = parse_name(name)?;
        let iface_name = match parsed.kind() {
            ComponentNameKind::Interface(i) => Some(i.interface().as_str().to_string()),
            ComponentNameKind::Label(_) => None,
            _ => {
                return Err(Error::msg(format!(
                    "`{name}` is neither an interface name nor a plain name"
                )))
            }
        };
        if let Some(iface_name) = &iface_name {
            // Already known (seen as a dependency first, or in the target): fill it in.
            let package = package_name_of(name, item)?;
            let existing_pkg = self.pending(&package).existing;
            let known = self.packages[&package].interfaces.contains_key(iface_name)
                || existing_pkg
                    .is_some_and(|p| self.resolve.packages[p].interfaces.contains_key(iface_name));
            if known {
                let id = self.register_import(name, item)?;
                self.local.insert(name.to_string(), id);
                return Ok((WorldKey::Interface(id), id));
            }
        }
        let id = self.alloc_interface(iface_name.clone());
        let owner = TypeOwner::Interface(id);
        for (export, export_item) in &self.types[ty].exports {
            match export_item.ty {
                ComponentEntityType::Type { .. } => {
                    let t = self
                        .register_type_export(export, export_item, owner)
                        .map_err(|e| e.context(format!("type `{export}`")))?;
                    self.resolve.interfaces[id]
                        .types
                        .insert(export.to_string(), t);
                }
                ComponentEntityType::Func(_) => {
                    let f = self
                        .convert_function(export, export_item, owner)
                        .map_err(|e| e.context(format!("function `{export}`")))?;
                    self.resolve.interfaces[id]
                        .functions
                        .insert(export.to_string(), f);
                }
                _ => {
                    return Err(Error::msg(format!(
                        "`{name}` exports `{export}`, which is neither a type nor a function"
                    )))
                }
            }
        }
        match iface_name {
            Some(iface_name) => {
                let package = package_name_of(name, item)?;
                self.pending(&package).interfaces.insert(iface_name, id);
                self.local.insert(name.to_string(), id);
                Ok((WorldKey::Interface(id), id))
            }
            None => Ok((WorldKey::Name(name.to_string()), id)),
        }
    }

    /// A named type (an export of an instance or a world's type import).
    fn register_type_export(
        &mut self,
        name: &str,
        item: &ComponentItem,
        owner: TypeOwner,
    ) -> Result<TypeId> {
        let ComponentEntityType::Type {
            referenced,
            created,
        } = item.ty
        else {
            return Err(Error::msg(format!("`{name}` is not a type")));
        };
        let kind = match self.find_alias(referenced) {
            Some(prev) => TypeDefKind::Type(Type::Id(prev)),
            None => match referenced {
                ComponentAnyTypeId::Defined(d) => self.convert_defined(&self.types[d], 0)?,
                ComponentAnyTypeId::Resource(_) => TypeDefKind::Resource,
                _ => {
                    return Err(Error::msg(format!(
                        "type `{name}` is a function, instance or component type, which WIT cannot name"
                    )))
                }
            },
        };
        let is_resource = kind == TypeDefKind::Resource;
        let id = self.resolve.types.alloc(TypeDef {
            name: Some(name.to_string()),
            kind,
            owner,
            docs: Docs::default(),
            stability: Stability::Unknown,
            span: Span::UNKNOWN,
        });
        if is_resource {
            self.resources
                .entry(owner)
                .or_default()
                .insert(name.to_string(), id);
        }
        if self.type_map.insert(created, id).is_some() {
            return Err(Error::msg(format!(
                "cannot represent this component in WIT: the type `{name}` appears more than once (for example, an imported instance re-exported under a new name)"
            )));
        }
        Ok(id)
    }

    /// A world exported by a WIT package (or a `component-type` section). A world the
    /// target already has under that name is extended, each item checked against its own.
    fn register_world(
        &mut self,
        name: &str,
        ty: &ComponentType,
        package: &PackageName,
    ) -> Result<WorldId> {
        let parsed = parse_name(name)?;
        let ComponentNameKind::Interface(iface) = parsed.kind() else {
            return Err(Error::msg(format!(
                "world name `{name}` is not of the form `namespace:package/world@version`"
            )));
        };
        let world_name = iface.interface().as_str().to_string();
        let existing = self
            .pending(package)
            .existing
            .and_then(|p| self.resolve.packages[p].worlds.get(&world_name).copied());
        let world = match existing {
            Some(w) => {
                self.preexisting_worlds.insert(w);
                w
            }
            None => self.alloc_world(world_name.clone()),
        };
        let owner = TypeOwner::World(world);
        for (import, item) in &ty.imports {
            let (key, value) = match item.ty {
                ComponentEntityType::Instance(_) => self.world_instance(import, item)?,
                ComponentEntityType::Type {
                    referenced,
                    created,
                } => {
                    let key = WorldKey::Name(import.to_string());
                    let prev = match self.resolve.worlds[world].imports.get(&key) {
                        Some(WorldItem::Type { id, .. }) => Some(*id),
                        _ => None,
                    };
                    let id = match prev {
                        Some(id) => {
                            self.register_existing(id, referenced, 0).map_err(|e| {
                                e.context(format!("type `{import}` of world `{world_name}`"))
                            })?;
                            self.type_map.insert(created, id);
                            id
                        }
                        None => self.register_type_export(import, item, owner)?,
                    };
                    (
                        key,
                        WorldItem::Type {
                            id,
                            span: Span::UNKNOWN,
                        },
                    )
                }
                ComponentEntityType::Func(_) => self.world_function(import, item, owner)?,
                _ => {
                    return Err(Error::msg(format!(
                        "world import `{import}` is not an instance, function or type"
                    )))
                }
            };
            self.insert_world_item(world, true, key, value)?;
        }
        for (export, item) in &ty.exports {
            let (key, value) = match item.ty {
                ComponentEntityType::Instance(_) => self.world_instance(export, item)?,
                ComponentEntityType::Func(_) => self.world_function(export, item, owner)?,
                _ => {
                    return Err(Error::msg(format!(
                        "world export `{export}` is not an instance or function"
                    )))
                }
            };
            self.insert_world_item(world, false, key, value)?;
        }
        if existing.is_none() {
            self.pending(package).worlds.insert(world_name, world);
        }
        Ok(world)
    }

    /// Adds an import or export to a world; in a world that already had the key, the two must
    /// agree.
    fn insert_world_item(
        &mut self,
        world: WorldId,
        import: bool,
        key: WorldKey,
        item: WorldItem,
    ) -> Result<()> {
        let w = &self.resolve.worlds[world];
        let map = if import { &w.imports } else { &w.exports };
        if let Some(prev) = map.get(&key) {
            if !item_eq(self.resolve, prev, &item) {
                let name = match &key {
                    WorldKey::Name(n) => n.clone(),
                    WorldKey::Interface(i) => self.resolve.id_of(*i).unwrap_or_default(),
                };
                return Err(Error::msg(format!(
                    "{} `{name}` of world `{}` has different types in two places",
                    if import { "import" } else { "export" },
                    w.name
                ))
                .with_help("the binaries were built from different versions of the world"));
            }
            return Ok(());
        }
        let w = &mut self.resolve.worlds[world];
        let map = if import {
            &mut w.imports
        } else {
            &mut w.exports
        };
        map.insert(key, item);
        Ok(())
    }

    /// A new, empty world named `name`.
    fn alloc_world(&mut self, name: String) -> WorldId {
        self.resolve.worlds.alloc(World {
            name,
            imports: IndexMap::new(),
            exports: IndexMap::new(),
            package: None,
            docs: Docs::default(),
            stability: Stability::Unknown,
            span: Span::UNKNOWN,
        })
    }

    /// A new, empty interface (anonymous when `name` is `None`).
    fn alloc_interface(&mut self, name: Option<String>) -> InterfaceId {
        self.resolve.interfaces.alloc(Interface {
            name,
            types: IndexMap::new(),
            functions: IndexMap::new(),
            docs: Docs::default(),
            stability: Stability::Unknown,
            package: None,
            span: Span::UNKNOWN,
        })
    }

    /// A function imported or exported by a world or component, under its plain name.
    fn world_function(
        &mut self,
        name: &str,
        item: &ComponentItem,
        owner: TypeOwner,
    ) -> Result<(WorldKey, WorldItem)> {
        let f = self.convert_function(name, item, owner)?;
        Ok((WorldKey::Name(name.to_string()), WorldItem::Function(f)))
    }

    /// An instance imported or exported by a world or component.
    fn world_instance(
        &mut self,
        name: &str,
        item: &ComponentItem,
    ) -> Result<(WorldKey, WorldItem)> {
        let (key, id) = match &item.implements {
            Some(implements) => {
                let id = self.register_import(implements, item)?;
                (WorldKey::Name(name.to_string()), id)
            }
            None => match parse_name(name)?.kind() {
                ComponentNameKind::Interface(_) => {
                    let id = self.register_import(name, item)?;
                    (WorldKey::Interface(id), id)
                }
                _ => self.register_interface(name, item)?,
            },
        };
        Ok((
            key,
            WorldItem::Interface {
                id,
                stability: Stability::Unknown,
                docs: Docs::default(),
                span: Span::UNKNOWN,
            },
        ))
    }

    /// The resource `name` defined by `owner`.
    fn resource(&self, owner: TypeOwner, name: &str, func: &str) -> Result<TypeId> {
        if let Some(id) = self.resources.get(&owner).and_then(|m| m.get(name)) {
            return Ok(*id);
        }
        let found = match owner {
            TypeOwner::Interface(i) => self.resolve.interfaces[i].types.get(name).copied(),
            TypeOwner::World(w) => match self.resolve.worlds[w]
                .imports
                .get(&WorldKey::Name(name.to_string()))
            {
                Some(WorldItem::Type { id, .. }) => Some(*id),
                _ => None,
            },
            TypeOwner::None => None,
        };
        match found {
            Some(id) if self.resolve.types[id].kind == TypeDefKind::Resource => Ok(id),
            _ => Err(Error::msg(format!(
                "function `{func}` belongs to resource `{name}`, which is not defined beside it"
            ))),
        }
    }

    fn convert_function(
        &mut self,
        name: &str,
        item: &ComponentItem,
        owner: TypeOwner,
    ) -> Result<Function> {
        let ComponentEntityType::Func(id) = item.ty else {
            return Err(Error::msg(format!("`{name}` is not a function")));
        };
        let ty = &self.types[id];
        let mut params = Vec::with_capacity(ty.params.len());
        for (pname, pty) in ty.params.iter() {
            params.push(Param {
                name: pname.to_string(),
                ty: self
                    .convert_valtype(pty, 0)
                    .map_err(|e| e.context(format!("parameter `{pname}` of `{name}`")))?,
            });
        }
        let result = match &ty.result {
            Some(r) => Some(
                self.convert_valtype(r, 0)
                    .map_err(|e| e.context(format!("result of `{name}`")))?,
            ),
            None => None,
        };
        let is_async = ty.async_;
        let kind = if let Some(r) = name.strip_prefix("[constructor]") {
            FunctionKind::Constructor(self.resource(owner, r, name)?)
        } else if let Some(rest) = name.strip_prefix("[method]") {
            let r = rest.split_once('.').map_or(rest, |(r, _)| r);
            let r = self.resource(owner, r, name)?;
            if is_async {
                FunctionKind::AsyncMethod(r)
            } else {
                FunctionKind::Method(r)
            }
        } else if let Some(rest) = name.strip_prefix("[static]") {
            let r = rest.split_once('.').map_or(rest, |(r, _)| r);
            let r = self.resource(owner, r, name)?;
            if is_async {
                FunctionKind::AsyncStatic(r)
            } else {
                FunctionKind::Static(r)
            }
        } else if is_async {
            FunctionKind::AsyncFreestanding
        } else {
            FunctionKind::Freestanding
        };
        Ok(Function {
            name: name.to_string(),
            kind,
            params,
            result,
            docs: Docs::default(),
            stability: Stability::Unknown,
            span: Span::UNKNOWN,
        })
    }

    fn convert_valtype(&mut self, ty: &ComponentValType, depth: usize) -> Result<Type> {
        let id = match ty {
            ComponentValType::Primitive(p) => return Ok(primitive(*p)),
            ComponentValType::Type(id) => *id,
        };
        let key = ComponentAnyTypeId::from(id);
        if let Some(t) = self.type_map.get(&key) {
            return Ok(Type::Id(*t));
        }
        let kind = self.convert_defined(&self.types[id], depth + 1)?;
        match &kind {
            TypeDefKind::Record(_)
            | TypeDefKind::Variant(_)
            | TypeDefKind::Enum(_)
            | TypeDefKind::Flags(_)
            | TypeDefKind::Resource => {
                return Err(Error::msg(format!(
                    "a {} type is used without a name, which WIT cannot express",
                    kind_name(&kind)
                ))
                .with_help(
                    "export the type from the instance or world (give it a name) before using it",
                ))
            }
            _ => {}
        }
        let t = self.resolve.types.alloc(TypeDef {
            name: None,
            kind,
            owner: TypeOwner::None,
            docs: Docs::default(),
            stability: Stability::Unknown,
            span: Span::UNKNOWN,
        });
        self.type_map.insert(key, t);
        Ok(Type::Id(t))
    }

    fn convert_defined(&mut self, ty: &ComponentDefinedType, depth: usize) -> Result<TypeDefKind> {
        if depth > MAX_DEPTH {
            return Err(Error::msg(format!(
                "types nest more than {MAX_DEPTH} levels deep, more than weft decodes"
            )));
        }
        Ok(match ty {
            ComponentDefinedType::Primitive(p) => TypeDefKind::Type(primitive(*p)),
            ComponentDefinedType::List { element, .. } => {
                TypeDefKind::List(self.convert_valtype(element, depth)?)
            }
            ComponentDefinedType::Map { key, value, .. } => TypeDefKind::Map(
                self.convert_valtype(key, depth)?,
                self.convert_valtype(value, depth)?,
            ),
            ComponentDefinedType::FixedLengthList {
                element, length, ..
            } => TypeDefKind::FixedLengthList(self.convert_valtype(element, depth)?, *length),
            ComponentDefinedType::Tuple(t) => {
                let mut types = Vec::with_capacity(t.types.len());
                for e in t.types.iter() {
                    types.push(self.convert_valtype(e, depth)?);
                }
                TypeDefKind::Tuple(Tuple { types })
            }
            ComponentDefinedType::Option { ty, .. } => {
                TypeDefKind::Option(self.convert_valtype(ty, depth)?)
            }
            ComponentDefinedType::Result { ok, err, .. } => {
                let ok = match ok {
                    Some(t) => Some(self.convert_valtype(t, depth)?),
                    None => None,
                };
                let err = match err {
                    Some(t) => Some(self.convert_valtype(t, depth)?),
                    None => None,
                };
                TypeDefKind::Result(ResultType { ok, err })
            }
            ComponentDefinedType::Record(r) => {
                let mut fields = Vec::with_capacity(r.fields.len());
                for (name, ty) in &r.fields {
                    fields.push(Field {
                        name: name.to_string(),
                        ty: self
                            .convert_valtype(ty, depth)
                            .map_err(|e| e.context(format!("record field `{name}`")))?,
                        docs: Docs::default(),
                    });
                }
                TypeDefKind::Record(Record { fields })
            }
            ComponentDefinedType::Variant(v) => {
                let mut cases = Vec::with_capacity(v.cases.len());
                for (name, case) in &v.cases {
                    let ty = match &case.ty {
                        Some(t) => Some(
                            self.convert_valtype(t, depth)
                                .map_err(|e| e.context(format!("variant case `{name}`")))?,
                        ),
                        None => None,
                    };
                    cases.push(Case {
                        name: name.to_string(),
                        ty,
                        docs: Docs::default(),
                    });
                }
                TypeDefKind::Variant(Variant { cases })
            }
            ComponentDefinedType::Flags(f) => TypeDefKind::Flags(Flags {
                flags: f
                    .iter()
                    .map(|n| Flag {
                        name: n.to_string(),
                        docs: Docs::default(),
                    })
                    .collect(),
            }),
            ComponentDefinedType::Enum(e) => TypeDefKind::Enum(Enum {
                cases: e
                    .iter()
                    .map(|n| EnumCase {
                        name: n.to_string(),
                        docs: Docs::default(),
                    })
                    .collect(),
            }),
            ComponentDefinedType::Own(r) => {
                TypeDefKind::Handle(Handle::Own(self.handle_target(*r)?))
            }
            ComponentDefinedType::Borrow(r) => {
                TypeDefKind::Handle(Handle::Borrow(self.handle_target(*r)?))
            }
            ComponentDefinedType::Future { ty, .. } => TypeDefKind::Future(match ty {
                Some(t) => Some(self.convert_valtype(t, depth)?),
                None => None,
            }),
            ComponentDefinedType::Stream { ty, .. } => TypeDefKind::Stream(match ty {
                Some(t) => Some(self.convert_valtype(t, depth)?),
                None => None,
            }),
        })
    }

    fn handle_target(&self, r: wasmparser::component_types::AliasableResourceId) -> Result<TypeId> {
        self.find_alias(ComponentAnyTypeId::from(r)).ok_or_else(|| {
            Error::msg("a handle (`own`/`borrow`) refers to a resource that has no name here")
                .with_help("export the resource type from the instance or world that uses it")
        })
    }

    /// Connects the wasmparser type `referenced` to the existing WIT type `id` (same name,
    /// already decoded or loaded), checking that their structures agree and mapping the
    /// anonymous types inside so they are shared rather than duplicated.
    fn register_existing(
        &mut self,
        id: TypeId,
        referenced: ComponentAnyTypeId,
        depth: usize,
    ) -> Result<()> {
        match referenced {
            ComponentAnyTypeId::Defined(d) => self.register_defined(id, &self.types[d], depth),
            ComponentAnyTypeId::Resource(_) => match &self.resolve.types[id].kind {
                TypeDefKind::Resource | TypeDefKind::Type(Type::Id(_)) => Ok(()),
                _ => Err(mismatch("a resource")),
            },
            _ => Err(Error::msg("not a value type or resource")),
        }
    }

    fn register_defined(
        &mut self,
        id: TypeId,
        def: &ComponentDefinedType,
        depth: usize,
    ) -> Result<()> {
        if depth > MAX_DEPTH {
            return Err(Error::msg(format!(
                "types nest more than {MAX_DEPTH} levels deep"
            )));
        }
        let kind = self.resolve.types[id].kind.clone();
        // Once a side is a named alias, there is nothing anonymous left to connect.
        if let TypeDefKind::Type(Type::Id(_)) = kind {
            return Ok(());
        }
        match (def, &kind) {
            (ComponentDefinedType::Primitive(_), _) => Ok(()),
            (ComponentDefinedType::List { element, .. }, TypeDefKind::List(t)) => {
                self.register_valtype(element, *t, depth)
            }
            (ComponentDefinedType::List { .. }, _) => Err(mismatch("a list")),
            (ComponentDefinedType::Map { key, value, .. }, TypeDefKind::Map(k, v)) => {
                self.register_valtype(key, *k, depth)?;
                self.register_valtype(value, *v, depth)
            }
            (ComponentDefinedType::Map { .. }, _) => Err(mismatch("a map")),
            (
                ComponentDefinedType::FixedLengthList {
                    element, length, ..
                },
                TypeDefKind::FixedLengthList(t, n),
            ) if length == n => self.register_valtype(element, *t, depth),
            (ComponentDefinedType::FixedLengthList { .. }, _) => {
                Err(mismatch("a fixed-length list"))
            }
            (ComponentDefinedType::Tuple(a), TypeDefKind::Tuple(b))
                if a.types.len() == b.types.len() =>
            {
                for (x, y) in a.types.iter().zip(&b.types) {
                    self.register_valtype(x, *y, depth)?;
                }
                Ok(())
            }
            (ComponentDefinedType::Tuple(_), _) => Err(mismatch("a tuple")),
            (ComponentDefinedType::Option { ty, .. }, TypeDefKind::Option(t)) => {
                self.register_valtype(ty, *t, depth)
            }
            (ComponentDefinedType::Option { .. }, _) => Err(mismatch("an option")),
            (ComponentDefinedType::Result { ok, err, .. }, TypeDefKind::Result(r)) => {
                self.register_opt(ok.as_ref(), r.ok, depth, "a result")?;
                self.register_opt(err.as_ref(), r.err, depth, "a result")
            }
            (ComponentDefinedType::Result { .. }, _) => Err(mismatch("a result")),
            (ComponentDefinedType::Record(a), TypeDefKind::Record(b))
                if a.fields.len() == b.fields.len() =>
            {
                for ((name, t), field) in a.fields.iter().zip(&b.fields) {
                    if name.as_str() != field.name {
                        return Err(mismatch("a record with the same fields"));
                    }
                    self.register_valtype(t, field.ty, depth)?;
                }
                Ok(())
            }
            (ComponentDefinedType::Record(_), _) => Err(mismatch("a record with the same fields")),
            (ComponentDefinedType::Variant(a), TypeDefKind::Variant(b))
                if a.cases.len() == b.cases.len() =>
            {
                for ((name, case), c) in a.cases.iter().zip(&b.cases) {
                    if name.as_str() != c.name {
                        return Err(mismatch("a variant with the same cases"));
                    }
                    self.register_opt(
                        case.ty.as_ref(),
                        c.ty,
                        depth,
                        "a variant with the same cases",
                    )?;
                }
                Ok(())
            }
            (ComponentDefinedType::Variant(_), _) => Err(mismatch("a variant with the same cases")),
            (ComponentDefinedType::Future { ty, .. }, TypeDefKind::Future(t)) => {
                self.register_opt(ty.as_ref(), *t, depth, "a future")
            }
            (ComponentDefinedType::Future { .. }, _) => Err(mismatch("a future")),
            (ComponentDefinedType::Stream { ty, .. }, TypeDefKind::Stream(t)) => {
                self.register_opt(ty.as_ref(), *t, depth, "a stream")
            }
            (ComponentDefinedType::Stream { .. }, _) => Err(mismatch("a stream")),
            (ComponentDefinedType::Flags(a), TypeDefKind::Flags(b))
                if a.iter()
                    .map(|n| n.as_str())
                    .eq(b.flags.iter().map(|f| f.name.as_str())) =>
            {
                Ok(())
            }
            (ComponentDefinedType::Flags(_), _) => Err(mismatch("flags with the same names")),
            (ComponentDefinedType::Enum(a), TypeDefKind::Enum(b))
                if a.iter()
                    .map(|n| n.as_str())
                    .eq(b.cases.iter().map(|c| c.name.as_str())) =>
            {
                Ok(())
            }
            (ComponentDefinedType::Enum(_), _) => Err(mismatch("an enum with the same cases")),
            (ComponentDefinedType::Own(_), TypeDefKind::Handle(Handle::Own(_))) => Ok(()),
            (ComponentDefinedType::Own(_), _) => Err(mismatch("an `own` handle")),
            (ComponentDefinedType::Borrow(_), TypeDefKind::Handle(Handle::Borrow(_))) => Ok(()),
            (ComponentDefinedType::Borrow(_), _) => Err(mismatch("a `borrow` handle")),
        }
    }

    fn register_opt(
        &mut self,
        wasm: Option<&ComponentValType>,
        wit: Option<Type>,
        depth: usize,
        what: &str,
    ) -> Result<()> {
        match (wasm, wit) {
            (Some(a), Some(b)) => self.register_valtype(a, b, depth),
            (None, None) => Ok(()),
            _ => Err(mismatch(what)),
        }
    }

    fn register_valtype(&mut self, wasm: &ComponentValType, wit: Type, depth: usize) -> Result<()> {
        let wasm = match wasm {
            ComponentValType::Primitive(p) => {
                return if primitive(*p) == wit {
                    Ok(())
                } else {
                    Err(mismatch(&format!(
                        "`{}`",
                        primitive(*p).primitive_name().unwrap_or("?")
                    )))
                };
            }
            ComponentValType::Type(id) => *id,
        };
        let Type::Id(wit) = wit else {
            return Err(mismatch(&format!(
                "`{}`",
                wit.primitive_name().unwrap_or("?")
            )));
        };
        if self.type_map.insert(wasm.into(), wit).is_some() {
            // Already connected (possibly to an equal copy); see wit-component's notes on
            // duplicated anonymous types.
            return Ok(());
        }
        self.register_defined(wit, &self.types[wasm], depth + 1)
    }

    /// Puts the new interfaces and worlds into packages, creating the new packages in
    /// dependency order (a package after those it uses, `main` last). Returns every touched
    /// package's id by name.
    fn finish(&mut self, main: Option<&PackageName>) -> Result<HashMap<PackageName, PackageId>> {
        let packages = std::mem::take(&mut self.packages);
        // Which pending package each interface belongs to.
        let mut owner_of: HashMap<InterfaceId, usize> = HashMap::default();
        for (i, p) in packages.values().enumerate() {
            for id in p.interfaces.values() {
                owner_of.insert(*id, i);
            }
        }
        let mut deps: Vec<Vec<usize>> = vec![Vec::new(); packages.len()];
        for (i, p) in packages.values().enumerate() {
            let mut ifaces: Vec<InterfaceId> = p.interfaces.values().copied().collect();
            for w in p.worlds.values() {
                let world = &self.resolve.worlds[*w];
                for item in world.imports.values().chain(world.exports.values()) {
                    if let WorldItem::Interface { id, .. } = item {
                        ifaces.push(*id);
                    }
                }
            }
            for iface in ifaces {
                if let Some(&j) = owner_of.get(&iface) {
                    if j != i {
                        deps[i].push(j);
                    }
                }
                for t in self.resolve.interfaces[iface].types.values() {
                    if let TypeDefKind::Type(Type::Id(other)) = self.resolve.types[*t].kind {
                        if let TypeOwner::Interface(o) = self.resolve.types[other].owner {
                            if let Some(&j) = owner_of.get(&o) {
                                if j != i {
                                    deps[i].push(j);
                                }
                            }
                        }
                    }
                }
            }
        }
        let main_index = main.and_then(|m| packages.get_index_of(m));
        let mut order = Vec::with_capacity(packages.len());
        let mut state = vec![0u8; packages.len()];
        for i in 0..packages.len() {
            if Some(i) != main_index {
                visit(i, &deps, &mut state, &mut order);
            }
        }
        if let Some(m) = main_index {
            visit(m, &deps, &mut state, &mut order);
        }
        let mut packages: Vec<Option<(PackageName, Pending)>> =
            packages.into_iter().map(Some).collect();
        let mut ids = HashMap::default();
        for i in order {
            let Some((name, pending)) = packages[i].take() else {
                continue;
            };
            let pkg = match pending.existing {
                Some(p) => p,
                None => {
                    let p = self.resolve.packages.alloc(Package {
                        name: name.clone(),
                        docs: Docs::default(),
                        interfaces: IndexMap::new(),
                        worlds: IndexMap::new(),
                    });
                    self.resolve.package_names.insert(name.clone(), p);
                    p
                }
            };
            for (iname, id) in pending.interfaces {
                if self.resolve.interfaces[id].package.is_none() {
                    self.resolve.interfaces[id].package = Some(pkg);
                }
                self.resolve.packages[pkg]
                    .interfaces
                    .entry(iname)
                    .or_insert(id);
            }
            for (wname, id) in pending.worlds {
                self.resolve.worlds[id].package = Some(pkg);
                self.resolve.packages[pkg].worlds.entry(wname).or_insert(id);
                let world = &self.resolve.worlds[id];
                let anonymous: Vec<InterfaceId> = world
                    .imports
                    .iter()
                    .chain(world.exports.iter())
                    .filter_map(|(k, item)| match (k, item) {
                        (WorldKey::Name(_), WorldItem::Interface { id, .. }) => Some(*id),
                        _ => None,
                    })
                    .collect();
                for a in anonymous {
                    let iface = &mut self.resolve.interfaces[a];
                    if iface.name.is_none() && iface.package.is_none() {
                        iface.package = Some(pkg);
                    }
                }
            }
            ids.insert(name, pkg);
        }
        Ok(ids)
    }
}

/// Depth-first post-order over the package dependency graph (cycles are cut).
fn visit(i: usize, deps: &[Vec<usize>], state: &mut [u8], order: &mut Vec<usize>) {
    // An explicit stack: a hostile binary can make the graph deep.
    let mut stack = vec![(i, 0usize)];
    if state[i] != 0 {
        return;
    }
    state[i] = 1;
    while let Some((node, next)) = stack.pop() {
        if let Some(&dep) = deps[node].get(next) {
            stack.push((node, next + 1));
            if state[dep] == 0 {
                state[dep] = 1;
                stack.push((dep, 0));
            }
        } else {
            state[node] = 2;
            order.push(node);
        }
    }
}

fn mismatch(expected: &str) -> Error {
    Error::msg(format!(
        "the binary's type differs from the one already known: expected {expected}"
    ))
}

fn parse_name(name: &str) -> Result<ComponentName> {
    ComponentName::new_with_features(name, 0, wasmparser::WasmFeatures::all())
        .map_err(|e| Error::msg(format!("`{name}` is not a valid name: {}", e.message())))
}

/// The package of an interface or world name `ns:pkg/item@version` (with the item's
/// `versionsuffix`, if any).
fn package_name_of(name: &str, item: &ComponentItem) -> Result<PackageName> {
    let parsed = parse_name(name)?;
    let ComponentNameKind::Interface(i) = parsed.kind() else {
        return Err(Error::msg(format!(
            "`{name}` is not of the form `namespace:package/name@version`"
        )));
    };
    let version = i
        .version(item.version_suffix.as_deref())
        .map_err(|e| Error::msg(format!("`{name}` has an invalid version: {e}")))?;
    Ok(PackageName {
        namespace: i.namespace().as_str().to_string(),
        name: i.package().as_str().to_string(),
        version,
    })
}

fn primitive(p: PrimitiveValType) -> Type {
    match p {
        PrimitiveValType::Bool => Type::Bool,
        PrimitiveValType::S8 => Type::S8,
        PrimitiveValType::U8 => Type::U8,
        PrimitiveValType::S16 => Type::S16,
        PrimitiveValType::U16 => Type::U16,
        PrimitiveValType::S32 => Type::S32,
        PrimitiveValType::U32 => Type::U32,
        PrimitiveValType::S64 => Type::S64,
        PrimitiveValType::U64 => Type::U64,
        PrimitiveValType::F32 => Type::F32,
        PrimitiveValType::F64 => Type::F64,
        PrimitiveValType::Char => Type::Char,
        PrimitiveValType::String => Type::String,
        PrimitiveValType::ErrorContext => Type::ErrorContext,
    }
}

fn kind_name(kind: &TypeDefKind) -> &'static str {
    match kind {
        TypeDefKind::Record(_) => "record",
        TypeDefKind::Variant(_) => "variant",
        TypeDefKind::Enum(_) => "enum",
        TypeDefKind::Flags(_) => "flags",
        TypeDefKind::Resource => "resource",
        _ => "value",
    }
}
