//! Where the bytes come from: a whole file in memory (memory map or vector) or a stream
//! read into a growing buffer.
//!
//! The reader asks for "at least `n` bytes from the current position" ([`Source::fill`],
//! which returns how many are available; fewer only at end of input), looks at them
//! through [`Source::window`], and moves on with [`Source::consume`]. A stream grows its
//! buffer only when the buffer is full of data that actually arrived, at most doubling
//! each time, so a lying length field cannot make it allocate more than twice what the
//! input really holds.

use std::io::{self, Read};

/// The bytes of a whole input.
pub(crate) enum Data {
    /// An in-memory copy.
    Vec(Vec<u8>),
    /// A memory-mapped file.
    Mmap(memmap2::Mmap),
}

impl Data {
    fn bytes(&self) -> &[u8] {
        match self {
            Self::Vec(v) => v,
            Self::Mmap(m) => m,
        }
    }
}

/// A stream read in chunks into a buffer that is reused from record to record.
pub(crate) struct Stream {
    inner: Box<dyn Read + Send>,
    /// Initialised bytes; `start..end` holds unread data.
    buf: Vec<u8>,
    start: usize,
    end: usize,
    /// Absolute input offset of `buf[0]`.
    base: u64,
    eof: bool,
    initial: usize,
}

impl Stream {
    pub(crate) fn new(inner: Box<dyn Read + Send>, buffer_size: usize) -> Self {
        // 4 KiB .. 64 MiB: the buffer grows past it for larger records anyway
        let initial = buffer_size.clamp(4096, 64 << 20);
        Self {
            inner,
            buf: vec![0; initial],
            start: 0,
            end: 0,
            base: 0,
            eof: false,
            initial,
        }
    }

    fn fill(&mut self, n: usize) -> io::Result<usize> {
        while self.end - self.start < n && !self.eof {
            if self.start.saturating_add(n) > self.buf.len() {
                self.compact(n);
            }
            if self.end == self.buf.len() {
                // Full of real data and still short: grow, at most doubling.
                let len = self.buf.len();
                let new_len = n.min(len.saturating_mul(2)).max(len + 1);
                self.buf.resize(new_len, 0);
            }
            let spare = self.buf.get_mut(self.end..).unwrap_or_default();
            match self.inner.read(spare) {
                Ok(0) => self.eof = true,
                Ok(k) => self.end = (self.end + k).min(self.buf.len()),
                Err(e) if e.kind() == io::ErrorKind::Interrupted => {}
                Err(e) => return Err(e),
            }
        }
        Ok(self.end - self.start)
    }

    /// Moves unread data to the front; gives memory back after a huge record.
    fn compact(&mut self, n: usize) {
        let unread = self.end - self.start;
        let large = self.buf.len() > self.initial.saturating_mul(4);
        if large && unread <= self.initial && n <= self.initial {
            let mut fresh = vec![0; self.initial];
            if let (Some(dst), Some(src)) =
                (fresh.get_mut(..unread), self.buf.get(self.start..self.end))
            {
                dst.copy_from_slice(src);
            }
            self.buf = fresh;
        } else {
            self.buf.copy_within(self.start..self.end, 0);
        }
        self.base += self.start as u64;
        self.start = 0;
        self.end = unread;
    }
}

/// The reader's input.
pub(crate) enum Source {
    /// The whole input is addressable.
    Whole { data: Data, pos: usize },
    /// Read as it arrives.
    Stream(Stream),
}

impl Source {
    /// Makes at least `n` bytes available from the current position when the input has
    /// them; returns how many are available.
    #[inline]
    pub(crate) fn fill(&mut self, n: usize) -> io::Result<usize> {
        match self {
            Self::Whole { data, pos } => Ok(data.bytes().len().saturating_sub(*pos)),
            Self::Stream(s) => {
                if s.end - s.start >= n {
                    Ok(s.end - s.start)
                } else {
                    s.fill(n)
                }
            }
        }
    }

    /// The available bytes from the current position.
    #[inline]
    pub(crate) fn window(&self) -> &[u8] {
        match self {
            Self::Whole { data, pos } => data.bytes().get(*pos..).unwrap_or_default(),
            Self::Stream(s) => s.buf.get(s.start..s.end).unwrap_or_default(),
        }
    }

