//! Engines other than the single-threaded native one: the multi-threaded native
//! engines (`pipeline`, `server`) and the third-party dissectors (`pyshark` through
//! tshark, `dpkt` and `scapy` through python3).

pub(crate) mod external;
pub(crate) mod flow;
pub(crate) mod parallel;
