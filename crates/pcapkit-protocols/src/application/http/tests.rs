use serde_json::{Value, json};

use super::v2::{DEFAULT_MAX_FRAME_SIZE, FRAME_HEADER_LEN, PREFACE};
use super::*;
use crate::application::Text;
use crate::consts::http::{ErrorCode, Frame, Method, StatusCode};
use crate::consts::support::StrMember;

fn parse(data: &[u8]) -> Parsed<Http<'_>> {
    Http::parse(data, &Ctx::default()).unwrap()
}

fn v1(data: &[u8]) -> Http1<'_> {
    match parse(data).header {
        Http::V1(h) => h,
        other => panic!("not HTTP/1: {other:?}"),
    }
}

fn v2(data: &[u8]) -> Http2<'_> {
    match parse(data).header {
        Http::V2(h) => h,
        other => panic!("not HTTP/2: {other:?}"),
    }
}

fn token(h: &Http<'_>) -> String {
    let mut s = String::new();
    h.write_token(&mut s).unwrap();
    s
}

// ---- HTTP/1.x ----

static REQUEST: &[u8] = b"GET /index.html?q=1 HTTP/1.1\r\nHost: example.com\r\nAccept: */*\r\nCookie: a=1\r\nCookie: b=2\r\n\r\n";

#[test]
fn test_parse_request() {
    let p = parse(REQUEST);
    assert_eq!(p.header_len, REQUEST.len());
    assert_eq!(p.payload_len, 0);
    assert_eq!(p.next, Next::Leaf);
    assert_eq!(token(&p.header), "HTTP/1.1");
    assert_eq!(
        serde_json::to_value(p.header).unwrap(),
        json!({
            "receipt": {"type": "Type::REQUEST [request]",
                "method": {"enum": "Method::GET [GET]", "safe": true, "idempotent": true},
                "uri": "/index.html?q=1", "version": "1.1"},
            "header": {"Host": ["example.com"], "Accept": ["*/*"], "Cookie": ["a=1", "b=2"]},
            "body": null
        })
    );
}

#[test]
fn test_parse_response_with_body() {
    let data = b"HTTP/1.0 404 Not Found\r\nContent-Type: text/html\r\nSet-Cookie: x=1\r\nset-cookie: y=2\r\n\r\n<html>";
    let p = parse(data);
    assert_eq!(p.payload_len, 6);
    assert_eq!(p.header_len, data.len() - 6);
    assert_eq!(token(&p.header), "HTTP/1.0");
    let json = serde_json::to_value(p.header).unwrap();
    assert_eq!(
        json["receipt"],
        json!({"type": "Type::RESPONSE [response]", "version": "1.0",
            "status": {"enum": "StatusCode::CODE_404 [404]", "message": "Not Found"},
            "message": "Not Found"})
    );
    // Names keep their case: differently cased names are different keys.
    assert_eq!(json["header"]["Set-Cookie"], json!(["x=1"]));
    assert_eq!(json["header"]["set-cookie"], json!(["y=2"]));
    assert_eq!(json["body"], json!(b"<html>".to_vec()));
    let h = v1(data);
    assert_eq!(h.body, Some(&b"<html>"[..]));
    assert_eq!(h.header("SET-COOKIE"), Some(Text(b"x=1")));
    assert_eq!(h.headers().count(), 3);
}

#[test]
fn pypcapkit_bug_32_start_line_without_headers() {
    let h = v1(b"GET / HTTP/1.0\r\n\r\n");
    assert_eq!(h.headers().count(), 0);
    assert_eq!(h.body, None);
    assert_eq!(serde_json::to_value(h).unwrap()["header"], json!({}));
    let h = v1(b"HTTP/1.1 204\r\n\r\n");
    assert_eq!(
        h.receipt,
        Receipt::Response {
            version: "1.1",
            status: StatusCode(204),
            message: Text(b"")
        }
    );
}

