//! The decoder (binary → WIT) against wit-component 0.262, plus its error messages.
//!
//! * `interfaces/<case>`: every case of wit-component's `tests/interfaces` (a `.wit` file or a
//!   package directory). `wasm-tools component wit --wasm` encodes it (cached under
//!   `target/decode-cache/`, keyed by a hash of the sources); weft decodes the binary, and
//!   (1) the JSON of our `Resolve` must equal `wasm-tools component wit --json` of the same
//!   binary (canonical form, `weft_test_util::canon`), and (2) our printed package must equal
//!   the expected `.wit.print` once both texts are laid out by weft's formatter (weft's printer
//!   and wit-component's differ in layout only).
//! * `components/<case>`: every case of wit-component's `tests/components` with a
//!   `component.wat` (the component wit-component made from `module.wat` and `module.wit`):
//!   decoded as a real component, checked the same way against `component.wit.print`.
//! * `decode/<file>`: our own inputs under `tests/decode/` (bad binaries, core modules with
//!   `component-type` sections); the output (printed WIT or the error) is `<file>.out`.
//! * `fuzz::*`: random bytes, prefix-truncations of real components and of our own binaries,
//!   and our binaries with single bytes changed must never panic.
//!
//! Without wasm-tools the corpus cases are skipped (counted, with the reason). Known gaps are
//! listed in `tests/decode/skips.txt` as `name: reason`. Bless with `UPDATE_EXPECT=1`.

use std::collections::BTreeMap;
use std::ffi::OsStr;
use std::fs;
use std::panic::{self, AssertUnwindSafe};
use std::path::{Path, PathBuf};
use std::process::ExitCode;
use std::sync::Mutex;

use libtest_mimic::{Arguments, Completion, Failed, Trial};
use weft_component::{decode, Decoded};
use weft_test_util::{
    bless, corpus_dir, diff, expect_file, no_wasm_tools_reason, panic_message, run_wasm_tools,
    wasm_tools,
};
use weft_wit::print::{print_package, PrintOptions};

mod common;
use common::{cache_dir, compare_json, format_wit, hash};

const SKIPS_FILE: &str = "tests/decode/skips.txt";

#[derive(Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Debug)]
enum Suite {
    Interfaces,
    Components,
    Own,
    Fuzz,
}

#[derive(Default)]
struct Counts {
    passed: usize,
    failed: usize,
    skipped: usize,
}

static COUNTS: Mutex<BTreeMap<Suite, Counts>> = Mutex::new(BTreeMap::new());

fn count(suite: Suite, f: impl FnOnce(&mut Counts)) {
    let mut c = COUNTS.lock().unwrap_or_else(|e| e.into_inner());
    f(c.entry(suite).or_default());
}

