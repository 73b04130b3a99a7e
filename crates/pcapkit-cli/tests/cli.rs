//! `pcapkit-cli` end to end, through the built binary.

use std::fs;
use std::io::Write;
use std::path::{Path, PathBuf};
use std::process::{Command, Output, Stdio};

fn bin() -> Command {
    Command::new(env!("CARGO_BIN_EXE_pcapkit-cli"))
}

fn http() -> PathBuf {
    pcapkit_testdata::committed_captures_dir().join("http.pcap")
}

fn frames_of(path: &Path) -> u64 {
    let mut r = pcapkit_core::Reader::open(path).unwrap();
    let mut n = 0;
    while r.next_frame().unwrap().is_some() {
        n += 1;
    }
    n
}

/// Runs the CLI in `dir` with `args`.
fn run(dir: &Path, args: &[&str]) -> Output {
    bin().current_dir(dir).args(args).output().unwrap()
}

fn run_stdin(dir: &Path, args: &[&str], input: &[u8]) -> Output {
    let mut child = bin()
        .current_dir(dir)
        .args(args)
        .stdin(Stdio::piped())
        .stdout(Stdio::piped())
        .stderr(Stdio::piped())
        .spawn()
        .unwrap();
    child.stdin.take().unwrap().write_all(input).unwrap();
    child.wait_with_output().unwrap()
}

fn stderr(o: &Output) -> String {
    String::from_utf8_lossy(&o.stderr).into_owned()
}

fn json_frames(doc: &serde_json::Value) -> Vec<u64> {
    let mut n: Vec<u64> = doc
        .as_object()
        .unwrap()
        .keys()
        .filter_map(|k| k.strip_prefix("Frame ")?.parse().ok())
        .collect();
    n.sort_unstable();
    n
}

fn one_to(n: u64) -> Vec<u64> {
    (1..=n).collect()
}

fn cap() -> String {
    http().to_string_lossy().into_owned()
}

#[test]
fn help_has_examples_and_version_prints() {
    let dir = tempfile::tempdir().unwrap();
    let o = run(dir.path(), &["--help"]);
    assert!(o.status.success());
    let text = String::from_utf8_lossy(&o.stdout);
    assert!(text.contains("Examples:"), "{text}");
    assert!(text.contains("--jsonl"), "{text}");
    let o = run(dir.path(), &["-V"]);
    assert!(o.status.success());
    assert!(String::from_utf8_lossy(&o.stdout).contains(env!("CARGO_PKG_VERSION")));
}

#[test]
fn default_is_tree_to_a_file_named_out() {
    let dir = tempfile::tempdir().unwrap();
    let o = run(dir.path(), &[&cap()]);
    assert!(o.status.success(), "{}", stderr(&o));
    // without -a no extension is appended (PyPCAPKit)
    let text = fs::read_to_string(dir.path().join("out")).unwrap();
    assert!(text.starts_with("Global Header\n"));
    assert!(text.contains(&format!("\nFrame {}\n", frames_of(&http()))));
    assert!(o.stdout.is_empty(), "quiet without -v");
}

#[test]
fn format_flags_and_precedence() {
    let dir = tempfile::tempdir().unwrap();
    let n = frames_of(&http());
    for (args, ext, check) in [
        (vec!["-j"], "json", "{\n\t\"Global Header\""),
        (vec!["-p"], "plist", "<?xml version=\"1.0\""),
        (vec!["-t"], "txt", "Global Header\n"),
        (vec!["--jsonl"], "jsonl", "{\"block\":\"Global Header\""),
        (vec!["-f", "json", "-p"], "json", "{\n"),
        (vec!["-j", "-p", "-t"], "json", "{\n"),
        (vec!["-p", "-t"], "plist", "<?xml"),
        (vec!["-f", "pcap"], "pcap", "\u{d4}"),
    ] {
        let mut all = vec![cap(), "-o".into(), "o".into(), "-a".into()];
        all.extend(args.iter().map(|s| s.to_string()));
        let refs: Vec<&str> = all.iter().map(String::as_str).collect();
        let o = run(dir.path(), &refs);
        assert!(o.status.success(), "{args:?}: {}", stderr(&o));
        let path = dir.path().join(format!("o.{ext}"));
        let bytes = fs::read(&path).unwrap_or_else(|e| panic!("{args:?}: {e}"));
        if ext == "pcap" {
            assert_eq!(bytes[..4], fs::read(http()).unwrap()[..4]);
            assert_eq!(frames_of(&path), n);
        } else {
            assert!(
                String::from_utf8_lossy(&bytes).starts_with(check),
                "{args:?}"
            );
        }
        fs::remove_file(&path).unwrap();
    }
}

