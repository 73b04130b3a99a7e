//! `wlan.pcapng`: IEEE 802.11 frames on two interfaces, plain 802.11 (link type
//! IEEE802_11) and radiotap (IEEE802_11_RADIOTAP): data and QoS data frames carrying
//! LLC/SNAP with IPv4/UDP, IPv4/TCP, IPv6/UDP and ARP, a beacon, a protected (CCMP)
//! frame, null and QoS null frames, an ACK, and radiotap headers with and without an
//! FCS (a correct CRC-32) and with two present bitmaps. Built byte by byte so tshark can
//! check the decoders.

use pcapkit_core::{Endian, LinkType, OwnedFrame, Precision, Timestamp};

use crate::build::{self, Tcp, flags};

const AP: [u8; 6] = [0x02, 0, 0, 0, 0, 0xaa];
const STA: [u8; 6] = [0x02, 0, 0, 0, 0, 0x11];
const HOST: [u8; 6] = [0x02, 0, 0, 0, 0, 0x22];
const BROADCAST: [u8; 6] = [0xff; 6];
const STA_IP: [u8; 4] = [192, 168, 7, 11];
const HOST_IP: [u8; 4] = [192, 168, 7, 22];
const STA6: [u8; 16] = [0xfe, 0x80, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0x11];
const HOST6: [u8; 16] = [0xfe, 0x80, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0x22];

/// Frame control, first byte: type and subtype.
mod fc {
    pub const BEACON: u8 = 0x80;
    pub const ACK: u8 = 0xd4;
    pub const DATA: u8 = 0x08;
    pub const NULL: u8 = 0x48;
    pub const QOS_DATA: u8 = 0x88;
    pub const QOS_NULL: u8 = 0xc8;
}

/// Frame control, second byte: flags.
mod fl {
    pub const TO_DS: u8 = 0x01;
    pub const FROM_DS: u8 = 0x02;
    pub const PWR_MGT: u8 = 0x10;
    pub const PROTECTED: u8 = 0x40;
}

/// A data or management frame: frame control, duration, three addresses, sequence
/// number `seq` (fragment 0), the QoS control when given, then `body`.
fn mac_frame(
    fc: [u8; 2],
    addrs: [[u8; 6]; 3],
    seq: u16,
    qos: Option<[u8; 2]>,
    body: &[u8],
) -> Vec<u8> {
    let mut f = fc.to_vec();
    f.extend_from_slice(&44u16.to_le_bytes());
    for a in addrs {
        f.extend_from_slice(&a);
    }
    f.extend_from_slice(&(seq << 4).to_le_bytes());
    if let Some(q) = qos {
        f.extend_from_slice(&q);
    }
    f.extend_from_slice(body);
    f
}

/// LLC/SNAP (RFC 1042) header for `ethertype`, then `payload`.
fn llc_snap(ethertype: u16, payload: &[u8]) -> Vec<u8> {
    let mut v = vec![0xaa, 0xaa, 0x03, 0x00, 0x00, 0x00];
    v.extend_from_slice(&ethertype.to_be_bytes());
    v.extend_from_slice(payload);
    v
}

/// An ARP request from the station for the host.
fn arp_request() -> Vec<u8> {
    let mut v = vec![0x00, 0x01, 0x08, 0x00, 6, 4, 0x00, 0x01];
    v.extend_from_slice(&STA);
    v.extend_from_slice(&STA_IP);
    v.extend_from_slice(&[0; 6]);
    v.extend_from_slice(&HOST_IP);
    v
}

/// A beacon body: timestamp, interval 100 TU, capabilities (ESS, short slot), SSID,
/// supported rates, DS parameter set (channel 6).
fn beacon_body() -> Vec<u8> {
    let mut v = 0x0000_0001_2345_6789u64.to_le_bytes().to_vec();
    v.extend_from_slice(&100u16.to_le_bytes());
    v.extend_from_slice(&0x0401u16.to_le_bytes());
    v.extend_from_slice(&[0, 9]);
    v.extend_from_slice(b"pcapkitrs");
    v.extend_from_slice(&[1, 4, 0x82, 0x84, 0x8b, 0x96]);
    v.extend_from_slice(&[3, 1, 6]);
    v
}

