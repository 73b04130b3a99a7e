//! The list of protocols: one line per decoder. Adding a protocol is one module and one
//! line here (plus its entry in a dispatch table: `link::by_*`, `internet::by_ip_proto`,
//! `transport`/`application::by_port`).

use std::fmt;

use serde::ser::{Serialize, SerializeMap};

use crate::error::Result;
use crate::misc::{NoPayload, Raw};
use crate::protocol::{Ctx, Header, Level, Parse, Parsed, PseudoHeader};
use crate::ser::FieldsOf;

/// Typed access to one protocol's header inside [`Protocol`] (see [`crate::Packet::get`]).
pub trait Extract<'a>: Sized {
    /// The header, if `p` is this protocol.
    fn extract<'p>(p: &'p Protocol<'a>) -> Option<&'p Self>;
}

macro_rules! protocols {
    // A variant's stored type: the header itself, or boxed (`[boxed]`) when it is much
    // larger than the common headers, so every `Protocol` (and `Layer`) stays small.
    (@stored $ty:ty) => { $ty };
    (@stored $ty:ty, boxed) => { Box<$ty> };
    (@store $h:expr) => { $h };
    (@store $h:expr, boxed) => { Box::new($h) };
    (@get $h:expr) => { $h };
    (@get $h:expr, boxed) => { &**$h };
    ($( $(#[$doc:meta])* $variant:ident => $ty:ty $([$boxed:ident])? ),* $(,)?) => {
        /// A decoded header of any protocol.
        #[derive(Clone, Debug)]
        pub enum Protocol<'a> {
            $( $(#[$doc])* $variant(protocols!(@stored $ty $(, $boxed)?)), )*
            /// Undecoded bytes, or a layer that failed to decode.
            Raw(Raw),
            /// An empty payload.
            NoPayload(NoPayload),
        }

        /// Names a decoder without data: what a dispatch table returns.
        #[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
        pub enum ProtoId {
            $( $(#[$doc])* $variant, )*
        }

        impl ProtoId {
            /// Decodes `data` as this protocol.
            pub fn parse<'a>(self, data: &'a [u8], ctx: &Ctx) -> Result<Parsed<Protocol<'a>>> {
                match self {
                    $( ProtoId::$variant => <$ty as Parse<'a>>::parse(data, ctx)
                        .map(|p| p.map(|h| Protocol::$variant(protocols!(@store h $(, $boxed)?)))), )*
                }
            }

            /// Decodes `data` (which starts at frame offset `ctx.offset`) as this protocol and
            /// appends the layer to `layers` (`end`: its offset just past the bytes the
            /// parent handed over). The header is built once and moved straight into
            /// the layer list, not moved through a `Parsed<Protocol>` first (dissection
            /// spent a fifth of its time copying layers). Returns the lengths and what
            /// follows, as [`ProtoId::parse`] does.
            pub(crate) fn parse_into<'a>(
                self,
                data: &'a [u8],
                ctx: &Ctx,
                layers: &mut crate::packet::Layers<'a>,
                end: usize,
            ) -> Result<Parsed<()>> {
                match self {
                    $( ProtoId::$variant => {
                        let p = <$ty as Parse<'a>>::parse(data, ctx)?;
                        layers.push(crate::packet::Layer {
                            header: Protocol::$variant(protocols!(@store p.header $(, $boxed)?)),
                            start: ctx.offset,
                            header_end: ctx.offset + p.header_len.min(data.len()),
                            end,
                        });
                        Ok(Parsed { header: (), header_len: p.header_len, payload_len: p.payload_len, next: p.next })
                    } )*
                }
            }

            /// The protocol's chain token (for errors).
            #[allow(clippy::extra_unused_lifetimes)]
            pub fn name<'a>(self) -> &'static str {
                match self {
                    $( ProtoId::$variant => <$ty as Header>::NAME, )*
                }
            }
        }

        impl<'a> Protocol<'a> {
            /// Output key of this layer inside its parent (`ethernet`, `ipv4`, `raw`).
            pub fn key(&self) -> &'static str {
                match self {
                    $( Protocol::$variant(h) => h.key(), )*
                    Protocol::Raw(h) => h.key(),
                    Protocol::NoPayload(h) => h.key(),
                }
            }

            /// Writes the chain token(s) of this layer.
            pub fn write_token(&self, f: &mut dyn fmt::Write) -> fmt::Result {
                match self {
                    $( Protocol::$variant(h) => h.write_token(f), )*
                    Protocol::Raw(h) => h.write_token(f),
                    Protocol::NoPayload(h) => h.write_token(f),
                }
            }

            /// The layer this header belongs to (`None` for raw/empty payloads).
            pub fn level(&self) -> Option<Level> {
                match self {
                    $( Protocol::$variant(_) => <$ty as Header>::LEVEL, )*
                    Protocol::Raw(_) => <Raw as Header>::LEVEL,
                    Protocol::NoPayload(_) => <NoPayload as Header>::LEVEL,
                }
            }

            /// Whether this layer is an error message whose payload quotes the offending
            /// datagram (ICMP / ICMPv6 errors).
            pub fn quotes_datagram(&self) -> bool {
                match self {
                    $( Protocol::$variant(h) => h.quotes_datagram(), )*
                    Protocol::Raw(_) | Protocol::NoPayload(_) => false,
                }
            }

            /// The pseudo-header this layer sets for transport checksums below it.
            pub fn pseudo_header(&self) -> Option<PseudoHeader> {
                match self {
                    $( Protocol::$variant(h) => h.pseudo_header(), )*
                    Protocol::Raw(_) | Protocol::NoPayload(_) => None,
                }
            }

            /// Whether `name` (a chain token or alias, any case) names this header.
            pub fn is_named(&self, name: &str) -> bool {
                match self {
                    $( Protocol::$variant(h) => h.is_named(name), )*
                    Protocol::Raw(h) => h.is_named(name),
                    Protocol::NoPayload(h) => h.is_named(name),
                }
            }

            /// Writes this header's own fields into an open map.
            pub fn serialize_fields<M: SerializeMap>(&self, map: &mut M) -> std::result::Result<(), M::Error> {
                match self {
                    $( Protocol::$variant(h) => h.serialize(FieldsOf(map)), )*
                    Protocol::Raw(h) => h.serialize(FieldsOf(map)),
                    Protocol::NoPayload(h) => h.serialize(FieldsOf(map)),
                }
            }
        }

        $(
            impl<'a> Extract<'a> for $ty {
                fn extract<'p>(p: &'p Protocol<'a>) -> Option<&'p Self> {
                    match p {
                        Protocol::$variant(h) => Some(protocols!(@get h $(, $boxed)?)),
                        _ => None,
                    }
                }
            }
        )*
    };
}

impl<'a> Extract<'a> for Raw {
    fn extract<'p>(p: &'p Protocol<'a>) -> Option<&'p Self> {
        match p {
            Protocol::Raw(h) => Some(h),
            _ => None,
        }
    }
}

use crate::{application, internet, link, transport};

impl ProtoId {
    /// The decoder for `data` when it is cut short, inside a datagram quoted by an ICMP
    /// error or by the snaplen: a TCP header cut before its end (RFC 792 only asks a
    /// quote for 8 bytes; `tcpdump -s 68` cuts option-laden headers) decodes as
    /// [`transport::TcpQuote`]; everything else keeps its decoder.
    pub fn in_quote(self, data: &[u8]) -> ProtoId {
        match self {
            ProtoId::Tcp if transport::tcp::quote::is_partial(data) => ProtoId::TcpQuote,
            other => other,
        }
    }
}

protocols! {
    /// Ethernet II / IEEE 802.3.
    Ethernet => link::Ethernet,
    /// IEEE 802.2 LLC.
    Llc => link::Llc,
    /// SNAP.
    Snap => link::Snap,
    /// 802.1Q customer VLAN tag.
    Vlan => link::Vlan,
    /// 802.1ad service VLAN tag.
    STag => link::STag,
    /// ARP (EtherType 0x0806).
    Arp => link::Arp<'a> [boxed],
    /// ARP under the RARP EtherType 0x8035.
    Rarp => link::Rarp<'a> [boxed],
    /// BSD loopback, link type NULL.
    Loopback => link::Loopback,
    /// BSD loopback, link type LOOP.
    Loop => link::Loop,
    /// Linux cooked capture v1.
    Sll => link::Sll<'a>,
    /// Linux cooked capture v2.
    Sll2 => link::Sll2<'a>,
    /// Radiotap capture header, link type IEEE802_11_RADIOTAP.
    Radiotap => link::Radiotap,
    /// IEEE 802.11 MAC header, link type IEEE802_11.
    Ieee80211 => link::Ieee80211,
    /// IEEE 802.11 MAC header of a frame that ends with its FCS (radiotap flag 0x10).
    Ieee80211Fcs => link::Ieee80211Fcs,
    /// PPP.
    Ppp => link::Ppp,
    /// PPP over Ethernet.
    Pppoe => link::Pppoe,
    /// MPLS label stack.
    Mpls => link::Mpls<'a>,
    /// Cisco HDLC.
    CHdlc => link::CHdlc,
    /// Linux netfilter NFLOG.
    Nflog => link::Nflog<'a>,
    /// L2TPv2.
    L2tp => link::L2tp,
    /// OSPFv2 / OSPFv3.
    Ospf => link::Ospf<'a>,
    /// IPv4.
    Ipv4 => internet::Ipv4<'a>,
    /// IPv6 with its extension headers.
    Ipv6 => internet::Ipv6<'a>,
    /// IPv6 Hop-by-Hop Options on its own (after IPv4 or AH).
    Hopopt => internet::Hopopt<'a>,
    /// IPv6 Destination Options on its own.
    Ipv6Opts => internet::Ipv6Opts<'a>,
    /// IPv6 Routing header on its own.
    Ipv6Route => internet::Ipv6Route<'a>,
    /// IPv6 Fragment header on its own.
    Ipv6Frag => internet::Ipv6Frag,
    /// IP Authentication Header.
    Ah => internet::Ah<'a>,
    /// Mobility Header.
    Mh => internet::Mh<'a>,
    /// Host Identity Protocol.
    Hip => internet::Hip<'a>,
    /// Novell IPX.
    Ipx => internet::Ipx,
    /// Internet Control Message Protocol.
    Icmp => internet::Icmp<'a>,
    /// ICMP for IPv6 (incl. Neighbor Discovery and MLD).
    Icmpv6 => internet::Icmpv6<'a>,
    /// Internet Group Management Protocol.
    Igmp => internet::Igmp<'a>,
    /// IP Encapsulating Security Payload.
    Esp => internet::Esp,
    /// Generic Routing Encapsulation.
    Gre => internet::Gre,
    /// VXLAN (UDP 4789).
    Vxlan => link::Vxlan,
    /// Geneve (UDP 6081).
    Geneve => link::Geneve<'a>,
    /// GTPv1-U (UDP 2152).
    Gtp => link::Gtp<'a>,
    /// Transmission Control Protocol.
    Tcp => transport::Tcp<'a>,
    /// A TCP header an ICMP error quotes only in part (ports and sequence number).
    TcpQuote => transport::TcpQuote<'a>,
    /// User Datagram Protocol.
    Udp => transport::Udp,
    /// Stream Control Transmission Protocol.
    Sctp => transport::Sctp<'a>,
    /// File Transfer Protocol (control connection).
    Ftp => application::Ftp<'a>,
    /// HTTP/1.x or HTTP/2.
    Http => application::Http<'a>,
    /// DNS, mDNS or LLMNR message over UDP.
    Dns => application::Dns<'a> [boxed],
    /// DNS or LLMNR message over TCP (length-prefixed).
    DnsTcp => application::DnsTcp<'a> [boxed],
    /// BOOTP / DHCP.
    Dhcp => application::Dhcp<'a>,
    /// DHCPv6.
    Dhcpv6 => application::Dhcpv6<'a>,
    /// QUIC long-header packets.
    Quic => application::Quic<'a>,
    /// Session Initiation Protocol.
    Sip => application::Sip<'a>,
    /// Network Time Protocol.
    Ntp => application::Ntp<'a>,
    /// SNMP message header (v1/v2c community and PDU header, v3 global data).
    Snmp => application::Snmp<'a>,
    /// TLS records of a TCP segment.
    Tls => application::Tls<'a>,
}
