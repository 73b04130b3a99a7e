//! TCP reassembly, per direction (source address and port, destination address and
//! port).
//!
//! Sequence numbers are made relative to the ISN (the byte after the SYN, or the first
//! sequence number seen) and unwrapped to 64 bits, so a stream may cross 2^32 any
//! number of times. Bytes already received (retransmissions, overlaps) are removed
//! before anything else sees a segment; out-of-order bytes are held until the gap
//! closes.
//!
//! Datagrams keep PyPCAPKit's unit: one per run of segments sharing an ACK number (in
//! request/response protocols, one application message). A run is handed out when a
//! later run begins (ACK change) and it has no hole, when a hole in it is filled after
//! that, on FIN, RST, SYN reuse, end of input, or when a cap evicts it. Bytes that fill
//! a hole of an open run join that run whatever their ACK number (a retransmission
//! often carries a newer one).

use std::net::IpAddr;

use pcapkit_core::Timestamp;
use pcapkit_protocols::transport::Tcp;
use pcapkit_protocols::{Packet, Protocol};
use smallvec::SmallVec;

use crate::datagram::{Datagram, DatagramId, Flush, HandOut, Payload, Run};
use crate::holes::Assembler;
use crate::limits::{Limits, Stats, SweepClock};
use crate::stream::StreamView;
use crate::table::Table;

/// Most runs open per direction (waiting for a retransmission) before the oldest is
/// handed out incomplete.
const MAX_RUNS: usize = 8;

/// One TCP segment, as taken from a dissected frame (or built by hand).
#[derive(Clone, Copy, Debug)]
pub struct Segment<'a> {
    /// Frame number.
    pub number: u64,
    /// Capture time.
    pub ts: Timestamp,
    /// Source address.
    pub src: IpAddr,
    /// Destination address.
    pub dst: IpAddr,
    /// Source port.
    pub sport: u16,
    /// Destination port.
    pub dport: u16,
    /// Sequence number.
    pub seq: u32,
    /// Acknowledgment number.
    pub ack: u32,
    /// SYN flag.
    pub syn: bool,
    /// ACK flag.
    pub ack_flag: bool,
    /// FIN flag.
    pub fin: bool,
    /// RST flag.
    pub rst: bool,
    /// The TCP header bytes.
    pub header: &'a [u8],
    /// The payload as captured.
    pub data: &'a [u8],
}

/// The TCP segment of a dissected frame: the first TCP layer, with the addresses of
/// the IP layer that carries it. `None` when there is none, or when that IP layer is
/// a fragment (the segment is whole only after IP reassembly: feed the reassembled
/// datagram with [`segment_in`]).
pub fn tcp_segment<'a>(number: u64, ts: Timestamp, packet: &Packet<'a>) -> Option<Segment<'a>> {
    tcp_segment_with(number, ts, packet, true, true)
}

/// [`tcp_segment`], choosing per IP version whether a segment in a first fragment is
/// skipped (`true`: IP reassembly will deliver it whole) or taken as it is.
pub(crate) fn tcp_segment_with<'a>(
    number: u64,
    ts: Timestamp,
    packet: &Packet<'a>,
    skip_v4_fragments: bool,
    skip_v6_fragments: bool,
) -> Option<Segment<'a>> {
    let layers = packet.layers();
    let pos = layers
        .iter()
        .position(|l| matches!(l.header, Protocol::Tcp(_)))?;
    let (src, dst) = layers
        .get(..pos)?
        .iter()
        .rev()
        .find_map(|l| match &l.header {
            Protocol::Ipv4(ip) => Some(
                (!(skip_v4_fragments && ip.is_fragment()))
                    .then_some((IpAddr::V4(ip.src), IpAddr::V4(ip.dst))),
            ),
            Protocol::Ipv6(ip) => Some(
                (!(skip_v6_fragments && ip.frag().is_some()))
                    .then_some((IpAddr::V6(ip.src), IpAddr::V6(ip.dst))),
            ),
            _ => None,
        })??;
    segment_in(number, ts, src, dst, packet)
}

