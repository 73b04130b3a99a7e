//! Rust code emission (unformatted; rustfmt tidies it).

use std::collections::{BTreeMap, BTreeSet};
use std::fmt::Write as _;
use std::path::PathBuf;

use super::model::{Model, Piece, Range, Registry};

const CORE_DIR: &str = "crates/pcapkit-core/src/consts";
const PROTO_DIR: &str = "crates/pcapkit-protocols/src/consts";

/// Which crate a registry goes to.
fn in_core(key: &str) -> bool {
    key == "reg__LinkType" || key.starts_with("pcapng__")
}

/// How a registry is represented.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Kind {
    Int,
    Flag,
    Str,
    AppType,
    OptionType,
}

fn kind_of(reg: &Registry) -> Kind {
    match reg.key.as_str() {
        "reg__AppType" => Kind::AppType,
        "pcapng__OptionType" => Kind::OptionType,
        _ if reg.rules.flag_zero.is_some() => Kind::Flag,
        _ if reg.int_rows().is_none() => Kind::Str,
        _ => Kind::Int,
    }
}

/// Narrowest unsigned type holding the registry values and PyPCAPKit's accepted domain.
fn int_type(reg: &Registry) -> &'static str {
    let mut max = reg
        .int_rows()
        .unwrap_or_default()
        .iter()
        .map(|r| r.0)
        .max()
        .unwrap_or(0);
    if let Some((_, Some(hi))) = reg.rules.domain {
        max = max.max(hi);
    }
    for r in reg.rules.ranges.iter() {
        max = max.max(r.hi);
    }
    match max {
        0..=0xFF => "u8",
        0x100..=0xFFFF => "u16",
        0x1_0000..=0xFFFF_FFFF => "u32",
        0x1_0000_0000..=0xFFFF_FFFF_FFFF_FFFF => "u64",
        _ => "u128",
    }
}

fn type_max(ty: &str) -> u128 {
    match ty {
        "u8" => u8::MAX.into(),
        "u16" => u16::MAX.into(),
        "u32" => u32::MAX.into(),
        "u64" => u64::MAX.into(),
        _ => u128::MAX,
    }
}

const KEYWORDS: &[&str] = &[
    "as", "break", "const", "continue", "else", "enum", "extern", "false", "fn", "for", "if",
    "impl", "in", "let", "loop", "match", "mod", "move", "mut", "pub", "ref", "return", "static",
    "struct", "trait", "true", "type", "unsafe", "use", "where", "while", "async", "await", "dyn",
    "abstract", "become", "box", "do", "final", "macro", "override", "priv", "typeof", "unsized",
    "virtual", "yield", "try", "gen",
];

/// The Rust identifier for a registry member name, if it can be one.
fn ident(name: &str, reserved: &[&str]) -> Option<String> {
    let mut chars = name.chars();
    let first = chars.next()?;
    if !(first.is_ascii_alphabetic() || first == '_')
        || !chars.all(|c| c.is_ascii_alphanumeric() || c == '_')
        || matches!(name, "_" | "self" | "Self" | "super" | "crate")
        || reserved.contains(&name)
    {
        return None;
    }
    if KEYWORDS.contains(&name) {
        return Some(format!("r#{name}"));
    }
    Some(name.to_string())
}

/// Rust string literal.
fn lit(s: &str) -> String {
    format!("{s:?}")
}

/// `write!(f, ...)` call for a template, with `v` the value.
fn write_template(t: &[Piece], value_expr: &str) -> String {
    let mut fmt = String::new();
    let mut args = Vec::new();
    for p in t {
        match p {
            Piece::Lit(s) => fmt.push_str(&s.replace('{', "{{").replace('}', "}}")),
            Piece::Num {
                radix,
                width,
                group,
            } => {
                if *group > 0 {
                    let (r, upper) = match radix {
                        'b' => (2, false),
                        'd' => (10, false),
                        'x' => (16, false),
                        _ => (16, true),
                    };
                    fmt.push_str("{}");
                    args.push(format!(
                        "support::Digits {{ value: u128::from({value_expr}), radix: {r}, width: {width}, group: {group}, upper: {upper} }}"
                    ));
                } else {
                    let spec = match radix {
                        'd' => String::new(),
                        r => r.to_string(),
                    };
                    let w = if *width > 0 {
                        format!("0{width}")
                    } else {
                        String::new()
                    };
                    if w.is_empty() && spec.is_empty() {
                        fmt.push_str("{}");
                    } else {
                        let _ = write!(fmt, "{{:{w}{spec}}}");
                    }
                    args.push(value_expr.to_string());
                }
            }
        }
    }
    let mut out = format!("write!(f, {}", lit(&fmt));
    for a in args {
        out.push_str(", ");
        out.push_str(&a);
    }
    out.push(')');
    out
}

/// Ranges clipped to the domain, in order (first match wins).
fn clipped(reg: &Registry, ty: &str) -> Vec<(u128, u128, Range)> {
    let (dlo, dhi) = match reg.rules.domain {
        Some((lo, hi)) => (lo, hi.unwrap_or(u128::MAX).min(type_max(ty))),
        None => (0, type_max(ty)),
    };
    let mut out = Vec::new();
    for r in &reg.rules.ranges {
        let (lo, hi) = (r.lo.max(dlo), r.hi.min(dhi));
        if lo <= hi {
            out.push((lo, hi, r.clone()));
        }
    }
    if let Some(d) = &reg.rules.default {
        out.push((dlo, dhi, d.clone()));
    }
    out
}

fn header(out: &mut String, sources: &[String]) {
    let first = sources.first().map(String::as_str).unwrap_or("");
    let _ = writeln!(
        out,
        "// @generated by cargo xtask gen-consts from {first} — do not edit"
    );
    for s in sources.iter().skip(1) {
        let _ = writeln!(out, "// and {s}");
    }
    out.push_str(
        "// Missing-value rules: xtask/data/missing.tsv (from PyPCAPKit 1.4.1's `_missing_`).\n",
    );
}

struct Ctx<'a> {
    model: &'a Model,
    /// Path of the support module from the generated file.
    support: &'static str,
}

