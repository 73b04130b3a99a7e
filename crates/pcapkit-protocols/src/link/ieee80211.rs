//! IEEE 802.11 MAC frames: link type IEEE802_11 (105), and the frame after a radiotap
//! header (127). The MAC header of management, control and data frames is decoded;
//! only the body of an unprotected, unfragmented data frame is decoded further (802.2
//! LLC, as tshark does).

use std::ops::Deref;

use serde::Serialize;

use crate::ProtoId;
use crate::error::{DissectError, Result};
use crate::protocol::{Ctx, Header, Level, Next, Parse, Parsed, RawProto};
use crate::ser::MacAddr;
use crate::wire;

use super::bytes::{mac_at, u8_at, u16_le_at, u32_le_at};
use super::local_registry;

/// Length of the frame check sequence (CRC-32) that ends a frame captured with it.
pub const FCS_LEN: usize = 4;

/// Note of the `raw` layer after a frame whose Protected bit is set (not decrypted).
pub const PROTECTED: &str = "encrypted payload";

/// Note of the `raw` layer after a fragment of a fragmented MSDU (not reassembled).
pub const FRAGMENT: &str = "802.11 fragment";

local_registry! {
    /// The frame type (2 bits of the frame control), printed `FrameType::Data [2]`.
    FrameType(u8) as "FrameType" {
        Management = 0,
        Control = 1,
        Data = 2,
        Extension = 3,
    }
}

local_registry! {
    /// Type and subtype together, `type << 4 | subtype` (tshark's `wlan.fc.type_subtype`),
    /// printed `TypeSubtype::Beacon [8]`.
    TypeSubtype(u8) as "TypeSubtype" {
        Association_Request = 0x00,
        Association_Response = 0x01,
        Reassociation_Request = 0x02,
        Reassociation_Response = 0x03,
        Probe_Request = 0x04,
        Probe_Response = 0x05,
        Timing_Advertisement = 0x06,
        Beacon = 0x08,
        ATIM = 0x09,
        Disassociation = 0x0a,
        Authentication = 0x0b,
        Deauthentication = 0x0c,
        Action = 0x0d,
        Action_No_Ack = 0x0e,
        Trigger = 0x12,
        TACK = 0x13,
        Beamforming_Report_Poll = 0x14,
        NDP_Announcement = 0x15,
        Control_Frame_Extension = 0x16,
        Control_Wrapper = 0x17,
        Block_Ack_Request = 0x18,
        Block_Ack = 0x19,
        PS_Poll = 0x1a,
        RTS = 0x1b,
        CTS = 0x1c,
        ACK = 0x1d,
        CF_End = 0x1e,
        CF_End_CF_Ack = 0x1f,
        Data = 0x20,
        Data_CF_Ack = 0x21,
        Data_CF_Poll = 0x22,
        Data_CF_Ack_CF_Poll = 0x23,
        Null_Function = 0x24,
        CF_Ack = 0x25,
        CF_Poll = 0x26,
        CF_Ack_CF_Poll = 0x27,
        QoS_Data = 0x28,
        QoS_Data_CF_Ack = 0x29,
        QoS_Data_CF_Poll = 0x2a,
        QoS_Data_CF_Ack_CF_Poll = 0x2b,
        QoS_Null_Function = 0x2c,
        QoS_CF_Poll = 0x2e,
        QoS_CF_Ack_CF_Poll = 0x2f,
        DMG_Beacon = 0x30,
        S1G_Beacon = 0x31,
    }
}

/// Data subtype bit: the frame carries a QoS control field (QoS data, QoS null, ...).
const SUBTYPE_QOS: u8 = 0x8;
/// Data subtype bit: the frame has no body (null function, CF-Ack, QoS null, ...).
const SUBTYPE_NO_DATA: u8 = 0x4;
/// Control subtypes whose header holds only the receiver address.
const CONTROL_ONE_ADDRESS: [u8; 3] = [0x7, 0xc, 0xd];

