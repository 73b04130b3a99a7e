//! What our writers produce, tshark reads back identically: times to the nanosecond,
//! lengths, interface ids and the bytes. Needs `tshark` on PATH (CI installs it); the
//! test fails, never skips, without it.

use std::path::{Path, PathBuf};
use std::process::Command;

use pcapkit_core::{
    Endian, LinkType, OwnedFrame, PcapWriter, PcapWriterOptions, PcapngWriter, PcapngWriterOptions,
    Precision, Reader, Timestamp,
};

fn tshark() -> PathBuf {
    let found = std::env::var_os("PATH").and_then(|paths| {
        std::env::split_paths(&paths)
            .map(|d| d.join("tshark"))
            .find(|p| p.is_file())
    });
    found.unwrap_or_else(|| {
        panic!(
            "tshark is not installed: this test reads the writers' output back with it. \
             Install it (`apt-get install -y tshark`; CI does) and run the tests again."
        )
    })
}

/// (time_epoch, len, cap_len, interface_id, raw hex) of one frame.
type TsharkFrame = (Option<String>, u64, u64, Option<u64>, String);

/// The frames as tshark reads `path`.
fn tshark_frames(path: &Path) -> Vec<TsharkFrame> {
    let out = Command::new(tshark())
        .args(["-n", "-T", "json", "-x", "-r"])
        .arg(path)
        .output()
        .expect("run tshark");
    assert!(
        out.status.success(),
        "tshark failed on {}: {}",
        path.display(),
        String::from_utf8_lossy(&out.stderr)
    );
    let v: serde_json::Value = serde_json::from_slice(&out.stdout).expect("tshark JSON");
    v.as_array()
        .expect("array of packets")
        .iter()
        .map(|p| {
            let layers = &p["_source"]["layers"];
            let frame = &layers["frame"];
            let s = |k: &str| frame[k].as_str().map(str::to_owned);
            let n = |k: &str| s(k).and_then(|t| t.parse::<u64>().ok());
            let raw = layers["frame_raw"][0]
                .as_str()
                .unwrap_or_default()
                .to_owned();
            (
                s("frame.time_epoch"),
                n("frame.len").expect("len"),
                n("frame.cap_len").expect("cap_len"),
                n("frame.interface_id"),
                raw,
            )
        })
        .collect()
}

fn hex(b: &[u8]) -> String {
    b.iter().map(|x| format!("{x:02x}")).collect()
}

/// Deterministic frames: varied lengths, nanosecond times, truncated captures.
fn frames(links: &[LinkType]) -> Vec<OwnedFrame> {
    let mut seed = 0x2545_f491_4f6c_dd1du64;
    let mut next = move || {
        seed ^= seed << 13;
        seed ^= seed >> 7;
        seed ^= seed << 17;
        seed
    };
    (0..24u32)
        .map(|i| {
            let len = 14 + (next() % 300) as usize;
            let data: Vec<u8> = (0..len).map(|_| next() as u8).collect();
            let link = links[i as usize % links.len()];
            OwnedFrame {
                number: u64::from(i) + 1,
                timestamp: Timestamp::new(
                    1_600_000_000 + i64::from(i) * 7_919,
                    (next() % 1_000_000_000) as u32,
                ),
                precision: Precision::Nano,
                caplen: len as u32,
                origlen: len as u32 + (i % 3) * 100,
                link_type: link,
                snaplen: if i % 4 < 2 { 65_535 } else { 262_144 },
                interface: 0,
                offset: 0,
                data,
            }
        })
        .collect()
}

