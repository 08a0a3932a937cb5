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

/// `tests/wasi/blocking.wat`, a guest that waits in WASI calls.
fn blocking_wat() -> PathBuf {
    weft_test_util::repo_root().join("crates/weft-cli/tests/wasi/blocking.wat")
}

/// Runs `weft ARGS` with stdin a pipe that stays open (nothing is ever written to it) until
/// `weft` ended; checks its exit code and stderr exactly, and that it ended within 30 s.
fn check_stopped(args: &[&str], code: i32, stderr: &str) {
    use std::process::{Command, Stdio};
    let start = std::time::Instant::now();
    let mut child = Command::new(env!("CARGO_BIN_EXE_weft"))
        .args(args)
        .env(
            "XDG_CACHE_HOME",
            Path::new(env!("CARGO_TARGET_TMPDIR")).join("xdg-cache"),
        )
        .stdin(Stdio::piped())
        .stdout(Stdio::piped())
        .stderr(Stdio::piped())
        .spawn()
        .unwrap();
    let stdin = child.stdin.take();
    // A hang must fail the test, not the whole run: kill `weft` after 30 s.
    let pid = child.id();
    let (done, watched) = std::sync::mpsc::channel::<()>();
    let watchdog = std::thread::spawn(move || {
        if watched
            .recv_timeout(std::time::Duration::from_secs(30))
            .is_err()
        {
            let _ = std::process::Command::new("kill")
                .args(["-9", &pid.to_string()])
                .status();
        }
    });
    let out = child.wait_with_output().unwrap();
    let _ = done.send(());
    watchdog.join().unwrap();
    drop(stdin);
    let elapsed = start.elapsed();
    assert!(
        elapsed < std::time::Duration::from_secs(30),
        "`weft {}` took {elapsed:?}",
        args.join(" ")
    );
    assert!(
        out.status.code() == Some(code) && String::from_utf8_lossy(&out.stderr) == stderr,
        "`weft {}`: expected exit {code}\n--- stderr:\n{stderr}\nfound {}",
        args.join(" "),
        describe(&out)
    );
}

/// `--timeout` stops a guest waiting for a timer that never fires, in `pollable.block` and in
/// `poll`, and one waiting in a `blocking-read` of stdin that never gets input: a trap, exit 1.
#[test]
fn timeout_stops_a_guest_blocked_in_a_wasi_call() {
    let wat = blocking_wat();
    let wat = wat.to_str().unwrap();
    for (call, name) in [
        ("sleep(18446744073709551615)", "sleep"),
        ("poll-timer(18446744073709551615)", "poll-timer"),
        ("read-stdin(100)", "read-stdin"),
    ] {
        check_stopped(
            &["run", "--timeout", "1s", wat, "--invoke", call],
            1,
            &format!("error: `{name}` trapped: interrupted: the time limit ran out (while waiting in a WASI call)\n"),
        );
    }
    // The same command reading stdin.
    check_stopped(
        &["run", "--timeout", "1s", wat],
        1,
        "error: `wasi:cli/run@0.2.0#run` trapped: interrupted: the time limit ran out (while waiting in a WASI call)\n",
    );
}

/// A preview1 program (through the adapter) waiting for stdin is stopped too.
#[test]
fn timeout_stops_a_preview1_program_waiting_for_stdin() {
    let Some(fixture) = fixture("rust-wasi-stdin.core.wasm") else {
        return;
    };
    check_stopped(
        &["run", "--timeout", "1s", fixture.to_str().unwrap()],
        1,
        "error: `wasi:cli/run@0.2.12#run` trapped: interrupted: the time limit ran out (while waiting in a WASI call)\n",
    );
}

/// A later `--env` replaces an earlier one and an inherited variable: `get-environment`
/// lists each name once.
#[test]
fn env_given_twice_is_listed_once_with_the_last_value() {
    let wat = blocking_wat();
    let out = common::output(
        common::weft(&[
            "run",
            wat.to_str().unwrap(),
            "--inherit-env",
            "--env",
            "WEFT_X=new",
            "--env",
            "WEFT_Y=1",
            "--env",
            "WEFT_X=newer",
            "--invoke",
            "env()",
        ])
        .env("WEFT_X", "old"),
    )
    .unwrap();
    assert!(out.status.success(), "{}", describe(&out));
    let stdout = String::from_utf8(out.stdout).unwrap();
    let weft_vars: Vec<&str> = stdout
        .split("), (")
        .filter(|kv| kv.trim_start_matches("[(").starts_with("\"WEFT_"))
        .map(|kv| kv.trim_start_matches("[(").trim_end_matches(")]\n"))
        .collect();
    assert_eq!(
        weft_vars,
        ["\"WEFT_X\", \"newer\"", "\"WEFT_Y\", \"1\""],
        "{stdout}"
    );
    check(
        &[
            "run",
            wat.to_str().unwrap(),
            "--env",
            "A=1",
            "--env",
            "B=2",
            "--env",
            "A=3",
            "--invoke",
            "env()",
        ],
        0,
        "[(\"A\", \"3\"), (\"B\", \"2\")]\n",
        "",
    );
}