#[test]
fn json_to_stdout() {
    let dir = tempfile::tempdir().unwrap();
    let o = run(dir.path(), &[&cap(), "-f", "json", "-o", "-"]);
    assert!(o.status.success(), "{}", stderr(&o));
    let doc: serde_json::Value = serde_json::from_slice(&o.stdout).unwrap();
    assert_eq!(json_frames(&doc), one_to(frames_of(&http())));
    assert_eq!(
        fs::read_dir(dir.path()).unwrap().count(),
        0,
        "no file written"
    );
}

#[test]
fn stdin_is_read_to_its_end() {
    let dir = tempfile::tempdir().unwrap();
    let input = fs::read(http()).unwrap();
    let o = run_stdin(dir.path(), &["-", "--jsonl", "-o", "-"], &input);
    assert!(o.status.success(), "{}", stderr(&o));
    let text = String::from_utf8(o.stdout).unwrap();
    let frames = text
        .lines()
        .filter(|l| l.starts_with("{\"block\":\"Frame "))
        .count();
    assert_eq!(frames as u64, frames_of(&http()));
}

#[test]
fn buffer_save_copies_stdin() {
    let dir = tempfile::tempdir().unwrap();
    let input = fs::read(http()).unwrap();
    let o = run_stdin(
        dir.path(),
        &["-", "-j", "-o", "o", "-B", "-O", "saved.pcap"],
        &input,
    );
    assert!(o.status.success(), "{}", stderr(&o));
    assert_eq!(fs::read(dir.path().join("saved.pcap")).unwrap(), input);
    assert!(dir.path().join("o").is_file());
}

#[test]
fn verbose_lists_frames() {
    let dir = tempfile::tempdir().unwrap();
    let o = run(dir.path(), &[&cap(), "-v", "-j", "-o", "o", "-a"]);
    assert!(o.status.success(), "{}", stderr(&o));
    let text = String::from_utf8(o.stdout).unwrap();
    let lines: Vec<&str> = text.lines().collect();
    assert_eq!(
        lines.first().copied(),
        Some(format!("[*] Loading file '{}'", cap()).as_str())
    );
    assert_eq!(lines.get(1).copied(), Some("Frame   1: Ethernet:IPv4:TCP"));
    assert_eq!(lines.len() as u64, frames_of(&http()) + 2);
    assert_eq!(
        lines.last().copied(),
        Some("[*] Report file stored in 'o.json'")
    );
    // with -o - the messages go to stderr, the document alone to stdout
    let o = run(dir.path(), &[&cap(), "-v", "-j", "-o", "-"]);
    assert!(o.status.success());
    let _: serde_json::Value = serde_json::from_slice(&o.stdout).unwrap();
    assert!(stderr(&o).contains("Frame   1: "));
}

#[test]
fn quiet_conflicts_with_verbose() {
    let dir = tempfile::tempdir().unwrap();
    let o = run(dir.path(), &[&cap(), "-q", "-v"]);
    assert_eq!(o.status.code(), Some(2));
    let o = run(dir.path(), &[&cap(), "-q", "-o", "q"]);
    assert!(o.status.success());
    assert!(o.stdout.is_empty() && o.stderr.is_empty());
}

