//! Canonical WIT text for resolved packages.
//!
//! The layout follows `wasm-tools component wit` (wit-component's `WitPrinter`) so that users
//! see familiar output: two-space indentation, docs as `///` lines, gates on their own lines,
//! an interface's `use` statements and type definitions (resources with their functions),
//! then its freestanding functions, each separated by a blank line. A world prints its
//! imported interfaces, then its types, then its imported functions, then its exports; imports
//! that the resolver added for the types exported interfaces use are printed as explicit
//! `import`s, which re-resolve to the same world.
//!
//! The text is a fixed point (resolving it and printing again gives the same text), and it
//! resolves to the same items in the same order. For that, two things differ from
//! wit-component: `use` statements stay in the order of the interface's types (wit-component
//! moves them first), and freestanding functions that come before a resource's functions are
//! printed before that resource (wit-component prints them all last, which reorders the
//! interface's functions). Layout differences: a blank line separates every top-level item
//! (wit-component runs worlds together) and every group of items of different kinds (imports,
//! `use`s, types, exports); an empty block prints as `{}`; and the text ends with exactly one
//! line break.
//!
//! The `layout` module is the one place that decides how WIT is laid out. It renders a small
//! syntax tree of its own; this module builds that tree from a [`Resolve`], and
//! [`crate::format`] builds it from the source AST.

use crate::fxhash::{HashMap, HashSet};
use std::borrow::Cow;

use layout::{
    Block, Comments, Extern, File, Gate, Item, ItemKind, Member, Path, Sig, SigKind, Ty, TypeBody,
};

use crate::{
    Docs, Function, FunctionKind, Handle, InterfaceId, PackageId, Resolve, Stability, Type,
    TypeDefKind, TypeId, TypeOwner, WorldId, WorldItem, WorldKey,
};

/// What [`print_package`] prints.
#[derive(Clone, Debug, Default)]
pub struct PrintOptions {
    /// Print only this world of the package (with the package's interfaces it uses), instead
    /// of the whole package.
    pub world: Option<WorldId>,
}

/// Canonical WIT text of one package: `package ns:name@version;`, then its interfaces and
/// worlds in declaration order.
///
/// With [`PrintOptions::world`] set, only that world is printed, under the header of the
/// package that defines it and after those interfaces of that package it refers to (directly
/// or through `use`), so that the text resolves on its own given the other packages.
pub fn print_package(resolve: &Resolve, pkg: PackageId, opts: &PrintOptions) -> String {
    let printer = Printer { resolve };
    match opts.world {
        Some(world) => {
            let pkg = resolve.worlds[world].package.unwrap_or(pkg);
            printer.file(pkg, printer.world_with_deps(pkg, world))
        }
        None => printer.file(pkg, printer.package_items(pkg)),
    }
}

/// Canonical WIT text of `main` followed by every other package of `resolve`, each as a
/// nested `package ns:name@version { … }` block, as `wasm-tools component wit` prints a
/// package with its dependencies.
///
/// The result is one self-contained file: it resolves on its own (nested packages may be in
/// any order). The other packages come in the order they were loaded (dependencies first for
/// WIT text, the binary's order for a decoded binary), as wasm-tools prints them, so the two
/// tools' output differs only in blank lines.
pub fn print_all(resolve: &Resolve, main: PackageId) -> String {
    let printer = Printer { resolve };
    let mut items = printer.package_items(main);
    let others: Vec<PackageId> = resolve
        .packages
        .iter()
        .map(|(id, _)| id)
        .filter(|id| *id != main)
        .collect();
    // In the order they were loaded, as wit-component prints them.
    for id in others {
        let p = &resolve.packages[id];
        items.push(Item {
            docs: docs(&p.docs),
            gates: Vec::new(),
            kind: ItemKind::Package {
                name: package_path(p),
                body: Block::new(printer.package_items(id)),
            },
            orphans: Comments::new(),
        });
    }
    printer.file(main, items)
}

/// The signature of one function as WIT writes it after `name: `: `func(x: u32) -> string`,
/// `static func() -> counter`, `async func()`; a constructor is `constructor(init: u32)`.
/// Methods leave out their `self` parameter. Type names are written as in the interface
/// that defines the function (no package or interface prefix).
pub fn func_signature(resolve: &Resolve, func: &Function) -> String {
    layout::sig(&Printer { resolve }.sig(func))
}

