//! Random valid WIT packages, built as a small model from [`Unstructured`] and then rendered.
//!
//! The model covers interfaces with every kind of type (records, variants, enums, flags,
//! resources with constructors, methods and static functions, aliases, lists, fixed-length
//! lists, maps, options, results, tuples, futures and streams), functions (some `async`),
//! `use` between interfaces (local and from a dependency package, with `as` renames), worlds
//! with interface, function and inline-interface imports and exports, world-level types and
//! `use`, `include`, `@since`/`@deprecated`/`@unstable` gates, doc comments and `%`-escaped
//! names.
//!
//! Validity is by construction:
//!
//! * Names are unique in their scope, and a name that is a WIT keyword is written with `%`.
//! * A type refers only to primitives and to types declared before it, so there are no cycles.
//! * `borrow<r>` appears only as a function parameter's whole type.
//! * `@unstable` gates only functions, which nothing refers to.
//! * In a world no export depends (through `use`, transitively) on another export, and no
//!   import does either, which is what keeps wit-parser's world elaboration happy.
//!
//! [`render`] writes a model as WIT text. With an [`Unstructured`] for "mess" it also sprinkles
//! comments of every kind and odd whitespace between tokens, and reports each comment it
//! wrote, for the `format` target.

use std::collections::{BTreeSet, HashSet};

use arbitrary::{Result, Unstructured};

/// Names that are WIT keywords (or were, or might be): such a name is always written `%name`.
#[rustfmt::skip]
pub const KEYWORDS: &[&str] = &[
    "as", "async", "bool", "borrow", "char", "constructor", "enum", "error-context", "export",
    "f32", "f64", "flags", "float32", "float64", "from", "func", "future", "import", "include",
    "interface", "list", "map", "option", "own", "package", "record", "resource", "result", "s16",
    "s32", "s64", "s8", "static", "stream", "string", "tuple", "type", "u16", "u32", "u64", "u8",
    "use", "variant", "with", "world",
];

/// Words names are made of. Some are keywords, so `%` escapes get exercised.
#[rustfmt::skip]
const WORDS: &[&str] = &[
    "a", "b", "c", "x", "y", "foo", "bar", "baz", "qux", "input", "output", "size", "get", "set",
    "new", "count", "value", "item", "node", "http", "io", "error", "handle", "body", "v2", "t1",
    "XML", "URL", "list", "type", "record", "stream", "future", "string", "own", "world", "use",
    "func", "enum", "include", "error-context", "resource", "map", "async", "constructor",
];

#[rustfmt::skip]
const PRIMITIVES: &[&str] = &[
    "bool", "u8", "u16", "u32", "u64", "s8", "s16", "s32", "s64", "f32", "f64", "char", "string",
    "error-context",
];

const MAP_KEYS: &[&str] = &["string", "u32", "s64", "char", "bool", "u8"];

const VERSIONS: &[&str] = &["0.1.0", "0.2.0", "0.2.3", "1.0.0", "1.2.3"];

#[rustfmt::skip]
const DOC_WORDS: &[&str] = &[
    "the", "a", "value", "returns", "`list<u8>`", "resource", "an", "error", "if", "(see", "below)",
    "é", "—", "*", "/", "<T>", "**bold**",
];

/// A name and whether it is written with `%`.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Name {
    /// The name without `%`.
    pub text: String,
    /// Written as `%text`.
    pub escaped: bool,
}

impl Name {
    fn written(&self) -> String {
        if self.escaped {
            format!("%{}", self.text)
        } else {
            self.text.clone()
        }
    }
}

/// `@since` / `@deprecated` / `@unstable`.
#[derive(Clone, Debug)]
pub enum Gate {
    /// No attribute.
    None,
    /// `@since(version = v)`, optionally `@deprecated(version = d)`.
    Since(&'static str, Option<&'static str>),
    /// `@unstable(feature = f)`.
    Unstable(String),
}

