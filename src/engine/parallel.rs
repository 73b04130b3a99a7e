//! The multi-threaded native engines, `pipeline` and `server`.
//!
//! The calling thread reads records in batches (frame bytes copied into one buffer per
//! batch), hands the batch's frames to N worker threads that dissect them and render
//! their output blocks into per-frame byte ranges, and writes the results in frame
//! order, so the output is byte for byte what the `default` engine writes.
//!
//! - `pipeline`: each batch goes whole to whichever worker is free.
//! - `server`: each frame goes to the worker its connection hashes to (both directions
//!   of a connection, and every fragment of an IP pair, to the same worker; frames
//!   without an IP header to worker 0), so per-connection state stays on one thread:
//!   with tracing and reassembly each worker owns that state for its flows (its tracer,
//!   its reassemblers, ticked with every frame's clock), and the calling thread merges
//!   their results into `default`'s order (see docs/engines.md). Without tracing or
//!   reassembly no part has state to own, so each part goes to whichever thread is
//!   free, as with `pipeline`: one busy connection does not pace the others.
//!
//! At most `2 × threads` jobs are in flight (twice that while the calling thread reads
//! ahead), so memory stays bounded whatever the capture size. Batch buffers and the
//! workers' output buffers are recycled (they return to the calling thread with the
//! results), so the steady state allocates nothing per batch. The calling thread is
//! one of the `threads`: it starts `threads - 1` workers; with `pipeline` (and
//! stateless `server`) it runs queued jobs itself while it waits for the next batch to
//! write, with `server` tracing or reassembling it is the worker of part 0 (a smaller
//! share of the flow hash) and runs that part of every batch, in order. Rendered
//! blocks are written straight from the workers' buffers (vectored writes,
//! [`Dumper::write_rendered_many`]), not copied into the output buffer first.

use std::collections::VecDeque;
use std::ops::Range;
use std::sync::Arc;
use std::thread::JoinHandle;

use crossbeam_channel::{Receiver, Sender};
use pcapkit_core::pcapng::{Interface, Options, Section};
use pcapkit_core::{
    Block, FrameMeta, LinkType, PcapHeader, PcapRecordHeader, PcapngPacketMeta, Precision,
    RawFrame, Reader, Record, Timestamp, TsResolution,
};
use pcapkit_dump::{BlockName, BlockNamer, DumpError, Dumper, Renderer};
use pcapkit_protocols::{DissectOptions, dissect};
use pcapkit_reasm::{Datagram, Facts, HandOut, Protocol, Reassembly, Stats, Wants};
use pcapkit_trace::{FlowRecord, Segment as TraceSegment, TraceError, TraceOptions, Tracer};

use crate::error::{Error, Result};

use super::flow::flow_hash;

/// Frames per batch (at most; times the workers for `server`).
const BATCH_FRAMES: usize = 256;
/// Frame bytes per batch (about; times the workers for `server`).
const BATCH_BYTES: usize = 1 << 20;
/// Batches in flight per worker.
const IN_FLIGHT_PER_WORKER: usize = 2;

/// How frames are spread over the workers.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub(crate) enum Dispatch {
    /// Whole batches to whichever worker is free (`pipeline`).
    Batch,
    /// Each frame to the worker of its connection (`server`).
    Flow,
}

/// What a frame block carried besides its bytes, owned.
#[derive(Clone, Copy, Debug)]
enum MetaRec {
    None,
    Pcap(PcapRecordHeader),
    Pcapng {
        block_type: u32,
        block_length: u32,
        section: u32,
        interface_id: u32,
        raw_timestamp: Option<u64>,
        tsresol: TsResolution,
        tsoffset: i64,
        drop_count: Option<u16>,
        /// The options' byte order and block type (no bytes).
        options: Options<'static>,
        /// Where the option bytes are in the batch buffer.
        options_at: (usize, usize),
    },
}

/// A frame of a batch: its fields, and where its bytes are in the batch buffer.
#[derive(Clone, Copy, Debug)]
struct FrameRec {
    number: u64,
    timestamp: Timestamp,
    precision: Precision,
    caplen: u32,
    origlen: u32,
    link_type: LinkType,
    snaplen: u32,
    interface: u32,
    offset: u64,
    meta: MetaRec,
    data: (usize, usize),
    /// The worker it went to.
    part: usize,
}

impl FrameRec {
    fn copy(raw: &RawFrame<'_>, buf: &mut Vec<u8>, part: usize) -> Self {
        let data = push(buf, raw.data);
        let meta = match &raw.meta {
            FrameMeta::None => MetaRec::None,
            FrameMeta::Pcap(rec) => MetaRec::Pcap(*rec),
            FrameMeta::Pcapng(m) => MetaRec::Pcapng {
                block_type: m.block_type,
                block_length: m.block_length,
                section: m.section,
                interface_id: m.interface_id,
                raw_timestamp: m.raw_timestamp,
                tsresol: m.tsresol,
                tsoffset: m.tsoffset,
                drop_count: m.drop_count,
                options: m.options.with_bytes(&[]),
                options_at: push(buf, m.options.raw()),
            },
        };
        Self {
            number: raw.number,
            timestamp: raw.timestamp,
            precision: raw.precision,
            caplen: raw.caplen,
            origlen: raw.origlen,
            link_type: raw.link_type,
            snaplen: raw.snaplen,
            interface: raw.interface,
            offset: raw.offset,
            meta,
            data,
            part,
        }
    }

    /// The frame again, borrowing its bytes from the batch buffer.
    fn raw<'b>(&self, buf: &'b [u8]) -> RawFrame<'b> {
        let meta = match self.meta {
            MetaRec::None => FrameMeta::None,
            MetaRec::Pcap(rec) => FrameMeta::Pcap(rec),
            MetaRec::Pcapng {
                block_type,
                block_length,
                section,
                interface_id,
                raw_timestamp,
                tsresol,
                tsoffset,
                drop_count,
                options,
                options_at,
            } => FrameMeta::Pcapng(PcapngPacketMeta {
                block_type,
                block_length,
                section,
                interface_id,
                raw_timestamp,
                tsresol,
                tsoffset,
                drop_count,
                options: options.with_bytes(slice(buf, options_at)),
            }),
        };
        RawFrame {
            number: self.number,
            timestamp: self.timestamp,
            precision: self.precision,
            caplen: self.caplen,
            origlen: self.origlen,
            link_type: self.link_type,
            snaplen: self.snaplen,
            interface: self.interface,
            offset: self.offset,
            meta,
            data: slice(buf, self.data),
        }
    }
}