/// The first TCP layer of `packet` (e.g. a reassembled IP datagram's payload) as a
/// segment between `src` and `dst`.
pub fn segment_in<'a>(
    number: u64,
    ts: Timestamp,
    src: IpAddr,
    dst: IpAddr,
    packet: &Packet<'a>,
) -> Option<Segment<'a>> {
    let layer = packet
        .layers()
        .iter()
        .find(|l| matches!(l.header, Protocol::Tcp(_)))?;
    let Protocol::Tcp(tcp) = &layer.header else {
        return None;
    };
    let tcp: &Tcp<'a> = tcp;
    let flags = tcp.flags();
    Some(Segment {
        number,
        ts,
        src,
        dst,
        sport: tcp.src,
        dport: tcp.dst,
        seq: tcp.seq,
        ack: tcp.ack,
        syn: flags.syn,
        ack_flag: flags.ack,
        fin: flags.fin,
        rst: flags.rst,
        header: packet.header_bytes(layer),
        data: packet.payload(layer),
    })
}

/// A direction: sender and receiver endpoints.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
pub struct DirKey {
    /// Sender address and port.
    pub src: (IpAddr, u16),
    /// Receiver address and port.
    pub dst: (IpAddr, u16),
}

impl DirKey {
    fn reverse(&self) -> Self {
        Self {
            src: self.dst,
            dst: self.src,
        }
    }
}

/// Byte ranges of a direction already received (sorted, disjoint, merged).
#[derive(Debug, Default)]
struct Seen {
    ranges: Vec<(i64, i64)>,
}

impl Seen {
    /// The parts of `[s, e)` not received yet.
    fn missing(&self, s: i64, e: i64) -> SmallVec<[(i64, i64); 4]> {
        let mut out = SmallVec::new();
        let mut at = s;
        let from = self.ranges.partition_point(|r| r.1 <= s);
        for &(rs, re) in self.ranges.get(from..).unwrap_or_default() {
            if rs >= e {
                break;
            }
            if rs > at {
                out.push((at, rs));
            }
            at = at.max(re);
        }
        if at < e {
            out.push((at, e));
        }
        out
    }

    fn contains(&self, p: i64) -> bool {
        let i = self.ranges.partition_point(|r| r.1 <= p);
        self.ranges.get(i).is_some_and(|r| r.0 <= p)
    }

    /// Adds `[s, e)`; returns true when a gap had to be given up to stay under `max`.
    fn add(&mut self, s: i64, e: i64, max: usize) -> bool {
        let i = self.ranges.partition_point(|r| r.1 < s);
        let mut j = i;
        let (mut ns, mut ne) = (s, e);
        while let Some(&(rs, re)) = self.ranges.get(j) {
            if rs > e {
                break;
            }
            ns = ns.min(rs);
            ne = ne.max(re);
            j += 1;
        }
        self.ranges.splice(i..j, [(ns, ne)]);
        if self.ranges.len() > max.max(2) {
            // Give up the oldest gap: merge the first two ranges.
            if let (Some(&(a, _)), Some(&(_, b))) = (self.ranges.first(), self.ranges.get(1)) {
                self.ranges.splice(0..2, [(a, b)]);
            }
            return true;
        }
        false
    }
}

/// A run of segments sharing an ACK number.
#[derive(Debug)]
struct OpenRun {
    ack: u32,
    start: i64,
    asm: Assembler,
    index: Vec<u64>,
    header: Vec<u8>,
    first: Timestamp,
    last: Timestamp,
}

impl OpenRun {
    fn end(&self) -> i64 {
        self.start + self.asm.buf.len() as i64
    }
}

