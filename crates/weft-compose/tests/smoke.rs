//! No-panic smoke test: the corpus inputs (`tests/corpus/`), truncated and mutated, composed
//! again and again; errors are fine, a panic fails the test. Deterministic (a fixed xorshift
//! seed, as `fuzz/src/lib.rs` does), so a failure names the case and iteration to replay.

use std::fs;
use std::path::Path;

use weft_compose::config::Config;
use weft_compose::{Input, Mode, Options, Plug};

/// Iterations per corpus case.
const ITERATIONS: u64 = 500;

/// xorshift64: the generator of `fuzz/src/lib.rs`.
struct XorShift(u64);

impl XorShift {
    fn next(&mut self) -> u64 {
        let mut x = self.0;
        x ^= x >> 12;
        x ^= x << 25;
        x ^= x >> 27;
        self.0 = x;
        x.wrapping_mul(0x2545_f491_4f6c_dd1d)
    }

    fn below(&mut self, n: usize) -> usize {
        (self.next() % n.max(1) as u64) as usize
    }
}

/// One mutation of `bytes`: truncation, byte flips, a run overwritten, or a slice duplicated.
fn mutate(rng: &mut XorShift, bytes: &mut Vec<u8>) {
    if bytes.is_empty() {
        return;
    }
    match rng.below(4) {
        0 => bytes.truncate(rng.below(bytes.len())),
        1 => {
            for _ in 0..=rng.below(4) {
                let i = rng.below(bytes.len());
                bytes[i] ^= 1 << rng.below(8);
            }
        }
        2 => {
            let i = rng.below(bytes.len());
            let len = rng.below(8).min(bytes.len() - i);
            let v = rng.next() as u8;
            bytes[i..i + len].fill(v);
        }
        _ => {
            let i = rng.below(bytes.len());
            let len = rng.below(16).min(bytes.len() - i);
            let copy = bytes[i..i + len].to_vec();
            let at = rng.below(bytes.len());
            bytes.splice(at..at, copy);
        }
    }
}

#[test]
fn mutated_corpus_never_panics() {
    let corpus = Path::new(env!("CARGO_MANIFEST_DIR")).join("tests/corpus");
    let mut cases: Vec<_> = fs::read_dir(&corpus)
        .expect("tests/corpus")
        .filter_map(|e| e.ok().map(|e| e.path()))
        .filter(|p| p.is_dir())
        .collect();
    cases.sort();
    for case in cases {
        let mut files: Vec<_> = fs::read_dir(&case)
            .expect("case")
            .filter_map(|e| e.ok().map(|e| e.path()))
            .filter(|p| p.extension().is_some_and(|e| e == "wat"))
            .collect();
        files.sort();
        let inputs: Vec<(String, Vec<u8>)> = files
            .iter()
            .map(|p| {
                let name = p.file_name().unwrap().to_string_lossy().into_owned();
                (name, wat::parse_file(p).expect("corpus WAT parses"))
            })
            .collect();
        let Some(root) = inputs.iter().position(|(n, _)| n == "root.wat") else {
            continue;
        };
        let toml = fs::read_to_string(case.join("compose.toml")).ok();
        let name = case.file_name().unwrap().to_string_lossy().into_owned();
        let mut rng = XorShift(0x5eed ^ name.len() as u64 ^ 0x9e37_79b9_7f4a_7c15);
        for i in 0..ITERATIONS {
            let mut bytes: Vec<Vec<u8>> = inputs.iter().map(|(_, b)| b.clone()).collect();
            // Mutate one input (sometimes none, so the unmutated plan runs too).
            let target = rng.below(bytes.len() + 1);
            if let Some(b) = bytes.get_mut(target) {
                for _ in 0..=rng.below(3) {
                    mutate(&mut rng, b);
                }
            }
            let defs: Vec<Input<'_>> = (0..inputs.len())
                .filter(|&n| n != root)
                .map(|n| Input {
                    label: inputs[n].0.clone(),
                    bytes: &bytes[n],
                })
                .collect();
            let root_input = || Input {
                label: "root.wat".into(),
                bytes: &bytes[root],
            };
            let context = format!("case `{name}`, iteration {i}");
            let mode = match rng.below(2) {
                0 => Mode::Definitions,
                _ => Mode::Plug,
            };
            let _ = std::panic::catch_unwind(std::panic::AssertUnwindSafe(|| {
                let _ = weft_compose::compose(root_input(), &defs, mode);
                // Explicit plugs with made-up and real names and indices.
                let plugs = (0..=rng.below(2))
                    .map(|_| Plug {
                        importer: rng.below(defs.len() + 2),
                        import: ["test:demo/answer", "test:demo/base", "a:b/x", "nope"]
                            [rng.below(4)]
                        .to_string(),
                        definition: rng.below(defs.len() + 2),
                        export: [None, Some("test:demo/answer".to_string()), Some("x".into())]
                            [rng.below(3)]
                        .clone(),
                    })
                    .collect();
                let options = Options { mode, plugs };
                let _ = weft_compose::compose_with(root_input(), &defs, &options);
                if let Some(text) = &toml {
                    let mut t = text.clone().into_bytes();
                    mutate(&mut rng, &mut t);
                    if let Ok(c) = Config::parse(&String::from_utf8_lossy(&t)) {
                        let _ = c.options();
                    }
                }
            }))
            .map_err(|_| panic!("weft-compose panicked: {context}"));
        }
    }
}
