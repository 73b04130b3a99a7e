//! The captures this project crafts itself and commits under `testdata/captures/`.
//!
//! [`all`] builds every one of them from scratch with our packet builder and writers;
//! `cargo run -p pcapkit-testdata --example gen-captures` rewrites the committed files,
//! and the test `committed_captures_are_generated` checks they are identical.

use pcapkit_core::{
    Endian, InterfaceSpec, LinkType, PcapWriter, PcapWriterOptions, PcapngWriter,
    PcapngWriterOptions, RawFrame, Timestamp, TsResolution,
};

use crate::build::{self, Tcp, flags};

const CLIENT_MAC: [u8; 6] = [0x02, 0x00, 0x00, 0x00, 0x00, 0x0a];
const SERVER_MAC: [u8; 6] = [0x02, 0x00, 0x00, 0x00, 0x00, 0x01];
const CLIENT: [u8; 4] = [192, 168, 1, 10];
const SERVER: [u8; 4] = [93, 184, 216, 34];
const CLIENT_PORT: u16 = 51_000;

/// Every crafted capture: (file name, bytes).
pub fn all() -> Vec<(&'static str, Vec<u8>)> {
    vec![
        ("http.pcap", http_pcap()),
        ("le-us.pcap", le_us_pcap()),
        ("be-ns.pcap", be_ns_pcap()),
        ("multi-section.pcapng", multi_section_pcapng()),
        ("internet.pcap", crate::inet_frames::internet_pcap()),
        ("net.pcap", crate::net_frames::net_pcap()),
        ("links.pcapng", crate::link_frames::links_pcapng()),
        ("wlan.pcapng", crate::wlan_frames::wlan_pcapng()),
        ("snaplen68.pcap", crate::snaplen_frames::snaplen68_pcap()),
    ]
}

/// The frames of the HTTP exchange: (timestamp, Ethernet frame).
pub fn http_frames() -> Vec<(Timestamp, Vec<u8>)> {
    let request: &[u8] = b"GET /index.html HTTP/1.1\r\nHost: example.com\r\nUser-Agent: pcapkit-rs\r\nAccept: */*\r\n\r\n";
    let body: &[u8] = b"<html><body><h1>Hello from pcapkit-rs</h1></body></html>\n";
    let mut response = format!(
        "HTTP/1.1 200 OK\r\nContent-Type: text/html\r\nContent-Length: {}\r\nConnection: close\r\n\r\n",
        body.len()
    )
    .into_bytes();
    response.extend_from_slice(body);

    let (c_isn, s_isn) = (0x1000_0000u32, 0x5000_0000u32);
    let req_len = request.len() as u32;
    let resp_len = response.len() as u32;
    // (from client?, seq, ack, flags, payload, microseconds after start)
    type Step<'a> = (bool, u32, u32, u8, &'a [u8], u32);
    let steps: Vec<Step<'_>> = vec![
        (true, c_isn, 0, flags::SYN, &[], 0),
        (
            false,
            s_isn,
            c_isn + 1,
            flags::SYN | flags::ACK,
            &[],
            23_512,
        ),
        (true, c_isn + 1, s_isn + 1, flags::ACK, &[], 23_611),
        (
            true,
            c_isn + 1,
            s_isn + 1,
            flags::PSH | flags::ACK,
            request,
            23_902,
        ),
        (
            false,
            s_isn + 1,
            c_isn + 1 + req_len,
            flags::ACK,
            &[],
            47_133,
        ),
        (
            false,
            s_isn + 1,
            c_isn + 1 + req_len,
            flags::PSH | flags::ACK,
            &response,
            48_020,
        ),
        (
            true,
            c_isn + 1 + req_len,
            s_isn + 1 + resp_len,
            flags::ACK,
            &[],
            48_101,
        ),
        (
            true,
            c_isn + 1 + req_len,
            s_isn + 1 + resp_len,
            flags::FIN | flags::ACK,
            &[],
            50_007,
        ),
        (
            false,
            s_isn + 1 + resp_len,
            c_isn + 2 + req_len,
            flags::FIN | flags::ACK,
            &[],
            73_249,
        ),
        (
            true,
            c_isn + 2 + req_len,
            s_isn + 2 + resp_len,
            flags::ACK,
            &[],
            73_300,
        ),
    ];
    let start = 1_700_000_000i64;
    steps
        .into_iter()
        .enumerate()
        .map(|(i, (from_client, seq, ack, fl, payload, us))| {
            let (src, dst, smac, dmac, sport, dport) = if from_client {
                (CLIENT, SERVER, CLIENT_MAC, SERVER_MAC, CLIENT_PORT, 80)
            } else {
                (SERVER, CLIENT, SERVER_MAC, CLIENT_MAC, 80, CLIENT_PORT)
            };
            let t = Tcp {
                sport,
                dport,
                seq,
                ack,
                flags: fl,
                window: if from_client { 64_240 } else { 65_535 },
            };
            let seg = build::tcp(src, dst, t, payload);
            let ttl = if from_client { 64 } else { 56 };
            let ip = build::ipv4(src, dst, build::PROTO_TCP, 0x1c46 + i as u16, ttl, &seg);
            let mut frame = build::ethernet(dmac, smac, build::ETHERTYPE_IPV4, &ip);
            // Ethernet minimum: pad to 60 bytes (without FCS), as capture tools see it.
            if frame.len() < 60 {
                frame.resize(60, 0);
            }
            (Timestamp::new(start, us * 1_000), frame)
        })
        .collect()
}

