//! IPv4 (RFC 791): header, checksum verification and options.

mod options;

pub use options::{Ipv4Option, Ipv4OptionBody, Ipv4Options, OptionType, Timestamps};

use std::net::Ipv4Addr;

use serde::Serialize;

use crate::consts::ipv4::{ToSDelay, ToSECN, ToSPrecedence, ToSReliability, ToSThroughput};
use crate::consts::reg::TransType;
use crate::error::{DissectError, Result};
use crate::internet::common::{BoolMap, ones_complement_sum};
use crate::protocol::{Ctx, Header, Level, Next, Parse, Parsed, RawProto};
use crate::wire;

/// Length of the header without options.
pub const MIN_HEADER_LEN: usize = 20;

/// The note on the `raw` payload of a non-first fragment.
pub const NON_FIRST_FRAGMENT: &str = "non-first fragment";

/// Byte ranges of the fixed header.
mod field {
    use std::ops::Range;
    pub const VER_IHL: usize = 0;
    pub const TOS: usize = 1;
    pub const LEN: Range<usize> = 2..4;
    pub const ID: Range<usize> = 4..6;
    pub const FLG_OFF: Range<usize> = 6..8;
    pub const TTL: usize = 8;
    pub const PROTOCOL: usize = 9;
    pub const CHECKSUM: Range<usize> = 10..12;
    pub const SRC: Range<usize> = 12..16;
    pub const DST: Range<usize> = 16..20;
}

/// The type-of-service byte split as PyPCAPKit does (`{pre, del, thr, rel, ecn}`).
#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize)]
pub struct ToS {
    /// Precedence (bits 0–2).
    pub pre: ToSPrecedence,
    /// Delay (bit 3).
    #[serde(rename = "del")]
    pub delay: ToSDelay,
    /// Throughput (bit 4).
    pub thr: ToSThroughput,
    /// Reliability (bit 5).
    pub rel: ToSReliability,
    /// Explicit congestion notification (bits 6–7).
    pub ecn: ToSECN,
}

impl ToS {
    /// Splits the ToS / DS byte.
    pub fn from_byte(b: u8) -> Self {
        Self {
            pre: ToSPrecedence(b >> 5),
            delay: ToSDelay((b >> 4) & 1),
            thr: ToSThroughput((b >> 3) & 1),
            rel: ToSReliability((b >> 2) & 1),
            ecn: ToSECN(b & 3),
        }
    }

    /// The byte on the wire (what Wireshark shows as `ip.dsfield`).
    pub fn to_byte(self) -> u8 {
        (self.pre.0 << 5) | (self.delay.0 << 4) | (self.thr.0 << 3) | (self.rel.0 << 2) | self.ecn.0
    }
}

/// The fragmentation flags (`{df, mf}`; the reserved bit is not reported, as in PyPCAPKit).
#[derive(Clone, Copy, Debug, PartialEq, Eq, Default)]
pub struct Flags {
    /// Don't fragment.
    pub df: bool,
    /// More fragments.
    pub mf: bool,
}

impl Serialize for Flags {
    fn serialize<S: serde::Serializer>(&self, s: S) -> std::result::Result<S::Ok, S::Error> {
        BoolMap([("df", self.df), ("mf", self.mf)]).serialize(s)
    }
}

/// An IPv4 header (`ipv4`, chain token `IPv4`, alias `IP`).
#[derive(Clone, Debug, PartialEq, Serialize)]
pub struct Ipv4<'a> {
    /// Always 4.
    pub version: u8,
    /// Header length in bytes (IHL × 4).
    pub hdr_len: u8,
    /// Type of service.
    pub tos: ToS,
    /// Total length of the datagram.
    pub len: u16,
    /// Identification.
    pub id: u16,
    /// Fragmentation flags.
    pub flags: Flags,
    /// Fragment offset in bytes (field × 8).
    pub offset: u16,
    /// Time to live (hops).
    pub ttl: u8,
    /// Payload protocol.
    pub protocol: TransType,
    /// Header checksum as sent.
    pub checksum: u16,
    /// Whether the header checksum verifies.
    pub checksum_ok: bool,
    /// Source address.
    pub src: Ipv4Addr,
    /// Destination address.
    pub dst: Ipv4Addr,
    /// Options (present only when IHL > 5).
    #[serde(skip_serializing_if = "Option::is_none")]
    pub options: Option<Ipv4Options<'a>>,
    /// Reserved (evil) bit of the flags field.
    #[serde(skip)]
    pub reserved_bit: bool,
}

