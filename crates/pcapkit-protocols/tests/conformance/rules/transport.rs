//! Conformance rules for the transport family (TCP, UDP).
//!
//! TCP options are a multi-dict grouped by kind (PyPCAPKit's layout), which loses the
//! wire order: `tcp.option_kind` reads our extra `option_kinds` list instead, plus one
//! `0` per padding byte after End of Option List (tshark reads each as another EOL).

use serde_json::Value;

use super::{Rule, at, field, hex, text};

/// Every option entry of the `options` multi-dict.
fn options(v: &Value) -> impl Iterator<Item = &Value> {
    v.get("options")
        .and_then(Value::as_object)
        .into_iter()
        .flat_map(|m| m.values())
        .filter_map(Value::as_array)
        .flatten()
}

fn num(v: &Value, path: &str) -> Option<u64> {
    at(v, path).and_then(text)?.parse().ok()
}

/// `name` of every option of kind `kind`, joined (wire order within one kind).
fn option_field(v: &Value, kind: u64, name: &str) -> Option<String> {
    let vals: Vec<String> = options(v)
        .filter(|o| num(o, "kind") == Some(kind))
        .filter_map(|o| field(o, name))
        .collect();
    (!vals.is_empty()).then(|| vals.join(","))
}

/// tshark's `tcp.flags`: the 12 bits after the data offset, `0x%04x`. PyPCAPKit's
/// `connection` numbers wire bit `b` (FIN = 0) as `1 << (15 - b)`.
fn tcp_flags(v: &Value) -> Option<String> {
    let conn = u16::try_from(num(v, "connection")?).ok()?;
    Some(format!("0x{:04x}", conn.reverse_bits() & 0x0fff))
}

/// tshark's `tcp.option_kind`.
fn option_kinds(v: &Value) -> Option<String> {
    let kinds = v.get("option_kinds")?.as_array()?;
    let mut out: Vec<String> = kinds.iter().filter_map(text).collect();
    if kinds.last().and_then(Value::as_u64) == Some(0) {
        let space = num(v, "hdr_len")?.checked_sub(20)?;
        let used: u64 = options(v).filter_map(|o| num(o, "length")).sum();
        out.extend((used..space).map(|_| "0".to_owned()));
    }
    Some(out.join(","))
}

/// The subtype of every Multipath TCP option.
fn mptcp_subtypes(v: &Value) -> Option<String> {
    let vals: Vec<String> = options(v).filter_map(|o| field(o, "subtype")).collect();
    (!vals.is_empty()).then(|| vals.join(","))
}

/// The rules.
pub const RULES: &[Rule] = &[
    Rule {
        field: "tcp.srcport",
        key: "tcp",
        get: |v| field(v, "srcport.port"),
    },
    Rule {
        field: "tcp.dstport",
        key: "tcp",
        get: |v| field(v, "dstport.port"),
    },
    Rule {
        field: "tcp.seq_raw",
        key: "tcp",
        get: |v| field(v, "seq"),
    },
    Rule {
        field: "tcp.ack_raw",
        key: "tcp",
        get: |v| field(v, "ack"),
    },
    Rule {
        field: "tcp.hdr_len",
        key: "tcp",
        get: |v| field(v, "hdr_len"),
    },
    Rule {
        field: "tcp.flags",
        key: "tcp",
        get: tcp_flags,
    },
    Rule {
        field: "tcp.window_size_value",
        key: "tcp",
        get: |v| field(v, "window_size"),
    },
    Rule {
        field: "tcp.checksum",
        key: "tcp",
        get: |v| hex(v, "checksum", 4),
    },
    Rule {
        field: "tcp.urgent_pointer",
        key: "tcp",
        get: |v| field(v, "urgent_pointer"),
    },
    Rule {
        field: "tcp.len",
        key: "tcp",
        get: |v| field(v, "len"),
    },
    Rule {
        field: "tcp.option_kind",
        key: "tcp",
        get: option_kinds,
    },
    Rule {
        field: "tcp.options.mss_val",
        key: "tcp",
        get: |v| option_field(v, 2, "mss"),
    },
    Rule {
        field: "tcp.options.wscale.shift",
        key: "tcp",
        get: |v| option_field(v, 3, "shift"),
    },
    Rule {
        field: "tcp.options.timestamp.tsval",
        key: "tcp",
        get: |v| option_field(v, 8, "timestamp"),
    },
    Rule {
        field: "tcp.options.timestamp.tsecr",
        key: "tcp",
        get: |v| option_field(v, 8, "echo"),
    },
    Rule {
        field: "tcp.options.mptcp.subtype",
        key: "tcp",
        get: mptcp_subtypes,
    },
    Rule {
        field: "udp.srcport",
        key: "udp",
        get: |v| field(v, "srcport.port"),
    },
    Rule {
        field: "udp.dstport",
        key: "udp",
        get: |v| field(v, "dstport.port"),
    },
    Rule {
        field: "udp.length",
        key: "udp",
        get: |v| field(v, "len"),
    },
    Rule {
        field: "udp.checksum",
        key: "udp",
        get: |v| hex(v, "checksum", 4),
    },
];
