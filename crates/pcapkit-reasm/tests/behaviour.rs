//! Reassembly behaviour on hand-built input: overlaps, wraparound, out-of-order,
//! retransmissions, strict vs non-strict, PyPCAPKit's bugs, floods against the caps, and
//! proptest over random cuts.

use std::net::IpAddr;

use pcapkit_core::{LinkType, Timestamp};
use pcapkit_protocols::{DissectOptions, dissect};
use pcapkit_reasm::{
    DatagramId, Flush, Fragment, IpKey, IpReassembler, IpVersion, Limits, Payload, Protocol,
    Reassembly, Segment, StreamMode, StreamView, TcpReassembler,
};
use proptest::prelude::*;

fn ts(s: i64) -> Timestamp {
    Timestamp::new(s, 0)
}

fn key(id: u32) -> IpKey {
    IpKey {
        src: "10.0.0.1".parse().unwrap(),
        dst: "10.0.0.2".parse().unwrap(),
        id,
        proto: 17,
    }
}

fn frag<'a>(number: u64, id: u32, offset: u32, more: bool, data: &'a [u8]) -> Fragment<'a> {
    Fragment {
        number,
        ts: ts(number as i64 / 1000),
        key: key(id),
        offset,
        more,
        header: &[0x45; 20],
        data,
        declared_len: data.len(),
    }
}

const CLIENT: &str = "192.0.2.1";
const SERVER: &str = "192.0.2.2";

#[allow(clippy::too_many_arguments)]
fn seg<'a>(number: u64, seq: u32, ack: u32, flags: &str, data: &'a [u8]) -> Segment<'a> {
    Segment {
        number,
        ts: ts(0),
        src: CLIENT.parse().unwrap(),
        dst: SERVER.parse().unwrap(),
        sport: 40000,
        dport: 80,
        seq,
        ack,
        syn: flags.contains('S'),
        ack_flag: flags.contains('A'),
        fin: flags.contains('F'),
        rst: flags.contains('R'),
        header: &[0; 20],
        data,
    }
}

fn tcp(strict: bool) -> TcpReassembler {
    TcpReassembler::new(strict, Limits::tcp())
        .with_streams(StreamView::new(StreamMode::Memory { max_bytes: 1 << 20 }).unwrap())
}

// ---------- IP ----------

#[test]
fn ip_overlap_keeps_the_first_copy_and_counts() {
    let mut r = IpReassembler::new(IpVersion::V4, true, Limits::ip());
    r.feed_fragment(frag(1, 1, 0, true, b"AAAAAAAAAAAAAAAA"));
    r.feed_fragment(frag(2, 1, 8, true, b"BBBBBBBBBBBBBBBB"));
    r.feed_fragment(frag(3, 1, 24, false, b"CCCC"));
    let d = r.take_datagrams();
    assert_eq!(d.len(), 1);
    assert_eq!(
        d[0].payload,
        Payload::Complete(b"AAAAAAAAAAAAAAAABBBBBBBBCCCC".to_vec())
    );
    assert_eq!(d[0].index, [1, 2, 3]);
    assert_eq!(d[0].flush, Flush::Complete);
    assert_eq!(r.stats().overlap_bytes, 8);
    // A duplicate of a fragment of the completed datagram is dropped, not a new buffer.
    r.feed_fragment(frag(4, 1, 8, true, b"BBBBBBBBBBBBBBBB"));
    r.finish();
    assert!(r.take_datagrams().is_empty());
    assert_eq!(r.stats().duplicate_fragments, 1);
}

#[test]
fn ip_strict_reports_incomplete_runs_non_strict_nothing() {
    for strict in [true, false] {
        let mut r = IpReassembler::new(IpVersion::V4, strict, Limits::ip());
        r.feed_fragment(frag(1, 9, 0, true, b"01234567"));
        r.feed_fragment(frag(2, 9, 16, false, b"xy"));
        r.finish();
        let d = r.take_datagrams();
        if strict {
            assert_eq!(d.len(), 1);
            assert!(!d[0].completed);
            assert_eq!(d[0].flush, Flush::End);
            let Payload::Partial(runs) = &d[0].payload else {
                panic!("partial")
            };
            assert_eq!(runs.len(), 2);
            assert_eq!(
                (runs[0].offset, runs[0].data.as_slice()),
                (0, &b"01234567"[..])
            );
            assert_eq!((runs[1].offset, runs[1].data.as_slice()), (16, &b"xy"[..]));
            assert!(d[0].packet().is_none());
        } else {
            assert!(d.is_empty());
            assert_eq!(r.stats().incomplete_dropped, 1);
        }
    }
}

