//! The syntax tree of one WIT file, borrowing the file's text.
//!
//! Produced by [`parse_file`]; consumed by the resolver. Identifiers have their `%` escape
//! removed. Every node carries global [`Span`]s (offsets into the [`crate::SourceMap`]).

pub mod lex;
mod parse;

pub use parse::parse_file;

use crate::Span;
use semver::Version;

/// An identifier (`%` escape removed) and where it is.
#[derive(Copy, Clone, Debug, PartialEq, Eq)]
pub struct Ident<'a> {
    /// The name without a leading `%`.
    pub name: &'a str,
    /// Span of the identifier as written (including a `%`).
    pub span: Span,
}

/// The comments directly before an item, in order, exactly as written (`// x`, `/// x`,
/// `/* x */`, `/** x */`).
///
/// Every comment counts, as wit-parser does: docs are all comments between the previous token
/// and the item.
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub struct Docs<'a> {
    /// Raw comment texts including their markers.
    pub comments: Vec<&'a str>,
    /// Span covering all of them ([`Span::UNKNOWN`] when empty).
    pub span: Span,
}

/// A parsed file.
#[derive(Clone, Debug)]
pub struct File<'a> {
    /// `package a:b@1.0.0;` at the top, if present.
    pub package: Option<PackageDecl<'a>>,
    /// Items outside any `package … { }` block.
    pub items: Vec<Item<'a>>,
    /// `package a:b { … }` blocks, in order.
    pub nested: Vec<NestedPackage<'a>>,
    /// Comments after the last item (kept for `fmt`).
    pub trailing: Docs<'a>,
}

/// `package ns:name@version` (as a `;` declaration or the head of a `{ }` block).
#[derive(Clone, Debug)]
pub struct PackageDecl<'a> {
    /// Comments before `package`.
    pub docs: Docs<'a>,
    /// The name.
    pub name: PackageName<'a>,
    /// Span of the whole declaration head.
    pub span: Span,
}

/// `ns:name@version` as written; also the package part of `use ns:name/iface@1.0`.
#[derive(Clone, Debug)]
pub struct PackageName<'a> {
    /// The namespace.
    pub namespace: Ident<'a>,
    /// Further `:`-separated segments are not allowed; this is the name.
    pub name: Ident<'a>,
    /// The version and its span.
    pub version: Option<(Span, Version)>,
    /// Span of the whole name.
    pub span: Span,
}

/// `package a:b { items }`.
#[derive(Clone, Debug)]
pub struct NestedPackage<'a> {
    /// The `package a:b` head.
    pub decl: PackageDecl<'a>,
    /// Interfaces, worlds and top-level `use`s inside the braces.
    pub items: Vec<Item<'a>>,
    /// Comments after the last item, before `}`.
    pub trailing: Docs<'a>,
}

/// A top-level item.
#[derive(Clone, Debug)]
pub enum Item<'a> {
    /// `interface name { … }`
    Interface(Interface<'a>),
    /// `world name { … }`
    World(World<'a>),
    /// `use path as name;` at the top level.
    Use(ToplevelUse<'a>),
}

/// `use a:b/c@1.0.0 as d;` at the top level of a file.
#[derive(Clone, Debug)]
pub struct ToplevelUse<'a> {
    /// Comments before it.
    pub docs: Docs<'a>,
    /// `@since`/`@unstable`/`@deprecated` before it.
    pub attributes: Vec<Attribute<'a>>,
    /// The interface used.
    pub item: UsePath<'a>,
    /// `as name`.
    pub as_: Option<Ident<'a>>,
    /// Span of the whole statement.
    pub span: Span,
}

/// A path to an interface (or world, for `include`): `name` or `ns:pkg/name@version`.
#[derive(Clone, Debug)]
pub enum UsePath<'a> {
    /// A name in the current package (or brought in by a top-level `use`).
    Id(Ident<'a>),
    /// `ns:pkg/name@version`.
    Package {
        /// `ns:pkg@version`.
        id: PackageName<'a>,
        /// The interface or world name.
        name: Ident<'a>,
    },
}

impl UsePath<'_> {
    /// Span of the whole path.
    pub fn span(&self) -> Span {
        match self {
            UsePath::Id(id) => id.span,
            UsePath::Package { id, name } => id.span.to(name.span),
        }
    }
}

