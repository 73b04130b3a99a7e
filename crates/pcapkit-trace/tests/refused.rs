//! A frame its PCAP flow file cannot hold (a time past 2106) is a typed error naming
//! the capture frame; the frame is in neither the file nor the index, and a flow whose
//! very first frame was refused leaves no file and no index entry behind.

mod common;

use common::*;
use pcapkit_core::{Reader, ReaderOptions, Timestamp};
use pcapkit_trace::{TraceError, TraceFormat, TraceOptions, Tracer};

/// Seconds a PCAP file cannot store (more than 32 bits).
const TOO_LATE: i64 = 1 << 33;

#[test]
fn a_refused_frame_is_an_error_and_stays_out_of_file_and_index() {
    let dir = tempfile::tempdir().unwrap();
    let mut t = Tracer::new(TraceOptions::new(dir.path())).unwrap();
    let frames = connection(C, S, 100);
    for (i, f) in frames.iter().take(3).enumerate() {
        feed(&mut t, i as u64 + 1, Timestamp::new(1000 + i as i64, 0), f).unwrap();
    }
    let err = feed(&mut t, 4, Timestamp::new(TOO_LATE, 0), &frames[3]).unwrap_err();
    match &err {
        TraceError::Capture { frame, .. } => assert_eq!(*frame, Some(4)),
        other => panic!("expected a Capture error, got {other:?}"),
    }
    let msg = err.to_string();
    assert!(msg.contains("capture frame 4"), "{msg}");
    assert!(msg.contains("pcapng trace format"), "{msg}");
    // A second connection whose first frame is refused: no flow, no file.
    let other = ([10, 0, 0, 9], 41000);
    let first = frame(other, S, 5, flags::SYN, b"");
    assert!(feed(&mut t, 5, Timestamp::new(TOO_LATE, 0), &first).is_err());
    let index = t.finish().unwrap();
    assert_eq!(index.len(), 1, "{index:?}");
    assert_eq!(index[0].index, vec![1, 2, 3]);
    assert_eq!(index[0].fwd_packets + index[0].rev_packets, 3);
    let back = std::fs::read(&index[0].fpout).unwrap();
    let mut r = Reader::from_bytes(back, ReaderOptions::default()).unwrap();
    let mut n = 0;
    while let Ok(Some(_)) = r.next_frame() {
        n += 1;
    }
    assert_eq!(n, 3, "the file holds the three frames written");
    let files: Vec<_> = std::fs::read_dir(dir.path())
        .unwrap()
        .map(|e| e.unwrap().file_name().to_string_lossy().into_owned())
        .filter(|n| n.ends_with(".pcap"))
        .collect();
    assert_eq!(files.len(), 1, "no file for the refused flow: {files:?}");
}

#[test]
fn pcapng_flow_files_hold_times_pcap_cannot() {
    let dir = tempfile::tempdir().unwrap();
    let mut t = Tracer::new(TraceOptions::new(dir.path()).format(TraceFormat::Pcapng)).unwrap();
    for (i, f) in connection(C, S, 100).iter().enumerate() {
        feed(
            &mut t,
            i as u64 + 1,
            Timestamp::new(TOO_LATE + i as i64, 0),
            f,
        )
        .unwrap();
    }
    let index = t.finish().unwrap();
    assert_eq!(index.len(), 1);
    assert_eq!(index[0].index.len(), 7);
}
