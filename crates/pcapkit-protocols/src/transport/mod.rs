//! Transport layer: TCP, UDP, and the application decoder a port selects.

mod checksum;
mod sctp;
pub mod tcp;
mod udp;

pub use checksum::{internet_checksum, verify_transport_checksum};
pub use sctp::{Sctp, crc32c};
pub use tcp::{Tcp, TcpQuote};
pub use udp::Udp;

use crate::ProtoId;
use crate::protocol::Transport;

/// The decoder registered for `port` on `transport`: PyPCAPKit's table (TCP 21 FTP,
/// TCP 80 and UDP 80 HTTP), L2TP on UDP 1701, and Teredo (IPv6 in UDP, RFC 4380) on
/// UDP 3544 as Wireshark decodes it, VXLAN on UDP 4789, Geneve on UDP 6081 and GTP-U on
/// UDP 2152 (their IANA ports); DNS (53, TCP length-prefixed), mDNS (UDP 5353), LLMNR (5355), DHCP
/// (UDP 67/68), NTP (UDP 123), SNMP (UDP 161/162), DHCPv6 (UDP 546/547), QUIC (UDP 443) and SIP (5060).
pub fn by_port(transport: Transport, port: u16) -> Option<ProtoId> {
    match (transport, port) {
        (Transport::Tcp, 21) => Some(ProtoId::Ftp),
        (Transport::Tcp | Transport::Udp, 80) => Some(ProtoId::Http),
        (Transport::Udp, 1701) => Some(ProtoId::L2tp),
        (Transport::Udp, 3544) => Some(ProtoId::Ipv6),
        (Transport::Udp, 4789) => Some(ProtoId::Vxlan),
        (Transport::Udp, 6081) => Some(ProtoId::Geneve),
        (Transport::Udp, 2152) => Some(ProtoId::Gtp),
        (Transport::Udp, 53 | 5353 | 5355) => Some(ProtoId::Dns),
        (Transport::Tcp, 53 | 5355) => Some(ProtoId::DnsTcp),
        (Transport::Udp, 67 | 68) => Some(ProtoId::Dhcp),
        (Transport::Udp, 123) => Some(ProtoId::Ntp),
        (Transport::Udp, 161 | 162) => Some(ProtoId::Snmp),
        (Transport::Udp, 546 | 547) => Some(ProtoId::Dhcpv6),
        (Transport::Udp, 443) => Some(ProtoId::Quic),
        (Transport::Tcp | Transport::Udp, 5060) => Some(ProtoId::Sip),
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
        assert_eq!(by_port(Transport::Udp, 53), Some(ProtoId::Dns));
        assert_eq!(by_port(Transport::Tcp, 53), Some(ProtoId::DnsTcp));
        assert_eq!(by_port(Transport::Udp, 5353), Some(ProtoId::Dns));
        assert_eq!(by_port(Transport::Tcp, 5353), None);
        assert_eq!(by_port(Transport::Udp, 5355), Some(ProtoId::Dns));
        assert_eq!(by_port(Transport::Tcp, 5355), Some(ProtoId::DnsTcp));
        assert_eq!(by_port(Transport::Udp, 67), Some(ProtoId::Dhcp));
        assert_eq!(by_port(Transport::Udp, 68), Some(ProtoId::Dhcp));
        assert_eq!(by_port(Transport::Tcp, 67), None);
        assert_eq!(by_port(Transport::Udp, 123), Some(ProtoId::Ntp));
        assert_eq!(by_port(Transport::Udp, 161), Some(ProtoId::Snmp));
        assert_eq!(by_port(Transport::Udp, 162), Some(ProtoId::Snmp));
        assert_eq!(by_port(Transport::Tcp, 161), None);
        assert_eq!(by_port(Transport::Udp, 546), Some(ProtoId::Dhcpv6));
        assert_eq!(by_port(Transport::Udp, 547), Some(ProtoId::Dhcpv6));
        assert_eq!(by_port(Transport::Udp, 443), Some(ProtoId::Quic));
        assert_eq!(by_port(Transport::Udp, 5060), Some(ProtoId::Sip));
        assert_eq!(by_port(Transport::Tcp, 5060), Some(ProtoId::Sip));
        assert_eq!(by_port(Transport::Udp, 4789), Some(ProtoId::Vxlan));
        assert_eq!(by_port(Transport::Udp, 6081), Some(ProtoId::Geneve));
    }
}
