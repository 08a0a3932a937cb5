//! Bytes → [`Binary`]: validate with wasmparser, then record the model in one pass over the
//! payloads.

use wasmparser::{
    CanonicalFunction, CanonicalOption, ComponentExternalKind, ComponentTypeRef, ExternalKind,
    KnownCustom, Parser, Payload, TypeRef, ValType, WasmFeatures,
};

use crate::model::*;
use crate::{Error, Result};

/// What kind of binary `bytes` is, from its header alone.
#[derive(Copy, Clone, Debug, PartialEq, Eq)]
pub enum Kind {
    /// A core module (`\0asm`, version 1).
    Module,
    /// A component (`\0asm`, layer 1).
    Component,
    /// WebAssembly text (starts with `(` after whitespace and comments).
    Text,
    /// Anything else.
    Unknown,
}

/// Tells a core module, a component and WebAssembly text apart by their first bytes.
pub fn kind(bytes: &[u8]) -> Kind {
    if Parser::is_component(bytes) {
        Kind::Component
    } else if Parser::is_core_wasm(bytes) {
        Kind::Module
    } else if looks_like_text(bytes) {
        Kind::Text
    } else {
        Kind::Unknown
    }
}

fn looks_like_text(bytes: &[u8]) -> bool {
    let Ok(text) = std::str::from_utf8(&bytes[..bytes.len().min(4096)]) else {
        return false;
    };
    let mut rest = text.trim_start_matches('\u{feff}');
    loop {
        rest = rest.trim_start();
        if let Some(r) = rest.strip_prefix(";;") {
            rest = r.split_once('\n').map_or("", |(_, r)| r);
        } else if let Some(r) = rest.strip_prefix("(;") {
            rest = r.split_once(";)").map_or("", |(_, r)| r);
        } else {
            return rest.starts_with('(');
        }
    }
}

/// The wasm features weft accepts: the component model with its async, error-context and
/// fixed-length-list extensions, on top of every standardized core proposal. Not nested
/// namespaces and projections in names (`a:b:c/d/e`, 🪺 in Explainer.md): wasmtime 48 does
/// not accept them and the spec tests expect them rejected.
pub fn features() -> WasmFeatures {
    WasmFeatures::all() - WasmFeatures::CM_NESTED_NAMES
}

/// How much of a binary to validate.
#[derive(Copy, Clone, Debug, PartialEq, Eq)]
pub enum Validation {
    /// Everything, function bodies included: what running the code or shipping it needs.
    Full,
    /// Everything but function bodies: types, imports, exports, instances, canonical options
    /// and the structure of every module. What reading a binary's interface needs; function
    /// bodies are most of a large binary's validation time and say nothing about its
    /// interface.
    Structure,
}

/// Validates `bytes` (as far as `validation` says) with weft's [`features`] and the rules
/// weft adds to wasmparser's ([`crate::Validator`]).
///
/// Function bodies are validated on every core the machine has, while the structure is read,
/// when there are enough of them ([`crate::BodyPool`]). The error reported is the one validating
/// in order would report: the first invalid body, else the structure's error.
pub fn validate(bytes: &[u8], validation: Validation) -> Result<()> {
    let threads = match validation {
        Validation::Full => crate::body_threads(bytes.len()),
        Validation::Structure => 1,
    };
    let (structure, bodies) = crate::BodyPool::run(threads, |pool| {
        let mut validator = crate::Validator::new();
        let mut key = 0;
        let bodies = match validation {
            Validation::Full => crate::Bodies::Each,
            Validation::Structure => crate::Bodies::Skip,
        };
        for payload in crate::payloads(bytes, bodies) {
            if let wasmparser::ValidPayload::Func(func, body) = validator.payload(&payload?)? {
                if validation == Validation::Full {
                    pool.push(key, func, body);
                    key += 1;
                }
            }
        }
        Ok(())
    });
    // Bodies queued were all read before any error of the structure: theirs comes first.
    bodies.map_err(|(_, e)| e).and(structure)
}

/// Validates `bytes` fully and decodes it into the model.
pub fn decode(bytes: &[u8]) -> Result<Binary> {
    decode_with(bytes, Validation::Full)
}

