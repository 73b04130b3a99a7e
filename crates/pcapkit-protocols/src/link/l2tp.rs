//! Layer Two Tunnelling Protocol version 2 (RFC 2661), over UDP port 1701.

use serde::Serialize;

use crate::ProtoId;
use crate::consts::l2tp::Type;
use crate::error::{DissectError, Result};
use crate::protocol::{Ctx, Header, Level, Next, Parse, Parsed};
use crate::wire;

/// Smallest header: flags/version, tunnel id, session id.
pub const MIN_HEADER_LEN: usize = 6;

mod bits {
    pub const T: u16 = 0x8000;
    pub const L: u16 = 0x4000;
    pub const S: u16 = 0x0800;
    pub const O: u16 = 0x0200;
    pub const P: u16 = 0x0100;
    pub const VERSION: u16 = 0x000f;
}

/// L2TP flags.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize)]
pub struct L2tpFlags {
    /// Message type from the T bit: T=1 is `Type::Control`, T=0 `Type::Data` (RFC 2661;
    /// PyPCAPKit looked the bit up as the registry value, inverting it, §10 #28).
    #[serde(rename = "type")]
    pub ty: Type,
    /// L bit: the Length field is present.
    pub len: bool,
    /// S bit: Ns and Nr are present.
    pub seq: bool,
    /// O bit: the Offset Size field is present.
    pub offset: bool,
    /// P bit: priority delivery.
    pub prio: bool,
}

/// An L2TPv2 header (`l2tp`, chain token `L2TP`, PyPCAPKit's fields).
///
/// Data messages carry PPP (decoded next); control messages carry AVPs (kept `raw`).
/// L2TPv3 (version 3) is not decoded: the layer reports a bad version.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize)]
pub struct L2tp {
    /// Flags.
    pub flags: L2tpFlags,
    /// Version (2).
    pub version: u8,
    /// Total message length, when the L bit is set.
    pub length: Option<u16>,
    /// Tunnel id.
    pub tunnelid: u16,
    /// Session id.
    pub sessionid: u16,
    /// Sequence number, when the S bit is set.
    pub ns: Option<u16>,
    /// Next expected sequence number, when the S bit is set.
    pub nr: Option<u16>,
    /// Offset size in octets (padding after the header), when the O bit is set.
    pub offset: Option<u16>,
    /// Header length including the offset padding.
    pub hdr_len: usize,
}

impl L2tp {
    /// Whether this is a control message (T bit set).
    pub fn is_control(&self) -> bool {
        self.flags.ty == Type::Control
    }
}

impl Header for L2tp {
    const NAME: &'static str = "L2TP";
    const KEY: &'static str = "l2tp";
    const LEVEL: Option<Level> = Some(Level::Link);
}

