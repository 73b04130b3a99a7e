//! Interface Statistics Block (type 5).

use nom::Parser;
use nom::number::complete::u32 as nom_u32;

use super::{BlockPos, BodyError, Options, TsResolution, block_type};
use crate::Timestamp;

mod field {
    /// Interface id, timestamp (high, low).
    pub const FIXED_LEN: usize = 12;
}

/// An Interface Statistics Block.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct InterfaceStatisticsBlock<'a> {
    /// 1-based section number.
    pub section: u32,
    /// Absolute byte offset of the block.
    pub offset: u64,
    /// The whole block as stored (header to trailing length).
    pub raw: &'a [u8],
    /// Block total length.
    pub length: u32,
    /// Interface the statistics are about (may name no known interface; not an error).
    pub interface_id: u32,
    /// Raw 64-bit timestamp.
    pub raw_timestamp: u64,
    /// The timestamp in the interface's resolution (10^-6 when the interface is unknown).
    pub timestamp: Timestamp,
    /// The interface's resolution used for `timestamp`.
    pub tsresol: TsResolution,
    /// Options (`isb_starttime`, `isb_ifrecv`, ... counters).
    pub options: Options<'a>,
}

impl<'a> InterfaceStatisticsBlock<'a> {
    /// `iface` is the resolution and offset of the interface, if it is known.
    pub(crate) fn parse(
        body: &'a [u8],
        pos: BlockPos<'a>,
        iface: impl Fn(u32) -> Option<(TsResolution, i64)>,
    ) -> Result<Self, BodyError> {
        let e = pos.endian.nom();
        let parsed: nom::IResult<&[u8], _> = (nom_u32(e), nom_u32(e), nom_u32(e)).parse(body);
        let (opts, (interface_id, hi, lo)) =
            parsed.map_err(|_| BodyError::short("interface statistics", field::FIXED_LEN, body))?;
        let options = Options::parse(opts, pos.endian, block_type::ISB)
            .map_err(|err| BodyError::new(err.kind, err.at + field::FIXED_LEN))?;
        let raw_timestamp = (u64::from(hi) << 32) | u64::from(lo);
        let (tsresol, tsoffset) = iface(interface_id).unwrap_or_default();
        let options = options.with_time_base(tsresol, tsoffset);
        Ok(Self {
            section: pos.section,
            offset: pos.offset,
            raw: pos.raw,
            length: pos.length,
            interface_id,
            raw_timestamp,
            timestamp: Timestamp::from_raw(raw_timestamp, tsresol, tsoffset),
            tsresol,
            options,
        })
    }
}
