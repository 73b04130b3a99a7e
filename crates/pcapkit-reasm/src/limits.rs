//! Caps against hostile input, and the counters that report what they cost.

use serde::Serialize;

/// Caps of one reassembler. Whatever a cap evicts is handed out (as an incomplete
/// datagram in strict mode) and counted in [`Stats`]; nothing is dropped silently.
///
/// The defaults hold a reassembler under about 64 MiB (IP) / 192 MiB (TCP) of
/// buffered bytes plus a small fixed cost per open buffer, however large the capture.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct Limits {
    /// Most bytes of one datagram (IP: the reassembled payload; TCP: one run of
    /// segments, cut into several datagrams beyond it).
    pub max_datagram_bytes: usize,
    /// Most open buffers (IP: datagrams being reassembled; TCP: connection
    /// directions). The oldest is evicted to make room.
    pub max_open: usize,
    /// Most bytes buffered in all open buffers together. The oldest buffers are
    /// flushed until under it.
    pub max_buffered_bytes: usize,
    /// A buffer that saw nothing for this long (capture time, nanoseconds) is
    /// flushed and forgotten.
    pub idle_timeout_ns: i128,
    /// Most hole descriptors per datagram (IP) or held byte ranges per direction
    /// (TCP): tiny overlapping fragments cannot make the hole list grow without bound.
    pub max_holes: usize,
}

const SEC: i128 = 1_000_000_000;

/// When a reassembler sweeps for idle buffers: at most every quarter of the idle
/// timeout of capture time, and only forward. A frame whose time is before the last
/// sweep (an out-of-order or hostile capture) does not sweep, so sweeps are at least
/// that far apart and a buffer is scanned a bounded number of times per frame that
/// touched it, whatever the clock does.
#[derive(Clone, Copy, Debug, Default)]
pub(crate) struct SweepClock {
    last: Option<i128>,
    /// Sweeps so far (each scans the open buffers).
    pub(crate) sweeps: u64,
}

impl SweepClock {
    /// Whether a sweep is due at `now` (nanoseconds) for `timeout_ns`; if so, it is
    /// recorded as done.
    pub(crate) fn due(&mut self, now: i128, timeout_ns: i128) -> bool {
        let every = (timeout_ns / 4).max(1);
        if self.last.is_some_and(|t| now < t.saturating_add(every)) {
            return false;
        }
        self.last = Some(now);
        self.sweeps += 1;
        true
    }
}

impl Limits {
    /// IP defaults: 65535-byte datagrams (the IPv4 / non-jumbo IPv6 maximum), 16384
    /// open datagrams, 64 MiB buffered, 30 s idle timeout (Linux's `ipfrag_time`), 1024
    /// holes.
    pub const fn ip() -> Self {
        Self {
            max_datagram_bytes: 65535,
            max_open: 16_384,
            max_buffered_bytes: 64 << 20,
            idle_timeout_ns: 30 * SEC,
            max_holes: 1024,
        }
    }

    /// TCP defaults: 16 MiB per datagram, 65536 open directions, 192 MiB buffered,
    /// 600 s idle timeout, 64 held ranges per direction.
    pub const fn tcp() -> Self {
        Self {
            max_datagram_bytes: 16 << 20,
            max_open: 65_536,
            max_buffered_bytes: 192 << 20,
            idle_timeout_ns: 600 * SEC,
            max_holes: 64,
        }
    }

    /// One of `parts` shares of these caps (reassemblers fed disjoint flows, the
    /// `server` engine's workers): open buffers and buffered bytes divided (at least 1),
    /// the caps per datagram, per buffer and the timeout unchanged.
    pub fn share(self, parts: usize) -> Self {
        let parts = parts.max(1);
        Self {
            max_open: (self.max_open / parts).max(1),
            max_buffered_bytes: (self.max_buffered_bytes / parts).max(1),
            ..self
        }
    }
}

/// What a reassembler did, eviction counters included.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq, Serialize)]
pub struct Stats {
    /// Fragments (IP) or segments (TCP) fed.
    pub fed: u64,
    /// Complete datagrams handed out.
    pub completed: u64,
    /// Incomplete datagrams handed out (strict) or dropped (non-strict).
    pub incomplete: u64,
    /// Of those, not reported because strict is off.
    pub incomplete_dropped: u64,
    /// Bytes that overlapped bytes already received (the first copy is kept).
    pub overlap_bytes: u64,
    /// TCP: bytes of segments already received whole (retransmissions).
    pub retransmitted_bytes: u64,
    /// IP: fragments of a datagram already completed (duplicates), dropped.
    pub duplicate_fragments: u64,
    /// Fragments whose data would reach beyond the datagram cap (IP: not a valid
    /// datagram), or TCP runs cut at the cap.
    pub oversize: u64,
    /// Buffers flushed because they were idle past the timeout.
    pub evicted_idle: u64,
    /// Buffers evicted because too many were open.
    pub evicted_capacity: u64,
    /// Buffers flushed because too many bytes were buffered.
    pub evicted_memory: u64,
    /// IP: datagrams given up because of too many holes; TCP: gaps given up (the
    /// bytes of a gap arriving later are then ignored) or runs flushed early because
    /// too many waited for a retransmission.
    pub evicted_holes: u64,
    /// IP: fragments whose last-fragment length contradicts an earlier one (the
    /// first is kept).
    pub conflicts: u64,
    /// Most buffers open at once.
    pub peak_open: u64,
    /// Most bytes buffered at once.
    pub peak_buffered_bytes: u64,
}

impl std::ops::AddAssign for Stats {
    /// Adds the counters of a reassembler fed other flows (the peaks are summed: an
    /// upper bound of the peak of both together).
    fn add_assign(&mut self, o: Self) {
        self.fed += o.fed;
        self.completed += o.completed;
        self.incomplete += o.incomplete;
        self.incomplete_dropped += o.incomplete_dropped;
        self.overlap_bytes += o.overlap_bytes;
        self.retransmitted_bytes += o.retransmitted_bytes;
        self.duplicate_fragments += o.duplicate_fragments;
        self.oversize += o.oversize;
        self.evicted_idle += o.evicted_idle;
        self.evicted_capacity += o.evicted_capacity;
        self.evicted_memory += o.evicted_memory;
        self.evicted_holes += o.evicted_holes;
        self.conflicts += o.conflicts;
        self.peak_open += o.peak_open;
        self.peak_buffered_bytes += o.peak_buffered_bytes;
    }
}

impl Stats {
    /// Total evictions by any cap (idle, capacity, memory, holes).
    pub fn evictions(&self) -> u64 {
        self.evicted_idle + self.evicted_capacity + self.evicted_memory + self.evicted_holes
    }
}
