//! SNMP tests. The messages are hand-built; the values asserted are what tshark 4.0.17
//! shows for them in a UDP frame (`snmp.version`, `snmp.community`, `snmp.data`,
//! `snmp.request_id`, `snmp.error_status`, `snmp.error_index`, `snmp.non_repeaters`,
//! `snmp.max_repetitions`, `snmp.enterprise`, `snmp.agent_addr`, `snmp.generic_trap`,
//! `snmp.specific_trap`, `snmp.time_stamp`, `snmp.msgID`, `snmp.msgMaxSize`,
//! `snmp.msgFlags`, `snmp.msgSecurityModel`).

use serde_json::{Value, json};

use super::*;
use crate::error::ErrorKind;

/// v2c GetRequest, community `public`, request id 0x12345678, two bindings.
const GET: [u8; 57] = [
    0x30, 0x37, 0x02, 0x01, 0x01, 0x04, 0x06, 0x70, 0x75, 0x62, 0x6c, 0x69, 0x63, 0xa0, 0x2a, 0x02,
    0x04, 0x12, 0x34, 0x56, 0x78, 0x02, 0x01, 0x00, 0x02, 0x01, 0x00, 0x30, 0x1c, 0x30, 0x0c, 0x06,
    0x08, 0x2b, 0x06, 0x01, 0x02, 0x01, 0x01, 0x01, 0x00, 0x05, 0x00, 0x30, 0x0c, 0x06, 0x08, 0x2b,
    0x06, 0x01, 0x02, 0x01, 0x01, 0x05, 0x00, 0x05, 0x00,
];
/// v1 GetResponse, community `private`, request id -5, error status 2, index 1.
const RESP: [u8; 43] = [
    0x30, 0x29, 0x02, 0x01, 0x00, 0x04, 0x07, 0x70, 0x72, 0x69, 0x76, 0x61, 0x74, 0x65, 0xa2, 0x1b,
    0x02, 0x01, 0xfb, 0x02, 0x01, 0x02, 0x02, 0x01, 0x01, 0x30, 0x10, 0x30, 0x0e, 0x06, 0x08, 0x2b,
    0x06, 0x01, 0x02, 0x01, 0x01, 0x03, 0x00, 0x43, 0x02, 0x01, 0x00,
];
/// v2c GetBulkRequest, request id 300, non-repeaters 1, max-repetitions 10.
const BULK: [u8; 40] = [
    0x30, 0x26, 0x02, 0x01, 0x01, 0x04, 0x06, 0x70, 0x75, 0x62, 0x6c, 0x69, 0x63, 0xa5, 0x19, 0x02,
    0x02, 0x01, 0x2c, 0x02, 0x01, 0x01, 0x02, 0x01, 0x0a, 0x30, 0x0d, 0x30, 0x0b, 0x06, 0x07, 0x2b,
    0x06, 0x01, 0x02, 0x01, 0x02, 0x02, 0x05, 0x00,
];
/// v1 Trap from 192.0.2.7, enterprise 1.3.6.1.4.1.8072.3.2.10, generic 6, specific
/// 17, time-stamp 123456, no bindings.
const TRAP: [u8; 46] = [
    0x30, 0x2c, 0x02, 0x01, 0x00, 0x04, 0x06, 0x70, 0x75, 0x62, 0x6c, 0x69, 0x63, 0xa4, 0x1f, 0x06,
    0x0a, 0x2b, 0x06, 0x01, 0x04, 0x01, 0xbf, 0x08, 0x03, 0x02, 0x0a, 0x40, 0x04, 0xc0, 0x00, 0x02,
    0x07, 0x02, 0x01, 0x06, 0x02, 0x01, 0x11, 0x43, 0x03, 0x01, 0xe2, 0x40, 0x30, 0x00,
];
/// v3 message: msgID 821, msgMaxSize 65507, flags 0x04 (reportable), USM.
const V3: [u8; 59] = [
    0x30, 0x39, 0x02, 0x01, 0x03, 0x30, 0x0f, 0x02, 0x02, 0x03, 0x35, 0x02, 0x03, 0x00, 0xff, 0xe3,
    0x04, 0x01, 0x04, 0x02, 0x01, 0x03, 0x04, 0x10, 0x30, 0x0e, 0x04, 0x00, 0x02, 0x01, 0x00, 0x02,
    0x01, 0x00, 0x04, 0x00, 0x04, 0x00, 0x04, 0x00, 0x30, 0x11, 0x04, 0x00, 0x04, 0x00, 0xa0, 0x0b,
    0x02, 0x01, 0x07, 0x02, 0x01, 0x00, 0x02, 0x01, 0x00, 0x30, 0x00,
];

fn parse(m: &[u8]) -> Snmp<'_> {
    Snmp::parse(m, &Ctx::default()).unwrap().header
}

fn json_of(m: &[u8]) -> Value {
    serde_json::to_value(parse(m)).unwrap()
}

