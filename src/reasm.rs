//! Reassembly in the facade: [`reassemble`] (a standalone reassembler, PyPCAPKit's
//! `pcapkit.reassemble`), and the Extractor's `ip`/`ipv4`/`ipv6`/`tcp`/`strict`
//! options (a sink fed with every dissected frame; results in
//! [`crate::Extractor::reassembly`], optionally streamed as JSON Lines and a TCP
//! stream export).

use std::fs::File;
use std::io::{BufWriter, Write};
use std::path::{Path, PathBuf};

use pcapkit_core::Timestamp;
use pcapkit_dump::{CompactBytesFormatter, DumpError};
use pcapkit_protocols::{DissectOptions, Packet, dissect};
use pcapkit_reasm::{Datagram, Limits, Protocol, Reassembly, Stats, StreamMode, StreamView};
use serde::Serialize;

use crate::error::{Error, Result};
use crate::frame::FrameRef;

/// A standalone reassembler for one protocol, made by [`reassemble`]: feed it
/// dissected frames, then read its datagrams (PyPCAPKit's `Reassembly`).
///
/// ```
/// use pcapkit::{reassemble, extract, ExtractOptions};
/// use std::sync::{Arc, Mutex};
///
/// let r = Arc::new(Mutex::new(reassemble("TCP", true)?));
/// let feed = Arc::clone(&r);
/// let path = concat!(env!("CARGO_MANIFEST_DIR"), "/testdata/captures/http.pcap");
/// extract(ExtractOptions::new(path).nofile(true).verbose_with(move |f| {
///     feed.lock().unwrap().feed_frame(f);
/// }))?;
/// let mut r = r.lock().unwrap();
/// r.finish()?;
/// let d = r.datagrams();
/// assert!(d.iter().any(|d| d.completed && d.packet().is_some_and(|p| p.protocols().to_string().starts_with("HTTP"))));
/// # Ok::<(), pcapkit::Error>(())
/// ```
#[derive(Debug)]
pub struct Reassembler {
    protocol: Protocol,
    inner: Reassembly,
    out: Vec<Datagram>,
}

/// A reassembler for `protocol`: `IPv4`, `IPv6` or `TCP` (any case); `strict` also
/// reports incomplete datagrams. Anything else is [`Error::UnknownReassembly`].
///
/// ```
/// let err = pcapkit::reassemble("UDP", true).unwrap_err();
/// assert_eq!(err.to_string(), "unsupported reassembly protocol \"UDP\": expected one of IPv4, IPv6, TCP");
/// assert_eq!(pcapkit::reassemble("tcp", false)?.protocol(), "TCP");
/// # Ok::<(), pcapkit::Error>(())
/// ```
pub fn reassemble(protocol: &str, strict: bool) -> Result<Reassembler> {
    let p = Protocol::from_name(protocol)
        .ok_or_else(|| Error::UnknownReassembly(protocol.to_owned()))?;
    Ok(Reassembler {
        protocol: p,
        inner: Reassembly::new(&[p], strict),
        out: Vec::new(),
    })
}

impl Reassembler {
    /// `IPv4`, `IPv6` or `TCP`.
    pub fn protocol(&self) -> &'static str {
        self.protocol.name()
    }

    /// Feeds one dissected frame.
    pub fn feed(&mut self, number: u64, ts: Timestamp, packet: &Packet<'_>) {
        self.inner.feed(number, ts, packet);
        self.collect();
    }

    /// Feeds a frame as the Extractor's callbacks see it.
    pub fn feed_frame(&mut self, frame: &FrameRef<'_, '_>) {
        self.feed(frame.number(), frame.raw().timestamp, frame.packet());
    }

    /// End of input: everything still buffered is handed out (incomplete, if strict).
    pub fn finish(&mut self) -> Result<()> {
        self.inner.finish().map_err(|e| {
            Error::Output(DumpError::File {
                path: PathBuf::from("<stream view>"),
                source: e,
            })
        })?;
        self.collect();
        Ok(())
    }

    fn collect(&mut self) {
        self.out.append(&mut self.inner.take(self.protocol));
    }

    /// The datagrams so far, in the order they were handed out.
    pub fn datagrams(&self) -> &[Datagram] {
        &self.out
    }

    /// Takes the datagrams so far.
    pub fn take_datagrams(&mut self) -> Vec<Datagram> {
        std::mem::take(&mut self.out)
    }

    /// PyPCAPKit's `index(pkt_num)`: the position of the first datagram that contains
    /// frame `number`.
    pub fn index(&self, number: u64) -> Option<usize> {
        self.out.iter().position(|d| d.index.contains(&number))
    }

    /// Counters (evictions included).
    pub fn stats(&self) -> Stats {
        self.inner.stats(self.protocol).unwrap_or_default()
    }
}

