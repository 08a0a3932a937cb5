//! `weft compose` end to end: two WAT components (a resource, `own` and `borrow`, crossing the
//! boundary) composed, then run with `weft run --invoke`; the same for a Python component
//! (componentize-py) whose import a JavaScript component (componentize-js) plugs.

mod common;

use std::ffi::OsStr;
use std::path::{Path, PathBuf};

fn weft(args: &[&OsStr]) -> (bool, String, String) {
    let out = common::run(args).unwrap();
    (
        out.status.success(),
        String::from_utf8_lossy(&out.stdout).into_owned(),
        String::from_utf8_lossy(&out.stderr).into_owned(),
    )
}

/// `weft run --invoke CALL COMPONENT`: whether it succeeded, stdout and stderr.
fn invoke(component: &Path, call: &str) -> (bool, String, String) {
    weft(&[
        "run".as_ref(),
        "--invoke".as_ref(),
        call.as_ref(),
        component.as_os_str(),
    ])
}

/// Runs `call` on `component` with `weft run --invoke`; it must succeed and print `expected`.
fn assert_invokes(component: &Path, call: &str, expected: &str) {
    let (ok, stdout, stderr) = invoke(component, call);
    let shown = component.display();
    assert!(ok, "weft run --invoke '{call}' {shown} failed: {stderr}");
    assert_eq!(stdout, expected, "weft run --invoke '{call}' {shown}");
}

/// weft-compose's corpus of composition cases.
fn corpus() -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR")).join("../weft-compose/tests/corpus")
}

fn case(name: &str) -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR"))
        .join("tests")
        .join("compose")
        .join(name)
}

fn scratch(name: &str) -> PathBuf {
    let dir = Path::new(env!("CARGO_TARGET_TMPDIR")).join("compose-cli");
    std::fs::create_dir_all(&dir).expect("scratch dir");
    dir.join(name)
}

#[test]
fn composed_resources_run() {
    let out = scratch("counter.wasm");
    for flag in ["-d", "--definitions", "--plug"] {
        let (ok, _, stderr) = weft(&[
            "compose".as_ref(),
            case("counter-user.wat").as_os_str(),
            flag.as_ref(),
            case("counters.wat").as_os_str(),
            "-o".as_ref(),
            out.as_os_str(),
        ]);
        assert!(ok, "weft compose {flag} failed: {stderr}");
        // run(v): make a counter of v (own), read it through a borrow (v * 100), drop it, + 1.
        assert_invokes(&out, "run(5)", "501\n");
    }
    let _ = std::fs::remove_file(&out);
}

#[test]
fn unplugged_plug_is_an_error() {
    let (ok, _, stderr) = weft(&[
        "compose".as_ref(),
        case("counters.wat").as_os_str(),
        "--plug".as_ref(),
        case("counter-user.wat").as_os_str(),
        "-o".as_ref(),
        scratch("never.wasm").as_os_str(),
    ]);
    assert!(!ok);
    assert!(
        stderr.contains("plugs no import of"),
        "unexpected error: {stderr}"
    );
}

/// `--config`: the composition file picks which of two candidates plugs an import, and plugs
/// one under another name; what runs shows which export was used.
#[test]
fn composition_file_wires_explicitly() {
    let corpus = corpus();
    // a.wat answers 1, b.wat answers 2; the root adds 1.
    for (dir, expected) in [("config-ambiguous", "3\n"), ("config-rename", "2\n")] {
        let out = scratch(&format!("{dir}.wasm"));
        let (ok, _, stderr) = weft(&[
            "compose".as_ref(),
            "--config".as_ref(),
            corpus.join(dir).join("compose.toml").as_os_str(),
            "-o".as_ref(),
            out.as_os_str(),
        ]);
        assert!(ok, "weft compose --config ({dir}) failed: {stderr}");
        assert_invokes(&out, "run()", expected);
        let _ = std::fs::remove_file(&out);
    }
}

