//! Internet layer: IPv4, IPv6 and its extension headers, AH, ESP, Mobility Header, HIP,
//! IPX, ICMP, ICMPv6, IGMP, GRE, and the protocols an IP protocol number selects.

mod ah;
pub(crate) mod common;
mod esp;
mod gre;
pub mod hip;
pub mod icmp;
pub mod icmpv6;
mod igmp;
pub mod ipv4;
pub mod ipv6;
mod ipx;
pub mod mh;

pub use ah::Ah;
pub use common::{BeList, Ipv4List, Ipv6List, Ipv6Prefix};
pub use esp::Esp;
pub use gre::Gre;
pub(crate) use gre::next_of as gre_next;
pub use hip::Hip;
pub use icmp::Icmp;
pub use icmpv6::Icmpv6;
pub use igmp::Igmp;
pub use ipv4::Ipv4;
pub use ipv6::{ExtHeader, Hopopt, Ipv6, Ipv6Frag, Ipv6Opts, Ipv6Route};
pub use ipx::{Ipx, IpxAddr};
pub use mh::Mh;

use crate::ProtoId;
use crate::consts::reg::TransType;

/// The decoder for an IP protocol number / IPv6 next header.
///
/// The IPv6 extension headers are listed for when they follow something other than IPv6
/// (IPv4, AH); inside IPv6 they are walked by the IPv6 layer itself.
pub fn by_ip_proto(p: TransType) -> Option<ProtoId> {
    match p {
        TransType::HOPOPT => Some(ProtoId::Hopopt),
        TransType::ICMP => Some(ProtoId::Icmp),
        TransType::IGMP => Some(ProtoId::Igmp),
        TransType::IPv4 => Some(ProtoId::Ipv4),
        TransType::TCP => Some(ProtoId::Tcp),
        TransType::UDP => Some(ProtoId::Udp),
        TransType::IPv6 => Some(ProtoId::Ipv6),
        TransType::IPv6_Route => Some(ProtoId::Ipv6Route),
        TransType::IPv6_Frag => Some(ProtoId::Ipv6Frag),
        TransType::GRE => Some(ProtoId::Gre),
        TransType::ESP => Some(ProtoId::Esp),
        TransType::AH => Some(ProtoId::Ah),
        TransType::IPv6_ICMP => Some(ProtoId::Icmpv6),
        TransType::IPv6_Opts => Some(ProtoId::Ipv6Opts),
        TransType::IPX_in_IP => Some(ProtoId::Ipx),
        TransType::Mobility_Header => Some(ProtoId::Mh),
        TransType::HIP => Some(ProtoId::Hip),
        TransType::OSPFIGP => Some(ProtoId::Ospf),
        TransType::SCTP => Some(ProtoId::Sctp),
        _ => None,
    }
}

#[cfg(test)]
mod tests {
    use pcapkit_core::LinkType;

    use crate::consts::reg::{EtherType, TransType};
    use crate::misc::Raw;
    use crate::protocol::RawProto;
    use crate::{DissectOptions, Next, Packet, Protocol, SerOptions, Stop, dissect, dissect_next};

    use super::*;

    fn eth(ethertype: u16, payload: &[u8]) -> Vec<u8> {
        let mut b = vec![0x02, 0, 0, 0, 0, 1, 0x02, 0, 0, 0, 0, 2];
        b.extend_from_slice(&ethertype.to_be_bytes());
        b.extend_from_slice(payload);
        b
    }

    fn ipv4(proto: u8, options: &[u8], payload: &[u8]) -> Vec<u8> {
        let ihl = 20 + options.len();
        let total = (ihl + payload.len()) as u16;
        let mut b = vec![0x40 | (ihl / 4) as u8, 0];
        b.extend_from_slice(&total.to_be_bytes());
        b.extend_from_slice(&[0, 1, 0x40, 0, 64, proto, 0, 0, 192, 0, 2, 1, 192, 0, 2, 2]);
        b.extend_from_slice(options);
        let sum = !common::ones_complement_sum(&b);
        b[10..12].copy_from_slice(&sum.to_be_bytes());
        b.extend_from_slice(payload);
        b
    }

