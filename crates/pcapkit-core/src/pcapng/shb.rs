//! Section Header Block (type 0x0A0D0D0A).

use nom::Parser;
use nom::number::complete::{i64 as nom_i64, u16 as nom_u16, u32 as nom_u32};

use super::{BlockPos, BodyError, Options, block_type};
use crate::{Endian, ErrorKind};

mod field {
    /// Byte-order magic, version, section length.
    pub const FIXED_LEN: usize = 16;
}

/// The byte-order magic as a `u32` in the section's own order.
pub(crate) const BYTE_ORDER_MAGIC: u32 = 0x1A2B_3C4D;

/// Reads the byte order from the byte-order magic (the 4 bytes after the block header).
pub(crate) fn endian_of(bom: [u8; 4]) -> Result<Endian, ErrorKind> {
    if u32::from_le_bytes(bom) == BYTE_ORDER_MAGIC {
        Ok(Endian::Little)
    } else if u32::from_be_bytes(bom) == BYTE_ORDER_MAGIC {
        Ok(Endian::Big)
    } else {
        Err(ErrorKind::BadByteOrderMagic { magic: bom })
    }
}

/// A Section Header Block: a new section with its own byte order starts here.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct SectionHeaderBlock<'a> {
    /// 1-based section number.
    pub number: u32,
    /// Absolute byte offset of the block.
    pub offset: u64,
    /// The whole block as stored (header to trailing length).
    pub raw: &'a [u8],
    /// Block total length.
    pub length: u32,
    /// Byte order of the section.
    pub endian: Endian,
    /// Major version (1).
    pub version_major: u16,
    /// Minor version (0).
    pub version_minor: u16,
    /// Section length in bytes, -1 when not given.
    pub section_length: i64,
    /// Options (`shb_hardware`, `shb_os`, `shb_userappl`, comments, custom).
    pub options: Options<'a>,
}

impl<'a> SectionHeaderBlock<'a> {
    /// Parses the body; `pos.section` is the number this section gets.
    pub(crate) fn parse(body: &'a [u8], pos: BlockPos<'a>) -> Result<Self, BodyError> {
        let e = pos.endian.nom();
        let parsed: nom::IResult<&[u8], _> =
            (nom_u32(e), nom_u16(e), nom_u16(e), nom_i64(e)).parse(body);
        let (opts, (_bom, version_major, version_minor, section_length)) =
            parsed.map_err(|_| BodyError::short("section header", field::FIXED_LEN, body))?;
        if version_major != 1 {
            return Err(BodyError::new(
                ErrorKind::UnsupportedVersion {
                    major: version_major,
                    minor: version_minor,
                },
                4,
            ));
        }
        let options = Options::parse(opts, pos.endian, block_type::SHB)
            .map_err(|err| BodyError::new(err.kind, err.at + field::FIXED_LEN))?;
        Ok(Self {
            number: pos.section,
            offset: pos.offset,
            raw: pos.raw,
            length: pos.length,
            endian: pos.endian,
            version_major,
            version_minor,
            section_length,
            options,
        })
    }
}