/// A gate attribute.
#[derive(Clone, Debug)]
pub enum Attribute<'a> {
    /// `@since(version = 1.2.3)` (a `feature = x` argument is accepted and ignored).
    Since {
        /// The version.
        version: Version,
        /// Span of the attribute.
        span: Span,
    },
    /// `@unstable(feature = name)`
    Unstable {
        /// The feature.
        feature: Ident<'a>,
        /// Span of the attribute.
        span: Span,
    },
    /// `@deprecated(version = 1.2.3)`
    Deprecated {
        /// The version.
        version: Version,
        /// Span of the attribute.
        span: Span,
    },
}

impl Attribute<'_> {
    /// Span of the attribute.
    pub fn span(&self) -> Span {
        match self {
            Attribute::Since { span, .. }
            | Attribute::Unstable { span, .. }
            | Attribute::Deprecated { span, .. } => *span,
        }
    }
}

/// `interface name { items }`
#[derive(Clone, Debug)]
pub struct Interface<'a> {
    /// Comments before it.
    pub docs: Docs<'a>,
    /// Gates.
    pub attributes: Vec<Attribute<'a>>,
    /// The name.
    pub name: Ident<'a>,
    /// Contents in order.
    pub items: Vec<InterfaceItem<'a>>,
    /// Comments after the last item, before `}`.
    pub trailing: Docs<'a>,
}

/// An item inside an interface (or an inline interface in a world).
#[derive(Clone, Debug)]
pub enum InterfaceItem<'a> {
    /// A type definition.
    TypeDef(TypeDef<'a>),
    /// `name: func(…)`, `name: get() -> T`, …
    Func(NamedFunc<'a>),
    /// `use path.{a, b as c};`
    Use(Use<'a>),
}

/// `use path.{a, b as c};` inside an interface or world.
#[derive(Clone, Debug)]
pub struct Use<'a> {
    /// Comments before it.
    pub docs: Docs<'a>,
    /// Gates.
    pub attributes: Vec<Attribute<'a>>,
    /// The interface the names come from.
    pub from: UsePath<'a>,
    /// The names, each optionally renamed.
    pub names: Vec<UseName<'a>>,
    /// Span of the whole statement.
    pub span: Span,
}

/// `a` or `a as b` in a `use` list.
#[derive(Clone, Debug)]
pub struct UseName<'a> {
    /// The name in the source interface.
    pub name: Ident<'a>,
    /// The local name, if renamed.
    pub as_: Option<Ident<'a>>,
}

/// `world name { items }`
#[derive(Clone, Debug)]
pub struct World<'a> {
    /// Comments before it.
    pub docs: Docs<'a>,
    /// Gates.
    pub attributes: Vec<Attribute<'a>>,
    /// The name.
    pub name: Ident<'a>,
    /// Contents in order.
    pub items: Vec<WorldItem<'a>>,
    /// Comments after the last item, before `}`.
    pub trailing: Docs<'a>,
}

