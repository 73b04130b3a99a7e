//! Every shared capture traced: the flows' frame sets equal tshark's `tcp.stream`
//! (`../shared/oracle/<capture>.tcp_streams.json`), except the rows of
//! `tests/oracle_differences.tsv`, each with its reason. Every PCAP flow file holds
//! exactly its flow's frames.

use std::collections::{BTreeMap, BTreeSet};
use std::path::Path;

use pcapkit_core::{Reader, ReaderOptions};
use pcapkit_protocols::{DissectOptions, dissect};
use pcapkit_trace::{TraceOptions, Tracer};

type Sets = BTreeSet<Vec<u64>>;

/// tshark's streams for capture `name`, from the oracle directory `dir`.
fn oracle(dir: &Path, name: &str) -> Option<Sets> {
    let p = dir.join(format!("{name}.tcp_streams.json"));
    let text = std::fs::read_to_string(p).ok()?;
    let v: serde_json::Value = serde_json::from_str(&text).expect("oracle json");
    Some(
        v.as_array()
            .expect("array")
            .iter()
            .map(|s| {
                s["frames"]
                    .as_array()
                    .expect("frames")
                    .iter()
                    .map(|n| n.as_u64().expect("frame number"))
                    .collect()
            })
            .collect(),
    )
}

/// Traces `path` into `dir`; the flows' frame lists. Frames after a damaged record
/// are not read (tshark stops there too).
fn trace(path: &Path, dir: &Path) -> Sets {
    let mut r = Reader::open_with(path, ReaderOptions::default()).expect("open");
    let mut t = Tracer::new(TraceOptions::new(dir).max_open(4)).expect("tracer");
    let opts = DissectOptions::default();
    // Frames PCAP cannot store (a time beyond 2106, a second link type in one flow):
    // counted in the index, not written.
    let mut unwritable = BTreeSet::new();
    while let Ok(Some(raw)) = r.next_frame() {
        let p = dissect(raw.link_type, raw.data, &opts);
        if let Err(e) = t.feed(&raw, &p) {
            assert!(
                matches!(&e, pcapkit_trace::TraceError::Capture { source, .. }
                    if matches!(source.kind, pcapkit_core::ErrorKind::TimestampOutOfRange { .. }
                        | pcapkit_core::ErrorKind::LinkTypeMismatch { .. })),
                "{}: {e}",
                path.display()
            );
            unwritable.insert(raw.number);
        }
    }
    let index = t.finish().expect("finish");
    // Each PCAP flow file holds exactly the flow's frames.
    let frames = read_all(path);
    for rec in &index {
        let mut rr = Reader::open(&rec.fpout).expect("flow file");
        let mut got = Vec::new();
        while let Some(f) = rr.next_frame().expect("flow frame") {
            got.push((f.timestamp, f.origlen, f.data.to_vec()));
        }
        let want: Vec<_> = rec
            .index
            .iter()
            .filter(|n| !unwritable.contains(n))
            .map(|n| frames.get(n).cloned().expect("frame"))
            .map(|(ts, ol, d)| {
                (
                    pcapkit_core::Timestamp::new(ts.secs, ts.nanos / 1000 * 1000),
                    ol,
                    d,
                )
            })
            .collect();
        assert_eq!(got, want, "{}: {}", path.display(), rec.label);
    }
    index.into_iter().map(|r| r.index).collect()
}

fn read_all(path: &Path) -> BTreeMap<u64, (pcapkit_core::Timestamp, u32, Vec<u8>)> {
    let mut r = Reader::open(path).expect("open");
    let mut m = BTreeMap::new();
    while let Ok(Some(f)) = r.next_frame() {
        m.insert(f.number, (f.timestamp, f.origlen, f.data.to_vec()));
    }
    m
}

/// `capture<TAB>reason` rows: captures whose flows differ from tshark's, and why.
fn allowlist() -> BTreeMap<String, String> {
    let text = include_str!("oracle_differences.tsv");
    text.lines()
        .filter(|l| !l.starts_with('#') && !l.trim().is_empty())
        .filter_map(|l| l.split_once('\t'))
        .map(|(a, b)| (a.to_owned(), b.to_owned()))
        .collect()
}

#[test]
fn flows_match_tshark_tcp_streams() {
    let allow = allowlist();
    let mut compared = 0;
    let mut failures = Vec::new();
    let mut allowed_but_equal = Vec::new();
    // The shared captures, then the ones our tests craft (snaplen cuts, link types),
    // each with its oracle from `tools/oracle.py`.
    let shared_oracle = pcapkit_testdata::shared_dir().join("oracle");
    let ours = pcapkit_testdata::committed_captures_dir();
    let our_oracle = ours.join("../oracle");
    let captures = pcapkit_testdata::shared_captures()
        .into_iter()
        .map(|c| (c, shared_oracle.as_path()))
        .chain(
            pcapkit_testdata::list_captures(&ours)
                .into_iter()
                .map(|c| (c, our_oracle.as_path())),
        );
    let mut crafted = 0;
    for (cap, oracle_dir) in captures {
        let name = cap.file_name().unwrap().to_string_lossy().into_owned();
        let Some(want) = oracle(oracle_dir, &name) else {
            // tshark could not read it: no oracle (the README says so).
            continue;
        };
        let dir = tempfile::tempdir().unwrap();
        let got = trace(&cap, dir.path());
        compared += 1;
        crafted += usize::from(oracle_dir == our_oracle.as_path());
        let equal = got == want;
        match (equal, allow.contains_key(&name)) {
            (true, true) => allowed_but_equal.push(name),
            (false, false) => {
                let only_ours: Vec<_> = got.difference(&want).collect();
                let only_tshark: Vec<_> = want.difference(&got).collect();
                failures.push(format!(
                    "{name}: ours only {only_ours:?}; tshark only {only_tshark:?}"
                ));
            }
            _ => {}
        }
    }
    assert!(compared > 100, "only {compared} captures compared");
    assert!(crafted >= 8, "only {crafted} crafted captures compared");
    assert!(failures.is_empty(), "{}", failures.join("\n"));
    assert!(
        allowed_but_equal.is_empty(),
        "listed in oracle_differences.tsv but now equal: {allowed_but_equal:?}"
    );
}
