//! Reading one input: validate it and record its top-level imports and exports with their
//! types (wasmparser's validator types).

use wasmparser::component_types::ComponentEntityType;
use wasmparser::types::Types;
use wasmparser::{Encoding, Parser, Payload, ValidPayload, Validator};
use weft_binary::{Error, Result};

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

/// Validates `bytes` (a component binary) and records its top-level imports and exports.
pub(crate) fn read<'a>(label: &str, bytes: &'a [u8]) -> Result<Component<'a>> {
    let ctx = |e: Error| e.context(format!("reading `{label}`"));
    let mut validator = Validator::new_with_features(weft_binary::features());
    let mut import_names = Vec::new();
    let mut export_names = Vec::new();
    let mut depth = 1usize;
    let mut types = None;
    let mut first = true;
    for payload in Parser::new(0).parse_all(bytes) {
        let payload = payload.map_err(|e| ctx(Error::from(e)))?;
        if std::mem::take(&mut first) {
            if let Payload::Version {
                encoding: Encoding::Module,
                range,
                ..
            } = &payload
            {
                return Err(ctx(Error::at(
                    range.start,
                    "this is a core module, not a component",
                )
                .with_help("wrap it with `weft new` first")));
            }
        }
        let at_top = depth == 1;
        match validator
            .payload(&payload)
            .map_err(|e| ctx(Error::from(e)))?
        {
            ValidPayload::Ok | ValidPayload::Func(..) => {}
            ValidPayload::Parser(_) => depth += 1,
            ValidPayload::End(t) => {
                depth = depth.saturating_sub(1);
                if depth == 0 {
                    types = Some(t);
                }
            }
        }
        match payload {
            Payload::ComponentImportSection(s) if at_top => {
                for import in s {
                    let import = import.map_err(|e| ctx(Error::from(e)))?;
                    import_names.push(import.name.name.to_string());
                }
            }
            Payload::ComponentExportSection(s) if at_top => {
                for export in s {
                    let export = export.map_err(|e| ctx(Error::from(e)))?;
                    export_names.push(export.name.name.to_string());
                }
            }
            _ => {}
        }
    }
    let types =
        types.ok_or_else(|| ctx(Error::at(bytes.len(), "unexpected end of the component")))?;
    let lookup = |name: &str, import: bool| {
        let item = if import {
            types.as_ref().component_item_for_import(name)
        } else {
            types.as_ref().component_item_for_export(name)
        };
        item.map(|i| i.ty)
            .ok_or_else(|| ctx(Error::msg(format!("no type for `{name}`"))))
    };
    let imports = import_names
        .iter()
        .map(|n| Ok((n.clone(), lookup(n, true)?)))
        .collect::<Result<Vec<_>>>()?;
    let exports = export_names
        .iter()
        .map(|n| Ok((n.clone(), lookup(n, false)?)))
        .collect::<Result<Vec<_>>>()?;
    Ok(Component {
        label: label.to_string(),
        bytes,
        types,
        imports,
        exports,
    })
}
