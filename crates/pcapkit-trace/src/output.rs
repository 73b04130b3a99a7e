//! The flow files: one per flow, in any format, with at most `max_open` of them open
//! at once. The least recently written file is flushed and closed when another must
//! open; it is reopened in append mode when its flow sends again. A flow keeps only a
//! few bytes of file state ([`FileState`]); the open files live in a fixed pool of
//! slots linked in least-recently-used order.

use std::fs::{File, OpenOptions};
use std::io::{self, BufWriter, Write};
use std::path::{Path, PathBuf};

use pcapkit_core::{
    DEFAULT_SNAPLEN, InterfaceSpec, LinkType, PcapWriter, PcapWriterOptions, PcapngWriter,
    PcapngWriterOptions, RawFrame,
};
use pcapkit_dump::{
    BlockName, BlockWriter, ByteOrder, FrameDoc, JsonWriter, JsonlWriter, PacketMode, PlistWriter,
    TreeWriter,
};
use pcapkit_protocols::Packet;

use crate::error::{Result, TraceError};
use crate::format::TraceFormat as Format;

/// No slot.
const NONE: u32 = u32::MAX;

/// The end of an Apple plist document (what [`PlistWriter`] closes it with).
const PLIST_FOOTER: &[u8] = b"</dict>\n</plist>\n";
/// The end of a JSON document (what [`JsonWriter`] closes it with).
const JSON_FOOTER: &[u8] = b"\n}\n";

/// What a flow remembers about its file while the file may be closed.
#[derive(Clone, Debug, Default)]
pub(crate) struct FileState {
    /// The pool slot holding the open file, if it is still this flow's.
    slot: u32,
    /// The file exists (later opens append).
    created: bool,
    /// The document is closed (trailer written); no more frames.
    finished: bool,
    /// Frames written.
    blocks: u64,
    /// PCAP/PCAPNG: the interfaces written, in order (link type, snapshot length).
    ifaces: Vec<(LinkType, u32)>,
}

impl FileState {
    pub(crate) fn new() -> Self {
        Self {
            slot: NONE,
            ..Self::default()
        }
    }
}

/// Passes bytes through after dropping the first `skip`: lets a capture writer
/// re-emit its header on reopen without the header reaching the file twice.
struct Gate<W> {
    inner: W,
    skip: u64,
}

impl<W: Write> Write for Gate<W> {
    fn write(&mut self, buf: &[u8]) -> io::Result<usize> {
        if self.skip == 0 {
            return self.inner.write(buf);
        }
        let n = usize::try_from(self.skip)
            .unwrap_or(usize::MAX)
            .min(buf.len());
        self.skip -= n as u64;
        match buf.get(n..) {
            Some(rest) if !rest.is_empty() => Ok(n + self.inner.write(rest)?),
            _ => Ok(n),
        }
    }
    fn flush(&mut self) -> io::Result<()> {
        self.inner.flush()
    }
}

type FileOut = Gate<BufWriter<File>>;

enum Writer {
    Pcap(PcapWriter<FileOut>),
    Pcapng(PcapngWriter<FileOut>),
    Text(BufWriter<File>),
}

struct Slot {
    flow: u32,
    path: PathBuf,
    writer: Option<Writer>,
    prev: u32,
    next: u32,
}

/// Settings of the flow files.
#[derive(Clone, Copy, Debug)]
pub(crate) struct FileOptions {
    pub format: Format,
    pub byteorder: ByteOrder,
    pub nanosecond: bool,
    pub packets: PacketMode,
    pub max_open: usize,
    pub buffer: usize,
}

/// The pool of open flow files.
pub(crate) struct Files {
    opts: FileOptions,
    slots: Vec<Slot>,
    free: Vec<u32>,
    /// Most recently used.
    head: u32,
    /// Least recently used.
    tail: u32,
    scratch: Vec<u8>,
    plist_header: Vec<u8>,
    pub(crate) opens: u64,
    pub(crate) reopens: u64,
}

fn io_err(path: &Path, source: io::Error) -> TraceError {
    TraceError::File {
        path: path.to_path_buf(),
        source,
    }
}

