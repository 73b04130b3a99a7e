//! The dissector: walks a frame from the link layer down, one decoder per layer, picking
//! each next decoder from what the previous layer says ([`Next`]).

use pcapkit_core::LinkType;

use crate::error::DissectError;
use crate::misc::{NoPayload, Raw};
use crate::packet::{Layer, Packet};
use crate::protocol::{Ctx, Level, Next, RawProto, Transport};
use crate::registry::{ProtoId, Protocol};
use crate::{application, internet, link, transport};

/// Default cap on layers per frame (nested encapsulations: VLAN stacks, IP-in-IP, GRE).
pub const DEFAULT_MAX_DEPTH: usize = 32;

/// Where decoding stops: after the named layer or protocol, the rest is `raw`.
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub struct Stop {
    /// Stop after the first header of this layer.
    pub layer: Option<Level>,
    /// Stop after the first header with this chain token or alias (any case).
    pub protocol: Option<String>,
}

impl Stop {
    fn matches(&self, header: &Protocol<'_>) -> bool {
        if let Some(level) = self.layer
            && header.level() == Some(level)
        {
            return true;
        }
        matches!(&self.protocol, Some(name) if header.is_named(name))
    }
}

/// Options of [`dissect`].
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct DissectOptions {
    /// Stop condition (`layer` / `protocol`).
    pub stop: Stop,
    /// Most layers decoded per frame; deeper encapsulations end in a `raw` layer carrying
    /// a limit error.
    pub max_depth: usize,
}

impl Default for DissectOptions {
    fn default() -> Self {
        Self {
            stop: Stop::default(),
            max_depth: DEFAULT_MAX_DEPTH,
        }
    }
}

/// Dissects one frame of link type `link_type`.
///
/// Never fails: a malformed layer becomes a `raw` layer with an error, keeping all layers
/// decoded before it.
pub fn dissect<'a>(link_type: LinkType, data: &'a [u8], options: &DissectOptions) -> Packet<'a> {
    dissect_next(Next::Link(link_type), link_type, data, options)
}

/// Dissects bytes that start at some inner layer: `next` says what they are (e.g. a
/// reassembled IP payload is `Next::IpProto(proto)`, a TCP stream chunk is
/// `Next::Ports { .. }`). `link_type` is only recorded in the packet.
pub fn dissect_next<'a>(
    next: Next,
    link_type: LinkType,
    data: &'a [u8],
    options: &DissectOptions,
) -> Packet<'a> {
    let mut packet = Packet::new(data, link_type);
    walk(&mut packet, next, options);
    packet
}

