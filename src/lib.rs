//! pcapkit: read, dissect, reassemble, trace and dump network captures — a Rust
//! re-implementation of PyPCAPKit with its names and layout, Wireshark's values and
//! streaming memory use.
//!
//! The entry points mirror PyPCAPKit's: [`extract`] (read a capture, dissect every
//! frame, write JSON / JSON Lines / plist / tree / PCAP), [`analyse`] (guess the
//! application protocol of a payload), [`reassemble`] (IPv4, IPv6 or TCP
//! reassembly) and [`trace`] (TCP flows into per-flow files).
//!
//! ```
//! use pcapkit::{extract, ExtractOptions, JSON};
//!
//! let capture = concat!(env!("CARGO_MANIFEST_DIR"), "/testdata/captures/http.pcap");
//! let dir = tempfile::tempdir()?;
//! let out = dir.path().join("out");
//! let ex = extract(ExtractOptions::new(capture).fout(&out).format(JSON).store(false))?;
//! assert_eq!(ex.output(), Some(dir.path().join("out.json").as_path()));
//! let doc: serde_json::Value = serde_json::from_slice(&std::fs::read(dir.path().join("out.json"))?)?;
//! assert_eq!(doc["Frame 1"]["number"], 1);
//! assert!(doc["Global Header"]["network"].as_str().unwrap().starts_with("LinkType::"));
//! # Ok::<(), Box<dyn std::error::Error>>(())
//! ```
#![warn(missing_docs)]

mod error;
mod extractor;
mod frame;
mod options;
mod reasm;
mod sink;
mod trace;

pub use error::{Error, Result};
pub use extractor::{CaptureHeader, Extractor};
pub use frame::{Frame, FrameRef};
pub use options::{Engine, ExtractOptions, FrameCallback, Input, Output, Verbose};
/// The flow tracer, re-exported.
pub use pcapkit_trace;
pub use reasm::{Reassembler, ReassemblyData, reassemble};
pub use trace::{FlowEnd, FlowRecord, TraceError, TraceFlow, TraceFormat};

pub use pcapkit_dump::{Format, PacketMode};
pub use pcapkit_protocols::Packet;

/// The capture layer (reader, writers, frames), re-exported.
pub use pcapkit_core;
/// The output writers, re-exported.
pub use pcapkit_dump;
/// The dissectors, re-exported.
pub use pcapkit_protocols;
/// The reassembly engines (datagrams, limits, stream view), re-exported.
pub use pcapkit_reasm;

/// Registry enums (`LinkType`, `EtherType`, `TransType`, `AppType`, and every other
/// registry generated from IANA's), as PyPCAPKit names them.
pub use pcapkit_protocols::consts;
pub use pcapkit_protocols::consts::reg::{AppType, EtherType, LinkType, TransType};

/// Output format: tree text (`.txt`).
pub const TREE: &str = "tree";
/// Output format: JSON.
pub const JSON: &str = "json";
/// Output format: Apple XML property list.
pub const PLIST: &str = "plist";
/// Output format: PCAP.
pub const PCAP: &str = "pcap";
/// Output format: JSON Lines (one object per block; not in PyPCAPKit).
pub const JSONL: &str = "jsonl";

/// Layer threshold: none (decode everything).
pub const RAW: &str = "None";
/// Layer threshold: stop after the link layer.
pub const LINK: &str = "Link";
/// Layer threshold: stop after the internet layer.
pub const INET: &str = "Internet";
/// Layer threshold: stop after the transport layer.
pub const TRANS: &str = "Transport";
/// Layer threshold: stop after the application layer.
pub const APP: &str = "Application";

/// Engine: the native dissector (alias `"pcapkit"`).
#[allow(non_upper_case_globals)]
pub const PCAPKit: &str = "default";
/// Engine: dpkt through `python3` (not available yet).
pub const DPKT: &str = "dpkt";
/// Engine: scapy through `python3` (not available yet).
#[allow(non_upper_case_globals)]
pub const Scapy: &str = "scapy";
/// Engine: Wireshark's dissectors through `tshark` (not available yet).
#[allow(non_upper_case_globals)]
pub const PyShark: &str = "pyshark";
/// Engine: native, multi-threaded, flow-sharded (not available yet).
#[allow(non_upper_case_globals)]
pub const MPServer: &str = "server";
/// Engine: native, multi-threaded pipeline (not available yet).
#[allow(non_upper_case_globals)]
pub const MPPipeline: &str = "pipeline";

