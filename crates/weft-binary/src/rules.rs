//! Component-model validation rules that wasmparser 0.254 (the version wasmtime 48 uses) does
//! not check yet, checked by weft after wasmparser has accepted each section:
//!
//! * **Strongly-unique names** (Binary.md, Explainer.md § Name Uniqueness): two import names,
//!   two export names, two labels of one record, variant, flags or enum, or two parameter
//!   names of one function must differ in more than ASCII case and hyphens, and
//!   `[method]r.m`/`[static]r.m` count as `r.m` (as `r` when `m` is `r`). Hyphens are ignored
//!   as the spec tests (wasm-tools 1.262's `validation/kebab.wast`) and wasmparser 0.262 do;
//!   the copy of Explainer.md in `shared/spec` only folds case. wasmparser 0.254 ignores case.
//! * **Value-type size** (CanonicalABI.md § Element Size): every value type a component
//!   defines takes less than 2^28 bytes in memory (`elem_size(t, 'i64')`), so fixed-length
//!   lists cannot make sizes overflow. A type a component body defines is checked where it is
//!   defined; one declared inside a component or instance type, when one of that type's
//!   imports or exports reaches it (one nothing reaches has no effect and is not checked,
//!   though wasmparser 0.262 rejects it).
//!
//! The third rule the spec tests need, that interface names have no nested namespaces or
//! projections (`a:b:c/d`, `a:b/c/d`), is wasmparser's own, off in [`crate::features`].
//!
//! Only what a section defines is looked at, once: names of imports, exports and type
//! declarations, labels of type definitions, and each defined value type's size, memoized by
//! the validator's type id. Nothing here looks at core modules or function bodies.

use std::collections::hash_map::Entry;
use std::fmt::Write;

// Keys are type ids and names: rustc's FxHash, not SipHash (a map lives for one binary).
use rustc_hash::{FxHashMap as HashMap, FxHashSet as HashSet};

use wasmparser::component_types::{
    ComponentAnyTypeId, ComponentDefinedType, ComponentDefinedTypeId, ComponentEntityType,
    ComponentValType,
};
use wasmparser::types::TypesRef;
use wasmparser::{
    ComponentInstance, ComponentType, ComponentTypeDeclaration, Encoding, InstanceTypeDeclaration,
    Payload, PrimitiveValType,
};

use crate::{Error, Result};

/// `elem_size(t, 'i64')` of every value type must be below this (CanonicalABI.md: the same
/// bound as `MAX_LIST_BYTE_LENGTH` + 1).
pub(crate) const MAX_VALUE_SIZE: u64 = 1 << 28;

/// The rules' state over one binary's payloads.
#[derive(Default)]
pub(crate) struct Rules {
    /// One entry per binary being read, outermost first: the names seen so far in a
    /// component body, `None` in a core module.
    frames: Vec<Option<Scope>>,
    /// `(elem_size, alignment)` of every defined value type checked so far.
    sizes: HashMap<ComponentDefinedTypeId, Abi>,
    /// Function, instance and component types whose value types have been checked.
    walked: HashSet<ComponentAnyTypeId>,
    /// Work lists of [`Rules::sizes`] and [`Rules::defined`], kept to be reused.
    work: Vec<ComponentAnyTypeId>,
    stack: Vec<ComponentDefinedTypeId>,
}

/// The import and export names of one component body.
#[derive(Default)]
struct Scope {
    imports: Names<Box<str>>,
    exports: Names<Box<str>>,
}

