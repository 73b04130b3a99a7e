//! Conformance rules for the internet family: tshark field -> our layer key and value.
//!
//! DRAFT written before the harness landed on main: like `link.rs` it assumes
//! `Rule { field, key, get: fn(&Value) -> Option<String> }` in `rules/mod.rs`, that every
//! object under `key` is searched anywhere in the frame (outermost first) and that the
//! values of one field are joined with `,` as tshark does; it uses local helpers only.
//!
//! Extension headers live inside the `ipv6` object. Those whose key can repeat
//! (`opts`, `opts_2`, ...; `route`, `frag`) are read from the `ipv6` object in suffix
//! order, plus their stand-alone keys (`ipv6_opts`, `ipv6_route`, `ipv6_frag`) when they
//! follow something else than IPv6. `hopopt`, `ah`, `mh` and `hip*` use the same key in
//! both places, so one rule on that key covers both.

use serde_json::Value;

use super::Rule;

/// The number between the brackets of an enum text (`TransType::UDP [17]` -> 17), or the
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

fn dec(v: &Value, name: &str) -> Option<String> {
    num(v.get(name)?).map(|n| n.to_string())
}

fn hexw(v: &Value, name: &str, width: usize) -> Option<String> {
    num(v.get(name)?).map(|n| format!("0x{n:0width$x}"))
}

fn string(v: &Value, name: &str) -> Option<String> {
    v.get(name)?.as_str().map(str::to_owned)
}

fn flag(v: &Value, name: &str) -> Option<String> {
    v.get(name)?.as_bool().map(|b| u8::from(b).to_string())
}

/// tshark's `ip.dsfield`: the whole ToS byte in hex, rebuilt from PyPCAPKit's split.
fn dsfield(v: &Value) -> Option<String> {
    let t = v.get("tos")?;
    let part = |k: &str| num(t.get(k)?);
    let b = (part("pre")? << 5)
        | (part("del")? << 4)
        | (part("thr")? << 3)
        | (part("rel")? << 2)
        | part("ecn")?;
    Some(format!("0x{b:02x}"))
}

/// The option codes in output order (tshark lists them in wire order; the multi-dict
/// groups repeated codes, which only differs when a code repeats around another).
fn opt_types(v: &Value) -> Option<String> {
    let opts = v.get("options")?.as_object()?;
    let codes: Vec<String> = opts
        .values()
        .filter_map(Value::as_array)
        .flatten()
        .filter_map(|o| num(o.get("code")?))
        .map(|n| n.to_string())
        .collect();
    (!codes.is_empty()).then(|| codes.join(","))
}

/// The extension headers under `base`, `base_2`, ... of an `ipv6` object, in order.
fn exts<'v>(v: &'v Value, base: &str) -> Vec<&'v Value> {
    let Some(obj) = v.as_object() else {
        return Vec::new();
    };
    let mut found: Vec<(u64, &Value)> = obj
        .iter()
        .filter_map(|(k, x)| {
            let n = if k == base {
                1
            } else {
                k.strip_prefix(base)?.strip_prefix('_')?.parse().ok()?
            };
            x.is_object().then_some((n, x))
        })
        .collect();
    found.sort_by_key(|(n, _)| *n);
    found.into_iter().map(|(_, x)| x).collect()
}

/// `f` over every extension header `base*` of an `ipv6` object, joined with `,`.
fn each(v: &Value, base: &str, f: fn(&Value) -> Option<String>) -> Option<String> {
    let vals: Vec<String> = exts(v, base).into_iter().filter_map(f).collect();
    (!vals.is_empty()).then(|| vals.join(","))
}

/// The fragment offset in 8-octet units, as tshark prints it (ours is in bytes).
fn units(v: &Value) -> Option<String> {
    num(v.get("offset")?).map(|n| (n / 8).to_string())
}

/// An IPX network number (`a8:f8:79:67`) as tshark's `0xa8f87967`.
fn ipx_net(v: &Value, side: &str) -> Option<String> {
    let net = v.get(side)?.get("network")?.as_str()?;
    Some(format!("0x{}", net.replace(':', "")))
}

fn ipx_socket(v: &Value, side: &str) -> Option<String> {
    num(v.get(side)?.get("socket")?).map(|n| format!("0x{n:04x}"))
}

/// The parameter types of a HIP header, in output order (the multi-dict groups a
/// repeated type).
fn hip_params(v: &Value) -> Option<String> {
    let params = v.get("parameters")?.as_object()?;
    let types: Vec<String> = params
        .values()
        .filter_map(Value::as_array)
        .flatten()
        .filter_map(|p| num(p.get("type")?))
        .map(|n| n.to_string())
        .collect();
    (!types.is_empty()).then(|| types.join(","))
}

