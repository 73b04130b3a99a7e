//! PCAPNG: one parser per block type (one file each), options, sections, interfaces.
//!
//! Every block parser takes the block *body* (what lies between the 8-byte block header
//! and the trailing 4-byte length copy) after the reader has checked the envelope: total
//! length at least the type's minimum, a multiple of 4, within the configured maximum,
//! and equal to the trailing copy. Parsers are generic over the section's byte order
//! (a runtime [`Endian`]) and return borrowed views; variable parts (packet data,
//! options, records, secrets) are checked against the body before use.

mod custom;
mod dsb;
mod epb;
mod idb;
mod isb;
mod journal;
mod nrb;
mod options;
mod pb;
mod shb;
mod spb;
mod unknown;

pub use custom::CustomBlock;
pub use dsb::{DecryptionSecretsBlock, Secrets};
pub(crate) use epb::EnhancedPacketBlock;
pub use idb::InterfaceDescriptionBlock;
pub use isb::InterfaceStatisticsBlock;
pub use journal::SystemdJournalBlock;
pub use nrb::{NameRecord, NameRecords, NameResolutionBlock};
pub use options::{OptionValue, Options, OptionsIter, PacketFlags, PcapngOption, option_name};
pub(crate) use pb::PacketBlock;
pub use shb::SectionHeaderBlock;
pub(crate) use shb::endian_of;
pub(crate) use spb::SimplePacketBlock;
pub use unknown::UnknownBlock;

use crate::{Endian, ErrorKind, LinkType, Precision};

/// Block type numbers (the `pcapng__BlockType` registry values this crate parses).
pub mod block_type {
    /// Section Header Block.
    pub const SHB: u32 = 0x0A0D_0D0A;
    /// Interface Description Block.
    pub const IDB: u32 = 1;
    /// Packet Block (obsolete).
    pub const PB: u32 = 2;
    /// Simple Packet Block.
    pub const SPB: u32 = 3;
    /// Name Resolution Block.
    pub const NRB: u32 = 4;
    /// Interface Statistics Block.
    pub const ISB: u32 = 5;
    /// Enhanced Packet Block.
    pub const EPB: u32 = 6;
    /// systemd Journal Export Block.
    pub const JOURNAL: u32 = 9;
    /// Decryption Secrets Block.
    pub const DSB: u32 = 10;
    /// Custom Block that rewriters can copy into new files.
    pub const CB_COPY: u32 = 0x0000_0BAD;
    /// Custom Block that rewriters should not copy into new files.
    pub const CB_NO_COPY: u32 = 0x4000_0BAD;
}

/// A human name for a block type (for error messages).
pub fn block_type_name(t: u32) -> &'static str {
    match t {
        block_type::SHB => "Section Header Block",
        block_type::IDB => "Interface Description Block",
        block_type::PB => "Packet Block",
        block_type::SPB => "Simple Packet Block",
        block_type::NRB => "Name Resolution Block",
        block_type::ISB => "Interface Statistics Block",
        block_type::EPB => "Enhanced Packet Block",
        block_type::JOURNAL => "systemd Journal Export Block",
        block_type::DSB => "Decryption Secrets Block",
        block_type::CB_COPY | block_type::CB_NO_COPY => "Custom Block",
        _ => "unknown block type",
    }
}

/// The smallest valid block total length for a block type (header, fixed fields,
/// trailing length).
pub(crate) fn minimum_block_length(t: u32) -> u32 {
    match t {
        block_type::SHB => 28,
        block_type::IDB => 20,
        block_type::PB | block_type::EPB => 32,
        block_type::SPB | block_type::CB_COPY | block_type::CB_NO_COPY => 16,
        block_type::ISB => 24,
        block_type::DSB => 20,
        _ => 12,
    }
}

/// An error inside a block body, `at` bytes after the body start.
#[derive(Debug)]
pub(crate) struct BodyError {
    pub(crate) kind: ErrorKind,
    pub(crate) at: usize,
}

impl BodyError {
    pub(crate) fn new(kind: ErrorKind, at: usize) -> Self {
        Self { kind, at }
    }

    /// A fixed field missing (cannot happen once the minimum length was checked; kept
    /// so that a nom failure still maps to a typed error, never a panic).
    pub(crate) fn short(what: &'static str, expected: usize, body: &[u8]) -> Self {
        Self::new(
            ErrorKind::Truncated {
                what,
                expected: expected as u64,
                available: body.len() as u64,
            },
            0,
        )
    }
}

/// Rounds a length up to a multiple of 4 (no overflow for any `u32`).
#[inline]
pub(crate) fn pad4(len: u32) -> u64 {
    (u64::from(len) + 3) & !3
}

