//! Printer tests: hand-built resolves, and print → resolve → print round trips over real WIT.

use std::collections::BTreeSet;
use std::fmt::Write as _;
use std::path::{Path as FsPath, PathBuf};

use indexmap::IndexMap;

use super::*;
use crate::{
    Case, Enum, EnumCase, Field, Flag, Flags, Interface, Package, PackageName, Param, Record,
    ResultType, Span, Tuple, TypeDef, Variant, Version, World,
};

// ---- hand-built resolves ------------------------------------------------------------

fn docs_of(text: &str) -> Docs {
    Docs {
        contents: Some(text.to_string()),
    }
}

fn new_package(r: &mut Resolve, ns: &str, name: &str, version: Option<&str>) -> PackageId {
    let name = PackageName {
        namespace: ns.into(),
        name: name.into(),
        version: version.map(|v| Version::parse(v).unwrap()),
    };
    let id = r.packages.alloc(Package {
        name: name.clone(),
        docs: Docs::default(),
        interfaces: IndexMap::new(),
        worlds: IndexMap::new(),
    });
    r.package_names.insert(name, id);
    id
}

fn new_interface(r: &mut Resolve, pkg: PackageId, name: Option<&str>) -> InterfaceId {
    let id = r.interfaces.alloc(Interface {
        name: name.map(str::to_string),
        types: IndexMap::new(),
        functions: IndexMap::new(),
        docs: Docs::default(),
        stability: Stability::Unknown,
        package: Some(pkg),
        span: Span::UNKNOWN,
    });
    if let Some(name) = name {
        r.packages[pkg].interfaces.insert(name.to_string(), id);
    }
    id
}

fn new_world(r: &mut Resolve, pkg: PackageId, name: &str) -> WorldId {
    let id = r.worlds.alloc(World {
        name: name.into(),
        imports: IndexMap::new(),
        exports: IndexMap::new(),
        package: Some(pkg),
        docs: Docs::default(),
        stability: Stability::Unknown,
        span: Span::UNKNOWN,
    });
    r.packages[pkg].worlds.insert(name.to_string(), id);
    id
}

fn anon(r: &mut Resolve, kind: TypeDefKind) -> TypeId {
    r.types.alloc(TypeDef {
        name: None,
        kind,
        owner: TypeOwner::None,
        docs: Docs::default(),
        stability: Stability::Unknown,
        span: Span::UNKNOWN,
    })
}

/// A named type, registered in its owner interface.
fn named(r: &mut Resolve, owner: InterfaceId, name: &str, kind: TypeDefKind) -> TypeId {
    let id = r.types.alloc(TypeDef {
        name: Some(name.into()),
        kind,
        owner: TypeOwner::Interface(owner),
        docs: Docs::default(),
        stability: Stability::Unknown,
        span: Span::UNKNOWN,
    });
    r.interfaces[owner].types.insert(name.to_string(), id);
    id
}

fn func(name: &str, kind: FunctionKind, params: &[(&str, Type)], result: Option<Type>) -> Function {
    Function {
        name: name.into(),
        kind,
        params: params
            .iter()
            .map(|(n, t)| Param {
                name: (*n).into(),
                ty: *t,
            })
            .collect(),
        result,
        docs: Docs::default(),
        stability: Stability::Unknown,
        span: Span::UNKNOWN,
    }
}

fn add_func(r: &mut Resolve, iface: InterfaceId, f: Function) {
    r.interfaces[iface].functions.insert(f.name.clone(), f);
}

