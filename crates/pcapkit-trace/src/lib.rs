//! TCP flow tracing for pcapkit: one file per TCP connection, both directions, with an
//! index of the flows.
//!
//! A [`Tracer`] is fed dissected frames ([`Tracer::feed`]). Frames carrying TCP are
//! grouped into flows by the unordered address/port pair, following Wireshark's
//! `tcp.stream` rules: a SYN (without ACK) whose sequence number differs from the one
//! its side started the current flow with starts a new flow (a new connection after the
//! old one closed, or a port reused), as does a frame after more than the optional idle
//! timeout (capture time). A flow is closed by FIN from both sides or by RST; frames
//! after that (the last ACK, retransmissions) still belong to it until a new
//! connection starts.
//!
//! Each flow goes to `dir/{src}_{sport}-{dst}_{dport}-{first_ts}.{ext}` (initiator
//! first, IPv6 `:` written `.`), in `pcap` (the frames byte for byte; byte order and
//! timestamp resolution as asked), `pcapng`, `json`, `plist`, `tree` (`.txt`) or
//! `jsonl`. At most [`TraceOptions::max_open`] files are open at once: the least
//! recently written is closed and reopened in append mode when needed, so a capture
//! with millions of flows works. [`Tracer::finish`] closes every file and writes
//! `index.json` and `index.csv` ([`FlowRecord`] per flow).
//!
//! ```
//! use pcapkit_core::{LinkType, RawFrame, Timestamp};
//! use pcapkit_protocols::{dissect, DissectOptions};
//! use pcapkit_trace::{FlowEnd, TraceOptions, Tracer};
//!
//! // An Ethernet/IPv4/TCP SYN from 10.0.0.1:40000 to 10.0.0.2:80.
//! let mut frame = vec![0u8; 12];
//! frame.extend_from_slice(&[0x08, 0x00, 0x45, 0, 0, 40, 0, 0, 0x40, 0, 64, 6, 0, 0]);
//! frame.extend_from_slice(&[10, 0, 0, 1, 10, 0, 0, 2]);
//! frame.extend_from_slice(&[0x9c, 0x40, 0, 80, 0, 0, 0, 1, 0, 0, 0, 0, 0x50, 0x02, 0xff, 0xff, 0, 0, 0, 0]);
//!
//! let dir = tempfile::tempdir()?;
//! let mut tracer = Tracer::new(TraceOptions::new(dir.path()))?;
//! let raw = RawFrame::new(1, Timestamp::new(1_600_000_000, 0), LinkType::ETHERNET, 54, &frame);
//! let packet = dissect(raw.link_type, raw.data, &DissectOptions::default());
//! assert_eq!(tracer.feed(&raw, &packet)?, Some(0));
//! let index = tracer.finish()?;
//! assert_eq!(index[0].label, "10.0.0.1_40000-10.0.0.2_80-1600000000.0");
//! assert_eq!(index[0].index, [1]);
//! assert_eq!(index[0].end, FlowEnd::Eof);
//! assert!(dir.path().join("10.0.0.1_40000-10.0.0.2_80-1600000000.0.pcap").is_file());
//! assert!(dir.path().join("index.json").is_file());
//! # Ok::<(), Box<dyn std::error::Error>>(())
//! ```
#![warn(missing_docs)]

mod error;
mod format;
mod frames;
mod index;
mod output;
mod segment;

use std::collections::HashMap;
use std::path::{Path, PathBuf};
use std::sync::Arc;
use std::time::Duration;

use pcapkit_core::{RawFrame, Timestamp};
use pcapkit_dump::{ByteOrder, PacketMode};
use pcapkit_protocols::Packet;

pub use error::{Result, TraceError};
pub use format::{TraceFormat, UnknownTraceFormat};
pub use frames::FrameList;
pub use index::{FlowEnd, FlowRecord, merge_index, write_index};
pub use segment::{Endpoint, Segment};

use output::{FileOptions, FileState, Files};
use segment::{FxBuild, Key};

/// The default per-flow output format.
pub const DEFAULT_FORMAT: &str = "pcap";

/// The default cap on open flow files.
pub const DEFAULT_MAX_OPEN: usize = 256;

