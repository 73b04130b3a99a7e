//! IP Encapsulating Security Payload (RFC 4303): SPI and sequence number; the rest is
//! encrypted, so it stays `raw`.

use serde::Serialize;

use crate::error::Result;
use crate::internet::common::Reader;
use crate::protocol::{Ctx, Header, Level, Next, Parse, Parsed, RawProto};
use crate::wire;

/// Length of the clear-text header.
pub const HEADER_LEN: usize = 8;

/// The note on the `raw` layer after ESP.
pub const ENCRYPTED: &str = "encrypted payload";

/// An ESP header (`esp`, chain token `ESP`).
#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize)]
pub struct Esp {
    /// Security parameters index.
    pub spi: u32,
    /// Sequence number.
    pub seq: u32,
}

impl Header for Esp {
    const NAME: &'static str = "ESP";
    const KEY: &'static str = "esp";
    const LEVEL: Option<Level> = Some(Level::Internet);
}

impl<'a> Parse<'a> for Esp {
    fn parse(data: &'a [u8], ctx: &Ctx) -> Result<Parsed<Self>> {
        wire::need(Self::NAME, ctx, data, HEADER_LEN)?;
        let mut r = Reader::new(data);
        let spi = r.u32().unwrap_or_default();
        let seq = r.u32().unwrap_or_default();
        Ok(Parsed {
            header: Esp { spi, seq },
            header_len: HEADER_LEN,
            payload_len: data.len() - HEADER_LEN,
            next: Next::Raw(RawProto::None, Some(ENCRYPTED)),
        })
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::error::DissectError;

    #[test]
    fn spi_seq_and_raw_payload() {
        let d = [0, 0, 1, 0, 0, 0, 0, 9, 0xde, 0xad];
        let p = Esp::parse(&d, &Ctx::default()).unwrap();
        assert_eq!(p.header, Esp { spi: 256, seq: 9 });
        assert_eq!((p.header_len, p.payload_len), (8, 2));
        assert_eq!(p.next, Next::Raw(RawProto::None, Some(ENCRYPTED)));
        assert_eq!(
            serde_json::to_value(p.header).unwrap(),
            serde_json::json!({"spi": 256, "seq": 9})
        );
        let ctx = Ctx {
            offset: 54,
            ..Ctx::default()
        };
        for n in 0..HEADER_LEN {
            assert_eq!(
                Esp::parse(&d[..n], &ctx).unwrap_err(),
                DissectError::truncated("ESP", 54, 8, n)
            );
        }
    }
}
