//! Binaries that wasmparser 0.254 cannot read safely on its own, generated here: types nested
//! 10,000 deep (a stack overflow in its recursive reader), 50,000 nested components, a
//! component its validator panics on, and components cut short inside a nested binary. Every
//! command that reads them exits 1 with one `error:` line, never a crash or partial output.

use std::fs;
use std::path::{Path, PathBuf};
use std::process::Output;

mod common;

use weft_test_util::binary::{
    nested_components, nested_types, section, COMPONENT, MODULE, WASMPARSER_PANICS_ON,
};

fn scratch(test: &str) -> PathBuf {
    common::scratch_dir(Path::new("malformed-binaries").join(test)).expect("create scratch dir")
}

/// A component whose one type is 10,000 instance types, each declaring the next.
fn deep_types() -> Vec<u8> {
    nested_types(10_000, 0x42)
}

/// A core module with `component` as its `component-type` custom section.
fn with_component_type(component: &[u8]) -> Vec<u8> {
    let name = b"component-type";
    let mut contents = vec![name.len() as u8];
    contents.extend(name);
    contents.extend(component);
    [MODULE, &section(0, &contents)].concat()
}

/// A component to compose with: it imports and exports a function.
fn dependency() -> Vec<u8> {
    wat::parse_str(r#"(component (import "f" (func $f)) (export "g" (func $f)))"#).unwrap()
}

fn weft(args: &[&str]) -> Output {
    common::run(args).expect("run weft")
}

/// `weft ARGS` exits 1 with one `error:` line naming `needle`, and no panic.
#[track_caller]
fn fails_with(args: &[&str], needle: &str) {
    let out = weft(args);
    let stderr = String::from_utf8_lossy(&out.stderr);
    assert!(
        out.status.code() == Some(1)
            && stderr.starts_with("error: ")
            && stderr.contains(needle)
            && !stderr.contains("panicked")
            && !stderr.contains("bug in weft"),
        "weft {args:?}: expected exit 1 with `error: …{needle}…`:\n{}",
        common::describe(&out)
    );
}

fn write(dir: &Path, name: &str, bytes: &[u8]) -> String {
    let path = dir.join(name);
    fs::write(&path, bytes).expect("write input");
    path.to_str().expect("UTF-8 path").to_string()
}

#[test]
fn deeply_nested_types_are_errors() {
    let dir = scratch("deep");
    let component = write(&dir, "deep.wasm", &deep_types());
    let module = write(&dir, "deep.core.wasm", &with_component_type(&deep_types()));
    let out = dir.join("out.wasm");
    let out = out.to_str().unwrap();
    let dep = write(&dir, "dep.wasm", &dependency());
    let needle = "component type nesting is too deep (at offset 0x13a)";
    for args in [
        &["wit", &component][..],
        &["inspect", &component],
        &["inspect", "--json", &component],
        &["inspect", "--graph", &component],
        &["run", &component],
        &["wit", &module],
        &["new", &module, "-o", out],
        &["compose", &component, "-d", &dep, "-o", out],
        &["compose", &dep, "-d", &component, "-o", out],
    ] {
        fails_with(args, needle);
    }
    // An adapter whose world is too deep.
    let main = wat::parse_str(
        r#"(module
            (import "wasi_snapshot_preview1" "proc_exit" (func (param i32)))
            (memory (export "memory") 1))"#,
    )
    .unwrap();
    let main = write(&dir, "main.wasm", &main);
    let adapter = format!("wasi_snapshot_preview1={module}");
    fails_with(&["new", &main, "--adapt", &adapter, "-o", out], needle);
}

#[test]
fn nested_components_are_limited_and_inspected_without_recursion() {
    let dir = scratch("nested");
    let many = write(&dir, "many.wasm", &nested_components(50_000, &[]));
    for command in ["wit", "inspect"] {
        fails_with(
            &[command, &many],
            "modules and components count exceeds limit of 1000",
        );
    }
    // 999 components and, in the innermost, a module: at the limit.
    let module = section(1, MODULE);
    let most = write(&dir, "most.wasm", &nested_components(999, &module));
    let out = weft(&["inspect", "--json", &most]);
    assert_eq!(out.status.code(), Some(0), "{}", common::describe(&out));
    let json: serde_json::Value = serde_json::from_slice(&out.stdout).unwrap();
    let path = json["core_modules"][0]["path"].as_str().unwrap_or_default();
    assert_eq!(path, format!("{}#0", "c0/".repeat(998)), "{json:#}");
}

/// A valid component (wasm-tools' tests/cli/component-model/import.wast, line 250) on which
/// wasmparser 0.254's validator fails an assertion.
#[test]
fn a_panic_of_wasmparser_is_an_error() {
    let dir = scratch("panic");
    let wasm = wat::parse_str(WASMPARSER_PANICS_ON).unwrap();
    let path = write(&dir, "panic.wasm", &wasm);
    for command in ["wit", "inspect", "run"] {
        fails_with(
            &[command, &path],
            "wasmparser 0.254 failed on this binary (an internal error of the validator weft uses",
        );
    }
}

/// A component cut short at the end of a nested module's or component's section, where
/// wasmparser 0.254's parser stops without an error, and at every 97th byte.
#[test]
fn truncated_components_are_errors() {
    let dir = scratch("truncated");
    // wasm-tools' tests/cli/component-model/nested-modules.wast, line 54: a module section of
    // 100 bytes holding only a module's header.
    let claims = [COMPONENT, &[1, 100][..], MODULE].concat();
    let claims = write(&dir, "claims.wasm", &claims);
    for command in ["wit", "inspect"] {
        fails_with(&[command, &claims], "unexpected end-of-file");
    }
    let wasm = wat::parse_str(
        r#"(component
            (import "f" (func $f))
            (component $c
                (core module (func (export "g")))
                (component (core module) (import "x" (func)))
                (import "y" (func)))
            (instance (instantiate $c (with "y" (func $f))))
            (export "i" (instance 0)))"#,
    )
    .unwrap();
    // The cuts where the nested component's sections end, and every 97th byte, but the end
    // of a top-level section.
    let mut top = Vec::new();
    let mut nested = Vec::new();
    let mut depth = 0;
    for payload in wasmparser::Parser::new(0).parse_all(&wasm) {
        let payload = payload.unwrap();
        match &payload {
            wasmparser::Payload::Version { .. } => depth += 1,
            wasmparser::Payload::End(_) => depth -= 1,
            _ => {}
        }
        if let Some((_, range)) = payload.as_section() {
            match depth {
                1 => top.push(range.end),
                _ => nested.push(range.end),
            }
        }
    }
    let cuts = nested.iter().copied().chain((9..wasm.len()).step_by(97));
    let out = dir.join("out.wasm");
    let out = out.to_str().unwrap();
    let dep = write(&dir, "dep.wasm", &dependency());
    let mut tested = 0;
    for len in cuts.filter(|len| !top.contains(len) && *len < wasm.len()) {
        let cut = write(&dir, &format!("cut{len}.wasm"), &wasm[..len]);
        for args in [
            &["wit", &cut][..],
            &["inspect", &cut],
            &["compose", &cut, "-d", &dep, "-o", out],
            &["compose", &dep, "-d", &cut, "-o", out],
        ] {
            fails_with(args, "(at offset 0x");
        }
        tested += 1;
    }
    assert!(tested >= 5, "{tested}");
}