#[derive(Debug)]
struct Dir {
    last: Timestamp,
    /// (sequence number, stream position) of a recent byte: unwraps the next ones.
    reference: Option<(u32, i64)>,
    isn: Option<u32>,
    /// Position of the stream's first byte: 0 after a SYN, else the lowest seen.
    origin: i64,
    /// Position of the FIN: the stream has bytes up to it.
    fin_at: Option<i64>,
    seen: Seen,
    runs: Vec<OpenRun>,
    buffered: usize,
    closed: bool,
    /// Stream view connection and whether this direction is a -> b.
    conn: Option<(usize, bool)>,
    /// Frame number of its creation, and its order of creation.
    born: (u64, u64),
}

impl Dir {
    fn unwrap(&self, seq: u32) -> i64 {
        match self.reference {
            Some((rs, rp)) => rp + i64::from(seq.wrapping_sub(rs) as i32),
            None => 0,
        }
    }
}

/// A TCP reassembler: feed it frames (or segments), take the datagrams; optionally
/// builds the [`StreamView`] at the same time.
///
/// ```
/// use pcapkit_reasm::{TcpReassembler, Segment, Limits};
/// use pcapkit_core::Timestamp;
///
/// let mut r = TcpReassembler::new(true, Limits::tcp());
/// let seg = |number, seq, ack, data: &'static [u8], fin| Segment {
///     number, ts: Timestamp::new(0, 0), src: "10.0.0.1".parse().unwrap(),
///     dst: "10.0.0.2".parse().unwrap(), sport: 40000, dport: 80, seq, ack,
///     syn: false, ack_flag: true, fin, rst: false, header: &[], data,
/// };
/// r.feed_segment(seg(2, 1008, 1, b"Host: x\r\n\r\n", false)); // out of order
/// r.feed_segment(seg(1, 1000, 1, b"GET / HT", false));
/// r.feed_segment(seg(3, 1000, 1, b"GET / HT", false)); // retransmission
/// r.feed_segment(seg(4, 1019, 1, b"", true));
/// let d = r.take_datagrams();
/// assert_eq!(d.len(), 1);
/// assert!(d[0].completed);
/// assert_eq!(d[0].index, [2, 1]);
/// assert_eq!(d[0].payload.bytes(), Some(&b"GET / HTHost: x\r\n\r\n"[..]));
/// assert_eq!(r.stats().retransmitted_bytes, 8);
/// ```
#[derive(Debug)]
pub struct TcpReassembler {
    strict: bool,
    limits: Limits,
    dirs: Table<DirKey, Dir>,
    buffered: usize,
    out: Vec<Datagram>,
    /// When each datagram of `out` was handed out.
    order: Vec<HandOut>,
    /// What hands out datagrams now (see [`HandOut`]).
    at: HandOut,
    /// Directions created so far.
    created: u64,
    stats: Stats,
    clock: SweepClock,
    streams: Option<StreamView>,
}

impl TcpReassembler {
    /// A reassembler; `strict` also hands out incomplete datagrams.
    pub fn new(strict: bool, limits: Limits) -> Self {
        Self {
            strict,
            limits,
            dirs: Table::default(),
            buffered: 0,
            out: Vec::new(),
            order: Vec::new(),
            at: HandOut::default(),
            created: 0,
            stats: Stats::default(),
            clock: SweepClock::default(),
            streams: None,
        }
    }

    /// Also builds a stream view (each direction of each connection as one stream).
    pub fn with_streams(mut self, view: StreamView) -> Self {
        self.streams = Some(view);
        self
    }

    /// The stream view, if one is built.
    pub fn streams(&self) -> Option<&StreamView> {
        self.streams.as_ref()
    }

    /// Takes the stream view out.
    pub fn take_streams(&mut self) -> Option<StreamView> {
        self.streams.take()
    }

    /// Feeds the TCP segment of a dissected frame, if it has one.
    pub fn feed(&mut self, number: u64, ts: Timestamp, packet: &Packet<'_>) {
        if let Some(s) = tcp_segment(number, ts, packet) {
            self.feed_segment(s);
        }
    }

