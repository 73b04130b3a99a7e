//! [`Dumper`]: one output of any format, to a file, a writer or a directory of
//! per-block files.

use std::fs::{self, File};
use std::io::Write;
use std::path::{Path, PathBuf};

use serde::Serialize;

use pcapkit_core::{LinkType, RawFrame};
use pcapkit_protocols::Packet;

use crate::error::{DumpError, Result};
use crate::frame::FrameDoc;
use crate::json::{JsonWriter, JsonlWriter, render_json, render_jsonl};
use crate::outbuf::DEFAULT_BUFFER;
use crate::pcap::{PcapDumper, PcapOptions};
use crate::plist::{PlistScratch, PlistWriter, render_plist_block};
use crate::tree::{TreeScratch, TreeWriter, render_tree_block};
use crate::{BlockName, BlockWriter, Format, PacketMode};

/// The byte sink behind a [`Dumper`].
pub type Out = Box<dyn Write + Send>;

/// Settings of a [`Dumper`].
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct DumpOptions {
    /// Which `packet` bytes frame blocks carry.
    pub packets: PacketMode,
    /// PCAP output settings.
    pub pcap: PcapOptions,
    /// Bytes buffered before they are handed to the output.
    pub buffer: usize,
}

impl Default for DumpOptions {
    fn default() -> Self {
        Self {
            packets: PacketMode::All,
            pcap: PcapOptions::default(),
            buffer: DEFAULT_BUFFER,
        }
    }
}

enum Sink {
    Json(JsonWriter<Out>),
    Jsonl(JsonlWriter<Out>),
    Plist(PlistWriter<Out>),
    Tree(TreeWriter<Out>),
    Pcap(PcapDumper<Out>),
    /// One file per block in this directory.
    Files,
}

impl Sink {
    fn new(format: Format, out: Out, opts: &DumpOptions) -> Self {
        match format {
            Format::Json => Sink::Json(JsonWriter::with_buffer(out, opts.buffer)),
            Format::Jsonl => Sink::Jsonl(JsonlWriter::with_buffer(out, opts.buffer)),
            Format::Plist => Sink::Plist(PlistWriter::with_buffer(out, opts.buffer)),
            Format::Tree => Sink::Tree(TreeWriter::with_buffer(out, opts.buffer)),
            Format::Pcap => Sink::Pcap(PcapDumper::new(out, opts.pcap)),
        }
    }

    fn block<T: Serialize + ?Sized>(&mut self, name: &BlockName, body: &T) -> Result<()> {
        match self {
            Sink::Json(w) => w.write_block(name, body),
            Sink::Jsonl(w) => w.write_block(name, body),
            Sink::Plist(w) => w.write_block(name, body),
            Sink::Tree(w) => w.write_block(name, body),
            Sink::Pcap(_) | Sink::Files => Ok(()),
        }
    }

    /// Appends a block made by a [`Renderer`] of the same format.
    fn rendered(&mut self, block: &[u8]) -> Result<()> {
        match self {
            Sink::Json(w) => w.write_rendered(block),
            Sink::Jsonl(w) => w.write_rendered(block),
            Sink::Plist(w) => w.write_rendered(block),
            Sink::Tree(w) => w.write_rendered(block),
            Sink::Pcap(_) | Sink::Files => Ok(()),
        }
    }

    fn finish(&mut self) -> Result<()> {
        match self {
            Sink::Json(w) => w.finish(),
            Sink::Jsonl(w) => w.finish(),
            Sink::Plist(w) => w.finish(),
            Sink::Tree(w) => w.finish(),
            Sink::Pcap(w) => w.finish(),
            Sink::Files => Ok(()),
        }
    }
}

