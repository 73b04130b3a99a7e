//! PyPCAPKit's tree text, written by our own serde `Serializer`.
//!
//! ```text
//! Frame 1
//!   |-- frame_info
//!   |     |-- ts_sec -> 1511106545
//!   |-- ethernet
//!   |     |-- type
//!   |     |     |--> EtherType::Internet_Protocol_version_6
//!   |     |          [34525]
//!   |-- packet
//!         |--> f1 a7 11 5a 1e d2 08 00 4e 00 00 00 4e 00 00 00
//!              a4 5e 60 d9
//! ```
//!
//! - An entry is `|-- key -> value`; a nested dict or list opens under `|-- key `; an
//!   empty value (string, bytes, dict, list) is `|-- key  -> NIL`, `None` is `-> NIL`.
//! - Strings longer than 40 characters wrap at 40 (on spaces, like Python's `textwrap`)
//!   under `|--> `; bytes are hex pairs, up to 16 inline, else 16 per line.
//! - List items are `|--> value`; a dict (or list) item is `|--> --` with its entries
//!   one level deeper, every item alike (PyPCAPKit draws the last dict item of a list
//!   one level too shallow: not copied).
//! - Control characters are escaped (`\n`, `\r`, `\t`, `\xNN`), so a value never
//!   breaks the layout (PyPCAPKit writes them raw).
//!
//! Each block is rendered into a buffer first: the vertical bar of an entry is drawn
//! while its subtree is written and erased once the entry turns out to be its
//! parent's last one.

use std::fmt::{self, Write as _};
use std::io::Write;

use serde::Serialize;
use serde::ser;

use crate::BlockWriter;
use crate::encode::{push_hex_spaced, push_i64, push_u64};
use crate::error::{DumpError, Result};
use crate::key::KeySer;
use crate::outbuf::{DEFAULT_BUFFER, OutBuf};

/// Longest string written on the key's line; longer ones wrap at this width.
const WIDTH: usize = 40;
/// Bytes per hex line.
const HEX_PER_LINE: usize = 16;
/// One level of indentation with the vertical bar of an entry that has followers.
const GROUP: &[u8; 6] = b"  |   ";
/// Column of the bar within a group.
const BAR: usize = 2;

/// Appends `s` with control characters escaped.
pub(crate) fn push_tree_escaped(out: &mut Vec<u8>, s: &str) {
    let bytes = s.as_bytes();
    // C1 controls (U+0080..U+009F) start with 0xC2 in UTF-8.
    if !bytes.iter().any(|&b| b < 0x20 || b == 0x7f || b == 0xc2) {
        out.extend_from_slice(bytes);
        return;
    }
    for c in s.chars() {
        match c {
            '\n' => out.extend_from_slice(b"\\n"),
            '\r' => out.extend_from_slice(b"\\r"),
            '\t' => out.extend_from_slice(b"\\t"),
            c if c.is_control() => {
                let _ = write!(VecFmt(out), "\\x{:02x}", u32::from(c));
            }
            c => out.extend_from_slice(c.encode_utf8(&mut [0; 4]).as_bytes()),
        }
    }
}

struct VecFmt<'b>(&'b mut Vec<u8>);

impl fmt::Write for VecFmt<'_> {
    fn write_str(&mut self, s: &str) -> fmt::Result {
        self.0.extend_from_slice(s.as_bytes());
        Ok(())
    }
}

/// Escaping `fmt::Write` into the scalar scratch buffer.
struct Escaper<'b>(&'b mut Vec<u8>);

impl fmt::Write for Escaper<'_> {
    fn write_str(&mut self, s: &str) -> fmt::Result {
        push_tree_escaped(self.0, s);
        Ok(())
    }
}

