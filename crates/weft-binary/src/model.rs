//! weft's model of a binary: a core module or a component, with what a reader needs to see
//! without walking the bytes again.
//!
//! Index spaces are kept in definition order, as the binary defines them, so a later pass (the
//! runtime's instantiation plan) can follow references by index.

use std::ops::Range;

/// A decoded, validated binary.
#[derive(Clone, Debug)]
pub enum Binary {
    /// A core WebAssembly module.
    Module(Module),
    /// A component.
    Component(Component),
}

/// A core module.
#[derive(Clone, Debug, Default)]
pub struct Module {
    /// Where the module's bytes are, relative to the start of the outermost binary.
    pub range: Range<usize>,
    /// The module's name from the `name` section, if any.
    pub name: Option<String>,
    /// Imports in order.
    pub imports: Vec<CoreImport>,
    /// Exports in order.
    pub exports: Vec<CoreExport>,
    /// Function types (`(param …) (result …)`) by type index; non-function types are `None`.
    pub func_types: Vec<Option<CoreFuncType>>,
    /// The type index of every function, imported ones first.
    pub funcs: Vec<u32>,
    /// Memories, imported ones first.
    pub memories: Vec<Memory>,
    /// Number of tables, imported ones first.
    pub tables: u32,
    /// Number of globals, imported ones first.
    pub globals: u32,
    /// The start function, if any.
    pub start: Option<u32>,
    /// Entries of the `producers` section.
    pub producers: Vec<Producer>,
    /// Custom sections in order.
    pub custom_sections: Vec<CustomSection>,
}

/// A core import.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct CoreImport {
    /// The module name, e.g. `wasi_snapshot_preview1`.
    pub module: String,
    /// The field name, e.g. `fd_write`.
    pub name: String,
    /// What is imported.
    pub kind: CoreKind,
    /// For a function, its type index.
    pub func_type: Option<u32>,
}

/// A core export.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct CoreExport {
    /// The export name.
    pub name: String,
    /// What is exported.
    pub kind: CoreKind,
    /// Index in the kind's index space.
    pub index: u32,
}

/// The kinds of core items.
#[derive(Copy, Clone, Debug, PartialEq, Eq, Hash)]
#[allow(missing_docs, reason = "the names of the core item kinds")]
pub enum CoreKind {
    Func,
    Table,
    Memory,
    Global,
    Tag,
}

impl CoreKind {
    /// The keyword of the kind in the text format.
    pub fn as_str(self) -> &'static str {
        match self {
            CoreKind::Func => "func",
            CoreKind::Table => "table",
            CoreKind::Memory => "memory",
            CoreKind::Global => "global",
            CoreKind::Tag => "tag",
        }
    }
}

/// A core value type.
#[derive(Copy, Clone, Debug, PartialEq, Eq, Hash)]
#[allow(missing_docs, reason = "the names of the core value types")]
pub enum CoreValType {
    I32,
    I64,
    F32,
    F64,
    V128,
    /// A reference type (funcref, externref, …).
    Ref,
}

impl CoreValType {
    /// The keyword in the text format.
    pub fn as_str(self) -> &'static str {
        match self {
            CoreValType::I32 => "i32",
            CoreValType::I64 => "i64",
            CoreValType::F32 => "f32",
            CoreValType::F64 => "f64",
            CoreValType::V128 => "v128",
            CoreValType::Ref => "ref",
        }
    }
}

/// A core function type.
#[derive(Clone, Debug, Default, PartialEq, Eq, Hash)]
pub struct CoreFuncType {
    /// Parameter types.
    pub params: Vec<CoreValType>,
    /// Result types.
    pub results: Vec<CoreValType>,
}

impl std::fmt::Display for CoreFuncType {
    /// `(func (param i32 i32) (result i32))`.
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str("(func")?;
        if !self.params.is_empty() {
            f.write_str(" (param")?;
            for p in &self.params {
                write!(f, " {}", p.as_str())?;
            }
            f.write_str(")")?;
        }
        if !self.results.is_empty() {
            f.write_str(" (result")?;
            for r in &self.results {
                write!(f, " {}", r.as_str())?;
            }
            f.write_str(")")?;
        }
        f.write_str(")")
    }
}

