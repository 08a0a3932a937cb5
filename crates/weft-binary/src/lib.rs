//! Component and core-module binaries → weft's model of them.
//!
//! Everything here is validated by wasmparser first (with the features the component model
//! needs); the model then records what a reader of the binary needs: imports and exports,
//! nested components and core modules, instances, aliases, canonical functions and their
//! options, and the custom sections that matter (`name`, `producers`, `component-type*`).
#![deny(missing_docs)]

mod error;

pub use error::{Error, Result};
