//! IEEE 802.1Q VLAN tags: the customer tag (C-tag, 0x8100) and the 802.1ad service tag
//! (S-tag, 0x88A8 and the pre-standard 0x9100). Tags stack (QinQ); the dissector's depth
//! limit bounds the stack.

use std::ops::Deref;

use nom::Parser;
use nom::number::complete::be_u16;
use serde::Serialize;

use crate::consts::reg::EtherType;
use crate::consts::vlan::PriorityLevel;
use crate::error::Result;
use crate::protocol::{Ctx, Header, Level, Parse, Parsed};
use crate::wire;

use super::ethernet::type_or_length;

/// Length of a tag.
pub const HEADER_LEN: usize = 4;

/// Tag control information.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize)]
pub struct Tci {
    /// Priority code point (3 bits).
    pub pcp: PriorityLevel,
    /// Drop eligible indicator: bit 12 of the TCI (PyPCAPKit copied `pcp != 0`, §10 #17).
    pub dei: bool,
    /// VLAN identifier (12 bits).
    pub vid: u16,
}

impl Tci {
    /// Splits a 16-bit TCI.
    pub fn from_bits(tci: u16) -> Self {
        Self {
            pcp: PriorityLevel((tci >> 13) as u8),
            dei: tci & 0x1000 != 0,
            vid: tci & 0x0fff,
        }
    }

    /// The 16-bit TCI.
    pub fn to_bits(self) -> u16 {
        (u16::from(self.pcp.0 & 0x07) << 13) | (u16::from(self.dei) << 12) | (self.vid & 0x0fff)
    }
}

/// An 802.1Q customer VLAN tag (`c_tag`, chain token `802.1Q`, as in PyPCAPKit).
///
/// A type field up to 1500 is an 802.3 length: the payload is LLC.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize)]
pub struct Vlan {
    /// Tag control information.
    pub tci: Tci,
    /// EtherType (or 802.3 length) of the payload.
    #[serde(rename = "type")]
    pub ethertype: EtherType,
}

impl Header for Vlan {
    const NAME: &'static str = "802.1Q";
    const KEY: &'static str = "c_tag";
    const LEVEL: Option<Level> = Some(Level::Link);
    const ALIASES: &'static [&'static str] = &["VLAN", "C_Tag"];
}

fn parse_tag(name: &'static str, data: &[u8], ctx: &Ctx) -> Result<Parsed<Vlan>> {
    wire::need(name, ctx, data, HEADER_LEN)?;
    let (rest, (tci, ty)) = wire::finish(name, ctx, data, (be_u16, be_u16).parse(data))?;
    let (payload_len, next) = type_or_length(ty, rest);
    Ok(Parsed {
        header: Vlan {
            tci: Tci::from_bits(tci),
            ethertype: EtherType(ty),
        },
        header_len: HEADER_LEN,
        payload_len,
        next,
    })
}

impl<'a> Parse<'a> for Vlan {
    fn parse(data: &'a [u8], ctx: &Ctx) -> Result<Parsed<Self>> {
        parse_tag(Self::NAME, data, ctx)
    }
}

/// An 802.1ad service VLAN tag (`s_tag`, chain token `802.1ad`: the names of PyPCAPKit's
/// later `S_Tag` class). Same layout as [`Vlan`]; the pre-standard QinQ EtherType 0x9100
/// is decoded as an S-tag too (tshark shows it as `vlan`).
#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize)]
pub struct STag(pub Vlan);

impl Deref for STag {
    type Target = Vlan;

    fn deref(&self) -> &Vlan {
        &self.0
    }
}

impl Header for STag {
    const NAME: &'static str = "802.1ad";
    const KEY: &'static str = "s_tag";
    const LEVEL: Option<Level> = Some(Level::Link);
    const ALIASES: &'static [&'static str] = &["VLAN", "S_Tag"];
}