/// A linear memory.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Memory {
    /// Initial size in pages.
    pub initial: u64,
    /// Maximum size in pages.
    pub maximum: Option<u64>,
    /// 64-bit addresses.
    pub memory64: bool,
    /// Shared between threads.
    pub shared: bool,
    /// Log2 of the page size in bytes (16 unless the custom-page-sizes proposal says otherwise).
    pub page_size_log2: u32,
    /// `Some((module, name))` when imported.
    pub import: Option<(String, String)>,
}

/// One `producers` section entry: `language`, `processed-by` or `sdk` with a name and version.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Producer {
    /// The field: `language`, `processed-by` or `sdk`.
    pub field: String,
    /// The tool or language.
    pub name: String,
    /// Its version.
    pub version: String,
}

/// A custom section.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct CustomSection {
    /// The section's name.
    pub name: String,
    /// Where its payload is, relative to the start of the outermost binary.
    pub data: Range<usize>,
}

/// A component.
#[derive(Clone, Debug, Default)]
pub struct Component {
    /// Where the component's bytes are, relative to the start of the outermost binary.
    pub range: Range<usize>,
    /// Imports in order.
    pub imports: Vec<ComponentImport>,
    /// Exports in order.
    pub exports: Vec<ComponentExport>,
    /// Core modules defined in this component (not in nested components), in order.
    pub modules: Vec<Module>,
    /// Components nested in this one, in order.
    pub components: Vec<Component>,
    /// Core instances, in index order.
    pub core_instances: Vec<CoreInstance>,
    /// Component instances, in index order.
    pub instances: Vec<Instance>,
    /// Canonical functions (`canon lift`, `canon lower`, resource and async built-ins) in order.
    pub canons: Vec<Canon>,
    /// Aliases in order: exports of component or core instances, and items of enclosing
    /// components.
    pub aliases: Vec<Alias>,
    /// Number of resource types this component defines (`(type (resource …))`).
    pub resources_defined: u32,
    /// Entries of the `producers` section.
    pub producers: Vec<Producer>,
    /// Custom sections in order.
    pub custom_sections: Vec<CustomSection>,
    /// The component-level index spaces in definition order: the item of kind `k` at index `n`
    /// is the `n`th entry of kind `k` here (`Module` is the core module space).
    pub items: Vec<(ComponentKind, Origin)>,
    /// The core index spaces of this component (functions, memories, tables, globals, tags) in
    /// definition order, the same way.
    pub core_items: Vec<(CoreKind, Origin)>,
}

/// Where an item of an index space comes from.
#[derive(Copy, Clone, Debug, PartialEq, Eq)]
pub enum Origin {
    /// An import: the index in `imports`.
    Import(u32),
    /// An alias: the index in `aliases`.
    Alias(u32),
    /// An export, which adds its item to the index space again: the index in `exports`.
    Export(u32),
    /// A definition: the index in the kind's own list (`modules`, `components`, `instances`,
    /// `canons` for functions, core functions included), or for a type, the number of type
    /// definitions before it.
    Defined(u32),
}

/// The kinds of component items.
#[derive(Copy, Clone, Debug, PartialEq, Eq, Hash)]
#[allow(missing_docs, reason = "the names of the component item kinds")]
pub enum ComponentKind {
    Module,
    Func,
    Value,
    Type,
    Instance,
    Component,
}

impl ComponentKind {
    /// The keyword of the kind in the text format.
    pub fn as_str(self) -> &'static str {
        match self {
            ComponentKind::Module => "core module",
            ComponentKind::Func => "func",
            ComponentKind::Value => "value",
            ComponentKind::Type => "type",
            ComponentKind::Instance => "instance",
            ComponentKind::Component => "component",
        }
    }
}

/// A component import.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct ComponentImport {
    /// The name, e.g. `wasi:cli/stdout@0.2.0` or `greet`.
    pub name: String,
    /// What is imported.
    pub kind: ComponentKind,
}

