//! JSON (PyPCAPKit's document, tab-indented) and JSON Lines (one compact object per
//! block), both through serde_json with our own [`Formatter`]s: bytes become
//! `{"type": "bytes", "hex": "..."}`.

use std::fmt;
use std::io::{self, Write};

use serde::Serialize;
use serde::ser::{SerializeMap, Serializer as _};
use serde_json::ser::{Formatter, Serializer};

use pcapkit_protocols::ser::FieldsOf;

use crate::BlockWriter;
use crate::encode::write_hex;
use crate::error::Result;
use crate::outbuf::{DEFAULT_BUFFER, OutBuf};

fn indent<W: ?Sized + Write>(w: &mut W, n: usize) -> io::Result<()> {
    const TABS: &[u8; 32] = b"\t\t\t\t\t\t\t\t\t\t\t\t\t\t\t\t\t\t\t\t\t\t\t\t\t\t\t\t\t\t\t\t";
    let mut left = n;
    while left > 0 {
        let k = left.min(TABS.len());
        w.write_all(TABS.get(..k).unwrap_or_default())?;
        left -= k;
    }
    Ok(())
}

/// Pretty JSON with one TAB per level, as PyPCAPKit writes it; bytes as
/// `{"type": "bytes", "hex": "..."}`.
///
/// `indent` is the level of the value being written (1 for a block of the document).
#[derive(Clone, Debug, Default)]
pub struct TabFormatter {
    indent: usize,
    has_value: bool,
}

impl TabFormatter {
    /// A formatter whose first value sits at `indent` levels.
    pub fn new(indent: usize) -> Self {
        Self {
            indent,
            has_value: false,
        }
    }
}

impl Formatter for TabFormatter {
    fn begin_array<W: ?Sized + Write>(&mut self, w: &mut W) -> io::Result<()> {
        self.indent += 1;
        self.has_value = false;
        w.write_all(b"[")
    }

    fn end_array<W: ?Sized + Write>(&mut self, w: &mut W) -> io::Result<()> {
        self.indent = self.indent.saturating_sub(1);
        if self.has_value {
            w.write_all(b"\n")?;
            indent(w, self.indent)?;
        }
        w.write_all(b"]")
    }

    fn begin_array_value<W: ?Sized + Write>(&mut self, w: &mut W, first: bool) -> io::Result<()> {
        w.write_all(if first { b"\n" } else { b",\n" })?;
        indent(w, self.indent)
    }

    fn end_array_value<W: ?Sized + Write>(&mut self, _w: &mut W) -> io::Result<()> {
        self.has_value = true;
        Ok(())
    }

    fn begin_object<W: ?Sized + Write>(&mut self, w: &mut W) -> io::Result<()> {
        self.indent += 1;
        self.has_value = false;
        w.write_all(b"{")
    }

    fn end_object<W: ?Sized + Write>(&mut self, w: &mut W) -> io::Result<()> {
        self.indent = self.indent.saturating_sub(1);
        if self.has_value {
            w.write_all(b"\n")?;
            indent(w, self.indent)?;
        }
        w.write_all(b"}")
    }

    fn begin_object_key<W: ?Sized + Write>(&mut self, w: &mut W, first: bool) -> io::Result<()> {
        w.write_all(if first { b"\n" } else { b",\n" })?;
        indent(w, self.indent)
    }

    fn begin_object_value<W: ?Sized + Write>(&mut self, w: &mut W) -> io::Result<()> {
        w.write_all(b": ")
    }

    fn end_object_value<W: ?Sized + Write>(&mut self, _w: &mut W) -> io::Result<()> {
        self.has_value = true;
        Ok(())
    }

    fn write_byte_array<W: ?Sized + Write>(&mut self, w: &mut W, value: &[u8]) -> io::Result<()> {
        w.write_all(b"{\n")?;
        indent(w, self.indent + 1)?;
        w.write_all(b"\"type\": \"bytes\",\n")?;
        indent(w, self.indent + 1)?;
        w.write_all(b"\"hex\": \"")?;
        write_hex(w, value)?;
        w.write_all(b"\"\n")?;
        indent(w, self.indent)?;
        w.write_all(b"}")
    }
}

/// Compact JSON (serde_json's default) with bytes as `{"type":"bytes","hex":"..."}`.
#[derive(Clone, Copy, Debug, Default)]
pub struct CompactBytesFormatter;

