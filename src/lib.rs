//! pcapkit: read, dissect, reassemble, trace and dump network captures (work in progress).
//!
//! ```
//! assert_eq!(pcapkit::JSON, "json");
//! ```

/// Output format: tree text (`.txt`).
pub const TREE: &str = "tree";
/// Output format: JSON.
pub const JSON: &str = "json";
/// Output format: Apple XML property list.
pub const PLIST: &str = "plist";
/// Output format: PCAP.
pub const PCAP: &str = "pcap";
