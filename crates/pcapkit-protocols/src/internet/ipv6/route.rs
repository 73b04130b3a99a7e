//! IPv6 Routing header (`route` inside IPv6, chain token `IPv6-Route`): type 0 (RFC 2460,
//! deprecated), type 2 (RFC 6275), type 3 RPL (RFC 6554, addresses rebuilt from their
//! compressed form), type 4 Segment Routing (RFC 8754); other types keep their `data`.

use std::net::Ipv6Addr;

use serde::ser::{Serialize, SerializeMap, Serializer};

use crate::consts::ipv6::Routing;
use crate::consts::reg::TransType;
use crate::error::{DissectError, Result};
use crate::internet::common::{Ipv6List, Reader};
use crate::protocol::{Ctx, Header, Level, Next, Parse, Parsed};
use crate::ser::{Bytes, SeqOf, Tuple};
use crate::wire;

/// A Routing header.
#[derive(Clone, Debug, PartialEq)]
pub struct Ipv6Route<'a> {
    /// Next header.
    pub next: TransType,
    /// Header length in bytes ((field + 1) × 8).
    pub length: u16,
    /// Routing type.
    pub ty: Routing,
    /// Segments left.
    pub seg_left: u8,
    /// Type-specific fields.
    pub body: RouteBody<'a>,
}

/// The type-specific part of a Routing header.
#[derive(Clone, Debug, PartialEq)]
pub enum RouteBody<'a> {
    /// Type 0: the list of addresses (`ip`).
    SourceRoute(Ipv6List<'a>),
    /// Type 2: the home address (`ip`).
    Type2(Ipv6Addr),
    /// Type 3: RPL source route.
    Rpl(RplRoute<'a>),
    /// Type 4: segment routing header.
    Srh {
        /// Index of the last element of the segment list.
        last_entry: u8,
        /// Flags.
        flags: u8,
        /// Tag.
        tag: u16,
        /// The segment list (`segments[0]` is the last segment of the path).
        segments: Ipv6List<'a>,
        /// The TLV area after the segment list.
        tlvs: SrhTlvs<'a>,
    },
    /// Any other type: the bytes after the first four.
    Unknown(&'a [u8]),
    /// A known type whose layout does not match the header length.
    Malformed {
        /// The bytes after the first four.
        data: &'a [u8],
        /// What is wrong.
        error: DissectError,
    },
}

/// An RPL source route (RFC 6554): addresses with their first `cmpr_i` (`cmpr_e` for
/// the last) octets elided; they are the same as the IPv6 destination address's.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct RplRoute<'a> {
    /// Octets elided from all addresses but the last.
    pub cmpr_i: u8,
    /// Octets elided from the last address.
    pub cmpr_e: u8,
    /// Padding octets after the addresses.
    pub pad: u8,
    /// The compressed addresses.
    pub data: &'a [u8],
    /// The IPv6 destination address the elided octets come from (`None` when the header
    /// is decoded on its own: addresses are then given as their compressed bytes).
    pub dst: Option<Ipv6Addr>,
}

/// One address of an RPL route: rebuilt, or its compressed bytes.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum RplAddr<'a> {
    /// The full address.
    Addr(Ipv6Addr),
    /// The compressed bytes (no destination address to complete them).
    Compressed(&'a [u8]),
}

impl Serialize for RplAddr<'_> {
    fn serialize<S: Serializer>(&self, s: S) -> std::result::Result<S::Ok, S::Error> {
        match self {
            RplAddr::Addr(a) => a.serialize(s),
            RplAddr::Compressed(b) => Bytes(b).serialize(s),
        }
    }
}

impl<'a> RplRoute<'a> {
    /// Number of addresses, if the layout is consistent.
    pub fn count(&self) -> Option<usize> {
        let n = self.data.len();
        if n == 0 {
            return Some(0);
        }
        let last = 16 - usize::from(self.cmpr_e);
        let each = 16 - usize::from(self.cmpr_i);
        let others = n.checked_sub(last)?;
        (others % each == 0).then_some(others / each + 1)
    }

    /// The addresses in route order.
    pub fn addrs(&self) -> impl Iterator<Item = RplAddr<'a>> + Clone + 'a {
        let route = *self;
        let count = self.count().unwrap_or(0);
        (0..count).map_while(move |i| {
            let each = 16 - usize::from(route.cmpr_i);
            let (start, elided) = (
                i * each,
                if i + 1 == count {
                    route.cmpr_e
                } else {
                    route.cmpr_i
                },
            );
            let bytes = route.data.get(start..start + 16 - usize::from(elided))?;
            Some(match route.dst {
                Some(dst) => {
                    let mut a = dst.octets();
                    let tail = a.get_mut(usize::from(elided)..)?;
                    tail.copy_from_slice(bytes);
                    RplAddr::Addr(Ipv6Addr::from(a))
                }
                None => RplAddr::Compressed(bytes),
            })
        })
    }
}

