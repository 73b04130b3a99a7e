//! Conformance rules for the link family: tshark field -> our layer key and value.
//!
//! DRAFT written before the harness landed on main: it assumes
//! `Rule { field, key, get: fn(&Value) -> Option<String> }` in `rules/mod.rs` and uses only
//! local helpers; adapt to the harness's helpers at merge. Every rule was checked offline
//! against /work/shared/oracle (all agree; OSPF behind IPv6 extension headers needs the
//! IPv6 decoder).

use serde_json::Value;

use super::Rule;

/// The number between the brackets of an enum text (`EtherType::X [2048]` -> 2048), or
/// the value itself when it is a number.
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

fn hex2(v: &Value, name: &str) -> Option<String> {
    num(v.get(name)?).map(|n| format!("0x{n:02x}"))
}

fn string(v: &Value, name: &str) -> Option<String> {
    v.get(name)?.as_str().map(str::to_owned)
}

/// tshark's `eth.type` exists only for Ethernet II; 802.3 frames have `eth.len`.
fn eth_type(v: &Value) -> Option<String> {
    if v.get("len").is_some() {
        None
    } else {
        hex4(v, "type")
    }
}

/// `vlan.etype` only when the type field is an EtherType (not an 802.3 length).
fn vlan_etype(v: &Value) -> Option<String> {
    num(v.get("type")?)
        .filter(|t| *t > 1500)
        .map(|t| format!("0x{t:04x}"))
}

fn tci(v: &Value, name: &str) -> Option<Value> {
    v.get("tci")?.get(name).cloned()
}

fn sll_type(v: &Value, class: &str) -> Option<String> {
    let t = v.get("type")?;
    if t.as_str()?.starts_with(class) {
        num(t).map(|n| format!("0x{n:04x}"))
    } else {
        None
    }
}

/// An address only when it has the size tshark's field has (MAC 6 / IPv4 4 bytes).
fn sized(v: &Value, name: &str, size_field: &str, size: u64) -> Option<String> {
    (v.get(size_field)?.as_u64()? == size)
        .then(|| string(v, name))
        .flatten()
}

