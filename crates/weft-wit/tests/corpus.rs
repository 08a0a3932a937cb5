//! Conformance against wit-parser's golden corpus: every case in wit-parser 0.262.0's
//! `tests/ui` (fetched by Cargo through `corpora/Cargo.toml`, see `weft_test_util::corpus_dir`).
//!
//! * A valid case (a `.wit` file or a package directory) must resolve, and our JSON must equal
//!   the expected `.wit.json` once arena indices are replaced by names
//!   (`weft_test_util::canon::canonicalize`, which keeps every type: strict).
//! * A `parse-fail/` case must be rejected, and our rendered error must point at the same file
//!   and line as the first location in the expected `.wit.result`.
//!
//! Features are set up like wit-parser's own harness (`tests/all.rs` there): `active` is on.
//! Known gaps are listed in `tests/corpus-skips.txt` as `name: reason`. A skipped case still
//! runs; if it passes, the summary says so, and `UPDATE_EXPECT=1` removes it from the list.
//! The counts are written to the conformance table in README.md under `UPDATE_EXPECT=1`, and
//! an unfiltered run fails when that table disagrees with them.
//!
//! Run one case: `cargo test -p weft-wit --test corpus -- parse-fail/cycle.wit`.

use std::fmt::Write as _;
use std::fs;
use std::panic::{self, AssertUnwindSafe};
use std::path::{Path, PathBuf};
use std::process::ExitCode;
use std::sync::Mutex;

use libtest_mimic::{Arguments, Completion, Failed, Trial};
use weft_test_util::{
    bless, canon, corpus_dir, diff, expect_section, panic_message, pretty, repo_root,
};
use weft_wit::{ErrorKind, Resolve};

const ORACLE: &str = "wit-parser";
const ORACLE_VERSION: &str = "0.262.0";
const SKIPS_FILE: &str = "tests/corpus-skips.txt";
const README_MARKER: &str = "conformance:wit-parser";

#[derive(Copy, Clone, Debug, PartialEq, Eq)]
enum Category {
    /// `tests/ui/*`: resolves, JSON matches.
    Valid,
    /// `tests/ui/parse-fail/*`: rejected at the same line.
    Invalid,
}

struct Case {
    /// Path relative to `tests/ui`, e.g. `use.wit` or `parse-fail/bad-pkg1`.
    name: String,
    path: PathBuf,
    category: Category,
}

#[derive(Debug)]
enum Outcome {
    Passed,
    Failed(String),
}

/// One finished case, recorded by the trial that ran it.
struct Record {
    name: String,
    category: Category,
    skip_reason: Option<String>,
    outcome: Outcome,
}

static RECORDS: Mutex<Vec<Record>> = Mutex::new(Vec::new());

fn main() -> ExitCode {
    let args = Arguments::from_args();
    let ui = match corpus_dir(ORACLE) {
        Ok(dir) => dir.join("tests").join("ui"),
        Err(e) => {
            eprintln!("error: cannot locate the {ORACLE} corpus: {e}");
            return ExitCode::FAILURE;
        }
    };
    let cases = match find_cases(&ui) {
        Ok(cases) => cases,
        Err(e) => {
            eprintln!("error: {e}");
            return ExitCode::FAILURE;
        }
    };
    let skips = match Skips::load(Path::new(SKIPS_FILE)) {
        Ok(skips) => skips,
        Err(e) => {
            eprintln!("error: {e}");
            return ExitCode::FAILURE;
        }
    };

    let mut trials = Vec::new();
    for case in cases.iter() {
        let skip_reason = skips.reason(&case.name).map(str::to_string);
        let (name, path, category) = (case.name.clone(), case.path.clone(), case.category);
        let trial_name = name.clone();
        trials.push(Trial::ignorable_test(trial_name, move || {
            let outcome = run_case(&path, category);
            let result = match (&outcome, &skip_reason) {
                (Outcome::Passed, None) => Ok(Completion::Completed),
                (Outcome::Failed(msg), None) => Err(Failed::from(msg.as_str())),
                (Outcome::Passed, Some(_)) => Ok(Completion::ignored_with(format!(
                    "skipped in {SKIPS_FILE}, but now passes"
                ))),
                (Outcome::Failed(_), Some(reason)) => Ok(Completion::ignored_with(reason)),
            };
            lock_records().push(Record {
                name,
                category,
                skip_reason,
                outcome,
            });
            result
        }));
    }
    let self_tests: [(&str, fn()); 2] = [
        ("first_location_forms", first_location_forms),
        ("skips_file_format", skips_file_format),
    ];
    for (name, test) in self_tests {
        trials.push(Trial::test(format!("harness::{name}"), move || {
            panic::catch_unwind(test).map_err(|p| Failed::from(panic_message(&*p)))
        }));
    }

    let conclusion = libtest_mimic::run(&args, trials);
    let full_run = args.filter.is_none() && args.skip.is_empty() && !args.list && !args.ignored;
    if args.list {
        return conclusion.exit_code();
    }
    let summary = summarize(&lock_records(), &skips, &cases, full_run);
    print!("{}", summary.report);
    let mut ok = !conclusion.has_failed();
    if full_run {
        if let Err(e) = finish_full_run(&summary, &skips) {
            println!("error: {e}");
            ok = false;
        }
    } else {
        println!("(filtered run: {SKIPS_FILE} and the README table were not checked)");
    }
    // The plain closing line CI counts.
    println!(
        "corpus: {} passed, {} failed, {} skipped",
        summary.passed(),
        summary.failed(),
        summary.skipped()
    );
    if ok {
        ExitCode::SUCCESS
    } else {
        ExitCode::FAILURE
    }
}

