//! The reassemblers together (PyPCAPKit's `ReassemblyManager`), fed frame by frame.

use pcapkit_core::{LinkType, Timestamp};
use pcapkit_protocols::{DissectOptions, Next, Packet, dissect_next};

use crate::datagram::{Datagram, DatagramId, HandOut, Payload};
use crate::ip::{Fragment, IpReassembler, IpVersion, ipv4_fragments, ipv6_fragments};
use crate::limits::{Limits, Stats};
use crate::stream::StreamView;
use crate::tcp::{Segment, TcpReassembler, segment_in, tcp_segment_with};

/// A reassembly protocol.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
pub enum Protocol {
    /// IPv4 fragments.
    Ipv4,
    /// IPv6 fragments.
    Ipv6,
    /// TCP segments.
    Tcp,
}

impl Protocol {
    /// `IPv4`, `IPv6` or `TCP`, any case.
    pub fn from_name(name: &str) -> Option<Self> {
        let n = name.trim();
        [Protocol::Ipv4, Protocol::Ipv6, Protocol::Tcp]
            .into_iter()
            .find(|p| p.name().eq_ignore_ascii_case(n))
    }

    /// The protocol's name (`IPv4`, `IPv6`, `TCP`).
    pub const fn name(self) -> &'static str {
        match self {
            Protocol::Ipv4 => "IPv4",
            Protocol::Ipv6 => "IPv6",
            Protocol::Tcp => "TCP",
        }
    }
}

/// The enabled reassemblers, fed with each dissected frame. A completed IP datagram
/// that carries TCP is fed to TCP reassembly (as Wireshark does); while IP reassembly
/// of that version is on, TCP ignores the partial segment in a first fragment.
#[derive(Debug)]
pub struct Reassembly {
    /// IPv4 reassembly, if enabled.
    pub ipv4: Option<IpReassembler>,
    /// IPv6 reassembly, if enabled.
    pub ipv6: Option<IpReassembler>,
    /// TCP reassembly, if enabled.
    pub tcp: Option<TcpReassembler>,
}

impl Reassembly {
    /// The reassemblers for `protocols`, with the default [`Limits`].
    pub fn new(protocols: &[Protocol], strict: bool) -> Self {
        Self::with_limits(protocols, strict, Limits::ip(), Limits::tcp())
    }

    /// The reassemblers for `protocols` with these caps.
    pub fn with_limits(protocols: &[Protocol], strict: bool, ip: Limits, tcp: Limits) -> Self {
        let on = |p| protocols.contains(&p);
        Self {
            ipv4: on(Protocol::Ipv4).then(|| IpReassembler::new(IpVersion::V4, strict, ip)),
            ipv6: on(Protocol::Ipv6).then(|| IpReassembler::new(IpVersion::V6, strict, ip)),
            tcp: on(Protocol::Tcp).then(|| TcpReassembler::new(strict, tcp)),
        }
    }

    /// Builds a stream view alongside TCP reassembly (no effect without TCP).
    pub fn with_streams(mut self, view: StreamView) -> Self {
        self.tcp = self.tcp.map(|t| t.with_streams(view));
        self
    }

    /// Whether nothing is enabled.
    pub fn is_empty(&self) -> bool {
        self.ipv4.is_none() && self.ipv6.is_none() && self.tcp.is_none()
    }

    /// Which inputs [`Reassembly::feed`] takes from a frame: what [`Facts::of`] needs
    /// to take the same ones on another thread.
    pub fn wants(&self) -> Wants {
        Wants {
            ipv4: self.ipv4.is_some(),
            ipv6: self.ipv6.is_some(),
            tcp: self.tcp.is_some(),
        }
    }

    /// Feeds what [`Facts::of`] took from a frame: the same as [`Reassembly::feed`]
    /// with that frame's dissection (the facts must have been taken with
    /// [`Reassembly::wants`]).
    pub fn feed_facts(&mut self, facts: &Facts) {
        let (number, ts) = (facts.number, facts.ts);
        self.tick(number, ts);
        let lists = [(&mut self.ipv4, &facts.ipv4), (&mut self.ipv6, &facts.ipv6)];
        for (r, frags) in lists {
            let Some(r) = r else { continue };
            let before = r.datagrams().len();
            for f in frags {
                r.feed_fragment(f.fragment());
            }
            if let Some(tcp) = &mut self.tcp {
                feed_tcp_datagrams(
                    tcp,
                    r.datagrams().get(before..).unwrap_or_default(),
                    number,
                    ts,
                );
            }
        }
        if let (Some(tcp), Some(s)) = (&mut self.tcp, &facts.tcp) {
            tcp.feed_segment(s.segment());
        }
    }

