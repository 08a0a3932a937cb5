//! The `rust-wasi` fixture under `weft run`: small Rust programs for `wasm32-wasip1`, one per
//! WASI behaviour (`fixtures/rust/wasi/src/bin/*.rs`, built by `fixtures/build.sh --only
//! rust-wasi` into `target/fixtures/rust-wasi-NAME.core.wasm`), in the spirit of WebAssembly's
//! wasi-testsuite.
//!
//! Each case below runs one program's preview1 core module directly (`weft run` wraps it with
//! its built-in adapter) with flags, arguments and stdin, and asserts its exact stdout (and
//! stderr where it is deterministic), its exit code, and for a program given a preopened
//! directory the files it leaves there. One trial per case:
//!
//! * without the fixture (no `target/fixtures/manifest.json`, or no `rust-wasi` in it) every
//!   case is ignored, with the reason;
//! * a case marked [`Case::xfail`] is a known weft host bug: its failure is reported as
//!   `ignored (expected failure: …)` with the reason and what weft did, and it fails if it
//!   passes, so that the mark is removed when the bug is fixed.
//!
//! `scripts/crosscheck-run.py` runs the same programs under wasmtime for comparison.

use std::fs::{self, File};
use std::io::{Read, Write};
use std::path::{Path, PathBuf};
use std::process::{Child, Output, Stdio};
use std::time::{Duration, Instant};

use libtest_mimic::{Arguments, Completion, Failed, Trial};
use weft_test_util::{diff, repo_root};

mod common;
use common::describe;

/// The fixture, as `fixtures/build.sh` names it.
const FIXTURE: &str = "rust-wasi";
/// What the host puts in a preopened directory before the run.
const GIVEN: (&str, &str) = ("given.txt", "from the host\n");
/// How long one `weft run` may take (the first run of a program compiles it, in a debug build).
const RUN_TIMEOUT: Duration = Duration::from_secs(180);

/// The `files` program's stdout: one line per step (see `fixtures/rust/wasi/src/bin/files.rs`).
/// Errors show as (kind, preview1 errno): 44 `ENOENT`, 20 `EEXIST`, 55 `ENOTEMPTY` (which
/// Rust's std reads as `Uncategorized`). wasmtime 48 prints the same.
const FILES_STDOUT: &str = r#"read given.txt: "from the host\n"
create + write: "hello"
append: "hello, world"
seek start 7: 7
read 5 after seek: "world"
seek end -5: 7
seek current -2: 5
read to end: ", world"
read at end: 0
set_len 5: "hello"
set_len 8: "hello\0\0\0"
metadata a.txt (file, dir, len): (true, false, 8)
metadata DIR (file, dir): (false, true)
rename a.txt b.txt (a, b exist): (false, true)
b.txt after rename: "hello\0\0\0"
remove_file b.txt (b exists): false
open missing.txt: Err((NotFound, Some(44)))
metadata missing.txt: Err((NotFound, Some(44)))
remove_file missing.txt: Err((NotFound, Some(44)))
create_dir sub again: Err((AlreadyExists, Some(20)))
read_dir sub (sorted): "a.txt b.txt c.txt d/"
remove_dir sub (not empty): Err((Uncategorized, Some(55)))
remove_dir sub (empty): Ok(())
sub exists: false
done
"#;

/// The `permissions` program's stdout (see `fixtures/rust/wasi/src/bin/permissions.rs`):
/// errors as (kind, preview1 errno): 8 `EBADF`, 28 `EINVAL`, 31 `EISDIR`, 20 `EEXIST`,
/// 54 `ENOTDIR`. wasmtime 48 prints the same.
const PERMISSIONS_STDOUT: &str = r#"write to a file opened for reading: Err((Uncategorized, Some(8)))
set_len on a file opened for reading: Err((InvalidInput, Some(28)))
read it: Ok
read from a file opened for writing: Err((Uncategorized, Some(8)))
open DIR for writing: Err((IsADirectory, Some(31)))
read DIR as a file: Err((Uncategorized, Some(8)))
create_dir given.txt: Err((AlreadyExists, Some(20)))
open given.txt/x: Err((NotADirectory, Some(54)))
read_dir given.txt: Err((NotADirectory, Some(54)))
create given.txt exclusively: Err((AlreadyExists, Some(20)))
given.txt after: "from the host\n"
done
"#;

