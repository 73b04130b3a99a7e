//! IPv4, IPv6 and TCP reassembly for pcapkit, bounded against hostile input.
//!
//! The engines take frames already dissected by `pcapkit-protocols` (so a capture is
//! dissected once), buffer only what must wait, and hand out [`Datagram`]s with
//! PyPCAPKit's fields (`completed`, `id`, `index`, `header`, `payload`, `packet`).
//!
//! - [`IpReassembler`]: IPv4 / IPv6 fragments, RFC 815 holes in bytes, overlaps first
//!   come first served (and counted).
//! - [`TcpReassembler`]: per direction, relative sequence numbers unwrapped past 2^32,
//!   retransmissions and overlaps removed, out-of-order bytes held; one datagram per
//!   run of segments sharing an ACK number (PyPCAPKit's unit). Optionally a
//!   [`StreamView`]: each direction of each connection as one byte stream (Follow TCP
//!   Stream), in memory or written to a directory.
//! - [`Reassembly`]: the three together, fed frame by frame; completed IP datagrams that
//!   carry TCP are fed to TCP reassembly.
//!
//! Every cap ([`Limits`]) that evicts something counts it ([`Stats`]); in strict mode
//! what it evicts is handed out as an incomplete datagram.
//!
//! ```
//! use pcapkit_core::{LinkType, Timestamp};
//! use pcapkit_protocols::{dissect, DissectOptions};
//! use pcapkit_reasm::{Reassembly, Protocol};
//!
//! // Two IPv4 fragments of one UDP datagram (id 0x1234): 8 + 4 bytes.
//! let frag = |off_flags: u16, data: &[u8]| {
//!     let mut p = vec![0x45, 0, 0, 0, 0x12, 0x34, 0, 0, 64, 17, 0, 0, 10, 0, 0, 1, 10, 0, 0, 2];
//!     p[2..4].copy_from_slice(&((20 + data.len()) as u16).to_be_bytes());
//!     p[6..8].copy_from_slice(&off_flags.to_be_bytes());
//!     p.extend_from_slice(data);
//!     p
//! };
//! let f1 = frag(0x2000, &[0x9c, 0x40, 0x9c, 0x41, 0x00, 0x0c, 0x00, 0x00]);
//! let f2 = frag(0x0001, b"abcd");
//! let mut r = Reassembly::new(&[Protocol::Ipv4], true);
//! for (n, f) in [(1, &f1), (2, &f2)] {
//!     let p = dissect(LinkType::RAW, f, &DissectOptions::default());
//!     r.feed(n, Timestamp::new(0, 0), &p);
//! }
//! r.finish()?;
//! let d = r.take(Protocol::Ipv4);
//! assert_eq!(d.len(), 1);
//! assert!(d[0].completed);
//! assert_eq!(d[0].index, [1, 2]);
//! assert_eq!(d[0].packet().unwrap().protocols().to_string(), "UDP:Raw");
//! # Ok::<(), std::io::Error>(())
//! ```
#![warn(missing_docs)]

mod datagram;
mod holes;
mod ip;
mod limits;
mod manager;
mod stream;
mod table;
mod tcp;

pub use datagram::{Datagram, DatagramId, Flush, HandOut, Payload, Run};
pub use ip::{Fragment, IpKey, IpReassembler, IpVersion, ipv4_fragments, ipv6_fragments};
pub use limits::{Limits, Stats};
pub use manager::{Facts, FragmentBuf, Protocol, Reassembly, SegmentBuf, Wants};
pub use stream::{Connection, Side, StreamMode, StreamView};
pub use tcp::{DirKey, Segment, TcpReassembler, segment_in, tcp_segment};

/// The protocols this crate reassembles, as `reassemble()` names them.
pub const PROTOCOLS: [&str; 3] = ["IPv4", "IPv6", "TCP"];