    fn ipv6(nh: u8, ext_and_payload: &[u8]) -> Vec<u8> {
        let mut b = vec![0x60, 0, 0, 0];
        b.extend_from_slice(&(ext_and_payload.len() as u16).to_be_bytes());
        b.extend_from_slice(&[nh, 64]);
        b.extend_from_slice(&[0xfe, 0x80, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 1]);
        b.extend_from_slice(&[0xff, 0x02, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0x16]);
        b.extend_from_slice(ext_and_payload);
        b
    }

    fn chain(p: &Packet<'_>) -> String {
        p.protocols().to_string()
    }

    fn last_raw<'p>(p: &'p Packet<'_>) -> &'p Raw {
        match &p.layers().last().unwrap().header {
            Protocol::Raw(r) => r,
            other => panic!("expected raw, got {other:?}"),
        }
    }

    const UDP: [u8; 8] = [0x04, 0xd2, 0x00, 0x35, 0x00, 0x08, 0x00, 0x00];

    #[test]
    fn ethertypes_select_ipv4_ipv6_ipx() {
        let f = eth(0x0800, &ipv4(17, &[], &UDP));
        let p = dissect(LinkType::ETHERNET, &f, &DissectOptions::default());
        assert_eq!(chain(&p), "Ethernet:IPv4:UDP");
        assert!(p.protocols().contains("IP"));
        let f = eth(0x86dd, &ipv6(17, &UDP));
        let p = dissect(LinkType::ETHERNET, &f, &DissectOptions::default());
        assert_eq!(chain(&p), "Ethernet:IPv6:UDP");
        let mut ipx = vec![0xff, 0xff, 0, 30, 0, 4];
        ipx.extend_from_slice(&[0; 24]);
        let f = eth(0x8137, &ipx);
        let p = dissect(LinkType::ETHERNET, &f, &DissectOptions::default());
        assert_eq!(chain(&p), "Ethernet:IPX");
    }

    #[test]
    fn ip_in_ip_and_ah_over_ipv4() {
        let inner = ipv6(17, &UDP);
        let f = ipv4(41, &[], &inner);
        let p = dissect_next(
            Next::EtherType(EtherType(0x0800)),
            LinkType::RAW,
            &f,
            &DissectOptions::default(),
        );
        assert_eq!(chain(&p), "IPv4:IPv6:UDP");
        let f = ipv4(4, &[], &ipv4(17, &[], &UDP));
        let p = dissect_next(
            Next::IpProto(TransType::IPv4),
            LinkType::RAW,
            &f,
            &DissectOptions::default(),
        );
        assert_eq!(chain(&p), "IPv4:IPv4:UDP");
        // AH over IPv4 is its own layer: ipv4.ah.<next>.
        let mut ah = vec![6, 4, 0, 0, 0, 0, 1, 0, 0, 0, 0, 32];
        ah.extend_from_slice(&[0xaa; 12]);
        // A bare TCP SYN 1 -> 2 (data offset 5).
        ah.extend_from_slice(&[
            0, 1, 0, 2, 0, 0, 0, 0, 0, 0, 0, 0, 0x50, 0x02, 0, 0, 0, 0, 0, 0,
        ]);
        let f = eth(0x0800, &ipv4(51, &[], &ah));
        let p = dissect(LinkType::ETHERNET, &f, &DissectOptions::default());
        assert_eq!(chain(&p), "Ethernet:IPv4:AH:TCP");
        let v = serde_json::to_value(p.layers_view(SerOptions {
            layer_packets: false,
        }))
        .unwrap();
        assert_eq!(v["ethernet"]["ipv4"]["ah"]["spi"], 256);
        assert_eq!(v["ethernet"]["ipv4"]["ah"]["tcp"]["dstport"]["port"], 2);
    }

