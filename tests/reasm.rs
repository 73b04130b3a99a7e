//! Reassembly through the facade: `reassemble`, the Extractor's `ip`/`ipv4`/`ipv6`/
//! `tcp`/`strict`/`streams` options, the JSON Lines files, the stream export.

use std::path::PathBuf;

use pcapkit::pcapkit_reasm::{DatagramId, Protocol};
use pcapkit::{Error, ExtractOptions, extract, reassemble};
use serde_json::Value;

fn shared(name: &str) -> PathBuf {
    pcapkit_testdata::shared_captures_dir().join(name)
}

#[test]
fn reassemble_names_the_three_protocols() {
    for p in ["IPv4", "ipv6", "TCP"] {
        assert_eq!(
            reassemble(p, true).unwrap().protocol().to_lowercase(),
            p.to_lowercase()
        );
    }
    let err = reassemble("UDP", true).unwrap_err();
    assert!(
        matches!(err, Error::UnknownReassembly(ref p) if p == "UDP"),
        "{err}"
    );
}

#[test]
fn ip_option_reassembles_ipv4_fragments_like_wireshark() {
    let ex = extract(
        ExtractOptions::new(shared("pcapplusplus__ip4_fragments.pcap"))
            .nofile(true)
            .ip(true),
    )
    .unwrap();
    let r = ex.reassembly().unwrap();
    assert!(r.tcp.is_none());
    let v4 = r.ipv4.as_ref().unwrap();
    // tshark: six datagrams of 8320 bytes (frames 1-6, 7-12, ...).
    let complete: Vec<_> = v4.iter().filter(|d| d.completed).collect();
    assert_eq!(
        complete.len(),
        6,
        "{:?}",
        v4.iter().map(|d| &d.index).collect::<Vec<_>>()
    );
    assert!(complete.iter().all(|d| d.payload.len() == 8320));
    assert_eq!(complete[0].index, [1, 2, 3, 4, 5, 6]);
    let DatagramId::Ip { id, proto, .. } = complete[0].id else {
        panic!("ip id")
    };
    assert_eq!(proto.0, 17);
    assert!(id > 0);
    assert_eq!(complete[0].header.len(), 20);
    let stats = r.stats_of(Protocol::Ipv4).unwrap();
    assert_eq!(stats.completed, 6);
    assert_eq!(stats.evictions(), 0);
    assert_eq!(r.ipv6.as_ref().unwrap().len(), 0);
}

#[test]
fn strict_reports_incomplete_datagrams_and_non_strict_does_not() {
    // ip4_bad_fragment: a datagram that never completes.
    let cap = shared("pcapplusplus__ip4_bad_fragment.pcap");
    let strict = extract(ExtractOptions::new(&cap).nofile(true).ipv4(true)).unwrap();
    let lax = extract(
        ExtractOptions::new(&cap)
            .nofile(true)
            .ipv4(true)
            .strict(false),
    )
    .unwrap();
    let s = strict.reassembly().unwrap().ipv4.as_ref().unwrap();
    let l = lax.reassembly().unwrap().ipv4.as_ref().unwrap();
    let incomplete = s.iter().filter(|d| !d.completed).count();
    assert_eq!(l.iter().filter(|d| !d.completed).count(), 0);
    assert_eq!(s.len() - incomplete, l.len());
    let st = lax.reassembly().unwrap().stats_of(Protocol::Ipv4).unwrap();
    assert_eq!(st.incomplete_dropped as usize, incomplete);
}