impl Formatter for CompactBytesFormatter {
    fn write_byte_array<W: ?Sized + Write>(&mut self, w: &mut W, value: &[u8]) -> io::Result<()> {
        w.write_all(b"{\"type\":\"bytes\",\"hex\":\"")?;
        write_hex(w, value)?;
        w.write_all(b"\"}")
    }
}

/// Writes a JSON string (escaped per RFC 8259) from a `Display` value.
fn write_json_str<N: fmt::Display + ?Sized>(buf: &mut Vec<u8>, name: &N) -> Result<()> {
    let mut ser = Serializer::new(buf);
    ser.collect_str(name)?;
    Ok(())
}

/// PyPCAPKit's JSON document, streamed: `{`, then `"Name": {...}` per block, then `}`.
///
/// Blocks are serialized into a large buffer that is handed to `w` in chunks; a block
/// that fails to serialize is left out whole. The document is closed by
/// [`BlockWriter::finish`], or when the writer is dropped (errors then ignored), so the
/// output is valid JSON however the program ends.
///
/// ```
/// use pcapkit_dump::{BlockWriter, JsonWriter};
///
/// let mut out = Vec::new();
/// let mut w = JsonWriter::new(&mut out);
/// w.write_block("Frame 1", &serde_json::json!({"number": 1}))?;
/// w.finish()?;
/// drop(w);
/// assert_eq!(String::from_utf8(out)?, "{\n\t\"Frame 1\": {\n\t\t\"number\": 1\n\t}\n}\n");
/// # Ok::<(), Box<dyn std::error::Error>>(())
/// ```
pub struct JsonWriter<W: Write> {
    out: OutBuf<W>,
    blocks: u64,
    finished: bool,
}

impl<W: Write> JsonWriter<W> {
    /// Starts the document on `w` (buffers `{`).
    pub fn new(w: W) -> Self {
        Self::with_buffer(w, DEFAULT_BUFFER)
    }

    /// Like [`JsonWriter::new`], handing output to `w` in chunks of about `buffer` bytes.
    pub fn with_buffer(w: W, buffer: usize) -> Self {
        let mut out = OutBuf::new(w, buffer);
        out.buf.push(b'{');
        Self {
            out,
            blocks: 0,
            finished: false,
        }
    }

    /// The underlying writer.
    pub fn get_ref(&self) -> &W {
        self.out.get_ref()
    }

    fn block<N, T>(&mut self, name: &N, body: &T) -> Result<()>
    where
        N: fmt::Display + ?Sized,
        T: Serialize + ?Sized,
    {
        let buf = &mut self.out.buf;
        buf.extend_from_slice(if self.blocks == 0 { b"\n\t" } else { b",\n\t" });
        render_json(buf, name, body)
    }

    /// Appends a block rendered by [`render_json`] (what [`crate::Renderer`] makes).
    /// [`JsonWriter::write_rendered`] for several blocks, written without copying.
    pub(crate) fn write_rendered_many(&mut self, blocks: &[&[u8]]) -> Result<()> {
        let mut parts: Vec<&[u8]> = Vec::with_capacity(blocks.len() * 2);
        for block in blocks {
            parts.push(if self.blocks == 0 { b"\n\t" } else { b",\n\t" });
            parts.push(block);
            self.blocks += 1;
        }
        self.out.write_many(&parts)?;
        Ok(())
    }

    pub(crate) fn write_rendered(&mut self, block: &[u8]) -> Result<()> {
        let buf = &mut self.out.buf;
        buf.extend_from_slice(if self.blocks == 0 { b"\n\t" } else { b",\n\t" });
        buf.extend_from_slice(block);
        self.blocks += 1;
        self.out.block_done()?;
        Ok(())
    }
}

/// One block of the JSON document without the separator before it:
/// `"Name": {...}`, at indentation level 1.
pub(crate) fn render_json<N, T>(buf: &mut Vec<u8>, name: &N, body: &T) -> Result<()>
where
    N: fmt::Display + ?Sized,
    T: Serialize + ?Sized,
{
    write_json_str(buf, name)?;
    buf.extend_from_slice(b": ");
    let mut ser = Serializer::with_formatter(buf, TabFormatter::new(1));
    body.serialize(&mut ser)?;
    Ok(())
}

