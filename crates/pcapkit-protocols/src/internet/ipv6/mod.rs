//! IPv6 (RFC 8200) and its extension headers.
//!
//! The IPv6 layer walks every extension header (Hop-by-Hop, Destination Options,
//! Routing, Fragment, AH, Mobility, HIP) and shows each under its own key inside the
//! `ipv6` object (`hopopt`, `opts`, `route`, `frag`, `ah`, `mh`, `hipv2`), as PyPCAPKit
//! does; the chain names them (`IPv6:HOPOPT:IPv6-Opts:UDP`). A repeated header type keeps
//! every instance: the second gets the key `opts_2`, the third `opts_3`, ... (PyPCAPKit
//! overwrote the first).
//!
//! The walk stops cleanly at ESP, Shim6, any other next header that is not one of those
//! extensions, or an extension header that cannot be decoded: the IPv6 layer is kept and
//! the rest is handed on by its next-header number (a malformed extension header then
//! fails in its own decoder and shows up as `raw` with the error). After a Fragment
//! header of a non-first fragment the payload is `raw` with a note; a first fragment's
//! upper layer is decoded from just after the Fragment header.

mod frag;
mod options;
mod route;

pub use frag::Ipv6Frag;
pub use options::{
    Hopopt, Ipv6Option, Ipv6OptionBody, Ipv6OptionIter, Ipv6Options, Ipv6Opts, MplSeed, TaggerId,
};
pub use route::{Ipv6Route, RouteBody, RplAddr, RplRoute, SrhTlvs};

use std::fmt;
use std::net::Ipv6Addr;

use serde::ser::{Serialize, SerializeMap, Serializer};

use crate::consts::reg::TransType;
use crate::error::{DissectError, Result};
use crate::internet::ipv4::NON_FIRST_FRAGMENT;
use crate::internet::{Ah, Hip, Mh};
use crate::protocol::{Ctx, Header, Level, Next, Parse, Parsed, RawProto};
use crate::ser::Bytes;
use crate::wire;

/// Length of the fixed header.
pub const HEADER_LEN: usize = 40;

/// An IPv6 header with its extension headers (`ipv6`, chain token `IPv6`, alias `IP`).
#[derive(Clone, Debug, PartialEq)]
pub struct Ipv6<'a> {
    /// Always 6.
    pub version: u8,
    /// Traffic class.
    pub class: u8,
    /// Flow label (the low 20 bits of the first word).
    pub label: u32,
    /// Payload length (0 for a jumbogram).
    pub payload: u16,
    /// Next header after the fixed header.
    pub next: TransType,
    /// Hop limit.
    pub limit: u8,
    /// Source address.
    pub src: Ipv6Addr,
    /// Destination address.
    pub dst: Ipv6Addr,
    /// Fixed header plus extension headers, in bytes.
    pub hdr_len: usize,
    /// Bytes of upper-layer payload the header announces (after extension headers).
    pub raw_len: usize,
    /// Next header after the last extension header walked.
    pub protocol: TransType,
    /// Payload length of a jumbogram (Jumbo Payload option), if any.
    pub jumbo: Option<u32>,
    exts: &'a [u8],
    ext_offset: usize,
    fragment: Option<FragmentParts<'a>>,
}

/// The bytes around a Fragment header, as PyPCAPKit shows them (`fragment`).
#[derive(Clone, Copy, Debug, PartialEq, Eq, serde::Serialize)]
pub struct FragmentParts<'a> {
    /// Bytes from the start of the IPv6 header through the Fragment header.
    pub header: Bytes<'a>,
    /// The fragment data after the Fragment header.
    pub payload: Bytes<'a>,
}

