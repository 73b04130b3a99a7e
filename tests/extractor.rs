//! Every Extractor option, each with a test that fails if the option were ignored.

mod common;

use std::fs;
use std::io::Write;
use std::path::Path;
use std::sync::atomic::{AtomicBool, Ordering};
use std::sync::{Arc, Mutex};

use pcapkit::{
    CaptureHeader, Engine, Error, ExtractOptions, Format, JSON, LINK, PacketMode, extract,
};
use pcapkit_core::{LinkType, Reader, ReaderOptions};

use common::*;

fn http() -> std::path::PathBuf {
    committed("http.pcap")
}

fn http_frames() -> u64 {
    let mut r = Reader::open(http()).unwrap();
    let mut n = 0;
    while r.next_frame().unwrap().is_some() {
        n += 1;
    }
    assert!(n >= 5, "http.pcap has {n} frames");
    n
}

fn read_json(path: &Path) -> serde_json::Value {
    serde_json::from_slice(&fs::read(path).unwrap()).unwrap()
}

/// A writer that keeps what it is given, for `fout_writer`.
#[derive(Clone, Default)]
struct Shared(Arc<Mutex<Vec<u8>>>);

impl Write for Shared {
    fn write(&mut self, buf: &[u8]) -> std::io::Result<usize> {
        self.0.lock().unwrap().extend_from_slice(buf);
        Ok(buf.len())
    }
    fn flush(&mut self) -> std::io::Result<()> {
        Ok(())
    }
}

#[test]
fn fout_format_and_accessors() {
    let dir = tempfile::tempdir().unwrap();
    let ex = extract(
        ExtractOptions::new(http())
            .fout(dir.path().join("o"))
            .format("JSON"),
    )
    .unwrap();
    let out = dir.path().join("o.json");
    assert_eq!(ex.output(), Some(out.as_path()));
    assert_eq!(ex.format(), Some(Format::Json));
    assert_eq!(ex.input(), http().as_path());
    assert_eq!(ex.engine(), Engine::Default);
    assert_eq!(ex.length(), http_frames());
    let Some(CaptureHeader::Pcap(h)) = ex.header() else {
        panic!("PCAP header expected")
    };
    assert_eq!(h.link_type(), LinkType::ETHERNET);
    let doc = read_json(&out);
    assert_eq!(json_frame_numbers(&doc), one_to(ex.length()));
    assert!(doc.get("Global Header").is_some());
}

#[test]
fn default_format_is_tree() {
    let dir = tempfile::tempdir().unwrap();
    let ex = extract(ExtractOptions::new(http()).fout(dir.path().join("o"))).unwrap();
    assert_eq!(ex.format(), Some(Format::Tree));
    let text = fs::read_to_string(dir.path().join("o.txt")).unwrap();
    assert!(
        text.starts_with("Global Header\n  |-- magic_number \n"),
        "{text}"
    );
    assert_eq!(tree_frame_numbers(&text), one_to(ex.length()));
}

#[test]
fn extension_on_input_and_output() {
    let dir = tempfile::tempdir().unwrap();
    fs::copy(http(), dir.path().join("cap.pcap")).unwrap();
    let bare = dir.path().join("cap");
    // `cap` -> `cap.pcap`, `o` -> `o.json`
    let ex = extract(
        ExtractOptions::new(&bare)
            .fout(dir.path().join("o"))
            .format(JSON),
    )
    .unwrap();
    assert_eq!(ex.input(), dir.path().join("cap.pcap").as_path());
    assert!(dir.path().join("o.json").is_file());
    // no double extension
    let ex = extract(
        ExtractOptions::new(&bare)
            .fout(dir.path().join("p.json"))
            .format(JSON),
    )
    .unwrap();
    assert_eq!(ex.output(), Some(dir.path().join("p.json").as_path()));
    assert!(!dir.path().join("p.json.json").exists());
    // extension off: neither is touched
    let err = extract(
        ExtractOptions::new(&bare)
            .fout(dir.path().join("q"))
            .format(JSON)
            .extension(false),
    )
    .unwrap_err();
    assert!(
        matches!(&err, Error::FileNotFound { path } if path == &bare),
        "{err}"
    );
    let ex = extract(
        ExtractOptions::new(dir.path().join("cap.pcap"))
            .fout(dir.path().join("q"))
            .format(JSON)
            .extension(false),
    )
    .unwrap();
    assert_eq!(ex.output(), Some(dir.path().join("q").as_path()));
    assert!(dir.path().join("q").is_file());
}

