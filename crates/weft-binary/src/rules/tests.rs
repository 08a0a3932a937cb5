use super::*;
use crate::{validate, Validation};

/// Validates a component written in WAT with weft's rules; the error's text on rejection.
fn check(text: &str) -> Result<(), String> {
    let bytes = wat::parse_str(text).unwrap();
    validate(&bytes, Validation::Full).map_err(|e| {
        assert!(e.offset().is_some(), "no offset: {e}");
        e.to_string()
    })
}

#[track_caller]
fn accepts(text: &str) {
    if let Err(e) = check(text) {
        panic!("rejected: {e}\n{text}");
    }
}

#[track_caller]
fn rejects(text: &str, message: &str) {
    match check(text) {
        Ok(()) => panic!("accepted; expected `{message}`\n{text}"),
        Err(e) => assert!(e.contains(message), "`{e}` does not contain `{message}`"),
    }
}

#[test]
fn keys() {
    assert_eq!(extern_key("foo-BAR").as_deref(), Some("foobar"));
    assert_eq!(
        extern_key("[constructor]Foo-bar").as_deref(),
        Some("[constructor]foobar")
    );
    assert_eq!(
        extern_key("[method]foo-bar.FO-ob-AR").as_deref(),
        Some("foobar")
    );
    assert_eq!(extern_key("[static]r.a-B").as_deref(), Some("r.ab"));
    assert_eq!(extern_key("[method]r.ab"), extern_key("[static]R.A-b"));
    assert_eq!(
        extern_key("wasi:http/Out-going@0.2.0-RC").as_deref(),
        Some("wasi:http/outgoing@0.2.0-RC")
    );
    assert_eq!(extern_key("url=<https://a-b>"), None);
}

#[test]
fn import_names_ignore_case_and_hyphens() {
    rejects(
        r#"(component (import "foo-bar" (func)) (import "foobar" (func)))"#,
        "import name `foobar` conflicts with previous name `foo-bar`",
    );
    rejects(
        r#"(component (import "foo-bar" (func)) (import "FOOB-ar" (func)))"#,
        "both are `foobar`",
    );
    accepts(r#"(component (import "foo-bar" (func)) (import "foo-baz" (func)))"#);
    // Imports and exports are separate scopes.
    accepts(r#"(component (import "foo-bar" (func $f)) (export "foobar" (func $f)))"#);
}

#[test]
fn export_names_ignore_case_and_hyphens() {
    rejects(
        r#"(component (import "f" (func $f)) (export "a-b" (func $f)) (export "AB" (func $f)))"#,
        "export name `AB` conflicts with previous name `a-b`",
    );
    accepts(
        r#"(component (import "f" (func $f)) (export "a-b" (func $f)) (export "a-c" (func $f)))"#,
    );
    // A synthesized instance's exports too.
    rejects(
        r#"(component (import "f" (func $f)) (instance (export "a-b" (func $f)) (export "ab" (func $f))))"#,
        "export name `ab` conflicts with previous name `a-b`",
    );
    accepts(
        r#"(component (import "f" (func $f)) (instance (export "a-b" (func $f)) (export "b" (func $f))))"#,
    );
}

#[test]
fn method_and_static_names_fold_to_their_resource() {
    rejects(
        r#"(component
            (import "foo-bar" (type (sub resource)))
            (import "[static]foo-bar.FO-ob-AR" (func)))"#,
        "import name `[static]foo-bar.FO-ob-AR` conflicts with previous name `foo-bar`",
    );
    rejects(
        r#"(component
            (import "foo-bar" (type $t (sub resource)))
            (import "[method]foo-bar.foobar" (func (param "self" (borrow $t)))))"#,
        "import name `[method]foo-bar.foobar` conflicts with previous name `foo-bar`",
    );
    accepts(
        r#"(component
            (import "foo-bar" (type $t (sub resource)))
            (import "[constructor]foo-bar" (func (result (own $t))))
            (import "[method]foo-bar.baz" (func (param "self" (borrow $t))))
            (import "[static]foo-bar.qux" (func)))"#,
    );
}

#[test]
fn interface_names() {
    rejects(
        r#"(component (import "a:b/c-d" (func)) (import "a:b/cd" (func)))"#,
        "conflicts with previous name `a:b/c-d`",
    );
    accepts(
        r#"(component
            (import "wasi:http/types@1.0.0" (func))
            (import "wasi:http/types@2.0.0" (func))
            (import "wasi:http/types" (func))
            (import "types" (func)))"#,
    );
    // Nested namespaces and projections (🪺) are not enabled.
    rejects(
        r#"(component (import "foo:bar:baz/qux" (func)))"#,
        "expected `/` after package name",
    );
    rejects(
        r#"(component (import "foo:bar/baz/qux" (func)))"#,
        "trailing characters found: `/qux`",
    );
    accepts(r#"(component (import "foo:bar/baz" (func)))"#);
}

