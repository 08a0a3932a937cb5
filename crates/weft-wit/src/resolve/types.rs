//! Types, `use`, and functions inside an interface or world body.

use std::collections::hash_map::Entry;

use super::{HashMap, HashSet};

use super::names::{self, NameSet};
use super::PackageCx;
use crate::ast;
use crate::{
    Case, Docs, EnumCase, Error, Field, Flag, Flags, Function, FunctionKind, Handle, InterfaceId,
    Param, Record, Resolve, Result, ResultType, Span, Stability, Tuple, Type, TypeDef, TypeDefKind,
    TypeId, TypeOwner, Variant,
};

/// Maximum number of flags in one `flags` type.
const MAX_FLAGS: usize = 32;

/// How deeply a type may nest, counting through named types (wasmparser's
/// `MAX_WASM_COMPONENT_TYPE_DEPTH`, as the wasmparser weft validates with counts it; newer
/// ones also count the instance and component types around it, a few levels more).
pub(crate) const MAX_TYPE_DEPTH: u32 = 100;

/// What a type's effective size must stay below, every use of a named type counted in full
/// (wasmparser's `MAX_WASM_TYPE_SIZE`); the same holds for a function's type, an interface's
/// instance type and a world's component type, each the sum of its parts.
pub(crate) const MAX_TYPE_SIZE: u32 = 1_000_000;

/// The component types a binary puts around an interface's instance type or a world's
/// component type (in a package, the item's type and the type it is exported as), which
/// newer validators (wasm-tools 1.262) count in the depth: measured, an interface 98 deep
/// encodes and one 99 deep does not, and the same for a world.
pub(crate) const WRAPPERS: u32 = 2;

/// Names visible in one interface or world body.
pub(crate) struct TypeScope<'a> {
    pub(crate) owner: TypeOwner,
    /// Type names → ids (definitions and `use`d names).
    pub(crate) types: HashMap<&'a str, TypeId>,
    /// Type names excluded by a disabled feature gate.
    pub(crate) excluded: HashSet<&'a str>,
    /// Function names (to say "cannot use function `x` as a type").
    pub(crate) funcs: HashSet<&'a str>,
    /// The strongly-unique namespace of types and functions.
    pub(crate) names: NameSet,
}

impl<'a> TypeScope<'a> {
    pub(crate) fn new(owner: TypeOwner, items: usize) -> Self {
        let mut types = HashMap::default();
        types.reserve(items);
        TypeScope {
            owner,
            types,
            excluded: HashSet::default(),
            funcs: HashSet::default(),
            names: NameSet::default(),
        }
    }
}

/// A function to resolve once all types of a body are known.
pub(crate) struct PendingFunc<'a> {
    pub(crate) name: ast::Ident<'a>,
    pub(crate) sig: &'a ast::Func<'a>,
    pub(crate) docs: &'a ast::Docs<'a>,
    pub(crate) resource: Option<(TypeId, &'a str)>,
    pub(crate) is_static: bool,
    pub(crate) is_constructor: bool,
    pub(crate) stability: Stability,
}

