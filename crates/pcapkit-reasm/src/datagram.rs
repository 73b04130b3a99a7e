//! Reassembled datagrams, with PyPCAPKit's fields.

use std::net::IpAddr;

use pcapkit_core::LinkType;
use pcapkit_protocols::consts::reg::TransType;
use pcapkit_protocols::ser::Bytes;
use pcapkit_protocols::{DissectOptions, Next, Packet, SerOptions, Transport, dissect_next};
use serde::ser::{SerializeMap, SerializeSeq};
use serde::{Serialize, Serializer};

/// Who a datagram belongs to: PyPCAPKit's `DatagramID`.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
pub enum DatagramId {
    /// An IPv4 or IPv6 datagram: addresses, identification and protocol.
    Ip {
        /// Source address.
        src: IpAddr,
        /// Destination address.
        dst: IpAddr,
        /// Identification (IPv4 header, or the IPv6 Fragment header).
        id: u32,
        /// Protocol of the payload.
        proto: TransType,
    },
    /// A TCP datagram: one direction of a connection and the ACK number its segments
    /// share.
    Tcp {
        /// Sender address and port.
        src: (IpAddr, u16),
        /// Receiver address and port.
        dst: (IpAddr, u16),
        /// The acknowledgment number of the run of segments.
        ack: u32,
    },
}

impl Serialize for DatagramId {
    fn serialize<S: Serializer>(&self, s: S) -> Result<S::Ok, S::Error> {
        let mut m = s.serialize_map(Some(4))?;
        match self {
            DatagramId::Ip {
                src,
                dst,
                id,
                proto,
            } => {
                m.serialize_entry("src", src)?;
                m.serialize_entry("dst", dst)?;
                m.serialize_entry("id", id)?;
                m.serialize_entry("proto", proto)?;
            }
            DatagramId::Tcp { src, dst, ack } => {
                m.serialize_entry("src", src)?;
                m.serialize_entry("dst", dst)?;
                m.serialize_entry("ack", ack)?;
            }
        }
        m.end()
    }
}

/// A run of received bytes of an incomplete datagram.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Run {
    /// Offset of the first byte in the datagram (relative sequence number for TCP).
    pub offset: u64,
    /// The bytes.
    pub data: Vec<u8>,
}

/// A datagram's payload: whole, or the runs between the holes.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum Payload {
    /// The whole payload.
    Complete(Vec<u8>),
    /// What was received of an incomplete datagram, run by run (PyPCAPKit: a tuple of
    /// byte strings).
    Partial(Vec<Run>),
}

impl Payload {
    /// Bytes present.
    pub fn len(&self) -> usize {
        match self {
            Payload::Complete(b) => b.len(),
            Payload::Partial(runs) => runs.iter().map(|r| r.data.len()).sum(),
        }
    }

    /// Whether no byte is present.
    pub fn is_empty(&self) -> bool {
        self.len() == 0
    }

    /// The whole payload, if complete.
    pub fn bytes(&self) -> Option<&[u8]> {
        match self {
            Payload::Complete(b) => Some(b),
            Payload::Partial(_) => None,
        }
    }
}

impl Serialize for Payload {
    fn serialize<S: Serializer>(&self, s: S) -> Result<S::Ok, S::Error> {
        match self {
            Payload::Complete(b) => s.serialize_bytes(b),
            Payload::Partial(runs) => {
                let mut seq = s.serialize_seq(Some(runs.len()))?;
                for r in runs {
                    seq.serialize_element(&Bytes(&r.data))?;
                }
                seq.end()
            }
        }
    }
}

/// Why a datagram was handed out.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, Serialize)]
#[serde(rename_all = "snake_case")]
pub enum Flush {
    /// IP: the last hole was filled. TCP: the run is whole and a later run began.
    Complete,
    /// TCP: segments with a new ACK number began a new run.
    AckChange,
    /// TCP: FIN from the sender.
    Fin,
    /// TCP: RST in either direction.
    Rst,
    /// TCP: a new SYN reused the connection's addresses and ports.
    Syn,
    /// End of input.
    End,
    /// Idle longer than the idle timeout (capture time).
    Idle,
    /// Evicted to stay within the cap on open buffers.
    Capacity,
    /// Evicted to stay within the cap on buffered bytes.
    Memory,
    /// TCP: the run reached the cap on bytes per datagram and was cut there.
    Split,
    /// TCP: too many runs waiting for a retransmission in one direction.
    Runs,
}

