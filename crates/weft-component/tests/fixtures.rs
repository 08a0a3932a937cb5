//! End to end on real-toolchain fixtures: the components and core modules `fixtures/build.sh`
//! builds into `target/fixtures/` (clang + wasi-libc, Rust + wit-bindgen, componentize-py,
//! componentize-js; see `fixtures/README.md`), checked against wasm-tools 1.262 and run by jco.
//!
//! * `decode/<fixture>`: every component of `manifest.json` (kind `component`). weft decodes
//!   it and prints the package with its dependencies (`print_all`); the text must equal the
//!   fixture's `.wit` (`wasm-tools component wit` of it) once both are laid out by weft's
//!   formatter and their nested `package … { … }` blocks are put in one order (wasm-tools prints
//!   them in load order, weft by name). With a wasm-tools binary, our JSON must also equal
//!   `wasm-tools component wit --json` in canonical form.
//! * `new/<fixture>`: every core module the manifest says how the oracle wrapped (`wrap`: the
//!   world's WIT and the preview1 adapter). `new_component` wraps it the same way (the world
//!   from the module's `component-type` sections or `--wit`, the adapter built in); the result
//!   must validate, and its decoded WIT must equal the oracle component's `.wit` as above (and
//!   its JSON the oracle component's `wasm-tools component wit --json`).
//! * `run/c-hello`: our c-hello component and the oracle's run under `jco run` (Node) with a
//!   preopened temporary directory: both must exit 0, print the same stdout, greet, and write
//!   their file.
//!
//! Without `target/fixtures/manifest.json` every case is skipped (counted, with the reason);
//! without wasm-tools the JSON comparisons are, and without Node or jco the runs. Counts are
//! printed at the end.

use std::collections::BTreeMap;
use std::fs;
use std::io::Read;
use std::panic::{self, AssertUnwindSafe};
use std::path::{Path, PathBuf};
use std::process::{Command, ExitCode, Stdio};
use std::sync::Mutex;
use std::time::{Duration, Instant};

use libtest_mimic::{Arguments, Completion, Failed, Trial};
use serde_json::Value;
use weft_component::{decode, new_component, Decoded, NewOptions};
use weft_test_util::{diff, no_wasm_tools_reason, panic_message, repo_root, wasm_tools};
use weft_wit::print::print_all;
use weft_wit::Resolve;

mod common;
use common::{compare_json, format_wit};

const NOT_BUILT: &str = "fixtures not built: run fixtures/build.sh";

/// The components `build.sh` makes, so that each is reported (skipped) even without a manifest.
const COMPONENTS: &[&str] = &["c-hello", "c-reactor", "rust-greeter", "py-app", "js-app"];
/// The core modules `build.sh` makes and wraps.
const CORE_MODULES: &[&str] = &["rust-greeter", "c-reactor", "c-hello"];
/// The preview1 adapters weft has built in, by the file name the manifest gives.
const BUILTIN_ADAPTERS: &[&str] = &[
    "wasi_snapshot_preview1.command.wasm",
    "wasi_snapshot_preview1.reactor.wasm",
];
/// How long one `jco run` (a transpile, then Node) may take.
const RUN_TIMEOUT: Duration = Duration::from_secs(60);

#[derive(Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Debug)]
enum Suite {
    /// Decoded WIT text against the fixture's `.wit`.
    Decode,
    /// Decoded JSON against `wasm-tools component wit --json`.
    DecodeJson,
    /// `weft new`'s WIT text against the oracle component's `.wit`.
    New,
    /// `weft new`'s JSON against the oracle component's `wasm-tools component wit --json`.
    NewJson,
    /// Running under jco.
    Run,
}

#[derive(Default)]
struct Counts {
    passed: usize,
    failed: usize,
    skipped: BTreeMap<String, usize>,
}

static COUNTS: Mutex<BTreeMap<Suite, Counts>> = Mutex::new(BTreeMap::new());