/// What the `files` program leaves in its directory.
const FILES_LEFT: &[(&str, &str)] = &[
    ("given.txt", "from the host\n"),
    ("made/", ""),
    ("made/out.txt", "made by the guest\n"),
];

fn cases() -> Vec<Case> {
    let mib = 1024 * 1024;
    let pattern = |n: usize| (0..n).map(|i| (i % 251) as u8).collect::<Vec<u8>>();
    let stdin_report = |data: &[u8]| {
        format!(
            "bytes: {}\nfnv1a64: {:016x}\nread at end: 0\n",
            data.len(),
            fnv1a64(data)
        )
    };
    let text = "hello, stdin\nsecond line\n";
    vec![
        Case::new("args/none", "args").stdout("args: 0\n"),
        Case::new("args/several", "args")
            .args(&["a", "b c", "", "ünï😀", "--flag", "-x=1"])
            .stdout(
                "args: 6\n1: \"a\"\n2: \"b c\"\n3: \"\"\n4: \"ünï😀\"\n5: \"--flag\"\n6: \"-x=1\"\n",
            ),
        Case::new("env/given", "env")
            .flags(&["--env", "A=1", "--env", "EMPTY=", "--env", "SP=x y=z"])
            .args(&["A", "EMPTY", "SP", "UNSET"])
            .stdout("vars: 3\nA=\"1\"\nEMPTY=\"\"\nSP=\"x y=z\"\nUNSET absent\n"),
        // Nothing of the host's environment without `--env` or `--inherit-env`.
        Case::new("env/none", "env")
            .args(&["PATH", "HOME"])
            .stdout("vars: 0\nPATH absent\nHOME absent\n"),
        Case::new("stdin/empty", "stdin").stdout(&stdin_report(b"")),
        Case::new("stdin/text", "stdin")
            .stdin(text.as_bytes().to_vec())
            .stdout(&stdin_report(text.as_bytes())),
        Case::new("stdin/1mib", "stdin")
            .stdin(pattern(mib))
            .stdout(&stdin_report(&pattern(mib))),
        Case::new("exit-code/0", "exit-code")
            .args(&["0"])
            .stdout("exiting with 0\n"),
        // `weft run` serves a preview1 module's `proc_exit(n)` with
        // `wasi:cli/exit.exit-with-code(n)`, so n is the status, as under wasmtime's own
        // preview1 host (the preview1 adapter alone would make it 1).
        Case::new("exit-code/1", "exit-code")
            .args(&["1"])
            .stdout("exiting with 1\n")
            .code(1),
        Case::new("exit-code/3", "exit-code")
            .args(&["3"])
            .stdout("exiting with 3\n")
            .code(3),
        Case::new("files", "files")
            .preopen("/sandbox", FILES_LEFT)
            .args(&["/sandbox"])
            .stdout(FILES_STDOUT),
        // Preopened as `.`: wasi-libc resolves the relative paths against it.
        Case::new("files/dot", "files")
            .preopen(".", FILES_LEFT)
            .args(&["."])
            .stdout(FILES_STDOUT),
        Case::new("permissions", "permissions")
            .preopen("/sandbox", &[GIVEN])
            .args(&["/sandbox"])
            .stdout(PERMISSIONS_STDOUT),
        Case::new("clock", "clock").stdout(
            "instant non-decreasing over 10000 reads: true\nsleep(50ms) took at least 50ms: true\nsystem time after 2020: true\n",
        ),
        Case::new("random", "random").stdout(
            "errno: 0 0\nall zero: false false\ndraws differ: true\n0-byte draw errno: 0\n",
        ),
        Case::new("poll-sleep", "poll-sleep").stdout(
            "sleep(0ms) took at least 0ms: true\nsleep(10ms) took at least 10ms: true\nsleep(100ms) took at least 100ms: true\n",
        ),
        Case::new("large-write/0mib", "large-write")
            .args(&["0"])
            .stdout("")
            .stderr("wrote 0 bytes\n"),
        Case::new("large-write/1mib", "large-write")
            .args(&["1"])
            .stdout_bytes(pattern(mib))
            .stderr("wrote 1048576 bytes\n"),
        Case::new("large-write/8mib", "large-write")
            .args(&["8"])
            .stdout_bytes(pattern(8 * mib))
            .stderr("wrote 8388608 bytes\n"),
        Case::new("stdout-stderr/separate", "stdout-stderr")
            .stdout("out 1\nout 2\nout 3\n")
            .stderr("err 1\nerr 2\nerr 3\n"),
        // Both streams into one file: the order of the writes must survive.
        Case::new("stdout-stderr/merged", "stdout-stderr")
            .merged()
            .stdout("out 1\nerr 1\nout 2\nerr 2\nout 3\nerr 3\n"),
    ]
}

