//! Property tests for the application family: arbitrary payloads never panic (through
//! the port dispatch, content sniffing and `analyse`), and HTTP/2 frame lists, HTTP/1.x
//! heads and FTP commands round-trip through small test emitters.

use pcapkit_core::LinkType;
use pcapkit_protocols::application::http::v2;
use pcapkit_protocols::application::{Ftp, FtpMessage, Http1, Http2, Payload, Receipt};
use pcapkit_protocols::consts::support::StrMember;
use pcapkit_protocols::{DissectOptions, Next, SerOptions, Transport, analyse, dissect_next};
use proptest::prelude::*;

fn check(p: &pcapkit_protocols::Packet<'_>) {
    assert!(!p.layers().is_empty());
    serde_json::to_string(&p.layers_view(SerOptions::default())).unwrap();
    let _ = p.protocols().to_string();
}

/// Payloads that look like the protocols' text, to reach deep paths.
fn texty() -> impl Strategy<Value = Vec<u8>> {
    let piece = prop_oneof![
        Just(b"GET / HTTP/1.1\r\n".to_vec()),
        Just(b"HTTP/1.1 200 OK\r\n".to_vec()),
        Just(b"HTTP/1.1 101 Switching\r\n\r\n".to_vec()),
        Just(b"Host: x\r\n".to_vec()),
        Just(b"\r\n".to_vec()),
        Just(b"220-".to_vec()),
        Just(b"USER ".to_vec()),
        Just(v2::PREFACE.to_vec()),
        Just(vec![0, 0, 0, 4, 0, 0, 0, 0, 0]),
        Just(vec![0, 0, 5, 1, 0x2d, 0, 0, 0, 1]),
        proptest::collection::vec(any::<u8>(), 0..12),
    ];
    proptest::collection::vec(piece, 0..8).prop_map(|v| v.concat())
}

proptest! {
    #[test]
    fn arbitrary_payloads_never_panic(
        data in prop_oneof![proptest::collection::vec(any::<u8>(), 0..300), texty()],
        port in prop_oneof![Just(21u16), Just(80), any::<u16>()],
        other in any::<u16>(),
    ) {
        for transport in [Transport::Tcp, Transport::Udp] {
            for (src, dst) in [(port, other), (other, port)] {
                check(&dissect_next(Next::Ports { transport, src, dst }, LinkType::NULL, &data, &DissectOptions::default()));
            }
        }
        check(&dissect_next(Next::Sniff, LinkType::NULL, &data, &DissectOptions::default()));
        check(&analyse(&data));
        if let Some(h) = analyse(&data).get::<Http2>() {
            for f in h.frames() {
                let _ = f.payload();
                let _ = f.settings().count();
            }
        }
    }
}

// ---- HTTP/2 frame lists ----

#[derive(Clone, Debug, PartialEq)]
enum F {
    Data {
        pad: Option<u8>,
        data: Vec<u8>,
        end: bool,
    },
    Headers {
        pad: Option<u8>,
        prio: Option<(bool, u32, u8)>,
        frag: Vec<u8>,
    },
    Priority(bool, u32, u8),
    Rst(u32),
    Settings(Vec<(u16, u32)>),
    Push {
        pad: Option<u8>,
        promised: u32,
        frag: Vec<u8>,
    },
    Ping(bool, [u8; 8]),
    Goaway(u32, u32, Vec<u8>),
    Window(u32),
    Cont(bool, Vec<u8>),
}

fn frame() -> impl Strategy<Value = F> {
    let bytes = || proptest::collection::vec(any::<u8>(), 0..20);
    let sid31 = || 0u32..0x8000_0000;
    prop_oneof![
        (proptest::option::of(0u8..8), bytes(), any::<bool>())
            .prop_map(|(pad, data, end)| F::Data { pad, data, end }),
        (
            proptest::option::of(0u8..8),
            proptest::option::of((any::<bool>(), sid31(), any::<u8>())),
            bytes()
        )
            .prop_map(|(pad, prio, frag)| F::Headers { pad, prio, frag }),
        (any::<bool>(), sid31(), any::<u8>()).prop_map(|(e, d, w)| F::Priority(e, d, w)),
        any::<u32>().prop_map(F::Rst),
        proptest::collection::vec(any::<(u16, u32)>(), 0..4).prop_map(F::Settings),
        (proptest::option::of(0u8..8), sid31(), bytes()).prop_map(|(pad, promised, frag)| {
            F::Push {
                pad,
                promised,
                frag,
            }
        }),
        (any::<bool>(), any::<[u8; 8]>()).prop_map(|(a, d)| F::Ping(a, d)),
        (sid31(), any::<u32>(), bytes()).prop_map(|(l, e, d)| F::Goaway(l, e, d)),
        (0u32..0x8000_0000).prop_map(F::Window),
        (any::<bool>(), bytes()).prop_map(|(e, f)| F::Cont(e, f)),
    ]
}