/// One extension header inside an IPv6 layer.
#[derive(Clone, Debug, PartialEq)]
pub enum ExtHeader<'a> {
    /// Hop-by-Hop Options (0).
    Hopopt(Hopopt<'a>),
    /// Destination Options (60).
    Opts(Ipv6Opts<'a>),
    /// Routing (43).
    Route(Ipv6Route<'a>),
    /// Fragment (44).
    Frag(Ipv6Frag),
    /// Authentication Header (51).
    Ah(Ah<'a>),
    /// Mobility Header (135).
    Mh(Mh<'a>),
    /// Host Identity Protocol (139).
    Hip(Hip<'a>),
}

impl<'a> ExtHeader<'a> {
    /// Decodes the extension header `nh` at the start of `data`: `None` when `nh` is not
    /// an extension header the IPv6 walk decodes, else the header and its length.
    pub fn parse(
        nh: TransType,
        data: &'a [u8],
        ctx: &Ctx,
        dst: Ipv6Addr,
    ) -> Option<Result<(Self, usize)>> {
        fn wrap<'a, T>(
            r: Result<Parsed<T>>,
            f: impl FnOnce(T) -> ExtHeader<'a>,
        ) -> Result<(ExtHeader<'a>, usize)> {
            r.map(|p| (f(p.header), p.header_len))
        }
        Some(match nh.0 {
            0 => wrap(Hopopt::parse(data, ctx), ExtHeader::Hopopt),
            60 => wrap(Ipv6Opts::parse(data, ctx), ExtHeader::Opts),
            43 => wrap(
                Ipv6Route::parse_with_dst(data, ctx, Some(dst)),
                ExtHeader::Route,
            ),
            44 => wrap(Ipv6Frag::parse(data, ctx), ExtHeader::Frag),
            51 => wrap(Ah::parse(data, ctx), ExtHeader::Ah),
            135 => wrap(Mh::parse(data, ctx), ExtHeader::Mh),
            139 => wrap(Hip::parse(data, ctx), ExtHeader::Hip),
            _ => return None,
        })
    }

    /// The next header this extension header names.
    pub fn next(&self) -> TransType {
        match self {
            ExtHeader::Hopopt(h) => h.next,
            ExtHeader::Opts(h) => h.next,
            ExtHeader::Route(h) => h.next,
            ExtHeader::Frag(h) => h.next,
            ExtHeader::Ah(h) => h.next,
            ExtHeader::Mh(h) => h.next,
            ExtHeader::Hip(h) => h.next,
        }
    }

    /// Its key inside the `ipv6` object (PyPCAPKit derives it from the chain token).
    pub fn key(&self) -> &'static str {
        match self {
            ExtHeader::Hopopt(_) => "hopopt",
            ExtHeader::Opts(_) => "opts",
            ExtHeader::Route(_) => "route",
            ExtHeader::Frag(_) => "frag",
            ExtHeader::Ah(_) => "ah",
            ExtHeader::Mh(_) => "mh",
            ExtHeader::Hip(h) => h.ext_key(),
        }
    }

    /// Writes its chain token (`HOPOPT`, `IPv6-Opts`, `IPv6-Route`, `IPv6-Frag`, `AH`,
    /// `MH`, `HIPv2`).
    pub fn write_token(&self, f: &mut dyn fmt::Write) -> fmt::Result {
        match self {
            ExtHeader::Hopopt(h) => h.write_token(f),
            ExtHeader::Opts(h) => h.write_token(f),
            ExtHeader::Route(h) => h.write_token(f),
            ExtHeader::Frag(h) => h.write_token(f),
            ExtHeader::Ah(h) => h.write_token(f),
            ExtHeader::Mh(h) => h.write_token(f),
            ExtHeader::Hip(h) => h.write_token(f),
        }
    }

    fn is_named(&self, name: &str) -> bool {
        match self {
            ExtHeader::Hopopt(h) => h.is_named(name),
            ExtHeader::Opts(h) => h.is_named(name),
            ExtHeader::Route(h) => h.is_named(name),
            ExtHeader::Frag(h) => h.is_named(name),
            ExtHeader::Ah(h) => h.is_named(name),
            ExtHeader::Mh(h) => h.is_named(name),
            ExtHeader::Hip(h) => h.is_named(name),
        }
    }
}

impl Serialize for ExtHeader<'_> {
    fn serialize<S: Serializer>(&self, s: S) -> std::result::Result<S::Ok, S::Error> {
        match self {
            ExtHeader::Hopopt(h) => h.serialize(s),
            ExtHeader::Opts(h) => h.serialize(s),
            ExtHeader::Route(h) => h.serialize(s),
            ExtHeader::Frag(h) => h.serialize(s),
            ExtHeader::Ah(h) => h.serialize(s),
            ExtHeader::Mh(h) => h.serialize(s),
            ExtHeader::Hip(h) => h.serialize(s),
        }
    }
}

/// Iterator over the extension headers of an [`Ipv6`] layer.
#[derive(Clone, Debug)]
pub struct ExtIter<'a> {
    next: TransType,
    data: &'a [u8],
    offset: usize,
    dst: Ipv6Addr,
}

impl<'a> Iterator for ExtIter<'a> {
    type Item = ExtHeader<'a>;

    fn next(&mut self) -> Option<ExtHeader<'a>> {
        if self.data.is_empty() {
            return None;
        }
        let ctx = Ctx {
            offset: self.offset,
            ports: None,
            ..Ctx::default()
        };
        match ExtHeader::parse(self.next, self.data, &ctx, self.dst) {
            Some(Ok((ext, len))) => {
                self.data = self.data.get(len..).unwrap_or_default();
                self.offset += len;
                self.next = ext.next();
                Some(ext)
            }
            // The walk in `Ipv6::parse` only keeps headers that decode; stop otherwise.
            _ => {
                self.data = &[];
                None
            }
        }
    }
}

