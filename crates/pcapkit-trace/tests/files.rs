//! Flow files read back: PCAP (little/big endian, µs/ns) by our reader and by tshark
//! hold exactly the original frames; PCAPNG likewise; json/plist/jsonl/tree files parse
//! and hold the flow's frames, also when files were closed and reopened (a cap of one
//! open file). Regressions for PyPCAPKit's corrupt trace files.

use std::collections::BTreeMap;
use std::path::{Path, PathBuf};
use std::process::Command;

use pcapkit_core::{Reader, Timestamp};
use pcapkit_dump::ByteOrder;
use pcapkit_protocols::{DissectOptions, dissect};
use pcapkit_trace::{FlowEnd, FlowRecord, TraceFormat, TraceOptions, Tracer};

type Frames = BTreeMap<u64, (Timestamp, u32, Vec<u8>)>;

fn shared(name: &str) -> PathBuf {
    pcapkit_testdata::shared_captures_dir().join(name)
}

fn read_all(path: &Path) -> Frames {
    let mut r = Reader::open(path).unwrap();
    let mut m = BTreeMap::new();
    while let Some(f) = r.next_frame().unwrap() {
        m.insert(f.number, (f.timestamp, f.origlen, f.data.to_vec()));
    }
    m
}

fn run(path: &Path, opts: TraceOptions) -> Vec<FlowRecord> {
    let mut r = Reader::open(path).unwrap();
    let mut t = Tracer::new(opts).unwrap();
    while let Some(raw) = r.next_frame().unwrap() {
        let p = dissect(raw.link_type, raw.data, &DissectOptions::default());
        t.feed(&raw, &p).unwrap();
    }
    let index = t.finish().unwrap();
    assert!(!index.is_empty(), "{} has TCP flows", path.display());
    index
}

/// The frames of a capture file as (time, original length, bytes).
fn file_frames(path: &Path) -> Vec<(Timestamp, u32, Vec<u8>)> {
    read_all(path).into_values().collect()
}

fn truncate_us(ts: Timestamp) -> Timestamp {
    Timestamp::new(ts.secs, ts.nanos / 1000 * 1000)
}

/// tshark's copy of `path` as PCAPNG (nanosecond timestamps), read by our reader: what
/// tshark read.
fn tshark_frames(path: &Path, tmp: &Path) -> Vec<(Timestamp, u32, Vec<u8>)> {
    let copy = tmp.join("tshark-copy.pcapng");
    let out = Command::new("tshark")
        .args(["-r"])
        .arg(path)
        .args(["-F", "pcapng", "-w"])
        .arg(&copy)
        .output()
        .expect("tshark is installed (apt-get install tshark)");
    assert!(
        out.status.success(),
        "tshark: {}",
        String::from_utf8_lossy(&out.stderr)
    );
    // And its own view of the times and lengths.
    let fields = Command::new("tshark")
        .arg("-r")
        .arg(path)
        .args([
            "-T",
            "fields",
            "-e",
            "frame.time_epoch",
            "-e",
            "frame.len",
            "-e",
            "frame.cap_len",
        ])
        .output()
        .unwrap();
    assert!(fields.status.success());
    let text = String::from_utf8(fields.stdout).unwrap();
    let frames = file_frames(&copy);
    assert_eq!(text.lines().count(), frames.len());
    for (line, (ts, len, data)) in text.lines().zip(&frames) {
        let cols: Vec<&str> = line.split('\t').collect();
        assert_eq!(cols[0], format!("{ts:#}"), "{}", path.display());
        assert_eq!(cols[1], len.to_string());
        assert_eq!(cols[2], data.len().to_string());
    }
    frames
}

