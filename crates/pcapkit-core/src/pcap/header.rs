//! The 24-byte PCAP global header.

use nom::Parser;
use nom::number::complete::{i32 as nom_i32, u16 as nom_u16, u32 as nom_u32};

use crate::{Endian, ErrorKind, LinkType};

mod field {
    /// A byte range inside the global header.
    pub type Field = core::ops::Range<usize>;
    pub const MAGIC: Field = 0..4;
    pub const REST: Field = 4..24;
    pub const LEN: usize = 24;
}

/// Length of the PCAP global header.
pub const HEADER_LEN: usize = field::LEN;

/// The file magic numbers this crate recognises (the first four bytes of a file).
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
pub enum Magic {
    /// PCAP: byte order, nanosecond resolution, modified (Kuznetzov) record headers.
    Pcap {
        /// Byte order of every header field.
        endian: Endian,
        /// Fractions are nanoseconds (`a1b23c4d`) rather than microseconds.
        nanosecond: bool,
        /// Records carry 8 extra bytes (`a1b2cd34`, Alexey Kuznetzov's patched libpcap).
        modified: bool,
    },
    /// PCAPNG: a Section Header Block (`0a0d0d0a`).
    Pcapng,
}

impl Magic {
    /// Recognises the first four bytes of a file.
    pub fn detect(bytes: [u8; 4]) -> Option<Self> {
        let pcap = |endian, nanosecond, modified| {
            Some(Self::Pcap {
                endian,
                nanosecond,
                modified,
            })
        };
        match u32::from_be_bytes(bytes) {
            0xa1b2_c3d4 => pcap(Endian::Big, false, false),
            0xd4c3_b2a1 => pcap(Endian::Little, false, false),
            0xa1b2_3c4d => pcap(Endian::Big, true, false),
            0x4d3c_b2a1 => pcap(Endian::Little, true, false),
            0xa1b2_cd34 => pcap(Endian::Big, false, true),
            0x34cd_b2a1 => pcap(Endian::Little, false, true),
            0x0a0d_0d0a => Some(Self::Pcapng),
            _ => None,
        }
    }

    /// The four bytes a PCAP file with these properties starts with.
    pub fn pcap_bytes(endian: Endian, nanosecond: bool, modified: bool) -> [u8; 4] {
        let value: u32 = match (nanosecond, modified) {
            (_, true) => 0xa1b2_cd34,
            (true, false) => 0xa1b2_3c4d,
            (false, false) => 0xa1b2_c3d4,
        };
        endian.put_u32(value)
    }
}

/// The PCAP global header (PyPCAPKit's "Global Header").
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
pub struct PcapHeader {
    /// The four magic bytes as found in the file.
    pub magic: [u8; 4],
    /// Byte order of the file.
    pub endian: Endian,
    /// Timestamps carry nanoseconds (else microseconds).
    pub nanosecond: bool,
    /// Modified (Kuznetzov) format: 24-byte record headers.
    pub modified: bool,
    /// Major version (2).
    pub version_major: u16,
    /// Minor version (4).
    pub version_minor: u16,
    /// GMT to local correction in seconds (always 0 in practice).
    pub thiszone: i32,
    /// Accuracy of timestamps (always 0 in practice).
    pub sigfigs: u32,
    /// Snapshot length: the maximum bytes captured per frame.
    pub snaplen: u32,
    /// The `network` field as stored: link type in the low 26 bits, FCS information
    /// in the top bits (see [`PcapHeader::link_type`]).
    pub network: LinkType,
}

impl PcapHeader {
    /// A version 2.4 header.
    pub fn new(endian: Endian, nanosecond: bool, link_type: LinkType, snaplen: u32) -> Self {
        Self {
            magic: Magic::pcap_bytes(endian, nanosecond, false),
            endian,
            nanosecond,
            modified: false,
            version_major: 2,
            version_minor: 4,
            thiszone: 0,
            sigfigs: 0,
            snaplen,
            network: link_type,
        }
    }

    /// The link type of every frame: `network` without the FCS bits (mask 0x03ffffff).
    pub fn link_type(&self) -> LinkType {
        LinkType(self.network.0 & 0x03ff_ffff)
    }

    /// Length of each record header: 16, or 24 in the modified format.
    pub fn record_header_len(&self) -> usize {
        if self.modified { 24 } else { 16 }
    }

