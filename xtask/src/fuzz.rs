//! `cargo xtask fuzz [TARGET|all|list] [SECONDS]`: run the libFuzzer targets of `fuzz/`.
//!
//! Installs cargo-fuzz if it is missing, seeds `fuzz/corpus/TARGET/` from the captures
//! (`../shared/testdata/captures`, read at run time and never copied into the
//! repository, and our own `testdata/captures`), then runs
//! `cargo fuzz run -s none TARGET fuzz/corpus/TARGET -- -max_total_time=SECONDS`
//! (stable Rust: coverage-guided, no sanitizer). Crashes land in
//! `fuzz/artifacts/TARGET/`; keep each one as a regression under
//! `testdata/regressions/TARGET/` (see docs/fuzzing.md).

use std::collections::BTreeSet;
use std::fs;
use std::path::{Path, PathBuf};
use std::process::{Command, ExitCode, Stdio};

use pcapkit_core::{LinkType, Reader, ReaderOptions};

/// Every target of `fuzz/Cargo.toml`.
pub const TARGETS: [&str; 11] = [
    "pcap_reader",
    "pcapng_reader",
    "dissect",
    "reasm",
    "trace",
    "extract_json",
    "extract_jsonl",
    "extract_plist",
    "extract_tree",
    "extract_pcap",
    "engines",
];

/// Largest input per target: captures are cut to this many bytes as seeds.
fn max_len(target: &str) -> usize {
    match target {
        "dissect" | "trace" => 16 * 1024,
        t if t.starts_with("extract_") || t == "engines" => 16 * 1024,
        _ => 64 * 1024,
    }
}

/// The dissect target's selector byte for a link type (see `fuzz/src/lib.rs`).
fn selector_of(link: LinkType) -> Option<u8> {
    const LINK_TYPES: [u32; 10] = [1, 0, 108, 101, 12, 14, 228, 229, 113, 276];
    if let Some(i) = LINK_TYPES.iter().position(|&l| l == link.0) {
        return u8::try_from(i).ok();
    }
    u8::try_from(link.0)
        .ok()
        .filter(|&b| usize::from(b) >= LINK_TYPES.len())
}

fn workspace_root() -> PathBuf {
    PathBuf::from(env!("CARGO_MANIFEST_DIR"))
        .parent()
        .map(Path::to_path_buf)
        .unwrap_or_else(|| PathBuf::from("."))
}

fn shared_captures_dir(root: &Path) -> PathBuf {
    match std::env::var_os("PCAPKIT_SHARED") {
        Some(d) => PathBuf::from(d).join("testdata").join("captures"),
        None => root
            .join("..")
            .join("shared")
            .join("testdata")
            .join("captures"),
    }
}

fn captures_in(dir: &Path) -> Vec<PathBuf> {
    let mut out: Vec<PathBuf> = fs::read_dir(dir)
        .map(|rd| {
            rd.filter_map(|e| e.ok().map(|e| e.path()))
                .filter(|p| {
                    matches!(
                        p.extension().and_then(|e| e.to_str()),
                        Some("pcap" | "pcapng" | "cap")
                    )
                })
                .collect()
        })
        .unwrap_or_default();
    out.sort();
    out
}

/// Is this a PCAPNG file (by its first four bytes)?
fn is_pcapng(bytes: &[u8]) -> bool {
    bytes.starts_with(&[0x0a, 0x0d, 0x0d, 0x0a])
}

/// Writes the seeds of `target` into `corpus` (existing files stay: the corpus grows
/// from run to run). Returns how many seeds were written.
fn seed(target: &str, corpus: &Path, captures: &[PathBuf]) -> std::io::Result<usize> {
    fs::create_dir_all(corpus)?;
    let limit = max_len(target);
    let mut written = 0;
    let mut put = |name: String, bytes: &[u8]| -> std::io::Result<()> {
        let path = corpus.join(name);
        if !path.exists() {
            fs::write(path, bytes)?;
            written += 1;
        }
        Ok(())
    };
    for capture in captures {
        let Ok(bytes) = fs::read(capture) else {
            continue;
        };
        let name = capture
            .file_name()
            .map(|n| n.to_string_lossy().into_owned())
            .unwrap_or_default();
        let head = bytes.get(..limit).unwrap_or(&bytes);
        match target {
            "pcap_reader" if !is_pcapng(&bytes) => put(format!("seed-{name}"), head)?,
            "pcapng_reader" if is_pcapng(&bytes) => put(format!("seed-{name}"), head)?,
            "pcap_reader" | "pcapng_reader" => {}
            "dissect" => {
                let Ok(mut r) = Reader::from_bytes(bytes.clone(), ReaderOptions::default()) else {
                    continue;
                };
                let mut seen = BTreeSet::new();
                while let Ok(Some(f)) = r.next_frame() {
                    let Some(sel) = selector_of(f.link_type) else {
                        continue;
                    };
                    let data = f.data.get(..limit - 1).unwrap_or(f.data);
                    // One seed per distinct frame start (the headers are what matters).
                    let key = (sel, data.get(..64).unwrap_or(data).to_vec());
                    if seen.len() >= 64 || !seen.insert(key) {
                        continue;
                    }
                    let mut seed = vec![sel];
                    seed.extend_from_slice(data);
                    put(format!("seed-{name}-{}", f.number), &seed)?;
                }
            }
            _ => put(format!("seed-{name}"), head)?,
        }
    }
    Ok(written)
}

fn have_cargo_fuzz(cargo: &str) -> bool {
    Command::new(cargo)
        .args(["fuzz", "--version"])
        .stdout(Stdio::null())
        .stderr(Stdio::null())
        .status()
        .is_ok_and(|s| s.success())
}