/// Validates `bytes` as far as `validation` says and decodes it into the model.
pub fn decode_with(bytes: &[u8], validation: Validation) -> Result<Binary> {
    let what = match kind(bytes) {
        Kind::Module => "core module",
        Kind::Component => "component",
        Kind::Text => {
            return Err(Error::msg("this is WebAssembly text, not a binary")
                .with_help("compile it first (e.g. `wasm-tools parse`), or pass it where `.wat` input is accepted"))
        }
        Kind::Unknown => return Err(not_wasm(bytes)),
    };
    validate(bytes, validation).map_err(|e| e.context(format!("invalid {what}")))?;
    decode_unvalidated(bytes).map_err(|e| e.context(format!("reading {what}")))
}

/// The error for bytes that are not WebAssembly at all.
pub fn not_wasm(bytes: &[u8]) -> Error {
    let head: String = bytes
        .iter()
        .take(8)
        .map(|b| format!("{b:02x}"))
        .collect::<Vec<_>>()
        .join(" ");
    if bytes.len() >= 8 && bytes.starts_with(b"\0asm") {
        let version = u16::from_le_bytes([bytes[4], bytes[5]]);
        let layer = u16::from_le_bytes([bytes[6], bytes[7]]);
        return Error::at(
            4,
            format!("unsupported WebAssembly binary version {version} (layer {layer})"),
        )
        .with_help("weft reads core modules (version 1, layer 0) and components (layer 1)");
    }
    if bytes.is_empty() {
        return Error::msg("the file is empty, not a WebAssembly binary");
    }
    if bytes.len() < 8 && b"\0asm".starts_with(&bytes[..bytes.len().min(4)]) {
        return Error::at(
            bytes.len(),
            format!(
                "unexpected end of the binary: the file ends inside the 8-byte header, after {} bytes",
                bytes.len()
            ),
        )
        .with_help("the file is truncated; rebuild or download it again");
    }
    Error::at(
        0,
        format!("not a WebAssembly binary: it starts with `{head}`, not `00 61 73 6d`"),
    )
}

enum Frame {
    Module(Module),
    Component(Component),
}

/// Decodes without validating first. Only for bytes that were validated before: on invalid
/// input this returns an error or a partial model, never panics.
pub fn decode_unvalidated(bytes: &[u8]) -> Result<Binary> {
    let mut stack: Vec<Frame> = Vec::new();
    // The extent of a nested binary, known from its section header, for the frame its own
    // `Version` payload is about to push.
    let mut nested: Option<std::ops::Range<usize>> = None;
    for payload in crate::payloads(bytes, crate::Bodies::Skip) {
        let payload = payload?;
        match payload {
            Payload::Version {
                encoding, range, ..
            } => {
                let range = nested.take().unwrap_or(range.start..bytes.len());
                stack.push(match encoding {
                    wasmparser::Encoding::Module => Frame::Module(Module {
                        range,
                        ..Module::default()
                    }),
                    wasmparser::Encoding::Component => Frame::Component(Component {
                        range,
                        ..Component::default()
                    }),
                })
            }
            Payload::ModuleSection {
                unchecked_range, ..
            }
            | Payload::ComponentSection {
                unchecked_range, ..
            } => {
                // `payloads` has checked that the file holds all of it.
                nested = Some(unchecked_range)
            }
            Payload::End(_) => {
                let frame = stack.pop().ok_or_else(|| Error::msg("unbalanced binary"))?;
                match (stack.last_mut(), frame) {
                    (None, Frame::Module(m)) => return Ok(Binary::Module(m)),
                    (None, Frame::Component(c)) => return Ok(Binary::Component(c)),
                    (Some(Frame::Component(parent)), Frame::Module(m)) => {
                        let n = parent.modules.len() as u32;
                        parent
                            .items
                            .push((ComponentKind::Module, Origin::Defined(n)));
                        parent.modules.push(m)
                    }
                    (Some(Frame::Component(parent)), Frame::Component(c)) => {
                        let n = parent.components.len() as u32;
                        parent
                            .items
                            .push((ComponentKind::Component, Origin::Defined(n)));
                        parent.components.push(c)
                    }
                    (Some(Frame::Module(_)), _) => {
                        return Err(Error::msg("a core module cannot nest other binaries"))
                    }
                }
            }
            other => match stack.last_mut() {
                Some(Frame::Module(m)) => module_payload(m, other)?,
                Some(Frame::Component(c)) => component_payload(c, other)?,
                None => return Err(Error::msg("payload outside of any binary")),
            },
        }
    }
    Err(Error::at(bytes.len(), "unexpected end of the binary"))
}

fn core_kind(kind: ExternalKind) -> CoreKind {
    match kind {
        ExternalKind::Func | ExternalKind::FuncExact => CoreKind::Func,
        ExternalKind::Table => CoreKind::Table,
        ExternalKind::Memory => CoreKind::Memory,
        ExternalKind::Global => CoreKind::Global,
        ExternalKind::Tag => CoreKind::Tag,
    }
}

