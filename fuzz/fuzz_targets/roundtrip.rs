//! libFuzzer entry point for `weft_fuzz::roundtrip`: Printing a random valid package and resolving the print is a fixed point.
#![no_main]

use libfuzzer_sys::arbitrary::Unstructured;
use libfuzzer_sys::fuzz_target;

fuzz_target!(|data: &[u8]| {
    // Running out of input is not a bug; a panic is.
    let _ = weft_fuzz::roundtrip::run(&mut Unstructured::new(data));
});