impl Rules {
    /// Checks `payload`, which `validator` has just accepted.
    pub(crate) fn payload(
        &mut self,
        payload: &Payload<'_>,
        validator: &wasmparser::Validator,
    ) -> Result<()> {
        match payload {
            Payload::Version { encoding, .. } => {
                let scope = match encoding {
                    Encoding::Component => Some(Scope::default()),
                    Encoding::Module => None,
                };
                self.frames.push(scope);
                return Ok(());
            }
            Payload::End(_) => {
                self.frames.pop();
                return Ok(());
            }
            _ => {}
        }
        let Some(Some(scope)) = self.frames.last_mut() else {
            return Ok(());
        };
        match payload {
            Payload::ComponentImportSection(s) => {
                for item in s.clone().into_iter_with_offsets() {
                    let (offset, import) = item?;
                    scope
                        .imports
                        .extern_name("import", import.name.name, offset)?;
                }
            }
            Payload::ComponentExportSection(s) => {
                for item in s.clone().into_iter_with_offsets() {
                    let (offset, export) = item?;
                    scope
                        .exports
                        .extern_name("export", export.name.name, offset)?;
                }
            }
            Payload::ComponentInstanceSection(s) => {
                for item in s.clone().into_iter_with_offsets() {
                    if let (offset, ComponentInstance::FromExports(exports)) = item? {
                        let mut names = Names::<&str>::default();
                        for export in exports.iter() {
                            names.extern_name("export", export.name.name, offset)?;
                        }
                    }
                }
            }
            Payload::ComponentTypeSection(s) => {
                let types = validator
                    .types(0)
                    .ok_or_else(|| Error::msg("a type section outside a component"))?;
                // Each item defines one type, the last `count` of the index space.
                let base = types.component_type_count() - s.count();
                for (i, item) in s.clone().into_iter_with_offsets().enumerate() {
                    let (offset, ty) = item?;
                    type_names(&ty, offset)?;
                    let index = base + i as u32;
                    self.sizes(types, types.component_any_type_at(index))
                        .map_err(|big| big.error(types, index, offset))?;
                }
            }
            _ => {}
        }
        Ok(())
    }

    /// Checks the size of every value type `root` is or reaches (a function's parameters and
    /// result, an instance's or component's imports and exports, transitively).
    fn sizes(&mut self, types: TypesRef<'_>, root: ComponentAnyTypeId) -> Result<(), TooBig> {
        let mut work = std::mem::take(&mut self.work);
        work.clear();
        work.push(root);
        while let Some(ty) = work.pop() {
            match ty {
                ComponentAnyTypeId::Resource(_) => {}
                ComponentAnyTypeId::Defined(id) => {
                    self.defined(types, id)?;
                }
                ComponentAnyTypeId::Func(id) => {
                    if self.walked.insert(ty) {
                        let func = &types[id];
                        let params = func.params.iter().map(|(_, v)| v);
                        for v in params.chain(&func.result) {
                            if let ComponentValType::Type(id) = v {
                                work.push(ComponentAnyTypeId::Defined(*id));
                            }
                        }
                    }
                }
                ComponentAnyTypeId::Instance(id) => {
                    if self.walked.insert(ty) {
                        for item in types[id].exports.values() {
                            entity(&item.ty, &mut work);
                        }
                    }
                }
                ComponentAnyTypeId::Component(id) => {
                    if self.walked.insert(ty) {
                        let component = &types[id];
                        for item in component.imports.values().chain(component.exports.values()) {
                            entity(&item.ty, &mut work);
                        }
                    }
                }
            }
        }
        self.work = work;
        Ok(())
    }

    /// The `(elem_size, alignment)` of a defined value type, checked against
    /// [`MAX_VALUE_SIZE`] along with every value type it contains. Iterative: a chain of
    /// nested types is as deep as the binary makes it.
    fn defined(
        &mut self,
        types: TypesRef<'_>,
        root: ComponentDefinedTypeId,
    ) -> Result<Abi, TooBig> {
        if let Some(abi) = self.sizes.get(&root) {
            return Ok(*abi);
        }
        let mut stack = std::mem::take(&mut self.stack);
        stack.clear();
        stack.push(root);
        while let Some(&id) = stack.last() {
            if self.sizes.contains_key(&id) {
                stack.pop();
                continue;
            }
            let ty = &types[id];
            let depth = stack.len();
            children(ty, |v| {
                if let ComponentValType::Type(child) = v {
                    if !self.sizes.contains_key(child) {
                        stack.push(*child);
                    }
                }
            });
            if stack.len() > depth {
                continue;
            }
            let abi = self.abi(ty);
            if abi.size >= MAX_VALUE_SIZE {
                return Err(TooBig { id, size: abi.size });
            }
            self.sizes.insert(id, abi);
            stack.pop();
        }
        self.stack = stack;
        Ok(self.sizes[&root])
    }