/// Reads a capture, dissects every frame and writes the output, as the options say.
///
/// With `auto` (the default) the whole input is processed before this returns; with
/// `auto(false)` the returned [`Extractor`] is iterated (or [`Extractor::run`]).
///
/// Errors: [`Error::FileNotFound`] for a missing input, [`Error::UnknownFormat`],
/// [`Error::UnknownLayer`], [`Error::UnknownEngine`] (each listing the valid values),
/// [`Error::Output`] naming an output that cannot be written, [`Error::Capture`] for
/// an input that is not a capture or is damaged (after closing the output, which
/// holds every frame before the damage).
///
/// ```
/// use pcapkit::{extract, Error, ExtractOptions};
///
/// let err = extract(ExtractOptions::new("no/such.pcap").nofile(true)).unwrap_err();
/// assert!(matches!(err, Error::FileNotFound { .. }));
/// let err = extract(ExtractOptions::new("-").format("yaml")).unwrap_err();
/// assert!(err.to_string().contains("expected one of json, jsonl, plist, tree, pcap"));
/// ```
pub fn extract(options: ExtractOptions) -> Result<Extractor> {
    let mut ex = Extractor::new(options)?;
    if ex.is_auto() {
        ex.run()?;
    }
    Ok(ex)
}

/// Guesses the application protocol of a payload from its content — FTP, HTTP/1.x,
/// HTTP/2, else `raw` — and dissects it. `length` limits the bytes looked at
/// (`None`: all of `data`).
///
/// ```
/// let packet = pcapkit::analyse(b"\x00\x01 not a known protocol", None);
/// assert_eq!(packet.layers().len(), 1);
/// ```
pub fn analyse(data: &[u8], length: Option<usize>) -> Packet<'_> {
    let data = match length {
        Some(n) => data.get(..n).unwrap_or(data),
        None => data,
    };
    pcapkit_protocols::dissect_next(
        pcapkit_protocols::Next::Sniff,
        LinkType::RAW,
        data,
        &pcapkit_protocols::DissectOptions::default(),
    )
}

/// A TCP flow tracer writing one file per flow into `fout` in `format` (`pcap`,
/// `pcapng`, `json`, `jsonl`, `plist`, `tree`), PCAP/PCAPNG files in `byteorder`
/// (`little`, `big`, `native`), PCAP with nanosecond timestamps if asked.
///
/// Feed it dissected frames ([`TraceFlow::feed`]), then call [`TraceFlow::finish`]:
/// it closes the files and returns the index (also written as `index.json` and
/// `index.csv` in `fout`). See [`pcapkit_trace`] for the flow rules.
///
/// ```
/// use pcapkit::pcapkit_core::Reader;
/// use pcapkit::pcapkit_protocols::{dissect, DissectOptions};
///
/// let capture = concat!(env!("CARGO_MANIFEST_DIR"), "/testdata/captures/http.pcap");
/// let dir = tempfile::tempdir()?;
/// let mut flows = pcapkit::trace(dir.path(), "pcap", "little", false)?;
/// let mut reader = Reader::open(capture)?;
/// while let Some(raw) = reader.next_frame()? {
///     let packet = dissect(raw.link_type, raw.data, &DissectOptions::default());
///     flows.feed(&raw, &packet)?;
/// }
/// let index = flows.finish()?;
/// assert!(!index.is_empty());
/// assert!(index[0].fpout.is_file());
/// let err = pcapkit::trace("flows", "yaml", "native", false).unwrap_err();
/// assert!(matches!(err, pcapkit::Error::UnknownFormat(_)));
/// # Ok::<(), Box<dyn std::error::Error>>(())
/// ```
pub fn trace(
    fout: impl AsRef<std::path::Path>,
    format: &str,
    byteorder: &str,
    nanosecond: bool,
) -> Result<TraceFlow> {
    trace::trace(fout.as_ref(), format, byteorder, nanosecond)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn constants_have_the_specified_values() {
        assert_eq!(
            [TREE, JSON, PLIST, PCAP, JSONL],
            ["tree", "json", "plist", "pcap", "jsonl"]
        );
        assert_eq!(
            [RAW, LINK, INET, TRANS, APP],
            ["None", "Link", "Internet", "Transport", "Application"]
        );
        assert_eq!(
            [PCAPKit, DPKT, Scapy, PyShark, MPServer, MPPipeline],
            ["default", "dpkt", "scapy", "pyshark", "server", "pipeline"]
        );
        for layer in [RAW, LINK, INET, TRANS, APP] {
            assert!(pcapkit_protocols::Level::from_name(layer).is_ok());
            assert!(pcapkit_protocols::Level::from_name(&layer.to_lowercase()).is_ok());
        }
        for engine in [
            PCAPKit, DPKT, Scapy, PyShark, MPServer, MPPipeline, "pcapkit",
        ] {
            assert!(Engine::from_name(engine).is_ok());
        }
        assert_eq!(LinkType::ETHERNET.to_string(), "LinkType::ETHERNET [1]");
    }

    #[test]
    fn analyse_limits_length() {
        let p = analyse(b"abcdef", Some(3));
        assert_eq!(p.data(), b"abc");
        let p = analyse(b"abc", Some(10));
        assert_eq!(p.data(), b"abc");
    }
}
