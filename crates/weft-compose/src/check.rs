//! Type-checking a plug: the export's type must be a subtype of the import's, by the spec's
//! rules (Explainer.md, "Type checking"), checked structurally over wasmparser's types of two
//! different components.
//!
//! Instances are width-subtyped (the export may have more items than the import asks for);
//! component and core module types too, contravariantly in their imports (the export may import
//! less than the import's type gives it); core tables and memories by their limits;
//! functions and value types must be equal (parameter names included); a resource type is
//! compared by identity: where it was defined ([`Origin`]), which is known for every resource a
//! component sees, because components are checked in instantiation order.

use rustc_hash::FxHashMap as HashMap;
use std::fmt::Write as _;

use wasmparser::component_types::{
    ComponentAnyTypeId, ComponentCoreModuleTypeId, ComponentDefinedType, ComponentDefinedTypeId,
    ComponentEntityType, ComponentFuncTypeId, ComponentInstanceTypeId, ComponentTypeId,
    ComponentValType, ResourceId,
};
use wasmparser::types::{CoreTypeId, EntityType, Types};
use wasmparser::{CompositeInnerType, PrimitiveValType, ValType};

/// An index of an input component in the composition (0 is the root).
pub(crate) type NodeId = usize;

/// Where a resource type comes from.
#[derive(Clone, Debug, PartialEq, Eq, Hash)]
pub(crate) enum Origin {
    /// Defined by the instance of an input component.
    Defined { node: NodeId, rid: ResourceId },
    /// Brought by an import of the composed component (its name, and the export of the
    /// imported instance that names it).
    Import { name: String, export: String },
}

/// What every resource a component's imports bring is.
#[derive(Default)]
pub(crate) struct Origins(HashMap<(NodeId, ResourceId), Origin>);

impl Origins {
    /// The origin of resource `rid` as `node` sees it: bound by one of its imports, or else
    /// defined by `node` itself.
    pub(crate) fn get(&self, node: NodeId, rid: ResourceId) -> Origin {
        self.0
            .get(&(node, rid))
            .cloned()
            .unwrap_or(Origin::Defined { node, rid })
    }

    pub(crate) fn bound(&self, node: NodeId, rid: ResourceId) -> Option<&Origin> {
        self.0.get(&(node, rid))
    }

    pub(crate) fn bind(&mut self, node: NodeId, rid: ResourceId, origin: Origin) {
        self.0.insert((node, rid), origin);
    }
}

/// One side of a check: a component and its types.
#[derive(Clone, Copy)]
pub(crate) struct Side<'a> {
    pub(crate) node: NodeId,
    pub(crate) types: &'a Types,
}

/// Why an export does not fit an import: where (a path of items) and what differs.
#[derive(Debug)]
pub(crate) struct Mismatch {
    pub(crate) path: Vec<String>,
    pub(crate) detail: String,
}

impl Mismatch {
    fn new(detail: impl Into<String>) -> Mismatch {
        Mismatch {
            path: Vec::new(),
            detail: detail.into(),
        }
    }

    fn at(mut self, item: impl Into<String>) -> Mismatch {
        self.path.insert(0, item.into());
        self
    }
}

impl std::fmt::Display for Mismatch {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        for p in &self.path {
            write!(f, "{p}: ")?;
        }
        f.write_str(&self.detail)
    }
}

type Check = Result<(), Mismatch>;

/// The checker: resource bindings it makes go into `origins`.
pub(crate) struct Checker<'o> {
    pub(crate) origins: &'o mut Origins,
}

/// The word for an entity's kind.
pub(crate) fn kind(ty: &ComponentEntityType) -> &'static str {
    match ty {
        ComponentEntityType::Module(_) => "core module",
        ComponentEntityType::Func(_) => "function",
        ComponentEntityType::Value(_) => "value",
        ComponentEntityType::Type { .. } => "type",
        ComponentEntityType::Instance(_) => "instance",
        ComponentEntityType::Component(_) => "component",
    }
}

