//! `net.pcap`: ICMP (echo, errors quoting IPv4/UDP and IPv4/TCP, redirect, timestamp,
//! parameter problem), ICMPv6 (echo, packet too big quoting IPv6/UDP, ND with options,
//! MLDv1/v2), IGMP v1/v2/v3, ESP, GRE (key, sequence, checksum; IPv4, IPv6 and
//! Ethernet payloads), IP-in-IP, IPv6-in-IPv4, VXLAN, Geneve and SCTP, built byte by byte
//! so tshark can check the decoders.

use pcapkit_core::{LinkType, PcapWriter, PcapWriterOptions, RawFrame, Timestamp};

use crate::build::{self, Tcp, flags};

const A: [u8; 6] = [0x02, 0, 0, 0, 0, 0x11];
const B: [u8; 6] = [0x02, 0, 0, 0, 0, 0x22];
const H1: [u8; 4] = [10, 0, 0, 1];
const H2: [u8; 4] = [10, 0, 0, 2];
const R1: [u8; 4] = [10, 0, 0, 254];
const SRC6: [u8; 16] = [0xfe, 0x80, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 1];
const DST6: [u8; 16] = [0xfe, 0x80, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 2];
const ALL6: [u8; 16] = [0xff, 0x02, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 1];
const GROUP6: [u8; 16] = [0xff, 0x02, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0xfb];
const G2: [u8; 16] = [0x20, 0x01, 0x0d, 0xb8, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 2];

fn eth4(payload: &[u8]) -> Vec<u8> {
    build::ethernet(B, A, 0x0800, payload)
}

fn eth6(payload: &[u8]) -> Vec<u8> {
    build::ethernet(B, A, 0x86dd, payload)
}

fn ip(proto: u8, payload: &[u8]) -> Vec<u8> {
    build::ipv4(H1, H2, proto, 0x0101, 64, payload)
}

fn ipv6(src: [u8; 16], dst: [u8; 16], nh: u8, payload: &[u8]) -> Vec<u8> {
    let mut v = vec![0x60, 0, 0, 0];
    v.extend_from_slice(&(payload.len() as u16).to_be_bytes());
    v.extend_from_slice(&[nh, 255]);
    v.extend_from_slice(&src);
    v.extend_from_slice(&dst);
    v.extend_from_slice(payload);
    v
}

/// An ICMP message with its checksum.
fn icmp(ty: u8, code: u8, rest: [u8; 4], body: &[u8]) -> Vec<u8> {
    let mut m = vec![ty, code, 0, 0];
    m.extend_from_slice(&rest);
    m.extend_from_slice(body);
    let c = build::checksum(&m);
    m[2..4].copy_from_slice(&c.to_be_bytes());
    m
}

/// An ICMPv6 message from `src` to `dst` with its checksum.
fn icmpv6(src: [u8; 16], dst: [u8; 16], ty: u8, code: u8, body: &[u8]) -> Vec<u8> {
    let mut m = vec![ty, code, 0, 0];
    m.extend_from_slice(body);
    let mut p = Vec::new();
    p.extend_from_slice(&src);
    p.extend_from_slice(&dst);
    p.extend_from_slice(&(m.len() as u32).to_be_bytes());
    p.extend_from_slice(&[0, 0, 0, 58]);
    p.extend_from_slice(&m);
    let c = build::checksum(&p);
    m[2..4].copy_from_slice(&c.to_be_bytes());
    m
}

fn icmpv6_frame(src: [u8; 16], dst: [u8; 16], ty: u8, code: u8, body: &[u8]) -> Vec<u8> {
    eth6(&ipv6(src, dst, 58, &icmpv6(src, dst, ty, code, body)))
}

/// An IGMP message with its checksum, in IPv4 with TTL 1.
fn igmp(m: &[u8]) -> Vec<u8> {
    let mut m = m.to_vec();
    let c = build::checksum(&m);
    m[2..4].copy_from_slice(&c.to_be_bytes());
    eth4(&build::ipv4(H1, [224, 0, 0, 22], 2, 0x0202, 1, &m))
}

fn udp_in(payload: &[u8], dport: u16) -> Vec<u8> {
    ip(17, &build::udp(H1, H2, 49152, dport, payload))
}

fn crc32c(data: &[u8]) -> u32 {
    let mut crc = !0u32;
    for &b in data {
        crc ^= u32::from(b);
        for _ in 0..8 {
            crc = if crc & 1 != 0 {
                (crc >> 1) ^ 0x82f6_3b78
            } else {
                crc >> 1
            };
        }
    }
    !crc
}

