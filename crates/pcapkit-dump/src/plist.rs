//! Apple XML property lists, PyPCAPKit's layout, written by our own serde `Serializer`
//! straight into the output buffer.
//!
//! - Dicts and arrays are indented with one TAB per level; `None` and unit values are
//!   left out (with their key), as PyPCAPKit does.
//! - Text is XML-escaped (`&`, `<`, `>`, and `\r` as `&#13;` so it survives parsing).
//!   Characters XML 1.0 cannot carry at all (C0 controls other than TAB and LF,
//!   U+FFFE, U+FFFF) become U+FFFD: plist cannot represent them; JSON output keeps them.
//! - Bytes are `<data>` in base64; integers `<integer>`, floats `<real>`, booleans
//!   `<true/>`/`<false/>`.

use std::fmt::{self, Write as _};
use std::io::Write;

use serde::Serialize;
use serde::ser;

use crate::BlockWriter;
use crate::encode::{push_base64, push_i64, push_u64};
use crate::error::{DumpError, Result};
use crate::key::KeySer;
use crate::outbuf::{DEFAULT_BUFFER, OutBuf};

const HEADER: &[u8] = b"<?xml version=\"1.0\" encoding=\"UTF-8\"?>\n\
<!DOCTYPE plist PUBLIC \"-//Apple//DTD PLIST 1.0//EN\" \"http://www.apple.com/DTDs/PropertyList-1.0.dtd\">\n\
<plist version=\"1.0\">\n<dict>\n";
const FOOTER: &[u8] = b"</dict>\n</plist>\n";

/// Bytes that need a look in XML text: `&`, `<`, `>`, C0 controls, and 0xEF (the
/// first byte of U+FFFE/U+FFFF).
fn needs_escape(b: u8) -> bool {
    matches!(b, b'&' | b'<' | b'>' | 0..=0x1f | 0xef) && b != b'\t' && b != b'\n'
}

/// Appends `s` to `out`, escaped for XML text.
pub(crate) fn push_escaped(out: &mut Vec<u8>, s: &str) {
    let bytes = s.as_bytes();
    if !bytes.iter().any(|&b| needs_escape(b)) {
        out.extend_from_slice(bytes);
        return;
    }
    let mut start = 0;
    let mut i = 0;
    while let Some(&b) = bytes.get(i) {
        let (rep, skip): (&[u8], usize) = match b {
            b'&' => (b"&amp;", 1),
            b'<' => (b"&lt;", 1),
            b'>' => (b"&gt;", 1),
            b'\r' => (b"&#13;", 1),
            b'\t' | b'\n' => {
                i += 1;
                continue;
            }
            0..=0x1f => ("\u{fffd}".as_bytes(), 1),
            // U+FFFE / U+FFFF: EF BF BE / EF BF BF
            0xef if matches!(bytes.get(i + 1..i + 3), Some([0xbf, 0xbe | 0xbf])) => {
                ("\u{fffd}".as_bytes(), 3)
            }
            _ => {
                i += 1;
                continue;
            }
        };
        out.extend_from_slice(bytes.get(start..i).unwrap_or_default());
        out.extend_from_slice(rep);
        i += skip;
        start = i;
    }
    out.extend_from_slice(bytes.get(start..).unwrap_or_default());
}

/// `fmt::Write` adapter that escapes what it is given into a buffer.
struct Escaper<'b>(&'b mut Vec<u8>);

impl fmt::Write for Escaper<'_> {
    fn write_str(&mut self, s: &str) -> fmt::Result {
        push_escaped(self.0, s);
        Ok(())
    }
}

fn push_tabs(out: &mut Vec<u8>, n: usize) {
    out.extend(std::iter::repeat_n(b'\t', n));
}

/// Serializer state: the output and the key waiting for its value (written only if the
/// value is not `None`).
#[derive(Debug, Default)]
struct State {
    key: Vec<u8>,
    key_pending: bool,
}

/// Writes one value at `level` into `out`.
struct PlistSer<'a> {
    out: &'a mut Vec<u8>,
    st: &'a mut State,
    level: usize,
}

