//! Capture files for pcapkit: PCAP and PCAPNG reading and writing.
//!
//! The [`Reader`] hands out borrowed [`RawFrame`]s (no payload copies) from a memory
//! map, stdin or any [`std::io::Read`]; every malformed record ends the stream with a
//! typed [`Error`] that says what went wrong and at which absolute byte offset, after
//! all good frames were delivered. [`PcapWriter`] and [`PcapngWriter`] write frames
//! back.
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
mod source;
mod writer;

pub use consts::LinkType;
pub use endian::Endian;
pub use error::{Context, Error, ErrorKind};
pub use frame::{
    FrameMeta, OwnedFrame, PcapRecordHeader, PcapngPacketMeta, Precision, RawFrame, Timestamp,
};
pub use pcap::PcapHeader;
pub use pcapng::{Block, Interface, Section, TsResolution};
pub use reader::{
    Access, DEFAULT_BUFFER_SIZE, DEFAULT_MAX_FRAME_SIZE, Format, Frames, Header, Reader,
    ReaderOptions, Record, Warning,
};
pub use writer::{
    DEFAULT_SNAPLEN, InterfaceSpec, PcapWriter, PcapWriterOptions, PcapngWriter,
    PcapngWriterOptions,
};
