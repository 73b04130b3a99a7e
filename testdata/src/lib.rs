//! Captures and packet builders crafted by pcapkit-rs itself (work in progress).
//!
//! ```
//! assert!(pcapkit_testdata::shared_captures_dir().ends_with("captures"));
//! ```

use std::path::PathBuf;

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