    /// Feeds one dissected frame to every enabled reassembler.
    pub fn feed(&mut self, number: u64, ts: Timestamp, packet: &Packet<'_>) {
        self.tick(number, ts);
        for r in [&mut self.ipv4, &mut self.ipv6].into_iter().flatten() {
            let before = r.datagrams().len();
            r.feed(number, ts, packet);
            if let Some(tcp) = &mut self.tcp {
                feed_tcp_datagrams(
                    tcp,
                    r.datagrams().get(before..).unwrap_or_default(),
                    number,
                    ts,
                );
            }
        }
        if let Some(tcp) = &mut self.tcp
            && let Some(s) =
                tcp_segment_with(number, ts, packet, self.ipv4.is_some(), self.ipv6.is_some())
        {
            tcp.feed_segment(s);
        }
    }

    /// The clock of frame `number` (idle sweeps), without its input: what a
    /// reassembler fed only some flows is given for the other frames, so that it
    /// sweeps at the frames one fed every frame does. [`Reassembly::feed`] and
    /// [`Reassembly::feed_facts`] tick first.
    pub fn tick(&mut self, number: u64, ts: Timestamp) {
        for r in [&mut self.ipv4, &mut self.ipv6].into_iter().flatten() {
            r.tick(number, ts);
        }
        if let Some(t) = &mut self.tcp {
            t.tick(number, ts);
        }
    }

    /// End of input: hands out everything still open and finishes the stream view.
    pub fn finish(&mut self) -> std::io::Result<()> {
        for r in [&mut self.ipv4, &mut self.ipv6].into_iter().flatten() {
            r.finish();
        }
        match &mut self.tcp {
            Some(t) => t.finish(),
            None => Ok(()),
        }
    }

    /// Takes the datagrams `protocol` handed out so far (empty when disabled).
    pub fn take(&mut self, protocol: Protocol) -> Vec<Datagram> {
        match protocol {
            Protocol::Ipv4 => self.ipv4.as_mut().map(IpReassembler::take_datagrams),
            Protocol::Ipv6 => self.ipv6.as_mut().map(IpReassembler::take_datagrams),
            Protocol::Tcp => self.tcp.as_mut().map(TcpReassembler::take_datagrams),
        }
        .unwrap_or_default()
    }

    /// Takes the datagrams `protocol` handed out so far, each with when it was handed
    /// out (to merge reassemblers fed disjoint flows: see [`HandOut`]).
    pub fn take_handed(&mut self, protocol: Protocol) -> Vec<(HandOut, Datagram)> {
        match protocol {
            Protocol::Ipv4 => self.ipv4.as_mut().map(IpReassembler::take_handed),
            Protocol::Ipv6 => self.ipv6.as_mut().map(IpReassembler::take_handed),
            Protocol::Tcp => self.tcp.as_mut().map(TcpReassembler::take_handed),
        }
        .unwrap_or_default()
    }

    /// Whether `protocol`'s reassembler has datagrams not yet taken (cheap: check it
    /// before [`Reassembly::take`] on every frame).
    pub fn has_new(&self, protocol: Protocol) -> bool {
        match protocol {
            Protocol::Ipv4 => self
                .ipv4
                .as_ref()
                .is_some_and(|r| !r.datagrams().is_empty()),
            Protocol::Ipv6 => self
                .ipv6
                .as_ref()
                .is_some_and(|r| !r.datagrams().is_empty()),
            Protocol::Tcp => self.tcp.as_ref().is_some_and(|r| !r.datagrams().is_empty()),
        }
    }

    /// The counters of `protocol`, `None` when disabled.
    pub fn stats(&self, protocol: Protocol) -> Option<Stats> {
        match protocol {
            Protocol::Ipv4 => self.ipv4.as_ref().map(IpReassembler::stats),
            Protocol::Ipv6 => self.ipv6.as_ref().map(IpReassembler::stats),
            Protocol::Tcp => self.tcp.as_ref().map(TcpReassembler::stats),
        }
    }
}