fn lock_records() -> std::sync::MutexGuard<'static, Vec<Record>> {
    RECORDS.lock().unwrap_or_else(|e| e.into_inner())
}

/// Every test input under `ui`, found the way wit-parser's `tests/all.rs` finds them:
/// directories and `.wit`/`.wat`/`.wasm`/`.md` files directly in `ui` and in `ui/parse-fail`.
fn find_cases(ui: &Path) -> Result<Vec<Case>, String> {
    let mut cases = Vec::new();
    for (sub, category) in [("", Category::Valid), ("parse-fail", Category::Invalid)] {
        let dir = ui.join(sub);
        let entries =
            fs::read_dir(&dir).map_err(|e| format!("failed to read `{}`: {e}", dir.display()))?;
        for entry in entries {
            let path = entry
                .map_err(|e| format!("failed to read `{}`: {e}", dir.display()))?
                .path();
            let file_name = path
                .file_name()
                .and_then(|n| n.to_str())
                .unwrap_or_default()
                .to_string();
            if file_name == "parse-fail" {
                continue;
            }
            let is_input = path.is_dir()
                || matches!(
                    path.extension().and_then(|e| e.to_str()),
                    Some("wit" | "wat" | "wasm" | "md")
                );
            if !is_input {
                continue;
            }
            let name = if sub.is_empty() {
                file_name
            } else {
                format!("{sub}/{file_name}")
            };
            cases.push(Case {
                name,
                path,
                category,
            });
        }
    }
    cases.sort_by(|a, b| a.name.cmp(&b.name));
    if cases.is_empty() {
        return Err(format!("no test cases found in `{}`", ui.display()));
    }
    Ok(cases)
}

/// Runs one case, turning a panic in weft-wit into a failure with its message.
fn run_case(path: &Path, category: Category) -> Outcome {
    let result = panic::catch_unwind(AssertUnwindSafe(|| match category {
        Category::Valid => check_valid(path),
        Category::Invalid => check_invalid(path),
    }));
    match result {
        Ok(Ok(())) => Outcome::Passed,
        Ok(Err(msg)) => Outcome::Failed(msg),
        Err(payload) => Outcome::Failed(format!("weft-wit panicked: {}", panic_message(&*payload))),
    }
}

fn new_resolve() -> Resolve {
    let mut resolve = Resolve::new();
    resolve.features.insert("active".to_string());
    resolve
}

fn check_valid(path: &Path) -> Result<(), String> {
    let mut resolve = new_resolve();
    // Through weft-component, which decodes binary packages (`.wat`/`.wasm` cases and deps).
    if let Err(e) = weft_component::push_path(&mut resolve, path) {
        return Err(format!("failed to resolve: {}", resolve.render_error(&e)));
    }
    let expected_path = path.with_extension("wit.json");
    let expected = fs::read_to_string(&expected_path)
        .map_err(|e| format!("failed to read `{}`: {e}", expected_path.display()))?;
    let expected: serde_json::Value = serde_json::from_str(&expected)
        .map_err(|e| format!("`{}` is not JSON: {e}", expected_path.display()))?;
    let ours = weft_wit::json::to_json(&resolve);
    let expected = canon::canonicalize(&expected).map_err(|e| format!("expected JSON: {e}"))?;
    let ours = canon::canonicalize(&ours).map_err(|e| format!("weft's JSON: {e}"))?;
    let (expected, ours) = (pretty(&expected), pretty(&ours));
    if expected == ours {
        return Ok(());
    }
    Err(format!(
        "JSON differs from `{}` after canonicalizing ids (- wit-parser, + weft):\n{}",
        expected_path.display(),
        diff(&expected, &ours)
    ))
}

