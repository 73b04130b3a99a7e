//! Custom Blocks (types 0x00000BAD and 0x40000BAD).

use nom::Parser;
use nom::number::complete::u32 as nom_u32;

use super::{BlockPos, BodyError, block_type};

mod field {
    /// Private Enterprise Number.
    pub const FIXED_LEN: usize = 4;
}

/// A Custom Block: a Private Enterprise Number and opaque data (its options, if any,
/// cannot be told apart from the data without knowing the format).
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct CustomBlock<'a> {
    /// `0x00000BAD` (may be copied) or `0x40000BAD` (should not be copied).
    pub block_type: u32,
    /// 1-based section number.
    pub section: u32,
    /// Absolute byte offset of the block.
    pub offset: u64,
    /// The whole block as stored (header to trailing length).
    pub raw: &'a [u8],
    /// Block total length.
    pub length: u32,
    /// Private Enterprise Number.
    pub pen: u32,
    /// Everything after the PEN.
    pub data: &'a [u8],
}

impl<'a> CustomBlock<'a> {
    pub(crate) fn parse(body: &'a [u8], pos: BlockPos<'a>) -> Result<Self, BodyError> {
        let parsed: nom::IResult<&[u8], u32> = nom_u32(pos.endian.nom()).parse(body);
        let (data, pen) = parsed.map_err(|_| BodyError::short("custom", field::FIXED_LEN, body))?;
        Ok(Self {
            block_type: pos.block_type,
            section: pos.section,
            offset: pos.offset,
            raw: pos.raw,
            length: pos.length,
            pen,
            data,
        })
    }

    /// True for the type a rewriter may copy (0x00000BAD).
    pub fn copyable(&self) -> bool {
        self.block_type == block_type::CB_COPY
    }
}
