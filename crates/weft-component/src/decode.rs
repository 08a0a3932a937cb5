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
use weft_wit::{PackageId, Resolve, WorldId};

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
        Ok(Into::Package(pkg))
    } else {
        let world = decoder.decode_component(&externs)?;
        if let Some((offset, data)) = &info.package_docs {
            let pkg = world_package(decoder.resolve(), world);
            inject_package_docs(decoder.resolve(), pkg, *offset, data)?;
        }
        Ok(Into::Component(world))
    }
}
