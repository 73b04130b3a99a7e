//! The Extractor: reads a capture, dissects every frame and feeds the sinks (output,
//! verbose, and later reassembly and tracing).

use std::fs::File;
use std::io::{self, Read, Write};
use std::path::{Path, PathBuf};
use std::sync::Arc;
use std::sync::atomic::{AtomicBool, Ordering};

use pcapkit_core::pcapng::{Interface, Section};
use pcapkit_core::{Block, ErrorKind, PcapHeader, Reader, ReaderOptions, Record};
use pcapkit_dump::{
    BlockName, BlockNamer, ByteOrder, DumpOptions, Dumper, Format, PacketMode, PcapOptions,
};
use pcapkit_protocols::{DissectOptions, ErrorKind as DissectErrorKind, Level, Stop, dissect};

use crate::engine::external::External;
use crate::engine::parallel::{
    Dispatch, HeaderUpdate, Item, Parallel, ReasmSetup, Released, ShardedTrace,
};
use crate::error::{Error, Result};
use crate::frame::{Frame, FrameRef};
use crate::options::{Engine, ExtractOptions, Input, Output, Verbose};
use crate::sink::{BlockBody, DumpSink, Sink, VerboseSink};

/// Extensions an input may already have (PyPCAPKit's `PCAP_EXT`).
const CAPTURE_EXTENSIONS: [&str; 3] = ["pcap", "cap", "pcapng"];

/// The header of the capture: the PCAP global header, or the PCAPNG sections and
/// interfaces seen so far.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum CaptureHeader {
    /// A PCAP file.
    Pcap(PcapHeader),
    /// A PCAPNG file.
    Pcapng {
        /// Every section header seen, in order.
        sections: Vec<Section>,
        /// Every interface seen (all sections), in order.
        interfaces: Vec<Interface>,
    },
}

/// What one step of the extraction did.
enum Step {
    /// A frame (owned if asked for).
    Frame(Option<Frame>),
    /// A record that is not a frame.
    Other,
    /// The input ended; everything is closed.
    End,
}

/// Mirrors everything read from standard input into a file (`buffer_save`).
struct Tee<R> {
    inner: R,
    copy: File,
    path: PathBuf,
}

impl<R: Read> Read for Tee<R> {
    fn read(&mut self, buf: &mut [u8]) -> io::Result<usize> {
        let n = self.inner.read(buf)?;
        let data = buf.get(..n).unwrap_or_default();
        self.copy.write_all(data).map_err(|e| {
            io::Error::new(
                e.kind(),
                format!("cannot save stdin to {}: {e}", self.path.display()),
            )
        })?;
        Ok(n)
    }
}

/// Reads a capture, dissects every frame, writes the output: PyPCAPKit's
/// `Extractor`. Made by [`crate::extract`].
///
/// With `auto` (the default) the whole input is processed by `extract`; then the
/// accessors report the results. With `auto(false)` the caller drives it: iterate it
/// (`Iterator<Item = Result<Frame>>`, owned frames) or call [`Extractor::run`]. For
/// zero-copy access to each frame as it passes, give a callback with
/// [`ExtractOptions::verbose_with`].
///
/// However extraction ends (end of input, a damaged record, an output error, the
/// interrupt flag), the output document is closed first, then the error returned.
///
/// ```
/// use pcapkit::{extract, ExtractOptions};
///
/// let path = concat!(env!("CARGO_MANIFEST_DIR"), "/testdata/captures/http.pcap");
/// let mut ex = extract(ExtractOptions::new(path).nofile(true).auto(false))?;
/// let mut numbers = Vec::new();
/// for frame in &mut ex {
///     let frame = frame?;
///     assert!(frame.protocols().starts_with("Ethernet"));
///     numbers.push(frame.number());
/// }
/// assert_eq!(numbers.first(), Some(&1));
/// assert_eq!(ex.length(), numbers.len() as u64);
/// # Ok::<(), pcapkit::Error>(())
/// ```
pub struct Extractor {
    reader: Reader,
    input: PathBuf,
    output: Option<PathBuf>,
    format: Option<Format>,
    engine: Engine,
    auto: bool,
    store: bool,
    packets: PacketMode,
    dissect: Arc<DissectOptions>,
    sinks: Vec<Box<dyn Sink>>,
    reasm: Option<crate::reasm::ReasmSink>,
    trace: Option<crate::trace::Shared>,
    frames: Vec<Frame>,
    interrupt: Option<Arc<AtomicBool>>,
    length: u64,
    /// Frames whose dissection stopped at a resource limit (`max_depth`).
    limit_hits: u64,
    names: BlockNamer,
    header: Option<CaptureHeader>,
    done: bool,
    said_not_iterable: bool,
    /// The `pipeline` / `server` machinery, and the output it writes in order.
    parallel: Option<Parallel>,
    /// The last frame whose tracing was done (`server` traces on its workers, which
    /// read ahead: what they did past it is undone if the extraction stops early).
    traced_last: u64,
    /// The last frame given to reassembly (`server` reassembles on its workers,
    /// which read ahead: after an early stop, reassembled again up to there).
    reasm_last: u64,
    /// The `pyshark` / `dpkt` / `scapy` engine's process.
    external: Option<External>,
}

