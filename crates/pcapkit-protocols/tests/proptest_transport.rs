//! Property tests for the transport family: arbitrary bytes never panic (through
//! `dissect_next` with the IP protocol numbers and port pairs TCP/UDP hand over), and
//! TCP headers with random options round-trip through a small test emitter.

use pcapkit_core::LinkType;
use pcapkit_protocols::consts::reg::TransType;
use pcapkit_protocols::transport::tcp::{MptcpValue, OptionValue, TcpOption};
use pcapkit_protocols::transport::{Tcp, Udp};
use pcapkit_protocols::{Ctx, DissectOptions, Next, Parse, SerOptions, Transport, dissect_next};
use proptest::prelude::*;

fn dissect_all(next: Next, data: &[u8]) {
    let p = dissect_next(next, LinkType::NULL, data, &DissectOptions::default());
    assert!(!p.layers().is_empty());
    // Every layer serializes, and the chain prints.
    serde_json::to_string(&p.layers_view(SerOptions::default())).unwrap();
    let _ = p.protocols().to_string();
    if let Some(tcp) = p.get::<Tcp>() {
        for o in tcp.options() {
            serde_json::to_string(&o).unwrap();
        }
    }
}

proptest! {
    #[test]
    fn arbitrary_ip_payloads_never_panic(data in proptest::collection::vec(any::<u8>(), 0..200)) {
        dissect_all(Next::IpProto(TransType::TCP), &data);
        dissect_all(Next::IpProto(TransType::UDP), &data);
    }

    #[test]
    fn arbitrary_tcp_headers_with_options_never_panic(
        word in any::<u16>(),
        options in proptest::collection::vec(any::<u8>(), 0..40),
        payload in proptest::collection::vec(any::<u8>(), 0..64),
    ) {
        let mut seg = vec![0x30, 0x39, 0x00, 0x50, 0, 0, 0, 1, 0, 0, 0, 2];
        let offset = (20 + options.len()).div_ceil(4) as u16;
        seg.extend_from_slice(&((offset << 12) | (word & 0x0fff)).to_be_bytes());
        seg.extend_from_slice(&[0xff, 0xff, 0, 0, 0, 0]);
        seg.extend_from_slice(&options);
        seg.resize(usize::from(offset) * 4, 1);
        seg.extend_from_slice(&payload);
        dissect_all(Next::IpProto(TransType::TCP), &seg);
        let tcp = Tcp::parse(&seg, &Ctx::default()).unwrap().header;
        prop_assert!(tcp.options().count() <= 40);
    }

    #[test]
    fn arbitrary_port_payloads_never_panic(
        data in proptest::collection::vec(any::<u8>(), 0..200),
        src in prop_oneof![Just(21u16), Just(80), Just(1701), any::<u16>()],
        dst in any::<u16>(),
    ) {
        for transport in [Transport::Tcp, Transport::Udp] {
            dissect_all(Next::Ports { transport, src, dst }, &data);
        }
    }

    #[test]
    fn udp_round_trip(src in any::<u16>(), dst in any::<u16>(), payload in proptest::collection::vec(any::<u8>(), 0..64), ck in any::<u16>()) {
        let mut d = Vec::new();
        d.extend_from_slice(&src.to_be_bytes());
        d.extend_from_slice(&dst.to_be_bytes());
        d.extend_from_slice(&(payload.len() as u16 + 8).to_be_bytes());
        d.extend_from_slice(&ck.to_be_bytes());
        d.extend_from_slice(&payload);
        let p = Udp::parse(&d, &Ctx::default()).unwrap();
        prop_assert_eq!(p.header.src, src);
        prop_assert_eq!(p.header.dst, dst);
        prop_assert_eq!(usize::from(p.header.len), payload.len() + 8);
        prop_assert_eq!(p.header.checksum, ck);
        prop_assert_eq!(p.payload_len, payload.len());
    }
}

// ---- TCP option round trip ----

/// A test model of one option, independent of the decoder's types.
#[derive(Clone, Debug, PartialEq)]
enum Opt {
    Nop,
    Mss(u16),
    Ws(u8),
    SackPerm,
    Sack(Vec<(u32, u32)>),
    Ts(u32, u32),
    Cc(u8, u32),
    Uto(bool, u16),
    UtoSecs(u32),
    Md5(Vec<u8>),
    Ao(u8, u8, Vec<u8>),
    Tfo(Vec<u8>),
    Unknown(u8, Vec<u8>),
    Dss {
        fin: bool,
        ack: Option<(bool, u64)>,
        map: Option<(bool, u64, u32, u16, Option<u16>)>,
    },
    RemoveAddr(Vec<u8>),
    Prio(bool, Option<u8>),
    Fail(u64),
    Fastclose(u64),
}

