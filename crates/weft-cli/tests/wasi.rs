//! `weft run --dir`: the real-toolchain fixture `c-hello` (fixtures/c/hello.c, a preview1
//! command through the adapter) writing and reading a file in a preopened directory, failing
//! without one, and failing to get out of one; the componentize-py command `py-cmd`
//! (fixtures/python-cmd) with arguments, an environment variable and a preopen. Each test says
//! it skipped, and passes, when `fixtures/build.sh` has not built its fixture.

mod common;

use std::fs;
use std::path::{Path, PathBuf};

use common::{describe, run, scratch_dir};

/// `target/fixtures/FILE`, or `None` (having said so) when it is not built.
fn fixture(file: &str) -> Option<PathBuf> {
    let path = weft_test_util::repo_root()
        .join("target/fixtures")
        .join(file);
    if path.is_file() {
        return Some(path);
    }
    println!(
        "skipped: `{}` does not exist; run `fixtures/build.sh` to build the real-toolchain fixtures",
        path.display()
    );
    None
}

fn c_hello() -> Option<PathBuf> {
    fixture("c-hello.wasm")
}

/// What `c-hello NAME OUTFILE` prints to stdout before it opens the file.
fn greeting(fixture: &Path, name: &str, outfile: &str) -> String {
    format!(
        "hello, {name}!\nargc=3\nargv[0]={}\nargv[1]={name}\nargv[2]={outfile}\n",
        fixture.file_name().unwrap().to_string_lossy()
    )
}

/// Runs `weft ARGS` and checks its exit code, stdout and stderr exactly.
fn check(args: &[&str], code: i32, stdout: &str, stderr: &str) {
    let out = run(args).unwrap();
    let (o, e) = (
        String::from_utf8_lossy(&out.stdout),
        String::from_utf8_lossy(&out.stderr),
    );
    assert!(
        out.status.code() == Some(code) && o == stdout && e == stderr,
        "`weft {}`: expected exit {code}\n--- stdout:\n{stdout}--- stderr:\n{stderr}\nfound {}",
        args.join(" "),
        describe(&out)
    );
}

#[test]
fn c_hello_writes_and_reads_back_in_its_preopen() {
    let Some(fixture) = c_hello() else { return };
    let tmp = scratch_dir("wasi/preopen").unwrap();
    fs::create_dir(tmp.join("out")).unwrap();
    let f = fixture.to_str().unwrap();
    let dir = format!("{}::/", tmp.display());
    check(
        &["run", "--dir", &dir, f, "--", "Ada", "out/hello.txt"],
        0,
        &format!(
            "{}file: hello, Ada!\n",
            greeting(&fixture, "Ada", "out/hello.txt")
        ),
        "c-hello: writing out/hello.txt\n",
    );
    assert_eq!(
        fs::read_to_string(tmp.join("out/hello.txt")).unwrap(),
        "hello, Ada!\n"
    );
}

#[test]
fn dir_without_guest_path_is_seen_at_the_host_path() {
    let Some(fixture) = c_hello() else { return };
    let tmp = scratch_dir("wasi/same-path").unwrap();
    let outfile = tmp.join("greeting.txt");
    let outfile = outfile.to_str().unwrap();
    let f = fixture.to_str().unwrap();
    check(
        &[
            "run",
            "--dir",
            tmp.to_str().unwrap(),
            "--env",
            "WEFT_GREETING=hi",
            f,
            "--",
            "Bo",
            outfile,
        ],
        0,
        &format!(
            "{}file: hi, Bo!\n",
            greeting(&fixture, "Bo", outfile).replacen("hello", "hi", 1)
        ),
        &format!("c-hello: writing {outfile}\n"),
    );
    assert_eq!(fs::read_to_string(outfile).unwrap(), "hi, Bo!\n");
}

/// Without `--dir` the guest has no directory: its `fopen` fails. (The program returns 2,
/// which the preview1 adapter turns into `wasi:cli/exit.exit(err)`: status 1.)
#[test]
fn c_hello_without_dir_cannot_open_its_file() {
    let Some(fixture) = c_hello() else { return };
    let f = fixture.to_str().unwrap();
    check(
        &["run", f, "--", "Ada", "out/hello.txt"],
        1,
        &greeting(&fixture, "Ada", "out/hello.txt"),
        "c-hello: writing out/hello.txt\nc-hello: cannot open out/hello.txt: Capabilities insufficient\n",
    );
}

