//! Stream Control Transmission Protocol (RFC 9260): the common header and the chunk
//! list. Chunks belong to the SCTP layer (their user data is not dissected further).

use serde::ser::{Serialize, SerializeMap, Serializer};

use crate::consts::reg::AppType;
use crate::consts::sctp::ChunkType;
use crate::error::Result;
use crate::internet::common::Reader;
use crate::protocol::{Ctx, Header, Level, Next, Parse, Parsed};
use crate::wire;

/// Length of the common header.
pub const HEADER_LEN: usize = 12;

/// An SCTP packet (`sctp`, chain token `SCTP`).
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct Sctp<'a> {
    /// Source port.
    pub src: u16,
    /// Destination port.
    pub dst: u16,
    /// Verification tag.
    pub vtag: u32,
    /// CRC32c checksum as sent (read big-endian, as Wireshark shows it).
    pub checksum: u32,
    /// Whether the CRC32c is right; `null` when the packet is not wholly captured.
    pub checksum_ok: Option<bool>,
    /// The chunks.
    pub chunks: &'a [u8],
}

impl Sctp<'_> {
    /// The source port's `AppType`.
    pub fn srcport(&self) -> AppType {
        AppType::lookup(self.src, crate::consts::reg::TransportProtocol::sctp)
    }

    /// The destination port's `AppType`.
    pub fn dstport(&self) -> AppType {
        AppType::lookup(self.dst, crate::consts::reg::TransportProtocol::sctp)
    }
}

/// CRC32c (Castagnoli, reflected polynomial 0x82F63B78) of `data`.
pub fn crc32c(data: &[u8]) -> u32 {
    !crc32c_raw(!0, data)
}

/// Feeds `data` into the CRC32c register `crc` (no inversions).
fn crc32c_raw(mut crc: u32, data: &[u8]) -> u32 {
    for &b in data {
        crc ^= u32::from(b);
        for _ in 0..8 {
            crc = if crc & 1 != 0 {
                (crc >> 1) ^ 0x82f6_3b78
            } else {
                crc >> 1
            };
        }
    }
    crc
}

#[derive(Clone, Copy)]
enum Chunk<'a> {
    Ok(ChunkType, u8, &'a [u8]),
    Bad(&'static str),
}

fn chunks(data: &[u8]) -> impl Iterator<Item = Chunk<'_>> + Clone {
    let mut rest = data;
    let mut done = false;
    std::iter::from_fn(move || {
        if done || rest.is_empty() {
            return None;
        }
        let mut r = Reader::new(rest);
        let (Some(kind), Some(flags), Some(len)) = (r.u8(), r.u8(), r.u16()) else {
            done = true;
            return Some(Chunk::Bad("chunk header cut short"));
        };
        let len = usize::from(len);
        if len < 4 {
            done = true;
            return Some(Chunk::Bad("chunk length below 4"));
        }
        let Some(chunk) = rest.get(..len) else {
            done = true;
            return Some(Chunk::Bad("chunk length runs past the packet"));
        };
        // Chunks are padded to a multiple of 4 (the last one's padding may be missing).
        rest = rest.get(len.next_multiple_of(4)..).unwrap_or_default();
        Some(Chunk::Ok(ChunkType(kind), flags, chunk))
    })
}

impl Serialize for Chunk<'_> {
    fn serialize<S: Serializer>(&self, s: S) -> std::result::Result<S::Ok, S::Error> {
        let mut m = s.serialize_map(None)?;
        let (kind, flags, chunk) = match *self {
            Chunk::Ok(k, f, c) => (k, f, c),
            Chunk::Bad(what) => {
                m.serialize_entry("error", what)?;
                return m.end();
            }
        };
        m.serialize_entry("type", &kind)?;
        m.serialize_entry("flags", &flags)?;
        m.serialize_entry("length", &chunk.len())?;
        let mut r = Reader::new(chunk.get(4..).unwrap_or_default());
        match kind.0 {
            0 if chunk.len() >= 16 => {
                m.serialize_entry("tsn", &r.u32())?;
                m.serialize_entry("stream", &r.u16())?;
                m.serialize_entry("stream_seq", &r.u16())?;
                m.serialize_entry("ppid", &r.u32())?;
            }
            1 | 2 if chunk.len() >= 20 => {
                m.serialize_entry("init_tag", &r.u32())?;
                m.serialize_entry("a_rwnd", &r.u32())?;
                m.serialize_entry("out_streams", &r.u16())?;
                m.serialize_entry("in_streams", &r.u16())?;
                m.serialize_entry("init_tsn", &r.u32())?;
            }
            3 if chunk.len() >= 16 => {
                m.serialize_entry("cum_tsn_ack", &r.u32())?;
                m.serialize_entry("a_rwnd", &r.u32())?;
            }
            _ => {}
        }
        m.end()
    }
}

struct Chunks<'a>(&'a [u8]);

impl Serialize for Chunks<'_> {
    fn serialize<S: Serializer>(&self, s: S) -> std::result::Result<S::Ok, S::Error> {
        crate::ser::SeqOf(chunks(self.0)).serialize(s)
    }
}

