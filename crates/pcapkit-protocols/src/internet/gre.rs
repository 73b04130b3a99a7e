//! Generic Routing Encapsulation (RFC 2784, RFC 2890 keys and sequence numbers, and the
//! enhanced GRE version 1 of PPTP, RFC 2637): the payload is dispatched by its
//! EtherType (IPv4, IPv6, PPP, ...), Transparent Ethernet Bridging (0x6558) to Ethernet.

use serde::ser::{Serialize, SerializeMap, Serializer};

use crate::ProtoId;
use crate::consts::reg::EtherType;
use crate::error::{DissectError, Result};
use crate::internet::common::{Reader, ones_complement_sum};
use crate::protocol::{Ctx, Header, Level, Next, Parse, Parsed};
use crate::wire;

/// Length of the mandatory part (flags/version, protocol type).
pub const MIN_HEADER_LEN: usize = 4;

/// A GRE header (`gre`, chain token `GRE`).
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct Gre {
    /// The first 16 bits: C, R, K, S, s flags, recursion control, A flag (v1), version.
    pub flags: u16,
    /// Protocol type of the payload (an EtherType).
    pub protocol: EtherType,
    /// Checksum, when the C bit is set.
    pub checksum: Option<u16>,
    /// Whether the checksum is right (`null` without a checksum or when the packet is not
    /// wholly captured).
    pub checksum_ok: Option<bool>,
    /// Offset field (with the checksum, when C or R is set).
    pub offset: Option<u16>,
    /// Key, when the K bit is set (version 1: payload length and call ID).
    pub key: Option<u32>,
    /// Sequence number, when the S bit is set.
    pub seq: Option<u32>,
    /// Acknowledgment number, when the A bit (version 1) is set.
    pub ack: Option<u32>,
}

impl Gre {
    /// GRE version (0, or 1 for PPTP's enhanced GRE).
    pub fn version(&self) -> u8 {
        (self.flags & 0x7) as u8
    }
}

/// Fields: `flags` `{checksum, routing, key, seq, strict_route, recursion, ack}`,
/// `version`, `protocol`, then `checksum`, `checksum_ok`, `offset`, `key` (`payload_len`
/// and `call_id` for version 1), `seq`, `ack` when present.
impl Serialize for Gre {
    fn serialize<S: Serializer>(&self, serializer: S) -> std::result::Result<S::Ok, S::Error> {
        let mut m = serializer.serialize_map(None)?;
        m.serialize_entry("flags", &GreFlags(self.flags))?;
        m.serialize_entry("version", &self.version())?;
        m.serialize_entry("protocol", &self.protocol)?;
        if let Some(c) = self.checksum {
            m.serialize_entry("checksum", &c)?;
            m.serialize_entry("checksum_ok", &self.checksum_ok)?;
        }
        if let Some(o) = self.offset {
            m.serialize_entry("offset", &o)?;
        }
        if let Some(k) = self.key {
            if self.version() == 1 {
                m.serialize_entry("payload_len", &(k >> 16))?;
                m.serialize_entry("call_id", &(k & 0xffff))?;
            } else {
                m.serialize_entry("key", &k)?;
            }
        }
        if let Some(s) = self.seq {
            m.serialize_entry("seq", &s)?;
        }
        if let Some(a) = self.ack {
            m.serialize_entry("ack", &a)?;
        }
        m.end()
    }
}

struct GreFlags(u16);

impl Serialize for GreFlags {
    fn serialize<S: Serializer>(&self, s: S) -> std::result::Result<S::Ok, S::Error> {
        let f = self.0;
        let mut m = s.serialize_map(Some(7))?;
        m.serialize_entry("checksum", &(f & 0x8000 != 0))?;
        m.serialize_entry("routing", &(f & 0x4000 != 0))?;
        m.serialize_entry("key", &(f & 0x2000 != 0))?;
        m.serialize_entry("seq", &(f & 0x1000 != 0))?;
        m.serialize_entry("strict_route", &(f & 0x0800 != 0))?;
        m.serialize_entry("recursion", &((f >> 8) & 0x7))?;
        m.serialize_entry("ack", &(f & 0x0080 != 0))?;
        m.end()
    }
}

impl Header for Gre {
    const NAME: &'static str = "GRE";
    const KEY: &'static str = "gre";
    const LEVEL: Option<Level> = Some(Level::Internet);
}

/// What follows a header of protocol type `t`.
pub(crate) fn next_of(t: EtherType) -> Next {
    if t == EtherType::Transparent_Ethernet_Bridging {
        Next::Proto(ProtoId::Ethernet)
    } else {
        Next::EtherType(t)
    }
}

