//! `testdata/captures/wlan.pcapng` against tshark's 802.11 and radiotap fields, which
//! the shared oracle does not list (the conformance test compares LLC, ARP, IP, TCP and
//! UDP beneath them). The expected rows are tshark 4.0's output for
//! `-T fields -E separator=, -E quote=d -e wlan.fc.type_subtype -e wlan.ra -e wlan.ta
//! -e wlan.da -e wlan.sa -e wlan.bssid -e wlan.seq -e wlan.qos.tid -e wlan.fcs
//! -e radiotap.length -e radiotap.flags.fcs`, with our chain.

use pcapkit_protocols::link::{Ieee80211, Ieee80211Fcs, Radiotap};
use pcapkit_protocols::{DissectOptions, dissect};

const EXPECTED: [(&str, &str); 13] = [
    (
        "802.11:LLC:SNAP:IPv4:UDP:Raw",
        r#""0x0028","02:00:00:00:00:aa","02:00:00:00:00:11","02:00:00:00:00:22","02:00:00:00:00:11","02:00:00:00:00:aa","1","5",,,"#,
    ),
    (
        "802.11:LLC:SNAP:IPv4:TCP",
        r#""0x0020","02:00:00:00:00:11","02:00:00:00:00:aa","02:00:00:00:00:11","02:00:00:00:00:22","02:00:00:00:00:aa","2",,,,"#,
    ),
    (
        "802.11:LLC:SNAP:IPv6:UDP:Raw",
        r#""0x0020","02:00:00:00:00:aa","02:00:00:00:00:11","02:00:00:00:00:22","02:00:00:00:00:11","02:00:00:00:00:aa","3",,,,"#,
    ),
    (
        "802.11:LLC:SNAP:ARP",
        r#""0x0020","02:00:00:00:00:aa","02:00:00:00:00:11","ff:ff:ff:ff:ff:ff","02:00:00:00:00:11","02:00:00:00:00:aa","4",,,,"#,
    ),
    (
        "802.11:Raw",
        r#""0x0008","ff:ff:ff:ff:ff:ff","02:00:00:00:00:aa","ff:ff:ff:ff:ff:ff","02:00:00:00:00:aa","02:00:00:00:00:aa","5",,,,"#,
    ),
    (
        "802.11:Raw",
        r#""0x0028","02:00:00:00:00:aa","02:00:00:00:00:11","02:00:00:00:00:22","02:00:00:00:00:11","02:00:00:00:00:aa","6","0",,,"#,
    ),
    (
        "802.11",
        r#""0x0024","02:00:00:00:00:aa","02:00:00:00:00:11","02:00:00:00:00:aa","02:00:00:00:00:11","02:00:00:00:00:aa","7",,,,"#,
    ),
    (
        "802.11",
        r#""0x002c","02:00:00:00:00:aa","02:00:00:00:00:11","02:00:00:00:00:aa","02:00:00:00:00:11","02:00:00:00:00:aa","8","6",,,"#,
    ),
    ("802.11", r#""0x001d","02:00:00:00:00:11",,,,,,,,,"#),
    (
        "Radiotap:802.11:LLC:SNAP:IPv4:UDP:Raw",
        r#""0x0028","02:00:00:00:00:aa","02:00:00:00:00:11","02:00:00:00:00:22","02:00:00:00:00:11","02:00:00:00:00:aa","9","0","0x6194499a","15","1""#,
    ),
    (
        "Radiotap:802.11:LLC:SNAP:IPv4:TCP",
        r#""0x0020","02:00:00:00:00:aa","02:00:00:00:00:11","02:00:00:00:00:22","02:00:00:00:00:11","02:00:00:00:00:aa","10",,,"15","0""#,
    ),
    (
        "Radiotap:802.11:Raw",
        r#""0x0008","ff:ff:ff:ff:ff:ff","02:00:00:00:00:aa","ff:ff:ff:ff:ff:ff","02:00:00:00:00:aa","02:00:00:00:00:aa","11",,"0x90182771","32","1""#,
    ),
    (
        "Radiotap:802.11:LLC:SNAP:IPv4:UDP:Raw",
        r#""0x0028","02:00:00:00:00:aa","02:00:00:00:00:11","02:00:00:00:00:22","02:00:00:00:00:11","02:00:00:00:00:aa","9","0",,"32","0""#,
    ),
];

/// Our values as tshark prints them, in the columns of [`EXPECTED`].
fn row(wlan: &Ieee80211, radiotap: Option<&Radiotap>) -> String {
    let q = |s: Option<String>| s.map(|s| format!("\"{s}\"")).unwrap_or_default();
    [
        Some(format!("0x{:04x}", wlan.frame_control.type_subtype.0)),
        Some(wlan.addr1.to_string()),
        wlan.addr2.map(|a| a.to_string()),
        wlan.da().map(|a| a.to_string()),
        wlan.sa().map(|a| a.to_string()),
        wlan.bssid().map(|a| a.to_string()),
        wlan.seq.map(|s| s.to_string()),
        wlan.qos.map(|q| q.tid.to_string()),
        wlan.fcs.map(|f| format!("0x{f:08x}")),
        radiotap.map(|r| r.length.to_string()),
        radiotap
            .and_then(|r| r.flags)
            .map(|f| u8::from(f.fcs).to_string()),
    ]
    .into_iter()
    .map(q)
    .collect::<Vec<_>>()
    .join(",")
}

#[test]
fn wlan_capture_agrees_with_tshark() {
    let path = pcapkit_testdata::committed_captures_dir().join("wlan.pcapng");
    let mut reader = pcapkit_core::Reader::open(&path).expect("wlan.pcapng");
    let mut n = 0;
    while let Some(frame) = reader.next_frame().expect("readable") {
        let (chain, tshark) = EXPECTED[n];
        let p = dissect(frame.link_type, frame.data, &DissectOptions::default());
        assert_eq!(p.protocols().to_string(), chain, "frame {}", frame.number);
        let wlan = p
            .get::<Ieee80211>()
            .or_else(|| p.get::<Ieee80211Fcs>().map(|w| &w.0))
            .expect("an 802.11 layer");
        assert_eq!(
            row(wlan, p.get::<Radiotap>()),
            tshark,
            "frame {}",
            frame.number
        );
        n += 1;
    }
    assert_eq!(n, EXPECTED.len());
}
