//! Reading every frame of a large generated capture: memory map vs buffered `Read`,
//! next to `cat FILE > /dev/null` (run as a subprocess) so the ratio is visible.
//!
//! ```text
//! cargo bench -p pcapkit-core --bench read -- --warm-up-time 1 --measurement-time 3
//! PCAPKIT_BENCH_FRAMES=100000 cargo bench -p pcapkit-core --bench read
//! ```
//!
//! The captures (~1M frames of 60..1514 bytes, PCAP and PCAPNG, written with our own
//! writers) go to a temporary directory removed at the end. The frame count comes from
//! `PCAPKIT_BENCH_FRAMES` (default 1000000).

use std::hint::black_box;
use std::io::BufWriter;
use std::path::Path;
use std::process::{Command, Stdio};
use std::time::{Duration, Instant};

use criterion::{Criterion, Throughput, criterion_group, criterion_main};
use pcapkit_core::{
    Access, LinkType, PcapWriter, PcapWriterOptions, PcapngWriter, PcapngWriterOptions, RawFrame,
    Reader, ReaderOptions, Timestamp,
};

fn frame_count() -> u64 {
    std::env::var("PCAPKIT_BENCH_FRAMES")
        .ok()
        .and_then(|v| v.parse().ok())
        .unwrap_or(1_000_000)
}

/// Deterministic frame sizes: mostly small and full-size, like real traffic.
fn sizes(n: u64) -> impl Iterator<Item = usize> {
    let mut x = 0x9e37_79b9_7f4a_7c15u64;
    (0..n).map(move |_| {
        x ^= x << 13;
        x ^= x >> 7;
        x ^= x << 17;
        match x % 10 {
            0..=3 => 60,
            4..=6 => 1514,
            _ => 60 + (x >> 8) as usize % 1455,
        }
    })
}

fn generate(dir: &Path, n: u64) -> (std::path::PathBuf, std::path::PathBuf) {
    let payload = vec![0xabu8; 1514];
    let pcap = dir.join("bench.pcap");
    let mut w = PcapWriter::new(
        BufWriter::with_capacity(1 << 20, std::fs::File::create(&pcap).unwrap()),
        PcapWriterOptions::default().nanosecond(true),
    )
    .unwrap();
    let pcapng = dir.join("bench.pcapng");
    let mut ng = PcapngWriter::new(
        BufWriter::with_capacity(1 << 20, std::fs::File::create(&pcapng).unwrap()),
        PcapngWriterOptions::default(),
    )
    .unwrap();
    for (i, len) in sizes(n).enumerate() {
        let ts = Timestamp::new(
            1_700_000_000 + i as i64 / 1000,
            (i as u32 % 1000) * 1_000_003,
        );
        let f = RawFrame::new(
            i as u64 + 1,
            ts,
            LinkType::ETHERNET,
            len as u32,
            &payload[..len],
        );
        w.write_frame(&f).unwrap();
        ng.write_frame(&f).unwrap();
    }
    w.flush().unwrap();
    ng.flush().unwrap();
    (pcap, pcapng)
}

/// Reads every frame; returns (frames, bytes of frame data, buffer capacity at the end).
fn read_all(path: &Path, access: Access) -> (u64, u64, usize) {
    let mut r = Reader::open_with(path, ReaderOptions::default().access(access)).unwrap();
    let (mut frames, mut bytes) = (0u64, 0u64);
    while let Some(f) = r.next_frame().unwrap() {
        frames += 1;
        bytes += u64::from(f.caplen);
        black_box(f.data);
    }
    (frames, bytes, r.buffer_capacity())
}

fn cat(path: &Path) -> Duration {
    let start = Instant::now();
    let status = Command::new("cat")
        .arg(path)
        .stdout(Stdio::null())
        .status()
        .expect("run cat");
    assert!(status.success());
    start.elapsed()
}

fn bench(c: &mut Criterion) {
    let n = frame_count();
    let dir = tempfile::tempdir().unwrap();
    let (pcap, pcapng) = generate(dir.path(), n);
    for path in [&pcap, &pcapng] {
        let size = std::fs::metadata(path).unwrap().len();
        let name = path.extension().unwrap().to_string_lossy().into_owned();
        // warm the page cache, then time cat a few times (median)
        cat(path);
        let mut cats: Vec<Duration> = (0..5).map(|_| cat(path)).collect();
        cats.sort();
        let cat_median = cats[2];
        let (frames, _, _) = read_all(path, Access::Mmap);
        assert_eq!(frames, n);
        let (_, _, cap) = read_all(path, Access::Buffered);
        eprintln!(
            "{name}: {n} frames, {:.1} MB; `cat > /dev/null` median {:.1} ms ({:.2} GB/s); \
             buffered reader ends with a {} KiB buffer",
            size as f64 / 1e6,
            cat_median.as_secs_f64() * 1e3,
            size as f64 / cat_median.as_secs_f64() / 1e9,
            cap / 1024,
        );
        let mut group = c.benchmark_group(format!("read_{name}"));
        group.throughput(Throughput::Bytes(size));
        group.sample_size(10);
        group.bench_function("cat", |b| b.iter(|| cat(path)));
        group.bench_function("mmap", |b| b.iter(|| read_all(path, Access::Mmap)));
        group.bench_function("buffered", |b| b.iter(|| read_all(path, Access::Buffered)));
        group.finish();
    }
}

criterion_group!(benches, bench);
criterion_main!(benches);
