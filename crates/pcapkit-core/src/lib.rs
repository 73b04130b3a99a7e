//! Capture files for pcapkit: PCAP and PCAPNG reading and writing.
//!
//! The [`Reader`] hands out borrowed [`RawFrame`]s (no payload copies) from a memory
//! map, stdin or any [`std::io::Read`]; every malformed record ends the stream with a
//! typed [`Error`] that says what went wrong and at which absolute byte offset, after
//! all good frames were delivered. [`PcapWriter`] and [`PcapngWriter`] write frames
//! back.
//!
//! Decisions worth knowing:
//! - [`Timestamp`] is exact (seconds + nanoseconds) with floor semantics, so negative
//!   epochs (possible through PCAPNG `if_tsoffset`) work; PCAPNG times are computed in
//!   integer arithmetic, resolutions finer than 1 ns truncate (as tshark).
//! - Paths are read through a reused 256 KiB buffer by default: on the machines measured
//!   (`benches/read.rs`) memory maps were 25-35% slower ([`Access`] selects either).
//! - A record may claim at most [`DEFAULT_MAX_FRAME_SIZE`] (128 MiB, Wireshark's largest
//!   per-link-type limit); stream input only allocates as bytes arrive.
//! - PCAP files must have major version 2 (as libpcap); PCAPNG sections version 1.
//! - Simple Packet Blocks carry no time: their frames get the epoch (tshark shows none).
//! - An empty input is an error (truncated file magic), not an empty capture.
//!
//! ```
//! # fn main() -> Result<(), pcapkit_core::Error> {
//! use pcapkit_core::{LinkType, PcapngWriter, PcapngWriterOptions, RawFrame, Reader,
//!     ReaderOptions, Timestamp};
//!
//! let mut w = PcapngWriter::new(Vec::new(), PcapngWriterOptions::default())?;
//! let ts = Timestamp::new(1_511_106_545, 471_719_000);
//! w.write_frame(&RawFrame::new(1, ts, LinkType::ETHERNET, 60, &[0xff; 60]))?;
//!
//! let mut reader = Reader::from_bytes(w.into_inner(), ReaderOptions::default())?;
//! while let Some(frame) = reader.next_frame()? {
//!     assert_eq!(frame.timestamp.epoch_string(), "1511106545.471719");
//!     assert_eq!((frame.caplen, frame.link_type), (60, LinkType::ETHERNET));
//! }
//! # Ok(()) }
//! ```

#![warn(missing_docs)]
#![deny(unsafe_code)]

pub mod consts;
mod endian;
mod error;
mod frame;
pub mod pcap;
pub mod pcapng;
mod reader;
pub mod ser;
mod source;
mod writer;

pub use consts::LinkType;
pub use endian::Endian;
pub use error::{Context, Error, ErrorKind};
pub use frame::{
    FrameMeta, Iso8601, OwnedFrame, PcapRecordHeader, PcapngPacketMeta, Precision, RawFrame,
    Timestamp,
};
pub use pcap::PcapHeader;
pub use pcapng::{Block, Interface, Section, TsResolution};
pub use reader::{
    Access, DEFAULT_BUFFER_SIZE, DEFAULT_MAX_FRAME_SIZE, DEFAULT_MAX_INTERFACE_BYTES,
    DEFAULT_MAX_INTERFACES, Format, Frames, Header, Reader, ReaderOptions, Record, Warning,
};
pub use writer::{
    DEFAULT_SNAPLEN, InterfaceSpec, PcapWriter, PcapWriterOptions, PcapngWriter,
    PcapngWriterOptions,
};
