//! Components written in WAT, instantiated and called through the public API.

use std::sync::Arc;

use weft_runtime::{Component, Engine, ErrorKind, Linker, Store, Val};

fn component(engine: &Engine, wat: &str) -> Component {
    Component::new(engine, &wat::parse_str(wat).expect("valid WAT")).expect("translates")
}

/// A core module with a bump allocator and `memory`, shared by the tests below.
const LIBC: &str = r#"
    (core module $libc
        (memory (export "memory") 1)
        (global $next (mut i32) (i32.const 1024))
        (func (export "realloc") (param $old i32) (param $old_size i32) (param $align i32) (param $new_size i32) (result i32)
            (local $ptr i32)
            ;; Align the bump pointer, hand it out, and copy what was there.
            (local.set $ptr (i32.and
                (i32.add (global.get $next) (i32.sub (local.get $align) (i32.const 1)))
                (i32.sub (i32.const 0) (local.get $align))))
            (global.set $next (i32.add (local.get $ptr) (local.get $new_size)))
            (if (local.get $old) (then (memory.copy (local.get $ptr) (local.get $old) (local.get $old_size))))
            (local.get $ptr)))
    (core instance $libc (instantiate $libc))
"#;

#[test]
fn numbers_in_and_out() {
    let engine = Engine::new().unwrap();
    let c = component(
        &engine,
        r#"(component
            (core module $m
                (func (export "add") (param i32 i32) (result i32) local.get 0 local.get 1 i32.add)
                (func (export "neg") (param f64) (result f64) local.get 0 f64.neg)
                (func (export "wide") (param i64 i32) (result i64) local.get 0 local.get 1 i64.extend_i32_s i64.add))
            (core instance $i (instantiate $m))
            (func (export "add") (param "a" u32) (param "b" u32) (result u32) (canon lift (core func $i "add")))
            (func (export "neg") (param "x" f64) (result f64) (canon lift (core func $i "neg")))
            (func (export "wide") (param "a" s64) (param "b" s8) (result s64) (canon lift (core func $i "wide"))))"#,
    );
    let mut store = Store::new(&engine, ());
    let instance = Linker::new().instantiate(&mut store, &c).unwrap();
    let add = instance.func(&store, "add").unwrap();
    assert_eq!(
        add.call(&mut store, &[Val::U32(u32::MAX), Val::U32(2)])
            .unwrap(),
        Some(Val::U32(1))
    );
    let neg = instance.func(&store, "neg").unwrap();
    assert_eq!(
        neg.call(&mut store, &[Val::F64(2.5)]).unwrap(),
        Some(Val::F64(-2.5))
    );
    let wide = instance.func(&store, "wide").unwrap();
    assert_eq!(
        wide.call(&mut store, &[Val::S64(1 << 40), Val::S8(-1)])
            .unwrap(),
        Some(Val::S64((1 << 40) - 1))
    );
    // Wrong arguments are rejected before the guest runs.
    let err = add.call(&mut store, &[Val::U32(1)]).unwrap_err();
    assert_eq!(err.kind(), &ErrorKind::Arguments);
    let err = add
        .call(&mut store, &[Val::U32(1), Val::String("x".into())])
        .unwrap_err();
    assert!(err.to_string().contains("argument `b`"), "{err}");
}

#[test]
fn strings_with_realloc_and_post_return() {
    let engine = Engine::new().unwrap();
    let wat = format!(
        r#"(component
            {LIBC}
            (core module $m
                (import "libc" "memory" (memory 1))
                (import "libc" "realloc" (func $realloc (param i32 i32 i32 i32) (result i32)))
                (global $posts (mut i32) (i32.const 0))
                ;; greet(name) = "Hello, " + name: builds the string at 2048 and returns (ptr, len) at 4000.
                (data (i32.const 3000) "Hello, ")
                (func (export "greet") (param $ptr i32) (param $len i32) (result i32)
                    (memory.copy (i32.const 2048) (i32.const 3000) (i32.const 7))
                    (memory.copy (i32.const 2055) (local.get $ptr) (local.get $len))
                    (i32.store (i32.const 4000) (i32.const 2048))
                    (i32.store (i32.const 4004) (i32.add (local.get $len) (i32.const 7)))
                    (i32.const 4000))
                (func (export "post") (param i32) (global.set $posts (i32.add (global.get $posts) (i32.const 1))))
                (func (export "posts") (result i32) global.get $posts))
            (core instance $i (instantiate $m (with "libc" (instance $libc))))
            (func (export "greet") (param "name" string) (result string)
                (canon lift (core func $i "greet") (memory (core memory $libc "memory")) (realloc (core func $libc "realloc"))
                    (post-return (core func $i "post"))))
            (func (export "posts") (result u32) (canon lift (core func $i "posts"))))"#
    );
    let c = component(&engine, &wat);
    let mut store = Store::new(&engine, ());
    let instance = Linker::new().instantiate(&mut store, &c).unwrap();
    let greet = instance.func(&store, "greet").unwrap();
    for name in ["Ada", "", "Grüße, 世界 🦀"] {
        assert_eq!(
            greet.call(&mut store, &[Val::String(name.into())]).unwrap(),
            Some(Val::String(format!("Hello, {name}")))
        );
    }
    let posts = instance.func(&store, "posts").unwrap();
    assert_eq!(posts.call(&mut store, &[]).unwrap(), Some(Val::U32(3)));
}

#[test]
fn host_functions_and_instance_imports() {
    let engine = Engine::new().unwrap();
    let wat = format!(
        r#"(component
            (import "double" (func $double (param "x" u32) (result u32)))
            (import "test:host/log@1.0.0" (instance $log
                (export "log" (func (param "msg" string)))))
            (alias export $log "log" (func $logf))
            {LIBC}
            (core func $double (canon lower (func $double)))
            (core func $log (canon lower (func $logf) (memory (core memory $libc "memory"))))
            (core module $m
                (import "host" "double" (func $double (param i32) (result i32)))
                (import "host" "log" (func $log (param i32 i32)))
                (import "libc" "memory" (memory 1))
                (data (i32.const 100) "quadrupling")
                (func (export "quad") (param i32) (result i32)
                    (call $log (i32.const 100) (i32.const 11))
                    (call $double (call $double (local.get 0)))))
            (core instance $i (instantiate $m
                (with "host" (instance (export "double" (func $double)) (export "log" (func $log))))
                (with "libc" (instance $libc))))
            (func (export "quad") (param "x" u32) (result u32) (canon lift (core func $i "quad"))))"#
    );
    let c = component(&engine, &wat);
    let names: Vec<String> = c.imports().into_iter().map(|(n, _)| n).collect();
    assert_eq!(names, ["double", "test:host/log@1.0.0#log"]);

    // Nothing provided: one error naming both imports.
    let mut store = Store::new(&engine, Vec::<String>::new());
    let err = Linker::new().instantiate(&mut store, &c).unwrap_err();
    match err.kind() {
        ErrorKind::MissingImports(missing) => {
            assert_eq!(missing.len(), 2, "{missing:?}");
            assert!(
                missing[0].starts_with("double: func(x: u32) -> u32"),
                "{missing:?}"
            );
        }
        other => panic!("expected missing imports, got {other:?}"),
    }

    let mut linker = Linker::new();
    linker.func(
        "double",
        Arc::new(|_: &mut Vec<String>, args: &[Val]| match args {
            [Val::U32(x)] => Ok(Some(Val::U32(x * 2))),
            _ => Err("bad arguments".into()),
        }),
    );
    linker.instance_func(
        "test:host/log@1.0.0",
        "log",
        Arc::new(|log: &mut Vec<String>, args: &[Val]| {
            if let [Val::String(s)] = args {
                log.push(s.clone());
            }
            Ok(None)
        }),
    );
    let instance = linker.instantiate(&mut store, &c).unwrap();
    let quad = instance.func(&store, "quad").unwrap();
    assert_eq!(
        quad.call(&mut store, &[Val::U32(5)]).unwrap(),
        Some(Val::U32(20))
    );
    assert_eq!(store.data(), &["quadrupling".to_string()]);

    // A host function's error is a trap of the guest that called it.
    let mut linker = Linker::new();
    linker.stub_missing(true);
    let instance = linker.instantiate(&mut store, &c).unwrap();
    let quad = instance.func(&store, "quad").unwrap();
    let err = quad.call(&mut store, &[Val::U32(5)]).unwrap_err();
    assert!(matches!(err.kind(), ErrorKind::Trap { .. }), "{err:?}");
    assert!(err.to_string().contains("stubbed"), "{err}");
}