fn count(suite: Suite, outcome: &Result<(), String>) {
    let mut c = COUNTS.lock().unwrap_or_else(|e| e.into_inner());
    let c = c.entry(suite).or_default();
    match outcome {
        Ok(()) => c.passed += 1,
        Err(_) => c.failed += 1,
    }
}

fn count_skip(suite: Suite, reason: &str) {
    let mut c = COUNTS.lock().unwrap_or_else(|e| e.into_inner());
    *c.entry(suite)
        .or_default()
        .skipped
        .entry(reason.to_string())
        .or_default() += 1;
}

/// One fixture of `manifest.json`.
#[derive(Clone)]
struct Fixture {
    /// `kind` → artifact paths, relative to `target/fixtures`.
    artifacts: Vec<(String, String)>,
    /// How the oracle made the component from the core module, if it did.
    wrap: Option<Value>,
}

impl Fixture {
    fn artifact(&self, kind: &str, suffix: &str) -> Option<PathBuf> {
        self.artifacts
            .iter()
            .find(|(k, p)| k == kind && p.ends_with(suffix))
            .map(|(_, p)| fixtures_dir().join(p))
    }
}

/// `manifest.json`: the fixtures that are up to date, and the reasons the others failed.
struct Manifest {
    fixtures: BTreeMap<String, Fixture>,
    failed: BTreeMap<String, String>,
}

impl Manifest {
    fn load() -> Result<Option<Manifest>, String> {
        let path = fixtures_dir().join("manifest.json");
        let Ok(text) = fs::read_to_string(&path) else {
            return Ok(None);
        };
        let doc: Value = serde_json::from_str(&text)
            .map_err(|e| format!("`{}` is not JSON: {e}", path.display()))?;
        let mut fixtures = BTreeMap::new();
        for (name, f) in doc["fixtures"].as_object().into_iter().flatten() {
            let artifacts = f["artifacts"]
                .as_array()
                .into_iter()
                .flatten()
                .filter_map(|a| Some((a["kind"].as_str()?.into(), a["path"].as_str()?.into())))
                .collect();
            let wrap = f.get("wrap").filter(|w| !w.is_null()).cloned();
            fixtures.insert(name.clone(), Fixture { artifacts, wrap });
        }
        let failed = doc["failed"]
            .as_object()
            .into_iter()
            .flatten()
            .map(|(n, r)| {
                (
                    n.clone(),
                    r.as_str().map_or_else(|| r.to_string(), str::to_string),
                )
            })
            .collect();
        Ok(Some(Manifest { fixtures, failed }))
    }

    /// The fixture, or why there is none (a skip reason).
    fn get(&self, name: &str) -> Result<Fixture, String> {
        if let Some(f) = self.fixtures.get(name) {
            return Ok(f.clone());
        }
        Err(match self.failed.get(name) {
            Some(why) => format!("fixture `{name}` failed to build ({why}): see fixtures/build.sh"),
            None => format!("fixture `{name}` is not in manifest.json: run fixtures/build.sh"),
        })
    }
}

fn fixtures_dir() -> PathBuf {
    repo_root().join("target").join("fixtures")
}

