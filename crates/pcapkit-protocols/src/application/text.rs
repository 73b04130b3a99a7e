//! Text shown from wire bytes, and line splitting for the text protocols.

use std::fmt::{self, Write as _};

use serde::{Serialize, Serializer};

/// Wire bytes shown as text: valid UTF-8 as is, each invalid sequence as U+FFFD.
/// Borrowed, never copied (serialized with `collect_str`).
#[derive(Clone, Copy, PartialEq, Eq, Hash, Default)]
pub struct Text<'a>(pub &'a [u8]);

impl<'a> Text<'a> {
    /// The bytes.
    pub fn as_bytes(&self) -> &'a [u8] {
        self.0
    }

    /// The text, if it is valid UTF-8.
    pub fn as_str(&self) -> Option<&'a str> {
        std::str::from_utf8(self.0).ok()
    }
}

impl fmt::Display for Text<'_> {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        for chunk in self.0.utf8_chunks() {
            f.write_str(chunk.valid())?;
            if !chunk.invalid().is_empty() {
                f.write_char('\u{FFFD}')?;
            }
        }
        Ok(())
    }
}

impl fmt::Debug for Text<'_> {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "{:?}", self.to_string())
    }
}

impl Serialize for Text<'_> {
    fn serialize<S: Serializer>(&self, serializer: S) -> Result<S::Ok, S::Error> {
        serializer.collect_str(self)
    }
}

/// Splits off the first line of `data`: the line without its `\n` / `\r\n`, the rest
/// after it, and whether a line end was found (else the line runs to the end).
pub(crate) fn split_line(data: &[u8]) -> (&[u8], &[u8], bool) {
    match memchr::memchr(b'\n', data) {
        Some(i) => {
            let line = data.get(..i).unwrap_or_default();
            let line = line.strip_suffix(b"\r").unwrap_or(line);
            (line, data.get(i + 1..).unwrap_or_default(), true)
        }
        None => (data, &[], false),
    }
}

/// The lines of `data` (without line ends; a last line without a line end included).
#[derive(Clone, Debug)]
pub(crate) struct Lines<'a>(pub &'a [u8]);

impl<'a> Iterator for Lines<'a> {
    type Item = &'a [u8];

    fn next(&mut self) -> Option<&'a [u8]> {
        if self.0.is_empty() {
            return None;
        }
        let (line, rest, _) = split_line(self.0);
        self.0 = rest;
        Some(line)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn lossy_text() {
        assert_eq!(Text(b"caf\xc3\xa9").to_string(), "café");
        assert_eq!(Text(b"a\xffb").to_string(), "a\u{FFFD}b");
        assert_eq!(serde_json::to_string(&Text(b"x\"y")).unwrap(), r#""x\"y""#);
        assert_eq!(Text(b"ok").as_str(), Some("ok"));
        assert_eq!(Text(b"\xff").as_str(), None);
    }

    #[test]
    fn lines() {
        let v: Vec<&[u8]> = Lines(b"a\r\nb\n\r\nc").collect();
        assert_eq!(v, [&b"a"[..], b"b", b"", b"c"]);
        assert_eq!(split_line(b"abc"), (&b"abc"[..], &b""[..], false));
        assert_eq!(Lines(b"").count(), 0);
    }
}
