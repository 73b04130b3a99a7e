//! BSD loopback encapsulation: link types NULL (0) and LOOP (108), a 4-byte address
//! family before the network-layer packet.

use std::ops::Deref;

use serde::Serialize;

use crate::consts::reg::EtherType;
use crate::error::Result;
use crate::protocol::{Ctx, Header, Level, Next, Parse, Parsed};
use crate::wire;

use super::local_registry;

/// Length of the header.
pub const HEADER_LEN: usize = 4;

local_registry! {
    /// A BSD socket address family (`AF_*`), printed `AddressFamily::INET [2]`.
    /// `AF_INET6` differs between the BSDs: 24 (NetBSD/OpenBSD), 28 (FreeBSD), 30 (macOS).
    AddressFamily(u32) as "AddressFamily" {
        UNSPEC = 0,
        INET = 2,
        NS = 6,
        ISO = 7,
        APPLETALK = 16,
        IPX = 23,
        INET6_BSD = 24,
        INET6_FREEBSD = 28,
        INET6_DARWIN = 30,
    }
}

/// The byte order the family was read in.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, Serialize)]
#[serde(rename_all = "lowercase")]
pub enum ByteOrder {
    /// Most significant byte first.
    Big,
    /// Least significant byte first.
    Little,
}

/// A loopback header (`loopback`, chain token `Loopback`: the names of PyPCAPKit's later
/// `Loopback` class; 1.4.1 shows these frames as `Raw`/`NULL`).
///
/// For link type NULL the family is in the capturing host's byte order, which the file
/// does not record; it is detected as tshark does. Some systems (old Linux ISDN, BSD/OS)
/// put an EtherType there instead: a value above 1500 is reported as `type` and handed to
/// the EtherType table. Family 2 is IPv4, 24/28/30 are IPv6, others stay `raw`.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize)]
pub struct Loopback {
    /// Address family (tshark `null.family`); absent when the header holds an EtherType.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub family: Option<AddressFamily>,
    /// EtherType (tshark `null.type`), when the header holds one instead of a family.
    #[serde(rename = "type", skip_serializing_if = "Option::is_none")]
    pub ethertype: Option<EtherType>,
    /// Byte order the value was read in.
    pub byteorder: ByteOrder,
}

impl Header for Loopback {
    const NAME: &'static str = "Loopback";
    const KEY: &'static str = "loopback";
    const LEVEL: Option<Level> = Some(Level::Link);
    const ALIASES: &'static [&'static str] = &["NULL", "LOOP"];
}

fn next_of(family: u32) -> Next {
    match family {
        2 => Next::EtherType(EtherType::Internet_Protocol_version_4),
        24 | 28 | 30 => Next::EtherType(EtherType::Internet_Protocol_version_6),
        23 => Next::EtherType(super::ETHERTYPE_IPX),
        _ => Next::End,
    }
}

/// tshark's reading of a NULL header (packet-null.c): the value is in host byte order of
/// an unknown host; families are small, so whichever reading leaves the high bytes zero
/// is taken, and a value in the upper 16 bits is an EtherType.
fn detect_null(b: [u8; 4]) -> (u32, ByteOrder) {
    let le = u32::from_le_bytes(b);
    if le & 0xffff_0000 != 0 {
        if le & 0xff00_0000 == 0 && le & 0x00ff_0000 < 0x0006_0000 {
            (le >> 16, ByteOrder::Little)
        } else {
            (le.swap_bytes(), ByteOrder::Big)
        }
    } else if le & 0xff == 0 && le & 0xff00 < 0x0600 {
        (u32::from((le as u16).swap_bytes()), ByteOrder::Big)
    } else {
        (le, ByteOrder::Little)
    }
}

fn build(value: u32, byteorder: ByteOrder, allow_ethertype: bool) -> Parsed<Loopback> {
    let (header, next) = if allow_ethertype && value > 1500 {
        // tshark keeps the low 16 bits.
        let t = EtherType(value as u16);
        (
            Loopback {
                family: None,
                ethertype: Some(t),
                byteorder,
            },
            Next::EtherType(t),
        )
    } else {
        (
            Loopback {
                family: Some(AddressFamily(value)),
                ethertype: None,
                byteorder,
            },
            next_of(value),
        )
    };
    Parsed {
        header,
        header_len: HEADER_LEN,
        payload_len: 0,
        next,
    }
}

fn read4(name: &'static str, data: &[u8], ctx: &Ctx) -> Result<[u8; 4]> {
    wire::need(name, ctx, data, HEADER_LEN)?;
    Ok(<[u8; 4]>::try_from(super::bytes::slice(data, 0..HEADER_LEN)).unwrap_or_default())
}

impl<'a> Parse<'a> for Loopback {
    /// Decodes a LINKTYPE_NULL header.
    fn parse(data: &'a [u8], ctx: &Ctx) -> Result<Parsed<Self>> {
        let (value, order) = detect_null(read4(Self::NAME, data, ctx)?);
        let mut p = build(value, order, true);
        p.payload_len = data.len() - HEADER_LEN;
        Ok(p)
    }
}

/// A LINKTYPE_LOOP header: the same [`Loopback`] fields, the family always in network
/// byte order (as tshark reads it).
#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize)]
pub struct Loop(pub Loopback);

