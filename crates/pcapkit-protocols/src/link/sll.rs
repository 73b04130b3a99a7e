//! Linux cooked capture v1 (link type LINUX_SLL, 113): the pseudo-header libpcap writes
//! for the `any` device.

use serde::{Serialize, Serializer};

use crate::ProtoId;
use crate::consts::reg::EtherType;
use crate::error::Result;
use crate::protocol::{Ctx, Header, Level, Next, Parse, Parsed};
use crate::wire;

use super::bytes::{slice, u16_at};
use super::{HwAddr, local_registry};

/// Length of the header.
pub const HEADER_LEN: usize = 16;

mod field {
    use super::super::bytes::Field;
    pub const PKTTYPE: Field = 0..2;
    pub const HATYPE: Field = 2..4;
    pub const HALEN: Field = 4..6;
    pub const ADDR: Field = 6..14;
    pub const PROTOCOL: Field = 14..16;
}

local_registry! {
    /// Linux packet type (`PACKET_*`, direction of the packet), printed
    /// `PacketType::HOST [0]`.
    PacketType(u16) as "PacketType" {
        HOST = 0,
        BROADCAST = 1,
        MULTICAST = 2,
        OTHERHOST = 3,
        OUTGOING = 4,
        LOOPBACK = 5,
        USER = 6,
        KERNEL = 7,
    }
}

local_registry! {
    /// Linux hardware type (`ARPHRD_*` of `<linux/if_arp.h>`), printed `ARPHRD::ETHER [1]`.
    Arphrd(u16) as "ARPHRD" {
        NETROM = 0,
        ETHER = 1,
        EETHER = 2,
        AX25 = 3,
        PRONET = 4,
        CHAOS = 5,
        IEEE802 = 6,
        ARCNET = 7,
        APPLETLK = 8,
        DLCI = 15,
        ATM = 19,
        METRICOM = 23,
        IEEE1394 = 24,
        EUI64 = 27,
        INFINIBAND = 32,
        SLIP = 256,
        CSLIP = 257,
        SLIP6 = 258,
        CSLIP6 = 259,
        RSRVD = 260,
        ADAPT = 264,
        ROSE = 270,
        X25 = 271,
        HWX25 = 272,
        CAN = 280,
        MCTP = 290,
        PPP = 512,
        CISCO = 513,
        LAPB = 516,
        DDCMP = 517,
        RAWHDLC = 518,
        RAWIP = 519,
        TUNNEL = 768,
        TUNNEL6 = 769,
        FRAD = 770,
        SKIP = 771,
        LOOPBACK = 772,
        LOCALTLK = 773,
        FDDI = 774,
        BIF = 775,
        SIT = 776,
        IPDDP = 777,
        IPGRE = 778,
        PIMREG = 779,
        HIPPI = 780,
        ASH = 781,
        ECONET = 782,
        IRDA = 783,
        FCPP = 784,
        FCAL = 785,
        FCPL = 786,
        FCFABRIC = 787,
        IEEE802_TR = 800,
        IEEE80211 = 801,
        IEEE80211_PRISM = 802,
        IEEE80211_RADIOTAP = 803,
        IEEE802154 = 804,
        IEEE802154_MONITOR = 805,
        PHONET = 820,
        PHONET_PIPE = 821,
        CAIF = 822,
        IP6GRE = 823,
        NETLINK = 824,
        LOWPAN6 = 825,
        VSOCKMON = 826,
        NONE = 0xfffe,
        VOID = 0xffff,
    }
}

local_registry! {
    /// Linux protocol type (`ETH_P_*` below 0x0600) in the SLL protocol field, printed
    /// `LinuxProtocol::IEEE_802_2 [4]`.
    LinuxProtocol(u16) as "LinuxProtocol" {
        IEEE_802_3 = 0x0001,
        AX25 = 0x0002,
        ALL = 0x0003,
        IEEE_802_2 = 0x0004,
        SNAP = 0x0005,
        DDCMP = 0x0006,
        WAN_PPP = 0x0007,
        PPP_MP = 0x0008,
        LOCALTALK = 0x0009,
        CAN = 0x000c,
        CANFD = 0x000d,
        CANXL = 0x000e,
        PPPTALK = 0x0010,
        TR_802_2 = 0x0011,
        MOBITEX = 0x0015,
        CONTROL = 0x0016,
        IRDA = 0x0017,
        ECONET = 0x0018,
        HDLC = 0x0019,
        ARCNET = 0x001a,
        DSA = 0x001b,
        TRAILER = 0x001c,
        PHONET = 0x00f5,
        IEEE802154 = 0x00f6,
        CAIF = 0x00f7,
        XDSA = 0x00f8,
        MAP = 0x00f9,
        MCTP = 0x00fa,
    }
}

