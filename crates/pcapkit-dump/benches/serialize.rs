//! Serialization speed per output format (frames/s and output MB/s) over the
//! deterministic mixed traffic of `cargo xtask gen-traffic`, dissected once and held in
//! memory; output goes to `io::sink()`. (`formats.rs` does the same over a few real
//! captures.)
//!
//! ```text
//! cargo bench -p pcapkit-dump --bench serialize -- --warm-up-time 1 --measurement-time 3
//! PCAPKIT_BENCH_FRAMES=100000 cargo bench -p pcapkit-dump --bench serialize
//! ```

use std::hint::black_box;
use std::io::{self, Write};

use criterion::{Criterion, Throughput, criterion_group, criterion_main};
use pcapkit_core::{FrameMeta, PcapRecordHeader, Reader, ReaderOptions};
use pcapkit_dump::{DumpOptions, Dumper, Format, PacketMode};
use pcapkit_protocols::{DissectOptions, Packet, dissect};
use pcapkit_testdata::traffic::{TrafficOptions, generate};

fn frame_count() -> u64 {
    std::env::var("PCAPKIT_BENCH_FRAMES")
        .ok()
        .and_then(|v| v.parse().ok())
        .unwrap_or(20_000)
}

/// Counts what is written.
#[derive(Clone, Default)]
struct Counter(std::sync::Arc<std::sync::atomic::AtomicU64>);

impl Write for Counter {
    fn write(&mut self, buf: &[u8]) -> io::Result<usize> {
        self.0
            .fetch_add(buf.len() as u64, std::sync::atomic::Ordering::Relaxed);
        Ok(buf.len())
    }
    fn flush(&mut self) -> io::Result<()> {
        Ok(())
    }
}

fn bench(c: &mut Criterion) {
    let mut pcap = Vec::new();
    generate(&TrafficOptions::new(frame_count()), &mut pcap).expect("generate");
    let mut reader = Reader::from_bytes(pcap, ReaderOptions::default()).expect("reads");
    let mut owned = Vec::new();
    while let Ok(Some(f)) = reader.next_frame() {
        let rec = PcapRecordHeader {
            ts_sec: f.timestamp.secs as u32,
            ts_usec: f.timestamp.nanos / 1000,
            incl_len: f.caplen,
            orig_len: f.origlen,
        };
        owned.push((f.to_owned_frame(), rec));
    }
    let raws: Vec<_> = owned
        .iter()
        .map(|(f, meta)| {
            let mut raw = f.as_raw();
            raw.meta = FrameMeta::Pcap(*meta);
            raw
        })
        .collect();
    let packets: Vec<Packet<'_>> = raws
        .iter()
        .map(|r| dissect(r.link_type, r.data, &DissectOptions::default()))
        .collect();
    let mut g = c.benchmark_group("serialize");
    g.throughput(Throughput::Elements(raws.len() as u64));
    g.sample_size(10);
    for format in Format::ALL {
        for packets_mode in [PacketMode::All, PacketMode::None] {
            if format == Format::Pcap && packets_mode == PacketMode::None {
                continue;
            }
            let write_all = |out: Box<dyn Write + Send>| {
                let opts = DumpOptions {
                    packets: packets_mode,
                    ..DumpOptions::default()
                };
                let mut d = Dumper::to_writer(out, format, opts);
                for (raw, packet) in raws.iter().zip(&packets) {
                    d.write_frame(black_box(raw), packet).expect("write");
                }
                d.finish().expect("finish");
            };
            let counter = Counter::default();
            write_all(Box::new(counter.clone()));
            eprintln!(
                "{format}/{packets_mode:?}: {:.1} bytes of output per frame",
                counter.0.load(std::sync::atomic::Ordering::Relaxed) as f64 / raws.len() as f64
            );
            g.bench_function(format!("{format}/{packets_mode:?}"), |b| {
                b.iter(|| write_all(Box::new(io::sink())))
            });
        }
    }
    g.finish();
}

criterion_group!(benches, bench);
criterion_main!(benches);
