//! PyPCAPKit's blocks for the capture's own records: the PCAP global header, PCAPNG
//! non-packet blocks and PCAPNG options (PYPCAPKIT.md §3).

use std::net::Ipv4Addr;

use serde::ser::{Serialize, SerializeMap, SerializeStruct, Serializer};

use pcapkit_core::consts::pcapng::{
    BlockType, FilterType, HashAlgorithm, OptionType, PacketDirection, PacketReception, RecordType,
    SecretsType, VerdictType,
};
use pcapkit_core::pcapng::{NameRecords, OptionValue, Options, PcapngOption, block_type};
use pcapkit_core::{Block, PcapHeader, Precision, Timestamp, TsResolution};
use pcapkit_protocols::ser::{Bytes, MacAddr, MultiDict, Tuple};

use crate::time::IsoTime;

/// PyPCAPKit's `{"type": "VersionInfo", "value": [major, minor]}`.
struct VersionInfo(u16, u16);

impl Serialize for VersionInfo {
    fn serialize<S: Serializer>(&self, s: S) -> Result<S::Ok, S::Error> {
        let mut st = s.serialize_struct("VersionInfo", 2)?;
        st.serialize_field("type", "VersionInfo")?;
        st.serialize_field("value", &[self.0, self.1])?;
        st.end()
    }
}

/// The PCAP global header block (`Global Header`).
///
/// Fields: `magic_number {data, byteorder, nanosecond}`, `version`, `thiszone`,
/// `sigfigs`, `snaplen`, `network`, `packet` (empty: the header has no payload).
#[derive(Clone, Copy, Debug)]
pub struct PcapHeaderDoc<'h>(pub &'h PcapHeader);

struct Magic<'h>(&'h PcapHeader);

impl Serialize for Magic<'_> {
    fn serialize<S: Serializer>(&self, s: S) -> Result<S::Ok, S::Error> {
        let mut st = s.serialize_struct("magic_number", 3)?;
        st.serialize_field("data", &Bytes(&self.0.magic))?;
        st.serialize_field("byteorder", &self.0.endian)?;
        st.serialize_field("nanosecond", &self.0.nanosecond)?;
        st.end()
    }
}

impl Serialize for PcapHeaderDoc<'_> {
    fn serialize<S: Serializer>(&self, s: S) -> Result<S::Ok, S::Error> {
        let h = self.0;
        let mut st = s.serialize_struct("Global Header", 7)?;
        st.serialize_field("magic_number", &Magic(h))?;
        st.serialize_field("version", &VersionInfo(h.version_major, h.version_minor))?;
        st.serialize_field("thiszone", &h.thiszone)?;
        st.serialize_field("sigfigs", &h.sigfigs)?;
        st.serialize_field("snaplen", &h.snaplen)?;
        st.serialize_field("network", &h.network)?;
        st.serialize_field("packet", &Bytes(&[]))?;
        st.end()
    }
}

/// A time in an interface's units, as `timestamp` (ISO 8601, UTC) and
/// `timestamp_epoch` (decimal text).
fn time_from_raw(raw: u64, resol: TsResolution, offset: i64) -> (Timestamp, Precision) {
    let (secs, nanos) = match resol.units_per_second() {
        Some(units) if units > 0 => {
            let raw = u128::from(raw);
            let frac = raw % units;
            (
                i64::try_from(raw / units).unwrap_or(i64::MAX),
                u32::try_from(frac * 1_000_000_000 / units).unwrap_or(0),
            )
        }
        _ => (0, 0),
    };
    (
        Timestamp::new(secs.saturating_add(offset), nanos),
        resol.precision(),
    )
}

/// PCAPNG options as PyPCAPKit's multi-dict: `{"OptionType::x [x [n]]": [{"type": {...},
/// "length": n, <value fields>}, ...]}`, one list per option type in first-seen order.
///
/// `resol` is the interface's timestamp resolution, for `isb_starttime` and
/// `isb_endtime`.
#[derive(Clone, Copy, Debug)]
pub struct OptionsDoc<'a> {
    /// The options.
    pub options: Options<'a>,
    /// Timestamp resolution of the block's interface.
    pub resol: TsResolution,
}

