//! Enum texts of the generated registry types against PyPCAPKit: a reference table
//! PyPCAPKit printed itself (`tests/data/pypcapkit_texts.tsv`, made by
//! `xtask/scripts/pypcapkit_extract.py`) and every `Class::member [value]` text in
//! `../shared/golden/*.json`.

use std::collections::{BTreeMap, BTreeSet};
use std::path::PathBuf;

use pcapkit_protocols::consts::{REGISTRY_KEYS, text_of};

fn shared_dir() -> PathBuf {
    if let Some(dir) = std::env::var_os("PCAPKIT_SHARED") {
        return PathBuf::from(dir);
    }
    PathBuf::from(env!("CARGO_MANIFEST_DIR")).join("../../../shared")
}

/// PyPCAPKit bugs that make its text differ from ours on purpose (registry, reason).
const INTENDED_DIFFERENCES: &[(&str, &str)] = &[
    // `GroupingInformation._missing_` lacks @classmethod: PyPCAPKit raises TypeError for
    // digits 6-9 (and so does ResponseKind); we print the intended `Unknown_N`.
    ("ftp__GroupingInformation", "TypeError"),
    ("ftp__ResponseKind", "TypeError"),
    // `_missing_` returns `cls(value)`, recursing forever on composite flag values; we
    // print IntFlag's composite names.
    ("mh__BindingACKFlag", "RecursionError"),
    ("mh__BindingUpdateFlag", "RecursionError"),
    ("mh__HandoverACKFlag", "RecursionError"),
    ("mh__HandoverInitiateFlag", "RecursionError"),
    // A range member synthesised for TCP clashes with the one for UDP (PyPCAPKit keeps
    // state across lookups); we are stateless: the first range rule wins.
    ("reg__AppType", "TypeError"),
];

#[test]
fn reference_texts_match_pypcapkit() {
    let path = PathBuf::from(env!("CARGO_MANIFEST_DIR")).join("tests/data/pypcapkit_texts.tsv");
    let text = std::fs::read_to_string(path).unwrap();
    let mut checked = 0;
    let mut failures = Vec::new();
    for line in text.lines().filter(|l| !l.starts_with('#')) {
        let mut cols = line.splitn(3, '\t');
        let (key, input, want) = (
            cols.next().unwrap(),
            cols.next().unwrap(),
            cols.next().unwrap(),
        );
        let got = text_of(key, input);
        let Some(got) = got else {
            failures.push(format!("{key} {input:?}: no text (want {want})"));
            continue;
        };
        let want = if let Some(err) = want.strip_prefix("!ERR ") {
            if INTENDED_DIFFERENCES.contains(&(key, err)) {
                continue;
            }
            // PyPCAPKit raises ValueError: no rule covers the value.
            assert_eq!(err, "ValueError", "{key} {input}");
            if !got.contains("::Unknown [") {
                failures.push(format!("{key} {input:?}: PyPCAPKit raises, we print {got}"));
            }
            checked += 1;
            continue;
        } else if key == "pcapng__OptionType" {
            // `OptionType.get(code, namespace=ns)` names unknown codes `ns_unknown_N`, but
            // reading a file always goes through `UnknownOption` (namespace `opt`).
            let ns = input.split('/').next().unwrap();
            want.replace(&format!("{ns}_unknown"), "opt_unknown")
        } else {
            want.to_string()
        };
        if got != want {
            failures.push(format!("{key} {input:?}: want {want}, got {got}"));
        }
        checked += 1;
    }
    eprintln!("{checked} reference rows checked");
    assert!(checked > 15_000, "only {checked} rows checked");
    assert!(
        failures.is_empty(),
        "{} mismatches:\n{}",
        failures.len(),
        failures.join("\n")
    );
}

/// Every JSON string in `text` that looks like an enum text `Class::...`.
fn enum_strings(text: &str, out: &mut BTreeSet<String>) {
    let bytes = text.as_bytes();
    let mut i = 0;
    while let Some(start) = text[i..].find('"').map(|p| p + i) {
        let mut j = start + 1;
        while j < bytes.len() && bytes[j] != b'"' {
            if bytes[j] == b'\\' {
                j += 1;
            }
            j += 1;
        }
        let s = &text[start + 1..j.min(text.len())];
        if let Some((class, rest)) = s.split_once("::")
            && class.chars().next().is_some_and(|c| c.is_ascii_uppercase())
            && class.chars().all(|c| c.is_ascii_alphanumeric())
            && rest.ends_with(']')
        {
            out.insert(s.to_string());
        }
        i = j + 1;
    }
}

/// Golden texts known to differ from ours, with the reason.
const GOLDEN_ALLOWLIST: &[(&str, &str)] = &[];

