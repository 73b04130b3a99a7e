//! `cargo xtask bench`: end-to-end timing on a generated capture, in one run, next to
//! the I/O floor (`cat FILE > /dev/null`) and the tools users would otherwise use.
//!
//! Every command runs as a child process; wall time comes from the clock, CPU time
//! (user + system) and peak RSS from `wait4`'s rusage. The machine is usually shared,
//! so each figure is also given as a ratio to `cat` and to the peers measured in the
//! same run, and per CPU-second (less sensitive to other load than wall time).

use std::ffi::OsString;
use std::fmt::Write as _;
use std::path::{Path, PathBuf};
use std::process::{Command, ExitCode, Stdio};
use std::time::Instant;

use pcapkit_testdata::traffic::{Summary, TrafficOptions};

use crate::gen_traffic;

pub const USAGE: &str =
    "  bench [--frames N] [--small-frames N] [--repeat R] [--out FILE] [--no-build]
        [--no-install] [--keep] [--note TEXT]
      Build pcapkit-cli (release), generate a capture of N frames (default 1M) and a
      small one of --small-frames (default 2000, for PyPCAPKit), then time in one run:
      cat FILE > /dev/null, frame iteration, pcapkit-cli in every output mode and with
      each reassembly/trace/engine/threads option it accepts, and the peers
      tcpdump -nn -r, tshark -r, tshark -T json, a dpkt parse loop and PyPCAPKit
      (installed when missing, tcpdump/tshark with apt-get, dpkt/PyPCAPKit with pip,
      unless --no-install). Our commands and cat run R times
      (default 3; the fastest run counts). Prints the tables and writes FILE (default
      bench/results.md) with the machine, the date and --note (e.g. other load).";

struct Opts {
    frames: u64,
    small_frames: u64,
    repeat: u32,
    out: PathBuf,
    build: bool,
    install: bool,
    keep: bool,
    /// A remark for the report (e.g. what else ran on the machine).
    note: Option<String>,
}

fn parse(args: &[String]) -> Result<Opts, String> {
    let mut o = Opts {
        frames: 1_000_000,
        small_frames: 2_000,
        repeat: 3,
        out: crate::workspace_root().join("bench").join("results.md"),
        build: true,
        install: true,
        keep: false,
        note: None,
    };
    let mut it = args.iter();
    while let Some(a) = it.next() {
        let mut value = |name: &str| {
            it.next()
                .cloned()
                .ok_or_else(|| format!("{name} needs a value"))
        };
        match a.as_str() {
            "--frames" => o.frames = gen_traffic::parse_count(&value(a)?)?,
            "--small-frames" => o.small_frames = gen_traffic::parse_count(&value(a)?)?,
            "--repeat" => {
                let v = value(a)?;
                o.repeat = v
                    .parse()
                    .ok()
                    .filter(|r| *r >= 1)
                    .ok_or_else(|| format!("--repeat {v}: a number ≥ 1"))?;
            }
            "--out" | "-o" => o.out = PathBuf::from(value(a)?),
            "--no-build" => o.build = false,
            "--no-install" => o.install = false,
            "--keep" => o.keep = true,
            "--note" => o.note = Some(value(a)?),
            other => return Err(format!("unknown option {other}")),
        }
    }
    if o.frames == 0 || o.small_frames == 0 {
        return Err("frame counts must be at least 1".into());
    }
    Ok(o)
}

/// One measured run of a child process.
#[derive(Clone, Copy, Debug, Default)]
struct Run {
    wall: f64,
    cpu: f64,
    rss_kb: u64,
}

/// Runs `cmd` (stdout to /dev/null unless `capture`), returning its run and its stdout.
fn measure(cmd: &mut Command, capture: bool) -> Result<(Run, String), String> {
    let err_file = tempfile::NamedTempFile::new().map_err(|e| e.to_string())?;
    let out_file = tempfile::NamedTempFile::new().map_err(|e| e.to_string())?;
    let stdout = if capture {
        Stdio::from(out_file.reopen().map_err(|e| e.to_string())?)
    } else {
        Stdio::null()
    };
    cmd.stdin(Stdio::null())
        .stdout(stdout)
        .stderr(Stdio::from(err_file.reopen().map_err(|e| e.to_string())?));
    let start = Instant::now();
    let child = cmd
        .spawn()
        .map_err(|e| format!("cannot run {:?}: {e}", cmd.get_program()))?;
    let (status, usage) = wait4(child.id())?;
    let wall = start.elapsed().as_secs_f64();
    let text = |f: &tempfile::NamedTempFile| std::fs::read_to_string(f.path()).unwrap_or_default();
    if status != 0 {
        let err = text(&err_file);
        let line = err
            .lines()
            .find(|l| l.contains("error"))
            .or_else(|| err.lines().find(|l| !l.trim().is_empty()))
            .unwrap_or("")
            .trim();
        return Err(format!("exit status {status}: {line}"));
    }
    let tv = |t: libc::timeval| t.tv_sec as f64 + t.tv_usec as f64 / 1e6;
    Ok((
        Run {
            wall,
            cpu: tv(usage.ru_utime) + tv(usage.ru_stime),
            rss_kb: usage.ru_maxrss as u64,
        },
        text(&out_file),
    ))
}

/// Waits for `pid` and returns (exit status or 128 + signal, its rusage).
fn wait4(pid: u32) -> Result<(i32, libc::rusage), String> {
    let mut status: libc::c_int = 0;
    // SAFETY: a zeroed rusage is a valid value of this plain C struct.
    let mut usage: libc::rusage = unsafe { std::mem::zeroed() };
    loop {
        // SAFETY: wait4 writes only through the two valid pointers passed.
        let r = unsafe { libc::wait4(pid as libc::pid_t, &mut status, 0, &mut usage) };
        if r == pid as libc::pid_t {
            break;
        }
        let e = std::io::Error::last_os_error();
        if e.kind() != std::io::ErrorKind::Interrupted {
            return Err(format!("wait4: {e}"));
        }
    }
    let code = if libc::WIFEXITED(status) {
        libc::WEXITSTATUS(status)
    } else {
        128 + libc::WTERMSIG(status)
    };
    Ok((code, usage))
}

