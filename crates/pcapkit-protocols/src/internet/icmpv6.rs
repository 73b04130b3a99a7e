//! ICMP for IPv6 (RFC 4443): errors quoting the offending packet (handed to the
//! dissector as an embedded `ipv6`), echo, Neighbor Discovery (RFC 4861: router and
//! neighbor solicitation/advertisement, redirect, with their options) and Multicast
//! Listener Discovery v1/v2 (RFC 2710, RFC 3810).

use std::net::Ipv6Addr;

use serde::ser::{Serialize, SerializeMap, Serializer};

use crate::ProtoId;
use crate::consts::icmpv6::{
    DestinationUnreachable, NDPOption, ParameterProblem, TimeExceeded, Type,
};
use crate::consts::igmp::RecordType;
use crate::error::Result;
use crate::internet::common::{Ipv6List, Ipv6Prefix, Reader};
use crate::internet::icmp::quoted_len;
use crate::protocol::{Ctx, Header, Level, Next, Parse, Parsed, PseudoHeader};
use crate::ser::{Bytes, MacAddr, SeqOf};
use crate::transport::verify_transport_checksum;
use crate::wire;

/// Length of the common header (type, code, checksum, 4 type-specific bytes).
pub const HEADER_LEN: usize = 8;

/// IPv6 next header of ICMPv6 (pseudo-header).
const PROTO: u8 = 58;

/// An ICMPv6 message (`icmpv6`, chain token `ICMPv6`).
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct Icmpv6<'a> {
    /// Message type.
    pub kind: Type,
    /// Code (its meaning depends on the type).
    pub code: u8,
    /// Checksum as sent.
    pub checksum: u16,
    /// Whether the checksum is right; `null` without an IPv6 pseudo-header or when the
    /// message is not wholly captured.
    pub checksum_ok: Option<bool>,
    /// The type-specific fields.
    pub body: Icmpv6Body<'a>,
}

/// The type-specific part of an ICMPv6 message.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Icmpv6Body<'a> {
    /// Destination Unreachable (1) / Time Exceeded (3).
    Error {
        /// RFC 4884 length of the quoted packet in 64-bit words (0: not given).
        length: u8,
    },
    /// Packet Too Big (2).
    PacketTooBig {
        /// MTU of the next-hop link.
        mtu: u32,
    },
    /// Parameter Problem (4).
    ParameterProblem {
        /// Offset of the octet where the error was detected.
        pointer: u32,
    },
    /// Echo Request (128) / Echo Reply (129).
    Echo {
        /// Identifier.
        id: u16,
        /// Sequence number.
        seq: u16,
    },
    /// MLD query (130), v1 report (131), done (132).
    Mld {
        /// Maximum response delay in milliseconds (decoded from MLDv2's code).
        max_resp_delay: u32,
        /// Multicast address (`::` in a general query).
        group: Ipv6Addr,
        /// MLDv2 query fields, when the query is an MLDv2 one (28 bytes or more).
        v2: Option<MldV2Query<'a>>,
    },
    /// MLDv2 report (143).
    MldV2Report {
        /// Number of multicast address records.
        num_records: u16,
        /// The records.
        records: &'a [u8],
    },
    /// Router Solicitation (133).
    RouterSolicitation {
        /// ND options.
        options: &'a [u8],
    },
    /// Router Advertisement (134).
    RouterAdvertisement {
        /// Current hop limit.
        hop_limit: u8,
        /// The flags byte (M, O, H, Prf, P).
        flags: u8,
        /// Router lifetime in seconds.
        lifetime: u16,
        /// Reachable time in milliseconds.
        reachable_time: u32,
        /// Retransmission timer in milliseconds.
        retrans_timer: u32,
        /// ND options.
        options: &'a [u8],
    },
    /// Neighbor Solicitation (135).
    NeighborSolicitation {
        /// Target address.
        target: Ipv6Addr,
        /// ND options.
        options: &'a [u8],
    },
    /// Neighbor Advertisement (136).
    NeighborAdvertisement {
        /// The flags byte (R, S, O).
        flags: u8,
        /// Target address.
        target: Ipv6Addr,
        /// ND options.
        options: &'a [u8],
    },
    /// Redirect (137).
    Redirect {
        /// Better first hop.
        target: Ipv6Addr,
        /// Destination being redirected.
        destination: Ipv6Addr,
        /// ND options.
        options: &'a [u8],
    },
    /// Any other type: the 4 type-specific bytes as sent.
    Other {
        /// The 4 bytes after the checksum.
        rest: Bytes<'a>,
    },
}