#[test]
fn traps_name_the_export_and_carry_a_backtrace() {
    let engine = Engine::new().unwrap();
    let c = component(
        &engine,
        r#"(component
            (core module $m (func $inner unreachable) (func (export "boom") call $inner))
            (core instance $i (instantiate $m))
            (func (export "boom") (canon lift (core func $i "boom"))))"#,
    );
    let mut store = Store::new(&engine, ());
    let instance = Linker::new().instantiate(&mut store, &c).unwrap();
    let err = instance
        .func(&store, "boom")
        .unwrap()
        .call(&mut store, &[])
        .unwrap_err();
    match err.kind() {
        ErrorKind::Trap { export, backtrace } => {
            assert_eq!(export.as_deref(), Some("boom"));
            assert!(
                backtrace.as_deref().unwrap_or("").contains("inner"),
                "{backtrace:?}"
            );
        }
        other => panic!("expected a trap, got {other:?}"),
    }
    assert!(err.to_string().contains("unreachable"), "{err}");
}

#[test]
fn nested_components_and_instance_exports() {
    let engine = Engine::new().unwrap();
    let wat = r#"(component
            (component $inner
                (import "base" (func $base (result u32)))
                (core func $base (canon lower (func $base)))
                (core module $m
                    (import "" "base" (func $base (result i32)))
                    (func (export "next") (result i32) (i32.add (call $base) (i32.const 1))))
                (core instance $i (instantiate $m (with "" (instance (export "base" (func $base))))))
                (func $next (result u32) (canon lift (core func $i "next")))
                (instance $api (export "next" (func $next)))
                (export "api" (instance $api)))
            (core module $b (func (export "base") (result i32) i32.const 41))
            (core instance $b (instantiate $b))
            (func $base (result u32) (canon lift (core func $b "base")))
            (instance $x (instantiate $inner (with "base" (func $base))))
            (alias export $x "api" (instance $api))
            (export "test:nested/api@0.1.0" (instance $api)))"#;
    let c = component(&engine, wat);
    assert_eq!(
        c.exports().into_iter().map(|(n, _)| n).collect::<Vec<_>>(),
        ["test:nested/api@0.1.0#next"]
    );
    assert_eq!(
        c.resolve_export("next").unwrap(),
        "test:nested/api@0.1.0#next"
    );
    assert_eq!(
        c.resolve_export("test:nested/api.next@0.1.0").unwrap(),
        "test:nested/api@0.1.0#next"
    );
    assert!(c
        .resolve_export("nope")
        .unwrap_err()
        .to_string()
        .contains("test:nested/api@0.1.0#next: func() -> u32"));
    let mut store = Store::new(&engine, ());
    let instance = Linker::new().instantiate(&mut store, &c).unwrap();
    let next = instance.func(&store, "test:nested/api@0.1.0#next").unwrap();
    assert_eq!(next.call(&mut store, &[]).unwrap(), Some(Val::U32(42)));
}

#[test]
fn strings_between_component_instances() {
    // One component lifts `shout(string) -> string` in UTF-16; another lowers it in UTF-8.
    let engine = Engine::new().unwrap();
    let wat = format!(
        r#"(component
            (component $upper
                {LIBC}
                (core module $m
                    (import "libc" "memory" (memory 1))
                    ;; UTF-16 in, ASCII letters upper-cased in place, same pointer and length out.
                    (func (export "shout") (param $ptr i32) (param $len i32) (result i32)
                        (local $i i32) (local $c i32)
                        (block $done (loop $next
                            (br_if $done (i32.ge_u (local.get $i) (local.get $len)))
                            (local.set $c (i32.load16_u (i32.add (local.get $ptr) (i32.shl (local.get $i) (i32.const 1)))))
                            (if (i32.and (i32.ge_u (local.get $c) (i32.const 97)) (i32.le_u (local.get $c) (i32.const 122)))
                                (then (i32.store16 (i32.add (local.get $ptr) (i32.shl (local.get $i) (i32.const 1)))
                                    (i32.sub (local.get $c) (i32.const 32)))))
                            (local.set $i (i32.add (local.get $i) (i32.const 1)))
                            (br $next)))
                        (i32.store (i32.const 8) (local.get $ptr))
                        (i32.store (i32.const 12) (local.get $len))
                        (i32.const 8)))
                (core instance $i (instantiate $m (with "libc" (instance $libc))))
                (func (export "shout") (param "s" string) (result string)
                    (canon lift (core func $i "shout") string-encoding=utf16
                        (memory (core memory $libc "memory")) (realloc (core func $libc "realloc")))))
            (component $user
                (import "shout" (func $shout (param "s" string) (result string)))
                {LIBC}
                (core func $shout (canon lower (func $shout) (memory (core memory $libc "memory")) (realloc (core func $libc "realloc"))))
                (core module $m
                    (import "" "shout" (func $shout (param i32 i32 i32)))
                    (import "libc" "memory" (memory 1))
                    (data (i32.const 100) "hi, wörld")
                    ;; Returns the shouted string's length in bytes.
                    (func (export "run") (result i32)
                        (call $shout (i32.const 100) (i32.const 10) (i32.const 200))
                        (i32.load (i32.const 204))))
                (core instance $i (instantiate $m
                    (with "" (instance (export "shout" (func $shout))))
                    (with "libc" (instance $libc))))
                (func (export "run") (result u32) (canon lift (core func $i "run"))))
            (instance $u (instantiate $upper))
            (instance $r (instantiate $user (with "shout" (func $u "shout"))))
            (export "run" (func $r "run")))"#
    );
    let c = component(&engine, &wat);
    let mut store = Store::new(&engine, ());
    let instance = Linker::new().instantiate(&mut store, &c).unwrap();
    let run = instance.func(&store, "run").unwrap();
    // "HI, WöRLD" is 10 bytes of UTF-8 again.
    assert_eq!(run.call(&mut store, &[]).unwrap(), Some(Val::U32(10)));
}