/// Calls `emit` with each line of `text` wrapped at `width` characters: greedy on
/// spaces, words longer than a line broken.
fn wrap(text: &str, width: usize, mut emit: impl FnMut(&str)) {
    let bytes = text.as_bytes();
    let mut i = 0;
    // (start, end, chars) of the line being filled
    let mut cur: Option<(usize, usize, usize)> = None;
    while i < bytes.len() {
        while bytes.get(i) == Some(&b' ') {
            i += 1;
        }
        if i >= bytes.len() {
            break;
        }
        let ws = i;
        while bytes.get(i).is_some_and(|&b| b != b' ') {
            i += 1;
        }
        let word = text.get(ws..i).unwrap_or_default();
        let chars = word.chars().count();
        if let Some((s, e, n)) = cur {
            let gap = ws - e;
            if n + gap + chars <= width {
                cur = Some((s, i, n + gap + chars));
                continue;
            }
            emit(text.get(s..e).unwrap_or_default());
        }
        if chars <= width {
            cur = Some((ws, i, chars));
            continue;
        }
        // A word longer than a line: full pieces, the rest starts the next line.
        let mut piece_start = ws;
        let mut n = 0;
        for (off, _) in word.char_indices() {
            if n == width {
                emit(text.get(piece_start..ws + off).unwrap_or_default());
                piece_start = ws + off;
                n = 0;
            }
            n += 1;
        }
        cur = Some((piece_start, i, n));
    }
    if let Some((s, e, _)) = cur {
        emit(text.get(s..e).unwrap_or_default());
    }
}

/// What has been written on the current line before a value.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
enum Head {
    /// The block's name line: the value's entries start at level 0.
    Block,
    /// `|-- key ` of a dict entry.
    Entry,
    /// `|--> ` of a list item.
    Item,
}

/// Rendering state of one block.
#[derive(Debug, Default)]
struct State {
    /// The block text.
    buf: Vec<u8>,
    /// Where each line starts in `buf`.
    lines: Vec<usize>,
    /// The indentation of the current level: one [`GROUP`] per ancestor.
    prefix: Vec<u8>,
    /// The key of the entry being written (escaped).
    key: Vec<u8>,
    /// Text of the scalar being written (escaped).
    scratch: Vec<u8>,
}

impl State {
    fn start_line(&mut self) {
        self.lines.push(self.buf.len());
        self.buf.extend_from_slice(&self.prefix);
    }

    fn reset(&mut self) {
        self.buf.clear();
        self.lines.clear();
        self.prefix.clear();
    }
}

/// Writes one value whose head (`|-- key ` or `|--> `) is already on the line.
struct TreeSer<'a> {
    st: &'a mut State,
    head: Head,
    /// Level of this value's children (their prefix holds this many groups).
    child_level: usize,
}

impl<'a> TreeSer<'a> {
    fn nil(self, empty: bool) -> Result<()> {
        match self.head {
            Head::Block => return Err(not_a_block()),
            Head::Entry if empty => self.st.buf.extend_from_slice(b" -> NIL\n"),
            Head::Entry => self.st.buf.extend_from_slice(b"-> NIL\n"),
            Head::Item => self.st.buf.extend_from_slice(b"NIL\n"),
        }
        Ok(())
    }

    /// Writes the scalar text held in `st.scratch`.
    fn scratch(self) -> Result<()> {
        let TreeSer {
            st,
            head,
            child_level,
        } = self;
        if st.scratch.is_empty() {
            return TreeSer {
                st,
                head,
                child_level,
            }
            .nil(true);
        }
        let text = std::mem::take(&mut st.scratch);
        let result = TreeSer {
            st: &mut *st,
            head,
            child_level,
        }
        .text(&text);
        st.scratch = text;
        result
    }

