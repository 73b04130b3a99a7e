//! The checks behind the fuzz targets, shared with the regression test of the main
//! workspace (`tests/regressions.rs` includes this file), so a crash input kept as a
//! regression runs through exactly the code that found it.
//!
//! Every check panics on a property violation (that is what libFuzzer reports):
//! - readers: the in-memory and the streaming reader hand out the same records and
//!   the same final error; every record lies inside the input; blocks serialize;
//! - dissection: layers nest inside the frame, the chain prints and serializes;
//! - extraction: the output is a complete, valid document of its format holding
//!   exactly the frames read before the damage, numbered from 1, and the only error
//!   is the reader's;
//! - engines: `pipeline` and `server` write what `default` writes, stop where it stops
//!   and reassemble what it reassembles.
//!
//! Only `pcapkit` (with its re-exported crates), `serde_json` and `plist` are used.

use std::io::{self, Cursor, Read, Write};
use std::sync::{Arc, Mutex};

use pcapkit::pcapkit_core::{Context, Error, ErrorKind, LinkType, Reader, ReaderOptions, Record};
use pcapkit::pcapkit_protocols::{DissectOptions, SerOptions, dissect};

/// The link types the dissect target picks from with its first byte (the decoders
/// `by_link_type` knows; any other byte value is used as a link type number itself).
pub const LINK_TYPES: [LinkType; 10] = [
    LinkType::ETHERNET,
    LinkType::NULL,
    LinkType::LOOP,
    LinkType::RAW,
    LinkType(12),
    LinkType(14),
    LinkType::IPV4,
    LinkType::IPV6,
    LinkType::LINUX_SLL,
    LinkType::LINUX_SLL2,
];

/// The link type named by the dissect target's selector byte.
pub fn link_type_of(selector: u8) -> LinkType {
    LINK_TYPES
        .get(usize::from(selector))
        .copied()
        .unwrap_or(LinkType(u32::from(selector)))
}

/// The selector byte for a link type (for seeding), when it has one.
pub fn selector_of(link: LinkType) -> Option<u8> {
    if let Some(i) = LINK_TYPES.iter().position(|&l| l == link) {
        return u8::try_from(i).ok();
    }
    u8::try_from(link.0)
        .ok()
        .filter(|&b| usize::from(b) >= LINK_TYPES.len())
}

/// Hands out at most `chunk` bytes per read: exercises the stream buffer's growth
/// and compaction.
struct Trickle {
    data: Cursor<Vec<u8>>,
    chunk: usize,
}

impl Read for Trickle {
    fn read(&mut self, buf: &mut [u8]) -> io::Result<usize> {
        let n = buf.len().min(self.chunk);
        self.data.read(&mut buf[..n])
    }
}

/// A record reduced to what both readers must agree on.
#[derive(Debug, PartialEq, Eq)]
enum Seen {
    Header,
    Block {
        offset: u64,
        json: String,
    },
    Frame {
        number: u64,
        offset: u64,
        caplen: u32,
        origlen: u32,
        link: u32,
        interface: u32,
        data: Vec<u8>,
    },
}

/// Reads everything, returning the records and how it ended.
fn read_all(mut r: Reader, input_len: usize) -> (Vec<Seen>, Option<Error>) {
    let mut seen = Vec::new();
    let end = loop {
        match r.next_record() {
            Ok(Some(rec)) => seen.push(match rec {
                Record::PcapHeader(_) => Seen::Header,
                Record::Block(b) => {
                    let offset = b.offset();
                    assert!(
                        offset < input_len as u64,
                        "block offset {offset} past the input"
                    );
                    let json = serde_json::to_string(&b).expect("blocks serialize");
                    Seen::Block { offset, json }
                }
                Record::Frame(f) => {
                    assert!(f.offset < input_len as u64, "frame offset past the input");
                    assert_eq!(f.data.len(), f.caplen as usize, "caplen is the data length");
                    assert_eq!(
                        f.number,
                        seen.iter()
                            .filter(|s| matches!(s, Seen::Frame { .. }))
                            .count() as u64
                            + 1
                    );
                    // The frame's own serialization (times, metadata) must not panic.
                    let _ = f.timestamp.epoch_string();
                    let _ = f.timestamp.to_string();
                    Seen::Frame {
                        number: f.number,
                        offset: f.offset,
                        caplen: f.caplen,
                        origlen: f.origlen,
                        link: f.link_type.0,
                        interface: f.interface,
                        data: f.data.to_vec(),
                    }
                }
            }),
            Ok(None) => break None,
            Err(e) => {
                assert!(
                    e.offset <= input_len as u64,
                    "error offset {} past the input: {e}",
                    e.offset
                );
                let _ = e.to_string();
                break Some(e);
            }
        }
        // Every record consumes at least 12 bytes: this bounds the loop.
        assert!(
            seen.len() <= input_len / 12 + 2,
            "more records than the input can hold"
        );
    };
    // After the end (clean or not) the reader stays ended.
    assert!(matches!(r.next_record(), Ok(None)));
    (seen, end)
}

