//! Every input a fuzz target crashed on, kept under `testdata/regressions/TARGET/`,
//! runs through the same check as the target (`fuzz/src/lib.rs`, included here) in
//! the normal test suite: no panic, bounded time, output valid.

use std::fs;
use std::path::PathBuf;
use std::time::{Duration, Instant};

#[path = "../fuzz/src/lib.rs"]
#[allow(dead_code, clippy::all)]
mod fuzz_checks;

const TARGETS: [&str; 11] = [
    "pcap_reader",
    "pcapng_reader",
    "dissect",
    "reasm",
    "trace",
    "extract_json",
    "extract_jsonl",
    "extract_plist",
    "extract_tree",
    "extract_pcap",
    "engines",
];

fn regressions_dir() -> PathBuf {
    PathBuf::from(env!("CARGO_MANIFEST_DIR"))
        .join("testdata")
        .join("regressions")
}

#[test]
fn every_regression_input_passes_its_target() {
    let mut ran = 0;
    for entry in fs::read_dir(regressions_dir()).expect("testdata/regressions") {
        let dir = entry.unwrap().path();
        if !dir.is_dir() {
            continue;
        }
        let target = dir.file_name().unwrap().to_string_lossy().into_owned();
        assert!(
            TARGETS.contains(&target.as_str()),
            "testdata/regressions/{target}: not a fuzz target"
        );
        let mut files: Vec<PathBuf> = fs::read_dir(&dir)
            .unwrap()
            .map(|e| e.unwrap().path())
            .collect();
        files.sort();
        for file in files {
            let data = fs::read(&file).unwrap();
            let started = Instant::now();
            fuzz_checks::run_target(&target, &data);
            // Every other target too: a crash input of one stage is a good input
            // for the others.
            for other in TARGETS.iter().filter(|t| **t != target) {
                fuzz_checks::run_target(other, &data);
            }
            assert!(
                started.elapsed() < Duration::from_secs(20),
                "{}: {:?}",
                file.display(),
                started.elapsed()
            );
            ran += 1;
        }
    }
    assert!(
        ran > 0,
        "no regression inputs found in {}",
        regressions_dir().display()
    );
}

/// The `trace` target's check holds on every real capture (so a property it asserts
/// is one valid input keeps), and traces something on those with TCP.
#[test]
fn trace_check_holds_on_every_shared_capture() {
    let captures = pcapkit_testdata::shared_captures();
    assert!(!captures.is_empty(), "no shared captures found");
    for path in captures {
        let data = fs::read(&path).unwrap();
        eprintln!("{}", path.display());
        fuzz_checks::check_trace(&data);
    }
}
