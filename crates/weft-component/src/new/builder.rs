//! A component under construction: sections appended in order, with the size of every index
//! space tracked so each definition knows its index.
//!
//! Consecutive definitions of the same section kind share one section; a definition of another
//! kind closes it.

use wasm_encoder::{
    Alias, CanonicalFunctionSection, CanonicalOption, Component, ComponentAliasSection,
    ComponentExportKind, ComponentExportSection, ComponentExternName, ComponentImportSection,
    ComponentInstanceSection, ComponentTypeEncoder, ComponentTypeRef, ComponentTypeSection,
    ExportKind, InstanceSection, ModuleArg, RawSection,
};

/// The section being filled.
enum Open {
    None,
    Types(ComponentTypeSection),
    Imports(ComponentImportSection),
    Exports(ComponentExportSection),
    Aliases(ComponentAliasSection),
    Canon(CanonicalFunctionSection),
    CoreInstances(InstanceSection),
    Instances(ComponentInstanceSection),
}

/// Index-space sizes of a component.
#[derive(Default)]
struct Counts {
    types: u32,
    funcs: u32,
    instances: u32,
    components: u32,
    core_modules: u32,
    core_instances: u32,
    core_funcs: u32,
    core_memories: u32,
    core_tables: u32,
    core_globals: u32,
    core_types: u32,
}

/// A component being built.
pub(crate) struct Builder {
    component: Component,
    open: Open,
    counts: Counts,
}

macro_rules! section {
    ($self:ident, $variant:ident, $ty:ty) => {{
        if !matches!($self.open, Open::$variant(_)) {
            $self.flush();
            $self.open = Open::$variant(<$ty>::new());
        }
        match &mut $self.open {
            Open::$variant(s) => s,
            _ => unreachable!("the section was just opened"),
        }
    }};
}

impl Builder {
    pub(crate) fn new() -> Builder {
        Builder {
            component: Component::new(),
            open: Open::None,
            counts: Counts::default(),
        }
    }

    fn flush(&mut self) {
        match std::mem::replace(&mut self.open, Open::None) {
            Open::None => {}
            Open::Types(s) => {
                self.component.section(&s);
            }
            Open::Imports(s) => {
                self.component.section(&s);
            }
            Open::Exports(s) => {
                self.component.section(&s);
            }
            Open::Aliases(s) => {
                self.component.section(&s);
            }
            Open::Canon(s) => {
                self.component.section(&s);
            }
            Open::CoreInstances(s) => {
                self.component.section(&s);
            }
            Open::Instances(s) => {
                self.component.section(&s);
            }
        }
    }

    /// The finished binary.
    pub(crate) fn finish(mut self) -> Vec<u8> {
        self.flush();
        self.component.finish()
    }

    /// Starts a type definition; returns its index and the encoder to write it with.
    pub(crate) fn ty(&mut self) -> (u32, ComponentTypeEncoder<'_>) {
        let index = self.counts.types;
        self.counts.types += 1;
        (index, section!(self, Types, ComponentTypeSection).ty())
    }

    /// Imports `name`; returns the index in the index space of its kind.
    pub(crate) fn import(&mut self, name: &str, ty: ComponentTypeRef) -> u32 {
        self.import_named(ComponentExternName::from(name), ty)
    }

    /// Imports `name` (with its annotations, such as `implements`).
    pub(crate) fn import_named(
        &mut self,
        name: ComponentExternName<'_>,
        ty: ComponentTypeRef,
    ) -> u32 {
        section!(self, Imports, ComponentImportSection).import(name, ty);
        self.bump(ty)
    }

    fn bump(&mut self, ty: ComponentTypeRef) -> u32 {
        let slot = match ty {
            ComponentTypeRef::Module(_) => &mut self.counts.core_modules,
            ComponentTypeRef::Func(_) => &mut self.counts.funcs,
            ComponentTypeRef::Component(_) => &mut self.counts.components,
            ComponentTypeRef::Value(_) => return u32::MAX,
            ComponentTypeRef::Type(_) => &mut self.counts.types,
            ComponentTypeRef::Instance(_) => &mut self.counts.instances,
        };
        *slot += 1;
        *slot - 1
    }

    /// Exports item `index` of `kind` as `name`; returns the index the export creates.
    pub(crate) fn export(&mut self, name: &str, kind: ComponentExportKind, index: u32) -> u32 {
        self.export_as(name, kind, index, None)
    }

    /// Exports item `index` of `kind` as `name`, ascribing it type `ty`.
    pub(crate) fn export_as(
        &mut self,
        name: &str,
        kind: ComponentExportKind,
        index: u32,
        ty: Option<ComponentTypeRef>,
    ) -> u32 {
        self.export_named(ComponentExternName::from(name), kind, index, ty)
    }

    /// Exports item `index` as `name` (with its annotations), optionally ascribing type `ty`.
    pub(crate) fn export_named(
        &mut self,
        name: ComponentExternName<'_>,
        kind: ComponentExportKind,
        index: u32,
        ty: Option<ComponentTypeRef>,
    ) -> u32 {
        section!(self, Exports, ComponentExportSection).export(name, kind, index, ty);
        self.bump_kind(kind)
    }

    fn bump_kind(&mut self, kind: ComponentExportKind) -> u32 {
        let slot = match kind {
            ComponentExportKind::Module => &mut self.counts.core_modules,
            ComponentExportKind::Func => &mut self.counts.funcs,
            ComponentExportKind::Type => &mut self.counts.types,
            ComponentExportKind::Instance => &mut self.counts.instances,
            ComponentExportKind::Component => &mut self.counts.components,
            ComponentExportKind::Value => return u32::MAX,
        };
        *slot += 1;
        *slot - 1
    }

