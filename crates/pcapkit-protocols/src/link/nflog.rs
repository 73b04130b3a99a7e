//! Linux netfilter NFLOG (link type NFLOG, 239): what `tcpdump -i nflog:N` captures. A
//! 4-byte header (address family, version, resource id), then TLVs whose length and
//! type are in the capturing host's byte order (told from the TLVs themselves, as
//! Wireshark does); the `NFULA_PAYLOAD` TLV holds the IPv4 or IPv6 packet.

use serde::ser::{Serialize, SerializeMap, SerializeSeq, Serializer};

use crate::consts::reg::EtherType;
use crate::error::Result;
use crate::protocol::{Ctx, Header, Level, Next, Parse, Parsed};
use crate::wire;

use super::bytes::{u8_at, u16_at};

/// Length of the header before the TLVs.
pub const HEADER_LEN: usize = 4;
/// TLV type of the logged packet.
pub const NFULA_PAYLOAD: u16 = 9;
/// Linux `AF_INET`.
const AF_INET: u8 = 2;
/// Linux `AF_INET6`.
const AF_INET6: u8 = 10;

mod field {
    use super::super::bytes::Field;
    pub const FAMILY: usize = 0;
    pub const VERSION: usize = 1;
    pub const RESOURCE_ID: Field = 2..4;
}

/// One TLV: its type (the top bit, a netlink flag, cleared) and length (header
/// included, before the padding to 4 bytes).
#[derive(Clone, Copy, Debug, PartialEq, Eq, serde::Serialize)]
pub struct Tlv {
    /// Type (`NFULA_*`).
    #[serde(rename = "type")]
    pub ty: u16,
    /// Length, its 4-byte header included.
    pub length: u16,
}

/// The TLVs of `data` (from the first TLV on), read with `little` byte order: each with
/// where its value starts. A TLV shorter than its header ends the walk (malformed);
/// every step moves at least 4 bytes forward.
fn tlvs(data: &[u8], little: bool) -> impl Iterator<Item = (Tlv, usize)> + '_ {
    let get = move |at: usize| {
        let b = [u8_at(data, at), u8_at(data, at + 1)];
        if little {
            u16::from_le_bytes(b)
        } else {
            u16::from_be_bytes(b)
        }
    };
    let mut at = 0usize;
    std::iter::from_fn(move || {
        if data.len().saturating_sub(at) < 4 {
            return None;
        }
        let length = get(at);
        if length < 4 {
            return None;
        }
        let tlv = Tlv {
            ty: get(at + 2) & 0x7fff,
            length,
        };
        let value = at + 4;
        at += (usize::from(length) + 3) & !3;
        Some((tlv, value))
    })
}

/// Whether the TLVs read sensibly in this byte order: one with a type below 0x100 (and
/// not 0) comes before any with a larger type (Wireshark's test).
fn reads_as(data: &[u8], little: bool) -> bool {
    tlvs(data, little)
        .map(|(t, _)| t.ty)
        .take_while(|&ty| ty < 0x100)
        .any(|ty| ty != 0)
}

/// An NFLOG header (`nflog`, chain token `NFLOG`; PyPCAPKit has no NFLOG decoder, the
/// names follow its style). Fields: `family`, `version`, `resource_id`, `byteorder` of
/// the TLVs, and `tlvs` (type and length of each).
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct Nflog<'a> {
    /// Address family of the logged packet (Linux numbering: 2 IPv4, 10 IPv6).
    pub family: u8,
    /// Version (0).
    pub version: u8,
    /// Resource id (the nflog group).
    pub resource_id: u16,
    /// Whether the TLVs are little-endian.
    pub little_endian: bool,
    /// The TLV bytes.
    tlv_bytes: &'a [u8],
}

impl Nflog<'_> {
    /// The TLVs, in order.
    pub fn tlvs(&self) -> impl Iterator<Item = Tlv> + '_ {
        tlvs(self.tlv_bytes, self.little_endian).map(|(t, _)| t)
    }
}

struct Tlvs<'p, 'a>(&'p Nflog<'a>);

impl Serialize for Tlvs<'_, '_> {
    fn serialize<S: Serializer>(&self, s: S) -> std::result::Result<S::Ok, S::Error> {
        let mut seq = s.serialize_seq(None)?;
        for t in self.0.tlvs() {
            seq.serialize_element(&t)?;
        }
        seq.end()
    }
}

impl Serialize for Nflog<'_> {
    fn serialize<S: Serializer>(&self, s: S) -> std::result::Result<S::Ok, S::Error> {
        let mut m = s.serialize_map(Some(5))?;
        m.serialize_entry("family", &self.family)?;
        m.serialize_entry("version", &self.version)?;
        m.serialize_entry("resource_id", &self.resource_id)?;
        m.serialize_entry(
            "byteorder",
            if self.little_endian { "little" } else { "big" },
        )?;
        m.serialize_entry("tlvs", &Tlvs(self))?;
        m.end()
    }
}

impl Header for Nflog<'_> {
    const NAME: &'static str = "NFLOG";
    const KEY: &'static str = "nflog";
    const LEVEL: Option<Level> = Some(Level::Link);
}