/// CRC-32 (IEEE 802.3, reflected, the 802.11 FCS).
fn crc32(data: &[u8]) -> u32 {
    let mut crc = !0u32;
    for &b in data {
        crc ^= u32::from(b);
        for _ in 0..8 {
            crc = if crc & 1 != 0 {
                (crc >> 1) ^ 0xedb8_8320
            } else {
                crc >> 1
            };
        }
    }
    !crc
}

/// `frame` followed by its FCS.
fn with_fcs(frame: &[u8]) -> Vec<u8> {
    let mut v = frame.to_vec();
    v.extend_from_slice(&crc32(frame).to_le_bytes());
    v
}

/// A radiotap header with Flags `flags`, rate 24 Mb/s, channel 2437 MHz (2 GHz, OFDM)
/// and antenna signal -52 dBm, then `frame`.
fn radiotap(flags: u8, frame: &[u8]) -> Vec<u8> {
    let mut v = vec![0x00, 0x00, 0x0f, 0x00, 0x2e, 0x00, 0x00, 0x00];
    v.extend_from_slice(&[flags, 48]);
    v.extend_from_slice(&2437u16.to_le_bytes());
    v.extend_from_slice(&0x00c0u16.to_le_bytes());
    v.push(0xcc);
    v.extend_from_slice(frame);
    v
}

/// A radiotap header with two present bitmaps (TSFT, Flags, Rate, Channel, antenna
/// signal; then the radiotap namespace again with a second antenna signal): the fields
/// start at 12, so TSFT is aligned to 16. `flags` as in [`radiotap`].
fn radiotap_ext(flags: u8, frame: &[u8]) -> Vec<u8> {
    let mut v = vec![0x00, 0x00, 0x20, 0x00];
    v.extend_from_slice(&0xa000_002fu32.to_le_bytes());
    v.extend_from_slice(&0x0000_0020u32.to_le_bytes());
    v.extend_from_slice(&[0; 4]);
    v.extend_from_slice(&1_234_567u64.to_le_bytes());
    v.extend_from_slice(&[flags, 12]);
    v.extend_from_slice(&2412u16.to_le_bytes());
    v.extend_from_slice(&0x00c0u16.to_le_bytes());
    v.extend_from_slice(&[0xc8, 0xc6]);
    v.extend_from_slice(frame);
    v
}

/// The plain 802.11 frames (link type IEEE802_11), in order.
pub fn wlan_frames() -> Vec<Vec<u8>> {
    let udp = build::udp(STA_IP, HOST_IP, 50_000, 40_000, b"qos data over wlan");
    let syn_ack = Tcp {
        sport: 40_001,
        dport: 51_000,
        seq: 0x0102_0304,
        ack: 0x1000_0001,
        flags: flags::SYN | flags::ACK,
        window: 8192,
    };
    let tcp = build::tcp(HOST_IP, STA_IP, syn_ack, &[]);
    // CCMP header (PN 1, key 0, ExtIV) then ciphertext and MIC.
    let mut ccmp = vec![0x01, 0x00, 0x00, 0x20, 0x00, 0x00, 0x00, 0x00];
    ccmp.extend((0u8..40).map(|i| i.wrapping_mul(37) ^ 0x5a));
    vec![
        // QoS data, To DS: LLC/SNAP, IPv4, UDP.
        mac_frame(
            [fc::QOS_DATA, fl::TO_DS],
            [AP, STA, HOST],
            1,
            Some([0x05, 0x00]),
            &llc_snap(0x0800, &build::ipv4(STA_IP, HOST_IP, 17, 0x0701, 64, &udp)),
        ),
        // Data, From DS: LLC/SNAP, IPv4, TCP.
        mac_frame(
            [fc::DATA, fl::FROM_DS],
            [STA, AP, HOST],
            2,
            None,
            &llc_snap(0x0800, &build::ipv4(HOST_IP, STA_IP, 6, 0x0702, 64, &tcp)),
        ),
        // Data, To DS: LLC/SNAP, IPv6, UDP.
        mac_frame(
            [fc::DATA, fl::TO_DS],
            [AP, STA, HOST],
            3,
            None,
            &llc_snap(
                0x86dd,
                &build::ipv6_udp(STA6, HOST6, 50_001, 40_002, b"ipv6 over wlan"),
            ),
        ),
        // Data, To DS, to broadcast: LLC/SNAP, ARP request.
        mac_frame(
            [fc::DATA, fl::TO_DS],
            [AP, STA, BROADCAST],
            4,
            None,
            &llc_snap(0x0806, &arp_request()),
        ),
        // Beacon.
        mac_frame(
            [fc::BEACON, 0],
            [BROADCAST, AP, AP],
            5,
            None,
            &beacon_body(),
        ),
        // Protected QoS data (CCMP).
        mac_frame(
            [fc::QOS_DATA, fl::TO_DS | fl::PROTECTED],
            [AP, STA, HOST],
            6,
            Some([0x00, 0x00]),
            &ccmp,
        ),
        // Null function with power management, and QoS null.
        mac_frame(
            [fc::NULL, fl::TO_DS | fl::PWR_MGT],
            [AP, STA, AP],
            7,
            None,
            &[],
        ),
        mac_frame(
            [fc::QOS_NULL, fl::TO_DS],
            [AP, STA, AP],
            8,
            Some([0x06, 0x00]),
            &[],
        ),
        // ACK.
        [&[fc::ACK, 0x00, 0x00, 0x00][..], &STA[..]].concat(),
    ]
}

