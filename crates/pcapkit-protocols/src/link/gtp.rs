//! GTPv1-U (3GPP TS 29.281, UDP port 2152): the user-plane tunnel of mobile networks.
//! A G-PDU (message type 255) carries an IPv4 or IPv6 packet (told apart by its first
//! nibble, as in Wireshark); other messages (echo, error indication, end marker) keep
//! their information elements `raw`.

use serde::ser::{Serialize, SerializeMap, Serializer};

use crate::consts::reg::EtherType;
use crate::error::{DissectError, Result};
use crate::protocol::{Ctx, Header, Level, Next, Parse, Parsed};
use crate::ser::Bytes;
use crate::wire;

use super::bytes::{u8_at, u16_at, u32_at};

/// Length of the mandatory header.
pub const HEADER_LEN: usize = 8;
/// Length of the optional fields (sequence number, N-PDU number, next extension type),
/// present when any of the E, S, PN flags is set.
pub const OPTIONAL_LEN: usize = 4;
/// Message type of a G-PDU (a tunnelled packet).
pub const G_PDU: u8 = 255;

mod field {
    use super::super::bytes::Field;
    pub const FLAGS: usize = 0;
    pub const TYPE: usize = 1;
    pub const LENGTH: Field = 2..4;
    pub const TEID: Field = 4..8;
    pub const SEQ: Field = 8..10;
    pub const NPDU: usize = 10;
    pub const NEXT_EXT: usize = 11;
}

/// Flag bits of the first byte.
mod flag {
    pub const PT: u8 = 0x10;
    pub const E: u8 = 0x04;
    pub const S: u8 = 0x02;
    pub const PN: u8 = 0x01;
}

/// A GTPv1-U header (`gtp`, chain token `GTP`; PyPCAPKit has no GTP decoder, the names
/// follow its style). Fields: `version`, `pt` (protocol type, 1 = GTP), `e`, `s`, `pn`
/// (which optional fields are meaningful), `type` (message type), `length` (bytes after
/// the mandatory header), `teid`, and when the optional fields are present `seq`,
/// `npdu`, `next_ext`, then `extensions` (the extension headers, as sent).
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct Gtp<'a> {
    /// The flags byte (version in the top 3 bits).
    pub flags: u8,
    /// Message type (255: G-PDU).
    pub msg_type: u8,
    /// Length of everything after the mandatory 8 bytes.
    pub length: u16,
    /// Tunnel endpoint identifier.
    pub teid: u32,
    /// Sequence number, N-PDU number and next extension header type, when present.
    pub optional: Option<(u16, u8, u8)>,
    /// The extension headers.
    pub extensions: &'a [u8],
}

impl Gtp<'_> {
    /// Version (1).
    pub fn version(&self) -> u8 {
        self.flags >> 5
    }

    /// Whether a UDP payload on the GTP-U port starts a GTPv1 (not GTP') message.
    pub fn claims(data: &[u8]) -> bool {
        data.len() >= HEADER_LEN
            && data
                .first()
                .is_some_and(|b| b >> 5 == 1 && b & flag::PT != 0)
    }
}

impl Serialize for Gtp<'_> {
    fn serialize<S: Serializer>(&self, s: S) -> std::result::Result<S::Ok, S::Error> {
        let mut m = s.serialize_map(None)?;
        m.serialize_entry("version", &self.version())?;
        m.serialize_entry("pt", &(self.flags & flag::PT != 0))?;
        m.serialize_entry("e", &(self.flags & flag::E != 0))?;
        m.serialize_entry("s", &(self.flags & flag::S != 0))?;
        m.serialize_entry("pn", &(self.flags & flag::PN != 0))?;
        m.serialize_entry("type", &self.msg_type)?;
        m.serialize_entry("length", &self.length)?;
        m.serialize_entry("teid", &self.teid)?;
        if let Some((seq, npdu, next_ext)) = self.optional {
            m.serialize_entry("seq", &seq)?;
            m.serialize_entry("npdu", &npdu)?;
            m.serialize_entry("next_ext", &next_ext)?;
            m.serialize_entry("extensions", &Bytes(self.extensions))?;
        }
        m.end()
    }
}

impl Header for Gtp<'_> {
    const NAME: &'static str = "GTP";
    const KEY: &'static str = "gtp";
    const LEVEL: Option<Level> = Some(Level::Link);
    const ALIASES: &'static [&'static str] = &["GTP-U", "GTPv1"];
}

