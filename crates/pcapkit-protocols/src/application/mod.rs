//! Application layer: FTP, HTTP/1.x, HTTP/2, and content sniffing (`analyse`).
//!
//! Sniffing policy (what decodes a payload when no registered port claims it), chosen
//! so that we decode where Wireshark does and nowhere else:
//! - on TCP/UDP payloads ([`sniff_payload`]): an HTTP/1.x start line (registered
//!   method, target, `HTTP/1.x`, line end; or `HTTP/1.x ddd`) on any port, and HTTP/2
//!   only with its connection preface. FTP is decoded on port 21 only (SMTP and others
//!   share its reply syntax and commands);
//! - [`analyse`] / `Next::Sniff` ([`sniff`]): PyPCAPKit's order FTP, HTTP/1.x, HTTP/2,
//!   each a strict check (FTP: registered command or `1xx`–`5xx` reply with CRLF;
//!   HTTP/2: preface or a well-formed frame sequence).
//!
//! A registered port's decoder is used only when the payload can start one of its
//! messages ([`claims`]); otherwise the payload stays `raw` without an error (an HTTP
//! body continuation on port 80, TLS on port 21).

pub mod ftp;
pub mod http;
mod text;

pub use ftp::{Ftp, FtpMessage};
pub use http::{Frame2, Http, Http1, Http2, Payload, Receipt};
pub use text::Text;

use pcapkit_core::LinkType;

use crate::ProtoId;
use crate::dissect::{DissectOptions, dissect_next};
use crate::packet::Packet;
use crate::protocol::Next;

/// Guesses the application protocol of a payload from its content (PyPCAPKit's
/// `analyse` order: FTP, HTTP/1.x, HTTP/2).
pub fn sniff(data: &[u8]) -> Option<ProtoId> {
    if ftp::sniff(data) {
        Some(ProtoId::Ftp)
    } else if http::v1::recognize(data) || http::v2::recognize(data) {
        Some(ProtoId::Http)
    } else {
        None
    }
}

/// Content sniffing for a TCP/UDP payload whose ports name no decoder: HTTP/1.x start
/// lines and the HTTP/2 preface (see the module documentation).
pub fn sniff_payload(data: &[u8]) -> Option<ProtoId> {
    (http::v1::recognize(data) || data.starts_with(http::v2::PREFACE)).then_some(ProtoId::Http)
}

/// Whether the decoder `id`, selected by port, should decode `data` (it can start one
/// of its messages). Decoders of other families always claim.
pub fn claims(id: ProtoId, data: &[u8]) -> bool {
    match id {
        ProtoId::Ftp => ftp::claims(data),
        ProtoId::Http => http::claims(data),
        _ => true,
    }
}

/// Decodes an application payload of unknown kind: FTP, HTTP/1.x, HTTP/2 (the first
/// that recognizes it), else a `raw` layer. The packet's link type is `NULL` (unused).
///
/// ```
/// use pcapkit_protocols::{analyse, application::Http1};
///
/// let p = analyse(b"GET / HTTP/1.1\r\nHost: a\r\n\r\n");
/// assert_eq!(p.protocols().to_string(), "HTTP/1.1");
/// let h = p.get::<Http1>().unwrap();
/// assert_eq!(h.header("host").map(|v| v.to_string()).as_deref(), Some("a"));
/// ```
pub fn analyse(data: &[u8]) -> Packet<'_> {
    dissect_next(
        Next::Sniff,
        LinkType::NULL,
        data,
        &DissectOptions::default(),
    )
}
