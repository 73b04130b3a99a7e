//! `pcapkit-cli`: the command line of pcapkit (work in progress).

fn main() {
    println!("pcapkit-cli {}", env!("CARGO_PKG_VERSION"));
}
