//! libFuzzer entry point for `weft_fuzz::parse`: Arbitrary and mutated WIT never makes the parser or resolver panic.
#![no_main]

use libfuzzer_sys::arbitrary::Unstructured;
use libfuzzer_sys::fuzz_target;

fuzz_target!(|data: &[u8]| {
    // Running out of input is not a bug; a panic is.
    let _ = weft_fuzz::parse::run(&mut Unstructured::new(data));
});