/// What the dispatcher decided for the next bytes.
enum Resolved {
    /// Decode with this protocol.
    Proto(ProtoId, RawProto),
    /// Keep the bytes as `raw`.
    Raw(RawProto, Option<&'static str>),
}

fn resolve(next: Next, data: &[u8]) -> Resolved {
    let found = |id: Option<ProtoId>, raw: RawProto| match id {
        Some(id) => Resolved::Proto(id, raw),
        None => Resolved::Raw(raw, None),
    };
    match next {
        Next::End => Resolved::Raw(RawProto::None, None),
        Next::Raw(proto, note) => Resolved::Raw(proto, note),
        Next::Proto(id) => Resolved::Proto(id, RawProto::Named(id.name())),
        // A link type names a decoder or hands over to another table (raw IP link types
        // go through the EtherType table); `by_link_type` never returns `Next::Link`.
        Next::Link(t) => match link::by_link_type(t, data) {
            Some(Next::Proto(id)) => Resolved::Proto(id, RawProto::LinkType(t)),
            Some(next @ Next::EtherType(_)) => resolve(next, data),
            _ => Resolved::Raw(RawProto::LinkType(t), None),
        },
        Next::EtherType(t) => found(link::by_ethertype(t), RawProto::EtherType(t)),
        Next::IpProto(p) => found(internet::by_ip_proto(p), RawProto::TransType(p)),
        Next::Ports {
            transport,
            src,
            dst,
        } => found(by_ports(transport, src, dst, data), RawProto::None),
        Next::Sniff => found(application::sniff(data), RawProto::None),
        Next::Leaf => Resolved::Raw(RawProto::None, None),
    }
}

/// PyPCAPKit's rule: the lower port if a decoder is registered for it, else the higher;
/// then (our addition) content sniffing. A port's decoder is only used when the payload
/// can start a message of its protocol ([`application::claims`]): an HTTP body
/// continuation on port 80 stays `raw` (no error) instead of failing to decode.
fn by_ports(transport: Transport, src: u16, dst: u16, data: &[u8]) -> Option<ProtoId> {
    let (low, high) = if src <= dst { (src, dst) } else { (dst, src) };
    let claimed =
        |port| transport::by_port(transport, port).filter(|&id| application::claims(id, data));
    claimed(low)
        .or_else(|| claimed(high))
        .or_else(|| application::sniff_payload(transport, data))
}

fn walk<'a>(packet: &mut Packet<'a>, mut next: Next, options: &DissectOptions) {
    let data = packet.data();
    let mut start = 0usize;
    let mut end = data.len();
    let mut ports = None;
    let mut pseudo_header = None;
    let mut reported_len = None;
    // Inside the datagram an ICMP error quotes: headers may be cut short on purpose.
    let mut quoted = false;
    loop {
        let here = data.get(start..end).unwrap_or_default();
        let raw_layer = |header: Protocol<'a>| Layer {
            header,
            start,
            header_end: start,
            end,
        };
        if here.is_empty() {
            packet.push(raw_layer(Protocol::NoPayload(NoPayload)));
            return;
        }
        if packet.layers().len() + 1 >= options.max_depth {
            packet.push(raw_layer(Protocol::Raw(Raw {
                protocol: RawProto::None,
                error: Some(DissectError::limit(
                    "dissector",
                    start,
                    "too many nested layers (raise max_depth to decode deeper encapsulations)",
                )),
                note: None,
            })));
            return;
        }
        if let Next::Ports { src, dst, .. } = next {
            ports = Some((src, dst));
        }
        let (id, looked_up) = match resolve(next, here) {
            // A header cut short, by an ICMP error's quote or by the snaplen, decodes
            // into what was captured of it where a decoder for that exists.
            Resolved::Proto(id, raw) if quoted || reported_len.is_some() => {
                (id.in_quote(here), raw)
            }
            Resolved::Proto(id, raw) => (id, raw),
            Resolved::Raw(protocol, note) => {
                packet.push(raw_layer(Protocol::Raw(Raw {
                    protocol,
                    error: None,
                    note,
                })));
                return;
            }
        };
        let ctx = Ctx {
            offset: start,
            ports,
            pseudo_header,
            reported_len,
            quoted,
        };
        let parsed = match id.parse_into(here, &ctx, packet.layers_mut(), end) {
            Ok(parsed) => parsed,
            Err(error) => {
                packet.push(raw_layer(Protocol::Raw(Raw {
                    protocol: looked_up,
                    error: Some(error),
                    note: None,
                })));
                return;
            }
        };
        let Some(header) = packet.layers().last().map(|l| &l.header) else {
            return;
        };
        let header_end = start + parsed.header_len.min(here.len());
        let payload_end = header_end + parsed.payload_len.min(end - header_end);
        let stop = options.stop.matches(header);
        if let Some(ph) = header.pseudo_header() {
            pseudo_header = Some(ph);
        }
        reported_len = (parsed.payload_len > end - header_end).then_some(parsed.payload_len);
        quoted |= header.quotes_datagram();
        let leaf = matches!(parsed.next, Next::Leaf);
        if leaf {
            return;
        }
        start = header_end;
        end = payload_end;
        next = if stop { Next::End } else { parsed.next };
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn empty_frame_is_nopayload() {
        let p = dissect(LinkType::ETHERNET, &[], &DissectOptions::default());
        assert_eq!(p.layers().len(), 1);
        assert!(matches!(p.layers()[0].header, Protocol::NoPayload(_)));
        assert_eq!(p.protocols().to_string(), "");
    }

    #[test]
    fn unknown_link_type_is_raw_with_its_name() {
        let p = dissect(LinkType(147), &[1, 2, 3], &DissectOptions::default());
        assert_eq!(p.layers().len(), 1);
        let Protocol::Raw(raw) = &p.layers()[0].header else {
            panic!("expected raw")
        };
        assert_eq!(raw.protocol, RawProto::LinkType(LinkType(147)));
        assert_eq!(p.payload(&p.layers()[0]), &[1, 2, 3]);
    }

    #[test]
    fn truncated_ethernet_keeps_bytes_as_raw_with_error() {
        let p = dissect(LinkType::ETHERNET, &[0; 10], &DissectOptions::default());
        let Protocol::Raw(raw) = &p.layers()[0].header else {
            panic!("expected raw")
        };
        let err = raw.error.as_ref().expect("error");
        assert_eq!(err.offset, 0);
        assert_eq!(err.layer, "Ethernet");
        assert_eq!(raw.protocol, RawProto::LinkType(LinkType::ETHERNET));
        assert_eq!(p.protocols().to_string(), "Raw");
    }

    #[test]
    fn raw_ip_link_type_goes_through_the_ethertype_table() {
        let p = dissect(LinkType::RAW, &[0x45, 0, 0, 20], &DissectOptions::default());
        let header = &p.layers()[0].header;
        match link::by_ethertype(crate::consts::reg::EtherType(0x0800)) {
            Some(_) => assert!(header.is_named("IPv4") || matches!(header, Protocol::Raw(_))),
            None => {
                let Protocol::Raw(raw) = header else {
                    panic!("expected raw")
                };
                assert_eq!(
                    raw.protocol,
                    RawProto::EtherType(crate::consts::reg::EtherType(0x0800))
                );
            }
        }
        let p = dissect(LinkType::RAW, &[0x15, 0, 0, 20], &DissectOptions::default());
        let Protocol::Raw(raw) = &p.layers()[0].header else {
            panic!("expected raw")
        };
        assert_eq!(raw.protocol, RawProto::LinkType(LinkType::RAW));
        assert_eq!(p.protocols().to_string(), "RAW");
    }
}

