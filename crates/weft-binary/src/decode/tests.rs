use super::*;

fn wat(text: &str) -> Vec<u8> {
    wat::parse_str(text).unwrap()
}

#[test]
fn kinds() {
    assert_eq!(kind(&wat("(module)")), Kind::Module);
    assert_eq!(kind(&wat("(component)")), Kind::Component);
    assert_eq!(kind(b"  ;; hi\n (module)"), Kind::Text);
    assert_eq!(kind(b"(; c ;)(component)"), Kind::Text);
    assert_eq!(kind(b"hello"), Kind::Unknown);
    assert_eq!(kind(b""), Kind::Unknown);
}

#[test]
fn core_module() {
    let bytes = wat(r#"(module
        (import "wasi_snapshot_preview1" "fd_write" (func (param i32 i32 i32 i32) (result i32)))
        (memory (export "memory") 1 2)
        (func (export "_start"))
        (@producers (language "C" "11") (processed-by "clang" "19.1"))
    )"#);
    let Binary::Module(m) = decode(&bytes).unwrap() else {
        panic!("not a module")
    };
    assert_eq!(m.imports.len(), 1);
    assert_eq!(m.imports[0].module, "wasi_snapshot_preview1");
    let ty = m.func_types[m.imports[0].func_type.unwrap() as usize]
        .as_ref()
        .unwrap();
    assert_eq!(
        ty.to_string(),
        "(func (param i32 i32 i32 i32) (result i32))"
    );
    assert_eq!(m.funcs.len(), 2);
    assert_eq!(m.memories[0].initial, 1);
    assert_eq!(m.memories[0].maximum, Some(2));
    let names: Vec<_> = m.exports.iter().map(|e| e.name.as_str()).collect();
    assert_eq!(names, ["memory", "_start"]);
    assert_eq!(m.producers.len(), 2);
    assert_eq!(m.producers[1].name, "clang");
    assert_eq!(m.range, 0..bytes.len());
}

#[test]
fn component_structure() {
    let bytes = wat(r#"(component
        (import "wasi:cli/stdout@0.2.0" (instance))
        (import "f" (func $f (param "x" string)))
        (core module $libc
            (memory (export "memory") 1)
            (func (export "realloc") (param i32 i32 i32 i32) (result i32) unreachable))
        (core instance $libc (instantiate $libc))
        (alias core export $libc "memory" (core memory $mem))
        (alias core export $libc "realloc" (core func $realloc))
        (core module $m
            (import "host" "f" (func (param i32 i32)))
            (func (export "run")))
        (core func $f-low (canon lower (func $f) string-encoding=utf16 (memory $mem) (realloc $realloc)))
        (core instance $host (export "f" (func $f-low)))
        (core instance $i (instantiate $m (with "host" (instance $host))))
        (type $r (resource (rep i32)))
        (core func $new (canon resource.new $r))
        (func $run (canon lift (core func $i "run")))
        (export "run" (func $run))
        (component $inner)
    )"#);
    let Binary::Component(c) = decode(&bytes).unwrap() else {
        panic!("not a component")
    };
    let imports: Vec<_> = c
        .imports
        .iter()
        .map(|i| (i.name.as_str(), i.kind))
        .collect();
    assert_eq!(
        imports,
        [
            ("wasi:cli/stdout@0.2.0", ComponentKind::Instance),
            ("f", ComponentKind::Func)
        ]
    );
    assert_eq!(c.exports[0].name, "run");
    assert_eq!(c.modules.len(), 2);
    assert_eq!(c.modules[0].exports.len(), 2);
    assert!(
        c.modules[1].range.start > c.modules[0].range.end && c.modules[1].range.end < bytes.len()
    );
    assert_eq!(c.components.len(), 1);
    assert_eq!(c.core_instances.len(), 3);
    assert_eq!(c.resources_defined, 1);
    let Canon::Lower { options, .. } = &c.canons[0] else {
        panic!("first canon is not a lower")
    };
    assert_eq!(options.string_encoding, StringEncoding::Utf16);
    assert_eq!(options.memory, Some(0));
    assert!(matches!(c.canons[1], Canon::ResourceNew(_)));
    assert_eq!(
        c.aliases,
        [
            Alias::CoreInstanceExport {
                kind: CoreKind::Memory,
                instance: 0,
                name: "memory".into()
            },
            Alias::CoreInstanceExport {
                kind: CoreKind::Func,
                instance: 0,
                name: "realloc".into()
            },
            Alias::CoreInstanceExport {
                kind: CoreKind::Func,
                instance: 2,
                name: "run".into()
            },
        ]
    );
    assert!(matches!(c.canons[2], Canon::Lift { .. }));
}

