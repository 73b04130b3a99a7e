//! VXLAN (RFC 7348, UDP port 4789) and Geneve (RFC 8926, UDP port 6081): an 802.3
//! frame (VXLAN) or an EtherType payload (Geneve) tunnelled in UDP.

use serde::ser::{Serialize, SerializeMap, Serializer};

use crate::ProtoId;
use crate::consts::reg::EtherType;
use crate::error::Result;
use crate::internet::common::Reader;
use crate::protocol::{Ctx, Header, Level, Next, Parse, Parsed};
use crate::ser::Bytes;
use crate::wire;

/// Length of the VXLAN header.
pub const VXLAN_LEN: usize = 8;

/// Length of the fixed Geneve header.
pub const GENEVE_LEN: usize = 8;

/// A VXLAN header (`vxlan`, chain token `VXLAN`).
#[derive(Clone, Copy, Debug, PartialEq, Eq, serde::Serialize)]
pub struct Vxlan {
    /// The flags byte (0x08: the VNI is valid).
    pub flags: u8,
    /// VXLAN network identifier (24 bits).
    pub vni: u32,
}

impl Header for Vxlan {
    const NAME: &'static str = "VXLAN";
    const KEY: &'static str = "vxlan";
    const LEVEL: Option<Level> = Some(Level::Link);
}

impl<'a> Parse<'a> for Vxlan {
    fn parse(data: &'a [u8], ctx: &Ctx) -> Result<Parsed<Self>> {
        wire::need(Self::NAME, ctx, data, VXLAN_LEN)?;
        let mut r = Reader::new(data);
        let flags = r.u8().unwrap_or_default();
        let _reserved = r.skip(3);
        let vni = r.u32().unwrap_or_default() >> 8;
        Ok(Parsed {
            header: Vxlan { flags, vni },
            header_len: VXLAN_LEN,
            payload_len: data.len() - VXLAN_LEN,
            next: Next::Proto(ProtoId::Ethernet),
        })
    }
}

/// A Geneve header (`geneve`, chain token `Geneve`).
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct Geneve<'a> {
    /// Version (0).
    pub version: u8,
    /// OAM packet.
    pub oam: bool,
    /// Critical options present.
    pub critical: bool,
    /// Protocol type of the payload.
    pub protocol: EtherType,
    /// Virtual network identifier (24 bits).
    pub vni: u32,
    /// Options (TLVs), as sent.
    pub options: &'a [u8],
}

/// Fields: `version`, `opt_len` (bytes), `oam`, `critical`, `protocol`, `vni`, `options`.
impl Serialize for Geneve<'_> {
    fn serialize<S: Serializer>(&self, s: S) -> std::result::Result<S::Ok, S::Error> {
        let mut m = s.serialize_map(Some(7))?;
        m.serialize_entry("version", &self.version)?;
        m.serialize_entry("opt_len", &self.options.len())?;
        m.serialize_entry("oam", &self.oam)?;
        m.serialize_entry("critical", &self.critical)?;
        m.serialize_entry("protocol", &self.protocol)?;
        m.serialize_entry("vni", &self.vni)?;
        m.serialize_entry("options", &Bytes(self.options))?;
        m.end()
    }
}

impl Header for Geneve<'_> {
    const NAME: &'static str = "Geneve";
    const KEY: &'static str = "geneve";
    const LEVEL: Option<Level> = Some(Level::Link);
}

impl<'a> Parse<'a> for Geneve<'a> {
    fn parse(data: &'a [u8], ctx: &Ctx) -> Result<Parsed<Self>> {
        wire::need(Self::NAME, ctx, data, GENEVE_LEN)?;
        let mut r = Reader::new(data);
        let b0 = r.u8().unwrap_or_default();
        let b1 = r.u8().unwrap_or_default();
        let protocol = EtherType(r.u16().unwrap_or_default());
        let vni = r.u32().unwrap_or_default() >> 8;
        let header_len = GENEVE_LEN + usize::from(b0 & 0x3f) * 4;
        wire::need(Self::NAME, ctx, data, header_len)?;
        Ok(Parsed {
            header: Geneve {
                version: b0 >> 6,
                oam: b1 & 0x80 != 0,
                critical: b1 & 0x40 != 0,
                protocol,
                vni,
                options: data.get(GENEVE_LEN..header_len).unwrap_or_default(),
            },
            header_len,
            payload_len: data.len() - header_len,
            next: crate::internet::gre_next(protocol),
        })
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::error::DissectError;
    use serde_json::json;

    #[test]
    fn vxlan_header() {
        let d = [0x08, 0, 0, 0, 0x00, 0x12, 0x34, 0, 0xaa];
        let p = Vxlan::parse(&d, &Ctx::default()).unwrap();
        assert_eq!(
            p.header,
            Vxlan {
                flags: 8,
                vni: 0x1234
            }
        );
        assert_eq!(p.next, Next::Proto(ProtoId::Ethernet));
        assert_eq!((p.header_len, p.payload_len), (8, 1));
        assert_eq!(
            serde_json::to_value(p.header).unwrap(),
            json!({"flags": 8, "vni": 0x1234})
        );
        assert_eq!(
            Vxlan::parse(&d[..7], &Ctx::default()).unwrap_err(),
            DissectError::truncated("VXLAN", 0, 8, 7)
        );
    }

    #[test]
    fn geneve_header_with_options() {
        let d = [0x01, 0x40, 0x65, 0x58, 0, 0, 7, 0, 1, 2, 3, 4, 0xee];
        let p = Geneve::parse(&d, &Ctx::default()).unwrap();
        assert_eq!(p.header_len, 12);
        assert_eq!(p.next, Next::Proto(ProtoId::Ethernet));
        let v = serde_json::to_value(p.header).unwrap();
        assert_eq!(
            v,
            json!({"version": 0, "opt_len": 4, "oam": false, "critical": true,
                "protocol": "EtherType::Transparent_Ethernet_Bridging [25944]", "vni": 7,
                "options": [1, 2, 3, 4]})
        );
        for n in 0..12 {
            assert!(Geneve::parse(&d[..n], &Ctx::default()).is_err(), "{n}");
        }
        let d = [0, 0, 0x86, 0xdd, 0, 0, 1, 0];
        assert_eq!(
            Geneve::parse(&d, &Ctx::default()).unwrap().next,
            Next::EtherType(EtherType::Internet_Protocol_version_6)
        );
    }
}
