//! IPv4 and IPv6 fragment reassembly.
//!
//! Only real fragments are buffered (IPv4: MF set or offset > 0; IPv6: a Fragment
//! header). Buffers are keyed by (source, destination, identification, protocol), for
//! IPv6 with the Fragment header's identification (PyPCAPKit used the flow label and
//! the unscaled offset: its §10 item 20). Holes are RFC 815 descriptors in bytes;
//! overlapping bytes keep their first copy and are counted; a datagram is complete when
//! the last fragment fixed its length and no hole remains.

use std::net::IpAddr;

use pcapkit_core::Timestamp;
use pcapkit_protocols::consts::reg::TransType;
use pcapkit_protocols::internet::{Ipv4, Ipv6};
use pcapkit_protocols::{Packet, Protocol};

use crate::datagram::{Datagram, DatagramId, Flush, HandOut, Payload, Run};
use crate::holes::Assembler;
use crate::limits::{Limits, Stats, SweepClock};
use crate::table::Table;

/// IP version of a reassembler.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
pub enum IpVersion {
    /// IPv4.
    V4,
    /// IPv6.
    V6,
}

/// The key of a datagram being reassembled.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
pub struct IpKey {
    /// Source address.
    pub src: IpAddr,
    /// Destination address.
    pub dst: IpAddr,
    /// Identification.
    pub id: u32,
    /// Payload protocol.
    pub proto: u8,
}

/// One fragment, as taken from a dissected frame (or built by hand).
#[derive(Clone, Copy, Debug)]
pub struct Fragment<'a> {
    /// Frame number.
    pub number: u64,
    /// Capture time.
    pub ts: Timestamp,
    /// Whose datagram.
    pub key: IpKey,
    /// Offset of the data in the datagram, bytes.
    pub offset: u32,
    /// More fragments follow.
    pub more: bool,
    /// The IP header (IPv6: fixed header through the Fragment header).
    pub header: &'a [u8],
    /// The fragment's data as captured.
    pub data: &'a [u8],
    /// The fragment's data length as the header declares it (more than `data` when the
    /// capture cut it).
    pub declared_len: usize,
}

/// The IPv4 fragments of a dissected frame (one per fragmented IPv4 layer).
pub fn ipv4_fragments<'a, 'p>(
    number: u64,
    ts: Timestamp,
    packet: &'p Packet<'a>,
) -> impl Iterator<Item = Fragment<'a>> + 'p {
    packet.layers().iter().filter_map(move |layer| {
        let Protocol::Ipv4(ip) = &layer.header else {
            return None;
        };
        ipv4_fragment(number, ts, packet, ip, layer.start, layer.header_end)
    })
}

fn ipv4_fragment<'a>(
    number: u64,
    ts: Timestamp,
    packet: &Packet<'a>,
    ip: &Ipv4<'a>,
    start: usize,
    header_end: usize,
) -> Option<Fragment<'a>> {
    if !ip.is_fragment() {
        return None;
    }
    let data = packet.data();
    let header = data.get(start..header_end)?;
    let declared = usize::from(ip.len).saturating_sub(usize::from(ip.hdr_len));
    let avail = data.len().saturating_sub(header_end);
    let payload = data.get(header_end..header_end + declared.min(avail))?;
    Some(Fragment {
        number,
        ts,
        key: IpKey {
            src: IpAddr::V4(ip.src),
            dst: IpAddr::V4(ip.dst),
            id: u32::from(ip.id),
            proto: ip.protocol.0,
        },
        offset: u32::from(ip.offset),
        more: ip.flags.mf,
        header,
        data: payload,
        declared_len: declared,
    })
}

/// The IPv6 fragments of a dissected frame (one per IPv6 layer with a Fragment
/// header).
pub fn ipv6_fragments<'a, 'p>(
    number: u64,
    ts: Timestamp,
    packet: &'p Packet<'a>,
) -> impl Iterator<Item = Fragment<'a>> + 'p {
    packet.layers().iter().filter_map(move |layer| {
        let Protocol::Ipv6(ip) = &layer.header else {
            return None;
        };
        ipv6_fragment(number, ts, ip)
    })
}

fn ipv6_fragment<'a>(number: u64, ts: Timestamp, ip: &Ipv6<'a>) -> Option<Fragment<'a>> {
    let frag = ip.frag()?;
    if frag.offset == 0 && !frag.mf {
        // An atomic fragment (RFC 6946): a whole datagram, not buffered.
        return None;
    }
    let parts = ip.fragment()?;
    // Declared data length: the payload length covers everything after the fixed
    // header; the fragment data is what follows the Fragment header.
    let declared = (40 + usize::from(ip.payload)).saturating_sub(parts.header.0.len());
    Some(Fragment {
        number,
        ts,
        key: IpKey {
            src: IpAddr::V6(ip.src),
            dst: IpAddr::V6(ip.dst),
            id: frag.id,
            proto: frag.next.0,
        },
        offset: u32::from(frag.offset),
        more: frag.mf,
        header: parts.header.0,
        data: parts.payload.0,
        declared_len: if ip.payload == 0 {
            parts.payload.0.len()
        } else {
            declared
        },
    })
}

