//! HTTP/1.x messages (RFC 9112): start line, header fields, body.
//!
//! Fields as PyPCAPKit: `receipt` (request `{type, method, uri, version}` / response
//! `{type, version, status, message}`), `header` (ordered multi-dict name → [values],
//! names keep their case, repeated names keep every value), `body` (bytes, or `null`
//! when there is none). Corrections of PyPCAPKit's bug 32:
//! - a start line without header fields (`GET / HTTP/1.0\r\n\r\n`) decodes;
//! - a header line without `:` is kept, as its text with the value `null`;
//! - a segment without the blank line decodes the header lines it has (`body: null`);
//! - the layer's header includes the blank line, so its `packet` is the body (PyPCAPKit
//!   wrote `\r\n\r\n` + body).
//!
//! A segment that does not start with a start line (a body continuation) is not HTTP.

use serde::Serialize;
use serde::ser::{SerializeStruct, Serializer};

use crate::consts::http::{Method, StatusCode, Type};
use crate::consts::support::StrMember;
use crate::ser::{Bytes, MultiDict};

use super::super::text::{Lines, Text, split_line};

/// The start line of an HTTP/1.x message.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Receipt<'a> {
    /// A request line.
    Request {
        /// Method: a registered one, or one Wireshark also takes for HTTP (`NOTIFY`,
        /// `M-SEARCH`, ...); other tokens are not taken for HTTP.
        method: StrMember<'a, Method>,
        /// Request target, as sent (not unquoted).
        uri: Text<'a>,
        /// Version after `HTTP/` (`1.1`).
        version: &'a str,
    },
    /// A status line.
    Response {
        /// Version after `HTTP/` (`1.1`).
        version: &'a str,
        /// Status code.
        status: StatusCode,
        /// Reason phrase (possibly empty).
        message: Text<'a>,
    },
}

impl<'a> Receipt<'a> {
    /// The version after `HTTP/` (`1.0`, `1.1`).
    pub fn version(&self) -> &'a str {
        match self {
            Receipt::Request { version, .. } | Receipt::Response { version, .. } => version,
        }
    }
}

impl Serialize for Receipt<'_> {
    fn serialize<S: Serializer>(&self, serializer: S) -> Result<S::Ok, S::Error> {
        let mut st = serializer.serialize_struct("Receipt", 4)?;
        match self {
            Receipt::Request {
                method,
                uri,
                version,
            } => {
                st.serialize_field("type", &Type::REQUEST)?;
                st.serialize_field("method", method)?;
                st.serialize_field("uri", uri)?;
                st.serialize_field("version", version)?;
            }
            Receipt::Response {
                version,
                status,
                message,
            } => {
                st.serialize_field("type", &Type::RESPONSE)?;
                st.serialize_field("version", version)?;
                st.serialize_field("status", status)?;
                st.serialize_field("message", message)?;
            }
        }
        st.end()
    }
}

/// An HTTP/1.x message head (and the body bytes in the same segment).
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct Http1<'a> {
    /// The start line.
    pub receipt: Receipt<'a>,
    /// The header lines (between the start line and the blank line), raw.
    pub raw_headers: &'a [u8],
    /// The bytes after the blank line; `None` when empty or when the segment ends
    /// before the blank line.
    pub body: Option<&'a [u8]>,
}

/// Methods Wireshark takes for HTTP besides the IANA registry's (UPnP/SSDP, GENA,
/// WebDAV batch, Microsoft RPC over HTTP, SSTP, Cisco CCM); printed as unknown methods.
const EXTRA_METHODS: &[&str] = &[
    "NOTIFY",
    "M-SEARCH",
    "SUBSCRIBE",
    "UNSUBSCRIBE",
    "POLL",
    "BCOPY",
    "BMOVE",
    "BDELETE",
    "BPROPFIND",
    "BPROPPATCH",
    "CCM_POST",
    "RPC_CONNECT",
    "RPC_IN_DATA",
    "RPC_OUT_DATA",
    "SSTP_DUPLEX_POST",
];

/// `HTTP/1.d` → `1.d`.
fn version(token: &[u8]) -> Option<&str> {
    token
        .strip_prefix(b"HTTP/")
        .filter(|v| matches!(v, [b'1', b'.', b'0'..=b'9']))
        .and_then(|v| std::str::from_utf8(v).ok())
}

/// Decodes a start line (without its line end): `METHOD SP target SP HTTP/1.x` with a
/// registered (or [`EXTRA_METHODS`]) method, or `HTTP/1.x SP ddd [SP phrase]`.
pub fn start_line(line: &[u8]) -> Option<Receipt<'_>> {
    if let Some(rest) = line.strip_prefix(b"HTTP/") {
        let v = line.get(..8).and_then(version)?;
        let (code, phrase) = match rest.get(3..) {
            Some(
                [
                    b' ',
                    a @ b'0'..=b'9',
                    b @ b'0'..=b'9',
                    c @ b'0'..=b'9',
                    tail @ ..,
                ],
            ) => {
                let code =
                    u16::from(a - b'0') * 100 + u16::from(b - b'0') * 10 + u16::from(c - b'0');
                match tail {
                    [] => (code, &[][..]),
                    [b' ', phrase @ ..] => (code, phrase),
                    _ => return None,
                }
            }
            _ => return None,
        };
        return Some(Receipt::Response {
            version: v,
            status: StatusCode(code),
            message: Text(phrase),
        });
    }
    let sp1 = memchr::memchr(b' ', line)?;
    let sp2 = memchr::memrchr(b' ', line)?;
    let method = std::str::from_utf8(line.get(..sp1)?).ok()?;
    let method = match Method::lookup(method) {
        Some(m) => StrMember::Known(m),
        None if EXTRA_METHODS.contains(&method) => StrMember::Unknown(method),
        None => return None,
    };
    let uri = line.get(sp1 + 1..sp2)?;
    if uri.is_empty() || uri.iter().any(|&b| b <= b' ' || b == 0x7f) {
        return None;
    }
    let v = version(line.get(sp2 + 1..)?)?;
    Some(Receipt::Request {
        method,
        uri: Text(uri),
        version: v,
    })
}

