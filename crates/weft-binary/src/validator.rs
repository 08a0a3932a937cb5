//! [`Validator`]: wasmparser's validator with weft's [`features`](crate::features) and the
//! component-model rules wasmparser 0.254 lacks (`rules.rs`). Every weft path that validates a
//! binary goes through it, so they all accept and reject the same components.

use wasmparser::types::TypesRef;
use wasmparser::{Payload, ValidPayload};

use crate::rules::Rules;
use crate::{features, Result};

/// Validates a binary payload by payload, like [`wasmparser::Validator`], which it wraps:
/// each payload is validated by wasmparser, then checked against the strongly-unique name
/// rule (case and hyphens ignored) and the value-type size limit (`elem_size < 2^28`).
pub struct Validator {
    inner: wasmparser::Validator,
    rules: Rules,
}

impl Default for Validator {
    fn default() -> Validator {
        Validator::new()
    }
}

impl Validator {
    /// A validator with weft's [`features`](crate::features).
    pub fn new() -> Validator {
        Validator {
            inner: wasmparser::Validator::new_with_features(features()),
            rules: Rules::default(),
        }
    }

    /// Validates one payload of the binary, in order, as
    /// [`wasmparser::Validator::payload`] does; an error has the byte offset of the section
    /// or item at fault.
    #[inline]
    pub fn payload<'a>(&mut self, payload: &Payload<'a>) -> Result<ValidPayload<'a>> {
        let valid = self.inner.payload(payload)?;
        // Most payloads of a large binary are function bodies, which the rules never look at.
        if !matches!(payload, Payload::CodeSectionEntry { .. }) {
            self.rules.payload(payload, &self.inner)?;
        }
        Ok(valid)
    }

    /// The types of the module or component being validated, `level` enclosing bodies out
    /// (see [`wasmparser::Validator::types`]).
    pub fn types(&self, level: usize) -> Option<TypesRef<'_>> {
        self.inner.types(level)
    }
}