/// Emits every file.
pub fn emit_all(model: &Model) -> Result<Vec<(PathBuf, String)>, String> {
    let mut groups: BTreeMap<(bool, String), Vec<&Registry>> = BTreeMap::new();
    for reg in model.registries.values() {
        groups
            .entry((in_core(&reg.key), reg.group.clone()))
            .or_default()
            .push(reg);
    }
    let mut files = Vec::new();
    let mut core_mods = Vec::new();
    let mut proto_mods = Vec::new();
    for ((core, group), regs) in &groups {
        let ctx = Ctx {
            model,
            support: if *core {
                "super::support"
            } else {
                "pcapkit_core::consts::support"
            },
        };
        let mut out = String::new();
        let sources: Vec<String> = regs.iter().map(|r| r.source.clone()).collect();
        header(&mut out, &sources);
        let mut reexports = Vec::new();
        if !*core && group == "reg" {
            // LinkType lives in core (the capture layer needs it).
            reexports.push("pub use pcapkit_core::consts::reg::LinkType;".to_string());
        }
        let _ = writeln!(
            out,
            "#![allow(non_upper_case_globals, clippy::unreadable_literal, clippy::useless_conversion)]\n\n\
             use core::fmt;\n\n\
             use serde::ser::SerializeStruct as _;\nuse serde::{{Serialize, Serializer}};\n\n\
             use {} as support;",
            ctx.support
        );
        let has_str = regs.iter().any(|r| kind_of(r) == Kind::Str);
        if has_str {
            let _ = writeln!(out, "use {}::{{StrMember, StrRegistry}};", ctx.support);
        }
        for r in &reexports {
            out.push_str(r);
            out.push('\n');
        }
        let mut uses_struct = false;
        for reg in regs {
            uses_struct |= emit_registry(&ctx, reg, &mut out)?;
        }
        if !uses_struct {
            out = out.replace("use serde::ser::SerializeStruct as _;\n", "");
        }
        let dir = if *core { CORE_DIR } else { PROTO_DIR };
        files.push((PathBuf::from(format!("{dir}/{group}.rs")), out));
        if *core {
            core_mods.push((group.clone(), regs.clone()));
        } else {
            proto_mods.push((group.clone(), regs.clone()));
        }
    }
    files.push((
        PathBuf::from(format!("{CORE_DIR}/mod.rs")),
        core_mod_rs(&core_mods),
    ));
    files.push((
        PathBuf::from(format!("{PROTO_DIR}/mod.rs")),
        proto_mod_rs(&proto_mods, &core_mods),
    ));
    Ok(files)
}

fn mod_doc(group: &str) -> &'static str {
    match group {
        "reg" => "Link types, EtherTypes, IP protocol numbers, port numbers.",
        "pcapng" => "PCAP-NG block, option and record types.",
        "tcp" => "TCP flags, options, checksums, MPTCP subtypes.",
        "ipv4" => "IPv4 options and type-of-service fields.",
        "ipv6" => "IPv6 extension headers, options, routing types.",
        "arp" => "ARP hardware types and operations.",
        "ftp" => "FTP commands and reply codes.",
        "http" => "HTTP methods, status codes and HTTP/2 registries.",
        "hip" => "Host Identity Protocol registries.",
        "mh" => "Mobility Header registries.",
        "ipx" => "IPX packet types and sockets.",
        "l2tp" => "L2TP message types.",
        "ospf" => "OSPF packet and authentication types.",
        "vlan" => "802.1Q priority levels.",
        "icmp" => {
            "ICMP message types and the codes of its error messages (IANA, not in PyPCAPKit)."
        }
        "icmpv6" => "ICMPv6 message types, error codes, ND option types (IANA, not in PyPCAPKit).",
        "igmp" => "IGMP message types, IGMPv3/MLDv2 group record types (IANA, not in PyPCAPKit).",
        "sctp" => "SCTP chunk types (IANA, not in PyPCAPKit).",
        "dns" => "DNS resource record types, classes, opcodes and response codes.",
        "dhcp" => "BOOTP/DHCP op codes, options and message types.",
        "dhcpv6" => "DHCPv6 message types and option codes.",
        "ntp" => "NTP association modes and leap indicators.",
        "snmp" => "SNMP message versions and PDU types.",
        "tls" => "TLS content types, handshake types, extension types and versions.",
        _ => "Registry constants.",
    }
}

fn core_mod_rs(mods: &[(String, Vec<&Registry>)]) -> String {
    let mut out = String::new();
    out.push_str(
        "// @generated by cargo xtask gen-consts from ../shared/registries — do not edit\n",
    );
    out.push_str(
        "//! IANA registries the capture layer needs, as PyPCAPKit names them, generated by\n\
         //! `cargo xtask gen-consts` (`support` is hand-written).\n\
         //!\n\
         //! Every type prints PyPCAPKit's text `Class::member [value]`:\n\
         //!\n\
         //! ```\n\
         //! use pcapkit_core::consts::LinkType;\n\
         //! assert_eq!(LinkType::ETHERNET.to_string(), \"LinkType::ETHERNET [1]\");\n\
         //! assert_eq!(LinkType(65535).to_string(), \"LinkType::Unassigned_65535 [65535]\");\n\
         //! ```\n\n",
    );
    for (group, _) in mods {
        let _ = writeln!(out, "/// {}\npub mod {group};", mod_doc(group));
    }
    out.push_str("pub mod support;\n\npub use reg::LinkType;\npub use support::RegistryEnum;\n");
    out
}