#[test]
fn resources_defined_by_the_component() {
    let engine = Engine::new().unwrap();
    let c = component(
        &engine,
        r#"(component
            (core module $dtor
                (global $dropped (export "dropped") (mut i32) (i32.const 0))
                (func (export "dtor") (param i32) (global.set $dropped (local.get 0))))
            (core instance $d (instantiate $dtor))
            (type $counter (resource (rep i32) (dtor (core func $d "dtor"))))
            (core func $new (canon resource.new $counter))
            (core func $rep (canon resource.rep $counter))
            (core func $drop (canon resource.drop $counter))
            (core module $m
                (import "" "new" (func $new (param i32) (result i32)))
                (import "" "rep" (func $rep (param i32) (result i32)))
                (import "" "drop" (func $drop (param i32)))
                (import "" "dropped" (global $dropped (mut i32)))
                (func (export "make") (param i32) (result i32) (call $new (local.get 0)))
                (func (export "get") (param i32) (result i32) (local.get 0))
                (func (export "roundtrip") (param i32) (result i32)
                    (local $h i32)
                    (local.set $h (call $new (local.get 0)))
                    (local.set $h (call $rep (local.get $h)))
                    (local.get $h))
                (func (export "new-and-drop") (param i32) (result i32)
                    (call $drop (call $new (local.get 0)))
                    (global.get $dropped)))
            (core instance $i (instantiate $m (with "" (instance
                (export "new" (func $new)) (export "rep" (func $rep)) (export "drop" (func $drop))
                (export "dropped" (global $d "dropped"))))))
            (export $c "counter" (type $counter))
            (func (export "make") (param "v" u32) (result (own $c)) (canon lift (core func $i "make")))
            (func (export "get") (param "c" (borrow $c)) (result u32) (canon lift (core func $i "get")))
            (func (export "roundtrip") (param "v" u32) (result u32) (canon lift (core func $i "roundtrip")))
            (func (export "new-and-drop") (param "v" u32) (result u32) (canon lift (core func $i "new-and-drop"))))"#,
    );
    let mut store = Store::new(&engine, ());
    let instance = Linker::new().instantiate(&mut store, &c).unwrap();
    let roundtrip = instance.func(&store, "roundtrip").unwrap();
    assert_eq!(
        roundtrip.call(&mut store, &[Val::U32(7)]).unwrap(),
        Some(Val::U32(7))
    );
    let drop = instance.func(&store, "new-and-drop").unwrap();
    // The destructor ran with the representation.
    assert_eq!(
        drop.call(&mut store, &[Val::U32(99)]).unwrap(),
        Some(Val::U32(99))
    );
    // An owned handle leaves the component as a resource value, and a borrow of it goes back.
    let make = instance.func(&store, "make").unwrap();
    let Some(Val::Resource(r)) = make.call(&mut store, &[Val::U32(5)]).unwrap() else {
        panic!("expected a resource");
    };
    assert!(r.own);
    assert_eq!(r.rep, 5);
    let get = instance.func(&store, "get").unwrap();
    let borrowed = weft_runtime::Resource { own: false, ..r };
    assert_eq!(
        get.call(&mut store, &[Val::Resource(borrowed)]).unwrap(),
        Some(Val::U32(5))
    );
}

#[test]
fn typed_host_functions_and_typed_calls() {
    let engine = Engine::new().unwrap();
    let wat = format!(
        r#"(component
            (import "double" (func $double (param "x" u32) (result u32)))
            (import "test:host/log@1.0.0" (instance $log
                (export "log" (func (param "msg" string)))))
            (alias export $log "log" (func $logf))
            {LIBC}
            (core func $double (canon lower (func $double)))
            (core func $log (canon lower (func $logf) (memory (core memory $libc "memory"))))
            (core module $m
                (import "host" "double" (func $double (param i32) (result i32)))
                (import "host" "log" (func $log (param i32 i32)))
                (import "libc" "memory" (memory 1))
                (data (i32.const 100) "quadrupling")
                (func (export "quad") (param i32) (result i32)
                    (call $log (i32.const 100) (i32.const 11))
                    (call $double (call $double (local.get 0)))))
            (core instance $i (instantiate $m
                (with "host" (instance (export "double" (func $double)) (export "log" (func $log))))
                (with "libc" (instance $libc))))
            (func (export "quad") (param "x" u32) (result u32) (canon lift (core func $i "quad"))))"#
    );
    let c = component(&engine, &wat);
    let mut linker = Linker::new();
    linker.func_wrap("double", |_: &mut Vec<String>, (x,): (u32,)| Ok(x * 2));
    linker.instance_func_wrap(
        "test:host/log@1.0.0",
        "log",
        |log: &mut Vec<String>, (msg,): (String,)| {
            log.push(msg);
            Ok(())
        },
    );
    let mut store = Store::new(&engine, Vec::new());
    let instance = linker.instantiate(&mut store, &c).unwrap();
    let quad = instance.func(&store, "quad").unwrap();
    let typed = quad.typed::<(u32,), u32>().unwrap();
    assert_eq!(typed.call(&mut store, (5,)).unwrap(), 20);
    assert_eq!(store.data(), &["quadrupling".to_string()]);
    // The wrong Rust types for the export are refused before any call.
    let err = quad.typed::<(String,), u32>().err().unwrap();
    assert!(
        err.to_string().contains("expected string, found u32"),
        "{err}"
    );

    // A host function of the wrong type is refused at instantiation, naming the import.
    let mut linker = Linker::new();
    linker.func_wrap("double", |_: &mut Vec<String>, (x,): (String,)| {
        Ok(x.len() as u32)
    });
    linker.instance_func_wrap(
        "test:host/log@1.0.0",
        "log",
        |_: &mut Vec<String>, (_,): (String,)| Ok(()),
    );
    let err = linker.instantiate(&mut store, &c).unwrap_err();
    match err.kind() {
        ErrorKind::MistypedImports(list) => {
            assert_eq!(list.len(), 1, "{list:?}");
            assert!(
                list[0].starts_with("double: func(x: u32) -> u32"),
                "{list:?}"
            );
            assert!(list[0].contains("expected string, found u32"), "{list:?}");
        }
        other => panic!("expected mistyped imports, got {other:?}"),
    }
}

#[test]
fn host_resources() {
    let engine = Engine::new().unwrap();
    let c = component(
        &engine,
        r#"(component
            (import "test:host/files" (instance $files
                (export "file" (type $file (sub resource)))
                (export "open" (func (param "name" string) (result (own $file))))
                (export "[method]file.size" (func (param "self" (borrow $file)) (result u32)))))
            (alias export $files "file" (type $file))
            (alias export $files "open" (func $open))
            (alias export $files "[method]file.size" (func $size))
            (core module $libc (memory (export "memory") 1))
            (core instance $libc (instantiate $libc))
            (core func $open (canon lower (func $open) (memory (core memory $libc "memory"))))
            (core func $size (canon lower (func $size)))
            (core func $drop (canon resource.drop $file))
            (core module $m
                (import "libc" "memory" (memory 1))
                (import "" "open" (func $open (param i32 i32) (result i32)))
                (import "" "size" (func $size (param i32) (result i32)))
                (import "" "drop" (func $drop (param i32)))
                (data (i32.const 100) "hello.txt")
                (func (export "run") (result i32)
                    (local $h i32) (local $n i32)
                    (local.set $h (call $open (i32.const 100) (i32.const 9)))
                    (local.set $n (call $size (local.get $h)))
                    (call $drop (local.get $h))
                    (local.get $n)))
            (core instance $i (instantiate $m
                (with "libc" (instance $libc))
                (with "" (instance (export "open" (func $open)) (export "size" (func $size))
                    (export "drop" (func $drop))))))
            (func (export "run") (result u32) (canon lift (core func $i "run"))))"#,
    );
    #[derive(Default)]
    struct Files {
        open: Vec<String>,
        dropped: Vec<u32>,
    }
    let mut linker = Linker::<Files>::new();
    let file = linker.resource(
        "test:host/files",
        "file",
        Some(Arc::new(|files: &mut Files, rep| files.dropped.push(rep))),
    );
    linker.instance_func_wrap(
        "test:host/files",
        "open",
        move |files: &mut Files, (name,): (String,)| {
            files.open.push(name);
            Ok(weft_runtime::Resource {
                ty: file,
                rep: files.open.len() as u32 + 100,
                own: true,
            })
        },
    );
    linker.instance_func_wrap(
        "test:host/files",
        "[method]file.size",
        |files: &mut Files, (this,): (weft_runtime::Resource,)| {
            assert!(!this.own);
            let name = files
                .open
                .get((this.rep - 101) as usize)
                .ok_or("unknown file")?;
            Ok(name.len() as u32)
        },
    );
    let mut store = Store::new(&engine, Files::default());
    let instance = linker.instantiate(&mut store, &c).unwrap();
    let run = instance
        .func(&store, "run")
        .unwrap()
        .typed::<(), u32>()
        .unwrap();
    assert_eq!(run.call(&mut store, ()).unwrap(), 9);
    assert_eq!(store.data().open, ["hello.txt"]);
    // The guest dropped its own handle: the host's destructor ran with the representation.
    assert_eq!(store.data().dropped, [101]);

    // Without the resource type, instantiation names it.
    let err = Linker::<Files>::new()
        .instantiate(&mut store, &c)
        .unwrap_err();
    assert!(
        err.to_string()
            .contains("test:host/files#file: resource type"),
        "{err}"
    );
}