impl<'u, 'a> PackageCx<'u, 'a> {
    pub(super) fn resolve_interface(
        &mut self,
        resolve: &mut Resolve,
        id: InterfaceId,
        items: &'a [ast::InterfaceItem<'a>],
        fi: usize,
    ) -> Result<()> {
        let mut scope = TypeScope::new(TypeOwner::Interface(id), items.len());
        let mut typedefs: Vec<&'a ast::TypeDef<'a>> = Vec::new();
        let mut funcs: Vec<PendingFunc<'a>> = Vec::new();
        for item in items {
            match item {
                ast::InterfaceItem::Use(u) => {
                    for (name, ty) in self.resolve_use(resolve, &mut scope, u, fi)? {
                        resolve.interfaces[id].types.insert(name.to_string(), ty);
                    }
                }
                ast::InterfaceItem::TypeDef(t) => {
                    if self
                        .declare_type(resolve, &mut scope, t, &mut funcs)?
                        .is_some()
                    {
                        typedefs.push(t);
                    }
                }
                ast::InterfaceItem::Func(f) => {
                    let stability = self.stability(&f.attributes, f.name.span)?;
                    if !resolve.is_active(&stability) {
                        continue;
                    }
                    scope.funcs.insert(f.name.name);
                    funcs.push(PendingFunc {
                        name: f.name,
                        sig: &f.func,
                        docs: &f.docs,
                        resource: None,
                        is_static: false,
                        is_constructor: false,
                        stability,
                    });
                }
            }
        }
        // `use`d names come first, then definitions in dependency order.
        for t in self.define_types(resolve, &scope, &typedefs)? {
            resolve.interfaces[id]
                .types
                .insert(t.name.name.to_string(), scope.types[t.name.name]);
        }
        let mut names = std::mem::take(&mut scope.names);
        for f in &funcs {
            let func = self.resolve_func(resolve, &scope, &mut names, f)?;
            resolve.interfaces[id]
                .functions
                .insert(func.name.clone(), func);
        }
        names.check_setters()?;
        let (depth, size) = self.interface_info(resolve, id);
        let iface = &resolve.interfaces[id];
        let name = iface.name.as_deref().unwrap_or("?");
        if size >= MAX_TYPE_SIZE {
            return Err(Error::resolve(
                iface.span,
                format!(
                    "interface `{name}` is too large: written out, its types and functions hold \
                     {size} types, and the component model allows fewer than {MAX_TYPE_SIZE}"
                ),
            )
            .with_help(
                "validators count every use of a type in full; use fewer copies of large types, \
                 or split the interface",
            ));
        }
        if depth + WRAPPERS > MAX_TYPE_DEPTH {
            return Err(Error::resolve(
                iface.span,
                format!(
                    "interface `{name}` nests {} types deep written out (its instance type and the \
                     component types a binary wraps it in included), and validators allow \
                     {MAX_TYPE_DEPTH}",
                    depth + WRAPPERS
                ),
            )
            .with_help("nest its types, or its functions' parameters, less deeply"));
        }
        Ok(())
    }

    /// A function type's depth and effective size, as [`Self::type_info`] measures types: one
    /// deeper than its deepest parameter or result, 1 larger than their sizes.
    pub(crate) fn func_info(&mut self, resolve: &Resolve, func: &Function) -> (u32, u32) {
        let (mut depth, mut size) = (1u32, 1u32);
        for ty in func.params.iter().map(|p| p.ty).chain(func.result) {
            let (d, s) = self.type_info(resolve, ty);
            depth = depth.max(d.saturating_add(1));
            size = size.saturating_add(s);
        }
        (depth, size)
    }

    /// An interface's instance type's depth and effective size: each type and function it
    /// exports counted in full.
    pub(crate) fn interface_info(&mut self, resolve: &Resolve, id: InterfaceId) -> (u32, u32) {
        if let Some(&known) = self.iface_memo.get(&id) {
            return known;
        }
        let iface = &resolve.interfaces[id];
        let (mut depth, mut size) = (1u32, 1u32);
        for &t in iface.types.values() {
            let (d, s) = self.type_info(resolve, Type::Id(t));
            depth = depth.max(d.saturating_add(1));
            size = size.saturating_add(s);
        }
        for f in iface.functions.values() {
            let (d, s) = self.func_info(resolve, f);
            depth = depth.max(d.saturating_add(1));
            size = size.saturating_add(s);
        }
        self.iface_memo.insert(id, (depth, size));
        (depth, size)
    }

    /// `use path.{a, b as c};` — allocates an alias per name in `scope.owner`.
    pub(crate) fn resolve_use(
        &mut self,
        resolve: &mut Resolve,
        scope: &mut TypeScope<'a>,
        u: &'a ast::Use<'a>,
        fi: usize,
    ) -> Result<Vec<(&'a str, TypeId)>> {
        let stability = self.stability(&u.attributes, u.span)?;
        if !resolve.is_active(&stability) {
            for n in &u.names {
                scope.excluded.insert(n.as_.unwrap_or(n.name).name);
            }
            return Ok(Vec::new());
        }
        let target = self.resolve_path(resolve, fi, &u.from)?;
        let path_name = match &u.from {
            ast::UsePath::Id(i) => i.name,
            ast::UsePath::Package { name, .. } => name.name,
        };
        let src = self.expect_interface(target, u.from.span(), path_name)?;
        if scope.owner == TypeOwner::Interface(src) {
            return Err(Error::resolve(
                u.from.span(),
                format!("interface `{path_name}` cannot `use` its own types"),
            ));
        }
        let mut out = Vec::new();
        for n in &u.names {
            let Some(&orig) = resolve.interfaces[src].types.get(n.name.name) else {
                let iface = &resolve.interfaces[src];
                let err = if iface.functions.contains_key(n.name.name) {
                    Error::resolve(
                        n.name.span,
                        format!("cannot import function `{}`", n.name.name),
                    )
                    .with_help("only types can be brought in with `use`")
                } else {
                    let mut err = Error::resolve(
                        n.name.span,
                        format!("name `{}` does not exist", n.name.name),
                    );
                    if let Some(s) =
                        names::suggest(n.name.name, iface.types.keys().map(String::as_str))
                    {
                        err = err.with_help(format!("did you mean `{s}`?"));
                    }
                    err
                };
                return Err(err);
            };
            let local = n.as_.unwrap_or(n.name);
            if scope.types.contains_key(local.name) {
                return Err(Error::resolve(
                    local.span,
                    format!("name `{}` is defined more than once", local.name),
                )
                .with_help("rename one of them, e.g. `use iface.{name as other-name}`"));
            }
            scope.names.define(local.name, local.span)?;
            let ty = resolve.types.alloc(TypeDef {
                name: Some(local.name.to_string()),
                kind: TypeDefKind::Type(Type::Id(orig)),
                owner: scope.owner,
                docs: Docs::default(),
                stability: stability.clone(),
                span: local.span,
            });
            scope.types.insert(local.name, ty);
            out.push((local.name, ty));
        }
        Ok(out)
    }

    /// Allocates a named type (kind filled in later by [`Self::define_types`]); queues a
    /// resource's functions. Returns `None` for a type excluded by its feature gate.
    pub(crate) fn declare_type(
        &mut self,
        resolve: &mut Resolve,
        scope: &mut TypeScope<'a>,
        t: &'a ast::TypeDef<'a>,
        funcs: &mut Vec<PendingFunc<'a>>,
    ) -> Result<Option<TypeId>> {
        let stability = self.stability(&t.attributes, t.name.span)?;
        if !resolve.is_active(&stability) {
            if let ast::TypeBody::Resource { funcs, .. } = &t.body {
                if let Some(f) = funcs
                    .iter()
                    .map(|f| f.named_func())
                    .find(|f| f.attributes.is_empty())
                {
                    return Err(Error::resolve(
                        f.name.span,
                        "found a reference to a type which is excluded due to its feature not being activated",
                    )
                    .with_help("gate this function with the same `@unstable(feature = …)` as its resource"));
                }
            }
            scope.excluded.insert(t.name.name);
            return Ok(None);
        }
        if scope.types.contains_key(t.name.name) {
            return Err(Error::resolve(
                t.name.span,
                format!("name `{}` is defined more than once", t.name.name),
            ));
        }
        scope.names.define(t.name.name, t.name.span)?;
        let kind = match t.body {
            ast::TypeBody::Resource { .. } => TypeDefKind::Resource,
            _ => TypeDefKind::Unknown,
        };
        let id = resolve.types.alloc(TypeDef {
            name: Some(t.name.name.to_string()),
            kind,
            owner: scope.owner,
            docs: names::docs(&t.docs),
            stability: stability.clone(),
            span: t.name.span,
        });
        scope.types.insert(t.name.name, id);
        if let ast::TypeBody::Resource { funcs: rfuncs, .. } = &t.body {
            for rf in rfuncs {
                let f = rf.named_func();
                let fstab = self.stability(&f.attributes, f.name.span)?;
                if !resolve.is_active(&fstab) {
                    continue;
                }
                funcs.push(PendingFunc {
                    name: f.name,
                    sig: &f.func,
                    docs: &f.docs,
                    resource: Some((id, t.name.name)),
                    is_static: matches!(rf, ast::ResourceFunc::Static(_)),
                    is_constructor: matches!(rf, ast::ResourceFunc::Constructor(_)),
                    stability: fstab,
                });
            }
        }
        Ok(Some(id))
    }

    /// Fills in the kinds of the named types of one body; returns them in dependency order.
    pub(crate) fn define_types(
        &mut self,
        resolve: &mut Resolve,
        scope: &TypeScope<'a>,
        typedefs: &[&'a ast::TypeDef<'a>],
    ) -> Result<Vec<&'a ast::TypeDef<'a>>> {
        let index: HashMap<&str, usize> = typedefs
            .iter()
            .enumerate()
            .map(|(i, t)| (t.name.name, i))
            .collect();
        let mut deps: Vec<Vec<(usize, Span)>> = Vec::with_capacity(typedefs.len());
        for t in typedefs {
            let mut refs = Vec::new();
            body_refs(&t.body, &mut refs);
            deps.push(
                refs.into_iter()
                    .filter_map(|r| index.get(r.name).map(|&j| (j, r.span)))
                    .collect(),
            );
        }
        let order = super::toposort(typedefs.len(), &deps).map_err(|c| {
            let (target, span) = c.edge;
            let t = typedefs[target].name;
            Error::resolve(span, format!("type `{}` depends on itself", t.name))
                .with_label(t.span, "defined here")
                .with_help("recursive types are not supported; break the cycle with a resource handle or a list index")
        })?;
        let mut sorted = Vec::with_capacity(order.len());
        for i in order {
            let t = typedefs[i];
            let id = scope.types[t.name.name];
            let stability = resolve.types[id].stability.clone();
            let kind = self.typedef_kind(resolve, scope, &t.body, &stability, t.name.span)?;
            resolve.types[id].kind = kind;
            let (depth, size) = self.type_info(resolve, Type::Id(id));
            if depth > MAX_TYPE_DEPTH {
                return Err(Error::resolve(
                    t.name.span,
                    format!(
                        "type `{}` nests {depth} types deep, and the component model allows {MAX_TYPE_DEPTH}",
                        t.name.name
                    ),
                )
                .with_help("validators reject such a type in a binary; nest fewer types"));
            }
            if size >= MAX_TYPE_SIZE {
                return Err(Error::resolve(
                    t.name.span,
                    format!(
                        "type `{}` is too large: written out, it holds {size} types, and the \
                         component model allows fewer than {MAX_TYPE_SIZE}",
                        t.name.name
                    ),
                )
                .with_help(
                    "validators count every use of a type in full; use fewer copies of large \
                     types (a list or a resource can stand for many)",
                ));
            }
            sorted.push(t);
        }
        Ok(sorted)
    }

    fn typedef_kind(
        &mut self,
        resolve: &mut Resolve,
        scope: &TypeScope<'a>,
        body: &ast::TypeBody<'_>,
        stability: &Stability,
        span: Span,
    ) -> Result<TypeDefKind> {
        Ok(match body {
            ast::TypeBody::Resource { .. } => TypeDefKind::Resource,
            ast::TypeBody::Alias(ty) => self.kind_of(resolve, scope, ty, stability)?,
            ast::TypeBody::Record(fields, _) => {
                names::check_unique("field", fields.iter().map(|f| f.name))?;
                let mut out = Vec::with_capacity(fields.len());
                for f in fields {
                    out.push(Field {
                        name: f.name.name.to_string(),
                        ty: self.value_type(resolve, scope, &f.ty, stability)?,
                        docs: names::docs(&f.docs),
                    });
                }
                TypeDefKind::Record(Record { fields: out })
            }
            ast::TypeBody::Flags(flags, _) => {
                names::check_unique("flag", flags.iter().map(|f| f.name))?;
                if flags.len() > MAX_FLAGS {
                    return Err(Error::resolve(
                        flags[MAX_FLAGS].name.span,
                        format!("cannot have more than {MAX_FLAGS} flags"),
                    )
                    .with_help("split the flags into several `flags` types"));
                }
                TypeDefKind::Flags(Flags {
                    flags: flags
                        .iter()
                        .map(|f| Flag {
                            name: f.name.name.to_string(),
                            docs: names::docs(&f.docs),
                        })
                        .collect(),
                })
            }
            ast::TypeBody::Variant(cases, _) => {
                if cases.is_empty() {
                    return Err(Error::resolve(span, "empty variant")
                        .with_help("a variant needs at least one case"));
                }
                names::check_unique("case", cases.iter().map(|c| c.name))?;
                let mut out = Vec::with_capacity(cases.len());
                for c in cases {
                    let ty = match &c.ty {
                        Some(t) => Some(self.value_type(resolve, scope, t, stability)?),
                        None => None,
                    };
                    out.push(Case {
                        name: c.name.name.to_string(),
                        ty,
                        docs: names::docs(&c.docs),
                    });
                }
                TypeDefKind::Variant(Variant { cases: out })
            }
            ast::TypeBody::Enum(cases, _) => {
                if cases.is_empty() {
                    return Err(Error::resolve(span, "empty enum")
                        .with_help("an enum needs at least one case"));
                }
                names::check_unique("case", cases.iter().map(|c| c.name))?;
                TypeDefKind::Enum(crate::Enum {
                    cases: cases
                        .iter()
                        .map(|c| EnumCase {
                            name: c.name.name.to_string(),
                            docs: names::docs(&c.docs),
                        })
                        .collect(),
                })
            }
        })
    }

    /// Looks up a type name in `scope`.
    pub(crate) fn type_name(&self, scope: &TypeScope<'a>, name: &ast::Ident<'_>) -> Result<TypeId> {
        if let Some(&id) = scope.types.get(name.name) {
            return Ok(id);
        }
        if scope.excluded.contains(name.name) {
            return Err(Error::resolve(
                name.span,
                "found a reference to a type which is excluded due to its feature not being activated",
            )
            .with_help("enable the feature with `--features`, or gate this item behind the same feature"));
        }
        if scope.funcs.contains(name.name) {
            return Err(Error::resolve(
                name.span,
                format!("cannot use function `{}` as a type", name.name),
            ));
        }
        let mut err = Error::resolve(name.span, format!("type `{}` does not exist", name.name));
        let hint = legacy_type_hint(name.name).map(str::to_string).or_else(|| {
            let candidates = scope
                .types
                .keys()
                .copied()
                .chain(PRIMITIVES.iter().copied());
            names::suggest(name.name, candidates).map(|s| format!("did you mean `{s}`?"))
        });
        if let Some(h) = hint {
            err = err.with_help(h);
        }
        Err(err)
    }

    fn validate_resource(
        &self,
        resolve: &Resolve,
        scope: &TypeScope<'a>,
        name: &ast::Ident<'_>,
    ) -> Result<TypeId> {
        let id = self.type_name(scope, name)?;
        let mut cur = id;
        loop {
            match resolve.types[cur].kind {
                TypeDefKind::Resource => return Ok(id),
                TypeDefKind::Type(Type::Id(next)) => cur = next,
                _ => {
                    return Err(Error::resolve(
                        name.span,
                        format!("type `{}` used in a handle must be a resource", name.name),
                    )
                    .with_help("`own<T>` and `borrow<T>` take a `resource` type"))
                }
            }
        }
    }

    /// The kind a type expression denotes when it is the body of a named type (no implicit
    /// `own` for a bare resource name: `type a = r;` is another name for the resource).
    fn kind_of(
        &mut self,
        resolve: &mut Resolve,
        scope: &TypeScope<'a>,
        ty: &ast::Type<'_>,
        stability: &Stability,
    ) -> Result<TypeDefKind> {
        use ast::Type as A;
        Ok(match ty {
            A::Bool(_) => TypeDefKind::Type(Type::Bool),
            A::U8(_) => TypeDefKind::Type(Type::U8),
            A::U16(_) => TypeDefKind::Type(Type::U16),
            A::U32(_) => TypeDefKind::Type(Type::U32),
            A::U64(_) => TypeDefKind::Type(Type::U64),
            A::S8(_) => TypeDefKind::Type(Type::S8),
            A::S16(_) => TypeDefKind::Type(Type::S16),
            A::S32(_) => TypeDefKind::Type(Type::S32),
            A::S64(_) => TypeDefKind::Type(Type::S64),
            A::F32(_) => TypeDefKind::Type(Type::F32),
            A::F64(_) => TypeDefKind::Type(Type::F64),
            A::Char(_) => TypeDefKind::Type(Type::Char),
            A::String(_) => TypeDefKind::Type(Type::String),
            A::ErrorContext(_) => TypeDefKind::Type(Type::ErrorContext),
            A::Name(name) => TypeDefKind::Type(Type::Id(self.type_name(scope, name)?)),
            A::List(t, _) => TypeDefKind::List(self.value_type(resolve, scope, t, stability)?),
            A::FixedLengthList(t, n, span) => {
                if *n == 0 {
                    return Err(Error::resolve(
                        *span,
                        "fixed-length lists must have at least one element",
                    ));
                }
                TypeDefKind::FixedLengthList(self.value_type(resolve, scope, t, stability)?, *n)
            }
            A::Map(k, v, span) => {
                let key = self.value_type(resolve, scope, k, stability)?;
                let value = self.value_type(resolve, scope, v, stability)?;
                if matches!(
                    key,
                    Type::F32 | Type::F64 | Type::ErrorContext | Type::Id(_)
                ) {
                    return Err(Error::resolve(
                        *span,
                        "invalid map key type: map keys must be bool, u8, u16, u32, u64, s8, s16, s32, s64, char, or string",
                    ));
                }
                TypeDefKind::Map(key, value)
            }
            A::Own(r, _) => {
                TypeDefKind::Handle(Handle::Own(self.validate_resource(resolve, scope, r)?))
            }
            A::Borrow(r, _) => {
                TypeDefKind::Handle(Handle::Borrow(self.validate_resource(resolve, scope, r)?))
            }
            A::Tuple(types, span) => {
                if types.is_empty() {
                    return Err(Error::resolve(*span, "empty tuple"));
                }
                let mut out = Vec::with_capacity(types.len());
                for t in types {
                    out.push(self.value_type(resolve, scope, t, stability)?);
                }
                TypeDefKind::Tuple(Tuple { types: out })
            }
            A::Option(t, _) => TypeDefKind::Option(self.value_type(resolve, scope, t, stability)?),
            A::Result { ok, err, .. } => TypeDefKind::Result(ResultType {
                ok: match ok {
                    Some(t) => Some(self.value_type(resolve, scope, t, stability)?),
                    None => None,
                },
                err: match err {
                    Some(t) => Some(self.value_type(resolve, scope, t, stability)?),
                    None => None,
                },
            }),
            A::Future(t, _) => TypeDefKind::Future(match t {
                Some(t) => Some(self.value_type(resolve, scope, t, stability)?),
                None => None,
            }),
            A::Stream(t, _) => TypeDefKind::Stream(match t {
                Some(t) => Some(self.value_type(resolve, scope, t, stability)?),
                None => None,
            }),
        })
    }

    /// A type in a value position: a bare resource name means `own<resource>`, and structural
    /// types become (deduplicated) anonymous type definitions.
    pub(crate) fn value_type(
        &mut self,
        resolve: &mut Resolve,
        scope: &TypeScope<'a>,
        ty: &ast::Type<'_>,
        stability: &Stability,
    ) -> Result<Type> {
        let kind = self.kind_of(resolve, scope, ty, stability)?;
        Ok(self.anon_type(resolve, kind, stability, ty.span()))
    }

    /// Interns an anonymous type of `kind`.
    pub(crate) fn anon_type(
        &mut self,
        resolve: &mut Resolve,
        kind: TypeDefKind,
        stability: &Stability,
        span: Span,
    ) -> Type {
        match kind {
            TypeDefKind::Type(Type::Id(id)) => return self.own_if_resource(resolve, id),
            TypeDefKind::Type(t) => return t,
            TypeDefKind::Handle(Handle::Own(id)) => return Type::Id(self.own_handle(resolve, id)),
            _ => {}
        }
        let entry = match self.anon_types.entry(kind) {
            Entry::Occupied(e) => return Type::Id(*e.get()),
            Entry::Vacant(e) => e,
        };
        let stability = inherited_stability(resolve, entry.key(), stability);
        let id = resolve.types.alloc(TypeDef {
            name: None,
            kind: entry.key().clone(),
            owner: TypeOwner::None,
            docs: Docs::default(),
            stability,
            span,
        });
        entry.insert(id);
        Type::Id(id)
    }

    /// `Type::Id(id)`, or `own<id>` when `id` is (an alias of) a resource.
    fn own_if_resource(&mut self, resolve: &mut Resolve, id: TypeId) -> Type {
        let mut cur = id;
        loop {
            match resolve.types[cur].kind {
                TypeDefKind::Resource => return Type::Id(self.own_handle(resolve, id)),
                TypeDefKind::Type(Type::Id(next)) => cur = next,
                _ => return Type::Id(id),
            }
        }
    }

    fn own_handle(&mut self, resolve: &mut Resolve, id: TypeId) -> TypeId {
        *self.own_handles.entry(id).or_insert_with(|| {
            resolve.types.alloc(TypeDef {
                name: None,
                kind: TypeDefKind::Handle(Handle::Own(id)),
                owner: TypeOwner::None,
                docs: Docs::default(),
                stability: Stability::Unknown,
                span: Span::UNKNOWN,
            })
        })
    }

    /// Resolves a function of an interface or world body (or of one of its resources).
    pub(crate) fn resolve_func(
        &mut self,
        resolve: &mut Resolve,
        scope: &TypeScope<'a>,
        names: &mut NameSet,
        p: &PendingFunc<'a>,
    ) -> Result<Function> {
        let sig = p.sig;
        let item = p.name.name;
        let (name, kind) = match p.resource {
            None => match sig.kind {
                ast::FuncKind::Func if sig.is_async => {
                    (item.to_string(), FunctionKind::AsyncFreestanding)
                }
                ast::FuncKind::Func => (item.to_string(), FunctionKind::Freestanding),
                ast::FuncKind::Getter => (format!("[get]{item}"), FunctionKind::Getter),
                ast::FuncKind::Setter => (format!("[set]{item}"), FunctionKind::Setter),
            },
            Some((r, rname)) if p.is_constructor => (
                format!("[constructor]{rname}"),
                FunctionKind::Constructor(r),
            ),
            Some((r, rname)) if p.is_static => match sig.kind {
                ast::FuncKind::Func if sig.is_async => (
                    format!("[static]{rname}.{item}"),
                    FunctionKind::AsyncStatic(r),
                ),
                ast::FuncKind::Func => (format!("[static]{rname}.{item}"), FunctionKind::Static(r)),
                ast::FuncKind::Getter => (
                    format!("[static][get]{rname}.{item}"),
                    FunctionKind::StaticGetter(r),
                ),
                ast::FuncKind::Setter => (
                    format!("[static][set]{rname}.{item}"),
                    FunctionKind::StaticSetter(r),
                ),
            },
            Some((r, rname)) => match sig.kind {
                ast::FuncKind::Func if sig.is_async => (
                    format!("[method]{rname}.{item}"),
                    FunctionKind::AsyncMethod(r),
                ),
                ast::FuncKind::Func => (format!("[method]{rname}.{item}"), FunctionKind::Method(r)),
                ast::FuncKind::Getter => (
                    format!("[method][get]{rname}.{item}"),
                    FunctionKind::MethodGetter(r),
                ),
                ast::FuncKind::Setter => (
                    format!("[method][set]{rname}.{item}"),
                    FunctionKind::MethodSetter(r),
                ),
            },
        };
        names.define(&name, p.name.span)?;

        let mut params = Vec::new();
        if let FunctionKind::Method(r)
        | FunctionKind::AsyncMethod(r)
        | FunctionKind::MethodGetter(r)
        | FunctionKind::MethodSetter(r) = kind
        {
            let borrow = TypeDefKind::Handle(Handle::Borrow(r));
            let ty = self.anon_type(resolve, borrow, &Stability::Unknown, p.name.span);
            params.push(Param {
                name: "self".to_string(),
                ty,
            });
        }
        match sig.kind {
            ast::FuncKind::Getter => {
                if let Some((n, _)) = sig.params.first() {
                    return Err(Error::resolve(n.span, "getters cannot have parameters"));
                }
            }
            ast::FuncKind::Setter => {
                if sig.params.len() != 1 {
                    let span = sig.params.get(1).map_or(sig.span, |(n, _)| n.span);
                    return Err(
                        Error::resolve(span, "setters must have exactly one parameter")
                            .with_help("write `name: set(value: T);`"),
                    );
                }
            }
            ast::FuncKind::Func => {}
        }
        for (i, (n, t)) in sig.params.iter().enumerate() {
            // Parameter lists are short: a scan compares fewer bytes than hashing would.
            let twice = sig.params[..i]
                .iter()
                .any(|(m, _)| names::folded(m.name).eq(names::folded(n.name)));
            if (n.name == "self" && !params.is_empty()) || twice {
                return Err(Error::resolve(
                    n.span,
                    format!("param `{}` is defined more than once", n.name),
                ));
            }
            let ty = self.value_type(resolve, scope, t, &Stability::Unknown)?;
            params.push(Param {
                name: n.name.to_string(),
                ty,
            });
        }

        let result = match (&sig.result, kind) {
            (None, FunctionKind::Constructor(r)) => Some(Type::Id(self.own_handle(resolve, r))),
            (
                None,
                FunctionKind::Getter
                | FunctionKind::MethodGetter(_)
                | FunctionKind::StaticGetter(_),
            ) => {
                return Err(Error::resolve(sig.span, "getters must return a value")
                    .with_help("write `name: get() -> T;`"))
            }
            (None, _) => None,
            (Some(t), _) => {
                let ty = self.value_type(resolve, scope, t, &Stability::Unknown)?;
                self.check_result(resolve, kind, t, ty)?;
                Some(ty)
            }
        };
        if let Some(ty) = result {
            if self.has_borrow(resolve, ty) {
                return Err(Error::resolve(
                    p.name.span,
                    format!("function `{name}` returns a type which contains a `borrow<T>` which is not supported"),
                )
                .with_help("return an owned handle (`own<T>` or the bare resource name) instead"));
            }
        }
        Ok(Function {
            name,
            kind,
            params,
            result,
            docs: names::docs(p.docs),
            stability: p.stability.clone(),
            span: p.name.span,
        })
    }

    fn check_result(
        &self,
        resolve: &Resolve,
        kind: FunctionKind,
        t: &ast::Type<'_>,
        ty: Type,
    ) -> Result<()> {
        let as_result = |ty: Type| match ty {
            Type::Id(id) => match &resolve.types[id].kind {
                TypeDefKind::Result(r) => Some(r.clone()),
                _ => None,
            },
            _ => None,
        };
        match kind {
            FunctionKind::Setter
            | FunctionKind::MethodSetter(_)
            | FunctionKind::StaticSetter(_) => match as_result(ty) {
                Some(r) if r.ok.is_none() => Ok(()),
                _ => Err(Error::resolve(
                    t.span(),
                    "if a setter return type is declared it must be a `result` with no `ok` type",
                )),
            },
            FunctionKind::Constructor(res) => {
                let Some(r) = as_result(ty) else {
                    return Err(Error::resolve(
                        t.span(),
                        "if a constructor return type is declared it must be a `result`",
                    )
                    .with_help(
                        "write `constructor(…) -> result<R, E>;` or leave the return type out",
                    ));
                };
                let ok_is_self = match r.ok {
                    Some(Type::Id(h)) => {
                        matches!(resolve.types[h].kind, TypeDefKind::Handle(Handle::Own(x)) if x == res)
                    }
                    _ => false,
                };
                if ok_is_self {
                    return Ok(());
                }
                let span = match t {
                    ast::Type::Result { ok: Some(ok), .. } => ok.span(),
                    _ => t.span(),
                };
                Err(Error::resolve(
                    span,
                    "the `ok` type must be the resource being constructed",
                ))
            }
            _ => Ok(()),
        }
    }
}

