//! Start-up work for release builds of the `weft` binary on x86_64-unknown-linux-gnu
//! (BENCHMARKS.md, "Code layout" and "Process start"); everywhere else nothing changes.
//!
//! * `link-order.txt` (written by `scripts/link-order.py`) goes to the linker, so that the
//!   functions short commands run sit next to each other and fault in with few page faults.
//!   `WEFT_LINK_ORDER=0` turns it off.
//! * The unwinder is linked in statically (`libgcc_eh.a`, what `gcc -static-libgcc` links)
//!   instead of loading `libgcc_s.so.1` at every start: one shared library less to open, map
//!   and relocate. glibc stays shared. `WEFT_STATIC_UNWIND=0` turns it off.
//!
//! Each is used only when the toolchain takes it: Rust links with LLD there by default, but a
//! toolchain built otherwise, a linker the build names, or a wrapper such as `mold -run` may
//! not, so a trivial program is linked with it first (and, for the unwinder, must come out
//! without `libgcc_s`).

use std::env;
use std::fs;
use std::path::{Path, PathBuf};
use std::process::{Command, Stdio};

fn main() {
    println!("cargo:rerun-if-changed=link-order.txt");
    println!("cargo:rerun-if-env-changed=WEFT_LINK_ORDER");
    println!("cargo:rerun-if-env-changed=WEFT_STATIC_UNWIND");
    let var = |name: &str| env::var(name).unwrap_or_default();
    let target = var("TARGET");
    if target != "x86_64-unknown-linux-gnu" || var("PROFILE") != "release" {
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
    let flags: Vec<String> = args.iter().map(|a| format!("-Clink-arg={a}")).collect();
    if var("WEFT_LINK_ORDER") != "0" && order.is_file() && probe(&target, &flags).is_some() {
        for arg in &args {
            println!("cargo:rustc-link-arg-bin=weft={arg}");
        }
    }
    if var("WEFT_STATIC_UNWIND") != "0" && var("HOST") == target {
        if let Some(dir) = libgcc_eh_dir() {
            let flags = [
                format!("-Lnative={}", dir.display()),
                "-lstatic=gcc_eh".to_string(),
            ];
            // The archive must have taken the shared library's place, not joined it: two
            // unwinders in one process would each know only half of the frames.
            let alone = probe(&target, &flags).is_some_and(|binary| {
                !binary
                    .windows(b"libgcc_s.so".len())
                    .any(|w| w == b"libgcc_s.so")
            });
            if alone {
                println!("cargo:rustc-link-search=native={}", dir.display());
                println!("cargo:rustc-link-lib=static=gcc_eh");
            }
        }
    }
}

/// The directory of the C compiler's `libgcc_eh.a`, when it has one.
fn libgcc_eh_dir() -> Option<PathBuf> {
    let cc = env::var_os("RUSTC_LINKER").unwrap_or_else(|| "cc".into());
    let out = Command::new(cc)
        .arg("-print-file-name=libgcc_eh.a")
        .stderr(Stdio::null())
        .output()
        .ok()?;
    let path = PathBuf::from(String::from_utf8(out.stdout).ok()?.trim());
    // Without the file, the compiler prints the bare name back.
    (out.status.success() && path.is_absolute() && path.is_file())
        .then(|| path.parent().map(Path::to_path_buf))
        .flatten()
}

/// Links a trivial program for `target` with these `rustc` flags and the build's own (its
/// linker, its link arguments): the program's bytes, if it linked.
fn probe(target: &str, flags: &[String]) -> Option<Vec<u8>> {
    let out = env::var_os("OUT_DIR").map(PathBuf::from)?;
    let source = out.join("link-probe.rs");
    fs::write(&source, "fn main() {}\n").ok()?;
    let binary = out.join("link-probe");
    let _ = fs::remove_file(&binary);
    let mut rustc = Command::new(env::var_os("RUSTC").unwrap_or_else(|| "rustc".into()));
    rustc
        .arg(&source)
        .arg("--target")
        .arg(target)
        .arg("-o")
        .arg(&binary);
    if let Ok(flags) = env::var("CARGO_ENCODED_RUSTFLAGS") {
        rustc.args(flags.split('\x1f').filter(|f| !f.is_empty()));
    }
    if let Some(linker) = env::var_os("RUSTC_LINKER") {
        let mut flag = std::ffi::OsString::from("-Clinker=");
        flag.push(linker);
        rustc.arg(flag);
    }
    rustc.args(flags);
    let linked = rustc
        .stdout(Stdio::null())
        .stderr(Stdio::null())
        .status()
        .is_ok_and(|s| s.success());
    if linked {
        fs::read(&binary).ok()
    } else {
        None
    }
}
