//! Link layer: the protocols a link type or an EtherType selects.

mod ethernet;

pub use ethernet::{ETHERTYPE_MIN, Ethernet};

use pcapkit_core::LinkType;

use crate::ProtoId;
use crate::consts::reg::EtherType;

/// The decoder for frames of link type `t`.
pub fn by_link_type(t: LinkType) -> Option<ProtoId> {
    match t {
        LinkType::ETHERNET => Some(ProtoId::Ethernet),
        _ => None,
    }
}

/// The decoder for an EtherType.
pub fn by_ethertype(t: EtherType) -> Option<ProtoId> {
    match t {
        EtherType::Internet_Protocol_version_4 => Some(ProtoId::Ipv4),
        EtherType::Internet_Protocol_version_6 => Some(ProtoId::Ipv6),
        EtherType(0x8137) => Some(ProtoId::Ipx),
        _ => None,
    }
}
