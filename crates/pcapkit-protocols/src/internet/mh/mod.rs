//! IPv6 Mobility Header (RFC 6275 §6.1): an extension header inside IPv6 (`ipv6.mh`,
//! chain `IPv6:MH`), its own layer after IPv4 protocol 135.

mod options;

pub use options::{CgaParameter, MhOption, MhOptionBody, MhOptions, MnIdentifier};

use std::net::Ipv6Addr;

use serde::ser::{Serialize, SerializeMap, Serializer};

use crate::consts::mh::{BindingError, Packet, StatusCode};
use crate::consts::reg::TransType;
use crate::error::{DissectError, Result};
use crate::internet::common::Reader;
use crate::protocol::{Ctx, Header, Level, Next, Parse, Parsed};
use crate::ser::Bytes;
use crate::wire;

/// Bytes of the common part (payload proto, length, type, reserved, checksum).
pub const COMMON_LEN: usize = 6;

/// A Mobility Header (`mh`, chain token `MH`).
#[derive(Clone, Debug, PartialEq)]
pub struct Mh<'a> {
    /// Payload protocol (next header).
    pub next: TransType,
    /// Header length in bytes ((field + 1) × 8).
    pub length: u16,
    /// Message type.
    pub ty: Packet,
    /// Checksum as sent (not verified: it covers an IPv6 pseudo-header).
    pub chksum: u16,
    /// The message.
    pub message: MhMessage<'a>,
}

/// The message-specific part of a Mobility Header.
#[derive(Clone, Debug, PartialEq)]
pub enum MhMessage<'a> {
    /// Binding Refresh Request (0).
    BindingRefreshRequest {
        /// Mobility options.
        options: MhOptions<'a>,
    },
    /// Home Test Init (1) / Care-of Test Init (2).
    TestInit {
        /// Init cookie.
        cookie: Bytes<'a>,
        /// Mobility options.
        options: MhOptions<'a>,
    },
    /// Home Test (3) / Care-of Test (4).
    Test {
        /// Nonce index.
        nonce_index: u16,
        /// Init cookie.
        cookie: Bytes<'a>,
        /// Keygen token.
        token: Bytes<'a>,
        /// Mobility options.
        options: MhOptions<'a>,
    },
    /// Binding Update (5).
    BindingUpdate {
        /// Sequence number.
        seq: u16,
        /// Acknowledge (A) flag.
        ack: bool,
        /// Home registration (H) flag.
        home: bool,
        /// Link-local address compatibility (L) flag.
        lla_compat: bool,
        /// Key management mobility capability (K) flag.
        key_mngt: bool,
        /// Lifetime in seconds (the field's 4-second units × 4).
        lifetime: u32,
        /// Mobility options.
        options: MhOptions<'a>,
    },
    /// Binding Acknowledgement (6).
    BindingAck {
        /// Status.
        status: StatusCode,
        /// Key management mobility capability (K) flag.
        key_mngt: bool,
        /// Sequence number.
        seq: u16,
        /// Lifetime in seconds.
        lifetime: u32,
        /// Mobility options.
        options: MhOptions<'a>,
    },
    /// Binding Error (7).
    BindingError {
        /// Status.
        status: BindingError,
        /// Home address.
        home: Ipv6Addr,
        /// Mobility options.
        options: MhOptions<'a>,
    },
    /// Any other message type: the bytes after the common part.
    Unknown {
        /// Message data.
        data: Bytes<'a>,
    },
    /// A known message type too short for its fields.
    Malformed {
        /// Message data.
        data: Bytes<'a>,
        /// What is wrong.
        error: DissectError,
    },
}

impl<'a> Mh<'a> {
    /// The mobility options, when the message has any.
    pub fn options(&self) -> Option<&MhOptions<'a>> {
        match &self.message {
            MhMessage::BindingRefreshRequest { options }
            | MhMessage::TestInit { options, .. }
            | MhMessage::Test { options, .. }
            | MhMessage::BindingUpdate { options, .. }
            | MhMessage::BindingAck { options, .. }
            | MhMessage::BindingError { options, .. } => Some(options),
            MhMessage::Unknown { .. } | MhMessage::Malformed { .. } => None,
        }
    }
}