impl std::fmt::Debug for Extractor {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("Extractor")
            .field("input", &self.input)
            .field("output", &self.output)
            .field("format", &self.format)
            .field("engine", &self.engine)
            .field("length", &self.length)
            .finish_non_exhaustive()
    }
}

fn has_capture_extension(p: &Path) -> bool {
    p.extension()
        .and_then(|e| e.to_str())
        .is_some_and(|e| CAPTURE_EXTENSIONS.iter().any(|c| c.eq_ignore_ascii_case(e)))
}

fn with_suffix(p: &Path, suffix: &str) -> PathBuf {
    let mut s = p.as_os_str().to_owned();
    s.push(suffix);
    PathBuf::from(s)
}

/// The error for a reader that could not start on `path`.
fn open_error(path: &Path, e: pcapkit_core::Error) -> Error {
    match &e.kind {
        ErrorKind::Io { kind, .. } if *kind == io::ErrorKind::NotFound => Error::FileNotFound {
            path: path.to_path_buf(),
        },
        ErrorKind::Io { kind, message } => Error::Input {
            path: path.to_path_buf(),
            source: io::Error::new(*kind, message.clone()),
        },
        _ => Error::Capture {
            path: path.to_path_buf(),
            source: e,
        },
    }
}

/// The dissector's stop condition from `layer` and `protocol`.
fn stop_of(layer: Option<&str>, protocol: Option<&str>) -> Result<Stop> {
    let layer = match layer {
        Some(l) => Level::from_name(l)?,
        None => None,
    };
    let protocol = protocol
        .map(str::trim)
        .filter(|p| {
            !(p.is_empty() || p.eq_ignore_ascii_case("null") || p.eq_ignore_ascii_case("none"))
        })
        .map(str::to_owned);
    Ok(Stop { layer, protocol })
}

