//! Component binaries → WIT: the inverse of encoding, matching what wit-component 0.262
//! (`wasm-tools component wit`) recovers.
//!
//! Three inputs are understood:
//!
//! * **A WIT package encoded as a component** (`wasm-tools component wit --wasm`): a component
//!   that only exports component types, one per interface or world, each named by the item's
//!   plain name and holding one export named `ns:pkg/item@version`. Interfaces of other
//!   packages are the imports of those types. A `package-docs` custom section restores docs
//!   and stability ([`docs`]).
//! * **A real component**: its imports and exports become a world named `root` in a package
//!   `root:component`; every instance named `ns:pkg/iface@version` becomes that interface of
//!   that package, holding the slice of it the component uses.
//! * **A core module with `component-type*` custom sections** (what bindings generators and
//!   `weft embed` emit): each section is a world-encoded component; several merge into one
//!   world ([`metadata`]).
//!
//! Everything is validated by wasmparser first; the types come from its `Types`, where type
//! equality (an `eq` bound in an instance type) shows up as an alias of an earlier type, which
//! is what becomes a `use` ([`convert`]).
//!
//! Decoding can target an existing [`Resolve`]: packages already in it are reused by name and
//! their items checked against the binary's, which is how binary dependencies of a WIT
//! directory ([`push_path`]) and several `component-type` sections come together.

mod convert;
mod docs;
mod metadata;

use std::path::Path;

use wasmparser::{
    component_types::{ComponentAnyTypeId, ComponentEntityType},
    Encoding, Parser, Payload,
};
use weft_wit::{
    Handle, PackageId, Resolve, Type, TypeDef, TypeDefKind, TypeId, TypeOwner, WorldId, WorldItem,
    WorldKey,
};

pub(crate) use metadata::metadata_into;
pub use metadata::{decode_metadata, Metadata};

use crate::{Error, Result};
use convert::{Decoder, Extern};

/// What [`decode`] found in a binary.
#[derive(Debug)]
pub enum Decoded {
    /// A WIT package encoded as a component: `package` and the packages it uses.
    Package {
        /// The package and every package it refers to.
        resolve: Resolve,
        /// The encoded package.
        package: PackageId,
    },
    /// A component: `world` is the world it implements (`root:component/root`).
    Component {
        /// The world's package and every package it refers to.
        resolve: Resolve,
        /// The component's world.
        world: WorldId,
    },
    /// A core module with `component-type` custom sections: the world it was built against.
    CoreModule(Metadata),
}

impl Decoded {
    /// The `Resolve` holding what was decoded.
    pub fn resolve(&self) -> &Resolve {
        match self {
            Decoded::Package { resolve, .. } | Decoded::Component { resolve, .. } => resolve,
            Decoded::CoreModule(m) => &m.resolve,
        }
    }

    /// The main package: the encoded package, or the package of the world.
    pub fn package(&self) -> PackageId {
        match self {
            Decoded::Package { package, .. } => *package,
            Decoded::Component { resolve, world } => world_package(resolve, *world),
            Decoded::CoreModule(m) => world_package(&m.resolve, m.world),
        }
    }

    /// The world, for a component or a core module with metadata.
    pub fn world(&self) -> Option<WorldId> {
        match self {
            Decoded::Package { .. } => None,
            Decoded::Component { world, .. } => Some(*world),
            Decoded::CoreModule(m) => Some(m.world),
        }
    }
}

fn world_package(resolve: &Resolve, world: WorldId) -> PackageId {
    // Every world the decoder makes belongs to a package.
    resolve.worlds[world]
        .package
        .unwrap_or_else(|| PackageId::from_index(0))
}

/// Applies the `package-docs` section (`data`, at `offset` in the binary) to package `pkg`.
fn inject_package_docs(
    resolve: &mut Resolve,
    pkg: PackageId,
    offset: usize,
    data: &[u8],
) -> Result<()> {
    let meta = docs::PackageMetadata::parse(data)
        .map_err(|e| Error::at(offset, e).context("reading the `package-docs` section"))?;
    meta.inject(resolve, pkg)
        .map_err(|e| Error::at(offset, e).context("applying the `package-docs` section"))
}

