//! Worlds: imports, exports, types, `include`, and elaboration (the implicit imports that the
//! items of a world need).

use super::{HashMap, HashSet};

use indexmap::IndexMap;

use super::names::{self, NameSet};
use super::types::{PendingFunc, TypeScope};
use super::PackageCx;
use crate::ast;
use crate::{
    Docs, Error, Function, Handle, Interface, InterfaceId, Resolve, Result, Span, Stability, Type,
    TypeDefKind, TypeId, TypeOwner, WorldId, WorldItem, WorldKey,
};

/// Where a pending world function goes.
struct WorldFunc<'a> {
    export: bool,
    pending: PendingFunc<'a>,
}

impl<'u, 'a> PackageCx<'u, 'a> {
    pub(super) fn resolve_world(
        &mut self,
        resolve: &mut Resolve,
        id: WorldId,
        w: &'a ast::World<'a>,
        fi: usize,
    ) -> Result<()> {
        let mut scope = TypeScope::new(TypeOwner::World(id), w.items.len());
        let mut imports: IndexMap<WorldKey, WorldItem> = IndexMap::new();
        let mut exports: IndexMap<WorldKey, WorldItem> = IndexMap::new();
        let mut typedefs = Vec::new();
        let mut funcs: Vec<WorldFunc<'a>> = Vec::new();
        let mut resource_funcs = Vec::new();
        let mut includes = Vec::new();
        // Name keys already taken, with what they are, per direction.
        let mut import_kinds: HashMap<String, &'static str> = HashMap::default();
        let mut export_kinds: HashMap<String, &'static str> = HashMap::default();

        // Types first (a later import may not reuse a type's name), then imports and exports.
        for item in &w.items {
            match item {
                ast::WorldItem::Use(u) => {
                    for (name, ty) in self.resolve_use(resolve, &mut scope, u, fi)? {
                        claim(&mut import_kinds, "import", name, "type", u.span)?;
                        imports.insert(
                            WorldKey::Name(name.to_string()),
                            WorldItem::Type {
                                id: ty,
                                span: u.span,
                            },
                        );
                    }
                }
                ast::WorldItem::Type(t) => {
                    let declared =
                        self.declare_type(resolve, &mut scope, t, &mut resource_funcs)?;
                    if declared.is_some() {
                        claim(
                            &mut import_kinds,
                            "import",
                            t.name.name,
                            "type",
                            t.name.span,
                        )?;
                        typedefs.push(t);
                    }
                }
                _ => {}
            }
        }
        // The world's own types are defined before any inline interface is resolved, so that
        // anonymous types they share are created (with their gates) in the same order as
        // wit-parser creates them. `use`d names come first, then definitions in dependency order.
        for t in self.define_types(resolve, &scope, &typedefs)? {
            let ty = scope.types[t.name.name];
            imports.insert(
                WorldKey::Name(t.name.name.to_string()),
                WorldItem::Type {
                    id: ty,
                    span: t.name.span,
                },
            );
        }
        for item in &w.items {
            match item {
                ast::WorldItem::Use(_) | ast::WorldItem::Type(_) => {}
                ast::WorldItem::Include(inc) => {
                    let stability = self.stability(&inc.attributes, inc.span)?;
                    if resolve.is_active(&stability) {
                        includes.push(inc);
                    }
                }
                ast::WorldItem::Import(e) | ast::WorldItem::Export(e) => {
                    let export = matches!(item, ast::WorldItem::Export(_));
                    let stability = self.stability(&e.attributes, e.span)?;
                    if !resolve.is_active(&stability) {
                        continue;
                    }
                    let (dir, kinds, items) = if export {
                        ("export", &mut export_kinds, &mut exports)
                    } else {
                        ("import", &mut import_kinds, &mut imports)
                    };
                    let mut docs = names::docs(&e.docs);
                    match &e.kind {
                        ast::ExternKind::Func { name, func } => {
                            let key = match func.kind {
                                ast::FuncKind::Func => name.name.to_string(),
                                ast::FuncKind::Getter => format!("[get]{}", name.name),
                                ast::FuncKind::Setter => format!("[set]{}", name.name),
                            };
                            claim(kinds, dir, &key, "func", name.span)?;
                            scope.funcs.insert(name.name);
                            funcs.push(WorldFunc {
                                export,
                                pending: PendingFunc {
                                    name: *name,
                                    sig: func,
                                    docs: &e.docs,
                                    resource: None,
                                    is_static: false,
                                    is_constructor: false,
                                    stability,
                                },
                            });
                        }
                        ast::ExternKind::Interface { name, .. }
                        | ast::ExternKind::NamedPath { name, .. } => {
                            let iid = match &e.kind {
                                ast::ExternKind::NamedPath { path, .. } => {
                                    let r = self.resolve_path(resolve, fi, path)?;
                                    self.expect_interface(r, path.span(), path_item_name(path))?
                                }
                                // An inline interface carries the statement's docs itself.
                                _ => resolve.interfaces.alloc(Interface {
                                    name: None,
                                    types: IndexMap::new(),
                                    functions: IndexMap::new(),
                                    docs: std::mem::take(&mut docs),
                                    stability: stability.clone(),
                                    package: Some(self.pkg),
                                    span: name.span,
                                }),
                            };
                            claim(kinds, dir, name.name, "interface", name.span)?;
                            if let ast::ExternKind::Interface { items: body, .. } = &e.kind {
                                self.resolve_interface(resolve, iid, body, fi)?;
                            }
                            items.insert(
                                WorldKey::Name(name.name.to_string()),
                                WorldItem::Interface {
                                    id: iid,
                                    stability,
                                    docs,
                                    span: name.span,
                                },
                            );
                        }
                        ast::ExternKind::Path(path) => {
                            let r = self.resolve_path(resolve, fi, path)?;
                            let iid =
                                self.expect_interface(r, path.span(), path_item_name(path))?;
                            let key = WorldKey::Interface(iid);
                            if items.contains_key(&key) {
                                let what = if export { "exported" } else { "imported" };
                                return Err(Error::resolve(
                                    path.span(),
                                    format!("interface cannot be {what} more than once"),
                                )
                                .with_help("remove the repeated statement"));
                            }
                            items.insert(
                                key,
                                WorldItem::Interface {
                                    id: iid,
                                    stability,
                                    docs,
                                    span: path.span(),
                                },
                            );
                        }
                    }
                }
            }
        }

        // Imports share one namespace with the world's types; exports have their own.
        let mut import_names = std::mem::take(&mut scope.names);
        let mut export_names = NameSet::default();
        for p in &resource_funcs {
            let f = self.resolve_func(resolve, &scope, &mut import_names, p)?;
            imports.insert(WorldKey::Name(f.name.clone()), WorldItem::Function(f));
        }
        for wf in &funcs {
            let names = if wf.export {
                &mut export_names
            } else {
                &mut import_names
            };
            let f = self.resolve_func(resolve, &scope, names, &wf.pending)?;
            let items = if wf.export {
                &mut exports
            } else {
                &mut imports
            };
            items.insert(WorldKey::Name(f.name.clone()), WorldItem::Function(f));
        }
        let world = &mut resolve.worlds[id];
        world.imports = imports;
        world.exports = exports;

        for inc in includes {
            self.resolve_include(resolve, id, inc, fi)?;
        }
        validate_unique_names(resolve, id)?;
        check_world_setters(resolve, id)?;
        let world = &mut resolve.worlds[id];
        setters_after_getters(&mut world.imports);
        setters_after_getters(&mut world.exports);
        elaborate_world(resolve, id, w.name.span)?;
        self.check_world_size(resolve, id, w.name.span)
    }

