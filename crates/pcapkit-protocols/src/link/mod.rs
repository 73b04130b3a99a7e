//! Link layer: the protocols a link type or an EtherType selects.
//!
//! PyPCAPKit 1.4.1 decodes Ethernet, 802.1Q, ARP/RARP, L2TP and OSPF here; it has no
//! decoder for the other headers of this module and shows them as `Raw` named after the
//! link type (`NULL`, `LINUX_SLL`, ...) or the EtherType. Their keys and chain tokens are
//! ours, chosen the way PyPCAPKit names its own protocols (key = lower-case class name,
//! token = the usual acronym):
//!
//! | Header | key | token |
//! |---|---|---|
//! | IEEE 802.2 LLC | `llc` | `LLC` |
//! | SNAP | `snap` | `SNAP` |
//! | 802.1ad S-tag (0x88A8, 0x9100) | `s_tag` | `802.1ad` (as PyPCAPKit's later `S_Tag`) |
//! | BSD loopback (link types NULL, LOOP) | `loopback` | `Loopback` (as PyPCAPKit's later `Loopback`) |
//! | Linux cooked capture v1 / v2 | `sll` / `sll2` | `SLL` / `SLL2` |
//! | PPP | `ppp` | `PPP` |
//! | PPPoE (0x8863, 0x8864) | `pppoe` | `PPPoE` |
//! | MPLS label stack (0x8847, 0x8848) | `mpls` | `MPLS` |
//! | Cisco HDLC (link type C_HDLC) | `chdlc` | `CHDLC` |
//! | GTPv1-U (UDP 2152) | `gtp` | `GTP` |
//! | Linux NFLOG (link type NFLOG) | `nflog` | `NFLOG` |
//! | Radiotap (link type IEEE802_11_RADIOTAP) | `radiotap` | `Radiotap` |
//! | IEEE 802.11 MAC header (link type IEEE802_11, after radiotap) | `wlan` | `802.11` |
//!
//! An 802.11 data frame's body goes to LLC, as tshark decodes it; management, control,
//! protected and fragmented frames keep their body `raw`.
//!
//! Link types without a header of their own (RAW, IPV4, IPV6) hand the frame to the
//! EtherType table ([`by_link_type`]), so they decode as IPv4/IPv6 directly.

mod addr;
mod arp;
mod bytes;
mod chdlc;
mod ethernet;
mod gtp;
mod ieee80211;
mod l2tp;
mod llc;
mod loopback;
mod mpls;
mod nflog;
mod ospf;
mod ppp;
mod pppoe;
mod radiotap;
mod sll;
mod sll2;
mod snap;
mod vlan;
mod vxlan;

pub use addr::HwAddr;
pub use arp::{Arp, Rarp};
pub use chdlc::CHdlc;
pub use ethernet::{ETHERTYPE_MIN, Ethernet, MAX_LENGTH};
pub use gtp::Gtp;
pub use ieee80211::{
    FCS_LEN, FRAGMENT, FrameControl, FrameType, Ieee80211, Ieee80211Fcs, PROTECTED, QosControl,
    TypeSubtype,
};
pub use l2tp::{L2tp, L2tpFlags};
pub use llc::{Llc, Sap};
pub use loopback::{AddressFamily, ByteOrder, Loop, Loopback};
pub use mpls::{LabelEntry, Mpls};
pub use nflog::{Nflog, Tlv as NflogTlv};
pub use ospf::{Ospf, OspfAuth};
pub use ppp::{Ppp, PppProtocol};
pub use pppoe::{Pppoe, PppoeCode};
pub use radiotap::{Channel, DATA_PAD, Radiotap, RadiotapFlags};
pub use sll::{Arphrd, LinuxProtocol, PacketType, Sll, SllProtocol};
pub use sll2::Sll2;
pub use snap::{Oui, Snap, SnapPid};
pub use vlan::{STag, Tci, Vlan};
pub use vxlan::{Geneve, Vxlan};

use pcapkit_core::LinkType;

use crate::ProtoId;
use crate::consts::reg::EtherType;
use crate::protocol::Next;

/// Novell IPX's EtherType (0x8137), also what raw 802.3 (`ff ff` after the length),
/// LLC SAP 0xE0 and PPP protocol 0x002B hand their payload to.
pub(crate) const ETHERTYPE_IPX: EtherType = EtherType(0x8137);
/// Pre-standard QinQ outer tag (0x9100), decoded as an S-tag.
pub(crate) const ETHERTYPE_QINQ_OLD: EtherType = EtherType(0x9100);
/// PPPoE discovery stage.
pub(crate) const ETHERTYPE_PPPOE_DISCOVERY: EtherType = EtherType(0x8863);
/// PPPoE session stage.
pub(crate) const ETHERTYPE_PPPOE_SESSION: EtherType = EtherType(0x8864);