/// What the Extractor's reassembly produced: PyPCAPKit's `ReassemblyData` (a list per
/// enabled protocol, `None` for the others) plus the counters and the TCP stream view.
#[derive(Debug, Default)]
pub struct ReassemblyData {
    /// IPv4 datagrams (with `ipv4` or `ip`; empty when `reasm_store` is off).
    pub ipv4: Option<Vec<Datagram>>,
    /// IPv6 datagrams (with `ipv6` or `ip`).
    pub ipv6: Option<Vec<Datagram>>,
    /// TCP datagrams (with `tcp`).
    pub tcp: Option<Vec<Datagram>>,
    /// Counters per enabled protocol: what was reassembled and what the caps evicted.
    pub stats: Vec<(Protocol, Stats)>,
    /// The TCP stream view (with `streams`), after the end of input.
    pub streams: Option<StreamView>,
}

impl ReassemblyData {
    /// The counters of `protocol`, if enabled.
    pub fn stats_of(&self, protocol: Protocol) -> Option<Stats> {
        self.stats
            .iter()
            .find(|(p, _)| *p == protocol)
            .map(|(_, s)| *s)
    }
}

/// The Extractor's reassembly options, as given.
#[derive(Clone, Debug, Default)]
pub(crate) struct ReasmOptions {
    pub ipv4: bool,
    pub ipv6: bool,
    pub tcp: bool,
    pub strict: bool,
    pub store: bool,
    /// Write `<prefix>.ipv4.jsonl` etc.
    pub jsonl: Option<PathBuf>,
    /// Export every TCP connection's two streams into this directory.
    pub streams: Option<PathBuf>,
    /// The frames were dissected with a stop condition: dissect again for reassembly.
    pub redissect: bool,
}

/// JSON Lines writer of one protocol's datagrams.
struct Lines {
    path: PathBuf,
    out: BufWriter<File>,
}

impl Lines {
    fn create(prefix: &Path, p: Protocol) -> Result<Self> {
        let mut s = prefix.as_os_str().to_owned();
        s.push(format!(".{}.jsonl", p.name().to_ascii_lowercase()));
        let path = PathBuf::from(s);
        let f = File::create(&path).map_err(|e| file_error(&path, e))?;
        Ok(Self {
            path,
            out: BufWriter::with_capacity(1 << 16, f),
        })
    }

    fn write(&mut self, d: &Datagram) -> Result<()> {
        let mut ser = serde_json::Serializer::with_formatter(&mut self.out, CompactBytesFormatter);
        d.serialize(&mut ser)
            .map_err(|e| file_error(&self.path, std::io::Error::other(e)))?;
        self.out
            .write_all(b"\n")
            .map_err(|e| file_error(&self.path, e))
    }
}

fn file_error(path: &Path, source: std::io::Error) -> Error {
    Error::Output(DumpError::File {
        path: path.to_path_buf(),
        source,
    })
}

/// Feeds reassembly with every frame the Extractor reads.
pub(crate) struct ReasmSink {
    engine: Reassembly,
    protocols: Vec<Protocol>,
    opts: ReasmOptions,
    /// `server`: datagrams handed out per worker (part 0 first).
    shard_counts: Vec<u64>,
    lines: Vec<(Protocol, Lines)>,
    data: ReassemblyData,
    stream_dir: Option<PathBuf>,
    finished: bool,
}

impl std::fmt::Debug for ReasmSink {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("ReasmSink").finish_non_exhaustive()
    }
}

impl ReasmSink {
    /// `None` when no reassembly option is on.
    pub(crate) fn new(opts: ReasmOptions) -> Result<Option<Self>> {
        let mut protocols = Vec::new();
        if opts.ipv4 {
            protocols.push(Protocol::Ipv4);
        }
        if opts.ipv6 {
            protocols.push(Protocol::Ipv6);
        }
        if opts.tcp || opts.streams.is_some() {
            protocols.push(Protocol::Tcp);
        }
        if protocols.is_empty() {
            return Ok(None);
        }
        let engine = engine(&protocols, &opts, 1, false)?;
        let enabled = |p: Protocol| match p {
            Protocol::Ipv4 => opts.ipv4,
            Protocol::Ipv6 => opts.ipv6,
            Protocol::Tcp => opts.tcp,
        };
        let mut lines = Vec::new();
        if let Some(prefix) = &opts.jsonl {
            for p in [Protocol::Ipv4, Protocol::Ipv6, Protocol::Tcp] {
                if enabled(p) {
                    lines.push((p, Lines::create(prefix, p)?));
                }
            }
        }
        let data = ReassemblyData {
            ipv4: opts.ipv4.then(Vec::new),
            ipv6: opts.ipv6.then(Vec::new),
            tcp: opts.tcp.then(Vec::new),
            stats: [Protocol::Ipv4, Protocol::Ipv6, Protocol::Tcp]
                .into_iter()
                .filter_map(|p| engine.stats(p).map(|s| (p, s)))
                .collect(),
            ..ReassemblyData::default()
        };
        Ok(Some(Self {
            engine,
            protocols,
            shard_counts: Vec::new(),
            stream_dir: opts.streams.clone(),
            opts,
            lines,
            data,
            finished: false,
        }))
    }