/// Feeds the TCP segments carried by completed IP datagrams.
fn feed_tcp_datagrams(tcp: &mut TcpReassembler, new: &[Datagram], number: u64, ts: Timestamp) {
    for d in new {
        let (
            DatagramId::Ip {
                src, dst, proto, ..
            },
            Payload::Complete(bytes),
        ) = (&d.id, &d.payload)
        else {
            continue;
        };
        if proto.0 != 6 || !d.completed {
            continue;
        }
        let p = dissect_next(
            Next::IpProto(*proto),
            LinkType::RAW,
            bytes,
            &DissectOptions::default(),
        );
        if let Some(s) = segment_in(number, ts, *src, *dst, &p) {
            tcp.feed_segment(s);
        }
    }
}

/// Which reassemblers are on (see [`Reassembly::wants`]).
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq)]
pub struct Wants {
    /// IPv4 reassembly.
    pub ipv4: bool,
    /// IPv6 reassembly.
    pub ipv6: bool,
    /// TCP reassembly.
    pub tcp: bool,
}

/// A fragment with its bytes owned.
#[derive(Clone, Debug)]
pub struct FragmentBuf {
    number: u64,
    ts: Timestamp,
    key: crate::ip::IpKey,
    offset: u32,
    more: bool,
    header: Vec<u8>,
    data: Vec<u8>,
    declared_len: usize,
}

impl FragmentBuf {
    fn new(f: &Fragment<'_>) -> Self {
        Self {
            number: f.number,
            ts: f.ts,
            key: f.key,
            offset: f.offset,
            more: f.more,
            header: f.header.to_vec(),
            data: f.data.to_vec(),
            declared_len: f.declared_len,
        }
    }

    fn fragment(&self) -> Fragment<'_> {
        Fragment {
            number: self.number,
            ts: self.ts,
            key: self.key,
            offset: self.offset,
            more: self.more,
            header: &self.header,
            data: &self.data,
            declared_len: self.declared_len,
        }
    }
}

/// A TCP segment with its bytes owned.
#[derive(Clone, Debug)]
pub struct SegmentBuf {
    seg: Segment<'static>,
    header: Vec<u8>,
    data: Vec<u8>,
}

impl SegmentBuf {
    fn new(s: &Segment<'_>) -> Self {
        Self {
            seg: Segment {
                header: &[],
                data: &[],
                ..*s
            },
            header: s.header.to_vec(),
            data: s.data.to_vec(),
        }
    }

    fn segment(&self) -> Segment<'_> {
        Segment {
            header: &self.header,
            data: &self.data,
            ..self.seg
        }
    }
}

/// What reassembly takes from one dissected frame (fragments, the TCP segment), with
/// the bytes copied: taken where the frame was dissected (a worker thread) and fed
/// with [`Reassembly::feed_facts`] elsewhere, so a frame is dissected once.
#[derive(Clone, Debug, Default)]
pub struct Facts {
    number: u64,
    ts: Timestamp,
    ipv4: Vec<FragmentBuf>,
    ipv6: Vec<FragmentBuf>,
    tcp: Option<SegmentBuf>,
}

impl Facts {
    /// The inputs of frame `number` that reassemblers `wants` take.
    pub fn of(wants: Wants, number: u64, ts: Timestamp, packet: &Packet<'_>) -> Self {
        let take = |on: bool, it: &mut dyn Iterator<Item = Fragment<'_>>| -> Vec<FragmentBuf> {
            if on {
                it.map(|f| FragmentBuf::new(&f)).collect()
            } else {
                Vec::new()
            }
        };
        Self {
            number,
            ts,
            ipv4: take(wants.ipv4, &mut ipv4_fragments(number, ts, packet)),
            ipv6: take(wants.ipv6, &mut ipv6_fragments(number, ts, packet)),
            tcp: if wants.tcp {
                tcp_segment_with(number, ts, packet, wants.ipv4, wants.ipv6)
                    .map(|s| SegmentBuf::new(&s))
            } else {
                None
            },
        }
    }

    /// Whether the frame gives reassembly nothing.
    pub fn is_empty(&self) -> bool {
        self.ipv4.is_empty() && self.ipv6.is_empty() && self.tcp.is_none()
    }
}
