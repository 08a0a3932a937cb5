//! Stage one of turning a component into an instantiation plan: validate the binary and
//! record, for each component body (the outermost and every nested one), the definitions it
//! makes in order, with every type it lifts, lowers or imports converted to weft's runtime
//! types. Nothing here knows what a nested component is instantiated with; [`crate::inline`]
//! does that.

use std::collections::HashMap;
use std::ops::Range;
use std::sync::Arc;

use wasmparser::component_types::{
    ComponentAnyTypeId, ComponentDefinedType, ComponentEntityType, ComponentFuncTypeId,
    ComponentValType, ResourceId,
};
use wasmparser::types::TypesRef;
use wasmparser::{
    CanonicalFunction, CanonicalOption, ComponentAlias, ComponentExternalKind,
    ComponentOuterAliasKind, Payload, PrimitiveValType,
};
use weft_abi::{
    EnumType, FlagsType, FuncType, RecordType, ResourceType, ResultType, StringEncoding, Type,
    VariantType,
};

use crate::{Error, Result};

/// Every component body and core module of a component binary.
pub(crate) struct Translation {
    /// Component bodies; the outermost is the last (bodies end before their parents do).
    pub(crate) bodies: Vec<Body>,
    /// Core modules, wherever they are defined.
    pub(crate) modules: Vec<StaticModule>,
}

/// A core module defined in the binary.
pub(crate) struct StaticModule {
    /// Its bytes in the binary.
    pub(crate) range: Range<usize>,
    /// Its imports in order: (module, name).
    pub(crate) imports: Vec<(String, String)>,
}

/// One component body: its definitions in order.
#[derive(Default)]
pub(crate) struct Body {
    pub(crate) inits: Vec<Init>,
    /// The number of body-local resource types (`Type::Own(ResourceType(i))` in this body's
    /// types means the body's `i`th resource).
    pub(crate) resources: u32,
}

/// The sorts of component items.
pub(crate) use weft_binary::ComponentKind as Sort;
/// The sorts of core items (weft-binary's, shared with its model).
pub(crate) use weft_binary::CoreKind as CoreSort;

/// Canonical options, by core index in the body.
#[derive(Clone, Debug, Default)]
pub(crate) struct RawOptions {
    pub(crate) encoding: StringEncoding,
    pub(crate) memory: Option<u32>,
    pub(crate) realloc: Option<u32>,
    pub(crate) post_return: Option<u32>,
}

/// What an import brings in: for the resource types among it, where they are.
#[derive(Clone, Debug)]
pub(crate) enum ImportShape {
    /// A function of this type.
    Func(FuncType),
    /// A type; `Some(i)` when it is a resource (body-local resource `i`).
    Type(Option<u32>),
    /// An instance: its exports by name.
    Instance(Vec<(String, ImportShape)>),
    /// A core module or component (imports of these are not supported yet) or a value.
    Other(Sort),
}

/// One definition of a component body, in order.
#[derive(Clone, Debug)]
pub(crate) enum Init {
    /// `(import "name" …)`: adds one item of `shape`'s sort.
    Import {
        name: String,
        shape: ImportShape,
    },
    /// A core module defined here: index into [`Translation::modules`].
    Module(u32),
    /// A nested component defined here: index into [`Translation::bodies`].
    Component(u32),
    /// `(core instance (instantiate $m (with "name" (instance $i))…))`.
    CoreInstantiate {
        module: u32,
        args: Vec<(String, u32)>,
    },
    /// `(core instance (export "name" (func $f))…)`.
    CoreFromExports(Vec<(String, CoreSort, u32)>),
    /// `(alias core export $i "name" (core sort))`.
    CoreAlias {
        sort: CoreSort,
        instance: u32,
        name: String,
    },
    /// `(canon lift $f (type $t) options)`.
    Lift {
        core_func: u32,
        ty: FuncType,
        options: RawOptions,
    },
    /// `(canon lower $f options)`: the lowered function's type is the lowered function's.
    Lower {
        func: u32,
        ty: FuncType,
        options: RawOptions,
    },
    ResourceNew {
        resource: u32,
    },
    ResourceRep {
        resource: u32,
    },
    ResourceDrop {
        resource: u32,
    },
    /// A type definition; `Some` for `(type (resource (rep i32) (dtor $f)?))` (the body-local
    /// resource and its destructor's core function index).
    Type(Option<(u32, Option<u32>)>),
    /// A type that is an existing resource (an alias or export of one): adds a type index
    /// that is body-local resource `resource`, or a non-resource type when `None`.
    TypeAliasOf(Option<u32>),
    /// `(instance (instantiate $c (with "name" (sort $i))…))`.
    Instantiate {
        component: u32,
        args: Vec<(String, Sort, u32)>,
    },
    /// `(instance (export "name" (sort $i))…)`.
    InstanceFromExports(Vec<(String, Sort, u32)>),
    /// `(alias export $i "name" (sort))`.
    Alias {
        instance: u32,
        name: String,
    },
    /// `(alias outer $count $index (sort))`.
    AliasOuter {
        sort: Sort,
        count: u32,
        index: u32,
    },
    /// `(export "name" (sort $i))`: adds an item of `sort` too.
    Export {
        name: String,
        sort: Sort,
        index: u32,
    },
}