/// Longer than every method [`start_line`] accepts (the registry's longest,
/// `UPDATEREDIRECTREF`, has 17 bytes; `EXTRA_METHODS` fewer).
const MAX_METHOD_LEN: usize = 32;

/// A cheap necessary condition for [`start_line`]: `HTTP/`, or a space within the
/// first `MAX_METHOD_LEN + 1` bytes (after a longer token no method can match). Lets a
/// body segment on an HTTP port be refused without scanning it for a line end.
fn may_start(data: &[u8]) -> bool {
    data.starts_with(b"HTTP/")
        || data
            .get(..data.len().min(MAX_METHOD_LEN + 1))
            .is_some_and(|head| memchr::memchr(b' ', head).is_some())
}

/// Whether `data` starts with an HTTP/1.x start line ended by a line end.
pub fn recognize(data: &[u8]) -> bool {
    if !may_start(data) {
        return false;
    }
    let (line, _, ended) = split_line(data);
    ended && start_line(line).is_some()
}

/// Decodes a message head; `None` when `data` does not start with a start line. Also
/// returns the header length (through the blank line, or all of `data`).
pub fn parse(data: &[u8]) -> Option<(Http1<'_>, usize)> {
    if !may_start(data) {
        return None;
    }
    let (line, mut rest, ended) = split_line(data);
    if !ended {
        return None;
    }
    let receipt = start_line(line)?;
    let headers_start = data.len() - rest.len();
    loop {
        let before = rest;
        let (line, after, ended) = split_line(rest);
        if !ended {
            // No blank line in this segment: every remaining line is a header line.
            let raw_headers = data.get(headers_start..).unwrap_or_default();
            let head = Http1 {
                receipt,
                raw_headers,
                body: None,
            };
            return Some((head, data.len()));
        }
        if line.is_empty() {
            let headers_end = data.len() - before.len();
            let head = Http1 {
                receipt,
                raw_headers: data.get(headers_start..headers_end).unwrap_or_default(),
                body: (!after.is_empty()).then_some(after),
            };
            return Some((head, data.len() - after.len()));
        }
        rest = after;
    }
}

impl<'a> Http1<'a> {
    /// The header fields in order: name (case kept) and value (surrounding spaces
    /// trimmed; `None` for a line without `:`).
    pub fn headers(&self) -> impl Iterator<Item = (Text<'a>, Option<Text<'a>>)> + Clone + 'a {
        Lines(self.raw_headers).map(|line| match memchr::memchr(b':', line) {
            Some(i) => (
                Text(line.get(..i).unwrap_or_default()),
                Some(Text(line.get(i + 1..).unwrap_or_default().trim_ascii())),
            ),
            None => (Text(line), None),
        })
    }

    /// The first value of header `name` (compared ignoring ASCII case).
    pub fn header(&self, name: &str) -> Option<Text<'a>> {
        self.headers()
            .find(|(n, _)| n.as_bytes().eq_ignore_ascii_case(name.as_bytes()))
            .and_then(|(_, v)| v)
    }
}

impl Serialize for Http1<'_> {
    fn serialize<S: Serializer>(&self, serializer: S) -> Result<S::Ok, S::Error> {
        let mut st = serializer.serialize_struct("HTTP", 3)?;
        st.serialize_field("receipt", &self.receipt)?;
        st.serialize_field("header", &MultiDict(self.headers()))?;
        st.serialize_field("body", &self.body.map(Bytes))?;
        st.end()
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn every_method_passes_the_prefilter() {
        let shared = std::env::var_os("PCAPKIT_SHARED")
            .map(std::path::PathBuf::from)
            .unwrap_or_else(|| {
                std::path::PathBuf::from(env!("CARGO_MANIFEST_DIR")).join("../../../shared")
            });
        let tsv = std::fs::read_to_string(shared.join("registries/http__Method.tsv"))
            .expect("../shared/registries/http__Method.tsv");
        let methods: Vec<&str> = tsv
            .lines()
            .skip(1)
            .filter_map(|l| l.split('\t').next())
            .chain(EXTRA_METHODS.iter().copied())
            .collect();
        assert!(methods.len() > 40, "{methods:?}");
        for m in methods {
            assert!(m.len() <= MAX_METHOD_LEN, "{m}");
            let line = format!("{m} /x HTTP/1.1\r\n\r\n");
            assert!(recognize(line.as_bytes()), "{m}");
            assert!(parse(line.as_bytes()).is_some(), "{m}");
        }
    }

    #[test]
    fn body_bytes_are_refused_before_any_line_scan() {
        assert!(!may_start(&[0x41; 1460]));
        assert!(!recognize(
            b"ABCDEFGHIJKLMNOPQRSTUVWXYZABCDEFGH / HTTP/1.1\r\n"
        ));
        assert!(may_start(b"HTTP/1.1 200 OK\r\n"));
        assert!(may_start(b"GET / HTTP/1.1\r\n"));
        assert!(!may_start(b"HTTP"));
    }
}
