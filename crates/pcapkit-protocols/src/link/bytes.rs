//! Readers for fixed-layout headers, smoltcp style: each protocol names its byte ranges
//! once in a `mod field`, checks the length once, then reads through these infallible
//! accessors (a range outside `data` reads as zero / empty, which a checked length rules
//! out).

use core::ops::Range;

/// A byte range of a header.
pub(crate) type Field = Range<usize>;

/// The bytes of `f`.
pub(crate) fn slice(data: &[u8], f: Field) -> &[u8] {
    data.get(f).unwrap_or_default()
}

/// The byte at `at`.
pub(crate) fn u8_at(data: &[u8], at: usize) -> u8 {
    data.get(at).copied().unwrap_or_default()
}

/// The big-endian `u16` in `f` (2 bytes).
pub(crate) fn u16_at(data: &[u8], f: Field) -> u16 {
    data.get(f)
        .and_then(|b| <[u8; 2]>::try_from(b).ok())
        .map_or(0, u16::from_be_bytes)
}

/// The big-endian `u32` in `f` (4 bytes).
pub(crate) fn u32_at(data: &[u8], f: Field) -> u32 {
    data.get(f)
        .and_then(|b| <[u8; 4]>::try_from(b).ok())
        .map_or(0, u32::from_be_bytes)
}

/// The `N` bytes from `at`, or zeros when they are not all there.
fn array_at<const N: usize>(data: &[u8], at: usize) -> [u8; N] {
    at.checked_add(N)
        .and_then(|end| data.get(at..end))
        .and_then(|b| <[u8; N]>::try_from(b).ok())
        .unwrap_or([0; N])
}

/// The little-endian `u16` at `at` (802.11, radiotap).
pub(crate) fn u16_le_at(data: &[u8], at: usize) -> u16 {
    u16::from_le_bytes(array_at(data, at))
}

/// The little-endian `u32` at `at`.
pub(crate) fn u32_le_at(data: &[u8], at: usize) -> u32 {
    u32::from_le_bytes(array_at(data, at))
}

/// The little-endian `u64` at `at`.
pub(crate) fn u64_le_at(data: &[u8], at: usize) -> u64 {
    u64::from_le_bytes(array_at(data, at))
}

/// The MAC address at `at`.
pub(crate) fn mac_at(data: &[u8], at: usize) -> crate::ser::MacAddr {
    crate::ser::MacAddr(array_at(data, at))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn readers() {
        let d = [1u8, 2, 3, 4, 5];
        assert_eq!(u8_at(&d, 4), 5);
        assert_eq!(u8_at(&d, 5), 0);
        assert_eq!(u16_at(&d, 1..3), 0x0203);
        assert_eq!(u16_at(&d, 4..6), 0);
        assert_eq!(u32_at(&d, 0..4), 0x0102_0304);
        assert_eq!(u32_at(&d, 0..3), 0);
        assert_eq!(slice(&d, 3..5), &[4, 5]);
        assert_eq!(slice(&d, 3..9), &[] as &[u8]);
        assert_eq!(u16_le_at(&d, 1), 0x0302);
        assert_eq!(u16_le_at(&d, 4), 0);
        assert_eq!(u32_le_at(&d, 0), 0x0403_0201);
        assert_eq!(u64_le_at(&d, 0), 0);
        assert_eq!(u32_le_at(&d, usize::MAX), 0);
        assert_eq!(
            mac_at(&[1, 2, 3, 4, 5, 6], 0).to_string(),
            "01:02:03:04:05:06"
        );
    }
}