#[test]
fn pypcapkit_bug_32_header_line_without_colon() {
    let h = v1(b"GET / HTTP/1.1\r\nHost: a\r\nbogus line\r\n\r\n");
    let json = serde_json::to_value(h).unwrap();
    assert_eq!(json["header"], json!({"Host": ["a"], "bogus line": [null]}));
}

#[test]
fn pypcapkit_bug_32_segment_without_blank_line() {
    let data = b"HTTP/1.1 200 OK\r\nServer: x\r\nContent-Le";
    let p = parse(data);
    assert_eq!(p.header_len, data.len());
    assert_eq!(p.payload_len, 0);
    let Http::V1(h) = p.header else { panic!() };
    assert_eq!(h.body, None);
    let json = serde_json::to_value(h).unwrap();
    assert_eq!(
        json["header"],
        json!({"Server": ["x"], "Content-Le": [null]})
    );
}

#[test]
fn pypcapkit_bug_32_packet_is_the_body() {
    // The layer's header ends after the blank line: `packet` is the body alone.
    let data = b"POST /f HTTP/1.1\r\nContent-Length: 3\r\n\r\nabc";
    let p = parse(data);
    assert_eq!(&data[p.header_len..], b"abc");
}

#[test]
fn pypcapkit_bug_32_body_continuation_is_not_http() {
    let e = Http::parse(b"<html><body>more of the page\r\n", &Ctx::default()).unwrap_err();
    assert_eq!(
        e.to_string(),
        "HTTP at byte 0: malformed: neither an HTTP/1.x start line nor HTTP/2 frames"
    );
    assert!(!claims(b"<html><body>more of the page\r\n"));
}

#[test]
fn start_line_strictness() {
    for ok in [
        &b"GET / HTTP/1.1\r\n"[..],
        b"PROPFIND /dav HTTP/1.1\n",
        b"HTTP/1.1 200 OK\r\n",
        b"HTTP/1.0 500\r\n",
    ] {
        assert!(v1::recognize(ok), "{ok:?}");
    }
    for bad in [
        &b"GET / HTTP/1.1"[..],   // no line end
        b"get / HTTP/1.1\r\n",    // methods are case-sensitive
        b"FETCH / HTTP/1.1\r\n",  // not a registered method
        b"GET  HTTP/1.1\r\n",     // empty target
        b"GET / HTTP/2.0\r\n",    // not 1.x
        b"GET /a b HTTP/1.1\r\n", // space in target
        b"HTTP/1.1 20 OK\r\n",
        b"HTTP/1.1 200OK\r\n",
        b"HTTP/1.x 200 OK\r\n",
        b"\x16\x03\x01\x00\xa5\x01\x00",
    ] {
        assert!(!v1::recognize(bad), "{bad:?}");
    }
    let h = v1(b"DELETE /x HTTP/1.1\r\n\r\n");
    assert_eq!(
        h.receipt,
        Receipt::Request {
            method: StrMember::Known(Method::DELETE),
            uri: Text(b"/x"),
            version: "1.1"
        }
    );
}

// ---- HTTP/2 ----

/// A frame: header + payload.
fn frame(ty: u8, flags: u8, sid: u32, payload: &[u8]) -> Vec<u8> {
    let len = payload.len() as u32;
    let mut f = len.to_be_bytes()[1..].to_vec();
    f.push(ty);
    f.push(flags);
    f.extend_from_slice(&sid.to_be_bytes());
    f.extend_from_slice(payload);
    f
}

fn frame_json(bytes: &[u8]) -> Value {
    let h = v2(bytes);
    let frames: Vec<Value> = h
        .frames()
        .map(|f| serde_json::to_value(f).unwrap())
        .collect();
    assert_eq!(frames.len(), 1, "{frames:?}");
    frames[0].clone()
}

