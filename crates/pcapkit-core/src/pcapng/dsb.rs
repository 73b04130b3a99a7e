//! Decryption Secrets Block (type 10).

use nom::Parser;
use nom::number::complete::u32 as nom_u32;

use super::{BlockPos, BodyError, Options, block_type, pad4};
use crate::ErrorKind;

mod field {
    /// Secrets type, secrets length.
    pub const FIXED_LEN: usize = 8;
}

/// Secrets types (`pcapng__SecretsType`).
mod secrets_type {
    pub const TLS_KEY_LOG: u32 = 0x544c_534b;
    pub const WIREGUARD_KEY_LOG: u32 = 0x5747_4b4c;
    pub const ZIGBEE_NWK_KEY: u32 = 0x5a4e_574b;
    pub const ZIGBEE_APS_KEY: u32 = 0x5a41_5053;
}

/// A Decryption Secrets Block.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct DecryptionSecretsBlock<'a> {
    /// 1-based section number.
    pub section: u32,
    /// Absolute byte offset of the block.
    pub offset: u64,
    /// The whole block as stored (header to trailing length).
    pub raw: &'a [u8],
    /// Block total length.
    pub length: u32,
    /// Secrets type (`pcapng__SecretsType`).
    pub secrets_type: u32,
    /// Secrets length (without padding).
    pub secrets_length: u32,
    /// The secrets.
    pub secrets_data: &'a [u8],
    /// Options.
    pub options: Options<'a>,
}

impl<'a> DecryptionSecretsBlock<'a> {
    pub(crate) fn parse(body: &'a [u8], pos: BlockPos<'a>) -> Result<Self, BodyError> {
        let e = pos.endian.nom();
        let parsed: nom::IResult<&[u8], _> = (nom_u32(e), nom_u32(e)).parse(body);
        let (rest, (secrets_type, secrets_length)) =
            parsed.map_err(|_| BodyError::short("decryption secrets", field::FIXED_LEN, body))?;
        let overrun = || {
            BodyError::new(
                ErrorKind::SecretsOverrun {
                    length: secrets_length,
                    available: u32::try_from(rest.len()).unwrap_or(u32::MAX),
                },
                4,
            )
        };
        let len = usize::try_from(secrets_length).map_err(|_| overrun())?;
        let secrets_data = rest.get(..len).ok_or_else(overrun)?;
        let padded = usize::try_from(pad4(secrets_length))
            .unwrap_or(usize::MAX)
            .min(rest.len());
        let opts = rest.get(padded..).unwrap_or_default();
        let opts_at = body.len() - opts.len();
        let options = Options::parse(opts, pos.endian, block_type::DSB)
            .map_err(|err| BodyError::new(err.kind, err.at + opts_at))?;
        Ok(Self {
            section: pos.section,
            offset: pos.offset,
            raw: pos.raw,
            length: pos.length,
            secrets_type,
            secrets_length,
            secrets_data,
            options,
        })
    }

    /// The secrets, typed.
    pub fn secrets(&self) -> Secrets<'a> {
        Secrets::parse(self.secrets_type, self.secrets_data)
    }
}

/// Typed secrets (PYPCAPKIT.md §3.2).
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum Secrets<'a> {
    /// NSS key log lines.
    TlsKeyLog(&'a [u8]),
    /// WireGuard key log lines.
    WireGuardKeyLog(&'a [u8]),
    /// ZigBee network key and PAN id.
    ZigBeeNwkKey {
        /// AES-128 key.
        nwk_key: [u8; 16],
        /// PAN id (little endian on the wire).
        pan_id: u16,
    },
    /// ZigBee APS key, PAN id and short address.
    ZigBeeApsKey {
        /// AES-128 key.
        aps_key: [u8; 16],
        /// PAN id.
        pan_id: u16,
        /// Short address of the peer.
        short_address: u16,
    },
    /// Any other type, or a ZigBee key of the wrong length.
    Unknown(&'a [u8]),
}

impl<'a> Secrets<'a> {
    fn parse(t: u32, data: &'a [u8]) -> Self {
        let le16 = |at: usize| {
            data.get(at..at + 2)
                .and_then(|b| b.try_into().ok())
                .map(u16::from_le_bytes)
        };
        let key = || -> Option<[u8; 16]> { data.get(..16)?.try_into().ok() };
        let typed = match t {
            secrets_type::TLS_KEY_LOG => Some(Self::TlsKeyLog(data)),
            secrets_type::WIREGUARD_KEY_LOG => Some(Self::WireGuardKeyLog(data)),
            secrets_type::ZIGBEE_NWK_KEY if data.len() == 18 => key()
                .zip(le16(16))
                .map(|(nwk_key, pan_id)| Self::ZigBeeNwkKey { nwk_key, pan_id }),
            secrets_type::ZIGBEE_APS_KEY if data.len() == 20 => key()
                .zip(le16(16))
                .zip(le16(18))
                .map(|((aps_key, pan_id), short_address)| Self::ZigBeeApsKey {
                    aps_key,
                    pan_id,
                    short_address,
                }),
            _ => None,
        };
        typed.unwrap_or(Self::Unknown(data))
    }

    /// The lines of a key log (`TlsKeyLog`, `WireGuardKeyLog`), empty otherwise.
    pub fn entries(&self) -> Vec<&'a [u8]> {
        match self {
            Self::TlsKeyLog(d) | Self::WireGuardKeyLog(d) => {
                d.split(|&b| b == b'\n').filter(|l| !l.is_empty()).collect()
            }
            _ => Vec::new(),
        }
    }
}
