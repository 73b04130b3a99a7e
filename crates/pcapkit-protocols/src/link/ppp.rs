//! Point-to-Point Protocol framing (RFC 1661/1662) as carried by L2TP, PPPoE, GRE and
//! the NULL link type: optional `ff 03` address/control, then the protocol field.

use serde::Serialize;

use crate::consts::reg::EtherType;
use crate::error::Result;
use crate::protocol::{Ctx, Header, Level, Next, Parse, Parsed, RawProto};
use crate::wire;

use super::local_registry;

local_registry! {
    /// A PPP protocol number (IANA "PPP DLL Protocol Numbers"), printed
    /// `Protocol::Internet_Protocol_version_4 [33]`.
    PppProtocol(u16) as "Protocol" {
        Padding_Protocol = 0x0001,
        Internet_Protocol_version_4 = 0x0021,
        Novell_IPX = 0x002b,
        Van_Jacobson_Compressed_TCP_IP = 0x002d,
        Van_Jacobson_Uncompressed_TCP_IP = 0x002f,
        Multi_Link = 0x003d,
        Internet_Protocol_version_6 = 0x0057,
        Compressed_Datagram = 0x00fd,
        MPLS_Unicast = 0x0281,
        MPLS_Multicast = 0x0283,
        IP_Control_Protocol = 0x8021,
        IPX_Control_Protocol = 0x802b,
        IPv6_Control_Protocol = 0x8057,
        Compression_Control_Protocol = 0x80fd,
        Link_Control_Protocol = 0xc021,
        Password_Authentication_Protocol = 0xc023,
        Link_Quality_Report = 0xc025,
        Challenge_Handshake_Authentication_Protocol = 0xc223,
        Extensible_Authentication_Protocol = 0xc227,
    }
}

/// A PPP header (`ppp`, chain token `PPP`; PyPCAPKit's `ppp` module is an empty stub, the
/// names follow its style).
///
/// IPv4, IPv6, IPX and MPLS go to the EtherType table; control protocols stay `raw`,
/// named (`LCP`, `IPCP`, `IPV6CP`, `PAP`, `CHAP`, `CCP`, `EAP`).
#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize)]
pub struct Ppp {
    /// Address field (`0xff`), when the frame uses HDLC-like framing.
    pub address: Option<u8>,
    /// Control field (`0x03`), when the frame uses HDLC-like framing.
    pub control: Option<u8>,
    /// Protocol field (1 byte when compressed, else 2).
    pub protocol: PppProtocol,
}

impl Header for Ppp {
    const NAME: &'static str = "PPP";
    const KEY: &'static str = "ppp";
    const LEVEL: Option<Level> = Some(Level::Link);
}

/// Where a PPP protocol hands its payload.
fn next_of(protocol: u16) -> Next {
    let named = |n| Next::Raw(RawProto::Named(n), None);
    match protocol {
        0x0021 => Next::EtherType(EtherType::Internet_Protocol_version_4),
        0x0057 => Next::EtherType(EtherType::Internet_Protocol_version_6),
        0x002b => Next::EtherType(super::ETHERTYPE_IPX),
        0x0281 => Next::EtherType(EtherType(0x8847)),
        0x0283 => Next::EtherType(EtherType(0x8848)),
        0xc021 => named("LCP"),
        0x8021 => named("IPCP"),
        0x8057 => named("IPV6CP"),
        0xc023 => named("PAP"),
        0xc223 => named("CHAP"),
        0x80fd => named("CCP"),
        0xc227 => named("EAP"),
        _ => Next::End,
    }
}

impl<'a> Parse<'a> for Ppp {
    fn parse(data: &'a [u8], ctx: &Ctx) -> Result<Parsed<Self>> {
        let (address, control, start) = match data {
            [0xff, 0x03, ..] => (Some(0xff), Some(0x03), 2),
            _ => (None, None, 0),
        };
        wire::need(Self::NAME, ctx, data, start + 1)?;
        let first = super::bytes::u8_at(data, start);
        let (protocol, header_len) = if first & 1 == 1 {
            // Protocol-field compression: a single odd byte.
            (u16::from(first), start + 1)
        } else {
            wire::need(Self::NAME, ctx, data, start + 2)?;
            let second = super::bytes::u8_at(data, start + 1);
            (u16::from_be_bytes([first, second]), start + 2)
        };
        Ok(Parsed {
            header: Ppp {
                address,
                control,
                protocol: PppProtocol(protocol),
            },
            header_len,
            payload_len: data.len() - header_len,
            next: next_of(protocol),
        })
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::error::DissectError;

    static HDLC_IPV6: [u8; 5] = [0xff, 0x03, 0x00, 0x57, 0x60];
    static BARE_LCP: [u8; 3] = [0xc0, 0x21, 0x01];
    static COMPRESSED_IPV4: [u8; 2] = [0x21, 0x45];

    #[test]
    fn test_parse() {
        let p = Ppp::parse(&HDLC_IPV6, &Ctx::default()).unwrap();
        assert_eq!(p.header.address, Some(0xff));
        assert_eq!(p.header.control, Some(0x03));
        assert_eq!(p.header.protocol, PppProtocol::Internet_Protocol_version_6);
        assert_eq!(p.header_len, 4);
        assert_eq!(p.payload_len, 1);
        assert_eq!(p.next, Next::EtherType(EtherType(0x86dd)));

        let p = Ppp::parse(&BARE_LCP, &Ctx::default()).unwrap();
        assert_eq!(p.header.address, None);
        assert_eq!(p.header.protocol, PppProtocol::Link_Control_Protocol);
        assert_eq!(p.header_len, 2);
        assert_eq!(p.next, Next::Raw(RawProto::Named("LCP"), None));

        let p = Ppp::parse(&COMPRESSED_IPV4, &Ctx::default()).unwrap();
        assert_eq!(p.header.protocol, PppProtocol(0x21));
        assert_eq!(p.header_len, 1);
        assert_eq!(p.next, Next::EtherType(EtherType(0x0800)));
        assert_eq!(next_of(0x1234), Next::End);
    }

    #[test]
    fn test_impossible_len() {
        let ctx = Ctx {
            offset: 50,
            ..Ctx::default()
        };
        assert_eq!(
            Ppp::parse(&HDLC_IPV6[..3], &ctx).unwrap_err(),
            DissectError::truncated("PPP", 50, 4, 3)
        );
        assert_eq!(
            Ppp::parse(&HDLC_IPV6[..2], &ctx).unwrap_err(),
            DissectError::truncated("PPP", 50, 3, 2)
        );
        assert_eq!(
            Ppp::parse(&[], &ctx).unwrap_err(),
            DissectError::truncated("PPP", 50, 1, 0)
        );
    }

    #[test]
    fn test_serialize() {
        let p = Ppp::parse(&HDLC_IPV6, &Ctx::default()).unwrap();
        assert_eq!(
            serde_json::to_value(p.header).unwrap(),
            serde_json::json!({
                "address": 255,
                "control": 3,
                "protocol": "Protocol::Internet_Protocol_version_6 [87]",
            })
        );
        assert_eq!(PppProtocol(0x1234).to_string(), "Protocol::Unknown [4660]");
    }
}