#[test]
fn ip_idle_timeout_in_capture_time() {
    let mut r = IpReassembler::new(IpVersion::V4, true, Limits::ip());
    let mut f = frag(1, 5, 0, true, b"01234567");
    f.ts = ts(100);
    r.feed_fragment(f);
    let mut g = frag(2, 6, 0, true, b"01234567");
    g.ts = ts(100 + 31);
    r.feed_fragment(g);
    let d = r.take_datagrams();
    assert_eq!(d.len(), 1);
    assert_eq!(d[0].flush, Flush::Idle);
    assert_eq!(r.stats().evicted_idle, 1);
    assert_eq!(r.open(), 1);
}

/// An IPv6 packet with a Fragment header (id, offset in bytes, M) carrying `data`.
fn ipv6_fragment(id: u32, offset: u16, more: bool, next: u8, data: &[u8]) -> Vec<u8> {
    let mut p = vec![0x60, 0x01, 0x23, 0x45]; // flow label 0x12345
    p.extend_from_slice(&((8 + data.len()) as u16).to_be_bytes());
    p.extend_from_slice(&[44, 64]);
    p.extend_from_slice(
        &"2001:db8::1"
            .parse::<std::net::Ipv6Addr>()
            .unwrap()
            .octets(),
    );
    p.extend_from_slice(
        &"2001:db8::2"
            .parse::<std::net::Ipv6Addr>()
            .unwrap()
            .octets(),
    );
    p.extend_from_slice(&[next, 0]);
    p.extend_from_slice(&(offset | u16::from(more)).to_be_bytes());
    p.extend_from_slice(&id.to_be_bytes());
    p.extend_from_slice(data);
    p
}

/// PyPCAPKit §10 item 20: IPv6 fragments were placed at the unscaled offset and keyed
/// by the flow label (4 fragments of a 108-byte datagram gave a 24-byte "completed"
/// payload with `id: 0`).
#[test]
fn pypcapkit_20_ipv6_offsets_in_bytes_and_fragment_identification() {
    let mut udp = vec![0x9c, 0x40, 0x9c, 0x41, 0x00, 108, 0, 0]; // ports 40000 -> 40001
    udp.extend((0..100u8).map(|i| i.wrapping_mul(7)));
    assert_eq!(udp.len(), 108);
    let mut r = Reassembly::new(&[Protocol::Ipv6], true);
    let cuts = [(0, 32), (32, 64), (64, 96), (96, 108)];
    for (n, &(a, b)) in cuts.iter().enumerate().rev() {
        let pkt = ipv6_fragment(0xdead_beef, a as u16, b != 108, 17, &udp[a..b]);
        let p = dissect(LinkType::RAW, &pkt, &DissectOptions::default());
        r.feed(n as u64 + 1, ts(0), &p);
    }
    // Another datagram with the same flow label but another identification stays apart.
    let pkt = ipv6_fragment(7, 0, true, 17, &udp[..16]);
    r.feed(
        9,
        ts(0),
        &dissect(LinkType::RAW, &pkt, &DissectOptions::default()),
    );
    let d = r.take(Protocol::Ipv6);
    assert_eq!(d.len(), 1);
    assert!(d[0].completed);
    assert_eq!(d[0].payload.bytes(), Some(udp.as_slice()));
    assert_eq!(d[0].index, [4, 3, 2, 1]);
    let DatagramId::Ip { id, proto, src, .. } = d[0].id else {
        panic!("ip")
    };
    assert_eq!((id, proto.0), (0xdead_beef, 17));
    assert_eq!(src, "2001:db8::1".parse::<IpAddr>().unwrap());
    assert_eq!(d[0].header.len(), 48);
    assert_eq!(d[0].packet().unwrap().protocols().to_string(), "UDP:Raw");
    // An atomic fragment (offset 0, M clear) is a whole datagram: not buffered.
    let pkt = ipv6_fragment(8, 0, false, 17, &udp);
    r.feed(
        10,
        ts(0),
        &dissect(LinkType::RAW, &pkt, &DissectOptions::default()),
    );
    r.finish().unwrap();
    let d = r.take(Protocol::Ipv6);
    assert_eq!(d.len(), 1, "only the unfinished id 7 is left");
    assert!(!d[0].completed);
    assert_eq!(d[0].index, [9]);
}