fn proto_mod_rs(mods: &[(String, Vec<&Registry>)], core: &[(String, Vec<&Registry>)]) -> String {
    let mut out = String::new();
    out.push_str(
        "// @generated by cargo xtask gen-consts from ../shared/registries — do not edit\n",
    );
    out.push_str(
        "//! IANA and protocol registries, as PyPCAPKit names them, generated by\n\
         //! `cargo xtask gen-consts`. PCAP-NG registries and `LinkType` live in\n\
         //! `pcapkit_core::consts` and are re-exported here.\n\
         //!\n\
         //! ```\n\
         //! use pcapkit_protocols::consts::reg::{EtherType, TransType};\n\
         //! assert_eq!(EtherType(0x86DD).to_string(), \"EtherType::Internet_Protocol_version_6 [34525]\");\n\
         //! assert_eq!(TransType(200).to_string(), \"TransType::Unassigned_200 [200]\");\n\
         //! ```\n\n",
    );
    for (group, _) in mods {
        let _ = writeln!(out, "/// {}\npub mod {group};", mod_doc(group));
    }
    out.push_str(
        "pub use pcapkit_core::consts::pcapng;\npub use pcapkit_core::consts::support;\n\
         pub use pcapkit_core::consts::RegistryEnum;\n\n",
    );
    out.push_str("/// Every registry key (`GROUP__Class`), core's included.\n#[doc(hidden)]\npub const REGISTRY_KEYS: &[&str] = &[\n");
    for (_, regs) in core.iter().chain(mods.iter()) {
        for reg in regs {
            let _ = writeln!(out, "{:?},", reg.key);
        }
    }
    out.push_str("];\n\n");
    // Text of any registry by key: used by the golden / reference tests.
    out.push_str(
        "/// PyPCAPKit's text for `input` in registry `key` (`reg__EtherType`, `34525`), for\n\
         /// tests that compare with PyPCAPKit's output. AppType inputs are `port/proto`\n\
         /// (`80/tcp`), OptionType inputs `namespace/code` (`if/9`). `None`: unknown key or\n\
         /// unparsable input. Object forms are rendered as their JSON.\n\
         #[doc(hidden)]\n\
         pub fn text_of(key: &str, input: &str) -> Option<String> {\n\
         match key {\n",
    );
    for (group, regs) in core.iter().chain(mods.iter()) {
        for reg in regs {
            let prefix = if in_core(&reg.key) {
                format!("pcapkit_core::consts::{group}")
            } else {
                group.clone()
            };
            let path = format!("{prefix}::{}", reg.class);
            let arm = match kind_of(reg) {
                Kind::Int | Kind::Flag => {
                    format!("input.parse().ok().map(|v| {path}(v).to_string())")
                }
                Kind::Str => {
                    format!("Some(support::StrMember::<{path}>::parse(input).to_string())")
                }
                Kind::AppType => format!(
                    "{{ let (p, proto) = input.split_once('/')?;\n\
                     let proto = match proto {{ \"tcp\" => reg::TransportProtocol::tcp, \"udp\" => reg::TransportProtocol::udp, _ => return None }};\n\
                     let a = {path}::lookup(p.parse().ok()?, proto);\n\
                     Some(format!(\"{{a}} | {{}} | {{}} | {{}}\", a.svc(), a.port(), a.proto())) }}"
                ),
                Kind::OptionType => format!(
                    "{{ let (ns, code) = input.split_once('/')?;\n\
                     let ns = pcapkit_core::consts::pcapng::OptionNamespace::from_prefix(ns)?;\n\
                     let o = {path}::for_namespace(ns, code.parse().ok()?);\n\
                     Some(format!(\"{{o}} | {{}} | {{}}\", o.opt_name(), o.code())) }}"
                ),
            };
            let _ = writeln!(out, "{:?} => {arm},", reg.key);
        }
    }
    out.push_str("_ => None,\n}\n}\n");
    out
}

/// Emits one registry; returns whether it used `SerializeStruct`.
fn emit_registry(ctx: &Ctx<'_>, reg: &Registry, out: &mut String) -> Result<bool, String> {
    match kind_of(reg) {
        Kind::Int => emit_int(ctx, reg, out, false),
        Kind::Flag => emit_int(ctx, reg, out, true),
        Kind::Str => emit_str(ctx, reg, out),
        Kind::AppType => emit_apptype(ctx, reg, out),
        Kind::OptionType => emit_option_type(ctx, reg, out),
    }
}

fn common_impls(out: &mut String, class: &str, serialize_body: &str) {
    let _ = writeln!(
        out,
        "impl fmt::Display for {class} {{\n\
         fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {{ support::write_text(self, f) }}\n}}\n\n\
         impl fmt::Debug for {class} {{\n\
         fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {{ support::write_text(self, f) }}\n}}\n\n\
         impl Serialize for {class} {{\n\
         fn serialize<S: Serializer>(&self, serializer: S) -> Result<S::Ok, S::Error> {{\n{serialize_body}\n}}\n}}\n"
    );
}

const COLLECT_STR: &str = "serializer.collect_str(self)";

fn emit_int(ctx: &Ctx<'_>, reg: &Registry, out: &mut String, flag: bool) -> Result<bool, String> {
    let class = &reg.class;
    let ty = int_type(reg);
    let rows = reg
        .int_rows()
        .ok_or_else(|| format!("{}: non-integer value", reg.key))?;
    let key = &reg.key;
    let _ = writeln!(
        out,
        "\n/// PyPCAPKit's `{class}` ({} members{}), from `{}`.\n\
         ///\n/// Prints `{class}::member [value]`; values outside the registry get PyPCAPKit's\n\
         /// synthesised names, or `Unknown`.\n\
         #[derive(Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord, Default)]\n\
         pub struct {class}(pub {ty});\n",
        rows.len(),
        if flag { ", IntFlag" } else { "" },
        reg.source
    );
    let reserved: &[&str] = &["name", "description", "message", "kind", "group"];
    let _ = writeln!(out, "impl {class} {{");
    let mut seen = BTreeSet::new();
    for (v, n) in &rows {
        match ident(n, reserved) {
            Some(id) if seen.insert(id.clone()) => {
                let _ = writeln!(out, "/// `{n}` [{v}]\npub const {id}: Self = Self({v});");
            }
            _ => {
                let _ = writeln!(out, "// `{n}` [{v}]: no Rust constant (not an identifier)");
            }
        }
    }
    // name()
    let _ = writeln!(
        out,
        "\n/// The registry member name of this value; `None` when it is not a member.\n\
         #[must_use]\n#[allow(unreachable_patterns)]\n\
         pub const fn name(self) -> ::core::option::Option<&'static str> {{\nmatch self.0 {{"
    );
    let mut seen_v = BTreeSet::new();
    for (v, n) in &rows {
        if seen_v.insert(*v) {
            let _ = writeln!(out, "{v} => Some({}),", lit(n));
        }
    }
    if let Some(z) = reg
        .rules
        .flag_zero
        .as_deref()
        .filter(|z| flag && *z != "None")
        && !seen_v.contains(&0)
    {
        let _ = writeln!(out, "0 => Some({}),", lit(z));
    }
    out.push_str("_ => None,\n}\n}\n");
    let uses_struct = emit_int_extras(ctx, reg, ty, out)?;
    out.push_str("}\n\n");

    if flag {
        let mut bits: Vec<(u128, &str)> = rows
            .iter()
            .filter(|(v, _)| v.is_power_of_two())
            .map(|(v, n)| (*v, *n))
            .collect();
        bits.sort_by_key(|b| b.0);
        bits.dedup_by_key(|b| b.0);
        if rows.iter().any(|(v, _)| *v != 0 && !v.is_power_of_two()) {
            return Err(format!(
                "{key}: multi-bit IntFlag members are not supported"
            ));
        }
        let _ = writeln!(
            out,
            "impl {class} {{\n/// Single-bit members, lowest first (composite names join them with `|`).\n\
             const FLAG_BITS: &'static [(u128, &'static str)] = &["
        );
        for (v, n) in &bits {
            let _ = writeln!(out, "({v}, {}),", lit(n));
        }
        out.push_str("];\n}\n\n");
    }

    // RegistryEnum
    let _ = writeln!(
        out,
        "impl support::RegistryEnum for {class} {{\nconst CLASS: &'static str = {};\n\n\
         #[allow(unreachable_patterns, clippy::match_overlapping_arm)]\n\
         fn write_member(&self, f: &mut dyn fmt::Write) -> fmt::Result {{\n\
         if let Some(name) = self.name() {{ return f.write_str(name); }}",
        lit(class)
    );
    if flag {
        if let Some((lo, hi)) = reg.rules.domain {
            let hi = hi.unwrap_or(u128::MAX).min(type_max(ty));
            if lo > 0 || hi < type_max(ty) {
                let _ = writeln!(
                    out,
                    "if !({lo}..={hi}).contains(&self.0) {{ return f.write_str(\"Unknown\"); }}"
                );
            }
        }
        out.push_str("support::write_flags(f, u128::from(self.0), Self::FLAG_BITS)\n}\n");
    } else {
        let arms = clipped(reg, ty);
        if arms.is_empty() {
            out.push_str("f.write_str(\"Unknown\")\n}\n");
        } else {
            out.push_str("let v = self.0;\nmatch v {\n");
            for (lo, hi, r) in &arms {
                let pat = if lo == hi {
                    format!("{lo}")
                } else {
                    format!("{lo}..={hi}")
                };
                let _ = writeln!(out, "{pat} => {},", write_template(&r.template, "v"));
            }
            out.push_str("_ => f.write_str(\"Unknown\"),\n}\n}\n");
        }
    }
    out.push_str(
        "\nfn write_value(&self, f: &mut dyn fmt::Write) -> fmt::Result { write!(f, \"{}\", self.0) }\n}\n\n",
    );
    let ser = match key.as_str() {
        "ftp__ReturnCode" => {
            "let mut s = serializer.serialize_struct(\"ReturnCode\", 4)?;\n\
             s.serialize_field(\"enum\", &support::Text(*self))?;\n\
             s.serialize_field(\"description\", &self.description())?;\n\
             s.serialize_field(\"kind\", &self.kind())?;\n\
             s.serialize_field(\"group\", &self.group())?;\ns.end()"
        }
        "http__StatusCode" => {
            "let mut s = serializer.serialize_struct(\"StatusCode\", 2)?;\n\
             s.serialize_field(\"enum\", &support::Text(*self))?;\n\
             s.serialize_field(\"message\", &self.message())?;\ns.end()"
        }
        _ => COLLECT_STR,
    };
    common_impls(out, class, ser);
    let _ = writeln!(
        out,
        "impl From<{ty}> for {class} {{\nfn from(v: {ty}) -> Self {{ Self(v) }}\n}}\n\n\
         impl From<{class}> for {ty} {{\nfn from(v: {class}) -> Self {{ v.0 }}\n}}\n"
    );
    Ok(uses_struct)
}

