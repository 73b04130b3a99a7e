//! QUIC long-header packets (RFC 9000 §17.2, RFC 9369 for version 2), unencrypted parts
//! only: `version`, `dcid`, `scid`, the packet type, and for Initial packets the token;
//! the protected payload is not decrypted.
//!
//! Found on UDP port 443 and, like Wireshark's QUIC heuristic, on any UDP port when the
//! datagram starts with a long header of a known version (1, 2, drafts 29–34, or 0 for
//! Version Negotiation) with connection IDs of at most 20 bytes. One layer (`quic`,
//! chain token `QUIC`) lists the coalesced long-header packets of the datagram
//! (`packets`); a short-header packet after them (its connection ID length is not on the
//! wire) is counted in `short_header_bytes`.

use serde::Serialize;
use serde::ser::{SerializeMap, Serializer};

use crate::error::{DissectError, Result};
use crate::protocol::{Ctx, Header, Level, Next, Parse, Parsed};
use crate::ser::{Bytes, SeqOf};

/// The HTTP/3 port.
pub const PORT: u16 = 443;
/// Longest connection ID (RFC 9000 §17.2).
pub const MAX_CID_LEN: usize = 20;
/// QUIC version 2 (RFC 9369).
pub const VERSION_2: u32 = 0x6b33_43cf;

/// Whether `v` is a version whose long header we know.
fn known_version(v: u32) -> bool {
    v == 0 || v == 1 || v == VERSION_2 || (0xff00_001d..=0xff00_0022).contains(&v)
}

/// A byte cursor whose reads give `None` past the end.
#[derive(Clone, Copy, Debug)]
struct Cursor<'a>(&'a [u8]);

impl<'a> Cursor<'a> {
    fn take(&mut self, n: usize) -> Option<&'a [u8]> {
        let (a, b) = self.0.split_at_checked(n)?;
        self.0 = b;
        Some(a)
    }
    fn u8(&mut self) -> Option<u8> {
        self.take(1)?.first().copied()
    }
    fn u32(&mut self) -> Option<u32> {
        let b = self.take(4)?;
        let mut a = [0u8; 4];
        a.copy_from_slice(b);
        Some(u32::from_be_bytes(a))
    }
    /// A variable-length integer (RFC 9000 §16).
    fn varint(&mut self) -> Option<u64> {
        let first = *self.0.first()?;
        let len = 1usize << (first >> 6);
        let b = self.take(len)?;
        Some(
            b.iter()
                .skip(1)
                .fold(u64::from(first & 0x3f), |acc, &x| (acc << 8) | u64::from(x)),
        )
    }
}

/// One long-header packet.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct LongPacket<'a> {
    /// First byte (header form, fixed bit, type, protected bits).
    pub first: u8,
    /// Version.
    pub version: u32,
    /// Destination connection ID.
    pub dcid: &'a [u8],
    /// Source connection ID.
    pub scid: &'a [u8],
    /// Initial: the token.
    pub token: Option<&'a [u8]>,
    /// Initial, 0-RTT, Handshake: the Length field (packet number and payload).
    pub length: Option<u64>,
    /// Version Negotiation: the versions offered (4 bytes each).
    pub versions: &'a [u8],
}

impl LongPacket<'_> {
    /// The packet type name for the version (`Initial`, `0-RTT`, `Handshake`, `Retry`,
    /// `Version Negotiation`).
    pub fn packet_type(&self) -> &'static str {
        if self.version == 0 {
            return "Version Negotiation";
        }
        let bits = (self.first >> 4) & 3;
        // RFC 9369 §3.2 rotates the type bits for version 2.
        let v1_bits = if self.version == VERSION_2 {
            (bits + 3) & 3
        } else {
            bits
        };
        match v1_bits {
            0 => "Initial",
            1 => "0-RTT",
            2 => "Handshake",
            _ => "Retry",
        }
    }
}