/// How to decode a frame of link type `t` that starts with `data`; `None` keeps it raw
/// (named after the link type).
///
/// Link types without a header of their own become an EtherType: RAW (101, and 12/14
/// as tshark reads them) sniffs the IP version nibble, IPV4 (228) and IPV6 (229) are
/// IPv4/IPv6 directly; the EtherType table then picks the decoder.
pub fn by_link_type(t: LinkType, data: &[u8]) -> Option<Next> {
    let ip = |v| match v {
        4 => Some(Next::EtherType(EtherType::Internet_Protocol_version_4)),
        6 => Some(Next::EtherType(EtherType::Internet_Protocol_version_6)),
        _ => None,
    };
    match t {
        LinkType::ETHERNET => Some(Next::Proto(ProtoId::Ethernet)),
        // A NULL header starting `ff 03` is PPP in HDLC-like framing (tshark's rule).
        LinkType::NULL if data.starts_with(&[0xff, 0x03]) => Some(Next::Proto(ProtoId::Ppp)),
        LinkType::NULL => Some(Next::Proto(ProtoId::Loopback)),
        LinkType::LOOP => Some(Next::Proto(ProtoId::Loop)),
        LinkType::RAW | LinkType(12) | LinkType(14) => ip(data.first().map_or(0, |b| b >> 4)),
        LinkType::IPV4 => ip(4),
        LinkType::IPV6 => ip(6),
        LinkType::LINUX_SLL => Some(Next::Proto(ProtoId::Sll)),
        LinkType::LINUX_SLL2 => Some(Next::Proto(ProtoId::Sll2)),
        LinkType::C_HDLC => Some(Next::Proto(ProtoId::CHdlc)),
        // The PPP link types, unless the frame starts with a Cisco HDLC address (tshark).
        LinkType::PPP | LinkType::PPP_HDLC if CHdlc::starts(data) => {
            Some(Next::Proto(ProtoId::CHdlc))
        }
        LinkType::PPP | LinkType::PPP_HDLC => Some(Next::Proto(ProtoId::Ppp)),
        // PPPoE without its Ethernet header.
        LinkType::PPP_ETHER => Some(Next::Proto(ProtoId::Pppoe)),
        LinkType::NFLOG => Some(Next::Proto(ProtoId::Nflog)),
        LinkType::IEEE802_11 => Some(Next::Proto(ProtoId::Ieee80211)),
        LinkType::IEEE802_11_RADIOTAP => Some(Next::Proto(ProtoId::Radiotap)),
        _ => None,
    }
}

/// The decoder for an EtherType.
pub fn by_ethertype(t: EtherType) -> Option<ProtoId> {
    match t {
        EtherType::Address_Resolution_Protocol => Some(ProtoId::Arp),
        EtherType::Reverse_Address_Resolution_Protocol => Some(ProtoId::Rarp),
        EtherType::Customer_VLAN_Tag_Type => Some(ProtoId::Vlan),
        EtherType::IEEE_Std_802_1Q_Service_VLAN_tag_identifier | ETHERTYPE_QINQ_OLD => {
            Some(ProtoId::STag)
        }
        ETHERTYPE_PPPOE_DISCOVERY | ETHERTYPE_PPPOE_SESSION => Some(ProtoId::Pppoe),
        EtherType::MPLS | EtherType::MPLS_with_upstream_assigned_label => Some(ProtoId::Mpls),
        EtherType::Point_to_Point_Protocol => Some(ProtoId::Ppp),
        EtherType::Internet_Protocol_version_4 => Some(ProtoId::Ipv4),
        EtherType::Internet_Protocol_version_6 => Some(ProtoId::Ipv6),
        ETHERTYPE_IPX => Some(ProtoId::Ipx),
        _ => None,
    }
}

