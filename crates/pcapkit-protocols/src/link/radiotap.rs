//! Radiotap (link type IEEE802_11_RADIOTAP, 127): the capture metadata before an 802.11
//! frame. The header's own length says where the frame starts; of its fields only the
//! first few of the first present bitmap are decoded (TSFT, Flags, Rate, Channel, FHSS,
//! antenna signal), which includes the Flags that say whether the frame ends with an FCS.

use serde::Serialize;

use crate::ProtoId;
use crate::error::{DissectError, Result};
use crate::protocol::{Ctx, Header, Level, Next, Parse, Parsed, RawProto};
use crate::wire;

use super::bytes::{u8_at, u16_le_at, u32_le_at, u64_le_at};

/// Length of the fixed part (version, pad, length, first present bitmap).
pub const MIN_LEN: usize = 8;

/// Note of the `raw` layer after a radiotap header whose Flags say the 802.11 header
/// is padded to 32 bits (not decoded).
pub const DATA_PAD: &str = "802.11 frame with data padding (radiotap flag 0x20) not decoded";

/// Present bit 31: another present bitmap follows.
const EXT: u32 = 1 << 31;

/// Alignment and size of the fields of present bits 0 to 5 (each aligned to its
/// natural size from the start of the header).
const FIELDS: [(usize, usize); 6] = [
    (8, 8), // TSFT: u64
    (1, 1), // Flags: u8
    (1, 1), // Rate: u8
    (2, 4), // Channel: u16 frequency, u16 flags
    (1, 2), // FHSS: u8 hop set, u8 hop pattern
    (1, 1), // Antenna signal: i8 dBm
];

/// The Flags field (present bit 1).
#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize)]
pub struct RadiotapFlags {
    /// Sent/received during the contention-free period (0x01).
    pub cfp: bool,
    /// Sent/received with a short preamble (0x02).
    pub preamble: bool,
    /// Sent/received with WEP encryption (0x04).
    pub wep: bool,
    /// Sent/received with fragmentation (0x08).
    pub frag: bool,
    /// The frame ends with its 4-byte FCS (0x10).
    pub fcs: bool,
    /// The 802.11 header is padded to a 32-bit boundary (0x20).
    pub datapad: bool,
    /// The frame failed its FCS check (0x40).
    pub badfcs: bool,
    /// HT frame with a short guard interval (0x80).
    pub shortgi: bool,
}

impl RadiotapFlags {
    /// Splits the Flags byte.
    pub fn from_bits(b: u8) -> Self {
        Self {
            cfp: b & 0x01 != 0,
            preamble: b & 0x02 != 0,
            wep: b & 0x04 != 0,
            frag: b & 0x08 != 0,
            fcs: b & 0x10 != 0,
            datapad: b & 0x20 != 0,
            badfcs: b & 0x40 != 0,
            shortgi: b & 0x80 != 0,
        }
    }
}

/// The Channel field (present bit 3).
#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize)]
pub struct Channel {
    /// Frequency in MHz.
    pub freq: u16,
    /// Channel flags (0x0080 2 GHz, 0x0100 5 GHz, 0x0020 CCK, 0x0040 OFDM, ...).
    pub flags: u16,
}

/// A radiotap header (`radiotap`, chain token `Radiotap`; PyPCAPKit shows these frames
/// as `Raw`/`IEEE802_11_RADIOTAP`, the names follow tshark's and its style).
///
/// The 802.11 frame after it is decoded as [`super::Ieee80211`], or as
/// [`super::Ieee80211Fcs`] when the Flags say it ends with an FCS.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize)]
pub struct Radiotap {
    /// Header version (0).
    pub version: u8,
    /// Padding byte.
    pub pad: u8,
    /// Length of the whole radiotap header (little-endian).
    pub length: u16,
    /// The first present bitmap (little-endian; which fields follow).
    pub present: u32,
    /// Number of present bitmaps (bit 31 of each says another follows).
    pub present_words: u16,
    /// TSFT: the MAC timestamp in microseconds (present bit 0).
    #[serde(skip_serializing_if = "Option::is_none")]
    pub tsft: Option<u64>,
    /// Flags (present bit 1).
    #[serde(skip_serializing_if = "Option::is_none")]
    pub flags: Option<RadiotapFlags>,
    /// Data rate in units of 500 kb/s (present bit 2).
    #[serde(skip_serializing_if = "Option::is_none")]
    pub rate: Option<u8>,
    /// Channel (present bit 3).
    #[serde(skip_serializing_if = "Option::is_none")]
    pub channel: Option<Channel>,
    /// Antenna signal in dBm (present bit 5).
    #[serde(skip_serializing_if = "Option::is_none")]
    pub dbm_antsignal: Option<i8>,
}