/// The calls of the cross-language composition and what they return: Python's `report`,
/// `tally` and `parse` (fixtures/xlang/app.py), each calling into JavaScript
/// (fixtures/xlang/provider.js) for strings, a record with an option, an enum, lists, a
/// result and its error, and a resource made, borrowed, merged and dropped across the
/// boundary. `scripts/crosscheck-run.py` runs the same calls under wasmtime.
const XLANG_CALLS: &[(&str, &str)] = &[
    (
        r#"report("the quick brown fox jumps over the lazy dog")"#,
        r#""reverse: god yzal eht revo spmuj xof nworb kciuq eht | words: 9 | chars: 43 | longest: quick | upper: THE QUICK BROWN FOX JUMPS OVER THE LAZY DOG | title: The Quick Brown Fox Jumps Over The Lazy Dog""#,
    ),
    (
        r#"report("")"#,
        r#""reverse:  | words: 0 | chars: 0 | longest: (none) | upper:  | title: ""#,
    ),
    (
        r#"report("héllo wörld 😀")"#,
        r#""reverse: 😀 dlröw olléh | words: 3 | chars: 13 | longest: héllo | upper: HÉLLO WÖRLD 😀 | title: Héllo Wörld 😀""#,
    ),
    (
        r#"tally(["apple", "pear", "apple"], ["pear", "fig", "pear"])"#,
        r#""left: apple x2; right: pear x2; both: pear x3 of 6""#,
    ),
    (
        r#"tally([], [])"#,
        r#""left: empty; right: empty; both: empty of 0""#,
    ),
    (
        r#"parse("-9223372036854775808")"#,
        "ok(-9223372036854775808)",
    ),
    (
        r#"parse("nope")"#,
        r#"err("python: not an integer: \"nope\"")"#,
    ),
    (
        r#"parse("9223372036854775808")"#,
        r#"err("python: out of range for s64: 9223372036854775808")"#,
    ),
];

/// Cross-language composition: componentize-py's `py-consumer` imports `weft:xlang/text`,
/// which componentize-js's `js-provider` exports; `weft compose` links them into one
/// component, which is valid, imports only the Python side's WASI, and runs. Skipped (and
/// passing) when `fixtures/build.sh` has not built the two fixtures.
#[test]
fn python_composed_with_javascript_runs() {
    let fixtures = Path::new(env!("CARGO_MANIFEST_DIR")).join("../../target/fixtures");
    let (consumer, provider) = (
        fixtures.join("py-consumer.wasm"),
        fixtures.join("js-provider.wasm"),
    );
    for f in [&consumer, &provider] {
        if !f.exists() {
            eprintln!(
                "skipped: `{}` does not exist; run `fixtures/build.sh` to build the real-toolchain fixtures",
                f.display()
            );
            return;
        }
    }
    let out = scratch("xlang.wasm");
    let (ok, _, stderr) = weft(&[
        "compose".as_ref(),
        consumer.as_os_str(),
        "-d".as_ref(),
        provider.as_os_str(),
        "-o".as_ref(),
        out.as_os_str(),
    ]);
    assert!(ok, "weft compose failed: {stderr}");

    let (ok, wit, stderr) = weft(&["wit".as_ref(), out.as_os_str()]);
    assert!(ok, "weft wit failed: {stderr}");
    let imports: Vec<&str> = wit
        .lines()
        .map(str::trim)
        .filter(|l| l.starts_with("import "))
        .collect();
    assert!(
        !imports.is_empty() && imports.iter().all(|l| l.starts_with("import wasi:")),
        "the composition should import only WASI (the plugged weft:xlang/text is gone): {imports:?}"
    );
    for export in [
        "export report: func",
        "export tally: func",
        "export parse: func",
    ] {
        assert!(wit.contains(export), "no `{export}` in:\n{wit}");
    }

    let mut failures = Vec::new();
    for (call, expected) in XLANG_CALLS {
        let (ok, stdout, stderr) = invoke(&out, call);
        if !ok || stdout.trim_end() != *expected {
            failures.push(format!(
                "{call}: expected {expected}\n  got (ok: {ok}) {stdout}{stderr}"
            ));
        }
    }
    assert!(failures.is_empty(), "{}", failures.join("\n"));
    let _ = std::fs::remove_file(&out);
}

/// A large composition (written to a temporary file and mapped back to be validated) whose
/// definition has an invalid function body: the error names the definition, the file `-o`
/// names keeps what it held, and no temporary file is left beside it.
#[test]
fn invalid_large_input_leaves_the_output_alone() {
    let dir = scratch("invalid-large");
    let _ = std::fs::remove_dir_all(&dir);
    std::fs::create_dir_all(&dir).unwrap();
    let nops = "nop ".repeat(50_000);
    let funcs: String = (0..30).map(|i| format!("(func $f{i} {nops})\n")).collect();
    let definition = format!(
        r#"(component
  (core module $m {funcs}
    (func (export "get") (result i32) i32.const 41 i32.add))
  (core instance $i (instantiate $m))
  (func $get (result u32) (canon lift (core func $i "get")))
  (instance $x (export "get" (func $get)))
  (export "test:demo/answer" (instance $x)))"#
    );
    let def = dir.join("big.wat");
    std::fs::write(&def, definition).unwrap();
    let root =
        Path::new(env!("CARGO_MANIFEST_DIR")).join("../weft-compose/tests/corpus/simple/root.wat");
    let out = dir.join("out.wasm");
    std::fs::write(&out, b"precious").unwrap();
    let (ok, _, stderr) = weft(&[
        "compose".as_ref(),
        root.as_os_str(),
        "-d".as_ref(),
        def.as_os_str(),
        "-o".as_ref(),
        out.as_os_str(),
    ]);
    assert!(!ok, "composing an invalid definition succeeded");
    assert!(
        stderr.contains("big.wat") && stderr.contains("type mismatch"),
        "unexpected error: {stderr}"
    );
    assert_eq!(std::fs::read(&out).unwrap(), b"precious");
    let left: Vec<_> = std::fs::read_dir(&dir)
        .unwrap()
        .map(|e| e.unwrap().file_name().to_string_lossy().into_owned())
        .filter(|n| n != "big.wat" && n != "out.wasm")
        .collect();
    assert!(left.is_empty(), "left behind: {left:?}");
}

