//! proptest strategies: timestamps, link types, frames and frame lists that every
//! writer can store exactly.

use pcapkit_core::{LinkType, OwnedFrame, Precision, Timestamp};
use proptest::prelude::*;

/// Link types: the common ones more often, any 16-bit value sometimes.
pub fn link_type() -> impl Strategy<Value = LinkType> {
    prop_oneof![
        4 => Just(LinkType::ETHERNET),
        1 => Just(LinkType::NULL),
        1 => Just(LinkType::RAW),
        1 => Just(LinkType::LINUX_SLL),
        1 => Just(LinkType::IPV4),
        1 => Just(LinkType::IPV6),
        1 => Just(LinkType::LINUX_SLL2),
        1 => (0u32..=0xffff).prop_map(LinkType),
    ]
}

/// Timestamps PCAP can store: seconds in `0..2^32`, nanoseconds (or whole
/// microseconds when `nanosecond` is false); edge values included.
pub fn timestamp(nanosecond: bool) -> impl Strategy<Value = Timestamp> {
    let secs = prop_oneof![
        1 => Just(0i64),
        1 => Just(i64::from(u32::MAX)),
        6 => 0i64..=i64::from(u32::MAX),
    ];
    let nanos = prop_oneof![
        1 => Just(0u32),
        1 => Just(999_999_999u32),
        6 => 0u32..1_000_000_000,
    ];
    (secs, nanos)
        .prop_map(move |(s, n)| Timestamp::new(s, if nanosecond { n } else { n / 1_000 * 1_000 }))
}

/// Payload bytes, `0..=max` long.
pub fn data(max: usize) -> impl Strategy<Value = Vec<u8>> {
    proptest::collection::vec(any::<u8>(), 0..=max)
}

/// One frame of `link` with up to `max_len` bytes; the original length is at least the
/// captured length (equal half of the time). The snapshot length is 0, 65535 or
/// 262144; numbers are set by [`frames`].
pub fn frame(
    link: impl Strategy<Value = LinkType>,
    nanosecond: bool,
    max_len: usize,
) -> impl Strategy<Value = OwnedFrame> {
    let extra = prop_oneof![Just(0u32), 0u32..10_000, Just(u32::MAX)];
    let snaplen = prop_oneof![Just(0u32), Just(65_535), Just(262_144)];
    (link, timestamp(nanosecond), data(max_len), extra, snaplen).prop_map(
        move |(link_type, timestamp, data, extra, snaplen)| {
            let caplen = data.len() as u32;
            OwnedFrame {
                number: 0,
                timestamp,
                precision: if nanosecond {
                    Precision::Nano
                } else {
                    Precision::Micro
                },
                caplen,
                origlen: caplen.saturating_add(extra),
                link_type,
                snaplen,
                interface: 0,
                offset: 0,
                data,
            }
        },
    )
}

/// Up to `max_frames` frames, numbered from 1, each of any link type (for PCAPNG).
pub fn frames(max_frames: usize, nanosecond: bool) -> impl Strategy<Value = Vec<OwnedFrame>> {
    proptest::collection::vec(frame(link_type(), nanosecond, 300), 0..=max_frames).prop_map(number)
}

/// One link type and up to `max_frames` frames of it (for PCAP).
pub fn pcap_frames(
    max_frames: usize,
    nanosecond: bool,
) -> impl Strategy<Value = (LinkType, Vec<OwnedFrame>)> {
    link_type().prop_flat_map(move |link| {
        proptest::collection::vec(frame(Just(link), nanosecond, 300), 0..=max_frames)
            .prop_map(move |f| (link, number(f)))
    })
}

fn number(mut frames: Vec<OwnedFrame>) -> Vec<OwnedFrame> {
    for (i, f) in frames.iter_mut().enumerate() {
        f.number = i as u64 + 1;
    }
    frames
}
