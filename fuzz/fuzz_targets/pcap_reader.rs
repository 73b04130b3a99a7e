//! PCAP reader: the input is a PCAP file (its first four bytes are forced to one of
//! the four PCAP magics so the fuzzer stays on this format). See `pcapkit_fuzz`.
#![no_main]

use libfuzzer_sys::fuzz_target;

fuzz_target!(|data: &[u8]| {
    pcapkit_fuzz::pcap_reader(data);
});