/// A reassembled datagram: PyPCAPKit's `Datagram` (`completed`, `id`, `index`,
/// `header`, `payload`, `packet`).
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Datagram {
    /// Whether every byte is present.
    pub completed: bool,
    /// Whose datagram this is.
    pub id: DatagramId,
    /// Frame numbers of the fragments / segments, in arrival order.
    pub index: Vec<u64>,
    /// The first fragment's IP header (IPv6: through the Fragment header), or the first
    /// segment's TCP header; empty when that fragment is missing.
    pub header: Vec<u8>,
    /// The reassembled bytes.
    pub payload: Payload,
    /// Why it was handed out.
    pub flush: Flush,
    /// Capture time of the first and the last fragment/segment, in nanoseconds since
    /// the epoch.
    pub time: (i128, i128),
}

impl Datagram {
    /// How to dissect the payload.
    fn next(&self) -> Next {
        match self.id {
            DatagramId::Ip { proto, .. } => Next::IpProto(proto),
            DatagramId::Tcp { src, dst, .. } => Next::Ports {
                transport: Transport::Tcp,
                src: src.1,
                dst: dst.1,
            },
        }
    }

    /// The payload dissected (PyPCAPKit's `packet`): from the transport layer for IP,
    /// the application layer for TCP. `None` for an incomplete datagram.
    pub fn packet(&self) -> Option<Packet<'_>> {
        let data = self.payload.bytes()?;
        Some(dissect_next(
            self.next(),
            LinkType::RAW,
            data,
            &DissectOptions::default(),
        ))
    }

    /// The first frame number (the datagram's place in the capture).
    pub fn first_frame(&self) -> u64 {
        self.index.iter().copied().min().unwrap_or_default()
    }
}

/// The dissected payload for serialization: `{"protocols": ..., <layers>}`.
struct PacketView<'p, 'a>(&'p Packet<'a>);

impl Serialize for PacketView<'_, '_> {
    fn serialize<S: Serializer>(&self, s: S) -> Result<S::Ok, S::Error> {
        let mut m = s.serialize_map(None)?;
        m.serialize_entry("protocols", &self.0.protocols())?;
        self.0.serialize_layers(
            &mut m,
            SerOptions {
                layer_packets: false,
            },
        )?;
        m.end()
    }
}

impl Serialize for Datagram {
    /// `completed`, `id`, `index`, `header`, `payload` (bytes, or a list of byte runs),
    /// `packet` (the dissected payload without per-layer bytes, `null` when
    /// incomplete), plus `flush` (why it was handed out).
    fn serialize<S: Serializer>(&self, s: S) -> Result<S::Ok, S::Error> {
        let mut m = s.serialize_map(Some(7))?;
        m.serialize_entry("completed", &self.completed)?;
        m.serialize_entry("id", &self.id)?;
        m.serialize_entry("index", &self.index)?;
        m.serialize_entry("header", &Bytes(&self.header))?;
        m.serialize_entry("payload", &self.payload)?;
        match self.packet() {
            Some(p) => m.serialize_entry("packet", &PacketView(&p))?,
            None => m.serialize_entry("packet", &None::<()>)?,
        }
        m.serialize_entry("flush", &self.flush)?;
        m.end()
    }
}

/// When a reassembler handed a datagram out, as a sort key: the datagrams of several
/// reassemblers fed disjoint flows of one capture, each ticked with every frame (the
/// `server` engine's workers), sorted by it (stably, protocol by protocol) come in the
/// order one reassembler fed every frame hands them out. Within one frame the idle
/// sweeps come first, in order of their buffers' creation, then what the frame's own
/// input handed out; at the end of input, buffers in order of creation.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub struct HandOut {
    /// The frame whose processing handed it out (`u64::MAX`: the end of input).
    pub frame: u64,
    /// 0 and 1: idle sweeps (TCP: closed directions, then idle runs; IP: 1); 2: the
    /// frame's own input. 0 at the end of input.
    pub phase: u8,
    /// For sweeps and the end of input: when its buffer was created (frame number,
    /// then order of creation within that reassembler).
    pub born: (u64, u64),
}

impl HandOut {
    /// Handed out by the input of frame `number`.
    pub(crate) const fn input(number: u64) -> Self {
        Self {
            frame: number,
            phase: 2,
            born: (0, 0),
        }
    }
}
