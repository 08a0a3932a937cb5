//! `weft new` against wit-component 0.262's `tests/components` corpus.
//!
//! For each case directory: the WIT package in it is resolved, world `module` is embedded into
//! `module.wat` with our `embed` (as bindings generators do), and `new_component` wraps the
//! result using only that custom section. A success case must validate and print, through our
//! decoder and printer, the WIT of `component.wit.print` (both laid out by weft's formatter).
//! An `error-*` case must be rejected (wit-component's message in `error.txt` is not compared:
//! ours speaks WIT in its own words).
//!
//! Known gaps are listed in `tests/new/skips.txt` as `name: reason`; a listed case that passes
//! fails the run, so the list stays true. Counts are printed at the end.

use std::collections::BTreeMap;
use std::fs;
use std::panic::{self, AssertUnwindSafe};
use std::path::{Path, PathBuf};
use std::process::ExitCode;
use std::sync::atomic::{AtomicUsize, Ordering};
use std::sync::Mutex;

use libtest_mimic::{Arguments, Failed, Trial};
use weft_component::{decode, embed, new_component, Decoded, NewOptions, StringEncoding};
use weft_test_util::{corpus_dir, diff, panic_message};
use weft_wit::print::{print_package, PrintOptions};
use weft_wit::Resolve;

const SKIPS_FILE: &str = "tests/new/skips.txt";

static PASSED: AtomicUsize = AtomicUsize::new(0);
static FAILED: AtomicUsize = AtomicUsize::new(0);
static SKIPPED: AtomicUsize = AtomicUsize::new(0);
static SKIP_REASONS: Mutex<BTreeMap<String, usize>> = Mutex::new(BTreeMap::new());

fn main() -> ExitCode {
    let args = Arguments::from_args();
    let skips: BTreeMap<String, String> = fs::read_to_string(SKIPS_FILE)
        .unwrap_or_default()
        .lines()
        .filter(|l| !l.trim().is_empty() && !l.starts_with('#'))
        .filter_map(|l| l.split_once(':'))
        .map(|(n, r)| (n.trim().to_string(), r.trim().to_string()))
        .collect();
    let dir = match corpus_dir("wit-component") {
        Ok(d) => d.join("tests/components"),
        Err(e) => {
            eprintln!("weft new corpus: skipped entirely: {e}");
            return ExitCode::SUCCESS;
        }
    };
    let mut cases: Vec<PathBuf> = fs::read_dir(&dir)
        .map(|rd| {
            rd.flatten()
                .map(|e| e.path())
                .filter(|p| p.is_dir())
                .collect()
        })
        .unwrap_or_default();
    cases.sort();
    let trials = cases
        .into_iter()
        .map(|path| {
            let name = path
                .file_name()
                .unwrap_or_default()
                .to_string_lossy()
                .into_owned();
            let skip = skips.get(&name).cloned();
            Trial::test(name, move || run(skip, || case(&path)))
        })
        .collect();
    let conclusion = libtest_mimic::run(&args, trials);
    eprintln!(
        "weft new corpus (wit-component 0.262 tests/components): {} passed, {} failed, {} skipped",
        PASSED.load(Ordering::SeqCst),
        FAILED.load(Ordering::SeqCst),
        SKIPPED.load(Ordering::SeqCst)
    );
    for (reason, n) in SKIP_REASONS
        .lock()
        .unwrap_or_else(|e| e.into_inner())
        .iter()
    {
        eprintln!("  skipped {n:>3}: {reason}");
    }
    conclusion.exit_code()
}

fn run(skip: Option<String>, case: impl FnOnce() -> Result<(), String>) -> Result<(), Failed> {
    let outcome = match panic::catch_unwind(AssertUnwindSafe(case)) {
        Ok(r) => r,
        Err(p) => Err(format!("panicked: {}", panic_message(&*p))),
    };
    match (outcome, skip) {
        (Ok(()), None) => {
            PASSED.fetch_add(1, Ordering::SeqCst);
            Ok(())
        }
        (Ok(()), Some(_)) => {
            FAILED.fetch_add(1, Ordering::SeqCst);
            Err(format!("listed in {SKIPS_FILE}, but passes: remove it from the list").into())
        }
        (Err(_), Some(reason)) => {
            SKIPPED.fetch_add(1, Ordering::SeqCst);
            *SKIP_REASONS
                .lock()
                .unwrap_or_else(|e| e.into_inner())
                .entry(reason)
                .or_default() += 1;
            Ok(())
        }
        (Err(e), None) => {
            FAILED.fetch_add(1, Ordering::SeqCst);
            Err(e.into())
        }
    }
}