/// The reader target: the same records and the same end from memory and from a
/// trickling stream, with a small and the default frame size limit.
pub fn check_reader(data: &[u8]) {
    for opts in [
        ReaderOptions::default(),
        ReaderOptions::default().max_frame_size(1000).buffer_size(1),
    ] {
        let whole = Reader::from_bytes(data.to_vec(), opts);
        let stream = Reader::from_read(
            Trickle {
                data: Cursor::new(data.to_vec()),
                chunk: 61,
            },
            opts,
        );
        match (whole, stream) {
            (Ok(w), Ok(s)) => {
                let (a, ea) = read_all(w, data.len());
                let (b, eb) = read_all(s, data.len());
                assert_eq!(a, b, "memory and stream readers disagree on the records");
                assert_eq!(ea, eb, "memory and stream readers disagree on the end");
            }
            (Err(a), Err(b)) => assert_eq!(a, b, "readers disagree on the opening error"),
            (a, b) => panic!(
                "one reader opens, the other not: {:?} / {:?}",
                a.err(),
                b.err()
            ),
        }
    }
}

/// The `reasm` target: every frame of a capture (any format) dissected and fed to
/// IPv4, IPv6 and TCP reassembly (strict, default limits), then flushed: every
/// datagram names only frames that were read, a complete one has no hole.
pub fn check_reasm(data: &[u8]) {
    use pcapkit::pcapkit_reasm::{Protocol, Reassembly};
    let Ok(mut r) = Reader::from_bytes(data.to_vec(), ReaderOptions::default()) else {
        return;
    };
    let mut re = Reassembly::new(&[Protocol::Ipv4, Protocol::Ipv6, Protocol::Tcp], true);
    let opts = DissectOptions::default();
    let mut frames = 0;
    while let Ok(Some(f)) = r.next_frame() {
        frames = f.number;
        let packet = dissect(f.link_type, f.data, &opts);
        re.feed(f.number, f.timestamp, &packet);
    }
    re.finish().expect("in-memory reassembly finishes");
    let lists = [
        re.ipv4.as_ref().map(|x| x.datagrams()),
        re.ipv6.as_ref().map(|x| x.datagrams()),
        re.tcp.as_ref().map(|x| x.datagrams()),
    ];
    for d in lists.into_iter().flatten().flatten() {
        assert!(!d.index.is_empty(), "a datagram comes from frames");
        assert!(
            d.index.iter().all(|n| (1..=frames).contains(n)),
            "datagram frames {:?} outside 1..={frames}",
            d.index
        );
    }
}

