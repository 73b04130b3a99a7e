//! Streaming output writers for pcapkit: JSON, JSON Lines, plist, tree text and PCAP.
//!
//! Every text format writes PyPCAPKit's document: one block per record of the capture
//! (`Global Header`, `Frame 1`, ..., or for PCAPNG `Section Header 1`,
//! `Interface Description 1`, ...), each the serde serialization of our typed structs.
//! Writers stream block by block through a large buffer, never build the document in
//! memory, and close it on [`BlockWriter::finish`] or when dropped, so the output is
//! valid however the program ends.
//!
//! | format | writer | bytes are written as |
//! |---|---|---|
//! | `json` | [`JsonWriter`] | `{"type": "bytes", "hex": "..."}` |
//! | `jsonl` | [`JsonlWriter`] | `{"type":"bytes","hex":"..."}` |
//! | `plist` | [`PlistWriter`] | `<data>` (base64) |
//! | `tree` | [`TreeWriter`] | hex pairs, 16 per line |
//! | `pcap` | [`PcapDumper`] | the frames themselves |
//!
//! [`Dumper`] picks the writer for a [`Format`], writes to a file, a directory of
//! per-block files, or any writer, and turns frames into PyPCAPKit's frame blocks
//! ([`FrameDoc`]).
//!
//! ```
//! use pcapkit_dump::{BlockName, BlockWriter, JsonWriter};
//!
//! let mut out = Vec::new();
//! let mut w = JsonWriter::new(&mut out);
//! w.write_block(&BlockName::Frame(1), &serde_json::json!({"protocols": "Ethernet"}))?;
//! drop(w); // closes the document
//! let doc: serde_json::Value = serde_json::from_slice(&out)?;
//! assert_eq!(doc["Frame 1"]["protocols"], "Ethernet");
//! # Ok::<(), Box<dyn std::error::Error>>(())
//! ```
#![warn(missing_docs)]

mod dumper;
mod encode;
mod error;
mod foreign;
mod frame;
mod json;
mod key;
mod outbuf;
mod pcap;
mod plist;
mod tree;

use std::fmt;

use serde::Serialize;

pub use dumper::{DumpOptions, Dumper, Out, Renderer};
pub use error::{DumpError, Result, UnknownFormat};
pub use foreign::Tree;
pub use frame::FrameDoc;
pub use json::{CompactBytesFormatter, JsonWriter, JsonlWriter, TabFormatter};
pub use outbuf::DEFAULT_BUFFER;
pub use pcap::{ByteOrder, PcapDumper, PcapOptions};
pub use plist::PlistWriter;
pub use tree::TreeWriter;

/// Output formats, as PyPCAPKit names them (plus `jsonl`).
pub const FORMATS: [&str; 5] = ["json", "plist", "tree", "pcap", "jsonl"];

/// A writer of named blocks: the common interface of the text formats.
pub trait BlockWriter {
    /// Writes one block (`"Frame 1": {...}`). A block that fails to serialize is left
    /// out whole and its error returned; the document stays valid.
    fn write_block<N, T>(&mut self, name: &N, body: &T) -> Result<()>
    where
        N: fmt::Display + ?Sized,
        T: Serialize + ?Sized;

    /// Closes the document and flushes everything to the underlying writer.
    /// Idempotent; also done (errors ignored) when the writer is dropped.
    fn finish(&mut self) -> Result<()>;
}

/// An output format.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
pub enum Format {
    /// PyPCAPKit's JSON document (`.json`).
    Json,
    /// JSON Lines: one object per block (`.jsonl`).
    Jsonl,
    /// Apple XML property list (`.plist`).
    Plist,
    /// PyPCAPKit's tree text (`.txt`).
    Tree,
    /// The frames as a PCAP file (`.pcap`).
    Pcap,
}

impl Format {
    /// Every format.
    pub const ALL: [Format; 5] = [
        Format::Json,
        Format::Jsonl,
        Format::Plist,
        Format::Tree,
        Format::Pcap,
    ];

    /// Parses a format name, ignoring case. PyPCAPKit's aliases are accepted: `xml` for
    /// plist, `txt` for tree, `cap` for pcap.
    pub fn from_name(name: &str) -> std::result::Result<Self, UnknownFormat> {
        let n = name.trim().to_ascii_lowercase();
        Ok(match n.as_str() {
            "json" => Format::Json,
            "jsonl" | "ndjson" => Format::Jsonl,
            "plist" | "xml" => Format::Plist,
            "tree" | "txt" => Format::Tree,
            "pcap" | "cap" => Format::Pcap,
            _ => return Err(UnknownFormat(name.to_owned())),
        })
    }

