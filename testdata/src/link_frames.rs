//! `links.pcapng`: MPLS label stacks (over Ethernet, VLAN, PPPoE/PPP and GRE; IPv4,
//! IPv6 and opaque payloads) and the serial link types: PPP (with and without HDLC
//! address/control, compressed protocol field, Cisco HDLC framing), PPP in HDLC-like
//! framing, Cisco HDLC (incl. SLARP) and PPPoE without Ethernet, one interface per link
//! type; GTP-U tunnels (with and without extension headers) and NFLOG (little- and
//! big-endian TLVs); built byte by byte so tshark can check the decoders.

use pcapkit_core::pcapng::TsResolution;
use pcapkit_core::{Endian, InterfaceSpec, LinkType, PcapngWriter, PcapngWriterOptions};

use crate::build::{self, Tcp, flags};

const A: [u8; 6] = [0x02, 0, 0, 0, 0, 0x11];
const B: [u8; 6] = [0x02, 0, 0, 0, 0, 0x22];
const H1: [u8; 4] = [10, 1, 0, 1];
const H2: [u8; 4] = [10, 1, 0, 2];
const SRC6: [u8; 16] = [0x20, 0x01, 0x0d, 0xb8, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 1];
const DST6: [u8; 16] = [0x20, 0x01, 0x0d, 0xb8, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 2];

/// An MPLS label stack entry.
fn label(value: u32, tc: u8, bottom: bool, ttl: u8) -> [u8; 4] {
    (value << 12 | u32::from(tc & 7) << 9 | u32::from(bottom) << 8 | u32::from(ttl)).to_be_bytes()
}

/// `entries` then `payload`.
fn stacked(entries: &[[u8; 4]], payload: &[u8]) -> Vec<u8> {
    let mut v: Vec<u8> = entries.concat();
    v.extend_from_slice(payload);
    v
}

fn udp4(sport: u16, dport: u16, body: &[u8]) -> Vec<u8> {
    build::ipv4(
        H1,
        H2,
        17,
        0x0202,
        64,
        &build::udp(H1, H2, sport, dport, body),
    )
}

fn tcp4(seq: u32) -> Vec<u8> {
    let t = Tcp {
        sport: 40_000,
        dport: 80,
        seq,
        ack: 0,
        flags: flags::SYN,
        window: 8192,
    };
    build::ipv4(H1, H2, 6, 0x0303, 64, &build::tcp(H1, H2, t, &[]))
}

fn icmp4_echo() -> Vec<u8> {
    let mut m = vec![8, 0, 0, 0, 0, 1, 0, 1, b'm', b'p', b'l', b's'];
    let c = build::checksum(&m);
    m[2..4].copy_from_slice(&c.to_be_bytes());
    build::ipv4(H2, H1, 1, 0x0404, 63, &m)
}

/// IPv6 with a UDP datagram.
fn udp6(sport: u16, dport: u16, body: &[u8]) -> Vec<u8> {
    build::ipv6_udp(SRC6, DST6, sport, dport, body)
}