    fn text(self, text: &[u8]) -> Result<()> {
        let st = self.st;
        let short = text.len() <= WIDTH
            || std::str::from_utf8(text).map_or(true, |s| s.chars().count() <= WIDTH);
        match self.head {
            Head::Block => return Err(not_a_block()),
            Head::Entry if short => st.buf.extend_from_slice(b"-> "),
            Head::Item if short => {}
            Head::Entry => st.buf.push(b'\n'),
            Head::Item => st.buf.extend_from_slice(b"--\n"),
        }
        if short {
            st.buf.extend_from_slice(text);
            st.buf.push(b'\n');
            return Ok(());
        }
        let text = std::str::from_utf8(text).unwrap_or_default();
        let depth = st.prefix.len();
        st.prefix.extend_from_slice(GROUP);
        let mut first = true;
        wrap(text, WIDTH, |line| {
            st.start_line();
            st.buf
                .extend_from_slice(if first { b"  |--> " } else { b"       " });
            st.buf.extend_from_slice(line.as_bytes());
            st.buf.push(b'\n');
            first = false;
        });
        st.prefix.truncate(depth);
        Ok(())
    }

    fn bytes(self, data: &[u8]) -> Result<()> {
        if data.is_empty() {
            return self.nil(true);
        }
        let st = self.st;
        if data.len() <= HEX_PER_LINE {
            match self.head {
                Head::Block => return Err(not_a_block()),
                Head::Entry => st.buf.extend_from_slice(b"-> "),
                Head::Item => {}
            }
            push_hex_spaced(&mut st.buf, data);
            st.buf.push(b'\n');
            return Ok(());
        }
        match self.head {
            Head::Block => return Err(not_a_block()),
            Head::Entry => st.buf.push(b'\n'),
            Head::Item => st.buf.extend_from_slice(b"--\n"),
        }
        let depth = st.prefix.len();
        st.prefix.extend_from_slice(GROUP);
        for (i, line) in data.chunks(HEX_PER_LINE).enumerate() {
            st.start_line();
            st.buf
                .extend_from_slice(if i == 0 { b"  |--> " } else { b"       " });
            push_hex_spaced(&mut st.buf, line);
            st.buf.push(b'\n');
        }
        st.prefix.truncate(depth);
        Ok(())
    }

    fn display<T: fmt::Display + ?Sized>(self, value: &T) -> Result<()> {
        self.st.scratch.clear();
        let _ = write!(Escaper(&mut self.st.scratch), "{value}");
        self.scratch()
    }

    fn open(self) -> Compound<'a> {
        let prefix_len = self.st.prefix.len();
        if self.head != Head::Block {
            self.st.prefix.extend_from_slice(GROUP);
        }
        Compound {
            st: self.st,
            head: self.head,
            child_level: self.child_level,
            count: 0,
            last_sub: 0,
            prefix_len,
            outer: None,
        }
    }

    /// A one-entry dict `{variant: ...}` whose value is the compound returned.
    fn variant(self, variant: &'static str) -> Compound<'a> {
        let mut outer = self.open();
        outer.st.key.clear();
        push_tree_escaped(&mut outer.st.key, variant);
        outer.begin_child(Head::Entry);
        let saved = Outer {
            head: outer.head,
            child_level: outer.child_level,
            last_sub: outer.last_sub,
            prefix_len: outer.prefix_len,
        };
        let mut inner = TreeSer {
            st: outer.st,
            head: Head::Entry,
            child_level: saved.child_level + 1,
        }
        .open();
        inner.outer = Some(saved);
        inner
    }
}

fn not_a_block() -> DumpError {
    DumpError::Serialize("a block must serialize as a struct or map".into())
}

impl<'a> ser::Serializer for TreeSer<'a> {
    type Ok = ();
    type Error = DumpError;
    type SerializeSeq = Compound<'a>;
    type SerializeTuple = Compound<'a>;
    type SerializeTupleStruct = Compound<'a>;
    type SerializeTupleVariant = Compound<'a>;
    type SerializeMap = Compound<'a>;
    type SerializeStruct = Compound<'a>;
    type SerializeStructVariant = Compound<'a>;