/// A body being read: its inits and the resource ids it has seen.
struct Frame {
    body: Body,
    resources: HashMap<ResourceId, u32>,
}

impl Frame {
    fn resource(&mut self, id: ResourceId) -> u32 {
        let next = self.resources.len() as u32;
        *self.resources.entry(id).or_insert(next)
    }
}

/// Validates `bytes` (a component; `weft_binary::Validator`: wasmparser and the rules weft
/// adds) and records its bodies.
pub(crate) fn translate(bytes: &[u8]) -> Result<Translation> {
    let mut validator = weft_binary::Validator::new();
    let mut frames: Vec<Frame> = Vec::new();
    let mut bodies = Vec::new();
    let mut modules: Vec<StaticModule> = Vec::new();
    // While inside a core module: its index in `modules`, and how deep in it.
    let mut in_module: Option<usize> = None;
    let mut first = true;
    // Function bodies are validated by wasmtime when it compiles each module: here they are
    // only framed, not stepped through.
    for payload in weft_binary::payloads(bytes, weft_binary::Bodies::Skip) {
        let payload = payload.map_err(|e| Error::binary(e.message(), e.offset().unwrap_or(0)))?;
        if std::mem::take(&mut first) {
            if let Payload::Version {
                encoding: wasmparser::Encoding::Module,
                ..
            } = payload
            {
                return Err(Error::msg(
                    "this is a core module, not a component; wrap it with `weft new` first",
                ));
            }
        }
        validator
            .payload(&payload)
            .map_err(|e| Error::binary(e.message(), e.offset().unwrap_or(0)))?;
        if let Some(m) = in_module {
            match &payload {
                Payload::ImportSection(s) => {
                    for import in s.clone().into_imports() {
                        let import = import.map_err(|e| Error::binary(e.message(), e.offset()))?;
                        modules[m]
                            .imports
                            .push((import.module.to_string(), import.name.to_string()));
                    }
                }
                Payload::End(_) => in_module = None,
                _ => {}
            }
            continue;
        }
        match payload {
            Payload::Version { .. } => frames.push(Frame {
                body: Body::default(),
                resources: HashMap::new(),
            }),
            Payload::ModuleSection {
                unchecked_range, ..
            } => {
                let frame = frames
                    .last_mut()
                    .ok_or_else(|| Error::msg("module outside a component"))?;
                frame.body.inits.push(Init::Module(modules.len() as u32));
                modules.push(StaticModule {
                    range: unchecked_range,
                    imports: Vec::new(),
                });
                in_module = Some(modules.len() - 1);
                // The module's own `Version` payload comes next; skip it here.
            }
            Payload::ComponentSection { .. } => {
                // The nested component's `Version` payload pushes its frame.
            }
            Payload::End(_) => {
                let frame = frames
                    .pop()
                    .ok_or_else(|| Error::msg("unbalanced component end"))?;
                let mut body = frame.body;
                body.resources = frame.resources.len() as u32;
                bodies.push(body);
                if let Some(parent) = frames.last_mut() {
                    parent
                        .body
                        .inits
                        .push(Init::Component(bodies.len() as u32 - 1));
                }
            }
            payload => {
                let types = validator
                    .types(0)
                    .ok_or_else(|| Error::msg("no component being validated"))?;
                let frame = frames
                    .last_mut()
                    .ok_or_else(|| Error::msg("section outside a component"))?;
                section(frame, types, payload)?;
            }
        }
    }
    if !frames.is_empty() {
        return Err(Error::msg(
            "the component ends early: is the file truncated?",
        ));
    }
    Ok(Translation { bodies, modules })
}