#[test]
fn prints_types_functions_and_docs() {
    let mut r = Resolve::new();
    let pkg = new_package(&mut r, "a", "b", Some("1.0.0"));
    r.packages[pkg].docs = docs_of("The package.\n\n  Indented.");
    let i = new_interface(&mut r, pkg, Some("types"));
    r.interfaces[i].docs = docs_of("Types.");
    r.interfaces[i].stability = Stability::Stable {
        since: Version::new(0, 1, 0),
        deprecated: Some(Version::new(1, 0, 0)),
    };
    let rec = named(
        &mut r,
        i,
        "point",
        TypeDefKind::Record(Record {
            fields: vec![
                Field {
                    name: "x".into(),
                    ty: Type::S32,
                    docs: docs_of("The x."),
                },
                Field {
                    name: "type".into(),
                    ty: Type::S32,
                    docs: Docs::default(),
                },
            ],
        }),
    );
    r.types[rec].docs = docs_of("A point.");
    named(
        &mut r,
        i,
        "perms",
        TypeDefKind::Flags(Flags {
            flags: vec![
                Flag {
                    name: "read".into(),
                    docs: Docs::default(),
                },
                Flag {
                    name: "write".into(),
                    docs: Docs::default(),
                },
            ],
        }),
    );
    let list = anon(&mut r, TypeDefKind::List(Type::U8));
    let opt = anon(&mut r, TypeDefKind::Option(Type::Id(list)));
    named(
        &mut r,
        i,
        "shape",
        TypeDefKind::Variant(Variant {
            cases: vec![
                Case {
                    name: "circle".into(),
                    ty: Some(Type::F64),
                    docs: Docs::default(),
                },
                Case {
                    name: "none".into(),
                    ty: None,
                    docs: Docs::default(),
                },
                Case {
                    name: "bytes".into(),
                    ty: Some(Type::Id(opt)),
                    docs: Docs::default(),
                },
            ],
        }),
    );
    let color = named(
        &mut r,
        i,
        "color",
        TypeDefKind::Enum(Enum {
            cases: vec![EnumCase {
                name: "red".into(),
                docs: Docs::default(),
            }],
        }),
    );
    r.types[color].stability = Stability::Unstable {
        feature: "colors".into(),
        deprecated: None,
    };
    named(&mut r, i, "alias", TypeDefKind::Type(Type::Id(rec)));
    let res = anon(
        &mut r,
        TypeDefKind::Result(ResultType {
            ok: None,
            err: Some(Type::String),
        }),
    );
    let tuple = anon(
        &mut r,
        TypeDefKind::Tuple(Tuple {
            types: vec![Type::U32, Type::Char],
        }),
    );
    let fixed = anon(&mut r, TypeDefKind::FixedLengthList(Type::U32, 4));
    let map = anon(&mut r, TypeDefKind::Map(Type::String, Type::Id(fixed)));
    let fut = anon(&mut r, TypeDefKind::Future(None));
    let stream = anon(&mut r, TypeDefKind::Stream(Some(Type::Id(tuple))));
    let mut f = func(
        "list",
        FunctionKind::Freestanding,
        &[("in", Type::Id(map)), ("s", Type::Id(stream))],
        Some(Type::Id(res)),
    );
    f.docs = docs_of("Lists.");
    add_func(&mut r, i, f);
    add_func(
        &mut r,
        i,
        func(
            "wait",
            FunctionKind::AsyncFreestanding,
            &[("f", Type::Id(fut))],
            None,
        ),
    );
    add_func(
        &mut r,
        i,
        func("[get]size", FunctionKind::Getter, &[], Some(Type::U64)),
    );
    add_func(
        &mut r,
        i,
        func(
            "[set]size",
            FunctionKind::Setter,
            &[("value", Type::U64)],
            None,
        ),
    );

    let expected = "\
/// The package.
///
///   Indented.
package a:b@1.0.0;

/// Types.
@since(version = 0.1.0)
@deprecated(version = 1.0.0)
interface types {
  /// A point.
  record point {
    /// The x.
    x: s32,
    %type: s32,
  }

  flags perms {
    read,
    write,
  }

  variant shape {
    circle(f64),
    none,
    bytes(option<list<u8>>),
  }

  @unstable(feature = colors)
  enum color {
    red,
  }

  type alias = point;

  /// Lists.
  %list: func(in: map<string, list<u32, 4>>, s: stream<tuple<u32, char>>) -> result<_, string>;

  wait: async func(f: future);

  size: get() -> u64;

  size: set(value: u64);
}
";
    assert_eq!(print_package(&r, pkg, &PrintOptions::default()), expected);
}

