//! Name rules: doc-comment text, strongly-unique canonical names, and "did you mean" hints.

use super::HashMap;

use crate::{ast, Docs, Error, Result, Span};

/// Doc text of the comments before an item, as wit-parser computes it: markers removed,
/// trailing blanks trimmed, the common leading indentation removed, lines joined by `\n`.
pub(crate) fn docs(d: &ast::Docs<'_>) -> Docs {
    if d.comments.is_empty() {
        return Docs::default();
    }
    fn text(c: &str) -> &str {
        let text = match c.strip_prefix("/**") {
            Some(rest) => rest.strip_suffix("*/").unwrap_or(rest),
            None => c.trim_start_matches('/'),
        };
        text.trim_end()
    }
    let mut min_ws = usize::MAX;
    let mut len = 0;
    for c in &d.comments {
        let t = text(c);
        len += t.len() + 1;
        if !t.is_empty() {
            min_ws = min_ws.min(t.bytes().take_while(u8::is_ascii_whitespace).count());
        }
    }
    // The common indentation is removed once from the start of each comment (not from the
    // inner lines of a block comment), as wit-parser does: when it is spaces (a comment
    // indented with tabs keeps them).
    let min_ws = if min_ws == usize::MAX { 0 } else { min_ws };
    let mut out = String::with_capacity(len);
    for c in &d.comments {
        let comment = text(c);
        if comment.is_empty() {
            out.push('\n');
            continue;
        }
        // Every non-empty comment starts with at least `min_ws` ASCII whitespace bytes.
        let comment = match comment.as_bytes()[..min_ws].iter().all(|&b| b == b' ') {
            true => &comment[min_ws..],
            false => comment,
        };
        for l in comment.lines() {
            out.push_str(l);
            out.push('\n');
        }
    }
    while out.ends_with('\n') {
        out.pop();
    }
    Docs {
        contents: Some(out),
    }
}

/// The component model's strongly-unique canonical form of a name: lower case, hyphens
/// removed, `[method]l.l`/`[static]l.l` → `l`, and `[…]` annotations other than
/// `[constructor]` stripped.
pub(crate) fn canonical_name(name: &str) -> String {
    let mut rest = name;
    let mut keep_constructor = false;
    while let Some(r) = rest.strip_prefix('[') {
        let Some(end) = r.find(']') else { break };
        if r[..end].eq_ignore_ascii_case("constructor") {
            keep_constructor = true;
        }
        rest = &r[end + 1..];
    }
    let rest = match rest.split_once('.') {
        Some((a, b)) if a.eq_ignore_ascii_case(b) => a,
        _ => rest,
    };
    let mut out = String::with_capacity(rest.len() + 13);
    if keep_constructor {
        out.push_str("[constructor]");
    }
    out.extend(folded(rest));
    out
}

/// A name's characters with case folded and hyphens dropped (the comparison of
/// strongly-unique names).
pub(crate) fn folded(name: &str) -> impl Iterator<Item = char> + '_ {
    name.chars()
        .filter(|&c| c != '-')
        .map(|c| c.to_ascii_lowercase())
}

/// Whether a mangled function name is a setter (`[set]x`, `[method][set]r.x`, …).
pub(crate) fn is_setter(name: &str) -> bool {
    name.starts_with("[set]") || name.contains("][set]")
}

/// The getter a setter pairs with.
pub(crate) fn getter_of(setter: &str) -> String {
    setter.replacen("[set]", "[get]", 1)
}

/// One namespace of strongly-unique names (types and functions of an interface, …).
#[derive(Default)]
pub(crate) struct NameSet {
    seen: HashMap<String, (String, Span)>,
}

impl NameSet {
    /// Defines `name`; errors if it is not strongly unique among those defined so far.
    /// A setter shares its canonical name with its getter and does not clash with it.
    pub(crate) fn define(&mut self, name: &str, span: Span) -> Result<()> {
        let mut key = canonical_name(name);
        if is_setter(name) {
            key.push_str("\0set");
        }
        if let Some((prev, prev_span)) = self.seen.get(&key) {
            let err = if prev == name {
                Error::resolve(span, format!("duplicate name `{name}`"))
            } else {
                Error::resolve(span, format!("name `{name}` conflicts with previous name `{prev}`"))
                    .with_help("names must differ in more than case and hyphens (they must be strongly unique)")
            };
            return Err(err.with_label(*prev_span, "previous definition here"));
        }
        self.seen.insert(key, (name.to_string(), span));
        Ok(())
    }

