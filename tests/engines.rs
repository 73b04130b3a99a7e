//! The multi-threaded engines (`pipeline`, `server`) write byte for byte what the
//! `default` engine writes: every shared capture, every format, every `packet` mode,
//! 1, 2 and 7 threads; also with `files`, `layer`/`protocol`, iteration, `store` and
//! on damaged captures (same output before the same error).

use std::io::Write;
use std::path::{Path, PathBuf};
use std::sync::{Arc, Mutex};

use pcapkit::{Error, ExtractOptions, PacketMode, extract};

/// An output in memory.
#[derive(Clone, Default)]
struct Mem(Arc<Mutex<Vec<u8>>>);

impl Write for Mem {
    fn write(&mut self, buf: &[u8]) -> std::io::Result<usize> {
        self.0.lock().unwrap().extend_from_slice(buf);
        Ok(buf.len())
    }
    fn flush(&mut self) -> std::io::Result<()> {
        Ok(())
    }
}

/// What one extraction produced: the output bytes, the frames read, the error text.
#[derive(Debug, PartialEq, Eq)]
struct Run {
    out: Vec<u8>,
    length: u64,
    error: Option<String>,
}

fn run(
    capture: &Path,
    format: &str,
    packets: PacketMode,
    engine: &str,
    threads: usize,
) -> Option<Run> {
    let mem = Mem::default();
    let opts = ExtractOptions::new(capture)
        .fout_writer(mem.clone(), "mem")
        .format(format)
        .packets(packets)
        .store(false)
        .auto(false)
        .engine(engine)
        .threads(threads);
    let mut ex = match extract(opts) {
        Ok(ex) => ex,
        Err(Error::Capture { .. }) => return None,
        Err(e) => panic!("{}: {e}", capture.display()),
    };
    let error = ex.run().err().map(|e| e.to_string());
    let length = ex.length();
    drop(ex);
    let out = std::mem::take(&mut *mem.0.lock().unwrap());
    Some(Run { out, length, error })
}

fn captures() -> Vec<PathBuf> {
    let captures = pcapkit_testdata::shared_captures();
    assert!(captures.len() > 100, "shared captures missing");
    captures
}

const FORMATS: [&str; 5] = ["json", "jsonl", "plist", "tree", "pcap"];

fn check(packets: PacketMode, threads: &[usize]) {
    let mut compared = 0;
    for capture in captures() {
        for format in FORMATS {
            let Some(expected) = run(&capture, format, packets, "default", 1) else {
                continue;
            };
            for engine in ["pipeline", "server"] {
                for &n in threads {
                    let got = run(&capture, format, packets, engine, n).unwrap_or_else(|| {
                        panic!("{}: {engine} could not open it", capture.display())
                    });
                    assert!(
                        got == expected,
                        "{} {format} {packets:?} {engine} x{n}: differs from default \
                         (len {} vs {}, frames {} vs {}, error {:?} vs {:?})",
                        capture.display(),
                        got.out.len(),
                        expected.out.len(),
                        got.length,
                        expected.length,
                        got.error,
                        expected.error
                    );
                    compared += 1;
                }
            }
        }
    }
    assert!(compared > 500, "only {compared} runs compared");
}

#[test]
fn every_capture_every_format_all_packets_1_2_7_threads() {
    check(PacketMode::All, &[1, 2, 7]);
}

#[test]
fn every_capture_every_format_frame_and_no_packets() {
    check(PacketMode::Frame, &[2, 7]);
    check(PacketMode::None, &[3]);
}

#[test]
fn damaged_captures_stop_at_the_same_frame_with_the_same_error() {
    let mut errors = 0;
    for capture in captures() {
        let Some(expected) = run(&capture, "jsonl", PacketMode::None, "default", 1) else {
            continue;
        };
        if expected.error.is_none() {
            continue;
        }
        errors += 1;
        for engine in ["pipeline", "server"] {
            assert_eq!(
                run(&capture, "jsonl", PacketMode::None, engine, 2),
                Some(expected.clone_run()),
                "{}",
                capture.display()
            );
        }
    }
    // a truncated copy of a large capture: an error mid-file, with many batches before
    let big = captures()
        .into_iter()
        .max_by_key(|p| std::fs::metadata(p).map(|m| m.len()).unwrap_or(0))
        .unwrap();
    let bytes = std::fs::read(&big).unwrap();
    let dir = tempfile::tempdir().unwrap();
    let cut = dir.path().join("cut.pcap");
    std::fs::write(&cut, &bytes[..bytes.len() * 2 / 3 + 1]).unwrap();
    let expected = run(&cut, "json", PacketMode::All, "default", 1).unwrap();
    assert!(expected.length > 100, "{}", big.display());
    for engine in ["pipeline", "server"] {
        assert_eq!(
            run(&cut, "json", PacketMode::All, engine, 2).unwrap(),
            expected.clone_run()
        );
    }
    errors += 1;
    assert!(errors >= 2);
}

