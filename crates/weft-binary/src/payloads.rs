//! A binary's payloads, nested binaries' included, with function bodies skipped when nothing
//! will look at them.
//!
//! [`wasmparser::Parser::parse_all`] gives a code section one payload per function body; a
//! reader that validates structure only, or builds a model without bodies, then spends most of
//! its time on a large binary stepping through bodies it ignores (about 50,000 of them in an
//! 18 MB componentize-py component). [`payloads`] with [`Bodies::Skip`] gives the section's
//! [`Payload::CodeSectionStart`] and then checks its framing in one tight loop — every body's
//! size within wasmparser's limit, and the bodies filling the section exactly, which is what
//! the parser and the validator check of a body before its contents are validated — and goes
//! on after the section.
//!
//! Whatever the reader, [`payloads`] also checks what wasmparser 0.254 does not and every
//! reader needs (`prepass.rs`): a component type section nesting types too deep for its
//! recursive reader is an error before anything reads it, as is a binary with more than 1000
//! modules and components; and so is a nested module or component whose section runs past the
//! end of the file, which wasmparser's parser would end early without an error.

use wasmparser::{BinaryReader, Chunk, Parser, Payload};

use crate::{prepass, Error, Result};

/// Whether [`payloads`] gives a code section's bodies.
#[derive(Clone, Copy, PartialEq, Eq, Debug)]
pub enum Bodies {
    /// One [`Payload::CodeSectionEntry`] per body, as `parse_all` gives them.
    Each,
    /// None: the section's framing is checked, its bodies are skipped.
    Skip,
}

/// wasmparser's limit on the size of one function body (`MAX_WASM_FUNCTION_SIZE`, which it
/// does not export).
const MAX_FUNCTION_SIZE: u32 = 7_654_321;

/// The payloads of `bytes` and of the binaries nested in it, in order, as
/// [`Parser::parse_all`] gives them; with [`Bodies::Skip`], without the code sections' bodies
/// (see the module docs). The first error ends the sequence.
pub fn payloads(bytes: &[u8], bodies: Bodies) -> impl Iterator<Item = Result<Payload<'_>>> {
    let mut stack: Vec<Parser> = Vec::new();
    let mut parser = Parser::new(0);
    let mut data = bytes;
    let mut done = false;
    let mut binaries = 0;
    std::iter::from_fn(move || {
        if done {
            return None;
        }
        let payload = match parser.parse(data, true) {
            Ok(Chunk::Parsed { payload, consumed }) => {
                data = &data[consumed..];
                payload
            }
            // Not with `eof` set; an error all the same rather than a panic.
            Ok(Chunk::NeedMoreData(_)) => {
                done = true;
                return Some(Err(Error::at(bytes.len(), "unexpected end-of-file")));
            }
            Err(e) => {
                done = true;
                return Some(Err(Error::from(e)));
            }
        };
        match &payload {
            Payload::Version { range, .. } => {
                binaries += 1;
                if let Err(e) = prepass::binary_count(binaries, range.start) {
                    done = true;
                    return Some(Err(e));
                }
            }
            Payload::ModuleSection {
                parser: nested,
                unchecked_range,
            }
            | Payload::ComponentSection {
                parser: nested,
                unchecked_range,
            } => {
                // wasmparser 0.254 ends a nested binary at the end of the file without an
                // error when the file ends before the size its section header gives.
                if unchecked_range.end > bytes.len() {
                    done = true;
                    return Some(Err(truncated(&payload, unchecked_range, bytes.len())));
                }
                stack.push(std::mem::replace(&mut parser, nested.clone()));
            }
            Payload::ComponentTypeSection(s) => {
                let range = s.range();
                if let Err(e) = prepass::component_type_section(&bytes[range.clone()], range.start)
                {
                    done = true;
                    return Some(Err(e));
                }
            }
            Payload::End(_) => match stack.pop() {
                Some(outer) => parser = outer,
                None => done = true,
            },
            Payload::CodeSectionStart {
                count, range, size, ..
            } if bodies == Bodies::Skip => {
                let size = *size as usize;
                let Some(section) = data.get(..size) else {
                    // The parser has checked the section's size against the input.
                    done = true;
                    return Some(Err(Error::at(bytes.len(), "unexpected end-of-file")));
                };
                if let Err(e) = check_framing(section, range.end - size, *count) {
                    done = true;
                    return Some(Err(e));
                }
                parser.skip_section();
                data = &data[size..];
            }
            _ => {}
        }
        Some(Ok(payload))
    })
}