/// Primitive type keywords, for "did you mean" hints.
const PRIMITIVES: &[&str] = &[
    "bool", "u8", "u16", "u32", "u64", "s8", "s16", "s32", "s64", "f32", "f64", "char", "string",
];

fn legacy_type_hint(name: &str) -> Option<&'static str> {
    Some(match name {
        "float32" => "`float32` was renamed to `f32`",
        "float64" => "`float64` was renamed to `f64`",
        "int" | "i32" | "int32" => "did you mean `s32`?",
        "i64" | "int64" => "did you mean `s64`?",
        "uint32" => "did you mean `u32`?",
        "uint64" => "did you mean `u64`?",
        "str" | "String" => "did you mean `string`?",
        "boolean" => "did you mean `bool`?",
        _ => return None,
    })
}

/// Named types referenced from a type body (for ordering and cycle detection).
fn body_refs<'a>(body: &ast::TypeBody<'a>, out: &mut Vec<ast::Ident<'a>>) {
    match body {
        ast::TypeBody::Resource { .. } | ast::TypeBody::Flags(..) | ast::TypeBody::Enum(..) => {}
        ast::TypeBody::Alias(t) => type_refs(t, out),
        ast::TypeBody::Record(fields, _) => fields.iter().for_each(|f| type_refs(&f.ty, out)),
        ast::TypeBody::Variant(cases, _) => cases
            .iter()
            .flat_map(|c| &c.ty)
            .for_each(|t| type_refs(t, out)),
    }
}