    fn serialize_bool(self, v: bool) -> Result<()> {
        self.display(if v { "True" } else { "False" })
    }
    fn serialize_i8(self, v: i8) -> Result<()> {
        self.serialize_i64(v.into())
    }
    fn serialize_i16(self, v: i16) -> Result<()> {
        self.serialize_i64(v.into())
    }
    fn serialize_i32(self, v: i32) -> Result<()> {
        self.serialize_i64(v.into())
    }
    fn serialize_i64(self, v: i64) -> Result<()> {
        self.st.scratch.clear();
        push_i64(&mut self.st.scratch, v);
        self.scratch()
    }
    fn serialize_i128(self, v: i128) -> Result<()> {
        self.display(&v)
    }
    fn serialize_u8(self, v: u8) -> Result<()> {
        self.serialize_u64(v.into())
    }
    fn serialize_u16(self, v: u16) -> Result<()> {
        self.serialize_u64(v.into())
    }
    fn serialize_u32(self, v: u32) -> Result<()> {
        self.serialize_u64(v.into())
    }
    fn serialize_u64(self, v: u64) -> Result<()> {
        self.st.scratch.clear();
        push_u64(&mut self.st.scratch, v);
        self.scratch()
    }
    fn serialize_u128(self, v: u128) -> Result<()> {
        self.display(&v)
    }
    fn serialize_f32(self, v: f32) -> Result<()> {
        self.serialize_f64(v.into())
    }
    fn serialize_f64(self, v: f64) -> Result<()> {
        self.st.scratch.clear();
        let _ = write!(VecFmt(&mut self.st.scratch), "{v:?}");
        self.scratch()
    }
    fn serialize_char(self, v: char) -> Result<()> {
        self.display(&v)
    }
    fn serialize_str(self, v: &str) -> Result<()> {
        self.st.scratch.clear();
        push_tree_escaped(&mut self.st.scratch, v);
        self.scratch()
    }
    fn collect_str<T: ?Sized + fmt::Display>(self, value: &T) -> Result<()> {
        self.display(value)
    }
    fn serialize_bytes(self, v: &[u8]) -> Result<()> {
        self.bytes(v)
    }
    fn serialize_none(self) -> Result<()> {
        self.nil(false)
    }
    fn serialize_some<T: ?Sized + Serialize>(self, value: &T) -> Result<()> {
        value.serialize(self)
    }
    fn serialize_unit(self) -> Result<()> {
        self.nil(false)
    }
    fn serialize_unit_struct(self, _: &'static str) -> Result<()> {
        self.nil(false)
    }
    fn serialize_unit_variant(self, _: &'static str, _: u32, variant: &'static str) -> Result<()> {
        self.serialize_str(variant)
    }
    fn serialize_newtype_struct<T: ?Sized + Serialize>(
        self,
        _: &'static str,
        value: &T,
    ) -> Result<()> {
        value.serialize(self)
    }
    fn serialize_newtype_variant<T: ?Sized + Serialize>(
        self,
        _: &'static str,
        _: u32,
        variant: &'static str,
        value: &T,
    ) -> Result<()> {
        let mut c = self.open();
        c.st.key.clear();
        push_tree_escaped(&mut c.st.key, variant);
        c.child(Head::Entry, value)?;
        c.finish()
    }
    fn serialize_seq(self, _: Option<usize>) -> Result<Compound<'a>> {
        Ok(self.open())
    }
    fn serialize_tuple(self, _: usize) -> Result<Compound<'a>> {
        Ok(self.open())
    }
    fn serialize_tuple_struct(self, _: &'static str, _: usize) -> Result<Compound<'a>> {
        Ok(self.open())
    }
    fn serialize_tuple_variant(
        self,
        _: &'static str,
        _: u32,
        variant: &'static str,
        _: usize,
    ) -> Result<Compound<'a>> {
        Ok(self.variant(variant))
    }
    fn serialize_map(self, _: Option<usize>) -> Result<Compound<'a>> {
        Ok(self.open())
    }
    fn serialize_struct(self, _: &'static str, _: usize) -> Result<Compound<'a>> {
        Ok(self.open())
    }
    fn serialize_struct_variant(
        self,
        _: &'static str,
        _: u32,
        variant: &'static str,
        _: usize,
    ) -> Result<Compound<'a>> {
        Ok(self.variant(variant))
    }
}

