//! Internet Group Management Protocol v1/v2/v3 (RFC 1112, RFC 2236, RFC 3376).

use std::net::Ipv4Addr;

use serde::ser::{Serialize, SerializeMap, Serializer};

use crate::consts::igmp::Type;
use crate::error::Result;
use crate::internet::common::{Ipv4List, Reader, ones_complement_sum};
use crate::internet::icmpv6::MldRecords;
use crate::protocol::{Ctx, Header, Level, Next, Parse, Parsed};
use crate::wire;

/// Length of a v1/v2 message (and of the fixed part of every message).
pub const HEADER_LEN: usize = 8;

/// An IGMP message (`igmp`, chain token `IGMP`).
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct Igmp<'a> {
    /// Message type.
    pub kind: Type,
    /// Protocol version the message belongs to (1, 2 or 3), as Wireshark infers it from
    /// the type, the length and the max response field.
    pub version: u8,
    /// Max response code (v2: tenths of a second; v3: RFC 3376 code).
    pub max_resp: u8,
    /// Checksum as sent.
    pub checksum: u16,
    /// Whether the checksum is right; `null` when the message is not wholly captured.
    pub checksum_ok: Option<bool>,
    /// Group address (queries, v1/v2 reports, leave).
    pub group: Option<Ipv4Addr>,
    /// IGMPv3 query fields.
    pub query: Option<V3Query<'a>>,
    /// IGMPv3 report: number of group records and their bytes.
    pub report: Option<(u16, &'a [u8])>,
}

/// The IGMPv3 part of a Membership Query.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct V3Query<'a> {
    /// Suppress router-side processing.
    pub suppress: bool,
    /// Querier's robustness variable.
    pub qrv: u8,
    /// Querier's query interval code.
    pub qqic: u8,
    /// Number of sources.
    pub num_sources: u16,
    /// Source addresses.
    pub sources: Ipv4List<'a>,
}

/// IGMPv3 "exponential" code (RFC 3376 4.1.1) in tenths of a second.
pub fn v3_time(code: u8) -> u32 {
    if code < 128 {
        u32::from(code)
    } else {
        (u32::from(code & 0x0f) | 0x10) << (((code >> 4) & 0x07) + 3)
    }
}

/// Fields: `type`, `version`, `max_resp_time` (tenths of a second, v3 codes decoded),
/// `checksum`, `checksum_ok`, then `group` and the v3 query / report fields.
impl Serialize for Igmp<'_> {
    fn serialize<S: Serializer>(&self, serializer: S) -> std::result::Result<S::Ok, S::Error> {
        let mut m = serializer.serialize_map(None)?;
        m.serialize_entry("type", &self.kind)?;
        m.serialize_entry("version", &self.version)?;
        let time = if self.version == 3 {
            v3_time(self.max_resp)
        } else {
            u32::from(self.max_resp)
        };
        m.serialize_entry("max_resp_time", &time)?;
        m.serialize_entry("checksum", &self.checksum)?;
        m.serialize_entry("checksum_ok", &self.checksum_ok)?;
        if let Some(g) = self.group {
            m.serialize_entry("group", &g)?;
        }
        if let Some(q) = self.query {
            m.serialize_entry("suppress", &q.suppress)?;
            m.serialize_entry("qrv", &q.qrv)?;
            m.serialize_entry("qqic", &q.qqic)?;
            m.serialize_entry("num_sources", &q.num_sources)?;
            m.serialize_entry("sources", &q.sources)?;
        }
        if let Some((num, data)) = self.report {
            m.serialize_entry("num_records", &num)?;
            m.serialize_entry(
                "records",
                &MldRecords {
                    num,
                    data,
                    addr_len: 4,
                },
            )?;
        }
        m.end()
    }
}

impl Header for Igmp<'_> {
    const NAME: &'static str = "IGMP";
    const KEY: &'static str = "igmp";
    const LEVEL: Option<Level> = Some(Level::Internet);
}

