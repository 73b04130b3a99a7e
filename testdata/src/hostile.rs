//! Hostile captures, made by our own code: every truncation point, lying length fields
//! in every PCAP record / PCAPNG block type and the length fields inside them, zero and
//! maximal lengths, a 4 GB captured length, and deeply nested encapsulations.
//!
//! Each [`Case`] says what a correct reader does with it: how many frames come out
//! before the end, and which typed error ends it (the `ErrorKind` variant name) at
//! which byte offset. The tests that run them (`tests/hostile.rs` of the facade) also
//! check that nothing panics, that each case finishes quickly, and that every output
//! format stays valid.

use pcapkit_core::{Endian, LinkType, OwnedFrame, Precision, Timestamp};

use crate::build;

/// One hostile input and what reading it must give.
#[derive(Clone, Debug)]
pub struct Case {
    /// What the case is (for failure messages).
    pub name: String,
    /// The capture bytes.
    pub bytes: Vec<u8>,
    /// Frames delivered before the end.
    pub frames: u64,
    /// The `pcapkit_core::ErrorKind` variant that ends reading (`"Truncated"`, ...);
    /// `None` for a clean end.
    pub error: Option<&'static str>,
    /// The error's byte offset, when the case pins it.
    pub offset: Option<u64>,
}

impl Case {
    fn new(
        name: impl Into<String>,
        bytes: Vec<u8>,
        frames: u64,
        error: Option<&'static str>,
        offset: Option<u64>,
    ) -> Self {
        Self {
            name: name.into(),
            bytes,
            frames,
            error,
            offset,
        }
    }
}

fn u32b(v: u32, e: Endian) -> [u8; 4] {
    match e {
        Endian::Little => v.to_le_bytes(),
        Endian::Big => v.to_be_bytes(),
    }
}

fn u16b(v: u16, e: Endian) -> [u8; 2] {
    match e {
        Endian::Little => v.to_le_bytes(),
        Endian::Big => v.to_be_bytes(),
    }
}

/// A small valid Ethernet/IPv4/UDP frame, `i` varying its content.
pub fn frame(i: u8) -> Vec<u8> {
    let udp = build::udp([10, 0, 0, 1], [10, 0, 0, 2], 1000, 2000, &[i; 6]);
    let ip = build::ipv4(
        [10, 0, 0, 1],
        [10, 0, 0, 2],
        build::PROTO_UDP,
        u16::from(i),
        64,
        &udp,
    );
    build::ethernet(
        [2, 0, 0, 0, 0, 2],
        [2, 0, 0, 0, 0, 1],
        build::ETHERTYPE_IPV4,
        &ip,
    )
}

// ---------------------------------------------------------------- PCAP

/// A PCAP global header (µs magic) in `e`.
pub fn pcap_header(e: Endian, major: u16, snaplen: u32, link: u32) -> Vec<u8> {
    let mut v = u32b(0xa1b2_c3d4, e).to_vec();
    v.extend(u16b(major, e));
    v.extend(u16b(4, e));
    v.extend([0; 8]);
    v.extend(u32b(snaplen, e));
    v.extend(u32b(link, e));
    v
}

/// A PCAP record whose header says `caplen` / `origlen`, followed by `data`.
pub fn pcap_record(e: Endian, caplen: u32, origlen: u32, data: &[u8]) -> Vec<u8> {
    let mut v = Vec::new();
    for x in [1_700_000_000, 1, caplen, origlen] {
        v.extend(u32b(x, e));
    }
    v.extend(data);
    v
}

/// A valid PCAP file of `n` frames, and its records (start, end, is a frame).
pub fn pcap_file(e: Endian, n: u8) -> (Vec<u8>, Vec<(u64, u64, bool)>) {
    let mut v = pcap_header(e, 2, 65_535, 1);
    let mut records = Vec::new();
    for i in 0..n {
        let f = frame(i);
        let start = v.len() as u64;
        v.extend(pcap_record(e, f.len() as u32, f.len() as u32, &f));
        records.push((start, v.len() as u64, true));
    }
    (v, records)
}

