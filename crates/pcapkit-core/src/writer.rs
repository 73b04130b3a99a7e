//! Writing captures: [`PcapWriter`] and [`PcapngWriter`].
//!
//! Both take [`RawFrame`]s (as the reader hands them out, or built with
//! [`RawFrame::new`]), convert timestamps exactly, and report every I/O failure (disk
//! full, broken pipe) as a typed [`Error`] with the output offset. Wrap files in a
//! `BufWriter`; the writers issue a few small writes per frame.

use std::io::Write;

use crate::frame::PcapRecordHeader;
use crate::pcap::{PcapHeader, RecordHeader};
use crate::pcapng::{TsResolution, block_type, pad4};
use crate::{Context, Endian, Error, ErrorKind, LinkType, RawFrame, Timestamp};

/// Default snapshot length written to headers: 262144, as tcpdump and Wireshark use.
pub const DEFAULT_SNAPLEN: u32 = 262_144;

const ZEROS: [u8; 4] = [0; 4];

/// Counts bytes written and turns I/O errors into typed errors.
struct Out<W> {
    inner: W,
    offset: u64,
}

impl<W: Write> Out<W> {
    fn write(&mut self, bytes: &[u8], frame: u64) -> Result<(), Error> {
        self.inner
            .write_all(bytes)
            .map_err(|e| Error::io(&e, Context::Writer { frame }, self.offset))?;
        self.offset += bytes.len() as u64;
        Ok(())
    }

    fn flush(&mut self, frame: u64) -> Result<(), Error> {
        self.inner
            .flush()
            .map_err(|e| Error::io(&e, Context::Writer { frame }, self.offset))
    }
}

/// Settings of a [`PcapWriter`].
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct PcapWriterOptions {
    /// Byte order of the file. Default little endian.
    pub endian: Endian,
    /// Nanosecond timestamps (else microseconds, truncating the nanoseconds).
    pub nanosecond: bool,
    /// Link type of every frame. Default Ethernet.
    pub link_type: LinkType,
    /// Snapshot length written to the header. Default 262144.
    pub snaplen: u32,
}

impl Default for PcapWriterOptions {
    fn default() -> Self {
        Self {
            endian: Endian::Little,
            nanosecond: false,
            link_type: LinkType::ETHERNET,
            snaplen: DEFAULT_SNAPLEN,
        }
    }
}

impl PcapWriterOptions {
    /// Sets the byte order.
    pub fn endian(mut self, endian: Endian) -> Self {
        self.endian = endian;
        self
    }
    /// Sets nanosecond resolution.
    pub fn nanosecond(mut self, nanosecond: bool) -> Self {
        self.nanosecond = nanosecond;
        self
    }
    /// Sets the link type.
    pub fn link_type(mut self, link_type: LinkType) -> Self {
        self.link_type = link_type;
        self
    }
    /// Sets the snapshot length.
    pub fn snaplen(mut self, snaplen: u32) -> Self {
        self.snaplen = snaplen;
        self
    }
}

/// Writes a PCAP file: the global header at creation, then one record per frame.
///
/// Frames are written as given (not cut to the snapshot length). A timestamp outside
/// `0..2^32` seconds, a frame of another link type, or data above 4 GiB is an error.
pub struct PcapWriter<W: Write> {
    out: Out<W>,
    header: PcapHeader,
    frames: u64,
}

impl<W: Write> PcapWriter<W> {
    /// Writes the global header.
    pub fn new(out: W, opts: PcapWriterOptions) -> Result<Self, Error> {
        let header = PcapHeader::new(opts.endian, opts.nanosecond, opts.link_type, opts.snaplen);
        let mut out = Out {
            inner: out,
            offset: 0,
        };
        out.write(&header.to_bytes(), 0)?;
        Ok(Self {
            out,
            header,
            frames: 0,
        })
    }

    /// The header written.
    pub fn header(&self) -> &PcapHeader {
        &self.header
    }