/// A future that is pending once, as one waiting for I/O would be.
struct YieldOnce(bool);

impl std::future::Future for YieldOnce {
    type Output = ();
    fn poll(
        mut self: std::pin::Pin<&mut Self>,
        cx: &mut std::task::Context<'_>,
    ) -> std::task::Poll<()> {
        if self.0 {
            std::task::Poll::Ready(())
        } else {
            self.0 = true;
            cx.waker().wake_by_ref();
            std::task::Poll::Pending
        }
    }
}

#[test]
fn async_host_functions_suspend_the_guest() {
    let engine = Engine::new().unwrap();
    let c = component(
        &engine,
        r#"(component
            (import "fetch" (func $fetch (param "n" u32) (result u32)))
            (core func $fetch (canon lower (func $fetch)))
            (core module $m
                (import "" "fetch" (func $fetch (param i32) (result i32)))
                (func (export "sum") (param i32) (result i32)
                    (local $i i32) (local $acc i32)
                    (block $done (loop $next
                        (br_if $done (i32.ge_u (local.get $i) (local.get 0)))
                        (local.set $acc (i32.add (local.get $acc) (call $fetch (local.get $i))))
                        (local.set $i (i32.add (local.get $i) (i32.const 1)))
                        (br $next)))
                    (local.get $acc)))
            (core instance $i (instantiate $m (with "" (instance (export "fetch" (func $fetch))))))
            (func (export "sum") (param "n" u32) (result u32) (canon lift (core func $i "sum"))))"#,
    );
    let mut linker = Linker::<u32>::new();
    linker.func_async(
        "",
        "fetch",
        Arc::new(|suspensions: &mut u32, args: Vec<Val>| {
            Box::pin(async move {
                YieldOnce(false).await;
                *suspensions += 1;
                match args.as_slice() {
                    [Val::U32(n)] => Ok(Some(Val::U32(n * 10))),
                    _ => Err("bad arguments".into()),
                }
            })
        }),
    );
    let mut store = Store::new(&engine, 0);
    let instance = futures::executor::block_on(linker.instantiate_async(&mut store, &c)).unwrap();
    let sum = instance.func(&store, "sum").unwrap();
    let result = futures::executor::block_on(sum.call_async(&mut store, &[Val::U32(4)])).unwrap();
    assert_eq!(result, Some(Val::U32(60)));
    assert_eq!(*store.data(), 4);
    // The synchronous API drives the same calls to completion.
    assert_eq!(
        sum.call(&mut store, &[Val::U32(3)]).unwrap(),
        Some(Val::U32(30))
    );
    assert_eq!(*store.data(), 7);
}

#[test]
fn imports_link_to_semver_compatible_versions() {
    let engine = Engine::new().unwrap();
    let c = component(
        &engine,
        r#"(component
            (import "test:host/clock@0.2.3" (instance $clock
                (export "now" (func (result u64)))))
            (alias export $clock "now" (func $now))
            (core func $now (canon lower (func $now)))
            (core module $m
                (import "" "now" (func $now (result i64)))
                (func (export "now") (result i64) (call $now)))
            (core instance $i (instantiate $m (with "" (instance (export "now" (func $now))))))
            (func (export "now") (result u64) (canon lift (core func $i "now"))))"#,
    );
    let link = |versions: &[&str]| {
        let mut linker = Linker::<()>::new();
        for v in versions {
            let stamp: u64 = v.rsplit('.').next().unwrap().parse().unwrap();
            linker.instance_func_wrap(
                &format!("test:host/clock@{v}"),
                "now",
                move |_: &mut (), (): ()| Ok(stamp),
            );
        }
        let mut store = Store::new(&engine, ());
        let instance = linker.instantiate(&mut store, &c)?;
        let now = instance.func(&store, "now").unwrap().typed::<(), u64>()?;
        now.call(&mut store, ())
    };
    // Without an exact match, the newest 0.2.x the host has serves an import of 0.2.3.
    assert_eq!(link(&["0.2.1", "0.2.12", "0.2.4"]).unwrap(), 12);
    // An exact match wins.
    assert_eq!(link(&["0.2.12", "0.2.3"]).unwrap(), 3);
    // Another minor version of a 0.x interface is another interface.
    let err = link(&["0.3.0"]).unwrap_err();
    assert!(matches!(err.kind(), ErrorKind::MissingImports(_)), "{err}");
}

#[test]
fn typed_host_functions_lift_byte_lists_directly() {
    let engine = Engine::new().unwrap();
    let wat = format!(
        r#"(component
            (import "sum" (func $sum (param "bytes" (list u8)) (param "tag" string) (param "n" u64) (result u64)))
            {LIBC}
            (core func $sum (canon lower (func $sum) (memory (core memory $libc "memory"))))
            (core module $m
                (import "host" "sum" (func $sum (param i32 i32 i32 i32 i64) (result i64)))
                (import "libc" "memory" (memory 1))
                (data (i32.const 100) "\01\02\03\fftag")
                (func (export "ok") (result i64)
                    (call $sum (i32.const 100) (i32.const 4) (i32.const 104) (i32.const 3) (i64.const 1000)))
                (func (export "out-of-bounds") (result i64)
                    (call $sum (i32.const 65530) (i32.const 7) (i32.const 104) (i32.const 3) (i64.const 0))))
            (core instance $i (instantiate $m
                (with "host" (instance (export "sum" (func $sum))))
                (with "libc" (instance $libc))))
            (func (export "ok") (result u64) (canon lift (core func $i "ok")))
            (func (export "out-of-bounds") (result u64) (canon lift (core func $i "out-of-bounds"))))"#
    );
    let c = component(&engine, &wat);
    let mut linker = Linker::new();
    linker.func_wrap(
        "sum",
        |seen: &mut Vec<String>, (bytes, tag, n): (Vec<u8>, String, u64)| {
            seen.push(format!("{bytes:?} {tag}"));
            Ok(n + bytes.iter().map(|&b| u64::from(b)).sum::<u64>())
        },
    );
    let mut store = Store::new(&engine, Vec::new());
    let instance = linker.instantiate(&mut store, &c).unwrap();
    let ok = instance.func(&store, "ok").unwrap();
    assert_eq!(
        ok.call(&mut store, &[]).unwrap(),
        Some(Val::U64(1000 + 6 + 255))
    );
    assert_eq!(store.data(), &["[1, 2, 3, 255] tag".to_string()]);
    // A list past the end of memory is a trap, and the host function is not called.
    let oob = instance.func(&store, "out-of-bounds").unwrap();
    let err = oob.call(&mut store, &[]).unwrap_err();
    assert!(err.to_string().contains("out of bounds"), "{err}");
    assert_eq!(store.data().len(), 1);
}