impl Run {
    fn clone_run(&self) -> Run {
        Run {
            out: self.out.clone(),
            length: self.length,
            error: self.error.clone(),
        }
    }
}

fn http() -> PathBuf {
    pcapkit_testdata::committed_captures_dir().join("http.pcap")
}

fn dir_contents(dir: &Path) -> Vec<(String, Vec<u8>)> {
    let mut files: Vec<(String, Vec<u8>)> = std::fs::read_dir(dir)
        .unwrap()
        .map(|e| e.unwrap())
        .filter(|e| e.path().is_file())
        .map(|e| {
            (
                e.file_name().to_string_lossy().into_owned(),
                std::fs::read(e.path()).unwrap(),
            )
        })
        .collect();
    files.sort();
    files
}

#[test]
fn files_mode_and_layer_and_protocol_limits() {
    let dir = tempfile::tempdir().unwrap();
    // the smallest PCAPNG capture with a few frames
    let pcapng = captures()
        .into_iter()
        .filter(|p| p.extension().is_some_and(|e| e == "pcapng"))
        .filter(|p| {
            pcapkit_core::Reader::open(p)
                .map(|r| r.frames().take(5).filter(Result::is_ok).count() == 5)
                .unwrap_or(false)
        })
        .min_by_key(|p| std::fs::metadata(p).map(|m| m.len()).unwrap_or(0))
        .unwrap();
    for capture in [http(), pcapng] {
        for format in FORMATS {
            let mut all = Vec::new();
            for engine in ["default", "pipeline", "server"] {
                let out = dir.path().join(format!("{format}-{engine}"));
                extract(
                    ExtractOptions::new(&capture)
                        .fout(&out)
                        .files(true)
                        .format(format)
                        .store(false)
                        .engine(engine)
                        .threads(2),
                )
                .unwrap();
                all.push(dir_contents(&out));
                std::fs::remove_dir_all(&out).unwrap();
            }
            assert!(
                all[0].len() > 2,
                "{} {format}: {:?}",
                capture.display(),
                all[0].len()
            );
            assert_eq!(all[0], all[1], "{format} pipeline");
            assert_eq!(all[0], all[2], "{format} server");
        }
    }
    for (layer, protocol) in [
        (Some("link"), None),
        (Some("Internet"), None),
        (None, Some("IPv4")),
    ] {
        let mut outs = Vec::new();
        for engine in ["default", "pipeline", "server"] {
            let mem = Mem::default();
            let mut o = ExtractOptions::new(http())
                .fout_writer(mem.clone(), "mem")
                .format("json")
                .engine(engine)
                .threads(2);
            if let Some(l) = layer {
                o = o.layer(l);
            }
            if let Some(p) = protocol {
                o = o.protocol(p);
            }
            drop(extract(o).unwrap());
            outs.push(std::mem::take(&mut *mem.0.lock().unwrap()));
        }
        assert!(outs[0].len() > 100);
        assert!(
            outs[0] == outs[1] && outs[0] == outs[2],
            "{layer:?} {protocol:?}"
        );
    }
}

#[test]
fn iteration_store_header_and_verbose_agree() {
    let capture = captures()
        .into_iter()
        .filter(|p| p.extension().is_some_and(|e| e == "pcapng"))
        .max_by_key(|p| std::fs::metadata(p).map(|m| m.len()).unwrap_or(0))
        .unwrap();
    let summary = |engine: &str| {
        let seen = Arc::new(Mutex::new(Vec::new()));
        let s2 = Arc::clone(&seen);
        let mut ex = extract(
            ExtractOptions::new(&capture)
                .nofile(true)
                .auto(false)
                .engine(engine)
                .threads(3)
                .verbose_with(move |f| s2.lock().unwrap().push((f.number(), f.protocols()))),
        )
        .unwrap();
        let mut iterated = Vec::new();
        for f in &mut ex {
            let f = f.unwrap();
            iterated.push((f.number(), f.protocols().to_owned(), f.data().to_vec()));
        }
        let stored: Vec<(u64, String)> = ex
            .frames()
            .unwrap()
            .iter()
            .map(|f| (f.number(), f.protocols().to_owned()))
            .collect();
        let header = format!("{:?}", ex.header());
        let seen = seen.lock().unwrap().clone();
        (iterated, stored, header, seen, ex.length())
    };
    let expected = summary("default");
    assert!(expected.0.len() > 10);
    assert_eq!(expected.3.len(), expected.0.len());
    assert_eq!(summary("pipeline"), expected);
    assert_eq!(summary("server"), expected);
}

