//! The Internet checksum (RFC 1071) and the TCP/UDP pseudo-header (RFC 9293, RFC 8200).

use crate::protocol::PseudoHeader;

/// Adds `data` as big-endian 16-bit words (a trailing odd byte padded with zero) to a
/// running one's-complement sum. Works on 32-bit words: 2^16 ≡ 1 modulo 2^16 - 1, so the
/// folded result is the same, and a `u64` cannot overflow below 2^34 bytes.
fn add_words(mut acc: u64, data: &[u8]) -> u64 {
    let mut chunks = data.chunks_exact(4);
    for c in &mut chunks {
        let mut w = [0u8; 4];
        w.copy_from_slice(c);
        acc += u64::from(u32::from_be_bytes(w));
    }
    let rest = chunks.remainder();
    if !rest.is_empty() {
        let mut w = [0u8; 4];
        for (slot, b) in w.iter_mut().zip(rest) {
            *slot = *b;
        }
        acc += u64::from(u32::from_be_bytes(w));
    }
    acc
}

fn fold(mut acc: u64) -> u16 {
    while acc >> 16 != 0 {
        acc = (acc & 0xffff) + (acc >> 16);
    }
    acc as u16 // ok: < 2^16 after folding
}

/// The Internet checksum of `data` (the value a sender writes into a zeroed field).
pub fn internet_checksum(data: &[u8]) -> u16 {
    !fold(add_words(0, data))
}

/// Whether `segment` (a whole TCP segment or UDP datagram, checksum field included)
/// sums to zero with the pseudo-header of `pseudo`, protocol `proto` and the segment's
/// length. `None` when the pseudo-header is unknown or unusable.
pub fn verify_transport_checksum(
    pseudo: Option<PseudoHeader>,
    proto: u8,
    segment: &[u8],
) -> Option<bool> {
    let len = u64::try_from(segment.len()).ok()?;
    let acc = match pseudo? {
        PseudoHeader::V4 { src, dst } => {
            let acc = add_words(add_words(0, &src.octets()), &dst.octets());
            // IPv4: zero, protocol, 16-bit TCP/UDP length.
            if len > 0xffff {
                return None;
            }
            acc + u64::from(proto) + len
        }
        PseudoHeader::V6 { src, dst } => {
            let acc = add_words(add_words(0, &src.octets()), &dst.octets());
            // IPv6: 32-bit upper-layer length, 24 zero bits, next header.
            acc + (len >> 16) + (len & 0xffff) + u64::from(proto)
        }
        PseudoHeader::Unverifiable => return None,
    };
    Some(fold(add_words(acc, segment)) == 0xffff)
}

#[cfg(test)]
mod tests {
    use super::*;
    use std::net::Ipv4Addr;

    #[test]
    fn rfc1071_example() {
        // RFC 1071 section 3: 00 01 f2 03 f4 f5 f6 f7 sums to ddf2 (one's complement 220d).
        let data = [0x00, 0x01, 0xf2, 0x03, 0xf4, 0xf5, 0xf6, 0xf7];
        assert_eq!(internet_checksum(&data), !0xddf2);
        // Odd length: the last byte is the high half of a zero-padded word.
        assert_eq!(internet_checksum(&[0x01]), !0x0100);
        assert_eq!(internet_checksum(&[]), 0xffff);
    }

    #[test]
    fn udp_pseudo_header() {
        // A UDP datagram 10.0.0.1:1024 -> 10.0.0.2:53, 4 bytes payload "abcd".
        let src = Ipv4Addr::new(10, 0, 0, 1);
        let dst = Ipv4Addr::new(10, 0, 0, 2);
        let mut seg = vec![
            0x04, 0x00, 0x00, 0x35, 0x00, 0x0c, 0x00, 0x00, b'a', b'b', b'c', b'd',
        ];
        let mut ph = Vec::new();
        ph.extend_from_slice(&src.octets());
        ph.extend_from_slice(&dst.octets());
        ph.extend_from_slice(&[0, 17, 0, 12]);
        ph.extend_from_slice(&seg);
        let ck = internet_checksum(&ph);
        seg[6..8].copy_from_slice(&ck.to_be_bytes());
        let pseudo = Some(PseudoHeader::V4 { src, dst });
        assert_eq!(verify_transport_checksum(pseudo, 17, &seg), Some(true));
        seg[9] ^= 1;
        assert_eq!(verify_transport_checksum(pseudo, 17, &seg), Some(false));
        assert_eq!(verify_transport_checksum(None, 17, &seg), None);
        assert_eq!(
            verify_transport_checksum(Some(PseudoHeader::Unverifiable), 17, &seg),
            None
        );
    }
}