/// The `trace` target: every frame of a capture (any format) dissected and traced
/// (`pcapkit_trace::Tracer`) into a scratch directory, with at most 2 open files (so
/// files are closed and reopened for appending) and a 30 s idle timeout; the format
/// (PCAP with either byte order and precision, PCAPNG, JSON Lines) is picked from the
/// input length. Checks: every TCP frame is in exactly one flow; each flow's frame
/// list is increasing and holds only frames that were read; each PCAP/PCAPNG flow
/// file reads back with our reader as exactly the flow's frames (bytes and
/// timestamps), each JSON Lines flow file as one valid JSON value per frame; a frame
/// a PCAP (or, outside 1970-2554, PCAPNG) file refuses is an error naming it, and stays in
/// its flow's index only.
pub fn check_trace(data: &[u8]) {
    use pcapkit::pcapkit_trace::{TraceFormat, TraceOptions, Tracer};
    use std::collections::BTreeMap;
    use std::time::Duration;

    let Ok(mut r) = Reader::from_bytes(data.to_vec(), ReaderOptions::default()) else {
        return;
    };
    // One scratch directory per call (tests run checks on several threads at once).
    static CALLS: std::sync::atomic::AtomicU64 = std::sync::atomic::AtomicU64::new(0);
    let call = CALLS.fetch_add(1, std::sync::atomic::Ordering::Relaxed);
    let dir =
        std::env::temp_dir().join(format!("pcapkit-fuzz-trace-{}-{call}", std::process::id()));
    let _ = std::fs::remove_dir_all(&dir);
    let (format, big, nano) = match data.len() % 5 {
        0 => (TraceFormat::Pcap, false, false),
        1 => (TraceFormat::Pcap, true, true),
        2 => (TraceFormat::Pcapng, false, false),
        3 => (TraceFormat::Jsonl, false, false),
        _ => (TraceFormat::Pcap, true, false),
    };
    let order = if big {
        pcapkit::pcapkit_dump::ByteOrder::Big
    } else {
        pcapkit::pcapkit_dump::ByteOrder::Little
    };
    let opts = TraceOptions::new(&dir)
        .format(format)
        .byteorder(order)
        .nanosecond(nano)
        .max_open(2)
        .idle_timeout(Some(Duration::from_secs(30)));
    let mut tracer = Tracer::new(opts).expect("the scratch directory can be created");
    let dissect_opts = DissectOptions::default();
    // Frame number -> (bytes, timestamp) of every traced frame.
    let mut traced = BTreeMap::new();
    // Frames a PCAP flow file refused (a time outside 1970-2106, a second link type):
    // a typed error naming the frame; the frame stays in its flow, not in the file.
    let mut refused = std::collections::BTreeSet::new();
    let mut frames = 0;
    while let Ok(Some(f)) = r.next_frame() {
        frames = f.number;
        let packet = dissect(f.link_type, f.data, &dissect_opts);
        match tracer.feed(&f, &packet) {
            Ok(Some(_)) => {
                traced.insert(f.number, (f.data.to_vec(), f.timestamp));
            }
            Ok(None) => {}
            Err(e) => {
                let named = matches!(&e,
                    pcapkit::pcapkit_trace::TraceError::Capture { frame: Some(n), .. } if *n == f.number);
                // PCAPNG (u64 nanoseconds from the epoch) refuses only times outside
                // 1970-2554.
                let outside = u64::try_from(f.timestamp.as_nanos()).is_err();
                assert!(
                    named && (matches!(format, TraceFormat::Pcap) || outside),
                    "only PCAP flow files, or times outside 1970-2554, refuse frames, naming them: {e}"
                );
                refused.insert(f.number);
            }
        }
    }
    let flows = tracer.finish().expect("the tracer finishes");
    let mut seen = BTreeMap::new();
    for flow in &flows {
        assert!(!flow.index.is_empty(), "a flow has frames");
        assert!(
            flow.index.windows(2).all(|w| w[0] < w[1]),
            "frames in order"
        );
        for n in &flow.index {
            assert!((1..=frames).contains(n), "frame {n} outside 1..={frames}");
            assert!(
                seen.insert(*n, flow.stream).is_none(),
                "frame {n} in two flows"
            );
        }
        assert_eq!(flow.fwd_packets + flow.rev_packets, flow.index.len() as u64);
        let bytes = std::fs::read(&flow.fpout).expect("the flow file exists");
        match format {
            TraceFormat::Jsonl => {
                let lines = bytes.split(|&b| b == b'\n').filter(|l| !l.is_empty());
                for line in lines {
                    serde_json::from_slice::<serde_json::Value>(line).expect("a JSON line");
                }
            }
            _ => {
                let mut back = Reader::from_bytes(bytes, ReaderOptions::default())
                    .expect("the flow file reads back");
                for n in flow.index.iter().filter(|n| !refused.contains(*n)) {
                    let f = back
                        .next_frame()
                        .expect("the flow file is complete")
                        .unwrap_or_else(|| {
                            panic!(
                                "flow {} ({:?}, {} frames, format {format:?}) lacks frame {n}",
                                flow.stream,
                                flow.fpout,
                                flow.index.len()
                            )
                        });
                    let Some((want, ts)) = traced.get(n) else {
                        panic!("frame {n} of a flow was never traced")
                    };
                    assert_eq!(f.data, &want[..], "frame {n}'s bytes");
                    // Exact in nanosecond files, cut to the microsecond in the others.
                    let off = f.timestamp.as_nanos() - ts.as_nanos();
                    assert!(off.abs() < 1000, "frame {n}'s time is {off} ns off");
                }
                assert!(matches!(back.next_frame(), Ok(None)), "nothing more");
            }
        }
    }
    let written: Vec<u64> = seen
        .keys()
        .copied()
        .filter(|n| !refused.contains(n))
        .collect();
    assert!(
        traced.keys().copied().eq(written),
        "every traced frame in a flow"
    );
    assert!(
        refused.iter().all(|n| seen.contains_key(n)),
        "a refused frame stays in its flow"
    );
    let _ = std::fs::remove_dir_all(&dir);
}

