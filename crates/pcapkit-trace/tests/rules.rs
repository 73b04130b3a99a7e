//! The flow rules on hand-built connections: one flow per connection (both
//! directions), new flows on a SYN with a new initial sequence number or after the idle
//! timeout, closing by FIN+FIN or RST, the initiator's name first, and the index.

mod common;

use std::time::Duration;

use common::*;
use pcapkit_core::Timestamp;
use pcapkit_trace::{FlowEnd, TraceFormat, TraceOptions, Tracer};

fn ts(s: i64, us: u32) -> Timestamp {
    Timestamp::new(s, us * 1000)
}

#[test]
fn one_flow_per_connection_both_directions_closed_by_fins() {
    let dir = tempfile::tempdir().unwrap();
    let mut t = Tracer::new(TraceOptions::new(dir.path())).unwrap();
    for (i, f) in connection(C, S, 100).iter().enumerate() {
        assert_eq!(
            feed(
                &mut t,
                i as u64 + 1,
                ts(1_600_000_000, i as u32 * 250_000),
                f
            )
            .unwrap(),
            Some(0)
        );
    }
    let index = t.finish().unwrap();
    assert_eq!(index.len(), 1);
    let r = &index[0];
    assert_eq!(r.index, [1, 2, 3, 4, 5, 6, 7]);
    assert_eq!(r.label, "10.0.0.1_40000-10.0.0.2_80-1600000000.0");
    assert_eq!(
        (r.src.as_str(), r.srcport, r.dst.as_str(), r.dstport),
        ("10.0.0.1", 40000, "10.0.0.2", 80)
    );
    assert_eq!((r.fwd_packets, r.rev_packets), (5, 2));
    assert_eq!((r.fwd_payload, r.rev_payload), (18, 0));
    assert_eq!(r.fwd_bytes, 4 * 54 + 72);
    assert_eq!(r.rev_bytes, 2 * 54);
    assert_eq!(
        (r.first_ts.as_str(), r.last_ts.as_str()),
        ("1600000000", "1600000001.5")
    );
    assert_eq!(r.end, FlowEnd::Fin);
    assert_eq!(
        r.fpout,
        dir.path()
            .join("10.0.0.1_40000-10.0.0.2_80-1600000000.0.pcap")
    );
    // index.json is the same list.
    let json: Vec<serde_json::Value> =
        serde_json::from_slice(&std::fs::read(dir.path().join("index.json")).unwrap()).unwrap();
    assert_eq!(json.len(), 1);
    assert_eq!(json[0]["index"], serde_json::json!([1, 2, 3, 4, 5, 6, 7]));
    assert_eq!(json[0]["end"], "fin");
    assert_eq!(json[0]["fwd_packets"], 5);
    let csv = std::fs::read_to_string(dir.path().join("index.csv")).unwrap();
    let line = csv.lines().nth(1).unwrap();
    assert!(line.starts_with("0,"), "{line}");
    assert!(line.ends_with(",fin,1 2 3 4 5 6 7"), "{line}");
}

#[test]
fn new_syn_after_close_starts_a_new_flow_and_retransmitted_syn_does_not() {
    use flags::*;
    let dir = tempfile::tempdir().unwrap();
    let mut t = Tracer::new(TraceOptions::new(dir.path())).unwrap();
    let mut n = 0;
    let mut next = |t: &mut Tracer, f: &[u8], s: i64| {
        n += 1;
        feed(t, n, ts(s, 0), f).unwrap()
    };
    for f in connection(C, S, 100) {
        next(&mut t, &f, 10);
    }
    // The same ports again with a new ISN: a new connection.
    assert_eq!(next(&mut t, &frame(C, S, 5000, SYN, b""), 20), Some(1));
    // Its SYN retransmitted (same ISN): the same flow.
    assert_eq!(next(&mut t, &frame(C, S, 5000, SYN, b""), 21), Some(1));
    // Refused.
    assert_eq!(next(&mut t, &frame(S, C, 0, RST | ACK, b""), 21), Some(1));
    // A late ACK after the RST still belongs to it.
    assert_eq!(next(&mut t, &frame(C, S, 5001, ACK, b""), 22), Some(1));
    let index = t.finish().unwrap();
    assert_eq!(index.len(), 2);
    assert_eq!(index[0].end, FlowEnd::Fin);
    assert_eq!(index[1].index, [8, 9, 10, 11]);
    assert_eq!(index[1].end, FlowEnd::Rst);
    assert_eq!(index[1].label, "10.0.0.1_40000-10.0.0.2_80-20.0");
}

