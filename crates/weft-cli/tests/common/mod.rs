//! The harness the `weft` binary's tests share (`mod common;` in each): running `weft` with a
//! stable environment, scratch directories, the directive-file cases of `tests/cli.rs` and
//! `tests/inspect.rs`, and the README sections regenerated from real runs.

// Each test binary uses its own part of this module.
#![allow(dead_code)]

use std::ffi::OsStr;
use std::fs;
use std::path::{Path, PathBuf};
use std::process::{Command, Output, Stdio};

use libtest_mimic::{Arguments, Failed, Trial};
use weft_test_util::{expect_file_or_absent, expect_section, repo_root};

pub const WEFT: &str = env!("CARGO_BIN_EXE_weft");

/// A test written in Rust rather than as a case file.
pub type Check = fn() -> Result<(), String>;

/// A `weft` command run from this crate's directory, with a stable environment.
pub fn weft<S: AsRef<OsStr>>(args: &[S]) -> Command {
    let mut cmd = Command::new(WEFT);
    cmd.args(args)
        .current_dir(env!("CARGO_MANIFEST_DIR"))
        .env_remove("RUST_BACKTRACE")
        .env_remove("RUST_LIB_BACKTRACE")
        .env("NO_COLOR", "1")
        // `weft run`'s compilation cache goes to the target directory, not the user's.
        .env(
            "XDG_CACHE_HOME",
            Path::new(env!("CARGO_TARGET_TMPDIR")).join("xdg-cache"),
        )
        .stdin(Stdio::null());
    cmd
}

/// Runs `weft` (see [`weft`]) to completion.
pub fn run<S: AsRef<OsStr>>(args: &[S]) -> Result<Output, String> {
    output(&mut weft(args))
}

pub fn output(cmd: &mut Command) -> Result<Output, String> {
    cmd.output()
        .map_err(|e| format!("failed to run `{WEFT}`: {e}"))
}

/// A fresh, empty directory `path` under the target's scratch directory.
pub fn scratch_dir(path: impl AsRef<Path>) -> Result<PathBuf, String> {
    let dir = Path::new(env!("CARGO_TARGET_TMPDIR")).join(path);
    let _ = fs::remove_dir_all(&dir);
    fs::create_dir_all(&dir).map_err(|e| format!("failed to create `{}`: {e}", dir.display()))?;
    Ok(dir)
}

/// An exit code and both streams, for a failure message.
pub fn describe(out: &Output) -> String {
    format!(
        "exit {:?}\n--- stdout:\n{}--- stderr:\n{}",
        out.status.code(),
        String::from_utf8_lossy(&out.stdout),
        String::from_utf8_lossy(&out.stderr)
    )
}

/// `Ok` when there are no errors, else all of them, joined by `separator`.
pub fn all_ok(errors: Vec<String>, separator: &str) -> Result<(), String> {
    match errors.is_empty() {
        true => Ok(()),
        false => Err(errors.join(separator)),
    }
}

/// Runs the trials of a directive-file test binary: one per case file of `syntax.cases`, then
/// the `programmatic` ones.
pub fn main(syntax: &'static Syntax, programmatic: &[(&'static str, Check)]) {
    let args = Arguments::from_args();
    let mut trials = Vec::new();
    match case_files(syntax) {
        Ok(files) => {
            for file in files {
                let name = file.to_string_lossy().replace('\\', "/");
                trials.push(Trial::test(name, move || {
                    run_case(syntax, &file).map_err(Failed::from)
                }));
            }
        }
        Err(e) => trials.push(Trial::test(syntax.trial, move || Err(Failed::from(e)))),
    }
    for &(name, test) in programmatic {
        trials.push(Trial::test(name, move || test().map_err(Failed::from)));
    }
    libtest_mimic::run(&args, trials).exit();
}

