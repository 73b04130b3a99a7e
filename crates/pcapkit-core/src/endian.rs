//! Byte order of a capture file (PCAP) or section (PCAPNG).

use serde::{Serialize, Serializer};

/// Byte order of a PCAP file or of one PCAPNG section.
///
/// Serialises as PyPCAPKit's `byteorder` text: `"little"` or `"big"`.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, Default)]
pub enum Endian {
    /// Least significant byte first.
    #[default]
    Little,
    /// Most significant byte first (network order).
    Big,
}

impl Endian {
    /// The byte order of the machine running this code.
    pub const fn native() -> Self {
        if cfg!(target_endian = "big") {
            Self::Big
        } else {
            Self::Little
        }
    }

    /// PyPCAPKit's name: `"little"` or `"big"`.
    pub const fn as_str(self) -> &'static str {
        match self {
            Self::Little => "little",
            Self::Big => "big",
        }
    }

    /// The matching nom endianness.
    pub(crate) const fn nom(self) -> nom::number::Endianness {
        match self {
            Self::Little => nom::number::Endianness::Little,
            Self::Big => nom::number::Endianness::Big,
        }
    }

    /// Reads a `u16` from the first two bytes (`None` if fewer).
    #[inline]
    pub(crate) fn u16(self, b: &[u8]) -> Option<u16> {
        let a: [u8; 2] = b.get(..2)?.try_into().ok()?;
        Some(match self {
            Self::Little => u16::from_le_bytes(a),
            Self::Big => u16::from_be_bytes(a),
        })
    }

    /// Reads a `u32` from the first four bytes (`None` if fewer).
    #[inline]
    pub(crate) fn u32(self, b: &[u8]) -> Option<u32> {
        let a: [u8; 4] = b.get(..4)?.try_into().ok()?;
        Some(match self {
            Self::Little => u32::from_le_bytes(a),
            Self::Big => u32::from_be_bytes(a),
        })
    }

    /// Reads a `u64` from the first eight bytes (`None` if fewer).
    #[inline]
    pub(crate) fn u64(self, b: &[u8]) -> Option<u64> {
        let a: [u8; 8] = b.get(..8)?.try_into().ok()?;
        Some(match self {
            Self::Little => u64::from_le_bytes(a),
            Self::Big => u64::from_be_bytes(a),
        })
    }

    /// Encodes a `u16`.
    #[inline]
    pub(crate) fn put_u16(self, v: u16) -> [u8; 2] {
        match self {
            Self::Little => v.to_le_bytes(),
            Self::Big => v.to_be_bytes(),
        }
    }

    /// Encodes a `u32`.
    #[inline]
    pub(crate) fn put_u32(self, v: u32) -> [u8; 4] {
        match self {
            Self::Little => v.to_le_bytes(),
            Self::Big => v.to_be_bytes(),
        }
    }

    /// Encodes a `u64`.
    #[inline]
    pub(crate) fn put_u64(self, v: u64) -> [u8; 8] {
        match self {
            Self::Little => v.to_le_bytes(),
            Self::Big => v.to_be_bytes(),
        }
    }
}

impl Serialize for Endian {
    fn serialize<S: Serializer>(&self, s: S) -> Result<S::Ok, S::Error> {
        s.serialize_str(self.as_str())
    }
}

impl std::fmt::Display for Endian {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str(self.as_str())
    }
}
