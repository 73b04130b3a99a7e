//! TCP options (IANA "TCP Option Kind Numbers"), decoded lazily from the header bytes.
//!
//! Each option serializes as PyPCAPKit's dict: `kind`, `length`, then its fields. An
//! option whose length does not fit its kind keeps `kind`, `length`, `data` and gets a
//! `malformed` message; decoding goes on with the next option when the length is
//! usable, and stops otherwise (length below 2 or past the header end).

use serde::Serialize;
use serde::ser::{SerializeStruct, Serializer};

use crate::consts::tcp::{Checksum, Option as Kind};
use crate::ser::{Bytes, Tuple};

use super::mptcp::{self, Mptcp};

/// Most options one header can hold (40 option bytes, one byte each).
pub const MAX_OPTIONS: usize = 40;

/// One TCP option: its kind, its length as sent (1 for EOL and NOP) and its value.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct TcpOption<'a> {
    /// Option kind.
    pub kind: Kind,
    /// Length field (1 for the one-byte options).
    pub length: u8,
    /// Decoded value.
    pub value: OptionValue<'a>,
}

/// The decoded contents of a TCP option.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum OptionValue<'a> {
    /// No contents (End of Option List, No-Operation, SACK-Permitted, POC-Permitted).
    Empty,
    /// Maximum segment size (`mss`).
    Mss(u16),
    /// Window scale shift count (`shift`).
    WindowScale(u8),
    /// SACK blocks (`sack`).
    Sack(SackBlocks<'a>),
    /// Echo / Echo Reply (RFC 1072) and Alternate Checksum Data: opaque `data`.
    Data(&'a [u8]),
    /// Timestamps: `timestamp` (TSval) and `echo` (TSecr).
    Timestamps {
        /// TSval.
        timestamp: u32,
        /// TSecr.
        echo: u32,
    },
    /// Partial Order Service Profile (RFC 1693): `start`, `end` flags.
    PartialOrderProfile {
        /// Start flag.
        start: bool,
        /// End flag.
        end: bool,
    },
    /// CC / CC.NEW / CC.ECHO connection count (`cc`).
    Cc(u32),
    /// Alternate checksum algorithm requested (`chksum`).
    ChecksumRequest(Checksum),
    /// MD5 signature (`digest`, 16 bytes).
    Md5(&'a [u8]),
    /// Quick-Start Response (RFC 4782).
    QuickStart {
        /// Rate request (4 bits).
        req_rate: u8,
        /// TTL difference.
        ttl_diff: u8,
        /// QS nonce (30 bits).
        nonce: u32,
    },
    /// User Timeout (RFC 5482): the timeout in seconds (minutes × 60 when the
    /// granularity bit is set), a number (PyPCAPKit wrote a float).
    UserTimeout(u32),
    /// TCP Authentication Option (RFC 5925).
    Authentication {
        /// Key ID.
        key_id: u8,
        /// Receive next key ID.
        next_key_id: u8,
        /// Message authentication code.
        mac: &'a [u8],
    },
    /// Multipath TCP (RFC 6824 / RFC 8684).
    Mptcp(Mptcp<'a>),
    /// TCP Fast Open cookie (`cookie`, empty in a cookie request).
    FastOpenCookie(&'a [u8]),
    /// Any other kind: its `data`.
    Unknown(&'a [u8]),
    /// An option whose length does not fit its kind: what is there, and why.
    Malformed {
        /// The option's bytes after kind and length (as far as captured).
        data: &'a [u8],
        /// What is wrong.
        malformed: &'static str,
    },
}

/// SACK blocks: pairs of 32-bit left/right edges, read on demand.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct SackBlocks<'a>(&'a [u8]);

/// One SACK block (`{left, right}`).
#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize)]
pub struct SackBlock {
    /// Left edge.
    pub left: u32,
    /// Right edge.
    pub right: u32,
}

impl<'a> SackBlocks<'a> {
    /// The blocks.
    pub fn iter(&self) -> impl Iterator<Item = SackBlock> + Clone + 'a {
        self.0.chunks_exact(8).map(|c| SackBlock {
            left: be32(c, 0),
            right: be32(c, 4),
        })
    }

    /// Number of blocks.
    pub fn len(&self) -> usize {
        self.0.len() / 8
    }

    /// Whether there is no block.
    pub fn is_empty(&self) -> bool {
        self.len() == 0
    }
}

/// Big-endian u32 at `at` (0 when out of range; callers check lengths first).
pub(crate) fn be32(d: &[u8], at: usize) -> u32 {
    d.get(at..at + 4)
        .and_then(|s| <[u8; 4]>::try_from(s).ok())
        .map_or(0, u32::from_be_bytes)
}

/// Big-endian u16 at `at` (0 when out of range; callers check lengths first).
pub(crate) fn be16(d: &[u8], at: usize) -> u16 {
    d.get(at..at + 2)
        .and_then(|s| <[u8; 2]>::try_from(s).ok())
        .map_or(0, u16::from_be_bytes)
}

/// Big-endian u64 at `at` (0 when out of range; callers check lengths first).
pub(crate) fn be64(d: &[u8], at: usize) -> u64 {
    d.get(at..at + 8)
        .and_then(|s| <[u8; 8]>::try_from(s).ok())
        .map_or(0, u64::from_be_bytes)
}

/// Iterator over the options of a header, in wire order.
#[derive(Clone, Debug)]
pub struct Options<'a> {
    rest: &'a [u8],
    /// The header's data-offset/flags word (MP_JOIN's variant depends on SYN/ACK).
    word: u16,
    done: bool,
}

impl<'a> Options<'a> {
    /// Options in `bytes` (the header bytes after the first 20) of a segment whose
    /// data-offset/flags word is `word`.
    pub fn new(bytes: &'a [u8], word: u16) -> Self {
        Self {
            rest: bytes,
            word,
            done: false,
        }
    }
}

impl<'a> Iterator for Options<'a> {
    type Item = TcpOption<'a>;

    fn next(&mut self) -> Option<TcpOption<'a>> {
        if self.done {
            return None;
        }
        let (&kind_byte, after_kind) = self.rest.split_first()?;
        let kind = Kind(kind_byte);
        let one = |value| TcpOption {
            kind,
            length: 1,
            value,
        };
        match kind_byte {
            0 => {
                // End of Option List: what follows is padding.
                self.done = true;
                return Some(one(OptionValue::Empty));
            }
            1 => {
                self.rest = after_kind;
                return Some(one(OptionValue::Empty));
            }
            _ => {}
        }
        let Some((&length, _)) = after_kind.split_first() else {
            self.done = true;
            return Some(one(OptionValue::Malformed {
                data: &[],
                malformed: "the header ends before the option's length byte",
            }));
        };
        let len = usize::from(length);
        let stop = |data, malformed| TcpOption {
            kind,
            length,
            value: OptionValue::Malformed { data, malformed },
        };
        if len < 2 {
            self.done = true;
            return Some(stop(
                self.rest.get(2..).unwrap_or_default(),
                "option length below 2",
            ));
        }
        let Some((option, rest)) = self.rest.split_at_checked(len) else {
            self.done = true;
            return Some(stop(
                self.rest.get(2..).unwrap_or_default(),
                "option runs past the end of the header",
            ));
        };
        self.rest = rest;
        let body = option.get(2..).unwrap_or_default();
        Some(TcpOption {
            kind,
            length,
            value: decode(kind, body, self.word),
        })
    }
}

/// Decodes the `body` (bytes after kind and length) of an option of `kind`.
fn decode(kind: Kind, body: &[u8], word: u16) -> OptionValue<'_> {
    let n = body.len();
    let bad = |malformed| OptionValue::Malformed {
        data: body,
        malformed,
    };
    match kind {
        Kind::Maximum_Segment_Size if n == 2 => OptionValue::Mss(be16(body, 0)),
        Kind::Maximum_Segment_Size => bad("Maximum Segment Size needs length 4"),
        Kind::Window_Scale => match body {
            [shift] => OptionValue::WindowScale(*shift),
            _ => bad("Window Scale needs length 3"),
        },
        Kind::SACK_Permitted | Kind::Partial_Order_Connection_Permitted if n == 0 => {
            OptionValue::Empty
        }
        Kind::SACK_Permitted | Kind::Partial_Order_Connection_Permitted => {
            bad("this option has no data (length 2)")
        }
        Kind::SACK if n > 0 && n % 8 == 0 => OptionValue::Sack(SackBlocks(body)),
        Kind::SACK => bad("SACK needs length 2 + 8 per block"),
        Kind::Echo | Kind::Echo_Reply if n == 4 => OptionValue::Data(body),
        Kind::Echo | Kind::Echo_Reply => bad("Echo needs length 6"),
        Kind::Timestamps if n == 8 => OptionValue::Timestamps {
            timestamp: be32(body, 0),
            echo: be32(body, 4),
        },
        Kind::Timestamps => bad("Timestamps needs length 10"),
        Kind::Partial_Order_Service_Profile => match body {
            [b] => OptionValue::PartialOrderProfile {
                start: b & 0x80 != 0,
                end: b & 0x40 != 0,
            },
            _ => bad("Partial Order Service Profile needs length 3"),
        },
        Kind::CC | Kind::CC_NEW | Kind::CC_ECHO if n == 4 => OptionValue::Cc(be32(body, 0)),
        Kind::CC | Kind::CC_NEW | Kind::CC_ECHO => bad("CC options need length 6"),
        Kind::TCP_Alternate_Checksum_Request => match body {
            [algo] => OptionValue::ChecksumRequest(Checksum(*algo)),
            _ => bad("Alternate Checksum Request needs length 3"),
        },
        Kind::TCP_Alternate_Checksum_Data => OptionValue::Data(body),
        Kind::MD5_Signature_Option if n == 16 => OptionValue::Md5(body),
        Kind::MD5_Signature_Option => bad("MD5 Signature needs length 18"),
        Kind::Quick_Start_Response => match body {
            [rate, ttl, ..] if n == 6 => OptionValue::QuickStart {
                req_rate: rate & 0x0f,
                ttl_diff: *ttl,
                nonce: be32(body, 2) >> 2,
            },
            _ => bad("Quick-Start Response needs length 8"),
        },
        Kind::User_Timeout_Option if n == 2 => {
            let v = be16(body, 0);
            let t = u32::from(v & 0x7fff);
            OptionValue::UserTimeout(if v & 0x8000 != 0 { t * 60 } else { t })
        }
        Kind::User_Timeout_Option => bad("User Timeout needs length 4"),
        Kind::TCP_Authentication_Option => match body {
            [key_id, next_key_id, mac @ ..] => OptionValue::Authentication {
                key_id: *key_id,
                next_key_id: *next_key_id,
                mac,
            },
            _ => bad("TCP Authentication Option needs length 4 or more"),
        },
        Kind::Multipath_TCP => match mptcp::decode(body, word) {
            Some(m) => OptionValue::Mptcp(m),
            None => bad("Multipath TCP needs length 3 or more"),
        },
        Kind::TCP_Fast_Open_Cookie if n <= 16 => OptionValue::FastOpenCookie(body),
        Kind::TCP_Fast_Open_Cookie => bad("TCP Fast Open cookie is at most 16 bytes"),
        _ => OptionValue::Unknown(body),
    }
}

impl Serialize for TcpOption<'_> {
    fn serialize<S: Serializer>(&self, serializer: S) -> Result<S::Ok, S::Error> {
        let mut st = serializer.serialize_struct("Option", 5)?;
        st.serialize_field("kind", &self.kind)?;
        st.serialize_field("length", &self.length)?;
        match self.value {
            OptionValue::Empty => {}
            OptionValue::Mss(mss) => st.serialize_field("mss", &mss)?,
            OptionValue::WindowScale(shift) => st.serialize_field("shift", &shift)?,
            OptionValue::Sack(blocks) => st.serialize_field("sack", &Tuple(blocks.iter()))?,
            OptionValue::Data(data) | OptionValue::Unknown(data) => {
                st.serialize_field("data", &Bytes(data))?;
            }
            OptionValue::Timestamps { timestamp, echo } => {
                st.serialize_field("timestamp", &timestamp)?;
                st.serialize_field("echo", &echo)?;
            }
            OptionValue::PartialOrderProfile { start, end } => {
                st.serialize_field("start", &start)?;
                st.serialize_field("end", &end)?;
            }
            OptionValue::Cc(cc) => st.serialize_field("cc", &cc)?,
            OptionValue::ChecksumRequest(c) => st.serialize_field("chksum", &c)?,
            OptionValue::Md5(digest) => st.serialize_field("digest", &Bytes(digest))?,
            OptionValue::QuickStart {
                req_rate,
                ttl_diff,
                nonce,
            } => {
                st.serialize_field("req_rate", &req_rate)?;
                st.serialize_field("ttl_diff", &ttl_diff)?;
                st.serialize_field("nonce", &nonce)?;
            }
            OptionValue::UserTimeout(timeout) => st.serialize_field("timeout", &timeout)?,
            OptionValue::Authentication {
                key_id,
                next_key_id,
                mac,
            } => {
                st.serialize_field("key_id", &key_id)?;
                st.serialize_field("next_key_id", &next_key_id)?;
                st.serialize_field("mac", &Bytes(mac))?;
            }
            OptionValue::Mptcp(m) => m.serialize_fields(&mut st)?,
            OptionValue::FastOpenCookie(cookie) => {
                st.serialize_field("cookie", &Bytes(cookie))?;
            }
            OptionValue::Malformed { data, malformed } => {
                st.serialize_field("data", &Bytes(data))?;
                st.serialize_field("malformed", malformed)?;
            }
        }
        st.end()
    }
}
