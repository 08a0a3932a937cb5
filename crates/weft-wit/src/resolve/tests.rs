//! Resolver semantics checked on the `Resolve` itself.

use crate::{Resolve, Type, TypeDefKind, WorldItem, WorldKey};

fn resolve(text: &str) -> Resolve {
    let mut r = Resolve::new();
    if let Err(e) = r.push_str("test.wit", text) {
        panic!("{}", r.render_error(&e));
    }
    r
}

fn error(text: &str) -> String {
    let mut r = Resolve::new();
    match r.push_str("test.wit", text) {
        Ok(_) => panic!("expected an error"),
        Err(e) => r.render_error(&e),
    }
}

fn import_names(r: &Resolve, world: &str) -> Vec<String> {
    let (_, w) = r.worlds.iter().find(|(_, w)| w.name == world).unwrap();
    w.imports
        .keys()
        .map(|k| match k {
            WorldKey::Name(n) => n.clone(),
            WorldKey::Interface(i) => r.id_of(*i).unwrap(),
        })
        .collect()
}

#[test]
fn bare_resource_in_value_position_is_own() {
    let r = resolve(
        "package a:b;\ninterface i { resource r; f: func(x: r, y: list<r>, z: own<r>) -> r; }",
    );
    let (_, i) = r.interfaces.iter().next().unwrap();
    let f = &i.functions["f"];
    let own = match f.params[0].ty {
        Type::Id(id) => id,
        _ => panic!(),
    };
    assert!(matches!(
        r.types[own].kind,
        TypeDefKind::Handle(crate::Handle::Own(_))
    ));
    assert_eq!(
        f.params[2].ty, f.params[0].ty,
        "own<r> and a bare r are one type"
    );
    assert_eq!(f.result, Some(f.params[0].ty));
}

#[test]
fn exported_interface_imports_its_dependencies() {
    let r = resolve(
        "package a:b;\ninterface types { type t = u32; }\ninterface api { use types.{t}; f: func() -> t; }\nworld w { export api; }",
    );
    assert_eq!(import_names(&r, "w"), ["a:b/types"]);
}

#[test]
fn world_use_imports_the_interface_first() {
    let r = resolve("package a:b;\ninterface types { type t = u32; }\nworld w { use types.{t}; import f: func(x: t); }");
    assert_eq!(import_names(&r, "w"), ["a:b/types", "t", "f"]);
}

#[test]
fn include_with_rename() {
    let r = resolve(
        "package a:b;\nworld base { import f: func(); export g: func(); }\nworld top { include base with { f as h } }",
    );
    assert_eq!(import_names(&r, "top"), ["h"]);
    let (_, w) = r.worlds.iter().find(|(_, w)| w.name == "top").unwrap();
    match &w.imports[&WorldKey::Name("h".into())] {
        WorldItem::Function(f) => assert_eq!(f.name, "h"),
        _ => panic!(),
    }
}

#[test]
fn unknown_type_suggests_a_fix() {
    let e = error("package a:b;\ninterface i { f: func(x: u23); }");
    assert!(e.contains("type `u23` does not exist"), "{e}");
    assert!(e.contains("test.wit:2:26"), "{e}");
    assert!(e.contains("did you mean `u32`?"), "{e}");
}

#[test]
fn type_cycle_is_rejected() {
    let e = error("package a:b;\ninterface i { type a = b; type b = list<a>; }");
    assert!(e.contains("depends on itself"), "{e}");
}

#[test]
fn borrow_in_result_is_rejected() {
    let e = error("package a:b;\ninterface i { resource r; f: func() -> borrow<r>; }");
    assert!(e.contains("contains a `borrow<T>`"), "{e}");
}

#[test]
fn import_and_export_conflict() {
    let e = error(
        "package a:b;\ninterface a { type t = u32; }\ninterface b { use a.{t}; }\ninterface c { use a.{t}; use b.{t as t2}; }\nworld w { export a; export c; }",
    );
    assert!(
        e.contains("transitively depends on an interface in incompatible ways"),
        "{e}"
    );
}