/// PyPCAPKit §10 item 27: every DF=0 IPv4 packet came out as a "reassembled" datagram.
#[test]
fn pypcapkit_27_unfragmented_ipv4_is_not_reassembled() {
    let mut p = vec![
        0x45, 0, 0, 28, 0, 1, 0, 0, 64, 17, 0, 0, 10, 0, 0, 1, 10, 0, 0, 2,
    ];
    p.extend_from_slice(&[0, 1, 0, 2, 0, 8, 0, 0]);
    let mut r = Reassembly::new(&[Protocol::Ipv4], true);
    r.feed(
        1,
        ts(0),
        &dissect(LinkType::RAW, &p, &DissectOptions::default()),
    );
    r.finish().unwrap();
    assert!(r.take(Protocol::Ipv4).is_empty());
    assert_eq!(r.stats(Protocol::Ipv4).unwrap().fed, 0);
}

// ---------- TCP ----------

#[test]
fn tcp_sequence_numbers_wrap_past_2_32() {
    let isn = u32::MAX - 2;
    let mut r = tcp(true);
    r.feed_segment(seg(1, isn, 0, "S", b""));
    r.feed_segment(seg(2, isn.wrapping_add(1), 7, "A", b"abcd")); // crosses 2^32
    r.feed_segment(seg(3, isn.wrapping_add(9), 7, "A", b"ijkl")); // out of order
    r.feed_segment(seg(4, isn.wrapping_add(5), 7, "A", b"efgh"));
    r.feed_segment(seg(5, isn.wrapping_add(13), 7, "AF", b""));
    r.finish().unwrap();
    let d = r.take_datagrams();
    assert_eq!(d.len(), 1);
    assert!(d[0].completed);
    assert_eq!(d[0].payload.bytes(), Some(&b"abcdefghijkl"[..]));
    assert_eq!(d[0].index, [2, 3, 4]);
    assert_eq!(d[0].flush, Flush::Fin);
    assert_eq!(
        r.streams().unwrap().connections()[0].c2s.data(),
        b"abcdefghijkl"
    );
}

#[test]
fn tcp_retransmissions_and_overlaps_are_removed() {
    let mut r = tcp(true);
    r.feed_segment(seg(1, 100, 1, "S", b""));
    r.feed_segment(seg(2, 101, 1, "A", b"hello "));
    r.feed_segment(seg(3, 101, 1, "A", b"hello ")); // retransmission
    r.feed_segment(seg(4, 104, 1, "A", b"lo world")); // overlap, 5 new bytes
    r.feed_segment(seg(5, 101, 9, "A", b"")); // pure ACK, new ACK number: flush
    let d = r.take_datagrams();
    assert_eq!(d.len(), 1);
    assert_eq!(d[0].payload.bytes(), Some(&b"hello world"[..]));
    assert_eq!(d[0].index, [2, 4]);
    assert_eq!(d[0].flush, Flush::AckChange);
    let s = r.stats();
    assert_eq!((s.retransmitted_bytes, s.overlap_bytes), (6, 3));
}

#[test]
fn tcp_one_datagram_per_ack_run_and_late_fill_joins_its_run() {
    let mut r = tcp(true);
    r.feed_segment(seg(1, 0, 1, "S", b""));
    r.feed_segment(seg(2, 1, 50, "A", b"GET /a"));
    r.feed_segment(seg(3, 11, 50, "A", b"\r\n\r\n")); // bytes 7..11 lost for now
    r.feed_segment(seg(4, 15, 80, "A", b"GET /b\r\n\r\n")); // next request, new ACK
    // The first run has a hole: not handed out yet.
    assert!(r.datagrams().is_empty());
    r.feed_segment(seg(5, 7, 80, "A", b" HT1")); // retransmission with the newer ACK
    let d = r.take_datagrams();
    assert_eq!(d.len(), 1);
    assert!(d[0].completed);
    assert_eq!(d[0].payload.bytes(), Some(&b"GET /a HT1\r\n\r\n"[..]));
    assert_eq!(d[0].index, [2, 3, 5]);
    let DatagramId::Tcp { ack, src, .. } = d[0].id else {
        panic!("tcp")
    };
    assert_eq!((ack, src.1), (50, 40000));
    r.feed_segment(seg(6, 25, 80, "AR", b""));
    let d = r.take_datagrams();
    assert_eq!(d.len(), 1);
    assert_eq!(d[0].flush, Flush::Rst);
    assert_eq!(d[0].payload.bytes(), Some(&b"GET /b\r\n\r\n"[..]));
}