#[test]
fn default_threads_and_zero_threads() {
    let mem = Mem::default();
    let ex = extract(
        ExtractOptions::new(http())
            .fout_writer(mem.clone(), "mem")
            .format("jsonl")
            .engine("pipeline"),
    )
    .unwrap();
    assert_eq!(ex.engine(), pcapkit::Engine::Pipeline);
    assert!(ex.length() > 0);
    let e = extract(ExtractOptions::new(http()).engine("server").threads(0)).unwrap_err();
    assert_eq!(e.to_string(), "invalid options: threads must be at least 1");
}

#[test]
fn reassembly_streams_and_trace_identical_to_default() {
    // Reassembly datagrams (JSON Lines, in the order they were handed out), the stream
    // export and the trace files and index of `pipeline` and `server` at 1, 2 and 4
    // threads, and of `server` with a layer limit (the workers dissect again for
    // reassembly), against `default`.
    let dir = tempfile::tempdir().unwrap();
    let mut datagrams = 0;
    let runs: &[(&str, usize, bool)] = &[
        ("default", 1, false),
        ("pipeline", 1, false),
        ("pipeline", 2, false),
        ("pipeline", 4, false),
        ("server", 1, false),
        ("server", 2, false),
        ("server", 4, false),
        ("server", 2, true),
    ];
    let mut traced = 0;
    for capture in captures() {
        let name = capture.file_name().unwrap().to_string_lossy().into_owned();
        let mut outs = Vec::new();
        for &(engine, threads, limited) in runs {
            // The same directory every run: the trace index names its files.
            let d = dir.path().join("run");
            std::fs::create_dir_all(&d).unwrap();
            let mut opts = ExtractOptions::new(&capture)
                .nofile(true)
                .store(false)
                .ip(true)
                .tcp(true)
                .reasm_fout(d.join("r"))
                .streams(d.join("streams"))
                .trace(true)
                .trace_fout(d.join("trace"))
                .trace_format("pcapng")
                .engine(engine)
                .threads(threads);
            if limited {
                opts = opts.layer("link");
            }
            // Damaged captures stop with the same error whatever the engine.
            let error = extract(opts).err().map(|e| e.to_string());
            let mut files = vec![("error".to_owned(), format!("{error:?}").into_bytes())];
            for sub in [d.clone(), d.join("streams"), d.join("trace")] {
                if sub.is_dir() {
                    files.extend(
                        dir_contents(&sub)
                            .into_iter()
                            .filter(|(n, _)| n != "streams" && n != "trace"),
                    );
                }
            }
            outs.push(files);
            std::fs::remove_dir_all(&d).unwrap();
        }
        datagrams += outs[0].iter().map(|(_, b)| b.len()).sum::<usize>();
        traced += outs[0]
            .iter()
            .filter(|(n, _)| n.ends_with(".pcapng"))
            .count();
        for (i, &(engine, threads, limited)) in runs.iter().enumerate().skip(1) {
            assert!(
                outs[0] == outs[i],
                "{name}: {engine} at {threads} threads (layer limit {limited}) differs"
            );
        }
    }
    assert!(traced > 100, "only {traced} trace files");
    assert!(
        datagrams > 10_000,
        "only {datagrams} bytes of reassembly output"
    );
}

/// A trace directory's files, the workers' flows (first frames) and the error.
type Traced = (Vec<(String, Vec<u8>)>, Vec<Vec<u64>>, Option<String>);