/// The Ethernet frames (MPLS).
fn ethernet_frames() -> Vec<Vec<u8>> {
    let eth = |ty, payload: &[u8]| build::ethernet(B, A, ty, payload);
    let mut pppoe = vec![0x11, 0x00, 0x12, 0x34];
    let ppp_mpls = stacked(&[label(300, 0, true, 64)], &udp4(5000, 5001, b"pppoe mpls"));
    pppoe.extend_from_slice(&((ppp_mpls.len() + 2) as u16).to_be_bytes());
    pppoe.extend_from_slice(&[0x02, 0x81]);
    pppoe.extend_from_slice(&ppp_mpls);
    // GRE (no flags) carrying MPLS unicast.
    let mut gre = vec![0, 0, 0x88, 0x47];
    gre.extend_from_slice(&stacked(&[label(400, 0, true, 9)], &icmp4_echo()));
    let mut vlan = vec![0x20, 0x0a, 0x88, 0x47];
    vlan.extend_from_slice(&stacked(
        &[label(500, 1, true, 32)],
        &udp4(6000, 6001, b"vlan"),
    ));
    vec![
        eth(0x8847, &stacked(&[label(16, 0, true, 64)], &tcp4(1000))),
        eth(
            0x8847,
            &stacked(
                &[label(16, 5, false, 255), label(17, 0, true, 64)],
                &udp6(7000, 7001, b"two labels"),
            ),
        ),
        eth(
            0x8848,
            &stacked(&[label(2, 0, true, 1)], &udp6(7002, 7003, b"v6 null")),
        ),
        eth(
            0x8847,
            &stacked(
                &[label(0x000f_ffff, 7, false, 1), label(3, 0, false, 2)]
                    .into_iter()
                    .chain([label(0, 0, true, 3)])
                    .collect::<Vec<_>>(),
                &udp4(7004, 7005, b"three labels"),
            ),
        ),
        eth(0x8847, &stacked(&[label(20, 0, true, 64)], &[0x55; 30])),
        eth(0x8100, &vlan),
        eth(0x8864, &pppoe),
        eth(
            0x0800,
            &build::ipv4([192, 0, 2, 1], [192, 0, 2, 2], 47, 0x0505, 64, &gre),
        ),
        gtp_frame(&[0x30, 0xff], &[], &tcp4(4000)),
        // E and S: sequence 7, a PDU session container extension (one 4-byte unit).
        gtp_frame(
            &[0x36, 0xff],
            &[0x00, 0x07, 0x00, 0x85, 0x01, 0x10, 0x09, 0x00],
            &udp6(7010, 7011, b"gtp ext"),
        ),
        // Echo request with a recovery element.
        gtp_frame(&[0x32, 0x01], &[0x00, 0x08, 0x00, 0x00, 0x0e, 0x00], &[]),
    ]
}

/// Ethernet, IPv4, UDP 2152 and a GTPv1-U message: `flags_type`, the optional fields
/// and extensions, then `payload`.
fn gtp_frame(flags_type: &[u8], optional: &[u8], payload: &[u8]) -> Vec<u8> {
    let (s, d) = ([192, 0, 2, 10], [192, 0, 2, 20]);
    let mut g = flags_type.to_vec();
    g.extend_from_slice(&((optional.len() + payload.len()) as u16).to_be_bytes());
    g.extend_from_slice(&[0x00, 0x00, 0x12, 0x34]);
    g.extend_from_slice(optional);
    g.extend_from_slice(payload);
    let udp = build::udp(s, d, 2152, 2152, &g);
    build::ethernet(B, A, 0x0800, &build::ipv4(s, d, 17, 0x0606, 64, &udp))
}

/// An NFLOG TLV (length and type in `little` or big byte order), padded to 4 bytes.
fn nflog_tlv(ty: u16, value: &[u8], little: bool) -> Vec<u8> {
    let len = (value.len() + 4) as u16;
    let (l, t) = if little {
        (len.to_le_bytes(), ty.to_le_bytes())
    } else {
        (len.to_be_bytes(), ty.to_be_bytes())
    };
    let mut v = [&l[..], &t[..], value].concat();
    v.resize(v.len().next_multiple_of(4), 0);
    v
}

/// NFLOG (link type 239) frames: packet header, prefix, the packet, UID. Their TLVs
/// are little-endian like the file (what a capturing host writes; tshark reads them in
/// the file's byte order, the decoder tells it from the TLVs).
fn nflog_frames() -> Vec<Vec<u8>> {
    let frame = |family: u8, little: bool, packet: &[u8]| {
        let hw_protocol: &[u8] = if family == 2 {
            &[0x08, 0x00, 3, 0]
        } else {
            &[0x86, 0xdd, 3, 0]
        };
        let mut v = vec![family, 0, 0, 5];
        v.extend(nflog_tlv(1, hw_protocol, little));
        v.extend(nflog_tlv(10, b"pcapkit\0", little));
        v.extend(nflog_tlv(9, packet, little));
        v.extend(nflog_tlv(11, &[0, 0, 3, 0xe8], little));
        v
    };
    vec![
        frame(2, true, &udp4(9500, 9501, b"nflog le")),
        frame(10, true, &udp6(9502, 9503, b"nflog v6")),
        frame(2, true, &tcp4(5000)),
    ]
}

