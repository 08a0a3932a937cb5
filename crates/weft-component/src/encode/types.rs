//! WIT value types and function types → component-model type definitions, for any index space.
//!
//! The Component Model defines types in several places: the body of a component type, the body
//! of an instance type, and a component's own type section. The rules for turning a WIT type
//! into definitions are the same everywhere (define what a type refers to first, give named
//! types a name, reuse what is already defined); only three things differ from one place to
//! another, and they are the methods of [`TypeSpace`]:
//!
//! * how a new type definition is started ([`TypeSpace::define`]);
//! * how a name is bound to a type ([`TypeSpace::bind`]): an `export` in an instance type, an
//!   `export` or `import` in a component type or a component, or nothing at all;
//! * how a type owned by another interface is reached ([`TypeSpace::foreign`]): usually an
//!   alias of an export of an instance imported earlier.
//!
//! [`TypeEncoder`] holds the per-index-space memory (which WIT type is already at which index)
//! and does the walking. To encode into a new context, implement [`TypeSpace`] for it and keep
//! one [`TypeEncoder`] per index space:
//!
//! ```ignore
//! let mut space = MySpace { .. };              // impl TypeSpace
//! let mut types = TypeEncoder::new(resolve, Some(interface));
//! let ty = types.valtype(&mut space, &param.ty)?; // a ComponentValType valid in `space`
//! let func = types.func_type(&mut space, &function)?; // a function type index in `space`
//! ```
//!
//! The order in which definitions are emitted and the reuse of definitions follow wit-component
//! (wasm-tools 1.262) exactly, so that encoding the same `Resolve` gives the same bytes.

use weft_wit::fxhash::HashMap;

use wasm_encoder::{
    ComponentExternName, ComponentTypeEncoder, ComponentValType, PrimitiveValType, TypeBounds,
};
use weft_wit::{
    Function, Handle, InterfaceId, Param, Resolve, Type, TypeDefKind, TypeId, TypeOwner,
};

use crate::{Error, Result};

/// One index space of component types that WIT types can be defined in.
pub(crate) trait TypeSpace {
    /// Starts a new type definition: returns the index it will have and the encoder to write
    /// it with. The encoder must be used before anything else is added.
    fn define(&mut self) -> (u32, ComponentTypeEncoder<'_>);

    /// Binds `name` to a type bounded by `bounds` (`(eq i)` for a named type, `(sub resource)`
    /// for a resource), as this context binds names: an export of an instance type, an import
    /// or an export of a component type, …
    ///
    /// Returns the index the binding creates, or `None` when this context creates none (the
    /// type is then referred to by the index it was defined at). A context that cannot bind
    /// a resource must return an error, since a resource has no index without a binding.
    fn bind(&mut self, name: ComponentExternName<'_>, bounds: TypeBounds) -> Result<Option<u32>>;

    /// The index, in this space, of type `id`, which is owned by interface `owner` (not the
    /// one being encoded): typically an alias of an export of an instance of `owner`.
    fn foreign(&mut self, resolve: &Resolve, owner: InterfaceId, id: TypeId) -> Result<u32>;
}

/// The signature of a function type, for reusing function types: `async`, parameters
/// (names and types) and the result.
type FuncKey<'r> = (bool, &'r [Param], Option<Type>);

/// What is already defined in one index space, and the walk that defines WIT types into it.
///
/// A `TypeEncoder` belongs to exactly one index space; start a fresh one for each instance type
/// or component type body.
pub(crate) struct TypeEncoder<'r> {
    resolve: &'r Resolve,
    /// The interface whose types are being defined; types owned by other interfaces are
    /// reached through [`TypeSpace::foreign`]. `None` at the level of a world or component,
    /// where every interface-owned type is foreign.
    interface: Option<InterfaceId>,
    /// Type ids already defined here.
    by_id: HashMap<TypeId, u32>,
    /// Anonymous type structures already defined here (`list<u8>` is defined once, whichever
    /// `TypeId`s spell it).
    by_kind: HashMap<&'r TypeDefKind, u32>,
    /// Function types already defined here.
    funcs: HashMap<FuncKey<'r>, u32>,
    /// How deep `valtype` is in defined types; deeper than there are types means a cycle,
    /// which only a broken `Resolve` has.
    depth: usize,
}