/// The word for an entity's kind with its article: "a function", "an instance".
pub(crate) fn a_kind(ty: &ComponentEntityType) -> String {
    let word = kind(ty);
    match word.starts_with(['a', 'e', 'i', 'o', 'u']) {
        true => format!("an {word}"),
        false => format!("a {word}"),
    }
}

impl Checker<'_> {
    /// Checks that `e` (exported by `exp`) fits `i` (imported by `imp`), binding the resources
    /// of `i` to those of `e`.
    pub(crate) fn entity(
        &mut self,
        exp: Side<'_>,
        e: &ComponentEntityType,
        imp: Side<'_>,
        i: &ComponentEntityType,
    ) -> Check {
        match (e, i) {
            (ComponentEntityType::Instance(e), ComponentEntityType::Instance(i)) => {
                self.instance(exp, *e, imp, *i)
            }
            (ComponentEntityType::Func(e), ComponentEntityType::Func(i)) => {
                self.func(exp, *e, imp, *i)
            }
            (
                ComponentEntityType::Type { referenced: e, .. },
                ComponentEntityType::Type { referenced: i, .. },
            ) => self.ty(exp, *e, imp, *i),
            (ComponentEntityType::Component(e), ComponentEntityType::Component(i)) => {
                self.component(exp, *e, imp, *i)
            }
            (ComponentEntityType::Module(e), ComponentEntityType::Module(i)) => {
                module(exp, *e, imp, *i)
            }
            _ if kind(e) != kind(i) => Err(Mismatch::new(format!(
                "the import is {}, the export {}",
                a_kind(i),
                a_kind(e)
            ))),
            _ => Err(Mismatch::new(format!(
                "plugging {} is not supported yet",
                a_kind(i)
            ))),
        }
    }

    /// Component subtyping: every import the exported component type has, the imported one
    /// must provide, with a type that fits it (contravariance); every export the imported one
    /// promises, the exported one must have, with a type that fits. The two types' resources
    /// are matched up as their imports and exports are: those the imported type's imports
    /// bring are its own (the exported type's are bound to them), and the bindings last for
    /// this check only, since each use of a component type has resources of its own.
    fn component(
        &mut self,
        exp: Side<'_>,
        e: ComponentTypeId,
        imp: Side<'_>,
        i: ComponentTypeId,
    ) -> Check {
        let saved = self.origins.0.clone();
        let result = self.component_items(exp, e, imp, i);
        self.origins.0 = saved;
        result
    }

    fn component_items(
        &mut self,
        exp: Side<'_>,
        e: ComponentTypeId,
        imp: Side<'_>,
        i: ComponentTypeId,
    ) -> Check {
        let (e_ty, i_ty) = (&exp.types[e], &imp.types[i]);
        // The resources the imported type's imports bring stand for themselves: nothing the
        // exported type defines can be bound to them.
        for item in i_ty.imports.values() {
            let mut own = |ty: &ComponentEntityType| {
                if let ComponentEntityType::Type {
                    created: ComponentAnyTypeId::Resource(r),
                    ..
                } = ty
                {
                    let origin = self.origins.get(imp.node, r.resource());
                    self.origins.bind(imp.node, r.resource(), origin);
                }
            };
            match &item.ty {
                ComponentEntityType::Instance(id) => {
                    imp.types[*id].exports.values().for_each(|x| own(&x.ty))
                }
                ty => own(ty),
            }
        }
        for (name, e_item) in &e_ty.imports {
            let Some(i_item) = i_ty.imports.get(name) else {
                return Err(Mismatch::new(format!(
                    "the exported component imports {} `{name}`, which the import's component \
                     type does not give it",
                    kind(&e_item.ty)
                )));
            };
            self.entity(imp, &i_item.ty, exp, &e_item.ty)
                .map_err(|m| m.at(format!("its import `{name}`")))?;
        }
        for (name, i_item) in &i_ty.exports {
            let Some(e_item) = e_ty.exports.get(name) else {
                return Err(Mismatch::new(format!(
                    "the import needs the component to export {} `{name}`, which the exported \
                     component lacks",
                    kind(&i_item.ty)
                )));
            };
            self.entity(exp, &e_item.ty, imp, &i_item.ty)
                .map_err(|m| m.at(format!("its export `{name}`")))?;
        }
        Ok(())
    }

    /// [`Checker::entity`] for two importers of one import of the result: of instance types,
    /// only the exports both have are checked (the result's import has the union of the
    /// exports: what only `i` has comes from `i`'s own types).
    pub(crate) fn shared(
        &mut self,
        exp: Side<'_>,
        e: &ComponentEntityType,
        imp: Side<'_>,
        i: &ComponentEntityType,
    ) -> Check {
        match (e, i) {
            (ComponentEntityType::Instance(e), ComponentEntityType::Instance(i)) => {
                self.instance_exports(exp, *e, imp, *i, true)
            }
            (ComponentEntityType::Value(_), ComponentEntityType::Value(_)) => Err(Mismatch::new(
                "a value is used exactly once, so an imported one cannot go to two components",
            )),
            _ => self.entity(exp, e, imp, i),
        }
    }

    fn instance(
        &mut self,
        exp: Side<'_>,
        e: ComponentInstanceTypeId,
        imp: Side<'_>,
        i: ComponentInstanceTypeId,
    ) -> Check {
        self.instance_exports(exp, e, imp, i, false)
    }

    /// Each export of instance type `i` against `e`'s of the same name; with `union`, one
    /// that `e` lacks is skipped rather than a mismatch.
    fn instance_exports(
        &mut self,
        exp: Side<'_>,
        e: ComponentInstanceTypeId,
        imp: Side<'_>,
        i: ComponentInstanceTypeId,
        union: bool,
    ) -> Check {
        let e_ty = &exp.types[e];
        for (name, item) in &imp.types[i].exports {
            let Some(e_item) = e_ty.exports.get(name) else {
                if union {
                    continue;
                }
                return Err(Mismatch::new(format!(
                    "the import needs {} `{name}`, which the export lacks",
                    kind(&item.ty)
                )));
            };
            let what = match &item.ty {
                ComponentEntityType::Func(_) => format!("function `{name}`"),
                ComponentEntityType::Type { .. } => format!("type `{name}`"),
                other => format!("{} `{name}`", kind(other)),
            };
            self.entity(exp, &e_item.ty, imp, &item.ty)
                .map_err(|m| m.at(what))?;
        }
        Ok(())
    }

    fn ty(
        &mut self,
        exp: Side<'_>,
        e: ComponentAnyTypeId,
        imp: Side<'_>,
        i: ComponentAnyTypeId,
    ) -> Check {
        match (e, i) {
            (ComponentAnyTypeId::Resource(e), ComponentAnyTypeId::Resource(i)) => {
                let origin = self.origins.get(exp.node, e.resource());
                match self.origins.bound(imp.node, i.resource()) {
                    Some(bound) if *bound != origin => Err(Mismatch::new(
                        "the export's resource is not the one the import is bound to",
                    )),
                    Some(_) => Ok(()),
                    None => {
                        self.origins.bind(imp.node, i.resource(), origin);
                        Ok(())
                    }
                }
            }
            (ComponentAnyTypeId::Defined(e), ComponentAnyTypeId::Defined(i)) => self.val(
                exp,
                ComponentValType::Type(e),
                imp,
                ComponentValType::Type(i),
            ),
            (ComponentAnyTypeId::Resource(_), _) => Err(Mismatch::new(
                "the import expects a value type, the export has a resource",
            )),
            (_, ComponentAnyTypeId::Resource(_)) => Err(Mismatch::new(
                "the import expects a resource, the export has a value type",
            )),
            _ => Err(Mismatch::new(
                "plugging this kind of type is not supported yet",
            )),
        }
    }

    fn func(
        &mut self,
        exp: Side<'_>,
        e: ComponentFuncTypeId,
        imp: Side<'_>,
        i: ComponentFuncTypeId,
    ) -> Check {
        let (e, i) = (&exp.types[e], &imp.types[i]);
        let sig = |s: Side<'_>, f: &wasmparser::component_types::ComponentFuncType| {
            let mut out = String::from(if f.async_ { "async func(" } else { "func(" });
            for (n, (name, ty)) in f.params.iter().enumerate() {
                if n > 0 {
                    out.push_str(", ");
                }
                let _ = write!(out, "{name}: {}", wit(s.types, *ty));
            }
            out.push(')');
            if let Some(r) = f.result {
                let _ = write!(out, " -> {}", wit(s.types, r));
            }
            out
        };
        let signatures = || {
            format!(
                "the import expects `{}`, the export has `{}`",
                sig(imp, i),
                sig(exp, e)
            )
        };
        if e.async_ != i.async_ || e.params.len() != i.params.len() {
            return Err(Mismatch::new(signatures()));
        }
        for ((en, et), (iname, it)) in e.params.iter().zip(i.params.iter()) {
            if en.as_str() != iname.as_str() {
                return Err(Mismatch::new(format!(
                    "parameter {}: the import names it `{iname}`, the export `{en}`",
                    1 + i.params.iter().position(|p| p.0 == *iname).unwrap_or(0)
                )));
            }
            self.val(exp, *et, imp, *it)
                .map_err(|m| m.at(format!("parameter `{iname}`")))?;
        }
        match (e.result, i.result) {
            (None, None) => Ok(()),
            (Some(e), Some(i)) => self.val(exp, e, imp, i).map_err(|m| m.at("result")),
            _ => Err(Mismatch::new(signatures())),
        }
    }

    /// Value types must be equal (structurally; resources by origin).
    fn val(
        &mut self,
        exp: Side<'_>,
        e: ComponentValType,
        imp: Side<'_>,
        i: ComponentValType,
    ) -> Check {
        let differ = || {
            Mismatch::new(format!(
                "the import expects `{}`, the export has `{}`",
                wit(imp.types, i),
                wit(exp.types, e)
            ))
        };
        let (e_def, i_def) = match (primitive(exp.types, e), primitive(imp.types, i)) {
            (Ok(a), Ok(b)) => return if a == b { Ok(()) } else { Err(differ()) },
            (Err(a), Err(b)) => (&exp.types[a], &imp.types[b]),
            _ => return Err(differ()),
        };
        use ComponentDefinedType as D;
        match (e_def, i_def) {
            (D::Record(a), D::Record(b)) => {
                if !a.fields.keys().eq(b.fields.keys()) {
                    return Err(differ());
                }
                for ((name, a), b) in a.fields.iter().zip(b.fields.values()) {
                    self.val(exp, *a, imp, *b)
                        .map_err(|m| m.at(format!("field `{name}`")))?;
                }
                Ok(())
            }
            (D::Variant(a), D::Variant(b)) => {
                if !a.cases.keys().eq(b.cases.keys()) {
                    return Err(differ());
                }
                for ((name, a), b) in a.cases.iter().zip(b.cases.values()) {
                    self.opt(exp, a.ty, imp, b.ty, &differ)
                        .map_err(|m| m.at(format!("case `{name}`")))?;
                }
                Ok(())
            }
            (D::List { element: a, .. }, D::List { element: b, .. }) => self
                .val(exp, *a, imp, *b)
                .map_err(|m| m.at(format!("in `{}`", wit(imp.types, i)))),
            (D::Option { ty: a, .. }, D::Option { ty: b, .. }) => self
                .val(exp, *a, imp, *b)
                .map_err(|m| m.at(format!("in `{}`", wit(imp.types, i)))),
            (
                D::FixedLengthList {
                    element: a,
                    length: la,
                    ..
                },
                D::FixedLengthList {
                    element: b,
                    length: lb,
                    ..
                },
            ) if la == lb => self
                .val(exp, *a, imp, *b)
                .map_err(|m| m.at(format!("in `{}`", wit(imp.types, i)))),
            (
                D::Map {
                    key: ka, value: va, ..
                },
                D::Map {
                    key: kb, value: vb, ..
                },
            ) => {
                let within = |m: Mismatch| m.at(format!("in `{}`", wit(imp.types, i)));
                self.val(exp, *ka, imp, *kb).map_err(within)?;
                self.val(exp, *va, imp, *vb).map_err(within)
            }
            (D::Tuple(a), D::Tuple(b)) if a.types.len() == b.types.len() => {
                for (n, (a, b)) in a.types.iter().zip(b.types.iter()).enumerate() {
                    self.val(exp, *a, imp, *b)
                        .map_err(|m| m.at(format!("item {n} of `{}`", wit(imp.types, i))))?;
                }
                Ok(())
            }
            (D::Flags(a), D::Flags(b)) | (D::Enum(a), D::Enum(b)) => {
                if a.iter().eq(b.iter()) {
                    Ok(())
                } else {
                    Err(differ())
                }
            }
            (
                D::Result {
                    ok: oa, err: ea, ..
                },
                D::Result {
                    ok: ob, err: eb, ..
                },
            ) => {
                let within = |m: Mismatch| m.at(format!("in `{}`", wit(imp.types, i)));
                self.opt(exp, *oa, imp, *ob, &differ).map_err(within)?;
                self.opt(exp, *ea, imp, *eb, &differ).map_err(within)
            }
            (D::Own(a), D::Own(b)) | (D::Borrow(a), D::Borrow(b)) => {
                let a = self.origins.get(exp.node, a.resource());
                let b = self.origins.get(imp.node, b.resource());
                if a == b {
                    Ok(())
                } else {
                    Err(Mismatch::new(format!(
                        "{}: a different resource type",
                        differ().detail
                    )))
                }
            }
            (D::Future { ty: a, .. }, D::Future { ty: b, .. })
            | (D::Stream { ty: a, .. }, D::Stream { ty: b, .. }) => {
                self.opt(exp, *a, imp, *b, &differ)
            }
            _ => Err(differ()),
        }
    }

    fn opt(
        &mut self,
        exp: Side<'_>,
        e: Option<ComponentValType>,
        imp: Side<'_>,
        i: Option<ComponentValType>,
        differ: &dyn Fn() -> Mismatch,
    ) -> Check {
        match (e, i) {
            (None, None) => Ok(()),
            (Some(e), Some(i)) => self.val(exp, e, imp, i),
            _ => Err(differ()),
        }
    }
}