/// The SLL protocol field: an EtherType (tshark `sll.etype`), or a Linux protocol type
/// (tshark `sll.ltype`) when it is at most 1536 or the hardware is netlink.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
pub enum SllProtocol {
    /// An EtherType.
    EtherType(EtherType),
    /// A Linux protocol type.
    Linux(LinuxProtocol),
}

impl SllProtocol {
    /// Classifies `protocol` as tshark does for hardware type `hatype`.
    pub fn classify(hatype: u16, protocol: u16) -> Self {
        if protocol <= 1536 || hatype == Arphrd::NETLINK.0 {
            SllProtocol::Linux(LinuxProtocol(protocol))
        } else {
            SllProtocol::EtherType(EtherType(protocol))
        }
    }

    /// Where the payload goes.
    pub fn next(self) -> Next {
        match self {
            SllProtocol::EtherType(t) => Next::EtherType(t),
            SllProtocol::Linux(LinuxProtocol::IEEE_802_3) => Next::EtherType(super::ETHERTYPE_IPX),
            SllProtocol::Linux(LinuxProtocol::IEEE_802_2) => Next::Proto(ProtoId::Llc),
            SllProtocol::Linux(LinuxProtocol::WAN_PPP) => Next::Proto(ProtoId::Ppp),
            SllProtocol::Linux(_) => Next::End,
        }
    }
}

impl Serialize for SllProtocol {
    fn serialize<S: Serializer>(&self, serializer: S) -> std::result::Result<S::Ok, S::Error> {
        match self {
            SllProtocol::EtherType(t) => t.serialize(serializer),
            SllProtocol::Linux(t) => t.serialize(serializer),
        }
    }
}

/// The link-layer address: the first `halen` (at most 8) bytes of the 8-byte field, a MAC
/// when 6 bytes long.
pub(crate) fn link_addr(field: &[u8], halen: usize) -> HwAddr<'_> {
    HwAddr::mac_or_hex(field.get(..halen.min(8)).unwrap_or(field))
}

/// A Linux cooked capture v1 header (`sll`, chain token `SLL`; PyPCAPKit shows these
/// frames as `Raw`/`LINUX_SLL`, the names follow its style).
#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize)]
pub struct Sll<'a> {
    /// Packet type (tshark `sll.pkttype`).
    pub pkttype: PacketType,
    /// Hardware type (tshark `sll.hatype`).
    pub hatype: Arphrd,
    /// Link-layer address length.
    pub halen: u16,
    /// Link-layer address of the sender.
    pub addr: HwAddr<'a>,
    /// Protocol of the payload.
    #[serde(rename = "type")]
    pub protocol: SllProtocol,
}

impl Header for Sll<'_> {
    const NAME: &'static str = "SLL";
    const KEY: &'static str = "sll";
    const LEVEL: Option<Level> = Some(Level::Link);
    const ALIASES: &'static [&'static str] = &["LINUX_SLL"];
}

