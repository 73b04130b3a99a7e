//! Transport layer: TCP, UDP, and the application decoder a port selects.

use crate::ProtoId;
use crate::protocol::Transport;

/// The application decoder registered for `port` on `transport`.
pub fn by_port(transport: Transport, port: u16) -> Option<ProtoId> {
    match (transport, port) {
        (Transport::Udp, 1701) => Some(ProtoId::L2tp),
        _ => None,
    }
}
