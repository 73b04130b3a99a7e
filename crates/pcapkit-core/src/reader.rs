//! The streaming capture reader.

use std::fmt;
use std::fs::File;
use std::io::Read;
use std::path::Path;

use crate::frame::{FrameMeta, PcapngPacketMeta};
use crate::pcap::{Magic, PcapHeader, RecordHeader};
use crate::pcapng::{
    Block, BlockPos, BodyError, CustomBlock, DecryptionSecretsBlock, EnhancedPacketBlock,
    Interface, InterfaceDescriptionBlock, InterfaceStatisticsBlock, NameResolutionBlock,
    PacketBlock, Section, SectionHeaderBlock, SimplePacketBlock, SystemdJournalBlock, UnknownBlock,
    block_type, endian_of, minimum_block_length,
};
use crate::source::{Data, Source, Stream};
use crate::{Context, Endian, Error, ErrorKind, OwnedFrame, Precision, RawFrame, Timestamp};

/// Default [`ReaderOptions::max_frame_size`]: 128 MiB.
///
/// Wireshark's largest per-link-type limit (D-Bus and USBPcap) is 128 MiB, so every
/// capture Wireshark reads, we read; ordinary captures stay far below (Ethernet jumbo
/// frames 9 KiB, Linux USB 256 KiB). The limit only bounds what one record may claim:
/// memory-mapped input allocates nothing per frame, and stream input grows its buffer
/// only as the bytes actually arrive.
pub const DEFAULT_MAX_FRAME_SIZE: usize = 128 * 1024 * 1024;

/// Default [`ReaderOptions::buffer_size`] for stream input: 256 KiB.
pub const DEFAULT_BUFFER_SIZE: usize = 256 * 1024;

/// Default [`ReaderOptions::max_interfaces`]: 4096 interfaces per PCAPNG section.
///
/// Capture tools write one Interface Description Block per capturing interface (dumpcap
/// on a busy router: dozens); a section claiming more is damaged or hostile. Each
/// interface is kept for the whole section, so this bounds the reader's memory.
pub const DEFAULT_MAX_INTERFACES: usize = 4096;

/// Default [`ReaderOptions::max_interface_bytes`]: 16 MiB of Interface Description
/// Blocks kept per PCAPNG section.
pub const DEFAULT_MAX_INTERFACE_BYTES: usize = 16 * 1024 * 1024;

/// Room for block headers, fixed fields and options on top of the frame size.
const BLOCK_OVERHEAD: u64 = 128 * 1024;

/// At most this many warnings are kept (the count goes on).
const MAX_WARNINGS: usize = 1000;

/// How a file path is read.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Default)]
pub enum Access {
    /// The faster of the two: buffered reads. Measured with `benches/read.rs` (1M
    /// frames of 60..1514 bytes, page cache warm, 2-core VM): buffered 1.2-1.4x the time
    /// of `cat FILE > /dev/null`, memory map 25-35% slower than buffered (page faults
    /// cost more than the copy), for PCAP and PCAPNG alike.
    #[default]
    Auto,
    /// Memory-map the file (falls back to buffered reads when mapping fails).
    Mmap,
    /// Read the file in chunks into a reused buffer.
    Buffered,
}

/// Reader settings.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct ReaderOptions {
    /// Largest captured length a record may claim; a larger one is an error
    /// ([`ErrorKind::FrameTooLarge`], or [`ErrorKind::BlockTooLarge`] for a PCAPNG block
    /// longer than this plus 128 KiB). Default [`DEFAULT_MAX_FRAME_SIZE`].
    pub max_frame_size: usize,
    /// Initial buffer for stream input (grows for larger records). Default
    /// [`DEFAULT_BUFFER_SIZE`].
    pub buffer_size: usize,
    /// How paths are read. Default [`Access::Auto`].
    pub access: Access,
    /// Most Interface Description Blocks per PCAPNG section; one more is an error
    /// ([`ErrorKind::InterfaceLimit`]). Default [`DEFAULT_MAX_INTERFACES`].
    pub max_interfaces: usize,
    /// Most bytes of Interface Description Blocks kept per PCAPNG section (their
    /// options are kept for the whole section); more is an error
    /// ([`ErrorKind::InterfaceLimit`]). Default [`DEFAULT_MAX_INTERFACE_BYTES`].
    pub max_interface_bytes: usize,
}