fn type_refs<'a>(ty: &ast::Type<'a>, out: &mut Vec<ast::Ident<'a>>) {
    use ast::Type as A;
    match ty {
        A::Name(n) | A::Own(n, _) | A::Borrow(n, _) => out.push(*n),
        A::List(t, _) | A::FixedLengthList(t, _, _) | A::Option(t, _) => type_refs(t, out),
        A::Map(k, v, _) => {
            type_refs(k, out);
            type_refs(v, out);
        }
        A::Tuple(ts, _) => ts.iter().for_each(|t| type_refs(t, out)),
        A::Result { ok, err, .. } => {
            if let Some(t) = ok {
                type_refs(t, out);
            }
            if let Some(t) = err {
                type_refs(t, out);
            }
        }
        A::Future(t, _) | A::Stream(t, _) => {
            if let Some(t) = t {
                type_refs(t, out);
            }
        }
        _ => {}
    }
}

/// An anonymous type's stability: the explicit one, else that of the first element type that
/// has one (so `option<t>` is as stable as `t`).
fn inherited_stability(resolve: &Resolve, kind: &TypeDefKind, explicit: &Stability) -> Stability {
    if !explicit.is_unknown() {
        return explicit.clone();
    }
    // An implicit `own<r>` stands for `r` itself here: it has no gate of its own.
    let of = |t: &Type| {
        let Type::Id(mut id) = *t else { return None };
        if let (TypeOwner::None, TypeDefKind::Handle(Handle::Own(r))) =
            (resolve.types[id].owner, &resolve.types[id].kind)
        {
            id = *r;
        }
        let stability = &resolve.types[id].stability;
        (!stability.is_unknown()).then(|| stability.clone())
    };
    let found = match kind {
        TypeDefKind::Type(t)
        | TypeDefKind::List(t)
        | TypeDefKind::FixedLengthList(t, _)
        | TypeDefKind::Option(t) => of(t),
        TypeDefKind::Handle(Handle::Own(id) | Handle::Borrow(id)) => of(&Type::Id(*id)),
        TypeDefKind::Tuple(t) => t.types.iter().find_map(of),
        TypeDefKind::Map(k, v) => of(k).or_else(|| of(v)),
        TypeDefKind::Future(t) | TypeDefKind::Stream(t) => t.as_ref().and_then(of),
        TypeDefKind::Result(r) => {
            r.ok.as_ref()
                .and_then(of)
                .or_else(|| r.err.as_ref().and_then(of))
        }
        _ => None,
    };
    found.unwrap_or_default()
}

