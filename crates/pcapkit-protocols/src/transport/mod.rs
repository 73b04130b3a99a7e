//! Transport layer: TCP, UDP, and the application decoder a port selects.

mod checksum;
mod sctp;
pub mod tcp;
mod udp;

pub use checksum::{internet_checksum, verify_transport_checksum};
pub use sctp::{Sctp, crc32c};
pub use tcp::Tcp;
pub use udp::Udp;

use crate::ProtoId;
use crate::protocol::Transport;

/// The decoder registered for `port` on `transport`: PyPCAPKit's table (TCP 21 FTP,
/// TCP 80 and UDP 80 HTTP), L2TP on UDP 1701, and Teredo (IPv6 in UDP, RFC 4380) on
/// UDP 3544 as Wireshark decodes it, VXLAN on UDP 4789 and Geneve on UDP 6081 (their
/// IANA ports).
pub fn by_port(transport: Transport, port: u16) -> Option<ProtoId> {
    match (transport, port) {
        (Transport::Tcp, 21) => Some(ProtoId::Ftp),
        (Transport::Tcp | Transport::Udp, 80) => Some(ProtoId::Http),
        (Transport::Udp, 1701) => Some(ProtoId::L2tp),
        (Transport::Udp, 3544) => Some(ProtoId::Ipv6),
        (Transport::Udp, 4789) => Some(ProtoId::Vxlan),
        (Transport::Udp, 6081) => Some(ProtoId::Geneve),
        (Transport::Udp, 53 | 5353 | 5355) => Some(ProtoId::Dns),
        (Transport::Tcp, 53 | 5355) => Some(ProtoId::DnsTcp),
        (Transport::Udp, 67 | 68) => Some(ProtoId::Dhcp),
        (Transport::Udp, 123) => Some(ProtoId::Ntp),
        _ => None,
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn port_table() {
        assert_eq!(by_port(Transport::Tcp, 21), Some(ProtoId::Ftp));
        assert_eq!(by_port(Transport::Udp, 21), None);
        assert_eq!(by_port(Transport::Tcp, 80), Some(ProtoId::Http));
        assert_eq!(by_port(Transport::Udp, 80), Some(ProtoId::Http));
        assert_eq!(by_port(Transport::Tcp, 443), None);
        assert_eq!(by_port(Transport::Udp, 1701), Some(ProtoId::L2tp));
        assert_eq!(by_port(Transport::Udp, 3544), Some(ProtoId::Ipv6));
        assert_eq!(by_port(Transport::Tcp, 3544), None);
        assert_eq!(by_port(Transport::Udp, 4789), Some(ProtoId::Vxlan));
        assert_eq!(by_port(Transport::Udp, 6081), Some(ProtoId::Geneve));
    }
}