/// The MLDv2 part of a Multicast Listener Query.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct MldV2Query<'a> {
    /// Suppress router-side processing.
    pub suppress: bool,
    /// Querier's robustness variable.
    pub qrv: u8,
    /// Querier's query interval code.
    pub qqic: u8,
    /// Number of sources.
    pub num_sources: u16,
    /// Source addresses.
    pub sources: Ipv6List<'a>,
}

/// The code of a message: an enum text for the types with a code registry
/// (`DestinationUnreachable::Port_Unreachable [4]`), else the number.
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
            1 => DestinationUnreachable(self.code).serialize(s),
            3 => TimeExceeded(self.code).serialize(s),
            4 => ParameterProblem(self.code).serialize(s),
            _ => s.serialize_u8(self.code),
        }
    }
}

/// MLDv2 / IGMPv3 "exponential" code: values from 32768 (MLD, 16 bits) or 128 (IGMP,
/// 8 bits) up are a mantissa and exponent.
fn mld_max_resp(code: u16) -> u32 {
    if code < 0x8000 {
        u32::from(code)
    } else {
        let mant = u32::from(code & 0x0fff);
        let exp = u32::from((code >> 12) & 0x7);
        (mant | 0x1000) << (exp + 3)
    }
}

/// ND options as a list of objects (`type`, `length` in bytes, the option's fields); a
/// malformed option (length 0, or running past the message) ends the list with an
/// entry carrying `error`.
pub struct NdOptions<'a>(pub &'a [u8]);

#[derive(Clone, Copy)]
enum NdOption<'a> {
    Ok(NDPOption, &'a [u8]),
    Bad(u8, &'static str),
}

fn nd_options(data: &[u8]) -> impl Iterator<Item = NdOption<'_>> + Clone {
    let mut rest = data;
    let mut done = false;
    std::iter::from_fn(move || {
        if done || rest.is_empty() {
            return None;
        }
        let kind = rest.first().copied().unwrap_or_default();
        let len = usize::from(rest.get(1).copied().unwrap_or_default()) * 8;
        let item = match rest.get(..len) {
            _ if rest.len() < 2 => Err("option cut short"),
            _ if len == 0 => Err("length 0"),
            Some(opt) => Ok(opt),
            None => Err("length runs past the message"),
        };
        match item {
            Ok(opt) => {
                rest = rest.get(len..).unwrap_or_default();
                Some(NdOption::Ok(NDPOption(kind), opt))
            }
            Err(e) => {
                done = true;
                Some(NdOption::Bad(kind, e))
            }
        }
    })
}

impl Serialize for NdOption<'_> {
    fn serialize<S: Serializer>(&self, s: S) -> std::result::Result<S::Ok, S::Error> {
        let mut m = s.serialize_map(None)?;
        let (kind, opt) = match *self {
            NdOption::Ok(kind, opt) => (kind, opt),
            NdOption::Bad(kind, what) => {
                m.serialize_entry("type", &NDPOption(kind))?;
                m.serialize_entry("error", what)?;
                return m.end();
            }
        };
        m.serialize_entry("type", &kind)?;
        m.serialize_entry("length", &opt.len())?;
        let body = opt.get(2..).unwrap_or_default();
        let mut r = Reader::new(body);
        match kind.0 {
            1 | 2 => match <[u8; 6]>::try_from(body) {
                Ok(mac) => m.serialize_entry("addr", &MacAddr(mac))?,
                Err(_) => m.serialize_entry("addr", &Bytes(body))?,
            },
            3 if body.len() >= 30 => {
                let len = r.u8().unwrap_or_default();
                let flags = r.u8().unwrap_or_default();
                let valid = r.u32().unwrap_or_default();
                let preferred = r.u32().unwrap_or_default();
                let _ = r.skip(4);
                let addr = r.ipv6().unwrap_or(Ipv6Addr::UNSPECIFIED);
                m.serialize_entry("prefix", &Ipv6Prefix { addr, len })?;
                m.serialize_entry("on_link", &(flags & 0x80 != 0))?;
                m.serialize_entry("autonomous", &(flags & 0x40 != 0))?;
                m.serialize_entry("valid_lifetime", &valid)?;
                m.serialize_entry("preferred_lifetime", &preferred)?;
            }
            4 => m.serialize_entry("header", &Bytes(body.get(6..).unwrap_or_default()))?,
            5 if body.len() >= 6 => {
                let _ = r.skip(2);
                m.serialize_entry("mtu", &r.u32().unwrap_or_default())?;
            }
            25 if body.len() >= 6 => {
                let _ = r.skip(2);
                m.serialize_entry("lifetime", &r.u32().unwrap_or_default())?;
                m.serialize_entry("addrs", &Ipv6List(r.rest()))?;
            }
            _ => m.serialize_entry("data", &Bytes(body))?,
        }
        m.end()
    }
}

