//! weft's own WIT corpus: one input, checked-in expected output (STYLE.md convention 8).
//!
//! * `tests/wit/<case>.wit` or `tests/wit/<case>/` (a package directory, optionally with
//!   `deps/`) must resolve. Its JSON (`json::to_json_string`) is compared with
//!   `<case>.wit.json`, and its printed WIT (`print::print_all`: the main package, then every
//!   other package as a nested block) with `<case>.wit.print`. The printed text must resolve
//!   again on its own and print the same (printing is a fixed point).
//! * `tests/wit/fail/<case>.wit` or `tests/wit/fail/<case>/` must be rejected; the full
//!   rendered error is compared with `fail/<case>.wit.err`.
//!
//! A `// features: a, b` line in a single-file case enables those `@unstable` features, and
//! `// all-features` enables all of them.
//!
//! `UPDATE_EXPECT=1 cargo test -p weft-wit --test wit` rewrites the expected files.

use std::fs;
use std::path::{Path, PathBuf};

use libtest_mimic::{Arguments, Failed, Trial};
use weft_test_util::expect_file;
use weft_wit::print::print_all;
use weft_wit::Resolve;

const ROOT: &str = "tests/wit";

fn main() {
    let args = Arguments::from_args();
    let mut trials = Vec::new();
    for (dir, should_fail) in [(ROOT.to_string(), false), (format!("{ROOT}/fail"), true)] {
        let cases = match find_cases(Path::new(&dir)) {
            Ok(cases) => cases,
            Err(e) => {
                trials.push(Trial::test(dir, move || Err(Failed::from(e))));
                continue;
            }
        };
        for case in cases {
            let name = case
                .to_string_lossy()
                .trim_start_matches("tests/wit/")
                .replace('\\', "/");
            trials.push(Trial::test(name, move || {
                let result = match should_fail {
                    false => check_valid(&case),
                    true => check_invalid(&case),
                };
                result.map_err(Failed::from)
            }));
        }
    }
    libtest_mimic::run(&args, trials).exit();
}

/// `.wit` files and directories directly in `dir` (not `fail/`), sorted. Paths are relative
/// to the crate, which is the test's working directory, so rendered errors show
/// `tests/wit/…` on every machine.
fn find_cases(dir: &Path) -> Result<Vec<PathBuf>, String> {
    let entries =
        fs::read_dir(dir).map_err(|e| format!("failed to read `{}`: {e}", dir.display()))?;
    let mut cases: Vec<PathBuf> = entries
        .filter_map(|e| e.ok().map(|e| e.path()))
        .filter(|p| {
            let is_fail_dir = p.file_name().is_some_and(|n| n == "fail");
            (p.is_dir() && !is_fail_dir) || p.extension().is_some_and(|e| e == "wit")
        })
        .collect();
    cases.sort();
    if cases.is_empty() {
        return Err(format!("no cases in `{}`", dir.display()));
    }
    Ok(cases)
}

/// `foo.wit` → `foo.wit.<ext>`; `foo/` → `foo.wit.<ext>`.
fn expected(case: &Path, ext: &str) -> PathBuf {
    let mut name = case.file_name().unwrap_or_default().to_os_string();
    if case.extension().is_none_or(|e| e != "wit") {
        name.push(".wit");
    }
    name.push(".");
    name.push(ext);
    case.with_file_name(name)
}

/// A `Resolve` with the features a case asks for in its `// features:` line.
fn resolve_for(case: &Path) -> Resolve {
    let mut resolve = Resolve::new();
    let (features, all) = weft_test_util::case_features(case);
    resolve.features.extend(features);
    resolve.all_features = all;
    resolve
}

fn check_valid(case: &Path) -> Result<(), String> {
    let mut resolve = resolve_for(case);
    let pkg = resolve.push_path(case).map_err(|e| {
        format!(
            "expected the case to resolve, but got:\n{}",
            resolve.render_error(&e)
        )
    })?;
    let mut errors = Vec::new();
    let mut json = weft_wit::json::to_json_string(&resolve);
    if !json.ends_with('\n') {
        json.push('\n');
    }
    errors.extend(expect_file(&expected(case, "json"), &json).err());
    let printed = print_all(&resolve, pkg);
    errors.extend(expect_file(&expected(case, "print"), &printed).err());
    errors.extend(check_print_fixed_point(case, &printed).err());
    match errors.is_empty() {
        true => Ok(()),
        false => Err(errors.join("\n")),
    }
}

/// Printed WIT resolves again (with the same features) and prints identically.
fn check_print_fixed_point(case: &Path, printed: &str) -> Result<(), String> {
    let mut again = resolve_for(case);
    let path = format!("{}.print", case.display());
    let pkg = again.push_str(&path, printed).map_err(|e| {
        format!(
            "the printed WIT does not resolve again:\n{}",
            again.render_error(&e)
        )
    })?;
    let reprinted = print_all(&again, pkg);
    if reprinted == printed {
        return Ok(());
    }
    Err(format!(
        "printing the printed WIT changes it (- first print, + second print):\n{}",
        weft_test_util::diff(printed, &reprinted)
    ))
}

fn check_invalid(case: &Path) -> Result<(), String> {
    let mut resolve = resolve_for(case);
    match resolve.push_path(case) {
        Ok(_) => Err("expected an error, but the case resolved".to_string()),
        Err(e) => {
            let mut rendered = resolve.render_error(&e);
            rendered.push('\n');
            expect_file(&expected(case, "err"), &rendered)
        }
    }
}