fn main() -> ExitCode {
    let args = Arguments::from_args();
    let manifest = match Manifest::load() {
        Ok(m) => m,
        Err(e) => {
            eprintln!("error: {e}");
            return ExitCode::FAILURE;
        }
    };
    let wt = wasm_tools();

    // The fixture names: the ones build.sh makes, and any other the manifest lists.
    let mut components: Vec<String> = COMPONENTS.iter().map(|s| s.to_string()).collect();
    let mut cores: Vec<String> = CORE_MODULES.iter().map(|s| s.to_string()).collect();
    for (name, f) in manifest.iter().flat_map(|m| &m.fixtures) {
        let has = |kind: &str| f.artifacts.iter().any(|(k, _)| k == kind);
        if has("component") && !components.contains(name) {
            components.push(name.clone());
        }
        if has("core-module") && f.wrap.is_some() && !cores.contains(name) {
            cores.push(name.clone());
        }
    }

    let fixture = |name: &str| -> Result<Fixture, String> {
        match &manifest {
            Some(m) => m.get(name),
            None => Err(NOT_BUILT.to_string()),
        }
    };
    let mut trials = Vec::new();
    for name in components {
        let f = fixture(&name);
        let wt = wt.clone();
        trials.push(Trial::ignorable_test(format!("decode/{name}"), move || {
            run(Suite::Decode, || decode_case(f?, &name, wt.as_deref()))
        }));
    }
    for name in cores {
        let f = fixture(&name);
        let wt = wt.clone();
        trials.push(Trial::ignorable_test(format!("new/{name}"), move || {
            run(Suite::New, || new_case(f?, &name, wt.as_deref()))
        }));
    }
    let f = fixture("c-hello");
    trials.push(Trial::ignorable_test("run/c-hello", move || {
        run(Suite::Run, || run_case(f?))
    }));

    let start = Instant::now();
    let conclusion = libtest_mimic::run(&args, trials);
    if args.list {
        return conclusion.exit_code();
    }
    let counts = COUNTS.lock().unwrap_or_else(|e| e.into_inner());
    let (mut p, mut f, mut s) = (0, 0, 0);
    for (suite, c) in counts.iter() {
        let skipped: usize = c.skipped.values().sum();
        println!(
            "fixtures {suite:?}: {} passed, {} failed, {skipped} skipped",
            c.passed, c.failed
        );
        for (reason, n) in &c.skipped {
            println!("  skipped {n}: {reason}");
        }
        (p, f, s) = (p + c.passed, f + c.failed, s + skipped);
    }
    println!(
        "fixtures: {p} passed, {f} failed, {s} skipped ({:.1} s)",
        start.elapsed().as_secs_f64()
    );
    conclusion.exit_code()
}

/// Runs a case of `suite`: `Ok(())` passes, `Err(Skip(reason))` skips, `Err(Fail(message))`
/// fails. Panics are failures.
fn run(suite: Suite, case: impl FnOnce() -> Result<(), Outcome>) -> Result<Completion, Failed> {
    let outcome = match panic::catch_unwind(AssertUnwindSafe(case)) {
        Ok(r) => r,
        Err(p) => Err(Outcome::Fail(format!("panicked: {}", panic_message(&*p)))),
    };
    match outcome {
        Ok(()) => {
            count(suite, &Ok(()));
            Ok(Completion::Completed)
        }
        Err(Outcome::Skip(reason)) => {
            count_skip(suite, &reason);
            Ok(Completion::ignored_with(reason))
        }
        Err(Outcome::Fail(e)) => {
            count(suite, &Err(String::new()));
            Err(Failed::from(e))
        }
    }
}

/// Why a case did not pass.
enum Outcome {
    Skip(String),
    Fail(String),
}

impl From<String> for Outcome {
    /// A missing fixture (from [`Manifest::get`]) is a skip.
    fn from(reason: String) -> Self {
        Outcome::Skip(reason)
    }
}

fn fail(e: impl ToString) -> Outcome {
    Outcome::Fail(e.to_string())
}

fn read(path: &Path) -> Result<Vec<u8>, Outcome> {
    fs::read(path).map_err(|e| fail(format!("failed to read `{}`: {e}", path.display())))
}

fn read_text(path: &Path) -> Result<String, Outcome> {
    fs::read_to_string(path).map_err(|e| fail(format!("failed to read `{}`: {e}", path.display())))
}

/// The artifact of `kind` whose path ends with `suffix`.
fn artifact(f: &Fixture, name: &str, kind: &str, suffix: &str) -> Result<PathBuf, Outcome> {
    f.artifact(kind, suffix).ok_or_else(|| {
        fail(format!(
            "manifest.json lists no {kind} `{name}{suffix}` for fixture `{name}`"
        ))
    })
}

