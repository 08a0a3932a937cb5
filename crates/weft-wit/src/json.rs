//! A [`Resolve`] as JSON, in exactly the schema of wit-parser's serialized `Resolve`
//! (`serde_json::to_string_pretty(&resolve)` in wit-parser 0.262).
//!
//! The schema is defined by the `#[serde(...)]` attributes of wit-parser's data model:
//!
//! * The top level is `{"worlds", "interfaces", "types", "packages"}`, each an array in arena
//!   order. Every reference to a package, interface, world or type is its arena index.
//! * A primitive [`Type`] is its WIT keyword (`"u32"`), a [`Type::Id`] is the index.
//! * Enums are externally tagged with kebab-case names: `{"record": {…}}`, `"resource"`,
//!   `{"handle": {"own": 3}}`, `{"method": 3}`, `"freestanding"`. A [`TypeOwner::None`] is `null`.
//! * A [`WorldKey::Interface`] key is written `interface-{index}`; a [`PackageName`] is the
//!   string `ns:name@version`.
//! * Empty [`Docs`], [`Stability::Unknown`], a `None` function result, an empty parameter name
//!   and an absent `deprecated` version are left out. Everything else is always present
//!   (`"params": []`, `"functions": {}`, `"ok": null`, a case's `"type": null`).
//!
//! wit-parser's `external_id`, `clone_of` and `includes` are never written for a resolved
//! package, and weft's model does not have them.
//!
//! [`PackageName`]: crate::PackageName

use serde_json::{Map, Value};

use crate::{
    Docs, Function, FunctionKind, Handle, Interface, Package, Resolve, Stability, Type, TypeDef,
    TypeDefKind, TypeOwner, World, WorldItem, WorldKey,
};

/// The whole resolve as a JSON value, shaped like wit-parser's serialized `Resolve`.
pub fn to_json(resolve: &Resolve) -> Value {
    let mut obj = Map::new();
    obj.insert(
        "worlds".into(),
        resolve.worlds.iter().map(|(_, w)| world(w)).collect(),
    );
    obj.insert(
        "interfaces".into(),
        resolve
            .interfaces
            .iter()
            .map(|(_, i)| interface(i))
            .collect(),
    );
    obj.insert(
        "types".into(),
        resolve.types.iter().map(|(_, t)| type_def(t)).collect(),
    );
    obj.insert(
        "packages".into(),
        resolve.packages.iter().map(|(_, p)| package(p)).collect(),
    );
    Value::Object(obj)
}

/// [`to_json`] as text, pretty-printed with two-space indentation like
/// `serde_json::to_string_pretty` (no trailing newline).
pub fn to_json_string(resolve: &Resolve) -> String {
    // Serializing a `Value` cannot fail: every map key is a string.
    serde_json::to_string_pretty(&to_json(resolve)).unwrap_or_default()
}

fn world(w: &World) -> Value {
    let mut obj = Map::new();
    obj.insert("name".into(), w.name.clone().into());
    obj.insert("imports".into(), world_items(&w.imports));
    obj.insert("exports".into(), world_items(&w.exports));
    obj.insert(
        "package".into(),
        optional_index(w.package.map(|p| p.index())),
    );
    docs_field(&mut obj, &w.docs);
    stability_field(&mut obj, &w.stability);
    Value::Object(obj)
}

fn world_items(items: &indexmap::IndexMap<WorldKey, WorldItem>) -> Value {
    let mut obj = Map::new();
    for (key, item) in items {
        obj.insert(world_key(key), world_item(item));
    }
    Value::Object(obj)
}

fn world_key(key: &WorldKey) -> String {
    match key {
        WorldKey::Name(name) => name.clone(),
        WorldKey::Interface(id) => format!("interface-{}", id.index()),
    }
}

fn world_item(item: &WorldItem) -> Value {
    match item {
        WorldItem::Interface {
            id,
            stability,
            docs,
            span: _,
        } => {
            let mut inner = Map::new();
            inner.insert("id".into(), id.index().into());
            stability_field(&mut inner, stability);
            docs_field(&mut inner, docs);
            tagged("interface", Value::Object(inner))
        }
        WorldItem::Function(f) => tagged("function", function(f)),
        WorldItem::Type { id, span: _ } => tagged("type", id.index().into()),
    }
}

