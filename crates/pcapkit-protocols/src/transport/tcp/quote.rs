//! A TCP header cut short: quoted in an ICMP / ICMPv6 error, or cut by the snaplen.
//!
//! RFC 792 only requires an ICMP error to quote the offending datagram's IP header and
//! the first 8 bytes of its payload: for TCP that is the ports and the sequence number.
//! A small snaplen (`tcpdump -s 68`, `-s 96`) likewise cuts headers that carry options.
//! Such a header is decoded into [`TcpQuote`]: the fields that were captured, marked
//! `truncated`, instead of a `raw` layer whose truncation error hides the ports (tshark
//! shows them too). A header captured whole is an ordinary [`Tcp`](super::Tcp).

use serde::Serialize;
use serde::ser::{SerializeMap, Serializer};

use crate::consts::reg::AppType;
use crate::consts::tcp::Flags;
use crate::error::Result;
use crate::internet::common::Reader;
use crate::protocol::{Ctx, Header, Level, Next, Parse, Parsed};
use crate::wire;

use super::options::Options;
use super::{HEADER_LEN, TcpFlags, connection_flags};
use crate::ser::{MultiDict, SeqOf};

/// Bytes an ICMP error must quote of the payload (RFC 792): ports and sequence number.
pub const QUOTE_MIN: usize = 8;
/// Bytes of a snaplen-cut header below which only its ports are shown: tshark reads
/// the window (bytes 14..16) before it shows the fields after the ports.
pub const CUT_FIELDS_MIN: usize = 16;
/// The ports.
const PORTS_LEN: usize = 4;

/// Whether `data` is too short for the whole TCP header it starts (fixed part, then the
/// data offset's length when that is readable): such a quote decodes as [`TcpQuote`].
pub fn is_partial(data: &[u8]) -> bool {
    let hdr_len = data
        .get(12)
        .map_or(HEADER_LEN, |b| usize::from(b >> 4) * 4)
        .max(HEADER_LEN);
    data.len() < hdr_len
}

/// The captured part of a TCP header (`tcp`, chain token `TCP`): ports always, every
/// later fixed-header field only when its bytes were captured, the options that begin
/// within them. A header the snaplen cut before [`CUT_FIELDS_MIN`] bytes shows its ports
/// only, as tshark does (an ICMP quote shows what it holds). Serialized with [`Tcp`](super::Tcp)'s field names
/// for the fields present (`len` only when the snaplen cut the header: a quote's
/// lengths are the original datagram's), then `truncated: true` and `captured_len`.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct TcpQuote<'a> {
    /// Source port.
    pub src: u16,
    /// Destination port.
    pub dst: u16,
    /// Sequence number (bytes 4..8; always there in an ICMP quote).
    pub seq: Option<u32>,
    /// Acknowledgment number (bytes 8..12).
    pub ack: Option<u32>,
    /// The data-offset/flags word (bytes 12..14).
    pub word: Option<u16>,
    /// Receive window (bytes 14..16).
    pub window_size: Option<u16>,
    /// Checksum (bytes 16..18).
    pub checksum: Option<u16>,
    /// Urgent pointer (bytes 18..20).
    pub urgent_pointer: Option<u16>,
    /// Segment payload length from the IP header's lengths, when the snaplen (not an
    /// ICMP quote) cut the header.
    pub len: Option<usize>,
    /// The captured option bytes (after the fixed header, up to the data offset).
    pub raw_options: &'a [u8],
    /// Header bytes captured.
    pub captured_len: usize,
}

impl<'a> TcpQuote<'a> {
    /// The source port's `AppType`.
    pub fn srcport(&self) -> AppType {
        AppType::tcp(self.src)
    }

    /// The destination port's `AppType`.
    pub fn dstport(&self) -> AppType {
        AppType::tcp(self.dst)
    }

    /// Header length in bytes (data offset × 4), when quoted.
    pub fn hdr_len(&self) -> Option<u8> {
        self.word.map(|w| ((w >> 12) * 4) as u8) // ok: at most 60
    }

    /// The eight classic flags, when quoted.
    pub fn flags(&self) -> Option<TcpFlags> {
        self.word.map(TcpFlags::from_word)
    }

    /// PyPCAPKit's `connection` IntFlag, when quoted.
    pub fn connection(&self) -> Option<Flags> {
        self.word.map(connection_flags)
    }