#[derive(Clone, Copy, Debug, PartialEq, Eq)]
enum Kind {
    Floor,
    Ours,
    Peer,
}

/// A measured row of the results table.
struct Row {
    name: String,
    kind: Kind,
    /// The command line as run (for the report).
    command: String,
    frames: u64,
    bytes: u64,
    run: Option<Run>,
    /// Why there is no run, or a remark.
    note: String,
}

impl Row {
    fn per_frame(&self) -> Option<f64> {
        self.run.map(|r| r.wall / self.frames as f64)
    }
    fn cpu_per_frame(&self) -> Option<f64> {
        self.run
            .filter(|r| r.cpu > 0.0)
            .map(|r| r.cpu / self.frames as f64)
    }
    fn fps(&self) -> Option<f64> {
        self.run.map(|r| self.frames as f64 / r.wall)
    }
    fn fps_cpu(&self) -> Option<f64> {
        self.run
            .filter(|r| r.cpu > 0.0)
            .map(|r| self.frames as f64 / r.cpu)
    }
    fn mbps(&self) -> Option<f64> {
        self.run.map(|r| self.bytes as f64 / 1e6 / r.wall)
    }
}

fn display(cmd: &Command) -> String {
    let mut s = Path::new(cmd.get_program())
        .file_name()
        .map(|n| n.to_string_lossy().into_owned())
        .unwrap_or_default();
    for a in cmd.get_args() {
        let a = a.to_string_lossy();
        s.push(' ');
        if a.contains(' ') || a.contains('\n') {
            s.push_str("'...'");
        } else {
            // show file names without their directory
            s.push_str(
                Path::new(a.as_ref())
                    .file_name()
                    .filter(|_| a.contains('/'))
                    .map(|n| n.to_string_lossy())
                    .unwrap_or(a.clone())
                    .as_ref(),
            );
        }
    }
    s
}

fn which(program: &str) -> Option<PathBuf> {
    std::env::var_os("PATH").and_then(|paths| {
        std::env::split_paths(&paths)
            .map(|d| d.join(program))
            .find(|p| p.is_file())
    })
}

fn output(program: &str, args: &[&str]) -> Option<String> {
    Command::new(program)
        .args(args)
        .stderr(Stdio::null())
        .output()
        .ok()
        .filter(|o| o.status.success())
        .map(|o| String::from_utf8_lossy(&o.stdout).trim().to_string())
}

fn python_has(module: &str) -> bool {
    Command::new("python3")
        .args(["-c", &format!("import {module}")])
        .stdout(Stdio::null())
        .stderr(Stdio::null())
        .status()
        .is_ok_and(|s| s.success())
}

/// Installs `package` with apt-get when `program` is missing (a failure only leaves
/// the peer's row marked "not installed").
fn ensure_apt(program: &str, package: &str) {
    if which(program).is_some() || which("apt-get").is_none() {
        return;
    }
    eprintln!("xtask bench: apt-get install {package}");
    let quiet = |c: &mut Command| {
        c.env("DEBIAN_FRONTEND", "noninteractive")
            .stdout(Stdio::null())
            .status()
            .is_ok_and(|s| s.success())
    };
    let _ = quiet(Command::new("apt-get").args(["update", "-qq"]))
        && quiet(Command::new("apt-get").args(["install", "-y", "-qq", package]));
}

/// Installs `package` with pip when python3 cannot import `module`.
fn ensure_pip(module: &str, package: &str) {
    if python_has(module) {
        return;
    }
    eprintln!("xtask bench: pip install {package}");
    let _ = Command::new("python3")
        .args(["-m", "pip", "install", "-q", package])
        .status();
}

fn cargo_build(args: &[&str]) -> Result<(), String> {
    let cargo = std::env::var("CARGO").unwrap_or_else(|_| "cargo".into());
    eprintln!("xtask bench: cargo build {}", args.join(" "));
    let ok = Command::new(cargo)
        .arg("build")
        .args(args)
        .current_dir(crate::workspace_root())
        .status()
        .is_ok_and(|s| s.success());
    if ok {
        Ok(())
    } else {
        Err(format!("cargo build {} failed", args.join(" ")))
    }
}

const DPKT_LOOP: &str = r#"
import sys, dpkt
n = 0
with open(sys.argv[1], 'rb') as f:
    for ts, buf in dpkt.pcap.UniversalReader(f):
        eth = dpkt.ethernet.Ethernet(buf)
        ip = eth.data
        l4 = getattr(ip, 'data', None)
        n += 1
print(n)
"#;

/// PyPCAPKit, timed inside the interpreter (its import takes about a second, which
/// would swamp a small file): prints `frames seconds`.
const PYPCAPKIT: &str = r#"
import sys, time, warnings
warnings.filterwarnings('ignore')
import pcapkit
fin, mode, fout = sys.argv[1], sys.argv[2], sys.argv[3]
t, c = time.perf_counter(), time.process_time()
if mode == 'nofile':
    e = pcapkit.extract(fin=fin, nofile=True, store=False)
else:
    e = pcapkit.extract(fin=fin, fout=fout, format=mode, store=False)
print(e.length, time.perf_counter() - t, time.process_time() - c)
"#;

struct Bench {
    opts: Opts,
    /// pcapkit-cli configurations the CLI refused: (configuration, why).
    refused: Vec<(String, String)>,
    rows: Vec<Row>,
    cat_per_byte: f64,
    /// Interleaved speedups: (engine, default wall / engine wall, one per round).
    paired: Vec<(String, Vec<f64>)>,
}

