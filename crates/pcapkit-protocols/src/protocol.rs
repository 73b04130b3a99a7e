//! What every protocol module implements: how to describe a decoded header in the
//! output ([`Header`]) and how to decode it from bytes ([`Parse`]).

use std::fmt;
use std::net::{Ipv4Addr, Ipv6Addr};

use pcapkit_core::LinkType;

use crate::consts::RegistryEnum;
use crate::consts::reg::{EtherType, TransType};
use crate::error::Result;

/// The four layers of PyPCAPKit's model, used by the `layer` stop condition.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub enum Level {
    /// Link layer (`Link`): Ethernet, VLAN, ARP, ...
    Link,
    /// Internet layer (`Internet`): IPv4, IPv6, IPX, ...
    Internet,
    /// Transport layer (`Transport`): TCP, UDP, ...
    Transport,
    /// Application layer (`Application`): FTP, HTTP, ...
    Application,
}

impl Level {
    /// PyPCAPKit's name of the layer (`"Link"`, ...).
    pub const fn name(self) -> &'static str {
        match self {
            Level::Link => "Link",
            Level::Internet => "Internet",
            Level::Transport => "Transport",
            Level::Application => "Application",
        }
    }

    /// Parses a layer name case-insensitively (`link`, `Internet`, `TRANSPORT`, ...).
    /// `None`/`raw` (no threshold) gives `Ok(None)`; anything else is an error.
    pub fn from_name(name: &str) -> std::result::Result<Option<Level>, UnknownLevel> {
        let levels = [
            Level::Link,
            Level::Internet,
            Level::Transport,
            Level::Application,
        ];
        if name.eq_ignore_ascii_case("none") || name.eq_ignore_ascii_case("raw") || name.is_empty()
        {
            return Ok(None);
        }
        levels
            .into_iter()
            .find(|l| l.name().eq_ignore_ascii_case(name))
            .map(Some)
            .ok_or_else(|| UnknownLevel(name.to_owned()))
    }
}

impl fmt::Display for Level {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.name())
    }
}

/// A layer name that is not one of `None`, `Link`, `Internet`, `Transport`, `Application`.
#[derive(Clone, Debug, PartialEq, Eq, thiserror::Error)]
#[error("unknown layer {0:?}: expected one of None, Link, Internet, Transport, Application")]
pub struct UnknownLevel(pub String);

/// The transport protocol that carries a port pair.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
pub enum Transport {
    /// TCP.
    Tcp,
    /// UDP.
    Udp,
    /// SCTP.
    Sctp,
}

/// What a layer says about the bytes that follow its header.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Next {
    /// Nothing is known about the payload: it is `Raw` with no protocol (or `NoPayload`
    /// when empty).
    End,
    /// A link-layer header of this type.
    Link(LinkType),
    /// An EtherType (Ethernet II, VLAN, SLL, ...).
    EtherType(EtherType),
    /// An IP protocol number / IPv6 next header.
    IpProto(TransType),
    /// A transport payload between these ports (dispatch by port, then by content).
    Ports {
        /// Carrying protocol.
        transport: Transport,
        /// Source port.
        src: u16,
        /// Destination port.
        dst: u16,
    },
    /// Decode with this protocol directly.
    Proto(crate::ProtoId),
    /// Application payload of unknown kind: guess from the content (`analyse`).
    Sniff,
    /// Opaque payload of a known kind, kept as `raw` (optionally with a note, e.g. a
    /// non-first IP fragment).
    Raw(RawProto, Option<&'static str>),
    /// The payload is part of this layer's own content (an HTTP body, FTP lines): no
    /// child layer follows, not even `nopayload` (PyPCAPKit's application layers have
    /// none). The layer's `packet` still shows the payload bytes.
    Leaf,
}