    /// Moves the position forward by `n` bytes (at most to the end of available data).
    #[inline]
    pub(crate) fn consume(&mut self, n: usize) {
        match self {
            Self::Whole { data, pos } => *pos = pos.saturating_add(n).min(data.bytes().len()),
            Self::Stream(s) => s.start = s.start.saturating_add(n).min(s.end),
        }
    }

    /// Absolute input offset of the current position.
    #[inline]
    pub(crate) fn offset(&self) -> u64 {
        match self {
            Self::Whole { pos, .. } => *pos as u64,
            Self::Stream(s) => s.base + s.start as u64,
        }
    }

    /// Bytes currently allocated for buffering (0 for a memory map or vector input).
    pub(crate) fn buffer_capacity(&self) -> usize {
        match self {
            Self::Whole { .. } => 0,
            Self::Stream(s) => s.buf.len(),
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    /// Hands out at most `chunk` bytes per read and counts reads.
    struct Trickle {
        data: Vec<u8>,
        at: usize,
        chunk: usize,
    }

    impl Read for Trickle {
        fn read(&mut self, buf: &mut [u8]) -> io::Result<usize> {
            let n = buf.len().min(self.chunk).min(self.data.len() - self.at);
            buf[..n].copy_from_slice(&self.data[self.at..self.at + n]);
            self.at += n;
            Ok(n)
        }
    }

    #[test]
    fn stream_fills_grows_and_compacts() {
        let data: Vec<u8> = (0..100_000u32).map(|i| i as u8).collect();
        let mut s = Source::Stream(Stream::new(
            Box::new(Trickle {
                data: data.clone(),
                at: 0,
                chunk: 1000,
            }),
            4096,
        ));
        assert!(s.fill(10).unwrap() >= 10);
        assert!(s.fill(4096).unwrap() >= 4096);
        s.consume(4000);
        assert_eq!(s.offset(), 4000);
        // needs growth beyond the initial buffer
        assert!(s.fill(50_000).unwrap() >= 50_000);
        assert_eq!(&s.window()[..5], &data[4000..4005]);
        assert!(s.buffer_capacity() <= 2 * 50_000);
        s.consume(50_000);
        // asking for more than the input has ends at EOF without spinning
        let avail = s.fill(1_000_000).unwrap();
        assert_eq!(avail, 100_000 - 54_000);
        assert_eq!(s.window(), &data[54_000..]);
        s.consume(avail);
        assert_eq!(s.fill(1).unwrap(), 0);
        assert_eq!(s.offset(), 100_000);
    }

    #[test]
    fn lying_length_allocates_only_what_arrives() {
        let mut s = Source::Stream(Stream::new(
            Box::new(Trickle {
                data: vec![7; 10_000],
                at: 0,
                chunk: 10_000,
            }),
            4096,
        ));
        assert_eq!(s.fill(usize::MAX).unwrap(), 10_000);
        assert!(s.buffer_capacity() <= 16_384, "{}", s.buffer_capacity());
    }

    #[test]
    fn shrinks_after_a_huge_record() {
        let mut s = Source::Stream(Stream::new(
            Box::new(Trickle {
                data: vec![1; 200_000],
                at: 0,
                chunk: 65_536,
            }),
            4096,
        ));
        assert_eq!(s.fill(150_000).unwrap(), 150_000.max(s.window().len()));
        s.consume(150_000);
        s.fill(s.window().len() + 1).unwrap();
        s.consume(s.window().len());
        s.fill(100).unwrap();
        assert!(
            s.buffer_capacity() <= 4 * 4096 * 2,
            "{}",
            s.buffer_capacity()
        );
    }

    #[test]
    fn whole_input() {
        let mut s = Source::Whole {
            data: Data::Vec(vec![1, 2, 3]),
            pos: 0,
        };
        assert_eq!(s.fill(10).unwrap(), 3);
        s.consume(2);
        assert_eq!(s.window(), &[3]);
        s.consume(10);
        assert_eq!(s.offset(), 3);
        assert_eq!(s.fill(1).unwrap(), 0);
    }
}