/// The frame control field (2 bytes; bits counted from the first byte's least
/// significant bit, as 802.11 transmits them).
#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize)]
pub struct FrameControl {
    /// Protocol version (2 bits; 0 is the only one defined).
    pub version: u8,
    /// Frame type.
    #[serde(rename = "type")]
    pub frame_type: FrameType,
    /// Subtype (4 bits; its meaning depends on the type).
    pub subtype: u8,
    /// Type and subtype together (tshark `wlan.fc.type_subtype`).
    pub type_subtype: TypeSubtype,
    /// To DS: the frame goes to the distribution system.
    pub to_ds: bool,
    /// From DS: the frame comes from the distribution system.
    pub from_ds: bool,
    /// More Fragments: further fragments of this MSDU follow.
    pub more_frag: bool,
    /// Retry: a retransmission.
    pub retry: bool,
    /// Power Management: the sender enters power save.
    pub pwr_mgt: bool,
    /// More Data: the AP buffers more frames for the receiver.
    pub more_data: bool,
    /// Protected: the body is encrypted (WEP, TKIP, CCMP, GCMP).
    pub protected: bool,
    /// Order (+HTC): an HT control field follows (QoS data and management frames).
    pub order: bool,
}

impl FrameControl {
    /// Splits the two frame-control bytes as they appear on the wire.
    pub fn from_bytes(b0: u8, b1: u8) -> Self {
        let frame_type = (b0 >> 2) & 0x3;
        let subtype = b0 >> 4;
        Self {
            version: b0 & 0x3,
            frame_type: FrameType(frame_type),
            subtype,
            type_subtype: TypeSubtype((frame_type << 4) | subtype),
            to_ds: b1 & 0x01 != 0,
            from_ds: b1 & 0x02 != 0,
            more_frag: b1 & 0x04 != 0,
            retry: b1 & 0x08 != 0,
            pwr_mgt: b1 & 0x10 != 0,
            more_data: b1 & 0x20 != 0,
            protected: b1 & 0x40 != 0,
            order: b1 & 0x80 != 0,
        }
    }

    /// Whether this is a data frame with a QoS control field.
    pub fn is_qos_data(self) -> bool {
        self.frame_type == FrameType::Data && self.subtype & SUBTYPE_QOS != 0
    }
}

/// The QoS control field of QoS data frames (2 bytes).
#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize)]
pub struct QosControl {
    /// Traffic identifier (4 bits; 0-7 are the user priorities).
    pub tid: u8,
    /// End of service period.
    pub eosp: bool,
    /// Ack policy (2 bits: 0 normal ack, 1 no ack, 2 no explicit ack, 3 block ack).
    pub ack_policy: u8,
    /// A-MSDU present: the body is an aggregate of subframes.
    pub amsdu: bool,
    /// The second byte: TXOP limit, TXOP duration requested, queue size or mesh
    /// flags, depending on the sender.
    pub txop: u8,
}

impl QosControl {
    /// Splits the two QoS-control bytes as they appear on the wire.
    pub fn from_bytes(b0: u8, b1: u8) -> Self {
        Self {
            tid: b0 & 0x0f,
            eosp: b0 & 0x10 != 0,
            ack_policy: (b0 >> 5) & 0x3,
            amsdu: b0 & 0x80 != 0,
            txop: b1,
        }
    }
}

