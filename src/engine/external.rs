//! The third-party engines: `pyshark` (Wireshark's dissectors through the `tshark`
//! program, which is what pyshark wraps), `dpkt` and `scapy` (those Python libraries
//! through a `python3` process running a small script carried in this binary).
//!
//! The native reader still reads the capture (frame blocks, reassembly and tracing are
//! ours); each engine contributes, per frame, its layers and fields and its protocol
//! chain, which replace ours in the frame's block.
//!
//! - tshark reads the capture file itself (`tshark -r FILE -T json`); its packets are
//!   matched to ours by frame number.
//! - python3 receives each frame over a pipe (link type, length, bytes) and answers with
//!   one JSON line, in lock step, so the two sides can never disagree on frames.

use std::io::{BufRead, BufReader, Read, Write};
use std::path::{Path, PathBuf};
use std::process::{Child, ChildStdin, ChildStdout, Command, Stdio};
use std::thread::JoinHandle;

use crossbeam_channel::Receiver;
use pcapkit_dump::Tree as Value;

type Map = Vec<(String, Value)>;

/// Removes key `k` from an object's entries.
fn take(m: &mut Map, k: &str) -> Option<Value> {
    let i = m.iter().position(|(key, _)| key == k)?;
    Some(m.remove(i).1)
}

/// The string value of key `k`.
fn get_str<'a>(m: &'a Map, k: &str) -> Option<&'a str> {
    m.iter()
        .find(|(key, _)| key == k)
        .and_then(|(_, v)| v.as_str())
}

use pcapkit_core::RawFrame;

use crate::error::{Error, Result};
use crate::options::Engine;

/// The dpkt engine's script.
const DPKT_SCRIPT: &str = include_str!("dpkt_engine.py");
/// The scapy engine's script.
const SCAPY_SCRIPT: &str = include_str!("scapy_engine.py");

/// Exit status of the scripts when their library cannot be imported.
const MISSING_PACKAGE: i32 = 3;

/// Environment variable naming the Python interpreter of the dpkt and scapy engines.
pub const PYTHON_ENV: &str = "PCAPKIT_PYTHON";

/// One frame as a third-party engine dissected it.
#[derive(Debug, Default)]
pub(crate) struct Foreign {
    /// Its layers, in order, as the engine names them.
    pub(crate) layers: Map,
    /// Its protocol chain, as the engine names the layers.
    pub(crate) protocols: String,
}

/// A running third-party engine.
pub(crate) enum External {
    /// tshark, reading the file itself; its packets arrive on a channel.
    Tshark {
        child: Child,
        packets: Receiver<std::result::Result<Value, String>>,
        reader: Option<JoinHandle<()>>,
    },
    /// python3 running a script, fed frame by frame.
    Python {
        engine: Engine,
        child: Child,
        stdin: Option<ChildStdin>,
        stdout: BufReader<ChildStdout>,
        line: String,
    },
}

impl std::fmt::Debug for External {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        match self {
            External::Tshark { .. } => f.write_str("External::Tshark"),
            External::Python { engine, .. } => write!(f, "External::Python({engine})"),
        }
    }
}

fn not_available(engine: Engine, reason: String) -> Error {
    Error::EngineNotAvailable {
        engine: engine.name(),
        reason,
    }
}

/// The Python interpreter to run: the `python` option, else `PCAPKIT_PYTHON`, else
/// `python3`.
pub(crate) fn python_program(option: Option<&Path>) -> PathBuf {
    if let Some(p) = option {
        return p.to_path_buf();
    }
    match std::env::var_os(PYTHON_ENV) {
        Some(p) if !p.is_empty() => PathBuf::from(p),
        _ => PathBuf::from("python3"),
    }
}

impl External {
    /// Starts `engine` for the capture `input` (tshark reads it; it must be a file).
    pub(crate) fn start(
        engine: Engine,
        input: Option<&Path>,
        python: Option<&Path>,
    ) -> Result<Self> {
        match engine {
            Engine::PyShark => Self::tshark(input),
            Engine::Dpkt | Engine::Scapy => Self::python(engine, python),
            _ => Err(Error::Usage(format!(
                "{engine} is not a third-party engine"
            ))),
        }
    }

