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
use crate::json::{JsonWriter, JsonlWriter};
use crate::outbuf::DEFAULT_BUFFER;
use crate::pcap::{PcapDumper, PcapOptions};
use crate::plist::PlistWriter;
use crate::tree::TreeWriter;
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
        let name = BlockName::Frame(frame.number);
        let doc = FrameDoc::new(frame, packet, self.opts.packets);
        let result = match &mut self.sink {
            Sink::Pcap(p) => p.write_frame(frame),
            Sink::Files => {
                let (path, mut sink) = self.block_file(&name)?;
                let r = match &mut sink {
                    Sink::Pcap(p) => p.write_frame(frame),
                    other => other.block(&name, &doc),
                };
                return r
                    .and_then(|()| sink.finish())
                    .map_err(|e| e.with_path(path));
            }
            sink => sink.block(&name, &doc),
        };
        result.map_err(|e| self.locate(e))
    }

    /// Closes the document and flushes it. Idempotent.
    pub fn finish(&mut self) -> Result<()> {
        let result = self.sink.finish();
        result.map_err(|e| self.locate(e))
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