    /// Feeds one segment.
    pub fn feed_segment(&mut self, s: Segment<'_>) {
        self.stats.fed += 1;
        self.sweep(s.number, s.ts);
        self.at = HandOut::input(s.number);
        let key = DirKey {
            src: (s.src, s.sport),
            dst: (s.dst, s.dport),
        };
        // A SYN with a new ISN on a known direction (or on a closed one): a new
        // connection reuses the addresses and ports.
        if s.syn
            && let Some(d) = self.dirs.get(&key)
            && (d.isn.is_some_and(|i| i != s.seq) || (d.isn.is_none() && d.closed))
        {
            for k in [key, key.reverse()] {
                if let Some(d) = self.dirs.remove(&k) {
                    self.close_dir(k, d, Flush::Syn);
                }
            }
        }
        if !self.dirs.contains(&key) {
            self.create(key, &s);
        }
        let max_holes = self.limits.max_holes;
        let max_bytes = self.limits.max_datagram_bytes;
        let Some(mut d) = self
            .dirs
            .get_mut(&key)
            .map(|d| std::mem::replace(d, Dir::placeholder()))
        else {
            return; // ok: created above
        };
        d.last = s.ts;
        if let (Some(view), Some((id, a_to_b))) = (&mut self.streams, d.conn) {
            view.segment(id, a_to_b, s.number);
        }
        if s.syn && d.isn.is_none() {
            d.isn = Some(s.seq);
            d.reference = Some((s.seq, -1));
            d.origin = 0;
        }
        if d.reference.is_none() {
            d.reference = Some((s.seq, 0));
        }
        let mut pos = d.unwrap(s.seq);
        if s.syn {
            pos += 1;
        }
        let len = s.data.len() as i64;
        if d.reference.is_some_and(|(_, rp)| pos + len > rp) {
            d.reference = Some((
                s.seq
                    .wrapping_add(u32::from(s.syn))
                    .wrapping_add(len as u32),
                pos + len,
            ));
        }
        if len > 0 {
            if d.isn.is_none() {
                d.origin = d.origin.min(pos);
            }
            self.place(&mut d, key, &s, pos, max_holes, max_bytes);
        } else if s.ack_flag && !d.runs.is_empty() {
            self.flush_acked(key, &mut d, s.ack);
        }
        if s.fin {
            d.fin_at.get_or_insert(pos + len);
        }
        if s.fin || s.rst {
            let why = if s.rst { Flush::Rst } else { Flush::Fin };
            let runs = std::mem::take(&mut d.runs);
            d.closed = true;
            self.emit_runs(key, &mut d, runs, why);
        }
        if let Some(slot) = self.dirs.get_mut(&key) {
            *slot = d;
        }
        if s.rst {
            let rk = key.reverse();
            if let Some(mut r) = self
                .dirs
                .get_mut(&rk)
                .map(|d| std::mem::replace(d, Dir::placeholder()))
            {
                let runs = std::mem::take(&mut r.runs);
                r.closed = true;
                self.emit_runs(rk, &mut r, runs, Flush::Rst);
                if let Some(slot) = self.dirs.get_mut(&rk) {
                    *slot = r;
                }
            }
        }
        self.stats.peak_buffered_bytes = self.stats.peak_buffered_bytes.max(self.buffered as u64);
        if self.buffered > self.limits.max_buffered_bytes {
            self.shed_memory();
        }
    }

    /// Flushes the oldest directions' runs until under the cap on buffered bytes.
    fn shed_memory(&mut self) {
        for k in self.dirs.keys_where(|d| d.buffered > 0) {
            if self.buffered <= self.limits.max_buffered_bytes {
                break;
            }
            if let Some(mut d) = self
                .dirs
                .get_mut(&k)
                .map(|d| std::mem::replace(d, Dir::placeholder()))
            {
                self.stats.evicted_memory += 1;
                let runs = std::mem::take(&mut d.runs);
                self.emit_runs(k, &mut d, runs, Flush::Memory);
                if let Some(slot) = self.dirs.get_mut(&k) {
                    *slot = d;
                }
            }
        }
    }