/// The four PCAP magics.
const PCAP_MAGICS: [[u8; 4]; 4] = [
    [0xd4, 0xc3, 0xb2, 0xa1],
    [0xa1, 0xb2, 0xc3, 0xd4],
    [0x4d, 0x3c, 0xb2, 0xa1],
    [0xa1, 0xb2, 0x3c, 0x4d],
];

/// The `pcap_reader` target: the first four bytes are forced to a PCAP magic (the
/// low bits of the first byte pick which) so the fuzzer stays on this format.
pub fn pcap_reader(data: &[u8]) {
    let mut input = data.to_vec();
    if let Some(head) = input.get_mut(..4)
        && !PCAP_MAGICS.iter().any(|m| m == head)
    {
        let pick = usize::from(head[0] & 3);
        head.copy_from_slice(&PCAP_MAGICS[pick]);
    }
    check_reader(&input);
}

/// The `pcapng_reader` target: the first block type is forced to the Section Header
/// Block's so the fuzzer stays on this format.
pub fn pcapng_reader(data: &[u8]) {
    let mut input = data.to_vec();
    if let Some(head) = input.get_mut(..4) {
        head.copy_from_slice(&[0x0a, 0x0d, 0x0d, 0x0a]);
    }
    check_reader(&input);
}

/// Runs the check of fuzz target `target` on `data` (what the target binary does).
pub fn run_target(target: &str, data: &[u8]) {
    match target {
        "pcap_reader" => pcap_reader(data),
        "pcapng_reader" => pcapng_reader(data),
        "dissect" => check_dissect(data),
        "reasm" => check_reasm(data),
        "trace" => check_trace(data),
        "engines" => check_engines(data),
        t => match t.strip_prefix("extract_") {
            Some(format) => {
                check_extract(data, format);
            }
            None => panic!("unknown fuzz target {t}"),
        },
    }
}

/// The dissect target: the first byte selects the link type, the rest is the frame.
pub fn check_dissect(data: &[u8]) {
    let Some((&selector, frame)) = data.split_first() else {
        return;
    };
    let link = link_type_of(selector);
    for options in [
        DissectOptions::default(),
        DissectOptions {
            max_depth: 3,
            ..DissectOptions::default()
        },
    ] {
        let packet = dissect(link, frame, &options);
        let layers = packet.layers();
        assert!(!layers.is_empty(), "a dissected packet has a layer");
        assert!(
            layers.len() <= options.max_depth.max(1),
            "max_depth exceeded"
        );
        let mut prev_end = frame.len();
        let mut prev_start = 0;
        for l in layers {
            assert!(
                l.start <= l.header_end && l.header_end <= l.end,
                "layer bounds {l:?}"
            );
            assert!(
                l.end <= prev_end && l.start >= prev_start,
                "layer outside its parent"
            );
            let _ = packet.header_bytes(l);
            let _ = packet.payload(l);
            prev_end = l.end;
            prev_start = l.start;
        }
        let _ = packet.protocols().to_string();
        for layer_packets in [true, false] {
            let view = packet.layers_view(SerOptions { layer_packets });
            let text = serde_json::to_string(&view).expect("layers serialize to JSON");
            serde_json::from_str::<serde_json::Value>(&text).expect("valid JSON");
        }
    }
}