fn push(buf: &mut Vec<u8>, bytes: &[u8]) -> (usize, usize) {
    let start = buf.len();
    buf.extend_from_slice(bytes);
    (start, buf.len())
}

fn slice(buf: &[u8], (start, end): (usize, usize)) -> &[u8] {
    buf.get(start..end).unwrap_or_default()
}

/// What a non-frame record changes in the capture header.
#[derive(Clone, Debug)]
pub(crate) enum HeaderUpdate {
    /// The PCAP global header.
    Pcap(PcapHeader),
    /// A new PCAPNG section.
    Section(Section),
    /// A new PCAPNG interface.
    Interface(Interface),
}

/// One record of a batch, in file order.
#[derive(Debug)]
enum Entry {
    Frame(FrameRec),
    /// A record that is not a frame, rendered when it was read.
    Block {
        name: BlockName,
        rendered: std::result::Result<Vec<u8>, DumpError>,
        /// What PCAP output learns from it (link type, snaplen, nanosecond).
        hint: Option<(LinkType, u32, bool)>,
        header: Option<HeaderUpdate>,
    },
    /// Reading failed here; nothing follows.
    Error(Error),
}

/// Records read together, shared with the workers.
#[derive(Debug, Default)]
struct Batch {
    seq: u64,
    buf: Vec<u8>,
    entries: Vec<Entry>,
}

/// A worker's share of a batch: the indices of its frames in `entries`, and the
/// (recycled) buffers to leave its results in.
struct Job {
    batch: Arc<Batch>,
    part: usize,
    frames: Vec<usize>,
    out: PartOut,
}

/// A frame as a worker left it.
#[derive(Debug)]
struct FrameOut {
    /// End of its block in [`PartOut::out`] (it starts where the previous one ended).
    end: usize,
    /// The protocol chain, when the caller keeps frames.
    protocols: Option<String>,
    /// Why its block could not be rendered.
    error: Option<DumpError>,
    /// What reassembly takes from it, when reassembly is on.
    facts: Option<Facts>,
    /// `server` tracing: the worker's tracer failed on this frame.
    trace_error: Option<Box<TraceError>>,
}

/// A datagram a `server` worker's reassembler handed out, with when (to merge).
type Handed = (Protocol, HandOut, Datagram);

/// A worker's results for its share of a batch.
#[derive(Debug, Default)]
struct PartOut {
    out: Vec<u8>,
    frames: Vec<FrameOut>,
    /// `server` reassembly: the datagrams its reassembler handed out during the job
    /// (ticked with every frame of the batch), and its counters after it.
    handed: Vec<Handed>,
    stats: [Option<Stats>; 3],
    /// The worker failed (a bug): this message.
    panic: Option<String>,
}

struct Done {
    seq: u64,
    part: usize,
    result: PartOut,
}

/// A batch in flight: waiting for its parts.
struct Slot {
    batch: Arc<Batch>,
    parts: Vec<Option<PartOut>>,
    missing: usize,
}

/// The batch being written: where we are in it.
struct Current {
    batch: Arc<Batch>,
    parts: Vec<PartOut>,
    /// Next entry.
    at: usize,
    /// Per part: next frame result and where its block starts.
    cursor: Vec<(usize, usize)>,
}

/// One item, in file order, for the Extractor to process.
// Returned once per record and used at once, never stored: boxing the frame would cost
// an allocation per frame.
#[allow(clippy::large_enum_variant)]
pub(crate) enum Item<'a> {
    /// A non-frame record.
    Block {
        /// What it changes in the capture header.
        header: Option<&'a HeaderUpdate>,
    },
    /// A frame.
    Frame {
        /// The frame.
        raw: RawFrame<'a>,
        /// Its protocol chain (when asked for).
        protocols: Option<&'a str>,
        /// What reassembly takes from it (when reassembly is on).
        facts: Option<&'a Facts>,
        /// `server` tracing: the worker's tracer failed on it.
        trace_error: Option<Box<TraceError>>,
        /// `server` reassembly: what the workers handed out at this frame.
        handed: Option<Released<'a>>,
    },
}

/// `server` reassembly: the datagrams the workers handed out at a frame, in the order
/// one reassembler would (with the part that handed each out), and the workers'
/// counters summed (as of the batch being written; IPv4, IPv6, TCP).
pub(crate) struct Released<'a> {
    pub(crate) datagrams: Vec<(usize, Protocol, Datagram)>,
    pub(crate) stats: &'a [Option<Stats>; 3],
}

/// How the workers take part in reassembly.
pub(crate) struct ReasmSetup {
    /// What reassembly takes from each frame.
    pub(crate) wants: Wants,
    /// Dissect again without the stop condition for it.
    pub(crate) redissect: bool,
    /// `server`: one reassembler per worker (part 0 first), which then own the
    /// reassembly of their flows.
    pub(crate) shards: Option<Vec<Reassembly>>,
    /// The input, if a file: reassembled again from it after an early stop.
    pub(crate) input_file: Option<std::path::PathBuf>,
}

/// What a worker thread owned, returned when it stops.
#[derive(Debug, Default)]
struct WorkerState {
    tracer: Option<Tracer>,
    reasm: Option<Reassembly>,
}

/// `server` reassembly once the workers stopped: their reassemblers (part 0 first),
/// not finished, and whether the extraction has to be reassembled again from this
/// file (it stopped early, and the workers read ahead).
#[derive(Debug)]
pub(crate) struct ReasmShards {
    pub(crate) shards: Vec<Reassembly>,
    pub(crate) replay: Option<std::path::PathBuf>,
}

/// A block of the batch being written whose writing is deferred until the batch is
/// done, so that the batch's blocks go out in one vectored write.
#[derive(Clone, Copy, Debug)]
enum Pending {
    /// A non-frame record: its entry.
    Block(usize),
    /// A frame: its part and its block's range in that part's output.
    Frame(usize, usize, usize),
}