#[test]
fn syn_with_new_isn_on_an_open_connection_is_a_reuse() {
    use flags::*;
    let dir = tempfile::tempdir().unwrap();
    let mut t = Tracer::new(TraceOptions::new(dir.path())).unwrap();
    feed(&mut t, 1, ts(1, 0), &frame(C, S, 1, SYN, b"")).unwrap();
    feed(&mut t, 2, ts(1, 0), &frame(S, C, 9, SYN | ACK, b"")).unwrap();
    feed(&mut t, 3, ts(1, 0), &frame(C, S, 77, SYN, b"")).unwrap();
    let index = t.finish().unwrap();
    assert_eq!(index.len(), 2);
    assert_eq!(index[0].end, FlowEnd::Reuse);
    assert_eq!(index[0].index, [1, 2]);
    // Same pair, same first time: the second name gets a suffix.
    assert_eq!(index[0].label, "10.0.0.1_40000-10.0.0.2_80-1.0");
    assert_eq!(index[1].label, "10.0.0.1_40000-10.0.0.2_80-1.0_1");
    assert!(index[1].fpout.is_file());
}

#[test]
fn same_instant_names_stay_apart_when_the_initiator_alternates() {
    use flags::*;
    // Fuzz find: flows A->B, B->A, A->B on one pair, all starting at the same instant.
    // The third was named after the second (a different label) and so took the first's
    // name, and its file replaced the first's.
    let dir = tempfile::tempdir().unwrap();
    let mut t = Tracer::new(TraceOptions::new(dir.path()).max_open(1)).unwrap();
    // Each connection refused at once (RST), the next one opened from the other side.
    let frames = [
        frame(C, S, 1, SYN, b""),
        frame(S, C, 0, RST | ACK, b""),
        frame(S, C, 50, SYN, b""),
        frame(C, S, 0, RST | ACK, b""),
        frame(C, S, 100, SYN, b""),
        frame(S, C, 0, RST | ACK, b""),
        frame(S, C, 150, SYN, b""),
        frame(C, S, 0, RST | ACK, b""),
    ];
    for (i, f) in frames.iter().enumerate() {
        assert_eq!(
            feed(&mut t, i as u64 + 1, ts(7, 0), f).unwrap(),
            Some(i as u64 / 2)
        );
    }
    let index = t.finish().unwrap();
    let labels: Vec<&str> = index.iter().map(|r| r.label.as_str()).collect();
    assert_eq!(
        labels,
        [
            "10.0.0.1_40000-10.0.0.2_80-7.0",
            "10.0.0.2_80-10.0.0.1_40000-7.0",
            "10.0.0.1_40000-10.0.0.2_80-7.0_1",
            "10.0.0.2_80-10.0.0.1_40000-7.0_1",
        ]
    );
    // Each file holds its own flow's two frames.
    for (r, pair) in index.iter().zip(frames.chunks(2)) {
        assert_eq!(r.index.len(), 2);
        let mut back = pcapkit_core::Reader::from_bytes(
            std::fs::read(&r.fpout).unwrap(),
            pcapkit_core::ReaderOptions::default(),
        )
        .unwrap();
        for f in pair {
            assert_eq!(back.next_frame().unwrap().unwrap().data, &f[..]);
        }
        assert!(back.next_frame().unwrap().is_none());
    }
}