    pub(crate) fn frame(&mut self, frame: &FrameRef<'_, '_>) -> Result<()> {
        let raw = frame.raw();
        if self.opts.redissect {
            let p = dissect(raw.link_type, raw.data, &DissectOptions::default());
            self.engine.feed(raw.number, raw.timestamp, &p);
        } else {
            self.engine.feed(raw.number, raw.timestamp, frame.packet());
        }
        self.drain()
    }

    /// What the frames must give (for [`pcapkit_reasm::Facts::of`] on a worker), and
    /// whether they must be dissected again without the stop condition first.
    pub(crate) fn wants(&self) -> (pcapkit_reasm::Wants, bool) {
        (self.engine.wants(), self.opts.redissect)
    }

    /// A frame as a worker took it apart (`pipeline`/`server`): no dissection here.
    pub(crate) fn facts(&mut self, facts: &pcapkit_reasm::Facts) -> Result<()> {
        self.engine.feed_facts(facts);
        self.drain()
    }

    /// `server`: one reassembler per worker (`parts` of them), each with a share of
    /// the caps and a stream view shard in the export directory; this sink then only
    /// takes what the workers hand out ([`ReasmSink::handed`],
    /// [`ReasmSink::finish_sharded`]).
    pub(crate) fn shards(&mut self, parts: usize) -> Result<Vec<Reassembly>> {
        let parts = parts.max(1);
        if let Some(t) = &mut self.engine.tcp {
            t.take_streams();
        }
        self.shard_counts = vec![0; parts];
        (0..parts)
            .map(|_| engine(&self.protocols, &self.opts, parts, true))
            .collect()
    }

    /// `server`: the datagrams the workers handed out at a frame, merged (with the
    /// part that handed each out), and the workers' counters summed.
    pub(crate) fn handed(
        &mut self,
        datagrams: Vec<(usize, Protocol, Datagram)>,
        stats: &[Option<Stats>; 3],
    ) -> Result<()> {
        for (part, p, d) in datagrams {
            if let Some(n) = self.shard_counts.get_mut(part) {
                *n += 1;
            }
            self.deliver(p, [d])?;
        }
        for (p, s) in [Protocol::Ipv4, Protocol::Ipv6, Protocol::Tcp]
            .into_iter()
            .zip(stats)
        {
            if let (Some(s), Some((_, slot))) =
                (s, self.data.stats.iter_mut().find(|(q, _)| *q == p))
            {
                *slot = *s;
            }
        }
        Ok(())
    }

    /// `server`, end of input (or of the extraction): the workers' reassemblers
    /// finished and merged (datagrams in the order one reassembler hands them out,
    /// counters summed, the stream view's connections merged and numbered by first
    /// frame). With `replay` (the extraction stopped early and the workers had read
    /// ahead), the input is reassembled again up to frame `last` by one reassembler
    /// instead (what it hands out up to there was already delivered), so that what
    /// the end of input flushes is what it flushes without sharding.
    pub(crate) fn finish_sharded(
        &mut self,
        mut shards: Vec<Reassembly>,
        replay: Option<&Path>,
        last: u64,
    ) -> Result<()> {
        if self.finished {
            return Ok(());
        }
        if let Some(input) = replay {
            // The shards' stream files hold frames beyond `last`: written again.
            for r in &mut shards {
                if let Some(view) = r.tcp.as_mut().and_then(|t| t.take_streams())
                    && let Some(dir) = &self.stream_dir
                {
                    for c in view.connections() {
                        for side in [&c.c2s, &c.s2c] {
                            let _ = std::fs::remove_file(dir.join(&side.file));
                        }
                    }
                }
            }
            self.engine = engine(&self.protocols, &self.opts, 1, false)?;
            let mut reader =
                pcapkit_core::Reader::open_with(input, pcapkit_core::ReaderOptions::default())
                    .map_err(|source| Error::Capture {
                        path: input.to_path_buf(),
                        source,
                    })?;
            while let Ok(Some(record)) = reader.next_record() {
                let pcapkit_core::Record::Frame(raw) = record else {
                    continue;
                };
                if raw.number > last {
                    break;
                }
                let p = dissect(raw.link_type, raw.data, &DissectOptions::default());
                self.engine.feed(raw.number, raw.timestamp, &p);
                for q in [Protocol::Ipv4, Protocol::Ipv6, Protocol::Tcp] {
                    if self.engine.has_new(q) {
                        self.engine.take(q);
                    }
                }
            }
            return self.finish();
        }
        self.finished = true;
        let mut first = Ok(());
        let mut all = Vec::new();
        let mut views = Vec::new();
        let mut stats: Vec<(Protocol, Stats)> = Vec::new();
        for (part, mut r) in shards.into_iter().enumerate() {
            if let Err(e) = r.finish()
                && first.is_ok()
            {
                first = Err(e);
            }
            for p in [Protocol::Ipv4, Protocol::Ipv6, Protocol::Tcp] {
                all.extend(r.take_handed(p).into_iter().map(|(h, d)| (p, h, part, d)));
                if let Some(s) = r.stats(p) {
                    match stats.iter_mut().find(|(q, _)| *q == p) {
                        Some((_, sum)) => *sum += s,
                        None => stats.push((p, s)),
                    }
                }
            }
            if let Some(v) = r.tcp.as_mut().and_then(|t| t.take_streams()) {
                views.push(v);
            }
        }
        all.sort_by_key(|(p, h, ..)| (*p as u8, *h));
        for (p, _, part, d) in all {
            if let Some(n) = self.shard_counts.get_mut(part) {
                *n += 1;
            }
            self.deliver(p, [d])?;
        }
        self.data.stats = stats;
        let dir = self.stream_dir.clone().unwrap_or_default();
        first.map_err(|e| file_error(&dir, e))?;
        self.data.streams = StreamView::merge(views).map_err(|e| file_error(&dir, e))?;
        for (_, l) in &mut self.lines {
            l.out.flush().map_err(|e| file_error(&l.path, e))?;
        }
        Ok(())
    }