/// A capture's trace (files and index) with these options.
fn traced(
    capture: &Path,
    dir: &Path,
    engine: &str,
    threads: usize,
    timeout: Option<f64>,
) -> Traced {
    let d = dir.join("t");
    let mut opts = ExtractOptions::new(capture)
        .nofile(true)
        .tcp(true)
        .trace(true)
        .trace_fout(&d)
        .trace_format("json")
        .trace_max_open(2)
        .engine(engine)
        .threads(threads);
    if let Some(t) = timeout {
        opts = opts.trace_timeout(std::time::Duration::from_secs_f64(t));
    }
    let (shards, error) = match extract(opts) {
        Ok(ex) => (ex.trace_shards(), None),
        Err(e) => (Vec::new(), Some(e.to_string())),
    };
    let files = if d.is_dir() {
        dir_contents(&d)
    } else {
        Vec::new()
    };
    let _ = std::fs::remove_dir_all(&d);
    (files, shards, error)
}

#[test]
fn server_workers_trace_only_their_own_flows() {
    // Each `server` worker owns a tracer: the flows (by first frame) each traced are
    // disjoint, together the flows of `default`, and spread over the workers; the
    // files (JSON, two open per worker at most) and index are `default`'s.
    let dir = tempfile::tempdir().unwrap();
    let mut checked = 0;
    for capture in captures() {
        let (expected, none, error) = traced(&capture, dir.path(), "default", 1, None);
        assert!(none.is_empty());
        let flows = expected
            .iter()
            .filter(|(n, _)| n.ends_with(".json") && n != "index.json")
            .count();
        if error.is_some() || flows < 2 {
            continue;
        }
        let mut spread = false;
        for threads in [2, 3] {
            let (got, shards, error) = traced(&capture, dir.path(), "server", threads, None);
            assert_eq!(error, None);
            assert!(
                got == expected,
                "{}: server x{threads} trace differs",
                capture.display()
            );
            assert_eq!(shards.len(), threads);
            let mut all: Vec<u64> = shards.iter().flatten().copied().collect();
            assert_eq!(all.len(), flows, "{}", capture.display());
            all.sort_unstable();
            all.dedup();
            assert_eq!(all.len(), flows, "a flow traced by two workers");
            spread |= shards.iter().filter(|s| !s.is_empty()).count() >= 2;
        }
        checked += usize::from(spread);
    }
    // Flows go by address pair: most captures have one pair of hosts.
    assert!(
        checked >= 3,
        "only {checked} captures had flows on several workers"
    );
    // Generated traffic between many hosts: every worker gets a fair share.
    let capture = generated_capture(dir.path());
    let (expected, _, error) = traced(&capture, dir.path(), "default", 1, None);
    assert_eq!(error, None);
    let flows = expected.len() - 2;
    assert!(flows > 50, "{flows} flows");
    for threads in [2, 3] {
        let (got, shards, error) = traced(&capture, dir.path(), "server", threads, None);
        assert_eq!(error, None);
        assert!(
            got == expected,
            "generated: server x{threads} trace differs"
        );
        assert_eq!(shards.iter().map(Vec::len).sum::<usize>(), flows);
        for s in &shards {
            assert!(
                s.len() * threads * 4 > flows,
                "x{threads}: a worker traced {} of {flows} flows",
                s.len()
            );
        }
    }
}

#[test]
fn server_trace_with_an_idle_timeout_is_defaults() {
    // A short idle timeout splits flows (a frame long after its flow's last one starts
    // a new flow), whatever other workers saw in between.
    let dir = tempfile::tempdir().unwrap();
    let mut split = 0;
    for capture in captures() {
        let (plain, _, _) = traced(&capture, dir.path(), "default", 1, None);
        let (expected, _, error) = traced(&capture, dir.path(), "default", 1, Some(0.05));
        if error.is_some() {
            continue;
        }
        if expected.len() > plain.len() {
            split += 1;
        }
        for threads in [2, 4] {
            let (got, _, error) = traced(&capture, dir.path(), "server", threads, Some(0.05));
            assert_eq!(error, None);
            assert!(
                got == expected,
                "{}: server x{threads} with a timeout differs",
                capture.display()
            );
        }
    }
    assert!(
        split >= 5,
        "the timeout split flows in only {split} captures"
    );
}

