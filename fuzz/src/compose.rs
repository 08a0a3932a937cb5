//! `compose`: composing mutated inputs never panics, and whatever composes is valid.
//!
//! The inputs are the composition corpus (`crates/weft-compose/tests/corpus/`, read once): one
//! case chosen, some of its components truncated, bit-flipped, overwritten or spliced, then
//! composed with `--definitions` and `--plug` semantics and with random explicit plugs (real
//! and made-up names and indices); the case's composition file, mutated, is parsed too.
//! Errors are fine. A panic is a bug, and so is a component that `weft_compose` returns but
//! that does not validate in full, function bodies included: it validates only the output's
//! structure itself, counting on the inputs' bodies, validated while it reads them. Each
//! mutated input is also validated in full and structurally: what passes in full must pass
//! structurally, whose code sections are framed without being read body by body.

use std::path::Path;
use std::sync::OnceLock;

use arbitrary::{Result, Unstructured};
use weft_compose::config::Config;
use weft_compose::{Input, Mode, Options, Plug};

/// One corpus case: its components (file name, binary) and its composition file, if any.
struct Case {
    name: String,
    root: usize,
    inputs: Vec<(String, Vec<u8>)>,
    config: Option<String>,
}

/// The corpus cases that have a `root.wat`, in name order.
fn corpus() -> &'static [Case] {
    static CORPUS: OnceLock<Vec<Case>> = OnceLock::new();
    CORPUS.get_or_init(|| {
        let dir = Path::new(env!("CARGO_MANIFEST_DIR")).join("../crates/weft-compose/tests/corpus");
        let mut dirs: Vec<_> = std::fs::read_dir(&dir)
            .unwrap_or_else(|e| panic!("reading `{}`: {e}", dir.display()))
            .filter_map(|e| e.ok().map(|e| e.path()))
            .filter(|p| p.is_dir())
            .collect();
        dirs.sort();
        let mut cases = Vec::new();
        for case in dirs {
            let mut files: Vec<_> = std::fs::read_dir(&case)
                .expect("a corpus case")
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
            cases.push(Case {
                name: case.file_name().unwrap().to_string_lossy().into_owned(),
                root,
                inputs,
                config: std::fs::read_to_string(case.join("compose.toml")).ok(),
            });
        }
        assert!(!cases.is_empty(), "no corpus cases in `{}`", dir.display());
        cases
    })
}

pub fn run(u: &mut Unstructured<'_>) -> Result<()> {
    let cases = corpus();
    let case = &cases[u.choose_index(cases.len())?];
    let mut bytes: Vec<Vec<u8>> = case.inputs.iter().map(|(_, b)| b.clone()).collect();
    // Sometimes nothing is mutated, so that the plans of valid inputs run too.
    for _ in 0..u.int_in_range(0..=3)? {
        let target = u.choose_index(bytes.len())?;
        mutate(u, &mut bytes[target])?;
    }
    for (n, b) in bytes.iter().enumerate() {
        structure_agrees_with_full(&case.inputs[n].0, b);
    }
    let defs: Vec<Input<'_>> = (0..bytes.len())
        .filter(|&n| n != case.root)
        .map(|n| Input {
            label: case.inputs[n].0.clone(),
            bytes: &bytes[n],
        })
        .collect();
    let root = || Input {
        label: "root.wat".into(),
        bytes: &bytes[case.root],
    };
    let mode = match u.arbitrary()? {
        true => Mode::Definitions,
        false => Mode::Plug,
    };
    check(&case.name, weft_compose::compose(root(), &defs, mode));
    let mut plugs = Vec::new();
    for _ in 0..u.int_in_range(0..=2)? {
        plugs.push(Plug {
            importer: u.int_in_range(0..=defs.len() + 1)?,
            import: u
                .choose(&[
                    "test:demo/answer",
                    "test:demo/base",
                    "point",
                    "a:b/x",
                    "nope",
                ])?
                .to_string(),
            definition: u.int_in_range(0..=defs.len() + 1)?,
            export: u
                .choose(&[None, Some("test:demo/answer"), Some("x")])?
                .map(str::to_string),
        });
    }
    let options = Options { mode, plugs };
    check(
        &case.name,
        weft_compose::compose_with(root(), &defs, &options),
    );
    if let Some(text) = &case.config {
        let mut t = text.clone().into_bytes();
        mutate(u, &mut t)?;
        if let Ok(c) = Config::parse(&String::from_utf8_lossy(&t)) {
            let _ = c.options();
        }
    }
    Ok(())
}

/// A composed component must validate in full.
fn check(case: &str, composed: weft_compose::Result<Vec<u8>>) {
    if let Ok(bytes) = composed {
        if let Err(e) = weft_binary::validate(&bytes, weft_binary::Validation::Full) {
            panic!("case `{case}`: weft_compose returned a component that does not validate: {e}");
        }
    }
}

/// Validating the structure only (function bodies framed, not validated: `Bodies::Skip`)
/// accepts everything full validation accepts.
fn structure_agrees_with_full(name: &str, bytes: &[u8]) {
    use weft_binary::Validation;
    let full = weft_binary::validate(bytes, Validation::Full);
    if let (Ok(()), Err(e)) = (&full, weft_binary::validate(bytes, Validation::Structure)) {
        panic!("`{name}` validates in full, but its structure does not: {e}");
    }
}

/// One mutation of `bytes`: truncation, bit flips, a run overwritten, or a slice duplicated.
pub(crate) fn mutate(u: &mut Unstructured<'_>, bytes: &mut Vec<u8>) -> Result<()> {
    if bytes.is_empty() {
        return Ok(());
    }
    match u.int_in_range(0..=3)? {
        0 => bytes.truncate(u.choose_index(bytes.len())?),
        1 => {
            for _ in 0..=u.int_in_range(0..=3)? {
                let i = u.choose_index(bytes.len())?;
                bytes[i] ^= 1 << u.int_in_range(0..=7)?;
            }
        }
        2 => {
            let i = u.choose_index(bytes.len())?;
            let len = u.int_in_range(0..=7)?.min(bytes.len() - i);
            let v: u8 = u.arbitrary()?;
            bytes[i..i + len].fill(v);
        }
        _ => {
            let i = u.choose_index(bytes.len())?;
            let len = u.int_in_range(0..=15)?.min(bytes.len() - i);
            let copy = bytes[i..i + len].to_vec();
            let at = u.choose_index(bytes.len())?;
            bytes.splice(at..at, copy);
        }
    }
    Ok(())
}

#[cfg(test)]
mod tests {
    #[test]
    fn smoke() {
        crate::smoke("compose", 3000, 64, super::run);
    }
}
