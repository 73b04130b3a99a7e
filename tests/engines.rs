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
    let capture = dir.path().join("gen.pcap");
    let file = std::fs::File::create(&capture).unwrap();
    let opts = pcapkit_testdata::traffic::TrafficOptions::new(3_000);
    pcapkit_testdata::traffic::generate(&opts, std::io::BufWriter::new(file)).unwrap();
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
