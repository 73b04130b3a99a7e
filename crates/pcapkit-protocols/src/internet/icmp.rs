//! Internet Control Message Protocol (RFC 792, RFC 950, RFC 1256, RFC 4884): every
//! message type; error messages (unreachable, source quench, redirect, time exceeded,
//! parameter problem) hand the quoted IP header and data to the dissector, so the
//! embedded `ipv4` (and its 8 bytes of transport header) appear as child layers.

use std::net::Ipv4Addr;

use serde::ser::{Serialize, SerializeMap, Serializer};

use crate::ProtoId;
use crate::consts::icmp::{DestinationUnreachable, ParameterProblem, Redirect, TimeExceeded, Type};
use crate::error::Result;
use crate::internet::common::{Reader, ones_complement_sum};
use crate::protocol::{Ctx, Header, Level, Next, Parse, Parsed};
use crate::ser::{Bytes, SeqOf};
use crate::wire;

/// Length of the common header (type, code, checksum, rest of header).
pub const HEADER_LEN: usize = 8;

/// An ICMP message (`icmp`, chain token `ICMP`).
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct Icmp<'a> {
    /// Message type.
    pub kind: Type,
    /// Code (its meaning depends on the type).
    pub code: u8,
    /// Checksum as sent.
    pub checksum: u16,
    /// Whether the checksum is right; `null` when the message is not wholly captured.
    pub checksum_ok: Option<bool>,
    /// The type-specific fields.
    pub body: IcmpBody<'a>,
}

/// The type-specific part of an ICMP message.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum IcmpBody<'a> {
    /// Echo (8) / Echo Reply (0), Information Request (15) / Reply (16).
    Echo {
        /// Identifier.
        id: u16,
        /// Sequence number.
        seq: u16,
    },
    /// Destination Unreachable (3).
    Unreachable {
        /// RFC 4884 length of the quoted datagram in 32-bit words (0: not given).
        length: u8,
        /// Next-hop MTU (RFC 1191; code 4, fragmentation needed).
        mtu: u16,
    },
    /// Source Quench (4).
    SourceQuench,
    /// Redirect (5).
    Redirect {
        /// Gateway the host should use.
        gateway: Ipv4Addr,
    },
    /// Time Exceeded (11).
    TimeExceeded {
        /// RFC 4884 length of the quoted datagram in 32-bit words (0: not given).
        length: u8,
    },
    /// Parameter Problem (12).
    ParameterProblem {
        /// Offset of the octet where the error was detected.
        pointer: u8,
        /// RFC 4884 length of the quoted datagram in 32-bit words (0: not given).
        length: u8,
    },
    /// Timestamp (13) / Timestamp Reply (14).
    Timestamp {
        /// Identifier.
        id: u16,
        /// Sequence number.
        seq: u16,
        /// Originate timestamp (ms since midnight UT).
        originate: u32,
        /// Receive timestamp.
        receive: u32,
        /// Transmit timestamp.
        transmit: u32,
    },
    /// Address Mask Request (17) / Reply (18).
    AddressMask {
        /// Identifier.
        id: u16,
        /// Sequence number.
        seq: u16,
        /// Subnet mask.
        mask: Ipv4Addr,
    },
    /// Router Advertisement (9, RFC 1256).
    RouterAdvertisement {
        /// Number of addresses.
        num_addrs: u8,
        /// Words per address entry (2 for address + preference).
        entry_size: u8,
        /// Lifetime in seconds.
        lifetime: u16,
        /// The address entries (`entry_size` words each).
        entries: &'a [u8],
    },
    /// Router Solicitation (10).
    RouterSolicitation,
    /// Any other type: the 4 bytes of "rest of header" as sent.
    Other {
        /// Rest of header.
        rest: Bytes<'a>,
    },
}

/// The code of a message: an enum text for the types with a code registry
/// (`DestinationUnreachable::Port_Unreachable [3]`), else the number.
#[derive(Clone, Copy, Debug)]
pub struct Code {
    /// Message type.
    pub kind: u8,
    /// Code.
    pub code: u8,
}

