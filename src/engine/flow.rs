//! The `server` engine's dispatch key: a symmetric hash of a frame's connection, read
//! straight from the bytes (no dissection).
//!
//! - TCP, UDP, SCTP, DCCP, UDP-Lite over IPv4/IPv6 (not fragmented): the unordered pair
//!   of (address, port) endpoints and the protocol, so both directions hash the same.
//! - Any other IP packet, and every IP fragment (first or not, IPv4 or IPv6): the
//!   unordered address pair, so all fragments of a datagram meet on one worker.
//! - Frames without an IP header that we can find cheaply: 0.
//! - With `pairs` (when the workers own per-connection state that also sees IP
//!   fragments: tracing), every IP packet by the unordered address pair, so the
//!   fragments of a TCP segment meet the rest of its connection.
//!
//! The outer IP header decides (tunnels go by their outer addresses). VLAN and QinQ
//! tags and MPLS label stacks are skipped.

use pcapkit_core::LinkType;

/// IP protocols whose first four bytes are the source and destination ports.
const PORTED: [u8; 5] = [6, 17, 33, 132, 136];

/// The hash of the frame's connection (see the module text), or with `pairs` of its
/// address pair; 0 when it has no IP header we can locate.
pub(crate) fn flow_hash(link_type: LinkType, data: &[u8], pairs: bool) -> u64 {
    ip_of(link_type, data).map_or(0, |ip| ip_hash(ip, pairs, 4))
}

/// IP protocols that carry an IP packet (IP-in-IP, IPv6-in-IP: 6in4, 6to4).
const TUNNELS: [u8; 2] = [4, 41];

/// The IP packet inside a frame of this link type, if any.
fn ip_of(link_type: LinkType, data: &[u8]) -> Option<&[u8]> {
    match link_type {
        LinkType::ETHERNET => {
            let mut at = 12;
            let mut ethertype = be16(data, at)?;
            while matches!(ethertype, 0x8100 | 0x88a8 | 0x9100) {
                at += 4;
                ethertype = be16(data, at)?;
            }
            let rest = data.get(at + 2..)?;
            if matches!(ethertype, 0x8847 | 0x8848) {
                return below_labels(rest);
            }
            by_ethertype(ethertype, rest)
        }
        LinkType::NULL | LinkType::LOOP => {
            let family = data.get(..4)?;
            let v4 = family == [2, 0, 0, 0] || family == [0, 0, 0, 2];
            let rest = data.get(4..)?;
            if v4 || matches!(family, [24 | 28 | 30, 0, 0, 0] | [0, 0, 0, 24 | 28 | 30]) {
                Some(rest)
            } else {
                None
            }
        }
        LinkType::RAW | LinkType::IPV4 | LinkType::IPV6 => Some(data),
        LinkType::LINUX_SLL => by_ethertype(be16(data, 14)?, data.get(16..)?),
        LinkType::LINUX_SLL2 => by_ethertype(be16(data, 0)?, data.get(20..)?),
        _ => None,
    }
}

/// The IP packet under an MPLS label stack (the first-nibble rule, as the dissector).
fn below_labels(stack: &[u8]) -> Option<&[u8]> {
    // Each entry moves 4 bytes forward: the walk ends with the data.
    let mut at = 0;
    loop {
        let entry = stack.get(at..at + 4)?;
        at += 4;
        if entry.get(2)? & 0x01 != 0 {
            break;
        }
    }
    let ip = stack.get(at..)?;
    matches!(ip.first()? >> 4, 4 | 6).then_some(ip)
}

fn by_ethertype(ethertype: u16, rest: &[u8]) -> Option<&[u8]> {
    matches!(ethertype, 0x0800 | 0x86dd).then_some(rest)
}

fn be16(data: &[u8], at: usize) -> Option<u16> {
    let b = data.get(at..at + 2)?;
    Some(u16::from_be_bytes([*b.first()?, *b.get(1)?]))
}