    /// The format's name (`json`, `jsonl`, `plist`, `tree`, `pcap`).
    pub const fn name(self) -> &'static str {
        match self {
            Format::Json => "json",
            Format::Jsonl => "jsonl",
            Format::Plist => "plist",
            Format::Tree => "tree",
            Format::Pcap => "pcap",
        }
    }

    /// The file extension, with its dot (`.json`, `.jsonl`, `.plist`, `.txt`, `.pcap`).
    pub const fn extension(self) -> &'static str {
        match self {
            Format::Json => ".json",
            Format::Jsonl => ".jsonl",
            Format::Plist => ".plist",
            Format::Tree => ".txt",
            Format::Pcap => ".pcap",
        }
    }
}

impl fmt::Display for Format {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.name())
    }
}

impl std::str::FromStr for Format {
    type Err = UnknownFormat;
    fn from_str(s: &str) -> std::result::Result<Self, UnknownFormat> {
        Format::from_name(s)
    }
}

/// Which `packet` bytes the frame blocks carry.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, Default)]
pub enum PacketMode {
    /// Every layer's `packet` and the frame's (PyPCAPKit's output).
    #[default]
    All,
    /// Only the frame-level `packet` (the captured bytes), once.
    Frame,
    /// No `packet` bytes at all.
    None,
}

impl PacketMode {
    /// Parses `all`, `frame` or `none` (any case).
    pub fn from_name(name: &str) -> Option<Self> {
        match name.trim().to_ascii_lowercase().as_str() {
            "all" => Some(PacketMode::All),
            "frame" => Some(PacketMode::Frame),
            "none" => Some(PacketMode::None),
            _ => None,
        }
    }

    /// Whether each layer writes its `packet`.
    pub const fn layer_packets(self) -> bool {
        matches!(self, PacketMode::All)
    }

    /// Whether the frame writes its `packet`.
    pub const fn frame_packet(self) -> bool {
        !matches!(self, PacketMode::None)
    }
}

/// The name of a block in the document, as PyPCAPKit writes it.
///
/// ```
/// use pcapkit_dump::BlockName;
///
/// assert_eq!(BlockName::Frame(12).to_string(), "Frame 12");
/// assert_eq!(BlockName::SystemdJournal(1).to_string(), "systemd Journal Export 1");
/// ```
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
pub enum BlockName {
    /// The PCAP global header.
    GlobalHeader,
    /// A frame (1-based, global across PCAPNG sections).
    Frame(u64),
    /// A PCAPNG section header block (k-th section).
    SectionHeader(u64),
    /// A PCAPNG interface description block (n-th in its section).
    InterfaceDescription(u64),
    /// A PCAPNG name resolution block.
    NameResolution(u64),
    /// A PCAPNG interface statistics block.
    InterfaceStatistics(u64),
    /// A PCAPNG decryption secrets block.
    DecryptionSecrets(u64),
    /// A PCAPNG systemd journal export block.
    SystemdJournal(u64),
    /// A PCAPNG custom block.
    Custom(u64),
    /// A PCAPNG block of unknown type.
    Unknown(u64),
}

impl BlockName {
    /// The name without its number (`Frame`, `Section Header`, `Global Header`).
    pub const fn kind(&self) -> &'static str {
        match self {
            BlockName::GlobalHeader => "Global Header",
            BlockName::Frame(_) => "Frame",
            BlockName::SectionHeader(_) => "Section Header",
            BlockName::InterfaceDescription(_) => "Interface Description",
            BlockName::NameResolution(_) => "Name Resolution",
            BlockName::InterfaceStatistics(_) => "Interface Statistics",
            BlockName::DecryptionSecrets(_) => "Decryption Secrets",
            BlockName::SystemdJournal(_) => "systemd Journal Export",
            BlockName::Custom(_) => "Custom",
            BlockName::Unknown(_) => "Unknown",
        }
    }

    /// The block's number (none for the global header).
    pub const fn number(&self) -> Option<u64> {
        match *self {
            BlockName::GlobalHeader => None,
            BlockName::Frame(n)
            | BlockName::SectionHeader(n)
            | BlockName::InterfaceDescription(n)
            | BlockName::NameResolution(n)
            | BlockName::InterfaceStatistics(n)
            | BlockName::DecryptionSecrets(n)
            | BlockName::SystemdJournal(n)
            | BlockName::Custom(n)
            | BlockName::Unknown(n) => Some(n),
        }
    }
}

