//! Formatter tests: exact output for small inputs, and idempotence, comment preservation
//! and an unchanged syntax tree over every WIT file of the corpora.

use std::path::{Path, PathBuf};

use super::*;

#[track_caller]
fn check(input: &str, expected: &str) {
    let out = match format_source("test.wit", input) {
        Ok(out) => out,
        Err(e) => panic!("{e}"),
    };
    assert_eq!(out, expected, "\n--- got:\n{out}");
    let again = format_source("test.wit", &out).unwrap();
    assert_eq!(again, out, "formatting is not idempotent");
}

#[test]
fn lays_out_items() {
    check(
        "package  a:b@1.0.0 ;\ninterface i{record r{a:u32,b:list<tuple<u8,%string>>}\n\
         type t=result<_,string>; f:async func(%x:r)->option<t>;\n\
         resource res{constructor(); m:static func(); g: get()->u32;}\nuse j.{a as %b,c};}\n\
         world w{import i;export e:func();import x:interface{}include v with{a as b}\n\
         import %y: wasi:io/streams@0.2.0;}",
        "\
package a:b@1.0.0;

interface i {
  record r {
    a: u32,
    b: list<tuple<u8, %string>>,
  }

  type t = result<_, string>;

  f: async func(x: r) -> option<t>;

  resource res {
    constructor();
    m: static func();
    g: get() -> u32;
  }

  use j.{a as b, c};
}

world w {
  import i;

  export e: func();

  import x: interface {}

  include v with { a as b }

  import y: wasi:io/streams@0.2.0;
}
",
    );
}

#[test]
fn keeps_keyword_escapes_and_gates() {
    check(
        "package a:b@2.0.0;\n@since(version = 1.0.0) @deprecated(version = 2.0.0)\ninterface %interface {\n\
         @unstable(feature = x) %type: func(%list: u32);\nflags f {%enum, b}\nenum e {a,}\n\
         variant v {a(u32), %b}\nresource r;\nresource s {}\n}\n",
        "\
package a:b@2.0.0;

@since(version = 1.0.0)
@deprecated(version = 2.0.0)
interface %interface {
  @unstable(feature = x)
  %type: func(%list: u32);

  flags f {
    %enum,
    b,
  }

  enum e {
    a,
  }

  variant v {
    a(u32),
    b,
  }

  resource r;

  resource s {}
}
",
    );
}

#[test]
fn keeps_docs_and_comments_before_items() {
    check(
        "// header\n/// the package\npackage a:b;\n\n  /// an interface\n\
         /* block */ interface i {\n    // before f\n    f: func();   // after f\n\
         record r {\n  /// field\n      a: u32, // trailing\n    }\n\t// last\n}\n// the end\n",
        "\
// header
/// the package
package a:b;

/// an interface
/* block */
interface i {
  // before f
  f: func();

  // after f
  record r {
    /// field
    a: u32,
    // trailing
  }
  // last
}

// the end
",
    );
}

#[test]
fn reindents_block_comments() {
    check(
        "package a:b;\n      /**\n       * Docs.\n       *   - indented\n       */\ninterface i {}\n",
        "package a:b;\n\n/**\n * Docs.\n *   - indented\n */\ninterface i {}\n",
    );
    check(
        "package a:b;\ninterface i {\n/* one\ntwo\n   three */\nf: func();\n}\n",
        "package a:b;\n\ninterface i {\n  /* one\n  two\n     three */\n  f: func();\n}\n",
    );
}

#[test]
fn keeps_comments_inside_items_where_the_parser_ignores_them() {
    check(
        "package a:b /* p */;\ninterface i /* h */ {\n  f: func(a: u32, // a\n  b: u32) /* r */ -> u32;\n\
         record r { a: /* t */ u32 /* c */, b: u32 }\n  use j.{/* x */ a};\n}\n\
         world w { include v with { /* n */ a as b } import x: /* i */ interface { } }\n",
        "\
package a:b
  /* p */
  ;

interface i
  /* h */
{
  f: func(a: u32, b: u32) -> u32
    // a
    /* r */
    ;

  record r {
    a: u32
      /* t */
      /* c */
      ,
    b: u32,
  }

  use j.{a}
    /* x */
    ;
}

world w {
  include v with {
    /* n */
    a as b
  }

  import x: interface
    /* i */
  {}
}
",
    );
}

#[test]
fn keeps_the_order_of_nested_packages() {
    check(
        "package a:b;\ninterface x {}\npackage c:d { interface y {} }\nworld z {}\n",
        "package a:b;\n\ninterface x {}\n\npackage c:d {\n  interface y {}\n}\n\nworld z {}\n",
    );
    check(
        "package c:d { // inside\n}\nuse c:d/y as z;\nuse c:d/y as q;\n",
        "package c:d {\n  // inside\n}\n\nuse c:d/y as z;\nuse c:d/y as q;\n",
    );
}

#[test]
fn empty_and_comment_only_files() {
    check("", "");
    check("  \n\n", "");
    check("// just a comment\n", "// just a comment\n");
    check("package a:b;", "package a:b;\n");
}

