//! PCAPNG options: a validated, lazily parsed view, and typed values per block type.
//!
//! The reader walks every option list once when it reads the block (so an option that
//! overruns its block is an error at that point); [`Options::iter`] then parses the
//! values on demand, which keeps the per-frame cost at one walk over a few bytes.

use std::borrow::Cow;
use std::net::{Ipv4Addr, Ipv6Addr};

use super::{BodyError, TsResolution, block_type, pad4};
use crate::{Endian, ErrorKind};

/// The options of one block: raw bytes up to and including `opt_endofopt`, checked.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
pub struct Options<'a> {
    data: &'a [u8],
    endian: Endian,
    block_type: u32,
    /// Resolution and offset of time-valued options (`isb_starttime`, `isb_endtime`).
    time_base: (TsResolution, i64),
}

impl Default for Options<'_> {
    fn default() -> Self {
        Self::empty(Endian::Little, 0)
    }
}

impl<'a> Options<'a> {
    /// No options.
    pub const fn empty(endian: Endian, block_type: u32) -> Self {
        Self {
            data: &[],
            endian,
            block_type,
            time_base: (TsResolution::Decimal(6), 0),
        }
    }

    /// Validates an options area: every option header and value lies within `data`.
    /// Stops at `opt_endofopt`; bytes after it are ignored. A missing final padding is
    /// tolerated. Errors are positioned relative to the start of `data`.
    pub(crate) fn parse(
        data: &'a [u8],
        endian: Endian,
        block_type: u32,
    ) -> Result<Self, BodyError> {
        let mut at = 0usize;
        loop {
            let rest = data.get(at..).unwrap_or_default();
            if rest.is_empty() {
                break;
            }
            let (Some(code), Some(len)) =
                (endian.u16(rest), rest.get(2..).and_then(|r| endian.u16(r)))
            else {
                return Err(BodyError::new(
                    ErrorKind::OptionHeaderTruncated {
                        available: rest.len() as u32,
                    },
                    at,
                ));
            };
            let available = rest.len() - 4;
            if usize::from(len) > available {
                return Err(BodyError::new(
                    ErrorKind::OptionOverrun {
                        code,
                        length: len,
                        available: available as u32,
                    },
                    at,
                ));
            }
            // ok: pad4(len) <= 65536, at <= data.len()
            at = (at + 4 + pad4(u32::from(len)) as usize).min(data.len());
            if code == 0 {
                break;
            }
        }
        Ok(Self {
            data: data.get(..at).unwrap_or(data),
            endian,
            block_type,
            time_base: (TsResolution::Decimal(6), 0),
        })
    }

    /// Wraps bytes that [`Options::parse`] accepted before.
    pub(crate) fn trusted(data: &'a [u8], endian: Endian, block_type: u32) -> Self {
        Self {
            data,
            endian,
            block_type,
            time_base: (TsResolution::Decimal(6), 0),
        }
    }

    /// The same options read from `data`, a copy of [`Options::raw`] kept elsewhere
    /// (e.g. to hand a frame to another thread). Other bytes are not an error, only
    /// options that read as garbage: iteration never reads past `data`.
    pub fn with_bytes<'b>(&self, data: &'b [u8]) -> Options<'b> {
        Options {
            data,
            endian: self.endian,
            block_type: self.block_type,
            time_base: self.time_base,
        }
    }

    /// The same options, with time-valued options read in `resol` units plus `offset`
    /// seconds (the interface's, for an ISB).
    pub fn with_time_base(mut self, resol: TsResolution, offset: i64) -> Self {
        self.time_base = (resol, offset);
        self
    }

    /// Resolution and offset of time-valued options.
    pub fn time_base(&self) -> (TsResolution, i64) {
        self.time_base
    }

    /// The raw option bytes (headers, values, padding; up to `opt_endofopt`).
    pub fn raw(&self) -> &'a [u8] {
        self.data
    }

    /// Byte order of the values.
    pub fn endian(&self) -> Endian {
        self.endian
    }

    /// Type of the block these options belong to (decides what codes mean).
    pub fn block_type(&self) -> u32 {
        self.block_type
    }

    /// True when the block has no options at all.
    pub fn is_empty(&self) -> bool {
        self.data.is_empty()
    }

    /// The options in file order, `opt_endofopt` included when present.
    pub fn iter(&self) -> OptionsIter<'a> {
        OptionsIter { opts: *self, at: 0 }
    }

    /// The first option with `code`.
    pub fn get(&self, code: u16) -> Option<PcapngOption<'a>> {
        self.iter().find(|o| o.code == code)
    }
}