/// The symmetric hash of an IP packet's connection; with `pairs`, of the address pair
/// of the innermost IP header (up to `depth` tunnels deep), as the two directions of
/// a tunnel may have different outer addresses (6to4 relays).
fn ip_hash(ip: &[u8], pairs: bool, depth: u8) -> u64 {
    let Some(&first) = ip.first() else {
        return 0;
    };
    match first >> 4 {
        4 => {
            let ihl = usize::from(first & 0x0f) * 4;
            let (Some(src), Some(dst), Some(&proto), Some(frag)) =
                (ip.get(12..16), ip.get(16..20), ip.get(9), be16(ip, 6))
            else {
                return 0;
            };
            let fragment = frag & 0x3fff != 0;
            if pairs && !fragment && ihl >= 20 && depth > 0 && TUNNELS.contains(&proto) {
                return ip_hash(ip.get(ihl..).unwrap_or_default(), pairs, depth - 1);
            }
            let ports = if pairs || fragment || ihl < 20 {
                None
            } else {
                ports(proto, ip.get(ihl..))
            };
            symmetric(src, dst, proto, ports)
        }
        6 => {
            let (Some(src), Some(dst), Some(&next)) = (ip.get(8..24), ip.get(24..40), ip.get(6))
            else {
                return 0;
            };
            let mut next = next;
            let mut at = 40;
            // Walk the extension headers (bounded: each moves forward by 8+ bytes).
            for _ in 0..16 {
                match next {
                    0 | 43 | 60 => {
                        let (Some(&n), Some(&len)) = (ip.get(at), ip.get(at + 1)) else {
                            return symmetric(src, dst, 0, None);
                        };
                        next = n;
                        at += (usize::from(len) + 1) * 8;
                    }
                    51 => {
                        let (Some(&n), Some(&len)) = (ip.get(at), ip.get(at + 1)) else {
                            return symmetric(src, dst, 0, None);
                        };
                        next = n;
                        at += (usize::from(len) + 2) * 4;
                    }
                    // A fragment: by address pair.
                    44 => return symmetric(src, dst, 0, None),
                    _ => break,
                }
            }
            if !pairs {
                return symmetric(src, dst, next, ports(next, ip.get(at..)));
            }
            if depth > 0 && TUNNELS.contains(&next) {
                return ip_hash(ip.get(at..).unwrap_or_default(), pairs, depth - 1);
            }
            symmetric(src, dst, 0, None)
        }
        _ => 0,
    }
}

fn ports(proto: u8, l4: Option<&[u8]>) -> Option<(u16, u16)> {
    let l4 = l4?;
    if !PORTED.contains(&proto) {
        return None;
    }
    Some((be16(l4, 0)?, be16(l4, 2)?))
}

/// Hash of the unordered pair of endpoints.
fn symmetric(a: &[u8], b: &[u8], proto: u8, ports: Option<(u16, u16)>) -> u64 {
    let mut h = Fnv::default();
    match ports {
        Some((pa, pb)) => {
            let ea = (a, pa);
            let eb = (b, pb);
            let (lo, hi) = if ea <= eb { (ea, eb) } else { (eb, ea) };
            h.write(lo.0);
            h.write(&lo.1.to_be_bytes());
            h.write(hi.0);
            h.write(&hi.1.to_be_bytes());
            h.write(&[proto]);
        }
        None => {
            let (lo, hi) = if a <= b { (a, b) } else { (b, a) };
            h.write(lo);
            h.write(hi);
        }
    }
    h.finish()
}

/// FNV-1a with a final avalanche (the low bits pick the worker).
struct Fnv(u64);

impl Default for Fnv {
    fn default() -> Self {
        Self(0xcbf2_9ce4_8422_2325)
    }
}

impl Fnv {
    fn write(&mut self, bytes: &[u8]) {
        for &b in bytes {
            self.0 ^= u64::from(b);
            self.0 = self.0.wrapping_mul(0x0100_0000_01b3);
        }
    }