/// Settings of a [`Tracer`].
///
/// ```
/// use pcapkit_trace::{TraceFormat, TraceOptions};
///
/// let o = TraceOptions::new("flows").format(TraceFormat::Json).max_open(16);
/// assert_eq!(o.max_open, 16);
/// ```
#[derive(Clone, Debug)]
pub struct TraceOptions {
    /// The directory of the flow files (created).
    pub dir: PathBuf,
    /// Format of the flow files (default PCAP).
    pub format: TraceFormat,
    /// Byte order of PCAP/PCAPNG flow files (default: the machine's).
    pub byteorder: ByteOrder,
    /// Nanosecond timestamps in PCAP flow files (default microseconds).
    pub nanosecond: bool,
    /// At most this many flow files open at once (default 256).
    pub max_open: usize,
    /// A frame more than this long (capture time) after its flow's last frame starts
    /// a new flow; `None` (default, as Wireshark): never.
    pub idle_timeout: Option<Duration>,
    /// Which `packet` bytes the text formats' frame blocks carry (default all).
    pub packets: PacketMode,
    /// Write buffer per open file (default 64 KiB).
    pub buffer: usize,
    /// Write `index.json` and `index.csv` on [`Tracer::finish`] (default on).
    pub write_index: bool,
}

impl TraceOptions {
    /// Defaults, writing into `dir`.
    pub fn new(dir: impl Into<PathBuf>) -> Self {
        Self {
            dir: dir.into(),
            format: TraceFormat::Pcap,
            byteorder: ByteOrder::Native,
            nanosecond: false,
            max_open: DEFAULT_MAX_OPEN,
            idle_timeout: None,
            packets: PacketMode::All,
            buffer: 1 << 16,
            write_index: true,
        }
    }

    /// Sets the format.
    #[must_use]
    pub fn format(mut self, format: TraceFormat) -> Self {
        self.format = format;
        self
    }

    /// Sets the PCAP byte order.
    #[must_use]
    pub fn byteorder(mut self, order: ByteOrder) -> Self {
        self.byteorder = order;
        self
    }

    /// Sets nanosecond PCAP timestamps.
    #[must_use]
    pub fn nanosecond(mut self, on: bool) -> Self {
        self.nanosecond = on;
        self
    }

    /// Sets the cap on open files.
    #[must_use]
    pub fn max_open(mut self, n: usize) -> Self {
        self.max_open = n;
        self
    }

    /// Sets the idle timeout.
    #[must_use]
    pub fn idle_timeout(mut self, t: Option<Duration>) -> Self {
        self.idle_timeout = t;
        self
    }

    /// Sets which `packet` bytes text blocks carry.
    #[must_use]
    pub fn packets(mut self, mode: PacketMode) -> Self {
        self.packets = mode;
        self
    }
}

/// One flow's state: a few hundred bytes plus its compact frame list.
#[derive(Debug)]
struct Flow {
    /// Initiator.
    a: Endpoint,
    /// Responder.
    b: Endpoint,
    first: Timestamp,
    last: Timestamp,
    label: Arc<str>,
    frames: FrameList,
    /// Per direction (0: a to b, 1: b to a): frames, wire bytes, payload bytes.
    packets: [u64; 2],
    bytes: [u64; 2],
    payload: [u64; 2],
    /// First sequence number seen per direction (Wireshark's base sequence number).
    base_seq: [Option<u32>; 2],
    fin: [bool; 2],
    end: Option<FlowEnd>,
    file: FileState,
}

/// The label's time: PyPCAPKit's float repr (`1600000000.0`, `1600000000.25`), exact.
fn ts_label(ts: Timestamp) -> String {
    let s = ts.epoch_string();
    if s.contains('.') { s } else { format!("{s}.0") }
}

/// Traces TCP flows into per-flow files. See the [crate documentation](crate).
pub struct Tracer {
    opts: TraceOptions,
    table: HashMap<Key, u32, FxBuild>,
    /// Flows so far per name without suffix (`{a}-{b}-{first_ts}`): the next one with
    /// that name gets `_{n}`. Keyed by the exact name (SipHash: the names are the
    /// capture's), so no two flows of a trace ever share a file.
    names: HashMap<Arc<str>, u32>,
    flows: Vec<Flow>,
    files: Files,
    finished: bool,
}

impl std::fmt::Debug for Tracer {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("Tracer")
            .field("dir", &self.opts.dir)
            .field("format", &self.opts.format)
            .field("flows", &self.flows.len())
            .finish_non_exhaustive()
    }
}

impl Tracer {
    /// A tracer writing into `opts.dir` (created with its parents).
    ///
    /// Errors: the directory cannot be created, or the path is a file.
    pub fn new(opts: TraceOptions) -> Result<Self> {
        if opts.dir.exists() && !opts.dir.is_dir() {
            return Err(TraceError::NotADirectory {
                path: opts.dir.clone(),
            });
        }
        std::fs::create_dir_all(&opts.dir).map_err(|e| TraceError::File {
            path: opts.dir.clone(),
            source: e,
        })?;
        let files = Files::new(FileOptions {
            format: opts.format,
            byteorder: opts.byteorder,
            nanosecond: opts.nanosecond,
            packets: opts.packets,
            max_open: opts.max_open,
            buffer: opts.buffer.max(512),
        })?;
        Ok(Self {
            opts,
            table: HashMap::with_hasher(FxBuild),
            names: HashMap::new(),
            flows: Vec::new(),
            files,
            finished: false,
        })
    }

