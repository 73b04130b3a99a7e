//! Property tests for the issue-10 application parsers (DNS family, DHCP, DHCPv6, NTP,
//! SIP, TLS, QUIC, SNMP): arbitrary bytes, and bytes that look like each protocol, never
//! panic through the parsers, the port dispatch and serialization.

use pcapkit_core::LinkType;
use pcapkit_protocols::application::{Dhcp, Dhcpv6, Dns, DnsTcp, Ntp, Quic, Sip, Snmp, Tls};
use pcapkit_protocols::{Ctx, DissectOptions, Next, Parse, SerOptions, Transport, dissect_next};
use proptest::prelude::*;

/// The ports of the decoders added here.
const PORTS: &[u16] = &[53, 67, 68, 123, 161, 162, 443, 546, 547, 5060, 5353, 5355];

fn check(p: &pcapkit_protocols::Packet<'_>) {
    assert!(!p.layers().is_empty());
    serde_json::to_string(&p.layers_view(SerOptions::default())).unwrap();
    let _ = p.protocols().to_string();
}

/// Bytes shaped like a DNS message: a header with small counts, then labels, pointers
/// and record bodies.
fn dnsish() -> impl Strategy<Value = Vec<u8>> {
    let piece = prop_oneof![
        Just(vec![3, b'w', b'w', b'w', 0]),
        Just(vec![0xc0, 12]),
        Just(vec![0xc0, 0]),
        Just(vec![0, 1, 0, 1]),
        Just(vec![0, 1, 0, 1, 0, 0, 0, 60, 0, 4, 1, 2, 3, 4]),
        Just(vec![0, 41, 4, 0xd0, 0, 0, 0x80, 0, 0, 4, 0, 10, 0, 0]),
        proptest::collection::vec(any::<u8>(), 0..8),
    ];
    (
        any::<[u8; 4]>(),
        proptest::collection::vec(0u8..4, 4),
        proptest::collection::vec(piece, 0..10),
    )
        .prop_map(|(idf, counts, pieces)| {
            let mut m = idf.to_vec();
            for c in counts {
                m.extend_from_slice(&[0, c]);
            }
            m.extend(pieces.concat());
            m
        })
}

proptest! {
    #[test]
    fn dns_parsers_never_panic(data in prop_oneof![proptest::collection::vec(any::<u8>(), 0..300), dnsish()]) {
        for ports in [None, Some((53, 40000)), Some((5353, 5353)), Some((40000, 5355))] {
            let ctx = Ctx { ports, ..Ctx::default() };
            if let Ok(p) = Dns::parse(&data, &ctx) {
                serde_json::to_string(&p.header).unwrap();
                prop_assert!(p.header.questions.len() + p.header.records().count() <= data.len() / 5);
            }
            let mut seg = (data.len() as u16).to_be_bytes().to_vec();
            seg.extend_from_slice(&data);
            if let Ok(p) = DnsTcp::parse(&seg, &ctx) {
                serde_json::to_string(&p.header).unwrap();
            }
        }
    }

    #[test]
    fn payloads_on_the_new_ports_never_panic(
        data in proptest::collection::vec(any::<u8>(), 0..400),
        port in proptest::sample::select(PORTS),
        other in any::<u16>(),
    ) {
        for transport in [Transport::Tcp, Transport::Udp] {
            for (src, dst) in [(port, other), (other, port)] {
                check(&dissect_next(Next::Ports { transport, src, dst }, LinkType::NULL, &data, &DissectOptions::default()));
            }
        }
    }
}

/// Bytes shaped like TLS records with handshake messages inside.
fn tlsish() -> impl Strategy<Value = Vec<u8>> {
    let piece = prop_oneof![
        Just(vec![22, 3, 1, 0, 40]),
        Just(vec![20, 3, 3, 0, 1, 1]),
        Just(vec![23, 3, 3, 0, 3, 1, 2, 3]),
        Just(vec![1, 0, 0, 36, 3, 3]),
        Just(vec![2, 0, 0, 8]),
        Just(vec![11, 0, 0, 9, 0, 0, 6, 0, 0, 3]),
        Just(vec![0, 0, 0, 6, 0, 4, 0, 0, 1, b'a']),
        Just(vec![0, 16, 0, 5, 0, 3, 2, b'h', b'2']),
        Just(vec![0, 43, 0, 3, 2, 3, 4]),
        proptest::collection::vec(any::<u8>(), 0..40),
    ];
    proptest::collection::vec(piece, 1..10).prop_map(|v| v.concat())
}

proptest! {
    #[test]
    fn tls_parser_never_panics(data in prop_oneof![proptest::collection::vec(any::<u8>(), 0..300), tlsish()]) {
        if let Ok(p) = Tls::parse(&data, &Ctx::default()) {
            serde_json::to_string(&p.header).unwrap();
            prop_assert!(p.header.records().count() <= data.len() / 5);
        }
        check(&dissect_next(Next::Ports { transport: Transport::Tcp, src: 443, dst: 50000 }, LinkType::NULL, &data, &DissectOptions::default()));
    }
}

