//! `component-type*` custom sections of a core module: the world its bindings were generated
//! for, and their string encoding.
//!
//! A section's payload is one of two formats (wit-component's `metadata.rs`):
//!
//! * current (version 4): a component whose single export is a component type whose single
//!   export is the world's type, named `ns:pkg/world@version`; a `wit-component-encoding`
//!   custom section in it holds `[0x04, string encoding]`;
//! * old (version 3): `[0x03, string encoding, world name (a LEB128-prefixed string)]`
//!   followed by a binary WIT package that defines that world.
//!
//! String encodings are 0 = UTF-8, 1 = UTF-16, 2 = Latin-1+UTF-16.
//!
//! Several sections decode into one [`Resolve`] (packages of the same name are shared, their
//! items checked against each other). Sections that name the same world merge into it; if they
//! name different worlds, the result is a world `root:root/root` importing and exporting the
//! union, and a name imported (or exported) with two different types is an error naming it.

use indexmap::IndexMap;
use wasmparser::component_types::{ComponentAnyTypeId, ComponentEntityType};
use wasmparser::{BinaryReader, Parser, Payload};
use weft_wit::{
    Docs, Function, Package, PackageName, Resolve, Span, Stability, Type, TypeDefKind, World,
    WorldId, WorldItem, WorldKey,
};

use super::convert::Decoder;
use super::{read_component, to_binary, Into};
use crate::{Error, Result, StringEncoding};

/// The world a core module was built against, from its `component-type` custom sections.
#[derive(Debug)]
pub struct Metadata {
    /// The world's package and every package it refers to.
    pub resolve: Resolve,
    /// The world (the sections' merged world when they name several).
    pub world: WorldId,
    /// The string encoding of the module's bindings (the first section's, when several).
    pub string_encoding: StringEncoding,
}

const ENCODING_SECTION: &str = "wit-component-encoding";

/// Reads the `component-type*` custom sections of a core module (binary or text).
///
/// Returns `None` when there are none, and an error when `module` is not a core module or a
/// section is malformed (naming the section).
pub fn decode_metadata(module: &[u8]) -> Result<Option<Metadata>> {
    let module = to_binary(module)?;
    let mut resolve = Resolve::new();
    Ok(
        metadata_into(&mut resolve, &module)?.map(|(world, string_encoding)| Metadata {
            resolve,
            world,
            string_encoding,
        }),
    )
}

/// Decodes the `component-type` sections of a core module binary into `resolve`: the world
/// and the string encoding, or `None` without sections.
pub(crate) fn metadata_into(
    resolve: &mut Resolve,
    module: &[u8],
) -> Result<Option<(WorldId, StringEncoding)>> {
    let mut worlds: Vec<WorldId> = Vec::new();
    let mut encoding = None;
    for payload in Parser::new(0).parse_all(module) {
        let payload = payload.map_err(|e| Error::from(e).context("reading the core module"))?;
        match payload {
            Payload::Version {
                encoding: wasmparser::Encoding::Component,
                range,
                ..
            } => {
                return Err(Error::at(range.start, "this is a component, not a core module")
                    .with_help("`component-type` sections are read from core modules; decode a component with `weft wit print`"))
            }
            Payload::CustomSection(s) if s.name().starts_with("component-type") => {
                let name = s.name().to_string();
                let (world, enc) = decode_section(resolve, s.data())
                    .map_err(|e| e.context(format!("decoding custom section `{name}` (at offset {:#x})", s.data_offset())))?;
                encoding.get_or_insert(enc);
                if !worlds.contains(&world) {
                    worlds.push(world);
                }
            }
            // Nested payloads never happen in a core module; everything else is irrelevant.
            _ => {}
        }
    }
    let Some(string_encoding) = encoding else {
        return Ok(None);
    };
    let world = match worlds.as_slice() {
        [one] => *one,
        _ => union_world(resolve, &worlds)?,
    };
    Ok(Some((world, string_encoding)))
}