/// A PCAPNG timestamp resolution (`if_tsresol`): 10^-n or 2^-n seconds per unit.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
pub enum TsResolution {
    /// 10^-n seconds per unit (the default is n = 6, microseconds).
    Decimal(u8),
    /// 2^-n seconds per unit (`if_tsresol` with the high bit set).
    Binary(u8),
}

impl Default for TsResolution {
    fn default() -> Self {
        Self::Decimal(6)
    }
}

impl TsResolution {
    /// From the one-byte `if_tsresol` value.
    pub const fn from_option(v: u8) -> Self {
        if v & 0x80 != 0 {
            Self::Binary(v & 0x7f)
        } else {
            Self::Decimal(v)
        }
    }

    /// The one-byte `if_tsresol` value.
    pub const fn to_option(self) -> u8 {
        match self {
            Self::Decimal(n) => n & 0x7f,
            Self::Binary(n) => 0x80 | (n & 0x7f),
        }
    }

    /// Units per second, `None` when it does not fit in 128 bits (10^39 and finer, 2^128
    /// and finer; any 64-bit count is then below one nanosecond).
    #[inline]
    pub fn units_per_second(self) -> Option<u128> {
        match self {
            Self::Decimal(6) => Some(1_000_000),
            Self::Decimal(9) => Some(1_000_000_000),
            Self::Decimal(n) => 10u128.checked_pow(u32::from(n)),
            Self::Binary(n) => 1u128.checked_shl(u32::from(n)),
        }
    }

    /// Microsecond or nanosecond precision for display: finer than 10^6 units per
    /// second is `Nano`.
    pub fn precision(self) -> Precision {
        match self.units_per_second() {
            Some(u) if u <= 1_000_000 => Precision::Micro,
            _ => Precision::Nano,
        }
    }
}

impl serde::Serialize for TsResolution {
    /// As PyPCAPKit's `resolution`: units per second (a number; `null` when too large).
    fn serialize<S: serde::Serializer>(&self, s: S) -> Result<S::Ok, S::Error> {
        match self.units_per_second() {
            Some(u) => s.serialize_u128(u),
            None => s.serialize_none(),
        }
    }
}

/// One PCAPNG section: its Section Header Block, owned (see [`crate::Reader::section`]).
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Section {
    /// 1-based section number in the file.
    pub number: u32,
    /// Absolute byte offset of the SHB.
    pub offset: u64,
    /// Block total length of the SHB.
    pub length: u32,
    /// Byte order of every block of the section.
    pub endian: Endian,
    /// Major version (1).
    pub version_major: u16,
    /// Minor version (0).
    pub version_minor: u16,
    /// Section length in bytes, -1 when unknown.
    pub section_length: i64,
    /// The SHB's options, raw and validated.
    options: Vec<u8>,
}

impl Section {
    pub(crate) fn from_block(b: &SectionHeaderBlock<'_>) -> Self {
        Self {
            number: b.number,
            offset: b.offset,
            length: b.length,
            endian: b.endian,
            version_major: b.version_major,
            version_minor: b.version_minor,
            section_length: b.section_length,
            options: b.options.raw().to_vec(),
        }
    }

    /// The SHB's options.
    pub fn options(&self) -> Options<'_> {
        Options::trusted(&self.options, self.endian, block_type::SHB)
    }
}

/// One interface of the current section: its Interface Description Block, owned (see
/// [`crate::Reader::interfaces`]).
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Interface {
    /// Interface id: its index among the section's IDBs.
    pub id: u32,
    /// 1-based section number.
    pub section: u32,
    /// Absolute byte offset of the IDB.
    pub offset: u64,
    /// Link type of its packets.
    pub link_type: LinkType,
    /// Snapshot length, 0 = unlimited.
    pub snaplen: u32,
    /// `if_tsresol` (default 10^-6).
    pub tsresol: TsResolution,
    /// `if_tsoffset` in seconds (default 0).
    pub tsoffset: i64,
    endian: Endian,
    options: Vec<u8>,
}

impl Interface {
    pub(crate) fn from_block(b: &InterfaceDescriptionBlock<'_>) -> Self {
        Self {
            id: b.interface_id,
            section: b.section,
            offset: b.offset,
            link_type: b.link_type,
            snaplen: b.snaplen,
            tsresol: b.tsresol,
            tsoffset: b.tsoffset,
            endian: b.options.endian(),
            options: b.options.raw().to_vec(),
        }
    }

    /// The IDB's options.
    pub fn options(&self) -> Options<'_> {
        Options::trusted(&self.options, self.endian, block_type::IDB)
    }

    /// The `if_name` option, if any.
    pub fn name(&self) -> Option<String> {
        self.options().iter().find_map(|o| match (o.code, o.value) {
            (2, OptionValue::Text(t)) => Some(t.into_owned()),
            _ => None,
        })
    }
}