/// Runs one target for `seconds`; returns whether it ended without a crash.
fn run_target(cargo: &str, root: &Path, target: &str, seconds: u64, captures: &[PathBuf]) -> bool {
    let corpus = root.join("fuzz").join("corpus").join(target);
    match seed(target, &corpus, captures) {
        Ok(n) => eprintln!(
            "xtask fuzz: {target}: {n} new seeds in {}",
            corpus.display()
        ),
        Err(e) => {
            eprintln!("xtask fuzz: cannot seed {}: {e}", corpus.display());
            return false;
        }
    }
    let max_len = max_len(target).to_string();
    let args = [
        "fuzz".to_string(),
        "run".into(),
        "-s".into(),
        "none".into(),
        target.into(),
        corpus.to_string_lossy().into_owned(),
        "--".into(),
        format!("-max_total_time={seconds}"),
        format!("-max_len={max_len}"),
        "-timeout=10".into(),
        "-rss_limit_mb=2048".into(),
        "-print_final_stats=1".into(),
    ];
    eprintln!("xtask fuzz: {cargo} {}", args.join(" "));
    Command::new(cargo)
        .args(&args)
        .current_dir(root)
        .status()
        .is_ok_and(|s| s.success())
}

/// Entry point of the task.
pub fn main(args: &[String]) -> ExitCode {
    let target = args.first().map(String::as_str).unwrap_or("all");
    if target == "list" {
        for t in TARGETS {
            println!("{t}");
        }
        return ExitCode::SUCCESS;
    }
    let seconds: u64 = match args.get(1).map(|s| s.parse()) {
        None => 60,
        Some(Ok(s)) => s,
        Some(Err(_)) => {
            eprintln!(
                "xtask fuzz: SECONDS must be a whole number, got {:?}",
                args[1]
            );
            return ExitCode::from(2);
        }
    };
    let targets: Vec<&str> = if target == "all" {
        TARGETS.to_vec()
    } else if TARGETS.contains(&target) {
        vec![target]
    } else {
        eprintln!(
            "xtask fuzz: unknown target {target:?}: expected all, list or one of {}",
            TARGETS.join(", ")
        );
        return ExitCode::from(2);
    };
    let cargo = std::env::var("CARGO").unwrap_or_else(|_| "cargo".to_string());
    if !have_cargo_fuzz(&cargo) {
        eprintln!("xtask fuzz: cargo-fuzz missing, installing it (cargo install cargo-fuzz)");
        let ok = Command::new(&cargo)
            .args(["install", "cargo-fuzz", "--locked"])
            .status()
            .is_ok_and(|s| s.success());
        if !ok {
            eprintln!("xtask fuzz: could not install cargo-fuzz; run `cargo install cargo-fuzz`");
            return ExitCode::FAILURE;
        }
    }
    let root = workspace_root();
    let mut captures = captures_in(&shared_captures_dir(&root));
    if captures.is_empty() {
        eprintln!(
            "xtask fuzz: no captures in {} (set PCAPKIT_SHARED); seeding from testdata only",
            shared_captures_dir(&root).display()
        );
    }
    captures.extend(captures_in(&root.join("testdata").join("captures")));
    let mut failed = Vec::new();
    for t in targets {
        if !run_target(&cargo, &root, t, seconds, &captures) {
            failed.push(t);
        }
    }
    if failed.is_empty() {
        ExitCode::SUCCESS
    } else {
        eprintln!(
            "xtask fuzz: crashes or failures in {} (inputs in fuzz/artifacts/)",
            failed.join(", ")
        );
        ExitCode::FAILURE
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn targets_match_the_fuzz_manifest() {
        let manifest = fs::read_to_string(workspace_root().join("fuzz").join("Cargo.toml"))
            .expect("fuzz/Cargo.toml");
        let names: Vec<&str> = manifest
            .lines()
            .filter_map(|l| l.strip_prefix("name = \""))
            .filter_map(|l| l.strip_suffix('"'))
            .filter(|n| *n != "pcapkit-fuzz")
            .collect();
        assert_eq!(names, TARGETS);
    }

    #[test]
    fn selectors_agree_with_the_dissect_target() {
        assert_eq!(selector_of(LinkType::ETHERNET), Some(0));
        assert_eq!(selector_of(LinkType::LINUX_SLL2), Some(9));
        assert_eq!(selector_of(LinkType(147)), Some(147));
        assert_eq!(selector_of(LinkType(5)), None);
        assert_eq!(selector_of(LinkType(300)), None);
    }

    #[test]
    fn seeds_split_frames_and_cut_captures() {
        let dir = std::env::temp_dir().join(format!("xtask-fuzz-seed-{}", std::process::id()));
        let _ = fs::remove_dir_all(&dir);
        let caps = captures_in(&workspace_root().join("testdata").join("captures"));
        assert!(!caps.is_empty());
        let n = seed("dissect", &dir.join("d"), &caps).unwrap();
        assert!(n > 5, "{n}");
        for e in fs::read_dir(dir.join("d")).unwrap() {
            let b = fs::read(e.unwrap().path()).unwrap();
            assert!(b.len() <= max_len("dissect"));
        }
        let pcapngs = caps
            .iter()
            .filter(|c| c.extension().is_some_and(|e| e == "pcapng"))
            .count();
        assert!(pcapngs >= 3, "multi-section, links and wlan: {pcapngs}");
        let n = seed("pcapng_reader", &dir.join("ng"), &caps).unwrap();
        assert_eq!(n, pcapngs, "one seed per committed pcapng capture");
        // seeding again adds nothing
        assert_eq!(seed("pcapng_reader", &dir.join("ng"), &caps).unwrap(), 0);
        let _ = fs::remove_dir_all(&dir);
    }
}