#[cfg(test)]
mod quote_tests {
    use super::*;
    use crate::transport::{Tcp, TcpQuote};

    /// Ethernet + IPv4 (10.0.0.254 -> 10.0.0.1) + ICMP Time Exceeded quoting an IPv4
    /// header (total length 40, TCP) and the first `n` bytes of its TCP header
    /// (51000 -> 80, seq 0x01020304, SYN|ACK).
    fn icmp_quoting_tcp(n: usize) -> Vec<u8> {
        let tcp = [
            0xc7, 0x38, 0x00, 0x50, 0x01, 0x02, 0x03, 0x04, 0x0a, 0x0b, 0x0c, 0x0d, 0x50, 0x12,
            0x04, 0x00, 0xbe, 0xef, 0x00, 0x00,
        ];
        let inner_ip = [
            0x45, 0, 0, 40, 0, 1, 0x40, 0, 1, 6, 0, 0, 10, 0, 0, 1, 10, 0, 0, 2,
        ];
        let mut icmp = vec![11, 0, 0, 0, 0, 0, 0, 0];
        icmp.extend_from_slice(&inner_ip);
        icmp.extend_from_slice(&tcp[..n]);
        let total = u16::try_from(20 + icmp.len()).unwrap().to_be_bytes();
        let mut f = vec![2, 0, 0, 0, 0, 0x22, 2, 0, 0, 0, 0, 0x11, 0x08, 0x00];
        f.extend_from_slice(&[0x45, 0, total[0], total[1], 0, 2, 0, 0, 64, 1, 0, 0]);
        f.extend_from_slice(&[10, 0, 0, 254, 10, 0, 0, 1]);
        f.extend_from_slice(&icmp);
        f
    }

    #[test]
    fn icmp_error_quoting_eight_bytes_of_tcp_shows_ports_and_seq() {
        let frame = icmp_quoting_tcp(8);
        let p = dissect(LinkType::ETHERNET, &frame, &DissectOptions::default());
        assert_eq!(p.protocols().to_string(), "Ethernet:IPv4:ICMP:IPv4:TCP");
        assert!(
            !p.layers()
                .iter()
                .any(|l| matches!(&l.header, Protocol::Raw(r) if r.error.is_some())),
            "no layer carries an error"
        );
        let q = p.get::<TcpQuote>().expect("quoted TCP");
        assert_eq!((q.src, q.dst, q.seq), (51000, 80, Some(0x0102_0304)));
        assert_eq!((q.ack, q.captured_len), (None, 8));
        assert!(p.get::<Tcp>().is_none());
        let quoted = p
            .layers()
            .iter()
            .find(|l| l.header.is_named("TCP"))
            .unwrap();
        assert_eq!((quoted.start, quoted.header_end), (62, 70));
    }

    #[test]
    fn icmp_error_quoting_the_whole_tcp_header_is_ordinary_tcp() {
        let frame = icmp_quoting_tcp(20);
        let p = dissect(LinkType::ETHERNET, &frame, &DissectOptions::default());
        assert_eq!(p.protocols().to_string(), "Ethernet:IPv4:ICMP:IPv4:TCP");
        let tcp = p.get::<Tcp>().expect("whole TCP header");
        assert_eq!(
            (tcp.src, tcp.seq, tcp.ack),
            (51000, 0x0102_0304, 0x0a0b_0c0d)
        );
        assert!(p.get::<TcpQuote>().is_none());
    }

