//! `snaplen68.pcap`: segments a 68-byte snaplen cuts (`tcpdump -s 68`): TCP headers
//! whose options run past the cut (IPv4 with and without IP options, IPv6), a TCP
//! header cut before its fixed part ends, and UDP/HTTP payloads cut short, so tshark
//! can check what we show of a header that was not captured whole.

use pcapkit_core::{LinkType, PcapWriter, PcapWriterOptions, RawFrame, Timestamp};

use crate::build;

const SNAPLEN: usize = 68;
const A: [u8; 6] = [0x02, 0, 0, 0, 0, 0x11];
const B: [u8; 6] = [0x02, 0, 0, 0, 0, 0x22];
const H1: [u8; 4] = [10, 2, 0, 1];
const H2: [u8; 4] = [10, 2, 0, 2];
const SRC6: [u8; 16] = [0x20, 0x01, 0x0d, 0xb8, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 1];
const DST6: [u8; 16] = [0x20, 0x01, 0x0d, 0xb8, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 2];

/// MSS 1460, SACK permitted, timestamps (1, 0), NOP, window scale 7: 20 bytes.
const SYN_OPTIONS: [u8; 20] = [
    2, 4, 0x05, 0xb4, 4, 2, 8, 10, 0, 0, 0, 1, 0, 0, 0, 0, 1, 3, 3, 7,
];

/// A TCP header with `options` (checksum left 0: the segment is not captured whole, so
/// neither side can verify it).
fn tcp(sport: u16, dport: u16, seq: u32, flags: u8, options: &[u8], payload: &[u8]) -> Vec<u8> {
    let offset = (20 + options.len()) / 4;
    let mut s = Vec::new();
    s.extend_from_slice(&sport.to_be_bytes());
    s.extend_from_slice(&dport.to_be_bytes());
    s.extend_from_slice(&seq.to_be_bytes());
    s.extend_from_slice(&0u32.to_be_bytes());
    s.extend_from_slice(&[(offset as u8) << 4, flags, 0xff, 0xff, 0x12, 0x34, 0, 0]);
    s.extend_from_slice(options);
    s.extend_from_slice(payload);
    s
}

/// IPv4 with `options` (a multiple of 4 bytes) around `payload`.
fn ipv4_with_options(proto: u8, options: &[u8], payload: &[u8]) -> Vec<u8> {
    let ihl = (20 + options.len()) / 4;
    let total = (ihl * 4 + payload.len()) as u16;
    let mut h = vec![0x40 | ihl as u8, 0];
    h.extend_from_slice(&total.to_be_bytes());
    h.extend_from_slice(&[0, 7, 0x40, 0, 64, proto, 0, 0]);
    h.extend_from_slice(&H1);
    h.extend_from_slice(&H2);
    h.extend_from_slice(options);
    let c = build::checksum(&h);
    h[10..12].copy_from_slice(&c.to_be_bytes());
    h.extend_from_slice(payload);
    h
}

/// The whole frames (before the snaplen cuts them).
fn frames() -> Vec<Vec<u8>> {
    let body = [b'x'; 100];
    // Record route with room for three addresses, then End of Options List padding.
    let rr = [7, 15, 4, 10, 2, 0, 1, 0, 0, 0, 0, 0, 0, 0, 0, 0];
    let eth4 = |p: &[u8]| build::ethernet(B, A, 0x0800, p);
    vec![
        eth4(&build::ipv4(H1, H2, 6, 1, 64, &tcp(40_001, 80, 1, 0x02, &SYN_OPTIONS, &[]))),
        eth4(&build::ipv4(H1, H2, 6, 2, 64, &tcp(40_002, 80, 2, 0x18, &[2, 4, 0x05, 0xb4, 4, 2, 1, 1], &body))),
        eth4(&ipv4_with_options(6, &rr, &tcp(40_003, 80, 3, 0x02, &SYN_OPTIONS, &[]))),
        build::ethernet(B, A, 0x86dd, &build::ipv6(SRC6, DST6, 6, 64, &tcp(40_004, 443, 4, 0x02, &SYN_OPTIONS, &[]))),
        eth4(&build::ipv4(H1, H2, 6, 5, 64, &tcp(40_005, 80, 5, 0x18, &[], b"GET /a/rather/long/path/that/the/snaplen/cuts HTTP/1.1\r\nHost: example.com\r\n\r\n"))),
        eth4(&build::ipv4(H1, H2, 17, 6, 64, &build::udp(H1, H2, 40_006, 9999, &body))),
    ]
}

/// `snaplen68.pcap` (Ethernet, microseconds, snaplen 68).
pub fn snaplen68_pcap() -> Vec<u8> {
    let opts = PcapWriterOptions::default().snaplen(SNAPLEN as u32);
    let mut w = PcapWriter::new(Vec::new(), opts).expect("Vec");
    for (i, data) in frames().iter().enumerate() {
        let ts = Timestamp::new(1_700_000_400 + i as i64, 0);
        let cut = &data[..data.len().min(SNAPLEN)];
        let f = RawFrame::new(i as u64 + 1, ts, LinkType::ETHERNET, data.len() as u32, cut);
        w.write_frame(&f).expect("valid frame");
    }
    w.into_inner()
}
