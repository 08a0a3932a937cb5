//! The one error type of `weft-wit`: a message with a primary span, optional secondary labels
//! and an optional hint, rendered rustc-style against the [`SourceMap`] it came from.

use std::fmt;

use crate::source::{Label, SourceMap, Span};

/// Broad category of a WIT error.
#[derive(Copy, Clone, Debug, PartialEq, Eq)]
#[non_exhaustive]
pub enum ErrorKind {
    /// Invalid characters, unterminated comments, bad escapes.
    Lex,
    /// Text that does not follow the WIT grammar.
    Parse,
    /// Well-formed text that names things that do not exist, duplicates names, forms cycles, …
    Resolve,
    /// A file or directory could not be read.
    Io,
}

/// An error from lexing, parsing, resolving or reading WIT.
pub struct Error(Box<Inner>);

struct Inner {
    kind: ErrorKind,
    message: String,
    span: Span,
    labels: Vec<Label>,
    help: Option<String>,
}

/// `Result` with [`Error`].
pub type Result<T, E = Error> = std::result::Result<T, E>;

impl Error {
    /// A new error of `kind` at `span`.
    #[cold]
    pub fn new(kind: ErrorKind, span: Span, message: impl Into<String>) -> Error {
        Error(Box::new(Inner {
            kind,
            message: message.into(),
            span,
            labels: Vec::new(),
            help: None,
        }))
    }

    /// A parse error at `span`.
    #[cold]
    pub fn parse(span: Span, message: impl Into<String>) -> Error {
        Error::new(ErrorKind::Parse, span, message)
    }

    /// A resolve error at `span`.
    #[cold]
    pub fn resolve(span: Span, message: impl Into<String>) -> Error {
        Error::new(ErrorKind::Resolve, span, message)
    }

    /// An I/O error with no span (the message names the path).
    #[cold]
    pub fn io(message: impl Into<String>) -> Error {
        Error::new(ErrorKind::Io, Span::UNKNOWN, message)
    }

    /// Adds a secondary location, e.g. "previous definition here".
    pub fn with_label(mut self, span: Span, message: impl Into<String>) -> Error {
        if span.is_known() {
            self.0.labels.push(Label {
                span,
                message: message.into(),
            });
        }
        self
    }

    /// Adds a hint on how to fix the problem.
    pub fn with_help(mut self, help: impl Into<String>) -> Error {
        self.0.help = Some(help.into());
        self
    }

    /// The category.
    pub fn kind(&self) -> ErrorKind {
        self.0.kind
    }

    /// The message, without location.
    pub fn message(&self) -> &str {
        &self.0.message
    }

    /// The primary span.
    pub fn span(&self) -> Span {
        self.0.span
    }

    /// Secondary labels.
    pub fn labels(&self) -> &[Label] {
        &self.0.labels
    }

    /// The hint, if any.
    pub fn help(&self) -> Option<&str> {
        self.0.help.as_deref()
    }

    /// The message with `--> path:line:col`, the source line and a caret, then labels and hint.
    pub fn render(&self, map: &SourceMap) -> String {
        map.render(
            &self.0.message,
            self.0.span,
            &self.0.labels,
            self.0.help.as_deref(),
        )
    }
}

impl fmt::Display for Error {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&self.0.message)
    }
}

impl fmt::Debug for Error {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("Error")
            .field("kind", &self.0.kind)
            .field("message", &self.0.message)
            .field("span", &self.0.span)
            .finish()
    }
}

impl std::error::Error for Error {}