fn check_invalid(path: &Path) -> Result<(), String> {
    let mut resolve = new_resolve();
    let err = match weft_component::push_path(&mut resolve, path) {
        Ok(_) => return Err("expected an error, but the input resolved".to_string()),
        Err(e) => e,
    };
    let rendered = resolve.render_error(&err);
    let expected_path = path.with_extension("wit.result");
    let expected = fs::read_to_string(&expected_path)
        .map_err(|e| format!("failed to read `{}`: {e}", expected_path.display()))?;
    // wit-parser's harness replaces I/O error messages with a placeholder; such a case only
    // needs to fail with an I/O error.
    if expected.contains("some generic platform-agnostic error message") {
        return match err.kind() {
            ErrorKind::Io => Ok(()),
            kind => Err(format!(
                "expected an I/O error, got a {kind:?} error:\n{rendered}"
            )),
        };
    }
    let Some(want) = first_location(&expected) else {
        return Ok(()); // the expected error names no location: being rejected is enough
    };
    match first_location(&rendered) {
        Some(got) if got == want => Ok(()),
        got => Err(format!(
            "rejected, but at {} instead of {}:{}\n--- wit-parser:\n{}\n--- weft:\n{rendered}",
            got.map_or("no location".to_string(), |(f, l)| format!("{f}:{l}")),
            want.0,
            want.1,
            expected.trim_end(),
        )),
    }
}

/// The first `tests/ui/<path>:<line>` in a rendered error (from `--> path:line:col`, a
/// `* path:line:col` list or a `path:line:col: message` prefix), with the path relative to
/// `tests/ui` so wit-parser's relative paths and our absolute ones compare equal.
fn first_location(text: &str) -> Option<(String, u32)> {
    const ROOT: &str = "tests/ui/";
    let mut rest = text;
    while let Some(i) = rest.find(ROOT) {
        let after = &rest[i + ROOT.len()..];
        let path_end = after
            .find(|c: char| c == ':' || c.is_whitespace() || c == ']')
            .unwrap_or(after.len());
        let path = &after[..path_end];
        let tail = &after[path_end..];
        if let Some(digits) = tail.strip_prefix(':') {
            let n = digits.chars().take_while(char::is_ascii_digit).count();
            if let Ok(line) = digits[..n].parse() {
                return Some((path.replace('\\', "/"), line));
            }
        }
        rest = after;
    }
    None
}

/// The checked-in skip list: `name: reason` per line, `#` comments and blank lines allowed.
struct Skips {
    lines: Vec<String>,
    entries: Vec<(String, String)>,
}

impl Skips {
    fn load(path: &Path) -> Result<Skips, String> {
        match fs::read_to_string(path) {
            Ok(text) => Skips::parse(&path.display().to_string(), &text),
            Err(e) if e.kind() == std::io::ErrorKind::NotFound => Skips::parse("", ""),
            Err(e) => Err(format!("failed to read `{}`: {e}", path.display())),
        }
    }

    fn parse(path: &str, text: &str) -> Result<Skips, String> {
        let mut entries: Vec<(String, String)> = Vec::new();
        for (i, line) in text.lines().enumerate() {
            let line = line.trim();
            if line.is_empty() || line.starts_with('#') {
                continue;
            }
            let (name, reason) = match line.split_once(": ") {
                Some((name, reason)) if !name.trim().is_empty() && !reason.trim().is_empty() => {
                    (name.trim(), reason.trim())
                }
                _ => {
                    return Err(format!(
                        "{path}:{}: expected `name: reason`, found `{line}`",
                        i + 1
                    ))
                }
            };
            if entries.iter().any(|(n, _)| n == name) {
                return Err(format!("{path}:{}: `{name}` is listed twice", i + 1));
            }
            entries.push((name.to_string(), reason.to_string()));
        }
        Ok(Skips {
            lines: text.lines().map(str::to_string).collect(),
            entries,
        })
    }

    fn reason(&self, name: &str) -> Option<&str> {
        self.entries
            .iter()
            .find(|(n, _)| n == name)
            .map(|(_, r)| r.as_str())
    }

