//! libFuzzer entry point for `weft_fuzz::component`: decoding and wrapping mutated binaries never panics, decoded WIT resolves to itself, and wrapped modules validate in full.
#![no_main]

use libfuzzer_sys::arbitrary::Unstructured;
use libfuzzer_sys::fuzz_target;

fuzz_target!(|data: &[u8]| {
    // Running out of input is not a bug; a panic is.
    let _ = weft_fuzz::component::run(&mut Unstructured::new(data));
});
