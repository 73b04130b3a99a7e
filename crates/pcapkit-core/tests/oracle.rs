//! Every shared capture against tshark's oracle: frame count, time to the nanosecond,
//! lengths and interface ids; captures tshark cannot read must give a typed error.
//! Captures added to `../shared/testdata/captures` later are covered automatically.

use std::collections::BTreeMap;
use std::path::Path;

use pcapkit_core::{Access, Error, FrameMeta, OwnedFrame, Reader, ReaderOptions, Timestamp};
use pcapkit_testdata::{oracle_frames, shared_captures};

struct Known {
    kind: String,
    detail: String,
}

fn known_differences() -> BTreeMap<String, Known> {
    let path = Path::new(env!("CARGO_MANIFEST_DIR")).join("tests/known_differences.tsv");
    let text = std::fs::read_to_string(&path).unwrap();
    text.lines()
        .filter(|l| !l.starts_with('#') && !l.starts_with("capture\t") && !l.trim().is_empty())
        .map(|l| {
            let cols: Vec<&str> = l.split('\t').collect();
            assert!(
                cols.len() >= 4,
                "known_differences.tsv: 4 columns needed: {l}"
            );
            (
                cols[0].to_owned(),
                Known {
                    kind: cols[1].to_owned(),
                    detail: cols[2].to_owned(),
                },
            )
        })
        .collect()
}

/// Reads all frames (owned, with whether each had a timestamp) and the final error.
fn read_all(path: &Path, access: Access) -> (Vec<(OwnedFrame, bool)>, Option<Error>) {
    let mut frames = Vec::new();
    let mut reader = match Reader::open_with(path, ReaderOptions::default().access(access)) {
        Ok(r) => r,
        Err(e) => return (frames, Some(e)),
    };
    loop {
        match reader.next_frame() {
            Ok(Some(f)) => {
                let timed = match f.meta {
                    FrameMeta::Pcapng(m) => m.raw_timestamp.is_some(),
                    _ => true,
                };
                frames.push((f.to_owned_frame(), timed));
            }
            Ok(None) => break,
            Err(e) => {
                // after an error: None forever
                assert_eq!(reader.next_record().unwrap(), None);
                assert_eq!(reader.next_frame().unwrap(), None);
                return (frames, Some(e));
            }
        }
    }
    (frames, None)
}

fn variant(e: &Error) -> String {
    let dbg = format!("{:?}", e.kind);
    dbg.split([' ', '{', '('])
        .next()
        .unwrap_or_default()
        .to_owned()
}

#[test]
fn every_shared_capture_matches_the_oracle() {
    let known = known_differences();
    let captures = shared_captures();
    assert!(
        captures.len() >= 100,
        "expected the shared captures, found {}",
        captures.len()
    );
    let mut failures = Vec::new();
    let mut checked_frames = 0usize;
    for path in &captures {
        let name = path.file_name().unwrap().to_string_lossy().into_owned();
        let k = known.get(&name);
        let (frames, err) = read_all(path, Access::Mmap);
        // the buffered path must agree with the memory-mapped one
        let (frames2, err2) = read_all(path, Access::Buffered);
        if frames != frames2 || err != err2 {
            failures.push(format!("{name}: mmap and buffered reads differ"));
        }
        match (&err, k) {
            (None, Some(k)) if k.kind == "error" => failures.push(format!(
                "{name}: expected error {} but read cleanly",
                k.detail
            )),
            (Some(e), Some(k)) if k.kind == "error" && variant(e) != k.detail => {
                failures.push(format!(
                    "{name}: expected error {}, got {}: {e}",
                    k.detail,
                    variant(e)
                ))
            }
            (Some(e), k) if k.is_none_or(|k| k.kind != "error") => {
                failures.push(format!("{name}: unexpected error: {e}"))
            }
            _ => {}
        }
        let Some(mut oracle) = oracle_frames(path) else {
            if k.is_none_or(|k| k.kind != "error") {
                failures.push(format!(
                    "{name}: tshark cannot read it (no oracle) and it is not listed as an \
                     expected error in known_differences.tsv"
                ));
            }
            continue;
        };
        if k.is_some_and(|k| k.kind == "custom-blocks-as-frames") {
            let before = oracle.len();
            oracle.retain(|o| o.interface_id().is_some());
            assert!(
                oracle.len() < before,
                "{name}: no custom-block records to skip"
            );
        }
        if frames.len() != oracle.len() {
            failures.push(format!(
                "{name}: {} frames, tshark {}",
                frames.len(),
                oracle.len()
            ));
            continue;
        }
        for ((f, timed), o) in frames.iter().zip(&oracle) {
            let ours_epoch = format!("{:#}", f.timestamp);
            let epoch_ok = match o.time_epoch() {
                Some(t) => t == ours_epoch,
                // tshark shows no time for Simple Packet Blocks: they have none
                None => !*timed && f.timestamp == Timestamp::default(),
            };
            let iface_ok = o.interface_id().is_none_or(|i| i == u64::from(f.interface));
            if !epoch_ok
                || o.frame_len() != Some(u64::from(f.origlen))
                || o.cap_len() != Some(u64::from(f.caplen))
                || f.data.len() != f.caplen as usize
                || !iface_ok
            {
                failures.push(format!(
                    "{name} frame {}: ours (epoch {ours_epoch}, len {}, caplen {}, iface {}) \
                     tshark {:?}",
                    f.number,
                    f.origlen,
                    f.caplen,
                    f.interface,
                    (o.time_epoch(), o.frame_len(), o.cap_len(), o.interface_id())
                ));
                break;
            }
            checked_frames += 1;
        }
    }
    assert!(
        failures.is_empty(),
        "{} failures:\n{}",
        failures.len(),
        failures.join("\n")
    );
    assert!(
        checked_frames > 1000,
        "only {checked_frames} frames checked"
    );
}

#[test]
fn known_differences_name_existing_captures() {
    let names: Vec<String> = shared_captures()
        .iter()
        .map(|p| p.file_name().unwrap().to_string_lossy().into_owned())
        .collect();
    for name in known_differences().keys() {
        assert!(
            names.contains(name),
            "known_differences.tsv names a missing capture {name}"
        );
    }
}

#[test]
fn committed_captures_read_back() {
    // Crafted by testdata's generator; checked against tshark when it was written
    // (see tests/tshark.rs for the writer round trip through tshark).
    let dir = pcapkit_testdata::committed_captures_dir();
    let (frames, err) = read_all(&dir.join("multi-section.pcapng"), Access::Auto);
    assert_eq!(err, None);
    let got: Vec<(String, u32, u32)> = frames
        .iter()
        .map(|(f, _)| (format!("{:#}", f.timestamp), f.caplen, f.interface))
        .collect();
    assert_eq!(got[0], ("1600000000.750000000".into(), 53, 0));
    assert_eq!(got[3], ("1600000001.000000001".into(), 39, 1));
    assert_eq!(got[8], ("1699999000.123000000".into(), 53, 0));
    assert_eq!(got[9], ("0.000000000".into(), 53, 0));
    assert_eq!(got.len(), 10);
    let (frames, err) = read_all(&dir.join("le-us.pcap"), Access::Buffered);
    assert_eq!(err, None);
    assert_eq!(frames[2].0.caplen, 96);
    assert_eq!(frames[2].0.origlen, 242);
    assert_eq!(frames[1].0.timestamp.to_string(), "1600000001.25");
}