/// One JSON Lines line (with its newline).
pub(crate) fn render_jsonl<N, T>(buf: &mut Vec<u8>, name: &N, body: &T) -> Result<()>
where
    N: fmt::Display + ?Sized,
    T: Serialize + ?Sized,
{
    let mut ser = Serializer::with_formatter(&mut *buf, CompactBytesFormatter);
    let mut map = ser.serialize_map(None)?;
    map.serialize_entry("block", &Name(name))?;
    body.serialize(FieldsOf(&mut map))?;
    map.end()?;
    buf.push(b'\n');
    Ok(())
}

impl<W: Write> BlockWriter for JsonWriter<W> {
    fn write_block<N, T>(&mut self, name: &N, body: &T) -> Result<()>
    where
        N: fmt::Display + ?Sized,
        T: Serialize + ?Sized,
    {
        let mark = self.out.mark();
        if let Err(e) = self.block(name, body) {
            self.out.rollback(mark);
            return Err(e);
        }
        self.blocks += 1;
        self.out.block_done()?;
        Ok(())
    }

    fn finish(&mut self) -> Result<()> {
        if !self.finished {
            self.finished = true;
            self.out.buf.extend_from_slice(b"\n}\n");
        }
        self.out.flush()?;
        Ok(())
    }
}

impl<W: Write> Drop for JsonWriter<W> {
    fn drop(&mut self) {
        if !self.finished {
            let _ = self.finish();
        }
    }
}

/// JSON Lines: one compact object per block, `{"block": "Frame 1", ...the block's
/// fields...}`, each on its own line.
///
/// ```
/// use pcapkit_dump::{BlockWriter, JsonlWriter};
///
/// let mut out = Vec::new();
/// let mut w = JsonlWriter::new(&mut out);
/// w.write_block("Frame 1", &serde_json::json!({"number": 1}))?;
/// w.finish()?;
/// drop(w);
/// assert_eq!(String::from_utf8(out)?, "{\"block\":\"Frame 1\",\"number\":1}\n");
/// # Ok::<(), Box<dyn std::error::Error>>(())
/// ```
pub struct JsonlWriter<W: Write> {
    out: OutBuf<W>,
}

impl<W: Write> JsonlWriter<W> {
    /// A writer on `w` (JSON Lines has no header).
    pub fn new(w: W) -> Self {
        Self::with_buffer(w, DEFAULT_BUFFER)
    }

    /// Like [`JsonlWriter::new`], handing output to `w` in chunks of about `buffer` bytes.
    pub fn with_buffer(w: W, buffer: usize) -> Self {
        Self {
            out: OutBuf::new(w, buffer),
        }
    }

    /// The underlying writer.
    pub fn get_ref(&self) -> &W {
        self.out.get_ref()
    }

    fn line<N, T>(&mut self, name: &N, body: &T) -> Result<()>
    where
        N: fmt::Display + ?Sized,
        T: Serialize + ?Sized,
    {
        render_jsonl(&mut self.out.buf, name, body)
    }

    /// Appends a line rendered by [`render_jsonl`].
    /// [`JsonlWriter::write_rendered`] for several lines, written without copying.
    pub(crate) fn write_rendered_many(&mut self, lines: &[&[u8]]) -> Result<()> {
        self.out.write_many(lines)?;
        Ok(())
    }

    pub(crate) fn write_rendered(&mut self, line: &[u8]) -> Result<()> {
        self.out.buf.extend_from_slice(line);
        self.out.block_done()?;
        Ok(())
    }
}

/// The block's name as a `Serialize` string.
struct Name<'n, N: ?Sized>(&'n N);

impl<N: fmt::Display + ?Sized> Serialize for Name<'_, N> {
    fn serialize<S: serde::Serializer>(&self, s: S) -> Result<S::Ok, S::Error> {
        s.collect_str(self.0)
    }
}

impl<W: Write> BlockWriter for JsonlWriter<W> {
    fn write_block<N, T>(&mut self, name: &N, body: &T) -> Result<()>
    where
        N: fmt::Display + ?Sized,
        T: Serialize + ?Sized,
    {
        let mark = self.out.mark();
        if let Err(e) = self.line(name, body) {
            self.out.rollback(mark);
            return Err(e);
        }
        self.out.block_done()?;
        Ok(())
    }

    fn finish(&mut self) -> Result<()> {
        self.out.flush()?;
        Ok(())
    }
}