impl<'a> PlistSer<'a> {
    /// Writes the pending key (if any) and the indentation of a value.
    fn open(&mut self) {
        if self.st.key_pending {
            self.st.key_pending = false;
            push_tabs(self.out, self.level);
            self.out.extend_from_slice(b"<key>");
            self.out.extend_from_slice(&self.st.key);
            self.out.extend_from_slice(b"</key>\n");
        }
        push_tabs(self.out, self.level);
    }

    fn element(mut self, tag: &str, text: fmt::Arguments<'_>) -> Result<()> {
        self.open();
        let _ = writeln!(VecFmt(self.out), "<{tag}>{text}</{tag}>");
        Ok(())
    }

    fn string(mut self, s: &str) -> Result<()> {
        self.open();
        self.out.extend_from_slice(b"<string>");
        push_escaped(self.out, s);
        self.out.extend_from_slice(b"</string>\n");
        Ok(())
    }

    fn container(mut self, tag: &'static str) -> Compound<'a> {
        self.open();
        self.out.push(b'<');
        self.out.extend_from_slice(tag.as_bytes());
        self.out.extend_from_slice(b">\n");
        Compound {
            out: self.out,
            st: self.st,
            level: self.level,
            tag,
            variant: false,
        }
    }

    fn variant(self, variant: &'static str) -> Compound<'a> {
        let c = self.container("dict");
        c.st.key.clear();
        push_escaped(&mut c.st.key, variant);
        c.st.key_pending = true;
        c
    }
}

/// `fmt::Write` into a byte vector (no escaping: for numbers and tags).
struct VecFmt<'b>(&'b mut Vec<u8>);

impl fmt::Write for VecFmt<'_> {
    fn write_str(&mut self, s: &str) -> fmt::Result {
        self.0.extend_from_slice(s.as_bytes());
        Ok(())
    }
}

impl<'a> ser::Serializer for PlistSer<'a> {
    type Ok = ();
    type Error = DumpError;
    type SerializeSeq = Compound<'a>;
    type SerializeTuple = Compound<'a>;
    type SerializeTupleStruct = Compound<'a>;
    type SerializeTupleVariant = Compound<'a>;
    type SerializeMap = Compound<'a>;
    type SerializeStruct = Compound<'a>;
    type SerializeStructVariant = Compound<'a>;