    /// Parses a global header from the first 24 bytes of `data`.
    ///
    /// Errors: [`ErrorKind::UnknownMagic`], [`ErrorKind::Truncated`],
    /// [`ErrorKind::UnsupportedVersion`] (major version other than 2, like libpcap).
    pub fn parse(data: &[u8]) -> Result<Self, ErrorKind> {
        let truncated = || ErrorKind::Truncated {
            what: "PCAP global header",
            expected: HEADER_LEN as u64,
            available: data.len() as u64,
        };
        let magic: [u8; 4] = data
            .get(field::MAGIC)
            .and_then(|m| m.try_into().ok())
            .ok_or_else(truncated)?;
        let Some(Magic::Pcap {
            endian,
            nanosecond,
            modified,
        }) = Magic::detect(magic)
        else {
            return Err(ErrorKind::UnknownMagic { magic });
        };
        let rest = data.get(field::REST).ok_or_else(truncated)?;
        let e = endian.nom();
        let parsed: nom::IResult<&[u8], _> = (
            nom_u16(e),
            nom_u16(e),
            nom_i32(e),
            nom_u32(e),
            nom_u32(e),
            nom_u32(e),
        )
            .parse(rest);
        let (_, (version_major, version_minor, thiszone, sigfigs, snaplen, network)) =
            parsed.map_err(|_| truncated())?;
        if version_major != 2 {
            return Err(ErrorKind::UnsupportedVersion {
                major: version_major,
                minor: version_minor,
            });
        }
        Ok(Self {
            magic,
            endian,
            nanosecond,
            modified,
            version_major,
            version_minor,
            thiszone,
            sigfigs,
            snaplen,
            network: LinkType(network),
        })
    }

    /// The 24 bytes of this header in its byte order.
    pub fn to_bytes(&self) -> [u8; HEADER_LEN] {
        let e = self.endian;
        let mut out = [0u8; HEADER_LEN];
        let parts: [&[u8]; 7] = [
            &Magic::pcap_bytes(e, self.nanosecond, self.modified),
            &e.put_u16(self.version_major),
            &e.put_u16(self.version_minor),
            &e.put_u32(self.thiszone as u32),
            &e.put_u32(self.sigfigs),
            &e.put_u32(self.snaplen),
            &e.put_u32(self.network.0),
        ];
        let mut at = 0;
        for p in parts {
            if let Some(dst) = out.get_mut(at..at + p.len()) {
                dst.copy_from_slice(p);
            }
            at += p.len();
        }
        out
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    const LE_US: [u8; 24] = [
        0xd4, 0xc3, 0xb2, 0xa1, 2, 0, 4, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0xff, 0xff, 0, 0, 1, 0, 0, 0,
    ];

    #[test]
    fn parse_le_us() {
        let h = PcapHeader::parse(&LE_US).unwrap();
        assert_eq!(h.endian, Endian::Little);
        assert!(!h.nanosecond && !h.modified);
        assert_eq!((h.version_major, h.version_minor), (2, 4));
        assert_eq!(h.snaplen, 65535);
        assert_eq!(h.link_type(), LinkType::ETHERNET);
        assert_eq!(h.to_bytes(), LE_US);
    }

    #[test]
    fn round_trip_all_magics() {
        for endian in [Endian::Little, Endian::Big] {
            for ns in [false, true] {
                let h = PcapHeader::new(endian, ns, LinkType(228), 1234);
                let back = PcapHeader::parse(&h.to_bytes()).unwrap();
                assert_eq!(back, h);
            }
        }
        let mut m = PcapHeader::new(Endian::Big, false, LinkType(1), 9);
        m.modified = true;
        m.magic = Magic::pcap_bytes(Endian::Big, false, true);
        assert_eq!(&m.to_bytes()[..4], &[0xa1, 0xb2, 0xcd, 0x34]);
        assert_eq!(
            PcapHeader::parse(&m.to_bytes())
                .unwrap()
                .record_header_len(),
            24
        );
    }

    #[test]
    fn errors() {
        assert_eq!(
            PcapHeader::parse(&LE_US[..10]),
            Err(ErrorKind::Truncated {
                what: "PCAP global header",
                expected: 24,
                available: 10
            })
        );
        assert_eq!(
            PcapHeader::parse(b"GET / HTTP/1.1\r\n\r\n123456"),
            Err(ErrorKind::UnknownMagic { magic: *b"GET " })
        );
        let mut v1 = LE_US;
        v1[4] = 1;
        assert_eq!(
            PcapHeader::parse(&v1),
            Err(ErrorKind::UnsupportedVersion { major: 1, minor: 4 })
        );
    }

    #[test]
    fn fcs_bits_are_masked() {
        let mut h = PcapHeader::new(Endian::Little, false, LinkType(1), 0);
        h.network = LinkType(0x1400_0001);
        assert_eq!(h.link_type(), LinkType(1));
    }
}