    /// The options that begin within the captured bytes, in wire order (the one the
    /// cut runs through is malformed).
    pub fn options(&self) -> Options<'a> {
        Options::new(self.raw_options, self.word.unwrap_or_default())
    }
}

impl Header for TcpQuote<'_> {
    const NAME: &'static str = "TCP";
    const KEY: &'static str = "tcp";
    const LEVEL: Option<Level> = Some(Level::Transport);
}

impl<'a> Parse<'a> for TcpQuote<'a> {
    fn parse(data: &'a [u8], ctx: &Ctx) -> Result<Parsed<Self>> {
        wire::need(
            Self::NAME,
            ctx,
            data,
            if ctx.quoted { QUOTE_MIN } else { PORTS_LEN },
        )?;
        let shown = if ctx.quoted || data.len() >= CUT_FIELDS_MIN {
            data
        } else {
            data.get(..PORTS_LEN).unwrap_or_default()
        };
        let mut r = Reader::new(shown);
        let word = shown
            .get(12..14)
            .and_then(|w| <[u8; 2]>::try_from(w).ok())
            .map(u16::from_be_bytes);
        let hdr_len = word.map_or(HEADER_LEN, |w| usize::from(w >> 12) * 4);
        let raw_options = shown
            .get(HEADER_LEN..hdr_len.min(shown.len()))
            .unwrap_or_default();
        let len = match (ctx.quoted, ctx.reported_len, word) {
            (false, Some(reported), Some(_)) => Some(reported.saturating_sub(hdr_len)),
            _ => None,
        };
        let header = TcpQuote {
            src: r.u16().unwrap_or_default(),
            dst: r.u16().unwrap_or_default(),
            seq: r.u32(),
            ack: r.u32(),
            word: r.u16(),
            window_size: r.u16(),
            checksum: r.u16(),
            urgent_pointer: r.u16(),
            len,
            raw_options,
            captured_len: data.len(),
        };
        Ok(Parsed {
            header,
            header_len: data.len(),
            payload_len: 0,
            next: Next::End,
        })
    }
}

