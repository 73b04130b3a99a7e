//! `serde::Serialize` for headers, blocks and options, with PyPCAPKit's field names
//! (PYPCAPKIT.md §3.1, §3.2), so that the output layer serialises them directly.
//!
//! Conventions: registry values serialise as their enum text
//! (`"BlockType::Section_Header_Block [168627466]"`), option types as PyPCAPKit's
//! object form `{enum, opt_name, opt_value}`, versions as `{"type": "VersionInfo",
//! "value": [2, 4]}`, byte strings through `serialize_bytes` (the output layer renders
//! them), epochs as decimal strings without trailing zeros, times as ISO 8601 UTC
//! strings. Options and NRB records are ordered multi-dicts: key (enum text) -> list
//! of entries, keys in order of first appearance. Every block ends with `packet`: the
//! block's own bytes (PyPCAPKit writes empty bytes there).

use std::net::IpAddr;

use serde::ser::{SerializeMap, SerializeSeq, SerializeStruct};
use serde::{Serialize, Serializer};

use crate::consts::pcapng::{
    BlockType, FilterType, HashAlgorithm, OptionType, PacketDirection, PacketReception, RecordType,
    SecretsType, VerdictType,
};
use crate::consts::support::Text;
use crate::pcapng::{
    Block, CustomBlock, DecryptionSecretsBlock, InterfaceDescriptionBlock,
    InterfaceStatisticsBlock, NameRecord, NameRecords, NameResolutionBlock, OptionValue, Options,
    PcapngOption, Secrets, SectionHeaderBlock, SystemdJournalBlock, UnknownBlock, block_type,
};
use crate::{PcapHeader, Precision, Timestamp};

/// Bytes, serialised with `serialize_bytes`.
pub struct Bytes<'a>(pub &'a [u8]);

impl Serialize for Bytes<'_> {
    fn serialize<S: Serializer>(&self, s: S) -> Result<S::Ok, S::Error> {
        s.serialize_bytes(self.0)
    }
}

/// PyPCAPKit's `VersionInfo` named tuple.
struct Version(u16, u16);

impl Serialize for Version {
    fn serialize<S: Serializer>(&self, s: S) -> Result<S::Ok, S::Error> {
        let mut st = s.serialize_struct("VersionInfo", 2)?;
        st.serialize_field("type", "VersionInfo")?;
        st.serialize_field("value", &[self.0, self.1])?;
        st.end()
    }
}

/// A Python tuple: `{"type": "tuple", "value": [...]}`.
struct Tuple<'a, T>(&'a [T]);

impl<T: Serialize> Serialize for Tuple<'_, T> {
    fn serialize<S: Serializer>(&self, s: S) -> Result<S::Ok, S::Error> {
        let mut st = s.serialize_struct("tuple", 2)?;
        st.serialize_field("type", "tuple")?;
        st.serialize_field("value", self.0)?;
        st.end()
    }
}

/// Something serialised through its `Display` text.
struct Shown<T>(T);

impl<T: std::fmt::Display> Serialize for Shown<T> {
    fn serialize<S: Serializer>(&self, s: S) -> Result<S::Ok, S::Error> {
        s.collect_str(&self.0)
    }
}

/// `{timestamp, timestamp_epoch}` fields of a time.
fn time_fields<M: SerializeMap>(
    m: &mut M,
    ts: Timestamp,
    precision: Precision,
) -> Result<(), M::Error> {
    m.serialize_entry("timestamp", &Shown(ts.iso8601(precision).with_utc_offset()))?;
    m.serialize_entry("timestamp_epoch", &Shown(ts))
}

impl Serialize for PcapHeader {
    /// PyPCAPKit's "Global Header".
    fn serialize<S: Serializer>(&self, s: S) -> Result<S::Ok, S::Error> {
        struct MagicNumber<'a>(&'a PcapHeader);
        impl Serialize for MagicNumber<'_> {
            fn serialize<S: Serializer>(&self, s: S) -> Result<S::Ok, S::Error> {
                let mut st = s.serialize_struct("magic_number", 3)?;
                st.serialize_field("data", &Bytes(&self.0.magic))?;
                st.serialize_field("byteorder", &self.0.endian)?;
                st.serialize_field("nanosecond", &self.0.nanosecond)?;
                st.end()
            }
        }
        let mut st = s.serialize_struct("PcapHeader", 7)?;
        st.serialize_field("magic_number", &MagicNumber(self))?;
        st.serialize_field("version", &Version(self.version_major, self.version_minor))?;
        st.serialize_field("thiszone", &self.thiszone)?;
        st.serialize_field("sigfigs", &self.sigfigs)?;
        st.serialize_field("snaplen", &self.snaplen)?;
        st.serialize_field("network", &self.network)?;
        st.serialize_field("packet", &Bytes(&self.to_bytes()))?;
        st.end()
    }
}

