//! Errors of flow tracing: which file, which flow, what to do.

use std::io;
use std::path::PathBuf;

/// An error while tracing flows.
#[derive(Debug, thiserror::Error)]
#[non_exhaustive]
pub enum TraceError {
    /// A trace file or the trace directory could not be created, opened or written.
    #[error("cannot write trace file {}: {source}", path.display())]
    File {
        /// The file or directory.
        path: PathBuf,
        /// What the operating system said.
        source: io::Error,
    },
    /// The trace directory path is taken by something that is not a directory.
    #[error("trace output {} exists and is not a directory: choose another trace directory", path.display())]
    NotADirectory {
        /// The path.
        path: PathBuf,
    },
    /// A capture writer refused a frame (timestamp out of range, mixed link types in a
    /// PCAP flow file, ...). The frame stays in its flow's index, not in the file.
    #[error("trace file {}{}: {source}{}", path.display(), frame_part(*frame), hint(source))]
    Capture {
        /// The flow file.
        path: PathBuf,
        /// The capture's frame number of the refused frame, when a frame was refused.
        frame: Option<u64>,
        /// The writer's error.
        source: pcapkit_core::Error,
    },
    /// A frame block could not be serialized.
    #[error("trace file {}: {source}", path.display())]
    Dump {
        /// The flow file.
        path: PathBuf,
        /// The writer's error.
        source: pcapkit_dump::DumpError,
    },
    /// A flow-file format that is not known.
    #[error(transparent)]
    UnknownFormat(#[from] crate::format::UnknownTraceFormat),
    /// An invalid option value.
    #[error("invalid trace option: {0}")]
    Usage(String),
}

fn frame_part(frame: Option<u64>) -> String {
    frame
        .map(|n| format!(", capture frame {n}"))
        .unwrap_or_default()
}

/// What to do when a PCAP flow file cannot hold a frame.
fn hint(source: &pcapkit_core::Error) -> &'static str {
    use pcapkit_core::ErrorKind;
    match &source.kind {
        // PCAP's 32-bit seconds; PCAPNG's limits (1970-2554) have no remedy here.
        ErrorKind::TimestampOutOfRange { limit, .. } if limit.starts_with("PCAP ") => {
            " (the pcapng trace format holds times after 2106)"
        }
        ErrorKind::LinkTypeMismatch { .. } => " (the pcapng trace format holds several link types)",
        _ => "",
    }
}

/// Result of flow tracing.
pub type Result<T, E = TraceError> = std::result::Result<T, E>;

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn messages() {
        let e = TraceError::NotADirectory { path: "x".into() };
        assert_eq!(
            e.to_string(),
            "trace output x exists and is not a directory: choose another trace directory"
        );
        let e = TraceError::Usage("max_open must be at least 1".into());
        assert_eq!(
            e.to_string(),
            "invalid trace option: max_open must be at least 1"
        );
    }
}
