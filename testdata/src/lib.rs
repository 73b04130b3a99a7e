//! Test support shared by the workspace: the shared captures and their tshark oracle,
//! proptest strategies for frame lists, helpers that write them as PCAP/PCAPNG bytes
//! with our own writers, a tiny packet builder, and the captures this project crafts
//! itself (committed under `testdata/captures/`, regenerated with
//! `cargo run -p pcapkit-testdata --example gen-captures`).
//!
//! ```
//! assert!(pcapkit_testdata::shared_captures_dir().ends_with("captures"));
//! ```

pub mod build;
pub mod crafted;
pub mod hostile;
pub mod inet_frames;
pub mod link_frames;
pub mod net_frames;
pub mod oracle;
pub mod snaplen_frames;
pub mod strategies;
pub mod traffic;
pub mod wlan_frames;
pub mod write;

use std::path::PathBuf;

pub use oracle::{OracleFrame, oracle_frames};

/// `../shared/testdata/captures` relative to the workspace root: third-party captures
/// the tests read (never copied into this repository).
pub fn shared_captures_dir() -> PathBuf {
    shared_dir().join("testdata").join("captures")
}

/// `../shared` relative to the workspace root (override with `PCAPKIT_SHARED`).
pub fn shared_dir() -> PathBuf {
    if let Some(dir) = std::env::var_os("PCAPKIT_SHARED") {
        return PathBuf::from(dir);
    }
    PathBuf::from(env!("CARGO_MANIFEST_DIR"))
        .join("..")
        .join("..")
        .join("shared")
}

/// Every `.pcap`/`.pcapng`/`.cap` file in [`shared_captures_dir`], sorted by name.
/// Panics (this is test support) if the folder cannot be read.
pub fn shared_captures() -> Vec<PathBuf> {
    list_captures(&shared_captures_dir())
}

/// The captures this repository commits (`testdata/captures/`).
pub fn committed_captures_dir() -> PathBuf {
    PathBuf::from(env!("CARGO_MANIFEST_DIR")).join("captures")
}

/// Every capture file in `dir`, sorted by name.
pub fn list_captures(dir: &std::path::Path) -> Vec<PathBuf> {
    let entries =
        std::fs::read_dir(dir).unwrap_or_else(|e| panic!("cannot list {}: {e}", dir.display()));
    let mut out: Vec<PathBuf> = entries
        .filter_map(|e| e.ok().map(|e| e.path()))
        .filter(|p| {
            matches!(
                p.extension().and_then(|e| e.to_str()),
                Some("pcap" | "pcapng" | "cap")
            )
        })
        .collect();
    out.sort();
    out
}