/// Decoding agrees with wasm-tools: WIT text, and JSON when there is a wasm-tools.
fn decode_case(f: Fixture, name: &str, wt: Option<&Path>) -> Result<(), Outcome> {
    let wasm_path = artifact(&f, name, "component", ".wasm")?;
    let wit_path = artifact(&f, name, "wit", ".wit")?;
    let wasm = read(&wasm_path)?;
    let decoded = decode(&wasm).map_err(|e| fail(format!("decode failed: {e}")))?;
    let text = compare_wit(&read_text(&wit_path)?, &decoded, &wit_path);
    let json = compare_json_counted(Suite::DecodeJson, wt, &wasm, &decoded);
    both(text, json)
}

/// `weft new` agrees with `wasm-tools component new`.
fn new_case(f: Fixture, name: &str, wt: Option<&Path>) -> Result<(), Outcome> {
    let core = read(&artifact(&f, name, "core-module", ".core.wasm")?)?;
    let oracle_path = artifact(&f, name, "component", ".wasm")?;
    let wit_path = artifact(&f, name, "wit", ".wit")?;
    let wrap = f.wrap.clone().unwrap_or(Value::Null);
    if let Some(adapter) = wrap["adapter"].as_str() {
        if !BUILTIN_ADAPTERS.contains(&adapter) {
            return Err(Outcome::Skip(format!(
                "the oracle used adapter `{adapter}`, which is not built into weft"
            )));
        }
    }
    let bytes = weft_new(&core, &wrap)?;
    let mut validator = wasmparser::Validator::new_with_features(weft_binary::features());
    validator
        .validate_all(&bytes)
        .map_err(|e| fail(format!("our component does not validate: {e}")))?;
    let decoded = decode(&bytes).map_err(|e| fail(format!("decoding our component: {e}")))?;
    let text = compare_wit(&read_text(&wit_path)?, &decoded, &wit_path);
    let oracle = read(&oracle_path)?;
    let json = compare_json_counted(Suite::NewJson, wt, &oracle, &decoded);
    both(text, json)
}

/// `new_component` on a fixture's core module, wrapped as the manifest's `wrap` says: with the
/// world of `wrap.wit` (a path from the repository root) when there is one, else the world of
/// the module's custom sections; the preview1 adapter is weft's built-in one.
fn weft_new(core: &[u8], wrap: &Value) -> Result<Vec<u8>, Outcome> {
    let mut opts = NewOptions::default();
    if let Some(wit) = wrap["wit"].as_str() {
        let mut resolve = Resolve::new();
        let pkg = weft_component::push_path(&mut resolve, repo_root().join(wit))
            .map_err(|e| fail(resolve.render_error(&e)))?;
        let world = resolve
            .select_world(pkg, wrap["world"].as_str())
            .map_err(|e| fail(resolve.render_error(&e)))?;
        opts.world = Some((resolve, world));
    }
    new_component(core, opts).map_err(|e| fail(format!("weft new failed: {e}")))
}

fn both(a: Result<(), Outcome>, b: Result<(), Outcome>) -> Result<(), Outcome> {
    match (a, b) {
        (Ok(()), Ok(())) => Ok(()),
        (Err(Outcome::Fail(a)), Err(Outcome::Fail(b))) => Err(fail(format!("{a}\n{b}"))),
        (Err(e), _) | (_, Err(e)) => Err(e),
    }
}

/// The JSON comparison, counted in `suite`; without wasm-tools it is skipped (and counted so),
/// which does not make the case skip.
fn compare_json_counted(
    suite: Suite,
    wt: Option<&Path>,
    wasm: &[u8],
    decoded: &Decoded,
) -> Result<(), Outcome> {
    let Some(wt) = wt else {
        count_skip(suite, &no_wasm_tools_reason());
        return Ok(());
    };
    let r = compare_json(wt, wasm, decoded);
    count(suite, &r);
    r.map_err(fail)
}