    /// The options.
    pub fn options(&self) -> &TraceOptions {
        &self.opts
    }

    /// Flows seen so far.
    pub fn len(&self) -> usize {
        self.flows.len()
    }

    /// Whether no flow was seen.
    pub fn is_empty(&self) -> bool {
        self.flows.is_empty()
    }

    /// Flow files open now (at most `max_open`).
    pub fn open_files(&self) -> usize {
        self.files.open_count()
    }

    /// How many times a flow file was opened, and how many of those reopened a file
    /// closed to respect `max_open`.
    pub fn open_stats(&self) -> (u64, u64) {
        (self.files.opens, self.files.reopens)
    }

    fn path_of(&self, label: &str) -> PathBuf {
        self.opts
            .dir
            .join(format!("{label}{}", self.opts.format.extension()))
    }

    /// Feeds one dissected frame. Frames without TCP are ignored (`Ok(None)`); a TCP
    /// frame is written to its flow's file and its flow number returned.
    pub fn feed(&mut self, raw: &RawFrame<'_>, packet: &Packet<'_>) -> Result<Option<u64>> {
        match Segment::from_packet(packet) {
            Some(seg) => self.feed_segment(raw, packet, &seg).map(Some),
            None => Ok(None),
        }
    }

    /// Feeds a frame whose TCP facts are already known.
    pub fn feed_segment(
        &mut self,
        raw: &RawFrame<'_>,
        packet: &Packet<'_>,
        seg: &Segment,
    ) -> Result<u64> {
        if self.finished {
            return Err(TraceError::Usage(
                "the tracer is finished: no more frames".into(),
            ));
        }
        let ts = raw.timestamp;
        let key = seg.key();
        let id = match self.table.get(&key).copied() {
            Some(id) => {
                let (stale, end) = match self.flows.get(id as usize) {
                    Some(f) => self.supersedes(f, seg, ts),
                    None => (false, FlowEnd::Eof),
                };
                if stale {
                    self.end_flow(id, end)?;
                    self.new_flow(key, seg, ts)?
                } else {
                    id
                }
            }
            None => self.new_flow(key, seg, ts)?,
        };
        let Some(flow) = self.flows.get_mut(id as usize) else {
            return Ok(u64::from(id));
        };
        let d = usize::from(seg.src != flow.a);
        flow.frames.push(raw.number);
        flow.last = flow.last.max(ts);
        if let (Some(p), Some(b), Some(l)) = (
            flow.packets.get_mut(d),
            flow.bytes.get_mut(d),
            flow.payload.get_mut(d),
        ) {
            *p += 1;
            *b += u64::from(raw.origlen);
            *l += seg.payload;
        }
        if let Some(base) = flow.base_seq.get_mut(d)
            && base.is_none()
        {
            *base = Some(seg.seq);
        }
        if seg.is_fin()
            && let Some(f) = flow.fin.get_mut(d)
        {
            *f = true;
        }
        if flow.end.is_none() {
            if seg.is_rst() {
                flow.end = Some(FlowEnd::Rst);
            } else if flow.fin == [true, true] {
                flow.end = Some(FlowEnd::Fin);
            }
        }
        // A frame its file refuses (PCAP: a time past 2106, a second link type) stays
        // in the flow (the index is the flow as tshark's tcp.stream sees it); the error
        // names it, and the file holds every other frame.
        let (dir, ext, label) = (&self.opts.dir, self.opts.format.extension(), &flow.label);
        let path = || dir.join(format!("{label}{ext}"));
        self.files
            .write(id, &mut flow.file, &path, raw, packet)
            .map_err(|e| match e {
                TraceError::Capture { path, source, .. } => TraceError::Capture {
                    path,
                    frame: Some(raw.number),
                    source,
                },
                other => other,
            })?;
        Ok(u64::from(id))
    }

    /// Whether `seg` starts a new flow in place of `f`, and how `f` then ended.
    fn supersedes(&self, f: &Flow, seg: &Segment, ts: Timestamp) -> (bool, FlowEnd) {
        if let Some(t) = self.opts.idle_timeout {
            let idle = ts.as_nanos() - f.last.as_nanos();
            if idle > t.as_nanos() as i128 {
                return (true, f.end.unwrap_or(FlowEnd::Timeout));
            }
        }
        if seg.is_syn() {
            let d = usize::from(seg.src != f.a);
            if let Some(Some(base)) = f.base_seq.get(d)
                && *base != seg.seq
            {
                return (true, f.end.unwrap_or(FlowEnd::Reuse));
            }
        }
        (false, FlowEnd::Eof)
    }

