//! A deterministic generator of realistic mixed traffic, for benchmarks and for tests
//! that need many frames of many kinds with a known ground truth.
//!
//! [`generate`] writes exactly `frames` Ethernet frames, seeded, with our own PCAP or
//! PCAPNG writer (either byte order, microsecond or nanosecond timestamps). Several
//! sessions run at once and their frames interleave, as on a real link:
//!
//! - TCP connections over IPv4 and IPv6 with a three-way handshake (SYN options: MSS,
//!   SACK permitted, window scale), HTTP/1.1 keep-alive exchanges (GET downloads and POST
//!   uploads, so data flows both ways, bodies split at the MSS), FTP control sessions
//!   with a passive-mode data connection (`RETR`), delayed ACKs, retransmitted and
//!   reordered segments, closed by FIN/FIN/ACK or by RST;
//! - UDP DNS queries and responses (A and AAAA), over IPv4 and IPv6;
//! - ICMP and ICMPv6 echo, some with a Record Route IPv4 option, some large enough to be
//!   fragmented (IPv4 fragments, IPv6 Fragment headers; replies' fragments sometimes in
//!   reverse order);
//! - MLDv2 reports (IPv6 Hop-by-Hop Router Alert), DNS over IPv6 with a Destination
//!   Options header, ARP requests and replies, gratuitous ARP;
//! - some hosts on an 802.1Q VLAN.
//!
//! It returns a [`Summary`]: frames per protocol (the protocol names are tshark's
//! `frame.protocols` tokens, counting the frames whose bytes carry that protocol's
//! header, as a per-frame dissector without reassembly sees them), TCP connections and
//! how they ended, application messages, and the IP datagrams that reassemble.
//!
//! ```
//! use pcapkit_testdata::traffic::{TrafficOptions, generate};
//!
//! let mut out = Vec::new();
//! let summary = generate(&TrafficOptions::new(500), &mut out).unwrap();
//! assert_eq!(summary.frames, 500);
//! assert_eq!(summary.protocols["eth"], 500);
//! assert_eq!(
//!     generate(&TrafficOptions::new(500), Vec::new()).unwrap().to_json(),
//!     summary.to_json()
//! );
//! ```

use std::collections::{BTreeMap, VecDeque};
use std::io::Write;

use pcapkit_core::{
    Endian, Error, InterfaceSpec, LinkType, PcapWriter, PcapWriterOptions, PcapngWriter,
    PcapngWriterOptions, Timestamp, TsResolution,
};

/// Container format of the generated capture.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum CaptureFormat {
    /// libpcap format.
    Pcap,
    /// PCAPNG: one section, one Ethernet interface.
    Pcapng,
}

/// What to generate.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct TrafficOptions {
    /// Seed of the pseudo-random choices (same seed, same bytes).
    pub seed: u64,
    /// Exact number of frames.
    pub frames: u64,
    /// PCAP or PCAPNG.
    pub format: CaptureFormat,
    /// Byte order of the file's headers.
    pub endian: Endian,
    /// Nanosecond timestamps (PCAP magic `a1b23c4d`, PCAPNG `if_tsresol` 9); otherwise
    /// microseconds.
    pub nanosecond: bool,
}

impl TrafficOptions {
    /// `frames` frames, seed 1, little-endian microsecond PCAP.
    pub fn new(frames: u64) -> Self {
        Self {
            seed: 1,
            frames,
            format: CaptureFormat::Pcap,
            endian: Endian::Little,
            nanosecond: false,
        }
    }
}

/// Ground truth of a generated capture.
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub struct Summary {
    /// Frames written.
    pub frames: u64,
    /// Captured bytes of all frames (record and block headers excluded).
    pub bytes: u64,
    /// Frames carrying each protocol's header, by tshark `frame.protocols` token (`eth`,
    /// `vlan`, `arp`, `ip`, `ipv6`, `ipv6.hopopts`, `ipv6.dstopts`, `ipv6.fraghdr`,
    /// `tcp`, `udp`, `icmp`, `icmpv6`, `dns`, `http`, `ftp`, `ftp-data`). Non-first IP
    /// fragments count for the IP layer only; an HTTP body segment after the one with
    /// the headers counts as `http` (tshark without reassembly labels it so; see
    /// `http_head_frames` for the frames that start a message).
    pub protocols: BTreeMap<&'static str, u64>,
    /// TCP connections (each a distinct 4-tuple starting with a SYN).
    pub tcp_connections: u64,
    /// Connections ended with FIN from both sides.
    pub tcp_closed_fin: u64,
    /// Connections ended with RST.
    pub tcp_closed_rst: u64,
    /// Data segments sent a second time.
    pub tcp_retransmissions: u64,
    /// Data segments sent after the one that follows them.
    pub tcp_out_of_order: u64,
    /// Frames with a TCP payload (retransmissions included).
    pub tcp_data_frames: u64,
    /// Frames whose TCP payload starts an HTTP message (what a per-frame dissector such
    /// as ours labels HTTP; retransmissions included).
    pub http_head_frames: u64,
    /// HTTP requests (distinct messages, retransmissions not counted).
    pub http_requests: u64,
    /// HTTP responses.
    pub http_responses: u64,
    /// FTP commands.
    pub ftp_commands: u64,
    /// FTP replies.
    pub ftp_replies: u64,
    /// DNS queries.
    pub dns_queries: u64,
    /// DNS responses.
    pub dns_responses: u64,
    /// ICMP / ICMPv6 echo requests and replies (datagrams, however fragmented).
    pub icmp_echoes: u64,
    /// IPv4 datagrams sent as fragments (each reassembles completely).
    pub ipv4_datagrams: u64,
    /// Frames that are IPv4 fragments.
    pub ipv4_fragments: u64,
    /// IPv6 datagrams sent as fragments (each reassembles completely).
    pub ipv6_datagrams: u64,
    /// Frames that are IPv6 fragments.
    pub ipv6_fragments: u64,
    /// Frames with an 802.1Q tag.
    pub vlan_frames: u64,
}

impl Summary {
    /// The summary as a pretty-printed JSON object.
    pub fn to_json(&self) -> String {
        let v = serde_json::json!({
            "frames": self.frames,
            "bytes": self.bytes,
            "protocols": self.protocols,
            "tcp": {
                "connections": self.tcp_connections,
                "closed_fin": self.tcp_closed_fin,
                "closed_rst": self.tcp_closed_rst,
                "retransmissions": self.tcp_retransmissions,
                "out_of_order": self.tcp_out_of_order,
                "data_frames": self.tcp_data_frames,
            },
            "http": {
                "requests": self.http_requests,
                "responses": self.http_responses,
                "head_frames": self.http_head_frames,
            },
            "ftp": {"commands": self.ftp_commands, "replies": self.ftp_replies},
            "dns": {"queries": self.dns_queries, "responses": self.dns_responses},
            "icmp_echoes": self.icmp_echoes,
            "reassembly": {
                "ipv4": {"datagrams": self.ipv4_datagrams, "fragments": self.ipv4_fragments},
                "ipv6": {"datagrams": self.ipv6_datagrams, "fragments": self.ipv6_fragments},
            },
            "vlan_frames": self.vlan_frames,
        });
        serde_json::to_string_pretty(&v).unwrap_or_default()
    }

