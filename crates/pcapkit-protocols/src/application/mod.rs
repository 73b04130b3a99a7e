//! Application layer: FTP, HTTP/1.x, HTTP/2, and content sniffing (`analyse`).

use crate::ProtoId;

/// Guesses the application protocol of a payload from its content (PyPCAPKit's
/// `analyse` order: FTP, HTTP/1.x, HTTP/2).
pub fn sniff(data: &[u8]) -> Option<ProtoId> {
    let _ = data;
    None
}
