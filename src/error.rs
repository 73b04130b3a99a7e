//! The facade's errors: what went wrong, naming the file, option or value involved and
//! what the valid choices are.

use std::io;
use std::path::PathBuf;

use pcapkit_dump::{DumpError, UnknownFormat};
use pcapkit_protocols::UnknownLevel;

/// An error of [`crate::extract`] and the other entry points.
#[derive(Debug, thiserror::Error)]
#[non_exhaustive]
pub enum Error {
    /// The input file does not exist (PyPCAPKit's `FileNotFound`).
    #[error("no such file: {} (check the path; use '-' to read from stdin)", path.display())]
    FileNotFound {
        /// The path as given (after the `extension` rule).
        path: PathBuf,
    },
    /// The input exists but could not be opened or read.
    #[error("cannot read {}: {source}", path.display())]
    Input {
        /// The input path (`-` for stdin).
        path: PathBuf,
        /// What the operating system said.
        source: io::Error,
    },
    /// The capture itself is unreadable (not a capture, truncated, damaged).
    #[error("{}: {source}", path.display())]
    Capture {
        /// The input path (`-` for stdin).
        path: PathBuf,
        /// The reader's error: which record or block, byte offset, what.
        source: pcapkit_core::Error,
    },
    /// An output format name that is not one of `json`, `jsonl`, `plist`, `tree`,
    /// `pcap` (PyPCAPKit's `FormatError`).
    #[error(transparent)]
    UnknownFormat(#[from] UnknownFormat),
    /// A layer name that is not one of `None`, `Link`, `Internet`, `Transport`,
    /// `Application`.
    #[error(transparent)]
    UnknownLayer(#[from] UnknownLevel),
    /// An engine name that is not one of the known engines.
    #[error(
        "unknown engine {0:?}: expected one of default (alias pcapkit), dpkt, scapy, pyshark, \
         server, pipeline"
    )]
    UnknownEngine(String),
    /// A known engine that this build cannot run (yet).
    #[error("engine {engine:?} is not available: {reason}; use engine \"default\"")]
    EngineNotAvailable {
        /// The engine asked for.
        engine: &'static str,
        /// Why, and what would make it available.
        reason: &'static str,
    },
    /// A reassembly protocol other than `IPv4`, `IPv6`, `TCP` (PyPCAPKit's
    /// `FormatError`).
    #[error("unsupported reassembly protocol {0:?}: expected one of IPv4, IPv6, TCP")]
    UnknownReassembly(String),
    /// A flow-tracing protocol other than `TCP`.
    #[error("unsupported flow tracing protocol {0:?}: expected TCP")]
    UnknownTrace(String),
    /// A feature whose implementation has not landed yet.
    #[error("{feature} is not implemented yet in this version of pcapkit")]
    NotImplemented {
        /// What was asked for (`"TCP reassembly"`, `"flow tracing"`).
        feature: &'static str,
    },
    /// Options that do not go together, or an invalid option value.
    #[error("invalid options: {0}")]
    Usage(String),
    /// Flow tracing failed (the flow file is named).
    #[error(transparent)]
    Trace(#[from] pcapkit_trace::TraceError),
    /// Writing the output failed (the path is named).
    #[error(transparent)]
    Output(#[from] DumpError),
    /// An accessor of something the options turned off (`frames()` with
    /// `store = false`, `output()` with `nofile`, ...).
    #[error("{what} is not available: {hint}")]
    NotEnabled {
        /// What was asked for.
        what: &'static str,
        /// Which option enables it.
        hint: &'static str,
    },
    /// Iterating an Extractor that runs on its own (`auto = true`), or that has
    /// finished.
    #[error("the extractor already ran to the end (auto = true); set auto(false) to iterate")]
    NotIterable,
    /// Extraction stopped because the interrupt flag was raised (Ctrl-C); the output
    /// was closed and holds every frame before it.
    #[error("interrupted after {frames} frames; the output holds them and is complete")]
    Interrupted {
        /// Frames extracted before the interruption.
        frames: u64,
    },
}

impl Error {
    /// Whether this is [`Error::FileNotFound`].
    pub fn is_not_found(&self) -> bool {
        matches!(self, Error::FileNotFound { .. })
    }
}

/// Result of the facade's functions.
pub type Result<T, E = Error> = std::result::Result<T, E>;

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn display_texts() {
        let e = Error::FileNotFound {
            path: "in.pcap".into(),
        };
        assert_eq!(
            e.to_string(),
            "no such file: in.pcap (check the path; use '-' to read from stdin)"
        );
        assert!(e.is_not_found());
        assert_eq!(
            Error::UnknownEngine("foo".into()).to_string(),
            "unknown engine \"foo\": expected one of default (alias pcapkit), dpkt, scapy, \
             pyshark, server, pipeline"
        );
        assert_eq!(
            Error::UnknownReassembly("UDP".into()).to_string(),
            "unsupported reassembly protocol \"UDP\": expected one of IPv4, IPv6, TCP"
        );
        assert_eq!(
            Error::NotImplemented {
                feature: "TCP reassembly"
            }
            .to_string(),
            "TCP reassembly is not implemented yet in this version of pcapkit"
        );
        assert_eq!(
            Error::Interrupted { frames: 3 }.to_string(),
            "interrupted after 3 frames; the output holds them and is complete"
        );
    }
}
