//! Typed errors: what went wrong, in which record or block, at which byte offset.

use std::fmt;

use crate::pcapng::block_type_name;

/// An error reading or writing a capture.
///
/// `Display` reads like `PCAPNG block 7 (Enhanced Packet Block) at byte offset 1234:
/// captured length 65536 exceeds the 12 bytes of packet data in the block; the file is
/// damaged`.
#[derive(Clone, Debug, PartialEq, Eq, Hash, thiserror::Error)]
#[error("{context} at byte offset {offset}: {kind}")]
pub struct Error {
    /// What went wrong.
    pub kind: ErrorKind,
    /// Which record, block or header it happened in.
    pub context: Context,
    /// Absolute byte offset in the input (or output, for writers) where the offending
    /// record, block or field starts.
    pub offset: u64,
}

impl Error {
    /// An error of `kind` in `context` at `offset`.
    pub const fn new(kind: ErrorKind, context: Context, offset: u64) -> Self {
        Self {
            kind,
            context,
            offset,
        }
    }

    /// An I/O error in `context` at `offset`.
    pub fn io(err: &std::io::Error, context: Context, offset: u64) -> Self {
        Self::new(
            ErrorKind::Io {
                kind: err.kind(),
                message: err.to_string(),
            },
            context,
            offset,
        )
    }

    /// True for an input that ended in the middle of a header, record or block.
    pub fn is_truncated(&self) -> bool {
        matches!(self.kind, ErrorKind::Truncated { .. })
    }
}

/// Where in the file an error happened.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
pub enum Context {
    /// Opening the input.
    Input,
    /// The 24-byte PCAP global header.
    PcapHeader,
    /// The `number`-th PCAP record (1-based, = frame number).
    PcapRecord {
        /// 1-based record number.
        number: u64,
    },
    /// The `number`-th PCAPNG block of the file (1-based, counting every block).
    PcapngBlock {
        /// 1-based block number in the file.
        number: u64,
        /// The block type, if its header could be read.
        block_type: Option<u32>,
    },
    /// A writer, writing its `frame`-th frame (0 = the file header).
    Writer {
        /// 1-based frame number being written (0 for headers).
        frame: u64,
    },
}

impl fmt::Display for Context {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match *self {
            Self::Input => f.write_str("input"),
            Self::PcapHeader => f.write_str("PCAP global header"),
            Self::PcapRecord { number } => write!(f, "PCAP record {number}"),
            Self::PcapngBlock {
                number,
                block_type: Some(t),
            } => write!(f, "PCAPNG block {number} ({})", block_type_name(t)),
            Self::PcapngBlock {
                number,
                block_type: None,
            } => write!(f, "PCAPNG block {number}"),
            Self::Writer { frame: 0 } => f.write_str("writer, file header"),
            Self::Writer { frame } => write!(f, "writer, frame {frame}"),
        }
    }
}