#[test]
fn package_cycle_names_the_package() {
    let e = error(
        "package a:x { interface i { use a:y/j.{t}; type u = t; } }\npackage a:y { interface j { use a:x/i.{u}; type t = u; } }",
    );
    assert!(e.contains("creates a dependency cycle"), "{e}");
}

#[test]
fn unstable_items_follow_features() {
    let text = "package a:b;\ninterface i { @unstable(feature = x) f: func(); g: func(); }";
    let r = resolve(text);
    assert_eq!(r.interfaces.iter().next().unwrap().1.functions.len(), 1);
    let mut r = Resolve::new();
    r.features.insert("x".into());
    r.push_str("t.wit", text).unwrap();
    assert_eq!(r.interfaces.iter().next().unwrap().1.functions.len(), 2);
}

#[test]
fn duplicate_names_in_long_lists() {
    let mut fields: Vec<String> = (0..40).map(|i| format!("x{i}: u8")).collect();
    fields.push("X-3: u8".to_string());
    let e = error(&format!(
        "package a:b;\ninterface i {{ record r {{ {} }} }}",
        fields.join(", ")
    ));
    assert!(
        e.contains("field `X-3` conflicts with previous field `x3`"),
        "{e}"
    );
}

#[test]
fn select_world_by_qualified_name() {
    let mut r = Resolve::new();
    r.push_str(
        "dep.wit",
        "package a:dep@1.2.0;\nworld w { import f: func(); }",
    )
    .unwrap();
    let main = r
        .push_str("main.wit", "package a:main;\nworld m {}")
        .unwrap();
    for name in ["a:dep/w@1.2.0", "a:dep@1.2.0/w", "a:dep/w"] {
        let id = r
            .select_world(main, Some(name))
            .unwrap_or_else(|e| panic!("{name}: {e}"));
        assert_eq!(r.worlds[id].name, "w");
    }
    assert!(r.select_world(main, Some("a:dep/w@9.0.0")).is_err());
    r.push_str("dep2.wit", "package a:dep@2.0.0;\nworld w {}")
        .unwrap();
    let e = r.select_world(main, Some("a:dep/w")).unwrap_err();
    assert!(e.to_string().contains("ambiguous"), "{e}");
}

/// A long chain of aliases is followed without recursion (a stack overflow before), and adds
/// no depth: only types that hold others nest.
#[test]
fn long_alias_chains_resolve() {
    let mut text =
        String::from("package a:b;\ninterface i {\n  resource r;\n  type t0 = borrow<r>;\n");
    for k in 1..=100_000 {
        text.push_str(&format!("  type t{k} = t{};\n", k - 1));
    }
    text.push_str("  f: func(x: t100000);\n  type deep = list<list<t100000>>;\n}\n");
    // Run on a small stack, as a thread with the default would.
    let r = std::thread::Builder::new()
        .stack_size(256 * 1024)
        .spawn(move || resolve(&text).types.len())
        .unwrap()
        .join()
        .expect("resolving a long alias chain overflowed the stack");
    assert!(r > 100_000);
}

/// The limits validators put on a type are checked through named types.
#[test]
fn type_depth_and_size_count_named_types() {
    let chain = |n: usize| {
        let mut text = String::from("package a:b;\ninterface i {\n  type t0 = u32;\n");
        for k in 1..=n {
            text.push_str(&format!("  type t{k} = list<t{}>;\n", k - 1));
        }
        text + "}\n"
    };
    // `t96` is 97 deep; the interface's instance type and the two component types a package
    // wraps it in make 100 (wasm-tools 1.262 encodes it, and refuses one level more).
    resolve(&chain(96));
    let e = error(&chain(97));
    assert!(
        e.contains("interface `i` nests 101 types deep written out"),
        "{e}"
    );
    // A type deeper than 100 by itself is named at its definition.
    let deeper = chain(100);
    let e = error(&deeper);
    assert!(
        e.contains("type `t100` nests 101 types deep, and the component model allows 100"),
        "{e}"
    );
    let mut text = String::from("package a:b;\ninterface i {\n  record r0 { a: u32, b: u32 }\n");
    for k in 1..=16 {
        text.push_str(&format!(
            "  record r{k} {{ a: r{}, b: r{} }}\n",
            k - 1,
            k - 1
        ));
    }
    text.push_str("}\n");
    // Each record is below the limit, and so is the interface, every type counted in full.
    resolve(&text);
    // `r17` is too (524,287), but the interface's instance type, which counts every type it
    // exports, is not.
    let r17 = format!(
        "{}  record r17 {{ a: r16, b: r16 }}\n}}\n",
        text.strip_suffix("}\n").unwrap()
    );
    let e = error(&r17);
    assert!(
        e.contains(
            "interface `i` is too large: written out, its types and functions hold 1048555 types"
        ),
        "{e}"
    );
    // A function's type counts its parameters in full too.
    let func = format!(
        "{}  f: func(a: r16, b: r16, c: r16, d: r16, e: r16, f: r16, g: r16, h: r16);\n}}\n",
        text.strip_suffix("}\n").unwrap()
    );
    let e = error(&func);
    assert!(e.contains("interface `i` is too large"), "{e}");
    let larger = format!(
        "{}  record r17 {{ a: r16, b: r16 }}\n  record r18 {{ a: r17, b: r17 }}\n}}\n",
        text.strip_suffix("}\n").unwrap()
    );
    let e = error(&larger);
    assert!(
        e.contains("type `r18` is too large: written out, it holds 1048575 types"),
        "{e}"
    );
}

