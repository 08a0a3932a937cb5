use super::*;

fn world(wit: &str) -> (Resolve, WorldId) {
    let mut resolve = Resolve::new();
    let pkg = resolve.push_str("test.wit", wit).unwrap();
    let world = resolve.select_world(pkg, None).unwrap();
    (resolve, world)
}

fn new(wat: &str, wit: &str) -> Result<Vec<u8>> {
    let module = wat::parse_str(wat).unwrap();
    new_component(
        &module,
        NewOptions {
            world: Some(world(wit)),
            ..NewOptions::default()
        },
    )
}

fn printed(bytes: &[u8]) -> String {
    match crate::decode(bytes).unwrap() {
        crate::Decoded::Component { resolve, world } => {
            let pkg = resolve.worlds[world].package.unwrap();
            weft_wit::print::print_package(&resolve, pkg, &Default::default())
        }
        _ => panic!("not a component"),
    }
}

#[test]
fn strings_resources_and_interfaces() {
    let wit = r#"package t:t;
        interface host {
            resource file { read: func() -> list<u8>; }
            open: func(path: string) -> file;
            log: func(msg: string);
        }
        interface api {
            use host.{file};
            record point { x: u32, y: u32 }
            resource counter {
                constructor(start: u32);
                bump: func() -> u32;
            }
            greet: func(name: string) -> string;
            origin: func() -> point;
            take: func(f: file);
        }
        world w {
            import host;
            import tick: func();
            export api;
            export run: func(args: list<string>) -> u32;
        }"#;
    let wat = r#"(module
        (import "t:t/host" "open" (func (param i32 i32) (result i32)))
        (import "t:t/host" "log" (func (param i32 i32)))
        (import "t:t/host" "[resource-drop]file" (func (param i32)))
        (import "$root" "tick" (func))
        (import "[export]t:t/api" "[resource-new]counter" (func (param i32) (result i32)))
        (import "[export]t:t/api" "[resource-rep]counter" (func (param i32) (result i32)))
        (memory (export "memory") 1)
        (func (export "cabi_realloc") (param i32 i32 i32 i32) (result i32) unreachable)
        (func (export "t:t/api#[constructor]counter") (param i32) (result i32) unreachable)
        (func (export "t:t/api#[method]counter.bump") (param i32) (result i32) unreachable)
        (func (export "t:t/api#[dtor]counter") (param i32))
        (func (export "t:t/api#greet") (param i32 i32) (result i32) unreachable)
        (func (export "cabi_post_t:t/api#greet") (param i32))
        (func (export "t:t/api#origin") (result i32) unreachable)
        (func (export "t:t/api#take") (param i32))
        (func (export "run") (param i32 i32) (result i32) unreachable)
    )"#;
    let bytes = new(wat, wit).unwrap();
    let text = printed(&bytes);
    for needle in [
        "import t:t/host;",
        "import tick: func();",
        "export t:t/api;",
        "export run: func(args: list<string>) -> u32;",
    ] {
        assert!(text.contains(needle), "{needle} missing in\n{text}");
    }
}

#[test]
fn errors_speak_wit() {
    let wit = "package t:t; world w { export greet: func(name: string) -> string; import log: func(m: string); }";
    let e = new("(module (memory (export \"memory\") 1))", wit)
        .unwrap_err()
        .to_string();
    assert!(
        e.contains("`greet`") && e.contains("expected an export named `greet`"),
        "{e}"
    );
    let e = new(
        r#"(module (memory (export "memory") 1) (func (export "cabi_realloc") (param i32 i32 i32 i32) (result i32) unreachable)
            (func (export "greet") (param i32) (result i32) unreachable))"#,
        wit,
    )
    .unwrap_err()
    .to_string();
    assert!(
        e.contains(
            "expected (func (param i32 i32) (result i32)), found (func (param i32) (result i32))"
        ),
        "{e}"
    );
    let e = new(
        r#"(module (import "wasi:cli/stdout@0.2.0" "get-stdout" (func (result i32))))"#,
        "package t:t; world w {}",
    )
    .unwrap_err()
    .to_string();
    assert!(
        e.contains("has no import named `wasi:cli/stdout@0.2.0`"),
        "{e}"
    );
    assert!(e.contains("import wasi:cli/stdout"), "{e}");
    let e = new(
        r#"(module (func (export "greet") (param i32 i32) (result i32) unreachable))"#,
        wit,
    )
    .unwrap_err()
    .to_string();
    assert!(e.contains("does not export `memory`"), "{e}");
}

