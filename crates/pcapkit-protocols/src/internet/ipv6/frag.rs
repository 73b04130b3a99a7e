//! IPv6 Fragment header (`frag` inside IPv6, chain token `IPv6-Frag`; RFC 8200 §4.5).

use serde::Serialize;

use crate::consts::reg::TransType;
use crate::error::Result;
use crate::internet::common::Reader;
use crate::internet::ipv4::NON_FIRST_FRAGMENT;
use crate::protocol::{Ctx, Header, Level, Next, Parse, Parsed, RawProto};
use crate::wire;

/// Length of the header.
pub const HEADER_LEN: usize = 8;

/// A Fragment header.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize)]
pub struct Ipv6Frag {
    /// Next header of the fragmentable part.
    pub next: TransType,
    /// Fragment offset in bytes (the field's 8-octet units × 8; PyPCAPKit gave the units).
    pub offset: u16,
    /// More fragments.
    pub mf: bool,
    /// Identification.
    pub id: u32,
}

impl Ipv6Frag {
    /// Whether this fragment does not start the datagram.
    pub fn is_non_first(&self) -> bool {
        self.offset > 0
    }
}

impl Header for Ipv6Frag {
    const NAME: &'static str = "IPv6-Frag";
    const KEY: &'static str = "ipv6_frag";
    const LEVEL: Option<Level> = Some(Level::Internet);
}

impl<'a> Parse<'a> for Ipv6Frag {
    fn parse(data: &'a [u8], ctx: &Ctx) -> Result<Parsed<Self>> {
        wire::need(Self::NAME, ctx, data, HEADER_LEN)?;
        let mut r = Reader::new(data);
        let next = TransType(r.u8().unwrap_or_default());
        let _reserved = r.u8();
        let off_m = r.u16().unwrap_or_default();
        let id = r.u32().unwrap_or_default();
        let h = Ipv6Frag {
            next,
            offset: off_m & 0xfff8,
            mf: off_m & 1 != 0,
            id,
        };
        let next_kind = if h.is_non_first() {
            Next::Raw(RawProto::TransType(next), Some(NON_FIRST_FRAGMENT))
        } else {
            Next::IpProto(next)
        };
        Ok(Parsed {
            header: h,
            header_len: HEADER_LEN,
            payload_len: data.len() - HEADER_LEN,
            next: next_kind,
        })
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::error::DissectError;

    #[test]
    fn pypcapkit_bug_20_offset_in_bytes() {
        // offset 15 units (120 bytes), M set, id 0x002c5323.
        let b = [17, 0, 0x00, 0x79, 0x00, 0x2c, 0x53, 0x23, 0xaa];
        let p = Ipv6Frag::parse(&b, &Ctx::default()).unwrap();
        assert_eq!(
            p.header,
            Ipv6Frag {
                next: TransType::UDP,
                offset: 120,
                mf: true,
                id: 0x002c_5323
            }
        );
        assert_eq!(
            p.next,
            Next::Raw(
                RawProto::TransType(TransType::UDP),
                Some(NON_FIRST_FRAGMENT)
            )
        );
        assert_eq!(p.payload_len, 1);
        let v = serde_json::to_value(p.header).unwrap();
        assert_eq!(
            v,
            serde_json::json!({"next": "TransType::UDP [17]", "offset": 120, "mf": true, "id": 2904867})
        );
        let b = [17, 0, 0x00, 0x01, 0, 0, 0, 1];
        let p = Ipv6Frag::parse(&b, &Ctx::default()).unwrap();
        assert_eq!(p.next, Next::IpProto(TransType::UDP));
    }

    #[test]
    fn test_impossible_len() {
        let e = Ipv6Frag::parse(&[17, 0, 0], &Ctx::default()).unwrap_err();
        assert_eq!(e, DissectError::truncated("IPv6-Frag", 0, 8, 3));
    }
}