/// One output: a document in some [`Format`], written block by block.
///
/// Call [`Dumper::write_block`] for the capture's own records (`Global Header`, PCAPNG
/// blocks; ignored by PCAP output) and [`Dumper::write_frame`] per frame, then
/// [`Dumper::finish`]. Dropping a dumper closes its document too (errors ignored).
/// I/O errors name the output path.
///
/// ```
/// use pcapkit_core::{LinkType, RawFrame, Timestamp};
/// use pcapkit_dump::{DumpOptions, Dumper, Format};
/// use pcapkit_protocols::{dissect, DissectOptions};
///
/// let dir = tempfile::tempdir()?;
/// let mut d = Dumper::to_dir(dir.path(), Format::Json, DumpOptions::default())?;
/// let raw = RawFrame::new(1, Timestamp::new(1, 0), LinkType::ETHERNET, 14, &[0xff; 14]);
/// let packet = dissect(raw.link_type, raw.data, &DissectOptions::default());
/// d.write_frame(&raw, &packet)?;
/// d.finish()?;
/// let text = std::fs::read_to_string(dir.path().join("Frame 1.json"))?;
/// assert!(text.contains("\"Frame 1\""));
/// # Ok::<(), Box<dyn std::error::Error>>(())
/// ```
pub struct Dumper {
    sink: Sink,
    format: Format,
    opts: DumpOptions,
    /// The file or directory written (for messages), `None` for a writer.
    path: Option<PathBuf>,
    /// For PCAP output in `files` mode: what the input said.
    hint: Option<(LinkType, u32, bool)>,
}

fn create_file(path: &Path) -> Result<File> {
    if let Some(parent) = path.parent()
        && !parent.as_os_str().is_empty()
    {
        fs::create_dir_all(parent).map_err(|e| DumpError::File {
            path: parent.to_path_buf(),
            source: e,
        })?;
    }
    File::create(path).map_err(|e| DumpError::File {
        path: path.to_path_buf(),
        source: e,
    })
}

impl Dumper {
    /// A document in the file `path` (created, with its parent directories).
    pub fn to_file(path: impl AsRef<Path>, format: Format, opts: DumpOptions) -> Result<Self> {
        let path = path.as_ref();
        let file = create_file(path)?;
        Ok(Self {
            sink: Sink::new(format, Box::new(file), &opts),
            format,
            opts,
            path: Some(path.to_path_buf()),
            hint: None,
        })
    }

    /// A document written to `out` (standard output, a socket, memory, ...).
    pub fn to_writer(out: Out, format: Format, opts: DumpOptions) -> Self {
        Self {
            sink: Sink::new(format, out, &opts),
            format,
            opts,
            path: None,
            hint: None,
        }
    }

    /// One file per block in the directory `dir` (created): `Frame 1.json`,
    /// `Global Header.json`, ... each a complete document holding that block. PCAP
    /// output writes one file per frame (`Frame 1.pcap`) and no header file.
    pub fn to_dir(dir: impl AsRef<Path>, format: Format, opts: DumpOptions) -> Result<Self> {
        let dir = dir.as_ref();
        fs::create_dir_all(dir).map_err(|e| DumpError::File {
            path: dir.to_path_buf(),
            source: e,
        })?;
        Ok(Self {
            sink: Sink::Files,
            format,
            opts,
            path: Some(dir.to_path_buf()),
            hint: None,
        })
    }

    /// The output format.
    pub fn format(&self) -> Format {
        self.format
    }

    /// The file or directory written, `None` for a writer.
    pub fn path(&self) -> Option<&Path> {
        self.path.as_deref()
    }

    fn locate(&self, e: DumpError) -> DumpError {
        match &self.path {
            Some(p) => e.with_path(p),
            None => e,
        }
    }

    fn block_file(&self, name: &BlockName) -> Result<(PathBuf, Sink)> {
        let dir = self.path.as_deref().unwrap_or(Path::new("."));
        let path = dir.join(format!("{name}{}", self.format.extension()));
        let file = create_file(&path)?;
        let mut sink = Sink::new(self.format, Box::new(file), &self.opts);
        if let (Sink::Pcap(p), Some((link, snaplen, ns))) = (&mut sink, self.hint) {
            p.set_input(link, snaplen, ns);
        }
        Ok((path, sink))
    }

