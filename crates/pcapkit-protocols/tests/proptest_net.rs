//! Property tests for ICMP, ICMPv6, IGMP, ESP, GRE, VXLAN, Geneve and SCTP: arbitrary
//! bytes (biased towards each protocol's known types and flags) never panic, whether
//! parsed directly or dissected (with the quoted/encapsulated layers below) and
//! serialized.

use pcapkit_core::LinkType;
use pcapkit_protocols::consts::reg::TransType;
use pcapkit_protocols::internet::{Esp, Gre, Icmp, Icmpv6, Igmp};
use pcapkit_protocols::link::{Geneve, Vxlan};
use pcapkit_protocols::transport::Sctp;
use pcapkit_protocols::{Ctx, DissectOptions, Next, Parse, SerOptions, Transport, dissect_next};
use proptest::prelude::*;

fn dissect_and_serialize(next: Next, data: &[u8]) {
    let p = dissect_next(next, LinkType::ETHERNET, data, &DissectOptions::default());
    let _ = p.protocols().to_string();
    serde_json::to_string(&p.layers_view(SerOptions::default())).expect("serializes");
}

/// `first` bytes chosen from `firsts` (or anything), then arbitrary bytes.
fn led_by(firsts: &'static [u8]) -> impl Strategy<Value = Vec<u8>> {
    (
        prop_oneof![proptest::sample::select(firsts), any::<u8>()],
        any::<u8>(),
        proptest::collection::vec(any::<u8>(), 0..160),
    )
        .prop_map(|(a, b, mut rest)| {
            rest.splice(0..0, [a, b]);
            rest
        })
}

const ICMP_TYPES: &[u8] = &[0, 3, 4, 5, 8, 9, 10, 11, 12, 13, 14, 17, 18];
const ICMPV6_TYPES: &[u8] = &[
    1, 2, 3, 4, 128, 129, 130, 131, 132, 133, 134, 135, 136, 137, 143,
];
const IGMP_TYPES: &[u8] = &[0x11, 0x12, 0x16, 0x17, 0x22];
const GRE_FLAGS: &[u8] = &[0x00, 0x80, 0x20, 0x10, 0xb0, 0xf0, 0x30, 0x40];

proptest! {
    #![proptest_config(ProptestConfig { cases: 2000, ..ProptestConfig::default() })]

    #[test]
    fn icmp_never_panics(data in led_by(ICMP_TYPES)) {
        if let Ok(p) = Icmp::parse(&data, &Ctx::default()) {
            serde_json::to_string(&p.header).expect("serializes");
        }
        dissect_and_serialize(Next::IpProto(TransType::ICMP), &data);
    }

    #[test]
    fn icmpv6_never_panics(data in led_by(ICMPV6_TYPES)) {
        if let Ok(p) = Icmpv6::parse(&data, &Ctx::default()) {
            serde_json::to_string(&p.header).expect("serializes");
        }
        dissect_and_serialize(Next::IpProto(TransType::IPv6_ICMP), &data);
    }

    #[test]
    fn igmp_never_panics(data in led_by(IGMP_TYPES)) {
        if let Ok(p) = Igmp::parse(&data, &Ctx::default()) {
            serde_json::to_string(&p.header).expect("serializes");
        }
        dissect_and_serialize(Next::IpProto(TransType::IGMP), &data);
    }

    #[test]
    fn esp_gre_sctp_never_panic(data in led_by(GRE_FLAGS)) {
        if let Ok(p) = Esp::parse(&data, &Ctx::default()) {
            serde_json::to_string(&p.header).expect("serializes");
        }
        if let Ok(p) = Gre::parse(&data, &Ctx::default()) {
            serde_json::to_string(&p.header).expect("serializes");
        }
        if let Ok(p) = Sctp::parse(&data, &Ctx::default()) {
            serde_json::to_string(&p.header).expect("serializes");
        }
        dissect_and_serialize(Next::IpProto(TransType::ESP), &data);
        dissect_and_serialize(Next::IpProto(TransType::GRE), &data);
        dissect_and_serialize(Next::IpProto(TransType::SCTP), &data);
    }

    #[test]
    fn vxlan_geneve_never_panic(data in led_by(&[0x08, 0x00, 0x01, 0x3f])) {
        if let Ok(p) = Vxlan::parse(&data, &Ctx::default()) {
            serde_json::to_string(&p.header).expect("serializes");
        }
        if let Ok(p) = Geneve::parse(&data, &Ctx::default()) {
            serde_json::to_string(&p.header).expect("serializes");
        }
        for dst in [4789, 6081] {
            dissect_and_serialize(Next::Ports { transport: Transport::Udp, src: 50000, dst }, &data);
        }
    }
}