    fn add(&mut self, other: &Stats) {
        self.tcp_connections += other.tcp_connections;
        self.tcp_closed_fin += other.tcp_closed_fin;
        self.tcp_closed_rst += other.tcp_closed_rst;
        self.tcp_retransmissions += other.tcp_retransmissions;
        self.tcp_out_of_order += other.tcp_out_of_order;
        self.http_requests += other.http_requests;
        self.http_responses += other.http_responses;
        self.ftp_commands += other.ftp_commands;
        self.ftp_replies += other.ftp_replies;
        self.dns_queries += other.dns_queries;
        self.dns_responses += other.dns_responses;
        self.icmp_echoes += other.icmp_echoes;
        self.ipv4_datagrams += other.ipv4_datagrams;
        self.ipv6_datagrams += other.ipv6_datagrams;
    }
}

/// Per-session counters, added to the summary when the session is scheduled.
#[derive(Clone, Debug, Default)]
struct Stats {
    tcp_connections: u64,
    tcp_closed_fin: u64,
    tcp_closed_rst: u64,
    tcp_retransmissions: u64,
    tcp_out_of_order: u64,
    http_requests: u64,
    http_responses: u64,
    ftp_commands: u64,
    ftp_replies: u64,
    dns_queries: u64,
    dns_responses: u64,
    icmp_echoes: u64,
    ipv4_datagrams: u64,
    ipv6_datagrams: u64,
}

/// Protocol tokens, one bit each in [`Pkt::protos`].
const TOKENS: [&str; 16] = [
    "eth",
    "vlan",
    "arp",
    "ip",
    "ipv6",
    "ipv6.hopopts",
    "ipv6.dstopts",
    "ipv6.fraghdr",
    "tcp",
    "udp",
    "icmp",
    "icmpv6",
    "dns",
    "http",
    "ftp",
    "ftp-data",
];

mod p {
    pub const ETH: u32 = 1 << 0;
    pub const VLAN: u32 = 1 << 1;
    pub const ARP: u32 = 1 << 2;
    pub const IP: u32 = 1 << 3;
    pub const IPV6: u32 = 1 << 4;
    pub const HOPOPTS: u32 = 1 << 5;
    pub const DSTOPTS: u32 = 1 << 6;
    pub const FRAGHDR: u32 = 1 << 7;
    pub const TCP: u32 = 1 << 8;
    pub const UDP: u32 = 1 << 9;
    pub const ICMP: u32 = 1 << 10;
    pub const ICMPV6: u32 = 1 << 11;
    pub const DNS: u32 = 1 << 12;
    pub const HTTP: u32 = 1 << 13;
    pub const FTP: u32 = 1 << 14;
    pub const FTP_DATA: u32 = 1 << 15;
}

/// One generated frame: its bytes and the protocols it carries.
struct Pkt {
    data: Vec<u8>,
    protos: u32,
    /// IPv4 / IPv6 fragment (for the summary).
    frag: Option<bool>,
    /// Carries a TCP payload.
    tcp_data: bool,
    /// Its TCP payload starts an HTTP message (request or status line).
    http_head: bool,
}

/// splitmix64: small, fast, good enough, and stable across platforms and versions.
struct Rng(u64);

impl Rng {
    fn next(&mut self) -> u64 {
        self.0 = self.0.wrapping_add(0x9e37_79b9_7f4a_7c15);
        let mut z = self.0;
        z = (z ^ (z >> 30)).wrapping_mul(0xbf58_476d_1ce4_e5b9);
        z = (z ^ (z >> 27)).wrapping_mul(0x94d0_49bb_1331_11eb);
        z ^ (z >> 31)
    }

    /// Uniform in `lo..=hi`.
    fn range(&mut self, lo: u64, hi: u64) -> u64 {
        lo + self.next() % (hi - lo + 1)
    }

    /// True with probability `percent`/100.
    fn chance(&mut self, percent: u64) -> bool {
        self.next() % 100 < percent
    }

    fn pick<'a, T>(&mut self, items: &'a [T]) -> &'a T {
        &items[self.next() as usize % items.len()] // ok: callers pass non-empty consts
    }
}

// ---------------------------------------------------------------- packet building

fn sum16(data: &[u8], mut sum: u32) -> u32 {
    let mut chunks = data.chunks_exact(2);
    for c in &mut chunks {
        sum += u32::from(u16::from_be_bytes([c[0], c[1]]));
    }
    if let [last] = chunks.remainder() {
        sum += u32::from(*last) << 8;
    }
    sum
}

fn fold(mut sum: u32) -> u16 {
    while sum > 0xffff {
        sum = (sum & 0xffff) + (sum >> 16);
    }
    !(sum as u16)
}

#[derive(Clone, Copy, Debug, PartialEq, Eq)]
enum Addr {
    V4([u8; 4]),
    V6([u8; 16]),
}

impl Addr {
    fn pseudo_sum(self, dst: Addr, proto: u8, len: usize) -> u32 {
        match (self, dst) {
            (Addr::V4(s), Addr::V4(d)) => {
                let mut sum = sum16(&s, 0);
                sum = sum16(&d, sum);
                sum + u32::from(proto) + len as u32
            }
            (Addr::V6(s), Addr::V6(d)) => {
                let mut sum = sum16(&s, 0);
                sum = sum16(&d, sum);
                sum + u32::from(proto) + (len as u32 >> 16) + (len as u32 & 0xffff)
            }
            _ => 0,
        }
    }

    fn is_v6(self) -> bool {
        matches!(self, Addr::V6(_))
    }
}

#[derive(Clone, Copy, Debug)]
struct Host {
    mac: [u8; 6],
    addr: Addr,
}

/// Two hosts talking, on a VLAN or not, with per-direction IP identification counters.
#[derive(Clone, Debug)]
struct Path {
    a: Host,
    b: Host,
    vlan: Option<u16>,
    ip_id: [u16; 2],
    /// IPv6 Destination Options header on every packet of this path.
    dstopts: bool,
}

const ETHERTYPE_IPV4: u16 = 0x0800;
const ETHERTYPE_IPV6: u16 = 0x86dd;
const ETHERTYPE_ARP: u16 = 0x0806;
const ETHERTYPE_VLAN: u16 = 0x8100;
const PROTO_ICMP: u8 = 1;
const PROTO_TCP: u8 = 6;
const PROTO_UDP: u8 = 17;
const PROTO_ICMPV6: u8 = 58;
const NH_HOPOPTS: u8 = 0;
const NH_FRAGMENT: u8 = 44;
const NH_DSTOPTS: u8 = 60;