/// The settings every job runs with.
#[derive(Clone)]
struct JobCtx {
    opts: Arc<DissectOptions>,
    protocols: bool,
    reasm: Option<(Wants, bool)>,
    /// Tracing must dissect again without the stop condition when it hid TCP.
    trace_full: bool,
}

/// `server` tracing: each worker traces the flows dispatched to it; the index is
/// merged on the calling thread.
#[derive(Debug)]
pub(crate) struct ShardedTrace {
    /// One tracer per worker (made with `write_index` off).
    pub(crate) tracers: Vec<Tracer>,
    /// Where the merged `index.json` / `index.csv` go.
    pub(crate) dir: std::path::PathBuf,
    /// Dissect again without the stop condition when it hid TCP.
    pub(crate) full: bool,
    /// The tracing options as given, and the input file: if the extraction stops
    /// before the end, the workers (which read ahead) have traced frames `default`
    /// would not have, so the trace is done again from the file up to where it
    /// stopped.
    pub(crate) replay: (TraceOptions, Option<std::path::PathBuf>),
}

/// The `pipeline` / `server` machinery of one extraction, and the output it writes in
/// frame order.
pub(crate) struct Parallel {
    dispatch: Dispatch,
    workers: usize,
    renderer: Option<Renderer>,
    names: BlockNamer,
    jobs: Vec<Sender<Job>>,
    /// `pipeline`: the job queue, from which the calling thread runs jobs itself
    /// while it waits.
    steal: Option<Receiver<Job>>,
    ctx: JobCtx,
    done: Receiver<Done>,
    handles: Vec<JoinHandle<WorkerState>>,
    /// What the stopped workers returned (part 0 first), until taken.
    stopped: Option<Vec<WorkerState>>,
    /// `server` reassembly: each worker owns a reassembler; the datagrams merged in
    /// the order one reassembler hands them out, not yet handed to the caller; the
    /// workers' latest counters.
    sharded_reasm: bool,
    merged: VecDeque<(HandOut, usize, Protocol, Datagram)>,
    shard_stats: Vec<[Option<Stats>; 3]>,
    stats_sum: [Option<Stats>; 3],
    own_reasm: Option<Reassembly>,
    /// The last frame read (dispatched to the workers), the input if a file, and
    /// whether reassembly may be done again from it after an early stop.
    read_last: u64,
    input_file: Option<std::path::PathBuf>,
    replay_allowed: bool,
    /// `server` tracing: the index directory, and the merged index once finished.
    trace_dir: Option<std::path::PathBuf>,
    /// `server`: dispatch IP by address pair (see [`flow_hash`]).
    pairs: bool,
    trace_index: Option<Vec<FlowRecord>>,
    trace_replay: Option<(TraceOptions, Option<std::path::PathBuf>)>,
    /// Per worker: the first frame of each flow it traced (once finished).
    trace_shards: Vec<Vec<u64>>,
    /// `server`: the jobs of part 0, run by the calling thread in order, and its
    /// tracer.
    own: VecDeque<Job>,
    own_tracer: Option<Tracer>,
    own_trace_failed: bool,
    /// The last frame handed out, and whether the input was read to its end.
    handed: u64,
    ended: bool,
    window: VecDeque<Slot>,
    current: Option<Current>,
    next_seq: u64,
    eof: bool,
    /// Buffers of written batches, for the next ones.
    spare_batches: Vec<Batch>,
    spare_parts: Vec<PartOut>,
    /// The output (none with `nofile`).
    dumper: Option<Dumper>,
    /// PCAP output was told about the input.
    hinted: bool,
    /// Whether blocks are written a batch at a time (one document: not PCAP output,
    /// not `files`).
    defer: bool,
    pending: Vec<Pending>,
}

impl std::fmt::Debug for Parallel {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("Parallel")
            .field("dispatch", &self.dispatch)
            .field("workers", &self.workers)
            .finish_non_exhaustive()
    }
}

impl Parallel {
    /// Starts the worker threads (`threads` of them for `server`; `threads - 1` for
    /// `pipeline`, whose calling thread runs jobs too). `dumper` is the output (none
    /// with `nofile`); `protocols`: whether the caller needs each frame's protocol
    /// chain; `reasm`: what reassembly takes from each frame (and whether to dissect
    /// again without the stop condition for it), taken by the worker that dissects
    /// the frame; `trace`: `server`'s tracers, one per worker.
    pub(crate) fn new(
        dispatch: Dispatch,
        threads: usize,
        dumper: Option<Dumper>,
        dissect_opts: Arc<DissectOptions>,
        protocols: bool,
        reasm: Option<ReasmSetup>,
        trace: Option<ShardedTrace>,
    ) -> Result<Self> {
        let (reasm, reasm_shards, input_file) = match reasm {
            Some(r) => (Some((r.wants, r.redissect)), r.shards, r.input_file),
            None => (None, None, None),
        };
        let workers = threads.max(1);
        let renderer = dumper.as_ref().map(Dumper::renderer);
        let (mut tracers, trace_dir, trace_full, trace_replay) = match trace {
            Some(t) if dispatch == Dispatch::Flow => {
                (t.tracers, Some(t.dir), t.full, Some(t.replay))
            }
            _ => (Vec::new(), None, false, None),
        };
        let ctx = JobCtx {
            opts: dissect_opts,
            protocols,
            reasm,
            trace_full,
        };
        let (done_tx, done) = crossbeam_channel::unbounded::<Done>();
        let mut jobs = Vec::new();
        let mut receivers = Vec::new();
        let mut steal = None;
        // server without per-flow state (no tracing, no reassembly): the flow hash
        // still splits each batch, but no part has an owner, so whichever thread is
        // free runs it (as with pipeline) and a busy flow does not pace the others.
        let stateless = tracers.is_empty() && reasm_shards.as_ref().is_none_or(Vec::is_empty);
        if dispatch == Dispatch::Batch || stateless {
            let (tx, rx) = crossbeam_channel::unbounded::<Job>();
            jobs.push(tx);
            receivers.extend(std::iter::repeat_n(rx.clone(), workers - 1));
            steal = Some(rx);
        } else {
            // Part 0 is the calling thread's.
            for _ in 1..workers {
                let (tx, rx) = crossbeam_channel::unbounded::<Job>();
                jobs.push(tx);
                receivers.push(rx);
            }
        }
        let mut handles = Vec::new();
        tracers.reverse();
        let mut reasms = match reasm_shards {
            Some(r) if dispatch == Dispatch::Flow => r,
            _ => Vec::new(),
        };
        let sharded_reasm = !reasms.is_empty();
        reasms.reverse();
        let (own_tracer, own_reasm) = if dispatch == Dispatch::Flow {
            (tracers.pop(), reasms.pop())
        } else {
            (None, None)
        };
        for (i, rx) in receivers.into_iter().enumerate() {
            let done_tx = done_tx.clone();
            let renderer = renderer.clone();
            let ctx = ctx.clone();
            let state = WorkerState {
                tracer: tracers.pop(),
                reasm: reasms.pop(),
            };
            let handle = std::thread::Builder::new()
                .name(format!("pcapkit-worker-{i}"))
                .spawn(move || work(&rx, &done_tx, renderer, &ctx, state))
                .map_err(|e| Error::Usage(format!("cannot start worker thread: {e}")))?;
            handles.push(handle);
        }
        let defer = dumper.as_ref().is_some_and(Dumper::writes_many);
        Ok(Self {
            dispatch,
            workers,
            renderer,
            names: BlockNamer::default(),
            jobs,
            steal,
            ctx,
            done,
            handles,
            stopped: None,
            merged: VecDeque::new(),
            shard_stats: vec![[None; 3]; if sharded_reasm { workers } else { 0 }],
            stats_sum: [None; 3],
            own_reasm,
            read_last: 0,
            input_file,
            replay_allowed: true,
            pairs: trace_dir.is_some() || sharded_reasm,
            sharded_reasm,
            trace_dir,
            trace_index: None,
            trace_replay,
            trace_shards: Vec::new(),
            own: VecDeque::new(),
            own_tracer,
            own_trace_failed: false,
            handed: 0,
            ended: false,
            window: VecDeque::new(),
            current: None,
            next_seq: 0,
            eof: false,
            spare_batches: Vec::new(),
            spare_parts: Vec::new(),
            dumper,
            hinted: false,
            defer,
            pending: Vec::new(),
        })
    }

