//! Output stays valid when the input is cut short: every text format is complete and
//! parses with exactly the frames that were whole, and the error is reported.

mod common;

use std::fs;
use std::path::Path;

use pcapkit::{Error, ExtractOptions, extract};
use pcapkit_core::{Reader, ReaderOptions, Record};

use common::*;

/// End offset of every frame of a capture (where the next record starts).
fn frame_ends(bytes: &[u8]) -> Vec<u64> {
    record_bounds(bytes).0
}

/// Frame end offsets, and every offset where a record starts or the file ends.
fn record_bounds(bytes: &[u8]) -> (Vec<u64>, Vec<u64>) {
    let mut r = Reader::from_bytes(bytes.to_vec(), ReaderOptions::default()).unwrap();
    let mut starts = Vec::new();
    while let Some(rec) = r.next_record().unwrap() {
        match rec {
            Record::Frame(f) => starts.push((true, f.offset)),
            Record::Block(b) => starts.push((false, b.offset())),
            Record::PcapHeader(_) => starts.push((false, 0)),
        }
    }
    let mut ends = Vec::new();
    for (i, (is_frame, _)) in starts.iter().enumerate() {
        if *is_frame {
            let end = starts.get(i + 1).map_or(bytes.len() as u64, |(_, o)| *o);
            ends.push(end);
        }
    }
    let mut bounds: Vec<u64> = starts.iter().map(|(_, o)| *o).collect();
    bounds.push(bytes.len() as u64);
    (ends, bounds)
}

fn check(capture: &Path) {
    let bytes = fs::read(capture).unwrap();
    let (ends, boundaries) = record_bounds(&bytes);
    let dir = tempfile::tempdir().unwrap();
    let cut_path = dir.path().join("cut.pcap");
    let mut cuts: Vec<u64> = (24..bytes.len() as u64).step_by(13).collect();
    cuts.extend(ends.iter().flat_map(|&e| [e - 1, e, e + 1]));
    cuts.sort_unstable();
    cuts.dedup();
    for cut in cuts.into_iter().filter(|&c| c < bytes.len() as u64) {
        fs::write(&cut_path, &bytes[..cut as usize]).unwrap();
        let whole = ends.iter().filter(|&&e| e <= cut).count() as u64;
        for (format, ext) in [
            ("json", "json"),
            ("jsonl", "jsonl"),
            ("plist", "plist"),
            ("tree", "txt"),
        ] {
            let out = dir.path().join(format!("out.{ext}"));
            let mut ex = match extract(
                ExtractOptions::new(&cut_path)
                    .fout(&out)
                    .format(format)
                    .extension(false)
                    .auto(false),
            ) {
                Ok(ex) => ex,
                // Cut inside the file header: nothing to read, nothing written.
                Err(Error::Capture { source, .. }) => {
                    assert!(source.is_truncated(), "cut {cut}: {source}");
                    assert_eq!(whole, 0);
                    continue;
                }
                Err(e) => panic!("cut {cut}: {e}"),
            };
            let result = ex.run();
            assert_eq!(ex.length(), whole, "cut {cut} ({format})");
            if boundaries.contains(&cut) {
                assert!(result.is_ok(), "cut {cut} at a record boundary: {result:?}");
            } else {
                // Inside a record or block: reported after the whole frames.
                match &result {
                    Err(Error::Capture { source, .. }) => {
                        assert!(source.is_truncated(), "cut {cut}: {source}")
                    }
                    other => panic!("cut {cut}: expected a truncation error, got {other:?}"),
                }
            }
            let numbers = match format {
                "json" => json_frame_numbers(
                    &serde_json::from_slice(&fs::read(&out).unwrap())
                        .unwrap_or_else(|e| panic!("cut {cut}: invalid JSON: {e}")),
                ),
                "jsonl" => jsonl_frame_numbers(&fs::read_to_string(&out).unwrap()),
                "plist" => plist_frame_numbers(&out),
                _ => tree_frame_numbers(&fs::read_to_string(&out).unwrap()),
            };
            assert_eq!(numbers, one_to(whole), "cut {cut} ({format})");
        }
    }
}

#[test]
fn truncated_pcap() {
    check(&committed("http.pcap"));
}

#[test]
fn truncated_pcapng() {
    check(&committed("multi-section.pcapng"));
}