#[test]
fn server_trace_stopped_early_is_defaults() {
    // Iterating a few frames and dropping the extractor: the workers read (and traced)
    // ahead; what `default` would not have traced is not in the trace.
    let dir = tempfile::tempdir().unwrap();
    let mut compared = 0;
    for capture in captures() {
        let (all, _, error) = traced(&capture, dir.path(), "default", 1, None);
        if error.is_some() || all.len() < 6 {
            continue;
        }
        let run = |engine: &str, threads: usize| {
            let d = dir.path().join("t");
            let opts = ExtractOptions::new(&capture)
                .nofile(true)
                .tcp(true)
                .trace(true)
                .trace_fout(&d)
                .auto(false)
                .engine(engine)
                .threads(threads);
            let mut ex = extract(opts).unwrap();
            for _ in 0..5 {
                ex.next().unwrap().unwrap();
            }
            drop(ex);
            let files = dir_contents(&d);
            std::fs::remove_dir_all(&d).unwrap();
            files
        };
        let expected = run("default", 1);
        assert!(expected.len() < all.len(), "{}", capture.display());
        for threads in [2, 3] {
            assert!(
                run("server", threads) == expected,
                "{}: server x{threads} stopped early differs",
                capture.display()
            );
        }
        compared += 1;
        if compared == 10 {
            break;
        }
    }
    assert!(compared >= 5, "only {compared} captures compared");
}

#[test]
fn server_trace_interrupted_keeps_an_index() {
    // After the interrupt flag the trace is not done again: the index is written
    // from what the workers traced, which holds every frame up to the interrupt.
    use std::sync::atomic::{AtomicBool, Ordering};
    let dir = tempfile::tempdir().unwrap();
    let capture = generated_capture(dir.path());
    let flag = Arc::new(AtomicBool::new(false));
    let trigger = Arc::clone(&flag);
    let d = dir.path().join("t");
    let err = extract(
        ExtractOptions::new(&capture)
            .nofile(true)
            .tcp(true)
            .trace(true)
            .trace_fout(&d)
            .engine("server")
            .threads(2)
            .interrupt(Arc::clone(&flag))
            .verbose_with(move |f| {
                if f.number() == 100 {
                    trigger.store(true, Ordering::Relaxed);
                }
            }),
    )
    .unwrap_err();
    assert!(matches!(err, Error::Interrupted { frames: 100 }), "{err}");
    let index: Vec<serde_json::Value> =
        serde_json::from_slice(&std::fs::read(d.join("index.json")).unwrap()).unwrap();
    let frames: std::collections::BTreeSet<u64> = index
        .iter()
        .flat_map(|r| {
            r["index"]
                .as_array()
                .unwrap()
                .iter()
                .map(|n| n.as_u64().unwrap())
        })
        .collect();
    assert!(!frames.is_empty());
    let (expected, _, _) = traced(&capture, dir.path(), "default", 1, None);
    let index_all = &expected.iter().find(|(n, _)| n == "index.json").unwrap().1;
    let all: Vec<serde_json::Value> = serde_json::from_slice(index_all).unwrap();
    let traced_upto_100 = all
        .iter()
        .flat_map(|r| {
            r["index"]
                .as_array()
                .unwrap()
                .iter()
                .map(|n| n.as_u64().unwrap())
        })
        .filter(|&n| n <= 100)
        .count();
    assert_eq!(frames.range(..=100).count(), traced_upto_100);
}

/// A reassembling extraction (IP and TCP, strict, JSON Lines, stream export): the
/// files written (stream files as `streams/NAME`), the datagrams each `server` worker
/// handed out, and the error.
type Reassembled = (Vec<(String, Vec<u8>)>, Vec<u64>, Option<String>);

fn reassembled(capture: &Path, dir: &Path, engine: &str, threads: usize) -> Reassembled {
    let d = dir.join("r");
    std::fs::create_dir_all(&d).unwrap();
    let opts = ExtractOptions::new(capture)
        .nofile(true)
        .store(false)
        .ip(true)
        .tcp(true)
        .strict(true)
        .reasm_fout(d.join("r"))
        .streams(d.join("streams"))
        .engine(engine)
        .threads(threads);
    let (shards, error) = match extract(opts) {
        Ok(ex) => (ex.reasm_shards(), None),
        Err(e) => (Vec::new(), Some(e.to_string())),
    };
    let mut files = dir_contents(&d);
    if d.join("streams").is_dir() {
        files.extend(
            dir_contents(&d.join("streams"))
                .into_iter()
                .map(|(n, b)| (format!("streams/{n}"), b)),
        );
    }
    std::fs::remove_dir_all(&d).unwrap();
    (files, shards, error)
}

