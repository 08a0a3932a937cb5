//! The WIT front end of weft: text → [`Resolve`].
//!
//! The pipeline is `lex` → `ast` (one tree per file, borrowing the text) → `resolve` (names to
//! ids, packages merged into one [`Resolve`]). The result is a set of arenas with typed ids:
//! packages, interfaces, worlds and types. [`mod@print`] turns a resolved package back into canonical
//! WIT text, [`json`] into the JSON schema of wit-parser's serialized `Resolve`.
//!
//! All filesystem access lives in [`fs`]; everything else takes `&str`.
#![deny(missing_docs)]

pub mod arena;
pub mod ast;
mod error;
pub mod format;
pub mod fs;
pub mod fxhash;
pub mod json;
pub mod print;
mod resolve;
mod source;

use std::fmt;

use indexmap::{IndexMap, IndexSet};
pub use resolve::PARALLEL_PARSE_BYTES;
pub use semver::Version;

pub use arena::{Arena, Id};
pub use error::{Error, ErrorKind, Result};
pub use source::{Label, Source, SourceMap, Span};

/// Id of a [`Package`] in [`Resolve::packages`].
pub type PackageId = Id<Package>;
/// Id of an [`Interface`] in [`Resolve::interfaces`].
pub type InterfaceId = Id<Interface>;
/// Id of a [`World`] in [`Resolve::worlds`].
pub type WorldId = Id<World>;
/// Id of a [`TypeDef`] in [`Resolve::types`].
pub type TypeId = Id<TypeDef>;

/// Every package resolved so far, with their interfaces, worlds and types.
#[derive(Clone, Debug, Default)]
pub struct Resolve {
    /// Worlds of all packages.
    pub worlds: Arena<World>,
    /// Interfaces of all packages (named and anonymous world-inline ones).
    pub interfaces: Arena<Interface>,
    /// Every type definition, named or anonymous (`list<u8>`, `own<r>`, …).
    pub types: Arena<TypeDef>,
    /// Packages in dependency order: a package comes after everything it uses.
    pub packages: Arena<Package>,
    /// Lookup from package name to id.
    pub package_names: IndexMap<PackageName, PackageId>,
    /// `@unstable` features to enable.
    pub features: IndexSet<String>,
    /// Enable every `@unstable` feature.
    pub all_features: bool,
    /// Every source file read, for rendering spans.
    pub source_map: SourceMap,
    /// Called with the total size of the WIT text about to be parsed, once per load, before
    /// parsing: a program can prepare its allocator for the resolver's memory (the `weft`
    /// binary does, for its heap).
    pub before_parse: Option<fn(usize)>,
}

/// A package: `namespace:name@version` with its interfaces and worlds.
#[derive(Clone, Debug)]
pub struct Package {
    /// The package's name.
    pub name: PackageName,
    /// Doc comments on the `package` declaration.
    pub docs: Docs,
    /// Interfaces in declaration order.
    pub interfaces: IndexMap<String, InterfaceId>,
    /// Worlds in declaration order.
    pub worlds: IndexMap<String, WorldId>,
}

/// `namespace:name@version`.
#[derive(Clone, Debug, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub struct PackageName {
    /// The namespace, e.g. `wasi`.
    pub namespace: String,
    /// The name, e.g. `cli`.
    pub name: String,
    /// The version, if any.
    pub version: Option<Version>,
}

impl PackageName {
    /// `namespace:name/interface@version`, the name an interface has in a component.
    pub fn interface_id(&self, interface: &str) -> String {
        let mut s = String::with_capacity(
            self.namespace.len() + self.name.len() + interface.len() + 2 + 16,
        );
        s.push_str(&self.namespace);
        s.push(':');
        s.push_str(&self.name);
        s.push('/');
        s.push_str(interface);
        if let Some(v) = &self.version {
            use std::fmt::Write as _;
            // Writing to a `String` cannot fail.
            let _ = write!(s, "@{v}");
        }
        s
    }
}