fn cap_err(path: &Path, source: pcapkit_core::Error) -> TraceError {
    TraceError::Capture {
        path: path.to_path_buf(),
        frame: None,
        source,
    }
}

fn dump_err(path: &Path, source: pcapkit_dump::DumpError) -> TraceError {
    TraceError::Dump {
        path: path.to_path_buf(),
        source,
    }
}

impl Files {
    pub(crate) fn new(opts: FileOptions) -> Result<Self> {
        if opts.max_open == 0 {
            return Err(TraceError::Usage("max_open must be at least 1".into()));
        }
        let mut empty = Vec::new();
        {
            let mut w = PlistWriter::with_buffer(&mut empty, 1);
            w.finish().map_err(|e| dump_err(Path::new("plist"), e))?;
        }
        let plist_header = empty
            .strip_suffix(PLIST_FOOTER)
            .map(<[u8]>::to_vec)
            .ok_or_else(|| TraceError::Usage("unexpected plist document framing".into()))?;
        Ok(Self {
            opts,
            slots: Vec::new(),
            free: Vec::new(),
            head: NONE,
            tail: NONE,
            scratch: Vec::with_capacity(4096),
            plist_header,
            opens: 0,
            reopens: 0,
        })
    }

    /// Files open now.
    pub(crate) fn open_count(&self) -> usize {
        self.slots.len() - self.free.len()
    }

    fn unlink(&mut self, s: u32) {
        let (prev, next) = match self.slots.get(s as usize) {
            Some(slot) => (slot.prev, slot.next),
            None => return,
        };
        match self.slots.get_mut(prev as usize) {
            Some(p) => p.next = next,
            None => self.head = next,
        }
        match self.slots.get_mut(next as usize) {
            Some(n) => n.prev = prev,
            None => self.tail = prev,
        }
    }

    fn push_front(&mut self, s: u32) {
        let old = self.head;
        if let Some(slot) = self.slots.get_mut(s as usize) {
            slot.prev = NONE;
            slot.next = old;
        }
        match self.slots.get_mut(old as usize) {
            Some(o) => o.prev = s,
            None => self.tail = s,
        }
        self.head = s;
    }

    /// Flushes and closes the file in slot `s`, freeing the slot.
    fn close_slot(&mut self, s: u32) -> Result<()> {
        self.unlink(s);
        self.free.push(s);
        let Some(slot) = self.slots.get_mut(s as usize) else {
            return Ok(());
        };
        slot.flow = NONE;
        let path = std::mem::take(&mut slot.path);
        let Some(writer) = slot.writer.take() else {
            return Ok(());
        };
        match writer {
            Writer::Pcap(mut w) => w
                .flush()
                .map_err(|e| cap_err(&path, e))
                .and_then(|()| finish_buf(w.into_inner().inner, &path)),
            Writer::Pcapng(mut w) => w
                .flush()
                .map_err(|e| cap_err(&path, e))
                .and_then(|()| finish_buf(w.into_inner().inner, &path)),
            Writer::Text(w) => finish_buf(w, &path),
        }
    }

    /// The open slot of flow `id`, opening (or reopening) its file.
    fn slot_of(&mut self, id: u32, st: &mut FileState, path: &Path) -> Result<u32> {
        if let Some(slot) = self.slots.get(st.slot as usize)
            && slot.flow == id
        {
            let s = st.slot;
            if self.head != s {
                self.unlink(s);
                self.push_front(s);
            }
            return Ok(s);
        }
        if self.open_count() >= self.opts.max_open && self.tail != NONE {
            self.close_slot(self.tail)?;
        }
        let file = if st.created {
            self.reopens += 1;
            OpenOptions::new().append(true).open(path)
        } else {
            File::create(path)
        }
        .map_err(|e| io_err(path, e))?;
        self.opens += 1;
        let buf = BufWriter::with_capacity(self.opts.buffer, file);
        let writer = self.writer(buf, st, path)?;
        st.created = true;
        let slot = Slot {
            flow: id,
            path: path.to_path_buf(),
            writer: Some(writer),
            prev: NONE,
            next: NONE,
        };
        let s = match self.free.pop() {
            Some(s) => {
                if let Some(old) = self.slots.get_mut(s as usize) {
                    *old = slot;
                }
                s
            }
            None => {
                self.slots.push(slot);
                u32::try_from(self.slots.len() - 1).unwrap_or(NONE)
            }
        };
        self.push_front(s);
        st.slot = s;
        Ok(s)
    }