impl Serialize for Code {
    fn serialize<S: Serializer>(&self, s: S) -> std::result::Result<S::Ok, S::Error> {
        match self.kind {
            3 => DestinationUnreachable(self.code).serialize(s),
            5 => Redirect(self.code).serialize(s),
            11 => TimeExceeded(self.code).serialize(s),
            12 => ParameterProblem(self.code).serialize(s),
            _ => s.serialize_u8(self.code),
        }
    }
}

/// One router address entry of a Router Advertisement.
#[derive(Clone, Copy, Debug, serde::Serialize)]
struct RouterEntry {
    addr: Ipv4Addr,
    preference: i32,
}

impl Icmp<'_> {
    /// Whether this type quotes the offending datagram (an error message).
    pub fn is_error(&self) -> bool {
        matches!(self.kind.0, 3 | 4 | 5 | 11 | 12)
    }

    /// The code with its type's registry.
    pub fn code(&self) -> Code {
        Code {
            kind: self.kind.0,
            code: self.code,
        }
    }
}

/// Fields: `type`, `code`, `checksum`, `checksum_ok`, then the type's own fields.
impl Serialize for Icmp<'_> {
    fn serialize<S: Serializer>(&self, serializer: S) -> std::result::Result<S::Ok, S::Error> {
        let mut m = serializer.serialize_map(None)?;
        m.serialize_entry("type", &self.kind)?;
        m.serialize_entry("code", &self.code())?;
        m.serialize_entry("checksum", &self.checksum)?;
        m.serialize_entry("checksum_ok", &self.checksum_ok)?;
        match self.body {
            IcmpBody::Echo { id, seq } => {
                m.serialize_entry("id", &id)?;
                m.serialize_entry("seq", &seq)?;
            }
            IcmpBody::Unreachable { length, mtu } => {
                m.serialize_entry("length", &length)?;
                if self.code == 4 {
                    m.serialize_entry("mtu", &mtu)?;
                }
            }
            IcmpBody::SourceQuench | IcmpBody::RouterSolicitation => {}
            IcmpBody::Redirect { gateway } => m.serialize_entry("gateway", &gateway)?,
            IcmpBody::TimeExceeded { length } => m.serialize_entry("length", &length)?,
            IcmpBody::ParameterProblem { pointer, length } => {
                m.serialize_entry("pointer", &pointer)?;
                m.serialize_entry("length", &length)?;
            }
            IcmpBody::Timestamp {
                id,
                seq,
                originate,
                receive,
                transmit,
            } => {
                m.serialize_entry("id", &id)?;
                m.serialize_entry("seq", &seq)?;
                m.serialize_entry("originate", &originate)?;
                m.serialize_entry("receive", &receive)?;
                m.serialize_entry("transmit", &transmit)?;
            }
            IcmpBody::AddressMask { id, seq, mask } => {
                m.serialize_entry("id", &id)?;
                m.serialize_entry("seq", &seq)?;
                m.serialize_entry("mask", &mask)?;
            }
            IcmpBody::RouterAdvertisement {
                num_addrs,
                entry_size,
                lifetime,
                entries,
            } => {
                m.serialize_entry("num_addrs", &num_addrs)?;
                m.serialize_entry("entry_size", &entry_size)?;
                m.serialize_entry("lifetime", &lifetime)?;
                let size = usize::from(entry_size.max(2)) * 4;
                let list = entries.chunks_exact(size).map(|e| {
                    let mut r = Reader::new(e);
                    RouterEntry {
                        addr: r.ipv4().unwrap_or(Ipv4Addr::UNSPECIFIED),
                        preference: r.u32().unwrap_or_default() as i32,
                    }
                });
                m.serialize_entry("addrs", &SeqOf(list))?;
            }
            IcmpBody::Other { rest } => m.serialize_entry("rest", &rest)?,
        }
        m.end()
    }
}

impl Header for Icmp<'_> {
    const NAME: &'static str = "ICMP";
    const KEY: &'static str = "icmp";
    const LEVEL: Option<Level> = Some(Level::Internet);

    fn quotes_datagram(&self) -> bool {
        self.is_error()
    }
}

