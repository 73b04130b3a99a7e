use std::net::{Ipv4Addr, Ipv6Addr};

use serde_json::{Value, json};

use super::mptcp::{JoinKind, MptcpValue};
use super::*;
use crate::consts::tcp::{Checksum, MPTCPOption, Option as Kind};
use crate::transport::internet_checksum;

const SYN: u16 = 0x002;
const ACK: u16 = 0x010;
const PSH: u16 = 0x008;
const FIN: u16 = 0x001;

/// Frame 1 of pcapplusplus__TcpPacketWithOptions.pcap: 44147 -> 80, ACK|PSH, options
/// NOP NOP Timestamps(195102, 3555729271), then "GET".
static SEGMENT: [u8; 35] = [
    0xac, 0x73, 0x00, 0x50, 0x2e, 0x50, 0xcd, 0x6e, 0xe0, 0x2e, 0x1a, 0xa9, 0x80, 0x18, 0x03, 0x91,
    0xac, 0x20, 0x00, 0x00, 0x01, 0x01, 0x08, 0x0a, 0x00, 0x02, 0xfa, 0x1e, 0xd3, 0xf0, 0x1f, 0x77,
    b'G', b'E', b'T',
];

/// A segment with `flags` and `options` (padded with EOL to a multiple of 4) and
/// `payload`.
fn segment(flags: u16, options: &[u8], payload: &[u8]) -> Vec<u8> {
    let opt_len = options.len().div_ceil(4) * 4;
    let hdr_len = 20 + opt_len;
    let mut s = vec![0x30, 0x39, 0x00, 0x50, 0, 0, 0, 1, 0, 0, 0, 2];
    let word = ((hdr_len as u16 / 4) << 12) | flags;
    s.extend_from_slice(&word.to_be_bytes());
    s.extend_from_slice(&[0xff, 0xff, 0, 0, 0, 0]);
    s.extend_from_slice(options);
    s.resize(hdr_len, 0);
    s.extend_from_slice(payload);
    s
}

fn parse(seg: &[u8]) -> Tcp<'_> {
    Tcp::parse(seg, &Ctx::default()).unwrap().header
}

/// The single option of a segment with `flags` and option bytes `opt`.
fn option_of(flags: u16, opt: &[u8]) -> TcpOption<'static> {
    let seg: &'static [u8] = Box::leak(segment(flags, opt, &[]).into_boxed_slice());
    parse(seg).options().next().unwrap()
}

fn json_of(flags: u16, opt: &[u8]) -> Value {
    serde_json::to_value(option_of(flags, opt)).unwrap()
}

fn mptcp_of(flags: u16, opt: &[u8]) -> Mptcp<'static> {
    match option_of(flags, opt).value {
        OptionValue::Mptcp(m) => m,
        other => panic!("not MPTCP: {other:?}"),
    }
}

#[test]
fn test_parse() {
    let p = Tcp::parse(&SEGMENT, &Ctx::default()).unwrap();
    assert_eq!(p.header_len, 32);
    assert_eq!(p.payload_len, 3);
    assert_eq!(
        p.next,
        Next::Ports {
            transport: Transport::Tcp,
            src: 44147,
            dst: 80
        }
    );
    let h = p.header;
    assert_eq!((h.seq, h.ack, h.hdr_len), (777_047_406, 3_761_117_865, 32));
    assert_eq!(h.flag_bits(), 0x018);
    assert_eq!(h.connection().to_string(), "Flags::ACK|PSH [6144]");
    let json = serde_json::to_value(h).unwrap();
    assert_eq!(
        json,
        json!({
            "srcport": {"enum": "AppType::unassigned_44147 [unassigned [44147 - undefined]]",
                "svc": "unassigned", "port": 44147, "proto": "TransportProtocol::undefined [0]"},
            "dstport": {"enum": "AppType::www_http [www-http [80 - tcp|udp]]",
                "svc": "www-http", "port": 80, "proto": "TransportProtocol::tcp|udp [3]"},
            "seq": 777047406u32,
            "ack": 3761117865u32,
            "hdr_len": 32,
            "len": 3,
            "flags": {"cwr": false, "ece": false, "urg": false, "ack": true, "psh": true,
                "rst": false, "syn": false, "fin": false},
            "window_size": 913,
            "checksum": 0xac20,
            "checksum_ok": null,
            "urgent_pointer": 0,
            "connection": "Flags::ACK|PSH [6144]",
            "options": {
                "Option::No_Operation [1]": [
                    {"kind": "Option::No_Operation [1]", "length": 1},
                    {"kind": "Option::No_Operation [1]", "length": 1}
                ],
                "Option::Timestamps [8]": [
                    {"kind": "Option::Timestamps [8]", "length": 10,
                        "timestamp": 195102, "echo": 3555729271u32}
                ]
            },
            "option_kinds": [1, 1, 8]
        })
    );
    // Key order is PyPCAPKit's.
    let text = serde_json::to_string(&h).unwrap();
    let pos = |k: &str| text.find(&format!("\"{k}\"")).unwrap();
    assert!(pos("checksum") < pos("checksum_ok"));
    assert!(pos("urgent_pointer") < pos("connection"));
    assert!(pos("connection") < pos("options"));
}

