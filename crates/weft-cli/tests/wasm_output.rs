//! The binary-writing commands: `weft wit print --wasm` and `weft embed`.
//!
//! What they write is checked in depth by `weft-component`'s `tests/encode.rs` (against
//! wasm-tools); here the command lines are: where output goes, that `-o` may name the input,
//! that the input is otherwise untouched, and the messages for inputs that are not core
//! modules. (That a terminal stdout is refused needs a terminal and is not tested here.)

use std::fs;
use std::path::{Path, PathBuf};
use std::process::{Command, Output};

const WEFT: &str = env!("CARGO_BIN_EXE_weft");

/// A fresh scratch directory for one test.
fn scratch(test: &str) -> PathBuf {
    let dir = Path::new(env!("CARGO_TARGET_TMPDIR"))
        .join("wasm_output")
        .join(test);
    let _ = fs::remove_dir_all(&dir);
    fs::create_dir_all(&dir).expect("create scratch dir");
    dir
}

fn weft(args: &[&str]) -> Output {
    Command::new(WEFT).args(args).output().expect("run weft")
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
    let o = weft(&[
        "wit",
        "print",
        &hello(),
        "--wasm",
        "-o",
        &out.to_string_lossy(),
    ]);
    assert!(o.status.success(), "{}", stderr(&o));
    let bytes = fs::read(&out).expect("output written");
    let mut resolve = weft_wit::Resolve::new();
    let pkg = resolve.push_path(hello()).expect("hello resolves");
    let expected = weft_component::encode_package(&resolve, pkg).expect("encodes");
    assert_eq!(bytes, expected);
    // Again over the existing file.
    let o = weft(&[
        "wit",
        "print",
        &hello(),
        "--wasm",
        "-o",
        &out.to_string_lossy(),
    ]);
    assert!(o.status.success(), "{}", stderr(&o));
    assert_eq!(fs::read(&out).expect("output written"), expected);
    // To a pipe.
    let o = weft(&["wit", "print", &hello(), "--wasm"]);
    assert!(o.status.success(), "{}", stderr(&o));
    assert_eq!(o.stdout, expected);
    // Only a world.
    let o = weft(&["wit", "print", &hello(), "--wasm", "-w", "greeter"]);
    assert!(o.status.success(), "{}", stderr(&o));
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
    let o = weft(&[
        "embed",
        "--wit",
        &wit.to_string_lossy(),
        &wat.to_string_lossy(),
        "-o",
        &out.to_string_lossy(),
    ]);
    assert!(o.status.success(), "{}", stderr(&o));
    let embedded = fs::read(&out).expect("output written");
    assert_eq!(
        custom_sections(&embedded),
        ["component-type:weft:0.1.0:a:b:w:encoded world"]
    );

    // From a binary, to stdout: the input is untouched and a prefix of the output.
    let o = weft(&[
        "embed",
        "--wit",
        &wit.to_string_lossy(),
        "--string-encoding",
        "utf16",
        &core.to_string_lossy(),
    ]);
    assert!(o.status.success(), "{}", stderr(&o));
    assert_eq!(fs::read(&core).expect("read module"), before);
    assert!(o.stdout.starts_with(&before));
    assert!(o.stdout.len() > before.len());

    // In place, when `-o` says so.
    let o = weft(&[
        "embed",
        "--wit",
        &wit.to_string_lossy(),
        &core.to_string_lossy(),
        "-o",
        &core.to_string_lossy(),
    ]);
    assert!(o.status.success(), "{}", stderr(&o));
    let after = fs::read(&core).expect("read module");
    assert!(after.starts_with(&before) && after.len() > before.len());
}

#[test]
fn embed_names_what_the_input_is() {
    let dir = scratch("embed_errors");
    let wit = dir.join("w.wit");
    fs::write(&wit, WIT).expect("write wit");

    let component = dir.join("c.wasm");
    let o = weft(&[
        "wit",
        "print",
        &wit.to_string_lossy(),
        "--wasm",
        "-o",
        &component.to_string_lossy(),
    ]);
    assert!(o.status.success(), "{}", stderr(&o));
    let o = weft(&[
        "embed",
        "--wit",
        &wit.to_string_lossy(),
        &component.to_string_lossy(),
    ]);
    assert_eq!(o.status.code(), Some(1));
    assert!(
        stderr(&o).contains("is a component, not a core module"),
        "{}",
        stderr(&o)
    );

    let o = weft(&[
        "embed",
        "--wit",
        &wit.to_string_lossy(),
        &wit.to_string_lossy(),
    ]);
    assert_eq!(o.status.code(), Some(1));
    assert!(
        stderr(&o).contains("is not a WebAssembly module"),
        "{}",
        stderr(&o)
    );

    let o = weft(&["embed", "--wit", &wit.to_string_lossy(), "missing.wasm"]);
    assert_eq!(o.status.code(), Some(1));
    assert!(
        stderr(&o).contains("failed to read `missing.wasm`"),
        "{}",
        stderr(&o)
    );

    let o = weft(&[
        "embed",
        "--wit",
        &wit.to_string_lossy(),
        "--string-encoding",
        "ascii",
        "x",
    ]);
    assert_eq!(o.status.code(), Some(2));
}