#[derive(Debug)]
struct Buffer {
    index: Vec<u64>,
    header: Vec<u8>,
    asm: Assembler,
    first: Timestamp,
    last: Timestamp,
    /// Frame number of its creation, and its order of creation.
    born: (u64, u64),
}

impl Buffer {
    fn cost(&self) -> usize {
        self.asm.buf.capacity() + self.header.capacity() + self.index.capacity() * 8 + 128
    }
}

/// An IPv4 or IPv6 reassembler: feed it frames (or fragments), take the datagrams.
///
/// ```
/// use pcapkit_reasm::{IpReassembler, IpVersion, IpKey, Fragment, Limits};
/// use pcapkit_core::Timestamp;
///
/// let mut r = IpReassembler::new(IpVersion::V4, true, Limits::ip());
/// let key = IpKey { src: "10.0.0.1".parse()?, dst: "10.0.0.2".parse()?, id: 7, proto: 17 };
/// let frag = |number, offset, more, data: &'static [u8]| Fragment {
///     number, ts: Timestamp::new(0, 0), key, offset, more, header: &[], data,
///     declared_len: data.len(),
/// };
/// r.feed_fragment(frag(2, 8, false, b"world!"));
/// r.feed_fragment(frag(1, 0, true, b"hello, w"));
/// let d = r.take_datagrams();
/// assert_eq!(d.len(), 1);
/// assert!(d[0].completed);
/// assert_eq!(d[0].index, [2, 1]);
/// assert_eq!(d[0].payload.bytes(), Some(&b"hello, wworld!"[..]));
/// # Ok::<(), std::net::AddrParseError>(())
/// ```
#[derive(Debug)]
pub struct IpReassembler {
    version: IpVersion,
    strict: bool,
    limits: Limits,
    open: Table<IpKey, Buffer>,
    /// Recently completed datagrams: later duplicates of their fragments are dropped.
    done: Table<IpKey, Timestamp>,
    buffered: usize,
    out: Vec<Datagram>,
    /// When each datagram of `out` was handed out.
    order: Vec<HandOut>,
    /// What hands out datagrams now (see [`HandOut`]).
    at: HandOut,
    /// Buffers created so far.
    created: u64,
    stats: Stats,
    clock: SweepClock,
}

impl IpReassembler {
    /// A reassembler for `version`; `strict` also hands out incomplete datagrams.
    pub fn new(version: IpVersion, strict: bool, limits: Limits) -> Self {
        Self {
            version,
            strict,
            limits,
            open: Table::default(),
            done: Table::default(),
            buffered: 0,
            out: Vec::new(),
            order: Vec::new(),
            at: HandOut::default(),
            created: 0,
            stats: Stats::default(),
            clock: SweepClock::default(),
        }
    }

    /// The IP version.
    pub fn version(&self) -> IpVersion {
        self.version
    }

    /// Feeds every fragment of a dissected frame.
    pub fn feed(&mut self, number: u64, ts: Timestamp, packet: &Packet<'_>) {
        match self.version {
            IpVersion::V4 => {
                for f in ipv4_fragments(number, ts, packet) {
                    self.feed_fragment(f);
                }
            }
            IpVersion::V6 => {
                for f in ipv6_fragments(number, ts, packet) {
                    self.feed_fragment(f);
                }
            }
        }
    }

    /// Feeds one fragment.
    pub fn feed_fragment(&mut self, f: Fragment<'_>) {
        self.stats.fed += 1;
        self.sweep(f.number, f.ts);
        self.at = HandOut::input(f.number);
        if let Some(&t) = self.done.get(&f.key) {
            if f.ts.as_nanos() - t.as_nanos() <= self.limits.idle_timeout_ns {
                self.stats.duplicate_fragments += 1;
                return;
            }
            self.done.remove(&f.key);
        }
        let max = self.limits.max_datagram_bytes;
        if u64::from(f.offset) + f.declared_len as u64 > max as u64 {
            self.stats.oversize += 1;
            return;
        }
        if !self.open.contains(&f.key) {
            while self.open.len() >= self.limits.max_open.max(1) {
                let Some((k, b)) = self.open.pop_oldest() else {
                    break;
                };
                self.stats.evicted_capacity += 1;
                self.flush(k, b, Flush::Capacity);
            }
            let buf = Buffer {
                index: Vec::new(),
                header: Vec::new(),
                asm: Assembler::default(),
                first: f.ts,
                last: f.ts,
                born: (f.number, self.created),
            };
            self.created += 1;
            self.buffered += buf.cost();
            self.open.insert(f.key, buf);
            self.stats.peak_open = self.stats.peak_open.max(self.open.len() as u64);
        }
        let Some(buf) = self.open.get_mut(&f.key) else {
            return; // ok: inserted above
        };
        let before = buf.cost();
        buf.index.push(f.number);
        buf.last = f.ts;
        if f.offset == 0 && buf.header.is_empty() {
            buf.header = f.header.to_vec();
        }
        if let Some(ins) = buf.asm.insert(u64::from(f.offset), f.data, max) {
            self.stats.overlap_bytes += ins.overlap;
        }
        // A fragment cut by the capture leaves its tail as a hole; the length is only
        // known from a last fragment that was captured whole... or not: the header
        // says it, so the total is known either way.
        if !f.more && !buf.asm.set_end(u64::from(f.offset) + f.declared_len as u64) {
            self.stats.conflicts += 1;
        }
        let too_many_holes = buf.asm.holes.len() > self.limits.max_holes;
        let complete = buf.asm.is_complete();
        let after = buf.cost();
        self.buffered = self.buffered + after - before.min(after);
        self.stats.peak_buffered_bytes = self.stats.peak_buffered_bytes.max(self.buffered as u64);
        if complete || too_many_holes {
            if let Some(b) = self.open.remove(&f.key) {
                if too_many_holes && !complete {
                    self.stats.evicted_holes += 1;
                }
                self.flush(f.key, b, Flush::Complete);
            }
        }
        while self.buffered > self.limits.max_buffered_bytes {
            let Some((k, b)) = self.open.pop_oldest() else {
                break;
            };
            self.stats.evicted_memory += 1;
            self.flush(k, b, Flush::Memory);
        }
    }