    /// Tells PCAP output about the input (link type, snapshot length, nanosecond
    /// timestamps) before any frame; other formats ignore it.
    pub fn set_input(&mut self, link_type: LinkType, snaplen: u32, nanosecond: bool) {
        self.hint = Some((link_type, snaplen, nanosecond));
        if let Sink::Pcap(p) = &mut self.sink {
            p.set_input(link_type, snaplen, nanosecond);
        }
    }

    /// Writes a block that is not a frame (`Global Header`, `Section Header 1`, ...).
    pub fn write_block<T: Serialize + ?Sized>(&mut self, name: &BlockName, body: &T) -> Result<()> {
        if let Sink::Files = self.sink {
            if self.format == Format::Pcap {
                return Ok(());
            }
            let (path, mut sink) = self.block_file(name)?;
            return sink
                .block(name, body)
                .and_then(|()| sink.finish())
                .map_err(|e| e.with_path(path));
        }
        let result = self.sink.block(name, body);
        result.map_err(|e| self.locate(e))
    }

    /// Writes a frame: its `Frame N` block, or its record in PCAP output.
    pub fn write_frame(&mut self, frame: &RawFrame<'_>, packet: &Packet<'_>) -> Result<()> {
        let doc = FrameDoc::new(frame, packet, self.opts.packets);
        self.write_doc(frame, &doc)
    }

    /// Writes a frame as another engine dissected it ([`FrameDoc::foreign`]).
    pub fn write_frame_foreign(
        &mut self,
        frame: &RawFrame<'_>,
        layers: &[(String, crate::Tree)],
        protocols: &str,
    ) -> Result<()> {
        let doc = FrameDoc::foreign(frame, layers, protocols, self.opts.packets);
        self.write_doc(frame, &doc)
    }

    fn write_doc(&mut self, frame: &RawFrame<'_>, doc: &FrameDoc<'_, '_, '_>) -> Result<()> {
        let name = BlockName::Frame(frame.number);
        let result = match &mut self.sink {
            Sink::Pcap(p) => p.write_frame(frame),
            Sink::Files => {
                let (path, mut sink) = self.block_file(&name)?;
                let r = match &mut sink {
                    Sink::Pcap(p) => p.write_frame(frame),
                    other => other.block(&name, doc),
                };
                return r
                    .and_then(|()| sink.finish())
                    .map_err(|e| e.with_path(path));
            }
            sink => sink.block(&name, doc),
        };
        result.map_err(|e| self.locate(e))
    }

    /// A [`Renderer`] for this output: it turns blocks into bytes on any thread, and
    /// [`Dumper::write_rendered`] splices them in, byte for byte what
    /// [`Dumper::write_block`] / [`Dumper::write_frame`] would have written.
    pub fn renderer(&self) -> Renderer {
        Renderer::new(self.format, self.opts.packets)
    }

    /// Writes a block rendered by this dumper's [`Renderer`]. `frame` is the frame the
    /// block is of (PCAP output writes it; other formats ignore it), `None` for a block
    /// that is not a frame.
    pub fn write_rendered(
        &mut self,
        name: &BlockName,
        frame: Option<&RawFrame<'_>>,
        block: &[u8],
    ) -> Result<()> {
        let result = match (&mut self.sink, frame) {
            (Sink::Pcap(p), Some(frame)) => p.write_frame(frame),
            (Sink::Pcap(_), None) => Ok(()),
            (Sink::Files, _) => {
                if self.format == Format::Pcap && frame.is_none() {
                    return Ok(());
                }
                let (path, mut sink) = self.block_file(name)?;
                let r = match (&mut sink, frame) {
                    (Sink::Pcap(p), Some(frame)) => p.write_frame(frame),
                    (other, _) => other.rendered(block),
                };
                return r
                    .and_then(|()| sink.finish())
                    .map_err(|e| e.with_path(path));
            }
            (sink, _) => sink.rendered(block),
        };
        result.map_err(|e| self.locate(e))
    }