    /// A world's component type is measured as validators do: every import and export counted
    /// in full (an interface with all its types and functions).
    fn check_world_size(&mut self, resolve: &Resolve, id: WorldId, span: Span) -> Result<()> {
        use super::types::{MAX_TYPE_DEPTH, MAX_TYPE_SIZE, WRAPPERS};
        let world = &resolve.worlds[id];
        let (mut depth, mut size) = (1u32, 1u32);
        for item in world.imports.values().chain(world.exports.values()) {
            let (d, s) = match item {
                WorldItem::Interface { id, .. } => self.interface_info(resolve, *id),
                WorldItem::Function(f) => self.func_info(resolve, f),
                WorldItem::Type { id, .. } => self.type_info(resolve, Type::Id(*id)),
            };
            depth = depth.max(d.saturating_add(1));
            size = size.saturating_add(s);
        }
        if size >= MAX_TYPE_SIZE {
            return Err(Error::resolve(
                span,
                format!(
                    "world `{}` is too large: written out, its imports and exports hold {size} \
                     types, and the component model allows fewer than {MAX_TYPE_SIZE}",
                    world.name
                ),
            )
            .with_help(
                "validators count every use of a type in full; use fewer copies of large types",
            ));
        }
        if depth + WRAPPERS > MAX_TYPE_DEPTH {
            return Err(Error::resolve(
                span,
                format!(
                    "world `{}` nests {} types deep written out (its component type and the \
                     component types a binary wraps it in included), and validators allow \
                     {MAX_TYPE_DEPTH}",
                    world.name,
                    depth + WRAPPERS
                ),
            )
            .with_help("nest the types its imports and exports use less deeply"));
        }
        Ok(())
    }