/// Extra accessors of integer registries with attributes (inside `impl Class`).
fn emit_int_extras(
    ctx: &Ctx<'_>,
    reg: &Registry,
    ty: &str,
    out: &mut String,
) -> Result<bool, String> {
    let extra = ctx.model.extra.get(&reg.key);
    match reg.key.as_str() {
        "ftp__ReturnCode" => {
            let extra = extra.ok_or("ftp__ReturnCode: no extra data")?;
            out.push_str(
                "\n/// PyPCAPKit's `description` of a registry member (`None` for synthesised ones).\n\
                 #[must_use]\npub const fn description(self) -> ::core::option::Option<&'static str> {\nmatch self.0 {\n",
            );
            for l in extra {
                if let [v, d] = l.as_slice()
                    && !d.is_empty()
                {
                    let _ = writeln!(out, "{v} => Some({}),", lit(d));
                }
            }
            let _ = writeln!(
                out,
                "_ => None,\n}}\n}}\n\n\
                 /// Response kind: the first digit (PyPCAPKit's `ResponseKind(int(str(code)[0]))`).\n\
                 #[must_use]\npub const fn kind(self) -> ResponseKind {{\n\
                 let mut d = self.0;\nwhile d >= 10 {{ d /= 10; }}\nResponseKind(d as u8)\n}}\n\n\
                 /// Grouping: the second digit (`GroupingInformation(int(str(code)[1]))`; 0 for one-digit values).\n\
                 #[must_use]\npub const fn group(self) -> GroupingInformation {{\n\
                 let mut d = self.0;\nif d < 10 {{ return GroupingInformation(0); }}\n\
                 while d >= 100 {{ d /= 10; }}\nGroupingInformation((d % 10) as u8)\n}}"
            );
            let _ = ty;
            Ok(true)
        }
        "http__StatusCode" => {
            let extra = extra.ok_or("http__StatusCode: no extra data")?;
            out.push_str(
                "\n/// PyPCAPKit's `message` (reason phrase); `Unassigned` for synthesised members,\n\
                 /// `None` outside PyPCAPKit's domain.\n\
                 #[must_use]\n#[allow(unreachable_patterns, clippy::match_overlapping_arm)]\n\
                 pub const fn message(self) -> ::core::option::Option<&'static str> {\nmatch self.0 {\n",
            );
            for l in extra {
                if let [v, m] = l.as_slice() {
                    let _ = writeln!(out, "{v} => Some({}),", lit(m));
                }
            }
            for r in &reg.rules.ranges {
                if let Some(m) = r.args.first() {
                    let _ = writeln!(out, "{}..={} => Some({}),", r.lo, r.hi, lit(m));
                }
            }
            out.push_str("_ => None,\n}\n}\n");
            Ok(true)
        }
        _ => Ok(false),
    }
}

