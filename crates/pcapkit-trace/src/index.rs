//! The flow index: one [`FlowRecord`] per flow, written as `index.json` (a JSON array)
//! and `index.csv` in the trace directory.

use std::borrow::Borrow;
use std::io::Write;
use std::path::{Path, PathBuf};

use serde::Serialize;

use crate::error::{Result, TraceError};

/// How a flow ended.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, Serialize)]
#[serde(rename_all = "lowercase")]
pub enum FlowEnd {
    /// Both sides sent FIN.
    Fin,
    /// A side sent RST.
    Rst,
    /// No frame for longer than the idle timeout; the next frame started a new flow.
    Timeout,
    /// A new connection (SYN with another initial sequence number) on the same
    /// addresses and ports replaced it before it closed.
    Reuse,
    /// The capture ended while the connection was open.
    Eof,
}

impl FlowEnd {
    /// `fin`, `rst`, `timeout`, `reuse` or `eof`.
    pub const fn name(self) -> &'static str {
        match self {
            FlowEnd::Fin => "fin",
            FlowEnd::Rst => "rst",
            FlowEnd::Timeout => "timeout",
            FlowEnd::Reuse => "reuse",
            FlowEnd::Eof => "eof",
        }
    }
}

/// One traced flow (a TCP connection, both directions): PyPCAPKit's `Index`
/// (`fpout`, `index`, `label`) plus where it went and what it carried. "Forward" is
/// from the initiator (`src`, the SYN's sender when the capture saw the handshake,
/// else the first frame's sender) to the responder (`dst`).
#[derive(Clone, Debug, PartialEq, Eq, Serialize)]
pub struct FlowRecord {
    /// 0-based flow number, in order of the flows' first frames (tshark's `tcp.stream`).
    pub stream: u64,
    /// The flow's file.
    pub fpout: PathBuf,
    /// Frame numbers of the flow, in order.
    pub index: Vec<u64>,
    /// `{src}_{srcport}-{dst}_{dstport}-{first_ts}` (the file name without extension).
    pub label: String,
    /// Initiator address.
    pub src: String,
    /// Initiator port.
    pub srcport: u16,
    /// Responder address.
    pub dst: String,
    /// Responder port.
    pub dstport: u16,
    /// Frames from initiator to responder.
    pub fwd_packets: u64,
    /// Bytes on the wire (frame lengths) from initiator to responder.
    pub fwd_bytes: u64,
    /// TCP payload bytes from initiator to responder (retransmissions included).
    pub fwd_payload: u64,
    /// Frames from responder to initiator.
    pub rev_packets: u64,
    /// Bytes on the wire from responder to initiator.
    pub rev_bytes: u64,
    /// TCP payload bytes from responder to initiator.
    pub rev_payload: u64,
    /// Time of the first frame (epoch seconds, decimal).
    pub first_ts: String,
    /// Time of the last frame.
    pub last_ts: String,
    /// How the flow ended.
    pub end: FlowEnd,
}

const CSV_HEADER: &str = "stream,fpout,label,src,srcport,dst,dstport,fwd_packets,fwd_bytes,\
fwd_payload,rev_packets,rev_bytes,rev_payload,first_ts,last_ts,end,index\n";

/// Writes `s` as a CSV field: quoted (inner quotes doubled) when it holds a comma,
/// quote or line break.
fn write_csv_field(w: &mut impl Write, s: &str) -> std::io::Result<()> {
    if s.contains([',', '"', '\n', '\r']) {
        write!(w, "\"{}\"", s.replace('"', "\"\""))
    } else {
        w.write_all(s.as_bytes())
    }
}

impl FlowRecord {
    /// The record as a CSV line (frame numbers space-separated in the last column).
    pub fn csv_line(&self) -> String {
        let mut v = Vec::with_capacity(128 + 8 * self.index.len());
        // ok: writing to a Vec cannot fail
        let _ = self.write_csv(&mut v);
        String::from_utf8_lossy(&v).into_owned()
    }

    /// Writes [`FlowRecord::csv_line`] to `w`.
    pub fn write_csv(&self, w: &mut impl Write) -> std::io::Result<()> {
        write!(w, "{},", self.stream)?;
        write_csv_field(w, &self.fpout.to_string_lossy())?;
        w.write_all(b",")?;
        write_csv_field(w, &self.label)?;
        write!(
            w,
            ",{},{},{},{},{},{},{},{},{},{},{},{},{},",
            self.src,
            self.srcport,
            self.dst,
            self.dstport,
            self.fwd_packets,
            self.fwd_bytes,
            self.fwd_payload,
            self.rev_packets,
            self.rev_bytes,
            self.rev_payload,
            self.first_ts,
            self.last_ts,
            self.end.name(),
        )?;
        for (i, n) in self.index.iter().enumerate() {
            if i > 0 {
                w.write_all(b" ")?;
            }
            write!(w, "{n}")?;
        }
        w.write_all(b"\n")
    }
}