impl Serialize for OptionsDoc<'_> {
    fn serialize<S: Serializer>(&self, s: S) -> Result<S::Ok, S::Error> {
        let bt = BlockType(self.options.block_type());
        let mut codes: smallvec_lite::Codes = smallvec_lite::Codes::default();
        for o in self.options.iter() {
            codes.insert(o.code);
        }
        let mut map = s.serialize_map(Some(codes.len()))?;
        for &code in codes.as_slice() {
            let ty = OptionType::for_block(bt, code);
            map.serialize_key(&pcapkit_core::consts::support::Text(ty))?;
            map.serialize_value(&OptionList {
                doc: self,
                code,
                ty,
            })?;
        }
        map.end()
    }
}

/// A tiny ordered set of option codes (first-seen order) without allocation for the
/// usual handful of options.
mod smallvec_lite {
    #[derive(Default)]
    pub(super) struct Codes {
        inline: [u16; 16],
        len: usize,
        more: Vec<u16>,
    }

    impl Codes {
        pub(super) fn insert(&mut self, code: u16) {
            if self.as_slice().contains(&code) {
                return;
            }
            if self.len < self.inline.len() {
                if let Some(slot) = self.inline.get_mut(self.len) {
                    *slot = code;
                }
                self.len += 1;
            } else {
                if self.more.is_empty() {
                    self.more.extend_from_slice(&self.inline);
                }
                self.more.push(code);
            }
        }

        pub(super) fn as_slice(&self) -> &[u16] {
            if self.more.is_empty() {
                self.inline.get(..self.len).unwrap_or_default()
            } else {
                &self.more
            }
        }

        pub(super) fn len(&self) -> usize {
            self.as_slice().len()
        }
    }
}

struct OptionList<'d, 'a> {
    doc: &'d OptionsDoc<'a>,
    code: u16,
    ty: OptionType,
}

impl Serialize for OptionList<'_, '_> {
    fn serialize<S: Serializer>(&self, s: S) -> Result<S::Ok, S::Error> {
        use serde::ser::SerializeSeq;
        let mut seq = s.serialize_seq(None)?;
        for o in self.doc.options.iter().filter(|o| o.code == self.code) {
            seq.serialize_element(&OptionDoc {
                option: &o,
                ty: self.ty,
                block_type: self.doc.options.block_type(),
                resol: self.doc.resol,
            })?;
        }
        seq.end()
    }
}

struct OptionDoc<'o, 'a> {
    option: &'o PcapngOption<'a>,
    ty: OptionType,
    block_type: u32,
    resol: TsResolution,
}

/// `a.b.c.d/len` (or `/mask` when the mask is not contiguous), as Python's
/// `IPv4Interface` prints.
struct V4Interface(Ipv4Addr, Ipv4Addr);

impl std::fmt::Display for V4Interface {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        let m = u32::from(self.1);
        if m.leading_ones() + m.trailing_zeros() == 32 {
            write!(f, "{}/{}", self.0, m.leading_ones())
        } else {
            write!(f, "{}/{}", self.0, self.1)
        }
    }
}

struct Colon<'b>(&'b [u8]);

impl std::fmt::Display for Colon<'_> {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        for (i, b) in self.0.iter().enumerate() {
            if i > 0 {
                f.write_str(":")?;
            }
            write!(f, "{b:02x}")?;
        }
        Ok(())
    }
}