impl Serialize for NdOptions<'_> {
    fn serialize<S: Serializer>(&self, s: S) -> std::result::Result<S::Ok, S::Error> {
        SeqOf(nd_options(self.0)).serialize(s)
    }
}

/// MLDv2 multicast address records as a list of objects; a record running past the
/// message ends the list with an `error` entry. At most `num` records.
pub struct MldRecords<'a> {
    /// Declared number of records.
    pub num: u16,
    /// Bytes holding them.
    pub data: &'a [u8],
    /// Address size (16 for MLD, 4 for IGMPv3).
    pub addr_len: usize,
}

#[derive(Clone, Copy)]
enum Record<'a> {
    Ok {
        kind: u8,
        aux_len: u8,
        group: &'a [u8],
        sources: &'a [u8],
    },
    Bad,
}

impl MldRecords<'_> {
    fn iter(&self) -> impl Iterator<Item = Record<'_>> + Clone {
        let addr_len = self.addr_len;
        let mut r = Reader::new(self.data);
        let mut left = self.num;
        std::iter::from_fn(move || {
            if left == 0 {
                return None;
            }
            left -= 1;
            let rec = (|| {
                let kind = r.u8()?;
                let aux_len = r.u8()?;
                let n = usize::from(r.u16()?);
                let group = r.bytes(addr_len)?;
                let sources = r.bytes(n * addr_len)?;
                r.skip(usize::from(aux_len) * 4)?;
                Some(Record::Ok {
                    kind,
                    aux_len,
                    group,
                    sources,
                })
            })();
            if rec.is_none() {
                left = 0;
            }
            Some(rec.unwrap_or(Record::Bad))
        })
    }
}

struct Addr<'a>(&'a [u8]);

impl Serialize for Addr<'_> {
    fn serialize<S: Serializer>(&self, s: S) -> std::result::Result<S::Ok, S::Error> {
        if let Ok(a) = <[u8; 16]>::try_from(self.0) {
            s.collect_str(&Ipv6Addr::from(a))
        } else if let Ok(a) = <[u8; 4]>::try_from(self.0) {
            s.collect_str(&std::net::Ipv4Addr::from(a))
        } else {
            Bytes(self.0).serialize(s)
        }
    }
}

impl Serialize for MldRecords<'_> {
    fn serialize<S: Serializer>(&self, s: S) -> std::result::Result<S::Ok, S::Error> {
        let step = self.addr_len.max(1);
        SeqOf(self.iter().map(move |rec| RecordSer(rec, step))).serialize(s)
    }
}

struct RecordSer<'a>(Record<'a>, usize);

impl Serialize for RecordSer<'_> {
    fn serialize<S: Serializer>(&self, s: S) -> std::result::Result<S::Ok, S::Error> {
        let mut m = s.serialize_map(None)?;
        match self.0 {
            Record::Ok {
                kind,
                aux_len,
                group,
                sources,
            } => {
                m.serialize_entry("type", &RecordType(kind))?;
                m.serialize_entry("aux_len", &aux_len)?;
                m.serialize_entry("group", &Addr(group))?;
                let list = sources.chunks_exact(self.1).map(Addr);
                m.serialize_entry("sources", &SeqOf(list))?;
            }
            Record::Bad => m.serialize_entry("error", "record runs past the message")?,
        }
        m.end()
    }
}