#[test]
fn tcp_strict_and_non_strict_with_a_lost_segment() {
    for strict in [true, false] {
        let mut r = tcp(strict);
        r.feed_segment(seg(1, 0, 1, "S", b""));
        r.feed_segment(seg(2, 1, 1, "A", b"aaaa"));
        r.feed_segment(seg(3, 9, 1, "A", b"cccc")); // 5..9 never arrives
        r.feed_segment(seg(4, 13, 1, "AF", b""));
        r.finish().unwrap();
        let d = r.take_datagrams();
        if strict {
            assert_eq!(d.len(), 1);
            assert!(!d[0].completed);
            let Payload::Partial(runs) = &d[0].payload else {
                panic!("partial")
            };
            assert_eq!(runs.len(), 2);
            assert_eq!((runs[1].offset, runs[1].data.as_slice()), (8, &b"cccc"[..]));
        } else {
            assert!(d.is_empty());
        }
        let view = r.streams().unwrap();
        let c2s = &view.connections()[0].c2s;
        assert_eq!(
            (c2s.data(), c2s.gap_bytes, c2s.first_gap),
            (&b"aaaacccc"[..], 4, Some(4))
        );
    }
}

#[test]
fn tcp_syn_reuse_starts_a_new_connection() {
    let mut r = tcp(true);
    r.feed_segment(seg(1, 1000, 1, "S", b""));
    r.feed_segment(seg(2, 1001, 1, "A", b"first"));
    r.feed_segment(seg(3, 5000, 0, "S", b"")); // new ISN, same ports
    r.feed_segment(seg(4, 5001, 1, "A", b"second"));
    r.finish().unwrap();
    let d = r.take_datagrams();
    let flushes: Vec<_> = d.iter().map(|d| (d.flush, d.payload.len())).collect();
    assert_eq!(flushes, [(Flush::Syn, 5), (Flush::End, 6)]);
    let conns = r.streams().unwrap().connections();
    assert_eq!(conns.len(), 2);
    assert_eq!(conns[1].c2s.data(), b"second");
}

// ---------- floods ----------

#[test]
fn fragment_flood_stays_within_the_caps() {
    let limits = Limits::ip();
    let mut r = IpReassembler::new(IpVersion::V4, false, limits);
    let data = [0u8; 64];
    let n = 1_000_000u32;
    for id in 0..n {
        let mut f = frag(u64::from(id), id, 0, true, &data);
        f.ts = ts(1); // all within the idle timeout
        r.feed_fragment(f);
        assert!(r.open() <= limits.max_open);
    }
    let s = r.stats();
    assert_eq!(r.open(), limits.max_open);
    assert_eq!(s.evicted_capacity, u64::from(n) - limits.max_open as u64);
    assert_eq!(s.incomplete_dropped, s.evicted_capacity);
    assert!(s.peak_buffered_bytes <= limits.max_buffered_bytes as u64);
    assert!(r.buffered_bytes() <= limits.max_buffered_bytes);
    assert!(r.take_datagrams().is_empty());
}

#[test]
fn syn_flood_stays_within_the_caps() {
    let limits = Limits::tcp();
    let mut r = TcpReassembler::new(true, limits);
    let n = 1_000_000u32;
    for i in 0..n {
        let mut s = seg(u64::from(i), i, 0, "S", b"");
        s.sport = (i % 60_000) as u16 + 1024;
        s.src = IpAddr::from((0x0a00_0000 + i / 60_000).to_be_bytes());
        r.feed_segment(s);
    }
    assert_eq!(r.open(), limits.max_open);
    let s = r.stats();
    assert_eq!(s.evicted_capacity, u64::from(n) - limits.max_open as u64);
    assert_eq!(s.peak_open, limits.max_open as u64);
    assert_eq!(r.buffered_bytes(), 0);
    r.finish().unwrap();
    assert!(r.take_datagrams().is_empty());
}

