//! AST → [`Resolve`]: packages are ordered by their dependencies, then each is resolved
//! straight into the shared arenas (dependencies are already there, so a foreign reference is
//! a plain lookup).
//!
//! Per package: names of interfaces and worlds are collected across all its files; interfaces
//! are resolved in `use` order, types within an interface in dependency order (which is also
//! how type cycles are found), then worlds in `include` order, each followed by elaboration
//! (the implicit imports its items need).

mod names;
pub(crate) use names::suggest;
#[cfg(test)]
mod tests;
mod types;
mod world;

use std::cmp::Reverse;
use std::collections::BinaryHeap;
use std::sync::Arc;

use indexmap::IndexMap;

pub(crate) use crate::fxhash::{HashMap, HashSet};

use crate::ast;
use crate::{
    Docs, Error, Interface, InterfaceId, Package, PackageId, PackageName, Resolve, Result, Span,
    Stability, TypeDefKind, TypeId, TypeOwner, Version, World, WorldId, WorldItem,
};

/// One package's WIT files, as read from a single file or a directory.
pub(crate) struct SourceGroup {
    /// `(display path, text)` per file.
    pub(crate) files: Vec<(String, String)>,
}

/// The parts of the parsed files that make up one package.
struct Unit<'a> {
    name: PackageName,
    name_span: Span,
    docs: Option<&'a ast::Docs<'a>>,
    /// `(file index, items)`: file indices scope top-level `use` aliases.
    files: Vec<(usize, &'a [ast::Item<'a>])>,
    /// Whether this is the main package of the first group.
    is_main: bool,
}

/// Below this much text, one thread parses every file: parsing WASI 0.2's 141 KB on two
/// threads took longer than on one (the second thread's start and its fresh heap cost more
/// than it saved), and parsing the generated benchmark package's 700 KB on two took 7% less
/// time in all.
pub const PARALLEL_PARSE_BYTES: usize = 256 << 10;

/// Parses `(group, offset, text)` files into `(group, syntax tree)`, in order. Several files
/// of `parallel_at` bytes or more in all are parsed on two threads, each taking about half of
/// the text; either way the error is the first file's that has one.
pub(crate) fn parse_files(
    texts: &[(usize, u32, Arc<String>)],
    parallel_at: usize,
) -> Result<Vec<(usize, ast::File<'_>)>> {
    fn parse(files: &[(usize, u32, Arc<String>)]) -> Result<Vec<(usize, ast::File<'_>)>> {
        files
            .iter()
            .map(|(g, offset, text)| Ok((*g, ast::parse_file(text, *offset)?)))
            .collect()
    }
    let total: usize = texts.iter().map(|(_, _, t)| t.len()).sum();
    if texts.len() < 2 || total < parallel_at {
        return parse(texts);
    }
    // The second thread takes the files after the first half of the text.
    let mut seen = 0;
    let split = texts
        .iter()
        .position(|(_, _, t)| {
            seen += t.len();
            seen >= total / 2
        })
        .map_or(texts.len(), |i| i + 1)
        .min(texts.len() - 1);
    let (head, tail) = texts.split_at(split);
    std::thread::scope(|s| {
        let tail = s.spawn(|| parse(tail));
        let head = parse(head);
        let tail = tail.join().unwrap_or_else(|p| std::panic::resume_unwind(p));
        let mut files = head?;
        files.extend(tail?);
        Ok(files)
    })
}

/// What a name in a file's top-level scope refers to.
#[derive(Copy, Clone, Debug, PartialEq, Eq)]
enum ItemRef {
    Interface(InterfaceId),
    World(WorldId),
    /// A local interface or world that is excluded by a disabled feature gate.
    Excluded(&'static str),
}

impl Resolve {
    /// Parses and resolves groups of files; the first group is the main package and the rest
    /// are its dependencies (in any order). Returns the main package.
    pub(crate) fn push_groups(&mut self, groups: Vec<SourceGroup>) -> Result<PackageId> {
        // Register every file first so that errors anywhere can be rendered.
        // The source map and the syntax trees share each file's text.
        let mut texts = Vec::new();
        for (g, group) in groups.into_iter().enumerate() {
            for (path, text) in group.files {
                // `Arc<String>`, not `Arc<str>`: moving the `String` in copies no text.
                let text: Arc<String> = Arc::new(text);
                let offset = self.source_map.push_shared(path, Arc::clone(&text));
                texts.push((g, offset, text));
            }
        }
        if let Some(hook) = self.before_parse {
            hook(texts.iter().map(|(_, _, t)| t.len()).sum());
        }
        let files = parse_files(&texts, PARALLEL_PARSE_BYTES)?;
        let units = collect_units(&files)?;
        let order = self.order_units(&units)?;
        let mut ids = vec![None; units.len()];
        for i in order {
            ids[i] = Some(self.resolve_unit(&units[i])?);
        }
        // The main package is the main group's top-level package; failing that (a file of only
        // `package … { }` blocks), the group's last nested package.
        let main = units
            .iter()
            .position(|u| u.is_main)
            .or_else(|| {
                units
                    .iter()
                    .rposition(|u| u.files.iter().any(|&(f, _)| files[f].0 == 0))
            })
            .and_then(|i| ids[i]);
        main.ok_or_else(|| Error::io("no package was found in the WIT input"))
    }