impl Serialize for TcpQuote<'_> {
    fn serialize<S: Serializer>(&self, serializer: S) -> std::result::Result<S::Ok, S::Error> {
        let mut m = serializer.serialize_map(None)?;
        m.serialize_entry("srcport", &self.srcport())?;
        m.serialize_entry("dstport", &self.dstport())?;
        if let Some(seq) = self.seq {
            m.serialize_entry("seq", &seq)?;
        }
        if let Some(ack) = self.ack {
            m.serialize_entry("ack", &ack)?;
        }
        if let (Some(hdr_len), Some(flags)) = (self.hdr_len(), self.flags()) {
            m.serialize_entry("hdr_len", &hdr_len)?;
            if let Some(len) = self.len {
                m.serialize_entry("len", &len)?;
            }
            m.serialize_entry("flags", &flags)?;
        }
        if let Some(window_size) = self.window_size {
            m.serialize_entry("window_size", &window_size)?;
        }
        if let Some(checksum) = self.checksum {
            m.serialize_entry("checksum", &checksum)?;
        }
        if let Some(urgent_pointer) = self.urgent_pointer {
            m.serialize_entry("urgent_pointer", &urgent_pointer)?;
        }
        if let Some(connection) = self.connection() {
            m.serialize_entry("connection", &connection)?;
        }
        if !self.raw_options.is_empty() {
            m.serialize_entry("options", &MultiDict(self.options().map(|o| (o.kind, o))))?;
            m.serialize_entry("option_kinds", &SeqOf(self.options().map(|o| o.kind.0)))?;
        }
        m.serialize_entry("truncated", &true)?;
        m.serialize_entry("captured_len", &self.captured_len)?;
        m.end()
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::error::DissectError;

    /// 51000 -> 80, seq 0x01020304, ack 0x0a0b0c0d, SYN|ACK, window 1024, checksum
    /// 0xbeef, urgent 0.
    const HEADER: [u8; 20] = [
        0xc7, 0x38, 0x00, 0x50, 0x01, 0x02, 0x03, 0x04, 0x0a, 0x0b, 0x0c, 0x0d, 0x50, 0x12, 0x04,
        0x00, 0xbe, 0xef, 0x00, 0x00,
    ];

    /// Inside an ICMP error's quote.
    fn quoted() -> Ctx {
        Ctx {
            quoted: true,
            ..Ctx::default()
        }
    }

    fn quote(n: usize) -> TcpQuote<'static> {
        TcpQuote::parse(&HEADER[..n], &quoted()).unwrap().header
    }

    #[test]
    fn eight_bytes_give_ports_and_seq() {
        let p = TcpQuote::parse(&HEADER[..8], &quoted()).unwrap();
        assert_eq!((p.header_len, p.payload_len, p.next), (8, 0, Next::End));
        let q = p.header;
        assert_eq!((q.src, q.dst, q.seq), (51000, 80, Some(0x0102_0304)));
        assert_eq!((q.ack, q.word, q.window_size), (None, None, None));
        let v = serde_json::to_value(q).unwrap();
        assert_eq!(v["srcport"]["port"], 51000);
        assert_eq!(v["dstport"]["port"], 80);
        assert_eq!(v["seq"], 0x0102_0304);
        assert_eq!(v["truncated"], true);
        assert_eq!(v["captured_len"], 8);
        for absent in [
            "ack",
            "hdr_len",
            "flags",
            "window_size",
            "checksum",
            "connection",
        ] {
            assert!(v.get(absent).is_none(), "{absent}");
        }
    }

    #[test]
    fn later_fields_appear_as_their_bytes_are_quoted() {
        assert_eq!(quote(11).ack, None);
        assert_eq!(quote(12).ack, Some(0x0a0b_0c0d));
        assert_eq!(quote(13).word, None);
        let q = quote(14);
        assert_eq!(q.hdr_len(), Some(20));
        let flags = q.flags().unwrap();
        assert!(flags.syn && flags.ack && !flags.fin);
        assert_eq!(q.window_size, None);
        let v = serde_json::to_value(quote(16)).unwrap();
        assert_eq!(v["window_size"], 1024);
        assert_eq!(v["flags"]["syn"], true);
        assert_eq!(v["hdr_len"], 20);
        assert!(v["connection"].as_str().unwrap().starts_with("Flags::"));
        assert!(v.get("checksum").is_none());
        let q = quote(19);
        assert_eq!((q.checksum, q.urgent_pointer), (Some(0xbeef), None));
        assert_eq!(q.captured_len, 19);
    }

    #[test]
    fn fewer_than_eight_bytes_is_a_truncation_error() {
        let ctx = Ctx {
            offset: 62,
            quoted: true,
            ..Ctx::default()
        };
        for n in 0..QUOTE_MIN {
            assert_eq!(
                TcpQuote::parse(&HEADER[..n], &ctx).unwrap_err(),
                DissectError::truncated("TCP", 62, 8, n)
            );
        }
    }

    #[test]
    fn snaplen_cut_headers_show_ports_only_below_sixteen_bytes() {
        // Cut by the snaplen (not quoted); the IP header declared 20 + 100 bytes.
        let ctx = Ctx {
            reported_len: Some(120),
            ..Ctx::default()
        };
        for n in PORTS_LEN..CUT_FIELDS_MIN {
            let q = TcpQuote::parse(&HEADER[..n], &ctx).unwrap().header;
            assert_eq!((q.src, q.dst), (51000, 80));
            assert_eq!((q.seq, q.ack, q.word, q.len), (None, None, None, None));
            assert_eq!(q.captured_len, n);
        }
        let q = TcpQuote::parse(&HEADER[..CUT_FIELDS_MIN], &ctx)
            .unwrap()
            .header;
        assert_eq!(
            (q.seq, q.window_size, q.len),
            (Some(0x0102_0304), Some(1024), Some(100))
        );
        assert_eq!(
            TcpQuote::parse(&HEADER[..3], &ctx).unwrap_err(),
            DissectError::truncated("TCP", 0, 4, 3)
        );
    }

    #[test]
    fn partial_means_shorter_than_the_header() {
        assert!(is_partial(&HEADER[..8]));
        assert!(is_partial(&HEADER[..19]));
        assert!(!is_partial(&HEADER));
        // Data offset 8 (32 bytes): 20 bytes are not the whole header.
        let mut long = HEADER;
        long[12] = 0x80;
        assert!(is_partial(&long));
        // A bogus data offset below 5 still needs the 20 fixed bytes.
        let mut bogus = HEADER;
        bogus[12] = 0x10;
        assert!(!is_partial(&bogus));
        assert!(is_partial(&bogus[..12]));
    }
}