/// A type expression.
#[derive(Clone, Debug)]
pub enum Ty {
    /// `u8`, `string`, …
    Prim(&'static str),
    /// A named type in scope (`r` for a resource means `own<r>`).
    Named(Name),
    /// `own<r>`.
    Own(Name),
    /// `borrow<r>` (only a parameter's whole type).
    Borrow(Name),
    /// `list<T>`.
    List(Box<Ty>),
    /// `list<T, N>`.
    Fixed(Box<Ty>, u32),
    /// `map<K, V>`.
    Map(&'static str, Box<Ty>),
    /// `option<T>`.
    Option(Box<Ty>),
    /// `result`, `result<T>`, `result<_, E>`, `result<T, E>`.
    Result(Option<Box<Ty>>, Option<Box<Ty>>),
    /// `tuple<…>`.
    Tuple(Vec<Ty>),
    /// `future` / `future<T>`.
    Future(Option<Box<Ty>>),
    /// `stream` / `stream<T>`.
    Stream(Option<Box<Ty>>),
}

/// A function signature with its name, docs and gate.
#[derive(Clone, Debug)]
pub struct Func {
    /// The name (method name for resource functions).
    pub name: Name,
    /// Doc comment lines.
    pub docs: Vec<String>,
    /// Attribute.
    pub gate: Gate,
    /// `async func`.
    pub is_async: bool,
    /// Parameters.
    pub params: Vec<(Name, Ty)>,
    /// Result type.
    pub result: Option<Ty>,
}

/// A function in a resource body.
#[derive(Clone, Debug)]
pub enum ResourceFunc {
    /// `constructor(…)`, optionally `-> result<r, E>`.
    Constructor {
        /// Doc comment lines.
        docs: Vec<String>,
        /// Attribute.
        gate: Gate,
        /// Parameters.
        params: Vec<(Name, Ty)>,
        /// The error type of a fallible constructor.
        error: Option<Ty>,
    },
    /// `m: func(…)`.
    Method(Func),
    /// `m: static func(…)`.
    Static(Func),
}

/// What a type definition is.
#[derive(Clone, Debug)]
pub enum TypeKind {
    /// `record n { … }`.
    Record(Vec<(Name, Ty, Vec<String>)>),
    /// `variant n { … }`.
    Variant(Vec<(Name, Option<Ty>, Vec<String>)>),
    /// `enum n { … }`.
    Enum(Vec<(Name, Vec<String>)>),
    /// `flags n { … }`.
    Flags(Vec<(Name, Vec<String>)>),
    /// `resource n;` (`None`) or `resource n { … }`.
    Resource(Option<Vec<ResourceFunc>>),
    /// `type n = T;`.
    Alias(Ty),
}

/// A named type definition.
#[derive(Clone, Debug)]
pub struct TypeDef {
    /// Name.
    pub name: Name,
    /// Doc comment lines.
    pub docs: Vec<String>,
    /// Attribute.
    pub gate: Gate,
    /// Definition.
    pub kind: TypeKind,
}

/// Where a `use` takes names from.
#[derive(Clone, Debug)]
pub enum UsePath {
    /// An interface of this package.
    Local(Name),
    /// `ns:pkg/iface@version` (already written out).
    Foreign(String),
}

/// `use path.{a, b as c};`
#[derive(Clone, Debug)]
pub struct Use {
    /// Source interface.
    pub path: UsePath,
    /// `(name, rename)`.
    pub names: Vec<(Name, Option<Name>)>,
}

/// A named interface.
#[derive(Clone, Debug)]
pub struct Interface {
    /// Name.
    pub name: Name,
    /// Doc comment lines.
    pub docs: Vec<String>,
    /// Attribute.
    pub gate: Gate,
    /// `use` statements (written first).
    pub uses: Vec<Use>,
    /// Types, in order.
    pub types: Vec<TypeDef>,
    /// Functions, in order.
    pub funcs: Vec<Func>,
    /// Indices of the local interfaces it depends on, transitively.
    pub deps: BTreeSet<usize>,
    /// The types other interfaces may `use`: name and whether it is a resource.
    pub exposed: Vec<(Name, bool)>,
}

/// An item of a world.
#[derive(Clone, Debug)]
pub enum WorldItem {
    /// `import path;` / `export path;` for a named interface.
    Interface {
        /// Export or import.
        export: bool,
        /// The path as written (`iface` or `ns:pkg/iface@v`).
        path: String,
        /// Doc comment lines.
        docs: Vec<String>,
        /// Attribute.
        gate: Gate,
    },
    /// `import name: func(…);`.
    Func {
        /// Export or import.
        export: bool,
        /// The function.
        func: Func,
    },
    /// `import name: interface { … }`.
    Inline {
        /// Export or import.
        export: bool,
        /// Name.
        name: Name,
        /// Doc comment lines.
        docs: Vec<String>,
        /// Functions of the inline interface.
        funcs: Vec<Func>,
    },
}

/// A world.
#[derive(Clone, Debug)]
pub struct World {
    /// Name.
    pub name: Name,
    /// Doc comment lines.
    pub docs: Vec<String>,
    /// Attribute.
    pub gate: Gate,
    /// `include w;` of earlier worlds (written first).
    pub includes: Vec<Name>,
    /// `use` statements.
    pub uses: Vec<Use>,
    /// World-level types.
    pub types: Vec<TypeDef>,
    /// Imports and exports.
    pub items: Vec<WorldItem>,
    /// Indices of local interfaces imported (directly, via `use`, or implied).
    imports: BTreeSet<usize>,
    /// Indices of local interfaces exported.
    exports: BTreeSet<usize>,
    /// Whether it has only interface imports and exports (so including it cannot clash).
    simple: bool,
}

/// A package: `package ns:name@version;` with interfaces and worlds.
#[derive(Clone, Debug)]
pub struct Package {
    /// `ns:name`.
    pub name: String,
    /// Version, if any.
    pub version: Option<&'static str>,
    /// Doc comment lines on the `package` declaration.
    pub docs: Vec<String>,
    /// Interfaces.
    pub interfaces: Vec<Interface>,
    /// Worlds.
    pub worlds: Vec<World>,
}

impl Package {
    /// `ns:name@version` as used in a foreign path.
    fn qualified(&self, iface: &Name) -> String {
        match self.version {
            Some(v) => format!("{}/{}@{v}", self.name, iface.written()),
            None => format!("{}/{}", self.name, iface.written()),
        }
    }
}

/// Where a `use` may take names from: the path, the names it exposes (and whether each is a
/// resource), and the index of the interface if it is local.
type UseSource = (UsePath, Vec<(Name, bool)>, Option<usize>);

/// Names in scope for type expressions.
#[derive(Clone, Default)]
struct Scope {
    values: Vec<Name>,
    resources: Vec<Name>,
}

/// Generates a package. `dep`, if given, is a package already pushed that this one may `use`
/// and import from; `name` is the package name to give (it must differ from `dep`'s).
pub fn package(u: &mut Unstructured<'_>, name: &str, dep: Option<&Package>) -> Result<Package> {
    let version = if u.ratio(3, 4)? {
        Some(u.choose_index(VERSIONS.len())?)
    } else {
        None
    };
    let mut g = Gen { u, version, dep };
    let version = version.map(|v| VERSIONS[v]);
    let docs = g.docs()?;
    let mut pkg = Package {
        name: name.to_string(),
        version,
        docs,
        interfaces: Vec::new(),
        worlds: Vec::new(),
    };
    // Interface and world names share the package's namespace.
    let mut top = HashSet::new();
    let n = g.u.int_in_range(0..=5)?;
    for _ in 0..n {
        let iface = g.interface(&pkg.interfaces, &mut top)?;
        pkg.interfaces.push(iface);
    }
    let n = g.u.int_in_range(0..=3)?;
    for _ in 0..n {
        let world = g.world(&pkg.interfaces, &pkg.worlds, &mut top)?;
        pkg.worlds.push(world);
    }
    Ok(pkg)
}

struct Gen<'a, 'b> {
    u: &'a mut Unstructured<'b>,
    /// Index in [`VERSIONS`] of the package's version; gates may name it or older ones.
    version: Option<usize>,
    dep: Option<&'a Package>,
}

impl Gen<'_, '_> {
    fn name(&mut self, used: &mut HashSet<String>) -> Result<Name> {
        let words = self.u.int_in_range(1..=2)?;
        let mut base = String::new();
        for i in 0..words {
            if i > 0 {
                base.push('-');
            }
            base.push_str(self.u.choose(WORDS)?);
        }
        let mut text = base.clone();
        let mut n = 2;
        // Case-insensitively unique, as the component model wants.
        while used.contains(&text.to_lowercase()) {
            text = format!("{base}-n{n}");
            n += 1;
        }
        used.insert(text.to_lowercase());
        let escaped = KEYWORDS.contains(&text.as_str()) || self.u.ratio(1, 16)?;
        Ok(Name { text, escaped })
    }

    fn docs(&mut self) -> Result<Vec<String>> {
        let mut lines = Vec::new();
        if self.u.ratio(1, 4)? {
            for _ in 0..self.u.int_in_range(1..=2)? {
                let mut line = String::new();
                for i in 0..self.u.int_in_range(1..=5)? {
                    if i > 0 {
                        line.push(' ');
                    }
                    line.push_str(self.u.choose(DOC_WORDS)?);
                }
                lines.push(line);
            }
        }
        Ok(lines)
    }

    fn gate(&mut self, allow_unstable: bool) -> Result<Gate> {
        let Some(version) = self.version else {
            return Ok(Gate::None);
        };
        if !self.u.ratio(1, 5)? {
            return Ok(Gate::None);
        }
        if allow_unstable && self.u.ratio(1, 4)? {
            return Ok(Gate::Unstable(
                self.u
                    .choose(&["fancy", "experimental", "x"][..])?
                    .to_string(),
            ));
        }
        // wit-parser rejects a gate naming a version newer than the package's.
        let since = self.u.int_in_range(0..=version)?;
        let deprecated = if self.u.ratio(1, 3)? {
            Some(VERSIONS[self.u.int_in_range(since..=version)?])
        } else {
            None
        };
        Ok(Gate::Since(VERSIONS[since], deprecated))
    }

    fn ty(&mut self, scope: &Scope, depth: u32) -> Result<Ty> {
        let leaf = depth >= 3 || self.u.ratio(1, 2)?;
        if leaf {
            return Ok(match self.u.int_in_range(0..=9)? {
                0..=4 if !scope.values.is_empty() => {
                    Ty::Named(self.u.choose(&scope.values)?.clone())
                }
                5 if !scope.resources.is_empty() => {
                    Ty::Named(self.u.choose(&scope.resources)?.clone())
                }
                6 if !scope.resources.is_empty() => {
                    Ty::Own(self.u.choose(&scope.resources)?.clone())
                }
                _ => Ty::Prim(self.u.choose(PRIMITIVES)?),
            });
        }
        let d = depth + 1;
        Ok(match self.u.int_in_range(0..=9)? {
            0 => Ty::List(Box::new(self.ty(scope, d)?)),
            1 => Ty::Fixed(Box::new(self.ty(scope, d)?), self.u.int_in_range(1..=8)?),
            2 => Ty::Map(self.u.choose(MAP_KEYS)?, Box::new(self.ty(scope, d)?)),
            3 => Ty::Option(Box::new(self.ty(scope, d)?)),
            4 | 5 => {
                let ok = if self.u.arbitrary()? {
                    Some(Box::new(self.ty(scope, d)?))
                } else {
                    None
                };
                let err = if self.u.arbitrary()? {
                    Some(Box::new(self.ty(scope, d)?))
                } else {
                    None
                };
                Ty::Result(ok, err)
            }
            6 | 7 => {
                let mut tys = Vec::new();
                for _ in 0..self.u.int_in_range(1..=4)? {
                    tys.push(self.ty(scope, d)?);
                }
                Ty::Tuple(tys)
            }
            8 => Ty::Future(if self.u.arbitrary()? {
                Some(Box::new(self.ty(scope, d)?))
            } else {
                None
            }),
            _ => Ty::Stream(if self.u.arbitrary()? {
                Some(Box::new(self.ty(scope, d)?))
            } else {
                None
            }),
        })
    }

    fn params(&mut self, scope: &Scope, max: u32, depth: u32) -> Result<Vec<(Name, Ty)>> {
        let mut used = HashSet::new();
        let mut params = Vec::new();
        for _ in 0..self.u.int_in_range(0..=max)? {
            let name = self.name(&mut used)?;
            let ty = if !scope.resources.is_empty() && self.u.ratio(1, 5)? {
                Ty::Borrow(self.u.choose(&scope.resources)?.clone())
            } else {
                self.ty(scope, depth)?
            };
            params.push((name, ty));
        }
        Ok(params)
    }

    fn func(&mut self, scope: &Scope, used: &mut HashSet<String>) -> Result<Func> {
        let docs = self.docs()?;
        let gate = self.gate(true)?;
        // A function excluded by `@unstable` still has its anonymous types allocated by
        // wit-parser, which a print (without the function) cannot reproduce; so such a
        // function gets only primitive types, which allocate nothing.
        let empty = Scope::default();
        let (scope, depth) = match gate {
            Gate::Unstable(_) => (&empty, 3),
            _ => (scope, 0),
        };
        Ok(Func {
            docs,
            gate,
            name: self.name(used)?,
            is_async: self.u.ratio(1, 6)?,
            params: self.params(scope, 4, depth)?,
            result: if self.u.ratio(2, 3)? {
                Some(self.ty(scope, depth)?)
            } else {
                None
            },
        })
    }

    fn typedef(&mut self, scope: &Scope, used: &mut HashSet<String>) -> Result<TypeDef> {
        let docs = self.docs()?;
        let gate = self.gate(false)?;
        let name = self.name(used)?;
        let kind = match self.u.int_in_range(0..=5)? {
            0 => {
                let mut names = HashSet::new();
                let mut fields = Vec::new();
                for _ in 0..self.u.int_in_range(1..=5)? {
                    fields.push((self.name(&mut names)?, self.ty(scope, 0)?, self.docs()?));
                }
                TypeKind::Record(fields)
            }
            1 => {
                let mut names = HashSet::new();
                let mut cases = Vec::new();
                for _ in 0..self.u.int_in_range(1..=5)? {
                    let name = self.name(&mut names)?;
                    let ty = if self.u.arbitrary()? {
                        Some(self.ty(scope, 0)?)
                    } else {
                        None
                    };
                    cases.push((name, ty, self.docs()?));
                }
                TypeKind::Variant(cases)
            }
            2 | 3 => {
                let mut names = HashSet::new();
                let mut cases = Vec::new();
                for _ in 0..self.u.int_in_range(1..=6)? {
                    cases.push((self.name(&mut names)?, self.docs()?));
                }
                if self.u.arbitrary()? {
                    TypeKind::Enum(cases)
                } else {
                    TypeKind::Flags(cases)
                }
            }
            4 => {
                if self.u.ratio(1, 4)? {
                    TypeKind::Resource(None)
                } else {
                    let mut inner = scope.clone();
                    inner.resources.push(name.clone());
                    let mut funcs = Vec::new();
                    // wit-parser rejects a method named like its resource.
                    let mut names = HashSet::from([name.text.to_lowercase()]);
                    if self.u.arbitrary()? {
                        funcs.push(ResourceFunc::Constructor {
                            docs: self.docs()?,
                            gate: self.gate(false)?,
                            params: self.params(&inner, 3, 0)?,
                            error: if self.u.ratio(1, 6)? {
                                Some(self.ty(scope, 1)?)
                            } else {
                                None
                            },
                        });
                    }
                    for _ in 0..self.u.int_in_range(0..=3)? {
                        let f = self.func(&inner, &mut names)?;
                        // A method's `self: borrow<r>` is an anonymous type too, so an
                        // `@unstable` one is made static (see `func`).
                        let unstable = matches!(f.gate, Gate::Unstable(_));
                        funcs.push(if unstable || self.u.ratio(1, 3)? {
                            ResourceFunc::Static(f)
                        } else {
                            ResourceFunc::Method(f)
                        });
                    }
                    TypeKind::Resource(Some(funcs))
                }
            }
            _ => TypeKind::Alias(self.ty(scope, 0)?),
        };
        Ok(TypeDef {
            name,
            docs,
            gate,
            kind,
        })
    }

    /// `use` of up to three exposed names from `from`; adds them to `scope`.
    fn use_from(
        &mut self,
        path: UsePath,
        exposed: &[(Name, bool)],
        scope: &mut Scope,
        used: &mut HashSet<String>,
    ) -> Result<Use> {
        let mut names = Vec::new();
        for _ in 0..self.u.int_in_range(1..=3)? {
            let (name, is_resource) = self.u.choose(exposed)?.clone();
            if names
                .iter()
                .any(|(n, _): &(Name, Option<Name>)| n.text == name.text)
            {
                continue;
            }
            let local = if used.contains(&name.text.to_lowercase()) || self.u.ratio(1, 4)? {
                Some(self.name(used)?)
            } else {
                used.insert(name.text.to_lowercase());
                None
            };
            let in_scope = local.clone().unwrap_or_else(|| name.clone());
            if is_resource {
                scope.resources.push(in_scope);
            } else {
                scope.values.push(in_scope);
            }
            names.push((name, local));
        }
        Ok(Use { path, names })
    }

    /// Picks an interface to `use` from: a local one (with its index) or one of the dep's.
    fn use_source(&mut self, locals: &[Interface]) -> Result<Option<UseSource>> {
        let dep = self.dep;
        let foreign: Vec<&Interface> = dep
            .map(|d| {
                d.interfaces
                    .iter()
                    .filter(|i| !i.exposed.is_empty())
                    .collect()
            })
            .unwrap_or_default();
        let local: Vec<usize> = (0..locals.len())
            .filter(|&i| !locals[i].exposed.is_empty())
            .collect();
        if !foreign.is_empty() && (local.is_empty() || self.u.ratio(1, 3)?) {
            let iface = *self.u.choose(&foreign)?;
            let path = UsePath::Foreign(dep.unwrap().qualified(&iface.name));
            return Ok(Some((path, iface.exposed.clone(), None)));
        }
        if local.is_empty() {
            return Ok(None);
        }
        let i = *self.u.choose(&local)?;
        Ok(Some((
            UsePath::Local(locals[i].name.clone()),
            locals[i].exposed.clone(),
            Some(i),
        )))
    }

    fn interface(&mut self, earlier: &[Interface], top: &mut HashSet<String>) -> Result<Interface> {
        let docs = self.docs()?;
        let gate = self.gate(false)?;
        let name = self.name(top)?;
        let mut used = HashSet::new();
        let mut scope = Scope::default();
        let mut deps = BTreeSet::new();
        let mut uses = Vec::new();
        for _ in 0..self.u.int_in_range(0..=2)? {
            if let Some((path, exposed, index)) = self.use_source(earlier)? {
                if let Some(index) = index {
                    deps.insert(index);
                    deps.extend(earlier[index].deps.iter().copied());
                }
                uses.push(self.use_from(path, &exposed, &mut scope, &mut used)?);
            }
        }
        let mut types = Vec::new();
        let mut exposed = Vec::new();
        for _ in 0..self.u.int_in_range(0..=6)? {
            let def = self.typedef(&scope, &mut used)?;
            let is_resource = matches!(def.kind, TypeKind::Resource(_));
            if is_resource {
                scope.resources.push(def.name.clone());
            } else {
                scope.values.push(def.name.clone());
            }
            exposed.push((def.name.clone(), is_resource));
            types.push(def);
        }
        let mut funcs = Vec::new();
        for _ in 0..self.u.int_in_range(0..=4)? {
            funcs.push(self.func(&scope, &mut used)?);
        }
        Ok(Interface {
            name,
            docs,
            gate,
            uses,
            types,
            funcs,
            deps,
            exposed,
        })
    }

    fn world(
        &mut self,
        ifaces: &[Interface],
        earlier: &[World],
        top: &mut HashSet<String>,
    ) -> Result<World> {
        let docs = self.docs()?;
        let gate = self.gate(false)?;
        let name = self.name(top)?;
        let mut w = World {
            name,
            docs,
            gate,
            includes: Vec::new(),
            uses: Vec::new(),
            types: Vec::new(),
            items: Vec::new(),
            imports: BTreeSet::new(),
            exports: BTreeSet::new(),
            simple: true,
        };
        // Item names share one namespace; interface names are kept out of it too.
        let mut used: HashSet<String> = ifaces.iter().map(|i| i.name.text.to_lowercase()).collect();

        let simple: Vec<&World> = earlier.iter().filter(|w| w.simple).collect();
        if !simple.is_empty() && self.u.ratio(1, 2)? {
            let other = *self.u.choose(&simple)?;
            let fits = other.imports.iter().all(|&i| can_import(ifaces, &w, i))
                && other.exports.iter().all(|&e| can_export(ifaces, &w, e))
                && other
                    .exports
                    .iter()
                    .all(|&e| other.imports.iter().all(|&i| !ifaces[i].deps.contains(&e)));
            if fits {
                w.imports.extend(other.imports.iter().copied());
                w.exports.extend(other.exports.iter().copied());
                w.includes.push(other.name.clone());
            }
        }

        // A third of the worlds hold only interface imports and exports, so that `include`
        // has something to include.
        let only_interfaces = self.u.ratio(1, 3)?;
        let mut scope = Scope::default();
        for _ in 0..if only_interfaces {
            0
        } else {
            self.u.int_in_range(0..=1)?
        } {
            let Some((path, exposed, index)) = self.use_source(ifaces)? else {
                break;
            };
            if let Some(i) = index {
                if !can_import(ifaces, &w, i) {
                    continue;
                }
                add_import(ifaces, &mut w, i);
            }
            w.simple = false;
            w.uses
                .push(self.use_from(path, &exposed, &mut scope, &mut used)?);
        }
        for _ in 0..if only_interfaces {
            0
        } else {
            self.u.int_in_range(0..=2)?
        } {
            let def = self.typedef(&scope, &mut used)?;
            if matches!(def.kind, TypeKind::Resource(_)) {
                scope.resources.push(def.name.clone());
            } else {
                scope.values.push(def.name.clone());
            }
            w.simple = false;
            w.types.push(def);
        }

        for _ in 0..self.u.int_in_range(0..=6)? {
            let export: bool = self.u.arbitrary()?;
            match if only_interfaces {
                0
            } else {
                self.u.int_in_range(0..=3)?
            } {
                0 | 1 => {
                    // A named interface, local or the dep's (imports only).
                    let foreign = !export
                        && self.dep.is_some_and(|d| !d.interfaces.is_empty())
                        && self.u.ratio(1, 3)?;
                    let path = if foreign {
                        let dep = self.dep.unwrap();
                        let iface = self.u.choose(&dep.interfaces)?;
                        dep.qualified(&iface.name)
                    } else {
                        if ifaces.is_empty() {
                            continue;
                        }
                        let i = self.u.choose_index(ifaces.len())?;
                        if w.imports.contains(&i) || w.exports.contains(&i) {
                            continue;
                        }
                        if export {
                            if !can_export(ifaces, &w, i) {
                                continue;
                            }
                            w.exports.insert(i);
                        } else {
                            if !can_import(ifaces, &w, i) {
                                continue;
                            }
                            add_import(ifaces, &mut w, i);
                        }
                        ifaces[i].name.written()
                    };
                    if w.items
                        .iter()
                        .any(|it| matches!(it, WorldItem::Interface { path: p, .. } if *p == path))
                    {
                        continue;
                    }
                    let docs = self.docs()?;
                    // wit-parser rejects an `include` that brings in an interface (or one
                    // it uses) under a gate other than the one it already has, so gated
                    // interface items stay out of worlds that include or may be included.
                    let gate = if w.includes.is_empty() {
                        self.gate(false)?
                    } else {
                        Gate::None
                    };
                    if !matches!(gate, Gate::None) {
                        w.simple = false;
                    }
                    w.items.push(WorldItem::Interface {
                        export,
                        path,
                        docs,
                        gate,
                    });
                }
                2 => {
                    let func = self.func(&scope, &mut used)?;
                    w.simple = false;
                    w.items.push(WorldItem::Func { export, func });
                }
                _ => {
                    let docs = self.docs()?;
                    let name = self.name(&mut used)?;
                    let mut names = HashSet::new();
                    let mut funcs = Vec::new();
                    for _ in 0..self.u.int_in_range(0..=2)? {
                        funcs.push(self.func(&Scope::default(), &mut names)?);
                    }
                    w.simple = false;
                    w.items.push(WorldItem::Inline {
                        export,
                        name,
                        docs,
                        funcs,
                    });
                }
            }
        }
        Ok(w)
    }
}

/// Whether local interface `i` may be imported (explicitly, by `use`, or as an export's
/// dependency): it must not be exported, nor depend on an export.
fn can_import(ifaces: &[Interface], w: &World, i: usize) -> bool {
    !w.exports.contains(&i) && ifaces[i].deps.is_disjoint(&w.exports)
}

fn add_import(ifaces: &[Interface], w: &mut World, i: usize) {
    w.imports.insert(i);
    w.imports.extend(ifaces[i].deps.iter().copied());
}

/// Whether local interface `e` may be exported: not imported (its dependencies, which become
/// imports, included), not depended on by any import, and not depending on another export.
fn can_export(ifaces: &[Interface], w: &World, e: usize) -> bool {
    let mut imports = w.imports.clone();
    for &x in &w.exports {
        imports.extend(ifaces[x].deps.iter().copied());
    }
    !imports.contains(&e)
        && !w.exports.contains(&e)
        && ifaces[e].deps.is_disjoint(&w.exports)
        && imports.iter().all(|&i| !ifaces[i].deps.contains(&e))
        && ifaces[e]
            .deps
            .iter()
            .all(|&d| ifaces[d].deps.is_disjoint(&w.exports))
}

/// WIT text and the comments written into it.
#[derive(Clone, Debug, Default)]
pub struct Rendered {
    /// The text.
    pub text: String,
    /// Every comment written, exactly as written (`// x`, `/* x */`, `/// x`, `/** x */`).
    pub comments: Vec<String>,
}

/// Writes `pkg` as WIT. With `mess`, also sprinkles comments and odd whitespace between
/// tokens, using `mess` to decide where.
pub fn render(pkg: &Package, mess: Option<&mut Unstructured<'_>>) -> Result<Rendered> {
    let mut w = Writer {
        out: String::new(),
        mess,
        comments: Vec::new(),
        next: 0,
        indent: 0,
    };
    w.package(pkg)?;
    Ok(Rendered {
        text: w.out,
        comments: w.comments,
    })
}

struct Writer<'a, 'b> {
    out: String,
    mess: Option<&'a mut Unstructured<'b>>,
    comments: Vec<String>,
    next: u32,
    indent: usize,
}

impl Writer<'_, '_> {
    fn s(&mut self, text: &str) {
        self.out.push_str(text);
    }

    fn messy(&mut self, num: u32, den: u32) -> Result<bool> {
        match &mut self.mess {
            Some(u) => u.ratio(num, den),
            None => Ok(false),
        }
    }

    fn comment(&mut self, text: String) {
        self.out.push_str(&text);
        self.comments.push(text);
    }

    fn newline_indent(&mut self) {
        self.out.push('\n');
        for _ in 0..self.indent {
            self.out.push_str("  ");
        }
    }

    /// Comments or odd whitespace, in messy mode; always ends in whitespace.
    fn sprinkle(&mut self) -> Result<()> {
        let kind = match &mut self.mess {
            Some(u) => u.int_in_range(0..=6)?,
            None => return Ok(()),
        };
        let n = self.next;
        self.next += 1;
        match kind {
            0 => {
                self.s(" ");
                self.comment(format!("/* [c{n}] */"));
                self.s(" ");
            }
            1 => {
                self.s(" ");
                self.comment(format!("// [c{n}]"));
                self.newline_indent();
            }
            2 => {
                self.newline_indent();
                self.comment(format!("/// [c{n}]"));
                self.newline_indent();
            }
            3 => {
                self.s(" ");
                self.comment(format!("/** [c{n}] */"));
                self.s(" ");
            }
            4 => self.s("\n\n     "),
            5 => self.s("\t"),
            _ => self.s("   "),
        }
        Ok(())
    }

    /// Whitespace that must be there.
    fn sp(&mut self) -> Result<()> {
        if self.messy(1, 6)? {
            self.sprinkle()
        } else {
            self.s(" ");
            Ok(())
        }
    }

    /// A place where whitespace may be.
    fn gap(&mut self) -> Result<()> {
        if self.messy(1, 8)? {
            self.sprinkle()?;
        }
        Ok(())
    }

    /// The end of a line.
    fn nl(&mut self) -> Result<()> {
        if self.messy(1, 8)? {
            let n = self.next;
            self.next += 1;
            self.s(" ");
            self.comment(format!("// [c{n}]"));
        }
        if self.messy(1, 10)? {
            self.out.push('\n');
        }
        self.newline_indent();
        Ok(())
    }

    /// A blank line between items.
    fn blank(&mut self) -> Result<()> {
        // Drop the indentation written by the last `nl`, then a newline.
        while self.out.ends_with(' ') {
            self.out.pop();
        }
        if !self.messy(1, 4)? {
            self.out.push('\n');
        }
        for _ in 0..self.indent {
            self.out.push_str("  ");
        }
        Ok(())
    }

    fn open(&mut self) -> Result<()> {
        self.s("{");
        self.indent += 1;
        self.nl()
    }

    fn close(&mut self) -> Result<()> {
        // The last `nl` indented one level too deep.
        if self.out.ends_with("  ") {
            self.out.truncate(self.out.len() - 2);
        }
        self.indent -= 1;
        self.s("}");
        Ok(())
    }

    fn docs(&mut self, docs: &[String]) -> Result<()> {
        let block = self.messy(1, 4)?;
        for line in docs {
            if block {
                self.comment(format!("/** {line} */"));
            } else {
                self.comment(format!("/// {line}"));
            }
            self.nl()?;
        }
        Ok(())
    }

    fn gate(&mut self, gate: &Gate) -> Result<()> {
        match gate {
            Gate::None => return Ok(()),
            Gate::Since(v, deprecated) => {
                self.s(&format!("@since(version = {v})"));
                if let Some(d) = deprecated {
                    self.nl()?;
                    self.s(&format!("@deprecated(version = {d})"));
                }
            }
            Gate::Unstable(feature) => self.s(&format!("@unstable(feature = {feature})")),
        }
        self.nl()
    }

    fn name(&mut self, name: &Name) {
        let text = name.written();
        self.s(&text);
    }

    fn ty(&mut self, ty: &Ty) -> Result<()> {
        let open = |w: &mut Self, kw: &str| -> Result<()> {
            w.s(kw);
            w.gap()?;
            w.s("<");
            w.gap()
        };
        let comma = |w: &mut Self| -> Result<()> {
            w.gap()?;
            w.s(",");
            w.sp()
        };
        let close = |w: &mut Self| -> Result<()> {
            w.gap()?;
            w.s(">");
            Ok(())
        };
        match ty {
            Ty::Prim(p) => self.s(p),
            Ty::Named(n) => self.name(n),
            Ty::Own(n) | Ty::Borrow(n) => {
                open(
                    self,
                    if matches!(ty, Ty::Own(_)) {
                        "own"
                    } else {
                        "borrow"
                    },
                )?;
                self.name(n);
                close(self)?;
            }
            Ty::List(t) | Ty::Option(t) => {
                open(
                    self,
                    if matches!(ty, Ty::List(_)) {
                        "list"
                    } else {
                        "option"
                    },
                )?;
                self.ty(t)?;
                close(self)?;
            }
            Ty::Fixed(t, n) => {
                open(self, "list")?;
                self.ty(t)?;
                comma(self)?;
                self.s(&n.to_string());
                close(self)?;
            }
            Ty::Map(k, v) => {
                open(self, "map")?;
                self.s(k);
                comma(self)?;
                self.ty(v)?;
                close(self)?;
            }
            Ty::Result(None, None) => self.s("result"),
            Ty::Result(ok, err) => {
                open(self, "result")?;
                match ok {
                    Some(t) => self.ty(t)?,
                    None => self.s("_"),
                }
                if let Some(e) = err {
                    comma(self)?;
                    self.ty(e)?;
                }
                close(self)?;
            }
            Ty::Tuple(tys) => {
                open(self, "tuple")?;
                for (i, t) in tys.iter().enumerate() {
                    if i > 0 {
                        comma(self)?;
                    }
                    self.ty(t)?;
                }
                close(self)?;
            }
            Ty::Future(t) | Ty::Stream(t) => {
                let kw = if matches!(ty, Ty::Future(_)) {
                    "future"
                } else {
                    "stream"
                };
                match t {
                    Some(t) => {
                        open(self, kw)?;
                        self.ty(t)?;
                        close(self)?;
                    }
                    None => self.s(kw),
                }
            }
        }
        Ok(())
    }

    fn params(&mut self, params: &[(Name, Ty)]) -> Result<()> {
        self.s("(");
        self.gap()?;
        for (i, (name, ty)) in params.iter().enumerate() {
            if i > 0 {
                self.gap()?;
                self.s(",");
                self.sp()?;
            }
            self.name(name);
            self.gap()?;
            self.s(":");
            self.sp()?;
            self.ty(ty)?;
        }
        self.gap()?;
        self.s(")");
        Ok(())
    }

    fn result(&mut self, result: Option<&Ty>) -> Result<()> {
        if let Some(t) = result {
            self.sp()?;
            self.s("->");
            self.sp()?;
            self.ty(t)?;
        }
        Ok(())
    }

    /// `name: [static] [async] func(…) -> T;` followed by a newline.
    fn func(&mut self, f: &Func, is_static: bool) -> Result<()> {
        self.docs(&f.docs)?;
        self.gate(&f.gate)?;
        self.name(&f.name);
        self.gap()?;
        self.s(":");
        self.sp()?;
        if is_static {
            self.s("static");
            self.sp()?;
        }
        if f.is_async {
            self.s("async");
            self.sp()?;
        }
        self.s("func");
        self.gap()?;
        self.params(&f.params)?;
        self.result(f.result.as_ref())?;
        self.gap()?;
        self.s(";");
        self.nl()
    }

    fn typedef(&mut self, def: &TypeDef) -> Result<()> {
        self.docs(&def.docs)?;
        self.gate(&def.gate)?;
        let keyword = match &def.kind {
            TypeKind::Record(_) => "record",
            TypeKind::Variant(_) => "variant",
            TypeKind::Enum(_) => "enum",
            TypeKind::Flags(_) => "flags",
            TypeKind::Resource(_) => "resource",
            TypeKind::Alias(_) => "type",
        };
        self.s(keyword);
        self.sp()?;
        self.name(&def.name);
        match &def.kind {
            TypeKind::Alias(ty) => {
                self.gap()?;
                self.s("=");
                self.sp()?;
                self.ty(ty)?;
                self.gap()?;
                self.s(";");
            }
            TypeKind::Resource(None) => {
                self.gap()?;
                self.s(";");
            }
            TypeKind::Resource(Some(funcs)) => {
                self.sp()?;
                self.open()?;
                for f in funcs {
                    match f {
                        ResourceFunc::Constructor {
                            docs,
                            gate,
                            params,
                            error,
                        } => {
                            self.docs(docs)?;
                            self.gate(gate)?;
                            self.s("constructor");
                            self.gap()?;
                            self.params(params)?;
                            if let Some(e) = error {
                                let ok = Ty::Named(def.name.clone());
                                self.result(Some(&Ty::Result(
                                    Some(Box::new(ok)),
                                    Some(Box::new(e.clone())),
                                )))?;
                            }
                            self.gap()?;
                            self.s(";");
                            self.nl()?;
                        }
                        ResourceFunc::Method(f) => self.func(f, false)?,
                        ResourceFunc::Static(f) => self.func(f, true)?,
                    }
                }
                self.close()?;
            }
            TypeKind::Record(fields) => {
                self.sp()?;
                self.open()?;
                for (i, (name, ty, docs)) in fields.iter().enumerate() {
                    self.docs(docs)?;
                    self.name(name);
                    self.gap()?;
                    self.s(":");
                    self.sp()?;
                    self.ty(ty)?;
                    self.trailing_comma(i + 1 == fields.len())?;
                }
                self.close()?;
            }
            TypeKind::Variant(cases) => {
                self.sp()?;
                self.open()?;
                for (i, (name, ty, docs)) in cases.iter().enumerate() {
                    self.docs(docs)?;
                    self.name(name);
                    if let Some(ty) = ty {
                        self.gap()?;
                        self.s("(");
                        self.gap()?;
                        self.ty(ty)?;
                        self.gap()?;
                        self.s(")");
                    }
                    self.trailing_comma(i + 1 == cases.len())?;
                }
                self.close()?;
            }
            TypeKind::Enum(cases) | TypeKind::Flags(cases) => {
                self.sp()?;
                self.open()?;
                for (i, (name, docs)) in cases.iter().enumerate() {
                    self.docs(docs)?;
                    self.name(name);
                    self.trailing_comma(i + 1 == cases.len())?;
                }
                self.close()?;
            }
        }
        self.nl()
    }

    /// `,` and a newline after a field or case; the last one's comma is optional.
    fn trailing_comma(&mut self, last: bool) -> Result<()> {
        if !last || !self.messy(1, 3)? {
            self.gap()?;
            self.s(",");
        }
        self.nl()
    }

    fn use_(&mut self, u: &Use) -> Result<()> {
        self.s("use");
        self.sp()?;
        match &u.path {
            UsePath::Local(n) => self.name(n),
            UsePath::Foreign(p) => self.s(p),
        }
        self.gap()?;
        self.s(".");
        self.gap()?;
        self.s("{");
        self.gap()?;
        for (i, (name, rename)) in u.names.iter().enumerate() {
            if i > 0 {
                self.gap()?;
                self.s(",");
                self.sp()?;
            }
            self.name(name);
            if let Some(r) = rename {
                self.sp()?;
                self.s("as");
                self.sp()?;
                self.name(r);
            }
        }
        self.gap()?;
        self.s("}");
        self.gap()?;
        self.s(";");
        self.nl()
    }

    fn package(&mut self, pkg: &Package) -> Result<()> {
        self.gap()?;
        self.docs(&pkg.docs)?;
        self.s("package");
        self.sp()?;
        self.s(&pkg.name);
        if let Some(v) = pkg.version {
            self.s(&format!("@{v}"));
        }
        self.gap()?;
        self.s(";");
        self.nl()?;
        for iface in &pkg.interfaces {
            self.blank()?;
            self.docs(&iface.docs)?;
            self.gate(&iface.gate)?;
            self.s("interface");
            self.sp()?;
            self.name(&iface.name);
            self.sp()?;
            self.open()?;
            for u in &iface.uses {
                self.use_(u)?;
            }
            for def in &iface.types {
                self.blank()?;
                self.typedef(def)?;
            }
            if !iface.funcs.is_empty() {
                self.blank()?;
            }
            for f in &iface.funcs {
                self.func(f, false)?;
            }
            self.close()?;
            self.nl()?;
        }
        for world in &pkg.worlds {
            self.blank()?;
            self.world(world)?;
        }
        self.gap()
    }

    fn world(&mut self, world: &World) -> Result<()> {
        self.docs(&world.docs)?;
        self.gate(&world.gate)?;
        self.s("world");
        self.sp()?;
        self.name(&world.name);
        self.sp()?;
        self.open()?;
        for inc in &world.includes {
            self.s("include");
            self.sp()?;
            self.name(inc);
            self.gap()?;
            self.s(";");
            self.nl()?;
        }
        // In the order printers write a world (wit-parser's elaborated order): imported
        // interfaces, `use`s, types, imported functions, exported functions, exported
        // interfaces. Resolving a world allocates types in source order, so this keeps the
        // type arena of the generated text and of its print the same.
        let class = |item: &WorldItem| match item {
            WorldItem::Interface { export: false, .. }
            | WorldItem::Inline { export: false, .. } => 0,
            WorldItem::Func { export: false, .. } => 1,
            WorldItem::Func { export: true, .. } => 2,
            WorldItem::Interface { export: true, .. } | WorldItem::Inline { export: true, .. } => 3,
        };
        for item in world.items.iter().filter(|i| class(i) == 0) {
            self.world_item(item)?;
        }
        for u in &world.uses {
            self.use_(u)?;
        }
        for def in &world.types {
            self.typedef(def)?;
        }
        for c in 1..=3 {
            for item in world.items.iter().filter(|i| class(i) == c) {
                self.world_item(item)?;
            }
        }
        self.close()?;
        self.nl()
    }

    fn world_item(&mut self, item: &WorldItem) -> Result<()> {
        {
            match item {
                WorldItem::Interface {
                    export,
                    path,
                    docs,
                    gate,
                } => {
                    self.docs(docs)?;
                    self.gate(gate)?;
                    self.s(if *export { "export" } else { "import" });
                    self.sp()?;
                    self.s(path);
                    self.gap()?;
                    self.s(";");
                    self.nl()?;
                }
                WorldItem::Func { export, func } => {
                    self.docs(&func.docs)?;
                    self.gate(&func.gate)?;
                    self.s(if *export { "export" } else { "import" });
                    self.sp()?;
                    let f = Func {
                        docs: Vec::new(),
                        gate: Gate::None,
                        ..func.clone()
                    };
                    self.func(&f, false)?;
                }
                WorldItem::Inline {
                    export,
                    name,
                    docs,
                    funcs,
                } => {
                    self.docs(docs)?;
                    self.s(if *export { "export" } else { "import" });
                    self.sp()?;
                    self.name(name);
                    self.gap()?;
                    self.s(":");
                    self.sp()?;
                    self.s("interface");
                    self.sp()?;
                    self.open()?;
                    for f in funcs {
                        self.func(f, false)?;
                    }
                    self.close()?;
                    self.nl()?;
                }
            }
        }
        Ok(())
    }
}

#[cfg(test)]
mod tests {
    use std::ffi::OsStr;
    use std::path::{Path, PathBuf};

    use arbitrary::Unstructured;
    use weft_test_util::canon::{canonicalize_with, Options};

    use crate::{generate, XorShift};

    /// The generator's output is valid for wasm-tools too, its JSON survives wasm-tools' own
    /// print-and-reparse (which is what lets `run` demand equal JSON), and weft's JSON equals
    /// wasm-tools' once both are canonicalized (`weft_test_util::canon`: arena ids replaced by
    /// names, anonymous types that nothing refers to dropped, as in `tests/differential.rs`).
    ///
    /// Uses the `wasm-tools` that `weft_test_util::wasm_tools()` finds (`$WASM_TOOLS`, the
    /// bench or CI venv, or `PATH`); without one there is nothing to compare against, and the
    /// test says so and passes.
    #[test]
    fn differential_against_wasm_tools() {
        let Some(wasm_tools) = weft_test_util::wasm_tools() else {
            eprintln!(
                "differential_against_wasm_tools: skipped, {}",
                weft_test_util::no_wasm_tools_reason()
            );
            return;
        };
        let iters = std::env::var("WEFT_FUZZ_ITERS")
            .ok()
            .and_then(|n| n.parse().ok())
            .unwrap_or(100);
        // `WEFT_FUZZ_DUMP=DIR` keeps the generated packages in DIR.
        let keep = std::env::var_os("WEFT_FUZZ_DUMP").map(PathBuf::from);
        let root = keep.clone().unwrap_or_else(|| {
            std::env::temp_dir().join(format!("weft-fuzz-oracle-{}", std::process::id()))
        });
        let options = Options {
            drop_unreferenced_anonymous_types: true,
        };
        let canonical = |json: &serde_json::Value, who: &str, dir: &Path| {
            let c = canonicalize_with(json, &options)
                .unwrap_or_else(|e| panic!("{who}'s JSON for {}: {e}", dir.display()));
            serde_json::to_string_pretty(&c).unwrap()
        };
        let mut rng = XorShift::new(42);
        let mut buf = vec![0u8; 4096];
        // Cases where weft's JSON differs; reported at the end, so that one resolver bug does
        // not hide problems with the generator.
        let mut mismatches = Vec::new();
        for i in 0..iters {
            rng.fill(&mut buf);
            let mut u = Unstructured::new(&buf);
            let dep = if i % 3 == 0 {
                Some(generate::package(&mut u, "dep:pkg", None).unwrap())
            } else {
                None
            };
            let main = generate::package(&mut u, "fuzz:main", dep.as_ref()).unwrap();
            let dir = root.join(format!("case-{i}"));
            std::fs::create_dir_all(dir.join("deps")).unwrap();
            std::fs::write(
                dir.join("main.wit"),
                generate::render(&main, None).unwrap().text,
            )
            .unwrap();
            if let Some(dep) = &dep {
                std::fs::write(
                    dir.join("deps/dep.wit"),
                    generate::render(dep, None).unwrap().text,
                )
                .unwrap();
            }
            let json = wasm_tools_json(&wasm_tools, &dir);
            // weft, reading the same directory, writes the same JSON up to allocation order.
            let mut resolve = weft_wit::Resolve::new();
            if let Err(e) = resolve.push_path(&dir) {
                panic!(
                    "weft rejects {}:\n{}",
                    dir.display(),
                    resolve.render_error(&e)
                );
            }
            let theirs: serde_json::Value = serde_json::from_str(&json).unwrap_or_else(|e| {
                panic!("wasm-tools printed invalid JSON for {}: {e}", dir.display())
            });
            let ours = weft_wit::json::to_json(&resolve);
            let (theirs, ours) = (
                canonical(&theirs, "wasm-tools", &dir),
                canonical(&ours, "weft", &dir),
            );
            if theirs != ours {
                std::fs::write(
                    dir.join("weft.json"),
                    weft_wit::json::to_json_string(&resolve),
                )
                .unwrap();
                std::fs::write(dir.join("wasm-tools.json"), &json).unwrap();
                mismatches.push(format!(
                    "{} (canonical forms, - wasm-tools, + weft):\n{}",
                    dir.display(),
                    weft_test_util::diff(&theirs, &ours)
                ));
            }
            let printed = root.join(format!("case-{i}-printed"));
            std::fs::create_dir_all(&printed).unwrap();
            let text = run_tool(&wasm_tools, &["component", "wit"], &dir);
            std::fs::write(printed.join("main.wit"), text).unwrap();
            // wasm-tools prints the packages the main one uses as nested `package … { }` blocks
            // after it, so the printed file needs no `deps/`.
            let json2 = wasm_tools_json(&wasm_tools, &printed);
            assert!(
                json == json2,
                "wasm-tools JSON changes after printing {}",
                dir.display()
            );

            // The messy rendering (comments and odd whitespace, for `format`) is valid too.
            let messy = root.join(format!("case-{i}-messy"));
            std::fs::create_dir_all(messy.join("deps")).unwrap();
            let mut mess_bytes = vec![0u8; 4096];
            rng.fill(&mut mess_bytes);
            let mut mess = Unstructured::new(&mess_bytes);
            let text = generate::render(&main, Some(&mut mess)).unwrap().text;
            std::fs::write(messy.join("main.wit"), text).unwrap();
            if dir.join("deps/dep.wit").exists() {
                std::fs::copy(dir.join("deps/dep.wit"), messy.join("deps/dep.wit")).unwrap();
            }
            wasm_tools_json(&wasm_tools, &messy);
        }
        if !mismatches.is_empty() {
            panic!(
                "weft's JSON differs from wasm-tools' in {} of {iters} cases (both JSON files \
                 are written next to each case, under {}); the first ones:\n{}",
                mismatches.len(),
                root.display(),
                mismatches[..mismatches.len().min(5)].join("\n")
            );
        }
        println!("differential_against_wasm_tools: {iters} generated packages agree");
        if keep.is_none() {
            std::fs::remove_dir_all(&root).unwrap();
        }
    }

    fn wasm_tools_json(wasm_tools: &Path, dir: &Path) -> String {
        weft_test_util::wasm_tools_json(wasm_tools, dir, &[]).unwrap_or_else(|e| {
            panic!(
                "wasm-tools rejects generated WIT in {}:\n{e}",
                dir.display()
            )
        })
    }

    fn run_tool(wasm_tools: &Path, args: &[&str], dir: &Path) -> String {
        let mut args: Vec<&OsStr> = args.iter().map(OsStr::new).collect();
        args.push(dir.as_os_str());
        weft_test_util::run_wasm_tools(wasm_tools, &args).unwrap_or_else(|e| {
            panic!(
                "wasm-tools rejects generated WIT in {}:\n{e}",
                dir.display()
            )
        })
    }
}
