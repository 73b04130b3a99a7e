//! HTTP: one decoder for HTTP/1.x and HTTP/2 (PyPCAPKit's generic `HTTP`: try HTTP/1.x,
//! fall back to HTTP/2). Key `http`; chain token `HTTP/1.0`, `HTTP/1.1` or `HTTP/2`.
//!
//! An HTTP/1.x layer has no child (its body is its `body` field and its `packet`),
//! except a `101 Switching Protocols` response followed by HTTP/2 frames in the same
//! segment (h2c upgrade): those frames are an `http` child layer, as tshark shows them.

pub mod v1;
pub mod v2;

use std::fmt;

use serde::{Serialize, Serializer};

pub use v1::{Http1, Receipt};
pub use v2::{Frame2, Http2, Payload};

use crate::ProtoId;
use crate::error::{DissectError, Result};
use crate::protocol::{Ctx, Header, Level, Next, Parse, Parsed};
use crate::registry::{Extract, Protocol};

/// An HTTP message head (HTTP/1.x) or a run of HTTP/2 frames.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Http<'a> {
    /// HTTP/1.x.
    V1(Http1<'a>),
    /// HTTP/2.
    V2(Http2<'a>),
}

/// Whether `data` starts an HTTP message: an HTTP/1.x start line, the HTTP/2
/// connection preface, or a well-formed HTTP/2 frame sequence.
pub fn claims(data: &[u8]) -> bool {
    v1::recognize(data) || v2::recognize(data)
}

impl Header for Http<'_> {
    const NAME: &'static str = "HTTP";
    const KEY: &'static str = "http";
    const LEVEL: Option<Level> = Some(Level::Application);

    fn write_token(&self, f: &mut dyn fmt::Write) -> fmt::Result {
        match self {
            Http::V1(h) => {
                f.write_str("HTTP/")?;
                f.write_str(h.receipt.version())
            }
            Http::V2(_) => f.write_str("HTTP/2"),
        }
    }

    /// `HTTP` names both versions; `HTTPv1` / `HTTPv2` (PyPCAPKit's class names) and
    /// the chain tokens name one.
    fn is_named(&self, name: &str) -> bool {
        let eq = |s: &str| s.eq_ignore_ascii_case(name);
        eq("HTTP")
            || match self {
                Http::V1(h) => {
                    eq("HTTPv1")
                        || name
                            .get(..5)
                            .is_some_and(|p| p.eq_ignore_ascii_case("HTTP/"))
                            && name.get(5..) == Some(h.receipt.version())
                }
                Http::V2(_) => eq("HTTPv2") || eq("HTTP/2"),
            }
    }
}

impl<'a> Parse<'a> for Http<'a> {
    fn parse(data: &'a [u8], ctx: &Ctx) -> Result<Parsed<Self>> {
        if let Some((head, header_len)) = v1::parse(data) {
            // `101 Switching Protocols` to h2c: the rest of the segment is HTTP/2 frames,
            // decoded as a child layer (`HTTP/1.1:HTTP/2`).
            let upgraded = matches!(head.receipt, Receipt::Response { status, .. } if status.0 == 101)
                && head.body.is_some_and(v2::recognize);
            return Ok(Parsed {
                header: Http::V1(head),
                header_len,
                payload_len: data.len() - header_len,
                next: if upgraded {
                    Next::Proto(ProtoId::Http)
                } else {
                    Next::Leaf
                },
            });
        }
        if v2::recognize(data) {
            return Ok(Parsed {
                header: Http::V2(v2::parse(data)),
                header_len: data.len(),
                payload_len: 0,
                next: Next::Leaf,
            });
        }
        Err(DissectError::malformed(
            Self::NAME,
            ctx.offset,
            "neither an HTTP/1.x start line nor HTTP/2 frames",
        ))
    }
}

impl Serialize for Http<'_> {
    fn serialize<S: Serializer>(&self, serializer: S) -> std::result::Result<S::Ok, S::Error> {
        match self {
            Http::V1(h) => h.serialize(serializer),
            Http::V2(h) => h.serialize(serializer),
        }
    }
}

impl<'a> Extract<'a> for Http1<'a> {
    fn extract<'p>(p: &'p Protocol<'a>) -> Option<&'p Self> {
        match p {
            Protocol::Http(Http::V1(h)) => Some(h),
            _ => None,
        }
    }
}

impl<'a> Extract<'a> for Http2<'a> {
    fn extract<'p>(p: &'p Protocol<'a>) -> Option<&'p Self> {
        match p {
            Protocol::Http(Http::V2(h)) => Some(h),
            _ => None,
        }
    }
}

#[cfg(test)]
mod tests;