/// A value type as a primitive (also when it is a defined alias of one), or its definition.
fn primitive(
    types: &Types,
    ty: ComponentValType,
) -> Result<PrimitiveValType, ComponentDefinedTypeId> {
    match ty {
        ComponentValType::Primitive(p) => Ok(p),
        ComponentValType::Type(id) => match &types[id] {
            ComponentDefinedType::Primitive(p) => Ok(*p),
            _ => Err(id),
        },
    }
}

/// A value type in WIT syntax (structurally: names of types are not known here).
pub(crate) fn wit(types: &Types, ty: ComponentValType) -> String {
    let id = match primitive(types, ty) {
        Ok(p) => return primitive_name(p).to_string(),
        Err(id) => id,
    };
    let opt = |t: Option<ComponentValType>| t.map_or("_".to_string(), |t| wit(types, t));
    let list = |items: &mut dyn Iterator<Item = String>| items.collect::<Vec<_>>().join(", ");
    use ComponentDefinedType as D;
    match &types[id] {
        D::Primitive(p) => primitive_name(*p).to_string(),
        D::Record(r) => format!(
            "record {{ {} }}",
            list(
                &mut r
                    .fields
                    .iter()
                    .map(|(n, t)| format!("{n}: {}", wit(types, *t)))
            )
        ),
        D::Variant(v) => format!(
            "variant {{ {} }}",
            list(&mut v.cases.iter().map(|(n, c)| match c.ty {
                Some(t) => format!("{n}({})", wit(types, t)),
                None => n.to_string(),
            }))
        ),
        D::List { element, .. } => format!("list<{}>", wit(types, *element)),
        D::FixedLengthList {
            element, length, ..
        } => format!("list<{}, {length}>", wit(types, *element)),
        D::Map { key, value, .. } => {
            format!("map<{}, {}>", wit(types, *key), wit(types, *value))
        }
        D::Tuple(t) => format!(
            "tuple<{}>",
            list(&mut t.types.iter().map(|t| wit(types, *t)))
        ),
        D::Flags(f) => format!("flags {{ {} }}", list(&mut f.iter().map(|n| n.to_string()))),
        D::Enum(e) => format!("enum {{ {} }}", list(&mut e.iter().map(|n| n.to_string()))),
        D::Option { ty, .. } => format!("option<{}>", wit(types, *ty)),
        D::Result { ok, err, .. } => match (ok, err) {
            (None, None) => "result".to_string(),
            (Some(ok), None) => format!("result<{}>", wit(types, *ok)),
            (ok, err) => format!("result<{}, {}>", opt(*ok), opt(*err)),
        },
        D::Own(_) => "own<resource>".to_string(),
        D::Borrow(_) => "borrow<resource>".to_string(),
        D::Future { ty, .. } => match ty {
            Some(t) => format!("future<{}>", wit(types, *t)),
            None => "future".to_string(),
        },
        D::Stream { ty, .. } => match ty {
            Some(t) => format!("stream<{}>", wit(types, *t)),
            None => "stream".to_string(),
        },
    }
}