    /// Whether [`Dumper::write_rendered_many`] takes blocks: one document (JSON, JSON
    /// Lines, plist, tree), not PCAP output nor `files` mode (which need each frame).
    pub fn writes_many(&self) -> bool {
        matches!(
            self.sink,
            Sink::Json(_) | Sink::Jsonl(_) | Sink::Plist(_) | Sink::Tree(_)
        )
    }

    /// Appends several blocks made by a [`Renderer`] of the same format, in order:
    /// the same bytes as [`Dumper::write_rendered`] for each, but large runs go to
    /// the output in vectored writes straight from where they were rendered, without
    /// being copied. Writes nothing and returns `false` when the dumper does not
    /// [`Dumper::writes_many`].
    pub fn write_rendered_many(&mut self, blocks: &[&[u8]]) -> Result<bool> {
        let result = match &mut self.sink {
            Sink::Json(w) => w.write_rendered_many(blocks),
            Sink::Jsonl(w) => w.write_rendered_many(blocks),
            Sink::Plist(w) => w.write_rendered_many(blocks),
            Sink::Tree(w) => w.write_rendered_many(blocks),
            Sink::Pcap(_) | Sink::Files => return Ok(false),
        };
        result.map(|()| true).map_err(|e| self.locate(e))
    }

    /// Closes the document and flushes it. Idempotent.
    pub fn finish(&mut self) -> Result<()> {
        let result = self.sink.finish();
        result.map_err(|e| self.locate(e))
    }
}

enum Scratch {
    None,
    Plist(PlistScratch),
    Tree(TreeScratch),
}

/// Renders blocks of a [`Dumper`]'s document into position-independent bytes, so that
/// several threads can serialize frames at once and one [`Dumper`] write them in order
/// ([`Dumper::write_rendered`]). PCAP output renders nothing (the dumper writes the
/// frame itself).
///
/// ```
/// use pcapkit_core::{LinkType, RawFrame, Timestamp};
/// use pcapkit_dump::{BlockName, DumpOptions, Dumper, Format};
/// use pcapkit_protocols::{dissect, DissectOptions};
///
/// let raw = RawFrame::new(1, Timestamp::new(1, 0), LinkType::ETHERNET, 14, &[0xff; 14]);
/// let packet = dissect(raw.link_type, raw.data, &DissectOptions::default());
/// let dir = tempfile::tempdir()?;
/// let (a, b) = (dir.path().join("a.json"), dir.path().join("b.json"));
/// let mut direct = Dumper::to_file(&a, Format::Json, DumpOptions::default())?;
/// direct.write_frame(&raw, &packet)?;
/// direct.finish()?;
/// let mut spliced = Dumper::to_file(&b, Format::Json, DumpOptions::default())?;
/// let mut bytes = Vec::new(); // made on any thread
/// spliced.renderer().render_frame(&mut bytes, &raw, &packet)?;
/// spliced.write_rendered(&BlockName::Frame(1), Some(&raw), &bytes)?;
/// spliced.finish()?;
/// assert_eq!(std::fs::read(a)?, std::fs::read(b)?);
/// # Ok::<(), Box<dyn std::error::Error>>(())
/// ```
pub struct Renderer {
    format: Format,
    packets: PacketMode,
    scratch: Scratch,
}

impl std::fmt::Debug for Renderer {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("Renderer")
            .field("format", &self.format)
            .field("packets", &self.packets)
            .finish_non_exhaustive()
    }
}

impl Clone for Renderer {
    fn clone(&self) -> Self {
        Self::new(self.format, self.packets)
    }
}

impl Renderer {
    /// A renderer of `format` documents whose frames carry `packets` bytes.
    pub fn new(format: Format, packets: PacketMode) -> Self {
        let scratch = match format {
            Format::Plist => Scratch::Plist(PlistScratch::default()),
            Format::Tree => Scratch::Tree(TreeScratch::default()),
            _ => Scratch::None,
        };
        Self {
            format,
            packets,
            scratch,
        }
    }

    /// The format rendered.
    pub fn format(&self) -> Format {
        self.format
    }