impl Header for Radiotap {
    const NAME: &'static str = "Radiotap";
    const KEY: &'static str = "radiotap";
    const LEVEL: Option<Level> = Some(Level::Link);
    const ALIASES: &'static [&'static str] = &["IEEE802_11_RADIOTAP"];
}

impl<'a> Parse<'a> for Radiotap {
    fn parse(data: &'a [u8], ctx: &Ctx) -> Result<Parsed<Self>> {
        wire::need(Self::NAME, ctx, data, MIN_LEN)?;
        let length = u16_le_at(data, 2);
        let len = usize::from(length);
        if len < MIN_LEN {
            return Err(DissectError::bad_value(
                Self::NAME,
                ctx.offset + 2,
                "length",
                u64::from(length),
                "at least 8",
            ));
        }
        wire::need(Self::NAME, ctx, data, len)?;
        let malformed = |at: usize, what: &'static str| {
            DissectError::malformed(Self::NAME, ctx.offset + at, what)
        };

        // The present bitmaps: bounded by the header length.
        let present = u32_le_at(data, 4);
        let (mut word, mut at, mut words) = (present, 4usize, 1u16);
        while word & EXT != 0 {
            at += 4;
            if at + 4 > len {
                return Err(malformed(at, "present bitmaps run past the header length"));
            }
            word = u32_le_at(data, at);
            words = words.saturating_add(1);
        }
        at += 4;

        // The fields of bits 0 to 5, in bit order, each aligned from the header start.
        let mut offsets = [None; FIELDS.len()];
        for (bit, (&(align, size), slot)) in FIELDS.iter().zip(offsets.iter_mut()).enumerate() {
            if present & (1 << bit) == 0 {
                continue;
            }
            at = at.next_multiple_of(align);
            if at + size > len {
                return Err(malformed(at, "field runs past the header length"));
            }
            *slot = Some(at);
            at += size;
        }
        let [tsft, flags, rate, channel, _fhss, antsignal] = offsets;
        let flags = flags.map(|at| RadiotapFlags::from_bits(u8_at(data, at)));
        let header = Radiotap {
            version: u8_at(data, 0),
            pad: u8_at(data, 1),
            length,
            present,
            present_words: words,
            tsft: tsft.map(|at| u64_le_at(data, at)),
            flags,
            rate: rate.map(|at| u8_at(data, at)),
            channel: channel.map(|at| Channel {
                freq: u16_le_at(data, at),
                flags: u16_le_at(data, at + 2),
            }),
            dbm_antsignal: antsignal.map(|at| i8::from_le_bytes([u8_at(data, at)])),
        };
        let next = match flags {
            Some(f) if f.datapad => Next::Raw(
                RawProto::LinkType(pcapkit_core::LinkType::IEEE802_11),
                Some(DATA_PAD),
            ),
            Some(f) if f.fcs => Next::Proto(ProtoId::Ieee80211Fcs),
            _ => Next::Proto(ProtoId::Ieee80211),
        };
        Ok(Parsed {
            header,
            header_len: len,
            payload_len: data.len() - len,
            next,
        })
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::{DissectOptions, SerOptions, dissect};
    use pcapkit_core::LinkType;

