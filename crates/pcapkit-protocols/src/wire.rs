//! nom building blocks shared by the protocol parsers: addresses, and turning nom's
//! errors into [`DissectError`]s with absolute offsets.

use std::net::{Ipv4Addr, Ipv6Addr};

use nom::bytes::complete::take;
use nom::number::complete::{be_u32, be_u128};
use nom::{IResult, Parser};

use crate::error::{DissectError, Result};
use crate::protocol::Ctx;
use crate::ser::MacAddr;

/// A 6-byte MAC address.
pub fn mac(input: &[u8]) -> IResult<&[u8], MacAddr> {
    take(6usize)
        .map(|b: &[u8]| {
            let mut m = [0u8; 6];
            m.copy_from_slice(b);
            MacAddr(m)
        })
        .parse(input)
}

/// A 4-byte IPv4 address.
pub fn ipv4(input: &[u8]) -> IResult<&[u8], Ipv4Addr> {
    be_u32.map(Ipv4Addr::from).parse(input)
}

/// A 16-byte IPv6 address.
pub fn ipv6(input: &[u8]) -> IResult<&[u8], Ipv6Addr> {
    be_u128.map(Ipv6Addr::from).parse(input)
}

/// Checks that `data` holds at least `needed` bytes for `layer`: the one length check
/// after which a fixed-size header's parser cannot fail.
pub fn need(layer: &'static str, ctx: &Ctx, data: &[u8], needed: usize) -> Result<()> {
    if data.len() < needed {
        Err(DissectError::truncated(
            layer,
            ctx.offset,
            needed,
            data.len(),
        ))
    } else {
        Ok(())
    }
}

/// Converts a nom result over `data` into a [`DissectError`] of `layer`: a parser that
/// ran out of input is a truncation at the offset where it stopped.
pub fn finish<'a, T>(
    layer: &'static str,
    ctx: &Ctx,
    data: &'a [u8],
    result: IResult<&'a [u8], T>,
) -> Result<(&'a [u8], T)> {
    result.map_err(|e| {
        let rest = match &e {
            nom::Err::Error(e) | nom::Err::Failure(e) => e.input,
            nom::Err::Incomplete(_) => &[][..],
        };
        let at = data.len() - rest.len();
        DissectError::truncated(layer, ctx.offset + at, at + 1, data.len())
    })
}
