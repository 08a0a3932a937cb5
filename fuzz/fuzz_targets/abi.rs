//! libFuzzer entry point for `weft_fuzz::abi`: canonical ABI values lowered then lifted come back equal, and lifting garbage never panics.
#![no_main]

use libfuzzer_sys::arbitrary::Unstructured;
use libfuzzer_sys::fuzz_target;

fuzz_target!(|data: &[u8]| {
    // Running out of input is not a bug; a panic is.
    let _ = weft_fuzz::abi::run(&mut Unstructured::new(data));
});