fn main() -> ExitCode {
    let args = Arguments::from_args();
    let skips = load_skips();
    let wasm_tools = wasm_tools();
    let mut trials = Vec::new();

    let corpus = corpus_dir("wit-component").map(|d| d.join("tests"));
    match &corpus {
        Ok(tests) => {
            for (name, path) in interface_cases(&tests.join("interfaces")) {
                let name = format!("interfaces/{name}");
                let skip = skips.get(&name).cloned();
                let wt = wasm_tools.clone();
                trials.push(Trial::ignorable_test(name, move || {
                    run(Suite::Interfaces, skip, || match &wt {
                        Some(wt) => interface_case(wt, &path).map(Some),
                        None => Ok(None),
                    })
                }));
            }
            for (name, dir) in component_cases(&tests.join("components")) {
                let name = format!("components/{name}");
                let skip = skips.get(&name).cloned();
                let wt = wasm_tools.clone();
                trials.push(Trial::ignorable_test(name, move || {
                    run(Suite::Components, skip, || {
                        component_case(wt.as_deref(), &dir).map(Some)
                    })
                }));
            }
        }
        Err(e) => eprintln!("warning: the wit-component corpus is unavailable: {e}"),
    }
    for path in own_cases() {
        let name = format!(
            "decode/{}",
            path.file_name().and_then(OsStr::to_str).unwrap_or_default()
        );
        let skip = skips.get(&name).cloned();
        trials.push(Trial::ignorable_test(name, move || {
            run(Suite::Own, skip, || own_case(&path).map(Some))
        }));
    }
    let fuzz_inputs = corpus
        .as_ref()
        .map(|t| t.join("components"))
        .unwrap_or_default();
    trials.push(Trial::ignorable_test("fuzz::random_bytes", || {
        run(Suite::Fuzz, None, || fuzz_random().map(Some))
    }));
    trials.push(Trial::ignorable_test(
        "fuzz::truncated_components",
        move || run(Suite::Fuzz, None, || fuzz_truncated(&fuzz_inputs).map(Some)),
    ));

    let conclusion = libtest_mimic::run(&args, trials);
    if args.list {
        return conclusion.exit_code();
    }
    if wasm_tools.is_none() {
        println!("corpus cases skipped: {}", no_wasm_tools_reason());
    }
    let counts = COUNTS.lock().unwrap_or_else(|e| e.into_inner());
    let (mut p, mut f, mut s) = (0, 0, 0);
    for (suite, c) in counts.iter() {
        println!(
            "decode {suite:?}: {} passed, {} failed, {} skipped",
            c.passed, c.failed, c.skipped
        );
        (p, f, s) = (p + c.passed, f + c.failed, s + c.skipped);
    }
    println!("decode: {p} passed, {f} failed, {s} skipped");
    conclusion.exit_code()
}

/// Runs a case: `Ok(None)` is a skip for lack of wasm-tools.
fn run(
    suite: Suite,
    skip: Option<String>,
    case: impl FnOnce() -> Result<Option<()>, String>,
) -> Result<Completion, Failed> {
    let outcome = match panic::catch_unwind(AssertUnwindSafe(case)) {
        Ok(r) => r,
        Err(p) => Err(format!("panicked: {}", panic_message(&*p))),
    };
    match (outcome, skip) {
        (Ok(None), _) => {
            count(suite, |c| c.skipped += 1);
            Ok(Completion::ignored_with("no wasm-tools"))
        }
        (Ok(Some(())), None) => {
            count(suite, |c| c.passed += 1);
            Ok(Completion::Completed)
        }
        (Ok(Some(())), Some(_)) => {
            count(suite, |c| c.failed += 1);
            Err(Failed::from(format!(
                "listed in {SKIPS_FILE}, but passes: remove it from the list"
            )))
        }
        (Err(_), Some(reason)) => {
            count(suite, |c| c.skipped += 1);
            Ok(Completion::ignored_with(reason))
        }
        (Err(e), None) => {
            count(suite, |c| c.failed += 1);
            Err(Failed::from(e))
        }
    }
}

fn load_skips() -> BTreeMap<String, String> {
    let text = fs::read_to_string(SKIPS_FILE).unwrap_or_default();
    text.lines()
        .map(str::trim)
        .filter(|l| !l.is_empty() && !l.starts_with('#'))
        .filter_map(|l| l.split_once(": "))
        .map(|(n, r)| (n.to_string(), r.to_string()))
        .collect()
}

fn sorted(dir: &Path) -> Vec<PathBuf> {
    let mut v: Vec<PathBuf> = fs::read_dir(dir)
        .map(|rd| rd.filter_map(|e| e.ok().map(|e| e.path())).collect())
        .unwrap_or_default();
    v.sort();
    v
}

fn file_name(p: &Path) -> String {
    p.file_name()
        .and_then(OsStr::to_str)
        .unwrap_or_default()
        .to_string()
}

fn interface_cases(dir: &Path) -> Vec<(String, PathBuf)> {
    sorted(dir)
        .into_iter()
        .filter(|p| p.is_dir() || p.extension() == Some(OsStr::new("wit")))
        .map(|p| (file_name(&p), p))
        .collect()
}