impl Default for ReaderOptions {
    fn default() -> Self {
        Self {
            max_frame_size: DEFAULT_MAX_FRAME_SIZE,
            buffer_size: DEFAULT_BUFFER_SIZE,
            access: Access::Auto,
            max_interfaces: DEFAULT_MAX_INTERFACES,
            max_interface_bytes: DEFAULT_MAX_INTERFACE_BYTES,
        }
    }
}

impl ReaderOptions {
    /// Sets [`ReaderOptions::max_frame_size`].
    pub fn max_frame_size(mut self, bytes: usize) -> Self {
        self.max_frame_size = bytes;
        self
    }

    /// Sets [`ReaderOptions::buffer_size`].
    pub fn buffer_size(mut self, bytes: usize) -> Self {
        self.buffer_size = bytes;
        self
    }

    /// Sets [`ReaderOptions::access`].
    pub fn access(mut self, access: Access) -> Self {
        self.access = access;
        self
    }

    /// Sets [`ReaderOptions::max_interfaces`].
    pub fn max_interfaces(mut self, count: usize) -> Self {
        self.max_interfaces = count;
        self
    }

    /// Sets [`ReaderOptions::max_interface_bytes`].
    pub fn max_interface_bytes(mut self, bytes: usize) -> Self {
        self.max_interface_bytes = bytes;
        self
    }
}

/// The container format of the input.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
pub enum Format {
    /// libpcap.
    Pcap,
    /// PCAP Next Generation.
    Pcapng,
}

/// The file header: the PCAP global header or the current PCAPNG section.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Header<'r> {
    /// PCAP global header.
    Pcap(&'r PcapHeader),
    /// The current PCAPNG section.
    Pcapng(&'r Section),
}

/// One record of the input, in file order.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum Record<'a> {
    /// The PCAP global header (always the first record of a PCAP file).
    PcapHeader(PcapHeader),
    /// A PCAPNG block that carries no packet (SHB, IDB, NRB, ISB, DSB, ...).
    Block(Block<'a>),
    /// A frame (PCAP record, or PCAPNG EPB, SPB or obsolete PB).
    Frame(RawFrame<'a>),
}

/// Something odd but readable about a frame.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
pub enum Warning {
    /// The captured length is above the file's or interface's snapshot length.
    CaplenAboveSnaplen {
        /// Frame number.
        frame: u64,
        /// Absolute offset of the record.
        offset: u64,
        /// Captured length.
        caplen: u32,
        /// Snapshot length.
        snaplen: u32,
    },
    /// The original length is below the captured length.
    OriglenBelowCaplen {
        /// Frame number.
        frame: u64,
        /// Absolute offset of the record.
        offset: u64,
        /// Captured length.
        caplen: u32,
        /// Original length.
        origlen: u32,
    },
}

impl fmt::Display for Warning {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match *self {
            Self::CaplenAboveSnaplen {
                frame,
                offset,
                caplen,
                snaplen,
            } => write!(
                f,
                "frame {frame} at byte offset {offset}: captured length {caplen} is above the \
                 snapshot length {snaplen}"
            ),
            Self::OriglenBelowCaplen {
                frame,
                offset,
                caplen,
                origlen,
            } => write!(
                f,
                "frame {frame} at byte offset {offset}: original length {origlen} is below the \
                 captured length {caplen}"
            ),
        }
    }
}

struct PcapState {
    header: PcapHeader,
    header_pending: bool,
}

struct NgState {
    endian: Endian,
    section: Section,
    sections_seen: u32,
    interfaces: Vec<Interface>,
    /// Bytes of the section's IDBs (bounded by `max_interface_bytes`).
    interface_bytes: u64,
}

enum Kind {
    Pcap(PcapState),
    Pcapng(NgState),
}

/// Reads PCAP and PCAPNG captures record by record, lending out borrowed frames.
///
/// ```
/// # fn main() -> Result<(), pcapkit_core::Error> {
/// use pcapkit_core::{LinkType, PcapWriter, PcapWriterOptions, RawFrame, Reader,
///     ReaderOptions, Record, Timestamp};
///
/// let mut w = PcapWriter::new(Vec::new(), PcapWriterOptions::default())?;
/// w.write_frame(&RawFrame::new(1, Timestamp::new(1, 5_000), LinkType::ETHERNET, 60, &[0; 60]))?;
/// let bytes = w.into_inner();
///
/// let mut r = Reader::from_bytes(bytes, ReaderOptions::default())?;
/// let mut frames = 0;
/// while let Some(rec) = r.next_record()? {
///     if let Record::Frame(f) = rec {
///         assert_eq!(f.timestamp.to_string(), "1.000005");
///         frames += 1;
///     }
/// }
/// assert_eq!(frames, 1);
/// # Ok(()) }
/// ```
pub struct Reader {
    src: Source,
    opts: ReaderOptions,
    kind: Kind,
    done: bool,
    /// Bytes of the record handed out last, consumed on the next call.
    pending: usize,
    frames: u64,
    /// Records (PCAP) or blocks (PCAPNG) read so far.
    records: u64,
    warnings: Vec<Warning>,
    warning_count: u64,
}

impl fmt::Debug for Reader {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("Reader")
            .field("format", &self.format())
            .field("offset", &self.src.offset())
            .field("frames", &self.frames)
            .field("done", &self.done)
            .finish_non_exhaustive()
    }
}

