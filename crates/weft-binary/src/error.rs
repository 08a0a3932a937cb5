//! The one error type of `weft-binary`: what was being read, at which byte offset, and why.

use std::fmt;

/// An error decoding or validating a binary: a message, the byte offset it refers to (if any)
/// and an optional hint naming the fix.
pub struct Error(Box<Inner>);

struct Inner {
    message: String,
    offset: Option<usize>,
    context: Vec<String>,
    help: Option<String>,
}

/// `Result` with [`Error`].
pub type Result<T, E = Error> = std::result::Result<T, E>;

impl Error {
    /// An error with no byte offset.
    #[cold]
    pub fn msg(message: impl Into<String>) -> Error {
        Error(Box::new(Inner {
            message: message.into(),
            offset: None,
            context: Vec::new(),
            help: None,
        }))
    }

    /// An error at byte `offset` of the binary.
    #[cold]
    pub fn at(offset: usize, message: impl Into<String>) -> Error {
        let mut e = Error::msg(message);
        e.0.offset = Some(offset);
        e
    }

    /// Adds what was being read or done when the error happened (outermost last).
    #[must_use]
    pub fn context(mut self, context: impl Into<String>) -> Error {
        self.0.context.push(context.into());
        self
    }

    /// Adds a hint naming the fix.
    #[must_use]
    pub fn with_help(mut self, help: impl Into<String>) -> Error {
        self.0.help = Some(help.into());
        self
    }

    /// The message, without offset or context.
    pub fn message(&self) -> &str {
        &self.0.message
    }

    /// The byte offset the error refers to.
    pub fn offset(&self) -> Option<usize> {
        self.0.offset
    }

    /// The hint, if any.
    pub fn help(&self) -> Option<&str> {
        self.0.help.as_deref()
    }
}

impl From<wasmparser::BinaryReaderError> for Error {
    fn from(e: wasmparser::BinaryReaderError) -> Error {
        Error::at(e.offset(), one_line(e.message()))
    }
}

/// wasmparser's message with the byte arrays it shows in `Debug` form, one element per line
/// (`bad magic number - expected=[\n    0x0,\n …]`), written on one line as hex bytes:
/// `bad magic number - expected 00 61 73 6d, found 68 65 6c 6c`.
fn one_line(message: &str) -> String {
    let Some(rest) = message.strip_prefix("magic header not detected: bad magic number - ") else {
        return message.to_string();
    };
    let bytes = |part: &str| -> Option<String> {
        let list = part.trim().strip_prefix('[')?.strip_suffix(']')?;
        let hex: Option<Vec<String>> = list
            .split(',')
            .map(str::trim)
            .filter(|b| !b.is_empty())
            .map(|b| {
                let b = u8::from_str_radix(b.strip_prefix("0x")?, 16).ok()?;
                Some(format!("{b:02x}"))
            })
            .collect();
        Some(hex?.join(" "))
    };
    let parsed = rest
        .strip_prefix("expected=")
        .and_then(|r| r.split_once(" actual="))
        .and_then(|(want, got)| Some((bytes(want)?, bytes(got)?)));
    match parsed {
        Some((want, got)) => format!("not a WebAssembly binary: it starts with {got}, not {want}"),
        None => message.to_string(),
    }
}

impl Error {
    /// The error as [`Display`](fmt::Display) writes it, without the hint: for a caller that
    /// gives a hint of its own.
    pub fn without_help(&self) -> impl fmt::Display + '_ {
        struct Headline<'a>(&'a Inner);
        impl fmt::Display for Headline<'_> {
            fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
                for c in self.0.context.iter().rev() {
                    write!(f, "{c}: ")?;
                }
                f.write_str(&self.0.message)?;
                if let Some(off) = self.0.offset {
                    write!(f, " (at offset {off:#x})")?;
                }
                Ok(())
            }
        }
        Headline(&self.0)
    }
}

impl fmt::Display for Error {
    /// `while <outer context>: while <inner context>: <message> (at offset 0x…)`, then the hint
    /// on its own line.
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "{}", self.without_help())?;
        if let Some(help) = &self.0.help {
            write!(f, "\n  = help: {help}")?;
        }
        Ok(())
    }
}

impl fmt::Debug for Error {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        fmt::Display::fmt(self, f)
    }
}

impl std::error::Error for Error {}

#[cfg(test)]
mod tests {
    /// wasmparser's bad-magic message is multi-line `Debug`; ours is one line of hex.
    #[test]
    fn bad_magic_is_one_line() {
        let err = wasmparser::Parser::new(0)
            .parse_all(b"hello, world")
            .find_map(Result::err)
            .expect("not wasm");
        let err = super::Error::from(err);
        assert_eq!(
            err.to_string(),
            "not a WebAssembly binary: it starts with 68 65 6c 6c, not 00 61 73 6d (at offset 0x0)"
        );
    }
}