/// The enclosing `{variant: ...}` dict of a tuple or struct variant, closed with it.
#[derive(Clone, Copy, Debug)]
struct Outer {
    head: Head,
    child_level: usize,
    last_sub: usize,
    prefix_len: usize,
}

/// An open dict or list.
struct Compound<'a> {
    st: &'a mut State,
    head: Head,
    child_level: usize,
    count: usize,
    /// Index in `st.lines` of the first line below the last child's head.
    last_sub: usize,
    prefix_len: usize,
    outer: Option<Outer>,
}

impl Compound<'_> {
    /// Starts a child's line: ends the parent's head line first if this is the first
    /// child, then writes the child's head.
    fn begin_child(&mut self, kind: Head) {
        let st = &mut *self.st;
        if self.count == 0 {
            match self.head {
                Head::Block => {}
                Head::Entry => st.buf.push(b'\n'),
                Head::Item => st.buf.extend_from_slice(b"--\n"),
            }
        }
        st.start_line();
        match kind {
            Head::Entry => {
                st.buf.extend_from_slice(b"  |-- ");
                st.buf.extend_from_slice(&st.key);
                st.buf.push(b' ');
            }
            Head::Item | Head::Block => st.buf.extend_from_slice(b"  |--> "),
        }
        self.last_sub = st.lines.len();
        self.count += 1;
    }

    fn child<T: ?Sized + Serialize>(&mut self, kind: Head, value: &T) -> Result<()> {
        self.begin_child(kind);
        value.serialize(TreeSer {
            st: self.st,
            head: kind,
            child_level: self.child_level + 1,
        })
    }

    fn key<T: ?Sized + Serialize>(&mut self, key: &T) -> Result<()> {
        self.st.key.clear();
        key.serialize(KeySer::new(&mut self.st.key, push_tree_escaped))
    }

    fn finish(self) -> Result<()> {
        close(
            self.st,
            self.head,
            self.count,
            self.child_level,
            self.last_sub,
            self.prefix_len,
        )?;
        if let Some(o) = self.outer {
            close(self.st, o.head, 1, o.child_level, o.last_sub, o.prefix_len)?;
        }
        Ok(())
    }
}

/// Ends a dict or list: `-> NIL` if it was empty, else erases the bar of its last child.
fn close(
    st: &mut State,
    head: Head,
    count: usize,
    child_level: usize,
    last_sub: usize,
    prefix_len: usize,
) -> Result<()> {
    if count == 0 {
        match head {
            Head::Block => {}
            Head::Entry => st.buf.extend_from_slice(b" -> NIL\n"),
            Head::Item => st.buf.extend_from_slice(b"NIL\n"),
        }
    } else {
        let col = child_level * GROUP.len() + BAR;
        for &start in st.lines.get(last_sub..).unwrap_or_default() {
            if let Some(b) = st.buf.get_mut(start + col)
                && *b == b'|'
            {
                *b = b' ';
            }
        }
    }
    st.prefix.truncate(prefix_len);
    Ok(())
}

impl ser::SerializeSeq for Compound<'_> {
    type Ok = ();
    type Error = DumpError;
    fn serialize_element<T: ?Sized + Serialize>(&mut self, value: &T) -> Result<()> {
        self.child(Head::Item, value)
    }
    fn end(self) -> Result<()> {
        self.finish()
    }
}

impl ser::SerializeTuple for Compound<'_> {
    type Ok = ();
    type Error = DumpError;
    fn serialize_element<T: ?Sized + Serialize>(&mut self, value: &T) -> Result<()> {
        self.child(Head::Item, value)
    }
    fn end(self) -> Result<()> {
        self.finish()
    }
}

