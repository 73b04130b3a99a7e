//! Address Resolution Protocol and its relatives (RARP, DRARP, InARP; RFC 826, 903,
//! 1931, 2390).

use std::fmt;
use std::ops::Deref;

use serde::Serialize;

use crate::consts::arp::{Hardware, Operation};
use crate::consts::reg::EtherType;
use crate::error::Result;
use crate::protocol::{Ctx, Header, Level, Next, Parse, Parsed};
use crate::wire;

use super::HwAddr;
use super::bytes::{slice, u8_at, u16_at};

/// Length of the fixed part (before the addresses).
pub const FIXED_LEN: usize = 8;

mod field {
    use super::super::bytes::Field;
    pub const HTYPE: Field = 0..2;
    pub const PTYPE: Field = 2..4;
    pub const HLEN: usize = 4;
    pub const PLEN: usize = 5;
    pub const OPER: Field = 6..8;
    /// Start of the addresses: sha (hlen), spa (plen), tha (hlen), tpa (plen).
    pub const ADDRS: usize = 8;
}

/// An ARP packet (`arp` under EtherType 0x0806, `rarp` under 0x8035 — see [`Rarp`]).
///
/// The chain token follows the operation as in PyPCAPKit: 3–4 `RARP`, 5–7 `DRARP`, 8–9
/// `InARP`, anything else `ARP`. Hardware addresses of Ethernet-like hardware with
/// `hlen` 6 print as `aa:bb:cc:dd:ee:ff`; protocol addresses of IPv4/IPv6 as IP
/// addresses; any other address as plain hex. Bytes after the addresses (link padding)
/// are handed on as `raw`.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize)]
pub struct Arp<'a> {
    /// Hardware type.
    pub htype: Hardware,
    /// Protocol type.
    pub ptype: EtherType,
    /// Hardware address length.
    pub hlen: u8,
    /// Protocol address length.
    pub plen: u8,
    /// Operation.
    pub oper: Operation,
    /// Sender hardware address.
    pub sha: HwAddr<'a>,
    /// Sender protocol address.
    pub spa: HwAddr<'a>,
    /// Target hardware address.
    pub tha: HwAddr<'a>,
    /// Target protocol address.
    pub tpa: HwAddr<'a>,
    /// Header length: 8 + 2·hlen + 2·plen.
    pub len: usize,
}

impl Arp<'_> {
    /// The chain token for this operation (`ARP`, `RARP`, `DRARP`, `InARP`).
    pub fn token(&self) -> &'static str {
        match self.oper.0 {
            3 | 4 => "RARP",
            5..=7 => "DRARP",
            8 | 9 => "InARP",
            _ => "ARP",
        }
    }

    fn is_named_as(&self, name: &str, ids: &[&str]) -> bool {
        self.token().eq_ignore_ascii_case(name) || ids.iter().any(|i| i.eq_ignore_ascii_case(name))
    }
}

impl Header for Arp<'_> {
    const NAME: &'static str = "ARP";
    const KEY: &'static str = "arp";
    const LEVEL: Option<Level> = Some(Level::Link);

    fn write_token(&self, f: &mut dyn fmt::Write) -> fmt::Result {
        f.write_str(self.token())
    }

    fn is_named(&self, name: &str) -> bool {
        self.is_named_as(name, &["ARP", "InARP"])
    }
}

/// Hardware types whose 6-byte addresses are MAC addresses (Ethernet, Experimental
/// Ethernet, IEEE 802).
fn is_mac_hardware(htype: u16, hlen: u8) -> bool {
    hlen == 6 && matches!(htype, 1 | 2 | 6)
}

impl<'a> Parse<'a> for Arp<'a> {
    fn parse(data: &'a [u8], ctx: &Ctx) -> Result<Parsed<Self>> {
        parse_arp(Self::NAME, data, ctx)
    }
}

fn parse_arp<'a>(name: &'static str, data: &'a [u8], ctx: &Ctx) -> Result<Parsed<Arp<'a>>> {
    wire::need(name, ctx, data, FIXED_LEN)?;
    let htype = u16_at(data, field::HTYPE);
    let ptype = u16_at(data, field::PTYPE);
    let hlen = u8_at(data, field::HLEN);
    let plen = u8_at(data, field::PLEN);
    let oper = u16_at(data, field::OPER);
    let (h, p) = (usize::from(hlen), usize::from(plen));
    let len = FIXED_LEN + 2 * h + 2 * p;
    wire::need(name, ctx, data, len)?;
    let at = |start: usize, n: usize| slice(data, start..start + n);
    let hw = |b: &'a [u8]| {
        if is_mac_hardware(htype, hlen) {
            HwAddr::mac_or_hex(b)
        } else {
            HwAddr::Hex(b)
        }
    };
    let proto = |b: &'a [u8]| match (ptype, plen) {
        (0x0800, 4) | (0x86dd, 16) => HwAddr::ip_or_hex(b),
        _ => HwAddr::Hex(b),
    };
    let header = Arp {
        htype: Hardware(htype),
        ptype: EtherType(ptype),
        hlen,
        plen,
        oper: Operation(oper),
        sha: hw(at(field::ADDRS, h)),
        spa: proto(at(field::ADDRS + h, p)),
        tha: hw(at(field::ADDRS + h + p, h)),
        tpa: proto(at(field::ADDRS + 2 * h + p, p)),
        len,
    };
    Ok(Parsed {
        header,
        header_len: len,
        payload_len: data.len() - len,
        next: Next::End,
    })
}