impl fmt::Display for BlockName {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.kind())?;
        match self.number() {
            Some(n) => write!(f, " {n}"),
            None => Ok(()),
        }
    }
}

/// Names PCAPNG non-packet blocks as PyPCAPKit does: `Section Header k` counts sections
/// over the file, the other kinds (`Interface Description n`, `Name Resolution n`, ...)
/// count within their section.
///
/// ```
/// use pcapkit_core::pcapng::UnknownBlock;
/// use pcapkit_core::Block;
/// use pcapkit_dump::{BlockName, BlockNamer};
///
/// let mut names = BlockNamer::default();
/// let unknown = pcapkit_core::Block::Unknown(UnknownBlock {
///     block_type: 99, section: 1, offset: 0, raw: &[], length: 12, body: &[],
/// });
/// assert_eq!(names.name(&unknown), BlockName::Unknown(1));
/// assert_eq!(names.name(&unknown), BlockName::Unknown(2));
/// ```
#[derive(Clone, Debug, Default)]
pub struct BlockNamer {
    sections: u64,
    per_section: [u64; 7],
}

impl BlockNamer {
    /// The name of `block`, counting it.
    pub fn name(&mut self, block: &pcapkit_core::Block<'_>) -> BlockName {
        let slot = match block {
            pcapkit_core::Block::SectionHeader(_) => {
                self.sections += 1;
                self.per_section = [0; 7];
                return BlockName::SectionHeader(self.sections);
            }
            pcapkit_core::Block::InterfaceDescription(_) => 0,
            pcapkit_core::Block::NameResolution(_) => 1,
            pcapkit_core::Block::InterfaceStatistics(_) => 2,
            pcapkit_core::Block::DecryptionSecrets(_) => 3,
            pcapkit_core::Block::SystemdJournal(_) => 4,
            pcapkit_core::Block::Custom(_) => 5,
            pcapkit_core::Block::Unknown(_) => 6,
        };
        let n = match self.per_section.get_mut(slot) {
            Some(n) => {
                *n += 1;
                *n
            }
            None => 0,
        };
        match block {
            pcapkit_core::Block::InterfaceDescription(_) => BlockName::InterfaceDescription(n),
            pcapkit_core::Block::NameResolution(_) => BlockName::NameResolution(n),
            pcapkit_core::Block::InterfaceStatistics(_) => BlockName::InterfaceStatistics(n),
            pcapkit_core::Block::DecryptionSecrets(_) => BlockName::DecryptionSecrets(n),
            pcapkit_core::Block::SystemdJournal(_) => BlockName::SystemdJournal(n),
            pcapkit_core::Block::Custom(_) => BlockName::Custom(n),
            pcapkit_core::Block::SectionHeader(_) | pcapkit_core::Block::Unknown(_) => {
                BlockName::Unknown(n)
            }
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn format_names() {
        for f in Format::ALL {
            assert_eq!(Format::from_name(f.name()), Ok(f));
            assert!(FORMATS.contains(&f.name()));
        }
        assert_eq!(Format::from_name("XML"), Ok(Format::Plist));
        assert_eq!(Format::from_name("txt"), Ok(Format::Tree));
        assert_eq!(Format::from_name("cap"), Ok(Format::Pcap));
        assert_eq!(Format::Tree.extension(), ".txt");
        assert_eq!(
            Format::from_name("yaml").unwrap_err().to_string(),
            "unknown output format \"yaml\": expected one of json, jsonl, plist, tree, pcap"
        );
    }

    #[test]
    fn block_names() {
        assert_eq!(BlockName::GlobalHeader.to_string(), "Global Header");
        assert_eq!(BlockName::SectionHeader(2).to_string(), "Section Header 2");
        assert_eq!(
            BlockName::InterfaceDescription(1).to_string(),
            "Interface Description 1"
        );
        assert_eq!(
            BlockName::DecryptionSecrets(3).to_string(),
            "Decryption Secrets 3"
        );
    }

    #[test]
    fn packet_modes() {
        assert_eq!(PacketMode::from_name("FRAME"), Some(PacketMode::Frame));
        assert_eq!(PacketMode::from_name("x"), None);
        assert!(PacketMode::All.layer_packets() && PacketMode::All.frame_packet());
        assert!(!PacketMode::Frame.layer_packets() && PacketMode::Frame.frame_packet());
        assert!(!PacketMode::None.frame_packet());
    }
}