impl Serialize for Mh<'_> {
    fn serialize<S: Serializer>(&self, s: S) -> std::result::Result<S::Ok, S::Error> {
        let mut m = s.serialize_map(None)?;
        m.serialize_entry("next", &self.next)?;
        m.serialize_entry("length", &self.length)?;
        m.serialize_entry("type", &self.ty)?;
        m.serialize_entry("chksum", &self.chksum)?;
        match &self.message {
            MhMessage::BindingRefreshRequest { options } => {
                m.serialize_entry("options", options)?;
            }
            MhMessage::TestInit { cookie, options } => {
                m.serialize_entry("cookie", cookie)?;
                m.serialize_entry("options", options)?;
            }
            MhMessage::Test {
                nonce_index,
                cookie,
                token,
                options,
            } => {
                m.serialize_entry("nonce_index", nonce_index)?;
                m.serialize_entry("cookie", cookie)?;
                m.serialize_entry("token", token)?;
                m.serialize_entry("options", options)?;
            }
            MhMessage::BindingUpdate {
                seq,
                ack,
                home,
                lla_compat,
                key_mngt,
                lifetime,
                options,
            } => {
                m.serialize_entry("seq", seq)?;
                m.serialize_entry("ack", ack)?;
                m.serialize_entry("home", home)?;
                m.serialize_entry("lla_compat", lla_compat)?;
                m.serialize_entry("key_mngt", key_mngt)?;
                m.serialize_entry("lifetime", lifetime)?;
                m.serialize_entry("options", options)?;
            }
            MhMessage::BindingAck {
                status,
                key_mngt,
                seq,
                lifetime,
                options,
            } => {
                m.serialize_entry("status", status)?;
                m.serialize_entry("key_mngt", key_mngt)?;
                m.serialize_entry("seq", seq)?;
                m.serialize_entry("lifetime", lifetime)?;
                m.serialize_entry("options", options)?;
            }
            MhMessage::BindingError {
                status,
                home,
                options,
            } => {
                m.serialize_entry("status", status)?;
                m.serialize_entry("home", home)?;
                m.serialize_entry("options", options)?;
            }
            MhMessage::Unknown { data } => m.serialize_entry("data", data)?,
            MhMessage::Malformed { data, error } => {
                m.serialize_entry("data", data)?;
                m.serialize_entry("error", error)?;
            }
        }
        m.end()
    }
}

impl Header for Mh<'_> {
    const NAME: &'static str = "MH";
    const KEY: &'static str = "mh";
    const LEVEL: Option<Level> = Some(Level::Internet);
}

impl<'a> Parse<'a> for Mh<'a> {
    fn parse(data: &'a [u8], ctx: &Ctx) -> Result<Parsed<Self>> {
        wire::need(Self::NAME, ctx, data, COMMON_LEN)?;
        let mut r = Reader::new(data);
        let next = TransType(r.u8().unwrap_or_default());
        let length = (u16::from(r.u8().unwrap_or_default()) + 1) * 8;
        let ty = Packet(r.u8().unwrap_or_default());
        let _reserved = r.u8();
        let chksum = r.u16().unwrap_or_default();
        wire::need(Self::NAME, ctx, data, length.into())?;
        let body = data
            .get(COMMON_LEN..usize::from(length))
            .unwrap_or_default();
        let body_at = ctx.offset + COMMON_LEN;
        let message = parse_message(ty, body, body_at);
        Ok(Parsed {
            header: Mh {
                next,
                length,
                ty,
                chksum,
                message,
            },
            header_len: length.into(),
            payload_len: data.len() - usize::from(length),
            next: Next::IpProto(next),
        })
    }
}