#[test]
fn no_options_no_option_fields() {
    let seg = segment(SYN, &[], &[]);
    let json = serde_json::to_value(parse(&seg)).unwrap();
    assert!(json.get("options").is_none());
    assert!(json.get("option_kinds").is_none());
    assert_eq!(json["connection"], "Flags::SYN [16384]");
}

#[test]
fn test_impossible_len() {
    let ctx = Ctx {
        offset: 34,
        ..Ctx::default()
    };
    let e = Tcp::parse(&SEGMENT[..19], &ctx).unwrap_err();
    assert_eq!(e, DissectError::truncated("TCP", 34, 20, 19));
    // Data offset 8 (32 bytes) but only 24 captured.
    let e = Tcp::parse(&SEGMENT[..24], &ctx).unwrap_err();
    assert_eq!(e, DissectError::truncated("TCP", 34, 32, 24));
    // Data offset below 5.
    let mut seg = SEGMENT;
    seg[12] = 0x40;
    let e = Tcp::parse(&seg, &ctx).unwrap_err();
    assert_eq!(
        e,
        DissectError::bad_value(
            "TCP",
            46,
            "hdr_len",
            16,
            "at least 20 (data offset 5 or more)"
        )
    );
    assert_eq!(
        e.to_string(),
        "TCP at byte 46: invalid hdr_len 16: expected at least 20 (data offset 5 or more)"
    );
}

#[test]
fn connection_flag_texts() {
    assert_eq!(
        connection_flags(0x5011).to_string(),
        "Flags::ACK|FIN [34816]"
    );
    assert_eq!(connection_flags(0x5002).to_string(), "Flags::SYN [16384]");
    assert_eq!(connection_flags(0x5000).to_string(), "Flags::None [0]");
    // AE (former NS) and a reserved bit.
    assert_eq!(
        connection_flags(0x5300).to_string(),
        "Flags::Reserved_6|AE [192]"
    );
    let h = parse(&SEGMENT);
    assert_eq!(h.flags(), TcpFlags::from_word(0x018));
    assert!(h.flags().ack && h.flags().psh && !h.flags().syn);
}

#[test]
fn checksum_verification() {
    let src = Ipv4Addr::new(10, 0, 0, 6);
    let dst = Ipv4Addr::new(212, 199, 202, 9);
    let mut seg = segment(ACK | PSH, &[1, 1, 8, 10, 0, 0, 0, 1, 0, 0, 0, 2], b"hello");
    let mut ph = Vec::new();
    ph.extend_from_slice(&src.octets());
    ph.extend_from_slice(&dst.octets());
    ph.extend_from_slice(&[0, 6]);
    ph.extend_from_slice(&(seg.len() as u16).to_be_bytes());
    ph.extend_from_slice(&seg);
    let ck = internet_checksum(&ph);
    seg[16..18].copy_from_slice(&ck.to_be_bytes());
    let v4 = Ctx {
        pseudo_header: Some(PseudoHeader::V4 { src, dst }),
        ..Ctx::default()
    };
    let h = Tcp::parse(&seg, &v4).unwrap().header;
    assert_eq!(h.checksum, ck);
    assert_eq!(h.checksum_ok(), Some(true));
    assert_eq!(serde_json::to_value(h).unwrap()["checksum_ok"], true);
    let mut bad = seg.clone();
    bad[33] ^= 0x20;
    assert_eq!(
        Tcp::parse(&bad, &v4).unwrap().header.checksum_ok(),
        Some(false)
    );
    // Cut by the capture, a fragment, no IP header: unknown.
    let cut = Ctx {
        reported_len: Some(seg.len() + 10),
        ..v4
    };
    assert_eq!(Tcp::parse(&seg, &cut).unwrap().header.len, 5 + 10);
    assert_eq!(Tcp::parse(&seg, &cut).unwrap().header.checksum_ok(), None);
    let frag = Ctx {
        pseudo_header: Some(PseudoHeader::Unverifiable),
        ..Ctx::default()
    };
    assert_eq!(Tcp::parse(&seg, &frag).unwrap().header.checksum_ok(), None);
    assert_eq!(parse(&seg).checksum_ok(), None);
    // The same segment over IPv6.
    let (s6, d6): (Ipv6Addr, Ipv6Addr) = (
        "2001:db8::1".parse().unwrap(),
        "2001:db8::2".parse().unwrap(),
    );
    let mut ph6 = Vec::new();
    ph6.extend_from_slice(&s6.octets());
    ph6.extend_from_slice(&d6.octets());
    ph6.extend_from_slice(&(seg.len() as u32).to_be_bytes());
    ph6.extend_from_slice(&[0, 0, 0, 6]);
    seg[16..18].copy_from_slice(&[0, 0]);
    ph6.extend_from_slice(&seg);
    let ck6 = internet_checksum(&ph6);
    seg[16..18].copy_from_slice(&ck6.to_be_bytes());
    let v6 = Ctx {
        pseudo_header: Some(PseudoHeader::V6 { src: s6, dst: d6 }),
        ..Ctx::default()
    };
    assert_eq!(
        Tcp::parse(&seg, &v6).unwrap().header.checksum_ok(),
        Some(true)
    );
}