#[test]
fn every_frame_type() {
    let settings = [0, 3, 0, 0, 0, 100, 0, 4, 0, 1, 0, 0, 0, 3, 0, 0, 0, 200];
    let cases: Vec<(Vec<u8>, Value)> = vec![
        (
            frame(0, 0x01, 1, b"hi"),
            json!({"length": 2, "type": "Frame::DATA [0]", "flags": {"END_STREAM": true, "PADDED": false},
                "sid": 1, "pad_len": 0, "data": [104, 105]}),
        ),
        (
            frame(0, 0x08, 3, &[2, b'h', b'i', 0, 0]),
            json!({"length": 5, "type": "Frame::DATA [0]", "flags": {"END_STREAM": false, "PADDED": true},
                "sid": 3, "pad_len": 2, "data": [104, 105]}),
        ),
        (
            frame(1, 0x04, 1, &[0x82, 0x86]),
            json!({"length": 2, "type": "Frame::HEADERS [1]",
                "flags": {"END_STREAM": false, "END_HEADERS": true, "PADDED": false, "PRIORITY": false},
                "sid": 1, "pad_len": 0, "excl_dependency": null, "stream_dependency": null,
                "weight": null, "fragment": [0x82, 0x86]}),
        ),
        (
            frame(1, 0x2d, 5, &[1, 0x80, 0, 0, 3, 15, 0x82, 0]),
            json!({"length": 8, "type": "Frame::HEADERS [1]",
                "flags": {"END_STREAM": true, "END_HEADERS": true, "PADDED": true, "PRIORITY": true},
                "sid": 5, "pad_len": 1, "excl_dependency": true, "stream_dependency": 3,
                "weight": 15, "fragment": [0x82]}),
        ),
        (
            frame(2, 0, 7, &[0, 0, 0, 3, 200]),
            json!({"length": 5, "type": "Frame::PRIORITY [2]", "flags": null, "sid": 7,
                "excl_dependency": false, "stream_dependency": 3, "weight": 200}),
        ),
        (
            frame(3, 0, 7, &[0, 0, 0, 8]),
            json!({"length": 4, "type": "Frame::RST_STREAM [3]", "flags": null, "sid": 7,
                "error": ErrorCode::CANCEL.to_string()}),
        ),
        (
            frame(4, 0, 0, &settings),
            json!({"length": 18, "type": "Frame::SETTINGS [4]", "flags": {"ACK": false}, "sid": 0,
                "settings": {"Setting::MAX_CONCURRENT_STREAMS [3]": [100, 200],
                    "Setting::INITIAL_WINDOW_SIZE [4]": [65536]}}),
        ),
        (
            frame(4, 1, 0, &[]),
            json!({"length": 0, "type": "Frame::SETTINGS [4]", "flags": {"ACK": true}, "sid": 0,
                "settings": {}}),
        ),
        (
            frame(5, 0x0c, 1, &[1, 0, 0, 0, 2, 0x82, 0]),
            json!({"length": 7, "type": "Frame::PUSH_PROMISE [5]",
                "flags": {"END_HEADERS": true, "PADDED": true}, "sid": 1,
                "pad_len": 1, "promised_sid": 2, "fragment": [0x82]}),
        ),
        (
            frame(5, 0x04, 1, &[0, 0, 0, 4]),
            json!({"length": 4, "type": "Frame::PUSH_PROMISE [5]",
                "flags": {"END_HEADERS": true, "PADDED": false}, "sid": 1,
                "pad_len": 0, "promised_sid": 4, "fragment": []}),
        ),
        (
            frame(6, 1, 0, &[1, 2, 3, 4, 5, 6, 7, 8]),
            json!({"length": 8, "type": "Frame::PING [6]", "flags": {"ACK": true}, "sid": 0,
                "data": [1, 2, 3, 4, 5, 6, 7, 8]}),
        ),
        (
            frame(7, 0, 0, &[0, 0, 0, 9, 0, 0, 0, 2, b'x']),
            json!({"length": 9, "type": "Frame::GOAWAY [7]", "flags": null, "sid": 0,
                "last_sid": 9, "error": ErrorCode::INTERNAL_ERROR.to_string(), "debug_data": [120]}),
        ),
        (
            frame(8, 0, 0, &[0, 0x0f, 0, 1]),
            json!({"length": 4, "type": "Frame::WINDOW_UPDATE [8]", "flags": null, "sid": 0,
                "increment": 983041}),
        ),
        (
            frame(9, 0x04, 1, &[0x84]),
            json!({"length": 1, "type": "Frame::CONTINUATION [9]", "flags": {"END_HEADERS": true},
                "sid": 1, "fragment": [0x84]}),
        ),
    ];
    for (bytes, want) in cases {
        assert!(v2::recognize(&bytes), "{bytes:?}");
        assert_eq!(frame_json(&bytes), want, "{bytes:?}");
    }
    // Unknown types are decoded after a preface (not sniffed without one).
    let unknown = [&PREFACE[..], &frame(0xfa, 0x42, 1, b"z")].concat();
    assert_eq!(
        frame_json(&unknown),
        json!({"length": 1, "type": Frame(0xfa).to_string(), "flags": null, "sid": 1, "data": [122]})
    );
    assert!(!v2::recognize(&frame(0xfa, 0, 1, b"z")));
}