fn emit_str(ctx: &Ctx<'_>, reg: &Registry, out: &mut String) -> Result<bool, String> {
    let class = &reg.class;
    let n = reg.rows.len();
    let idx = if n <= 256 { "u8" } else { "u16" };
    let _ = writeln!(
        out,
        "\n/// PyPCAPKit's `{class}` ({n} members, string-valued), from `{}`.\n\
         ///\n/// Prints `{class}::member [value]`. Look values up with [`{class}::lookup`] or\n\
         /// [`{class}::parse`] (which keeps unknown strings).\n\
         #[derive(Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord)]\n\
         pub struct {class}({idx});\n\nimpl {class} {{",
        reg.source
    );
    let reserved: &[&str] = &[
        "name",
        "value",
        "lookup",
        "parse",
        "feat",
        "desc",
        "conf",
        "safe",
        "idempotent",
    ];
    for (i, (v, name)) in reg.rows.iter().enumerate() {
        if let Some(id) = ident(name, reserved) {
            let _ = writeln!(out, "/// `{name}` [{v}]\npub const {id}: Self = Self({i});");
        }
    }
    out.push_str(
        "\n/// The member whose value is exactly `s`.\n#[must_use]\n\
         pub fn lookup(s: &str) -> ::core::option::Option<Self> {\nmatch s {\n",
    );
    let mut seen = BTreeSet::new();
    for (i, (v, _)) in reg.rows.iter().enumerate() {
        if seen.insert(v.clone()) {
            let _ = writeln!(out, "{} => Some(Self({i})),", lit(v));
        }
    }
    out.push_str(
        "_ => None,\n}\n}\n\n/// `s` as a member, or kept as an unknown value.\n#[must_use]\n\
         pub fn parse(s: &str) -> StrMember<'_, Self> { StrMember::parse(s) }\n\n\
         /// The registry member name.\n#[must_use]\npub const fn name(self) -> &'static str {\nmatch self.0 {\n",
    );
    for (i, (_, name)) in reg.rows.iter().enumerate() {
        let _ = writeln!(out, "{i} => {},", lit(name));
    }
    out.push_str("_ => \"\",\n}\n}\n\n/// The member's value (the wire string).\n#[must_use]\npub const fn value(self) -> &'static str {\nmatch self.0 {\n");
    for (i, (v, _)) in reg.rows.iter().enumerate() {
        let _ = writeln!(out, "{i} => {},", lit(v));
    }
    out.push_str("_ => \"\",\n}\n}\n");
    let (uses_struct, ser, unknown_ser) = emit_str_extras(ctx, reg, out)?;
    out.push_str("}\n\n");
    let _ = writeln!(
        out,
        "impl support::RegistryEnum for {class} {{\nconst CLASS: &'static str = {};\n\
         fn write_member(&self, f: &mut dyn fmt::Write) -> fmt::Result {{ f.write_str(self.name()) }}\n\
         fn write_value(&self, f: &mut dyn fmt::Write) -> fmt::Result {{ f.write_str(self.value()) }}\n}}\n\n\
         impl StrRegistry for {class} {{\nfn lookup(s: &str) -> ::core::option::Option<Self> {{ Self::lookup(s) }}\n{unknown_ser}}}\n",
        lit(class)
    );
    common_impls(out, class, &ser);
    Ok(uses_struct)
}

/// Extra accessors of string registries (inside `impl Class`); returns
/// (uses SerializeStruct, serialize body, `serialize_unknown` override).
fn emit_str_extras(
    ctx: &Ctx<'_>,
    reg: &Registry,
    out: &mut String,
) -> Result<(bool, String, String), String> {
    let extra = ctx.model.extra.get(&reg.key);
    let index_of = |key: &str, value: &str| -> Result<usize, String> {
        ctx.model
            .registries
            .get(key)
            .and_then(|r| r.rows.iter().position(|(v, _)| v == value))
            .ok_or_else(|| format!("{}: {value:?} is not in {key}", reg.key))
    };
    match reg.key.as_str() {
        "ftp__Command" => {
            let extra = extra.ok_or("ftp__Command: no extra data")?;
            let mut feat = String::new();
            let mut desc = String::new();
            let mut ty = String::new();
            let mut conf = String::new();
            for l in extra {
                let [v, f, d, t, c] = l.as_slice() else {
                    return Err(format!("extra/ftp__Command.tsv: bad row {l:?}"));
                };
                let i = index_of("ftp__Command", v)?;
                if !f.is_empty() {
                    let _ = writeln!(
                        feat,
                        "{i} => Some(FEATCode({})),",
                        index_of("ftp__FEATCode", f)?
                    );
                }
                if !d.is_empty() {
                    let _ = writeln!(desc, "{i} => Some({}),", lit(d));
                }
                let _ = writeln!(ty, "{i} => CommandType({t}),");
                let _ = writeln!(conf, "{i} => ConformanceRequirement({c}),");
            }
            // Defaults of PyPCAPKit's Command.__new__: feat None, desc None,
            // type CommandType.undefined, conf ConformanceRequirement.O.
            let _ = writeln!(
                out,
                "\n/// FEAT code announcing the command (`feat`).\n#[must_use]\n\
                 pub const fn feat(self) -> ::core::option::Option<FEATCode> {{\nmatch self.0 {{\n{feat}_ => None,\n}}\n}}\n\n\
                 /// Description (`desc`).\n#[must_use]\n\
                 pub const fn desc(self) -> ::core::option::Option<&'static str> {{\nmatch self.0 {{\n{desc}_ => None,\n}}\n}}\n\n\
                 /// Command type (`type`: access control, parameter setting, service).\n#[must_use]\n\
                 pub const fn r#type(self) -> CommandType {{\nmatch self.0 {{\n{ty}_ => CommandType(0),\n}}\n}}\n\n\
                 /// Conformance requirement (`conf`).\n#[must_use]\n\
                 pub const fn conf(self) -> ConformanceRequirement {{\nmatch self.0 {{\n{conf}_ => ConformanceRequirement(2),\n}}\n}}"
            );
            let ser = "let mut s = serializer.serialize_struct(\"Command\", 5)?;\n\
                       s.serialize_field(\"enum\", &support::Text(*self))?;\n\
                       s.serialize_field(\"feat\", &self.feat())?;\n\
                       s.serialize_field(\"desc\", &self.desc())?;\n\
                       s.serialize_field(\"type\", &self.r#type())?;\n\
                       s.serialize_field(\"conf\", &self.conf())?;\ns.end()";
            let unknown = "/// PyPCAPKit's defaults for a command it does not know.\n\
                           fn serialize_unknown<S: Serializer>(value: &str, serializer: S) -> Result<S::Ok, S::Error> {\n\
                           let mut s = serializer.serialize_struct(\"Command\", 5)?;\n\
                           s.serialize_field(\"enum\", &support::UnknownStr::<Self>::new(value).to_string())?;\n\
                           s.serialize_field(\"feat\", &::core::option::Option::<FEATCode>::None)?;\n\
                           s.serialize_field(\"desc\", &::core::option::Option::<&str>::None)?;\n\
                           s.serialize_field(\"type\", &CommandType(0))?;\n\
                           s.serialize_field(\"conf\", &ConformanceRequirement(2))?;\ns.end()\n}\n";
            Ok((true, ser.to_string(), unknown.to_string()))
        }
        "http__Method" => {
            let extra = extra.ok_or("http__Method: no extra data")?;
            let mut safe = String::new();
            let mut idem = String::new();
            for l in extra {
                let [v, s, i] = l.as_slice() else {
                    return Err(format!("extra/http__Method.tsv: bad row {l:?}"));
                };
                let k = index_of("http__Method", v)?;
                let _ = writeln!(safe, "{k} => {},", s == "1");
                let _ = writeln!(idem, "{k} => {},", i == "1");
            }
            let _ = writeln!(
                out,
                "\n/// Whether the method is safe (RFC 9110 §9.2.1).\n#[must_use]\n\
                 #[allow(clippy::match_like_matches_macro)]\n\
                 pub const fn safe(self) -> bool {{\nmatch self.0 {{\n{safe}_ => false,\n}}\n}}\n\n\
                 /// Whether the method is idempotent (RFC 9110 §9.2.2).\n#[must_use]\n\
                 #[allow(clippy::match_like_matches_macro)]\n\
                 pub const fn idempotent(self) -> bool {{\nmatch self.0 {{\n{idem}_ => false,\n}}\n}}"
            );
            let ser = "let mut s = serializer.serialize_struct(\"Method\", 3)?;\n\
                       s.serialize_field(\"enum\", &support::Text(*self))?;\n\
                       s.serialize_field(\"safe\", &self.safe())?;\n\
                       s.serialize_field(\"idempotent\", &self.idempotent())?;\ns.end()";
            let unknown = "/// PyPCAPKit's defaults for a method it does not know (neither safe nor idempotent).\n\
                           fn serialize_unknown<S: Serializer>(value: &str, serializer: S) -> Result<S::Ok, S::Error> {\n\
                           let mut s = serializer.serialize_struct(\"Method\", 3)?;\n\
                           s.serialize_field(\"enum\", &support::UnknownStr::<Self>::new(value).to_string())?;\n\
                           s.serialize_field(\"safe\", &false)?;\n\
                           s.serialize_field(\"idempotent\", &false)?;\ns.end()\n}\n";
            Ok((true, ser.to_string(), unknown.to_string()))
        }
        _ => Ok((false, COLLECT_STR.to_string(), String::new())),
    }
}