impl Icmpv6<'_> {
    /// Whether this type quotes the offending packet (an error message).
    pub fn is_error(&self) -> bool {
        matches!(self.kind.0, 1..=4)
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
impl Serialize for Icmpv6<'_> {
    fn serialize<S: Serializer>(&self, serializer: S) -> std::result::Result<S::Ok, S::Error> {
        let mut m = serializer.serialize_map(None)?;
        m.serialize_entry("type", &self.kind)?;
        m.serialize_entry("code", &self.code())?;
        m.serialize_entry("checksum", &self.checksum)?;
        m.serialize_entry("checksum_ok", &self.checksum_ok)?;
        match self.body {
            Icmpv6Body::Error { length } => m.serialize_entry("length", &length)?,
            Icmpv6Body::PacketTooBig { mtu } => m.serialize_entry("mtu", &mtu)?,
            Icmpv6Body::ParameterProblem { pointer } => m.serialize_entry("pointer", &pointer)?,
            Icmpv6Body::Echo { id, seq } => {
                m.serialize_entry("id", &id)?;
                m.serialize_entry("seq", &seq)?;
            }
            Icmpv6Body::Mld {
                max_resp_delay,
                group,
                v2,
            } => {
                m.serialize_entry("max_resp_delay", &max_resp_delay)?;
                m.serialize_entry("group", &group)?;
                if let Some(q) = v2 {
                    m.serialize_entry("suppress", &q.suppress)?;
                    m.serialize_entry("qrv", &q.qrv)?;
                    m.serialize_entry("qqic", &q.qqic)?;
                    m.serialize_entry("num_sources", &q.num_sources)?;
                    m.serialize_entry("sources", &q.sources)?;
                }
            }
            Icmpv6Body::MldV2Report {
                num_records,
                records,
            } => {
                m.serialize_entry("num_records", &num_records)?;
                m.serialize_entry(
                    "records",
                    &MldRecords {
                        num: num_records,
                        data: records,
                        addr_len: 16,
                    },
                )?;
            }
            Icmpv6Body::RouterSolicitation { options } => {
                m.serialize_entry("options", &NdOptions(options))?;
            }
            Icmpv6Body::RouterAdvertisement {
                hop_limit,
                flags,
                lifetime,
                reachable_time,
                retrans_timer,
                options,
            } => {
                m.serialize_entry("hop_limit", &hop_limit)?;
                m.serialize_entry("flags", &RaFlags(flags))?;
                m.serialize_entry("lifetime", &lifetime)?;
                m.serialize_entry("reachable_time", &reachable_time)?;
                m.serialize_entry("retrans_timer", &retrans_timer)?;
                m.serialize_entry("options", &NdOptions(options))?;
            }
            Icmpv6Body::NeighborSolicitation { target, options } => {
                m.serialize_entry("target", &target)?;
                m.serialize_entry("options", &NdOptions(options))?;
            }
            Icmpv6Body::NeighborAdvertisement {
                flags,
                target,
                options,
            } => {
                m.serialize_entry("flags", &NaFlags(flags))?;
                m.serialize_entry("target", &target)?;
                m.serialize_entry("options", &NdOptions(options))?;
            }
            Icmpv6Body::Redirect {
                target,
                destination,
                options,
            } => {
                m.serialize_entry("target", &target)?;
                m.serialize_entry("destination", &destination)?;
                m.serialize_entry("options", &NdOptions(options))?;
            }
            Icmpv6Body::Other { rest } => m.serialize_entry("rest", &rest)?,
        }
        m.end()
    }
}

/// Router Advertisement flags: `{managed, other, home_agent, prf, proxy}`.
struct RaFlags(u8);

impl Serialize for RaFlags {
    fn serialize<S: Serializer>(&self, s: S) -> std::result::Result<S::Ok, S::Error> {
        let f = self.0;
        let mut m = s.serialize_map(Some(5))?;
        m.serialize_entry("managed", &(f & 0x80 != 0))?;
        m.serialize_entry("other", &(f & 0x40 != 0))?;
        m.serialize_entry("home_agent", &(f & 0x20 != 0))?;
        m.serialize_entry("prf", &((f >> 3) & 0x3))?;
        m.serialize_entry("proxy", &(f & 0x04 != 0))?;
        m.end()
    }
}

