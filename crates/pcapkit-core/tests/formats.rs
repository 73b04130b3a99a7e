//! Format variants the shared captures do not cover: modified (Kuznetzov) PCAP, the
//! obsolete Packet Block, systemd journal and unknown blocks, options of every kind,
//! multiple sections in both byte orders. Built byte by byte.

use pcapkit_core::pcapng::{Block, OptionValue, TsResolution};
use pcapkit_core::{
    Endian, FrameMeta, LinkType, PcapngWriter, PcapngWriterOptions, Reader, ReaderOptions, Record,
    Timestamp,
};

fn read(bytes: Vec<u8>) -> Reader {
    Reader::from_bytes(bytes, ReaderOptions::default()).unwrap()
}

#[test]
fn kuznetzov_modified_pcap() {
    let mut b = vec![0x34, 0xcd, 0xb2, 0xa1, 2, 0, 4, 0, 0, 0, 0, 0, 0, 0, 0, 0];
    b.extend(65_535u32.to_le_bytes());
    b.extend(1u32.to_le_bytes());
    for (i, data) in [&[1u8, 2, 3][..], &[4, 5]].iter().enumerate() {
        for v in [100 + i as u32, 250_000, data.len() as u32, 60] {
            b.extend(v.to_le_bytes());
        }
        b.extend([0u8; 8]); // ifindex, protocol, pkt_type, pad
        b.extend(*data);
    }
    let mut r = read(b);
    let h = *r.pcap_header().unwrap();
    assert!(h.modified && !h.nanosecond);
    let f = r.next_frame().unwrap().unwrap();
    assert_eq!(
        (f.timestamp, f.data),
        (Timestamp::new(100, 250_000_000), &[1u8, 2, 3][..])
    );
    let f = r.next_frame().unwrap().unwrap();
    assert_eq!((f.number, f.data, f.origlen), (2, &[4u8, 5][..], 60));
    assert!(r.next_frame().unwrap().is_none());
}

/// Raw block bytes in `e` order.
fn block(e: Endian, t: u32, body: &[u8]) -> Vec<u8> {
    let put = |v: u32| match e {
        Endian::Little => v.to_le_bytes(),
        Endian::Big => v.to_be_bytes(),
    };
    let mut body = body.to_vec();
    while body.len() % 4 != 0 {
        body.push(0);
    }
    let len = 12 + body.len() as u32;
    let mut v = put(t).to_vec();
    v.extend(put(len));
    v.extend(body);
    v.extend(put(len));
    v
}

#[test]
fn obsolete_packet_block_journal_and_unknown_blocks() {
    let e = Endian::Big;
    let mut w = PcapngWriter::new(
        Vec::new(),
        PcapngWriterOptions {
            endian: e,
            user_appl: None,
        },
    )
    .unwrap();
    w.add_interface(&pcapkit_core::InterfaceSpec::new(LinkType::ETHERNET, 0))
        .unwrap();
    // PB: iface 0, drops 3, ts 1.5 s (ns resolution), caplen 4, origlen 9, data, pack_flags
    let mut pb = Vec::new();
    pb.extend(0u16.to_be_bytes());
    pb.extend(3u16.to_be_bytes());
    pb.extend(0u32.to_be_bytes());
    pb.extend(1_500_000_000u32.to_be_bytes());
    pb.extend(4u32.to_be_bytes());
    pb.extend(9u32.to_be_bytes());
    pb.extend([0xde, 0xad, 0xbe, 0xef]);
    pb.extend(2u16.to_be_bytes());
    pb.extend(4u16.to_be_bytes());
    pb.extend(1u32.to_be_bytes()); // inbound
    w.write_block(2, &pb).unwrap();
    w.write_block(9, b"MESSAGE=hello\n__REALTIME_TIMESTAMP=1\n")
        .unwrap();
    w.write_block(0x0000_1234, &[7, 7, 7, 7]).unwrap();
    let mut r = read(w.into_inner());
    let mut kinds = Vec::new();
    while let Some(rec) = r.next_record().unwrap() {
        match rec {
            Record::Frame(f) => {
                assert_eq!(f.timestamp, Timestamp::new(1, 500_000_000));
                assert_eq!(
                    (f.caplen, f.origlen, f.data),
                    (4, 9, &[0xde, 0xad, 0xbe, 0xef][..])
                );
                let FrameMeta::Pcapng(m) = f.meta else {
                    panic!()
                };
                assert_eq!((m.block_type, m.drop_count, m.section), (2, Some(3), 1));
                let flags = m.options.get(2).unwrap();
                assert_eq!(flags.name(2), "pack_flags");
                let OptionValue::Flags(fl) = flags.value else {
                    panic!()
                };
                assert_eq!(fl.direction(), 1);
                kinds.push("PB");
            }
            Record::Block(Block::SystemdJournal(j)) => {
                assert_eq!(j.entry(), b"MESSAGE=hello\n__REALTIME_TIMESTAMP=1\n");
                kinds.push("journal");
            }
            Record::Block(Block::Unknown(u)) => {
                assert_eq!((u.block_type, u.body), (0x1234, &[7u8, 7, 7, 7][..]));
                kinds.push("unknown");
            }
            Record::Block(b) => kinds.push(b.pypcapkit_name()),
            Record::PcapHeader(_) => panic!(),
        }
    }
    assert_eq!(
        kinds,
        [
            "Section Header",
            "Interface Description",
            "PB",
            "journal",
            "unknown"
        ]
    );
}