/// Decodes one section into `resolve`: its world and string encoding.
fn decode_section(resolve: &mut Resolve, data: &[u8]) -> Result<(WorldId, StringEncoding)> {
    if data.first() == Some(&0x03) {
        let mut reader = BinaryReader::new(data, 0);
        let _version = reader.read_u8().map_err(Error::from)?;
        let encoding = string_encoding(reader.read_u8().map_err(Error::from)?)?;
        let world_name = reader.read_string().map_err(Error::from)?.to_string();
        let wasm = &data[reader.original_position()..];
        let mut scratch = resolve.clone();
        let pkg = match super::decode_into(&mut scratch, wasm)? {
            Into::Package(p) => p,
            Into::Component(_) => {
                return Err(Error::msg(
                    "expected a binary WIT package after the world name",
                ))
            }
        };
        let world = scratch
            .select_world(pkg, Some(&world_name))
            .map_err(|e| Error::msg(e.message().to_string()))?;
        *resolve = scratch;
        return Ok((world, encoding));
    }
    let info = read_component(data)?;
    let encoding = match info.encoding_section.as_deref() {
        None => {
            return Err(Error::msg(format!(
                "the section has no `{ENCODING_SECTION}` custom section"
            ))
            .with_help("regenerate the bindings (or `weft embed` the world again)"))
        }
        Some([0x04, byte]) => string_encoding(*byte)?,
        Some([version, ..]) => {
            return Err(Error::msg(format!(
                "the section uses format {version}, but only 3 and 4 are supported"
            ))
            .with_help("regenerate the bindings with a current bindings generator"))
        }
        Some([]) => return Err(Error::msg(format!("`{ENCODING_SECTION}` is empty"))),
    };
    let [(name, false)] = info.externs.as_slice() else {
        return Err(Error::msg(
            "expected a component with exactly one export (the world's type)",
        ));
    };
    let Some(item) = info.types.component_item_for_export(name) else {
        return Err(Error::msg("the world's type is missing"));
    };
    let ComponentEntityType::Type {
        created: ComponentAnyTypeId::Component(outer),
        ..
    } = item.ty
    else {
        return Err(Error::msg("the export is not a component type"));
    };
    let outer = &info.types[outer];
    let (Some((world_name, world_item)), 1, 0) = (
        outer.exports.iter().next(),
        outer.exports.len(),
        outer.imports.len(),
    ) else {
        return Err(Error::msg(
            "the exported component type must export exactly one world and import nothing",
        ));
    };
    let mut scratch = resolve.clone();
    let world =
        Decoder::new(&mut scratch, &info.types).decode_world_type(world_name, world_item)?;
    super::expressible(&scratch)?;
    *resolve = scratch;
    Ok((world, encoding))
}

fn string_encoding(byte: u8) -> Result<StringEncoding> {
    match byte {
        0 => Ok(StringEncoding::Utf8),
        1 => Ok(StringEncoding::Utf16),
        2 => Ok(StringEncoding::CompactUtf16),
        b => Err(Error::msg(format!("invalid string encoding {b:#x}"))),
    }
}

/// A world `root:root/root` importing and exporting everything `worlds` do.
fn union_world(resolve: &mut Resolve, worlds: &[WorldId]) -> Result<WorldId> {
    let name = PackageName {
        namespace: "root".to_string(),
        name: "root".to_string(),
        version: None,
    };
    let mut imports: IndexMap<WorldKey, WorldItem> = IndexMap::new();
    let mut exports: IndexMap<WorldKey, WorldItem> = IndexMap::new();
    for &w in worlds {
        let world = &resolve.worlds[w];
        for (items, into, what) in [
            (&world.imports, &mut imports, "import"),
            (&world.exports, &mut exports, "export"),
        ] {
            for (key, item) in items {
                if let Some(prev) = into.get(key) {
                    if !item_eq(resolve, prev, item) {
                        let name = match key {
                            WorldKey::Name(n) => n.clone(),
                            WorldKey::Interface(i) => resolve.id_of(*i).unwrap_or_default(),
                        };
                        return Err(Error::msg(format!(
                            "{what} `{name}` has different types in two `component-type` sections"
                        ))
                        .with_help("build the module's bindings from one version of the WIT"));
                    }
                    continue;
                }
                into.insert(key.clone(), item.clone());
            }
        }
    }
    let pkg = match resolve.package_names.get(&name) {
        Some(p) => *p,
        None => {
            let p = resolve.packages.alloc(Package {
                name: name.clone(),
                docs: Docs::default(),
                interfaces: IndexMap::new(),
                worlds: IndexMap::new(),
            });
            resolve.package_names.insert(name, p);
            p
        }
    };
    if resolve.packages[pkg].worlds.contains_key("root") {
        return Err(Error::msg(
            "the sections already define a world `root:root/root`",
        ));
    }
    let world = resolve.worlds.alloc(World {
        name: "root".to_string(),
        imports,
        exports,
        package: Some(pkg),
        docs: Docs::default(),
        stability: Stability::Unknown,
        span: Span::UNKNOWN,
    });
    resolve.packages[pkg]
        .worlds
        .insert("root".to_string(), world);
    Ok(world)
}

