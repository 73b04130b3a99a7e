//! What the Extractor does with every record: a list of sinks, each called in turn.
//! Output, verbose printing, and (when they land) reassembly and flow tracing are
//! sinks; adding one is one line in `Extractor::new`.

use std::io::Write;

use pcapkit_core::{Block, PcapHeader};
use pcapkit_dump::{BlockName, Dumper};
use serde::Serialize;

use crate::error::Result;
use crate::frame::FrameRef;
use crate::options::FrameCallback;

/// A record that is not a frame, ready to serialize as its block.
pub(crate) enum BlockBody<'b, 'a> {
    /// The PCAP global header.
    Pcap(&'b PcapHeader),
    /// A PCAPNG non-packet block.
    Block(&'b Block<'a>),
}

impl Serialize for BlockBody<'_, '_> {
    fn serialize<S: serde::Serializer>(&self, s: S) -> Result<S::Ok, S::Error> {
        match self {
            BlockBody::Pcap(h) => h.serialize(s),
            BlockBody::Block(b) => b.serialize(s),
        }
    }
}

/// Something the Extractor feeds with every record.
pub(crate) trait Sink: Send {
    /// A record that is not a frame (global header, PCAPNG block).
    fn block(&mut self, _name: &BlockName, _body: &BlockBody<'_, '_>) -> Result<()> {
        Ok(())
    }

    /// A frame and its dissection.
    fn frame(&mut self, frame: &FrameRef<'_, '_>) -> Result<()>;

    /// The input ended (or extraction stopped): close outputs. Called once.
    fn finish(&mut self) -> Result<()> {
        Ok(())
    }
}

/// Writes the output document.
pub(crate) struct DumpSink {
    pub(crate) dumper: Dumper,
    hinted: bool,
}

impl DumpSink {
    pub(crate) fn new(dumper: Dumper) -> Self {
        Self {
            dumper,
            hinted: false,
        }
    }
}

impl Sink for DumpSink {
    fn block(&mut self, name: &BlockName, body: &BlockBody<'_, '_>) -> Result<()> {
        match body {
            BlockBody::Pcap(h) => {
                self.dumper
                    .set_input(h.link_type(), h.snaplen, h.nanosecond);
                self.hinted = true;
            }
            BlockBody::Block(block) => {
                if let Block::InterfaceDescription(idb) = block
                    && !self.hinted
                {
                    let ns = idb.tsresol.precision() == pcapkit_core::Precision::Nano;
                    self.dumper.set_input(idb.link_type, idb.snaplen, ns);
                    self.hinted = true;
                }
            }
        }
        Ok(self.dumper.write_block(name, body)?)
    }

    fn frame(&mut self, frame: &FrameRef<'_, '_>) -> Result<()> {
        match frame.foreign {
            Some(f) => self
                .dumper
                .write_frame_foreign(frame.raw, &f.layers, &f.protocols)?,
            None => self.dumper.write_frame(frame.raw, frame.packet())?,
        }
        Ok(())
    }

    fn finish(&mut self) -> Result<()> {
        Ok(self.dumper.finish()?)
    }
}

/// PyPCAPKit's `verbose`: a line per frame, or the caller's function.
pub(crate) enum VerboseSink {
    Print,
    Callback(FrameCallback),
}

impl Sink for VerboseSink {
    fn frame(&mut self, frame: &FrameRef<'_, '_>) -> Result<()> {
        match self {
            VerboseSink::Print => {
                let mut out = std::io::stdout().lock();
                // A closed stdout must not stop the extraction.
                let _ = writeln!(out, "Frame {:>3}: {}", frame.number(), frame.protocols());
            }
            VerboseSink::Callback(f) => f(frame),
        }
        Ok(())
    }
}
