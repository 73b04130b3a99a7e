//! Serialised headers and blocks use PyPCAPKit's field names and layout: compared with
//! PyPCAPKit's own output in `../shared/golden` (bytes compared as hex).

use pcapkit_core::{Reader, ReaderOptions, Record};
use serde_json::{Map, Value, json};

/// Golden bytes objects -> hex strings.
fn norm_golden(v: &mut Value) {
    match v {
        Value::Object(m) => {
            if m.get("type") == Some(&json!("bytes")) {
                *v = m.get("hex").cloned().unwrap_or(Value::Null);
                return;
            }
            m.values_mut().for_each(norm_golden);
        }
        Value::Array(a) => a.iter_mut().for_each(norm_golden),
        _ => {}
    }
}

/// Our byte arrays (serde_json writes bytes as arrays of numbers) -> hex strings.
fn norm_ours(v: &mut Value, key: &str) {
    match v {
        Value::Object(m) => {
            for (k, x) in m.iter_mut() {
                norm_ours(x, k);
            }
        }
        Value::Array(a) => {
            let bytes = key != "value" && a.iter().all(|x| x.as_u64().is_some_and(|n| n < 256));
            if bytes && (!a.is_empty() || key != "records") {
                *v = Value::String(
                    a.iter()
                        .map(|x| format!("{:02x}", x.as_u64().unwrap()))
                        .collect(),
                );
            } else {
                a.iter_mut().for_each(|x| norm_ours(x, key));
            }
        }
        _ => {}
    }
}

/// Our blocks named like PyPCAPKit's ("Section Header 1", ...), without frames.
fn our_blocks(path: &std::path::Path) -> Vec<(String, Value)> {
    let mut r = Reader::open_with(path, ReaderOptions::default()).unwrap();
    let mut out = Vec::new();
    let mut counts: Map<String, Value> = Map::new();
    while let Some(rec) = r.next_record().unwrap() {
        let (prefix, mut v) = match rec {
            Record::PcapHeader(h) => ("Global Header".to_owned(), serde_json::to_value(h).unwrap()),
            Record::Block(b) => {
                if matches!(b, pcapkit_core::Block::SectionHeader(_)) {
                    counts.retain(|k, _| k == "Section Header");
                }
                (
                    b.pypcapkit_name().to_owned(),
                    serde_json::to_value(&b).unwrap(),
                )
            }
            Record::Frame(_) => continue,
        };
        norm_ours(&mut v, "");
        let n = counts.entry(prefix.clone()).or_insert(json!(0));
        *n = json!(n.as_u64().unwrap() + 1);
        let name = if prefix == "Global Header" {
            prefix
        } else {
            format!("{prefix} {n}")
        };
        out.push((name, v));
    }
    out
}

fn golden(name: &str) -> Map<String, Value> {
    let path = pcapkit_testdata::shared_dir()
        .join("golden")
        .join(format!("{name}.json"));
    let mut v: Value = serde_json::from_str(&std::fs::read_to_string(path).unwrap()).unwrap();
    norm_golden(&mut v);
    match v {
        Value::Object(m) => m,
        _ => panic!(),
    }
}

/// Drops ISO `timestamp` strings: Python's datetime rounds to microseconds where we
/// print the nanoseconds captured (`timestamp_epoch`, exact in both, is compared).
fn drop_iso_times(v: &mut Value) {
    match v {
        Value::Object(m) => {
            m.retain(|k, x| !(k == "timestamp" && x.is_string()));
            m.values_mut().for_each(drop_iso_times);
        }
        Value::Array(a) => a.iter_mut().for_each(drop_iso_times),
        _ => {}
    }
}

fn compare(name: &str, skip: &[&str]) {
    let g = golden(name);
    let ours = our_blocks(&pcapkit_testdata::shared_captures_dir().join(name));
    assert!(!ours.is_empty());
    for (block, mut v) in ours {
        let mut want = g
            .get(&block)
            .unwrap_or_else(|| panic!("{name}: golden lacks {block}"))
            .clone();
        for k in skip.iter().chain(&["packet"]) {
            v.as_object_mut().unwrap().remove(*k);
            want.as_object_mut().unwrap().remove(*k);
        }
        drop_iso_times(&mut v);
        drop_iso_times(&mut want);
        assert_eq!(v, want, "{name}: {block}");
    }
}

#[test]
fn pcap_global_header() {
    compare("arkime__bigendian.pcap", &[]);
    compare("pypcapkit__in.pcap", &[]);
}

#[test]
fn pcapng_sections_and_interfaces() {
    compare("libpcap__rarp_req_reply.pcapng", &[]);
    compare("pcapngtest__le_basic_test001.pcapng", &[]);
    compare("pcapngtest__le_basic_test006.pcapng", &[]);
    compare("pcapngtest__le_basic_test013.pcapng", &[]);
    compare("pcapngtest__le_basic_test014.pcapng", &[]);
    compare("pcapplusplus__many_interfaces-1.pcapng", &[]);
    compare("pcapplusplus__pcapng-example.pcapng", &[]);
    compare("zeek__pcapng-multi-interface.pcapng", &[]);
}