    fn finish(&self) -> u64 {
        let mut x = self.0;
        x ^= x >> 33;
        x = x.wrapping_mul(0xff51_afd7_ed55_8ccd);
        x ^= x >> 33;
        x
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn eth_ipv4(
        src: [u8; 4],
        dst: [u8; 4],
        proto: u8,
        sport: u16,
        dport: u16,
        frag: u16,
    ) -> Vec<u8> {
        let mut f = vec![0u8; 12];
        f.extend_from_slice(&[0x08, 0x00]);
        f.extend_from_slice(&[0x45, 0, 0, 40, 0, 1]);
        f.extend_from_slice(&frag.to_be_bytes());
        f.extend_from_slice(&[64, proto, 0, 0]);
        f.extend_from_slice(&src);
        f.extend_from_slice(&dst);
        f.extend_from_slice(&sport.to_be_bytes());
        f.extend_from_slice(&dport.to_be_bytes());
        f.extend_from_slice(&[0; 16]);
        f
    }

    #[test]
    fn both_directions_hash_alike() {
        let a = eth_ipv4([10, 0, 0, 1], [10, 0, 0, 2], 6, 40000, 80, 0);
        let b = eth_ipv4([10, 0, 0, 2], [10, 0, 0, 1], 6, 80, 40000, 0);
        let c = eth_ipv4([10, 0, 0, 1], [10, 0, 0, 2], 6, 40001, 80, 0);
        let ha = flow_hash(LinkType::ETHERNET, &a, false);
        assert_ne!(ha, 0);
        assert_eq!(ha, flow_hash(LinkType::ETHERNET, &b, false));
        assert_ne!(ha, flow_hash(LinkType::ETHERNET, &c, false));
    }

    #[test]
    fn fragments_go_by_address_pair() {
        // first fragment (MF), a later one (offset), other direction: one key
        let first = eth_ipv4([1, 2, 3, 4], [5, 6, 7, 8], 17, 53, 5353, 0x2000);
        let later = eth_ipv4([1, 2, 3, 4], [5, 6, 7, 8], 17, 0xdead, 0xbeef, 0x0010);
        let back = eth_ipv4([5, 6, 7, 8], [1, 2, 3, 4], 1, 0, 0, 0);
        let h = flow_hash(LinkType::ETHERNET, &first, false);
        assert_eq!(h, flow_hash(LinkType::ETHERNET, &later, false));
        assert_eq!(h, flow_hash(LinkType::ETHERNET, &back, false));
    }

    #[test]
    fn pairs_put_a_connection_with_its_fragments() {
        let seg = eth_ipv4([1, 2, 3, 4], [5, 6, 7, 8], 6, 40000, 80, 0);
        let frag = eth_ipv4([1, 2, 3, 4], [5, 6, 7, 8], 6, 40000, 80, 0x2000);
        let other = eth_ipv4([5, 6, 7, 8], [1, 2, 3, 4], 6, 80, 40001, 0);
        let h = flow_hash(LinkType::ETHERNET, &seg, true);
        assert_eq!(h, flow_hash(LinkType::ETHERNET, &frag, true));
        assert_eq!(h, flow_hash(LinkType::ETHERNET, &frag, false));
        assert_eq!(h, flow_hash(LinkType::ETHERNET, &other, true));
        assert_ne!(h, flow_hash(LinkType::ETHERNET, &seg, false));
        let mut v6 = vec![0x60, 0, 0, 0, 0, 8, 6, 64];
        v6.extend_from_slice(&[0xfe; 16]);
        v6.extend_from_slice(&[0x20; 16]);
        v6.extend_from_slice(&[0, 53, 0x30, 0x39, 0, 8, 0, 0]);
        let mut v6frag = v6.clone();
        v6frag[6] = 44;
        assert_eq!(
            flow_hash(LinkType::RAW, &v6, true),
            flow_hash(LinkType::RAW, &v6frag, false)
        );
        // 6in4 with different outer addresses per direction: by the inner pair.
        let tunnel = |outer: [u8; 4], inner: &[u8]| {
            let mut p = vec![0x45, 0, 0, 0, 0, 1, 0, 0, 64, 41, 0, 0];
            p.extend_from_slice(&outer);
            p.extend_from_slice(&[9, 9, 9, 9]);
            p.extend_from_slice(inner);
            p
        };
        let mut back = v6.clone();
        back[8..24].copy_from_slice(&[0x20; 16]);
        back[24..40].copy_from_slice(&[0xfe; 16]);
        let there = flow_hash(LinkType::RAW, &tunnel([1, 1, 1, 1], &v6), true);
        assert_eq!(
            there,
            flow_hash(LinkType::RAW, &tunnel([2, 2, 2, 2], &back), true)
        );
        assert_eq!(there, flow_hash(LinkType::RAW, &v6, true));
        assert_ne!(
            flow_hash(LinkType::RAW, &tunnel([1, 1, 1, 1], &v6), false),
            flow_hash(LinkType::RAW, &tunnel([2, 2, 2, 2], &back), false)
        );
    }

    #[test]
    fn ipv6_and_vlan_and_non_ip() {
        let mut v6 = vec![0u8; 12];
        v6.extend_from_slice(&[0x81, 0x00, 0, 5, 0x86, 0xdd]);
        let mut ip = vec![0x60, 0, 0, 0, 0, 8, 17, 64];
        ip.extend_from_slice(&[0xfe; 16]);
        ip.extend_from_slice(&[0x20; 16]);
        ip.extend_from_slice(&[0, 53, 0x30, 0x39, 0, 8, 0, 0]);
        v6.extend_from_slice(&ip);
        let mut rev = ip.clone();
        rev[8..24].copy_from_slice(&[0x20; 16]);
        rev[24..40].copy_from_slice(&[0xfe; 16]);
        rev[40..44].copy_from_slice(&[0x30, 0x39, 0, 53]);
        let h = flow_hash(LinkType::ETHERNET, &v6, false);
        assert_ne!(h, 0);
        assert_eq!(h, flow_hash(LinkType::RAW, &rev, false));
        assert_eq!(flow_hash(LinkType::ETHERNET, &[0u8; 60], false), 0);
        assert_eq!(flow_hash(LinkType::ETHERNET, &[], false), 0);
        assert_eq!(flow_hash(LinkType(105), &v6, false), 0);
    }

    #[test]
    fn mpls_stacks_are_skipped() {
        let mut ip = vec![0x60, 0, 0, 0, 0, 8, 17, 64];
        ip.extend_from_slice(&[0xfe; 16]);
        ip.extend_from_slice(&[0x20; 16]);
        ip.extend_from_slice(&[0, 53, 0x30, 0x39, 0, 8, 0, 0]);
        let mut frame = vec![0u8; 12];
        // Two labels, the second one the bottom.
        frame.extend_from_slice(&[0x88, 0x47, 0, 1, 0, 64, 0, 1, 1, 64]);
        frame.extend_from_slice(&ip);
        let h = flow_hash(LinkType::ETHERNET, &frame, false);
        assert_ne!(h, 0);
        assert_eq!(h, flow_hash(LinkType::RAW, &ip, false));
        // No bottom entry, or a payload that is not IP: no IP header to hash.
        let no_bottom = [&frame[..18], &[0, 1, 0, 64][..]].concat();
        assert_eq!(flow_hash(LinkType::ETHERNET, &no_bottom, false), 0);
        let mut pw = frame[..22].to_vec();
        pw.extend_from_slice(&[0, 0, 0, 0]);
        assert_eq!(flow_hash(LinkType::ETHERNET, &pw, false), 0);
    }
}
