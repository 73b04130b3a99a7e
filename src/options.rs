//! [`ExtractOptions`]: every option of PyPCAPKit's `extract()`, with its names and
//! defaults, as a builder.

use std::fmt;
use std::io::{Read, Write};
use std::path::{Path, PathBuf};
use std::sync::Arc;
use std::sync::atomic::AtomicBool;

use pcapkit_dump::PacketMode;

use crate::error::{Error, Result};
use crate::frame::FrameRef;

/// Where frames come from.
pub enum Input {
    /// A capture file.
    Path(PathBuf),
    /// Standard input (`-`), read until end of file.
    Stdin,
    /// Any reader; `name` is what [`crate::Extractor::input`] reports.
    Reader {
        /// The byte stream.
        reader: Box<dyn Read + Send>,
        /// A name for messages (e.g. the file it came from).
        name: String,
    },
}

impl fmt::Debug for Input {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            Input::Path(p) => f.debug_tuple("Path").field(p).finish(),
            Input::Stdin => f.write_str("Stdin"),
            Input::Reader { name, .. } => f.debug_struct("Reader").field("name", name).finish(),
        }
    }
}

impl<P: AsRef<Path>> From<P> for Input {
    /// A path; `-` means standard input.
    fn from(p: P) -> Self {
        let p = p.as_ref();
        if p == Path::new("-") {
            Input::Stdin
        } else {
            Input::Path(p.to_path_buf())
        }
    }
}

/// Where the output goes.
pub enum Output {
    /// A file (or, with `files`, a directory of per-block files).
    Path(PathBuf),
    /// Standard output (`-`).
    Stdout,
    /// Any writer; `name` is what [`crate::Extractor::output`] reports.
    Writer {
        /// The byte sink.
        writer: Box<dyn Write + Send>,
        /// A name for messages.
        name: String,
    },
}

impl fmt::Debug for Output {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            Output::Path(p) => f.debug_tuple("Path").field(p).finish(),
            Output::Stdout => f.write_str("Stdout"),
            Output::Writer { name, .. } => f.debug_struct("Writer").field("name", name).finish(),
        }
    }
}

impl<P: AsRef<Path>> From<P> for Output {
    /// A path; `-` means standard output.
    fn from(p: P) -> Self {
        let p = p.as_ref();
        if p == Path::new("-") {
            Output::Stdout
        } else {
            Output::Path(p.to_path_buf())
        }
    }
}

/// A per-frame callback (PyPCAPKit's callable `verbose`).
pub type FrameCallback = Box<dyn FnMut(&FrameRef<'_, '_>) + Send>;

/// What `verbose` does.
#[derive(Default)]
pub enum Verbose {
    /// Nothing.
    #[default]
    Off,
    /// Prints `Frame {n:>3}: {chain}` to standard output per frame, like PyPCAPKit.
    Print,
    /// Calls this function once per frame.
    Callback(FrameCallback),
}

impl fmt::Debug for Verbose {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(match self {
            Verbose::Off => "Off",
            Verbose::Print => "Print",
            Verbose::Callback(_) => "Callback(..)",
        })
    }
}

impl From<bool> for Verbose {
    fn from(on: bool) -> Self {
        if on { Verbose::Print } else { Verbose::Off }
    }
}

/// Options of [`crate::extract`]: PyPCAPKit's names and defaults, plus our additions
/// (`packets`, `interrupt`, `threads`, PCAP output byte order).
///
/// ```
/// use pcapkit::{ExtractOptions, JSON, LINK};
///
/// let opts = ExtractOptions::new("in.pcap")
///     .fout("out")
///     .format(JSON)
///     .layer(LINK)
///     .store(false);
/// assert_eq!(opts.format_name(), "json");
/// ```
#[derive(Debug)]
pub struct ExtractOptions {
    pub(crate) fin: Input,
    pub(crate) fout: Output,
    pub(crate) format: String,
    pub(crate) auto: bool,
    pub(crate) extension: bool,
    pub(crate) store: bool,
    pub(crate) files: bool,
    pub(crate) nofile: bool,
    pub(crate) verbose: Verbose,
    pub(crate) engine: String,
    pub(crate) layer: Option<String>,
    pub(crate) protocol: Option<String>,
    pub(crate) ip: bool,
    pub(crate) ipv4: bool,
    pub(crate) ipv6: bool,
    pub(crate) tcp: bool,
    pub(crate) tcp_reassembly: bool,
    pub(crate) strict: bool,
    pub(crate) reasm_store: bool,
    pub(crate) reasm_fout: Option<PathBuf>,
    pub(crate) streams: Option<PathBuf>,
    pub(crate) trace: bool,
    pub(crate) trace_fout: PathBuf,
    pub(crate) trace_format: String,
    pub(crate) trace_byteorder: String,
    pub(crate) trace_nanosecond: bool,
    pub(crate) trace_max_open: Option<usize>,
    pub(crate) trace_timeout: Option<std::time::Duration>,
    pub(crate) buffer_save: bool,
    pub(crate) buffer_path: Option<PathBuf>,
    pub(crate) packets: PacketMode,
    pub(crate) byteorder: String,
    pub(crate) nanosecond: Option<bool>,
    pub(crate) threads: Option<usize>,
    pub(crate) python: Option<PathBuf>,
    pub(crate) interrupt: Option<Arc<AtomicBool>>,
}