#[test]
fn files_layer_protocol_packet_engine_nofile() {
    let dir = tempfile::tempdir().unwrap();
    let n = frames_of(&http());
    let o = run(dir.path(), &[&cap(), "-j", "-F", "-o", "frames"]);
    assert!(o.status.success(), "{}", stderr(&o));
    let count = fs::read_dir(dir.path().join("frames")).unwrap().count() as u64;
    assert_eq!(count, n + 1);
    assert!(dir.path().join("frames").join("Frame 1.json").is_file());

    for args in [["-L", "link"], ["-L", "LINK"], ["-P", "ethernet"]] {
        let o = run(
            dir.path(),
            &[&cap(), "--jsonl", "-o", "-", args[0], args[1]],
        );
        assert!(o.status.success(), "{}", stderr(&o));
        for line in String::from_utf8(o.stdout).unwrap().lines().skip(1) {
            let v: serde_json::Value = serde_json::from_str(line).unwrap();
            assert_eq!(v["protocols"], "Ethernet:Raw", "{args:?}");
        }
    }

    let o = run(dir.path(), &[&cap(), "-j", "-o", "-", "--packet", "none"]);
    assert!(o.status.success());
    let doc: serde_json::Value = serde_json::from_slice(&o.stdout).unwrap();
    assert!(!doc["Frame 1"].to_string().contains("\"packet\""));
    let o = run(dir.path(), &[&cap(), "-j", "-o", "-", "--packet", "frame"]);
    let doc: serde_json::Value = serde_json::from_slice(&o.stdout).unwrap();
    assert!(doc["Frame 1"].get("packet").is_some());
    assert!(doc["Frame 1"]["ethernet"].get("packet").is_none());
    let o = run(dir.path(), &[&cap(), "--packet", "some"]);
    assert_eq!(o.status.code(), Some(2));

    let o = run(dir.path(), &[&cap(), "-E", "pcapkit", "-j", "-o", "-"]);
    assert!(o.status.success());
    let o = run(dir.path(), &[&cap(), "--nofile", "-o", "nothing"]);
    assert!(o.status.success());
    assert!(!dir.path().join("nothing").exists());
}

#[test]
fn engines_and_threads_write_what_default_writes() {
    let dir = tempfile::tempdir().unwrap();
    let default = run(dir.path(), &[&cap(), "-j", "-o", "-"]);
    assert!(default.status.success(), "{}", stderr(&default));
    assert!(default.stdout.len() > 1000);
    for args in [
        &["-E", "pipeline"][..],
        &["-E", "pipeline", "--threads", "1"],
        &["--engine", "server", "--threads", "3"],
        &["-E", "SERVER"],
        &["-E", "default", "--threads", "2"],
    ] {
        let mut all = vec![cap(), "-j".into(), "-o".into(), "-".into()];
        all.extend(args.iter().map(|s| s.to_string()));
        let refs: Vec<&str> = all.iter().map(String::as_str).collect();
        let o = run(dir.path(), &refs);
        assert!(o.status.success(), "{args:?}: {}", stderr(&o));
        assert!(
            o.stdout == default.stdout,
            "{args:?}: output differs from default"
        );
    }
    // -v prints the same lines in the same order
    let v1 = run(dir.path(), &[&cap(), "-v", "-o", "a"]);
    let v2 = run(
        dir.path(),
        &[&cap(), "-v", "-o", "b", "-E", "pipeline", "--threads", "2"],
    );
    assert!(v1.status.success() && v2.status.success());
    let lines = |o: &Output| {
        String::from_utf8_lossy(&o.stdout)
            .lines()
            .filter(|l| l.starts_with("Frame"))
            .map(str::to_owned)
            .collect::<Vec<_>>()
    };
    assert_eq!(lines(&v1).len() as u64, frames_of(&http()));
    assert_eq!(lines(&v1), lines(&v2));
}

fn assert_error(o: &Output, code: i32, needles: &[&str]) {
    assert_eq!(o.status.code(), Some(code), "{}", stderr(o));
    let err = stderr(o);
    assert_eq!(err.lines().count(), 1, "one line: {err}");
    assert!(err.starts_with("pcapkit-cli: error: "), "{err}");
    for n in needles {
        assert!(err.contains(n), "{n:?} not in {err}");
    }
}