#[test]
fn tcp_memory_cap_flushes_the_oldest_runs() {
    let limits = Limits {
        max_buffered_bytes: 64 << 10,
        ..Limits::tcp()
    };
    let mut r = TcpReassembler::new(true, limits);
    let chunk = [7u8; 1000];
    for conn in 0..200u16 {
        let mut s = seg(u64::from(conn), 1, 1, "A", &chunk);
        s.sport = 1000 + conn;
        r.feed_segment(s);
        assert!(r.buffered_bytes() <= limits.max_buffered_bytes + 4096);
    }
    let s = r.stats();
    assert!(s.evicted_memory > 100, "{s:?}");
    let d = r.take_datagrams();
    assert_eq!(d.len() as u64, s.evicted_memory);
    assert!(d.iter().all(|d| d.flush == Flush::Memory && d.completed));
}

// ---------- proptest ----------

/// Cuts `len` bytes at 8-byte boundaries into pieces (the last may be shorter).
fn cuts(len: usize, points: &[usize]) -> Vec<(usize, usize)> {
    let mut p: Vec<usize> = points
        .iter()
        .map(|x| (x % len) / 8 * 8)
        .filter(|&x| x > 0)
        .collect();
    p.push(0);
    p.push(len);
    p.sort_unstable();
    p.dedup();
    p.windows(2).map(|w| (w[0], w[1])).collect()
}

