//! The stream view: each direction of each TCP connection as one byte stream, in
//! sequence order, without retransmitted or overlapping bytes (what Wireshark's
//! "Follow TCP Stream" shows), kept in memory or written to a directory.

use std::collections::BTreeMap;
use std::fs::{File, OpenOptions};
use std::io::{self, Write};
use std::net::IpAddr;
use std::path::{Path, PathBuf};

use serde::Serialize;
use sha2::{Digest, Sha256};

/// Where the streams go.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum StreamMode {
    /// Kept in memory, at most this many bytes per direction (beyond: counted in
    /// [`Side::dropped_bytes`]).
    Memory {
        /// Cap per direction.
        max_bytes: usize,
    },
    /// Written to `DIR/{a}_{aport}-{b}_{bport}.{c2s|s2c}` (a second connection with
    /// the same addresses and ports gets `-2`, ...), plus `DIR/index.json` on finish.
    Dir(PathBuf),
}

/// Bytes held per direction while waiting for a gap to close; beyond it the gap is
/// given up (its size counted in [`Side::gap_bytes`]).
const MAX_HELD: usize = 8 << 20;
/// Bytes written per direction are buffered up to this before an append.
const WRITE_CHUNK: usize = 64 << 10;
/// Pending bytes of all directions together before everything is written out.
const MAX_PENDING: usize = 32 << 20;

/// One direction of a connection.
#[derive(Debug, Serialize)]
pub struct Side {
    /// File name in the export directory (empty in memory mode).
    pub file: String,
    /// Segments seen in this direction (with or without data).
    pub frames: u64,
    /// Bytes of the stream.
    pub bytes: u64,
    /// SHA-256 of the stream, lower-case hex (set on finish).
    pub sha256: String,
    /// Bytes missing from the stream (gaps never filled, skipped).
    pub gap_bytes: u64,
    /// Bytes not kept because of the memory cap.
    pub dropped_bytes: u64,
    /// Stream offset of the first gap given up, if any (Wireshark's Follow TCP Stream
    /// shows nothing after such a gap; we skip it and go on).
    pub first_gap: Option<u64>,
    #[serde(skip)]
    next: i64,
    #[serde(skip)]
    held: BTreeMap<i64, Vec<u8>>,
    #[serde(skip)]
    held_bytes: usize,
    #[serde(skip)]
    hash: Option<Sha256>,
    #[serde(skip)]
    data: Vec<u8>,
}

impl Side {
    fn new(file: String) -> Self {
        Self {
            file,
            frames: 0,
            bytes: 0,
            sha256: String::new(),
            gap_bytes: 0,
            dropped_bytes: 0,
            first_gap: None,
            next: 0,
            held: BTreeMap::new(),
            held_bytes: 0,
            hash: Some(Sha256::new()),
            data: Vec::new(),
        }
    }

    /// The stream's bytes (memory mode; in directory mode, what is not yet written).
    pub fn data(&self) -> &[u8] {
        &self.data
    }
}

/// A TCP connection of the stream view: `a` sent its first segment (or the SYN).
#[derive(Debug, Serialize)]
pub struct Connection {
    /// Connection number, from 0 in order of first appearance (tshark's
    /// `tcp.stream` when no connection was split by a cap).
    pub stream: u64,
    /// Client: address and port.
    pub a: (IpAddr, u16),
    /// Server: address and port.
    pub b: (IpAddr, u16),
    /// First and last frame number.
    pub first_frame: u64,
    /// Last frame number.
    pub last_frame: u64,
    /// From a to b.
    pub c2s: Side,
    /// From b to a.
    pub s2c: Side,
}

impl Connection {
    fn side(&mut self, a_to_b: bool) -> &mut Side {
        if a_to_b { &mut self.c2s } else { &mut self.s2c }
    }
}

/// Every connection's two byte streams. Fed by [`crate::TcpReassembler`] with only new
/// bytes (retransmissions and overlaps already removed).
#[derive(Debug)]
pub struct StreamView {
    mode: StreamMode,
    conns: Vec<Connection>,
    names: std::collections::HashMap<String, u32>,
    pending: usize,
    error: Option<io::Error>,
    /// One of several views fed disjoint connections: no `index.json` on finish.
    shard: bool,
}

fn endpoint_name(ep: &(IpAddr, u16)) -> String {
    format!("{}_{}", ep.0, ep.1).replace(':', ".")
}

impl StreamView {
    /// A stream view; in directory mode the directory is created.
    pub fn new(mode: StreamMode) -> io::Result<Self> {
        if let StreamMode::Dir(d) = &mode {
            std::fs::create_dir_all(d)?;
        }
        Ok(Self {
            mode,
            conns: Vec::new(),
            names: std::collections::HashMap::new(),
            pending: 0,
            error: None,
            shard: false,
        })
    }

