//! IPv4, IPv6 and TCP reassembly fed with the dissected frames of a capture (any
//! format), then flushed. See `pcapkit_fuzz::check_reasm`.
#![no_main]

use libfuzzer_sys::fuzz_target;

fuzz_target!(|data: &[u8]| {
    pcapkit_fuzz::check_reasm(data);
});
