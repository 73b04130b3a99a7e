//! 100,000 short connections traced with at most 64 open files: the SYNs of 100
//! connections come first, then each connection's other six frames, so every file is
//! closed after its SYN and reopened in append mode for the rest, and every file still
//! holds exactly its connection's seven frames.

mod common;

use common::*;
use pcapkit_core::{Reader, Timestamp};
use pcapkit_trace::{FlowEnd, TraceOptions, Tracer};

const FLOWS: u32 = 100_000;
const BATCH: u32 = 100;
const CAP: usize = 64;

fn client(i: u32) -> ([u8; 4], u16) {
    let [_, a, b, c] = i.to_be_bytes();
    ([10, a, b, c], 1024 + (i % 60_000) as u16)
}

const SERVER: ([u8; 4], u16) = ([192, 168, 0, 1], 80);

#[test]
fn a_hundred_thousand_connections_with_64_open_files() {
    // 100,000 small files: in memory when the system has a tmpfs (the disk of a busy
    // machine makes this test minutes long), else in the temporary directory.
    let shm = std::path::Path::new("/dev/shm");
    let dir = if shm.is_dir() {
        tempfile::tempdir_in(shm).unwrap()
    } else {
        tempfile::tempdir().unwrap()
    };
    let mut t = Tracer::new(TraceOptions::new(dir.path()).max_open(CAP)).unwrap();
    let mut number = 0u64;
    let mut expected_frames = vec![Vec::new(); FLOWS as usize];
    for start in (0..FLOWS).step_by(BATCH as usize) {
        let end = (start + BATCH).min(FLOWS);
        let conns: Vec<Vec<Vec<u8>>> = (start..end)
            .map(|i| connection(client(i), SERVER, i.wrapping_mul(2_654_435_761)))
            .collect();
        let order = (0..conns.len())
            .map(|j| (j, 0))
            .chain((0..conns.len()).flat_map(|j| (1..7).map(move |k| (j, k))));
        for (j, k) in order {
            let c = &conns[j];
            {
                number += 1;
                let ts = Timestamp::new(
                    1_700_000_000 + i64::from(start),
                    (k * 1000 + j) as u32 * 1000,
                );
                let id = feed(&mut t, number, ts, &c[k]).unwrap().unwrap();
                assert_eq!(id, u64::from(start) + j as u64);
                expected_frames[id as usize].push(number);
                assert!(t.open_files() <= CAP);
            }
        }
    }
    let (opens, reopens) = t.open_stats();
    assert!(
        reopens >= u64::from(FLOWS) * 9 / 10,
        "files were reopened: {opens} opens, {reopens} reopens"
    );
    let index = t.finish().unwrap();
    assert_eq!(index.len(), FLOWS as usize);
    assert_eq!(t.open_files(), 0);
    for (i, rec) in index.iter().enumerate() {
        assert_eq!(rec.stream, i as u64);
        assert_eq!(rec.index, expected_frames[i]);
        assert_eq!(rec.end, FlowEnd::Fin);
        let want = connection(
            client(i as u32),
            SERVER,
            (i as u32).wrapping_mul(2_654_435_761),
        );
        let mut r = Reader::open(&rec.fpout).unwrap();
        let mut got = Vec::new();
        while let Some(f) = r.next_frame().unwrap() {
            got.push(f.data.to_vec());
        }
        assert_eq!(got, want, "{}", rec.fpout.display());
    }
    let files = std::fs::read_dir(dir.path()).unwrap().count();
    assert_eq!(
        files,
        FLOWS as usize + 2,
        "one file per flow plus index.json and index.csv"
    );
}
