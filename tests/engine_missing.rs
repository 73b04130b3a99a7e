//! With nothing on `PATH`, the third-party engines fail before writing anything and
//! say what to install. (Its own test binary: it changes the process environment.)

use pcapkit::{Error, ExtractOptions, extract};

#[test]
fn missing_tshark_and_python3_name_what_to_install() {
    let dir = tempfile::tempdir().unwrap();
    // SAFETY: the only test of this binary; nothing else reads the environment now.
    unsafe {
        std::env::set_var("PATH", dir.path());
        std::env::remove_var("PCAPKIT_PYTHON");
    }
    let http = pcapkit_testdata::committed_captures_dir().join("http.pcap");
    for (engine, needle) in [
        ("pyshark", "apt-get install tshark"),
        ("dpkt", "apt-get install python3"),
        ("scapy", "apt-get install python3"),
    ] {
        let out = dir.path().join(engine);
        let err = extract(ExtractOptions::new(&http).fout(&out).engine(engine)).unwrap_err();
        assert!(matches!(err, Error::EngineNotAvailable { .. }), "{err}");
        let msg = err.to_string();
        assert!(msg.contains(needle), "{msg}");
        assert!(
            msg.starts_with(&format!("engine \"{engine}\" is not available: ")),
            "{msg}"
        );
        assert!(!dir.path().join(format!("{engine}.txt")).exists());
    }
}