fn interface(i: &Interface) -> Value {
    let mut obj = Map::new();
    obj.insert(
        "name".into(),
        i.name.clone().map_or(Value::Null, Value::String),
    );
    let types: Map<String, Value> = i
        .types
        .iter()
        .map(|(name, id)| (name.clone(), id.index().into()))
        .collect();
    obj.insert("types".into(), Value::Object(types));
    let functions: Map<String, Value> = i
        .functions
        .iter()
        .map(|(name, f)| (name.clone(), function(f)))
        .collect();
    obj.insert("functions".into(), Value::Object(functions));
    docs_field(&mut obj, &i.docs);
    stability_field(&mut obj, &i.stability);
    obj.insert(
        "package".into(),
        optional_index(i.package.map(|p| p.index())),
    );
    Value::Object(obj)
}

fn type_def(t: &TypeDef) -> Value {
    let mut obj = Map::new();
    obj.insert(
        "name".into(),
        t.name.clone().map_or(Value::Null, Value::String),
    );
    obj.insert("kind".into(), type_def_kind(&t.kind));
    obj.insert("owner".into(), type_owner(t.owner));
    docs_field(&mut obj, &t.docs);
    stability_field(&mut obj, &t.stability);
    Value::Object(obj)
}

fn type_def_kind(kind: &TypeDefKind) -> Value {
    match kind {
        TypeDefKind::Record(r) => {
            let fields = r
                .fields
                .iter()
                .map(|f| {
                    let mut obj = Map::new();
                    obj.insert("name".into(), f.name.clone().into());
                    obj.insert("type".into(), ty(f.ty));
                    docs_field(&mut obj, &f.docs);
                    Value::Object(obj)
                })
                .collect();
            tagged("record", object([("fields", fields)]))
        }
        TypeDefKind::Resource => "resource".into(),
        TypeDefKind::Handle(h) => {
            let (tag, id) = match h {
                Handle::Own(id) => ("own", id),
                Handle::Borrow(id) => ("borrow", id),
            };
            tagged("handle", tagged(tag, id.index().into()))
        }
        TypeDefKind::Flags(f) => {
            let flags = f
                .flags
                .iter()
                .map(|flag| {
                    let mut obj = Map::new();
                    obj.insert("name".into(), flag.name.clone().into());
                    docs_field(&mut obj, &flag.docs);
                    Value::Object(obj)
                })
                .collect();
            tagged("flags", object([("flags", flags)]))
        }
        TypeDefKind::Tuple(t) => tagged(
            "tuple",
            object([("types", t.types.iter().map(|t| ty(*t)).collect())]),
        ),
        TypeDefKind::Variant(v) => {
            let cases = v
                .cases
                .iter()
                .map(|c| {
                    let mut obj = Map::new();
                    obj.insert("name".into(), c.name.clone().into());
                    obj.insert("type".into(), optional_ty(c.ty));
                    docs_field(&mut obj, &c.docs);
                    Value::Object(obj)
                })
                .collect();
            tagged("variant", object([("cases", cases)]))
        }
        TypeDefKind::Enum(e) => {
            let cases = e
                .cases
                .iter()
                .map(|c| {
                    let mut obj = Map::new();
                    obj.insert("name".into(), c.name.clone().into());
                    docs_field(&mut obj, &c.docs);
                    Value::Object(obj)
                })
                .collect();
            tagged("enum", object([("cases", cases)]))
        }
        TypeDefKind::Option(t) => tagged("option", ty(*t)),
        TypeDefKind::Result(r) => tagged(
            "result",
            object([("ok", optional_ty(r.ok)), ("err", optional_ty(r.err))]),
        ),
        TypeDefKind::List(t) => tagged("list", ty(*t)),
        TypeDefKind::Map(k, v) => tagged("map", Value::Array(vec![ty(*k), ty(*v)])),
        TypeDefKind::FixedLengthList(t, n) => {
            tagged("fixed-length-list", Value::Array(vec![ty(*t), (*n).into()]))
        }
        TypeDefKind::Future(t) => tagged("future", optional_ty(*t)),
        TypeDefKind::Stream(t) => tagged("stream", optional_ty(*t)),
        TypeDefKind::Type(t) => tagged("type", ty(*t)),
        TypeDefKind::Unknown => "unknown".into(),
    }
}

