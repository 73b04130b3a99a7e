//! Open Shortest Path First common header: OSPFv2 (RFC 2328) and OSPFv3 (RFC 5340),
//! IP protocol 89.

use std::fmt;
use std::net::Ipv4Addr;

use serde::Serialize;

use crate::consts::ospf::{Authentication, Packet};
use crate::error::{DissectError, Result};
use crate::protocol::{Ctx, Header, Level, Next, Parse, Parsed};
use crate::ser::Bytes;
use crate::wire;

use super::bytes::{slice, u8_at, u16_at, u32_at};

mod field {
    use super::super::bytes::Field;
    pub const VERSION: usize = 0;
    pub const TYPE: usize = 1;
    pub const LEN: Field = 2..4;
    pub const ROUTER_ID: Field = 4..8;
    pub const AREA_ID: Field = 8..12;
    pub const CHKSUM: Field = 12..14;
    /// OSPFv2.
    pub const AUTYPE: Field = 14..16;
    /// OSPFv2: the 8-byte authentication field.
    pub const AUTH: Field = 16..24;
    /// OSPFv2 cryptographic authentication: key id, digest length, sequence number.
    pub const AUTH_KEY_ID: usize = 18;
    pub const AUTH_LEN: usize = 19;
    pub const AUTH_SEQ: Field = 20..24;
    /// OSPFv3.
    pub const INSTANCE_ID: usize = 14;
}

/// Length of the OSPFv2 header.
pub const V2_HEADER_LEN: usize = 24;
/// Length of the OSPFv3 header.
pub const V3_HEADER_LEN: usize = 16;

/// The OSPFv2 authentication field.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum OspfAuth<'a> {
    /// Null or simple-password authentication: the 8 bytes as they are.
    Data(Bytes<'a>),
    /// Cryptographic authentication (AuType 2, 3).
    Crypto {
        /// Key id.
        key_id: u8,
        /// Length of the message digest appended after the packet.
        len: u8,
        /// Cryptographic sequence number.
        seq: u32,
    },
}

impl Serialize for OspfAuth<'_> {
    fn serialize<S: serde::Serializer>(&self, s: S) -> std::result::Result<S::Ok, S::Error> {
        use serde::ser::SerializeStruct;
        match self {
            OspfAuth::Data(b) => b.serialize(s),
            OspfAuth::Crypto { key_id, len, seq } => {
                let mut st = s.serialize_struct("CrytographicAuthentication", 3)?;
                st.serialize_field("key_id", key_id)?;
                st.serialize_field("len", len)?;
                st.serialize_field("seq", seq)?;
                st.end()
            }
        }
    }
}

/// An OSPF header (`ospf`, chain token `OSPFv2`/`OSPFv3` by version, PyPCAPKit's fields).
///
/// `chksum` is an integer (PyPCAPKit: 2 raw bytes) and `checksum_ok` says whether it is
/// right, for OSPFv2 packets captured whole without cryptographic authentication (null
/// otherwise; OSPFv3 sums an IPv6 pseudo-header, not verified here). OSPFv2 has `autype`
/// and `auth`; OSPFv3 has `instance_id` instead. The packet body stays `raw`.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize)]
pub struct Ospf<'a> {
    /// Version (2 or 3).
    pub version: u8,
    /// Packet type.
    #[serde(rename = "type")]
    pub ty: Packet,
    /// Packet length including this header.
    pub len: u16,
    /// Router id.
    pub router_id: Ipv4Addr,
    /// Area id.
    pub area_id: Ipv4Addr,
    /// Checksum.
    pub chksum: u16,
    /// Whether the checksum is right (`null` when not verified).
    pub checksum_ok: Option<bool>,
    /// Authentication type (OSPFv2).
    #[serde(skip_serializing_if = "Option::is_none")]
    pub autype: Option<Authentication>,
    /// Authentication field (OSPFv2).
    #[serde(skip_serializing_if = "Option::is_none")]
    pub auth: Option<OspfAuth<'a>>,
    /// Instance id (OSPFv3).
    #[serde(skip_serializing_if = "Option::is_none")]
    pub instance_id: Option<u8>,
}

impl Header for Ospf<'_> {
    const NAME: &'static str = "OSPF";
    const KEY: &'static str = "ospf";
    const LEVEL: Option<Level> = Some(Level::Link);
    const ALIASES: &'static [&'static str] = &["OSPFv2", "OSPFv3"];

    fn write_token(&self, f: &mut dyn fmt::Write) -> fmt::Result {
        write!(f, "OSPFv{}", self.version)
    }
}

