//! Where every writing command's `-o` goes (`output.rs`): never over a text input, through
//! symbolic links to the file they name, an error for a directory, `-` for stdout; and that
//! `weft wit` of WIT prints one self-contained file.

use std::fs;
use std::path::{Path, PathBuf};
use std::process::Output;

mod common;

fn scratch(test: &str) -> PathBuf {
    common::scratch_dir(Path::new("output").join(test)).expect("create scratch dir")
}

fn weft(args: &[&str]) -> Output {
    common::run(args).expect("run weft")
}

fn stderr(out: &Output) -> String {
    String::from_utf8_lossy(&out.stderr).into_owned()
}

/// `weft ARGS` exits 1 with `needle` in its message.
#[track_caller]
fn fails_with(args: &[&str], needle: &str) {
    let out = weft(args);
    assert_eq!(
        out.status.code(),
        Some(1),
        "weft {args:?}: {}",
        stderr(&out)
    );
    assert!(
        stderr(&out).contains(needle),
        "weft {args:?}: {}",
        stderr(&out)
    );
}

fn path(p: &Path) -> &str {
    p.to_str().expect("UTF-8 scratch path")
}

const WIT: &str = "package a:b;\n\nworld w {\n  export f: func(s: string) -> string;\n}\n";
const MODULE: &str = r#"(module
  (memory (export "memory") 1)
  (func (export "cabi_realloc") (param i32 i32 i32 i32) (result i32) i32.const 0)
  (func (export "f") (param i32 i32) (result i32) i32.const 0))"#;
const COMPONENT: &str = r#"(component
  (core module $m (func (export "f") (result i32) i32.const 7))
  (core instance $i (instantiate $m))
  (func (export "f") (result u32) (canon lift (core func $i "f"))))"#;

/// Each writing command refuses `-o` naming one of its text inputs, and leaves it as it was.
#[test]
fn text_inputs_are_never_overwritten() {
    let dir = scratch("text-inputs");
    let wit = dir.join("w.wit");
    let module = dir.join("m.wat");
    let component = dir.join("c.wat");
    fs::write(&wit, WIT).unwrap();
    fs::write(&module, MODULE).unwrap();
    fs::write(&component, COMPONENT).unwrap();
    let cases: [(&[&str], &Path); 6] = [
        (
            &["embed", path(&module), "--wit", path(&wit), "-o"],
            &module,
        ),
        (&["embed", path(&module), "--wit", path(&wit), "-o"], &wit),
        (&["new", path(&module), "--wit", path(&wit), "-o"], &module),
        (
            &[
                "compose",
                path(&component),
                "--plug",
                path(&component),
                "-o",
            ],
            &component,
        ),
        (&["wit", "print", path(&wit), "-o"], &wit),
        (&["wit", "print", path(&wit), "--wasm", "-o"], &wit),
    ];
    for (args, target) in cases {
        let before = fs::read(target).unwrap();
        let mut args = args.to_vec();
        args.push(path(target));
        fails_with(&args, "would replace the input");
        assert_eq!(
            fs::read(target).unwrap(),
            before,
            "weft {args:?} changed its input"
        );
    }
    // A binary input may be replaced: embedding in place.
    let binary = dir.join("m.wasm");
    fs::write(&binary, wat::parse_str(MODULE).unwrap()).unwrap();
    let out = weft(&[
        "embed",
        path(&binary),
        "--wit",
        path(&wit),
        "-o",
        path(&binary),
    ]);
    assert!(out.status.success(), "{}", stderr(&out));
}

/// `-o LINK` writes the file the link names, and the link stays a link; `wit fmt` too.
#[test]
fn outputs_write_through_symbolic_links() {
    let dir = scratch("symlinks");
    let wit = dir.join("w.wit");
    fs::write(&wit, WIT).unwrap();
    let target = dir.join("target.wasm");
    fs::write(&target, b"old").unwrap();
    let link = dir.join("link.wasm");
    std::os::unix::fs::symlink("target.wasm", &link).unwrap();
    let out = weft(&["wit", "print", path(&wit), "--wasm", "-o", path(&link)]);
    assert!(out.status.success(), "{}", stderr(&out));
    assert!(fs::symlink_metadata(&link)
        .unwrap()
        .file_type()
        .is_symlink());
    assert!(fs::read(&target).unwrap().starts_with(b"\0asm"));

    let unformatted = dir.join("u.wit");
    fs::write(&unformatted, "package a:b;\nworld w {   }\n").unwrap();
    let fmt_link = dir.join("u-link.wit");
    std::os::unix::fs::symlink("u.wit", &fmt_link).unwrap();
    let out = weft(&["wit", "fmt", path(&fmt_link)]);
    assert!(out.status.success(), "{}", stderr(&out));
    assert!(fs::symlink_metadata(&fmt_link)
        .unwrap()
        .file_type()
        .is_symlink());
    assert_eq!(
        fs::read_to_string(&unformatted).unwrap(),
        "package a:b;\n\nworld w {}\n"
    );
}