impl<'a> Parse<'a> for L2tp {
    fn parse(data: &'a [u8], ctx: &Ctx) -> Result<Parsed<Self>> {
        wire::need(Self::NAME, ctx, data, 2)?;
        // Fields after the flags sit where the flags say; each is one 16-bit word.
        let word = |at: usize| super::bytes::u16_at(data, at..at + 2);
        let fv = word(0);
        let version = (fv & bits::VERSION) as u8;
        if version != 2 {
            return Err(DissectError::bad_value(
                Self::NAME,
                ctx.offset + 1,
                "version",
                u64::from(version),
                "2 (L2TPv2; other versions are not decoded)",
            ));
        }
        let flags = L2tpFlags {
            ty: if fv & bits::T != 0 {
                Type::Control
            } else {
                Type::Data
            },
            len: fv & bits::L != 0,
            seq: fv & bits::S != 0,
            offset: fv & bits::O != 0,
            prio: fv & bits::P != 0,
        };
        let fixed = MIN_HEADER_LEN
            + 2 * (usize::from(flags.len) + 2 * usize::from(flags.seq) + usize::from(flags.offset));
        wire::need(Self::NAME, ctx, data, fixed)?;
        let mut at = 2;
        let mut next_word = || {
            let w = word(at);
            at += 2;
            w
        };
        let length = flags.len.then(&mut next_word);
        let tunnelid = next_word();
        let sessionid = next_word();
        let ns = flags.seq.then(&mut next_word);
        let nr = flags.seq.then(&mut next_word);
        let offset = flags.offset.then(&mut next_word);
        let hdr_len = fixed + usize::from(offset.unwrap_or(0));
        wire::need(Self::NAME, ctx, data, hdr_len)?;
        let payload_len = match length {
            Some(l) => usize::from(l).saturating_sub(hdr_len),
            None => data.len() - hdr_len,
        };
        let header = L2tp {
            flags,
            version,
            length,
            tunnelid,
            sessionid,
            ns,
            nr,
            offset,
            hdr_len,
        };
        let next = if header.is_control() {
            Next::End
        } else {
            Next::Proto(ProtoId::Ppp)
        };
        Ok(Parsed {
            header,
            header_len: hdr_len,
            payload_len,
            next,
        })
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    /// Control message: T, L, S set; length 12; tunnel 560, session 0; Ns 1, Nr 2.
    static CONTROL: [u8; 12] = [
        0xc8, 0x02, 0x00, 0x0c, 0x02, 0x30, 0x00, 0x00, 0x00, 0x01, 0x00, 0x02,
    ];
    /// Data message without optional fields: tunnel 1, session 2, PPP/IPv4 follows.
    static DATA_PLAIN: [u8; 10] = [0x00, 0x02, 0x00, 0x01, 0x00, 0x02, 0xff, 0x03, 0x00, 0x21];
    /// Data message with L, S, O, P: length 18, offset 2 (2 pad bytes), then 2 payload
    /// bytes and 3 bytes past the length.
    static DATA_ALL: [u8; 21] = [
        0x4b, 0x02, 0x00, 0x12, 0x00, 0x07, 0x00, 0x09, 0x00, 0x05, 0x00, 0x06, 0x00, 0x02, 0xee,
        0xee, 0xc0, 0x21, 0x99, 0x99, 0x99,
    ];

    #[test]
    fn test_parse_control() {
        let p = L2tp::parse(&CONTROL, &Ctx::default()).unwrap();
        let h = p.header;
        assert!(h.is_control());
        assert!(h.flags.len && h.flags.seq && !h.flags.offset && !h.flags.prio);
        assert_eq!(h.version, 2);
        assert_eq!(h.length, Some(12));
        assert_eq!((h.tunnelid, h.sessionid), (560, 0));
        assert_eq!((h.ns, h.nr), (Some(1), Some(2)));
        assert_eq!(h.offset, None);
        assert_eq!(h.hdr_len, 12);
        assert_eq!(p.payload_len, 0);
        assert_eq!(p.next, Next::End);
    }

    #[test]
    fn test_parse_data_without_optional_fields() {
        let p = L2tp::parse(&DATA_PLAIN, &Ctx::default()).unwrap();
        let h = p.header;
        assert_eq!(h.flags.ty, Type::Data);
        assert_eq!((h.length, h.ns, h.nr, h.offset), (None, None, None, None));
        assert_eq!((h.tunnelid, h.sessionid), (1, 2));
        assert_eq!(h.hdr_len, 6);
        assert_eq!(p.payload_len, 4);
        assert_eq!(p.next, Next::Proto(ProtoId::Ppp));
    }

    #[test]
    fn test_parse_data_with_every_optional_field() {
        let p = L2tp::parse(&DATA_ALL, &Ctx::default()).unwrap();
        let h = p.header;
        assert_eq!(h.flags.ty, Type::Data);
        assert!(h.flags.len && h.flags.seq && h.flags.offset && h.flags.prio);
        assert_eq!(h.length, Some(18));
        assert_eq!((h.tunnelid, h.sessionid), (7, 9));
        assert_eq!((h.ns, h.nr), (Some(5), Some(6)));
        assert_eq!(h.offset, Some(2));
        assert_eq!(h.hdr_len, 16);
        assert_eq!(p.header_len, 16);
        assert_eq!(p.payload_len, 2);
    }

    #[test]
    fn pypcapkit_bug_28_l2tp_type_follows_t_bit() {
        let control = L2tp::parse(&CONTROL, &Ctx::default()).unwrap().header;
        assert_eq!(control.flags.ty, Type::Control);
        assert_eq!(control.flags.ty.to_string(), "Type::Control [0]");
        let data = L2tp::parse(&DATA_PLAIN, &Ctx::default()).unwrap().header;
        assert_eq!(data.flags.ty, Type::Data);
        assert_eq!(data.flags.ty.to_string(), "Type::Data [1]");
    }

    #[test]
    fn test_impossible_len() {
        let ctx = Ctx {
            offset: 42,
            ..Ctx::default()
        };
        assert_eq!(
            L2tp::parse(&CONTROL[..1], &ctx).unwrap_err(),
            DissectError::truncated("L2TP", 42, 2, 1)
        );
        assert_eq!(
            L2tp::parse(&CONTROL[..11], &ctx).unwrap_err(),
            DissectError::truncated("L2TP", 42, 12, 11)
        );
        // Offset size larger than what was captured.
        assert_eq!(
            L2tp::parse(&DATA_ALL[..15], &ctx).unwrap_err(),
            DissectError::truncated("L2TP", 42, 16, 15)
        );
        let e = L2tp::parse(&[0xc8, 0x03, 0, 0], &ctx).unwrap_err();
        assert_eq!(
            e.to_string(),
            "L2TP at byte 43: invalid version 3: expected 2 (L2TPv2; other versions are not decoded)"
        );
    }

    #[test]
    fn test_serialize() {
        let p = L2tp::parse(&CONTROL, &Ctx::default()).unwrap();
        assert_eq!(
            serde_json::to_value(p.header).unwrap(),
            serde_json::json!({
                "flags": {
                    "type": "Type::Control [0]",
                    "len": true,
                    "seq": true,
                    "offset": false,
                    "prio": false,
                },
                "version": 2,
                "length": 12,
                "tunnelid": 560,
                "sessionid": 0,
                "ns": 1,
                "nr": 2,
                "offset": null,
                "hdr_len": 12,
            })
        );
    }
}
