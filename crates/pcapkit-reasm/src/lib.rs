//! IPv4, IPv6 and TCP reassembly for pcapkit (work in progress).
//!
//! ```
//! assert_eq!(pcapkit_reasm::PROTOCOLS, ["IPv4", "IPv6", "TCP"]);
//! ```

/// The protocols this crate reassembles, as `reassemble()` names them.
pub const PROTOCOLS: [&str; 3] = ["IPv4", "IPv6", "TCP"];
