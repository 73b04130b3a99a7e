//! Simple Packet Block (type 3).

use nom::Parser;
use nom::number::complete::u32 as nom_u32;

use super::{BlockPos, BodyError};

mod field {
    /// Original length.
    pub const FIXED_LEN: usize = 4;
}

/// A Simple Packet Block, as parsed: the captured length is not stored but is
/// `min(original length, snaplen of interface 0, bytes in the block)`.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub(crate) struct SimplePacketBlock<'a> {
    pub(crate) original_len: u32,
    pub(crate) data: &'a [u8],
}

impl<'a> SimplePacketBlock<'a> {
    /// `snaplen` is interface 0's (0 = unlimited).
    pub(crate) fn parse(
        body: &'a [u8],
        pos: BlockPos<'_>,
        snaplen: u32,
    ) -> Result<Self, BodyError> {
        let e = pos.endian.nom();
        let parsed: nom::IResult<&[u8], u32> = nom_u32(e).parse(body);
        let (rest, original_len) =
            parsed.map_err(|_| BodyError::short("simple packet", field::FIXED_LEN, body))?;
        let mut caplen = usize::try_from(original_len)
            .unwrap_or(usize::MAX)
            .min(rest.len());
        if snaplen != 0 {
            caplen = caplen.min(usize::try_from(snaplen).unwrap_or(usize::MAX));
        }
        Ok(Self {
            original_len,
            data: rest.get(..caplen).unwrap_or(rest),
        })
    }
}
