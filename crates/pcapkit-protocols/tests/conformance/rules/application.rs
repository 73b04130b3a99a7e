//! Conformance rules for the application family (HTTP/1.x, HTTP/2, FTP).
//!
//! tshark reports the HTTP/2 fields of every frame of a segment joined with `,`; our
//! `frames` list gives the same. FTP fields describe the first line of a payload, as
//! tshark's do.

use serde_json::Value;

use super::{Rule, at, field, text};

/// A non-empty string at `path`.
fn non_empty(v: &Value, path: &str) -> Option<String> {
    field(v, path).filter(|s| !s.is_empty())
}

/// The HTTP/1 `receipt` if it is of `kind` (`REQUEST` / `RESPONSE`).
fn receipt<'v>(v: &'v Value, kind: &str) -> Option<&'v Value> {
    let r = v.get("receipt")?;
    r.get("type")?.as_str()?.contains(kind).then_some(r)
}

/// The FTP layer if it is of `kind` (`REQUEST` / `RESPONSE`).
fn ftp<'v>(v: &'v Value, kind: &str) -> Option<&'v Value> {
    v.get("type")?.as_str()?.contains(kind).then_some(v)
}

/// `f` of every HTTP/2 frame, joined.
fn frames(v: &Value, f: fn(&Value) -> Option<String>) -> Option<String> {
    let vals: Vec<String> = v.get("frames")?.as_array()?.iter().filter_map(f).collect();
    (!vals.is_empty()).then(|| vals.join(","))
}

/// A frame's flags byte, from its flag object (`null`: no flags).
fn frame_flags(f: &Value) -> Option<String> {
    const BITS: [(&str, u8); 5] = [
        ("END_STREAM", 0x01),
        ("ACK", 0x01),
        ("END_HEADERS", 0x04),
        ("PADDED", 0x08),
        ("PRIORITY", 0x20),
    ];
    let flags = f.get("flags")?;
    let b = BITS
        .iter()
        .filter(|(name, _)| flags.get(name).and_then(Value::as_bool) == Some(true))
        .fold(0u8, |acc, (_, bit)| acc | bit);
    Some(format!("0x{b:02x}"))
}

/// The rules.
pub const RULES: &[Rule] = &[
    Rule {
        field: "http.request.method",
        key: "http",
        get: |v| field(receipt(v, "REQUEST")?, "method"),
    },
    Rule {
        field: "http.request.uri",
        key: "http",
        get: |v| non_empty(receipt(v, "REQUEST")?, "uri"),
    },
    Rule {
        field: "http.request.version",
        key: "http",
        get: |v| non_empty(receipt(v, "REQUEST")?, "version").map(|s| format!("HTTP/{s}")),
    },
    Rule {
        field: "http.response.code",
        key: "http",
        get: |v| field(receipt(v, "RESPONSE")?, "status"),
    },
    Rule {
        field: "http.response.phrase",
        key: "http",
        get: |v| non_empty(receipt(v, "RESPONSE")?, "message"),
    },
    Rule {
        field: "http.response.version",
        key: "http",
        get: |v| non_empty(receipt(v, "RESPONSE")?, "version").map(|s| format!("HTTP/{s}")),
    },
    Rule {
        field: "http2.type",
        key: "http",
        get: |v| frames(v, |f| at(f, "type").and_then(text)),
    },
    Rule {
        field: "http2.streamid",
        key: "http",
        get: |v| frames(v, |f| field(f, "sid")),
    },
    Rule {
        field: "http2.length",
        key: "http",
        get: |v| frames(v, |f| field(f, "length")),
    },
    Rule {
        field: "http2.flags",
        key: "http",
        get: |v| frames(v, frame_flags),
    },
    Rule {
        field: "ftp.request.command",
        key: "ftp",
        get: |v| field(ftp(v, "REQUEST")?, "cmmd"),
    },
    Rule {
        field: "ftp.request.arg",
        key: "ftp",
        get: |v| non_empty(ftp(v, "REQUEST")?, "args"),
    },
    Rule {
        field: "ftp.response.code",
        key: "ftp",
        get: |v| field(ftp(v, "RESPONSE")?, "code"),
    },
    Rule {
        field: "ftp.response.arg",
        key: "ftp",
        get: |v| non_empty(ftp(v, "RESPONSE")?, "args"),
    },
];