impl Serialize for Block<'_> {
    fn serialize<S: Serializer>(&self, s: S) -> Result<S::Ok, S::Error> {
        match self {
            Self::SectionHeader(b) => b.serialize(s),
            Self::InterfaceDescription(b) => b.serialize(s),
            Self::NameResolution(b) => b.serialize(s),
            Self::InterfaceStatistics(b) => b.serialize(s),
            Self::DecryptionSecrets(b) => b.serialize(s),
            Self::SystemdJournal(b) => b.serialize(s),
            Self::Custom(b) => b.serialize(s),
            Self::Unknown(b) => b.serialize(s),
        }
    }
}

impl Serialize for SectionHeaderBlock<'_> {
    fn serialize<S: Serializer>(&self, s: S) -> Result<S::Ok, S::Error> {
        let mut st = s.serialize_struct("SectionHeaderBlock", 7)?;
        st.serialize_field("type", &BlockType(block_type::SHB))?;
        st.serialize_field("length", &self.length)?;
        st.serialize_field("byteorder", &self.endian)?;
        st.serialize_field("version", &Version(self.version_major, self.version_minor))?;
        st.serialize_field("section_length", &self.section_length)?;
        st.serialize_field("options", &self.options)?;
        st.serialize_field("packet", &Bytes(self.raw))?;
        st.end()
    }
}

impl Serialize for InterfaceDescriptionBlock<'_> {
    fn serialize<S: Serializer>(&self, s: S) -> Result<S::Ok, S::Error> {
        let mut st = s.serialize_struct("InterfaceDescriptionBlock", 6)?;
        st.serialize_field("type", &BlockType(block_type::IDB))?;
        st.serialize_field("length", &self.length)?;
        st.serialize_field("linktype", &self.link_type)?;
        st.serialize_field("snaplen", &self.snaplen)?;
        st.serialize_field("options", &self.options)?;
        st.serialize_field("packet", &Bytes(self.raw))?;
        st.end()
    }
}

impl Serialize for NameResolutionBlock<'_> {
    fn serialize<S: Serializer>(&self, s: S) -> Result<S::Ok, S::Error> {
        // ip -> names and name -> ips, in order of first appearance
        let mut mapping: Vec<(IpAddr, Vec<String>)> = Vec::new();
        let mut reverse: Vec<(String, Vec<IpAddr>)> = Vec::new();
        for r in self.records.iter() {
            let Some(ip) = r.ip() else { continue };
            for name in r.names() {
                match mapping.iter_mut().find(|(k, _)| *k == ip) {
                    Some((_, v)) => v.push(name.clone()),
                    None => mapping.push((ip, vec![name.clone()])),
                }
                match reverse.iter_mut().find(|(k, _)| *k == name) {
                    Some((_, v)) => v.push(ip),
                    None => reverse.push((name, vec![ip])),
                }
            }
        }
        struct Pairs<'p, K, V>(&'p [(K, Vec<V>)]);
        impl<K: std::fmt::Display, V: Serialize> Serialize for Pairs<'_, K, V> {
            fn serialize<S: Serializer>(&self, s: S) -> Result<S::Ok, S::Error> {
                let mut m = s.serialize_map(Some(self.0.len()))?;
                for (k, v) in self.0 {
                    m.serialize_entry(&Shown(k), v)?;
                }
                m.end()
            }
        }
        let mut st = s.serialize_struct("NameResolutionBlock", 7)?;
        st.serialize_field("type", &BlockType(block_type::NRB))?;
        st.serialize_field("length", &self.length)?;
        st.serialize_field("records", &self.records)?;
        st.serialize_field("options", &self.options)?;
        st.serialize_field("mapping", &Pairs(&mapping))?;
        st.serialize_field("reverse_mapping", &Pairs(&reverse))?;
        st.serialize_field("packet", &Bytes(self.raw))?;
        st.end()
    }
}