/// Neighbor Advertisement flags: `{router, solicited, override}`.
struct NaFlags(u8);

impl Serialize for NaFlags {
    fn serialize<S: Serializer>(&self, s: S) -> std::result::Result<S::Ok, S::Error> {
        let f = self.0;
        let mut m = s.serialize_map(Some(3))?;
        m.serialize_entry("router", &(f & 0x80 != 0))?;
        m.serialize_entry("solicited", &(f & 0x40 != 0))?;
        m.serialize_entry("override", &(f & 0x20 != 0))?;
        m.end()
    }
}

impl Header for Icmpv6<'_> {
    const NAME: &'static str = "ICMPv6";
    const KEY: &'static str = "icmpv6";
    const LEVEL: Option<Level> = Some(Level::Internet);

    fn quotes_datagram(&self) -> bool {
        self.is_error()
    }
}

impl<'a> Parse<'a> for Icmpv6<'a> {
    fn parse(data: &'a [u8], ctx: &Ctx) -> Result<Parsed<Self>> {
        wire::need(Self::NAME, ctx, data, HEADER_LEN)?;
        let mut r = Reader::new(data);
        let kind = Type(r.u8().unwrap_or_default());
        let code = r.u8().unwrap_or_default();
        let checksum = r.u16().unwrap_or_default();
        let word = {
            let mut w = r;
            w.u32().unwrap_or_default()
        };
        let byte = |i: usize| data.get(i).copied().unwrap_or_default();
        let need = |n: usize| wire::need(Self::NAME, ctx, data, n);
        let at = |i: usize| data.get(i..).unwrap_or_default();
        let addr = |i: usize| Reader::new(at(i)).ipv6().unwrap_or(Ipv6Addr::UNSPECIFIED);
        // ND and MLD messages are header only (options and records belong to it).
        let mut header_len = data.len();
        let body = match kind.0 {
            1 | 3 => {
                header_len = HEADER_LEN;
                Icmpv6Body::Error { length: byte(4) }
            }
            2 => {
                header_len = HEADER_LEN;
                Icmpv6Body::PacketTooBig { mtu: word }
            }
            4 => {
                header_len = HEADER_LEN;
                Icmpv6Body::ParameterProblem { pointer: word }
            }
            128 | 129 => {
                header_len = HEADER_LEN;
                Icmpv6Body::Echo {
                    id: (word >> 16) as u16,
                    seq: word as u16,
                }
            }
            130..=132 => {
                need(24)?;
                let raw = (word >> 16) as u16;
                let v2 = if kind.0 == 130 && data.len() >= 28 {
                    let n = u16::from_be_bytes([byte(26), byte(27)]);
                    let len = usize::from(n) * 16;
                    need(28 + len)?;
                    Some(MldV2Query {
                        suppress: byte(24) & 0x08 != 0,
                        qrv: byte(24) & 0x07,
                        qqic: byte(25),
                        num_sources: n,
                        sources: Ipv6List(data.get(28..28 + len).unwrap_or_default()),
                    })
                } else {
                    None
                };
                Icmpv6Body::Mld {
                    max_resp_delay: if v2.is_some() {
                        mld_max_resp(raw)
                    } else {
                        u32::from(raw)
                    },
                    group: addr(8),
                    v2,
                }
            }
            143 => Icmpv6Body::MldV2Report {
                num_records: u16::from_be_bytes([byte(6), byte(7)]),
                records: at(8),
            },
            133 => Icmpv6Body::RouterSolicitation { options: at(8) },
            134 => {
                need(16)?;
                let mut t = Reader::new(at(8));
                Icmpv6Body::RouterAdvertisement {
                    hop_limit: byte(4),
                    flags: byte(5),
                    lifetime: u16::from_be_bytes([byte(6), byte(7)]),
                    reachable_time: t.u32().unwrap_or_default(),
                    retrans_timer: t.u32().unwrap_or_default(),
                    options: at(16),
                }
            }
            135 => {
                need(24)?;
                Icmpv6Body::NeighborSolicitation {
                    target: addr(8),
                    options: at(24),
                }
            }
            136 => {
                need(24)?;
                Icmpv6Body::NeighborAdvertisement {
                    flags: byte(4),
                    target: addr(8),
                    options: at(24),
                }
            }
            137 => {
                need(40)?;
                Icmpv6Body::Redirect {
                    target: addr(8),
                    destination: addr(24),
                    options: at(40),
                }
            }
            _ => {
                header_len = HEADER_LEN;
                Icmpv6Body::Other {
                    rest: Bytes(data.get(4..HEADER_LEN).unwrap_or_default()),
                }
            }
        };
        let checksum_ok = match ctx.pseudo_header {
            Some(ph @ PseudoHeader::V6 { .. }) if ctx.reported_len.is_none() => {
                verify_transport_checksum(Some(ph), PROTO, data)
            }
            _ => None,
        };
        let header = Icmpv6 {
            kind,
            code,
            checksum,
            checksum_ok,
            body,
        };
        let rest_len = data.len() - header_len;
        let (payload_len, next) = if header.is_error() {
            let length = match body {
                Icmpv6Body::Error { length } => length,
                _ => 0,
            };
            let next = if data.get(header_len).is_some_and(|b| b >> 4 == 6) {
                Next::Proto(ProtoId::Ipv6)
            } else {
                Next::End
            };
            (quoted_len(length, 8, rest_len), next)
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
    use serde_json::json;

    fn ph() -> Ctx {
        Ctx {
            pseudo_header: Some(PseudoHeader::V6 {
                src: "fe80::1".parse().unwrap(),
                dst: "ff02::1".parse().unwrap(),
            }),
            ..Ctx::default()
        }
    }

    /// Fills in the checksum for [`ph`]'s addresses.
    fn with_checksum(mut m: Vec<u8>) -> Vec<u8> {
        m[2] = 0;
        m[3] = 0;
        let mut pseudo = Vec::new();
        pseudo.extend_from_slice(&"fe80::1".parse::<Ipv6Addr>().unwrap().octets());
        pseudo.extend_from_slice(&"ff02::1".parse::<Ipv6Addr>().unwrap().octets());
        pseudo.extend_from_slice(&(m.len() as u32).to_be_bytes());
        pseudo.extend_from_slice(&[0, 0, 0, PROTO]);
        pseudo.extend_from_slice(&m);
        let sum = crate::transport::internet_checksum(&pseudo);
        m[2..4].copy_from_slice(&sum.to_be_bytes());
        m
    }

    fn parse(m: &[u8]) -> (Parsed<Icmpv6<'_>>, serde_json::Value) {
        let p = Icmpv6::parse(m, &ph()).unwrap();
        let v = serde_json::to_value(p.header).unwrap();
        (p, v)
    }

    #[test]
    fn echo_and_checksum() {
        let m = with_checksum(vec![128, 0, 0, 0, 0, 1, 0, 2, 0xaa]);
        let (p, v) = parse(&m);
        assert_eq!(p.header.checksum_ok, Some(true));
        assert_eq!((p.header_len, p.payload_len), (8, 1));
        assert_eq!(v["type"], "Type::Echo_Request [128]");
        assert_eq!((v["id"].as_u64(), v["seq"].as_u64()), (Some(1), Some(2)));
        let mut bad = m.clone();
        bad[8] = 0;
        assert_eq!(parse(&bad).0.header.checksum_ok, Some(false));
        assert_eq!(
            Icmpv6::parse(&m, &Ctx::default())
                .unwrap()
                .header
                .checksum_ok,
            None
        );
    }

    #[test]
    fn errors_quote_ipv6() {
        let mut m = vec![1, 4, 0, 0, 0, 0, 0, 0, 0x60, 0, 0, 0];
        m.extend_from_slice(&[0; 36]);
        let (p, v) = parse(&m);
        assert_eq!(p.next, Next::Proto(ProtoId::Ipv6));
        assert_eq!(p.payload_len, 40);
        assert_eq!(v["code"], "DestinationUnreachable::Port_Unreachable [4]");
        m[4] = 2; // RFC 4884: 16 bytes of quoted packet
        assert_eq!(parse(&m).0.payload_len, 16);
        m[0] = 2;
        let (p, v) = parse(&m);
        assert_eq!(v["mtu"].as_u64(), Some(0x0200_0000));
        assert_eq!(p.payload_len, 40);
        m[0] = 4;
        m[1] = 2;
        m[4..8].copy_from_slice(&[0, 0, 0, 40]);
        let (_, v) = parse(&m);
        assert_eq!(v["pointer"], 40);
        assert_eq!(v["code"], "ParameterProblem::Unrecognized_IPv6_Option [2]");
        m[0] = 3;
        m[1] = 1;
        m[8] = 0x45;
        let (p, v) = parse(&m);
        assert_eq!(p.next, Next::End);
        assert_eq!(
            v["code"],
            "TimeExceeded::Fragment_Reassembly_Time_Exceeded [1]"
        );
    }

    #[test]
    fn router_advertisement_with_options() {
        let mut m = vec![134, 0, 0, 0, 64, 0xc8, 0x07, 0x08, 0, 0, 0, 1, 0, 0, 0, 2];
        m.extend_from_slice(&[1, 1, 2, 0, 0, 0, 0, 1]);
        m.extend_from_slice(&[5, 1, 0, 0, 0, 0, 5, 0xdc]);
        m.extend_from_slice(&[3, 4, 64, 0xc0, 0, 0, 1, 0, 0, 0, 0, 2, 0, 0, 0, 0]);
        m.extend_from_slice(&[0x20, 0x01, 0x0d, 0xb8, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0]);
        m.extend_from_slice(&[25, 3, 0, 0, 0, 0, 0, 60]);
        m.extend_from_slice(&[
            0x20, 0x01, 0x0d, 0xb8, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0x53,
        ]);
        m.extend_from_slice(&[99, 1, 1, 2, 3, 4, 5, 6]);
        let (p, v) = parse(&m);
        assert_eq!(p.header_len, m.len());
        assert_eq!(p.payload_len, 0);
        assert_eq!(
            v["flags"],
            json!({"managed": true, "other": true, "home_agent": false, "prf": 1, "proxy": false})
        );
        assert_eq!(v["lifetime"], 1800);
        assert_eq!(v["reachable_time"], 1);
        assert_eq!(v["retrans_timer"], 2);
        let o = &v["options"];
        assert_eq!(o[0]["type"], "NDPOption::Source_Link_Layer_Address [1]");
        assert_eq!(o[0]["addr"], "02:00:00:00:00:01");
        assert_eq!(o[1]["mtu"], 1500);
        assert_eq!(o[2]["prefix"], "2001:db8::/64");
        assert_eq!(o[2]["on_link"], true);
        assert_eq!(o[2]["valid_lifetime"], 256);
        assert_eq!(o[3]["lifetime"], 60);
        assert_eq!(o[3]["addrs"]["value"], json!(["2001:db8::53"]));
        assert_eq!(o[4]["type"], "NDPOption::Unknown [99]");
        assert_eq!(o[4]["data"], json!([1, 2, 3, 4, 5, 6]));
        assert_eq!(o[4]["length"], 8);
    }

    #[test]
    fn bad_nd_options_end_the_list_with_an_error() {
        let mut m = vec![133, 0, 0, 0, 0, 0, 0, 0];
        m.extend_from_slice(&[1, 0, 0, 0]);
        let (_, v) = parse(&m);
        assert_eq!(
            v["options"],
            json!([{"type": "NDPOption::Source_Link_Layer_Address [1]", "error": "length 0"}])
        );
        let mut m = vec![133, 0, 0, 0, 0, 0, 0, 0];
        m.extend_from_slice(&[1, 2, 0, 0, 0, 0, 0, 0]);
        let (_, v) = parse(&m);
        assert_eq!(v["options"][0]["error"], "length runs past the message");
        let m = vec![133, 0, 0, 0, 0, 0, 0, 0, 1];
        assert_eq!(parse(&m).1["options"][0]["error"], "option cut short");
    }

    #[test]
    fn neighbor_solicitation_advertisement_redirect() {
        let target = [0xfe, 0x80, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 2];
        let mut m = vec![135, 0, 0, 0, 0, 0, 0, 0];
        m.extend_from_slice(&target);
        let (_, v) = parse(&m);
        assert_eq!(v["target"], "fe80::2");
        assert_eq!(v["options"], json!([]));
        m[0] = 136;
        m[4] = 0xe0;
        m.extend_from_slice(&[2, 1, 2, 0, 0, 0, 0, 2]);
        let (_, v) = parse(&m);
        assert_eq!(
            v["flags"],
            json!({"router": true, "solicited": true, "override": true})
        );
        assert_eq!(v["options"][0]["addr"], "02:00:00:00:00:02");
        let mut m = vec![137, 0, 0, 0, 0, 0, 0, 0];
        m.extend_from_slice(&target);
        m.extend_from_slice(&[0x20, 0x01, 0x0d, 0xb8, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 1]);
        m.extend_from_slice(&[4, 2, 0, 0, 0, 0, 0, 0, 0x60, 0, 0, 0, 0, 0, 0, 0]);
        let (_, v) = parse(&m);
        assert_eq!(v["destination"], "2001:db8::1");
        assert_eq!(
            v["options"][0]["header"],
            json!([0x60, 0, 0, 0, 0, 0, 0, 0])
        );
        for n in [8, 23] {
            assert!(Icmpv6::parse(&m[..n], &ph()).is_err());
        }
    }

    #[test]
    fn mld_v1_v2() {
        let group = [0xff, 0x02, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0xfb];
        let mut m = vec![131, 0, 0, 0, 0x27, 0x10, 0, 0];
        m.extend_from_slice(&group);
        let (_, v) = parse(&m);
        assert_eq!(v["max_resp_delay"], 10000);
        assert_eq!(v["group"], "ff02::fb");
        // MLDv2 query with one source and an exponential max response code.
        let mut m = vec![130, 0, 0, 0, 0x80, 0x01, 0, 0];
        m.extend_from_slice(&[0; 16]);
        m.extend_from_slice(&[0x0a, 125, 0, 1]);
        m.extend_from_slice(&group);
        let (_, v) = parse(&m);
        assert_eq!(v["max_resp_delay"], (0x1001u32) << 3);
        assert_eq!(
            (&v["suppress"], &v["qrv"], &v["qqic"]),
            (&json!(true), &json!(2), &json!(125))
        );
        assert_eq!(v["sources"]["value"], json!(["ff02::fb"]));
        assert!(Icmpv6::parse(&m[..30], &ph()).is_err());
        // MLDv2 report: two records, the second cut short.
        let mut m = vec![143, 0, 0, 0, 0, 0, 0, 2];
        m.extend_from_slice(&[4, 0, 0, 1]);
        m.extend_from_slice(&group);
        m.extend_from_slice(&group);
        m.extend_from_slice(&[3, 0, 0, 0, 0xff]);
        let (_, v) = parse(&m);
        assert_eq!(v["num_records"], 2);
        let r = &v["records"];
        assert_eq!(r[0]["type"], "RecordType::CHANGE_TO_EXCLUDE_MODE [4]");
        assert_eq!(r[0]["group"], "ff02::fb");
        assert_eq!(r[0]["sources"], json!(["ff02::fb"]));
        assert_eq!(r[1]["error"], "record runs past the message");
        assert_eq!(r.as_array().unwrap().len(), 2);
    }

    #[test]
    fn truncation_and_other_types() {
        let ctx = Ctx {
            offset: 54,
            ..Ctx::default()
        };
        assert_eq!(
            Icmpv6::parse(&[128, 0, 0], &ctx).unwrap_err(),
            DissectError::truncated("ICMPv6", 54, 8, 3)
        );
        let (p, v) = parse(&[200, 1, 0, 0, 9, 8, 7, 6, 5]);
        assert_eq!(v["type"], "Type::Private_Experimentation_200 [200]");
        assert_eq!(v["code"], 1);
        assert_eq!(v["rest"], json!([9, 8, 7, 6]));
        assert_eq!(p.payload_len, 1);
        assert_eq!(mld_max_resp(0xffff), 0x1fff << 10);
    }
}