/// Builds the layout tree of resolved items.
struct Printer<'r> {
    resolve: &'r Resolve,
}

impl<'r> Printer<'r> {
    /// `package …;` of `pkg`, then `items`.
    fn file(&self, pkg: PackageId, items: Vec<Item<'r>>) -> String {
        let package = &self.resolve.packages[pkg];
        let file = File {
            header: Some(layout::Header {
                docs: docs(&package.docs),
                name: package_path(package),
                orphans: Comments::new(),
            }),
            items,
            trailing: Comments::new(),
        };
        layout::render(&file)
    }

    /// The interfaces and worlds of a package, in declaration order.
    fn package_items(&self, pkg: PackageId) -> Vec<Item<'r>> {
        let package = &self.resolve.packages[pkg];
        let mut items = Vec::new();
        for (name, &id) in &package.interfaces {
            items.push(self.interface_item(name, id));
        }
        for &id in package.worlds.values() {
            items.push(self.world_item(id));
        }
        items
    }

    /// One world, after the interfaces of its own package that it refers to.
    fn world_with_deps(&self, pkg: PackageId, world: WorldId) -> Vec<Item<'r>> {
        let w = &self.resolve.worlds[world];
        let mut needed: HashSet<InterfaceId> = HashSet::default();
        let mut stack: Vec<InterfaceId> = w
            .imports
            .values()
            .chain(w.exports.values())
            .filter_map(|item| match item {
                WorldItem::Interface { id, .. } => Some(*id),
                _ => None,
            })
            .collect();
        while let Some(id) = stack.pop() {
            if needed.insert(id) {
                stack.extend(self.resolve.interface_direct_deps(id));
            }
        }
        let package = &self.resolve.packages[pkg];
        let mut items: Vec<Item<'r>> = package
            .interfaces
            .iter()
            .filter(|(_, id)| needed.contains(id))
            .map(|(name, &id)| self.interface_item(name, id))
            .collect();
        items.push(self.world_item(world));
        items
    }

    fn interface_item(&self, name: &'r str, id: InterfaceId) -> Item<'r> {
        let iface = &self.resolve.interfaces[id];
        Item {
            docs: docs(&iface.docs),
            gates: gates(&iface.stability),
            kind: ItemKind::Interface {
                name: Cow::Borrowed(name),
                body: self.interface_body(id),
            },
            orphans: Comments::new(),
        }
    }

    /// Uses and types (resources with their functions), then freestanding functions.
    ///
    /// A resource's functions are written inside it, so the order of the interface's functions
    /// survives a round trip only if the freestanding functions that come before a resource's
    /// functions are printed before the resource; the others follow the types.
    fn interface_body(&self, id: InterfaceId) -> Block<'r> {
        let iface = &self.resolve.interfaces[id];
        let funcs: Vec<&'r Function> = iface.functions.values().collect();
        let mut resource_funcs: HashMap<TypeId, Vec<&'r Function>> = HashMap::default();
        let mut first_func: HashMap<TypeId, usize> = HashMap::default();
        for (i, func) in funcs.iter().enumerate() {
            if let Some(r) = func.kind.resource() {
                resource_funcs.entry(r).or_default().push(func);
                first_func.entry(r).or_insert(i);
            }
        }
        let mut next = 0;
        let mut freestanding_up_to = |end: usize| -> Vec<Item<'r>> {
            let items = funcs[next.min(end)..end]
                .iter()
                .filter(|f| f.kind.resource().is_none())
                .map(|f| self.func_item(f))
                .collect();
            next = next.max(end);
            items
        };
        let pkg = iface.package;
        let types = declaration_order(iface.types.iter().map(|(name, &ty)| (name.as_str(), ty)));
        let mut before_resource = |r: TypeId| {
            first_func
                .get(&r)
                .map_or_else(Vec::new, |&i| freestanding_up_to(i))
        };
        let mut items = self.types(
            TypeOwner::Interface(id),
            pkg,
            types,
            &resource_funcs,
            &mut before_resource,
        );
        items.extend(freestanding_up_to(funcs.len()));
        Block::new(items)
    }

    fn func_item(&self, func: &'r Function) -> Item<'r> {
        Item {
            docs: docs(&func.docs),
            gates: gates(&func.stability),
            kind: ItemKind::Func {
                name: Cow::Borrowed(func.item_name()),
                sig: self.sig(func),
            },
            orphans: Comments::new(),
        }
    }

    /// The types of an interface or world: first `use` statements for types defined in other
    /// interfaces (consecutive names from one interface with one gate share a statement),
    /// then definitions (resources with their functions), each in order.
    fn types(
        &self,
        owner: TypeOwner,
        pkg: Option<PackageId>,
        types: impl Iterator<Item = (&'r str, TypeId)>,
        resource_funcs: &HashMap<TypeId, Vec<&'r Function>>,
        before_resource: &mut dyn FnMut(TypeId) -> Vec<Item<'r>>,
    ) -> Vec<Item<'r>> {
        // `use` statements come first, as wit-component's printer writes them, so that printing
        // a decoded binary gives the text `wasm-tools component wit` gives.
        let types: Vec<(&'r str, TypeId)> = types.collect();
        let (uses, defs): (Vec<_>, Vec<_>) = types.into_iter().partition(|(_, id)| {
            self.use_source(owner, &self.resolve.types[*id].kind)
                .is_some()
        });
        let mut items: Vec<Item<'r>> = Vec::new();
        // The interface and gate of the `use` statement that is the last item, if it is one.
        let mut last_use: Option<(InterfaceId, &'r Stability)> = None;
        for (name, id) in uses.into_iter().chain(defs) {
            let def = &self.resolve.types[id];
            if let Some((from, source_name)) = self.use_source(owner, &def.kind) {
                let rename = (source_name != name).then_some(Cow::Borrowed(name));
                let entry = (Cow::Borrowed(source_name), rename);
                if let (Some(last), Some(item)) = (last_use, items.last_mut()) {
                    if let ItemKind::Use { names, .. } = &mut item.kind {
                        if last == (from, &def.stability) {
                            names.push(entry);
                            continue;
                        }
                    }
                }
                items.push(Item {
                    docs: Comments::new(),
                    gates: gates(&def.stability),
                    kind: ItemKind::Use {
                        path: self.interface_path(from, pkg),
                        names: vec![entry],
                    },
                    orphans: Comments::new(),
                });
                last_use = Some((from, &def.stability));
                continue;
            }
            last_use = None;
            let body = match &def.kind {
                TypeDefKind::Resource => {
                    items.extend(before_resource(id));
                    let funcs = resource_funcs.get(&id).map_or(&[][..], Vec::as_slice);
                    self.resource(funcs)
                }
                kind => self.type_body(kind),
            };
            items.push(Item {
                docs: docs(&def.docs),
                gates: gates(&def.stability),
                kind: ItemKind::TypeDef {
                    name: Cow::Borrowed(name),
                    body,
                },
                orphans: Comments::new(),
            });
        }
        items
    }

    /// For `use`d types: the interface a type alias points into and the name it has there.
    fn use_source(&self, owner: TypeOwner, kind: &TypeDefKind) -> Option<(InterfaceId, &'r str)> {
        let TypeDefKind::Type(Type::Id(target)) = kind else {
            return None;
        };
        let target = &self.resolve.types[*target];
        match target.owner {
            TypeOwner::Interface(from) if target.owner != owner => {
                Some((from, target.name.as_deref()?))
            }
            _ => None,
        }
    }

    fn resource(&self, funcs: &[&'r Function]) -> TypeBody<'r> {
        if funcs.is_empty() {
            return TypeBody::Resource(None);
        }
        let items = funcs
            .iter()
            .map(|func| {
                let name = match func.kind {
                    FunctionKind::Constructor(_) => Cow::Borrowed("constructor"),
                    _ => Cow::Borrowed(func.item_name()),
                };
                Item {
                    docs: docs(&func.docs),
                    gates: gates(&func.stability),
                    kind: ItemKind::Func {
                        name,
                        sig: self.sig(func),
                    },
                    orphans: Comments::new(),
                }
            })
            .collect();
        TypeBody::Resource(Some(Block::new(items)))
    }

    fn type_body(&self, kind: &'r TypeDefKind) -> TypeBody<'r> {
        let member = |name: &'r str, ty: Option<Ty<'r>>, d: &Docs| Member {
            docs: docs(d),
            name: Cow::Borrowed(name),
            ty,
            orphans: Comments::new(),
        };
        match kind {
            TypeDefKind::Record(r) => TypeBody::Record(
                r.fields
                    .iter()
                    .map(|f| member(&f.name, Some(self.ty(f.ty)), &f.docs))
                    .collect(),
                Comments::new(),
            ),
            TypeDefKind::Flags(f) => TypeBody::Flags(
                f.flags
                    .iter()
                    .map(|f| member(&f.name, None, &f.docs))
                    .collect(),
                Comments::new(),
            ),
            TypeDefKind::Variant(v) => TypeBody::Variant(
                v.cases
                    .iter()
                    .map(|c| member(&c.name, c.ty.map(|t| self.ty(t)), &c.docs))
                    .collect(),
                Comments::new(),
            ),
            TypeDefKind::Enum(e) => TypeBody::Enum(
                e.cases
                    .iter()
                    .map(|c| member(&c.name, None, &c.docs))
                    .collect(),
                Comments::new(),
            ),
            // `type t = own<r>` keeps its `own`: `type t = r` is a different (alias) type.
            TypeDefKind::Handle(Handle::Own(r)) => TypeBody::Alias(Ty::Own(self.type_name(*r))),
            TypeDefKind::Resource => TypeBody::Resource(None),
            other => TypeBody::Alias(self.anonymous(other, 0)),
        }
    }

    fn sig(&self, func: &'r Function) -> Sig<'r> {
        let (kind, is_static, skip_self) = match func.kind {
            FunctionKind::Freestanding | FunctionKind::AsyncFreestanding => {
                (SigKind::Func, false, 0)
            }
            FunctionKind::Getter => (SigKind::Get, false, 0),
            FunctionKind::Setter => (SigKind::Set, false, 0),
            FunctionKind::Method(_) | FunctionKind::AsyncMethod(_) => (SigKind::Func, false, 1),
            FunctionKind::MethodGetter(_) => (SigKind::Get, false, 1),
            FunctionKind::MethodSetter(_) => (SigKind::Set, false, 1),
            FunctionKind::Static(_) | FunctionKind::AsyncStatic(_) => (SigKind::Func, true, 0),
            FunctionKind::StaticGetter(_) => (SigKind::Get, true, 0),
            FunctionKind::StaticSetter(_) => (SigKind::Set, true, 0),
            FunctionKind::Constructor(_) => (SigKind::Constructor, false, 0),
        };
        let result = match func.kind {
            FunctionKind::Constructor(r) if self.is_own_of(func.result, r) => None,
            _ => func.result.map(|t| self.ty(t)),
        };
        Sig {
            is_async: func.kind.is_async(),
            is_static,
            kind,
            params: func
                .params
                .iter()
                .skip(skip_self)
                .map(|p| (Cow::Borrowed(p.name.as_str()), self.ty(p.ty)))
                .collect(),
            result,
        }
    }

    /// Whether `ty` is `own<resource>` (a constructor's implied result).
    fn is_own_of(&self, ty: Option<Type>, resource: TypeId) -> bool {
        let Some(Type::Id(id)) = ty else { return false };
        matches!(self.resolve.types[id].kind, TypeDefKind::Handle(Handle::Own(r)) if r == resource)
    }

    fn world_item(&self, id: WorldId) -> Item<'r> {
        let world = &self.resolve.worlds[id];
        Item {
            docs: docs(&world.docs),
            gates: gates(&world.stability),
            kind: ItemKind::World {
                name: Cow::Borrowed(world.name.as_str()),
                body: self.world_body(id),
            },
            orphans: Comments::new(),
        }
    }

    /// Imported interfaces, types, imported functions, then exports.
    fn world_body(&self, id: WorldId) -> Block<'r> {
        let world = &self.resolve.worlds[id];
        let pkg = world.package;
        let mut items = Vec::new();
        let mut types = Vec::new();
        let mut resource_funcs: HashMap<TypeId, Vec<&'r Function>> = HashMap::default();
        let mut funcs = Vec::new();
        for (key, item) in &world.imports {
            match item {
                WorldItem::Type { id, .. } => {
                    if let WorldKey::Name(name) = key {
                        types.push((name.as_str(), *id));
                    }
                }
                WorldItem::Function(f) => match f.kind.resource() {
                    Some(r) => resource_funcs.entry(r).or_default().push(f),
                    None => funcs.push((key, item)),
                },
                WorldItem::Interface { .. } => {
                    items.extend(self.extern_item(false, key, item, pkg))
                }
            }
        }
        items.extend(self.types(
            TypeOwner::World(id),
            pkg,
            declaration_order(types.into_iter()),
            &resource_funcs,
            &mut |_| Vec::new(),
        ));
        for (key, item) in funcs {
            items.extend(self.extern_item(false, key, item, pkg));
        }
        for (key, item) in &world.exports {
            items.extend(self.extern_item(true, key, item, pkg));
        }
        Block::new(items)
    }

    fn extern_item(
        &self,
        export: bool,
        key: &'r WorldKey,
        item: &'r WorldItem,
        pkg: Option<PackageId>,
    ) -> Option<Item<'r>> {
        let (item_docs, stability, ext) = match (key, item) {
            (
                WorldKey::Name(name),
                WorldItem::Interface {
                    id,
                    stability,
                    docs: d,
                    ..
                },
            ) => {
                let iface = &self.resolve.interfaces[*id];
                let ext = match iface.name {
                    None => {
                        Extern::Interface(Cow::Borrowed(name.as_str()), self.interface_body(*id))
                    }
                    Some(_) => Extern::NamedPath(
                        Cow::Borrowed(name.as_str()),
                        self.interface_path(*id, pkg),
                    ),
                };
                // An inline interface has no name to document; its statement carries the docs.
                let d = match (d.is_empty(), iface.name.is_none()) {
                    (true, true) => &iface.docs,
                    _ => d,
                };
                (d, stability, ext)
            }
            (
                WorldKey::Interface(_),
                WorldItem::Interface {
                    id,
                    stability,
                    docs: d,
                    ..
                },
            ) => (d, stability, Extern::Path(self.interface_path(*id, pkg))),
            (WorldKey::Name(_), WorldItem::Function(f)) => (
                &f.docs,
                &f.stability,
                Extern::Func(Cow::Borrowed(f.item_name()), self.sig(f)),
            ),
            _ => return None,
        };
        Some(Item {
            docs: docs(item_docs),
            gates: gates(stability),
            kind: ItemKind::Extern { export, ext },
            orphans: Comments::new(),
        })
    }

    /// `name` in the current package, `ns:pkg/name@version` in another.
    fn interface_path(&self, id: InterfaceId, from: Option<PackageId>) -> Path<'r> {
        let iface = &self.resolve.interfaces[id];
        let name = Cow::Borrowed(iface.name.as_deref().unwrap_or("<anonymous-interface>"));
        match iface.package {
            Some(pkg) if Some(pkg) != from => {
                let p = &self.resolve.packages[pkg].name;
                Path::Foreign {
                    namespace: Cow::Borrowed(p.namespace.as_str()),
                    package: Cow::Borrowed(p.name.as_str()),
                    name,
                    version: p.version.as_ref().map(|v| Cow::Owned(v.to_string())),
                }
            }
            _ => Path::Local(name),
        }
    }

    fn ty(&self, ty: Type) -> Ty<'r> {
        self.ty_at(ty, 0)
    }

    fn ty_at(&self, ty: Type, depth: usize) -> Ty<'r> {
        match ty {
            Type::Id(id) => {
                let def = &self.resolve.types[id];
                match &def.name {
                    Some(name) => Ty::Name(Cow::Borrowed(name)),
                    None => self.anonymous(&def.kind, depth),
                }
            }
            prim => Ty::Prim(prim.primitive_name().unwrap_or("_")),
        }
    }

    /// An anonymous type written out; `depth` guards against cycles in a malformed resolve.
    fn anonymous(&self, kind: &'r TypeDefKind, depth: usize) -> Ty<'r> {
        if depth > 1000 {
            return Ty::Name(Cow::Borrowed("<too-deep>"));
        }
        let ty = |t: &Type| Box::new(self.ty_at(*t, depth + 1));
        let opt = |t: &Option<Type>| t.as_ref().map(ty);
        match kind {
            TypeDefKind::Handle(Handle::Own(r)) => Ty::Name(self.type_name(*r)),
            TypeDefKind::Handle(Handle::Borrow(r)) => Ty::Borrow(self.type_name(*r)),
            TypeDefKind::Tuple(t) => {
                Ty::Tuple(t.types.iter().map(|t| self.ty_at(*t, depth + 1)).collect())
            }
            TypeDefKind::Option(t) => Ty::Option(ty(t)),
            TypeDefKind::Result(r) => Ty::Result(opt(&r.ok), opt(&r.err)),
            TypeDefKind::List(t) => Ty::List(ty(t)),
            TypeDefKind::Map(k, v) => Ty::Map(ty(k), ty(v)),
            TypeDefKind::FixedLengthList(t, n) => Ty::FixedLengthList(ty(t), *n),
            TypeDefKind::Future(t) => Ty::Future(opt(t)),
            TypeDefKind::Stream(t) => Ty::Stream(opt(t)),
            TypeDefKind::Type(t) => self.ty_at(*t, depth + 1),
            // Never anonymous in a resolved package.
            TypeDefKind::Record(_)
            | TypeDefKind::Resource
            | TypeDefKind::Flags(_)
            | TypeDefKind::Variant(_)
            | TypeDefKind::Enum(_)
            | TypeDefKind::Unknown => Ty::Name(Cow::Borrowed("<anonymous-type>")),
        }
    }

    fn type_name(&self, id: TypeId) -> Cow<'r, str> {
        Cow::Borrowed(
            self.resolve.types[id]
                .name
                .as_deref()
                .unwrap_or("<anonymous-type>"),
        )
    }
}