/// Whether two world items describe the same thing.
pub(crate) fn item_eq(resolve: &Resolve, a: &WorldItem, b: &WorldItem) -> bool {
    match (a, b) {
        (WorldItem::Interface { id: x, .. }, WorldItem::Interface { id: y, .. }) => {
            if x == y {
                return true;
            }
            let (x, y) = (&resolve.interfaces[*x], &resolve.interfaces[*y]);
            x.name == y.name
                && x.functions.len() == y.functions.len()
                && x.functions.iter().all(|(n, f)| {
                    y.functions
                        .get(n)
                        .is_some_and(|g| function_eq(resolve, f, g))
                })
                && x.types.len() == y.types.len()
                && x.types.iter().all(|(n, t)| {
                    y.types
                        .get(n)
                        .is_some_and(|u| type_eq(resolve, Type::Id(*t), Type::Id(*u), 0))
                })
        }
        (WorldItem::Function(f), WorldItem::Function(g)) => function_eq(resolve, f, g),
        (WorldItem::Type { id: x, .. }, WorldItem::Type { id: y, .. }) => {
            type_eq(resolve, Type::Id(*x), Type::Id(*y), 0)
        }
        _ => false,
    }
}

/// Whether two functions have the same name, kind and signature.
pub(crate) fn function_eq(resolve: &Resolve, f: &Function, g: &Function) -> bool {
    f.name == g.name
        && f.kind.is_async() == g.kind.is_async()
        && f.params.len() == g.params.len()
        && f.params
            .iter()
            .zip(&g.params)
            .all(|(p, q)| p.name == q.name && type_eq(resolve, p.ty, q.ty, 0))
        && match (f.result, g.result) {
            (Some(a), Some(b)) => type_eq(resolve, a, b, 0),
            (None, None) => true,
            _ => false,
        }
}

/// Structural equality of two types of the same `Resolve` (named types also by name).
fn type_eq(resolve: &Resolve, a: Type, b: Type, depth: usize) -> bool {
    let (Type::Id(x), Type::Id(y)) = (a, b) else {
        return a == b;
    };
    if x == y {
        return true;
    }
    if depth > 100 {
        return false;
    }
    let (dx, dy) = (&resolve.types[x], &resolve.types[y]);
    if dx.name != dy.name {
        return false;
    }
    let eq = |a: Type, b: Type| type_eq(resolve, a, b, depth + 1);
    let opt = |a: Option<Type>, b: Option<Type>| match (a, b) {
        (Some(a), Some(b)) => eq(a, b),
        (None, None) => true,
        _ => false,
    };
    match (&dx.kind, &dy.kind) {
        (TypeDefKind::Record(r), TypeDefKind::Record(s)) => {
            r.fields.len() == s.fields.len()
                && r.fields
                    .iter()
                    .zip(&s.fields)
                    .all(|(f, g)| f.name == g.name && eq(f.ty, g.ty))
        }
        (TypeDefKind::Variant(r), TypeDefKind::Variant(s)) => {
            r.cases.len() == s.cases.len()
                && r.cases
                    .iter()
                    .zip(&s.cases)
                    .all(|(f, g)| f.name == g.name && opt(f.ty, g.ty))
        }
        (TypeDefKind::Enum(r), TypeDefKind::Enum(s)) => r
            .cases
            .iter()
            .map(|c| &c.name)
            .eq(s.cases.iter().map(|c| &c.name)),
        (TypeDefKind::Flags(r), TypeDefKind::Flags(s)) => r
            .flags
            .iter()
            .map(|c| &c.name)
            .eq(s.flags.iter().map(|c| &c.name)),
        (TypeDefKind::Tuple(r), TypeDefKind::Tuple(s)) => {
            r.types.len() == s.types.len() && r.types.iter().zip(&s.types).all(|(a, b)| eq(*a, *b))
        }
        (TypeDefKind::Handle(h), TypeDefKind::Handle(k)) => match (h, k) {
            (weft_wit::Handle::Own(a), weft_wit::Handle::Own(b))
            | (weft_wit::Handle::Borrow(a), weft_wit::Handle::Borrow(b)) => {
                eq(Type::Id(*a), Type::Id(*b))
            }
            _ => false,
        },
        (TypeDefKind::Option(a), TypeDefKind::Option(b))
        | (TypeDefKind::List(a), TypeDefKind::List(b))
        | (TypeDefKind::Type(a), TypeDefKind::Type(b)) => eq(*a, *b),
        (TypeDefKind::Map(a, b), TypeDefKind::Map(c, d)) => eq(*a, *c) && eq(*b, *d),
        (TypeDefKind::FixedLengthList(a, n), TypeDefKind::FixedLengthList(b, m)) => {
            n == m && eq(*a, *b)
        }
        (TypeDefKind::Result(r), TypeDefKind::Result(s)) => opt(r.ok, s.ok) && opt(r.err, s.err),
        (TypeDefKind::Future(a), TypeDefKind::Future(b))
        | (TypeDefKind::Stream(a), TypeDefKind::Stream(b)) => opt(*a, *b),
        // Two distinct resources are different types, whatever their names.
        _ => false,
    }
}