/// `--env` with an empty name is a usage error; `--env NAME` of a variable that is set but
/// not UTF-8 says so.
#[test]
fn env_flag_errors() {
    let wat = blocking_wat();
    let wat = wat.to_str().unwrap();
    for spec in ["", "=x"] {
        check(
            &["run", wat, "--env", spec, "--invoke", "env()"],
            2,
            "",
            &format!("error: `--env {spec}`: the variable's name is empty\n      = help: write `--env NAME=VALUE`, or `--env NAME` for this process's value\n"),
        );
    }
    #[cfg(unix)]
    {
        use std::os::unix::ffi::OsStrExt as _;
        let out = common::output(
            common::weft(&["run", wat, "--env", "WEFT_BAD", "--invoke", "env()"])
                .env("WEFT_BAD", std::ffi::OsStr::from_bytes(b"\xff")),
        )
        .unwrap();
        assert!(
            out.status.code() == Some(1)
                && String::from_utf8_lossy(&out.stderr)
                    == "error: `--env WEFT_BAD`: the value of this process's environment variable `WEFT_BAD` is not UTF-8, and WASI's environment is strings\n      = help: give its value: `--env WEFT_BAD=VALUE`\n",
            "{}",
            describe(&out)
        );
        // `--inherit-env` passes on the rest, and says which it left out.
        let out = common::output(
            common::weft(&["run", wat, "--inherit-env", "--invoke", "env()"])
                .env_clear()
                .env("WEFT_GOOD", "1")
                .env("WEFT_BAD", std::ffi::OsStr::from_bytes(b"\xff")),
        )
        .unwrap();
        let stdout = String::from_utf8_lossy(&out.stdout);
        assert!(
            out.status.success()
                && stdout.contains("WEFT_GOOD")
                && !stdout.contains("WEFT_BAD")
                && String::from_utf8_lossy(&out.stderr)
                    == "warning: `--inherit-env` leaves out a variable that is not UTF-8: WEFT_BAD\n",
            "{}",
            describe(&out)
        );
    }
}

/// `--dir HOST::` (an empty guest path) and a guest path given twice are usage errors.
#[test]
fn dir_flag_errors() {
    let tmp = scratch_dir("wasi/dir-flags").unwrap();
    let wat = blocking_wat();
    let wat = wat.to_str().unwrap();
    let host = tmp.to_str().unwrap();
    let empty = format!("{host}::");
    check(
        &["run", "--dir", &empty, wat, "--invoke", "env()"],
        2,
        "",
        &format!("error: `--dir {empty}`: the guest path is empty\n      = help: name the directory the guest sees, e.g. `--dir {host}::/`\n"),
    );
    let (a, b) = (format!("{host}::/a"), format!("{host}/..::/a"));
    check(
        &["run", "--dir", &a, "--dir", &b, wat, "--invoke", "env()"],
        2,
        "",
        &format!("error: `--dir {b}`: guest path `/a` is already given by `--dir {a}`\n      = help: give each directory its own guest path\n"),
    );
    check(
        &["run", "--dir", host, "--dir", host, wat, "--invoke", "env()"],
        2,
        "",
        &format!("error: `--dir {host}`: guest path `{host}` is already given by `--dir {host}`\n      = help: give each directory its own guest path\n"),
    );
}