#[test]
fn files_one_file_per_block() {
    let dir = tempfile::tempdir().unwrap();
    let out = dir.path().join("frames");
    let ex = extract(
        ExtractOptions::new(http())
            .fout(&out)
            .format(JSON)
            .files(true),
    )
    .unwrap();
    let mut names: Vec<String> = fs::read_dir(&out)
        .unwrap()
        .map(|e| e.unwrap().file_name().into_string().unwrap())
        .collect();
    names.sort();
    let mut expected: Vec<String> = (1..=ex.length())
        .map(|n| format!("Frame {n}.json"))
        .collect();
    expected.push("Global Header.json".into());
    expected.sort();
    assert_eq!(names, expected);
    let doc = read_json(&out.join("Frame 2.json"));
    assert_eq!(doc["Frame 2"]["number"], 2);
    assert_eq!(doc.as_object().unwrap().len(), 1);
}

#[test]
fn files_needs_a_directory_path() {
    let err = extract(ExtractOptions::new(http()).fout("-").files(true)).unwrap_err();
    assert!(matches!(err, Error::Usage(_)), "{err}");
}

#[test]
fn layer_link_ends_every_chain_at_the_link_layer() {
    let full = extract(ExtractOptions::new(http()).nofile(true)).unwrap();
    let cut = extract(ExtractOptions::new(http()).nofile(true).layer("link")).unwrap();
    let (full, cut) = (full.frames().unwrap(), cut.frames().unwrap());
    assert_eq!(full.len(), cut.len());
    for (f, c) in full.iter().zip(cut) {
        assert_eq!(c.protocols(), "Ethernet:Raw", "frame {}", c.number());
        assert_ne!(f.protocols(), c.protocols(), "frame {}", f.number());
        assert_eq!(c.packet().layers().len(), 2);
    }
    // PyPCAPKit's constant and its lower-case spelling both work.
    let ex = extract(ExtractOptions::new(http()).nofile(true).layer(LINK)).unwrap();
    assert_eq!(ex.frames().unwrap()[0].protocols(), "Ethernet:Raw");
}

#[test]
fn protocol_stops_after_the_named_protocol() {
    let ex = extract(
        ExtractOptions::new(http())
            .nofile(true)
            .protocol("ethernet"),
    )
    .unwrap();
    for f in ex.frames().unwrap() {
        assert_eq!(f.protocols(), "Ethernet:Raw");
    }
    let ex = extract(ExtractOptions::new(http()).nofile(true).protocol("null")).unwrap();
    assert_ne!(ex.frames().unwrap()[0].protocols(), "Ethernet:Raw");
}

#[test]
fn store() {
    let ex = extract(ExtractOptions::new(http()).nofile(true).store(false)).unwrap();
    assert!(matches!(ex.frames(), Err(Error::NotEnabled { .. })));
    assert_eq!(ex.length(), http_frames());
    let ex = extract(ExtractOptions::new(http()).nofile(true)).unwrap();
    let frames = ex.frames().unwrap();
    assert_eq!(frames.len() as u64, http_frames());
    let raw = fs::read(http()).unwrap();
    // the stored bytes are the frame's: the first frame starts after 24 + 16 bytes
    assert_eq!(frames[0].data(), &raw[40..40 + frames[0].caplen() as usize]);
    let block = serde_json::to_value(&frames[0]).unwrap();
    assert_eq!(block["number"], 1);
    assert_eq!(block["protocols"], frames[0].protocols());
}

