//! The traffic generator's ground truth (`pcapkit_testdata::traffic`, what `cargo xtask
//! gen-traffic` writes) agrees with our dissector and with tshark on a small capture:
//! frames per protocol, TCP connections, reassemblable IP datagrams; and every byte
//! order / resolution / container variant reads back as the same frames.
//!
//! Needs `tshark` on PATH (CI installs it); the test fails, never skips, without it.

use std::collections::{BTreeMap, BTreeSet};
use std::path::{Path, PathBuf};
use std::process::Command;

use pcapkit_core::{Endian, Reader};
use pcapkit_protocols::transport::Tcp;
use pcapkit_protocols::{DissectOptions, dissect};
use pcapkit_testdata::traffic::{CaptureFormat, Summary, TrafficOptions, generate};

const FRAMES: u64 = 4_000;

fn tshark() -> PathBuf {
    let found = std::env::var_os("PATH").and_then(|paths| {
        std::env::split_paths(&paths)
            .map(|d| d.join("tshark"))
            .find(|p| p.is_file())
    });
    found.unwrap_or_else(|| {
        panic!(
            "tshark is not installed: this test checks the generator's ground truth against \
             it. Install it (`apt-get install -y tshark`; CI does) and run the tests again."
        )
    })
}

fn write(dir: &Path, name: &str, opts: &TrafficOptions) -> (PathBuf, Summary) {
    let path = dir.join(name);
    let file = std::fs::File::create(&path).unwrap();
    let summary = generate(opts, std::io::BufWriter::new(file)).unwrap();
    (path, summary)
}

/// Our chain token(s) of each tshark token our dissector decodes.
fn ours(token: &str) -> Option<&'static [&'static str]> {
    Some(match token {
        "eth" => &["Ethernet"],
        "vlan" => &["802.1Q"],
        "arp" => &["ARP"],
        "ip" => &["IPv4"],
        "ipv6" => &["IPv6"],
        "ipv6.hopopts" => &["HOPOPT"],
        "ipv6.dstopts" => &["IPv6-Opts"],
        "ipv6.fraghdr" => &["IPv6-Frag"],
        "tcp" => &["TCP"],
        "udp" => &["UDP"],
        "icmp" => &["ICMP"],
        "icmpv6" => &["IPv6_ICMP", "ICMPv6"],
        "dns" => &["DNS"],
        "ftp" => &["FTP"],
        _ => return None,
    })
}

