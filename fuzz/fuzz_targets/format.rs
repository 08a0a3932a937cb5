//! libFuzzer entry point for `weft_fuzz::format`: Formatting random valid WIT is idempotent and keeps every comment.
#![no_main]

use libfuzzer_sys::arbitrary::Unstructured;
use libfuzzer_sys::fuzz_target;

fuzz_target!(|data: &[u8]| {
    // Running out of input is not a bug; a panic is.
    let _ = weft_fuzz::format::run(&mut Unstructured::new(data));
});
