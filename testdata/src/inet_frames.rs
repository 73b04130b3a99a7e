//! `internet.pcap`: internet-layer cases the shared captures lack (HIP over IPv6 and
//! IPv4, IPv4 options, every IPv6 option kind, RPL and type-2 routing, Mobility Header
//! messages and options, AH over IPv4, IPv6 fragments, IPX over Ethernet II), built byte
//! by byte so tshark can check the decoders.

use pcapkit_core::{LinkType, PcapWriter, PcapWriterOptions, RawFrame, Timestamp};

use crate::build;

const A: [u8; 6] = [0x02, 0, 0, 0, 0, 0x11];
const B: [u8; 6] = [0x02, 0, 0, 0, 0, 0x22];
const SRC6: [u8; 16] = [0x20, 0x01, 0x0d, 0xb8, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 1];
const DST6: [u8; 16] = [0x20, 0x01, 0x0d, 0xb8, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 2];
const HIT_I: [u8; 16] = [
    0x20, 0x01, 0x00, 0x2a, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0x0a,
];
const HIT_R: [u8; 16] = [
    0x20, 0x01, 0x00, 0x2a, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0x0b,
];

fn ipv6(nh: u8, payload: &[u8]) -> Vec<u8> {
    let mut v = vec![0x60, 0x02, 0x34, 0x56];
    v.extend_from_slice(&(payload.len() as u16).to_be_bytes());
    v.extend_from_slice(&[nh, 64]);
    v.extend_from_slice(&SRC6);
    v.extend_from_slice(&DST6);
    v.extend_from_slice(payload);
    v
}

/// An IPv4 header with `options` (padded to 4 bytes) and a valid checksum.
fn ipv4_opts(proto: u8, options: &[u8], payload: &[u8]) -> Vec<u8> {
    let mut opts = options.to_vec();
    while !opts.len().is_multiple_of(4) {
        opts.push(0);
    }
    let ihl = 20 + opts.len();
    let total = (ihl + payload.len()) as u16;
    let mut h = vec![0x40 | (ihl / 4) as u8, 0x28];
    h.extend_from_slice(&total.to_be_bytes());
    h.extend_from_slice(&[0x12, 0x34, 0x00, 0x00, 64, proto, 0, 0]);
    h.extend_from_slice(&[10, 0, 0, 1, 10, 0, 0, 2]);
    h.extend_from_slice(&opts);
    let c = build::checksum(&h);
    h[10..12].copy_from_slice(&c.to_be_bytes());
    h.extend_from_slice(payload);
    h
}

fn tlv(ty: u8, data: &[u8]) -> Vec<u8> {
    let mut v = vec![ty, data.len() as u8];
    v.extend_from_slice(data);
    v
}

/// An options header (Hop-by-Hop / Destination) padded with PadN/Pad1 to 8n bytes.
fn opts_header(next: u8, options: &[Vec<u8>]) -> Vec<u8> {
    let mut v = vec![next, 0];
    for o in options {
        v.extend_from_slice(o);
    }
    let pad = (8 - v.len() % 8) % 8;
    match pad {
        0 => {}
        1 => v.push(0),
        n => v.extend_from_slice(&tlv(1, &vec![0; n - 2])),
    }
    v[1] = (v.len() / 8 - 1) as u8;
    v
}

fn hip_param(ty: u16, contents: &[u8]) -> Vec<u8> {
    let mut v = ty.to_be_bytes().to_vec();
    v.extend_from_slice(&(contents.len() as u16).to_be_bytes());
    v.extend_from_slice(contents);
    while !v.len().is_multiple_of(8) {
        v.push(0);
    }
    v
}

fn hip(packet: u8, params: &[Vec<u8>]) -> Vec<u8> {
    let body: Vec<u8> = params.concat();
    let len = (40 + body.len()) / 8 - 1;
    let mut v = vec![59, len as u8, packet, 0x21, 0, 0, 0, 0];
    v.extend_from_slice(&HIT_I);
    v.extend_from_slice(&HIT_R);
    v.extend_from_slice(&body);
    v
}

