//! Reading one input: validate it (its function bodies on a [`BodyPool`]) and record its top-level imports and exports with their
//! types (wasmparser's validator types).

use wasmparser::component_types::{ComponentAnyTypeId, ComponentEntityType};
use wasmparser::types::Types;
use weft_binary::{component_types_with, BodyPool, ComponentTypes, Error, Result};

/// One validated input component.
pub(crate) struct Component<'a> {
    /// What errors call it (the file name the caller gave).
    pub(crate) label: String,
    pub(crate) bytes: &'a [u8],
    pub(crate) types: Types,
    /// Top-level imports, in order.
    pub(crate) imports: Vec<(String, ComponentEntityType)>,
    /// Top-level exports, in order.
    pub(crate) exports: Vec<(String, ComponentEntityType)>,
}

/// Validates `bytes` (a component binary) and records its top-level imports and exports. Its
/// function bodies are queued on `bodies` with keys from `first_key` on.
pub(crate) fn read<'a>(
    label: &str,
    bytes: &'a [u8],
    bodies: &BodyPool<'a>,
    first_key: u64,
) -> Result<Component<'a>> {
    let ctx = |e: Error| e.context(format!("reading `{label}`"));
    let ComponentTypes { types, externs } =
        component_types_with(bytes, |_| Ok(()), Some((bodies, first_key))).map_err(ctx)?;
    let lookup = |name: &str, import: bool| {
        let item = if import {
            types.as_ref().component_item_for_import(name)
        } else {
            types.as_ref().component_item_for_export(name)
        };
        item.map(|i| i.ty)
            .ok_or_else(|| ctx(Error::msg(format!("no type for `{name}`"))))
    };
    let (mut imports, mut exports) = (Vec::new(), Vec::new());
    for (name, import) in externs {
        let ty = lookup(&name, import)?;
        match import {
            true => imports.push((name, ty)),
            false => exports.push((name, ty)),
        }
    }
    // A WIT package encoded as a component (`weft wit --wasm`) exports only the component
    // types of its interfaces and worlds: there is nothing in it to instantiate.
    let is_package = imports.is_empty()
        && !exports.is_empty()
        && exports.iter().all(|(_, ty)| {
            matches!(
                ty,
                ComponentEntityType::Type {
                    referenced: ComponentAnyTypeId::Component(_),
                    ..
                }
            )
        });
    if is_package {
        return Err(Error::msg(format!(
            "`{label}` is a WIT package encoded as a component (it exports only the types of \
             its interfaces and worlds), not a component that can be instantiated"
        ))
        .with_help(
            "compose components built from the package's worlds; `weft wit` prints the package",
        ));
    }
    Ok(Component {
        label: label.to_string(),
        bytes,
        types,
        imports,
        exports,
    })
}