fn case(dir: &Path) -> Result<(), String> {
    let name = dir
        .file_name()
        .unwrap_or_default()
        .to_string_lossy()
        .into_owned();
    let module_path = dir.join("module.wat");
    if !module_path.is_file() {
        return Err(
            "no module.wat: a `component link` case (shared-everything linking of libraries)"
                .into(),
        );
    }
    let mut resolve = Resolve::new();
    let pkg = weft_component::push_path(&mut resolve, dir).map_err(|e| resolve.render_error(&e))?;
    let world = resolve
        .select_world(pkg, Some("module"))
        .map_err(|e| resolve.render_error(&e))?;
    let module = wat::parse_file(&module_path).map_err(|e| e.to_string())?;
    let module =
        embed(&module, &resolve, world, StringEncoding::Utf8).map_err(|e| e.to_string())?;
    // Adapters: `adapt-NAME.wat` with world `adapt-NAME`; the import module name is NAME
    // unless a leading `;; module name: …` comment says otherwise.
    let mut adapters = Vec::new();
    let mut files: Vec<PathBuf> = fs::read_dir(dir)
        .map_err(|e| e.to_string())?
        .flatten()
        .map(|e| e.path())
        .collect();
    files.sort();
    for path in files {
        let file = path
            .file_name()
            .unwrap_or_default()
            .to_string_lossy()
            .into_owned();
        let Some(stem) = file
            .strip_suffix(".wat")
            .filter(|s| s.starts_with("adapt-"))
        else {
            continue;
        };
        let text = fs::read_to_string(&path).map_err(|e| e.to_string())?;
        let name = text
            .lines()
            .map(str::trim)
            .take_while(|l| l.is_empty() || l.starts_with(";;"))
            .find_map(|l| l.strip_prefix(";; module name: "))
            .map_or_else(
                || stem.trim_start_matches("adapt-").to_string(),
                str::to_string,
            );
        let world = resolve
            .select_world(pkg, Some(stem))
            .map_err(|e| resolve.render_error(&e))?;
        let wasm = wat::parse_str(&text).map_err(|e| e.to_string())?;
        let wasm =
            embed(&wasm, &resolve, world, StringEncoding::Utf8).map_err(|e| e.to_string())?;
        adapters.push((name, wasm));
    }
    let result = new_component(
        &module,
        NewOptions {
            adapters,
            no_builtin_adapter: true,
            ..NewOptions::default()
        },
    );
    if name.starts_with("error-") {
        return match result {
            Ok(_) => Err("expected an error, but the module was wrapped".into()),
            Err(_) => Ok(()),
        };
    }
    let bytes = result.map_err(|e| format!("weft new failed: {e}"))?;
    let decoded = decode(&bytes).map_err(|e| format!("decoding our output: {e}"))?;
    let Decoded::Component { .. } = decoded else {
        return Err("our output decodes as a WIT package".into());
    };
    let ours = print_package(
        decoded.resolve(),
        decoded.package(),
        &PrintOptions::default(),
    );
    let expected =
        fs::read_to_string(dir.join("component.wit.print")).map_err(|e| e.to_string())?;
    let fmt = |what: &str, t: &str| {
        weft_wit::format::format_source(what, t)
            .map_err(|e| format!("{what} does not format: {e:?}"))
    };
    let (e, o) = (fmt("expected", &expected)?, fmt("ours", &ours)?);
    if e != o {
        return Err(format!(
            "printed WIT differs (- wit-component, + weft)\n{}",
            diff(&e, &o)
        ));
    }
    Ok(())
}
