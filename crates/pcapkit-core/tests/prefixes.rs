//! Every prefix of real captures: the complete frames come out exactly as in the full
//! read, then a typed "truncated" error or, at a record boundary, a clean end. Through
//! the in-memory path and the stream path (fed in small, uneven chunks).

use std::io::{self, Read};
use std::path::PathBuf;

use pcapkit_core::{Error, OwnedFrame, Reader, ReaderOptions};

/// Gives out at most `chunk` bytes per read (cycling through sizes 1..=chunk).
struct Trickle {
    data: Vec<u8>,
    at: usize,
    chunk: usize,
    n: usize,
}

impl Read for Trickle {
    fn read(&mut self, buf: &mut [u8]) -> io::Result<usize> {
        self.n = self.n % self.chunk + 1;
        let k = buf.len().min(self.n).min(self.data.len() - self.at);
        buf[..k].copy_from_slice(&self.data[self.at..self.at + k]);
        self.at += k;
        Ok(k)
    }
}

struct Read_ {
    frames: Vec<OwnedFrame>,
    /// End offsets of every record (header, blocks, frames).
    boundaries: Vec<u64>,
    err: Option<Error>,
    open_err: bool,
}

fn read(reader: Result<Reader, Error>) -> Read_ {
    let mut out = Read_ {
        frames: vec![],
        boundaries: vec![],
        err: None,
        open_err: false,
    };
    let mut r = match reader {
        Ok(r) => r,
        Err(e) => {
            out.err = Some(e);
            out.open_err = true;
            return out;
        }
    };
    loop {
        match r.next_record() {
            Ok(Some(rec)) => {
                if let pcapkit_core::Record::Frame(f) = rec {
                    out.frames.push(f.to_owned_frame());
                }
                out.boundaries.push(r.offset());
            }
            Ok(None) => break,
            Err(e) => {
                out.err = Some(e);
                break;
            }
        }
    }
    // nothing after the end or the error
    assert!(matches!(r.next_record(), Ok(None)));
    out
}

fn check_prefixes(name: &str) {
    let path: PathBuf = if name.starts_with("testdata/") {
        PathBuf::from(env!("CARGO_MANIFEST_DIR"))
            .join("../..")
            .join(name)
    } else {
        pcapkit_testdata::shared_captures_dir().join(name)
    };
    let bytes = std::fs::read(&path).unwrap();
    let full = read(Reader::from_bytes(bytes.clone(), ReaderOptions::default()));
    assert!(full.err.is_none(), "{name}: {:?}", full.err);
    assert!(!full.frames.is_empty());
    assert_eq!(*full.boundaries.last().unwrap(), bytes.len() as u64);
    let opts = ReaderOptions::default().buffer_size(4096);
    for len in 0..=bytes.len() {
        let prefix = bytes[..len].to_vec();
        let a = read(Reader::from_bytes(prefix.clone(), opts));
        let b = read(Reader::from_read(
            Trickle {
                data: prefix,
                at: 0,
                chunk: 7,
                n: 0,
            },
            opts,
        ));
        for (path, got) in [("bytes", &a), ("stream", &b)] {
            let expected: Vec<&OwnedFrame> = full
                .frames
                .iter()
                .filter(|f| frame_end(f, &full) <= len as u64)
                .collect();
            let got_frames: Vec<&OwnedFrame> = got.frames.iter().collect();
            assert_eq!(got_frames, expected, "{name} prefix {len} ({path}): frames");
            let at_boundary = full.boundaries.contains(&(len as u64));
            match &got.err {
                None => assert!(
                    at_boundary,
                    "{name} prefix {len} ({path}): clean end mid-record"
                ),
                Some(e) => {
                    assert!(
                        !at_boundary || got.open_err,
                        "{name} prefix {len} ({path}): {e}"
                    );
                    assert!(
                        e.is_truncated(),
                        "{name} prefix {len} ({path}): not truncated: {e}"
                    );
                    assert!(
                        e.offset <= len as u64,
                        "{name} prefix {len}: offset {}",
                        e.offset
                    );
                }
            }
        }
        assert_eq!(a.err, b.err, "{name} prefix {len}: paths disagree");
    }
}

/// End offset of a frame's record in the full read: the boundary following its offset.
fn frame_end(f: &OwnedFrame, full: &Read_) -> u64 {
    full.boundaries
        .iter()
        .copied()
        .find(|&b| b > f.offset)
        .unwrap()
}

#[test]
fn pcap_little_endian() {
    check_prefixes("pypcapkit__in.pcap");
}

#[test]
fn pcap_big_endian() {
    check_prefixes("tcpdump__pptp.pcap");
    check_prefixes("arkime__bigendian.pcap");
}

#[test]
fn pcap_nanoseconds() {
    check_prefixes("tcpdump__tcp-handshake-nano.pcap");
}

#[test]
fn pcapng_multi_interface() {
    check_prefixes("zeek__pcapng-multi-interface.pcapng");
    check_prefixes("pcapngtest__le_advanced_test100.pcapng");
}

#[test]
fn pcapng_big_endian() {
    check_prefixes("pcapngtest__be_basic_test004.pcapng");
    check_prefixes("pcapngtest__be_basic_test006.pcapng");
}

#[test]
fn pcapng_two_sections() {
    check_prefixes("testdata/captures/multi-section.pcapng");
}