    fn tshark(input: Option<&Path>) -> Result<Self> {
        let Some(input) = input else {
            return Err(Error::Usage(
                "the pyshark engine runs tshark on a capture file: give a file path, not \
                 standard input"
                    .into(),
            ));
        };
        let mut child = Command::new("tshark")
            .arg("-r")
            .arg(input)
            .args(["-n", "-T", "json", "--no-duplicate-keys"])
            .stdin(Stdio::null())
            .stdout(Stdio::piped())
            .stderr(Stdio::piped())
            .spawn()
            .map_err(|e| {
                not_available(
                    Engine::PyShark,
                    if e.kind() == std::io::ErrorKind::NotFound {
                        "the tshark program is not installed (apt-get install tshark, or \
                         Wireshark's command-line tools)"
                            .to_owned()
                    } else {
                        format!("cannot run tshark: {e}")
                    },
                )
            })?;
        let Some(stdout) = child.stdout.take() else {
            return Err(Error::Usage("tshark has no standard output".into()));
        };
        let stderr = child.stderr.take();
        let (tx, packets) = crossbeam_channel::bounded(1024);
        let reader = std::thread::Builder::new()
            .name("pcapkit-tshark".into())
            .spawn(move || {
                let mut split = JsonArraySplitter::new(BufReader::with_capacity(1 << 16, stdout));
                loop {
                    match split.next_object() {
                        Ok(Some(bytes)) => {
                            let v = serde_json::from_slice::<Value>(&bytes)
                                .map_err(|e| format!("tshark printed invalid JSON: {e}"));
                            if tx.send(v).is_err() {
                                return;
                            }
                        }
                        Ok(None) => break,
                        Err(e) => {
                            let _ = tx.send(Err(format!("reading tshark's output: {e}")));
                            return;
                        }
                    }
                }
                // tshark ended: say why if it complained.
                let mut msg = String::new();
                if let Some(mut err) = stderr {
                    let _ = err.read_to_string(&mut msg);
                }
                let msg = msg.trim();
                if !msg.is_empty() {
                    let _ = tx.send(Err(format!(
                        "tshark: {}",
                        msg.lines().next().unwrap_or(msg)
                    )));
                }
            })
            .map_err(|e| Error::Usage(format!("cannot start a thread: {e}")))?;
        Ok(External::Tshark {
            child,
            packets,
            reader: Some(reader),
        })
    }

    fn python(engine: Engine, python: Option<&Path>) -> Result<Self> {
        let program = python_program(python);
        let (script, package) = match engine {
            Engine::Scapy => (SCAPY_SCRIPT, "scapy"),
            _ => (DPKT_SCRIPT, "dpkt"),
        };
        let mut child = Command::new(&program)
            .arg("-c")
            .arg(script)
            .stdin(Stdio::piped())
            .stdout(Stdio::piped())
            .stderr(Stdio::piped())
            .spawn()
            .map_err(|e| {
                not_available(
                    engine,
                    if e.kind() == std::io::ErrorKind::NotFound {
                        format!(
                            "the Python interpreter {} is not installed (apt-get install \
                             python3, or set {PYTHON_ENV} to the python that has {package})",
                            program.display()
                        )
                    } else {
                        format!("cannot run {}: {e}", program.display())
                    },
                )
            })?;
        let (Some(stdin), Some(stdout)) = (child.stdin.take(), child.stdout.take()) else {
            return Err(Error::Usage("python has no standard streams".into()));
        };
        let mut stdout = BufReader::new(stdout);
        // The script says `ready` once its library is imported.
        let mut line = String::new();
        let ready = stdout.read_line(&mut line).is_ok() && line.trim() == "ready";
        if !ready {
            let status = child.wait().ok().and_then(|s| s.code());
            let mut msg = String::new();
            if let Some(mut err) = child.stderr.take() {
                let _ = err.read_to_string(&mut msg);
            }
            let reason = if status == Some(MISSING_PACKAGE) {
                format!(
                    "the Python package {package} is not installed for {} (pip install \
                     {package}, or apt-get install python3-{package}; or set {PYTHON_ENV} to \
                     a python that has it)",
                    program.display()
                )
            } else {
                format!(
                    "{} could not start the {package} script: {}",
                    program.display(),
                    msg.trim().lines().last().unwrap_or("no message")
                )
            };
            return Err(not_available(engine, reason));
        }
        Ok(External::Python {
            engine,
            child,
            stdin: Some(stdin),
            stdout,
            line,
        })
    }