    /// Orders units so that every package comes after the packages it uses.
    fn order_units(&self, units: &[Unit<'_>]) -> Result<Vec<usize>> {
        let mut by_name: HashMap<&PackageName, usize> = HashMap::default();
        for (i, unit) in units.iter().enumerate() {
            if let Some(prev) = by_name.insert(&unit.name, i) {
                return Err(Error::resolve(
                    unit.name_span,
                    format!(
                        "package `{}` is defined in two different locations",
                        unit.name
                    ),
                )
                .with_label(units[prev].name_span, "first defined here")
                .with_help("remove one of the two definitions, or give them different versions"));
            }
            if self.package_names.contains_key(&unit.name) {
                return Err(Error::resolve(
                    unit.name_span,
                    format!("package `{}` has already been loaded", unit.name),
                ));
            }
        }
        // Dependencies of each unit on other units, with the span of the first reference.
        let mut deps: Vec<Vec<(usize, Span)>> = Vec::with_capacity(units.len());
        // The first reference to a package that is neither loaded nor part of this input.
        let mut missing: Option<(PackageName, Span)> = None;
        for unit in units {
            let mut d: Vec<(usize, Span)> = Vec::new();
            for_each_foreign_path(unit, &mut |pkg, span| {
                let name = pkg_name(pkg);
                if let Some(&j) = by_name.get(&name) {
                    if !d.iter().any(|&(k, _)| k == j) {
                        d.push((j, span));
                    }
                } else if missing.is_none() && !self.package_names.contains_key(&name) {
                    missing = Some((name, span));
                }
            });
            deps.push(d);
        }
        if let Some((name, span)) = missing {
            // Same namespace and name at another version is the likely mistake.
            let others: Vec<String> = by_name
                .keys()
                .copied()
                .chain(self.package_names.keys())
                .filter(|p| p.namespace == name.namespace && p.name == name.name)
                .map(|p| format!("`{p}`"))
                .collect();
            let help = if others.is_empty() {
                format!("put the package `{name}` in a `deps/` directory next to this package")
            } else {
                let which = if others.len() == 1 {
                    "that version"
                } else {
                    "one of those versions"
                };
                format!(
                    "found {}; use {which}, or add `{name}` to `deps/`",
                    others.join(", ")
                )
            };
            return Err(Error::resolve(span, format!("package `{name}` not found")).with_help(help));
        }
        toposort(units.len(), &deps).map_err(|c| {
            let (target, span) = c.edge;
            Error::resolve(span, format!("package `{}` creates a dependency cycle", units[target].name))
                .with_label(units[target].name_span, "the package is declared here")
                .with_help("packages may not use each other in a cycle; move the shared items into a third package")
        })
    }

    /// Whether an item with this stability is part of the resolve.
    pub(crate) fn is_active(&self, stability: &Stability) -> bool {
        match stability {
            Stability::Unstable { feature, .. } => {
                self.all_features || self.features.contains(feature)
            }
            _ => true,
        }
    }

    fn resolve_unit(&mut self, unit: &Unit<'_>) -> Result<PackageId> {
        let docs = match unit.docs {
            Some(d) => names::docs(d),
            None => Docs::default(),
        };
        let pkg_id = self.packages.alloc(Package {
            name: unit.name.clone(),
            docs,
            interfaces: IndexMap::new(),
            worlds: IndexMap::new(),
        });
        self.package_names.insert(unit.name.clone(), pkg_id);
        let mut cx = PackageCx::new(pkg_id, unit);
        cx.resolve(self)?;
        Ok(pkg_id)
    }
}

/// State while resolving one package.
pub(crate) struct PackageCx<'u, 'a> {
    pkg: PackageId,
    unit: &'u Unit<'a>,
    /// Per file: the names visible at the top level.
    file_scopes: Vec<HashMap<&'a str, (ItemRef, Span)>>,
    /// Package-level names (interfaces and worlds) with their definition spans.
    package_items: IndexMap<&'a str, (ItemRef, Span, usize)>,
    /// The same names in strongly-unique form ([`names::canonical_name`]), to the name.
    package_folded: HashMap<String, &'a str>,
    /// Anonymous types created in this package, by structure.
    anon_types: HashMap<TypeDefKind, TypeId>,
    /// `own<T>` handles created in this package, by `T`.
    own_handles: HashMap<TypeId, TypeId>,
    /// Whether a type can hold a `borrow<T>` (functions may not return one).
    borrow_memo: HashMap<TypeId, bool>,
    /// A type's nesting depth and effective size as validators measure them (see
    /// `PackageCx::type_info`).
    info_memo: HashMap<TypeId, (u32, u32)>,
    /// The same of each interface's instance type, measured once for the worlds that use it.
    iface_memo: HashMap<InterfaceId, (u32, u32)>,
}

impl<'u, 'a> PackageCx<'u, 'a> {
    fn new(pkg: PackageId, unit: &'u Unit<'a>) -> Self {
        PackageCx {
            pkg,
            unit,
            file_scopes: Vec::new(),
            package_items: IndexMap::new(),
            package_folded: HashMap::default(),
            anon_types: HashMap::default(),
            own_handles: HashMap::default(),
            borrow_memo: HashMap::default(),
            info_memo: HashMap::default(),
            iface_memo: HashMap::default(),
        }
    }

