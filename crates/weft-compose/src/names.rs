//! Import and export names: `ns:pkg/iface@version`, and which versions satisfy which.

/// `name` split into the part before `@` and its version, if it has one that parses.
pub(crate) fn split(name: &str) -> (&str, Option<semver::Version>) {
    match name.rsplit_once('@') {
        Some((base, v)) if base.contains(':') => (base, semver::Version::parse(v).ok()),
        _ => (name, None),
    }
}

/// How an export's name relates to an import's.
#[derive(Debug, Clone, PartialEq, Eq)]
pub(crate) enum Match {
    /// The same name.
    Exact,
    /// The same interface at a semver-compatible version.
    Compatible,
    /// The same interface at an incompatible version (the reason).
    Incompatible(String),
    /// Unrelated names.
    None,
}

/// Whether an export named `export` satisfies an import named `import`.
///
/// Versions are compatible when they agree on the first non-zero component of
/// `major.minor.patch` and everything before it (`0.2.1` and `0.2.0`, `1.3.0` and `1.0.0`), and
/// neither is a pre-release; this is the rule wasmtime's linker uses.
pub(crate) fn matches(import: &str, export: &str) -> Match {
    if import == export {
        return Match::Exact;
    }
    let (ib, iv) = split(import);
    let (eb, ev) = split(export);
    if ib != eb {
        return Match::None;
    }
    match (iv, ev) {
        (Some(iv), Some(ev)) => {
            if compatible(&iv, &ev) {
                Match::Compatible
            } else {
                Match::Incompatible(format!(
                    "version `{ev}` is not semver-compatible with the imported `{iv}`"
                ))
            }
        }
        (Some(iv), None) => Match::Incompatible(format!(
            "the export has no version, the import wants `{iv}`"
        )),
        (None, Some(ev)) => Match::Incompatible(format!(
            "the export has version `{ev}`, the import has none"
        )),
        (None, None) => Match::None,
    }
}

fn compatible(a: &semver::Version, b: &semver::Version) -> bool {
    if !a.pre.is_empty() || !b.pre.is_empty() {
        return a == b;
    }
    if a.major != b.major {
        return false;
    }
    if a.major != 0 {
        return true;
    }
    if a.minor != b.minor {
        return false;
    }
    a.minor != 0 || a.patch == b.patch
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn versions() {
        assert_eq!(matches("a:b/c@0.2.0", "a:b/c@0.2.1"), Match::Compatible);
        assert_eq!(matches("a:b/c@0.2.0", "a:b/c@0.2.0"), Match::Exact);
        assert!(matches!(
            matches("a:b/c@0.1.0", "a:b/c@0.2.0"),
            Match::Incompatible(_)
        ));
        assert!(matches!(
            matches("a:b/c@0.0.1", "a:b/c@0.0.2"),
            Match::Incompatible(_)
        ));
        assert_eq!(matches("a:b/c@1.0.0", "a:b/c@1.4.2"), Match::Compatible);
        assert_eq!(matches("a:b/c", "a:b/d"), Match::None);
        assert_eq!(matches("f", "g"), Match::None);
    }
}