/// Streams `records` into `dir/index.json` (a JSON array, one record per line) and
/// `dir/index.csv` (what [`crate::Tracer::finish`] writes), returning both paths.
pub fn write_index<R: Borrow<FlowRecord>>(
    dir: &Path,
    records: impl IntoIterator<Item = R>,
) -> Result<(PathBuf, PathBuf)> {
    let json_path = dir.join("index.json");
    let csv_path = dir.join("index.csv");
    let open = |p: &Path| {
        std::fs::File::create(p)
            .map(|f| std::io::BufWriter::with_capacity(1 << 16, f))
            .map_err(|e| TraceError::File {
                path: p.to_path_buf(),
                source: e,
            })
    };
    let mut json = open(&json_path)?;
    let mut csv = open(&csv_path)?;
    let jerr = |e: std::io::Error| TraceError::File {
        path: json_path.clone(),
        source: e,
    };
    let cerr = |e: std::io::Error| TraceError::File {
        path: csv_path.clone(),
        source: e,
    };
    json.write_all(b"[").map_err(jerr)?;
    csv.write_all(CSV_HEADER.as_bytes()).map_err(cerr)?;
    let mut first = true;
    for r in records {
        let r = r.borrow();
        json.write_all(if first { b"\n" } else { b",\n" })
            .map_err(jerr)?;
        first = false;
        serde_json::to_writer(&mut json, r).map_err(|e| jerr(e.into()))?;
        r.write_csv(&mut csv).map_err(cerr)?;
    }
    json.write_all(b"\n]\n").map_err(jerr)?;
    json.flush().map_err(jerr)?;
    csv.flush().map_err(cerr)?;
    Ok((json_path, csv_path))
}

/// The index of several tracers that each saw some of the flows of one capture
/// (e.g. one per thread, each fed every frame of its flows in order): their records
/// in order of first frame, `stream` numbered from 0 in that order, as one tracer fed
/// every frame would number them.
pub fn merge_index(shards: impl IntoIterator<Item = Vec<FlowRecord>>) -> Vec<FlowRecord> {
    let mut all: Vec<FlowRecord> = shards.into_iter().flatten().collect();
    all.sort_by_key(|r| r.index.first().copied().unwrap_or(u64::MAX));
    for (i, r) in all.iter_mut().enumerate() {
        r.stream = i as u64;
    }
    all
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn csv_quotes() {
        let field = |s: &str| {
            let mut v = Vec::new();
            write_csv_field(&mut v, s).unwrap();
            String::from_utf8(v).unwrap()
        };
        assert_eq!(field("a,b"), "\"a,b\"");
        assert_eq!(field("a\"b"), "\"a\"\"b\"");
        assert_eq!(field("ab"), "ab");
        assert_eq!(FlowEnd::Timeout.name(), "timeout");
        assert_eq!(serde_json::to_string(&FlowEnd::Rst).unwrap(), "\"rst\"");
    }

    fn rec(stream: u64, index: &[u64]) -> FlowRecord {
        FlowRecord {
            stream,
            fpout: PathBuf::from(format!("f{}", index[0])),
            index: index.to_vec(),
            label: format!("f{}", index[0]),
            src: "10.0.0.1".into(),
            srcport: 1,
            dst: "10.0.0.2".into(),
            dstport: 2,
            fwd_packets: 1,
            fwd_bytes: 60,
            fwd_payload: 0,
            rev_packets: 0,
            rev_bytes: 0,
            rev_payload: 0,
            first_ts: "1.0".into(),
            last_ts: "1.0".into(),
            end: FlowEnd::Eof,
        }
    }

    #[test]
    fn csv_line_quotes_names_and_lists_frames() {
        let mut r = rec(3, &[2, 5, 9]);
        r.label = "a,b".into();
        assert_eq!(
            r.csv_line(),
            "3,f2,\"a,b\",10.0.0.1,1,10.0.0.2,2,1,60,0,0,0,0,1.0,1.0,eof,2 5 9\n"
        );
        assert_eq!(
            CSV_HEADER.matches(',').count(),
            r.csv_line().matches(',').count() - 1,
            "one column per header name (the label's comma is quoted)"
        );
    }

    #[test]
    fn merged_shards_are_numbered_by_first_frame() {
        let a = vec![rec(0, &[2, 5]), rec(1, &[7])];
        let b = vec![rec(0, &[1, 3]), rec(1, &[4, 9]), rec(2, &[8])];
        let m = merge_index([a, b]);
        let firsts: Vec<u64> = m.iter().map(|r| r.index[0]).collect();
        assert_eq!(firsts, [1, 2, 4, 7, 8]);
        let streams: Vec<u64> = m.iter().map(|r| r.stream).collect();
        assert_eq!(streams, [0, 1, 2, 3, 4]);
        assert_eq!(m[1].index, [2, 5]);
    }
}
