//! HTTP/2 frames (RFC 9113), several per segment.
//!
//! The layer serializes as `preface` (whether the segment starts with the connection
//! preface), `frames` (a list, one object per frame in the segment, as tshark reports
//! `http2.type` etc. for every frame) and `trailing` (bytes of a frame header cut by
//! the segment end; only when present). Each frame has PyPCAPKit's fields: `length`
//! (of the payload: the 9-byte header is not counted, fixing PyPCAPKit's bug 31),
//! `type`, `flags` (per-type flag object, or `null` for types without flags), `sid`,
//! then per type: DATA `pad_len, data`; HEADERS `pad_len, excl_dependency,
//! stream_dependency, weight, fragment` (priority fields `null` without the PRIORITY
//! flag); PRIORITY `excl_dependency, stream_dependency, weight`; RST_STREAM `error`;
//! SETTINGS `settings` (multi-dict `Setting` → [values]); PUSH_PROMISE `pad_len,
//! promised_sid, fragment`; PING `data`; GOAWAY `last_sid, error, debug_data`;
//! WINDOW_UPDATE `increment`; CONTINUATION `fragment`; other types `data`. A frame
//! whose payload contradicts its type (a PRIORITY frame of length 4, padding longer
//! than the frame) has `data` and a `malformed` message instead; a frame cut by the
//! segment end has `data` (what was captured) and `truncated: true`. HPACK header
//! blocks are not decoded.

use serde::Serialize;
use serde::ser::{SerializeStruct, Serializer};

use crate::consts::http::{ErrorCode, Frame, Setting};
use crate::ser::{Bytes, MultiDict, SeqOf};

/// The client connection preface.
pub const PREFACE: &[u8; 24] = b"PRI * HTTP/2.0\r\n\r\nSM\r\n\r\n";

/// Length of a frame header.
pub const FRAME_HEADER_LEN: usize = 9;

/// Largest frame payload a peer must accept without a SETTINGS change (2^14).
pub const DEFAULT_MAX_FRAME_SIZE: u32 = 16_384;

/// An HTTP/2 segment: an optional preface and the frames that follow.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct Http2<'a> {
    /// Whether the segment starts with the connection preface.
    pub preface: bool,
    /// The frames (complete, or the last one cut by the segment end).
    raw_frames: &'a [u8],
    /// A frame header cut by the segment end (fewer than 9 bytes).
    pub trailing: &'a [u8],
}

/// One frame: its header and the payload bytes captured.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct Frame2<'a> {
    /// Payload length (the 9-byte header not counted).
    pub length: u32,
    /// Frame type.
    pub ty: Frame,
    /// Flags byte.
    pub flags: u8,
    /// Stream identifier (31 bits; the reserved bit is dropped).
    pub sid: u32,
    /// Payload bytes in this segment (all of them unless `truncated`).
    pub payload: &'a [u8],
    /// Whether the segment ends inside the payload.
    pub truncated: bool,
}

/// Flag bits.
mod flag {
    pub const END_STREAM: u8 = 0x01;
    pub const ACK: u8 = 0x01;
    pub const END_HEADERS: u8 = 0x04;
    pub const PADDED: u8 = 0x08;
    pub const PRIORITY: u8 = 0x20;
}

fn be24(b: &[u8]) -> u32 {
    match b {
        [a, b, c, ..] => u32::from_be_bytes([0, *a, *b, *c]),
        _ => 0,
    }
}

fn be32(b: &[u8], at: usize) -> u32 {
    b.get(at..at + 4)
        .and_then(|s| <[u8; 4]>::try_from(s).ok())
        .map_or(0, u32::from_be_bytes)
}

/// Reads the frame at the start of `data`: the frame and the bytes after it, or `None`
/// when fewer than 9 bytes remain. Also returns the raw stream-id word (reserved bit).
fn frame_at(data: &[u8]) -> Option<(Frame2<'_>, &[u8], bool)> {
    let (head, rest) = data.split_at_checked(FRAME_HEADER_LEN)?;
    let length = be24(head);
    let ty = Frame(*head.get(3)?);
    let flags = *head.get(4)?;
    let sid_word = be32(head, 5);
    let want = usize::try_from(length).unwrap_or(usize::MAX);
    let (payload, after, truncated) = match rest.split_at_checked(want) {
        Some((p, a)) => (p, a, false),
        None => (rest, &[][..], true),
    };
    let frame = Frame2 {
        length,
        ty,
        flags,
        sid: sid_word & 0x7fff_ffff,
        payload,
        truncated,
    };
    Some((frame, after, sid_word & 0x8000_0000 != 0))
}

