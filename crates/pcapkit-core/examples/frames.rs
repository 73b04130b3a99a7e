//! Lists the frames of a capture, one line each:
//! `number  epoch-time  caplen  origlen  link-type  interface`, tab-separated, e.g.
//! `1 1511106545.471719000 86 86 ETHERNET 0` (with tabs).
//!
//! ```text
//! cargo run -p pcapkit-core --example frames -- capture.pcapng
//! cat capture.pcap | cargo run -p pcapkit-core --example frames -- -
//! ```
//!
//! On a damaged capture it prints every good frame, then the error on stderr, and
//! exits with status 1.

use std::io::{BufWriter, Write};
use std::process::ExitCode;

use pcapkit_core::Reader;
use pcapkit_core::consts::RegistryEnum;

fn main() -> ExitCode {
    let mut args = std::env::args_os().skip(1);
    let (Some(path), None) = (args.next(), args.next()) else {
        eprintln!(
            "usage: frames FILE|-   (one line per frame: number, epoch, caplen, origlen, link type, interface)"
        );
        return ExitCode::from(2);
    };
    let mut reader = match Reader::open(&path) {
        Ok(r) => r,
        Err(e) => {
            eprintln!("error: {}: {e}", path.to_string_lossy());
            return ExitCode::FAILURE;
        }
    };
    let stdout = std::io::stdout();
    let mut out = BufWriter::with_capacity(1 << 16, stdout.lock());
    let status = loop {
        match reader.next_frame() {
            Ok(Some(f)) => {
                let line = writeln!(
                    out,
                    "{}\t{:#}\t{}\t{}\t{}\t{}",
                    f.number,
                    f.timestamp,
                    f.caplen,
                    f.origlen,
                    f.link_type.member_name(),
                    f.interface
                );
                if line.is_err() {
                    // stdout closed (e.g. piped into `head`): stop quietly
                    return ExitCode::SUCCESS;
                }
            }
            Ok(None) => break ExitCode::SUCCESS,
            Err(e) => {
                let _ = out.flush();
                eprintln!("error: {}: {e}", path.to_string_lossy());
                break ExitCode::FAILURE;
            }
        }
    };
    if out.flush().is_err() {
        return ExitCode::SUCCESS;
    }
    status
}