/// tshark's view: per-frame protocol sets (no reassembly, like our dissector) and TCP
/// stream numbers; then the frames where IPv4/IPv6 reassembly completes.
fn tshark_view(path: &Path) -> (BTreeMap<String, u64>, u64, u64, u64) {
    let out = Command::new(tshark())
        .args([
            "-n",
            "-o",
            "tcp.desegment_tcp_streams:FALSE",
            "-o",
            "tcp.no_subdissector_on_error:FALSE",
            "-o",
            "ip.defragment:FALSE",
            "-o",
            "ipv6.defragment:FALSE",
            "-T",
            "fields",
            "-e",
            "frame.protocols",
            "-e",
            "tcp.stream",
            "-r",
        ])
        .arg(path)
        .output()
        .expect("run tshark");
    assert!(
        out.status.success(),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
    let text = String::from_utf8(out.stdout).unwrap();
    let mut counts = BTreeMap::new();
    let mut streams = BTreeSet::new();
    counts.insert("(frames)".to_string(), text.lines().count() as u64);
    for line in text.lines() {
        let mut cols = line.split('\t');
        let protos: BTreeSet<&str> = cols.next().unwrap_or("").split(':').collect();
        for p in protos {
            *counts.entry(p.to_string()).or_insert(0) += 1;
        }
        if let Some(s) = cols.next().filter(|s| !s.is_empty()) {
            streams.insert(s.to_string());
        }
    }
    let out = Command::new(tshark())
        .args([
            "-n",
            "-T",
            "fields",
            "-e",
            "ip.fragment.count",
            "-e",
            "ipv6.fragment.count",
            "-r",
        ])
        .arg(path)
        .output()
        .expect("run tshark");
    assert!(
        out.status.success(),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
    let (mut v4, mut v6) = (0, 0);
    for line in String::from_utf8(out.stdout).unwrap().lines() {
        let mut cols = line.split('\t');
        v4 += u64::from(cols.next().is_some_and(|c| !c.is_empty()));
        v6 += u64::from(cols.next().is_some_and(|c| !c.is_empty()));
    }
    (counts, streams.len() as u64, v4, v6)
}

#[test]
fn summary_agrees_with_tshark_and_our_dissector() {
    let dir = tempfile::tempdir().unwrap();
    let (path, summary) = write(dir.path(), "traffic.pcap", &TrafficOptions::new(FRAMES));
    assert_eq!(summary.frames, FRAMES);
    // every kind the generator makes occurs in a capture this small
    for t in [
        "vlan",
        "arp",
        "ip",
        "ipv6",
        "ipv6.hopopts",
        "ipv6.dstopts",
        "ipv6.fraghdr",
        "tcp",
        "udp",
        "icmp",
        "icmpv6",
        "dns",
        "http",
        "ftp",
        "ftp-data",
    ] {
        assert!(
            summary.protocols.get(t).copied().unwrap_or(0) > 0,
            "no {t} frames"
        );
    }

    // tshark
    let (counts, streams, v4, v6) = tshark_view(&path);
    for (token, want) in &summary.protocols {
        assert_eq!(
            counts.get(*token).copied().unwrap_or(0),
            *want,
            "tshark frames with {token}"
        );
    }
    assert_eq!(counts.get("(frames)").copied(), Some(FRAMES));
    assert_eq!(streams, summary.tcp_connections, "tshark tcp.stream values");
    assert_eq!(v4, summary.ipv4_datagrams, "tshark IPv4 reassemblies");
    assert_eq!(v6, summary.ipv6_datagrams, "tshark IPv6 reassemblies");

    // our dissector
    let mut reader = Reader::open(&path).unwrap();
    let mut ours_count: BTreeMap<String, u64> = BTreeMap::new();
    let mut syns = BTreeSet::new();
    let mut frames = 0;
    let opts = DissectOptions::default();
    while let Some(f) = reader.next_frame().unwrap() {
        frames += 1;
        let packet = dissect(f.link_type, f.data, &opts);
        assert!(
            packet.error().is_none(),
            "frame {}: {:?}",
            f.number,
            packet.error()
        );
        let chain = packet.protocols().to_string();
        let tokens: BTreeSet<&str> = chain.split(':').collect();
        for t in tokens {
            *ours_count.entry(t.to_string()).or_insert(0) += 1;
        }
        if let Some(tcp) = packet.get::<Tcp>() {
            if tcp.word & 0x012 == 0x002 {
                syns.insert(f.number);
            }
        }
    }
    assert_eq!(frames, FRAMES);
    for (token, want) in &summary.protocols {
        let Some(names) = ours(token) else { continue };
        let got: u64 = names.iter().filter_map(|n| ours_count.get(*n)).sum();
        assert_eq!(
            got, *want,
            "our frames with {token} ({names:?}); all: {ours_count:?}"
        );
    }
    assert_eq!(syns.len() as u64, summary.tcp_connections, "our SYNs");
    // we label only the segment that starts an HTTP message (tshark, without TCP
    // reassembly, also the body segments after it)
    let http: u64 = ["HTTP/1.1", "HTTP/1.0"]
        .iter()
        .filter_map(|n| ours_count.get(*n))
        .sum();
    assert_eq!(http, summary.http_head_frames, "our HTTP frames");
}

#[test]
fn variants_hold_the_same_frames() {
    let dir = tempfile::tempdir().unwrap();
    let n = 1_500;
    let base = TrafficOptions::new(n);
    let (reference, summary) = write(dir.path(), "le-us.pcap", &base);
    let variants = [
        ("be-ns.pcap", CaptureFormat::Pcap, Endian::Big, true),
        ("le-ns.pcapng", CaptureFormat::Pcapng, Endian::Little, true),
        ("be-us.pcapng", CaptureFormat::Pcapng, Endian::Big, false),
    ];
    let frames = |p: &Path| {
        let mut r = Reader::open(p).unwrap();
        let mut v = Vec::new();
        while let Some(f) = r.next_frame().unwrap() {
            v.push((f.timestamp.secs, f.timestamp.nanos / 1_000, f.data.to_vec()));
        }
        v
    };
    let want = frames(&reference);
    assert_eq!(want.len() as u64, n);
    for (name, format, endian, nanosecond) in variants {
        let opts = TrafficOptions {
            format,
            endian,
            nanosecond,
            ..base.clone()
        };
        let (path, s) = write(dir.path(), name, &opts);
        assert_eq!(s, summary, "{name}: same ground truth");
        assert_eq!(
            frames(&path),
            want,
            "{name}: same frames (µs part of the time)"
        );
        let out = Command::new(tshark())
            .args(["-n", "-T", "fields", "-e", "frame.time_epoch", "-r"])
            .arg(&path)
            .output()
            .expect("run tshark");
        assert!(
            out.status.success(),
            "{name}: {}",
            String::from_utf8_lossy(&out.stderr)
        );
        let text = String::from_utf8(out.stdout).unwrap();
        assert_eq!(text.lines().count() as u64, n, "{name}: tshark frames");
        // nanosecond variants carry sub-microsecond digits somewhere
        let sub_us = text.lines().any(|l| {
            l.split('.')
                .nth(1)
                .is_some_and(|d| d.len() == 9 && !d.ends_with("000"))
        });
        assert_eq!(sub_us, nanosecond, "{name}: timestamp resolution");
    }
}