fn parse_message(ty: Packet, body: &[u8], at: usize) -> MhMessage<'_> {
    let mut r = Reader::new(body);
    let opts = |fixed: usize| MhOptions::new(body.get(fixed..).unwrap_or_default(), at + fixed);
    let parsed = match ty.0 {
        0 => r
            .skip(2)
            .map(|()| MhMessage::BindingRefreshRequest { options: opts(2) }),
        1 | 2 => (|| {
            r.skip(2)?;
            let cookie = Bytes(r.bytes(8)?);
            Some(MhMessage::TestInit {
                cookie,
                options: opts(10),
            })
        })(),
        3 | 4 => (|| {
            let nonce_index = r.u16()?;
            let cookie = Bytes(r.bytes(8)?);
            let token = Bytes(r.bytes(8)?);
            Some(MhMessage::Test {
                nonce_index,
                cookie,
                token,
                options: opts(18),
            })
        })(),
        5 => (|| {
            let seq = r.u16()?;
            let flags = r.u8()?;
            let _more = r.u8()?;
            let lifetime = u32::from(r.u16()?) * 4;
            Some(MhMessage::BindingUpdate {
                seq,
                ack: flags & 0x80 != 0,
                home: flags & 0x40 != 0,
                lla_compat: flags & 0x20 != 0,
                key_mngt: flags & 0x10 != 0,
                lifetime,
                options: opts(6),
            })
        })(),
        6 => (|| {
            let status = StatusCode(r.u8()?);
            let flags = r.u8()?;
            let seq = r.u16()?;
            let lifetime = u32::from(r.u16()?) * 4;
            Some(MhMessage::BindingAck {
                status,
                key_mngt: flags & 0x80 != 0,
                seq,
                lifetime,
                options: opts(6),
            })
        })(),
        7 => (|| {
            let status = BindingError(r.u8()?);
            r.skip(1)?;
            let home = r.ipv6()?;
            Some(MhMessage::BindingError {
                status,
                home,
                options: opts(18),
            })
        })(),
        _ => return MhMessage::Unknown { data: Bytes(body) },
    };
    parsed.unwrap_or_else(|| MhMessage::Malformed {
        data: Bytes(body),
        error: DissectError::malformed(
            Mh::NAME,
            at,
            format!(
                "{ty} message needs more than the {} bytes the header length leaves",
                body.len()
            ),
        ),
    })
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    /// zeek mip6_back.pcap: Binding Acknowledgement, status 0, K, seq 42, lifetime 8
    /// units, PadN(2).
    static BA: [u8; 16] = [
        0x3b, 0x01, 0x06, 0x00, 0xd1, 0xda, 0x00, 0x80, 0x00, 0x2a, 0x00, 0x08, 0x01, 0x02, 0x00,
        0x00,
    ];

    fn msg(ty: u8, body: &[u8]) -> &'static [u8] {
        let total = COMMON_LEN + body.len();
        assert_eq!(total % 8, 0, "test message must be 8n bytes");
        let mut b = vec![59, (total / 8 - 1) as u8, ty, 0, 0x12, 0x34];
        b.extend_from_slice(body);
        Box::leak(b.into_boxed_slice())
    }

    fn parse(b: &[u8]) -> Mh<'_> {
        let p = Mh::parse(b, &Ctx::default()).unwrap();
        assert_eq!(p.header_len, b.len());
        p.header
    }

    #[test]
    fn test_parse_binding_ack() {
        let h = parse(&BA);
        let v = serde_json::to_value(&h).unwrap();
        assert_eq!(
            v,
            json!({
                "next": "TransType::IPv6_NoNxt [59]",
                "length": 16,
                "type": "Packet::Binding_Acknowledgement [6]",
                "chksum": 0xd1da,
                "status": "StatusCode::Binding_Update_accepted_Proxy_Binding_Update_accepted [0]",
                "key_mngt": true,
                "seq": 42,
                "lifetime": 32,
                "options": {"Option::PadN [1]": [{"type": "Option::PadN [1]", "length": 4}]}
            })
        );
    }

    #[test]
    fn binding_refresh_request() {
        let h = parse(msg(0, &[0, 0]));
        assert!(
            matches!(&h.message, MhMessage::BindingRefreshRequest { options } if options.iter().count() == 0)
        );
        let v = serde_json::to_value(&h).unwrap();
        assert_eq!(v["options"], json!({}));
    }

    #[test]
    fn test_init_and_test() {
        for ty in [1u8, 2] {
            let h = parse(msg(ty, &[0, 0, 1, 2, 3, 4, 5, 6, 7, 8]));
            assert!(matches!(
                h.message,
                MhMessage::TestInit {
                    cookie: Bytes(&[1, 2, 3, 4, 5, 6, 7, 8]),
                    ..
                }
            ));
        }
        let mut body = vec![0x01, 0x02];
        body.extend_from_slice(&[0xc0; 8]);
        body.extend_from_slice(&[0x70; 8]);
        body.extend_from_slice(&[0; 8]); // Pad1 ×8
        for ty in [3u8, 4] {
            let h = parse(msg(ty, &body));
            let MhMessage::Test {
                nonce_index,
                token,
                options,
                ..
            } = &h.message
            else {
                panic!()
            };
            assert_eq!(*nonce_index, 0x0102);
            assert_eq!(*token, Bytes(&[0x70; 8]));
            assert_eq!(options.iter().count(), 8);
        }
    }

    #[test]
    fn binding_update() {
        // seq 37, A|H|K, lifetime 3 units, PadN(2).
        let h = parse(msg(5, &[0, 37, 0xd0, 0, 0, 3, 1, 2, 0, 0]));
        let v = serde_json::to_value(&h).unwrap();
        assert_eq!(v["seq"], 37);
        assert_eq!(v["ack"], true);
        assert_eq!(v["home"], true);
        assert_eq!(v["lla_compat"], false);
        assert_eq!(v["key_mngt"], true);
        assert_eq!(v["lifetime"], 12);
    }

    #[test]
    fn binding_error() {
        let mut body = vec![1, 0];
        body.extend_from_slice(&"2001:db8::5".parse::<Ipv6Addr>().unwrap().octets());
        let h = parse(msg(7, &body));
        let v = serde_json::to_value(&h).unwrap();
        assert_eq!(v["home"], "2001:db8::5");
        assert_eq!(v["status"], BindingError(1).to_string());
    }

    #[test]
    fn unknown_and_short_messages() {
        let h = parse(msg(200, &[1, 2]));
        assert_eq!(
            h.message,
            MhMessage::Unknown {
                data: Bytes(&[1, 2])
            }
        );
        // A Binding Error needs 18 bytes after the common part.
        let h = parse(msg(7, &[1, 0]));
        let MhMessage::Malformed { error, .. } = &h.message else {
            panic!()
        };
        assert_eq!(error.offset, 6);
        assert!(
            error
                .to_string()
                .starts_with("MH at byte 6: malformed: Packet::Binding_Error [7] message")
        );
    }

    #[test]
    fn test_impossible_len() {
        let e = Mh::parse(&BA[..5], &Ctx::default()).unwrap_err();
        assert_eq!(e, DissectError::truncated("MH", 0, 6, 5));
        let e = Mh::parse(&BA[..12], &Ctx::default()).unwrap_err();
        assert_eq!(e, DissectError::truncated("MH", 0, 16, 12));
    }
}