    fn resolve_include(
        &mut self,
        resolve: &mut Resolve,
        id: WorldId,
        inc: &'a ast::Include<'a>,
        fi: usize,
    ) -> Result<()> {
        let r = self.resolve_path(resolve, fi, &inc.from)?;
        let src = self.expect_world(r, inc.from.span(), path_item_name(&inc.from))?;
        let included = resolve.worlds[src].clone();
        let is_external = included.package != Some(self.pkg);
        for n in &inc.names {
            let found = included
                .imports
                .keys()
                .chain(included.exports.keys())
                .any(|k| matches!(k, WorldKey::Name(s) if s == n.name.name));
            if !found {
                return Err(Error::resolve(
                    n.name.span,
                    format!(
                        "no import or export kebab-name `{}`. Note that an ID does not support renaming",
                        n.name.name
                    ),
                ));
            }
        }
        let rename = |name: &str| -> String {
            inc.names
                .iter()
                .find(|n| n.name.name == name)
                .map_or_else(|| name.to_string(), |n| n.as_.name.to_string())
        };

        // Types owned by the included world are copied into this one.
        let mut map: HashMap<TypeId, TypeId> = HashMap::default();
        // Copies of renamed types: `copy → (old name, new name)`.
        let mut renamed: HashMap<TypeId, (String, String)> = HashMap::default();
        let mut copied = Vec::new();
        for (key, item) in included.imports.iter().chain(included.exports.iter()) {
            if let (WorldKey::Name(n), WorldItem::Type { id: t, .. }) = (key, item) {
                if resolve.types[*t].owner == TypeOwner::World(src) {
                    let mut def = resolve.types[*t].clone();
                    let new_name = rename(n);
                    if new_name != *n {
                        renamed.insert(resolve.types.next_id(), (n.clone(), new_name.clone()));
                    }
                    def.name = Some(new_name);
                    def.owner = TypeOwner::World(id);
                    let new = resolve.types.alloc(def);
                    map.insert(*t, new);
                    copied.push(new);
                }
            }
        }
        for &new in &copied {
            let kind = resolve.types[new].kind.clone();
            let kind = self.remap_kind(resolve, &map, &kind);
            resolve.types[new].kind = kind;
        }

        for (is_export, items) in [(false, &included.imports), (true, &included.exports)] {
            for (key, item) in items {
                let dir = if is_export { "export" } else { "import" };
                match key {
                    WorldKey::Name(n) => {
                        // The key is the new name; a resource's functions follow its rename.
                        let (new_name, new_item) = match item {
                            WorldItem::Type { id: t, span } => (
                                rename(n),
                                WorldItem::Type {
                                    id: map.get(t).copied().unwrap_or(*t),
                                    span: *span,
                                },
                            ),
                            WorldItem::Function(f) => {
                                let mut f = self.remap_func(resolve, &map, f);
                                f.name = match f.kind.resource().and_then(|r| renamed.get(&r)) {
                                    Some((old, new)) => rename_resource_func(n, old, new),
                                    None => rename(n),
                                };
                                (f.name.clone(), WorldItem::Function(f))
                            }
                            other => (rename(n), other.clone()),
                        };
                        let world = &mut resolve.worlds[id];
                        let target = if is_export {
                            &mut world.exports
                        } else {
                            &mut world.imports
                        };
                        if target
                            .insert(WorldKey::Name(new_name.clone()), new_item)
                            .is_some()
                        {
                            return Err(Error::resolve(
                                inc.span,
                                format!("{dir} of `{new_name}` shadows previously {dir}ed items"),
                            )
                            .with_help(format!(
                                "rename it: `include … with {{ {new_name} as other-name }}`"
                            )));
                        }
                    }
                    WorldKey::Interface(_) => {
                        let world = &mut resolve.worlds[id];
                        let target = if is_export {
                            &mut world.exports
                        } else {
                            &mut world.imports
                        };
                        let entry = target.entry(key.clone()).or_insert_with(|| item.clone());
                        if let (
                            WorldItem::Interface {
                                stability: from, ..
                            },
                            WorldItem::Interface {
                                stability: into, ..
                            },
                        ) = (item, entry)
                        {
                            merge_include_stability(from, into, is_external, inc.span)?;
                        }
                    }
                }
            }
        }
        Ok(())
    }