#[test]
fn auto_false_iterates() {
    let mut ex = extract(ExtractOptions::new(http()).nofile(true).auto(false)).unwrap();
    assert_eq!(ex.length(), 0, "nothing read before iterating");
    let numbers: Vec<u64> = (&mut ex).map(|f| f.unwrap().number()).collect();
    assert_eq!(numbers, one_to(http_frames()));
    assert!(ex.is_done());
    assert!(ex.next().is_none());
    // an auto extractor already ran: iterating it is an error, once
    let mut ex = extract(ExtractOptions::new(http()).nofile(true)).unwrap();
    assert!(matches!(ex.next(), Some(Err(Error::NotIterable))));
    assert!(ex.next().is_none());
}

#[test]
fn nofile_writes_nothing_and_accepts_any_format() {
    let dir = tempfile::tempdir().unwrap();
    let ex = extract(
        ExtractOptions::new(http())
            .fout(dir.path().join("o"))
            .format("yaml")
            .nofile(true),
    )
    .unwrap();
    assert_eq!(ex.format(), None);
    assert_eq!(ex.output(), None);
    assert_eq!(fs::read_dir(dir.path()).unwrap().count(), 0);
    assert_eq!(ex.length(), http_frames());
}

#[test]
fn verbose_callback_once_per_frame() {
    let seen = Arc::new(Mutex::new(Vec::new()));
    let sink = Arc::clone(&seen);
    let ex = extract(
        ExtractOptions::new(http())
            .nofile(true)
            .verbose_with(move |f| sink.lock().unwrap().push((f.number(), f.protocols()))),
    )
    .unwrap();
    let seen = seen.lock().unwrap();
    assert_eq!(seen.len() as u64, ex.length());
    let numbers: Vec<u64> = seen.iter().map(|(n, _)| *n).collect();
    assert_eq!(numbers, one_to(ex.length()));
    assert!(seen.iter().all(|(_, chain)| chain.starts_with("Ethernet")));
}

#[test]
fn engines() {
    for name in ["default", "pcapkit", "PCAPKit"] {
        let ex = extract(ExtractOptions::new(http()).nofile(true).engine(name)).unwrap();
        assert_eq!(ex.engine(), Engine::Default);
    }
    for (name, engine) in [("server", Engine::Server), ("Pipeline", Engine::Pipeline)] {
        let ex = extract(ExtractOptions::new(http()).nofile(true).engine(name)).unwrap();
        assert_eq!(ex.engine(), engine);
        assert!(ex.length() > 0);
    }
    let err = extract(ExtractOptions::new(http()).engine("tcpdump")).unwrap_err();
    assert!(err.to_string().contains("expected one of default"), "{err}");
}

#[test]
fn unknown_values_list_the_valid_ones() {
    let err = extract(ExtractOptions::new(http()).format("yaml")).unwrap_err();
    assert_eq!(
        err.to_string(),
        "unknown output format \"yaml\": expected one of json, jsonl, plist, tree, pcap"
    );
    let err = extract(ExtractOptions::new(http()).nofile(true).layer("session")).unwrap_err();
    assert!(matches!(err, Error::UnknownLayer(_)), "{err}");
    assert!(
        err.to_string()
            .contains("Link, Internet, Transport, Application"),
        "{err}"
    );
    let err = extract(ExtractOptions::new(http()).nofile(true).byteorder("middle")).unwrap_err();
    assert!(matches!(err, Error::Usage(_)), "{err}");
    let err = extract(ExtractOptions::new(http()).nofile(true).threads(0)).unwrap_err();
    assert!(matches!(err, Error::Usage(_)), "{err}");
}

#[test]
fn missing_input_is_file_not_found() {
    let dir = tempfile::tempdir().unwrap();
    let missing = dir.path().join("nope.pcap");
    let err = extract(ExtractOptions::new(&missing).fout(dir.path().join("o"))).unwrap_err();
    assert!(matches!(&err, Error::FileNotFound { path } if path == &missing));
    assert!(err.to_string().contains("nope.pcap"));
    // nothing created for a failed start
    assert_eq!(fs::read_dir(dir.path()).unwrap().count(), 0);
}

