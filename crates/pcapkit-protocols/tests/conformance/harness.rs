//! Runs the rules over every capture that has an oracle and reports agreement.

use std::collections::{BTreeMap, HashMap};
use std::fmt::Write as _;
use std::fs;
use std::path::Path;

use pcapkit_core::LinkType;
use pcapkit_protocols::{DissectOptions, Protocol, SerOptions, dissect};
use serde_json::Value;

use super::rules::Rule;

/// One frame as the harness needs it.
pub struct Frame {
    pub link_type: LinkType,
    pub data: Vec<u8>,
}

/// Reads all frames of a capture (stops at the first damaged record, like tshark).
fn read_frames(path: &Path) -> Vec<Frame> {
    let mut out = Vec::new();
    let Ok(mut reader) = pcapkit_core::Reader::open(path) else {
        return out;
    };
    while let Ok(Some(f)) = reader.next_frame() {
        out.push(Frame {
            link_type: f.link_type,
            data: f.data.to_vec(),
        });
    }
    out
}

#[derive(Default)]
struct Tally {
    compared: usize,
    agree: usize,
    allowed: usize,
    unexpected: usize,
}

struct Allowlist(Vec<(String, String, String)>);

impl Allowlist {
    fn load() -> Self {
        let path = Path::new(env!("CARGO_MANIFEST_DIR")).join("tests/conformance/allowlist.tsv");
        let text = fs::read_to_string(&path).unwrap_or_default();
        let rows = text
            .lines()
            .filter(|l| !l.trim().is_empty() && !l.starts_with('#'))
            .filter_map(|l| {
                let mut cols = l.split('\t');
                let cap = cols.next()?.to_owned();
                let frame = cols.next()?.to_owned();
                let field = cols.next()?.to_owned();
                let reason = cols.next().unwrap_or_default();
                assert!(
                    !reason.trim().is_empty(),
                    "allowlist row without a reason: {l}"
                );
                Some((cap, frame, field))
            })
            .collect();
        Self(rows)
    }

    fn allows(&self, capture: &str, frame: usize, field: &str) -> bool {
        self.0.iter().any(|(c, f, fl)| {
            (c == "*" || c == capture)
                && (f == "*" || f.parse::<usize>().ok() == Some(frame))
                && fl == field
        })
    }
}

/// Walks `v` in document order (outer layers first) and collects, per tshark field,
/// the values the rules read from every layer object they apply to.
fn collect<'r>(v: &Value, rules: &[&'r Rule], out: &mut BTreeMap<&'r str, Vec<String>>) {
    if let Value::Object(map) = v {
        for (k, child) in map {
            if child.is_object() {
                for rule in rules.iter().filter(|r| r.key == k) {
                    if let Some(value) = (rule.get)(child) {
                        out.entry(rule.field).or_default().push(value);
                    }
                }
            }
            collect(child, rules, out);
        }
    }
}