impl Reader {
    /// Opens a path (`-` = standard input) with default options.
    pub fn open(path: impl AsRef<Path>) -> Result<Self, Error> {
        Self::open_with(path, ReaderOptions::default())
    }

    /// Opens a path (`-` = standard input).
    pub fn open_with(path: impl AsRef<Path>, opts: ReaderOptions) -> Result<Self, Error> {
        let path = path.as_ref();
        if path.as_os_str() == "-" {
            return Self::stdin(opts);
        }
        let file = File::open(path).map_err(|e| Error::io(&e, Context::Input, 0))?;
        let regular = file.metadata().map(|m| m.is_file()).unwrap_or(false);
        if regular && opts.access == Access::Mmap {
            if let Some(map) = map_file(&file) {
                return Self::with_source(
                    Source::Whole {
                        data: Data::Mmap(map),
                        pos: 0,
                    },
                    opts,
                );
            }
        }
        Self::from_read(file, opts)
    }

    /// Reads standard input to its end (never spins at EOF).
    pub fn stdin(opts: ReaderOptions) -> Result<Self, Error> {
        #[cfg(unix)]
        {
            use std::os::fd::AsFd;
            // A private handle on fd 0: reads go straight to the OS, no extra buffer.
            if let Ok(fd) = std::io::stdin().as_fd().try_clone_to_owned() {
                return Self::from_read(File::from(fd), opts);
            }
        }
        Self::from_read(std::io::stdin(), opts)
    }

