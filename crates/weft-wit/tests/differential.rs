//! Differential test: weft's JSON (`json::to_json` after `Resolve::push_path`) against
//! `wasm-tools component wit --json` (wasm-tools 1.262.0, whose wit-parser is the reference
//! implementation) on the same inputs:
//!
//! * the WASI 0.2 and 0.3.0 packages in `<repo>/../shared/spec/` (with `@unstable` features
//!   off, then with all of them on), when that folder exists;
//! * every positive case of weft's own corpus, `tests/wit/` (not `fail/`), with the features
//!   its `// features:` / `// all-features` line asks for;
//! * `examples/hello`.
//!
//! Both documents are compared in canonical form (`weft_test_util::canon`: arena ids replaced
//! by names), so allocation order does not matter. One difference is accepted: wit-parser
//! leaves in its arena the anonymous types of `@unstable` items whose feature is off, with
//! nothing referring to them; anonymous types that nothing reaches are dropped on both sides.
//!
//! wasm-tools comes from `weft_test_util::wasm_tools()` (`$WASM_TOOLS`, the bench or CI venv,
//! or `PATH`). Without it the test says why it skipped and passes, so `cargo test` works
//! offline; `.ci/run` installs it.
//!
//! Run one case: `cargo test -p weft-wit --test differential -- wit/async.wit`.

use std::fs;
use std::panic::{self, AssertUnwindSafe};
use std::path::{Path, PathBuf};
use std::process::ExitCode;
use std::sync::atomic::{AtomicUsize, Ordering};

use libtest_mimic::{Arguments, Completion, Failed, Trial};
use weft_test_util::canon::{canonicalize_with, Options};
use weft_test_util::{
    diff, panic_message, pretty, repo_root, wasm_tools, wasm_tools_json, wasm_tools_version,
};
use weft_wit::Resolve;

/// One input, with the features both tools get.
#[derive(Clone)]
struct Case {
    name: String,
    path: PathBuf,
    features: Vec<String>,
    all_features: bool,
}

static PASSED: AtomicUsize = AtomicUsize::new(0);
static FAILED: AtomicUsize = AtomicUsize::new(0);
static SKIPPED: AtomicUsize = AtomicUsize::new(0);

fn main() -> ExitCode {
    let args = Arguments::from_args();
    let mut skipped_inputs = Vec::new();
    let cases = match find_cases(&mut skipped_inputs) {
        Ok(cases) => cases,
        Err(e) => {
            eprintln!("error: {e}");
            return ExitCode::FAILURE;
        }
    };
    let wasm_tools = wasm_tools();
    let mut trials = Vec::new();
    match &wasm_tools {
        None => {
            if !args.list {
                println!(
                    "differential: skipped, {}",
                    weft_test_util::no_wasm_tools_reason()
                );
            }
        }
        Some(bin) => {
            if !args.list {
                match wasm_tools_version(bin) {
                    Ok(v) if v == weft_test_util::WASM_TOOLS_VERSION => {
                        println!("differential: wasm-tools {v} at {}", bin.display());
                    }
                    Ok(v) => println!(
                        "differential: warning: wasm-tools {v} at {} (expected {}); \
                         differences may come from the version",
                        bin.display(),
                        weft_test_util::WASM_TOOLS_VERSION
                    ),
                    Err(e) => println!("differential: warning: {e}"),
                }
            }
            for case in cases.iter() {
                let (bin, case) = (bin.clone(), case.clone());
                trials.push(Trial::test(case.name.clone(), move || {
                    let result = panic::catch_unwind(AssertUnwindSafe(|| check(&bin, &case)))
                        .unwrap_or_else(|p| Err(format!("panicked: {}", panic_message(&*p))));
                    match result {
                        Ok(()) => PASSED.fetch_add(1, Ordering::Relaxed),
                        Err(_) => FAILED.fetch_add(1, Ordering::Relaxed),
                    };
                    result.map_err(Failed::from)
                }));
            }
        }
    }
    for (name, reason) in skipped_inputs {
        trials.push(Trial::ignorable_test(name, move || {
            SKIPPED.fetch_add(1, Ordering::Relaxed);
            Ok(Completion::ignored_with(reason))
        }));
    }
    let conclusion = libtest_mimic::run(&args, trials);
    if args.list {
        return conclusion.exit_code();
    }
    let mut skipped = SKIPPED.load(Ordering::Relaxed);
    if wasm_tools.is_none() {
        skipped += cases.len();
    }
    // The plain closing line CI counts.
    println!(
        "differential: {} passed, {} failed, {skipped} skipped",
        PASSED.load(Ordering::Relaxed),
        FAILED.load(Ordering::Relaxed),
    );
    conclusion.exit_code()
}