/// The error for a nested binary (`payload`, its section) that the file ends inside of.
#[cold]
fn truncated(payload: &Payload<'_>, range: &std::ops::Range<usize>, len: usize) -> Error {
    let what = match payload {
        Payload::ModuleSection { .. } => "core module",
        _ => "component",
    };
    Error::at(
        len,
        format!(
            "unexpected end-of-file: a nested {what} at {:#x} is {} bytes long, but the file ends after {}",
            range.start,
            range.len(),
            len - range.start
        ),
    )
    .with_help("the file is truncated; rebuild or download it again")
}

/// Checks that `section` (the bodies of a code section, at `offset`) holds `count` bodies of at
/// most [`MAX_FUNCTION_SIZE`] bytes each and nothing after them, with wasmparser's errors.
fn check_framing(section: &[u8], offset: usize, count: u32) -> Result<()> {
    let mut reader = BinaryReader::new(section, offset);
    for _ in 0..count {
        let at = reader.original_position();
        let size = reader.read_var_u32()?;
        if size > MAX_FUNCTION_SIZE {
            return Err(Error::at(
                at,
                format!("function body size count exceeds limit of {MAX_FUNCTION_SIZE}"),
            ));
        }
        reader.read_bytes(size as usize)?;
    }
    if !reader.eof() {
        return Err(Error::at(
            reader.original_position(),
            "trailing bytes at end of section",
        ));
    }
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;

    /// Every payload but the bodies, as (kind, offset) pairs.
    fn shape(bytes: &[u8], bodies: Bodies) -> Result<Vec<String>> {
        payloads(bytes, bodies)
            .filter(|p| !matches!(p, Ok(Payload::CodeSectionEntry(_))))
            .map(|p| p.map(|p| format!("{:?}", p.as_section().map(|(id, r)| (id, r.start)))))
            .collect()
    }

    #[test]
    fn skipping_bodies_gives_the_other_payloads_of_nested_binaries() {
        let wasm = wat::parse_str(
            r#"(component
                (core module $a (func (result i32) i32.const 1) (func))
                (component (core module (memory 1) (func (export "f") nop)))
                (core module $b (func)))"#,
        )
        .unwrap();
        let each = shape(&wasm, Bodies::Each).unwrap();
        assert_eq!(shape(&wasm, Bodies::Skip).unwrap(), each);
        let bodies = payloads(&wasm, Bodies::Each)
            .filter(|p| matches!(p, Ok(Payload::CodeSectionEntry(_))))
            .count();
        assert_eq!(bodies, 4);
        assert!(
            payloads(&wasm, Bodies::Skip).all(|p| !matches!(p, Ok(Payload::CodeSectionEntry(_))))
        );
    }

    /// A module with one function whose code section is `code` (its bytes after the id).
    fn with_code(code: &[u8]) -> Vec<u8> {
        let mut wasm = b"\0asm\x01\0\0\0".to_vec();
        wasm.extend([1, 4, 1, 0x60, 0, 0]); // type section: one `[] -> []`
        wasm.extend([3, 2, 1, 0]); // function section: one function of type 0
        wasm.push(10);
        wasm.push(code.len() as u8);
        wasm.extend(code);
        wasm
    }

    #[test]
    fn skipped_bodies_are_framed_as_the_parser_frames_them() {
        // Well framed: one body of 2 bytes (no locals, `end`).
        let good = with_code(&[1, 2, 0, 0x0b]);
        assert!(shape(&good, Bodies::Skip).is_ok());
        // A byte after the last body; a body longer than the section.
        for (code, message) in [
            (&[1, 2, 0, 0x0b, 0][..], "trailing bytes at end of section"),
            (&[1, 3, 0, 0x0b][..], "unexpected end"),
        ] {
            let wasm = with_code(code);
            let each = shape(&wasm, Bodies::Each).unwrap_err();
            let skip = shape(&wasm, Bodies::Skip).unwrap_err();
            assert!(each.message().contains(message), "{each:?}");
            assert!(skip.message().contains(message), "{skip:?}");
            assert_eq!(each.offset(), skip.offset(), "{code:?}");
        }
    }
}