/// Fields: `srcport`, `dstport` (AppType object form, looked up for SCTP), `vtag`,
/// `checksum`, `checksum_ok`, `chunks` (list of `{type, flags, length, ...}`).
impl Serialize for Sctp<'_> {
    fn serialize<S: Serializer>(&self, s: S) -> std::result::Result<S::Ok, S::Error> {
        let mut m = s.serialize_map(Some(6))?;
        m.serialize_entry("srcport", &self.srcport())?;
        m.serialize_entry("dstport", &self.dstport())?;
        m.serialize_entry("vtag", &self.vtag)?;
        m.serialize_entry("checksum", &self.checksum)?;
        m.serialize_entry("checksum_ok", &self.checksum_ok)?;
        m.serialize_entry("chunks", &Chunks(self.chunks))?;
        m.end()
    }
}

impl Header for Sctp<'_> {
    const NAME: &'static str = "SCTP";
    const KEY: &'static str = "sctp";
    const LEVEL: Option<Level> = Some(Level::Transport);
}

impl<'a> Parse<'a> for Sctp<'a> {
    fn parse(data: &'a [u8], ctx: &Ctx) -> Result<Parsed<Self>> {
        wire::need(Self::NAME, ctx, data, HEADER_LEN)?;
        let mut r = Reader::new(data);
        let src = r.u16().unwrap_or_default();
        let dst = r.u16().unwrap_or_default();
        let vtag = r.u32().unwrap_or_default();
        let sum = r.array::<4>().unwrap_or_default();
        // CRC over the packet with the checksum field zeroed.
        let checksum_ok = ctx.reported_len.is_none().then(|| {
            let parts = [data.get(..8).unwrap_or_default(), &[0u8; 4], r.rest()];
            !parts.iter().fold(!0, |crc, p| crc32c_raw(crc, p)) == u32::from_le_bytes(sum)
        });
        let chunks = data.get(HEADER_LEN..).unwrap_or_default();
        Ok(Parsed {
            header: Sctp {
                src,
                dst,
                vtag,
                checksum: u32::from_be_bytes(sum),
                checksum_ok,
                chunks,
            },
            header_len: data.len(),
            payload_len: 0,
            next: Next::Leaf,
        })
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::error::DissectError;
    use serde_json::json;

    fn with_crc(mut d: Vec<u8>) -> Vec<u8> {
        d[8..12].fill(0);
        let c = crc32c(&d);
        d[8..12].copy_from_slice(&c.to_le_bytes());
        d
    }

    #[test]
    fn crc32c_check_value() {
        assert_eq!(crc32c(b"123456789"), 0xe306_9283);
    }

    #[test]
    fn header_and_chunks() {
        let mut d = vec![0x0b, 0x7c, 0x0b, 0x7c, 0, 0, 0, 1, 0, 0, 0, 0];
        // DATA chunk with 3 bytes of user data (padded), then a COOKIE ACK.
        d.extend_from_slice(&[
            0, 3, 0, 19, 0, 0, 0, 5, 0, 1, 0, 2, 0, 0, 0, 3, b'a', b'b', b'c', 0,
        ]);
        d.extend_from_slice(&[11, 0, 0, 4]);
        let d = with_crc(d);
        let p = Sctp::parse(&d, &Ctx::default()).unwrap();
        assert_eq!(p.header.checksum_ok, Some(true));
        assert_eq!(
            (p.header_len, p.payload_len, p.next),
            (d.len(), 0, Next::Leaf)
        );
        let v = serde_json::to_value(p.header).unwrap();
        assert_eq!(v["srcport"]["port"], 2940);
        assert_eq!(v["dstport"]["port"], 2940);
        assert_eq!(v["vtag"], 1);
        assert_eq!(
            v["chunks"],
            json!([
                {"type": "ChunkType::DATA [0]", "flags": 3, "length": 19, "tsn": 5,
                    "stream": 1, "stream_seq": 2, "ppid": 3},
                {"type": "ChunkType::COOKIE_ACK [11]", "flags": 0, "length": 4}
            ])
        );
        let mut bad = d.clone();
        bad[30] ^= 1;
        assert_eq!(
            Sctp::parse(&bad, &Ctx::default())
                .unwrap()
                .header
                .checksum_ok,
            Some(false)
        );
    }

    #[test]
    fn malformed_chunks_end_the_list() {
        let d = with_crc(vec![0, 1, 0, 2, 0, 0, 0, 0, 0, 0, 0, 0, 1, 0, 0, 2]);
        let v = serde_json::to_value(Sctp::parse(&d, &Ctx::default()).unwrap().header).unwrap();
        assert_eq!(v["chunks"], json!([{"error": "chunk length below 4"}]));
        let d = with_crc(vec![0, 1, 0, 2, 0, 0, 0, 0, 0, 0, 0, 0, 1, 0, 0, 20]);
        let v = serde_json::to_value(Sctp::parse(&d, &Ctx::default()).unwrap().header).unwrap();
        assert_eq!(
            v["chunks"],
            json!([{"error": "chunk length runs past the packet"}])
        );
        let d = with_crc(vec![0, 1, 0, 2, 0, 0, 0, 0, 0, 0, 0, 0, 1, 0]);
        let v = serde_json::to_value(Sctp::parse(&d, &Ctx::default()).unwrap().header).unwrap();
        assert_eq!(v["chunks"], json!([{"error": "chunk header cut short"}]));
        for n in 0..HEADER_LEN {
            assert_eq!(
                Sctp::parse(&d[..n], &Ctx::default()).unwrap_err(),
                DissectError::truncated("SCTP", 0, 12, n)
            );
        }
    }
}