/// A real guest's ways out of its directory: `..`, an absolute path through `..`, and a
/// symbolic link to the directory above. Nothing is written outside.
#[test]
fn c_hello_cannot_leave_its_preopen() {
    let Some(fixture) = c_hello() else { return };
    let tmp = scratch_dir("wasi/escape").unwrap();
    let sandbox = tmp.join("sandbox");
    fs::create_dir(&sandbox).unwrap();
    std::os::unix::fs::symlink(&tmp, sandbox.join("up")).unwrap();
    let f = fixture.to_str().unwrap();
    let dir = format!("{}::/", sandbox.display());
    let escape = format!("/../../{}/escape.txt", tmp.display());
    for outfile in ["../escape.txt", &escape, "up/escape.txt"] {
        check(
            &["run", "--dir", &dir, f, "--", "Ada", outfile],
            1,
            &greeting(&fixture, "Ada", outfile),
            &format!(
                "c-hello: writing {outfile}\nc-hello: cannot open {outfile}: Operation not permitted\n"
            ),
        );
    }
    assert!(!tmp.join("escape.txt").exists());
}

/// A `--dir` whose host directory does not exist is an error that names it.
#[test]
fn missing_host_dir_is_an_error() {
    let tmp = scratch_dir("wasi/missing").unwrap();
    let component = tmp.join("empty.wat");
    fs::write(&component, "(component)").unwrap();
    let missing = tmp.join("no-such-dir");
    let dir = format!("{}::/", missing.display());
    check(
        &["run", "--dir", &dir, component.to_str().unwrap()],
        1,
        "",
        &format!(
            "error: `--dir {dir}`: cannot open directory `{}`: No such file or directory (os error 2)\n",
            missing.display()
        ),
    );
}

/// The componentize-py fixture imports 25 WASI 0.2.9 interfaces, sockets included (denied);
/// its `hello()` runs on weft's host as on wasmtime.
#[test]
fn componentize_py_component_runs_with_wasi() {
    let Some(path) = fixture("py-app.wasm") else {
        return;
    };
    check(
        &["run", "--invoke", "hello()", path.to_str().unwrap()],
        0,
        "\"hello from python\"\n",
        "",
    );
}

/// The componentize-py command (`wasi:cli/run@0.2.12`): its arguments, `$WEFT_GREETING`, and
/// `in.txt` of its preopen, printed; `out.txt` written there, reversed (by code point).
#[test]
fn componentize_py_command_runs_with_args_env_and_preopen() {
    let Some(fixture) = fixture("py-cmd.wasm") else {
        return;
    };
    let tmp = scratch_dir("wasi/py-cmd").unwrap();
    fs::write(tmp.join("in.txt"), "from the host\nünï 😀\n").unwrap();
    let dir = format!("{}::/", tmp.display());
    check(
        &[
            "run",
            "--dir",
            &dir,
            "--env",
            "WEFT_GREETING=hi",
            fixture.to_str().unwrap(),
            "--",
            "a",
            "b",
        ],
        0,
        "hello from a python command\na\nb\nhi\nfrom the host\nünï 😀\n",
        "",
    );
    assert_eq!(
        fs::read_to_string(tmp.join("out.txt")).unwrap(),
        "\n😀 ïnü\ntsoh eht morf"
    );
}

/// `sys.exit(3)` in the componentize-py command: componentize-py exits through
/// `wasi:cli/exit.exit(err)`, status 1, as under wasmtime. Without `--dir` there is no
/// `in.txt` (and no error).
#[test]
fn componentize_py_command_sys_exit_is_exit_err() {
    let Some(fixture) = fixture("py-cmd.wasm") else {
        return;
    };
    check(
        &["run", fixture.to_str().unwrap(), "--", "fail", "x y"],
        1,
        "hello from a python command\nfail\nx y\n(unset)\n",
        "",
    );
}

/// Stdin is pollable: with no input yet, a 500 ms timer wins a `poll` against it; then
/// `pollable.block` waits until input comes (`tests/wasi/poll-stdin.wat`). With the input
/// already there, stdin wins.
#[test]
fn stdin_is_polled_with_timers() {
    use std::io::Write as _;
    use std::process::{Command, Stdio};
    let wat = weft_test_util::repo_root().join("crates/weft-cli/tests/wasi/poll-stdin.wat");
    let run = |delay: Option<std::time::Duration>, input: &[u8]| {
        let mut child = Command::new(env!("CARGO_BIN_EXE_weft"))
            .arg("run")
            .arg(&wat)
            .stdin(Stdio::piped())
            .stdout(Stdio::piped())
            .stderr(Stdio::piped())
            .spawn()
            .unwrap();
        let mut stdin = child.stdin.take().unwrap();
        match delay {
            Some(d) => {
                std::thread::sleep(d);
                stdin.write_all(input).unwrap();
            }
            None => stdin.write_all(input).unwrap(),
        }
        drop(stdin);
        let out = child.wait_with_output().unwrap();
        assert!(out.status.success(), "{}", describe(&out));
        String::from_utf8(out.stdout).unwrap()
    };
    // The input comes well after the timer (the guest starts, then waits 500 ms).
    assert_eq!(
        run(Some(std::time::Duration::from_millis(2500)), b"late"),
        "timer\nlate"
    );
    assert_eq!(run(None, b"early"), "stdin\nearly");
}