/// The TLVs of a segment routing header (RFC 8754 §2.1): `{type, length, data}` each.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct SrhTlvs<'a>(pub &'a [u8]);

impl<'a> SrhTlvs<'a> {
    /// `(type, length, value)` of each TLV; Pad1 (type 0) is one byte with no length.
    pub fn iter(&self) -> impl Iterator<Item = (u8, u8, &'a [u8])> + Clone + 'a {
        let mut rest = self.0;
        std::iter::from_fn(move || {
            let (&ty, tail) = rest.split_first()?;
            if ty == 0 {
                rest = tail;
                return Some((0, 0, &[][..]));
            }
            let (&len, tail) = tail.split_first().unwrap_or((&0, &[]));
            let value = tail.get(..usize::from(len)).unwrap_or(tail);
            rest = tail.get(value.len()..).unwrap_or_default();
            Some((ty, len, value))
        })
    }
}

impl Serialize for SrhTlvs<'_> {
    fn serialize<S: Serializer>(&self, s: S) -> std::result::Result<S::Ok, S::Error> {
        struct Tlv<'a>(u8, u8, &'a [u8]);
        impl Serialize for Tlv<'_> {
            fn serialize<S: Serializer>(&self, s: S) -> std::result::Result<S::Ok, S::Error> {
                let mut m = s.serialize_map(Some(3))?;
                m.serialize_entry("type", &self.0)?;
                m.serialize_entry("length", &self.1)?;
                m.serialize_entry("data", &Bytes(self.2))?;
                m.end()
            }
        }
        SeqOf(self.iter().map(|(t, l, v)| Tlv(t, l, v))).serialize(s)
    }
}

impl Serialize for Ipv6Route<'_> {
    fn serialize<S: Serializer>(&self, s: S) -> std::result::Result<S::Ok, S::Error> {
        let mut m = s.serialize_map(None)?;
        m.serialize_entry("next", &self.next)?;
        m.serialize_entry("length", &self.length)?;
        m.serialize_entry("type", &self.ty)?;
        m.serialize_entry("seg_left", &self.seg_left)?;
        match &self.body {
            RouteBody::SourceRoute(ip) => m.serialize_entry("ip", ip)?,
            RouteBody::Type2(ip) => m.serialize_entry("ip", ip)?,
            RouteBody::Rpl(r) => {
                m.serialize_entry("cmpr_i", &r.cmpr_i)?;
                m.serialize_entry("cmpr_e", &r.cmpr_e)?;
                m.serialize_entry("pad", &r.pad)?;
                m.serialize_entry("ip", &Tuple(r.addrs()))?;
            }
            RouteBody::Srh {
                last_entry,
                flags,
                tag,
                segments,
                tlvs,
            } => {
                m.serialize_entry("last_entry", last_entry)?;
                m.serialize_entry("flags", flags)?;
                m.serialize_entry("tag", tag)?;
                m.serialize_entry("segments", segments)?;
                m.serialize_entry("tlvs", tlvs)?;
            }
            RouteBody::Unknown(d) => m.serialize_entry("data", &Bytes(d))?,
            RouteBody::Malformed { data, error } => {
                m.serialize_entry("data", &Bytes(data))?;
                m.serialize_entry("error", error)?;
            }
        }
        m.end()
    }
}