/// An 802.11 MAC header (`wlan`, chain token `802.11`; PyPCAPKit shows these frames as
/// `Raw`/`IEEE802_11`, the key is tshark's name).
///
/// Fields in wire order; those a frame of this type does not have are left out. Which
/// address is which depends on the type and on To DS / From DS: see [`Ieee80211::da`],
/// [`Ieee80211::sa`] and [`Ieee80211::bssid`]. The body of a data frame goes to LLC
/// (to IPX when it starts `ff ff`); it stays `raw` when the frame is protected
/// ([`PROTECTED`]), a fragment ([`FRAGMENT`]), an A-MSDU (`A-MSDU`), management,
/// control or extension.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize)]
pub struct Ieee80211 {
    /// Frame control.
    pub frame_control: FrameControl,
    /// Duration/ID field (a PS-Poll's association ID) as a little-endian number.
    pub duration: u16,
    /// Address 1: the receiver.
    pub addr1: MacAddr,
    /// Address 2: the transmitter (absent in CTS, ACK and control wrapper frames).
    #[serde(skip_serializing_if = "Option::is_none")]
    pub addr2: Option<MacAddr>,
    /// Address 3 (management and data frames).
    #[serde(skip_serializing_if = "Option::is_none")]
    pub addr3: Option<MacAddr>,
    /// Sequence number (12 bits; management and data frames).
    #[serde(skip_serializing_if = "Option::is_none")]
    pub seq: Option<u16>,
    /// Fragment number (4 bits; management and data frames).
    #[serde(skip_serializing_if = "Option::is_none")]
    pub frag: Option<u8>,
    /// Address 4 (data frames with both To DS and From DS set).
    #[serde(skip_serializing_if = "Option::is_none")]
    pub addr4: Option<MacAddr>,
    /// QoS control (QoS data frames).
    #[serde(skip_serializing_if = "Option::is_none")]
    pub qos: Option<QosControl>,
    /// HT control, little-endian (QoS data and management frames with Order set).
    #[serde(skip_serializing_if = "Option::is_none")]
    pub ht_control: Option<u32>,
    /// Frame check sequence, when the capture keeps it (radiotap flag 0x10): the CRC-32
    /// of the frame as transmitted, little-endian (tshark `wlan.fcs`; not verified).
    #[serde(skip_serializing_if = "Option::is_none")]
    pub fcs: Option<u32>,
}

impl Header for Ieee80211 {
    const NAME: &'static str = "802.11";
    const KEY: &'static str = "wlan";
    const LEVEL: Option<Level> = Some(Level::Link);
    const ALIASES: &'static [&'static str] = &["WLAN", "IEEE802_11", "Dot11"];
}

impl Ieee80211 {
    /// Destination address (tshark `wlan.da`), for management and data frames.
    pub fn da(&self) -> Option<MacAddr> {
        let fc = self.frame_control;
        match (fc.frame_type, fc.to_ds) {
            (FrameType::Management, _) | (FrameType::Data, false) => Some(self.addr1),
            (FrameType::Data, true) => self.addr3,
            _ => None,
        }
    }

    /// Source address (tshark `wlan.sa`), for management and data frames.
    pub fn sa(&self) -> Option<MacAddr> {
        let fc = self.frame_control;
        match (fc.frame_type, fc.to_ds, fc.from_ds) {
            (FrameType::Management, _, _) | (FrameType::Data, _, false) => self.addr2,
            (FrameType::Data, false, true) => self.addr3,
            (FrameType::Data, true, true) => self.addr4,
            _ => None,
        }
    }

    /// BSS identifier (tshark `wlan.bssid`), for management and data frames within a BSS
    /// (none in a 4-address frame between access points).
    pub fn bssid(&self) -> Option<MacAddr> {
        let fc = self.frame_control;
        match (fc.frame_type, fc.to_ds, fc.from_ds) {
            (FrameType::Management, _, _) | (FrameType::Data, false, false) => self.addr3,
            (FrameType::Data, false, true) => self.addr2,
            (FrameType::Data, true, false) => Some(self.addr1),
            _ => None,
        }
    }
}

/// Which optional fields a frame's header has.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
struct Layout {
    /// Addresses 1 to 3 present (1, 2 or 3).
    addrs: usize,
    seq: bool,
    addr4: bool,
    qos: bool,
    htc: bool,
}

impl Layout {
    fn of(fc: FrameControl) -> Self {
        let bare = Layout {
            addrs: 1,
            seq: false,
            addr4: false,
            qos: false,
            htc: false,
        };
        match fc.frame_type {
            FrameType::Management => Layout {
                addrs: 3,
                seq: true,
                htc: fc.order,
                ..bare
            },
            FrameType::Control if CONTROL_ONE_ADDRESS.contains(&fc.subtype) => bare,
            FrameType::Control => Layout { addrs: 2, ..bare },
            FrameType::Data => {
                let qos = fc.is_qos_data();
                Layout {
                    addrs: 3,
                    seq: true,
                    addr4: fc.to_ds && fc.from_ds,
                    qos,
                    htc: qos && fc.order,
                }
            }
            // Extension frames (DMG/S1G beacons): the first address, then the body.
            _ => bare,
        }
    }