/// The kinds of error, each with the values a user needs to act on it.
#[derive(Clone, Debug, PartialEq, Eq, Hash)]
#[non_exhaustive]
pub enum ErrorKind {
    /// The operating system reported an error (file missing, disk full, ...).
    Io {
        /// The I/O error kind.
        kind: std::io::ErrorKind,
        /// The operating system's message.
        message: String,
    },
    /// The first four bytes are no PCAP or PCAPNG magic number.
    UnknownMagic {
        /// The four bytes found.
        magic: [u8; 4],
    },
    /// The input ended inside a header, record or block.
    Truncated {
        /// What was being read (`"record header"`, `"packet data"`, `"block"`, ...).
        what: &'static str,
        /// Bytes needed.
        expected: u64,
        /// Bytes the input still had.
        available: u64,
    },
    /// A PCAP major version other than 2, or a PCAPNG section version other than 1.
    UnsupportedVersion {
        /// Major version found.
        major: u16,
        /// Minor version found.
        minor: u16,
    },
    /// A record's captured length is above [`crate::ReaderOptions::max_frame_size`].
    FrameTooLarge {
        /// Captured length claimed by the record.
        caplen: u64,
        /// The configured maximum.
        max: u64,
    },
    /// A PCAPNG SHB byte-order magic that is neither `1a2b3c4d` nor `4d3c2b1a`.
    BadByteOrderMagic {
        /// The four bytes found.
        magic: [u8; 4],
    },
    /// A PCAPNG block total length below the minimum for its type.
    BlockTooShort {
        /// Block total length found.
        length: u32,
        /// Minimum for this block type.
        minimum: u32,
    },
    /// A PCAPNG block total length that is not a multiple of 4.
    BlockLengthUnaligned {
        /// Block total length found.
        length: u32,
    },
    /// A PCAPNG block total length above the configured maximum.
    BlockTooLarge {
        /// Block total length found.
        length: u32,
        /// The maximum (`max_frame_size` + 128 KiB for headers and options).
        max: u64,
    },
    /// The trailing copy of a PCAPNG block total length differs from the leading one.
    BlockLengthMismatch {
        /// Leading block total length.
        leading: u32,
        /// Trailing block total length.
        trailing: u32,
    },
    /// A packet block's captured length does not fit in the block.
    CaplenExceedsBlock {
        /// Captured length claimed.
        caplen: u32,
        /// Bytes of packet data the block has room for.
        available: u32,
    },
    /// A packet or statistics block names an interface that has no Interface
    /// Description Block in the current section.
    UnknownInterface {
        /// Interface id in the block.
        interface_id: u32,
        /// Interfaces defined in the section so far.
        defined: u32,
    },
    /// A Simple Packet Block in a section without an Interface Description Block.
    NoInterface,
    /// A PCAPNG section with more Interface Description Blocks, or more bytes of them,
    /// than [`crate::ReaderOptions::max_interfaces`] /
    /// [`crate::ReaderOptions::max_interface_bytes`] allow.
    InterfaceLimit {
        /// Interfaces in the section, counting this one.
        interfaces: u64,
        /// Bytes of IDBs in the section, counting this one.
        bytes: u64,
        /// The configured maximum count.
        max_interfaces: u64,
        /// The configured maximum bytes.
        max_bytes: u64,
    },
    /// An option header does not fit in what remains of the options area.
    OptionHeaderTruncated {
        /// Bytes left in the options area (fewer than the 4 of a header).
        available: u32,
    },
    /// An option's value runs past the end of the block.
    OptionOverrun {
        /// Option code.
        code: u16,
        /// Value length claimed (before padding).
        length: u16,
        /// Bytes left in the options area after the option header.
        available: u32,
    },
    /// A Name Resolution Block record runs past the end of the block.
    RecordOverrun {
        /// Record type.
        record_type: u16,
        /// Value length claimed (before padding).
        length: u16,
        /// Bytes left in the records area after the record header.
        available: u32,
    },
    /// A Decryption Secrets Block whose secrets length does not fit in the block.
    SecretsOverrun {
        /// Secrets length claimed.
        length: u32,
        /// Bytes available.
        available: u32,
    },
    /// Writer: a timestamp the output format cannot represent.
    TimestampOutOfRange {
        /// The timestamp, as `secs.nanos`.
        timestamp: String,
        /// The format's limit, in words.
        limit: &'static str,
    },
    /// Writer: a frame whose link type differs from the PCAP file's.
    LinkTypeMismatch {
        /// The file's link type.
        file: u32,
        /// The frame's link type.
        frame: u32,
    },
    /// Writer: a frame with more than `u32::MAX` bytes, or an option too long.
    TooLong {
        /// What is too long.
        what: &'static str,
        /// Its length.
        length: u64,
    },
}