/// Every input, sorted within its group. Inputs that do not exist here (the shared spec
/// folder) go to `skipped` as `(name, reason)`.
fn find_cases(skipped: &mut Vec<(String, String)>) -> Result<Vec<Case>, String> {
    let root = repo_root();
    let mut cases = Vec::new();
    for spec in ["wasi-0.2", "wasi-0.3.0"] {
        let dir = weft_test_util::shared_spec(spec);
        let variants = [
            (spec.to_string(), false),
            (format!("{spec} all-features"), true),
        ];
        if !dir.is_dir() {
            let reason = format!(
                "`{}` does not exist (no `shared/` folder beside the repository)",
                dir.display()
            );
            println!("differential: skipped {spec}: {reason}");
            for (name, _) in variants {
                skipped.push((name, reason.clone()));
            }
            continue;
        }
        let dir = dir.canonicalize().unwrap_or(dir);
        for (name, all_features) in variants {
            cases.push(Case {
                name,
                path: dir.clone(),
                features: Vec::new(),
                all_features,
            });
        }
    }

    // Relative to the crate (the working directory of the test), like `tests/wit.rs`.
    let wit = Path::new("tests/wit");
    let entries =
        fs::read_dir(wit).map_err(|e| format!("failed to read `{}`: {e}", wit.display()))?;
    let mut own: Vec<PathBuf> = entries
        .filter_map(|e| e.ok().map(|e| e.path()))
        .filter(|p| {
            let is_fail_dir = p.file_name().is_some_and(|n| n == "fail");
            (p.is_dir() && !is_fail_dir) || p.extension().is_some_and(|e| e == "wit")
        })
        .collect();
    own.sort();
    if own.is_empty() {
        return Err(format!("no cases in `{}`", wit.display()));
    }
    for path in own {
        let (features, all_features) = weft_test_util::case_features(&path);
        let name = format!(
            "wit/{}",
            path.file_name().unwrap_or_default().to_string_lossy()
        );
        cases.push(Case {
            name,
            path,
            features,
            all_features,
        });
    }

    cases.push(Case {
        name: "examples/hello".to_string(),
        path: root.join("examples").join("hello"),
        features: Vec::new(),
        all_features: false,
    });
    Ok(cases)
}

fn check(wasm_tools: &Path, case: &Case) -> Result<(), String> {
    let mut extra = Vec::new();
    let joined = case.features.join(",");
    if !case.features.is_empty() {
        extra.extend(["--features", joined.as_str()]);
    }
    if case.all_features {
        extra.push("--all-features");
    }
    let theirs = wasm_tools_json(wasm_tools, &case.path, &extra)?;
    let theirs: serde_json::Value = serde_json::from_str(&theirs)
        .map_err(|e| format!("wasm-tools printed invalid JSON: {e}"))?;

    let mut resolve = Resolve::new();
    resolve.features.extend(case.features.iter().cloned());
    resolve.all_features = case.all_features;
    if let Err(e) = resolve.push_path(&case.path) {
        return Err(format!(
            "wasm-tools accepts `{}`, weft does not:\n{}",
            case.path.display(),
            resolve.render_error(&e)
        ));
    }
    let ours = weft_wit::json::to_json(&resolve);

    let options = Options {
        drop_unreferenced_anonymous_types: true,
    };
    let theirs = canonicalize_with(&theirs, &options).map_err(|e| format!("wasm-tools: {e}"))?;
    let ours = canonicalize_with(&ours, &options).map_err(|e| format!("weft: {e}"))?;
    let (theirs, ours) = (pretty(&theirs), pretty(&ours));
    if theirs == ours {
        return Ok(());
    }
    Err(format!(
        "`{}`: JSON differs from wasm-tools' after canonicalizing (- wasm-tools, + weft):\n{}",
        case.path.display(),
        diff(&theirs, &ours)
    ))
}