/// Reads the long-header packet at the start of `data`: the packet and the bytes after
/// it (`None` when `data` is not one).
fn long_packet(data: &[u8]) -> Option<(LongPacket<'_>, &[u8])> {
    let mut c = Cursor(data);
    let first = c.u8()?;
    if first & 0x80 == 0 {
        return None;
    }
    let version = c.u32()?;
    if !known_version(version) {
        return None;
    }
    let dcid_len = usize::from(c.u8()?);
    let dcid = c.take(dcid_len).filter(|_| dcid_len <= MAX_CID_LEN)?;
    let scid_len = usize::from(c.u8()?);
    let scid = c.take(scid_len).filter(|_| scid_len <= MAX_CID_LEN)?;
    let mut p = LongPacket {
        first,
        version,
        dcid,
        scid,
        token: None,
        length: None,
        versions: &[],
    };
    if version == 0 {
        p.versions = c.0;
        return Some((p, &[]));
    }
    let kind = p.packet_type();
    if kind == "Retry" {
        return Some((p, &[]));
    }
    if kind == "Initial" {
        let n = usize::try_from(c.varint()?).ok()?;
        p.token = Some(c.take(n).unwrap_or(c.0));
    }
    let length = c.varint()?;
    p.length = Some(length);
    let rest = usize::try_from(length)
        .ok()
        .and_then(|n| c.0.get(n..))
        .unwrap_or_default();
    Some((p, rest))
}

/// Whether a UDP payload starts with a QUIC long header of a known version.
pub fn recognize(data: &[u8]) -> bool {
    long_packet(data).is_some()
}

/// A QUIC datagram (`quic`, chain token `QUIC`).
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct Quic<'a> {
    /// The datagram.
    pub data: &'a [u8],
}

/// The long-header packets of a datagram.
#[derive(Clone, Debug)]
pub struct Packets<'a>(&'a [u8]);

impl<'a> Iterator for Packets<'a> {
    type Item = LongPacket<'a>;

    fn next(&mut self) -> Option<LongPacket<'a>> {
        let (p, rest) = long_packet(self.0)?;
        self.0 = rest;
        Some(p)
    }
}

impl<'a> Quic<'a> {
    /// The coalesced long-header packets.
    pub fn packets(&self) -> Packets<'a> {
        Packets(self.data)
    }

    /// Bytes after the long-header packets (a short-header packet or padding).
    pub fn short_header_bytes(&self) -> usize {
        let mut it = self.packets();
        for _ in it.by_ref() {}
        it.0.len()
    }
}

impl Header for Quic<'_> {
    const NAME: &'static str = "QUIC";
    const KEY: &'static str = "quic";
    const LEVEL: Option<Level> = Some(Level::Application);
}

impl<'a> Parse<'a> for Quic<'a> {
    fn parse(data: &'a [u8], ctx: &Ctx) -> Result<Parsed<Self>> {
        if !recognize(data) {
            return Err(DissectError::malformed(
                Self::NAME,
                ctx.offset,
                "not a QUIC long header of a known version with connection IDs up to 20 bytes",
            ));
        }
        Ok(Parsed {
            header: Quic { data },
            header_len: data.len(),
            payload_len: 0,
            next: Next::Leaf,
        })
    }
}

struct PacketView<'a>(LongPacket<'a>);

impl Serialize for PacketView<'_> {
    fn serialize<S: Serializer>(&self, serializer: S) -> std::result::Result<S::Ok, S::Error> {
        let p = self.0;
        let mut m = serializer.serialize_map(None)?;
        m.serialize_entry("header_form", "long")?;
        m.serialize_entry("fixed_bit", &(p.first & 0x40 != 0))?;
        m.serialize_entry("packet_type", p.packet_type())?;
        m.serialize_entry("version", &p.version)?;
        m.serialize_entry("dcid", &Bytes(p.dcid))?;
        m.serialize_entry("scid", &Bytes(p.scid))?;
        if let Some(t) = p.token {
            m.serialize_entry("token", &Bytes(t))?;
        }
        if let Some(l) = p.length {
            m.serialize_entry("length", &l)?;
        }
        if p.version == 0 {
            m.serialize_entry(
                "supported_versions",
                &SeqOf(p.versions.chunks_exact(4).filter_map(|v| Cursor(v).u32())),
            )?;
        }
        m.end()
    }
}

