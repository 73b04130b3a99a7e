//! The whole extraction (read, dissect, write) of a capture to `pcap`, in memory: the
//! output must be a valid, complete document with every frame before any damage.
#![no_main]

use libfuzzer_sys::fuzz_target;

fuzz_target!(|data: &[u8]| {
    pcapkit_fuzz::check_extract(data, "pcap");
});