#[test]
fn errors_are_one_line_with_status_1() {
    let dir = tempfile::tempdir().unwrap();
    assert_error(
        &run(dir.path(), &["missing.pcap"]),
        1,
        &["no such file: missing.pcap"],
    );
    fs::write(dir.path().join("text.pcap"), b"GET / HTTP/1.1\r\n").unwrap();
    assert_error(
        &run(dir.path(), &["text.pcap"]),
        1,
        &["not a PCAP or PCAPNG file", "47 45 54 20"],
    );
    assert_error(
        &run(dir.path(), &[&cap(), "-f", "yaml"]),
        1,
        &[
            "unknown output format \"yaml\"",
            "json, jsonl, plist, tree, pcap",
        ],
    );
    assert_error(
        &run(dir.path(), &[&cap(), "-E", "tcpdump"]),
        1,
        &["unknown engine \"tcpdump\"", "default"],
    );
    assert_error(
        &run(dir.path(), &[&cap(), "-E", "pipeline", "--threads", "0"]),
        1,
        &["threads must be at least 1"],
    );
    assert_error(
        &run(dir.path(), &[&cap(), "-L", "session"]),
        1,
        &["unknown layer \"session\"", "Link, Internet"],
    );
    fs::write(dir.path().join("file"), b"").unwrap();
    assert_error(
        &run(dir.path(), &[&cap(), "-o", "file/out"]),
        1,
        &["cannot write file", "choose another output"],
    );
}

#[test]
fn usage_errors_exit_2() {
    let dir = tempfile::tempdir().unwrap();
    let o = run(dir.path(), &[]);
    assert_eq!(o.status.code(), Some(2));
    let o = run(dir.path(), &[&cap(), "--bogus"]);
    assert_eq!(o.status.code(), Some(2));
}

#[test]
fn truncated_input_keeps_the_output_valid() {
    let dir = tempfile::tempdir().unwrap();
    let bytes = fs::read(http()).unwrap();
    fs::write(dir.path().join("cut.pcap"), &bytes[..bytes.len() - 7]).unwrap();
    let o = run(dir.path(), &["cut.pcap", "-j", "-o", "o.json"]);
    assert_error(&o, 1, &["cut.pcap", "truncated", "o.json holds the"]);
    let doc: serde_json::Value =
        serde_json::from_slice(&fs::read(dir.path().join("o.json")).unwrap()).unwrap();
    assert_eq!(json_frames(&doc), one_to(frames_of(&http()) - 1));
}

/// Runs the CLI as an unprivileged user when the tests run as root (root ignores
/// file permissions), through util-linux's `setpriv`.
fn run_unprivileged(dir: &Path, args: &[&str]) -> Output {
    let root = Command::new("id")
        .arg("-u")
        .output()
        .map(|o| String::from_utf8_lossy(&o.stdout).trim() == "0")
        .unwrap_or(false);
    if !root {
        return run(dir, args);
    }
    Command::new("setpriv")
        .args(["--reuid=65534", "--regid=65534", "--clear-groups", "--"])
        .arg(env!("CARGO_BIN_EXE_pcapkit-cli"))
        .args(args)
        .current_dir(dir)
        .output()
        .expect("setpriv (util-linux) runs the CLI as nobody when the tests run as root")
}

#[test]
fn unwritable_outputs_disk_full() {
    let dir = tempfile::tempdir().unwrap();
    // A file on a full disk: every format, including per-block files.
    for format in ["json", "jsonl", "plist", "tree", "pcap"] {
        let o = run(dir.path(), &[&cap(), "-f", format, "-o", "/dev/full"]);
        assert_error(
            &o,
            1,
            &[
                "/dev/full",
                "No space left on device",
                "choose another output",
            ],
        );
    }
    // Standard output on a full disk.
    for format in ["json", "tree"] {
        let full = fs::OpenOptions::new()
            .write(true)
            .open("/dev/full")
            .unwrap();
        let o = bin()
            .current_dir(dir.path())
            .args([&cap(), "-f", format, "-o", "-"])
            .stdout(full)
            .output()
            .unwrap();
        assert_error(&o, 1, &["No space left on device"]);
    }
}

