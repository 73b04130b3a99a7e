//! `pcapkit-cli`: PyPCAPKit's command line on pcapkit-rs.
//!
//! Parses the arguments, builds the extraction options, runs the extraction and turns
//! errors into one line on stderr: exit status 1 for errors, 2 for usage errors, 130
//! when interrupted (Ctrl-C: the output is closed and holds every frame before it; a
//! second Ctrl-C quits at once).

mod cli;
mod report;

use std::process::ExitCode;
use std::sync::Arc;
use std::sync::atomic::{AtomicBool, Ordering};

use clap::Parser;

use cli::Args;
use report::{Channel, Feedback};

/// A flag set by the first Ctrl-C; the second one exits immediately.
fn interrupt_flag() -> Arc<AtomicBool> {
    let flag = Arc::new(AtomicBool::new(false));
    let handler_flag = Arc::clone(&flag);
    // Without a handler Ctrl-C just kills the process: still better than failing.
    let _ = ctrlc::set_handler(move || {
        if handler_flag.swap(true, Ordering::SeqCst) {
            std::process::exit(130);
        }
    });
    flag
}

fn main() -> ExitCode {
    let args = Args::parse();
    let channel = if args.to_stdout() {
        Channel::Stderr
    } else {
        Channel::Stdout
    };
    if args.threads.is_some() {
        return report::fail(
            &pcapkit::Error::NotImplemented {
                feature: "multi-threaded extraction (--threads)",
            },
            0,
            None,
        );
    }
    let total = (args.input != "-")
        .then(|| std::fs::metadata(&args.input).ok().map(|m| m.len()))
        .flatten();
    let feedback = Feedback::new(args.verbose.then_some(channel), args.quiet, total);
    if args.verbose {
        channel.line(format_args!("[*] Loading file '{}'", args.input));
    }
    let options = args
        .options()
        .verbose_with(feedback.callback())
        .interrupt(interrupt_flag());
    let result = pcapkit::extract(options);
    feedback.done();
    match result {
        Ok(ex) => {
            if let Ok(r) = ex.reassembly() {
                report::reassembly(r, args.verbose, args.quiet);
            }
            if args.verbose
                && let Some(out) = ex.output()
            {
                channel.line(format_args!(
                    "[*] Report file stored in '{}'",
                    out.display()
                ));
            }
            ExitCode::SUCCESS
        }
        Err(e) => {
            let output = (!args.nofile).then_some(args.output.as_str());
            report::fail(&e, feedback.count(), output)
        }
    }
}
