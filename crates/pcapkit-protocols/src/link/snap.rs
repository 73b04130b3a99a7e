//! SubNetwork Access Protocol (IEEE 802 SNAP): OUI + protocol id after LLC 0xAA/0xAA.

use std::fmt;

use serde::{Serialize, Serializer};

use crate::consts::reg::EtherType;
use crate::error::Result;
use crate::protocol::{Ctx, Header, Level, Next, Parse, Parsed, RawProto};
use crate::wire;

/// Length of the header.
pub const HEADER_LEN: usize = 5;

mod field {
    use super::super::bytes::Field;
    pub const OUI: Field = 0..3;
    pub const PID: Field = 3..5;
}

/// A 24-bit organisationally unique identifier, printed `00:00:0c`.
#[derive(Clone, Copy, PartialEq, Eq, Hash, Default, PartialOrd, Ord)]
pub struct Oui(pub [u8; 3]);

impl Oui {
    /// RFC 1042 encapsulated Ethernet: the protocol id is an EtherType.
    pub const ENCAPSULATED_ETHERNET: Self = Self([0, 0, 0]);
    /// IEEE 802.1H bridge tunnel: the protocol id is an EtherType.
    pub const BRIDGE_TUNNEL: Self = Self([0, 0, 0xf8]);
    /// Cisco.
    pub const CISCO: Self = Self([0, 0, 0x0c]);

    /// Whether the protocol id under this OUI is an EtherType.
    pub fn carries_ethertype(self) -> bool {
        self == Self::ENCAPSULATED_ETHERNET || self == Self::BRIDGE_TUNNEL
    }
}

impl fmt::Display for Oui {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        let [a, b, c] = self.0;
        write!(f, "{a:02x}:{b:02x}:{c:02x}")
    }
}

impl fmt::Debug for Oui {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        fmt::Display::fmt(self, f)
    }
}

impl Serialize for Oui {
    fn serialize<S: Serializer>(&self, serializer: S) -> std::result::Result<S::Ok, S::Error> {
        serializer.collect_str(self)
    }
}

/// The SNAP protocol id: an EtherType under the RFC 1042 / 802.1H OUIs, else a number
/// the OUI's owner assigns.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
pub enum SnapPid {
    /// An EtherType (printed as PyPCAPKit prints EtherTypes).
    EtherType(EtherType),
    /// An organisation-specific protocol id (printed as a number).
    Other(u16),
}

impl SnapPid {
    /// The raw 16-bit value.
    pub fn value(self) -> u16 {
        match self {
            SnapPid::EtherType(t) => t.0,
            SnapPid::Other(v) => v,
        }
    }
}

impl Serialize for SnapPid {
    fn serialize<S: Serializer>(&self, serializer: S) -> std::result::Result<S::Ok, S::Error> {
        match self {
            SnapPid::EtherType(t) => t.serialize(serializer),
            SnapPid::Other(v) => serializer.serialize_u16(*v),
        }
    }
}

/// A SNAP header (`snap`, chain token `SNAP`; PyPCAPKit has no SNAP decoder, these names
/// follow its style). Under OUI 00:00:00 / 00:00:f8 the protocol id is an EtherType and
/// selects the next decoder; Cisco's CDP/VTP/DTP are kept `raw` by name.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize)]
pub struct Snap {
    /// Organisation code (tshark `llc.oui`).
    pub oui: Oui,
    /// Protocol id (tshark `llc.pid`).
    #[serde(rename = "type")]
    pub pid: SnapPid,
}

impl Header for Snap {
    const NAME: &'static str = "SNAP";
    const KEY: &'static str = "snap";
    const LEVEL: Option<Level> = Some(Level::Link);
}

impl<'a> Parse<'a> for Snap {
    fn parse(data: &'a [u8], ctx: &Ctx) -> Result<Parsed<Self>> {
        wire::need(Self::NAME, ctx, data, HEADER_LEN)?;
        let oui =
            Oui(<[u8; 3]>::try_from(super::bytes::slice(data, field::OUI)).unwrap_or_default());
        let pid = super::bytes::u16_at(data, field::PID);
        let (pid, next) = if oui.carries_ethertype() {
            (
                SnapPid::EtherType(EtherType(pid)),
                Next::EtherType(EtherType(pid)),
            )
        } else {
            let next = match (oui, pid) {
                (Oui::CISCO, 0x2000) => Next::Raw(RawProto::Named("CDP"), None),
                (Oui::CISCO, 0x2003) => Next::Raw(RawProto::Named("VTP"), None),
                (Oui::CISCO, 0x2004) => Next::Raw(RawProto::Named("DTP"), None),
                _ => Next::End,
            };
            (SnapPid::Other(pid), next)
        };
        Ok(Parsed {
            header: Snap { oui, pid },
            header_len: HEADER_LEN,
            payload_len: data.len() - HEADER_LEN,
            next,
        })
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::DissectError;

    /// RFC 1042: OUI 0, EtherType IPv4, one payload byte.
    static RFC1042: [u8; 6] = [0x00, 0x00, 0x00, 0x08, 0x00, 0x45];
    /// Cisco CDP.
    static CDP: [u8; 5] = [0x00, 0x00, 0x0c, 0x20, 0x00];

    #[test]
    fn test_parse() {
        let p = Snap::parse(&RFC1042, &Ctx::default()).unwrap();
        assert_eq!(p.header.oui, Oui::ENCAPSULATED_ETHERNET);
        assert_eq!(p.header.pid, SnapPid::EtherType(EtherType(0x0800)));
        assert_eq!(p.next, Next::EtherType(EtherType(0x0800)));
        assert_eq!(p.payload_len, 1);
        let p = Snap::parse(&CDP, &Ctx::default()).unwrap();
        assert_eq!(p.header.pid, SnapPid::Other(0x2000));
        assert_eq!(p.header.pid.value(), 0x2000);
        assert_eq!(p.next, Next::Raw(RawProto::Named("CDP"), None));
        let p = Snap::parse(&[0, 0, 0xf8, 0x80, 0xf3], &Ctx::default()).unwrap();
        assert_eq!(p.next, Next::EtherType(EtherType(0x80f3)));
        let p = Snap::parse(&[1, 2, 3, 0, 1], &Ctx::default()).unwrap();
        assert_eq!(p.next, Next::End);
    }

    #[test]
    fn test_impossible_len() {
        let ctx = Ctx {
            offset: 17,
            ..Ctx::default()
        };
        assert_eq!(
            Snap::parse(&CDP[..4], &ctx).unwrap_err(),
            DissectError::truncated("SNAP", 17, 5, 4)
        );
    }

    #[test]
    fn test_serialize() {
        let p = Snap::parse(&RFC1042, &Ctx::default()).unwrap();
        assert_eq!(
            serde_json::to_value(p.header).unwrap(),
            serde_json::json!({
                "oui": "00:00:00",
                "type": "EtherType::Internet_Protocol_version_4 [2048]",
            })
        );
        let p = Snap::parse(&CDP, &Ctx::default()).unwrap();
        assert_eq!(
            serde_json::to_value(p.header).unwrap(),
            serde_json::json!({"oui": "00:00:0c", "type": 8192})
        );
    }
}