impl ser::SerializeTupleStruct for Compound<'_> {
    type Ok = ();
    type Error = DumpError;
    fn serialize_field<T: ?Sized + Serialize>(&mut self, value: &T) -> Result<()> {
        self.child(Head::Item, value)
    }
    fn end(self) -> Result<()> {
        self.finish()
    }
}

impl ser::SerializeTupleVariant for Compound<'_> {
    type Ok = ();
    type Error = DumpError;
    fn serialize_field<T: ?Sized + Serialize>(&mut self, value: &T) -> Result<()> {
        self.child(Head::Item, value)
    }
    fn end(self) -> Result<()> {
        self.finish()
    }
}

impl ser::SerializeMap for Compound<'_> {
    type Ok = ();
    type Error = DumpError;
    fn serialize_key<T: ?Sized + Serialize>(&mut self, key: &T) -> Result<()> {
        self.key(key)
    }
    fn serialize_value<T: ?Sized + Serialize>(&mut self, value: &T) -> Result<()> {
        self.child(Head::Entry, value)
    }
    fn end(self) -> Result<()> {
        self.finish()
    }
}

impl ser::SerializeStruct for Compound<'_> {
    type Ok = ();
    type Error = DumpError;
    fn serialize_field<T: ?Sized + Serialize>(
        &mut self,
        key: &'static str,
        value: &T,
    ) -> Result<()> {
        self.key(key)?;
        self.child(Head::Entry, value)
    }
    fn end(self) -> Result<()> {
        self.finish()
    }
}

impl ser::SerializeStructVariant for Compound<'_> {
    type Ok = ();
    type Error = DumpError;
    fn serialize_field<T: ?Sized + Serialize>(
        &mut self,
        key: &'static str,
        value: &T,
    ) -> Result<()> {
        self.key(key)?;
        self.child(Head::Entry, value)
    }
    fn end(self) -> Result<()> {
        self.finish()
    }
}

/// PyPCAPKit's tree text, streamed block by block (no header or footer: the output is
/// complete after every block). Blocks are separated by an empty line.
///
/// ```
/// use pcapkit_dump::{BlockWriter, TreeWriter};
///
/// let mut out = Vec::new();
/// let mut w = TreeWriter::new(&mut out);
/// w.write_block("Frame 1", &serde_json::json!({"error": null, "number": 1}))?;
/// w.finish()?;
/// drop(w);
/// assert_eq!(String::from_utf8(out)?, "Frame 1\n  |-- error -> NIL\n  |-- number -> 1\n");
/// # Ok::<(), Box<dyn std::error::Error>>(())
/// ```
pub struct TreeWriter<W: Write> {
    out: OutBuf<W>,
    st: State,
    blocks: u64,
}

impl<W: Write> TreeWriter<W> {
    /// A writer on `w`.
    pub fn new(w: W) -> Self {
        Self::with_buffer(w, DEFAULT_BUFFER)
    }

    /// Like [`TreeWriter::new`], handing output to `w` in chunks of about `buffer` bytes.
    pub fn with_buffer(w: W, buffer: usize) -> Self {
        Self {
            out: OutBuf::new(w, buffer),
            st: State::default(),
            blocks: 0,
        }
    }

    /// The underlying writer.
    pub fn get_ref(&self) -> &W {
        self.out.get_ref()
    }
}

/// Scratch state of [`render_tree_block`], reused across blocks.
#[derive(Debug, Default)]
pub(crate) struct TreeScratch(State);

/// One block of tree text (`Name` line and its entries), without the blank line that
/// separates it from the block before, appended to `out`.
pub(crate) fn render_tree_block<N, T>(
    out: &mut Vec<u8>,
    scratch: &mut TreeScratch,
    name: &N,
    body: &T,
) -> Result<()>
where
    N: fmt::Display + ?Sized,
    T: Serialize + ?Sized,
{
    render_tree(&mut scratch.0, name, body)?;
    out.extend_from_slice(&scratch.0.buf);
    Ok(())
}