    /// Errors if some setter has no getter.
    pub(crate) fn check_setters(&self) -> Result<()> {
        let mut setters: Vec<_> = self.seen.values().filter(|(n, _)| is_setter(n)).collect();
        setters.sort_by_key(|(_, s)| s.start);
        for (name, span) in setters {
            let getter = getter_of(name);
            if !self.seen.values().any(|(n, _)| *n == getter) {
                return Err(Error::resolve(
                    *span,
                    format!("setter `{name}` has no corresponding getter `{getter}`"),
                )
                .with_help("declare the getter (`name: get() -> T;`) alongside the setter"));
            }
        }
        Ok(())
    }
}

/// Checks that names of one kind (fields, cases, flags) are strongly unique.
pub(crate) fn check_unique<'a>(
    kind: &str,
    names: impl Iterator<Item = ast::Ident<'a>>,
) -> Result<()> {
    // Fields and cases are usually few: then comparing pairs beats building a map of folded
    // keys; long lists use the map.
    let names: Vec<ast::Ident<'a>> = names.collect();
    let mut seen: HashMap<String, usize> = HashMap::default();
    for (i, n) in names.iter().enumerate() {
        let prev = if names.len() <= 32 {
            names[..i]
                .iter()
                .find(|p| folded(p.name).eq(folded(n.name)))
        } else {
            let j = *seen.entry(folded(n.name).collect()).or_insert(i);
            (j != i).then(|| &names[j])
        };
        let Some(prev) = prev else {
            continue;
        };
        let err = if prev.name == n.name {
            Error::resolve(n.span, format!("duplicate {kind} `{}`", n.name))
        } else {
            Error::resolve(
                n.span,
                format!(
                    "{kind} `{}` conflicts with previous {kind} `{}`",
                    n.name, prev.name
                ),
            )
        };
        return Err(err.with_label(prev.span, "previous definition here"));
    }
    Ok(())
}

/// The closest candidate to `name` by edit distance, if one is close enough to be a typo.
pub(crate) fn suggest<'c>(
    name: &str,
    candidates: impl Iterator<Item = &'c str>,
) -> Option<&'c str> {
    let limit = (name.len() / 3).max(1);
    candidates
        .map(|c| (edit_distance(name, c), c))
        .filter(|&(d, c)| d <= limit && c != name)
        // Ties go to the alphabetically first name, so hints do not depend on map order.
        .min_by(|a, b| a.0.cmp(&b.0).then(a.1.cmp(b.1)))
        .map(|(_, c)| c)
}

/// Optimal-string-alignment distance: insertions, deletions, substitutions and adjacent
/// transpositions each cost one (so `u23` is one edit from `u32`).
fn edit_distance(a: &str, b: &str) -> usize {
    let a: Vec<char> = a.chars().collect();
    let b: Vec<char> = b.chars().collect();
    let mut d = vec![vec![0usize; b.len() + 1]; a.len() + 1];
    for (i, row) in d.iter_mut().enumerate() {
        row[0] = i;
    }
    for (j, cell) in d[0].iter_mut().enumerate() {
        *cell = j;
    }
    for i in 1..=a.len() {
        for j in 1..=b.len() {
            let cost = usize::from(a[i - 1] != b[j - 1]);
            let mut v = (d[i - 1][j] + 1)
                .min(d[i][j - 1] + 1)
                .min(d[i - 1][j - 1] + cost);
            if i > 1 && j > 1 && a[i - 1] == b[j - 2] && a[i - 2] == b[j - 1] {
                v = v.min(d[i - 2][j - 2] + 1);
            }
            d[i][j] = v;
        }
    }
    d[a.len()][b.len()]
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn canonical_names() {
        assert_eq!(canonical_name("Foo-Bar"), "foobar");
        assert_eq!(canonical_name("[method]foo.foo"), "foo");
        assert_eq!(canonical_name("[static]a.b"), "a.b");
        assert_eq!(canonical_name("[method][get]blob.max-size"), "blob.maxsize");
        assert_eq!(canonical_name("[constructor]R"), "[constructor]r");
        assert_eq!(canonical_name("[get]prop"), "prop");
    }

    #[test]
    fn suggestions() {
        assert_eq!(suggest("u23", ["u32", "string"].into_iter()), Some("u32"));
        assert_eq!(
            suggest("strnig", ["u32", "string"].into_iter()),
            Some("string")
        );
        assert_eq!(suggest("zzzz", ["u32", "string"].into_iter()), None);
    }
}