impl Bench {
    /// Runs `cmd` `repeat` times (the fastest wall time counts) and records a row.
    fn time(
        &mut self,
        name: &str,
        kind: Kind,
        mut cmd: Command,
        frames: u64,
        bytes: u64,
        repeat: u32,
    ) -> Option<Run> {
        let command = display(&cmd);
        eprintln!("xtask bench: {name}: {command}");
        let mut best: Option<Run> = None;
        let mut note = String::new();
        for _ in 0..repeat {
            match measure(&mut cmd, false) {
                Ok((run, _)) => {
                    if best.is_none_or(|b| run.wall < b.wall) {
                        best = Some(Run {
                            rss_kb: run.rss_kb.max(best.map_or(0, |b| b.rss_kb)),
                            ..run
                        });
                    }
                }
                Err(e) => {
                    note = e;
                    best = None;
                    break;
                }
            }
        }
        self.rows.push(Row {
            name: name.to_string(),
            kind,
            command,
            frames,
            bytes,
            run: best,
            note,
        });
        best
    }

    fn skip(&mut self, name: &str, kind: Kind, note: &str) {
        eprintln!("xtask bench: {name}: {note}");
        self.rows.push(Row {
            name: name.to_string(),
            kind,
            command: String::new(),
            frames: 0,
            bytes: 0,
            run: None,
            note: note.to_string(),
        });
    }

    fn row(&self, name: &str) -> Option<&Row> {
        self.rows.iter().find(|r| r.name == name && r.run.is_some())
    }
}

/// A capture and what it holds.
struct Capture {
    path: PathBuf,
    summary: Summary,
    size: u64,
}

fn capture(dir: &Path, name: &str, frames: u64) -> Result<Capture, String> {
    let args = gen_traffic::Args {
        traffic: TrafficOptions::new(frames),
        out: dir.join(name),
        summary: None,
    };
    eprintln!(
        "xtask bench: generating {} ({frames} frames)",
        args.out.display()
    );
    let summary = gen_traffic::write(&args)?;
    let size = std::fs::metadata(&args.out)
        .map_err(|e| e.to_string())?
        .len();
    Ok(Capture {
        path: args.out,
        summary,
        size,
    })
}

/// One pcapkit-cli configuration to time.
struct Mode {
    name: String,
    args: Vec<OsString>,
    /// Run on the small capture (slow third-party engines).
    small: bool,
}

fn os(args: &[&str]) -> Vec<OsString> {
    args.iter().map(OsString::from).collect()
}

/// The configurations the CLI accepts: the output modes always, the others when its
/// `--help` lists the option and a probe run on the small capture succeeds.
fn modes(cli: &Path, small: &Path, scratch: &Path) -> (Vec<Mode>, Vec<(String, String)>) {
    let help = output(cli.to_str().unwrap_or_default(), &["--help"]).unwrap_or_default();
    let mut modes = vec![
        Mode {
            name: "nofile".into(),
            args: os(&["--nofile"]),
            small: false,
        },
        Mode {
            name: "json".into(),
            args: os(&["-f", "json", "-o", "-"]),
            small: false,
        },
        Mode {
            name: "json --packet none".into(),
            args: os(&["-f", "json", "-o", "-", "--packet", "none"]),
            small: false,
        },
        Mode {
            name: "jsonl".into(),
            args: os(&["-f", "jsonl", "-o", "-"]),
            small: false,
        },
        Mode {
            name: "tree".into(),
            args: os(&["-f", "tree", "-o", "-"]),
            small: false,
        },
        Mode {
            name: "plist".into(),
            args: os(&["-f", "plist", "-o", "-"]),
            small: false,
        },
        Mode {
            name: "pcap".into(),
            args: os(&["-f", "pcap", "-o", "-"]),
            small: false,
        },
    ];
    let trace_dir = scratch.join("trace");
    let threads = std::thread::available_parallelism().map_or(2, |n| n.get());
    let mut candidates: Vec<(String, Vec<OsString>, bool)> = vec![
        ("nofile --ip".into(), os(&["--nofile", "--ip"]), false),
        ("nofile --tcp".into(), os(&["--nofile", "--tcp"]), false),
        (
            "nofile --ip --tcp".into(),
            os(&["--nofile", "--ip", "--tcp"]),
            false,
        ),
        (
            "trace pcap (--trace)".into(),
            {
                let mut a = os(&["--nofile", "--trace"]);
                a.push(trace_dir.clone().into_os_string());
                a
            },
            false,
        ),
        (
            "trace pcap + TCP reassembly (--tcp --trace)".into(),
            {
                let mut a = os(&["--nofile", "--tcp", "--trace"]);
                a.push(trace_dir.clone().into_os_string());
                a
            },
            false,
        ),
    ];
    // The same trace into tmpfs: what tracing costs without the disk's file-creation
    // cost (one file per connection).
    if let Some(shm) = shm_trace_dir() {
        candidates.insert(
            4,
            (
                "trace pcap to tmpfs (--trace /dev/shm/...)".into(),
                {
                    let mut a = os(&["--nofile", "--trace"]);
                    a.push(shm.into_os_string());
                    a
                },
                false,
            ),
        );
    }
    for engine in ["pipeline", "server"] {
        candidates.push((
            format!("nofile -E {engine}"),
            os(&["--nofile", "-E", engine]),
            false,
        ));
        for t in 1..=threads {
            let n = t.to_string();
            candidates.push((
                format!("nofile -E {engine} --threads {t}"),
                os(&["--nofile", "-E", engine, "--threads", &n]),
                false,
            ));
            candidates.push((
                format!("json -E {engine} --threads {t}"),
                os(&["-f", "json", "-o", "-", "-E", engine, "--threads", &n]),
                false,
            ));
        }
    }
    for engine in ["dpkt", "scapy", "pyshark"] {
        candidates.push((
            format!("json -E {engine} (small file)"),
            os(&["-f", "json", "-o", "-", "-E", engine]),
            true,
        ));
    }
    let mut refused = Vec::new();
    let mut failed_engines: Vec<String> = Vec::new();
    for (name, args, on_small) in candidates {
        let flags: Vec<String> = args
            .iter()
            .map(|a| a.to_string_lossy().into_owned())
            .filter(|a| a.starts_with("--") && !matches!(a.as_str(), "--nofile" | "--packet"))
            .collect();
        let engine = args
            .iter()
            .position(|a| a == "-E")
            .and_then(|i| args.get(i + 1))
            .map(|e| e.to_string_lossy().into_owned());
        if engine.as_ref().is_some_and(|e| failed_engines.contains(e)) {
            continue;
        }
        if let Some(missing) = flags.iter().find(|f| !help.contains(f.as_str())) {
            refused.push((name, format!("`{missing}` is not in `pcapkit-cli --help`")));
            continue;
        }
        let mut probe = Command::new(cli);
        probe.arg(small).args(&args).arg("-q");

        let _ = std::fs::remove_dir_all(&trace_dir);
        match measure(&mut probe, false) {
            Ok(_) => modes.push(Mode {
                name,
                args,
                small: on_small,
            }),
            Err(e) => {
                if let Some(engine) = engine.filter(|_| !name.contains("--threads")) {
                    refused.push((format!("-E {engine}"), e));
                    failed_engines.push(engine);
                } else {
                    refused.push((name, e));
                }
            }
        }
    }
    (modes, refused)
}