/// Whether a frame header is what a conforming peer sends: known type, defined flags
/// only, the stream-id rules and fixed lengths of its type, reserved bit clear, and a
/// length within the default maximum. What a segment must satisfy to be taken for
/// HTTP/2 without a preface.
fn plausible(f: &Frame2<'_>, reserved: bool) -> bool {
    let stream = f.sid != 0;
    let (len, fl) = (f.length, f.flags);
    !reserved
        && len <= DEFAULT_MAX_FRAME_SIZE
        && match f.ty {
            Frame::DATA => stream && fl & !(flag::END_STREAM | flag::PADDED) == 0,
            Frame::HEADERS => {
                stream
                    && fl & !(flag::END_STREAM | flag::END_HEADERS | flag::PADDED | flag::PRIORITY)
                        == 0
            }
            Frame::PRIORITY => stream && len == 5 && fl == 0,
            Frame::RST_STREAM => stream && len == 4 && fl == 0,
            Frame::SETTINGS => {
                !stream && len % 6 == 0 && fl & !flag::ACK == 0 && (fl == 0 || len == 0)
            }
            Frame::PUSH_PROMISE => {
                stream && len >= 4 && fl & !(flag::END_HEADERS | flag::PADDED) == 0
            }
            Frame::PING => !stream && len == 8 && fl & !flag::ACK == 0,
            Frame::GOAWAY => !stream && len >= 8 && fl == 0,
            Frame::WINDOW_UPDATE => len == 4 && fl == 0,
            Frame::CONTINUATION => stream && fl & !flag::END_HEADERS == 0,
            Frame::ALTSVC => fl == 0,
            Frame::ORIGIN | Frame::PRIORITY_UPDATE => !stream && fl == 0,
            _ => false,
        }
}

/// Whether `data` is HTTP/2: it starts with the connection preface, or with a frame
/// sequence in which every frame header is [plausible] and every complete payload fits
/// its type (the last frame may be cut by the segment end).
pub fn recognize(data: &[u8]) -> bool {
    if data.starts_with(PREFACE) {
        return true;
    }
    let mut rest = data;
    let mut frames = 0usize;
    while let Some((frame, after, reserved)) = frame_at(rest) {
        if !plausible(&frame, reserved) || matches!(frame.payload(), Payload::Malformed { .. }) {
            return false;
        }
        frames += 1;
        rest = after;
    }
    frames > 0
}

/// Decodes a segment as HTTP/2 (call [`recognize`] first to know whether it is one).
pub fn parse(data: &[u8]) -> Http2<'_> {
    let (preface, body) = match data.strip_prefix(PREFACE) {
        Some(rest) => (true, rest),
        None => (false, data),
    };
    let mut rest = body;
    while let Some((_, after, _)) = frame_at(rest) {
        rest = after;
    }
    let frames_len = body.len() - rest.len();
    Http2 {
        preface,
        raw_frames: body.get(..frames_len).unwrap_or_default(),
        trailing: rest,
    }
}

/// The frames of a segment, in order.
#[derive(Clone, Debug)]
pub struct Frames<'a>(&'a [u8]);

impl<'a> Iterator for Frames<'a> {
    type Item = Frame2<'a>;

    fn next(&mut self) -> Option<Frame2<'a>> {
        let (frame, after, _) = frame_at(self.0)?;
        self.0 = after;
        Some(frame)
    }
}

impl<'a> Http2<'a> {
    /// The frames, in order (decoded on the fly).
    pub fn frames(&self) -> Frames<'a> {
        Frames(self.raw_frames)
    }
}