const FIN: u8 = 0x01;
const SYN: u8 = 0x02;
const RST: u8 = 0x04;
const PSH: u8 = 0x08;
const ACK: u8 = 0x10;

/// An Ethernet II frame (802.1Q-tagged when `vlan`), padded to the 60-byte minimum.
fn ethernet(dst: [u8; 6], src: [u8; 6], vlan: Option<u16>, ethertype: u16, l3: &[u8]) -> Vec<u8> {
    let mut f = Vec::with_capacity(18 + l3.len().max(46));
    f.extend_from_slice(&dst);
    f.extend_from_slice(&src);
    if let Some(id) = vlan {
        f.extend_from_slice(&ETHERTYPE_VLAN.to_be_bytes());
        f.extend_from_slice(&id.to_be_bytes()); // priority 0, DEI 0
    }
    f.extend_from_slice(&ethertype.to_be_bytes());
    f.extend_from_slice(l3);
    if f.len() < 60 {
        f.resize(60, 0);
    }
    f
}

/// An IPv4 header (+ options, padded to 4 bytes) and payload. `frag` is the flags and
/// fragment offset field.
fn ipv4(
    src: [u8; 4],
    dst: [u8; 4],
    proto: u8,
    id: u16,
    frag: u16,
    options: &[u8],
    payload: &[u8],
) -> Vec<u8> {
    let opt_len = options.len().div_ceil(4) * 4;
    let hlen = 20 + opt_len;
    let total = (hlen + payload.len()) as u16;
    let mut h = Vec::with_capacity(hlen + payload.len());
    h.push(0x40 | (hlen / 4) as u8);
    h.push(0);
    h.extend_from_slice(&total.to_be_bytes());
    h.extend_from_slice(&id.to_be_bytes());
    h.extend_from_slice(&frag.to_be_bytes());
    h.extend_from_slice(&[64, proto, 0, 0]);
    h.extend_from_slice(&src);
    h.extend_from_slice(&dst);
    h.extend_from_slice(options);
    h.resize(hlen, 0); // End of Option List padding
    let c = fold(sum16(&h, 0));
    h[10..12].copy_from_slice(&c.to_be_bytes());
    h.extend_from_slice(payload);
    h
}

/// An IPv6 header followed by `rest` (extension headers and upper layer), `next` being
/// the first of them.
fn ipv6(src: [u8; 16], dst: [u8; 16], next: u8, hop: u8, rest: &[u8]) -> Vec<u8> {
    let mut h = Vec::with_capacity(40 + rest.len());
    h.extend_from_slice(&[0x60, 0, 0, 0]);
    h.extend_from_slice(&(rest.len() as u16).to_be_bytes());
    h.extend_from_slice(&[next, hop]);
    h.extend_from_slice(&src);
    h.extend_from_slice(&dst);
    h.extend_from_slice(rest);
    h
}

/// A TCP segment with its checksum; `options` padded with NOPs... callers pass whole words.
#[allow(clippy::too_many_arguments)]
fn tcp(
    src: Addr,
    dst: Addr,
    sport: u16,
    dport: u16,
    seq: u32,
    ack: u32,
    flags: u8,
    options: &[u8],
    payload: &[u8],
) -> Vec<u8> {
    let hlen = 20 + options.len();
    let mut s = Vec::with_capacity(hlen + payload.len());
    s.extend_from_slice(&sport.to_be_bytes());
    s.extend_from_slice(&dport.to_be_bytes());
    s.extend_from_slice(&seq.to_be_bytes());
    s.extend_from_slice(&ack.to_be_bytes());
    s.push(((hlen / 4) as u8) << 4);
    s.push(flags);
    let window: u16 = if flags & SYN != 0 { 64_240 } else { 501 };
    s.extend_from_slice(&window.to_be_bytes());
    s.extend_from_slice(&[0, 0, 0, 0]);
    s.extend_from_slice(options);
    s.extend_from_slice(payload);
    let c = fold(sum16(&s, src.pseudo_sum(dst, PROTO_TCP, s.len())));
    s[16..18].copy_from_slice(&c.to_be_bytes());
    s
}

fn udp(src: Addr, dst: Addr, sport: u16, dport: u16, payload: &[u8]) -> Vec<u8> {
    let len = 8 + payload.len();
    let mut d = Vec::with_capacity(len);
    d.extend_from_slice(&sport.to_be_bytes());
    d.extend_from_slice(&dport.to_be_bytes());
    d.extend_from_slice(&(len as u16).to_be_bytes());
    d.extend_from_slice(&[0, 0]);
    d.extend_from_slice(payload);
    let mut c = fold(sum16(&d, src.pseudo_sum(dst, PROTO_UDP, len)));
    if c == 0 {
        c = 0xffff;
    }
    d[6..8].copy_from_slice(&c.to_be_bytes());
    d
}

/// An ICMP (v4, `pseudo` None) or ICMPv6 message with its checksum.
fn icmp(
    kind: u8,
    code: u8,
    rest: [u8; 4],
    payload: &[u8],
    pseudo: Option<(Addr, Addr)>,
) -> Vec<u8> {
    let mut m = Vec::with_capacity(8 + payload.len());
    m.extend_from_slice(&[kind, code, 0, 0]);
    m.extend_from_slice(&rest);
    m.extend_from_slice(payload);
    let init = match pseudo {
        Some((s, d)) => s.pseudo_sum(d, PROTO_ICMPV6, m.len()),
        None => 0,
    };
    let c = fold(sum16(&m, init));
    m[2..4].copy_from_slice(&c.to_be_bytes());
    m
}

/// Record Route option with room for 9 addresses, the first filled in (ping -R).
fn record_route(first: [u8; 4]) -> Vec<u8> {
    let mut o = vec![7, 39, 8];
    o.extend_from_slice(&first);
    o.resize(39, 0);
    o
}

impl Path {
    /// Host of direction `from_a`: (src, dst).
    fn ends(&self, from_a: bool) -> (Host, Host) {
        if from_a {
            (self.a, self.b)
        } else {
            (self.b, self.a)
        }
    }

    fn next_id(&mut self, from_a: bool) -> u16 {
        let slot = &mut self.ip_id[usize::from(!from_a)];
        *slot = slot.wrapping_add(1);
        *slot
    }

