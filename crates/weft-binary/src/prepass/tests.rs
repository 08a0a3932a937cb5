use super::*;
use crate::{component_types, decode_unvalidated, validate, Validation};

use weft_test_util::binary::{
    nested_components, nested_types, section, COMPONENT, WASMPARSER_PANICS_ON,
};

/// Every reader of a binary in weft-binary: full and structural validation, the types of a
/// component, and the model without validation.
fn every_reader(bytes: &[u8]) -> [(&'static str, Result<()>); 4] {
    [
        ("full", validate(bytes, Validation::Full)),
        ("structure", validate(bytes, Validation::Structure)),
        ("types", component_types(bytes, |_| Ok(())).map(drop)),
        ("model", decode_unvalidated(bytes).map(drop)),
    ]
}

#[test]
fn types_nest_as_deep_as_wasm_tools_allows() {
    for opening in [0x41, 0x42] {
        for (reader, result) in every_reader(&nested_types(MAX_TYPE_DEPTH, opening)) {
            result.unwrap_or_else(|e| panic!("{reader} {opening:#x}: {e}"));
        }
        // wasm-tools 1.262: `component type nesting is too deep (at offset 0x139)`, just
        // after the opening byte of the 101st type.
        for (reader, result) in every_reader(&nested_types(MAX_TYPE_DEPTH + 1, opening)) {
            let e = result.unwrap_err();
            assert_eq!(
                e.message(),
                "component type nesting is too deep",
                "{reader}: {e}"
            );
            assert_eq!(e.offset(), Some(0x139), "{reader}: {e}");
        }
    }
}

/// Deep enough that wasmparser 0.254's recursive reader overflows a test thread's stack, if
/// it ever saw the section.
#[test]
fn deep_types_are_rejected_without_recursion() {
    for opening in [0x41, 0x42] {
        let bytes = nested_types(10_000, opening);
        for (reader, result) in every_reader(&bytes) {
            let e = result.unwrap_err();
            assert!(e.message().contains("nesting is too deep"), "{reader}: {e}");
        }
    }
    // The same type inside a nested component, after a valid one; and mixed.
    let mut ty = vec![0x42, 0];
    for i in 1..10_000 {
        ty.splice(0..0, [[0x41, 0x42][i % 2], 1, 1]);
    }
    let types = section(7, &[&[1][..], &ty].concat());
    let inner = [COMPONENT, &types].concat();
    let outer = [
        &nested_types(3, 0x42)[..],
        &section(4, &nested_types(2, 0x41)),
        &section(4, &inner),
    ]
    .concat();
    for (reader, result) in every_reader(&outer) {
        let e = result.unwrap_err();
        assert!(e.message().contains("nesting is too deep"), "{reader}: {e}");
    }
}

/// What the walk reads of every kind of type, declaration and name is what wasmparser reads:
/// it ends each valid section exactly at its end.
#[test]
fn the_walk_reads_types_as_wasmparser_does() {
    let wasm = wat::parse_str(
        r#"(component
            (type $r (resource (rep i32)))
            (type $rec (record (field "a" u8) (field "b" string)))
            (type $var (variant (case "x") (case "y" u32) (case "z" $rec)))
            (type (enum "p" "q"))
            (type (flags "f" "g"))
            (type (tuple u8 $rec))
            (type (list $rec))
            (type (list u8 4))
            (type (option $rec))
            (type (result $rec (error string)))
            (type (result))
            (type (own $r))
            (type (borrow $r))
            (type (future $rec))
            (type (stream u8))
            (type (future))
            (type (func (param "a" u32) (param "b" $rec) (result string)))
            (type (func))
            (type (func async (param "a" u32)))
            (type $i (instance
                (type $t u32)
                (export "t" (type (eq $t)))
                (export "r" (type (sub resource)))
                (type $fn (func (param "x" $t) (result $t)))
                (export "f" (func (type $fn)))
                (core type (module
                    (type (func (param i32) (result i32)))
                    (import "m" "f" (func (type 0)))
                    (export "g" (func (type 0)))))
                (alias outer 1 1 (type))))
            (type (component
                (import "i" (instance (type $i)))
                (import "j" (func (param "a" u8)))
                (import "k" (value u32))
                (type $cc (component
                    (type (instance (type (instance (type (instance))))))
                    (import "v" (value string))))
                (export "c" (component (type $cc)))
                (core type $cm (module))
                (export "m" (core module (type $cm)))))
            (core type (module (type (func))))
            (component
                (type (component (type (instance (export "x" (func))))))
            )
        )"#,
    )
    .unwrap();
    let mut sections = 0;
    for payload in wasmparser::Parser::new(0).parse_all(&wasm) {
        if let wasmparser::Payload::ComponentTypeSection(s) = payload.unwrap() {
            let range = s.range();
            let mut r = BinaryReader::new(&wasm[range.clone()], range.start);
            walk(&mut r).unwrap();
            assert_eq!(r.original_position(), range.end, "section at {range:?}");
            sections += 1;
        }
    }
    assert_eq!(sections, 2);
    // Read in full, the component is valid, nesting 4 deep.
    for (reader, result) in every_reader(&wasm) {
        result.unwrap_or_else(|e| panic!("{reader}: {e}"));
    }
}

