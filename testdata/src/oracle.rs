//! The tshark oracle: `../shared/oracle/NAME.frames.jsonl`, one JSON object of tshark
//! field texts per frame.

use std::collections::BTreeMap;
use std::path::Path;

/// One frame of the oracle: tshark field name -> tshark text.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct OracleFrame(pub BTreeMap<String, String>);

impl OracleFrame {
    /// A field's text.
    pub fn get(&self, field: &str) -> Option<&str> {
        self.0.get(field).map(String::as_str)
    }

    /// A field parsed as an integer.
    pub fn int(&self, field: &str) -> Option<u64> {
        self.get(field).and_then(|v| v.parse().ok())
    }

    /// `frame.number`.
    pub fn number(&self) -> Option<u64> {
        self.int("frame.number")
    }

    /// `frame.time_epoch` (nine fractional digits), absent for records without a time
    /// (Simple Packet Blocks, custom blocks).
    pub fn time_epoch(&self) -> Option<&str> {
        self.get("frame.time_epoch")
    }

    /// `frame.len` (original length).
    pub fn frame_len(&self) -> Option<u64> {
        self.int("frame.len")
    }

    /// `frame.cap_len`.
    pub fn cap_len(&self) -> Option<u64> {
        self.int("frame.cap_len")
    }

    /// `frame.interface_id` (PCAPNG only).
    pub fn interface_id(&self) -> Option<u64> {
        self.int("frame.interface_id")
    }
}

/// The oracle frames of a capture (given by path or file name), `None` when tshark
/// could not read it (no oracle file). Panics on an unreadable or malformed oracle.
pub fn oracle_frames(capture: impl AsRef<Path>) -> Option<Vec<OracleFrame>> {
    let name = capture.as_ref().file_name()?.to_string_lossy().into_owned();
    let path = crate::shared_dir()
        .join("oracle")
        .join(format!("{name}.frames.jsonl"));
    let text = std::fs::read_to_string(&path).ok()?;
    let frames = text
        .lines()
        .filter(|l| !l.trim().is_empty())
        .map(|line| {
            let v: serde_json::Value = serde_json::from_str(line)
                .unwrap_or_else(|e| panic!("{}: bad JSON line: {e}", path.display()));
            let map = v
                .as_object()
                .unwrap_or_else(|| panic!("{}: not an object: {line}", path.display()))
                .iter()
                .map(|(k, v)| {
                    let text = v
                        .as_str()
                        .map(str::to_owned)
                        .unwrap_or_else(|| v.to_string());
                    (k.clone(), text)
                })
                .collect();
            OracleFrame(map)
        })
        .collect();
    Some(frames)
}