impl PackageCx<'_, '_> {
    /// Whether a value of `ty` can contain a `borrow<T>` handle (memoized per type: function
    /// results share their types).
    /// A type's structural nesting depth and effective size as wasmparser measures them in a
    /// binary, where `MAX_TYPE_DEPTH` and `MAX_TYPE_SIZE` limit them: a primitive, handle,
    /// resource, enum or flags is depth 1 and size 1; a type holding others is one deeper than
    /// the deepest, and 1 larger than their sizes added up. Aliases are their targets.
    pub(crate) fn type_info(&mut self, resolve: &Resolve, ty: Type) -> (u32, u32) {
        // An alias is its target: walk the chain to a type already measured or one that is
        // not an alias, then remember the answer for every alias on the way.
        let mut chain = Vec::new();
        let mut ty = ty;
        let known = loop {
            let Type::Id(id) = ty else { break Some((1, 1)) };
            if let Some(&known) = self.info_memo.get(&id) {
                break Some(known);
            }
            match resolve.types[id].kind {
                TypeDefKind::Type(next) => {
                    chain.push(id);
                    ty = next;
                }
                _ => break None,
            }
        };
        let info = match (known, ty) {
            (Some(info), _) => info,
            (None, Type::Id(id)) => self.measure(resolve, id),
            (None, _) => unreachable!("a primitive is measured in the loop"),
        };
        for id in chain {
            self.info_memo.insert(id, info);
        }
        info
    }