/// Renders a block into `st.buf`.
fn render_tree<N, T>(st: &mut State, name: &N, body: &T) -> Result<()>
where
    N: fmt::Display + ?Sized,
    T: Serialize + ?Sized,
{
    st.reset();
    let _ = write!(Escaper(&mut st.buf), "{name}");
    st.buf.push(b'\n');
    body.serialize(TreeSer {
        st,
        head: Head::Block,
        child_level: 0,
    })
}

impl<W: Write> TreeWriter<W> {
    /// Appends a block rendered by [`render_tree_block`].
    /// [`TreeWriter::write_rendered`] for several blocks, written without copying.
    pub(crate) fn write_rendered_many(&mut self, blocks: &[&[u8]]) -> Result<()> {
        let mut parts: Vec<&[u8]> = Vec::with_capacity(blocks.len() * 2);
        for block in blocks {
            if self.blocks > 0 {
                parts.push(b"\n");
            }
            parts.push(block);
            self.blocks += 1;
        }
        self.out.write_many(&parts)?;
        Ok(())
    }

    pub(crate) fn write_rendered(&mut self, block: &[u8]) -> Result<()> {
        if self.blocks > 0 {
            self.out.buf.push(b'\n');
        }
        self.out.buf.extend_from_slice(block);
        self.blocks += 1;
        self.out.block_done()?;
        Ok(())
    }
}

impl<W: Write> BlockWriter for TreeWriter<W> {
    fn write_block<N, T>(&mut self, name: &N, body: &T) -> Result<()>
    where
        N: fmt::Display + ?Sized,
        T: Serialize + ?Sized,
    {
        render_tree(&mut self.st, name, body)?;
        if self.blocks > 0 {
            self.out.buf.push(b'\n');
        }
        self.out.buf.extend_from_slice(&self.st.buf);
        self.blocks += 1;
        self.out.block_done()?;
        Ok(())
    }

    fn finish(&mut self) -> Result<()> {
        self.out.flush()?;
        Ok(())
    }
}