/// (type, flags, stream id, payload) of a model frame; stream ids follow the RFC rules.
fn emit(f: &F, sid: u32) -> Vec<u8> {
    let padded = |pad: &Option<u8>, body: Vec<u8>| match pad {
        Some(p) => [vec![*p], body, vec![0; usize::from(*p)]].concat(),
        None => body,
    };
    let (ty, flags, sid, payload): (u8, u8, u32, Vec<u8>) = match f {
        F::Data { pad, data, end } => (
            0,
            u8::from(*end) | if pad.is_some() { 8 } else { 0 },
            sid,
            padded(pad, data.clone()),
        ),
        F::Headers { pad, prio, frag } => {
            let mut body = Vec::new();
            if let Some((e, d, w)) = prio {
                body.extend_from_slice(&((u32::from(*e) << 31) | d).to_be_bytes());
                body.push(*w);
            }
            body.extend_from_slice(frag);
            let flags =
                4 | if pad.is_some() { 8 } else { 0 } | if prio.is_some() { 0x20 } else { 0 };
            (1, flags, sid, padded(pad, body))
        }
        F::Priority(e, d, w) => (
            2,
            0,
            sid,
            [((u32::from(*e) << 31) | d).to_be_bytes().to_vec(), vec![*w]].concat(),
        ),
        F::Rst(e) => (3, 0, sid, e.to_be_bytes().to_vec()),
        F::Settings(pairs) => (
            4,
            0,
            0,
            pairs
                .iter()
                .flat_map(|(i, v)| [i.to_be_bytes().to_vec(), v.to_be_bytes().to_vec()].concat())
                .collect(),
        ),
        F::Push {
            pad,
            promised,
            frag,
        } => (
            5,
            4 | if pad.is_some() { 8 } else { 0 },
            sid,
            padded(
                pad,
                [promised.to_be_bytes().to_vec(), frag.clone()].concat(),
            ),
        ),
        F::Ping(ack, d) => (6, u8::from(*ack), 0, d.to_vec()),
        F::Goaway(l, e, d) => (
            7,
            0,
            0,
            [
                l.to_be_bytes().to_vec(),
                e.to_be_bytes().to_vec(),
                d.clone(),
            ]
            .concat(),
        ),
        F::Window(i) => (8, 0, sid, i.to_be_bytes().to_vec()),
        F::Cont(end, frag) => (9, if *end { 4 } else { 0 }, sid, frag.clone()),
    };
    let len = payload.len() as u32;
    [
        len.to_be_bytes()[1..].to_vec(),
        vec![ty, flags],
        sid.to_be_bytes().to_vec(),
        payload,
    ]
    .concat()
}

/// The model of a decoded frame.
fn model(f: &v2::Frame2<'_>) -> F {
    let pad = |p: u8| (f.flags & 8 != 0).then_some(p);
    match f.payload() {
        Payload::Data { pad_len, data } => F::Data {
            pad: pad(pad_len),
            data: data.to_vec(),
            end: f.flags & 1 != 0,
        },
        Payload::Headers {
            pad_len,
            excl_dependency,
            stream_dependency,
            weight,
            fragment,
        } => F::Headers {
            pad: pad(pad_len),
            prio: excl_dependency.map(|e| (e, stream_dependency.unwrap_or(0), weight.unwrap_or(0))),
            frag: fragment.to_vec(),
        },
        Payload::Priority {
            excl_dependency,
            stream_dependency,
            weight,
        } => F::Priority(excl_dependency, stream_dependency, weight),
        Payload::RstStream(e) => F::Rst(e.0),
        Payload::Settings(_) => F::Settings(f.settings().map(|(s, v)| (s.0, v)).collect()),
        Payload::PushPromise {
            pad_len,
            promised_sid,
            fragment,
        } => F::Push {
            pad: pad(pad_len),
            promised: promised_sid,
            frag: fragment.to_vec(),
        },
        Payload::Ping(d) => F::Ping(f.flags & 1 != 0, d.try_into().unwrap()),
        Payload::Goaway {
            last_sid,
            error,
            debug_data,
        } => F::Goaway(last_sid, error.0, debug_data.to_vec()),
        Payload::WindowUpdate(i) => F::Window(i),
        Payload::Continuation(c) => F::Cont(f.flags & 4 != 0, c.to_vec()),
        other => panic!("unexpected {other:?}"),
    }
}

