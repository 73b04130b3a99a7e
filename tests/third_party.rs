//! The third-party engines, run for real: `pyshark` (tshark), `dpkt` and `scapy`
//! (python3). One block per frame, and Ethernet/IP addresses and TCP/UDP ports that
//! match our own dissection; errors that name what to install.

use std::io::Write;
use std::path::{Path, PathBuf};
use std::sync::{Arc, Mutex};

use pcapkit::{Error, ExtractOptions, PacketMode, extract};
use serde_json::Value;

#[derive(Clone, Default)]
struct Mem(Arc<Mutex<Vec<u8>>>);

impl Write for Mem {
    fn write(&mut self, buf: &[u8]) -> std::io::Result<usize> {
        self.0.lock().unwrap().extend_from_slice(buf);
        Ok(buf.len())
    }
    fn flush(&mut self) -> std::io::Result<()> {
        Ok(())
    }
}

/// The frame blocks of a JSON Lines extraction with `engine`.
fn frames(capture: &Path, engine: &str) -> Vec<Value> {
    let mem = Mem::default();
    let ex = extract(
        ExtractOptions::new(capture)
            .fout_writer(mem.clone(), "mem")
            .format("jsonl")
            .packets(PacketMode::None)
            .store(false)
            .engine(engine),
    )
    .unwrap_or_else(|e| panic!("{engine} on {}: {e}", capture.display()));
    drop(ex);
    let text = String::from_utf8(std::mem::take(&mut *mem.0.lock().unwrap())).unwrap();
    text.lines()
        .map(|l| serde_json::from_str::<Value>(l).unwrap())
        .filter(|v| v["block"].as_str().is_some_and(|b| b.starts_with("Frame ")))
        .collect()
}

/// The first object under any of `keys`, searching depth first.
fn find<'a>(v: &'a Value, keys: &[&str]) -> Option<(&'a str, &'a Value)> {
    let obj = v.as_object()?;
    for (k, x) in obj {
        if keys.contains(&k.as_str()) && x.is_object() {
            return Some((k.as_str(), x));
        }
    }
    obj.values().find_map(|x| find(x, keys))
}

fn s(v: &Value) -> Option<String> {
    match v {
        Value::String(s) => Some(s.clone()),
        Value::Number(n) => Some(n.to_string()),
        _ => None,
    }
}

/// (eth src, eth dst, ip src, ip dst, sport, dport) of one frame, by a naming scheme.
type Key = (String, String, String, String, String, String);

fn ours(f: &Value) -> Option<Key> {
    let (_, eth) = find(f, &["ethernet"])?;
    let (_, ip) = find(eth, &["ipv4", "ipv6"])?;
    if ip.get("mf").and_then(Value::as_bool) == Some(true) || ip["offset"].as_u64().unwrap_or(0) > 0
    {
        return None;
    }
    let (_, l4) = find(ip, &["tcp", "udp"])?;
    Some((
        s(&eth["src"])?,
        s(&eth["dst"])?,
        s(&ip["src"])?,
        s(&ip["dst"])?,
        s(&l4["srcport"]["port"])?,
        s(&l4["dstport"]["port"])?,
    ))
}

fn pyshark(f: &Value) -> Option<Key> {
    let eth = f.get("eth")?;
    let (ip, p) = match f.get("ip") {
        Some(ip) => (ip, "ip"),
        None => (f.get("ipv6")?, "ipv6"),
    };
    let (l4, q) = match f.get("tcp") {
        Some(t) => (t, "tcp"),
        None => (f.get("udp")?, "udp"),
    };
    Some((
        s(&eth["eth.src"])?,
        s(&eth["eth.dst"])?,
        s(&ip[format!("{p}.src")])?,
        s(&ip[format!("{p}.dst")])?,
        s(&l4[format!("{q}.srcport")])?,
        s(&l4[format!("{q}.dstport")])?,
    ))
}

fn dpkt(f: &Value) -> Option<Key> {
    let (_, eth) = find(f, &["Ethernet"])?;
    let (_, ip) = find(eth, &["IP", "IP6"])?;
    let (_, l4) = find(ip, &["TCP", "UDP"])?;
    Some((
        s(&eth["src"])?,
        s(&eth["dst"])?,
        s(&ip["src"])?,
        s(&ip["dst"])?,
        s(&l4["sport"])?,
        s(&l4["dport"])?,
    ))
}

fn scapy(f: &Value) -> Option<Key> {
    let eth = f.get("Ether")?;
    let ip = f.get("IP").or_else(|| f.get("IPv6"))?;
    let l4 = f.get("TCP").or_else(|| f.get("UDP"))?;
    Some((
        s(&eth["src"])?,
        s(&eth["dst"])?,
        s(&ip["src"])?,
        s(&ip["dst"])?,
        s(&l4["sport"])?,
        s(&l4["dport"])?,
    ))
}