    fn resolve(&mut self, resolve: &mut Resolve) -> Result<()> {
        // 1. Allocate every interface and world of the package.
        let mut interfaces: Vec<(InterfaceId, &'a ast::Interface<'a>, usize)> = Vec::new();
        let mut worlds: Vec<(WorldId, &'a ast::World<'a>, usize)> = Vec::new();
        for (fi, &(_, items)) in self.unit.files.iter().enumerate() {
            for item in items {
                match item {
                    ast::Item::Interface(i) => {
                        let stability = self.stability(&i.attributes, i.name.span)?;
                        let r = if resolve.is_active(&stability) {
                            let id = resolve.interfaces.alloc(Interface {
                                name: Some(i.name.name.to_string()),
                                types: IndexMap::new(),
                                functions: IndexMap::new(),
                                docs: names::docs(&i.docs),
                                stability,
                                package: Some(self.pkg),
                                span: i.name.span,
                            });
                            interfaces.push((id, i, fi));
                            ItemRef::Interface(id)
                        } else {
                            check_gated_children(i)?;
                            ItemRef::Excluded("interface")
                        };
                        self.define_package_item(i.name, r, fi)?;
                    }
                    ast::Item::World(w) => {
                        let stability = self.stability(&w.attributes, w.name.span)?;
                        let r = if resolve.is_active(&stability) {
                            let id = resolve.worlds.alloc(World {
                                name: w.name.name.to_string(),
                                imports: IndexMap::new(),
                                exports: IndexMap::new(),
                                package: Some(self.pkg),
                                docs: names::docs(&w.docs),
                                stability,
                                span: w.name.span,
                            });
                            worlds.push((id, w, fi));
                            ItemRef::World(id)
                        } else {
                            ItemRef::Excluded("world")
                        };
                        self.define_package_item(w.name, r, fi)?;
                    }
                    ast::Item::Use(_) => {}
                }
            }
        }
        for (_, (r, _, _)) in &self.package_items {
            let pkg = &mut resolve.packages[self.pkg];
            match *r {
                ItemRef::Interface(id) => {
                    let name = resolve.interfaces[id].name.clone().unwrap_or_default();
                    pkg.interfaces.insert(name, id);
                }
                ItemRef::World(id) => {
                    pkg.worlds.insert(resolve.worlds[id].name.clone(), id);
                }
                ItemRef::Excluded(_) => {}
            }
        }

        // 2. Per-file scopes: package items plus top-level `use` aliases (file-local; they may
        // shadow an item of another file, not one of their own file).
        for (fi, &(_, items)) in self.unit.files.iter().enumerate() {
            let mut scope: HashMap<&'a str, (ItemRef, Span)> = self
                .package_items
                .iter()
                .map(|(k, (r, s, _))| (*k, (*r, *s)))
                .collect();
            let mut defined_here: HashMap<&str, Span> = HashMap::default();
            for item in items {
                let ast::Item::Use(u) = item else { continue };
                let stability = self.stability(&u.attributes, u.span)?;
                if !resolve.is_active(&stability) {
                    continue;
                }
                let target = self.resolve_path_in(resolve, &scope, &u.item)?;
                let item_name = match &u.item {
                    ast::UsePath::Id(id) => *id,
                    ast::UsePath::Package { name, .. } => *name,
                };
                self.expect_interface(target, u.item.span(), item_name.name)?;
                let name = u.as_.unwrap_or(item_name);
                let clash = match self.package_items.get(name.name) {
                    Some(&(_, span, file)) if file == fi => Some(span),
                    _ => defined_here.get(name.name).copied(),
                };
                if let Some(prev) = clash {
                    // Point at whichever of the two comes later in the file.
                    let (at, other) = if prev.start > name.span.start {
                        (prev, name.span)
                    } else {
                        (name.span, prev)
                    };
                    return Err(Error::resolve(
                        at,
                        format!("duplicate name `{}` in this file", name.name),
                    )
                    .with_label(other, "also defined here")
                    .with_help("rename the `use` with `as`"));
                }
                defined_here.insert(name.name, name.span);
                scope.insert(name.name, (target, name.span));
            }
            self.file_scopes.push(scope);
        }

        // 3. Interfaces, in `use` order.
        let order = self.interface_order(resolve, &interfaces)?;
        for i in order {
            let (id, iface, fi) = interfaces[i];
            self.resolve_interface(resolve, id, &iface.items, fi)?;
        }

        // 4. Worlds, in `include` order.
        let order = self.world_order(resolve, &worlds)?;
        for i in order {
            let (id, w, fi) = worlds[i];
            self.resolve_world(resolve, id, w, fi)?;
        }
        Ok(())
    }

