//! Linux cooked capture v2 (link type LINUX_SLL2, 276): SLL with the interface index.

use serde::Serialize;

use crate::error::Result;
use crate::protocol::{Ctx, Header, Level, Parse, Parsed};
use crate::wire;

use super::bytes::{slice, u8_at, u16_at, u32_at};
use super::sll::link_addr;
use super::{Arphrd, HwAddr, PacketType, SllProtocol};

/// Length of the header.
pub const HEADER_LEN: usize = 20;

mod field {
    use super::super::bytes::Field;
    pub const PROTOCOL: Field = 0..2;
    pub const IFINDEX: Field = 4..8;
    pub const HATYPE: Field = 8..10;
    pub const PKTTYPE: usize = 10;
    pub const HALEN: usize = 11;
    pub const ADDR: Field = 12..20;
}

/// A Linux cooked capture v2 header (`sll2`, chain token `SLL2`; PyPCAPKit shows these
/// frames as `Raw`/`LINUX_SLL2`, the names follow its style). Fields in wire order; the
/// same meanings as [`super::Sll`] (tshark uses the `sll.*` fields for both).
#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize)]
pub struct Sll2<'a> {
    /// Protocol of the payload.
    #[serde(rename = "type")]
    pub protocol: SllProtocol,
    /// Interface index (tshark `sll.ifindex`).
    pub ifindex: u32,
    /// Hardware type (tshark `sll.hatype`).
    pub hatype: Arphrd,
    /// Packet type (tshark `sll.pkttype`).
    pub pkttype: PacketType,
    /// Link-layer address length.
    pub halen: u8,
    /// Link-layer address of the sender.
    pub addr: HwAddr<'a>,
}

impl Header for Sll2<'_> {
    const NAME: &'static str = "SLL2";
    const KEY: &'static str = "sll2";
    const LEVEL: Option<Level> = Some(Level::Link);
    const ALIASES: &'static [&'static str] = &["LINUX_SLL2"];
}

impl<'a> Parse<'a> for Sll2<'a> {
    fn parse(data: &'a [u8], ctx: &Ctx) -> Result<Parsed<Self>> {
        wire::need(Self::NAME, ctx, data, HEADER_LEN)?;
        let ifindex = u32_at(data, field::IFINDEX);
        let hatype = u16_at(data, field::HATYPE);
        let halen = u8_at(data, field::HALEN);
        let protocol = SllProtocol::classify(hatype, u16_at(data, field::PROTOCOL));
        Ok(Parsed {
            header: Sll2 {
                protocol,
                ifindex,
                hatype: Arphrd(hatype),
                pkttype: PacketType(u16::from(u8_at(data, field::PKTTYPE))),
                halen,
                addr: link_addr(slice(data, field::ADDR), usize::from(halen)),
            },
            header_len: HEADER_LEN,
            payload_len: data.len() - HEADER_LEN,
            next: protocol.next(),
        })
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::DissectError;
    use crate::consts::reg::EtherType;
    use crate::protocol::Next;

    /// Frame 1 of packetnet LinuxCookedCapturev2: IPv4, interface 2, Ethernet, outgoing.
    static FRAME: [u8; 21] = [
        0x08, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x02, 0x00, 0x01, 0x04, 0x06, 0x00, 0x0c, 0x29,
        0x06, 0xf9, 0x85, 0x00, 0x00, 0x45,
    ];

    #[test]
    fn test_parse() {
        let p = Sll2::parse(&FRAME, &Ctx::default()).unwrap();
        let h = p.header;
        assert_eq!(h.protocol, SllProtocol::EtherType(EtherType(0x0800)));
        assert_eq!(h.ifindex, 2);
        assert_eq!(h.hatype, Arphrd::ETHER);
        assert_eq!(h.pkttype, PacketType::OUTGOING);
        assert_eq!(h.halen, 6);
        assert_eq!(h.addr.to_string(), "00:0c:29:06:f9:85");
        assert_eq!((p.header_len, p.payload_len), (20, 1));
        assert_eq!(p.next, Next::EtherType(EtherType(0x0800)));
    }

    #[test]
    fn packet_types_and_protocols() {
        for t in 0u8..8 {
            let mut b = FRAME;
            b[10] = t;
            let p = Sll2::parse(&b, &Ctx::default()).unwrap();
            assert_eq!(p.header.pkttype, PacketType(u16::from(t)));
            assert!(p.header.pkttype.name().is_some());
        }
        let mut b = FRAME;
        b[0..2].copy_from_slice(&[0x00, 0x04]);
        let p = Sll2::parse(&b, &Ctx::default()).unwrap();
        assert_eq!(p.next, Next::Proto(crate::ProtoId::Llc));
    }

    #[test]
    fn test_impossible_len() {
        assert_eq!(
            Sll2::parse(&FRAME[..19], &Ctx::default()).unwrap_err(),
            DissectError::truncated("SLL2", 0, 20, 19)
        );
    }

    #[test]
    fn test_serialize() {
        let p = Sll2::parse(&FRAME, &Ctx::default()).unwrap();
        assert_eq!(
            serde_json::to_value(p.header).unwrap(),
            serde_json::json!({
                "type": "EtherType::Internet_Protocol_version_4 [2048]",
                "ifindex": 2,
                "hatype": "ARPHRD::ETHER [1]",
                "pkttype": "PacketType::OUTGOING [4]",
                "halen": 6,
                "addr": "00:0c:29:06:f9:85",
            })
        );
    }
}
