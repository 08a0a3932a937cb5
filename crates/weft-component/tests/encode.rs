//! Differential tests of the encoder against wasm-tools 1.262 (wit-component 0.262).
//!
//! Packages (`package/<case>`): every positive WIT input there is — `weft-wit`'s own corpus
//! (`crates/weft-wit/tests/wit/`), the WASI 0.2 and 0.3.0 trees in `../shared/spec` (features
//! off and all on), `examples/hello`, and wit-component's `tests/interfaces/` corpus — goes
//! through `encode_package`, is validated by wasmparser with every feature on, and must
//!
//! 1. decode (`wasm-tools component wit ours.wasm`) to the same WIT text as wasm-tools' own
//!    encoding does (`wasm-tools component wit --wasm src` then `component wit` of that), and
//! 2. ideally be byte-for-byte what wasm-tools writes, once each side's `producers` section
//!    (which names the tool) is removed.
//!
//! Worlds (`world/<case>/<world>`): `component_type_section` must decode to the same WIT as
//! `wasm-tools component embed --only-custom --world <w>`, and ideally have the same bytes.
//!
//! Which cases are byte-equal is recorded in `tests/encode/summary.txt` (bless with
//! `UPDATE_EXPECT=1`), so a change in either direction shows up in review; the closing line
//! gives the counts. The decoded-WIT comparison is also made against wasm-tools' print of the
//! source and counted (it differs for packages with dependencies, whose unused parts are not
//! encoded).
//!
//! Embedding (`embed/<case>`): `tests/encode/embed/<case>.wat` with the world in
//! `<case>.wit` embedded must become a component with `wasm-tools component new`, whose
//! `component wit` is checked against `<case>.component.wit`.
//!
//! Without a wasm-tools binary (`weft_test_util::wasm_tools`) the comparisons are skipped and
//! counted as such; the wasmparser validation still runs.

use std::collections::BTreeMap;
use std::ffi::OsStr;
use std::fs;
use std::panic::{self, AssertUnwindSafe};
use std::path::{Path, PathBuf};
use std::process::ExitCode;
use std::sync::atomic::{AtomicUsize, Ordering};
use std::sync::Mutex;

use libtest_mimic::{Arguments, Completion, Failed, Trial};
use weft_component::{component_type_section, embed, encode_package, encode_world, StringEncoding};
use weft_test_util::{diff, panic_message, repo_root, run_wasm_tools, wasm_tools};
use weft_wit::{PackageId, Resolve};

/// One WIT input and the features to resolve it with.
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
static BYTE_EQUAL: AtomicUsize = AtomicUsize::new(0);
static WIT_EQUAL_ONLY: AtomicUsize = AtomicUsize::new(0);
static SOURCE_EQUAL: AtomicUsize = AtomicUsize::new(0);
/// Encodings wasmparser 0.254 rejects (names newer than it, like `[get]x`) and wasm-tools
/// 1.262 accepts.
static TOO_NEW_FOR_WASMPARSER: AtomicUsize = AtomicUsize::new(0);

/// `case → "bytes-equal" | "wit-equal"` for the summary file.
static SUMMARY: Mutex<BTreeMap<String, &'static str>> = Mutex::new(BTreeMap::new());