    /// Bytes of the header.
    fn len(self) -> usize {
        4 + 6 * self.addrs
            + 2 * usize::from(self.seq)
            + 6 * usize::from(self.addr4)
            + 2 * usize::from(self.qos)
            + 4 * usize::from(self.htc)
    }
}

/// Decodes a frame; `with_fcs`: its last [`FCS_LEN`] bytes are the FCS.
fn parse_frame(
    name: &'static str,
    data: &[u8],
    ctx: &Ctx,
    with_fcs: bool,
) -> Result<Parsed<Ieee80211>> {
    wire::need(name, ctx, data, 2)?;
    let fc = FrameControl::from_bytes(u8_at(data, 0), u8_at(data, 1));
    if fc.version != 0 {
        return Err(DissectError::bad_value(
            name,
            ctx.offset,
            "version",
            u64::from(fc.version),
            "0",
        ));
    }
    let layout = Layout::of(fc);
    let header_len = layout.len();
    let trailer = if with_fcs { FCS_LEN } else { 0 };
    wire::need(name, ctx, data, header_len + trailer)?;

    let addr = |n: usize| (layout.addrs >= n).then(|| mac_at(data, 4 + 6 * (n - 1)));
    let mut at = 4 + 6 * layout.addrs;
    let seq_ctl = layout.seq.then(|| u16_le_at(data, at));
    at += 2 * usize::from(layout.seq);
    let addr4 = layout.addr4.then(|| mac_at(data, at));
    at += 6 * usize::from(layout.addr4);
    let qos = layout
        .qos
        .then(|| QosControl::from_bytes(u8_at(data, at), u8_at(data, at + 1)));
    at += 2 * usize::from(layout.qos);
    let ht_control = layout.htc.then(|| u32_le_at(data, at));
    let fcs = with_fcs.then(|| u32_le_at(data, data.len() - FCS_LEN));

    let header = Ieee80211 {
        frame_control: fc,
        duration: u16_le_at(data, 2),
        addr1: mac_at(data, 4),
        addr2: addr(2),
        addr3: addr(3),
        seq: seq_ctl.map(|s| s >> 4),
        frag: seq_ctl.map(|s| (s & 0x0f) as u8),
        addr4,
        qos,
        ht_control,
        fcs,
    };
    let payload_len = data.len() - header_len - trailer;
    let body = data
        .get(header_len..header_len + payload_len)
        .unwrap_or_default();
    Ok(Parsed {
        next: next_of(&header, body),
        header,
        header_len,
        payload_len,
    })
}

/// Where a frame's body goes.
fn next_of(h: &Ieee80211, body: &[u8]) -> Next {
    let fc = h.frame_control;
    if fc.protected {
        Next::Raw(RawProto::None, Some(PROTECTED))
    } else if fc.frame_type != FrameType::Data || fc.subtype & SUBTYPE_NO_DATA != 0 {
        Next::End
    } else if fc.more_frag || h.frag.is_some_and(|f| f != 0) {
        Next::Raw(RawProto::None, Some(FRAGMENT))
    } else if h.qos.is_some_and(|q| q.amsdu) {
        Next::Raw(RawProto::Named("A-MSDU"), None)
    } else if body.starts_with(&[0xff, 0xff]) {
        // Novell's raw IPX, as on 802.3 (tshark's rule).
        Next::EtherType(super::ETHERTYPE_IPX)
    } else {
        Next::Proto(ProtoId::Llc)
    }
}

impl<'a> Parse<'a> for Ieee80211 {
    fn parse(data: &'a [u8], ctx: &Ctx) -> Result<Parsed<Self>> {
        parse_frame(Self::NAME, data, ctx, false)
    }
}

/// An 802.11 frame that ends with its FCS (radiotap flag 0x10): the same header as
/// [`Ieee80211`] with `fcs` set, and the FCS left out of the payload.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize)]
pub struct Ieee80211Fcs(pub Ieee80211);

