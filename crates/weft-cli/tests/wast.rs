//! The component-model specification's test suite under `weft wast`.
//!
//! Every `.wast` file of `tests/component-model/test` in wasm-tools 1.262.0 (a copy of the
//! component-model repository's `test/`, fetched through `corpora/`, not compiled) runs
//! through the `weft` binary. Each directive passes, fails or is skipped (a component using
//! a feature weft does not run yet — async, streams, futures, threads — and everything that
//! needs it). Failures listed in `tests/wast/expected-failures.txt` count as skipped with
//! their reason; any other failure, or a listed one that passes, fails this test. The counts
//! go to the README's `conformance:wast` section (`UPDATE_EXPECT=1` rewrites both).

mod common;

use std::collections::BTreeMap;
use std::fs;
use std::path::{Path, PathBuf};

use weft_test_util::{bless, corpus_dir, expect_section, repo_root};

/// One directive's outcome, from `weft wast -v`.
struct Line {
    /// `dir/file.wast:line`.
    at: String,
    outcome: Outcome,
}

#[derive(PartialEq)]
enum Outcome {
    Pass,
    Fail(String),
    Skip(String),
}

fn wast_files(dir: &Path) -> Vec<PathBuf> {
    let mut out = Vec::new();
    let mut stack = vec![dir.to_path_buf()];
    while let Some(d) = stack.pop() {
        for entry in fs::read_dir(&d).unwrap().flatten() {
            let p = entry.path();
            if p.is_dir() {
                stack.push(p);
            } else if p.extension().is_some_and(|e| e == "wast") {
                out.push(p);
            }
        }
    }
    out.sort();
    out
}

/// Parses `weft wast -v` output: `path:line:col: FAIL kind: why`, `path:line:col: skip kind:
/// why`, `path:ok line:col: kind`.
fn parse(stdout: &str, root: &Path) -> Vec<Line> {
    let root = format!("{}/", root.display());
    let mut lines = Vec::new();
    for raw in stdout.lines() {
        let Some(rest) = raw.strip_prefix(&root) else {
            continue;
        };
        if let Some((file, tail)) = rest.split_once(":ok ") {
            let line = tail.split(':').next().unwrap_or("");
            lines.push(Line {
                at: format!("{file}:{line}"),
                outcome: Outcome::Pass,
            });
            continue;
        }
        // `file.wast:line:col: FAIL …`
        let mut parts = rest.splitn(4, ':');
        let (Some(file), Some(line), Some(_col), Some(tail)) =
            (parts.next(), parts.next(), parts.next(), parts.next())
        else {
            continue;
        };
        let tail = tail.trim_start();
        let outcome = if let Some(why) = tail.strip_prefix("FAIL ") {
            Outcome::Fail(why.to_string())
        } else if let Some(why) = tail.strip_prefix("skip ") {
            Outcome::Skip(why.split_once(": ").map_or(why, |(_, w)| w).to_string())
        } else {
            continue;
        };
        lines.push(Line {
            at: format!("{file}:{line}"),
            outcome,
        });
    }
    lines
}

/// A skip reason grouped for the table: the feature it names.
fn reason_group(why: &str) -> String {
    if let Some(start) = why.find("the canonical built-in `") {
        let _ = start;
        return "needs async, streams, futures or threads (component-model async: WASI 0.3)".into();
    }
    if why.contains("async") {
        return "needs async, streams, futures or threads (component-model async: WASI 0.3)".into();
    }
    if why.contains("core wasm proposal") {
        return "needs a core wasm proposal weft does not enable (exceptions)".into();
    }
    if why.contains("core module scripts") || why.contains("core wasm directive") {
        return "a core wasm directive (for a core wasm runner)".into();
    }
    if why.starts_with("wasmparser 0.254") {
        return "validation rule wasmparser 0.254 (wasmtime 48's) does not have yet".into();
    }
    why.to_string()
}