impl<'a> Parse<'a> for Nflog<'a> {
    fn parse(data: &'a [u8], ctx: &Ctx) -> Result<Parsed<Self>> {
        wire::need(Self::NAME, ctx, data, HEADER_LEN)?;
        let tlv_bytes = data.get(HEADER_LEN..).unwrap_or_default();
        // Big-endian if the TLVs read that way, else little-endian if they do, else
        // big-endian (Wireshark's order of tests).
        let little = !reads_as(tlv_bytes, false) && reads_as(tlv_bytes, true);
        let family = u8_at(data, field::FAMILY);
        // The packet: the value of the (last) payload TLV, cut to what was captured.
        let payload = tlvs(tlv_bytes, little)
            .filter(|(t, _)| t.ty == NFULA_PAYLOAD)
            .last()
            .map(|(t, value)| {
                let start = HEADER_LEN + value;
                let end = (start + usize::from(t.length) - 4).min(data.len());
                (start.min(end), end)
            });
        let (header_len, payload_len, next) = match payload {
            Some((start, end)) => {
                let next = match family {
                    AF_INET => Next::EtherType(EtherType::Internet_Protocol_version_4),
                    AF_INET6 => Next::EtherType(EtherType::Internet_Protocol_version_6),
                    _ => Next::End,
                };
                (start, end - start, next)
            }
            None => (data.len(), 0, Next::End),
        };
        Ok(Parsed {
            header: Nflog {
                family,
                version: u8_at(data, field::VERSION),
                resource_id: u16_at(data, field::RESOURCE_ID),
                little_endian: little,
                tlv_bytes,
            },
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
    use crate::{DissectOptions, dissect};
    use pcapkit_core::LinkType;

    const IPV4: [u8; 20] = [
        0x45, 0, 0, 20, 0, 0, 0, 0, 64, 59, 0, 0, 10, 0, 0, 1, 10, 0, 0, 2,
    ];

    /// A TLV with `value`, its length and type in `little` or big byte order, padded.
    fn tlv(ty: u16, value: &[u8], little: bool) -> Vec<u8> {
        let len = (value.len() + 4) as u16;
        let mut v = Vec::new();
        if little {
            v.extend_from_slice(&len.to_le_bytes());
            v.extend_from_slice(&ty.to_le_bytes());
        } else {
            v.extend_from_slice(&len.to_be_bytes());
            v.extend_from_slice(&ty.to_be_bytes());
        }
        v.extend_from_slice(value);
        v.resize(v.len().next_multiple_of(4), 0);
        v
    }

    /// AF_INET, group 5: a packet header TLV, a 3-byte prefix (padded), the payload, a UID.
    fn frame(little: bool) -> Vec<u8> {
        let mut v = vec![AF_INET, 0, 0, 5];
        v.extend(tlv(1, &[0x08, 0x00, 3, 0], little));
        v.extend(tlv(10, b"ab\0", little));
        v.extend(tlv(NFULA_PAYLOAD, &IPV4, little));
        v.extend(tlv(11, &[0, 0, 0, 0], little));
        v
    }

    #[test]
    fn test_parse_both_byte_orders() {
        for little in [true, false] {
            let data = frame(little);
            let p = Nflog::parse(&data, &Ctx::default()).unwrap();
            assert_eq!(p.header.little_endian, little);
            assert_eq!(
                (p.header.family, p.header.version, p.header.resource_id),
                (2, 0, 5)
            );
            let tlvs: Vec<_> = p.header.tlvs().map(|t| (t.ty, t.length)).collect();
            assert_eq!(tlvs, [(1, 8), (10, 7), (9, 24), (11, 8)]);
            // Header 4, TLV 8, prefix TLV 8 (padded), then the payload TLV's 4-byte head.
            assert_eq!((p.header_len, p.payload_len), (24, 20));
            assert_eq!(
                p.next,
                Next::EtherType(EtherType::Internet_Protocol_version_4)
            );
        }
    }

    #[test]
    fn test_serialize_and_chain() {
        let data = frame(true);
        let p = dissect(LinkType::NFLOG, &data, &DissectOptions::default());
        assert_eq!(p.protocols().to_string(), "NFLOG:IPv4");
        let json = serde_json::to_value(p.layers_view(Default::default())).unwrap();
        assert_eq!(json["nflog"]["byteorder"], "little");
        assert_eq!(
            json["nflog"]["tlvs"][2],
            serde_json::json!({"type": 9, "length": 24})
        );
        assert_eq!(json["nflog"]["ipv4"]["dst"], "10.0.0.2");
    }

    #[test]
    fn no_payload_and_malformed_tlvs() {
        // No payload TLV: the whole frame is the header.
        let mut v = vec![AF_INET6, 0, 0, 1];
        v.extend(tlv(10, b"drop\0", true));
        let p = Nflog::parse(&v, &Ctx::default()).unwrap();
        assert_eq!(
            (p.header_len, p.payload_len, p.next),
            (v.len(), 0, Next::End)
        );
        // A TLV length below 4 stops the walk (no endless loop on length 0).
        let v = [AF_INET, 0, 0, 1, 0, 0, 9, 0, 0x45, 0, 0, 0];
        let p = Nflog::parse(&v, &Ctx::default()).unwrap();
        assert_eq!(p.header.tlvs().count(), 0);
        // A payload TLV longer than the frame: the packet is what was captured.
        let mut v = vec![AF_INET, 0, 0, 1];
        v.extend_from_slice(&[100, 0, 9, 0]);
        v.extend_from_slice(&IPV4);
        let p = Nflog::parse(&v, &Ctx::default()).unwrap();
        assert_eq!((p.header_len, p.payload_len), (8, 20));
        assert_eq!(
            Nflog::parse(&v[..3], &Ctx::default()).unwrap_err(),
            DissectError::truncated("NFLOG", 0, 4, 3)
        );
    }
}