    /// The next record in file order, written to the output (or queued to be written
    /// with the rest of its batch), reading ahead and waiting for workers as needed;
    /// `None` at the end of the input.
    pub(crate) fn next(
        &mut self,
        reader: &mut Reader,
        input: &std::path::Path,
    ) -> Result<Option<Item<'_>>> {
        loop {
            if self
                .current
                .as_ref()
                .is_some_and(|c| c.at < c.batch.entries.len())
            {
                break;
            }
            self.retire()?;
            self.fill(reader, input)?;
            if self.window.is_empty() {
                self.ended = true;
                return Ok(None);
            }
            while self.window.front().is_some_and(|s| s.missing > 0) {
                self.wait_step(reader, input)?;
            }
            let Some(slot) = self.window.pop_front() else {
                return Ok(None);
            };
            let parts: Vec<PartOut> = slot
                .parts
                .into_iter()
                .map(Option::unwrap_or_default)
                .collect();
            if let Some(msg) = parts.iter().find_map(|p| p.panic.clone()) {
                return Err(Error::Usage(format!("a worker thread failed: {msg}")));
            }
            let mut parts = parts;
            if self.sharded_reasm {
                self.merge_handed(&mut parts);
            }
            self.current = Some(Current {
                cursor: vec![(0, 0); parts.len()],
                batch: slot.batch,
                parts,
                at: 0,
            });
            // Keep the workers busy while this batch is written.
            self.fill(reader, input)?;
        }
        let Some(cur) = self.current.as_mut() else {
            return Ok(None);
        };
        let i = cur.at;
        cur.at += 1;
        let failed = match cur.batch.entries.get(i) {
            Some(
                Entry::Error(_)
                | Entry::Block {
                    rendered: Err(_), ..
                },
            ) => true,
            Some(Entry::Frame(rec)) => cur
                .cursor
                .get(rec.part)
                .and_then(|(k, _)| cur.parts.get(rec.part)?.frames.get(*k))
                .is_some_and(|f| f.error.is_some()),
            _ => false,
        };
        if failed {
            // What came before goes out first, as with the default engine.
            self.flush()?;
            let Some(cur) = self.current.as_mut() else {
                return Ok(None);
            };
            return Err(take_error(cur, i));
        }
        let Some(cur) = self.current.as_mut() else {
            return Ok(None);
        };
        let Some(entry) = cur.batch.entries.get(i) else {
            return Ok(None);
        };
        match entry {
            Entry::Error(_)
            | Entry::Block {
                rendered: Err(_), ..
            } => Err(Error::Usage("input error".into())),
            Entry::Block {
                name,
                rendered: Ok(bytes),
                hint,
                header,
            } => {
                if let Some(dumper) = &mut self.dumper {
                    if let Some((link, snaplen, ns)) = hint
                        && !self.hinted
                    {
                        dumper.set_input(*link, *snaplen, *ns);
                        self.hinted = true;
                    }
                    if self.defer {
                        self.pending.push(Pending::Block(i));
                    } else {
                        dumper.write_rendered(name, None, bytes)?;
                    }
                }
                Ok(Some(Item::Block {
                    header: header.as_ref(),
                }))
            }
            Entry::Frame(rec) => {
                let part = rec.part;
                let (Some(out), Some((k, start))) =
                    (cur.parts.get_mut(part), cur.cursor.get_mut(part))
                else {
                    return Err(Error::Usage("a worker lost a frame".into()));
                };
                let Some(res) = out.frames.get_mut(*k) else {
                    return Err(Error::Usage("a worker lost a frame".into()));
                };
                let trace_error = res.trace_error.take();
                self.handed = rec.number;
                let handed = self.sharded_reasm.then(|| {
                    let mut datagrams = Vec::new();
                    while let Some((h, ..)) = self.merged.front()
                        && h.frame <= rec.number
                    {
                        if let Some((_, part, p, d)) = self.merged.pop_front() {
                            datagrams.push((part, p, d));
                        }
                    }
                    Released {
                        datagrams,
                        stats: &self.stats_sum,
                    }
                });
                let range: Range<usize> = *start..res.end;
                *k += 1;
                *start = res.end;
                let raw = rec.raw(&cur.batch.buf);
                if let Some(dumper) = &mut self.dumper {
                    if self.defer {
                        self.pending
                            .push(Pending::Frame(part, range.start, range.end));
                    } else {
                        let block = out.out.get(range).unwrap_or_default();
                        dumper.write_rendered(&BlockName::Frame(raw.number), Some(&raw), block)?;
                    }
                }
                Ok(Some(Item::Frame {
                    raw,
                    protocols: res.protocols.as_deref(),
                    facts: res.facts.as_ref(),
                    trace_error,
                    handed,
                }))
            }
        }
    }

    /// One step of waiting for the batch to write next: files finished work, or
    /// (`pipeline`) runs a job here, or reads ahead; else blocks until a worker is done.
    fn wait_step(&mut self, reader: &mut Reader, input: &std::path::Path) -> Result<()> {
        if let Ok(done) = self.done.try_recv() {
            self.accept(done);
            return Ok(());
        }
        if !self.shared() {
            // server with per-flow state: run part 0 here, in order; read ahead rather
            // than wait.
            if let Some(job) = self.own.pop_front() {
                let state = Owned {
                    tracer: self.own_tracer.as_mut(),
                    trace_failed: &mut self.own_trace_failed,
                    reasm: self.own_reasm.as_mut(),
                };
                let done = process(job, &mut self.renderer, &self.ctx, state);
                self.accept(done);
                return Ok(());
            }
            if !self.eof && self.window.len() < 2 * self.window_size() {
                return self.fill_to(reader, input, self.window.len() + 1);
            }
        }
        if let Some(rx) = &self.steal {
            // Leave a job in the queue for a worker that finishes, unless there is
            // none: read ahead first (up to twice the usual window).
            let queued = rx.len();
            let ahead = 2 * self.window_size();
            let read_ahead = !self.eof && self.window.len() < ahead;
            if queued > 1 || (queued == 1 && (self.handles.is_empty() || !read_ahead)) {
                if let Ok(job) = rx.try_recv() {
                    let state = Owned {
                        tracer: None,
                        trace_failed: &mut false,
                        reasm: None,
                    };
                    let done = process(job, &mut self.renderer, &self.ctx, state);
                    self.accept(done);
                }
                return Ok(());
            }
            if read_ahead {
                return self.fill_to(reader, input, self.window.len() + 1);
            }
        }
        let Ok(done) = self.done.recv() else {
            return Err(Error::Usage("the worker threads stopped".into()));
        };
        self.accept(done);
        Ok(())
    }

    /// `server` reassembly: the datagrams the workers handed out during a batch,
    /// merged into the order one reassembler hands them out (by frame, then protocol,
    /// then [`HandOut`]; stable, so a worker's own order stays), behind those of the
    /// batches before; the workers' counters noted.
    fn merge_handed(&mut self, parts: &mut [PartOut]) {
        let mut all: Vec<(HandOut, usize, Protocol, Datagram)> = Vec::new();
        for (i, part) in parts.iter_mut().enumerate() {
            all.extend(part.handed.drain(..).map(|(p, h, d)| (h, i, p, d)));
            if let Some(s) = self.shard_stats.get_mut(i)
                && part.stats.iter().any(Option::is_some)
            {
                *s = part.stats;
            }
        }
        let rank = |p: Protocol| match p {
            Protocol::Ipv4 => 0u8,
            Protocol::Ipv6 => 1,
            Protocol::Tcp => 2,
        };
        all.sort_by_key(|(h, _, p, _)| (h.frame, rank(*p), *h));
        self.merged.extend(all);
        self.stats_sum = [None; 3];
        for shard in &self.shard_stats {
            for (sum, s) in self.stats_sum.iter_mut().zip(shard) {
                if let Some(s) = s {
                    *sum.get_or_insert_default() += *s;
                }
            }
        }
    }

    /// `server` reassembly: stops the workers and returns their reassemblers (not
    /// finished), and whether to reassemble again from the input file, up to frame
    /// `last` (the last frame reassembly was given): when the extraction stopped
    /// before the end and the workers had read further (and the interrupt flag did not
    /// stop it). `None` unless reassembly is sharded. Once.
    pub(crate) fn take_reasm(&mut self, last: u64) -> Option<ReasmShards> {
        if !self.sharded_reasm {
            return None;
        }
        self.sharded_reasm = false;
        self.stop_workers();
        let shards = self
            .stopped
            .iter_mut()
            .flatten()
            .filter_map(|s| s.reasm.take())
            .collect();
        let replay = if self.read_last > last && self.replay_allowed {
            self.input_file.clone()
        } else {
            None
        };
        Some(ReasmShards { shards, replay })
    }

    /// Stops the workers (they finish the jobs queued for them; part 0's queued
    /// jobs are dropped) and keeps what they owned. Idempotent.
    fn stop_workers(&mut self) {
        if self.stopped.is_some() {
            return;
        }
        self.jobs.clear();
        self.window.clear();
        self.own.clear();
        let own = WorkerState {
            tracer: self.own_tracer.take(),
            reasm: self.own_reasm.take(),
        };
        let joined = self.handles.drain(..).map(|h| h.join().unwrap_or_default());
        self.stopped = Some(std::iter::once(own).chain(joined).collect());
    }

    /// Files a worker's results with its batch.
    fn accept(&mut self, done: Done) {
        let first = self.window.front().map_or(0, |s| s.batch.seq);
        let idx = usize::try_from(done.seq.wrapping_sub(first)).unwrap_or(usize::MAX);
        if let Some(slot) = self.window.get_mut(idx)
            && let Some(p) = slot.parts.get_mut(done.part)
            && p.is_none()
        {
            *p = Some(done.result);
            slot.missing -= 1;
        }
    }

    /// Writes the deferred blocks of the batch being written.
    fn flush(&mut self) -> Result<()> {
        if self.pending.is_empty() {
            return Ok(());
        }
        let (Some(cur), Some(dumper)) = (&self.current, &mut self.dumper) else {
            self.pending.clear();
            return Ok(());
        };
        let blocks: Vec<&[u8]> = self
            .pending
            .iter()
            .map(|p| match *p {
                Pending::Block(i) => match cur.batch.entries.get(i) {
                    Some(Entry::Block {
                        rendered: Ok(bytes),
                        ..
                    }) => bytes.as_slice(),
                    _ => &[],
                },
                Pending::Frame(part, start, end) => cur
                    .parts
                    .get(part)
                    .and_then(|p| p.out.get(start..end))
                    .unwrap_or_default(),
            })
            .collect();
        let result = dumper.write_rendered_many(&blocks);
        self.pending.clear();
        result?;
        Ok(())
    }

    /// Done with the batch being written: writes what is deferred, keeps its buffers.
    fn retire(&mut self) -> Result<()> {
        self.flush()?;
        let Some(cur) = self.current.take() else {
            return Ok(());
        };
        let keep = self.window_size() * 3 + 2;
        if let Ok(mut batch) = Arc::try_unwrap(cur.batch)
            && self.spare_batches.len() < keep
        {
            batch.buf.clear();
            batch.entries.clear();
            self.spare_batches.push(batch);
        }
        for mut part in cur.parts {
            if self.spare_parts.len() >= keep * self.jobs_per_batch() {
                break;
            }
            part.out.clear();
            part.frames.clear();
            self.spare_parts.push(part);
        }
        Ok(())
    }

    /// Writes what is left and closes the output; with `server` tracing, stops the
    /// workers, closes their flow files and writes the merged index. Idempotent.
    /// `traced`: the last frame whose tracing `default` would have done (or
    /// attempted, when tracing failed on it).
    pub(crate) fn finish(&mut self, traced: u64) -> Result<()> {
        let flushed = self.flush();
        let finished = match &mut self.dumper {
            Some(d) => d.finish().map_err(Error::from),
            None => Ok(()),
        };
        let traced = self.finish_trace(traced);
        flushed.and(finished).and(traced)
    }

    /// `server` tracing: the workers' tracers finished, their flows merged in order of
    /// first frame and numbered as one tracer would, the index written.
    fn finish_trace(&mut self, traced: u64) -> Result<()> {
        let Some(dir) = self.trace_dir.take() else {
            return Ok(());
        };
        self.stop_workers();
        let mut first = Ok(());
        let mut shards = Vec::new();
        let tracers: Vec<Tracer> = self
            .stopped
            .iter_mut()
            .flatten()
            .filter_map(|s| s.tracer.take())
            .collect();
        for mut tracer in tracers {
            match tracer.finish() {
                Ok(records) => shards.push(records),
                Err(e) => {
                    if first.is_ok() {
                        first = Err(Error::Trace(e));
                    }
                }
            }
        }
        if !self.ended
            && let Some((opts, Some(input))) = self.trace_replay.take()
        {
            // Stopped early: the workers read ahead. Trace again, as `default` does,
            // up to where the extraction stopped.
            for r in shards.iter().flatten() {
                let _ = std::fs::remove_file(&r.fpout);
            }
            let index = replay_trace(opts, &input, traced, &self.ctx)?;
            self.trace_index = Some(index);
            return Ok(());
        }
        first?;
        self.trace_shards = shards
            .iter()
            .map(|s| s.iter().filter_map(|r| r.index.first().copied()).collect())
            .collect();
        let index = pcapkit_trace::merge_index(shards);
        pcapkit_trace::write_index(&dir, &index)?;
        self.trace_index = Some(index);
        Ok(())
    }

    /// `server` tracing: if the extraction stops early, keep what the workers traced
    /// (frames read ahead included) rather than trace the input again (the interrupt
    /// flag: the caller wants to stop now).
    pub(crate) fn no_replay(&mut self) {
        self.trace_replay = None;
        self.replay_allowed = false;
    }

    /// `server` tracing, once finished: per worker, the first frame of each flow it
    /// traced.
    pub(crate) fn trace_shards(&self) -> &[Vec<u64>] {
        &self.trace_shards
    }

    /// `server` tracing: the flows' index (empty until the end of input); `None`
    /// when tracing is not sharded.
    pub(crate) fn trace_index(&self) -> Option<&[FlowRecord]> {
        if self.trace_dir.is_some() {
            return Some(&[]);
        }
        self.trace_index.as_deref()
    }

    /// Reads batches and hands them out until enough are in flight or the input ends.
    fn fill(&mut self, reader: &mut Reader, input: &std::path::Path) -> Result<()> {
        self.fill_to(reader, input, self.window_size())
    }

    /// Batches in flight: [`IN_FLIGHT_PER_WORKER`] jobs per worker.
    fn window_size(&self) -> usize {
        match self.dispatch {
            Dispatch::Batch => self.workers * IN_FLIGHT_PER_WORKER,
            Dispatch::Flow => IN_FLIGHT_PER_WORKER,
        }
    }

    /// [`Parallel::fill`] up to `limit` batches in flight.
    fn fill_to(
        &mut self,
        reader: &mut Reader,
        input: &std::path::Path,
        limit: usize,
    ) -> Result<()> {
        while !self.eof && self.window.len() < limit {
            let batch = self.read_batch(reader, input);
            let batch = Arc::new(batch);
            let mut shares: Vec<Vec<usize>> = vec![Vec::new(); self.jobs_per_batch()];
            for (i, e) in batch.entries.iter().enumerate() {
                if let Entry::Frame(rec) = e
                    && let Some(s) = shares.get_mut(rec.part)
                {
                    s.push(i);
                }
            }
            let mut parts = Vec::with_capacity(shares.len());
            let mut missing = 0;
            for (part, frames) in shares.into_iter().enumerate() {
                // Sharded reassembly: every worker sees every frame's clock.
                if frames.is_empty() && !self.sharded_reasm {
                    parts.push(Some(PartOut::default()));
                    continue;
                }
                let tx = if self.shared() {
                    self.jobs.first()
                } else {
                    part.checked_sub(1).and_then(|w| self.jobs.get(w))
                };
                let job = Job {
                    batch: Arc::clone(&batch),
                    part,
                    frames,
                    out: self.spare_parts.pop().unwrap_or_default(),
                };
                if part == 0 && !self.shared() {
                    self.own.push_back(job);
                } else if tx.is_none_or(|tx| tx.send(job).is_err()) {
                    return Err(Error::Usage("the worker threads stopped".into()));
                }
                parts.push(None);
                missing += 1;
            }
            self.window.push_back(Slot {
                batch,
                parts,
                missing,
            });
        }
        Ok(())
    }

    /// Whether any thread runs any job (`pipeline`, and `server` without per-flow
    /// state), from one queue the calling thread takes from too.
    fn shared(&self) -> bool {
        self.steal.is_some()
    }

    fn jobs_per_batch(&self) -> usize {
        match self.dispatch {
            Dispatch::Batch => 1,
            Dispatch::Flow => self.workers,
        }
    }

    /// Reads up to a batch of records.
    fn read_batch(&mut self, reader: &mut Reader, input: &std::path::Path) -> Batch {
        let seq = self.next_seq;
        self.next_seq += 1;
        let Batch {
            mut buf,
            mut entries,
            ..
        } = self.spare_batches.pop().unwrap_or_default();
        let mut frames = 0;
        // server splits a batch among the workers: larger batches keep its jobs the
        // size of pipeline's.
        let scale = self.jobs_per_batch();
        while frames < BATCH_FRAMES * scale && buf.len() < BATCH_BYTES * scale {
            let record = match reader.next_record() {
                Ok(Some(r)) => r,
                Ok(None) => {
                    self.eof = true;
                    break;
                }
                Err(source) => {
                    self.eof = true;
                    entries.push(Entry::Error(Error::Capture {
                        path: input.to_path_buf(),
                        source,
                    }));
                    break;
                }
            };
            match record {
                Record::Frame(raw) => {
                    let part = match self.dispatch {
                        Dispatch::Batch => 0,
                        Dispatch::Flow => {
                            part_of(flow_hash(raw.link_type, raw.data, self.pairs), self.workers)
                        }
                    };
                    self.read_last = raw.number;
                    entries.push(Entry::Frame(FrameRec::copy(&raw, &mut buf, part)));
                    frames += 1;
                }
                Record::PcapHeader(h) => {
                    let name = BlockName::GlobalHeader;
                    entries.push(Entry::Block {
                        name,
                        rendered: self.render(&name, &h),
                        hint: Some((h.link_type(), h.snaplen, h.nanosecond)),
                        header: Some(HeaderUpdate::Pcap(h)),
                    });
                }
                Record::Block(block) => {
                    let name = self.names.name(&block);
                    let rendered = self.render(&name, &block);
                    let (hint, header) = match &block {
                        Block::InterfaceDescription(idb) => (
                            Some((
                                idb.link_type,
                                idb.snaplen,
                                idb.tsresol.precision() == Precision::Nano,
                            )),
                            None,
                        ),
                        _ => (None, None),
                    };
                    let is_shb = matches!(block, Block::SectionHeader(_));
                    let is_idb = matches!(block, Block::InterfaceDescription(_));
                    let header = if is_shb {
                        reader.section().cloned().map(HeaderUpdate::Section)
                    } else if is_idb {
                        reader
                            .interfaces()
                            .last()
                            .cloned()
                            .map(HeaderUpdate::Interface)
                    } else {
                        header
                    };
                    entries.push(Entry::Block {
                        name,
                        rendered,
                        hint,
                        header,
                    });
                }
            }
        }
        Batch { seq, buf, entries }
    }

    fn render<T: serde::Serialize + ?Sized>(
        &mut self,
        name: &BlockName,
        body: &T,
    ) -> std::result::Result<Vec<u8>, DumpError> {
        let mut out = Vec::new();
        if let Some(r) = &mut self.renderer {
            r.render_block(&mut out, name, body)?;
        }
        Ok(out)
    }
}