fn err(e: wasmparser::BinaryReaderError) -> Error {
    Error::binary(e.message(), e.offset())
}

/// Records one section of a component body. `types` is the validator's view after the
/// section.
fn section(frame: &mut Frame, types: TypesRef<'_>, payload: Payload<'_>) -> Result<()> {
    match payload {
        Payload::ComponentImportSection(s) => {
            for import in s {
                let import = import.map_err(err)?;
                let name = import.name.name.to_string();
                let shape = match types.component_item_for_import(&name) {
                    Some(item) => entity_shape(frame, types, &item.ty)?,
                    None => return Err(Error::msg(format!("import `{name}` has no type"))),
                };
                frame.body.inits.push(Init::Import { name, shape });
            }
        }
        Payload::InstanceSection(s) => {
            for instance in s {
                match instance.map_err(err)? {
                    wasmparser::Instance::Instantiate { module_index, args } => {
                        frame.body.inits.push(Init::CoreInstantiate {
                            module: module_index,
                            args: args.iter().map(|a| (a.name.to_string(), a.index)).collect(),
                        })
                    }
                    wasmparser::Instance::FromExports(exports) => {
                        frame.body.inits.push(Init::CoreFromExports(
                            exports
                                .iter()
                                .map(|e| (e.name.to_string(), core_sort(e.kind), e.index))
                                .collect(),
                        ))
                    }
                }
            }
        }
        Payload::CoreTypeSection(_) => {}
        Payload::ComponentInstanceSection(s) => {
            for instance in s {
                match instance.map_err(err)? {
                    wasmparser::ComponentInstance::Instantiate {
                        component_index,
                        args,
                    } => frame.body.inits.push(Init::Instantiate {
                        component: component_index,
                        args: args
                            .iter()
                            .map(|a| (a.name.to_string(), sort(a.kind), a.index))
                            .collect(),
                    }),
                    wasmparser::ComponentInstance::FromExports(exports) => {
                        frame.body.inits.push(Init::InstanceFromExports(
                            exports
                                .iter()
                                .map(|e| (e.name.name.to_string(), sort(e.kind), e.index))
                                .collect(),
                        ))
                    }
                }
            }
        }
        Payload::ComponentAliasSection(s) => {
            // Type aliases need the type they produce; count them to find their indices.
            let aliases: Vec<_> = s
                .into_iter()
                .collect::<std::result::Result<_, _>>()
                .map_err(err)?;
            let type_count = types.component_type_count();
            let new_types = aliases
                .iter()
                .filter(|a| {
                    matches!(
                        a,
                        ComponentAlias::InstanceExport {
                            kind: ComponentExternalKind::Type,
                            ..
                        } | ComponentAlias::Outer {
                            kind: ComponentOuterAliasKind::Type,
                            ..
                        }
                    )
                })
                .count() as u32;
            let mut type_index = type_count - new_types;
            for alias in aliases {
                match alias {
                    ComponentAlias::InstanceExport {
                        kind,
                        instance_index,
                        name,
                    } => {
                        frame.body.inits.push(Init::Alias {
                            instance: instance_index,
                            name: name.to_string(),
                        });
                        if kind == ComponentExternalKind::Type {
                            let r = resource_at(frame, types, type_index);
                            frame.body.inits.push(Init::TypeAliasOf(r));
                            type_index += 1;
                        }
                    }
                    ComponentAlias::CoreInstanceExport {
                        kind,
                        instance_index,
                        name,
                    } => frame.body.inits.push(Init::CoreAlias {
                        sort: core_sort(kind),
                        instance: instance_index,
                        name: name.to_string(),
                    }),
                    ComponentAlias::Outer { kind, count, index } => {
                        let s = match kind {
                            ComponentOuterAliasKind::CoreModule => Sort::Module,
                            ComponentOuterAliasKind::CoreType => continue,
                            ComponentOuterAliasKind::Type => Sort::Type,
                            ComponentOuterAliasKind::Component => Sort::Component,
                        };
                        if s == Sort::Type {
                            // An outer type alias of a resource names the outer body's resource;
                            // the inliner resolves it.
                            let r = resource_at(frame, types, type_index);
                            frame.body.inits.push(Init::AliasOuter {
                                sort: s,
                                count,
                                index,
                            });
                            frame.body.inits.push(Init::TypeAliasOf(r));
                            type_index += 1;
                        } else {
                            frame.body.inits.push(Init::AliasOuter {
                                sort: s,
                                count,
                                index,
                            });
                        }
                    }
                }
            }
        }
        Payload::ComponentTypeSection(s) => {
            let count = s.count();
            let first = types.component_type_count() - count;
            for (i, ty) in s.into_iter().enumerate() {
                let ty = ty.map_err(err)?;
                let index = first + i as u32;
                match ty {
                    wasmparser::ComponentType::Resource { dtor, .. } => {
                        let r = resource_at(frame, types, index)
                            .ok_or_else(|| Error::msg("a resource type without an id"))?;
                        frame.body.inits.push(Init::Type(Some((r, dtor))));
                    }
                    _ => frame.body.inits.push(Init::Type(None)),
                }
            }
        }
        Payload::ComponentCanonicalSection(s) => {
            let canons: Vec<_> = s
                .into_iter()
                .collect::<std::result::Result<_, _>>()
                .map_err(err)?;
            // Lifts add component functions, the others core functions; find the first new
            // component function's index.
            let lifts = canons
                .iter()
                .filter(|c| matches!(c, CanonicalFunction::Lift { .. }))
                .count() as u32;
            let mut func_index = types.component_function_count() - lifts;
            for canon in canons {
                match canon {
                    CanonicalFunction::Lift {
                        core_func_index,
                        options,
                        ..
                    } => {
                        let ty = func_type(frame, types, types.component_function_at(func_index))?;
                        func_index += 1;
                        frame.body.inits.push(Init::Lift {
                            core_func: core_func_index,
                            ty,
                            options: raw_options(&options)?,
                        });
                    }
                    CanonicalFunction::Lower {
                        func_index: f,
                        options,
                    } => {
                        let ty = func_type(frame, types, types.component_function_at(f))?;
                        frame.body.inits.push(Init::Lower {
                            func: f,
                            ty,
                            options: raw_options(&options)?,
                        });
                    }
                    CanonicalFunction::ResourceNew { resource } => {
                        let r = local_resource(frame, types, resource)?;
                        frame.body.inits.push(Init::ResourceNew { resource: r });
                    }
                    CanonicalFunction::ResourceRep { resource } => {
                        let r = local_resource(frame, types, resource)?;
                        frame.body.inits.push(Init::ResourceRep { resource: r });
                    }
                    CanonicalFunction::ResourceDrop { resource } => {
                        let r = local_resource(frame, types, resource)?;
                        frame.body.inits.push(Init::ResourceDrop { resource: r });
                    }
                    other => {
                        return Err(Error::unsupported(format!(
                            "the canonical built-in `{}` (async, streams, futures and threads)",
                            weft_binary::builtin_name(&other)
                        )))
                    }
                }
            }
        }
        Payload::ComponentStartSection { .. } => {
            return Err(Error::unsupported(
                "component start functions (value imports)",
            ))
        }
        Payload::ComponentExportSection(s) => {
            let exports: Vec<_> = s
                .into_iter()
                .collect::<std::result::Result<_, _>>()
                .map_err(err)?;
            let type_exports = exports
                .iter()
                .filter(|e| e.kind == ComponentExternalKind::Type)
                .count() as u32;
            let mut type_index = types.component_type_count() - type_exports;
            for export in exports {
                let kind = sort(export.kind);
                frame.body.inits.push(Init::Export {
                    name: export.name.name.to_string(),
                    sort: kind,
                    index: export.index,
                });
                if kind == Sort::Type {
                    let r = resource_at(frame, types, type_index);
                    frame.body.inits.push(Init::TypeAliasOf(r));
                    type_index += 1;
                }
            }
        }
        Payload::CustomSection(_) => {}
        other => {
            if let Some((id, range)) = other.as_section() {
                return Err(Error::binary(
                    &format!("unexpected section {id} in a component"),
                    range.start,
                ));
            }
        }
    }
    Ok(())
}

