//! `cargo xtask`: developer chores for pcapkit-rs.
//!
//! One module per task; `main` dispatches on the first argument.

use std::process::ExitCode;

mod bench;
mod fuzz;
mod gen_consts;
mod gen_traffic;
mod test;

const USAGE_HEAD: &str = "usage: cargo xtask <task> [options]

tasks:
  test [CARGO TEST ARGS]
      Install what the tests need if missing (tshark, python3 dpkt/scapy), then run
      cargo test --workspace.
  gen-consts [--registries DIR] [--check]
      Generate crates/pcapkit-{core,protocols}/src/consts/ from the IANA registries
      (default DIR: ../shared/registries) and xtask/data/. --check only reports stale files.
  fuzz [TARGET|all|list] [SECONDS]
      Run the libFuzzer targets of fuzz/ (default: all, 60 s each) on stable Rust
      (cargo fuzz run -s none), installing cargo-fuzz if missing and seeding
      fuzz/corpus/TARGET from the captures. See docs/fuzzing.md.
";

fn main() -> ExitCode {
    let mut args = std::env::args().skip(1);
    let task = args.next();
    let rest: Vec<String> = args.collect();
    match task.as_deref() {
        Some("test") => test::main(&rest),
        Some("gen-consts") => gen_consts::main(&rest),
        Some("fuzz") => fuzz::main(&rest),
        Some("gen-traffic") => gen_traffic::main(&rest),
        Some("bench") => bench::main(&rest),
        Some("help" | "-h" | "--help") => {
            println!("{}", usage());
            ExitCode::SUCCESS
        }
        other => {
            eprintln!("xtask: unknown task {other:?}\n\n{}", usage());
            ExitCode::from(2)
        }
    }
}

/// The usage text of every task.
fn usage() -> String {
    format!("{USAGE_HEAD}{}\n{}", gen_traffic::USAGE, bench::USAGE)
}

/// The workspace root (the parent of `xtask/`).
pub fn workspace_root() -> std::path::PathBuf {
    let xtask = std::path::Path::new(env!("CARGO_MANIFEST_DIR"));
    xtask.parent().unwrap_or(xtask).to_path_buf()
}

/// Cargo's target directory: `CARGO_TARGET_DIR` or `target/` in the workspace.
pub fn target_dir() -> std::path::PathBuf {
    match std::env::var_os("CARGO_TARGET_DIR") {
        Some(d) => workspace_root().join(d),
        None => workspace_root().join("target"),
    }
}