impl Serialize for OptionDoc<'_, '_> {
    fn serialize<S: Serializer>(&self, s: S) -> Result<S::Ok, S::Error> {
        let o = self.option;
        let mut m = s.serialize_map(None)?;
        m.serialize_entry("type", &self.ty)?;
        m.serialize_entry("length", &o.length)?;
        // Codes PyPCAPKit's registry does not name for this block type (`opt_unknown`,
        // e.g. shb_hardware/shb_os/shb_userappl) carry their raw `data`, as in PyPCAPKit.
        if self.ty.name().is_none() && !matches!(o.value, OptionValue::EndOfOpt) {
            m.serialize_entry("data", &Bytes(o.raw))?;
            return m.end();
        }
        match &o.value {
            OptionValue::EndOfOpt => {}
            OptionValue::Comment(c) => m.serialize_entry("comment", c)?,
            OptionValue::Custom { pen, data } => {
                m.serialize_entry("pen", pen)?;
                m.serialize_entry("data", &Bytes(data))?;
            }
            OptionValue::Text(t) => {
                let key = match (self.block_type, o.code) {
                    (block_type::SHB, 2) | (block_type::IDB, 15) => "hardware",
                    (block_type::SHB, 3) | (block_type::IDB, 12) => "os",
                    (block_type::SHB, 4) => "application",
                    (block_type::IDB, 3) => "description",
                    (block_type::IDB, 18) => "tzname",
                    _ => "name",
                };
                m.serialize_entry(key, t)?;
            }
            OptionValue::Ipv4Interface { addr, mask } => {
                m.serialize_entry("interface", &Collect(V4Interface(*addr, *mask)))?;
            }
            OptionValue::Ipv6Interface { addr, prefix_len } => {
                m.serialize_entry("interface", &Collect(format_args!("{addr}/{prefix_len}")))?;
            }
            OptionValue::Mac(mac) => m.serialize_entry("interface", &MacAddr(*mac))?,
            OptionValue::Eui(eui) => m.serialize_entry("interface", &Collect(Colon(eui)))?,
            OptionValue::Speed(v) => m.serialize_entry("speed", v)?,
            OptionValue::TsResol(r) => m.serialize_entry("resolution", r)?,
            OptionValue::Tzone(z) => m.serialize_entry("timezone", z)?,
            OptionValue::Filter {
                filter_type,
                expression,
            } => {
                m.serialize_entry("code", &FilterType(*filter_type))?;
                m.serialize_entry("expression", &Bytes(expression))?;
            }
            OptionValue::FcsLen(n) => m.serialize_entry("fcs_length", n)?,
            OptionValue::TsOffset(n) => m.serialize_entry("offset", n)?,
            OptionValue::Flags(f) => {
                m.serialize_entry("direction", &PacketDirection(f.direction()))?;
                m.serialize_entry("reception", &PacketReception(f.reception()))?;
                m.serialize_entry("fcs_len", &f.fcs_len())?;
                m.serialize_entry("crc_error", &f.crc_error())?;
                m.serialize_entry("too_long", &f.too_long())?;
                m.serialize_entry("too_short", &f.too_short())?;
                m.serialize_entry("gap_error", &f.gap_error())?;
                m.serialize_entry("unaligned_error", &f.unaligned_error())?;
                m.serialize_entry("delimiter_error", &f.delimiter_error())?;
                m.serialize_entry("preamble_error", &f.preamble_error())?;
                m.serialize_entry("symbol_error", &f.symbol_error())?;
            }
            OptionValue::Hash { algorithm, hash } => {
                m.serialize_entry("algorithm", &HashAlgorithm(*algorithm))?;
                m.serialize_entry("hash", &Bytes(hash))?;
            }
            OptionValue::Counter(v) => {
                let key = match (self.block_type, o.code) {
                    (block_type::EPB | block_type::PB, 4) => "drop_count",
                    (block_type::EPB, 5) => "packet_id",
                    _ => "packets",
                };
                m.serialize_entry(key, v)?;
            }
            OptionValue::Queue(q) => m.serialize_entry("queue_id", q)?,
            OptionValue::Verdict { verdict_type, data } => {
                m.serialize_entry("verdict", &VerdictType(*verdict_type))?;
                m.serialize_entry("value", &Bytes(data))?;
            }
            OptionValue::Ipv4(ip) => m.serialize_entry("ip", &Collect(ip))?,
            OptionValue::Ipv6(ip) => m.serialize_entry("ip", &Collect(ip))?,
            OptionValue::Time(raw) => {
                let (ts, prec) = time_from_raw(*raw, self.resol, 0);
                m.serialize_entry("timestamp", &IsoTime::new(ts, prec.digits()))?;
                m.serialize_entry("timestamp_epoch", &Collect(ts))?;
            }
            OptionValue::Unknown(data) | OptionValue::Malformed(data) => {
                m.serialize_entry("data", &Bytes(data))?;
            }
        }
        m.end()
    }
}

/// A `Display` value serialized as a string.
pub(crate) struct Collect<T>(pub(crate) T);

impl<T: std::fmt::Display> Serialize for Collect<T> {
    fn serialize<S: Serializer>(&self, s: S) -> Result<S::Ok, S::Error> {
        s.collect_str(&self.0)
    }
}