    fn remap_type(
        &mut self,
        resolve: &mut Resolve,
        map: &HashMap<TypeId, TypeId>,
        ty: Type,
    ) -> Type {
        let Type::Id(id) = ty else { return ty };
        if let Some(&new) = map.get(&id) {
            return Type::Id(new);
        }
        let def = &resolve.types[id];
        if def.owner != TypeOwner::None || !mentions(resolve, map, id) {
            return ty;
        }
        let kind = def.kind.clone();
        let stability = def.stability.clone();
        let span = def.span;
        let kind = self.remap_kind(resolve, map, &kind);
        self.anon_type(resolve, kind, &stability, span)
    }

    fn remap_kind(
        &mut self,
        resolve: &mut Resolve,
        map: &HashMap<TypeId, TypeId>,
        kind: &TypeDefKind,
    ) -> TypeDefKind {
        let mut k = kind.clone();
        let m = |t: &mut Type, cx: &mut Self, resolve: &mut Resolve| {
            *t = cx.remap_type(resolve, map, *t)
        };
        match &mut k {
            TypeDefKind::Record(r) => r
                .fields
                .iter_mut()
                .for_each(|f| m(&mut f.ty, self, resolve)),
            TypeDefKind::Variant(v) => v
                .cases
                .iter_mut()
                .filter_map(|c| c.ty.as_mut())
                .for_each(|t| m(t, self, resolve)),
            TypeDefKind::Tuple(t) => t.types.iter_mut().for_each(|t| m(t, self, resolve)),
            TypeDefKind::Option(t)
            | TypeDefKind::List(t)
            | TypeDefKind::FixedLengthList(t, _)
            | TypeDefKind::Type(t) => m(t, self, resolve),
            TypeDefKind::Map(a, b) => {
                m(a, self, resolve);
                m(b, self, resolve);
            }
            TypeDefKind::Result(r) => {
                if let Some(t) = r.ok.as_mut() {
                    m(t, self, resolve);
                }
                if let Some(t) = r.err.as_mut() {
                    m(t, self, resolve);
                }
            }
            TypeDefKind::Future(t) | TypeDefKind::Stream(t) => {
                if let Some(t) = t.as_mut() {
                    m(t, self, resolve);
                }
            }
            TypeDefKind::Handle(Handle::Own(id) | Handle::Borrow(id)) => {
                if let Some(&new) = map.get(id) {
                    *id = new;
                }
            }
            TypeDefKind::Flags(_)
            | TypeDefKind::Enum(_)
            | TypeDefKind::Resource
            | TypeDefKind::Unknown => {}
        }
        k
    }