impl<'r> TypeEncoder<'r> {
    /// An encoder for an empty index space, defining the types of `interface` (or of a world
    /// or component when `None`).
    pub(crate) fn new(resolve: &'r Resolve, interface: Option<InterfaceId>) -> TypeEncoder<'r> {
        TypeEncoder {
            resolve,
            interface,
            by_id: HashMap::default(),
            by_kind: HashMap::default(),
            funcs: HashMap::default(),
            depth: 0,
        }
    }

    /// Changes the interface whose types are being defined, keeping what is defined.
    #[allow(
        dead_code,
        reason = "for contexts that switch interfaces in one index space, like the root component of `weft new`"
    )]
    pub(crate) fn set_interface(&mut self, interface: Option<InterfaceId>) {
        self.interface = interface;
    }

    /// The function type of `func`, defined (with everything its parameters and result refer
    /// to) unless an identical one is already defined here.
    pub(crate) fn func_type(
        &mut self,
        space: &mut dyn TypeSpace,
        func: &'r Function,
    ) -> Result<u32> {
        let is_async = func.kind.is_async();
        let key = (is_async, func.params.as_slice(), func.result);
        if let Some(index) = self.funcs.get(&key) {
            return Ok(*index);
        }
        let mut params = Vec::with_capacity(func.params.len());
        for p in &func.params {
            params.push((p.name.as_str(), self.valtype(space, &p.ty)?));
        }
        let result = match &func.result {
            Some(ty) => Some(self.valtype(space, ty)?),
            None => None,
        };
        let (index, enc) = space.define();
        enc.function()
            .async_(is_async)
            .params(params)
            .result(result);
        self.funcs.insert(key, index);
        Ok(index)
    }

    /// The component value type of `ty`, defining whatever it refers to that is not defined
    /// here yet.
    pub(crate) fn valtype(
        &mut self,
        space: &mut dyn TypeSpace,
        ty: &Type,
    ) -> Result<ComponentValType> {
        let id = match *ty {
            Type::Id(id) => id,
            prim => return primitive(prim).map(ComponentValType::Primitive),
        };
        if self.depth > self.resolve.types.len() {
            return Err(Error::msg(format!(
                "type {id:?} is defined in terms of itself"
            )));
        }
        self.depth += 1;
        let result = self.defined(space, id);
        self.depth -= 1;
        result
    }

    /// [`TypeEncoder::valtype`] of the defined type `id`.
    fn defined(&mut self, space: &mut dyn TypeSpace, id: TypeId) -> Result<ComponentValType> {
        if let Some(index) = self.lookup(id)? {
            return Ok(ComponentValType::Type(index));
        }
        let resolve = self.resolve;
        let def = resolve
            .types
            .get(id)
            .ok_or_else(|| Error::msg(format!("type id {id:?} is not in the `Resolve`")))?;

        // A type of another interface is reached, not redefined.
        if let TypeOwner::Interface(owner) = def.owner {
            if Some(owner) != self.interface {
                let index = space.foreign(resolve, owner, id)?;
                self.remember(id, index);
                return Ok(ComponentValType::Type(index));
            }
        }

        let mut encoded = match &def.kind {
            TypeDefKind::Record(r) => {
                let mut fields = Vec::with_capacity(r.fields.len());
                for f in &r.fields {
                    fields.push((f.name.as_str(), self.valtype(space, &f.ty)?));
                }
                let (index, enc) = space.define();
                enc.defined_type().record(fields);
                ComponentValType::Type(index)
            }
            TypeDefKind::Tuple(t) => {
                let mut types = Vec::with_capacity(t.types.len());
                for ty in &t.types {
                    types.push(self.valtype(space, ty)?);
                }
                let (index, enc) = space.define();
                enc.defined_type().tuple(types);
                ComponentValType::Type(index)
            }
            TypeDefKind::Flags(f) => {
                let (index, enc) = space.define();
                enc.defined_type()
                    .flags(f.flags.iter().map(|f| f.name.as_str()));
                ComponentValType::Type(index)
            }
            TypeDefKind::Variant(v) => {
                let mut cases = Vec::with_capacity(v.cases.len());
                for c in &v.cases {
                    let ty = match &c.ty {
                        Some(ty) => Some(self.valtype(space, ty)?),
                        None => None,
                    };
                    cases.push((c.name.as_str(), ty));
                }
                let (index, enc) = space.define();
                enc.defined_type().variant(cases);
                ComponentValType::Type(index)
            }
            TypeDefKind::Enum(e) => {
                let (index, enc) = space.define();
                enc.defined_type()
                    .enum_type(e.cases.iter().map(|c| c.name.as_str()));
                ComponentValType::Type(index)
            }
            TypeDefKind::Option(ty) => {
                let ty = self.valtype(space, ty)?;
                let (index, enc) = space.define();
                enc.defined_type().option(ty);
                ComponentValType::Type(index)
            }
            TypeDefKind::Result(r) => {
                let ok = match &r.ok {
                    Some(ty) => Some(self.valtype(space, ty)?),
                    None => None,
                };
                let err = match &r.err {
                    Some(ty) => Some(self.valtype(space, ty)?),
                    None => None,
                };
                let (index, enc) = space.define();
                enc.defined_type().result(ok, err);
                ComponentValType::Type(index)
            }
            TypeDefKind::List(ty) => {
                let ty = self.valtype(space, ty)?;
                let (index, enc) = space.define();
                enc.defined_type().list(ty);
                ComponentValType::Type(index)
            }
            TypeDefKind::Map(k, v) => {
                let k = self.valtype(space, k)?;
                let v = self.valtype(space, v)?;
                let (index, enc) = space.define();
                enc.defined_type().map(k, v);
                ComponentValType::Type(index)
            }
            TypeDefKind::FixedLengthList(ty, n) => {
                let ty = self.valtype(space, ty)?;
                let (index, enc) = space.define();
                enc.defined_type().fixed_length_list(ty, *n);
                ComponentValType::Type(index)
            }
            TypeDefKind::Future(ty) => {
                let ty = match ty {
                    Some(ty) => Some(self.valtype(space, ty)?),
                    None => None,
                };
                let (index, enc) = space.define();
                enc.defined_type().future(ty);
                ComponentValType::Type(index)
            }
            TypeDefKind::Stream(ty) => {
                let ty = match ty {
                    Some(ty) => Some(self.valtype(space, ty)?),
                    None => None,
                };
                let (index, enc) = space.define();
                enc.defined_type().stream(ty);
                ComponentValType::Type(index)
            }
            TypeDefKind::Type(ty) => self.valtype(space, ty)?,
            TypeDefKind::Handle(h) => {
                let (resource, own) = match *h {
                    Handle::Own(r) => (r, true),
                    Handle::Borrow(r) => (r, false),
                };
                let resource = match self.valtype(space, &Type::Id(resource))? {
                    ComponentValType::Type(index) => index,
                    ComponentValType::Primitive(_) => {
                        return Err(Error::msg(format!(
                            "handle type {id:?} refers to a primitive type, not a resource"
                        )))
                    }
                };
                let (index, enc) = space.define();
                if own {
                    enc.defined_type().own(resource);
                } else {
                    enc.defined_type().borrow(resource);
                }
                ComponentValType::Type(index)
            }
            TypeDefKind::Resource => {
                let name = def
                    .name
                    .as_deref()
                    .ok_or_else(|| Error::msg(format!("resource type {id:?} has no name")))?;
                let index = space
                    .bind(name.into(), TypeBounds::SubResource)?
                    .ok_or_else(|| {
                        Error::msg(format!(
                            "resource `{name}` cannot be defined in this context"
                        ))
                    })?;
                // Resources are never anonymous, so only the id is remembered.
                self.by_id.insert(id, index);
                return Ok(ComponentValType::Type(index));
            }
            TypeDefKind::Unknown => {
                return Err(Error::msg(format!(
                    "type {id:?} is an unresolved placeholder and cannot be encoded"
                )))
            }
        };

        if let Some(name) = &def.name {
            let index = match encoded {
                ComponentValType::Type(index) => index,
                // A named primitive (`type x = u32`) needs an entry of its own to be named.
                ComponentValType::Primitive(p) => {
                    let (index, enc) = space.define();
                    enc.defined_type().primitive(p);
                    index
                }
            };
            let index = space
                .bind(name.as_str().into(), TypeBounds::Eq(index))?
                .unwrap_or(index);
            encoded = ComponentValType::Type(index);
        }
        if let ComponentValType::Type(index) = encoded {
            self.remember(id, index);
        }
        Ok(encoded)
    }

    /// The index `id` is already defined at: the same id, or for an anonymous type the same
    /// structure.
    fn lookup(&self, id: TypeId) -> Result<Option<u32>> {
        if let Some(index) = self.by_id.get(&id) {
            return Ok(Some(*index));
        }
        let def = self
            .resolve
            .types
            .get(id)
            .ok_or_else(|| Error::msg(format!("type id {id:?} is not in the `Resolve`")))?;
        if def.name.is_none() {
            return Ok(self.by_kind.get(&def.kind).copied());
        }
        Ok(None)
    }

    /// Records that `id` is at `index` (and, for an anonymous type, its structure too).
    /// Records that type `id` is at `index` in this space (for types bound by other means,
    /// such as re-exports).
    pub(crate) fn remember(&mut self, id: TypeId, index: u32) {
        self.by_id.insert(id, index);
        if let Some(def) = self.resolve.types.get(id) {
            if def.name.is_none() {
                self.by_kind.insert(&def.kind, index);
            }
        }
    }
}

/// The component-model primitive of a WIT primitive type.
fn primitive(ty: Type) -> Result<PrimitiveValType> {
    Ok(match ty {
        Type::Bool => PrimitiveValType::Bool,
        Type::U8 => PrimitiveValType::U8,
        Type::U16 => PrimitiveValType::U16,
        Type::U32 => PrimitiveValType::U32,
        Type::U64 => PrimitiveValType::U64,
        Type::S8 => PrimitiveValType::S8,
        Type::S16 => PrimitiveValType::S16,
        Type::S32 => PrimitiveValType::S32,
        Type::S64 => PrimitiveValType::S64,
        Type::F32 => PrimitiveValType::F32,
        Type::F64 => PrimitiveValType::F64,
        Type::Char => PrimitiveValType::Char,
        Type::String => PrimitiveValType::String,
        Type::ErrorContext => PrimitiveValType::ErrorContext,
        Type::Id(id) => return Err(Error::msg(format!("type {id:?} is not a primitive"))),
    })
}
