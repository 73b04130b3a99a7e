//! Packet Block (type 2, obsolete; superseded by the Enhanced Packet Block).

use nom::Parser;
use nom::number::complete::{u16 as nom_u16, u32 as nom_u32};

use super::epb::split_data;
use super::{BlockPos, BodyError, Options, block_type};

mod field {
    /// Interface id (16 bits), drops count (16 bits), timestamp, lengths.
    pub const FIXED_LEN: usize = 20;
}

/// An obsolete Packet Block, as parsed.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub(crate) struct PacketBlock<'a> {
    pub(crate) interface_id: u16,
    pub(crate) drop_count: u16,
    pub(crate) raw_timestamp: u64,
    pub(crate) captured_len: u32,
    pub(crate) original_len: u32,
    pub(crate) data: &'a [u8],
    pub(crate) options: Options<'a>,
}

impl<'a> PacketBlock<'a> {
    pub(crate) fn parse(body: &'a [u8], pos: BlockPos<'_>) -> Result<Self, BodyError> {
        let e = pos.endian.nom();
        let parsed: nom::IResult<&[u8], _> = (
            nom_u16(e),
            nom_u16(e),
            nom_u32(e),
            nom_u32(e),
            nom_u32(e),
            nom_u32(e),
        )
            .parse(body);
        let (rest, (interface_id, drop_count, ts_high, ts_low, captured_len, original_len)) =
            parsed.map_err(|_| BodyError::short("packet", field::FIXED_LEN, body))?;
        let (data, opts) = split_data(rest, captured_len, field::FIXED_LEN)?;
        let opts_at = body.len() - opts.len();
        let options = Options::parse(opts, pos.endian, block_type::PB)
            .map_err(|err| BodyError::new(err.kind, err.at + opts_at))?;
        Ok(Self {
            interface_id,
            drop_count,
            raw_timestamp: (u64::from(ts_high) << 32) | u64::from(ts_low),
            captured_len,
            original_len,
            data,
            options,
        })
    }
}