    /// Writes one frame (its timestamp, original length and data).
    pub fn write_frame(&mut self, frame: &RawFrame<'_>) -> Result<(), Error> {
        if frame.link_type != self.header.link_type() {
            let kind = ErrorKind::LinkTypeMismatch {
                file: self.header.link_type().0,
                frame: frame.link_type.0,
            };
            return Err(self.error(kind));
        }
        self.write_packet(frame.timestamp, frame.origlen, frame.data)
    }

    /// Writes one record.
    pub fn write_packet(&mut self, ts: Timestamp, origlen: u32, data: &[u8]) -> Result<(), Error> {
        let ts_sec = u32::try_from(ts.secs).map_err(|_| {
            self.error(ErrorKind::TimestampOutOfRange {
                timestamp: format!("{ts:#}"),
                limit: "PCAP stores 0 to 4294967295 seconds since the epoch",
            })
        })?;
        let incl_len = u32::try_from(data.len()).map_err(|_| {
            self.error(ErrorKind::TooLong {
                what: "frame",
                length: data.len() as u64,
            })
        })?;
        let rec = PcapRecordHeader {
            ts_sec,
            ts_usec: if self.header.nanosecond {
                ts.nanos
            } else {
                ts.nanos / 1_000
            },
            incl_len,
            orig_len: origlen,
        };
        let n = self.frames + 1;
        self.out
            .write(&RecordHeader::to_bytes(&rec, self.header.endian), n)?;
        self.out.write(data, n)?;
        self.frames = n;
        Ok(())
    }

    /// Frames written.
    pub fn frame_count(&self) -> u64 {
        self.frames
    }

    /// Bytes written.
    pub fn bytes_written(&self) -> u64 {
        self.out.offset
    }

    /// Flushes the underlying writer.
    pub fn flush(&mut self) -> Result<(), Error> {
        self.out.flush(self.frames)
    }

    /// The underlying writer (not flushed: call [`PcapWriter::flush`] first if it
    /// buffers).
    pub fn into_inner(self) -> W {
        self.out.inner
    }

    fn error(&self, kind: ErrorKind) -> Error {
        Error::new(
            kind,
            Context::Writer {
                frame: self.frames + 1,
            },
            self.out.offset,
        )
    }
}

/// Settings of a [`PcapngWriter`].
#[derive(Clone, Debug, PartialEq, Eq, Default)]
pub struct PcapngWriterOptions {
    /// Byte order of the section. Default little endian.
    pub endian: Endian,
    /// `shb_userappl` option of the Section Header Block (none by default).
    pub user_appl: Option<String>,
}

/// An interface to declare explicitly with [`PcapngWriter::add_interface`].
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct InterfaceSpec {
    /// Link type.
    pub link_type: LinkType,
    /// Snapshot length (0 = unlimited).
    pub snaplen: u32,
    /// `if_tsresol` (written unless it is the default 10^-6).
    pub tsresol: TsResolution,
    /// `if_tsoffset` (written when non-zero).
    pub tsoffset: i64,
    /// `if_name` (written when set).
    pub name: Option<String>,
}

impl InterfaceSpec {
    /// An interface with nanosecond timestamps and no offset or name.
    pub fn new(link_type: LinkType, snaplen: u32) -> Self {
        Self {
            link_type,
            snaplen,
            tsresol: TsResolution::Decimal(9),
            tsoffset: 0,
            name: None,
        }
    }
}

/// Writes a PCAPNG file: a Section Header Block at creation, an Interface Description
/// Block (nanosecond `if_tsresol`) the first time each (link type, snaplen) pair is
/// seen, and one Enhanced Packet Block per frame.
pub struct PcapngWriter<W: Write> {
    out: Out<W>,
    endian: Endian,
    /// (link type, snaplen, tsresol, tsoffset) of each interface of the section.
    interfaces: Vec<(LinkType, u32, TsResolution, i64)>,
    /// Interfaces created by `write_frame`, by (link type, snaplen).
    auto: Vec<(LinkType, u32, u32)>,
    frames: u64,
}

impl<W: Write> PcapngWriter<W> {
    /// Writes the Section Header Block.
    pub fn new(out: W, opts: PcapngWriterOptions) -> Result<Self, Error> {
        let mut w = Self {
            out: Out {
                inner: out,
                offset: 0,
            },
            endian: opts.endian,
            interfaces: Vec::new(),
            auto: Vec::new(),
            frames: 0,
        };
        w.new_section(opts)?;
        Ok(w)
    }