    /// Wraps an upper-layer message (`proto`, `l4`) in IP and Ethernet, unfragmented.
    fn frame(&mut self, from_a: bool, proto: u8, l4: &[u8], ip_options: &[u8]) -> (Vec<u8>, u32) {
        let (s, d) = self.ends(from_a);
        let id = self.next_id(from_a);
        let mut bits = p::ETH | if self.vlan.is_some() { p::VLAN } else { 0 };
        let (ethertype, l3) = match (s.addr, d.addr) {
            (Addr::V4(sa), Addr::V4(da)) => {
                bits |= p::IP;
                (
                    ETHERTYPE_IPV4,
                    ipv4(sa, da, proto, id, 0x4000, ip_options, l4),
                )
            }
            (Addr::V6(sa), Addr::V6(da)) => {
                bits |= p::IPV6;
                if self.dstopts {
                    bits |= p::DSTOPTS;
                    // Destination Options: next header, length 0 (8 bytes), PadN 4
                    let mut rest = vec![proto, 0, 1, 4, 0, 0, 0, 0];
                    rest.extend_from_slice(l4);
                    (ETHERTYPE_IPV6, ipv6(sa, da, NH_DSTOPTS, 64, &rest))
                } else {
                    (ETHERTYPE_IPV6, ipv6(sa, da, proto, 64, l4))
                }
            }
            _ => (ETHERTYPE_IPV4, Vec::new()),
        };
        (ethernet(d.mac, s.mac, self.vlan, ethertype, &l3), bits)
    }

    /// Wraps `l4` in IP fragments of at most `mtu` bytes of IP payload each (a multiple
    /// of 8 except the last); returns the frames in order.
    fn fragments(&mut self, from_a: bool, proto: u8, l4: &[u8], mtu: usize) -> Vec<Vec<u8>> {
        let (s, d) = self.ends(from_a);
        let id = self.next_id(from_a);
        let step = mtu / 8 * 8;
        let mut out = Vec::new();
        let mut off = 0;
        while off < l4.len() {
            let end = (off + step).min(l4.len());
            let more = end < l4.len();
            let chunk = &l4[off..end];
            let l3 = match (s.addr, d.addr) {
                (Addr::V4(sa), Addr::V4(da)) => {
                    let field = (off / 8) as u16 | if more { 0x2000 } else { 0 };
                    ipv4(sa, da, proto, id, field, &[], chunk)
                }
                (Addr::V6(sa), Addr::V6(da)) => {
                    let mut rest = vec![proto, 0];
                    let field = (off as u16) | u16::from(more);
                    rest.extend_from_slice(&field.to_be_bytes());
                    rest.extend_from_slice(&(0x5eed_0000u32 | u32::from(id)).to_be_bytes());
                    rest.extend_from_slice(chunk);
                    ipv6(sa, da, NH_FRAGMENT, 64, &rest)
                }
                _ => Vec::new(),
            };
            let ethertype = if s.addr.is_v6() {
                ETHERTYPE_IPV6
            } else {
                ETHERTYPE_IPV4
            };
            out.push(ethernet(d.mac, s.mac, self.vlan, ethertype, &l3));
            off = end;
        }
        out
    }
}

// ---------------------------------------------------------------- sessions

/// One session's frames, in the order they go on the wire, and its counters.
struct Session {
    pkts: VecDeque<Pkt>,
    stats: Stats,
}

impl Session {
    fn new() -> Self {
        Self {
            pkts: VecDeque::new(),
            stats: Stats::default(),
        }
    }

    fn push(&mut self, data: Vec<u8>, protos: u32) {
        self.pkts.push_back(Pkt {
            data,
            protos,
            frag: None,
            tcp_data: false,
            http_head: false,
        });
    }
}

const HOSTS: [&str; 8] = [
    "www.example.com",
    "cdn.example.net",
    "api.example.org",
    "mail.example.com",
    "ftp.example.net",
    "images.example.org",
    "static.example.com",
    "time.example.net",
];
const PATHS: [&str; 8] = [
    "/",
    "/index.html",
    "/css/site.css",
    "/js/app.js",
    "/images/logo.png",
    "/api/v1/items?page=2",
    "/download/archive.tar.gz",
    "/favicon.ico",
];
const FILES: [&str; 4] = ["README", "pub/data.csv", "pub/image.iso", "notes.txt"];
const ROUTER_MAC: [u8; 6] = [0x00, 0x1b, 0x21, 0x3a, 0x4f, 0x01];

/// State of the generator: the RNG and counters that keep addresses and ports unique.
struct Gen {
    rng: Rng,
    conn: u64,
}

/// A TCP connection being built: both directions' next sequence numbers.
struct Conn {
    path: Path,
    cport: u16,
    sport: u16,
    /// Next sequence number of (client, server).
    seq: [u32; 2],
    mss: usize,
    /// Protocol bits of payload-carrying segments of (client, server).
    app: [u32; 2],
}

impl Conn {
    fn segment(
        &mut self,
        s: &mut Session,
        from_client: bool,
        flags: u8,
        payload: &[u8],
        app: bool,
    ) {
        let (i, j) = if from_client { (0, 1) } else { (1, 0) };
        let ack = if flags & ACK != 0 { self.seq[j] } else { 0 };
        let options: &[u8] = if flags & SYN != 0 {
            // MSS, SACK permitted, NOP, window scale 7
            if self.mss == 1460 {
                &[2, 4, 0x05, 0xb4, 4, 2, 1, 3, 3, 7]
            } else {
                &[2, 4, 0x05, 0xa0, 4, 2, 1, 3, 3, 7]
            }
        } else {
            &[]
        };
        let mut opts = options.to_vec();
        opts.resize(options.len().div_ceil(4) * 4, 1); // NOP padding
        let (src, dst) = self.path.ends(from_client);
        let (sp, dp) = if from_client {
            (self.cport, self.sport)
        } else {
            (self.sport, self.cport)
        };
        let seg = tcp(
            src.addr,
            dst.addr,
            sp,
            dp,
            self.seq[i],
            ack,
            flags,
            &opts,
            payload,
        );
        let (frame, mut bits) = self.path.frame(from_client, PROTO_TCP, &seg, &[]);
        bits |= p::TCP;
        if app && !payload.is_empty() {
            bits |= self.app[i];
        }
        s.pkts.push_back(Pkt {
            data: frame,
            protos: bits,
            frag: None,
            tcp_data: !payload.is_empty(),
            http_head: self.app[i] == p::HTTP
                && [&b"HTTP/"[..], b"GET ", b"POST "]
                    .iter()
                    .any(|m| payload.starts_with(m)),
        });
        self.seq[i] = self.seq[i]
            .wrapping_add(payload.len() as u32)
            .wrapping_add(u32::from(flags & (SYN | FIN) != 0));
    }

    fn handshake(&mut self, s: &mut Session) {
        self.segment(s, true, SYN, &[], false);
        self.segment(s, false, SYN | ACK, &[], false);
        self.segment(s, true, ACK, &[], false);
        s.stats.tcp_connections += 1;
    }

