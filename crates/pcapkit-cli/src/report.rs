//! What the user sees besides the output: verbose lines, the progress bar, and errors
//! as one line with an exit status.

use std::io::{self, IsTerminal, Write};
use std::process::ExitCode;
use std::sync::Arc;
use std::sync::atomic::{AtomicU64, Ordering};
use std::time::Duration;

use indicatif::{ProgressBar, ProgressDrawTarget, ProgressStyle};
use pcapkit::{Error, FrameRef};

/// Frames between progress bar updates.
const PROGRESS_EVERY: u64 = 1024;

/// Where messages go: standard output, unless the document goes there.
#[derive(Clone, Copy, Debug)]
pub enum Channel {
    Stdout,
    Stderr,
}

impl Channel {
    pub fn line(self, text: std::fmt::Arguments<'_>) {
        // Messages must never stop the extraction: write errors are ignored.
        match self {
            Channel::Stdout => {
                let _ = writeln!(io::stdout().lock(), "{text}");
            }
            Channel::Stderr => {
                let _ = writeln!(io::stderr().lock(), "{text}");
            }
        }
    }
}

/// Per-frame feedback: verbose lines and the progress bar, plus the frame count for
/// error messages.
pub struct Feedback {
    pub frames: Arc<AtomicU64>,
    verbose: Option<Channel>,
    bar: Option<ProgressBar>,
}

impl Feedback {
    /// `total` is the input size in bytes when known. The bar shows only when stderr
    /// is a terminal and neither `quiet` nor `verbose` is set.
    pub fn new(verbose: Option<Channel>, quiet: bool, total: Option<u64>) -> Self {
        let bar = (!quiet && verbose.is_none() && io::stderr().is_terminal()).then(|| {
            let bar = match total {
                Some(n) => ProgressBar::with_draw_target(Some(n), ProgressDrawTarget::stderr()),
                None => ProgressBar::with_draw_target(None, ProgressDrawTarget::stderr()),
            };
            let template = if total.is_some() {
                "{wide_bar} {bytes}/{total_bytes} {bytes_per_sec} {msg}"
            } else {
                "{spinner} {bytes} {bytes_per_sec} {msg}"
            };
            if let Ok(style) = ProgressStyle::with_template(template) {
                bar.set_style(style);
            }
            bar.enable_steady_tick(Duration::from_millis(250));
            bar
        });
        Self {
            frames: Arc::new(AtomicU64::new(0)),
            verbose,
            bar,
        }
    }

    /// The per-frame callback for `verbose_with`.
    pub fn callback(&self) -> impl FnMut(&FrameRef<'_, '_>) + Send + 'static {
        let frames = Arc::clone(&self.frames);
        let verbose = self.verbose;
        let bar = self.bar.clone();
        move |frame| {
            let n = frames.fetch_add(1, Ordering::Relaxed) + 1;
            if let Some(ch) = verbose {
                ch.line(format_args!(
                    "Frame {:>3}: {}",
                    frame.number(),
                    frame.packet().protocols()
                ));
            }
            if let Some(bar) = &bar
                && n % PROGRESS_EVERY == 0
            {
                bar.set_position(frame.offset());
                bar.set_message(format!("{n} frames"));
            }
        }
    }

    /// Removes the progress bar.
    pub fn done(&self) {
        if let Some(bar) = &self.bar {
            bar.finish_and_clear();
        }
    }

    pub fn count(&self) -> u64 {
        self.frames.load(Ordering::Relaxed)
    }
}

/// The one-line message and exit status for an error.
pub fn fail(err: &Error, frames: u64, output: Option<&str>) -> ExitCode {
    if let Error::Output(e) = err
        && e.io_error()
            .is_some_and(|e| e.kind() == io::ErrorKind::BrokenPipe)
    {
        // The reader of our standard output went away (`| head`): not an error.
        return ExitCode::SUCCESS;
    }
    let held = match output {
        Some(o) if frames > 0 => format!("; {o} holds the {frames} frames before it"),
        _ => String::new(),
    };
    let (message, code) = match err {
        Error::Interrupted { frames } => (
            format!(
                "interrupted after {frames} frames{}",
                match output {
                    Some(o) => format!("; {o} is complete up to there"),
                    None => String::new(),
                }
            ),
            130,
        ),
        Error::Capture { .. } => (format!("{err}{held}"), 1),
        Error::Output(_) => (
            format!("{err}; choose another output with -o (or -o - for standard output)"),
            1,
        ),
        Error::NotImplemented { .. } | Error::EngineNotAvailable { .. } => {
            (format!("{err}; run without that option"), 1)
        }
        _ => (err.to_string(), 1),
    };
    Channel::Stderr.line(format_args!("pcapkit-cli: error: {message}"));
    ExitCode::from(code)
}

/// After the run: one line per enabled reassembler on stderr when verbose, and always
/// (unless quiet) when a cap evicted something, so evictions are never silent.
pub fn reassembly(r: &pcapkit::ReassemblyData, verbose: bool, quiet: bool) {
    for (p, s) in &r.stats {
        let evicted = s.evictions();
        if quiet || (!verbose && evicted == 0 && s.oversize == 0) {
            continue;
        }
        let _ = writeln!(
            io::stderr().lock(),
            "[*] {} reassembly: {} complete, {} incomplete ({} not reported), {} overlapping \
             and {} retransmitted bytes; evicted: {} idle, {} capacity, {} memory, {} holes; \
             {} over the size cap",
            p.name(),
            s.completed,
            s.incomplete,
            s.incomplete_dropped,
            s.overlap_bytes,
            s.retransmitted_bytes,
            s.evicted_idle,
            s.evicted_capacity,
            s.evicted_memory,
            s.evicted_holes,
            s.oversize,
        );
    }
}