    #[test]
    fn pypcapkit_bug_26_router_alert_zero_keeps_the_ipv4_layer() {
        // IGMP with Router Alert 0, as in pcapplusplus__ipv4-options.pcap frame 3.
        let f = eth(
            0x0800,
            &ipv4(2, &[148, 4, 0, 0], &[0x11, 0x64, 0xee, 0x9b, 0, 0, 0, 0]),
        );
        let p = dissect(LinkType::ETHERNET, &f, &DissectOptions::default());
        assert_eq!(chain(&p), "Ethernet:IPv4:IGMP");
        assert!(p.error().is_none());
        let v = serde_json::to_value(p.layers_view(SerOptions {
            layer_packets: false,
        }))
        .unwrap();
        assert_eq!(
            v["ethernet"]["ipv4"]["options"]["OptionNumber::RTRALT [148]"][0]["alert"],
            "RouterAlert::Unknown [0]"
        );
    }

    #[test]
    fn a_bad_option_does_not_lose_the_ipv4_layer() {
        // A SID option of length 5 (must be 4), then padding.
        let f = eth(0x0800, &ipv4(17, &[136, 5, 0, 0, 0, 0, 0, 0], &UDP));
        let p = dissect(LinkType::ETHERNET, &f, &DissectOptions::default());
        assert_eq!(chain(&p), "Ethernet:IPv4:UDP");
        let v = serde_json::to_value(p.layers_view(SerOptions {
            layer_packets: false,
        }))
        .unwrap();
        let sid = &v["ethernet"]["ipv4"]["options"]["OptionNumber::SID [136]"][0];
        assert!(
            sid["error"].as_str().unwrap().contains("length must be 4"),
            "{sid}"
        );
    }

    #[test]
    fn pypcapkit_bug_22_mld_with_padn_zero_decodes() {
        let mut ext = vec![58, 0, 5, 2, 0, 0, 1, 0];
        ext.extend_from_slice(&[143, 0, 0, 0, 0, 0, 0, 0]);
        let f = eth(0x86dd, &ipv6(0, &ext));
        let p = dissect(LinkType::ETHERNET, &f, &DissectOptions::default());
        assert_eq!(chain(&p), "Ethernet:IPv6:HOPOPT:ICMPv6");
    }

    #[test]
    fn pypcapkit_bug_21_esp_and_bad_extension_headers_keep_ipv6() {
        let mut ext = vec![50, 0, 1, 4, 0, 0, 0, 0];
        ext.extend_from_slice(&[0, 0, 1, 0, 0, 0, 0, 1, 0xde, 0xad]);
        let f = eth(0x86dd, &ipv6(60, &ext));
        let p = dissect(LinkType::ETHERNET, &f, &DissectOptions::default());
        assert_eq!(chain(&p), "Ethernet:IPv6:IPv6-Opts:ESP:Raw");
        assert_eq!(last_raw(&p).protocol, RawProto::None);
        assert_eq!(last_raw(&p).note, Some(esp::ENCRYPTED));
        assert!(p.error().is_none());
        // A Routing header whose length runs past the packet: IPv6 stays, the routing
        // header's bytes are raw with the error.
        let f = eth(0x86dd, &ipv6(43, &[17, 6, 0, 0, 0, 0, 0, 0]));
        let p = dissect(LinkType::ETHERNET, &f, &DissectOptions::default());
        assert_eq!(chain(&p), "Ethernet:IPv6:Raw");
        let raw = last_raw(&p);
        assert_eq!(raw.protocol, RawProto::TransType(TransType::IPv6_Route));
        let e = raw.error.as_ref().unwrap();
        assert_eq!(e.offset, 14 + 40);
        assert_eq!(e.layer, "IPv6-Route");
    }