#[test]
fn builtin_names() {
    assert_eq!(builtin_name(&CanonicalFunction::TaskCancel), "task.cancel");
    assert_eq!(
        builtin_name(&CanonicalFunction::ThreadSpawnRef { func_ty_index: 0 }),
        "thread.spawn-ref"
    );
    assert_eq!(
        builtin_name(&CanonicalFunction::BackpressureInc),
        "backpressure.inc"
    );
}

#[test]
fn errors_name_the_problem() {
    let e = decode(b"hello world").unwrap_err();
    assert!(e.to_string().contains("not a WebAssembly binary"), "{e}");
    let e = decode(b"").unwrap_err();
    assert!(e.to_string().contains("empty"), "{e}");
    let e = decode(b"\0asm\x02\0\0\0").unwrap_err();
    assert!(e.to_string().contains("version 2"), "{e}");
    for short in [&b"\0as"[..], b"\0asm", b"\0asm\x0d\0"] {
        let e = decode(short).unwrap_err();
        assert!(
            e.to_string().contains("ends inside the 8-byte header"),
            "{e}"
        );
    }
    let e = decode(b"(module)").unwrap_err();
    assert!(e.to_string().contains("text"), "{e}");
    // Truncated: every prefix of a component fails cleanly, with an offset.
    let bytes = wat(r#"(component (core module (func (export "f"))) (import "x" (func)))"#);
    // Every prefix either is itself a valid component (cut between sections) or fails with
    // an offset; most fail.
    let mut failed = 0;
    for len in 9..bytes.len() {
        let Err(e) = decode(&bytes[..len]) else {
            assert!(wasmparser::Validator::new_with_features(features())
                .validate_all(&bytes[..len])
                .is_ok());
            continue;
        };
        failed += 1;
        assert!(
            e.to_string().starts_with("invalid component:")
                || e.to_string().contains("unexpected end"),
            "{e}"
        );
        assert!(e.offset().is_some(), "{e}");
    }
    assert!(
        failed > (bytes.len() - 9) / 2,
        "{failed} of {}",
        bytes.len()
    );
}

/// A module with more than [`crate::bodies::PARALLEL_BODY_BYTES`] of function bodies, so that they are
/// validated on several threads, where bodies `bad` (in order) do not validate: the error
/// reported is the first one's, as validating in order would report.
#[test]
fn parallel_body_validation_reports_the_first_invalid_body() {
    let nops = "nop ".repeat(28_000);
    let module = |bad: &[usize]| {
        let funcs: String = (0..40)
            .map(|i| match bad.contains(&i) {
                // `i32.add` on an empty stack; the message names the function index.
                true => format!("(func $f{i} {nops} i32.add drop)\n"),
                false => format!("(func $f{i} {nops})\n"),
            })
            .collect();
        wat(&format!("(module {funcs})"))
    };
    let valid = module(&[]);
    assert!(valid.len() > crate::bodies::PARALLEL_BODY_BYTES);
    validate(&valid, Validation::Full).unwrap();
    validate(&module(&[39]), Validation::Structure).unwrap();

    let error_of = |bad: &[usize]| validate(&module(bad), Validation::Full).unwrap_err();
    // Each alone gives its own error, at its own offset.
    let (e3, e30) = (error_of(&[3]), error_of(&[30]));
    assert!(e3.message().contains("type mismatch"), "{e3}");
    assert!(e3.offset().unwrap() < e30.offset().unwrap());
    for _ in 0..10 {
        let e = error_of(&[3, 30, 39]);
        assert_eq!(e.offset(), e3.offset(), "{e}");
    }
}