impl<'a> IntoIterator for Options<'a> {
    type Item = PcapngOption<'a>;
    type IntoIter = OptionsIter<'a>;
    fn into_iter(self) -> Self::IntoIter {
        self.iter()
    }
}

/// Iterator over [`Options`].
#[derive(Clone, Debug)]
pub struct OptionsIter<'a> {
    opts: Options<'a>,
    at: usize,
}

impl<'a> Iterator for OptionsIter<'a> {
    type Item = PcapngOption<'a>;

    fn next(&mut self) -> Option<Self::Item> {
        let e = self.opts.endian;
        let rest = self.opts.data.get(self.at..)?;
        let code = e.u16(rest)?;
        let length = e.u16(rest.get(2..)?)?;
        let raw = rest.get(4..4 + usize::from(length))?;
        // ok: pad4(length) <= 65536
        self.at += 4 + pad4(u32::from(length)) as usize;
        Some(PcapngOption {
            code,
            length,
            raw,
            value: OptionValue::parse(self.opts.block_type, code, raw, e),
        })
    }
}

/// One option: code, raw value and typed value.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct PcapngOption<'a> {
    /// Option code.
    pub code: u16,
    /// Value length (without padding).
    pub length: u16,
    /// The value bytes.
    pub raw: &'a [u8],
    /// The value, typed according to the block type and code.
    pub value: OptionValue<'a>,
}

impl PcapngOption<'_> {
    /// The option's name in the pcapng registry (`"if_tsresol"`, `"epb_flags"`, ...).
    pub fn name(&self, block_type: u32) -> &'static str {
        option_name(block_type, self.code)
    }
}