impl<'a> Ipv6Route<'a> {
    /// Decodes a Routing header; `dst` (the IPv6 destination address) completes RPL
    /// addresses.
    pub fn parse_with_dst(
        data: &'a [u8],
        ctx: &Ctx,
        dst: Option<Ipv6Addr>,
    ) -> Result<Parsed<Self>> {
        wire::need(Self::NAME, ctx, data, 8)?;
        let mut r = Reader::new(data);
        let (next, len, ty, seg_left) = (
            r.u8().unwrap_or_default(),
            r.u8().unwrap_or_default(),
            r.u8().unwrap_or_default(),
            r.u8().unwrap_or_default(),
        );
        let length = (u16::from(len) + 1) * 8;
        wire::need(Self::NAME, ctx, data, length.into())?;
        let body_bytes = data.get(4..usize::from(length)).unwrap_or_default();
        let malformed = |what: String| RouteBody::Malformed {
            data: body_bytes,
            error: DissectError::malformed(Self::NAME, ctx.offset, what),
        };
        let mut b = Reader::new(body_bytes);
        let body = match ty {
            0 => match (b.skip(4), b.rest()) {
                (Some(()), ip) if ip.len() % 16 == 0 => RouteBody::SourceRoute(Ipv6List(ip)),
                _ => malformed(format!("type 0 header length {length} is not 8 + 16n")),
            },
            2 => match (b.skip(4), b.ipv6()) {
                (Some(()), Some(ip)) if length == 24 => RouteBody::Type2(ip),
                _ => malformed(format!("type 2 header length {length} is not 24")),
            },
            3 => {
                let (ci_ce, pad) = (b.u8().unwrap_or_default(), b.u8().unwrap_or_default());
                let _reserved = b.skip(2);
                let addrs = b.rest();
                let pad = pad >> 4;
                let route = RplRoute {
                    cmpr_i: ci_ce >> 4,
                    cmpr_e: ci_ce & 0x0f,
                    pad,
                    data: addrs
                        .get(..addrs.len().saturating_sub(pad.into()))
                        .unwrap_or_default(),
                    dst,
                };
                if route.count().is_some() && addrs.len() >= usize::from(pad) {
                    RouteBody::Rpl(route)
                } else {
                    malformed(format!(
                        "RPL addresses (CmprI {}, CmprE {}, Pad {pad}) do not fill the {} bytes of the header",
                        route.cmpr_i,
                        route.cmpr_e,
                        addrs.len()
                    ))
                }
            }
            4 => {
                let (last_entry, flags, tag) = (
                    b.u8().unwrap_or_default(),
                    b.u8().unwrap_or_default(),
                    b.u16().unwrap_or_default(),
                );
                match b.bytes((usize::from(last_entry) + 1) * 16) {
                    Some(segments) => RouteBody::Srh {
                        last_entry,
                        flags,
                        tag,
                        segments: Ipv6List(segments),
                        tlvs: SrhTlvs(b.rest()),
                    },
                    None => malformed(format!(
                        "{} segments do not fit a header of {length} bytes",
                        u16::from(last_entry) + 1
                    )),
                }
            }
            _ => RouteBody::Unknown(body_bytes),
        };
        Ok(Parsed {
            header: Ipv6Route {
                next: TransType(next),
                length,
                ty: Routing(ty),
                seg_left,
                body,
            },
            header_len: length.into(),
            payload_len: data.len().saturating_sub(length.into()),
            next: Next::IpProto(TransType(next)),
        })
    }
}

impl Header for Ipv6Route<'_> {
    const NAME: &'static str = "IPv6-Route";
    const KEY: &'static str = "ipv6_route";
    const LEVEL: Option<Level> = Some(Level::Internet);
}

