//! Fuzz targets for weft, in the wasm-tools layout.
//!
//! Each module `fuzz/src/<target>.rs` exposes `pub fn run(u: &mut Unstructured) ->
//! arbitrary::Result<()>`, which panics when it finds a bug. Two drivers call it:
//!
//! * `cargo test -p weft-fuzz`: every target has a `smoke` test that feeds it a few hundred
//!   deterministic pseudo-random inputs (see [`smoke`]). `WEFT_FUZZ_ITERS=N` runs N instead,
//!   and `WEFT_FUZZ_SEED=S` starts from another seed.
//! * cargo-fuzz with libFuzzer: `fuzz/cargo-fuzz/` (see `fuzz/README.md`).
//!
//! Targets:
//!
//! * [`parse`]: arbitrary text and mutated WIT never make the parser or resolver panic, and
//!   every error renders.
//! * [`roundtrip`]: a random valid package resolves; printing it and resolving the print is a
//!   fixed point, with equal JSON.
//! * [`format`]: formatting random valid WIT (with comments everywhere) is idempotent, keeps
//!   every comment and does not change what the text means.
//! * [`abi`]: the canonical ABI: random values of random types lowered then lifted come back
//!   equal in every string encoding, also guest to guest; lifting random memory and core values
//!   never panics.
//! * [`compose`]: composing mutated components of the composition corpus (with random
//!   explicit plugs) never panics, and every component it returns validates in full; each
//!   mutated input that validates in full also validates structurally.
//! * [`component`]: decoding and wrapping (`weft new`) mutated components and core modules
//!   never panics; decoded WIT resolves again to itself, and wrapped modules validate in full.
//!
//! [`generate`] builds the random valid WIT that `parse`, `roundtrip` and `format` use.

use arbitrary::Unstructured;
use weft_wit::{PackageId, Resolve};

pub mod abi;
pub mod component;
pub mod compose;
pub mod format;
pub mod generate;
pub mod parse;
pub mod roundtrip;

/// A xorshift64* generator: deterministic bytes for the smoke tests without a `rand`
/// dependency.
#[derive(Clone, Debug)]
pub struct XorShift(u64);

impl XorShift {
    /// A generator from a seed (zero is replaced, since xorshift never leaves it).
    pub fn new(seed: u64) -> XorShift {
        XorShift(if seed == 0 {
            0x9e37_79b9_7f4a_7c15
        } else {
            seed
        })
    }

    /// The next 64 pseudo-random bits.
    pub fn next_u64(&mut self) -> u64 {
        let mut x = self.0;
        x ^= x >> 12;
        x ^= x << 25;
        x ^= x >> 27;
        self.0 = x;
        x.wrapping_mul(0x2545_f491_4f6c_dd1d)
    }

    /// Fills `buf` with pseudo-random bytes.
    pub fn fill(&mut self, buf: &mut [u8]) {
        for chunk in buf.chunks_mut(8) {
            let bytes = self.next_u64().to_le_bytes();
            chunk.copy_from_slice(&bytes[..chunk.len()]);
        }
    }
}

/// Runs `run` on `iters` pseudo-random inputs of up to `max_len` bytes, as the `smoke` tests
/// do. `WEFT_FUZZ_ITERS` and `WEFT_FUZZ_SEED` override the count and the seed.
///
/// Running out of input (`arbitrary::Error`) is not a failure; a panic is, and the panic
/// message is followed by the seed and iteration that reproduce it.
pub fn smoke(
    name: &str,
    iters: usize,
    max_len: usize,
    run: impl Fn(&mut Unstructured<'_>) -> arbitrary::Result<()>,
) {
    let iters = env_number("WEFT_FUZZ_ITERS").map_or(iters, |n| n as usize);
    let seed = env_number("WEFT_FUZZ_SEED").unwrap_or(0x5eed_0000 ^ name.len() as u64);
    let mut rng = XorShift::new(seed);
    let mut buf = vec![0; max_len];
    for i in 0..iters {
        // Vary the length so that both starved and well-fed inputs are tried.
        let len = (rng.next_u64() as usize) % (max_len + 1);
        rng.fill(&mut buf[..len]);
        let guard = Reproduce {
            name,
            seed,
            iteration: i,
        };
        let _ = run(&mut Unstructured::new(&buf[..len]));
        std::mem::forget(guard);
    }
}

/// Prints how to reproduce a smoke-test failure if dropped while panicking.
struct Reproduce<'a> {
    name: &'a str,
    seed: u64,
    iteration: usize,
}

impl Drop for Reproduce<'_> {
    fn drop(&mut self) {
        if std::thread::panicking() {
            eprintln!(
                "weft-fuzz: `{}` failed at iteration {} of seed {} (WEFT_FUZZ_SEED={} WEFT_FUZZ_ITERS={})",
                self.name,
                self.iteration,
                self.seed,
                self.seed,
                self.iteration + 1
            );
        }
    }
}

/// Resolves each file into one `Resolve`, panicking with the rendered error on failure.
pub fn resolve_all(files: &[(&str, String)], what: &str) -> (Resolve, Vec<PackageId>) {
    let mut resolve = Resolve::new();
    let mut ids = Vec::new();
    for (path, text) in files {
        match resolve.push_str(path, text) {
            Ok(id) => ids.push(id),
            Err(e) => panic!(
                "{what} does not resolve:\n{}\n{}",
                resolve.render_error(&e),
                dump(files)
            ),
        }
    }
    (resolve, ids)
}

/// Every file, for a failure message.
pub fn dump(files: &[(&str, String)]) -> String {
    let mut out = String::new();
    for (path, text) in files {
        out.push_str(&format!("=== {path} ===\n{text}\n"));
    }
    out
}

/// The first line where `a` and `b` differ, with both versions.
pub fn first_difference(a: &str, b: &str) -> String {
    let (mut la, mut lb) = (a.lines(), b.lines());
    let mut n = 1;
    loop {
        match (la.next(), lb.next()) {
            (Some(x), Some(y)) if x == y => n += 1,
            (None, None) => return "no line differs (line endings?)".to_string(),
            (x, y) => {
                return format!(
                    "line {n}: `{}` vs `{}`",
                    x.unwrap_or("<end of text>"),
                    y.unwrap_or("<end of text>")
                )
            }
        }
    }
}

fn env_number(name: &str) -> Option<u64> {
    std::env::var(name).ok()?.parse().ok()
}

#[cfg(test)]
mod tests {
    use super::XorShift;

    #[test]
    fn xorshift_is_deterministic() {
        let mut a = XorShift::new(7);
        let mut b = XorShift::new(7);
        let xs: Vec<u64> = (0..4).map(|_| a.next_u64()).collect();
        let ys: Vec<u64> = (0..4).map(|_| b.next_u64()).collect();
        assert_eq!(xs, ys);
        assert_ne!(xs[0], xs[1]);
    }
}