/// How one test binary's case files are written.
pub struct Syntax {
    /// The directory of the cases, relative to the crate root (the test's working directory);
    /// `%dir` in a directive.
    pub cases: &'static str,
    /// The extensions of the case files.
    pub extensions: &'static [&'static str],
    /// What a directive line starts with, e.g. `// `.
    pub comments: &'static [&'static str],
    /// With `Some(group)`, each case has a fresh scratch directory `group/<file name>`, `%tmp`
    /// in a directive (and in output), and may have `PREP` directives.
    pub scratch: Option<&'static str>,
    /// The name of the trial that reports an unreadable `cases` directory.
    pub trial: &'static str,
}

/// Every case file, relative to the crate root, sorted.
fn case_files(syntax: &Syntax) -> Result<Vec<PathBuf>, String> {
    let cases = syntax.cases;
    let entries = fs::read_dir(cases).map_err(|e| format!("failed to read `{cases}`: {e}"))?;
    let mut files: Vec<PathBuf> = entries
        .filter_map(|e| e.ok().map(|e| e.path()))
        .filter(|p| {
            p.extension()
                .is_some_and(|e| syntax.extensions.iter().any(|x| e == *x))
        })
        .collect();
    files.sort();
    Ok(files)
}

pub struct Directive {
    /// `None` for `PREP`, else `1`, `2`, … or the `[name]`.
    pub label: Option<String>,
    pub line: usize,
    pub args: Vec<String>,
    pub expected_code: i32,
}

/// The directives of one case file. `tmp` is the case's scratch directory (`%tmp`); `PREP`
/// directives are only recognised when there is one.
pub fn parse_directives(
    syntax: &Syntax,
    file: &Path,
    text: &str,
    tmp: Option<&Path>,
) -> Result<Vec<Directive>, String> {
    let mut out: Vec<Directive> = Vec::new();
    let mut n = 0;
    for (i, line) in text.lines().enumerate() {
        let line = line.trim_start();
        let Some(rest) = syntax.comments.iter().find_map(|c| line.strip_prefix(c)) else {
            continue;
        };
        let (mut rest, mut code, prep) = match rest.strip_prefix("PREP") {
            Some(r) if tmp.is_some() => (r, 0, true),
            _ => {
                if let Some(r) = rest.strip_prefix("RUN") {
                    (r, 0, false)
                } else if let Some(r) = rest.strip_prefix("FAIL") {
                    (r, 1, false)
                } else {
                    continue;
                }
            }
        };
        let at = format!("{}:{}", file.display(), i + 1);
        let mut label = None;
        if !prep {
            if let Some(r) = rest.strip_prefix('(') {
                let (n, r) = r
                    .split_once(')')
                    .ok_or_else(|| format!("{at}: missing `)` after the exit code"))?;
                code = n
                    .parse()
                    .map_err(|_| format!("{at}: `{n}` is not an exit code"))?;
                rest = r;
            }
            n += 1;
            let mut name = n.to_string();
            if let Some(r) = rest.strip_prefix('[') {
                let (given, r) = r
                    .split_once(']')
                    .ok_or_else(|| format!("{at}: missing `]` after the name"))?;
                name = given.to_string();
                rest = r;
            }
            label = Some(name);
        }
        let Some(cmd) = rest.strip_prefix(':') else {
            return Err(format!("{at}: expected `:` after the directive"));
        };
        if let Some(name) = &label {
            if out.iter().any(|d| d.label == label) {
                return Err(format!("{at}: a second directive labelled `{name}`"));
            }
        }
        let tmp = tmp.map(|t| t.to_string_lossy());
        let args = cmd
            .split_whitespace()
            .map(|a| match a {
                "%" => file.to_string_lossy().replace('\\', "/"),
                a => {
                    let a = a.replace("%dir", syntax.cases);
                    match &tmp {
                        Some(tmp) => a.replace("%tmp", tmp),
                        None => a,
                    }
                }
            })
            .collect();
        out.push(Directive {
            label,
            line: i + 1,
            args,
            expected_code: code,
        });
    }
    if !out.iter().any(|d| d.label.is_some()) {
        let comment = match syntax.comments {
            [only] => *only,
            _ => "",
        };
        return Err(format!(
            "{}: no `{comment}RUN:` or `{comment}FAIL:` directive",
            file.display()
        ));
    }
    Ok(out)
}

