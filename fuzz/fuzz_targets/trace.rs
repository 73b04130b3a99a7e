//! TCP flow tracing of a capture (any format) into flow files, read back. See
//! `pcapkit_fuzz::check_trace`.
#![no_main]

use libfuzzer_sys::fuzz_target;

fuzz_target!(|data: &[u8]| {
    pcapkit_fuzz::check_trace(data);
});