    fn create(&mut self, key: DirKey, s: &Segment<'_>) {
        while self.dirs.len() >= self.limits.max_open.max(1) {
            let Some((k, d)) = self.dirs.pop_oldest() else {
                break;
            };
            self.stats.evicted_capacity += 1;
            self.close_dir(k, d, Flush::Capacity);
        }
        let conn = match (&mut self.streams, self.dirs.get(&key.reverse())) {
            (Some(_), Some(r)) => r.conn.map(|(id, a_to_b)| (id, !a_to_b)),
            (Some(view), None) => {
                // The first segment's sender is the client, unless it is a SYN-ACK.
                let (a, b, a_to_b) = if s.syn && s.ack_flag {
                    (key.dst, key.src, false)
                } else {
                    (key.src, key.dst, true)
                };
                Some((view.open(a, b, s.number), a_to_b))
            }
            (None, _) => None,
        };
        self.dirs.insert(
            key,
            Dir {
                last: s.ts,
                reference: None,
                isn: None,
                origin: i64::MAX,
                fin_at: None,
                seen: Seen::default(),
                runs: Vec::new(),
                buffered: 0,
                closed: false,
                conn,
                born: (s.number, self.created),
            },
        );
        self.created += 1;
        self.stats.peak_open = self.stats.peak_open.max(self.dirs.len() as u64);
    }

    /// Puts a segment's new bytes into the runs and the stream view.
    fn place(
        &mut self,
        d: &mut Dir,
        key: DirKey,
        s: &Segment<'_>,
        pos: i64,
        max_holes: usize,
        max_bytes: usize,
    ) {
        let len = s.data.len() as i64;
        let new = d.seen.missing(pos, pos + len);
        let fresh: i64 = new.iter().map(|(a, b)| b - a).sum();
        if fresh == 0 {
            self.stats.retransmitted_bytes += len as u64;
            return;
        }
        self.stats.overlap_bytes += (len - fresh) as u64;
        if d.seen.add(pos, pos + len, max_holes) {
            self.stats.evicted_holes += 1;
        }
        for &(a, b) in &new {
            let bytes = s
                .data
                .get((a - pos) as usize..(b - pos) as usize)
                .unwrap_or_default();
            if let (Some(view), Some((id, a_to_b))) = (&mut self.streams, d.conn) {
                view.data(id, a_to_b, a, bytes);
            }
            self.put(d, key, s, a, bytes, max_bytes);
        }
    }