    fn remap_func(
        &mut self,
        resolve: &mut Resolve,
        map: &HashMap<TypeId, TypeId>,
        f: &Function,
    ) -> Function {
        let mut f = f.clone();
        for p in &mut f.params {
            p.ty = self.remap_type(resolve, map, p.ty);
        }
        if let Some(r) = f.result {
            f.result = Some(self.remap_type(resolve, map, r));
        }
        if let Some(id) = f.kind.resource_mut() {
            if let Some(&new) = map.get(id) {
                *id = new;
            }
        }
        f
    }
}

/// Whether anonymous type `id` refers (transitively) to a type in `map`.
fn mentions(resolve: &Resolve, map: &HashMap<TypeId, TypeId>, id: TypeId) -> bool {
    let mut stack = vec![id];
    let mut seen = HashSet::default();
    while let Some(cur) = stack.pop() {
        if map.contains_key(&cur) {
            return true;
        }
        // Only anonymous types are looked through; named ones are reached by reference.
        if !seen.insert(cur) || (cur != id && resolve.types[cur].owner != TypeOwner::None) {
            continue;
        }
        let id = cur;
        let mut push = |t: &Type| {
            if let Type::Id(i) = t {
                stack.push(*i);
            }
        };
        match &resolve.types[id].kind {
            TypeDefKind::Record(r) => r.fields.iter().for_each(|f| push(&f.ty)),
            TypeDefKind::Variant(v) => v.cases.iter().filter_map(|c| c.ty.as_ref()).for_each(push),
            TypeDefKind::Tuple(t) => t.types.iter().for_each(push),
            TypeDefKind::Option(t)
            | TypeDefKind::List(t)
            | TypeDefKind::FixedLengthList(t, _)
            | TypeDefKind::Type(t) => push(t),
            TypeDefKind::Map(a, b) => {
                push(a);
                push(b);
            }
            TypeDefKind::Result(r) => {
                r.ok.iter().for_each(&mut push);
                r.err.iter().for_each(&mut push);
            }
            TypeDefKind::Future(t) | TypeDefKind::Stream(t) => t.iter().for_each(push),
            TypeDefKind::Handle(Handle::Own(i) | Handle::Borrow(i)) => stack.push(*i),
            _ => {}
        }
    }
    false
}

/// The stability an interface included from another world keeps: `@since` from another package
/// is dropped (it speaks of that package's versions); otherwise a gate is adopted where there
/// was none, and two different gates are an error.
fn merge_include_stability(
    from: &Stability,
    into: &mut Stability,
    is_external: bool,
    span: Span,
) -> Result<()> {
    if is_external && matches!(from, Stability::Stable { .. }) {
        *into = Stability::Unknown;
        return Ok(());
    }
    if from == into || from.is_unknown() {
        return Ok(());
    }
    if into.is_unknown() {
        *into = from.clone();
        return Ok(());
    }
    Err(Error::resolve(
        span,
        "an interface included twice has different stability gates",
    )
    .with_help("give both imports the same `@since`/`@unstable` attributes"))
}

/// `[method]r.m` → `[method]s.m` when resource `r` is renamed to `s`.
fn rename_resource_func(name: &str, old: &str, new: &str) -> String {
    let split = name.rfind(']').map_or(0, |i| i + 1);
    let (prefix, rest) = name.split_at(split);
    if rest == old {
        format!("{prefix}{new}")
    } else if let Some(tail) = rest.strip_prefix(old).filter(|t| t.starts_with('.')) {
        format!("{prefix}{new}{tail}")
    } else {
        name.to_string()
    }
}

/// Moves each setter right after its getter, so accessor pairs stay together.
fn setters_after_getters(items: &mut IndexMap<WorldKey, WorldItem>) {
    let setters: Vec<WorldKey> = items
        .keys()
        .filter(|k| matches!(k, WorldKey::Name(n) if names::is_setter(n)))
        .cloned()
        .collect();
    for key in setters {
        let WorldKey::Name(n) = &key else { continue };
        let getter = WorldKey::Name(names::getter_of(n));
        let (Some(from), Some(to)) = (items.get_index_of(&key), items.get_index_of(&getter)) else {
            continue;
        };
        if from < to {
            items.move_index(from, to);
        }
    }
}

