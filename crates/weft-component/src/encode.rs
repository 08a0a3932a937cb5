//! A resolved WIT package or world → its Component Model binary form, in the layout
//! wit-component (wasm-tools 1.262) uses, so that either tool reads what the other writes.
//!
//! * [`encode_package`]: a WIT package as a component exporting one type per interface and
//!   world, plus the `package-docs` section with docs and stability gates.
//! * [`encode_world`]: one world as a component exporting its type, the form the
//!   `component-type` section carries.
//! * [`component_type_section`] and [`embed`]: that section, and a core module with it
//!   appended.
//!
//! Modules:
//!
//! * `types`: WIT value and function types → type definitions, for any index space (the
//!   [`TypeSpace`](types::TypeSpace) trait, one implementation per context);
//! * `wit`: packages, interfaces and worlds → component types;
//! * `docs`: the `package-docs` custom section;
//! * `metadata`: the `component-type` custom section and embedding it.

mod docs;
mod metadata;
pub(crate) mod types;
mod wit;
pub(crate) use wit::extern_name;

use std::borrow::Cow;

use wasm_encoder::{ComponentBuilder, ComponentExportKind, CustomSection, Encode as _};
use weft_wit::{Interface, InterfaceId, PackageId, Resolve, World, WorldId};

use crate::{Error, Result, StringEncoding};

/// Encodes the WIT package `pkg` as a component: each interface and each world becomes an
/// exported component type, and a `package-docs` custom section keeps docs and
/// `@since`/`@unstable`/`@deprecated` gates. This is `wasm-tools component wit --wasm`.
///
/// Fails only on a `Resolve` that is not fully resolved (unknown ids, placeholder types).
pub fn encode_package(resolve: &Resolve, pkg: PackageId) -> Result<Vec<u8>> {
    let mut component = ComponentBuilder::default();
    wit::encode_package_types(resolve, pkg, &mut component)?;
    let docs = docs::package_docs(resolve, pkg)?;
    component.custom_section(&CustomSection {
        name: docs::SECTION_NAME.into(),
        data: Cow::Owned(docs),
    });
    component.raw_custom_section(&producers_section());
    Ok(component.finish())
}

/// Encodes one world as a component with a single export, under the world's name: a
/// component type that holds the world's component type and exports it as
/// `ns:pkg/world@version`. This is the component inside the `component-type` custom section,
/// without the section's string-encoding marker (see [`component_type_section`]).
pub fn encode_world(resolve: &Resolve, world: WorldId) -> Result<Vec<u8>> {
    let ty = wit::world_wrapper(resolve, world)?;
    let mut component = ComponentBuilder::default();
    let index = component.type_component(None, &ty);
    component.export(
        world_of(resolve, world)?.name.as_str(),
        ComponentExportKind::Type,
        index,
        None,
    );
    component.raw_custom_section(&producers_section());
    Ok(component.finish())
}

/// The payload of the `component-type` custom section for `world`: the world component of
/// [`encode_world`] preceded by the `wit-component-encoding` marker (format 4 and the string
/// encoding the bindings use). This is what `wasm-tools component embed --only-custom`
/// writes.
pub fn component_type_section(
    resolve: &Resolve,
    world: WorldId,
    encoding: StringEncoding,
) -> Result<Vec<u8>> {
    metadata::payload(resolve, world, encoding)
}

/// The name [`embed`] gives the custom section:
/// `component-type:weft:<version>:<ns>:<pkg>[@<v>]:<world>:encoded world`, after
/// wit-bindgen's convention.
pub fn component_type_section_name(resolve: &Resolve, world: WorldId) -> Result<String> {
    metadata::section_name(resolve, world)
}

/// Appends the `component-type` custom section of `world` to the core module `module`, the
/// way bindings generators do, so that the module can then be wrapped into a component.
///
/// Fails when `module` is not a core module (a component, or not WebAssembly at all).
pub fn embed(
    module: &[u8],
    resolve: &Resolve,
    world: WorldId,
    encoding: StringEncoding,
) -> Result<Vec<u8>> {
    metadata::embed(module, resolve, world, encoding)
}

/// The world `id`, or an error when the `Resolve` has no such world.
pub(crate) fn world_of(resolve: &Resolve, id: WorldId) -> Result<&World> {
    resolve
        .worlds
        .get(id)
        .ok_or_else(|| Error::msg(format!("world id {id:?} is not in the `Resolve`")))
}