/// One run of one program and what it must do.
struct Case {
    /// The trial's name.
    name: &'static str,
    /// The program: `target/fixtures/rust-wasi-PROGRAM.core.wasm`.
    program: &'static str,
    /// `weft run` flags, before the module.
    flags: Vec<String>,
    /// The program's arguments, after `--`.
    args: Vec<String>,
    /// Its stdin; `None` is `/dev/null`.
    stdin: Option<Vec<u8>>,
    /// Its exact stdout (with [`Case::merged`], stdout and stderr together).
    stdout: Vec<u8>,
    /// Its exact stderr; `None` is not compared.
    stderr: Option<String>,
    /// stdout and stderr go to one file.
    merged: bool,
    /// Its exit code.
    code: i32,
    /// With a preopened directory: its guest path, and what is in it after the run (see
    /// [`tree`]); before the run it holds [`GIVEN`].
    preopen: Option<(&'static str, &'static [(&'static str, &'static str)])>,
    /// A known weft bug: why this case fails.
    xfail: Option<&'static str>,
}

impl Case {
    fn new(name: &'static str, program: &'static str) -> Case {
        Case {
            name,
            program,
            flags: Vec::new(),
            args: Vec::new(),
            stdin: None,
            stdout: Vec::new(),
            stderr: None,
            merged: false,
            code: 0,
            preopen: None,
            xfail: None,
        }
    }
    fn flags(mut self, flags: &[&str]) -> Case {
        self.flags = flags.iter().map(|s| s.to_string()).collect();
        self
    }
    fn args(mut self, args: &[&str]) -> Case {
        self.args = args.iter().map(|s| s.to_string()).collect();
        self
    }
    fn stdin(mut self, data: Vec<u8>) -> Case {
        self.stdin = Some(data);
        self
    }
    fn stdout(self, text: &str) -> Case {
        self.stdout_bytes(text.as_bytes().to_vec())
    }
    fn stdout_bytes(mut self, data: Vec<u8>) -> Case {
        self.stdout = data;
        self
    }
    fn stderr(mut self, text: &str) -> Case {
        self.stderr = Some(text.to_string());
        self
    }
    fn merged(mut self) -> Case {
        self.merged = true;
        self
    }
    fn code(mut self, code: i32) -> Case {
        self.code = code;
        self
    }
    fn preopen(
        mut self,
        guest: &'static str,
        after: &'static [(&'static str, &'static str)],
    ) -> Case {
        self.preopen = Some((guest, after));
        self
    }
    #[allow(dead_code, reason = "used while a case is a known weft bug")]
    fn xfail(mut self, reason: &'static str) -> Case {
        self.xfail = Some(reason);
        self
    }
}

fn main() {
    let args = Arguments::from_args();
    let modules = fixture_modules();
    if let Err(reason) = &modules {
        println!("wasi_programs: every case skipped: {reason}");
    }
    let mut trials = Vec::new();
    for case in cases() {
        let module = match &modules {
            Ok(dir) => {
                let path = dir.join(format!("{FIXTURE}-{}.core.wasm", case.program));
                match path.is_file() {
                    true => Ok(path),
                    false => Err(format!(
                        "`{}` does not exist: run `fixtures/build.sh --only {FIXTURE}`",
                        path.display()
                    )),
                }
            }
            Err(reason) => Err(reason.clone()),
        };
        let kind = if case.xfail.is_some() { "xfail" } else { "" };
        let name = case.name;
        let trial = Trial::ignorable_test(name, move || {
            let module = match module {
                Ok(m) => m,
                Err(reason) => return Ok(Completion::ignored_with(reason)),
            };
            let outcome = run_case(&case, &module);
            match (outcome, case.xfail) {
                (Ok(()), None) => Ok(Completion::Completed),
                (Err(e), None) => Err(Failed::from(e)),
                (Err(e), Some(why)) => {
                    println!("{name}: expected failure ({why}):\n{e}\n");
                    Ok(Completion::ignored_with(format!("expected failure: {why}")))
                }
                (Ok(()), Some(why)) => Err(Failed::from(format!(
                    "passes, but is marked as an expected failure ({why}): remove the mark"
                ))),
            }
        })
        .with_kind(kind);
        trials.push(trial);
    }
    libtest_mimic::run(&args, trials).exit();
}