impl Serialize for NameRecords<'_> {
    /// Multi-dict keyed by `RecordType` text; the end record is listed when present.
    fn serialize<S: Serializer>(&self, s: S) -> Result<S::Ok, S::Error> {
        let mut types: Vec<u16> = Vec::new();
        for r in self.iter() {
            if !types.contains(&r.record_type) {
                types.push(r.record_type);
            }
        }
        let end = self.has_end() && !types.contains(&0);
        let mut m = s.serialize_map(Some(types.len() + usize::from(end)))?;
        for t in &types {
            struct Group<'g, 'a>(&'g NameRecords<'a>, u16);
            impl Serialize for Group<'_, '_> {
                fn serialize<S: Serializer>(&self, s: S) -> Result<S::Ok, S::Error> {
                    let mut seq = s.serialize_seq(None)?;
                    for r in self.0.iter().filter(|r| r.record_type == self.1) {
                        seq.serialize_element(&r)?;
                    }
                    seq.end()
                }
            }
            m.serialize_entry(&RecordType(*t), &Group(self, *t))?;
        }
        if end {
            struct EndRecord;
            impl Serialize for EndRecord {
                fn serialize<S: Serializer>(&self, s: S) -> Result<S::Ok, S::Error> {
                    let mut st = s.serialize_struct("NameRecord", 2)?;
                    st.serialize_field("type", &RecordType(0))?;
                    st.serialize_field("length", &0u16)?;
                    st.end()
                }
            }
            m.serialize_entry(&RecordType(0), &[EndRecord])?;
        }
        m.end()
    }
}

impl Serialize for NameRecord<'_> {
    fn serialize<S: Serializer>(&self, s: S) -> Result<S::Ok, S::Error> {
        let mut m = s.serialize_map(None)?;
        m.serialize_entry("type", &RecordType(self.record_type))?;
        m.serialize_entry("length", &self.value.len())?;
        match self.ip() {
            Some(ip) => {
                m.serialize_entry("ip", &Shown(ip))?;
                m.serialize_entry("records", &Tuple(&self.names()))?;
            }
            None => m.serialize_entry("data", &Bytes(self.value))?,
        }
        m.end()
    }
}

impl Serialize for InterfaceStatisticsBlock<'_> {
    fn serialize<S: Serializer>(&self, s: S) -> Result<S::Ok, S::Error> {
        let p = self.tsresol.precision();
        let mut st = s.serialize_struct("InterfaceStatisticsBlock", 7)?;
        st.serialize_field("type", &BlockType(block_type::ISB))?;
        st.serialize_field("length", &self.length)?;
        st.serialize_field("interface_id", &self.interface_id)?;
        st.serialize_field(
            "timestamp",
            &Shown(self.timestamp.iso8601(p).with_utc_offset()),
        )?;
        st.serialize_field("timestamp_epoch", &Shown(self.timestamp))?;
        st.serialize_field("options", &self.options)?;
        st.serialize_field("packet", &Bytes(self.raw))?;
        st.end()
    }
}

impl Serialize for DecryptionSecretsBlock<'_> {
    fn serialize<S: Serializer>(&self, s: S) -> Result<S::Ok, S::Error> {
        let mut st = s.serialize_struct("DecryptionSecretsBlock", 7)?;
        st.serialize_field("type", &BlockType(block_type::DSB))?;
        st.serialize_field("length", &self.length)?;
        st.serialize_field("secrets_type", &SecretsType(self.secrets_type))?;
        st.serialize_field("secrets_length", &self.secrets_length)?;
        st.serialize_field("secrets_data", &self.secrets())?;
        st.serialize_field("options", &self.options)?;
        st.serialize_field("packet", &Bytes(self.raw))?;
        st.end()
    }
}

/// Decodes lowercase or uppercase hex; `None` on anything else.
fn unhex(s: &str) -> Option<Vec<u8>> {
    let b = s.as_bytes();
    if b.len() % 2 != 0 {
        return None;
    }
    let nib = |c: u8| (c as char).to_digit(16);
    b.chunks_exact(2)
        .map(|p| match p {
            [h, l] => Some((nib(*h)? * 16 + nib(*l)?) as u8), // ok: < 256
            _ => None,
        })
        .collect()
}

