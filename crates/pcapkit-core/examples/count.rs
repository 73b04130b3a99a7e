//! Reads every frame of a capture and prints how many frames and bytes it holds: the
//! frame-iteration floor that `cargo xtask bench` times next to `cat`.
//!
//! ```text
//! cargo run --release -p pcapkit-core --example count -- capture.pcap
//! ```

use std::process::ExitCode;

use pcapkit_core::Reader;

fn main() -> ExitCode {
    let mut args = std::env::args_os().skip(1);
    let (Some(path), None) = (args.next(), args.next()) else {
        eprintln!("usage: count FILE|-   (prints: frames bytes)");
        return ExitCode::from(2);
    };
    let mut reader = match Reader::open(&path) {
        Ok(r) => r,
        Err(e) => {
            eprintln!("error: {}: {e}", path.to_string_lossy());
            return ExitCode::FAILURE;
        }
    };
    let (mut frames, mut bytes) = (0u64, 0u64);
    loop {
        match reader.next_frame() {
            Ok(Some(f)) => {
                frames += 1;
                bytes += u64::from(f.caplen);
                std::hint::black_box(f.data);
            }
            Ok(None) => break,
            Err(e) => {
                eprintln!("error after {frames} frames: {e}");
                return ExitCode::FAILURE;
            }
        }
    }
    println!("{frames} {bytes}");
    ExitCode::SUCCESS
}