fn captures() -> Vec<PathBuf> {
    let shared = pcapkit_testdata::shared_captures_dir();
    let mut v = vec![pcapkit_testdata::committed_captures_dir().join("http.pcap")];
    for name in [
        "dpkt__http.pcap",
        "arkime__http-100-continue.pcap",
        "packetnet__802.1q_vlan_ipv4_tcp.pcap",
        "arkime__wireshark-retrans.pcap",
    ] {
        let p = shared.join(name);
        assert!(p.is_file(), "{} missing", p.display());
        v.push(p);
    }
    v
}

fn check(engine: &str, key: fn(&Value) -> Option<Key>) {
    let mut matched = 0;
    for capture in captures() {
        let native = frames(&capture, "default");
        let theirs = frames(&capture, engine);
        assert_eq!(theirs.len(), native.len(), "{engine} {}", capture.display());
        for (n, t) in native.iter().zip(&theirs) {
            assert_eq!(n["block"], t["block"]);
            assert_eq!(n["number"], t["number"]);
            assert!(
                t["protocols"].as_str().is_some_and(|p| !p.is_empty()),
                "{t}"
            );
            if let Some(k) = ours(n) {
                let got = key(t).unwrap_or_else(|| panic!("{engine}: no addresses in {t}"));
                assert_eq!(got, k, "{engine} {} {}", capture.display(), n["block"]);
                matched += 1;
            }
        }
    }
    assert!(matched >= 40, "{engine}: only {matched} frames compared");
}

#[test]
fn pyshark_engine_matches_our_addresses_and_ports() {
    check("pyshark", pyshark);
}

#[test]
fn dpkt_engine_matches_our_addresses_and_ports() {
    check("dpkt", dpkt);
}

#[test]
fn scapy_engine_matches_our_addresses_and_ports() {
    check("scapy", scapy);
}

#[test]
fn third_party_frames_keep_our_frame_fields_and_store_their_chain() {
    let http = pcapkit_testdata::committed_captures_dir().join("http.pcap");
    let native = frames(&http, "default");
    let tshark = frames(&http, "PyShark");
    for (n, t) in native.iter().zip(&tshark) {
        for k in [
            "frame_info",
            "time",
            "number",
            "time_epoch",
            "len",
            "cap_len",
        ] {
            assert_eq!(n[k], t[k], "{k}");
        }
        assert!(
            t["protocols"]
                .as_str()
                .unwrap()
                .starts_with("eth:ethertype:ip"),
            "{t}"
        );
    }
    let mut ex = extract(
        ExtractOptions::new(&http)
            .nofile(true)
            .engine("dpkt")
            .auto(false),
    )
    .unwrap();
    let first = ex.next().unwrap().unwrap();
    assert_eq!(first.protocols(), "Ethernet:IP:TCP");
    drop(ex);
    // Stopping early (tshark still writing) ends cleanly.
    let big = pcapkit_testdata::shared_captures()
        .into_iter()
        .max_by_key(|p| std::fs::metadata(p).map(|m| m.len()).unwrap_or(0))
        .unwrap();
    let mut ex = extract(
        ExtractOptions::new(&big)
            .nofile(true)
            .engine("pyshark")
            .auto(false),
    )
    .unwrap();
    assert_eq!(ex.next().unwrap().unwrap().number(), 1);
    drop(ex);
}

#[test]
fn missing_python_package_names_what_to_install() {
    // A python that cannot see site-packages: dpkt and scapy cannot be imported.
    let dir = tempfile::tempdir().unwrap();
    let fake = dir.path().join("python-without-packages");
    std::fs::write(&fake, "#!/bin/sh\nexec python3 -I -S \"$@\"\n").unwrap();
    #[cfg(unix)]
    {
        use std::os::unix::fs::PermissionsExt;
        std::fs::set_permissions(&fake, std::fs::Permissions::from_mode(0o755)).unwrap();
    }
    let http = pcapkit_testdata::committed_captures_dir().join("http.pcap");
    for (engine, package) in [("dpkt", "dpkt"), ("scapy", "scapy")] {
        let out = dir.path().join(format!("out-{engine}"));
        let err = extract(
            ExtractOptions::new(&http)
                .fout(&out)
                .engine(engine)
                .python(&fake),
        )
        .unwrap_err();
        assert!(matches!(err, Error::EngineNotAvailable { .. }), "{err}");
        let msg = err.to_string();
        assert!(msg.contains(&format!("pip install {package}")), "{msg}");
        assert!(msg.contains("PCAPKIT_PYTHON"), "{msg}");
        assert!(!dir.path().join(format!("out-{engine}.txt")).exists());
    }
    let err = extract(
        ExtractOptions::new(&http)
            .nofile(true)
            .engine("dpkt")
            .python(dir.path().join("no-such-python")),
    )
    .unwrap_err();
    assert!(err.to_string().contains("apt-get install python3"), "{err}");
}

#[test]
fn unknown_engine_lists_the_engines() {
    let http = pcapkit_testdata::committed_captures_dir().join("http.pcap");
    let err = extract(ExtractOptions::new(&http).engine("wireshark")).unwrap_err();
    assert_eq!(
        err.to_string(),
        "unknown engine \"wireshark\": expected one of default (alias pcapkit), dpkt, scapy, \
         pyshark, server, pipeline"
    );
}