    /// Starts a new section (another SHB, possibly in the other byte order); the
    /// interfaces of the previous section are forgotten.
    pub fn new_section(&mut self, opts: PcapngWriterOptions) -> Result<(), Error> {
        self.endian = opts.endian;
        self.interfaces.clear();
        self.auto.clear();
        let e = self.endian;
        let mut body = Vec::with_capacity(32);
        body.extend_from_slice(&e.put_u32(0x1A2B_3C4D));
        body.extend_from_slice(&e.put_u16(1));
        body.extend_from_slice(&e.put_u16(0));
        body.extend_from_slice(&e.put_u64(u64::MAX)); // section length: unknown (-1)
        if let Some(appl) = &opts.user_appl {
            self.push_option(&mut body, 4, appl.as_bytes())?;
            self.push_option(&mut body, 0, &[])?;
        }
        self.write_block(block_type::SHB, &body)
    }

    /// Declares an interface (writes its IDB) and returns its id.
    pub fn add_interface(&mut self, spec: &InterfaceSpec) -> Result<u32, Error> {
        let e = self.endian;
        let id = u32::try_from(self.interfaces.len()).map_err(|_| {
            self.error(ErrorKind::TooLong {
                what: "interface list",
                length: self.interfaces.len() as u64,
            })
        })?;
        let link = u16::try_from(spec.link_type.0).map_err(|_| {
            self.error(ErrorKind::TooLong {
                what: "PCAPNG link type (16 bits)",
                length: u64::from(spec.link_type.0),
            })
        })?;
        let mut body = Vec::with_capacity(40);
        body.extend_from_slice(&e.put_u16(link));
        body.extend_from_slice(&e.put_u16(0));
        body.extend_from_slice(&e.put_u32(spec.snaplen));
        let mut any = false;
        if let Some(name) = &spec.name {
            self.push_option(&mut body, 2, name.as_bytes())?;
            any = true;
        }
        if spec.tsresol != TsResolution::default() {
            self.push_option(&mut body, 9, &[spec.tsresol.to_option()])?;
            any = true;
        }
        if spec.tsoffset != 0 {
            self.push_option(&mut body, 14, &e.put_u64(spec.tsoffset as u64))?;
            any = true;
        }
        if any {
            self.push_option(&mut body, 0, &[])?;
        }
        self.write_block(block_type::IDB, &body)?;
        self.interfaces
            .push((spec.link_type, spec.snaplen, spec.tsresol, spec.tsoffset));
        Ok(id)
    }

    /// Writes one frame as an EPB on the interface for its (link type, snaplen), which
    /// is declared first if new (nanosecond resolution).
    pub fn write_frame(&mut self, frame: &RawFrame<'_>) -> Result<(), Error> {
        let key = (frame.link_type, frame.snaplen);
        let id = match self.auto.iter().find(|(l, s, _)| (*l, *s) == key) {
            Some(&(_, _, id)) => id,
            None => {
                let id = self.add_interface(&InterfaceSpec::new(frame.link_type, frame.snaplen))?;
                self.auto.push((frame.link_type, frame.snaplen, id));
                id
            }
        };
        self.write_frame_on(id, frame)
    }

    /// Writes one frame as an EPB on interface `interface_id` (declared by the caller,
    /// nanosecond resolution): a time before the epoch is a typed
    /// [`ErrorKind::TimestampOutOfRange`].
    pub fn write_frame_on(&mut self, interface_id: u32, frame: &RawFrame<'_>) -> Result<(), Error> {
        let ns = frame.timestamp.as_nanos();
        let raw = u64::try_from(ns).map_err(|_| {
            self.error(ErrorKind::TimestampOutOfRange {
                timestamp: format!("{:#}", frame.timestamp),
                limit: "nanosecond PCAPNG timestamps hold 1970 to 2554",
            })
        })?;
        self.write_packet(interface_id, raw, frame.origlen, frame.data)
    }