impl<'a> Parse<'a> for STag {
    fn parse(data: &'a [u8], ctx: &Ctx) -> Result<Parsed<Self>> {
        parse_tag(Self::NAME, data, ctx).map(|p| p.map(STag))
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::error::DissectError;
    use crate::protocol::Next;
    use crate::{DissectOptions, ProtoId, dissect};
    use pcapkit_core::LinkType;

    /// PCP 3, DEI 1, VID 100, IPv4.
    static TAG_DEI: [u8; 5] = [0x70, 0x64, 0x08, 0x00, 0x45];
    /// PCP 3, DEI 0, VID 13.
    static TAG_PCP: [u8; 4] = [0x60, 0x0d, 0x08, 0x06];

    #[test]
    fn test_parse() {
        let p = Vlan::parse(&TAG_DEI, &Ctx::default()).unwrap();
        assert_eq!(p.header.tci.pcp, PriorityLevel::CA);
        assert!(p.header.tci.dei);
        assert_eq!(p.header.tci.vid, 100);
        assert_eq!(p.header.ethertype, EtherType(0x0800));
        assert_eq!(p.header_len, 4);
        assert_eq!(p.payload_len, 1);
        assert_eq!(p.next, Next::EtherType(EtherType(0x0800)));
        assert_eq!(p.header.tci.to_bits(), 0x7064);
    }

    #[test]
    fn pypcapkit_bug_17_vlan_dei_from_its_own_bit() {
        let p = Vlan::parse(&TAG_PCP, &Ctx::default()).unwrap();
        assert_eq!(p.header.tci.pcp, PriorityLevel(3));
        assert!(!p.header.tci.dei, "PCP 3 with DEI 0 must give dei false");
        let p = Vlan::parse(&[0x10, 0x01, 0x08, 0x00], &Ctx::default()).unwrap();
        assert_eq!(p.header.tci.pcp, PriorityLevel::BE);
        assert!(p.header.tci.dei, "PCP 0 with DEI 1 must give dei true");
    }

    #[test]
    fn test_length_field_means_llc() {
        let p = Vlan::parse(
            &[0xa0, 0x76, 0x00, 0x03, 0xaa, 0xaa, 0x03, 0xff],
            &Ctx::default(),
        )
        .unwrap();
        assert_eq!(p.payload_len, 3);
        assert_eq!(p.next, Next::Proto(ProtoId::Llc));
    }

    #[test]
    fn test_impossible_len() {
        let ctx = Ctx {
            offset: 14,
            ..Ctx::default()
        };
        assert_eq!(
            Vlan::parse(&TAG_DEI[..3], &ctx).unwrap_err(),
            DissectError::truncated("802.1Q", 14, 4, 3)
        );
        assert_eq!(
            STag::parse(&TAG_DEI[..1], &ctx).unwrap_err(),
            DissectError::truncated("802.1ad", 14, 4, 1)
        );
    }

    #[test]
    fn test_serialize() {
        let p = Vlan::parse(&TAG_DEI, &Ctx::default()).unwrap();
        assert_eq!(
            serde_json::to_value(p.header).unwrap(),
            serde_json::json!({
                "tci": {"pcp": "PriorityLevel::CA [3]", "dei": true, "vid": 100},
                "type": "EtherType::Internet_Protocol_version_4 [2048]",
            })
        );
        let s = STag::parse(&TAG_DEI, &Ctx::default()).unwrap();
        assert_eq!(
            serde_json::to_value(s.header).unwrap(),
            serde_json::to_value(p.header).unwrap()
        );
    }

    #[test]
    fn qinq_stack_nests() {
        let mut frame = vec![0xff; 12];
        frame.extend_from_slice(&[0x88, 0xa8, 0x00, 0x64, 0x81, 0x00, 0x20, 0x0a, 0x88, 0xb5]);
        frame.extend_from_slice(&[1, 2, 3]);
        let p = dissect(LinkType::ETHERNET, &frame, &DissectOptions::default());
        assert_eq!(
            p.protocols().to_string(),
            "Ethernet:802.1ad:802.1Q:IEEE_Std_802_Local_Experimental_Ethertype_0x88B5"
        );
        let s = p.get::<STag>().unwrap();
        assert_eq!(s.tci.vid, 100);
        let c = p.get::<Vlan>().unwrap();
        assert_eq!(c.tci.vid, 10);
        assert_eq!(c.tci.pcp, PriorityLevel(1));
        let json = serde_json::to_value(p.layers_view(Default::default())).unwrap();
        assert_eq!(json["ethernet"]["s_tag"]["c_tag"]["tci"]["vid"], 10);
        assert!(p.protocols().contains("VLAN"));
    }

    #[test]
    fn deep_vlan_stack_stops_at_the_depth_limit() {
        let mut frame = vec![0xff; 12];
        for _ in 0..100 {
            frame.extend_from_slice(&[0x81, 0x00, 0x00, 0x01]);
        }
        frame.extend_from_slice(&[0x88, 0xb5, 0xaa]);
        let p = dissect(LinkType::ETHERNET, &frame, &DissectOptions::default());
        assert_eq!(p.layers().len(), crate::DEFAULT_MAX_DEPTH);
        assert!(p.error().is_some());
    }
}