    fn put(
        &mut self,
        d: &mut Dir,
        key: DirKey,
        s: &Segment<'_>,
        at: i64,
        bytes: &[u8],
        max_bytes: usize,
    ) {
        // Inside an open run (filling one of its holes)?
        let inside = d.runs.iter().position(|r| r.start <= at && at < r.end());
        let target = match inside {
            Some(i) => Some(i),
            None => {
                let next = d.runs.partition_point(|r| r.start < at);
                let prev = next.checked_sub(1);
                match (prev.and_then(|p| d.runs.get(p)), d.runs.get(next)) {
                    (Some(p), _)
                        if p.ack == s.ack && (at - p.start) as usize + bytes.len() <= max_bytes =>
                    {
                        prev
                    }
                    (_, Some(n))
                        if n.ack == s.ack
                            && at + (bytes.len() as i64) == n.start
                            && (n.end() - at) as usize <= max_bytes =>
                    {
                        // The run's beginning arrived late: prepend.
                        if let Some(n) = d.runs.get_mut(next) {
                            let delta = bytes.len();
                            let mut buf = Vec::with_capacity(n.asm.buf.len() + delta);
                            buf.resize(delta, 0);
                            buf.extend_from_slice(&n.asm.buf);
                            n.asm.buf = buf;
                            n.asm.holes.shift(delta as u64);
                            n.start = at;
                        }
                        Some(next)
                    }
                    _ => None,
                }
            }
        };
        let i = match target {
            Some(i) => i,
            None => {
                if bytes.len() > max_bytes {
                    // A single segment beyond the cap (only with a tiny cap).
                    self.stats.oversize += 1;
                }
                let i = d.runs.partition_point(|r| r.start < at);
                d.runs.insert(
                    i,
                    OpenRun {
                        ack: s.ack,
                        start: at,
                        asm: Assembler::default(),
                        index: Vec::new(),
                        header: s.header.to_vec(),
                        first: s.ts,
                        last: s.ts,
                    },
                );
                i
            }
        };
        let mut split = false;
        let before = runs_cost(&d.runs);
        if let Some(r) = d.runs.get_mut(i) {
            let off = (at - r.start) as u64;
            if r.asm.insert(off, bytes, max_bytes).is_none() {
                split = true;
            }
            if r.index.last() != Some(&s.number) {
                r.index.push(s.number);
            }
            r.last = s.ts;
        }
        if split {
            // Cut at the cap: hand out the full run, start a new one with the bytes.
            self.stats.oversize += 1;
            let r = d.runs.remove(i);
            self.emit_runs(key, d, vec![r], Flush::Split);
            let mut r = OpenRun {
                ack: s.ack,
                start: at,
                asm: Assembler::default(),
                index: vec![s.number],
                header: s.header.to_vec(),
                first: s.ts,
                last: s.ts,
            };
            let _ = r.asm.insert(
                0,
                bytes.get(..max_bytes.min(bytes.len())).unwrap_or_default(),
                max_bytes,
            );
            d.buffered += r.asm.buf.capacity();
            self.buffered += r.asm.buf.capacity();
            let j = d.runs.partition_point(|x| x.start < at);
            d.runs.insert(j, r);
            return;
        }
        // Runs of the same ACK number that now touch become one.
        merge_adjacent(&mut d.runs, i.saturating_sub(1), max_bytes);
        let after = runs_cost(&d.runs);
        d.buffered = (d.buffered + after).saturating_sub(before);
        self.buffered = (self.buffered + after).saturating_sub(before);
        self.flush_acked(key, d, s.ack);
        while d.runs.len() > MAX_RUNS {
            self.stats.evicted_holes += 1;
            let r = d.runs.remove(0);
            self.emit_runs(key, d, vec![r], Flush::Runs);
        }
    }

    /// Hands out the whole runs of another ACK number than `ack`: the sender's ACK
    /// changed since (the peer answered), or a late byte just closed their last hole.
    fn flush_acked(&mut self, key: DirKey, d: &mut Dir, ack: u32) {
        let mut done = Vec::new();
        let mut j = 0;
        while j < d.runs.len() {
            if d.runs
                .get(j)
                .is_some_and(|r| r.ack != ack && r.asm.is_contiguous())
            {
                done.push(d.runs.remove(j));
            } else {
                j += 1;
            }
        }
        if !done.is_empty() {
            self.emit_runs(key, d, done, Flush::AckChange);
        }
    }

    fn emit_runs(&mut self, key: DirKey, d: &mut Dir, runs: Vec<OpenRun>, why: Flush) {
        for r in runs {
            let cost = r.asm.buf.capacity();
            d.buffered = d.buffered.saturating_sub(cost);
            self.buffered = self.buffered.saturating_sub(cost);
            let gap_before = r.start > d.origin && !d.seen.contains(r.start - 1);
            // A FIN beyond the run, with the byte after the run missing: its tail is lost.
            let gap_after = d
                .fin_at
                .is_some_and(|f| r.end() < f && !d.seen.contains(r.end()));
            let completed = r.asm.is_contiguous() && !gap_before && !gap_after;
            let id = DatagramId::Tcp {
                src: key.src,
                dst: key.dst,
                ack: r.ack,
            };
            let time = (r.first.as_nanos(), r.last.as_nanos());
            if completed {
                self.stats.completed += 1;
                self.hand_out(Datagram {
                    completed,
                    id,
                    index: r.index,
                    header: r.header,
                    payload: Payload::Complete(r.asm.buf),
                    flush: why,
                    time,
                });
                continue;
            }
            self.stats.incomplete += 1;
            if !self.strict {
                self.stats.incomplete_dropped += 1;
                continue;
            }
            let runs = r
                .asm
                .runs()
                .into_iter()
                .map(|(offset, data)| Run {
                    offset,
                    data: data.to_vec(),
                })
                .collect();
            self.hand_out(Datagram {
                completed,
                id,
                index: r.index,
                header: r.header,
                payload: Payload::Partial(runs),
                flush: why,
                time,
            });
        }
    }