    /// Writes an EPB with a raw timestamp in the interface's own units.
    pub fn write_packet(
        &mut self,
        interface_id: u32,
        raw_timestamp: u64,
        origlen: u32,
        data: &[u8],
    ) -> Result<(), Error> {
        if interface_id as usize >= self.interfaces.len() {
            let kind = ErrorKind::UnknownInterface {
                interface_id,
                defined: self.interfaces.len() as u32,
            };
            return Err(self.error(kind));
        }
        let caplen = self.data_len(data, 32)?;
        let e = self.endian;
        let padded = pad4(caplen);
        let total = (32 + padded) as u32; // ok: checked by data_len
        let mut head = [0u8; 28];
        let fields = [
            block_type::EPB,
            total,
            interface_id,
            (raw_timestamp >> 32) as u32,
            raw_timestamp as u32,
            caplen,
            origlen,
        ];
        for (chunk, v) in head.chunks_exact_mut(4).zip(fields) {
            chunk.copy_from_slice(&e.put_u32(v));
        }
        let n = self.frames + 1;
        self.out.write(&head, n)?;
        self.out.write(data, n)?;
        let pad = ZEROS
            .get(..(padded - u64::from(caplen)) as usize)
            .unwrap_or_default();
        self.out.write(pad, n)?;
        self.out.write(&e.put_u32(total), n)?;
        self.frames = n;
        Ok(())
    }

    /// Writes a Simple Packet Block (interface 0 must exist).
    pub fn write_simple_packet(&mut self, origlen: u32, data: &[u8]) -> Result<(), Error> {
        if self.interfaces.is_empty() {
            return Err(self.error(ErrorKind::NoInterface));
        }
        let e = self.endian;
        let mut body = Vec::with_capacity(data.len() + 8);
        body.extend_from_slice(&e.put_u32(origlen));
        body.extend_from_slice(data);
        self.write_block(block_type::SPB, &body)?;
        self.frames += 1;
        Ok(())
    }

    /// Writes any block: header, `body` padded to 4 bytes, trailing length. The body's
    /// numbers must already be in this section's byte order.
    pub fn write_block(&mut self, block_type: u32, body: &[u8]) -> Result<(), Error> {
        let len = self.data_len(body, 12)?;
        let padded = pad4(len);
        let total = (12 + padded) as u32; // ok: checked by data_len
        let e = self.endian;
        let n = self.frames;
        let mut head = [0u8; 8];
        for (chunk, v) in head.chunks_exact_mut(4).zip([block_type, total]) {
            chunk.copy_from_slice(&e.put_u32(v));
        }
        self.out.write(&head, n)?;
        self.out.write(body, n)?;
        let pad = ZEROS
            .get(..(padded - u64::from(len)) as usize)
            .unwrap_or_default();
        self.out.write(pad, n)?;
        self.out.write(&e.put_u32(total), n)
    }

    /// The byte order of the current section.
    pub fn endian(&self) -> Endian {
        self.endian
    }

    /// Frames written.
    pub fn frame_count(&self) -> u64 {
        self.frames
    }

    /// Bytes written.
    pub fn bytes_written(&self) -> u64 {
        self.out.offset
    }

    /// Flushes the underlying writer.
    pub fn flush(&mut self) -> Result<(), Error> {
        self.out.flush(self.frames)
    }

    /// The underlying writer (not flushed).
    pub fn into_inner(self) -> W {
        self.out.inner
    }

    /// Appends an option (code, length, value, padding) to a block body.
    fn push_option(&self, body: &mut Vec<u8>, code: u16, value: &[u8]) -> Result<(), Error> {
        let e = self.endian;
        let len = u16::try_from(value.len()).map_err(|_| {
            self.error(ErrorKind::TooLong {
                what: "option",
                length: value.len() as u64,
            })
        })?;
        body.extend_from_slice(&e.put_u16(code));
        body.extend_from_slice(&e.put_u16(len));
        body.extend_from_slice(value);
        body.resize(
            body.len() + (pad4(u32::from(len)) as usize - value.len()),
            0,
        );
        Ok(())
    }

