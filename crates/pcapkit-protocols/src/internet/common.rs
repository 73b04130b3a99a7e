//! Helpers shared by the internet-layer decoders: a bounds-checked byte reader for
//! option/parameter bodies, and serialization adapters for address lists.

use std::fmt;
use std::net::{Ipv4Addr, Ipv6Addr};

use serde::ser::{Serialize, SerializeMap, Serializer};

use crate::ser::Tuple;

/// A cursor over an option body: every read is checked and returns `None` past the end,
/// so a short body can never panic (callers turn `None` into a "malformed" entry).
#[derive(Clone, Copy, Debug)]
pub(crate) struct Reader<'a> {
    data: &'a [u8],
    pos: usize,
}

impl<'a> Reader<'a> {
    /// Reads `data` from its start.
    pub(crate) fn new(data: &'a [u8]) -> Self {
        Self { data, pos: 0 }
    }

    /// Takes the next `n` bytes.
    pub(crate) fn bytes(&mut self, n: usize) -> Option<&'a [u8]> {
        let end = self.pos.checked_add(n)?;
        let out = self.data.get(self.pos..end)?;
        self.pos = end;
        Some(out)
    }

    /// Takes everything left.
    pub(crate) fn rest(&mut self) -> &'a [u8] {
        let out = self.data.get(self.pos..).unwrap_or_default();
        self.pos = self.data.len();
        out
    }

    /// Bytes left.
    pub(crate) fn remaining(&self) -> usize {
        self.data.len().saturating_sub(self.pos)
    }

    /// Skips `n` bytes.
    pub(crate) fn skip(&mut self, n: usize) -> Option<()> {
        self.bytes(n).map(|_| ())
    }

    pub(crate) fn u8(&mut self) -> Option<u8> {
        self.array::<1>().map(|[b]| b)
    }

    pub(crate) fn u16(&mut self) -> Option<u16> {
        self.array().map(u16::from_be_bytes)
    }

    pub(crate) fn u32(&mut self) -> Option<u32> {
        self.array().map(u32::from_be_bytes)
    }

    pub(crate) fn u64(&mut self) -> Option<u64> {
        self.array().map(u64::from_be_bytes)
    }

    pub(crate) fn ipv4(&mut self) -> Option<Ipv4Addr> {
        self.array::<4>().map(Ipv4Addr::from)
    }

    pub(crate) fn ipv6(&mut self) -> Option<Ipv6Addr> {
        self.array::<16>().map(Ipv6Addr::from)
    }

    pub(crate) fn array<const N: usize>(&mut self) -> Option<[u8; N]> {
        self.bytes(N).and_then(|b| b.try_into().ok())
    }
}

/// A list of IPv4 addresses stored as their 4-byte wire form; serialized as PyPCAPKit's
/// tuple (`{"type": "tuple", "value": ["10.0.0.1", ...]}`). Trailing bytes that do not
/// make a whole address are ignored.
#[derive(Clone, Copy, PartialEq, Eq, Default)]
pub struct Ipv4List<'a>(pub &'a [u8]);

impl<'a> Ipv4List<'a> {
    /// The addresses in wire order.
    pub fn iter(&self) -> impl Iterator<Item = Ipv4Addr> + Clone + 'a {
        self.0
            .chunks_exact(4)
            .map(|c| Ipv4Addr::new(c[0], c[1], c[2], c[3])) // ok: chunks_exact(4) yields 4 bytes
    }
}

impl fmt::Debug for Ipv4List<'_> {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_list().entries(self.iter()).finish()
    }
}

impl Serialize for Ipv4List<'_> {
    fn serialize<S: Serializer>(&self, serializer: S) -> Result<S::Ok, S::Error> {
        Tuple(self.iter()).serialize(serializer)
    }
}

/// A list of IPv6 addresses stored as their 16-byte wire form; serialized as a tuple.
#[derive(Clone, Copy, PartialEq, Eq, Default)]
pub struct Ipv6List<'a>(pub &'a [u8]);

impl<'a> Ipv6List<'a> {
    /// The addresses in wire order.
    pub fn iter(&self) -> impl Iterator<Item = Ipv6Addr> + Clone + 'a {
        self.0.chunks_exact(16).map(|c| {
            let mut a = [0u8; 16];
            a.copy_from_slice(c); // ok: chunks_exact(16) yields 16 bytes
            Ipv6Addr::from(a)
        })
    }
}

impl fmt::Debug for Ipv6List<'_> {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_list().entries(self.iter()).finish()
    }
}

impl Serialize for Ipv6List<'_> {
    fn serialize<S: Serializer>(&self, serializer: S) -> Result<S::Ok, S::Error> {
        Tuple(self.iter()).serialize(serializer)
    }
}

