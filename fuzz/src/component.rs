//! `component`: reading and wrapping mutated binaries never panics, and what they give back
//! holds up.
//!
//! The inputs, read once: wit-component's corpus (`tests/components`, fetched by
//! `corpora/Cargo.toml`; without it only weft's own inputs are used): each case's expected
//! `component.wat`, its `module.wat` with world `module` embedded as bindings generators embed
//! it, and its WIT package encoded; and weft's own binaries (the composition corpus's
//! components, `examples/*.wat`). One input is chosen and mutated zero to three times
//! (truncated, bit-flipped, overwritten or spliced, as in [`crate::compose`]); then:
//!
//! * [`weft_component::decode`] never panics. The WIT of a component or package it decodes,
//!   printed with the packages it uses (as `weft wit` prints it), resolves again; for an
//!   unchanged input it also prints the same, a fixed point (see [`fixed_point`] for why not
//!   for a changed one). A decoded package encodes again (or, changed, is refused with an
//!   error), and that binary decodes to the same WIT.
//! * For a core module, [`weft_component::new_component`] never panics, and a component it
//!   returns validates in full (function bodies included; `new` itself validates only the
//!   output's structure, counting on the input's bodies, validated while it reads them) and
//!   decodes.
//!
//! `WEFT_FUZZ_DUMP=DIR` writes each input to `DIR/component.wasm` before it is tried, so that
//! after a failure it holds the input that failed.

use std::path::Path;
use std::sync::OnceLock;

use arbitrary::{Result, Unstructured};
use weft_component::{decode, embed, new_component, Decoded, NewOptions, StringEncoding};
use weft_wit::print::print_all;
use weft_wit::{PackageId, Resolve};

/// An input: where it came from (for failure messages) and its bytes.
struct Input {
    name: String,
    bytes: Vec<u8>,
}

fn inputs() -> &'static [Input] {
    static INPUTS: OnceLock<Vec<Input>> = OnceLock::new();
    INPUTS.get_or_init(|| {
        let root = Path::new(env!("CARGO_MANIFEST_DIR")).join("..");
        let mut inputs = Vec::new();
        let mut wat_files = |dir: &Path| {
            let mut files: Vec<_> = std::fs::read_dir(dir)
                .unwrap_or_else(|e| panic!("reading `{}`: {e}", dir.display()))
                .filter_map(|e| e.ok().map(|e| e.path()))
                .filter(|p| p.extension().is_some_and(|e| e == "wat"))
                .collect();
            files.sort();
            for path in files {
                // Some examples are text on purpose that does not parse; they are not inputs.
                if let Ok(bytes) = wat::parse_file(&path) {
                    inputs.push(Input {
                        name: path.display().to_string(),
                        bytes,
                    });
                }
            }
        };
        wat_files(&root.join("examples"));
        let corpus = root.join("crates/weft-compose/tests/corpus");
        let mut cases: Vec<_> = std::fs::read_dir(&corpus)
            .unwrap_or_else(|e| panic!("reading `{}`: {e}", corpus.display()))
            .filter_map(|e| e.ok().map(|e| e.path()))
            .filter(|p| p.is_dir())
            .collect();
        cases.sort();
        for case in cases {
            wat_files(&case);
        }
        if let Ok(dir) = weft_test_util::corpus_dir("wit-component") {
            inputs.extend(wit_component_inputs(&dir.join("tests/components")));
        }
        assert!(!inputs.is_empty(), "no inputs for the `component` target");
        inputs
    })
}

/// Each case's `component.wat` and its `module.wat` with world `module` embedded.
fn wit_component_inputs(dir: &Path) -> Vec<Input> {
    let mut cases: Vec<_> = std::fs::read_dir(dir)
        .map(|rd| rd.filter_map(|e| e.ok().map(|e| e.path())).collect())
        .unwrap_or_else(|_| Vec::new());
    cases.sort();
    let mut inputs = Vec::new();
    for case in cases {
        if let Ok(bytes) = wat::parse_file(case.join("component.wat")) {
            inputs.push(Input {
                name: case.join("component.wat").display().to_string(),
                bytes,
            });
        }
        let mut resolve = Resolve::new();
        let Ok(pkg) = weft_component::push_path(&mut resolve, &case) else {
            continue;
        };
        if let Ok(bytes) = weft_component::encode_package(&resolve, pkg) {
            inputs.push(Input {
                name: format!("{} (its package encoded)", case.display()),
                bytes,
            });
        }
        let Ok(world) = resolve.select_world(pkg, Some("module")) else {
            continue;
        };
        let Ok(module) = wat::parse_file(case.join("module.wat")) else {
            continue;
        };
        if let Ok(bytes) = embed(&module, &resolve, world, StringEncoding::Utf8) {
            inputs.push(Input {
                name: format!(
                    "{} (world `module` embedded)",
                    case.join("module.wat").display()
                ),
                bytes,
            });
        }
    }
    inputs
}