    #[test]
    fn pypcapkit_bug_20_fragments_through_the_dissector() {
        let mut ext = vec![17, 0, 0, 1, 0, 0, 0, 9];
        ext.extend_from_slice(&UDP);
        let f = eth(0x86dd, &ipv6(44, &ext));
        let p = dissect(LinkType::ETHERNET, &f, &DissectOptions::default());
        assert_eq!(chain(&p), "Ethernet:IPv6:IPv6-Frag:UDP");
        assert_eq!(p.payload(&p.layers()[1]), &UDP);
        let mut ext = vec![17, 0, 0x05, 0x01, 0, 0, 0, 9];
        ext.extend_from_slice(&UDP);
        let f = eth(0x86dd, &ipv6(44, &ext));
        let p = dissect(LinkType::ETHERNET, &f, &DissectOptions::default());
        assert_eq!(chain(&p), "Ethernet:IPv6:IPv6-Frag:Raw");
        assert_eq!(last_raw(&p).note, Some(ipv4::NON_FIRST_FRAGMENT));
        // IPv4 non-first fragment.
        let mut b = ipv4(17, &[], &UDP);
        b[6] = 0x00;
        b[7] = 0x02;
        let p = dissect_next(
            Next::EtherType(EtherType(0x0800)),
            LinkType::RAW,
            &b,
            &DissectOptions::default(),
        );
        assert_eq!(chain(&p), "IPv4:Raw");
        let v = serde_json::to_value(p.layers_view(SerOptions {
            layer_packets: false,
        }))
        .unwrap();
        assert_eq!(v["ipv4"]["raw"]["note"], "non-first fragment");
        assert_eq!(v["ipv4"]["raw"]["protocol"], "TransType::UDP [17]");
    }

    #[test]
    fn stop_conditions_name_extension_headers() {
        let mut ext = vec![17, 0, 1, 4, 0, 0, 0, 0];
        ext.extend_from_slice(&UDP);
        let f = eth(0x86dd, &ipv6(60, &ext));
        let opts = DissectOptions {
            stop: Stop {
                protocol: Some("ipv6-opts".into()),
                ..Stop::default()
            },
            ..DissectOptions::default()
        };
        let p = dissect(LinkType::ETHERNET, &f, &opts);
        assert_eq!(chain(&p), "Ethernet:IPv6:IPv6-Opts:Raw");
        assert_eq!(last_raw(&p).protocol, RawProto::None);
    }

    #[test]
    fn mobility_header_chain_and_nopayload() {
        let mh = [59, 0, 0, 0, 0, 0, 0, 0];
        let f = ipv6(135, &mh);
        let p = dissect_next(
            Next::EtherType(EtherType(0x86dd)),
            LinkType::RAW,
            &f,
            &DissectOptions::default(),
        );
        assert_eq!(chain(&p), "IPv6:MH");
        let v = serde_json::to_value(p.layers_view(SerOptions {
            layer_packets: false,
        }))
        .unwrap();
        assert_eq!(
            v["ipv6"]["mh"]["type"],
            "Packet::Binding_Refresh_Request [0]"
        );
        assert_eq!(v["ipv6"]["hdr_len"], 48);
        assert_eq!(v["ipv6"]["protocol"], "TransType::IPv6_NoNxt [59]");
        assert!(v["ipv6"]["nopayload"].is_object());
    }

    #[test]
    fn hip_inside_ipv6_and_over_ipv4() {
        let hip = hip::tests::i1();
        let f = ipv6(139, &hip);
        let p = dissect_next(
            Next::EtherType(EtherType(0x86dd)),
            LinkType::RAW,
            &f,
            &DissectOptions::default(),
        );
        assert_eq!(chain(&p), "IPv6:HIPv2");
        let v = serde_json::to_value(p.layers_view(SerOptions {
            layer_packets: false,
        }))
        .unwrap();
        assert_eq!(v["ipv6"]["hipv2"]["type"], "Packet::I1 [1]");
        let f = ipv4(139, &[], &hip);
        let p = dissect_next(
            Next::EtherType(EtherType(0x0800)),
            LinkType::RAW,
            &f,
            &DissectOptions::default(),
        );
        assert_eq!(chain(&p), "IPv4:HIPv2");
        let v = serde_json::to_value(p.layers_view(SerOptions {
            layer_packets: false,
        }))
        .unwrap();
        assert_eq!(v["ipv4"]["hip"]["version"], 2);
    }

