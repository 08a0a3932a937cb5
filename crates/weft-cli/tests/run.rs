//! Tests of `weft run`, one input file per case under `tests/run/`, in the style of
//! `tests/inspect.rs` (see there for the `;; RUN:` / `;; FAIL:` directives).

mod common;
use common::{Check, Syntax};

const SYNTAX: Syntax = Syntax {
    cases: "tests/run",
    extensions: &["wat"],
    comments: &[";; "],
    scratch: None,
    trial: "run-cases",
};

fn main() {
    let programmatic: [(&str, Check); 0] = [];
    common::main(&SYNTAX, &programmatic);
}