/// The radiotap frames (link type IEEE802_11_RADIOTAP), in order.
pub fn radiotap_frames() -> Vec<Vec<u8>> {
    let udp = build::udp(STA_IP, HOST_IP, 50_002, 40_003, b"radiotap with fcs");
    let ack = Tcp {
        sport: 51_000,
        dport: 40_001,
        seq: 0x1000_0001,
        ack: 0x0102_0305,
        flags: flags::ACK,
        window: 8192,
    };
    let tcp = build::tcp(STA_IP, HOST_IP, ack, &[]);
    let qos_udp = mac_frame(
        [fc::QOS_DATA, fl::TO_DS],
        [AP, STA, HOST],
        9,
        Some([0x00, 0x00]),
        &llc_snap(0x0800, &build::ipv4(STA_IP, HOST_IP, 17, 0x0703, 64, &udp)),
    );
    let data_tcp = mac_frame(
        [fc::DATA, fl::TO_DS],
        [AP, STA, HOST],
        10,
        None,
        &llc_snap(0x0800, &build::ipv4(STA_IP, HOST_IP, 6, 0x0704, 64, &tcp)),
    );
    let beacon = mac_frame(
        [fc::BEACON, 0],
        [BROADCAST, AP, AP],
        11,
        None,
        &beacon_body(),
    );
    vec![
        // FCS flag and a correct FCS: QoS data, IPv4, UDP.
        radiotap(0x10, &with_fcs(&qos_udp)),
        // No FCS: data, IPv4, TCP.
        radiotap(0x00, &data_tcp),
        // Two present bitmaps, FCS: beacon; then QoS data without FCS.
        radiotap_ext(0x10, &with_fcs(&beacon)),
        radiotap_ext(0x00, &qos_udp),
    ]
}

/// `wlan.pcapng`: the 802.11 frames on interface 0, the radiotap frames on interface 1.
pub fn wlan_pcapng() -> Vec<u8> {
    let frames: Vec<OwnedFrame> = wlan_frames()
        .into_iter()
        .map(|f| (LinkType::IEEE802_11, f))
        .chain(
            radiotap_frames()
                .into_iter()
                .map(|f| (LinkType::IEEE802_11_RADIOTAP, f)),
        )
        .enumerate()
        .map(|(i, (link_type, data))| OwnedFrame {
            number: i as u64 + 1,
            timestamp: Timestamp::new(1_700_000_300 + i as i64, 250_000_000),
            precision: Precision::Nano,
            caplen: data.len() as u32,
            origlen: data.len() as u32,
            link_type,
            snaplen: 0,
            interface: 0,
            offset: 0,
            data,
        })
        .collect();
    crate::write::pcapng_bytes(&frames, Endian::Little)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn crc32_check_value() {
        assert_eq!(crc32(b"123456789"), 0xcbf4_3926);
    }

    #[test]
    fn radiotap_headers_have_their_length() {
        assert_eq!(radiotap(0, &[]).len(), 15);
        assert_eq!(radiotap_ext(0, &[]).len(), 32);
    }
}
