//! PCAP output: the frames as read, through pcapkit-core's [`PcapWriter`].

use std::io::{BufWriter, Write};

use pcapkit_core::{
    DEFAULT_SNAPLEN, Endian, LinkType, PcapWriter, PcapWriterOptions, Precision, RawFrame,
};

use crate::error::{DumpError, Result};
use crate::outbuf::DEFAULT_BUFFER;

/// Byte order of a PCAP output file.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, Default)]
pub enum ByteOrder {
    /// The machine's own (PyPCAPKit's default, `sys.byteorder`).
    #[default]
    Native,
    /// Little endian.
    Little,
    /// Big endian.
    Big,
}

impl ByteOrder {
    /// Parses `little`, `big` or `native` (also `host`, `network` = big), any case.
    pub fn from_name(name: &str) -> Option<Self> {
        match name.trim().to_ascii_lowercase().as_str() {
            "native" | "host" | "" => Some(ByteOrder::Native),
            "little" | "le" => Some(ByteOrder::Little),
            "big" | "be" | "network" => Some(ByteOrder::Big),
            _ => None,
        }
    }

    /// The concrete byte order.
    pub fn endian(self) -> Endian {
        match self {
            ByteOrder::Native => Endian::native(),
            ByteOrder::Little => Endian::Little,
            ByteOrder::Big => Endian::Big,
        }
    }
}

/// Settings of PCAP output.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Default)]
pub struct PcapOptions {
    /// Byte order of the file (default: the machine's).
    pub byteorder: ByteOrder,
    /// Nanosecond timestamps; `None` (default): as the first frame was captured.
    pub nanosecond: Option<bool>,
    /// Snapshot length in the header; `None` (default): the input's.
    pub snaplen: Option<u32>,
}

enum State<W: Write> {
    /// Nothing written yet: the header waits for the first frame's link type.
    Pending(W),
    Open(PcapWriter<BufWriter<W>>),
    Closed,
}

/// Writes frames as a PCAP file. The global header is written with the first frame
/// (its link type, the input's snapshot length and timestamp precision unless the
/// options say otherwise), or on [`PcapDumper::finish`] for an empty capture.
///
/// A PCAP file holds one link type: a frame of another link type (PCAPNG input with
/// mixed interfaces) is an error naming both.
///
/// ```
/// use pcapkit_core::{LinkType, RawFrame, Reader, ReaderOptions, Timestamp};
/// use pcapkit_dump::{PcapDumper, PcapOptions};
///
/// let mut out = Vec::new();
/// {
///     let mut d = PcapDumper::new(&mut out, PcapOptions::default());
///     d.write_frame(&RawFrame::new(1, Timestamp::new(7, 0), LinkType::ETHERNET, 60, &[0; 60]))?;
///     d.finish()?;
/// }
/// let mut r = Reader::from_bytes(out, ReaderOptions::default())?;
/// assert_eq!(r.next_frame()?.map(|f| f.caplen), Some(60));
/// # Ok::<(), Box<dyn std::error::Error>>(())
/// ```
pub struct PcapDumper<W: Write> {
    state: State<W>,
    opts: PcapOptions,
    hint: Option<(LinkType, u32, bool)>,
}

impl<W: Write> PcapDumper<W> {
    /// A dumper writing to `w` (buffered internally).
    pub fn new(w: W, opts: PcapOptions) -> Self {
        Self {
            state: State::Pending(w),
            opts,
            hint: None,
        }
    }

    /// What the input says about its frames (link type, snapshot length, nanosecond
    /// timestamps), used for the header if no frame arrives.
    pub fn set_input(&mut self, link_type: LinkType, snaplen: u32, nanosecond: bool) {
        self.hint = Some((link_type, snaplen, nanosecond));
    }