#[test]
fn names_in_component_and_instance_types() {
    rejects(
        r#"(component (type (instance (export "foo-BAR-baz" (func)) (export "FOO-barbaz" (func)))))"#,
        "export name `FOO-barbaz` conflicts with previous name `foo-BAR-baz`",
    );
    rejects(
        r#"(component (type (component (import "a-b" (func)) (import "ab" (func)))))"#,
        "import name `ab` conflicts with previous name `a-b`",
    );
    // Declarations nested in declarations.
    rejects(
        r#"(component (type (component (import "i" (instance (export "a-b" (func)) (export "ab" (func)))))))"#,
        "export name `ab` conflicts",
    );
    accepts(
        r#"(component (type (component
            (import "a-b" (func))
            (export "ab" (func))
            (import "i" (instance (export "a-b" (func)) (export "a" (func)))))))"#,
    );
}

#[test]
fn nested_components_have_their_own_names() {
    accepts(
        r#"(component
            (import "foo-bar" (func))
            (component (import "foobar" (func))))"#,
    );
    rejects(
        r#"(component (component (import "foo-bar" (func)) (import "foobar" (func))))"#,
        "import name `foobar` conflicts",
    );
}

#[test]
fn labels_ignore_case_and_hyphens() {
    let cases = [
        (
            r#"(record (field "a-b" u8) (field "AB" u8))"#,
            r#"(record (field "a-b" u8) (field "a-c" u8))"#,
            "record field name `AB` conflicts with previous field name `a-b`",
        ),
        (
            r#"(variant (case "a-b") (case "ab"))"#,
            r#"(variant (case "a-b") (case "a"))"#,
            "variant case name `ab` conflicts with previous case name `a-b`",
        ),
        (
            r#"(flags "a-b" "ab")"#,
            r#"(flags "a-b" "b")"#,
            "flag name `ab` conflicts with previous flag name `a-b`",
        ),
        (
            r#"(enum "a-b" "ab")"#,
            r#"(enum "a-b" "b-a")"#,
            "enum tag name `ab` conflicts with previous tag name `a-b`",
        ),
        (
            r#"(func (param "a-b" u8) (param "ab" u8))"#,
            r#"(func (param "a-b" u8) (param "b" u8))"#,
            "function parameter name `ab` conflicts with previous parameter name `a-b`",
        ),
    ];
    for (bad, good, message) in cases {
        rejects(&format!("(component (type {bad}))"), message);
        accepts(&format!("(component (type {good}))"));
        // Inside an instance type too.
        rejects(
            &format!("(component (type (instance (type {bad}))))"),
            message,
        );
    }
}

#[test]
fn value_size_limit() {
    // The largest sizes allowed: 2^28 - 1 bytes, with 8-byte pointers.
    accepts(
        r#"(component
            (type (list u8 268435455))
            (type (list u64 33554431))
            (type (list string 16777215))
            (type (tuple (list u8 268435454) (list u8 1)))
            (type (record (field "a" (list u8 134217727)) (field "b" (list u8 134217728))))
            (type (list (list u8 134217727) 2))
            (type (option (list u8 268435454)))
            (type (list u8 268435455))
            (type (list 7)))"#,
    );
    rejects(
        r#"(component (type (list u8 268435456)))"#,
        "type 0 (`list<u8, 268435456>`) exceeds maximum byte size: a value of it takes 268435456 bytes",
    );
    for (bad, size) in [
        ("(list u64 33554432)", 1 << 28),
        ("(list u64 536870912)", 1u64 << 32),
        ("(list string 16777216)", 1 << 28),
        ("(tuple (list u8 268435455) (list u8 1))", 1 << 28),
        (
            r#"(record (field "a" (list u8 134217728)) (field "b" (list u8 134217728)))"#,
            1 << 28,
        ),
        ("(list (list u8 268435455) 2)", 2 * ((1 << 28) - 1)),
        // A one-byte discriminant padded to the payload's 8-byte alignment.
        ("(option (list u64 33554431))", 8 + (1 << 28) - 8),
        (
            r#"(variant (case "a" (list u32 67108863)) (case "b"))"#,
            4 + (1 << 28) - 4,
        ),
    ] {
        rejects(
            &format!("(component (type {bad}))"),
            &format!("exceeds maximum byte size: a value of it takes {size} bytes"),
        );
    }
}

#[test]
fn value_size_inside_types() {
    // A type declared in an instance type and used by its export.
    rejects(
        r#"(component (type (instance
            (type (list u8 268435456))
            (export "f" (func (param "x" 0))))))"#,
        "`list<u8, 268435456>` (in type 0) exceeds maximum byte size",
    );
    // Types of a nested component.
    rejects(
        r#"(component (component (type (record (field "a" (list u8 268435456))))))"#,
        "exceeds maximum byte size",
    );
    accepts(
        r#"(component (type (instance
            (type (list u8 268435455))
            (export "f" (func (param "x" 0))))))"#,
    );
}

#[test]
fn core_modules_are_not_checked() {
    // Core names are wasmparser's business: `a-b` and `ab` are different core exports.
    accepts(
        r#"(component (core module
            (func (export "a-b"))
            (func (export "ab"))))"#,
    );
}
