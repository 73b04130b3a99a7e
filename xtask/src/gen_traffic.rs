//! `cargo xtask gen-traffic`: write a deterministic capture of realistic mixed traffic
//! (see `pcapkit_testdata::traffic`) and its ground-truth summary as JSON.

use std::io::BufWriter;
use std::path::{Path, PathBuf};
use std::process::ExitCode;

use pcapkit_core::Endian;
use pcapkit_testdata::traffic::{CaptureFormat, Summary, TrafficOptions, generate};

/// Options of the task.
#[derive(Debug)]
pub struct Args {
    /// Generator options.
    pub traffic: TrafficOptions,
    /// The capture to write.
    pub out: PathBuf,
    /// Where the summary goes (default: `<out>.summary.json`).
    pub summary: Option<PathBuf>,
}

pub const USAGE: &str =
    "  gen-traffic [--frames N] [--seed S] [--pcapng] [--big-endian] [--nanosecond]
              [--out FILE] [--summary FILE]
      Write FILE (default target/traffic/traffic.pcap, or .pcapng): N frames (default
      1000000) of deterministic mixed traffic (Ethernet/VLAN, ARP, IPv4 with options and
      fragments, IPv6 with extension headers and fragments, TCP with HTTP/1.1 and FTP,
      retransmissions and reordering, DNS, ICMP/ICMPv6, MLD) with our own writer, and its
      ground truth (frames per protocol, TCP connections, reassemblable datagrams) as
      JSON in FILE.summary.json.";

/// Parses the task's arguments.
pub fn parse(args: &[String]) -> Result<Args, String> {
    let mut t = TrafficOptions::new(1_000_000);
    let mut out = None;
    let mut summary = None;
    let mut it = args.iter();
    while let Some(a) = it.next() {
        let mut value = |name: &str| {
            it.next()
                .cloned()
                .ok_or_else(|| format!("{name} needs a value"))
        };
        match a.as_str() {
            "--frames" => {
                t.frames = parse_count(&value("--frames")?)?;
            }
            "--seed" => {
                let v = value("--seed")?;
                t.seed = v.parse().map_err(|_| format!("--seed {v}: not a number"))?;
            }
            "--pcapng" => t.format = CaptureFormat::Pcapng,
            "--big-endian" => t.endian = Endian::Big,
            "--nanosecond" => t.nanosecond = true,
            "--out" | "-o" => out = Some(PathBuf::from(value("--out")?)),
            "--summary" => summary = Some(PathBuf::from(value("--summary")?)),
            other => return Err(format!("gen-traffic: unknown option {other}")),
        }
    }
    let out = out.unwrap_or_else(|| {
        let ext = match t.format {
            CaptureFormat::Pcap => "pcap",
            CaptureFormat::Pcapng => "pcapng",
        };
        crate::target_dir()
            .join("traffic")
            .join(format!("traffic.{ext}"))
    });
    Ok(Args {
        traffic: t,
        out,
        summary,
    })
}

/// `1000000`, `1_000_000`, `200k`, `1M`.
pub fn parse_count(s: &str) -> Result<u64, String> {
    let clean: String = s.chars().filter(|c| *c != '_').collect();
    let (digits, mult) = match clean.chars().last() {
        Some('k' | 'K') => (&clean[..clean.len() - 1], 1_000),
        Some('m' | 'M') => (&clean[..clean.len() - 1], 1_000_000),
        _ => (clean.as_str(), 1),
    };
    digits
        .parse::<u64>()
        .map(|n| n * mult)
        .map_err(|_| format!("{s}: not a frame count (e.g. 200000, 200k, 1M)"))
}

/// The summary path of a capture: `<capture>.summary.json`.
pub fn summary_path(capture: &Path) -> PathBuf {
    let mut name = capture.as_os_str().to_owned();
    name.push(".summary.json");
    PathBuf::from(name)
}

/// Writes the capture and its summary.
pub fn write(args: &Args) -> Result<Summary, String> {
    if let Some(dir) = args.out.parent().filter(|d| !d.as_os_str().is_empty()) {
        std::fs::create_dir_all(dir)
            .map_err(|e| format!("cannot create {}: {e}", dir.display()))?;
    }
    let file = std::fs::File::create(&args.out)
        .map_err(|e| format!("cannot create {}: {e}", args.out.display()))?;
    let summary = generate(&args.traffic, BufWriter::with_capacity(1 << 20, file))
        .map_err(|e| format!("writing {}: {e}", args.out.display()))?;
    let path = args
        .summary
        .clone()
        .unwrap_or_else(|| summary_path(&args.out));
    std::fs::write(&path, summary.to_json() + "\n")
        .map_err(|e| format!("cannot write {}: {e}", path.display()))?;
    Ok(summary)
}

/// Entry point of the task.
pub fn main(args: &[String]) -> ExitCode {
    let parsed = match parse(args) {
        Ok(a) => a,
        Err(e) => {
            eprintln!("xtask gen-traffic: {e}\n\nusage:\n{USAGE}");
            return ExitCode::from(2);
        }
    };
    match write(&parsed) {
        Ok(s) => {
            eprintln!(
                "xtask gen-traffic: {} frames, {:.1} MB of frame data, {} TCP connections -> {}",
                s.frames,
                s.bytes as f64 / 1e6,
                s.tcp_connections,
                parsed.out.display()
            );
            ExitCode::SUCCESS
        }
        Err(e) => {
            eprintln!("xtask gen-traffic: {e}");
            ExitCode::FAILURE
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn counts_parse() {
        assert_eq!(parse_count("200k"), Ok(200_000));
        assert_eq!(parse_count("1M"), Ok(1_000_000));
        assert_eq!(parse_count("1_000"), Ok(1_000));
        assert!(parse_count("many").is_err());
    }

    #[test]
    fn options_parse() {
        let args: Vec<String> = [
            "--frames",
            "10k",
            "--pcapng",
            "--big-endian",
            "--nanosecond",
        ]
        .iter()
        .map(|s| s.to_string())
        .collect();
        let a = parse(&args).unwrap();
        assert_eq!(a.traffic.frames, 10_000);
        assert_eq!(a.traffic.format, CaptureFormat::Pcapng);
        assert_eq!(a.traffic.endian, Endian::Big);
        assert!(a.traffic.nanosecond);
        assert!(a.out.ends_with("traffic/traffic.pcapng"));
        assert!(parse(&["--bogus".to_string()]).is_err());
    }
}