proptest! {
    #[test]
    fn dhcp_and_ntp_parsers_never_panic(
        head in proptest::collection::vec(any::<u8>(), 0..260),
        opts in proptest::collection::vec(any::<u8>(), 0..80),
        cookie in any::<bool>(),
    ) {
        let mut data = head.clone();
        if cookie && data.len() >= 236 {
            data.truncate(236);
            data.extend_from_slice(&[99, 130, 83, 99]);
        }
        data.extend_from_slice(&opts);
        if let Ok(p) = Dhcp::parse(&data, &Ctx::default()) {
            serde_json::to_string(&p.header).unwrap();
            prop_assert!(p.header.options().count() <= data.len());
        }
        if let Ok(p) = Ntp::parse(&data, &Ctx::default()) {
            serde_json::to_string(&p.header).unwrap();
        }
        if let Ok(p) = Dhcpv6::parse(&opts, &Ctx::default()) {
            serde_json::to_string(&p.header).unwrap();
            prop_assert!(p.header.options().count() <= opts.len() / 4);
        }
    }
}

proptest! {
    #[test]
    fn quic_parser_never_panics(
        first in any::<u8>(),
        version in prop_oneof![Just(0u32), Just(1), Just(0x6b33_43cf), Just(0xff00_001d), any::<u32>()],
        rest in proptest::collection::vec(any::<u8>(), 0..200),
    ) {
        let mut data = vec![first | 0x80];
        data.extend_from_slice(&version.to_be_bytes());
        data.extend_from_slice(&rest);
        if let Ok(p) = Quic::parse(&data, &Ctx::default()) {
            serde_json::to_string(&p.header).unwrap();
            prop_assert!(p.header.packets().count() <= data.len() / 7);
        }
        check(&dissect_next(Next::Ports { transport: Transport::Udp, src: 50000, dst: 4443 }, LinkType::NULL, &data, &DissectOptions::default()));
    }
}

proptest! {
    #[test]
    fn sip_parser_never_panics(
        pieces in proptest::collection::vec(prop_oneof![
            Just(b"INVITE sip:a@b SIP/2.0\r\n".to_vec()),
            Just(b"SIP/2.0 200 OK\r\n".to_vec()),
            Just(b"Via: x\r\n".to_vec()),
            Just(b"\r\n".to_vec()),
            Just(b"\n".to_vec()),
            proptest::collection::vec(any::<u8>(), 0..12),
        ], 0..8),
    ) {
        let data = pieces.concat();
        if let Ok(p) = Sip::parse(&data, &Ctx::default()) {
            serde_json::to_string(&p.header).unwrap();
        }
        for transport in [Transport::Tcp, Transport::Udp] {
            check(&dissect_next(Next::Ports { transport, src: 5060, dst: 5060 }, LinkType::NULL, &data, &DissectOptions::default()));
        }
    }
}

/// Bytes shaped like an SNMP message: nested BER elements with SNMP's tags and lengths
/// that may or may not fit.
fn snmpish() -> impl Strategy<Value = Vec<u8>> {
    let tags = prop_oneof![
        Just(0x02u8),
        Just(0x04),
        Just(0x05),
        Just(0x06),
        Just(0x30),
        Just(0x40),
        Just(0x43),
        (0xa0u8..=0xa9),
        any::<u8>()
    ];
    let element = (
        tags,
        0u8..0x90,
        proptest::collection::vec(any::<u8>(), 0..12),
    );
    (0u8..=4, proptest::collection::vec(element, 0..12)).prop_map(|(version, elems)| {
        let mut body = vec![0x02, 0x01, version];
        for (tag, len, content) in elems {
            body.push(tag);
            body.push(len);
            body.extend_from_slice(&content);
        }
        let mut m = vec![0x30];
        if body.len() < 0x80 {
            m.push(body.len() as u8);
        } else {
            m.extend_from_slice(&[0x81, body.len() as u8]);
        }
        m.extend_from_slice(&body);
        m
    })
}

proptest! {
    #[test]
    fn snmp_parser_never_panics(data in prop_oneof![proptest::collection::vec(any::<u8>(), 0..200), snmpish()]) {
        if let Ok(p) = Snmp::parse(&data, &Ctx::default()) {
            serde_json::to_string(&p.header).unwrap();
            prop_assert_eq!(p.header_len, data.len());
        }
        for port in [161, 162] {
            check(&dissect_next(Next::Ports { transport: Transport::Udp, src: 40000, dst: port }, LinkType::NULL, &data, &DissectOptions::default()));
        }
    }
}
