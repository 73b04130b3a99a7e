//! Tracing throughput: a mixed capture (500 connections, 100 interleaved at a time,
//! each a handshake, 30 requests and 30 responses and a close; plus UDP frames), traced
//! to PCAP files. `feed` times
//! the tracer alone on frames dissected beforehand; `dissect+feed` includes the
//! dissection the Extractor does anyway. Target: at least a million frames per second.

use std::hint::black_box;

use criterion::{Criterion, Throughput, criterion_group, criterion_main};
use pcapkit_core::{LinkType, RawFrame, Timestamp};
use pcapkit_protocols::{DissectOptions, dissect};
use pcapkit_testdata::build::{self, Tcp, flags::*};
use pcapkit_trace::{TraceFormat, TraceOptions, Tracer};

fn frame(src: ([u8; 4], u16), dst: ([u8; 4], u16), seq: u32, fl: u8, payload: &[u8]) -> Vec<u8> {
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

fn capture() -> Vec<Vec<u8>> {
    let mut frames = Vec::new();
    let body = vec![b'x'; 400];
    for batch in 0..5u32 {
        let conns: Vec<Vec<Vec<u8>>> = (0..100u32)
            .map(|j| {
                let i = batch * 100 + j;
                let c = ([10, 1, (i >> 8) as u8, i as u8], 20_000 + i as u16);
                let s = ([10, 2, 0, 1], 80);
                let mut f = vec![
                    frame(c, s, i, SYN, b""),
                    frame(s, c, 9, SYN | ACK, b""),
                    frame(c, s, i + 1, ACK, b""),
                ];
                for r in 0..30u32 {
                    f.push(frame(
                        c,
                        s,
                        i + 1 + r * 18,
                        ACK | PSH,
                        b"GET / HTTP/1.1\r\n\r\n",
                    ));
                    f.push(frame(s, c, 10 + r * 400, ACK | PSH, &body));
                }
                f.push(frame(c, s, i + 541, FIN | ACK, b""));
                f.push(frame(s, c, 12_010, FIN | ACK, b""));
                f
            })
            .collect();
        for k in 0..65 {
            for c in &conns {
                frames.push(c[k].clone());
            }
            let udp = build::udp([10, 3, 0, 1], [10, 3, 0, 2], 5353, 53, b"query");
            let ip = build::ipv4([10, 3, 0, 1], [10, 3, 0, 2], build::PROTO_UDP, 2, 64, &udp);
            frames.push(build::ethernet([1; 6], [3; 6], build::ETHERTYPE_IPV4, &ip));
        }
    }
    frames
}

fn bench(c: &mut Criterion) {
    let frames = capture();
    let raws: Vec<RawFrame<'_>> = frames
        .iter()
        .enumerate()
        .map(|(n, d)| {
            RawFrame::new(
                n as u64 + 1,
                Timestamp::new(1_700_000_000, n as u32),
                LinkType::ETHERNET,
                d.len() as u32,
                d,
            )
        })
        .collect();
    let opts = DissectOptions::default();
    let packets: Vec<_> = raws
        .iter()
        .map(|r| dissect(r.link_type, r.data, &opts))
        .collect();
    let shm = std::path::Path::new("/dev/shm");
    let dir = if shm.is_dir() {
        tempfile::tempdir_in(shm).unwrap()
    } else {
        tempfile::tempdir().unwrap()
    };
    let mut g = c.benchmark_group("trace_pcap");
    g.throughput(Throughput::Elements(raws.len() as u64));
    g.sample_size(20);
    g.bench_function("feed", |b| {
        b.iter(|| {
            let mut t =
                Tracer::new(TraceOptions::new(dir.path()).format(TraceFormat::Pcap)).unwrap();
            for (r, p) in raws.iter().zip(&packets) {
                black_box(t.feed(r, p).unwrap());
            }
            black_box(t.finish().unwrap().len())
        });
    });
    g.bench_function("dissect+feed", |b| {
        b.iter(|| {
            let mut t =
                Tracer::new(TraceOptions::new(dir.path()).format(TraceFormat::Pcap)).unwrap();
            for r in &raws {
                let p = dissect(r.link_type, r.data, &opts);
                black_box(t.feed(r, &p).unwrap());
            }
            black_box(t.finish().unwrap().len())
        });
    });
    g.finish();
}

criterion_group!(benches, bench);
criterion_main!(benches);