/// A resource with every kind of function, used from another interface and a world.
fn resources() -> (Resolve, PackageId) {
    let mut r = Resolve::new();
    let dep = new_package(&mut r, "wasi", "io", Some("0.2.0"));
    let streams = new_interface(&mut r, dep, Some("streams"));
    let stream = named(&mut r, streams, "input-stream", TypeDefKind::Resource);

    let pkg = new_package(&mut r, "a", "b", None);
    let i = new_interface(&mut r, pkg, Some("i"));
    let res = named(&mut r, i, "blob", TypeDefKind::Resource);
    let own = anon(&mut r, TypeDefKind::Handle(Handle::Own(res)));
    let borrow = anon(&mut r, TypeDefKind::Handle(Handle::Borrow(res)));
    named(&mut r, i, "owned", TypeDefKind::Handle(Handle::Own(res)));
    let fallible = anon(
        &mut r,
        TypeDefKind::Result(ResultType {
            ok: Some(Type::Id(own)),
            err: Some(Type::String),
        }),
    );
    add_func(
        &mut r,
        i,
        func(
            "[constructor]blob",
            FunctionKind::Constructor(res),
            &[],
            Some(Type::Id(own)),
        ),
    );
    add_func(
        &mut r,
        i,
        func(
            "[static]blob.open",
            FunctionKind::Static(res),
            &[("name", Type::String)],
            Some(Type::Id(fallible)),
        ),
    );
    add_func(
        &mut r,
        i,
        func(
            "[method]blob.read",
            FunctionKind::AsyncMethod(res),
            &[("self", Type::Id(borrow)), ("n", Type::U32)],
            None,
        ),
    );
    add_func(
        &mut r,
        i,
        func(
            "[method][get]blob.len",
            FunctionKind::MethodGetter(res),
            &[("self", Type::Id(borrow))],
            Some(Type::U64),
        ),
    );
    add_func(
        &mut r,
        i,
        func(
            "[method][set]blob.len",
            FunctionKind::MethodSetter(res),
            &[("self", Type::Id(borrow)), ("value", Type::U64)],
            None,
        ),
    );
    add_func(
        &mut r,
        i,
        func(
            "[static][get]blob.count",
            FunctionKind::StaticGetter(res),
            &[],
            Some(Type::U32),
        ),
    );
    add_func(
        &mut r,
        i,
        func(
            "merge",
            FunctionKind::Freestanding,
            &[("a", Type::Id(borrow)), ("b", Type::Id(own))],
            Some(Type::Id(own)),
        ),
    );

    // `use i.{blob as b}; use wasi:io/streams@0.2.0.{input-stream};`
    let user = new_interface(&mut r, pkg, Some("user"));
    named(&mut r, user, "b", TypeDefKind::Type(Type::Id(res)));
    let local_stream = named(
        &mut r,
        user,
        "input-stream",
        TypeDefKind::Type(Type::Id(stream)),
    );
    let stream_own = anon(&mut r, TypeDefKind::Handle(Handle::Own(local_stream)));
    add_func(
        &mut r,
        user,
        func(
            "get",
            FunctionKind::Freestanding,
            &[],
            Some(Type::Id(stream_own)),
        ),
    );

    let w = new_world(&mut r, pkg, "w");
    let world_blob = r.types.alloc(TypeDef {
        name: Some("blob".into()),
        kind: TypeDefKind::Type(Type::Id(res)),
        owner: TypeOwner::World(w),
        docs: Docs::default(),
        stability: Stability::Unknown,
        span: Span::UNKNOWN,
    });
    let world_own = anon(&mut r, TypeDefKind::Handle(Handle::Own(world_blob)));
    let inline = new_interface(&mut r, pkg, None);
    add_func(
        &mut r,
        inline,
        func("ping", FunctionKind::Freestanding, &[], None),
    );
    let world = &mut r.worlds[w];
    let iface = |id, d: Docs| WorldItem::Interface {
        id,
        stability: Stability::Unknown,
        docs: d,
        span: Span::UNKNOWN,
    };
    world.imports.insert(
        WorldKey::Interface(streams),
        iface(streams, Docs::default()),
    );
    world
        .imports
        .insert(WorldKey::Interface(i), iface(i, Docs::default()));
    world.imports.insert(
        WorldKey::Name("blob".into()),
        WorldItem::Type {
            id: world_blob,
            span: Span::UNKNOWN,
        },
    );
    world.imports.insert(
        WorldKey::Name("make".into()),
        WorldItem::Function(func(
            "make",
            FunctionKind::Freestanding,
            &[],
            Some(Type::Id(world_own)),
        )),
    );
    world.imports.insert(
        WorldKey::Name("host".into()),
        iface(inline, docs_of("The host.")),
    );
    world.exports.insert(
        WorldKey::Name("run".into()),
        WorldItem::Function(func("run", FunctionKind::Freestanding, &[], None)),
    );
    world
        .exports
        .insert(WorldKey::Name("api".into()), iface(user, Docs::default()));
    (r, pkg)
}