    /// Sends `data` in MSS-sized segments from one side, with delayed ACKs from the
    /// other, some segments retransmitted and some reordered.
    fn transfer(&mut self, g: &mut Gen, s: &mut Session, from_client: bool, data: &[u8]) {
        let i = usize::from(!from_client);
        let base = self.seq[i];
        let chunks: Vec<&[u8]> = data.chunks(self.mss).collect();
        let mut order: Vec<usize> = (0..chunks.len()).collect();
        let mut k = 0;
        while k + 1 < order.len() {
            if g.rng.chance(3) {
                order.swap(k, k + 1);
                s.stats.tcp_out_of_order += 1;
                k += 2;
            } else {
                k += 1;
            }
        }
        let mut sent = 0;
        let mut received = vec![false; chunks.len()];
        let mut retransmit: Option<usize> = None;
        for &c in &order {
            let emit = |conn: &mut Conn, s: &mut Session, c: usize| {
                let off: usize = chunks[..c].iter().map(|x| x.len()).sum();
                conn.seq[i] = base.wrapping_add(off as u32);
                let flags = if c + 1 == chunks.len() {
                    PSH | ACK
                } else {
                    ACK
                };
                conn.segment(s, from_client, flags, chunks[c], true);
            };
            emit(self, s, c);
            received[c] = true;
            sent += 1;
            if let Some(r) = retransmit.take() {
                emit(self, s, r);
                s.stats.tcp_retransmissions += 1;
                sent += 1;
            } else if g.rng.chance(2) {
                retransmit = Some(c);
            }
            if sent % 2 == 0 {
                self.ack_received(s, from_client, base, &chunks, &received);
            }
        }
        if let Some(r) = retransmit {
            let off: usize = chunks[..r].iter().map(|x| x.len()).sum();
            self.seq[i] = base.wrapping_add(off as u32);
            let flags = if r + 1 == chunks.len() {
                PSH | ACK
            } else {
                ACK
            };
            self.segment(s, from_client, flags, chunks[r], true);
            s.stats.tcp_retransmissions += 1;
        }
        self.seq[i] = base.wrapping_add(data.len() as u32);
        self.ack_received(s, from_client, base, &chunks, &received);
    }

    /// The receiver's cumulative ACK of what arrived contiguously.
    fn ack_received(
        &mut self,
        s: &mut Session,
        from_client: bool,
        base: u32,
        chunks: &[&[u8]],
        received: &[bool],
    ) {
        let i = usize::from(!from_client);
        let edge: usize = chunks
            .iter()
            .zip(received)
            .take_while(|(_, r)| **r)
            .map(|(c, _)| c.len())
            .sum();
        let saved = self.seq[i];
        self.seq[i] = base.wrapping_add(edge as u32);
        self.segment(s, !from_client, ACK, &[], false);
        self.seq[i] = saved;
    }

    /// Closes with FIN from the client, FIN/ACK from the server and the last ACK; or
    /// with a RST from the server.
    fn close(&mut self, g: &mut Gen, s: &mut Session) {
        if g.rng.chance(10) {
            self.segment(s, false, RST | ACK, &[], false);
            s.stats.tcp_closed_rst += 1;
        } else {
            self.segment(s, true, FIN | ACK, &[], false);
            self.segment(s, false, FIN | ACK, &[], false);
            self.segment(s, true, ACK, &[], false);
            s.stats.tcp_closed_fin += 1;
        }
    }
}

impl Gen {
    fn client(&mut self, v6: bool, n: u64) -> Host {
        let k = (n % 200) as u8 + 20;
        let mac = [0x02, 0x42, 0xac, 0x11, (n / 200 % 8) as u8, k];
        let addr = if v6 {
            let mut a = [0u8; 16];
            a[..8].copy_from_slice(&[0x20, 0x01, 0x0d, 0xb8, 0, 1, 0, 0]);
            a[14] = (n / 200 % 8) as u8;
            a[15] = k;
            Addr::V6(a)
        } else {
            Addr::V4([192, 168, (n / 200 % 8) as u8, k])
        };
        Host { mac, addr }
    }

    fn server(&mut self, v6: bool) -> Host {
        let k = self.rng.range(1, 40) as u8;
        let addr = if v6 {
            let mut a = [0u8; 16];
            a[..8].copy_from_slice(&[0x20, 0x01, 0x0d, 0xb8, 0, 0xff, 0, 0]);
            a[15] = k;
            Addr::V6(a)
        } else {
            Addr::V4([203, 0, 113, k])
        };
        Host {
            mac: ROUTER_MAC,
            addr,
        }
    }

    /// A client/server path: 25% IPv6, 10% on VLAN 100; the client is picked by `n`.
    fn path(&mut self, n: u64) -> Path {
        let v6 = self.rng.chance(25);
        let vlan = self.rng.chance(10).then_some(100);
        let client = self.client(v6, n);
        let server = self.server(v6);
        Path {
            a: client,
            b: server,
            vlan,
            ip_id: [self.rng.next() as u16, self.rng.next() as u16],
            dstopts: false,
        }
    }

    /// A new TCP connection to `sport` on a fresh client port.
    fn conn(&mut self, sport: u16, app: [u32; 2]) -> Conn {
        self.conn += 1;
        let n = self.conn;
        let client = self.rng.next();
        let path = self.path(client);
        let mss = if path.a.addr.is_v6() { 1440 } else { 1460 };
        Conn {
            path,
            // a client port is reused only after 60000 connections (and then by the same
            // client to the same server with odds 1 in 64000)
            cport: 1024 + (n % 60_000) as u16,
            sport,
            seq: [self.rng.next() as u32, self.rng.next() as u32],
            mss,
            app,
        }
    }

    fn body(&mut self, len: usize, text: bool) -> Vec<u8> {
        if text {
            const WORDS: &[u8] = b"<div class=\"item\"><p>lorem ipsum dolor sit amet</p></div>\n";
            WORDS.iter().copied().cycle().take(len).collect()
        } else {
            let mut v = Vec::with_capacity(len + 8);
            while v.len() < len {
                v.extend_from_slice(&self.rng.next().to_le_bytes());
            }
            v.truncate(len);
            v
        }
    }