/// Bytes of the payload that RFC 4884's `length` (in `unit`-byte words) assigns to the
/// quoted datagram; everything when it is 0 (not given) or runs past the message.
pub(crate) fn quoted_len(length: u8, unit: usize, available: usize) -> usize {
    match usize::from(length) * unit {
        0 => available,
        n => n.min(available),
    }
}

impl<'a> Parse<'a> for Icmp<'a> {
    fn parse(data: &'a [u8], ctx: &Ctx) -> Result<Parsed<Self>> {
        wire::need(Self::NAME, ctx, data, HEADER_LEN)?;
        let mut r = Reader::new(data);
        let kind = Type(r.u8().unwrap_or_default());
        let code = r.u8().unwrap_or_default();
        let checksum = r.u16().unwrap_or_default();
        // The 4 bytes of "rest of header", read in the type's layout below.
        let rest = Reader::new(data.get(4..HEADER_LEN).unwrap_or_default());
        let (id, seq) = {
            let mut r = rest;
            (r.u16().unwrap_or_default(), r.u16().unwrap_or_default())
        };
        let byte = |i: usize| data.get(i).copied().unwrap_or_default();
        let mut header_len = HEADER_LEN;
        let body = match kind.0 {
            0 | 8 | 15 | 16 => IcmpBody::Echo { id, seq },
            3 => IcmpBody::Unreachable {
                length: byte(5),
                mtu: seq,
            },
            4 => IcmpBody::SourceQuench,
            5 => IcmpBody::Redirect {
                gateway: Reader::new(data.get(4..HEADER_LEN).unwrap_or_default())
                    .ipv4()
                    .unwrap_or(Ipv4Addr::UNSPECIFIED),
            },
            9 => {
                let (num_addrs, entry_size) = (byte(4), byte(5));
                let len = usize::from(num_addrs) * usize::from(entry_size) * 4;
                header_len = HEADER_LEN + len;
                wire::need(Self::NAME, ctx, data, header_len)?;
                IcmpBody::RouterAdvertisement {
                    num_addrs,
                    entry_size,
                    lifetime: seq,
                    entries: data.get(HEADER_LEN..header_len).unwrap_or_default(),
                }
            }
            10 => IcmpBody::RouterSolicitation,
            11 => IcmpBody::TimeExceeded { length: byte(5) },
            12 => IcmpBody::ParameterProblem {
                pointer: byte(4),
                length: byte(5),
            },
            13 | 14 => {
                header_len = 20;
                wire::need(Self::NAME, ctx, data, header_len)?;
                let mut t = Reader::new(data.get(HEADER_LEN..).unwrap_or_default());
                IcmpBody::Timestamp {
                    id,
                    seq,
                    originate: t.u32().unwrap_or_default(),
                    receive: t.u32().unwrap_or_default(),
                    transmit: t.u32().unwrap_or_default(),
                }
            }
            17 | 18 => {
                header_len = 12;
                wire::need(Self::NAME, ctx, data, header_len)?;
                IcmpBody::AddressMask {
                    id,
                    seq,
                    mask: Reader::new(data.get(HEADER_LEN..).unwrap_or_default())
                        .ipv4()
                        .unwrap_or(Ipv4Addr::UNSPECIFIED),
                }
            }
            _ => IcmpBody::Other {
                rest: Bytes(data.get(4..HEADER_LEN).unwrap_or_default()),
            },
        };
        let checksum_ok = ctx
            .reported_len
            .is_none()
            .then(|| ones_complement_sum(data) == 0xffff);
        let header = Icmp {
            kind,
            code,
            checksum,
            checksum_ok,
            body,
        };
        let rest_len = data.len() - header_len;
        let (payload_len, next) = if header.is_error() {
            let length = match body {
                IcmpBody::Unreachable { length, .. }
                | IcmpBody::TimeExceeded { length }
                | IcmpBody::ParameterProblem { length, .. } => length,
                _ => 0,
            };
            let quoted = data.get(header_len..).unwrap_or_default();
            let next = if quoted.first().is_some_and(|b| b >> 4 == 4) {
                Next::Proto(ProtoId::Ipv4)
            } else {
                Next::End
            };
            (quoted_len(length, 4, rest_len), next)
        } else {
            (rest_len, Next::End)
        };
        Ok(Parsed {
            header,
            header_len,
            payload_len,
            next,
        })
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::error::DissectError;

    /// Fills in the checksum of an ICMP message.
    pub(crate) fn with_checksum(mut m: Vec<u8>) -> Vec<u8> {
        m[2] = 0;
        m[3] = 0;
        let sum = !ones_complement_sum(&m);
        m[2..4].copy_from_slice(&sum.to_be_bytes());
        m
    }

    fn json(h: &Icmp<'_>) -> serde_json::Value {
        serde_json::to_value(h).unwrap()
    }

    #[test]
    fn echo_request() {
        let m = with_checksum(vec![8, 0, 0, 0, 0x12, 0x34, 0, 7, b'h', b'i']);
        let p = Icmp::parse(&m, &Ctx::default()).unwrap();
        assert_eq!(p.header.kind, Type::Echo);
        assert_eq!(p.header.checksum_ok, Some(true));
        assert_eq!(p.header_len, 8);
        assert_eq!(p.payload_len, 2);
        assert_eq!(p.next, Next::End);
        assert_eq!(
            json(&p.header),
            serde_json::json!({"type": "Type::Echo [8]", "code": 0,
                "checksum": p.header.checksum, "checksum_ok": true, "id": 0x1234, "seq": 7})
        );
        let mut bad = m.clone();
        bad[9] ^= 1;
        assert_eq!(
            Icmp::parse(&bad, &Ctx::default())
                .unwrap()
                .header
                .checksum_ok,
            Some(false)
        );
        let cut = Ctx {
            reported_len: Some(100),
            ..Ctx::default()
        };
        assert_eq!(Icmp::parse(&m, &cut).unwrap().header.checksum_ok, None);
    }

    #[test]
    fn unreachable_quotes_ipv4() {
        let mut m = vec![3, 4, 0, 0, 0, 0, 0x05, 0xdc];
        m.extend_from_slice(&[0x45, 0, 0, 28, 0, 0, 0, 0, 64, 17, 0, 0]);
        m.extend_from_slice(&[10, 0, 0, 1, 10, 0, 0, 2, 0, 53, 0, 53, 0, 8, 0, 0]);
        let m = with_checksum(m);
        let p = Icmp::parse(&m, &Ctx::default()).unwrap();
        assert!(p.header.is_error());
        assert_eq!(p.next, Next::Proto(ProtoId::Ipv4));
        assert_eq!(p.payload_len, 28);
        let v = json(&p.header);
        assert_eq!(
            v["code"],
            "DestinationUnreachable::Fragmentation_Needed [4]"
        );
        assert_eq!(v["mtu"], 1500);
        assert_eq!(v["length"], 0);
        // RFC 4884 length: 5 words of quoted datagram (the rest is an extension).
        let mut m2 = m.clone();
        m2[5] = 5;
        assert_eq!(Icmp::parse(&m2, &Ctx::default()).unwrap().payload_len, 20);
        // A quote that is not IPv4 stays raw.
        let mut m3 = m.clone();
        m3[8] = 0x60;
        assert_eq!(Icmp::parse(&m3, &Ctx::default()).unwrap().next, Next::End);
    }

    #[test]
    fn redirect_time_exceeded_parameter_problem() {
        let m = with_checksum(vec![5, 1, 0, 0, 192, 0, 2, 1, 0x45]);
        let p = Icmp::parse(&m, &Ctx::default()).unwrap();
        let v = json(&p.header);
        assert_eq!(v["gateway"], "192.0.2.1");
        assert_eq!(v["code"], "Redirect::Redirect_for_Host [1]");
        assert_eq!(p.next, Next::Proto(ProtoId::Ipv4));
        let m = with_checksum(vec![11, 0, 0, 0, 0, 0, 0, 0]);
        let p = Icmp::parse(&m, &Ctx::default()).unwrap();
        assert_eq!(
            json(&p.header)["code"],
            "TimeExceeded::TTL_Exceeded_in_Transit [0]"
        );
        assert_eq!(p.payload_len, 0);
        let m = with_checksum(vec![12, 0, 0, 0, 9, 0, 0, 0]);
        let v = json(&Icmp::parse(&m, &Ctx::default()).unwrap().header);
        assert_eq!(v["pointer"], 9);
        assert_eq!(
            v["code"],
            "ParameterProblem::Pointer_Indicates_the_Error [0]"
        );
        let m = with_checksum(vec![4, 0, 0, 0, 0, 0, 0, 0]);
        let v = json(&Icmp::parse(&m, &Ctx::default()).unwrap().header);
        assert_eq!(v["type"], "Type::Source_Quench [4]");
    }

    #[test]
    fn timestamp_mask_router_adv_and_other() {
        let mut m = vec![14, 0, 0, 0, 0, 1, 0, 2];
        m.extend_from_slice(&[0, 0, 0, 10, 0, 0, 0, 20, 0, 0, 0, 30]);
        let m = with_checksum(m);
        let p = Icmp::parse(&m, &Ctx::default()).unwrap();
        assert_eq!(p.header_len, 20);
        let v = json(&p.header);
        assert_eq!(
            (&v["originate"], &v["receive"], &v["transmit"]),
            (&10.into(), &20.into(), &30.into())
        );
        assert_eq!(v["type"], "Type::Timestamp_Reply [14]");
        let m = with_checksum(vec![18, 0, 0, 0, 0, 1, 0, 1, 255, 255, 255, 0]);
        let v = json(&Icmp::parse(&m, &Ctx::default()).unwrap().header);
        assert_eq!(v["mask"], "255.255.255.0");
        let mut m = vec![9, 0, 0, 0, 1, 2, 0x07, 0x08];
        m.extend_from_slice(&[192, 0, 2, 9, 0xff, 0xff, 0xff, 0xff]);
        let m = with_checksum(m);
        let p = Icmp::parse(&m, &Ctx::default()).unwrap();
        assert_eq!(p.header_len, 16);
        let v = json(&p.header);
        assert_eq!(v["lifetime"], 1800);
        assert_eq!(
            v["addrs"],
            serde_json::json!([{"addr": "192.0.2.9", "preference": -1}])
        );
        let v = json(
            &Icmp::parse(
                &with_checksum(vec![10, 0, 0, 0, 0, 0, 0, 0]),
                &Ctx::default(),
            )
            .unwrap()
            .header,
        );
        assert_eq!(v["type"], "Type::Router_Solicitation [10]");
        let m = with_checksum(vec![200, 9, 0, 0, 1, 2, 3, 4]);
        let v = json(&Icmp::parse(&m, &Ctx::default()).unwrap().header);
        assert_eq!(v["type"], "Type::Unknown [200]");
        assert_eq!(v["code"], 9);
        assert_eq!(v["rest"], serde_json::json!([1, 2, 3, 4]));
    }

    #[test]
    fn truncation_is_an_error_at_every_length() {
        let ctx = Ctx {
            offset: 34,
            ..Ctx::default()
        };
        assert_eq!(
            Icmp::parse(&[8, 0, 0], &ctx).unwrap_err(),
            DissectError::truncated("ICMP", 34, 8, 3)
        );
        let mut ts = vec![13, 0, 0, 0, 0, 1, 0, 2];
        ts.extend_from_slice(&[0; 12]);
        for n in 0..ts.len() {
            assert!(Icmp::parse(&ts[..n], &ctx).is_err(), "{n}");
        }
        assert!(Icmp::parse(&ts, &ctx).is_ok());
        let ra = [9, 0, 0, 0, 2, 2, 0, 0, 1, 2, 3, 4];
        assert_eq!(
            Icmp::parse(&ra, &ctx).unwrap_err(),
            DissectError::truncated("ICMP", 34, 24, 12)
        );
    }
}