#[test]
fn cut_inside_a_record_is_an_error_after_the_whole_frames() {
    let bytes = fs::read(committed("http.pcap")).unwrap();
    let ends = frame_ends(&bytes);
    let cut = ends[2] + 5; // 5 bytes into the 4th record's header
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("cut.pcap");
    fs::write(&path, &bytes[..cut as usize]).unwrap();
    let out = dir.path().join("o.json");
    let err = extract(
        ExtractOptions::new(&path)
            .fout(&out)
            .format("json")
            .extension(false),
    )
    .unwrap_err();
    assert!(
        matches!(&err, Error::Capture { source, .. } if source.is_truncated()),
        "{err}"
    );
    assert!(err.to_string().contains("PCAP record 4"), "{err}");
    let python = python_frame_numbers(dir.path());
    assert_eq!(python.get("o.json"), Some(&vec![1, 2, 3]));
}

/// Record bounds of a capture that may itself be damaged: (frame ends, every record
/// start and the end of the good part), stopping at the first error.
fn good_bounds(bytes: &[u8]) -> Option<(Vec<u64>, Vec<u64>)> {
    let mut r = Reader::from_bytes(bytes.to_vec(), ReaderOptions::default()).ok()?;
    let mut starts = Vec::new();
    let end = loop {
        match r.next_record() {
            Ok(Some(Record::Frame(f))) => starts.push((true, f.offset)),
            Ok(Some(Record::Block(b))) => starts.push((false, b.offset())),
            Ok(Some(Record::PcapHeader(_))) => starts.push((false, 0)),
            Ok(None) => break bytes.len() as u64,
            Err(_) => break r.offset(),
        }
    };
    // `r.offset()` after an error is where the damaged record starts at the latest.
    let end = starts.last().map_or(end, |&(_, o)| end.max(o));
    let mut ends = Vec::new();
    for (i, (is_frame, _)) in starts.iter().enumerate() {
        if *is_frame && let Some(next) = starts.get(i + 1).map(|s| s.1) {
            ends.push(next);
        }
    }
    let mut bounds: Vec<u64> = starts.iter().map(|(_, o)| *o).collect();
    bounds.push(end);
    Some((ends, bounds))
}

/// JSON extraction of `bytes` (in memory): the document's frame numbers and the error.
fn json_of(bytes: &[u8]) -> (Vec<u64>, Option<Error>) {
    let out = std::sync::Arc::new(std::sync::Mutex::new(Vec::new()));
    struct W(std::sync::Arc<std::sync::Mutex<Vec<u8>>>);
    impl std::io::Write for W {
        fn write(&mut self, b: &[u8]) -> std::io::Result<usize> {
            self.0.lock().unwrap().extend_from_slice(b);
            Ok(b.len())
        }
        fn flush(&mut self) -> std::io::Result<()> {
            Ok(())
        }
    }
    let result = extract(
        ExtractOptions::default()
            .fin_reader(std::io::Cursor::new(bytes.to_vec()), "cut")
            .fout_writer(W(out.clone()), "out")
            .format("json")
            .store(false),
    );
    let err = result.err();
    let doc = out.lock().unwrap().clone();
    if doc.is_empty() {
        return (Vec::new(), err);
    }
    let doc: serde_json::Value =
        serde_json::from_slice(&doc).unwrap_or_else(|e| panic!("invalid JSON: {e}"));
    (json_frame_numbers(&doc), err)
}

/// A small deterministic generator (xorshift) for the random cut offsets.
fn xorshift(state: &mut u64) -> u64 {
    *state ^= *state << 13;
    *state ^= *state >> 7;
    *state ^= *state << 17;
    *state
}