/// A `Write` whose bytes stay readable after the extractor took it.
#[derive(Clone, Default)]
pub struct SharedBuf(pub Arc<Mutex<Vec<u8>>>);

impl SharedBuf {
    /// The bytes written so far.
    pub fn bytes(&self) -> Vec<u8> {
        self.0.lock().map(|v| v.clone()).unwrap_or_default()
    }
}

impl Write for SharedBuf {
    fn write(&mut self, buf: &[u8]) -> io::Result<usize> {
        if let Ok(mut v) = self.0.lock() {
            v.extend_from_slice(buf);
        }
        Ok(buf.len())
    }
    fn flush(&mut self) -> io::Result<()> {
        Ok(())
    }
}

/// Frames the reader delivers before its end, and that end.
pub fn frames_before_damage(data: &[u8]) -> (u64, Option<Error>) {
    let mut r = match Reader::from_bytes(data.to_vec(), ReaderOptions::default()) {
        Ok(r) => r,
        Err(e) => return (0, Some(e)),
    };
    let mut n = 0;
    loop {
        match r.next_frame() {
            Ok(Some(_)) => n += 1,
            Ok(None) => return (n, None),
            Err(e) => return (n, Some(e)),
        }
    }
}

/// Frame numbers of an output document, in document order (JSON: sorted).
pub fn output_frame_numbers(format: &str, out: &[u8]) -> Vec<u64> {
    let frame_no = |k: &str| k.strip_prefix("Frame ").and_then(|n| n.parse::<u64>().ok());
    match format {
        "json" => {
            let doc: serde_json::Value =
                serde_json::from_slice(out).unwrap_or_else(|e| panic!("invalid JSON output: {e}"));
            let mut n: Vec<u64> = doc
                .as_object()
                .expect("a JSON object")
                .keys()
                .filter_map(|k| frame_no(k))
                .collect();
            n.sort_unstable();
            n
        }
        "jsonl" => std::str::from_utf8(out)
            .expect("UTF-8 JSON Lines")
            .lines()
            .map(|l| {
                serde_json::from_str::<serde_json::Value>(l)
                    .unwrap_or_else(|e| panic!("invalid JSON line {l:?}: {e}"))
            })
            .filter_map(|v| v["block"].as_str().and_then(frame_no))
            .collect(),
        "plist" => {
            let v = plist::Value::from_reader_xml(Cursor::new(out))
                .unwrap_or_else(|e| panic!("invalid plist output: {e}"));
            v.as_dictionary()
                .expect("a plist dict")
                .keys()
                .filter_map(|k| frame_no(k))
                .collect()
        }
        "tree" => std::str::from_utf8(out)
            .expect("UTF-8 tree text")
            .lines()
            .filter_map(frame_no)
            .collect(),
        "pcap" => {
            if out.is_empty() {
                return Vec::new();
            }
            let mut r = Reader::from_bytes(out.to_vec(), ReaderOptions::default())
                .unwrap_or_else(|e| panic!("PCAP output does not open: {e}"));
            let mut n = Vec::new();
            loop {
                match r.next_frame() {
                    Ok(Some(f)) => n.push(f.number),
                    Ok(None) => break,
                    Err(e) => panic!("PCAP output is damaged: {e}"),
                }
            }
            n
        }
        other => panic!("unknown format {other}"),
    }
}