#[test]
fn every_option_kind() {
    let cases: Vec<(Vec<u8>, Value)> = vec![
        (
            vec![1],
            json!({"kind": "Option::No_Operation [1]", "length": 1}),
        ),
        (
            vec![2, 4, 0x05, 0xb4],
            json!({"kind": "Option::Maximum_Segment_Size [2]", "length": 4, "mss": 1460}),
        ),
        (
            vec![3, 3, 7],
            json!({"kind": "Option::Window_Scale [3]", "length": 3, "shift": 7}),
        ),
        (
            vec![4, 2],
            json!({"kind": "Option::SACK_Permitted [4]", "length": 2}),
        ),
        (
            vec![5, 18, 0, 0, 0, 1, 0, 0, 0, 2, 0, 0, 0, 3, 0, 0, 0, 4],
            json!({"kind": "Option::SACK [5]", "length": 18, "sack": {"type": "tuple", "value": [
                {"left": 1, "right": 2}, {"left": 3, "right": 4}]}}),
        ),
        (
            vec![6, 6, 1, 2, 3, 4],
            json!({"kind": "Option::Echo [6]", "length": 6, "data": [1, 2, 3, 4]}),
        ),
        (
            vec![7, 6, 1, 2, 3, 4],
            json!({"kind": "Option::Echo_Reply [7]", "length": 6, "data": [1, 2, 3, 4]}),
        ),
        (
            vec![8, 10, 0, 0, 0, 5, 0xff, 0xff, 0xff, 0xff],
            json!({"kind": "Option::Timestamps [8]", "length": 10, "timestamp": 5, "echo": 4294967295u32}),
        ),
        (
            vec![9, 2],
            json!({"kind": "Option::Partial_Order_Connection_Permitted [9]", "length": 2}),
        ),
        (
            vec![10, 3, 0x80],
            json!({"kind": "Option::Partial_Order_Service_Profile [10]", "length": 3, "start": true, "end": false}),
        ),
        (
            vec![11, 6, 0, 0, 1, 0],
            json!({"kind": "Option::CC [11]", "length": 6, "cc": 256}),
        ),
        (
            vec![12, 6, 0, 0, 0, 2],
            json!({"kind": "Option::CC_NEW [12]", "length": 6, "cc": 2}),
        ),
        (
            vec![13, 6, 0, 0, 0, 3],
            json!({"kind": "Option::CC_ECHO [13]", "length": 6, "cc": 3}),
        ),
        (
            vec![14, 3, 1],
            json!({"kind": "Option::TCP_Alternate_Checksum_Request [14]", "length": 3,
                "chksum": Checksum(1).to_string()}),
        ),
        (
            vec![15, 4, 0xab, 0xcd],
            json!({"kind": "Option::TCP_Alternate_Checksum_Data [15]", "length": 4, "data": [0xab, 0xcd]}),
        ),
        (
            [vec![19, 18], (1..=16).collect::<Vec<u8>>()].concat(),
            json!({"kind": "Option::MD5_Signature_Option [19]", "length": 18,
                "digest": (1..=16).collect::<Vec<u8>>()}),
        ),
        (
            vec![27, 8, 0x0a, 3, 0, 0, 0, 0x0b],
            json!({"kind": "Option::Quick_Start_Response [27]", "length": 8,
                "req_rate": 10, "ttl_diff": 3, "nonce": 2}),
        ),
        (
            vec![28, 4, 0x00, 0x3c],
            json!({"kind": "Option::User_Timeout_Option [28]", "length": 4, "timeout": 60}),
        ),
        (
            vec![29, 6, 1, 2, 0xaa, 0xbb],
            json!({"kind": "Option::TCP_Authentication_Option [29]", "length": 6,
                "key_id": 1, "next_key_id": 2, "mac": [0xaa, 0xbb]}),
        ),
        (
            vec![34, 10, 1, 2, 3, 4, 5, 6, 7, 8],
            json!({"kind": "Option::TCP_Fast_Open_Cookie [34]", "length": 10, "cookie": [1, 2, 3, 4, 5, 6, 7, 8]}),
        ),
        (
            vec![34, 2],
            json!({"kind": "Option::TCP_Fast_Open_Cookie [34]", "length": 2, "cookie": []}),
        ),
        (
            vec![253, 6, 0xf9, 0x89, 1, 2],
            json!({"kind": "Option::RFC3692_style_Experiment_1 [253]", "length": 6, "data": [0xf9, 0x89, 1, 2]}),
        ),
        (
            vec![99, 3, 7],
            json!({"kind": Kind(99).to_string(), "length": 3, "data": [7]}),
        ),
    ];
    for (bytes, want) in cases {
        assert_eq!(json_of(ACK, &bytes), want, "option {bytes:?}");
    }
}