/// The rules (several keys for one field are all searched).
pub const RULES: &[Rule] = &[
    // IPv4. tshark also prints `ip.version` for IPv6.
    Rule {
        field: "ip.version",
        key: "ipv4",
        get: |v| dec(v, "version"),
    },
    Rule {
        field: "ip.version",
        key: "ipv6",
        get: |v| dec(v, "version"),
    },
    Rule {
        field: "ip.hdr_len",
        key: "ipv4",
        get: |v| dec(v, "hdr_len"),
    },
    Rule {
        field: "ip.dsfield",
        key: "ipv4",
        get: dsfield,
    },
    Rule {
        field: "ip.len",
        key: "ipv4",
        get: |v| dec(v, "len"),
    },
    Rule {
        field: "ip.id",
        key: "ipv4",
        get: |v| hexw(v, "id", 4),
    },
    Rule {
        field: "ip.flags.df",
        key: "ipv4",
        get: |v| flag(v.get("flags")?, "df"),
    },
    Rule {
        field: "ip.flags.mf",
        key: "ipv4",
        get: |v| flag(v.get("flags")?, "mf"),
    },
    Rule {
        field: "ip.frag_offset",
        key: "ipv4",
        get: units,
    },
    Rule {
        field: "ip.ttl",
        key: "ipv4",
        get: |v| dec(v, "ttl"),
    },
    Rule {
        field: "ip.proto",
        key: "ipv4",
        get: |v| dec(v, "protocol"),
    },
    Rule {
        field: "ip.checksum",
        key: "ipv4",
        get: |v| hexw(v, "checksum", 4),
    },
    Rule {
        field: "ip.src",
        key: "ipv4",
        get: |v| string(v, "src"),
    },
    Rule {
        field: "ip.dst",
        key: "ipv4",
        get: |v| string(v, "dst"),
    },
    Rule {
        field: "ip.opt.type",
        key: "ipv4",
        get: opt_types,
    },
    // IPv6 fixed header.
    Rule {
        field: "ipv6.tclass",
        key: "ipv6",
        get: |v| hexw(v, "class", 8),
    },
    Rule {
        field: "ipv6.flow",
        key: "ipv6",
        get: |v| hexw(v, "label", 6),
    },
    Rule {
        field: "ipv6.plen",
        key: "ipv6",
        get: |v| dec(v, "payload"),
    },
    Rule {
        field: "ipv6.nxt",
        key: "ipv6",
        get: |v| dec(v, "next"),
    },
    Rule {
        field: "ipv6.hlim",
        key: "ipv6",
        get: |v| dec(v, "limit"),
    },
    Rule {
        field: "ipv6.src",
        key: "ipv6",
        get: |v| string(v, "src"),
    },
    Rule {
        field: "ipv6.dst",
        key: "ipv6",
        get: |v| string(v, "dst"),
    },
    // Extension headers.
    Rule {
        field: "ipv6.hopopts.nxt",
        key: "hopopt",
        get: |v| dec(v, "next"),
    },
    Rule {
        field: "ipv6.dstopts.nxt",
        key: "ipv6",
        get: |v| each(v, "opts", |x| dec(x, "next")),
    },
    Rule {
        field: "ipv6.dstopts.nxt",
        key: "ipv6_opts",
        get: |v| dec(v, "next"),
    },
    Rule {
        field: "ipv6.routing.type",
        key: "ipv6",
        get: |v| each(v, "route", |x| dec(x, "type")),
    },
    Rule {
        field: "ipv6.routing.type",
        key: "ipv6_route",
        get: |v| dec(v, "type"),
    },
    Rule {
        field: "ipv6.routing.segleft",
        key: "ipv6",
        get: |v| each(v, "route", |x| dec(x, "seg_left")),
    },
    Rule {
        field: "ipv6.routing.segleft",
        key: "ipv6_route",
        get: |v| dec(v, "seg_left"),
    },
    Rule {
        field: "ipv6.fraghdr.nxt",
        key: "ipv6",
        get: |v| each(v, "frag", |x| dec(x, "next")),
    },
    Rule {
        field: "ipv6.fraghdr.nxt",
        key: "ipv6_frag",
        get: |v| dec(v, "next"),
    },
    Rule {
        field: "ipv6.fraghdr.offset",
        key: "ipv6",
        get: |v| each(v, "frag", units),
    },
    Rule {
        field: "ipv6.fraghdr.offset",
        key: "ipv6_frag",
        get: units,
    },
    Rule {
        field: "ipv6.fraghdr.more",
        key: "ipv6",
        get: |v| each(v, "frag", |x| flag(x, "mf")),
    },
    Rule {
        field: "ipv6.fraghdr.more",
        key: "ipv6_frag",
        get: |v| flag(v, "mf"),
    },
    Rule {
        field: "ipv6.fraghdr.ident",
        key: "ipv6",
        get: |v| each(v, "frag", |x| hexw(x, "id", 8)),
    },
    Rule {
        field: "ipv6.fraghdr.ident",
        key: "ipv6_frag",
        get: |v| hexw(v, "id", 8),
    },
    Rule {
        field: "ah.spi",
        key: "ah",
        get: |v| hexw(v, "spi", 8),
    },
    Rule {
        field: "ah.sequence",
        key: "ah",
        get: |v| dec(v, "seq"),
    },
    Rule {
        field: "mip6.mhtype",
        key: "mh",
        get: |v| dec(v, "type"),
    },
    Rule {
        field: "hip.type",
        key: "hip",
        get: hip_params,
    },
    Rule {
        field: "hip.type",
        key: "hipv1",
        get: hip_params,
    },
    Rule {
        field: "hip.type",
        key: "hipv2",
        get: hip_params,
    },
    Rule {
        field: "hip.version",
        key: "hip",
        get: |v| dec(v, "version"),
    },
    Rule {
        field: "hip.version",
        key: "hipv1",
        get: |v| dec(v, "version"),
    },
    Rule {
        field: "hip.version",
        key: "hipv2",
        get: |v| dec(v, "version"),
    },
    // IPX.
    Rule {
        field: "ipx.src.net",
        key: "ipx",
        get: |v| ipx_net(v, "src"),
    },
    Rule {
        field: "ipx.dst.net",
        key: "ipx",
        get: |v| ipx_net(v, "dst"),
    },
    Rule {
        field: "ipx.packet_type",
        key: "ipx",
        get: |v| hexw(v, "type", 2),
    },
    Rule {
        field: "ipx.src.socket",
        key: "ipx",
        get: |v| ipx_socket(v, "src"),
    },
    Rule {
        field: "ipx.dst.socket",
        key: "ipx",
        get: |v| ipx_socket(v, "dst"),
    },
];
