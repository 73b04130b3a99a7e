//! `cargo xtask`: developer chores for pcapkit-rs.

fn main() {
    let task = std::env::args().nth(1).unwrap_or_default();
    eprintln!("xtask: unknown task {task:?}; tasks: test");
    std::process::exit(2);
}
