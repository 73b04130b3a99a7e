//! Conformance rules for the application family (HTTP/1.x, HTTP/2, FTP): tshark field ->
//! our layer key and value.
//!
//! Written before the harness landed on main, in the same style as `link.rs`: it
//! assumes `Rule { field, key, get: fn(&Value) -> Option<String> }` in `rules/mod.rs` and
//! uses local helpers. tshark reports the HTTP/2 fields of every frame of a segment
//! joined with `,`; our `frames` list gives the same.

use serde_json::Value;

use super::Rule;

/// The number between the brackets of an enum text (`Frame::DATA [0]` -> 0), or the
/// value itself when it is a number.
fn num(v: &Value) -> Option<u64> {
    match v {
        Value::Number(n) => n.as_u64(),
        Value::String(s) => s
            .rsplit_once('[')
            .and_then(|(_, r)| r.strip_suffix(']'))
            .and_then(|n| n.parse().ok()),
        _ => None,
    }
}

/// The text between the brackets of an enum text (`Method::GET [GET]` -> `GET`).
fn member_value(v: &Value) -> Option<String> {
    let s = v.as_str()?;
    let (_, r) = s.rsplit_once(" [")?;
    r.strip_suffix(']').map(str::to_owned)
}

/// A non-empty string field.
fn text(v: &Value, name: &str) -> Option<String> {
    v.get(name)?.as_str().filter(|s| !s.is_empty()).map(str::to_owned)
}

/// The `receipt` of an HTTP/1 layer if it is of `kind` (`REQUEST` / `RESPONSE`).
fn receipt<'v>(v: &'v Value, kind: &str) -> Option<&'v Value> {
    let r = v.get("receipt")?;
    r.get("type")?.as_str()?.contains(kind).then_some(r)
}

/// A field of every HTTP/2 frame, joined.
fn frames(v: &Value, f: fn(&Value) -> Option<String>) -> Option<String> {
    let vals: Vec<String> = v.get("frames")?.as_array()?.iter().filter_map(f).collect();
    (!vals.is_empty()).then(|| vals.join(","))
}

/// The flags byte of a frame, from its flag object (`null`: 0).
fn frame_flags(f: &Value) -> Option<String> {
    let bits = [("END_STREAM", 0x01), ("ACK", 0x01), ("END_HEADERS", 0x04), ("PADDED", 0x08), ("PRIORITY", 0x20)];
    let flags = f.get("flags")?;
    let b = bits
        .iter()
        .filter(|(name, _)| flags.get(name).and_then(Value::as_bool) == Some(true))
        .fold(0u8, |acc, (_, bit)| acc | bit);
    Some(format!("0x{b:02x}"))
}

/// The FTP layer if it is of `kind` (`REQUEST` / `RESPONSE`).
fn ftp<'v>(v: &'v Value, kind: &str) -> Option<&'v Value> {
    v.get("type")?.as_str()?.contains(kind).then_some(v)
}

/// The rules.
pub const RULES: &[Rule] = &[
    Rule {
        field: "http.request.method",
        key: "http",
        get: |v| member_value(receipt(v, "REQUEST")?.get("method")?.get("enum")?),
    },
    Rule { field: "http.request.uri", key: "http", get: |v| text(receipt(v, "REQUEST")?, "uri") },
    Rule {
        field: "http.request.version",
        key: "http",
        get: |v| text(receipt(v, "REQUEST")?, "version").map(|s| format!("HTTP/{s}")),
    },
    Rule {
        field: "http.response.code",
        key: "http",
        get: |v| num(receipt(v, "RESPONSE")?.get("status")?.get("enum")?).map(|n| n.to_string()),
    },
    Rule { field: "http.response.phrase", key: "http", get: |v| text(receipt(v, "RESPONSE")?, "message") },
    Rule {
        field: "http.response.version",
        key: "http",
        get: |v| text(receipt(v, "RESPONSE")?, "version").map(|s| format!("HTTP/{s}")),
    },
    Rule { field: "http2.type", key: "http", get: |v| frames(v, |f| num(f.get("type")?).map(|n| n.to_string())) },
    Rule { field: "http2.streamid", key: "http", get: |v| frames(v, |f| num(f.get("sid")?).map(|n| n.to_string())) },
    Rule { field: "http2.length", key: "http", get: |v| frames(v, |f| num(f.get("length")?).map(|n| n.to_string())) },
    Rule { field: "http2.flags", key: "http", get: |v| frames(v, frame_flags) },
    Rule {
        field: "ftp.request.command",
        key: "ftp",
        get: |v| member_value(ftp(v, "REQUEST")?.get("cmmd")?.get("enum")?),
    },
    Rule { field: "ftp.request.arg", key: "ftp", get: |v| text(ftp(v, "REQUEST")?, "args") },
    Rule {
        field: "ftp.response.code",
        key: "ftp",
        get: |v| num(ftp(v, "RESPONSE")?.get("code")?.get("enum")?).map(|n| n.to_string()),
    },
    Rule { field: "ftp.response.arg", key: "ftp", get: |v| text(ftp(v, "RESPONSE")?, "args") },
];