#[test]
fn pcap_flow_files_hold_the_original_frames_in_every_byte_order_and_resolution() {
    // µs little-endian input and ns big-endian input.
    for cap in [
        "pcapplusplus__three_http_streams.pcap",
        "pcapplusplus__nanosecs_big_endian.pcap",
    ] {
        let cap = shared(cap);
        let frames = read_all(&cap);
        for (order, magic_le, magic_be) in [
            (ByteOrder::Little, true, false),
            (ByteOrder::Big, false, true),
        ] {
            for ns in [false, true] {
                let dir = tempfile::tempdir().unwrap();
                let index = run(
                    &cap,
                    TraceOptions::new(dir.path())
                        .byteorder(order)
                        .nanosecond(ns)
                        .max_open(1),
                );
                for rec in &index {
                    let bytes = std::fs::read(&rec.fpout).unwrap();
                    let magic: [u8; 4] = match ns {
                        false => [0xa1, 0xb2, 0xc3, 0xd4],
                        true => [0xa1, 0xb2, 0x3c, 0x4d],
                    };
                    let mut want_magic = magic;
                    if magic_le {
                        want_magic.reverse();
                    }
                    assert!(magic_le != magic_be);
                    assert_eq!(bytes[..4], want_magic, "{}", rec.fpout.display());
                    let want: Vec<_> = rec
                        .index
                        .iter()
                        .map(|n| {
                            let (ts, ol, d) = frames[n].clone();
                            (if ns { ts } else { truncate_us(ts) }, ol, d)
                        })
                        .collect();
                    assert_eq!(
                        file_frames(&rec.fpout),
                        want,
                        "ours: {}",
                        rec.fpout.display()
                    );
                    assert_eq!(
                        tshark_frames(&rec.fpout, dir.path()),
                        want,
                        "tshark: {}",
                        rec.fpout.display()
                    );
                }
            }
        }
    }
}

#[test]
fn pcapng_flow_files_hold_the_original_frames() {
    for cap in [
        "pcapplusplus__many_interfaces-1.pcapng",
        "pcapplusplus__three_http_streams.pcap",
    ] {
        let cap = shared(cap);
        let frames = read_all(&cap);
        for order in [ByteOrder::Little, ByteOrder::Big] {
            let dir = tempfile::tempdir().unwrap();
            let index = run(
                &cap,
                TraceOptions::new(dir.path())
                    .format(TraceFormat::Pcapng)
                    .byteorder(order)
                    .max_open(1),
            );
            for rec in &index {
                assert!(rec.fpout.to_string_lossy().ends_with(".pcapng"));
                let want: Vec<_> = rec.index.iter().map(|n| frames[n].clone()).collect();
                assert_eq!(file_frames(&rec.fpout), want, "{}", rec.fpout.display());
                assert_eq!(tshark_frames(&rec.fpout, dir.path()), want);
            }
        }
    }
}

fn frame_numbers_of_keys<'a>(keys: impl Iterator<Item = &'a str>) -> Vec<u64> {
    keys.filter_map(|k| k.strip_prefix("Frame ")?.parse().ok())
        .collect()
}

#[test]
fn text_flow_files_parse_and_hold_the_flow_frames() {
    let cap = shared("pcapplusplus__three_http_streams.pcap");
    for max_open in [1, 64] {
        for format in [
            TraceFormat::Json,
            TraceFormat::Plist,
            TraceFormat::Jsonl,
            TraceFormat::Tree,
        ] {
            let dir = tempfile::tempdir().unwrap();
            let index = run(
                &cap,
                TraceOptions::new(dir.path())
                    .format(format)
                    .max_open(max_open),
            );
            assert_eq!(index.len(), 3);
            for rec in &index {
                let bytes = std::fs::read(&rec.fpout).unwrap();
                assert!(rec.fpout.to_string_lossy().ends_with(format.extension()));
                let got = match format {
                    TraceFormat::Json => {
                        let v: serde_json::Value = serde_json::from_slice(&bytes).unwrap();
                        let obj = v.as_object().unwrap();
                        for (k, f) in obj {
                            assert_eq!(
                                f["number"].as_u64(),
                                k.strip_prefix("Frame ").unwrap().parse().ok()
                            );
                            assert!(f["protocols"].as_str().unwrap().contains("TCP"));
                        }
                        assert_eq!(obj.len(), rec.index.len());
                        // Document order, from the text (serde_json's map sorts keys).
                        let text = String::from_utf8(bytes).unwrap();
                        frame_numbers_of_keys(
                            text.lines()
                                .filter_map(|l| l.strip_prefix("\t\"")?.split('"').next()),
                        )
                    }
                    TraceFormat::Plist => {
                        let v: plist::Value = plist::from_bytes(&bytes).unwrap();
                        let d = v.as_dictionary().unwrap();
                        frame_numbers_of_keys(d.keys().map(String::as_str))
                    }
                    TraceFormat::Jsonl => {
                        let text = String::from_utf8(bytes).unwrap();
                        text.lines()
                            .map(|l| {
                                let v: serde_json::Value = serde_json::from_str(l).unwrap();
                                v["number"].as_u64().unwrap()
                            })
                            .collect()
                    }
                    _ => {
                        let text = String::from_utf8(bytes).unwrap();
                        frame_numbers_of_keys(text.lines().filter(|l| l.starts_with("Frame ")))
                    }
                };
                let mut got = got;
                if format == TraceFormat::Plist {
                    // The plist crate's dictionary does not keep document order.
                    got.sort_unstable();
                }
                assert_eq!(got, rec.index, "{format} {max_open} {}", rec.label);
            }
        }
    }
}