#[test]
fn unwritable_outputs_permission_denied() {
    use std::os::unix::fs::PermissionsExt;
    let dir = tempfile::tempdir().unwrap();
    fs::set_permissions(dir.path(), fs::Permissions::from_mode(0o755)).unwrap();
    let input = dir.path().join("in.pcap");
    fs::copy(http(), &input).unwrap();
    fs::set_permissions(&input, fs::Permissions::from_mode(0o644)).unwrap();
    let locked = dir.path().join("locked");
    fs::create_dir(&locked).unwrap();
    fs::set_permissions(&locked, fs::Permissions::from_mode(0o555)).unwrap();
    let inp = input.to_str().unwrap();
    for args in [
        vec![inp, "-j", "-o", "locked/out.json"],
        vec![inp, "-f", "pcap", "-o", "locked/out.pcap"],
        vec![inp, "-j", "-F", "-o", "locked/frames"],
    ] {
        let o = run_unprivileged(dir.path(), &args);
        assert_error(
            &o,
            1,
            &["locked", "Permission denied", "choose another output"],
        );
    }
    assert!(fs::read_dir(&locked).unwrap().next().is_none());
}

#[test]
fn depth_limit_hits_are_a_warning_line() {
    let dir = tempfile::tempdir().unwrap();
    fs::write(
        dir.path().join("deep.pcapng"),
        pcapkit_testdata::hostile::deep_capture(),
    )
    .unwrap();
    let o = run(dir.path(), &["deep.pcapng", "-j", "-o", "o.json"]);
    assert!(o.status.success(), "{}", stderr(&o));
    let err = stderr(&o);
    assert!(
        err.starts_with(
            "pcapkit-cli: warning: 4 frames nest more layers than the dissector's limit of 32"
        ),
        "{err}"
    );
    let doc: serde_json::Value =
        serde_json::from_slice(&fs::read(dir.path().join("o.json")).unwrap()).unwrap();
    assert_eq!(
        json_frames(&doc).len(),
        pcapkit_testdata::hostile::deep_frames().len()
    );
    let o = run(dir.path(), &["deep.pcapng", "-j", "-o", "o.json", "-q"]);
    assert!(
        o.status.success() && stderr(&o).is_empty(),
        "{}",
        stderr(&o)
    );
}

#[test]
fn reassembly_flags_write_jsonl_and_streams() {
    let dir = tempfile::tempdir().unwrap();
    let cap = pcapkit_testdata::shared_captures_dir().join("pcapplusplus__ip4_fragments.pcap");
    let o = run(
        dir.path(),
        &[
            cap.to_str().unwrap(),
            "--ip",
            "--tcp",
            "--nofile",
            "-o",
            "r",
            "--streams",
            "flows",
            "-v",
        ],
    );
    assert!(o.status.success(), "{}", stderr(&o));
    let v4 = fs::read_to_string(dir.path().join("r.ipv4.jsonl")).unwrap();
    let lines: Vec<serde_json::Value> = v4
        .lines()
        .map(|l| serde_json::from_str(l).unwrap())
        .collect();
    assert_eq!(lines.iter().filter(|l| l["completed"] == true).count(), 6);
    assert!(dir.path().join("r.ipv6.jsonl").is_file());
    assert!(dir.path().join("r.tcp.jsonl").is_file());
    assert!(dir.path().join("flows/index.json").is_file());
    assert!(
        stderr(&o).contains("IPv4 reassembly: 6 complete"),
        "{}",
        stderr(&o)
    );
}

