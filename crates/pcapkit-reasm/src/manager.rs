//! The reassemblers together (PyPCAPKit's `ReassemblyManager`), fed frame by frame.

use pcapkit_core::{LinkType, Timestamp};
use pcapkit_protocols::{DissectOptions, Next, Packet, dissect_next};

use crate::datagram::{Datagram, DatagramId, Payload};
use crate::ip::{IpReassembler, IpVersion};
use crate::limits::{Limits, Stats};
use crate::stream::StreamView;
use crate::tcp::{TcpReassembler, segment_in, tcp_segment_with};

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

    /// Feeds one dissected frame to every enabled reassembler.
    pub fn feed(&mut self, number: u64, ts: Timestamp, packet: &Packet<'_>) {
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
