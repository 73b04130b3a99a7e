//! Application layer: FTP, HTTP/1.x, HTTP/2, and content sniffing (`analyse`).
//!
//! Sniffing policy (what decodes a payload when no registered port claims it), chosen
//! so that we decode where Wireshark does and nowhere else:
//! - on TCP/UDP payloads ([`sniff_payload`]): an HTTP/1.x start line (registered or
//!   Wireshark-known method, target, `HTTP/1.x`, line end; or `HTTP/1.x ddd`) on any
//!   port, as Wireshark's HTTP heuristics do (SSDP on UDP 1900, proxies on 8080, ...).
//!   On TCP, a TLS record header (content type 20–24, version `0x03xx`, length up to
//!   2^14 + 2048) on any port, as Wireshark decodes TLS on its many registered ports
//!   (443, 853, 993, ...) and after STARTTLS-like upgrades (MySQL, FTP `AUTH TLS`).
//!   On UDP, a QUIC long header of a known version (Wireshark's QUIC heuristic).
//!   HTTP/2 is not sniffed, not even with its preface (Wireshark decodes it on port 80
//!   or after an h2c upgrade only), and FTP is decoded on port 21 only (SMTP and others
//!   share its reply syntax and commands);
//! - [`analyse`] / `Next::Sniff` ([`sniff`]): PyPCAPKit's order FTP, HTTP/1.x, HTTP/2,
//!   each a strict check (FTP: registered command or `1xx`–`5xx` reply with CRLF;
//!   HTTP/2: preface or a well-formed frame sequence).
//!
//! A registered port's decoder is used only when the payload can start one of its
//! messages ([`claims`]); otherwise the payload stays `raw` without an error (an HTTP
//! body continuation on port 80, TLS on port 21).

pub mod dhcp;
pub mod dhcpv6;
pub mod dns;
pub mod ftp;
pub mod http;
pub mod ntp;
pub mod quic;
pub mod sip;
pub mod snmp;
mod text;
pub mod tls;

pub use dhcp::Dhcp;
pub use dhcpv6::Dhcpv6;
pub use dns::{Dns, DnsTcp};
pub use ftp::{Ftp, FtpMessage};
pub use http::{Frame2, Http, Http1, Http2, Payload, Receipt};
pub use ntp::Ntp;
pub use quic::Quic;
pub use sip::Sip;
pub use snmp::Snmp;
pub use text::Text;
pub use tls::Tls;

use pcapkit_core::LinkType;

use crate::ProtoId;
use crate::dissect::{DissectOptions, dissect_next};
use crate::packet::Packet;
use crate::protocol::{Next, Transport};

/// Guesses the application protocol of a payload from its content (PyPCAPKit's
/// `analyse` order: FTP, HTTP/1.x, HTTP/2).
pub fn sniff(data: &[u8]) -> Option<ProtoId> {
    if ftp::sniff(data) {
        Some(ProtoId::Ftp)
    } else if http::v1::recognize(data) || http::v2::recognize(data) {
        Some(ProtoId::Http)
    } else if tls::recognize(data) {
        Some(ProtoId::Tls)
    } else {
        None
    }
}

/// Content sniffing for a TCP/UDP payload whose ports name no decoder: HTTP/1.x start
/// lines, on TCP a TLS record header, on UDP a QUIC long header (see the module
/// documentation).
pub fn sniff_payload(transport: Transport, data: &[u8]) -> Option<ProtoId> {
    if http::v1::recognize(data) {
        Some(ProtoId::Http)
    } else if transport == Transport::Tcp && tls::recognize(data) {
        Some(ProtoId::Tls)
    } else if transport == Transport::Udp && quic::recognize(data) {
        Some(ProtoId::Quic)
    } else {
        None
    }
}

