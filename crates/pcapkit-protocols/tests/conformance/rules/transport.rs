//! Conformance rules for the transport family (TCP, UDP): tshark field -> our layer key
//! and value.
//!
//! Written before the harness landed on main, in the same style as `link.rs`: it
//! assumes `Rule { field, key, get: fn(&Value) -> Option<String> }` in `rules/mod.rs` and
//! uses local helpers. A `get` gives the value of one layer; the harness joins the
//! values of several layers (tunnels) with `,` as tshark does.

use serde_json::Value;

use super::Rule;

/// The number between the brackets of an enum text (`Flags::ACK|PSH [6144]` -> 6144),
/// or the value itself when it is a number.
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

fn dec(v: &Value, name: &str) -> Option<String> {
    num(v.get(name)?).map(|n| n.to_string())
}

fn hex4(v: &Value, name: &str) -> Option<String> {
    num(v.get(name)?).map(|n| format!("0x{n:04x}"))
}

/// A port: the `port` of the AppType object.
fn port(v: &Value, name: &str) -> Option<String> {
    dec(v.get(name)?, "port")
}

/// tshark's `tcp.flags`: the 12 bits after the data offset, `0x%04x`. PyPCAPKit's
/// `connection` numbers wire bit `b` (FIN = 0) as `1 << (15 - b)`.
fn tcp_flags(v: &Value) -> Option<String> {
    let conn = u16::try_from(num(v.get("connection")?)?).ok()?;
    Some(format!("0x{:04x}", conn.reverse_bits() & 0x0fff))
}

/// Every option entry, grouped by kind as the multi-dict has them.
fn options(v: &Value) -> impl Iterator<Item = &Value> {
    v.get("options")
        .and_then(Value::as_object)
        .into_iter()
        .flat_map(|m| m.values())
        .filter_map(Value::as_array)
        .flatten()
}

/// `field` of every option of kind `kind` (`Option::Timestamps [8]`), joined.
fn option_field(v: &Value, kind: u64, field: &str) -> Option<String> {
    let vals: Vec<String> = options(v)
        .filter(|o| o.get("kind").and_then(num) == Some(kind))
        .filter_map(|o| num(o.get(field)?))
        .map(|n| n.to_string())
        .collect();
    (!vals.is_empty()).then(|| vals.join(","))
}

/// tshark's `tcp.option_kind`: the kinds in wire order (`option_kinds`), and one `0`
/// per padding byte after End of Option List (tshark reads each as another EOL).
fn option_kinds(v: &Value) -> Option<String> {
    let kinds = v.get("option_kinds")?.as_array()?;
    let mut out: Vec<String> = kinds.iter().filter_map(num).map(|k| k.to_string()).collect();
    if kinds.last().and_then(num) == Some(0) {
        let space = num(v.get("hdr_len")?)?.checked_sub(20)?;
        let used: u64 = options(v).filter_map(|o| num(o.get("length")?)).sum();
        for _ in used..space {
            out.push("0".to_owned());
        }
    }
    Some(out.join(","))
}

/// MPTCP subtypes of every Multipath TCP option.
fn mptcp_subtypes(v: &Value) -> Option<String> {
    let vals: Vec<String> = options(v)
        .filter_map(|o| num(o.get("subtype")?))
        .map(|n| n.to_string())
        .collect();
    (!vals.is_empty()).then(|| vals.join(","))
}

/// The rules.
pub const RULES: &[Rule] = &[
    Rule { field: "tcp.srcport", key: "tcp", get: |v| port(v, "srcport") },
    Rule { field: "tcp.dstport", key: "tcp", get: |v| port(v, "dstport") },
    Rule { field: "tcp.seq_raw", key: "tcp", get: |v| dec(v, "seq") },
    Rule { field: "tcp.ack_raw", key: "tcp", get: |v| dec(v, "ack") },
    Rule { field: "tcp.hdr_len", key: "tcp", get: |v| dec(v, "hdr_len") },
    Rule { field: "tcp.flags", key: "tcp", get: tcp_flags },
    Rule { field: "tcp.window_size_value", key: "tcp", get: |v| dec(v, "window_size") },
    Rule { field: "tcp.checksum", key: "tcp", get: |v| hex4(v, "checksum") },
    Rule { field: "tcp.urgent_pointer", key: "tcp", get: |v| dec(v, "urgent_pointer") },
    Rule { field: "tcp.len", key: "tcp", get: |v| dec(v, "len") },
    Rule { field: "tcp.option_kind", key: "tcp", get: option_kinds },
    Rule { field: "tcp.options.mss_val", key: "tcp", get: |v| option_field(v, 2, "mss") },
    Rule { field: "tcp.options.wscale.shift", key: "tcp", get: |v| option_field(v, 3, "shift") },
    Rule { field: "tcp.options.timestamp.tsval", key: "tcp", get: |v| option_field(v, 8, "timestamp") },
    Rule { field: "tcp.options.timestamp.tsecr", key: "tcp", get: |v| option_field(v, 8, "echo") },
    Rule { field: "tcp.options.mptcp.subtype", key: "tcp", get: mptcp_subtypes },
    Rule { field: "udp.srcport", key: "udp", get: |v| port(v, "srcport") },
    Rule { field: "udp.dstport", key: "udp", get: |v| port(v, "dstport") },
    Rule { field: "udp.length", key: "udp", get: |v| dec(v, "len") },
    Rule { field: "udp.checksum", key: "udp", get: |v| hex4(v, "checksum") },
];