#[test]
fn golden_enum_texts_match() {
    let dir = shared_dir().join("golden");
    let mut texts = BTreeSet::new();
    for entry in std::fs::read_dir(&dir).unwrap() {
        let path = entry.unwrap().path();
        if path.extension().is_some_and(|e| e == "json") {
            enum_strings(&std::fs::read_to_string(&path).unwrap(), &mut texts);
        }
    }
    let mut by_class: BTreeMap<&str, Vec<&str>> = BTreeMap::new();
    for key in REGISTRY_KEYS {
        by_class
            .entry(key.split_once("__").unwrap().1)
            .or_default()
            .push(key);
    }
    let mut checked = 0;
    let mut failures = Vec::new();
    for t in &texts {
        let (class, rest) = t.split_once("::").unwrap();
        let Some(keys) = by_class.get(class) else {
            continue; // not an enum (an IPv6 address, ...)
        };
        if GOLDEN_ALLOWLIST.iter().any(|a| a.0 == t) {
            continue;
        }
        // Value: what is between the last top-level brackets.
        let inner = rest
            .split_once(" [")
            .map(|(_, v)| &v[..v.len() - 1])
            .unwrap_or("");
        let inputs: Vec<String> = match class {
            "AppType" => {
                let port = inner
                    .rsplit_once(" [")
                    .and_then(|(_, p)| p.split(" - ").next());
                let port = port.unwrap_or("");
                vec![format!("{port}/tcp"), format!("{port}/udp")]
            }
            "OptionType" => {
                let code = inner
                    .rsplit_once(" [")
                    .map(|(_, c)| c.trim_end_matches(']'));
                let code = code.unwrap_or("");
                ["opt", "if", "epb", "ns", "isb", "dsb", "pack"]
                    .iter()
                    .map(|ns| format!("{ns}/{code}"))
                    .collect()
            }
            _ => vec![inner.to_string()],
        };
        let rendered: Vec<String> = keys
            .iter()
            .flat_map(|k| inputs.iter().filter_map(move |i| text_of(k, i)))
            .map(|r| r.split(" | ").next().unwrap().to_string())
            .collect();
        if !rendered.iter().any(|r| r == t) {
            failures.push(format!("{t}: we print {rendered:?}"));
        }
        checked += 1;
    }
    eprintln!("{checked} golden texts checked");
    assert!(checked > 300, "only {checked} golden texts checked");
    assert!(
        failures.is_empty(),
        "{} mismatches:\n{}",
        failures.len(),
        failures.join("\n")
    );
}

mod texts {
    use pcapkit_protocols::consts::ftp::{Command, ReturnCode};
    use pcapkit_protocols::consts::http::{Method, StatusCode};
    use pcapkit_protocols::consts::pcapng::{BlockType, OptionType};
    use pcapkit_protocols::consts::reg::{
        AppType, EtherType, LinkType, TransType, TransportProtocol,
    };
    use pcapkit_protocols::consts::tcp::Flags;
    use pcapkit_protocols::consts::{RegistryEnum, support::StrMember};

    fn json<T: serde::Serialize>(t: &T) -> String {
        serde_json::to_string(t).unwrap()
    }

    #[test]
    fn integer_registries() {
        assert_eq!(
            EtherType::Internet_Protocol_version_6.to_string(),
            "EtherType::Internet_Protocol_version_6 [34525]"
        );
        assert_eq!(EtherType(0x86DD), EtherType::Internet_Protocol_version_6);
        assert_eq!(
            TransType::IPv6_ICMP.to_string(),
            "TransType::IPv6_ICMP [58]"
        );
        assert_eq!(
            TransType(200).to_string(),
            "TransType::Unassigned_200 [200]"
        );
        assert_eq!(TransType(255).to_string(), "TransType::Reserved_255 [255]");
        assert_eq!(LinkType::ETHERNET.to_string(), "LinkType::ETHERNET [1]");
        assert_eq!(
            EtherType(1500).to_string(),
            "EtherType::IEEE802_3_Length_Field_0x05DC [1500]"
        );
        // No rule covers 0x1234 (PyPCAPKit raises ValueError).
        assert_eq!(EtherType(0x1234).to_string(), "EtherType::Unknown [4660]");
        assert_eq!(EtherType(0x1234).name(), None);
        assert_eq!(EtherType(0x1234).member_name().to_string(), "Unknown");
        assert_eq!(TransType::TCP.name(), Some("TCP"));
        assert_eq!(json(&TransType::UDP), "\"TransType::UDP [17]\"");
        assert_eq!(format!("{:?}", TransType::UDP), "TransType::UDP [17]");
        assert_eq!(u8::from(TransType::UDP), 17);
    }

    #[test]
    fn int_flags() {
        assert_eq!(Flags(34816).to_string(), "Flags::ACK|FIN [34816]");
        assert_eq!(Flags::SYN.to_string(), "Flags::SYN [16384]");
        assert_eq!(Flags(0).to_string(), "Flags::None [0]");
        assert_eq!(Flags(2048 | 1).to_string(), "Flags::ACK|1 [2049]");
        assert_eq!(
            TransportProtocol(3).to_string(),
            "TransportProtocol::tcp|udp [3]"
        );
        assert_eq!(
            TransportProtocol(7).to_string(),
            "TransportProtocol::tcp|udp|sctp [7]"
        );
        assert_eq!(
            TransportProtocol(0).to_string(),
            "TransportProtocol::undefined [0]"
        );
        assert_eq!(
            TransportProtocol(16).to_string(),
            "TransportProtocol::None [16]"
        );
    }

