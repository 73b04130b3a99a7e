//! PCAPNG reader: the input is a PCAPNG file (its first block type is forced to the
//! Section Header Block's so the fuzzer stays on this format). See `pcapkit_fuzz`.
#![no_main]

use libfuzzer_sys::fuzz_target;

fuzz_target!(|data: &[u8]| {
    pcapkit_fuzz::pcapng_reader(data);
});