#[test]
fn pypcapkit_bug_31_length_excludes_the_frame_header() {
    let bytes = frame(8, 0, 1, &[0, 0, 0, 1]);
    let h = v2(&bytes);
    let f = h.frames().next().unwrap();
    assert_eq!(f.length, 4);
    assert_eq!(f.payload.len(), 4);
    assert_eq!(bytes.len(), FRAME_HEADER_LEN + 4);
    // Flag-bearing frames, SETTINGS pairs and RFC lengths all decode.
    for ty in [0u8, 1, 5, 6, 9] {
        let payload: &[u8] = if ty == 6 {
            &[0; 8]
        } else if ty == 5 {
            &[0, 0, 0, 2]
        } else {
            b"ab"
        };
        let sid = if ty == 6 { 0 } else { 1 };
        let json = frame_json(&frame(ty, 0, sid, payload));
        assert!(json["flags"].is_object(), "{json}");
        assert!(json.get("malformed").is_none(), "{json}");
    }
}

#[test]
fn several_frames_per_segment_with_preface_and_truncation() {
    let mut seg = PREFACE.to_vec();
    seg.extend(frame(4, 0, 0, &[0, 3, 0, 0, 0, 100]));
    seg.extend(frame(8, 0, 0, &[0, 0, 0xff, 0xff]));
    seg.extend(frame(2, 0, 3, &[0, 0, 0, 0, 200]));
    let mut headers = frame(1, 0x25, 13, &[0u8; 100]);
    headers.truncate(FRAME_HEADER_LEN + 40);
    seg.extend(headers);
    let p = parse(&seg);
    assert_eq!(p.header_len, seg.len());
    assert_eq!(p.next, Next::Leaf);
    assert_eq!(token(&p.header), "HTTP/2");
    let Http::V2(h) = p.header else { panic!() };
    assert!(h.preface);
    let frames: Vec<_> = h.frames().collect();
    assert_eq!(
        frames.iter().map(|f| f.ty.0).collect::<Vec<_>>(),
        [4, 8, 2, 1]
    );
    assert_eq!(
        frames.iter().map(|f| f.length).collect::<Vec<_>>(),
        [6, 4, 5, 100]
    );
    assert_eq!(
        frames.iter().map(|f| f.sid).collect::<Vec<_>>(),
        [0, 0, 3, 13]
    );
    assert!(frames[3].truncated && !frames[2].truncated);
    let json = serde_json::to_value(p.header).unwrap();
    assert_eq!(json["preface"], true);
    assert_eq!(json["frames"][3]["truncated"], true);
    assert_eq!(json["frames"][3]["data"].as_array().unwrap().len(), 40);
    assert_eq!(json["frames"][3]["flags"]["PRIORITY"], true);
    assert!(json.get("trailing").is_none());
    // Without the preface, the same frames are recognized.
    assert!(v2::recognize(&seg[PREFACE.len()..]));
}

