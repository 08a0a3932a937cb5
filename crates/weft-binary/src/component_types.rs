//! A validated component's types (wasmparser's) and its top-level imports and exports: what
//! the readers that work on types need, the WIT decoder (`weft-component`) and the composer
//! (`weft-compose`).

use wasmparser::types::Types;
use wasmparser::{CustomSectionReader, Encoding, Payload, ValidPayload};

use crate::{BodyPool, Error, Result, Validator};

/// A validated component's types and its top-level imports and exports.
pub struct ComponentTypes {
    /// wasmparser's types of the component, for looking up its imports and exports.
    pub types: Types,
    /// The top-level imports (`true`) and exports (`false`) by name, in the binary's order.
    pub externs: Vec<(String, bool)>,
}

/// Validates the component `bytes` with [`Validator`] and records its top-level imports and
/// exports; `custom` is given each top-level custom section on the way.
///
/// Errors say what failed: `reading the component` (a malformed or truncated binary, with a
/// hint when it ends early, or a core module), `validating the component`.
pub fn component_types<'a>(
    bytes: &'a [u8],
    custom: impl FnMut(&CustomSectionReader<'a>) -> Result<()>,
) -> Result<ComponentTypes> {
    component_types_with(bytes, custom, None)
}

/// [`component_types`], and with `bodies = Some((pool, first))` every function body queued on
/// `pool` to be validated, with the keys `first`, `first + 1`, … in the binary's order; the
/// bodies' validation is the pool's to report ([`BodyPool::run`]). Without, function bodies are
/// not validated.
pub fn component_types_with<'a>(
    bytes: &'a [u8],
    mut custom: impl FnMut(&CustomSectionReader<'a>) -> Result<()>,
    bodies: Option<(&BodyPool<'a>, u64)>,
) -> Result<ComponentTypes> {
    let mut next_key = bodies.map_or(0, |(_, first)| first);
    let mut validator = Validator::new();
    let mut externs = Vec::new();
    // 1 while reading the outermost component, more inside nested modules and components.
    let mut depth = 1usize;
    let mut types = None;
    let mut first = true;
    let skip = match bodies {
        Some(_) => crate::Bodies::Each,
        None => crate::Bodies::Skip,
    };
    for payload in crate::payloads(bytes, skip) {
        let payload = payload.map_err(|e| {
            let eof = e.message().contains("unexpected end");
            let e = e.context("reading the component");
            match eof {
                true => e.with_help("the binary ends early: is the file truncated?"),
                false => e,
            }
        })?;
        if std::mem::take(&mut first) {
            if let Payload::Version {
                encoding: Encoding::Module,
                range,
                ..
            } = &payload
            {
                return Err(
                    Error::at(range.start, "this is a core module, not a component")
                        .with_help("wrap it with `weft new` first"),
                );
            }
        }
        let at_top = depth == 1;
        match validator
            .payload(&payload)
            .map_err(|e| e.context("validating the component"))?
        {
            ValidPayload::Ok => {}
            ValidPayload::Func(func, body) => {
                if let Some((pool, _)) = bodies {
                    pool.push(next_key, func, body);
                    next_key += 1;
                }
            }
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
                    externs.push((import?.name.name.to_string(), true));
                }
            }
            Payload::ComponentExportSection(s) if at_top => {
                for export in s {
                    externs.push((export?.name.name.to_string(), false));
                }
            }
            Payload::CustomSection(s) if at_top => custom(&s)?,
            _ => {}
        }
    }
    let types = types.ok_or_else(|| {
        Error::at(bytes.len(), "unexpected end of the component").context("reading the component")
    })?;
    Ok(ComponentTypes { types, externs })
}