#[test]
fn invalid_function_bodies_are_rejected() {
    // Structurally valid, with a body that does not type-check: validated on the second
    // thread, and still an error of the whole call.
    let e = new("(module (func (result i32)))", "package t:t; world w {}")
        .unwrap_err()
        .to_string();
    assert!(
        e.starts_with("reading the input: invalid core module: type mismatch"),
        "{e}"
    );
}

/// With the built-in adapter and no world of its own, the input is validated on the second
/// thread after the adapter's world is read, while the component is built: its error is
/// still the call's, for a body that does not type-check and for a structural error alike.
#[test]
fn invalid_inputs_with_the_builtin_adapter_are_rejected() {
    let import = r#"(import "wasi_snapshot_preview1" "fd_write" (func (param i32 i32 i32 i32) (result i32)))"#;
    for (body, expected) in [
        ("(func (export \"_start\") (result i32))", "type mismatch"),
        ("(func (export \"_start\")) (start 9)", "unknown function 9"),
    ] {
        let wat = format!("(module {import} (memory (export \"memory\") 1) {body})");
        let module = wat::parse_str(&wat).unwrap();
        for source in [WorldSource::Wit, WorldSource::Bytes] {
            let e = new_component_with(&module, NewOptions::default(), source)
                .unwrap_err()
                .to_string();
            assert!(
                e.starts_with("reading the input: invalid core module: ") && e.contains(expected),
                "{wat}: {e}"
            );
        }
    }
}

#[test]
fn string_encoding_comes_from_the_embedded_world() {
    let wit = "package t:t; world w { export greet: func(name: string) -> string; }";
    let wat = r#"(module
        (memory (export "memory") 1)
        (func (export "cabi_realloc") (param i32 i32 i32 i32) (result i32) unreachable)
        (func (export "greet") (param i32 i32) (result i32) unreachable))"#;
    let (resolve, w) = world(wit);
    let module = wat::parse_str(wat).unwrap();
    for encoding in [
        StringEncoding::Utf8,
        StringEncoding::Utf16,
        StringEncoding::CompactUtf16,
    ] {
        let embedded = crate::embed(&module, &resolve, w, encoding).unwrap();
        let bytes = new_component(&embedded, NewOptions::default()).unwrap();
        let weft_binary::Binary::Component(c) = weft_binary::decode(&bytes).unwrap() else {
            panic!("not a component")
        };
        let lifts: Vec<_> = c
            .canons
            .iter()
            .filter_map(|c| match c {
                weft_binary::Canon::Lift { options, .. } => Some(options.string_encoding),
                _ => None,
            })
            .collect();
        assert_eq!(lifts, [encoding], "{encoding:?}");
        // `--string-encoding` overrides the section.
        let bytes = new_component(
            &embedded,
            NewOptions {
                string_encoding: Some(StringEncoding::Utf16),
                ..NewOptions::default()
            },
        )
        .unwrap();
        let weft_binary::Binary::Component(c) = weft_binary::decode(&bytes).unwrap() else {
            panic!("not a component")
        };
        assert!(c.canons.iter().all(|c| match c {
            weft_binary::Canon::Lift { options, .. } =>
                options.string_encoding == StringEncoding::Utf16,
            _ => true,
        }));
    }
}

