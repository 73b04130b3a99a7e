//! Session Initiation Protocol (RFC 3261) on UDP/TCP 5060: start line and headers.
//!
//! One layer (`sip`, chain token `SIP`): `type` (`request` / `response`), then
//! `method`, `uri`, `version` for a request or `version`, `status`, `reason` for a
//! response; `header`, PyPCAPKit's multi-dict of the header fields (names as sent,
//! compact forms included); `body`, the bytes after the blank line (SDP, ...), `null`
//! when there are none. Header fields folded over several lines are shown line by line.

use serde::Serialize;
use serde::ser::{SerializeMap, Serializer};

use crate::error::{DissectError, Result};
use crate::protocol::{Ctx, Header, Level, Next, Parse, Parsed};
use crate::ser::{Bytes, MultiDict};

use super::Text;
use super::text::{Lines, split_line};

/// The SIP port (UDP and TCP).
pub const PORT: u16 = 5060;

/// The start line of a SIP message.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum StartLine<'a> {
    /// `METHOD uri SIP/2.0`.
    Request {
        /// Method (`INVITE`, `REGISTER`, ...).
        method: Text<'a>,
        /// Request-URI.
        uri: Text<'a>,
        /// Version (`SIP/2.0`).
        version: Text<'a>,
    },
    /// `SIP/2.0 code reason`.
    Response {
        /// Version.
        version: Text<'a>,
        /// Status code.
        status: u16,
        /// Reason phrase.
        reason: Text<'a>,
    },
}

fn is_token(b: &[u8]) -> bool {
    !b.is_empty()
        && b.iter()
            .all(|&c| c.is_ascii_alphanumeric() || b"-.!%*_+`'~".contains(&c))
}

/// Reads a start line (`None` when it is not one).
pub fn start_line(line: &[u8]) -> Option<StartLine<'_>> {
    let mut parts = line.splitn(3, |&b| b == b' ');
    let (a, b, c) = (parts.next()?, parts.next()?, parts.next()?);
    if a == b"SIP/2.0" {
        let status = match b {
            [x @ b'1'..=b'6', y @ b'0'..=b'9', z @ b'0'..=b'9'] => {
                u16::from(x - b'0') * 100 + u16::from(y - b'0') * 10 + u16::from(z - b'0')
            }
            _ => return None,
        };
        return Some(StartLine::Response {
            version: Text(a),
            status,
            reason: Text(c),
        });
    }
    (c == b"SIP/2.0" && is_token(a) && !b.is_empty()).then_some(StartLine::Request {
        method: Text(a),
        uri: Text(b),
        version: Text(c),
    })
}

/// Whether `data` starts with a SIP start line ended by a line end.
pub fn recognize(data: &[u8]) -> bool {
    let (line, _, ended) = split_line(data);
    ended && start_line(line).is_some()
}

/// A SIP message (`sip`, chain token `SIP`).
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct Sip<'a> {
    /// The start line.
    pub start: StartLine<'a>,
    /// The header lines (without the blank line).
    pub raw_headers: &'a [u8],
    /// Bytes after the blank line, if any.
    pub body: Option<&'a [u8]>,
}

impl<'a> Sip<'a> {
    /// The header fields in order: name and value (trimmed; `None` for a line without `:`).
    pub fn headers(&self) -> impl Iterator<Item = (Text<'a>, Option<Text<'a>>)> + Clone + 'a {
        Lines(self.raw_headers).map(|line| match memchr::memchr(b':', line) {
            Some(i) => (
                Text(line.get(..i).unwrap_or_default().trim_ascii()),
                Some(Text(line.get(i + 1..).unwrap_or_default().trim_ascii())),
            ),
            None => (Text(line), None),
        })
    }

    /// The first value of header `name` (ASCII case ignored).
    pub fn header(&self, name: &str) -> Option<Text<'a>> {
        self.headers()
            .find(|(n, _)| n.as_bytes().eq_ignore_ascii_case(name.as_bytes()))
            .and_then(|(_, v)| v)
    }
}

impl Header for Sip<'_> {
    const NAME: &'static str = "SIP";
    const KEY: &'static str = "sip";
    const LEVEL: Option<Level> = Some(Level::Application);
}