#[test]
fn not_a_capture_shows_the_magic() {
    let dir = tempfile::tempdir().unwrap();
    let bogus = dir.path().join("x.pcap");
    fs::write(&bogus, b"hello world").unwrap();
    let err = extract(ExtractOptions::new(&bogus).nofile(true)).unwrap_err();
    assert!(matches!(err, Error::Capture { .. }), "{err}");
    assert!(err.to_string().contains("68 65 6c 6c"), "{err}");
}

#[test]
fn unwritable_output_names_the_path() {
    let dir = tempfile::tempdir().unwrap();
    let file = dir.path().join("f");
    fs::write(&file, b"").unwrap();
    let target = file.join("sub").join("out");
    let err = extract(ExtractOptions::new(http()).fout(&target).format(JSON)).unwrap_err();
    assert!(matches!(err, Error::Output(_)), "{err}");
    assert!(err.to_string().starts_with("cannot write "), "{err}");
    assert!(err.to_string().contains(&*file.to_string_lossy()), "{err}");
}

#[test]
fn any_reader_and_any_writer() {
    let out = Shared::default();
    let ex = extract(
        ExtractOptions::default()
            .fin_reader(std::io::Cursor::new(fs::read(http()).unwrap()), "memory")
            .fout_writer(out.clone(), "buffer")
            .format("jsonl"),
    )
    .unwrap();
    assert_eq!(ex.input(), Path::new("memory"));
    assert_eq!(ex.output(), Some(Path::new("buffer")));
    let text = String::from_utf8(out.0.lock().unwrap().clone()).unwrap();
    assert_eq!(jsonl_frame_numbers(&text), one_to(http_frames()));
    assert!(text.starts_with("{\"block\":\"Global Header\","));
}

#[test]
fn packet_modes() {
    let count = |mode: PacketMode| {
        let out = Shared::default();
        extract(
            ExtractOptions::new(http())
                .fout_writer(out.clone(), "buffer")
                .format(JSON)
                .packets(mode)
                .layer("link"),
        )
        .unwrap();
        let doc: serde_json::Value = serde_json::from_slice(&out.0.lock().unwrap()).unwrap();
        let frame = doc["Frame 1"].clone();
        (
            frame.get("packet").is_some(),
            frame["ethernet"].get("packet").is_some(),
            frame["ethernet"]["raw"].get("packet").is_some(),
        )
    };
    assert_eq!(count(PacketMode::All), (true, true, true));
    assert_eq!(count(PacketMode::Frame), (true, false, false));
    assert_eq!(count(PacketMode::None), (false, false, false));
}

#[test]
fn interrupt_closes_the_output() {
    let dir = tempfile::tempdir().unwrap();
    let flag = Arc::new(AtomicBool::new(false));
    let trigger = Arc::clone(&flag);
    let out = dir.path().join("o.json");
    let err = extract(
        ExtractOptions::new(http())
            .fout(&out)
            .format(JSON)
            .interrupt(Arc::clone(&flag))
            .verbose_with(move |f| {
                if f.number() == 2 {
                    trigger.store(true, Ordering::Relaxed);
                }
            }),
    )
    .unwrap_err();
    assert!(matches!(err, Error::Interrupted { frames: 2 }), "{err}");
    assert_eq!(json_frame_numbers(&read_json(&out)), vec![1, 2]);
}

#[test]
fn trace_needs_tcp() {
    let err = extract(ExtractOptions::new(http()).nofile(true).trace(true)).unwrap_err();
    assert!(err.to_string().contains("trace needs tcp"), "{err}");
    let err = extract(
        ExtractOptions::new(http())
            .nofile(true)
            .tcp(true)
            .trace(true)
            .trace_format("yaml"),
    )
    .unwrap_err();
    assert_eq!(
        err.to_string(),
        "unknown trace format \"yaml\": expected one of pcap, pcapng, json, jsonl, plist, tree"
    );
    let ex = extract(ExtractOptions::new(http()).nofile(true).strict(false)).unwrap();
    assert!(ex.reassembly().is_err());
    assert!(ex.trace().is_err());
}