#[test]
fn prints_resources_uses_and_worlds() {
    let (r, pkg) = resources();
    let expected = "\
package a:b;

interface i {
  resource blob {
    constructor();
    open: static func(name: string) -> result<blob, string>;
    read: async func(n: u32);
    len: get() -> u64;
    len: set(value: u64);
    count: static get() -> u32;
  }

  type owned = own<blob>;

  merge: func(a: borrow<blob>, b: blob) -> blob;
}

interface user {
  use i.{blob as b};
  use wasi:io/streams@0.2.0.{input-stream};

  get: func() -> input-stream;
}

world w {
  import wasi:io/streams@0.2.0;
  import i;
  /// The host.
  import host: interface {
    ping: func();
  }

  use i.{blob};

  import make: func() -> blob;

  export run: func();
  export api: user;
}
";
    assert_eq!(print_package(&r, pkg, &PrintOptions::default()), expected);
}

/// `func_signature`: one function as written after `name: `, for tools that list functions.
#[test]
fn func_signatures() {
    let (r, pkg) = resources();
    let i = r.packages[pkg].interfaces["i"];
    let sigs: Vec<String> = r.interfaces[i]
        .functions
        .values()
        .map(|f| format!("{}: {}", f.item_name(), func_signature(&r, f)))
        .collect();
    assert_eq!(
        sigs,
        [
            "blob: constructor()",
            "open: static func(name: string) -> result<blob, string>",
            "read: async func(n: u32)",
            "len: get() -> u64",
            "len: set(value: u64)",
            "count: static get() -> u32",
            "merge: func(a: borrow<blob>, b: blob) -> blob",
        ]
    );
}

#[test]
fn print_one_world_and_all_packages() {
    let (r, pkg) = resources();
    let w = r.packages[pkg].worlds["w"];
    let one = print_package(&r, pkg, &PrintOptions { world: Some(w) });
    assert!(one.starts_with("package a:b;\n\ninterface i {"), "{one}");
    assert!(one.contains("\ninterface user {"), "{one}");
    assert!(one.contains("\nworld w {"), "{one}");

    let all = print_all(&r, pkg);
    assert!(all.starts_with("package a:b;\n"), "{all}");
    assert!(
        all.ends_with("\npackage wasi:io@0.2.0 {\n  interface streams {\n    resource input-stream;\n  }\n}\n"),
        "{all}"
    );
    // The whole text resolves on its own, and printing it again changes nothing.
    let mut again = Resolve::new();
    let main = match again.push_str("all.wit", &all) {
        Ok(id) => id,
        Err(e) => panic!("{}\n{all}", again.render_error(&e)),
    };
    assert_eq!(print_all(&again, main), all);
}