/// The parallel engines' JSON speedup at 2 threads, measured in interleaved rounds
/// (default, then each engine, `4 * repeat` rounds, at least 12, as single rounds vary
/// by ±15% here): on a shared machine whose speed drifts from minute to minute, each
/// round's ratio compares runs made seconds apart, and the median of the rounds is
/// reported. Each round also runs two
/// `default` extractions side by side (the [`CEILING`] entry): twice one run's time
/// over the pair's is what two threads can gain at most on this machine.
fn paired_speedups(
    cli: &Path,
    capture: &Path,
    modes: &[Mode],
    repeat: u32,
) -> Vec<(String, Vec<f64>)> {
    let json = ["-f", "json", "-o", "-", "-q"];
    let engines: Vec<&str> = ["pipeline", "server"]
        .into_iter()
        .filter(|e| {
            let name = format!("json -E {e} --threads 2");
            modes.iter().any(|m| m.name == name)
        })
        .collect();
    let mut out: Vec<(String, Vec<f64>)> = engines
        .iter()
        .map(|e| (e.to_string(), Vec::new()))
        .collect();
    if engines.is_empty() {
        return out;
    }
    let wall = |extra: &[&str]| {
        let mut c = Command::new(cli);
        c.arg(capture).args(json).args(extra);
        measure(&mut c, false).ok().map(|(r, _)| r.wall)
    };
    let rounds = (repeat * 4).max(12);
    eprintln!(
        "xtask bench: {rounds} interleaved rounds of json default / -E pipeline|server --threads 2"
    );
    // What the machine allows: two `default` runs side by side against one alone.
    let side_by_side = || {
        let start = Instant::now();
        let children: Vec<_> = (0..2)
            .filter_map(|_| {
                Command::new(cli)
                    .arg(capture)
                    .args(json)
                    .stdin(Stdio::null())
                    .stdout(Stdio::null())
                    .stderr(Stdio::null())
                    .spawn()
                    .ok()
            })
            .collect();
        let ok = children.len() == 2;
        let all_ok = children
            .into_iter()
            .map(|mut c| c.wait().is_ok_and(|s| s.success()))
            .fold(ok, |a, b| a && b);
        all_ok.then(|| start.elapsed().as_secs_f64())
    };
    let mut ceiling = Vec::new();
    for _ in 0..rounds {
        let Some(d) = wall(&[]) else { break };
        for (e, ratios) in out.iter_mut() {
            if let Some(w) = wall(&["-E", e, "--threads", "2"]).filter(|&w| w > 0.0) {
                ratios.push(d / w);
            }
        }
        if let Some(w) = side_by_side().filter(|&w| w > 0.0) {
            ceiling.push(2.0 * d / w);
        }
    }
    out.push((CEILING.to_owned(), ceiling));
    out
}

/// The `paired_speedups` entry of two `default` runs side by side: the speedup two
/// threads could have at most on this machine.
const CEILING: &str = "two default runs side by side";

/// The median of `v` (None when empty).
fn median(v: &[f64]) -> Option<f64> {
    let mut v = v.to_vec();
    v.sort_by(f64::total_cmp);
    let n = v.len();
    match n {
        0 => None,
        _ if n % 2 == 1 => v.get(n / 2).copied(),
        _ => Some((v.get(n / 2 - 1)? + v.get(n / 2)?) / 2.0),
    }
}

fn fmt_rate(v: Option<f64>) -> String {
    match v {
        None => "–".into(),
        Some(v) if v >= 1e6 => format!("{:.2} M", v / 1e6),
        Some(v) if v >= 1e3 => format!("{:.1} k", v / 1e3),
        Some(v) => format!("{v:.0}"),
    }
}

fn fmt_ratio(v: f64) -> String {
    if v >= 100.0 {
        format!("{v:.0}×")
    } else if v >= 10.0 {
        format!("{v:.1}×")
    } else {
        format!("{v:.2}×")
    }
}

