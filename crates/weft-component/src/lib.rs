//! WIT ↔ component binaries: encode a resolved WIT package or world to its binary form, decode
//! one back into a [`weft_wit::Resolve`], embed a world into a core module as a
//! `component-type` custom section, and wrap a core module into a component.
#![deny(missing_docs)]

pub use weft_binary::{Error, Result};
