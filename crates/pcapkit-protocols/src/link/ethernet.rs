//! Ethernet II / IEEE 802.3 MAC header.

use nom::Parser;
use nom::number::complete::be_u16;
use serde::Serialize;

use crate::consts::reg::EtherType;
use crate::error::Result;
use crate::protocol::{Ctx, Header, Level, Next, Parse, Parsed, RawProto};
use crate::ser::MacAddr;
use crate::wire;

/// Length of the header.
pub const HEADER_LEN: usize = 14;

/// Smallest EtherType value; below it the field is an IEEE 802.3 length.
pub const ETHERTYPE_MIN: u16 = 0x0600;

/// An Ethernet header (`ethernet`, chain token `Ethernet`).
#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize)]
pub struct Ethernet {
    /// Destination MAC address.
    pub dst: MacAddr,
    /// Source MAC address.
    pub src: MacAddr,
    /// EtherType, or the IEEE 802.3 payload length when below 0x0600.
    #[serde(rename = "type")]
    pub ethertype: EtherType,
}

impl Header for Ethernet {
    const NAME: &'static str = "Ethernet";
    const KEY: &'static str = "ethernet";
    const LEVEL: Option<Level> = Some(Level::Link);
}

impl<'a> Parse<'a> for Ethernet {
    fn parse(data: &'a [u8], ctx: &Ctx) -> Result<Parsed<Self>> {
        wire::need(Self::NAME, ctx, data, HEADER_LEN)?;
        let (rest, (dst, src, ty)) = wire::finish(
            Self::NAME,
            ctx,
            data,
            (wire::mac, wire::mac, be_u16).parse(data),
        )?;
        let header = Ethernet {
            dst,
            src,
            ethertype: EtherType(ty),
        };
        let (payload_len, next) = if ty >= ETHERTYPE_MIN {
            (rest.len(), Next::EtherType(EtherType(ty)))
        } else {
            (
                usize::from(ty).min(rest.len()),
                Next::Raw(RawProto::EtherType(EtherType(ty)), None),
            )
        };
        Ok(Parsed {
            header,
            header_len: HEADER_LEN,
            payload_len,
            next,
        })
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::error::DissectError;

    static FRAME: [u8; 16] = [
        0x40, 0x33, 0x1a, 0xd1, 0x85, 0x1c, 0xa4, 0x5e, 0x60, 0xd9, 0x6b, 0x97, 0x86, 0xdd, 0x60,
        0x00,
    ];

    #[test]
    fn test_parse() {
        let p = Ethernet::parse(&FRAME, &Ctx::default()).unwrap();
        assert_eq!(p.header.dst.to_string(), "40:33:1a:d1:85:1c");
        assert_eq!(p.header.src.to_string(), "a4:5e:60:d9:6b:97");
        assert_eq!(p.header.ethertype, EtherType(0x86dd));
        assert_eq!(p.header_len, 14);
        assert_eq!(p.payload_len, 2);
        assert_eq!(p.next, Next::EtherType(EtherType(0x86dd)));
    }

    #[test]
    fn test_802_3_length_bounds_payload() {
        let mut frame = FRAME;
        frame[12] = 0x00;
        frame[13] = 0x01;
        let p = Ethernet::parse(&frame, &Ctx::default()).unwrap();
        assert_eq!(p.payload_len, 1);
    }

    #[test]
    fn test_impossible_len() {
        let ctx = Ctx {
            offset: 4,
            ..Ctx::default()
        };
        let e = Ethernet::parse(&FRAME[..13], &ctx).unwrap_err();
        assert_eq!(e, DissectError::truncated("Ethernet", 4, 14, 13));
    }
}
