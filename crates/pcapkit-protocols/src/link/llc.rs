//! IEEE 802.2 Logical Link Control, the header after an IEEE 802.3 length field.

use serde::Serialize;

use crate::ProtoId;
use crate::error::Result;
use crate::protocol::{Ctx, Header, Level, Next, Parse, Parsed, RawProto};
use crate::wire;

use super::bytes::u8_at;
use super::local_registry;

mod field {
    pub const DSAP: usize = 0;
    pub const SSAP: usize = 1;
    /// One byte (U format) or two (I/S format).
    pub const CONTROL: usize = 2;
}

local_registry! {
    /// An LLC service access point (DSAP/SSAP byte, including its I/G or C/R bit),
    /// printed `SAP::SNAP [170]`.
    Sap(u8) as "SAP" {
        Null = 0x00,
        LLC_Sublayer_Management = 0x02,
        SNA_Path_Control = 0x04,
        IP = 0x06,
        SNA = 0x08,
        PROWAY_Network_Management = 0x0e,
        Texas_Instruments = 0x18,
        Spanning_Tree_BPDU = 0x42,
        EIA_RS_511 = 0x4e,
        ISO_8208 = 0x7e,
        XNS = 0x80,
        Nestar = 0x86,
        PROWAY_Active_Station_List = 0x8e,
        ARP = 0x98,
        SNAP = 0xaa,
        Banyan_VINES = 0xbc,
        Novell_NetWare = 0xe0,
        NetBIOS = 0xf0,
        IBM_LAN_Management = 0xf4,
        IBM_Remote_Program_Load = 0xf8,
        Ungermann_Bass = 0xfa,
        ISO_Network_Layer = 0xfe,
        Global = 0xff,
    }
}

/// An LLC header (`llc`, chain token `LLC`; PyPCAPKit has no LLC decoder, these names
/// follow its style).
///
/// The payload goes to SNAP (DSAP and SSAP 0xAA), IPX (0xE0), IPv4 (0x06), or stays
/// `raw` (named `STP`, `NetBIOS`, `OSI` for those SAPs).
#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize)]
pub struct Llc {
    /// Destination service access point (tshark `llc.dsap`).
    pub dsap: Sap,
    /// Source service access point (tshark `llc.ssap`).
    pub ssap: Sap,
    /// Control field: one byte for U-format frames, two for I/S-format frames.
    pub control: u16,
}

impl Header for Llc {
    const NAME: &'static str = "LLC";
    const KEY: &'static str = "llc";
    const LEVEL: Option<Level> = Some(Level::Link);
}

impl<'a> Parse<'a> for Llc {
    fn parse(data: &'a [u8], ctx: &Ctx) -> Result<Parsed<Self>> {
        wire::need(Self::NAME, ctx, data, 3)?;
        let (dsap, ssap, c0) = (
            u8_at(data, field::DSAP),
            u8_at(data, field::SSAP),
            u8_at(data, field::CONTROL),
        );
        let (control, header_len) = if c0 & 0x03 == 0x03 {
            (u16::from(c0), 3)
        } else {
            wire::need(Self::NAME, ctx, data, 4)?;
            let c1 = u8_at(data, field::CONTROL + 1);
            (u16::from_be_bytes([c0, c1]), 4)
        };
        let next = match (dsap, ssap) {
            (0xaa, 0xaa) => Next::Proto(ProtoId::Snap),
            (0xe0, _) => Next::EtherType(super::ETHERTYPE_IPX),
            (0x06, _) => {
                Next::EtherType(crate::consts::reg::EtherType::Internet_Protocol_version_4)
            }
            (0x42, _) => Next::Raw(RawProto::Named("STP"), None),
            (0xf0, _) => Next::Raw(RawProto::Named("NetBIOS"), None),
            (0xfe, _) => Next::Raw(RawProto::Named("OSI"), None),
            _ => Next::End,
        };
        Ok(Parsed {
            header: Llc {
                dsap: Sap(dsap),
                ssap: Sap(ssap),
                control,
            },
            header_len,
            payload_len: data.len().saturating_sub(header_len),
            next,
        })
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::DissectError;

    /// DSAP/SSAP 0xE0 (NetWare), UI frame, then an IPX header start.
    static IPX_UI: [u8; 5] = [0xe0, 0xe0, 0x03, 0xff, 0xff];
    /// STP BPDU in a UI frame.
    static STP: [u8; 4] = [0x42, 0x42, 0x03, 0x00];
    /// An I-format frame (two control bytes).
    static I_FRAME: [u8; 5] = [0xf0, 0xf0, 0x00, 0x02, 0x99];

    #[test]
    fn test_parse() {
        let p = Llc::parse(&IPX_UI, &Ctx::default()).unwrap();
        assert_eq!(p.header.dsap, Sap::Novell_NetWare);
        assert_eq!(p.header.ssap, Sap(0xe0));
        assert_eq!(p.header.control, 3);
        assert_eq!(p.header_len, 3);
        assert_eq!(p.payload_len, 2);
        assert_eq!(
            p.next,
            Next::EtherType(crate::consts::reg::EtherType(0x8137))
        );
    }

    #[test]
    fn test_i_format_and_named_saps() {
        let p = Llc::parse(&I_FRAME, &Ctx::default()).unwrap();
        assert_eq!(p.header.control, 0x0002);
        assert_eq!(p.header_len, 4);
        assert_eq!(p.next, Next::Raw(RawProto::Named("NetBIOS"), None));
        let p = Llc::parse(&STP, &Ctx::default()).unwrap();
        assert_eq!(p.next, Next::Raw(RawProto::Named("STP"), None));
        let p = Llc::parse(&[0xaa, 0xaa, 0x03], &Ctx::default()).unwrap();
        assert_eq!(p.next, Next::Proto(ProtoId::Snap));
        let p = Llc::parse(&[0x12, 0x34, 0x03], &Ctx::default()).unwrap();
        assert_eq!(p.next, Next::End);
    }

    #[test]
    fn test_impossible_len() {
        let ctx = Ctx {
            offset: 14,
            ..Ctx::default()
        };
        assert_eq!(
            Llc::parse(&IPX_UI[..2], &ctx).unwrap_err(),
            DissectError::truncated("LLC", 14, 3, 2)
        );
        assert_eq!(
            Llc::parse(&I_FRAME[..3], &ctx).unwrap_err(),
            DissectError::truncated("LLC", 14, 4, 3)
        );
    }

    #[test]
    fn test_serialize() {
        let p = Llc::parse(&STP, &Ctx::default()).unwrap();
        assert_eq!(
            serde_json::to_value(p.header).unwrap(),
            serde_json::json!({
                "dsap": "SAP::Spanning_Tree_BPDU [66]",
                "ssap": "SAP::Spanning_Tree_BPDU [66]",
                "control": 3,
            })
        );
        assert_eq!(Sap(0x13).to_string(), "SAP::Unknown [19]");
    }
}