fn check(path: &Path, written: &[OwnedFrame], nanosecond: bool, ids: Option<&[u32]>) {
    let theirs = tshark_frames(path);
    assert_eq!(theirs.len(), written.len(), "{}", path.display());
    let mut ours = Reader::open(path).unwrap().frames();
    for (i, (f, t)) in written.iter().zip(&theirs).enumerate() {
        let ts = if nanosecond {
            f.timestamp
        } else {
            Timestamp::new(f.timestamp.secs, f.timestamp.nanos / 1000 * 1000)
        };
        let want = (
            Some(format!("{ts:#}")),
            u64::from(f.origlen),
            u64::from(f.caplen),
            ids.map(|ids| u64::from(ids[i])),
            hex(&f.data),
        );
        assert_eq!(*t, want, "{} frame {}: tshark", path.display(), i + 1);
        let o = ours.next().unwrap().unwrap();
        assert_eq!(
            (
                format!("{:#}", o.timestamp),
                o.origlen,
                o.caplen,
                o.data.as_slice()
            ),
            (format!("{ts:#}"), f.origlen, f.caplen, f.data.as_slice()),
            "{} frame {}: our reader",
            path.display(),
            i + 1
        );
        if let Some(ids) = ids {
            assert_eq!(o.interface, ids[i]);
            assert_eq!(o.link_type, f.link_type);
        }
    }
    assert!(ours.next().is_none());
}

#[test]
fn pcap_writer_output_reads_back_in_tshark() {
    let dir = tempfile::tempdir().unwrap();
    for (endian, ns, link) in [
        (Endian::Little, false, LinkType::ETHERNET),
        (Endian::Big, true, LinkType::RAW),
        (Endian::Big, false, LinkType::LINUX_SLL),
        (Endian::Little, true, LinkType::ETHERNET),
    ] {
        let frames = frames(&[link]);
        let path = dir.path().join(format!("{endian}-{ns}.pcap"));
        let opts = PcapWriterOptions::default()
            .endian(endian)
            .nanosecond(ns)
            .link_type(link);
        let mut w = PcapWriter::new(std::fs::File::create(&path).unwrap(), opts).unwrap();
        for f in &frames {
            w.write_frame(&f.as_raw()).unwrap();
        }
        w.flush().unwrap();
        check(&path, &frames, ns, None);
    }
}

#[test]
fn pcapng_writer_output_reads_back_in_tshark() {
    let dir = tempfile::tempdir().unwrap();
    for endian in [Endian::Little, Endian::Big] {
        let frames = frames(&[LinkType::ETHERNET, LinkType::RAW, LinkType::LINUX_SLL]);
        // one interface per (link type, snaplen), in order of appearance
        let mut keys: Vec<(LinkType, u32)> = Vec::new();
        let ids: Vec<u32> = frames
            .iter()
            .map(|f| {
                let k = (f.link_type, f.snaplen);
                let id = keys.iter().position(|x| *x == k).unwrap_or_else(|| {
                    keys.push(k);
                    keys.len() - 1
                });
                id as u32
            })
            .collect();
        let path = dir.path().join(format!("{endian}.pcapng"));
        let opts = PcapngWriterOptions {
            endian,
            user_appl: Some("pcapkit-rs test".into()),
        };
        let mut w = PcapngWriter::new(std::fs::File::create(&path).unwrap(), opts).unwrap();
        for f in &frames {
            w.write_frame(&f.as_raw()).unwrap();
        }
        w.flush().unwrap();
        check(&path, &frames, true, Some(&ids));
    }
}

#[test]
fn committed_captures_agree_with_tshark() {
    for path in pcapkit_testdata::list_captures(&pcapkit_testdata::committed_captures_dir()) {
        let theirs = tshark_frames(&path);
        let ours: Vec<OwnedFrame> = Reader::open(&path)
            .unwrap()
            .frames()
            .map(Result::unwrap)
            .collect();
        assert_eq!(theirs.len(), ours.len(), "{}", path.display());
        for (t, o) in theirs.iter().zip(&ours) {
            // Simple Packet Blocks have no time: tshark shows none, we show the epoch
            let theirs = t.0.clone().unwrap_or_else(|| "0.000000000".into());
            assert_eq!(theirs, format!("{:#}", o.timestamp), "{}", path.display());
            assert_eq!(
                (t.1, t.2, &t.4),
                (u64::from(o.origlen), u64::from(o.caplen), &hex(&o.data))
            );
        }
    }
}
