//! Helpers shared by the facade's integration tests.
#![allow(dead_code)]

use std::collections::BTreeMap;
use std::path::{Path, PathBuf};
use std::process::Command;

/// The frame numbers of each `.json`, `.jsonl` and `.plist` file of `dir`, in
/// document order, as Python's `json` and `plistlib` read them. Panics (fails the
/// test) when `python3` is missing or a file does not parse.
pub fn python_frame_numbers(dir: &Path) -> BTreeMap<String, Vec<u64>> {
    let script = r#"
import json, os, plistlib, re, sys
d = sys.argv[1]
res = {}
for name in sorted(os.listdir(d)):
    p = os.path.join(d, name)
    if name.endswith('.json'):
        with open(p, encoding='utf-8') as f:
            keys = list(json.load(f))
    elif name.endswith('.plist'):
        with open(p, 'rb') as f:
            keys = list(plistlib.load(f))
    elif name.endswith('.jsonl'):
        with open(p, encoding='utf-8') as f:
            keys = [json.loads(line)['block'] for line in f]
    else:
        continue
    res[name] = [int(k[6:]) for k in keys if re.fullmatch(r'Frame \d+', k)]
print(json.dumps(res))
"#;
    let out = Command::new("python3")
        .arg("-c")
        .arg(script)
        .arg(dir)
        .output()
        .unwrap_or_else(|e| panic!("python3 is needed to check the outputs: {e}"));
    assert!(
        out.status.success(),
        "python3 could not read the outputs in {}:\n{}",
        dir.display(),
        String::from_utf8_lossy(&out.stderr)
    );
    serde_json::from_slice(&out.stdout).expect("python3 printed JSON")
}

/// Frame numbers of a tree text, in order (`Frame N` lines).
pub fn tree_frame_numbers(text: &str) -> Vec<u64> {
    text.lines()
        .filter_map(|l| l.strip_prefix("Frame "))
        .filter_map(|n| n.parse().ok())
        .collect()
}

/// Frame numbers of a JSON document (any order: serde_json's map is sorted).
pub fn json_frame_numbers(doc: &serde_json::Value) -> Vec<u64> {
    let mut n: Vec<u64> = doc
        .as_object()
        .expect("a JSON object")
        .keys()
        .filter_map(|k| k.strip_prefix("Frame "))
        .filter_map(|n| n.parse().ok())
        .collect();
    n.sort_unstable();
    n
}

/// Frame numbers of a JSON Lines output, in order.
pub fn jsonl_frame_numbers(text: &str) -> Vec<u64> {
    text.lines()
        .map(|l| serde_json::from_str::<serde_json::Value>(l).expect("a JSON line"))
        .filter_map(|v| {
            v["block"]
                .as_str()
                .and_then(|b| b.strip_prefix("Frame "))
                .and_then(|n| n.parse().ok())
        })
        .collect()
}

/// Frame numbers of a plist document, in order.
pub fn plist_frame_numbers(path: &Path) -> Vec<u64> {
    let v: plist::Value =
        plist::from_file(path).unwrap_or_else(|e| panic!("{} is not a plist: {e}", path.display()));
    v.as_dictionary()
        .expect("a plist dict")
        .keys()
        .filter_map(|k| k.strip_prefix("Frame "))
        .filter_map(|n| n.parse().ok())
        .collect()
}

/// `1..=n`.
pub fn one_to(n: u64) -> Vec<u64> {
    (1..=n).collect()
}

/// A capture committed in this repository.
pub fn committed(name: &str) -> PathBuf {
    pcapkit_testdata::committed_captures_dir().join(name)
}
