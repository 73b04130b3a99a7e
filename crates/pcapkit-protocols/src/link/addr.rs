//! Addresses of variable kind (ARP, SLL): a MAC, an IP address, or plain hex bytes.

use std::fmt;
use std::net::{Ipv4Addr, Ipv6Addr};

use serde::{Serialize, Serializer};

use crate::ser::MacAddr;

/// A hardware or protocol address whose form depends on a type field: printed as
/// `aa:bb:cc:dd:ee:ff` (MAC), dotted / colon IP, or plain lower-case hex otherwise
/// (PyPCAPKit's ARP rule).
#[derive(Clone, Copy, PartialEq, Eq, Hash)]
pub enum HwAddr<'a> {
    /// A 48-bit MAC address.
    Mac(MacAddr),
    /// An IPv4 address.
    Ipv4(Ipv4Addr),
    /// An IPv6 address.
    Ipv6(Ipv6Addr),
    /// Any other address: its bytes.
    Hex(&'a [u8]),
}

impl<'a> HwAddr<'a> {
    /// `bytes` as a MAC address when it is 6 bytes long, else hex.
    pub fn mac_or_hex(bytes: &'a [u8]) -> Self {
        match <[u8; 6]>::try_from(bytes) {
            Ok(m) => HwAddr::Mac(MacAddr(m)),
            Err(_) => HwAddr::Hex(bytes),
        }
    }

    /// `bytes` as an IPv4 (4 bytes) or IPv6 (16 bytes) address, else hex.
    pub fn ip_or_hex(bytes: &'a [u8]) -> Self {
        if let Ok(a) = <[u8; 4]>::try_from(bytes) {
            HwAddr::Ipv4(Ipv4Addr::from(a))
        } else if let Ok(a) = <[u8; 16]>::try_from(bytes) {
            HwAddr::Ipv6(Ipv6Addr::from(a))
        } else {
            HwAddr::Hex(bytes)
        }
    }
}

impl fmt::Display for HwAddr<'_> {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            HwAddr::Mac(m) => fmt::Display::fmt(m, f),
            HwAddr::Ipv4(a) => fmt::Display::fmt(a, f),
            HwAddr::Ipv6(a) => fmt::Display::fmt(a, f),
            HwAddr::Hex(b) => b.iter().try_for_each(|b| write!(f, "{b:02x}")),
        }
    }
}

impl fmt::Debug for HwAddr<'_> {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        fmt::Display::fmt(self, f)
    }
}

impl Serialize for HwAddr<'_> {
    fn serialize<S: Serializer>(&self, serializer: S) -> Result<S::Ok, S::Error> {
        serializer.collect_str(self)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn forms() {
        assert_eq!(
            HwAddr::mac_or_hex(&[0, 4, 0x61, 0x99, 1, 0x54]).to_string(),
            "00:04:61:99:01:54"
        );
        assert_eq!(HwAddr::mac_or_hex(&[0xab, 0x01]).to_string(), "ab01");
        assert_eq!(HwAddr::ip_or_hex(&[10, 0, 0, 1]).to_string(), "10.0.0.1");
        let mut v6 = [0u8; 16];
        v6[15] = 1;
        assert_eq!(HwAddr::ip_or_hex(&v6).to_string(), "::1");
        assert_eq!(HwAddr::ip_or_hex(&[]).to_string(), "");
    }
}
