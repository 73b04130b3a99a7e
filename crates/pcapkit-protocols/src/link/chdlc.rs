//! Cisco HDLC (link type C_HDLC, 104; and frames of the PPP link types that start with
//! a Cisco HDLC address): address, control, then an EtherType.

use serde::Serialize;

use crate::consts::reg::EtherType;
use crate::error::Result;
use crate::protocol::{Ctx, Header, Level, Next, Parse, Parsed, RawProto};
use crate::wire;

use super::bytes::{u8_at, u16_at};

/// Length of the header.
pub const HEADER_LEN: usize = 4;

/// Address of a unicast frame.
pub const ADDR_UNICAST: u8 = 0x0f;
/// Address of a multicast (broadcast) frame.
pub const ADDR_MULTICAST: u8 = 0x8f;

/// Cisco's Serial Line ARP protocol code (the RARP EtherType on Ethernet).
const PROTOCOL_SLARP: u16 = 0x8035;

mod field {
    use super::super::bytes::Field;
    pub const ADDRESS: usize = 0;
    pub const CONTROL: usize = 1;
    pub const PROTOCOL: Field = 2..4;
}

/// A Cisco HDLC header (`chdlc`, chain token `CHDLC`; PyPCAPKit has no decoder for it,
/// the names follow its style). The protocol field is an EtherType; 0x8035 is Cisco's
/// SLARP (kept `raw`, named), not RARP.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize)]
pub struct CHdlc {
    /// Address (0x0f unicast, 0x8f multicast).
    pub address: u8,
    /// Control (0x00).
    pub control: u8,
    /// Protocol of the payload.
    #[serde(rename = "type")]
    pub protocol: EtherType,
}

impl Header for CHdlc {
    const NAME: &'static str = "CHDLC";
    const KEY: &'static str = "chdlc";
    const LEVEL: Option<Level> = Some(Level::Link);
    const ALIASES: &'static [&'static str] = &["C_HDLC"];
}

impl CHdlc {
    /// Whether a frame of a PPP link type is Cisco HDLC instead (tshark's rule: its
    /// first byte is a Cisco HDLC address).
    pub fn starts(data: &[u8]) -> bool {
        matches!(data.first(), Some(&(ADDR_UNICAST | ADDR_MULTICAST)))
    }
}

impl<'a> Parse<'a> for CHdlc {
    fn parse(data: &'a [u8], ctx: &Ctx) -> Result<Parsed<Self>> {
        wire::need(Self::NAME, ctx, data, HEADER_LEN)?;
        let protocol = u16_at(data, field::PROTOCOL);
        let next = if protocol == PROTOCOL_SLARP {
            Next::Raw(RawProto::Named("SLARP"), None)
        } else {
            Next::EtherType(EtherType(protocol))
        };
        Ok(Parsed {
            header: CHdlc {
                address: u8_at(data, field::ADDRESS),
                control: u8_at(data, field::CONTROL),
                protocol: EtherType(protocol),
            },
            header_len: HEADER_LEN,
            payload_len: data.len() - HEADER_LEN,
            next,
        })
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::error::DissectError;
    use crate::{DissectOptions, dissect};
    use pcapkit_core::LinkType;

    /// Unicast, IPv4, then the first byte of the datagram.
    static UNICAST_IPV4: [u8; 5] = [0x0f, 0x00, 0x08, 0x00, 0x45];

    #[test]
    fn test_parse() {
        let p = CHdlc::parse(&UNICAST_IPV4, &Ctx::default()).unwrap();
        assert_eq!(p.header.address, ADDR_UNICAST);
        assert_eq!(p.header.control, 0);
        assert_eq!(p.header.protocol, EtherType::Internet_Protocol_version_4);
        assert_eq!(p.header_len, 4);
        assert_eq!(p.payload_len, 1);
        assert_eq!(
            p.next,
            Next::EtherType(EtherType::Internet_Protocol_version_4)
        );
        assert_eq!(
            serde_json::to_value(p.header).unwrap(),
            serde_json::json!({
                "address": 15,
                "control": 0,
                "type": "EtherType::Internet_Protocol_version_4 [2048]",
            })
        );
    }

    #[test]
    fn slarp_is_not_rarp() {
        let p = CHdlc::parse(&[0x8f, 0x00, 0x80, 0x35, 0, 0, 0, 2], &Ctx::default()).unwrap();
        assert_eq!(p.next, Next::Raw(RawProto::Named("SLARP"), None));
    }

    #[test]
    fn test_truncated() {
        let ctx = Ctx {
            offset: 0,
            ..Ctx::default()
        };
        assert_eq!(
            CHdlc::parse(&UNICAST_IPV4[..3], &ctx).unwrap_err(),
            DissectError::truncated("CHDLC", 0, 4, 3)
        );
    }

    #[test]
    fn link_types_pick_chdlc_or_ppp() {
        let ip = [
            0x45, 0, 0, 20, 0, 0, 0, 0, 64, 59, 0, 0, 10, 0, 0, 1, 10, 0, 0, 2,
        ];
        let framed = |head: &[u8]| [head, &ip[..]].concat();
        for (link, head, chain) in [
            (LinkType::C_HDLC, &[0x0f, 0, 0x08, 0][..], "CHDLC:IPv4"),
            (LinkType::PPP, &[0xff, 0x03, 0x00, 0x21][..], "PPP:IPv4"),
            (LinkType::PPP, &[0x00, 0x21][..], "PPP:IPv4"),
            (
                LinkType::PPP_HDLC,
                &[0xff, 0x03, 0x00, 0x21][..],
                "PPP:IPv4",
            ),
            (LinkType::PPP_HDLC, &[0x8f, 0, 0x08, 0][..], "CHDLC:IPv4"),
        ] {
            let frame = framed(head);
            let p = dissect(link, &frame, &DissectOptions::default());
            assert_eq!(p.protocols().to_string(), chain, "{link:?} {head:02x?}");
            assert!(p.error().is_none());
        }
    }
}
