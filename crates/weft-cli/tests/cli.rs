//! Tests of the `weft` binary, one file per case (STYLE.md convention 10).
//!
//! Each `tests/cli/*.wit` file starts with directives naming commands to run against the
//! built binary:
//!
//! ```text
//! // RUN: wit check %            must exit 0
//! // FAIL: wit check %           must exit 1
//! // FAIL(2): wit frobnicate     must exit with this code (2 = usage error)
//! // RUN[world]: wit print % -w w   a named directive
//! ```
//!
//! `%` is the test file's path relative to this crate (so paths in output are stable), and
//! `%dir` anywhere in an argument is `tests/cli`. Arguments are split on whitespace. The n-th directive of `foo.wit`
//! (counting from 1) compares its stdout and stderr with `foo.wit.<n>.stdout` and
//! `foo.wit.<n>.stderr`; a named one uses the name instead of `n`. Empty output is expected
//! as a missing file. `UPDATE_EXPECT=1` rewrites the expectations.
//!
//! Behaviour that needs files on disk (fmt rewriting in place, `-o`) or a closed pipe is
//! tested by the trials at the end of this file, and so are the command outputs shown in
//! README.md (the `<!-- readme:… -->` sections), which are regenerated from real runs.

use std::fs;
use std::io::Read as _;
use std::path::{Path, PathBuf};
use std::process::Stdio;

mod common;
use common::{describe, parse_directives, run, scratch_dir, weft, Check, Syntax, WEFT};

const SYNTAX: Syntax = Syntax {
    cases: "tests/cli",
    extensions: &["wit"],
    comments: &["// "],
    scratch: None,
    trial: "cli-cases",
};

fn main() {
    let programmatic: [(&str, Check); 8] = [
        ("binary_input_is_named", binary_input_is_named),
        ("directive_syntax", directive_syntax),
        ("readme_examples", readme_examples),
        (
            "fmt_rewrites_only_changed_files",
            fmt_rewrites_only_changed_files,
        ),
        (
            "fmt_reports_every_broken_file",
            fmt_reports_every_broken_file,
        ),
        ("print_to_output_file", print_to_output_file),
        ("broken_pipe_exits_zero", broken_pipe_exits_zero),
        ("large_package", large_package),
    ];
    common::main(&SYNTAX, &programmatic);
}

/// A package of 300 KB in 6 files, more than `weft wit` takes as large (it tunes the heap for
/// it, and weft-wit parses it on two threads), prints and encodes as its binary form does,
/// which is read without either.
fn large_package() -> Result<(), String> {
    let dir = scratch("large-package")?;
    let pkg = dir.join("pkg");
    for f in 0..6 {
        let mut text = if f == 0 {
            "package big:pkg@1.0.0;\n\nworld w {\n  import i0;\n  export i5;\n}\n".to_string()
        } else {
            String::new()
        };
        text.push_str(&format!("\ninterface i{f} {{\n"));
        if f > 0 {
            text.push_str(&format!("  use i{}.{{r0 as p0}};\n", f - 1));
        }
        for t in 0..500 {
            let first = match (f, t) {
                (0, 0) => "u8",
                (0, _) => "r0",
                _ => "p0",
            };
            text.push_str(&format!(
                "  /// The record r{t}.\n  record r{t} {{ a: u32, b: list<string>, c: option<tuple<s8, {first}>> }}\n  get{t}: func(x: r{t}, y: list<r{t}>) -> result<r{t}, string>;\n",
            ));
        }
        text.push_str("}\n");
        write(&pkg.join(format!("part{f}.wit")), &text)?;
    }
    let bytes: u64 = fs::read_dir(&pkg)
        .map_err(|e| e.to_string())?
        .filter_map(|e| e.ok()?.metadata().ok())
        .map(|m| m.len())
        .sum();
    if bytes < 300_000 {
        return Err(format!("the package is only {bytes} bytes"));
    }
    let pkg_arg = pkg.to_string_lossy().to_string();
    let wasm = dir.join("pkg.wasm").to_string_lossy().to_string();
    let ok = |args: &[&str]| -> Result<Vec<u8>, String> {
        let out = run(args)?;
        match out.status.success() {
            true => Ok(out.stdout),
            false => Err(format!("weft {args:?} failed:\n{}", describe(&out))),
        }
    };
    ok(&["wit", &pkg_arg, "--wasm", "-o", &wasm])?;
    let text = ok(&["wit", "print", &pkg_arg])?;
    if text != ok(&["wit", "print", &wasm])? {
        return Err("the package and its binary form print differently".to_string());
    }
    let text = String::from_utf8_lossy(&text);
    for needle in [
        "record r499 {",
        "get499: func(x: r499, y: list<r499>)",
        "use i4.{r0 as p0};",
    ] {
        if !text.contains(needle) {
            return Err(format!("`{needle}` is missing from the printed package"));
        }
    }
    Ok(())
}

