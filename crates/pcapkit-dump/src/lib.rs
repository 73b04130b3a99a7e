//! Streaming output writers for pcapkit (work in progress).
//!
//! ```
//! assert!(pcapkit_dump::FORMATS.contains(&"json"));
//! ```

/// Output formats, as PyPCAPKit names them.
pub const FORMATS: [&str; 5] = ["json", "plist", "tree", "pcap", "jsonl"];
