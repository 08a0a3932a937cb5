//! Lays out the `weft` binary's code for start-up: release builds on x86_64-unknown-linux-gnu,
//! which Rust links with LLD, hand `link-order.txt` (written by `scripts/link-order.py`) to the
//! linker, so that the functions short commands run sit next to each other and fault in with
//! few page faults (BENCHMARKS.md, "Code layout"). Everywhere else, and when the build names a
//! linker of its own (which may not be LLD), nothing changes; `WEFT_LINK_ORDER=0` turns it off.

use std::env;
use std::path::Path;

fn main() {
    println!("cargo:rerun-if-changed=link-order.txt");
    println!("cargo:rerun-if-env-changed=WEFT_LINK_ORDER");
    let var = |name: &str| env::var(name).unwrap_or_default();
    let lld_by_default = var("TARGET") == "x86_64-unknown-linux-gnu";
    let release = var("PROFILE") == "release";
    // A linker chosen by the build (`target.….linker`, `-C linker=…`, `-C linker-features`,
    // `-fuse-ld`) may not understand LLD's options.
    let own_linker =
        env::var_os("RUSTC_LINKER").is_some() || var("CARGO_ENCODED_RUSTFLAGS").contains("link");
    if !lld_by_default || !release || own_linker || var("WEFT_LINK_ORDER") == "0" {
        return;
    }
    let order = Path::new(&var("CARGO_MANIFEST_DIR")).join("link-order.txt");
    if order.is_file() {
        println!(
            "cargo:rustc-link-arg-bin=weft=-Wl,--symbol-ordering-file={}",
            order.display()
        );
        // A function renamed since the file was written is only left out of the order.
        println!("cargo:rustc-link-arg-bin=weft=-Wl,--no-warn-symbol-ordering");
    }
}