/// Our printed component (its package, then every other package as a nested block) against
/// `wasm-tools component wit`'s, both normalized by [`normalize`].
fn compare_wit(expected: &str, decoded: &Decoded, expected_path: &Path) -> Result<(), Outcome> {
    if !matches!(decoded, Decoded::Component { .. }) {
        return Err(fail("not decoded as a component"));
    }
    let ours = print_all(decoded.resolve(), decoded.package());
    // Both laid out by weft's formatter: the two printers differ in blank lines only.
    let e = format_wit("expected", expected).map_err(fail)?;
    let o = format_wit("ours", &ours).map_err(fail)?;
    if e == o {
        return Ok(());
    }
    Err(fail(format!(
        "printed WIT differs from `{}` (- wasm-tools, + weft; both formatted)\n{}",
        expected_path.display(),
        diff(&e, &o)
    )))
}

/// What a `jco run` printed.
struct RunOutput {
    status: Option<i32>,
    stdout: String,
    stderr: String,
}

/// Our c-hello component and the oracle's under `jco run`, with a temporary directory
/// preopened as `.`.
fn run_case(f: Fixture) -> Result<(), Outcome> {
    let node_modules = fixtures_dir().join("npm").join("node_modules");
    let jco = node_modules.join(".bin").join("jco");
    if !jco.is_file() {
        return Err(Outcome::Skip(format!(
            "no jco at `{}`: fixtures/build.sh installs it (js-app)",
            jco.display()
        )));
    }
    if !on_path("node") {
        return Err(Outcome::Skip("no `node` on PATH".to_string()));
    }
    let shim = node_modules.join("@bytecodealliance/preview2-shim/dist/nodejs/filesystem.js");
    if !shim.is_file() {
        return Err(Outcome::Skip(format!(
            "no preview2-shim at `{}` to preopen a directory with",
            shim.display()
        )));
    }
    let core = read(&artifact(&f, "c-hello", "core-module", ".core.wasm")?)?;
    let oracle = read(&artifact(&f, "c-hello", "component", ".wasm")?)?;
    let ours = weft_new(&core, f.wrap.as_ref().unwrap_or(&Value::Null))?;

    let tmp = TempDir::new("run")?;
    let (o, t) = (tmp.0.join("weft"), tmp.0.join("wasm-tools"));
    let ours = jco_run(&jco, &shim, &o, &ours)?;
    let theirs = jco_run(&jco, &shim, &t, &oracle)?;
    let show = |who: &str, r: &RunOutput| {
        format!(
            "{who}: exit status {:?}\n--- stdout\n{}--- stderr\n{}",
            r.status, r.stdout, r.stderr
        )
    };
    if theirs.status != Some(0) {
        return Err(fail(format!(
            "the wasm-tools-made c-hello does not run under jco, so jco cannot judge ours\n{}",
            show("wasm-tools", &theirs)
        )));
    }
    let mut problems = Vec::new();
    if ours.status != Some(0) {
        problems.push("it did not exit 0".to_string());
    }
    for want in ["hello, Ada!\n", "argv[1]=Ada\n", "file: hello, Ada!\n"] {
        if !ours.stdout.contains(want) {
            problems.push(format!("its stdout has no line `{}`", want.trim_end()));
        }
    }
    match fs::read_to_string(o.join("out/x.txt")) {
        Ok(t) if t.contains("hello, Ada!") => {}
        Ok(t) => problems.push(format!("it wrote {t:?} to out/x.txt")),
        Err(e) => problems.push(format!("it wrote no out/x.txt: {e}")),
    }
    if ours.stdout != theirs.stdout {
        problems.push(format!(
            "its stdout differs from the wasm-tools-made one's (- wasm-tools, + weft)\n{}",
            diff(&theirs.stdout, &ours.stdout)
        ));
    }
    if problems.is_empty() {
        return Ok(());
    }
    Err(fail(format!(
        "our c-hello under `jco run c-hello.wasm Ada out/x.txt`: {}\n{}",
        problems.join("; "),
        show("weft", &ours)
    )))
}