impl fmt::Display for ErrorKind {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            Self::Io { message, .. } => write!(f, "I/O error: {message}"),
            Self::UnknownMagic {
                magic: [a, b, c, d],
            } => write!(
                f,
                "not a PCAP or PCAPNG file: magic bytes {a:02x} {b:02x} {c:02x} {d:02x} \
                 (PCAP starts with a1b2c3d4 or a1b23c4d in either byte order, PCAPNG with \
                 0a0d0d0a)"
            ),
            Self::Truncated {
                what,
                expected,
                available,
            } => write!(
                f,
                "truncated {what}: {expected} bytes needed, only {available} left; the \
                 capture was cut short"
            ),
            Self::UnsupportedVersion { major, minor } => {
                write!(f, "unsupported format version {major}.{minor}")
            }
            Self::FrameTooLarge { caplen, max } => write!(
                f,
                "captured length {caplen} is above the maximum frame size {max}; the file \
                 is damaged, or raise ReaderOptions::max_frame_size"
            ),
            Self::BadByteOrderMagic {
                magic: [a, b, c, d],
            } => write!(
                f,
                "byte-order magic {a:02x} {b:02x} {c:02x} {d:02x} is neither 1a2b3c4d nor \
                 4d3c2b1a; the file is damaged"
            ),
            Self::BlockTooShort { length, minimum } => write!(
                f,
                "block total length {length} is below the minimum of {minimum} for this \
                 block type; the file is damaged"
            ),
            Self::BlockLengthUnaligned { length } => write!(
                f,
                "block total length {length} is not a multiple of 4; the file is damaged"
            ),
            Self::BlockTooLarge { length, max } => write!(
                f,
                "block total length {length} is above the maximum of {max}; the file is \
                 damaged, or raise ReaderOptions::max_frame_size"
            ),
            Self::BlockLengthMismatch { leading, trailing } => write!(
                f,
                "trailing block total length {trailing} differs from the leading {leading}; \
                 the file is damaged"
            ),
            Self::CaplenExceedsBlock { caplen, available } => write!(
                f,
                "captured length {caplen} exceeds the {available} bytes of packet data in \
                 the block; the file is damaged"
            ),
            Self::UnknownInterface {
                interface_id,
                defined,
            } => write!(
                f,
                "interface id {interface_id} has no Interface Description Block in this \
                 section ({defined} defined)"
            ),
            Self::NoInterface => f.write_str(
                "Simple Packet Block in a section without an Interface Description Block",
            ),
            Self::InterfaceLimit {
                interfaces,
                bytes,
                max_interfaces,
                max_bytes,
            } => write!(
                f,
                "interface {interfaces} ({bytes} bytes of interface blocks) is over the limit \
                 of {max_interfaces} interfaces and {max_bytes} bytes per section; the file \
                 is damaged, or raise ReaderOptions::max_interfaces / max_interface_bytes"
            ),
            Self::OptionHeaderTruncated { available } => write!(
                f,
                "option header truncated: 4 bytes needed, only {available} left in the block"
            ),
            Self::OptionOverrun {
                code,
                length,
                available,
            } => write!(
                f,
                "option {code} claims {length} bytes but only {available} are left in the \
                 block"
            ),
            Self::RecordOverrun {
                record_type,
                length,
                available,
            } => write!(
                f,
                "name resolution record type {record_type} claims {length} bytes but only \
                 {available} are left in the block"
            ),
            Self::SecretsOverrun { length, available } => write!(
                f,
                "secrets length {length} exceeds the {available} bytes left in the block"
            ),
            Self::TimestampOutOfRange { timestamp, limit } => {
                write!(f, "timestamp {timestamp} cannot be written: {limit}")
            }
            Self::LinkTypeMismatch { file, frame } => write!(
                f,
                "frame has link type {frame} but the PCAP file was opened for link type \
                 {file}; PCAP holds one link type (use PCAPNG for several)"
            ),
            Self::TooLong { what, length } => write!(f, "{what} too long: {length} bytes"),
        }
    }
}
