//! The output buffer every writer uses: blocks are serialized into memory and handed to
//! the underlying writer in large chunks, and a block that fails to serialize is
//! rolled back, so a document never holds half a block.

use std::io::{self, IoSlice, Write};

/// Default size at which the buffer is handed to the underlying writer: 1 MiB.
pub const DEFAULT_BUFFER: usize = 1 << 20;

/// A growable buffer in front of a writer, with block-level rollback.
#[derive(Debug)]
pub(crate) struct OutBuf<W: Write> {
    w: W,
    pub(crate) buf: Vec<u8>,
    limit: usize,
}

impl<W: Write> OutBuf<W> {
    pub(crate) fn new(w: W, limit: usize) -> Self {
        let limit = limit.max(1);
        Self {
            w,
            buf: Vec::with_capacity(limit.min(DEFAULT_BUFFER) + 4096),
            limit,
        }
    }

    /// Where the next block starts (for [`OutBuf::rollback`]).
    pub(crate) fn mark(&self) -> usize {
        self.buf.len()
    }

    /// Drops everything written since `mark`.
    pub(crate) fn rollback(&mut self, mark: usize) {
        self.buf.truncate(mark);
    }

    /// Hands the buffer to the writer once it is large enough.
    pub(crate) fn block_done(&mut self) -> io::Result<()> {
        if self.buf.len() >= self.limit {
            self.drain()?;
        }
        Ok(())
    }

    fn drain(&mut self) -> io::Result<()> {
        let result = self.w.write_all(&self.buf);
        self.buf.clear();
        result
    }

    /// Appends `parts` in order, as if copied into the buffer; when they make the
    /// buffer reach its size they go to the writer with the buffered bytes in vectored
    /// writes instead, without being copied (blocks rendered elsewhere, e.g. by other
    /// threads, are written straight from where they were rendered).
    pub(crate) fn write_many(&mut self, parts: &[&[u8]]) -> io::Result<()> {
        let total: usize = parts.iter().map(|p| p.len()).sum();
        if self.buf.len().saturating_add(total) < self.limit {
            for p in parts {
                self.buf.extend_from_slice(p);
            }
            return Ok(());
        }
        let mut slices: Vec<IoSlice<'_>> = Vec::with_capacity(parts.len() + 1);
        slices.push(IoSlice::new(&self.buf));
        slices.extend(
            parts
                .iter()
                .filter(|p| !p.is_empty())
                .map(|p| IoSlice::new(p)),
        );
        let result = write_all_vectored(&mut self.w, &mut slices);
        self.buf.clear();
        result
    }

    /// Writes everything buffered and flushes the writer.
    pub(crate) fn flush(&mut self) -> io::Result<()> {
        if !self.buf.is_empty() {
            self.drain()?;
        }
        self.w.flush()
    }

    pub(crate) fn get_ref(&self) -> &W {
        &self.w
    }
}

/// At most this many slices per vectored write (Linux's `IOV_MAX` is 1024).
const MAX_SLICES: usize = 1024;

/// `Write::write_all` for several slices (the standard one is not stable yet).
fn write_all_vectored<W: Write>(w: &mut W, mut bufs: &mut [IoSlice<'_>]) -> io::Result<()> {
    IoSlice::advance_slices(&mut bufs, 0);
    while !bufs.is_empty() {
        let n = bufs.len().min(MAX_SLICES);
        let chunk: &[IoSlice<'_>] = bufs.get(..n).unwrap_or_default();
        match w.write_vectored(chunk) {
            Ok(0) => {
                return Err(io::Error::new(
                    io::ErrorKind::WriteZero,
                    "failed to write the whole buffer",
                ));
            }
            Ok(k) => IoSlice::advance_slices(&mut bufs, k),
            Err(e) if e.kind() == io::ErrorKind::Interrupted => {}
            Err(e) => return Err(e),
        }
    }
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn rollback_and_threshold() {
        let mut out = Vec::new();
        {
            let mut b = OutBuf::new(&mut out, 4);
            b.buf.extend_from_slice(b"ab");
            b.block_done().unwrap();
            assert!(b.get_ref().is_empty());
            let m = b.mark();
            b.buf.extend_from_slice(b"junk");
            b.rollback(m);
            b.buf.extend_from_slice(b"cd");
            b.block_done().unwrap();
            assert_eq!(b.get_ref().as_slice(), b"abcd");
            b.buf.extend_from_slice(b"e");
            b.flush().unwrap();
        }
        assert_eq!(out, b"abcde");
    }

    /// A writer that takes at most 3 bytes per call, vectored or not.
    struct Trickle(Vec<u8>, usize);

    impl Write for Trickle {
        fn write(&mut self, buf: &[u8]) -> io::Result<usize> {
            let n = buf.len().min(3);
            self.0.extend_from_slice(&buf[..n]);
            self.1 += 1;
            Ok(n)
        }
        fn write_vectored(&mut self, bufs: &[IoSlice<'_>]) -> io::Result<usize> {
            let mut left = 3;
            for b in bufs {
                let n = b.len().min(left);
                self.0.extend_from_slice(&b[..n]);
                left -= n;
            }
            self.1 += 1;
            Ok(3 - left)
        }
        fn flush(&mut self) -> io::Result<()> {
            Ok(())
        }
    }

    #[test]
    fn write_many_small_is_buffered_large_goes_through() {
        let mut b = OutBuf::new(Trickle(Vec::new(), 0), 8);
        b.write_many(&[b"ab", b"", b"c"]).unwrap();
        assert_eq!(b.get_ref().1, 0, "below the limit: buffered");
        assert_eq!(b.buf, b"abc");
        b.write_many(&[b"defg", b"", b"hijkl", b"m"]).unwrap();
        assert!(b.buf.is_empty());
        assert_eq!(b.get_ref().0, b"abcdefghijklm");
        assert_eq!(b.get_ref().1, 5, "13 bytes, 3 per call");
        b.write_many(&[b"n"]).unwrap();
        b.flush().unwrap();
        assert_eq!(b.get_ref().0, b"abcdefghijklmn");
    }
}
