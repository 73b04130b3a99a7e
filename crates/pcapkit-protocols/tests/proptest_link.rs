//! Property tests for the link-layer decoders: arbitrary bytes never panic (through
//! `dissect` for every link type with a decoder and `dissect_next` for every Next kind
//! that reaches a link-family decoder), layer offsets stay inside the frame, and headers
//! written by small emitters here parse back to what was written.

use std::net::Ipv4Addr;

use pcapkit_core::LinkType;
use pcapkit_protocols::consts::arp::{Hardware, Operation};
use pcapkit_protocols::consts::l2tp::Type;
use pcapkit_protocols::consts::reg::{EtherType, TransType};
use pcapkit_protocols::consts::vlan::PriorityLevel;
use pcapkit_protocols::link::{
    AddressFamily, Arp, HwAddr, L2tp, Llc, Loopback, Mpls, Ospf, Ppp, Pppoe, Sll, Sll2,
    SllProtocol, Snap, Tci, Vlan,
};
use pcapkit_protocols::ser::MacAddr;
use pcapkit_protocols::{
    Ctx, DissectOptions, Next, Packet, Parse, ProtoId, SerOptions, Transport, dissect, dissect_next,
};
use proptest::prelude::*;

fn check(p: &Packet<'_>, len: usize) {
    assert!(!p.layers().is_empty());
    for l in p.layers() {
        assert!(l.start <= l.header_end, "{l:?}");
        assert!(l.header_end <= l.end, "{l:?}");
        assert!(l.end <= len, "{l:?}");
    }
    serde_json::to_string(&p.layers_view(SerOptions::default())).unwrap();
    let _ = p.protocols().to_string();
}

const LINK_TYPES: [LinkType; 16] = [
    LinkType::ETHERNET,
    LinkType::NULL,
    LinkType::LOOP,
    LinkType::RAW,
    LinkType::IPV4,
    LinkType::IPV6,
    LinkType::LINUX_SLL,
    LinkType::LINUX_SLL2,
    LinkType(12),
    LinkType::PPP,
    LinkType::PPP_HDLC,
    LinkType::PPP_ETHER,
    LinkType::C_HDLC,
    LinkType::NFLOG,
    LinkType::IEEE802_11,
    LinkType::IEEE802_11_RADIOTAP,
];

fn nexts() -> Vec<Next> {
    let mut v: Vec<Next> = [
        0x0806u16, 0x8035, 0x8100, 0x88a8, 0x9100, 0x8863, 0x8864, 0x880b, 0x0800, 0x86dd, 0x8137,
        0x1234, 0x8847, 0x8848,
    ]
    .into_iter()
    .map(|t| Next::EtherType(EtherType(t)))
    .collect();
    v.push(Next::IpProto(TransType(89)));
    v.push(Next::Ports {
        transport: Transport::Udp,
        src: 1701,
        dst: 1701,
    });
    v.extend(
        [
            ProtoId::Llc,
            ProtoId::Snap,
            ProtoId::Ppp,
            ProtoId::Ospf,
            ProtoId::Mpls,
            ProtoId::CHdlc,
            ProtoId::Nflog,
            ProtoId::Gtp,
        ]
        .map(Next::Proto),
    );
    v
}