fn primitive_name(p: PrimitiveValType) -> &'static str {
    match p {
        PrimitiveValType::Bool => "bool",
        PrimitiveValType::S8 => "s8",
        PrimitiveValType::U8 => "u8",
        PrimitiveValType::S16 => "s16",
        PrimitiveValType::U16 => "u16",
        PrimitiveValType::S32 => "s32",
        PrimitiveValType::U32 => "u32",
        PrimitiveValType::S64 => "s64",
        PrimitiveValType::U64 => "u64",
        PrimitiveValType::F32 => "f32",
        PrimitiveValType::F64 => "f64",
        PrimitiveValType::Char => "char",
        PrimitiveValType::String => "string",
        PrimitiveValType::ErrorContext => "error-context",
    }
}

/// Core module subtyping: every import the exported module has, the imported module type
/// must provide, with a type that fits it; every export the imported type promises, the
/// exported module must have, with a type that fits.
fn module(
    exp: Side<'_>,
    e: ComponentCoreModuleTypeId,
    imp: Side<'_>,
    i: ComponentCoreModuleTypeId,
) -> Check {
    let (e_ty, i_ty) = (&exp.types[e], &imp.types[i]);
    for ((m, n), e_item) in &e_ty.imports {
        let Some(i_item) = i_ty.imports.get(&(m.clone(), n.clone())) else {
            return Err(Mismatch::new(format!(
                "the exported module imports `{m}` `{n}`, which the import's module type does \
                 not give it"
            )));
        };
        core_entity(imp, i_item, exp, e_item, GIVES)
            .map_err(|x| x.at(format!("its import `{m}` `{n}`")))?;
    }
    for (n, i_item) in &i_ty.exports {
        let Some(e_item) = e_ty.exports.get(n) else {
            return Err(Mismatch::new(format!(
                "the import needs the module to export `{n}`, which the exported module lacks"
            )));
        };
        core_entity(exp, e_item, imp, i_item, EXPECTS)
            .map_err(|x| x.at(format!("its export `{n}`")))?;
    }
    Ok(())
}