/// A section too small to nest too deep is not walked, however it is malformed; a large one
/// is walked up to what is malformed, and wasmparser reports it as before.
#[test]
fn malformed_sections_are_left_to_wasmparser() {
    let mut bad = nested_types(MAX_TYPE_DEPTH, 0x42);
    let at = bad.len() - 2;
    bad[at] = 0x99; // the innermost type's opening byte
    for (reader, result) in every_reader(&bad) {
        let e = result.unwrap_err();
        assert!(!e.message().contains("nesting"), "{reader}: {e}");
    }
    let start = bad.len() - (3 * (MAX_TYPE_DEPTH - 1) + 2) - 1;
    let mut r = BinaryReader::new(&bad[start..], start);
    assert!(matches!(walk(&mut r), Err(Stop::Malformed)));
}

#[test]
fn a_binary_holds_at_most_1000_modules_and_components() {
    // 1 component and 999 modules; then 1000 modules.
    for (modules, ok) in [(MAX_BINARIES - 1, true), (MAX_BINARIES, false)] {
        let wasm =
            wat::parse_str(format!("(component {})", "(core module)".repeat(modules))).unwrap();
        for (reader, result) in every_reader(&wasm) {
            match (result, ok) {
                (Ok(()), true) => {}
                (Err(e), false) => assert_eq!(
                    e.message(),
                    "modules and components count exceeds limit of 1000",
                    "{reader}"
                ),
                (result, _) => panic!("{reader}, {modules} modules: {result:?}"),
            }
        }
    }
    // Nested ones count: 1000 levels are fine, 1001 and 50,000 are not.
    for (reader, result) in every_reader(&nested_components(MAX_BINARIES, &[])) {
        result.unwrap_or_else(|e| panic!("{reader}: {e}"));
    }
    for count in [MAX_BINARIES + 1, 50_000] {
        let wasm = nested_components(count, &[]);
        for (reader, result) in every_reader(&wasm) {
            let e = result.unwrap_err();
            assert!(
                e.message().contains("exceeds limit of 1000"),
                "{reader}: {e}"
            );
        }
    }
}

/// A valid component (wasm-tools' tests/cli/component-model/import.wast, line 250) on which
/// wasmparser 0.254's validator fails an assertion: an error, not a panic, whose message names
/// wasmparser's, and nothing printed by the panic hook.
#[test]
fn a_panic_of_wasmparser_is_an_error() {
    let wasm = wat::parse_str(WASMPARSER_PANICS_ON).unwrap();
    for (reader, result) in every_reader(&wasm) {
        if reader == "model" {
            // Not validated: read as it is.
            result.unwrap();
            continue;
        }
        let e = result.unwrap_err();
        assert!(
            e.message()
                .starts_with("wasmparser 0.254 failed on this binary")
                && e.message().contains("prev.is_none()")
                && e.message().contains("component_types.rs"),
            "{reader}: {e}"
        );
        assert!(e.offset().is_some(), "{reader}: {e}");
    }
    // The validator is done after the panic.
    let mut validator = crate::Validator::new();
    let mut errors = 0;
    for payload in crate::payloads(&wasm, crate::Bodies::Skip) {
        errors += validator.payload(&payload.unwrap()).is_err() as usize;
    }
    assert!(errors > 1, "{errors}");
}

/// Every prefix of a component that ends inside a nested module or component, however its
/// sections line up, is an error for every reader; one that ends between two top-level
/// sections is a component (a valid one here).
#[test]
fn truncated_components_are_errors_for_every_reader() {
    let wasm = wat::parse_str(
        r#"(component
            (import "f" (func $f))
            (core module $m (func (export "f")) (memory (export "mem") 1))
            (component $c
                (core module (func (export "g")))
                (component (core module) (import "x" (func)))
                (import "y" (func))
                (type (instance (export "z" (func)))))
            (core instance (instantiate $m))
            (component (core module))
            (instance (instantiate $c (with "y" (func $f))))
        )"#,
    )
    .unwrap();
    // The ends of the top-level sections: the only places a prefix may end.
    let mut boundaries = Vec::new();
    let mut depth = 0;
    for payload in crate::payloads(&wasm, crate::Bodies::Each) {
        match payload.unwrap() {
            wasmparser::Payload::Version { .. } => depth += 1,
            wasmparser::Payload::End(_) => depth -= 1,
            wasmparser::Payload::ModuleSection {
                unchecked_range: r, ..
            }
            | wasmparser::Payload::ComponentSection {
                unchecked_range: r, ..
            } if depth == 1 => boundaries.push(r.end),
            p => {
                if let Some((_, r)) = p.as_section() {
                    if depth == 1 {
                        boundaries.push(r.end);
                    }
                }
            }
        }
    }
    let mut nested_cuts = 0;
    for len in 8..wasm.len() {
        let cut = &wasm[..len];
        let whole = boundaries.contains(&len) || len == 8;
        for (reader, result) in every_reader(cut) {
            match (result, whole) {
                (Ok(()), true) => {}
                (Err(e), false) => assert!(e.offset().is_some(), "{len} {reader}: {e}"),
                (result, _) => panic!("{len} bytes, {reader}: {result:?}"),
            }
        }
        // A cut that wasmparser 0.254 accepts, at the end of a nested binary's section.
        if !whole
            && wasmparser::Validator::new_with_features(crate::features())
                .validate_all(cut)
                .is_ok()
        {
            nested_cuts += 1;
        }
    }
    assert!(nested_cuts >= 4, "{nested_cuts}");
}