#[test]
fn tcp_datagrams_and_jsonl_files() {
    let dir = tempfile::tempdir().unwrap();
    let prefix = dir.path().join("r");
    let cap = shared("pcapplusplus__one_http_stream_fin.pcap");
    let ex = extract(
        ExtractOptions::new(&cap)
            .nofile(true)
            .tcp(true)
            .ip(true)
            .reasm_fout(&prefix),
    )
    .unwrap();
    let tcp = ex.reassembly().unwrap().tcp.as_ref().unwrap();
    assert!(!tcp.is_empty());
    // The server's response (one run, ACK 368) comes out first, at its FIN (frame
    // 10); the client's request at the client's ACK change (frame 11).
    assert_eq!(tcp.len(), 2);
    assert_eq!(tcp[0].index, [6, 7, 8, 9]);
    assert_eq!(tcp[0].payload.len(), 3549);
    let first = &tcp[1];
    assert_eq!(first.index, [4]);
    assert_eq!(first.payload.len(), 367);
    assert!(first.completed);
    let chain = first.packet().unwrap().protocols().to_string();
    assert!(chain.starts_with("HTTP"), "{chain}");
    let text = std::fs::read_to_string(dir.path().join("r.tcp.jsonl")).unwrap();
    let lines: Vec<Value> = text
        .lines()
        .map(|l| serde_json::from_str(l).unwrap())
        .collect();
    assert_eq!(lines.len(), tcp.len());
    assert_eq!(lines[1]["completed"], true);
    assert_eq!(lines[1]["id"]["src"][1], 49486);
    assert_eq!(
        lines[1]["id"]["dst"],
        serde_json::json!(["77.67.44.206", 80])
    );
    assert_eq!(lines[1]["payload"]["type"], "bytes");
    assert!(
        lines[1]["packet"]["protocols"]
            .as_str()
            .unwrap()
            .starts_with("HTTP")
    );
    assert_eq!(
        lines[1]["index"].as_array().unwrap().len(),
        first.index.len()
    );
    // IPv4 and IPv6 files exist (empty: no fragments here).
    assert_eq!(std::fs::read(dir.path().join("r.ipv4.jsonl")).unwrap(), b"");
    assert_eq!(std::fs::read(dir.path().join("r.ipv6.jsonl")).unwrap(), b"");
}

#[test]
fn stream_export_matches_wireshark_follow() {
    let dir = tempfile::tempdir().unwrap();
    let flows = dir.path().join("flows");
    let name = "pcapplusplus__three_http_streams.pcap";
    let ex = extract(
        ExtractOptions::new(shared(name))
            .nofile(true)
            .streams(&flows),
    )
    .unwrap();
    assert!(ex.reassembly().unwrap().tcp.is_none());
    let index: Value =
        serde_json::from_str(&std::fs::read_to_string(flows.join("index.json")).unwrap()).unwrap();
    let oracle: Value = serde_json::from_str(
        &std::fs::read_to_string(
            pcapkit_testdata::shared_dir().join(format!("oracle/{name}.tcp_streams.json")),
        )
        .unwrap(),
    )
    .unwrap();
    let ours = index.as_array().unwrap();
    let theirs = oracle.as_array().unwrap();
    assert_eq!(ours.len(), theirs.len());
    for (o, t) in ours.iter().zip(theirs) {
        assert_eq!(o["a"], t["a"]);
        assert_eq!(o["b"], t["b"]);
        for (side, their) in [("c2s", "a_to_b"), ("s2c", "b_to_a")] {
            assert_eq!(o[side]["bytes"], t[their]["bytes"]);
            assert_eq!(o[side]["sha256"], t[their]["sha256"]);
            let file = flows.join(o[side]["file"].as_str().unwrap());
            assert_eq!(
                std::fs::metadata(&file).unwrap().len(),
                t[their]["bytes"].as_u64().unwrap()
            );
        }
    }
    assert!(ours[0]["c2s"]["file"].as_str().unwrap().ends_with(".c2s"));
}

#[test]
fn layer_stop_does_not_hide_fragments_from_reassembly() {
    let ex = extract(
        ExtractOptions::new(shared("pcapplusplus__ip4_fragments.pcap"))
            .nofile(true)
            .layer("link")
            .ipv4(true),
    )
    .unwrap();
    let v4 = ex.reassembly().unwrap().ipv4.as_ref().unwrap();
    assert_eq!(v4.iter().filter(|d| d.completed).count(), 6);
}