pub fn run(rules: &[&Rule]) {
    // Third-party captures with the shared oracle, and the captures our own code crafts
    // (testdata/captures) with theirs (testdata/oracle, made by ../shared/tools/oracle.py).
    let ours = pcapkit_testdata::committed_captures_dir();
    let sources = [
        (
            pcapkit_testdata::shared_captures_dir(),
            pcapkit_testdata::shared_dir().join("oracle"),
        ),
        (ours.clone(), ours.join("..").join("oracle")),
    ];
    let allow = Allowlist::load();
    let mut tallies: BTreeMap<&str, Tally> = BTreeMap::new();
    let mut failures = Vec::new();
    let (mut frames_total, mut raw_total, mut raw_decodable) = (0usize, 0usize, 0usize);
    // Where the raw share comes from: tshark's last protocol of those frames, with our
    // chain's last decoded token, counted.
    let mut raw_causes: BTreeMap<(String, String), usize> = BTreeMap::new();
    // Of those, frames whose tshark chain ends with the protocol we decoded last: the raw
    // part is a trailer/padding or a body tshark shows inside that same protocol (ARP
    // padding, OSPF LSAs, L2TP AVPs), not a further protocol.
    let mut raw_same_last = 0usize;

    let mut names: Vec<(&Path, &Path, String)> = sources
        .iter()
        .flat_map(|(captures, oracle)| {
            fs::read_dir(captures)
                .expect("captures directory")
                .filter_map(|e| e.ok())
                .map(move |e| {
                    (
                        captures.as_path(),
                        oracle.as_path(),
                        e.file_name().to_string_lossy().into_owned(),
                    )
                })
        })
        .filter(|(_, _, n)| n != "MANIFEST.tsv")
        .collect();
    names.sort();
    let mut checked = 0;
    for (captures, oracle_dir, name) in &names {
        let name = name.as_str();
        let oracle_path = oracle_dir.join(format!("{name}.frames.jsonl"));
        let Ok(oracle_text) = fs::read_to_string(&oracle_path) else {
            continue; // tshark cannot read it: the core tests cover such files
        };
        checked += 1;
        let mut oracle: Vec<HashMap<String, String>> = oracle_text
            .lines()
            .map(|l| serde_json::from_str(l).expect("oracle line"))
            .collect();
        // tshark lists PCAPNG Custom Blocks as records; they carry no interface id and
        // are not frames (the reader hands them out as blocks).
        if name.ends_with(".pcapng") && oracle.iter().any(|r| r.contains_key("frame.interface_id"))
        {
            oracle.retain(|r| r.contains_key("frame.interface_id"));
        }
        let frames = read_frames(&captures.join(name));
        for (i, frame) in frames.iter().enumerate() {
            let number = i + 1;
            let Some(theirs) = oracle.get(i) else { break };
            let packet = dissect(frame.link_type, &frame.data, &DissectOptions::default());
            let value = serde_json::to_value(packet.layers_view(SerOptions {
                layer_packets: false,
            }))
            .expect("serialize");
            frames_total += 1;
            if let Some(last) = packet.layers().last()
                && matches!(last.header, Protocol::Raw(_))
            {
                raw_total += 1;
                let tshark_last = theirs
                    .get("frame.protocols")
                    .and_then(|p| p.rsplit(':').next())
                    .unwrap_or("");
                if tshark_last != "data" && !tshark_last.is_empty() {
                    raw_decodable += 1;
                    // Our last decoded header (not raw / empty), its last chain token.
                    let ours = packet
                        .layers()
                        .iter()
                        .rev()
                        .find(|l| !matches!(l.header, Protocol::Raw(_) | Protocol::NoPayload(_)))
                        .map(|l| {
                            let mut t = String::new();
                            let _ = l.header.write_token(&mut t);
                            t.rsplit(':').next().unwrap_or_default().to_owned()
                        })
                        .unwrap_or_else(|| "-".to_owned());
                    if same_protocol(tshark_last, &ours) {
                        raw_same_last += 1;
                    }
                    *raw_causes
                        .entry((tshark_last.to_owned(), ours))
                        .or_default() += 1;
                }
            }
            let mut ours_by_field = BTreeMap::new();
            collect(&value, rules, &mut ours_by_field);
            let mut fields: Vec<&str> = rules.iter().map(|r| r.field).collect();
            fields.sort_unstable();
            fields.dedup();
            for field in fields {
                let ours = ours_by_field.get(field).map(|v| v.join(","));
                let theirs = theirs.get(field);
                if ours.is_none() && theirs.is_none() {
                    continue;
                }
                let t = tallies.entry(field).or_default();
                t.compared += 1;
                if ours.as_deref() == theirs.map(String::as_str) {
                    t.agree += 1;
                } else if allow.allows(name, number, field) {
                    t.allowed += 1;
                } else {
                    t.unexpected += 1;
                    failures.push(format!(
                        "{name}\t{number}\t{field}\tours={ours:?} tshark={theirs:?}\t({})",
                        packet.protocols()
                    ));
                }
            }
        }
    }
    assert!(checked > 0, "no capture with an oracle found");

    let mut table = String::new();
    let _ = writeln!(
        table,
        "{:<36} {:>8} {:>8} {:>8} {:>8}",
        "field", "compared", "agree", "allowed", "WRONG"
    );
    for (field, t) in &tallies {
        let _ = writeln!(
            table,
            "{field:<36} {:>8} {:>8} {:>8} {:>8}",
            t.compared, t.agree, t.allowed, t.unexpected
        );
    }
    let _ = writeln!(
        table,
        "\n{checked} captures, {frames_total} frames; chain ends in raw: {raw_total}, of which tshark decodes further: {raw_decodable} ({:.1}%)",
        100.0 * raw_decodable as f64 / frames_total.max(1) as f64
    );
    let _ = writeln!(
        table,
        "of those, tshark's last protocol is the one we decoded last (padding, trailer or that protocol's own body): {raw_same_last}; tshark decodes a further protocol: {} ({:.1}%)",
        raw_decodable - raw_same_last,
        100.0 * (raw_decodable - raw_same_last) as f64 / frames_total.max(1) as f64
    );
    let mut causes: Vec<_> = raw_causes.into_iter().collect();
    causes.sort_by(|a, b| b.1.cmp(&a.1).then_with(|| a.0.cmp(&b.0)));
    let _ = writeln!(
        table,
        "raw although tshark decodes further, by tshark's last protocol (after our last token):"
    );
    for ((theirs, ours), n) in causes.iter().take(25) {
        let _ = writeln!(table, "  {n:>6}  {theirs:<24} after {ours}");
    }
    println!("{table}");
    if !failures.is_empty() {
        let shown: Vec<_> = failures.iter().take(60).cloned().collect();
        panic!(
            "{} field disagreements with tshark not in tests/conformance/allowlist.tsv (first {}):\n{}",
            failures.len(),
            shown.len(),
            shown.join("\n")
        );
    }
}

/// Whether tshark's protocol name `theirs` (`arp`, `ospf`) is our chain token `ours`.
fn same_protocol(theirs: &str, ours: &str) -> bool {
    let ours = ours.to_ascii_lowercase();
    theirs == ours
        || matches!(
            (theirs, ours.as_str()),
            ("ospf", "ospfv2" | "ospfv3")
                | ("ip", "ipv4")
                | ("eth", "ethernet")
                | ("wlan", "802.11")
        )
}