fn opt() -> impl Strategy<Value = Opt> {
    prop_oneof![
        Just(Opt::Nop),
        any::<u16>().prop_map(Opt::Mss),
        any::<u8>().prop_map(Opt::Ws),
        Just(Opt::SackPerm),
        proptest::collection::vec(any::<(u32, u32)>(), 1..4).prop_map(Opt::Sack),
        any::<(u32, u32)>().prop_map(|(a, b)| Opt::Ts(a, b)),
        (11u8..=13, any::<u32>()).prop_map(|(k, c)| Opt::Cc(k, c)),
        (any::<bool>(), 0u16..0x8000).prop_map(|(g, t)| Opt::Uto(g, t)),
        proptest::collection::vec(any::<u8>(), 16).prop_map(Opt::Md5),
        (
            any::<u8>(),
            any::<u8>(),
            proptest::collection::vec(any::<u8>(), 0..12)
        )
            .prop_map(|(a, b, m)| Opt::Ao(a, b, m)),
        proptest::collection::vec(any::<u8>(), 0..=16).prop_map(Opt::Tfo),
        (
            prop_oneof![35u8..=68, 71u8..=75, 79u8..=171, 175u8..=252],
            proptest::collection::vec(any::<u8>(), 0..8)
        )
            .prop_map(|(k, d)| Opt::Unknown(k, d)),
        (
            any::<bool>(),
            proptest::option::of((any::<bool>(), any::<u64>())),
            proptest::option::of((
                any::<bool>(),
                any::<u64>(),
                any::<u32>(),
                any::<u16>(),
                proptest::option::of(any::<u16>())
            )),
        )
            .prop_map(|(fin, ack, map)| Opt::Dss {
                fin,
                ack: ack.map(|(wide, v)| (wide, if wide { v } else { v & 0xffff_ffff })),
                map: map.map(|(wide, v, s, l, c)| (
                    wide,
                    if wide { v } else { v & 0xffff_ffff },
                    s,
                    l,
                    c
                )),
            }),
        proptest::collection::vec(any::<u8>(), 1..6).prop_map(Opt::RemoveAddr),
        (any::<bool>(), proptest::option::of(any::<u8>())).prop_map(|(b, id)| Opt::Prio(b, id)),
        any::<u64>().prop_map(Opt::Fail),
        any::<u64>().prop_map(Opt::Fastclose),
    ]
}

/// The option's bytes.
fn emit(o: &Opt) -> Vec<u8> {
    let with = |kind: u8, body: &[u8]| [&[kind, body.len() as u8 + 2][..], body].concat();
    match o {
        Opt::Nop => vec![1],
        Opt::Mss(m) => with(2, &m.to_be_bytes()),
        Opt::Ws(s) => with(3, &[*s]),
        Opt::SackPerm => with(4, &[]),
        Opt::Sack(blocks) => {
            let body: Vec<u8> = blocks
                .iter()
                .flat_map(|(l, r)| [l.to_be_bytes(), r.to_be_bytes()].concat())
                .collect();
            with(5, &body)
        }
        Opt::Ts(a, b) => with(8, &[a.to_be_bytes(), b.to_be_bytes()].concat()),
        Opt::Cc(k, c) => with(*k, &c.to_be_bytes()),
        Opt::Uto(g, t) => with(28, &(u16::from(*g) << 15 | t).to_be_bytes()),
        Opt::UtoSecs(_) => unreachable!("only decoded"),
        Opt::Md5(d) => with(19, d),
        Opt::Ao(a, b, m) => with(29, &[&[*a, *b][..], m].concat()),
        Opt::Tfo(c) => with(34, c),
        Opt::Unknown(k, d) => with(*k, d),
        Opt::Dss { fin, ack, map } => {
            let mut flags = u8::from(*fin) << 4;
            let mut body = Vec::new();
            if let Some((wide, v)) = ack {
                flags |= 0x01 | (u8::from(*wide) << 1);
                if *wide {
                    body.extend_from_slice(&v.to_be_bytes())
                } else {
                    body.extend_from_slice(&(*v as u32).to_be_bytes())
                }
            }
            if let Some((wide, dsn, ssn, len, ck)) = map {
                flags |= 0x04 | (u8::from(*wide) << 3);
                if *wide {
                    body.extend_from_slice(&dsn.to_be_bytes())
                } else {
                    body.extend_from_slice(&(*dsn as u32).to_be_bytes())
                }
                body.extend_from_slice(&ssn.to_be_bytes());
                body.extend_from_slice(&len.to_be_bytes());
                if let Some(c) = ck {
                    body.extend_from_slice(&c.to_be_bytes());
                }
            }
            with(30, &[&[0x20, flags][..], &body].concat())
        }
        Opt::RemoveAddr(ids) => with(30, &[&[0x40][..], ids].concat()),
        Opt::Prio(b, id) => {
            let mut body = vec![0x50 | u8::from(*b)];
            body.extend(id);
            with(30, &body)
        }
        Opt::Fail(d) => with(30, &[&[0x60, 0][..], &d.to_be_bytes()].concat()),
        Opt::Fastclose(k) => with(30, &[&[0x70, 0][..], &k.to_be_bytes()].concat()),
    }
}