/// The body-local resource a type index is, if any.
fn resource_at(frame: &mut Frame, types: TypesRef<'_>, index: u32) -> Option<u32> {
    match types.component_any_type_at(index) {
        ComponentAnyTypeId::Resource(r) => Some(frame.resource(r.resource())),
        _ => None,
    }
}

fn local_resource(frame: &mut Frame, types: TypesRef<'_>, index: u32) -> Result<u32> {
    resource_at(frame, types, index).ok_or_else(|| Error::msg("not a resource type"))
}

fn entity_shape(
    frame: &mut Frame,
    types: TypesRef<'_>,
    ty: &ComponentEntityType,
) -> Result<ImportShape> {
    Ok(match ty {
        ComponentEntityType::Func(f) => ImportShape::Func(func_type(frame, types, *f)?),
        ComponentEntityType::Type { created, .. } => ImportShape::Type(match created {
            ComponentAnyTypeId::Resource(r) => Some(frame.resource(r.resource())),
            _ => None,
        }),
        ComponentEntityType::Instance(i) => {
            let instance = &types[*i];
            let mut exports = Vec::new();
            for (name, item) in &instance.exports {
                exports.push((name.clone(), entity_shape(frame, types, &item.ty)?));
            }
            ImportShape::Instance(exports)
        }
        ComponentEntityType::Module(_) => ImportShape::Other(Sort::Module),
        ComponentEntityType::Component(_) => ImportShape::Other(Sort::Component),
        ComponentEntityType::Value(_) => ImportShape::Other(Sort::Value),
    })
}