    /// The engine's dissection of `frame` (the next frame of the capture).
    pub(crate) fn dissect(&mut self, frame: &RawFrame<'_>) -> Result<Foreign> {
        match self {
            External::Tshark { packets, .. } => {
                let v = match packets.recv() {
                    Ok(Ok(v)) => v,
                    Ok(Err(msg)) => return Err(engine_error(Engine::PyShark, frame.number, &msg)),
                    Err(_) => {
                        return Err(engine_error(
                            Engine::PyShark,
                            frame.number,
                            "tshark stopped before this frame (it read fewer frames than we did)",
                        ));
                    }
                };
                tshark_frame(v, frame.number)
            }
            External::Python {
                engine,
                stdin,
                stdout,
                line,
                ..
            } => {
                let engine = *engine;
                let Some(pipe) = stdin.as_mut() else {
                    return Err(engine_error(engine, frame.number, "the script has ended"));
                };
                let len = u32::try_from(frame.data.len()).unwrap_or(u32::MAX);
                let mut msg = Vec::with_capacity(frame.data.len() + 8);
                msg.extend_from_slice(&frame.link_type.0.to_le_bytes());
                msg.extend_from_slice(&len.to_le_bytes());
                msg.extend_from_slice(frame.data.get(..len as usize).unwrap_or(frame.data));
                let sent = pipe.write_all(&msg).and_then(|()| pipe.flush());
                line.clear();
                let got = sent.and_then(|()| stdout.read_line(line));
                match got {
                    Ok(n) if n > 0 => {}
                    Ok(_) => return Err(engine_error(engine, frame.number, "the script ended")),
                    Err(e) => {
                        return Err(engine_error(engine, frame.number, &format!("pipe: {e}")));
                    }
                }
                let v: Value = serde_json::from_str(line).map_err(|e| {
                    engine_error(engine, frame.number, &format!("invalid answer: {e}"))
                })?;
                python_frame(v)
            }
        }
    }
}

fn engine_error(engine: Engine, frame: u64, what: &str) -> Error {
    Error::Engine {
        engine: engine.name(),
        frame,
        what: what.to_owned(),
    }
}

/// A tshark packet (`{"_source": {"layers": {...}}}`) as our frame `number`.
fn tshark_frame(v: Value, number: u64) -> Result<Foreign> {
    let Value::Object(mut top) = v else {
        return Err(engine_error(Engine::PyShark, number, "not a JSON object"));
    };
    let layers = match take(&mut top, "_source") {
        Some(Value::Object(mut src)) => match take(&mut src, "layers") {
            Some(Value::Object(l)) => l,
            _ => Map::new(),
        },
        _ => Map::new(),
    };
    let mut layers = layers;
    let frame = match take(&mut layers, "frame") {
        Some(Value::Object(f)) => f,
        _ => Map::new(),
    };
    let theirs = get_str(&frame, "frame.number").and_then(|n| n.parse::<u64>().ok());
    if theirs != Some(number) {
        return Err(engine_error(
            Engine::PyShark,
            number,
            &format!(
                "tshark's packets are out of step with the capture (it says frame {theirs:?})"
            ),
        ));
    }
    let protocols = get_str(&frame, "frame.protocols")
        .unwrap_or_default()
        .to_owned();
    Ok(Foreign { layers, protocols })
}

