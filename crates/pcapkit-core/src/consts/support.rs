//! Plumbing shared by the generated registry types (hand-written, not generated).
//!
//! Every generated type implements [`RegistryEnum`]: its text is PyPCAPKit's
//! `Class::member [value]` (`EtherType::Internet_Protocol_version_6 [34525]`), written
//! without allocating.

use core::fmt::{self, Write as _};

use serde::{Serialize, Serializer};

/// A registry enumeration printed the way PyPCAPKit prints it: `Class::member [value]`.
pub trait RegistryEnum: Copy {
    /// PyPCAPKit's class name (`EtherType`).
    const CLASS: &'static str;

    /// Writes the member name: the registry's, one PyPCAPKit synthesises for unassigned
    /// ranges (`Unassigned_200`), or `Unknown` for a value no rule covers.
    fn write_member(&self, f: &mut dyn fmt::Write) -> fmt::Result;

    /// Writes what PyPCAPKit shows between the brackets (the member's value).
    fn write_value(&self, f: &mut dyn fmt::Write) -> fmt::Result;

    /// The member name, displayable (`Unassigned_200`).
    fn member_name(&self) -> MemberName<Self> {
        MemberName(*self)
    }

    /// The full text, displayable (`TransType::Unassigned_200 [200]`).
    fn text(&self) -> Text<Self> {
        Text(*self)
    }
}

/// Writes `Class::member [value]`.
pub fn write_text<T: RegistryEnum>(t: &T, f: &mut dyn fmt::Write) -> fmt::Result {
    f.write_str(T::CLASS)?;
    f.write_str("::")?;
    t.write_member(f)?;
    f.write_str(" [")?;
    t.write_value(f)?;
    f.write_char(']')
}

/// Display adapter for [`RegistryEnum::member_name`].
#[derive(Clone, Copy)]
pub struct MemberName<T>(pub T);

impl<T: RegistryEnum> fmt::Display for MemberName<T> {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        self.0.write_member(f)
    }
}

/// Display / Serialize (as a string) adapter for [`RegistryEnum::text`].
#[derive(Clone, Copy)]
pub struct Text<T>(pub T);

impl<T: RegistryEnum> fmt::Display for Text<T> {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write_text(&self.0, f)
    }
}

impl<T: RegistryEnum> Serialize for Text<T> {
    fn serialize<S: Serializer>(&self, serializer: S) -> Result<S::Ok, S::Error> {
        serializer.collect_str(self)
    }
}

/// A number written the way PyPCAPKit's synthesised names spell it: in `radix` (2, 10 or
/// 16), zero-filled to `width` digits, optionally split in groups of `group` digits from
/// the left joined by `_` (`hex(v)[2:].upper().zfill(8)` split `temp[:4]+'_'+temp[4:]`).
#[derive(Clone, Copy, Debug)]
pub struct Digits {
    /// The value.
    pub value: u128,
    /// 2, 10 or 16.
    pub radix: u32,
    /// Minimum number of digits (zero-filled).
    pub width: usize,
    /// Digits per `_`-separated group (0: none).
    pub group: usize,
    /// Upper-case hex digits.
    pub upper: bool,
}

impl fmt::Display for Digits {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        // 128 binary digits at most; the buffer is filled from the end.
        let mut buf = [b'0'; 128];
        let radix = u128::from(self.radix.clamp(2, 16));
        let mut v = self.value;
        let mut n = 0;
        loop {
            let d = (v % radix) as u8; // ok: < 16
            let c = match d {
                0..=9 => b'0' + d,
                _ if self.upper => b'A' + d - 10,
                _ => b'a' + d - 10,
            };
            n += 1;
            if let Some(slot) = buf.len().checked_sub(n).and_then(|i| buf.get_mut(i)) {
                *slot = c;
            }
            v /= radix;
            if v == 0 {
                break;
            }
        }
        let n = n.max(self.width).min(buf.len());
        let digits = buf.get(buf.len() - n..).unwrap_or(&[]);
        for (i, &c) in digits.iter().enumerate() {
            if self.group > 0 && i > 0 && i % self.group == 0 {
                f.write_char('_')?;
            }
            f.write_char(char::from(c))?;
        }
        Ok(())
    }
}