/// Moves the error at entry `i` (a reader error, a block or frame that could not be
/// rendered) out of the batch. Workers drop their share of a batch before reporting,
/// so the batch being written is ours alone.
fn take_error(cur: &mut Current, i: usize) -> Error {
    if let Some(Entry::Frame(rec)) = cur.batch.entries.get(i) {
        let part = rec.part;
        let k = cur.cursor.get(part).map_or(0, |c| c.0);
        return match cur
            .parts
            .get_mut(part)
            .and_then(|p| p.frames.get_mut(k))
            .and_then(|f| f.error.take())
        {
            Some(e) => Error::Output(e),
            None => Error::Usage("a worker lost a frame".into()),
        };
    }
    if let Some(batch) = Arc::get_mut(&mut cur.batch)
        && let Some(entry) = batch.entries.get_mut(i)
    {
        match std::mem::replace(entry, Entry::Error(Error::Usage(String::new()))) {
            Entry::Error(e) => return e,
            Entry::Block {
                rendered: Err(e), ..
            } => return Error::Output(e),
            _ => {}
        }
    }
    match cur.batch.entries.get(i) {
        Some(Entry::Error(e)) => Error::Usage(e.to_string()),
        Some(Entry::Block {
            rendered: Err(e), ..
        }) => Error::Output(DumpError::Serialize(e.to_string())),
        _ => Error::Usage("input error".into()),
    }
}

