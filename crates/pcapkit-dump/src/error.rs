//! Errors of the output writers.

use std::fmt;
use std::io;
use std::path::PathBuf;

/// Why an output could not be written.
#[derive(Debug, thiserror::Error)]
#[non_exhaustive]
pub enum DumpError {
    /// Writing to the output failed (disk full, broken pipe, ...), output not named.
    #[error("cannot write output: {0}")]
    Io(#[from] io::Error),
    /// Creating or writing a named output file failed.
    #[error("cannot write {}: {source}", path.display())]
    File {
        /// The file (or directory, in `files` mode).
        path: PathBuf,
        /// What the operating system said.
        source: io::Error,
    },
    /// A value could not be represented in the format.
    #[error("cannot serialize {0}")]
    Serialize(String),
    /// Writing PCAP output failed (a frame of another link type than the file's,
    /// a timestamp PCAP cannot store, an I/O error).
    #[error("cannot write PCAP output: {0}")]
    Pcap(#[from] pcapkit_core::Error),
    /// A format name that is not one of the supported ones.
    #[error(transparent)]
    UnknownFormat(#[from] UnknownFormat),
}

impl DumpError {
    /// Attaches the output path to an I/O error (other errors are returned unchanged).
    #[must_use]
    pub fn with_path(self, path: impl Into<PathBuf>) -> Self {
        match self {
            DumpError::Io(source) => DumpError::File {
                path: path.into(),
                source,
            },
            DumpError::Pcap(e) => match &e.kind {
                pcapkit_core::ErrorKind::Io { kind, message } => DumpError::File {
                    path: path.into(),
                    source: io::Error::new(*kind, message.clone()),
                },
                _ => DumpError::Pcap(e),
            },
            other => other,
        }
    }

    /// The underlying I/O error, if this is one (e.g. to detect a closed pipe).
    pub fn io_error(&self) -> Option<&io::Error> {
        match self {
            DumpError::Io(e) | DumpError::File { source: e, .. } => Some(e),
            _ => None,
        }
    }
}

impl serde::ser::Error for DumpError {
    fn custom<T: fmt::Display>(msg: T) -> Self {
        DumpError::Serialize(msg.to_string())
    }
}

impl From<serde_json::Error> for DumpError {
    fn from(e: serde_json::Error) -> Self {
        if e.is_io() {
            DumpError::Io(io::Error::from(e))
        } else {
            DumpError::Serialize(e.to_string())
        }
    }
}

/// An output format name that pcapkit does not know.
#[derive(Clone, Debug, PartialEq, Eq, thiserror::Error)]
#[error("unknown output format {0:?}: expected one of json, jsonl, plist, tree, pcap")]
pub struct UnknownFormat(pub String);

/// Result of the output writers.
pub type Result<T, E = DumpError> = std::result::Result<T, E>;

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn display_texts() {
        let e = DumpError::Io(io::Error::other("disk full")).with_path("out.json");
        assert_eq!(e.to_string(), "cannot write out.json: disk full");
        assert_eq!(
            e.io_error().map(|e| e.to_string()).as_deref(),
            Some("disk full")
        );
        let e = DumpError::from(UnknownFormat("yaml".into()));
        assert_eq!(
            e.to_string(),
            "unknown output format \"yaml\": expected one of json, jsonl, plist, tree, pcap"
        );
    }
}