fn func_type(frame: &mut Frame, types: TypesRef<'_>, id: ComponentFuncTypeId) -> Result<FuncType> {
    let f = &types[id];
    if f.async_ {
        return Err(Error::unsupported("async functions"));
    }
    let params = f
        .params
        .iter()
        .map(|(name, t)| Ok((name.to_string(), val_type(frame, types, *t)?)))
        .collect::<Result<_>>()?;
    let result = f.result.map(|t| val_type(frame, types, t)).transpose()?;
    Ok(FuncType { params, result })
}

fn val_type(frame: &mut Frame, types: TypesRef<'_>, t: ComponentValType) -> Result<Type> {
    Ok(match t {
        ComponentValType::Primitive(p) => primitive(p)?,
        ComponentValType::Type(id) => match &types[id] {
            ComponentDefinedType::Primitive(p) => primitive(*p)?,
            ComponentDefinedType::Record(r) => Type::Record(Arc::new(RecordType {
                fields: r
                    .fields
                    .iter()
                    .map(|(n, t)| Ok((n.to_string(), val_type(frame, types, *t)?)))
                    .collect::<Result<_>>()?,
            })),
            ComponentDefinedType::Variant(v) => Type::Variant(Arc::new(VariantType {
                cases: v
                    .cases
                    .iter()
                    .map(|(n, c)| {
                        Ok((
                            n.to_string(),
                            c.ty.map(|t| val_type(frame, types, t)).transpose()?,
                        ))
                    })
                    .collect::<Result<_>>()?,
            })),
            ComponentDefinedType::List { element, .. } => {
                Type::List(Arc::new(val_type(frame, types, *element)?))
            }
            ComponentDefinedType::Map { key, value, .. } => Type::Map(Arc::new((
                val_type(frame, types, *key)?,
                val_type(frame, types, *value)?,
            ))),
            ComponentDefinedType::FixedLengthList {
                element, length, ..
            } => Type::FixedList(Arc::new(val_type(frame, types, *element)?), *length),
            ComponentDefinedType::Tuple(t) => Type::Tuple(
                t.types
                    .iter()
                    .map(|t| val_type(frame, types, *t))
                    .collect::<Result<Vec<_>>>()?
                    .into(),
            ),
            ComponentDefinedType::Flags(names) => Type::Flags(Arc::new(FlagsType {
                names: names.iter().map(|n| n.to_string()).collect(),
            })),
            ComponentDefinedType::Enum(names) => Type::Enum(Arc::new(EnumType {
                cases: names.iter().map(|n| n.to_string()).collect(),
            })),
            ComponentDefinedType::Option { ty, .. } => {
                Type::Option(Arc::new(val_type(frame, types, *ty)?))
            }
            ComponentDefinedType::Result { ok, err, .. } => Type::Result(Arc::new(ResultType {
                ok: ok.map(|t| val_type(frame, types, t)).transpose()?,
                err: err.map(|t| val_type(frame, types, t)).transpose()?,
            })),
            ComponentDefinedType::Own(r) => Type::Own(ResourceType(frame.resource(r.resource()))),
            ComponentDefinedType::Borrow(r) => {
                Type::Borrow(ResourceType(frame.resource(r.resource())))
            }
            ComponentDefinedType::Future { .. } | ComponentDefinedType::Stream { .. } => {
                return Err(Error::unsupported("future and stream types"))
            }
        },
    })
}