impl Extractor {
    pub(crate) fn new(opts: ExtractOptions) -> Result<Self> {
        // 1. Options that need nothing from the file system.
        let engine = Engine::from_name(&opts.engine)?;
        let stop = stop_of(opts.layer.as_deref(), opts.protocol.as_deref())?;
        let format = if opts.nofile {
            None
        } else {
            Some(Format::from_name(&opts.format)?)
        };
        let byteorder = ByteOrder::from_name(&opts.byteorder).ok_or_else(|| {
            Error::Usage(format!(
                "unknown byte order {:?}: expected little, big or native",
                opts.byteorder
            ))
        })?;
        if opts.threads == Some(0) {
            return Err(Error::Usage("threads must be at least 1".into()));
        }
        let trace_opts = crate::trace::options(&opts)?;
        if opts.files && !matches!(opts.fout, Output::Path(_)) {
            return Err(Error::Usage(
                "files writes one file per block into a directory: give fout a directory path"
                    .into(),
            ));
        }
        let threads = match opts.threads {
            Some(n) => n,
            None => std::thread::available_parallelism().map_or(1, std::num::NonZero::get),
        };
        let mut reasm = crate::reasm::ReasmSink::new(crate::reasm::ReasmOptions {
            ipv4: opts.ip || opts.ipv4,
            ipv6: opts.ip || opts.ipv6,
            tcp: opts.tcp && opts.tcp_reassembly,
            strict: opts.strict,
            store: opts.reasm_store,
            jsonl: opts.reasm_fout.clone(),
            streams: opts.streams.clone(),
            redissect: stop != Stop::default(),
        })?;

        // 2. The input.
        let reader_opts = ReaderOptions::default();
        let (reader, input) = match opts.fin {
            Input::Path(p) => {
                let mut path = p;
                if opts.extension && !has_capture_extension(&path) {
                    let alt = with_suffix(&path, ".pcap");
                    if alt.is_file() {
                        path = alt;
                    }
                }
                if !path.exists() {
                    return Err(Error::FileNotFound { path });
                }
                let reader =
                    Reader::open_with(&path, reader_opts).map_err(|e| open_error(&path, e))?;
                (reader, path)
            }
            Input::Stdin => {
                let path = PathBuf::from("-");
                let reader = if opts.buffer_save {
                    let save = opts.buffer_path.clone().unwrap_or_else(|| {
                        std::env::temp_dir()
                            .join(format!("pcapkit-stdin-{}.pcap", std::process::id()))
                    });
                    let copy = File::create(&save).map_err(|e| {
                        Error::Output(pcapkit_dump::DumpError::File {
                            path: save.clone(),
                            source: e,
                        })
                    })?;
                    Reader::from_read(
                        Tee {
                            inner: io::stdin(),
                            copy,
                            path: save,
                        },
                        reader_opts,
                    )
                } else {
                    Reader::stdin(reader_opts)
                };
                (reader.map_err(|e| open_error(&path, e))?, path)
            }
            Input::Reader { reader, name } => {
                let path = PathBuf::from(name);
                let r = Reader::from_read(reader, reader_opts).map_err(|e| open_error(&path, e))?;
                (r, path)
            }
        };

        // 3. A third-party engine: started before any output is created, so a missing
        // program or package leaves nothing behind.
        let external = if engine.is_third_party() {
            let file = input.is_file().then_some(input.as_path());
            Some(External::start(engine, file, opts.python.as_deref())?)
        } else {
            None
        };

        // 4. The output.
        let dump_opts = DumpOptions {
            packets: opts.packets,
            pcap: PcapOptions {
                byteorder,
                nanosecond: opts.nanosecond,
                snaplen: None,
            },
            ..DumpOptions::default()
        };
        let mut sinks: Vec<Box<dyn Sink>> = Vec::new();
        let mut dumpers = Vec::new();
        let mut output = None;
        if let Some(format) = format {
            let dumper = match opts.fout {
                Output::Path(p) if opts.files => {
                    output = Some(p.clone());
                    Dumper::to_dir(&p, format, dump_opts)?
                }
                Output::Path(p) => {
                    let path = if opts.extension && !ends_with_ignore_case(&p, format.extension()) {
                        with_suffix(&p, format.extension())
                    } else {
                        p
                    };
                    output = Some(path.clone());
                    Dumper::to_file(&path, format, dump_opts)?
                }
                Output::Stdout => {
                    output = Some(PathBuf::from("-"));
                    Dumper::to_writer(Box::new(io::stdout()), format, dump_opts)
                }
                Output::Writer { writer, name } => {
                    output = Some(PathBuf::from(name));
                    Dumper::to_writer(writer, format, dump_opts)
                }
            };
            dumpers.push(dumper);
        }
        let dissect = Arc::new(DissectOptions {
            stop,
            ..DissectOptions::default()
        });
        // server: each worker traces the flows dispatched to it (a share of the cap on
        // open files each); the calling thread merges the index.
        let mut trace_opts = trace_opts;
        let sharded_trace = match (engine, trace_opts.take()) {
            (Engine::Server, Some(t)) => {
                let n = threads.max(1);
                let mut shard = t.clone();
                shard.max_open = (t.max_open / n).max(1);
                shard.write_index = false;
                let tracers = (0..n)
                    .map(|_| pcapkit_trace::Tracer::new(shard.clone()))
                    .collect::<std::result::Result<Vec<_>, _>>()?;
                Some(ShardedTrace {
                    tracers,
                    dir: t.dir.clone(),
                    full: dissect.stop != pcapkit_protocols::Stop::default(),
                    replay: (t, input.is_file().then(|| input.clone())),
                })
            }
            (_, t) => {
                trace_opts = t;
                None
            }
        };
        let parallel = match engine {
            Engine::Pipeline | Engine::Server => {
                let dispatch = if engine == Engine::Server {
                    Dispatch::Flow
                } else {
                    Dispatch::Batch
                };
                // server: each worker reassembles the flows dispatched to it; the
                // calling thread merges what they hand out.
                let setup = match &mut reasm {
                    Some(r) => {
                        let (wants, redissect) = r.wants();
                        Some(ReasmSetup {
                            wants,
                            redissect,
                            shards: match engine {
                                Engine::Server => Some(r.shards(threads)?),
                                _ => None,
                            },
                            input_file: input.is_file().then(|| input.clone()),
                        })
                    }
                    None => None,
                };
                Some(Parallel::new(
                    dispatch,
                    threads,
                    dumpers.pop(),
                    Arc::clone(&dissect),
                    opts.store || !opts.auto,
                    setup,
                    sharded_trace,
                )?)
            }
            _ => None,
        };
        for dumper in dumpers {
            sinks.push(Box::new(DumpSink::new(dumper)));
        }
        match opts.verbose {
            Verbose::Off => {}
            Verbose::Print => sinks.push(Box::new(VerboseSink::Print)),
            Verbose::Callback(f) => sinks.push(Box::new(VerboseSink::Callback(f))),
        }
        let trace = crate::trace::sink(trace_opts, &dissect.stop, &mut sinks)?;

        Ok(Self {
            reader,
            input,
            output,
            format,
            engine,
            auto: opts.auto,
            store: opts.store,
            packets: opts.packets,
            trace,
            dissect,
            sinks,
            reasm,
            frames: Vec::new(),
            interrupt: opts.interrupt,
            length: 0,
            limit_hits: 0,
            names: BlockNamer::default(),
            header: None,
            done: false,
            said_not_iterable: false,
            parallel,
            traced_last: 0,
            reasm_last: 0,
            external,
        })
    }