/// Decodes a binary (or WebAssembly text): a WIT package encoded as a component, a component,
/// or a core module with `component-type` custom sections.
///
/// A core module without those sections is an error that says so.
pub fn decode(bytes: &[u8]) -> Result<Decoded> {
    let wasm = to_binary(bytes)?;
    if is_core_module(&wasm) {
        return match decode_metadata(&wasm)? {
            Some(m) => Ok(Decoded::CoreModule(m)),
            None => Err(not_a_component()),
        };
    }
    let mut resolve = Resolve::new();
    match decode_into(&mut resolve, &wasm)? {
        Into::Package(package) => Ok(Decoded::Package { resolve, package }),
        Into::Component(world) => Ok(Decoded::Component { resolve, world }),
    }
}

/// The error for a core module without `component-type` sections.
fn not_a_component() -> Error {
    Error::msg("this is a core module, not a component").with_help(
        "wrap it into a component with `weft new`, then read that; it has no `component-type` section naming a world, so a module built against a world other than WASI preview1's needs `weft embed --wit PATH` first",
    )
}

/// Reads a WIT file, package directory or binary-encoded package (`.wasm`, `.wat`, or any file
/// starting with the `\0asm` header) into `resolve`, with binary dependencies in `deps/`.
///
/// A component given as the path yields its world's package (`root:component`).
pub fn push_path(resolve: &mut Resolve, path: impl AsRef<Path>) -> weft_wit::Result<PackageId> {
    resolve.push_path_with(path, &mut |resolve: &mut Resolve, path: &Path, bytes: &[u8]| {
        to_binary_at(bytes, Some(path)).and_then(|wasm| push_binary(resolve, &wasm)).map_err(|e| {
            weft_wit::Error::io(format!("failed to decode `{}`: {}", path.display(), e.message_with_context()))
                .with_help(e.help().unwrap_or("expected a component, a binary WIT package or a core module with `component-type` sections").to_string())
        })
    })
}

/// Decodes a binary-encoded WIT package, a component (its world's package, `root:component`)
/// or a core module with `component-type` sections (its world's package) into `resolve`;
/// returns the package. On error `resolve` is left as it was.
pub fn push_binary(resolve: &mut Resolve, bytes: &[u8]) -> Result<PackageId> {
    let wasm = to_binary(bytes)?;
    let mut scratch = resolve.clone();
    if is_core_module(&wasm) {
        return match metadata::metadata_into(&mut scratch, &wasm)? {
            Some((world, _)) => {
                let pkg = world_package(&scratch, world);
                *resolve = scratch;
                Ok(pkg)
            }
            None => Err(not_a_component()),
        };
    }
    let pkg = match decode_into(&mut scratch, &wasm)? {
        Into::Package(p) => p,
        Into::Component(w) => world_package(&scratch, w),
    };
    *resolve = scratch;
    Ok(pkg)
}

trait MessageWithContext {
    fn message_with_context(&self) -> String;
}

impl MessageWithContext for Error {
    /// The error's text without its hint line.
    fn message_with_context(&self) -> String {
        let text = self.to_string();
        match text.split_once("\n  = help:") {
            Some((head, _)) => head.to_string(),
            None => text,
        }
    }
}

/// `bytes` as a binary: binary input as is, WebAssembly text converted with `wat`.
pub(crate) fn to_binary(bytes: &[u8]) -> Result<std::borrow::Cow<'_, [u8]>> {
    to_binary_at(bytes, None)
}

/// [`to_binary`] of the file at `path`, which errors in the text name.
fn to_binary_at<'b>(bytes: &'b [u8], path: Option<&Path>) -> Result<std::borrow::Cow<'b, [u8]>> {
    if bytes.starts_with(b"\0asm") {
        return Ok(bytes.into());
    }
    let looks_like_text = std::str::from_utf8(bytes).is_ok_and(|t| {
        let t = t.trim_start();
        t.starts_with('(') || t.starts_with(";;") || t.starts_with("(;")
    });
    if !looks_like_text {
        return Err(Error::at(
            0,
            "not a WebAssembly binary: it does not start with `\\0asm`",
        )
        .with_help("pass a component (`.wasm`) or WebAssembly text (`.wat`)"));
    }
    wat::parse_bytes(bytes)
        .map(|b| b.into_owned().into())
        .map_err(|mut e| {
            if let Some(path) = path {
                e.set_path(path);
            }
            Error::msg(e.to_string())
                .context("parsing WebAssembly text")
                .with_help("fix the text, or pass the binary")
        })
}