fn main() -> ExitCode {
    let args = Arguments::from_args();
    let mut skipped_inputs = Vec::new();
    let cases = match find_cases(&mut skipped_inputs) {
        Ok(c) => c,
        Err(e) => {
            eprintln!("error: {e}");
            return ExitCode::FAILURE;
        }
    };
    let tools = wasm_tools();
    if tools.is_none() && !args.list {
        println!(
            "encode: comparisons skipped, {}",
            weft_test_util::no_wasm_tools_reason()
        );
    }
    let mut trials = Vec::new();
    for case in &cases {
        let (c, t) = (case.clone(), tools.clone());
        trials.push(trial(format!("package/{}", case.name), move || {
            check_package(t.as_deref(), &c)
        }));
        let (c, t) = (case.clone(), tools.clone());
        trials.push(trial(format!("world/{}", case.name), move || {
            check_worlds(t.as_deref(), &c)
        }));
    }
    for (name, wit, wat) in embed_cases() {
        let t = tools.clone();
        trials.push(trial(format!("embed/{name}"), move || {
            check_embed(t.as_deref(), &wit, &wat)
        }));
    }
    for (name, reason) in skipped_inputs {
        trials.push(Trial::ignorable_test(name, move || {
            SKIPPED.fetch_add(1, Ordering::Relaxed);
            Ok(Completion::ignored_with(reason))
        }));
    }
    let filtered = args.filter.is_some() || !args.skip.is_empty();
    let conclusion = libtest_mimic::run(&args, trials);
    if args.list {
        return conclusion.exit_code();
    }
    let mut code = conclusion.exit_code();
    // The summary covers every input; with some missing (no `../shared`), it is not checked.
    let complete = SKIPPED.load(Ordering::Relaxed) == 0;
    if tools.is_some() && !filtered && !complete {
        println!("encode: summary not checked, some inputs were skipped");
    }
    if tools.is_some() && !filtered && complete {
        let summary = SUMMARY.lock().unwrap_or_else(|e| e.into_inner());
        let mut text = String::from(
            "# Generated by `crates/weft-component/tests/encode.rs` (bless with UPDATE_EXPECT=1).\n\
             # bytes-equal: our encoding is wasm-tools 1.262's, byte for byte, producers aside;\n\
             # wit-equal: the bytes differ, the decoded WIT does not.\n",
        );
        for (name, status) in summary.iter() {
            text.push_str(&format!("{status} {name}\n"));
        }
        if let Err(e) = weft_test_util::expect_file(Path::new("tests/encode/summary.txt"), &text) {
            println!("encode: summary: {e}");
            code = ExitCode::FAILURE;
        }
    }
    println!(
        "encode: {} passed, {} failed, {} skipped; bytes equal {}, WIT equal only {}, \
         decoded WIT equal to the source's print {}, valid for wasm-tools only {}",
        PASSED.load(Ordering::Relaxed),
        FAILED.load(Ordering::Relaxed),
        SKIPPED.load(Ordering::Relaxed),
        BYTE_EQUAL.load(Ordering::Relaxed),
        WIT_EQUAL_ONLY.load(Ordering::Relaxed),
        SOURCE_EQUAL.load(Ordering::Relaxed),
        TOO_NEW_FOR_WASMPARSER.load(Ordering::Relaxed),
    );
    code
}

/// What a check found, when it passed.
enum Outcome {
    Passed,
    Skipped(String),
    /// There was nothing of this kind to check (a package without worlds).
    NothingToCheck,
}

fn trial(name: String, f: impl FnOnce() -> Result<Outcome, String> + Send + 'static) -> Trial {
    Trial::ignorable_test(name, move || {
        let r = panic::catch_unwind(AssertUnwindSafe(f))
            .unwrap_or_else(|p| Err(format!("panicked: {}", panic_message(&*p))));
        match r {
            Ok(Outcome::Passed) => {
                PASSED.fetch_add(1, Ordering::Relaxed);
                Ok(Completion::Completed)
            }
            Ok(Outcome::NothingToCheck) => Ok(Completion::Completed),
            Ok(Outcome::Skipped(why)) => {
                SKIPPED.fetch_add(1, Ordering::Relaxed);
                Ok(Completion::ignored_with(why))
            }
            Err(e) => {
                FAILED.fetch_add(1, Ordering::Relaxed);
                Err(Failed::from(e))
            }
        }
    })
}

fn find_cases(skipped: &mut Vec<(String, String)>) -> Result<Vec<Case>, String> {
    let mut cases = Vec::new();
    for spec in ["wasi-0.2", "wasi-0.3.0"] {
        let dir = weft_test_util::shared_spec(spec);
        for (name, all) in [
            (spec.to_string(), false),
            (format!("{spec}-all-features"), true),
        ] {
            if dir.is_dir() {
                cases.push(Case {
                    name,
                    path: dir.clone(),
                    features: Vec::new(),
                    all_features: all,
                });
            } else {
                skipped.push((
                    format!("package/{name}"),
                    format!("`{}` does not exist", dir.display()),
                ));
            }
        }
    }
    let root = repo_root();
    let own = root.join("crates/weft-wit/tests/wit");
    for path in list(&own)? {
        if path.file_name().is_some_and(|n| n == "fail") {
            continue;
        }
        if !(path.is_dir() || path.extension().is_some_and(|e| e == "wit")) {
            continue;
        }
        let (features, all_features) = weft_test_util::case_features(&path);
        cases.push(Case {
            name: format!("wit/{}", file_name(&path)),
            path,
            features,
            all_features,
        });
    }
    cases.push(Case {
        name: "examples/hello".to_string(),
        path: root.join("examples/hello"),
        features: Vec::new(),
        all_features: false,
    });
    match weft_test_util::corpus_dir("wit-component") {
        Ok(dir) => {
            for path in list(&dir.join("tests/interfaces"))? {
                if !(path.is_dir() || path.extension().is_some_and(|e| e == "wit")) {
                    continue;
                }
                cases.push(Case {
                    name: format!("interfaces/{}", file_name(&path)),
                    path,
                    features: Vec::new(),
                    all_features: false,
                });
            }
        }
        Err(e) => skipped.push(("package/interfaces".to_string(), e)),
    }
    Ok(cases)
}

