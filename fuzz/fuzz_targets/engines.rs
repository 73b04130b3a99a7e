//! The parallel engines against the default one on any input: `pipeline` and `server`
//! must write the same bytes, stop at the same frame with the same error, and
//! reassemble the same datagrams.
#![no_main]

use libfuzzer_sys::fuzz_target;

fuzz_target!(|data: &[u8]| {
    pcapkit_fuzz::check_engines(data);
});
