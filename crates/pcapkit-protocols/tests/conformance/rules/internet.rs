//! Conformance rules for the internet family: IPv4, IPv6 and its extension headers, AH,
//! Mobility Header, HIP, IPX.
//!
//! Extension headers live inside the `ipv6` object. Those whose key can repeat
//! (`opts`, `opts_2`, ...; `route`, `frag`) are read from the `ipv6` object in suffix
//! order, plus their stand-alone keys (`ipv6_opts`, `ipv6_route`, `ipv6_frag`) for when
//! they follow something else than IPv6. `hopopt`, `ah`, `mh` and `hip*` use the same key
//! in both places, so one rule on that key covers both.

use serde_json::Value;

use super::{Rule, at, field, hex, text};

fn num(v: &Value, path: &str) -> Option<u64> {
    at(v, path).and_then(text)?.parse().ok()
}

/// tshark's `ip.dsfield`: the whole ToS byte in hex, rebuilt from PyPCAPKit's split.
fn dsfield(v: &Value) -> Option<String> {
    let b = (num(v, "tos.pre")? << 5)
        | (num(v, "tos.del")? << 4)
        | (num(v, "tos.thr")? << 3)
        | (num(v, "tos.rel")? << 2)
        | num(v, "tos.ecn")?;
    Some(format!("0x{b:02x}"))
}

/// A fragment offset in 8-octet units, as tshark prints it (ours is in bytes).
fn units(v: &Value) -> Option<String> {
    num(v, "offset").map(|n| (n / 8).to_string())
}