/// A PCAPNG block that carries no packet, in file order (packet blocks become frames).
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum Block<'a> {
    /// Section Header Block: a new section starts.
    SectionHeader(SectionHeaderBlock<'a>),
    /// Interface Description Block: a new interface of the current section.
    InterfaceDescription(InterfaceDescriptionBlock<'a>),
    /// Name Resolution Block.
    NameResolution(NameResolutionBlock<'a>),
    /// Interface Statistics Block.
    InterfaceStatistics(InterfaceStatisticsBlock<'a>),
    /// Decryption Secrets Block.
    DecryptionSecrets(DecryptionSecretsBlock<'a>),
    /// systemd Journal Export Block.
    SystemdJournal(SystemdJournalBlock<'a>),
    /// Custom Block (2989 or 0x40000BAD).
    Custom(CustomBlock<'a>),
    /// Any other block type.
    Unknown(UnknownBlock<'a>),
}

impl Block<'_> {
    /// The block type number.
    pub fn block_type(&self) -> u32 {
        match self {
            Self::SectionHeader(_) => block_type::SHB,
            Self::InterfaceDescription(_) => block_type::IDB,
            Self::NameResolution(_) => block_type::NRB,
            Self::InterfaceStatistics(_) => block_type::ISB,
            Self::DecryptionSecrets(_) => block_type::DSB,
            Self::SystemdJournal(_) => block_type::JOURNAL,
            Self::Custom(b) => b.block_type,
            Self::Unknown(b) => b.block_type,
        }
    }

    /// Absolute byte offset of the block in the input.
    pub fn offset(&self) -> u64 {
        match self {
            Self::SectionHeader(b) => b.offset,
            Self::InterfaceDescription(b) => b.offset,
            Self::NameResolution(b) => b.offset,
            Self::InterfaceStatistics(b) => b.offset,
            Self::DecryptionSecrets(b) => b.offset,
            Self::SystemdJournal(b) => b.offset,
            Self::Custom(b) => b.offset,
            Self::Unknown(b) => b.offset,
        }
    }

    /// Block total length.
    pub fn length(&self) -> u32 {
        match self {
            Self::SectionHeader(b) => b.length,
            Self::InterfaceDescription(b) => b.length,
            Self::NameResolution(b) => b.length,
            Self::InterfaceStatistics(b) => b.length,
            Self::DecryptionSecrets(b) => b.length,
            Self::SystemdJournal(b) => b.length,
            Self::Custom(b) => b.length,
            Self::Unknown(b) => b.length,
        }
    }

    /// PyPCAPKit's block name prefix (`"Section Header"`, `"Interface Description"`,
    /// `"Name Resolution"`, ...); the output layer appends the per-section count.
    pub fn pypcapkit_name(&self) -> &'static str {
        match self {
            Self::SectionHeader(_) => "Section Header",
            Self::InterfaceDescription(_) => "Interface Description",
            Self::NameResolution(_) => "Name Resolution",
            Self::InterfaceStatistics(_) => "Interface Statistics",
            Self::DecryptionSecrets(_) => "Decryption Secrets",
            Self::SystemdJournal(_) => "systemd Journal Export",
            Self::Custom(_) => "Custom",
            Self::Unknown(_) => "Unknown",
        }
    }
}

/// Where a block sits: what every block parser needs besides its body.
#[derive(Clone, Copy, Debug)]
pub(crate) struct BlockPos<'a> {
    pub(crate) raw: &'a [u8],
    pub(crate) block_type: u32,
    pub(crate) length: u32,
    pub(crate) offset: u64,
    pub(crate) section: u32,
    pub(crate) endian: Endian,
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn tsresol() {
        assert_eq!(TsResolution::default().units_per_second(), Some(1_000_000));
        assert_eq!(
            TsResolution::from_option(9).units_per_second(),
            Some(1_000_000_000)
        );
        assert_eq!(
            TsResolution::from_option(0x8a).units_per_second(),
            Some(1024)
        );
        assert_eq!(
            TsResolution::from_option(38).units_per_second(),
            Some(10u128.pow(38))
        );
        assert_eq!(TsResolution::from_option(39).units_per_second(), None);
        assert_eq!(
            TsResolution::from_option(0xff).units_per_second(),
            Some(1 << 127)
        );
        assert_eq!(TsResolution::from_option(0x94).to_option(), 0x94);
        assert_eq!(TsResolution::from_option(3).precision(), Precision::Micro);
        assert_eq!(TsResolution::from_option(0x94).precision(), Precision::Nano);
        assert_eq!(
            TsResolution::from_option(0x93).precision(),
            Precision::Micro
        );
    }

    #[test]
    fn pad() {
        assert_eq!(pad4(0), 0);
        assert_eq!(pad4(1), 4);
        assert_eq!(pad4(4), 4);
        assert_eq!(pad4(u32::MAX), 1 << 32);
    }
}
