//! Resource limits and the safety of the default file access.

use std::fs::OpenOptions;
use std::io::Write;

use pcapkit_core::Endian;
use pcapkit_core::{
    Access, DEFAULT_MAX_FRAME_SIZE, DEFAULT_MAX_INTERFACE_BYTES, DEFAULT_MAX_INTERFACES, ErrorKind,
    Reader, ReaderOptions,
};
use pcapkit_testdata::hostile;

#[test]
fn documented_defaults() {
    let o = ReaderOptions::default();
    assert_eq!(o.max_frame_size, 128 << 20);
    assert_eq!(o.max_frame_size, DEFAULT_MAX_FRAME_SIZE);
    assert_eq!(o.max_interfaces, 4096);
    assert_eq!(o.max_interfaces, DEFAULT_MAX_INTERFACES);
    assert_eq!(o.max_interface_bytes, 16 << 20);
    assert_eq!(o.max_interface_bytes, DEFAULT_MAX_INTERFACE_BYTES);
    // The default never memory-maps: a file truncated while it is read cannot raise
    // SIGBUS (see `default_access_survives_a_file_truncated_while_read`).
    assert_eq!(o.access, Access::Auto);
}

/// A file cut short by another process while we read it: the default access reads
/// through a buffer, so the reader sees the end of the file and reports a truncated
/// record; a memory map would fault (SIGBUS) on the vanished pages.
#[test]
fn default_access_survives_a_file_truncated_while_read() {
    let (bytes, records) = hostile::pcap_file(Endian::Little, 200);
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("live.pcap");
    std::fs::write(&path, &bytes).unwrap();
    // A small buffer so that most of the file is still unread when it shrinks.
    let mut r = Reader::open_with(&path, ReaderOptions::default().buffer_size(4096)).unwrap();
    assert!(r.next_frame().unwrap().is_some());
    let cut = records[150].0 + 20; // inside the data of frame 151
    OpenOptions::new()
        .write(true)
        .open(&path)
        .unwrap()
        .set_len(cut)
        .unwrap();
    let mut frames = 1;
    let err = loop {
        match r.next_frame() {
            Ok(Some(_)) => frames += 1,
            Ok(None) => panic!("expected a truncation error"),
            Err(e) => break e,
        }
    };
    assert!(err.is_truncated(), "{err}");
    assert_eq!(frames, 150);
    assert_eq!(err.offset, records[150].0 + 16);
    // The file grows again (appended to): a new reader sees the new bytes.
    let mut f = OpenOptions::new().append(true).open(&path).unwrap();
    f.write_all(&bytes[cut as usize..]).unwrap();
    let mut r = Reader::open(&path).unwrap();
    let mut n = 0;
    while r.next_frame().unwrap().is_some() {
        n += 1;
    }
    assert_eq!(n, 200);
}

#[test]
fn frame_size_limit_is_an_option() {
    let (bytes, _) = hostile::pcap_file(Endian::Big, 3);
    let frame_len = hostile::frame(0).len();
    let mut r = Reader::from_bytes(
        bytes.clone(),
        ReaderOptions::default().max_frame_size(frame_len - 1),
    )
    .unwrap();
    let e = r.next_frame().unwrap_err();
    assert_eq!(
        e.kind,
        ErrorKind::FrameTooLarge {
            caplen: frame_len as u64,
            max: frame_len as u64 - 1
        }
    );
    assert_eq!(e.offset, 24);
    let mut r =
        Reader::from_bytes(bytes, ReaderOptions::default().max_frame_size(frame_len)).unwrap();
    assert!(r.next_frame().unwrap().is_some());
}