    fn serialize_bool(mut self, v: bool) -> Result<()> {
        self.open();
        self.out
            .extend_from_slice(if v { b"<true/>\n" } else { b"<false/>\n" });
        Ok(())
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
    fn serialize_i64(mut self, v: i64) -> Result<()> {
        self.open();
        self.out.extend_from_slice(b"<integer>");
        push_i64(self.out, v);
        self.out.extend_from_slice(b"</integer>\n");
        Ok(())
    }
    /// Plist integers are 64-bit (CFPropertyList): a value beyond `i64`/`u64` (a
    /// PCAPNG `if_tsresol` of 10^-20, say) is written as a `<real>`, the nearest
    /// double, so the document stays loadable.
    fn serialize_i128(self, v: i128) -> Result<()> {
        match (i64::try_from(v), u64::try_from(v)) {
            (Ok(v), _) => self.serialize_i64(v),
            (_, Ok(v)) => self.serialize_u64(v),
            #[allow(clippy::cast_precision_loss)]
            _ => self.serialize_f64(v as f64),
        }
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
    fn serialize_u64(mut self, v: u64) -> Result<()> {
        self.open();
        self.out.extend_from_slice(b"<integer>");
        push_u64(self.out, v);
        self.out.extend_from_slice(b"</integer>\n");
        Ok(())
    }
    /// As [`Self::serialize_i128`]: `<real>` beyond `u64`.
    fn serialize_u128(self, v: u128) -> Result<()> {
        match u64::try_from(v) {
            Ok(v) => self.serialize_u64(v),
            #[allow(clippy::cast_precision_loss)]
            Err(_) => self.serialize_f64(v as f64),
        }
    }
    fn serialize_f32(self, v: f32) -> Result<()> {
        self.serialize_f64(v.into())
    }
    fn serialize_f64(self, v: f64) -> Result<()> {
        self.element("real", format_args!("{v:?}"))
    }
    fn serialize_char(self, v: char) -> Result<()> {
        self.string(v.encode_utf8(&mut [0; 4]))
    }
    fn serialize_str(self, v: &str) -> Result<()> {
        self.string(v)
    }
    fn collect_str<T: ?Sized + fmt::Display>(mut self, value: &T) -> Result<()> {
        self.open();
        self.out.extend_from_slice(b"<string>");
        let _ = write!(Escaper(self.out), "{value}");
        self.out.extend_from_slice(b"</string>\n");
        Ok(())
    }
    fn serialize_bytes(mut self, v: &[u8]) -> Result<()> {
        self.open();
        self.out.extend_from_slice(b"<data>");
        push_base64(self.out, v);
        self.out.extend_from_slice(b"</data>\n");
        Ok(())
    }
    fn serialize_none(self) -> Result<()> {
        self.st.key_pending = false;
        Ok(())
    }
    fn serialize_some<T: ?Sized + Serialize>(self, value: &T) -> Result<()> {
        value.serialize(self)
    }
    fn serialize_unit(self) -> Result<()> {
        self.serialize_none()
    }
    fn serialize_unit_struct(self, _: &'static str) -> Result<()> {
        self.serialize_none()
    }
    fn serialize_unit_variant(self, _: &'static str, _: u32, variant: &'static str) -> Result<()> {
        self.string(variant)
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
        let c = self.variant(variant);
        value.serialize(PlistSer {
            out: &mut *c.out,
            st: &mut *c.st,
            level: c.level + 1,
        })?;
        c.close()
    }
    fn serialize_seq(self, _: Option<usize>) -> Result<Compound<'a>> {
        Ok(self.container("array"))
    }
    fn serialize_tuple(self, _: usize) -> Result<Compound<'a>> {
        Ok(self.container("array"))
    }
    fn serialize_tuple_struct(self, _: &'static str, _: usize) -> Result<Compound<'a>> {
        Ok(self.container("array"))
    }
    fn serialize_tuple_variant(
        self,
        _: &'static str,
        _: u32,
        variant: &'static str,
        _: usize,
    ) -> Result<Compound<'a>> {
        let c = self.variant(variant);
        let level = c.level + 1;
        let inner = PlistSer {
            out: c.out,
            st: c.st,
            level,
        }
        .container("array");
        Ok(Compound {
            variant: true,
            ..inner
        })
    }
    fn serialize_map(self, _: Option<usize>) -> Result<Compound<'a>> {
        Ok(self.container("dict"))
    }
    fn serialize_struct(self, _: &'static str, _: usize) -> Result<Compound<'a>> {
        Ok(self.container("dict"))
    }
    fn serialize_struct_variant(
        self,
        _: &'static str,
        _: u32,
        variant: &'static str,
        _: usize,
    ) -> Result<Compound<'a>> {
        let c = self.variant(variant);
        let level = c.level + 1;
        let inner = PlistSer {
            out: c.out,
            st: c.st,
            level,
        }
        .container("dict");
        Ok(Compound {
            variant: true,
            ..inner
        })
    }
}

/// An open `<dict>` or `<array>`; `variant` also closes the enclosing variant dict.
struct Compound<'a> {
    out: &'a mut Vec<u8>,
    st: &'a mut State,
    level: usize,
    tag: &'static str,
    variant: bool,
}

impl Compound<'_> {
    fn value<T: ?Sized + Serialize>(&mut self, value: &T) -> Result<()> {
        value.serialize(PlistSer {
            out: self.out,
            st: self.st,
            level: self.level + 1,
        })
    }

    fn close(self) -> Result<()> {
        self.st.key_pending = false;
        push_tabs(self.out, self.level);
        self.out.extend_from_slice(b"</");
        self.out.extend_from_slice(self.tag.as_bytes());
        self.out.extend_from_slice(b">\n");
        if self.variant {
            let level = self.level.saturating_sub(1);
            push_tabs(self.out, level);
            self.out.extend_from_slice(b"</dict>\n");
        }
        Ok(())
    }

    fn key<T: ?Sized + Serialize>(&mut self, key: &T) -> Result<()> {
        self.st.key.clear();
        key.serialize(KeySer::new(&mut self.st.key, push_escaped))?;
        self.st.key_pending = true;
        Ok(())
    }
}