/// The datagrams of a reassembly JSON Lines file.
fn lines_of(files: &[(String, Vec<u8>)], name: &str) -> Vec<serde_json::Value> {
    files
        .iter()
        .find(|(n, _)| n == name)
        .map(|(_, b)| {
            b.split(|&c| c == b'\n')
                .filter(|l| !l.is_empty())
                .map(|l| serde_json::from_slice(l).unwrap())
                .collect()
        })
        .unwrap_or_default()
}

/// An IPv4 packet with these fragment fields (flags and offset) and its checksum.
fn ipv4_frag(src: [u8; 4], dst: [u8; 4], id: u16, frag: u16, payload: &[u8]) -> Vec<u8> {
    let mut h = vec![0x45, 0];
    h.extend_from_slice(&((20 + payload.len()) as u16).to_be_bytes());
    h.extend_from_slice(&id.to_be_bytes());
    h.extend_from_slice(&frag.to_be_bytes());
    h.extend_from_slice(&[64, 6, 0, 0]);
    h.extend_from_slice(&src);
    h.extend_from_slice(&dst);
    let c = pcapkit_testdata::build::checksum(&h);
    h[10..12].copy_from_slice(&c.to_be_bytes());
    h.extend_from_slice(payload);
    h
}

/// A crafted capture where 12 clients' TCP connections to one server interleave over
/// 4 rounds 400 s apart: every fourth client goes quiet after the first round with a
/// run open (flushed by the 600 s idle timeout, at a frame of another connection), the
/// others change their ACK number every round; the third client of each round sends
/// its segment as two IPv4 fragments (TCP carried by IP reassembly), and every fifth
/// leaves a lone first fragment (flushed by the 30 s IP idle timeout). Returns the
/// capture and the frames that are second fragments of TCP segments.
fn interleaved_capture() -> (Vec<u8>, Vec<u64>) {
    use pcapkit_core::{Endian, LinkType, PcapWriter, PcapWriterOptions, RawFrame, Timestamp};
    use pcapkit_testdata::build::{self, Tcp, flags};
    let server = [10, 1, 0, 1];
    let mut frames: Vec<(Timestamp, Vec<u8>)> = Vec::new();
    let mut second_fragments = Vec::new();
    let eth = |ip: Vec<u8>| build::ethernet([2; 6], [4; 6], build::ETHERTYPE_IPV4, &ip);
    let mut seq = [1000u32; 12];
    for round in 0..4u32 {
        for c in 0..12u8 {
            let client = [10, 0, 0, c + 1];
            let sport = 40000 + u16::from(c);
            let t = |k: u32| {
                Timestamp::new(
                    1_700_000_000 + i64::from(round * 400 + u32::from(c)),
                    k * 1_000_000,
                )
            };
            if round > 0 && c % 4 == 0 {
                continue; // quiet: its run waits for the idle timeout
            }
            let seg = |seq: u32, ack: u32, fl: u8, data: &[u8]| {
                let tcp = Tcp {
                    sport,
                    dport: 80,
                    seq,
                    ack,
                    flags: fl,
                    window: 1024,
                };
                build::tcp(client, server, tcp, data)
            };
            if round == 0 {
                let syn = seg(seq[usize::from(c)] - 1, 0, flags::SYN, b"");
                frames.push((t(0), eth(build::ipv4(client, server, 6, 1, 64, &syn))));
                let synack = build::tcp(
                    server,
                    client,
                    Tcp {
                        sport: 80,
                        dport: sport,
                        seq: 5000,
                        ack: seq[usize::from(c)],
                        flags: flags::SYN | flags::ACK,
                        window: 1024,
                    },
                    b"",
                );
                frames.push((t(1), eth(build::ipv4(server, client, 6, 2, 64, &synack))));
            }
            let data = format!("round {round} client {c}: some request bytes here....");
            let s = seg(
                seq[usize::from(c)],
                5001 + round,
                flags::ACK | flags::PSH,
                data.as_bytes(),
            );
            seq[usize::from(c)] += data.len() as u32;
            let id = 100 + u16::from(c) + 16 * round as u16;
            if c % 4 == 2 {
                let (a, b) = s.split_at(24);
                frames.push((t(2), eth(ipv4_frag(client, server, id, 0x2000, a))));
                frames.push((t(3), eth(ipv4_frag(client, server, id, 3, b))));
                second_fragments.push(frames.len() as u64);
            } else {
                frames.push((t(2), eth(build::ipv4(client, server, 6, id, 64, &s))));
            }
            if c % 5 == 1 {
                // A first fragment whose rest never comes.
                let lone = seg(1, 1, flags::ACK, &[0x55; 40]);
                frames.push((
                    t(4),
                    eth(ipv4_frag(client, server, id + 1000, 0x2000, &lone[..32])),
                ));
            }
        }
    }
    let opts = PcapWriterOptions::default()
        .endian(Endian::Little)
        .nanosecond(true)
        .link_type(LinkType::ETHERNET);
    let mut w = PcapWriter::new(Vec::new(), opts).unwrap();
    for (i, (ts, data)) in frames.iter().enumerate() {
        let raw = RawFrame::new(
            i as u64 + 1,
            *ts,
            LinkType::ETHERNET,
            data.len() as u32,
            data,
        );
        w.write_frame(&raw).unwrap();
    }
    (w.into_inner(), second_fragments)
}