impl<'a> Parse<'a> for Ipv6Route<'a> {
    fn parse(data: &'a [u8], ctx: &Ctx) -> Result<Parsed<Self>> {
        Self::parse_with_dst(data, ctx, None)
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    fn v6(s: &str) -> Ipv6Addr {
        s.parse().unwrap()
    }

    fn hdr(next: u8, ty: u8, seg_left: u8, body: &[u8]) -> Vec<u8> {
        let len = (4 + body.len()) / 8 - 1;
        let mut b = vec![next, len as u8, ty, seg_left];
        b.extend_from_slice(body);
        assert_eq!(b.len() % 8, 0);
        b
    }

    #[test]
    fn pypcapkit_bug_23_type_0() {
        let mut body = vec![0; 4];
        body.extend_from_slice(&v6("2001:db8::1").octets());
        body.extend_from_slice(&v6("2001:db8::2").octets());
        let b = hdr(6, 0, 2, &body);
        let p = Ipv6Route::parse(&b, &Ctx::default()).unwrap();
        assert_eq!(p.header_len, 40);
        assert_eq!(p.next, Next::IpProto(TransType::TCP));
        let v = serde_json::to_value(p.header).unwrap();
        assert_eq!(
            v,
            json!({
                "next": "TransType::TCP [6]",
                "length": 40,
                "type": "Routing::Source_Route [0]",
                "seg_left": 2,
                "ip": {"type": "tuple", "value": ["2001:db8::1", "2001:db8::2"]}
            })
        );
    }

    #[test]
    fn pypcapkit_bug_23_type_2() {
        let mut body = vec![0; 4];
        body.extend_from_slice(&v6("2001:db8::99").octets());
        let b = hdr(59, 2, 1, &body);
        let p = Ipv6Route::parse(&b, &Ctx::default()).unwrap();
        assert_eq!(p.header.body, RouteBody::Type2(v6("2001:db8::99")));
        let v = serde_json::to_value(p.header).unwrap();
        assert_eq!(v["ip"], "2001:db8::99");
        assert_eq!(v["type"], "Routing::Type_2_Routing_Header [2]");
        // A type 2 header of the wrong size keeps the header, flags the body.
        let b = hdr(59, 2, 1, &[0; 12]);
        let p = Ipv6Route::parse(&b, &Ctx::default()).unwrap();
        assert!(matches!(p.header.body, RouteBody::Malformed { .. }));
    }

    #[test]
    fn pypcapkit_bug_23_type_3_rpl_addresses_are_rebuilt() {
        // CmprI 14, CmprE 15, 3 addresses: 2 + 2 + 1 bytes, 3 bytes of padding.
        let body = [0xef, 0x30, 0, 0, 0x00, 0x02, 0x00, 0x03, 0x04, 0, 0, 0];
        let b = hdr(17, 3, 3, &body);
        let dst = v6("fd00::1");
        let p = Ipv6Route::parse_with_dst(&b, &Ctx::default(), Some(dst)).unwrap();
        let RouteBody::Rpl(r) = p.header.body else {
            panic!()
        };
        assert_eq!((r.cmpr_i, r.cmpr_e, r.pad), (14, 15, 3));
        let v = serde_json::to_value(p.header).unwrap();
        assert_eq!(
            v["ip"],
            json!({"type": "tuple", "value": ["fd00::2", "fd00::3", "fd00::4"]})
        );
        // On its own (no destination), the compressed bytes are given.
        let p = Ipv6Route::parse(&b, &Ctx::default()).unwrap();
        let RouteBody::Rpl(r) = p.header.body else {
            panic!()
        };
        assert_eq!(
            r.addrs().collect::<Vec<_>>(),
            [
                RplAddr::Compressed(&[0, 2]),
                RplAddr::Compressed(&[0, 3]),
                RplAddr::Compressed(&[4])
            ]
        );
        // Inconsistent sizes.
        let body = [0xef, 0x00, 0, 0, 1, 2, 3, 4, 5, 6, 7, 8];
        let b = hdr(17, 3, 1, &body);
        let p = Ipv6Route::parse(&b, &Ctx::default()).unwrap();
        assert!(matches!(p.header.body, RouteBody::Malformed { .. }));
    }

    #[test]
    fn type_4_srh() {
        let mut body = vec![1, 0, 0x12, 0x34];
        body.extend_from_slice(&v6("a::1").octets());
        body.extend_from_slice(&v6("b::2").octets());
        body.extend_from_slice(&[0, 4, 2, 0, 0, 0, 0, 0]); // Pad1, PadN(2), Pad1 ×3
        let b = hdr(41, 4, 1, &body);
        let p = Ipv6Route::parse(&b, &Ctx::default()).unwrap();
        let v = serde_json::to_value(p.header).unwrap();
        assert_eq!(v["type"], "Routing::Segment_Routing_Header [4]");
        assert_eq!(v["last_entry"], 1);
        assert_eq!(v["tag"], 0x1234);
        assert_eq!(v["segments"]["value"], json!(["a::1", "b::2"]));
        let tlvs = v["tlvs"].as_array().unwrap();
        assert_eq!(tlvs[0]["type"], 0);
        assert_eq!(tlvs[1]["type"], 4);
        assert_eq!(tlvs[1]["length"], 2);
        // Segment list longer than the header.
        let b = hdr(41, 4, 1, &[5, 0, 0, 0]);
        let p = Ipv6Route::parse(&b, &Ctx::default()).unwrap();
        assert!(matches!(p.header.body, RouteBody::Malformed { .. }));
    }

    #[test]
    fn unknown_type_keeps_data() {
        let b = hdr(6, 253, 0, &[1, 2, 3, 4]);
        let p = Ipv6Route::parse(&b, &Ctx::default()).unwrap();
        assert_eq!(p.header.body, RouteBody::Unknown(&[1, 2, 3, 4]));
    }

    #[test]
    fn test_impossible_len() {
        let e = Ipv6Route::parse(&[6, 1, 0, 0, 0, 0, 0, 0], &Ctx::default()).unwrap_err();
        assert_eq!(e, DissectError::truncated("IPv6-Route", 0, 16, 8));
    }
}