fn val_type(ty: ValType) -> CoreValType {
    match ty {
        ValType::I32 => CoreValType::I32,
        ValType::I64 => CoreValType::I64,
        ValType::F32 => CoreValType::F32,
        ValType::F64 => CoreValType::F64,
        ValType::V128 => CoreValType::V128,
        ValType::Ref(_) => CoreValType::Ref,
    }
}

fn module_payload(m: &mut Module, payload: Payload<'_>) -> Result<()> {
    match payload {
        Payload::TypeSection(reader) => {
            for group in reader {
                for sub in group?.into_types() {
                    m.func_types.push(match &sub.composite_type.inner {
                        wasmparser::CompositeInnerType::Func(f) => Some(CoreFuncType {
                            params: f.params().iter().copied().map(val_type).collect(),
                            results: f.results().iter().copied().map(val_type).collect(),
                        }),
                        _ => None,
                    });
                }
            }
        }
        Payload::ImportSection(reader) => {
            for import in reader.into_imports() {
                let import = import?;
                let (kind, func_type) = match import.ty {
                    TypeRef::Func(t) | TypeRef::FuncExact(t) => {
                        m.funcs.push(t);
                        (CoreKind::Func, Some(t))
                    }
                    TypeRef::Table(_) => {
                        m.tables += 1;
                        (CoreKind::Table, None)
                    }
                    TypeRef::Memory(mem) => {
                        m.memories.push(memory(
                            &mem,
                            Some((import.module.to_string(), import.name.to_string())),
                        ));
                        (CoreKind::Memory, None)
                    }
                    TypeRef::Global(_) => {
                        m.globals += 1;
                        (CoreKind::Global, None)
                    }
                    TypeRef::Tag(_) => (CoreKind::Tag, None),
                };
                m.imports.push(CoreImport {
                    module: import.module.to_string(),
                    name: import.name.to_string(),
                    kind,
                    func_type,
                });
            }
        }
        Payload::FunctionSection(reader) => {
            for ty in reader {
                m.funcs.push(ty?);
            }
        }
        Payload::TableSection(reader) => m.tables += reader.count(),
        Payload::GlobalSection(reader) => m.globals += reader.count(),
        Payload::MemorySection(reader) => {
            for mem in reader {
                let mem = mem?;
                m.memories.push(memory(&mem, None));
            }
        }
        Payload::ExportSection(reader) => {
            for export in reader {
                let export = export?;
                m.exports.push(CoreExport {
                    name: export.name.to_string(),
                    kind: core_kind(export.kind),
                    index: export.index,
                });
            }
        }
        Payload::StartSection { func, .. } => m.start = Some(func),
        Payload::CustomSection(reader) => {
            m.custom_sections.push(CustomSection {
                name: reader.name().to_string(),
                data: reader.data_offset()..reader.data_offset() + reader.data().len(),
            });
            match reader.as_known() {
                KnownCustom::Producers(p) => read_producers(&mut m.producers, p),
                KnownCustom::Name(names) => {
                    for name in names {
                        if let Ok(wasmparser::Name::Module { name, .. }) = name {
                            m.name = Some(name.to_string());
                        }
                    }
                }
                _ => {}
            }
        }
        _ => {}
    }
    Ok(())
}

fn memory(mem: &wasmparser::MemoryType, import: Option<(String, String)>) -> Memory {
    Memory {
        initial: mem.initial,
        maximum: mem.maximum,
        memory64: mem.memory64,
        shared: mem.shared,
        page_size_log2: mem.page_size_log2(),
        import,
    }
}

/// A malformed `producers` section is not an error (it is advisory); it is skipped.
fn read_producers(out: &mut Vec<Producer>, reader: wasmparser::ProducersSectionReader<'_>) {
    for field in reader.into_iter().flatten() {
        for value in field.values.into_iter().flatten() {
            out.push(Producer {
                field: field.name.to_string(),
                name: value.name.to_string(),
                version: value.version.to_string(),
            });
        }
    }
}

fn component_kind(kind: ComponentExternalKind) -> ComponentKind {
    match kind {
        ComponentExternalKind::Module => ComponentKind::Module,
        ComponentExternalKind::Func => ComponentKind::Func,
        ComponentExternalKind::Value => ComponentKind::Value,
        ComponentExternalKind::Type => ComponentKind::Type,
        ComponentExternalKind::Instance => ComponentKind::Instance,
        ComponentExternalKind::Component => ComponentKind::Component,
    }
}