/// Every prefix of a valid file made of `records` (start, end, is a frame), in
/// order. `header` is the part that must be whole before anything is read (PCAP
/// global header, first SHB); `data_at` is where, inside a record, a cut stops being
/// a cut of its header (PCAP: 16, the error is then reported at the packet data) or 0.
/// Cuts at a record boundary are clean, the others are `Truncated` errors after the
/// whole frames.
fn truncations(
    name: &str,
    file: &[u8],
    records: &[(u64, u64, bool)],
    header: u64,
    data_at: u64,
) -> Vec<Case> {
    (0..file.len() as u64)
        .map(|cut| {
            let whole = records.iter().filter(|r| r.2 && r.1 <= cut).count() as u64;
            let bytes = file.get(..cut as usize).unwrap_or_default().to_vec();
            let name = format!("{name} cut at {cut}");
            if cut < header {
                return Case::new(name, bytes, 0, Some("Truncated"), Some(0));
            }
            if cut == header || records.iter().any(|r| r.1 == cut) {
                return Case::new(name, bytes, whole, None, None);
            }
            let offset = records.iter().find(|r| r.0 <= cut && cut < r.1).map(|r| {
                if data_at > 0 && cut >= r.0 + data_at {
                    r.0 + data_at
                } else {
                    r.0
                }
            });
            Case::new(name, bytes, whole, Some("Truncated"), offset)
        })
        .collect()
}

/// The PCAP cases.
pub fn pcap_cases() -> Vec<Case> {
    let mut cases = Vec::new();
    for e in [Endian::Little, Endian::Big] {
        let (file, records) = pcap_file(e, 3);
        cases.extend(truncations(
            &format!("{e:?} pcap file"),
            &file,
            &records,
            24,
            16,
        ));
        let (two, _) = pcap_file(e, 2);
        let at = two.len() as u64;
        let f = frame(9);
        let with = |rec: Vec<u8>| {
            let mut v = two.clone();
            v.extend(rec);
            v
        };
        let name = |what: &str| format!("{e:?} pcap: {what}");
        // Lying record lengths.
        cases.push(Case::new(
            name("caplen 4 GB - 1"),
            with(pcap_record(e, u32::MAX, u32::MAX, &f)),
            2,
            Some("FrameTooLarge"),
            Some(at),
        ));
        cases.push(Case::new(
            name("caplen just above the 128 MiB default"),
            with(pcap_record(e, (128 << 20) + 1, 60, &f)),
            2,
            Some("FrameTooLarge"),
            Some(at),
        ));
        cases.push(Case::new(
            name("caplen longer than the rest of the file"),
            with(pcap_record(e, f.len() as u32 + 1, 60, &f)),
            2,
            Some("Truncated"),
            Some(at + 16),
        ));
        cases.push(Case::new(
            name("caplen 0, origlen 0"),
            with(pcap_record(e, 0, 0, &[])),
            3,
            None,
            None,
        ));
        cases.push(Case::new(
            name("origlen 4 GB - 1"),
            with(pcap_record(e, f.len() as u32, u32::MAX, &f)),
            3,
            None,
            None,
        ));
        cases.push(Case::new(
            name("origlen 0 below caplen (a warning)"),
            with(pcap_record(e, f.len() as u32, 0, &f)),
            3,
            None,
            None,
        ));
        // Header fields at their extremes.
        for (what, snaplen, link) in [
            ("snaplen 0", 0, 1),
            ("snaplen 4 GB - 1", u32::MAX, 1),
            ("link type 4 GB - 1", 65_535, u32::MAX),
            ("link type 0 (NULL)", 65_535, 0),
        ] {
            let mut v = pcap_header(e, 2, snaplen, link);
            v.extend(pcap_record(e, f.len() as u32, f.len() as u32, &f));
            cases.push(Case::new(name(what), v, 1, None, None));
        }
        let mut v = pcap_header(e, 1, 65_535, 1);
        v.extend(pcap_record(e, f.len() as u32, f.len() as u32, &f));
        cases.push(Case::new(
            name("major version 1"),
            v,
            0,
            Some("UnsupportedVersion"),
            Some(0),
        ));
    }
    cases
}

