//! Formatting is idempotent, keeps every comment, and does not change what the text means.
//!
//! The input is a random valid package rendered with comments of every kind (`//`, `/* */`,
//! `///`, `/** */`) and odd whitespace sprinkled between tokens. `format_source` must accept
//! it; formatting its output again must change nothing; every comment must appear as many
//! times as in the input; and the formatted text must resolve to the same JSON and the same
//! printed package as the input.

use arbitrary::{Result, Unstructured};
use weft_wit::format::format_source;
use weft_wit::print::{print_package, PrintOptions};

use crate::generate::{self, Rendered};
use crate::{dump, first_difference, resolve_all};

/// One fuzz iteration.
pub fn run(u: &mut Unstructured<'_>) -> Result<()> {
    let dep = if u.ratio(1, 4)? {
        Some(generate::package(u, "dep:pkg", None)?)
    } else {
        None
    };
    let pkg = generate::package(u, "fuzz:fmt", dep.as_ref())?;
    let dep_text = match &dep {
        Some(d) => Some(generate::render(d, None)?.text),
        None => None,
    };
    let rendered = generate::render(&pkg, Some(u))?;
    check(&rendered, dep_text.as_deref());
    Ok(())
}

/// Checks formatting of `input`; `dep` is the text of a package it may use.
pub fn check(input: &Rendered, dep: Option<&str>) {
    let text = &input.text;
    let once = match format_source("fuzz.wit", text) {
        Ok(s) => s,
        Err(e) => panic!("format_source rejects valid WIT: {e}\n=== input ===\n{text}"),
    };
    let twice = match format_source("fuzz.wit", &once) {
        Ok(s) => s,
        Err(e) => panic!("format_source rejects its own output: {e}\n=== input ===\n{text}\n=== formatted ===\n{once}"),
    };
    if once != twice {
        panic!(
            "formatting is not idempotent: {}\n=== input ===\n{text}\n=== formatted once ===\n{once}\n=== formatted twice ===\n{twice}",
            first_difference(&once, &twice)
        );
    }
    let mut seen = std::collections::HashSet::new();
    for comment in &input.comments {
        if !seen.insert(comment) {
            continue;
        }
        let (before, after) = (
            text.matches(comment.as_str()).count(),
            once.matches(comment.as_str()).count(),
        );
        if before != after {
            panic!(
                "formatting changed how often `{comment}` appears ({before} → {after})\n=== input ===\n{text}\n=== formatted ===\n{once}"
            );
        }
    }

    // Same meaning: resolve both (after the dependency) and compare.
    let mut files: Vec<(&str, String)> = dep.iter().map(|d| ("dep.wit", d.to_string())).collect();
    files.push(("fuzz.wit", text.clone()));
    let (before, ids) = resolve_all(&files, "generated WIT");
    files.last_mut().unwrap().1 = once.clone();
    let (after, ids2) = resolve_all(&files, "formatted WIT");
    let options = PrintOptions::default();
    let (p1, p2) = (
        print_package(&before, *ids.last().unwrap(), &options),
        print_package(&after, *ids2.last().unwrap(), &options),
    );
    if p1 != p2 {
        panic!(
            "formatting changed the package: {}\n=== input ===\n{text}\n=== formatted ===\n{once}",
            first_difference(&p1, &p2)
        );
    }
    let (a, b) = (
        weft_wit::json::to_json(&before),
        weft_wit::json::to_json(&after),
    );
    if a != b {
        let (a, b) = (format!("{a:#}"), format!("{b:#}"));
        panic!(
            "formatting changed the JSON: {}\n{}",
            first_difference(&a, &b),
            dump(&files)
        );
    }
}

#[cfg(test)]
mod tests {
    #[test]
    fn smoke() {
        crate::smoke("format", 200, 4096, super::run);
    }
}