fn mh(ty: u8, body: &[u8]) -> Vec<u8> {
    let mut v = vec![59, 0, ty, 0, 0, 0];
    v.extend_from_slice(body);
    assert!(v.len() % 8 == 0, "MH messages are 8n bytes");
    v[1] = (v.len() / 8 - 1) as u8;
    v
}

/// The frames, in order (see the module doc).
pub fn frames() -> Vec<Vec<u8>> {
    let udp = |payload: &[u8]| -> Vec<u8> {
        let mut u = vec![0x9c, 0x40, 0x00, 0x09];
        u.extend_from_slice(&((8 + payload.len()) as u16).to_be_bytes());
        u.extend_from_slice(&[0, 0]);
        u.extend_from_slice(payload);
        u
    };
    let eth6 = |p: Vec<u8>| build::ethernet(B, A, 0x86dd, &p);
    let eth4 = |p: Vec<u8>| build::ethernet(B, A, build::ETHERTYPE_IPV4, &p);
    let mut out = Vec::new();

    // 1. HIPv2 R1 over IPv6 with the usual parameters.
    let r1 = hip(
        2,
        &[
            hip_param(129, &[0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 7]),
            hip_param(257, &[10, 37, 0xab, 0xcd, 1, 2, 3, 4, 5, 6, 7, 8]),
            hip_param(513, &[9, 0, 4, 0xde, 0xad, 0xbe, 0xef]),
            hip_param(579, &[0, 4, 0, 2]),
            hip_param(
                705,
                &[0, 6, 0x10, 3, 0, 7, 0, 1, 9, 9, 9, 9, b'a', b'.', b'b'],
            ),
            hip_param(715, &[0x10, 0x20]),
            hip_param(511, &[9, 8, 7]),
            hip_param(2049, &[0x0f, 0xff]),
            hip_param(61633, &[0, 7, 0x55, 0x55, 0x55, 0x55]),
        ],
    );
    out.push(eth6(ipv6(139, &r1)));
    // 2. HIPv2 I1 over IPv4 (protocol 139).
    let i1 = hip(1, &[hip_param(511, &[9, 8, 7])]);
    out.push(eth4(ipv4_opts(139, &[], &i1)));
    // 3. IPv4 options: NOP, SID, TR, QS request, RR with 2 slots, EOOL.
    let v4 = |code: u8, data: &[u8]| {
        let mut v = vec![code, data.len() as u8 + 2];
        v.extend_from_slice(data);
        v
    };
    let mut o = vec![1];
    o.extend(v4(136, &[0x12, 0x34]));
    o.extend(v4(82, &[0, 1, 0, 2, 0, 3, 192, 0, 2, 1]));
    o.extend(v4(25, &[0x03, 30, 0, 0, 0, 0x0c]));
    o.extend(v4(7, &[4, 0, 0, 0, 0, 0, 0, 0, 0]));
    o.push(0);
    out.push(eth4(ipv4_opts(17, &o, &udp(b"v4 options"))));
    // 4. IPv6 Hop-by-Hop with many option kinds -> Destination options -> MH Binding
    //    Update with mobility options.
    let hbh = opts_header(
        60,
        &[
            tlv(0x04, &[3]),
            tlv(0x07, &[0, 0, 0, 1, 1, 2, 0xab, 0xcd, 0xf0, 0, 0, 0]),
            tlv(0x0f, &[1, 2, 0, 3, 0, 4, 0, 5, 0, 6]),
            tlv(0x26, &[0x07, 9, 0, 0, 0, 4]),
            tlv(0x63, &[0xa0, 7, 0x01, 0x00]),
            tlv(0x6d, &[0x60, 5, 0x12, 0x34]),
            tlv(0xee, &[0x60, 0, 9]),
            tlv(0x8b, &[1, 2, 3, 4]),
        ],
    );
    let dst = opts_header(135, &[tlv(0xc9, &SRC6), tlv(0x8c, &[2, 0xaa, 0xbb])]);
    let mut bu = vec![0, 37, 0xd0, 0, 0, 3];
    bu.extend(tlv(2, &[0, 5]));
    bu.extend(tlv(4, &[0, 7, 0, 9]));
    bu.extend(tlv(1, &[]));
    bu.extend(tlv(3, &DST6));
    bu.extend(tlv(1, &[0, 0, 0, 0]));
    let mut p = hbh;
    p.extend(dst);
    p.extend(mh(5, &bu));
    out.push(eth6(ipv6(0, &p)));
    // 5. IPv6 RPL source route (type 3): CmprI 15, CmprE 15, 3 addresses, pad 5.
    let mut rpl = vec![
        17, 1, 3, 3, 0xff, 0x50, 0, 0, 0x05, 0x06, 0x07, 0, 0, 0, 0, 0,
    ];
    rpl.extend(udp(b"rpl"));
    out.push(eth6(ipv6(43, &rpl)));
    // 6. IPv6 type-2 routing -> MH Binding Acknowledgement.
    let mut rt2 = vec![135, 2, 2, 1, 0, 0, 0, 0];
    rt2.extend_from_slice(&SRC6);
    rt2.extend(mh(6, &[0, 0x80, 0, 42, 0, 8, 1, 2, 0, 0]));
    out.push(eth6(ipv6(43, &rt2)));
    // 7. AH over IPv4, then IPv4-in-IPv4 carrying UDP.
    let inner = ipv4_opts(17, &[], &udp(b"inner"));
    let mut ah = vec![4, 4, 0, 0, 0, 0, 0x01, 0x00, 0, 0, 0, 32];
    ah.extend_from_slice(&[0xaa; 12]);
    ah.extend(inner);
    out.push(eth4(ipv4_opts(51, &[], &ah)));
    // 8. IPv6 first fragment: Fragment -> Destination options -> UDP.
    let mut f1 = vec![60, 0, 0x00, 0x01, 0, 0, 0x12, 0x34];
    f1.extend(opts_header(17, &[]));
    f1.extend(udp(&[0x61; 16]));
    out.push(eth6(ipv6(44, &f1)));
    // 9. IPv6 non-first fragment (offset 3 units).
    let mut f2 = vec![17, 0, 0x00, 0x18, 0, 0, 0x12, 0x34];
    f2.extend_from_slice(&[0x62; 16]);
    out.push(eth6(ipv6(44, &f2)));
    // 10. IPX over Ethernet II (0x8137): RIP to the broadcast node.
    let mut ipx = vec![0xff, 0xff, 0, 40, 0, 1];
    ipx.extend_from_slice(&[0, 0, 0, 0, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0x04, 0x53]);
    ipx.extend_from_slice(&[0, 0, 0, 1, 0x02, 0, 0, 0, 0, 0x11, 0x04, 0x53]);
    ipx.extend_from_slice(&[0, 1, 0xff, 0xff, 0xff, 0xff, 0, 0, 0, 0]);
    out.push(build::ethernet(B, A, 0x8137, &ipx));
    out
}

/// The capture: Ethernet, little endian, microseconds.
pub fn internet_pcap() -> Vec<u8> {
    let mut w = PcapWriter::new(Vec::new(), PcapWriterOptions::default()).expect("Vec");
    for (i, data) in frames().iter().enumerate() {
        let ts = Timestamp::new(1_700_000_100 + i as i64, 0);
        let f = RawFrame::new(
            i as u64 + 1,
            ts,
            LinkType::ETHERNET,
            data.len() as u32,
            data,
        );
        w.write_frame(&f).expect("valid frame");
    }
    w.into_inner()
}
