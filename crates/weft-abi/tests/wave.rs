//! WAVE text for weft's types and values: parse then print round-trips, errors are errors.

mod common;

use common::*;
use weft_abi::{parse_val, print_val, Resource, ResourceType, Type, Val};

#[track_caller]
fn round_trip(t: &Type, text: &str) -> Val {
    let v = parse_val(t, text).unwrap_or_else(|e| panic!("parsing {text:?} as {t}: {e}"));
    assert_eq!(print_val(&v), text, "printing {v:?}");
    assert!(same(
        &[parse_val(t, &print_val(&v)).unwrap()],
        std::slice::from_ref(&v)
    ));
    v
}

#[test]
fn typed_values_round_trip() {
    round_trip(&Type::Bool, "true");
    round_trip(&Type::S8, "-128");
    round_trip(&Type::U64, "18446744073709551615");
    round_trip(&Type::F32, "1.5");
    round_trip(&Type::F64, "-inf");
    round_trip(&Type::F64, "nan");
    round_trip(&Type::Char, "'😀'");
    round_trip(&Type::String, r#""héllo \"w\" \n""#);
    assert_eq!(
        round_trip(&list(Type::U8), "[1, 2, 3]"),
        Val::List(vec![Val::U8(1), Val::U8(2), Val::U8(3)])
    );
    round_trip(&list(Type::U8), "[]");
    round_trip(&fixed(Type::U16, 2), "[7, 8]");
    round_trip(&tuple(vec![Type::U8, Type::String]), r#"(1, "a")"#);
    let r = record(&[
        ("name", Type::String),
        ("age", option(Type::U32)),
        ("tags", flags_n(3)),
    ]);
    let v = round_trip(&r, r#"{name: "x", age: some(3), tags: {f0, f2}}"#);
    assert_eq!(
        v,
        Val::Record(vec![
            ("name".into(), s("x")),
            ("age".into(), some(Val::U32(3))),
            ("tags".into(), Val::Flags(vec!["f0".into(), "f2".into()])),
        ])
    );
    // An absent option field is `none`; printing leaves it out.
    let v = round_trip(&r, r#"{name: "y", tags: {}}"#);
    assert_eq!(
        v,
        Val::Record(vec![
            ("name".into(), s("y")),
            ("age".into(), Val::Option(None)),
            ("tags".into(), Val::Flags(vec![]))
        ])
    );
    let vt = variant(&[("a", Some(Type::U8)), ("b", None), ("ok", None)]);
    round_trip(&vt, "a(5)");
    round_trip(&vt, "b");
    round_trip(&vt, "%ok");
    round_trip(&enum_(&["red", "green"]), "green");
    round_trip(&option(option(Type::U8)), "some(none)");
    round_trip(&option(Type::U8), "none");
    round_trip(&result(Some(Type::U8), Some(Type::String)), r#"err("bad")"#);
    round_trip(&result(None, None), "ok");
    round_trip(&map(Type::String, list(Type::U8)), r#"{"a": [1], "b": []}"#);
}

#[test]
fn parsing_normalizes() {
    // Flags are kept in the type's order, whatever the text's.
    let v = parse_val(&flags_n(3), "{f2, f0}").unwrap();
    assert_eq!(v, Val::Flags(vec!["f0".into(), "f2".into()]));
    assert_eq!(print_val(&v), "{f0, f2}");
    // Record fields likewise.
    let r = record(&[("a", Type::U8), ("b", Type::U8)]);
    assert_eq!(
        print_val(&parse_val(&r, "{b: 2, a: 1}").unwrap()),
        "{a: 1, b: 2}"
    );
    // An option's payload may be written bare.
    assert_eq!(parse_val(&option(Type::U8), "5").unwrap(), some(Val::U8(5)));
}

#[test]
fn parse_errors_are_errors() {
    let many_brackets = "[".repeat(10_000);
    let bad: Vec<(Type, &str)> = vec![
        (Type::U8, "256"),
        (Type::U8, "-1"),
        (Type::U8, "\"x\""),
        (Type::String, "\"unterminated"),
        (Type::Char, "'ab'"),
        (list(Type::U8), "[1, 2"),
        (fixed(Type::U8, 3), "[1, 2]"),
        (tuple(vec![Type::U8, Type::U8]), "(1)"),
        (record(&[("a", Type::U8)]), "{b: 1}"),
        (record(&[("a", Type::U8)]), "{a: 1, b: 2}"),
        (record(&[("a", Type::U8)]), "{}"),
        (variant(&[("a", Some(Type::U8))]), "a"),
        (variant(&[("a", None)]), "a(1)"),
        (variant(&[("a", None)]), "zz"),
        (enum_(&["x"]), "y"),
        (flags_n(2), "{f9}"),
        (result(Some(Type::U8), None), "err(1)"),
        (Type::Own(ResourceType(0)), "0"),
        (list(Type::Borrow(ResourceType(0))), "[0]"),
        (Type::U32, "1 2"),
        (Type::U32, ""),
        (Type::String, &many_brackets),
    ];
    for (t, text) in bad {
        let err = parse_val(&t, text);
        assert!(err.is_err(), "{text:?} as {t} parsed: {err:?}");
        assert!(!err.unwrap_err().is_empty());
    }
    // No resource value is written, so this one parses.
    assert_eq!(
        parse_val(&list(Type::Borrow(ResourceType(0))), "[]"),
        Ok(Val::List(vec![]))
    );
    let deep = format!("{}1{}", "[".repeat(10_000), "]".repeat(10_000));
    let mut t = Type::U8;
    for _ in 0..100 {
        t = list(t);
    }
    assert!(parse_val(&t, &deep).is_err());
}

#[test]
fn resources_print_without_panicking() {
    let r = Resource {
        ty: ResourceType(2),
        rep: 9,
        own: true,
    };
    assert_eq!(print_val(&Val::Resource(r)), "own<resource-2>#9");
    let b = Val::Resource(Resource { own: false, ..r });
    assert_eq!(
        print_val(&Val::List(vec![Val::Resource(r), b.clone()])),
        "[own<resource-2>#9, borrow<resource-2>#9]"
    );
    assert_eq!(
        print_val(&Val::Record(vec![
            ("h".into(), some(b.clone())),
            ("n".into(), Val::U8(1))
        ])),
        "{h: some(borrow<resource-2>#9), n: 1}"
    );
    assert_eq!(
        print_val(&Val::Map(vec![(s("k"), b)])),
        r#"{"k": borrow<resource-2>#9}"#
    );
}