    /// Appends the block `name: body` to `out` (nothing for PCAP output). On error
    /// `out` may hold part of the block: drop it.
    pub fn render_block<T: Serialize + ?Sized>(
        &mut self,
        out: &mut Vec<u8>,
        name: &BlockName,
        body: &T,
    ) -> Result<()> {
        match (self.format, &mut self.scratch) {
            (Format::Json, _) => render_json(out, name, body),
            (Format::Jsonl, _) => render_jsonl(out, name, body),
            (Format::Plist, Scratch::Plist(st)) => render_plist_block(out, st, name, body),
            (Format::Tree, Scratch::Tree(st)) => render_tree_block(out, st, name, body),
            _ => Ok(()),
        }
    }

    /// Appends the `Frame N` block of `frame` dissected as `packet` to `out`.
    pub fn render_frame(
        &mut self,
        out: &mut Vec<u8>,
        frame: &RawFrame<'_>,
        packet: &Packet<'_>,
    ) -> Result<()> {
        if self.format == Format::Pcap {
            return Ok(());
        }
        let name = BlockName::Frame(frame.number);
        let doc = FrameDoc::new(frame, packet, self.packets);
        self.render_block(out, &name, &doc)
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use pcapkit_core::Timestamp;
    use pcapkit_protocols::{DissectOptions, dissect};

    #[test]
    fn files_mode_names_without_double_dots() {
        let dir = tempfile::tempdir().unwrap();
        for format in Format::ALL {
            let sub = dir.path().join(format.name());
            let mut d = Dumper::to_dir(&sub, format, DumpOptions::default()).unwrap();
            d.write_block(&BlockName::GlobalHeader, &serde_json::json!({"a": 1}))
                .unwrap();
            for n in 1..=2 {
                let raw = RawFrame::new(n, Timestamp::new(1, 0), LinkType::ETHERNET, 14, &[0; 14]);
                let p = dissect(raw.link_type, raw.data, &DissectOptions::default());
                d.write_frame(&raw, &p).unwrap();
            }
            d.finish().unwrap();
            let mut names: Vec<String> = fs::read_dir(&sub)
                .unwrap()
                .map(|e| e.unwrap().file_name().into_string().unwrap())
                .collect();
            names.sort();
            let ext = format.extension();
            let mut expected = vec![format!("Frame 1{ext}"), format!("Frame 2{ext}")];
            if format != Format::Pcap {
                expected.push(format!("Global Header{ext}"));
            }
            assert_eq!(names, expected, "{format}");
        }
    }

    #[test]
    fn rendered_blocks_are_what_write_block_writes() {
        let dir = tempfile::tempdir().unwrap();
        for format in Format::ALL {
            for files in [false, true] {
                let a = dir.path().join(format!("{format}-{files}-a"));
                let b = dir.path().join(format!("{format}-{files}-b"));
                let open = |p: &Path| {
                    if files {
                        Dumper::to_dir(p, format, DumpOptions::default()).unwrap()
                    } else {
                        Dumper::to_file(p, format, DumpOptions::default()).unwrap()
                    }
                };
                let (mut da, mut db) = (open(&a), open(&b));
                let mut r = db.renderer();
                let header = serde_json::json!({"magic": "a1b2c3d4", "note": "<&>\"x\""});
                da.write_block(&BlockName::GlobalHeader, &header).unwrap();
                let mut bytes = Vec::new();
                r.render_block(&mut bytes, &BlockName::GlobalHeader, &header)
                    .unwrap();
                db.write_rendered(&BlockName::GlobalHeader, None, &bytes)
                    .unwrap();
                for n in 1..=3u64 {
                    let data: Vec<u8> = (0..60).map(|i| (i * n) as u8).collect();
                    let raw = RawFrame::new(
                        n,
                        Timestamp::new(n as i64, 5),
                        LinkType::ETHERNET,
                        60,
                        &data,
                    );
                    let p = dissect(raw.link_type, raw.data, &DissectOptions::default());
                    da.write_frame(&raw, &p).unwrap();
                    bytes.clear();
                    r.render_frame(&mut bytes, &raw, &p).unwrap();
                    db.write_rendered(&BlockName::Frame(n), Some(&raw), &bytes)
                        .unwrap();
                }
                da.finish().unwrap();
                db.finish().unwrap();
                let read = |p: &Path| -> Vec<(String, Vec<u8>)> {
                    if files {
                        let mut v: Vec<_> = fs::read_dir(p)
                            .unwrap()
                            .map(|e| {
                                let e = e.unwrap();
                                (
                                    e.file_name().to_string_lossy().into_owned(),
                                    fs::read(e.path()).unwrap(),
                                )
                            })
                            .collect();
                        v.sort();
                        v
                    } else {
                        vec![(String::new(), fs::read(p).unwrap())]
                    }
                };
                let (ra, rb) = (read(&a), read(&b));
                assert!(
                    ra.iter().map(|(_, b)| b.len()).sum::<usize>() > 100,
                    "{format}"
                );
                assert_eq!(ra, rb, "{format} files={files}");
            }
        }
    }

    #[test]
    fn write_rendered_many_writes_what_write_frame_writes() {
        let dir = tempfile::tempdir().unwrap();
        for format in Format::ALL {
            let a = dir.path().join(format!("{format}-a"));
            let b = dir.path().join(format!("{format}-b"));
            let mut da = Dumper::to_file(&a, format, DumpOptions::default()).unwrap();
            // A small buffer: most runs go out in vectored writes.
            let small = DumpOptions {
                buffer: 64,
                ..DumpOptions::default()
            };
            let mut db = Dumper::to_file(&b, format, small).unwrap();
            assert_eq!(db.writes_many(), format != Format::Pcap, "{format}");
            let mut r = db.renderer();
            let header = serde_json::json!({"magic": "a1b2c3d4"});
            da.write_block(&BlockName::GlobalHeader, &header).unwrap();
            let mut blocks = vec![Vec::new()];
            r.render_block(&mut blocks[0], &BlockName::GlobalHeader, &header)
                .unwrap();
            for n in 1..=5u64 {
                let data: Vec<u8> = (0..60 * n).map(|i| (i * n) as u8).collect();
                let raw = RawFrame::new(
                    n,
                    Timestamp::new(n as i64, 5),
                    LinkType::ETHERNET,
                    data.len() as u32,
                    &data,
                );
                let p = dissect(raw.link_type, raw.data, &DissectOptions::default());
                da.write_frame(&raw, &p).unwrap();
                let mut bytes = Vec::new();
                r.render_frame(&mut bytes, &raw, &p).unwrap();
                blocks.push(bytes);
            }
            let slices: Vec<&[u8]> = blocks.iter().map(Vec::as_slice).collect();
            // In three calls: one block alone, then two runs.
            let wrote = db.write_rendered_many(&slices[..1]).unwrap()
                && db.write_rendered_many(&slices[1..3]).unwrap()
                && db.write_rendered_many(&slices[3..]).unwrap();
            assert_eq!(wrote, format != Format::Pcap, "{format}");
            da.finish().unwrap();
            db.finish().unwrap();
            if format == Format::Pcap {
                continue;
            }
            let (ra, rb) = (fs::read(&a).unwrap(), fs::read(&b).unwrap());
            assert!(ra.len() > 500, "{format}");
            assert_eq!(ra, rb, "{format}");
        }
    }

    #[test]
    fn unwritable_output_names_the_path() {
        let dir = tempfile::tempdir().unwrap();
        let blocker = dir.path().join("file");
        fs::write(&blocker, b"x").unwrap();
        let target = blocker.join("out.json");
        let err = Dumper::to_file(&target, Format::Json, DumpOptions::default())
            .err()
            .unwrap();
        let msg = err.to_string();
        assert!(msg.starts_with("cannot write "), "{msg}");
        assert!(msg.contains("file"), "{msg}");
    }
}