fn primitive(p: PrimitiveValType) -> Result<Type> {
    Ok(match p {
        PrimitiveValType::Bool => Type::Bool,
        PrimitiveValType::S8 => Type::S8,
        PrimitiveValType::U8 => Type::U8,
        PrimitiveValType::S16 => Type::S16,
        PrimitiveValType::U16 => Type::U16,
        PrimitiveValType::S32 => Type::S32,
        PrimitiveValType::U32 => Type::U32,
        PrimitiveValType::S64 => Type::S64,
        PrimitiveValType::U64 => Type::U64,
        PrimitiveValType::F32 => Type::F32,
        PrimitiveValType::F64 => Type::F64,
        PrimitiveValType::Char => Type::Char,
        PrimitiveValType::String => Type::String,
        PrimitiveValType::ErrorContext => return Err(Error::unsupported("error-context")),
    })
}

fn raw_options(options: &[CanonicalOption]) -> Result<RawOptions> {
    let mut out = RawOptions::default();
    for o in options {
        match o {
            CanonicalOption::UTF8 => out.encoding = StringEncoding::Utf8,
            CanonicalOption::UTF16 => out.encoding = StringEncoding::Utf16,
            CanonicalOption::CompactUTF16 => out.encoding = StringEncoding::Latin1Utf16,
            CanonicalOption::Memory(m) => out.memory = Some(*m),
            CanonicalOption::Realloc(f) => out.realloc = Some(*f),
            CanonicalOption::PostReturn(f) => out.post_return = Some(*f),
            CanonicalOption::Async | CanonicalOption::Callback(_) => {
                return Err(Error::unsupported("async lifts and lowers"))
            }
            _ => return Err(Error::unsupported("a canonical option of a later proposal")),
        }
    }
    Ok(out)
}

fn core_sort(kind: wasmparser::ExternalKind) -> CoreSort {
    match kind {
        wasmparser::ExternalKind::Func | wasmparser::ExternalKind::FuncExact => CoreSort::Func,
        wasmparser::ExternalKind::Table => CoreSort::Table,
        wasmparser::ExternalKind::Memory => CoreSort::Memory,
        wasmparser::ExternalKind::Global => CoreSort::Global,
        wasmparser::ExternalKind::Tag => CoreSort::Tag,
    }
}

fn sort(kind: ComponentExternalKind) -> Sort {
    match kind {
        ComponentExternalKind::Module => Sort::Module,
        ComponentExternalKind::Func => Sort::Func,
        ComponentExternalKind::Value => Sort::Value,
        ComponentExternalKind::Type => Sort::Type,
        ComponentExternalKind::Instance => Sort::Instance,
        ComponentExternalKind::Component => Sort::Component,
    }
}
