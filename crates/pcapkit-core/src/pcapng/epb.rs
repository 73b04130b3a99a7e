//! Enhanced Packet Block (type 6).

use nom::Parser;
use nom::number::complete::u32 as nom_u32;

use super::{BlockPos, BodyError, Options, block_type, pad4};
use crate::ErrorKind;

mod field {
    /// Interface id, timestamp (high, low), captured length, original length.
    pub const FIXED_LEN: usize = 20;
}

/// An Enhanced Packet Block, as parsed (the reader turns it into a frame).
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub(crate) struct EnhancedPacketBlock<'a> {
    pub(crate) interface_id: u32,
    pub(crate) raw_timestamp: u64,
    pub(crate) captured_len: u32,
    pub(crate) original_len: u32,
    pub(crate) data: &'a [u8],
    pub(crate) options: Options<'a>,
}

impl<'a> EnhancedPacketBlock<'a> {
    pub(crate) fn parse(body: &'a [u8], pos: BlockPos<'_>) -> Result<Self, BodyError> {
        let e = pos.endian.nom();
        let parsed: nom::IResult<&[u8], _> =
            (nom_u32(e), nom_u32(e), nom_u32(e), nom_u32(e), nom_u32(e)).parse(body);
        let (rest, (interface_id, ts_high, ts_low, captured_len, original_len)) =
            parsed.map_err(|_| BodyError::short("enhanced packet", field::FIXED_LEN, body))?;
        let (data, opts) = split_data(rest, captured_len, field::FIXED_LEN)?;
        let opts_at = body.len() - opts.len();
        let options = Options::parse(opts, pos.endian, block_type::EPB)
            .map_err(|err| BodyError::new(err.kind, err.at + opts_at))?;
        Ok(Self {
            interface_id,
            raw_timestamp: (u64::from(ts_high) << 32) | u64::from(ts_low),
            captured_len,
            original_len,
            data,
            options,
        })
    }
}

/// Splits `rest` into `caplen` bytes of packet data and what follows its padding
/// (padding may be missing at the very end). `at` positions errors in the body.
pub(crate) fn split_data(rest: &[u8], caplen: u32, at: usize) -> Result<(&[u8], &[u8]), BodyError> {
    let too_long = || {
        BodyError::new(
            ErrorKind::CaplenExceedsBlock {
                caplen,
                available: u32::try_from(rest.len()).unwrap_or(u32::MAX),
            },
            at,
        )
    };
    let len = usize::try_from(caplen).map_err(|_| too_long())?;
    let data = rest.get(..len).ok_or_else(too_long)?;
    let padded = usize::try_from(pad4(caplen))
        .unwrap_or(usize::MAX)
        .min(rest.len());
    Ok((data, rest.get(padded..).unwrap_or_default()))
}