    #[test]
    fn a_cut_tcp_header_outside_a_quote() {
        // Same bytes, but the outer datagram is an echo reply: no quote, and the ICMP
        // body is not decoded as a datagram.
        let mut frame = icmp_quoting_tcp(8);
        frame[34] = 0;
        let p = dissect(LinkType::ETHERNET, &frame, &DissectOptions::default());
        assert_eq!(p.protocols().to_string(), "Ethernet:IPv4:ICMP:Raw");
        // A TCP segment cut by the snaplen (no ICMP around it, total length 40 of which
        // 14 TCP bytes captured): the captured fields, with the segment length the IP
        // header implies.
        let quote = icmp_quoting_tcp(14);
        let mut cut = quote[..14].to_vec();
        cut.extend_from_slice(&quote[42..76]);
        let p = dissect(LinkType::ETHERNET, &cut, &DissectOptions::default());
        assert_eq!(p.protocols().to_string(), "Ethernet:IPv4:TCP");
        let q = p
            .get::<TcpQuote>()
            .expect("the captured part of the header");
        // 14 bytes: the ports only (tshark needs the window before the later fields).
        assert_eq!((q.src, q.dst, q.seq, q.hdr_len()), (51000, 80, None, None));
        assert_eq!((q.len, q.captured_len), (None, 14));
        let quote18 = icmp_quoting_tcp(18);
        let mut cut18 = quote18[..14].to_vec();
        cut18.extend_from_slice(&quote18[42..80]);
        let p = dissect(LinkType::ETHERNET, &cut18, &DissectOptions::default());
        let q = p
            .get::<TcpQuote>()
            .expect("the captured part of the header");
        assert_eq!(
            (q.seq, q.window_size, q.checksum),
            (Some(0x0102_0304), Some(1024), Some(0xbeef))
        );
        assert_eq!(
            (q.hdr_len(), q.len, q.urgent_pointer),
            (Some(20), Some(0), None)
        );
        // Inside the ICMP quote the same bytes carry no segment length.
        let p = dissect(LinkType::ETHERNET, &quote, &DissectOptions::default());
        assert_eq!(p.get::<TcpQuote>().map(|q| q.len), Some(None));
        // A header cut when the IP header says the segment is that short is damaged,
        // not cut by the snaplen: still a truncation error.
        let mut short = cut.clone();
        short[16..18].copy_from_slice(&34u16.to_be_bytes());
        let p = dissect(LinkType::ETHERNET, &short, &DissectOptions::default());
        let Protocol::Raw(raw) = &p.layers().last().unwrap().header else {
            panic!("expected raw")
        };
        assert_eq!(raw.error.as_ref().unwrap().layer, "TCP");
    }

    #[test]
    fn snaplen_cut_options_show_what_was_captured() {
        // IPv4 (total length 160) + TCP with 20 option bytes, of which 14 captured:
        // MSS 1460, SACK permitted, then a timestamp the cut runs through.
        let mut tcp = vec![
            0x04, 0xd2, 0x00, 0x50, 0, 0, 0, 0, 0, 0, 0, 0, 0xa0, 0x02, 0x20, 0x00, 0x94, 0xec, 0,
            0,
        ];
        tcp.extend_from_slice(&[2, 4, 0x05, 0xb4, 4, 2, 8, 10, 0, 0, 0, 1, 0, 0]);
        let mut f = vec![2, 0, 0, 0, 0, 0x22, 2, 0, 0, 0, 0, 0x11, 0x08, 0x00];
        f.extend_from_slice(&[0x45, 0, 0, 160, 0, 1, 0, 0, 64, 6, 0, 0]);
        f.extend_from_slice(&[1, 1, 1, 1, 2, 2, 2, 2]);
        f.extend_from_slice(&tcp);
        let p = dissect(LinkType::ETHERNET, &f, &DissectOptions::default());
        let q = p.get::<TcpQuote>().expect("cut TCP header");
        assert_eq!((q.hdr_len(), q.len), (Some(40), Some(100)));
        let kinds: Vec<u8> = q.options().map(|o| o.kind.0).collect();
        assert_eq!(kinds, [2, 4, 8]);
        let json = serde_json::to_value(p.layers_view(Default::default())).unwrap();
        let tcp = &json["ethernet"]["ipv4"]["tcp"];
        assert_eq!(
            tcp["options"]["Option::Maximum_Segment_Size [2]"][0]["mss"],
            1460
        );
        assert_eq!(tcp["option_kinds"], serde_json::json!([2, 4, 8]));
        assert_eq!(tcp["len"], 100);
        assert_eq!(tcp["truncated"], true);
    }
}