fn machine() -> String {
    let cpu = std::fs::read_to_string("/proc/cpuinfo")
        .ok()
        .and_then(|c| {
            c.lines()
                .find(|l| l.starts_with("model name"))
                .and_then(|l| l.split(':').nth(1))
                .map(|s| s.trim().to_string())
        })
        .unwrap_or_else(|| "unknown CPU".into());
    let mem = std::fs::read_to_string("/proc/meminfo")
        .ok()
        .and_then(|m| {
            m.lines()
                .find(|l| l.starts_with("MemTotal"))
                .and_then(|l| l.split_whitespace().nth(1))
                .and_then(|k| k.parse::<u64>().ok())
        })
        .map_or("?".into(), |kb| format!("{:.1} GB", kb as f64 / 1e6));
    let cores = std::thread::available_parallelism().map_or(0, |n| n.get());
    let kernel = output("uname", &["-sr"]).unwrap_or_default();
    format!("{cpu}, {cores} cores available, {mem} RAM, {kernel}")
}

fn load() -> String {
    std::fs::read_to_string("/proc/loadavg")
        .map(|l| l.split_whitespace().take(3).collect::<Vec<_>>().join(" "))
        .unwrap_or_default()
}

/// Entry point of the task.
pub fn main(args: &[String]) -> ExitCode {
    let opts = match parse(args) {
        Ok(o) => o,
        Err(e) => {
            eprintln!("xtask bench: {e}\n\nusage:\n{USAGE}");
            return ExitCode::from(2);
        }
    };
    match run(opts) {
        Ok(()) => ExitCode::SUCCESS,
        Err(e) => {
            eprintln!("xtask bench: {e}");
            ExitCode::FAILURE
        }
    }
}

/// A scratch trace directory in `/dev/shm` (tmpfs), when there is one.
fn shm_trace_dir() -> Option<PathBuf> {
    let shm = Path::new("/dev/shm");
    shm.is_dir()
        .then(|| shm.join(format!("pcapkit-bench-trace-{}", std::process::id())))
}

fn run(opts: Opts) -> Result<(), String> {
    let root = crate::workspace_root();
    let target = crate::target_dir();
    if opts.build {
        cargo_build(&["--release", "-p", "pcapkit-cli"])?;
        cargo_build(&["--release", "-p", "pcapkit-core", "--example", "count"])?;
        cargo_build(&["--release", "-p", "pcapkit", "--example", "reassemble"])?;
    }
    let cli = target.join("release").join("pcapkit-cli");
    let count = target.join("release").join("examples").join("count");
    let reasm = target.join("release").join("examples").join("reassemble");
    for p in [&cli, &count, &reasm] {
        if !p.is_file() {
            return Err(format!(
                "{} is missing: run without --no-build",
                p.display()
            ));
        }
    }
    let dir = target.join("bench");
    std::fs::create_dir_all(&dir).map_err(|e| e.to_string())?;
    let scratch = tempfile::tempdir_in(&dir).map_err(|e| e.to_string())?;
    let load_start = load();
    let date = output("date", &["-u", "+%Y-%m-%d %H:%M UTC"]).unwrap_or_default();
    let big = capture(&dir, &format!("traffic-{}.pcap", opts.frames), opts.frames)?;
    let small = capture(
        &dir,
        &format!("traffic-{}.pcap", opts.small_frames),
        opts.small_frames,
    )?;
    let (n, size) = (big.summary.frames, big.size);
    let mut b = Bench {
        rows: Vec::new(),
        refused: Vec::new(),
        cat_per_byte: 0.0,
        paired: Vec::new(),
        opts,
    };
    let repeat = b.opts.repeat;

    // the I/O floor; the first cat warms the page cache
    let _ = measure(Command::new("cat").arg(&big.path), false);
    let mut cat = Command::new("cat");
    cat.arg(&big.path);
    let cat_run = b
        .time(
            "cat FILE > /dev/null",
            Kind::Floor,
            cat,
            n,
            size,
            repeat.max(5),
        )
        .ok_or("cat failed")?;
    b.cat_per_byte = cat_run.wall / size as f64;
    let mut it = Command::new(&count);
    it.arg(&big.path);
    b.time(
        "frame iteration (pcapkit-core)",
        Kind::Floor,
        it,
        n,
        size,
        repeat,
    );

    // The library's extraction with IPv4, IPv6 and TCP reassembly: every datagram
    // assembled and handed out, none written (the CLI rows also write them as hex).
    let mut re = Command::new(&reasm);
    re.arg(&big.path);
    b.time(
        "library extract, ip + tcp reassembly (examples/reassemble)",
        Kind::Ours,
        re,
        n,
        size,
        repeat,
    );

    // pcapkit-cli
    let (modes, refused) = modes(&cli, &small.path, scratch.path());
    for m in &modes {
        let cap = if m.small { &small } else { &big };
        let mut cmd = Command::new(&cli);
        cmd.arg(&cap.path).args(&m.args).arg("-q");
        let _ = std::fs::remove_dir_all(scratch.path().join("trace"));
        if let Some(shm) = shm_trace_dir() {
            let _ = std::fs::remove_dir_all(shm);
        }
        b.time(
            &format!("pcapkit-cli {}", m.name),
            Kind::Ours,
            cmd,
            cap.summary.frames,
            cap.size,
            repeat,
        );
    }
    b.refused = refused;
    if let Some(shm) = shm_trace_dir() {
        let _ = std::fs::remove_dir_all(shm);
    }
    b.paired = paired_speedups(&cli, &big.path, &modes, repeat);

    // peers (installed when missing, unless --no-install)
    if b.opts.install {
        ensure_apt("tcpdump", "tcpdump");
        ensure_apt("tshark", "tshark");
        ensure_pip("dpkt", "dpkt");
    }
    if which("tcpdump").is_some() {
        let mut c = Command::new("tcpdump");
        c.args(["-nn", "-r"]).arg(&big.path);
        b.time("tcpdump -nn -r", Kind::Peer, c, n, size, 1);
    } else {
        b.skip(
            "tcpdump -nn -r",
            Kind::Peer,
            "not installed (apt-get install tcpdump)",
        );
    }
    if which("tshark").is_some() {
        let mut c = Command::new("tshark");
        c.args(["-n", "-r"]).arg(&big.path);
        b.time("tshark -r", Kind::Peer, c, n, size, 1);
        let mut c = Command::new("tshark");
        c.args(["-n", "-T", "json", "-r"]).arg(&big.path);
        b.time("tshark -T json", Kind::Peer, c, n, size, 1);
    } else {
        b.skip(
            "tshark -r",
            Kind::Peer,
            "not installed (apt-get install tshark)",
        );
        b.skip(
            "tshark -T json",
            Kind::Peer,
            "not installed (apt-get install tshark)",
        );
    }
    if python_has("dpkt") {
        let mut c = Command::new("python3");
        c.args(["-c", DPKT_LOOP]).arg(&big.path);
        b.time("dpkt parse loop", Kind::Peer, c, n, size, 1);
    } else {
        b.skip(
            "dpkt parse loop",
            Kind::Peer,
            "python3 dpkt not installed (pip install dpkt)",
        );
    }
    if b.opts.install {
        ensure_pip("pcapkit", "pypcapkit");
    }
    let have_pypcapkit = python_has("pcapkit");
    let pyver = output(
        "python3",
        &["-c", "import pcapkit; print(pcapkit.__version__)"],
    );
    for mode in ["nofile", "json"] {
        let name = format!("PyPCAPKit {mode} (small file)");
        if !have_pypcapkit {
            b.skip(
                &name,
                Kind::Peer,
                "python3 pcapkit not installed (pip install pypcapkit)",
            );
            continue;
        }
        let mut c = Command::new("python3");
        c.args(["-c", PYPCAPKIT])
            .arg(&small.path)
            .arg(mode)
            .arg(scratch.path().join("pypcapkit-out.json"));
        eprintln!("xtask bench: {name}");
        match measure(&mut c, true) {
            Ok((run, out)) => {
                let mut f = out.split_whitespace();
                let frames = f.next().and_then(|s| s.parse::<u64>().ok());
                let secs = f.next().and_then(|s| s.parse::<f64>().ok());
                let cpu = f.next().and_then(|s| s.parse::<f64>().ok());
                let note = match frames {
                    Some(k) if k != small.summary.frames => {
                        format!("read {k} of {} frames", small.summary.frames)
                    }
                    _ => "timed inside python3, import excluded".into(),
                };
                b.rows.push(Row {
                    name,
                    kind: Kind::Peer,
                    command: format!(
                        "pcapkit.extract(..., {mode}) {}",
                        display(&c).split(' ').next_back().unwrap_or_default()
                    ),
                    frames: small.summary.frames,
                    bytes: small.size,
                    run: Some(Run {
                        wall: secs.unwrap_or(run.wall),
                        cpu: cpu.unwrap_or(run.cpu),
                        ..run
                    }),
                    note,
                });
            }
            Err(e) => b.skip(&name, Kind::Peer, &format!("failed: {e}")),
        }
    }
    let load_end = load();

    let md = report(
        &b,
        &big,
        &small,
        &date,
        &load_start,
        &load_end,
        pyver.as_deref(),
    );
    println!("{md}");
    if let Some(d) = b.opts.out.parent().filter(|d| !d.as_os_str().is_empty()) {
        std::fs::create_dir_all(d).map_err(|e| e.to_string())?;
    }
    std::fs::write(&b.opts.out, &md)
        .map_err(|e| format!("cannot write {}: {e}", b.opts.out.display()))?;
    eprintln!("xtask bench: wrote {}", b.opts.out.display());
    if !b.opts.keep {
        let _ = std::fs::remove_file(&big.path);
        let _ = std::fs::remove_file(gen_traffic::summary_path(&big.path));
    }
    let _ = root;
    Ok(())
}

