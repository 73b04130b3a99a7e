//! Typed errors on damaged input: kind, context, offset and the Display text a user
//! sees. Inputs are built byte by byte.

use std::io::Cursor;

use pcapkit_core::{Context, Error, ErrorKind, Reader, ReaderOptions, Record};

fn le32(v: u32) -> [u8; 4] {
    v.to_le_bytes()
}

fn pcap_header() -> Vec<u8> {
    let mut v = vec![0xd4, 0xc3, 0xb2, 0xa1, 2, 0, 4, 0];
    v.extend([0; 8]);
    v.extend(le32(65_535));
    v.extend(le32(1));
    v
}

fn pcap_record(ts: u32, caplen: u32, origlen: u32, data: &[u8]) -> Vec<u8> {
    let mut v = Vec::new();
    for x in [ts, 0, caplen, origlen] {
        v.extend(le32(x));
    }
    v.extend(data);
    v
}

fn block(t: u32, body: &[u8]) -> Vec<u8> {
    let len = 12 + body.len() as u32;
    let mut v = le32(t).to_vec();
    v.extend(le32(len));
    v.extend(body);
    v.extend(le32(len));
    v
}

fn shb() -> Vec<u8> {
    let mut body = le32(0x1A2B_3C4D).to_vec();
    body.extend([1, 0, 0, 0]);
    body.extend([0xff; 8]);
    block(0x0A0D_0D0A, &body)
}

fn idb() -> Vec<u8> {
    let mut body = vec![1, 0, 0, 0];
    body.extend(le32(0));
    block(1, &body)
}

fn epb(iface: u32, data: &[u8], caplen: u32) -> Vec<u8> {
    let mut body = Vec::new();
    for x in [iface, 0, 1_000_000, caplen, caplen] {
        body.extend(le32(x));
    }
    body.extend(data);
    while body.len() % 4 != 0 {
        body.push(0);
    }
    block(6, &body)
}

/// Reads to the end; returns (frames, error) and checks both paths agree.
fn outcome(bytes: &[u8]) -> (usize, Error) {
    let mut results = Vec::new();
    for stream in [false, true] {
        let opts = ReaderOptions::default();
        let r = if stream {
            Reader::from_read(Cursor::new(bytes.to_vec()), opts)
        } else {
            Reader::from_bytes(bytes.to_vec(), opts)
        };
        let mut frames = 0;
        let err = match r {
            Err(e) => e,
            Ok(mut r) => loop {
                match r.next_record() {
                    Ok(Some(Record::Frame(_))) => frames += 1,
                    Ok(Some(_)) => {}
                    Ok(None) => panic!("expected an error"),
                    Err(e) => break e,
                }
            },
        };
        results.push((frames, err));
    }
    assert_eq!(results[0], results[1]);
    results.remove(0)
}

#[test]
fn unknown_magic() {
    let (n, e) = outcome(b"<html><body>not a capture</body></html>");
    assert_eq!(n, 0);
    assert_eq!(e.kind, ErrorKind::UnknownMagic { magic: *b"<htm" });
    assert_eq!(e.context, Context::Input);
    assert_eq!(
        e.to_string(),
        "input at byte offset 0: not a PCAP or PCAPNG file: magic bytes 3c 68 74 6d (PCAP \
         starts with a1b2c3d4 or a1b23c4d in either byte order, PCAPNG with 0a0d0d0a)"
    );
}

#[test]
fn empty_and_short_inputs() {
    let (_, e) = outcome(b"");
    assert_eq!(
        e.to_string(),
        "input at byte offset 0: truncated file magic: 4 bytes needed, only 0 left; the \
         capture was cut short"
    );
    let (_, e) = outcome(&pcap_header()[..10]);
    assert_eq!(
        e.to_string(),
        "PCAP global header at byte offset 0: truncated PCAP global header: 24 bytes needed, \
         only 10 left; the capture was cut short"
    );
}

#[test]
fn unsupported_version() {
    let mut h = pcap_header();
    h[4] = 1;
    let (_, e) = outcome(&h);
    assert_eq!(
        e.to_string(),
        "PCAP global header at byte offset 0: unsupported format version 1.4"
    );
}

#[test]
fn truncated_record_after_good_frames() {
    let mut b = pcap_header();
    b.extend(pcap_record(1, 4, 4, &[1, 2, 3, 4]));
    b.extend(pcap_record(2, 100, 100, &[0; 30]));
    let (n, e) = outcome(&b);
    assert_eq!(n, 1);
    assert_eq!(e.context, Context::PcapRecord { number: 2 });
    assert_eq!(e.offset, 24 + 20 + 16);
    assert_eq!(
        e.to_string(),
        "PCAP record 2 at byte offset 60: truncated packet data: 100 bytes needed, only 30 \
         left; the capture was cut short"
    );
    let mut b = pcap_header();
    b.extend([0; 7]);
    let (_, e) = outcome(&b);
    assert_eq!(
        e.to_string(),
        "PCAP record 1 at byte offset 24: truncated record header: 16 bytes needed, only 7 \
         left; the capture was cut short"
    );
}