/// What a `raw` layer was looked up as: printed as its `protocol` field and used for its
/// chain token (PyPCAPKit's behaviour).
#[derive(Clone, Copy, Debug, PartialEq, Eq, Default)]
pub enum RawProto {
    /// No protocol (`"protocol": null`, token `Raw`).
    #[default]
    None,
    /// An unsupported link type.
    LinkType(LinkType),
    /// An EtherType without a decoder.
    EtherType(EtherType),
    /// An IP protocol without a decoder.
    TransType(TransType),
    /// A protocol known by name only.
    Named(&'static str),
}

impl RawProto {
    /// The chain token PyPCAPKit derives from the looked-up enum member (`IPv6_ICMP`,
    /// `LINUX_SLL`), or `None` when the payload has no named protocol.
    pub fn write_token(&self, f: &mut dyn fmt::Write) -> fmt::Result {
        match self {
            RawProto::None => f.write_str("Raw"),
            RawProto::LinkType(t) => t.write_member(f),
            RawProto::EtherType(t) => t.write_member(f),
            RawProto::TransType(t) => t.write_member(f),
            RawProto::Named(n) => f.write_str(n),
        }
    }
}

impl serde::Serialize for RawProto {
    fn serialize<S: serde::Serializer>(
        &self,
        serializer: S,
    ) -> std::result::Result<S::Ok, S::Error> {
        match self {
            RawProto::None => serializer.serialize_none(),
            RawProto::LinkType(t) => t.serialize(serializer),
            RawProto::EtherType(t) => t.serialize(serializer),
            RawProto::TransType(t) => t.serialize(serializer),
            RawProto::Named(n) => serializer.serialize_str(n),
        }
    }
}

/// The addresses of the IP header that carries a transport segment: what the TCP/UDP
/// checksum's pseudo-header covers besides the protocol number and the length.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
pub enum PseudoHeader {
    /// IPv4 source and destination.
    V4 {
        /// Source address.
        src: Ipv4Addr,
        /// Destination address.
        dst: Ipv4Addr,
    },
    /// IPv6 source and (final) destination.
    V6 {
        /// Source address.
        src: Ipv6Addr,
        /// Destination address (the last address of a routing header, if any).
        dst: Ipv6Addr,
    },
    /// The payload is an IP fragment (or otherwise not a whole segment): checksums below
    /// cannot be verified.
    Unverifiable,
}

/// Where the bytes handed to a parser sit in the frame.
#[derive(Clone, Copy, Debug, Default)]
pub struct Ctx {
    /// Absolute offset of the parser's first byte from the start of the frame: add it to
    /// error offsets.
    pub offset: usize,
    /// Source and destination port of the carrying transport, for application parsers.
    pub ports: Option<(u16, u16)>,
    /// Addresses of the innermost IP header so far (set by the dissector from
    /// [`Header::pseudo_header`]), for TCP/UDP checksum verification.
    pub pseudo_header: Option<PseudoHeader>,
    /// `Some(n)` when the parent declared `n` bytes of payload but fewer were captured
    /// (snaplen): the parser's data is cut short, so whole-payload checks (checksums)
    /// cannot be made, and lengths derived from the parent (TCP's `len`) use `n`.
    pub reported_len: Option<usize>,
    /// Whether the data sits inside a datagram an ICMP error quotes (headers may be cut
    /// short on purpose there, and lengths describe the original datagram).
    pub quoted: bool,
}

/// A decoded header and what follows it.
#[derive(Clone, Debug)]
pub struct Parsed<H> {
    /// The decoded header.
    pub header: H,
    /// Bytes of the header; the layer's `packet` is everything after them.
    pub header_len: usize,
    /// Bytes after the header that belong to the payload (excludes padding and
    /// trailers); clamped to what was captured by the dissector.
    pub payload_len: usize,
    /// How to decode the payload.
    pub next: Next,
}

impl<H> Parsed<H> {
    /// Converts the header, keeping lengths and `next`.
    pub fn map<T>(self, f: impl FnOnce(H) -> T) -> Parsed<T> {
        Parsed {
            header: f(self.header),
            header_len: self.header_len,
            payload_len: self.payload_len,
            next: self.next,
        }
    }
}

/// How a decoded header appears in the output and in the protocol chain.
pub trait Header {
    /// Chain token (`Ethernet`, `802.1Q`, `IPv4`): PyPCAPKit's `alias`.
    const NAME: &'static str;
    /// Output key inside the parent (`ethernet`, `c_tag`, `ipv4`): PyPCAPKit's `info_name`.
    const KEY: &'static str;
    /// The layer it belongs to (`None` for raw payloads).
    const LEVEL: Option<Level>;
    /// Other names the `protocol` stop condition accepts (`IP` for IPv4 and IPv6).
    const ALIASES: &'static [&'static str] = &[];

    /// Output key of this header; defaults to [`Header::KEY`] (ARP/RARP differ by value).
    fn key(&self) -> &'static str {
        Self::KEY
    }

    /// Writes this header's chain token(s); defaults to [`Header::NAME`]. IPv6 writes its
    /// extension headers too (`IPv6:HOPOPT`), HTTP its version (`HTTP/1.1`).
    fn write_token(&self, f: &mut dyn fmt::Write) -> fmt::Result {
        f.write_str(Self::NAME)
    }

    /// The pseudo-header this layer sets for transport checksums below it: IPv4/IPv6
    /// return their addresses ([`PseudoHeader::Unverifiable`] for fragments); every other
    /// layer keeps what an outer layer set (`None`, the default).
    fn pseudo_header(&self) -> Option<PseudoHeader> {
        None
    }

    /// Whether this header is an error message whose payload quotes the offending
    /// datagram (ICMP / ICMPv6 errors): the layers below it decode a quote, which may
    /// be cut short (see [`crate::ProtoId::in_quote`]). Defaults to `false`.
    fn quotes_datagram(&self) -> bool {
        false
    }

    /// Whether the `protocol` stop condition `name` names this header (case-insensitive).
    fn is_named(&self, name: &str) -> bool {
        Self::NAME.eq_ignore_ascii_case(name)
            || Self::ALIASES.iter().any(|a| a.eq_ignore_ascii_case(name))
    }
}

/// Decoding a header from the bytes its parent hands over.
pub trait Parse<'a>: Header + Sized {
    /// Decodes `data` (which starts with this header and ends where the parent says the
    /// payload ends). `ctx.offset` is `data`'s absolute offset in the frame.
    fn parse(data: &'a [u8], ctx: &Ctx) -> Result<Parsed<Self>>;
}