/// Declares a small registry that IANA/PyPCAPKit do not provide (Linux `ARPHRD_*`,
/// LLC SAPs, PPP protocols, ...), printed like the generated ones:
/// `Class::member [value]`, `Class::Unknown [value]` for values without a name.
macro_rules! local_registry {
    (
        $(#[$doc:meta])*
        $name:ident($repr:ty) as $class:literal {
            $( $member:ident = $value:literal ),* $(,)?
        }
    ) => {
        $(#[$doc])*
        #[derive(Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord, Default)]
        pub struct $name(pub $repr);

        #[allow(non_upper_case_globals, missing_docs)]
        impl $name {
            $( pub const $member: Self = Self($value); )*

            /// The member name of this value; `None` when it has none.
            #[must_use]
            pub const fn name(self) -> Option<&'static str> {
                match self.0 {
                    $( $value => Some(stringify!($member)), )*
                    _ => None,
                }
            }
        }

        impl $crate::consts::RegistryEnum for $name {
            const CLASS: &'static str = $class;

            fn write_member(&self, f: &mut dyn ::core::fmt::Write) -> ::core::fmt::Result {
                f.write_str(self.name().unwrap_or("Unknown"))
            }

            fn write_value(&self, f: &mut dyn ::core::fmt::Write) -> ::core::fmt::Result {
                write!(f, "{}", self.0)
            }
        }

        impl ::core::fmt::Display for $name {
            fn fmt(&self, f: &mut ::core::fmt::Formatter<'_>) -> ::core::fmt::Result {
                $crate::consts::support::write_text(self, f)
            }
        }

        impl ::core::fmt::Debug for $name {
            fn fmt(&self, f: &mut ::core::fmt::Formatter<'_>) -> ::core::fmt::Result {
                $crate::consts::support::write_text(self, f)
            }
        }

        impl ::serde::Serialize for $name {
            fn serialize<S: ::serde::Serializer>(&self, s: S) -> ::core::result::Result<S::Ok, S::Error> {
                s.collect_str(self)
            }
        }

        impl From<$repr> for $name {
            fn from(v: $repr) -> Self {
                Self(v)
            }
        }
    };
}
pub(crate) use local_registry;

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn raw_link_types_sniff_the_ip_version() {
        let v4 = Some(Next::EtherType(EtherType::Internet_Protocol_version_4));
        let v6 = Some(Next::EtherType(EtherType::Internet_Protocol_version_6));
        assert_eq!(by_link_type(LinkType::RAW, &[0x45, 0]), v4);
        assert_eq!(by_link_type(LinkType::RAW, &[0x60, 0]), v6);
        assert_eq!(by_link_type(LinkType::RAW, &[0x10]), None);
        assert_eq!(by_link_type(LinkType::RAW, &[]), None);
        assert_eq!(by_link_type(LinkType::IPV4, &[0x60]), v4);
        assert_eq!(by_link_type(LinkType::IPV6, &[]), v6);
        assert_eq!(by_link_type(LinkType(147), &[0x45]), None);
        assert_eq!(
            by_link_type(LinkType::NULL, &[0xff, 0x03, 0, 0x21]),
            Some(Next::Proto(ProtoId::Ppp))
        );
        assert_eq!(
            by_link_type(LinkType::NULL, &[2, 0, 0, 0]),
            Some(Next::Proto(ProtoId::Loopback))
        );
        assert_eq!(
            by_link_type(LinkType::IEEE802_11, &[]),
            Some(Next::Proto(ProtoId::Ieee80211))
        );
        assert_eq!(
            by_link_type(LinkType::IEEE802_11_RADIOTAP, &[]),
            Some(Next::Proto(ProtoId::Radiotap))
        );
    }

    fn chain(link: LinkType, frame: &[u8]) -> String {
        crate::dissect(link, frame, &crate::DissectOptions::default())
            .protocols()
            .to_string()
    }

    fn chain_next(next: Next, data: &[u8]) -> String {
        crate::dissect_next(
            next,
            LinkType::ETHERNET,
            data,
            &crate::DissectOptions::default(),
        )
        .protocols()
        .to_string()
    }

    #[test]
    fn chains_through_the_link_family() {
        let macs = [0xffu8; 12];
        // 802.3 + LLC + SNAP + CDP, 2 bytes of padding after the 802.3 length.
        let mut f = macs.to_vec();
        f.extend_from_slice(&[
            0x00, 0x09, 0xaa, 0xaa, 0x03, 0x00, 0x00, 0x0c, 0x20, 0x00, 0x02,
        ]);
        f.extend_from_slice(&[0, 0]);
        assert_eq!(chain(LinkType::ETHERNET, &f), "Ethernet:LLC:SNAP:CDP");
        let p = crate::dissect(LinkType::ETHERNET, &f, &crate::DissectOptions::default());
        let json = serde_json::to_value(p.layers_view(crate::SerOptions::default())).unwrap();
        assert_eq!(json["ethernet"]["llc"]["snap"]["raw"]["protocol"], "CDP");
        assert_eq!(json["ethernet"]["len"], 9);
        assert_eq!(p.payload(&p.layers()[3]), &[0x02]);

        // PPPoE session carrying LCP.
        let mut f = macs.to_vec();
        f.extend_from_slice(&[
            0x88, 0x64, 0x11, 0x00, 0x00, 0x01, 0x00, 0x03, 0xc0, 0x21, 0x01,
        ]);
        assert_eq!(chain(LinkType::ETHERNET, &f), "Ethernet:PPPoE:PPP:LCP");

        // SLL carrying ARP; SLL2 carrying 802.2 LLC.
        let mut f = vec![0, 0, 0, 1, 0, 6, 1, 2, 3, 4, 5, 6, 0, 0, 0x08, 0x06];
        f.extend_from_slice(&[0, 1, 8, 0, 6, 4, 0, 1]);
        f.extend_from_slice(&[0; 20]);
        assert_eq!(chain(LinkType::LINUX_SLL, &f), "SLL:ARP");
        let mut f = vec![0, 4, 0, 0, 0, 0, 0, 1, 0, 1, 4, 6, 1, 2, 3, 4, 5, 6, 0, 0];
        f.extend_from_slice(&[0x42, 0x42, 0x03, 0, 0]);
        assert_eq!(chain(LinkType::LINUX_SLL2, &f), "SLL2:LLC:STP");

        // NULL in both byte orders with an unknown family; LOOP; PPP on NULL.
        assert_eq!(chain(LinkType::NULL, &[7, 0, 0, 0, 1]), "Loopback:Raw");
        assert_eq!(chain(LinkType::NULL, &[0, 0, 0, 7, 1]), "Loopback:Raw");
        assert_eq!(chain(LinkType::LOOP, &[0, 0, 0, 7, 1]), "Loopback:Raw");
        assert_eq!(
            chain(LinkType::NULL, &[0xff, 0x03, 0xc0, 0x21, 1]),
            "PPP:LCP"
        );

        // L2TP from UDP port 1701, control and data; OSPF from IP protocol 89.
        let ports = Next::Ports {
            transport: crate::Transport::Udp,
            src: 1701,
            dst: 40000,
        };
        assert_eq!(
            chain_next(ports, &[0xc8, 0x02, 0, 14, 0, 1, 0, 0, 0, 0, 0, 0, 0x80, 0]),
            "L2TP:Raw"
        );
        assert_eq!(
            chain_next(ports, &[0x00, 0x02, 0, 1, 0, 2, 0xff, 0x03, 0x80, 0x21, 1]),
            "L2TP:PPP:IPCP"
        );
        let mut ospf = vec![2, 1, 0, 28, 1, 1, 1, 1, 0, 0, 0, 0, 0, 0, 0, 0];
        ospf.extend_from_slice(&[0; 8]);
        ospf.extend_from_slice(&[9, 9, 9, 9]);
        assert_eq!(
            chain_next(Next::IpProto(crate::consts::reg::TransType(89)), &ospf),
            "OSPFv2:Raw"
        );
    }

    #[test]
    fn protocol_stop_condition_names() {
        let mut f = vec![0xffu8; 12];
        f.extend_from_slice(&[0x81, 0x00, 0x00, 0x05, 0x08, 0x06]);
        f.extend_from_slice(&[0, 1, 8, 0, 6, 4, 0, 8]);
        f.extend_from_slice(&[0; 20]);
        let mut opts = crate::DissectOptions::default();
        assert_eq!(chain(LinkType::ETHERNET, &f), "Ethernet:802.1Q:InARP");
        opts.stop.protocol = Some("vlan".into());
        let p = crate::dissect(LinkType::ETHERNET, &f, &opts);
        assert_eq!(p.protocols().to_string(), "Ethernet:802.1Q:Raw");
        opts.stop.protocol = Some("InARP".into());
        let p = crate::dissect(LinkType::ETHERNET, &f, &opts);
        assert_eq!(p.protocols().to_string(), "Ethernet:802.1Q:InARP");
        assert!(p.protocols().contains("ARP"));
    }

    #[test]
    fn ethertype_table() {
        assert_eq!(by_ethertype(EtherType(0x0806)), Some(ProtoId::Arp));
        assert_eq!(by_ethertype(EtherType(0x8035)), Some(ProtoId::Rarp));
        assert_eq!(by_ethertype(EtherType(0x8100)), Some(ProtoId::Vlan));
        assert_eq!(by_ethertype(EtherType(0x88a8)), Some(ProtoId::STag));
        assert_eq!(by_ethertype(EtherType(0x9100)), Some(ProtoId::STag));
        assert_eq!(by_ethertype(EtherType(0x8864)), Some(ProtoId::Pppoe));
        assert_eq!(by_ethertype(EtherType(0x1234)), None);
    }
}