    /// Reads from any [`Read`], buffering internally (do not wrap it in a `BufReader`).
    pub fn from_read<R: Read + Send + 'static>(r: R, opts: ReaderOptions) -> Result<Self, Error> {
        Self::with_source(
            Source::Stream(Stream::new(Box::new(r), opts.buffer_size)),
            opts,
        )
    }

    /// Reads a capture held in memory.
    pub fn from_bytes(bytes: Vec<u8>, opts: ReaderOptions) -> Result<Self, Error> {
        Self::with_source(
            Source::Whole {
                data: Data::Vec(bytes),
                pos: 0,
            },
            opts,
        )
    }

    fn with_source(mut src: Source, opts: ReaderOptions) -> Result<Self, Error> {
        let io = |e: std::io::Error| Error::io(&e, Context::Input, 0);
        let avail = src.fill(4).map_err(io)?;
        let magic: [u8; 4] = src
            .window()
            .get(..4)
            .and_then(|m| m.try_into().ok())
            .ok_or_else(|| {
                Error::new(
                    ErrorKind::Truncated {
                        what: "file magic",
                        expected: 4,
                        available: avail as u64,
                    },
                    Context::Input,
                    0,
                )
            })?;
        let kind = match Magic::detect(magic) {
            None => {
                return Err(Error::new(
                    ErrorKind::UnknownMagic { magic },
                    Context::Input,
                    0,
                ));
            }
            Some(Magic::Pcap { .. }) => {
                src.fill(crate::pcap::HEADER_LEN).map_err(io)?;
                let header = PcapHeader::parse(src.window())
                    .map_err(|k| Error::new(k, Context::PcapHeader, 0))?;
                Kind::Pcap(PcapState {
                    header,
                    header_pending: true,
                })
            }
            Some(Magic::Pcapng) => {
                // Parse the first SHB now so that `header()` works before the first
                // record; it is read again (and counted) by the first `next_record`.
                let env = envelope(&mut src, &opts, Endian::Little, 1)?;
                let pos = BlockPos {
                    raw: env.raw(src.window()),
                    block_type: block_type::SHB,
                    length: env.length,
                    offset: 0,
                    section: 1,
                    endian: env.endian,
                };
                let shb = SectionHeaderBlock::parse(env.body(src.window()), pos)
                    .map_err(|e| env.error(e))?;
                Kind::Pcapng(NgState {
                    endian: env.endian,
                    section: Section::from_block(&shb),
                    sections_seen: 0,
                    interfaces: Vec::new(),
                    interface_bytes: 0,
                })
            }
        };
        Ok(Self {
            src,
            opts,
            kind,
            done: false,
            pending: 0,
            frames: 0,
            records: 0,
            warnings: Vec::new(),
            warning_count: 0,
        })
    }

    /// PCAP or PCAPNG.
    pub fn format(&self) -> Format {
        match self.kind {
            Kind::Pcap(_) => Format::Pcap,
            Kind::Pcapng(_) => Format::Pcapng,
        }
    }

    /// The PCAP global header, or the current PCAPNG section.
    pub fn header(&self) -> Header<'_> {
        match &self.kind {
            Kind::Pcap(p) => Header::Pcap(&p.header),
            Kind::Pcapng(ng) => Header::Pcapng(&ng.section),
        }
    }

    /// The PCAP global header (`None` for PCAPNG).
    pub fn pcap_header(&self) -> Option<&PcapHeader> {
        match &self.kind {
            Kind::Pcap(p) => Some(&p.header),
            Kind::Pcapng(_) => None,
        }
    }

    /// The current PCAPNG section (`None` for PCAP).
    pub fn section(&self) -> Option<&Section> {
        match &self.kind {
            Kind::Pcap(_) => None,
            Kind::Pcapng(ng) => Some(&ng.section),
        }
    }

    /// The interfaces of the current PCAPNG section (empty for PCAP).
    pub fn interfaces(&self) -> &[Interface] {
        match &self.kind {
            Kind::Pcap(_) => &[],
            Kind::Pcapng(ng) => &ng.interfaces,
        }
    }

    /// Frames handed out so far.
    pub fn frame_count(&self) -> u64 {
        self.frames
    }

    /// Absolute offset of the next unread byte.
    pub fn offset(&self) -> u64 {
        self.src.offset() + self.pending as u64
    }

    /// Warnings about frames read so far (the first 1000; see [`Reader::warning_count`]).
    pub fn warnings(&self) -> &[Warning] {
        &self.warnings
    }

    /// Number of warnings, including those not kept.
    pub fn warning_count(&self) -> u64 {
        self.warning_count
    }

    /// Bytes allocated for buffering stream input (0 for memory-mapped or in-memory
    /// input); stays flat however large the capture.
    pub fn buffer_capacity(&self) -> usize {
        self.src.buffer_capacity()
    }

    /// The next record: the PCAP global header, a PCAPNG non-packet block, or a frame.
    ///
    /// All good records come first; a damaged one yields its typed error once, and
    /// `Ok(None)` follows forever. `Ok(None)` also marks a clean end of input.
    pub fn next_record(&mut self) -> Result<Option<Record<'_>>, Error> {
        self.next_inner(false)
    }

    /// The next frame, skipping the header and non-packet blocks (which still update
    /// [`Reader::section`] and [`Reader::interfaces`]).
    pub fn next_frame(&mut self) -> Result<Option<RawFrame<'_>>, Error> {
        match self.next_inner(true)? {
            Some(Record::Frame(f)) => Ok(Some(f)),
            _ => Ok(None),
        }
    }

    /// An iterator of owned frames (copies each payload), ending after the first error.
    pub fn frames(self) -> Frames {
        Frames { reader: self }
    }

    fn next_inner(&mut self, frames_only: bool) -> Result<Option<Record<'_>>, Error> {
        self.src.consume(self.pending);
        self.pending = 0;
        if self.done {
            return Ok(None);
        }
        let result = match &mut self.kind {
            Kind::Pcap(st) => {
                if st.header_pending {
                    st.header_pending = false;
                    if !frames_only {
                        self.pending = crate::pcap::HEADER_LEN;
                        return Ok(Some(Record::PcapHeader(st.header)));
                    }
                    self.src.consume(crate::pcap::HEADER_LEN);
                }
                next_pcap(
                    &mut self.src,
                    st,
                    &self.opts,
                    &mut self.frames,
                    &mut self.records,
                    &mut Warnings {
                        list: &mut self.warnings,
                        count: &mut self.warning_count,
                    },
                )
            }
            Kind::Pcapng(ng) => next_pcapng(
                &mut self.src,
                ng,
                &self.opts,
                frames_only,
                &mut self.frames,
                &mut self.records,
                &mut Warnings {
                    list: &mut self.warnings,
                    count: &mut self.warning_count,
                },
            ),
        };
        match result {
            Ok(Some((record, len))) => {
                self.pending = len;
                Ok(Some(record))
            }
            Ok(None) => {
                self.done = true;
                Ok(None)
            }
            Err(e) => {
                self.done = true;
                Err(e)
            }
        }
    }
}