impl ser::SerializeSeq for Compound<'_> {
    type Ok = ();
    type Error = DumpError;
    fn serialize_element<T: ?Sized + Serialize>(&mut self, value: &T) -> Result<()> {
        self.value(value)
    }
    fn end(self) -> Result<()> {
        self.close()
    }
}

impl ser::SerializeTuple for Compound<'_> {
    type Ok = ();
    type Error = DumpError;
    fn serialize_element<T: ?Sized + Serialize>(&mut self, value: &T) -> Result<()> {
        self.value(value)
    }
    fn end(self) -> Result<()> {
        self.close()
    }
}

impl ser::SerializeTupleStruct for Compound<'_> {
    type Ok = ();
    type Error = DumpError;
    fn serialize_field<T: ?Sized + Serialize>(&mut self, value: &T) -> Result<()> {
        self.value(value)
    }
    fn end(self) -> Result<()> {
        self.close()
    }
}

impl ser::SerializeTupleVariant for Compound<'_> {
    type Ok = ();
    type Error = DumpError;
    fn serialize_field<T: ?Sized + Serialize>(&mut self, value: &T) -> Result<()> {
        self.value(value)
    }
    fn end(self) -> Result<()> {
        self.close()
    }
}

impl ser::SerializeMap for Compound<'_> {
    type Ok = ();
    type Error = DumpError;
    fn serialize_key<T: ?Sized + Serialize>(&mut self, key: &T) -> Result<()> {
        self.key(key)
    }
    fn serialize_value<T: ?Sized + Serialize>(&mut self, value: &T) -> Result<()> {
        self.value(value)
    }
    fn end(self) -> Result<()> {
        self.close()
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
        self.value(value)
    }
    fn end(self) -> Result<()> {
        self.close()
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
        self.value(value)
    }
    fn end(self) -> Result<()> {
        self.close()
    }
}

/// PyPCAPKit's plist document, streamed: header and `<dict>`, then `<key>Name</key>`
/// and a `<dict>` per block, then `</dict></plist>`.
///
/// Closed by [`BlockWriter::finish`] or on drop, so the output is a valid plist however
/// the program ends; a block that fails to serialize is left out whole.
///
/// ```
/// use pcapkit_dump::{BlockWriter, PlistWriter};
///
/// let mut out = Vec::new();
/// let mut w = PlistWriter::new(&mut out);
/// w.write_block("Frame 1", &serde_json::json!({"number": 1, "note": null}))?;
/// w.finish()?;
/// drop(w);
/// let v: plist::Value = plist::from_bytes(&out)?;
/// let frame = v.as_dictionary().and_then(|d| d.get("Frame 1")).and_then(|f| f.as_dictionary());
/// assert_eq!(frame.and_then(|f| f.get("number")).and_then(|n| n.as_unsigned_integer()), Some(1));
/// assert!(frame.is_some_and(|f| !f.contains_key("note")));
/// # Ok::<(), Box<dyn std::error::Error>>(())
/// ```
pub struct PlistWriter<W: Write> {
    out: OutBuf<W>,
    st: State,
    finished: bool,
}

impl<W: Write> PlistWriter<W> {
    /// Starts the document on `w`.
    pub fn new(w: W) -> Self {
        Self::with_buffer(w, DEFAULT_BUFFER)
    }

    /// Like [`PlistWriter::new`], handing output to `w` in chunks of about `buffer` bytes.
    pub fn with_buffer(w: W, buffer: usize) -> Self {
        let mut out = OutBuf::new(w, buffer);
        out.buf.extend_from_slice(HEADER);
        Self {
            out,
            st: State::default(),
            finished: false,
        }
    }

    /// The underlying writer.
    pub fn get_ref(&self) -> &W {
        self.out.get_ref()
    }
}

/// Scratch state of [`render_plist`], reused across blocks.
#[derive(Debug, Default)]
pub(crate) struct PlistScratch(State);

/// One `<key>Name</key>` + value entry of the top-level dict into `out`.
pub(crate) fn render_plist_block<N, T>(
    out: &mut Vec<u8>,
    scratch: &mut PlistScratch,
    name: &N,
    body: &T,
) -> Result<()>
where
    N: fmt::Display + ?Sized,
    T: Serialize + ?Sized,
{
    render_plist(out, &mut scratch.0, name, body)
}