/// Splits `service [port - proto]`.
fn parse_app(v: &str) -> Option<(&str, i64, &str)> {
    let (svc, rest) = v.rsplit_once(" [")?;
    let rest = rest.strip_suffix(']')?;
    let (port, proto) = rest.split_once(" - ")?;
    Some((svc, port.parse().ok()?, proto))
}

fn proto_bits(model: &Model, proto: &str) -> Result<u8, String> {
    let reg = model
        .registries
        .get("reg__TransportProtocol")
        .ok_or("no reg__TransportProtocol registry")?;
    let mut bits = 0u8;
    if proto == "undefined" {
        return Ok(0);
    }
    for p in proto.split('|') {
        let v = reg
            .rows
            .iter()
            .find(|(_, n)| n == p)
            .and_then(|(v, _)| v.parse::<u8>().ok())
            .ok_or_else(|| format!("AppType: unknown transport protocol {p:?}"))?;
        bits |= v;
    }
    Ok(bits)
}

fn emit_apptype(ctx: &Ctx<'_>, reg: &Registry, out: &mut String) -> Result<bool, String> {
    // Members with a port (PyPCAPKit also lists port -1 services; no lookup reaches them).
    let mut members = Vec::new();
    for (v, name) in &reg.rows {
        let (svc, port, proto) =
            parse_app(v).ok_or_else(|| format!("reg__AppType: bad value {v:?}"))?;
        if let Ok(port) = u16::try_from(port) {
            members.push((name.as_str(), svc, port, proto_bits(ctx.model, proto)?));
        }
    }
    // PyPCAPKit's __members_proto__: each member registered under every bit of its proto
    // (or under `undefined`), later definitions overwriting earlier ones.
    let mut index: BTreeMap<u32, usize> = BTreeMap::new();
    for (i, (_, _, port, proto)) in members.iter().enumerate() {
        let key = |ns: u8| (u32::from(ns) << 16) | u32::from(*port);
        if *proto == 0 {
            index.insert(key(0), i);
        }
        for bit in 0..8 {
            if proto & (1 << bit) != 0 {
                index.insert(key(1 << bit), i);
            }
        }
    }
    // _missing_ ranges: first match wins; flatten to disjoint pieces for binary search.
    let mut covered: Vec<(u16, u16, usize)> = Vec::new();
    let mut rules = Vec::new();
    for (k, r) in reg.rules.ranges.iter().enumerate() {
        let prefix = match r.template.as_slice() {
            [
                Piece::Lit(p),
                Piece::Num {
                    radix: 'd',
                    width: 0,
                    group: 0,
                },
            ] => p.clone(),
            _ => {
                return Err(format!(
                    "reg__AppType: unsupported range template {:?}",
                    r.template
                ));
            }
        };
        let [svc, proto] = r.args.as_slice() else {
            return Err(format!("reg__AppType: range args {:?}", r.args));
        };
        rules.push((prefix, svc.clone(), proto_bits(ctx.model, proto)?));
        let (lo, hi) = (
            u16::try_from(r.lo).map_err(|_| "reg__AppType: range lo")?,
            u16::try_from(r.hi).map_err(|_| "reg__AppType: range hi")?,
        );
        let mut p = u32::from(lo);
        while p <= u32::from(hi) {
            let port = p as u16;
            if let Some(c) = covered.iter().find(|c| c.0 <= port && port <= c.1) {
                p = u32::from(c.1) + 1;
                continue;
            }
            let next = covered
                .iter()
                .filter(|c| c.0 > port)
                .map(|c| c.0)
                .min()
                .map_or(hi, |n| n.saturating_sub(1).min(hi));
            covered.push((port, next, k));
            p = u32::from(next) + 1;
        }
    }
    covered.sort();
    let _ = writeln!(
        out,
        "\n/// Service names and port numbers (`AppType`, {} registry rows with a port), from\n\
         /// `{}`.\n///\n\
         /// Looked up by `(port, transport protocol)` like PyPCAPKit's `AppType.get(port,\n\
         /// proto=...)`: the member registered for that protocol (the last one defined wins),\n\
         /// else a protocol-less member, else a synthesised `unassigned_N` / `reserved_N` range\n\
         /// member, else `PORT_N_proto` with service `unknown`. Prints\n\
         /// `AppType::www_http [www-http [80 - tcp|udp]]`; serialises as PyPCAPKit's object\n\
         /// form `{{\"enum\", \"svc\", \"port\", \"proto\"}}`.\n\
         #[derive(Clone, Copy, PartialEq, Eq, Hash)]\n\
         pub struct AppType {{\nport: u16,\nproto: TransportProtocol,\nsource: AppSource,\n}}\n\n\
         /// Where an [`AppType`] comes from.\n\
         #[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]\n\
         enum AppSource {{\n/// Index into `APP_MEMBERS`.\nMember(u16),\n/// Index into `APP_RULES`.\nRule(u16),\n/// No registry entry: `PORT_N_proto`.\nUnknown,\n}}\n",
        members.len(),
        reg.source
    );
    let _ = writeln!(
        out,
        "/// (member name, service, port, proto bits) of every member with a port.\n\
         static APP_MEMBERS: [(&str, &str, u16, u8); {}] = [",
        members.len()
    );
    for (n, s, p, b) in &members {
        let _ = writeln!(out, "({}, {}, {p}, {b}),", lit(n), lit(s));
    }
    let _ = writeln!(
        out,
        "];\n\n/// ((namespace bits << 16) | port, index into `APP_MEMBERS`), sorted.\n\
         static APP_INDEX: [(u32, u16); {}] = [",
        index.len()
    );
    for (k, i) in &index {
        let _ = writeln!(out, "({k}, {i}),");
    }
    let _ = writeln!(
        out,
        "];\n\n/// `_missing_` rules: (name prefix, service, proto bits).\n\
         static APP_RULES: [(&str, &str, u8); {}] = [",
        rules.len()
    );
    for (p, s, b) in &rules {
        let _ = writeln!(out, "({}, {}, {b}),", lit(p), lit(s));
    }
    let _ = writeln!(
        out,
        "];\n\n/// Disjoint (lo, hi, rule) port ranges, sorted (first-defined rule wins on overlap).\n\
         static APP_RANGES: [(u16, u16, u16); {}] = [",
        covered.len()
    );
    for (lo, hi, k) in &covered {
        let _ = writeln!(out, "({lo}, {hi}, {k}),");
    }
    out.push_str(
        r#"];

impl AppType {
    /// Looks `port` up for transport protocol `proto` (PyPCAPKit's
    /// `AppType.get(port, proto=proto)`; TCP uses `TransportProtocol::tcp`, UDP `udp`).
    #[must_use]
    pub fn lookup(port: u16, proto: TransportProtocol) -> Self {
        let find = |ns: u8| {
            let key = (u32::from(ns) << 16) | u32::from(port);
            APP_INDEX
                .binary_search_by_key(&key, |e| e.0)
                .ok()
                .and_then(|i| APP_INDEX.get(i))
                .map(|e| e.1)
        };
        if let Some(i) = find(proto.0).or_else(|| find(0)) {
            let proto = APP_MEMBERS.get(usize::from(i)).map_or(proto, |m| TransportProtocol(m.3));
            return Self { port, proto, source: AppSource::Member(i) };
        }
        let pos = APP_RANGES.partition_point(|r| r.1 < port);
        if let Some(&(lo, _, k)) = APP_RANGES.get(pos) {
            if lo <= port {
                let proto = APP_RULES.get(usize::from(k)).map_or(proto, |r| TransportProtocol(r.2));
                return Self { port, proto, source: AppSource::Rule(k) };
            }
        }
        Self { port, proto, source: AppSource::Unknown }
    }

    /// [`AppType::lookup`] for a TCP port.
    #[must_use]
    pub fn tcp(port: u16) -> Self {
        Self::lookup(port, TransportProtocol::tcp)
    }

    /// [`AppType::lookup`] for a UDP port.
    #[must_use]
    pub fn udp(port: u16) -> Self {
        Self::lookup(port, TransportProtocol::udp)
    }

    /// The port number.
    #[must_use]
    pub const fn port(self) -> u16 {
        self.port
    }

    /// The transport protocols of the entry (the looked-up one for unknown ports).
    #[must_use]
    pub const fn proto(self) -> TransportProtocol {
        self.proto
    }

    /// The service name (`www-http`; `unassigned`, `reserved`; `unknown` for unknown ports).
    #[must_use]
    pub fn svc(self) -> &'static str {
        match self.source {
            AppSource::Member(i) => APP_MEMBERS.get(usize::from(i)).map_or("unknown", |m| m.1),
            AppSource::Rule(k) => APP_RULES.get(usize::from(k)).map_or("unknown", |r| r.1),
            AppSource::Unknown => "unknown",
        }
    }

    /// The registry member name, `None` for synthesised entries.
    #[must_use]
    pub fn name(self) -> ::core::option::Option<&'static str> {
        match self.source {
            AppSource::Member(i) => APP_MEMBERS.get(usize::from(i)).map(|m| m.0),
            _ => None,
        }
    }
}

