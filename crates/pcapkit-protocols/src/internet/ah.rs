//! IP Authentication Header (RFC 4302): its own layer over IPv4 (`ipv4.ah.tcp`), an
//! extension header inside IPv6 (`ipv6.ah`, chain `IPv6:AH:TCP`).

use serde::Serialize;

use crate::consts::reg::TransType;
use crate::error::{DissectError, Result};
use crate::internet::common::Reader;
use crate::protocol::{Ctx, Header, Level, Next, Parse, Parsed};
use crate::ser::Bytes;
use crate::wire;

/// Bytes before the ICV.
pub const FIXED_LEN: usize = 12;

/// An Authentication Header (`ah`, chain token `AH`).
#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize)]
pub struct Ah<'a> {
    /// Next header.
    pub next: TransType,
    /// Header length in bytes ((field + 2) × 4).
    pub length: u16,
    /// Security parameters index.
    pub spi: u32,
    /// Sequence number.
    pub seq: u32,
    /// Integrity check value.
    pub icv: Bytes<'a>,
}

impl Header for Ah<'_> {
    const NAME: &'static str = "AH";
    const KEY: &'static str = "ah";
    const LEVEL: Option<Level> = Some(Level::Internet);
}

impl<'a> Parse<'a> for Ah<'a> {
    fn parse(data: &'a [u8], ctx: &Ctx) -> Result<Parsed<Self>> {
        wire::need(Self::NAME, ctx, data, FIXED_LEN)?;
        let mut r = Reader::new(data);
        let next = TransType(r.u8().unwrap_or_default());
        let len = r.u8().unwrap_or_default();
        let _reserved = r.u16();
        let spi = r.u32().unwrap_or_default();
        let seq = r.u32().unwrap_or_default();
        let length = (u16::from(len) + 2) * 4;
        if usize::from(length) < FIXED_LEN {
            return Err(DissectError::bad_value(
                Self::NAME,
                ctx.offset + 1,
                "length",
                len.into(),
                "at least 1 (a 12-byte header)",
            ));
        }
        wire::need(Self::NAME, ctx, data, length.into())?;
        let icv = r.bytes(usize::from(length) - FIXED_LEN).unwrap_or_default();
        Ok(Parsed {
            header: Ah {
                next,
                length,
                spi,
                seq,
                icv: Bytes(icv),
            },
            header_len: length.into(),
            payload_len: data.len() - usize::from(length),
            next: Next::IpProto(next),
        })
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    /// From libpcap__ipv6_ah_modes.pcap frame 1: next UDP, 20 bytes, SPI 0x12345678.
    static AH: [u8; 21] = [
        0x11, 0x03, 0x00, 0x00, 0x12, 0x34, 0x56, 0x78, 0x00, 0x00, 0x00, 0x00, 0x01, 0x01, 0x01,
        0x01, 0x01, 0x01, 0x01, 0x01, 0xff,
    ];

    #[test]
    fn test_parse() {
        let p = Ah::parse(&AH, &Ctx::default()).unwrap();
        assert_eq!(p.header.length, 20);
        assert_eq!(p.header.spi, 0x1234_5678);
        assert_eq!(p.header.seq, 0);
        assert_eq!(p.header.icv, Bytes(&[1; 8]));
        assert_eq!(p.header_len, 20);
        assert_eq!(p.payload_len, 1);
        assert_eq!(p.next, Next::IpProto(TransType::UDP));
        let v = serde_json::to_value(p.header).unwrap();
        assert_eq!(v["next"], "TransType::UDP [17]");
        assert_eq!(v["spi"], 305419896);
        let keys: Vec<_> = v.as_object().unwrap().keys().cloned().collect();
        assert_eq!(keys.len(), 5);
    }

    #[test]
    fn test_impossible_len() {
        let e = Ah::parse(&AH[..11], &Ctx::default()).unwrap_err();
        assert_eq!(e, DissectError::truncated("AH", 0, 12, 11));
        let e = Ah::parse(&AH[..16], &Ctx::default()).unwrap_err();
        assert_eq!(e, DissectError::truncated("AH", 0, 20, 16));
        let mut b = AH;
        b[1] = 0;
        let e = Ah::parse(&b, &Ctx::default()).unwrap_err();
        assert_eq!(
            e.to_string(),
            "AH at byte 1: invalid length 0: expected at least 1 (a 12-byte header)"
        );
    }
}