    /// An HTTP/1.1 connection with 1..3 exchanges.
    fn http(&mut self) -> Session {
        let mut s = Session::new();
        let http = p::HTTP;
        let mut c = self.conn(80, [http, http]);
        c.handshake(&mut s);
        let host = *self.rng.pick(&HOSTS);
        let exchanges = self.rng.range(1, 3);
        for _ in 0..exchanges {
            let path = *self.rng.pick(&PATHS);
            if self.rng.chance(20) {
                let len = self.rng.range(200, 12_000) as usize;
                let body = self.body(len, true);
                let mut req = format!(
                    "POST {path} HTTP/1.1\r\nHost: {host}\r\nUser-Agent: pcapkit-bench/1.0\r\nContent-Type: application/x-www-form-urlencoded\r\nContent-Length: {}\r\n\r\n",
                    body.len()
                )
                .into_bytes();
                req.extend_from_slice(&body);
                c.transfer(self, &mut s, true, &req);
                let resp = b"HTTP/1.1 201 Created\r\nContent-Length: 0\r\nServer: bench\r\n\r\n";
                c.segment(&mut s, false, PSH | ACK, resp, true);
            } else {
                let req = format!(
                    "GET {path} HTTP/1.1\r\nHost: {host}\r\nUser-Agent: pcapkit-bench/1.0\r\nAccept: */*\r\nAccept-Encoding: gzip\r\n\r\n"
                );
                c.segment(&mut s, true, PSH | ACK, req.as_bytes(), true);
                // body sizes: many small, some large (up to ~60 kB)
                let len = match self.rng.range(0, 9) {
                    0..=5 => self.rng.range(100, 3_000),
                    6..=8 => self.rng.range(3_000, 20_000),
                    _ => self.rng.range(20_000, 60_000),
                } as usize;
                let text = self.rng.chance(50);
                let ctype = if text {
                    "text/html"
                } else {
                    "application/octet-stream"
                };
                let mut resp = format!(
                    "HTTP/1.1 200 OK\r\nServer: bench\r\nContent-Type: {ctype}\r\nContent-Length: {len}\r\n\r\n"
                )
                .into_bytes();
                resp.extend_from_slice(&self.body(len, text));
                c.transfer(self, &mut s, false, &resp);
            }
            s.stats.http_requests += 1;
            s.stats.http_responses += 1;
        }
        c.close(self, &mut s);
        s
    }

    /// An FTP control connection with a passive-mode download.
    fn ftp(&mut self) -> Session {
        let mut s = Session::new();
        let mut c = self.conn(21, [p::FTP, p::FTP]);
        c.handshake(&mut s);
        let v6 = c.path.a.addr.is_v6();
        let data_port = self.rng.range(30_000, 40_000) as u16;
        let pasv = match c.path.b.addr {
            Addr::V4(a) => format!(
                "227 Entering Passive Mode ({},{},{},{},{},{}).\r\n",
                a[0],
                a[1],
                a[2],
                a[3],
                data_port >> 8,
                data_port & 0xff
            ),
            Addr::V6(_) => format!("229 Entering Extended Passive Mode (|||{data_port}|)\r\n"),
        };
        let file = *self.rng.pick(&FILES);
        let dialogue: Vec<(bool, String)> = vec![
            (false, "220 (vsFTPd 3.0.5)\r\n".into()),
            (true, "USER anonymous\r\n".into()),
            (false, "331 Please specify the password.\r\n".into()),
            (true, "PASS guest@example.com\r\n".into()),
            (false, "230 Login successful.\r\n".into()),
            (true, "SYST\r\n".into()),
            (false, "215 UNIX Type: L8\r\n".into()),
            (true, "TYPE I\r\n".into()),
            (false, "200 Switching to Binary mode.\r\n".into()),
            (
                true,
                if v6 {
                    "EPSV\r\n".into()
                } else {
                    "PASV\r\n".into()
                },
            ),
            (false, pasv),
            (true, format!("RETR {file}\r\n")),
        ];
        for (from_client, line) in &dialogue {
            c.segment(&mut s, *from_client, PSH | ACK, line.as_bytes(), true);
            if *from_client {
                s.stats.ftp_commands += 1;
            } else {
                s.stats.ftp_replies += 1;
            }
        }
        // the data connection, to the server's passive port
        let size = self.rng.range(500, 40_000) as usize;
        c.segment(
            &mut s,
            false,
            PSH | ACK,
            format!("150 Opening BINARY mode data connection for {file} ({size} bytes).\r\n")
                .as_bytes(),
            true,
        );
        s.stats.ftp_replies += 1;
        self.conn += 1;
        let mut d = Conn {
            path: c.path.clone(),
            cport: c.cport.wrapping_add(1).max(1024),
            sport: data_port,
            seq: [self.rng.next() as u32, self.rng.next() as u32],
            mss: c.mss,
            app: [p::FTP_DATA, p::FTP_DATA],
        };
        d.handshake(&mut s);
        let data = self.body(size, false);
        d.transfer(self, &mut s, false, &data);
        d.segment(&mut s, false, FIN | ACK, &[], false);
        d.segment(&mut s, true, FIN | ACK, &[], false);
        d.segment(&mut s, false, ACK, &[], false);
        s.stats.tcp_closed_fin += 1;
        for (from_client, line) in [
            (false, "226 Transfer complete.\r\n"),
            (true, "QUIT\r\n"),
            (false, "221 Goodbye.\r\n"),
        ] {
            c.segment(&mut s, from_client, PSH | ACK, line.as_bytes(), true);
            if from_client {
                s.stats.ftp_commands += 1;
            } else {
                s.stats.ftp_replies += 1;
            }
        }
        c.close(self, &mut s);
        s
    }

    /// A DNS query and its response (or the query alone).
    fn dns(&mut self, with_response: bool) -> Session {
        let mut s = Session::new();
        let n = self.rng.next();
        let mut path = self.path(n);
        path.b.addr = match path.b.addr {
            Addr::V4(_) => Addr::V4([192, 168, 0, 1]),
            Addr::V6(_) => {
                let mut a = [0u8; 16];
                a[..2].copy_from_slice(&[0xfe, 0x80]);
                a[15] = 1;
                Addr::V6(a)
            }
        };
        path.dstopts = path.a.addr.is_v6() && self.rng.chance(30);
        let name = *self.rng.pick(&HOSTS);
        let aaaa = path.a.addr.is_v6() || self.rng.chance(30);
        let qtype: u16 = if aaaa { 28 } else { 1 };
        let id = self.rng.next() as u16;
        let cport = self.rng.range(20_000, 60_000) as u16;
        let mut q = Vec::with_capacity(64);
        q.extend_from_slice(&id.to_be_bytes());
        q.extend_from_slice(&[0x01, 0x00, 0, 1, 0, 0, 0, 0, 0, 0]);
        for label in name.split('.') {
            q.push(label.len() as u8);
            q.extend_from_slice(label.as_bytes());
        }
        q.push(0);
        q.extend_from_slice(&qtype.to_be_bytes());
        q.extend_from_slice(&[0, 1]);
        let bits = p::UDP | p::DNS | if path.dstopts { p::DSTOPTS } else { 0 };
        let (ca, sa) = (path.a.addr, path.b.addr);
        let (f, b) = path.frame(true, PROTO_UDP, &udp(ca, sa, cport, 53, &q), &[]);
        s.push(f, b | bits);
        s.stats.dns_queries += 1;
        if with_response {
            let answers = self.rng.range(1, 2) as u16;
            let mut r = q.clone();
            r[2] = 0x81;
            r[3] = 0x80;
            r[6..8].copy_from_slice(&answers.to_be_bytes());
            for k in 0..answers {
                r.extend_from_slice(&[0xc0, 0x0c]);
                r.extend_from_slice(&qtype.to_be_bytes());
                r.extend_from_slice(&[0, 1, 0, 0, 0x0e, 0x10]);
                if aaaa {
                    r.extend_from_slice(&16u16.to_be_bytes());
                    r.extend_from_slice(&[
                        0x20, 0x01, 0x0d, 0xb8, 0, 0xff, 0, 0, 0, 0, 0, 0, 0, 0, 0,
                    ]);
                    r.push(k as u8 + 1);
                } else {
                    r.extend_from_slice(&4u16.to_be_bytes());
                    r.extend_from_slice(&[203, 0, 113, k as u8 + 1]);
                }
            }
            let (f, b) = path.frame(false, PROTO_UDP, &udp(sa, ca, 53, cport, &r), &[]);
            s.push(f, b | bits);
            s.stats.dns_responses += 1;
        }
        s
    }