/// A PCAPNG non-packet block (`Section Header 1`, `Interface Description 1`, ...).
///
/// `resol` is the timestamp resolution of the interface an Interface Statistics Block
/// refers to (default microseconds).
#[derive(Clone, Copy, Debug)]
pub struct BlockDoc<'b, 'a> {
    /// The block.
    pub block: &'b Block<'a>,
    /// Resolution of the interface of an ISB.
    pub resol: TsResolution,
    /// `if_tsoffset` of the interface of an ISB.
    pub tsoffset: i64,
}

impl<'b, 'a> BlockDoc<'b, 'a> {
    /// A block whose timestamps (ISB only) use the default resolution.
    pub fn new(block: &'b Block<'a>) -> Self {
        Self {
            block,
            resol: TsResolution::default(),
            tsoffset: 0,
        }
    }
}

/// NRB `records`: PyPCAPKit's multi-dict by record type, `{"RecordType::x [n]":
/// [{type, length, ip, records: {"type": "tuple", "value": [names]}}, ...]}`.
/// `end`: the block has its `nrb_record_end` (the reader leaves it out of the records).
struct NameRecordsDoc<'a> {
    records: NameRecords<'a>,
    end: bool,
}

impl Serialize for NameRecordsDoc<'_> {
    fn serialize<S: Serializer>(&self, s: S) -> Result<S::Ok, S::Error> {
        // A Name Resolution Block holds a handful of records.
        let mut records: Vec<_> = self.records.iter().collect();
        if self.end {
            records.push(pcapkit_core::pcapng::NameRecord {
                record_type: 0,
                value: &[],
            });
        }
        MultiDict(
            records
                .iter()
                .map(|r| (RecordType(r.record_type), NameRecordDoc(*r))),
        )
        .serialize(s)
    }
}

struct NameRecordDoc<'a>(pcapkit_core::pcapng::NameRecord<'a>);

impl Serialize for NameRecordDoc<'_> {
    fn serialize<S: Serializer>(&self, s: S) -> Result<S::Ok, S::Error> {
        let r = &self.0;
        let mut m = s.serialize_map(None)?;
        m.serialize_entry("type", &RecordType(r.record_type))?;
        m.serialize_entry("length", &r.value.len())?;
        match r.ip() {
            Some(ip) => {
                m.serialize_entry("ip", &Collect(ip))?;
                let names = r.names();
                m.serialize_entry("records", &Tuple(names.iter()))?;
            }
            None if r.record_type == 0 => {}
            None => m.serialize_entry("data", &Bytes(r.value))?,
        }
        m.end()
    }
}

/// NRB `mapping` (ip -> names) or `reverse_mapping` (name -> ips), in first-seen order.
struct NameMapping<'a> {
    records: NameRecords<'a>,
    reverse: bool,
}

impl Serialize for NameMapping<'_> {
    fn serialize<S: Serializer>(&self, s: S) -> Result<S::Ok, S::Error> {
        // (key, values) in first-seen order; a Name Resolution Block is small.
        let mut pairs: Vec<(String, Vec<String>)> = Vec::new();
        for r in self.records.iter() {
            let Some(ip) = r.ip() else { continue };
            let ip = ip.to_string();
            for name in r.names() {
                let (k, v) = if self.reverse {
                    (name, ip.clone())
                } else {
                    (ip.clone(), name)
                };
                match pairs.iter_mut().find(|(key, _)| *key == k) {
                    Some((_, vals)) => vals.push(v),
                    None => pairs.push((k, vec![v])),
                }
            }
        }
        let mut m = s.serialize_map(Some(pairs.len()))?;
        for (k, v) in &pairs {
            m.serialize_entry(k, v)?;
        }
        m.end()
    }
}