fn type_owner(owner: TypeOwner) -> Value {
    match owner {
        TypeOwner::World(id) => tagged("world", id.index().into()),
        TypeOwner::Interface(id) => tagged("interface", id.index().into()),
        TypeOwner::None => Value::Null,
    }
}

fn function(f: &Function) -> Value {
    let mut obj = Map::new();
    obj.insert("name".into(), f.name.clone().into());
    obj.insert("kind".into(), function_kind(f.kind));
    let params = f
        .params
        .iter()
        .map(|p| {
            let mut obj = Map::new();
            if !p.name.is_empty() {
                obj.insert("name".into(), p.name.clone().into());
            }
            obj.insert("type".into(), ty(p.ty));
            Value::Object(obj)
        })
        .collect();
    obj.insert("params".into(), params);
    if let Some(result) = f.result {
        obj.insert("result".into(), ty(result));
    }
    docs_field(&mut obj, &f.docs);
    stability_field(&mut obj, &f.stability);
    Value::Object(obj)
}

fn function_kind(kind: FunctionKind) -> Value {
    let (tag, resource) = match kind {
        FunctionKind::Freestanding => return "freestanding".into(),
        FunctionKind::AsyncFreestanding => return "async-freestanding".into(),
        FunctionKind::Getter => return "getter".into(),
        FunctionKind::Setter => return "setter".into(),
        FunctionKind::Method(id) => ("method", id),
        FunctionKind::AsyncMethod(id) => ("async-method", id),
        FunctionKind::MethodGetter(id) => ("method-getter", id),
        FunctionKind::MethodSetter(id) => ("method-setter", id),
        FunctionKind::Static(id) => ("static", id),
        FunctionKind::AsyncStatic(id) => ("async-static", id),
        FunctionKind::StaticGetter(id) => ("static-getter", id),
        FunctionKind::StaticSetter(id) => ("static-setter", id),
        FunctionKind::Constructor(id) => ("constructor", id),
    };
    tagged(tag, resource.index().into())
}

fn package(p: &Package) -> Value {
    let mut obj = Map::new();
    obj.insert("name".into(), p.name.to_string().into());
    docs_field(&mut obj, &p.docs);
    obj.insert("interfaces".into(), ids_map(&p.interfaces, |id| id.index()));
    obj.insert("worlds".into(), ids_map(&p.worlds, |id| id.index()));
    Value::Object(obj)
}

fn ids_map<T>(map: &indexmap::IndexMap<String, T>, index: impl Fn(&T) -> usize) -> Value {
    Value::Object(
        map.iter()
            .map(|(k, v)| (k.clone(), index(v).into()))
            .collect(),
    )
}

fn ty(t: Type) -> Value {
    match t.primitive_name() {
        Some(name) => name.into(),
        None => match t {
            Type::Id(id) => id.index().into(),
            _ => Value::Null,
        },
    }
}

fn optional_ty(t: Option<Type>) -> Value {
    t.map_or(Value::Null, ty)
}

fn optional_index(index: Option<usize>) -> Value {
    index.map_or(Value::Null, Value::from)
}

/// `"docs": {"contents": …}`, left out when there are no docs.
fn docs_field(obj: &mut Map<String, Value>, docs: &Docs) {
    if let Some(contents) = &docs.contents {
        obj.insert(
            "docs".into(),
            object([("contents", contents.clone().into())]),
        );
    }
}