impl Ipv4<'_> {
    /// Whether this is a fragment that does not start the datagram (offset > 0).
    pub fn is_non_first_fragment(&self) -> bool {
        self.offset > 0
    }

    /// Whether this datagram is a fragment (MF set or offset > 0).
    pub fn is_fragment(&self) -> bool {
        self.flags.mf || self.offset > 0
    }
}

impl Header for Ipv4<'_> {
    const NAME: &'static str = "IPv4";
    const KEY: &'static str = "ipv4";
    const LEVEL: Option<Level> = Some(Level::Internet);
    const ALIASES: &'static [&'static str] = &["IP"];

    /// Source and destination; `Unverifiable` for fragments.
    fn pseudo_header(&self) -> Option<crate::PseudoHeader> {
        Some(if self.is_fragment() {
            crate::PseudoHeader::Unverifiable
        } else {
            crate::PseudoHeader::V4 {
                src: self.src,
                dst: self.dst,
            }
        })
    }
}

impl<'a> Parse<'a> for Ipv4<'a> {
    fn parse(data: &'a [u8], ctx: &Ctx) -> Result<Parsed<Self>> {
        wire::need(Self::NAME, ctx, data, MIN_HEADER_LEN)?;
        let byte = |i: usize| data.get(i).copied().unwrap_or_default();
        let be16 = |r: std::ops::Range<usize>| {
            data.get(r)
                .and_then(|b| b.try_into().ok())
                .map(u16::from_be_bytes)
                .unwrap_or_default()
        };
        let addr = |r: std::ops::Range<usize>| {
            data.get(r)
                .and_then(|b| <[u8; 4]>::try_from(b).ok())
                .map(Ipv4Addr::from)
                .unwrap_or(Ipv4Addr::UNSPECIFIED)
        };
        let ver_ihl = byte(field::VER_IHL);
        let version = ver_ihl >> 4;
        if version != 4 {
            return Err(DissectError::bad_value(
                Self::NAME,
                ctx.offset,
                "version",
                version.into(),
                "4",
            ));
        }
        let ihl = usize::from(ver_ihl & 0x0f) * 4;
        if ihl < MIN_HEADER_LEN {
            return Err(DissectError::bad_value(
                Self::NAME,
                ctx.offset,
                "hdr_len",
                ihl as u64,
                "at least 20 (IHL >= 5)",
            ));
        }
        wire::need(Self::NAME, ctx, data, ihl)?;
        let header = data.get(..ihl).unwrap_or_default();
        let len = be16(field::LEN);
        let flg_off = be16(field::FLG_OFF);
        let protocol = TransType(byte(field::PROTOCOL));
        let options = (ihl > MIN_HEADER_LEN).then(|| {
            Ipv4Options::new(
                header.get(MIN_HEADER_LEN..).unwrap_or_default(),
                ctx.offset + MIN_HEADER_LEN,
            )
        });
        let h = Ipv4 {
            version,
            hdr_len: ihl as u8, // ok: at most 60
            tos: ToS::from_byte(byte(field::TOS)),
            len,
            id: be16(field::ID),
            flags: Flags {
                df: flg_off & 0x4000 != 0,
                mf: flg_off & 0x2000 != 0,
            },
            offset: (flg_off & 0x1fff) << 3,
            ttl: byte(field::TTL),
            protocol,
            checksum: be16(field::CHECKSUM),
            checksum_ok: ones_complement_sum(header) == 0xffff,
            src: addr(field::SRC),
            dst: addr(field::DST),
            options,
            reserved_bit: flg_off & 0x8000 != 0,
        };
        let rest = data.len() - ihl;
        // A total length of 0 is what TCP segmentation offload leaves in captures: take
        // everything captured, as Wireshark does.
        let payload_len = if len == 0 {
            rest
        } else {
            usize::from(len).saturating_sub(ihl)
        };
        let next = if h.is_non_first_fragment() {
            Next::Raw(RawProto::TransType(protocol), Some(NON_FIRST_FRAGMENT))
        } else {
            Next::IpProto(protocol)
        };
        Ok(Parsed {
            header: h,
            header_len: ihl,
            payload_len,
            next,
        })
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::error::ErrorKind;

    /// 20-byte header of a UDP datagram (checksum valid), then 8 bytes of UDP and 2 of
    /// trailing padding.
    pub(crate) static UDP_DGRAM: [u8; 30] = [
        0x45, 0xb8, 0x00, 0x1c, 0x12, 0x34, 0x40, 0x00, 0x40, 0x11, 0x00, 0x00, 0x0a, 0x00, 0x00,
        0x01, 0x0a, 0x00, 0x00, 0x02, // IPv4
        0x04, 0xd2, 0x00, 0x35, 0x00, 0x08, 0x00, 0x00, // UDP
        0xee, 0xee, // padding
    ];

    fn with_checksum(mut b: Vec<u8>) -> Vec<u8> {
        let ihl = usize::from(b[0] & 0xf) * 4;
        b[10] = 0;
        b[11] = 0;
        let c = !ones_complement_sum(&b[..ihl]);
        b[10..12].copy_from_slice(&c.to_be_bytes());
        b
    }

    #[test]
    fn test_parse() {
        let b = with_checksum(UDP_DGRAM.to_vec());
        let p = Ipv4::parse(&b, &Ctx::default()).unwrap();
        let h = &p.header;
        assert_eq!(h.version, 4);
        assert_eq!(h.hdr_len, 20);
        assert_eq!(h.tos.to_byte(), 0xb8);
        assert_eq!(h.tos.pre, ToSPrecedence(5));
        assert_eq!(h.tos.ecn, ToSECN(0));
        assert_eq!(h.len, 28);
        assert_eq!(h.id, 0x1234);
        assert_eq!(
            h.flags,
            Flags {
                df: true,
                mf: false
            }
        );
        assert_eq!(h.offset, 0);
        assert_eq!(h.ttl, 64);
        assert_eq!(h.protocol, TransType::UDP);
        assert!(h.checksum_ok);
        assert_eq!(h.src, Ipv4Addr::new(10, 0, 0, 1));
        assert_eq!(h.dst, Ipv4Addr::new(10, 0, 0, 2));
        assert!(h.options.is_none());
        assert_eq!(p.header_len, 20);
        assert_eq!(p.payload_len, 8);
        assert_eq!(p.next, Next::IpProto(TransType::UDP));
    }

    #[test]
    fn test_serialize() {
        let b = with_checksum(UDP_DGRAM.to_vec());
        let p = Ipv4::parse(&b, &Ctx::default()).unwrap();
        let v = serde_json::to_value(&p.header).unwrap();
        assert_eq!(
            v,
            serde_json::json!({
                "version": 4,
                "hdr_len": 20,
                "tos": {
                    "pre": "ToSPrecedence::CRITIC_ECP [5]",
                    "del": "ToSDelay::LOW [1]",
                    "thr": "ToSThroughput::HIGH [1]",
                    "rel": "ToSReliability::NORMAL [0]",
                    "ecn": "ToSECN::Not_ECT [0]"
                },
                "len": 28,
                "id": 4660,
                "flags": {"df": true, "mf": false},
                "offset": 0,
                "ttl": 64,
                "protocol": "TransType::UDP [17]",
                "checksum": u16::from_be_bytes([b[10], b[11]]),
                "checksum_ok": true,
                "src": "10.0.0.1",
                "dst": "10.0.0.2"
            })
        );
        // Field order is PyPCAPKit's.
        let s = serde_json::to_string(&p.header).unwrap();
        let keys: Vec<_> = [
            "version",
            "hdr_len",
            "tos",
            "len",
            "id",
            "flags",
            "offset",
            "ttl",
            "protocol",
            "checksum",
            "checksum_ok",
            "src",
            "dst",
        ]
        .iter()
        .map(|k| s.find(&format!("\"{k}\":")).unwrap())
        .collect();
        assert!(keys.windows(2).all(|w| w[0] < w[1]), "{s}");
    }

    #[test]
    fn pypcapkit_bug_29_ttl_is_an_integer() {
        let p = Ipv4::parse(&UDP_DGRAM, &Ctx::default()).unwrap();
        let s = serde_json::to_string(&p.header).unwrap();
        assert!(s.contains("\"ttl\":64,"), "{s}");
    }

    #[test]
    fn bad_checksum_is_reported_not_rejected() {
        let mut b = with_checksum(UDP_DGRAM.to_vec());
        b[11] ^= 0xff;
        let p = Ipv4::parse(&b, &Ctx::default()).unwrap();
        assert!(!p.header.checksum_ok);
    }

    #[test]
    fn test_impossible_len() {
        let ctx = Ctx {
            offset: 14,
            ..Ctx::default()
        };
        let e = Ipv4::parse(&UDP_DGRAM[..19], &ctx).unwrap_err();
        assert_eq!(e, DissectError::truncated("IPv4", 14, 20, 19));
        // IHL says 24 bytes but only 20 are there.
        let mut b = UDP_DGRAM[..20].to_vec();
        b[0] = 0x46;
        let e = Ipv4::parse(&b, &ctx).unwrap_err();
        assert_eq!(e, DissectError::truncated("IPv4", 14, 24, 20));
        // IHL below 5.
        b[0] = 0x44;
        let e = Ipv4::parse(&b, &ctx).unwrap_err();
        assert!(matches!(
            e.kind,
            ErrorKind::BadValue {
                field: "hdr_len",
                value: 16,
                ..
            }
        ));
        assert_eq!(
            e.to_string(),
            "IPv4 at byte 14: invalid hdr_len 16: expected at least 20 (IHL >= 5)"
        );
        b[0] = 0x65;
        let e = Ipv4::parse(&b, &ctx).unwrap_err();
        assert_eq!(
            e.to_string(),
            "IPv4 at byte 14: invalid version 6: expected 4"
        );
    }

    #[test]
    fn total_length_bounds_the_payload() {
        let p = Ipv4::parse(&UDP_DGRAM, &Ctx::default()).unwrap();
        assert_eq!(p.payload_len, 8); // padding excluded
        let mut b = UDP_DGRAM.to_vec();
        b[2] = 0;
        b[3] = 0; // TSO: total length 0
        let p = Ipv4::parse(&b, &Ctx::default()).unwrap();
        assert_eq!(p.payload_len, 10);
        b[3] = 10; // shorter than the header
        let p = Ipv4::parse(&b, &Ctx::default()).unwrap();
        assert_eq!(p.payload_len, 0);
    }

    #[test]
    fn pypcapkit_bug_27_non_first_fragment_payload_is_not_decoded() {
        let mut b = UDP_DGRAM.to_vec();
        b[6] = 0x20; // MF
        b[7] = 0x03; // offset 3 × 8 = 24 bytes
        let p = Ipv4::parse(&b, &Ctx::default()).unwrap();
        assert_eq!(p.header.offset, 24);
        assert!(p.header.flags.mf);
        assert_eq!(
            p.next,
            Next::Raw(
                RawProto::TransType(TransType::UDP),
                Some(NON_FIRST_FRAGMENT)
            )
        );
        // The first fragment (MF, offset 0) is handed to the transport decoder.
        b[7] = 0;
        let p = Ipv4::parse(&b, &Ctx::default()).unwrap();
        assert_eq!(p.next, Next::IpProto(TransType::UDP));
    }

    #[test]
    fn options_are_present_only_when_ihl_above_5() {
        let mut b = UDP_DGRAM[..20].to_vec();
        b[0] = 0x46;
        b.extend_from_slice(&[0x01, 0x01, 0x00, 0x00]); // NOP NOP EOOL pad
        b[2] = 0;
        b[3] = 24;
        let b = with_checksum(b);
        let p = Ipv4::parse(&b, &Ctx::default()).unwrap();
        assert!(p.header.checksum_ok);
        let opts = p.header.options.as_ref().unwrap();
        let codes: Vec<_> = opts.iter().map(|o| o.code.0).collect();
        assert_eq!(codes, [1, 1, 0]);
        assert_eq!(p.header_len, 24);
        assert_eq!(p.payload_len, 0);
    }
}