/// The rules (several keys for one field are all searched: `arp` and `rarp`, `sll` and
/// `sll2`).
pub const RULES: &[Rule] = &[
    Rule {
        field: "eth.dst",
        key: "ethernet",
        get: |v| string(v, "dst"),
    },
    Rule {
        field: "eth.src",
        key: "ethernet",
        get: |v| string(v, "src"),
    },
    Rule {
        field: "eth.type",
        key: "ethernet",
        get: eth_type,
    },
    Rule {
        field: "eth.len",
        key: "ethernet",
        get: |v| dec(v, "len"),
    },
    Rule {
        field: "llc.dsap",
        key: "llc",
        get: |v| hex2(v, "dsap"),
    },
    Rule {
        field: "llc.ssap",
        key: "llc",
        get: |v| hex2(v, "ssap"),
    },
    Rule {
        field: "vlan.priority",
        key: "c_tag",
        get: |v| num(&tci(v, "pcp")?).map(|n| n.to_string()),
    },
    Rule {
        field: "vlan.dei",
        key: "c_tag",
        get: |v| tci(v, "dei")?.as_bool().map(|b| u8::from(b).to_string()),
    },
    Rule {
        field: "vlan.id",
        key: "c_tag",
        get: |v| num(&tci(v, "vid")?).map(|n| n.to_string()),
    },
    Rule {
        field: "vlan.etype",
        key: "c_tag",
        get: vlan_etype,
    },
    Rule {
        field: "sll.pkttype",
        key: "sll",
        get: |v| dec(v, "pkttype"),
    },
    Rule {
        field: "sll.pkttype",
        key: "sll2",
        get: |v| dec(v, "pkttype"),
    },
    Rule {
        field: "sll.hatype",
        key: "sll",
        get: |v| dec(v, "hatype"),
    },
    Rule {
        field: "sll.hatype",
        key: "sll2",
        get: |v| dec(v, "hatype"),
    },
    Rule {
        field: "sll.etype",
        key: "sll",
        get: |v| sll_type(v, "EtherType"),
    },
    Rule {
        field: "sll.etype",
        key: "sll2",
        get: |v| sll_type(v, "EtherType"),
    },
    Rule {
        field: "sll.ltype",
        key: "sll",
        get: |v| sll_type(v, "LinuxProtocol"),
    },
    Rule {
        field: "sll.ltype",
        key: "sll2",
        get: |v| sll_type(v, "LinuxProtocol"),
    },
    Rule {
        field: "null.family",
        key: "loopback",
        get: |v| dec(v, "family"),
    },
    Rule {
        field: "arp.hw.type",
        key: "arp",
        get: |v| dec(v, "htype"),
    },
    Rule {
        field: "arp.hw.type",
        key: "rarp",
        get: |v| dec(v, "htype"),
    },
    Rule {
        field: "arp.proto.type",
        key: "arp",
        get: |v| hex4(v, "ptype"),
    },
    Rule {
        field: "arp.proto.type",
        key: "rarp",
        get: |v| hex4(v, "ptype"),
    },
    Rule {
        field: "arp.hw.size",
        key: "arp",
        get: |v| dec(v, "hlen"),
    },
    Rule {
        field: "arp.hw.size",
        key: "rarp",
        get: |v| dec(v, "hlen"),
    },
    Rule {
        field: "arp.proto.size",
        key: "arp",
        get: |v| dec(v, "plen"),
    },
    Rule {
        field: "arp.proto.size",
        key: "rarp",
        get: |v| dec(v, "plen"),
    },
    Rule {
        field: "arp.opcode",
        key: "arp",
        get: |v| dec(v, "oper"),
    },
    Rule {
        field: "arp.opcode",
        key: "rarp",
        get: |v| dec(v, "oper"),
    },
    Rule {
        field: "arp.src.hw_mac",
        key: "arp",
        get: |v| sized(v, "sha", "hlen", 6),
    },
    Rule {
        field: "arp.src.hw_mac",
        key: "rarp",
        get: |v| sized(v, "sha", "hlen", 6),
    },
    Rule {
        field: "arp.dst.hw_mac",
        key: "arp",
        get: |v| sized(v, "tha", "hlen", 6),
    },
    Rule {
        field: "arp.dst.hw_mac",
        key: "rarp",
        get: |v| sized(v, "tha", "hlen", 6),
    },
    Rule {
        field: "arp.src.proto_ipv4",
        key: "arp",
        get: |v| sized(v, "spa", "plen", 4),
    },
    Rule {
        field: "arp.src.proto_ipv4",
        key: "rarp",
        get: |v| sized(v, "spa", "plen", 4),
    },
    Rule {
        field: "arp.dst.proto_ipv4",
        key: "arp",
        get: |v| sized(v, "tpa", "plen", 4),
    },
    Rule {
        field: "arp.dst.proto_ipv4",
        key: "rarp",
        get: |v| sized(v, "tpa", "plen", 4),
    },
    // tshark's l2tp.type is the T bit: 1 control, 0 data.
    Rule {
        field: "l2tp.type",
        key: "l2tp",
        get: |v| {
            let t = v.get("flags")?.get("type")?.as_str()?;
            Some(if t.contains("::Control") { "1" } else { "0" }.to_owned())
        },
    },
    Rule {
        field: "l2tp.tunnel",
        key: "l2tp",
        get: |v| dec(v, "tunnelid"),
    },
    Rule {
        field: "l2tp.session",
        key: "l2tp",
        get: |v| dec(v, "sessionid"),
    },
    Rule {
        field: "ospf.version",
        key: "ospf",
        get: |v| dec(v, "version"),
    },
    Rule {
        field: "ospf.msg",
        key: "ospf",
        get: |v| dec(v, "type"),
    },
    Rule {
        field: "ospf.srcrouter",
        key: "ospf",
        get: |v| string(v, "router_id"),
    },
    Rule {
        field: "ospf.area_id",
        key: "ospf",
        get: |v| string(v, "area_id"),
    },
];