/// Owned frames, see [`Reader::frames`].
#[derive(Debug)]
pub struct Frames {
    reader: Reader,
}

impl Frames {
    /// The underlying reader (header, interfaces, warnings).
    pub fn reader(&self) -> &Reader {
        &self.reader
    }
}

impl Iterator for Frames {
    type Item = Result<OwnedFrame, Error>;

    fn next(&mut self) -> Option<Self::Item> {
        match self.reader.next_frame() {
            Ok(Some(f)) => Some(Ok(f.to_owned_frame())),
            Ok(None) => None,
            Err(e) => Some(Err(e)),
        }
    }
}

#[allow(unsafe_code)]
fn map_file(file: &File) -> Option<memmap2::Mmap> {
    // SAFETY: the map is read-only and private to this reader. If another process
    // truncates the file while we read it, accessing the vanished pages raises SIGBUS;
    // that is the documented risk of memory-mapped input (use `Access::Buffered` for
    // files that may change while being read).
    let map = unsafe { memmap2::Mmap::map(file) }.ok()?;
    #[cfg(unix)]
    {
        let _ = map.advise(memmap2::Advice::Sequential);
    }
    Some(map)
}

struct Warnings<'w> {
    list: &'w mut Vec<Warning>,
    count: &'w mut u64,
}

impl Warnings<'_> {
    #[inline]
    fn check(&mut self, f: &RawFrame<'_>) {
        if f.snaplen != 0 && f.caplen > f.snaplen {
            self.push(Warning::CaplenAboveSnaplen {
                frame: f.number,
                offset: f.offset,
                caplen: f.caplen,
                snaplen: f.snaplen,
            });
        }
        if f.origlen < f.caplen {
            self.push(Warning::OriglenBelowCaplen {
                frame: f.number,
                offset: f.offset,
                caplen: f.caplen,
                origlen: f.origlen,
            });
        }
    }

    #[cold]
    fn push(&mut self, w: Warning) {
        *self.count += 1;
        if self.list.len() < MAX_WARNINGS {
            self.list.push(w);
        }
    }
}

type Next<'s> = Result<Option<(Record<'s>, usize)>, Error>;