/// `-o DIR` says the path is a directory; `-o -` writes to stdout.
#[test]
fn directories_and_stdout() {
    let dir = scratch("dir-and-stdout");
    let wit = dir.join("w.wit");
    fs::write(&wit, WIT).unwrap();
    let out = weft(&["wit", "print", path(&wit), "--wasm", "-o", path(&dir)]);
    assert_eq!(out.status.code(), Some(1));
    assert!(
        stderr(&out).contains("it is a directory"),
        "{}",
        stderr(&out)
    );
    let out = weft(&["wit", "print", path(&wit), "--wasm", "-o", "-"]);
    assert!(out.status.success(), "{}", stderr(&out));
    assert!(out.stdout.starts_with(b"\0asm"));
    assert!(!Path::new(env!("CARGO_MANIFEST_DIR")).join("-").exists());
}

/// `weft wit` of a file with nested packages prints them too, so its output resolves again.
#[test]
fn printed_wit_resolves_again() {
    let dir = scratch("self-contained");
    let input =
        Path::new(env!("CARGO_MANIFEST_DIR")).join("../weft-wit/tests/wit/nested-packages.wit");
    let printed = dir.join("printed.wit");
    let out = weft(&["wit", "print", path(&input), "-o", path(&printed)]);
    assert!(out.status.success(), "{}", stderr(&out));
    let text = fs::read_to_string(&printed).unwrap();
    assert!(text.contains("package test:inner {"), "{text}");
    let out = weft(&["wit", "check", path(&printed)]);
    assert!(out.status.success(), "{}", stderr(&out));
}

/// A syntax error in a `.wat` input names the file, line and column, whichever command reads
/// it.
#[test]
fn wat_errors_name_the_file() {
    let dir = scratch("wat-errors");
    let broken = dir.join("broken.wat");
    fs::write(&broken, "(component\n  (oops))\n").unwrap();
    let b = path(&broken);
    for args in [
        vec!["wit", b],
        vec!["inspect", b],
        vec!["run", "--invoke", "f()", b],
        vec!["compose", b, "-d", b],
    ] {
        fails_with(&args, "broken.wat:2:");
    }
}

/// A FIFO (or a device such as `/dev/null`) is written, not replaced by a regular file.
#[test]
fn special_files_are_written_not_replaced() {
    let dir = scratch("fifo");
    let wit = dir.join("w.wit");
    fs::write(&wit, WIT).unwrap();
    let fifo = dir.join("out.fifo");
    let made = std::process::Command::new("mkfifo").arg(&fifo).status();
    if !made.is_ok_and(|s| s.success()) {
        println!("skipped: `mkfifo` is not available");
        return;
    }
    let reader = {
        let fifo = fifo.clone();
        std::thread::spawn(move || fs::read(fifo).unwrap())
    };
    let out = weft(&["wit", "print", path(&wit), "--wasm", "-o", path(&fifo)]);
    assert!(out.status.success(), "{}", stderr(&out));
    assert!(reader.join().unwrap().starts_with(b"\0asm"));
    use std::os::unix::fs::FileTypeExt as _;
    assert!(fs::symlink_metadata(&fifo).unwrap().file_type().is_fifo());
}

/// A file of a WIT package directory is an input even when it is a link to a file elsewhere.
#[test]
fn linked_package_files_are_inputs() {
    let dir = scratch("linked-package");
    let common = dir.join("common");
    let package = dir.join("package");
    fs::create_dir_all(&common).unwrap();
    fs::create_dir_all(&package).unwrap();
    let real = common.join("a.wit");
    fs::write(&real, format!("// keep this comment\n{WIT}")).unwrap();
    std::os::unix::fs::symlink("../common/a.wit", package.join("a.wit")).unwrap();
    let before = fs::read(&real).unwrap();
    fails_with(
        &["wit", path(&package), "-o", path(&package.join("a.wit"))],
        "would replace the input",
    );
    assert_eq!(fs::read(&real).unwrap(), before);
}

/// `weft wit PATH [FLAGS] print` takes the flags given before `print` too.
#[test]
fn flags_before_print_are_kept() {
    let dir = scratch("flags-before-print");
    let wit = dir.join("w.wit");
    fs::write(&wit, WIT).unwrap();
    let out_file = dir.join("out.wit");
    let out = weft(&["wit", path(&wit), "-o", path(&out_file), "print"]);
    assert!(out.status.success(), "{}", stderr(&out));
    assert_eq!(fs::read_to_string(&out_file).unwrap(), WIT);
    // Usage errors, which clap cannot see: exit 2.
    for (args, needle) in [
        (
            vec!["wit", path(&wit), "print", path(&wit)],
            "error: the path is given both before and after `print`",
        ),
        (
            vec!["wit", path(&wit), "--json", "print", "--wasm"],
            "error: `--json` and `--wasm` are two different outputs: choose one",
        ),
    ] {
        let out = weft(&args);
        assert_eq!(
            out.status.code(),
            Some(2),
            "weft {args:?}: {}",
            stderr(&out)
        );
        assert!(
            stderr(&out).starts_with(needle),
            "weft {args:?}: {}",
            stderr(&out)
        );
    }
}