#[test]
fn idle_timeout_splits_in_capture_time() {
    use flags::*;
    let dir = tempfile::tempdir().unwrap();
    let mut t =
        Tracer::new(TraceOptions::new(dir.path()).idle_timeout(Some(Duration::from_secs(60))))
            .unwrap();
    feed(&mut t, 1, ts(100, 0), &frame(C, S, 1, ACK, b"x")).unwrap();
    feed(&mut t, 2, ts(160, 0), &frame(S, C, 9, ACK, b"")).unwrap(); // exactly 60 s: same
    feed(&mut t, 3, ts(220, 1), &frame(C, S, 2, ACK, b"")).unwrap(); // 60.000001 s: new
    let index = t.finish().unwrap();
    assert_eq!(
        index.iter().map(|r| r.index.clone()).collect::<Vec<_>>(),
        [vec![1, 2], vec![3]]
    );
    assert_eq!(index[0].end, FlowEnd::Timeout);
    assert_eq!(index[1].end, FlowEnd::Eof);
    // No timeout by default.
    let dir = tempfile::tempdir().unwrap();
    let mut t = Tracer::new(TraceOptions::new(dir.path())).unwrap();
    feed(&mut t, 1, ts(100, 0), &frame(C, S, 1, ACK, b"x")).unwrap();
    feed(&mut t, 2, ts(100_000, 0), &frame(C, S, 2, ACK, b"")).unwrap();
    assert_eq!(t.finish().unwrap().len(), 1);
}

#[test]
fn initiator_first_when_the_capture_starts_with_the_syn_ack() {
    use flags::*;
    let dir = tempfile::tempdir().unwrap();
    let mut t = Tracer::new(TraceOptions::new(dir.path()).format(TraceFormat::Jsonl)).unwrap();
    feed(&mut t, 1, ts(5, 500_000), &frame(S, C, 9, SYN | ACK, b"")).unwrap();
    feed(&mut t, 2, ts(5, 600_000), &frame(C, S, 2, ACK, b"")).unwrap();
    let index = t.finish().unwrap();
    assert_eq!(index[0].label, "10.0.0.1_40000-10.0.0.2_80-5.5");
    assert_eq!((index[0].fwd_packets, index[0].rev_packets), (1, 1));
    assert!(
        index[0]
            .fpout
            .ends_with("10.0.0.1_40000-10.0.0.2_80-5.5.jsonl")
    );
}

#[test]
fn non_tcp_frames_are_ignored_and_errors_are_typed() {
    let dir = tempfile::tempdir().unwrap();
    let mut t = Tracer::new(TraceOptions::new(dir.path())).unwrap();
    let udp = pcapkit_testdata::build::udp([1, 1, 1, 1], [2, 2, 2, 2], 53, 53, b"x");
    let ip = pcapkit_testdata::build::ipv4([1, 1, 1, 1], [2, 2, 2, 2], 17, 1, 64, &udp);
    let eth = pcapkit_testdata::build::ethernet([1; 6], [2; 6], 0x0800, &ip);
    assert_eq!(feed(&mut t, 1, ts(1, 0), &eth).unwrap(), None);
    assert!(t.finish().unwrap().is_empty());
    // A file where the directory should be.
    let file = dir.path().join("file");
    std::fs::write(&file, b"").unwrap();
    let err = Tracer::new(TraceOptions::new(&file)).unwrap_err();
    assert!(err.to_string().contains("not a directory"), "{err}");
    let err = Tracer::new(TraceOptions::new(dir.path()).max_open(0)).unwrap_err();
    assert_eq!(
        err.to_string(),
        "invalid trace option: max_open must be at least 1"
    );
    // A timestamp PCAP cannot store names the file and the limit.
    let mut t = Tracer::new(TraceOptions::new(dir.path().join("t"))).unwrap();
    let err = feed(&mut t, 1, ts(1 << 33, 0), &frame(C, S, 1, flags::SYN, b"")).unwrap_err();
    let msg = err.to_string();
    assert!(
        msg.contains("10.0.0.1_40000-10.0.0.2_80-8589934592.0.pcap"),
        "{msg}"
    );
    assert!(msg.contains("4294967295"), "{msg}");
}
