//! `cargo xtask`: developer chores for pcapkit-rs.
//!
//! One module per task; `main` dispatches on the first argument.

use std::process::ExitCode;

mod fuzz;
mod gen_consts;
mod test;

const USAGE: &str = "usage: cargo xtask <task> [options]

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
      fuzz/corpus/TARGET from the captures. See docs/fuzzing.md.";

fn main() -> ExitCode {
    let mut args = std::env::args().skip(1);
    let task = args.next();
    let rest: Vec<String> = args.collect();
    match task.as_deref() {
        Some("test") => test::main(&rest),
        Some("gen-consts") => gen_consts::main(&rest),
        Some("fuzz") => fuzz::main(&rest),
        Some("help" | "-h" | "--help") => {
            println!("{USAGE}");
            ExitCode::SUCCESS
        }
        other => {
            eprintln!("xtask: unknown task {other:?}\n\n{USAGE}");
            ExitCode::from(2)
        }
    }
}
