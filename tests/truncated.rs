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
