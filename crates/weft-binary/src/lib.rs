//! Component and core-module binaries → weft's model of them.
//!
//! Everything here is validated by wasmparser first (with the features the component model
//! needs), plus the rules wasmparser 0.254 lacks ([`Validator`]); the model then records what
//! a reader of the binary needs: imports and exports, nested components and core modules,
//! instances, canonical functions and their options, and the custom sections that matter
//! (`name`, `producers`, `component-type*`). Types stay in the binary: readers that need them
//! (the WIT decoder, the runtime) take them from wasmparser's validator;
//! [`component_types`] gives a component's, with its top-level imports and exports.
#![deny(missing_docs)]

mod bodies;
mod component_types;
mod decode;
mod error;
pub mod model;
mod payloads;
mod prepass;
mod rules;
mod validator;

pub use bodies::{body_threads, BodyPool, PARALLEL_BODY_BYTES};
pub use component_types::{component_types, component_types_with, ComponentTypes};
pub use decode::{
    builtin_name, decode, decode_unvalidated, decode_with, features, kind, not_wasm, validate,
    Kind, Validation,
};
pub use error::{Error, Result};
pub use model::*;
pub use payloads::{payloads, Bodies};
pub use validator::Validator;