fn path_item_name<'a>(p: &ast::UsePath<'a>) -> &'a str {
    match p {
        ast::UsePath::Id(i) => i.name,
        ast::UsePath::Package { name, .. } => name.name,
    }
}

/// Records that a name key is taken in one direction of a world.
fn claim(
    kinds: &mut HashMap<String, &'static str>,
    dir: &str,
    name: &str,
    kind: &'static str,
    span: Span,
) -> Result<()> {
    if let Some(prev) = kinds.get(name) {
        return Err(Error::resolve(
            span,
            format!("{dir} `{name}` conflicts with prior {prev} of same name"),
        )
        .with_help("every import (and every export) of a world needs its own name"));
    }
    kinds.insert(name.to_string(), kind);
    Ok(())
}

fn validate_unique_names(resolve: &Resolve, id: WorldId) -> Result<()> {
    let world = &resolve.worlds[id];
    for (dir, items) in [("import", &world.imports), ("export", &world.exports)] {
        let mut seen: HashMap<String, &str> = HashMap::default();
        for key in items.keys() {
            let WorldKey::Name(name) = key else { continue };
            let mut canon = names::canonical_name(name);
            if names::is_setter(name) {
                canon.push_str("\0set");
            }
            if let Some(prev) = seen.get(&canon) {
                if *prev != name.as_str() {
                    return Err(Error::resolve(
                        world.span,
                        format!(
                            "{dir} `{name}` in world `{}` conflicts with {dir} `{prev}` (names must be strongly unique)",
                            world.name
                        ),
                    ));
                }
            }
            seen.insert(canon, name);
        }
    }
    Ok(())
}

fn check_world_setters(resolve: &Resolve, id: WorldId) -> Result<()> {
    let world = &resolve.worlds[id];
    for (dir, items) in [("import", &world.imports), ("export", &world.exports)] {
        for (key, item) in items {
            let (WorldKey::Name(name), WorldItem::Function(f)) = (key, item) else {
                continue;
            };
            if names::is_setter(name) {
                let getter = names::getter_of(name);
                if !items.contains_key(&WorldKey::Name(getter.clone())) {
                    return Err(Error::resolve(
                        f.span,
                        format!(
                            "{dir} `{name}` in world `{}` has no corresponding getter `{getter}`",
                            world.name
                        ),
                    ));
                }
            }
        }
    }
    Ok(())
}

/// Orders world items for a stable, topological layout: interfaces, used types, defined
/// types, freestanding functions, resource functions.
fn sort_class(resolve: &Resolve, item: &WorldItem) -> u8 {
    match item {
        WorldItem::Interface { .. } => 0,
        WorldItem::Type { id, .. } => {
            let ty = &resolve.types[*id];
            match ty.kind {
                TypeDefKind::Type(Type::Id(t)) if resolve.types[t].owner != ty.owner => 1,
                _ => 2,
            }
        }
        WorldItem::Function(f) => {
            if f.kind.resource().is_none() {
                3
            } else {
                4
            }
        }
    }
}

