//! Component values and types, [WAVE](https://github.com/bytecodealliance/wasm-tools/tree/main/crates/wasm-wave)
//! text for them, and the canonical ABI over abstract memory.
//!
//! This crate knows nothing of wasmtime: guest memory is a byte slice, `realloc` and resource
//! handle tables are traits ([`abi::Realloc`], [`abi::Handles`]) the runtime implements. That
//! keeps the canonical ABI testable on plain vectors and fuzzable without an engine.
//!
//! Names follow CanonicalABI.md of the component model specification.

pub mod abi;
mod types;
mod val;
mod wave;

pub use abi::{StringEncoding, Trap};
pub use types::{
    EnumType, FlagsType, FuncType, RecordType, ResourceType, ResultType, Type, VariantType,
};
pub use val::{Resource, Val};

/// Parses the [WAVE](https://github.com/bytecodealliance/wasm-tools/tree/main/crates/wasm-wave)
/// text of a value of type `ty`. The error is wasm-wave's, fit to show a user (it names what
/// was wrong and the byte range of the text where). Resources cannot be parsed: WAVE has no
/// syntax for handles (a value of a type that contains them parses only if it holds none, such
/// as an empty list).
pub fn parse_val(ty: &Type, text: &str) -> Result<Val, String> {
    wave::parse_val(ty, text)
}

/// The WAVE text of `v`. Resources, which WAVE cannot express, print as `own<resource-T>#REP`
/// or `borrow<resource-T>#REP` (T the resource type's number, REP its representation), which
/// is deliberately not valid WAVE. Never panics.
pub fn print_val(v: &Val) -> String {
    wave::print_val(v)
}