impl Deref for Ieee80211Fcs {
    type Target = Ieee80211;

    fn deref(&self) -> &Ieee80211 {
        &self.0
    }
}

impl Header for Ieee80211Fcs {
    const NAME: &'static str = Ieee80211::NAME;
    const KEY: &'static str = Ieee80211::KEY;
    const LEVEL: Option<Level> = Ieee80211::LEVEL;
    const ALIASES: &'static [&'static str] = Ieee80211::ALIASES;
}

impl<'a> Parse<'a> for Ieee80211Fcs {
    fn parse(data: &'a [u8], ctx: &Ctx) -> Result<Parsed<Self>> {
        parse_frame(Self::NAME, data, ctx, true).map(|p| p.map(Ieee80211Fcs))
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::consts::reg::EtherType;
    use crate::{DissectOptions, SerOptions, dissect};
    use pcapkit_core::LinkType;

    const AP: [u8; 6] = [0x02, 0, 0, 0, 0, 0xaa];
    const STA: [u8; 6] = [0x02, 0, 0, 0, 0, 0x11];
    const HOST: [u8; 6] = [0x02, 0, 0, 0, 0, 0x22];
    /// LLC/SNAP (RFC 1042) for IPv4.
    const SNAP_IPV4: [u8; 8] = [0xaa, 0xaa, 0x03, 0x00, 0x00, 0x00, 0x08, 0x00];
    /// IPv4 10.0.0.1 -> 10.0.0.2, UDP 1234 -> 9, no payload.
    const IPV4_UDP: [u8; 28] = [
        0x45, 0x00, 0x00, 0x1c, 0x00, 0x01, 0x00, 0x00, 0x40, 0x11, 0x66, 0xce, 0x0a, 0x00, 0x00,
        0x01, 0x0a, 0x00, 0x00, 0x02, 0x04, 0xd2, 0x00, 0x09, 0x00, 0x08, 0x00, 0x00,
    ];

    /// A frame: frame control, duration 44, `addrs`, sequence control (seq 100, `frag`),
    /// `extra` header bytes, then `body`.
    fn frame(fc: [u8; 2], addrs: &[[u8; 6]], frag: u8, extra: &[u8], body: &[u8]) -> Vec<u8> {
        let mut f = fc.to_vec();
        f.extend_from_slice(&[0x2c, 0x00]);
        for (i, a) in addrs.iter().enumerate() {
            f.extend_from_slice(a);
            if i == 2 {
                f.extend_from_slice(&((100u16 << 4) | u16::from(frag)).to_le_bytes());
            }
        }
        f.extend_from_slice(extra);
        f.extend_from_slice(body);
        f
    }

    fn snap_ipv4_udp() -> Vec<u8> {
        [&SNAP_IPV4[..], &IPV4_UDP[..]].concat()
    }

    fn chain(link: LinkType, f: &[u8]) -> String {
        dissect(link, f, &DissectOptions::default())
            .protocols()
            .to_string()
    }

    #[test]
    fn data_to_ds() {
        let f = frame([0x08, 0x01], &[AP, STA, HOST], 0, &[], &snap_ipv4_udp());
        let p = Ieee80211::parse(&f, &Ctx::default()).unwrap();
        let h = p.header;
        assert_eq!(h.frame_control.frame_type, FrameType::Data);
        assert_eq!(h.frame_control.type_subtype, TypeSubtype::Data);
        assert!(h.frame_control.to_ds && !h.frame_control.from_ds);
        assert_eq!(h.duration, 44);
        assert_eq!((h.seq, h.frag), (Some(100), Some(0)));
        assert_eq!(
            (h.addr4, h.qos, h.ht_control, h.fcs),
            (None, None, None, None)
        );
        assert_eq!(h.bssid(), Some(MacAddr(AP)));
        assert_eq!(h.sa(), Some(MacAddr(STA)));
        assert_eq!(h.da(), Some(MacAddr(HOST)));
        assert_eq!((p.header_len, p.payload_len), (24, 36));
        assert_eq!(p.next, Next::Proto(ProtoId::Llc));
        assert_eq!(chain(LinkType::IEEE802_11, &f), "802.11:LLC:SNAP:IPv4:UDP");
    }

    #[test]
    fn data_from_ds() {
        let f = frame([0x08, 0x02], &[STA, AP, HOST], 0, &[], &snap_ipv4_udp());
        let p = Ieee80211::parse(&f, &Ctx::default()).unwrap();
        let h = p.header;
        assert!(h.frame_control.from_ds && !h.frame_control.to_ds);
        assert_eq!(h.da(), Some(MacAddr(STA)));
        assert_eq!(h.bssid(), Some(MacAddr(AP)));
        assert_eq!(h.sa(), Some(MacAddr(HOST)));
        assert_eq!(p.next, Next::Proto(ProtoId::Llc));
        assert_eq!(chain(LinkType::IEEE802_11, &f), "802.11:LLC:SNAP:IPv4:UDP");
    }

    #[test]
    fn qos_data_with_llc_snap_ipv4() {
        let f = frame(
            [0x88, 0x01],
            &[AP, STA, HOST],
            0,
            &[0x05, 0x00],
            &snap_ipv4_udp(),
        );
        let p = Ieee80211::parse(&f, &Ctx::default()).unwrap();
        let h = p.header;
        assert_eq!(h.frame_control.type_subtype, TypeSubtype::QoS_Data);
        assert!(h.frame_control.is_qos_data());
        let qos = h.qos.unwrap();
        assert_eq!(
            (qos.tid, qos.eosp, qos.ack_policy, qos.amsdu),
            (5, false, 0, false)
        );
        assert_eq!((p.header_len, p.payload_len), (26, 36));
        let pkt = dissect(LinkType::IEEE802_11, &f, &DissectOptions::default());
        assert_eq!(pkt.protocols().to_string(), "802.11:LLC:SNAP:IPv4:UDP");
        let json = serde_json::to_value(pkt.layers_view(SerOptions::default())).unwrap();
        let wlan = &json["wlan"];
        assert_eq!(wlan["addr2"], "02:00:00:00:00:11");
        assert_eq!(wlan["qos"]["tid"], 5);
        assert_eq!(wlan["llc"]["snap"]["ipv4"]["src"], "10.0.0.1");

        // Order set on QoS data: a 4-byte HT control follows; To DS + From DS: address 4.
        let f = frame(
            [0x88, 0x83],
            &[AP, STA, HOST, AP],
            0,
            &[0x05, 0x00, 0x01, 0x02, 0x03, 0x04],
            &snap_ipv4_udp(),
        );
        let p = Ieee80211::parse(&f, &Ctx::default()).unwrap();
        assert_eq!(p.header.addr4, Some(MacAddr(AP)));
        assert_eq!(p.header.ht_control, Some(0x0403_0201));
        assert_eq!(p.header.sa(), Some(MacAddr(AP)));
        assert_eq!(p.header.bssid(), None);
        assert_eq!((p.header_len, p.payload_len), (36, 36));
        assert_eq!(chain(LinkType::IEEE802_11, &f), "802.11:LLC:SNAP:IPv4:UDP");
    }

    #[test]
    fn beacon_stops_after_the_header() {
        let body = [
            0x39, 0x30, 0, 0, 0, 0, 0, 0, 0x64, 0x00, 0x01, 0x04, 0x00, 0x04, b't', b'e', b's',
            b't',
        ];
        let f = frame([0x80, 0x00], &[[0xff; 6], AP, AP], 0, &[], &body);
        let p = Ieee80211::parse(&f, &Ctx::default()).unwrap();
        let h = p.header;
        assert_eq!(h.frame_control.frame_type, FrameType::Management);
        assert_eq!(h.frame_control.type_subtype, TypeSubtype::Beacon);
        assert_eq!(h.da(), Some(MacAddr::BROADCAST));
        assert_eq!(h.bssid(), Some(MacAddr(AP)));
        assert_eq!((p.header_len, p.payload_len), (24, body.len()));
        assert_eq!(p.next, Next::End);
        assert_eq!(chain(LinkType::IEEE802_11, &f), "802.11:Raw");
        // Order set on a management frame: HT control.
        let f = frame([0x80, 0x80], &[[0xff; 6], AP, AP], 0, &[1, 0, 0, 0], &body);
        let p = Ieee80211::parse(&f, &Ctx::default()).unwrap();
        assert_eq!((p.header.ht_control, p.header_len), (Some(1), 28));
    }

    #[test]
    fn protected_fragmented_null_and_amsdu_stay_raw() {
        let ccmp = [1, 0, 0, 0x20, 0, 0, 0, 0, 0xde, 0xad, 0xbe, 0xef];
        let f = frame([0x88, 0x41], &[AP, STA, HOST], 0, &[0, 0], &ccmp);
        let p = Ieee80211::parse(&f, &Ctx::default()).unwrap();
        assert!(p.header.frame_control.protected);
        assert_eq!(p.next, Next::Raw(RawProto::None, Some(PROTECTED)));
        assert_eq!(chain(LinkType::IEEE802_11, &f), "802.11:Raw");

        // Fragment 1, and a first fragment with More Fragments.
        let f = frame([0x08, 0x01], &[AP, STA, HOST], 1, &[], b"continued");
        let p = Ieee80211::parse(&f, &Ctx::default()).unwrap();
        assert_eq!(p.header.frag, Some(1));
        assert_eq!(p.next, Next::Raw(RawProto::None, Some(FRAGMENT)));
        let f = frame([0x08, 0x05], &[AP, STA, HOST], 0, &[], &snap_ipv4_udp());
        let p = Ieee80211::parse(&f, &Ctx::default()).unwrap();
        assert_eq!(p.next, Next::Raw(RawProto::None, Some(FRAGMENT)));

        // QoS null: no body at all.
        let f = frame([0xc8, 0x11], &[AP, STA, AP], 0, &[0, 0], &[]);
        let p = Ieee80211::parse(&f, &Ctx::default()).unwrap();
        assert_eq!(
            p.header.frame_control.type_subtype,
            TypeSubtype::QoS_Null_Function
        );
        assert!(p.header.frame_control.pwr_mgt);
        assert_eq!((p.header_len, p.payload_len, p.next), (26, 0, Next::End));
        assert_eq!(chain(LinkType::IEEE802_11, &f), "802.11");

        // A-MSDU present in QoS control.
        let f = frame([0x88, 0x01], &[AP, STA, HOST], 0, &[0x80, 0], &[0; 20]);
        let p = Ieee80211::parse(&f, &Ctx::default()).unwrap();
        assert_eq!(p.next, Next::Raw(RawProto::Named("A-MSDU"), None));

        // Raw IPX (`ff ff`) as on 802.3.
        let f = frame([0x08, 0x01], &[AP, STA, HOST], 0, &[], &[0xff, 0xff, 0, 30]);
        let p = Ieee80211::parse(&f, &Ctx::default()).unwrap();
        assert_eq!(p.next, Next::EtherType(EtherType(0x8137)));
    }

    #[test]
    fn control_frames() {
        // ACK and CTS: the receiver address only.
        let ack = [0xd4, 0x00, 0x00, 0x00, 2, 0, 0, 0, 0, 0x11];
        let p = Ieee80211::parse(&ack, &Ctx::default()).unwrap();
        assert_eq!(p.header.frame_control.type_subtype, TypeSubtype::ACK);
        assert_eq!((p.header.addr1, p.header.addr2), (MacAddr(STA), None));
        assert_eq!((p.header.seq, p.header_len, p.payload_len), (None, 10, 0));
        assert_eq!(p.header.da(), None);
        // RTS: receiver and transmitter.
        let mut rts = vec![0xb4, 0x00, 0x10, 0x00];
        rts.extend_from_slice(&AP);
        rts.extend_from_slice(&STA);
        let p = Ieee80211::parse(&rts, &Ctx::default()).unwrap();
        assert_eq!(p.header.frame_control.type_subtype, TypeSubtype::RTS);
        assert_eq!(p.header.addr2, Some(MacAddr(STA)));
        assert_eq!((p.header_len, p.next), (16, Next::End));
        assert_eq!(chain(LinkType::IEEE802_11, &rts), "802.11");
    }

    #[test]
    fn fcs_is_kept_out_of_the_payload() {
        let mut f = frame(
            [0x88, 0x01],
            &[AP, STA, HOST],
            0,
            &[0x05, 0x00],
            &snap_ipv4_udp(),
        );
        f.extend_from_slice(&[0xfa, 0xa0, 0x1a, 0x24]);
        let p = Ieee80211Fcs::parse(&f, &Ctx::default()).unwrap();
        assert_eq!(p.header.fcs, Some(0x241a_a0fa));
        assert_eq!((p.header_len, p.payload_len), (26, 36));
        assert_eq!(p.header.qos.map(|q| q.tid), Some(5));
    }

    #[test]
    fn test_impossible_len() {
        let ctx = Ctx {
            offset: 8,
            ..Ctx::default()
        };
        let f = frame([0x88, 0x01], &[AP, STA, HOST], 0, &[0x05, 0x00], &[]);
        assert_eq!(
            Ieee80211::parse(&f[..1], &ctx).unwrap_err(),
            DissectError::truncated("802.11", 8, 2, 1)
        );
        assert_eq!(
            Ieee80211::parse(&f[..25], &ctx).unwrap_err(),
            DissectError::truncated("802.11", 8, 26, 25)
        );
        assert_eq!(
            Ieee80211Fcs::parse(&f, &ctx).unwrap_err(),
            DissectError::truncated("802.11", 8, 30, 26)
        );
        assert_eq!(
            Ieee80211::parse(&[0xd4, 0, 0, 0, 1], &ctx).unwrap_err(),
            DissectError::truncated("802.11", 8, 10, 5)
        );
        assert_eq!(
            Ieee80211::parse(&[0x09, 0x01, 0, 0], &ctx).unwrap_err(),
            DissectError::bad_value("802.11", 8, "version", 1, "0")
        );
        for n in 0..f.len() {
            let _ = Ieee80211::parse(&f[..n], &ctx);
            let _ = Ieee80211Fcs::parse(&f[..n], &ctx);
        }
        let p = dissect(LinkType::IEEE802_11, &f[..20], &DissectOptions::default());
        assert_eq!(p.protocols().to_string(), "Raw");
        assert!(p.error().is_some());
    }

    #[test]
    fn test_serialize() {
        let f = frame([0x88, 0x09], &[AP, STA, HOST], 0, &[0x25, 0x00], &[]);
        let p = Ieee80211::parse(&f, &Ctx::default()).unwrap();
        assert_eq!(
            serde_json::to_value(p.header).unwrap(),
            serde_json::json!({
                "frame_control": {
                    "version": 0,
                    "type": "FrameType::Data [2]",
                    "subtype": 8,
                    "type_subtype": "TypeSubtype::QoS_Data [40]",
                    "to_ds": true,
                    "from_ds": false,
                    "more_frag": false,
                    "retry": true,
                    "pwr_mgt": false,
                    "more_data": false,
                    "protected": false,
                    "order": false,
                },
                "duration": 44,
                "addr1": "02:00:00:00:00:aa",
                "addr2": "02:00:00:00:00:11",
                "addr3": "02:00:00:00:00:22",
                "seq": 100,
                "frag": 0,
                "qos": {"tid": 5, "eosp": false, "ack_policy": 1, "amsdu": false, "txop": 0},
            })
        );
        assert_eq!(TypeSubtype(0x07).to_string(), "TypeSubtype::Unknown [7]");
    }

    #[test]
    fn stop_condition_names() {
        let f = frame([0x08, 0x01], &[AP, STA, HOST], 0, &[], &snap_ipv4_udp());
        let mut opts = DissectOptions::default();
        opts.stop.protocol = Some("wlan".into());
        let p = dissect(LinkType::IEEE802_11, &f, &opts);
        assert_eq!(p.protocols().to_string(), "802.11:Raw");
        assert!(p.get::<Ieee80211>().is_some());
    }
}
