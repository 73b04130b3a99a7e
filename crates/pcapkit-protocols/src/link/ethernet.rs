//! Ethernet II / IEEE 802.3 MAC header.

use nom::Parser;
use nom::number::complete::be_u16;
use serde::Serialize;

use crate::ProtoId;
use crate::consts::reg::EtherType;
use crate::error::Result;
use crate::protocol::{Ctx, Header, Level, Next, Parse, Parsed};
use crate::ser::MacAddr;
use crate::wire;

/// Length of the header.
pub const HEADER_LEN: usize = 14;

/// Smallest EtherType value (IEEE 802.3 clause 3.2.6).
pub const ETHERTYPE_MIN: u16 = 0x0600;

/// Largest IEEE 802.3 length; up to it the type field is a length (as tshark reads it),
/// above it an EtherType (0x05DD..0x05FF are undefined and stay raw).
pub const MAX_LENGTH: u16 = 1500;

/// An Ethernet header (`ethernet`, chain token `Ethernet`).
///
/// Ethernet II frames hand their payload to the EtherType table. IEEE 802.3 frames (type
/// field up to 1500) carry `len` too and hand exactly `len` bytes to LLC (or to IPX when
/// they start `ff ff`, Novell's raw 802.3); the rest is padding. An EtherType without a
/// decoder is only an unknown value: the payload stays `raw` (PyPCAPKit lost the whole
/// layer, §10 #18).
#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize)]
pub struct Ethernet {
    /// Destination MAC address.
    pub dst: MacAddr,
    /// Source MAC address.
    pub src: MacAddr,
    /// EtherType, or the IEEE 802.3 payload length (PyPCAPKit's
    /// `EtherType::IEEE802_3_Length_Field_0x0064 [100]`).
    #[serde(rename = "type")]
    pub ethertype: EtherType,
    /// IEEE 802.3 payload length (tshark `eth.len`); absent for Ethernet II.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub len: Option<u16>,
}

/// Payload length and next decoder for a type-or-length field `ty` followed by `rest`
/// (Ethernet, 802.1Q).
pub(crate) fn type_or_length(ty: u16, rest: &[u8]) -> (usize, Next) {
    if ty > MAX_LENGTH {
        return (rest.len(), Next::EtherType(EtherType(ty)));
    }
    let len = usize::from(ty).min(rest.len());
    let next = if rest.starts_with(&[0xff, 0xff]) {
        Next::EtherType(super::ETHERTYPE_IPX)
    } else {
        Next::Proto(ProtoId::Llc)
    };
    (len, next)
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
            len: (ty <= MAX_LENGTH).then_some(ty),
        };
        let (payload_len, next) = type_or_length(ty, rest);
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
        assert_eq!(p.header.len, Some(1));
        assert_eq!(p.next, Next::Proto(ProtoId::Llc));
    }

    #[test]
    fn test_802_3_novell_raw_is_ipx() {
        let mut frame = [0u8; 20];
        frame[12] = 0x00;
        frame[13] = 0x04;
        frame[14] = 0xff;
        frame[15] = 0xff;
        let p = Ethernet::parse(&frame, &Ctx::default()).unwrap();
        assert_eq!(p.payload_len, 4);
        assert_eq!(p.next, Next::EtherType(EtherType(0x8137)));
    }

    #[test]
    fn test_length_boundary() {
        let mut frame = FRAME;
        frame[12..14].copy_from_slice(&1500u16.to_be_bytes());
        let p = Ethernet::parse(&frame, &Ctx::default()).unwrap();
        assert_eq!(p.header.len, Some(1500));
        assert_eq!(p.payload_len, 2);
        frame[12..14].copy_from_slice(&1501u16.to_be_bytes());
        let p = Ethernet::parse(&frame, &Ctx::default()).unwrap();
        assert_eq!(p.header.len, None);
        assert_eq!(p.next, Next::EtherType(EtherType(1501)));
    }

    #[test]
    fn test_serialize() {
        let p = Ethernet::parse(&FRAME, &Ctx::default()).unwrap();
        assert_eq!(
            serde_json::to_value(p.header).unwrap(),
            serde_json::json!({
                "dst": "40:33:1a:d1:85:1c",
                "src": "a4:5e:60:d9:6b:97",
                "type": "EtherType::Internet_Protocol_version_6 [34525]",
            })
        );
        let mut frame = FRAME;
        frame[12..14].copy_from_slice(&100u16.to_be_bytes());
        let p = Ethernet::parse(&frame, &Ctx::default()).unwrap();
        assert_eq!(
            serde_json::to_value(p.header).unwrap()["len"],
            serde_json::json!(100)
        );
    }

    #[test]
    fn pypcapkit_bug_18_unassigned_ethertype_is_raw_payload() {
        use crate::{DissectOptions, Protocol, RawProto, dissect};
        use pcapkit_core::LinkType;
        let mut frame = FRAME;
        frame[12..14].copy_from_slice(&0x1234u16.to_be_bytes());
        let p = dissect(LinkType::ETHERNET, &frame, &DissectOptions::default());
        let eth = p.get::<Ethernet>().expect("Ethernet layer kept");
        assert_eq!(eth.ethertype, EtherType(0x1234));
        assert_eq!(eth.ethertype.to_string(), "EtherType::Unknown [4660]");
        let Protocol::Raw(raw) = &p.layers()[1].header else {
            panic!("payload should be raw")
        };
        assert_eq!(raw.error, None);
        assert_eq!(raw.protocol, RawProto::EtherType(EtherType(0x1234)));
        assert_eq!(p.payload(&p.layers()[1]), &[0x60, 0x00]);
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
