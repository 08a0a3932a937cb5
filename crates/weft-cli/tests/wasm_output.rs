//! The binary-writing commands: `weft wit print --wasm` and `weft embed`.
//!
//! What they write is checked in depth by `weft-component`'s `tests/encode.rs` (against
//! wasm-tools); here the command lines are: where output goes, that `-o` may name the input,
//! that the input is otherwise untouched, and the messages for inputs that are not core
//! modules. (That a terminal stdout is refused needs a terminal and is not tested here.)

use std::fs;
use std::path::{Path, PathBuf};
use std::process::Output;

mod common;

/// A fresh scratch directory for one test.
fn scratch(test: &str) -> PathBuf {
    common::scratch_dir(Path::new("wasm_output").join(test)).expect("create scratch dir")
}

fn weft(args: &[&str]) -> Output {
    common::run(args).expect("run weft")
}

fn hello() -> String {
    Path::new(env!("CARGO_MANIFEST_DIR"))
        .join("../../examples/hello")
        .to_string_lossy()
        .into_owned()
}

const WIT: &str = "package a:b;\n\nworld w {\n  export f: func(s: string) -> string;\n}\n";
const WAT: &str = r#"(module
  (memory (export "memory") 1)
  (func (export "cabi_realloc") (param i32 i32 i32 i32) (result i32) i32.const 0)
  (func (export "f") (param i32 i32) (result i32) i32.const 0))"#;

fn stderr(out: &Output) -> String {
    String::from_utf8_lossy(&out.stderr).into_owned()
}

/// `weft ARGS`, which must succeed.
#[track_caller]
fn succeeds(args: &[&str]) -> Output {
    let o = weft(args);
    assert!(o.status.success(), "{}", stderr(&o));
    o
}

/// `weft ARGS` exits 1 with `needle` in its message.
#[track_caller]
fn assert_fails_with(args: &[&str], needle: &str) {
    let o = weft(args);
    assert_eq!(o.status.code(), Some(1));
    assert!(stderr(&o).contains(needle), "{}", stderr(&o));
}

/// The names of the custom sections of a core module.
fn custom_sections(bytes: &[u8]) -> Vec<String> {
    wasmparser::Parser::new(0)
        .parse_all(bytes)
        .filter_map(|p| match p {
            Ok(wasmparser::Payload::CustomSection(c)) => Some(c.name().to_string()),
            _ => None,
        })
        .collect()
}

#[test]
fn print_wasm_writes_the_package_component() {
    let dir = scratch("print_wasm");
    let out = dir.join("pkg.wasm");
    let (hello, out_arg) = (hello(), out.to_string_lossy().into_owned());
    let to_file = ["wit", "print", &hello, "--wasm", "-o", &out_arg];
    succeeds(&to_file);
    let bytes = fs::read(&out).expect("output written");
    let mut resolve = weft_wit::Resolve::new();
    let pkg = resolve.push_path(&hello).expect("hello resolves");
    let expected = weft_component::encode_package(&resolve, pkg).expect("encodes");
    assert_eq!(bytes, expected);
    // Again over the existing file.
    succeeds(&to_file);
    assert_eq!(fs::read(&out).expect("output written"), expected);
    // To a pipe.
    let o = succeeds(&["wit", "print", &hello, "--wasm"]);
    assert_eq!(o.stdout, expected);
    // Only a world.
    let o = succeeds(&["wit", "print", &hello, "--wasm", "-w", "greeter"]);
    assert!(o.stdout.starts_with(b"\0asm"));
    assert_ne!(o.stdout, expected);
}

#[test]
fn embed_appends_the_section_and_leaves_the_input_alone() {
    let dir = scratch("embed");
    let (wit, wat) = (dir.join("w.wit"), dir.join("m.wat"));
    fs::write(&wit, WIT).expect("write wit");
    fs::write(&wat, WAT).expect("write wat");
    let core = dir.join("m.wasm");
    fs::write(&core, wat::parse_str(WAT).expect("wat")).expect("write module");
    let before = fs::read(&core).expect("read module");

    // From text, to a file.
    let out = dir.join("out.wasm");
    succeeds(&[
        "embed",
        "--wit",
        &wit.to_string_lossy(),
        &wat.to_string_lossy(),
        "-o",
        &out.to_string_lossy(),
    ]);
    let embedded = fs::read(&out).expect("output written");
    assert_eq!(
        custom_sections(&embedded),
        ["component-type:weft:0.1.0:a:b:w:encoded world"]
    );

    // From a binary, to stdout: the input is untouched and a prefix of the output.
    let o = succeeds(&[
        "embed",
        "--wit",
        &wit.to_string_lossy(),
        "--string-encoding",
        "utf16",
        &core.to_string_lossy(),
    ]);
    assert_eq!(fs::read(&core).expect("read module"), before);
    assert!(o.stdout.starts_with(&before));
    assert!(o.stdout.len() > before.len());

    // In place, when `-o` says so.
    succeeds(&[
        "embed",
        "--wit",
        &wit.to_string_lossy(),
        &core.to_string_lossy(),
        "-o",
        &core.to_string_lossy(),
    ]);
    let after = fs::read(&core).expect("read module");
    assert!(after.starts_with(&before) && after.len() > before.len());
}

#[test]
fn embed_names_what_the_input_is() {
    let dir = scratch("embed_errors");
    let wit = dir.join("w.wit");
    fs::write(&wit, WIT).expect("write wit");

    let component = dir.join("c.wasm");
    succeeds(&[
        "wit",
        "print",
        &wit.to_string_lossy(),
        "--wasm",
        "-o",
        &component.to_string_lossy(),
    ]);
    let wit = wit.to_string_lossy();
    assert_fails_with(
        &["embed", "--wit", &wit, &component.to_string_lossy()],
        "is a component, not a core module",
    );
    assert_fails_with(
        &["embed", "--wit", &wit, &wit],
        "is not a WebAssembly module",
    );
    assert_fails_with(
        &["embed", "--wit", &wit, "missing.wasm"],
        "failed to read `missing.wasm`",
    );

    let o = weft(&["embed", "--wit", &wit, "--string-encoding", "ascii", "x"]);
    assert_eq!(o.status.code(), Some(2));
}