    /// Processes the rest of the input (what `auto` does). Returns the first error
    /// after closing the output; the frames before it are in the output (and in
    /// [`Extractor::frames`] with `store`).
    pub fn run(&mut self) -> Result<()> {
        loop {
            if let Step::End = self.step(false)? {
                return Ok(());
            }
        }
    }

    fn step(&mut self, keep: bool) -> Result<Step> {
        if self.done {
            return Ok(Step::End);
        }
        if let Some(flag) = &self.interrupt
            && flag.load(Ordering::Relaxed)
        {
            let frames = self.length;
            // Interrupted: stop now, without tracing again what the workers read ahead.
            if let Some(p) = &mut self.parallel {
                p.no_replay();
            }
            return self.fail(Error::Interrupted { frames });
        }
        match self.next_record(keep) {
            Ok(Step::End) => {
                self.done = true;
                self.finish_sinks()?;
                Ok(Step::End)
            }
            Ok(step) => Ok(step),
            Err(e) => self.fail(e),
        }
    }

    /// Ends the extraction with `e`, closing every output first.
    fn fail(&mut self, e: Error) -> Result<Step> {
        self.done = true;
        let _ = self.finish_sinks();
        Err(e)
    }

    fn finish_sinks(&mut self) -> Result<()> {
        let shards = self
            .parallel
            .as_mut()
            .and_then(|p| p.take_reasm(self.reasm_last));
        let mut first = match (&mut self.reasm, shards) {
            (Some(r), Some(s)) => r.finish_sharded(s.shards, s.replay.as_deref(), self.reasm_last),
            (Some(r), None) => r.finish(),
            (None, _) => Ok(()),
        };
        if let Some(p) = &mut self.parallel {
            let r = p.finish(self.traced_last);
            if first.is_ok() {
                first = r;
            }
        }
        for sink in &mut self.sinks {
            let r = sink.finish();
            if first.is_ok() {
                first = r;
            }
        }
        first
    }