/// Typed host functions lower their results on the typed path (lists and strings with the
/// guest's `realloc`, spilled results at the out-pointer, handles); the guest's memory after
/// calling them, `realloc`'s bump pointer included, is byte for byte what the same functions
/// over `Val`s (the general path) leave.
#[test]
fn typed_results_lower_as_the_general_path_does() {
    let engine = Engine::new().unwrap();
    let wat = format!(
        r#"(component
            (import "h" (instance $h
                (export "bytes" (func (param "n" u32) (result (result (list u8) (error string)))))
                (export "names" (func (result (list string))))
                (export "pair" (func (result (tuple u64 u32))))
                (export "maybe" (func (param "n" u32) (result (option string))))
                (export "count" (func (result u32)))))
            {LIBC}
            (alias core export $libc "memory" (core memory $mem))
            (alias core export $libc "realloc" (core func $realloc))
            (core func $bytes (canon lower (func $h "bytes") (memory $mem) (realloc $realloc)))
            (core func $names (canon lower (func $h "names") (memory $mem) (realloc $realloc)))
            (core func $pair (canon lower (func $h "pair") (memory $mem)))
            (core func $maybe (canon lower (func $h "maybe") (memory $mem) (realloc $realloc)))
            (core func $count (canon lower (func $h "count")))
            (core module $m
                (import "h" "bytes" (func $bytes (param i32 i32)))
                (import "h" "names" (func $names (param i32)))
                (import "h" "pair" (func $pair (param i32)))
                (import "h" "maybe" (func $maybe (param i32 i32)))
                (import "h" "count" (func $count (result i32)))
                (import "libc" "memory" (memory 1))
                (func (export "run") (result i64)
                    (local $h i64) (local $i i32)
                    (call $bytes (i32.const 5) (i32.const 0))
                    (call $bytes (i32.const 500) (i32.const 16))
                    (call $names (i32.const 32))
                    (call $pair (i32.const 48))
                    (call $maybe (i32.const 1) (i32.const 64))
                    (call $maybe (i32.const 0) (i32.const 80))
                    (i32.store (i32.const 96) (call $count))
                    ;; FNV-1a over the first 2 KiB: everything written, and the blocks.
                    (local.set $h (i64.const 0xcbf29ce484222325))
                    (loop $l
                        (local.set $h (i64.mul
                            (i64.xor (local.get $h) (i64.load8_u (local.get $i)))
                            (i64.const 0x100000001b3)))
                        (local.set $i (i32.add (local.get $i) (i32.const 1)))
                        (br_if $l (i32.lt_u (local.get $i) (i32.const 2048))))
                    (local.get $h)))
            (core instance $i (instantiate $m
                (with "h" (instance
                    (export "bytes" (func $bytes)) (export "names" (func $names))
                    (export "pair" (func $pair)) (export "maybe" (func $maybe))
                    (export "count" (func $count))))
                (with "libc" (instance $libc))))
            (func (export "run") (result u64) (canon lift (core func $i "run"))))"#
    );
    let c = component(&engine, &wat);

    let mut typed: Linker<()> = Linker::new();
    typed
        .instance_func_wrap("h", "bytes", |_: &mut (), (n,): (u32,)| {
            Ok(if n < 100 {
                Ok((0..n as u8).collect::<Vec<u8>>())
            } else {
                Err(format!("{n} is too many"))
            })
        })
        .instance_func_wrap("h", "names", |_: &mut (), (): ()| {
            Ok(vec!["a".to_string(), "héllo".to_string(), String::new()])
        })
        .instance_func_wrap("h", "pair", |_: &mut (), (): ()| Ok((u64::MAX - 1, 7u32)))
        .instance_func_wrap("h", "maybe", |_: &mut (), (n,): (u32,)| {
            Ok((n == 1).then(|| "some".to_string()))
        })
        .instance_func_wrap("h", "count", |_: &mut (), (): ()| Ok(42u32));

    let mut general: Linker<()> = Linker::new();
    let list = |items: Vec<Val>| Val::List(items);
    general
        .instance_func(
            "h",
            "bytes",
            Arc::new(move |_, args| {
                let Val::U32(n) = args[0] else { unreachable!() };
                Ok(Some(Val::Result(if n < 100 {
                    Ok(Some(Box::new(list((0..n as u8).map(Val::U8).collect()))))
                } else {
                    Err(Some(Box::new(Val::String(format!("{n} is too many")))))
                })))
            }),
        )
        .instance_func(
            "h",
            "names",
            Arc::new(|_, _| {
                Ok(Some(Val::List(vec![
                    Val::String("a".into()),
                    Val::String("héllo".into()),
                    Val::String(String::new()),
                ])))
            }),
        )
        .instance_func(
            "h",
            "pair",
            Arc::new(|_, _| Ok(Some(Val::Tuple(vec![Val::U64(u64::MAX - 1), Val::U32(7)])))),
        )
        .instance_func(
            "h",
            "maybe",
            Arc::new(|_, args| {
                let Val::U32(n) = args[0] else { unreachable!() };
                Ok(Some(Val::Option(
                    (n == 1).then(|| Box::new(Val::String("some".into()))),
                )))
            }),
        )
        .instance_func("h", "count", Arc::new(|_, _| Ok(Some(Val::U32(42)))));

    let mut hashes = Vec::new();
    for linker in [&typed, &general] {
        let mut store = Store::new(&engine, ());
        let instance = linker.instantiate(&mut store, &c).unwrap();
        let run = instance.func(&store, "run").unwrap();
        hashes.push(run.call(&mut store, &[]).unwrap());
    }
    assert_eq!(hashes[0], hashes[1]);
    assert!(matches!(hashes[0], Some(Val::U64(_))), "{hashes:?}");
}

/// Compiled modules go to the cache directory once and are loaded from it after; a file that
/// does not load (corrupt, or from another wasmtime) is compiled again and replaced.
#[test]
fn compiled_modules_are_cached_on_disk() {
    let dir = std::env::temp_dir().join(format!("weft-module-cache-{}", std::process::id()));
    let _ = std::fs::remove_dir_all(&dir);
    let options = weft_runtime::EngineOptions {
        cache_dir: Some(dir.clone()),
        ..Default::default()
    };
    let wat = r#"(component
        (core module $m (func (export "add") (param i32 i32) (result i32)
            local.get 0 local.get 1 i32.add))
        (core instance $i (instantiate $m))
        (func (export "add") (param "a" u32) (param "b" u32) (result u32)
            (canon lift (core func $i "add"))))"#;
    let bytes = wat::parse_str(wat).unwrap();
    let add = |engine: &Engine| {
        let c = Component::new(engine, &bytes).unwrap();
        let mut store = Store::new(engine, ());
        let instance = Linker::new().instantiate(&mut store, &c).unwrap();
        let f = instance.func(&store, "add").unwrap();
        f.call(&mut store, &[Val::U32(2), Val::U32(3)]).unwrap()
    };
    let files = || -> Vec<std::path::PathBuf> {
        std::fs::read_dir(dir.join("modules"))
            .unwrap()
            .map(|e| e.unwrap().path())
            .collect()
    };

    assert_eq!(
        add(&Engine::with_options(&options).unwrap()),
        Some(Val::U32(5))
    );
    let cached = files();
    assert_eq!(cached.len(), 1, "{cached:?}");
    let written = std::fs::metadata(&cached[0]).unwrap().modified().unwrap();

    // Another engine with the same settings loads it, and does not write it again.
    assert_eq!(
        add(&Engine::with_options(&options).unwrap()),
        Some(Val::U32(5))
    );
    assert_eq!(files(), cached);
    assert_eq!(
        std::fs::metadata(&cached[0]).unwrap().modified().unwrap(),
        written
    );

    // A file that does not load is compiled again and replaced.
    std::fs::write(&cached[0], b"not a compiled module").unwrap();
    assert_eq!(
        add(&Engine::with_options(&options).unwrap()),
        Some(Val::U32(5))
    );
    assert_eq!(files(), cached);
    assert!(std::fs::metadata(&cached[0]).unwrap().len() > 100);
    let _ = std::fs::remove_dir_all(&dir);
}