proptest! {
    #[test]
    fn link_types_never_panic(data in proptest::collection::vec(any::<u8>(), 0..200), i in 0usize..LINK_TYPES.len()) {
        let p = dissect(LINK_TYPES[i], &data, &DissectOptions::default());
        check(&p, data.len());
    }

    #[test]
    fn ethernet_with_link_family_ethertypes_never_panics(
        ty in prop::sample::select(vec![0x0806u16, 0x8035, 0x8100, 0x88a8, 0x9100, 0x8863, 0x8864, 0x880b, 0x0005, 0x05dc, 0x8847, 0x8848]),
        body in proptest::collection::vec(any::<u8>(), 0..120),
    ) {
        let mut frame = vec![0u8; 12];
        frame.extend_from_slice(&ty.to_be_bytes());
        frame.extend_from_slice(&body);
        let p = dissect(LinkType::ETHERNET, &frame, &DissectOptions::default());
        check(&p, frame.len());
        prop_assert!(p.get::<pcapkit_protocols::link::Ethernet>().is_some());
    }

    #[test]
    fn next_kinds_never_panic(data in proptest::collection::vec(any::<u8>(), 0..200), i in 0usize..24) {
        let nexts = nexts();
        let next = nexts[i % nexts.len()];
        let p = dissect_next(next, LinkType::ETHERNET, &data, &DissectOptions::default());
        check(&p, data.len());
    }

    #[test]
    fn mpls_round_trip(
        entries in proptest::collection::vec((0u32..1 << 20, 0u8..8, any::<u8>()), 1..8),
        payload in proptest::collection::vec(any::<u8>(), 0..40),
    ) {
        let mut b = Vec::new();
        for (i, &(label, tc, ttl)) in entries.iter().enumerate() {
            let bos = u32::from(i + 1 == entries.len());
            b.extend_from_slice(&(label << 12 | u32::from(tc) << 9 | bos << 8 | u32::from(ttl)).to_be_bytes());
        }
        b.extend_from_slice(&payload);
        let p = Mpls::parse(&b, &Ctx::default()).unwrap();
        prop_assert_eq!(p.header_len, 4 * entries.len());
        prop_assert_eq!(p.payload_len, payload.len());
        let got: Vec<_> = p.header.labels().map(|e| (e.label, e.tc, e.ttl, e.bos)).collect();
        let want: Vec<_> = entries
            .iter()
            .enumerate()
            .map(|(i, &(l, tc, ttl))| (l, tc, ttl, i + 1 == entries.len()))
            .collect();
        prop_assert_eq!(got, want);
    }

    #[test]
    fn vlan_round_trip(pcp in 0u8..8, dei: bool, vid in 0u16..4096, ty in 0x0600u16..) {
        let tci = Tci { pcp: PriorityLevel(pcp), dei, vid };
        let mut b = tci.to_bits().to_be_bytes().to_vec();
        b.extend_from_slice(&ty.to_be_bytes());
        let p = Vlan::parse(&b, &Ctx::default()).unwrap();
        prop_assert_eq!(p.header, Vlan { tci, ethertype: EtherType(ty) });
        prop_assert_eq!(Tci::from_bits(tci.to_bits()), tci);
    }

    #[test]
    fn arp_round_trip(
        oper in 1u16..30, sha: [u8; 6], spa: [u8; 4], tha: [u8; 6], tpa: [u8; 4],
        pad in proptest::collection::vec(any::<u8>(), 0..20),
    ) {
        let mut b = vec![0, 1, 8, 0, 6, 4];
        b.extend_from_slice(&oper.to_be_bytes());
        b.extend_from_slice(&sha);
        b.extend_from_slice(&spa);
        b.extend_from_slice(&tha);
        b.extend_from_slice(&tpa);
        b.extend_from_slice(&pad);
        let p = Arp::parse(&b, &Ctx::default()).unwrap();
        prop_assert_eq!(p.header, Arp {
            htype: Hardware::Ethernet,
            ptype: EtherType(0x0800),
            hlen: 6,
            plen: 4,
            oper: Operation(oper),
            sha: HwAddr::Mac(MacAddr(sha)),
            spa: HwAddr::Ipv4(Ipv4Addr::from(spa)),
            tha: HwAddr::Mac(MacAddr(tha)),
            tpa: HwAddr::Ipv4(Ipv4Addr::from(tpa)),
            len: 28,
        });
        prop_assert_eq!(p.payload_len, pad.len());
    }

    #[test]
    fn l2tp_round_trip(
        control: bool, len: bool, seq: bool, off: bool, prio: bool,
        tunnel: u16, session: u16, ns: u16, nr: u16, offset in 0u16..8,
        body in proptest::collection::vec(any::<u8>(), 0..20),
    ) {
        let flags = (u16::from(control) << 15) | (u16::from(len) << 14) | (u16::from(seq) << 11)
            | (u16::from(off) << 9) | (u16::from(prio) << 8) | 2;
        let hdr_len = 6 + 2 * (usize::from(len) + 2 * usize::from(seq) + usize::from(off))
            + if off { usize::from(offset) } else { 0 };
        let total = (hdr_len + body.len()) as u16;
        let mut b = flags.to_be_bytes().to_vec();
        if len { b.extend_from_slice(&total.to_be_bytes()); }
        b.extend_from_slice(&tunnel.to_be_bytes());
        b.extend_from_slice(&session.to_be_bytes());
        if seq { b.extend_from_slice(&ns.to_be_bytes()); b.extend_from_slice(&nr.to_be_bytes()); }
        if off { b.extend_from_slice(&offset.to_be_bytes()); b.extend(std::iter::repeat_n(0u8, offset.into())); }
        b.extend_from_slice(&body);
        let p = L2tp::parse(&b, &Ctx::default()).unwrap();
        let h = p.header;
        prop_assert_eq!(h.flags.ty, if control { Type::Control } else { Type::Data });
        prop_assert_eq!((h.flags.len, h.flags.seq, h.flags.offset, h.flags.prio), (len, seq, off, prio));
        prop_assert_eq!(h.length, len.then_some(total));
        prop_assert_eq!((h.tunnelid, h.sessionid), (tunnel, session));
        prop_assert_eq!((h.ns, h.nr), (seq.then_some(ns), seq.then_some(nr)));
        prop_assert_eq!(h.offset, off.then_some(offset));
        prop_assert_eq!(h.hdr_len, hdr_len);
        prop_assert_eq!(p.payload_len, body.len());
        prop_assert_eq!(p.next, if control { Next::End } else { Next::Proto(ProtoId::Ppp) });
    }

    #[test]
    fn ospf_round_trip(ty in 1u8..6, router: [u8; 4], area: [u8; 4], body in proptest::collection::vec(any::<u8>(), 0..40)) {
        let len = (24 + body.len()) as u16;
        let mut b = vec![2, ty];
        b.extend_from_slice(&len.to_be_bytes());
        b.extend_from_slice(&router);
        b.extend_from_slice(&area);
        b.extend_from_slice(&[0, 0, 0, 0]);
        b.extend_from_slice(&[0; 8]);
        b.extend_from_slice(&body);
        // Fill in the checksum so that it verifies.
        let mut sum: u32 = 0;
        let mut covered = b[..16].to_vec();
        covered.extend_from_slice(&b[24..]);
        if covered.len() % 2 == 1 { covered.push(0); }
        for c in covered.chunks(2) { sum += u32::from(u16::from_be_bytes([c[0], c[1]])); }
        while sum > 0xffff { sum = (sum & 0xffff) + (sum >> 16); }
        let ck = !(sum as u16);
        b[12..14].copy_from_slice(&ck.to_be_bytes());
        let p = Ospf::parse(&b, &Ctx::default()).unwrap();
        prop_assert_eq!(p.header.version, 2);
        prop_assert_eq!(p.header.ty.0, u16::from(ty));
        prop_assert_eq!(p.header.len, len);
        prop_assert_eq!(p.header.router_id, Ipv4Addr::from(router));
        prop_assert_eq!(p.header.area_id, Ipv4Addr::from(area));
        prop_assert_eq!(p.header.chksum, ck);
        prop_assert_eq!(p.header.checksum_ok, Some(true));
        prop_assert_eq!(p.payload_len, body.len());
    }

    #[test]
    fn loopback_round_trip(family in prop::sample::select(vec![2u32, 7, 16, 23, 24, 28, 30]), big: bool) {
        let b = if big { family.to_be_bytes() } else { family.to_le_bytes() };
        let p = Loopback::parse(&b, &Ctx::default()).unwrap();
        prop_assert_eq!(p.header.family, Some(AddressFamily(family)));
        prop_assert_eq!(p.header.ethertype, None);
    }

    #[test]
    fn sll_round_trip(pkttype in 0u16..8, hatype: u16, halen in 0u16..=8, addr: [u8; 8], proto in 0x0601u16..) {
        let mut b = pkttype.to_be_bytes().to_vec();
        b.extend_from_slice(&hatype.to_be_bytes());
        b.extend_from_slice(&halen.to_be_bytes());
        b.extend_from_slice(&addr);
        b.extend_from_slice(&proto.to_be_bytes());
        let p = Sll::parse(&b, &Ctx::default()).unwrap();
        prop_assert_eq!(p.header.pkttype.0, pkttype);
        prop_assert_eq!(p.header.hatype.0, hatype);
        prop_assert_eq!(p.header.halen, halen);
        prop_assert_eq!(p.header.addr, HwAddr::mac_or_hex(&addr[..usize::from(halen)]));
        prop_assert_eq!(p.header.protocol, SllProtocol::classify(hatype, proto));

        let mut b2 = proto.to_be_bytes().to_vec();
        b2.extend_from_slice(&[0, 0, 0, 0, 0, 9]);
        b2.extend_from_slice(&hatype.to_be_bytes());
        b2.push(pkttype as u8);
        b2.push(halen as u8);
        b2.extend_from_slice(&addr);
        let q = Sll2::parse(&b2, &Ctx::default()).unwrap();
        prop_assert_eq!(q.header.ifindex, 9);
        prop_assert_eq!(q.header.pkttype, p.header.pkttype);
        prop_assert_eq!(q.header.hatype, p.header.hatype);
        prop_assert_eq!(q.header.addr, p.header.addr);
        prop_assert_eq!(q.header.protocol, p.header.protocol);
    }

    #[test]
    fn pppoe_ppp_llc_snap_round_trip(session: u16, proto in 0x0100u16..0xff00, dsap: u8, ssap: u8, oui: [u8; 3], pid: u16) {
        let proto = proto & !0x0100; // even first byte: an uncompressed protocol field
        let mut b = vec![0x11, 0x00];
        b.extend_from_slice(&session.to_be_bytes());
        b.extend_from_slice(&2u16.to_be_bytes());
        b.extend_from_slice(&proto.to_be_bytes());
        let p = Pppoe::parse(&b, &Ctx::default()).unwrap();
        prop_assert_eq!((p.header.session_id, p.header.length), (session, 2));
        let q = Ppp::parse(&b[6..], &Ctx::default()).unwrap();
        prop_assert_eq!(q.header.protocol.0, proto);
        prop_assert_eq!(q.header_len, 2);

        let l = Llc::parse(&[dsap, ssap, 0x03], &Ctx::default()).unwrap();
        prop_assert_eq!((l.header.dsap.0, l.header.ssap.0, l.header.control), (dsap, ssap, 3));
        let mut s = oui.to_vec();
        s.extend_from_slice(&pid.to_be_bytes());
        let sn = Snap::parse(&s, &Ctx::default()).unwrap();
        prop_assert_eq!(sn.header.oui.0, oui);
        prop_assert_eq!(sn.header.pid.value(), pid);
    }
}