    fn new_flow(&mut self, key: Key, seg: &Segment, ts: Timestamp) -> Result<u32> {
        let id = u32::try_from(self.flows.len())
            .ok()
            .filter(|&i| i != u32::MAX)
            .ok_or_else(|| TraceError::Usage("more than 4294967294 flows".into()))?;
        let (a, b) = if seg.is_syn_ack() {
            (seg.dst, seg.src)
        } else {
            (seg.src, seg.dst)
        };
        // Connections of one pair starting at the same instant (whichever side opened
        // them, in any order of capture time): `_1`, `_2`, ... after the first.
        let base: Arc<str> = format!("{}-{}-{}", a.label(), b.label(), ts_label(ts)).into();
        let label = match self.names.get_mut(&base) {
            Some(n) => {
                let label = format!("{base}_{n}").into();
                *n = n.saturating_add(1);
                label
            }
            None => {
                self.names.insert(Arc::clone(&base), 1);
                base
            }
        };
        self.flows.push(Flow {
            a,
            b,
            first: ts,
            last: ts,
            label,
            frames: FrameList::default(),
            packets: [0; 2],
            bytes: [0; 2],
            payload: [0; 2],
            base_seq: [None; 2],
            fin: [false; 2],
            end: None,
            file: FileState::new(),
        });
        self.table.insert(key, id);
        Ok(id)
    }

    /// Ends flow `id` (its document closed, its frame list trimmed).
    fn end_flow(&mut self, id: u32, end: FlowEnd) -> Result<()> {
        let dir = &self.opts.dir;
        let ext = self.opts.format.extension();
        let Some(flow) = self.flows.get_mut(id as usize) else {
            return Ok(());
        };
        flow.end = Some(end);
        flow.frames.shrink();
        let path = dir.join(format!("{}{ext}", flow.label));
        self.files.finish(id, &mut flow.file, &path)
    }

    /// Closes every flow file (flows still open end as [`FlowEnd::Eof`]) and writes
    /// `index.json` and `index.csv`. Returns the index. Idempotent.
    pub fn finish(&mut self) -> Result<Vec<FlowRecord>> {
        if !self.finished {
            self.finished = true;
            let mut first = Ok(());
            for id in 0..self.flows.len() {
                let id = id as u32; // ok: flows are counted in u32
                let end = self
                    .flows
                    .get(id as usize)
                    .map_or(FlowEnd::Eof, |f| f.end.unwrap_or(FlowEnd::Eof));
                let r = self.end_flow(id, end);
                if first.is_ok() {
                    first = r;
                }
            }
            let r = self.files.close_all();
            if first.is_ok() {
                first = r;
            }
            first?;
            let records = self.index();
            if self.opts.write_index {
                index::write_index(&self.opts.dir, &records)?;
            }
            return Ok(records);
        }
        Ok(self.index())
    }

    fn record(&self, i: usize) -> Option<FlowRecord> {
        let f = self.flows.get(i)?;
        let [fwd_packets, rev_packets] = f.packets;
        let [fwd_bytes, rev_bytes] = f.bytes;
        let [fwd_payload, rev_payload] = f.payload;
        Some(FlowRecord {
            stream: i as u64,
            fpout: self.path_of(&f.label),
            index: f.frames.to_vec(),
            label: f.label.to_string(),
            src: f.a.addr.to_string(),
            srcport: f.a.port,
            dst: f.b.addr.to_string(),
            dstport: f.b.port,
            fwd_packets,
            fwd_bytes,
            fwd_payload,
            rev_packets,
            rev_bytes,
            rev_payload,
            first_ts: f.first.epoch_string(),
            last_ts: f.last.epoch_string(),
            end: f.end.unwrap_or(FlowEnd::Eof),
        })
    }

    /// Flow `stream`'s record (its end is `eof` while it is open).
    pub fn flow(&self, stream: u64) -> Option<FlowRecord> {
        self.record(usize::try_from(stream).ok()?)
    }

    /// Every flow's record, in order of first frame (flows still open end as `eof`).
    pub fn index(&self) -> Vec<FlowRecord> {
        (0..self.flows.len())
            .filter_map(|i| self.record(i))
            .collect()
    }

    /// The trace directory.
    pub fn dir(&self) -> &Path {
        &self.opts.dir
    }
}

impl Drop for Tracer {
    fn drop(&mut self) {
        if !self.finished {
            let _ = self.finish();
        }
    }
}