    /// One of several views fed disjoint connections (the `server` engine's workers,
    /// sharing the directory: connections with the same endpoints go to one of them, so
    /// file names do not clash): its [`StreamView::finish`] writes the streams but no
    /// `index.json`; [`StreamView::merge`] them afterwards.
    pub fn shard(mut self) -> Self {
        self.shard = true;
        self
    }

    /// Merges finished shards (see [`StreamView::shard`]) into one view: the
    /// connections in order of first frame, numbered from 0 in that order (as one view
    /// fed every frame numbers them); in directory mode `index.json` is written. `None`
    /// without shards.
    pub fn merge(shards: Vec<StreamView>) -> io::Result<Option<StreamView>> {
        let mut shards = shards.into_iter();
        let Some(mut view) = shards.next() else {
            return Ok(None);
        };
        for s in shards {
            view.conns.extend(s.conns);
            view.names.extend(s.names);
        }
        // Stable: connections opened by one frame come from one shard, in its order.
        view.conns.sort_by_key(|c| c.first_frame);
        for (i, c) in view.conns.iter_mut().enumerate() {
            c.stream = i as u64;
        }
        view.shard = false;
        if let StreamMode::Dir(dir) = &view.mode {
            write_index(dir, &view.conns)?;
        }
        Ok(Some(view))
    }

    /// The connections so far.
    pub fn connections(&self) -> &[Connection] {
        &self.conns
    }

    /// A new connection from `a` to `b`; returns its id.
    pub(crate) fn open(&mut self, a: (IpAddr, u16), b: (IpAddr, u16), frame: u64) -> usize {
        let id = self.conns.len();
        let (c2s, s2c) = match &self.mode {
            StreamMode::Memory { .. } => (String::new(), String::new()),
            StreamMode::Dir(_) => {
                let base = format!("{}-{}", endpoint_name(&a), endpoint_name(&b));
                let n = self.names.entry(base.clone()).or_insert(0);
                *n += 1;
                let base = if *n > 1 { format!("{base}-{n}") } else { base };
                (format!("{base}.c2s"), format!("{base}.s2c"))
            }
        };
        self.conns.push(Connection {
            stream: id as u64,
            a,
            b,
            first_frame: frame,
            last_frame: frame,
            c2s: Side::new(c2s),
            s2c: Side::new(s2c),
        });
        id
    }

    /// A segment of connection `id` was seen.
    pub(crate) fn segment(&mut self, id: usize, a_to_b: bool, frame: u64) {
        if let Some(c) = self.conns.get_mut(id) {
            c.last_frame = c.last_frame.max(frame);
            c.side(a_to_b).frames += 1;
        }
    }

    /// New bytes at stream position `pos` (0 = first byte after the SYN, or the first
    /// byte seen).
    pub(crate) fn data(&mut self, id: usize, a_to_b: bool, pos: i64, bytes: &[u8]) {
        let Some(side) = self.conns.get_mut(id).map(|c| c.side(a_to_b)) else {
            return;
        };
        if pos + bytes.len() as i64 <= side.next {
            side.dropped_bytes += bytes.len() as u64;
            return;
        }
        if pos > side.next {
            side.held_bytes += bytes.len();
            if let Some(old) = side.held.insert(pos, bytes.to_vec()) {
                side.held_bytes = side.held_bytes.saturating_sub(old.len());
            }
            if side.held_bytes > MAX_HELD {
                Self::release(side, true, &self.mode, &mut self.pending);
            }
        } else {
            let skip = (side.next - pos) as usize; // ok: 0 <= skip < len
            side.dropped_bytes += skip as u64;
            Self::emit(
                side,
                bytes.get(skip..).unwrap_or_default(),
                &self.mode,
                &mut self.pending,
            );
            Self::release(side, false, &self.mode, &mut self.pending);
        }
        if self.pending > MAX_PENDING {
            self.write_all();
        }
    }

    /// Writes held bytes that became contiguous; with `skip_gaps`, all of them,
    /// giving up the gaps before them.
    fn release(side: &mut Side, skip_gaps: bool, mode: &StreamMode, pending: &mut usize) {
        while let Some(entry) = side.held.first_entry() {
            let pos = *entry.key();
            if pos > side.next {
                if !skip_gaps {
                    break;
                }
                side.gap_bytes += (pos - side.next) as u64;
                side.first_gap.get_or_insert(side.bytes);
                side.next = pos;
            }
            let bytes = entry.remove();
            side.held_bytes = side.held_bytes.saturating_sub(bytes.len());
            let skip = ((side.next - pos) as usize).min(bytes.len());
            side.dropped_bytes += skip as u64;
            Self::emit(side, bytes.get(skip..).unwrap_or_default(), mode, pending);
        }
    }