#[test]
fn print_a_world_of_another_package() {
    let (mut r, pkg) = resources();
    let dep = r
        .packages
        .iter()
        .find(|(_, p)| p.name.name == "io")
        .unwrap()
        .0;
    let streams = r.packages[dep].interfaces["streams"];
    new_interface(&mut r, dep, Some("unused"));
    let w = new_world(&mut r, dep, "dep-world");
    r.worlds[w].imports.insert(
        WorldKey::Interface(streams),
        WorldItem::Interface {
            id: streams,
            stability: Stability::Unknown,
            docs: Docs::default(),
            span: Span::UNKNOWN,
        },
    );
    assert_eq!(
        print_package(&r, pkg, &PrintOptions { world: Some(w) }),
        "package wasi:io@0.2.0;\n\ninterface streams {\n  resource input-stream;\n}\n\n\
         world dep-world {\n  import streams;\n}\n"
    );
}

#[test]
fn empty_package_and_empty_blocks() {
    let mut r = Resolve::new();
    let pkg = new_package(&mut r, "use", "x", None);
    new_interface(&mut r, pkg, Some("empty"));
    new_world(&mut r, pkg, "world");
    assert_eq!(
        print_package(&r, pkg, &PrintOptions::default()),
        "package %use:x;\n\ninterface empty {}\n\nworld %world {}\n"
    );
    let mut r = Resolve::new();
    let pkg = new_package(&mut r, "a", "b", None);
    r.packages[pkg].docs = Docs {
        contents: Some(String::new()),
    };
    assert_eq!(
        print_package(&r, pkg, &PrintOptions::default()),
        "///\npackage a:b;\n"
    );
}

// ---- round trips over real WIT ------------------------------------------------------

/// print → resolve → print is a fixed point, and the re-resolved packages are equivalent.
fn round_trip(resolve: &Resolve, main: PackageId, what: &str) -> Result<(), String> {
    let first = print_all(resolve, main);
    let mut again = Resolve::new();
    again.features = resolve.features.clone();
    again.all_features = resolve.all_features;
    let main2 = again
        .push_str(&format!("{what}.printed.wit"), &first)
        .map_err(|e| {
            format!(
                "{what}: the printed WIT does not resolve:\n{}\n--- printed:\n{first}",
                again.render_error(&e)
            )
        })?;
    let second = print_all(&again, main2);
    if first != second {
        return Err(format!(
            "{what}: printing the printed WIT changes it (- first, + second):\n{}",
            weft_test_util::diff(&first, &second)
        ));
    }
    let (a, b) = (summary(resolve), summary(&again));
    if a != b {
        let only_a: Vec<_> = a.difference(&b).collect();
        let only_b: Vec<_> = b.difference(&a).collect();
        return Err(format!(
            "{what}: the printed WIT resolves differently\n- original: {only_a:#?}\n+ printed: {only_b:#?}"
        ));
    }
    Ok(())
}

/// Every package, interface, world and named type described by name, independent of
/// arena order and of the order of types within an interface.
fn summary(r: &Resolve) -> BTreeSet<String> {
    let mut out = BTreeSet::new();
    for (_, p) in r.packages.iter() {
        let ifaces: Vec<_> = p.interfaces.keys().collect();
        let worlds: Vec<_> = p.worlds.keys().collect();
        out.insert(format!(
            "package {} {:?} {ifaces:?} {worlds:?}",
            p.name, p.docs
        ));
    }
    for (id, i) in r.interfaces.iter() {
        let name = iface_name(r, id);
        out.insert(format!("interface {name} {:?} {:?}", i.docs, i.stability));
        let order: Vec<_> = i.types.keys().chain(i.functions.keys()).collect();
        out.insert(format!("interface {name} order {order:?}"));
        for (tname, &t) in &i.types {
            out.insert(format!("type {name}.{tname} = {}", type_def(r, t)));
        }
        for f in i.functions.values() {
            out.insert(format!("func {name}.{}", func_desc(r, f)));
        }
    }
    for (_, w) in r.worlds.iter() {
        let pkg = w
            .package
            .map(|p| r.packages[p].name.to_string())
            .unwrap_or_default();
        let name = format!("{pkg}/{}", w.name);
        out.insert(format!("world {name} {:?} {:?}", w.docs, w.stability));
        for (dir, items) in [("import", &w.imports), ("export", &w.exports)] {
            let order: Vec<String> = items
                .keys()
                .map(|k| match k {
                    WorldKey::Name(n) => n.clone(),
                    WorldKey::Interface(i) => iface_name(r, *i),
                })
                .collect();
            out.insert(format!("world {name} {dir} order {order:?}"));
            for (key, item) in items {
                let key = match key {
                    WorldKey::Name(n) => n.clone(),
                    WorldKey::Interface(i) => iface_name(r, *i),
                };
                let item = match item {
                    WorldItem::Interface {
                        id,
                        stability,
                        docs,
                        ..
                    } => {
                        format!("interface {} {stability:?} {docs:?}", iface_name(r, *id))
                    }
                    WorldItem::Function(f) => func_desc(r, f),
                    WorldItem::Type { id, .. } => type_def(r, *id),
                };
                out.insert(format!("world {name} {dir} {key}: {item}"));
            }
        }
    }
    out
}

