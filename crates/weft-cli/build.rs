//! Lays out the `weft` binary's code for start-up: release builds on x86_64-unknown-linux-gnu
//! hand `link-order.txt` (written by `scripts/link-order.py`) to the linker, so that the
//! functions short commands run sit next to each other and fault in with few page faults
//! (BENCHMARKS.md, "Code layout"). Only when the linker takes the option: Rust links with LLD
//! there by default, but a toolchain built otherwise, a linker the build names, or a wrapper
//! such as `mold -run` may not, so a trivial program is linked with it first. Everywhere
//! else nothing changes; `WEFT_LINK_ORDER=0` turns it off.

use std::env;
use std::fs;
use std::path::{Path, PathBuf};
use std::process::{Command, Stdio};

fn main() {
    println!("cargo:rerun-if-changed=link-order.txt");
    println!("cargo:rerun-if-env-changed=WEFT_LINK_ORDER");
    let var = |name: &str| env::var(name).unwrap_or_default();
    let target = var("TARGET");
    if target != "x86_64-unknown-linux-gnu"
        || var("PROFILE") != "release"
        || var("WEFT_LINK_ORDER") == "0"
    {
        return;
    }
    let order = Path::new(&var("CARGO_MANIFEST_DIR")).join("link-order.txt");
    // `-Xlinker` passes the path as one argument, whatever characters it holds.
    let args = [
        "-Xlinker".to_string(),
        format!("--symbol-ordering-file={}", order.display()),
        // A function renamed since the file was written is only left out of the order.
        "-Xlinker".to_string(),
        "--no-warn-symbol-ordering".to_string(),
    ];
    if order.is_file() && links_with(&target, &args) {
        for arg in &args {
            println!("cargo:rustc-link-arg-bin=weft={arg}");
        }
    }
}

/// Whether a trivial program links for `target` with these linker arguments and the build's
/// own flags (its linker, its link arguments).
fn links_with(target: &str, args: &[String]) -> bool {
    let Some(out) = env::var_os("OUT_DIR").map(PathBuf::from) else {
        return false;
    };
    let source = out.join("link-order-probe.rs");
    if fs::write(&source, "fn main() {}\n").is_err() {
        return false;
    }
    let mut rustc = Command::new(env::var_os("RUSTC").unwrap_or_else(|| "rustc".into()));
    rustc
        .arg(&source)
        .arg("--target")
        .arg(target)
        .arg("-o")
        .arg(out.join("link-order-probe"));
    if let Ok(flags) = env::var("CARGO_ENCODED_RUSTFLAGS") {
        rustc.args(flags.split('\x1f').filter(|f| !f.is_empty()));
    }
    if let Some(linker) = env::var_os("RUSTC_LINKER") {
        let mut flag = std::ffi::OsString::from("-Clinker=");
        flag.push(linker);
        rustc.arg(flag);
    }
    for arg in args {
        rustc.arg(format!("-Clink-arg={arg}"));
    }
    rustc
        .stdout(Stdio::null())
        .stderr(Stdio::null())
        .status()
        .is_ok_and(|s| s.success())
}