impl Drop for Parallel {
    fn drop(&mut self) {
        // As a dropped Dumper does, the blocks already processed go out; as a dropped
        // tracer does, the flow files are closed and the index written.
        let _ = self.flush();
        let _ = self.finish_trace(self.handed);
        self.stop_workers();
    }
}

/// Hash slots per worker thread; the calling thread, which also reads and writes,
/// takes [`OWN_SLOTS`] of them for part 0.
const SLOTS: u64 = 4;
/// Hash slots of part 0 (the calling thread's).
const OWN_SLOTS: u64 = 3;

/// `server`: the part (0: the calling thread) of a frame with flow hash `hash`, out of
/// `parts`: part 0 gets a smaller share, as the calling thread also reads the input
/// and writes the output.
fn part_of(hash: u64, parts: usize) -> usize {
    let others = parts.saturating_sub(1) as u64;
    let slot = hash % (OWN_SLOTS + SLOTS * others);
    match slot.checked_sub(OWN_SLOTS) {
        // ok: below `parts`, a usize
        Some(s) => 1 + (s / SLOTS) as usize,
        None => 0,
    }
}

/// Traces the frames of `input` up to frame `last` with one tracer, as the `default`
/// engine does (stopping at a tracing error); its index.
fn replay_trace(
    opts: TraceOptions,
    input: &std::path::Path,
    last: u64,
    ctx: &JobCtx,
) -> Result<Vec<FlowRecord>> {
    let mut tracer = Tracer::new(opts)?;
    let mut reader =
        Reader::open_with(input, pcapkit_core::ReaderOptions::default()).map_err(|source| {
            Error::Capture {
                path: input.to_path_buf(),
                source,
            }
        })?;
    while let Ok(Some(record)) = reader.next_record() {
        let Record::Frame(raw) = record else {
            continue;
        };
        if raw.number > last {
            break;
        }
        let packet = dissect(raw.link_type, raw.data, &ctx.opts);
        let fed = if ctx.trace_full && TraceSegment::from_packet(&packet).is_none() {
            let full = dissect(raw.link_type, raw.data, &DissectOptions::default());
            tracer.feed(&raw, &full)
        } else {
            tracer.feed(&raw, &packet)
        };
        if fed.is_err() {
            break;
        }
    }
    Ok(tracer.finish()?)
}

