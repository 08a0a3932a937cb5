//! The parser and resolver never panic, on any text, and every error they return renders.
//!
//! Inputs are raw text, mutated WIT snippets, and mutated generated packages. A mutation works
//! on tokens: it deletes, duplicates, swaps or replaces them, or splices in tokens from
//! [`TOKENS`] (WIT keywords, punctuation and other troublemakers). Each input is parsed on its
//! own (`ast::parse_file`, at a non-zero offset), then resolved twice: alone, and after a small
//! dependency package that it may refer to.

use arbitrary::{Result, Unstructured};
use weft_wit::{Resolve, SourceMap};

use crate::generate;

/// Tokens spliced into inputs.
#[rustfmt::skip]
pub const TOKENS: &[&str] = &[
    "package", "interface", "world", "use", "type", "func", "async", "static", "constructor",
    "resource", "record", "variant", "enum", "flags", "import", "export", "include", "with", "as",
    "from", "list", "option", "result", "tuple", "map", "future", "stream", "own", "borrow",
    "error-context", "bool", "u8", "u16", "u32", "u64", "s8", "s16", "s32", "s64", "f32", "f64",
    "char", "string", "_", "{", "}", "(", ")", "<", ">", ",", ";", ":", "=", ".", "/", "@", "->",
    "*", "%", "-", "%type", "a", "b", "x-y", "dep:pkg", "dep:pkg/i", "dep:pkg/i@1.0.0", "i.{t}",
    "@since(version = 1.0.0)", "@deprecated(version = 2.0.0)", "@unstable(feature = f)", "@since",
    "version", "feature", "1.0.0", "0", "4294967295", "4294967296", "1.0.0-rc.1+b", "//", "///",
    "/*", "*/", "/**", "/* unterminated", "\"", "'", "\\", "\n", "\r\n", "\t", " ", "é", "\u{200b}",
    "\u{feff}", "\u{0}", "😀", "r#", "%%", "--", "a-", "-a", "A-b", "1a",
];

/// Small WIT files whose mutations explore the grammar.
pub const SEEDS: &[&str] = &[
    "package a:b;\ninterface i { type t = u32; f: func(x: t) -> list<t>; }\n",
    "package a:b@1.0.0;\nworld w { import i; export j; import f: func(); }\ninterface i {}\ninterface j { use i.{}; }\n",
    "package a:b;\ninterface i {\n  resource r {\n    constructor(x: u32);\n    m: func(y: borrow<r>) -> own<r>;\n    s: static async func() -> r;\n  }\n}\n",
    "package a:b;\ninterface i {\n  record r { a: u8, b: option<string>, }\n  variant v { x, y(r) }\n  enum e { p, q }\n  flags f { m, n }\n  type l = list<u8, 4>;\n  type m = map<string, tuple<u8, s64>>;\n}\n",
    "package a:b;\ninterface i { use dep:pkg/i@1.0.0.{t, r as rr}; g: func(x: t) -> result<rr, string>; }\n",
    "package a:b@0.2.0;\n@since(version = 0.1.0)\ninterface i {\n  @unstable(feature = x)\n  f: func();\n  @since(version = 0.2.0)\n  @deprecated(version = 0.2.0)\n  g: func() -> future<stream<u8>>;\n}\n",
    "package a:b;\nworld w1 { import x: interface { f: func(); } }\nworld w2 { include w1 with { x as y }; export z: func() -> result; }\n",
    "package a:b { interface i { type t = u8; } }\npackage c:d { interface j { use a:b/i.{t}; } }\n",
    "/// docs\npackage a:b;\n/** block /* nested */ */\ninterface %interface { %type: func(%list: list<%list>); type %list = u8; }\n",
    "package a:b;\ninterface i { type a = b; type b = a; }\n",
    "package a:b;\nworld w { use dep:pkg/i@1.0.0.{r}; export f: func(x: borrow<r>); import dep:pkg/i@1.0.0; }\n",
];

/// A package that resolved inputs may depend on.
const DEP: &str = "package dep:pkg@1.0.0;\n\ninterface i {\n  type t = u32;\n  resource r {\n    m: func();\n  }\n}\n\nworld w {\n  import i;\n}\n";

