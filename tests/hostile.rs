//! The hostile corpus (`pcapkit_testdata::hostile`, made by our own code): every
//! truncation point, lying length fields in every record and block type, zero and
//! maximal lengths, a 4 GB captured length, deep encapsulations. For each case: no
//! panic, a bounded time, the expected typed error at the expected offset after
//! exactly the good frames before the damage, from memory and from a stream alike;
//! and the extraction to every output format is a complete, valid document with those
//! frames.

use std::io::Cursor;
use std::time::{Duration, Instant};

use pcapkit::pcapkit_core::{Error, Reader, ReaderOptions};
use pcapkit::pcapkit_protocols::{DissectOptions, ErrorKind as DissectKind, Protocol, dissect};
use pcapkit_testdata::hostile::{self, Case};

/// Far above what any case needs (unoptimised test build on a loaded machine).
const BOUND: Duration = Duration::from_secs(10);

/// Frames and end of reading `bytes`, from memory or as a stream.
fn read(bytes: &[u8], stream: bool) -> (u64, Option<Error>) {
    let opts = ReaderOptions::default();
    let r = if stream {
        Reader::from_read(Cursor::new(bytes.to_vec()), opts)
    } else {
        Reader::from_bytes(bytes.to_vec(), opts)
    };
    let mut r = match r {
        Ok(r) => r,
        Err(e) => return (0, Some(e)),
    };
    let mut n = 0;
    loop {
        match r.next_frame() {
            Ok(Some(f)) => {
                assert_eq!(f.data.len(), f.caplen as usize);
                n += 1;
            }
            Ok(None) => return (n, None),
            Err(e) => return (n, Some(e)),
        }
    }
}

fn kind_name(e: &Error) -> String {
    let debug = format!("{:?}", e.kind);
    debug
        .split(|c: char| !c.is_alphanumeric())
        .next()
        .unwrap_or_default()
        .to_owned()
}

fn check_case(case: &Case) {
    let started = Instant::now();
    for stream in [false, true] {
        let (frames, end) = read(&case.bytes, stream);
        let how = if stream { "stream" } else { "memory" };
        assert_eq!(
            frames, case.frames,
            "{} ({how}): frames before the end",
            case.name
        );
        match (&end, case.error) {
            (None, None) => {}
            (Some(e), Some(kind)) => {
                assert_eq!(kind_name(e), kind, "{} ({how}): {e}", case.name);
                if let Some(offset) = case.offset {
                    assert_eq!(e.offset, offset, "{} ({how}): {e}", case.name);
                }
                assert!(e.offset <= case.bytes.len() as u64, "{}: {e}", case.name);
                // The message names the place and says what to do.
                let text = e.to_string();
                assert!(text.contains("byte offset"), "{text}");
            }
            (got, want) => panic!("{} ({how}): expected {want:?}, got {got:?}", case.name),
        }
    }
    assert!(
        started.elapsed() < BOUND,
        "{}: took {:?}",
        case.name,
        started.elapsed()
    );
}

#[test]
fn pcap_hostile_corpus() {
    let cases = hostile::pcap_cases();
    assert!(cases.len() > 2 * 150, "{}", cases.len());
    for case in &cases {
        check_case(case);
    }
}

#[test]
fn pcapng_hostile_corpus() {
    let cases = hostile::pcapng_cases();
    assert!(cases.len() > 2 * 500, "{}", cases.len());
    for case in &cases {
        check_case(case);
    }
    // every block type got every lying total length
    for (name, _) in hostile::BLOCK_TYPES {
        let n = cases
            .iter()
            .filter(|c| {
                c.name.starts_with("Little pcapng: ")
                    && c.name.contains(&format!(" {name} total length"))
            })
            .count();
        assert!(n >= 5, "{name}: {n}");
    }
}

/// Every output format of every hostile case: valid, complete, exactly the frames
/// read before the damage (the fuzz targets' check, shared from `fuzz/src/lib.rs`).
#[path = "../fuzz/src/lib.rs"]
#[allow(dead_code, clippy::all)]
mod fuzz_checks;

#[test]
fn hostile_corpus_extracts_to_every_format() {
    let cases: Vec<Case> = hostile::pcap_cases()
        .into_iter()
        .chain(hostile::pcapng_cases())
        // the truncation points are covered by tests/truncated.rs for every format;
        // here one in seven keeps the run short
        .enumerate()
        .filter(|(i, c)| !c.name.contains(" cut at ") || i % 7 == 0)
        .map(|(_, c)| c)
        .collect();
    for case in &cases {
        for format in ["json", "jsonl", "plist", "tree", "pcap"] {
            let started = Instant::now();
            let n = fuzz_checks::check_extract(&case.bytes, format);
            assert_eq!(n, case.frames, "{} ({format})", case.name);
            assert!(started.elapsed() < BOUND, "{} ({format})", case.name);
        }
    }
}

