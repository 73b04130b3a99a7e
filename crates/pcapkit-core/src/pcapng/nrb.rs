//! Name Resolution Block (type 4).

use std::net::{Ipv4Addr, Ipv6Addr};

use super::{BlockPos, BodyError, Options, block_type, pad4};
use crate::{Endian, ErrorKind};

/// Record types of the records area.
mod record_type {
    pub const END: u16 = 0;
    pub const IPV4: u16 = 1;
    pub const IPV6: u16 = 2;
}

/// A Name Resolution Block: address-to-name records and options.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct NameResolutionBlock<'a> {
    /// 1-based section number.
    pub section: u32,
    /// Absolute byte offset of the block.
    pub offset: u64,
    /// The whole block as stored (header to trailing length).
    pub raw: &'a [u8],
    /// Block total length.
    pub length: u32,
    /// The records (validated), without the end record.
    pub records: NameRecords<'a>,
    /// Options (`ns_dnsname`, `ns_dnsIP4addr`, `ns_dnsIP6addr`, comments).
    pub options: Options<'a>,
}

impl<'a> NameResolutionBlock<'a> {
    pub(crate) fn parse(body: &'a [u8], pos: BlockPos<'a>) -> Result<Self, BodyError> {
        let e = pos.endian;
        let mut at = 0usize;
        let mut records_end = body.len();
        let mut has_end = false;
        let mut opts_at = body.len();
        while let Some(rest) = body.get(at..).filter(|r| !r.is_empty()) {
            let (Some(rtype), Some(len)) = (e.u16(rest), rest.get(2..).and_then(|r| e.u16(r)))
            else {
                return Err(BodyError::new(
                    ErrorKind::Truncated {
                        what: "name resolution record header",
                        expected: 4,
                        available: rest.len() as u64,
                    },
                    at,
                ));
            };
            let available = rest.len() - 4;
            if usize::from(len) > available {
                return Err(BodyError::new(
                    ErrorKind::RecordOverrun {
                        record_type: rtype,
                        length: len,
                        available: available as u32,
                    },
                    at,
                ));
            }
            let next = (at + 4 + pad4(u32::from(len)) as usize).min(body.len()); // ok: small
            if rtype == record_type::END {
                records_end = at;
                has_end = true;
                opts_at = next;
                break;
            }
            at = next;
        }
        let options = Options::parse(body.get(opts_at..).unwrap_or_default(), e, block_type::NRB)
            .map_err(|err| BodyError::new(err.kind, err.at + opts_at))?;
        Ok(Self {
            section: pos.section,
            offset: pos.offset,
            raw: pos.raw,
            length: pos.length,
            records: NameRecords {
                data: body.get(..records_end).unwrap_or_default(),
                endian: e,
                has_end,
            },
            options,
        })
    }
}

/// The records area of a Name Resolution Block (validated).
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
pub struct NameRecords<'a> {
    data: &'a [u8],
    endian: Endian,
    has_end: bool,
}

impl<'a> NameRecords<'a> {
    /// The records in file order.
    pub fn iter(&self) -> impl Iterator<Item = NameRecord<'a>> + 'a {
        let (data, e) = (self.data, self.endian);
        let mut at = 0usize;
        std::iter::from_fn(move || {
            let rest = data.get(at..)?;
            let record_type = e.u16(rest)?;
            let len = e.u16(rest.get(2..)?)?;
            let value = rest.get(4..4 + usize::from(len))?;
            at += 4 + pad4(u32::from(len)) as usize; // ok: small
            Some(NameRecord { record_type, value })
        })
    }

    /// True when the records area ends with an `nrb_record_end` record.
    pub fn has_end(&self) -> bool {
        self.has_end
    }

    /// The raw records area.
    pub fn raw(&self) -> &'a [u8] {
        self.data
    }
}

/// One name resolution record.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
pub struct NameRecord<'a> {
    /// Record type (`nrb_record_ipv4` = 1, `nrb_record_ipv6` = 2, ...).
    pub record_type: u16,
    /// The value: address followed by NUL-terminated names.
    pub value: &'a [u8],
}

impl<'a> NameRecord<'a> {
    fn addr_len(&self) -> Option<usize> {
        match self.record_type {
            record_type::IPV4 => Some(4),
            record_type::IPV6 => Some(16),
            _ => None,
        }
    }

    /// The address of an IPv4 or IPv6 record.
    pub fn ip(&self) -> Option<std::net::IpAddr> {
        match self.record_type {
            record_type::IPV4 => {
                let a: [u8; 4] = self.value.get(..4)?.try_into().ok()?;
                Some(Ipv4Addr::from(a).into())
            }
            record_type::IPV6 => {
                let a: [u8; 16] = self.value.get(..16)?.try_into().ok()?;
                Some(Ipv6Addr::from(a).into())
            }
            _ => None,
        }
    }

    /// The names of an IPv4 or IPv6 record (empty for other types); invalid UTF-8 is
    /// replaced.
    pub fn names(&self) -> Vec<String> {
        let Some(rest) = self.addr_len().and_then(|n| self.value.get(n..)) else {
            return Vec::new();
        };
        rest.split(|&b| b == 0)
            .filter(|s| !s.is_empty())
            .map(|s| String::from_utf8_lossy(s).into_owned())
            .collect()
    }
}