impl<'a> Parse<'a> for Igmp<'a> {
    fn parse(data: &'a [u8], ctx: &Ctx) -> Result<Parsed<Self>> {
        wire::need(Self::NAME, ctx, data, HEADER_LEN)?;
        let mut r = Reader::new(data);
        let kind = Type(r.u8().unwrap_or_default());
        let max_resp = r.u8().unwrap_or_default();
        let checksum = r.u16().unwrap_or_default();
        let group = r.ipv4().unwrap_or(Ipv4Addr::UNSPECIFIED);
        let byte = |i: usize| data.get(i).copied().unwrap_or_default();
        let mut header_len = HEADER_LEN;
        let mut h = Igmp {
            kind,
            version: 2,
            max_resp,
            checksum,
            checksum_ok: None,
            group: Some(group),
            query: None,
            report: None,
        };
        match kind.0 {
            0x11 if data.len() >= 12 => {
                let n = u16::from_be_bytes([byte(10), byte(11)]);
                header_len = 12 + usize::from(n) * 4;
                wire::need(Self::NAME, ctx, data, header_len)?;
                h.version = 3;
                h.query = Some(V3Query {
                    suppress: byte(8) & 0x08 != 0,
                    qrv: byte(8) & 0x07,
                    qqic: byte(9),
                    num_sources: n,
                    sources: Ipv4List(data.get(12..header_len).unwrap_or_default()),
                });
            }
            0x11 if max_resp == 0 => h.version = 1,
            0x12 => h.version = 1,
            0x22 => {
                h.version = 3;
                h.group = None;
                h.report = Some((
                    u16::from_be_bytes([byte(6), byte(7)]),
                    data.get(HEADER_LEN..).unwrap_or_default(),
                ));
                header_len = data.len();
            }
            _ => {}
        }
        let msg_len = if h.version == 3 {
            data.len()
        } else {
            HEADER_LEN
        };
        h.checksum_ok = ctx
            .reported_len
            .is_none()
            .then(|| ones_complement_sum(data.get(..msg_len).unwrap_or_default()) == 0xffff);
        Ok(Parsed {
            header: h,
            header_len,
            payload_len: data.len() - header_len,
            next: Next::End,
        })
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::error::DissectError;
    use serde_json::json;

    fn with_checksum(mut m: Vec<u8>) -> Vec<u8> {
        m[2] = 0;
        m[3] = 0;
        let sum = !ones_complement_sum(&m);
        m[2..4].copy_from_slice(&sum.to_be_bytes());
        m
    }

    fn parse(m: &[u8]) -> (Parsed<Igmp<'_>>, serde_json::Value) {
        let p = Igmp::parse(m, &Ctx::default()).unwrap();
        let v = serde_json::to_value(p.header).unwrap();
        (p, v)
    }

    #[test]
    fn v1_v2_messages() {
        let m = with_checksum(vec![0x16, 0, 0, 0, 239, 1, 2, 3]);
        let (p, v) = parse(&m);
        assert_eq!(
            v,
            json!({"type": "Type::Version_2_Membership_Report [22]", "version": 2,
                "max_resp_time": 0, "checksum": p.header.checksum, "checksum_ok": true,
                "group": "239.1.2.3"})
        );
        let m = with_checksum(vec![0x11, 100, 0, 0, 0, 0, 0, 0]);
        let (_, v) = parse(&m);
        assert_eq!(
            (&v["version"], &v["max_resp_time"]),
            (&json!(2), &json!(100))
        );
        let m = with_checksum(vec![0x11, 0, 0, 0, 0, 0, 0, 0]);
        assert_eq!(parse(&m).1["version"], 1);
        let m = with_checksum(vec![0x12, 0, 0, 0, 224, 0, 0, 1]);
        assert_eq!(parse(&m).1["version"], 1);
        let m = with_checksum(vec![0x17, 0, 0, 0, 224, 0, 0, 1]);
        let (p, v) = parse(&m);
        assert_eq!(v["type"], "Type::Version_2_Leave_Group [23]");
        assert_eq!(p.payload_len, 0);
        let mut bad = m.clone();
        bad[7] = 2;
        assert_eq!(parse(&bad).0.header.checksum_ok, Some(false));
    }

    #[test]
    fn v3_query_and_report() {
        let m = with_checksum(vec![
            0x11, 0x8a, 0, 0, 0, 0, 0, 0, 0x0a, 125, 0, 1, 10, 0, 0, 1,
        ]);
        let (p, v) = parse(&m);
        assert_eq!(p.header_len, 16);
        assert_eq!(v["version"], 3);
        assert_eq!(v["max_resp_time"], (0x1a << 3));
        assert_eq!(v["sources"]["value"], json!(["10.0.0.1"]));
        assert_eq!((&v["suppress"], &v["qrv"]), (&json!(true), &json!(2)));
        assert_eq!(v["checksum_ok"], true);
        assert!(Igmp::parse(&m[..14], &Ctx::default()).is_err());
        let mut m = vec![0x22, 0, 0, 0, 0, 0, 0, 1];
        m.extend_from_slice(&[2, 0, 0, 1, 239, 0, 0, 1, 10, 0, 0, 9]);
        let m = with_checksum(m);
        let (p, v) = parse(&m);
        assert_eq!(p.payload_len, 0);
        assert!(v.get("group").is_none());
        assert_eq!(v["records"][0]["type"], "RecordType::MODE_IS_EXCLUDE [2]");
        assert_eq!(v["records"][0]["group"], "239.0.0.1");
        assert_eq!(v["records"][0]["sources"], json!(["10.0.0.9"]));
        assert_eq!(v["checksum_ok"], true);
    }

    #[test]
    fn truncation() {
        let ctx = Ctx {
            offset: 38,
            ..Ctx::default()
        };
        for n in 0..HEADER_LEN {
            assert_eq!(
                Igmp::parse(&[0x16, 0, 0, 0, 239, 1, 2, 3][..n], &ctx).unwrap_err(),
                DissectError::truncated("IGMP", 38, 8, n)
            );
        }
        assert_eq!(v3_time(0xff), 0x1f << 10);
    }
}