impl fmt::Display for PackageName {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "{}:{}", self.namespace, self.name)?;
        if let Some(v) = &self.version {
            write!(f, "@{v}")?;
        }
        Ok(())
    }
}

/// A world: the imports and exports of a component.
#[derive(Clone, Debug)]
pub struct World {
    /// The world's name.
    pub name: String,
    /// Imports, including those implied by the types the exports use.
    pub imports: IndexMap<WorldKey, WorldItem>,
    /// Exports.
    pub exports: IndexMap<WorldKey, WorldItem>,
    /// The package that defines this world.
    pub package: Option<PackageId>,
    /// Doc comments.
    pub docs: Docs,
    /// `@since` / `@unstable` / `@deprecated`.
    pub stability: Stability,
    /// Where the world's name is.
    pub span: Span,
}

/// The key of a world import or export: a plain name or an interface imported by path.
#[derive(Clone, Debug, PartialEq, Eq, Hash)]
pub enum WorldKey {
    /// `import foo: …` — a kebab-name.
    Name(String),
    /// `import wasi:cli/stdout;` — an interface with no name of its own.
    Interface(InterfaceId),
}

/// What a world imports or exports under one key.
#[derive(Clone, Debug)]
pub enum WorldItem {
    /// An interface instance.
    Interface {
        /// The interface.
        id: InterfaceId,
        /// Stability of the import/export statement.
        stability: Stability,
        /// Doc comments on the import/export statement.
        docs: Docs,
        /// Where the statement is.
        span: Span,
    },
    /// A freestanding function.
    Function(Function),
    /// A type (only ever imported).
    Type {
        /// The type.
        id: TypeId,
        /// Where it is defined or used.
        span: Span,
    },
}

/// An interface: a named (or world-inline, anonymous) set of types and functions.
#[derive(Clone, Debug)]
pub struct Interface {
    /// `None` for interfaces written inline in a world (`import x: interface { … }`).
    pub name: Option<String>,
    /// Types by name, including those brought in by `use`.
    pub types: IndexMap<String, TypeId>,
    /// Functions by their mangled name (`[method]r.f`, `[constructor]r`, …).
    pub functions: IndexMap<String, Function>,
    /// Doc comments.
    pub docs: Docs,
    /// `@since` / `@unstable` / `@deprecated`.
    pub stability: Stability,
    /// Owning package.
    pub package: Option<PackageId>,
    /// Where the interface's name is.
    pub span: Span,
}

/// A type definition, named or anonymous.
#[derive(Clone, Debug)]
pub struct TypeDef {
    /// `None` for anonymous types such as `list<u8>`.
    pub name: Option<String>,
    /// What the type is.
    pub kind: TypeDefKind,
    /// The interface or world that defines it, or none for anonymous types.
    pub owner: TypeOwner,
    /// Doc comments.
    pub docs: Docs,
    /// `@since` / `@unstable` / `@deprecated`.
    pub stability: Stability,
    /// Where the definition is.
    pub span: Span,
}

/// The structure of a [`TypeDef`].
#[derive(Clone, Debug, PartialEq, Eq, Hash)]
pub enum TypeDefKind {
    /// `record { … }`
    Record(Record),
    /// `resource r { … }`
    Resource,
    /// `own<r>` or `borrow<r>` (a bare resource name is `own`).
    Handle(Handle),
    /// `flags { … }`
    Flags(Flags),
    /// `tuple<…>`
    Tuple(Tuple),
    /// `variant { … }`
    Variant(Variant),
    /// `enum { … }`
    Enum(Enum),
    /// `option<T>`
    Option(Type),
    /// `result<T, E>` in all four forms.
    Result(ResultType),
    /// `list<T>`
    List(Type),
    /// `map<K, V>`
    Map(Type, Type),
    /// `list<T, N>`
    FixedLengthList(Type, u32),
    /// `future<T>` / `future`
    Future(Option<Type>),
    /// `stream<T>` / `stream`
    Stream(Option<Type>),
    /// `type a = b;` and `use` — another name for a type.
    Type(Type),
    /// Placeholder while resolving; never present in a finished [`Resolve`].
    Unknown,
}