    /// `elem_size` and `alignment` (CanonicalABI.md, 64-bit pointers) of a type whose
    /// children are all in `self.sizes`.
    fn abi(&self, ty: &ComponentDefinedType) -> Abi {
        let val = |v: &ComponentValType| match v {
            ComponentValType::Primitive(p) => Abi::primitive(*p),
            ComponentValType::Type(id) => self.sizes[id],
        };
        match ty {
            ComponentDefinedType::Primitive(p) => Abi::primitive(*p),
            ComponentDefinedType::Record(r) => Abi::record(r.fields.values().map(val)),
            ComponentDefinedType::Tuple(t) => Abi::record(t.types.iter().map(val)),
            ComponentDefinedType::Variant(v) => Abi::variant(
                v.cases.len(),
                v.cases.values().filter_map(|c| c.ty.as_ref()).map(val),
            ),
            ComponentDefinedType::Option { ty, .. } => Abi::variant(2, [val(ty)].into_iter()),
            ComponentDefinedType::Result { ok, err, .. } => {
                Abi::variant(2, ok.iter().chain(err).map(val))
            }
            ComponentDefinedType::Enum(cases) => Abi::discriminant(cases.len()),
            ComponentDefinedType::Flags(names) => Abi::flags(names.len()),
            ComponentDefinedType::List { .. } | ComponentDefinedType::Map { .. } => Abi::PTR_PAIR,
            ComponentDefinedType::FixedLengthList {
                element, length, ..
            } => {
                let element = val(element);
                Abi {
                    size: element.size * u64::from(*length),
                    align: element.align,
                }
            }
            ComponentDefinedType::Own(_)
            | ComponentDefinedType::Borrow(_)
            | ComponentDefinedType::Future { .. }
            | ComponentDefinedType::Stream { .. } => Abi::HANDLE,
        }
    }
}

/// Pushes the types an import or export brings.
fn entity(ty: &ComponentEntityType, work: &mut Vec<ComponentAnyTypeId>) {
    match ty {
        ComponentEntityType::Module(_) => {}
        ComponentEntityType::Func(id) => work.push(ComponentAnyTypeId::Func(*id)),
        ComponentEntityType::Value(ComponentValType::Type(id)) => {
            work.push(ComponentAnyTypeId::Defined(*id))
        }
        ComponentEntityType::Value(ComponentValType::Primitive(_)) => {}
        ComponentEntityType::Type {
            referenced,
            created,
        } => {
            work.push(*referenced);
            work.push(*created);
        }
        ComponentEntityType::Instance(id) => work.push(ComponentAnyTypeId::Instance(*id)),
        ComponentEntityType::Component(id) => work.push(ComponentAnyTypeId::Component(*id)),
    }
}

/// Calls `f` on each value type `ty` contains directly.
fn children(ty: &ComponentDefinedType, mut f: impl FnMut(&ComponentValType)) {
    match ty {
        ComponentDefinedType::Primitive(_)
        | ComponentDefinedType::Flags(_)
        | ComponentDefinedType::Enum(_)
        | ComponentDefinedType::Own(_)
        | ComponentDefinedType::Borrow(_) => {}
        ComponentDefinedType::Record(r) => r.fields.values().for_each(f),
        ComponentDefinedType::Tuple(t) => t.types.iter().for_each(f),
        ComponentDefinedType::Variant(v) => {
            v.cases.values().filter_map(|c| c.ty.as_ref()).for_each(f)
        }
        ComponentDefinedType::List { element, .. }
        | ComponentDefinedType::FixedLengthList { element, .. } => f(element),
        ComponentDefinedType::Map { key, value, .. } => {
            f(key);
            f(value);
        }
        ComponentDefinedType::Option { ty, .. } => f(ty),
        ComponentDefinedType::Result { ok, err, .. } => ok.iter().chain(err).for_each(f),
        ComponentDefinedType::Future { ty, .. } | ComponentDefinedType::Stream { ty, .. } => {
            ty.iter().for_each(f)
        }
    }
}

/// `elem_size(t, 'i64')` and `alignment(t, 'i64')` of a value type.
#[derive(Copy, Clone, Debug, PartialEq, Eq)]
struct Abi {
    size: u64,
    align: u64,
}

impl Abi {
    const PTR_PAIR: Abi = Abi { size: 16, align: 8 };
    const HANDLE: Abi = Abi { size: 4, align: 4 };

    fn int(bytes: u64) -> Abi {
        Abi {
            size: bytes,
            align: bytes,
        }
    }

    fn primitive(p: PrimitiveValType) -> Abi {
        use PrimitiveValType as P;
        match p {
            P::Bool | P::S8 | P::U8 => Abi::int(1),
            P::S16 | P::U16 => Abi::int(2),
            P::S32 | P::U32 | P::F32 | P::Char | P::ErrorContext => Abi::int(4),
            P::S64 | P::U64 | P::F64 => Abi::int(8),
            P::String => Abi::PTR_PAIR,
        }
    }

    fn discriminant(cases: usize) -> Abi {
        match cases {
            0..=0x100 => Abi::int(1),
            0x101..=0x1_0000 => Abi::int(2),
            _ => Abi::int(4),
        }
    }

