//! A frame as PyPCAPKit's `Frame N` block: the record's own fields, the dissected
//! layer chain, `protocols` and `packet`.

use serde::ser::{Serialize, SerializeMap, Serializer};

use pcapkit_core::consts::pcapng::BlockType;
use pcapkit_core::pcapng::block_type;
use pcapkit_core::{FrameMeta, PcapRecordHeader, PcapngPacketMeta, Precision, RawFrame};
use pcapkit_protocols::ser::Bytes;
use pcapkit_protocols::{Packet, SerOptions};

use crate::PacketMode;

/// A `Display` value serialized as a string (no allocation with our writers).
struct Shown<T>(T);

impl<T: std::fmt::Display> Serialize for Shown<T> {
    fn serialize<S: Serializer>(&self, s: S) -> Result<S::Ok, S::Error> {
        s.collect_str(&self.0)
    }
}

/// A frame and its dissection, serialized as PyPCAPKit's frame block (with its bugs
/// fixed: `len` is the original length and `cap_len` the captured length, `packet` is
/// this frame's captured bytes, times are UTC).
///
/// - PCAP record (or a frame built by hand): `frame_info {ts_sec, ts_usec, incl_len,
///   orig_len}`, `time`, `number`, `time_epoch`, `len`, `cap_len`, the layer chain,
///   `protocols`, `packet`.
/// - PCAPNG Enhanced Packet Block: `type`, `length`, `section_number`, `number`,
///   `interface_id`, `timestamp`, `timestamp_epoch`, `captured_len`, `original_len`,
///   `options`, the layer chain, `protocols`, `packet`; Simple Packet Block: `type`,
///   `length`, `section_number`, `number`, `original_len`, `captured_len`,
///   `interface_id` (0), `timestamp` and `timestamp_epoch` (`null`: an SPB has no
///   time; PyPCAPKit shows the epoch), ...;
///   obsolete Packet Block: as EPB with `drop_count` after `interface_id`.
///
/// `time`/`timestamp` is ISO 8601 in UTC (`+00:00`) with 6 or 9 digits as captured; `time_epoch` /
/// `timestamp_epoch` is the exact decimal epoch without trailing zeros.
///
/// ```
/// use pcapkit_core::{LinkType, RawFrame, Timestamp};
/// use pcapkit_dump::{FrameDoc, PacketMode};
/// use pcapkit_protocols::{dissect, DissectOptions};
///
/// let data = [0xff; 14];
/// let raw = RawFrame::new(1, Timestamp::new(1, 500_000_000), LinkType::ETHERNET, 60, &data);
/// let packet = dissect(raw.link_type, raw.data, &DissectOptions::default());
/// let doc = FrameDoc::new(&raw, &packet, PacketMode::None);
/// let json = serde_json::to_value(&doc)?;
/// assert_eq!(json["len"], 60);
/// assert_eq!(json["cap_len"], 14);
/// assert_eq!(json["time_epoch"], "1.5");
/// assert_eq!(json["protocols"], "Ethernet");
/// # Ok::<(), serde_json::Error>(())
/// ```
#[derive(Clone, Copy)]
pub struct FrameDoc<'f, 'r, 'p> {
    frame: &'f RawFrame<'r>,
    layers: Layers<'f, 'p>,
    packets: PacketMode,
}

/// Whose dissection the block shows.
#[derive(Clone, Copy)]
enum Layers<'f, 'p> {
    /// Ours.
    Native(&'f Packet<'p>),
    /// Another engine's (tshark, dpkt, scapy): its layers and protocol chain.
    Foreign {
        layers: &'f [(String, crate::Tree)],
        protocols: &'f str,
    },
}

impl<'f, 'r, 'p> FrameDoc<'f, 'r, 'p> {
    /// The block of `frame` dissected as `packet`, with `packets` deciding which
    /// `packet` bytes are written.
    pub fn new(frame: &'f RawFrame<'r>, packet: &'f Packet<'p>, packets: PacketMode) -> Self {
        Self {
            frame,
            layers: Layers::Native(packet),
            packets,
        }
    }

    /// The block of `frame` as another engine dissected it: its `layers` (each entry
    /// written as a key of the block, in order) and `protocols` chain take the place of
    /// ours.
    pub fn foreign(
        frame: &'f RawFrame<'r>,
        layers: &'f [(String, crate::Tree)],
        protocols: &'f str,
        packets: PacketMode,
    ) -> Self {
        Self {
            frame,
            layers: Layers::Foreign { layers, protocols },
            packets,
        }
    }

    fn tail<M: SerializeMap>(&self, m: &mut M) -> Result<(), M::Error> {
        match self.layers {
            Layers::Native(packet) => {
                let ser = SerOptions {
                    layer_packets: self.packets.layer_packets(),
                };
                packet.serialize_layers(m, ser)?;
                m.serialize_entry("protocols", &packet.protocols())?;
            }
            Layers::Foreign { layers, protocols } => {
                for (k, v) in layers {
                    m.serialize_entry(k, v)?;
                }
                m.serialize_entry("protocols", protocols)?;
            }
        }
        if self.packets.frame_packet() {
            m.serialize_entry("packet", &Bytes(self.frame.data))?;
        }
        Ok(())
    }

    fn pcap<M: SerializeMap>(&self, m: &mut M, rec: &PcapRecordHeader) -> Result<(), M::Error> {
        let f = self.frame;
        m.serialize_entry("frame_info", rec)?;
        m.serialize_entry(
            "time",
            &Shown(f.timestamp.iso8601(f.precision).with_utc_offset()),
        )?;
        m.serialize_entry("number", &f.number)?;
        m.serialize_entry("time_epoch", &Shown(f.timestamp))?;
        m.serialize_entry("len", &f.origlen)?;
        m.serialize_entry("cap_len", &f.caplen)?;
        self.tail(m)
    }

