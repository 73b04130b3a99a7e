//! Dissection of one frame: the first byte selects the link type (see
//! `pcapkit_fuzz::LINK_TYPES`; other values are link type numbers), the rest is the frame.
#![no_main]

use libfuzzer_sys::fuzz_target;

fuzz_target!(|data: &[u8]| {
    pcapkit_fuzz::check_dissect(data);
});
