//! A [`Resolve`] as JSON in the schema of wit-parser's serialized `Resolve`. (stub)
use crate::Resolve;

/// The whole resolve as a JSON value.
pub fn to_json(resolve: &Resolve) -> serde_json::Value {
    let _ = resolve;
    serde_json::Value::Null
}