    fn next_record(&mut self, keep: bool) -> Result<Step> {
        if self.parallel.is_some() {
            return self.next_parallel(keep);
        }
        let Extractor {
            reader,
            input,
            store,
            packets,
            dissect: dissect_opts,
            sinks,
            reasm,
            frames,
            length,
            limit_hits,
            names,
            header,
            external,
            ..
        } = self;
        let record = match reader.next_record() {
            Ok(Some(r)) => r,
            Ok(None) => return Ok(Step::End),
            Err(source) => {
                return Err(Error::Capture {
                    path: input.clone(),
                    source,
                });
            }
        };
        match record {
            Record::PcapHeader(h) => {
                *header = Some(CaptureHeader::Pcap(h));
                for sink in sinks.iter_mut() {
                    sink.block(&BlockName::GlobalHeader, &BlockBody::Pcap(&h))?;
                }
                Ok(Step::Other)
            }
            Record::Block(block) => {
                let name = names.name(&block);
                let is_shb = matches!(block, Block::SectionHeader(_));
                let is_idb = matches!(block, Block::InterfaceDescription(_));
                let body = BlockBody::Block(&block);
                for sink in sinks.iter_mut() {
                    sink.block(&name, &body)?;
                }
                if is_shb || is_idb {
                    update_header(header, reader, is_shb);
                }
                Ok(Step::Other)
            }
            Record::Frame(raw) if external.is_some() => {
                let Some(ext) = external.as_mut() else {
                    return Ok(Step::Other);
                };
                // The engine's layers go to the output; reassembly and tracing (and any
                // callback that asks for `packet()`) get ours, dissected on demand.
                let foreign = ext.dissect(&raw)?;
                let frame = FrameRef::lazy(&raw, dissect_opts).with_foreign(&foreign);
                for sink in sinks.iter_mut() {
                    sink.frame(&frame)?;
                }
                if let Some(r) = reasm {
                    r.frame(&frame)?;
                }
                *length += 1;
                let owned = (keep || *store).then(|| {
                    Frame::from_raw(&raw, foreign.protocols.clone(), dissect_opts, *packets)
                });
                Ok(Step::Frame(match owned {
                    Some(f) if *store => {
                        if keep {
                            frames.push(f.clone());
                            Some(f)
                        } else {
                            frames.push(f);
                            None
                        }
                    }
                    other => other,
                }))
            }
            Record::Frame(raw) => {
                let packet = dissect(raw.link_type, raw.data, dissect_opts);
                if packet
                    .error()
                    .is_some_and(|e| matches!(e.kind, DissectErrorKind::Limit(_)))
                {
                    *limit_hits += 1;
                }
                let frame = FrameRef::new(&raw, &packet);
                for sink in sinks.iter_mut() {
                    sink.frame(&frame)?;
                }
                if let Some(r) = reasm {
                    r.frame(&frame)?;
                }
                *length += 1;
                let owned = (keep || *store).then(|| Frame::new(&frame, dissect_opts, *packets));
                Ok(Step::Frame(match owned {
                    Some(f) if *store => {
                        if keep {
                            frames.push(f.clone());
                            Some(f)
                        } else {
                            frames.push(f);
                            None
                        }
                    }
                    other => other,
                }))
            }
        }
    }

    /// Frames whose dissection stopped at a resource limit (more nested layers than
    /// `max_depth`, see docs/limits.md): their innermost layer is `raw` with a limit
    /// error in the output.
    pub fn limit_hits(&self) -> u64 {
        self.limit_hits
    }

    /// [`Extractor::next_record`] for the multi-threaded engines: the next record in
    /// order, its output already rendered by a worker.
    fn next_parallel(&mut self, keep: bool) -> Result<Step> {
        let Extractor {
            reader,
            input,
            store,
            packets,
            dissect: dissect_opts,
            sinks,
            frames,
            length,
            header,
            reasm,
            traced_last,
            reasm_last,
            parallel: Some(run),
            ..
        } = self
        else {
            return Ok(Step::End);
        };
        let Some(item) = run.next(reader, input)? else {
            return Ok(Step::End);
        };
        match item {
            Item::Block { header: update, .. } => {
                if let Some(update) = update {
                    apply_header(header, update);
                }
                Ok(Step::Other)
            }
            Item::Frame {
                raw,
                protocols,
                facts,
                trace_error,
                handed,
            } => {
                if !sinks.is_empty() {
                    // Verbose output and tracing see the frame as the default engine
                    // shows it, in order; dissected again here only if a consumer looks
                    // at its layers (tracing does).
                    let frame = FrameRef::lazy(&raw, dissect_opts);
                    for sink in sinks.iter_mut() {
                        sink.frame(&frame)?;
                    }
                }
                // server traces on the workers: their error, at the frame it concerns.
                *traced_last = raw.number;
                if let Some(e) = trace_error {
                    return Err(Error::Trace(*e));
                }
                // Reassembly gets what the worker took from its dissection, in frame
                // order: no second dissection.
                if let Some(r) = reasm {
                    *reasm_last = raw.number;
                    match (handed, facts) {
                        (Some(Released { datagrams, stats }), _) => r.handed(datagrams, stats)?,
                        (None, Some(f)) => r.facts(f)?,
                        (None, None) => r.frame(&FrameRef::lazy(&raw, dissect_opts))?,
                    }
                }
                *length += 1;
                if !(keep || *store) {
                    return Ok(Step::Frame(None));
                }
                let chain = match protocols {
                    Some(p) => p.to_owned(),
                    None => dissect(raw.link_type, raw.data, dissect_opts)
                        .protocols()
                        .to_string(),
                };
                let f = Frame::from_raw(&raw, chain, dissect_opts, *packets);
                Ok(Step::Frame(if *store {
                    if keep {
                        frames.push(f.clone());
                        Some(f)
                    } else {
                        frames.push(f);
                        None
                    }
                } else {
                    Some(f)
                }))
            }
        }
    }