    fn json(p: &Packet<'_>) -> serde_json::Value {
        serde_json::to_value(p.layers_view(SerOptions {
            layer_packets: false,
        }))
        .unwrap()
    }

    #[test]
    fn icmp_error_dissects_the_quoted_datagram() {
        // Port unreachable quoting an IPv4/UDP datagram (IP header + 8 bytes).
        let quoted = ipv4(17, &[], &UDP);
        let mut icmp = vec![3, 3, 0, 0, 0, 0, 0, 0];
        icmp.extend_from_slice(&quoted);
        let sum = !common::ones_complement_sum(&icmp);
        icmp[2..4].copy_from_slice(&sum.to_be_bytes());
        let f = eth(0x0800, &ipv4(1, &[], &icmp));
        let p = dissect(LinkType::ETHERNET, &f, &DissectOptions::default());
        assert_eq!(chain(&p), "Ethernet:IPv4:ICMP:IPv4:UDP");
        assert!(p.error().is_none());
        let v = json(&p);
        let icmp = &v["ethernet"]["ipv4"]["icmp"];
        assert_eq!(icmp["type"], "Type::Destination_Unreachable [3]");
        assert_eq!(icmp["code"], "DestinationUnreachable::Port_Unreachable [3]");
        assert_eq!(icmp["checksum_ok"], true);
        assert_eq!(icmp["ipv4"]["dst"], "192.0.2.2");
        assert_eq!(icmp["ipv4"]["udp"]["dstport"]["port"], 53);
        // Echo: the data stays raw.
        let mut echo = vec![8, 0, 0, 0, 0, 1, 0, 1, b'x'];
        let sum = !common::ones_complement_sum(&echo);
        echo[2..4].copy_from_slice(&sum.to_be_bytes());
        let f = eth(0x0800, &ipv4(1, &[], &echo));
        let p = dissect(LinkType::ETHERNET, &f, &DissectOptions::default());
        assert_eq!(chain(&p), "Ethernet:IPv4:ICMP:Raw");
    }

    #[test]
    fn icmpv6_error_dissects_the_quoted_packet() {
        let quoted = ipv6(17, &UDP);
        let mut m = vec![1, 4, 0, 0, 0, 0, 0, 0];
        m.extend_from_slice(&quoted);
        let f = eth(0x86dd, &ipv6(58, &m));
        let p = dissect(LinkType::ETHERNET, &f, &DissectOptions::default());
        assert_eq!(chain(&p), "Ethernet:IPv6:ICMPv6:IPv6:UDP");
        let v = json(&p);
        assert_eq!(
            v["ethernet"]["ipv6"]["icmpv6"]["ipv6"]["udp"]["srcport"]["port"],
            1234
        );
        // ND: options are part of the message, no payload layer.
        let mut ns = vec![135, 0, 0, 0, 0, 0, 0, 0];
        ns.extend_from_slice(&[0xfe, 0x80, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 2]);
        ns.extend_from_slice(&[1, 1, 2, 0, 0, 0, 0, 1]);
        let f = eth(0x86dd, &ipv6(58, &ns));
        let p = dissect(LinkType::ETHERNET, &f, &DissectOptions::default());
        assert_eq!(chain(&p), "Ethernet:IPv6:ICMPv6");
        let v = json(&p);
        assert_eq!(v["ethernet"]["ipv6"]["icmpv6"]["checksum_ok"], false);
        assert_eq!(
            v["ethernet"]["ipv6"]["icmpv6"]["options"][0]["addr"],
            "02:00:00:00:00:01"
        );
    }