    fn flags(count: usize) -> Abi {
        match count {
            0..=8 => Abi::int(1),
            9..=16 => Abi::int(2),
            _ => Abi::int(4),
        }
    }

    fn record(fields: impl Iterator<Item = Abi>) -> Abi {
        let (mut size, mut align) = (0, 1);
        for field in fields {
            size = align_to(size, field.align) + field.size;
            align = align.max(field.align);
        }
        Abi {
            size: align_to(size, align),
            align,
        }
    }

    fn variant(cases: usize, payloads: impl Iterator<Item = Abi>) -> Abi {
        let discriminant = Abi::discriminant(cases);
        let (mut payload_size, mut payload_align) = (0, 1);
        for payload in payloads {
            payload_size = payload_size.max(payload.size);
            payload_align = payload_align.max(payload.align);
        }
        let align = discriminant.align.max(payload_align);
        let size = align_to(discriminant.size, payload_align) + payload_size;
        Abi {
            size: align_to(size, align),
            align,
        }
    }
}

fn align_to(offset: u64, align: u64) -> u64 {
    offset.div_ceil(align) * align
}

/// A value type at or over [`MAX_VALUE_SIZE`].
struct TooBig {
    id: ComponentDefinedTypeId,
    size: u64,
}

impl TooBig {
    /// The error for the type section item defining type `index`, at `offset`.
    fn error(&self, types: TypesRef<'_>, index: u32, offset: usize) -> Error {
        let shown = show(types, self.id);
        let what = match types.component_any_type_at(index) {
            ComponentAnyTypeId::Defined(id) if id == self.id => format!("type {index} (`{shown}`)"),
            _ => format!("`{shown}` (in type {index})"),
        };
        Error::at(
            offset,
            format!(
                "{what} exceeds maximum byte size: a value of it takes {} bytes in memory \
                 (`elem_size` with 64-bit pointers), and a value type may take at most \
                 2^28 - 1 ({})",
                self.size,
                MAX_VALUE_SIZE - 1
            ),
        )
    }
}

/// A value type in WIT-like syntax, for errors; long types are cut short with `…`.
fn show(types: TypesRef<'_>, id: ComponentDefinedTypeId) -> String {
    let mut out = String::new();
    show_defined(types, &types[id], 3, &mut out);
    if out.len() > 120 {
        let mut end = 119;
        while !out.is_char_boundary(end) {
            end -= 1;
        }
        out.truncate(end);
        out.push('…');
    }
    out
}

fn show_val(types: TypesRef<'_>, v: &ComponentValType, depth: u32, out: &mut String) {
    match v {
        ComponentValType::Primitive(p) => {
            let _ = write!(out, "{p}");
        }
        ComponentValType::Type(_) if depth == 0 => out.push('…'),
        ComponentValType::Type(id) => show_defined(types, &types[*id], depth - 1, out),
    }
}