    /// `server`: the datagrams each worker handed out (part 0 first).
    pub(crate) fn shard_counts(&self) -> &[u64] {
        &self.shard_counts
    }

    fn drain(&mut self) -> Result<()> {
        for p in [Protocol::Ipv4, Protocol::Ipv6, Protocol::Tcp] {
            if !self.engine.has_new(p) {
                continue;
            }
            let new = self.engine.take(p);
            self.deliver(p, new)?;
        }
        // Refreshed in place (this runs once per frame): the list was made in `new`.
        for (p, stats) in &mut self.data.stats {
            if let Some(s) = self.engine.stats(*p) {
                *stats = s;
            }
        }
        Ok(())
    }

    /// End of input: flushes everything, writes the stream export and closes files.
    pub(crate) fn finish(&mut self) -> Result<()> {
        if self.finished {
            return Ok(());
        }
        self.finished = true;
        let streams = self.engine.finish();
        self.drain()?;
        if let Err(e) = streams {
            let dir = self.stream_dir.clone().unwrap_or_default();
            return Err(file_error(&dir, e));
        }
        for (_, l) in &mut self.lines {
            l.out.flush().map_err(|e| file_error(&l.path, e))?;
        }
        self.data.streams = self.engine.tcp.as_mut().and_then(|t| t.take_streams());
        Ok(())
    }

    /// Writes (JSON Lines) and keeps (`store`) datagrams of `p`.
    fn deliver(&mut self, p: Protocol, new: impl IntoIterator<Item = Datagram>) -> Result<()> {
        let list = match p {
            Protocol::Ipv4 => &mut self.data.ipv4,
            Protocol::Ipv6 => &mut self.data.ipv6,
            Protocol::Tcp => &mut self.data.tcp,
        };
        let Some(list) = list else {
            return Ok(()); // TCP run only for the stream view
        };
        let mut lines = self.lines.iter_mut().find(|(q, _)| *q == p);
        for d in new {
            if let Some((_, lines)) = &mut lines {
                lines.write(&d)?;
            }
            if self.opts.store {
                list.push(d);
            }
        }
        Ok(())
    }

    pub(crate) fn data(&self) -> &ReassemblyData {
        &self.data
    }
}

/// The reassemblers for `protocols`, with one of `parts` shares of the caps (see
/// [`Limits::share`]) and, with a stream export, its view (a [`StreamView::shard`]
/// with `shard`).
fn engine(
    protocols: &[Protocol],
    opts: &ReasmOptions,
    parts: usize,
    shard: bool,
) -> Result<Reassembly> {
    let mut engine = Reassembly::with_limits(
        protocols,
        opts.strict,
        Limits::ip().share(parts),
        Limits::tcp().share(parts),
    );
    if let Some(dir) = &opts.streams {
        let view = StreamView::new(StreamMode::Dir(dir.clone())).map_err(|e| file_error(dir, e))?;
        engine = engine.with_streams(if shard { view.shard() } else { view });
    }
    Ok(engine)
}