/// Runs the directives of one case file, in order, comparing the output of each `RUN`/`FAIL`
/// with its expectation files.
fn run_case(syntax: &Syntax, file: &Path) -> Result<(), String> {
    let text = fs::read_to_string(file)
        .map_err(|e| format!("failed to read `{}`: {e}", file.display()))?;
    let tmp = match syntax.scratch {
        Some(group) => {
            let stem = file.file_name().unwrap_or_default();
            Some(scratch_dir(Path::new(group).join(stem))?)
        }
        None => None,
    };
    let mut errors = Vec::new();
    for d in parse_directives(syntax, file, &text, tmp.as_deref())? {
        if let Err(e) = run_directive(file, &d, tmp.as_deref()) {
            errors.push(format!(
                "directive on line {} (`weft {}`): {e}",
                d.line,
                d.args.join(" ")
            ));
            if d.label.is_none() {
                break; // the directives after a failed `PREP` would only fail too
            }
        }
    }
    all_ok(errors, "\n\n")
}

fn run_directive(file: &Path, d: &Directive, tmp: Option<&Path>) -> Result<(), String> {
    let output = run(&d.args)?;
    let shown = |s: &[u8]| {
        let s = String::from_utf8_lossy(s);
        match tmp {
            Some(tmp) => s.replace(&*tmp.to_string_lossy(), "%tmp"),
            None => s.into_owned(),
        }
    };
    let (stdout, stderr) = (shown(&output.stdout), shown(&output.stderr));
    let code = output.status.code();
    if code != Some(d.expected_code) {
        return Err(format!(
            "expected exit code {}, got {code:?}\n--- stdout:\n{stdout}--- stderr:\n{stderr}",
            d.expected_code
        ));
    }
    let Some(label) = &d.label else {
        return Ok(());
    };
    let base = file.to_string_lossy();
    let mut errors = Vec::new();
    for (stream, text) in [("stdout", &stdout), ("stderr", &stderr)] {
        let expected = PathBuf::from(format!("{base}.{label}.{stream}"));
        if let Err(e) = expect_file_or_absent(&expected, text) {
            errors.push(e);
        }
    }
    all_ok(errors, "\n")
}

/// What a reader of README.md would see in a terminal: stdout, then stderr.
pub fn shown_output(out: &Output) -> String {
    format!(
        "{}{}",
        String::from_utf8_lossy(&out.stdout),
        String::from_utf8_lossy(&out.stderr)
    )
}

/// The first `max_lines` lines of `text`, and `…` when there were more.
pub fn head(text: &str, max_lines: usize) -> Vec<&str> {
    let mut shown: Vec<&str> = text.lines().take(max_lines).collect();
    if text.lines().count() > max_lines {
        shown.push("…");
    }
    shown
}

/// README.md's `<!-- readme:NAME -->` sections of one command each: `weft ARGS` run from the
/// repository root, its output cut to `max_lines`. `UPDATE_EXPECT=1` rewrites them; otherwise
/// stale output fails the test.
pub fn readme_examples(examples: &[(&str, &[&str], usize)]) -> Result<(), String> {
    let root = repo_root();
    let mut errors = Vec::new();
    for &(name, args, max_lines) in examples {
        let out = output(weft(args).current_dir(&root))?;
        let text = shown_output(&out);
        let block = format!(
            "```console\n$ weft {}\n{}\n```",
            args.join(" "),
            head(&text, max_lines).join("\n")
        );
        if let Err(e) = expect_section(&root.join("README.md"), &format!("readme:{name}"), &block) {
            errors.push(e);
        }
    }
    all_ok(errors, "\n")
}