fn show_defined(types: TypesRef<'_>, ty: &ComponentDefinedType, depth: u32, out: &mut String) {
    let list = |out: &mut String,
                open: &str,
                items: &mut dyn Iterator<Item = (&str, Option<&ComponentValType>)>,
                sep: &str,
                close: &str| {
        out.push_str(open);
        for (i, (name, ty)) in items.enumerate() {
            if i > 0 {
                out.push_str(", ");
            }
            out.push_str(name);
            if let Some(ty) = ty {
                out.push_str(sep);
                show_val(types, ty, depth, out);
                if sep == "(" {
                    out.push(')');
                }
            }
        }
        out.push_str(close);
    };
    match ty {
        ComponentDefinedType::Primitive(p) => {
            let _ = write!(out, "{p}");
        }
        ComponentDefinedType::Record(r) => list(
            out,
            "record { ",
            &mut r.fields.iter().map(|(n, t)| (n.as_str(), Some(t))),
            ": ",
            " }",
        ),
        ComponentDefinedType::Variant(v) => list(
            out,
            "variant { ",
            &mut v.cases.iter().map(|(n, c)| (n.as_str(), c.ty.as_ref())),
            "(",
            " }",
        ),
        ComponentDefinedType::Flags(names) => list(
            out,
            "flags { ",
            &mut names.iter().map(|n| (n.as_str(), None)),
            "",
            " }",
        ),
        ComponentDefinedType::Enum(names) => list(
            out,
            "enum { ",
            &mut names.iter().map(|n| (n.as_str(), None)),
            "",
            " }",
        ),
        ComponentDefinedType::Tuple(t) => {
            out.push_str("tuple<");
            for (i, ty) in t.types.iter().enumerate() {
                if i > 0 {
                    out.push_str(", ");
                }
                show_val(types, ty, depth, out);
            }
            out.push('>');
        }
        ComponentDefinedType::List { element, .. } => {
            out.push_str("list<");
            show_val(types, element, depth, out);
            out.push('>');
        }
        ComponentDefinedType::FixedLengthList {
            element, length, ..
        } => {
            out.push_str("list<");
            show_val(types, element, depth, out);
            let _ = write!(out, ", {length}>");
        }
        ComponentDefinedType::Map { key, value, .. } => {
            out.push_str("map<");
            show_val(types, key, depth, out);
            out.push_str(", ");
            show_val(types, value, depth, out);
            out.push('>');
        }
        ComponentDefinedType::Option { ty, .. } => {
            out.push_str("option<");
            show_val(types, ty, depth, out);
            out.push('>');
        }
        ComponentDefinedType::Result { ok, err, .. } => {
            out.push_str("result");
            match (ok, err) {
                (None, None) => {}
                (Some(ok), None) => {
                    out.push('<');
                    show_val(types, ok, depth, out);
                    out.push('>');
                }
                (ok, Some(err)) => {
                    out.push('<');
                    match ok {
                        Some(ok) => show_val(types, ok, depth, out),
                        None => out.push('_'),
                    }
                    out.push_str(", ");
                    show_val(types, err, depth, out);
                    out.push('>');
                }
            }
        }
        ComponentDefinedType::Own(_) => out.push_str("own<…>"),
        ComponentDefinedType::Borrow(_) => out.push_str("borrow<…>"),
        ComponentDefinedType::Future { ty: payload, .. }
        | ComponentDefinedType::Stream { ty: payload, .. } => {
            let kind = match ty {
                ComponentDefinedType::Future { .. } => "future",
                _ => "stream",
            };
            out.push_str(kind);
            if let Some(payload) = payload {
                out.push('<');
                show_val(types, payload, depth, out);
                out.push('>');
            }
        }
    }
}

/// Checks the names one type section item declares: labels of a defined type, parameters
/// of a function type, imports and exports of a component or instance type (and of the
/// types declared inside it).
fn type_names(ty: &ComponentType<'_>, offset: usize) -> Result<()> {
    match ty {
        ComponentType::Defined(d) => {
            use wasmparser::ComponentDefinedType as D;
            match d {
                D::Record(fields) => labels(
                    fields.iter().map(|(name, _)| *name),
                    ("record field name", "field name"),
                    offset,
                ),
                D::Variant(cases) => labels(
                    cases.iter().map(|c| c.name),
                    ("variant case name", "case name"),
                    offset,
                ),
                D::Flags(names) => {
                    labels(names.iter().copied(), ("flag name", "flag name"), offset)
                }
                D::Enum(names) => {
                    labels(names.iter().copied(), ("enum tag name", "tag name"), offset)
                }
                _ => Ok(()),
            }
        }
        ComponentType::Func(f) => labels(
            f.params.iter().map(|(name, _)| *name),
            ("function parameter name", "parameter name"),
            offset,
        ),
        ComponentType::Component(decls) => {
            let (mut imports, mut exports) = (Names::<&str>::default(), Names::<&str>::default());
            for decl in decls.iter() {
                match decl {
                    ComponentTypeDeclaration::Type(ty) => type_names(ty, offset)?,
                    ComponentTypeDeclaration::Import(import) => {
                        imports.extern_name("import", import.name.name, offset)?
                    }
                    ComponentTypeDeclaration::Export { name, .. } => {
                        exports.extern_name("export", name.name, offset)?
                    }
                    ComponentTypeDeclaration::CoreType(_) | ComponentTypeDeclaration::Alias(_) => {}
                }
            }
            Ok(())
        }
        ComponentType::Instance(decls) => {
            let mut exports = Names::<&str>::default();
            for decl in decls.iter() {
                match decl {
                    InstanceTypeDeclaration::Type(ty) => type_names(ty, offset)?,
                    InstanceTypeDeclaration::Export { name, .. } => {
                        exports.extern_name("export", name.name, offset)?
                    }
                    InstanceTypeDeclaration::CoreType(_) | InstanceTypeDeclaration::Alias(_) => {}
                }
            }
            Ok(())
        }
        ComponentType::Resource { .. } => Ok(()),
    }
}