    fn open(&mut self, link_type: LinkType, snaplen: u32, nanosecond: bool) -> Result<()> {
        if let State::Pending(_) = self.state {
            let State::Pending(w) = std::mem::replace(&mut self.state, State::Closed) else {
                return Ok(());
            };
            let opts = PcapWriterOptions::default()
                .endian(self.opts.byteorder.endian())
                .nanosecond(self.opts.nanosecond.unwrap_or(nanosecond))
                .link_type(link_type)
                .snaplen(self.opts.snaplen.unwrap_or(if snaplen == 0 {
                    DEFAULT_SNAPLEN
                } else {
                    snaplen
                }));
            let writer = PcapWriter::new(BufWriter::with_capacity(DEFAULT_BUFFER, w), opts)?;
            self.state = State::Open(writer);
        }
        Ok(())
    }

    /// Writes one frame.
    pub fn write_frame(&mut self, frame: &RawFrame<'_>) -> Result<()> {
        if let State::Pending(_) = self.state {
            let (snaplen, ns) = match self.hint {
                Some((_, snaplen, ns)) => (snaplen, ns),
                None => (frame.snaplen, frame.precision == Precision::Nano),
            };
            self.open(frame.link_type, snaplen, ns)?;
        }
        match &mut self.state {
            State::Open(w) => Ok(w.write_frame(frame)?),
            _ => Err(DumpError::Serialize("the PCAP output is closed".into())),
        }
    }

    /// Writes the header if no frame came, and flushes. Idempotent.
    pub fn finish(&mut self) -> Result<()> {
        if let State::Pending(_) = self.state {
            let (link, snaplen, ns) = self.hint.unwrap_or((LinkType::ETHERNET, 0, false));
            self.open(link, snaplen, ns)?;
        }
        if let State::Open(w) = &mut self.state {
            w.flush()?;
        }
        Ok(())
    }
}

impl<W: Write> Drop for PcapDumper<W> {
    fn drop(&mut self) {
        let _ = self.finish();
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use pcapkit_core::{Reader, ReaderOptions, Record, Timestamp};

    fn frame(n: u64, link: LinkType, data: &[u8]) -> RawFrame<'_> {
        RawFrame::new(
            n,
            Timestamp::new(1_600_000_000, 123_456_789),
            link,
            100,
            data,
        )
    }

    #[test]
    fn frames_round_trip_with_options() {
        let mut out = Vec::new();
        {
            let mut d = PcapDumper::new(
                &mut out,
                PcapOptions {
                    byteorder: ByteOrder::Big,
                    nanosecond: Some(true),
                    snaplen: None,
                },
            );
            d.write_frame(&frame(1, LinkType::ETHERNET, &[1, 2, 3]))
                .unwrap();
            d.write_frame(&frame(2, LinkType::ETHERNET, &[4])).unwrap();
            let err = d.write_frame(&frame(3, LinkType::RAW, &[5])).unwrap_err();
            assert!(err.to_string().contains("link type"), "{err}");
            d.finish().unwrap();
        }
        assert_eq!(&out[..4], &[0xa1, 0xb2, 0x3c, 0x4d]);
        let mut r = Reader::from_bytes(out, ReaderOptions::default()).unwrap();
        let mut seen = Vec::new();
        while let Some(rec) = r.next_record().unwrap() {
            if let Record::Frame(f) = rec {
                assert_eq!(f.timestamp, Timestamp::new(1_600_000_000, 123_456_789));
                assert_eq!(f.origlen, 100);
                seen.push(f.data.to_vec());
            }
        }
        assert_eq!(seen, vec![vec![1, 2, 3], vec![4]]);
    }

    #[test]
    fn empty_capture_still_gets_a_header() {
        let mut out = Vec::new();
        {
            let mut d = PcapDumper::new(&mut out, PcapOptions::default());
            d.set_input(LinkType::RAW, 65_535, false);
        }
        assert_eq!(out.len(), 24);
        let r = Reader::from_bytes(out, ReaderOptions::default()).unwrap();
        let h = r.pcap_header().unwrap();
        assert_eq!((h.link_type(), h.snaplen), (LinkType::RAW, 65_535));
    }

    #[test]
    fn byte_order_names() {
        assert_eq!(ByteOrder::from_name("Little"), Some(ByteOrder::Little));
        assert_eq!(ByteOrder::from_name("network"), Some(ByteOrder::Big));
        assert_eq!(ByteOrder::from_name("middle"), None);
        assert_eq!(ByteOrder::Native.endian(), Endian::native());
    }
}