impl Serialize for BlockDoc<'_, '_> {
    fn serialize<S: Serializer>(&self, s: S) -> Result<S::Ok, S::Error> {
        let b = self.block;
        let mut m = s.serialize_map(None)?;
        m.serialize_entry("type", &BlockType(b.block_type()))?;
        m.serialize_entry("length", &b.length())?;
        let resol = TsResolution::default();
        match b {
            Block::SectionHeader(shb) => {
                m.serialize_entry("byteorder", &shb.endian)?;
                m.serialize_entry(
                    "version",
                    &VersionInfo(shb.version_major, shb.version_minor),
                )?;
                m.serialize_entry("section_length", &shb.section_length)?;
                m.serialize_entry(
                    "options",
                    &OptionsDoc {
                        options: shb.options,
                        resol,
                    },
                )?;
            }
            Block::InterfaceDescription(idb) => {
                m.serialize_entry("linktype", &idb.link_type)?;
                m.serialize_entry("snaplen", &idb.snaplen)?;
                m.serialize_entry(
                    "options",
                    &OptionsDoc {
                        options: idb.options,
                        resol: idb.tsresol,
                    },
                )?;
            }
            Block::NameResolution(nrb) => {
                // Whatever follows the records area starts with the end record.
                let end =
                    (nrb.records.raw().len() as u64).saturating_add(12) < u64::from(nrb.length);
                m.serialize_entry(
                    "records",
                    &NameRecordsDoc {
                        records: nrb.records,
                        end,
                    },
                )?;
                m.serialize_entry(
                    "options",
                    &OptionsDoc {
                        options: nrb.options,
                        resol,
                    },
                )?;
                m.serialize_entry(
                    "mapping",
                    &NameMapping {
                        records: nrb.records,
                        reverse: false,
                    },
                )?;
                m.serialize_entry(
                    "reverse_mapping",
                    &NameMapping {
                        records: nrb.records,
                        reverse: true,
                    },
                )?;
            }
            Block::InterfaceStatistics(isb) => {
                m.serialize_entry("interface_id", &isb.interface_id)?;
                let (ts, prec) = time_from_raw(isb.raw_timestamp, self.resol, self.tsoffset);
                m.serialize_entry("timestamp", &IsoTime::new(ts, prec.digits()))?;
                m.serialize_entry("timestamp_epoch", &Collect(ts))?;
                m.serialize_entry(
                    "options",
                    &OptionsDoc {
                        options: isb.options,
                        resol: self.resol,
                    },
                )?;
            }
            Block::DecryptionSecrets(dsb) => {
                m.serialize_entry("secrets_type", &SecretsType(dsb.secrets_type))?;
                m.serialize_entry("secrets_length", &dsb.secrets_length)?;
                m.serialize_entry("secrets_data", &Bytes(dsb.secrets_data))?;
                m.serialize_entry(
                    "options",
                    &OptionsDoc {
                        options: dsb.options,
                        resol,
                    },
                )?;
            }
            Block::SystemdJournal(j) => m.serialize_entry("data", &Bytes(j.data))?,
            Block::Custom(c) => {
                m.serialize_entry("pen", &c.pen)?;
                m.serialize_entry("data", &Bytes(c.data))?;
            }
            Block::Unknown(u) => m.serialize_entry("body", &Bytes(u.body))?,
        }
        m.serialize_entry("packet", &Bytes(&[]))?;
        m.end()
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use pcapkit_core::{Endian, LinkType};

    #[test]
    fn global_header_layout() {
        let h = PcapHeader::new(Endian::Little, false, LinkType::ETHERNET, 262_144);
        let json = serde_json::to_string(&PcapHeaderDoc(&h)).unwrap();
        assert_eq!(
            json,
            concat!(
                r#"{"magic_number":{"data":[212,195,178,161],"byteorder":"little","nanosecond":false},"#,
                r#""version":{"type":"VersionInfo","value":[2,4]},"thiszone":0,"sigfigs":0,"#,
                r#""snaplen":262144,"network":"LinkType::ETHERNET [1]","packet":[]}"#
            )
        );
    }

    #[test]
    fn interface_text_forms() {
        assert_eq!(
            V4Interface(Ipv4Addr::new(10, 0, 0, 1), Ipv4Addr::new(255, 255, 255, 0)).to_string(),
            "10.0.0.1/24"
        );
        assert_eq!(
            V4Interface(Ipv4Addr::new(10, 0, 0, 1), Ipv4Addr::new(255, 0, 255, 0)).to_string(),
            "10.0.0.1/255.0.255.0"
        );
        assert_eq!(Colon(&[0, 1, 0xab]).to_string(), "00:01:ab");
    }

    #[test]
    fn raw_times() {
        let (ts, p) = time_from_raw(1_500_000, TsResolution::Decimal(6), 10);
        assert_eq!((ts, p), (Timestamp::new(11, 500_000_000), Precision::Micro));
        let (ts, p) = time_from_raw(u64::MAX, TsResolution::Decimal(0), i64::MAX);
        assert_eq!((ts.secs, p), (i64::MAX, Precision::Micro));
        let (ts, _) = time_from_raw(7, TsResolution::Decimal(120), 0);
        assert_eq!(ts, Timestamp::new(0, 0));
    }
}