/// Whether the binary's header says core module.
fn is_core_module(wasm: &[u8]) -> bool {
    matches!(
        Parser::new(0).parse(wasm, true),
        Ok(wasmparser::Chunk::Parsed {
            payload: Payload::Version {
                encoding: Encoding::Module,
                ..
            },
            ..
        })
    )
}

/// What [`decode_into`] decoded.
pub(crate) enum Into {
    Package(PackageId),
    Component(WorldId),
}

/// A validated component: its types and its top-level imports and exports in order.
pub(crate) struct ComponentInfo {
    pub(crate) types: wasmparser::types::Types,
    pub(crate) externs: Vec<(String, bool)>,
    pub(crate) package_docs: Option<(usize, Vec<u8>)>,
    /// The `wit-component-encoding` section of a `component-type` payload.
    pub(crate) encoding_section: Option<Vec<u8>>,
}

/// Validates a component and records its top-level imports and exports, and the custom
/// sections the decoder reads.
pub(crate) fn read_component(wasm: &[u8]) -> Result<ComponentInfo> {
    let mut package_docs = None;
    let mut encoding_section = None;
    let weft_binary::ComponentTypes { types, externs } = weft_binary::component_types(wasm, |s| {
        match s.name() {
            docs::SECTION_NAME if package_docs.is_some() => {
                return Err(
                    Error::at(s.range().start, "two `package-docs` custom sections")
                        .with_help("a component holds at most one"),
                )
            }
            docs::SECTION_NAME => package_docs = Some((s.data_offset(), s.data().to_vec())),
            "wit-component-encoding" => encoding_section = Some(s.data().to_vec()),
            _ => {}
        }
        Ok(())
    })?;
    Ok(ComponentInfo {
        types,
        externs,
        package_docs,
        encoding_section,
    })
}

