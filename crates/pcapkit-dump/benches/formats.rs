//! Serialization speed per output format (frames/s), over frames read and dissected
//! once and held in memory; output goes to `io::sink()`.
//!
//! `cargo bench -p pcapkit-dump --bench formats -- --warm-up-time 1 --measurement-time 3`

use std::hint::black_box;
use std::io;

use criterion::{Criterion, Throughput, criterion_group, criterion_main};
use pcapkit_core::{OwnedFrame, PcapRecordHeader, Reader};
use pcapkit_dump::{DumpOptions, Dumper, Format, PacketMode};
use pcapkit_protocols::{DissectOptions, Packet, dissect};

/// Frames of a few shared captures (HTTP, TCP, ICMPv6), or the committed one.
fn frames() -> Vec<(OwnedFrame, PcapRecordHeader)> {
    let shared = pcapkit_testdata::shared_captures_dir();
    let mut paths: Vec<_> = [
        "zeek__http__206_example_b.pcap",
        "pypcapkit__in.pcap",
        "arkime__http-100-continue.pcap",
    ]
    .iter()
    .map(|n| shared.join(n))
    .filter(|p| p.is_file())
    .collect();
    if paths.is_empty() {
        paths.push(pcapkit_testdata::committed_captures_dir().join("http.pcap"));
    }
    let mut out = Vec::new();
    for p in paths {
        let mut r = Reader::open(&p).expect("capture opens");
        while let Ok(Some(f)) = r.next_frame() {
            let rec = PcapRecordHeader {
                ts_sec: f.timestamp.secs as u32,
                ts_usec: f.timestamp.nanos / 1000,
                incl_len: f.caplen,
                orig_len: f.origlen,
            };
            out.push((f.to_owned_frame(), rec));
        }
    }
    out
}

fn bench(c: &mut Criterion) {
    let owned = frames();
    let raws: Vec<_> = owned
        .iter()
        .map(|(f, rec)| {
            let mut raw = f.as_raw();
            raw.meta = pcapkit_core::FrameMeta::Pcap(*rec);
            raw
        })
        .collect();
    let packets: Vec<Packet<'_>> = raws
        .iter()
        .map(|r| dissect(r.link_type, r.data, &DissectOptions::default()))
        .collect();
    let bytes: usize = raws.iter().map(|r| r.data.len()).sum();
    eprintln!("{} frames, {} bytes", raws.len(), bytes);
    let mut g = c.benchmark_group("serialize");
    g.throughput(Throughput::Elements(raws.len() as u64));
    for format in Format::ALL {
        for packets_mode in [PacketMode::All, PacketMode::None] {
            if format == Format::Pcap && packets_mode == PacketMode::None {
                continue;
            }
            let name = format!("{format}/{packets_mode:?}");
            g.bench_function(name, |b| {
                b.iter(|| {
                    let opts = DumpOptions {
                        packets: packets_mode,
                        ..DumpOptions::default()
                    };
                    let mut d = Dumper::to_writer(Box::new(io::sink()), format, opts);
                    for (raw, packet) in raws.iter().zip(&packets) {
                        d.write_frame(black_box(raw), packet).expect("write");
                    }
                    d.finish().expect("finish");
                })
            });
        }
    }
    g.finish();
}

criterion_group!(benches, bench);
criterion_main!(benches);