// ---- Compiled adapters against the host path. ----

/// Named types for [`echo_component`]: their definitions in the callee, in the type of the
/// caller's import of it, and the caller's re-exports of the imported ones (the caller exports
/// `run` with them).
#[derive(Default)]
struct NamedTypes {
    callee: String,
    import: String,
    caller: String,
}

/// The core module of both sides of [`echo_component`]: a memory, a bump allocator from 16384
/// that logs its calls (old pointer, old size, alignment, size; post-return calls too, as
/// `(-1, pointer, 0, 0)`), `log` returning (count, the first 256 entries), the callee's
/// `echo`, which returns its parameter pointer as its result pointer after corrupting one byte
/// between it and the allocator's end if `corrupt` asked for that, and `misbehave(from, how)`,
/// which makes `realloc` calls from the `from`th on return 1 (`how` 1), the last byte of memory
/// (2) or trap (3).
const ECHO_CORE: &str = r#"
    (core module $m
      (memory (export "mem") 1)
      (global $bump (mut i32) (i32.const 16384))
      (global $n (mut i32) (i32.const 0))
      (global $k (mut i32) (i32.const -1))
      (global $byte (mut i32) (i32.const 0))
      (global $from (mut i32) (i32.const -1))
      (global $how (mut i32) (i32.const 0))
      (func $note (param i32 i32 i32 i32)
        (local $p i32)
        (if (i32.lt_u (global.get $n) (i32.const 256)) (then
          (local.set $p (i32.add (i32.const 4096) (i32.shl (global.get $n) (i32.const 4))))
          (i32.store (local.get $p) (local.get 0))
          (i32.store offset=4 (local.get $p) (local.get 1))
          (i32.store offset=8 (local.get $p) (local.get 2))
          (i32.store offset=12 (local.get $p) (local.get 3))))
        (global.set $n (i32.add (global.get $n) (i32.const 1))))
      (func (export "realloc") (param $old i32) (param $old-size i32) (param $align i32) (param $size i32) (result i32)
        (local $p i32)
        (call $note (local.get $old) (local.get $old-size) (local.get $align) (local.get $size))
        (if (i32.ge_u (global.get $n) (global.get $from)) (then
          (if (i32.eq (global.get $how) (i32.const 1)) (then (return (i32.const 1))))
          (if (i32.eq (global.get $how) (i32.const 2))
            (then (return (i32.sub (i32.shl (memory.size) (i32.const 16)) (i32.const 1)))))
          (if (i32.eq (global.get $how) (i32.const 3)) (then unreachable))))
        (local.set $p (i32.and (i32.add (global.get $bump) (i32.sub (local.get $align) (i32.const 1)))
                               (i32.sub (i32.const 0) (local.get $align))))
        (global.set $bump (i32.add (local.get $p) (local.get $size)))
        (if (i32.gt_u (global.get $bump) (i32.shl (memory.size) (i32.const 16))) (then
          (drop (memory.grow (i32.sub (i32.shr_u (i32.add (global.get $bump) (i32.const 0xffff)) (i32.const 16))
                                      (memory.size))))))
        (local.get $p))
      (func (export "echo") (param $p i32) (result i32)
        (if (i32.ge_s (global.get $k) (i32.const 0)) (then
          (i32.store8 (i32.add (local.get $p) (i32.rem_u (global.get $k) (i32.sub (global.get $bump) (local.get $p))))
                      (global.get $byte))))
        (local.get $p))
      (func (export "post") (param $p i32)
        (call $note (i32.const -1) (local.get $p) (i32.const 0) (i32.const 0)))
      (func (export "corrupt") (param i32 i32) (global.set $k (local.get 0)) (global.set $byte (local.get 1)))
      (func (export "misbehave") (param i32 i32) (global.set $from (local.get 0)) (global.set $how (local.get 1)))
      (func (export "log") (result i32)
        (i32.store (i32.const 0) (global.get $n))
        (i32.store (i32.const 4) (i32.const 4096))
        (i32.store (i32.const 8) (select (global.get $n) (i32.const 256) (i32.lt_u (global.get $n) (i32.const 256))))
        (i32.const 0)))
    (core instance $i (instantiate $m))"#;

/// A component of two component instances, exported as `b` and `c`: `c#run(v: t, pad)` passes
/// its arguments to `b#echo(v: t, pad) -> tuple<t, u64>` and returns what it returns. `pad` is
/// 16 `u64`s, so that the parameters always travel through memory (a tuple `b` allocates), and
/// `b#echo` returns the tuple it got as its result (`t`, then `pad`'s first `u64`, laid out as
/// the parameters were). `b#corrupt(k, byte)` makes `b#echo` corrupt a byte first,
/// `b#misbehave` and `c#misbehave` make the sides' `realloc` misbehave; `b#log` and `c#log` are
/// their allocator logs.
fn echo_component(t: &str, named: &NamedTypes) -> String {
    let pad = format!("(tuple{})", " u64".repeat(16));
    let NamedTypes {
        callee,
        import,
        caller,
    } = named;
    format!(
        r#"(component
  (component $B
    {ECHO_CORE}
    {callee}
    (func (export "echo") (param "v" {t}) (param "pad" {pad}) (result (tuple {t} u64))
      (canon lift (core func $i "echo") (memory (core memory $i "mem")) (realloc (core func $i "realloc"))
        (post-return (core func $i "post"))))
    (func (export "corrupt") (param "k" s32) (param "byte" u32) (canon lift (core func $i "corrupt")))
    (func (export "misbehave") (param "from" u32) (param "how" u32) (canon lift (core func $i "misbehave")))
    (func (export "log") (result (tuple u32 (list (tuple u32 u32 u32 u32))))
      (canon lift (core func $i "log") (memory (core memory $i "mem")))))
  (component $C
    (import "b" (instance $b
      {import}
      (export "echo" (func (param "v" {t}) (param "pad" {pad}) (result (tuple {t} u64))))))
    {caller}
    {ECHO_CORE}
    (core func $echo (canon lower (func $b "echo") (memory (core memory $i "mem")) (realloc (core func $i "realloc"))))
    (core module $main
      (import "" "echo" (func $echo (param i32 i32)))
      (func (export "run") (param $p i32) (result i32)
        (call $echo (local.get $p) (i32.const 8192))
        (i32.const 8192)))
    (core instance $main (instantiate $main (with "" (instance (export "echo" (func $echo))))))
    (func (export "run") (param "v" {t}) (param "pad" {pad}) (result (tuple {t} u64))
      (canon lift (core func $main "run") (memory (core memory $i "mem")) (realloc (core func $i "realloc"))))
    (func (export "misbehave") (param "from" u32) (param "how" u32) (canon lift (core func $i "misbehave")))
    (func (export "log") (result (tuple u32 (list (tuple u32 u32 u32 u32))))
      (canon lift (core func $i "log") (memory (core memory $i "mem")))))
  (instance $b (instantiate $B))
  (instance $c (instantiate $C (with "b" (instance $b))))
  (export "b" (instance $b))
  (export "c" (instance $c)))"#
    )
}