/// A fresh, empty directory for one test.
fn scratch(name: &str) -> Result<PathBuf, String> {
    scratch_dir(Path::new("weft-cli-tests").join(name))
}

fn write(path: &Path, text: &str) -> Result<(), String> {
    if let Some(parent) = path.parent() {
        fs::create_dir_all(parent)
            .map_err(|e| format!("failed to create `{}`: {e}", parent.display()))?;
    }
    fs::write(path, text).map_err(|e| format!("failed to write `{}`: {e}", path.display()))
}

fn read(path: &Path) -> Result<String, String> {
    fs::read_to_string(path).map_err(|e| format!("failed to read `{}`: {e}", path.display()))
}

const UNFORMATTED: &str =
    "package a:b;\ninterface  i {\n  // keep me\n  f:func( x:u32 )->string;\n}\n";

/// `weft wit fmt DIR` rewrites changed files only, leaves `deps/` alone, and is idempotent.
fn fmt_rewrites_only_changed_files() -> Result<(), String> {
    let dir = scratch("fmt-in-place")?;
    let (main, dep) = (dir.join("main.wit"), dir.join("deps").join("dep.wit"));
    write(&main, UNFORMATTED)?;
    write(&dep, UNFORMATTED)?;
    let dir_arg = dir.to_string_lossy().to_string();

    let out = run(&["wit", "fmt", "--check", &dir_arg])?;
    if out.status.code() != Some(1) || !String::from_utf8_lossy(&out.stdout).contains("main.wit") {
        return Err(format!(
            "`fmt --check` should list main.wit and exit 1:\n{}",
            describe(&out)
        ));
    }
    if read(&main)? != UNFORMATTED {
        return Err("`fmt --check` modified a file".to_string());
    }

    let out = run(&["wit", "fmt", &dir_arg])?;
    if !out.status.success() {
        return Err(format!("`fmt` failed:\n{}", describe(&out)));
    }
    let formatted = read(&main)?;
    if formatted == UNFORMATTED || !formatted.contains("// keep me") {
        return Err(format!(
            "main.wit was not reformatted with its comment kept:\n{formatted}"
        ));
    }
    if read(&dep)? != UNFORMATTED {
        return Err("`fmt DIR` must not touch DIR/deps".to_string());
    }
    // The rewrite goes through a temporary file that is renamed over the original: nothing
    // else is left in the directory.
    let mut names: Vec<String> = fs::read_dir(&dir)
        .map_err(|e| e.to_string())?
        .filter_map(|e| e.ok().map(|e| e.file_name().to_string_lossy().into_owned()))
        .collect();
    names.sort();
    if names != ["deps", "main.wit"] {
        return Err(format!("`fmt` left other files behind: {names:?}"));
    }

    // Formatting again changes nothing, and an unchanged file is not rewritten.
    let before = fs::metadata(&main)
        .and_then(|m| m.modified())
        .map_err(|e| e.to_string())?;
    std::thread::sleep(std::time::Duration::from_millis(20));
    let out = run(&["wit", "fmt", &dir_arg])?;
    let after = fs::metadata(&main)
        .and_then(|m| m.modified())
        .map_err(|e| e.to_string())?;
    if !out.status.success() || read(&main)? != formatted || before != after {
        return Err(format!("second `fmt` was not a no-op:\n{}", describe(&out)));
    }
    let out = run(&["wit", "fmt", "--check", &dir_arg])?;
    if !out.status.success() || !out.stdout.is_empty() {
        return Err(format!(
            "`fmt --check` on formatted files should be silent:\n{}",
            describe(&out)
        ));
    }
    Ok(())
}