    fn pcapng<M: SerializeMap>(
        &self,
        m: &mut M,
        meta: &PcapngPacketMeta<'_>,
    ) -> Result<(), M::Error> {
        let f = self.frame;
        m.serialize_entry("type", &BlockType(meta.block_type))?;
        m.serialize_entry("length", &meta.block_length)?;
        m.serialize_entry("section_number", &meta.section)?;
        m.serialize_entry("number", &f.number)?;
        if meta.block_type == block_type::SPB {
            // PyPCAPKit's SPB keys; an SPB has no interface field and no timestamp.
            m.serialize_entry("original_len", &f.origlen)?;
            m.serialize_entry("captured_len", &f.caplen)?;
            m.serialize_entry("interface_id", &meta.interface_id)?;
            m.serialize_entry("timestamp", &None::<()>)?;
            m.serialize_entry("timestamp_epoch", &None::<()>)?;
            return self.tail(m);
        }
        m.serialize_entry("interface_id", &meta.interface_id)?;
        if let Some(drops) = meta.drop_count {
            m.serialize_entry("drop_count", &drops)?;
        }
        m.serialize_entry(
            "timestamp",
            &Shown(f.timestamp.iso8601(f.precision).with_utc_offset()),
        )?;
        m.serialize_entry("timestamp_epoch", &Shown(f.timestamp))?;
        m.serialize_entry("captured_len", &f.caplen)?;
        m.serialize_entry("original_len", &f.origlen)?;
        m.serialize_entry("options", &meta.options)?;
        self.tail(m)
    }
}

/// The PCAP record header a hand-built frame would have.
fn synthetic_record(f: &RawFrame<'_>) -> PcapRecordHeader {
    PcapRecordHeader {
        ts_sec: u32::try_from(f.timestamp.secs).unwrap_or(0),
        ts_usec: match f.precision {
            Precision::Nano => f.timestamp.nanos,
            Precision::Micro => f.timestamp.nanos / 1_000,
        },
        incl_len: f.caplen,
        orig_len: f.origlen,
    }
}

impl Serialize for FrameDoc<'_, '_, '_> {
    fn serialize<S: Serializer>(&self, s: S) -> Result<S::Ok, S::Error> {
        let mut m = s.serialize_map(None)?;
        match &self.frame.meta {
            FrameMeta::Pcap(rec) => self.pcap(&mut m, rec)?,
            FrameMeta::Pcapng(meta) => self.pcapng(&mut m, meta)?,
            FrameMeta::None => self.pcap(&mut m, &synthetic_record(self.frame))?,
        }
        m.end()
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use pcapkit_core::{LinkType, Timestamp};
    use pcapkit_protocols::{DissectOptions, dissect};

    #[test]
    fn pcap_frame_layout() {
        let data = [
            0x40, 0x33, 0x1a, 0xd1, 0x85, 0x1c, 0xa4, 0x5e, 0x60, 0xd9, 0x6b, 0x97, 0x88, 0xb5,
            0xaa,
        ];
        let mut raw = RawFrame::new(
            3,
            Timestamp::new(1_511_106_545, 471_719_000),
            LinkType::ETHERNET,
            86,
            &data,
        );
        raw.precision = Precision::Micro;
        raw.meta = FrameMeta::Pcap(PcapRecordHeader {
            ts_sec: 1_511_106_545,
            ts_usec: 471_719,
            incl_len: 15,
            orig_len: 86,
        });
        let packet = dissect(raw.link_type, raw.data, &DissectOptions::default());
        let json = serde_json::to_string(&FrameDoc::new(&raw, &packet, PacketMode::Frame)).unwrap();
        assert!(
            json.starts_with(concat!(
                r#"{"frame_info":{"ts_sec":1511106545,"ts_usec":471719,"incl_len":15,"orig_len":86},"#,
                r#""time":"2017-11-19T15:49:05.471719+00:00","number":3,"time_epoch":"1511106545.471719","#,
                r#""len":86,"cap_len":15,"ethernet":{"dst":"40:33:1a:d1:85:1c","#
            )),
            "{json}"
        );
        assert!(
            json.ends_with(r#""packet":[64,51,26,209,133,28,164,94,96,217,107,151,136,181,170]}"#),
            "{json}"
        );
        assert!(json.contains(r#""protocols":"Ethernet:"#), "{json}");
        // only one `packet` (the frame's) in `frame` mode
        assert_eq!(json.matches("\"packet\"").count(), 1);
        let all = serde_json::to_string(&FrameDoc::new(&raw, &packet, PacketMode::All)).unwrap();
        assert_eq!(all.matches("\"packet\"").count(), 3);
        let none = serde_json::to_string(&FrameDoc::new(&raw, &packet, PacketMode::None)).unwrap();
        assert_eq!(none.matches("\"packet\"").count(), 0);
    }

    #[test]
    fn hand_built_frame_gets_a_record_header() {
        let raw = RawFrame::new(1, Timestamp::new(5, 7), LinkType(147), 3, &[1, 2, 3]);
        let packet = dissect(raw.link_type, raw.data, &DissectOptions::default());
        let v = serde_json::to_value(FrameDoc::new(&raw, &packet, PacketMode::None)).unwrap();
        assert_eq!(v["frame_info"]["ts_usec"], 7);
        assert_eq!(v["time"], "1970-01-01T00:00:05.000000007+00:00");
        assert_eq!(v["time_epoch"], "5.000000007");
    }
}