    fn close_dir(&mut self, key: DirKey, mut d: Dir, why: Flush) {
        let runs = std::mem::take(&mut d.runs);
        self.emit_runs(key, &mut d, runs, why);
        self.buffered = self.buffered.saturating_sub(d.buffered);
    }

    /// The clock of frame `number`: flushes what has been idle past the timeout (at
    /// most every quarter timeout of capture time), as feeding a segment of that frame
    /// would. Ticking every frame, whatever its flows, makes the sweeps depend on the
    /// frames' times only, not on which segments this reassembler is fed.
    pub fn tick(&mut self, number: u64, ts: Timestamp) {
        self.sweep(number, ts);
    }

    fn hand_out(&mut self, d: Datagram) {
        self.out.push(d);
        self.order.push(self.at);
    }

    fn sweep(&mut self, number: u64, now: Timestamp) {
        let now = now.as_nanos();
        if !self.clock.due(now, self.limits.idle_timeout_ns) {
            return;
        }
        let timeout = self.limits.idle_timeout_ns;
        // Idle runs are handed out; an idle direction is forgotten only once closed
        // (FIN or RST), so a quiet connection keeps its identity in the stream view.
        // Open directions are bounded by the capacity cap.
        for (k, d) in self
            .dirs
            .take_where(|d| d.closed && now - d.last.as_nanos() > timeout)
        {
            self.at = HandOut {
                frame: number,
                phase: 0,
                born: d.born,
            };
            self.close_dir(k, d, Flush::Idle);
        }
        for k in self
            .dirs
            .keys_where(|d| !d.runs.is_empty() && now - d.last.as_nanos() > timeout)
        {
            let Some(mut d) = self
                .dirs
                .get_mut(&k)
                .map(|d| std::mem::replace(d, Dir::placeholder()))
            else {
                break;
            };
            self.stats.evicted_idle += 1;
            self.at = HandOut {
                frame: number,
                phase: 1,
                born: d.born,
            };
            let runs = std::mem::take(&mut d.runs);
            self.emit_runs(k, &mut d, runs, Flush::Idle);
            if let Some(slot) = self.dirs.get_mut(&k) {
                *slot = d;
            }
        }
    }

    /// End of input: every open run is handed out; the stream view is finished.
    pub fn finish(&mut self) -> std::io::Result<()> {
        for (k, d) in self.dirs.drain() {
            self.at = HandOut {
                frame: u64::MAX,
                phase: 0,
                born: d.born,
            };
            self.close_dir(k, d, Flush::End);
        }
        match &mut self.streams {
            Some(v) => v.finish(),
            None => Ok(()),
        }
    }

    /// Takes the datagrams handed out so far.
    pub fn take_datagrams(&mut self) -> Vec<Datagram> {
        self.order.clear();
        std::mem::take(&mut self.out)
    }

    /// Takes the datagrams handed out so far, each with when it was handed out.
    pub fn take_handed(&mut self) -> Vec<(HandOut, Datagram)> {
        let order = std::mem::take(&mut self.order);
        order
            .into_iter()
            .zip(std::mem::take(&mut self.out))
            .collect()
    }

    /// The datagrams handed out and not yet taken.
    pub fn datagrams(&self) -> &[Datagram] {
        &self.out
    }

    /// Counters.
    pub fn stats(&self) -> Stats {
        self.stats
    }

