//! libFuzzer entry point for `weft_fuzz::compose`: composing mutated corpus components never panics, and what composes validates in full.
#![no_main]

use libfuzzer_sys::arbitrary::Unstructured;
use libfuzzer_sys::fuzz_target;

fuzz_target!(|data: &[u8]| {
    // Running out of input is not a bug; a panic is.
    let _ = weft_fuzz::compose::run(&mut Unstructured::new(data));
});