    /// Frames read so far (PyPCAPKit's `length`).
    pub fn length(&self) -> u64 {
        self.length
    }

    /// Every frame, when `store` is on.
    pub fn frames(&self) -> Result<&[Frame]> {
        if self.store {
            Ok(&self.frames)
        } else {
            Err(Error::NotEnabled {
                what: "frames",
                hint: "extract with store(true) to keep them",
            })
        }
    }

    /// Reassembled datagrams per protocol (`None` for the ones not enabled), the
    /// counters (evictions included) and the TCP stream view: PyPCAPKit's
    /// `reassembly`. Complete once the input is read to its end.
    ///
    /// ```
    /// use pcapkit::{extract, ExtractOptions};
    ///
    /// let path = concat!(env!("CARGO_MANIFEST_DIR"), "/testdata/captures/http.pcap");
    /// let ex = extract(ExtractOptions::new(path).nofile(true).tcp(true))?;
    /// let r = ex.reassembly()?;
    /// assert!(r.ipv4.is_none());
    /// let tcp = r.tcp.as_ref().unwrap();
    /// assert!(tcp.iter().all(|d| d.completed));
    /// assert!(!tcp.is_empty());
    /// # Ok::<(), pcapkit::Error>(())
    /// ```
    pub fn reassembly(&self) -> Result<&crate::reasm::ReassemblyData> {
        self.reasm
            .as_ref()
            .map(crate::reasm::ReasmSink::data)
            .ok_or(Error::NotEnabled {
                what: "reassembly",
                hint: "extract with ip, ipv4, ipv6, tcp or streams",
            })
    }

    /// The traced TCP flows (PyPCAPKit's `extractor.trace`), in order of first
    /// frame; flows still open end as `eof`. An error unless extracting with `trace`.
    ///
    /// With the `server` engine each worker traces its own flows and the index is
    /// merged at the end of input: it is empty before.
    pub fn trace(&self) -> Result<Vec<crate::FlowRecord>> {
        if let Some(index) = self.parallel.as_ref().and_then(Parallel::trace_index) {
            return Ok(index.to_vec());
        }
        crate::trace::index(self.trace.as_ref())
    }

    /// With the `server` engine and `trace`, once the input is read to its end: per
    /// worker, the first frame of each flow that worker traced (each worker traces
    /// the flows dispatched to it). Empty otherwise. For tests and diagnostics.
    #[doc(hidden)]
    pub fn trace_shards(&self) -> Vec<Vec<u64>> {
        self.parallel
            .as_ref()
            .map(|p| p.trace_shards().to_vec())
            .unwrap_or_default()
    }

    /// With the `server` engine and reassembly, once finished: per worker, how many
    /// datagrams (all protocols) its reassembler handed out (each worker reassembles
    /// the flows dispatched to it). Empty otherwise. For tests and diagnostics.
    #[doc(hidden)]
    pub fn reasm_shards(&self) -> Vec<u64> {
        self.reasm
            .as_ref()
            .map(|r| r.shard_counts().to_vec())
            .unwrap_or_default()
    }

    /// The capture's header (PCAP global header, or PCAPNG sections and interfaces
    /// seen so far); `None` before the first record.
    pub fn header(&self) -> Option<&CaptureHeader> {
        self.header.as_ref()
    }

    /// The output format, `None` with `nofile`.
    pub fn format(&self) -> Option<Format> {
        self.format
    }

    /// The input path (`-` for stdin, the given name for a reader).
    pub fn input(&self) -> &Path {
        &self.input
    }

    /// The output path (with its extension; a directory with `files`; `-` for
    /// stdout), `None` with `nofile`.
    pub fn output(&self) -> Option<&Path> {
        self.output.as_deref()
    }