/// The top-level keys of a JSON object text, in order.
fn top_keys(text: &str) -> Vec<String> {
    let (mut depth, mut keys, mut in_str, mut esc, mut cur) =
        (0, Vec::new(), false, false, String::new());
    let mut expect_key = false;
    for c in text.chars() {
        if in_str {
            if esc {
                esc = false;
            } else if c == '\\' {
                esc = true;
            } else if c == '"' {
                in_str = false;
                if depth == 1 && expect_key {
                    keys.push(std::mem::take(&mut cur));
                    expect_key = false;
                }
            } else if depth == 1 && expect_key {
                cur.push(c);
            }
            continue;
        }
        match c {
            '"' => in_str = true,
            '{' | '[' => {
                depth += 1;
                expect_key = depth == 1;
            }
            '}' | ']' => depth -= 1,
            ',' if depth == 1 => expect_key = true,
            _ => {}
        }
    }
    keys
}

fn first_block(name: &str, prefix: &str) -> (Value, String) {
    let path = pcapkit_testdata::shared_captures_dir().join(name);
    let mut r = Reader::open(&path).unwrap();
    while let Some(rec) = r.next_record().unwrap() {
        if let Record::Block(b) = rec {
            if b.pypcapkit_name() == prefix {
                return (
                    serde_json::to_value(&b).unwrap(),
                    serde_json::to_string(&b).unwrap(),
                );
            }
        }
    }
    panic!("{name}: no {prefix} block");
}

#[test]
fn decryption_secrets() {
    let (v, text) = first_block("ndpi__quic-33.pcapng", "Decryption Secrets");
    assert_eq!(
        top_keys(&text),
        [
            "type",
            "length",
            "secrets_type",
            "secrets_length",
            "secrets_data",
            "options",
            "packet"
        ]
    );
    assert_eq!(
        v["secrets_type"],
        json!("SecretsType::TLS_Key_Log [1414288203]")
    );
    assert_eq!(v["secrets_length"], json!(6478));
    let entries = v["secrets_data"]["entries"].as_object().unwrap();
    let shts = entries["SERVER_HANDSHAKE_TRAFFIC_SECRET"]
        .as_object()
        .unwrap();
    // client randoms as hex keys, secrets as bytes (32 for these TLS 1.3 secrets)
    let (random, secrets) = shts.iter().next().unwrap();
    assert_eq!(random.len(), 64);
    assert_eq!(secrets[0].as_array().unwrap().len(), 32);
}

#[test]
fn name_resolution_records_and_mappings() {
    let (v, text) = first_block("pcapngtest__le_basic_test015.pcapng", "Name Resolution");
    assert_eq!(
        top_keys(&text),
        [
            "type",
            "length",
            "records",
            "options",
            "mapping",
            "reverse_mapping",
            "packet"
        ]
    );
    let v4 = v["records"]["RecordType::nrb_record_ipv4 [1]"]
        .as_array()
        .unwrap();
    assert_eq!(v4[0]["ip"], json!("192.168.1.2"));
    assert_eq!(
        v4[0]["records"],
        json!({"type": "tuple", "value": ["example.com"]})
    );
    assert!(v["records"]["RecordType::nrb_record_end [0]"].is_array());
    // every record is mapped (PyPCAPKit keeps only the first)
    assert_eq!(v["mapping"]["192.168.1.2"], json!(["example.com"]));
    assert_eq!(
        v["mapping"].as_object().unwrap().len(),
        v["reverse_mapping"].as_object().unwrap().len()
    );
    assert!(v["mapping"].as_object().unwrap().len() >= 3);
}

#[test]
fn custom_block_and_key_orders() {
    let (v, text) = first_block("pcapngtest__le_basic_test017.pcapng", "Custom");
    assert_eq!(top_keys(&text), ["type", "length", "pen", "data", "packet"]);
    assert_eq!(
        v["type"],
        json!("BlockType::Custom_Block_that_rewriters_can_copy_into_new_files [2989]")
    );
    assert_eq!(v["pen"], json!(32473));
    let (_, text) = first_block("pcapngtest__le_basic_test001.pcapng", "Section Header");
    assert_eq!(
        top_keys(&text),
        [
            "type",
            "length",
            "byteorder",
            "version",
            "section_length",
            "options",
            "packet"
        ]
    );
    let (_, text) = first_block(
        "pcapngtest__le_basic_test001.pcapng",
        "Interface Description",
    );
    assert_eq!(
        top_keys(&text),
        ["type", "length", "linktype", "snaplen", "options", "packet"]
    );
    let (_, text) = first_block(
        "pcapngtest__le_basic_test013.pcapng",
        "Interface Statistics",
    );
    assert_eq!(
        top_keys(&text),
        [
            "type",
            "length",
            "interface_id",
            "timestamp",
            "timestamp_epoch",
            "options",
            "packet"
        ]
    );
    let h =
        Reader::open(pcapkit_testdata::shared_captures_dir().join("pypcapkit__in.pcap")).unwrap();
    let text = serde_json::to_string(h.pcap_header().unwrap()).unwrap();
    assert_eq!(
        top_keys(&text),
        [
            "magic_number",
            "version",
            "thiszone",
            "sigfigs",
            "snaplen",
            "network",
            "packet"
        ]
    );
}
