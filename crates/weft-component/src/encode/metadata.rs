//! The `component-type` custom section: the world a core module was built against, carried
//! inside the module until it is wrapped into a component.
//!
//! The payload is a component (wit-component's format 4, `metadata.rs` in wit-component 0.262):
//!
//! 1. a custom section `wit-component-encoding` with two bytes: the format version `0x04` and
//!    the string encoding of the bindings (`0x00` UTF-8, `0x01` UTF-16, `0x02` Latin-1+UTF-16);
//! 2. one type: a component type that holds the world's component type and exports it as
//!    `ns:pkg/world@version`, exported under the world's plain name;
//! 3. a `producers` section.
//!
//! The section is named `component-type:<producer>:<version>:<package>:<world>:encoded world`
//! after wit-bindgen's convention, so that sections from several bindings linked into one
//! module keep distinct names; anything starting with `component-type` is read.

use std::borrow::Cow;

use wasm_encoder::{ComponentBuilder, ComponentExportKind, CustomSection, Encode as _};
use wasmparser::{Encoding, Parser, Payload};
use weft_wit::{Resolve, WorldId};

use super::{producers_section, wit, world_of};
use crate::{Error, Result, StringEncoding};

/// The format version byte of `wit-component-encoding`.
const FORMAT_VERSION: u8 = 0x04;

/// The custom section inside the payload that carries the format and string encoding.
const ENCODING_SECTION: &str = "wit-component-encoding";

/// The byte that stands for `encoding` in `wit-component-encoding`.
fn encoding_byte(encoding: StringEncoding) -> u8 {
    match encoding {
        StringEncoding::Utf8 => 0x00,
        StringEncoding::Utf16 => 0x01,
        StringEncoding::CompactUtf16 => 0x02,
    }
}

/// The payload of a `component-type` custom section for `world`.
pub(crate) fn payload(
    resolve: &Resolve,
    world: WorldId,
    encoding: StringEncoding,
) -> Result<Vec<u8>> {
    let ty = wit::world_wrapper(resolve, world)?;
    let name = &world_of(resolve, world)?.name;
    let mut builder = ComponentBuilder::default();
    builder.custom_section(&CustomSection {
        name: ENCODING_SECTION.into(),
        data: Cow::Borrowed(&[FORMAT_VERSION, encoding_byte(encoding)]),
    });
    let index = builder.type_component(None, &ty);
    builder.export(name.as_str(), ComponentExportKind::Type, index, None);
    builder.raw_custom_section(&producers_section());
    Ok(builder.finish())
}

/// The name of the `component-type` section for `world`:
/// `component-type:weft:<version>:<ns>:<pkg>[@<v>]:<world>:encoded world`.
pub(crate) fn section_name(resolve: &Resolve, world: WorldId) -> Result<String> {
    let w = world_of(resolve, world)?;
    let pkg = w
        .package
        .and_then(|p| resolve.packages.get(p))
        .map(|p| p.name.to_string())
        .unwrap_or_default();
    Ok(format!(
        "component-type:weft:{}:{pkg}:{}:encoded world",
        env!("CARGO_PKG_VERSION"),
        w.name
    ))
}

/// The whole custom section (id, size, name, payload), ready to append to a module.
pub(crate) fn section(
    resolve: &Resolve,
    world: WorldId,
    encoding: StringEncoding,
) -> Result<Vec<u8>> {
    let data = payload(resolve, world, encoding)?;
    let name = section_name(resolve, world)?;
    let section = CustomSection {
        name: name.as_str().into(),
        data: Cow::Owned(data),
    };
    let mut out = vec![0u8];
    section.encode(&mut out);
    Ok(out)
}

/// `module` with the `component-type` section of `world` appended. `module` must be a core
/// module; it is checked, not validated.
pub(crate) fn embed(
    module: &[u8],
    resolve: &Resolve,
    world: WorldId,
    encoding: StringEncoding,
) -> Result<Vec<u8>> {
    match Parser::new(0).parse_all(module).next() {
        Some(Ok(Payload::Version { encoding, .. })) => match encoding {
            Encoding::Module => {}
            Encoding::Component => {
                return Err(
                    Error::msg("the input is a component, not a core module").with_help(
                        "a world is embedded into the core module a component is built from",
                    ),
                )
            }
        },
        Some(Err(e)) => return Err(Error::from(e).context("the input is not a WebAssembly binary")),
        _ => return Err(Error::msg("the input is empty, not a core module")),
    }
    let section = section(resolve, world, encoding)?;
    let mut out = Vec::with_capacity(module.len() + section.len());
    out.extend_from_slice(module);
    out.extend_from_slice(&section);
    Ok(out)
}