impl Serialize for Secrets<'_> {
    /// `TLS_Key_Log`: `{entries: {LABEL: {client_random_hex: [secret bytes]}}}`;
    /// `WireGuard_Key_Log`: `{entries: {NAME: [value]}}`; ZigBee keys: `{nwk_key,
    /// pan_id}` / `{aps_key, pan_id, short_address}`; anything else `{data}`.
    fn serialize<S: Serializer>(&self, s: S) -> Result<S::Ok, S::Error> {
        let mut m = s.serialize_map(None)?;
        match self {
            Self::TlsKeyLog(_) => {
                type Randoms = Vec<(String, Vec<Vec<u8>>)>;
                let mut labels: Vec<(String, Randoms)> = Vec::new();
                for line in self.entries() {
                    let text = String::from_utf8_lossy(line);
                    let mut parts = text.split_whitespace();
                    let (Some(label), Some(random), Some(secret), None) =
                        (parts.next(), parts.next(), parts.next(), parts.next())
                    else {
                        continue;
                    };
                    let Some(secret) = unhex(secret).filter(|_| !label.starts_with('#')) else {
                        continue;
                    };
                    let random = random.to_ascii_lowercase();
                    if !labels.iter().any(|(l, _)| l == label) {
                        labels.push((label.to_owned(), Vec::new()));
                    }
                    let Some((_, randoms)) = labels.iter_mut().find(|(l, _)| l == label) else {
                        continue;
                    };
                    match randoms.iter_mut().find(|(r, _)| *r == random) {
                        Some((_, v)) => v.push(secret),
                        None => randoms.push((random, vec![secret])),
                    }
                }
                struct Labels<'l>(&'l [(String, Randoms)]);
                impl Serialize for Labels<'_> {
                    fn serialize<S: Serializer>(&self, s: S) -> Result<S::Ok, S::Error> {
                        let mut m = s.serialize_map(Some(self.0.len()))?;
                        for (label, randoms) in self.0 {
                            m.serialize_entry(label, &RandomMap(randoms))?;
                        }
                        m.end()
                    }
                }
                struct RandomMap<'r>(&'r [(String, Vec<Vec<u8>>)]);
                impl Serialize for RandomMap<'_> {
                    fn serialize<S: Serializer>(&self, s: S) -> Result<S::Ok, S::Error> {
                        let mut m = s.serialize_map(Some(self.0.len()))?;
                        for (random, secrets) in self.0 {
                            let list: Vec<Bytes<'_>> = secrets.iter().map(|v| Bytes(v)).collect();
                            m.serialize_entry(random, &list)?;
                        }
                        m.end()
                    }
                }
                m.serialize_entry("entries", &Labels(&labels))?;
            }
            Self::WireGuardKeyLog(_) => {
                let mut names: Vec<(String, Vec<String>)> = Vec::new();
                for line in self.entries() {
                    let text = String::from_utf8_lossy(line);
                    let Some((name, value)) = text.split_once('=') else {
                        continue;
                    };
                    let (name, value) = (name.trim().to_owned(), value.trim().to_owned());
                    match names.iter_mut().find(|(n, _)| *n == name) {
                        Some((_, v)) => v.push(value),
                        None => names.push((name, vec![value])),
                    }
                }
                struct Names<'n>(&'n [(String, Vec<String>)]);
                impl Serialize for Names<'_> {
                    fn serialize<S: Serializer>(&self, s: S) -> Result<S::Ok, S::Error> {
                        let mut m = s.serialize_map(Some(self.0.len()))?;
                        for (k, v) in self.0 {
                            m.serialize_entry(k, v)?;
                        }
                        m.end()
                    }
                }
                m.serialize_entry("entries", &Names(&names))?;
            }
            Self::ZigBeeNwkKey { nwk_key, pan_id } => {
                m.serialize_entry("nwk_key", &Bytes(nwk_key))?;
                m.serialize_entry("pan_id", pan_id)?;
            }
            Self::ZigBeeApsKey {
                aps_key,
                pan_id,
                short_address,
            } => {
                m.serialize_entry("aps_key", &Bytes(aps_key))?;
                m.serialize_entry("pan_id", pan_id)?;
                m.serialize_entry("short_address", short_address)?;
            }
            Self::Unknown(data) => m.serialize_entry("data", &Bytes(data))?,
        }
        m.end()
    }
}

impl Serialize for SystemdJournalBlock<'_> {
    fn serialize<S: Serializer>(&self, s: S) -> Result<S::Ok, S::Error> {
        let mut st = s.serialize_struct("SystemdJournalBlock", 4)?;
        st.serialize_field("type", &BlockType(block_type::JOURNAL))?;
        st.serialize_field("length", &self.length)?;
        st.serialize_field("data", &Bytes(self.entry()))?;
        st.serialize_field("packet", &Bytes(self.raw))?;
        st.end()
    }
}

impl Serialize for CustomBlock<'_> {
    fn serialize<S: Serializer>(&self, s: S) -> Result<S::Ok, S::Error> {
        let mut st = s.serialize_struct("CustomBlock", 5)?;
        st.serialize_field("type", &BlockType(self.block_type))?;
        st.serialize_field("length", &self.length)?;
        st.serialize_field("pen", &self.pen)?;
        st.serialize_field("data", &Bytes(self.data))?;
        st.serialize_field("packet", &Bytes(self.raw))?;
        st.end()
    }
}