/// `key` of every entry of the multi-dict at `dict`, in output order (tshark lists wire
/// order; the multi-dict groups a repeated key, which differs only when it repeats
/// around another).
fn multidict(v: &Value, dict: &str, key: &str) -> Option<String> {
    let vals: Vec<String> = v
        .get(dict)?
        .as_object()?
        .values()
        .filter_map(Value::as_array)
        .flatten()
        .filter_map(|o| field(o, key))
        .collect();
    (!vals.is_empty()).then(|| vals.join(","))
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

/// An IPX network number (`a8:f8:79:67`) as tshark's `0xa8f87967`.
fn ipx_net(v: &Value, side: &str) -> Option<String> {
    let net = at(v, side)?.get("network")?.as_str()?;
    Some(format!("0x{}", net.replace(':', "")))
}

/// The rules (several keys for one field are all searched).
#[rustfmt::skip]
pub const RULES: &[Rule] = &[
    // IPv4. tshark also prints `ip.version` for IPv6.
    Rule { field: "ip.version", key: "ipv4", get: |v| field(v, "version") },
    Rule { field: "ip.version", key: "ipv6", get: |v| field(v, "version") },
    Rule { field: "ip.hdr_len", key: "ipv4", get: |v| field(v, "hdr_len") },
    Rule { field: "ip.dsfield", key: "ipv4", get: dsfield },
    Rule { field: "ip.len", key: "ipv4", get: |v| field(v, "len") },
    Rule { field: "ip.id", key: "ipv4", get: |v| hex(v, "id", 4) },
    Rule { field: "ip.flags.df", key: "ipv4", get: |v| field(v, "flags.df") },
    Rule { field: "ip.flags.mf", key: "ipv4", get: |v| field(v, "flags.mf") },
    Rule { field: "ip.frag_offset", key: "ipv4", get: units },
    Rule { field: "ip.ttl", key: "ipv4", get: |v| field(v, "ttl") },
    Rule { field: "ip.proto", key: "ipv4", get: |v| field(v, "protocol") },
    Rule { field: "ip.checksum", key: "ipv4", get: |v| hex(v, "checksum", 4) },
    Rule { field: "ip.src", key: "ipv4", get: |v| field(v, "src") },
    Rule { field: "ip.dst", key: "ipv4", get: |v| field(v, "dst") },
    Rule { field: "ip.opt.type", key: "ipv4", get: |v| multidict(v, "options", "code") },
    // IPv6 fixed header.
    Rule { field: "ipv6.tclass", key: "ipv6", get: |v| hex(v, "class", 8) },
    Rule { field: "ipv6.flow", key: "ipv6", get: |v| hex(v, "label", 6) },
    Rule { field: "ipv6.plen", key: "ipv6", get: |v| field(v, "payload") },
    Rule { field: "ipv6.nxt", key: "ipv6", get: |v| field(v, "next") },
    Rule { field: "ipv6.hlim", key: "ipv6", get: |v| field(v, "limit") },
    Rule { field: "ipv6.src", key: "ipv6", get: |v| field(v, "src") },
    Rule { field: "ipv6.dst", key: "ipv6", get: |v| field(v, "dst") },
    // Extension headers.
    Rule { field: "ipv6.hopopts.nxt", key: "hopopt", get: |v| field(v, "next") },
    Rule { field: "ipv6.dstopts.nxt", key: "ipv6", get: |v| each(v, "opts", |x| field(x, "next")) },
    Rule { field: "ipv6.dstopts.nxt", key: "ipv6_opts", get: |v| field(v, "next") },
    Rule { field: "ipv6.routing.type", key: "ipv6", get: |v| each(v, "route", |x| field(x, "type")) },
    Rule { field: "ipv6.routing.type", key: "ipv6_route", get: |v| field(v, "type") },
    Rule { field: "ipv6.routing.segleft", key: "ipv6", get: |v| each(v, "route", |x| field(x, "seg_left")) },
    Rule { field: "ipv6.routing.segleft", key: "ipv6_route", get: |v| field(v, "seg_left") },
    Rule { field: "ipv6.fraghdr.nxt", key: "ipv6", get: |v| each(v, "frag", |x| field(x, "next")) },
    Rule { field: "ipv6.fraghdr.nxt", key: "ipv6_frag", get: |v| field(v, "next") },
    Rule { field: "ipv6.fraghdr.offset", key: "ipv6", get: |v| each(v, "frag", units) },
    Rule { field: "ipv6.fraghdr.offset", key: "ipv6_frag", get: units },
    Rule { field: "ipv6.fraghdr.more", key: "ipv6", get: |v| each(v, "frag", |x| field(x, "mf")) },
    Rule { field: "ipv6.fraghdr.more", key: "ipv6_frag", get: |v| field(v, "mf") },
    Rule { field: "ipv6.fraghdr.ident", key: "ipv6", get: |v| each(v, "frag", |x| hex(x, "id", 8)) },
    Rule { field: "ipv6.fraghdr.ident", key: "ipv6_frag", get: |v| hex(v, "id", 8) },
    Rule { field: "ah.spi", key: "ah", get: |v| hex(v, "spi", 8) },
    Rule { field: "ah.sequence", key: "ah", get: |v| field(v, "seq") },
    Rule { field: "mip6.mhtype", key: "mh", get: |v| field(v, "type") },
    // tshark's `hip.type` is the type of each parameter (the packet type is
    // `hip.packet_type`).
    Rule { field: "hip.type", key: "hip", get: |v| multidict(v, "parameters", "type") },
    Rule { field: "hip.type", key: "hipv1", get: |v| multidict(v, "parameters", "type") },
    Rule { field: "hip.type", key: "hipv2", get: |v| multidict(v, "parameters", "type") },
    Rule { field: "hip.version", key: "hip", get: |v| field(v, "version") },
    Rule { field: "hip.version", key: "hipv1", get: |v| field(v, "version") },
    Rule { field: "hip.version", key: "hipv2", get: |v| field(v, "version") },
    // IPX.
    Rule { field: "ipx.src.net", key: "ipx", get: |v| ipx_net(v, "src") },
    Rule { field: "ipx.dst.net", key: "ipx", get: |v| ipx_net(v, "dst") },
    Rule { field: "ipx.packet_type", key: "ipx", get: |v| hex(v, "type", 2) },
    Rule { field: "ipx.src.socket", key: "ipx", get: |v| hex(v, "src.socket", 4) },
    Rule { field: "ipx.dst.socket", key: "ipx", get: |v| hex(v, "dst.socket", 4) },
];
