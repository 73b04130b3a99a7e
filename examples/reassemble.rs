//! Extracts a capture with IPv4, IPv6 and TCP reassembly and prints what was
//! reassembled: the library path `cargo xtask bench` times for reassembly (every
//! frame dissected once, every datagram assembled and handed out, nothing written).
//!
//! ```text
//! cargo run --release --example reassemble -- capture.pcap
//! ```

use std::process::ExitCode;

use pcapkit::pcapkit_reasm::Protocol;
use pcapkit::{ExtractOptions, extract};

fn main() -> ExitCode {
    let mut args = std::env::args_os().skip(1);
    let (Some(path), None) = (args.next(), args.next()) else {
        eprintln!(
            "usage: reassemble FILE   (prints: frames, then per protocol fed/completed/incomplete)"
        );
        return ExitCode::from(2);
    };
    let options = ExtractOptions::new(&path)
        .nofile(true)
        .store(false)
        .ip(true)
        .tcp(true)
        .reasm_store(false);
    let ex = match extract(options) {
        Ok(ex) => ex,
        Err(e) => {
            eprintln!("error: {e}");
            return ExitCode::FAILURE;
        }
    };
    let Ok(data) = ex.reassembly() else {
        eprintln!("error: no reassembly results");
        return ExitCode::FAILURE;
    };
    println!("frames {}", ex.length());
    for p in [Protocol::Ipv4, Protocol::Ipv6, Protocol::Tcp] {
        if let Some(s) = data.stats_of(p) {
            println!(
                "{} fed {} completed {} incomplete {}",
                p.name(),
                s.fed,
                s.completed,
                s.incomplete
            );
        }
    }
    ExitCode::SUCCESS
}
