//! Frame lists written with our own writers, as bytes.

use pcapkit_core::{
    Endian, LinkType, OwnedFrame, PcapWriter, PcapWriterOptions, PcapngWriter, PcapngWriterOptions,
};

/// A PCAP file of `frames` (all of `link`), in `endian`, µs or ns. Panics on a frame
/// the writer rejects (test support).
pub fn pcap_bytes(
    frames: &[OwnedFrame],
    link: LinkType,
    endian: Endian,
    nanosecond: bool,
) -> Vec<u8> {
    let opts = PcapWriterOptions::default()
        .endian(endian)
        .nanosecond(nanosecond)
        .link_type(link);
    let mut w = PcapWriter::new(Vec::new(), opts).expect("writing to a Vec");
    for f in frames {
        w.write_frame(&f.as_raw())
            .expect("frame the PCAP writer accepts");
    }
    w.into_inner()
}

/// A PCAPNG file of `frames`: one section in `endian`, one interface per (link type,
/// snaplen), nanosecond timestamps.
pub fn pcapng_bytes(frames: &[OwnedFrame], endian: Endian) -> Vec<u8> {
    let opts = PcapngWriterOptions {
        endian,
        ..Default::default()
    };
    let mut w = PcapngWriter::new(Vec::new(), opts).expect("writing to a Vec");
    for f in frames {
        w.write_frame(&f.as_raw())
            .expect("frame the PCAPNG writer accepts");
    }
    w.into_inner()
}