    fn pcap_options(&self, link: LinkType) -> PcapWriterOptions {
        PcapWriterOptions::default()
            .endian(self.opts.byteorder.endian())
            .nanosecond(self.opts.nanosecond)
            .link_type(link)
            .snaplen(DEFAULT_SNAPLEN)
    }

    fn pcapng_options(&self) -> PcapngWriterOptions {
        PcapngWriterOptions {
            endian: self.opts.byteorder.endian(),
            user_appl: None,
        }
    }

    /// A writer for a newly opened file; for a reopened one the header it would
    /// write again is skipped.
    fn writer(&self, buf: BufWriter<File>, st: &FileState, path: &Path) -> Result<Writer> {
        Ok(match self.opts.format {
            Format::Pcap => {
                let link = st.ifaces.first().map_or(LinkType::ETHERNET, |i| i.0);
                let skip = if st.created { 24 } else { 0 };
                let w = PcapWriter::new(Gate { inner: buf, skip }, self.pcap_options(link))
                    .map_err(|e| cap_err(path, e))?;
                Writer::Pcap(w)
            }
            Format::Pcapng => {
                let skip = if st.created {
                    let mut dry = PcapngWriter::new(io::sink(), self.pcapng_options())
                        .map_err(|e| cap_err(path, e))?;
                    for &(link, snaplen) in &st.ifaces {
                        dry.add_interface(&InterfaceSpec::new(link, snaplen))
                            .map_err(|e| cap_err(path, e))?;
                    }
                    dry.bytes_written()
                } else {
                    0
                };
                let mut w = PcapngWriter::new(Gate { inner: buf, skip }, self.pcapng_options())
                    .map_err(|e| cap_err(path, e))?;
                for &(link, snaplen) in &st.ifaces {
                    w.add_interface(&InterfaceSpec::new(link, snaplen))
                        .map_err(|e| cap_err(path, e))?;
                }
                Writer::Pcapng(w)
            }
            _ => Writer::Text(buf),
        })
    }

    /// The slot of flow `id` if its file is open now (marked most recently used).
    fn open_slot(&mut self, id: u32, st: &FileState) -> Option<u32> {
        let s = st.slot;
        if self.slots.get(s as usize)?.flow != id {
            return None;
        }
        if self.head != s {
            self.unlink(s);
            self.push_front(s);
        }
        Some(s)
    }

    /// Writes one frame of flow `id` to its file (named by `path`, called only when
    /// the file must be opened or an error named).
    pub(crate) fn write(
        &mut self,
        id: u32,
        st: &mut FileState,
        path: &dyn Fn() -> PathBuf,
        raw: &RawFrame<'_>,
        packet: &Packet<'_>,
    ) -> Result<()> {
        if st.finished {
            return Err(TraceError::Usage(format!(
                "flow file {} is already closed",
                path().display()
            )));
        }
        // The first frame decides a PCAP file's link type.
        if st.ifaces.is_empty() && self.opts.format == Format::Pcap {
            st.ifaces.push((raw.link_type, raw.snaplen));
        }
        let format = self.opts.format;
        if format.is_text() {
            self.render(raw, packet).map_err(|e| dump_err(&path(), e))?;
        }
        let s = match self.open_slot(id, st) {
            Some(s) => s,
            None => self.slot_of(id, st, &path())?,
        };
        let Some(Slot {
            writer: Some(writer),
            path,
            ..
        }) = self.slots.get_mut(s as usize)
        else {
            return Ok(());
        };
        let path: &Path = path;
        match writer {
            Writer::Pcap(w) => w.write_frame(raw).map_err(|e| cap_err(path, e))?,
            Writer::Pcapng(w) => {
                let key = (raw.link_type, raw.snaplen);
                let id = match st.ifaces.iter().position(|i| *i == key) {
                    Some(i) => i as u32, // ok: at most one per frame written
                    None => {
                        let i = w
                            .add_interface(&InterfaceSpec::new(raw.link_type, raw.snaplen))
                            .map_err(|e| cap_err(path, e))?;
                        st.ifaces.push(key);
                        i
                    }
                };
                w.write_frame_on(id, raw).map_err(|e| cap_err(path, e))?;
            }
            Writer::Text(w) => {
                let prefix: &[u8] = match (format, st.blocks) {
                    (Format::Json, 0) => b"{",
                    (Format::Json, _) => b",",
                    (Format::Plist, 0) => &self.plist_header,
                    (Format::Tree, n) if n > 0 => b"\n",
                    _ => b"",
                };
                w.write_all(prefix)
                    .and_then(|()| w.write_all(&self.scratch))
                    .map_err(|e| io_err(path, e))?;
            }
        }
        st.blocks += 1;
        Ok(())
    }