/// What a job may update besides its results: the worker's tracer (and whether it
/// failed), and its reassembler.
struct Owned<'a> {
    tracer: Option<&'a mut Tracer>,
    trace_failed: &'a mut bool,
    reasm: Option<&'a mut Reassembly>,
}

/// A worker: dissects and renders its frames of each job; returns what it owns.
fn work(
    rx: &Receiver<Job>,
    done: &Sender<Done>,
    mut renderer: Option<Renderer>,
    ctx: &JobCtx,
    mut state: WorkerState,
) -> WorkerState {
    // After a tracing error the extraction stops at that frame: trace no further.
    let mut trace_failed = false;
    for job in rx {
        let owned = Owned {
            tracer: state.tracer.as_mut(),
            trace_failed: &mut trace_failed,
            reasm: state.reasm.as_mut(),
        };
        if done.send(process(job, &mut renderer, ctx, owned)).is_err() {
            break;
        }
    }
    state
}

/// Runs a job (on a worker, or on the calling thread); a panic becomes an error
/// result.
fn process(mut job: Job, renderer: &mut Option<Renderer>, ctx: &JobCtx, owned: Owned<'_>) -> Done {
    let (seq, part) = (job.batch.seq, job.part);
    let mut out = std::mem::take(&mut job.out);
    out.out.clear();
    out.frames.clear();
    out.handed.clear();
    out.stats = [None; 3];
    out.panic = None;
    let result = std::panic::catch_unwind(std::panic::AssertUnwindSafe(|| {
        run_job(&job, &mut out, renderer.as_mut(), ctx, owned);
    }));
    if let Err(p) = result {
        // A fresh renderer: the old one may be mid-block.
        *renderer = renderer.clone();
        out = PartOut {
            panic: Some(
                p.downcast_ref::<&str>()
                    .map(|s| (*s).to_owned())
                    .or_else(|| p.downcast_ref::<String>().cloned())
                    .unwrap_or_else(|| "panic".to_owned()),
            ),
            ..PartOut::default()
        };
    }
    // The batch is the calling thread's alone again once every job has dropped it.
    drop(job);
    Done {
        seq,
        part,
        result: out,
    }
}

