//! Every shared capture, in every text format: the output parses (serde_json, the
//! plist crate, Python's json and plistlib) and holds one block per frame, numbered
//! 1..=n, n agreeing with tshark where it read the capture.

mod common;

use std::fs;

use pcapkit::{ExtractOptions, Extractor, extract};

use common::*;

const FORMATS: [(&str, &str); 4] = [
    ("json", "json"),
    ("jsonl", "jsonl"),
    ("plist", "plist"),
    ("tree", "txt"),
];

/// Runs one extraction to the end; the frames read and the error, if any. `None` when
/// the capture cannot even be opened (then no output is created).
fn run(opts: ExtractOptions) -> Option<(u64, Option<pcapkit::Error>)> {
    let mut ex: Extractor = match extract(opts.auto(false)) {
        Ok(ex) => ex,
        Err(pcapkit::Error::Capture { .. }) => return None,
        Err(e) => panic!("{e}"),
    };
    let err = ex.run().err();
    Some((ex.length(), err))
}

#[test]
fn every_capture_in_every_format() {
    let captures = pcapkit_testdata::shared_captures();
    assert!(captures.len() > 100, "shared captures missing");
    let dir = tempfile::tempdir().unwrap();
    let mut expected = std::collections::BTreeMap::new();
    let mut damaged = Vec::new();
    let mut unreadable = Vec::new();
    for capture in &captures {
        let name = capture.file_name().unwrap().to_string_lossy().into_owned();
        let mut lengths = Vec::new();
        for (format, ext) in FORMATS {
            let out = dir.path().join(format!("{name}.{ext}"));
            let opts = ExtractOptions::new(capture)
                .fout(&out)
                .format(format)
                .extension(false)
                .store(false);
            let Some((n, err)) = run(opts) else {
                assert!(
                    !out.exists(),
                    "{name}: output created for an unreadable input"
                );
                unreadable.push(name.clone());
                break;
            };
            lengths.push(n);
            if format == "json" {
                if let Some(e) = &err {
                    damaged.push(format!("{name}: {e}"));
                }
                // tshark's record count, where tshark read the whole capture: tshark
                // numbers PCAPNG custom and systemd journal blocks as frames too.
                if err.is_none()
                    && let Some(oracle) = pcapkit_testdata::oracle_frames(capture)
                {
                    let doc: serde_json::Value =
                        serde_json::from_slice(&fs::read(&out).unwrap()).unwrap();
                    let records = doc
                        .as_object()
                        .unwrap()
                        .keys()
                        .filter(|k| k.starts_with("Custom ") || k.starts_with("systemd "))
                        .count() as u64;
                    assert_eq!(
                        n + records,
                        oracle.len() as u64,
                        "{name}: records vs tshark"
                    );
                }
            }
            let numbers = match format {
                "json" => {
                    let doc: serde_json::Value = serde_json::from_slice(&fs::read(&out).unwrap())
                        .unwrap_or_else(|e| panic!("{name}: invalid JSON: {e}"));
                    json_frame_numbers(&doc)
                }
                "jsonl" => jsonl_frame_numbers(&fs::read_to_string(&out).unwrap()),
                "plist" => plist_frame_numbers(&out),
                _ => tree_frame_numbers(&fs::read_to_string(&out).unwrap()),
            };
            assert_eq!(numbers, one_to(n), "{name} ({format})");
            if format != "tree" {
                expected.insert(format!("{name}.{ext}"), one_to(n));
            }
        }
        assert!(
            lengths.windows(2).all(|w| w[0] == w[1]),
            "{name}: {lengths:?}"
        );
    }
    let python = python_frame_numbers(dir.path());
    assert_eq!(python.len(), expected.len());
    for (file, numbers) in &expected {
        assert_eq!(python.get(file), Some(numbers), "{file} as Python reads it");
    }
    eprintln!(
        "damaged captures (error reported, output complete):\n{}",
        damaged.join("\n")
    );
    eprintln!("unreadable captures (no output): {unreadable:?}");
    assert!(unreadable.len() < 10, "{unreadable:?}");
}
