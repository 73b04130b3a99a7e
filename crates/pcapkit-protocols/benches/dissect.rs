//! Dissection speed per protocol family (frames/s), over frames of the deterministic
//! mixed-traffic generator (`cargo xtask gen-traffic`) held in memory.
//!
//! ```text
//! cargo bench -p pcapkit-protocols --bench dissect -- --warm-up-time 1 --measurement-time 3
//! PCAPKIT_BENCH_FRAMES=200000 cargo bench -p pcapkit-protocols --bench dissect
//! ```
//!
//! Families are named by the dissected chain with the link layer and VLAN tag left out
//! (`IPv4:TCP:HTTP/1.1`, `IPv6:IPv6-Frag`, `ARP`, ...); `mixed` is every frame in
//! capture order, also stopped after the link, internet and transport layers.

use std::collections::BTreeMap;
use std::hint::black_box;

use criterion::{Criterion, Throughput, criterion_group, criterion_main};
use pcapkit_core::{LinkType, Reader, ReaderOptions};
use pcapkit_protocols::{DissectOptions, Level, Stop, dissect};
use pcapkit_testdata::traffic::{TrafficOptions, generate};

fn frame_count() -> u64 {
    std::env::var("PCAPKIT_BENCH_FRAMES")
        .ok()
        .and_then(|v| v.parse().ok())
        .unwrap_or(50_000)
}

/// The generated frames (Ethernet), as owned byte vectors.
fn frames() -> Vec<Vec<u8>> {
    let mut pcap = Vec::new();
    generate(&TrafficOptions::new(frame_count()), &mut pcap).expect("generate");
    let mut r =
        Reader::from_bytes(pcap, ReaderOptions::default()).expect("generated capture reads");
    let mut out = Vec::new();
    while let Ok(Some(f)) = r.next_frame() {
        out.push(f.data.to_vec());
    }
    out
}

/// The family of a frame: its chain without `Ethernet` and `802.1Q`.
fn family(data: &[u8]) -> String {
    let p = dissect(LinkType::ETHERNET, data, &DissectOptions::default());
    p.protocols()
        .to_string()
        .split(':')
        .filter(|t| !matches!(*t, "Ethernet" | "802.1Q"))
        .collect::<Vec<_>>()
        .join(":")
}

fn run(frames: &[&[u8]], opts: &DissectOptions) -> usize {
    let mut layers = 0;
    for f in frames {
        let p = dissect(LinkType::ETHERNET, black_box(f), opts);
        layers += p.layers().len();
    }
    layers
}

fn bench(c: &mut Criterion) {
    let all = frames();
    let mut families: BTreeMap<String, Vec<&[u8]>> = BTreeMap::new();
    for f in &all {
        families.entry(family(f)).or_default().push(f);
    }
    let mixed: Vec<&[u8]> = all.iter().map(Vec::as_slice).collect();
    let mut g = c.benchmark_group("dissect");
    g.throughput(Throughput::Elements(mixed.len() as u64));
    g.bench_function("mixed", |b| {
        b.iter(|| run(&mixed, &DissectOptions::default()))
    });
    for (name, level) in [
        ("link", Level::Link),
        ("internet", Level::Internet),
        ("transport", Level::Transport),
    ] {
        let opts = DissectOptions {
            stop: Stop {
                layer: Some(level),
                protocol: None,
            },
            ..DissectOptions::default()
        };
        g.bench_function(format!("mixed, stop after {name}"), |b| {
            b.iter(|| run(&mixed, &opts))
        });
    }
    for (name, frames) in &families {
        // families of a handful of frames measure nothing useful
        if frames.len() < 20 {
            continue;
        }
        g.throughput(Throughput::Elements(frames.len() as u64));
        g.bench_function(name.as_str(), |b| {
            b.iter(|| run(frames, &DissectOptions::default()))
        });
    }
    g.finish();
}

criterion_group!(benches, bench);
criterion_main!(benches);