proptest! {
    #![proptest_config(ProptestConfig::with_cases(200))]

    #[test]
    fn ip_random_fragments_reassemble(
        payload in proptest::collection::vec(any::<u8>(), 1..3000),
        points in proptest::collection::vec(any::<usize>(), 0..20),
        order in proptest::collection::vec(any::<u32>(), 64),
        extra in proptest::collection::vec((any::<usize>(), any::<usize>()), 0..5),
        drop in proptest::option::of(any::<usize>()),
        strict in any::<bool>(),
    ) {
        let pieces = cuts(payload.len(), &points);
        let mut frags: Vec<(usize, usize)> = pieces.clone();
        let dropped = drop.filter(|_| pieces.len() > 1).map(|d| pieces[d % pieces.len()]);
        if let Some(d) = dropped {
            frags.retain(|p| *p != d);
            frags.extend(frags.clone()); // duplicates only
        } else {
            for (a, b) in extra {
                // Overlapping fragments carrying the same bytes.
                let (a, b) = ((a % payload.len()) / 8 * 8, (b % payload.len()) / 8 * 8);
                let (a, b) = (a.min(b), a.max(b));
                if a < b { frags.push((a, b)); }
            }
            frags.extend(frags.clone());
        }
        // Shuffle by sorting on the random keys.
        let mut keyed: Vec<(u32, (usize, usize))> =
            frags.into_iter().enumerate().map(|(i, f)| (order[i % order.len()] ^ i as u32, f)).collect();
        keyed.sort();
        let mut r = IpReassembler::new(IpVersion::V4, strict, Limits::ip());
        for (n, (_, (a, b))) in keyed.iter().enumerate() {
            r.feed_fragment(frag(n as u64 + 1, 1, *a as u32, *b != payload.len(), &payload[*a..*b]));
        }
        r.finish();
        let d = r.take_datagrams();
        match dropped {
            None => {
                prop_assert_eq!(d.len(), 1);
                prop_assert!(d[0].completed);
                prop_assert_eq!(d[0].payload.bytes(), Some(payload.as_slice()));
            }
            Some(_) if strict => {
                prop_assert!(d.iter().all(|d| !d.completed));
                prop_assert!(!d.is_empty());
            }
            Some(_) => prop_assert!(d.is_empty()),
        }
    }

    #[test]
    fn tcp_random_segments_reassemble(
        payload in proptest::collection::vec(any::<u8>(), 1..4000),
        points in proptest::collection::vec(any::<usize>(), 0..20),
        order in proptest::collection::vec(any::<u32>(), 64),
        isn_back in 0u32..6000,
        drop in proptest::option::of(any::<usize>()),
        strict in any::<bool>(),
    ) {
        let isn = u32::MAX - isn_back; // near 2^32: the stream wraps
        let len = payload.len();
        let mut p: Vec<usize> = points.iter().map(|x| x % len).filter(|&x| x > 0).collect();
        p.push(0);
        p.push(len);
        p.sort_unstable();
        p.dedup();
        let pieces: Vec<(usize, usize)> = p.windows(2).map(|w| (w[0], w[1])).collect();
        let dropped = drop.filter(|_| pieces.len() > 1).map(|d| pieces[d % pieces.len()]);
        let mut segs: Vec<(usize, usize)> = pieces.iter().copied().filter(|s| Some(*s) != dropped).collect();
        // Duplicates and overlaps (two pieces merged into one segment).
        let extra: Vec<(usize, usize)> = segs.windows(2).filter(|w| w[0].1 == w[1].0).map(|w| (w[0].0, w[1].1)).take(3).collect();
        segs.extend(extra);
        segs.extend(segs.clone());
        let mut keyed: Vec<(u32, (usize, usize))> =
            segs.into_iter().enumerate().map(|(i, s)| (order[i % order.len()] ^ i as u32, s)).collect();
        keyed.sort();
        let mut r = tcp(strict);
        r.feed_segment(seg(1, isn, 0, "S", b""));
        for (n, (_, (a, b))) in keyed.iter().enumerate() {
            let s = isn.wrapping_add(1).wrapping_add(*a as u32);
            r.feed_segment(seg(n as u64 + 2, s, 1, "A", &payload[*a..*b]));
        }
        r.feed_segment(seg(99_999, isn.wrapping_add(1).wrapping_add(len as u32), 1, "AF", b""));
        r.finish().unwrap();
        let d = r.take_datagrams();
        let stream = r.streams().unwrap().connections()[0].c2s.data().to_vec();
        match dropped {
            None => {
                prop_assert_eq!(d.len(), 1);
                prop_assert!(d[0].completed);
                prop_assert_eq!(d[0].payload.bytes(), Some(payload.as_slice()));
                prop_assert_eq!(stream, payload);
            }
            Some(_) if strict => {
                prop_assert!(!d.is_empty());
                prop_assert!(d.iter().all(|d| !d.completed));
            }
            Some(_) => prop_assert!(d.is_empty()),
        }
    }

    #[test]
    fn no_panic_on_random_fragments_and_segments(
        items in proptest::collection::vec(
            (any::<u8>(), any::<u16>(), any::<bool>(), any::<u32>(), any::<u8>(), proptest::collection::vec(any::<u8>(), 0..200)),
            0..60),
    ) {
        let small = Limits { max_open: 4, max_buffered_bytes: 2000, max_holes: 4, max_datagram_bytes: 3000, idle_timeout_ns: 5_000_000_000 };
        let mut ip = IpReassembler::new(IpVersion::V4, true, small);
        let mut t = TcpReassembler::new(true, small)
            .with_streams(StreamView::new(StreamMode::Memory { max_bytes: 500 }).unwrap());
        for (n, (id, off, more, seq, flags, data)) in items.iter().enumerate() {
            let mut f = frag(n as u64, u32::from(id % 5), u32::from(*off), *more, data);
            f.ts = ts(i64::from(*flags % 16));
            f.declared_len = data.len() + usize::from(flags % 3);
            ip.feed_fragment(f);
            let fl: String = [(1, 'S'), (2, 'A'), (4, 'F'), (8, 'R')]
                .iter().filter(|(b, _)| flags & b != 0).map(|(_, c)| *c).collect();
            let mut s = seg(n as u64, *seq, u32::from(*id), &fl, data);
            s.sport = u16::from(id % 3);
            s.ts = ts(i64::from(*flags) * 3);
            t.feed_segment(s);
            prop_assert!(ip.open() <= small.max_open);
            prop_assert!(t.open() <= small.max_open);
        }
        ip.finish();
        t.finish().unwrap();
        for d in ip.take_datagrams().iter().chain(t.take_datagrams().iter()) {
            let _ = serde_json::to_string(d).unwrap();
        }
    }
}