fn list(dir: &Path) -> Result<Vec<PathBuf>, String> {
    let mut v: Vec<PathBuf> = fs::read_dir(dir)
        .map_err(|e| format!("failed to read `{}`: {e}", dir.display()))?
        .filter_map(|e| e.ok().map(|e| e.path()))
        .collect();
    v.sort();
    Ok(v)
}

fn file_name(p: &Path) -> String {
    p.file_name()
        .unwrap_or_default()
        .to_string_lossy()
        .into_owned()
}

fn resolve(case: &Case) -> Result<(Resolve, PackageId), String> {
    let mut resolve = Resolve::new();
    resolve.features.extend(case.features.iter().cloned());
    resolve.all_features = case.all_features;
    match resolve.push_path(&case.path) {
        Ok(pkg) => Ok((resolve, pkg)),
        Err(e) => Err(resolve.render_error(&e)),
    }
}

/// wasm-tools' feature flags for `case`.
fn feature_args(case: &Case) -> Vec<String> {
    let mut v = Vec::new();
    if !case.features.is_empty() {
        v.push("--features".to_string());
        v.push(case.features.join(","));
    }
    if case.all_features {
        v.push("--all-features".to_string());
    }
    v
}

/// Validates `bytes` with wasmparser, every feature on. What our wasmparser (0.254, wasmtime
/// 48's) rejects is accepted when wasm-tools 1.262 validates it: the component model has
/// grown since (accessor names such as `[get]x`), and that is counted separately.
fn validate(tools: Option<&Path>, bytes: &[u8], scratch_path: &Path) -> Result<(), String> {
    let err = match wasmparser::Validator::new_with_features(wasmparser::WasmFeatures::all())
        .validate_all(bytes)
    {
        Ok(_) => return Ok(()),
        Err(e) => format!("wasmparser rejects the encoding: {e}"),
    };
    let Some(tools) = tools else { return Err(err) };
    fs::write(scratch_path, bytes).map_err(|e| format!("{err}\nwriting it: {e}"))?;
    match run(
        tools,
        &[
            "validate",
            "--features",
            "all",
            &scratch_path.to_string_lossy(),
        ],
    ) {
        Ok(_) => {
            TOO_NEW_FOR_WASMPARSER.fetch_add(1, Ordering::Relaxed);
            Ok(())
        }
        Err(e) => Err(format!("{err}\nand wasm-tools rejects it too: {e}")),
    }
}

/// A scratch file path for `case` and `what`.
fn scratch(case: &str, what: &str) -> PathBuf {
    let dir = Path::new(env!("CARGO_TARGET_TMPDIR")).join("encode");
    let _ = fs::create_dir_all(&dir);
    let safe: String = case
        .chars()
        .map(|c| {
            if c.is_ascii_alphanumeric() || c == '-' {
                c
            } else {
                '_'
            }
        })
        .collect();
    dir.join(format!("{safe}.{what}"))
}

fn run(tools: &Path, args: &[&str]) -> Result<String, String> {
    let args: Vec<&OsStr> = args.iter().map(OsStr::new).collect();
    run_wasm_tools(tools, &args)
}

/// `wasm-tools component wit <file>` of `bytes`.
fn print_wasm(tools: &Path, bytes: &[u8], path: &Path) -> Result<String, String> {
    fs::write(path, bytes).map_err(|e| format!("failed to write `{}`: {e}", path.display()))?;
    run(tools, &["component", "wit", &path.to_string_lossy()])
}

/// `bytes` without any custom section named `producers`, top level only.
fn strip_producers(bytes: &[u8]) -> Vec<u8> {
    let mut out = bytes[..bytes.len().min(8)].to_vec();
    let mut at = 8;
    while at < bytes.len() {
        let id = bytes[at];
        let Some((size, n)) = read_u32(&bytes[at + 1..]) else {
            return bytes.to_vec();
        };
        let end = at + 1 + n + size as usize;
        if end > bytes.len() {
            return bytes.to_vec();
        }
        let body = &bytes[at + 1 + n..end];
        let is_producers = id == 0
            && read_u32(body)
                .is_some_and(|(len, m)| body.get(m..m + len as usize) == Some(b"producers"));
        if !is_producers {
            out.extend_from_slice(&bytes[at..end]);
        }
        at = end;
    }
    out
}

