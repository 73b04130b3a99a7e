//! Helpers shared by the trace tests: synthetic TCP frames and feeding a tracer.
#![allow(dead_code)]

use pcapkit_core::{LinkType, RawFrame, Timestamp};
use pcapkit_protocols::{DissectOptions, dissect};
use pcapkit_testdata::build::{self, Tcp};
use pcapkit_trace::{Result, Tracer};

pub use pcapkit_testdata::build::flags;

/// An Ethernet/IPv4/TCP frame.
pub fn frame(
    src: ([u8; 4], u16),
    dst: ([u8; 4], u16),
    seq: u32,
    fl: u8,
    payload: &[u8],
) -> Vec<u8> {
    let t = Tcp {
        sport: src.1,
        dport: dst.1,
        seq,
        ack: 0,
        flags: fl,
        window: 1024,
    };
    let seg = build::tcp(src.0, dst.0, t, payload);
    let ip = build::ipv4(src.0, dst.0, build::PROTO_TCP, 1, 64, &seg);
    build::ethernet([2; 6], [4; 6], build::ETHERTYPE_IPV4, &ip)
}

/// Feeds frame `number` at `ts` to the tracer.
pub fn feed(t: &mut Tracer, number: u64, ts: Timestamp, data: &[u8]) -> Result<Option<u64>> {
    let raw = RawFrame::new(number, ts, LinkType::ETHERNET, data.len() as u32, data);
    let p = dissect(raw.link_type, raw.data, &DissectOptions::default());
    t.feed(&raw, &p)
}

pub const C: ([u8; 4], u16) = ([10, 0, 0, 1], 40000);
pub const S: ([u8; 4], u16) = ([10, 0, 0, 2], 80);

/// A whole connection C->S: SYN, SYN-ACK, ACK, data, FIN, FIN, ACK (7 frames).
pub fn connection(c: ([u8; 4], u16), s: ([u8; 4], u16), isn: u32) -> Vec<Vec<u8>> {
    use flags::*;
    vec![
        frame(c, s, isn, SYN, b""),
        frame(s, c, 7000, SYN | ACK, b""),
        frame(c, s, isn + 1, ACK, b""),
        frame(c, s, isn + 1, ACK | PSH, b"GET / HTTP/1.0\r\n\r\n"),
        frame(c, s, isn + 19, FIN | ACK, b""),
        frame(s, c, 7001, FIN | ACK, b""),
        frame(c, s, isn + 20, ACK, b""),
    ]
}
