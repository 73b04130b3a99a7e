//! Flow tracing in the facade: [`crate::trace`], the Extractor's `trace*` options and
//! the sink that feeds a [`TraceFlow`] with every frame.

use std::path::Path;
use std::sync::{Arc, Mutex, PoisonError};

use pcapkit_dump::ByteOrder;
use pcapkit_protocols::{DissectOptions, Stop, dissect};
use pcapkit_trace::TraceOptions;

use crate::error::{Error, Result};
use crate::frame::FrameRef;
use crate::options::ExtractOptions;
use crate::sink::Sink;

pub use pcapkit_trace::{
    FlowEnd, FlowRecord, Segment, TraceError, TraceFormat, Tracer as TraceFlow,
};

/// The byte order named by `name`, or a usage error.
fn byteorder(name: &str, what: &str) -> Result<ByteOrder> {
    ByteOrder::from_name(name).ok_or_else(|| {
        Error::Usage(format!(
            "unknown {what}byte order {name:?}: expected little, big or native"
        ))
    })
}

fn format(name: &str) -> Result<TraceFormat> {
    TraceFormat::from_name(name).map_err(|e| Error::Trace(TraceError::UnknownFormat(e)))
}

/// The trace options of an extraction, checked (`None` without `trace`).
pub(crate) fn options(opts: &ExtractOptions) -> Result<Option<TraceOptions>> {
    if !opts.trace {
        return Ok(None);
    }
    if !opts.tcp {
        return Err(Error::Usage(
            "trace needs tcp (flow tracing follows TCP connections)".into(),
        ));
    }
    let mut t = TraceOptions::new(&opts.trace_fout)
        .format(format(&opts.trace_format)?)
        .byteorder(byteorder(&opts.trace_byteorder, "trace ")?)
        .nanosecond(opts.trace_nanosecond)
        .packets(opts.packets);
    if let Some(n) = opts.trace_max_open {
        t = t.max_open(n);
    }
    t.idle_timeout = opts.trace_timeout;
    Ok(Some(t))
}

/// The shared tracer of an Extractor.
pub(crate) type Shared = Arc<Mutex<TraceFlow>>;

/// Adds the trace sink to `sinks` when tracing is on; the tracer for
/// [`crate::Extractor::trace`].
pub(crate) fn sink(
    opts: Option<TraceOptions>,
    stop: &Stop,
    sinks: &mut Vec<Box<dyn Sink>>,
) -> Result<Option<Shared>> {
    let Some(opts) = opts else {
        return Ok(None);
    };
    let tracer = Arc::new(Mutex::new(TraceFlow::new(opts)?));
    let limited = stop.layer.is_some() || stop.protocol.is_some();
    sinks.push(Box::new(TraceSink {
        tracer: Arc::clone(&tracer),
        // `layer`/`protocol` limit the output, not tracing: frames are dissected again
        // without the limit when it may have hidden the TCP header.
        full: limited.then(DissectOptions::default),
    }));
    Ok(Some(tracer))
}

/// The flow index of an Extractor's tracer.
pub(crate) fn index(t: Option<&Shared>) -> Result<Vec<FlowRecord>> {
    match t {
        Some(t) => Ok(t.lock().unwrap_or_else(PoisonError::into_inner).index()),
        None => Err(Error::NotEnabled {
            what: "trace",
            hint: "extract with trace(true) and tcp(true)",
        }),
    }
}

struct TraceSink {
    tracer: Shared,
    full: Option<DissectOptions>,
}

impl Sink for TraceSink {
    fn frame(&mut self, frame: &FrameRef<'_, '_>) -> Result<()> {
        let mut t = self.tracer.lock().unwrap_or_else(PoisonError::into_inner);
        match &self.full {
            Some(o) if Segment::from_packet(frame.packet()).is_none() => {
                let p = dissect(frame.raw.link_type, frame.raw.data, o);
                t.feed(frame.raw, &p)?;
            }
            _ => {
                t.feed(frame.raw, frame.packet())?;
            }
        }
        Ok(())
    }

    fn finish(&mut self) -> Result<()> {
        let mut t = self.tracer.lock().unwrap_or_else(PoisonError::into_inner);
        t.finish()?;
        Ok(())
    }
}

/// A TCP flow tracer writing one file per flow into `fout` in `format` (`pcap`,
/// `pcapng`, `json`, `jsonl`, `plist`, `tree`), PCAP files in `byteorder` (`little`,
/// `big`, `native`) with nanosecond timestamps if asked. Feed it dissected frames
/// ([`TraceFlow::feed`]), then [`TraceFlow::finish`] for the index (also written as
/// `index.json` and `index.csv` in `fout`).
pub(crate) fn trace(
    fout: &Path,
    format_name: &str,
    byteorder_name: &str,
    nanosecond: bool,
) -> Result<TraceFlow> {
    let format = match pcapkit_dump::Format::from_name(format_name) {
        Ok(f) => TraceFormat::from(f),
        Err(e) => match TraceFormat::from_name(format_name) {
            Ok(f) => f,
            Err(_) => return Err(Error::UnknownFormat(e)),
        },
    };
    let opts = TraceOptions::new(fout)
        .format(format)
        .byteorder(byteorder(byteorder_name, "")?)
        .nanosecond(nanosecond);
    Ok(TraceFlow::new(opts)?)
}