impl<'a> Parse<'a> for Sll<'a> {
    fn parse(data: &'a [u8], ctx: &Ctx) -> Result<Parsed<Self>> {
        wire::need(Self::NAME, ctx, data, HEADER_LEN)?;
        let hatype = u16_at(data, field::HATYPE);
        let halen = u16_at(data, field::HALEN);
        let protocol = SllProtocol::classify(hatype, u16_at(data, field::PROTOCOL));
        Ok(Parsed {
            header: Sll {
                pkttype: PacketType(u16_at(data, field::PKTTYPE)),
                hatype: Arphrd(hatype),
                halen,
                addr: link_addr(slice(data, field::ADDR), usize::from(halen)),
                protocol,
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

    /// Outgoing, Ethernet, IPv4 (shaped like frame 2 of packetnet LinuxCookedCapture).
    static OUTGOING_IPV4: [u8; 17] = [
        0x00, 0x04, 0x00, 0x01, 0x00, 0x06, 0x00, 0x22, 0x6b, 0x97, 0x0e, 0xa2, 0x00, 0x00, 0x08,
        0x00, 0x45,
    ];

    fn with(pkttype: u16, hatype: u16, halen: u16, protocol: u16) -> [u8; 16] {
        let mut b = [0u8; 16];
        b[0..2].copy_from_slice(&pkttype.to_be_bytes());
        b[2..4].copy_from_slice(&hatype.to_be_bytes());
        b[4..6].copy_from_slice(&halen.to_be_bytes());
        b[6..14].copy_from_slice(&[1, 2, 3, 4, 5, 6, 7, 8]);
        b[14..16].copy_from_slice(&protocol.to_be_bytes());
        b
    }

    #[test]
    fn test_parse() {
        let p = Sll::parse(&OUTGOING_IPV4, &Ctx::default()).unwrap();
        assert_eq!(p.header.pkttype, PacketType::OUTGOING);
        assert_eq!(p.header.hatype, Arphrd::ETHER);
        assert_eq!(p.header.halen, 6);
        assert_eq!(p.header.addr.to_string(), "00:22:6b:97:0e:a2");
        assert_eq!(p.header.protocol, SllProtocol::EtherType(EtherType(0x0800)));
        assert_eq!((p.header_len, p.payload_len), (16, 1));
        assert_eq!(p.next, Next::EtherType(EtherType(0x0800)));
    }

    #[test]
    fn every_packet_type() {
        let names = [
            "HOST",
            "BROADCAST",
            "MULTICAST",
            "OTHERHOST",
            "OUTGOING",
            "LOOPBACK",
            "USER",
            "KERNEL",
        ];
        for (t, name) in names.iter().enumerate() {
            let b = with(t as u16, 1, 6, 0x86dd);
            let p = Sll::parse(&b, &Ctx::default()).unwrap();
            assert_eq!(p.header.pkttype.name(), Some(*name));
            assert_eq!(p.next, Next::EtherType(EtherType(0x86dd)));
        }
        assert_eq!(PacketType(9).to_string(), "PacketType::Unknown [9]");
    }

    #[test]
    fn linux_protocol_types() {
        let b = with(0, 1, 6, 4);
        let p = Sll::parse(&b, &Ctx::default()).unwrap();
        assert_eq!(
            p.header.protocol,
            SllProtocol::Linux(LinuxProtocol::IEEE_802_2)
        );
        assert_eq!(p.next, Next::Proto(ProtoId::Llc));
        let b = with(0, 1, 6, 1);
        let p = Sll::parse(&b, &Ctx::default()).unwrap();
        assert_eq!(p.next, Next::EtherType(EtherType(0x8137)));
        let b = with(0, 280, 0, 0x0c);
        let p = Sll::parse(&b, &Ctx::default()).unwrap();
        assert_eq!(p.header.protocol, SllProtocol::Linux(LinuxProtocol::CAN));
        assert_eq!(p.header.addr.to_string(), "");
        assert_eq!(p.next, Next::End);
        // Netlink: the field is a netlink family even above 1536.
        let b = with(0, 824, 0, 0x0800);
        let p = Sll::parse(&b, &Ctx::default()).unwrap();
        assert_eq!(p.header.protocol, SllProtocol::Linux(LinuxProtocol(0x0800)));
        // 1536 itself is a Linux type for tshark; 1537 an EtherType.
        assert!(matches!(
            SllProtocol::classify(1, 1536),
            SllProtocol::Linux(_)
        ));
        assert!(matches!(
            SllProtocol::classify(1, 1537),
            SllProtocol::EtherType(_)
        ));
        // Address longer than the field: only 8 bytes exist.
        let b = with(0, 32, 20, 0x0800);
        let p = Sll::parse(&b, &Ctx::default()).unwrap();
        assert_eq!(p.header.addr.to_string(), "0102030405060708");
    }

    #[test]
    fn test_impossible_len() {
        assert_eq!(
            Sll::parse(&OUTGOING_IPV4[..15], &Ctx::default()).unwrap_err(),
            DissectError::truncated("SLL", 0, 16, 15)
        );
    }

    #[test]
    fn test_serialize() {
        let p = Sll::parse(&OUTGOING_IPV4, &Ctx::default()).unwrap();
        assert_eq!(
            serde_json::to_value(p.header).unwrap(),
            serde_json::json!({
                "pkttype": "PacketType::OUTGOING [4]",
                "hatype": "ARPHRD::ETHER [1]",
                "halen": 6,
                "addr": "00:22:6b:97:0e:a2",
                "type": "EtherType::Internet_Protocol_version_4 [2048]",
            })
        );
        let b = with(0, 1, 6, 4);
        let p = Sll::parse(&b, &Ctx::default()).unwrap();
        assert_eq!(
            serde_json::to_value(p.header).unwrap()["type"],
            "LinuxProtocol::IEEE_802_2 [4]"
        );
    }
}