/// Stdin and stdout non-blocking (`O_NONBLOCK`, as Node.js gives a child its stdio, on
/// sockets): the guest's blocking reads and writes wait for the descriptors instead of
/// failing. The input comes late (the first read would be `EAGAIN`), and is larger than the
/// socket buffer, which the reader drains late too (writes would be `EAGAIN`).
#[cfg(unix)]
#[test]
fn nonblocking_stdio_is_waited_on() {
    use std::io::{Read as _, Write as _};
    use std::os::unix::net::UnixStream;
    use std::process::{Command, Stdio};
    let (mut to_stdin, stdin) = UnixStream::pair().unwrap();
    let (mut from_stdout, stdout) = UnixStream::pair().unwrap();
    stdin.set_nonblocking(true).unwrap();
    stdout.set_nonblocking(true).unwrap();
    let input: Vec<u8> = (0..3 * 1024 * 1024u32)
        .map(|i| (i % 251) as u8 ^ (i >> 16) as u8)
        .collect();
    let child = Command::new(env!("CARGO_BIN_EXE_weft"))
        .arg("run")
        .arg(blocking_wat())
        .env(
            "XDG_CACHE_HOME",
            Path::new(env!("CARGO_TARGET_TMPDIR")).join("xdg-cache"),
        )
        .stdin(Stdio::from(std::os::fd::OwnedFd::from(stdin)))
        .stdout(Stdio::from(std::os::fd::OwnedFd::from(stdout)))
        .stderr(Stdio::piped())
        .spawn()
        .unwrap();
    let writer = {
        let input = input.clone();
        std::thread::spawn(move || {
            std::thread::sleep(std::time::Duration::from_millis(500));
            to_stdin.write_all(&input).unwrap();
            to_stdin.shutdown(std::net::Shutdown::Write).unwrap();
        })
    };
    std::thread::sleep(std::time::Duration::from_millis(1500));
    let mut output = Vec::new();
    from_stdout.read_to_end(&mut output).unwrap();
    writer.join().unwrap();
    let out = child.wait_with_output().unwrap();
    assert!(out.status.success(), "{}", describe(&out));
    assert_eq!(output.len(), input.len());
    assert!(output == input, "the output differs from the input");
}

/// A preview1 program given more arguments (or environment) than the preview1 adapter holds
/// is refused, with the reason, before it runs (the adapter would trap or corrupt them); 2000
/// short arguments are within the limit.
#[test]
fn preview1_arguments_beyond_the_adapter_are_refused() {
    let tmp = scratch_dir("wasi/preview1-args").unwrap();
    // A program that does not read its arguments is not limited by them.
    let quiet = tmp.join("quiet.wat");
    fs::write(
        &quiet,
        r#"(module
  (import "wasi_snapshot_preview1" "fd_write" (func (param i32 i32 i32 i32) (result i32)))
  (memory (export "memory") 1)
  (func (export "_start")))"#,
    )
    .unwrap();
    let many: Vec<String> = (1..=2500).map(|i| i.to_string()).collect();
    let mut argv = vec!["run", quiet.to_str().unwrap(), "--"];
    argv.extend(many.iter().map(String::as_str));
    let ok = run(&argv).unwrap();
    assert!(ok.status.success(), "{}", describe(&ok));
    let module = tmp.join("p1.wat");
    fs::write(
        &module,
        r#"(module
  (import "wasi_snapshot_preview1" "fd_write" (func (param i32 i32 i32 i32) (result i32)))
  (import "wasi_snapshot_preview1" "args_sizes_get" (func (param i32 i32) (result i32)))
  (import "wasi_snapshot_preview1" "args_get" (func (param i32 i32) (result i32)))
  (memory (export "memory") 1)
  (func (export "_start")))"#,
    )
    .unwrap();
    let module = module.to_str().unwrap();
    let args = |n: usize| -> Vec<String> {
        ["run", module, "--"]
            .into_iter()
            .map(String::from)
            .chain((1..=n).map(|i| i.to_string()))
            .collect()
    };
    let ok = run(&args(2000)).unwrap();
    assert!(ok.status.success(), "{}", describe(&ok));
    let help = "      = help: pass fewer or shorter ones, or build the program for WASI 0.2 (a component; e.g. Rust's `wasm32-wasip2` target), which has no such limit\n";
    check(
        &args(2500).iter().map(String::as_str).collect::<Vec<_>>(),
        1,
        "",
        &format!("error: too many arguments or environment variables for a WASI preview1 program: 2501 arguments and 0 variables, 48 KiB as weft counts them; preview1 programs run through the preview1 adapter, which holds at most about 2048 arguments, 1500 variables, or 48 KiB\n{help}"),
    );
    let long = "a".repeat(60_000);
    check(
        &["run", module, "--", &long],
        1,
        "",
        &format!("error: too many arguments or environment variables for a WASI preview1 program: 2 arguments and 0 variables, 59 KiB as weft counts them; preview1 programs run through the preview1 adapter, which holds at most about 2048 arguments, 1500 variables, or 48 KiB\n{help}"),
    );
}