/// The interface or world a named type belongs to.
#[derive(Copy, Clone, Debug, PartialEq, Eq, Hash)]
pub enum TypeOwner {
    /// Defined in (or `use`d into) a world.
    World(WorldId),
    /// Defined in (or `use`d into) an interface.
    Interface(InterfaceId),
    /// Anonymous.
    None,
}

/// `own<T>` or `borrow<T>`.
#[derive(Copy, Clone, Debug, PartialEq, Eq, Hash)]
pub enum Handle {
    /// An owned handle.
    Own(TypeId),
    /// A borrowed handle (function parameters only).
    Borrow(TypeId),
}

/// A value type: a primitive or a reference to a [`TypeDef`].
#[derive(Copy, Clone, Debug, PartialEq, Eq, Hash)]
#[allow(missing_docs, reason = "each variant is the WIT type of the same name")]
pub enum Type {
    Bool,
    U8,
    U16,
    U32,
    U64,
    S8,
    S16,
    S32,
    S64,
    F32,
    F64,
    Char,
    String,
    ErrorContext,
    /// A defined type.
    Id(TypeId),
}

impl Type {
    /// The WIT keyword of a primitive type, or `None` for [`Type::Id`].
    pub fn primitive_name(self) -> Option<&'static str> {
        Some(match self {
            Type::Bool => "bool",
            Type::U8 => "u8",
            Type::U16 => "u16",
            Type::U32 => "u32",
            Type::U64 => "u64",
            Type::S8 => "s8",
            Type::S16 => "s16",
            Type::S32 => "s32",
            Type::S64 => "s64",
            Type::F32 => "f32",
            Type::F64 => "f64",
            Type::Char => "char",
            Type::String => "string",
            Type::ErrorContext => "error-context",
            Type::Id(_) => return None,
        })
    }
}

/// Record fields.
#[derive(Clone, Debug, PartialEq, Eq, Hash)]
pub struct Record {
    /// Fields in order.
    pub fields: Vec<Field>,
}

/// One record field.
#[derive(Clone, Debug, PartialEq, Eq, Hash)]
pub struct Field {
    /// Name.
    pub name: String,
    /// Type.
    pub ty: Type,
    /// Doc comments.
    pub docs: Docs,
}

/// Flags.
#[derive(Clone, Debug, PartialEq, Eq, Hash)]
pub struct Flags {
    /// Flags in order.
    pub flags: Vec<Flag>,
}

/// One flag.
#[derive(Clone, Debug, PartialEq, Eq, Hash)]
pub struct Flag {
    /// Name.
    pub name: String,
    /// Doc comments.
    pub docs: Docs,
}

/// Tuple element types.
#[derive(Clone, Debug, PartialEq, Eq, Hash)]
pub struct Tuple {
    /// Element types in order.
    pub types: Vec<Type>,
}

/// Variant cases.
#[derive(Clone, Debug, PartialEq, Eq, Hash)]
pub struct Variant {
    /// Cases in order.
    pub cases: Vec<Case>,
}

/// One variant case.
#[derive(Clone, Debug, PartialEq, Eq, Hash)]
pub struct Case {
    /// Name.
    pub name: String,
    /// Payload type.
    pub ty: Option<Type>,
    /// Doc comments.
    pub docs: Docs,
}

/// Enum cases.
#[derive(Clone, Debug, PartialEq, Eq, Hash)]
pub struct Enum {
    /// Cases in order.
    pub cases: Vec<EnumCase>,
}

/// One enum case.
#[derive(Clone, Debug, PartialEq, Eq, Hash)]
pub struct EnumCase {
    /// Name.
    pub name: String,
    /// Doc comments.
    pub docs: Docs,
}

/// `result<ok, err>`; either side may be absent.
#[derive(Clone, Debug, PartialEq, Eq, Hash)]
pub struct ResultType {
    /// The ok payload.
    pub ok: Option<Type>,
    /// The error payload.
    pub err: Option<Type>,
}