// ---------------------------------------------------------------- PCAPNG

/// PCAPNG block types, with their names.
pub const BLOCK_TYPES: [(&str, u32); 11] = [
    ("SHB", 0x0A0D_0D0A),
    ("IDB", 1),
    ("PB", 2),
    ("SPB", 3),
    ("NRB", 4),
    ("ISB", 5),
    ("EPB", 6),
    ("journal", 9),
    ("DSB", 0x0A),
    ("custom", 0xBAD),
    ("unknown", 0x1234_5678),
];

/// A block: type, total length, body, total length (the length fields as given).
pub fn block_with_lengths(e: Endian, t: u32, lead: u32, body: &[u8], trail: u32) -> Vec<u8> {
    let mut v = u32b(t, e).to_vec();
    v.extend(u32b(lead, e));
    v.extend(body);
    v.extend(u32b(trail, e));
    v
}

/// A well-formed block around `body` (padded to 4 bytes).
pub fn block(e: Endian, t: u32, body: &[u8]) -> Vec<u8> {
    let mut body = body.to_vec();
    while !body.len().is_multiple_of(4) {
        body.push(0);
    }
    let len = 12 + body.len() as u32;
    block_with_lengths(e, t, len, &body, len)
}

/// An SHB body (no options).
pub fn shb_body(e: Endian) -> Vec<u8> {
    let mut v = u32b(0x1A2B_3C4D, e).to_vec();
    v.extend(u16b(1, e));
    v.extend(u16b(0, e));
    v.extend([0xff; 8]);
    v
}

/// An IDB body: Ethernet, snaplen 0, then `options` as given.
pub fn idb_body(e: Endian, options: &[u8]) -> Vec<u8> {
    let mut v = u16b(1, e).to_vec();
    v.extend([0, 0]);
    v.extend(u32b(0, e));
    v.extend(options);
    v
}

/// An EPB body whose header says `iface` / `caplen`, then `data` (padded) and
/// `options`.
pub fn epb_body(e: Endian, iface: u32, caplen: u32, data: &[u8], options: &[u8]) -> Vec<u8> {
    let mut v = Vec::new();
    for x in [iface, 0, 1_000_000, caplen, data.len() as u32] {
        v.extend(u32b(x, e));
    }
    v.extend(data);
    while !v.len().is_multiple_of(4) {
        v.push(0);
    }
    v.extend(options);
    v
}

/// An option (code, claimed length, value padded to 4).
pub fn option(e: Endian, code: u16, length: u16, value: &[u8]) -> Vec<u8> {
    let mut v = u16b(code, e).to_vec();
    v.extend(u16b(length, e));
    v.extend(value);
    while !v.len().is_multiple_of(4) {
        v.push(0);
    }
    v
}

