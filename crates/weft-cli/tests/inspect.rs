//! Tests of `weft inspect`, one input file per case, in the style of `tests/cli.rs`.
//!
//! Each `tests/inspect/*.wat` (or `*.wit`) case starts with directives, written after `;; `
//! (or `// `):
//!
//! ```text
//! ;; PREP: embed % --wit %dir/support/x.wit -o %tmp/x.wasm   must exit 0; output not compared
//! ;; RUN: inspect %tmp/x.wasm                                 must exit 0
//! ;; RUN[json]: inspect %tmp/x.wasm --json                    a named directive
//! ;; FAIL: inspect %                                          must exit 1
//! ```
//!
//! `%` is the case's path relative to this crate, `%dir` is `tests/inspect`, and `%tmp` is a
//! fresh scratch directory for the case (how binaries made by `weft embed` or `weft wit print
//! --wasm` are inspected without checking in a `.wasm`); in output, the scratch directory's
//! path is shown as `%tmp`. `PREP` directives run first, in order. The n-th `RUN`/`FAIL`
//! directive of `foo.wat` compares its stdout and stderr with `foo.wat.<n>.stdout` and
//! `.stderr` (a named one uses its name); empty output is a missing file. `UPDATE_EXPECT=1`
//! rewrites them.
//!
//! Also here: a truncated binary, README.md's `weft inspect` examples (regenerated from real
//! runs), and, when `fixtures/build.sh` has built them (`target/fixtures/manifest.json`), the
//! real-toolchain fixtures, whose WASI imports are checked against `wasm-tools component wit`.

use std::collections::BTreeSet;
use std::fs;
use std::path::{Path, PathBuf};
use std::process::{Command, Output, Stdio};

use libtest_mimic::{Arguments, Failed, Trial};
use weft_test_util::{expect_file_or_absent, expect_section, repo_root};

const WEFT: &str = env!("CARGO_BIN_EXE_weft");
/// A test written in Rust rather than as a case file.
type Check = fn() -> Result<(), String>;
const CASES: &str = "tests/inspect";

fn main() {
    let args = Arguments::from_args();
    let mut trials = Vec::new();
    match case_files() {
        Ok(files) => {
            for file in files {
                let name = file.to_string_lossy().replace('\\', "/");
                trials.push(Trial::test(name, move || {
                    run_case(&file).map_err(Failed::from)
                }));
            }
        }
        Err(e) => trials.push(Trial::test("inspect-cases", move || Err(Failed::from(e)))),
    }
    let programmatic: [(&str, Check); 3] = [
        ("truncated_binary", truncated_binary),
        ("readme_inspect_examples", readme_examples),
        ("real_toolchain_fixtures", real_fixtures),
    ];
    for (name, test) in programmatic {
        trials.push(Trial::test(name, move || test().map_err(Failed::from)));
    }
    libtest_mimic::run(&args, trials).exit();
}

/// Every `tests/inspect/*.wat` and `*.wit`, relative to the crate root.
fn case_files() -> Result<Vec<PathBuf>, String> {
    let entries = fs::read_dir(CASES).map_err(|e| format!("failed to read `{CASES}`: {e}"))?;
    let mut files: Vec<PathBuf> = entries
        .filter_map(|e| e.ok().map(|e| e.path()))
        .filter(|p| p.extension().is_some_and(|e| e == "wat" || e == "wit"))
        .collect();
    files.sort();
    Ok(files)
}

struct Directive {
    /// `None` for `PREP`, else `1`, `2`, … or the `[name]`.
    label: Option<String>,
    line: usize,
    args: Vec<String>,
    expected_code: i32,
}