/// `target/fixtures`, when the manifest lists the fixture as built; else why not.
fn fixture_modules() -> Result<PathBuf, String> {
    let dir = repo_root().join("target").join("fixtures");
    let path = dir.join("manifest.json");
    let Ok(text) = fs::read_to_string(&path) else {
        return Err(format!(
            "`{}` does not exist: run `fixtures/build.sh --only {FIXTURE}`",
            path.display()
        ));
    };
    let manifest: serde_json::Value = serde_json::from_str(&text)
        .map_err(|e| format!("`{}` is not JSON: {e}", path.display()))?;
    if manifest["fixtures"].get(FIXTURE).is_some() {
        return Ok(dir);
    }
    match manifest["failed"].get(FIXTURE).and_then(|r| r.as_str()) {
        Some(why) => Err(format!(
            "fixture `{FIXTURE}` failed to build ({why}): see fixtures/build.sh"
        )),
        None => Err(format!(
            "fixture `{FIXTURE}` is not in manifest.json (not built, or out of date): run `fixtures/build.sh --only {FIXTURE}`"
        )),
    }
}

/// Runs one case; `Err` says everything that differed.
fn run_case(case: &Case, module: &Path) -> Result<(), String> {
    let scratch = common::scratch_dir(Path::new("wasi-programs").join(case.name))?;
    let mut flags = case.flags.clone();
    let host_dir = scratch.join("dir");
    if let Some((guest, _)) = case.preopen {
        fs::create_dir_all(&host_dir).map_err(|e| e.to_string())?;
        fs::write(host_dir.join(GIVEN.0), GIVEN.1).map_err(|e| e.to_string())?;
        flags.push("--dir".to_string());
        flags.push(format!("{}::{guest}", host_dir.display()));
    }
    let mut argv: Vec<String> = vec!["run".to_string()];
    argv.extend(flags);
    argv.push(module.display().to_string());
    if !case.args.is_empty() {
        argv.push("--".to_string());
        argv.extend(case.args.iter().cloned());
    }
    let mut cmd = common::weft(&argv);
    let merged_path = scratch.join("merged.txt");
    if case.merged {
        let file = File::create(&merged_path).map_err(|e| e.to_string())?;
        let clone = file.try_clone().map_err(|e| e.to_string())?;
        cmd.stdout(file).stderr(clone);
    } else {
        cmd.stdout(Stdio::piped()).stderr(Stdio::piped());
    }
    if case.stdin.is_some() {
        cmd.stdin(Stdio::piped());
    }
    let shown = format!("weft {}", argv.join(" "));
    let mut child = cmd
        .spawn()
        .map_err(|e| format!("failed to run `{shown}`: {e}"))?;
    let feeder = case.stdin.clone().and_then(|data| {
        let mut pipe = child.stdin.take()?;
        // A program that stops reading closes the pipe: not this test's failure.
        Some(std::thread::spawn(move || {
            let _ = pipe.write_all(&data);
        }))
    });
    let mut out = wait(child, &shown)?;
    if let Some(f) = feeder {
        let _ = f.join();
    }
    if case.merged {
        out.stdout = fs::read(&merged_path).map_err(|e| e.to_string())?;
    }

    let mut problems = Vec::new();
    if out.status.code() != Some(case.code) {
        problems.push(format!(
            "exit status {:?}, expected {}",
            out.status.code(),
            case.code
        ));
    }
    if out.stdout != case.stdout {
        problems.push(compare_bytes("stdout", &case.stdout, &out.stdout));
    }
    if let Some(want) = &case.stderr {
        let got = String::from_utf8_lossy(&out.stderr);
        if got != *want {
            problems.push(format!(
                "stderr differs (- expected, + weft):\n{}",
                diff(want, &got)
            ));
        }
    }
    if let Some((_, after)) = case.preopen {
        let want: Vec<(String, String)> = after
            .iter()
            .map(|(p, c)| (p.to_string(), c.to_string()))
            .collect();
        let got = tree(&host_dir)?;
        if got != want {
            problems.push(format!(
                "the preopened directory holds {got:?}, expected {want:?}"
            ));
        }
    }
    if problems.is_empty() {
        return Ok(());
    }
    let mut shown_out = out.clone();
    if shown_out.stdout.len() > 4096 {
        shown_out.stdout.truncate(4096);
        shown_out.stdout.extend_from_slice(b"\n[... truncated]\n");
    }
    Err(format!(
        "`{shown}`: {}\n{}",
        problems.join("\n"),
        describe(&shown_out)
    ))
}