    /// An ICMP or ICMPv6 echo request and reply; 15% with a large payload, fragmented
    /// (the reply's fragments sometimes in reverse order); 20% of IPv4 ones with a Record
    /// Route option (unfragmented).
    fn ping(&mut self, v6: Option<bool>) -> Session {
        let mut s = Session::new();
        let n = self.rng.next();
        let mut path = self.path(n);
        if let Some(v6) = v6 {
            path.a = self.client(v6, n);
            path.b = self.server(v6);
        }
        let v6 = path.a.addr.is_v6();
        let big = self.rng.chance(15);
        let len = if big {
            self.rng.range(1_600, 4_000)
        } else {
            56
        } as usize;
        let payload: Vec<u8> = (0..len).map(|i| (i % 256) as u8).collect();
        let ident = (self.rng.next() as u16).to_be_bytes();
        let rr = !v6 && !big && self.rng.chance(20);
        let (ca, sa) = (path.a.addr, path.b.addr);
        for from_client in [true, false] {
            let (kind, pseudo, proto, bits) = match (v6, from_client) {
                (false, true) => (8, None, PROTO_ICMP, p::ICMP),
                (false, false) => (0, None, PROTO_ICMP, p::ICMP),
                (true, true) => (128, Some((ca, sa)), PROTO_ICMPV6, p::ICMPV6),
                (true, false) => (129, Some((sa, ca)), PROTO_ICMPV6, p::ICMPV6),
            };
            let msg = icmp(kind, 0, [ident[0], ident[1], 0, 1], &payload, pseudo);
            s.stats.icmp_echoes += 1;
            if big {
                let mtu = if v6 { 1440 } else { 1480 };
                let mut frames = path.fragments(from_client, proto, &msg, mtu);
                // the first fragment (offset 0) carries the ICMP header
                let mut first = 0;
                if !from_client && frames.len() > 1 && self.rng.chance(30) {
                    frames.reverse();
                    first = frames.len() - 1;
                }
                let layer = if v6 { p::IPV6 | p::FRAGHDR } else { p::IP };
                let base = p::ETH | if path.vlan.is_some() { p::VLAN } else { 0 } | layer;
                for (k, f) in frames.into_iter().enumerate() {
                    let protos = if k == first { base | bits } else { base };
                    s.pkts.push_back(Pkt {
                        data: f,
                        protos,
                        frag: Some(v6),
                        tcp_data: false,
                        http_head: false,
                    });
                }
                if v6 {
                    s.stats.ipv6_datagrams += 1;
                } else {
                    s.stats.ipv4_datagrams += 1;
                }
            } else {
                let opts = match (rr, if from_client { ca } else { sa }) {
                    (true, Addr::V4(src)) => record_route(src),
                    _ => Vec::new(),
                };
                let (f, b) = path.frame(from_client, proto, &msg, &opts);
                s.push(f, b | bits);
            }
        }
        s
    }

    /// An MLDv2 report: IPv6 Hop-by-Hop Router Alert, ICMPv6 type 143.
    fn mld(&mut self) -> Session {
        let mut s = Session::new();
        let n = self.rng.next();
        let host = self.client(true, n);
        let Addr::V6(mut src) = host.addr else {
            return s;
        };
        src[..8].copy_from_slice(&[0xfe, 0x80, 0, 0, 0, 0, 0, 0]);
        let mut dst = [0u8; 16];
        dst[..2].copy_from_slice(&[0xff, 0x02]);
        dst[15] = 0x16;
        // one record: CHANGE_TO_EXCLUDE (4) of ff02::fb (mDNS)
        let mut rec = vec![4, 0, 0, 0];
        let mut group = [0u8; 16];
        group[..2].copy_from_slice(&[0xff, 0x02]);
        group[15] = 0xfb;
        rec.extend_from_slice(&group);
        let msg = icmp(
            143,
            0,
            [0, 0, 0, 1],
            &rec,
            Some((Addr::V6(src), Addr::V6(dst))),
        );
        // Hop-by-Hop: next ICMPv6, length 0, Router Alert (MLD), PadN 2
        let mut rest = vec![PROTO_ICMPV6, 0, 5, 2, 0, 0, 1, 0];
        rest.extend_from_slice(&msg);
        let l3 = ipv6(src, dst, NH_HOPOPTS, 1, &rest);
        let mac = [0x33, 0x33, 0, 0, 0, 0x16];
        s.push(
            ethernet(mac, host.mac, None, ETHERTYPE_IPV6, &l3),
            p::ETH | p::IPV6 | p::HOPOPTS | p::ICMPV6,
        );
        s
    }

    /// An ARP request and reply, or (`gratuitous`) one announcement.
    fn arp(&mut self, gratuitous: bool) -> Session {
        let mut s = Session::new();
        let n = self.rng.next();
        let a = self.client(false, n);
        let b = self.client(false, n.wrapping_add(1));
        let (Addr::V4(aip), Addr::V4(bip)) = (a.addr, b.addr) else {
            return s;
        };
        let msg = |op: u8, sha: [u8; 6], spa: [u8; 4], tha: [u8; 6], tpa: [u8; 4]| {
            let mut m = vec![0, 1, 8, 0, 6, 4, 0, op];
            m.extend_from_slice(&sha);
            m.extend_from_slice(&spa);
            m.extend_from_slice(&tha);
            m.extend_from_slice(&tpa);
            m
        };
        let bcast = [0xff; 6];
        let bits = p::ETH | p::ARP;
        if gratuitous {
            let m = msg(1, a.mac, aip, [0; 6], aip);
            s.push(ethernet(bcast, a.mac, None, ETHERTYPE_ARP, &m), bits);
        } else {
            let m = msg(1, a.mac, aip, [0; 6], bip);
            s.push(ethernet(bcast, a.mac, None, ETHERTYPE_ARP, &m), bits);
            let m = msg(2, b.mac, bip, a.mac, aip);
            s.push(ethernet(a.mac, b.mac, None, ETHERTYPE_ARP, &m), bits);
        }
        s
    }

    /// A session of a random kind, weighted so that by frames TCP dominates (as on most
    /// links) while every kind occurs often.
    fn session(&mut self) -> Session {
        match self.rng.range(0, 99) {
            0..=29 => self.http(),
            30..=34 => self.ftp(),
            35..=59 => self.dns(true),
            60..=74 => self.ping(None),
            75..=79 => self.ping(Some(true)),
            80..=84 => self.mld(),
            85..=94 => self.arp(false),
            _ => self.arp(true),
        }
    }

