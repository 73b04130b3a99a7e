//! User Datagram Protocol (RFC 768).

use nom::Parser;
use nom::number::complete::be_u16;
use serde::Serialize;
use serde::ser::{SerializeStruct, Serializer};

use crate::consts::reg::AppType;
use crate::error::Result;
use crate::protocol::{Ctx, Header, Level, Next, Parse, Parsed, PseudoHeader, Transport};
use crate::transport::checksum::verify_transport_checksum;
use crate::wire;

/// Length of the header.
pub const HEADER_LEN: usize = 8;

/// IP protocol number of UDP (pseudo-header).
const PROTO: u8 = 17;

/// A UDP header (`udp`, chain token `UDP`).
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct Udp {
    /// Source port (see [`Udp::srcport`] for its `AppType`).
    pub src: u16,
    /// Destination port.
    pub dst: u16,
    /// Length of header and payload (0 in IPv6 jumbograms).
    pub len: u16,
    /// Checksum as sent (0: not computed, IPv4 only).
    pub checksum: u16,
    /// Whether the checksum is right; `null` when it cannot be checked (not computed,
    /// datagram not wholly captured, no IP pseudo-header, IP fragment).
    pub checksum_ok: Option<bool>,
}

impl Udp {
    /// The source port's `AppType` (looked up for UDP when asked).
    pub fn srcport(&self) -> AppType {
        AppType::udp(self.src)
    }

    /// The destination port's `AppType`.
    pub fn dstport(&self) -> AppType {
        AppType::udp(self.dst)
    }
}

/// PyPCAPKit's fields: `srcport`, `dstport` (AppType object form), `len`, `checksum`,
/// then our `checksum_ok`.
impl Serialize for Udp {
    fn serialize<S: Serializer>(&self, serializer: S) -> std::result::Result<S::Ok, S::Error> {
        let mut st = serializer.serialize_struct("UDP", 5)?;
        st.serialize_field("srcport", &self.srcport())?;
        st.serialize_field("dstport", &self.dstport())?;
        st.serialize_field("len", &self.len)?;
        st.serialize_field("checksum", &self.checksum)?;
        st.serialize_field("checksum_ok", &self.checksum_ok)?;
        st.end()
    }
}

impl Header for Udp {
    const NAME: &'static str = "UDP";
    const KEY: &'static str = "udp";
    const LEVEL: Option<Level> = Some(Level::Transport);
}

impl<'a> Parse<'a> for Udp {
    fn parse(data: &'a [u8], ctx: &Ctx) -> Result<Parsed<Self>> {
        wire::need(Self::NAME, ctx, data, HEADER_LEN)?;
        let (_, (src, dst, len, checksum)) = wire::finish(
            Self::NAME,
            ctx,
            data,
            (be_u16, be_u16, be_u16, be_u16).parse(data),
        )?;
        // `len` 0 is an IPv6 jumbogram (RFC 2675): the payload is what IP says.
        let total = match len {
            0 => data.len(),
            n => usize::from(n),
        };
        let checksum_ok = match (checksum, ctx.pseudo_header) {
            (0, Some(PseudoHeader::V4 { .. })) => None,
            _ => data
                .get(..total)
                .filter(|_| total >= HEADER_LEN)
                .and_then(|dgram| verify_transport_checksum(ctx.pseudo_header, PROTO, dgram)),
        };
        let header = Udp {
            src,
            dst,
            len,
            checksum,
            checksum_ok,
        };
        Ok(Parsed {
            header,
            header_len: HEADER_LEN,
            payload_len: total.saturating_sub(HEADER_LEN),
            next: Next::Ports {
                transport: Transport::Udp,
                src,
                dst,
            },
        })
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::error::DissectError;
    use std::net::Ipv4Addr;

    /// 10.0.0.1:1024 -> 10.0.0.2:53, "abcd", with a correct checksum.
    static DGRAM: [u8; 12] = [
        0x04, 0x00, 0x00, 0x35, 0x00, 0x0c, 0x22, 0xd8, b'a', b'b', b'c', b'd',
    ];

    fn v4() -> Ctx {
        Ctx {
            pseudo_header: Some(PseudoHeader::V4 {
                src: Ipv4Addr::new(10, 0, 0, 1),
                dst: Ipv4Addr::new(10, 0, 0, 2),
            }),
            ..Ctx::default()
        }
    }

    #[test]
    fn test_parse() {
        let p = Udp::parse(&DGRAM, &v4()).unwrap();
        assert_eq!(p.header.srcport().port(), 1024);
        assert_eq!(p.header.dstport().port(), 53);
        assert_eq!(p.header.len, 12);
        assert_eq!(p.header.checksum, 0x22d8);
        assert_eq!(p.header.checksum_ok, Some(true));
        assert_eq!(p.header_len, 8);
        assert_eq!(p.payload_len, 4);
        assert_eq!(
            p.next,
            Next::Ports {
                transport: Transport::Udp,
                src: 1024,
                dst: 53
            }
        );
        let json = serde_json::to_value(p.header).unwrap();
        assert_eq!(
            json,
            serde_json::json!({
                "srcport": {"enum": "AppType::reserved_1024 [reserved [1024 - tcp|udp]]",
                    "svc": "reserved", "port": 1024, "proto": "TransportProtocol::tcp|udp [3]"},
                "dstport": {"enum": "AppType::domain [domain [53 - tcp|udp]]",
                    "svc": "domain", "port": 53, "proto": "TransportProtocol::tcp|udp [3]"},
                "len": 12, "checksum": 0x22d8, "checksum_ok": true
            })
        );
    }

    #[test]
    fn checksum_states() {
        let mut d = DGRAM;
        d[11] = b'e';
        assert_eq!(
            Udp::parse(&d, &v4()).unwrap().header.checksum_ok,
            Some(false)
        );
        // Not computed over IPv4.
        d[6] = 0;
        d[7] = 0;
        assert_eq!(Udp::parse(&d, &v4()).unwrap().header.checksum_ok, None);
        // No pseudo-header, or cut by the capture.
        assert_eq!(
            Udp::parse(&DGRAM, &Ctx::default())
                .unwrap()
                .header
                .checksum_ok,
            None
        );
        assert_eq!(
            Udp::parse(&DGRAM[..10], &v4()).unwrap().header.checksum_ok,
            None
        );
    }

    #[test]
    fn payload_len_follows_len_field() {
        // Trailing bytes beyond `len` (padding) are not payload.
        let mut d = [0u8; 20];
        d[..12].copy_from_slice(&DGRAM);
        assert_eq!(Udp::parse(&d, &Ctx::default()).unwrap().payload_len, 4);
        // `len` below 8 is bogus: no payload.
        let mut d = DGRAM;
        d[5] = 3;
        assert_eq!(Udp::parse(&d, &Ctx::default()).unwrap().payload_len, 0);
        // Jumbogram: len 0, payload is the rest.
        let mut d = DGRAM;
        d[5] = 0;
        assert_eq!(Udp::parse(&d, &Ctx::default()).unwrap().payload_len, 4);
    }

    #[test]
    fn test_impossible_len() {
        let ctx = Ctx {
            offset: 34,
            ..Ctx::default()
        };
        let e = Udp::parse(&DGRAM[..7], &ctx).unwrap_err();
        assert_eq!(e, DissectError::truncated("UDP", 34, 8, 7));
    }
}