    /// The file without the entries for `drop`.
    fn without(&self, drop: &[&str]) -> String {
        let mut out = String::new();
        for line in &self.lines {
            let name = line.split_once(": ").map(|(n, _)| n.trim());
            if name.is_some_and(|n| drop.contains(&n)) && !line.trim_start().starts_with('#') {
                continue;
            }
            out.push_str(line);
            out.push('\n');
        }
        out
    }
}

#[derive(Default)]
struct Counts {
    passed: usize,
    failed: usize,
    skipped: usize,
}

struct Summary {
    valid: Counts,
    invalid: Counts,
    /// Skipped cases that pass now.
    now_passing: Vec<String>,
    /// Skip entries that name no case.
    stale: Vec<String>,
    report: String,
}

impl Summary {
    fn passed(&self) -> usize {
        self.valid.passed + self.invalid.passed
    }
    fn failed(&self) -> usize {
        self.valid.failed + self.invalid.failed
    }
    fn skipped(&self) -> usize {
        self.valid.skipped + self.invalid.skipped
    }
}

/// Counts outcomes and writes the human-readable part of the report. Under `UPDATE_EXPECT=1`
/// a skipped case that now passes counts as passed (the skip list is about to lose it).
fn summarize(records: &[Record], skips: &Skips, cases: &[Case], full_run: bool) -> Summary {
    let mut records: Vec<&Record> = records.iter().collect();
    records.sort_by(|a, b| a.name.cmp(&b.name));
    let mut s = Summary {
        valid: Counts::default(),
        invalid: Counts::default(),
        now_passing: Vec::new(),
        stale: Vec::new(),
        report: String::new(),
    };
    let mut skipped_lines = String::new();
    let mut failing_lines = String::new();
    for r in &records {
        let counts = match r.category {
            Category::Valid => &mut s.valid,
            Category::Invalid => &mut s.invalid,
        };
        match (&r.outcome, &r.skip_reason) {
            (Outcome::Passed, None) => counts.passed += 1,
            (Outcome::Failed(msg), None) => {
                counts.failed += 1;
                let first = msg
                    .lines()
                    .find(|l| !l.trim().is_empty())
                    .unwrap_or("failed");
                let _ = writeln!(failing_lines, "  {}: {}", r.name, first.trim());
            }
            (Outcome::Passed, Some(_)) => {
                s.now_passing.push(r.name.clone());
                if bless() {
                    counts.passed += 1;
                } else {
                    counts.skipped += 1;
                }
            }
            (Outcome::Failed(_), Some(reason)) => {
                counts.skipped += 1;
                let _ = writeln!(skipped_lines, "  {}: {reason}", r.name);
            }
        }
    }
    if full_run {
        s.stale = skips
            .entries
            .iter()
            .filter(|(n, _)| !cases.iter().any(|c| &c.name == n))
            .map(|(n, _)| n.clone())
            .collect();
    }
    let r = &mut s.report;
    let _ = writeln!(r, "\n{ORACLE} {ORACLE_VERSION} tests/ui conformance");
    if !skipped_lines.is_empty() {
        let _ = write!(r, "skipped (listed in {SKIPS_FILE}):\n{skipped_lines}");
    }
    if !s.now_passing.is_empty() {
        let _ = writeln!(
            r,
            "skipped but now passing ({}; run with UPDATE_EXPECT=1 to shrink {SKIPS_FILE}):",
            if bless() {
                "removed from the list"
            } else {
                "still counted as skipped"
            }
        );
        for name in &s.now_passing {
            let _ = writeln!(r, "  {name}");
        }
    }
    if !failing_lines.is_empty() {
        let _ = write!(
            r,
            "failing (fix them, or add `name: reason` lines to {SKIPS_FILE}):\n{failing_lines}"
        );
    }
    s
}