    /// Directions open now.
    pub fn open(&self) -> usize {
        self.dirs.len()
    }

    /// Bytes buffered in open runs now.
    pub fn buffered_bytes(&self) -> usize {
        self.buffered
    }

    /// Whether incomplete datagrams are handed out.
    pub fn strict(&self) -> bool {
        self.strict
    }
}

/// Bytes the runs hold.
fn runs_cost(runs: &[OpenRun]) -> usize {
    runs.iter().map(|r| r.asm.buf.capacity()).sum()
}

/// Merges run `i + 1` into run `i`, then run `i + 2` into the result, while they touch
/// and share the ACK number (and the merged run stays within `max_bytes`).
fn merge_adjacent(runs: &mut Vec<OpenRun>, i: usize, max_bytes: usize) {
    for _ in 0..2 {
        let ok = match (runs.get(i), runs.get(i + 1)) {
            (Some(a), Some(b)) => {
                a.ack == b.ack && a.end() == b.start && (b.end() - a.start) as usize <= max_bytes
            }
            _ => false,
        };
        if ok {
            let b = runs.remove(i + 1);
            if let Some(a) = runs.get_mut(i) {
                let base = (b.start - a.start) as u64;
                for (off, data) in b.asm.runs() {
                    let _ = a.asm.insert(base + off, data, max_bytes);
                }
                for n in b.index {
                    if !a.index.contains(&n) {
                        a.index.push(n);
                    }
                }
                a.last = a.last.max(b.last);
            }
        } else if runs.get(i + 1).is_none() {
            break;
        } else {
            // Also try the pair after (the run just changed may be the second one).
            let ok2 = match (runs.get(i + 1), runs.get(i + 2)) {
                (Some(a), Some(b)) => {
                    a.ack == b.ack
                        && a.end() == b.start
                        && (b.end() - a.start) as usize <= max_bytes
                }
                _ => false,
            };
            if ok2 {
                merge_adjacent(runs, i + 1, max_bytes);
            }
            break;
        }
    }
}

impl Dir {
    fn placeholder() -> Self {
        Self {
            last: Timestamp::new(0, 0),
            reference: None,
            isn: None,
            origin: i64::MAX,
            fin_at: None,
            seen: Seen::default(),
            runs: Vec::new(),
            buffered: 0,
            closed: false,
            conn: None,
            born: (0, 0),
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn sweeps_follow_the_clock_forward_only() {
        // Default TCP timeout 600 s: a sweep at most every 150 s of capture time.
        let mut r = TcpReassembler::new(true, Limits::tcp());
        for (i, s) in (0..=1000).step_by(100).enumerate() {
            r.tick(i as u64, Timestamp::new(s, 0));
        }
        // 0, 200, 400, 600, 800, 1000.
        assert_eq!(r.clock.sweeps, 6);
        for i in 0..10_000u64 {
            r.tick(
                100 + i,
                Timestamp::new(if i % 2 == 0 { 0 } else { 1100 }, 0),
            );
        }
        assert_eq!(r.clock.sweeps, 6);
        r.tick(20_000, Timestamp::new(1150, 0));
        assert_eq!(r.clock.sweeps, 7);
    }

    #[test]
    fn seen_missing_and_merge() {
        let mut s = Seen::default();
        s.add(10, 20, 64);
        s.add(30, 40, 64);
        assert_eq!(s.missing(0, 50).as_slice(), &[(0, 10), (20, 30), (40, 50)]);
        assert_eq!(s.missing(12, 18).as_slice(), &[]);
        s.add(20, 30, 64);
        assert_eq!(s.ranges, vec![(10, 40)]);
        assert!(s.contains(10) && s.contains(39) && !s.contains(40) && !s.contains(9));
        let mut s = Seen::default();
        for i in 0..5 {
            s.add(i * 10, i * 10 + 5, 3);
        }
        assert_eq!(s.ranges.len(), 3);
        assert_eq!(s.ranges.first(), Some(&(0, 25)));
    }
}