/// Writes an IntFlag member name as Python 3.11's `enum` / aenum 3.1 do: the canonical
/// single-bit members present, lowest bit first, joined by `|`, then `|<unknown bits in
/// decimal>` if any; `None` when no known bit is set (`Flags::None [0]`).
/// `members` are the single-bit members in ascending value order.
pub fn write_flags(f: &mut dyn fmt::Write, value: u128, members: &[(u128, &str)]) -> fmt::Result {
    let mut known = 0u128;
    let mut first = true;
    for &(bit, name) in members {
        if value & bit != 0 {
            if !first {
                f.write_char('|')?;
            }
            f.write_str(name)?;
            first = false;
            known |= bit;
        }
    }
    if first {
        return f.write_str("None");
    }
    let unknown = value & !known;
    if unknown != 0 {
        write!(f, "|{unknown}")?;
    }
    Ok(())
}

/// Writes `s` upper-cased (Python's `str.upper()`), without allocating.
pub fn write_upper(f: &mut dyn fmt::Write, s: &str) -> fmt::Result {
    for c in s.chars() {
        for u in c.to_uppercase() {
            f.write_char(u)?;
        }
    }
    Ok(())
}

/// A string-valued registry (FTP commands, HTTP methods, ...).
pub trait StrRegistry: RegistryEnum {
    /// The member whose value is exactly `s`.
    fn lookup(s: &str) -> Option<Self>;

    /// Serialises an unknown value the way PyPCAPKit prints the member it would create
    /// for it (default: the text `Class::UPPER [value]`).
    fn serialize_unknown<S: Serializer>(value: &str, serializer: S) -> Result<S::Ok, S::Error> {
        serializer.collect_str(&UnknownStr::<Self>::new(value))
    }
}

/// Text of a string value not in the registry: PyPCAPKit's `_missing_` creates a member
/// named `value.upper()` (`Command::XYZ [xyz]`).
pub struct UnknownStr<'a, T> {
    value: &'a str,
    _t: core::marker::PhantomData<T>,
}

impl<'a, T> UnknownStr<'a, T> {
    /// Wraps an unknown value.
    pub fn new(value: &'a str) -> Self {
        Self {
            value,
            _t: core::marker::PhantomData,
        }
    }
}

impl<T: RegistryEnum> fmt::Display for UnknownStr<'_, T> {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(T::CLASS)?;
        f.write_str("::")?;
        write_upper(f, self.value)?;
        write!(f, " [{}]", self.value)
    }
}

/// A value of a string registry as read from the wire: a member, or an unknown string.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
pub enum StrMember<'a, T> {
    /// A registry member.
    Known(T),
    /// Not in the registry (kept verbatim).
    Unknown(&'a str),
}

impl<'a, T: StrRegistry> StrMember<'a, T> {
    /// Looks `s` up.
    pub fn parse(s: &'a str) -> Self {
        T::lookup(s).map_or(Self::Unknown(s), Self::Known)
    }

    /// The member, if `s` was one.
    pub fn known(self) -> Option<T> {
        match self {
            Self::Known(t) => Some(t),
            Self::Unknown(_) => None,
        }
    }
}

impl<T: StrRegistry + fmt::Display> fmt::Display for StrMember<'_, T> {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            Self::Known(t) => fmt::Display::fmt(t, f),
            Self::Unknown(s) => fmt::Display::fmt(&UnknownStr::<T>::new(s), f),
        }
    }
}