/// The script's answer `{"layers": {...}, "protocols": "..."}`.
fn python_frame(v: Value) -> Result<Foreign> {
    let Value::Object(mut top) = v else {
        return Ok(Foreign::default());
    };
    let layers = match take(&mut top, "layers") {
        Some(Value::Object(l)) => l,
        _ => Map::new(),
    };
    let protocols = get_str(&top, "protocols").unwrap_or_default().to_owned();
    Ok(Foreign { layers, protocols })
}

impl Drop for External {
    fn drop(&mut self) {
        match self {
            External::Tshark {
                child,
                reader,
                packets,
            } => {
                // Drop our end first: a reader blocked on a full channel then returns.
                drop(std::mem::replace(packets, crossbeam_channel::never()));
                let _ = child.kill();
                let _ = child.wait();
                if let Some(r) = reader.take() {
                    let _ = r.join();
                }
            }
            External::Python { child, stdin, .. } => {
                // End of input: the script exits.
                drop(stdin.take());
                let _ = child.wait();
            }
        }
    }
}

/// Splits a JSON array streamed by tshark (`[ {...}, {...} ]`) into its objects, without
/// reading the whole array.
struct JsonArraySplitter<R> {
    r: R,
}

impl<R: BufRead> JsonArraySplitter<R> {
    fn new(r: R) -> Self {
        Self { r }
    }

    /// The next top-level object's bytes; `None` at the end of the array.
    fn next_object(&mut self) -> std::io::Result<Option<Vec<u8>>> {
        // Skip to the next `{` at the top level.
        loop {
            let buf = self.r.fill_buf()?;
            let Some(&b) = buf.first() else {
                return Ok(None);
            };
            self.r.consume(1);
            match b {
                b'{' => break,
                b']' => return Ok(None),
                _ => {}
            }
        }
        let mut out = vec![b'{'];
        let mut depth = 1usize;
        let mut in_string = false;
        let mut escape = false;
        while depth > 0 {
            let buf = self.r.fill_buf()?;
            if buf.is_empty() {
                return Err(std::io::Error::new(
                    std::io::ErrorKind::UnexpectedEof,
                    "tshark's output ended inside a packet",
                ));
            }
            let mut used = 0;
            for &b in buf {
                used += 1;
                if in_string {
                    if escape {
                        escape = false;
                    } else if b == b'\\' {
                        escape = true;
                    } else if b == b'"' {
                        in_string = false;
                    }
                } else {
                    match b {
                        b'"' => in_string = true,
                        b'{' | b'[' => depth += 1,
                        b'}' | b']' => depth -= 1,
                        _ => {}
                    }
                }
                if depth == 0 {
                    break;
                }
            }
            out.extend_from_slice(buf.get(..used).unwrap_or_default());
            self.r.consume(used);
        }
        Ok(Some(out))
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn splits_an_array_of_objects() {
        let text = b"[\n  {\"a\": \"}{[\\\"\", \"b\": [1, {\"c\": 2}]},\n  {\"d\": {}}\n]\n";
        let mut s = JsonArraySplitter::new(&text[..]);
        let a = s.next_object().unwrap().unwrap();
        let v: serde_json::Value = serde_json::from_slice(&a).unwrap();
        assert_eq!(v["a"], "}{[\"");
        assert_eq!(v["b"][1]["c"], 2);
        let t: Value = serde_json::from_slice(&a).unwrap();
        assert_eq!(t.entries().first().map(|(k, _)| k.as_str()), Some("a"));
        let b = s.next_object().unwrap().unwrap();
        assert_eq!(b, b"{\"d\": {}}");
        assert!(s.next_object().unwrap().is_none());
        let mut cut = JsonArraySplitter::new(&b"[{\"a\": 1"[..]);
        assert!(cut.next_object().is_err());
    }

    #[test]
    fn python_choice() {
        assert_eq!(
            python_program(Some(Path::new("/opt/py"))),
            PathBuf::from("/opt/py")
        );
    }
}