/// Fields: `packets` (each `header_form`, `fixed_bit`, `packet_type`, `version`,
/// `dcid`, `scid`, `token`, `length`, `supported_versions`), `short_header_bytes`.
impl Serialize for Quic<'_> {
    fn serialize<S: Serializer>(&self, serializer: S) -> std::result::Result<S::Ok, S::Error> {
        let mut m = serializer.serialize_map(None)?;
        m.serialize_entry("packets", &SeqOf(self.packets().map(PacketView)))?;
        m.serialize_entry("short_header_bytes", &self.short_header_bytes())?;
        m.end()
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    /// A client Initial (v1) coalesced with a Handshake packet, then a short header.
    fn datagram() -> Vec<u8> {
        let mut d = vec![0xc3, 0, 0, 0, 1, 4, 1, 2, 3, 4, 2, 9, 9, 1, 0xaa, 0x40, 5];
        d.extend_from_slice(&[0; 5]);
        d.extend_from_slice(&[0xe0, 0, 0, 0, 1, 0, 0, 0x02]);
        d.extend_from_slice(&[7, 7]);
        d.extend_from_slice(&[0x41, 1, 2]);
        d
    }

    #[test]
    fn test_parse_coalesced() {
        let d = datagram();
        assert!(recognize(&d));
        let p = Quic::parse(&d, &Ctx::default()).unwrap();
        assert_eq!(
            (p.header_len, p.payload_len, p.next),
            (d.len(), 0, Next::Leaf)
        );
        let json = serde_json::to_value(p.header).unwrap();
        assert_eq!(
            json["packets"][0],
            json!({"header_form": "long", "fixed_bit": true, "packet_type": "Initial",
                "version": 1, "dcid": [1, 2, 3, 4], "scid": [9, 9], "token": [0xaa],
                "length": 5})
        );
        assert_eq!(json["packets"][1]["packet_type"], "Handshake");
        assert_eq!(json["packets"][1]["dcid"], json!([]));
        assert_eq!(json["packets"][1]["length"], 2);
        assert_eq!(json["short_header_bytes"], 3);
    }

    #[test]
    fn version_negotiation_v2_and_rejects() {
        let vn = [
            0x80, 0, 0, 0, 0, 1, 5, 1, 6, 0, 0, 0, 1, 0x6b, 0x33, 0x43, 0xcf,
        ];
        let json = serde_json::to_value(Quic::parse(&vn, &Ctx::default()).unwrap().header).unwrap();
        assert_eq!(json["packets"][0]["packet_type"], "Version Negotiation");
        assert_eq!(
            json["packets"][0]["supported_versions"],
            json!([1, VERSION_2])
        );
        // Version 2 Initial has type bits 01.
        let v2 = [0xd0, 0x6b, 0x33, 0x43, 0xcf, 0, 0, 0, 1, 0];
        let p = long_packet(&v2).unwrap().0;
        assert_eq!(p.packet_type(), "Initial");
        assert!(!recognize(&[0x40, 0, 0, 0, 1, 0, 0])); // short header
        assert!(!recognize(&[0xc0, 0, 0, 0, 7, 0, 0, 0])); // unknown version
        assert!(!recognize(&[0xc0, 0, 0, 0, 1, 21])); // DCID too long
        let mut long_cid = vec![0xc0, 0, 0, 0, 1, 21];
        long_cid.extend_from_slice(&[0; 30]);
        assert!(!recognize(&long_cid));
        let e = Quic::parse(
            &[0x40, 1],
            &Ctx {
                offset: 42,
                ..Ctx::default()
            },
        )
        .unwrap_err();
        assert_eq!(e.offset, 42);
        let d = datagram();
        for cut in 0..d.len() {
            if let Ok(p) = Quic::parse(&d[..cut], &Ctx::default()) {
                serde_json::to_string(&p.header).unwrap();
            }
        }
    }
}