fn sctp(chunks: &[u8]) -> Vec<u8> {
    let mut s = vec![0x0b, 0x59, 0x0b, 0x59, 0x12, 0x34, 0x56, 0x78, 0, 0, 0, 0];
    s.extend_from_slice(chunks);
    let c = crc32c(&s);
    s[8..12].copy_from_slice(&c.to_le_bytes());
    s
}

/// The frames of `net.pcap`, in order.
pub fn frames() -> Vec<Vec<u8>> {
    let dns = build::udp(H1, H2, 53000, 9, &[0x12, 0x34, 1, 0]);
    let quoted_udp = build::ipv4(H1, H2, 17, 0x0303, 64, &dns);
    let syn = Tcp {
        sport: 51000,
        dport: 80,
        seq: 1000,
        ack: 0,
        flags: flags::SYN,
        window: 1024,
    };
    let quoted_tcp = build::ipv4(H1, H2, 6, 0x0404, 1, &build::tcp(H1, H2, syn, &[]));
    let udp6 = {
        let mut d = vec![0xc0, 0x00, 0x00, 0x09, 0, 12, 0, 0];
        d.extend_from_slice(&[1, 2, 3, 4]);
        d
    };
    let inner_eth = build::ethernet(A, B, 0x0800, &udp_in(b"inner", 9));
    let mut v = vec![
        // ICMP.
        eth4(&ip(1, &icmp(8, 0, [0x12, 0x34, 0, 1], b"ping"))),
        eth4(&build::ipv4(
            H2,
            H1,
            1,
            0x0102,
            64,
            &icmp(0, 0, [0x12, 0x34, 0, 1], b"ping"),
        )),
        eth4(&build::ipv4(
            H2,
            H1,
            1,
            0x0103,
            64,
            &icmp(3, 3, [0; 4], &quoted_udp),
        )),
        eth4(&build::ipv4(
            R1,
            H1,
            1,
            0x0104,
            64,
            &icmp(11, 0, [0; 4], &quoted_tcp),
        )),
        eth4(&build::ipv4(
            R1,
            H1,
            1,
            0x0105,
            64,
            &icmp(5, 1, [10, 0, 0, 253], &quoted_udp),
        )),
        eth4(&build::ipv4(
            R1,
            H1,
            1,
            0x0106,
            64,
            &icmp(3, 4, [0, 0, 0x05, 0xdc], &quoted_udp),
        )),
        eth4(&build::ipv4(
            R1,
            H1,
            1,
            0x0107,
            64,
            &icmp(12, 0, [9, 0, 0, 0], &quoted_udp),
        )),
        eth4(&ip(
            1,
            &icmp(13, 0, [0, 7, 0, 1], &[0, 0, 1, 0, 0, 0, 0, 0, 0, 0, 0, 0]),
        )),
        // ICMPv6.
        icmpv6_frame(SRC6, DST6, 128, 0, &[0, 9, 0, 1, b'p', b'i', b'n', b'g']),
        {
            let quoted = ipv6(SRC6, G2, 17, &udp6);
            let mut body = vec![0, 0, 0x05, 0x00];
            body.extend_from_slice(&quoted);
            icmpv6_frame(DST6, SRC6, 2, 0, &body)
        },
        icmpv6_frame(SRC6, ALL6, 133, 0, &[0, 0, 0, 0, 1, 1, 2, 0, 0, 0, 0, 0x11]),
        {
            let mut body = vec![64, 0xc0, 0x07, 0x08, 0, 0, 0x75, 0x30, 0, 0, 0x03, 0xe8];
            body.extend_from_slice(&[1, 1, 2, 0, 0, 0, 0, 0x22]);
            body.extend_from_slice(&[5, 1, 0, 0, 0, 0, 0x05, 0xdc]);
            body.extend_from_slice(&[
                3, 4, 64, 0xc0, 0, 0x27, 0x8d, 0, 0, 0, 0x38, 0x40, 0, 0, 0, 0,
            ]);
            body.extend_from_slice(&G2[..8]);
            body.extend_from_slice(&[0; 8]);
            icmpv6_frame(DST6, ALL6, 134, 0, &body)
        },
        {
            let mut body = vec![0, 0, 0, 0];
            body.extend_from_slice(&DST6);
            body.extend_from_slice(&[1, 1, 2, 0, 0, 0, 0, 0x11]);
            icmpv6_frame(SRC6, DST6, 135, 0, &body)
        },
        {
            let mut body = vec![0x60, 0, 0, 0];
            body.extend_from_slice(&DST6);
            body.extend_from_slice(&[2, 1, 2, 0, 0, 0, 0, 0x22]);
            icmpv6_frame(DST6, SRC6, 136, 0, &body)
        },
        {
            let mut body = vec![0, 0, 0, 0];
            body.extend_from_slice(&DST6);
            body.extend_from_slice(&G2);
            icmpv6_frame(DST6, SRC6, 137, 0, &body)
        },
        {
            let mut body = vec![0x03, 0xe8, 0, 0];
            body.extend_from_slice(&GROUP6);
            icmpv6_frame(SRC6, GROUP6, 131, 0, &body)
        },
        {
            let mut body = vec![0x27, 0x10, 0, 0];
            body.extend_from_slice(&[0; 16]);
            body.extend_from_slice(&[0x02, 125, 0, 1]);
            body.extend_from_slice(&SRC6);
            icmpv6_frame(SRC6, ALL6, 130, 0, &body)
        },
        {
            let mut body = vec![0, 0, 0, 1, 4, 0, 0, 0];
            body.extend_from_slice(&GROUP6);
            icmpv6_frame(
                SRC6,
                [0xff, 2, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0x16],
                143,
                0,
                &body,
            )
        },
        // IGMP.
        igmp(&[0x12, 0, 0, 0, 239, 1, 1, 1]),
        igmp(&[0x16, 0, 0, 0, 239, 1, 1, 1]),
        igmp(&[0x17, 0, 0, 0, 239, 1, 1, 1]),
        igmp(&[0x11, 100, 0, 0, 0, 0, 0, 0, 0x02, 125, 0, 1, 10, 0, 0, 9]),
        igmp(&[0x22, 0, 0, 0, 0, 0, 0, 1, 4, 0, 0, 0, 239, 1, 1, 1]),
        // ESP.
        eth4(&ip(
            50,
            &[0, 0, 0x10, 0x01, 0, 0, 0, 7, 0xde, 0xad, 0xbe, 0xef],
        )),
        // GRE: plain over IPv4, checksum+key+seq, IPv6 payload, Ethernet (TEB).
        eth4(&ip(
            47,
            &[&[0, 0, 0x08, 0][..], &udp_in(b"gre", 9)].concat(),
        )),
        {
            let mut g = vec![0xb0, 0, 0x08, 0, 0, 0, 0, 0, 0, 0, 0, 42, 0, 0, 0, 5];
            g.extend_from_slice(&udp_in(b"gre-cks", 9));
            let c = build::checksum(&g);
            g[4..6].copy_from_slice(&c.to_be_bytes());
            eth4(&ip(47, &g))
        },
        eth4(&ip(
            47,
            &[
                &[0x20, 0, 0x86, 0xdd, 0, 0, 0, 1][..],
                &ipv6(SRC6, DST6, 17, &udp6),
            ]
            .concat(),
        )),
        eth4(&ip(47, &[&[0, 0, 0x65, 0x58][..], &inner_eth].concat())),
        // IP-in-IP and IPv6-in-IPv4.
        eth4(&ip(4, &udp_in(b"ipip", 9))),
        eth4(&ip(41, &ipv6(SRC6, DST6, 17, &udp6))),
        // VXLAN and Geneve.
        eth4(&ip(
            17,
            &build::udp(
                H1,
                H2,
                49153,
                4789,
                &[&[0x08, 0, 0, 0, 0, 0x10, 0x01, 0][..], &inner_eth].concat(),
            ),
        )),
        eth4(&ip(
            17,
            &build::udp(
                H1,
                H2,
                49154,
                6081,
                &[&[0, 0, 0x65, 0x58, 0, 0, 0x2a, 0][..], &inner_eth].concat(),
            ),
        )),
        // SCTP: INIT, then DATA + SACK.
        eth4(&ip(
            132,
            &sctp(&[
                1, 0, 0, 20, 0xca, 0xfe, 0, 1, 0, 1, 0, 0, 0, 10, 0, 10, 0, 0, 0, 1,
            ]),
        )),
        eth4(&ip(
            132,
            &sctp(&[
                0, 3, 0, 19, 0, 0, 0, 1, 0, 0, 0, 0, 0, 0, 0, 0, b'a', b'b', b'c', 0, 3, 0, 0, 16,
                0, 0, 0, 1, 0, 1, 0, 0, 0, 0, 0, 0,
            ]),
        )),
    ];
    v.shrink_to_fit();
    v
}

/// `net.pcap` (Ethernet, microseconds).
pub fn net_pcap() -> Vec<u8> {
    let mut w = PcapWriter::new(Vec::new(), PcapWriterOptions::default()).expect("Vec");
    for (i, data) in frames().iter().enumerate() {
        let ts = Timestamp::new(1_700_000_200 + i as i64, 0);
        let f = RawFrame::new(
            i as u64 + 1,
            ts,
            LinkType::ETHERNET,
            data.len() as u32,
            data,
        );
        w.write_frame(&f).expect("valid frame");
    }
    w.into_inner()
}