#[test]
fn line_endings_and_byte_order_mark() {
    check(
        "\u{feff}package a:b;\r\n/* one\r\n   two */\r\ninterface i { // x \r\n}\r\n",
        "package a:b;\n\n/* one\n   two */\ninterface i {\n  // x\n}\n",
    );
}

#[test]
fn returns_parse_errors() {
    let err = format_source("bad.wit", "package a:b;\ninterface i { f: func( }").unwrap_err();
    let mut map = crate::SourceMap::default();
    map.push("bad.wit", "package a:b;\ninterface i { f: func( }");
    let rendered = err.render(&map);
    assert!(rendered.contains("bad.wit:2:"), "{rendered}");
}

// ---- over real WIT --------------------------------------------------------------------

/// The AST without spans, and with all whitespace (including in comments) collapsed.
fn ast_shape(text: &str) -> String {
    let file = ast::parse_file(text, 0).unwrap();
    let dump = format!("{file:?}");
    // Drop `Span { start: N, end: N }`.
    let mut out = String::new();
    let mut rest = dump.as_str();
    while let Some(i) = rest.find("Span { start: ") {
        out.push_str(&rest[..i]);
        rest = &rest[i..];
        rest = rest.find(" }").map_or("", |j| &rest[j + 2..]);
    }
    out.push_str(rest);
    // Collapse whitespace, counting the escapes `\n`, `\r`, `\t` of `Debug` strings.
    let mut norm = String::new();
    let mut chars = out.chars().peekable();
    let mut space = false;
    while let Some(c) = chars.next() {
        let ws = match c {
            ' ' => true,
            '\\' => match chars.peek() {
                Some('n' | 'r' | 't') => {
                    chars.next();
                    true
                }
                Some(&next) => {
                    chars.next();
                    if space {
                        norm.push(' ');
                        space = false;
                    }
                    norm.push('\\');
                    norm.push(next);
                    continue;
                }
                None => false,
            },
            _ => false,
        };
        if ws {
            space = true;
            continue;
        }
        // Trailing whitespace of a comment is not kept.
        if space && c != '"' {
            norm.push(' ');
        }
        space = false;
        norm.push(c);
    }
    norm
}

fn comments(text: &str) -> Vec<String> {
    sorted_comments(text).expect("the test text lexes")
}

/// Formats a file and checks every property; `Ok(false)` when it does not parse.
fn check_file(path: &Path) -> std::result::Result<bool, String> {
    let Ok(text) = std::fs::read_to_string(path) else {
        return Ok(false);
    };
    if ast::parse_file(&text, 0).is_err() {
        return Ok(false);
    }
    let shown = path.display();
    let out = format_source(&shown.to_string(), &text).map_err(|e| format!("{shown}: {e}"))?;
    let again =
        format_source("formatted.wit", &out).map_err(|e| format!("{shown} (formatted): {e}"))?;
    if again != out {
        return Err(format!(
            "{shown}: formatting twice changes the text:\n{}",
            weft_test_util::diff(&out, &again)
        ));
    }
    if comments(&text) != comments(&out) {
        return Err(format!("{shown}: comments differ after formatting:\n{out}"));
    }
    let (a, b) = (ast_shape(&text), ast_shape(&out));
    if a != b {
        let at = a.bytes().zip(b.bytes()).take_while(|(x, y)| x == y).count();
        let context = |s: &str| s[at.saturating_sub(200)..(at + 200).min(s.len())].to_string();
        return Err(format!(
            "{shown}: the formatted file parses differently:\n- {}\n+ {}",
            context(&a),
            context(&b)
        ));
    }
    Ok(true)
}

fn wit_files(dir: &Path, out: &mut Vec<PathBuf>) {
    let Ok(entries) = std::fs::read_dir(dir) else {
        return;
    };
    for entry in entries.flatten() {
        let path = entry.path();
        if path.is_dir() {
            wit_files(&path, out);
        } else if path.extension().is_some_and(|e| e == "wit") {
            out.push(path);
        }
    }
}

#[test]
fn formats_every_corpus_file() {
    let mut dirs = Vec::new();
    for krate in ["wit-parser", "wit-component"] {
        match weft_test_util::corpus_dir(krate) {
            Ok(dir) => dirs.push(dir.join("tests")),
            Err(e) => println!("skipped: the {krate} corpus is not available: {e}"),
        }
    }
    dirs.push(weft_test_util::shared_spec("wasi-0.2"));
    dirs.push(weft_test_util::shared_spec("wasi-0.3.0"));
    dirs.push(
        Path::new(env!("CARGO_MANIFEST_DIR"))
            .join("tests")
            .join("wit"),
    );
    let mut files = Vec::new();
    for dir in &dirs {
        wit_files(dir, &mut files);
    }
    files.sort();
    let (mut formatted, mut unparsable, mut failures) = (0, 0, Vec::new());
    for file in &files {
        match check_file(file) {
            Ok(true) => formatted += 1,
            Ok(false) => unparsable += 1,
            Err(e) => failures.push(e),
        }
    }
    println!(
        "fmt: {formatted} files formatted, {} failed, {unparsable} skipped (do not parse)",
        failures.len()
    );
    assert!(failures.is_empty(), "{}", failures.join("\n\n"));
}