impl<T: StrRegistry + Serialize> Serialize for StrMember<'_, T> {
    fn serialize<S: Serializer>(&self, serializer: S) -> Result<S::Ok, S::Error> {
        match self {
            Self::Known(t) => t.serialize(serializer),
            Self::Unknown(s) => T::serialize_unknown(s, serializer),
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn digits(value: u128, radix: u32, width: usize, group: usize, upper: bool) -> String {
        Digits {
            value,
            radix,
            width,
            group,
            upper,
        }
        .to_string()
    }

    #[test]
    fn digits_forms() {
        assert_eq!(digits(0x5dc, 16, 4, 0, true), "05DC");
        assert_eq!(digits(0x5dc, 16, 2, 0, false), "5dc");
        assert_eq!(digits(0xe, 16, 8, 4, true), "0000_000E");
        assert_eq!(digits(5, 2, 8, 4, true), "0000_0101");
        assert_eq!(digits(5, 2, 0, 0, true), "101");
        assert_eq!(digits(0, 10, 0, 0, true), "0");
        assert_eq!(digits(u128::MAX, 16, 32, 4, false).len(), 32 + 7);
        assert_eq!(digits(u128::MAX, 2, 0, 0, false).len(), 128);
    }

    #[test]
    fn flags_forms() {
        let m = [(1, "tcp"), (2, "udp"), (4, "sctp"), (8, "dccp")];
        let s = |v| {
            let mut out = String::new();
            write_flags(&mut out, v, &m).unwrap();
            out
        };
        assert_eq!(s(3), "tcp|udp");
        assert_eq!(s(0), "None");
        assert_eq!(s(16), "None");
        assert_eq!(s(17), "tcp|16");
    }

    #[test]
    fn link_type_texts() {
        use crate::consts::LinkType;
        assert_eq!(LinkType::ETHERNET.to_string(), "LinkType::ETHERNET [1]");
        assert_eq!(LinkType(113).to_string(), "LinkType::LINUX_SLL [113]");
        assert_eq!(LinkType(12).to_string(), "LinkType::Unassigned_12 [12]");
        assert_eq!(
            LinkType(65535).to_string(),
            "LinkType::Unassigned_65535 [65535]"
        );
        assert_eq!(LinkType::ETHERNET.name(), Some("ETHERNET"));
        assert_eq!(LinkType(12).name(), None);
        assert_eq!(LinkType(12).member_name().to_string(), "Unassigned_12");
        assert_eq!(
            serde_json::to_string(&LinkType::RAW).unwrap(),
            "\"LinkType::RAW [101]\""
        );
        assert_eq!(u32::from(LinkType::LINUX_SLL2), 276);
        assert_eq!(format!("{:?}", LinkType::IPV4), "LinkType::IPV4 [228]");
    }

    #[test]
    fn pcapng_texts() {
        use crate::consts::pcapng::{
            BlockType, FilterType, PacketDirection, RecordType, SecretsType,
        };
        assert_eq!(
            BlockType(0x0A0D0D0A).to_string(),
            "BlockType::Section_Header_Block [168627466]"
        );
        assert_eq!(
            BlockType(0x8000_0001).to_string(),
            "BlockType::Reserved_80000001 [2147483649]"
        );
        // PyPCAPKit range 0x000a0d0a..=0xff0a0d0a (sic) covers most values.
        assert_eq!(
            BlockType(0x7000_0000).to_string(),
            "BlockType::Reserved_70000000 [1879048192]"
        );
        assert_eq!(BlockType(0x1234).to_string(), "BlockType::Unknown [4660]");
        assert_eq!(FilterType(0).to_string(), "FilterType::Unassigned_0 [0]");
        assert_eq!(RecordType(1).to_string(), "RecordType::nrb_record_ipv4 [1]");
        assert_eq!(
            RecordType(0x1234).to_string(),
            "RecordType::Unassigned_0x1234 [4660]"
        );
        assert_eq!(
            SecretsType(0x544c534b).to_string(),
            "SecretsType::TLS_Key_Log [1414288203]"
        );
        assert_eq!(
            PacketDirection(0).to_string(),
            "PacketDirection::UNKNOWN [0]"
        );
        assert_eq!(
            PacketDirection(3).to_string(),
            "PacketDirection::Unknown [3]"
        );
    }

    #[test]
    fn option_type_forms() {
        use crate::consts::pcapng::{BlockType, OptionNamespace, OptionType};
        let idb = BlockType(1);
        let o = OptionType::for_block(idb, 9);
        assert_eq!(o, OptionType::if_tsresol);
        assert_eq!(o.to_string(), "OptionType::if_tsresol [if_tsresol [9]]");
        assert_eq!(
            serde_json::to_string(&o).unwrap(),
            r#"{"enum":"OptionType::if_tsresol [if_tsresol [9]]","opt_name":"if_tsresol","opt_value":9}"#
        );
        // `opt` members are visible from every block; unknown codes print as opt_unknown.
        assert_eq!(OptionType::for_block(idb, 1), OptionType::opt_comment);
        assert_eq!(
            OptionType::for_block(BlockType(0x0A0D0D0A), 4).to_string(),
            "OptionType::opt_unknown_4 [opt_unknown [4]]"
        );
        assert_eq!(
            OptionType::for_block(BlockType(6), 2).to_string(),
            "OptionType::epb_flags [epb_flags [2]]"
        );
        assert_eq!(
            OptionType::for_block(BlockType(5), 2).to_string(),
            "OptionType::isb_starttime [isb_starttime [2]]"
        );
        assert_eq!(
            OptionType::from_code(2989).to_string(),
            "OptionType::opt_custom_2989 [opt_custom [2989]]"
        );
        assert_eq!(
            OptionType::for_block(BlockType(10), 3).namespace(),
            OptionNamespace::Opt
        );
        assert_eq!(OptionType::if_name.opt_name(), "if_name");
        assert_eq!(OptionType::for_block(idb, 99).opt_name(), "opt_unknown");
    }
}
