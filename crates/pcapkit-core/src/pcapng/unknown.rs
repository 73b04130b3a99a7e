//! Blocks of a type this crate does not parse.

use super::BlockPos;

/// A block of an unknown type: kept whole so nothing is lost.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct UnknownBlock<'a> {
    /// Block type.
    pub block_type: u32,
    /// 1-based section number.
    pub section: u32,
    /// Absolute byte offset of the block.
    pub offset: u64,
    /// The whole block as stored (header to trailing length).
    pub raw: &'a [u8],
    /// Block total length.
    pub length: u32,
    /// The body (between the block header and the trailing length).
    pub body: &'a [u8],
}

impl<'a> UnknownBlock<'a> {
    pub(crate) fn parse(body: &'a [u8], pos: BlockPos<'a>) -> Self {
        Self {
            block_type: pos.block_type,
            section: pos.section,
            offset: pos.offset,
            raw: pos.raw,
            length: pos.length,
            body,
        }
    }
}