/// A value, as text that tells floats apart by their bits (NaN payloads included).
fn val_key(v: &Val) -> String {
    let all = |vs: &[Val]| vs.iter().map(val_key).collect::<Vec<_>>().join(", ");
    let opt = |p: &Option<Box<Val>>| p.as_deref().map(val_key).unwrap_or_default();
    match v {
        Val::F32(x) => format!("f32:{:#x}", x.to_bits()),
        Val::F64(x) => format!("f64:{:#x}", x.to_bits()),
        Val::List(vs) => format!("[{}]", all(vs)),
        Val::Tuple(vs) => format!("({})", all(vs)),
        Val::Record(fs) => {
            let fs: Vec<String> = fs
                .iter()
                .map(|(n, v)| format!("{n}: {}", val_key(v)))
                .collect();
            format!("{{{}}}", fs.join(", "))
        }
        Val::Variant(n, p) => format!("{n}({})", opt(p)),
        Val::Option(p) => format!("some?({})", opt(p)),
        Val::Result(Ok(p)) => format!("ok({})", opt(p)),
        Val::Result(Err(p)) => format!("err({})", opt(p)),
        other => format!("{other:?}"),
    }
}

/// A way to break a call of [`echo_component`]: `b#corrupt`, `b#misbehave` or `c#misbehave`
/// with these arguments.
type Breakage = (&'static str, u32, u32);

/// What one call of `c#run` did: its result or trap, then `b#log` and `c#log` (or why they
/// could not be called: a poisoned instance).
///
/// One difference between the paths is taken out: a trap in the callee's `realloc` is reported
/// by the host path with its backtrace folded into the message (only the part after
/// `wasm trap: ` is compared). Both run the callee's post-return function after the caller has
/// its result, as the spec does, so when the caller traps receiving it (its `realloc`
/// misbehaving), neither has run it: `b#log` must be the same.
fn echo_outcome(
    engine: &Engine,
    c: &Component,
    v: &Val,
    pad: &Val,
    breakage: Option<Breakage>,
) -> [String; 3] {
    let mut store = Store::new(engine, ());
    let instance = Linker::new().instantiate(&mut store, c).unwrap();
    let mut call = |name: &str, args: &[Val]| match instance
        .func(&store, name)
        .unwrap()
        .call(&mut store, args)
    {
        Ok(v) => Ok(v),
        Err(e) => {
            let m = e.message();
            Err(format!(
                "trap: {}",
                m.rsplit_once("wasm trap: ").map_or(m, |(_, t)| t)
            ))
        }
    };
    let key = |r: Result<Option<Val>, String>| match r {
        Ok(v) => v.as_ref().map(val_key).unwrap_or_default(),
        Err(e) => e,
    };
    let _ = match breakage {
        Some(("b#corrupt", k, byte)) => call("b#corrupt", &[Val::S32(k as i32), Val::U32(byte)]),
        Some((f, from, how)) => call(f, &[Val::U32(from), Val::U32(how)]),
        None => Ok(None),
    };
    let result = call("c#run", &[v.clone(), pad.clone()]);
    let b_log = call("b#log", &[]);
    [key(result), key(b_log), key(call("c#log", &[]))]
}

/// Two engines, with compiled adapters and without.
fn adapter_engines() -> [Engine; 2] {
    [true, false].map(|compiled_adapters| {
        Engine::with_options(&weft_runtime::EngineOptions {
            compiled_adapters,
            ..weft_runtime::EngineOptions::default()
        })
        .unwrap()
    })
}

/// Calls `c#run` of [`echo_component`] with each value through a compiled adapter and through
/// the host, unbroken and with each breakage; both must agree on everything observable.
/// Returns the outcomes of the unbroken calls.
fn compare_echo(
    t: &str,
    named: &NamedTypes,
    vals: &[Val],
    breakages: &[Breakage],
) -> Vec<[String; 3]> {
    let wat = echo_component(t, named);
    let engines = adapter_engines();
    let [compiled, host] = engines
        .each_ref()
        .map(|e| Component::new(e, &wat::parse_str(&wat).expect("valid WAT")).expect("translates"));
    assert_eq!(
        compiled.compiled_adapters(),
        1,
        "{t}: the call is not compiled"
    );
    assert_eq!(host.compiled_adapters(), 0);
    let pad = Val::Tuple(
        (0..16)
            .map(|i| Val::U64(0x0102_0304_0506_0700 + i))
            .collect(),
    );
    let mut clean = Vec::new();
    for v in vals {
        for corrupt in std::iter::once(None).chain(breakages.iter().copied().map(Some)) {
            let a = echo_outcome(&engines[0], &compiled, v, &pad, corrupt);
            let b = echo_outcome(&engines[1], &host, v, &pad, corrupt);
            assert_eq!(
                a,
                b,
                "{t} = {}, broken by {corrupt:?}: compiled adapter (left) and host (right) differ",
                val_key(v)
            );
            if corrupt.is_none() {
                clean.push(a);
            }
        }
    }
    clean
}

#[test]
fn compiled_adapters_match_the_host_path() {
    // Records, variants, enums and flags (named), strings, lists and the scalars, one value
    // after another through a call between two component instances: same results, same
    // `realloc` calls (and post-return calls) on both sides, same traps when the callee's
    // memory is corrupted, compiled or not.
    let defs = [
        ("e", "(enum \"red\" \"green\" \"blue\")"),
        ("fl", "(flags \"a\" \"b\" \"c\" \"d\" \"e\" \"f\" \"g\" \"h\" \"i\" \"j\")"),
        (
            "sh",
            "(variant (case \"circle\" f32) (case \"poly\" (list (tuple f64 f64))) (case \"label\" string) (case \"none\"))",
        ),
        (
            "r",
            "(record (field \"name\" string) (field \"tags\" (list string)) (field \"shape\" $sh) (field \"color\" $e) (field \"perms\" $fl) (field \"ok\" bool) (field \"c\" char) (field \"big\" u64) (field \"small\" s8))",
        ),
    ];
    let mut named = NamedTypes::default();
    for (name, def) in defs {
        named.callee +=
            &format!("(type ${name}' {def}) (export ${name} \"{name}\" (type ${name}'))\n");
        named.import +=
            &format!("(type ${name}' {def}) (export \"{name}\" (type ${name} (eq ${name}')))\n");
        named.caller +=
            &format!("(alias export $b \"{name}\" (type ${name}-in)) (export ${name} \"{name}\" (type ${name}-in))\n");
    }
    let record = |name: &str, tags: &[&str], shape: Val, color: &str, perms: &[&str], c: char| {
        Val::Record(vec![
            ("name".into(), Val::String(name.into())),
            (
                "tags".into(),
                Val::List(tags.iter().map(|t| Val::String(t.to_string())).collect()),
            ),
            ("shape".into(), shape),
            ("color".into(), Val::Enum(color.into())),
            (
                "perms".into(),
                Val::Flags(perms.iter().map(|p| p.to_string()).collect()),
            ),
            ("ok".into(), Val::Bool(c != 'x')),
            ("c".into(), Val::Char(c)),
            ("big".into(), Val::U64(u64::MAX - c as u64)),
            ("small".into(), Val::S8(-(c as i8 & 0x3f))),
        ])
    };
    let poly = Val::Variant(
        "poly".into(),
        Some(Box::new(Val::List(vec![
            Val::Tuple(vec![Val::F64(1.5), Val::F64(f64::NAN)]),
            Val::Tuple(vec![Val::F64(-0.0), Val::F64(f64::INFINITY)]),
        ]))),
    );
    let vals = [
        record("", &[], Val::Variant("none".into(), None), "red", &[], 'x'),
        record(
            "héllo ☃",
            &["a", "", "🍰🍰"],
            Val::Variant("circle".into(), Some(Box::new(Val::F32(2.5)))),
            "blue",
            &["a", "j"],
            '🍰',
        ),
        record(
            "p",
            &["x"; 7],
            poly,
            "green",
            &["b", "c", "i"],
            '\u{10ffff}',
        ),
        record(
            &"long ".repeat(300),
            &["one", "two"],
            Val::Variant("label".into(), Some(Box::new(Val::String("là".into())))),
            "red",
            &["a", "b", "c", "d", "e", "f", "g", "h", "i", "j"],
            'é',
        ),
    ];
    let mut breakages: Vec<Breakage> = (0..24)
        .map(|i| {
            (
                "b#corrupt",
                i * 7 + 3,
                [0xff, 0x80, 0x03, 0xd8][i as usize % 4],
            )
        })
        .collect();
    for how in 1..=3 {
        for from in 0..4 {
            breakages.push(("b#misbehave", from, how));
            breakages.push(("c#misbehave", from + 2, how));
        }
    }
    let clean = compare_echo("$r", &named, &vals, &breakages);
    // (And the calls did something: the values came back, with the callee's `realloc` called
    // for the parameter tuple first and its post-return function last.)
    for (v, [result, b_log, _]) in vals.iter().zip(&clean) {
        assert!(result.starts_with(&format!("({}", val_key(v))), "{result}");
        assert!(
            b_log.starts_with("(") && b_log.contains("4294967295"),
            "{b_log}"
        );
    }
}

/// A small deterministic random number generator (xorshift64*).
struct Rng(u64);

impl Rng {
    fn next(&mut self) -> u64 {
        self.0 ^= self.0 >> 12;
        self.0 ^= self.0 << 25;
        self.0 ^= self.0 >> 27;
        self.0.wrapping_mul(0x2545_f491_4f6c_dd1d)
    }

    fn below(&mut self, n: u64) -> u64 {
        self.next() % n
    }

    fn pick<'a, T>(&mut self, items: &'a [T]) -> &'a T {
        &items[self.below(items.len() as u64) as usize]
    }
}