impl<'a> Parse<'a> for Gtp<'a> {
    fn parse(data: &'a [u8], ctx: &Ctx) -> Result<Parsed<Self>> {
        wire::need(Self::NAME, ctx, data, HEADER_LEN)?;
        let flags = u8_at(data, field::FLAGS);
        let msg_type = u8_at(data, field::TYPE);
        let length = u16_at(data, field::LENGTH);
        let mut header_len = HEADER_LEN;
        let mut optional = None;
        let mut ext_start = header_len;
        if flags & (flag::E | flag::S | flag::PN) != 0 {
            header_len += OPTIONAL_LEN;
            wire::need(Self::NAME, ctx, data, header_len)?;
            let next_ext = u8_at(data, field::NEXT_EXT);
            optional = Some((u16_at(data, field::SEQ), u8_at(data, field::NPDU), next_ext));
            ext_start = header_len;
            // Extension headers: a length in 4-byte units (at least 1), the content, and
            // the next type in the last byte. Each moves forward, so the walk ends.
            let mut next = if flags & flag::E != 0 { next_ext } else { 0 };
            while next != 0 {
                wire::need(Self::NAME, ctx, data, header_len + 1)?;
                let units = usize::from(u8_at(data, header_len));
                if units == 0 {
                    return Err(DissectError::bad_value(
                        Self::NAME,
                        ctx.offset + header_len,
                        "extension header length",
                        0,
                        "at least 1 (4-byte units)",
                    ));
                }
                header_len += units * 4;
                wire::need(Self::NAME, ctx, data, header_len)?;
                next = u8_at(data, header_len - 1);
            }
        }
        // The message ends where its length says (or with the frame, if cut short).
        let end = (HEADER_LEN + usize::from(length)).min(data.len());
        let payload_len = end.saturating_sub(header_len);
        let payload = data.get(header_len..end).unwrap_or_default();
        let next = match payload.first().map(|b| b >> 4) {
            Some(4) if msg_type == G_PDU => Next::EtherType(EtherType::Internet_Protocol_version_4),
            Some(6) if msg_type == G_PDU => Next::EtherType(EtherType::Internet_Protocol_version_6),
            _ => Next::End,
        };
        Ok(Parsed {
            header: Gtp {
                flags,
                msg_type,
                length,
                teid: u32_at(data, field::TEID),
                optional,
                extensions: data.get(ext_start..header_len).unwrap_or_default(),
            },
            header_len,
            payload_len,
            next,
        })
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::{DissectOptions, Transport, dissect_next};
    use pcapkit_core::LinkType;

    /// G-PDU, no optional fields, TEID 0x01020304, a 20-byte IPv4 header.
    fn g_pdu() -> Vec<u8> {
        let mut v = vec![0x30, 0xff, 0x00, 20, 1, 2, 3, 4];
        v.extend_from_slice(&[
            0x45, 0, 0, 20, 0, 0, 0, 0, 64, 59, 0, 0, 10, 0, 0, 1, 10, 0, 0, 2,
        ]);
        v
    }

    #[test]
    fn test_parse() {
        let data = g_pdu();
        let p = Gtp::parse(&data, &Ctx::default()).unwrap();
        assert_eq!(p.header.version(), 1);
        assert_eq!(p.header.msg_type, G_PDU);
        assert_eq!(p.header.teid, 0x0102_0304);
        assert_eq!(p.header.optional, None);
        assert_eq!((p.header_len, p.payload_len), (8, 20));
        assert_eq!(
            p.next,
            Next::EtherType(EtherType::Internet_Protocol_version_4)
        );
        assert_eq!(
            serde_json::to_value(p.header).unwrap(),
            serde_json::json!({
                "version": 1, "pt": true, "e": false, "s": false, "pn": false,
                "type": 255, "length": 20, "teid": 16_909_060,
            })
        );
    }

    #[test]
    fn extension_headers_are_skipped() {
        // E and S set; next extension 0x85 (PDU session container), one 4-byte unit.
        let mut data = vec![0x36, 0xff, 0x00, 8 + 1, 0, 0, 0, 9];
        data.extend_from_slice(&[0x12, 0x34, 0x00, 0x85, 0x01, 0x10, 0x09, 0x00, 0x60]);
        let p = Gtp::parse(&data, &Ctx::default()).unwrap();
        assert_eq!(p.header.optional, Some((0x1234, 0, 0x85)));
        assert_eq!(p.header.extensions, &[0x01, 0x10, 0x09, 0x00]);
        assert_eq!((p.header_len, p.payload_len), (16, 1));
        assert_eq!(
            p.next,
            Next::EtherType(EtherType::Internet_Protocol_version_6)
        );
    }

    #[test]
    fn bad_extension_length_and_truncation() {
        let data = [0x34, 0xff, 0, 8, 0, 0, 0, 1, 0, 0, 0, 0x85, 0x00, 0, 0, 0];
        assert_eq!(
            Gtp::parse(&data, &Ctx::default()).unwrap_err(),
            DissectError::bad_value(
                "GTP",
                12,
                "extension header length",
                0,
                "at least 1 (4-byte units)"
            )
        );
        // An extension that claims 8 bytes where 4 are left.
        let data = [0x34, 0xff, 0, 8, 0, 0, 0, 1, 0, 0, 0, 0x85, 0x02, 0, 0, 0];
        assert_eq!(
            Gtp::parse(&data, &Ctx::default()).unwrap_err(),
            DissectError::truncated("GTP", 0, 20, 16)
        );
        assert_eq!(
            Gtp::parse(&data[..7], &Ctx::default()).unwrap_err(),
            DissectError::truncated("GTP", 0, 8, 7)
        );
    }

    #[test]
    fn echo_request_keeps_its_elements_raw() {
        let data = [0x32, 0x01, 0, 4, 0, 0, 0, 0, 0, 7, 0, 0];
        let p = Gtp::parse(&data, &Ctx::default()).unwrap();
        assert_eq!(p.next, Next::End);
        assert_eq!((p.header_len, p.payload_len), (12, 0));
    }

    #[test]
    fn udp_port_2152_decodes_the_tunnelled_packet() {
        let data = g_pdu();
        let next = Next::Ports {
            transport: Transport::Udp,
            src: 2152,
            dst: 2152,
        };
        let p = dissect_next(next, LinkType::ETHERNET, &data, &DissectOptions::default());
        assert_eq!(p.protocols().to_string(), "GTP:IPv4");
        assert!(!Gtp::claims(&[0x20, 0xff, 0, 0, 0, 0, 0, 0]), "GTP' (PT 0)");
        assert!(!Gtp::claims(&[0x30, 0xff, 0, 0]), "shorter than the header");
    }
}