    /// Renders the frame's block into `scratch`, without the document's framing.
    fn render(
        &mut self,
        raw: &RawFrame<'_>,
        packet: &Packet<'_>,
    ) -> std::result::Result<(), pcapkit_dump::DumpError> {
        let name = BlockName::Frame(raw.number);
        let doc = FrameDoc::new(raw, packet, self.opts.packets);
        self.scratch.clear();
        let out = &mut self.scratch;
        let framing = || pcapkit_dump::DumpError::Serialize("unexpected document framing".into());
        match self.opts.format {
            Format::Json => {
                let mut w = JsonWriter::with_buffer(&mut *out, 1);
                w.write_block(&name, &doc)?;
                w.finish()?;
                drop(w);
                // `{` + block + `\n}\n`: keep the block.
                if !(out.first() == Some(&b'{') && out.ends_with(JSON_FOOTER)) {
                    return Err(framing());
                }
                out.truncate(out.len() - JSON_FOOTER.len());
                out.remove(0);
            }
            Format::Plist => {
                let mut w = PlistWriter::with_buffer(&mut *out, 1);
                w.write_block(&name, &doc)?;
                w.finish()?;
                drop(w);
                let h = self.plist_header.len();
                if !(out.starts_with(&self.plist_header) && out.ends_with(PLIST_FOOTER)) {
                    return Err(framing());
                }
                out.truncate(out.len() - PLIST_FOOTER.len());
                out.drain(..h);
            }
            Format::Jsonl => {
                let mut w = JsonlWriter::with_buffer(&mut *out, 1);
                w.write_block(&name, &doc)?;
                w.finish()?;
            }
            Format::Tree => {
                let mut w = TreeWriter::with_buffer(&mut *out, 1);
                w.write_block(&name, &doc)?;
                w.finish()?;
            }
            Format::Pcap | Format::Pcapng => {}
        }
        Ok(())
    }

    /// Closes flow `id`'s document: writes the trailer (JSON, plist) and closes its
    /// file. Idempotent.
    pub(crate) fn finish(&mut self, id: u32, st: &mut FileState, path: &Path) -> Result<()> {
        if st.finished {
            return Ok(());
        }
        let trailer: &[u8] = match self.opts.format {
            Format::Json => JSON_FOOTER,
            Format::Plist => PLIST_FOOTER,
            _ => b"",
        };
        let open = self
            .slots
            .get(st.slot as usize)
            .is_some_and(|s| s.flow == id);
        if !trailer.is_empty() && st.blocks > 0 {
            let s = self.slot_of(id, st, path)?;
            if let Some(Slot {
                writer: Some(Writer::Text(w)),
                ..
            }) = self.slots.get_mut(s as usize)
            {
                w.write_all(trailer).map_err(|e| io_err(path, e))?;
            }
            self.close_slot(s)?;
        } else if open {
            self.close_slot(st.slot)?;
        }
        st.finished = true;
        st.slot = NONE;
        Ok(())
    }

    /// Flushes and closes every open file (documents stay as they are).
    pub(crate) fn close_all(&mut self) -> Result<()> {
        let mut first = Ok(());
        while self.tail != NONE {
            let r = self.close_slot(self.tail);
            if first.is_ok() {
                first = r;
            }
        }
        first
    }
}

fn finish_buf(w: BufWriter<File>, path: &Path) -> Result<()> {
    let file = w.into_inner().map_err(|e| io_err(path, e.into_error()))?;
    drop(file);
    Ok(())
}
