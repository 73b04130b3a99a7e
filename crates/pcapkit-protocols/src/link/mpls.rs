//! MPLS label stacks (RFC 3032; EtherType 0x8847 unicast, 0x8848 multicast, also what
//! PPP protocols 0x0281/0x0283 and GRE carry). The payload has no type field: as in
//! Wireshark (RFC 4928's first-nibble rule), a payload starting with nibble 4 is IPv4,
//! with nibble 6 IPv6, anything else (pseudowires, control words) stays raw.

use serde::ser::{Serialize, SerializeMap, SerializeSeq, Serializer};

use crate::consts::reg::EtherType;
use crate::error::Result;
use crate::protocol::{Ctx, Header, Level, Next, Parse, Parsed};
use crate::wire;

use super::bytes::u32_at;

/// Length of one label stack entry.
pub const ENTRY_LEN: usize = 4;

/// One label stack entry: `label` (20 bits), `tc` (traffic class, 3 bits, the former
/// EXP field), `bos` (bottom of stack), `ttl`.
#[derive(Clone, Copy, Debug, PartialEq, Eq, serde::Serialize)]
pub struct LabelEntry {
    /// Label value (20 bits; 0 IPv4 explicit null, 2 IPv6 explicit null, 3 implicit null,
    /// 13 GAL, ...).
    pub label: u32,
    /// Traffic class (3 bits, tshark `mpls.exp`).
    pub tc: u8,
    /// Bottom of stack: the last entry.
    pub bos: bool,
    /// Time to live.
    pub ttl: u8,
}

impl LabelEntry {
    /// Splits a 32-bit entry.
    pub fn from_bits(entry: u32) -> Self {
        Self {
            label: entry >> 12,
            tc: ((entry >> 9) & 0x07) as u8,
            bos: entry & 0x100 != 0,
            ttl: (entry & 0xff) as u8,
        }
    }
}

/// An MPLS label stack (`mpls`, chain token `MPLS`; PyPCAPKit has no MPLS decoder, the
/// names follow its style): every entry down to the one with the bottom-of-stack bit,
/// as one header. Fields: `labels` (the entries, outermost first).
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct Mpls<'a> {
    /// The stack's bytes (a multiple of [`ENTRY_LEN`], ending with the bottom entry).
    stack: &'a [u8],
}

impl<'a> Mpls<'a> {
    /// The entries, outermost first.
    pub fn labels(&self) -> impl ExactSizeIterator<Item = LabelEntry> + 'a {
        self.stack
            .chunks_exact(ENTRY_LEN)
            .map(|e| LabelEntry::from_bits(u32_at(e, 0..ENTRY_LEN)))
    }

    /// The bottom entry (every parsed stack has one).
    pub fn bottom(&self) -> Option<LabelEntry> {
        self.labels().last()
    }
}

struct Labels<'p, 'a>(&'p Mpls<'a>);

impl Serialize for Labels<'_, '_> {
    fn serialize<S: Serializer>(&self, s: S) -> std::result::Result<S::Ok, S::Error> {
        let mut seq = s.serialize_seq(Some(self.0.labels().len()))?;
        for entry in self.0.labels() {
            seq.serialize_element(&entry)?;
        }
        seq.end()
    }
}

impl Serialize for Mpls<'_> {
    fn serialize<S: Serializer>(&self, s: S) -> std::result::Result<S::Ok, S::Error> {
        let mut m = s.serialize_map(Some(1))?;
        m.serialize_entry("labels", &Labels(self))?;
        m.end()
    }
}

impl Header for Mpls<'_> {
    const NAME: &'static str = "MPLS";
    const KEY: &'static str = "mpls";
    const LEVEL: Option<Level> = Some(Level::Link);
}