/// Adds the imports that a world's items need: every interface an imported or exported
/// interface (or a used type) depends on, unless an export provides it. Rejects worlds where
/// an export would see one interface both imported and exported.
fn elaborate_world(resolve: &mut Resolve, id: WorldId, span: Span) -> Result<()> {
    let world = &resolve.worlds[id];
    let mut items: Vec<(&WorldKey, &WorldItem)> = world.imports.iter().collect();
    items.sort_by_key(|(_, item)| sort_class(resolve, item));
    let mut imports: IndexMap<WorldKey, WorldItem> = IndexMap::new();
    for (key, item) in items {
        match item {
            WorldItem::Interface {
                id: iface,
                stability,
                docs,
                span,
            } => {
                add_import(
                    resolve,
                    &mut imports,
                    key.clone(),
                    *iface,
                    stability,
                    docs,
                    *span,
                );
            }
            WorldItem::Function(_) => {
                imports.insert(key.clone(), item.clone());
            }
            WorldItem::Type { id: ty, .. } => {
                if let Some(dep) = resolve.type_interface_dep(*ty) {
                    let stability = resolve.types[*ty].stability.clone();
                    add_import(
                        resolve,
                        &mut imports,
                        WorldKey::Interface(dep),
                        dep,
                        &stability,
                        &Docs::default(),
                        Span::UNKNOWN,
                    );
                }
                imports.insert(key.clone(), item.clone());
            }
        }
    }

    let mut exports: IndexMap<WorldKey, WorldItem> = IndexMap::new();
    let mut export_ifaces: IndexMap<WorldKey, WorldItem> = IndexMap::new();
    for (key, item) in &world.exports {
        match item {
            WorldItem::Interface { .. } => {
                export_ifaces.insert(key.clone(), item.clone());
            }
            _ => {
                exports.insert(key.clone(), item.clone());
            }
        }
    }
    let mut required_imports: HashSet<InterfaceId> = HashSet::default();
    for (key, item) in &export_ifaces {
        let mut cx = ExportCx {
            resolve,
            imports: &mut imports,
            exports: &mut exports,
            export_ifaces: &export_ifaces,
            required_imports: &mut required_imports,
        };
        if !cx.add(key.clone(), item.clone(), true) {
            let name = match key {
                WorldKey::Name(n) => n.clone(),
                WorldKey::Interface(i) => resolve.id_of(*i).unwrap_or_default(),
            };
            return Err(Error::resolve(
                span,
                format!("interface `{name}` transitively depends on an interface in incompatible ways"),
            )
            .with_help(
                "an exported interface would see one of its dependencies both imported and exported; export that dependency too, or import it explicitly and do not export it",
            ));
        }
    }
    imports.sort_by_cached_key(|_, item| sort_class(resolve, item));
    let world = &mut resolve.worlds[id];
    world.imports = imports;
    world.exports = exports;
    Ok(())
}

fn add_import(
    resolve: &Resolve,
    imports: &mut IndexMap<WorldKey, WorldItem>,
    key: WorldKey,
    id: InterfaceId,
    stability: &Stability,
    docs: &Docs,
    span: Span,
) {
    if imports.contains_key(&key) {
        return;
    }
    for dep in resolve.interface_direct_deps(id) {
        add_import(
            resolve,
            imports,
            WorldKey::Interface(dep),
            dep,
            stability,
            &Docs::default(),
            Span::UNKNOWN,
        );
    }
    imports.insert(
        key,
        WorldItem::Interface {
            id,
            stability: stability.clone(),
            docs: docs.clone(),
            span,
        },
    );
}

struct ExportCx<'r> {
    resolve: &'r Resolve,
    imports: &'r mut IndexMap<WorldKey, WorldItem>,
    exports: &'r mut IndexMap<WorldKey, WorldItem>,
    export_ifaces: &'r IndexMap<WorldKey, WorldItem>,
    required_imports: &'r mut HashSet<InterfaceId>,
}

impl ExportCx<'_> {
    /// Adds `key` as an export (or, for a dependency not itself exported, as an import);
    /// returns false when an interface would be needed both as an import and an export.
    fn add(&mut self, key: WorldKey, item: WorldItem, as_export: bool) -> bool {
        if self.exports.contains_key(&key) {
            return as_export;
        }
        let WorldItem::Interface {
            id, ref stability, ..
        } = item
        else {
            return true;
        };
        if !as_export && self.required_imports.contains(&id) {
            return true;
        }
        for dep in self.resolve.interface_direct_deps(id) {
            let dep_key = WorldKey::Interface(dep);
            let dep_item = WorldItem::Interface {
                id: dep,
                stability: stability.clone(),
                docs: Docs::default(),
                span: Span::UNKNOWN,
            };
            let dep_export = as_export && self.export_ifaces.contains_key(&dep_key);
            if !self.add(dep_key, dep_item, dep_export) {
                return false;
            }
        }
        if as_export {
            if self.required_imports.contains(&id) {
                return false;
            }
            self.exports.insert(key, item);
        } else {
            self.required_imports.insert(id);
            self.imports.entry(key).or_insert(item);
        }
        true
    }
}