fn next_pcap<'s>(
    src: &'s mut Source,
    st: &PcapState,
    opts: &ReaderOptions,
    frames: &mut u64,
    records: &mut u64,
    warnings: &mut Warnings<'_>,
) -> Next<'s> {
    let h = &st.header;
    let offset = src.offset();
    let number = *records + 1;
    let ctx = Context::PcapRecord { number };
    let hdr_len = h.record_header_len();
    let avail = src.fill(hdr_len).map_err(|e| Error::io(&e, ctx, offset))?;
    if avail == 0 {
        return Ok(None);
    }
    let rec = RecordHeader::parse(src.window(), h.endian)
        .filter(|_| avail >= hdr_len)
        .ok_or_else(|| {
            let kind = ErrorKind::Truncated {
                what: "record header",
                expected: hdr_len as u64,
                available: avail as u64,
            };
            Error::new(kind, ctx, offset)
        })?;
    let caplen = rec.incl_len;
    let too_large = || {
        let kind = ErrorKind::FrameTooLarge {
            caplen: u64::from(caplen),
            max: opts.max_frame_size as u64,
        };
        Error::new(kind, ctx, offset)
    };
    let len = usize::try_from(caplen).map_err(|_| too_large())?;
    if len > opts.max_frame_size {
        return Err(too_large());
    }
    let total = hdr_len + len; // ok: both small
    let avail = src.fill(total).map_err(|e| Error::io(&e, ctx, offset))?;
    if avail < total {
        let kind = ErrorKind::Truncated {
            what: "packet data",
            expected: u64::from(caplen),
            available: (avail - hdr_len) as u64,
        };
        return Err(Error::new(kind, ctx, offset + hdr_len as u64));
    }
    let data = src.window().get(hdr_len..total).unwrap_or_default();
    *records = number;
    *frames += 1;
    let frame = RawFrame {
        number: *frames,
        timestamp: Timestamp::from_pcap(rec.ts_sec, rec.ts_usec, h.nanosecond),
        precision: if h.nanosecond {
            Precision::Nano
        } else {
            Precision::Micro
        },
        caplen,
        origlen: rec.orig_len,
        link_type: h.link_type(),
        snaplen: h.snaplen,
        interface: 0,
        offset,
        meta: FrameMeta::Pcap(rec),
        data,
    };
    warnings.check(&frame);
    Ok(Some((Record::Frame(frame), total)))
}

/// A checked block envelope: type, length, byte order, position.
#[derive(Clone, Copy, Debug)]
struct Envelope {
    block_type: u32,
    length: u32,
    endian: Endian,
    offset: u64,
    number: u64,
}

impl Envelope {
    fn ctx(&self) -> Context {
        Context::PcapngBlock {
            number: self.number,
            block_type: Some(self.block_type),
        }
    }

    /// The body: between the 8-byte header and the 4-byte trailing length.
    fn body<'w>(&self, window: &'w [u8]) -> &'w [u8] {
        window.get(8..self.length as usize - 4).unwrap_or_default() // ok: length >= 12
    }

    /// The whole block.
    fn raw<'w>(&self, window: &'w [u8]) -> &'w [u8] {
        window.get(..self.length as usize).unwrap_or_default()
    }

    fn error(&self, e: BodyError) -> Error {
        Error::new(e.kind, self.ctx(), self.offset + 8 + e.at as u64)
    }
}

