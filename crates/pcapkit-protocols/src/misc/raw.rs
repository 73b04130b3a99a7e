//! `raw`: bytes no decoder claimed, or a layer that failed to decode.

use std::fmt;

use serde::Serialize;

use crate::error::DissectError;
use crate::protocol::{Header, RawProto};

/// Undecoded payload. `protocol` is what it was looked up as (PyPCAPKit prints the enum,
/// e.g. `TransType::IPv6_ICMP [58]`, or `null`); `error` says why decoding stopped when
/// a layer was malformed.
#[derive(Clone, Debug, Default, PartialEq, Eq, Serialize)]
pub struct Raw {
    /// The protocol the payload was looked up as.
    pub protocol: RawProto,
    /// Why this layer could not be decoded, if it was malformed.
    pub error: Option<DissectError>,
    /// Why decoding stopped although nothing was wrong (e.g. a non-first IP fragment).
    #[serde(skip_serializing_if = "Option::is_none")]
    pub note: Option<&'static str>,
}

impl Header for Raw {
    const NAME: &'static str = "Raw";
    const KEY: &'static str = "raw";
    const LEVEL: Option<crate::Level> = None;

    fn write_token(&self, f: &mut dyn fmt::Write) -> fmt::Result {
        if self.error.is_some() || self.note.is_some() {
            f.write_str(Self::NAME)
        } else {
            self.protocol.write_token(f)
        }
    }
}
