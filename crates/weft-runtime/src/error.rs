//! The runtime's one error type.

use std::fmt;

/// What went wrong, for callers that act on it.
#[derive(Clone, Debug, PartialEq, Eq)]
#[non_exhaustive]
pub enum ErrorKind {
    /// The binary is malformed or invalid (at a byte offset when known).
    Binary { offset: Option<usize> },
    /// The component uses a feature weft does not run yet.
    Unsupported,
    /// Imports the host does not provide, one per entry.
    MissingImports(Vec<String>),
    /// Imports the host provides with another type, one per entry.
    MistypedImports(Vec<String>),
    /// Arguments that do not match the function's parameters.
    Arguments,
    /// The guest trapped, or the canonical ABI trapped on its behalf.
    Trap {
        /// The function called from the host, when known.
        export: Option<String>,
        /// The wasm backtrace, one frame per line, when wasmtime recorded one.
        backtrace: Option<String>,
    },
    /// Anything else.
    Other,
}

/// An error of the runtime: a kind and a message.
#[derive(Clone, Debug)]
pub struct Error {
    kind: ErrorKind,
    message: String,
}

impl Error {
    pub(crate) fn msg(message: impl Into<String>) -> Error {
        Error {
            kind: ErrorKind::Other,
            message: message.into(),
        }
    }

    pub(crate) fn binary(message: &str, offset: usize) -> Error {
        Error {
            kind: ErrorKind::Binary {
                offset: Some(offset),
            },
            message: format!("{message} (at offset {offset:#x})"),
        }
    }

    pub(crate) fn unsupported(what: impl fmt::Display) -> Error {
        Error {
            kind: ErrorKind::Unsupported,
            message: format!("weft does not run components that use {what} yet"),
        }
    }

    pub(crate) fn new(kind: ErrorKind, message: impl Into<String>) -> Error {
        Error {
            kind,
            message: message.into(),
        }
    }

    /// What went wrong.
    pub fn kind(&self) -> &ErrorKind {
        &self.kind
    }

    /// The message, without the backtrace.
    pub fn message(&self) -> &str {
        &self.message
    }

    /// A trap raised while calling `export`, from wasmtime's error.
    pub(crate) fn from_wasmtime(e: wasmtime::Error, export: Option<&str>) -> Error {
        if let Some(inner) = e.downcast_ref::<Error>() {
            let mut inner = inner.clone();
            if let ErrorKind::Trap { export: ex, .. } = &mut inner.kind {
                if ex.is_none() {
                    *ex = export.map(str::to_string);
                }
            }
            return inner;
        }
        // The frames, without wasmtime's "error while executing at wasm backtrace:" line.
        let backtrace = e
            .downcast_ref::<wasmtime::WasmBacktrace>()
            .map(|b| {
                b.to_string()
                    .lines()
                    .filter(|l| !l.starts_with("error while executing"))
                    .collect::<Vec<_>>()
                    .join("\n")
            })
            .filter(|b| !b.trim().is_empty());
        let message = if let Some(trap) = e.downcast_ref::<weft_abi::Trap>() {
            trap.message.clone()
        } else if let Some(trap) = e.downcast_ref::<wasmtime::Trap>() {
            match trap {
                wasmtime::Trap::Interrupt => "interrupted: the time limit ran out".to_string(),
                wasmtime::Trap::OutOfFuel => {
                    "all fuel consumed: the fuel limit ran out".to_string()
                }
                _ => {
                    let text = trap.to_string();
                    text.strip_prefix("wasm trap: ")
                        .unwrap_or(&text)
                        .to_string()
                }
            }
        } else {
            format!("{e:#}")
        };
        Error {
            kind: ErrorKind::Trap {
                export: export.map(str::to_string),
                backtrace,
            },
            message,
        }
    }
}

impl fmt::Display for Error {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match &self.kind {
            ErrorKind::Trap {
                export: Some(export),
                ..
            } => write!(f, "`{export}` trapped: {}", self.message),
            ErrorKind::MissingImports(missing) | ErrorKind::MistypedImports(missing) => {
                write!(f, "{}", self.message)?;
                for m in missing {
                    write!(f, "\n  - {m}")?;
                }
                Ok(())
            }
            _ => f.write_str(&self.message),
        }
    }
}

impl std::error::Error for Error {}

/// The runtime's result type.
pub type Result<T, E = Error> = std::result::Result<T, E>;