/// A syntax error in one file is reported with its location; the other files still format.
fn fmt_reports_every_broken_file() -> Result<(), String> {
    let dir = scratch("fmt-broken")?;
    let (good, bad1, bad2) = (dir.join("a.wit"), dir.join("b.wit"), dir.join("c.wit"));
    write(&good, UNFORMATTED)?;
    write(&bad1, "package a:b;\ninterface i {\n  f: func(;\n}\n")?;
    write(&bad2, "package a:c;\nworld w { import }\n")?;
    let out = run(&["wit", "fmt", &dir.to_string_lossy()])?;
    let stderr = String::from_utf8_lossy(&out.stderr);
    if out.status.code() != Some(1) {
        return Err(format!("expected exit 1:\n{}", describe(&out)));
    }
    for needle in ["b.wit:3:", "c.wit:2:"] {
        if !stderr.contains(needle) {
            return Err(format!(
                "stderr should point at `{needle}`:\n{}",
                describe(&out)
            ));
        }
    }
    if stderr.matches("error: ").count() != 2 {
        return Err(format!("expected two `error:` lines:\n{}", describe(&out)));
    }
    if read(&good)? == UNFORMATTED {
        return Err("a.wit should have been formatted despite the other errors".to_string());
    }
    Ok(())
}

/// `weft wit print -o FILE` (and `--json -o`, `json -o`) writes what stdout would show; an
/// unwritable `-o` is an error.
fn print_to_output_file() -> Result<(), String> {
    let dir = scratch("print-output")?;
    let input = dir.join("in.wit");
    write(
        &input,
        "package a:b;\ninterface i { f: func(); }\nworld w { export i; }\n",
    )?;
    let input = input.to_string_lossy().to_string();
    let stdout = run(&["wit", "print", &input])?;
    if !stdout.status.success() {
        return Err(format!("`print` failed:\n{}", describe(&stdout)));
    }
    let target = dir.join("out.wit");
    let out = run(&["wit", "print", &input, "-o", &target.to_string_lossy()])?;
    if !out.status.success() || !out.stdout.is_empty() {
        return Err(format!(
            "`print -o` should succeed silently:\n{}",
            describe(&out)
        ));
    }
    if read(&target)?.as_bytes() != stdout.stdout.as_slice() {
        return Err("`print -o` wrote something other than what stdout shows".to_string());
    }
    // The JSON too, by either spelling.
    let json = run(&["wit", "json", &input])?;
    for args in [
        ["wit", &input, "--json", "-o"],
        ["wit", "json", &input, "-o"],
    ] {
        let target = dir.join("out.json");
        let mut argv = args.to_vec();
        let target_arg = target.to_string_lossy().to_string();
        argv.push(&target_arg);
        let out = run(&argv)?;
        if !out.status.success() || !out.stdout.is_empty() {
            return Err(format!(
                "`{argv:?}` should succeed silently:\n{}",
                describe(&out)
            ));
        }
        if !json.status.success() || read(&target)?.as_bytes() != json.stdout.as_slice() {
            return Err(format!(
                "`{argv:?}` wrote something other than `wit json` shows"
            ));
        }
    }
    let bad = dir.join("no-such-dir").join("out.wit");
    let out = run(&["wit", "print", &input, "-o", &bad.to_string_lossy()])?;
    let stderr = String::from_utf8_lossy(&out.stderr);
    if out.status.code() != Some(1) || !stderr.starts_with("error: failed to write `") {
        return Err(format!(
            "an unwritable `-o` should fail with exit 1:\n{}",
            describe(&out)
        ));
    }
    Ok(())
}

/// A WebAssembly binary given where WIT is expected is decoded whatever its extension (an
/// empty component here); a core module, or a non-UTF-8 text file, is named as such, with
/// exit 1.
fn binary_input_is_named() -> Result<(), String> {
    let dir = scratch("binary-input")?;
    let input = dir.join("component.wit");
    std::fs::write(&input, b"\0asm\x0d\0\x01\0").map_err(|e| e.to_string())?;
    let out = run(&["wit", "check", &input.to_string_lossy()])?;
    let stdout = String::from_utf8_lossy(&out.stdout);
    if out.status.code() != Some(0) || !stdout.contains("ok: root:component") {
        return Err(format!(
            "a component binary should be decoded:\n{}",
            describe(&out)
        ));
    }
    let module = dir.join("module.wasm");
    std::fs::write(&module, b"\0asm\x01\0\0\0").map_err(|e| e.to_string())?;
    let out = run(&["wit", "check", &module.to_string_lossy()])?;
    let stderr = String::from_utf8_lossy(&out.stderr);
    if out.status.code() != Some(1) || !stderr.contains("this is a core module, not a component") {
        return Err(format!(
            "a core module should be named as such:\n{}",
            describe(&out)
        ));
    }
    let latin1 = dir.join("latin1.wit");
    std::fs::write(&latin1, b"package a:b;\n// caf\xe9\n").map_err(|e| e.to_string())?;
    let out = run(&["wit", "check", &latin1.to_string_lossy()])?;
    let stderr = String::from_utf8_lossy(&out.stderr);
    if out.status.code() != Some(1)
        || !stderr.contains("is not valid UTF-8 (invalid byte at offset 19)")
    {
        return Err(format!(
            "a non-UTF-8 input should be named as such:\n{}",
            describe(&out)
        ));
    }
    Ok(())
}