fn main() {
    let corpus = match corpus_dir("wasm-tools") {
        Ok(dir) => dir.join("tests/component-model/test"),
        Err(e) => panic!("the spec tests are not available: {e}"),
    };
    let files = wast_files(&corpus);
    assert!(
        files.len() > 50,
        "expected the spec test suite at {}",
        corpus.display()
    );
    let mut args = vec!["wast".to_string(), "-v".to_string()];
    args.extend(files.iter().map(|f| f.display().to_string()));
    let out = common::run(&args).unwrap();
    let stdout = String::from_utf8_lossy(&out.stdout);
    let lines = parse(&stdout, &corpus);
    assert!(
        !lines.is_empty(),
        "no directives parsed from:\n{}",
        common::describe(&out)
    );

    let list_path = Path::new(env!("CARGO_MANIFEST_DIR")).join("tests/wast/expected-failures.txt");
    let list_text = fs::read_to_string(&list_path).unwrap();
    let mut expected: BTreeMap<String, String> = BTreeMap::new();
    let mut header = String::new();
    for line in list_text.lines() {
        if line.starts_with('#') || line.trim().is_empty() {
            if expected.is_empty() {
                header.push_str(line);
                header.push('\n');
            }
            continue;
        }
        if let Some((at, why)) = line.split_once(": ") {
            expected.insert(at.to_string(), why.to_string());
        }
    }

    let (mut passed, mut failed, mut skipped) = (0usize, 0usize, 0usize);
    let mut reasons: BTreeMap<String, usize> = BTreeMap::new();
    let mut problems = Vec::new();
    let mut now_failing: BTreeMap<String, String> = BTreeMap::new();
    for line in &lines {
        match &line.outcome {
            Outcome::Pass => {
                passed += 1;
                if expected.contains_key(&line.at) {
                    problems.push(format!(
                        "{}: passes now; remove it from {}",
                        line.at,
                        list_path.display()
                    ));
                }
            }
            Outcome::Fail(why) => match expected.get(&line.at) {
                Some(reason) => {
                    skipped += 1;
                    *reasons.entry(reason_group(reason)).or_default() += 1;
                    now_failing.insert(line.at.clone(), reason.clone());
                }
                None => {
                    failed += 1;
                    problems.push(format!("{}: {why}", line.at));
                    now_failing.insert(line.at.clone(), format!("TODO: {why}"));
                }
            },
            Outcome::Skip(why) => {
                skipped += 1;
                *reasons.entry(reason_group(why)).or_default() += 1;
            }
        }
    }
    let total = passed + failed + skipped;
    let mut table = String::new();
    table.push_str("| component-model spec tests (wasm-tools 1.262.0 `tests/component-model/test`) | directives | passed | failed | skipped |\n|---|--:|--:|--:|--:|\n");
    table.push_str(&format!(
        "| {} `.wast` files under `weft wast` | {total} | {passed} | {failed} | {skipped} |\n\nSkipped, by reason:\n\n",
        files.len()
    ));
    for (why, n) in &reasons {
        table.push_str(&format!("* {n}: {why}\n"));
    }
    table.push_str("\nGenerated by `crates/weft-cli/tests/wast.rs`; known failures are listed with their reasons in [`crates/weft-cli/tests/wast/expected-failures.txt`](crates/weft-cli/tests/wast/expected-failures.txt).\n");
    println!("{table}");
    println!("weft wast spec tests: {passed} passed, {failed} failed, {skipped} skipped");

    if bless() {
        // The header keeps its comment lines; one blank line follows it, however many
        // there were, so that blessing twice changes nothing.
        let mut text = header.trim_end().to_string();
        text.push_str("\n\n");
        for (at, why) in &now_failing {
            text.push_str(&format!("{at}: {why}\n"));
        }
        fs::write(&list_path, text).unwrap();
    }
    let readme = repo_root().join("README.md");
    if let Err(e) = expect_section(&readme, "conformance:wast", &table) {
        problems.push(e);
    }
    if !problems.is_empty() {
        panic!("{} problem(s):\n{}", problems.len(), problems.join("\n"));
    }
}
