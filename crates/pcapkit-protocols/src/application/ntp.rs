//! Network Time Protocol (RFC 5905) on UDP 123: the 48-byte header.
//!
//! One layer (`ntp`, chain token `NTP`): `leap`, `version`, `mode`, `stratum`, `poll`,
//! `precision` (log2 seconds), `root_delay` and `root_dispersion` (seconds), `ref_id`
//! (an address for stratum ≥ 2, four ASCII characters for stratum 0/1), and the four
//! timestamps as seconds since 1900-01-01 (NTP era 0), with the fraction. Extension
//! fields and the MAC that may follow stay in the layer's bytes (`extra`: their length).
//! Mode 6 (control) and 7 (private) messages have other layouts: only the first byte is
//! decoded for them.

use std::net::Ipv4Addr;

use serde::Serialize;
use serde::ser::{SerializeMap, Serializer};

use crate::consts::ntp::{LeapIndicator, Mode};
use crate::error::Result;
use crate::protocol::{Ctx, Header, Level, Next, Parse, Parsed};

use super::Text;

/// Length of the header.
pub const HEADER_LEN: usize = 48;

/// An NTP message (`ntp`, chain token `NTP`).
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct Ntp<'a> {
    /// The whole message.
    pub data: &'a [u8],
}

fn be32(b: &[u8], at: usize) -> u32 {
    let mut a = [0u8; 4];
    if let Some(s) = b.get(at..at + 4) {
        a.copy_from_slice(s);
    }
    u32::from_be_bytes(a)
}

impl Ntp<'_> {
    fn byte(&self, i: usize) -> u8 {
        self.data.get(i).copied().unwrap_or(0)
    }
    /// Leap indicator.
    pub fn leap(&self) -> LeapIndicator {
        LeapIndicator(self.byte(0) >> 6)
    }
    /// Version number.
    pub fn version(&self) -> u8 {
        (self.byte(0) >> 3) & 7
    }
    /// Association mode.
    pub fn mode(&self) -> Mode {
        Mode(self.byte(0) & 7)
    }
    /// A 64-bit timestamp at `at` as seconds since 1900 (`f64`).
    fn timestamp(&self, at: usize) -> f64 {
        f64::from(be32(self.data, at)) + f64::from(be32(self.data, at + 4)) / 4_294_967_296.0
    }
    /// A 32-bit short format (16.16) at `at`, in seconds.
    fn short(&self, at: usize) -> f64 {
        f64::from(be32(self.data, at)) / 65536.0
    }
}

impl Header for Ntp<'_> {
    const NAME: &'static str = "NTP";
    const KEY: &'static str = "ntp";
    const LEVEL: Option<Level> = Some(Level::Application);
}

/// Whether a UDP payload on port 123 can be NTP: a version 1–4 and, except for control
/// and private modes, a whole header.
pub fn claims(data: &[u8]) -> bool {
    let Some(&b) = data.first() else {
        return false;
    };
    let version = (b >> 3) & 7;
    (1..=4).contains(&version) && (b & 7 >= 6 || data.len() >= HEADER_LEN)
}

impl<'a> Parse<'a> for Ntp<'a> {
    fn parse(data: &'a [u8], ctx: &Ctx) -> Result<Parsed<Self>> {
        let mode = data.first().map_or(0, |b| b & 7);
        let need = if mode >= 6 { 1 } else { HEADER_LEN };
        crate::wire::need(Self::NAME, ctx, data, need)?;
        Ok(Parsed {
            header: Ntp { data },
            header_len: data.len(),
            payload_len: 0,
            next: Next::Leaf,
        })
    }
}

