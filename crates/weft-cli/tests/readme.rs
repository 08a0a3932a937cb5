//! README.md's walk-through of the binary commands (`weft wit PATH --wasm`, `weft embed`,
//! `weft new`): the `<!-- readme:… -->` sections below are regenerated from real runs, the way
//! `tests/cli.rs` and `tests/inspect.rs` regenerate theirs.
//!
//! These commands write files, so they run as a reader of the README would run them: in order,
//! in one working directory, which here is a scratch directory holding a copy of `examples/`
//! (so `examples/…` paths read as they do from the repository root, and every `-o` file lands in
//! the scratch directory, never in the repository). Each command's exit code is checked too.
//! `UPDATE_EXPECT=1` rewrites the sections; otherwise stale output fails the test.

use std::fs;
use std::path::{Path, PathBuf};

use weft_test_util::{expect_section, repo_root};

mod common;

/// One command of a section: its arguments, the exit code it must have, and how many lines of
/// its output to show (the rest becomes `…`).
struct Step {
    args: &'static [&'static str],
    code: i32,
    max_lines: usize,
}

const fn run(args: &'static [&'static str]) -> Step {
    Step {
        args,
        code: 0,
        max_lines: usize::MAX,
    }
}

const fn head(args: &'static [&'static str], max_lines: usize) -> Step {
    Step {
        args,
        code: 0,
        max_lines,
    }
}

const fn fail(args: &'static [&'static str]) -> Step {
    Step {
        args,
        code: 1,
        max_lines: usize::MAX,
    }
}

/// The sections, in README order; later ones use files earlier ones wrote.
fn sections() -> Vec<(&'static str, Vec<Step>)> {
    vec![
        (
            "wit-wasm",
            vec![
                run(&["wit", "examples/hello", "--wasm", "-o", "hello.wasm"]),
                head(&["wit", "hello.wasm"], 25),
            ],
        ),
        (
            "embed",
            vec![
                run(&[
                    "embed",
                    "examples/greeter.wat",
                    "--wit",
                    "examples/hello",
                    "-o",
                    "greeter.core.wasm",
                ]),
                run(&["inspect", "greeter.core.wasm"]),
            ],
        ),
        (
            "new",
            vec![
                run(&["new", "greeter.core.wasm", "-o", "greeter.wasm"]),
                head(&["wit", "greeter.wasm"], 8),
            ],
        ),
        (
            "new-preview1",
            vec![
                run(&["new", "examples/hello-c.wat", "-o", "hello-c.wasm"]),
                run(&["wit", "hello-c.wasm", "--world", "root"]),
            ],
        ),
        (
            "run",
            vec![
                run(&[
                    "run",
                    "--invoke",
                    "greet(\"Ada\")",
                    "examples/hello-component.wat",
                ]),
                run(&[
                    "run",
                    "--invoke",
                    "greet(\"Grüße, 世界\")",
                    "examples/hello-component.wat",
                ]),
            ],
        ),
        (
            "run-errors",
            vec![
                fail(&[
                    "run",
                    "--invoke",
                    "greet(42)",
                    "examples/hello-component.wat",
                ]),
                fail(&[
                    "run",
                    "--invoke",
                    "greeting()",
                    "examples/hello-component.wat",
                ]),
            ],
        ),
        (
            "compose",
            vec![
                run(&[
                    "compose",
                    "examples/compose/counter-user.wat",
                    "-d",
                    "examples/compose/counters.wat",
                    "-o",
                    "counter.wasm",
                ]),
                run(&["wit", "counter.wasm"]),
                run(&["run", "--invoke", "run(5)", "counter.wasm"]),
                run(&["inspect", "--graph", "counter.wasm"]),
            ],
        ),
        (
            "run-command",
            vec![
                run(&["run", "hello-c.wasm"]),
                run(&["run", "examples/hello-c.wat"]),
            ],
        ),
        (
            "new-error",
            vec![fail(&[
                "new",
                "examples/greeter-stale.wat",
                "--wit",
                "examples/hello",
                "-o",
                "greeter.wasm",
            ])],
        ),
    ]
}

/// `arg` as a reader would type it in a POSIX shell.
fn shell_quote(arg: &str) -> String {
    let plain = arg
        .chars()
        .all(|c| c.is_ascii_alphanumeric() || "_./:=@-,+".contains(c));
    if plain && !arg.is_empty() {
        arg.to_string()
    } else {
        format!("'{}'", arg.replace('\'', "'\\''"))
    }
}

/// A fresh scratch directory with a copy of the repository's `examples/`.
fn scratch() -> PathBuf {
    let dir = Path::new(env!("CARGO_TARGET_TMPDIR")).join("readme");
    let _ = fs::remove_dir_all(&dir);
    copy_dir(&repo_root().join("examples"), &dir.join("examples"));
    dir
}

fn copy_dir(from: &Path, to: &Path) {
    fs::create_dir_all(to).unwrap_or_else(|e| panic!("create `{}`: {e}", to.display()));
    let entries = fs::read_dir(from).unwrap_or_else(|e| panic!("read `{}`: {e}", from.display()));
    for entry in entries {
        let entry = entry.expect("read a directory entry");
        let path = entry.path();
        let dest = to.join(entry.file_name());
        if path.is_dir() {
            copy_dir(&path, &dest);
        } else {
            fs::copy(&path, &dest).unwrap_or_else(|e| panic!("copy `{}`: {e}", path.display()));
        }
    }
}

#[test]
fn readme_binary_walkthrough() {
    let dir = scratch();
    let readme = repo_root().join("README.md");
    let mut errors = Vec::new();
    for (name, steps) in sections() {
        let mut block = String::from("```console\n");
        for step in steps {
            let out = common::output(common::weft(step.args).current_dir(&dir))
                .unwrap_or_else(|e| panic!("{e}"));
            let text = common::shown_output(&out);
            if out.status.code() != Some(step.code) {
                errors.push(format!(
                    "`weft {}` exited with {}, expected {}:\n{text}",
                    step.args.join(" "),
                    out.status,
                    step.code
                ));
            }
            let shown: Vec<String> = step.args.iter().map(|a| shell_quote(a)).collect();
            block.push_str(&format!("$ weft {}\n", shown.join(" ")));
            for line in common::head(&text, step.max_lines) {
                block.push_str(line);
                block.push('\n');
            }
        }
        block.push_str("```");
        if let Err(e) = expect_section(&readme, &format!("readme:{name}"), &block) {
            errors.push(e);
        }
    }
    assert!(errors.is_empty(), "{}", errors.join("\n"));
}