fn type_ref_kind(ty: ComponentTypeRef) -> ComponentKind {
    match ty {
        ComponentTypeRef::Module(_) => ComponentKind::Module,
        ComponentTypeRef::Func(_) => ComponentKind::Func,
        ComponentTypeRef::Value(_) => ComponentKind::Value,
        ComponentTypeRef::Type(_) => ComponentKind::Type,
        ComponentTypeRef::Instance(_) => ComponentKind::Instance,
        ComponentTypeRef::Component(_) => ComponentKind::Component,
    }
}

fn options(opts: &[CanonicalOption]) -> CanonOptions {
    let mut out = CanonOptions::default();
    for opt in opts {
        match *opt {
            CanonicalOption::UTF8 => out.string_encoding = StringEncoding::Utf8,
            CanonicalOption::UTF16 => out.string_encoding = StringEncoding::Utf16,
            CanonicalOption::CompactUTF16 => out.string_encoding = StringEncoding::CompactUtf16,
            CanonicalOption::Memory(m) => out.memory = Some(m),
            CanonicalOption::Realloc(f) => out.realloc = Some(f),
            CanonicalOption::PostReturn(f) => out.post_return = Some(f),
            CanonicalOption::Async => out.is_async = true,
            CanonicalOption::Callback(f) => out.callback = Some(f),
            CanonicalOption::CoreType(_) | CanonicalOption::Gc => {}
        }
    }
    out
}

/// `ThreadSpawnRef { … }` → `thread.spawn-ref`: the text-format name of a built-in.
pub fn builtin_name(func: &CanonicalFunction) -> String {
    let debug = format!("{func:?}");
    let variant = debug.split([' ', '{', '(']).next().unwrap_or_default();
    // Split CamelCase words; the first word is the namespace (`task`, `stream`, `thread`, …).
    let mut words: Vec<String> = Vec::new();
    for c in variant.chars() {
        if c.is_ascii_uppercase() || words.is_empty() {
            words.push(String::new());
        }
        if let Some(w) = words.last_mut() {
            w.push(c.to_ascii_lowercase());
        }
    }
    match words.split_first() {
        Some((first, rest)) if !rest.is_empty() => format!("{first}.{}", rest.join("-")),
        Some((first, _)) => first.clone(),
        None => debug,
    }
}