/// The extraction target: the whole facade, from an in-memory input to an in-memory
/// output in `format`. Returns the frames extracted.
pub fn check_extract(data: &[u8], format: &str) -> u64 {
    let out = SharedBuf::default();
    let (frames_read, read_error) = frames_before_damage(data);
    let result = pcapkit::extract(
        pcapkit::ExtractOptions::default()
            .fin_reader(Cursor::new(data.to_vec()), "fuzz")
            .fout_writer(out.clone(), "out")
            .format(format)
            .store(false),
    );
    let extracted = match result {
        Ok(ex) => {
            assert!(
                read_error.is_none(),
                "extraction hid the error {read_error:?}"
            );
            ex.length()
        }
        Err(pcapkit::Error::Capture { source, .. }) => {
            assert_eq!(
                Some(&source),
                read_error.as_ref(),
                "the reader's error is reported"
            );
            // An error while opening (file header) writes nothing.
            frames_read
        }
        // PCAP output holds one link type and times from 1970 to 2106: a frame that
        // does not fit is a typed error naming it, the output holds the frames before.
        Err(pcapkit::Error::Output(pcapkit::pcapkit_dump::DumpError::Pcap(e)))
            if format == "pcap"
                && matches!(
                    e.kind,
                    ErrorKind::LinkTypeMismatch { .. } | ErrorKind::TimestampOutOfRange { .. }
                ) =>
        {
            let Context::Writer { frame } = e.context else {
                panic!("a PCAP writer error names its frame: {e}")
            };
            assert!(frame >= 1 && frame <= frames_read, "{e}");
            let numbers = output_frame_numbers(format, &out.bytes());
            assert_eq!(numbers, (1..frame).collect::<Vec<u64>>(), "{e}");
            return frame - 1;
        }
        Err(e) => panic!("extraction to {format} failed with something else than the input: {e}"),
    };
    assert_eq!(
        extracted, frames_read,
        "every frame before the damage is extracted"
    );
    let bytes = out.bytes();
    if bytes.is_empty() {
        assert_eq!(frames_read, 0, "no output although frames were read");
        return 0;
    }
    let numbers = output_frame_numbers(format, &bytes);
    let expected: Vec<u64> = (1..=frames_read).collect();
    assert_eq!(
        numbers, expected,
        "the {format} output holds exactly the frames read"
    );
    frames_read
}

/// What one engine made of an input: the output bytes, the frames read, the error's
/// text, and the reassembled datagrams (IPv4, IPv6, TCP; when reassembling).
type EngineRun = (Vec<u8>, u64, Option<String>, Option<String>);

/// One extraction of `data` with `engine` at `threads`: JSON Lines in memory, or
/// (with `reasm`) no output and IP + TCP reassembly.
fn engine_run(data: &[u8], engine: &str, threads: usize, reasm: bool) -> EngineRun {
    let out = SharedBuf::default();
    let mut opts = pcapkit::ExtractOptions::default()
        .fin_reader(Cursor::new(data.to_vec()), "fuzz")
        .engine(engine)
        .threads(threads)
        .store(false);
    opts = if reasm {
        opts.nofile(true).ip(true).tcp(true)
    } else {
        opts.fout_writer(out.clone(), "out").format("jsonl")
    };
    match pcapkit::extract(opts) {
        Ok(ex) => {
            let datagrams = ex
                .reassembly()
                .ok()
                .map(|r| format!("{:?} {:?} {:?}", r.ipv4, r.ipv6, r.tcp));
            (out.bytes(), ex.length(), None, datagrams)
        }
        Err(e) => (out.bytes(), 0, Some(e.to_string()), None),
    }
}

/// The parallel engines against `default` on one input: `pipeline` and `server` at
/// 2 and 3 threads write the same JSON Lines bytes, read the same frames, stop with
/// the same error, and reassemble the same IPv4, IPv6 and TCP datagrams.
pub fn check_engines(data: &[u8]) {
    for reasm in [false, true] {
        let expected = engine_run(data, "default", 1, reasm);
        for engine in ["pipeline", "server"] {
            for threads in [2, 3] {
                let got = engine_run(data, engine, threads, reasm);
                assert!(
                    got == expected,
                    "{engine} at {threads} threads (reassembly {reasm}) differs from default: \
                     {} vs {} frames, errors {:?} vs {:?}, output {} vs {} bytes, \
                     datagrams equal: {}",
                    got.1,
                    expected.1,
                    got.2,
                    expected.2,
                    got.0.len(),
                    expected.0.len(),
                    got.3 == expected.3
                );
            }
        }
    }
}
