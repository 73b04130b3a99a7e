//! Flow tracing through the facade: `extract` with the trace options (also with
//! `nofile` and with `layer` limiting the output), `Extractor::trace()`, and the
//! standalone `pcapkit::trace`.

use std::fs;
use std::path::PathBuf;

use pcapkit::pcapkit_core::Reader;
use pcapkit::pcapkit_protocols::{DissectOptions, dissect};
use pcapkit::{Error, ExtractOptions, FlowEnd, LINK, extract};

fn three_streams() -> PathBuf {
    pcapkit_testdata::shared_captures_dir().join("pcapplusplus__three_http_streams.pcap")
}

fn oracle_frames() -> Vec<Vec<u64>> {
    let p = pcapkit_testdata::shared_dir()
        .join("oracle")
        .join("pcapplusplus__three_http_streams.pcap.tcp_streams.json");
    let v: serde_json::Value = serde_json::from_slice(&fs::read(p).unwrap()).unwrap();
    v.as_array()
        .unwrap()
        .iter()
        .map(|s| {
            s["frames"]
                .as_array()
                .unwrap()
                .iter()
                .map(|n| n.as_u64().unwrap())
                .collect()
        })
        .collect()
}

#[test]
fn extract_traces_flows_with_nofile_and_with_a_layer_limit() {
    for layer in [None, Some(LINK)] {
        let dir = tempfile::tempdir().unwrap();
        let flows = dir.path().join("flows");
        let mut opts = ExtractOptions::new(three_streams())
            .nofile(true)
            .tcp(true)
            .trace(true)
            .trace_fout(&flows)
            .trace_format("pcapng")
            .trace_max_open(1);
        if let Some(l) = layer {
            opts = opts.layer(l);
        }
        let ex = extract(opts).unwrap();
        let index = ex.trace().unwrap();
        let got: Vec<Vec<u64>> = index.iter().map(|r| r.index.clone()).collect();
        assert_eq!(got, oracle_frames(), "layer {layer:?}");
        for r in &index {
            assert!(r.fpout.starts_with(&flows));
            assert!(r.fpout.to_string_lossy().ends_with(".pcapng"));
            let mut rd = Reader::open(&r.fpout).unwrap();
            let mut n = 0;
            while rd.next_frame().unwrap().is_some() {
                n += 1;
            }
            assert_eq!(n, r.index.len());
            assert!(matches!(r.end, FlowEnd::Fin | FlowEnd::Rst | FlowEnd::Eof));
        }
        let json: Vec<serde_json::Value> =
            serde_json::from_slice(&fs::read(flows.join("index.json")).unwrap()).unwrap();
        assert_eq!(json.len(), index.len());
        assert!(flows.join("index.csv").is_file());
    }
}

#[test]
fn trace_entry_point_feeds_on_its_own() {
    let dir = tempfile::tempdir().unwrap();
    let mut t = pcapkit::trace(dir.path(), "json", "big", true).unwrap();
    let mut r = Reader::open(three_streams()).unwrap();
    while let Some(raw) = r.next_frame().unwrap() {
        let p = dissect(raw.link_type, raw.data, &DissectOptions::default());
        t.feed(&raw, &p).unwrap();
    }
    let index = t.finish().unwrap();
    assert_eq!(
        index.iter().map(|r| r.index.clone()).collect::<Vec<_>>(),
        oracle_frames()
    );
    for r in &index {
        let doc: serde_json::Value = serde_json::from_slice(&fs::read(&r.fpout).unwrap()).unwrap();
        assert_eq!(doc.as_object().unwrap().len(), r.index.len());
    }
    assert!(matches!(
        pcapkit::trace(dir.path(), "yaml", "big", false),
        Err(Error::UnknownFormat(_))
    ));
    let err = pcapkit::trace(dir.path(), "pcap", "middle", false).unwrap_err();
    assert_eq!(
        err.to_string(),
        "invalid options: unknown byte order \"middle\": expected little, big or native"
    );
    let file = dir.path().join("f");
    fs::write(&file, b"").unwrap();
    assert!(matches!(
        pcapkit::trace(&file, "pcap", "native", false),
        Err(Error::Trace(_))
    ));
}