/// A definition that plugs nothing is left out of the composition, with a note on stderr.
#[test]
fn unused_definition_is_noted() {
    let corpus = corpus();
    let out = scratch("unused-definition.wasm");
    let (ok, _, stderr) = weft(&[
        "compose".as_ref(),
        corpus.join("simple/root.wat").as_os_str(),
        "-d".as_ref(),
        corpus.join("simple/a.wat").as_os_str(),
        "-d".as_ref(),
        corpus.join("plug-unused/b.wat").as_os_str(),
        "-o".as_ref(),
        out.as_os_str(),
    ]);
    assert!(ok, "weft compose failed: {stderr}");
    assert_eq!(
        stderr.lines().collect::<Vec<_>>(),
        [format!(
            "note: `{}` plugs no import, so it is not part of the composition",
            corpus.join("plug-unused/b.wat").display()
        )]
    );
    assert_invokes(&out, "run()", "42\n");
    let _ = std::fs::remove_file(&out);
}

/// A root exporting a core module: the composition is valid and its function runs.
#[test]
fn root_exporting_a_core_module() {
    let corpus = corpus();
    let out = scratch("module-export.wasm");
    let (ok, _, stderr) = weft(&[
        "compose".as_ref(),
        case("module-export.wat").as_os_str(),
        "-d".as_ref(),
        corpus.join("simple/a.wat").as_os_str(),
        "-o".as_ref(),
        out.as_os_str(),
    ]);
    assert!(ok, "weft compose failed: {stderr}");
    assert_invokes(&out, "get()", "41\n");
    let _ = std::fs::remove_file(&out);
}

/// The command line's mistakes, each named: a root written after `-d` (which took it), a
/// component given twice, a WIT package, a file that is not WebAssembly, and WAT errors with
/// the file's name.
#[test]
fn command_line_mistakes_are_named() {
    let corpus = corpus();
    let root = corpus.join("simple/root.wat");
    let a = corpus.join("simple/a.wat");
    let out = scratch("mistakes.wasm");
    let fails_with = |args: &[&OsStr], needle: &str| {
        let (ok, _, stderr) = weft(args);
        assert!(!ok, "{args:?} succeeded");
        assert!(stderr.contains(needle), "{args:?}: {stderr}");
        assert!(!stderr.contains("panicked"), "{args:?}: {stderr}");
    };
    let o = out.as_os_str();
    let (compose, d, dash_o) = ("compose".as_ref(), "-d".as_ref(), "-o".as_ref());
    fails_with(
        &[compose, d, a.as_os_str(), root.as_os_str(), dash_o, o],
        "no root component: `-d` takes every path after it",
    );
    fails_with(
        &[
            compose,
            root.as_os_str(),
            d,
            a.as_os_str(),
            a.as_os_str(),
            dash_o,
            o,
        ],
        "is given twice",
    );

    let dir = scratch("mistakes");
    std::fs::create_dir_all(&dir).unwrap();
    let package = dir.join("package.wasm");
    let hello = Path::new(env!("CARGO_MANIFEST_DIR")).join("../../examples/hello");
    let (ok, _, stderr) = weft(&[
        "wit".as_ref(),
        hello.as_os_str(),
        "--wasm".as_ref(),
        dash_o,
        package.as_os_str(),
    ]);
    assert!(ok, "{stderr}");
    fails_with(
        &[compose, root.as_os_str(), d, package.as_os_str(), dash_o, o],
        "is a WIT package encoded as a component",
    );
    let garbage = dir.join("garbage.wasm");
    std::fs::write(&garbage, "garbage\n").unwrap();
    fails_with(
        &[compose, garbage.as_os_str(), d, a.as_os_str(), dash_o, o],
        "is not WebAssembly: not a WebAssembly binary: it starts with `67 61 72",
    );
    let broken = dir.join("broken.wat");
    std::fs::write(&broken, "(component (oops))\n").unwrap();
    fails_with(
        &[compose, broken.as_os_str(), d, a.as_os_str(), dash_o, o],
        "broken.wat:1:",
    );
    assert!(!out.exists(), "a failed composition wrote its output");
}