impl support::RegistryEnum for AppType {
    const CLASS: &'static str = "AppType";

    fn write_member(&self, f: &mut dyn fmt::Write) -> fmt::Result {
        match self.source {
            AppSource::Member(_) => f.write_str(self.name().unwrap_or("Unknown")),
            AppSource::Rule(k) => {
                let prefix = APP_RULES.get(usize::from(k)).map_or("unknown_", |r| r.0);
                write!(f, "{prefix}{}", self.port)
            }
            AppSource::Unknown => {
                write!(f, "PORT_{}_", self.port)?;
                support::RegistryEnum::write_member(&self.proto, f)
            }
        }
    }

    fn write_value(&self, f: &mut dyn fmt::Write) -> fmt::Result {
        write!(f, "{} [{} - ", self.svc(), self.port)?;
        support::RegistryEnum::write_member(&self.proto, f)?;
        f.write_str("]")
    }
}

"#,
    );
    let ser = "let mut s = serializer.serialize_struct(\"AppType\", 4)?;\n\
               s.serialize_field(\"enum\", &support::Text(*self))?;\n\
               s.serialize_field(\"svc\", self.svc())?;\n\
               s.serialize_field(\"port\", &self.port)?;\n\
               s.serialize_field(\"proto\", &self.proto)?;\ns.end()";
    common_impls(out, "AppType", ser);
    Ok(true)
}

fn capitalize(s: &str) -> String {
    let mut c = s.chars();
    match c.next() {
        Some(f) => f.to_ascii_uppercase().to_string() + c.as_str(),
        None => String::new(),
    }
}