/// The interface `id`, or an error when the `Resolve` has no such interface.
pub(crate) fn interface_of(resolve: &Resolve, id: InterfaceId) -> Result<&Interface> {
    resolve
        .interfaces
        .get(id)
        .ok_or_else(|| Error::msg(format!("interface id {id:?} is not in the `Resolve`")))
}

/// A `producers` custom section (size, name and payload, without the section id, as
/// `ComponentBuilder::raw_custom_section` takes it) naming weft as the tool that
/// processed the binary: one field, `processed-by`, with one value, `weft <version>`.
pub(crate) fn producers_section() -> Vec<u8> {
    let mut data = Vec::new();
    1u32.encode(&mut data);
    "processed-by".encode(&mut data);
    1u32.encode(&mut data);
    "weft".encode(&mut data);
    env!("CARGO_PKG_VERSION").encode(&mut data);
    let mut out = Vec::new();
    CustomSection {
        name: "producers".into(),
        data: Cow::Owned(data),
    }
    .encode(&mut out);
    out
}

#[cfg(test)]
mod tests {
    use weft_wit::{Id, Type, TypeDefKind};

    use super::*;

    const WIT: &str = "package a:b;\n\
        interface i { record r { x: u32 } f: func(r: r) -> list<r>; }\n\
        world w { import i; export g: func(); }\n";

    fn resolve() -> (Resolve, PackageId) {
        let mut resolve = Resolve::new();
        let pkg = resolve.push_str("t.wit", WIT).expect("test WIT resolves");
        (resolve, pkg)
    }

    #[test]
    fn valid_input_encodes() {
        let (resolve, pkg) = resolve();
        assert!(encode_package(&resolve, pkg).is_ok());
        let world = resolve.packages[pkg].worlds["w"];
        assert!(encode_world(&resolve, world).is_ok());
        assert!(component_type_section(&resolve, world, StringEncoding::Utf16).is_ok());
    }

    #[test]
    fn placeholder_types_are_errors() {
        let (mut resolve, pkg) = resolve();
        let world = resolve.packages[pkg].worlds["w"];
        for (_, ty) in resolve.types.iter_mut() {
            if ty.name.as_deref() == Some("r") {
                ty.kind = TypeDefKind::Unknown;
            }
        }
        let err = encode_package(&resolve, pkg).expect_err("a placeholder is an error");
        assert!(err.to_string().contains("placeholder"), "{err}");
        assert!(encode_world(&resolve, world).is_err());
    }

    #[test]
    fn unknown_ids_are_errors() {
        let (mut resolve, pkg) = resolve();
        assert!(encode_package(&resolve, Id::from_index(99)).is_err());
        assert!(encode_world(&resolve, Id::from_index(99)).is_err());
        assert!(component_type_section_name(&resolve, Id::from_index(99)).is_err());
        assert!(embed(
            b"\0asm\x01\0\0\0",
            &resolve,
            Id::from_index(99),
            StringEncoding::Utf8
        )
        .is_err());
        // A record field that refers to a type that does not exist.
        for (_, ty) in resolve.types.iter_mut() {
            if let TypeDefKind::Record(r) = &mut ty.kind {
                r.fields[0].ty = Type::Id(Id::from_index(999));
            }
        }
        assert!(encode_package(&resolve, pkg).is_err());
    }

    #[test]
    fn type_cycles_are_errors() {
        let (mut resolve, pkg) = resolve();
        let ids: Vec<_> = resolve.types.iter().map(|(id, _)| id).collect();
        for (id, ty) in resolve.types.iter_mut() {
            ty.kind = TypeDefKind::Type(Type::Id(id));
        }
        assert!(!ids.is_empty());
        let err = encode_package(&resolve, pkg).expect_err("a cycle is an error");
        assert!(err.to_string().contains("in terms of itself"), "{err}");
    }

    #[test]
    fn embed_refuses_what_is_not_a_core_module() {
        let (resolve, pkg) = resolve();
        let world = resolve.packages[pkg].worlds["w"];
        let component = encode_world(&resolve, world).expect("encodes");
        let err = embed(&component, &resolve, world, StringEncoding::Utf8).expect_err("component");
        assert!(err.to_string().contains("is a component"), "{err}");
        assert!(embed(b"", &resolve, world, StringEncoding::Utf8).is_err());
        assert!(embed(b"not wasm", &resolve, world, StringEncoding::Utf8).is_err());
    }
}
