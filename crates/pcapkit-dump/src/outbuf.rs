//! The output buffer every writer uses: blocks are serialized into memory and handed to
//! the underlying writer in large chunks, and a block that fails to serialize is
//! rolled back, so a document never holds half a block.

use std::io::{self, Write};

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
}
