//! The command line: PyPCAPKit's options plus pcapkit-rs's additions.

use std::path::PathBuf;

use clap::Parser;
use pcapkit::{ExtractOptions, PacketMode};

const EXAMPLES: &str = "\
Examples:
  pcapkit-cli in.pcap -f json -o out -a      dissect in.pcap into out.json
  pcapkit-cli in.pcap -j -o -                JSON on standard output
  pcapkit-cli in.pcap --jsonl -o - | jq .protocols
                                             one JSON object per frame, for jq/DuckDB
  pcapkit-cli in.pcap -p -F -o frames        one plist file per frame in frames/
  pcapkit-cli in.pcap -L link -t -o -        tree text, decoding only the link layer
  pcapkit-cli in.pcap -f pcap -o copy.pcap   rewrite the frames as PCAP
  tcpdump -w - | pcapkit-cli - -j -o live    read standard input until it ends
  pcapkit-cli big.pcap --nofile              dissect only (timing, validation)
  pcapkit-cli big.pcap -j -E pipeline --threads 4
                                             same output, dissected on 4 threads
  pcapkit-cli in.pcap -j -E pyshark          tshark's layers and fields per frame
  pcapkit-cli in.pcap --ip --tcp --nofile -o r
                                             reassembled datagrams in r.ipv4.jsonl,
                                             r.ipv6.jsonl, r.tcp.jsonl
  pcapkit-cli in.pcap --streams flows --nofile
                                             every TCP stream as files in flows/
  pcapkit-cli in.pcap --nofile --trace flows one PCAP file per TCP connection in flows/,
                                             with flows/index.json and index.csv

Without -a no extension is added: `-o out` writes a file named `out`.
Reassembly files are named after -o as given (`out` when -o is `-`).
Format precedence: -f, then --jsonl, -j, -p, -t; default tree.";

/// PyPCAPKit-compatible command line: read a PCAP/PCAPNG capture, dissect every
/// frame, write JSON, JSON Lines, plist, tree text or PCAP.
#[derive(Debug, Parser)]
#[command(name = "pcapkit-cli", version, after_help = EXAMPLES)]
pub struct Args {
    /// The capture to read (`-` for standard input, read until it ends)
    #[arg(value_name = "input-file-name")]
    pub input: String,

    /// Output file name (a directory with -F; `-` for standard output)
    #[arg(
        short = 'o',
        long = "output",
        value_name = "file-name",
        default_value = "out"
    )]
    pub output: String,

    /// Output format: json, jsonl, plist, tree, pcap (also xml, txt, cap)
    #[arg(short = 'f', long = "format", value_name = "format")]
    pub format: Option<String>,

    /// Write JSON
    #[arg(short = 'j', long = "json")]
    pub json: bool,

    /// Write an Apple XML property list
    #[arg(short = 'p', long = "plist")]
    pub plist: bool,

    /// Write tree text
    #[arg(short = 't', long = "tree")]
    pub tree: bool,

    /// Write JSON Lines: one object per block
    #[arg(long = "jsonl")]
    pub jsonl: bool,

    /// Append the format's extension to the output (and `.pcap` to an input without one)
    #[arg(short = 'a', long = "auto-extension")]
    pub auto_extension: bool,

    /// Print each frame's protocol chain as it is read
    #[arg(short = 'v', long = "verbose")]
    pub verbose: bool,

    /// No progress bar and no messages (errors are still reported)
    #[arg(short = 'q', long = "quiet", conflicts_with = "verbose")]
    pub quiet: bool,

    /// One output file per block in the directory given by -o
    #[arg(short = 'F', long = "files")]
    pub files: bool,

    /// Dissect only, write no output
    #[arg(long = "nofile")]
    pub nofile: bool,

    /// Extraction engine: default (pcapkit), dpkt, scapy, pyshark, server, pipeline
    #[arg(
        short = 'E',
        long = "engine",
        value_name = "PKG",
        default_value = "default"
    )]
    pub engine: String,

    /// Stop decoding after this protocol (e.g. IPv4, TCP; the rest is raw)
    #[arg(short = 'P', long = "protocol", value_name = "PROTOCOL")]
    pub protocol: Option<String>,

    /// Stop decoding after this layer: link, internet, transport, application
    #[arg(short = 'L', long = "layer", value_name = "LAYER")]
    pub layer: Option<String>,

    /// Which `packet` bytes to write: all (every layer), frame (the frame's only), none
    #[arg(long = "packet", value_name = "WHICH", default_value = "all",
          value_parser = ["all", "frame", "none"])]
    pub packet: String,

    /// Save a copy of what is read from standard input
    #[arg(short = 'B', long = "buffer-save")]
    pub buffer_save: bool,

    /// Where -B saves standard input (default: a temporary file)
    #[arg(short = 'O', long = "buffer-path", value_name = "file-name")]
    pub buffer_path: Option<PathBuf>,

    /// Reassemble IPv4 fragments into OUTPUT.ipv4.jsonl
    #[arg(long = "ipv4")]
    pub ipv4: bool,

    /// Reassemble IPv6 fragments into OUTPUT.ipv6.jsonl
    #[arg(long = "ipv6")]
    pub ipv6: bool,

    /// Reassemble IPv4 and IPv6 fragments (--ipv4 --ipv6)
    #[arg(long = "ip")]
    pub ip: bool,

    /// Reassemble TCP segments into OUTPUT.tcp.jsonl (one datagram per run of segments
    /// sharing an ACK number)
    #[arg(long = "tcp")]
    pub tcp: bool,

    /// Write every TCP connection's two byte streams (Follow TCP Stream) into DIR:
    /// {a}_{port}-{b}_{port}.c2s / .s2c and index.json
    #[arg(long = "streams", value_name = "DIR")]
    pub streams: Option<PathBuf>,

    /// Report incomplete reassembled datagrams too (default)
    #[arg(long = "strict", overrides_with = "no_strict")]
    pub strict: bool,

    /// Report complete reassembled datagrams only
    #[arg(long = "no-strict", overrides_with = "strict")]
    pub no_strict: bool,

    /// Trace TCP flows into this directory: one file per connection plus
    /// index.json/index.csv (implies --tcp)
    #[arg(long = "trace", value_name = "DIR")]
    pub trace: Option<PathBuf>,

    /// Format of the flow files: pcap, pcapng, json, jsonl, plist, tree
    #[arg(long = "trace-format", value_name = "format", default_value = "pcap")]
    pub trace_format: String,

    /// Byte order of PCAP flow files: little, big, native
    #[arg(
        long = "trace-byteorder",
        value_name = "ORDER",
        default_value = "native"
    )]
    pub trace_byteorder: String,

    /// Nanosecond timestamps in PCAP flow files
    #[arg(long = "trace-nanosecond")]
    pub trace_nanosecond: bool,

    /// At most N flow files open at once (default 256)
    #[arg(long = "trace-max-open", value_name = "N")]
    pub trace_max_open: Option<usize>,

    /// Start a new flow after SECS seconds (capture time) without a frame
    #[arg(long = "trace-timeout", value_name = "SECS", value_parser = parse_secs)]
    pub trace_timeout: Option<std::time::Duration>,

    /// Worker threads of the pipeline and server engines (default: available cores)
    #[arg(long = "threads", value_name = "N")]
    pub threads: Option<usize>,

    /// Python interpreter of the dpkt and scapy engines (default: $PCAPKIT_PYTHON, else python3)
    #[arg(long = "python", value_name = "PROGRAM")]
    pub python: Option<String>,
}