/// Every shared capture, cut at record/block boundaries (and one byte either side) and
/// at random offsets: the JSON output is valid and holds exactly the frames that were
/// whole; a cut inside a record is a truncation error at or before the cut, after them.
/// Cuts are sampled (and kept in the first 192 KiB) to bound the run time.
#[test]
fn every_shared_capture_cut_anywhere_keeps_valid_json() {
    let captures = pcapkit_testdata::shared_captures();
    assert!(captures.len() > 50, "{}", captures.len());
    let mut checked = 0;
    for capture in captures {
        let bytes = fs::read(&capture).unwrap();
        let Some((ends, bounds)) = good_bounds(&bytes) else {
            continue; // not even the header reads: nothing to cut
        };
        let good_end = bounds.last().copied().unwrap_or(0);
        let limit = good_end.min(192 * 1024);
        let mut cuts: Vec<u64> = Vec::new();
        let inner: Vec<u64> = bounds
            .iter()
            .copied()
            .filter(|&b| b > 0 && b <= limit)
            .collect();
        let step = (inner.len() / 8).max(1);
        for b in inner.iter().step_by(step) {
            cuts.extend([b - 1, *b, b + 1]);
        }
        let mut seed = 0x9e37_79b9_7f4a_7c15 ^ bytes.len() as u64;
        for _ in 0..8 {
            cuts.push(xorshift(&mut seed) % limit.max(1));
        }
        cuts.sort_unstable();
        cuts.dedup();
        let name = capture.file_name().unwrap().to_string_lossy().into_owned();
        for cut in cuts.into_iter().filter(|&c| c < good_end) {
            let whole = ends.iter().filter(|&&e| e <= cut).count() as u64;
            let (numbers, err) = json_of(&bytes[..cut as usize]);
            match err {
                None => assert!(bounds.contains(&cut), "{name} cut {cut}: no error"),
                Some(Error::Capture { source, .. }) => {
                    assert!(source.is_truncated(), "{name} cut {cut}: {source}");
                    assert!(source.offset <= cut, "{name} cut {cut}: {source}");
                    let start = bounds
                        .iter()
                        .copied()
                        .filter(|&b| b <= cut)
                        .max()
                        .unwrap_or(0);
                    assert!(source.offset >= start, "{name} cut {cut}: {source}");
                }
                Some(e) => panic!("{name} cut {cut}: {e}"),
            }
            if cut >= bounds.get(1).copied().unwrap_or(0) {
                assert_eq!(numbers, one_to(whole), "{name} cut {cut}");
            }
            checked += 1;
        }
    }
    assert!(checked > 1000, "{checked}");
}

/// A lying length in the middle of the file (every record/block in turn): every
/// output format is a complete, valid document with the frames before it, and the
/// error names the record and its offset.
#[test]
fn corrupt_mid_file_keeps_every_format_valid() {
    for name in ["http.pcap", "multi-section.pcapng"] {
        let bytes = fs::read(committed(name)).unwrap();
        let (_, bounds) = record_bounds(&bytes);
        let pcapng = name.ends_with("pcapng");
        let mut r = Reader::from_bytes(bytes.clone(), ReaderOptions::default()).unwrap();
        let mut frames_before = Vec::new();
        let mut n = 0;
        while let Some(rec) = r.next_record().unwrap() {
            frames_before.push(n);
            if let Record::Frame(_) = rec {
                n += 1;
            }
        }
        // Skip the header / first SHB (damage there fails the open, tested elsewhere).
        for (i, &start) in bounds.iter().enumerate().skip(1).take(bounds.len() - 2) {
            let mut bad = bytes.clone();
            // PCAP: the record's captured length (at +8) claims 0xf0fffff0; PCAPNG: the
            // block total length (at +4) too (aligned, the same in both byte orders,
            // far above any limit).
            let at = start as usize + if pcapng { 4 } else { 8 };
            bad[at..at + 4].copy_from_slice(&[0xf0, 0xff, 0xff, 0xf0]);
            let expect_offset = start + if pcapng { 4 } else { 0 };
            for format in ["json", "jsonl", "plist", "tree", "pcap"] {
                let n = fuzz_checks::check_extract(&bad, format);
                if format == "pcap" && pcapng {
                    // PCAP output holds one link type: it stops (typed error, checked
                    // by check_extract) at the first raw-IP frame of this capture.
                    assert_eq!(n, frames_before[i].min(1), "{name} record {i} ({format})");
                } else {
                    assert_eq!(n, frames_before[i], "{name} record {i} ({format})");
                }
            }
            let (_, err) = json_of(&bad);
            match err {
                Some(Error::Capture { source, .. }) => {
                    assert_eq!(source.offset, expect_offset, "{name} record {i}: {source}");
                    assert!(
                        matches!(
                            source.kind,
                            pcapkit_core::ErrorKind::FrameTooLarge { .. }
                                | pcapkit_core::ErrorKind::BlockTooLarge { .. }
                        ),
                        "{name} record {i}: {source}"
                    );
                }
                other => panic!("{name} record {i}: {other:?}"),
            }
        }
    }
}

#[path = "../fuzz/src/lib.rs"]
#[allow(dead_code, clippy::all)]
mod fuzz_checks;