#[test]
fn deep_encapsulations_stop_at_max_depth() {
    let opts = DissectOptions::default();
    for (name, link, data) in hostile::deep_frames() {
        let started = Instant::now();
        let packet = dissect(link, &data, &opts);
        let layers = packet.layers();
        assert!(
            !layers.is_empty() && layers.len() <= opts.max_depth,
            "{name}: {}",
            layers.len()
        );
        let deep = ["VLAN", "QinQ", "IPv4-in-IPv4", "IPv6-in-IPv6"];
        if deep.iter().any(|d| name.contains(d)) {
            // The limit: exactly max_depth layers, the last raw with a limit error at
            // the offset where decoding stopped (reported in the output, counted by
            // the Extractor).
            assert_eq!(layers.len(), opts.max_depth, "{name}");
            let last = layers.last().map(|l| &l.header);
            let Some(Protocol::Raw(raw)) = last else {
                panic!("{name}: the last layer is {last:?}")
            };
            let err = raw
                .error
                .as_ref()
                .unwrap_or_else(|| panic!("{name}: no error"));
            assert!(matches!(err.kind, DissectKind::Limit(_)), "{name}: {err}");
            assert_eq!(Some(err.offset), layers.last().map(|l| l.start), "{name}");
        }
        if name.contains("extension") || name.contains("options headers") {
            // One IPv6 layer walks the whole chain (bounded by the bytes, 8 each);
            // its serialization used to be quadratic in the chain length (4 s here).
            let chain = packet.protocols().to_string();
            assert_eq!(chain.matches("IPv6-Opts").count(), 5000, "{name}");
            let t = Instant::now();
            let json = serde_json::to_string(&packet.layers_view(Default::default())).unwrap();
            assert!(json.contains("\"opts_5000\""));
            assert!(
                t.elapsed() < Duration::from_secs(2),
                "{name}: {:?}",
                t.elapsed()
            );
        }
        fuzz_checks::check_dissect(&{
            let mut v = vec![fuzz_checks::selector_of(link).unwrap_or(0)];
            v.extend(&data);
            v
        });
        assert!(started.elapsed() < BOUND, "{name}: {:?}", started.elapsed());
    }
    // The whole set as one capture, through every output format.
    let capture = hostile::deep_capture();
    for format in ["json", "jsonl", "plist", "tree"] {
        let n = fuzz_checks::check_extract(&capture, format);
        assert_eq!(n, hostile::deep_frames().len() as u64);
    }
    // PCAP holds one link type: the output stops before the first raw-IP frame (the
    // third) with a typed error, holding the two Ethernet frames before it.
    assert_eq!(fuzz_checks::check_extract(&capture, "pcap"), 2);
}

#[test]
fn fewer_layers_with_a_smaller_max_depth() {
    let (_, link, data) = hostile::deep_frames().remove(0);
    for depth in [1, 2, 5, 100] {
        let opts = DissectOptions {
            max_depth: depth,
            ..DissectOptions::default()
        };
        let packet = dissect(link, &data, &opts);
        assert_eq!(packet.layers().len(), depth, "max_depth {depth}");
        let Some(Protocol::Raw(raw)) = packet.layers().last().map(|l| &l.header) else {
            panic!("raw last")
        };
        assert!(matches!(
            raw.error.as_ref().map(|e| &e.kind),
            Some(DissectKind::Limit(_))
        ));
    }
}

/// Odd lengths are counted warnings, not errors: 1500 records whose original length
/// is below the captured length give 1500 warnings, 1000 of them kept.
#[test]
fn odd_lengths_are_counted_warnings() {
    use pcapkit::pcapkit_core::Endian;
    let mut bytes = hostile::pcap_header(Endian::Little, 2, 65_535, 1);
    let f = hostile::frame(1);
    for _ in 0..1500 {
        bytes.extend(hostile::pcap_record(Endian::Little, f.len() as u32, 1, &f));
    }
    let ex = pcapkit::extract(
        pcapkit::ExtractOptions::default()
            .fin_reader(Cursor::new(bytes), "odd")
            .nofile(true)
            .store(false),
    )
    .unwrap();
    assert_eq!(ex.length(), 1500);
    assert_eq!(ex.warning_count(), 1500);
    assert_eq!(ex.warnings().len(), 1000);
    assert_eq!(ex.limit_hits(), 0);
}