proptest! {
    #[test]
    fn http2_frame_lists_round_trip(
        frames in proptest::collection::vec(frame(), 1..6),
        preface in any::<bool>(),
        cut in 0usize..12,
    ) {
        let mut seg = if preface { v2::PREFACE.to_vec() } else { Vec::new() };
        for (i, f) in frames.iter().enumerate() {
            seg.extend(emit(f, 2 * i as u32 + 1));
        }
        prop_assert!(v2::recognize(&seg));
        let h = v2::parse(&seg);
        prop_assert_eq!(h.preface, preface);
        let decoded: Vec<_> = h.frames().collect();
        prop_assert_eq!(decoded.len(), frames.len());
        for (d, want) in decoded.iter().zip(&frames) {
            prop_assert!(!d.truncated);
            prop_assert_eq!(&model(d), want);
        }
        // Cut the segment: every complete frame still decodes, the last is truncated
        // (or its header is trailing), and nothing panics.
        let cut_seg = &seg[..seg.len().saturating_sub(cut)];
        let h = v2::parse(cut_seg);
        serde_json::to_string(&h).unwrap();
        let n = h.frames().count();
        prop_assert!(n <= frames.len());
        prop_assert!(h.frames().take(n.saturating_sub(1)).all(|f| !f.truncated));
    }
}

// ---- HTTP/1.x heads and FTP commands ----

fn token() -> impl Strategy<Value = String> {
    "[A-Za-z][A-Za-z0-9-]{0,11}"
}

proptest! {
    #[test]
    fn http1_requests_round_trip(
        method in prop_oneof![Just("GET"), Just("POST"), Just("PUT"), Just("DELETE"), Just("OPTIONS"), Just("NOTIFY")],
        uri in "/[a-z0-9/?=&%.]{0,20}",
        minor in 0u8..2,
        headers in proptest::collection::vec((token(), "[ -~]{0,20}"), 0..6),
        body in proptest::collection::vec(any::<u8>(), 0..32),
    ) {
        let mut msg = format!("{method} {uri} HTTP/1.{minor}\r\n").into_bytes();
        for (n, v) in &headers {
            msg.extend_from_slice(format!("{n}: {v}\r\n").as_bytes());
        }
        msg.extend_from_slice(b"\r\n");
        let head_len = msg.len();
        msg.extend_from_slice(&body);
        let p = analyse(&msg);
        let h = p.get::<Http1>().unwrap();
        let Receipt::Request { method: m, uri: u, version } = h.receipt else { panic!("not a request") };
        let m = match m { StrMember::Known(k) => k.value().to_owned(), StrMember::Unknown(s) => s.to_owned() };
        prop_assert_eq!(m, method);
        prop_assert_eq!(u.to_string(), uri);
        prop_assert_eq!(version, if minor == 0 { "1.0" } else { "1.1" });
        let got: Vec<(String, Option<String>)> = h.headers().map(|(n, v)| (n.to_string(), v.map(|v| v.to_string()))).collect();
        let want: Vec<(String, Option<String>)> = headers.iter().map(|(n, v)| (n.clone(), Some(v.trim_matches([' ', '\t']).to_owned()))).collect();
        prop_assert_eq!(got, want);
        prop_assert_eq!(h.body, (!body.is_empty()).then_some(&body[..]));
        prop_assert_eq!(p.payload(&p.layers()[0]).len(), msg.len() - head_len);
    }

    #[test]
    fn ftp_commands_round_trip(cmd in "[A-Z]{3,4}", args in proptest::option::of("[ -~]{1,30}")) {
        let line = match &args { Some(a) => format!("{cmd} {a}\r\n"), None => format!("{cmd}\r\n") };
        let data = line.as_bytes();
        let p = dissect_next(Next::Ports { transport: Transport::Tcp, src: 40000, dst: 21 }, LinkType::NULL, data, &DissectOptions::default());
        let f = p.get::<Ftp>().unwrap();
        let FtpMessage::Request { command, args: a } = f.message else { panic!("not a request") };
        let c = match command { StrMember::Known(k) => k.value().to_owned(), StrMember::Unknown(s) => s.to_owned() };
        prop_assert_eq!(c, cmd);
        prop_assert_eq!(a.map(|t| t.to_string()), args);
    }
}