/// Reads and checks the block header at the current position and makes the whole
/// block available. `Ok` with `length == 0` means a clean end of input.
fn envelope(
    src: &mut Source,
    opts: &ReaderOptions,
    endian: Endian,
    number: u64,
) -> Result<Envelope, Error> {
    let offset = src.offset();
    let ctx = |t| Context::PcapngBlock {
        number,
        block_type: t,
    };
    let avail = src.fill(12).map_err(|e| Error::io(&e, ctx(None), offset))?;
    let truncated = |what, expected: u64, available: usize, t| {
        let kind = ErrorKind::Truncated {
            what,
            expected,
            available: available as u64,
        };
        Error::new(kind, ctx(t), offset)
    };
    if avail == 0 {
        return Ok(Envelope {
            block_type: 0,
            length: 0,
            endian,
            offset,
            number,
        });
    }
    let w = src.window();
    let Some(raw_type) = endian.u32(w) else {
        return Err(truncated("block header", 12, avail, None));
    };
    let mut endian = endian;
    if raw_type == block_type::SHB {
        let bom: [u8; 4] = w
            .get(8..12)
            .and_then(|b| b.try_into().ok())
            .ok_or_else(|| truncated("block header", 12, avail, Some(raw_type)))?;
        endian = endian_of(bom).map_err(|k| Error::new(k, ctx(Some(raw_type)), offset + 8))?;
    }
    let length = w
        .get(4..)
        .and_then(|b| endian.u32(b))
        .filter(|_| avail >= 12)
        .ok_or_else(|| truncated("block header", 12, avail, Some(raw_type)))?;
    let env = Envelope {
        block_type: raw_type,
        length,
        endian,
        offset,
        number,
    };
    let fail = |kind| Error::new(kind, env.ctx(), offset + 4);
    let minimum = minimum_block_length(raw_type);
    if length < minimum {
        return Err(fail(ErrorKind::BlockTooShort { length, minimum }));
    }
    if length % 4 != 0 {
        return Err(fail(ErrorKind::BlockLengthUnaligned { length }));
    }
    let max = (opts.max_frame_size as u64).saturating_add(BLOCK_OVERHEAD);
    if u64::from(length) > max {
        return Err(fail(ErrorKind::BlockTooLarge { length, max }));
    }
    let len = length as usize; // ok: <= max, which fits usize once the block is in memory
    let avail = src
        .fill(len)
        .map_err(|e| Error::io(&e, env.ctx(), offset))?;
    if avail < len {
        return Err(truncated("block", u64::from(length), avail, Some(raw_type)));
    }
    let trailing = src
        .window()
        .get(len - 4..len)
        .and_then(|b| endian.u32(b))
        .unwrap_or(0);
    if trailing != length {
        let kind = ErrorKind::BlockLengthMismatch {
            leading: length,
            trailing,
        };
        return Err(Error::new(kind, env.ctx(), offset + u64::from(length) - 4));
    }
    Ok(env)
}

fn is_packet_block(t: u32) -> bool {
    matches!(t, block_type::EPB | block_type::SPB | block_type::PB)
}

fn next_pcapng<'s>(
    src: &'s mut Source,
    st: &mut NgState,
    opts: &ReaderOptions,
    frames_only: bool,
    frames: &mut u64,
    records: &mut u64,
    warnings: &mut Warnings<'_>,
) -> Next<'s> {
    loop {
        let env = envelope(src, opts, st.endian, *records + 1)?;
        if env.length == 0 {
            return Ok(None);
        }
        *records += 1;
        if frames_only && !is_packet_block(env.block_type) {
            // Update the section state, hand nothing out.
            ng_block(src.window(), env, st, opts)?;
            src.consume(env.length as usize);
            continue;
        }
        let window: &'s [u8] = src.window();
        let record = if is_packet_block(env.block_type) {
            let frame = ng_frame(window, env, st, frames)?;
            warnings.check(&frame);
            Record::Frame(frame)
        } else {
            Record::Block(ng_block(window, env, st, opts)?)
        };
        return Ok(Some((record, env.length as usize)));
    }
}

/// Parses a non-packet block and updates the section state.
fn ng_block<'w>(
    window: &'w [u8],
    env: Envelope,
    st: &mut NgState,
    opts: &ReaderOptions,
) -> Result<Block<'w>, Error> {
    let body = env.body(window);
    let mut pos = BlockPos {
        raw: env.raw(window),
        block_type: env.block_type,
        length: env.length,
        offset: env.offset,
        section: st.sections_seen,
        endian: env.endian,
    };
    let block = match env.block_type {
        block_type::SHB => {
            pos.section = st.sections_seen.saturating_add(1);
            let shb = SectionHeaderBlock::parse(body, pos).map_err(|e| env.error(e))?;
            st.sections_seen = pos.section;
            st.endian = env.endian;
            st.section = Section::from_block(&shb);
            st.interfaces.clear();
            st.interface_bytes = 0;
            Block::SectionHeader(shb)
        }
        block_type::IDB => {
            let bytes = st.interface_bytes.saturating_add(u64::from(env.length));
            if st.interfaces.len() >= opts.max_interfaces || bytes > opts.max_interface_bytes as u64
            {
                let kind = ErrorKind::InterfaceLimit {
                    interfaces: st.interfaces.len() as u64 + 1,
                    bytes,
                    max_interfaces: opts.max_interfaces as u64,
                    max_bytes: opts.max_interface_bytes as u64,
                };
                return Err(Error::new(kind, env.ctx(), env.offset));
            }
            st.interface_bytes = bytes;
            let id = u32::try_from(st.interfaces.len()).unwrap_or(u32::MAX);
            let idb = InterfaceDescriptionBlock::parse(body, pos, id).map_err(|e| env.error(e))?;
            st.interfaces.push(Interface::from_block(&idb));
            Block::InterfaceDescription(idb)
        }
        block_type::NRB => {
            Block::NameResolution(NameResolutionBlock::parse(body, pos).map_err(|e| env.error(e))?)
        }
        block_type::ISB => {
            let ifaces = &st.interfaces;
            let lookup = |id: u32| ifaces.get(id as usize).map(|i| (i.tsresol, i.tsoffset));
            Block::InterfaceStatistics(
                InterfaceStatisticsBlock::parse(body, pos, lookup).map_err(|e| env.error(e))?,
            )
        }
        block_type::DSB => Block::DecryptionSecrets(
            DecryptionSecretsBlock::parse(body, pos).map_err(|e| env.error(e))?,
        ),
        block_type::JOURNAL => Block::SystemdJournal(SystemdJournalBlock::parse(body, pos)),
        block_type::CB_COPY | block_type::CB_NO_COPY => {
            Block::Custom(CustomBlock::parse(body, pos).map_err(|e| env.error(e))?)
        }
        _ => Block::Unknown(UnknownBlock::parse(body, pos)),
    };
    Ok(block)
}