/// Target check: (what, measured text, met?).
fn targets(b: &Bench) -> Vec<(String, String, Option<bool>)> {
    let mut t = Vec::new();
    let cat = b.row("cat FILE > /dev/null");
    let r = |name: &str| b.row(name);
    let speedup = |ours: &str, peer: &str| -> Option<f64> {
        Some(r(peer)?.cpu_per_frame()? / r(ours)?.cpu_per_frame()?)
    };
    let mut push = |what: &str, value: Option<String>, met: Option<bool>| {
        t.push((
            what.to_string(),
            value.unwrap_or_else(|| "not measured".into()),
            met,
        ));
    };
    let iter = r("frame iteration (pcapkit-core)");
    let ratio = iter
        .zip(cat)
        .and_then(|(i, c)| Some(i.run?.wall / c.run?.wall));
    push(
        "frame iteration within 2× of `cat`",
        ratio.map(|x| format!("{} of cat's time", fmt_ratio(x))),
        ratio.map(|x| x <= 2.0),
    );
    let fps = |name: &str| r(name).and_then(Row::fps_cpu);
    let v = fps("pcapkit-cli nofile");
    push(
        "dissect, no output ≥ 3 M frames/s on one core",
        v.map(|x| format!("{} frames per CPU-second", fmt_rate(Some(x)))),
        v.map(|x| x >= 3e6),
    );
    let v = fps("pcapkit-cli json");
    push(
        "JSON output ≥ 200 k frames/s",
        v.map(|x| format!("{} frames per CPU-second", fmt_rate(Some(x)))),
        v.map(|x| x >= 2e5),
    );
    // Issue 5: the library's extraction with reassembly (the CLI row also writes every
    // datagram as JSON Lines hex, about three times the capture's size).
    let v = fps("library extract, ip + tcp reassembly (examples/reassemble)");
    push(
        "extraction with ip+tcp reassembly ≥ 1.5 M frames/s (library)",
        v.map(|x| format!("{} frames per CPU-second", fmt_rate(Some(x)))),
        v.map(|x| x >= 1.5e6),
    );
    // Issue 6: tracing alone, to the run's scratch directory and to tmpfs.
    for (what, row) in [
        (
            "trace to pcap ≥ 1 M frames/s",
            "pcapkit-cli trace pcap (--trace)",
        ),
        (
            "trace to pcap ≥ 1 M frames/s, files on tmpfs",
            "pcapkit-cli trace pcap to tmpfs (--trace /dev/shm/...)",
        ),
    ] {
        let v = fps(row);
        push(
            what,
            v.map(|x| format!("{} frames per CPU-second", fmt_rate(Some(x)))),
            v.map(|x| x >= 1e6),
        );
    }
    // Issue 7: wall-clock speedup of the parallel engines at 2 threads, JSON output.
    // Measured in interleaved rounds (see `paired_speedups`); the best-of runs of the
    // table above, minutes apart, are shown alongside.
    for engine in ["pipeline", "server"] {
        let best = r("pcapkit-cli json")
            .and_then(|d| d.run)
            .zip(r(&format!("pcapkit-cli json -E {engine} --threads 2")).and_then(|p| p.run))
            .map(|(d, p)| d.wall / p.wall);
        let rounds = b
            .paired
            .iter()
            .find(|(e, _)| e == engine)
            .map_or(&[][..], |(_, v)| v.as_slice());
        let v = median(rounds);
        let ceiling = b
            .paired
            .iter()
            .find(|(e, _)| e == CEILING)
            .and_then(|(_, v)| median(v))
            .map_or(String::new(), |c| {
                format!("; the machine's ceiling, two `default` runs side by side: {c:.2}×")
            });
        let text = v.map(|x| {
            let each: Vec<String> = rounds.iter().map(|r| format!("{r:.2}")).collect();
            let best = best.map_or(String::new(), |b| format!("; best-of runs: {b:.2}×"));
            format!(
                "{x:.2}× (median of {} interleaved rounds: {}{best}{ceiling})",
                rounds.len(),
                each.join(", ")
            )
        });
        push(
            &format!("JSON with -E {engine} --threads 2 ≥ 1.8× default (wall clock)"),
            text,
            v.map(|x| x >= 1.8),
        );
    }
    let rss = r("pcapkit-cli nofile")
        .and_then(|x| x.run)
        .map(|x| x.rss_kb as f64 / 1024.0);
    push(
        "peak RSS ≤ 64 MB (nofile, no store)",
        rss.map(|m| {
            format!(
                "{m:.1} MB on {} frames",
                r("pcapkit-cli nofile").map_or(0, |x| x.frames)
            )
        }),
        rss.map(|m| m <= 64.0),
    );
    for (what, ours, peer, want) in [
        (
            "nofile ≥ 5000× PyPCAPKit nofile",
            "pcapkit-cli nofile",
            "PyPCAPKit nofile (small file)",
            5000.0,
        ),
        (
            "nofile ≥ 40× dpkt parse loop",
            "pcapkit-cli nofile",
            "dpkt parse loop",
            40.0,
        ),
        (
            "nofile ≥ 10× tcpdump -nn",
            "pcapkit-cli nofile",
            "tcpdump -nn -r",
            10.0,
        ),
        (
            "JSON ≥ 50× tshark -T json",
            "pcapkit-cli json",
            "tshark -T json",
            50.0,
        ),
        (
            "JSON ≥ 1000× PyPCAPKit JSON",
            "pcapkit-cli json",
            "PyPCAPKit json (small file)",
            1000.0,
        ),
    ] {
        let v = speedup(ours, peer);
        push(
            what,
            v.map(|x| format!("{} less CPU time per frame", fmt_ratio(x))),
            v.map(|x| x >= want),
        );
    }
    t
}