/// `"stability": {"stable": {…}}` / `{"unstable": {…}}`, left out when unknown.
fn stability_field(obj: &mut Map<String, Value>, stability: &Stability) {
    let value = match stability {
        Stability::Unknown => return,
        Stability::Stable { since, deprecated } => {
            let mut inner = Map::new();
            inner.insert("since".into(), since.to_string().into());
            if let Some(v) = deprecated {
                inner.insert("deprecated".into(), v.to_string().into());
            }
            tagged("stable", Value::Object(inner))
        }
        Stability::Unstable {
            feature,
            deprecated,
        } => {
            let mut inner = Map::new();
            inner.insert("feature".into(), feature.clone().into());
            if let Some(v) = deprecated {
                inner.insert("deprecated".into(), v.to_string().into());
            }
            tagged("unstable", Value::Object(inner))
        }
    };
    obj.insert("stability".into(), value);
}

/// `{tag: value}`, serde's external enum tagging.
fn tagged(tag: &str, value: Value) -> Value {
    object([(tag, value)])
}

fn object<const N: usize>(entries: [(&str, Value); N]) -> Value {
    Value::Object(
        entries
            .into_iter()
            .map(|(k, v)| (k.to_string(), v))
            .collect(),
    )
}

#[cfg(test)]
mod tests {
    use indexmap::IndexMap;

    use super::*;
    use crate::{
        Case, Enum, EnumCase, Field, Flag, Flags, PackageName, Param, Record, ResultType, Span,
        Tuple, Variant, Version,
    };

    fn type_def(name: Option<&str>, kind: TypeDefKind, owner: TypeOwner) -> TypeDef {
        TypeDef {
            name: name.map(str::to_string),
            kind,
            owner,
            docs: Docs::default(),
            stability: Stability::Unknown,
            span: Span::UNKNOWN,
        }
    }

    fn function(
        name: &str,
        kind: FunctionKind,
        params: Vec<Param>,
        result: Option<Type>,
    ) -> Function {
        Function {
            name: name.into(),
            kind,
            params,
            result,
            docs: Docs::default(),
            stability: Stability::Unknown,
            span: Span::UNKNOWN,
        }
    }

    #[test]
    fn empty_resolve() {
        assert_eq!(
            to_json_string(&Resolve::new()),
            "{\n  \"worlds\": [],\n  \"interfaces\": [],\n  \"types\": [],\n  \"packages\": []\n}"
        );
    }