impl<'a> Ipv6<'a> {
    /// The extension headers, in wire order.
    pub fn extensions(&self) -> ExtIter<'a> {
        ExtIter {
            next: self.next,
            data: self.exts,
            offset: self.ext_offset,
            dst: self.dst,
        }
    }

    /// The Fragment header, if there is one.
    pub fn frag(&self) -> Option<Ipv6Frag> {
        self.extensions().find_map(|e| match e {
            ExtHeader::Frag(f) => Some(f),
            _ => None,
        })
    }

    /// The bytes around the Fragment header (`fragment`), if there is one.
    pub fn fragment(&self) -> Option<FragmentParts<'a>> {
        self.fragment
    }
}

/// A key with a repeat suffix (`opts`, `opts_2`).
struct ExtKey(&'static str, usize);

impl fmt::Display for ExtKey {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        if self.1 <= 1 {
            f.write_str(self.0)
        } else {
            write!(f, "{}_{}", self.0, self.1)
        }
    }
}

impl Serialize for ExtKey {
    fn serialize<S: Serializer>(&self, s: S) -> std::result::Result<S::Ok, S::Error> {
        s.collect_str(self)
    }
}

impl Serialize for Ipv6<'_> {
    fn serialize<S: Serializer>(&self, s: S) -> std::result::Result<S::Ok, S::Error> {
        let mut m = s.serialize_map(None)?;
        m.serialize_entry("version", &self.version)?;
        m.serialize_entry("class", &self.class)?;
        m.serialize_entry("label", &self.label)?;
        m.serialize_entry("payload", &self.payload)?;
        m.serialize_entry("next", &self.next)?;
        m.serialize_entry("limit", &self.limit)?;
        m.serialize_entry("src", &self.src)?;
        m.serialize_entry("dst", &self.dst)?;
        // Occurrences so far per key (a handful of distinct keys): linear in the number
        // of extension headers, which a hostile frame can make large (8 bytes each).
        let mut seen: Vec<(&'static str, usize)> = Vec::new();
        for ext in self.extensions() {
            let key = ext.key();
            let n = match seen.iter_mut().find(|(k, _)| *k == key) {
                Some((_, n)) => {
                    *n += 1;
                    *n
                }
                None => {
                    seen.push((key, 1));
                    1
                }
            };
            m.serialize_entry(&ExtKey(key, n), &ext)?;
        }
        if let Some(f) = &self.fragment {
            m.serialize_entry("fragment", f)?;
        }
        m.serialize_entry("hdr_len", &self.hdr_len)?;
        m.serialize_entry("raw_len", &self.raw_len)?;
        m.serialize_entry("protocol", &self.protocol)?;
        m.end()
    }
}

impl Header for Ipv6<'_> {
    const NAME: &'static str = "IPv6";
    const KEY: &'static str = "ipv6";
    const LEVEL: Option<Level> = Some(Level::Internet);
    const ALIASES: &'static [&'static str] = &["IP"];

    /// Source and final destination (the last address of a Type 0/2 or segment routing
    /// header with segments left, RFC 8200 8.1); `Unverifiable` for fragments.
    fn pseudo_header(&self) -> Option<crate::PseudoHeader> {
        if self.frag().is_some() {
            return Some(crate::PseudoHeader::Unverifiable);
        }
        let dst = self
            .extensions()
            .filter_map(|e| match e {
                ExtHeader::Route(r) if r.seg_left > 0 => match r.body {
                    route::RouteBody::SourceRoute(list) => list.iter().last(),
                    route::RouteBody::Type2(home) => Some(home),
                    route::RouteBody::Srh { segments, .. } => segments.iter().next(),
                    _ => None,
                },
                _ => None,
            })
            .last()
            .unwrap_or(self.dst);
        Some(crate::PseudoHeader::V6 { src: self.src, dst })
    }

    fn write_token(&self, f: &mut dyn fmt::Write) -> fmt::Result {
        f.write_str(Self::NAME)?;
        for ext in self.extensions() {
            f.write_str(":")?;
            ext.write_token(f)?;
        }
        Ok(())
    }

    fn is_named(&self, name: &str) -> bool {
        Self::NAME.eq_ignore_ascii_case(name)
            || Self::ALIASES.iter().any(|a| a.eq_ignore_ascii_case(name))
            || self.extensions().any(|e| e.is_named(name))
    }
}