/// After an unfiltered run: updates or checks the skip list and the README table.
fn finish_full_run(summary: &Summary, skips: &Skips) -> Result<(), String> {
    let mut problems = Vec::new();
    if !summary.stale.is_empty() {
        if bless() {
            println!(
                "removed from {SKIPS_FILE} (no such case): {}",
                summary.stale.join(", ")
            );
        } else {
            problems.push(format!(
                "{SKIPS_FILE} names cases that do not exist: {} (run with UPDATE_EXPECT=1 to drop them)",
                summary.stale.join(", ")
            ));
        }
    }
    if bless() && (!summary.now_passing.is_empty() || !summary.stale.is_empty()) {
        let drop: Vec<&str> = summary
            .now_passing
            .iter()
            .chain(&summary.stale)
            .map(String::as_str)
            .collect();
        fs::write(SKIPS_FILE, skips.without(&drop))
            .map_err(|e| format!("failed to write {SKIPS_FILE}: {e}"))?;
    }
    let table = readme_table(summary);
    if let Err(e) = expect_section(&repo_root().join("README.md"), README_MARKER, &table) {
        problems.push(e);
    }
    match problems.is_empty() {
        true => Ok(()),
        false => Err(problems.join("\n")),
    }
}

fn readme_table(s: &Summary) -> String {
    let mut t = String::new();
    let _ = writeln!(
        t,
        "| {ORACLE} {ORACLE_VERSION} `tests/ui` | cases | passed | failed | skipped |"
    );
    let _ = writeln!(t, "|---|--:|--:|--:|--:|");
    let rows = [
        ("valid WIT: resolves, JSON equal up to arena ids", &s.valid),
        (
            "`parse-fail/`: rejected, error at the same line",
            &s.invalid,
        ),
    ];
    for (label, c) in rows {
        let total = c.passed + c.failed + c.skipped;
        let _ = writeln!(
            t,
            "| {label} | {total} | {} | {} | {} |",
            c.passed, c.failed, c.skipped
        );
    }
    let total = s.passed() + s.failed() + s.skipped();
    let _ = writeln!(
        t,
        "| **total** | **{total}** | **{}** | **{}** | **{}** |",
        s.passed(),
        s.failed(),
        s.skipped()
    );
    let _ = write!(
        t,
        "\nGenerated by `crates/weft-wit/tests/corpus.rs`; skipped cases and their reasons are in \
         [`crates/weft-wit/{SKIPS_FILE}`](crates/weft-wit/{SKIPS_FILE})."
    );
    t
}

/// The skip list rejects malformed and repeated lines, and drops entries by name.
fn skips_file_format() {
    let text = "# comment\n\na.wit: not yet\nparse-fail/b: reason: with a colon\n";
    let skips = Skips::parse("skips.txt", text).unwrap();
    assert_eq!(skips.reason("a.wit"), Some("not yet"));
    assert_eq!(skips.reason("parse-fail/b"), Some("reason: with a colon"));
    assert_eq!(skips.reason("c.wit"), None);
    assert_eq!(
        skips.without(&["a.wit"]),
        "# comment\n\nparse-fail/b: reason: with a colon\n"
    );
    let err = Skips::parse("skips.txt", "a.wit\n").err().unwrap();
    assert_eq!(err, "skips.txt:1: expected `name: reason`, found `a.wit`");
    let err = Skips::parse("skips.txt", "a.wit: \n").err().unwrap();
    assert!(err.starts_with("skips.txt:1: expected"), "{err}");
    let err = Skips::parse("skips.txt", "a.wit: x\na.wit: y\n")
        .err()
        .unwrap();
    assert_eq!(err, "skips.txt:2: `a.wit` is listed twice");
}

/// Checks of [`first_location`], run as a trial next to the corpus.
fn first_location_forms() {
    let arrow = "type `bar` does not exist\n     --> tests/ui/parse-fail/alias-no-type.wit:5:14\n";
    assert_eq!(
        first_location(arrow),
        Some(("parse-fail/alias-no-type.wit".into(), 5))
    );
    let prefixed = "failed to resolve directory while parsing WIT for path [tests/ui/parse-fail/pkg-cycle]: \
                    package `foo:a1` creates a dependency cycle\n     --> tests/ui/parse-fail/pkg-cycle/deps/a1/root.wit:3:7";
    assert_eq!(
        first_location(prefixed),
        Some(("parse-fail/pkg-cycle/deps/a1/root.wit".into(), 3))
    );
    let bare =
        "tests/ui/parse-fail/very-large-column.wit:1:65543: expected '{', found an identifier";
    assert_eq!(
        first_location(bare),
        Some(("parse-fail/very-large-column.wit".into(), 1))
    );
    let absolute =
        "  --> /root/.cargo/registry/src/x/wit-parser-0.262.0/tests/ui/parse-fail/a.wit:9:1";
    assert_eq!(
        first_location(absolute),
        Some(("parse-fail/a.wit".into(), 9))
    );
    assert_eq!(first_location("no `package` header was found"), None);
}