fn component_payload(c: &mut Component, payload: Payload<'_>) -> Result<()> {
    match payload {
        Payload::ComponentImportSection(reader) => {
            for import in reader {
                let import = import?;
                let kind = type_ref_kind(import.ty);
                if kind == ComponentKind::Instance {
                    c.instances.push(Instance::Import(c.imports.len() as u32));
                }
                c.items.push((kind, Origin::Import(c.imports.len() as u32)));
                c.imports.push(ComponentImport {
                    name: import.name.name.to_string(),
                    kind,
                });
            }
        }
        Payload::ComponentExportSection(reader) => {
            for export in reader {
                let export = export?;
                let kind = component_kind(export.kind);
                if kind == ComponentKind::Instance {
                    c.instances.push(Instance::Alias);
                }
                c.items.push((kind, Origin::Export(c.exports.len() as u32)));
                c.exports.push(ComponentExport {
                    name: export.name.name.to_string(),
                    kind,
                    index: export.index,
                });
            }
        }
        Payload::InstanceSection(reader) => {
            for instance in reader {
                c.core_instances.push(match instance? {
                    wasmparser::Instance::Instantiate { module_index, args } => {
                        CoreInstance::Instantiate {
                            module: module_index,
                            args: args.iter().map(|a| (a.name.to_string(), a.index)).collect(),
                        }
                    }
                    wasmparser::Instance::FromExports(exports) => CoreInstance::FromExports(
                        exports
                            .iter()
                            .map(|e| (e.name.to_string(), core_kind(e.kind), e.index))
                            .collect(),
                    ),
                });
            }
        }
        Payload::ComponentInstanceSection(reader) => {
            for instance in reader {
                let n = c.instances.len() as u32;
                c.items.push((ComponentKind::Instance, Origin::Defined(n)));
                c.instances.push(match instance? {
                    wasmparser::ComponentInstance::Instantiate {
                        component_index,
                        args,
                    } => Instance::Instantiate {
                        component: component_index,
                        args: args
                            .iter()
                            .map(|a| (a.name.to_string(), component_kind(a.kind), a.index))
                            .collect(),
                    },
                    wasmparser::ComponentInstance::FromExports(exports) => Instance::FromExports(
                        exports
                            .iter()
                            .map(|e| (e.name.name.to_string(), component_kind(e.kind), e.index))
                            .collect(),
                    ),
                });
            }
        }
        Payload::ComponentAliasSection(reader) => {
            for alias in reader {
                let alias = alias?;
                let origin = Origin::Alias(c.aliases.len() as u32);
                match alias {
                    wasmparser::ComponentAlias::InstanceExport { kind, .. } => {
                        c.items.push((component_kind(kind), origin))
                    }
                    wasmparser::ComponentAlias::CoreInstanceExport { kind, .. } => {
                        c.core_items.push((core_kind(kind), origin))
                    }
                    wasmparser::ComponentAlias::Outer { kind, .. } => match kind {
                        wasmparser::ComponentOuterAliasKind::CoreModule => {
                            c.items.push((ComponentKind::Module, origin))
                        }
                        wasmparser::ComponentOuterAliasKind::CoreType => {}
                        wasmparser::ComponentOuterAliasKind::Type => {
                            c.items.push((ComponentKind::Type, origin))
                        }
                        wasmparser::ComponentOuterAliasKind::Component => {
                            c.items.push((ComponentKind::Component, origin))
                        }
                    },
                }
                c.aliases.push(match alias {
                    wasmparser::ComponentAlias::InstanceExport {
                        kind,
                        instance_index,
                        name,
                    } => {
                        if kind == ComponentExternalKind::Instance {
                            c.instances.push(Instance::Alias);
                        }
                        Alias::InstanceExport {
                            kind: component_kind(kind),
                            instance: instance_index,
                            name: name.to_string(),
                        }
                    }
                    wasmparser::ComponentAlias::CoreInstanceExport {
                        kind,
                        instance_index,
                        name,
                    } => Alias::CoreInstanceExport {
                        kind: core_kind(kind),
                        instance: instance_index,
                        name: name.to_string(),
                    },
                    wasmparser::ComponentAlias::Outer { kind, count, index } => Alias::Outer {
                        kind: match kind {
                            wasmparser::ComponentOuterAliasKind::CoreModule => "core module",
                            wasmparser::ComponentOuterAliasKind::CoreType => "core type",
                            wasmparser::ComponentOuterAliasKind::Type => "type",
                            wasmparser::ComponentOuterAliasKind::Component => "component",
                        },
                        count,
                        index,
                    },
                });
            }
        }
        Payload::ComponentTypeSection(reader) => {
            let defined = c
                .items
                .iter()
                .filter(|(k, o)| *k == ComponentKind::Type && matches!(o, Origin::Defined(_)))
                .count() as u32;
            for (n, ty) in (defined..).zip(reader) {
                c.items.push((ComponentKind::Type, Origin::Defined(n)));
                if let wasmparser::ComponentType::Resource { .. } = ty? {
                    c.resources_defined += 1;
                }
            }
        }
        Payload::ComponentCanonicalSection(reader) => {
            for func in reader {
                let func = func?;
                let origin = Origin::Defined(c.canons.len() as u32);
                match &func {
                    CanonicalFunction::Lift { .. } => c.items.push((ComponentKind::Func, origin)),
                    _ => c.core_items.push((CoreKind::Func, origin)),
                }
                c.canons.push(match &func {
                    CanonicalFunction::Lift {
                        core_func_index,
                        type_index,
                        options: opts,
                    } => Canon::Lift {
                        core_func: *core_func_index,
                        ty: *type_index,
                        options: options(opts),
                    },
                    CanonicalFunction::Lower {
                        func_index,
                        options: opts,
                    } => Canon::Lower {
                        func: *func_index,
                        options: options(opts),
                    },
                    CanonicalFunction::ResourceNew { resource } => Canon::ResourceNew(*resource),
                    CanonicalFunction::ResourceDrop { resource } => Canon::ResourceDrop(*resource),
                    CanonicalFunction::ResourceRep { resource } => Canon::ResourceRep(*resource),
                    other => Canon::Builtin(builtin_name(other)),
                });
            }
        }
        Payload::CustomSection(reader) => {
            c.custom_sections.push(CustomSection {
                name: reader.name().to_string(),
                data: reader.data_offset()..reader.data_offset() + reader.data().len(),
            });
            if let KnownCustom::Producers(p) = reader.as_known() {
                read_producers(&mut c.producers, p);
            }
        }
        _ => {}
    }
    Ok(())
}

#[cfg(test)]
mod tests;