fn render_plist<N, T>(out: &mut Vec<u8>, st: &mut State, name: &N, body: &T) -> Result<()>
where
    N: fmt::Display + ?Sized,
    T: Serialize + ?Sized,
{
    st.key.clear();
    let _ = write!(Escaper(&mut st.key), "{name}");
    st.key_pending = true;
    let result = body.serialize(PlistSer { out, st, level: 1 });
    st.key_pending = false;
    result
}

impl<W: Write> PlistWriter<W> {
    /// Appends an entry rendered by [`render_plist_block`].
    /// [`PlistWriter::write_rendered`] for several blocks, written without copying.
    pub(crate) fn write_rendered_many(&mut self, blocks: &[&[u8]]) -> Result<()> {
        self.out.write_many(blocks)?;
        Ok(())
    }

    pub(crate) fn write_rendered(&mut self, block: &[u8]) -> Result<()> {
        self.out.buf.extend_from_slice(block);
        self.out.block_done()?;
        Ok(())
    }
}

impl<W: Write> BlockWriter for PlistWriter<W> {
    fn write_block<N, T>(&mut self, name: &N, body: &T) -> Result<()>
    where
        N: fmt::Display + ?Sized,
        T: Serialize + ?Sized,
    {
        let mark = self.out.mark();
        let result = render_plist(&mut self.out.buf, &mut self.st, name, body);
        if let Err(e) = result {
            self.out.rollback(mark);
            return Err(e);
        }
        self.out.block_done()?;
        Ok(())
    }

    fn finish(&mut self) -> Result<()> {
        if !self.finished {
            self.finished = true;
            self.out.buf.extend_from_slice(FOOTER);
        }
        self.out.flush()?;
        Ok(())
    }
}