/// `http.pcap`: an HTTP/1.1 GET and its 200 OK over one TCP connection (handshake,
/// request, response, FIN both ways), Ethernet, little endian, microseconds.
pub fn http_pcap() -> Vec<u8> {
    let frames = http_frames();
    pcap(&frames, PcapWriterOptions::default(), LinkType::ETHERNET)
}

fn pcap(frames: &[(Timestamp, Vec<u8>)], opts: PcapWriterOptions, link: LinkType) -> Vec<u8> {
    let mut w = PcapWriter::new(Vec::new(), opts.link_type(link)).expect("Vec");
    for (i, (ts, data)) in frames.iter().enumerate() {
        let f = RawFrame::new(i as u64 + 1, *ts, link, data.len() as u32, data);
        w.write_frame(&f).expect("valid frame");
    }
    w.into_inner()
}

fn udp_frame(i: u16, payload: &[u8]) -> Vec<u8> {
    let src = [10, 0, 0, 1];
    let dst = [10, 0, 0, 2];
    let d = build::udp(src, dst, 40_000 + i, 9, payload);
    let ip = build::ipv4(src, dst, build::PROTO_UDP, i, 64, &d);
    build::ethernet(SERVER_MAC, CLIENT_MAC, build::ETHERTYPE_IPV4, &ip)
}

/// `le-us.pcap`: little endian, microseconds, Ethernet/IPv4/UDP, snaplen 96 with one
/// frame cut to it (original length above captured length).
pub fn le_us_pcap() -> Vec<u8> {
    let mut w = PcapWriter::new(Vec::new(), PcapWriterOptions::default().snaplen(96)).expect("Vec");
    let payloads: [&[u8]; 3] = [b"first", b"second datagram", &[0x55; 200]];
    for (i, p) in payloads.iter().enumerate() {
        let full = udp_frame(i as u16, p);
        let cut = &full[..full.len().min(96)];
        let ts = Timestamp::new(1_600_000_000 + i as i64, 250_000 * i as u32 * 1_000);
        w.write_frame(&RawFrame::new(
            i as u64 + 1,
            ts,
            LinkType::ETHERNET,
            full.len() as u32,
            cut,
        ))
        .expect("valid frame");
    }
    w.into_inner()
}

/// `be-ns.pcap`: big endian, nanoseconds, raw IPv4 (LINKTYPE_RAW 101).
pub fn be_ns_pcap() -> Vec<u8> {
    let frames: Vec<(Timestamp, Vec<u8>)> = (0..3u16)
        .map(|i| {
            let d = build::udp([172, 16, 0, 1], [172, 16, 0, 2], 40_000 + i, 9, b"ns");
            let ip = build::ipv4(
                [172, 16, 0, 1],
                [172, 16, 0, 2],
                build::PROTO_UDP,
                i,
                32,
                &d,
            );
            (
                Timestamp::new(1_650_000_000, 123_456_789 + u32::from(i)),
                ip,
            )
        })
        .collect();
    let opts = PcapWriterOptions::default()
        .endian(Endian::Big)
        .nanosecond(true);
    pcap(&frames, opts, LinkType::RAW)
}

/// `multi-section.pcapng`: two sections.
///
/// - Section 1, little endian: interface 0 Ethernet with `if_tsresol` 2^-20 and
///   `if_tsoffset` 1600000000 s, named `eth0`; interface 1 raw IP with nanoseconds.
///   EPBs alternate between them.
/// - Section 2, big endian: interface 0 Ethernet with millisecond resolution (10^-3),
///   snaplen 1500 and a negative `if_tsoffset` of -1000 s; an EPB and an SPB.
pub fn multi_section_pcapng() -> Vec<u8> {
    let mut w = PcapngWriter::new(
        Vec::new(),
        PcapngWriterOptions {
            endian: Endian::Little,
            user_appl: Some("pcapkit-testdata".into()),
        },
    )
    .expect("Vec");
    let eth0 = w
        .add_interface(&InterfaceSpec {
            link_type: LinkType::ETHERNET,
            snaplen: 65_535,
            tsresol: TsResolution::Binary(20),
            tsoffset: 1_600_000_000,
            name: Some("eth0".into()),
        })
        .expect("Vec");
    let raw = w
        .add_interface(&InterfaceSpec {
            link_type: LinkType::RAW,
            snaplen: 0,
            tsresol: TsResolution::Decimal(9),
            tsoffset: 0,
            name: None,
        })
        .expect("Vec");
    for i in 0..4u16 {
        let eth = udp_frame(i, b"section one");
        // 2^-20 s units: i seconds + 3/4 s
        let units = (u64::from(i) << 20) + (3 << 18);
        w.write_packet(eth0, units, eth.len() as u32, &eth)
            .expect("Vec");
        let ip = &eth[14..];
        let ns = 1_600_000_000_000_000_000u64 + u64::from(i) * 1_000_000_001;
        w.write_packet(raw, ns, ip.len() as u32, ip).expect("Vec");
    }
    w.new_section(PcapngWriterOptions {
        endian: Endian::Big,
        user_appl: None,
    })
    .expect("Vec");
    let ms = w
        .add_interface(&InterfaceSpec {
            link_type: LinkType::ETHERNET,
            snaplen: 1_500,
            tsresol: TsResolution::Decimal(3),
            tsoffset: -1_000,
            name: None,
        })
        .expect("Vec");
    let eth = udp_frame(9, b"section two");
    w.write_packet(ms, 1_700_000_000_123, eth.len() as u32, &eth)
        .expect("Vec");
    w.write_simple_packet(eth.len() as u32, &eth).expect("Vec");
    w.into_inner()
}