/// Doc comments (`///` or `/** */`) with the comment markers removed, lines joined by `\n`.
#[derive(Clone, Debug, Default, PartialEq, Eq, Hash)]
pub struct Docs {
    /// The text, or `None` when there were no doc comments.
    pub contents: Option<String>,
}

impl Docs {
    /// Whether there are no docs.
    pub fn is_empty(&self) -> bool {
        self.contents.is_none()
    }
}

/// A function parameter.
#[derive(Clone, Debug, PartialEq, Eq, Hash)]
pub struct Param {
    /// Name.
    pub name: String,
    /// Type.
    pub ty: Type,
}

/// A function in an interface or world.
#[derive(Clone, Debug, PartialEq, Eq, Hash)]
pub struct Function {
    /// Mangled name: `f`, `[method]r.f`, `[static]r.f`, `[constructor]r`, `[getter]p`, …
    pub name: String,
    /// Freestanding, method, constructor, accessor, …
    pub kind: FunctionKind,
    /// Parameters; methods get an explicit first `self: borrow<r>`.
    pub params: Vec<Param>,
    /// The result type, if any.
    pub result: Option<Type>,
    /// Doc comments.
    pub docs: Docs,
    /// `@since` / `@unstable` / `@deprecated`.
    pub stability: Stability,
    /// Where the function's name is.
    pub span: Span,
}

impl Function {
    /// The name as written in WIT (`f` for `[method]r.f`, `r` for `[constructor]r`).
    pub fn item_name(&self) -> &str {
        match self.name.strip_prefix('[') {
            Some(rest) => {
                let rest = &rest[rest.find(']').map_or(0, |i| i + 1)..];
                rest.rsplit_once('.').map_or(rest, |(_, f)| f)
            }
            None => &self.name,
        }
    }
}

/// What kind of function a [`Function`] is.
#[derive(Copy, Clone, Debug, PartialEq, Eq, Hash)]
#[allow(
    missing_docs,
    reason = "resource-bound variants carry the resource type"
)]
pub enum FunctionKind {
    Freestanding,
    AsyncFreestanding,
    Getter,
    Setter,
    Method(TypeId),
    AsyncMethod(TypeId),
    MethodGetter(TypeId),
    MethodSetter(TypeId),
    Static(TypeId),
    AsyncStatic(TypeId),
    StaticGetter(TypeId),
    StaticSetter(TypeId),
    Constructor(TypeId),
}

impl FunctionKind {
    /// The resource a method, static function or constructor belongs to.
    pub fn resource(mut self) -> Option<TypeId> {
        self.resource_mut().copied()
    }

    /// The resource of a resource function, mutably (to remap it).
    pub fn resource_mut(&mut self) -> Option<&mut TypeId> {
        match self {
            FunctionKind::Freestanding
            | FunctionKind::AsyncFreestanding
            | FunctionKind::Getter
            | FunctionKind::Setter => None,
            FunctionKind::Method(id)
            | FunctionKind::AsyncMethod(id)
            | FunctionKind::MethodGetter(id)
            | FunctionKind::MethodSetter(id)
            | FunctionKind::Static(id)
            | FunctionKind::AsyncStatic(id)
            | FunctionKind::StaticGetter(id)
            | FunctionKind::StaticSetter(id)
            | FunctionKind::Constructor(id) => Some(id),
        }
    }

    /// Whether this is an `async func`.
    pub fn is_async(self) -> bool {
        matches!(
            self,
            FunctionKind::AsyncFreestanding
                | FunctionKind::AsyncMethod(_)
                | FunctionKind::AsyncStatic(_)
        )
    }
}

/// `@since(version = …)` / `@unstable(feature = …)`, each optionally `@deprecated(version = …)`.
#[derive(Clone, Debug, Default, PartialEq, Eq, Hash)]
pub enum Stability {
    /// No gate.
    #[default]
    Unknown,
    /// `@unstable(feature = name)`: excluded unless the feature is enabled.
    Unstable {
        /// The feature name.
        feature: String,
        /// `@deprecated(version = …)`.
        deprecated: Option<Version>,
    },
    /// `@since(version = …)`.
    Stable {
        /// The version it became stable in.
        since: Version,
        /// `@deprecated(version = …)`.
        deprecated: Option<Version>,
    },
}