    #[test]
    fn gre_dispatches_by_ethertype() {
        let f = eth(
            0x0800,
            &ipv4(
                47,
                &[],
                &[&[0, 0, 0x08, 0][..], &ipv4(17, &[], &UDP)].concat(),
            ),
        );
        let p = dissect(LinkType::ETHERNET, &f, &DissectOptions::default());
        assert_eq!(chain(&p), "Ethernet:IPv4:GRE:IPv4:UDP");
        let f = eth(
            0x0800,
            &ipv4(
                47,
                &[],
                &[&[0x20, 0, 0x86, 0xdd, 0, 0, 0, 9][..], &ipv6(17, &UDP)].concat(),
            ),
        );
        let p = dissect(LinkType::ETHERNET, &f, &DissectOptions::default());
        assert_eq!(chain(&p), "Ethernet:IPv4:GRE:IPv6:UDP");
        assert_eq!(json(&p)["ethernet"]["ipv4"]["gre"]["key"], 9);
        // Transparent Ethernet Bridging: an inner Ethernet frame.
        let inner = eth(0x0800, &ipv4(17, &[], &UDP));
        let f = eth(
            0x0800,
            &ipv4(47, &[], &[&[0, 0, 0x65, 0x58][..], &inner].concat()),
        );
        let p = dissect(LinkType::ETHERNET, &f, &DissectOptions::default());
        assert_eq!(chain(&p), "Ethernet:IPv4:GRE:Ethernet:IPv4:UDP");
        // PPTP's enhanced GRE carrying PPP.
        let gre = [
            0x30, 0x01, 0x88, 0x0b, 0, 4, 0, 1, 0, 0, 0, 1, 0xff, 0x03, 0x00, 0x21,
        ];
        let f = eth(
            0x0800,
            &ipv4(47, &[], &[&gre[..], &ipv4(17, &[], &UDP)].concat()),
        );
        let p = dissect(LinkType::ETHERNET, &f, &DissectOptions::default());
        assert_eq!(chain(&p), "Ethernet:IPv4:GRE:PPP:IPv4:UDP");
        // An unknown protocol type stays raw under its EtherType.
        let f = eth(0x0800, &ipv4(47, &[], &[0, 0, 0x88, 0xbe, 1, 2]));
        let p = dissect(LinkType::ETHERNET, &f, &DissectOptions::default());
        assert!(matches!(
            last_raw(&p).protocol,
            RawProto::EtherType(EtherType(0x88be))
        ));
    }