impl<W: Write> Drop for JsonlWriter<W> {
    fn drop(&mut self) {
        let _ = self.out.flush();
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use pcapkit_protocols::ser::Bytes;
    use serde_json::json;

    #[derive(Serialize)]
    struct Block<'a> {
        a: u32,
        data: Bytes<'a>,
        list: Vec<u8>,
        empty: Vec<u8>,
        nested: Inner,
        text: &'a str,
        none: Option<u8>,
    }

    #[derive(Serialize)]
    struct Inner {
        x: bool,
    }

    fn block() -> Block<'static> {
        Block {
            a: 1,
            data: Bytes(&[0xd4, 0xc3, 0xb2, 0xa1]),
            list: vec![2, 4],
            empty: vec![],
            nested: Inner { x: true },
            text: "quote \" nl \n nul \u{0} smile \u{1f600}",
            none: None,
        }
    }

    #[test]
    fn document_layout() {
        let mut out = Vec::new();
        {
            let mut w = JsonWriter::new(&mut out);
            w.write_block("Global Header", &block()).unwrap();
            w.write_block("Frame 1", &json!({})).unwrap();
            w.finish().unwrap();
        }
        let text = String::from_utf8(out).unwrap();
        let expected = "{\n\t\"Global Header\": {\n\t\t\"a\": 1,\n\t\t\"data\": {\n\t\t\t\"type\": \"bytes\",\n\t\t\t\"hex\": \"d4c3b2a1\"\n\t\t},\n\t\t\"list\": [\n\t\t\t2,\n\t\t\t4\n\t\t],\n\t\t\"empty\": [],\n\t\t\"nested\": {\n\t\t\t\"x\": true\n\t\t},\n\t\t\"text\": \"quote \\\" nl \\n nul \\u0000 smile \u{1f600}\",\n\t\t\"none\": null\n\t},\n\t\"Frame 1\": {}\n}\n";
        assert_eq!(text, expected);
        let v: serde_json::Value = serde_json::from_str(&text).unwrap();
        assert_eq!(v["Global Header"]["data"]["hex"], "d4c3b2a1");
        assert_eq!(v["Global Header"]["text"], block().text);
    }

    #[test]
    fn empty_document_and_drop_closes() {
        let mut out = Vec::new();
        drop(JsonWriter::new(&mut out));
        assert_eq!(out, b"{\n}\n");
        let mut out = Vec::new();
        {
            let mut w = JsonWriter::new(&mut out);
            w.write_block("Frame 1", &json!({"n": 1})).unwrap();
        }
        let v: serde_json::Value = serde_json::from_slice(&out).unwrap();
        assert_eq!(v["Frame 1"]["n"], 1);
    }

    #[test]
    fn block_names_are_escaped() {
        let mut out = Vec::new();
        {
            let mut w = JsonWriter::new(&mut out);
            w.write_block("a\"b\\c\n", &json!(1)).unwrap();
        }
        let v: serde_json::Value = serde_json::from_slice(&out).unwrap();
        assert_eq!(v["a\"b\\c\n"], 1);
    }

    #[test]
    fn jsonl_lines() {
        let mut out = Vec::new();
        {
            let mut w = JsonlWriter::new(&mut out);
            w.write_block("Frame 1", &block()).unwrap();
            w.write_block("Frame 2", &Inner { x: false }).unwrap();
            w.finish().unwrap();
        }
        let text = String::from_utf8(out).unwrap();
        let lines: Vec<&str> = text.lines().collect();
        assert_eq!(lines.len(), 2);
        assert!(lines[0].starts_with(
            r#"{"block":"Frame 1","a":1,"data":{"type":"bytes","hex":"d4c3b2a1"},"list":[2,4]"#
        ));
        assert_eq!(lines[1], r#"{"block":"Frame 2","x":false}"#);
        for line in lines {
            let _: serde_json::Value = serde_json::from_str(line).unwrap();
        }
    }

    #[test]
    fn jsonl_rejects_scalar_blocks() {
        let mut out = Vec::new();
        let mut w = JsonlWriter::new(&mut out);
        let err = w.write_block("Frame 1", &5u8).unwrap_err();
        assert!(
            err.to_string()
                .contains("must serialize as a struct or map"),
            "{err}"
        );
        w.write_block("Frame 2", &Inner { x: true }).unwrap();
        drop(w);
        assert_eq!(out, b"{\"block\":\"Frame 2\",\"x\":true}\n");
    }
}