fn component_cases(dir: &Path) -> Vec<(String, PathBuf)> {
    sorted(dir)
        .into_iter()
        .filter(|p| p.join("component.wat").is_file() && p.join("component.wit.print").is_file())
        .map(|p| (file_name(&p), p))
        .collect()
}

fn own_cases() -> Vec<PathBuf> {
    sorted(Path::new("tests/decode"))
        .into_iter()
        .filter(|p| {
            matches!(
                p.extension().and_then(OsStr::to_str),
                Some("wat" | "wasm" | "bin")
            )
        })
        .collect()
}

/// The sources of a `.wit` file or package directory (with `deps/`), for the cache key.
fn source_bytes(path: &Path, out: &mut Vec<u8>) {
    if path.is_dir() {
        for p in sorted(path) {
            out.extend_from_slice(file_name(&p).as_bytes());
            source_bytes(&p, out);
        }
    } else if let Ok(b) = fs::read(path) {
        out.extend_from_slice(&b);
    }
}

/// `wasm-tools component wit --wasm` of a WIT source, cached.
fn encode_with_wasm_tools(wt: &Path, src: &Path) -> Result<Vec<u8>, String> {
    let mut key = b"wit-wasm".to_vec();
    source_bytes(src, &mut key);
    let cached = cache_dir().join(format!("{}.wasm", hash(&key)));
    if let Ok(b) = fs::read(&cached) {
        return Ok(b);
    }
    let tmp = cached.with_extension(format!("tmp{}", std::process::id()));
    run_wasm_tools(
        wt,
        &[
            OsStr::new("component"),
            OsStr::new("wit"),
            OsStr::new("--wasm"),
            src.as_os_str(),
            OsStr::new("-o"),
            tmp.as_os_str(),
        ],
    )?;
    fs::rename(&tmp, &cached).map_err(|e| e.to_string())?;
    fs::read(&cached).map_err(|e| e.to_string())
}

/// Our printed package against wit-component's, both laid out by weft's formatter.
fn compare_print(expected_path: &Path, decoded: &Decoded) -> Result<(), String> {
    let ours = print_package(
        decoded.resolve(),
        decoded.package(),
        &PrintOptions::default(),
    );
    let expected = fs::read_to_string(expected_path)
        .map_err(|e| format!("failed to read `{}`: {e}", expected_path.display()))?;
    let (e, o) = (
        format_wit("expected", &expected)?,
        format_wit("ours", &ours)?,
    );
    if e != o {
        return Err(format!(
            "printed WIT differs from `{}` (- wit-component, + weft; both formatted)\n{}",
            expected_path.display(),
            diff(&e, &o)
        ));
    }
    Ok(())
}

fn render(e: &weft_component::Error) -> String {
    e.to_string()
}

/// Both checks' results: their errors, one a line, when either fails.
fn both(a: Result<(), String>, b: Result<(), String>) -> Result<(), String> {
    match (a, b) {
        (Ok(()), Ok(())) => Ok(()),
        (a, b) => Err([a.err(), b.err()]
            .into_iter()
            .flatten()
            .collect::<Vec<_>>()
            .join("\n")),
    }
}

fn interface_case(wt: &Path, src: &Path) -> Result<(), String> {
    let wasm = encode_with_wasm_tools(wt, src)?;
    let decoded = decode(&wasm).map_err(|e| render(&e))?;
    if !matches!(decoded, Decoded::Package { .. }) {
        return Err("decoded as a component, not a WIT package".to_string());
    }
    let expected = if src.is_dir() {
        let pkg = &decoded.resolve().packages[decoded.package()];
        src.join(format!("{}.wit.print", pkg.name.name))
    } else {
        src.with_extension("wit.print")
    };
    let json = compare_json(wt, &wasm, &decoded);
    let print = compare_print(&expected, &decoded);
    both(json, print)
}