impl Default for ExtractOptions {
    /// PyPCAPKit's defaults: `fin = "in.pcap"`, `fout = "out"`, `format = "tree"`,
    /// `auto`, `extension`, `store` and `strict` on, everything else off.
    fn default() -> Self {
        Self {
            fin: Input::Path(PathBuf::from("in.pcap")),
            fout: Output::Path(PathBuf::from("out")),
            format: crate::TREE.to_owned(),
            auto: true,
            extension: true,
            store: true,
            files: false,
            nofile: false,
            verbose: Verbose::Off,
            engine: crate::PCAPKit.to_owned(),
            layer: None,
            protocol: None,
            ip: false,
            ipv4: false,
            ipv6: false,
            tcp: false,
            tcp_reassembly: true,
            strict: true,
            reasm_store: true,
            reasm_fout: None,
            streams: None,
            trace: false,
            trace_fout: PathBuf::from("./tmp"),
            trace_format: crate::PCAP.to_owned(),
            trace_byteorder: "native".to_owned(),
            trace_nanosecond: false,
            trace_max_open: None,
            trace_timeout: None,
            buffer_save: false,
            buffer_path: None,
            packets: PacketMode::All,
            byteorder: "native".to_owned(),
            nanosecond: None,
            threads: None,
            python: None,
            interrupt: None,
        }
    }
}