/// An ARP packet carried under the RARP EtherType 0x8035 (`rarp`, as PyPCAPKit keys its
/// RARP class); same fields and tokens as [`Arp`].
#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize)]
pub struct Rarp<'a>(pub Arp<'a>);

impl<'a> Deref for Rarp<'a> {
    type Target = Arp<'a>;

    fn deref(&self) -> &Arp<'a> {
        &self.0
    }
}

impl Header for Rarp<'_> {
    const NAME: &'static str = "RARP";
    const KEY: &'static str = "rarp";
    const LEVEL: Option<Level> = Some(Level::Link);

    fn write_token(&self, f: &mut dyn fmt::Write) -> fmt::Result {
        f.write_str(self.0.token())
    }

    fn is_named(&self, name: &str) -> bool {
        self.0.is_named_as(name, &["RARP", "DRARP"])
    }
}

impl<'a> Parse<'a> for Rarp<'a> {
    fn parse(data: &'a [u8], ctx: &Ctx) -> Result<Parsed<Self>> {
        parse_arp(Self::NAME, data, ctx).map(|p| p.map(Rarp))
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::error::DissectError;
    use crate::{DissectOptions, Protocol, dissect};
    use pcapkit_core::LinkType;

    /// Ethernet/IPv4 request (frame 1 of packetnet arp_request_response) plus 2 bytes of
    /// padding.
    static REQUEST: [u8; 30] = [
        0x00, 0x01, 0x08, 0x00, 0x06, 0x04, 0x00, 0x01, 0x00, 0x04, 0x61, 0x99, 0x01, 0x54, 0xc0,
        0xa8, 0x01, 0xca, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0xc0, 0xa8, 0x01, 0xd6, 0x00, 0x00,
    ];

    fn with_oper(oper: u16) -> [u8; 30] {
        let mut b = REQUEST;
        b[6..8].copy_from_slice(&oper.to_be_bytes());
        b
    }

    #[test]
    fn test_parse() {
        let p = Arp::parse(&REQUEST, &Ctx::default()).unwrap();
        let h = p.header;
        assert_eq!(h.htype, Hardware::Ethernet);
        assert_eq!(h.ptype, EtherType::Internet_Protocol_version_4);
        assert_eq!((h.hlen, h.plen), (6, 4));
        assert_eq!(h.oper, Operation::REQUEST);
        assert_eq!(h.sha.to_string(), "00:04:61:99:01:54");
        assert_eq!(h.spa.to_string(), "192.168.1.202");
        assert_eq!(h.tha.to_string(), "00:00:00:00:00:00");
        assert_eq!(h.tpa.to_string(), "192.168.1.214");
        assert_eq!(h.len, 28);
        assert_eq!(p.header_len, 28);
        assert_eq!(p.payload_len, 2);
        assert_eq!(p.next, Next::End);
    }

    #[test]
    fn every_operation_family_has_its_token() {
        let cases = [
            (1, "ARP"),
            (2, "ARP"),
            (3, "RARP"),
            (4, "RARP"),
            (5, "DRARP"),
            (6, "DRARP"),
            (7, "DRARP"),
            (8, "InARP"),
            (9, "InARP"),
            (10, "ARP"),
            (24, "ARP"),
        ];
        for (oper, token) in cases {
            let b = with_oper(oper);
            let p = Arp::parse(&b, &Ctx::default()).unwrap();
            assert_eq!(p.header.token(), token, "oper {oper}");
            let mut s = String::new();
            p.header.write_token(&mut s).unwrap();
            assert_eq!(s, token);
            assert!(p.header.is_named(token));
            let r = Rarp::parse(&b, &Ctx::default()).unwrap();
            let mut s = String::new();
            r.header.write_token(&mut s).unwrap();
            assert_eq!(s, token);
            assert_eq!(r.header.key(), "rarp");
            assert!(r.header.is_named("rarp"));
        }
        assert_eq!(Operation(8).to_string(), "Operation::InARP_Request [8]");
    }

    #[test]
    fn non_ethernet_and_non_ip_addresses_are_hex() {
        // hardware type 32 (InfiniBand) with 2-byte addresses, protocol 0x1234 with 3.
        let b = [
            0x00, 0x20, 0x12, 0x34, 0x02, 0x03, 0x00, 0x08, 0xaa, 0xbb, 1, 2, 3, 0xcc, 0xdd, 4, 5,
            6,
        ];
        let p = Arp::parse(&b, &Ctx::default()).unwrap();
        assert_eq!(p.header.sha.to_string(), "aabb");
        assert_eq!(p.header.spa.to_string(), "010203");
        assert_eq!(p.header.tha.to_string(), "ccdd");
        assert_eq!(p.header.tpa.to_string(), "040506");
        assert_eq!(p.header.len, 18);
        assert_eq!(p.header.token(), "InARP");
    }

    #[test]
    fn ipv6_protocol_addresses() {
        let mut b = vec![0x00, 0x01, 0x86, 0xdd, 0x06, 0x10, 0x00, 0x02];
        b.extend_from_slice(&[0x02; 6]);
        b.extend_from_slice(&[0u8; 15]);
        b.push(1);
        b.extend_from_slice(&[0x04; 6]);
        b.extend_from_slice(&[0xfe, 0x80]);
        b.extend_from_slice(&[0u8; 14]);
        let p = Arp::parse(&b, &Ctx::default()).unwrap();
        assert_eq!(p.header.spa.to_string(), "::1");
        assert_eq!(p.header.tpa.to_string(), "fe80::");
        assert_eq!(p.payload_len, 0);
    }

    #[test]
    fn test_impossible_len() {
        let ctx = Ctx {
            offset: 14,
            ..Ctx::default()
        };
        assert_eq!(
            Arp::parse(&REQUEST[..7], &ctx).unwrap_err(),
            DissectError::truncated("ARP", 14, 8, 7)
        );
        assert_eq!(
            Arp::parse(&REQUEST[..27], &ctx).unwrap_err(),
            DissectError::truncated("ARP", 14, 28, 27)
        );
        assert_eq!(
            Rarp::parse(&REQUEST[..27], &ctx).unwrap_err(),
            DissectError::truncated("RARP", 14, 28, 27)
        );
        // 255-byte addresses: 8 + 2·255 + 2·255 = 1028 bytes needed.
        let big = [0, 1, 8, 0, 0xff, 0xff, 0, 1, 0];
        assert_eq!(
            Arp::parse(&big, &ctx).unwrap_err(),
            DissectError::truncated("ARP", 14, 1028, 9)
        );
    }

    #[test]
    fn test_serialize() {
        let p = Arp::parse(&REQUEST, &Ctx::default()).unwrap();
        assert_eq!(
            serde_json::to_value(p.header).unwrap(),
            serde_json::json!({
                "htype": "Hardware::Ethernet [1]",
                "ptype": "EtherType::Internet_Protocol_version_4 [2048]",
                "hlen": 6,
                "plen": 4,
                "oper": "Operation::REQUEST [1]",
                "sha": "00:04:61:99:01:54",
                "spa": "192.168.1.202",
                "tha": "00:00:00:00:00:00",
                "tpa": "192.168.1.214",
                "len": 28,
            })
        );
        let b = with_oper(3);
        let r = Rarp::parse(&b, &Ctx::default()).unwrap();
        assert_eq!(
            serde_json::to_value(r.header).unwrap()["oper"],
            "Operation::request_Reverse [3]"
        );
    }

    #[test]
    fn trailer_becomes_raw_and_rarp_is_keyed_rarp() {
        let mut frame = vec![0xff; 6];
        frame.extend_from_slice(&[0, 4, 0x61, 0x99, 1, 0x54, 0x80, 0x35]);
        frame.extend_from_slice(&with_oper(3));
        let p = dissect(LinkType::ETHERNET, &frame, &DissectOptions::default());
        assert_eq!(p.protocols().to_string(), "Ethernet:RARP:Raw");
        assert_eq!(p.layers()[1].header.key(), "rarp");
        assert!(matches!(p.layers()[2].header, Protocol::Raw(_)));
        assert_eq!(p.payload(&p.layers()[1]), &[0, 0]);
        drop(p);
        frame[12..14].copy_from_slice(&[0x08, 0x06]);
        frame.truncate(42);
        let p = dissect(LinkType::ETHERNET, &frame, &DissectOptions::default());
        assert_eq!(p.protocols().to_string(), "Ethernet:RARP");
        assert_eq!(p.layers()[1].header.key(), "arp");
    }
}