#[test]
fn server_workers_reassemble_only_their_own_flows() {
    // Each `server` worker owns a reassembler: the datagrams each handed out add up to
    // `default`'s, more than one worker did work, and the output is `default`'s.
    let dir = tempfile::tempdir().unwrap();
    let generated = generated_capture(dir.path());
    let crafted = dir.path().join("crafted.pcap");
    std::fs::write(&crafted, interleaved_capture().0).unwrap();
    for capture in [generated, crafted] {
        let (expected, none, error) = reassembled(&capture, dir.path(), "default", 1);
        assert_eq!(error, None);
        assert!(none.is_empty());
        let total: usize = ["r.ipv4.jsonl", "r.ipv6.jsonl", "r.tcp.jsonl"]
            .iter()
            .map(|n| lines_of(&expected, n).len())
            .sum();
        assert!(total > 20, "{}: {total} datagrams", capture.display());
        for threads in [2, 3] {
            let (got, shards, error) = reassembled(&capture, dir.path(), "server", threads);
            assert_eq!(error, None);
            assert!(
                got == expected,
                "{}: server x{threads} reassembly differs",
                capture.display()
            );
            assert_eq!(shards.len(), threads);
            assert_eq!(shards.iter().sum::<u64>(), total as u64, "{shards:?}");
            assert!(
                shards.iter().filter(|&&n| n > 0).count() >= 2,
                "{}: x{threads} {shards:?}",
                capture.display()
            );
        }
    }
}

#[test]
fn server_reassembly_idle_sweeps_are_defaults() {
    // Connections interleave and go quiet; the idle timeouts (TCP 600 s, IP 30 s) hand
    // out their runs and lone fragments at frames of other connections, on other
    // workers: each worker sweeps at the frame `default` does, and the merge puts the
    // datagrams where `default` does.
    let dir = tempfile::tempdir().unwrap();
    let capture = dir.path().join("idle.pcap");
    std::fs::write(&capture, interleaved_capture().0).unwrap();
    let (expected, _, error) = reassembled(&capture, dir.path(), "default", 1);
    assert_eq!(error, None);
    let idle = |name: &str| {
        lines_of(&expected, name)
            .iter()
            .filter(|d| d["flush"] == "idle")
            .count()
    };
    assert!(idle("r.tcp.jsonl") >= 3, "{}", idle("r.tcp.jsonl"));
    assert!(idle("r.ipv4.jsonl") >= 3, "{}", idle("r.ipv4.jsonl"));
    // Not only at the end: idle datagrams come before others.
    let tcp = lines_of(&expected, "r.tcp.jsonl");
    let first_idle = tcp.iter().position(|d| d["flush"] == "idle").unwrap();
    assert!(tcp[first_idle..].iter().any(|d| d["flush"] != "idle"));
    for threads in [2, 3, 4] {
        let (got, shards, error) = reassembled(&capture, dir.path(), "server", threads);
        assert_eq!(error, None);
        assert!(got == expected, "server x{threads} idle sweeps differ");
        assert!(shards.iter().filter(|&&n| n > 0).count() >= 2, "{shards:?}");
    }
}

