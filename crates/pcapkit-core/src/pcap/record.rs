//! The PCAP record header that precedes every frame.

use crate::Endian;
use crate::frame::PcapRecordHeader;

mod field {
    /// A byte range inside a record header.
    pub type Field = core::ops::Range<usize>;
    pub const TS_SEC: Field = 0..4;
    pub const TS_FRAC: Field = 4..8;
    pub const INCL_LEN: Field = 8..12;
    pub const ORIG_LEN: Field = 12..16;
}

/// A checked view of a record header: at least 16 bytes, so no accessor fails.
pub(crate) struct RecordHeader;

impl RecordHeader {
    /// Reads the four fields from `data` (`None` if shorter than 16 bytes).
    #[inline]
    pub(crate) fn parse(data: &[u8], e: Endian) -> Option<PcapRecordHeader> {
        Some(PcapRecordHeader {
            ts_sec: e.u32(data.get(field::TS_SEC)?)?,
            ts_usec: e.u32(data.get(field::TS_FRAC)?)?,
            incl_len: e.u32(data.get(field::INCL_LEN)?)?,
            orig_len: e.u32(data.get(field::ORIG_LEN)?)?,
        })
    }

    /// The 16 bytes of a record header.
    pub(crate) fn to_bytes(h: &PcapRecordHeader, e: Endian) -> [u8; 16] {
        let mut out = [0u8; 16];
        for (range, v) in [
            (field::TS_SEC, h.ts_sec),
            (field::TS_FRAC, h.ts_usec),
            (field::INCL_LEN, h.incl_len),
            (field::ORIG_LEN, h.orig_len),
        ] {
            if let Some(dst) = out.get_mut(range) {
                dst.copy_from_slice(&e.put_u32(v));
            }
        }
        out
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn both_orders() {
        let h = PcapRecordHeader {
            ts_sec: 0x0102_0304,
            ts_usec: 5,
            incl_len: 60,
            orig_len: 1514,
        };
        for e in [Endian::Little, Endian::Big] {
            let b = RecordHeader::to_bytes(&h, e);
            assert_eq!(RecordHeader::parse(&b, e), Some(h));
        }
        assert_eq!(RecordHeader::to_bytes(&h, Endian::Big)[..4], [1, 2, 3, 4]);
        assert_eq!(RecordHeader::parse(&[0; 15], Endian::Big), None);
    }
}