    /// [`Self::type_info`] of a type that is not an alias.
    fn measure(&mut self, resolve: &Resolve, id: TypeId) -> (u32, u32) {
        let mut info = (1u32, 1u32);
        let mut add = |cx: &mut Self, ty: Type| {
            // A primitive part: depth 1, size 1, without a look-up.
            let (d, s) = match ty {
                Type::Id(_) => cx.type_info(resolve, ty),
                _ => (1, 1),
            };
            info = (info.0.max(d.saturating_add(1)), info.1.saturating_add(s));
        };
        match &resolve.types[id].kind {
            TypeDefKind::Record(r) => r.fields.iter().for_each(|f| add(self, f.ty)),
            TypeDefKind::Variant(v) => v
                .cases
                .iter()
                .filter_map(|c| c.ty)
                .for_each(|t| add(self, t)),
            TypeDefKind::Tuple(t) => t.types.iter().for_each(|&t| add(self, t)),
            TypeDefKind::Option(t) | TypeDefKind::List(t) | TypeDefKind::FixedLengthList(t, _) => {
                add(self, *t)
            }
            TypeDefKind::Map(k, v) => {
                add(self, *k);
                add(self, *v);
            }
            TypeDefKind::Result(r) => r.ok.into_iter().chain(r.err).for_each(|t| add(self, t)),
            TypeDefKind::Future(t) | TypeDefKind::Stream(t) => t.iter().for_each(|&t| add(self, t)),
            TypeDefKind::Handle(_)
            | TypeDefKind::Resource
            | TypeDefKind::Flags(_)
            | TypeDefKind::Enum(_)
            | TypeDefKind::Type(_)
            | TypeDefKind::Unknown => {}
        }
        self.info_memo.insert(id, info);
        info
    }