impl<W: Write> Drop for TreeWriter<W> {
    fn drop(&mut self) {
        let _ = self.out.flush();
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use pcapkit_protocols::ser::Bytes;

    fn render<T: Serialize + ?Sized>(body: &T) -> String {
        let mut out = Vec::new();
        {
            let mut w = TreeWriter::new(&mut out);
            w.write_block("Frame 1", body).unwrap();
            w.finish().unwrap();
        }
        String::from_utf8(out).unwrap()
    }

    #[derive(Serialize)]
    struct Tci {
        pcp: &'static str,
        dei: bool,
    }

    #[derive(Serialize)]
    struct Layer {
        dst: &'static str,
        #[serde(rename = "type")]
        ty: &'static str,
        tci: Tci,
        error: Option<u8>,
        packet: Bytes<'static>,
    }

    #[derive(Serialize)]
    struct Frame {
        number: u32,
        ethernet: Layer,
        empty: Bytes<'static>,
        list: Vec<u8>,
        protocols: &'static str,
        packet: Bytes<'static>,
    }

    const PACKET: [u8; 20] = [
        0x00, 0x50, 0xd7, 0xc0, 0xd5, 0x9f, 0xb1, 0x54, 0xa6, 0x7a, 0xa0, 0xff, 0x50, 0x11, 0x7c,
        0xb0, 0x7c, 0x8e, 0x00, 0x00,
    ];

    #[test]
    fn pypcapkit_layout() {
        let text = render(&Frame {
            number: 3,
            ethernet: Layer {
                dst: "a4:5e:60:d9:6b:97",
                ty: "EtherType::Internet_Protocol_version_4 [2048]",
                tci: Tci {
                    pcp: "PriorityLevel::BE [0]",
                    dei: false,
                },
                error: None,
                packet: Bytes(&PACKET),
            },
            empty: Bytes(&[]),
            list: vec![2, 4],
            protocols: "Ethernet:IPv4:TCP",
            packet: Bytes(&PACKET[..2]),
        });
        let expected = "\
Frame 1
  |-- number -> 3
  |-- ethernet 
  |     |-- dst -> a4:5e:60:d9:6b:97
  |     |-- type 
  |     |     |--> EtherType::Internet_Protocol_version_4
  |     |          [2048]
  |     |-- tci 
  |     |     |-- pcp -> PriorityLevel::BE [0]
  |     |     |-- dei -> False
  |     |-- error -> NIL
  |     |-- packet 
  |           |--> 00 50 d7 c0 d5 9f b1 54 a6 7a a0 ff 50 11 7c b0
  |                7c 8e 00 00
  |-- empty  -> NIL
  |-- list 
  |     |--> 2
  |     |--> 4
  |-- protocols -> Ethernet:IPv4:TCP
  |-- packet -> 00 50
";
        assert_eq!(text, expected);
    }

    #[test]
    fn last_entry_erases_bars_below_it() {
        let text = render(&serde_json::json!({"a": 1, "z": {"b": {"c": 1, "d": 2}}}));
        let expected = "\
Frame 1
  |-- a -> 1
  |-- z 
        |-- b 
              |-- c -> 1
              |-- d -> 2
";
        assert_eq!(text, expected);
    }

    #[test]
    fn lists_of_dicts_render_uniformly() {
        let text = render(&serde_json::json!({
            "options": [{"kind": 1, "length": 1}, {"kind": 2, "length": 4}],
            "x": []
        }));
        let expected = "\
Frame 1
  |-- options 
  |     |--> --
  |     |     |-- kind -> 1
  |     |     |-- length -> 1
  |     |--> --
  |           |-- kind -> 2
  |           |-- length -> 4
  |-- x  -> NIL
";
        assert_eq!(text, expected);
    }

    #[test]
    fn long_values_wrap_and_controls_are_escaped() {
        let text = render(&serde_json::json!({
            // Keys in sorted order: the same with or without serde_json's preserve_order.
            "c": "a\nb\u{1}",
            "s": "AppType::www_http [www-http [80 - tcp|udp]]",
            "w": "x".repeat(85),
        }));
        let expected = format!(
            "\
Frame 1
  |-- c -> a\\nb\\x01
  |-- s 
  |     |--> AppType::www_http [www-http [80 -
  |          tcp|udp]]
  |-- w 
        |--> {}
             {}
             xxxxx
",
            "x".repeat(40),
            "x".repeat(40)
        );
        assert_eq!(text, expected);
    }

    #[test]
    fn blocks_are_separated_by_an_empty_line() {
        let mut out = Vec::new();
        {
            let mut w = TreeWriter::new(&mut out);
            w.write_block("Global Header", &serde_json::json!({"a": 1}))
                .unwrap();
            w.write_block("Frame 1", &serde_json::json!({})).unwrap();
        }
        assert_eq!(
            String::from_utf8(out).unwrap(),
            "Global Header\n  |-- a -> 1\n\nFrame 1\n"
        );
    }

    #[test]
    fn wrap_matches_textwrap() {
        let mut lines = Vec::new();
        wrap("EtherType::Internet_Protocol_version_6 [34525]", 40, |l| {
            lines.push(l.to_owned())
        });
        assert_eq!(lines, ["EtherType::Internet_Protocol_version_6", "[34525]"]);
        lines.clear();
        wrap("ab  cd", 3, |l| lines.push(l.to_owned()));
        assert_eq!(lines, ["ab", "cd"]);
        lines.clear();
        wrap("ééééé f", 2, |l| lines.push(l.to_owned()));
        assert_eq!(lines, ["éé", "éé", "é", "f"]);
    }
}