/// Parses a packet block into a frame.
fn ng_frame<'w>(
    window: &'w [u8],
    env: Envelope,
    st: &NgState,
    frames: &mut u64,
) -> Result<RawFrame<'w>, Error> {
    let body = env.body(window);
    let pos = BlockPos {
        raw: env.raw(window),
        block_type: env.block_type,
        length: env.length,
        offset: env.offset,
        section: st.sections_seen,
        endian: env.endian,
    };
    let iface = |id: u32| {
        st.interfaces.get(id as usize).ok_or_else(|| {
            let kind = ErrorKind::UnknownInterface {
                interface_id: id,
                defined: u32::try_from(st.interfaces.len()).unwrap_or(u32::MAX),
            };
            Error::new(kind, env.ctx(), env.offset + 8)
        })
    };
    let (interface, raw_ts, drop_count, origlen, data, options) = match env.block_type {
        block_type::EPB => {
            let b = EnhancedPacketBlock::parse(body, pos).map_err(|e| env.error(e))?;
            let i = iface(b.interface_id)?;
            (
                i,
                Some(b.raw_timestamp),
                None,
                b.original_len,
                b.data,
                b.options,
            )
        }
        block_type::PB => {
            let b = PacketBlock::parse(body, pos).map_err(|e| env.error(e))?;
            let i = iface(u32::from(b.interface_id))?;
            (
                i,
                Some(b.raw_timestamp),
                Some(b.drop_count),
                b.original_len,
                b.data,
                b.options,
            )
        }
        _ => {
            let i = st
                .interfaces
                .first()
                .ok_or_else(|| Error::new(ErrorKind::NoInterface, env.ctx(), env.offset))?;
            let b = SimplePacketBlock::parse(body, pos, i.snaplen).map_err(|e| env.error(e))?;
            let opts = crate::pcapng::Options::empty(env.endian, env.block_type);
            (i, None, None, b.original_len, b.data, opts)
        }
    };
    *frames += 1;
    let timestamp = raw_ts
        .map(|raw| Timestamp::from_raw(raw, interface.tsresol, interface.tsoffset))
        .unwrap_or_default();
    Ok(RawFrame {
        number: *frames,
        timestamp,
        precision: interface.tsresol.precision(),
        caplen: u32::try_from(data.len()).unwrap_or(u32::MAX),
        origlen,
        link_type: interface.link_type,
        snaplen: interface.snaplen,
        interface: interface.id,
        offset: env.offset,
        meta: FrameMeta::Pcapng(PcapngPacketMeta {
            block_type: env.block_type,
            block_length: env.length,
            section: st.sections_seen,
            interface_id: interface.id,
            raw_timestamp: raw_ts,
            tsresol: interface.tsresol,
            tsoffset: interface.tsoffset,
            drop_count,
            options,
        }),
        data,
    })
}