#[test]
fn get_request_v2c() {
    let p = Snmp::parse(&GET, &Ctx::default()).unwrap();
    assert_eq!(
        (p.header_len, p.payload_len, p.next),
        (GET.len(), 0, Next::Leaf)
    );
    assert_eq!(
        json_of(&GET),
        json!({"version": "Version::SNMPv2c [1]", "community": "public",
            "pdu_type": "PDUType::GetRequest [0]", "request_id": 305419896,
            "error_status": 0, "error_index": 0, "varbinds": 2})
    );
}

#[test]
fn response_v1_with_negative_request_id_and_error() {
    let v = json_of(&RESP);
    assert_eq!(v["version"], "Version::SNMPv1 [0]");
    assert_eq!(v["community"], "private");
    assert_eq!(v["pdu_type"], "PDUType::Response [2]");
    assert_eq!(
        (&v["request_id"], &v["error_status"], &v["error_index"]),
        (&json!(-5), &json!(2), &json!(1))
    );
    assert_eq!(v["varbinds"], 1);
}

#[test]
fn get_bulk_request() {
    let v = json_of(&BULK);
    assert_eq!(v["pdu_type"], "PDUType::GetBulkRequest [5]");
    assert_eq!(
        (&v["request_id"], &v["non_repeaters"], &v["max_repetitions"]),
        (&json!(300), &json!(1), &json!(10))
    );
    assert!(v.get("error_status").is_none());
}

#[test]
fn v1_trap() {
    assert_eq!(
        json_of(&TRAP),
        json!({"version": "Version::SNMPv1 [0]", "community": "public",
            "pdu_type": "PDUType::Trap [4]", "enterprise": "1.3.6.1.4.1.8072.3.2.10",
            "agent_addr": "192.0.2.7", "generic_trap": 6, "specific_trap": 17,
            "time_stamp": 123456, "varbinds": 0})
    );
}

#[test]
fn v3_global_data() {
    assert_eq!(
        json_of(&V3),
        json!({"version": "Version::SNMPv3 [3]", "msg_id": 821, "msg_max_size": 65507,
            "msg_flags": 4, "msg_security_model": 3})
    );
}

#[test]
fn claims_only_snmp_messages() {
    for m in [&GET[..], &RESP, &BULK, &TRAP, &V3] {
        assert!(claims(m));
    }
    assert!(!claims(b"GET / HTTP/1.1\r\n"));
    assert!(!claims(&[0x30]));
    let mut v9 = GET;
    v9[4] = 9;
    assert!(!claims(&v9));
    // Long-form outer length.
    let mut long = vec![0x30, 0x81, GET[1]];
    long.extend_from_slice(&GET[2..]);
    assert!(claims(&long));
    assert_eq!(json_of(&long)["request_id"], 305419896);
}

#[test]
fn truncation_at_every_byte_is_an_error_not_a_panic() {
    let ctx = Ctx {
        offset: 42,
        ..Ctx::default()
    };
    for m in [&GET[..], &RESP, &BULK, &TRAP, &V3] {
        for n in 0..m.len() {
            let e = Snmp::parse(&m[..n], &ctx).unwrap_err();
            assert!(matches!(e.kind, ErrorKind::Truncated { .. }), "{n}: {e}");
            assert_eq!(e.offset, 42);
        }
    }
}

#[test]
fn malformed_ber_errors_carry_the_offset() {
    let ctx = Ctx {
        offset: 42,
        ..Ctx::default()
    };
    let err = |m: &[u8]| Snmp::parse(m, &ctx).unwrap_err();
    // Community is an INTEGER.
    let mut m = GET;
    m[5] = 0x02;
    let e = err(&m);
    assert_eq!(e.offset, 42 + 5);
    assert!(e.to_string().contains("community"), "{e}");
    // PDU tag [9].
    let mut m = GET;
    m[13] = 0xa9;
    assert_eq!(err(&m).offset, 42 + 13);
    // The list is one byte shorter than its last binding.
    let mut m = GET;
    m[28] = 0x1b;
    assert!(err(&m).to_string().contains("enclosing"));
    // Indefinite length.
    let mut m = GET;
    m[1] = 0x80;
    assert!(err(&m).to_string().contains("indefinite"));
    // Version out of range.
    let mut m = GET;
    m[3] = 2;
    m[1] += 1;
    let mut big = m[..4].to_vec();
    big.extend_from_slice(&[0x01, 0x00]);
    big.extend_from_slice(&GET[5..]);
    assert!(matches!(
        err(&big).kind,
        ErrorKind::BadValue {
            field: "version",
            ..
        }
    ));
    // An integer longer than 8 bytes.
    let mut m = vec![0x30, 0x0b, 0x02, 0x09];
    m.extend_from_slice(&[0; 9]);
    assert_eq!(err(&m).offset, 42 + 4);
}

#[test]
fn oid_text() {
    assert_eq!(Oid(&[0x2b, 6, 1, 0x82, 0x37]).to_string(), "1.3.6.1.311");
    assert_eq!(Oid(&[0x88, 0x37, 1]).to_string(), "2.999.1");
    assert_eq!(Oid(&[0x0a]).to_string(), "0.10");
    assert_eq!(Oid(&[]).to_string(), "");
    assert_eq!(Oid(&[0xff; 20]).to_string(), "<invalid OID>");
}