#[test]
fn pypcapkit_bug_29_user_timeout_is_a_number_of_seconds() {
    // Granularity bit set: 16 minutes.
    let o = option_of(ACK, &[28, 4, 0x80, 16]);
    assert_eq!(o.value, OptionValue::UserTimeout(960));
    let json = serde_json::to_string(&o).unwrap();
    assert!(json.contains(r#""timeout":960}"#), "{json}");
}

#[test]
fn end_of_option_list_stops_decoding() {
    let seg = segment(SYN, &[2, 4, 5, 0xb4, 0, 1, 1, 1], &[]);
    let kinds: Vec<u8> = parse(&seg).options().map(|o| o.kind.0).collect();
    assert_eq!(kinds, [2, 0]);
    let json = serde_json::to_value(parse(&seg)).unwrap();
    assert_eq!(json["option_kinds"], json!([2, 0]));
    assert_eq!(
        json["options"]["Option::End_of_Option_List [0]"],
        json!([{"kind": "Option::End_of_Option_List [0]", "length": 1}])
    );
}

#[test]
fn bad_options_keep_the_tcp_layer() {
    // MSS of length 3: reported, and the next option still decodes.
    let seg = segment(SYN, &[2, 3, 5, 3, 3, 2], &[]);
    let opts: Vec<_> = parse(&seg).options().collect();
    assert_eq!(opts.len(), 3);
    assert_eq!(
        opts[0].value,
        OptionValue::Malformed {
            data: &[5],
            malformed: "Maximum Segment Size needs length 4"
        }
    );
    assert_eq!(opts[1].value, OptionValue::WindowScale(2));
    let json = serde_json::to_value(opts[0]).unwrap();
    assert_eq!(
        json,
        json!({"kind": "Option::Maximum_Segment_Size [2]", "length": 3, "data": [5],
            "malformed": "Maximum Segment Size needs length 4"})
    );
    // Length 0 would not advance: decoding stops there.
    let seg = segment(ACK, &[1, 8, 0, 1], &[]);
    let opts: Vec<_> = parse(&seg).options().collect();
    assert_eq!(opts.len(), 2);
    assert!(matches!(
        opts[1].value,
        OptionValue::Malformed {
            malformed: "option length below 2",
            ..
        }
    ));
    // Length past the header end.
    let seg = segment(ACK, &[1, 1, 8, 40], &[]);
    let opts: Vec<_> = parse(&seg).options().collect();
    assert!(matches!(
        opts[2].value,
        OptionValue::Malformed {
            malformed: "option runs past the end of the header",
            ..
        }
    ));
    // Kind without its length byte at the end of the header.
    let seg = segment(ACK, &[1, 1, 1, 2], &[]);
    let last = parse(&seg).options().last().unwrap();
    assert_eq!(last.kind, Kind::Maximum_Segment_Size);
    assert!(matches!(
        last.value,
        OptionValue::Malformed { data: &[], .. }
    ));
    // The layer serializes.
    assert!(serde_json::to_string(&parse(&seg)).is_ok());
}

#[test]
fn wrong_lengths_of_fixed_options() {
    for opt in [
        &[3u8, 4, 1, 1][..],
        &[4, 3, 0],
        &[5, 3, 0],
        &[5, 9, 0, 0, 0, 0, 0, 0, 0],
        &[6, 4, 0, 0],
        &[8, 6, 0, 0, 0, 0],
        &[9, 3, 0],
        &[10, 4, 0, 0],
        &[11, 4, 0, 0],
        &[14, 4, 0, 0],
        &[19, 4, 0, 0],
        &[27, 4, 0, 0],
        &[28, 3, 0],
        &[29, 3, 0],
        &[30, 2],
    ] {
        let o = option_of(ACK, opt);
        assert_eq!(o.kind.0, opt[0]);
        assert!(
            matches!(o.value, OptionValue::Malformed { .. }),
            "{opt:?}: {o:?}"
        );
    }
    let long_cookie = [&[34u8, 20][..], &[0; 18]].concat();
    assert!(matches!(
        option_of(ACK, &long_cookie).value,
        OptionValue::Malformed { .. }
    ));
}

#[test]
fn sack_blocks_do_not_allocate_and_count() {
    let o = option_of(ACK, &[5, 10, 0, 0, 0, 9, 0, 0, 0, 10]);
    let OptionValue::Sack(blocks) = o.value else {
        panic!("{o:?}")
    };
    assert_eq!(blocks.len(), 1);
    assert!(!blocks.is_empty());
    assert_eq!(blocks.iter().next(), Some(SackBlock { left: 9, right: 10 }));
}

// ---- MPTCP (PyPCAPKit bug 30: every subtype lost the TCP layer) ----

#[test]
fn pypcapkit_bug_30_mptcp_from_the_wire() {
    // Frame 1 of tcpdump__mptcp-v1.pcap: SYN with MSS, SACK-perm, TS, NOP, WS,
    // MP_CAPABLE v1 (length 4).
    let opts = hex("020405b40402080a1baf9ea100000000010303081e040101");
    let seg = segment(SYN, &opts, &[]);
    let h = parse(&seg);
    let kinds: Vec<u8> = h.options().map(|o| o.kind.0).collect();
    assert_eq!(kinds, [2, 4, 8, 1, 3, 30]);
    let json = serde_json::to_value(h).unwrap();
    assert_eq!(
        json["options"]["Option::Multipath_TCP [30]"],
        json!([{"kind": "Option::Multipath_TCP [30]", "length": 4,
            "subtype": "MPTCPOption::MP_CAPABLE [0]", "version": 1,
            "flags": {"req": false, "ext": false, "hsa": true},
            "skey": null, "rkey": null, "dl_len": null, "checksum": null}])
    );
    // Frame 4: MP_CAPABLE v1 third ACK with data (length 22).
    let m = mptcp_of(ACK, &hex("1e1601011fdb5df328bc3def29a6c86981ad933c2000"));
    assert_eq!(
        m.value,
        MptcpValue::Capable {
            version: 1,
            flags: 0x01,
            skey: Some(0x1fdb_5df3_28bc_3def),
            rkey: Some(0x29a6_c869_81ad_933c),
            dl_len: Some(0x2000),
            checksum: None,
        }
    );
    // Frame 7: DSS with a 4-byte data ACK, 8-byte DSN mapping and checksum... as sent.
    let m = mptcp_of(
        ACK | PSH,
        &hex("1e1a200fc8072fb90edab04ea28e87fddd1d30f20000000120000101"),
    );
    assert_eq!(m.subtype, MPTCPOption::DSS);
    assert!(matches!(m.value, MptcpValue::Dss { .. }), "{m:?}");
}

fn hex(s: &str) -> Vec<u8> {
    (0..s.len())
        .step_by(2)
        .map(|i| u8::from_str_radix(&s[i..i + 2], 16).unwrap())
        .collect()
}

#[test]
fn mptcp_capable_lengths() {
    let key = [1u8, 2, 3, 4, 5, 6, 7, 8];
    let rkey = [9u8, 10, 11, 12, 13, 14, 15, 16];
    // v0 SYN / SYN-ACK: sender's key.
    let m = mptcp_of(SYN, &[&[30u8, 12, 0x00, 0x81][..], &key].concat());
    assert!(matches!(
        m.value,
        MptcpValue::Capable {
            version: 0,
            flags: 0x81,
            skey: Some(0x0102_0304_0506_0708),
            rkey: None,
            ..
        }
    ));
    // v0/v1 third ACK: both keys.
    let m = mptcp_of(ACK, &[&[30u8, 20, 0x00, 0x01][..], &key, &rkey].concat());
    assert!(matches!(
        m.value,
        MptcpValue::Capable {
            rkey: Some(0x090a_0b0c_0d0e_0f10),
            dl_len: None,
            ..
        }
    ));
    // v1 ACK with data and checksum (length 24).
    let m = mptcp_of(
        ACK,
        &[
            &[30u8, 24, 0x01, 0x81][..],
            &key,
            &rkey,
            &[0, 5, 0xbe, 0xef],
        ]
        .concat(),
    );
    assert!(matches!(
        m.value,
        MptcpValue::Capable {
            dl_len: Some(5),
            checksum: Some(0xbeef),
            ..
        }
    ));
    let json = serde_json::to_value(option_of(
        ACK,
        &[
            &[30u8, 24, 0x01, 0xc1][..],
            &key,
            &rkey,
            &[0, 5, 0xbe, 0xef],
        ]
        .concat(),
    ))
    .unwrap();
    assert_eq!(
        json["flags"],
        json!({"req": true, "ext": true, "hsa": true})
    );
    assert_eq!(json["checksum"], 0xbeef);
    // Any other length.
    let m = mptcp_of(ACK, &[30, 6, 0x00, 0x01, 0, 0]);
    assert!(matches!(m.value, MptcpValue::Malformed { .. }));
    assert_eq!(m.subtype, MPTCPOption::MP_CAPABLE);
}

#[test]
fn mptcp_join_variants_by_flags() {
    let syn = [30u8, 12, 0x11, 7, 0, 0, 0, 9, 0, 0, 0, 10];
    let m = mptcp_of(SYN, &syn);
    assert_eq!(
        m.value,
        MptcpValue::JoinSyn {
            backup: true,
            addr_id: 7,
            token: 9,
            nonce: 10
        }
    );
    let json = serde_json::to_value(option_of(SYN, &syn)).unwrap();
    assert_eq!(
        json,
        json!({"kind": "Option::Multipath_TCP [30]", "length": 12, "subtype": "MPTCPOption::MP_JOIN [1]",
            "connection": "Flags::SYN [16384]", "backup": true, "addr_id": 7, "token": 9, "nonce": 10})
    );
    let synack = [&[30u8, 16, 0x10, 3][..], &[0xaa; 8], &[0, 0, 0, 4]].concat();
    let m = mptcp_of(SYN | ACK, &synack);
    assert_eq!(
        m.value,
        MptcpValue::JoinSynAck {
            backup: false,
            addr_id: 3,
            hmac: &[0xaa; 8],
            nonce: 4
        }
    );
    assert_eq!(
        serde_json::to_value(option_of(SYN | ACK, &synack)).unwrap()["connection"],
        "Flags::ACK|SYN [18432]"
    );
    let ack = [&[30u8, 24, 0x10, 0][..], &[0xbb; 20]].concat();
    let m = mptcp_of(ACK, &ack);
    assert_eq!(m.value, MptcpValue::JoinAck { hmac: &[0xbb; 20] });
    // Flags that contradict the length: the length decides.
    let m = mptcp_of(ACK, &syn);
    assert!(matches!(m.value, MptcpValue::JoinSyn { .. }));
    // Neither SYN nor ACK: by length.
    let m = mptcp_of(0, &ack);
    assert!(matches!(m.value, MptcpValue::JoinAck { .. }));
    // Bad length.
    let m = mptcp_of(SYN, &[30, 10, 0x10, 0, 0, 0, 0, 0, 0, 0]);
    assert!(matches!(m.value, MptcpValue::Malformed { .. }));
    let _ = JoinKind::Syn;
}

/// Builds a DSS option from its flags and fields.
fn dss(flags: u8, ack: u64, dsn: u64, checksum: bool) -> Vec<u8> {
    let mut body = vec![0x20, flags];
    if flags & 0x01 != 0 {
        if flags & 0x02 != 0 {
            body.extend_from_slice(&ack.to_be_bytes());
        } else {
            body.extend_from_slice(&(ack as u32).to_be_bytes());
        }
    }
    if flags & 0x04 != 0 {
        if flags & 0x08 != 0 {
            body.extend_from_slice(&dsn.to_be_bytes());
        } else {
            body.extend_from_slice(&(dsn as u32).to_be_bytes());
        }
        body.extend_from_slice(&77u32.to_be_bytes());
        body.extend_from_slice(&1400u16.to_be_bytes());
        if checksum {
            body.extend_from_slice(&0x1234u16.to_be_bytes());
        }
    }
    [vec![30, body.len() as u8 + 2], body].concat()
}

#[test]
fn mptcp_dss_every_flag_combination() {
    for flags in 0u8..32 {
        for checksum in [false, true] {
            let has_map = flags & 0x04 != 0;
            if checksum && !has_map {
                continue;
            }
            let ack = 0x0102_0304_0506_0708u64;
            let dsn = 0x1112_1314_1516_1718u64;
            let m = mptcp_of(ACK, &dss(flags, ack, dsn, checksum));
            let want_ack = (flags & 0x01 != 0).then_some({
                if flags & 0x02 != 0 {
                    ack
                } else {
                    ack & 0xffff_ffff
                }
            });
            let want_dsn = has_map.then_some({
                if flags & 0x08 != 0 {
                    dsn
                } else {
                    dsn & 0xffff_ffff
                }
            });
            assert_eq!(
                m.value,
                MptcpValue::Dss {
                    data_fin: flags & 0x10 != 0,
                    ack: want_ack,
                    dsn: want_dsn,
                    ssn: has_map.then_some(77),
                    dl_len: has_map.then_some(1400),
                    checksum: checksum.then_some(0x1234),
                },
                "flags {flags:#x} checksum {checksum}"
            );
        }
    }
    // A length that fits no combination.
    let m = mptcp_of(ACK, &[30, 7, 0x20, 0x01, 0, 0, 0]);
    assert!(matches!(m.value, MptcpValue::Malformed { .. }));
    let json = serde_json::to_value(option_of(ACK, &dss(0x15, 5, 6, true))).unwrap();
    assert_eq!(json["subtype"], "MPTCPOption::DSS [2]");
    assert_eq!(
        (
            json["data_fin"].clone(),
            json["ack"].clone(),
            json["dsn"].clone(),
            json["checksum"].clone()
        ),
        (json!(true), json!(5), json!(6), json!(0x1234))
    );
}

#[test]
fn mptcp_add_addr_versions() {
    let v4 = [192u8, 0, 2, 1];
    let v6: [u8; 16] = "2001:db8::1".parse::<Ipv6Addr>().unwrap().octets();
    let port = 8080u16.to_be_bytes();
    let hmac = [0u8, 0, 0, 0, 0, 0, 0, 42];
    type Case<'s> = (Vec<u8>, u8, Option<bool>, &'s str, Option<u16>, Option<u64>);
    let cases: Vec<Case> = vec![
        (
            [&[30u8, 8, 0x34, 1][..], &v4].concat(),
            4,
            None,
            "192.0.2.1",
            None,
            None,
        ),
        (
            [&[30u8, 10, 0x34, 1][..], &v4, &port].concat(),
            4,
            None,
            "192.0.2.1",
            Some(8080),
            None,
        ),
        (
            [&[30u8, 20, 0x36, 1][..], &v6].concat(),
            6,
            None,
            "2001:db8::1",
            None,
            None,
        ),
        (
            [&[30u8, 22, 0x36, 1][..], &v6, &port].concat(),
            6,
            None,
            "2001:db8::1",
            Some(8080),
            None,
        ),
        (
            [&[30u8, 8, 0x31, 1][..], &v4].concat(),
            4,
            Some(true),
            "192.0.2.1",
            None,
            None,
        ),
        (
            [&[30u8, 10, 0x31, 1][..], &v4, &port].concat(),
            4,
            Some(true),
            "192.0.2.1",
            Some(8080),
            None,
        ),
        (
            [&[30u8, 16, 0x30, 1][..], &v4, &hmac].concat(),
            4,
            Some(false),
            "192.0.2.1",
            None,
            Some(42),
        ),
        (
            [&[30u8, 18, 0x30, 1][..], &v4, &port, &hmac].concat(),
            4,
            Some(false),
            "192.0.2.1",
            Some(8080),
            Some(42),
        ),
        (
            [&[30u8, 20, 0x31, 1][..], &v6].concat(),
            6,
            Some(true),
            "2001:db8::1",
            None,
            None,
        ),
        (
            [&[30u8, 22, 0x31, 1][..], &v6, &port].concat(),
            6,
            Some(true),
            "2001:db8::1",
            Some(8080),
            None,
        ),
        (
            [&[30u8, 28, 0x30, 1][..], &v6, &hmac].concat(),
            6,
            Some(false),
            "2001:db8::1",
            None,
            Some(42),
        ),
        (
            [&[30u8, 30, 0x30, 1][..], &v6, &port, &hmac].concat(),
            6,
            Some(false),
            "2001:db8::1",
            Some(8080),
            Some(42),
        ),
    ];
    for (bytes, version, echo, addr, port, hmac) in cases {
        let m = mptcp_of(ACK, &bytes);
        assert_eq!(
            m.value,
            MptcpValue::AddAddr {
                version,
                echo,
                addr_id: 1,
                addr: addr.parse().unwrap(),
                port,
                hmac
            },
            "{bytes:?}"
        );
    }
    let json = serde_json::to_value(option_of(
        ACK,
        &[&[30u8, 10, 0x34, 1][..], &v4, &port].concat(),
    ))
    .unwrap();
    assert_eq!(json["addr"], "192.0.2.1");
    assert_eq!(json["port"], 8080);
    // v0 IPv4 with a v6 length; v1 echo with an HMAC length.
    for bad in [
        [&[30u8, 20, 0x34, 1][..], &[0; 16]].concat(),
        [&[30u8, 16, 0x31, 1][..], &[0; 12]].concat(),
    ] {
        assert!(matches!(
            mptcp_of(ACK, &bad).value,
            MptcpValue::Malformed { .. }
        ));
    }
}

#[test]
fn mptcp_other_subtypes() {
    assert_eq!(
        mptcp_of(ACK, &[30, 4, 0x40, 5]).value,
        MptcpValue::RemoveAddr(&[5])
    );
    assert_eq!(
        mptcp_of(ACK, &[30, 6, 0x40, 5, 6, 7]).value,
        MptcpValue::RemoveAddr(&[5, 6, 7])
    );
    let json = serde_json::to_value(option_of(ACK, &[30, 5, 0x40, 5, 6])).unwrap();
    assert_eq!(json["addr_id"], json!({"type": "tuple", "value": [5, 6]}));
    assert!(matches!(
        mptcp_of(ACK, &[30, 3, 0x40]).value,
        MptcpValue::Malformed { .. }
    ));
    assert_eq!(
        mptcp_of(ACK, &[30, 3, 0x51]).value,
        MptcpValue::Prio {
            backup: true,
            addr_id: None
        }
    );
    assert_eq!(
        mptcp_of(ACK, &[30, 4, 0x50, 9]).value,
        MptcpValue::Prio {
            backup: false,
            addr_id: Some(9)
        }
    );
    assert!(matches!(
        mptcp_of(ACK, &[30, 5, 0x50, 9, 9]).value,
        MptcpValue::Malformed { .. }
    ));
    let eight = [0u8, 0, 0, 0, 0, 0, 1, 2];
    assert_eq!(
        mptcp_of(ACK, &[&[30u8, 12, 0x60, 0][..], &eight].concat()).value,
        MptcpValue::Fail(0x102)
    );
    assert_eq!(
        mptcp_of(ACK, &[&[30u8, 12, 0x70, 0][..], &eight].concat()).value,
        MptcpValue::Fastclose(0x102)
    );
    assert!(matches!(
        mptcp_of(ACK, &[30, 4, 0x60, 0]).value,
        MptcpValue::Malformed { .. }
    ));
    assert!(matches!(
        mptcp_of(ACK, &[30, 4, 0x70, 0]).value,
        MptcpValue::Malformed { .. }
    ));
    assert_eq!(
        mptcp_of(ACK | FIN, &[30, 4, 0x89, 3]).value,
        MptcpValue::TcpRst {
            flags: 9,
            reason: 3
        }
    );
    let json = serde_json::to_value(option_of(ACK, &[30, 4, 0x89, 3])).unwrap();
    assert_eq!(
        json["flags"],
        json!({"u": true, "v": false, "w": false, "t": true})
    );
    assert_eq!(json["subtype"], "MPTCPOption::MP_TCPRST [8]");
    assert!(matches!(
        mptcp_of(ACK, &[30, 5, 0x80, 3, 3]).value,
        MptcpValue::Malformed { .. }
    ));
    let m = mptcp_of(ACK, &[30, 5, 0xf0, 0xaa, 0xbb]);
    assert_eq!(m.subtype, MPTCPOption::Reserved_for_Private_Use);
    assert_eq!(m.value, MptcpValue::Unknown(&[0xf0, 0xaa, 0xbb]));
    let json = serde_json::to_value(option_of(ACK, &[30, 4, 0x90, 1])).unwrap();
    assert_eq!(json["data"], json!([0x90, 1]));
}

#[test]
fn pypcapkit_bug_30_mptcp_v0_capture() {
    // Option bytes of tcpdump__mptcp-v0.pcap frames 1, 3, 4, 6, 8, 9, 10 with their flags.
    let frames: [(u16, &str); 7] = [
        (
            SYN,
            "020405b40402080affffa1b000000000010303061e0c00819c9eabd1e46a33b2",
        ),
        (
            ACK,
            "0101080affffa1b0ffffa2eb1e1400819c9eabd1e46a33b2967d2770b6960552",
        ),
        (
            ACK | PSH,
            "0101080affffa2f2ffffa1b01e0834010a0102021e142005d52abecad1b97490000000010029082f",
        ),
        (
            ACK | PSH,
            "0101080affffa1c0ffffa2f21e142005d1b974b9d52abeca00000001002945c9",
        ),
        (
            SYN,
            "020405b40402080affffa1c000000000010303061e0c1000e47f01421b665a18",
        ),
        (
            SYN | ACK,
            "020405b40402080affffa2f2ffffa1c0010303051e1010015ab680c7884af03d33abe9d5",
        ),
        (
            ACK,
            "0101080affffa1c0ffffa2f21e181000cb7b87f5e5f0502f43b535fb70ef6607df2e6c7a",
        ),
    ];
    let mut seen = Vec::new();
    for (flags, opts) in frames {
        let seg: &'static [u8] = Box::leak(segment(flags, &hex(opts), &[]).into_boxed_slice());
        let h = parse(seg);
        for o in h.options().filter(|o| o.kind == Kind::Multipath_TCP) {
            let OptionValue::Mptcp(m) = o.value else {
                panic!("{o:?}")
            };
            assert!(!matches!(m.value, MptcpValue::Malformed { .. }), "{m:?}");
            seen.push(m.value);
        }
        assert!(serde_json::to_string(&h).is_ok());
    }
    assert_eq!(
        seen[0],
        MptcpValue::Capable {
            version: 0,
            flags: 0x81,
            skey: Some(0x9c9e_abd1_e46a_33b2),
            rkey: None,
            dl_len: None,
            checksum: None
        }
    );
    assert!(matches!(
        seen[1],
        MptcpValue::Capable {
            rkey: Some(0x967d_2770_b696_0552),
            ..
        }
    ));
    assert_eq!(
        seen[2],
        MptcpValue::AddAddr {
            version: 4,
            echo: None,
            addr_id: 1,
            addr: "10.1.2.2".parse().unwrap(),
            port: None,
            hmac: None
        }
    );
    assert_eq!(
        seen[3],
        MptcpValue::Dss {
            data_fin: false,
            ack: Some(0xd52a_beca),
            dsn: Some(0xd1b9_7490),
            ssn: Some(1),
            dl_len: Some(0x29),
            checksum: Some(0x082f)
        }
    );
    assert!(matches!(
        seen[5],
        MptcpValue::JoinSyn {
            addr_id: 0,
            token: 0xe47f_0142,
            ..
        }
    ));
    assert!(matches!(
        seen[6],
        MptcpValue::JoinSynAck {
            backup: false,
            addr_id: 1,
            nonce: 0x33ab_e9d5,
            ..
        }
    ));
    assert!(matches!(seen[7], MptcpValue::JoinAck { .. }));
}