/// A duration in seconds (`30`, `0.5`), non-negative.
fn parse_secs(s: &str) -> Result<std::time::Duration, String> {
    let secs: f64 = s
        .trim()
        .parse()
        .map_err(|_| format!("{s:?} is not a number of seconds"))?;
    std::time::Duration::try_from_secs_f64(secs)
        .map_err(|_| format!("{s:?} is not a non-negative number of seconds"))
}

impl Args {
    /// The output format name, by precedence `-f`, `--jsonl`, `-j`, `-p`, `-t`.
    pub fn format(&self) -> &str {
        if let Some(f) = &self.format {
            f
        } else if self.jsonl {
            pcapkit::JSONL
        } else if self.json {
            pcapkit::JSON
        } else if self.plist {
            pcapkit::PLIST
        } else {
            pcapkit::TREE
        }
    }

    /// Where reassembled datagrams go: `<prefix>.ipv4.jsonl`, ... next to the output
    /// (`out` when the output is standard output).
    pub fn reasm_prefix(&self) -> PathBuf {
        if self.output == "-" {
            PathBuf::from("out")
        } else {
            PathBuf::from(&self.output)
        }
    }

    /// Whether the output goes to standard output.
    pub fn to_stdout(&self) -> bool {
        self.output == "-" && !self.nofile
    }

    /// The extraction options (without callbacks): PyPCAPKit's CLI never stores frames.
    pub fn options(&self) -> ExtractOptions {
        let packets = PacketMode::from_name(&self.packet).unwrap_or_default();
        let mut o = ExtractOptions::new(self.input.as_str())
            .fout(self.output.as_str())
            .format(self.format())
            .extension(self.auto_extension)
            .files(self.files)
            .nofile(self.nofile)
            .store(false)
            .engine(self.engine.as_str())
            .packets(packets)
            .buffer_save(self.buffer_save)
            .ip(self.ip)
            .ipv4(self.ipv4)
            .ipv6(self.ipv6)
            // Tracing needs `tcp` (PyPCAPKit's rule) but not the TCP reassembler:
            // that runs only with --tcp (or --streams).
            .tcp(self.tcp || self.trace.is_some())
            .tcp_reassembly(self.tcp)
            .strict(!self.no_strict)
            .reasm_store(false)
            .trace(self.trace.is_some())
            .trace_format(self.trace_format.as_str())
            .trace_byteorder(self.trace_byteorder.as_str())
            .trace_nanosecond(self.trace_nanosecond);
        if let Some(p) = &self.protocol {
            o = o.protocol(p.as_str());
        }
        if let Some(l) = &self.layer {
            o = o.layer(l.as_str());
        }
        if let Some(p) = &self.buffer_path {
            o = o.buffer_path(p);
        }
        if let Some(d) = &self.trace {
            o = o.trace_fout(d);
        }
        if let Some(p) = &self.python {
            o = o.python(p);
        }
        if self.ip || self.ipv4 || self.ipv6 || self.tcp {
            o = o.reasm_fout(self.reasm_prefix());
        }
        if let Some(d) = &self.streams {
            o = o.streams(d);
        }
        if let Some(n) = self.trace_max_open {
            o = o.trace_max_open(n);
        }
        if let Some(t) = self.trace_timeout {
            o = o.trace_timeout(t);
        }
        if let Some(n) = self.threads {
            o = o.threads(n);
        }
        o
    }
}
