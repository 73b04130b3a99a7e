//! [`TraceFormat`]: the formats of flow files (the output formats plus PCAPNG).

use std::fmt;

use pcapkit_dump::Format;

/// Format of the flow files.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, Default)]
pub enum TraceFormat {
    /// PCAP: the frames byte for byte (`.pcap`, default).
    #[default]
    Pcap,
    /// PCAPNG: the frames byte for byte, nanosecond timestamps (`.pcapng`).
    Pcapng,
    /// PyPCAPKit's JSON document of the flow's frames (`.json`).
    Json,
    /// JSON Lines, one frame per line (`.jsonl`).
    Jsonl,
    /// Apple XML plist (`.plist`).
    Plist,
    /// PyPCAPKit's tree text (`.txt`).
    Tree,
}

/// A flow-file format name that is not known.
#[derive(Clone, Debug, PartialEq, Eq, thiserror::Error)]
#[error("unknown trace format {0:?}: expected one of pcap, pcapng, json, jsonl, plist, tree")]
pub struct UnknownTraceFormat(pub String);

impl TraceFormat {
    /// Every format.
    pub const ALL: [TraceFormat; 6] = [
        TraceFormat::Pcap,
        TraceFormat::Pcapng,
        TraceFormat::Json,
        TraceFormat::Jsonl,
        TraceFormat::Plist,
        TraceFormat::Tree,
    ];

    /// Parses a name, any case, with PyPCAPKit's aliases (`cap`, `xml`, `txt`).
    ///
    /// ```
    /// use pcapkit_trace::TraceFormat;
    /// assert_eq!(TraceFormat::from_name("PCAPNG"), Ok(TraceFormat::Pcapng));
    /// assert_eq!(TraceFormat::from_name("txt"), Ok(TraceFormat::Tree));
    /// assert!(TraceFormat::from_name("yaml").is_err());
    /// ```
    pub fn from_name(name: &str) -> Result<Self, UnknownTraceFormat> {
        if matches!(name.trim().to_ascii_lowercase().as_str(), "pcapng" | "ng") {
            return Ok(TraceFormat::Pcapng);
        }
        match Format::from_name(name) {
            Ok(f) => Ok(f.into()),
            Err(_) => Err(UnknownTraceFormat(name.to_owned())),
        }
    }

    /// The name (`pcap`, `pcapng`, `json`, `jsonl`, `plist`, `tree`).
    pub const fn name(self) -> &'static str {
        match self {
            TraceFormat::Pcap => "pcap",
            TraceFormat::Pcapng => "pcapng",
            TraceFormat::Json => "json",
            TraceFormat::Jsonl => "jsonl",
            TraceFormat::Plist => "plist",
            TraceFormat::Tree => "tree",
        }
    }

    /// The file extension with its dot.
    pub const fn extension(self) -> &'static str {
        match self {
            TraceFormat::Pcap => ".pcap",
            TraceFormat::Pcapng => ".pcapng",
            TraceFormat::Json => ".json",
            TraceFormat::Jsonl => ".jsonl",
            TraceFormat::Plist => ".plist",
            TraceFormat::Tree => ".txt",
        }
    }

    /// Whether frames are written as text blocks (not capture records).
    pub const fn is_text(self) -> bool {
        !matches!(self, TraceFormat::Pcap | TraceFormat::Pcapng)
    }
}

impl From<Format> for TraceFormat {
    fn from(f: Format) -> Self {
        match f {
            Format::Json => TraceFormat::Json,
            Format::Jsonl => TraceFormat::Jsonl,
            Format::Plist => TraceFormat::Plist,
            Format::Tree => TraceFormat::Tree,
            Format::Pcap => TraceFormat::Pcap,
        }
    }
}

impl fmt::Display for TraceFormat {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.name())
    }
}

impl std::str::FromStr for TraceFormat {
    type Err = UnknownTraceFormat;
    fn from_str(s: &str) -> Result<Self, UnknownTraceFormat> {
        TraceFormat::from_name(s)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn names_round_trip() {
        for f in TraceFormat::ALL {
            assert_eq!(TraceFormat::from_name(f.name()), Ok(f));
        }
        assert_eq!(
            TraceFormat::from_name("yaml").unwrap_err().to_string(),
            "unknown trace format \"yaml\": expected one of pcap, pcapng, json, jsonl, plist, tree"
        );
    }
}
