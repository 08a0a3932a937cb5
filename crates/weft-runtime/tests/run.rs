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