    fn has_borrow(&mut self, resolve: &Resolve, ty: Type) -> bool {
        // Alias chains (`type b = a;`) are followed here, not by recursion, since they can be
        // long; every alias on the way remembers the answer.
        let mut chain = Vec::new();
        let mut ty = ty;
        let id = loop {
            let Type::Id(id) = ty else { return false };
            if let Some(&known) = self.borrow_memo.get(&id) {
                for a in chain {
                    self.borrow_memo.insert(a, known);
                }
                return known;
            }
            match resolve.types[id].kind {
                TypeDefKind::Type(next) => {
                    chain.push(id);
                    ty = next;
                }
                _ => break id,
            }
        };
        let found = match &resolve.types[id].kind {
            TypeDefKind::Handle(Handle::Borrow(_)) => true,
            TypeDefKind::Handle(Handle::Own(_)) | TypeDefKind::Resource => false,
            TypeDefKind::Record(r) => self.any_borrow(resolve, r.fields.iter().map(|f| f.ty)),
            TypeDefKind::Variant(v) => {
                self.any_borrow(resolve, v.cases.iter().filter_map(|c| c.ty))
            }
            TypeDefKind::Tuple(t) => self.any_borrow(resolve, t.types.iter().copied()),
            TypeDefKind::Option(t) | TypeDefKind::List(t) | TypeDefKind::FixedLengthList(t, _) => {
                self.has_borrow(resolve, *t)
            }
            TypeDefKind::Type(_) => false,
            TypeDefKind::Map(k, v) => self.any_borrow(resolve, [*k, *v]),
            TypeDefKind::Result(r) => self.any_borrow(resolve, r.ok.into_iter().chain(r.err)),
            TypeDefKind::Future(t) | TypeDefKind::Stream(t) => {
                self.any_borrow(resolve, t.iter().copied())
            }
            TypeDefKind::Flags(_) | TypeDefKind::Enum(_) | TypeDefKind::Unknown => false,
        };
        self.borrow_memo.insert(id, found);
        for a in chain {
            self.borrow_memo.insert(a, found);
        }
        found
    }

    fn any_borrow(&mut self, resolve: &Resolve, tys: impl IntoIterator<Item = Type>) -> bool {
        tys.into_iter().any(|t| self.has_borrow(resolve, t))
    }
}