/// A component export.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct ComponentExport {
    /// The name.
    pub name: String,
    /// What is exported.
    pub kind: ComponentKind,
    /// Index in the kind's index space.
    pub index: u32,
}

/// A core instance.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum CoreInstance {
    /// `(instance (instantiate $module (with "name" (instance $i)) …))`.
    Instantiate {
        /// Index in the core module index space.
        module: u32,
        /// The instantiation arguments: import module name → core instance index.
        args: Vec<(String, u32)>,
    },
    /// An instance made of exports of other items.
    FromExports(Vec<(String, CoreKind, u32)>),
}

/// A component instance.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum Instance {
    /// An imported instance (import index).
    Import(u32),
    /// `(instance (instantiate $component (with …)))`.
    Instantiate {
        /// Index in the component index space.
        component: u32,
        /// The arguments: import name → (kind, index).
        args: Vec<(String, ComponentKind, u32)>,
    },
    /// An instance made of exports of other items.
    FromExports(Vec<(String, ComponentKind, u32)>),
    /// An instance exported by another instance (`alias export`).
    Alias,
}

/// An alias: an item brought into this component's index spaces from elsewhere.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum Alias {
    /// `(alias export $instance "name" (kind))`.
    InstanceExport {
        /// What kind of item.
        kind: ComponentKind,
        /// Component instance index.
        instance: u32,
        /// The export's name.
        name: String,
    },
    /// `(alias core export $instance "name" (core kind))`.
    CoreInstanceExport {
        /// What kind of core item.
        kind: CoreKind,
        /// Core instance index.
        instance: u32,
        /// The export's name.
        name: String,
    },
    /// `(alias outer $count $index (kind))`: a type, core type, module or component of an
    /// enclosing component.
    Outer {
        /// `type`, `core type`, `core module` or `component`.
        kind: &'static str,
        /// How many components out (0 is this one).
        count: u32,
        /// Index in that component's index space.
        index: u32,
    },
}

/// The string encoding a canonical function lifts or lowers strings with.
#[derive(Copy, Clone, Debug, Default, PartialEq, Eq, Hash)]
pub enum StringEncoding {
    /// UTF-8 (the default).
    #[default]
    Utf8,
    /// UTF-16.
    Utf16,
    /// Latin-1 or UTF-16, chosen per string (`latin1+utf16`).
    CompactUtf16,
}

impl StringEncoding {
    /// The option's name in the text format and on weft's command line.
    pub fn as_str(self) -> &'static str {
        match self {
            StringEncoding::Utf8 => "utf8",
            StringEncoding::Utf16 => "utf16",
            StringEncoding::CompactUtf16 => "latin1+utf16",
        }
    }
}

/// The canonical options of a lift or lower.
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub struct CanonOptions {
    /// `string-encoding=…`.
    pub string_encoding: StringEncoding,
    /// `(memory $m)`: core memory index.
    pub memory: Option<u32>,
    /// `(realloc $f)`: core function index.
    pub realloc: Option<u32>,
    /// `(post-return $f)`: core function index.
    pub post_return: Option<u32>,
    /// `async`.
    pub is_async: bool,
    /// `(callback $f)`: core function index.
    pub callback: Option<u32>,
}

/// A canonical function definition.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum Canon {
    /// `canon lift`: a core function becomes a component function.
    Lift {
        /// Core function index.
        core_func: u32,
        /// Component type index of the function type.
        ty: u32,
        /// Options.
        options: CanonOptions,
    },
    /// `canon lower`: a component function becomes a core function.
    Lower {
        /// Component function index.
        func: u32,
        /// Options.
        options: CanonOptions,
    },
    /// `canon resource.new $t`.
    ResourceNew(u32),
    /// `canon resource.drop $t`.
    ResourceDrop(u32),
    /// `canon resource.rep $t`.
    ResourceRep(u32),
    /// Any other built-in (threads, async tasks, streams, futures, …), by its text-format
    /// name (`task.return`, `stream.read`, …).
    Builtin(String),
}