/// The model of a decoded option.
fn model(o: &TcpOption<'_>) -> Opt {
    match o.value {
        OptionValue::Empty if o.kind.0 == 1 => Opt::Nop,
        OptionValue::Empty => Opt::SackPerm,
        OptionValue::Mss(m) => Opt::Mss(m),
        OptionValue::WindowScale(s) => Opt::Ws(s),
        OptionValue::Sack(b) => Opt::Sack(b.iter().map(|b| (b.left, b.right)).collect()),
        OptionValue::Timestamps { timestamp, echo } => Opt::Ts(timestamp, echo),
        OptionValue::Cc(c) => Opt::Cc(o.kind.0, c),
        OptionValue::UserTimeout(t) => Opt::UtoSecs(t),
        OptionValue::Md5(d) => Opt::Md5(d.to_vec()),
        OptionValue::Authentication {
            key_id,
            next_key_id,
            mac,
        } => Opt::Ao(key_id, next_key_id, mac.to_vec()),
        OptionValue::FastOpenCookie(c) => Opt::Tfo(c.to_vec()),
        OptionValue::Unknown(d) => Opt::Unknown(o.kind.0, d.to_vec()),
        OptionValue::Mptcp(m) => match m.value {
            MptcpValue::Dss {
                data_fin,
                ack,
                dsn,
                ssn,
                dl_len,
                checksum,
            } => Opt::Dss {
                fin: data_fin,
                ack: ack.map(|a| (false, a)),
                map: dsn.map(|d| (false, d, ssn.unwrap_or(0), dl_len.unwrap_or(0), checksum)),
            },
            MptcpValue::RemoveAddr(ids) => Opt::RemoveAddr(ids.to_vec()),
            MptcpValue::Prio { backup, addr_id } => Opt::Prio(backup, addr_id),
            MptcpValue::Fail(d) => Opt::Fail(d),
            MptcpValue::Fastclose(k) => Opt::Fastclose(k),
            other => panic!("unexpected MPTCP {other:?}"),
        },
        other => panic!("unexpected {other:?}"),
    }
}

/// What the decoder keeps of a model: User Timeout in seconds, DSS values without
/// their field widths.
fn normalize(o: &Opt) -> Opt {
    match o {
        Opt::Uto(g, t) => Opt::UtoSecs(if *g {
            u32::from(*t) * 60
        } else {
            u32::from(*t)
        }),
        Opt::Dss { fin, ack, map } => Opt::Dss {
            fin: *fin,
            ack: ack.map(|(_, a)| (false, a)),
            map: map.map(|(_, d, s, l, c)| (false, d, s, l, c)),
        },
        other => other.clone(),
    }
}

fn options_strategy() -> impl Strategy<Value = Vec<Opt>> {
    proptest::collection::vec(opt(), 0..8).prop_map(|mut v| {
        // Keep what fits in 40 bytes.
        let mut total = 0;
        v.retain(|o| {
            let n = emit(o).len();
            if total + n <= 40 {
                total += n;
                true
            } else {
                false
            }
        });
        v
    })
}