/// An item inside a world.
#[derive(Clone, Debug)]
pub enum WorldItem<'a> {
    /// `import …;`
    Import(Extern<'a>),
    /// `export …;`
    Export(Extern<'a>),
    /// `use path.{…};`
    Use(Use<'a>),
    /// A type definition.
    Type(TypeDef<'a>),
    /// `include path with { a as b };`
    Include(Include<'a>),
}

/// The body of an `import` or `export`.
#[derive(Clone, Debug)]
pub struct Extern<'a> {
    /// Comments before it.
    pub docs: Docs<'a>,
    /// Gates.
    pub attributes: Vec<Attribute<'a>>,
    /// What is imported/exported.
    pub kind: ExternKind<'a>,
    /// Span of the whole statement.
    pub span: Span,
}

/// What an `import`/`export` names.
#[derive(Clone, Debug)]
pub enum ExternKind<'a> {
    /// `import name: interface { items }`
    Interface {
        /// The name.
        name: Ident<'a>,
        /// The inline interface's items.
        items: Vec<InterfaceItem<'a>>,
        /// Comments after the last item.
        trailing: Docs<'a>,
    },
    /// `import path;`
    Path(UsePath<'a>),
    /// `import name: path;` — an interface imported under a plain name.
    NamedPath {
        /// The plain name.
        name: Ident<'a>,
        /// The interface.
        path: UsePath<'a>,
    },
    /// `import name: func(…)` / `import name: get() -> T` / …
    Func {
        /// The name.
        name: Ident<'a>,
        /// The signature.
        func: Func<'a>,
    },
}

/// `include path with { a as b };`
#[derive(Clone, Debug)]
pub struct Include<'a> {
    /// Comments before it.
    pub docs: Docs<'a>,
    /// Gates.
    pub attributes: Vec<Attribute<'a>>,
    /// The world included.
    pub from: UsePath<'a>,
    /// Renames.
    pub names: Vec<IncludeName<'a>>,
    /// Span of the whole statement.
    pub span: Span,
}

/// `a as b` inside `include … with { }`.
#[derive(Clone, Debug)]
pub struct IncludeName<'a> {
    /// The name in the included world.
    pub name: Ident<'a>,
    /// The new name.
    pub as_: Ident<'a>,
}

/// A named type definition.
#[derive(Clone, Debug)]
pub struct TypeDef<'a> {
    /// Comments before it.
    pub docs: Docs<'a>,
    /// Gates.
    pub attributes: Vec<Attribute<'a>>,
    /// The name.
    pub name: Ident<'a>,
    /// The definition.
    pub body: TypeBody<'a>,
    /// Span of the whole definition.
    pub span: Span,
}

/// The right-hand side of a [`TypeDef`].
#[derive(Clone, Debug)]
pub enum TypeBody<'a> {
    /// `resource r;` or `resource r { funcs }`.
    Resource {
        /// Constructor, methods, static functions and accessors.
        funcs: Vec<ResourceFunc<'a>>,
        /// Whether it was written with braces (for printing).
        braces: bool,
        /// Comments after the last function.
        trailing: Docs<'a>,
    },
    /// `record r { fields }`
    Record(Vec<Field<'a>>, Docs<'a>),
    /// `flags f { names }`
    Flags(Vec<Flag<'a>>, Docs<'a>),
    /// `variant v { cases }`
    Variant(Vec<Case<'a>>, Docs<'a>),
    /// `enum e { cases }`
    Enum(Vec<EnumCase<'a>>, Docs<'a>),
    /// `type t = T;`
    Alias(Type<'a>),
}

/// A record field.
#[derive(Clone, Debug)]
pub struct Field<'a> {
    /// Comments before it.
    pub docs: Docs<'a>,
    /// Name.
    pub name: Ident<'a>,
    /// Type.
    pub ty: Type<'a>,
}

/// A flag.
#[derive(Clone, Debug)]
pub struct Flag<'a> {
    /// Comments before it.
    pub docs: Docs<'a>,
    /// Name.
    pub name: Ident<'a>,
}

/// A variant case.
#[derive(Clone, Debug)]
pub struct Case<'a> {
    /// Comments before it.
    pub docs: Docs<'a>,
    /// Name.
    pub name: Ident<'a>,
    /// Payload.
    pub ty: Option<Type<'a>>,
}

/// An enum case.
#[derive(Clone, Debug)]
pub struct EnumCase<'a> {
    /// Comments before it.
    pub docs: Docs<'a>,
    /// Name.
    pub name: Ident<'a>,
}