/// Files parsed on two threads give the syntax trees, in order, and the error one thread
/// gives: the first file's that has one, even when the second thread finds another first.
#[test]
fn parsing_on_two_threads_is_parsing_on_one() {
    use super::parse_files;
    use std::sync::Arc;
    let file = |i: usize, broken: bool| {
        let mut text = format!("interface i{i} {{\n");
        for t in 0..40 + i * 7 {
            text.push_str(&format!(
                "  /// Docs of r{t}.\n  record r{t} {{ a: u32, b: list<string> }}\n"
            ));
        }
        if broken {
            text.push_str("  record oops {\n");
        }
        text.push_str("}\n");
        text
    };
    let texts = |broken: &[usize]| -> Vec<(usize, u32, Arc<String>)> {
        let mut offset = 0;
        (0..9)
            .map(|i| {
                let text = Arc::new(file(i, broken.contains(&i)));
                let entry = (i.min(1), offset, Arc::clone(&text));
                offset += text.len() as u32 + 1;
                entry
            })
            .collect()
    };
    let good = texts(&[]);
    let one = parse_files(&good, usize::MAX).unwrap();
    let two = parse_files(&good, 0).unwrap();
    assert_eq!(format!("{one:?}"), format!("{two:?}"));
    assert_eq!(
        two.iter().map(|(g, _)| *g).collect::<Vec<_>>(),
        [0, 1, 1, 1, 1, 1, 1, 1, 1]
    );
    for broken in [&[1, 7][..], &[7], &[0, 8], &[4, 5]] {
        let texts = texts(broken);
        let one = parse_files(&texts, usize::MAX).unwrap_err();
        let two = parse_files(&texts, 0).unwrap_err();
        assert_eq!(
            format!("{one:?}"),
            format!("{two:?}"),
            "broken files {broken:?}"
        );
        let offset = texts[broken[0]].1 as usize;
        let len = texts[broken[0]].2.len();
        let at = one.span().start as usize;
        assert!(
            (offset..=offset + len).contains(&at),
            "{at} not in file {}",
            broken[0]
        );
    }
}

/// `Resolve::before_parse` hears the size of the text about to be parsed, once per load.
#[test]
fn before_parse_hears_the_text_size() {
    use std::sync::atomic::{AtomicUsize, Ordering};
    static SIZE: AtomicUsize = AtomicUsize::new(0);
    static CALLS: AtomicUsize = AtomicUsize::new(0);
    fn hook(bytes: usize) {
        SIZE.store(bytes, Ordering::SeqCst);
        CALLS.fetch_add(1, Ordering::SeqCst);
    }
    let text = "package a:b;\ninterface i { f: func(); }\n";
    let mut r = Resolve::new();
    r.before_parse = Some(hook);
    r.push_str("a.wit", text).unwrap();
    assert_eq!(SIZE.load(Ordering::SeqCst), text.len());
    assert_eq!(CALLS.load(Ordering::SeqCst), 1);
}