/// Checks that labels (record fields, cases, flags, parameters) are strongly-unique.
fn labels<'a>(
    names: impl Iterator<Item = &'a str>,
    (what, previous): (&str, &str),
    offset: usize,
) -> Result<()> {
    let mut seen = Names::<&str>::default();
    for name in names {
        if let Some(prev) = seen.insert(fold(name), name) {
            let how = "case or hyphens";
            return Err(conflict(
                what,
                name,
                previous,
                prev,
                how,
                &fold(name),
                offset,
            ));
        }
    }
    Ok(())
}

/// Names seen in one scope, by their strongly-unique form: borrowed from the section (`V` =
/// `&str`) for a scope inside one section, owned (`Box<str>`) for a component body's imports
/// and exports, which several sections can add to.
struct Names<V>(HashMap<String, V>);

impl<V> Default for Names<V> {
    fn default() -> Self {
        Names(HashMap::default())
    }
}

impl<V: AsRef<str>> Names<V> {
    /// Records `name`, returning the earlier name with the same `key`, if any.
    fn insert<'n>(&mut self, key: String, name: &'n str) -> Option<&str>
    where
        V: From<&'n str>,
    {
        match self.0.entry(key) {
            Entry::Occupied(e) => {
                let prev: &V = e.into_mut();
                Some(prev.as_ref())
            }
            Entry::Vacant(e) => {
                e.insert(V::from(name));
                None
            }
        }
    }

    /// Records an import or export `name`, an error if it is not strongly-unique.
    fn extern_name<'n>(&mut self, what: &str, name: &'n str, offset: usize) -> Result<()>
    where
        V: From<&'n str>,
    {
        let Some(key) = extern_key(name) else {
            return Ok(());
        };
        if let Some(prev) = self.insert(key.clone(), name) {
            let annotated = |n: &str| n.starts_with("[method]") || n.starts_with("[static]");
            let how = if annotated(name) || annotated(prev) {
                "case, hyphens or a `[method]`/`[static]` prefix"
            } else {
                "case or hyphens"
            };
            let what = format!("{what} name");
            return Err(conflict(&what, name, "name", prev, how, &key, offset));
        }
        Ok(())
    }
}

/// `<what> `name` conflicts with previous <previous> `prev``, wasmparser's wording, then
/// the rule and the form both names share.
fn conflict(
    what: &str,
    name: &str,
    previous: &str,
    prev: &str,
    how: &str,
    key: &str,
    offset: usize,
) -> Error {
    Error::at(
        offset,
        format!(
            "{what} `{name}` conflicts with previous {previous} `{prev}`: names must be \
             strongly-unique, and these differ only in {how} (both are `{key}`)"
        ),
    )
}

/// A label with hyphens dropped and ASCII letters lowercased: `foo-BAR` → `foobar`.
fn fold(label: &str) -> String {
    let mut folded = String::with_capacity(label.len());
    for c in label.chars() {
        if c != '-' {
            folded.push(c.to_ascii_lowercase());
        }
    }
    folded
}

/// The strongly-unique form of an import or export name (wasmparser has checked its
/// syntax), or `None` for the dependency, URL and hash names wasmparser 0.254 still accepts,
/// which it compares exactly.
///
/// * `[constructor]r` → `[constructor]` + `fold(r)`;
/// * `[method]r.m` and `[static]r.m` → `fold(r).fold(m)`, or `fold(r)` when the two are equal;
/// * `ns:pkg/iface@version` → every `:`/`/`-separated part folded, the version as it is;
/// * a plain label → `fold(label)`.
pub(crate) fn extern_key(name: &str) -> Option<String> {
    if ["unlocked-dep=", "locked-dep=", "url=", "integrity="]
        .iter()
        .any(|p| name.starts_with(p))
    {
        return None;
    }
    if let Some(resource) = name.strip_prefix("[constructor]") {
        return Some(format!("[constructor]{}", fold(resource)));
    }
    if let Some(func) = name
        .strip_prefix("[method]")
        .or_else(|| name.strip_prefix("[static]"))
    {
        let (resource, method) = func.split_once('.')?;
        let (resource, method) = (fold(resource), fold(method));
        return Some(if resource == method {
            resource
        } else {
            format!("{resource}.{method}")
        });
    }
    match name.split_once('@') {
        Some((path, version)) if path.contains(':') => Some(format!("{}@{version}", fold(path))),
        _ => Some(fold(name)),
    }
}

#[cfg(test)]
mod tests;
