//! Field rules: a tshark field, the output key of our layer that carries it, and how to
//! read the value from that layer's JSON object. One file per protocol family.

use serde_json::Value;

mod app2;
mod application;
mod internet;
mod link;
mod net;
mod transport;

/// One tshark field and where we keep it.
pub struct Rule {
    /// tshark field name (`ip.src`).
    pub field: &'static str,
    /// Output key of the layer object holding it (`ipv4`); every object with that key is
    /// visited, outermost first (tshark joins repeated fields with `,`).
    pub key: &'static str,
    /// Reads the value from one such object as tshark prints it (several values of one
    /// layer already joined with `,`).
    pub get: fn(&Value) -> Option<String>,
}

/// All rules of all families.
pub fn all() -> Vec<&'static Rule> {
    [
        link::RULES,
        internet::RULES,
        transport::RULES,
        application::RULES,
        net::RULES,
    ]
    .into_iter()
    .chain(app2::RULES.iter().copied())
    .flatten()
    .collect()
}

// ---- helpers shared by the rule files ----

/// The value at `path` (keys separated by `.`) inside `v`.
#[allow(dead_code)]
pub fn at<'v>(v: &'v Value, path: &str) -> Option<&'v Value> {
    path.split('.').try_fold(v, |v, k| v.get(k))
}

/// A scalar as text: strings as-is, numbers in decimal, bools as `1`/`0`, enum texts
/// (`Name::member [n]`) and enum objects (`{"enum": ...}`) as their bracketed value.
#[allow(dead_code)]
pub fn text(v: &Value) -> Option<String> {
    match v {
        Value::String(s) => Some(enum_value(s).unwrap_or(s).to_owned()),
        Value::Number(n) => Some(n.to_string()),
        Value::Bool(b) => Some(if *b { "1" } else { "0" }.to_owned()),
        Value::Object(o) => o.get("enum").and_then(text),
        _ => None,
    }
}

/// `n` out of `Enum::member [n]` (the innermost bracket for nested forms such as
/// `AppType::http [http [80 - tcp]]`, which gives `80`).
fn enum_value(s: &str) -> Option<&str> {
    if !s.contains("::") || !s.ends_with(']') {
        return None;
    }
    let inner = s.rsplit_once('[')?.1.trim_end_matches(']');
    let inner = inner.split(" - ").next().unwrap_or(inner);
    Some(inner.trim())
}

/// Rule reading `path` as text.
#[allow(dead_code)]
pub fn field(v: &Value, path: &str) -> Option<String> {
    at(v, path).and_then(text)
}

/// Rule reading `path` as an integer printed in tshark's `0x%0Nx` hex form.
#[allow(dead_code)]
pub fn hex(v: &Value, path: &str, digits: usize) -> Option<String> {
    at(v, path)
        .and_then(text)
        .and_then(|t| t.parse::<u64>().ok())
        .map(|n| format!("0x{n:0digits$x}"))
}