#[test]
fn sections_switch_byte_order_and_forget_interfaces() {
    let r = Reader::open(pcapkit_testdata::committed_captures_dir().join("multi-section.pcapng"));
    let mut r = r.unwrap();
    let mut seen = Vec::new();
    while let Some(rec) = r.next_record().unwrap() {
        if let Record::Block(Block::SectionHeader(s)) = &rec {
            seen.push((s.number, s.endian));
        }
        if let Record::Block(Block::InterfaceDescription(i)) = &rec {
            seen.push((i.interface_id, Endian::native()));
        }
    }
    assert_eq!(seen[0], (1, Endian::Little));
    assert_eq!(seen[3], (2, Endian::Big));
    let s = r.section().unwrap();
    assert_eq!((s.number, s.endian), (2, Endian::Big));
    let ifaces = r.interfaces();
    assert_eq!(ifaces.len(), 1);
    assert_eq!(
        (ifaces[0].tsresol, ifaces[0].tsoffset),
        (TsResolution::Decimal(3), -1000)
    );
    assert_eq!(ifaces[0].snaplen, 1500);
}

#[test]
fn interface_options_are_typed() {
    let mut r =
        Reader::open(pcapkit_testdata::committed_captures_dir().join("multi-section.pcapng"))
            .unwrap();
    // reading one frame reads the SHB and IDBs before it
    r.next_frame().unwrap().unwrap();
    let eth0 = &r.interfaces()[0];
    assert_eq!(eth0.name().as_deref(), Some("eth0"));
    assert_eq!(eth0.tsresol, TsResolution::Binary(20));
    assert_eq!(eth0.tsoffset, 1_600_000_000);
    let values: Vec<_> = eth0.options().iter().map(|o| o.value).collect();
    assert_eq!(
        values,
        [
            OptionValue::Text("eth0".into()),
            OptionValue::TsResol(TsResolution::Binary(20)),
            OptionValue::TsOffset(1_600_000_000),
            OptionValue::EndOfOpt
        ]
    );
    let shb = r.section().unwrap().options();
    assert_eq!(
        shb.get(4).unwrap().value,
        OptionValue::Text("pcapkit-testdata".into())
    );
    assert!(r.frames().all(|f| f.is_ok()));
}

#[test]
fn custom_block_that_should_not_be_copied() {
    let mut b = block(Endian::Little, 0x0A0D_0D0A, &{
        let mut v = 0x1A2B_3C4Du32.to_le_bytes().to_vec();
        v.extend([1, 0, 0, 0]);
        v.extend([0xff; 8]);
        v
    });
    b.extend(block(
        Endian::Little,
        0x4000_0BAD,
        &[0xd9, 0x7e, 0, 0, b'h', b'i'],
    ));
    let mut r = read(b);
    r.next_record().unwrap();
    let Some(Record::Block(Block::Custom(c))) = r.next_record().unwrap() else {
        panic!()
    };
    assert!(!c.copyable());
    assert_eq!((c.pen, c.data), (32473, &b"hi\0\0"[..]));
    assert_eq!(c.raw.len(), 20);
}