fn iface_name(r: &Resolve, id: InterfaceId) -> String {
    r.id_of(id).unwrap_or_else(|| {
        // Inline interfaces are named by the world item that holds them.
        for (_, w) in r.worlds.iter() {
            for (key, item) in w.imports.iter().chain(&w.exports) {
                if let (WorldKey::Name(n), WorldItem::Interface { id: i, .. }) = (key, item) {
                    if *i == id {
                        return format!("{}.{n}", w.name);
                    }
                }
            }
        }
        "<unreferenced>".to_string()
    })
}

fn type_ref(r: &Resolve, t: Type) -> String {
    let Type::Id(id) = t else {
        return t.primitive_name().unwrap_or("?").to_string();
    };
    let def = &r.types[id];
    match &def.name {
        Some(name) => {
            let owner = match def.owner {
                TypeOwner::Interface(i) => iface_name(r, i),
                TypeOwner::World(w) => r.worlds[w].name.clone(),
                TypeOwner::None => String::new(),
            };
            format!("{owner}.{name}")
        }
        None => type_kind(r, &def.kind),
    }
}

fn type_def(r: &Resolve, id: TypeId) -> String {
    let def = &r.types[id];
    format!(
        "{} {:?} {:?}",
        type_kind(r, &def.kind),
        def.docs,
        def.stability
    )
}

fn type_kind(r: &Resolve, kind: &TypeDefKind) -> String {
    let t = |x: &Type| type_ref(r, *x);
    let o = |x: &Option<Type>| x.map_or("_".to_string(), |x| type_ref(r, x));
    let mut s = String::new();
    match kind {
        TypeDefKind::Record(rec) => {
            for f in &rec.fields {
                let _ = write!(s, "{}: {} {:?}, ", f.name, t(&f.ty), f.docs);
            }
            format!("record {{ {s}}}")
        }
        TypeDefKind::Resource => "resource".into(),
        TypeDefKind::Handle(Handle::Own(id)) => format!("own<{}>", t(&Type::Id(*id))),
        TypeDefKind::Handle(Handle::Borrow(id)) => format!("borrow<{}>", t(&Type::Id(*id))),
        TypeDefKind::Flags(f) => format!("flags {:?}", f.flags),
        TypeDefKind::Tuple(tt) => {
            format!("tuple<{:?}>", tt.types.iter().map(t).collect::<Vec<_>>())
        }
        TypeDefKind::Variant(v) => {
            for c in &v.cases {
                let _ = write!(s, "{}({}) {:?}, ", c.name, o(&c.ty), c.docs);
            }
            format!("variant {{ {s}}}")
        }
        TypeDefKind::Enum(e) => format!("enum {:?}", e.cases),
        TypeDefKind::Option(x) => format!("option<{}>", t(x)),
        TypeDefKind::Result(res) => format!("result<{}, {}>", o(&res.ok), o(&res.err)),
        TypeDefKind::List(x) => format!("list<{}>", t(x)),
        TypeDefKind::Map(k, v) => format!("map<{}, {}>", t(k), t(v)),
        TypeDefKind::FixedLengthList(x, n) => format!("list<{}, {n}>", t(x)),
        TypeDefKind::Future(x) => format!("future<{}>", o(x)),
        TypeDefKind::Stream(x) => format!("stream<{}>", o(x)),
        TypeDefKind::Type(x) => format!("= {}", t(x)),
        TypeDefKind::Unknown => "unknown".into(),
    }
}

