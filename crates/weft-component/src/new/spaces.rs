//! The three places `weft new` defines WIT types in, as [`TypeSpace`]s: the root component,
//! an imported interface's instance type, and the nested component that names an exported
//! interface's types.

use weft_wit::fxhash::{HashMap, HashSet};

use wasm_encoder::{
    ComponentExportKind, ComponentTypeEncoder, ComponentTypeRef, InstanceType, TypeBounds,
};
use weft_wit::{InterfaceId, Resolve, Type, TypeId};

use super::builder::Builder;
use crate::encode::types::{TypeEncoder, TypeSpace};
use crate::{Error, Result};

/// How names are bound in the root component while types are defined there.
pub(crate) enum Mode {
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
pub(crate) struct Root<'r> {
    pub(crate) b: Builder,
    pub(crate) resolve: &'r Resolve,
    /// Instance index of each imported interface.
    pub(crate) instances: HashMap<InterfaceId, u32>,
    /// Instance index of each import, by its name.
    pub(crate) by_key: HashMap<String, u32>,
    /// Instance index of each exported interface exported so far.
    pub(crate) exported: HashMap<InterfaceId, u32>,
    /// Root type index of each type aliased out of an instance: (from an export?, type).
    pub(crate) aliases: HashMap<(bool, TypeId), u32>,
    /// Root type index of each exported resource.
    pub(crate) resources: HashMap<TypeId, u32>,
    pub(crate) mode: Mode,
    /// Core instance of the module holding the TLS base of a module without threads.
    pub(crate) tls: Option<u32>,
    /// Core type index of `(func (param i32))`, the start function of `thread.new-indirect`.
    pub(crate) thread_start_type: Option<u32>,
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
pub(crate) fn sanitize(name: &str) -> String {
    match name.strip_prefix('[') {
        Some(rest) => rest.replace([']', '.'], "-"),
        None => format!("func-{name}"),
    }
}

/// The nested component that names an exported interface's types, while its imports are
/// being defined: every named type is imported (`import-type-…`), foreign ones included.
pub(crate) struct Nested<'r> {
    pub(crate) b: Builder,
    pub(crate) resolve: &'r Resolve,
    /// The interface whose types are being defined (foreign types push their owner).
    pub(crate) stack: Vec<InterfaceId>,
    /// Every type imported: import name and index.
    pub(crate) imported: indexmap::IndexMap<TypeId, (String, u32)>,
    /// Import names used so far.
    pub(crate) names: HashSet<String>,
    /// Whether the exports are being defined: names are then bound by exporting, and foreign
    /// types are their imports.
    pub(crate) exporting: bool,
}

impl Nested<'_> {
    pub(crate) fn unique(&mut self, base: &str) -> String {
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
pub(crate) struct InstanceSpace<'a, 'r> {
    pub(crate) root: &'a mut Root<'r>,
    pub(crate) ty: InstanceType,
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