/// One fuzz iteration.
pub fn run(u: &mut Unstructured<'_>) -> Result<()> {
    let text = match u.int_in_range(0..=3)? {
        0 => String::from_utf8_lossy(u.bytes(u.len().min(2048))?).into_owned(),
        1 => {
            let seed = *u.choose(SEEDS)?;
            mutate(u, seed)?
        }
        2 => {
            let pkg = generate::package(u, "fuzz:pkg", None)?;
            let text = generate::render(&pkg, None)?.text;
            mutate(u, &text)?
        }
        _ => {
            // Random tokens only.
            let mut text = String::new();
            for _ in 0..u.int_in_range(0..=64)? {
                text.push_str(u.choose(TOKENS)?);
                if u.arbitrary()? {
                    text.push(' ');
                }
            }
            text
        }
    };
    check(&text);
    Ok(())
}

/// Parses and resolves `text` in every way the target does; panics only if weft does.
pub fn check(text: &str) {
    // Parse at a non-zero offset, as the second file of a source map.
    let mut map = SourceMap::default();
    map.push("first.wit", "package x:y;\n");
    let offset = map.push("input.wit", text);
    if let Err(e) = weft_wit::ast::parse_file(text, offset) {
        let _ = e.render(&map);
        let _ = e.to_string();
    }

    let mut resolve = Resolve::new();
    if let Err(e) = resolve.push_str("input.wit", text) {
        let _ = resolve.render_error(&e);
    }

    let mut resolve = Resolve::new();
    resolve
        .push_str("dep.wit", DEP)
        .expect("the dependency package resolves");
    if let Err(e) = resolve.push_str("input.wit", text) {
        let _ = resolve.render_error(&e);
    }
}

/// Applies up to eight token-level mutations to `text`.
pub fn mutate(u: &mut Unstructured<'_>, text: &str) -> Result<String> {
    let mut tokens = split(text);
    for _ in 0..u.int_in_range(1..=8)? {
        let len = tokens.len();
        match u.int_in_range(0..=5)? {
            0 if len > 0 => {
                let i = u.choose_index(len)?;
                tokens.remove(i);
            }
            1 if len > 0 => {
                let i = u.choose_index(len)?;
                let t = tokens[i].clone();
                tokens.insert(i, t);
            }
            2 if len > 1 => {
                let i = u.choose_index(len)?;
                let j = u.choose_index(len)?;
                tokens.swap(i, j);
            }
            3 if len > 0 => {
                let i = u.choose_index(len)?;
                tokens[i] = u.choose(TOKENS)?.to_string();
            }
            4 if len > 0 => {
                // Cut a range.
                let i = u.choose_index(len)?;
                let n = u.int_in_range(1..=8)?.min(len - i);
                tokens.drain(i..i + n);
            }
            _ => {
                let i = u.int_in_range(0..=len)?;
                tokens.insert(i, u.choose(TOKENS)?.to_string());
            }
        }
    }
    Ok(tokens.concat())
}

/// Splits text into words, single punctuation characters and whitespace runs, so that
/// concatenating the pieces gives the text back.
fn split(text: &str) -> Vec<String> {
    let mut tokens = Vec::new();
    let mut current = String::new();
    let mut kind = 0u8;
    for c in text.chars() {
        let k = if c.is_alphanumeric() || c == '-' || c == '%' || c == '_' {
            1
        } else if c.is_whitespace() {
            2
        } else {
            3
        };
        if k != kind || k == 3 {
            if !current.is_empty() {
                tokens.push(std::mem::take(&mut current));
            }
            kind = k;
        }
        current.push(c);
    }
    if !current.is_empty() {
        tokens.push(current);
    }
    tokens
}

#[cfg(test)]
mod tests {
    #[test]
    fn split_round_trips() {
        let text = "package a:b;\ninterface %i { f: func(x: list<u8>) -> é; }";
        assert_eq!(super::split(text).concat(), text);
    }

    #[test]
    fn seeds() {
        for seed in super::SEEDS {
            super::check(seed);
        }
    }

    #[test]
    fn smoke() {
        crate::smoke("parse", 300, 2048, super::run);
    }
}