/// `weft wit json x | head -c0`: the reader goes away, weft exits 0 without a message.
fn broken_pipe_exits_zero() -> Result<(), String> {
    let mut child = weft(&["wit", "json", "../../examples/hello"])
        .stdout(Stdio::piped())
        .stderr(Stdio::piped())
        .spawn()
        .map_err(|e| format!("failed to run `{WEFT}`: {e}"))?;
    drop(child.stdout.take()); // close the read end before weft writes
    let mut stderr = String::new();
    if let Some(mut err) = child.stderr.take() {
        let _ = err.read_to_string(&mut stderr);
    }
    let status = child.wait().map_err(|e| e.to_string())?;
    if !status.success() || !stderr.is_empty() {
        return Err(format!(
            "expected a quiet exit 0, got {status}; stderr:\n{stderr}"
        ));
    }
    Ok(())
}

/// The `<!-- readme:NAME -->` sections of README.md: real runs of `weft` from the repository
/// root. `UPDATE_EXPECT=1` rewrites them; otherwise stale output fails the test.
fn readme_examples() -> Result<(), String> {
    let examples: [(&str, &[&str], usize); 5] = [
        ("check", &["wit", "check", "examples/hello"], usize::MAX),
        (
            "check-error",
            &["wit", "check", "examples/typo.wit"],
            usize::MAX,
        ),
        ("print", &["wit", "print", "examples/hello"], usize::MAX),
        (
            "fmt",
            &[
                "wit",
                "fmt",
                "--check",
                "examples/hello",
                "examples/unformatted.wit",
            ],
            usize::MAX,
        ),
        ("json", &["wit", "json", "examples/hello"], 24),
    ];
    common::readme_examples(&examples)
}

/// Directives are parsed strictly: a typo in a test file is an error, not a skipped check.
fn directive_syntax() -> Result<(), String> {
    let file = Path::new("tests/cli/x.wit");
    let ok = parse_directives(
        &SYNTAX,
        file,
        "// RUN: wit check %\n// FAIL(2)[u]: wit %dir/y\n// FAIL: x\n",
        None,
    )?;
    let summary: Vec<_> = ok
        .iter()
        .map(|d| (d.label.as_deref(), d.expected_code, d.args.join(" ")))
        .collect();
    let want = [
        (Some("1"), 0, "wit check tests/cli/x.wit".to_string()),
        (Some("u"), 2, "wit tests/cli/y".to_string()),
        (Some("3"), 1, "x".to_string()),
    ];
    if summary != want {
        return Err(format!("parsed {summary:?}, expected {want:?}"));
    }
    let bad = [
        (
            "package a:b;\n",
            "tests/cli/x.wit: no `// RUN:` or `// FAIL:` directive",
        ),
        (
            "// RUN wit check %\n",
            "tests/cli/x.wit:1: expected `:` after the directive",
        ),
        (
            "// FAIL(x): wit\n",
            "tests/cli/x.wit:1: `x` is not an exit code",
        ),
        (
            "// FAIL(2: wit\n",
            "tests/cli/x.wit:1: missing `)` after the exit code",
        ),
        (
            "// RUN[a: wit\n",
            "tests/cli/x.wit:1: missing `]` after the name",
        ),
        (
            "// RUN[a]: x\n// RUN[a]: y\n",
            "tests/cli/x.wit:2: a second directive labelled `a`",
        ),
    ];
    for (text, want) in bad {
        match parse_directives(&SYNTAX, file, text, None) {
            Err(e) if e == want => {}
            other => {
                return Err(format!(
                    "for {text:?}: expected error {want:?}, got {:?}",
                    other.map(|d| d.len())
                ))
            }
        }
    }
    Ok(())
}
