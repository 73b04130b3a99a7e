//! A frame its PCAP flow file cannot hold (a time past 2106) is a typed error naming
//! the capture frame and the remedy; the frame stays in its flow's index (the flow is
//! what tshark's `tcp.stream` says), the file holds every other frame, and tracing
//! can go on.

mod common;

use common::*;
use pcapkit_core::{Reader, ReaderOptions, Timestamp};
use pcapkit_trace::{TraceError, TraceFormat, TraceOptions, Tracer};

/// Seconds a PCAP file cannot store (more than 32 bits).
const TOO_LATE: i64 = 1 << 33;

#[test]
fn a_refused_frame_is_an_error_naming_it_and_the_file_keeps_the_others() {
    let dir = tempfile::tempdir().unwrap();
    let mut t = Tracer::new(TraceOptions::new(dir.path())).unwrap();
    let frames = connection(C, S, 100);
    for (i, f) in frames.iter().enumerate() {
        let n = i as u64 + 1;
        let ts = if n == 4 {
            Timestamp::new(TOO_LATE, 0)
        } else {
            Timestamp::new(1000 + i as i64, 0)
        };
        let fed = feed(&mut t, n, ts, f);
        if n != 4 {
            fed.unwrap();
            continue;
        }
        let err = fed.unwrap_err();
        match &err {
            TraceError::Capture { frame, .. } => assert_eq!(*frame, Some(4)),
            other => panic!("expected a Capture error, got {other:?}"),
        }
        let msg = err.to_string();
        assert!(msg.contains("capture frame 4"), "{msg}");
        assert!(
            msg.contains("pcapng trace format holds times after 2106"),
            "{msg}"
        );
    }
    let index = t.finish().unwrap();
    assert_eq!(index.len(), 1, "{index:?}");
    assert_eq!(index[0].index, (1..=7).collect::<Vec<u64>>());
    let back = std::fs::read(&index[0].fpout).unwrap();
    let mut r = Reader::from_bytes(back, ReaderOptions::default()).unwrap();
    let mut secs = Vec::new();
    while let Ok(Some(f)) = r.next_frame() {
        secs.push(f.timestamp.secs);
    }
    assert_eq!(
        secs,
        vec![1000, 1001, 1002, 1004, 1005, 1006],
        "all but frame 4"
    );
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
    let back = std::fs::read(&index[0].fpout).unwrap();
    let mut r = Reader::from_bytes(back, ReaderOptions::default()).unwrap();
    let f = r.next_frame().unwrap().unwrap();
    assert_eq!(f.timestamp.secs, TOO_LATE);
}

#[test]
fn pcapng_refuses_a_time_before_1970_with_a_typed_error_naming_the_frame() {
    let dir = tempfile::tempdir().unwrap();
    let mut t = Tracer::new(TraceOptions::new(dir.path()).format(TraceFormat::Pcapng)).unwrap();
    let frames = connection(C, S, 100);
    feed(&mut t, 1, Timestamp::new(1000, 0), &frames[0]).unwrap();
    let err = feed(&mut t, 2, Timestamp::new(-5, 0), &frames[1]).unwrap_err();
    match &err {
        TraceError::Capture { frame, source, .. } => {
            assert_eq!(*frame, Some(2));
            assert!(matches!(
                source.kind,
                pcapkit_core::ErrorKind::TimestampOutOfRange { .. }
            ));
        }
        other => panic!("expected a Capture error, got {other:?}"),
    }
    assert!(err.to_string().contains("capture frame 2"), "{err}");
    feed(&mut t, 3, Timestamp::new(1002, 0), &frames[2]).unwrap();
    let index = t.finish().unwrap();
    assert_eq!(index[0].index, vec![1, 2, 3]);
    let back = std::fs::read(&index[0].fpout).unwrap();
    let mut r = Reader::from_bytes(back, ReaderOptions::default()).unwrap();
    let mut secs = Vec::new();
    while let Ok(Some(f)) = r.next_frame() {
        secs.push(f.timestamp.secs);
    }
    assert_eq!(secs, vec![1000, 1002]);
}