fn read_u32(b: &[u8]) -> Option<(u32, usize)> {
    let mut v = 0u32;
    for (i, byte) in b.iter().enumerate().take(5) {
        v |= u32::from(byte & 0x7f) << (7 * i);
        if byte & 0x80 == 0 {
            return Some((v, i + 1));
        }
    }
    None
}

/// Runs `wasm-tools <args> -o <scratch> <case's feature flags> <case's path>` and checks that
/// what it writes and `ours` decode (`component wit`) to the same WIT. Returns wasm-tools'
/// bytes and that WIT.
fn encode_with_wasm_tools(
    tools: &Path,
    case: &Case,
    name: &str,
    args: &[&str],
    ours: &[u8],
) -> Result<(Vec<u8>, String), String> {
    let theirs_path = scratch(name, "theirs.wasm");
    let src = case.path.to_string_lossy().into_owned();
    let features = feature_args(case);
    let mut args = args.to_vec();
    args.extend(["-o", theirs_path.to_str().unwrap_or("")]);
    args.extend(features.iter().map(String::as_str));
    args.push(&src);
    run(tools, &args)?;
    let theirs = fs::read(&theirs_path).map_err(|e| format!("reading wasm-tools' output: {e}"))?;
    let theirs_wit = run(tools, &["component", "wit", &theirs_path.to_string_lossy()])?;
    let ours_wit = print_wasm(tools, ours, &scratch(name, "ours.wasm"))?;
    if ours_wit != theirs_wit {
        return Err(format!(
            "decoded WIT differs (- wasm-tools' encoding, + ours):\n{}",
            diff(&theirs_wit, &ours_wit)
        ));
    }
    Ok((theirs, theirs_wit))
}

fn check_package(tools: Option<&Path>, case: &Case) -> Result<Outcome, String> {
    let (resolve, pkg) = resolve(case)?;
    let ours = encode_package(&resolve, pkg).map_err(|e| format!("encode_package: {e}"))?;
    let name = format!("package/{}", case.name);
    validate(tools, &ours, &scratch(&name, "validate.wasm"))?;
    let Some(tools) = tools else {
        return Ok(Outcome::Skipped("no wasm-tools binary".to_string()));
    };
    let (theirs, ours_wit) =
        encode_with_wasm_tools(tools, case, &name, &["component", "wit", "--wasm"], &ours)?;
    let src = case.path.to_string_lossy().into_owned();
    let features = feature_args(case);
    let mut src_args = vec!["component", "wit"];
    src_args.extend(features.iter().map(String::as_str));
    src_args.push(&src);
    if run(tools, &src_args).is_ok_and(|s| s == ours_wit) {
        SOURCE_EQUAL.fetch_add(1, Ordering::Relaxed);
    }
    record(&name, strip_producers(&ours) == strip_producers(&theirs));
    Ok(Outcome::Passed)
}

fn check_worlds(tools: Option<&Path>, case: &Case) -> Result<Outcome, String> {
    let (resolve, pkg) = resolve(case)?;
    let worlds: Vec<(String, weft_wit::WorldId)> = resolve.packages[pkg]
        .worlds
        .iter()
        .map(|(n, id)| (n.clone(), *id))
        .collect();
    if worlds.is_empty() {
        return Ok(Outcome::NothingToCheck);
    }
    let mut errors = Vec::new();
    for (wname, world) in worlds {
        let name = format!("world/{}/{wname}", case.name);
        let result = (|| {
            let plain = encode_world(&resolve, world).map_err(|e| format!("encode_world: {e}"))?;
            validate(tools, &plain, &scratch(&name, "validate-plain.wasm"))?;
            let ours = component_type_section(&resolve, world, StringEncoding::Utf8)
                .map_err(|e| format!("component_type_section: {e}"))?;
            validate(tools, &ours, &scratch(&name, "validate.wasm"))?;
            let Some(tools) = tools else { return Ok(()) };
            let args = ["component", "embed", "--only-custom", "--world", &wname];
            let (theirs, theirs_wit) = encode_with_wasm_tools(tools, case, &name, &args, &ours)?;
            let plain_wit = print_wasm(tools, &plain, &scratch(&name, "plain.wasm"))?;
            if plain_wit != theirs_wit {
                return Err(format!(
                    "encode_world decodes differently (- wasm-tools, + ours):\n{}",
                    diff(&theirs_wit, &plain_wit)
                ));
            }
            record(&name, strip_producers(&ours) == strip_producers(&theirs));
            Ok(())
        })();
        if let Err(e) = result {
            errors.push(format!("world `{wname}`: {e}"));
        }
    }
    if !errors.is_empty() {
        return Err(errors.join("\n"));
    }
    match tools {
        Some(_) => Ok(Outcome::Passed),
        None => Ok(Outcome::Skipped("no wasm-tools binary".to_string())),
    }
}