    fn define_package_item(&mut self, name: ast::Ident<'a>, r: ItemRef, fi: usize) -> Result<()> {
        if let Some((_, prev, _)) = self.package_items.get(name.name) {
            return Err(
                Error::resolve(name.span, format!("duplicate item named `{}`", name.name))
                    .with_label(*prev, "previously defined here")
                    .with_help(
                        "interfaces and worlds of one package share one namespace; rename one",
                    ),
            );
        }
        // Interfaces and worlds are exports of one component in the binary form, whose names
        // must be strongly unique: `a` and `A` could not be encoded.
        let folded = names::canonical_name(name.name);
        if let Some(prev) = self.package_folded.get(&folded) {
            let (_, span, _) = self.package_items[prev];
            return Err(Error::resolve(
                name.span,
                format!("name `{}` conflicts with previous name `{prev}`", name.name),
            )
            .with_label(span, "previously defined here")
            .with_help(
                "interfaces and worlds of one package share one namespace, where names must differ \
                 in more than case and hyphens (they must be strongly unique)",
            ));
        }
        self.package_folded.insert(folded, name.name);
        self.package_items.insert(name.name, (r, name.span, fi));
        Ok(())
    }

    /// Resolves an interface/world path in file `fi`.
    fn resolve_path(
        &self,
        resolve: &Resolve,
        fi: usize,
        path: &ast::UsePath<'_>,
    ) -> Result<ItemRef> {
        self.resolve_path_in(resolve, &self.file_scopes[fi], path)
    }

    fn resolve_path_in(
        &self,
        resolve: &Resolve,
        scope: &HashMap<&'a str, (ItemRef, Span)>,
        path: &ast::UsePath<'_>,
    ) -> Result<ItemRef> {
        match path {
            ast::UsePath::Id(id) => match scope.get(id.name) {
                Some((r, _)) => Ok(*r),
                None => {
                    let mut err = Error::resolve(
                        id.span,
                        format!("interface or world `{}` does not exist", id.name),
                    );
                    if let Some(s) = names::suggest(id.name, scope.keys().copied()) {
                        err = err.with_help(format!("did you mean `{s}`?"));
                    }
                    Err(err)
                }
            },
            ast::UsePath::Package { id, name } => {
                let pkg_name = pkg_name(id);
                let Some(&pkg) = resolve.package_names.get(&pkg_name) else {
                    // Other packages only: the one being resolved cannot be its own dependency.
                    let known: Vec<String> = resolve
                        .package_names
                        .iter()
                        .filter(|&(_, &id)| id != self.pkg)
                        .map(|(k, _)| format!("`{k}`"))
                        .collect();
                    let help = if known.is_empty() {
                        format!("put the package `{pkg_name}` in a `deps/` directory next to this package")
                    } else {
                        format!(
                            "known packages: {}; put `{pkg_name}` in a `deps/` directory next to this package",
                            known.join(", ")
                        )
                    };
                    return Err(
                        Error::resolve(id.span, format!("package `{pkg_name}` not found"))
                            .with_help(help),
                    );
                };
                let p = &resolve.packages[pkg];
                if let Some(&i) = p.interfaces.get(name.name) {
                    return Ok(ItemRef::Interface(i));
                }
                if let Some(&w) = p.worlds.get(name.name) {
                    return Ok(ItemRef::World(w));
                }
                let mut err = Error::resolve(
                    name.span,
                    format!(
                        "interface or world `{}` not found in package `{pkg_name}`",
                        name.name
                    ),
                );
                let candidates = p
                    .interfaces
                    .keys()
                    .chain(p.worlds.keys())
                    .map(String::as_str);
                if let Some(s) = names::suggest(name.name, candidates) {
                    err = err.with_help(format!("did you mean `{s}`?"));
                }
                Err(err)
            }
        }
    }

