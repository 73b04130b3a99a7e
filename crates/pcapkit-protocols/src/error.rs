//! Dissection errors: which layer, what, and at which absolute byte offset of the frame.

use std::borrow::Cow;
use std::fmt;

/// What went wrong while decoding one layer.
#[derive(Clone, Debug, PartialEq, Eq, Hash)]
pub enum ErrorKind {
    /// The layer needs more bytes than the frame (or its parent) holds.
    Truncated {
        /// Bytes the layer needs from its start.
        needed: usize,
        /// Bytes available from its start.
        available: usize,
    },
    /// A field holds a value the protocol does not allow.
    BadValue {
        /// Field name as it appears in the output.
        field: &'static str,
        /// The value found.
        value: u64,
        /// What was expected instead.
        expected: &'static str,
    },
    /// The bytes do not follow the protocol's grammar.
    Malformed(Cow<'static, str>),
    /// A resource limit stopped decoding (nesting depth, option count, ...).
    Limit(&'static str),
}

/// A layer that could not be decoded.
///
/// The layer is kept in the output as `raw` with this error; everything decoded before
/// it stays, dissection of the frame ends there and extraction goes on.
#[derive(Clone, Debug, PartialEq, Eq, Hash)]
pub struct DissectError {
    /// Protocol being decoded (its chain token, e.g. `IPv4`).
    pub layer: &'static str,
    /// Absolute byte offset, from the start of the frame, where the problem is.
    pub offset: usize,
    /// What went wrong.
    pub kind: ErrorKind,
}

impl DissectError {
    /// `layer` needs `needed` bytes from `offset` but only `available` are there.
    pub fn truncated(layer: &'static str, offset: usize, needed: usize, available: usize) -> Self {
        Self {
            layer,
            offset,
            kind: ErrorKind::Truncated { needed, available },
        }
    }

    /// `field` of `layer` at `offset` holds `value`, but `expected` is required.
    pub fn bad_value(
        layer: &'static str,
        offset: usize,
        field: &'static str,
        value: u64,
        expected: &'static str,
    ) -> Self {
        Self {
            layer,
            offset,
            kind: ErrorKind::BadValue {
                field,
                value,
                expected,
            },
        }
    }

    /// `layer` at `offset` is malformed; `what` says how.
    pub fn malformed(
        layer: &'static str,
        offset: usize,
        what: impl Into<Cow<'static, str>>,
    ) -> Self {
        Self {
            layer,
            offset,
            kind: ErrorKind::Malformed(what.into()),
        }
    }

    /// A limit (`what`) stopped decoding `layer` at `offset`.
    pub fn limit(layer: &'static str, offset: usize, what: &'static str) -> Self {
        Self {
            layer,
            offset,
            kind: ErrorKind::Limit(what),
        }
    }

    /// Moves the offset by `base`: errors found inside a sub-slice are re-based to the
    /// frame as they bubble up.
    #[must_use]
    pub fn rebased(mut self, base: usize) -> Self {
        self.offset += base;
        self
    }
}

impl fmt::Display for DissectError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "{} at byte {}: ", self.layer, self.offset)?;
        match &self.kind {
            ErrorKind::Truncated { needed, available } => write!(
                f,
                "truncated: needs {needed} bytes, only {available} captured (snaplen too small or damaged frame)"
            ),
            ErrorKind::BadValue {
                field,
                value,
                expected,
            } => write!(f, "invalid {field} {value}: expected {expected}"),
            ErrorKind::Malformed(what) => write!(f, "malformed: {what}"),
            ErrorKind::Limit(what) => write!(f, "limit reached: {what}"),
        }
    }
}

impl std::error::Error for DissectError {}

impl serde::Serialize for DissectError {
    fn serialize<S: serde::Serializer>(
        &self,
        serializer: S,
    ) -> std::result::Result<S::Ok, S::Error> {
        serializer.collect_str(self)
    }
}

/// Result of decoding one layer.
pub type Result<T> = std::result::Result<T, DissectError>;

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn display_texts() {
        let e = DissectError::truncated("IPv4", 14, 20, 8);
        assert_eq!(
            e.to_string(),
            "IPv4 at byte 14: truncated: needs 20 bytes, only 8 captured (snaplen too small or damaged frame)"
        );
        let e = DissectError::bad_value("IPv4", 14, "version", 6, "4");
        assert_eq!(
            e.to_string(),
            "IPv4 at byte 14: invalid version 6: expected 4"
        );
        let e = DissectError::malformed("FTP", 54, "no CRLF").rebased(4);
        assert_eq!(e.to_string(), "FTP at byte 58: malformed: no CRLF");
        let e = DissectError::limit("VLAN", 30, "encapsulation deeper than 32 layers");
        assert_eq!(
            e.to_string(),
            "VLAN at byte 30: limit reached: encapsulation deeper than 32 layers"
        );
    }
}