    /// The engine that ran.
    pub fn engine(&self) -> Engine {
        self.engine
    }

    /// Whether the input has been read to its end (or extraction stopped).
    pub fn is_done(&self) -> bool {
        self.done
    }

    /// Whether `auto` was set.
    pub fn is_auto(&self) -> bool {
        self.auto
    }

    /// Reader warnings (captured length above the snapshot length, ...), at most 1000.
    pub fn warnings(&self) -> &[pcapkit_core::Warning] {
        self.reader.warnings()
    }

    /// Number of reader warnings, including those past the 1000 kept.
    pub fn warning_count(&self) -> u64 {
        self.reader.warning_count()
    }
}

fn ends_with_ignore_case(p: &Path, suffix: &str) -> bool {
    let s = p.as_os_str().to_string_lossy();
    s.len() >= suffix.len()
        && s.get(s.len() - suffix.len()..)
            .is_some_and(|tail| tail.eq_ignore_ascii_case(suffix))
}

fn update_header(header: &mut Option<CaptureHeader>, reader: &Reader, new_section: bool) {
    let (sections, interfaces) = match header {
        Some(CaptureHeader::Pcapng {
            sections,
            interfaces,
        }) => (sections, interfaces),
        _ => {
            *header = Some(CaptureHeader::Pcapng {
                sections: Vec::new(),
                interfaces: Vec::new(),
            });
            let Some(CaptureHeader::Pcapng {
                sections,
                interfaces,
            }) = header
            else {
                return;
            };
            (sections, interfaces)
        }
    };
    if new_section {
        if let Some(s) = reader.section() {
            sections.push(s.clone());
        }
    } else if let Some(i) = reader.interfaces().last() {
        interfaces.push(i.clone());
    }
}

/// Applies a header change the multi-threaded engines recorded when they read it.
fn apply_header(header: &mut Option<CaptureHeader>, update: &HeaderUpdate) {
    if let HeaderUpdate::Pcap(h) = update {
        *header = Some(CaptureHeader::Pcap(*h));
        return;
    }
    if !matches!(header, Some(CaptureHeader::Pcapng { .. })) {
        *header = Some(CaptureHeader::Pcapng {
            sections: Vec::new(),
            interfaces: Vec::new(),
        });
    }
    if let Some(CaptureHeader::Pcapng {
        sections,
        interfaces,
    }) = header
    {
        match update {
            HeaderUpdate::Section(s) => sections.push(s.clone()),
            HeaderUpdate::Interface(i) => interfaces.push(i.clone()),
            HeaderUpdate::Pcap(_) => {}
        }
    }
}

impl Iterator for Extractor {
    type Item = Result<Frame>;

    /// The next frame (owned), after processing it like [`Extractor::run`] does.
    /// Iterating an `auto` extractor yields one [`Error::NotIterable`].
    fn next(&mut self) -> Option<Result<Frame>> {
        if self.auto {
            if self.said_not_iterable {
                return None;
            }
            self.said_not_iterable = true;
            return Some(Err(Error::NotIterable));
        }
        loop {
            match self.step(true) {
                Ok(Step::Frame(Some(f))) => return Some(Ok(f)),
                Ok(Step::Frame(None) | Step::Other) => {}
                Ok(Step::End) => return None,
                Err(e) => return Some(Err(e)),
            }
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn capture_extensions() {
        assert!(has_capture_extension(Path::new("a.PCAP")));
        assert!(has_capture_extension(Path::new("a.pcapng")));
        assert!(!has_capture_extension(Path::new("a")));
        assert!(!has_capture_extension(Path::new("a.json")));
        assert!(ends_with_ignore_case(Path::new("o.JSON"), ".json"));
        assert!(!ends_with_ignore_case(Path::new("json"), ".json"));
        assert_eq!(
            with_suffix(Path::new("out"), ".txt"),
            PathBuf::from("out.txt")
        );
    }

    #[test]
    fn stop_conditions() {
        let s = stop_of(Some("LINK"), Some("null")).unwrap();
        assert_eq!(s.layer, Some(Level::Link));
        assert_eq!(s.protocol, None);
        let s = stop_of(Some("None"), Some("IPv4")).unwrap();
        assert_eq!(s.layer, None);
        assert_eq!(s.protocol.as_deref(), Some("IPv4"));
        assert!(matches!(
            stop_of(Some("session"), None),
            Err(Error::UnknownLayer(_))
        ));
    }
}