/// A frame's payload decoded for its type.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Payload<'a> {
    /// DATA.
    Data {
        /// Padding length (0 when not padded).
        pad_len: u8,
        /// Data without padding.
        data: &'a [u8],
    },
    /// HEADERS.
    Headers {
        /// Padding length (0 when not padded).
        pad_len: u8,
        /// Exclusive dependency (PRIORITY flag).
        excl_dependency: Option<bool>,
        /// Stream dependency (PRIORITY flag).
        stream_dependency: Option<u32>,
        /// Weight as sent (PRIORITY flag).
        weight: Option<u8>,
        /// Header block fragment (HPACK, not decoded).
        fragment: &'a [u8],
    },
    /// PRIORITY.
    Priority {
        /// Exclusive dependency.
        excl_dependency: bool,
        /// Stream dependency.
        stream_dependency: u32,
        /// Weight as sent.
        weight: u8,
    },
    /// RST_STREAM error code.
    RstStream(ErrorCode),
    /// SETTINGS: identifier/value pairs (6 bytes each).
    Settings(&'a [u8]),
    /// PUSH_PROMISE.
    PushPromise {
        /// Padding length (0 when not padded).
        pad_len: u8,
        /// Promised stream identifier.
        promised_sid: u32,
        /// Header block fragment.
        fragment: &'a [u8],
    },
    /// PING opaque data.
    Ping(&'a [u8]),
    /// GOAWAY.
    Goaway {
        /// Last stream identifier.
        last_sid: u32,
        /// Error code.
        error: ErrorCode,
        /// Additional debug data.
        debug_data: &'a [u8],
    },
    /// WINDOW_UPDATE increment.
    WindowUpdate(u32),
    /// CONTINUATION header block fragment.
    Continuation(&'a [u8]),
    /// Any other type: the payload.
    Unknown(&'a [u8]),
    /// A payload that contradicts its type.
    Malformed {
        /// The payload.
        data: &'a [u8],
        /// What is wrong.
        malformed: &'static str,
    },
    /// The segment ends inside the payload: what was captured.
    Truncated(&'a [u8]),
}

/// Strips padding: `(pad_len, content)`, or `None` when the padding does not fit.
fn unpad(p: &[u8], padded: bool, fixed: usize) -> Option<(u8, &[u8])> {
    if !padded {
        return (p.len() >= fixed).then_some((0, p));
    }
    let (&pad, rest) = p.split_first()?;
    let keep = rest.len().checked_sub(usize::from(pad))?;
    if keep < fixed {
        return None;
    }
    Some((pad, rest.get(..keep)?))
}

impl<'a> Frame2<'a> {
    /// The payload decoded for the frame's type.
    pub fn payload(&self) -> Payload<'a> {
        let p = self.payload;
        if self.truncated {
            return Payload::Truncated(p);
        }
        let padded = self.flags & flag::PADDED != 0;
        let bad = |malformed| Payload::Malformed { data: p, malformed };
        match self.ty {
            Frame::DATA => match unpad(p, padded, 0) {
                Some((pad_len, data)) => Payload::Data { pad_len, data },
                None => bad("padding longer than the frame"),
            },
            Frame::HEADERS => {
                let prio = self.flags & flag::PRIORITY != 0;
                match unpad(p, padded, if prio { 5 } else { 0 }) {
                    Some((pad_len, content)) if prio => {
                        let dep = be32(content, 0);
                        Payload::Headers {
                            pad_len,
                            excl_dependency: Some(dep & 0x8000_0000 != 0),
                            stream_dependency: Some(dep & 0x7fff_ffff),
                            weight: content.get(4).copied(),
                            fragment: content.get(5..).unwrap_or_default(),
                        }
                    }
                    Some((pad_len, fragment)) => Payload::Headers {
                        pad_len,
                        excl_dependency: None,
                        stream_dependency: None,
                        weight: None,
                        fragment,
                    },
                    None => bad("padding and priority longer than the frame"),
                }
            }
            Frame::PRIORITY => match p {
                [_, _, _, _, weight] => {
                    let dep = be32(p, 0);
                    Payload::Priority {
                        excl_dependency: dep & 0x8000_0000 != 0,
                        stream_dependency: dep & 0x7fff_ffff,
                        weight: *weight,
                    }
                }
                _ => bad("PRIORITY needs length 5"),
            },
            Frame::RST_STREAM if p.len() == 4 => Payload::RstStream(ErrorCode(be32(p, 0))),
            Frame::RST_STREAM => bad("RST_STREAM needs length 4"),
            Frame::SETTINGS if p.len() % 6 == 0 => Payload::Settings(p),
            Frame::SETTINGS => bad("SETTINGS length must be a multiple of 6"),
            Frame::PUSH_PROMISE => match unpad(p, padded, 4) {
                Some((pad_len, content)) => Payload::PushPromise {
                    pad_len,
                    promised_sid: be32(content, 0) & 0x7fff_ffff,
                    fragment: content.get(4..).unwrap_or_default(),
                },
                None => bad("PUSH_PROMISE needs a 4-byte promised stream id after padding"),
            },
            Frame::PING if p.len() == 8 => Payload::Ping(p),
            Frame::PING => bad("PING needs length 8"),
            Frame::GOAWAY if p.len() >= 8 => Payload::Goaway {
                last_sid: be32(p, 0) & 0x7fff_ffff,
                error: ErrorCode(be32(p, 4)),
                debug_data: p.get(8..).unwrap_or_default(),
            },
            Frame::GOAWAY => bad("GOAWAY needs length 8 or more"),
            Frame::WINDOW_UPDATE if p.len() == 4 => Payload::WindowUpdate(be32(p, 0) & 0x7fff_ffff),
            Frame::WINDOW_UPDATE => bad("WINDOW_UPDATE needs length 4"),
            Frame::CONTINUATION => Payload::Continuation(p),
            _ => Payload::Unknown(p),
        }
    }

    /// SETTINGS pairs (empty for other frames).
    pub fn settings(&self) -> impl Iterator<Item = (Setting, u32)> + Clone + 'a {
        let p = match self.payload() {
            Payload::Settings(p) => p,
            _ => &[],
        };
        p.chunks_exact(6).map(|c| {
            let id =
                c.first().map_or(0, |&a| u16::from(a) << 8) | c.get(1).map_or(0, |&b| u16::from(b));
            (Setting(id), be32(c, 2))
        })
    }
}

/// PyPCAPKit's per-type flag objects.
struct FlagsOf(Frame, u8);

impl Serialize for FlagsOf {
    fn serialize<S: Serializer>(&self, serializer: S) -> Result<S::Ok, S::Error> {
        let FlagsOf(ty, f) = *self;
        let names: &[(&str, u8)] = match ty {
            Frame::DATA => &[("END_STREAM", flag::END_STREAM), ("PADDED", flag::PADDED)],
            Frame::HEADERS => &[
                ("END_STREAM", flag::END_STREAM),
                ("END_HEADERS", flag::END_HEADERS),
                ("PADDED", flag::PADDED),
                ("PRIORITY", flag::PRIORITY),
            ],
            Frame::SETTINGS | Frame::PING => &[("ACK", flag::ACK)],
            Frame::PUSH_PROMISE => &[("END_HEADERS", flag::END_HEADERS), ("PADDED", flag::PADDED)],
            Frame::CONTINUATION => &[("END_HEADERS", flag::END_HEADERS)],
            _ => return serializer.serialize_none(),
        };
        let mut st = serializer.serialize_struct("Flags", names.len())?;
        for &(name, bit) in names {
            st.serialize_field(name, &(f & bit != 0))?;
        }
        st.end()
    }
}

impl Serialize for Frame2<'_> {
    fn serialize<S: Serializer>(&self, serializer: S) -> Result<S::Ok, S::Error> {
        let mut st = serializer.serialize_struct("Frame", 10)?;
        st.serialize_field("length", &self.length)?;
        st.serialize_field("type", &self.ty)?;
        st.serialize_field("flags", &FlagsOf(self.ty, self.flags))?;
        st.serialize_field("sid", &self.sid)?;
        match self.payload() {
            Payload::Data { pad_len, data } => {
                st.serialize_field("pad_len", &pad_len)?;
                st.serialize_field("data", &Bytes(data))?;
            }
            Payload::Headers {
                pad_len,
                excl_dependency,
                stream_dependency,
                weight,
                fragment,
            } => {
                st.serialize_field("pad_len", &pad_len)?;
                st.serialize_field("excl_dependency", &excl_dependency)?;
                st.serialize_field("stream_dependency", &stream_dependency)?;
                st.serialize_field("weight", &weight)?;
                st.serialize_field("fragment", &Bytes(fragment))?;
            }
            Payload::Priority {
                excl_dependency,
                stream_dependency,
                weight,
            } => {
                st.serialize_field("excl_dependency", &excl_dependency)?;
                st.serialize_field("stream_dependency", &stream_dependency)?;
                st.serialize_field("weight", &weight)?;
            }
            Payload::RstStream(error) => st.serialize_field("error", &error)?,
            Payload::Settings(_) => st.serialize_field("settings", &MultiDict(self.settings()))?,
            Payload::PushPromise {
                pad_len,
                promised_sid,
                fragment,
            } => {
                st.serialize_field("pad_len", &pad_len)?;
                st.serialize_field("promised_sid", &promised_sid)?;
                st.serialize_field("fragment", &Bytes(fragment))?;
            }
            Payload::Ping(data) | Payload::Unknown(data) => {
                st.serialize_field("data", &Bytes(data))?;
            }
            Payload::Goaway {
                last_sid,
                error,
                debug_data,
            } => {
                st.serialize_field("last_sid", &last_sid)?;
                st.serialize_field("error", &error)?;
                st.serialize_field("debug_data", &Bytes(debug_data))?;
            }
            Payload::WindowUpdate(increment) => st.serialize_field("increment", &increment)?,
            Payload::Continuation(fragment) => st.serialize_field("fragment", &Bytes(fragment))?,
            Payload::Malformed { data, malformed } => {
                st.serialize_field("data", &Bytes(data))?;
                st.serialize_field("malformed", malformed)?;
            }
            Payload::Truncated(data) => {
                st.serialize_field("data", &Bytes(data))?;
                st.serialize_field("truncated", &true)?;
            }
        }
        st.end()
    }
}

impl Serialize for Http2<'_> {
    fn serialize<S: Serializer>(&self, serializer: S) -> Result<S::Ok, S::Error> {
        let mut st = serializer.serialize_struct("HTTP", 3)?;
        st.serialize_field("preface", &self.preface)?;
        st.serialize_field("frames", &SeqOf(self.frames()))?;
        if !self.trailing.is_empty() {
            st.serialize_field("trailing", &Bytes(self.trailing))?;
        }
        st.end()
    }
}