    fn expect_interface(&self, r: ItemRef, span: Span, name: &str) -> Result<InterfaceId> {
        match r {
            ItemRef::Interface(id) => Ok(id),
            ItemRef::World(_) => Err(Error::resolve(
                span,
                format!("name `{name}` is defined as a world, not an interface"),
            )),
            ItemRef::Excluded(kind) => Err(Error::resolve(
                span,
                format!(
                    "found a reference to a {kind} which is excluded due to its feature not being activated"
                ),
            )
            .with_help("enable the feature with `--features`, or gate this item behind the same feature")),
        }
    }

    fn expect_world(&self, r: ItemRef, span: Span, name: &str) -> Result<WorldId> {
        match r {
            ItemRef::World(id) => Ok(id),
            ItemRef::Interface(_) => Err(Error::resolve(
                span,
                format!("name `{name}` is defined as an interface, not a world"),
            )),
            ItemRef::Excluded(kind) => Err(Error::resolve(
                span,
                format!(
                    "found a reference to a {kind} which is excluded due to its feature not being activated"
                ),
            )
            .with_help("enable the feature with `--features`, or gate this item behind the same feature")),
        }
    }

    /// Orders a package's interfaces so each comes after the local interfaces it `use`s.
    fn interface_order(
        &self,
        resolve: &Resolve,
        interfaces: &[(InterfaceId, &'a ast::Interface<'a>, usize)],
    ) -> Result<Vec<usize>> {
        let index: HashMap<InterfaceId, usize> = interfaces
            .iter()
            .enumerate()
            .map(|(i, (id, _, _))| (*id, i))
            .collect();
        let mut deps = Vec::new();
        for (_, iface, fi) in interfaces {
            let mut d = Vec::new();
            for item in &iface.items {
                let ast::InterfaceItem::Use(u) = item else {
                    continue;
                };
                let stability = self.stability(&u.attributes, u.span)?;
                if !resolve.is_active(&stability) {
                    continue;
                }
                if let Ok(ItemRef::Interface(dep)) = self.resolve_path(resolve, *fi, &u.from) {
                    if let Some(&j) = index.get(&dep) {
                        d.push((j, u.from.span()));
                    }
                }
            }
            deps.push(d);
        }
        toposort_items(interfaces.len(), &deps, |i| interfaces[i].1.name)
    }

    /// Orders a package's worlds so each comes after the local worlds it includes.
    fn world_order(
        &self,
        resolve: &Resolve,
        worlds: &[(WorldId, &'a ast::World<'a>, usize)],
    ) -> Result<Vec<usize>> {
        let index: HashMap<WorldId, usize> = worlds
            .iter()
            .enumerate()
            .map(|(i, (id, _, _))| (*id, i))
            .collect();
        let mut deps = Vec::new();
        for (_, w, fi) in worlds {
            let mut d = Vec::new();
            for item in &w.items {
                let ast::WorldItem::Include(inc) = item else {
                    continue;
                };
                if let Ok(ItemRef::World(dep)) = self.resolve_path(resolve, *fi, &inc.from) {
                    if let Some(&j) = index.get(&dep) {
                        d.push((j, inc.from.span()));
                    }
                }
            }
            deps.push(d);
        }
        toposort_items(worlds.len(), &deps, |i| worlds[i].1.name)
    }

