//! [`Validator`]: wasmparser's validator with weft's [`features`](crate::features) and the
//! component-model rules wasmparser 0.254 lacks (`rules.rs`). Every weft path that validates a
//! binary goes through it, so they all accept and reject the same components.
//!
//! wasmparser 0.254 panics on a few components (valid ones among them: an assertion or an
//! `unwrap` in its component type checks, fixed in later versions). [`Validator::payload`]
//! catches such a panic and returns it as an [`Error`]; the validator is then done. The panic
//! hook prints nothing for it: weft's hook, installed once, wraps the one before it and passes
//! it every other panic, of this thread or another.

use std::cell::{Cell, RefCell};
use std::panic::{catch_unwind, AssertUnwindSafe};

use wasmparser::types::TypesRef;
use wasmparser::{Payload, ValidPayload};

use crate::rules::Rules;
use crate::{features, Error, Result};

/// Validates a binary payload by payload, like [`wasmparser::Validator`], which it wraps:
/// each payload is validated by wasmparser, then checked against the strongly-unique name
/// rule (case and hyphens ignored) and the value-type size limit (`elem_size < 2^28`).
pub struct Validator {
    inner: wasmparser::Validator,
    rules: Rules,
    /// Set when wasmparser panicked: its state is then unknown, and nothing more is validated.
    failed: bool,
}

impl Default for Validator {
    fn default() -> Validator {
        Validator::new()
    }
}

impl Validator {
    /// A validator with weft's [`features`](crate::features).
    pub fn new() -> Validator {
        install_panic_hook();
        Validator {
            inner: wasmparser::Validator::new_with_features(features()),
            rules: Rules::default(),
            failed: false,
        }
    }

    /// Validates one payload of the binary, in order, as
    /// [`wasmparser::Validator::payload`] does; an error has the byte offset of the section
    /// or item at fault.
    ///
    /// A panic of wasmparser's is an error too (see the module docs), after which every
    /// payload is one.
    #[inline]
    pub fn payload<'a>(&mut self, payload: &Payload<'a>) -> Result<ValidPayload<'a>> {
        if self.failed {
            return Err(Error::msg(
                "the validator cannot go on after an internal error of wasmparser",
            ));
        }
        // Most payloads of a large binary are function bodies, which wasmparser only queues
        // for validation here (the bodies themselves are validated elsewhere, see
        // `BodyPool`) and the rules never look at: they skip the guard.
        if let Payload::CodeSectionEntry { .. } = payload {
            return Ok(self.inner.payload(payload)?);
        }
        // Only wasmparser is guarded: a panic of weft's own rules is a bug of weft's, and is
        // reported as one.
        let inner = &mut self.inner;
        let valid = match quietly(AssertUnwindSafe(|| inner.payload(payload))) {
            Ok(valid) => valid?,
            Err(panic) => {
                self.failed = true;
                return Err(panic.error(payload));
            }
        };
        self.rules.payload(payload, &self.inner)?;
        Ok(valid)
    }

    /// The types of the module or component being validated, `level` enclosing bodies out
    /// (see [`wasmparser::Validator::types`]).
    pub fn types(&self, level: usize) -> Option<TypesRef<'_>> {
        self.inner.types(level)
    }
}

thread_local! {
    /// Whether this thread is in [`quietly`], and where its panic was.
    static QUIET: Cell<bool> = const { Cell::new(false) };
    static LOCATION: RefCell<Option<String>> = const { RefCell::new(None) };
}

/// Installs, once per process, a panic hook that records where a panic in [`quietly`] was
/// instead of printing it, and passes every other panic to the hook installed before it.
fn install_panic_hook() {
    static ONCE: std::sync::Once = std::sync::Once::new();
    ONCE.call_once(|| {
        let previous = std::panic::take_hook();
        std::panic::set_hook(Box::new(move |info| {
            if QUIET.with(Cell::get) {
                let at = info.location().map(|l| {
                    // `…/wasmparser-0.254.2/src/validator/types.rs`, from the crate's directory.
                    let file = l.file();
                    let file = file.rfind("wasmparser-").map_or(file, |i| &file[i..]);
                    format!("{file}:{}:{}", l.line(), l.column())
                });
                LOCATION.with(|l| *l.borrow_mut() = at);
            } else {
                previous(info)
            }
        }));
    });
}

/// A panic caught by [`quietly`]: its message and where it was.
struct Panic {
    message: String,
    location: Option<String>,
}

impl Panic {
    /// The error for this panic, which validating `payload` raised.
    #[cold]
    fn error(self, payload: &Payload<'_>) -> Error {
        let mut message = format!(
            "wasmparser 0.254 failed on this binary (an internal error of the validator weft \
             uses, fixed in newer wasmparser): {}",
            self.message
        );
        if let Some(location) = self.location {
            message.push_str(&format!(" ({location})"));
        }
        let offset = match payload {
            Payload::Version { range, .. } => Some(range.start),
            Payload::End(offset) => Some(*offset),
            Payload::CodeSectionEntry(body) => Some(body.range().start),
            other => other.as_section().map(|(_, range)| range.start),
        };
        let e = match offset {
            Some(offset) => Error::at(offset, message),
            None => Error::msg(message),
        };
        e.with_help(
            "weft cannot tell whether this binary is valid; `wasm-tools validate` (1.262 or \
             later) can",
        )
    }
}

/// Runs `f`, catching a panic with the panic hook's output suppressed on this thread.
fn quietly<R>(f: impl FnOnce() -> R + std::panic::UnwindSafe) -> Result<R, Panic> {
    struct Reset(bool);
    impl Drop for Reset {
        fn drop(&mut self) {
            QUIET.with(|q| q.set(self.0));
        }
    }
    let _reset = Reset(QUIET.with(|q| q.replace(true)));
    catch_unwind(f).map_err(|payload| {
        let message = match (
            payload.downcast_ref::<&str>(),
            payload.downcast_ref::<String>(),
        ) {
            (Some(s), _) => s.to_string(),
            (_, Some(s)) => s.clone(),
            _ => "a panic".to_string(),
        };
        Panic {
            message,
            location: LOCATION.with(|l| l.borrow_mut().take()),
        }
    })
}