impl<'a> Parse<'a> for Mpls<'a> {
    fn parse(data: &'a [u8], ctx: &Ctx) -> Result<Parsed<Self>> {
        // Entry by entry until the bottom one: each step moves 4 bytes forward, and a
        // stack that runs off the end of the data is a truncated header.
        let mut len = 0;
        loop {
            wire::need(Self::NAME, ctx, data, len + ENTRY_LEN)?;
            let entry = LabelEntry::from_bits(u32_at(data, len..len + ENTRY_LEN));
            len += ENTRY_LEN;
            if entry.bos {
                break;
            }
        }
        let (stack, payload) = data.split_at_checked(len).unwrap_or((data, &[]));
        let next = match payload.first().map(|b| b >> 4) {
            Some(4) => Next::EtherType(EtherType::Internet_Protocol_version_4),
            Some(6) => Next::EtherType(EtherType::Internet_Protocol_version_6),
            _ => Next::End,
        };
        Ok(Parsed {
            header: Mpls { stack },
            header_len: len,
            payload_len: payload.len(),
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

    /// Label 16 (TC 5, not bottom, TTL 255), label 17 (bottom, TTL 64), then IPv6.
    static TWO_LABELS_V6: [u8; 9] = [0x00, 0x01, 0x0a, 0xff, 0x00, 0x01, 0x11, 0x40, 0x60];

    #[test]
    fn test_parse() {
        let p = Mpls::parse(&TWO_LABELS_V6, &Ctx::default()).unwrap();
        let labels: Vec<_> = p.header.labels().collect();
        assert_eq!(
            labels,
            [
                LabelEntry {
                    label: 16,
                    tc: 5,
                    bos: false,
                    ttl: 255
                },
                LabelEntry {
                    label: 17,
                    tc: 0,
                    bos: true,
                    ttl: 64
                }
            ]
        );
        assert_eq!(p.header_len, 8);
        assert_eq!(p.payload_len, 1);
        assert_eq!(
            p.next,
            Next::EtherType(EtherType::Internet_Protocol_version_6)
        );
        assert_eq!(p.header.bottom().map(|e| e.label), Some(17));
        assert_eq!(
            serde_json::to_value(p.header).unwrap(),
            serde_json::json!({"labels": [
                {"label": 16, "tc": 5, "bos": false, "ttl": 255},
                {"label": 17, "tc": 0, "bos": true, "ttl": 64},
            ]})
        );
    }

    #[test]
    fn payload_by_first_nibble() {
        let next = |payload: &[u8]| {
            let mut d = vec![0x00, 0x01, 0x41, 0x40];
            d.extend_from_slice(payload);
            Mpls::parse(&d, &Ctx::default()).unwrap().next
        };
        assert_eq!(
            next(&[0x45]),
            Next::EtherType(EtherType::Internet_Protocol_version_4)
        );
        assert_eq!(next(&[0x00, 0x00, 0x00, 0x00]), Next::End);
        assert_eq!(next(&[0x10]), Next::End);
        assert_eq!(next(&[]), Next::End);
    }

    #[test]
    fn stack_without_bottom_is_truncated() {
        let ctx = Ctx {
            offset: 14,
            ..Ctx::default()
        };
        assert_eq!(
            Mpls::parse(&[0x00, 0x01, 0x00, 0x40, 0x00, 0x01], &ctx).unwrap_err(),
            DissectError::truncated("MPLS", 14, 8, 6)
        );
        assert_eq!(
            Mpls::parse(&[0x00, 0x01], &ctx).unwrap_err(),
            DissectError::truncated("MPLS", 14, 4, 2)
        );
    }

    #[test]
    fn ethernet_mpls_ipv4_chain() {
        let mut frame = vec![0x02; 12];
        frame.extend_from_slice(&[0x88, 0x47, 0x00, 0x01, 0x01, 0x40]);
        frame.extend_from_slice(&[
            0x45, 0, 0, 20, 0, 0, 0, 0, 64, 59, 0, 0, 10, 0, 0, 1, 10, 0, 0, 2,
        ]);
        let p = dissect(LinkType::ETHERNET, &frame, &DissectOptions::default());
        assert_eq!(p.protocols().to_string(), "Ethernet:MPLS:IPv4");
        assert_eq!(
            p.get::<Mpls>().and_then(Mpls::bottom).map(|e| e.label),
            Some(16)
        );
        let json = serde_json::to_value(p.layers_view(Default::default())).unwrap();
        assert_eq!(json["ethernet"]["mpls"]["labels"][0]["ttl"], 64);
        assert_eq!(json["ethernet"]["mpls"]["ipv4"]["dst"], "10.0.0.2");
    }
}