/// Waits for `child`, reading both pipes, killing it after [`RUN_TIMEOUT`].
fn wait(mut child: Child, shown: &str) -> Result<Output, String> {
    let reader = |pipe: Option<Box<dyn Read + Send>>| {
        std::thread::spawn(move || {
            let mut buf = Vec::new();
            if let Some(mut p) = pipe {
                let _ = p.read_to_end(&mut buf);
            }
            buf
        })
    };
    let out = reader(child.stdout.take().map(|p| Box::new(p) as _));
    let err = reader(child.stderr.take().map(|p| Box::new(p) as _));
    let deadline = Instant::now() + RUN_TIMEOUT;
    let status = loop {
        match child.try_wait().map_err(|e| e.to_string())? {
            Some(status) => break status,
            None if Instant::now() > deadline => {
                let _ = child.kill();
                let _ = child.wait();
                return Err(format!(
                    "`{shown}` took longer than {} s and was killed",
                    RUN_TIMEOUT.as_secs()
                ));
            }
            None => std::thread::sleep(Duration::from_millis(10)),
        }
    };
    Ok(Output {
        status,
        stdout: out.join().unwrap_or_default(),
        stderr: err.join().unwrap_or_default(),
    })
}

/// A difference in a stream: a line diff for short text, else sizes, hashes and the first
/// differing offset.
fn compare_bytes(what: &str, want: &[u8], got: &[u8]) -> String {
    if want.len() <= 4096 && got.len() <= 4096 {
        return format!(
            "{what} differs (- expected, + weft):\n{}",
            diff(
                &String::from_utf8_lossy(want),
                &String::from_utf8_lossy(got)
            )
        );
    }
    let first = want
        .iter()
        .zip(got)
        .position(|(a, b)| a != b)
        .unwrap_or(want.len().min(got.len()));
    format!(
        "{what} differs: {} bytes (fnv1a64 {:016x}), expected {} bytes (fnv1a64 {:016x}); first difference at byte {first}",
        got.len(),
        fnv1a64(got),
        want.len(),
        fnv1a64(want)
    )
}

/// Everything under `dir`, sorted: each file as (relative path with `/`, contents), each
/// directory as (`path/`, empty).
fn tree(dir: &Path) -> Result<Vec<(String, String)>, String> {
    let mut files = Vec::new();
    let mut stack = vec![dir.to_path_buf()];
    while let Some(d) = stack.pop() {
        let entries = fs::read_dir(&d).map_err(|e| format!("`{}`: {e}", d.display()))?;
        for entry in entries {
            let path = entry.map_err(|e| e.to_string())?.path();
            let rel = path.strip_prefix(dir).unwrap_or(&path);
            let rel = rel.to_string_lossy().replace('\\', "/");
            if path.is_dir() {
                files.push((format!("{rel}/"), String::new()));
                stack.push(path);
                continue;
            }
            let contents = fs::read(&path).map_err(|e| format!("`{}`: {e}", path.display()))?;
            files.push((rel, String::from_utf8_lossy(&contents).into_owned()));
        }
    }
    files.sort();
    Ok(files)
}

/// 64-bit FNV-1a, as the `stdin` program computes it.
fn fnv1a64(data: &[u8]) -> u64 {
    let mut h: u64 = 0xcbf2_9ce4_8422_2325;
    for &b in data {
        h = (h ^ u64::from(b)).wrapping_mul(0x0100_0000_01b3);
    }
    h
}