    #[test]
    fn vxlan_geneve_sctp_igmp_esp_chains() {
        let inner = eth(0x0800, &ipv4(17, &[], &UDP));
        let mut udp = vec![0xc0, 0x00, 0x12, 0xb5, 0, 0, 0, 0];
        udp.extend_from_slice(&[0x08, 0, 0, 0, 0, 0, 0x2a, 0]);
        udp.extend_from_slice(&inner);
        let len = udp.len() as u16;
        udp[4..6].copy_from_slice(&len.to_be_bytes());
        let f = eth(0x0800, &ipv4(17, &[], &udp));
        let p = dissect(LinkType::ETHERNET, &f, &DissectOptions::default());
        assert_eq!(chain(&p), "Ethernet:IPv4:UDP:VXLAN:Ethernet:IPv4:UDP");
        assert_eq!(json(&p)["ethernet"]["ipv4"]["udp"]["vxlan"]["vni"], 42);
        let mut udp = vec![0xc0, 0x00, 0x17, 0xc1, 0, 0, 0, 0];
        udp.extend_from_slice(&[0, 0, 0x65, 0x58, 0, 0, 0x2a, 0]);
        udp.extend_from_slice(&inner);
        let len = udp.len() as u16;
        udp[4..6].copy_from_slice(&len.to_be_bytes());
        let f = eth(0x0800, &ipv4(17, &[], &udp));
        let p = dissect(LinkType::ETHERNET, &f, &DissectOptions::default());
        assert_eq!(chain(&p), "Ethernet:IPv4:UDP:Geneve:Ethernet:IPv4:UDP");
        let sctp = [0, 1, 0, 2, 0, 0, 0, 0, 0, 0, 0, 0, 11, 0, 0, 4];
        let f = eth(0x0800, &ipv4(132, &[], &sctp));
        let p = dissect(LinkType::ETHERNET, &f, &DissectOptions::default());
        assert_eq!(chain(&p), "Ethernet:IPv4:SCTP");
        assert_eq!(
            json(&p)["ethernet"]["ipv4"]["sctp"]["chunks"][0]["type"],
            "ChunkType::COOKIE_ACK [11]"
        );
        let f = eth(0x0800, &ipv4(50, &[], &[0, 0, 0, 1, 0, 0, 0, 2, 9, 9]));
        let p = dissect(LinkType::ETHERNET, &f, &DissectOptions::default());
        assert_eq!(chain(&p), "Ethernet:IPv4:ESP:Raw");
        assert_eq!(json(&p)["ethernet"]["ipv4"]["esp"]["seq"], 2);
        let stop = DissectOptions {
            stop: Stop {
                protocol: Some("igmp".into()),
                ..Stop::default()
            },
            ..DissectOptions::default()
        };
        let f = eth(0x0800, &ipv4(2, &[], &[0x16, 0, 0, 0, 239, 1, 1, 1]));
        let p = dissect(LinkType::ETHERNET, &f, &stop);
        assert_eq!(chain(&p), "Ethernet:IPv4:IGMP");
        assert_eq!(json(&p)["ethernet"]["ipv4"]["igmp"]["group"], "239.1.1.1");
    }

    #[test]
    fn nested_tunnels_are_capped_by_max_depth() {
        // GRE in IPv4 in GRE in IPv4 ... deeper than max_depth ends in a limit error.
        let mut pkt = ipv4(17, &[], &UDP);
        for _ in 0..40 {
            pkt = ipv4(47, &[], &[&[0, 0, 0x08, 0][..], &pkt].concat());
        }
        let p = dissect_next(
            Next::EtherType(EtherType(0x0800)),
            LinkType::RAW,
            &pkt,
            &DissectOptions::default(),
        );
        assert_eq!(p.layers().len(), crate::dissect::DEFAULT_MAX_DEPTH);
        assert!(last_raw(&p).error.is_some());
    }

    #[test]
    fn by_ip_proto_table() {
        assert_eq!(by_ip_proto(TransType::IPv4), Some(ProtoId::Ipv4));
        assert_eq!(by_ip_proto(TransType::IPv6), Some(ProtoId::Ipv6));
        assert_eq!(by_ip_proto(TransType::AH), Some(ProtoId::Ah));
        assert_eq!(by_ip_proto(TransType::IPX_in_IP), Some(ProtoId::Ipx));
        assert_eq!(by_ip_proto(TransType::Mobility_Header), Some(ProtoId::Mh));
        assert_eq!(by_ip_proto(TransType::HIP), Some(ProtoId::Hip));
        assert_eq!(by_ip_proto(TransType::ESP), Some(ProtoId::Esp));
        assert_eq!(by_ip_proto(TransType::ICMP), Some(ProtoId::Icmp));
        assert_eq!(by_ip_proto(TransType::IPv6_ICMP), Some(ProtoId::Icmpv6));
        assert_eq!(by_ip_proto(TransType::IGMP), Some(ProtoId::Igmp));
        assert_eq!(by_ip_proto(TransType::GRE), Some(ProtoId::Gre));
        assert_eq!(by_ip_proto(TransType::SCTP), Some(ProtoId::Sctp));
        assert_eq!(by_ip_proto(TransType::IPv6_NoNxt), None);
    }
}