    /// QoS data, To DS, LLC/SNAP, IPv4 10.0.0.1 -> 10.0.0.2, UDP 1234 -> 9.
    static WLAN: [u8; 62] = [
        0x88, 0x01, 0x2c, 0x00, 0x02, 0x00, 0x00, 0x00, 0x00, 0xaa, 0x02, 0x00, 0x00, 0x00, 0x00,
        0x11, 0x02, 0x00, 0x00, 0x00, 0x00, 0x22, 0x40, 0x06, 0x05, 0x00, 0xaa, 0xaa, 0x03, 0x00,
        0x00, 0x00, 0x08, 0x00, 0x45, 0x00, 0x00, 0x1c, 0x00, 0x01, 0x00, 0x00, 0x40, 0x11, 0x66,
        0xce, 0x0a, 0x00, 0x00, 0x01, 0x0a, 0x00, 0x00, 0x02, 0x04, 0xd2, 0x00, 0x09, 0x00, 0x08,
        0x00, 0x00,
    ];
    /// CRC-32 of [`WLAN`], as it ends the frame (little-endian).
    const WLAN_FCS: [u8; 4] = [0x26, 0xe9, 0x81, 0x48];

    /// Flags, rate 1 Mb/s, channel 2412 MHz (2 GHz, CCK): 14 bytes.
    fn header(flags: u8) -> Vec<u8> {
        vec![
            0x00, 0x00, 0x0e, 0x00, 0x0e, 0x00, 0x00, 0x00, flags, 0x02, 0x6c, 0x09, 0xa0, 0x00,
        ]
    }

    fn with(header: &[u8], frame: &[&[u8]]) -> Vec<u8> {
        let mut v = header.to_vec();
        for part in frame {
            v.extend_from_slice(part);
        }
        v
    }

    #[test]
    fn without_fcs() {
        let f = with(&header(0x00), &[&WLAN]);
        let p = Radiotap::parse(&f, &Ctx::default()).unwrap();
        let h = p.header;
        assert_eq!(
            (h.version, h.length, h.present, h.present_words),
            (0, 14, 0x0e, 1)
        );
        assert_eq!(h.tsft, None);
        assert!(!h.flags.unwrap().fcs);
        assert_eq!(h.rate, Some(2));
        assert_eq!(
            h.channel,
            Some(Channel {
                freq: 2412,
                flags: 0x00a0
            })
        );
        assert_eq!((p.header_len, p.payload_len), (14, 62));
        assert_eq!(p.next, Next::Proto(ProtoId::Ieee80211));
        let pkt = dissect(
            LinkType::IEEE802_11_RADIOTAP,
            &f,
            &DissectOptions::default(),
        );
        assert_eq!(
            pkt.protocols().to_string(),
            "Radiotap:802.11:LLC:SNAP:IPv4:UDP"
        );
    }

    #[test]
    fn with_fcs() {
        let f = with(&header(0x10), &[&WLAN, &WLAN_FCS]);
        let p = Radiotap::parse(&f, &Ctx::default()).unwrap();
        assert!(p.header.flags.unwrap().fcs);
        assert_eq!(p.next, Next::Proto(ProtoId::Ieee80211Fcs));
        assert_eq!(p.payload_len, 66);
        let pkt = dissect(
            LinkType::IEEE802_11_RADIOTAP,
            &f,
            &DissectOptions::default(),
        );
        assert_eq!(
            pkt.protocols().to_string(),
            "Radiotap:802.11:LLC:SNAP:IPv4:UDP"
        );
        let wlan = pkt.get::<super::super::Ieee80211Fcs>().unwrap();
        assert_eq!(wlan.fcs, Some(0x4881_e926));
        // The FCS is not the 802.11 payload: the LLC layer ends before it.
        let llc = &pkt.layers()[2];
        assert_eq!(llc.end, f.len() - 4);
        let json = serde_json::to_value(pkt.layers_view(SerOptions::default())).unwrap();
        assert_eq!(json["radiotap"]["flags"]["fcs"], true);
        assert_eq!(json["radiotap"]["wlan"]["fcs"], 0x4881_e926u32);
        assert_eq!(
            json["radiotap"]["wlan"]["llc"]["snap"]["ipv4"]["dst"],
            "10.0.0.2"
        );
    }