fn func_desc(r: &Resolve, f: &Function) -> String {
    let params: Vec<String> = f
        .params
        .iter()
        .map(|p| format!("{}: {}", p.name, type_ref(r, p.ty)))
        .collect();
    let kind = match f.kind.resource() {
        Some(res) => {
            format!("{:?}", std::mem::discriminant(&f.kind)).replace("Discriminant", "")
                + &type_ref(r, Type::Id(res))
        }
        None => format!("{:?}", f.kind),
    };
    format!(
        "{} {kind} ({}) -> {} {:?} {:?}",
        f.name,
        params.join(", "),
        f.result.map_or("()".into(), |t| type_ref(r, t)),
        f.docs,
        f.stability
    )
}

/// The valid cases of wit-parser's `tests/ui` (files and package directories).
fn corpus_cases() -> Option<Vec<PathBuf>> {
    let dir = match weft_test_util::corpus_dir("wit-parser") {
        Ok(dir) => dir.join("tests").join("ui"),
        Err(e) => {
            println!("skipped: the wit-parser corpus is not available: {e}");
            return None;
        }
    };
    let mut cases: Vec<PathBuf> = std::fs::read_dir(&dir)
        .ok()?
        .filter_map(|e| e.ok().map(|e| e.path()))
        .filter(|p| {
            let is_fail = p.file_name().is_some_and(|n| n == "parse-fail");
            (p.is_dir() && !is_fail) || p.extension().is_some_and(|e| e == "wit")
        })
        .collect();
    cases.sort();
    Some(cases)
}

fn spec_dir(name: &str) -> Option<PathBuf> {
    let dir = weft_test_util::shared_spec(name);
    if dir.is_dir() {
        return Some(dir);
    }
    println!("skipped: `{}` does not exist", dir.display());
    None
}

/// Cases that fail because of a known resolver gap, with the reason. They still run; the
/// test says when one starts passing.
const KNOWN_GAPS: &[(&str, &str)] = &[];

fn run_round_trips(cases: &[(PathBuf, bool)]) -> (usize, usize, Vec<String>) {
    let (mut passed, mut unresolved, mut failures) = (0, 0, Vec::new());
    for (path, all_features) in cases {
        let name = path.file_name().unwrap_or_default().to_string_lossy();
        let known = KNOWN_GAPS
            .iter()
            .find(|(n, _)| *n == name)
            .map(|(_, why)| *why);
        let mut resolve = Resolve::new();
        resolve.all_features = *all_features;
        resolve.features.insert("active".to_string());
        let main = match resolve.push_path(path) {
            Ok(main) => main,
            Err(_) => {
                unresolved += 1;
                continue;
            }
        };
        let what = path
            .file_name()
            .unwrap_or_default()
            .to_string_lossy()
            .into_owned();
        match (round_trip(&resolve, main, &what), known) {
            (Ok(()), None) => passed += 1,
            (Ok(()), Some(_)) => {
                println!("{what}: listed in KNOWN_GAPS but round-trips now; remove it");
                passed += 1;
            }
            (Err(e), None) => failures.push(e),
            (Err(_), Some(why)) => println!("{what}: known gap: {why}"),
        }
    }
    (passed, unresolved, failures)
}

#[test]
fn round_trip_wit_parser_corpus() {
    let Some(cases) = corpus_cases() else { return };
    let cases: Vec<_> = cases.into_iter().map(|p| (p, false)).collect();
    let (passed, unresolved, failures) = run_round_trips(&cases);
    println!(
        "wit-parser corpus: {passed} round-tripped, {} failed, {unresolved} did not resolve (resolver gaps)",
        failures.len()
    );
    assert!(failures.is_empty(), "{}", failures.join("\n\n"));
}