/// PPP (link type 9) frames.
fn ppp_frames() -> Vec<Vec<u8>> {
    let framed = |head: &[u8], payload: &[u8]| [head, payload].concat();
    vec![
        framed(&[0xff, 0x03, 0x00, 0x21], &tcp4(2000)),
        framed(&[0x00, 0x21], &udp4(8000, 8001, b"no address/control")),
        framed(&[0x21], &udp4(8002, 8003, b"compressed protocol")),
        framed(&[0xff, 0x03, 0x00, 0x57], &udp6(8004, 8005, b"ppp ipv6")),
        framed(
            &[0xff, 0x03, 0xc0, 0x21],
            &[0x01, 0x01, 0x00, 0x0a, 0x05, 0x06, 0x12, 0x34, 0x56, 0x78],
        ),
        framed(
            &[0x0f, 0x00, 0x08, 0x00],
            &udp4(8006, 8007, b"cisco on ppp"),
        ),
    ]
}

/// Cisco HDLC (link type 104) frames.
fn chdlc_frames() -> Vec<Vec<u8>> {
    let framed = |head: &[u8], payload: &[u8]| [head, payload].concat();
    // SLARP request: code 0, address, mask, reliability.
    let slarp = [0, 0, 0, 0, 10, 1, 0, 1, 255, 255, 255, 252, 0xff, 0xff];
    vec![
        framed(&[0x0f, 0x00, 0x08, 0x00], &udp4(9000, 9001, b"chdlc")),
        framed(&[0x8f, 0x00, 0x80, 0x35], &slarp),
        framed(&[0x0f, 0x00, 0x86, 0xdd], &udp6(9002, 9003, b"chdlc v6")),
        framed(
            &[0x0f, 0x00, 0x88, 0x47],
            &stacked(&[label(600, 0, true, 8)], &tcp4(3000)),
        ),
    ]
}

/// `links.pcapng` (little-endian, one interface per link type, microseconds).
pub fn links_pcapng() -> Vec<u8> {
    let mut w = PcapngWriter::new(
        Vec::new(),
        PcapngWriterOptions {
            endian: Endian::Little,
            user_appl: Some("pcapkit-testdata".into()),
        },
    )
    .expect("Vec");
    let hdlc = [0xff, 0x03, 0x00, 0x57];
    let ppp_ether = {
        let ip = udp4(9100, 9101, b"ppp_ether");
        let mut v = vec![0x11, 0x00, 0x00, 0x07];
        v.extend_from_slice(&((ip.len() + 2) as u16).to_be_bytes());
        v.extend_from_slice(&[0x00, 0x21]);
        v.extend_from_slice(&ip);
        v
    };
    let groups = [
        (LinkType::ETHERNET, ethernet_frames()),
        (LinkType::PPP, ppp_frames()),
        (
            LinkType::PPP_HDLC,
            vec![
                [&hdlc[..], &udp6(9400, 9401, b"ppp_hdlc")].concat(),
                [&[0x8f, 0x00, 0x08, 0x00][..], &udp4(9402, 9403, b"c")].concat(),
            ],
        ),
        (LinkType::C_HDLC, chdlc_frames()),
        (LinkType::PPP_ETHER, vec![ppp_ether]),
        (LinkType::NFLOG, nflog_frames()),
    ];
    let mut n = 0u64;
    for (link_type, frames) in groups {
        let id = w
            .add_interface(&InterfaceSpec {
                link_type,
                snaplen: 65_535,
                tsresol: TsResolution::Decimal(6),
                tsoffset: 0,
                name: None,
            })
            .expect("Vec");
        for f in frames {
            n += 1;
            let us = 1_700_000_300_000_000 + n * 1_000;
            w.write_packet(id, us, f.len() as u32, &f).expect("Vec");
        }
    }
    w.into_inner()
}