impl Serialize for UnknownBlock<'_> {
    fn serialize<S: Serializer>(&self, s: S) -> Result<S::Ok, S::Error> {
        let mut st = s.serialize_struct("UnknownBlock", 4)?;
        st.serialize_field("type", &BlockType(self.block_type))?;
        st.serialize_field("length", &self.length)?;
        st.serialize_field("body", &Bytes(self.body))?;
        st.serialize_field("packet", &Bytes(self.raw))?;
        st.end()
    }
}

impl Options<'_> {
    fn option_type(&self, code: u16) -> OptionType {
        OptionType::for_block(BlockType(self.block_type()), code)
    }
}

impl Serialize for Options<'_> {
    /// Multi-dict: `OptionType` text -> list of option objects.
    fn serialize<S: Serializer>(&self, s: S) -> Result<S::Ok, S::Error> {
        let mut codes: Vec<u16> = Vec::new();
        for o in self.iter() {
            if !codes.contains(&o.code) {
                codes.push(o.code);
            }
        }
        struct Group<'g, 'a>(&'g Options<'a>, u16);
        impl Serialize for Group<'_, '_> {
            fn serialize<S: Serializer>(&self, s: S) -> Result<S::Ok, S::Error> {
                let mut seq = s.serialize_seq(None)?;
                for o in self.0.iter().filter(|o| o.code == self.1) {
                    seq.serialize_element(&OptionEntry(self.0, &o))?;
                }
                seq.end()
            }
        }
        let mut m = s.serialize_map(Some(codes.len()))?;
        for c in codes {
            m.serialize_entry(&Text(self.option_type(c)), &Group(self, c))?;
        }
        m.end()
    }
}

/// One option object: `type`, `length`, then its typed fields (`data` for codes the
/// `OptionType` registry does not name, as PyPCAPKit does).
struct OptionEntry<'o, 'a>(&'o Options<'a>, &'o PcapngOption<'a>);

impl Serialize for OptionEntry<'_, '_> {
    fn serialize<S: Serializer>(&self, s: S) -> Result<S::Ok, S::Error> {
        let (opts, o) = (self.0, self.1);
        let bt = opts.block_type();
        let mut m = s.serialize_map(None)?;
        let ot = opts.option_type(o.code);
        m.serialize_entry("type", &ot)?;
        m.serialize_entry("length", &o.length)?;
        if ot.name().is_none() {
            // not in PyPCAPKit's registry (e.g. shb_userappl): raw data, as it prints
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
                let key = match (bt, o.code) {
                    (block_type::SHB, 2) | (block_type::IDB, 15) => "hardware",
                    (block_type::SHB, 3) | (block_type::IDB, 12) => "os",
                    (block_type::SHB, 4) => "userappl",
                    (block_type::IDB, 3) => "description",
                    (block_type::IDB, 18) => "tzname",
                    _ => "name",
                };
                m.serialize_entry(key, t)?;
            }
            OptionValue::Ipv4Interface { addr, mask } => {
                let bits = u32::from(*mask);
                let text = if bits.leading_ones() + bits.trailing_zeros() == 32 {
                    format!("{addr}/{}", bits.leading_ones())
                } else {
                    format!("{addr}/{mask}")
                };
                m.serialize_entry("interface", &text)?;
            }
            OptionValue::Ipv6Interface { addr, prefix_len } => {
                m.serialize_entry("interface", &format!("{addr}/{prefix_len}"))?
            }
            OptionValue::Mac(b) => m.serialize_entry("interface", &colon_hex(b))?,
            OptionValue::Eui(b) => m.serialize_entry("interface", &colon_hex(b))?,
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
            OptionValue::FcsLen(v) => m.serialize_entry("fcs_length", v)?,
            OptionValue::TsOffset(v) => m.serialize_entry("offset", v)?,
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
                let key = match (bt, o.code) {
                    (block_type::EPB, 4) => "drop_count",
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
            OptionValue::Ipv4(ip) => m.serialize_entry("ip", &Shown(ip))?,
            OptionValue::Ipv6(ip) => m.serialize_entry("ip", &Shown(ip))?,
            OptionValue::Time(raw) => {
                let (resol, offset) = opts.time_base();
                let ts = Timestamp::from_raw(*raw, resol, offset);
                time_fields(&mut m, ts, resol.precision())?;
            }
            OptionValue::Unknown(d) | OptionValue::Malformed(d) => {
                m.serialize_entry("data", &Bytes(d))?
            }
        }
        m.end()
    }
}

fn colon_hex(b: &[u8]) -> String {
    let mut s = String::with_capacity(b.len() * 3);
    for (i, x) in b.iter().enumerate() {
        if i > 0 {
            s.push(':');
        }
        s.push_str(&format!("{x:02x}"));
    }
    s
}