impl<W: Write> Drop for PlistWriter<W> {
    fn drop(&mut self) {
        if !self.finished {
            let _ = self.finish();
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use pcapkit_protocols::ser::Bytes;

    #[derive(Serialize)]
    enum E {
        Unit,
        New(u8),
        Tup(u8, u8),
        St { a: u8 },
    }

    #[derive(Serialize)]
    struct Block<'a> {
        int: i64,
        big: u64,
        real: f64,
        yes: bool,
        text: &'a str,
        data: Bytes<'a>,
        empty: Bytes<'a>,
        none: Option<u8>,
        list: Vec<Option<u8>>,
        nested: std::collections::BTreeMap<&'a str, Option<u8>>,
        variants: Vec<E>,
    }

    fn render<T: Serialize>(body: &T) -> String {
        let mut out = Vec::new();
        {
            let mut w = PlistWriter::new(&mut out);
            w.write_block("Frame <1>", body).unwrap();
            w.finish().unwrap();
        }
        String::from_utf8(out).unwrap()
    }

    #[test]
    fn layout_and_types() {
        let mut nested = std::collections::BTreeMap::new();
        nested.insert("b", None);
        let text = render(&Block {
            int: -5,
            big: u64::MAX,
            real: 43.0,
            yes: true,
            text: "a<b & c>\r\n\u{1}\u{ffff}",
            data: Bytes(&[0xd4, 0xc3, 0xb2, 0xa1]),
            empty: Bytes(&[]),
            none: None,
            list: vec![Some(1), None, Some(3)],
            nested,
            variants: vec![E::Unit, E::New(1), E::Tup(1, 2), E::St { a: 3 }],
        });
        assert!(text.starts_with("<?xml version=\"1.0\" encoding=\"UTF-8\"?>\n"));
        assert!(text.contains("\t<key>Frame &lt;1&gt;</key>\n\t<dict>\n\t\t<key>int</key>\n\t\t<integer>-5</integer>\n"), "{text}");
        assert!(text.contains("<real>43.0</real>"));
        assert!(text.contains("<true/>"));
        assert!(
            text.contains("<string>a&lt;b &amp; c&gt;&#13;\n\u{fffd}\u{fffd}</string>"),
            "{text}"
        );
        assert!(text.contains("<key>data</key>\n\t\t<data>1MOyoQ==</data>"));
        assert!(text.contains("<key>empty</key>\n\t\t<data></data>"));
        assert!(!text.contains("<key>none</key>"));
        assert!(
            text.contains("<key>nested</key>\n\t\t<dict>\n\t\t</dict>\n"),
            "{text}"
        );
        assert!(text.ends_with("\t</dict>\n</dict>\n</plist>\n"));

        let v: plist::Value = plist::from_bytes(text.as_bytes()).unwrap();
        let block = v
            .as_dictionary()
            .unwrap()
            .get("Frame <1>")
            .unwrap()
            .as_dictionary()
            .unwrap();
        assert_eq!(block.get("int").unwrap().as_signed_integer(), Some(-5));
        assert_eq!(
            block.get("big").unwrap().as_unsigned_integer(),
            Some(u64::MAX)
        );
        assert_eq!(
            block.get("text").unwrap().as_string(),
            Some("a<b & c>\r\n\u{fffd}\u{fffd}")
        );
        assert_eq!(
            block.get("data").unwrap().as_data(),
            Some(&[0xd4, 0xc3, 0xb2, 0xa1][..])
        );
        let list = block.get("list").unwrap().as_array().unwrap();
        assert_eq!(list.len(), 2);
        let variants = block.get("variants").unwrap().as_array().unwrap();
        assert_eq!(variants[0].as_string(), Some("Unit"));
        let new = variants[1].as_dictionary().unwrap();
        assert_eq!(new.get("New").unwrap().as_unsigned_integer(), Some(1));
        let tup = variants[2].as_dictionary().unwrap();
        assert_eq!(tup.get("Tup").unwrap().as_array().unwrap().len(), 2);
        let st = variants[3].as_dictionary().unwrap();
        let inner = st.get("St").unwrap().as_dictionary().unwrap();
        assert_eq!(inner.get("a").unwrap().as_unsigned_integer(), Some(3));
    }

    #[test]
    fn integers_beyond_64_bits_are_reals_and_the_document_loads() {
        // Fuzz find (extract_plist): a PCAPNG `if_tsresol` of 10^-20 gave
        // `<integer>100000000000000000000</integer>`, which no plist reader loads.
        #[derive(Serialize)]
        struct Wide {
            small: u128,
            huge: u128,
            low: i128,
            negative: i128,
        }
        let text = render(&Wide {
            small: 7,
            huge: 10u128.pow(20),
            low: i128::from(u64::MAX),
            negative: -(10i128.pow(20)),
        });
        assert!(text.contains("<integer>7</integer>"), "{text}");
        assert!(text.contains("<real>1e20</real>"), "{text}");
        assert!(text.contains("<real>-1e20</real>"), "{text}");
        let v: plist::Value = plist::from_bytes(text.as_bytes()).unwrap();
        let block = v.as_dictionary().unwrap().get("Frame <1>").unwrap();
        let block = block.as_dictionary().unwrap();
        assert_eq!(block.get("small").unwrap().as_unsigned_integer(), Some(7));
        assert_eq!(block.get("huge").unwrap().as_real(), Some(1e20));
        assert_eq!(
            block.get("low").unwrap().as_unsigned_integer(),
            Some(u64::MAX)
        );
        assert_eq!(block.get("negative").unwrap().as_real(), Some(-1e20));
    }

    #[test]
    fn empty_document_is_valid() {
        let mut out = Vec::new();
        drop(PlistWriter::new(&mut out));
        let v: plist::Value = plist::from_bytes(&out).unwrap();
        assert!(v.as_dictionary().unwrap().is_empty());
    }

    #[test]
    fn failed_block_is_rolled_back() {
        struct Bad;
        impl Serialize for Bad {
            fn serialize<S: ser::Serializer>(&self, s: S) -> Result<S::Ok, S::Error> {
                use ser::SerializeMap;
                let mut m = s.serialize_map(None)?;
                m.serialize_entry("a", &1)?;
                Err(ser::Error::custom("boom"))
            }
        }
        let mut out = Vec::new();
        {
            let mut w = PlistWriter::new(&mut out);
            assert!(w.write_block("Frame 1", &Bad).is_err());
            w.write_block("Frame 2", &serde_json::json!({"b": 2}))
                .unwrap();
        }
        let v: plist::Value = plist::from_bytes(&out).unwrap();
        let d = v.as_dictionary().unwrap();
        assert!(d.get("Frame 1").is_none());
        assert!(d.get("Frame 2").is_some());
    }
}