/// Fields described in the module documentation.
impl Serialize for Ntp<'_> {
    fn serialize<S: Serializer>(&self, serializer: S) -> std::result::Result<S::Ok, S::Error> {
        let mut m = serializer.serialize_map(None)?;
        m.serialize_entry("leap", &self.leap())?;
        m.serialize_entry("version", &self.version())?;
        m.serialize_entry("mode", &self.mode())?;
        if self.mode().0 >= 6 || self.data.len() < HEADER_LEN {
            return m.end();
        }
        let stratum = self.byte(1);
        m.serialize_entry("stratum", &stratum)?;
        m.serialize_entry("poll", &(self.byte(2) as i8))?;
        m.serialize_entry("precision", &(self.byte(3) as i8))?;
        m.serialize_entry("root_delay", &self.short(4))?;
        m.serialize_entry("root_dispersion", &self.short(8))?;
        let id = self.data.get(12..16).unwrap_or_default();
        if stratum <= 1 {
            let end = memchr::memchr(0, id).unwrap_or(id.len());
            m.serialize_entry("ref_id", &Text(id.get(..end).unwrap_or_default()))?;
        } else {
            m.serialize_entry("ref_id", &Ipv4Addr::from(be32(self.data, 12)))?;
        }
        m.serialize_entry("ref_timestamp", &self.timestamp(16))?;
        m.serialize_entry("origin_timestamp", &self.timestamp(24))?;
        m.serialize_entry("receive_timestamp", &self.timestamp(32))?;
        m.serialize_entry("transmit_timestamp", &self.timestamp(40))?;
        m.serialize_entry("extra", &(self.data.len() - HEADER_LEN))?;
        m.end()
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::DissectError;
    use serde_json::json;

    /// A client request (v4, mode 3) and a server reply (v4, mode 4, stratum 2).
    fn message(first: u8, stratum: u8) -> Vec<u8> {
        let mut m = vec![first, stratum, 6, 0xec];
        m.extend_from_slice(&0x0001_8000u32.to_be_bytes()); // 1.5 s
        m.extend_from_slice(&0x0000_4000u32.to_be_bytes()); // 0.25 s
        m.extend_from_slice(if stratum <= 1 {
            b"GPS\0"
        } else {
            &[192, 0, 2, 1]
        });
        for (s, f) in [
            (1u32, 0u32),
            (2, 0x8000_0000),
            (3, 0x4000_0000),
            (3_900_000_000, 0),
        ] {
            m.extend_from_slice(&s.to_be_bytes());
            m.extend_from_slice(&f.to_be_bytes());
        }
        m
    }

    #[test]
    fn test_parse_server_reply() {
        let m = message(0x24, 2);
        let p = Ntp::parse(&m, &Ctx::default()).unwrap();
        assert_eq!((p.header_len, p.payload_len, p.next), (48, 0, Next::Leaf));
        assert_eq!(
            serde_json::to_value(p.header).unwrap(),
            json!({
                "leap": "LeapIndicator::No_Warning [0]", "version": 4,
                "mode": "Mode::Server [4]", "stratum": 2, "poll": 6, "precision": -20,
                "root_delay": 1.5, "root_dispersion": 0.25, "ref_id": "192.0.2.1",
                "ref_timestamp": 1.0, "origin_timestamp": 2.5, "receive_timestamp": 3.25,
                "transmit_timestamp": 3_900_000_000.0, "extra": 0
            })
        );
    }

    #[test]
    fn primary_reference_and_control_mode() {
        let m = message(0xe3, 1);
        let json = serde_json::to_value(Ntp::parse(&m, &Ctx::default()).unwrap().header).unwrap();
        assert_eq!(json["ref_id"], "GPS");
        assert_eq!(json["mode"], "Mode::Client [3]");
        assert_eq!(json["leap"], "LeapIndicator::Unknown_Unsynchronized [3]");
        // Mode 6: only the first byte.
        let p = Ntp::parse(&[0x16, 2, 0, 1], &Ctx::default()).unwrap();
        let json = serde_json::to_value(p.header).unwrap();
        assert_eq!(
            json,
            json!({"leap": "LeapIndicator::No_Warning [0]", "version": 2, "mode": "Mode::Control [6]"})
        );
    }

    #[test]
    fn claims_and_truncation() {
        let m = message(0x23, 2);
        assert!(claims(&m));
        assert!(!claims(&m[..47]));
        assert!(!claims(&[0x03; 48])); // version 0
        assert!(claims(&[0x1e]));
        for cut in 0..48 {
            let ctx = Ctx {
                offset: 42,
                ..Ctx::default()
            };
            assert_eq!(
                Ntp::parse(&m[..cut], &ctx).unwrap_err(),
                DissectError::truncated("NTP", 42, 48, cut)
            );
        }
    }
}