fn emit_option_type(ctx: &Ctx<'_>, reg: &Registry, out: &mut String) -> Result<bool, String> {
    // rows: value `opt_name [code]`, name `member`.
    let mut members = Vec::new();
    let mut namespaces: Vec<String> = Vec::new();
    for (v, name) in &reg.rows {
        let (opt_name, code) = v
            .strip_suffix(']')
            .and_then(|s| s.split_once(" ["))
            .ok_or_else(|| format!("pcapng__OptionType: bad value {v:?}"))?;
        let code: u16 = code
            .parse()
            .map_err(|_| format!("pcapng__OptionType: bad code {v:?}"))?;
        let ns = opt_name.split('_').next().unwrap_or("opt").to_string();
        if !namespaces.contains(&ns) {
            namespaces.push(ns.clone());
        }
        members.push((name.as_str(), opt_name, code, ns));
    }
    for (_, ns) in &ctx.model.option_namespaces {
        if !namespaces.contains(ns) {
            namespaces.push(ns.clone());
        }
    }
    let first = namespaces.first().cloned().unwrap_or_default();
    if first != "opt" {
        return Err("pcapng__OptionType: first namespace must be opt".into());
    }
    out.push_str("\n/// Namespace of a PCAP-NG option code: the block type that reads it.\n#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, PartialOrd, Ord)]\npub enum OptionNamespace {\n");
    for ns in &namespaces {
        let _ = writeln!(out, "/// `{ns}_*` options.\n{},", capitalize(ns));
    }
    out.push_str("}\n\nimpl OptionNamespace {\n/// The member-name prefix (`if`).\n#[must_use]\npub const fn prefix(self) -> &'static str {\nmatch self {\n");
    for ns in &namespaces {
        let _ = writeln!(out, "Self::{} => {},", capitalize(ns), lit(ns));
    }
    out.push_str("}\n}\n\n/// The namespace with this prefix.\n#[must_use]\npub fn from_prefix(prefix: &str) -> ::core::option::Option<Self> {\nmatch prefix {\n");
    for ns in &namespaces {
        let _ = writeln!(out, "{} => Some(Self::{}),", lit(ns), capitalize(ns));
    }
    out.push_str("_ => None,\n}\n}\n\n/// The namespace PyPCAPKit reads a block's option codes in (`opt` for blocks without own options).\n#[must_use]\npub const fn for_block(block: BlockType) -> Self {\nmatch block.0 {\n");
    for (v, ns) in &ctx.model.option_namespaces {
        let _ = writeln!(out, "{v} => Self::{},", capitalize(ns));
    }
    out.push_str("_ => Self::Opt,\n}\n}\n}\n");

    let _ = writeln!(
        out,
        "\n/// PCAP-NG option type (`OptionType`, {} members), from `{}`.\n///\n\
         /// Codes repeat across block types: resolve them with [`OptionType::for_block`]. A code\n\
         /// that is neither in the block's namespace nor in `opt` prints as PyPCAPKit prints it\n\
         /// when reading a file: `OptionType::opt_unknown_N [opt_unknown [N]]`. Serialises as\n\
         /// PyPCAPKit's object form `{{\"enum\", \"opt_name\", \"opt_value\"}}`.\n\
         #[derive(Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord)]\n\
         pub struct OptionType {{\nns: OptionNamespace,\ncode: u16,\n}}\n\nimpl OptionType {{",
        members.len(),
        reg.source
    );
    let reserved = [
        "name",
        "code",
        "opt_name",
        "namespace",
        "for_block",
        "for_namespace",
        "from_code",
    ];
    for (name, _, code, ns) in &members {
        if let Some(id) = ident(name, &reserved) {
            let _ = writeln!(
                out,
                "/// `{name}` [{code}]\npub const {id}: Self = Self {{ ns: OptionNamespace::{}, code: {code} }};",
                capitalize(ns)
            );
        }
    }
    out.push_str(
        "\n/// Option `code` as read in namespace `ns`: the namespace's member, else the `opt`\n\
         /// member, else unknown (`opt_unknown_N`).\n#[must_use]\n\
         pub const fn for_namespace(ns: OptionNamespace, code: u16) -> Self {\n\
         let own = Self { ns, code };\nif own.name().is_some() { own } else { Self { ns: OptionNamespace::Opt, code } }\n}\n\n\
         /// Option `code` of a block of type `block`.\n#[must_use]\n\
         pub const fn for_block(block: BlockType, code: u16) -> Self {\n\
         Self::for_namespace(OptionNamespace::for_block(block), code)\n}\n\n\
         /// Option `code` in the `opt` namespace (PyPCAPKit's `OptionType(code)`).\n#[must_use]\n\
         pub const fn from_code(code: u16) -> Self { Self { ns: OptionNamespace::Opt, code } }\n\n\
         /// The option code.\n#[must_use]\npub const fn code(self) -> u16 { self.code }\n\n\
         /// The namespace.\n#[must_use]\npub const fn namespace(self) -> OptionNamespace { self.ns }\n\n\
         /// The registry member name; `None` for an unknown code.\n#[must_use]\n\
         pub const fn name(self) -> ::core::option::Option<&'static str> {\nmatch (self.ns, self.code) {\n",
    );
    for (name, _, code, ns) in &members {
        let _ = writeln!(
            out,
            "(OptionNamespace::{}, {code}) => Some({}),",
            capitalize(ns),
            lit(name)
        );
    }
    out.push_str("_ => None,\n}\n}\n\n/// PyPCAPKit's `opt_name` (`if_tsresol`, `opt_custom`, `opt_unknown`).\n#[must_use]\npub const fn opt_name(self) -> &'static str {\nmatch (self.ns, self.code) {\n");
    for (_, opt_name, code, ns) in &members {
        let _ = writeln!(
            out,
            "(OptionNamespace::{}, {code}) => {},",
            capitalize(ns),
            lit(opt_name)
        );
    }
    out.push_str(
        "_ => \"opt_unknown\",\n}\n}\n}\n\n\
         impl support::RegistryEnum for OptionType {\nconst CLASS: &'static str = \"OptionType\";\n\n\
         fn write_member(&self, f: &mut dyn fmt::Write) -> fmt::Result {\n\
         match self.name() {\nSome(n) => f.write_str(n),\nNone => write!(f, \"opt_unknown_{}\", self.code),\n}\n}\n\n\
         fn write_value(&self, f: &mut dyn fmt::Write) -> fmt::Result {\nwrite!(f, \"{} [{}]\", self.opt_name(), self.code)\n}\n}\n\n",
    );
    let ser = "let mut s = serializer.serialize_struct(\"OptionType\", 3)?;\n\
               s.serialize_field(\"enum\", &support::Text(*self))?;\n\
               s.serialize_field(\"opt_name\", self.opt_name())?;\n\
               s.serialize_field(\"opt_value\", &self.code)?;\ns.end()";
    common_impls(out, "OptionType", ser);
    Ok(true)
}