#[test]
fn trace_without_tcp_reassembly() {
    // `tcp` is required by `trace` (PyPCAPKit), `tcp_reassembly(false)` keeps the TCP
    // reassembler off: same flows, no TCP datagrams.
    let dir = tempfile::tempdir().unwrap();
    let run = |reasm: bool, sub: &str| {
        extract(
            ExtractOptions::new(http())
                .nofile(true)
                .tcp(true)
                .tcp_reassembly(reasm)
                .trace(true)
                .trace_fout(dir.path().join(sub)),
        )
        .unwrap()
    };
    let with = run(true, "a");
    let without = run(false, "b");
    assert!(!with.reassembly().unwrap().tcp.as_ref().unwrap().is_empty());
    assert!(without.reassembly().is_err());
    let strip = |ex: &pcapkit::Extractor| -> Vec<Vec<u64>> {
        ex.trace()
            .unwrap()
            .iter()
            .map(|r| r.index.clone())
            .collect()
    };
    assert!(!strip(&with).is_empty());
    assert_eq!(strip(&with), strip(&without));
    // With IP reassembly on, only the TCP part is left out.
    let ex = extract(
        ExtractOptions::new(http())
            .nofile(true)
            .ip(true)
            .tcp(true)
            .tcp_reassembly(false)
            .trace(true)
            .trace_fout(dir.path().join("c")),
    )
    .unwrap();
    let r = ex.reassembly().unwrap();
    assert!(r.ipv4.is_some() && r.tcp.is_none());
}

#[test]
fn pcap_output_holds_the_frames_as_read() {
    let dir = tempfile::tempdir().unwrap();
    for (order, magic) in [
        ("big", [0xa1, 0xb2, 0xc3, 0xd4]),
        ("little", [0xd4, 0xc3, 0xb2, 0xa1]),
    ] {
        let out = dir.path().join(format!("{order}.pcap"));
        extract(
            ExtractOptions::new(http())
                .fout(&out)
                .format("pcap")
                .byteorder(order)
                .nanosecond(false),
        )
        .unwrap();
        let bytes = fs::read(&out).unwrap();
        assert_eq!(bytes[..4], magic);
        let mut a = Reader::open(http()).unwrap();
        let mut b = Reader::from_bytes(bytes, ReaderOptions::default()).unwrap();
        loop {
            let fa = a
                .next_frame()
                .unwrap()
                .map(|f| (f.timestamp, f.origlen, f.data.to_vec()));
            let fb = b
                .next_frame()
                .unwrap()
                .map(|f| (f.timestamp, f.origlen, f.data.to_vec()));
            assert_eq!(fa, fb);
            if fa.is_none() {
                break;
            }
        }
    }
    let out = dir.path().join("ns.pcap");
    extract(
        ExtractOptions::new(http())
            .fout(&out)
            .format("pcap")
            .byteorder("little")
            .nanosecond(true),
    )
    .unwrap();
    assert_eq!(fs::read(&out).unwrap()[..4], [0x4d, 0x3c, 0xb2, 0xa1]);
}

#[test]
fn pcapng_blocks_and_header() {
    let ng = committed("multi-section.pcapng");
    let out = Shared::default();
    let ex = extract(
        ExtractOptions::new(&ng)
            .fout_writer(out.clone(), "buffer")
            .format(JSON),
    )
    .unwrap();
    let doc: serde_json::Value = serde_json::from_slice(&out.0.lock().unwrap()).unwrap();
    let keys: Vec<&String> = doc.as_object().unwrap().keys().collect();
    assert!(keys.iter().any(|k| *k == "Section Header 2"), "{keys:?}");
    assert!(
        keys.iter().any(|k| *k == "Interface Description 2"),
        "{keys:?}"
    );
    assert_eq!(json_frame_numbers(&doc), one_to(ex.length()));
    let frame = &doc["Frame 1"];
    assert_eq!(frame["type"], "BlockType::Enhanced_Packet_Block [6]");
    assert_eq!(frame["section_number"], 1);
    assert!(frame["timestamp"].as_str().unwrap().ends_with("+00:00"));
    let Some(CaptureHeader::Pcapng {
        sections,
        interfaces,
    }) = ex.header()
    else {
        panic!("PCAPNG header expected")
    };
    assert_eq!(sections.len(), 2);
    assert!(interfaces.len() >= 2);
}
