//! PCAP (libpcap) files: the global header and the per-record header.
//!
//! Both byte orders, microsecond and nanosecond magics, and the "modified" (Kuznetzov)
//! variant whose record headers carry 8 extra bytes.

mod header;
mod record;

pub use header::{HEADER_LEN, Magic, PcapHeader};
pub(crate) use record::RecordHeader;