    #[test]
    fn extended_present_bitmaps_and_alignment() {
        // Two bitmaps (TSFT, Flags, Rate, Channel, antenna signal; radiotap namespace
        // again, its antenna signal and antenna): fields start at 12, TSFT aligned to 16.
        let mut h = vec![
            0x00, 0x00, 0x20, 0x00, 0x2f, 0x00, 0x00, 0xa0, 0x20, 0x08, 0x00, 0x00,
        ];
        h.extend_from_slice(&[0; 4]);
        h.extend_from_slice(&99u64.to_le_bytes());
        h.extend_from_slice(&[0x10, 0x02, 0x6c, 0x09, 0xa0, 0x00, 0xd0, 0xd1]);
        assert_eq!(h.len(), 32);
        let f = with(&h, &[&WLAN, &WLAN_FCS]);
        let p = Radiotap::parse(&f, &Ctx::default()).unwrap();
        let r = p.header;
        assert_eq!((r.present, r.present_words), (0xa000_002f, 2));
        assert_eq!(r.tsft, Some(99));
        assert!(r.flags.unwrap().fcs);
        assert_eq!(r.channel.map(|c| c.freq), Some(2412));
        assert_eq!(r.dbm_antsignal, Some(-48));
        assert_eq!((p.header_len, p.payload_len), (32, 66));
        let pkt = dissect(
            LinkType::IEEE802_11_RADIOTAP,
            &f,
            &DissectOptions::default(),
        );
        assert_eq!(
            pkt.protocols().to_string(),
            "Radiotap:802.11:LLC:SNAP:IPv4:UDP"
        );
    }

    #[test]
    fn data_padding_stops_after_radiotap() {
        let f = with(&header(0x20), &[&WLAN]);
        let p = Radiotap::parse(&f, &Ctx::default()).unwrap();
        assert_eq!(
            p.next,
            Next::Raw(RawProto::LinkType(LinkType::IEEE802_11), Some(DATA_PAD))
        );
    }

    #[test]
    fn test_impossible_len() {
        let ctx = Ctx::default();
        let f = with(&header(0x10), &[&WLAN, &WLAN_FCS]);
        assert_eq!(
            Radiotap::parse(&f[..7], &ctx).unwrap_err(),
            DissectError::truncated("Radiotap", 0, 8, 7)
        );
        assert_eq!(
            Radiotap::parse(&f[..12], &ctx).unwrap_err(),
            DissectError::truncated("Radiotap", 0, 14, 12)
        );
        let mut short = f.clone();
        short[2] = 7;
        assert_eq!(
            Radiotap::parse(&short, &ctx).unwrap_err(),
            DissectError::bad_value("Radiotap", 2, "length", 7, "at least 8")
        );
        // A present bitmap chain that runs past the length.
        let bad = [
            0x00, 0x00, 0x0c, 0x00, 0, 0, 0, 0x80, 0, 0, 0, 0x80, 0, 0, 0, 0,
        ];
        assert_eq!(
            Radiotap::parse(&bad, &ctx).unwrap_err(),
            DissectError::malformed("Radiotap", 12, "present bitmaps run past the header length")
        );
        // TSFT announced but the header ends before it.
        let bad = [0x00, 0x00, 0x0c, 0x00, 0x01, 0, 0, 0, 0, 0, 0, 0];
        assert!(Radiotap::parse(&bad, &ctx).is_err());
        // FCS announced but the frame is shorter than an 802.11 header and FCS.
        let f2 = with(&header(0x10), &[&WLAN[..24]]);
        let pkt = dissect(
            LinkType::IEEE802_11_RADIOTAP,
            &f2,
            &DissectOptions::default(),
        );
        assert_eq!(pkt.protocols().to_string(), "Radiotap:Raw");
        assert!(pkt.error().is_some());
        for n in 0..f.len() {
            let _ = Radiotap::parse(&f[..n], &ctx);
            let pkt = dissect(
                LinkType::IEEE802_11_RADIOTAP,
                &f[..n],
                &DissectOptions::default(),
            );
            let _ = serde_json::to_string(&pkt.layers_view(SerOptions::default())).unwrap();
        }
    }

    #[test]
    fn test_serialize() {
        let f = with(&header(0x12), &[&WLAN]);
        let p = Radiotap::parse(&f, &Ctx::default()).unwrap();
        assert_eq!(
            serde_json::to_value(p.header).unwrap(),
            serde_json::json!({
                "version": 0,
                "pad": 0,
                "length": 14,
                "present": 14,
                "present_words": 1,
                "flags": {
                    "cfp": false, "preamble": true, "wep": false, "frag": false,
                    "fcs": true, "datapad": false, "badfcs": false, "shortgi": false,
                },
                "rate": 2,
                "channel": {"freq": 2412, "flags": 160},
            })
        );
    }
}