    fn emit(side: &mut Side, bytes: &[u8], mode: &StreamMode, pending: &mut usize) {
        side.next += bytes.len() as i64;
        side.bytes += bytes.len() as u64;
        if let Some(h) = &mut side.hash {
            h.update(bytes);
        }
        match mode {
            StreamMode::Memory { max_bytes } => {
                let room = max_bytes.saturating_sub(side.data.len());
                let keep = bytes.len().min(room);
                side.data
                    .extend_from_slice(bytes.get(..keep).unwrap_or_default());
                side.dropped_bytes += (bytes.len() - keep) as u64;
            }
            StreamMode::Dir(_) => {
                side.data.extend_from_slice(bytes);
                *pending += bytes.len();
            }
        }
    }

    fn flush_side(dir: &Path, side: &mut Side) -> io::Result<()> {
        if side.data.is_empty() {
            return Ok(());
        }
        let mut f = OpenOptions::new()
            .create(true)
            .append(true)
            .open(dir.join(&side.file))?;
        f.write_all(&side.data)?;
        side.data.clear();
        side.data.shrink_to(WRITE_CHUNK);
        Ok(())
    }

    fn write_all(&mut self) {
        let StreamMode::Dir(dir) = &self.mode else {
            return;
        };
        for c in &mut self.conns {
            for side in [&mut c.c2s, &mut c.s2c] {
                if let Err(e) = Self::flush_side(dir, side)
                    && self.error.is_none()
                {
                    self.error = Some(e);
                }
            }
        }
        self.pending = 0;
    }

    /// End of input: held bytes are written (gaps skipped), hashes fixed, and in
    /// directory mode every file and `index.json` written. Returns the first write
    /// error.
    pub fn finish(&mut self) -> io::Result<()> {
        for c in &mut self.conns {
            for side in [&mut c.c2s, &mut c.s2c] {
                Self::release(side, true, &self.mode, &mut self.pending);
                if let Some(h) = side.hash.take() {
                    side.sha256 = hex::encode(h.finalize());
                }
            }
        }
        if let StreamMode::Dir(dir) = &self.mode {
            let dir = dir.clone();
            self.write_all();
            // Directions that carried nothing still get their (empty) file.
            for c in &self.conns {
                for side in [&c.c2s, &c.s2c] {
                    if side.bytes == 0 && !side.file.is_empty() {
                        File::create(dir.join(&side.file))?;
                    }
                }
            }
            if !self.shard {
                write_index(&dir, &self.conns)?;
            }
        }
        match self.error.take() {
            Some(e) => Err(e),
            None => Ok(()),
        }
    }
}

/// Writes `DIR/index.json`.
fn write_index(dir: &Path, conns: &[Connection]) -> io::Result<()> {
    let f = File::create(dir.join("index.json"))?;
    let mut w = io::BufWriter::new(f);
    serde_json::to_writer_pretty(&mut w, conns).map_err(io::Error::other)?;
    w.write_all(b"\n")?;
    w.flush()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn out_of_order_bytes_wait_for_the_gap() {
        let mut v = StreamView::new(StreamMode::Memory { max_bytes: 100 }).unwrap();
        let a = ("10.0.0.1".parse().unwrap(), 1);
        let b = ("10.0.0.2".parse().unwrap(), 2);
        let id = v.open(a, b, 1);
        v.data(id, true, 3, b"def");
        assert_eq!(v.connections()[0].c2s.data(), b"");
        v.data(id, true, 0, b"abc");
        assert_eq!(v.connections()[0].c2s.data(), b"abcdef");
        v.data(id, true, 10, b"k");
        v.data(id, false, 0, b"reply");
        v.finish().unwrap();
        let c = &v.connections()[0];
        assert_eq!(c.c2s.data(), b"abcdefk");
        assert_eq!(c.c2s.gap_bytes, 4);
        assert_eq!(c.s2c.data(), b"reply");
        assert_eq!(c.s2c.sha256, hex::encode(Sha256::digest(b"reply")));
    }

    #[test]
    fn memory_cap_counts_what_it_drops() {
        let mut v = StreamView::new(StreamMode::Memory { max_bytes: 4 }).unwrap();
        let ep = ("::1".parse().unwrap(), 1);
        let id = v.open(ep, ep, 1);
        v.data(id, true, 0, b"abcdef");
        v.finish().unwrap();
        let s = &v.connections()[0].c2s;
        assert_eq!((s.data(), s.bytes, s.dropped_bytes), (&b"abcd"[..], 6, 2));
        assert_eq!(s.sha256, hex::encode(Sha256::digest(b"abcdef")));
    }
}