impl<'a> Parse<'a> for Ipv6<'a> {
    fn parse(data: &'a [u8], ctx: &Ctx) -> Result<Parsed<Self>> {
        wire::need(Self::NAME, ctx, data, HEADER_LEN)?;
        let word = data
            .get(..4)
            .and_then(|b| b.try_into().ok())
            .map(u32::from_be_bytes)
            .unwrap_or_default();
        let version = (word >> 28) as u8; // ok: 4 bits
        if version != 6 {
            return Err(DissectError::bad_value(
                Self::NAME,
                ctx.offset,
                "version",
                version.into(),
                "6",
            ));
        }
        let byte = |i: usize| data.get(i).copied().unwrap_or_default();
        let addr = |at: usize| {
            data.get(at..at + 16)
                .and_then(|b| <[u8; 16]>::try_from(b).ok())
                .map(Ipv6Addr::from)
                .unwrap_or(Ipv6Addr::UNSPECIFIED)
        };
        let payload = u16::from_be_bytes([byte(4), byte(5)]);
        let next = TransType(byte(6));
        let dst = addr(24);
        let cap = data.len();
        // Where the payload ends: the payload length, a jumbogram's length, or (payload
        // length 0 without a Jumbo Payload option, as offloading leaves it) the capture.
        let mut end = if payload == 0 {
            cap
        } else {
            HEADER_LEN + usize::from(payload)
        };
        let mut pos = HEADER_LEN;
        let mut nh = next;
        let mut jumbo = None;
        let mut fragment = None;
        let mut non_first = false;
        loop {
            let rest = data.get(pos..end.min(cap)).unwrap_or_default();
            let ext_ctx = Ctx {
                offset: ctx.offset + pos,
                ports: None,
                ..Ctx::default()
            };
            let Some(Ok((ext, len))) = ExtHeader::parse(nh, rest, &ext_ctx, dst) else {
                break;
            };
            if let ExtHeader::Hopopt(h) = &ext
                && pos == HEADER_LEN
                && let Some(j) = h.options.jumbo_len()
            {
                jumbo = Some(j);
                if payload == 0 {
                    end = HEADER_LEN.saturating_add(j as usize); // ok: u32 fits usize here
                }
            }
            pos += len;
            nh = ext.next();
            if let ExtHeader::Frag(f) = ext {
                fragment = Some(FragmentParts {
                    header: Bytes(data.get(..pos).unwrap_or_default()),
                    payload: Bytes(data.get(pos..end.min(cap)).unwrap_or_default()),
                });
                if f.is_non_first() {
                    non_first = true;
                    break;
                }
            }
        }
        let raw_len = end.saturating_sub(pos);
        let header = Ipv6 {
            version,
            class: ((word >> 20) & 0xff) as u8, // ok: 8 bits
            label: word & 0x000f_ffff,
            payload,
            next,
            limit: byte(7),
            src: addr(8),
            dst,
            hdr_len: pos,
            raw_len,
            protocol: nh,
            jumbo,
            exts: data.get(HEADER_LEN..pos).unwrap_or_default(),
            ext_offset: ctx.offset + HEADER_LEN,
            fragment,
        };
        let next = if non_first {
            Next::Raw(RawProto::TransType(nh), Some(NON_FIRST_FRAGMENT))
        } else {
            Next::IpProto(nh)
        };
        Ok(Parsed {
            header,
            header_len: pos,
            payload_len: raw_len,
            next,
        })
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    fn v6(s: &str) -> Ipv6Addr {
        s.parse().unwrap()
    }

    /// Fixed header: tc 0x20, flow 0x12345, next header `nh`, payload `ext` + `upper`.
    fn packet(nh: u8, ext: &[u8], upper: &[u8]) -> Vec<u8> {
        let plen = (ext.len() + upper.len()) as u16;
        let mut b = vec![0x62, 0x01, 0x23, 0x45];
        b.extend_from_slice(&plen.to_be_bytes());
        b.extend_from_slice(&[nh, 64]);
        b.extend_from_slice(&v6("2001:db8::1").octets());
        b.extend_from_slice(&v6("2001:db8::2").octets());
        b.extend_from_slice(ext);
        b.extend_from_slice(upper);
        b
    }

    const UDP: [u8; 8] = [0x04, 0xd2, 0x00, 0x35, 0x00, 0x08, 0x00, 0x00];

    #[test]
    fn pypcapkit_bug_19_ipv6_flow_label_bits() {
        let b = packet(17, &[], &UDP);
        let p = Ipv6::parse(&b, &Ctx::default()).unwrap();
        assert_eq!(p.header.class, 0x20);
        assert_eq!(p.header.label, 0x12345);
        assert_eq!(p.header.payload, 8);
        assert_eq!(p.header.limit, 64);
        assert_eq!(p.header.hdr_len, 40);
        assert_eq!(p.header.raw_len, 8);
        assert_eq!(p.next, Next::IpProto(TransType::UDP));
        let v = serde_json::to_value(&p.header).unwrap();
        assert_eq!(
            v,
            json!({
                "version": 6, "class": 32, "label": 74565, "payload": 8,
                "next": "TransType::UDP [17]", "limit": 64,
                "src": "2001:db8::1", "dst": "2001:db8::2",
                "hdr_len": 40, "raw_len": 8, "protocol": "TransType::UDP [17]"
            })
        );
    }

    #[test]
    fn extension_headers_are_walked_and_keyed() {
        // HOPOPT (PadN 4) -> Dest opts (PadN 4) -> Dest opts again -> UDP.
        let ext = [
            60, 0, 1, 4, 0, 0, 0, 0, // HOPOPT
            60, 0, 1, 4, 0, 0, 0, 0, // IPv6-Opts
            17, 0, 1, 4, 0, 0, 0, 0, // IPv6-Opts
        ];
        let b = packet(0, &ext, &UDP);
        let p = Ipv6::parse(&b, &Ctx::default()).unwrap();
        assert_eq!(p.header_len, 64);
        assert_eq!(p.payload_len, 8);
        assert_eq!(p.header.protocol, TransType::UDP);
        let mut t = String::new();
        p.header.write_token(&mut t).unwrap();
        assert_eq!(t, "IPv6:HOPOPT:IPv6-Opts:IPv6-Opts");
        assert!(p.header.is_named("ipv6-opts") && p.header.is_named("IP"));
        let s = serde_json::to_string(&p.header).unwrap();
        let order = [
            "\"dst\"",
            "\"hopopt\"",
            "\"opts\"",
            "\"opts_2\"",
            "\"hdr_len\"",
            "\"raw_len\"",
            "\"protocol\"",
        ];
        let at: Vec<_> = order.iter().map(|k| s.find(k).unwrap()).collect();
        assert!(at.windows(2).all(|w| w[0] < w[1]), "{s}");
        let v: serde_json::Value = serde_json::from_str(&s).unwrap();
        assert_eq!(v["opts_2"]["next"], "TransType::UDP [17]");
        assert_eq!(v["hdr_len"], 64);
    }

    #[test]
    fn pypcapkit_bug_20_ipv6_fragment_payload_starts_after_the_header() {
        // First fragment: offset 0, M set, id 7.
        let ext = [17, 0, 0, 1, 0, 0, 0, 7];
        let b = packet(44, &ext, &UDP);
        let p = Ipv6::parse(&b, &Ctx::default()).unwrap();
        assert_eq!(p.header_len, 48);
        assert_eq!(p.payload_len, 8);
        assert_eq!(p.next, Next::IpProto(TransType::UDP));
        let f = p.header.frag().unwrap();
        assert_eq!((f.offset, f.mf, f.id), (0, true, 7));
        let parts = p.header.fragment().unwrap();
        assert_eq!(parts.header.0.len(), 48);
        assert_eq!(parts.payload.0, &UDP);
        let v = serde_json::to_value(&p.header).unwrap();
        assert_eq!(
            v["frag"],
            json!({"next": "TransType::UDP [17]", "offset": 0, "mf": true, "id": 7})
        );
        assert!(v["fragment"]["header"].is_array() || v["fragment"]["header"].is_object());
        // Non-first fragment (offset 2 units = 16 bytes): raw with a note.
        let ext = [17, 0, 0, 0x10, 0, 0, 0, 7];
        let b = packet(44, &ext, &UDP);
        let p = Ipv6::parse(&b, &Ctx::default()).unwrap();
        assert_eq!(p.header.frag().unwrap().offset, 16);
        assert_eq!(
            p.next,
            Next::Raw(
                RawProto::TransType(TransType::UDP),
                Some(NON_FIRST_FRAGMENT)
            )
        );
    }

    #[test]
    fn pypcapkit_bug_21_unknown_extension_keeps_the_ipv6_layer() {
        // ESP after a Destination Options header.
        let ext = [50, 0, 1, 4, 0, 0, 0, 0];
        let b = packet(60, &ext, &[0xde, 0xad, 0xbe, 0xef, 0, 0, 0, 1]);
        let p = Ipv6::parse(&b, &Ctx::default()).unwrap();
        assert_eq!(p.header.protocol, TransType::ESP);
        assert_eq!(p.next, Next::IpProto(TransType::ESP));
        assert_eq!(p.header_len, 48);
        for nh in [140u8, 147, 253, 254] {
            let b = packet(nh, &[], &[1, 2, 3, 4]);
            let p = Ipv6::parse(&b, &Ctx::default()).unwrap();
            assert_eq!(p.next, Next::IpProto(TransType(nh)));
            assert_eq!(p.header_len, 40);
        }
        // A truncated routing header: the walk stops before it, IPv6 is kept.
        let b = packet(43, &[17, 4, 0, 0, 0, 0, 0, 0], &[]);
        let p = Ipv6::parse(&b, &Ctx::default()).unwrap();
        assert_eq!(p.header_len, 40);
        assert_eq!(p.next, Next::IpProto(TransType::IPv6_Route));
    }

    #[test]
    fn jumbogram_payload_comes_from_the_jumbo_option() {
        // Payload length 0, HOPOPT with Jumbo Payload 70000 (bytes after the IPv6 header).
        let ext = [58, 0, 0xc2, 4, 0x00, 0x01, 0x11, 0x70];
        let mut b = packet(0, &ext, &[0x80, 0, 0, 0]);
        b[4] = 0;
        b[5] = 0;
        let p = Ipv6::parse(&b, &Ctx::default()).unwrap();
        assert_eq!(p.header.jumbo, Some(70000));
        assert_eq!(p.header.raw_len, 70000 - 8);
        assert_eq!(p.next, Next::IpProto(TransType::IPv6_ICMP));
    }

    #[test]
    fn rpl_routing_uses_the_destination() {
        let ext = [17, 1, 3, 1, 0xff, 0x70, 0, 0, 0x05, 0, 0, 0, 0, 0, 0, 0];
        let b = packet(43, &ext, &UDP);
        let p = Ipv6::parse(&b, &Ctx::default()).unwrap();
        let Some(ExtHeader::Route(r)) = p.header.extensions().next() else {
            panic!()
        };
        let RouteBody::Rpl(rpl) = r.body else {
            panic!("{r:?}")
        };
        assert_eq!(
            rpl.addrs().collect::<Vec<_>>(),
            [RplAddr::Addr(v6("2001:db8::5"))]
        );
    }

    #[test]
    fn test_impossible_len() {
        let b = packet(17, &[], &UDP);
        let e = Ipv6::parse(
            &b[..39],
            &Ctx {
                offset: 14,
                ports: None,
                ..Ctx::default()
            },
        )
        .unwrap_err();
        assert_eq!(e, DissectError::truncated("IPv6", 14, 40, 39));
        let mut b = b;
        b[0] = 0x45;
        let e = Ipv6::parse(&b, &Ctx::default()).unwrap_err();
        assert_eq!(
            e.to_string(),
            "IPv6 at byte 0: invalid version 4: expected 6"
        );
    }

    #[test]
    fn truncated_capture_decodes_what_is_there() {
        let b = packet(17, &[], &UDP);
        let p = Ipv6::parse(&b[..44], &Ctx::default()).unwrap();
        assert_eq!(p.header.raw_len, 8); // announced
        assert_eq!(p.payload_len, 8); // the dissector clamps to the 4 bytes captured
    }
}