/// `jco run c-hello.wasm Ada out/x.txt` in `dir` (created, with `out/`), the directory
/// preopened as `.` by a `--jco-import` preload; killed after [`RUN_TIMEOUT`].
fn jco_run(jco: &Path, shim: &Path, dir: &Path, component: &[u8]) -> Result<RunOutput, Outcome> {
    fs::create_dir_all(dir.join("out")).map_err(fail)?;
    fs::write(dir.join("c-hello.wasm"), component).map_err(fail)?;
    let shim = serde_json::to_string(&shim.to_string_lossy()).map_err(fail)?;
    let preload = format!(
        "import {{ _setPreopens }} from {shim};\n_setPreopens({{ \".\": process.cwd() }});\n"
    );
    fs::write(dir.join("preopen.mjs"), preload).map_err(fail)?;
    let mut cmd = Command::new(jco);
    cmd.current_dir(dir)
        .args([
            "run",
            "--jco-dir",
            "jco-out",
            "--jco-import",
            "preopen.mjs",
            "c-hello.wasm",
            "Ada",
            "out/x.txt",
        ])
        .env_remove("WEFT_GREETING")
        .stdin(Stdio::null())
        .stdout(Stdio::piped())
        .stderr(Stdio::piped());
    // Its own process group, so that a timeout ends Node too, not only jco.
    #[cfg(unix)]
    std::os::unix::process::CommandExt::process_group(&mut cmd, 0);
    let mut child = cmd
        .spawn()
        .map_err(|e| fail(format!("failed to run `{}`: {e}", jco.display())))?;
    let reader = |pipe: Option<Box<dyn Read + Send>>| {
        std::thread::spawn(move || {
            let mut s = String::new();
            if let Some(mut p) = pipe {
                let _ = p.read_to_string(&mut s);
            }
            s
        })
    };
    let out = reader(child.stdout.take().map(|p| Box::new(p) as _));
    let err = reader(child.stderr.take().map(|p| Box::new(p) as _));
    let deadline = Instant::now() + RUN_TIMEOUT;
    let status = loop {
        match child.try_wait().map_err(fail)? {
            Some(status) => break status,
            None if Instant::now() > deadline => {
                #[cfg(unix)]
                let _ = Command::new("kill")
                    .args(["-KILL", "--", &format!("-{}", child.id())])
                    .status();
                let _ = child.kill();
                let _ = child.wait();
                return Err(fail(format!(
                    "`jco run` took longer than {} s and was killed",
                    RUN_TIMEOUT.as_secs()
                )));
            }
            None => std::thread::sleep(Duration::from_millis(20)),
        }
    };
    Ok(RunOutput {
        status: status.code(),
        stdout: out.join().unwrap_or_default(),
        stderr: err.join().unwrap_or_default(),
    })
}

fn on_path(exe: &str) -> bool {
    std::env::var_os("PATH")
        .is_some_and(|p| std::env::split_paths(&p).any(|d| d.join(exe).is_file()))
}

/// A directory under the system's temporary directory, removed when dropped.
struct TempDir(PathBuf);

impl TempDir {
    fn new(what: &str) -> Result<TempDir, Outcome> {
        let dir = std::env::temp_dir().join(format!("weft-fixtures-{what}-{}", std::process::id()));
        let _ = fs::remove_dir_all(&dir);
        fs::create_dir_all(&dir)
            .map_err(|e| fail(format!("failed to create `{}`: {e}", dir.display())))?;
        Ok(TempDir(dir))
    }
}

impl Drop for TempDir {
    fn drop(&mut self) {
        let _ = fs::remove_dir_all(&self.0);
    }
}