impl Stability {
    /// Whether there is no gate.
    pub fn is_unknown(&self) -> bool {
        matches!(self, Stability::Unknown)
    }
}

/// The closest of `candidates` to `name` by edit distance, if one is close enough to be a typo
/// (a third of the name's length), for "did you mean" hints.
pub fn suggest<'c>(name: &str, candidates: impl Iterator<Item = &'c str>) -> Option<&'c str> {
    resolve::suggest(name, candidates)
}

impl Resolve {
    /// An empty `Resolve`.
    pub fn new() -> Resolve {
        Resolve::default()
    }

    /// Renders an error produced while building this `Resolve` against its source files.
    pub fn render_error(&self, err: &Error) -> String {
        err.render(&self.source_map)
    }

    /// Parses and resolves WIT text as one file, with every package it uses already pushed.
    /// Returns the id of the file's main package (the last package it declares).
    pub fn push_str(&mut self, path: &str, text: &str) -> Result<PackageId> {
        self.push_groups(vec![resolve::SourceGroup {
            files: vec![(path.to_string(), text.to_string())],
        }])
    }

    /// The fully qualified name of an interface, e.g. `wasi:io/streams@0.2.0`, if it has one.
    pub fn id_of(&self, interface: InterfaceId) -> Option<String> {
        let iface = &self.interfaces[interface];
        let pkg = &self.packages[iface.package?];
        Some(pkg.name.interface_id(iface.name.as_deref()?))
    }

    /// Finds a world by name in `package` — or, with `None`, the package's only world.
    pub fn select_world(&self, package: PackageId, name: Option<&str>) -> Result<WorldId> {
        let pkg = &self.packages[package];
        match name {
            Some(name) => {
                if let Some(id) = pkg.worlds.get(name) {
                    return Ok(*id);
                }
                // `ns:pkg/world@version` (the form of interface names) or `ns:pkg@version/world`;
                // without a version, the only package of that name matches.
                if let Some((pkg_part, world_part)) = name.split_once('/') {
                    let (world, version) = match world_part.split_once('@') {
                        Some((w, v)) => (w, Some(v)),
                        None => (world_part, None),
                    };
                    let wanted = match version {
                        Some(v) => format!("{pkg_part}@{v}"),
                        None => pkg_part.to_string(),
                    };
                    let matches: Vec<WorldId> = self
                        .packages
                        .iter()
                        .filter(|(_, p)| {
                            let full = p.name.to_string();
                            full == wanted
                                || format!("{}:{}", p.name.namespace, p.name.name) == wanted
                        })
                        .filter_map(|(_, p)| p.worlds.get(world).copied())
                        .collect();
                    match matches.as_slice() {
                        [id] => return Ok(*id),
                        [] => {}
                        _ => {
                            return Err(Error::io(format!(
                                "world name `{name}` is ambiguous: several versions of the package define it"
                            ))
                            .with_help("add the version, e.g. `ns:pkg/world@1.2.3`"))
                        }
                    }
                }
                let known: Vec<_> = pkg.worlds.keys().map(|k| format!("`{k}`")).collect();
                Err(
                    Error::io(format!("no world named `{name}` in package `{}`", pkg.name))
                        .with_help(if known.is_empty() {
                            "the package defines no worlds".to_string()
                        } else {
                            format!("worlds in this package: {}", known.join(", "))
                        }),
                )
            }
            None => match pkg.worlds.len() {
                1 => Ok(pkg.worlds[0]),
                0 => Err(Error::io(format!(
                    "package `{}` contains no worlds",
                    pkg.name
                ))),
                _ => Err(Error::io(format!(
                    "package `{}` has several worlds; pick one with `--world`",
                    pkg.name
                ))),
            },
        }
    }
}