/// Types by arena id. The resolver allocates a scope's named types in the order they are
/// written, while the scope's map may be in dependency order; printing in allocation order
/// keeps a round trip from reordering the arena.
fn declaration_order<'r>(
    types: impl Iterator<Item = (&'r str, TypeId)>,
) -> impl Iterator<Item = (&'r str, TypeId)> {
    let mut types: Vec<_> = types.collect();
    types.sort_by_key(|(_, id)| *id);
    types.into_iter()
}

fn package_path(p: &crate::Package) -> Path<'_> {
    Path::Package {
        namespace: Cow::Borrowed(p.name.namespace.as_str()),
        package: Cow::Borrowed(p.name.name.as_str()),
        version: p.name.version.as_ref().map(|v| Cow::Owned(v.to_string())),
    }
}

/// Doc text as `///` lines. Code points WIT text may not hold (control characters other than
/// whitespace, bidirectional overrides), which docs decoded from a binary can, print as
/// U+FFFD: the output must lex.
fn docs(docs: &Docs) -> Comments<'static> {
    let Some(contents) = &docs.contents else {
        return Comments::new();
    };
    contents
        .split('\n')
        .map(|line| match line.trim_end() {
            "" => Cow::Borrowed("///"),
            // Only a line with a byte beyond printable ASCII can hold one.
            line if crate::ast::lex::first_unclean_byte(line.as_bytes()).is_some() => {
                let clean: String = line
                    .chars()
                    .map(|c| match crate::ast::lex::forbidden(c) {
                        Some(_) => '\u{fffd}',
                        None => c,
                    })
                    .collect();
                Cow::Owned(format!("/// {clean}"))
            }
            line => Cow::Owned(format!("/// {line}")),
        })
        .collect()
}

fn gates(stability: &Stability) -> Vec<Gate<'static>> {
    match stability {
        Stability::Unknown => Vec::new(),
        Stability::Stable { since, deprecated } => {
            let mut g = vec![Gate::Since(Cow::Owned(since.to_string()))];
            g.extend(
                deprecated
                    .as_ref()
                    .map(|v| Gate::Deprecated(Cow::Owned(v.to_string()))),
            );
            g
        }
        Stability::Unstable {
            feature,
            deprecated,
        } => {
            let mut g = vec![Gate::Unstable(Cow::Owned(feature.clone()))];
            g.extend(
                deprecated
                    .as_ref()
                    .map(|v| Gate::Deprecated(Cow::Owned(v.to_string()))),
            );
            g
        }
    }
}

/// The layout of WIT text, shared by the printer and the formatter: a small syntax tree whose
/// names are unescaped and whose comments are already in their final form, and the one
/// renderer that turns it into text.
pub(crate) mod layout;

#[cfg(test)]
mod tests;
