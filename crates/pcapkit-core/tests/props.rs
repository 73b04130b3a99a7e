//! Property tests: no panic and no endless loop on any input, exact write-read round
//! trips, and the in-memory and stream paths always agree.

use std::io::Cursor;

use pcapkit_core::{Endian, Error, OwnedFrame, Reader, ReaderOptions, Record};
use pcapkit_testdata::strategies;
use pcapkit_testdata::write::{pcap_bytes, pcapng_bytes};
use proptest::prelude::*;

/// Everything a read produced: records seen, frames, final error.
#[derive(Debug, PartialEq)]
struct Outcome {
    records: usize,
    frames: Vec<OwnedFrame>,
    err: Option<Error>,
}

fn drain(reader: Result<Reader, Error>, input_len: usize) -> Outcome {
    let mut out = Outcome {
        records: 0,
        frames: vec![],
        err: None,
    };
    let mut r = match reader {
        Ok(r) => r,
        Err(e) => {
            out.err = Some(e);
            return out;
        }
    };
    loop {
        match r.next_record() {
            Ok(Some(rec)) => {
                if let Record::Frame(f) = rec {
                    assert_eq!(f.data.len(), f.caplen as usize);
                    out.frames.push(f.to_owned_frame());
                }
                out.records += 1;
                // every record consumes at least 12 bytes (the PCAP header 24): no loop
                assert!(out.records <= input_len / 12 + 1, "too many records");
            }
            Ok(None) => break,
            Err(e) => {
                out.err = Some(e);
                break;
            }
        }
    }
    for _ in 0..3 {
        assert!(matches!(r.next_record(), Ok(None)));
    }
    out
}

/// Reads `bytes` both ways (small stream buffer, so records straddle refills) and
/// checks they agree.
fn read_both(bytes: &[u8]) -> Outcome {
    let opts = ReaderOptions::default()
        .buffer_size(4096)
        .max_frame_size(1 << 20);
    let a = drain(Reader::from_bytes(bytes.to_vec(), opts), bytes.len());
    let b = drain(
        Reader::from_read(Cursor::new(bytes.to_vec()), opts),
        bytes.len(),
    );
    assert_eq!(a, b, "in-memory and stream reads differ");
    a
}

fn comparable(frames: &[OwnedFrame]) -> Vec<(pcapkit_core::Timestamp, u32, u32, u32, &[u8])> {
    frames
        .iter()
        .map(|f| {
            (
                f.timestamp,
                f.caplen,
                f.origlen,
                f.link_type.0,
                f.data.as_slice(),
            )
        })
        .collect()
}

#[derive(Clone, Debug)]
enum Mutation {
    Flip(usize, u8),
    Truncate(usize),
    /// Overwrite 4 bytes at a 4-aligned offset (length fields are aligned).
    Lie(usize, u32),
}

fn mutation() -> impl Strategy<Value = Mutation> {
    prop_oneof![
        (any::<usize>(), 1u8..=255).prop_map(|(p, b)| Mutation::Flip(p, b)),
        any::<usize>().prop_map(Mutation::Truncate),
        (
            any::<usize>(),
            prop_oneof![
                Just(u32::MAX),
                Just(0),
                Just(1),
                Just(0x7fff_ffff),
                any::<u32>()
            ]
        )
            .prop_map(|(p, v)| Mutation::Lie(p, v)),
    ]
}

fn apply(bytes: &mut Vec<u8>, muts: &[Mutation]) {
    for m in muts {
        if bytes.is_empty() {
            return;
        }
        match *m {
            Mutation::Flip(p, b) => {
                let i = p % bytes.len();
                bytes[i] ^= b;
            }
            Mutation::Truncate(p) => bytes.truncate(p % bytes.len()),
            Mutation::Lie(p, v) => {
                let i = (p % bytes.len()) & !3;
                if i + 4 <= bytes.len() {
                    // either byte order: lies must be caught whatever the file's order
                    let enc = if p % 2 == 0 {
                        v.to_le_bytes()
                    } else {
                        v.to_be_bytes()
                    };
                    bytes[i..i + 4].copy_from_slice(&enc);
                }
            }
        }
    }
}

/// A valid capture of any kind.
fn valid_capture() -> impl Strategy<Value = Vec<u8>> {
    prop_oneof![
        (
            strategies::pcap_frames(8, true),
            any::<bool>(),
            any::<bool>()
        )
            .prop_map(|((link, frames), be, ns)| {
                let frames: Vec<OwnedFrame> = frames
                    .into_iter()
                    .map(|mut f| {
                        if !ns {
                            f.timestamp.nanos = f.timestamp.nanos / 1000 * 1000;
                        }
                        f
                    })
                    .collect();
                let e = if be { Endian::Big } else { Endian::Little };
                pcap_bytes(&frames, link, e, ns)
            }),
        (strategies::frames(8, true), any::<bool>()).prop_map(|(frames, be)| {
            pcapng_bytes(&frames, if be { Endian::Big } else { Endian::Little })
        }),
    ]
}