    #[test]
    fn app_type() {
        let www = AppType::tcp(80);
        assert_eq!(
            www.to_string(),
            "AppType::www_http [www-http [80 - tcp|udp]]"
        );
        assert_eq!(
            json(&www),
            r#"{"enum":"AppType::www_http [www-http [80 - tcp|udp]]","svc":"www-http","port":80,"proto":"TransportProtocol::tcp|udp [3]"}"#
        );
        assert_eq!(
            (www.svc(), www.port(), www.proto()),
            ("www-http", 80, TransportProtocol(3))
        );
        let unknown = AppType::tcp(55232);
        assert_eq!(
            unknown.to_string(),
            "AppType::PORT_55232_tcp [unknown [55232 - tcp]]"
        );
        assert_eq!(
            json(&unknown),
            r#"{"enum":"AppType::PORT_55232_tcp [unknown [55232 - tcp]]","svc":"unknown","port":55232,"proto":"TransportProtocol::tcp [1]"}"#
        );
        assert_eq!(
            AppType::udp(55232).to_string(),
            "AppType::PORT_55232_udp [unknown [55232 - udp]]"
        );
        assert_eq!(
            AppType::tcp(40304).to_string(),
            "AppType::unassigned_40304 [unassigned [40304 - undefined]]"
        );
        // Port 888: `cddbp` (tcp) is defined after `accessbuilder` (tcp|udp).
        assert_eq!(
            AppType::tcp(888).to_string(),
            "AppType::cddbp [cddbp [888 - tcp]]"
        );
        assert_eq!(
            AppType::udp(888).to_string(),
            "AppType::accessbuilder [accessbuilder [888 - tcp|udp]]"
        );
        assert_eq!(AppType::tcp(443).name(), Some("https_443"));
    }

    #[test]
    fn ftp_object_forms() {
        let user = Command::lookup("USER").unwrap();
        assert_eq!(user, Command::USER);
        assert_eq!(user.to_string(), "Command::USER [USER]");
        assert_eq!(
            json(&user),
            r#"{"enum":"Command::USER [USER]","feat":"FEATCode::base [<base>]","desc":"User Name","type":"CommandType::A [1]","conf":"ConformanceRequirement::M [1]"}"#
        );
        let xyz = Command::parse("xyz");
        assert_eq!(xyz, StrMember::Unknown("xyz"));
        assert_eq!(xyz.to_string(), "Command::XYZ [xyz]");
        assert_eq!(
            json(&xyz),
            r#"{"enum":"Command::XYZ [xyz]","feat":null,"desc":null,"type":"CommandType::undefined [0]","conf":"ConformanceRequirement::O [2]"}"#
        );
        let c220 = ReturnCode(220);
        assert_eq!(c220.to_string(), "ReturnCode::CODE_220 [220]");
        assert_eq!(
            json(&c220),
            r#"{"enum":"ReturnCode::CODE_220 [220]","description":"Service ready for new user.","kind":"ResponseKind::PositiveCompletion [2]","group":"GroupingInformation::Connections [2]"}"#
        );
        assert_eq!(ReturnCode(199).to_string(), "ReturnCode::CODE_199 [199]");
        assert_eq!(ReturnCode(199).description(), None);
        assert_eq!(
            ReturnCode(199).group().to_string(),
            "GroupingInformation::Unknown_9 [9]"
        );
        assert_eq!(ReturnCode(700).to_string(), "ReturnCode::Unknown [700]");
        assert_eq!(
            pcapkit_protocols::consts::ftp::Type::REQUEST.to_string(),
            "Type::REQUEST [request]"
        );
    }

    #[test]
    fn http_object_forms() {
        assert_eq!(
            json(&Method::GET),
            r#"{"enum":"Method::GET [GET]","safe":true,"idempotent":true}"#
        );
        assert_eq!(
            json(&Method::parse("FOO")),
            r#"{"enum":"Method::FOO [FOO]","safe":false,"idempotent":false}"#
        );
        assert_eq!(
            json(&StatusCode(200)),
            r#"{"enum":"StatusCode::CODE_200 [200]","message":"OK"}"#
        );
        assert_eq!(
            json(&StatusCode(299)),
            r#"{"enum":"StatusCode::CODE_299 [299]","message":"Unassigned"}"#
        );
        assert_eq!(
            pcapkit_protocols::consts::http::Type::RESPONSE.to_string(),
            "Type::RESPONSE [response]"
        );
    }

    #[test]
    fn option_type() {
        let o = OptionType::for_block(BlockType(1), 9);
        assert_eq!(
            json(&o),
            r#"{"enum":"OptionType::if_tsresol [if_tsresol [9]]","opt_name":"if_tsresol","opt_value":9}"#
        );
        assert_eq!(
            o.text().to_string(),
            "OptionType::if_tsresol [if_tsresol [9]]"
        );
    }
}