impl<'a> Parse<'a> for Sip<'a> {
    fn parse(data: &'a [u8], ctx: &Ctx) -> Result<Parsed<Self>> {
        let (line, mut rest, ended) = split_line(data);
        let start = start_line(line).filter(|_| ended).ok_or_else(|| {
            DissectError::malformed(
                Self::NAME,
                ctx.offset,
                "not a SIP start line (METHOD uri SIP/2.0, or SIP/2.0 code reason)",
            )
        })?;
        let headers_start = data.len() - rest.len();
        let mut headers_end = data.len();
        let mut body = None;
        while !rest.is_empty() {
            let before = rest;
            let (line, after, _) = split_line(rest);
            if line.is_empty() {
                headers_end = data.len() - before.len();
                body = (!after.is_empty()).then_some(after);
                break;
            }
            rest = after;
        }
        Ok(Parsed {
            header: Sip {
                start,
                raw_headers: data.get(headers_start..headers_end).unwrap_or_default(),
                body,
            },
            header_len: data.len(),
            payload_len: 0,
            next: Next::Leaf,
        })
    }
}

/// Fields described in the module documentation.
impl Serialize for Sip<'_> {
    fn serialize<S: Serializer>(&self, serializer: S) -> std::result::Result<S::Ok, S::Error> {
        let mut m = serializer.serialize_map(None)?;
        match self.start {
            StartLine::Request {
                method,
                uri,
                version,
            } => {
                m.serialize_entry("type", "request")?;
                m.serialize_entry("method", &method)?;
                m.serialize_entry("uri", &uri)?;
                m.serialize_entry("version", &version)?;
            }
            StartLine::Response {
                version,
                status,
                reason,
            } => {
                m.serialize_entry("type", "response")?;
                m.serialize_entry("version", &version)?;
                m.serialize_entry("status", &status)?;
                m.serialize_entry("reason", &reason)?;
            }
        }
        m.serialize_entry("header", &MultiDict(self.headers()))?;
        m.serialize_entry("body", &self.body.map(Bytes))?;
        m.end()
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    const INVITE: &[u8] = b"INVITE sip:bob@example.com SIP/2.0\r\n\
Via: SIP/2.0/UDP pc33.example.com;branch=z9hG4bK776asdhds\r\n\
Via: SIP/2.0/UDP proxy\r\n\
To: Bob <sip:bob@example.com>\r\n\
Call-ID: a84b4c76e66710\r\n\
l: 4\r\n\
\r\n\
v=0\n";

    #[test]
    fn test_parse_request() {
        assert!(recognize(INVITE));
        let p = Sip::parse(INVITE, &Ctx::default()).unwrap();
        assert_eq!(
            (p.header_len, p.payload_len, p.next),
            (INVITE.len(), 0, Next::Leaf)
        );
        assert_eq!(
            p.header.header("call-id").unwrap().to_string(),
            "a84b4c76e66710"
        );
        let json = serde_json::to_value(p.header).unwrap();
        assert_eq!(
            json,
            json!({
                "type": "request", "method": "INVITE", "uri": "sip:bob@example.com",
                "version": "SIP/2.0",
                "header": {
                    "Via": ["SIP/2.0/UDP pc33.example.com;branch=z9hG4bK776asdhds", "SIP/2.0/UDP proxy"],
                    "To": ["Bob <sip:bob@example.com>"], "Call-ID": ["a84b4c76e66710"],
                    "l": ["4"]
                },
                "body": b"v=0\n".to_vec()
            })
        );
    }

    #[test]
    fn test_parse_response_and_rejects() {
        let p = Sip::parse(
            b"SIP/2.0 180 Ringing\r\nCSeq: 1 INVITE\r\n",
            &Ctx::default(),
        )
        .unwrap();
        let json = serde_json::to_value(p.header).unwrap();
        assert_eq!(json["type"], "response");
        assert_eq!(json["status"], 180);
        assert_eq!(json["reason"], "Ringing");
        assert_eq!(json["header"], json!({"CSeq": ["1 INVITE"]}));
        assert_eq!(json["body"], json!(null));
        for bad in [
            &b"SIP/2.0 999 x\r\n"[..],
            b"INVITE sip:a HTTP/1.1\r\n",
            b"INVITE sip:a SIP/2.0",
            b"GET / SIP/2.0\r\n\x00",
            b"\x00\x01",
        ] {
            let ok = Sip::parse(
                bad,
                &Ctx {
                    offset: 42,
                    ..Ctx::default()
                },
            );
            if bad.starts_with(b"GET") {
                assert!(ok.is_ok());
                continue;
            }
            let e = ok.unwrap_err();
            assert_eq!(e.offset, 42);
            assert!(!recognize(bad));
        }
        for cut in 0..INVITE.len() {
            if let Ok(p) = Sip::parse(&INVITE[..cut], &Ctx::default()) {
                serde_json::to_string(&p.header).unwrap();
            }
        }
    }
}