/// The built-in adapters are garbage-collected before their world is read, keeping what
/// [`builtin_keep`] names without the world: that must be what binding the world keeps.
#[test]
fn builtin_keep_agrees_with_binding_the_adapters_world() {
    use wasi_preview1_component_adapter_provider as provider;
    for adapter in [
        provider::WASI_SNAPSHOT_PREVIEW1_COMMAND_ADAPTER,
        provider::WASI_SNAPSHOT_PREVIEW1_REACTOR_ADAPTER,
    ] {
        let Binary::Module(parsed) = weft_binary::decode_unvalidated(adapter).unwrap() else {
            panic!("the adapter is a core module");
        };
        let mut resolve = Resolve::new();
        let (world, _) = adapter_world(&mut resolve, PREVIEW1, adapter).unwrap();
        let special = |m: &str| m == "env" || m == "__main_module__";
        let bindings = bind::bind(&resolve, world, &parsed, &special).unwrap();
        // A main module importing every preview1 function, then one importing two.
        let preview1: Vec<&str> = parsed
            .exports
            .iter()
            .filter(|e| e.kind == CoreKind::Func && !e.name.contains('#'))
            .filter(|e| !e.name.starts_with("cabi_"))
            .map(|e| e.name.as_str())
            .collect();
        assert!(preview1.contains(&"fd_write"), "{preview1:?}");
        for imports in [&preview1[..], &["fd_write", "proc_exit"]] {
            let main = Module {
                imports: imports
                    .iter()
                    .map(|name| weft_binary::CoreImport {
                        module: PREVIEW1.to_string(),
                        name: name.to_string(),
                        kind: CoreKind::Func,
                        func_type: None,
                    })
                    .collect(),
                ..Module::default()
            };
            let mut from_rule: Vec<&str> = builtin_keep(&main, &parsed).into_iter().collect();
            let mut from_world: Vec<&str> = adapter_keep(&main, PREVIEW1, &bindings)
                .into_iter()
                .collect();
            from_rule.sort_unstable();
            from_world.sort_unstable();
            assert_eq!(from_rule, from_world);
            // The command adapter exports `wasi:cli/run`'s `run`.
            let command = std::ptr::eq(adapter, provider::WASI_SNAPSHOT_PREVIEW1_COMMAND_ADAPTER);
            assert_eq!(command, from_world.iter().any(|n| n.contains("#run")));
        }
    }
}

/// Each built-in adapter's WIT is its `component-type` section, printed (`UPDATE_EXPECT=1`
/// rewrites the files when the adapter changes), and `weft new` makes the same component
/// whether it reads the adapter's world from that WIT or from the section.
#[test]
fn builtin_adapter_worlds_are_current() {
    for adapter in [PREVIEW1_COMMAND, PREVIEW1_REACTOR] {
        let mut resolve = Resolve::new();
        let (world, encoding) = adapter_world(&mut resolve, PREVIEW1, adapter.bytes).unwrap();
        assert_eq!(encoding, StringEncoding::Utf8);
        assert_eq!(resolve.worlds[world].name, adapter.world);
        let pkg = resolve.worlds[world].package.unwrap();
        let wit = weft_wit::print::print_all(&resolve, pkg);
        let path = weft_test_util::repo_root()
            .join("crates")
            .join(adapter.file);
        weft_test_util::expect_file(&path, &wit).unwrap_or_else(|e| panic!("{e}"));
        if weft_test_util::bless() {
            // A file may have been rewritten, but this build embeds what it held before.
            continue;
        }
        assert!(
            adapter.wit == wit,
            "`{}` is not the file embedded",
            adapter.file
        );
        let mut parsed = Resolve::new();
        let (world, _) = builtin_world(&mut parsed, adapter).unwrap();
        assert_eq!(parsed.worlds[world].name, adapter.world);
    }
    if weft_test_util::bless() {
        return;
    }
    // A command and a reactor, importing a few preview1 functions or many.
    let few = r#"(import "wasi_snapshot_preview1" "fd_write" (func (param i32 i32 i32 i32) (result i32)))
        (import "wasi_snapshot_preview1" "proc_exit" (func (param i32)))"#;
    let many = r#"(import "wasi_snapshot_preview1" "fd_write" (func (param i32 i32 i32 i32) (result i32)))
        (import "wasi_snapshot_preview1" "fd_read" (func (param i32 i32 i32 i32) (result i32)))
        (import "wasi_snapshot_preview1" "path_open" (func (param i32 i32 i32 i32 i32 i64 i64 i32 i32) (result i32)))
        (import "wasi_snapshot_preview1" "clock_time_get" (func (param i32 i64 i32) (result i32)))
        (import "wasi_snapshot_preview1" "random_get" (func (param i32 i32) (result i32)))
        (import "wasi_snapshot_preview1" "sock_accept" (func (param i32 i32 i32) (result i32)))
        (import "wasi_snapshot_preview1" "environ_get" (func (param i32 i32) (result i32)))"#;
    for imports in [few, many] {
        for start in ["(func (export \"_start\"))", "(func (export \"work\"))"] {
            let wat = format!("(module {imports} (memory (export \"memory\") 1) {start})");
            let module = wat::parse_str(&wat).unwrap();
            let from_wit =
                new_component_with(&module, NewOptions::default(), WorldSource::Wit).unwrap();
            let from_bytes =
                new_component_with(&module, NewOptions::default(), WorldSource::Bytes).unwrap();
            assert!(from_wit == from_bytes, "different components for {wat}");
            assert!(
                printed(&from_wit).contains("wasi:"),
                "{}",
                printed(&from_wit)
            );
        }
    }
}
