//! weft's own component `.wast` suite under `weft wast`.
//!
//! `tests/wast-own/` holds one script per area of the canonical ABI (scalars, chars, strings
//! in each encoding and across encodings, lists, flags, variants, the flattening limits,
//! resources, post-return, reentrance), each taking its types to their edges, host→guest
//! through `invoke` and guest→guest between two component instances with their own memories.
//! They all run in one `weft wast -v` from this crate's directory, in name order, and every
//! directive must pass: a non-zero exit, a failed or skipped directive, or a file without a
//! summary line fails this test. Each file's summary line is printed.
//!
//! Directives that the spec says should pass but weft fails are kept, each with its reason,
//! in `tests/wast-own/known-bugs.wast.txt`, which is not run (it does not end in `.wast`).

mod common;

use std::fs;
use std::path::Path;

/// The scripts' directory, relative to the crate root (`weft`'s working directory).
const DIR: &str = "tests/wast-own";

/// A summary line's counts: `FILE: P passed, F failed, S skipped`.
fn counts(line: &str) -> Option<(usize, usize, usize)> {
    let (_, tail) = line.rsplit_once(": ")?;
    let mut numbers = tail.split(", ").map(|part| {
        let (n, _) = part.split_once(' ')?;
        n.parse::<usize>().ok()
    });
    Some((numbers.next()??, numbers.next()??, numbers.next()??))
}

fn main() {
    let dir = Path::new(env!("CARGO_MANIFEST_DIR")).join(DIR);
    let entries =
        fs::read_dir(&dir).unwrap_or_else(|e| panic!("failed to read `{}`: {e}", dir.display()));
    let mut files: Vec<String> = entries
        .filter_map(|entry| entry.ok())
        .map(|entry| entry.file_name().to_string_lossy().into_owned())
        .filter(|name| name.ends_with(".wast"))
        .map(|name| format!("{DIR}/{name}"))
        .collect();
    files.sort();
    assert!(!files.is_empty(), "no `.wast` files in `{}`", dir.display());

    let mut args = vec!["wast".to_string(), "-v".to_string()];
    args.extend(files.iter().cloned());
    let out = common::run(&args).unwrap_or_else(|e| panic!("{e}"));
    let stdout = String::from_utf8_lossy(&out.stdout);

    let mut problems = Vec::new();
    let (mut passed, mut failed, mut skipped) = (0, 0, 0);
    for file in &files {
        let prefix = format!("{file}: ");
        let summary = stdout
            .lines()
            .find(|line| line.starts_with(&prefix) && counts(line).is_some());
        let Some(summary) = summary else {
            problems.push(format!("{file}: no summary line"));
            continue;
        };
        println!("{summary}");
        if let Some((p, f, s)) = counts(summary) {
            passed += p;
            failed += f;
            skipped += s;
        }
    }
    println!("weft's own wast suite: {passed} passed, {failed} failed, {skipped} skipped");

    // Every line that is neither an `ok` nor a summary: a failure or a skip, with its reason.
    problems.extend(
        stdout
            .lines()
            .filter(|line| !line.contains(":ok ") && counts(line).is_none())
            .map(str::to_string),
    );
    if failed > 0 || skipped > 0 || !out.status.success() || !problems.is_empty() {
        panic!(
            "{failed} failed, {skipped} skipped (exit {:?}):\n{}\n--- stderr:\n{}",
            out.status.code(),
            problems.join("\n"),
            String::from_utf8_lossy(&out.stderr)
        );
    }
}