macro_rules! flag {
    ($(#[$doc:meta])* $name:ident) => {
        $(#[$doc])*
        #[must_use]
        pub fn $name(mut self, on: bool) -> Self {
            self.$name = on;
            self
        }
    };
}

impl ExtractOptions {
    /// Defaults with `fin` set (a path; `-` for standard input).
    pub fn new(fin: impl Into<Input>) -> Self {
        Self::default().fin(fin)
    }

    /// The input: a path (`-` = standard input) or an [`Input`].
    #[must_use]
    pub fn fin(mut self, fin: impl Into<Input>) -> Self {
        self.fin = fin.into();
        self
    }

    /// Reads the capture from any reader; `name` is used in messages.
    #[must_use]
    pub fn fin_reader(
        mut self,
        reader: impl Read + Send + 'static,
        name: impl Into<String>,
    ) -> Self {
        self.fin = Input::Reader {
            reader: Box::new(reader),
            name: name.into(),
        };
        self
    }

    /// The output: a path (`-` = standard output; with `files`, a directory). Default
    /// `out`.
    #[must_use]
    pub fn fout(mut self, fout: impl Into<Output>) -> Self {
        self.fout = fout.into();
        self
    }

    /// Writes the output to any writer; `name` is used in messages.
    #[must_use]
    pub fn fout_writer(
        mut self,
        writer: impl Write + Send + 'static,
        name: impl Into<String>,
    ) -> Self {
        self.fout = Output::Writer {
            writer: Box::new(writer),
            name: name.into(),
        };
        self
    }

    /// Output format: `json`, `jsonl`, `plist`, `tree` (default) or `pcap`, any case;
    /// PyPCAPKit's aliases `xml`, `txt`, `cap` work too. Checked by
    /// [`crate::extract`] unless `nofile`.
    #[must_use]
    pub fn format(mut self, format: impl Into<String>) -> Self {
        self.format = format.into();
        self
    }

    /// The format as given.
    pub fn format_name(&self) -> &str {
        &self.format
    }

    flag!(
        /// `true` (default): [`crate::extract`] runs to the end of the input. `false`:
        /// the caller iterates (`Iterator`) or calls [`crate::Extractor::run`].
        auto
    );
    flag!(
        /// Append `.pcap` to an input path without a capture extension when that file
        /// exists, and the format's extension to the output unless it already ends with
        /// it (default on).
        extension
    );
    flag!(
        /// Keep every frame in memory ([`crate::Extractor::frames`]; default on).
        store
    );
    flag!(
        /// One output file per block in the directory `fout`: `Frame 1.json`, ...
        files
    );
    flag!(
        /// No output at all.
        nofile
    );

    /// `true`: print `Frame   1: Ethernet:IPv4:TCP` per frame; `false`: quiet (default).
    #[must_use]
    pub fn verbose(mut self, on: bool) -> Self {
        self.verbose = on.into();
        self
    }

    /// Calls `f` once per frame (PyPCAPKit's callable `verbose`).
    #[must_use]
    pub fn verbose_with(mut self, f: impl FnMut(&FrameRef<'_, '_>) + Send + 'static) -> Self {
        self.verbose = Verbose::Callback(Box::new(f));
        self
    }

    /// Engine: `default` (alias `pcapkit`), `dpkt`, `scapy`, `pyshark`, `server`,
    /// `pipeline`, any case.
    #[must_use]
    pub fn engine(mut self, engine: impl Into<String>) -> Self {
        self.engine = engine.into();
        self
    }

    /// Stop decoding after this layer (`Link`, `Internet`, `Transport`,
    /// `Application`, or `None` for no limit; any case): the rest of each frame is
    /// `raw`.
    #[must_use]
    pub fn layer(mut self, layer: impl Into<String>) -> Self {
        self.layer = Some(layer.into());
        self
    }

    /// Stop decoding after this protocol (chain token or alias such as `IP`, any
    /// case); `null`/`none` for no limit.
    #[must_use]
    pub fn protocol(mut self, protocol: impl Into<String>) -> Self {
        self.protocol = Some(protocol.into());
        self
    }

    flag!(
        /// IPv4 and IPv6 reassembly (shorthand for `ipv4` + `ipv6`).
        ip
    );
    flag!(
        /// IPv4 reassembly.
        ipv4
    );
    flag!(
        /// IPv6 reassembly.
        ipv6
    );
    flag!(
        /// TCP reassembly (and, with `trace`, TCP flow tracing).
        tcp
    );
    flag!(
        /// Whether `tcp` runs the TCP reassembler (default on). Turn it off when `tcp`
        /// is on only because `trace` needs it (PyPCAPKit's rule): tracing then costs
        /// no reassembly. The CLI does this for `--trace` without `--tcp`.
        tcp_reassembly
    );
    flag!(
        /// Report incomplete reassembled datagrams too (default on).
        strict
    );
    flag!(
        /// Keep the reassembled datagrams in memory for
        /// [`crate::Extractor::reassembly`] (default on; PyPCAPKit's `reasm_store`).
        reasm_store
    );

    /// Also write each enabled reassembler's datagrams as JSON Lines to
    /// `<prefix>.ipv4.jsonl`, `<prefix>.ipv6.jsonl`, `<prefix>.tcp.jsonl` as they are
    /// reassembled (one datagram per line, bytes as hex).
    #[must_use]
    pub fn reasm_fout(mut self, prefix: impl Into<PathBuf>) -> Self {
        self.reasm_fout = Some(prefix.into());
        self
    }

    /// Export every TCP connection's two directions as byte streams into `dir`
    /// (`{a}_{aport}-{b}_{bport}.c2s` / `.s2c`, plus `index.json`): Wireshark's
    /// Follow TCP Stream for the whole capture. Works with or without `tcp`.
    #[must_use]
    pub fn streams(mut self, dir: impl Into<PathBuf>) -> Self {
        self.streams = Some(dir.into());
        self
    }

    flag!(
        /// TCP flow tracing (needs `tcp`; add `tcp_reassembly(false)` to trace without
        /// running the TCP reassembler).
        trace
    );

    /// Directory of the per-flow trace files (default `./tmp`).
    #[must_use]
    pub fn trace_fout(mut self, dir: impl Into<PathBuf>) -> Self {
        self.trace_fout = dir.into();
        self
    }

    /// Format of the trace files: `pcap` (default), `pcapng`, `json`, `jsonl`,
    /// `plist`, `tree`.
    #[must_use]
    pub fn trace_format(mut self, format: impl Into<String>) -> Self {
        self.trace_format = format.into();
        self
    }

    /// Byte order of PCAP trace files: `little`, `big` or `native` (default).
    #[must_use]
    pub fn trace_byteorder(mut self, order: impl Into<String>) -> Self {
        self.trace_byteorder = order.into();
        self
    }

    flag!(
        /// Nanosecond timestamps in PCAP trace files.
        trace_nanosecond
    );
    /// At most this many trace files open at once (default 256; the least recently
    /// written is closed and reopened in append mode when needed).
    #[must_use]
    pub fn trace_max_open(mut self, n: usize) -> Self {
        self.trace_max_open = Some(n);
        self
    }

    /// A frame more than `t` (capture time) after its flow's last frame starts a new
    /// flow (default: never, as Wireshark).
    #[must_use]
    pub fn trace_timeout(mut self, t: std::time::Duration) -> Self {
        self.trace_timeout = Some(t);
        self
    }

    flag!(
        /// Save a copy of everything read from standard input to `buffer_path`.
        buffer_save
    );

    /// Where `buffer_save` writes (default: a file in the temporary directory).
    #[must_use]
    pub fn buffer_path(mut self, path: impl Into<PathBuf>) -> Self {
        self.buffer_path = Some(path.into());
        self
    }

    /// Which `packet` bytes the frame blocks carry: all layers (default), the frame's
    /// only, or none.
    #[must_use]
    pub fn packets(mut self, mode: PacketMode) -> Self {
        self.packets = mode;
        self
    }

    /// Byte order of PCAP output: `little`, `big` or `native` (default).
    #[must_use]
    pub fn byteorder(mut self, order: impl Into<String>) -> Self {
        self.byteorder = order.into();
        self
    }

    /// Nanosecond timestamps in PCAP output; default: as captured.
    #[must_use]
    pub fn nanosecond(mut self, on: bool) -> Self {
        self.nanosecond = Some(on);
        self
    }

    /// The Python interpreter of the `dpkt` and `scapy` engines (default: the
    /// `PCAPKIT_PYTHON` environment variable, else `python3`).
    #[must_use]
    pub fn python(mut self, program: impl Into<PathBuf>) -> Self {
        self.python = Some(program.into());
        self
    }

    /// Worker threads of the multi-threaded engines (default: available cores).
    #[must_use]
    pub fn threads(mut self, n: usize) -> Self {
        self.threads = Some(n);
        self
    }

    /// A flag that stops extraction between frames when set (e.g. from a Ctrl-C
    /// handler); the output is closed and [`Error::Interrupted`] returned.
    #[must_use]
    pub fn interrupt(mut self, flag: Arc<AtomicBool>) -> Self {
        self.interrupt = Some(flag);
        self
    }
}

/// An extraction engine.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
pub enum Engine {
    /// The native dissector (`default`, alias `pcapkit`).
    Default,
    /// dpkt through `python3`.
    Dpkt,
    /// scapy through `python3`.
    Scapy,
    /// Wireshark's dissectors through `tshark`.
    PyShark,
    /// Native, multi-threaded, flow-sharded.
    Server,
    /// Native, multi-threaded pipeline.
    Pipeline,
}

impl Engine {
    /// Parses an engine name, ignoring case (`pcapkit` = `default`).
    pub fn from_name(name: &str) -> Result<Self> {
        Ok(match name.trim().to_ascii_lowercase().as_str() {
            "default" | "pcapkit" | "" => Engine::Default,
            "dpkt" => Engine::Dpkt,
            "scapy" => Engine::Scapy,
            "pyshark" => Engine::PyShark,
            "server" => Engine::Server,
            "pipeline" => Engine::Pipeline,
            _ => return Err(Error::UnknownEngine(name.to_owned())),
        })
    }

    /// The engine's name, as the constants spell it.
    pub const fn name(self) -> &'static str {
        match self {
            Engine::Default => crate::PCAPKit,
            Engine::Dpkt => crate::DPKT,
            Engine::Scapy => crate::Scapy,
            Engine::PyShark => crate::PyShark,
            Engine::Server => crate::MPServer,
            Engine::Pipeline => crate::MPPipeline,
        }
    }

    /// Whether the engine runs another program (tshark, python3).
    pub const fn is_third_party(self) -> bool {
        matches!(self, Engine::Dpkt | Engine::Scapy | Engine::PyShark)
    }
}

impl fmt::Display for Engine {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.name())
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn engines() {
        assert_eq!(Engine::from_name("PCAPKit").unwrap(), Engine::Default);
        assert_eq!(Engine::from_name("Default").unwrap(), Engine::Default);
        assert_eq!(Engine::from_name("pipeline").unwrap(), Engine::Pipeline);
        assert!(matches!(
            Engine::from_name("tcpdump"),
            Err(Error::UnknownEngine(n)) if n == "tcpdump"
        ));
        assert!(Engine::PyShark.is_third_party() && !Engine::Server.is_third_party());
    }

    #[test]
    fn dash_means_standard_streams() {
        assert!(matches!(Input::from("-"), Input::Stdin));
        assert!(matches!(Output::from("-"), Output::Stdout));
        assert!(matches!(Input::from("a.pcap"), Input::Path(p) if p == Path::new("a.pcap")));
    }
}