#[test]
fn server_reassembles_tcp_in_ip_fragments_as_default() {
    // Segments sent as IPv4 fragments reach TCP reassembly once IP reassembly completes
    // them: dispatched by address pair, the fragments meet their connection's worker.
    let dir = tempfile::tempdir().unwrap();
    let capture = dir.path().join("frag.pcap");
    let (bytes, second) = interleaved_capture();
    std::fs::write(&capture, bytes).unwrap();
    let (expected, _, error) = reassembled(&capture, dir.path(), "default", 1);
    assert_eq!(error, None);
    let through_fragments = lines_of(&expected, "r.tcp.jsonl")
        .iter()
        .filter(|d| {
            d["index"]
                .as_array()
                .unwrap()
                .iter()
                .any(|n| second.contains(&n.as_u64().unwrap()))
        })
        .count();
    assert!(through_fragments >= 4, "{through_fragments}");
    for threads in [2, 3, 4] {
        let (got, _, error) = reassembled(&capture, dir.path(), "server", threads);
        assert_eq!(error, None);
        assert!(got == expected, "server x{threads} differs");
    }
}

#[test]
fn server_stream_view_is_defaults() {
    // The stream export (`--streams`): every connection's files and `index.json`
    // (connections numbered by first frame) as `default` writes them, though the
    // connections are spread over the workers.
    let dir = tempfile::tempdir().unwrap();
    let capture = generated_capture(dir.path());
    let streams = |files: &[(String, Vec<u8>)]| -> Vec<(String, Vec<u8>)> {
        files
            .iter()
            .filter(|(n, _)| n.starts_with("streams/"))
            .cloned()
            .collect()
    };
    let (expected, _, error) = reassembled(&capture, dir.path(), "default", 1);
    assert_eq!(error, None);
    let expected = streams(&expected);
    let index = &expected
        .iter()
        .find(|(n, _)| n == "streams/index.json")
        .unwrap()
        .1;
    let index: Vec<serde_json::Value> = serde_json::from_slice(index).unwrap();
    assert!(index.len() > 20, "{} connections", index.len());
    for (i, c) in index.iter().enumerate() {
        assert_eq!(c["stream"], i as u64);
    }
    for threads in [2, 4] {
        let (got, shards, error) = reassembled(&capture, dir.path(), "server", threads);
        assert_eq!(error, None);
        assert!(
            streams(&got) == expected,
            "server x{threads} streams differ"
        );
        assert!(shards.iter().filter(|&&n| n > 0).count() >= 2, "{shards:?}");
    }
}

#[test]
fn server_reassembly_stopped_early_is_defaults() {
    // Stopping with an output error a few hundred frames in: what was handed out, and
    // what the end of the extraction flushes, is `default`'s though the workers read
    // ahead (reassembled again up to the stopping frame).
    let dir = tempfile::tempdir().unwrap();
    let capture = generated_capture(dir.path());
    /// Fails once `limit` bytes were written.
    struct Failing(usize);
    impl Write for Failing {
        fn write(&mut self, buf: &[u8]) -> std::io::Result<usize> {
            if buf.len() > self.0 {
                return Err(std::io::Error::other("full"));
            }
            self.0 -= buf.len();
            Ok(buf.len())
        }
        fn flush(&mut self) -> std::io::Result<()> {
            Ok(())
        }
    }
    let run = |engine: &str, threads: usize| {
        let d = dir.path().join("r");
        std::fs::create_dir_all(&d).unwrap();
        let err = extract(
            ExtractOptions::new(&capture)
                .fout_writer(Failing(200_000), "failing")
                .format("pcap")
                .ip(true)
                .tcp(true)
                .strict(true)
                .reasm_fout(d.join("r"))
                .streams(d.join("streams"))
                .engine(engine)
                .threads(threads),
        )
        .err()
        .map(|e| e.to_string());
        let mut files = dir_contents(&d);
        files.extend(dir_contents(&d.join("streams")));
        std::fs::remove_dir_all(&d).unwrap();
        (files, err)
    };
    let expected = run("default", 1);
    assert!(expected.1.is_some());
    let end = lines_of(&expected.0, "r.tcp.jsonl")
        .iter()
        .filter(|d| d["flush"] == "end")
        .count();
    assert!(end > 0);
    for threads in [2, 3] {
        assert!(
            run("server", threads) == expected,
            "server x{threads} stopped early differs"
        );
    }
}

/// 3000 frames of `pcapkit_testdata::traffic` (many hosts and connections) written
/// to `dir/gen.pcap`.
fn generated_capture(dir: &std::path::Path) -> std::path::PathBuf {
    let path = dir.join("gen.pcap");
    let file = std::fs::File::create(&path).unwrap();
    let opts = pcapkit_testdata::traffic::TrafficOptions::new(3_000);
    pcapkit_testdata::traffic::generate(&opts, std::io::BufWriter::new(file)).unwrap();
    path
}