fn component_case(wt: Option<&Path>, dir: &Path) -> Result<(), String> {
    let wasm = wat::parse_file(dir.join("component.wat")).map_err(|e| e.to_string())?;
    let decoded = decode(&wasm).map_err(|e| render(&e))?;
    if !matches!(decoded, Decoded::Component { .. }) {
        return Err("not decoded as a component".to_string());
    }
    let json = match wt {
        Some(wt) => compare_json(wt, &wasm, &decoded),
        None => Ok(()),
    };
    let print = compare_print(&dir.join("component.wit.print"), &decoded);
    both(json, print)
}

/// One of our own inputs: the printed result, or the error, goes to `<file>.out`.
fn own_case(path: &Path) -> Result<(), String> {
    let bytes = fs::read(path).map_err(|e| e.to_string())?;
    let out = match decode(&bytes) {
        Ok(decoded) => {
            let mut text = String::new();
            if let Decoded::CoreModule(m) = &decoded {
                text.push_str(&format!("// string encoding: {:?}\n", m.string_encoding));
            }
            let opts = PrintOptions {
                world: decoded.world(),
            };
            text.push_str(&print_package(decoded.resolve(), decoded.package(), &opts));
            text
        }
        Err(e) => format!("error: {}\n", render(&e)),
    };
    let mut expected = path.as_os_str().to_owned();
    expected.push(".out");
    expect_file(Path::new(&expected), &out)
}

/// A small xorshift generator: the fuzz cases are the same on every run.
struct Rng(u64);

impl Rng {
    fn next(&mut self) -> u64 {
        self.0 ^= self.0 << 13;
        self.0 ^= self.0 >> 7;
        self.0 ^= self.0 << 17;
        self.0
    }
}

fn fuzz_random() -> Result<(), String> {
    let mut rng = Rng(0x9e3779b97f4a7c15);
    for i in 0..2000 {
        let len = (rng.next() % 200) as usize;
        let mut bytes: Vec<u8> = (0..len).map(|_| rng.next() as u8).collect();
        // Half of the inputs get a component header, so the parser goes further.
        if i % 2 == 0 {
            let mut with = b"\0asm\x0d\0\x01\0".to_vec();
            with.append(&mut bytes);
            bytes = with;
        }
        if decode(&bytes).is_ok() && len > 0 && i % 2 == 1 {
            return Err(format!("random bytes decoded: {bytes:?}"));
        }
        let _ = weft_component::decode_metadata(&bytes);
    }
    Ok(())
}

fn fuzz_truncated(components: &Path) -> Result<(), String> {
    let mut n = 0;
    for (_, dir) in component_cases(components).into_iter().take(12) {
        let Ok(wasm) = wat::parse_file(dir.join("component.wat")) else {
            continue;
        };
        let step = (wasm.len() / 300).max(1);
        // A prefix that ends on a section boundary can be a valid (smaller) component, so
        // only panics are failures here (`run` catches them).
        for len in (0..wasm.len()).step_by(step) {
            let _ = decode(&wasm[..len]);
            n += 1;
        }
    }
    // Our own binaries (packages, core modules with `component-type` sections): truncated at
    // every byte, and with single bytes changed.
    let mut rng = Rng(0x2545f4914f6cdd1d);
    for path in own_cases() {
        let Ok(wasm) = fs::read(&path) else { continue };
        for len in 0..wasm.len() {
            let _ = decode(&wasm[..len]);
            let _ = weft_component::decode_metadata(&wasm[..len]);
        }
        for _ in 0..300 {
            let mut bytes = wasm.clone();
            if bytes.is_empty() {
                break;
            }
            let i = (rng.next() as usize) % bytes.len();
            bytes[i] = rng.next() as u8;
            let _ = decode(&bytes);
        }
        n += 1;
    }
    if n == 0 && bless() {
        return Err("no components to truncate".to_string());
    }
    Ok(())
}