/// A well-formed body for each block type (the filler byte 0xEE never forms a
/// matching length).
fn good_body(e: Endian, t: u32) -> Vec<u8> {
    match t {
        0x0A0D_0D0A => shb_body(e),
        1 => idb_body(e, &[]),
        2 => {
            let mut v = u16b(0, e).to_vec();
            v.extend(u16b(0, e));
            for x in [0, 1_000_000, 4, 4] {
                v.extend(u32b(x, e));
            }
            v.extend([0xee; 4]);
            v
        }
        3 => {
            let mut v = u32b(4, e).to_vec();
            v.extend([0xee; 4]);
            v
        }
        4 => {
            // one IPv4 record (1.2.3.4 "a"), then the end record
            let mut v = u16b(1, e).to_vec();
            v.extend(u16b(6, e));
            v.extend([1, 2, 3, 4, b'a', 0, 0, 0]);
            v.extend([0; 4]);
            v
        }
        5 => {
            let mut v = u32b(0, e).to_vec();
            v.extend(u32b(0, e));
            v.extend(u32b(1_000_000, e));
            v
        }
        6 => epb_body(e, 0, 4, &[0xee; 4], &[]),
        0x0A => {
            let mut v = u32b(0x544c_534b, e).to_vec();
            v.extend(u32b(4, e));
            v.extend([0xee; 4]);
            v
        }
        0xBAD => {
            let mut v = u32b(32_473, e).to_vec();
            v.extend([0xee; 4]);
            v
        }
        _ => vec![0xee; 8],
    }
}

/// SHB + IDB + two EPBs: a good start; returns the bytes and their frame count.
fn ng_start(e: Endian) -> Vec<u8> {
    let mut v = block(e, 0x0A0D_0D0A, &shb_body(e));
    v.extend(block(e, 1, &idb_body(e, &[])));
    for i in 0..2 {
        let f = frame(i);
        v.extend(block(e, 6, &epb_body(e, 0, f.len() as u32, &f, &[])));
    }
    v
}

/// A valid PCAPNG file: two sections (the second in the other byte order) with an
/// IDB, EPBs with options, an SPB, an ISB and an NRB each; and its blocks (start, end,
/// is a frame).
pub fn pcapng_file(e: Endian) -> (Vec<u8>, Vec<(u64, u64, bool)>) {
    let other = match e {
        Endian::Little => Endian::Big,
        Endian::Big => Endian::Little,
    };
    let mut v = Vec::new();
    let mut blocks = Vec::new();
    let mut push = |v: &mut Vec<u8>, b: Vec<u8>, is_frame: bool| {
        let start = v.len() as u64;
        v.extend(b);
        blocks.push((start, v.len() as u64, is_frame));
    };
    for (k, e) in [e, other].into_iter().enumerate() {
        push(&mut v, block(e, 0x0A0D_0D0A, &shb_body(e)), false);
        push(
            &mut v,
            block(e, 1, &idb_body(e, &option(e, 2, 4, b"eth0"))),
            false,
        );
        for i in 0..2u8 {
            let f = frame(i + 2 * k as u8);
            let body = epb_body(e, 0, f.len() as u32, &f, &option(e, 1, 3, b"hi!"));
            push(&mut v, block(e, 6, &body), true);
        }
        let f = frame(7);
        let mut spb = u32b(f.len() as u32, e).to_vec();
        spb.extend(&f);
        push(&mut v, block(e, 3, &spb), true);
        push(&mut v, block(e, 5, &good_body(e, 5)), false);
        push(&mut v, block(e, 4, &good_body(e, 4)), false);
    }
    (v, blocks)
}