    /// A package with an interface (a resource and its functions) and a world that imports
    /// it by path and exports a function.
    #[test]
    fn package_interface_and_world() {
        let mut r = Resolve::new();
        let pkg = r.packages.alloc(Package {
            name: PackageName {
                namespace: "a".into(),
                name: "b".into(),
                version: Some(Version::new(1, 2, 3)),
            },
            docs: Docs {
                contents: Some("The package.".into()),
            },
            interfaces: IndexMap::new(),
            worlds: IndexMap::new(),
        });
        let iface = r.interfaces.alloc(Interface {
            name: Some("i".into()),
            types: IndexMap::new(),
            functions: IndexMap::new(),
            docs: Docs::default(),
            stability: Stability::Stable {
                since: Version::new(1, 0, 0),
                deprecated: None,
            },
            package: Some(pkg),
            span: Span::UNKNOWN,
        });
        let res = r.types.alloc(type_def(
            Some("r"),
            TypeDefKind::Resource,
            TypeOwner::Interface(iface),
        ));
        let own = r.types.alloc(type_def(
            None,
            TypeDefKind::Handle(Handle::Own(res)),
            TypeOwner::None,
        ));
        let borrow = r.types.alloc(type_def(
            None,
            TypeDefKind::Handle(Handle::Borrow(res)),
            TypeOwner::None,
        ));
        let i = &mut r.interfaces[iface];
        i.types.insert("r".into(), res);
        let ctor = function(
            "[constructor]r",
            FunctionKind::Constructor(res),
            Vec::new(),
            Some(Type::Id(own)),
        );
        let mut method = function(
            "[method]r.m",
            FunctionKind::AsyncMethod(res),
            vec![
                Param {
                    name: "self".into(),
                    ty: Type::Id(borrow),
                },
                Param {
                    name: String::new(),
                    ty: Type::ErrorContext,
                },
            ],
            None,
        );
        method.docs = Docs {
            contents: Some("A method.".into()),
        };
        method.stability = Stability::Unstable {
            feature: "fancy".into(),
            deprecated: Some(Version::new(2, 0, 0)),
        };
        i.functions.insert(ctor.name.clone(), ctor);
        i.functions.insert(method.name.clone(), method);
        let world = r.worlds.alloc(World {
            name: "w".into(),
            imports: IndexMap::new(),
            exports: IndexMap::new(),
            package: Some(pkg),
            docs: Docs::default(),
            stability: Stability::Unknown,
            span: Span::UNKNOWN,
        });
        let w = &mut r.worlds[world];
        w.imports.insert(
            WorldKey::Interface(iface),
            WorldItem::Interface {
                id: iface,
                stability: Stability::Unknown,
                docs: Docs {
                    contents: Some("Imported.".into()),
                },
                span: Span::UNKNOWN,
            },
        );
        w.exports.insert(
            WorldKey::Name("run".into()),
            WorldItem::Function(function(
                "run",
                FunctionKind::Freestanding,
                Vec::new(),
                Some(Type::Bool),
            )),
        );
        r.packages[pkg].interfaces.insert("i".into(), iface);
        r.packages[pkg].worlds.insert("w".into(), world);

        let expected = r#"{
  "worlds": [
    {
      "name": "w",
      "imports": {
        "interface-0": {
          "interface": {
            "id": 0,
            "docs": {
              "contents": "Imported."
            }
          }
        }
      },
      "exports": {
        "run": {
          "function": {
            "name": "run",
            "kind": "freestanding",
            "params": [],
            "result": "bool"
          }
        }
      },
      "package": 0
    }
  ],
  "interfaces": [
    {
      "name": "i",
      "types": {
        "r": 0
      },
      "functions": {
        "[constructor]r": {
          "name": "[constructor]r",
          "kind": {
            "constructor": 0
          },
          "params": [],
          "result": 1
        },
        "[method]r.m": {
          "name": "[method]r.m",
          "kind": {
            "async-method": 0
          },
          "params": [
            {
              "name": "self",
              "type": 2
            },
            {
              "type": "error-context"
            }
          ],
          "docs": {
            "contents": "A method."
          },
          "stability": {
            "unstable": {
              "feature": "fancy",
              "deprecated": "2.0.0"
            }
          }
        }
      },
      "stability": {
        "stable": {
          "since": "1.0.0"
        }
      },
      "package": 0
    }
  ],
  "types": [
    {
      "name": "r",
      "kind": "resource",
      "owner": {
        "interface": 0
      }
    },
    {
      "name": null,
      "kind": {
        "handle": {
          "own": 0
        }
      },
      "owner": null
    },
    {
      "name": null,
      "kind": {
        "handle": {
          "borrow": 0
        }
      },
      "owner": null
    }
  ],
  "packages": [
    {
      "name": "a:b@1.2.3",
      "docs": {
        "contents": "The package."
      },
      "interfaces": {
        "i": 0
      },
      "worlds": {
        "w": 0
      }
    }
  ]
}"#;
        assert_eq!(to_json_string(&r), expected);
    }

    #[test]
    fn type_kinds() {
        let kinds = [
            TypeDefKind::Record(Record {
                fields: vec![Field {
                    name: "a".into(),
                    ty: Type::U8,
                    docs: Docs {
                        contents: Some("x".into()),
                    },
                }],
            }),
            TypeDefKind::Flags(Flags {
                flags: vec![Flag {
                    name: "f".into(),
                    docs: Docs::default(),
                }],
            }),
            TypeDefKind::Tuple(Tuple {
                types: vec![Type::S8, Type::F64],
            }),
            TypeDefKind::Variant(Variant {
                cases: vec![
                    Case {
                        name: "a".into(),
                        ty: None,
                        docs: Docs::default(),
                    },
                    Case {
                        name: "b".into(),
                        ty: Some(Type::Char),
                        docs: Docs::default(),
                    },
                ],
            }),
            TypeDefKind::Enum(Enum {
                cases: vec![EnumCase {
                    name: "e".into(),
                    docs: Docs::default(),
                }],
            }),
            TypeDefKind::Option(Type::String),
            TypeDefKind::Result(ResultType {
                ok: None,
                err: Some(Type::U32),
            }),
            TypeDefKind::List(Type::Id(crate::Id::from_index(0))),
            TypeDefKind::Map(Type::String, Type::U64),
            TypeDefKind::FixedLengthList(Type::F32, 4),
            TypeDefKind::Future(None),
            TypeDefKind::Stream(Some(Type::U8)),
            TypeDefKind::Type(Type::S64),
        ];
        let got: Vec<String> = kinds.iter().map(|k| type_def_kind(k).to_string()).collect();
        assert_eq!(
            got,
            [
                r#"{"record":{"fields":[{"name":"a","type":"u8","docs":{"contents":"x"}}]}}"#,
                r#"{"flags":{"flags":[{"name":"f"}]}}"#,
                r#"{"tuple":{"types":["s8","f64"]}}"#,
                r#"{"variant":{"cases":[{"name":"a","type":null},{"name":"b","type":"char"}]}}"#,
                r#"{"enum":{"cases":[{"name":"e"}]}}"#,
                r#"{"option":"string"}"#,
                r#"{"result":{"ok":null,"err":"u32"}}"#,
                r#"{"list":0}"#,
                r#"{"map":["string","u64"]}"#,
                r#"{"fixed-length-list":["f32",4]}"#,
                r#"{"future":null}"#,
                r#"{"stream":"u8"}"#,
                r#"{"type":"s64"}"#,
            ]
        );
        let owners = [
            TypeOwner::World(crate::Id::from_index(3)),
            TypeOwner::Interface(crate::Id::from_index(1)),
            TypeOwner::None,
        ];
        let got: Vec<String> = owners.iter().map(|o| type_owner(*o).to_string()).collect();
        assert_eq!(got, [r#"{"world":3}"#, r#"{"interface":1}"#, "null"]);
    }

    #[test]
    fn function_kinds() {
        let r = crate::Id::from_index(7);
        let kinds = [
            (FunctionKind::Freestanding, r#""freestanding""#),
            (FunctionKind::AsyncFreestanding, r#""async-freestanding""#),
            (FunctionKind::Getter, r#""getter""#),
            (FunctionKind::Setter, r#""setter""#),
            (FunctionKind::Method(r), r#"{"method":7}"#),
            (FunctionKind::AsyncMethod(r), r#"{"async-method":7}"#),
            (FunctionKind::MethodGetter(r), r#"{"method-getter":7}"#),
            (FunctionKind::MethodSetter(r), r#"{"method-setter":7}"#),
            (FunctionKind::Static(r), r#"{"static":7}"#),
            (FunctionKind::AsyncStatic(r), r#"{"async-static":7}"#),
            (FunctionKind::StaticGetter(r), r#"{"static-getter":7}"#),
            (FunctionKind::StaticSetter(r), r#"{"static-setter":7}"#),
            (FunctionKind::Constructor(r), r#"{"constructor":7}"#),
        ];
        for (kind, expected) in kinds {
            assert_eq!(function_kind(kind).to_string(), expected);
        }
    }

    #[test]
    fn world_type_items() {
        let item = WorldItem::Type {
            id: crate::Id::from_index(5),
            span: Span::UNKNOWN,
        };
        assert_eq!(world_item(&item).to_string(), r#"{"type":5}"#);
        let stable = Stability::Stable {
            since: Version::new(0, 2, 0),
            deprecated: Some(Version::new(0, 3, 0)),
        };
        let mut obj = Map::new();
        stability_field(&mut obj, &stable);
        assert_eq!(
            Value::Object(obj).to_string(),
            r#"{"stability":{"stable":{"since":"0.2.0","deprecated":"0.3.0"}}}"#
        );
    }
}