#[test]
fn round_trip_weft_corpus() {
    let dir = FsPath::new(env!("CARGO_MANIFEST_DIR"))
        .join("tests")
        .join("wit");
    let Ok(entries) = std::fs::read_dir(&dir) else {
        return;
    };
    let mut cases: Vec<(PathBuf, bool)> = entries
        .filter_map(|e| e.ok().map(|e| e.path()))
        .filter(|p| {
            (p.is_dir() && !p.ends_with("fail")) || p.extension().is_some_and(|e| e == "wit")
        })
        .flat_map(|p| [(p.clone(), false), (p, true)])
        .collect();
    cases.sort();
    let (passed, unresolved, failures) = run_round_trips(&cases);
    println!(
        "weft corpus: {passed} round-tripped, {} failed, {unresolved} did not resolve",
        failures.len()
    );
    assert!(failures.is_empty(), "{}", failures.join("\n\n"));
}

#[test]
fn round_trip_wasi() {
    let mut cases = Vec::new();
    for name in ["wasi-0.2", "wasi-0.3.0"] {
        if let Some(dir) = spec_dir(name) {
            cases.push((dir.clone(), false));
            cases.push((dir, true));
        }
    }
    let (passed, unresolved, failures) = run_round_trips(&cases);
    println!(
        "WASI: {passed} round-tripped, {} failed, {unresolved} did not resolve",
        failures.len()
    );
    assert_eq!(unresolved, 0, "the WASI definitions must resolve");
    assert!(failures.is_empty(), "{}", failures.join("\n\n"));
}

/// Single-package files resolve to exactly the same JSON (arena indices included) after a
/// print round trip.
#[test]
fn round_trip_is_exact_for_single_packages() {
    /// Cases whose world flattens an `include`: the printed world lists the included items
    /// directly, so anonymous types are allocated in a different order.
    const INEXACT: &[&str] = &["with-resource-as.wit"];
    let Some(cases) = corpus_cases() else { return };
    let (mut exact, mut failures) = (0, Vec::new());
    for path in cases.iter().filter(|p| p.is_file()) {
        let name = path.file_name().unwrap_or_default().to_string_lossy();
        let mut first = Resolve::new();
        first.features.insert("active".into());
        let Ok(main) = first.push_path(path) else {
            continue;
        };
        if first.packages.len() != 1 || INEXACT.contains(&&*name) {
            continue;
        }
        let text = print_package(&first, main, &PrintOptions::default());
        let mut second = Resolve::new();
        second.features.insert("active".into());
        if let Err(e) = second.push_str("printed.wit", &text) {
            failures.push(format!("{name}: {}", second.render_error(&e)));
            continue;
        }
        let (a, b) = (
            crate::json::to_json_string(&first),
            crate::json::to_json_string(&second),
        );
        match a == b {
            true => exact += 1,
            false => failures.push(format!("{name}:\n{}", weft_test_util::diff(&a, &b))),
        }
    }
    println!("exact round trips: {exact}, {} failed", failures.len());
    assert!(failures.is_empty(), "{}", failures.join("\n\n"));
}

/// Docs decoded from a binary can hold what WIT text may not (a control character, a
/// bidirectional override): they print as U+FFFD, so the output lexes and resolves again.
#[test]
fn docs_with_forbidden_code_points_print_as_replacement_characters() {
    let mut r = Resolve::new();
    let pkg = new_package(&mut r, "a", "b", None);
    let i = new_interface(&mut r, pkg, Some("i"));
    r.interfaces[i].docs = docs_of("bell\u{7}, delete\u{7f}\nright\u{202e}left, ünïcode");
    let text = print_package(&r, pkg, &PrintOptions::default());
    assert!(
        text.contains("/// bell\u{fffd}, delete\u{fffd}\n/// right\u{fffd}left, ünïcode\n"),
        "{text}"
    );
    let mut again = Resolve::new();
    if let Err(e) = again.push_str("x.wit", &text) {
        panic!("{}", again.render_error(&e));
    }
}