#[test]
fn caplen_above_maximum() {
    let mut b = pcap_header();
    b.extend(pcap_record(1, u32::MAX, 60, &[0; 60]));
    let (n, e) = outcome(&b);
    assert_eq!(n, 0);
    assert_eq!(
        e.to_string(),
        "PCAP record 1 at byte offset 24: captured length 4294967295 is above the maximum \
         frame size 134217728; the file is damaged, or raise ReaderOptions::max_frame_size"
    );
}

#[test]
fn lying_caplen_on_a_stream_allocates_only_what_arrives() {
    let mut b = pcap_header();
    b.extend(pcap_record(1, 100 * 1024 * 1024, 60, &[0; 100]));
    let mut r = Reader::from_read(Cursor::new(b), ReaderOptions::default()).unwrap();
    assert!(matches!(r.next_record(), Ok(Some(Record::PcapHeader(_)))));
    let e = r.next_record().unwrap_err();
    assert!(e.is_truncated());
    assert!(
        r.buffer_capacity() <= 2 * pcapkit_core::DEFAULT_BUFFER_SIZE,
        "{}",
        r.buffer_capacity()
    );
}

#[test]
fn pcapng_block_length_errors() {
    // too short
    let mut b = shb();
    b.extend(le32(6));
    b.extend(le32(8));
    b.extend([0; 8]);
    let (_, e) = outcome(&b);
    assert_eq!(
        e.to_string(),
        "PCAPNG block 2 (Enhanced Packet Block) at byte offset 32: block total length 8 is \
         below the minimum of 32 for this block type; the file is damaged"
    );
    // not a multiple of 4
    let mut b = shb();
    b.extend(le32(0x1234));
    b.extend(le32(13));
    b.extend([0; 13]);
    let (_, e) = outcome(&b);
    assert_eq!(e.kind, ErrorKind::BlockLengthUnaligned { length: 13 });
    assert_eq!(
        e.to_string(),
        "PCAPNG block 2 (unknown block type) at byte offset 32: block total length 13 is not \
         a multiple of 4; the file is damaged"
    );
    // trailing length differs
    let mut b = shb();
    let mut bad = idb();
    let n = bad.len();
    bad[n - 4..].copy_from_slice(&le32(24));
    b.extend(bad);
    let (_, e) = outcome(&b);
    assert_eq!(
        e.to_string(),
        "PCAPNG block 2 (Interface Description Block) at byte offset 44: trailing block total \
         length 24 differs from the leading 20; the file is damaged"
    );
    // too large for the configured maximum
    let mut b = shb();
    b.extend(le32(6));
    b.extend(le32(0xffff_fff0));
    b.extend([0; 4]);
    let r = Reader::from_bytes(b, ReaderOptions::default().max_frame_size(1 << 20));
    let e = r.unwrap().next_frame().unwrap_err();
    assert_eq!(
        e.to_string(),
        "PCAPNG block 2 (Enhanced Packet Block) at byte offset 32: block total length \
         4294967280 is above the maximum of 1179648; the file is damaged, or raise \
         ReaderOptions::max_frame_size"
    );
}

#[test]
fn pcapng_interface_errors() {
    let mut b = shb();
    b.extend(idb());
    b.extend(epb(0, &[1, 2, 3], 3));
    b.extend(epb(2, &[1, 2, 3], 3));
    let (n, e) = outcome(&b);
    assert_eq!(n, 1);
    assert_eq!(
        e.to_string(),
        "PCAPNG block 4 (Enhanced Packet Block) at byte offset 92: interface id 2 has no \
         Interface Description Block in this section (1 defined)"
    );
    let mut b = shb();
    b.extend(block(3, &[4, 0, 0, 0, 9, 9, 9, 9]));
    let (_, e) = outcome(&b);
    assert_eq!(
        e.to_string(),
        "PCAPNG block 2 (Simple Packet Block) at byte offset 28: Simple Packet Block in a \
         section without an Interface Description Block"
    );
    // a new section forgets the interfaces of the previous one
    let mut b = shb();
    b.extend(idb());
    b.extend(shb());
    b.extend(epb(0, &[1], 1));
    let (_, e) = outcome(&b);
    assert_eq!(
        e.kind,
        ErrorKind::UnknownInterface {
            interface_id: 0,
            defined: 0
        }
    );
}

