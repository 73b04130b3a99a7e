//! PPP over Ethernet (RFC 2516): discovery (0x8863) and session (0x8864) stages.

use serde::Serialize;

use crate::ProtoId;
use crate::error::Result;
use crate::protocol::{Ctx, Header, Level, Next, Parse, Parsed};
use crate::wire;

use super::bytes::{u8_at, u16_at};
use super::local_registry;

/// Length of the header.
pub const HEADER_LEN: usize = 6;

mod field {
    use super::super::bytes::Field;
    pub const VER_TYPE: usize = 0;
    pub const CODE: usize = 1;
    pub const SESSION_ID: Field = 2..4;
    pub const LENGTH: Field = 4..6;
}

local_registry! {
    /// A PPPoE code, printed `Code::Session_Data [0]`.
    PppoeCode(u8) as "Code" {
        Session_Data = 0x00,
        PADO = 0x07,
        PADI = 0x09,
        PADG = 0x0a,
        PADC = 0x0b,
        PADQ = 0x0c,
        PADR = 0x19,
        PADS = 0x65,
        PADT = 0xa7,
        PADM = 0xd3,
        PADN = 0xd4,
    }
}

/// A PPPoE header (`pppoe`, chain token `PPPoE`; not decoded by PyPCAPKit, names in its
/// style). Session data (code 0) carries PPP; discovery packets carry tags (kept `raw`).
#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize)]
pub struct Pppoe {
    /// Version (4 bits, 1).
    pub version: u8,
    /// Type (4 bits, 1).
    #[serde(rename = "type")]
    pub ty: u8,
    /// Code.
    pub code: PppoeCode,
    /// Session id.
    pub session_id: u16,
    /// Payload length.
    pub length: u16,
}

impl Header for Pppoe {
    const NAME: &'static str = "PPPoE";
    const KEY: &'static str = "pppoe";
    const LEVEL: Option<Level> = Some(Level::Link);
}

impl<'a> Parse<'a> for Pppoe {
    fn parse(data: &'a [u8], ctx: &Ctx) -> Result<Parsed<Self>> {
        wire::need(Self::NAME, ctx, data, HEADER_LEN)?;
        let vt = u8_at(data, field::VER_TYPE);
        let header = Pppoe {
            version: vt >> 4,
            ty: vt & 0x0f,
            code: PppoeCode(u8_at(data, field::CODE)),
            session_id: u16_at(data, field::SESSION_ID),
            length: u16_at(data, field::LENGTH),
        };
        let next = if header.code == PppoeCode::Session_Data {
            Next::Proto(ProtoId::Ppp)
        } else {
            Next::End
        };
        Ok(Parsed {
            header,
            header_len: HEADER_LEN,
            payload_len: usize::from(header.length),
            next,
        })
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::DissectError;

    /// Session data, session 0x1234, 3 bytes of PPP (IPv4) plus 2 bytes of padding.
    static SESSION: [u8; 11] = [0x11, 0x00, 0x12, 0x34, 0x00, 0x03, 0x00, 0x21, 0x45, 0, 0];
    /// PADI with an empty tag list.
    static PADI: [u8; 6] = [0x11, 0x09, 0x00, 0x00, 0x00, 0x00];

    #[test]
    fn test_parse() {
        let p = Pppoe::parse(&SESSION, &Ctx::default()).unwrap();
        assert_eq!((p.header.version, p.header.ty), (1, 1));
        assert_eq!(p.header.code, PppoeCode::Session_Data);
        assert_eq!(p.header.session_id, 0x1234);
        assert_eq!(p.header.length, 3);
        assert_eq!(p.payload_len, 3);
        assert_eq!(p.next, Next::Proto(ProtoId::Ppp));
        let p = Pppoe::parse(&PADI, &Ctx::default()).unwrap();
        assert_eq!(p.header.code, PppoeCode::PADI);
        assert_eq!(p.next, Next::End);
    }

    #[test]
    fn test_impossible_len() {
        let ctx = Ctx {
            offset: 14,
            ..Ctx::default()
        };
        assert_eq!(
            Pppoe::parse(&SESSION[..5], &ctx).unwrap_err(),
            DissectError::truncated("PPPoE", 14, 6, 5)
        );
    }

    #[test]
    fn test_serialize() {
        let p = Pppoe::parse(&SESSION, &Ctx::default()).unwrap();
        assert_eq!(
            serde_json::to_value(p.header).unwrap(),
            serde_json::json!({
                "version": 1,
                "type": 1,
                "code": "Code::Session_Data [0]",
                "session_id": 4660,
                "length": 3,
            })
        );
    }
}
