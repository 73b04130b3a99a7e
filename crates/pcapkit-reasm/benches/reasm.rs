//! IPv4 + TCP reassembly throughput, frames per second: `cargo bench -p pcapkit-reasm
//! --bench reasm -- --warm-up-time 1 --measurement-time 3`.
//!
//! The frames are a synthetic mix built in memory: 200 TCP connections (handshake,
//! an 8-segment request/response exchange, FIN) interleaved with fragmented UDP
//! datagrams (3 fragments each) and unfragmented UDP. `dissect+reassemble` measures
//! what the Extractor does per frame (dissection once, then reassembly);
//! `reassemble` the reassembly alone on already dissected frames.

use criterion::{Criterion, Throughput, criterion_group, criterion_main};
use pcapkit_core::{LinkType, Timestamp};
use pcapkit_protocols::{DissectOptions, Packet, dissect};
use pcapkit_reasm::{Protocol, Reassembly};
use pcapkit_testdata::build::{self, Tcp, flags};

const MAC_A: [u8; 6] = [2, 0, 0, 0, 0, 1];
const MAC_B: [u8; 6] = [2, 0, 0, 0, 0, 2];

fn eth(ip: Vec<u8>) -> Vec<u8> {
    build::ethernet(MAC_B, MAC_A, build::ETHERTYPE_IPV4, &ip)
}

/// Fragments of a UDP datagram with IP id `id`, cut every 1480 bytes.
fn fragments(id: u16, payload_len: usize) -> Vec<Vec<u8>> {
    let (a, b) = ([10, 1, 0, 1], [10, 1, 0, 2]);
    let udp = build::udp(a, b, 5000, 6000, &vec![0x5a; payload_len]);
    let mut out = Vec::new();
    for (i, chunk) in udp.chunks(1480).enumerate() {
        let mut p = build::ipv4(a, b, build::PROTO_UDP, id, 64, chunk);
        let more = (i + 1) * 1480 < udp.len();
        let word = ((i * 1480 / 8) as u16) | if more { 0x2000 } else { 0 };
        p[6..8].copy_from_slice(&word.to_be_bytes());
        out.push(eth(p));
    }
    out
}

fn connection(n: u16) -> Vec<Vec<u8>> {
    let (c, s) = ([192, 168, (n >> 8) as u8, n as u8], [192, 168, 200, 1]);
    let t = |seq, ack, f, from_client: bool| Tcp {
        sport: if from_client { 40000 + n } else { 80 },
        dport: if from_client { 80 } else { 40000 + n },
        seq,
        ack,
        flags: f,
        window: 65535,
    };
    let mut v = Vec::new();
    let (ci, si) = (1000u32, 5000u32);
    v.push(build::tcp(c, s, t(ci, 0, flags::SYN, true), b""));
    v.push(build::tcp(
        s,
        c,
        t(si, ci + 1, flags::SYN | flags::ACK, false),
        b"",
    ));
    let req = b"GET /index.html HTTP/1.1\r\nHost: example\r\n\r\n";
    v.push(build::tcp(
        c,
        s,
        t(ci + 1, si + 1, flags::ACK | flags::PSH, true),
        req,
    ));
    let body = [b'x'; 1400];
    let mut seq = si + 1;
    for _ in 0..8 {
        v.push(build::tcp(
            s,
            c,
            t(seq, ci + 1 + req.len() as u32, flags::ACK, false),
            &body,
        ));
        seq += body.len() as u32;
    }
    v.push(build::tcp(
        c,
        s,
        t(
            ci + 1 + req.len() as u32,
            seq,
            flags::ACK | flags::FIN,
            true,
        ),
        b"",
    ));
    v.push(build::tcp(
        s,
        c,
        t(
            seq,
            ci + 2 + req.len() as u32,
            flags::ACK | flags::FIN,
            false,
        ),
        b"",
    ));
    v.into_iter()
        .map(|seg| {
            let (src, dst) = if seg[2..4] == [0, 80] { (s, c) } else { (c, s) };
            eth(build::ipv4(src, dst, build::PROTO_TCP, n, 64, &seg))
        })
        .collect()
}

fn frames() -> Vec<Vec<u8>> {
    let mut out = Vec::new();
    for n in 0..200u16 {
        out.extend(connection(n));
        out.extend(fragments(n, 3000));
        let (a, b) = ([10, 2, 0, 1], [10, 2, 0, 2]);
        out.push(eth(build::ipv4(
            a,
            b,
            build::PROTO_UDP,
            n,
            64,
            &build::udp(a, b, 53, 53, b"dns"),
        )));
    }
    out
}

fn bench(c: &mut Criterion) {
    let frames = frames();
    let opts = DissectOptions::default();
    let mut g = c.benchmark_group("reasm");
    g.throughput(Throughput::Elements(frames.len() as u64));
    g.bench_function("dissect+reassemble ip+tcp", |b| {
        b.iter(|| {
            let mut r = Reassembly::new(&[Protocol::Ipv4, Protocol::Ipv6, Protocol::Tcp], true);
            for (i, f) in frames.iter().enumerate() {
                let p = dissect(LinkType::ETHERNET, f, &opts);
                r.feed(i as u64 + 1, Timestamp::new(i as i64 / 1000, 0), &p);
                let _ = r.take(Protocol::Tcp);
                let _ = r.take(Protocol::Ipv4);
            }
            r.finish().ok();
            r.take(Protocol::Tcp).len()
        })
    });
    let packets: Vec<Packet<'_>> = frames
        .iter()
        .map(|f| dissect(LinkType::ETHERNET, f, &opts))
        .collect();
    g.bench_function("reassemble ip+tcp", |b| {
        b.iter(|| {
            let mut r = Reassembly::new(&[Protocol::Ipv4, Protocol::Ipv6, Protocol::Tcp], true);
            for (i, p) in packets.iter().enumerate() {
                r.feed(i as u64 + 1, Timestamp::new(i as i64 / 1000, 0), p);
                let _ = r.take(Protocol::Tcp);
                let _ = r.take(Protocol::Ipv4);
            }
            r.finish().ok();
            r.take(Protocol::Tcp).len()
        })
    });
    g.finish();
}

criterion_group!(benches, bench);
criterion_main!(benches);
