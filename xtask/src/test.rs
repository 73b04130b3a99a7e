//! `cargo xtask test`: install what the test suite needs if it is missing (tshark for the
//! Wireshark oracle, python3 with dpkt and scapy for comparisons), then run
//! `cargo test --workspace` with any extra arguments passed through.

use std::process::{Command, ExitCode, Stdio};

/// Whether `cmd args...` runs and exits 0 (output discarded).
fn succeeds(cmd: &str, args: &[&str]) -> bool {
    Command::new(cmd)
        .args(args)
        .stdout(Stdio::null())
        .stderr(Stdio::null())
        .status()
        .is_ok_and(|s| s.success())
}

/// Runs a command, echoing it; returns whether it succeeded.
fn run(cmd: &str, args: &[&str]) -> bool {
    eprintln!("xtask test: {cmd} {}", args.join(" "));
    Command::new(cmd)
        .args(args)
        .env("DEBIAN_FRONTEND", "noninteractive")
        .status()
        .is_ok_and(|s| s.success())
}

/// Best-effort installation of the tools some tests use; a failure is reported, not fatal
/// (tests that need a missing tool say so).
fn ensure_tools() {
    if !succeeds("tshark", &["--version"]) {
        if succeeds("apt-get", &["--version"]) {
            let ok = run("apt-get", &["update", "-qq"])
                && run("apt-get", &["install", "-y", "-qq", "tshark"]);
            if !ok {
                eprintln!("xtask test: could not install tshark");
            }
        } else {
            eprintln!("xtask test: tshark missing and no apt-get to install it");
        }
    }
    let have = |module: &str| succeeds("python3", &["-c", &format!("import {module}")]);
    let missing: Vec<&str> = ["dpkt", "scapy"].into_iter().filter(|m| !have(m)).collect();
    if !missing.is_empty() && succeeds("python3", &["--version"]) {
        let mut args = vec!["-m", "pip", "install", "-q", "--break-system-packages"];
        args.extend(&missing);
        if !run("python3", &args) {
            // Debian's packages, for the system python3.
            let debs: Vec<String> = missing.iter().map(|m| format!("python3-{m}")).collect();
            let mut apt = vec!["install", "-y", "-qq", "--no-install-recommends"];
            apt.extend(debs.iter().map(String::as_str));
            let ok = succeeds("apt-get", &["--version"])
                && run("apt-get", &["update", "-qq"])
                && run("apt-get", &apt);
            if !ok {
                eprintln!(
                    "xtask test: could not install python3 {} (the dpkt and scapy engine \
                     tests will fail)",
                    missing.join(" ")
                );
            }
        }
    }
}

/// Entry point of the task.
pub fn main(args: &[String]) -> ExitCode {
    ensure_tools();
    let cargo = std::env::var("CARGO").unwrap_or_else(|_| "cargo".to_string());
    let mut cmd = Command::new(cargo);
    cmd.args(["test", "--workspace"]).args(args);
    if let Some(root) = std::path::Path::new(env!("CARGO_MANIFEST_DIR")).parent() {
        cmd.current_dir(root);
    }
    match cmd.status() {
        Ok(s) if s.success() => ExitCode::SUCCESS,
        Ok(_) => ExitCode::FAILURE,
        Err(e) => {
            eprintln!("xtask test: cannot run cargo: {e}");
            ExitCode::FAILURE
        }
    }
}