    /// The length of `data` when a block of `overhead + pad4(len)` bytes fits in u32.
    fn data_len(&self, data: &[u8], overhead: u64) -> Result<u32, Error> {
        u32::try_from(data.len())
            .ok()
            .filter(|&l| overhead + pad4(l) <= u64::from(u32::MAX))
            .ok_or_else(|| {
                self.error(ErrorKind::TooLong {
                    what: "block",
                    length: data.len() as u64,
                })
            })
    }

    fn error(&self, kind: ErrorKind) -> Error {
        Error::new(
            kind,
            Context::Writer {
                frame: self.frames + 1,
            },
            self.out.offset,
        )
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn pcap_microseconds_truncate() {
        let mut w = PcapWriter::new(Vec::new(), PcapWriterOptions::default()).unwrap();
        w.write_packet(Timestamp::new(10, 123_456_789), 4, &[1, 2, 3, 4])
            .unwrap();
        let b = w.into_inner();
        assert_eq!(b.len(), 24 + 16 + 4);
        assert_eq!(&b[24..28], &10u32.to_le_bytes());
        assert_eq!(&b[28..32], &123_456u32.to_le_bytes());
    }

    #[test]
    fn pcap_rejects_unrepresentable() {
        let mut w = PcapWriter::new(Vec::new(), PcapWriterOptions::default()).unwrap();
        let err = w.write_packet(Timestamp::new(-1, 0), 0, &[]).unwrap_err();
        assert_eq!(
            err.to_string(),
            "writer, frame 1 at byte offset 24: timestamp -1.000000000 cannot be written: \
             PCAP stores 0 to 4294967295 seconds since the epoch"
        );
        let f = RawFrame::new(1, Timestamp::new(1, 0), LinkType::RAW, 0, &[]);
        let err = w.write_frame(&f).unwrap_err();
        assert_eq!(
            err.kind,
            ErrorKind::LinkTypeMismatch {
                file: 1,
                frame: 101
            }
        );
    }

    #[test]
    fn pcapng_block_layout() {
        let mut w = PcapngWriter::new(Vec::new(), PcapngWriterOptions::default()).unwrap();
        let f = RawFrame::new(1, Timestamp::new(1, 2), LinkType::ETHERNET, 5, &[9; 5]);
        w.write_frame(&f).unwrap();
        let b = w.into_inner();
        // SHB 28, IDB 20 + if_tsresol (8) + endofopt (4) = 32, EPB 32 + 8
        assert_eq!(b.len(), 28 + 32 + 40);
        assert_eq!(&b[28..32], &1u32.to_le_bytes());
        assert_eq!(&b[60..64], &6u32.to_le_bytes());
        assert_eq!(&b[96..100], &40u32.to_le_bytes());
    }

    #[test]
    fn pcapng_unknown_interface() {
        let mut w = PcapngWriter::new(Vec::new(), PcapngWriterOptions::default()).unwrap();
        let err = w.write_packet(3, 0, 0, &[]).unwrap_err();
        assert_eq!(
            err.kind,
            ErrorKind::UnknownInterface {
                interface_id: 3,
                defined: 0
            }
        );
        assert_eq!(
            w.write_simple_packet(0, &[]).unwrap_err().kind,
            ErrorKind::NoInterface
        );
    }

    /// A sink that is always full.
    struct Full;
    impl Write for Full {
        fn write(&mut self, _: &[u8]) -> std::io::Result<usize> {
            Err(std::io::Error::new(
                std::io::ErrorKind::StorageFull,
                "No space left on device",
            ))
        }
        fn flush(&mut self) -> std::io::Result<()> {
            Ok(())
        }
    }

    #[test]
    fn disk_full_is_a_typed_error() {
        let Err(err) = PcapWriter::new(Full, PcapWriterOptions::default()) else {
            panic!()
        };
        assert_eq!(
            err.to_string(),
            "writer, file header at byte offset 0: I/O error: No space left on device"
        );
        let Err(err) = PcapngWriter::new(Full, PcapngWriterOptions::default()) else {
            panic!()
        };
        assert!(matches!(
            err.kind,
            ErrorKind::Io {
                kind: std::io::ErrorKind::StorageFull,
                ..
            }
        ));
    }
}