impl<'a> Parse<'a> for Gre {
    fn parse(data: &'a [u8], ctx: &Ctx) -> Result<Parsed<Self>> {
        wire::need(Self::NAME, ctx, data, MIN_HEADER_LEN)?;
        let mut r = Reader::new(data);
        let flags = r.u16().unwrap_or_default();
        let protocol = EtherType(r.u16().unwrap_or_default());
        let version = flags & 0x7;
        if version > 1 {
            return Err(DissectError::bad_value(
                Self::NAME,
                ctx.offset + 1,
                "version",
                version.into(),
                "0 (GRE) or 1 (PPTP enhanced GRE)",
            ));
        }
        let has = |bit: u16| flags & bit != 0;
        let header_len = MIN_HEADER_LEN
            + if has(0x8000) || has(0x4000) { 4 } else { 0 }
            + if has(0x2000) { 4 } else { 0 }
            + if has(0x1000) { 4 } else { 0 }
            + if version == 1 && has(0x0080) { 4 } else { 0 };
        wire::need(Self::NAME, ctx, data, header_len)?;
        let (checksum, offset) = if has(0x8000) || has(0x4000) {
            let c = r.u16().unwrap_or_default();
            let o = r.u16().unwrap_or_default();
            (has(0x8000).then_some(c), Some(o))
        } else {
            (None, None)
        };
        let key = has(0x2000).then(|| r.u32().unwrap_or_default());
        let seq = has(0x1000).then(|| r.u32().unwrap_or_default());
        let ack = (version == 1 && has(0x0080)).then(|| r.u32().unwrap_or_default());
        let checksum_ok = match checksum {
            Some(_) if ctx.reported_len.is_none() => Some(ones_complement_sum(data) == 0xffff),
            _ => None,
        };
        // Routing (R, RFC 1701) is deprecated; its source route entries are not walked.
        Ok(Parsed {
            header: Gre {
                flags,
                protocol,
                checksum,
                checksum_ok,
                offset,
                key,
                seq,
                ack,
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
    use serde_json::json;

    #[test]
    fn plain_gre_over_ipv4() {
        let d = [0, 0, 0x08, 0, 0x45];
        let p = Gre::parse(&d, &Ctx::default()).unwrap();
        assert_eq!(p.header_len, 4);
        assert_eq!(
            p.next,
            Next::EtherType(EtherType::Internet_Protocol_version_4)
        );
        let v = serde_json::to_value(p.header).unwrap();
        assert_eq!(
            v,
            json!({"flags": {"checksum": false, "routing": false, "key": false, "seq": false,
                "strict_route": false, "recursion": 0, "ack": false},
                "version": 0, "protocol": "EtherType::Internet_Protocol_version_4 [2048]"})
        );
    }

    #[test]
    fn checksum_key_seq_and_teb() {
        let mut d = vec![
            0xb0, 0, 0x65, 0x58, 0, 0, 0, 0, 0, 0, 0, 42, 0, 0, 0, 7, 1, 2,
        ];
        let sum = !ones_complement_sum(&d);
        d[4..6].copy_from_slice(&sum.to_be_bytes());
        let p = Gre::parse(&d, &Ctx::default()).unwrap();
        assert_eq!(p.header_len, 16);
        assert_eq!(p.payload_len, 2);
        assert_eq!(p.next, Next::Proto(ProtoId::Ethernet));
        assert_eq!(p.header.checksum_ok, Some(true));
        let v = serde_json::to_value(p.header).unwrap();
        assert_eq!(
            (&v["key"], &v["seq"], &v["offset"]),
            (&json!(42), &json!(7), &json!(0))
        );
        d[17] = 0;
        assert_eq!(
            Gre::parse(&d, &Ctx::default()).unwrap().header.checksum_ok,
            Some(false)
        );
        for n in 0..16 {
            assert!(Gre::parse(&d[..n], &Ctx::default()).is_err(), "{n}");
        }
    }

    #[test]
    fn pptp_enhanced_gre() {
        // Version 1, K S A: payload length 4, call ID 0x1234, seq 5, ack 4; PPP.
        let d = [
            0x30, 0x81, 0x88, 0x0b, 0, 4, 0x12, 0x34, 0, 0, 0, 5, 0, 0, 0, 4, 0xff, 0x03, 0xc0,
            0x21,
        ];
        let p = Gre::parse(&d, &Ctx::default()).unwrap();
        assert_eq!(p.header_len, 16);
        assert_eq!(p.next, Next::EtherType(EtherType::Point_to_Point_Protocol));
        let v = serde_json::to_value(p.header).unwrap();
        assert_eq!(v["version"], 1);
        assert_eq!(
            (&v["payload_len"], &v["call_id"]),
            (&json!(4), &json!(0x1234))
        );
        assert_eq!((&v["seq"], &v["ack"]), (&json!(5), &json!(4)));
        let bad = [0, 2, 0x08, 0];
        assert!(Gre::parse(&bad, &Ctx::default()).is_err());
    }
}
