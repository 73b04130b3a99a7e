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
    match t.0 {
        0x0800 => Some(ProtoId::Ipv4),
        0x86dd => Some(ProtoId::Ipv6),
        0x8137 => Some(ProtoId::Ipx),
        _ => None,
    }
}