/// Ticks `reasm` with the clock of the frames among `entries` (those of other
/// workers: the sweeps then happen at the frames they happen without sharding).
fn tick_frames(reasm: &mut Reassembly, entries: &[Entry]) {
    for e in entries {
        if let Entry::Frame(rec) = e {
            reasm.tick(rec.number, rec.timestamp);
        }
    }
}

const PROTOCOLS: [Protocol; 3] = [Protocol::Ipv4, Protocol::Ipv6, Protocol::Tcp];

fn run_job(
    job: &Job,
    result: &mut PartOut,
    mut renderer: Option<&mut Renderer>,
    ctx: &JobCtx,
    owned: Owned<'_>,
) {
    let Owned {
        mut tracer,
        trace_failed,
        mut reasm,
    } = owned;
    let batch = &job.batch;
    let opts = &*ctx.opts;
    let out = &mut result.out;
    // Sharded reassembly: the entries up to here have ticked the reassembler.
    let mut ticked = 0;
    for &i in &job.frames {
        let Some(Entry::Frame(rec)) = batch.entries.get(i) else {
            continue;
        };
        let raw = rec.raw(&batch.buf);
        let packet = dissect(raw.link_type, raw.data, opts);
        let start = out.len();
        let mut error = None;
        if let Some(r) = renderer.as_deref_mut()
            && let Err(e) = r.render_frame(out, &raw, &packet)
        {
            out.truncate(start);
            error = Some(e);
        }
        let mut facts = None;
        if let Some((wants, redissect)) = ctx.reasm {
            let full =
                redissect.then(|| dissect(raw.link_type, raw.data, &DissectOptions::default()));
            let p = full.as_ref().unwrap_or(&packet);
            match reasm.as_deref_mut() {
                Some(r) => {
                    tick_frames(r, batch.entries.get(ticked..i).unwrap_or_default());
                    ticked = i + 1;
                    r.feed(raw.number, raw.timestamp, p);
                }
                None => facts = Some(Facts::of(wants, raw.number, raw.timestamp, p)),
            }
        }
        let mut trace_error = None;
        if let Some(t) = tracer.as_deref_mut()
            && !*trace_failed
        {
            let fed = if ctx.trace_full && TraceSegment::from_packet(&packet).is_none() {
                let full = dissect(raw.link_type, raw.data, &DissectOptions::default());
                t.feed(&raw, &full)
            } else {
                t.feed(&raw, &packet)
            };
            if let Err(e) = fed {
                trace_error = Some(Box::new(e));
                *trace_failed = true;
            }
        }
        result.frames.push(FrameOut {
            end: out.len(),
            protocols: ctx.protocols.then(|| packet.protocols().to_string()),
            error,
            facts,
            trace_error,
        });
    }
    if let Some(r) = reasm {
        tick_frames(r, batch.entries.get(ticked..).unwrap_or_default());
        for (slot, p) in result.stats.iter_mut().zip(PROTOCOLS) {
            result
                .handed
                .extend(r.take_handed(p).into_iter().map(|(h, d)| (p, h, d)));
            *slot = r.stats(p);
        }
    }
}