    /// `@since`/`@unstable`/`@deprecated` → [`Stability`], validated.
    fn stability(&self, attrs: &[ast::Attribute<'_>], item: Span) -> Result<Stability> {
        let mut since: Option<(&Version, Span)> = None;
        let mut unstable: Option<(&str, Span)> = None;
        let mut deprecated: Option<(&Version, Span)> = None;
        for attr in attrs {
            let dup = |span| {
                Error::resolve(span, "duplicate attribute")
                    .with_help("each gate may appear once per item")
            };
            match attr {
                ast::Attribute::Since { version, span } => {
                    if since.is_some() {
                        return Err(dup(*span));
                    }
                    since = Some((version, *span));
                }
                ast::Attribute::Unstable { feature, span } => {
                    if unstable.is_some() {
                        return Err(dup(*span));
                    }
                    unstable = Some((feature.name, *span));
                }
                ast::Attribute::Deprecated { version, span } => {
                    if deprecated.is_some() {
                        return Err(dup(*span));
                    }
                    deprecated = Some((version, *span));
                }
            }
        }
        let deprecated_version = deprecated.map(|(v, _)| v.clone());
        match (since, unstable) {
            (Some(_), Some((_, span))) => Err(Error::resolve(
                span,
                "cannot specify both `@since` and `@unstable` on the same item",
            )
            .with_help("an item is either released (`@since`) or not yet (`@unstable`)")),
            (Some((version, _)), None) => {
                if let Some(pkg_version) = &self.unit.name.version {
                    if version > pkg_version {
                        return Err(Error::resolve(
                            item,
                            format!(
                                "feature gate cannot reference unreleased version {version} of package [{}] (current version {pkg_version})",
                                self.unit.name
                            ),
                        )
                        .with_help("use a version no greater than the package's own version"));
                    }
                }
                Ok(Stability::Stable {
                    since: version.clone(),
                    deprecated: deprecated_version,
                })
            }
            (None, Some((feature, _))) => Ok(Stability::Unstable {
                feature: feature.to_string(),
                deprecated: deprecated_version,
            }),
            (None, None) => match deprecated {
                Some((_, span)) => Err(Error::resolve(
                    span,
                    "`@deprecated` must be combined with `@since` or `@unstable`",
                )),
                None => Ok(Stability::Unknown),
            },
        }
    }
}

/// A dependency cycle found by [`toposort`].
pub(crate) struct Cycle {
    /// The node whose visit found the edge back into the current path.
    pub(crate) node: usize,
    /// The edge that leads from the node the back edge points to into the cycle.
    pub(crate) edge: (usize, Span),
}

/// Topological sort of `n` nodes with `deps[i] = [(j, span of the reference)]`: every node
/// comes after the nodes it depends on, and among nodes that are ready the one declared first
/// comes first (the order wit-parser produces, so printed output matches the ecosystem's).
pub(crate) fn toposort(
    n: usize,
    deps: &[Vec<(usize, Span)>],
) -> std::result::Result<Vec<usize>, Cycle> {
    let mut remaining: Vec<usize> = deps.iter().map(Vec::len).collect();
    let mut users: Vec<Vec<usize>> = vec![Vec::new(); n];
    for (i, d) in deps.iter().enumerate() {
        for &(j, _) in d {
            users[j].push(i);
        }
    }
    let mut ready: BinaryHeap<Reverse<usize>> =
        (0..n).filter(|&i| remaining[i] == 0).map(Reverse).collect();
    let mut order = Vec::with_capacity(n);
    while let Some(Reverse(i)) = ready.pop() {
        order.push(i);
        for &u in &users[i] {
            remaining[u] -= 1;
            if remaining[u] == 0 {
                ready.push(Reverse(u));
            }
        }
    }
    if order.len() == n {
        return Ok(order);
    }
    // Some nodes are on or behind a cycle: find one depth-first for the report.
    let mut state = vec![0u8; n]; // 0 unvisited, 1 on the path, 2 done
    for &i in &order {
        state[i] = 2;
    }
    let mut path: Vec<(usize, (usize, Span))> = Vec::new();
    for i in 0..n {
        find_cycle(i, deps, &mut state, &mut path)?;
    }
    unreachable!("nodes left unordered without a cycle");

    fn find_cycle(
        i: usize,
        deps: &[Vec<(usize, Span)>],
        state: &mut [u8],
        path: &mut Vec<(usize, (usize, Span))>,
    ) -> std::result::Result<(), Cycle> {
        if state[i] == 2 {
            return Ok(());
        }
        state[i] = 1;
        for &(j, span) in &deps[i] {
            if state[j] == 1 {
                let edge = path
                    .iter()
                    .find(|(node, _)| *node == j)
                    .map_or((j, span), |(_, e)| *e);
                return Err(Cycle { node: i, edge });
            }
            path.push((i, (j, span)));
            find_cycle(j, deps, state, path)?;
            path.pop();
        }
        state[i] = 2;
        Ok(())
    }
}

/// Orders interfaces or worlds; a cycle is reported at the name of the item that closes it.
fn toposort_items<'n>(
    n: usize,
    deps: &[Vec<(usize, Span)>],
    name: impl Fn(usize) -> ast::Ident<'n>,
) -> Result<Vec<usize>> {
    toposort(n, deps).map_err(|c| {
        let node = name(c.node);
        Error::resolve(
            node.span,
            format!("interface or world `{}` depends on itself", node.name),
        )
        .with_label(c.edge.1, "through this reference")
        .with_help("interfaces may not `use`, and worlds may not `include`, each other in a cycle")
    })
}

/// Items of an interface excluded by its feature gate must be gated themselves.
fn check_gated_children(i: &ast::Interface<'_>) -> Result<()> {
    for item in &i.items {
        let (attrs, span) = match item {
            ast::InterfaceItem::TypeDef(t) => (&t.attributes, t.name.span),
            ast::InterfaceItem::Func(f) => (&f.attributes, f.name.span),
            ast::InterfaceItem::Use(u) => (&u.attributes, u.span),
        };
        if attrs.is_empty() {
            return Err(Error::resolve(
                span,
                "found a reference to a interface which is excluded due to its feature not being activated; this type is not gated by a feature but its interface is",
            )
            .with_help("gate this item with the same `@unstable(feature = …)` as its interface"));
        }
    }
    Ok(())
}

/// The model name of a package name as written.
fn pkg_name(p: &ast::PackageName<'_>) -> PackageName {
    PackageName {
        namespace: p.namespace.name.to_string(),
        name: p.name.name.to_string(),
        version: p.version.as_ref().map(|(_, v)| v.clone()),
    }
}

/// Splits parsed files into packages: each group's top-level items form one package (named by
/// any of its files' `package` headers), each `package … { }` block another.
fn collect_units<'a>(files: &'a [(usize, ast::File<'a>)]) -> Result<Vec<Unit<'a>>> {
    let mut units: Vec<Unit<'a>> = Vec::new();
    let mut g = 0;
    let mut i = 0;
    while i < files.len() {
        let group = files[i].0;
        let start = i;
        while i < files.len() && files[i].0 == group {
            i += 1;
        }
        let group_files = &files[start..i];
        let mut header: Option<&'a ast::PackageDecl<'a>> = None;
        let mut docs: Option<&'a ast::Docs<'a>> = None;
        let mut top = Vec::new();
        let mut first_item_span = None;
        for (k, (_, file)) in group_files.iter().enumerate() {
            if let Some(decl) = &file.package {
                if let Some(prev) = header {
                    if pkg_name(&prev.name) != pkg_name(&decl.name) {
                        return Err(Error::parse(
                            decl.name.span,
                            format!(
                                "package identifier `{}` does not match previous package name of `{}`",
                                pkg_name(&decl.name),
                                pkg_name(&prev.name)
                            ),
                        )
                        .with_label(prev.name.span, "previous package name")
                        .with_help("every file of a package directory must declare the same package"));
                    }
                }
                header = Some(decl);
                if !decl.docs.comments.is_empty() {
                    if docs.is_some() {
                        return Err(Error::parse(
                            decl.docs.span,
                            "found doc comments on multiple 'package' items",
                        )
                        .with_help("document the package in one file only"));
                    }
                    docs = Some(&decl.docs);
                }
            }
            if !file.items.is_empty() {
                if first_item_span.is_none() {
                    first_item_span = Some(item_span(&file.items[0]));
                }
                top.push((start + k, file.items.as_slice()));
            }
        }
        match header {
            Some(decl) => units.push(Unit {
                name: pkg_name(&decl.name),
                name_span: decl.name.span,
                docs,
                files: top,
                is_main: g == 0,
            }),
            None => {
                if let Some(span) = first_item_span {
                    return Err(Error::parse(
                        span,
                        "no `package` header was found in any WIT file for this package",
                    )
                    .with_help("start the file with `package namespace:name;`"));
                }
            }
        }
        for (k, (_, file)) in group_files.iter().enumerate() {
            for nested in &file.nested {
                units.push(Unit {
                    name: pkg_name(&nested.decl.name),
                    name_span: nested.decl.name.span,
                    docs: (!nested.decl.docs.comments.is_empty()).then_some(&nested.decl.docs),
                    files: vec![(start + k, nested.items.as_slice())],
                    is_main: false,
                });
            }
        }
        g += 1;
    }
    Ok(units)
}

fn item_span(item: &ast::Item<'_>) -> Span {
    match item {
        ast::Item::Interface(i) => i.name.span,
        ast::Item::World(w) => w.name.span,
        ast::Item::Use(u) => u.span,
    }
}

/// Calls `f` for every `ns:pkg/…` path in a unit.
fn for_each_foreign_path<'a>(unit: &Unit<'a>, f: &mut dyn FnMut(&ast::PackageName<'a>, Span)) {
    let mut path = |p: &ast::UsePath<'a>| {
        if let ast::UsePath::Package { id, .. } = p {
            f(id, id.span);
        }
    };
    for &(_, items) in &unit.files {
        for item in items {
            match item {
                ast::Item::Use(u) => path(&u.item),
                ast::Item::Interface(i) => {
                    for it in &i.items {
                        if let ast::InterfaceItem::Use(u) = it {
                            path(&u.from);
                        }
                    }
                }
                ast::Item::World(w) => {
                    for it in &w.items {
                        match it {
                            ast::WorldItem::Use(u) => path(&u.from),
                            ast::WorldItem::Include(i) => path(&i.from),
                            ast::WorldItem::Import(e) | ast::WorldItem::Export(e) => {
                                match &e.kind {
                                    ast::ExternKind::Path(p)
                                    | ast::ExternKind::NamedPath { path: p, .. } => path(p),
                                    ast::ExternKind::Interface { items, .. } => {
                                        for it in items {
                                            if let ast::InterfaceItem::Use(u) = it {
                                                path(&u.from);
                                            }
                                        }
                                    }
                                    ast::ExternKind::Func { .. } => {}
                                }
                            }
                            ast::WorldItem::Type(_) => {}
                        }
                    }
                }
            }
        }
    }
}

impl Resolve {
    /// The interface that `id` (a `use`d alias) comes from, when it is another interface.
    pub fn type_interface_dep(&self, id: TypeId) -> Option<InterfaceId> {
        let ty = &self.types[id];
        let TypeDefKind::Type(crate::Type::Id(target)) = ty.kind else {
            return None;
        };
        let other = &self.types[target];
        if ty.owner == other.owner {
            return None;
        }
        match other.owner {
            TypeOwner::Interface(i) => Some(i),
            _ => None,
        }
    }

    /// Packages that use each other in a cycle, which WIT cannot express (`push_*` rejects
    /// it at the `use`, but a `Resolve` built otherwise, as from a binary, can hold one): the
    /// packages of one cycle, each using the next and the last using the first; `None` when
    /// the packages are acyclic. A package uses another when one of its interfaces `use`s a
    /// type of the other's, or one of its worlds imports, exports or `use`s from one of the
    /// other's interfaces.
    pub fn package_cycle(&self) -> Option<Vec<PackageId>> {
        let ids: Vec<PackageId> = self.packages.iter().map(|(id, _)| id).collect();
        let index = |p: PackageId| ids.iter().position(|&q| q == p);
        let mut deps: Vec<Vec<(usize, Span)>> = vec![Vec::new(); ids.len()];
        let mut edge = |from: Option<PackageId>, to: Option<PackageId>| {
            if let (Some(f), Some(t)) = (from.and_then(index), to.and_then(index)) {
                if f != t && !deps[f].iter().any(|&(d, _)| d == t) {
                    deps[f].push((t, Span::default()));
                }
            }
        };
        for (id, ty) in self.types.iter() {
            let Some(dep) = self.type_interface_dep(id) else {
                continue;
            };
            let from = match ty.owner {
                TypeOwner::Interface(i) => self.interfaces[i].package,
                TypeOwner::World(w) => self.worlds[w].package,
                TypeOwner::None => None,
            };
            edge(from, self.interfaces[dep].package);
        }
        for (_, world) in self.worlds.iter() {
            for item in world.imports.values().chain(world.exports.values()) {
                if let WorldItem::Interface { id, .. } = item {
                    edge(world.package, self.interfaces[*id].package);
                }
            }
        }
        toposort(ids.len(), &deps).err()?;
        // The shortest way back to itself from the first package that has one (breadth
        // first, with each package's predecessor).
        (0..ids.len()).find_map(|start| {
            let mut before: Vec<Option<usize>> = vec![None; ids.len()];
            let mut queue = std::collections::VecDeque::from([start]);
            while let Some(n) = queue.pop_front() {
                for &(d, _) in &deps[n] {
                    if d == start {
                        let mut cycle = vec![ids[n]];
                        let mut at = n;
                        while let Some(p) = before[at] {
                            cycle.push(ids[p]);
                            at = p;
                        }
                        cycle.reverse();
                        return Some(cycle);
                    }
                    if before[d].is_none() {
                        before[d] = Some(n);
                        queue.push_back(d);
                    }
                }
            }
            None
        })
    }

    /// Two items of one package (interfaces and worlds, one namespace) whose names are not
    /// strongly unique, such as `a` and `A`: WIT rejects that at the second name, but a
    /// `Resolve` built otherwise, as from a binary, can hold it. The package and both names,
    /// the earlier first.
    pub fn package_name_clash(&self) -> Option<(PackageId, String, String)> {
        for (id, pkg) in self.packages.iter() {
            let mut seen: HashMap<String, &str> = HashMap::default();
            for name in pkg.interfaces.keys().chain(pkg.worlds.keys()) {
                if let Some(prev) = seen.insert(names::canonical_name(name), name) {
                    return Some((id, prev.to_string(), name.clone()));
                }
            }
        }
        None
    }

    /// Two items of one interface (its types and functions, one namespace) whose names are
    /// not strongly unique, such as `f` and `F`: WIT rejects that, but a `Resolve` decoded
    /// from a binary can hold it (one interface seen by two worlds, each with its own
    /// spelling). The interface and both names, the earlier first.
    pub fn interface_name_clash(&self) -> Option<(InterfaceId, String, String)> {
        for (id, iface) in self.interfaces.iter() {
            let mut seen: HashMap<String, &str> = HashMap::default();
            for name in iface.types.keys().chain(iface.functions.keys()) {
                let mut key = names::canonical_name(name);
                // A setter shares its getter's name.
                if names::is_setter(name) {
                    key.push_str("\0set");
                }
                if let Some(prev) = seen.insert(key, name) {
                    return Some((id, prev.to_string(), name.clone()));
                }
            }
        }
        None
    }

    /// Interfaces whose types interface `id` uses, in order of first use.
    pub fn interface_direct_deps(&self, id: InterfaceId) -> Vec<InterfaceId> {
        let mut out = Vec::new();
        for &t in self.interfaces[id].types.values() {
            if let Some(dep) = self.type_interface_dep(t) {
                if !out.contains(&dep) {
                    out.push(dep);
                }
            }
        }
        out
    }
}
