//! Internet layer: IPv4, IPv6 and its extension headers, AH, Mobility Header, HIP, IPX,
//! and the protocols an IP protocol number selects.

mod ah;
mod common;
pub mod hip;
pub mod ipv4;
pub mod ipv6;
mod ipx;
pub mod mh;

pub use ah::Ah;
pub use common::{BeList, Ipv4List, Ipv6List, Ipv6Prefix};
pub use hip::Hip;
pub use ipv4::Ipv4;
pub use ipv6::{ExtHeader, Hopopt, Ipv6, Ipv6Frag, Ipv6Opts, Ipv6Route};
pub use ipx::{Ipx, IpxAddr};
pub use mh::Mh;

use crate::ProtoId;
use crate::consts::reg::TransType;

/// The decoder for an IP protocol number / IPv6 next header.
///
/// The IPv6 extension headers are listed for when they follow something other than IPv6
/// (IPv4, AH); inside IPv6 they are walked by the IPv6 layer itself.
pub fn by_ip_proto(p: TransType) -> Option<ProtoId> {
    match p {
        TransType::HOPOPT => Some(ProtoId::Hopopt),
        TransType::IPv4 => Some(ProtoId::Ipv4),
        // TODO(lead, at merge with `trans`): TransType::TCP => Some(ProtoId::Tcp),
        // TODO(lead, at merge with `trans`): TransType::UDP => Some(ProtoId::Udp),
        TransType::IPv6 => Some(ProtoId::Ipv6),
        TransType::IPv6_Route => Some(ProtoId::Ipv6Route),
        TransType::IPv6_Frag => Some(ProtoId::Ipv6Frag),
        TransType::AH => Some(ProtoId::Ah),
        TransType::IPv6_Opts => Some(ProtoId::Ipv6Opts),
        TransType::IPX_in_IP => Some(ProtoId::Ipx),
        TransType::Mobility_Header => Some(ProtoId::Mh),
        TransType::HIP => Some(ProtoId::Hip),
        _ => None,
    }
}
