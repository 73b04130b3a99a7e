//! TCP flow tracing for pcapkit (work in progress).
//!
//! ```
//! assert_eq!(pcapkit_trace::DEFAULT_FORMAT, "pcap");
//! ```

/// The default per-flow output format.
pub const DEFAULT_FORMAT: &str = "pcap";
