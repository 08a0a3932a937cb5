//! Parser tests: table-driven checks of every construct and error.
//!
//! The wit-parser corpus runs end to end in `tests/corpus.rs`.
use std::fmt::Write as _;

use super::*;
use crate::SourceMap;

// ---- a compact rendering of the tree, for table tests --------------------------------

/// Parses `text` and renders the tree compactly, or the error as `error L:C: message`
/// (plus `help: …`).
fn render(text: &str) -> String {
    let mut map = SourceMap::default();
    let offset = map.push("t.wit", text);
    match parse_file(text, offset) {
        Ok(file) => {
            let mut out = String::new();
            Dump(&mut out).file(&file);
            out.trim_end().to_string()
        }
        Err(e) => {
            let loc = map.location(e.span());
            let loc = loc.strip_prefix("t.wit:").unwrap_or(&loc);
            let mut out = format!("error {loc}: {}", e.message());
            if let Some(help) = e.help() {
                write!(out, " help: {help}").unwrap();
            }
            out
        }
    }
}

#[track_caller]
fn check(text: &str, expected: &str) {
    let actual = render(text);
    assert_eq!(actual, expected.trim(), "input:\n{text}");
}

struct Dump<'o>(&'o mut String);

impl Dump<'_> {
    fn w(&mut self, s: &str) {
        self.0.push_str(s);
    }

    fn file(&mut self, f: &File<'_>) {
        if let Some(p) = &f.package {
            self.docs(&p.docs);
            self.w("package ");
            self.pkg(&p.name);
            self.w(";\n");
        }
        for item in &f.items {
            self.item(item);
            self.w("\n");
        }
        for n in &f.nested {
            self.docs(&n.decl.docs);
            self.w("package ");
            self.pkg(&n.decl.name);
            self.w(" {");
            for item in &n.items {
                self.w(" ");
                self.item(item);
            }
            self.trailing(&n.trailing);
            self.w(" }\n");
        }
        if !f.trailing.comments.is_empty() {
            write!(self.0, "trailing{:?}", f.trailing.comments).unwrap();
        }
    }

    fn docs(&mut self, d: &Docs<'_>) {
        if !d.comments.is_empty() {
            write!(self.0, "docs{:?} ", d.comments).unwrap();
        }
    }

    fn trailing(&mut self, d: &Docs<'_>) {
        if !d.comments.is_empty() {
            write!(self.0, " trailing{:?}", d.comments).unwrap();
        }
    }

    fn attrs(&mut self, attrs: &[Attribute<'_>]) {
        for a in attrs {
            match a {
                Attribute::Since { version, .. } => write!(self.0, "@since({version}) "),
                Attribute::Unstable { feature, .. } => {
                    write!(self.0, "@unstable({}) ", feature.name)
                }
                Attribute::Deprecated { version, .. } => {
                    write!(self.0, "@deprecated({version}) ")
                }
            }
            .unwrap();
        }
    }

    fn pkg(&mut self, p: &PackageName<'_>) {
        write!(self.0, "{}:{}", p.namespace.name, p.name.name).unwrap();
        if let Some((_, v)) = &p.version {
            write!(self.0, "@{v}").unwrap();
        }
    }

    fn path(&mut self, p: &UsePath<'_>) {
        match p {
            UsePath::Id(id) => self.w(id.name),
            UsePath::Package { id, name } => {
                write!(
                    self.0,
                    "{}:{}/{}",
                    id.namespace.name, id.name.name, name.name
                )
                .unwrap();
                if let Some((_, v)) = &id.version {
                    write!(self.0, "@{v}").unwrap();
                }
            }
        }
    }

    fn item(&mut self, item: &Item<'_>) {
        match item {
            Item::Interface(i) => {
                self.docs(&i.docs);
                self.attrs(&i.attributes);
                write!(self.0, "interface {} {{", i.name.name).unwrap();
                self.iface_items(&i.items);
                self.trailing(&i.trailing);
                self.w(" }");
            }
            Item::World(w) => {
                self.docs(&w.docs);
                self.attrs(&w.attributes);
                write!(self.0, "world {} {{", w.name.name).unwrap();
                for item in &w.items {
                    self.w(" ");
                    self.world_item(item);
                }
                self.trailing(&w.trailing);
                self.w(" }");
            }
            Item::Use(u) => {
                self.docs(&u.docs);
                self.attrs(&u.attributes);
                self.w("use ");
                self.path(&u.item);
                if let Some(a) = &u.as_ {
                    write!(self.0, " as {}", a.name).unwrap();
                }
                self.w(";");
            }
        }
    }

    fn iface_items(&mut self, items: &[InterfaceItem<'_>]) {
        for item in items {
            self.w(" ");
            match item {
                InterfaceItem::TypeDef(t) => self.typedef(t),
                InterfaceItem::Func(f) => self.named_func(f, ""),
                InterfaceItem::Use(u) => self.use_(u),
            }
        }
    }

    fn use_(&mut self, u: &Use<'_>) {
        self.docs(&u.docs);
        self.attrs(&u.attributes);
        self.w("use ");
        self.path(&u.from);
        self.w(".{");
        for (i, n) in u.names.iter().enumerate() {
            if i > 0 {
                self.w(", ");
            }
            self.w(n.name.name);
            if let Some(a) = &n.as_ {
                write!(self.0, " as {}", a.name).unwrap();
            }
        }
        self.w("};");
    }

    fn world_item(&mut self, item: &WorldItem<'_>) {
        let (kw, e) = match item {
            WorldItem::Import(e) => ("import", e),
            WorldItem::Export(e) => ("export", e),
            WorldItem::Use(u) => return self.use_(u),
            WorldItem::Type(t) => return self.typedef(t),
            WorldItem::Include(i) => {
                self.docs(&i.docs);
                self.attrs(&i.attributes);
                self.w("include ");
                self.path(&i.from);
                if !i.names.is_empty() {
                    self.w(" with {");
                    for (j, n) in i.names.iter().enumerate() {
                        self.w(if j > 0 { ", " } else { " " });
                        write!(self.0, "{} as {}", n.name.name, n.as_.name).unwrap();
                    }
                    self.w(" }");
                }
                return self.w(";");
            }
        };
        self.docs(&e.docs);
        self.attrs(&e.attributes);
        write!(self.0, "{kw} ").unwrap();
        match &e.kind {
            ExternKind::Interface {
                name,
                items,
                trailing,
            } => {
                write!(self.0, "{}: interface {{", name.name).unwrap();
                self.iface_items(items);
                self.trailing(trailing);
                self.w(" }");
            }
            ExternKind::Path(p) => {
                self.path(p);
                self.w(";");
            }
            ExternKind::NamedPath { name, path } => {
                write!(self.0, "{}: ", name.name).unwrap();
                self.path(path);
                self.w(";");
            }
            ExternKind::Func { name, func } => {
                write!(self.0, "{}: ", name.name).unwrap();
                self.func(func);
                self.w(";");
            }
        }
    }

    fn named_func(&mut self, f: &NamedFunc<'_>, prefix: &str) {
        self.docs(&f.docs);
        self.attrs(&f.attributes);
        write!(self.0, "{}: {prefix}", f.name.name).unwrap();
        self.func(&f.func);
        self.w(";");
    }

    fn func(&mut self, f: &Func<'_>) {
        if f.is_async {
            self.w("async ");
        }
        self.w(match f.kind {
            FuncKind::Func => "func(",
            FuncKind::Getter => "get(",
            FuncKind::Setter => "set(",
        });
        self.params(&f.params);
        self.w(")");
        if let Some(r) = &f.result {
            self.w(" -> ");
            self.ty(r);
        }
    }

    fn params(&mut self, params: &[(Ident<'_>, Type<'_>)]) {
        for (i, (n, t)) in params.iter().enumerate() {
            if i > 0 {
                self.w(", ");
            }
            write!(self.0, "{}: ", n.name).unwrap();
            self.ty(t);
        }
    }

    fn typedef(&mut self, t: &TypeDef<'_>) {
        self.docs(&t.docs);
        self.attrs(&t.attributes);
        let name = t.name.name;
        match &t.body {
            TypeBody::Alias(ty) => {
                write!(self.0, "type {name} = ").unwrap();
                self.ty(ty);
                self.w(";");
            }
            TypeBody::Record(fields, trailing) => {
                write!(self.0, "record {name} {{").unwrap();
                for f in fields {
                    self.w(" ");
                    self.docs(&f.docs);
                    write!(self.0, "{}: ", f.name.name).unwrap();
                    self.ty(&f.ty);
                    self.w(",");
                }
                self.trailing(trailing);
                self.w(" }");
            }
            TypeBody::Flags(flags, trailing) => {
                write!(self.0, "flags {name} {{").unwrap();
                for f in flags {
                    self.w(" ");
                    self.docs(&f.docs);
                    write!(self.0, "{},", f.name.name).unwrap();
                }
                self.trailing(trailing);
                self.w(" }");
            }
            TypeBody::Variant(cases, trailing) => {
                write!(self.0, "variant {name} {{").unwrap();
                for c in cases {
                    self.w(" ");
                    self.docs(&c.docs);
                    self.w(c.name.name);
                    if let Some(ty) = &c.ty {
                        self.w("(");
                        self.ty(ty);
                        self.w(")");
                    }
                    self.w(",");
                }
                self.trailing(trailing);
                self.w(" }");
            }
            TypeBody::Enum(cases, trailing) => {
                write!(self.0, "enum {name} {{").unwrap();
                for c in cases {
                    self.w(" ");
                    self.docs(&c.docs);
                    write!(self.0, "{},", c.name.name).unwrap();
                }
                self.trailing(trailing);
                self.w(" }");
            }
            TypeBody::Resource {
                funcs,
                braces,
                trailing,
            } => {
                write!(self.0, "resource {name}").unwrap();
                if !braces {
                    return self.w(";");
                }
                self.w(" {");
                for f in funcs {
                    self.w(" ");
                    match f {
                        ResourceFunc::Method(f) => self.named_func(f, ""),
                        ResourceFunc::Static(f) => self.named_func(f, "static "),
                        ResourceFunc::Constructor(f) => {
                            self.docs(&f.docs);
                            self.attrs(&f.attributes);
                            self.w("constructor(");
                            self.params(&f.func.params);
                            self.w(")");
                            if let Some(r) = &f.func.result {
                                self.w(" -> ");
                                self.ty(r);
                            }
                            self.w(";");
                        }
                    }
                }
                self.trailing(trailing);
                self.w(" }");
            }
        }
    }

    fn ty(&mut self, t: &Type<'_>) {
        let simple = match t {
            Type::Bool(_) => "bool",
            Type::U8(_) => "u8",
            Type::U16(_) => "u16",
            Type::U32(_) => "u32",
            Type::U64(_) => "u64",
            Type::S8(_) => "s8",
            Type::S16(_) => "s16",
            Type::S32(_) => "s32",
            Type::S64(_) => "s64",
            Type::F32(_) => "f32",
            Type::F64(_) => "f64",
            Type::Char(_) => "char",
            Type::String(_) => "string",
            Type::ErrorContext(_) => "error-context",
            Type::Name(id) => id.name,
            _ => "",
        };
        self.w(simple);
        match t {
            Type::List(t, _) => self.generic("list", &[t]),
            Type::FixedLengthList(t, n, _) => {
                self.w("list<");
                self.ty(t);
                write!(self.0, ", {n}>").unwrap();
            }
            Type::Map(k, v, _) => self.generic("map", &[k, v]),
            Type::Own(id, _) => write!(self.0, "own<{}>", id.name).unwrap(),
            Type::Borrow(id, _) => write!(self.0, "borrow<{}>", id.name).unwrap(),
            Type::Tuple(ts, _) => self.generic("tuple", &ts.iter().collect::<Vec<_>>()),
            Type::Option(t, _) => self.generic("option", &[t]),
            Type::Result { ok, err, .. } => {
                self.w("result");
                match (ok, err) {
                    (None, None) => {}
                    (Some(ok), None) => self.generic("", &[ok]),
                    (None, Some(err)) => {
                        self.w("<_, ");
                        self.ty(err);
                        self.w(">");
                    }
                    (Some(ok), Some(err)) => self.generic("", &[ok, err]),
                }
            }
            Type::Future(p, _) | Type::Stream(p, _) => {
                self.w(if matches!(t, Type::Future(..)) {
                    "future"
                } else {
                    "stream"
                });
                if let Some(p) = p {
                    self.generic("", &[p]);
                }
            }
            _ => {}
        }
    }

    fn generic(&mut self, name: &str, args: &[&Type<'_>]) {
        write!(self.0, "{name}<").unwrap();
        for (i, a) in args.iter().enumerate() {
            if i > 0 {
                self.w(", ");
            }
            self.ty(a);
        }
        self.w(">");
    }
}

// ---- valid syntax -------------------------------------------------------------------

#[test]
fn packages() {
    check("", "");
    check("package a:b;", "package a:b;");
    check("package a:b@1.2.3;", "package a:b@1.2.3;");
    check(
        "package a:b@1.0.0-rc.1+build.5;",
        "package a:b@1.0.0-rc.1+build.5;",
    );
    check("package a:b@1.0.0-alpha-2;", "package a:b@1.0.0-alpha-2;");
    check("package a:b@1.0.0-Rc1;", "package a:b@1.0.0-Rc1;");
    check("package %interface:%world;", "package interface:world;");
    check("package a-b:c-d { }", "package a-b:c-d { }");
    check(
        "package a:b; package c:d { interface i {} } package e:f@2.0.0 { world w {} }",
        "package a:b;\npackage c:d { interface i { } }\npackage e:f@2.0.0 { world w { } }",
    );
    check(
        "interface i {} package c:d {}",
        "interface i { }\npackage c:d { }",
    );
    check("\u{feff}package a:b;", "package a:b;");
}

#[test]
fn toplevel_use() {
    check("use foo;", "use foo;");
    check("use foo as bar;", "use foo as bar;");
    check("use a:b/c;", "use a:b/c;");
    check("use a:b/c@1.0.0 as d;", "use a:b/c@1.0.0 as d;");
    check(
        "package x:y { use a:b/c@0.2.0-rc-2023-11-10; }",
        "package x:y { use a:b/c@0.2.0-rc-2023-11-10; }",
    );
}

#[test]
fn interface_types() {
    check(
        "interface i { type a = u32; type b = list<a>; type c = option<tuple<s8, s16, s32, s64>>; }",
        "interface i { type a = u32; type b = list<a>; type c = option<tuple<s8, s16, s32, s64>>; }",
    );
    check(
        "interface i { type t = tuple<u8, u16, u32, u64, f32, f64, char, bool, string, error-context>; }",
        "interface i { type t = tuple<u8, u16, u32, u64, f32, f64, char, bool, string, error-context>; }",
    );
    check(
        "interface i { type a = result; type b = result<u8>; type c = result<_, u8>; type d = result<u8, string>; }",
        "interface i { type a = result; type b = result<u8>; type c = result<_, u8>; type d = result<u8, string>; }",
    );
    check(
        "interface i { type a = future; type b = future<u8>; type c = stream; type d = stream<list<u8>>; }",
        "interface i { type a = future; type b = future<u8>; type c = stream; type d = stream<list<u8>>; }",
    );
    check(
        "interface i { type a = list<u8, 4>; type b = map<string, list<u8>>; type c = own<r>; type d = borrow<r>; }",
        "interface i { type a = list<u8, 4>; type b = map<string, list<u8>>; type c = own<r>; type d = borrow<r>; }",
    );
    check(
        "interface i { type t = tuple<>; type u = tuple<u8,>; }",
        "interface i { type t = tuple<>; type u = tuple<u8>; }",
    );
    check(
        "interface i { type t = list<list<list<u8>>>; }",
        "interface i { type t = list<list<list<u8>>>; }",
    );
    check(
        "interface i { type %type = %list; }",
        "interface i { type type = list; }",
    );
    check(
        "interface i { type get = set; }",
        "interface i { type get = set; }",
    );
}

#[test]
fn interface_defs() {
    check(
        "interface i { record r { a: u32, b: string, } flags f { x, y } variant v { a, b(u8), } enum e { one, two } }",
        "interface i { record r { a: u32, b: string, } flags f { x, y, } variant v { a, b(u8), } enum e { one, two, } }",
    );
    check(
        "interface i { record r {} flags f {} enum e {} variant v {} }",
        "interface i { record r { } flags f { } enum e { } variant v { } }",
    );
    check(
        "interface i { variant v { a(tuple<u8, u8>) } }",
        "interface i { variant v { a(tuple<u8, u8>), } }",
    );
}

#[test]
fn functions() {
    check("interface i { f: func(); }", "interface i { f: func(); }");
    check(
        "interface i { f: func(a: u32, b: list<string>,) -> result<_, e>; }",
        "interface i { f: func(a: u32, b: list<string>) -> result<_, e>; }",
    );
    check(
        "interface i { f: async func() -> stream<u8>; }",
        "interface i { f: async func() -> stream<u8>; }",
    );
    check(
        "interface i { p: get() -> u32; p: set(value: u32); }",
        "interface i { p: get() -> u32; p: set(value: u32); }",
    );
    check(
        "interface i { p: set(v: u32) -> result<_, e>; }",
        "interface i { p: set(v: u32) -> result<_, e>; }",
    );
    check(
        "interface i { %func: func(%type: u32); }",
        "interface i { func: func(type: u32); }",
    );
    check(
        "interface i { get: func(); set: func(get: get); }",
        "interface i { get: func(); set: func(get: get); }",
    );
}

#[test]
fn resources() {
    check("interface i { resource r; }", "interface i { resource r; }");
    check(
        "interface i { resource r {} }",
        "interface i { resource r { } }",
    );
    check(
        "interface i { resource r { constructor(a: u32); m: func(); s: static func() -> r; m2: async func(); s2: static async func(); } }",
        "interface i { resource r { constructor(a: u32); m: func(); s: static func() -> r; m2: async func(); s2: static async func(); } }",
    );
    check(
        "interface i { resource r { constructor() -> result<r, e>; p: get() -> u32; p: set(v: u32); q: static get() -> u32; q: static set(v: u32); } }",
        "interface i { resource r { constructor() -> result<r, e>; p: get() -> u32; p: set(v: u32); q: static get() -> u32; q: static set(v: u32); } }",
    );
}

#[test]
fn uses() {
    check(
        "interface i { use j.{a, b as c}; }",
        "interface i { use j.{a, b as c}; }",
    );
    check(
        "interface i { use j.{a,}; use j.{}; }",
        "interface i { use j.{a}; use j.{}; }",
    );
    check(
        "interface i { use a:b/c@1.0.0.{x}; }",
        "interface i { use a:b/c@1.0.0.{x}; }",
    );
    check(
        "interface i { use a:b/c@1.0.0-pre.{x}; }",
        "interface i { use a:b/c@1.0.0-pre.{x}; }",
    );
    check(
        "world w { use a:b/c.{x as y}; }",
        "world w { use a:b/c.{x as y}; }",
    );
}

#[test]
fn worlds() {
    check(
        "world w { import a; export a:b/c; import a:b/c@1.0.0; export d: func(); import e: async func(x: u8) -> u8; }",
        "world w { import a; export a:b/c; import a:b/c@1.0.0; export d: func(); import e: async func(x: u8) -> u8; }",
    );
    check(
        "world w { import p: get() -> u32; export p: set(v: u32); }",
        "world w { import p: get() -> u32; export p: set(v: u32); }",
    );
    check(
        "world w { import x: interface { f: func(); type t = u8; use i.{t}; } export y: interface {} }",
        "world w { import x: interface { f: func(); type t = u8; use i.{t}; } export y: interface { } }",
    );
    check(
        "world w { import label: local-iface; export other: a:b/c@1.0.0; import %func: i; }",
        "world w { import label: local-iface; export other: a:b/c@1.0.0; import func: i; }",
    );
    check(
        "world w { type t = u8; record r { a: u8 } flags f { a } variant v { a } enum e { a } resource x; }",
        "world w { type t = u8; record r { a: u8, } flags f { a, } variant v { a, } enum e { a, } resource x; }",
    );
    check(
        "world w { include a; include a:b/c@1.0.0 with { a as b, c as d } include e with { f as g }; include h with {} }",
        "world w { include a; include a:b/c@1.0.0 with { a as b, c as d }; include e with { f as g }; include h; }",
    );
}

#[test]
fn attributes() {
    check(
        "@since(version = 1.0.0) interface i { @unstable(feature = fancy) f: func(); @deprecated(version = 2.0.0) @since(version = 1.0.0) type t = u8; }",
        "@since(1.0.0) interface i { @unstable(fancy) f: func(); @deprecated(2.0.0) @since(1.0.0) type t = u8; }",
    );
    check(
        "@since(version = 1.2.3, feature = x) world w {}",
        "@since(1.2.3) world w { }",
    );
    check(
        "@since(version = 1.2.3,) world w {}",
        "@since(1.2.3) world w { }",
    );
    check(
        "world w { @since(version = 0.2.0) import a; @unstable(feature = f) include b; @since(version = 1.0.0) use i.{x}; }",
        "world w { @since(0.2.0) import a; @unstable(f) include b; @since(1.0.0) use i.{x}; }",
    );
    check(
        "@unstable(feature = x) use a:b/c;",
        "@unstable(x) use a:b/c;",
    );
    check(
        "interface i { resource r { @since(version = 1.0.0) constructor(); @unstable(feature = f) m: func(); } }",
        "interface i { resource r { @since(1.0.0) constructor(); @unstable(f) m: func(); } }",
    );
    check(
        "@since ( version = 1.0.0 ) interface i {}",
        "@since(1.0.0) interface i { }",
    );
}

#[test]
fn docs() {
    check(
        "/// a\n/// b\npackage a:b;",
        r#"docs["/// a", "/// b"] package a:b;"#,
    );
    check("// a\r\npackage a:b;\r\n", r#"docs["// a"] package a:b;"#);
    check(
        "/** x */ /* y */ // z\ninterface i {}",
        r#"docs["/** x */", "/* y */", "// z"] interface i { }"#,
    );
    check(
        "/* a /* b */ c */ world w {}",
        r#"docs["/* a /* b */ c */"] world w { }"#,
    );
    check(
        "/// pkg\npackage a:b;\n/// iface\ninterface i {}",
        "docs[\"/// pkg\"] package a:b;\ndocs[\"/// iface\"] interface i { }",
    );
    // Docs go before attributes; comments between attributes and the item are dropped.
    check(
        "interface i {\n  /// d\n  @since(version = 1.0.0)\n  // dropped\n  f: func(); // next\n}",
        r#"interface i { docs["/// d"] @since(1.0.0) f: func(); trailing["// next"] }"#,
    );
    check(
        "interface i { record r { /// a\n a: u32, // b\n b: u32 // t\n } }",
        r#"interface i { record r { docs["/// a"] a: u32, docs["// b"] b: u32, trailing["// t"] } }"#,
    );
    check(
        "interface i { enum e { // x\n a, /* y */ } flags f { /// z\n a } variant v { /// w\n a(u8) } }",
        r#"interface i { enum e { docs["// x"] a, trailing["/* y */"] } flags f { docs["/// z"] a, } variant v { docs["/// w"] a(u8), } }"#,
    );
    check(
        "interface i { resource r { /// c\n constructor(); /// m\n m: func(); // end\n } }",
        r#"interface i { resource r { docs["/// c"] constructor(); docs["/// m"] m: func(); trailing["// end"] } }"#,
    );
    check(
        "world w { /// imp\n import a; /// exp\n export b: interface { /// f\n f: func(); // t\n } // w\n}",
        r#"world w { docs["/// imp"] import a; docs["/// exp"] export b: interface { docs["/// f"] f: func(); trailing["// t"] } trailing["// w"] }"#,
    );
    check(
        "world w { /// inc\n include a; /// use\n use i.{x}; /// ty\n type t = u8; }",
        r#"world w { docs["/// inc"] include a; docs["/// use"] use i.{x}; docs["/// ty"] type t = u8; }"#,
    );
    // Comments inside a signature or a type are dropped.
    check(
        "interface i { f: func(/* a */ a: u32 /* b */) -> /* c */ u32; }",
        "interface i { f: func(a: u32) -> u32; }",
    );
    check(
        "package a:b { /// n\n interface i {} // t\n } // end\n",
        "package a:b { docs[\"/// n\"] interface i { } trailing[\"// t\"] }\ntrailing[\"// end\"]",
    );
    check("/// p\npackage x:y {}", r#"docs["/// p"] package x:y { }"#);
    check("// only a comment", r#"trailing["// only a comment"]"#);
    check("package a:b; // end", "package a:b;\ntrailing[\"// end\"]");
    check(
        "/// d\n/* */ use a:b/c;",
        r#"docs["/// d", "/* */"] use a:b/c;"#,
    );
}

#[test]
fn whitespace_and_unicode() {
    check(
        "package a:b;\r\ninterface i {\r\n\ttype t = u8;\r\n}\r\n",
        "package a:b;\ninterface i { type t = u8; }",
    );
    check(
        "// héllo wörld ☃\ninterface i {}",
        r#"docs["// héllo wörld ☃"] interface i { }"#,
    );
    check(
        "/* ☃ /* 東京 */ */ world w {}",
        r#"docs["/* ☃ /* 東京 */ */"] world w { }"#,
    );
    check(
        "interface i { type t = u8; }   \n\n",
        "interface i { type t = u8; }",
    );
}

#[test]
fn identifiers() {
    check("interface a0-b1-C2 {}", "interface a0-b1-C2 { }");
    check("interface apple-0 {}", "interface apple-0 { }");
    check("interface ENOENT-X {}", "interface ENOENT-X { }");
    check("interface is-XML {}", "interface is-XML { }");
}

// ---- errors ----------------------------------------------------------------------------

#[test]
fn identifier_errors() {
    check("interface Foo {}", "error 1:11: identifier `Foo` mixes upper and lower case in the word `Foo` help: identifiers are kebab-case (lower- or upper-case words joined by `-`): try `foo`");
    check("interface foo_bar {}", "error 1:11: invalid character `_` in identifier `foo_bar` help: identifiers are kebab-case (lower- or upper-case words joined by `-`): try `foo-bar`");
    check("interface foo- {}", "error 1:11: identifier `foo-` has an empty word between `-`s help: identifiers are words joined by single `-`s, e.g. `foo-bar`");
    check("interface a--b {}", "error 1:11: identifier `a--b` has an empty word between `-`s help: identifiers are words joined by single `-`s, e.g. `foo-bar`");
    check("interface %0a {}", "error 1:11: identifier `0a` must start with a letter help: identifiers are kebab-case: words of ASCII letters and digits joined by `-`, each word all lower case or all upper case");
    check(
        "interface % {}",
        "error 1:11: expected an identifier after `%`",
    );
    check("interface garçon {}", "error 1:11: invalid character `ç` in identifier `garçon` help: identifiers are kebab-case: words of ASCII letters and digits joined by `-`, each word all lower case or all upper case");
    check("interface i { type t = String; }", "error 1:24: identifier `String` mixes upper and lower case in the word `String` help: did you mean `string`?");
    check(
        "interface i { type t = u_int32; }",
        "error 1:24: invalid character `_` in identifier `u_int32` help: did you mean `u32`?",
    );
    check("interface i { type t = Float32; }", "error 1:24: identifier `Float32` mixes upper and lower case in the word `Float32` help: `float32` was renamed to `f32`");
    check("interface type {}", "error 1:11: expected an identifier, found keyword `type` help: `type` is a keyword; write `%type` to use it as a name");
    check("interface i { type option = u32; }", "error 1:20: expected an identifier, found keyword `option` help: `option` is a keyword; write `%option` to use it as a name");
}

#[test]
fn lex_errors() {
    check("interface i { $ }", "error 1:15: unexpected character `$`");
    check("interface i {} /* a /* b", "error 1:16: unterminated block comment help: block comments nest: 2 `/*` are still open at the end of the file");
    check(
        "interface i {} /* a /* b */",
        "error 1:16: unterminated block comment help: end the comment with `*/`",
    );
    check(
        "/* a",
        "error 1:1: unterminated block comment help: end the comment with `*/`",
    );
    check(
        "interface i {}\n\u{202e}",
        "error 2:1: bidirectional override character `\\u{202e}` is not allowed",
    );
    check(
        "interface i {\u{0}}",
        "error 1:14: control character `\\u{0}` is not allowed",
    );
    check(
        "// \u{7}\ninterface i {}",
        "error 1:4: control character `\\u{7}` is not allowed",
    );
    check("interface i { \u{feff} }", "error 1:15: unexpected character `\\u{feff}` help: a byte-order mark is only allowed at the start of a file");
    check("interface \"x", "error 1:11: unterminated string literal");
    check(
        "interface i { \"a\\qb\" }",
        "error 1:17: invalid string escape `\\q`",
    );
    check("interface i { \"a\" }", "error 1:15: expected `type`, `record`, `variant`, `enum`, `flags`, `resource`, `use` or a function name, found a string literal");
    // A syntax error before a bad character is reported first, as wit-parser does.
    check(
        "interface { $",
        "error 1:11: expected an identifier, found `{`",
    );
}

#[test]
fn syntax_errors() {
    check(
        "interface i { type t = u32 }",
        "error 1:28: expected `;`, found `}` help: add `;` at the end of the previous item",
    );
    check(
        "interface i { abcd }",
        "error 1:20: expected `:`, found `}`",
    );
    check(
        "interface i { f func(); }",
        "error 1:17: expected `:`, found keyword `func` help: write `name: func(…)`",
    );
    check(
        "interface i { f: fun(); }",
        "error 1:18: expected `func`, found identifier `fun`",
    );
    check("interface i { f: func() -> (a: u32); }", "error 1:28: expected a type, found `(` help: functions return at most one type; return a `tuple<…>` or a `record` for several values");
    check(
        "interface i { f: func(a); }",
        "error 1:24: expected `:`, found `)` help: parameters are `name: type`, e.g. `a: u32`",
    );
    check(
        "interface i { f: func(a: u32 b: u32); }",
        "error 1:30: expected `,` or `)`, found identifier `b`",
    );
    check(
        "interface i { p: async get() -> u32; }",
        "error 1:24: expected `func`, found identifier `get` help: accessors cannot be `async`",
    );
    check("interface i { f: static func(); }", "error 1:18: expected `func`, found keyword `static` help: `static` functions are only allowed in a `resource`");
    check("interface i { func f(); }", "error 1:15: expected `type`, `record`, `variant`, `enum`, `flags`, `resource`, `use` or a function name, found keyword `func` help: functions are declared as `name: func(params) -> result;`");
    check("interface i { import a; }", "error 1:15: expected `type`, `record`, `variant`, `enum`, `flags`, `resource`, `use` or a function name, found keyword `import` help: imports, exports and includes belong in a `world`");
    check("interface i { type t = u8;; }", "error 1:27: expected `type`, `record`, `variant`, `enum`, `flags`, `resource`, `use` or a function name, found `;` help: remove this `;`");
    check("interface i {", "error 1:14: expected `type`, `record`, `variant`, `enum`, `flags`, `resource`, `use` or a function name, found end of file");
    check("interface i { type t = u8; ", "error 1:28: expected `type`, `record`, `variant`, `enum`, `flags`, `resource`, `use` or a function name, found end of file");
    check("interface i { type t { a: u8 } }", "error 1:22: expected `=`, found `{` help: `type` defines an alias (`type x = u32;`); use `record`, `variant`, `enum` or `flags` for new types");
    check(
        "interface i { record r = { } }",
        "error 1:24: expected `{`, found `=` help: write `record name { … }` without `=`",
    );
    check(
        "interface i { record r { a: u32 b: u32 } }",
        "error 1:33: expected `,` or `}`, found identifier `b`",
    );
    check(
        "interface i { record r { @since(version = 1.0.0) a: u32 } }",
        "error 1:26: expected an identifier, found `@`",
    );
    check(
        "interface i { variant v { a(u8, u8) } }",
        "error 1:31: expected `)`, found `,`",
    );
    check("interface i { use j; }", "error 1:20: expected `.`, found `;` help: inside an interface or world, `use` names types: `use iface.{a, b as c};`");
    check(
        "interface i { use j.{a b}; }",
        "error 1:24: expected `,` or `}`, found identifier `b`",
    );
    check("interface i { use a:b:c/d.{x}; }", "error 1:22: expected `/`, found `:` help: nested package namespaces (`a:b:c`) are not supported");
    check("interface i { use a:b/c/d.{x}; }", "error 1:24: nested interface paths are not supported help: a path names one item: `namespace:package/name`");
    check(
        "interface i { use a:b.{x}; }",
        "error 1:22: expected `/`, found `.` help: a path to another package's item is `a:b/name`",
    );
    check("world w { f: func(); }", "error 1:11: expected `import`, `export`, `include`, `use` or a type definition, found identifier `f` help: functions in a world are imported or exported: `import name: func(…);`");
    check(
        "world w { import a }",
        "error 1:20: expected `;`, found `}` help: add `;` at the end of the previous item",
    );
    check("world w { import x: interface { }; }", "error 1:34: expected `import`, `export`, `include`, `use` or a type definition, found `;` help: remove this `;`");
    check("world w { import x: static func(); }", "error 1:21: expected `func`, `interface` or an interface name, found keyword `static` help: `static` functions are only allowed in a `resource`");
    check(
        "world w { include a with { b } }",
        "error 1:30: expected `as`, found `}` help: write `b as new-name`",
    );
    check("world w { include a with { a:b/c as d } }", "error 1:29: expected `as`, found `:` help: `with` renames plain names of the included world, not interfaces");
    check("world w { interface i {} }", "error 1:11: expected `import`, `export`, `include`, `use` or a type definition, found keyword `interface` help: interfaces and worlds cannot be nested; close this one with `}` first");
    check("type t = u8;", "error 1:1: expected `interface`, `world`, `use` or `package`, found keyword `type` help: types and functions must be inside an `interface` or `world`");
    check("f: func();", "error 1:1: expected `interface`, `world`, `use` or `package`, found identifier `f` help: functions and types must be inside an `interface` or `world`");
    check("import a;", "error 1:1: expected `interface`, `world`, `use` or `package`, found keyword `import` help: imports, exports and includes must be inside a `world`");
    check("use a.{b};", "error 1:6: expected `;`, found `.` help: `use path.{names};` is only allowed inside an interface or world");
    check(
        "use a",
        "error 1:6: expected `;`, found end of file help: add `;` at the end of the previous item",
    );
}

#[test]
fn type_errors() {
    check(
        "interface i { type t = list<u32; }",
        "error 1:32: expected `>`, found `;`",
    );
    check("interface i { type t = list<u32,>; }", "error 1:33: expected a list length, found `>` help: a fixed-length list is written `list<T, N>` with `N` an integer");
    check("interface i { type t = list<u32, u32>; }", "error 1:34: expected a list length, found keyword `u32` help: a fixed-length list is written `list<T, N>` with `N` an integer");
    check(
        "interface i { type t = list<u8, 99999999999>; }",
        "error 1:33: invalid list length `99999999999`: it must fit in a `u32`",
    );
    check(
        "interface i { type t = list; }",
        "error 1:28: expected `<`, found `;` help: write `list<T>`",
    );
    check(
        "interface i { type t = option<u8, u8>; }",
        "error 1:33: expected `>`, found `,` help: too many type arguments",
    );
    check(
        "interface i { type t = map<u8>; }",
        "error 1:30: expected `,`, found `>` help: a map has a key and a value type: `map<K, V>`",
    );
    check(
        "interface i { type t = result<_>; }",
        "error 1:32: expected `,`, found `>` help: a result with no payloads is written `result`",
    );
    check(
        "interface i { type t = result<u8, u8, u8>; }",
        "error 1:37: expected `>`, found `,` help: too many type arguments",
    );
    check("interface i { type t = borrow<u32>; }", "error 1:31: expected an identifier, found keyword `u32` help: `u32` is a keyword; write `%u32` to use it as a name");
    check(
        "interface i { type t = own; }",
        "error 1:27: expected `<`, found `;` help: write `own<resource>`",
    );
    check("interface i { type t = func; }", "error 1:24: expected a type, found keyword `func` help: function types cannot be named; declare `name: func(…);` instead");
    check("interface i { type t = _; }", "error 1:24: expected a type, found keyword `_` help: `_` is only allowed as the first argument of `result<_, E>`");
    check(
        "interface i { type t = ; }",
        "error 1:24: expected a type, found `;`",
    );
    check(
        "interface i { type t = 5; }",
        "error 1:24: expected a type, found integer `5`",
    );
    check(
        "interface i { type t = ",
        "error 1:24: expected a type, found end of file",
    );
}

#[test]
fn resource_errors() {
    check("interface i { resource r }", "error 1:26: expected `;` or `{`, found `}` help: write `resource name;` or `resource name { … }`");
    check("interface i { resource r { async constructor(); } }", "error 1:28: expected `constructor` or a method name, found keyword `async` help: constructors cannot be `async`");
    check(
        "interface i { resource r { m: async static func(); } }",
        "error 1:37: expected `func`, found keyword `static` help: write `static async func(…)`",
    );
    check("interface i { resource r { static m: func(); } }", "error 1:28: expected `constructor` or a method name, found keyword `static` help: methods are declared as `name: func(…);` or `name: static func(…);`");
    check(
        "interface i { resource r { interface } }",
        "error 1:28: expected `constructor` or a method name, found keyword `interface`",
    );
    check(
        "interface i { resource r { constructor() } }",
        "error 1:42: expected `;`, found `}` help: add `;` at the end of the previous item",
    );
}

#[test]
fn attribute_errors() {
    check(
        "@since interface i {}",
        "error 1:8: expected `(`, found keyword `interface`",
    );
    check(
        "@since(feature = foo, version = 1.0.0) interface i {}",
        "error 1:8: expected `version`, found `feature`",
    );
    check(
        "@deprecated() interface i {}",
        "error 1:13: expected an identifier, found `)`",
    );
    check("@since(version = 1.0) interface i {}", "error 1:18: invalid version `1.0`: unexpected end of input while parsing minor version number help: versions are semver: `major.minor.patch`, optionally with `-pre` and `+build`");
    check("@since(version = x) interface i {}", "error 1:18: expected a version, found identifier `x` help: versions are semver, e.g. `1.0.0`");
    check(
        "@unstable(feature = 1) interface i {}",
        "error 1:21: expected an identifier, found integer `1`",
    );
    check("@foo interface i {}", "error 1:2: unknown attribute `@foo` help: known attributes are `@since`, `@unstable` and `@deprecated`");
    check(
        "@external-id(\"x\") interface i {}",
        "error 1:2: the `@external-id` attribute is not supported yet",
    );
    check("interface i { @since(version = 1.0.0) }", "error 1:39: expected `type`, `record`, `variant`, `enum`, `flags`, `resource`, `use` or a function name, found `}`");
}

#[test]
fn package_errors() {
    check(
        "package a;",
        "error 1:10: expected `:`, found `;` help: package names have a namespace: `namespace:a`",
    );
    check("package a:b:c;", "error 1:12: nested package namespaces are not supported help: a package name has exactly one `:`, as in `namespace:name`");
    check("package a:b@1.0;", "error 1:13: invalid version `1.0`: unexpected end of input while parsing minor version number help: versions are semver: `major.minor.patch`, optionally with `-pre` and `+build`");
    check("package a:b@01.0.0;", "error 1:13: invalid version `01.0.0`: invalid leading zero in major version number help: versions are semver: `major.minor.patch`, optionally with `-pre` and `+build`");
    check(
        "package a:b@;",
        "error 1:13: expected a version, found `;` help: versions are semver, e.g. `1.0.0`",
    );
    check("package a:b", "error 1:12: expected `{`, found end of file");
    check(
        "package a:b;\ninterface i {}\npackage c:d;",
        "error 3:12: expected `{`, found `;` help: `package a:b;` is only allowed once, before any item; declare further packages as `package a:b { … }`",
    );
    check(
        "package a:b { interface i {}",
        "error 1:29: expected `}`, found end of file",
    );
    check("package a:b { type t = u8; }", "error 1:15: expected `interface`, `world`, `use` or `}`, found keyword `type` help: types and functions must be inside an `interface` or `world`");
    check(
        "@since(version = 1.0.0) package a:b {}",
        "error 1:25: cannot place attributes on nested packages",
    );
    check(
        "@since(version = 1.0.0) package a:b;",
        "error 1:25: cannot place attributes on nested packages",
    );
    check(
        "package a:b {\n  package c:d {\n    package e:f {}\n  }\n  package g:h {}\n}",
        "error 2:11: nested packages must be placed at the top-level help: `package a:b { … }` blocks cannot contain other packages",
    );
    // A syntax error anywhere wins over the nesting error.
    check(
        "package a:b { package c:d {} }\ninterface {",
        "error 2:11: expected an identifier, found `{`",
    );
}

#[test]
fn nesting_limits() {
    let deep = |n: usize| {
        format!(
            "interface i {{ type t = {}u8{}; }}",
            "list<".repeat(n),
            ">".repeat(n)
        )
    };
    assert!(render(&deep(99)).starts_with("interface i"));
    check(
        &deep(100),
        "error 1:524: type nesting too deep help: types may nest at most 100 deep",
    );
    check(
        &deep(101),
        "error 1:524: type nesting too deep help: types may nest at most 100 deep",
    );
    assert!(render(&deep(100_000)).starts_with("error 1:524: type nesting too deep"));
    let tuple = format!(
        "interface i {{ type t = {}u8{}; }}",
        "tuple<".repeat(5000),
        ">".repeat(5000)
    );
    assert!(render(&tuple).contains("type nesting too deep"));

    let pkgs = |n: usize| format!("{}{}", "package a:b {\n".repeat(n), "}\n".repeat(n));
    assert!(render(&pkgs(100))
        .starts_with("error 2:9: nested packages must be placed at the top-level"));
    check(
        &pkgs(101),
        "error 101:1: package nesting too deep help: `package` blocks may nest at most 100 deep",
    );
    assert!(render(&pkgs(100_000)).starts_with("error 101:1: package nesting too deep"));

    let comments = format!("{}{}", "/*".repeat(50_000), "*/".repeat(50_000));
    check(
        &format!("{comments} world w {{}}"),
        &format!("docs[{comments:?}] world w {{ }}"),
    );
    assert!(render(&"/*".repeat(50_000)).starts_with("error 1:1: unterminated block comment"));
}

#[test]
fn long_lines_and_odd_input() {
    let long = format!("interface i {{ type t{} = u8; }}", "-a".repeat(200_000));
    assert!(render(&long).starts_with("interface i { type t-a-a"));
    let long_err = format!("interface i {{ type t = u8; {} }}", "x".repeat(300_000));
    assert!(render(&long_err).starts_with("error 1:"));
    // Every prefix and a sample of single-byte edits of a real file: errors, never panics.
    let text = "package a:b@1.0.0;\n/// d\ninterface i {\n  use x:y/z@1.0.0-rc.{t as u};\n  record r { a: list<u8, 4>, b: result<_, t> }\n  resource r2 { constructor(); m: static async func(a: borrow<r2>) -> future<u8>; p: get() -> u8; }\n}\nworld w { @since(version = 1.0.0) import f: func(); include a with { b as c } export n: i; }\n";
    for (i, _) in text.char_indices() {
        let _ = render(&text[..i]);
        for replacement in ["", "%", "\"", "/*", "<", "{", "}", "é", "\r", ">", "@"] {
            let edited = format!("{}{replacement}{}", &text[..i], &text[i + 1..]);
            let _ = render(&edited);
        }
    }
}

#[test]
fn spans() {
    let text = "package a:b@1.0.0;\ninterface %i {\n  type t = list<u8>;\n  f: async func(x: u8) -> u8;\n}\nworld w { import n: a:b/c@2.0.0; include w2 with { a as b } }";
    let base = 1000;
    let file = parse_file(text, base).unwrap();
    let at = |s: Span| &text[(s.start - base) as usize..(s.end - base) as usize];
    let pkg = file.package.as_ref().unwrap();
    assert_eq!(at(pkg.span), "package a:b@1.0.0");
    assert_eq!(at(pkg.name.span), "a:b@1.0.0");
    assert_eq!(at(pkg.name.version.as_ref().unwrap().0), "1.0.0");
    let Item::Interface(i) = &file.items[0] else {
        panic!()
    };
    assert_eq!((i.name.name, at(i.name.span)), ("i", "%i"));
    let InterfaceItem::TypeDef(t) = &i.items[0] else {
        panic!()
    };
    assert_eq!(at(t.span), "type t = list<u8>;");
    assert_eq!(at(t.name.span), "t");
    let TypeBody::Alias(ty) = &t.body else {
        panic!()
    };
    assert_eq!(at(ty.span()), "list<u8>");
    let InterfaceItem::Func(f) = &i.items[1] else {
        panic!()
    };
    assert_eq!(at(f.func.span), "async func(x: u8) -> u8");
    assert_eq!(at(f.func.params[0].1.span()), "u8");
    let Item::World(w) = &file.items[1] else {
        panic!()
    };
    let WorldItem::Import(e) = &w.items[0] else {
        panic!()
    };
    assert_eq!(at(e.span), "import n: a:b/c@2.0.0;");
    let ExternKind::NamedPath { path, .. } = &e.kind else {
        panic!()
    };
    assert_eq!(at(path.span()), "a:b/c@2.0.0");
    let WorldItem::Include(inc) = &w.items[1] else {
        panic!()
    };
    assert_eq!(at(inc.span), "include w2 with { a as b }");

    let file = parse_file(
        "/// a\n// b\ninterface i { resource r { constructor(); } }",
        7,
    )
    .unwrap();
    let Item::Interface(i) = &file.items[0] else {
        panic!()
    };
    assert_eq!(i.docs.span, Span::new(7, 7 + 10));
    let InterfaceItem::TypeDef(t) = &i.items[0] else {
        panic!()
    };
    let TypeBody::Resource { funcs, .. } = &t.body else {
        panic!()
    };
    let ctor = funcs[0].named_func();
    assert_eq!(
        (ctor.name.name, ctor.name.span),
        ("constructor", Span::new(7 + 38, 7 + 49))
    );
    assert!(!file.trailing.span.is_known());

    let err = parse_file("world w {\n  import a\n}", 50).unwrap_err();
    assert_eq!(err.span(), Span::new(50 + 21, 50 + 22));
    assert_eq!(err.kind(), crate::ErrorKind::Parse);
    assert_eq!(
        parse_file("interface %", 0).unwrap_err().kind(),
        crate::ErrorKind::Lex
    );
}