pub fn run(u: &mut Unstructured<'_>) -> Result<()> {
    let inputs = inputs();
    let input = &inputs[u.choose_index(inputs.len())?];
    let mut bytes = input.bytes.clone();
    // Sometimes nothing is mutated, so that valid inputs run all the way through too.
    let mutations = u.int_in_range(0..=3)?;
    for _ in 0..mutations {
        crate::compose::mutate(u, &mut bytes)?;
    }
    let exact = mutations == 0 || bytes == input.bytes;
    let name = &input.name;
    // `WEFT_FUZZ_DUMP=DIR`: each input as it is tried, so the last is the one that failed.
    if let Some(dir) = std::env::var_os("WEFT_FUZZ_DUMP") {
        let _ = std::fs::write(Path::new(&dir).join("component.wasm"), &bytes);
    }
    match decode(&bytes) {
        Ok(Decoded::Component { resolve, world }) => {
            let pkg = resolve.worlds[world]
                .package
                .unwrap_or_else(|| panic!("`{name}`: the decoded world has no package"));
            fixed_point(name, &resolve, pkg, exact);
        }
        Ok(Decoded::Package { resolve, package }) => {
            let text = fixed_point(name, &resolve, package, exact);
            // What was decoded encodes again, and decodes to the same WIT. A changed input's
            // world can contradict its interfaces (see [`fixed_point`]), which the encoder
            // rejects: an error then, never an invalid binary.
            let encoded = match weft_component::encode_package(&resolve, package) {
                Ok(encoded) => encoded,
                Err(e) if exact => {
                    panic!("`{name}`: a decoded package does not encode again: {e}\n{text}")
                }
                Err(_) => return Ok(()),
            };
            match decode(&encoded) {
                Ok(Decoded::Package { resolve, package }) => {
                    let again = print_all(&resolve, package);
                    assert_eq!(
                        text, again,
                        "`{name}`: a decoded package, encoded and decoded again, prints otherwise"
                    );
                }
                Ok(_) => panic!("`{name}`: a decoded package encodes to something else"),
                Err(e) => panic!("`{name}`: a decoded package's encoding does not decode: {e}"),
            }
        }
        Ok(Decoded::CoreModule(_)) | Err(_) => {}
    }
    if bytes.starts_with(b"\0asm\x01\0\0\0") {
        if let Ok(component) = new_component(&bytes, NewOptions::default()) {
            if let Err(e) = weft_binary::validate(&component, weft_binary::Validation::Full) {
                panic!(
                    "`{name}`: `new_component` returned a component that does not validate: {e}"
                );
            }
            if let Err(e) = decode(&component) {
                panic!("`{name}`: `new_component` returned a component that does not decode: {e}");
            }
        }
    }
    Ok(())
}

/// The WIT of `pkg` with every package it uses, which must resolve again; and print the same,
/// when `exact` (the input was not changed). A changed binary can be a valid component whose
/// world contradicts its interfaces (its export `b`'s resource is `q`'s, while interface `b`
/// uses `a`'s): the decoder, as wit-component's does, takes the interfaces' word, and
/// resolving the print then adds what the interfaces imply (`import a`).
fn fixed_point(name: &str, resolve: &Resolve, pkg: PackageId, exact: bool) -> String {
    let text = print_all(resolve, pkg);
    let mut again = Resolve::new();
    match again.push_str("decoded.wit", &text) {
        Ok(id) => {
            if exact {
                let printed = print_all(&again, id);
                assert_eq!(
                    text, printed,
                    "`{name}`: the decoded WIT, resolved again, prints otherwise"
                );
            }
        }
        Err(e) => panic!(
            "`{name}`: the decoded WIT does not resolve again:\n{}\n{text}",
            again.render_error(&e)
        ),
    }
    text
}

#[cfg(test)]
mod tests {
    #[test]
    fn smoke() {
        crate::smoke("component", 1500, 64, super::run);
    }
}
