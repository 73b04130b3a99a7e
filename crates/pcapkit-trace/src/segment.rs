//! [`Segment`]: what tracing needs from a dissected frame (addresses, ports, sequence
//! number, flags, payload length), and the flow key built from it.

use std::hash::{BuildHasher, Hasher};
use std::net::IpAddr;

use pcapkit_protocols::{Packet, Protocol};

/// One end of a connection: address and port.
#[derive(Clone, Copy, Debug, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub struct Endpoint {
    /// IP address.
    pub addr: IpAddr,
    /// TCP port.
    pub port: u16,
}

impl Endpoint {
    /// `addr_port` as flow labels write it (IPv6 `:` become `.`).
    pub fn label(&self) -> String {
        let addr = match self.addr {
            IpAddr::V4(a) => a.to_string(),
            IpAddr::V6(a) => a.to_string().replace(':', "."),
        };
        format!("{addr}_{}", self.port)
    }
}

/// The TCP facts of one frame.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct Segment {
    /// Sender.
    pub src: Endpoint,
    /// Receiver.
    pub dst: Endpoint,
    /// Sequence number.
    pub seq: u32,
    /// TCP flag bits (FIN 0x01, SYN 0x02, RST 0x04, ..., ACK 0x10).
    pub flags: u16,
    /// Payload bytes (tshark's `tcp.len`).
    pub payload: u64,
}

/// TCP flag bits used by tracing.
pub(crate) mod flag {
    pub const FIN: u16 = 0x001;
    pub const SYN: u16 = 0x002;
    pub const RST: u16 = 0x004;
    pub const ACK: u16 = 0x010;
}

impl Segment {
    /// The TCP segment of a dissected frame: the first TCP layer and the IP layer just
    /// before it (the innermost one, for tunnels). A header the snaplen cut counts once
    /// its sequence number and flags are there. `None` when the frame carries no such
    /// TCP header.
    ///
    /// ```
    /// use pcapkit_core::LinkType;
    /// use pcapkit_protocols::{dissect, DissectOptions};
    /// use pcapkit_trace::Segment;
    ///
    /// let packet = dissect(LinkType::ETHERNET, &[0u8; 14], &DissectOptions::default());
    /// assert_eq!(Segment::from_packet(&packet), None);
    /// ```
    pub fn from_packet(packet: &Packet<'_>) -> Option<Segment> {
        let layers = packet.layers();
        let (tcp_at, ports, seq, word, payload) =
            layers
                .iter()
                .enumerate()
                .find_map(|(i, l)| match &l.header {
                    Protocol::Tcp(t) => Some((i, (t.src, t.dst), t.seq, t.word, t.len as u64)),
                    // A header the snaplen cut (not an ICMP quote, which has no `len`):
                    // tshark gives it a stream once its sequence number and flags were
                    // captured, and so do we.
                    Protocol::TcpQuote(q) => {
                        Some((i, (q.src, q.dst), q.seq?, q.word?, q.len? as u64))
                    }
                    _ => None,
                })?;
        let (src, dst) = layers
            .get(..tcp_at)?
            .iter()
            .rev()
            .find_map(|l| match &l.header {
                Protocol::Ipv4(ip) => Some((IpAddr::V4(ip.src), IpAddr::V4(ip.dst))),
                Protocol::Ipv6(ip) => Some((IpAddr::V6(ip.src), IpAddr::V6(ip.dst))),
                _ => None,
            })?;
        Some(Segment {
            src: Endpoint {
                addr: src,
                port: ports.0,
            },
            dst: Endpoint {
                addr: dst,
                port: ports.1,
            },
            seq,
            flags: word & 0x0fff,
            payload,
        })
    }

    /// SYN without ACK: a connection attempt.
    pub fn is_syn(&self) -> bool {
        self.flags & (flag::SYN | flag::ACK) == flag::SYN
    }

    /// SYN with ACK: a connection acceptance.
    pub fn is_syn_ack(&self) -> bool {
        self.flags & (flag::SYN | flag::ACK) == flag::SYN | flag::ACK
    }

    /// FIN set.
    pub fn is_fin(&self) -> bool {
        self.flags & flag::FIN != 0
    }

    /// RST set.
    pub fn is_rst(&self) -> bool {
        self.flags & flag::RST != 0
    }

    /// The unordered address/port pair, lower endpoint first.
    pub(crate) fn key(&self) -> Key {
        if self.src <= self.dst {
            Key(self.src, self.dst)
        } else {
            Key(self.dst, self.src)
        }
    }
}

/// The flow table's key: both endpoints, lower first.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
pub(crate) struct Key(pub Endpoint, pub Endpoint);