/// How a core mismatch is worded: what `i` (the type required) is, then what `e` (the type
/// given) is.
type Roles = (&'static str, &'static str);
/// An export of the module: the import's type requires it, the exported module has it.
const EXPECTS: Roles = ("the import expects", "the export has");
/// An import of the module: the exported module requires it, the import's type gives it.
const GIVES: Roles = ("the exported module needs", "the import's type gives");

/// Whether core entity `e` fits `i`: functions and tags of equal types, tables and memories
/// whose limits fall within `i`'s, globals of the same type and mutability.
fn core_entity(
    exp: Side<'_>,
    e: &EntityType,
    imp: Side<'_>,
    i: &EntityType,
    (wants, has): Roles,
) -> Check {
    let func = |a: CoreTypeId, b: CoreTypeId| {
        let (a, b) = (&exp.types[a], &imp.types[b]);
        match (&a.composite_type.inner, &b.composite_type.inner) {
            (CompositeInnerType::Func(fa), CompositeInnerType::Func(fb))
                if same_vals(fa.params(), fb.params()) && same_vals(fa.results(), fb.results()) =>
            {
                Ok(())
            }
            _ => Err(Mismatch::new(format!("{wants} `{b}`, {has} `{a}`"))),
        }
    };
    let limits = |what: &str, ei: u64, em: Option<u64>, ii: u64, im: Option<u64>| {
        let fits = ei >= ii && im.is_none_or(|im| em.is_some_and(|em| em <= im));
        match fits {
            true => Ok(()),
            false => Err(Mismatch::new(format!(
                "{wants} a {what} of at least {ii}{} units, {has} {ei}{}",
                im.map_or(String::new(), |m| format!(" and at most {m}")),
                em.map_or(String::new(), |m| format!(" to {m}")),
            ))),
        }
    };
    match (e, i) {
        (EntityType::Func(a) | EntityType::FuncExact(a), EntityType::Func(b))
        | (EntityType::FuncExact(a), EntityType::FuncExact(b))
        | (EntityType::Tag(a), EntityType::Tag(b)) => func(*a, *b),
        (EntityType::Table(a), EntityType::Table(b)) => {
            if !same_vals(
                &[ValType::Ref(a.element_type)],
                &[ValType::Ref(b.element_type)],
            ) || a.table64 != b.table64
                || a.shared != b.shared
            {
                return Err(Mismatch::new("the tables' element or index types differ"));
            }
            limits("table", a.initial, a.maximum, b.initial, b.maximum)
        }
        (EntityType::Memory(a), EntityType::Memory(b)) => {
            if a.memory64 != b.memory64
                || a.shared != b.shared
                || a.page_size_log2 != b.page_size_log2
            {
                return Err(Mismatch::new(
                    "the memories' index types, sharing or page sizes differ",
                ));
            }
            limits("memory", a.initial, a.maximum, b.initial, b.maximum)
        }
        (EntityType::Global(a), EntityType::Global(b)) => {
            match same_vals(&[a.content_type], &[b.content_type])
                && a.mutable == b.mutable
                && a.shared == b.shared
            {
                true => Ok(()),
                false => Err(Mismatch::new(format!(
                    "{wants} a global `{}{}`, {has} `{}{}`",
                    if b.mutable { "mut " } else { "" },
                    b.content_type,
                    if a.mutable { "mut " } else { "" },
                    a.content_type
                ))),
            }
        }
        _ => Err(Mismatch::new(format!(
            "{wants} a core {}, {has} a core {}",
            core_kind(i),
            core_kind(e)
        ))),
    }
}

fn core_kind(e: &EntityType) -> &'static str {
    match e {
        EntityType::Func(_) | EntityType::FuncExact(_) => "function",
        EntityType::Table(_) => "table",
        EntityType::Memory(_) => "memory",
        EntityType::Global(_) => "global",
        EntityType::Tag(_) => "tag",
    }
}

/// Whether two lists of core value types are equal. A reference to a defined type is never
/// equal here: its index means something only within its own module's types.
fn same_vals(a: &[ValType], b: &[ValType]) -> bool {
    let concrete = |v: &ValType| matches!(v, ValType::Ref(r) if r.is_concrete_type_ref());
    a.len() == b.len() && a.iter().zip(b).all(|(x, y)| x == y && !concrete(x))
}