/// A list of big-endian integers of `N` bytes each, mapped through `F` (registry types),
/// serialized as a tuple.
#[derive(Clone, Copy)]
pub struct BeList<'a, const N: usize, T> {
    data: &'a [u8],
    map: fn(u64) -> T,
}

impl<'a, const N: usize, T> BeList<'a, N, T> {
    /// Items of `N` bytes in `data`, each converted by `map`.
    pub(crate) fn new(data: &'a [u8], map: fn(u64) -> T) -> Self {
        Self { data, map }
    }

    /// The items in wire order.
    pub fn iter(&self) -> impl Iterator<Item = T> + Clone + 'a
    where
        T: 'a,
    {
        let map = self.map;
        self.data
            .chunks_exact(N.max(1))
            .map(move |c| map(c.iter().fold(0u64, |acc, &b| (acc << 8) | u64::from(b))))
    }
}

impl<const N: usize, T: fmt::Debug> fmt::Debug for BeList<'_, N, T> {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_list().entries(self.iter()).finish()
    }
}

impl<const N: usize, T: PartialEq> PartialEq for BeList<'_, N, T> {
    fn eq(&self, other: &Self) -> bool {
        self.data == other.data && self.iter().eq(other.iter())
    }
}

impl<const N: usize, T: Serialize> Serialize for BeList<'_, N, T> {
    fn serialize<S: Serializer>(&self, serializer: S) -> Result<S::Ok, S::Error> {
        Tuple(self.iter()).serialize(serializer)
    }
}

/// Writes `{"change"/"anonymous"/...: bool, ...}` style flag objects: a tiny map of
/// named booleans in order.
pub(crate) struct BoolMap<'n, const N: usize>(pub [(&'n str, bool); N]);

impl<const N: usize> Serialize for BoolMap<'_, N> {
    fn serialize<S: Serializer>(&self, serializer: S) -> Result<S::Ok, S::Error> {
        let mut m = serializer.serialize_map(Some(N))?;
        for (k, v) in &self.0 {
            m.serialize_entry(k, v)?;
        }
        m.end()
    }
}

/// An IPv6 prefix printed as `addr/len` (Python's `IPv6Network` text).
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct Ipv6Prefix {
    /// Prefix address.
    pub addr: Ipv6Addr,
    /// Prefix length in bits.
    pub len: u8,
}

impl fmt::Display for Ipv6Prefix {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "{}/{}", self.addr, self.len)
    }
}

impl Serialize for Ipv6Prefix {
    fn serialize<S: Serializer>(&self, serializer: S) -> Result<S::Ok, S::Error> {
        serializer.collect_str(self)
    }
}

/// RFC 1071 one's-complement sum of `data` (odd trailing byte padded with zero), folded
/// to 16 bits. A header whose checksum field is included verifies when this is `0xffff`.
pub(crate) fn ones_complement_sum(data: &[u8]) -> u16 {
    let mut sum: u32 = 0;
    let mut chunks = data.chunks_exact(2);
    for c in &mut chunks {
        sum += u32::from(u16::from_be_bytes([c[0], c[1]])); // ok: chunks_exact(2)
        sum = (sum & 0xffff) + (sum >> 16);
    }
    if let [last] = chunks.remainder() {
        sum += u32::from(*last) << 8;
    }
    while sum > 0xffff {
        sum = (sum & 0xffff) + (sum >> 16);
    }
    sum as u16 // ok: folded to 16 bits above
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn reader_never_reads_past_the_end() {
        let mut r = Reader::new(&[1, 2, 3]);
        assert_eq!(r.u16(), Some(0x0102));
        assert_eq!(r.u16(), None);
        assert_eq!(r.u8(), Some(3));
        assert_eq!(r.u8(), None);
        assert_eq!(r.rest(), &[] as &[u8]);
        assert_eq!(r.bytes(usize::MAX), None);
    }

    #[test]
    fn checksum_of_rfc1071_example() {
        // RFC 1071 §3 example bytes: sum 0xddf2.
        assert_eq!(
            ones_complement_sum(&[0x00, 0x01, 0xf2, 0x03, 0xf4, 0xf5, 0xf6, 0xf7]),
            0xddf2
        );
        assert_eq!(ones_complement_sum(&[0xff]), 0xff00);
    }

    #[test]
    fn address_lists_serialize_as_tuples() {
        let v = serde_json::to_value(Ipv4List(&[10, 0, 0, 1, 1, 2, 3, 4, 9])).unwrap();
        assert_eq!(
            v,
            serde_json::json!({"type": "tuple", "value": ["10.0.0.1", "1.2.3.4"]})
        );
        let l: BeList<'_, 2, u16> = BeList::new(&[0, 1, 0, 2], |v| v as u16);
        assert_eq!(
            serde_json::to_value(l).unwrap(),
            serde_json::json!({"type": "tuple", "value": [1, 2]})
        );
    }
}