impl Deref for Loop {
    type Target = Loopback;

    fn deref(&self) -> &Loopback {
        &self.0
    }
}

impl Header for Loop {
    const NAME: &'static str = "Loopback";
    const KEY: &'static str = "loopback";
    const LEVEL: Option<Level> = Some(Level::Link);
    const ALIASES: &'static [&'static str] = &["NULL", "LOOP"];
}

impl<'a> Parse<'a> for Loop {
    fn parse(data: &'a [u8], ctx: &Ctx) -> Result<Parsed<Self>> {
        let value = u32::from_be_bytes(read4(Self::NAME, data, ctx)?);
        let mut p = build(value, ByteOrder::Big, false).map(Loop);
        p.payload_len = data.len() - HEADER_LEN;
        Ok(p)
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::DissectError;

    #[test]
    fn test_parse_both_byte_orders() {
        let cases: [([u8; 4], u32, ByteOrder, EtherType); 6] = [
            ([2, 0, 0, 0], 2, ByteOrder::Little, EtherType(0x0800)),
            ([0, 0, 0, 2], 2, ByteOrder::Big, EtherType(0x0800)),
            ([30, 0, 0, 0], 30, ByteOrder::Little, EtherType(0x86dd)),
            ([0, 0, 0, 30], 30, ByteOrder::Big, EtherType(0x86dd)),
            ([24, 0, 0, 0], 24, ByteOrder::Little, EtherType(0x86dd)),
            ([0, 0, 0, 28], 28, ByteOrder::Big, EtherType(0x86dd)),
        ];
        for (bytes, family, order, next) in cases {
            let mut data = bytes.to_vec();
            data.push(0x45);
            let p = Loopback::parse(&data, &Ctx::default()).unwrap();
            assert_eq!(p.header.family, Some(AddressFamily(family)), "{bytes:?}");
            assert_eq!(p.header.byteorder, order, "{bytes:?}");
            assert_eq!(p.header.ethertype, None);
            assert_eq!(p.next, Next::EtherType(next));
            assert_eq!((p.header_len, p.payload_len), (4, 1));
        }
    }

    #[test]
    fn test_ethertype_in_null_header() {
        // Frame 3 of PcapPlusPlus NullLoopback: `0f 00 08 00`, tshark: Type IPv4 (0x0800).
        let p = Loopback::parse(&[0x0f, 0x00, 0x08, 0x00], &Ctx::default()).unwrap();
        assert_eq!(p.header.family, None);
        assert_eq!(p.header.ethertype, Some(EtherType(0x0800)));
        assert_eq!(p.next, Next::EtherType(EtherType(0x0800)));
        // A family in the upper 16 bits, or byte-swapped in the lower 16 bits.
        let p = Loopback::parse(&[0x00, 0x00, 0x02, 0x00], &Ctx::default()).unwrap();
        assert_eq!(p.header.family, Some(AddressFamily::INET));
        let p = Loopback::parse(&[0x00, 0x02, 0x00, 0x00], &Ctx::default()).unwrap();
        assert_eq!(p.header.family, Some(AddressFamily::INET));
        assert_eq!(p.header.byteorder, ByteOrder::Big);
    }

    #[test]
    fn test_unknown_family_is_raw() {
        let p = Loopback::parse(&[7, 0, 0, 0, 1], &Ctx::default()).unwrap();
        assert_eq!(p.header.family, Some(AddressFamily::ISO));
        assert_eq!(p.next, Next::End);
    }

    #[test]
    fn test_loop_is_network_order() {
        let p = Loop::parse(&[0, 0, 0, 2, 0x45], &Ctx::default()).unwrap();
        assert_eq!(p.header.family, Some(AddressFamily::INET));
        assert_eq!(p.header.byteorder, ByteOrder::Big);
        assert_eq!(p.payload_len, 1);
        // A little-endian family under LOOP reads as a large unknown family, as in tshark.
        let p = Loop::parse(&[2, 0, 0, 0], &Ctx::default()).unwrap();
        assert_eq!(p.header.family, Some(AddressFamily(0x0200_0000)));
        assert_eq!(p.next, Next::End);
    }

    #[test]
    fn test_impossible_len() {
        let ctx = Ctx::default();
        assert_eq!(
            Loopback::parse(&[2, 0, 0], &ctx).unwrap_err(),
            DissectError::truncated("Loopback", 0, 4, 3)
        );
        assert_eq!(
            Loop::parse(&[], &ctx).unwrap_err(),
            DissectError::truncated("Loopback", 0, 4, 0)
        );
    }

    #[test]
    fn test_serialize() {
        let p = Loopback::parse(&[30, 0, 0, 0], &Ctx::default()).unwrap();
        assert_eq!(
            serde_json::to_value(p.header).unwrap(),
            serde_json::json!({
                "family": "AddressFamily::INET6_DARWIN [30]",
                "byteorder": "little",
            })
        );
        let p = Loopback::parse(&[0x0f, 0x00, 0x08, 0x00], &Ctx::default()).unwrap();
        assert_eq!(
            serde_json::to_value(p.header).unwrap(),
            serde_json::json!({
                "type": "EtherType::Internet_Protocol_version_4 [2048]",
                "byteorder": "big",
            })
        );
    }
}
