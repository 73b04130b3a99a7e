//! Transmission Control Protocol (RFC 9293), its options (`options.rs`) and Multipath
//! TCP (`mptcp.rs`).
//!
//! The options are kept as their raw bytes and decoded lazily through
//! [`Tcp::options`]: the common path (timestamps, SACK) allocates nothing. A malformed
//! option becomes an option entry with a `malformed` message; the TCP layer is kept.

pub mod mptcp;
pub mod options;
pub mod quote;

use nom::Parser;
use nom::number::complete::{be_u16, be_u32};
use serde::Serialize;
use serde::ser::{SerializeStruct, Serializer};

pub use mptcp::{Mptcp, MptcpValue};
pub use options::{OptionValue, Options, SackBlock, SackBlocks, TcpOption};
pub use quote::TcpQuote;

use crate::consts::reg::AppType;
use crate::consts::tcp::Flags;
use crate::error::{DissectError, Result};
use crate::protocol::{Ctx, Header, Level, Next, Parse, Parsed, PseudoHeader, Transport};
use crate::ser::{MultiDict, SeqOf};
use crate::transport::checksum::verify_transport_checksum;
use crate::wire;

/// Length of the fixed header (data offset 5).
pub const HEADER_LEN: usize = 20;

/// IP protocol number of TCP (pseudo-header).
const PROTO: u8 = 6;

/// Bits of the 16-bit data-offset/flags word.
mod bits {
    pub const FIN: u16 = 0x001;
    pub const SYN: u16 = 0x002;
    pub const RST: u16 = 0x004;
    pub const PSH: u16 = 0x008;
    pub const ACK: u16 = 0x010;
    pub const URG: u16 = 0x020;
    pub const ECE: u16 = 0x040;
    pub const CWR: u16 = 0x080;
    /// The 12 bits after the data offset (reserved, AE, CWR ... FIN).
    pub const ALL: u16 = 0x0fff;
}

/// PyPCAPKit's `flags` object: the eight classic control bits. The AE (former NS) and
/// reserved bits are in [`Tcp::connection`].
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq, Serialize)]
pub struct TcpFlags {
    /// Congestion window reduced.
    pub cwr: bool,
    /// ECN-echo.
    pub ece: bool,
    /// Urgent pointer significant.
    pub urg: bool,
    /// Acknowledgment number significant.
    pub ack: bool,
    /// Push.
    pub psh: bool,
    /// Reset.
    pub rst: bool,
    /// Synchronize sequence numbers.
    pub syn: bool,
    /// No more data from sender.
    pub fin: bool,
}

impl TcpFlags {
    /// The flags of a data-offset/flags word.
    pub const fn from_word(word: u16) -> Self {
        Self {
            cwr: word & bits::CWR != 0,
            ece: word & bits::ECE != 0,
            urg: word & bits::URG != 0,
            ack: word & bits::ACK != 0,
            psh: word & bits::PSH != 0,
            rst: word & bits::RST != 0,
            syn: word & bits::SYN != 0,
            fin: word & bits::FIN != 0,
        }
    }
}

/// PyPCAPKit's `connection` value of a data-offset/flags word: the `Flags` IntFlag
/// numbers bit `b` of the field (counted from the least significant, FIN = 0) as
/// `1 << (15 - b)`, so `ACK|FIN` is 34816.
pub const fn connection_flags(word: u16) -> Flags {
    Flags((word & bits::ALL).reverse_bits())
}

/// A TCP header (`tcp`, chain token `TCP`).
///
/// Serialized with PyPCAPKit's fields (`srcport` ... `connection`, `options` when the
/// header has options) plus `len` (payload length, tshark's `tcp.len`) after
/// `hdr_len`, `checksum_ok` after `checksum` and `option_kinds` (the option kinds in
/// wire order, which the `options` multi-dict loses) after `options`.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct Tcp<'a> {
    /// Source port (see [`Tcp::srcport`] for its `AppType`).
    pub src: u16,
    /// Destination port.
    pub dst: u16,
    /// Sequence number.
    pub seq: u32,
    /// Acknowledgment number.
    pub ack: u32,
    /// Header length in bytes (data offset × 4).
    pub hdr_len: u8,
    /// Payload bytes of the segment as the IP header declares them (tshark's
    /// `tcp.len`): more than captured when the capture cut the segment.
    pub len: usize,
    /// The data-offset/flags word as sent.
    pub word: u16,
    /// Receive window (unscaled).
    pub window_size: u16,
    /// Checksum as sent.
    pub checksum: u16,
    /// Urgent pointer.
    pub urgent_pointer: u16,
    /// The option bytes (header bytes 20 .. `hdr_len`).
    pub raw_options: &'a [u8],
    /// The whole segment and its pseudo-header, kept to verify the checksum lazily
    /// (`None` when it cannot be verified).
    segment: Option<(&'a [u8], PseudoHeader)>,
}

