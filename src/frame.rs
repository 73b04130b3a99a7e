//! Frames as the Extractor hands them out: borrowed ([`FrameRef`], for callbacks) and
//! owned ([`Frame`], for iteration and `store`).

use std::cell::OnceCell;
use std::fmt;
use std::sync::Arc;

use pcapkit_core::{
    FrameMeta, LinkType, OwnedFrame, PcapRecordHeader, Precision, RawFrame, Timestamp,
};
use pcapkit_dump::{FrameDoc, PacketMode};
use pcapkit_protocols::{DissectOptions, Packet, dissect};
use serde::Serialize;

use crate::engine::external::Foreign;

/// A frame and its dissection, borrowed from the reader: what per-frame callbacks
/// (`verbose_with`) receive. Nothing is copied.
pub struct FrameRef<'r, 'p> {
    pub(crate) raw: &'r RawFrame<'r>,
    packet: PacketSlot<'r, 'p>,
    /// A third-party engine's dissection, which the output shows instead of ours.
    pub(crate) foreign: Option<&'p Foreign>,
}

/// The dissection of a [`FrameRef`]: given, or made on first use (the
/// multi-threaded engines dissect in their workers; a callback that never looks at
/// the layers costs no second dissection).
// A FrameRef lives on the stack for one frame: boxing the packet would allocate per frame.
#[allow(clippy::large_enum_variant)]
enum PacketSlot<'r, 'p> {
    Ready(&'p Packet<'r>),
    Lazy(&'p DissectOptions, OnceCell<Packet<'r>>),
}

impl<'r, 'p> FrameRef<'r, 'p> {
    /// A frame and its dissection.
    pub(crate) fn new(raw: &'r RawFrame<'r>, packet: &'p Packet<'r>) -> Self {
        Self {
            raw,
            packet: PacketSlot::Ready(packet),
            foreign: None,
        }
    }

    /// A frame dissected with `opts` when its layers are first asked for.
    pub(crate) fn lazy(raw: &'r RawFrame<'r>, opts: &'p DissectOptions) -> Self {
        Self {
            raw,
            packet: PacketSlot::Lazy(opts, OnceCell::new()),
            foreign: None,
        }
    }

    /// The same frame with a third-party engine's dissection for the output.
    pub(crate) fn with_foreign(mut self, foreign: &'p Foreign) -> Self {
        self.foreign = Some(foreign);
        self
    }
}

impl<'r> FrameRef<'r, '_> {
    /// 1-based frame number.
    pub fn number(&self) -> u64 {
        self.raw.number
    }

    /// The frame as read (timestamp, lengths, link type, container metadata, bytes).
    pub fn raw(&self) -> &RawFrame<'r> {
        self.raw
    }

    /// The dissected layers.
    pub fn packet(&self) -> &Packet<'r> {
        match &self.packet {
            PacketSlot::Ready(p) => p,
            PacketSlot::Lazy(opts, cell) => {
                cell.get_or_init(|| dissect(self.raw.link_type, self.raw.data, opts))
            }
        }
    }

    /// The protocol chain (`Ethernet:IPv4:TCP`; with a third-party engine, its chain,
    /// e.g. tshark's `eth:ethertype:ip:tcp`).
    pub fn protocols(&self) -> String {
        match self.foreign {
            Some(f) => f.protocols.clone(),
            None => self.packet().protocols().to_string(),
        }
    }

    /// The captured bytes.
    pub fn data(&self) -> &'r [u8] {
        self.raw.data
    }

    /// Absolute byte offset of the frame's record in the input.
    pub fn offset(&self) -> u64 {
        self.raw.offset
    }

    /// The frame's block, for serialization with any serde format.
    pub fn doc(&self, packets: PacketMode) -> FrameDoc<'_, 'r, 'r> {
        FrameDoc::new(self.raw, self.packet(), packets)
    }
}

impl fmt::Debug for FrameRef<'_, '_> {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("FrameRef")
            .field("number", &self.raw.number)
            .field("protocols", &self.packet().protocols().to_string())
            .finish_non_exhaustive()
    }
}

/// A frame kept after the reader moved on (`store`, iteration): the bytes and
/// record fields are owned; [`Frame::packet`] dissects the bytes again on demand
/// (microseconds; the result is identical to what the output shows).
#[derive(Clone, Debug)]
pub struct Frame {
    raw: OwnedFrame,
    record: Option<PcapRecordHeader>,
    protocols: String,
    dissect: Arc<DissectOptions>,
    packets: PacketMode,
}

impl Frame {
    pub(crate) fn new(
        frame: &FrameRef<'_, '_>,
        dissect: &Arc<DissectOptions>,
        packets: PacketMode,
    ) -> Self {
        Self {
            raw: frame.raw.to_owned_frame(),
            record: match frame.raw.meta {
                FrameMeta::Pcap(rec) => Some(rec),
                _ => None,
            },
            protocols: frame.protocols(),
            dissect: Arc::clone(dissect),
            packets,
        }
    }

    /// A frame from its raw record and protocol chain (the multi-threaded engines,
    /// whose workers dissected it).
    pub(crate) fn from_raw(
        raw: &RawFrame<'_>,
        protocols: String,
        dissect: &Arc<DissectOptions>,
        packets: PacketMode,
    ) -> Self {
        Self {
            raw: raw.to_owned_frame(),
            record: match raw.meta {
                FrameMeta::Pcap(rec) => Some(rec),
                _ => None,
            },
            protocols,
            dissect: Arc::clone(dissect),
            packets,
        }
    }

    /// 1-based frame number.
    pub fn number(&self) -> u64 {
        self.raw.number
    }

    /// When the frame was captured.
    pub fn timestamp(&self) -> Timestamp {
        self.raw.timestamp
    }

    /// How finely the timestamp was captured.
    pub fn precision(&self) -> Precision {
        self.raw.precision
    }

    /// Link type of the frame.
    pub fn link_type(&self) -> LinkType {
        self.raw.link_type
    }

    /// Bytes captured.
    pub fn caplen(&self) -> u32 {
        self.raw.caplen
    }

    /// Length on the wire.
    pub fn origlen(&self) -> u32 {
        self.raw.origlen
    }

    /// The captured bytes.
    pub fn data(&self) -> &[u8] {
        &self.raw.data
    }

    /// The protocol chain (`Ethernet:IPv4:TCP`).
    pub fn protocols(&self) -> &str {
        &self.protocols
    }

    /// Whether the chain contains `name` (a chain token or alias such as `IP`, any
    /// case): PyPCAPKit's `'TCP' in frame`.
    pub fn contains(&self, name: &str) -> bool {
        self.packet().protocols().contains(name)
    }

    /// The frame as a borrowed raw frame (PCAP record fields kept; PCAPNG block
    /// metadata is not stored).
    pub fn raw(&self) -> RawFrame<'_> {
        let mut raw = self.raw.as_raw();
        if let Some(rec) = self.record {
            raw.meta = FrameMeta::Pcap(rec);
        }
        raw
    }

    /// The dissected layers (dissects the stored bytes again, with the extraction's
    /// `layer`/`protocol` limits).
    pub fn packet(&self) -> Packet<'_> {
        dissect(self.raw.link_type, &self.raw.data, &self.dissect)
    }
}

impl Serialize for Frame {
    /// The frame's block (`frame_info`, `time`, ..., layers, `protocols`, `packet`).
    fn serialize<S: serde::Serializer>(&self, s: S) -> Result<S::Ok, S::Error> {
        let raw = self.raw();
        let packet = self.packet();
        FrameDoc::new(&raw, &packet, self.packets).serialize(s)
    }
}