fn record(name: &str, byte_equal: bool) {
    if byte_equal {
        BYTE_EQUAL.fetch_add(1, Ordering::Relaxed);
    } else {
        WIT_EQUAL_ONLY.fetch_add(1, Ordering::Relaxed);
    }
    let status = if byte_equal {
        "bytes-equal"
    } else {
        "wit-equal"
    };
    SUMMARY
        .lock()
        .unwrap_or_else(|e| e.into_inner())
        .insert(name.to_string(), status);
}

/// `tests/encode/embed/<case>.wit` + `<case>.wat`.
fn embed_cases() -> Vec<(String, PathBuf, PathBuf)> {
    let dir = Path::new("tests/encode/embed");
    let mut out = Vec::new();
    for path in list(dir).unwrap_or_default() {
        if path.extension().is_some_and(|e| e == "wat") {
            let stem = path
                .file_stem()
                .unwrap_or_default()
                .to_string_lossy()
                .into_owned();
            out.push((stem, path.with_extension("wit"), path));
        }
    }
    out
}

/// The first line of `wat` that reads `;; string-encoding: <e>`, else UTF-8.
fn wat_encoding(wat: &str) -> StringEncoding {
    for line in wat.lines() {
        if let Some(e) = line.trim().strip_prefix(";; string-encoding:") {
            return match e.trim() {
                "utf16" => StringEncoding::Utf16,
                "latin1+utf16" => StringEncoding::CompactUtf16,
                _ => StringEncoding::Utf8,
            };
        }
    }
    StringEncoding::Utf8
}

fn check_embed(tools: Option<&Path>, wit: &Path, wat: &Path) -> Result<Outcome, String> {
    let mut resolve = Resolve::new();
    let pkg = resolve
        .push_path(wit)
        .map_err(|e| resolve.render_error(&e))?;
    let world = resolve
        .select_world(pkg, None)
        .map_err(|e| resolve.render_error(&e))?;
    let text = fs::read_to_string(wat).map_err(|e| format!("reading `{}`: {e}", wat.display()))?;
    let module = wat::parse_str(&text).map_err(|e| format!("`{}`: {e}", wat.display()))?;
    let embedded =
        embed(&module, &resolve, world, wat_encoding(&text)).map_err(|e| format!("embed: {e}"))?;
    let name = format!("embed/{}", file_name(wat));
    validate(tools, &embedded, &scratch(&name, "validate.wasm"))?;
    let Some(tools) = tools else {
        return Ok(Outcome::Skipped("no wasm-tools binary".to_string()));
    };
    let input = scratch(&name, "core.wasm");
    let output = scratch(&name, "component.wasm");
    fs::write(&input, &embedded).map_err(|e| format!("writing `{}`: {e}", input.display()))?;
    run(
        tools,
        &[
            "component",
            "new",
            &input.to_string_lossy(),
            "-o",
            &output.to_string_lossy(),
        ],
    )?;
    let printed = run(tools, &["component", "wit", &output.to_string_lossy()])?;
    // The string encoding recorded in the section is what `component new` lifts and lowers
    // with.
    let text_form = run(tools, &["print", &output.to_string_lossy()])?;
    let wanted = match wat_encoding(&text) {
        StringEncoding::Utf8 => "string-encoding=utf8",
        StringEncoding::Utf16 => "string-encoding=utf16",
        StringEncoding::CompactUtf16 => "string-encoding=latin1+utf16",
    };
    if !text_form.contains(wanted) {
        return Err(format!(
            "the component's canonical options do not say `{wanted}`"
        ));
    }
    weft_test_util::expect_file(&wat.with_extension("component.wit"), &printed)?;
    Ok(Outcome::Passed)
}