#[test]
fn pcapng_caplen_and_option_errors() {
    let mut b = shb();
    b.extend(idb());
    b.extend(epb(0, &[1, 2, 3, 4], 40));
    let (_, e) = outcome(&b);
    assert_eq!(
        e.to_string(),
        "PCAPNG block 3 (Enhanced Packet Block) at byte offset 76: captured length 40 exceeds \
         the 4 bytes of packet data in the block; the file is damaged"
    );
    // an if_name option claiming 200 bytes
    let mut body = vec![1, 0, 0, 0];
    body.extend(le32(0));
    body.extend([2, 0, 200, 0]);
    body.extend(*b"eth0");
    let mut b = shb();
    b.extend(block(1, &body));
    let (_, e) = outcome(&b);
    assert_eq!(
        e.kind,
        ErrorKind::OptionOverrun {
            code: 2,
            length: 200,
            available: 4
        }
    );
    assert_eq!(
        e.to_string(),
        "PCAPNG block 2 (Interface Description Block) at byte offset 44: option 2 claims 200 \
         bytes but only 4 are left in the block"
    );
    // bad byte-order magic in a second section
    let mut b = shb();
    let mut s2 = shb();
    s2[8..12].copy_from_slice(&[1, 2, 3, 4]);
    b.extend(s2);
    let (_, e) = outcome(&b);
    assert_eq!(
        e.to_string(),
        "PCAPNG block 2 (Section Header Block) at byte offset 36: byte-order magic 01 02 03 04 \
         is neither 1a2b3c4d nor 4d3c2b1a; the file is damaged"
    );
}

#[test]
fn io_errors_are_typed() {
    struct Broken;
    impl std::io::Read for Broken {
        fn read(&mut self, _: &mut [u8]) -> std::io::Result<usize> {
            Err(std::io::Error::new(
                std::io::ErrorKind::ConnectionReset,
                "connection reset",
            ))
        }
    }
    let e = Reader::from_read(Broken, ReaderOptions::default()).unwrap_err();
    assert_eq!(
        e.to_string(),
        "input at byte offset 0: I/O error: connection reset"
    );
    let e = Reader::open("/nonexistent/capture.pcap").unwrap_err();
    assert!(matches!(
        e.kind,
        ErrorKind::Io {
            kind: std::io::ErrorKind::NotFound,
            ..
        }
    ));
}

#[test]
fn warnings_for_odd_lengths() {
    let mut b = pcap_header();
    b[16..20].copy_from_slice(&le32(2));
    b.extend(pcap_record(1, 4, 3, &[1, 2, 3, 4]));
    let mut r = Reader::from_bytes(b, ReaderOptions::default()).unwrap();
    assert!(r.next_frame().unwrap().is_some());
    assert_eq!(r.warning_count(), 2);
    assert_eq!(
        r.warnings()[0].to_string(),
        "frame 1 at byte offset 24: captured length 4 is above the snapshot length 2"
    );
    assert_eq!(
        r.warnings()[1].to_string(),
        "frame 1 at byte offset 24: original length 3 is below the captured length 4"
    );
}

#[test]
fn pcapng_interfaces_per_section_are_capped() {
    let mut b = shb();
    for _ in 0..5 {
        b.extend(idb());
    }
    b.extend(epb(0, &[1, 2, 3], 3));
    // Five interfaces with a cap of four: an error at the fifth IDB (block 6, offset
    // 28 + 4 * 20), after the four before it.
    let opts = ReaderOptions::default().max_interfaces(4);
    let mut r = Reader::from_bytes(b.clone(), opts).unwrap();
    let e = r.next_frame().unwrap_err();
    assert_eq!(r.interfaces().len(), 4);
    assert_eq!(e.offset, 28 + 4 * 20);
    assert_eq!(
        e.kind,
        ErrorKind::InterfaceLimit {
            interfaces: 5,
            bytes: 100,
            max_interfaces: 4,
            max_bytes: 16 << 20,
        }
    );
    assert_eq!(
        e.to_string(),
        "PCAPNG block 6 (Interface Description Block) at byte offset 108: interface 5 (100 \
         bytes of interface blocks) is over the limit of 4 interfaces and 16777216 bytes per \
         section; the file is damaged, or raise ReaderOptions::max_interfaces / \
         max_interface_bytes"
    );
    // The byte budget: 60 bytes allow three 20-byte IDBs.
    let opts = ReaderOptions::default().max_interface_bytes(60);
    let e = Reader::from_bytes(b.clone(), opts)
        .unwrap()
        .next_frame()
        .unwrap_err();
    assert!(
        matches!(
            e.kind,
            ErrorKind::InterfaceLimit {
                interfaces: 4,
                bytes: 80,
                ..
            }
        ),
        "{e}"
    );
    // The default allows them all; a new section starts a new count.
    let mut r = Reader::from_bytes(b.clone(), ReaderOptions::default()).unwrap();
    assert!(r.next_frame().unwrap().is_some());
    assert_eq!(r.interfaces().len(), 5);
    let mut two = Vec::new();
    for _ in 0..2 {
        two.extend(shb());
        for _ in 0..3 {
            two.extend(idb());
        }
        two.extend(epb(2, &[1], 1));
    }
    let mut r = Reader::from_bytes(two, ReaderOptions::default().max_interfaces(3)).unwrap();
    assert!(r.next_frame().unwrap().is_some());
    assert!(r.next_frame().unwrap().is_some());
    assert!(r.next_frame().unwrap().is_none());
}