/// Reads the first record header of a PCAP file in the given byte order.
fn first_record(bytes: &[u8], big: bool) -> (u32, u32) {
    let u = |b: &[u8]| {
        let a = [b[0], b[1], b[2], b[3]];
        if big {
            u32::from_be_bytes(a)
        } else {
            u32::from_le_bytes(a)
        }
    };
    (u(&bytes[24..28]), u(&bytes[28..32]))
}

#[test]
fn pypcapkit_regressions_frame_bytes_and_nanosecond_scaling() {
    // PyPCAPKit 1.4.1 wrote the next record's header and bytes instead of the frame
    // (PYPCAPKIT.md §10 item 1) and empty data for PCAPNG input (item 5).
    for cap in [
        "pypcapkit__in.pcap",
        "pcapparser__wireshark_samples-test.pcapng",
    ] {
        let cap = shared(cap);
        let frames = read_all(&cap);
        let dir = tempfile::tempdir().unwrap();
        let index = run(&cap, TraceOptions::new(dir.path()));
        for rec in &index {
            let got = file_frames(&rec.fpout);
            assert!(got.iter().all(|(_, _, d)| !d.is_empty()));
            let want: Vec<_> = rec
                .index
                .iter()
                .map(|n| {
                    let (ts, ol, d) = frames[n].clone();
                    (truncate_us(ts), ol, d)
                })
                .collect();
            assert_eq!(got, want);
        }
    }
    // pypcapkit__in.pcap: three TCP frames, each its own connection (item 35: flows were
    // per direction and only FIN closed them).
    let dir = tempfile::tempdir().unwrap();
    let index = run(&shared("pypcapkit__in.pcap"), TraceOptions::new(dir.path()));
    let frames: Vec<Vec<u64>> = index.iter().map(|r| r.index.clone()).collect();
    assert_eq!(frames, [vec![3, 4], vec![5]]);
    // Microsecond input written with nanosecond timestamps: the fraction is scaled by
    // 1000 (PyPCAPKit copied the microseconds unscaled, item 35).
    let cap = shared("pypcapkit__in.pcap");
    let orig = read_all(&cap);
    for big in [false, true] {
        let dir = tempfile::tempdir().unwrap();
        let order = if big {
            ByteOrder::Big
        } else {
            ByteOrder::Little
        };
        let index = run(
            &cap,
            TraceOptions::new(dir.path())
                .nanosecond(true)
                .byteorder(order),
        );
        let rec = &index[0];
        let bytes = std::fs::read(&rec.fpout).unwrap();
        let (sec, frac) = first_record(&bytes, big);
        let ts = orig[&rec.index[0]].0;
        assert_eq!(i64::from(sec), ts.secs);
        assert_eq!(frac, ts.nanos);
        assert_eq!(frac % 1000, 0);
        assert!(frac >= 1000, "a microsecond fraction scaled to nanoseconds");
    }
}

#[test]
fn rst_closes_and_index_reports_how_flows_ended() {
    let dir = tempfile::tempdir().unwrap();
    let index = run(
        &shared("pcapplusplus__three_http_streams.pcap"),
        TraceOptions::new(dir.path()),
    );
    for r in &index {
        assert!(matches!(r.end, FlowEnd::Fin | FlowEnd::Rst | FlowEnd::Eof));
        assert_eq!(r.fwd_packets + r.rev_packets, r.index.len() as u64);
    }
}