/// The PCAPNG cases.
pub fn pcapng_cases() -> Vec<Case> {
    let mut cases = Vec::new();
    for e in [Endian::Little, Endian::Big] {
        let (file, blocks) = pcapng_file(e);
        let shb = blocks.first().map_or(0, |b| b.1);
        cases.extend(truncations(
            &format!("{e:?} pcapng file"),
            &file,
            &blocks,
            shb,
            0,
        ));

        let start = ng_start(e);
        let at = start.len() as u64;
        let name = |what: &str| format!("{e:?} pcapng: {what}");
        let tail = {
            let f = frame(5);
            block(e, 6, &epb_body(e, 0, f.len() as u32, &f, &[]))
        };
        for (tname, t) in BLOCK_TYPES {
            let body = good_body(e, t);
            let good = 12 + body.len() as u32;
            let min = match t {
                0x0A0D_0D0A => 28,
                1 => 20,
                2 | 6 => 32,
                3 | 0xBAD => 16,
                5 => 24,
                0x0A => 20,
                _ => 12,
            };
            let mut lies: Vec<(String, u32, u32, bool, &'static str)> = vec![
                ("total length 0".into(), 0, 0, true, "BlockTooShort"),
                (
                    format!("total length {} (below the minimum)", min - 4),
                    min - 4,
                    min - 4,
                    true,
                    "BlockTooShort",
                ),
                (
                    "total length not a multiple of 4".into(),
                    good + 1,
                    good + 1,
                    true,
                    "BlockLengthUnaligned",
                ),
                (
                    "total length 4 GB - 4".into(),
                    0xFFFF_FFFC,
                    0xFFFF_FFFC,
                    true,
                    "BlockTooLarge",
                ),
                (
                    "trailing length differs".into(),
                    good,
                    good + 4,
                    false,
                    "BlockLengthMismatch",
                ),
                (
                    "total length past the end of the file".into(),
                    good + 1024,
                    good + 1024,
                    true,
                    "Truncated",
                ),
                (
                    "total length past the end of the block, into the next".into(),
                    good + 4,
                    good + 4,
                    false,
                    "BlockLengthMismatch",
                ),
            ];
            for (what, lead, trail, last, kind) in lies.drain(..) {
                let mut v = start.clone();
                v.extend(block_with_lengths(e, t, lead, &body, trail));
                if !last {
                    v.extend(&tail);
                }
                let offset = match kind {
                    "BlockLengthMismatch" if lead == good => at + u64::from(good) - 4,
                    "BlockLengthMismatch" => at + u64::from(lead) - 4,
                    "Truncated" => at,
                    _ => at + 4,
                };
                cases.push(Case::new(
                    name(&format!("{tname} {what}")),
                    v,
                    2,
                    Some(kind),
                    Some(offset),
                ));
            }
        }
        // Length fields inside blocks.
        let f = frame(3);
        let inner: Vec<(&str, Vec<u8>, u64, Option<&'static str>)> = vec![
            (
                "EPB caplen 4 GB - 1",
                block(e, 6, &epb_body(e, 0, u32::MAX, &f, &[])),
                2,
                Some("CaplenExceedsBlock"),
            ),
            (
                "EPB caplen one above its data",
                block(e, 6, &epb_body(e, 0, f.len() as u32 + 4, &f, &[])),
                2,
                Some("CaplenExceedsBlock"),
            ),
            (
                "EPB caplen 0",
                block(e, 6, &epb_body(e, 0, 0, &[], &[])),
                3,
                None,
            ),
            (
                "EPB of an undefined interface",
                block(e, 6, &epb_body(e, 7, f.len() as u32, &f, &[])),
                2,
                Some("UnknownInterface"),
            ),
            (
                "EPB interface 4 G - 1",
                block(e, 6, &epb_body(e, u32::MAX, f.len() as u32, &f, &[])),
                2,
                Some("UnknownInterface"),
            ),
            (
                "EPB option longer than the block",
                block(
                    e,
                    6,
                    &epb_body(e, 0, f.len() as u32, &f, &option(e, 1, 0xFFFF, b"x")),
                ),
                2,
                Some("OptionOverrun"),
            ),
            (
                "IDB option longer than the block",
                block(e, 1, &idb_body(e, &option(e, 2, 200, b"eth0"))),
                2,
                Some("OptionOverrun"),
            ),
            (
                "PB caplen 4 GB - 1",
                block(e, 2, &{
                    let mut v = u16b(0, e).to_vec();
                    v.extend(u16b(0, e));
                    for x in [0, 1_000_000, u32::MAX, 4] {
                        v.extend(u32b(x, e));
                    }
                    v.extend([0xee; 4]);
                    v
                }),
                2,
                Some("CaplenExceedsBlock"),
            ),
            (
                "SPB original length 4 GB - 1",
                block(e, 3, &{
                    let mut v = u32b(u32::MAX, e).to_vec();
                    v.extend(&f);
                    v
                }),
                3,
                None,
            ),
            (
                "NRB record longer than the block",
                block(e, 4, &{
                    let mut v = u16b(1, e).to_vec();
                    v.extend(u16b(0xFFF0, e));
                    v.extend([1, 2, 3, 4, b'a', 0, 0, 0]);
                    v
                }),
                2,
                Some("RecordOverrun"),
            ),
            (
                "DSB secrets length 4 GB - 1",
                block(e, 0x0A, &{
                    let mut v = u32b(0x544c_534b, e).to_vec();
                    v.extend(u32b(u32::MAX, e));
                    v.extend([0xee; 4]);
                    v
                }),
                2,
                Some("SecretsOverrun"),
            ),
            (
                "SHB with a bad byte-order magic",
                block(e, 0x0A0D_0D0A, &{
                    let mut v = shb_body(e);
                    v[..4].copy_from_slice(&[1, 2, 3, 4]);
                    v
                }),
                2,
                Some("BadByteOrderMagic"),
            ),
            (
                "SHB version 2",
                block(e, 0x0A0D_0D0A, &{
                    let mut v = shb_body(e);
                    v[4..6].copy_from_slice(&u16b(2, e));
                    v
                }),
                2,
                Some("UnsupportedVersion"),
            ),
            (
                "SHB option longer than the block",
                block(e, 0x0A0D_0D0A, &{
                    let mut v = shb_body(e);
                    v.extend(option(e, 4, 0x100, b"app"));
                    v
                }),
                2,
                Some("OptionOverrun"),
            ),
            (
                "ISB option longer than the block",
                block(e, 5, &{
                    let mut v = good_body(e, 5);
                    v.extend(option(e, 4, 0x100, &[0; 8]));
                    v
                }),
                2,
                Some("OptionOverrun"),
            ),
            (
                "empty SHB section then an SPB",
                {
                    let mut v = block(e, 0x0A0D_0D0A, &shb_body(e));
                    v.extend(block(e, 3, &{
                        let mut b = u32b(f.len() as u32, e).to_vec();
                        b.extend(&f);
                        b
                    }));
                    v
                },
                2,
                Some("NoInterface"),
            ),
        ];
        for (what, blk, frames, kind) in inner {
            let mut v = start.clone();
            v.extend(blk);
            cases.push(Case::new(name(what), v, frames, kind, None));
        }
        // Zero-length blocks: minimal unknown and custom blocks are fine.
        let mut v = start.clone();
        v.extend(block(e, 0x1234_5678, &[]));
        v.extend(&tail);
        cases.push(Case::new(name("12-byte unknown block"), v, 3, None, None));
        // Many interfaces in one section: capped, a typed error.
        let mut v = block(e, 0x0A0D_0D0A, &shb_body(e));
        for _ in 0..5000 {
            v.extend(block(e, 1, &idb_body(e, &[])));
        }
        v.extend(&tail);
        cases.push(Case::new(
            name("5000 interfaces in a section"),
            v,
            0,
            Some("InterfaceLimit"),
            Some(28 + 4096 * 20),
        ));
    }
    cases
}

