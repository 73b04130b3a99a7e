//! Internet layer: IPv4, IPv6 and its extension headers, IPX, and the protocols an IP
//! protocol number selects.

use crate::ProtoId;
use crate::consts::reg::TransType;

/// The decoder for an IP protocol number / IPv6 next header.
pub fn by_ip_proto(p: TransType) -> Option<ProtoId> {
    match p {
        TransType::OSPFIGP => Some(ProtoId::Ospf),
        TransType::TCP => Some(ProtoId::Tcp),
        TransType::UDP => Some(ProtoId::Udp),
        _ => None,
    }
}