#[test]
fn trace_alone_runs_no_tcp_reassembly() {
    // --trace needs TCP flows, not TCP reassembly: without --tcp no reassembler runs
    // (no r.tcp.jsonl), with --tcp it does.
    let cap = shared("pcapplusplus__three_http_streams.pcap");
    for with_tcp in [false, true] {
        let dir = tempfile::tempdir().unwrap();
        let mut args = vec![
            cap.as_str(),
            "--ip",
            "--nofile",
            "-o",
            "r",
            "--trace",
            "flows",
        ];
        if with_tcp {
            args.push("--tcp");
        }
        let o = run(dir.path(), &args);
        assert!(o.status.success(), "{}", stderr(&o));
        assert!(dir.path().join("r.ipv4.jsonl").is_file());
        let index: serde_json::Value =
            serde_json::from_slice(&fs::read(dir.path().join("flows/index.json")).unwrap())
                .unwrap();
        assert_eq!(index.as_array().unwrap().len(), 3);
        let tcp = dir.path().join("r.tcp.jsonl");
        assert_eq!(tcp.is_file(), with_tcp, "{}", stderr(&o));
        if with_tcp {
            assert!(fs::read_to_string(&tcp).unwrap().lines().count() > 0);
        }
    }
}

fn shared(name: &str) -> String {
    pcapkit_testdata::shared_captures_dir()
        .join(name)
        .to_string_lossy()
        .into_owned()
}

#[test]
fn trace_writes_one_file_per_connection_and_the_index() {
    let dir = tempfile::tempdir().unwrap();
    let cap = shared("pcapplusplus__three_http_streams.pcap");
    // --trace works alone (no --tcp) and with --nofile.
    let o = run(
        dir.path(),
        &[
            &cap,
            "--nofile",
            "--trace",
            "flows",
            "--trace-byteorder",
            "big",
            "--trace-nanosecond",
        ],
    );
    assert!(o.status.success(), "{}", stderr(&o));
    let index: serde_json::Value =
        serde_json::from_slice(&fs::read(dir.path().join("flows/index.json")).unwrap()).unwrap();
    let flows = index.as_array().unwrap();
    assert_eq!(flows.len(), 3);
    let csv = fs::read_to_string(dir.path().join("flows/index.csv")).unwrap();
    assert_eq!(csv.lines().count(), 4);
    for f in flows {
        let path = dir.path().join(f["fpout"].as_str().unwrap());
        let bytes = fs::read(&path).unwrap();
        // Big endian, nanosecond magic.
        assert_eq!(bytes[..4], [0xa1, 0xb2, 0x3c, 0x4d]);
        assert_eq!(
            frames_of(&path),
            f["index"].as_array().unwrap().len() as u64
        );
        let label = f["label"].as_str().unwrap();
        assert!(path.ends_with(format!("{label}.pcap")), "{label}");
    }
    assert!(!dir.path().join("out.txt").exists());

    // JSON flow files next to the main output.
    let o = run(
        dir.path(),
        &[
            &cap,
            "-j",
            "-o",
            "main",
            "-a",
            "--trace",
            "fj",
            "--trace-format",
            "json",
        ],
    );
    assert!(o.status.success(), "{}", stderr(&o));
    assert!(dir.path().join("main.json").is_file());
    let index: serde_json::Value =
        serde_json::from_slice(&fs::read(dir.path().join("fj/index.json")).unwrap()).unwrap();
    for f in index.as_array().unwrap() {
        let doc: serde_json::Value = serde_json::from_slice(
            &fs::read(dir.path().join(f["fpout"].as_str().unwrap())).unwrap(),
        )
        .unwrap();
        let want: Vec<u64> = f["index"]
            .as_array()
            .unwrap()
            .iter()
            .map(|n| n.as_u64().unwrap())
            .collect();
        assert_eq!(json_frames(&doc), want);
    }

    // Errors: one line, status 1.
    assert_error(
        &run(
            dir.path(),
            &[&cap, "--nofile", "--trace", "x", "--trace-format", "yaml"],
        ),
        1,
        &["unknown trace format \"yaml\"", "pcapng"],
    );
    fs::write(dir.path().join("afile"), b"").unwrap();
    assert_error(
        &run(dir.path(), &[&cap, "--nofile", "--trace", "afile"]),
        1,
        &["afile", "not a directory"],
    );
    let o = run(
        dir.path(),
        &[&cap, "--nofile", "--trace", "t", "--trace-timeout", "-1"],
    );
    assert_eq!(o.status.code(), Some(2), "{}", stderr(&o));
}