/// 512 cases unless `PROPTEST_CASES` says otherwise.
fn config() -> ProptestConfig {
    let mut c = ProptestConfig::default();
    if std::env::var_os("PROPTEST_CASES").is_none() {
        c.cases = 512;
    }
    c
}

proptest! {
    #![proptest_config(config())]

    #[test]
    fn arbitrary_bytes_never_panic(bytes in proptest::collection::vec(any::<u8>(), 0..600)) {
        read_both(&bytes);
    }

    #[test]
    fn arbitrary_bodies_behind_valid_magics_never_panic(
        magic in prop_oneof![
            Just(vec![0xd4, 0xc3, 0xb2, 0xa1, 2, 0, 4, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 4, 0, 1, 0, 0, 0]),
            Just(vec![0xa1, 0xb2, 0x3c, 0x4d, 0, 2, 0, 4, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 4, 0, 0, 0, 0, 1]),
            Just(vec![0x34, 0xcd, 0xb2, 0xa1, 2, 0, 4, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 4, 0, 1, 0, 0, 0]),
            Just(vec![0x0a, 0x0d, 0x0d, 0x0a, 28, 0, 0, 0, 0x4d, 0x3c, 0x2b, 0x1a, 1, 0, 0, 0,
                      0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 28, 0, 0, 0]),
            Just(vec![0x0a, 0x0d, 0x0d, 0x0a, 0, 0, 0, 28, 0x1a, 0x2b, 0x3c, 0x4d, 0, 1, 0, 0,
                      0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0, 0, 0, 28]),
        ],
        body in proptest::collection::vec(any::<u8>(), 0..600),
    ) {
        let mut bytes = magic;
        bytes.extend(body);
        read_both(&bytes);
    }

    #[test]
    fn corrupted_captures_never_panic(
        bytes in valid_capture(),
        muts in proptest::collection::vec(mutation(), 1..6),
    ) {
        let clean = read_both(&bytes);
        prop_assert!(clean.err.is_none(), "{:?}", clean.err);
        let mut bad = bytes.clone();
        apply(&mut bad, &muts);
        read_both(&bad);
    }

    #[test]
    fn pcap_round_trip(
        (link, frames) in strategies::pcap_frames(20, true),
        be in any::<bool>(),
        ns in any::<bool>(),
    ) {
        let frames: Vec<OwnedFrame> = frames
            .into_iter()
            .map(|mut f| {
                if !ns {
                    f.timestamp.nanos = f.timestamp.nanos / 1000 * 1000;
                }
                f
            })
            .collect();
        let e = if be { Endian::Big } else { Endian::Little };
        let bytes = pcap_bytes(&frames, link, e, ns);
        let got = read_both(&bytes);
        prop_assert!(got.err.is_none(), "{:?}", got.err);
        prop_assert_eq!(comparable(&got.frames), comparable(&frames));
        prop_assert_eq!(got.records, frames.len() + 1);
    }

    #[test]
    fn pcap_microseconds_truncate_nanoseconds((link, frames) in strategies::pcap_frames(10, true)) {
        let bytes = pcap_bytes(&frames, link, Endian::Little, false);
        let got = read_both(&bytes);
        let want: Vec<_> = frames.iter().map(|f| {
            pcapkit_core::Timestamp::new(f.timestamp.secs, f.timestamp.nanos / 1000 * 1000)
        }).collect();
        let have: Vec<_> = got.frames.iter().map(|f| f.timestamp).collect();
        prop_assert_eq!(have, want);
    }

    #[test]
    fn pcapng_round_trip(frames in strategies::frames(20, true), be in any::<bool>()) {
        let e = if be { Endian::Big } else { Endian::Little };
        let bytes = pcapng_bytes(&frames, e);
        let got = read_both(&bytes);
        prop_assert!(got.err.is_none(), "{:?}", got.err);
        prop_assert_eq!(comparable(&got.frames), comparable(&frames));
        // interfaces: one per distinct (link type, snaplen), in order of appearance
        let mut seen: Vec<(u32, u32)> = Vec::new();
        for (f, g) in frames.iter().zip(&got.frames) {
            let key = (f.link_type.0, f.snaplen);
            let id = match seen.iter().position(|k| *k == key) {
                Some(i) => i,
                None => { seen.push(key); seen.len() - 1 }
            };
            prop_assert_eq!(g.interface as usize, id);
            prop_assert_eq!(g.snaplen, f.snaplen);
        }
    }
}