proptest! {
    #[test]
    fn tcp_header_with_random_options_round_trips(
        src in any::<u16>(), dst in any::<u16>(), seq in any::<u32>(), ack in any::<u32>(),
        flags in 0u16..0x1000, window in any::<u16>(), ck in any::<u16>(), urg in any::<u16>(),
        options in options_strategy(),
    ) {
        let bytes: Vec<u8> = options.iter().flat_map(emit).collect();
        let hdr_len = 20 + bytes.len().div_ceil(4) * 4;
        let mut seg = Vec::new();
        seg.extend_from_slice(&src.to_be_bytes());
        seg.extend_from_slice(&dst.to_be_bytes());
        seg.extend_from_slice(&seq.to_be_bytes());
        seg.extend_from_slice(&ack.to_be_bytes());
        seg.extend_from_slice(&(((hdr_len as u16 / 4) << 12) | flags).to_be_bytes());
        seg.extend_from_slice(&window.to_be_bytes());
        seg.extend_from_slice(&ck.to_be_bytes());
        seg.extend_from_slice(&urg.to_be_bytes());
        seg.extend_from_slice(&bytes);
        seg.resize(hdr_len, 0);
        let p = Tcp::parse(&seg, &Ctx::default()).unwrap();
        let h = p.header;
        prop_assert_eq!((h.src, h.dst, h.seq, h.ack), (src, dst, seq, ack));
        prop_assert_eq!((h.flag_bits(), h.window_size, h.checksum, h.urgent_pointer), (flags, window, ck, urg));
        prop_assert_eq!(usize::from(h.hdr_len), hdr_len);
        prop_assert_eq!(p.header_len, hdr_len);
        let decoded: Vec<TcpOption> = h.options().collect();
        // Padding after the options is one EOL (decoding stops there).
        let expect_eol = bytes.len() < hdr_len - 20;
        prop_assert_eq!(decoded.len(), options.len() + usize::from(expect_eol));
        for (o, want) in decoded.iter().zip(&options) {
            let got = model(o);
            prop_assert_eq!(got, normalize(want));
            prop_assert_eq!(usize::from(o.length), emit(want).len());
        }
        serde_json::to_string(&h).unwrap();
    }
}

proptest! {
    /// A TCP header quoted (in part) by an ICMP error or cut by the snaplen: the partial
    /// decoder and the whole ICMP-in-IPv4 path never panic; a quote of 8 bytes or more
    /// always shows the ports and sequence number it holds, a snaplen cut of 4 or more
    /// its ports, and its sequence number from 16 bytes on.
    #[test]
    fn quoted_tcp_headers_never_panic(quote in proptest::collection::vec(any::<u8>(), 0..64)) {
        use pcapkit_protocols::transport::TcpQuote;
        let in_quote = Ctx { quoted: true, ..Ctx::default() };
        match TcpQuote::parse(&quote, &in_quote) {
            Ok(p) => {
                prop_assert!(quote.len() >= 8);
                prop_assert_eq!(p.header.src, u16::from_be_bytes([quote[0], quote[1]]));
                prop_assert_eq!(p.header.seq, Some(u32::from_be_bytes([quote[4], quote[5], quote[6], quote[7]])));
                prop_assert_eq!(p.header.len, None);
                prop_assert_eq!(p.header_len, quote.len());
                serde_json::to_string(&p.header).unwrap();
            }
            Err(_) => prop_assert!(quote.len() < 8),
        }
        let cut = Ctx { reported_len: Some(1500), ..Ctx::default() };
        match TcpQuote::parse(&quote, &cut) {
            Ok(p) => {
                prop_assert!(quote.len() >= 4);
                prop_assert_eq!(p.header.dst, u16::from_be_bytes([quote[2], quote[3]]));
                prop_assert_eq!(p.header.seq.is_some(), quote.len() >= 16);
                prop_assert_eq!(p.header.len.is_some(), quote.len() >= 16);
                prop_assert_eq!(p.header_len, quote.len());
                serde_json::to_string(&p.header).unwrap();
            }
            Err(_) => prop_assert!(quote.len() < 4),
        }
        let mut icmp = vec![3, 3, 0, 0, 0, 0, 0, 0];
        icmp.extend_from_slice(&[0x45, 0, 0, 60, 0, 1, 0, 0, 64, 6, 0, 0, 10, 0, 0, 1, 10, 0, 0, 2]);
        icmp.extend_from_slice(&quote);
        dissect_all(Next::IpProto(TransType::ICMP), &icmp);
    }
}
