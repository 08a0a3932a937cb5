//! `weft compose` end to end: two WAT components (a resource, `own` and `borrow`, crossing the
//! boundary) composed, then run with `weft run --invoke`.

use std::path::{Path, PathBuf};
use std::process::Command;

fn weft(args: &[&std::ffi::OsStr]) -> (bool, String, String) {
    let out = Command::new(env!("CARGO_BIN_EXE_weft"))
        .args(args)
        .output()
        .expect("run weft");
    (
        out.status.success(),
        String::from_utf8_lossy(&out.stdout).into_owned(),
        String::from_utf8_lossy(&out.stderr).into_owned(),
    )
}

fn case(name: &str) -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR"))
        .join("tests")
        .join("compose")
        .join(name)
}

fn scratch(name: &str) -> PathBuf {
    let dir = std::env::temp_dir().join(format!("weft-compose-cli-{}", std::process::id()));
    std::fs::create_dir_all(&dir).expect("scratch dir");
    dir.join(name)
}

#[test]
fn composed_resources_run() {
    let out = scratch("counter.wasm");
    for flag in ["-d", "--definitions", "--plug"] {
        let (ok, _, stderr) = weft(&[
            "compose".as_ref(),
            case("counter-user.wat").as_os_str(),
            flag.as_ref(),
            case("counters.wat").as_os_str(),
            "-o".as_ref(),
            out.as_os_str(),
        ]);
        assert!(ok, "weft compose {flag} failed: {stderr}");
        // run(v): make a counter of v (own), read it through a borrow (v * 100), drop it, + 1.
        let (ok, stdout, stderr) = weft(&[
            "run".as_ref(),
            "--invoke".as_ref(),
            "run(5)".as_ref(),
            out.as_os_str(),
        ]);
        assert!(ok, "weft run failed: {stderr}");
        assert_eq!(stdout, "501\n");
    }
    let _ = std::fs::remove_file(&out);
}

#[test]
fn unplugged_plug_is_an_error() {
    let (ok, _, stderr) = weft(&[
        "compose".as_ref(),
        case("counters.wat").as_os_str(),
        "--plug".as_ref(),
        case("counter-user.wat").as_os_str(),
        "-o".as_ref(),
        scratch("never.wasm").as_os_str(),
    ]);
    assert!(!ok);
    assert!(
        stderr.contains("plugs no import of"),
        "unexpected error: {stderr}"
    );
}

/// `--config`: the composition file picks which of two candidates plugs an import, and plugs
/// one under another name; what runs shows which export was used.
#[test]
fn composition_file_wires_explicitly() {
    let corpus = Path::new(env!("CARGO_MANIFEST_DIR")).join("../weft-compose/tests/corpus");
    // a.wat answers 1, b.wat answers 2; the root adds 1.
    for (dir, expected) in [("config-ambiguous", "3\n"), ("config-rename", "2\n")] {
        let out = scratch(&format!("{dir}.wasm"));
        let (ok, _, stderr) = weft(&[
            "compose".as_ref(),
            "--config".as_ref(),
            corpus.join(dir).join("compose.toml").as_os_str(),
            "-o".as_ref(),
            out.as_os_str(),
        ]);
        assert!(ok, "weft compose --config ({dir}) failed: {stderr}");
        let (ok, stdout, stderr) = weft(&[
            "run".as_ref(),
            "--invoke".as_ref(),
            "run()".as_ref(),
            out.as_os_str(),
        ]);
        assert!(ok, "weft run failed: {stderr}");
        assert_eq!(stdout, expected, "{dir}");
        let _ = std::fs::remove_file(&out);
    }
}