/// A typed option value (PYPCAPKIT.md §3.2).
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum OptionValue<'a> {
    /// `opt_endofopt`.
    EndOfOpt,
    /// `opt_comment`.
    Comment(Cow<'a, str>),
    /// `opt_custom` (2988, 2989, 19372, 19373): Private Enterprise Number and data.
    Custom {
        /// Private Enterprise Number.
        pen: u32,
        /// Custom data.
        data: &'a [u8],
    },
    /// A UTF-8 string option (`shb_hardware`, `shb_os`, `shb_userappl`, `if_name`,
    /// `if_description`, `if_os`, `if_hardware`, `if_iana_tzname`, `ns_dnsname`);
    /// trailing NULs dropped, invalid UTF-8 replaced.
    Text(Cow<'a, str>),
    /// `if_IPv4addr`: address and netmask.
    Ipv4Interface {
        /// Address.
        addr: Ipv4Addr,
        /// Netmask.
        mask: Ipv4Addr,
    },
    /// `if_IPv6addr`: address and prefix length.
    Ipv6Interface {
        /// Address.
        addr: Ipv6Addr,
        /// Prefix length.
        prefix_len: u8,
    },
    /// `if_MACaddr`.
    Mac([u8; 6]),
    /// `if_EUIaddr`.
    Eui([u8; 8]),
    /// `if_speed`, `if_txspeed`, `if_rxspeed`: bits per second.
    Speed(u64),
    /// `if_tsresol`.
    TsResol(TsResolution),
    /// `if_tzone`: offset from GMT in seconds.
    Tzone(i32),
    /// `if_filter`: filter type and expression / code.
    Filter {
        /// Filter type (0 = libpcap text, 1 = BPF program).
        filter_type: u8,
        /// The filter.
        expression: &'a [u8],
    },
    /// `if_fcslen`.
    FcsLen(u8),
    /// `if_tsoffset`: seconds added to every timestamp.
    TsOffset(i64),
    /// `epb_flags` / `pack_flags`.
    Flags(PacketFlags),
    /// `epb_hash` / `pack_hash`: algorithm and hash bytes.
    Hash {
        /// Hash algorithm (`pcapng__HashAlgorithm`).
        algorithm: u8,
        /// Hash value.
        hash: &'a [u8],
    },
    /// A 64-bit counter: `epb_dropcount`, `epb_packetid`, `isb_ifrecv`, `isb_ifdrop`,
    /// `isb_filteraccept`, `isb_osdrop`, `isb_usrdeliv`.
    Counter(u64),
    /// `epb_queue`.
    Queue(u32),
    /// `epb_verdict`: verdict type and data.
    Verdict {
        /// Verdict type (`pcapng__VerdictType`).
        verdict_type: u8,
        /// Verdict data.
        data: &'a [u8],
    },
    /// `ns_dnsIP4addr`.
    Ipv4(Ipv4Addr),
    /// `ns_dnsIP6addr`.
    Ipv6(Ipv6Addr),
    /// `isb_starttime` / `isb_endtime`: raw 64-bit time in the interface's units.
    Time(u64),
    /// A code this crate does not know for this block type.
    Unknown(&'a [u8]),
    /// A known code whose value has the wrong length.
    Malformed(&'a [u8]),
}

/// `epb_flags` / `pack_flags` bit fields.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, serde::Serialize)]
pub struct PacketFlags(pub u32);

impl PacketFlags {
    /// Bits 0-1: 0 unknown, 1 inbound, 2 outbound.
    pub fn direction(self) -> u8 {
        (self.0 & 0b11) as u8
    }
    /// Bits 2-4: 0 unspecified, 1 unicast, 2 multicast, 3 broadcast, 4 promiscuous.
    pub fn reception(self) -> u8 {
        ((self.0 >> 2) & 0b111) as u8
    }
    /// Bits 5-8: FCS length in octets (0 = unknown).
    pub fn fcs_len(self) -> u8 {
        ((self.0 >> 5) & 0b1111) as u8
    }
    /// Bit 24: CRC error.
    pub fn crc_error(self) -> bool {
        self.0 & (1 << 24) != 0
    }
    /// Bit 25: packet too long.
    pub fn too_long(self) -> bool {
        self.0 & (1 << 25) != 0
    }
    /// Bit 26: packet too short.
    pub fn too_short(self) -> bool {
        self.0 & (1 << 26) != 0
    }
    /// Bit 27: wrong inter-frame gap.
    pub fn gap_error(self) -> bool {
        self.0 & (1 << 27) != 0
    }
    /// Bit 28: unaligned frame.
    pub fn unaligned_error(self) -> bool {
        self.0 & (1 << 28) != 0
    }
    /// Bit 29: start frame delimiter error.
    pub fn delimiter_error(self) -> bool {
        self.0 & (1 << 29) != 0
    }
    /// Bit 30: preamble error.
    pub fn preamble_error(self) -> bool {
        self.0 & (1 << 30) != 0
    }
    /// Bit 31: symbol error.
    pub fn symbol_error(self) -> bool {
        self.0 & (1 << 31) != 0
    }
}

fn text(raw: &[u8]) -> Cow<'_, str> {
    let mut end = raw.len();
    while end > 0 && raw.get(end - 1) == Some(&0) {
        end -= 1;
    }
    String::from_utf8_lossy(raw.get(..end).unwrap_or_default())
}

fn arr<const N: usize>(raw: &[u8]) -> Option<[u8; N]> {
    raw.try_into().ok()
}

/// A 64-bit timestamp as PCAPNG stores it: high 32 bits, then low 32 bits.
pub(crate) fn split_u64(raw: &[u8], e: Endian) -> Option<u64> {
    let hi = e.u32(raw.get(..4)?)?;
    let lo = e.u32(raw.get(4..8)?)?;
    Some((u64::from(hi) << 32) | u64::from(lo))
}

impl<'a> OptionValue<'a> {
    /// Types the value of option `code` in a block of `block_type`.
    pub fn parse(block_type: u32, code: u16, raw: &'a [u8], e: Endian) -> Self {
        let parsed = match code {
            0 => Some(Self::EndOfOpt),
            1 => Some(Self::Comment(text(raw))),
            2988 | 2989 | 19372 | 19373 => e.u32(raw).map(|pen| Self::Custom {
                pen,
                data: raw.get(4..).unwrap_or_default(),
            }),
            _ => match block_type {
                block_type::SHB => Self::shb(code, raw),
                block_type::IDB => Self::idb(code, raw, e),
                block_type::EPB | block_type::PB => Self::packet(block_type, code, raw, e),
                block_type::NRB => Self::nrb(code, raw),
                block_type::ISB => Self::isb(code, raw, e),
                _ => return Self::Unknown(raw),
            },
        };
        parsed.unwrap_or(if is_known(block_type, code) {
            Self::Malformed(raw)
        } else {
            Self::Unknown(raw)
        })
    }

    fn shb(code: u16, raw: &'a [u8]) -> Option<Self> {
        matches!(code, 2..=4).then(|| Self::Text(text(raw)))
    }

    fn idb(code: u16, raw: &'a [u8], e: Endian) -> Option<Self> {
        Some(match code {
            2 | 3 | 12 | 15 | 18 => Self::Text(text(raw)),
            4 => {
                let b: [u8; 8] = arr(raw)?;
                let [a0, a1, a2, a3, m0, m1, m2, m3] = b;
                Self::Ipv4Interface {
                    addr: Ipv4Addr::new(a0, a1, a2, a3),
                    mask: Ipv4Addr::new(m0, m1, m2, m3),
                }
            }
            5 => {
                let addr: [u8; 16] = arr(raw.get(..16)?)?;
                if raw.len() != 17 {
                    return None;
                }
                Self::Ipv6Interface {
                    addr: Ipv6Addr::from(addr),
                    prefix_len: *raw.get(16)?,
                }
            }
            6 => Self::Mac(arr(raw)?),
            7 => Self::Eui(arr(raw)?),
            8 | 16 | 17 if raw.len() == 8 => Self::Speed(e.u64(raw)?),
            9 if raw.len() == 1 => Self::TsResol(TsResolution::from_option(*raw.first()?)),
            10 if raw.len() == 4 => Self::Tzone(e.u32(raw)? as i32),
            11 if !raw.is_empty() => Self::Filter {
                filter_type: *raw.first()?,
                expression: raw.get(1..)?,
            },
            13 if raw.len() == 1 => Self::FcsLen(*raw.first()?),
            14 if raw.len() == 8 => Self::TsOffset(e.u64(raw)? as i64),
            _ => return None,
        })
    }

    fn packet(bt: u32, code: u16, raw: &'a [u8], e: Endian) -> Option<Self> {
        Some(match code {
            2 if raw.len() == 4 => Self::Flags(PacketFlags(e.u32(raw)?)),
            3 if !raw.is_empty() => Self::Hash {
                algorithm: *raw.first()?,
                hash: raw.get(1..)?,
            },
            4 | 5 if bt == block_type::EPB && raw.len() == 8 => Self::Counter(e.u64(raw)?),
            6 if bt == block_type::EPB && raw.len() == 4 => Self::Queue(e.u32(raw)?),
            7 if bt == block_type::EPB && !raw.is_empty() => Self::Verdict {
                verdict_type: *raw.first()?,
                data: raw.get(1..)?,
            },
            _ => return None,
        })
    }

    fn nrb(code: u16, raw: &'a [u8]) -> Option<Self> {
        Some(match code {
            2 => Self::Text(text(raw)),
            3 => Self::Ipv4(Ipv4Addr::from(arr::<4>(raw)?)),
            4 => Self::Ipv6(Ipv6Addr::from(arr::<16>(raw)?)),
            _ => return None,
        })
    }

    fn isb(code: u16, raw: &'a [u8], e: Endian) -> Option<Self> {
        if raw.len() != 8 {
            return None;
        }
        Some(match code {
            2 | 3 => Self::Time(split_u64(raw, e)?),
            4..=8 => Self::Counter(e.u64(raw)?),
            _ => return None,
        })
    }
}

fn is_known(block_type: u32, code: u16) -> bool {
    option_name(block_type, code) != "unknown"
}

/// The registry name of option `code` in a block of `block_type` (`"unknown"` if none).
pub fn option_name(block_type: u32, code: u16) -> &'static str {
    match (block_type, code) {
        (_, 0) => "opt_endofopt",
        (_, 1) => "opt_comment",
        (_, 2988 | 2989 | 19372 | 19373) => "opt_custom",
        (block_type::SHB, 2) => "shb_hardware",
        (block_type::SHB, 3) => "shb_os",
        (block_type::SHB, 4) => "shb_userappl",
        (block_type::IDB, c) => match c {
            2 => "if_name",
            3 => "if_description",
            4 => "if_IPv4addr",
            5 => "if_IPv6addr",
            6 => "if_MACaddr",
            7 => "if_EUIaddr",
            8 => "if_speed",
            9 => "if_tsresol",
            10 => "if_tzone",
            11 => "if_filter",
            12 => "if_os",
            13 => "if_fcslen",
            14 => "if_tsoffset",
            15 => "if_hardware",
            16 => "if_txspeed",
            17 => "if_rxspeed",
            18 => "if_iana_tzname",
            _ => "unknown",
        },
        (block_type::EPB, c) => match c {
            2 => "epb_flags",
            3 => "epb_hash",
            4 => "epb_dropcount",
            5 => "epb_packetid",
            6 => "epb_queue",
            7 => "epb_verdict",
            _ => "unknown",
        },
        (block_type::PB, 2) => "pack_flags",
        (block_type::PB, 3) => "pack_hash",
        (block_type::NRB, 2) => "ns_dnsname",
        (block_type::NRB, 3) => "ns_dnsIP4addr",
        (block_type::NRB, 4) => "ns_dnsIP6addr",
        (block_type::ISB, c) => match c {
            2 => "isb_starttime",
            3 => "isb_endtime",
            4 => "isb_ifrecv",
            5 => "isb_ifdrop",
            6 => "isb_filteraccept",
            7 => "isb_osdrop",
            8 => "isb_usrdeliv",
            _ => "unknown",
        },
        _ => "unknown",
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn opt(e: Endian, code: u16, value: &[u8]) -> Vec<u8> {
        let mut v = Vec::new();
        v.extend_from_slice(&e.put_u16(code));
        v.extend_from_slice(&e.put_u16(value.len() as u16));
        v.extend_from_slice(value);
        while v.len() % 4 != 0 {
            v.push(0);
        }
        v
    }

    #[test]
    fn idb_options_typed() {
        for e in [Endian::Little, Endian::Big] {
            let mut raw = opt(e, 2, b"eth0\0");
            raw.extend(opt(e, 9, &[0x94]));
            raw.extend(opt(e, 14, &e.put_u64(-3i64 as u64)));
            raw.extend(opt(e, 4, &[192, 168, 1, 2, 255, 255, 255, 0]));
            raw.extend(opt(e, 8, &e.put_u64(1_000_000_000)));
            raw.extend(opt(e, 9, &[1, 2])); // wrong length
            raw.extend(opt(e, 99, &[7]));
            raw.extend(opt(e, 0, &[]));
            raw.extend([0xde, 0xad]); // after endofopt: ignored
            let opts = Options::parse(&raw, e, block_type::IDB).unwrap();
            assert_eq!(opts.raw().len(), raw.len() - 2);
            let v: Vec<_> = opts.iter().map(|o| o.value).collect();
            assert_eq!(
                v,
                vec![
                    OptionValue::Text("eth0".into()),
                    OptionValue::TsResol(TsResolution::Binary(20)),
                    OptionValue::TsOffset(-3),
                    OptionValue::Ipv4Interface {
                        addr: Ipv4Addr::new(192, 168, 1, 2),
                        mask: Ipv4Addr::new(255, 255, 255, 0)
                    },
                    OptionValue::Speed(1_000_000_000),
                    OptionValue::Malformed(&[1, 2]),
                    OptionValue::Unknown(&[7]),
                    OptionValue::EndOfOpt,
                ]
            );
            assert_eq!(opts.get(9).unwrap().name(block_type::IDB), "if_tsresol");
        }
    }

    #[test]
    fn epb_flags_and_custom() {
        let e = Endian::Big;
        let mut raw = opt(e, 2, &e.put_u32(0x8100_0065));
        raw.extend(opt(e, 2989, &[0, 0, 0x7e, 0xd9, b'x']));
        raw.extend(opt(e, 3, &[2, 0xaa, 0xbb, 0xcc, 0xdd]));
        let opts = Options::parse(&raw, e, block_type::EPB).unwrap();
        let mut it = opts.iter();
        let OptionValue::Flags(f) = it.next().unwrap().value else {
            panic!()
        };
        assert_eq!((f.direction(), f.reception(), f.fcs_len()), (1, 1, 3));
        assert!(f.crc_error() && f.symbol_error() && !f.too_long());
        assert_eq!(
            it.next().unwrap().value,
            OptionValue::Custom {
                pen: 32473,
                data: b"x"
            }
        );
        assert_eq!(
            it.next().unwrap().value,
            OptionValue::Hash {
                algorithm: 2,
                hash: &[0xaa, 0xbb, 0xcc, 0xdd]
            }
        );
        assert!(it.next().is_none());
    }

    #[test]
    fn overruns_are_errors() {
        let e = Endian::Little;
        let mut raw = opt(e, 2, b"abcd");
        raw.extend(&e.put_u16(3));
        raw.extend(&e.put_u16(40));
        raw.extend(b"shrt");
        let err = Options::parse(&raw, e, block_type::IDB).unwrap_err();
        assert_eq!(err.at, 8);
        assert_eq!(
            err.kind,
            ErrorKind::OptionOverrun {
                code: 3,
                length: 40,
                available: 4
            }
        );
        let err = Options::parse(&[1, 0], e, block_type::IDB).unwrap_err();
        assert_eq!(err.kind, ErrorKind::OptionHeaderTruncated { available: 2 });
        // missing final padding is tolerated
        let mut unpadded = e.put_u16(1).to_vec();
        unpadded.extend(e.put_u16(3));
        unpadded.extend(b"abc");
        let opts = Options::parse(&unpadded, e, block_type::IDB).unwrap();
        assert_eq!(
            opts.iter().next().unwrap().value,
            OptionValue::Comment("abc".into())
        );
    }

    #[test]
    fn isb_and_nrb() {
        let e = Endian::Little;
        let mut raw = opt(e, 2, &[0, 0, 0, 0, 5, 0, 0, 0]);
        raw.extend(opt(e, 4, &e.put_u64(77)));
        let opts = Options::parse(&raw, e, block_type::ISB).unwrap();
        let v: Vec<_> = opts.iter().map(|o| o.value).collect();
        assert_eq!(v, vec![OptionValue::Time(5), OptionValue::Counter(77)]);
        let raw = opt(e, 3, &[10, 0, 0, 1]);
        let opts = Options::parse(&raw, e, block_type::NRB).unwrap();
        assert_eq!(
            opts.iter().next().unwrap().value,
            OptionValue::Ipv4(Ipv4Addr::new(10, 0, 0, 1))
        );
    }
}