/// A random type an adapter copies (unnamed ones: the named kinds are in
/// `compiled_adapters_match_the_host_path`), and its WAT.
fn random_type(rng: &mut Rng, depth: u32) -> (weft_runtime::Type, String) {
    use weft_runtime::Type;
    let leaves = [
        (Type::Bool, "bool"),
        (Type::S8, "s8"),
        (Type::U8, "u8"),
        (Type::S16, "s16"),
        (Type::U16, "u16"),
        (Type::S32, "s32"),
        (Type::U32, "u32"),
        (Type::S64, "s64"),
        (Type::U64, "u64"),
        (Type::F32, "f32"),
        (Type::F64, "f64"),
        (Type::Char, "char"),
        (Type::String, "string"),
    ];
    let kind = if depth >= 3 { 0 } else { rng.below(8) };
    match kind {
        0..=3 => {
            let (t, w) = rng.pick(&leaves);
            (t.clone(), w.to_string())
        }
        4 => {
            let (t, w) = random_type(rng, depth + 1);
            (Type::List(Arc::new(t)), format!("(list {w})"))
        }
        5 => {
            let (ts, ws): (Vec<_>, Vec<_>) = (0..1 + rng.below(4))
                .map(|_| random_type(rng, depth + 1))
                .unzip();
            (Type::Tuple(ts.into()), format!("(tuple {})", ws.join(" ")))
        }
        6 => {
            let (t, w) = random_type(rng, depth + 1);
            (Type::Option(Arc::new(t)), format!("(option {w})"))
        }
        _ => {
            let mut side = || (rng.below(3) != 0).then(|| random_type(rng, depth + 1));
            let (ok, err) = (side(), side());
            let w = match (&ok, &err) {
                (Some((_, o)), Some((_, e))) => format!("(result {o} (error {e}))"),
                (Some((_, o)), None) => format!("(result {o})"),
                (None, Some((_, e))) => format!("(result (error {e}))"),
                (None, None) => "(result)".to_string(),
            };
            let t = Type::Result(Arc::new(weft_abi::ResultType {
                ok: ok.map(|(t, _)| t),
                err: err.map(|(t, _)| t),
            }));
            (t, w)
        }
    }
}

fn random_val(rng: &mut Rng, t: &weft_runtime::Type) -> Val {
    use weft_runtime::Type;
    let chars = [
        'a',
        'Z',
        '\0',
        'é',
        'ÿ',
        'Ā',
        '☃',
        '\u{d7ff}',
        '\u{e000}',
        '🍰',
        '\u{10ffff}',
    ];
    match t {
        Type::Bool => Val::Bool(rng.below(2) == 1),
        Type::S8 => Val::S8(rng.next() as i8),
        Type::U8 => Val::U8(rng.next() as u8),
        Type::S16 => Val::S16(rng.next() as i16),
        Type::U16 => Val::U16(rng.next() as u16),
        Type::S32 => Val::S32(rng.next() as i32),
        Type::U32 => Val::U32(rng.next() as u32),
        Type::S64 => Val::S64(rng.next() as i64),
        Type::U64 => Val::U64(rng.next()),
        Type::F32 => {
            let bits = f32::from_bits(rng.next() as u32);
            Val::F32(*rng.pick(&[bits, 0.0, -0.0, 1.5, f32::NAN, f32::NEG_INFINITY]))
        }
        Type::F64 => {
            let bits = f64::from_bits(rng.next());
            Val::F64(*rng.pick(&[bits, -0.0, 2.25e300, f64::NAN, f64::INFINITY]))
        }
        Type::Char => Val::Char(*rng.pick(&chars)),
        Type::String => Val::String((0..rng.below(7)).map(|_| *rng.pick(&chars)).collect()),
        Type::List(e) => Val::List((0..rng.below(4)).map(|_| random_val(rng, e)).collect()),
        Type::Tuple(ts) => Val::Tuple(ts.iter().map(|t| random_val(rng, t)).collect()),
        Type::Option(e) => Val::Option((rng.below(3) != 0).then(|| Box::new(random_val(rng, e)))),
        Type::Result(r) => {
            let payload = |rng: &mut Rng, t: &Option<weft_runtime::Type>| {
                t.as_ref().map(|t| Box::new(random_val(rng, t)))
            };
            match rng.below(2) {
                0 => Val::Result(Ok(payload(rng, &r.ok))),
                _ => Val::Result(Err(payload(rng, &r.err))),
            }
        }
        other => unreachable!("random_type makes no {other}"),
    }
}

#[test]
fn compiled_adapters_match_the_host_path_on_random_values() {
    // Random types of every unnamed kind an adapter copies, random values of them, each
    // passed between two component instances clean and with a random byte of the callee's
    // copy corrupted (bad discriminants, `char`s, UTF-8, lengths and pointers, non-canonical
    // NaNs, booleans other than 0 and 1): compiled and host path agree on the result or trap,
    // every `realloc` call and which instances are poisoned afterwards.
    let mut rng = Rng(0x5eed_0fad_4e7e_5500);
    let mut tested = 0;
    while tested < 40 {
        let (t, w) = random_type(&mut rng, 0);
        // The caller's result area holds up to 8 KiB.
        if weft_abi::abi::elem_size(&t) > 4096 {
            continue;
        }
        let vals: Vec<Val> = (0..3).map(|_| random_val(&mut rng, &t)).collect();
        // A byte of the value in the parameter tuple, or of the strings and lists after it
        // (past the 128 bytes of padding).
        let size = weft_abi::abi::elem_size(&t);
        let heap = size.next_multiple_of(8) + 128;
        let mut breakages: Vec<Breakage> = (0..6)
            .map(|i| {
                let k = match i % 2 {
                    0 => rng.below(size.into()),
                    _ => u64::from(heap) + rng.below(64),
                };
                (
                    "b#corrupt",
                    k as u32,
                    *rng.pick(&[0, 1, 2, 0x7f, 0x80, 0xc3, 0xd8, 0xff]),
                )
            })
            .collect();
        let how = 1 + rng.below(3) as u32;
        breakages.push(("b#misbehave", rng.below(3) as u32, how));
        breakages.push(("c#misbehave", rng.below(6) as u32, how));
        compare_echo(&w, &NamedTypes::default(), &vals, &breakages);
        tested += 1;
    }
}
