//! The `frames` example: `frames FILE` and `cat FILE | frames -` print the same lines
//! and terminate; a damaged capture prints the good frames, then the error, exit 1.
//!
//! `cargo test -p pcapkit-core` builds the example next to the test binaries
//! (`target/<profile>/examples/frames`); run just this test after
//! `cargo build -p pcapkit-core --example frames`.

use std::io::Write;
use std::path::{Path, PathBuf};
use std::process::{Child, Command, Output, Stdio};
use std::time::{Duration, Instant};

fn frames_bin() -> PathBuf {
    let exe = std::env::current_exe().unwrap();
    let profile_dir = exe.parent().and_then(Path::parent).unwrap();
    let bin = profile_dir
        .join("examples")
        .join(format!("frames{}", std::env::consts::EXE_SUFFIX));
    assert!(
        bin.is_file(),
        "{} missing: run `cargo test -p pcapkit-core` (builds examples) or \
         `cargo build -p pcapkit-core --example frames` first",
        bin.display()
    );
    bin
}

/// Waits at most 60 s: a reader that spins at EOF fails here instead of hanging.
fn wait(mut child: Child) -> Output {
    let start = Instant::now();
    loop {
        if child.try_wait().unwrap().is_some() {
            return child.wait_with_output().unwrap();
        }
        if start.elapsed() > Duration::from_secs(60) {
            child.kill().unwrap();
            panic!("frames did not terminate within 60 s");
        }
        std::thread::sleep(Duration::from_millis(20));
    }
}

fn run_path(path: &Path) -> Output {
    let child = Command::new(frames_bin())
        .arg(path)
        .stdout(Stdio::piped())
        .stderr(Stdio::piped())
        .spawn()
        .unwrap();
    wait(child)
}

/// `cat FILE | frames -`, fed through a pipe in small writes from another thread.
fn run_stdin(bytes: Vec<u8>) -> Output {
    let mut child = Command::new(frames_bin())
        .arg("-")
        .stdin(Stdio::piped())
        .stdout(Stdio::piped())
        .stderr(Stdio::piped())
        .spawn()
        .unwrap();
    let mut stdin = child.stdin.take().unwrap();
    let feeder = std::thread::spawn(move || {
        for chunk in bytes.chunks(333) {
            if stdin.write_all(chunk).is_err() {
                break;
            }
        }
        // dropping stdin closes the pipe: EOF
    });
    let out = wait(child);
    feeder.join().unwrap();
    out
}

#[test]
fn stdin_gives_the_same_lines_and_ends() {
    let shared = pcapkit_testdata::shared_captures_dir();
    for name in [
        "pypcapkit__in.pcap",
        "tcpdump__pptp.pcap",
        "zeek__pcapng-multi-interface.pcapng",
        "pcapplusplus__650HttpResponses.pcap",
    ] {
        let path = shared.join(name);
        let a = run_path(&path);
        assert!(
            a.status.success(),
            "{name}: {}",
            String::from_utf8_lossy(&a.stderr)
        );
        let b = run_stdin(std::fs::read(&path).unwrap());
        assert!(
            b.status.success(),
            "{name} via stdin: {}",
            String::from_utf8_lossy(&b.stderr)
        );
        assert_eq!(a.stdout, b.stdout, "{name}");
        let oracle = pcapkit_testdata::oracle_frames(&path).unwrap();
        assert_eq!(
            String::from_utf8(a.stdout).unwrap().lines().count(),
            oracle.len()
        );
    }
}

#[test]
fn first_line_format() {
    let out = run_path(&pcapkit_testdata::shared_captures_dir().join("pypcapkit__in.pcap"));
    let text = String::from_utf8(out.stdout).unwrap();
    assert_eq!(
        text.lines().next().unwrap(),
        "1\t1511106545.471719000\t86\t86\tETHERNET\t0"
    );
}

#[test]
fn damaged_capture_prints_good_frames_then_the_error() {
    let mut bytes =
        std::fs::read(pcapkit_testdata::shared_captures_dir().join("pypcapkit__in.pcap")).unwrap();
    bytes.truncate(bytes.len() - 5);
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("cut.pcap");
    std::fs::write(&path, &bytes).unwrap();
    for out in [run_path(&path), run_stdin(bytes)] {
        assert_eq!(out.status.code(), Some(1));
        assert_eq!(String::from_utf8_lossy(&out.stdout).lines().count(), 5);
        let err = String::from_utf8_lossy(&out.stderr);
        assert!(
            err.contains("PCAP record 6 at byte offset") && err.contains("truncated packet data"),
            "{err}"
        );
    }
}

#[test]
fn empty_stdin_is_an_error_not_a_hang() {
    let out = run_stdin(Vec::new());
    assert_eq!(out.status.code(), Some(1));
    assert!(String::from_utf8_lossy(&out.stderr).contains("truncated file magic"));
}