impl<'a> Tcp<'a> {
    /// The source port's `AppType` (looked up for TCP when asked: the dissection path
    /// does not pay for it).
    pub fn srcport(&self) -> AppType {
        AppType::tcp(self.src)
    }

    /// The destination port's `AppType`.
    pub fn dstport(&self) -> AppType {
        AppType::tcp(self.dst)
    }

    /// The eight classic flags.
    pub const fn flags(&self) -> TcpFlags {
        TcpFlags::from_word(self.word)
    }

    /// All 12 flag bits (reserved, AE, CWR ... FIN) as tshark's `tcp.flags`.
    pub const fn flag_bits(&self) -> u16 {
        self.word & bits::ALL
    }

    /// PyPCAPKit's `connection` IntFlag (`Flags::ACK|FIN [34816]`).
    pub const fn connection(&self) -> Flags {
        connection_flags(self.word)
    }

    /// The options in wire order, decoded on the fly (no allocation). Decoding stops
    /// after End of Option List and after an option whose length is unusable.
    pub fn options(&self) -> Options<'a> {
        Options::new(self.raw_options, self.word)
    }

    /// Whether the checksum verifies against the IP pseudo-header; `None` when the
    /// segment was not wholly captured, is an IP fragment, or no IP header carries it.
    /// Computed on each call (one pass over the segment).
    pub fn checksum_ok(&self) -> Option<bool> {
        let (segment, pseudo) = self.segment?;
        verify_transport_checksum(Some(pseudo), PROTO, segment)
    }
}

impl Header for Tcp<'_> {
    const NAME: &'static str = "TCP";
    const KEY: &'static str = "tcp";
    const LEVEL: Option<Level> = Some(Level::Transport);
}

impl<'a> Parse<'a> for Tcp<'a> {
    fn parse(data: &'a [u8], ctx: &Ctx) -> Result<Parsed<Self>> {
        wire::need(Self::NAME, ctx, data, HEADER_LEN)?;
        let (_, (src, dst, seq, ack, word, window_size, checksum, urgent_pointer)) = wire::finish(
            Self::NAME,
            ctx,
            data,
            (
                be_u16, be_u16, be_u32, be_u32, be_u16, be_u16, be_u16, be_u16,
            )
                .parse(data),
        )?;
        let offset = word >> 12;
        let hdr_len = usize::from(offset) * 4;
        if hdr_len < HEADER_LEN {
            return Err(DissectError::bad_value(
                Self::NAME,
                ctx.offset + 12,
                "hdr_len",
                u64::from(offset) * 4,
                "at least 20 (data offset 5 or more)",
            ));
        }
        wire::need(Self::NAME, ctx, data, hdr_len)?;
        let raw_options = data.get(HEADER_LEN..hdr_len).unwrap_or_default();
        let segment = match ctx.pseudo_header {
            Some(ph @ (PseudoHeader::V4 { .. } | PseudoHeader::V6 { .. }))
                if ctx.reported_len.is_none() =>
            {
                Some((data, ph))
            }
            _ => None,
        };
        let header = Tcp {
            src,
            dst,
            seq,
            ack,
            hdr_len: (offset * 4) as u8, // ok: offset < 16, so at most 60
            len: ctx
                .reported_len
                .unwrap_or(data.len())
                .saturating_sub(hdr_len),
            word,
            window_size,
            checksum,
            urgent_pointer,
            raw_options,
            segment,
        };
        Ok(Parsed {
            header,
            header_len: hdr_len,
            payload_len: data.len() - hdr_len,
            next: Next::Ports {
                transport: Transport::Tcp,
                src,
                dst,
            },
        })
    }
}

impl Serialize for Tcp<'_> {
    fn serialize<S: Serializer>(&self, serializer: S) -> std::result::Result<S::Ok, S::Error> {
        let has_options = !self.raw_options.is_empty();
        let mut st = serializer.serialize_struct("TCP", if has_options { 15 } else { 13 })?;
        st.serialize_field("srcport", &self.srcport())?;
        st.serialize_field("dstport", &self.dstport())?;
        st.serialize_field("seq", &self.seq)?;
        st.serialize_field("ack", &self.ack)?;
        st.serialize_field("hdr_len", &self.hdr_len)?;
        st.serialize_field("len", &self.len)?;
        st.serialize_field("flags", &self.flags())?;
        st.serialize_field("window_size", &self.window_size)?;
        st.serialize_field("checksum", &self.checksum)?;
        st.serialize_field("checksum_ok", &self.checksum_ok())?;
        st.serialize_field("urgent_pointer", &self.urgent_pointer)?;
        st.serialize_field("connection", &self.connection())?;
        if has_options {
            st.serialize_field("options", &MultiDict(self.options().map(|o| (o.kind, o))))?;
            st.serialize_field("option_kinds", &SeqOf(self.options().map(|o| o.kind.0)))?;
        }
        st.end()
    }
}

#[cfg(test)]
mod tests;