fn report(
    b: &Bench,
    big: &Capture,
    small: &Capture,
    date: &str,
    load_start: &str,
    load_end: &str,
    pypcapkit: Option<&str>,
) -> String {
    let mut md = String::new();
    let commit = output("git", &["rev-parse", "--short", "HEAD"]).unwrap_or_default();
    let rustc = output("rustc", &["-V"]).unwrap_or_default();
    let tshark = output("tshark", &["-v"])
        .and_then(|v| v.lines().next().map(str::to_string))
        .unwrap_or_else(|| "not installed".into());
    let tcpdump = Command::new("tcpdump")
        .arg("--version")
        .output()
        .ok()
        .map(|o| {
            String::from_utf8_lossy(&o.stdout)
                .lines()
                .next()
                .unwrap_or("")
                .to_string()
        })
        .unwrap_or_else(|| "not installed".into());
    let dpkt = output("python3", &["-c", "import dpkt; print(dpkt.__version__)"])
        .unwrap_or_else(|| "not installed".into());
    let s = &big.summary;
    let _ = writeln!(md, "# Benchmark results\n");
    let _ = writeln!(
        md,
        "Generated by `cargo xtask bench --frames {}` on {date}, commit `{commit}`.\n",
        s.frames
    );
    let _ = writeln!(md, "- Machine: {}", machine());
    if let Some(note) = &b.opts.note {
        let _ = writeln!(md, "- Note: {note}");
    }
    let _ = writeln!(
        md,
        "- Load average (1/5/15 min) at start: {load_start}; at end: {load_end}"
    );
    let _ = writeln!(
        md,
        "- {rustc}; {tshark}; {tcpdump}; dpkt {dpkt}; PyPCAPKit {}",
        pypcapkit.unwrap_or("not installed")
    );
    let _ = writeln!(
        md,
        "- Capture: `cargo xtask gen-traffic --frames {}` (seed 1, little-endian µs PCAP): {:.1} MB, {} TCP connections, {} HTTP exchanges, {} FTP commands, {} DNS queries, {} IPv4 + {} IPv6 fragmented datagrams, {} VLAN frames. PyPCAPKit and the third-party engines ran on the first {} frames' worth of the same generator ({:.2} MB).",
        s.frames,
        big.size as f64 / 1e6,
        s.tcp_connections,
        s.http_requests,
        s.ftp_commands,
        s.dns_queries,
        s.ipv4_datagrams,
        s.ipv6_datagrams,
        s.vlan_frames,
        small.summary.frames,
        small.size as f64 / 1e6,
    );
    let _ = writeln!(
        md,
        "- Each of our commands and `cat` ran {} times, the fastest counts (`cat` at least 5); peers once. Output went to /dev/null.\n",
        b.opts.repeat
    );
    let _ = writeln!(md, "## All runs\n");
    let _ = writeln!(
        md,
        "*frames/s* is wall-clock; *frames/CPU-s* divides by user + system CPU time (closer to what one idle core would do on a shared machine; above wall-clock rate means more than one core was used). *× cat* is the time per byte relative to `cat FILE > /dev/null` (1× = as fast as reading the file).\n"
    );
    let _ = writeln!(
        md,
        "| what | frames | wall s | CPU s | frames/s | frames/CPU-s | MB/s | peak RSS MB | × cat | note |"
    );
    let _ = writeln!(md, "|---|---:|---:|---:|---:|---:|---:|---:|---:|---|");
    for r in &b.rows {
        match r.run {
            Some(run) => {
                let xcat = run.wall / r.bytes as f64 / b.cat_per_byte;
                let _ = writeln!(
                    md,
                    "| {} | {} | {:.3} | {:.3} | {} | {} | {:.0} | {:.1} | {} | {} |",
                    r.name,
                    r.frames,
                    run.wall,
                    run.cpu,
                    fmt_rate(r.fps()),
                    fmt_rate(r.fps_cpu()),
                    r.mbps().unwrap_or(0.0),
                    run.rss_kb as f64 / 1024.0,
                    fmt_ratio(xcat),
                    r.note
                );
            }
            None => {
                let _ = writeln!(md, "| {} | | | | | | | | | {} |", r.name, r.note);
            }
        }
    }
    let peers: Vec<&Row> = b
        .rows
        .iter()
        .filter(|r| r.kind == Kind::Peer && r.run.is_some())
        .collect();
    if !peers.is_empty() {
        let _ = writeln!(
            md,
            "\n## Versus peers\n\nHow many times less CPU time (user + system) per frame \
             pcapkit-cli takes than each peer; the wall-clock ratio is in parentheses. \
             PyPCAPKit's figures are per frame of its small capture, timed inside Python.\n"
        );
        let mut head = "| pcapkit-cli |".to_string();
        let mut rule = "|---|".to_string();
        for p in &peers {
            let _ = write!(head, " {} |", p.name);
            rule.push_str("---:|");
        }
        let _ = writeln!(md, "{head}\n{rule}");
        for ours in b
            .rows
            .iter()
            .filter(|r| r.kind == Kind::Ours && r.run.is_some())
        {
            let _ = write!(md, "| {} |", ours.name.trim_start_matches("pcapkit-cli "));
            for p in &peers {
                match (
                    p.cpu_per_frame(),
                    ours.cpu_per_frame(),
                    p.per_frame(),
                    ours.per_frame(),
                ) {
                    (Some(a), Some(o), Some(aw), Some(ow)) => {
                        let _ = write!(md, " {} ({}) |", fmt_ratio(a / o), fmt_ratio(aw / ow));
                    }
                    _ => md.push_str(" – |"),
                }
            }
            md.push('\n');
        }
    }
    if !b.refused.is_empty() {
        let _ = writeln!(
            md,
            "\nNot measured: pcapkit-cli refused these options (a probe run on the small \
             capture failed); the harness times them as soon as the CLI accepts them.\n"
        );
        for (what, why) in &b.refused {
            let _ = writeln!(md, "- `{what}`: {why}");
        }
    }
    let _ = writeln!(
        md,
        "\nRates in the targets are per CPU-second (one core's worth of work) and ratios are \
         of CPU time per frame, so that other load on the machine counts as little as possible.\n"
    );
    let _ = writeln!(md, "\n## Targets (issues 3 to 8)\n");
    let _ = writeln!(md, "| target | measured | met |");
    let _ = writeln!(md, "|---|---|---|");
    for (what, value, met) in targets(b) {
        let m = match met {
            Some(true) => "yes",
            Some(false) => "**no**",
            None => "–",
        };
        let _ = writeln!(md, "| {what} | {value} | {m} |");
    }
    let _ = writeln!(md, "\n## Commands\n");
    for r in b.rows.iter().filter(|r| !r.command.is_empty()) {
        let _ = writeln!(md, "- {}: `{}`", r.name, r.command);
    }
    md
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn median_of_rounds() {
        assert_eq!(median(&[]), None);
        assert_eq!(median(&[1.9, 1.2, 2.0]), Some(1.9));
        assert_eq!(median(&[1.0, 2.0, 4.0, 3.0]), Some(2.5));
    }

    #[test]
    fn measures_a_child() {
        let mut c = Command::new("sh");
        c.args(["-c", "echo 12 34"]);
        let (run, out) = measure(&mut c, true).unwrap();
        assert_eq!(out.trim(), "12 34");
        assert!(run.wall > 0.0 && run.rss_kb > 0);
        let mut f = Command::new("sh");
        f.args(["-c", "echo oops >&2; exit 3"]);
        let e = measure(&mut f, false).unwrap_err();
        assert!(e.contains("exit status 3") && e.contains("oops"), "{e}");
    }

    #[test]
    fn options() {
        let o = parse(&[
            "--frames".into(),
            "200k".into(),
            "--repeat".into(),
            "2".into(),
        ])
        .unwrap();
        assert_eq!((o.frames, o.repeat, o.small_frames), (200_000, 2, 2_000));
        assert!(parse(&["--repeat".into(), "0".into()]).is_err());
    }
}
