//! Printing a resolved package and resolving the print is a fixed point.
//!
//! A random valid package (and sometimes a dependency package it uses) is resolved; this must
//! succeed. Each package is printed, the prints are resolved into a fresh `Resolve`, and
//! printed again: the second print must equal the first, and the JSON of the two resolves must
//! be equal.

use crate::{dump, first_difference, generate, resolve_all};
use arbitrary::{Result, Unstructured};
use weft_wit::print::{print_package, PrintOptions};

/// One fuzz iteration.
pub fn run(u: &mut Unstructured<'_>) -> Result<()> {
    let dep = if u.ratio(1, 3)? {
        Some(generate::package(u, "dep:pkg", None)?)
    } else {
        None
    };
    let main = generate::package(u, "fuzz:main", dep.as_ref())?;
    let mut files = Vec::new();
    if let Some(dep) = &dep {
        files.push(("dep.wit", generate::render(dep, None)?.text));
    }
    files.push(("main.wit", generate::render(&main, None)?.text));
    check(&files);
    Ok(())
}

/// Checks the round trip for `files`, each a package that may use the ones before it.
pub fn check(files: &[(&str, String)]) {
    let (first, ids) = resolve_all(files, "generated WIT");
    let printed: Vec<(&str, String)> = files
        .iter()
        .zip(&ids)
        .map(|((path, _), &id)| (*path, print_package(&first, id, &PrintOptions::default())))
        .collect();
    let (second, ids2) = resolve_all(&printed, "printed WIT");
    for ((path, text), &id) in printed.iter().zip(&ids2) {
        let again = print_package(&second, id, &PrintOptions::default());
        if *text != again {
            panic!(
                "printing `{path}` is not a fixed point: {}\n{}\n=== first print ===\n{text}\n=== second print ===\n{again}",
                first_difference(text, &again),
                dump(files)
            );
        }
    }
    let (a, b) = (
        weft_wit::json::to_json(&first),
        weft_wit::json::to_json(&second),
    );
    if a != b {
        let (a, b) = (format!("{a:#}"), format!("{b:#}"));
        panic!(
            "the JSON of the generated and the printed WIT differ: {}\n{}\n=== printed ===\n{}",
            first_difference(&a, &b),
            dump(files),
            dump(&printed)
        );
    }
}

#[cfg(test)]
mod tests {
    #[test]
    fn smoke() {
        crate::smoke("roundtrip", 200, 4096, super::run);
    }
}