    /// Aliases export `name` of component instance `instance`.
    pub(crate) fn alias_export(
        &mut self,
        instance: u32,
        name: &str,
        kind: ComponentExportKind,
    ) -> u32 {
        section!(self, Aliases, ComponentAliasSection).alias(Alias::InstanceExport {
            instance,
            kind,
            name,
        });
        self.bump_kind(kind)
    }

    /// Aliases export `name` of core instance `instance`.
    pub(crate) fn core_alias_export(&mut self, instance: u32, name: &str, kind: ExportKind) -> u32 {
        section!(self, Aliases, ComponentAliasSection).alias(Alias::CoreInstanceExport {
            instance,
            kind,
            name,
        });
        let slot = match kind {
            ExportKind::Func => &mut self.counts.core_funcs,
            ExportKind::Table => &mut self.counts.core_tables,
            ExportKind::Memory => &mut self.counts.core_memories,
            ExportKind::Global => &mut self.counts.core_globals,
            ExportKind::Tag => return u32::MAX,
        };
        *slot += 1;
        *slot - 1
    }

    /// Embeds a core module.
    pub(crate) fn core_module(&mut self, bytes: &[u8]) -> u32 {
        self.flush();
        self.component.section(&RawSection {
            id: wasm_encoder::ComponentSectionId::CoreModule.into(),
            data: bytes,
        });
        self.counts.core_modules += 1;
        self.counts.core_modules - 1
    }

    /// Instantiates core module `module` with `args` (import module name → core instance).
    pub(crate) fn core_instantiate(&mut self, module: u32, args: &[(&str, u32)]) -> u32 {
        section!(self, CoreInstances, InstanceSection).instantiate(
            module,
            args.iter()
                .map(|(name, i)| (*name, ModuleArg::Instance(*i))),
        );
        self.counts.core_instances += 1;
        self.counts.core_instances - 1
    }

    /// A core instance made of `items`.
    pub(crate) fn core_instance_from_exports(&mut self, items: &[(&str, ExportKind, u32)]) -> u32 {
        section!(self, CoreInstances, InstanceSection).export_items(items.iter().copied());
        self.counts.core_instances += 1;
        self.counts.core_instances - 1
    }

    /// Embeds a nested component.
    pub(crate) fn component(&mut self, bytes: &[u8]) -> u32 {
        self.flush();
        self.component.section(&RawSection {
            id: wasm_encoder::ComponentSectionId::Component.into(),
            data: bytes,
        });
        self.counts.components += 1;
        self.counts.components - 1
    }

    /// Instantiates component `component` with `args` (import name → item).
    pub(crate) fn instantiate(
        &mut self,
        component: u32,
        args: &[(&str, ComponentExportKind, u32)],
    ) -> u32 {
        section!(self, Instances, ComponentInstanceSection).instantiate(
            component,
            args.iter().map(|(name, kind, i)| (*name, *kind, *i)),
        );
        self.counts.instances += 1;
        self.counts.instances - 1
    }

    /// `canon lower`.
    pub(crate) fn lower(&mut self, func: u32, options: Vec<CanonicalOption>) -> u32 {
        section!(self, Canon, CanonicalFunctionSection).lower(func, options);
        self.counts.core_funcs += 1;
        self.counts.core_funcs - 1
    }

    /// `canon lift`.
    pub(crate) fn lift(&mut self, core_func: u32, ty: u32, options: Vec<CanonicalOption>) -> u32 {
        section!(self, Canon, CanonicalFunctionSection).lift(core_func, ty, options);
        self.counts.funcs += 1;
        self.counts.funcs - 1
    }

    /// A core function type in the component's core type index space.
    pub(crate) fn core_func_type(
        &mut self,
        params: &[wasm_encoder::ValType],
        results: &[wasm_encoder::ValType],
    ) -> u32 {
        self.flush();
        let mut section = wasm_encoder::CoreTypeSection::new();
        section
            .ty()
            .core()
            .function(params.iter().copied(), results.iter().copied());
        self.component.section(&section);
        self.counts.core_types += 1;
        self.counts.core_types - 1
    }

    /// Any other canonical built-in, written by `f`; returns its core function index.
    pub(crate) fn canon(&mut self, f: impl FnOnce(&mut CanonicalFunctionSection)) -> u32 {
        f(section!(self, Canon, CanonicalFunctionSection));
        self.counts.core_funcs += 1;
        self.counts.core_funcs - 1
    }

    /// `canon resource.new`, `resource.rep` or `resource.drop` of type `ty`.
    pub(crate) fn resource_builtin(&mut self, which: ResourceBuiltin, ty: u32) -> u32 {
        let s = section!(self, Canon, CanonicalFunctionSection);
        match which {
            ResourceBuiltin::New => s.resource_new(ty),
            ResourceBuiltin::Rep => s.resource_rep(ty),
            ResourceBuiltin::Drop => s.resource_drop(ty),
        };
        self.counts.core_funcs += 1;
        self.counts.core_funcs - 1
    }

    /// A custom section.
    pub(crate) fn custom_section(&mut self, name: &str, data: &[u8]) {
        self.flush();
        self.component.section(&wasm_encoder::CustomSection {
            name: name.into(),
            data: data.into(),
        });
    }
}

/// The three resource built-ins.
#[derive(Copy, Clone, Debug, PartialEq, Eq)]
pub(crate) enum ResourceBuiltin {
    New,
    Rep,
    Drop,
}