/// A function inside a `resource { }` block.
#[derive(Clone, Debug)]
pub enum ResourceFunc<'a> {
    /// `name: func(…)` / `name: get() -> T` / `name: set(v: T)` — takes `self`.
    Method(NamedFunc<'a>),
    /// `name: static func(…)` / `name: static get() -> T` / …
    Static(NamedFunc<'a>),
    /// `constructor(…)` or `constructor(…) -> result<r, e>`; `name` is the `constructor` keyword.
    Constructor(NamedFunc<'a>),
}

impl<'a> ResourceFunc<'a> {
    /// The function, whatever its kind.
    pub fn named_func(&self) -> &NamedFunc<'a> {
        match self {
            ResourceFunc::Method(f) | ResourceFunc::Static(f) | ResourceFunc::Constructor(f) => f,
        }
    }
}

/// `name: func(…) -> T` with its docs and gates.
#[derive(Clone, Debug)]
pub struct NamedFunc<'a> {
    /// Comments before it.
    pub docs: Docs<'a>,
    /// Gates.
    pub attributes: Vec<Attribute<'a>>,
    /// The name.
    pub name: Ident<'a>,
    /// The signature.
    pub func: Func<'a>,
}

/// Which syntax declared a function.
#[derive(Copy, Clone, Debug, PartialEq, Eq)]
pub enum FuncKind {
    /// `func(…)`
    Func,
    /// `get() -> T`
    Getter,
    /// `set(value: T)`
    Setter,
}

/// A signature: `async? func(params) -> result`.
#[derive(Clone, Debug)]
pub struct Func<'a> {
    /// `async func`.
    pub is_async: bool,
    /// `func`, `get` or `set`.
    pub kind: FuncKind,
    /// Parameters in order.
    pub params: Vec<(Ident<'a>, Type<'a>)>,
    /// The result type.
    pub result: Option<Type<'a>>,
    /// Span from `async`/`func` to the end of the signature.
    pub span: Span,
}

/// A type as written.
#[derive(Clone, Debug)]
pub enum Type<'a> {
    /// `bool`
    Bool(Span),
    /// `u8`
    U8(Span),
    /// `u16`
    U16(Span),
    /// `u32`
    U32(Span),
    /// `u64`
    U64(Span),
    /// `s8`
    S8(Span),
    /// `s16`
    S16(Span),
    /// `s32`
    S32(Span),
    /// `s64`
    S64(Span),
    /// `f32`
    F32(Span),
    /// `f64`
    F64(Span),
    /// `char`
    Char(Span),
    /// `string`
    String(Span),
    /// `error-context`
    ErrorContext(Span),
    /// A named type.
    Name(Ident<'a>),
    /// `list<T>`
    List(Box<Type<'a>>, Span),
    /// `list<T, N>`
    FixedLengthList(Box<Type<'a>>, u32, Span),
    /// `map<K, V>`
    Map(Box<Type<'a>>, Box<Type<'a>>, Span),
    /// `own<r>`
    Own(Ident<'a>, Span),
    /// `borrow<r>`
    Borrow(Ident<'a>, Span),
    /// `tuple<…>`
    Tuple(Vec<Type<'a>>, Span),
    /// `option<T>`
    Option(Box<Type<'a>>, Span),
    /// `result`, `result<T>`, `result<_, E>`, `result<T, E>`
    Result {
        /// Ok payload.
        ok: Option<Box<Type<'a>>>,
        /// Err payload.
        err: Option<Box<Type<'a>>>,
        /// Span.
        span: Span,
    },
    /// `future` / `future<T>`
    Future(Option<Box<Type<'a>>>, Span),
    /// `stream` / `stream<T>`
    Stream(Option<Box<Type<'a>>>, Span),
}

impl Type<'_> {
    /// Span of the type as written.
    pub fn span(&self) -> Span {
        match self {
            Type::Bool(s)
            | Type::U8(s)
            | Type::U16(s)
            | Type::U32(s)
            | Type::U64(s)
            | Type::S8(s)
            | Type::S16(s)
            | Type::S32(s)
            | Type::S64(s)
            | Type::F32(s)
            | Type::F64(s)
            | Type::Char(s)
            | Type::String(s)
            | Type::ErrorContext(s)
            | Type::List(_, s)
            | Type::FixedLengthList(_, _, s)
            | Type::Map(_, _, s)
            | Type::Own(_, s)
            | Type::Borrow(_, s)
            | Type::Tuple(_, s)
            | Type::Option(_, s)
            | Type::Future(_, s)
            | Type::Stream(_, s) => *s,
            Type::Result { span, .. } => *span,
            Type::Name(id) => id.span,
        }
    }
}