// ---------------------------------------------------------------- dissection

/// A frame that nests encapsulations deeper than any limit: (name, link type, bytes).
pub fn deep_frames() -> Vec<(&'static str, LinkType, Vec<u8>)> {
    let mut out = Vec::new();
    // 10 000 stacked 802.1Q tags.
    let mut v = vec![2, 0, 0, 0, 0, 2, 2, 0, 0, 0, 0, 1];
    for _ in 0..10_000 {
        v.extend([0x81, 0x00, 0x00, 0x01]);
    }
    v.extend([0x08, 0x00]);
    v.extend(build::ipv4([1, 1, 1, 1], [2, 2, 2, 2], 17, 1, 64, &[0; 8]));
    out.push(("10000 VLAN tags", LinkType::ETHERNET, v));
    // 802.1ad S-tags over C-tags, alternating.
    let mut v = vec![2, 0, 0, 0, 0, 2, 2, 0, 0, 0, 0, 1];
    for i in 0..2000 {
        v.extend(if i % 2 == 0 {
            [0x88, 0xa8, 0, 1]
        } else {
            [0x81, 0x00, 0, 1]
        });
    }
    v.extend([0x81, 0x00]);
    out.push(("2000 QinQ tags", LinkType::ETHERNET, v));
    // IPv4 in IPv4, 3000 deep (the outer lengths stop at 65535: the inner headers
    // overrun them, the dissector must still stop cleanly).
    let mut p = build::udp([1, 1, 1, 1], [2, 2, 2, 2], 1, 2, b"x");
    for i in 0..3000u16 {
        p = build::ipv4(
            [1, 1, 1, 1],
            [2, 2, 2, 2],
            if i == 0 { 17 } else { 4 },
            i,
            64,
            &p,
        );
    }
    out.push(("3000 IPv4-in-IPv4", LinkType::RAW, p));
    // IPv6 in IPv6, 1000 deep.
    let mut p = vec![0u8; 8];
    for _ in 0..1000 {
        let mut h = vec![0x60, 0, 0, 0];
        h.extend((p.len() as u16).to_be_bytes());
        h.extend([41, 64]);
        h.extend([0; 32]);
        h.extend(&p);
        p = h;
    }
    out.push(("1000 IPv6-in-IPv6", LinkType::IPV6, p));
    // An IPv6 header followed by 5000 destination-options headers.
    let mut h = vec![0x60, 0, 0, 0];
    h.extend((5000u16 * 8).to_be_bytes());
    h.extend([60, 64]);
    h.extend([0; 32]);
    for _ in 0..5000 {
        h.extend([60, 0, 1, 4, 0, 0, 0, 0]);
    }
    out.push(("5000 IPv6 destination options headers", LinkType::IPV6, h));
    // IPv4 total length 65535 in a 40-byte frame, IPv6 payload length 65535.
    let mut ip = build::ipv4([1, 1, 1, 1], [2, 2, 2, 2], 6, 1, 64, &[0; 20]);
    ip[2..4].copy_from_slice(&0xffffu16.to_be_bytes());
    out.push(("IPv4 total length 65535 in 40 bytes", LinkType::RAW, ip));
    let mut v6 = vec![0x60, 0, 0, 0, 0xff, 0xff, 6, 64];
    v6.extend([0; 32 + 20]);
    out.push(("IPv6 payload length 65535 in 92 bytes", LinkType::RAW, v6));
    // Zero-length and one-byte frames of every link type the dissector knows.
    for link in [
        LinkType::ETHERNET,
        LinkType::NULL,
        LinkType::LOOP,
        LinkType::RAW,
        LinkType::IPV4,
        LinkType::IPV6,
        LinkType::LINUX_SLL,
        LinkType::LINUX_SLL2,
    ] {
        out.push(("empty frame", link, Vec::new()));
        out.push(("one-byte frame", link, vec![0x45]));
    }
    out
}

/// The deep frames as one PCAPNG capture (one interface per link type).
pub fn deep_capture() -> Vec<u8> {
    let frames: Vec<OwnedFrame> = deep_frames()
        .into_iter()
        .enumerate()
        .map(|(i, (_, link, data))| OwnedFrame {
            number: i as u64 + 1,
            timestamp: Timestamp::new(1_700_000_000, 0),
            precision: Precision::Nano,
            caplen: data.len() as u32,
            origlen: data.len() as u32,
            link_type: link,
            snaplen: 0,
            interface: 0,
            offset: 0,
            data,
        })
        .collect();
    crate::write::pcapng_bytes(&frames, Endian::Little)
}