/// A fast non-cryptographic hasher (FxHash's multiply-rotate) for the flow table: the
/// keys are addresses and ports, and tracing must not spend its time hashing them.
#[derive(Clone, Copy, Default)]
pub(crate) struct FxBuild;

#[derive(Clone, Copy, Default)]
pub(crate) struct Fx(u64);

const SEED: u64 = 0x51_7c_c1_b7_27_22_0a_95;

impl Fx {
    #[inline]
    fn add(&mut self, v: u64) {
        self.0 = (self.0.rotate_left(5) ^ v).wrapping_mul(SEED);
    }
}

impl Hasher for Fx {
    #[inline]
    fn write(&mut self, bytes: &[u8]) {
        let mut chunks = bytes.chunks_exact(8);
        for c in &mut chunks {
            let mut w = [0u8; 8];
            w.copy_from_slice(c);
            self.add(u64::from_le_bytes(w));
        }
        for &b in chunks.remainder() {
            self.add(u64::from(b));
        }
    }
    #[inline]
    fn write_u8(&mut self, i: u8) {
        self.add(u64::from(i));
    }
    #[inline]
    fn write_u16(&mut self, i: u16) {
        self.add(u64::from(i));
    }
    #[inline]
    fn write_u32(&mut self, i: u32) {
        self.add(u64::from(i));
    }
    #[inline]
    fn write_u64(&mut self, i: u64) {
        self.add(i);
    }
    #[inline]
    fn write_usize(&mut self, i: usize) {
        self.add(i as u64);
    }
    #[inline]
    fn finish(&self) -> u64 {
        self.0
    }
}

impl BuildHasher for FxBuild {
    type Hasher = Fx;
    fn build_hasher(&self) -> Fx {
        Fx::default()
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use std::net::{Ipv4Addr, Ipv6Addr};

    #[test]
    fn labels_and_keys() {
        let a = Endpoint {
            addr: IpAddr::V6(Ipv6Addr::new(0x2001, 0xdb8, 0, 0, 0, 0, 0, 1)),
            port: 40200,
        };
        assert_eq!(a.label(), "2001.db8..1_40200");
        let b = Endpoint {
            addr: IpAddr::V4(Ipv4Addr::new(10, 0, 0, 2)),
            port: 80,
        };
        let s = Segment {
            src: a,
            dst: b,
            seq: 0,
            flags: flag::SYN,
            payload: 0,
        };
        let r = Segment {
            src: b,
            dst: a,
            ..s
        };
        assert_eq!(s.key(), r.key());
        assert!(s.is_syn() && !s.is_syn_ack() && !s.is_fin() && !s.is_rst());
        let sa = Segment {
            flags: flag::SYN | flag::ACK,
            ..s
        };
        assert!(sa.is_syn_ack() && !sa.is_syn());
    }

    /// Ethernet/IPv4/TCP (ACK|PSH, seq 7, 100 payload bytes) cut after `tcp_bytes`
    /// bytes of the TCP header, as a small snaplen does.
    fn cut_frame(tcp_bytes: usize) -> Vec<u8> {
        use pcapkit_testdata::build;
        let (h1, h2) = ([10, 0, 0, 1], [10, 0, 0, 2]);
        let t = build::Tcp {
            sport: 40000,
            dport: 80,
            seq: 7,
            ack: 1,
            flags: build::flags::ACK | build::flags::PSH,
            window: 512,
        };
        let tcp = build::tcp(h1, h2, t, &[b'x'; 100]);
        let ip = build::ipv4(h1, h2, 6, 1, 64, &tcp);
        let mut f = build::ethernet([2; 6], [4; 6], 0x0800, &ip);
        f.truncate(14 + 20 + tcp_bytes);
        f
    }

    #[test]
    fn a_header_the_snaplen_cut_counts_once_seq_and_flags_are_there() {
        use pcapkit_core::LinkType;
        use pcapkit_protocols::{DissectOptions, dissect};
        let opts = DissectOptions::default();
        let f = cut_frame(18);
        let p = dissect(LinkType::ETHERNET, &f, &opts);
        let seg = Segment::from_packet(&p).expect("segment from a cut header");
        assert_eq!(seg.src.port, 40000);
        assert_eq!(seg.dst.addr, IpAddr::V4(Ipv4Addr::new(10, 0, 0, 2)));
        assert_eq!((seg.seq, seg.flags, seg.payload), (7, 0x018, 100));
        // Ports only (tshark gives no stream either).
        let f = cut_frame(14);
        assert_eq!(
            Segment::from_packet(&dissect(LinkType::ETHERNET, &f, &opts)),
            None
        );
    }
}