    /// A session of at most `room` frames (`room` ≥ 1).
    fn small_session(&mut self, room: u64) -> Session {
        if room >= 2 {
            match self.rng.range(0, 2) {
                0 => self.dns(true),
                1 => self.arp(false),
                _ => self.ping(Some(false)),
            }
        } else {
            match self.rng.range(0, 2) {
                0 => self.dns(false),
                1 => self.mld(),
                _ => self.arp(true),
            }
        }
    }
}

/// Where frames go: a PCAP or PCAPNG writer.
enum Sink<W: Write> {
    Pcap(PcapWriter<W>),
    Pcapng(PcapngWriter<W>, bool),
}

impl<W: Write> Sink<W> {
    fn write(&mut self, ts: Timestamp, data: &[u8]) -> Result<(), Error> {
        let len = data.len() as u32;
        match self {
            Sink::Pcap(w) => w.write_packet(ts, len, data),
            Sink::Pcapng(w, ns) => {
                let raw = ts.secs as u64 * if *ns { 1_000_000_000 } else { 1_000_000 }
                    + u64::from(if *ns { ts.nanos } else { ts.nanos / 1_000 });
                w.write_packet(0, raw, len, data)
            }
        }
    }

    fn flush(&mut self) -> Result<(), Error> {
        match self {
            Sink::Pcap(w) => w.flush(),
            Sink::Pcapng(w, _) => w.flush(),
        }
    }
}

/// Sessions open at once (their frames interleave).
const CONCURRENT: usize = 6;

/// Writes `opts.frames` frames of mixed traffic to `out` and returns the ground truth.
/// The bytes depend only on `opts`.
pub fn generate<W: Write>(opts: &TrafficOptions, out: W) -> Result<Summary, Error> {
    let mut sink = match opts.format {
        CaptureFormat::Pcap => Sink::Pcap(PcapWriter::new(
            out,
            PcapWriterOptions::default()
                .endian(opts.endian)
                .nanosecond(opts.nanosecond)
                .link_type(LinkType::ETHERNET),
        )?),
        CaptureFormat::Pcapng => {
            let mut w = PcapngWriter::new(
                out,
                PcapngWriterOptions {
                    endian: opts.endian,
                    user_appl: Some("pcapkit-rs gen-traffic".into()),
                },
            )?;
            let mut spec = InterfaceSpec::new(LinkType::ETHERNET, 262_144);
            spec.tsresol = TsResolution::Decimal(if opts.nanosecond { 9 } else { 6 });
            spec.name = Some("eth0".into());
            w.add_interface(&spec)?;
            Sink::Pcapng(w, opts.nanosecond)
        }
    };
    let mut g = Gen {
        rng: Rng(opts.seed ^ 0x5eed_cafe_f00d_d00d),
        conn: 0,
    };
    let mut summary = Summary::default();
    let mut counts = [0u64; TOKENS.len()];
    let mut active: Vec<VecDeque<Pkt>> = Vec::with_capacity(CONCURRENT);
    let mut reserved = 0u64;
    let mut ts_ns: u64 = 1_700_000_000 * 1_000_000_000;
    while summary.frames < opts.frames {
        while active.len() < CONCURRENT && summary.frames + reserved < opts.frames {
            let room = opts.frames - summary.frames - reserved;
            let mut s = g.session();
            if s.pkts.len() as u64 > room {
                s = g.small_session(room);
            }
            if s.pkts.is_empty() || s.pkts.len() as u64 > room {
                continue;
            }
            reserved += s.pkts.len() as u64;
            summary.add(&s.stats);
            active.push(s.pkts);
        }
        let k = g.rng.next() as usize % active.len().max(1);
        let Some(queue) = active.get_mut(k) else {
            break;
        };
        let Some(pkt) = queue.pop_front() else {
            active.swap_remove(k);
            continue;
        };
        if queue.is_empty() {
            active.swap_remove(k);
        }
        reserved -= 1;
        ts_ns += g.rng.range(1_000, 150_000);
        // microsecond captures hold the same clock, truncated
        let nanos = (ts_ns % 1_000_000_000) as u32;
        let nanos = if opts.nanosecond {
            nanos
        } else {
            nanos - nanos % 1_000
        };
        let ts = Timestamp::new((ts_ns / 1_000_000_000) as i64, nanos);
        sink.write(ts, &pkt.data)?;
        summary.frames += 1;
        summary.bytes += pkt.data.len() as u64;
        for (bit, count) in counts.iter_mut().enumerate() {
            *count += u64::from(pkt.protos >> bit & 1);
        }
        match pkt.frag {
            Some(false) => summary.ipv4_fragments += 1,
            Some(true) => summary.ipv6_fragments += 1,
            None => {}
        }
        summary.tcp_data_frames += u64::from(pkt.tcp_data);
        summary.http_head_frames += u64::from(pkt.http_head);
        summary.vlan_frames += u64::from(pkt.protos & p::VLAN != 0);
    }
    sink.flush()?;
    summary.protocols = TOKENS
        .iter()
        .zip(counts)
        .filter(|(_, c)| *c > 0)
        .map(|(t, c)| (*t, c))
        .collect();
    Ok(summary)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn exact_frame_count_and_deterministic() {
        for n in [1, 2, 3, 10, 137, 2_000] {
            let mut a = Vec::new();
            let s = generate(&TrafficOptions::new(n), &mut a).unwrap();
            assert_eq!(s.frames, n);
            assert_eq!(s.protocols["eth"], n);
            let mut b = Vec::new();
            generate(&TrafficOptions::new(n), &mut b).unwrap();
            assert_eq!(a, b, "{n} frames twice");
        }
        let mut other = Vec::new();
        let opts = TrafficOptions {
            seed: 2,
            ..TrafficOptions::new(2_000)
        };
        generate(&opts, &mut other).unwrap();
        let mut one = Vec::new();
        generate(&TrafficOptions::new(2_000), &mut one).unwrap();
        assert_ne!(one, other);
    }

    #[test]
    fn every_kind_occurs_in_a_few_thousand_frames() {
        let s = generate(&TrafficOptions::new(5_000), std::io::sink()).unwrap();
        for t in TOKENS {
            assert!(s.protocols.get(t).copied().unwrap_or(0) > 0, "{t} missing");
        }
        assert!(s.tcp_connections > 10);
        assert!(s.tcp_closed_rst > 0 && s.tcp_closed_fin > 0);
        assert!(s.tcp_retransmissions > 0 && s.tcp_out_of_order > 0);
        assert!(s.ipv4_datagrams > 0 && s.ipv6_datagrams > 0);
        assert!(s.ipv4_fragments >= 2 * s.ipv4_datagrams);
    }
}