fn parse_directives(file: &Path, text: &str, tmp: &Path) -> Result<Vec<Directive>, String> {
    let mut out: Vec<Directive> = Vec::new();
    let mut n = 0;
    for (i, line) in text.lines().enumerate() {
        let line = line.trim_start();
        let Some(rest) = line
            .strip_prefix(";; ")
            .or_else(|| line.strip_prefix("// "))
        else {
            continue;
        };
        let at = format!("{}:{}", file.display(), i + 1);
        let (rest, code, prep) = if let Some(r) = rest.strip_prefix("PREP") {
            (r, 0, true)
        } else if let Some(r) = rest.strip_prefix("RUN") {
            (r, 0, false)
        } else if let Some(r) = rest.strip_prefix("FAIL") {
            (r, 1, false)
        } else {
            continue;
        };
        let mut rest = rest;
        let mut label = None;
        if !prep {
            n += 1;
            label = Some(n.to_string());
            if let Some(r) = rest.strip_prefix('[') {
                let (name, r) = r
                    .split_once(']')
                    .ok_or_else(|| format!("{at}: missing `]` after the name"))?;
                label = Some(name.to_string());
                rest = r;
            }
        }
        let Some(cmd) = rest.strip_prefix(':') else {
            return Err(format!("{at}: expected `:` after the directive"));
        };
        if label.is_some() && out.iter().any(|d| d.label == label) {
            return Err(format!("{at}: a second directive labelled `{label:?}`"));
        }
        let tmp = tmp.to_string_lossy();
        let args = cmd
            .split_whitespace()
            .map(|a| match a {
                "%" => file.to_string_lossy().replace('\\', "/"),
                a => a.replace("%dir", CASES).replace("%tmp", &tmp),
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
        return Err(format!(
            "{}: no `RUN:` or `FAIL:` directive",
            file.display()
        ));
    }
    Ok(out)
}

fn run_case(file: &Path) -> Result<(), String> {
    let text = fs::read_to_string(file)
        .map_err(|e| format!("failed to read `{}`: {e}", file.display()))?;
    let stem = file.file_name().unwrap_or_default().to_string_lossy();
    let tmp = scratch_dir(&stem)?;
    let mut errors = Vec::new();
    for d in parse_directives(file, &text, &tmp)? {
        let out = weft(&d.args)
            .output()
            .map_err(|e| format!("failed to run `{WEFT}`: {e}"))?;
        let shown = |s: &[u8]| String::from_utf8_lossy(s).replace(&*tmp.to_string_lossy(), "%tmp");
        let (stdout, stderr) = (shown(&out.stdout), shown(&out.stderr));
        let at = format!("directive on line {} (`weft {}`)", d.line, d.args.join(" "));
        if out.status.code() != Some(d.expected_code) {
            errors.push(format!(
                "{at}: expected exit code {}, got {:?}\n--- stdout:\n{stdout}--- stderr:\n{stderr}",
                d.expected_code,
                out.status.code()
            ));
            if d.label.is_none() {
                break; // the directives after a failed `PREP` would only fail too
            }
            continue;
        }
        let Some(label) = &d.label else { continue };
        for (stream, text) in [("stdout", &stdout), ("stderr", &stderr)] {
            let expected = PathBuf::from(format!("{}.{label}.{stream}", file.display()));
            if let Err(e) = expect_file_or_absent(&expected, text) {
                errors.push(format!("{at}: {e}"));
            }
        }
    }
    match errors.is_empty() {
        true => Ok(()),
        false => Err(errors.join("\n\n")),
    }
}

/// A `weft` command run from this crate's directory, with a stable environment.
fn weft<S: AsRef<std::ffi::OsStr>>(args: &[S]) -> Command {
    let mut cmd = Command::new(WEFT);
    cmd.args(args)
        .current_dir(env!("CARGO_MANIFEST_DIR"))
        .env_remove("RUST_BACKTRACE")
        .env_remove("RUST_LIB_BACKTRACE")
        .env("NO_COLOR", "1")
        .stdin(Stdio::null());
    cmd
}

fn scratch_dir(name: &str) -> Result<PathBuf, String> {
    let dir = Path::new(env!("CARGO_TARGET_TMPDIR"))
        .join("weft-inspect-tests")
        .join(name);
    let _ = fs::remove_dir_all(&dir);
    fs::create_dir_all(&dir).map_err(|e| format!("failed to create `{}`: {e}", dir.display()))?;
    Ok(dir)
}

fn describe(out: &Output) -> String {
    format!(
        "exit {:?}\n--- stdout:\n{}--- stderr:\n{}",
        out.status.code(),
        String::from_utf8_lossy(&out.stdout),
        String::from_utf8_lossy(&out.stderr)
    )
}

/// A component cut short in the middle of a nested module, and one cut in its header: exit 1
/// with the decoder's message under the file's name.
fn truncated_binary() -> Result<(), String> {
    let dir = scratch_dir("truncated")?;
    let wasm =
        wat::parse_file(Path::new(CASES).join("component.wat")).map_err(|e| e.to_string())?;
    for (name, len, needle) in [
        ("half.wasm", wasm.len() / 2, "unexpected end"),
        ("header.wasm", 6, "ends inside the 8-byte header"),
    ] {
        let path = dir.join(name);
        fs::write(&path, &wasm[..len]).map_err(|e| e.to_string())?;
        let out = weft(&["inspect".as_ref(), path.as_os_str()])
            .output()
            .map_err(|e| e.to_string())?;
        let stderr = String::from_utf8_lossy(&out.stderr);
        let prefix = format!("error: failed to inspect `{}`: ", path.display());
        if out.status.code() != Some(1) || !stderr.starts_with(&prefix) || !stderr.contains(needle)
        {
            return Err(format!(
                "{name}: expected exit 1 with `{prefix}…{needle}…`:\n{}",
                describe(&out)
            ));
        }
    }
    Ok(())
}

/// The `<!-- readme:inspect… -->` sections of README.md: real runs from the repository root.
fn readme_examples() -> Result<(), String> {
    let examples: [(&str, &[&str], usize); 2] = [
        (
            "inspect",
            &["inspect", "crates/weft-cli/tests/inspect/component.wat"],
            usize::MAX,
        ),
        (
            "inspect-module",
            &["inspect", "crates/weft-cli/tests/inspect/preview1.wat"],
            usize::MAX,
        ),
    ];
    let root = repo_root();
    let mut errors = Vec::new();
    for (name, args, max_lines) in examples {
        let out = weft(args)
            .current_dir(&root)
            .output()
            .map_err(|e| format!("failed to run `{WEFT}`: {e}"))?;
        let text = format!(
            "{}{}",
            String::from_utf8_lossy(&out.stdout),
            String::from_utf8_lossy(&out.stderr)
        );
        let mut shown: Vec<&str> = text.lines().take(max_lines).collect();
        if text.lines().count() > max_lines {
            shown.push("…");
        }
        let block = format!(
            "```console\n$ weft {}\n{}\n```",
            args.join(" "),
            shown.join("\n")
        );
        if let Err(e) = expect_section(&root.join("README.md"), &format!("readme:{name}"), &block) {
            errors.push(e);
        }
    }
    match errors.is_empty() {
        true => Ok(()),
        false => Err(errors.join("\n")),
    }
}

/// Every component and core module of `target/fixtures/manifest.json` inspects without
/// error, in both formats; a component's WASI imports are those `wasm-tools component wit`
/// shows in its world. Without the manifest (or wasm-tools, for the comparison) this says so
/// and passes.
fn real_fixtures() -> Result<(), String> {
    let root = repo_root();
    let dir = root.join("target").join("fixtures");
    let manifest = dir.join("manifest.json");
    let Ok(text) = fs::read_to_string(&manifest) else {
        println!(
            "skipped: `{}` does not exist; run `fixtures/build.sh` to build the real-toolchain fixtures",
            manifest.display()
        );
        return Ok(());
    };
    let manifest: serde_json::Value =
        serde_json::from_str(&text).map_err(|e| format!("`{}`: {e}", manifest.display()))?;
    let wasm_tools = weft_test_util::wasm_tools();
    if wasm_tools.is_none() {
        println!(
            "not comparing WASI imports: {}",
            weft_test_util::no_wasm_tools_reason()
        );
    }
    let mut errors = Vec::new();
    let (mut seen, mut compared) = (0, 0);
    let fixtures = manifest["fixtures"]
        .as_object()
        .cloned()
        .unwrap_or_default();
    for (name, fixture) in &fixtures {
        let artifacts = fixture["artifacts"].as_array().cloned().unwrap_or_default();
        for artifact in artifacts {
            let kind = artifact["kind"].as_str().unwrap_or("");
            if kind != "component" && kind != "core-module" {
                continue;
            }
            let Some(rel) = artifact["path"].as_str() else {
                continue;
            };
            let path = dir.join(rel);
            seen += 1;
            match check_fixture(&path, kind, wasm_tools.as_deref()) {
                Ok(true) => compared += 1,
                Ok(false) => {}
                Err(e) => errors.push(format!("{name}: {e}")),
            }
        }
    }
    println!(
        "inspected {seen} fixture binaries; WASI imports of {compared} components equal wasm-tools'"
    );
    match errors.is_empty() {
        true => Ok(()),
        false => Err(errors.join("\n\n")),
    }
}

/// Inspects one fixture; `Ok(true)` when its WASI imports were compared with wasm-tools'.
fn check_fixture(path: &Path, kind: &str, wasm_tools: Option<&Path>) -> Result<bool, String> {
    let text = weft(&["inspect".as_ref(), path.as_os_str()])
        .output()
        .map_err(|e| e.to_string())?;
    if !text.status.success() {
        return Err(format!(
            "`weft inspect {}` failed:\n{}",
            path.display(),
            describe(&text)
        ));
    }
    let out = weft(&["inspect".as_ref(), path.as_os_str(), "--json".as_ref()])
        .output()
        .map_err(|e| e.to_string())?;
    if !out.status.success() {
        return Err(format!(
            "`weft inspect --json {}` failed:\n{}",
            path.display(),
            describe(&out)
        ));
    }
    let report: serde_json::Value = serde_json::from_slice(&out.stdout)
        .map_err(|e| format!("`--json` printed invalid JSON: {e}"))?;
    let want_kind = match kind {
        "component" => "component",
        _ => "core-module",
    };
    if report["kind"] != want_kind {
        return Err(format!(
            "`kind` is {}, expected `{want_kind}`",
            report["kind"]
        ));
    }
    if kind != "component" {
        return Ok(false);
    }
    if !report["wit_error"].is_null() {
        return Err(format!("no WIT view: {}", report["wit_error"]));
    }
    let Some(wasm_tools) = wasm_tools else {
        return Ok(false);
    };
    let wit = weft_test_util::run_wasm_tools(
        wasm_tools,
        &["component".as_ref(), "wit".as_ref(), path.as_os_str()],
    )?;
    let expected = wasi_imports_of_wit(&wit);
    let mut actual = BTreeSet::new();
    for package in report["wasi"]["imports"].as_array().into_iter().flatten() {
        let name = package["package"].as_str().unwrap_or("");
        let version = package["version"]
            .as_str()
            .map(|v| format!("@{v}"))
            .unwrap_or_default();
        for iface in package["interfaces"].as_array().into_iter().flatten() {
            actual.insert(format!("{name}/{}{version}", iface.as_str().unwrap_or("")));
        }
    }
    if actual != expected {
        return Err(format!(
            "WASI imports differ from `wasm-tools component wit`:\n  only weft: {:?}\n  only wasm-tools: {:?}",
            actual.difference(&expected).collect::<Vec<_>>(),
            expected.difference(&actual).collect::<Vec<_>>()
        ));
    }
    Ok(true)
}

/// `import wasi:…;` lines of the `world root { … }` block of `wasm-tools component wit`.
fn wasi_imports_of_wit(wit: &str) -> BTreeSet<String> {
    let mut in_root = false;
    let mut out = BTreeSet::new();
    for line in wit.lines() {
        let line = line.trim();
        if line.starts_with("world root") {
            in_root = true;
        } else if in_root && line == "}" {
            in_root = false;
        } else if in_root {
            if let Some(name) = line.strip_prefix("import wasi:") {
                out.insert(format!("wasi:{}", name.trim_end_matches(';')));
            }
        }
    }
    out
}
