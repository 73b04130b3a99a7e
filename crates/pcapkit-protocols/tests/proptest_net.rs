//! Property tests for ICMP, ICMPv6, IGMP, ESP, GRE, VXLAN, Geneve, SCTP, 802.11 and
//! radiotap: arbitrary
//! bytes (biased towards each protocol's known types and flags) never panic, whether
//! parsed directly or dissected (with the quoted/encapsulated layers below) and
//! serialized.

use pcapkit_core::LinkType;
use pcapkit_protocols::consts::reg::TransType;
use pcapkit_protocols::internet::{Esp, Gre, Icmp, Icmpv6, Igmp};
use pcapkit_protocols::link::{Geneve, Ieee80211, Ieee80211Fcs, Radiotap, Vxlan};
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
/// 802.11 first frame-control bytes: data, QoS data, null, QoS null, beacon, probe,
/// RTS, CTS, ACK, control wrapper, block ack, extension, version 1.
const WLAN_FC: &[u8] = &[
    0x08, 0x88, 0x48, 0xc8, 0x80, 0x40, 0xb4, 0xc4, 0xd4, 0x74, 0x94, 0x1c, 0x09,
];

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

    #[test]
    fn wlan_never_panics(data in led_by(WLAN_FC)) {
        if let Ok(p) = Ieee80211::parse(&data, &Ctx::default()) {
            serde_json::to_string(&p.header).expect("serializes");
            prop_assert!(p.header_len + p.payload_len <= data.len());
        }
        if let Ok(p) = Ieee80211Fcs::parse(&data, &Ctx::default()) {
            serde_json::to_string(&p.header).expect("serializes");
            prop_assert!(p.header_len + p.payload_len + 4 <= data.len());
        }
        dissect_and_serialize(Next::Link(LinkType::IEEE802_11), &data);
        dissect_and_serialize(Next::Link(LinkType::IEEE802_11_RADIOTAP), &data);
    }

    #[test]
    fn radiotap_never_panics(
        len in 0u16..48,
        present in prop_oneof![any::<u32>(), Just(0x8000_0002u32), Just(0x0000_002fu32)],
        rest in proptest::collection::vec(any::<u8>(), 0..120),
        fc in proptest::sample::select(WLAN_FC),
    ) {
        let mut data = vec![0, 0];
        data.extend_from_slice(&len.to_le_bytes());
        data.extend_from_slice(&present.to_le_bytes());
        data.extend_from_slice(&rest);
        if len >= 8
            && let Some(b) = data.get_mut(usize::from(len))
        {
            *b = fc;
        }
        if let Ok(p) = Radiotap::parse(&data, &Ctx::default()) {
            serde_json::to_string(&p.header).expect("serializes");
            prop_assert_eq!(p.header_len, usize::from(len));
        }
        dissect_and_serialize(Next::Link(LinkType::IEEE802_11_RADIOTAP), &data);
    }
}