/// Ones'-complement sum of `data` (odd length padded with a zero byte).
fn ones_sum(data: &[u8], mut acc: u32) -> u32 {
    let mut chunks = data.chunks_exact(2);
    for c in &mut chunks {
        if let [a, b] = c {
            acc += u32::from(u16::from_be_bytes([*a, *b]));
        }
    }
    if let [last] = chunks.remainder() {
        acc += u32::from(*last) << 8;
    }
    acc
}

fn fold(mut acc: u32) -> u16 {
    while acc > 0xffff {
        acc = (acc & 0xffff) + (acc >> 16);
    }
    acc as u16
}

impl<'a> Parse<'a> for Ospf<'a> {
    fn parse(data: &'a [u8], ctx: &Ctx) -> Result<Parsed<Self>> {
        wire::need(Self::NAME, ctx, data, 1)?;
        let version = u8_at(data, field::VERSION);
        let header_len = match version {
            2 => V2_HEADER_LEN,
            3 => V3_HEADER_LEN,
            v => {
                return Err(DissectError::bad_value(
                    Self::NAME,
                    ctx.offset,
                    "version",
                    u64::from(v),
                    "2 or 3",
                ));
            }
        };
        wire::need(Self::NAME, ctx, data, header_len)?;
        let len = u16_at(data, field::LEN);
        if usize::from(len) < header_len {
            return Err(DissectError::bad_value(
                Self::NAME,
                ctx.offset + 2,
                "len",
                u64::from(len),
                if version == 2 {
                    "at least 24"
                } else {
                    "at least 16"
                },
            ));
        }
        let chksum = u16_at(data, field::CHKSUM);
        let mut header = Ospf {
            version,
            ty: Packet(u16::from(u8_at(data, field::TYPE))),
            len,
            router_id: Ipv4Addr::from(u32_at(data, field::ROUTER_ID)),
            area_id: Ipv4Addr::from(u32_at(data, field::AREA_ID)),
            chksum,
            checksum_ok: None,
            autype: None,
            auth: None,
            instance_id: None,
        };
        if version == 2 {
            let autype = u16_at(data, field::AUTYPE);
            header.autype = Some(Authentication(autype));
            header.auth = Some(match autype {
                2 | 3 => OspfAuth::Crypto {
                    key_id: u8_at(data, field::AUTH_KEY_ID),
                    len: u8_at(data, field::AUTH_LEN),
                    seq: u32_at(data, field::AUTH_SEQ),
                },
                _ => OspfAuth::Data(Bytes(slice(data, field::AUTH))),
            });
            if !matches!(autype, 2 | 3)
                && let Some(whole) = data.get(..usize::from(len))
            {
                let head = slice(whole, 0..field::AUTH.start);
                let body = slice(whole, field::AUTH.end..whole.len());
                header.checksum_ok = Some(fold(ones_sum(body, ones_sum(head, 0))) == 0xffff);
            }
        } else {
            header.instance_id = Some(u8_at(data, field::INSTANCE_ID));
        }
        Ok(Parsed {
            header,
            header_len,
            payload_len: usize::from(len) - header_len,
            next: Next::End,
        })
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    /// OSPFv2 Hello, frame 1 of packetnet ospfv2.pcap (44 bytes, null authentication).
    static HELLO: [u8; 44] = [
        0x02, 0x01, 0x00, 0x2c, 0xc0, 0xa8, 0xaa, 0x08, 0x00, 0x00, 0x00, 0x01, 0x27, 0x3b, 0x00,
        0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0xff, 0xff, 0xff, 0x00, 0x00, 0x0a,
        0x02, 0x01, 0x00, 0x00, 0x00, 0x28, 0xc0, 0xa8, 0xaa, 0x08, 0x00, 0x00, 0x00, 0x00,
    ];

    /// OSPFv3 Hello header (router 1.1.1.1, area 0.0.0.1, instance 0) plus 4 body bytes.
    static V3_HELLO: [u8; 20] = [
        0x03, 0x01, 0x00, 0x14, 0x01, 0x01, 0x01, 0x01, 0x00, 0x00, 0x00, 0x01, 0xab, 0xcd, 0x00,
        0x00, 0x00, 0x00, 0x00, 0x05,
    ];

    #[test]
    fn test_parse_hello() {
        let p = Ospf::parse(&HELLO, &Ctx::default()).unwrap();
        let h = p.header;
        assert_eq!(h.version, 2);
        assert_eq!(h.ty, Packet::Hello);
        assert_eq!(h.len, 44);
        assert_eq!(h.router_id, Ipv4Addr::new(192, 168, 170, 8));
        assert_eq!(h.area_id, Ipv4Addr::new(0, 0, 0, 1));
        assert_eq!(h.chksum, 0x273b);
        assert_eq!(h.checksum_ok, Some(true));
        assert_eq!(h.autype, Some(Authentication::No_Authentication));
        assert_eq!(h.auth, Some(OspfAuth::Data(Bytes(&[0; 8]))));
        assert_eq!(p.header_len, 24);
        assert_eq!(p.payload_len, 20);
        let mut s = String::new();
        h.write_token(&mut s).unwrap();
        assert_eq!(s, "OSPFv2");
        assert!(h.is_named("ospfv2"));
    }

    #[test]
    fn test_bad_checksum_and_truncated_body() {
        let mut b = HELLO;
        b[13] ^= 1;
        let p = Ospf::parse(&b, &Ctx::default()).unwrap();
        assert_eq!(p.header.checksum_ok, Some(false));
        let p = Ospf::parse(&HELLO[..30], &Ctx::default()).unwrap();
        assert_eq!(p.header.checksum_ok, None);
        assert_eq!(p.payload_len, 20);
    }

    #[test]
    fn test_crypto_auth() {
        let mut b = HELLO;
        b[14..24].copy_from_slice(&[0, 2, 0, 0, 7, 16, 0, 0, 1, 0]);
        let p = Ospf::parse(&b, &Ctx::default()).unwrap();
        assert_eq!(
            p.header.autype,
            Some(Authentication::Cryptographic_authentication)
        );
        assert_eq!(
            p.header.auth,
            Some(OspfAuth::Crypto {
                key_id: 7,
                len: 16,
                seq: 256
            })
        );
        assert_eq!(p.header.checksum_ok, None);
        assert_eq!(
            serde_json::to_value(p.header).unwrap()["auth"],
            serde_json::json!({"key_id": 7, "len": 16, "seq": 256})
        );
    }

    #[test]
    fn test_parse_v3() {
        let p = Ospf::parse(&V3_HELLO, &Ctx::default()).unwrap();
        let h = p.header;
        assert_eq!(h.version, 3);
        assert_eq!(h.ty, Packet::Hello);
        assert_eq!(h.router_id, Ipv4Addr::new(1, 1, 1, 1));
        assert_eq!(h.area_id, Ipv4Addr::new(0, 0, 0, 1));
        assert_eq!(h.instance_id, Some(0));
        assert_eq!((h.autype, h.auth, h.checksum_ok), (None, None, None));
        assert_eq!(p.header_len, 16);
        assert_eq!(p.payload_len, 4);
        let mut s = String::new();
        h.write_token(&mut s).unwrap();
        assert_eq!(s, "OSPFv3");
    }

    #[test]
    fn test_impossible_len() {
        let ctx = Ctx {
            offset: 34,
            ..Ctx::default()
        };
        assert_eq!(
            Ospf::parse(&HELLO[..23], &ctx).unwrap_err(),
            DissectError::truncated("OSPF", 34, 24, 23)
        );
        assert_eq!(
            Ospf::parse(&[], &ctx).unwrap_err(),
            DissectError::truncated("OSPF", 34, 1, 0)
        );
        let mut b = HELLO;
        b[2..4].copy_from_slice(&[0, 20]);
        assert_eq!(
            Ospf::parse(&b, &ctx).unwrap_err().to_string(),
            "OSPF at byte 36: invalid len 20: expected at least 24"
        );
        assert_eq!(
            Ospf::parse(&[4; 30], &ctx).unwrap_err().to_string(),
            "OSPF at byte 34: invalid version 4: expected 2 or 3"
        );
    }

    #[test]
    fn test_serialize() {
        let p = Ospf::parse(&HELLO, &Ctx::default()).unwrap();
        let v = serde_json::to_value(p.header).unwrap();
        assert_eq!(
            v,
            serde_json::json!({
                "version": 2,
                "type": "Packet::Hello [1]",
                "len": 44,
                "router_id": "192.168.170.8",
                "area_id": "0.0.0.1",
                "chksum": 10043,
                "checksum_ok": true,
                "autype": "Authentication::No_Authentication [0]",
                "auth": [0, 0, 0, 0, 0, 0, 0, 0],
            })
        );
    }

    #[test]
    fn pypcapkit_bug_28_ospf_parses() {
        // PyPCAPKit's OSPF `read` always failed (§10 #28); ours decodes the capture's bytes.
        let p = Ospf::parse(&HELLO, &Ctx::default()).unwrap();
        assert_eq!(p.header.router_id.to_string(), "192.168.170.8");
    }
}