/// Decodes a component binary (a WIT package or a real component) into `resolve`.
pub(crate) fn decode_into(resolve: &mut Resolve, wasm: &[u8]) -> Result<Into> {
    let info = read_component(wasm)?;
    let externs: Vec<(String, Extern<'_>)> = info
        .externs
        .iter()
        .map(|(name, import)| {
            let item = if *import {
                info.types.component_item_for_import(name)
            } else {
                info.types.component_item_for_export(name)
            };
            item.map(|item| {
                (
                    name.clone(),
                    if *import {
                        Extern::Import(item)
                    } else {
                        Extern::Export(item)
                    },
                )
            })
            .ok_or_else(|| Error::msg(format!("the validator has no type for `{name}`")))
        })
        .collect::<Result<_>>()?;
    let is_package = !externs.is_empty()
        && externs.iter().all(|(_, e)| match e {
            Extern::Export(item) => matches!(
                item.ty,
                ComponentEntityType::Type {
                    created: ComponentAnyTypeId::Component(_),
                    ..
                }
            ),
            Extern::Import(_) => false,
        });
    let mut decoder = Decoder::new(resolve, &info.types);
    if is_package {
        let first = &externs[0].0;
        if first.contains('/') {
            return Err(Error::msg(format!(
                "`{first}`: this WIT package uses the old (v1) binary encoding, which weft does not read"
            ))
            .with_help("re-encode the package with a current `wasm-tools component wit --wasm`"));
        }
        let pkg = decoder.decode_package(&externs)?;
        if let Some((offset, data)) = &info.package_docs {
            inject_package_docs(decoder.resolve(), pkg, *offset, data)?;
        }
        expressible(decoder.resolve())?;
        Ok(Into::Package(pkg))
    } else {
        let world = decoder.decode_component(&externs)?;
        add_world_uses(decoder.resolve(), world)?;
        if let Some((offset, data)) = &info.package_docs {
            let pkg = world_package(decoder.resolve(), world);
            inject_package_docs(decoder.resolve(), pkg, *offset, data)?;
        }
        expressible(decoder.resolve())?;
        Ok(Into::Component(world))
    }
}

/// A world's own functions name the types they use, and in WIT a type of an interface is in a
/// world's scope only through the world's `use` (`use foo:foo/foo.{bar};`). A component can
/// export a function whose type is an imported instance's without importing that type by
/// itself (it re-exports an imported function): the world then gets the `use`, so that its WIT
/// resolves again. Two such types with one name, or one whose name the world gives something
/// else, cannot be expressed.
fn add_world_uses(resolve: &mut Resolve, world: WorldId) -> Result<()> {
    let w = &resolve.worlds[world];
    let mut stack: Vec<Type> = Vec::new();
    for item in w.imports.values().chain(w.exports.values()) {
        if let WorldItem::Function(f) = item {
            stack.extend(f.params.iter().map(|p| p.ty));
            stack.extend(f.result);
        }
    }
    // Named types of interfaces the functions reach without passing through a named type.
    let mut needed: Vec<TypeId> = Vec::new();
    let mut seen: weft_wit::fxhash::HashSet<TypeId> = Default::default();
    while let Some(ty) = stack.pop() {
        let Type::Id(id) = ty else { continue };
        if !seen.insert(id) {
            continue;
        }
        let def = &resolve.types[id];
        if def.name.is_some() {
            if matches!(def.owner, TypeOwner::Interface(_)) {
                needed.push(id);
            }
            continue;
        }
        match &def.kind {
            TypeDefKind::Option(t) | TypeDefKind::List(t) | TypeDefKind::Type(t) => stack.push(*t),
            TypeDefKind::FixedLengthList(t, _) => stack.push(*t),
            TypeDefKind::Map(k, v) => stack.extend([*k, *v]),
            TypeDefKind::Result(r) => stack.extend(r.ok.iter().chain(&r.err).copied()),
            TypeDefKind::Tuple(t) => stack.extend(t.types.iter().copied()),
            TypeDefKind::Handle(Handle::Own(r) | Handle::Borrow(r)) => stack.push(Type::Id(*r)),
            TypeDefKind::Future(t) | TypeDefKind::Stream(t) => stack.extend(*t),
            _ => {}
        }
    }
    needed.sort_by_key(|id| id.index());
    for id in needed {
        let name = resolve.types[id].name.clone().unwrap_or_default();
        let key = WorldKey::Name(name.clone());
        let w = &resolve.worlds[world];
        let clash = match w.imports.get(&key).or_else(|| w.exports.get(&key)) {
            None => false,
            Some(WorldItem::Type { id: t, .. }) => {
                *t != id && resolve.types[*t].kind != TypeDefKind::Type(Type::Id(id))
            }
            Some(_) => true,
        };
        if clash {
            let owner = match resolve.types[id].owner {
                TypeOwner::Interface(i) => resolve.id_of(i).unwrap_or_default(),
                _ => String::new(),
            };
            return Err(Error::msg(format!(
                "a function of the component's world uses type `{name}` of `{owner}`, but the \
                 world has something else named `{name}`, which WIT cannot express"
            ))
            .with_help(
                "the component exports functions of two interfaces whose types share a name \
                 without importing those types by themselves; a component built from WIT \
                 (`use … as …`) imports them, and decodes",
            ));
        }
        if w.imports.contains_key(&key) {
            continue;
        }
        let alias = resolve.types.alloc(TypeDef {
            name: Some(name),
            kind: TypeDefKind::Type(Type::Id(id)),
            owner: TypeOwner::World(world),
            docs: Default::default(),
            stability: Default::default(),
            span: Default::default(),
        });
        resolve.worlds[world].imports.insert(
            key,
            WorldItem::Type {
                id: alias,
                span: Default::default(),
            },
        );
    }
    Ok(())
}

/// What a valid component can be but WIT cannot express, so that no WIT printed from it would
/// resolve again: packages that use each other in a cycle (`a:x/i` uses a type of `b:y/j`,
/// which uses one of `a:x/k`), items of one package or interface whose names differ only in
/// case, a type
/// used from an interface written inline in a world (which has no name to `use` it by), and a
/// world's function, type or inline interface with a name of another form than a plain one
/// (`a:b/c`, which only names an interface).
pub(crate) fn expressible(resolve: &Resolve) -> Result<()> {
    for (_, world) in resolve.worlds.iter() {
        for (dir, items) in [("imports", &world.imports), ("exports", &world.exports)] {
            for key in items.keys() {
                let WorldKey::Name(name) = key else { continue };
                // Plain names are kebab-case, with `[constructor]`, `[method]r.f` and the
                // like for resources' functions; the other forms (`ns:pkg/name`, `url=<…>`,
                // …) hold `:` or `=`.
                if name.contains([':', '=']) {
                    return Err(Error::msg(format!(
                        "world `{}` {dir} `{name}`, which is not an interface instance: WIT can \
                         only give a function, type or inline interface a plain name",
                        world.name
                    ))
                    .with_help("names of the form `ns:pkg/name` are for interface instances"));
                }
            }
        }
    }
    for (id, ty) in resolve.types.iter() {
        let Some(dep) = resolve.type_interface_dep(id) else {
            continue;
        };
        if resolve.interfaces[dep].name.is_some() {
            continue;
        }
        let (world, inline) = resolve
            .worlds
            .iter()
            .find_map(|(_, w)| {
                w.imports
                    .iter()
                    .chain(&w.exports)
                    .find_map(|(k, item)| match (k, item) {
                        (WorldKey::Name(n), WorldItem::Interface { id, .. }) if *id == dep => {
                            Some((w.name.as_str(), n.as_str()))
                        }
                        _ => None,
                    })
            })
            .unwrap_or(("?", "?"));
        let user = match ty.owner {
            TypeOwner::Interface(i) => match resolve.id_of(i) {
                Some(id) => format!("interface `{id}`"),
                None => "an inline interface".to_string(),
            },
            TypeOwner::World(w) => format!("world `{}`", resolve.worlds[w].name),
            TypeOwner::None => "a type".to_string(),
        };
        return Err(Error::msg(format!(
            "{user} uses type `{}` of `{inline}`, an interface written inline in world \
             `{world}`, which WIT cannot express",
            ty.name.as_deref().unwrap_or("?")
        ))
        .with_help("in WIT, only the types of named interfaces can be used elsewhere"));
    }
    if let Some((pkg, a, b)) = resolve.package_name_clash() {
        return Err(Error::msg(format!(
            "package `{}` has items named `{a}` and `{b}`, which WIT cannot tell apart",
            resolve.packages[pkg].name
        ))
        .with_help(
            "interfaces and worlds of one package must differ in more than case and hyphens; \
             rename one in the binary, or re-create it from WIT",
        ));
    }
    if let Some((iface, a, b)) = resolve.interface_name_clash() {
        let which = match resolve.id_of(iface) {
            Some(id) => format!("interface `{id}`"),
            None => "an inline interface".to_string(),
        };
        return Err(Error::msg(format!(
            "{which} has items named `{a}` and `{b}`, which WIT cannot tell apart"
        ))
        .with_help(
            "the binary spells one interface two ways (in two worlds, say); names must differ \
             in more than case and hyphens",
        ));
    }
    let Some(cycle) = resolve.package_cycle() else {
        return Ok(());
    };
    let mut names: Vec<String> = cycle
        .iter()
        .map(|&p| format!("`{}`", resolve.packages[p].name))
        .collect();
    names.push(names[0].clone());
    Err(Error::msg(format!(
        "the binary's packages use each other in a cycle ({}), which WIT cannot express",
        names.join(" uses ")
    ))
    .with_help(
        "a package's interfaces may only use types of packages that do not use it back; \
         rename the interfaces' packages in the binary, or re-create it from WIT",
    ))
}
