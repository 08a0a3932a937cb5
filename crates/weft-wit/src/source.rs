//! Source files, byte spans across all of them, and rustc-style rendering of a span.

use std::fmt::Write as _;
use std::sync::{Arc, OnceLock};

/// A byte range into the concatenation of every file in a [`SourceMap`].
///
/// `Span::UNKNOWN` marks items that have no source (for example ones built by code).
#[derive(Copy, Clone, Debug, PartialEq, Eq, Hash, Default)]
pub struct Span {
    /// Inclusive global start offset.
    pub start: u32,
    /// Exclusive global end offset.
    pub end: u32,
}

impl Span {
    /// A span that points nowhere.
    pub const UNKNOWN: Span = Span {
        start: u32::MAX,
        end: u32::MAX,
    };

    /// A span from `start` to `end` (global offsets).
    pub fn new(start: u32, end: u32) -> Span {
        Span { start, end }
    }

    /// Whether this span points into a source.
    pub fn is_known(self) -> bool {
        self.start != u32::MAX
    }

    /// The smallest span covering both.
    pub fn to(self, other: Span) -> Span {
        Span {
            start: self.start.min(other.start),
            end: self.end.max(other.end),
        }
    }
}

/// One source file: its display path, its text and where it starts in the global offset space.
#[derive(Clone, Debug)]
pub struct Source {
    /// Path as shown in diagnostics.
    pub path: String,
    /// The full text (shared with the parser, which borrows from it while resolving).
    pub text: Arc<String>,
    /// Global offset of the first byte.
    pub offset: u32,
    /// Byte offsets (relative) at which each line starts; computed when first needed (only
    /// errors need it).
    line_starts: OnceLock<Vec<u32>>,
}

impl Source {
    fn line_starts(&self) -> &[u32] {
        self.line_starts.get_or_init(|| {
            let mut starts = vec![0];
            starts.extend(self.text.match_indices('\n').map(|(i, _)| i as u32 + 1));
            starts
        })
    }

    /// Line and column (both 1-based, column counted in characters) of a relative offset.
    pub fn line_col(&self, rel: u32) -> (usize, usize) {
        let line = match self.line_starts().binary_search(&rel) {
            Ok(i) => i,
            Err(i) => i - 1,
        };
        let start = self.line_starts()[line] as usize;
        let rel = (rel as usize).min(self.text.len());
        let col = self
            .text
            .get(start..rel)
            .map_or(rel - start, |s| s.chars().count());
        (line + 1, col + 1)
    }

    /// The text of 1-based line `line`, without its line ending.
    pub fn line_text(&self, line: usize) -> &str {
        let start = self.line_starts()[line - 1] as usize;
        let end = self
            .line_starts()
            .get(line)
            .map_or(self.text.len(), |&e| e as usize);
        self.text[start..end].trim_end_matches(['\n', '\r'])
    }
}

/// Every source file read so far, laid end to end in one offset space.
#[derive(Clone, Debug, Default)]
pub struct SourceMap {
    sources: Vec<Source>,
    next_offset: u32,
}

/// A secondary label in a rendered diagnostic.
#[derive(Clone, Debug)]
pub struct Label {
    /// Where.
    pub span: Span,
    /// What it is, e.g. "previous definition here".
    pub message: String,
}

impl SourceMap {
    /// Adds a file and returns the global offset of its first byte.
    pub fn push(&mut self, path: impl Into<String>, text: impl Into<String>) -> u32 {
        self.push_shared(path, Arc::new(text.into()))
    }

    /// [`SourceMap::push`] for a text that is also borrowed elsewhere (the parser's trees).
    pub fn push_shared(&mut self, path: impl Into<String>, text: Arc<String>) -> u32 {
        let offset = self.next_offset;
        // Leave a one-byte gap so an end-of-file span never touches the next file.
        self.next_offset = offset.saturating_add(text.len() as u32).saturating_add(1);
        self.sources.push(Source {
            path: path.into(),
            text,
            offset,
            line_starts: OnceLock::new(),
        });
        offset
    }

    /// All sources, in the order they were added.
    pub fn sources(&self) -> &[Source] {
        &self.sources
    }

    /// The source a global offset falls in.
    pub fn source_at(&self, offset: u32) -> Option<&Source> {
        if offset == u32::MAX {
            return None;
        }
        let i = match self.sources.binary_search_by_key(&offset, |s| s.offset) {
            Ok(i) => i,
            Err(0) => return None,
            Err(i) => i - 1,
        };
        self.sources.get(i)
    }

    /// `path:line:col` of the start of `span`, or `<unknown>`.
    pub fn location(&self, span: Span) -> String {
        match self.source_at(span.start) {
            Some(src) => {
                let (line, col) = src.line_col(span.start - src.offset);
                format!("{}:{line}:{col}", src.path)
            }
            None => "<unknown>".to_string(),
        }
    }

    /// 1-based line of the start of `span`, if known.
    pub fn line_of(&self, span: Span) -> Option<(&str, usize)> {
        let src = self.source_at(span.start)?;
        Some((&src.path, src.line_col(span.start - src.offset).0))
    }

    /// Renders `message` rustc-style: the message, `--> path:line:col`, the source line with a
    /// caret under `span`, then each label the same way, then an optional `help:` line.
    pub fn render(
        &self,
        message: &str,
        span: Span,
        labels: &[Label],
        help: Option<&str>,
    ) -> String {
        let mut out = message.to_string();
        self.snippet(&mut out, span, None);
        for label in labels {
            self.snippet(&mut out, label.span, Some(&label.message));
        }
        if let Some(help) = help {
            let _ = write!(out, "\n      = help: {help}");
        }
        out
    }

    fn snippet(&self, out: &mut String, span: Span, label: Option<&str>) {
        let Some(src) = self.source_at(span.start) else {
            return;
        };
        let rel_start = span.start - src.offset;
        let (line, col) = src.line_col(rel_start);
        let text = src.line_text(line);
        let _ = write!(out, "\n     --> {}:{line}:{col}", src.path);
        if text.len() > 500 {
            if let Some(label) = label {
                let _ = write!(out, "\n      = note: {label}");
            }
            return;
        }
        // Underline to the end of the span, clipped to this line; at least one caret.
        let line_start_rel = (rel_start as usize) - text_prefix_len(text, col);
        let rel_end =
            (span.end.saturating_sub(src.offset) as usize).min(line_start_rel + text.len());
        let width = src
            .text
            .get(rel_start as usize..rel_end.max(rel_start as usize))
            .map_or(1, |s| s.chars().count())
            .max(1);
        let _ = write!(out, "\n      |\n {line:4} | {text}\n      | {:>col$}", "^");
        for _ in 1..width {
            out.push('^');
        }
        if let Some(label) = label {
            let _ = write!(out, " {label}");
        }
    }
}

fn text_prefix_len(text: &str, col: usize) -> usize {
    text.chars().take(col - 1).map(char::len_utf8).sum()
}