    /// The clock of frame `number`: flushes what has been idle past the timeout (at
    /// most every quarter timeout of capture time), as feeding a fragment of that frame
    /// would. Ticking every frame, whatever its flows, makes the sweeps depend on the
    /// frames' times only, not on which fragments this reassembler is fed.
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
        for (k, b) in self.open.take_where(|b| now - b.last.as_nanos() > timeout) {
            self.stats.evicted_idle += 1;
            self.at = HandOut {
                frame: number,
                phase: 1,
                born: b.born,
            };
            self.flush(k, b, Flush::Idle);
        }
        let _ = self.done.take_where(|t| now - t.as_nanos() > timeout);
    }

    fn flush(&mut self, key: IpKey, b: Buffer, why: Flush) {
        self.buffered = self.buffered.saturating_sub(b.cost());
        let complete = b.asm.is_complete();
        let id = DatagramId::Ip {
            src: key.src,
            dst: key.dst,
            id: key.id,
            proto: TransType(key.proto),
        };
        let time = (b.first.as_nanos(), b.last.as_nanos());
        if complete {
            self.stats.completed += 1;
            self.done.insert(key, b.last);
            while self.done.len() > self.limits.max_open.max(1) {
                let _ = self.done.pop_oldest();
            }
            self.hand_out(Datagram {
                completed: true,
                id,
                index: b.index,
                header: b.header,
                payload: Payload::Complete(b.asm.buf),
                flush: why,
                time,
            });
            return;
        }
        self.stats.incomplete += 1;
        if !self.strict {
            self.stats.incomplete_dropped += 1;
            return;
        }
        let runs = b
            .asm
            .runs()
            .into_iter()
            .map(|(offset, data)| Run {
                offset,
                data: data.to_vec(),
            })
            .collect();
        self.hand_out(Datagram {
            completed: false,
            id,
            index: b.index,
            header: b.header,
            payload: Payload::Partial(runs),
            flush: why,
            time,
        });
    }

    /// End of input: every open buffer is handed out (incomplete, in strict mode).
    pub fn finish(&mut self) {
        for (k, b) in self.open.drain() {
            self.at = HandOut {
                frame: u64::MAX,
                phase: 0,
                born: b.born,
            };
            self.flush(k, b, Flush::End);
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

    /// Buffers open now.
    pub fn open(&self) -> usize {
        self.open.len()
    }

    /// Bytes buffered now (an estimate including per-buffer overhead).
    pub fn buffered_bytes(&self) -> usize {
        self.buffered
    }

    /// Whether incomplete datagrams are handed out.
    pub fn strict(&self) -> bool {
        self.strict
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn sweeps_follow_the_clock_forward_only() {
        // Default IP timeout 30 s: a sweep at most every 7.5 s of capture time.
        let mut r = IpReassembler::new(IpVersion::V4, true, Limits::ip());
        for (i, s) in (0..=60).step_by(5).enumerate() {
            r.tick(i as u64, Timestamp::new(s, 0));
        }
        // 0, 10, 20, ... 60: every tick 7.5 s or more after the last sweep sweeps.
        assert_eq!(r.clock.sweeps, 7);
        // A clock jumping back and forth sweeps no more: before, each step back
        // restarted the clock and every frame scanned every open buffer.
        for i in 0..10_000u64 {
            r.tick(100 + i, Timestamp::new(if i % 2 == 0 { 0 } else { 65 }, 0));
        }
        assert_eq!(r.clock.sweeps, 7);
        r.tick(20_000, Timestamp::new(68, 0));
        assert_eq!(r.clock.sweeps, 8);
    }
}