/// Whether the decoder `id`, selected by port, should decode `data` (it can start one
/// of its messages). IPv6 (Teredo, UDP 3544) needs version 6 in the first nibble; other
/// decoders always claim.
pub fn claims(id: ProtoId, data: &[u8]) -> bool {
    match id {
        ProtoId::Ftp => ftp::claims(data),
        ProtoId::Http => http::claims(data),
        // Teredo: a bare IPv6 packet (origin indication and authentication headers, and
        // bubbles without a payload, are left raw).
        ProtoId::Ipv6 => data.first().is_some_and(|b| b >> 4 == 6),
        // VXLAN: the I flag (valid VNI) set; Geneve: version 0.
        ProtoId::Vxlan => data.len() >= 8 && data.first().is_some_and(|b| b & 0x08 != 0),
        ProtoId::Geneve => data.len() >= 8 && data.first().is_some_and(|b| b >> 6 == 0),
        // GTP-U: version 1, protocol type GTP (not GTP').
        ProtoId::Gtp => crate::link::Gtp::claims(data),
        ProtoId::Dns => dns::claims(data),
        ProtoId::DnsTcp => dns::claims_tcp(data),
        ProtoId::Dhcp => dhcp::claims(data),
        ProtoId::Ntp => ntp::claims(data),
        ProtoId::Dhcpv6 => dhcpv6::claims(data),
        ProtoId::Quic => quic::recognize(data),
        ProtoId::Sip => sip::recognize(data),
        ProtoId::Snmp => snmp::claims(data),
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

#[cfg(test)]
mod tests {
    use serde_json::json;

    use super::*;
    use crate::consts::reg::TransType;
    use crate::protocol::Transport;
    use crate::registry::Protocol;
    use crate::{SerOptions, Stop};

    /// A TCP segment `sport` -> `dport` (ACK|PSH, no options) carrying `payload`.
    fn tcp(sport: u16, dport: u16, payload: &[u8]) -> Vec<u8> {
        let mut s = Vec::new();
        s.extend_from_slice(&sport.to_be_bytes());
        s.extend_from_slice(&dport.to_be_bytes());
        s.extend_from_slice(&[0, 0, 0, 1, 0, 0, 0, 1, 0x50, 0x18, 0xff, 0xff, 0, 0, 0, 0]);
        s.extend_from_slice(payload);
        s
    }

    fn udp(sport: u16, dport: u16, payload: &[u8]) -> Vec<u8> {
        let mut s = Vec::new();
        s.extend_from_slice(&sport.to_be_bytes());
        s.extend_from_slice(&dport.to_be_bytes());
        s.extend_from_slice(&(payload.len() as u16 + 8).to_be_bytes());
        s.extend_from_slice(&[0, 0]);
        s.extend_from_slice(payload);
        s
    }

    fn chain(next: Next, data: &[u8]) -> String {
        dissect_next(next, LinkType::NULL, data, &DissectOptions::default())
            .protocols()
            .to_string()
    }

    fn over_tcp(sport: u16, dport: u16, payload: &[u8]) -> String {
        chain(Next::IpProto(TransType::TCP), &tcp(sport, dport, payload))
    }

    #[test]
    fn ports_select_and_claim() {
        let get = b"GET / HTTP/1.1\r\nHost: a\r\n\r\n";
        assert_eq!(over_tcp(40000, 80, get), "TCP:HTTP/1.1");
        assert_eq!(
            over_tcp(80, 40000, b"HTTP/1.0 200 OK\r\n\r\nbody"),
            "TCP:HTTP/1.0"
        );
        assert_eq!(over_tcp(40000, 21, b"USER anonymous\r\n"), "TCP:FTP");
        assert_eq!(over_tcp(21, 40000, b"220 ready\r\n"), "TCP:FTP");
        // The lower registered port wins: FTP on 21 even when the other side is 80.
        assert_eq!(over_tcp(80, 21, b"USER x\r\n"), "TCP:FTP");
        assert_eq!(
            chain(Next::IpProto(TransType::UDP), &udp(40000, 80, get)),
            "UDP:HTTP/1.1"
        );
        assert_eq!(over_tcp(40000, 80, &[]), "TCP");
    }

    #[test]
    fn unclaimed_payloads_stay_raw_without_error() {
        for (sport, dport, payload) in [
            (80u16, 40000u16, &b"<html>rest of a body</html>"[..]),
            (21, 40000, b"\x00\x01\x02binary"),
            // Not a TLS record header: version 0x0205.
            (21, 40000, b"\x16\x02\x05\x00\x05hello"),
        ] {
            let p = dissect_next(
                Next::IpProto(TransType::TCP),
                LinkType::NULL,
                Box::leak(tcp(sport, dport, payload).into_boxed_slice()),
                &DissectOptions::default(),
            );
            assert_eq!(p.protocols().to_string(), "TCP:Raw");
            assert!(p.error().is_none());
            let Protocol::Raw(raw) = &p.layers()[1].header else {
                panic!()
            };
            assert_eq!(raw.error, None);
        }
    }

    #[test]
    fn tls_is_sniffed_on_tcp_only() {
        let record = b"\x16\x03\x01\x00\x05hello";
        // After FTP's AUTH TLS, and on any other TCP port.
        assert_eq!(over_tcp(21, 40000, record), "TCP:TLS");
        assert_eq!(over_tcp(40304, 3306, record), "TCP:TLS");
        assert_eq!(over_tcp(443, 50981, record), "TCP:TLS");
        assert_eq!(
            chain(Next::IpProto(TransType::UDP), &udp(443, 50981, record)),
            "UDP:Raw"
        );
        assert_eq!(analyse(record).protocols().to_string(), "TLS");
        assert_eq!(sniff_payload(Transport::Udp, record), None);
        assert_eq!(sniff_payload(Transport::Tcp, record), Some(ProtoId::Tls));
        // A record continuing from an earlier segment is left raw.
        assert_eq!(over_tcp(443, 50981, b"\x8a\x11encrypted..."), "TCP:Raw");
    }

    #[test]
    fn sniffing_policy() {
        // HTTP/1.x on any port (proxies, SSDP).
        assert_eq!(
            over_tcp(40000, 8080, b"GET http://a/ HTTP/1.1\r\n\r\n"),
            "TCP:HTTP/1.1"
        );
        let notify = b"NOTIFY * HTTP/1.1\r\nHOST: 239.255.255.250:1900\r\n\r\n";
        let p = dissect_next(
            Next::IpProto(TransType::UDP),
            LinkType::NULL,
            Box::leak(udp(1900, 1900, notify).into_boxed_slice()),
            &DissectOptions::default(),
        );
        assert_eq!(p.protocols().to_string(), "UDP:HTTP/1.1");
        let json = serde_json::to_value(p.layers_view(SerOptions::default())).unwrap();
        assert_eq!(
            json["udp"]["http"]["receipt"]["method"],
            json!({"enum": "Method::NOTIFY [NOTIFY]", "safe": false, "idempotent": false})
        );
        // HTTP/2 and FTP are not sniffed on other ports; `analyse` finds them.
        let preface = [&http::v2::PREFACE[..], &[0, 0, 0, 4, 0, 0, 0, 0, 0]].concat();
        assert_eq!(over_tcp(54321, 8443, &preface), "TCP:Raw");
        assert_eq!(analyse(&preface).protocols().to_string(), "HTTP/2");
        assert_eq!(over_tcp(40000, 2121, b"USER x\r\n"), "TCP:Raw");
        assert_eq!(analyse(b"USER x\r\n").protocols().to_string(), "FTP");
        assert_eq!(analyse(b"\x00\x01binary").protocols().to_string(), "Raw");
        assert_eq!(analyse(b"").protocols().to_string(), "");
        // HTTP/2 on port 80 without a preface (prior knowledge, h2c).
        let frames = [0u8, 0, 0, 4, 1, 0, 0, 0, 0];
        assert_eq!(over_tcp(80, 49570, &frames), "TCP:HTTP/2");
    }

    #[test]
    fn h2c_upgrade_response_carries_http2_frames() {
        let mut seg = b"HTTP/1.1 101 Switching Protocols\r\nUpgrade: h2c\r\n\r\n".to_vec();
        seg.extend_from_slice(&[0, 0, 6, 4, 0, 0, 0, 0, 0, 0, 3, 0, 0, 0, 100]);
        let p = dissect_next(
            Next::IpProto(TransType::TCP),
            LinkType::NULL,
            Box::leak(tcp(80, 58038, &seg).into_boxed_slice()),
            &DissectOptions::default(),
        );
        assert_eq!(p.protocols().to_string(), "TCP:HTTP/1.1:HTTP/2");
        let json = serde_json::to_value(p.layers_view(SerOptions::default())).unwrap();
        assert_eq!(
            json["tcp"]["http"]["http"]["frames"][0]["type"],
            "Frame::SETTINGS [4]"
        );
    }

    #[test]
    fn application_layers_have_no_child() {
        let data = tcp(
            40000,
            80,
            b"POST / HTTP/1.1\r\nContent-Length: 3\r\n\r\nabc",
        );
        let p = dissect_next(
            Next::IpProto(TransType::TCP),
            LinkType::NULL,
            &data,
            &DissectOptions::default(),
        );
        assert_eq!(p.layers().len(), 2);
        let json = serde_json::to_value(p.layers_view(SerOptions::default())).unwrap();
        let http = &json["tcp"]["http"];
        assert_eq!(http["body"], json!(b"abc".to_vec()));
        assert_eq!(http["packet"], json!(b"abc".to_vec()));
        assert_eq!(http.as_object().unwrap().len(), 4);
        let text = serde_json::to_string(&p.layers_view(SerOptions::default())).unwrap();
        let http_text = &text[text.find("\"http\"").unwrap()..];
        let pos = |k: &str| http_text.find(&format!("\"{k}\"")).unwrap();
        assert!(pos("receipt") < pos("header") && pos("header") < pos("body"));
        assert!(pos("body") < pos("packet"));
        // FTP: the whole payload is the header.
        let data = tcp(40000, 21, b"QUIT\r\n");
        let p = dissect_next(
            Next::IpProto(TransType::TCP),
            LinkType::NULL,
            &data,
            &DissectOptions::default(),
        );
        let json = serde_json::to_value(p.layers_view(SerOptions::default())).unwrap();
        assert_eq!(json["tcp"]["ftp"]["packet"], json!([]));
        assert_eq!(json["tcp"]["ftp"]["args"], json!(null));
    }

    #[test]
    fn stop_conditions() {
        let data = tcp(40000, 80, b"GET / HTTP/1.1\r\n\r\n");
        let mut opts = DissectOptions {
            stop: Stop {
                layer: Some(crate::Level::Transport),
                protocol: None,
            },
            ..DissectOptions::default()
        };
        let p = dissect_next(Next::IpProto(TransType::TCP), LinkType::NULL, &data, &opts);
        assert_eq!(p.protocols().to_string(), "TCP:Raw");
        opts.stop = Stop {
            layer: None,
            protocol: Some("httpv1".into()),
        };
        let p = dissect_next(Next::IpProto(TransType::TCP), LinkType::NULL, &data, &opts);
        assert_eq!(p.protocols().to_string(), "TCP:HTTP/1.1");
        assert!(p.protocols().contains("HTTP"));
    }

    #[test]
    fn claims_per_decoder() {
        assert!(claims(ProtoId::Ftp, b"NOOP\r\n"));
        assert!(!claims(ProtoId::Ftp, b"\x00\x01"));
        assert!(claims(ProtoId::Http, b"HTTP/1.1 200 OK\r\n"));
        assert!(!claims(ProtoId::Http, b"chunk of a body"));
        assert!(claims(ProtoId::Tcp, b"anything"));
        assert_eq!(sniff(b"220 ok\r\n"), Some(ProtoId::Ftp));
        assert_eq!(sniff(b"HTTP/1.1 200 OK\r\n"), Some(ProtoId::Http));
        assert_eq!(sniff(b"xyz"), None);
        let _ = Transport::Tcp;
    }
}