#[test]
fn a_frame_header_cut_by_the_segment_end_is_trailing() {
    let mut seg = frame(6, 0, 0, &[0; 8]);
    seg.extend_from_slice(&[0, 0, 4, 8]);
    let h = v2(&seg);
    assert_eq!(h.frames().count(), 1);
    assert_eq!(h.trailing, &[0, 0, 4, 8]);
    assert_eq!(
        serde_json::to_value(h).unwrap()["trailing"],
        json!([0, 0, 4, 8])
    );
}

#[test]
fn malformed_frames_are_reported_after_a_preface() {
    let cases = [
        (frame(2, 0, 1, &[0, 0, 0, 1]), "PRIORITY needs length 5"),
        (frame(3, 0, 1, &[0, 0]), "RST_STREAM needs length 4"),
        (
            frame(4, 0, 0, &[0, 1, 0]),
            "SETTINGS length must be a multiple of 6",
        ),
        (frame(6, 0, 0, &[0; 4]), "PING needs length 8"),
        (frame(7, 0, 0, &[0; 4]), "GOAWAY needs length 8 or more"),
        (frame(8, 0, 0, &[0; 3]), "WINDOW_UPDATE needs length 4"),
        (frame(0, 0x08, 1, &[9, 1]), "padding longer than the frame"),
        (
            frame(1, 0x20, 1, &[0, 0]),
            "padding and priority longer than the frame",
        ),
        (
            frame(5, 0, 1, &[0, 0]),
            "PUSH_PROMISE needs a 4-byte promised stream id after padding",
        ),
    ];
    for (f, why) in cases {
        // Not taken for HTTP/2 without a preface ...
        assert!(!v2::recognize(&f), "{f:?}");
        // ... decoded with a message after one.
        let seg = [&PREFACE[..], &f].concat();
        let json = frame_json(&seg);
        assert_eq!(json["malformed"], why, "{json}");
        assert!(json["data"].is_array());
    }
}

#[test]
fn recognition_is_strict_without_a_preface() {
    // Continuation of a DATA payload (text), random binary, a too-long frame, wrong
    // stream ids, undefined flags, the reserved bit.
    for bad in [
        b"<html><body>some text".to_vec(),
        vec![0x1f, 0x8b, 0x08, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x03],
        frame(0, 0, 1, &vec![0; DEFAULT_MAX_FRAME_SIZE as usize + 1]),
        frame(4, 0, 1, &[]),
        frame(0, 0, 0, b"x"),
        frame(6, 0x02, 0, &[0; 8]),
        frame(0, 0, 0x8000_0001, b"x"),
        vec![0, 0, 0, 4],
    ] {
        assert!(!v2::recognize(&bad), "{:?}", &bad[..bad.len().min(12)]);
        assert!(!claims(&bad));
    }
    // A good frame followed by garbage that is not a plausible frame header.
    let mut seg = frame(4, 1, 0, &[]);
    seg.extend_from_slice(b"GET / HTTP/1.1\r\n");
    assert!(!v2::recognize(&seg));
}

#[test]
fn header_names_and_extract() {
    let h1 = parse(REQUEST).header;
    assert!(h1.is_named("http") && h1.is_named("HTTPv1") && h1.is_named("HTTP/1.1"));
    assert!(!h1.is_named("HTTPv2") && !h1.is_named("HTTP/1.0"));
    let f = frame(4, 1, 0, &[]);
    let h2 = parse(&f).header;
    assert!(h2.is_named("HTTP") && h2.is_named("httpv2") && h2.is_named("HTTP/2"));
    assert!(!h2.is_named("HTTPv1"));
    let p = crate::analyse(REQUEST);
    assert!(p.get::<Http1>().is_some());
    assert!(p.get::<Http2>().is_none());
    let p = crate::analyse(&f);
    assert!(p.get::<Http2>().is_some());
}
