//! Conformance rules for the second application family (issue 10): DNS / mDNS / LLMNR,
//! DHCP, NTP, TLS, SNMP.
//!
//! tshark's mDNS and LLMNR dissectors fill the `dns.*` fields too, so every DNS rule is
//! repeated for the `mdns` and `llmnr` keys. `dns.a` / `dns.aaaa` list the addresses of
//! every section (answers, authority, additional) in order, as tshark does.

use serde_json::Value;

use super::{Rule, field, hex, text};

/// `f` of every element of the list at `key`, joined with `,` (`None` when empty).
fn each(v: &Value, key: &str, f: impl Fn(&Value) -> Option<String>) -> Option<String> {
    let vals: Vec<String> = v.get(key)?.as_array()?.iter().filter_map(f).collect();
    (!vals.is_empty()).then(|| vals.join(","))
}

/// Addresses of the records of `rtype` (`A` / `AAAA`) in all three record sections.
fn addresses(v: &Value, rtype: &str) -> Option<String> {
    let want = format!("RRType::{rtype} [");
    let vals: Vec<String> = ["answers", "authority", "additional"]
        .iter()
        .filter_map(|k| v.get(*k)?.as_array())
        .flatten()
        .filter(|r| {
            r.get("type")
                .and_then(Value::as_str)
                .is_some_and(|t| t.starts_with(&want))
        })
        .filter_map(|r| field(r, "address"))
        .collect();
    (!vals.is_empty()).then(|| vals.join(","))
}

macro_rules! dns_rules {
    ($key:literal) => {
        [
            Rule {
                field: "dns.id",
                key: $key,
                get: |v| hex(v, "id", 4),
            },
            Rule {
                field: "dns.flags.response",
                key: $key,
                get: |v| field(v, "flags.qr"),
            },
            Rule {
                field: "dns.qry.name",
                key: $key,
                get: |v| each(v, "questions", |q| field(q, "name")),
            },
            Rule {
                field: "dns.qry.type",
                key: $key,
                get: |v| each(v, "questions", |q| q.get("type").and_then(text)),
            },
            Rule {
                field: "dns.a",
                key: $key,
                get: |v| addresses(v, "A"),
            },
            Rule {
                field: "dns.aaaa",
                key: $key,
                get: |v| addresses(v, "AAAA"),
            },
        ]
    };
}

const DNS: [Rule; 6] = dns_rules!("dns");
const MDNS: [Rule; 6] = dns_rules!("mdns");
const LLMNR: [Rule; 6] = dns_rules!("llmnr");

/// `f` of every handshake message of every record, joined.
fn messages(v: &Value, f: impl Fn(&Value) -> Option<String>) -> Option<String> {
    let vals: Vec<String> = v
        .get("records")?
        .as_array()?
        .iter()
        .filter_map(|r| r.get("messages")?.as_array())
        .flatten()
        .filter_map(f)
        .collect();
    (!vals.is_empty()).then(|| vals.join(","))
}

const TLS: [Rule; 4] = [
    Rule {
        field: "tls.record.content_type",
        key: "tls",
        get: |v| each(v, "records", |r| r.get("type").and_then(text)),
    },
    Rule {
        field: "tls.record.version",
        key: "tls",
        get: |v| each(v, "records", |r| hex(r, "version", 4)),
    },
    Rule {
        field: "tls.handshake.type",
        key: "tls",
        get: |v| messages(v, |m| m.get("type").and_then(text)),
    },
    Rule {
        field: "tls.handshake.extensions_server_name",
        key: "tls",
        get: |v| messages(v, |m| field(m, "server_name")),
    },
];

const DHCP_NTP: [Rule; 2] = [
    Rule {
        field: "dhcp.option.dhcp",
        key: "dhcp",
        get: |v| field(v, "message_type"),
    },
    Rule {
        field: "ntp.flags.mode",
        key: "ntp",
        get: |v| field(v, "mode"),
    },
];

/// SNMP (v1/v2c) header fields as tshark names them. `snmp.data` is the PDU's CHOICE
/// index, which is our `pdu_type` value. The shared oracle's field list
/// (`../shared/tools/oracle.py`) has no `snmp.*` field yet, so these compare nothing
/// until it does; `application::snmp`'s unit tests pin the values tshark 4.0.17 shows.
const SNMP: [Rule; 6] = [
    Rule {
        field: "snmp.version",
        key: "snmp",
        get: |v| v.get("community").and(field(v, "version")),
    },
    Rule {
        field: "snmp.community",
        key: "snmp",
        get: |v| field(v, "community"),
    },
    Rule {
        field: "snmp.data",
        key: "snmp",
        get: |v| field(v, "pdu_type"),
    },
    Rule {
        field: "snmp.request_id",
        key: "snmp",
        get: |v| field(v, "request_id"),
    },
    Rule {
        field: "snmp.error_status",
        key: "snmp",
        get: |v| field(v, "error_status"),
    },
    Rule {
        field: "snmp.error_index",
        key: "snmp",
        get: |v| field(v, "error_index"),
    },
];

/// The rules.
pub const RULES: &[&[Rule]] = &[&DNS, &MDNS, &LLMNR, &TLS, &DHCP_NTP, &SNMP];
