//! File Transfer Protocol, control connection (RFC 959).
//!
//! One layer per TCP payload. Its first line is decoded as PyPCAPKit does (request:
//! `type`, `cmmd`, `args`; response: `type`, `code`, `args`, `more`) and as tshark does
//! (`ftp.request.*` / `ftp.response.*` describe the first line only); the other lines
//! of a multi-line reply (or of several pipelined commands) follow as `lines`, a list
//! of strings, present only when there are any.
//!
//! Corrections of PyPCAPKit's bug 33: commands and replies without arguments
//! (`QUIT\r\n`, `220-\r\n`) have `args: null`; multi-line replies are kept; a
//! continuation line (no code) is a response with `code: null` and `more: true`;
//! commands are looked up case-insensitively (`user` is `Command::USER`); unknown
//! commands print as `Command::XYZ [xyz]` without changing any registry.
//!
//! Direction follows the ports (destination port 21: request, source port 21:
//! response, like tshark); without ports, a line starting with three digits is a
//! response. The whole payload is the layer's header (`packet` is empty, no child).

use serde::Serialize;
use serde::ser::{SerializeStruct, Serializer};

use crate::consts::ftp::{Command, ReturnCode, Type};
use crate::consts::support::StrMember;
use crate::error::{DissectError, Result};
use crate::protocol::{Ctx, Header, Level, Next, Parse, Parsed};
use crate::ser::SeqOf;

use super::text::{Lines, Text, split_line};

/// The FTP control port.
pub const PORT: u16 = 21;

/// An FTP control message (`ftp`, chain token `FTP`).
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct Ftp<'a> {
    /// The first line.
    pub message: FtpMessage<'a>,
    /// The bytes after the first line (further lines).
    pub rest: &'a [u8],
}

/// The first line of an FTP payload.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum FtpMessage<'a> {
    /// A command from the client.
    Request {
        /// The command (looked up case-insensitively; unknown ones kept verbatim).
        command: StrMember<'a, Command>,
        /// Its argument (everything after the first space), if any.
        args: Option<Text<'a>>,
    },
    /// A reply line from the server.
    Response {
        /// The reply code; `None` for a line inside a multi-line reply.
        code: Option<ReturnCode>,
        /// The text after the code and its separator, if any.
        args: Option<Text<'a>>,
        /// Whether the reply goes on (`ddd-` first line, or a continuation line).
        more: bool,
    },
}

impl<'a> Ftp<'a> {
    /// The lines after the first one.
    pub fn lines(&self) -> impl Iterator<Item = Text<'a>> + Clone + 'a {
        Lines(self.rest).map(Text)
    }
}

impl Header for Ftp<'_> {
    const NAME: &'static str = "FTP";
    const KEY: &'static str = "ftp";
    const LEVEL: Option<Level> = Some(Level::Application);
}

/// Whether `b` may appear in an FTP line (text: no control characters but TAB).
fn is_text(b: u8) -> bool {
    b == b'\t' || (b >= 0x20 && b != 0x7f)
}

/// Whether `data` can be FTP control traffic on the FTP port: its first line is
/// non-empty text (tshark decodes anything there; binary payloads, e.g. TLS after
/// `AUTH TLS`, are left raw).
pub fn claims(data: &[u8]) -> bool {
    let (line, _, _) = split_line(data);
    !line.is_empty() && line.iter().all(|&b| is_text(b))
}

/// Content check for `analyse` (no port known): a registered command (any case)
/// followed by a space or the line end, or a reply code `1xx`–`5xx` followed by a
/// space, `-` or the line end; the line must end with CRLF.
pub fn sniff(data: &[u8]) -> bool {
    let Some(end) = memchr::memmem::find(data, b"\r\n") else {
        return false;
    };
    let line = data.get(..end).unwrap_or_default();
    if !line.iter().all(|&b| is_text(b)) {
        return false;
    }
    match line {
        [b'1'..=b'5', b'0'..=b'9', b'0'..=b'9', rest @ ..] => {
            matches!(rest.first(), None | Some(b' ' | b'-'))
        }
        _ => {
            let token = line.split(|&b| b == b' ').next().unwrap_or_default();
            matches!(lookup(token), Some(StrMember::Known(_)))
        }
    }
}

/// Looks a command token up ignoring case (`None`: not ASCII text).
fn lookup(token: &[u8]) -> Option<StrMember<'_, Command>> {
    let text = std::str::from_utf8(token).ok()?;
    let mut upper = [0u8; 4];
    if let Some(slot) = upper.get_mut(..token.len()) {
        slot.copy_from_slice(token);
        slot.make_ascii_uppercase();
        if let Some(cmd) = std::str::from_utf8(slot).ok().and_then(Command::lookup) {
            return Some(StrMember::Known(cmd));
        }
    }
    Some(StrMember::Unknown(text))
}

/// Whether the first line is a reply, given the ports (tshark's rule) or, without
/// ports, the content.
fn is_response(line: &[u8], ports: Option<(u16, u16)>) -> bool {
    match ports {
        Some((_, PORT)) => false,
        Some((PORT, _)) => true,
        _ => matches!(line, [b'0'..=b'9', b'0'..=b'9', b'0'..=b'9', ..]),
    }
}

fn non_empty(b: &[u8]) -> Option<Text<'_>> {
    (!b.is_empty()).then_some(Text(b))
}

impl<'a> Parse<'a> for Ftp<'a> {
    fn parse(data: &'a [u8], ctx: &Ctx) -> Result<Parsed<Self>> {
        let (line, rest, _) = split_line(data);
        if line.is_empty() {
            return Err(DissectError::malformed(
                Self::NAME,
                ctx.offset,
                "empty first line (not an FTP command or reply)",
            ));
        }
        let message = if is_response(line, ctx.ports) {
            match line {
                [a @ b'0'..=b'9', b @ b'0'..=b'9', c @ b'0'..=b'9', tail @ ..] => {
                    let code =
                        u16::from(a - b'0') * 100 + u16::from(b - b'0') * 10 + u16::from(c - b'0');
                    FtpMessage::Response {
                        code: Some(ReturnCode(code)),
                        args: non_empty(tail.get(1..).unwrap_or_default()),
                        more: tail.first() == Some(&b'-'),
                    }
                }
                _ => FtpMessage::Response {
                    code: None,
                    args: Some(Text(line)),
                    more: true,
                },
            }
        } else {
            let (token, args) = match memchr::memchr(b' ', line) {
                Some(i) => (
                    line.get(..i).unwrap_or_default(),
                    non_empty(line.get(i + 1..).unwrap_or_default()),
                ),
                None => (line, None),
            };
            let command = lookup(token).ok_or_else(|| {
                DissectError::malformed(Self::NAME, ctx.offset, "the command is not text (UTF-8)")
            })?;
            FtpMessage::Request { command, args }
        };
        Ok(Parsed {
            header: Ftp { message, rest },
            header_len: data.len(),
            payload_len: 0,
            next: Next::Leaf,
        })
    }
}

impl Serialize for Ftp<'_> {
    fn serialize<S: Serializer>(&self, serializer: S) -> std::result::Result<S::Ok, S::Error> {
        let mut st = serializer.serialize_struct("FTP", 5)?;
        match &self.message {
            FtpMessage::Request { command, args } => {
                st.serialize_field("type", &Type::REQUEST)?;
                st.serialize_field("cmmd", command)?;
                st.serialize_field("args", args)?;
            }
            FtpMessage::Response { code, args, more } => {
                st.serialize_field("type", &Type::RESPONSE)?;
                st.serialize_field("code", code)?;
                st.serialize_field("args", args)?;
                st.serialize_field("more", more)?;
            }
        }
        if !self.rest.is_empty() {
            st.serialize_field("lines", &SeqOf(self.lines()))?;
        }
        st.end()
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    fn ctx(src: u16, dst: u16) -> Ctx {
        Ctx {
            ports: Some((src, dst)),
            ..Ctx::default()
        }
    }

    fn parse(data: &[u8], src: u16, dst: u16) -> Ftp<'_> {
        Ftp::parse(data, &ctx(src, dst)).unwrap().header
    }

    #[test]
    fn test_parse_request() {
        let p = Ftp::parse(b"USER anonymous\r\n", &ctx(50003, 21)).unwrap();
        assert_eq!(p.header_len, 16);
        assert_eq!(p.payload_len, 0);
        assert_eq!(p.next, Next::Leaf);
        assert_eq!(
            serde_json::to_value(p.header).unwrap(),
            json!({
                "type": "Type::REQUEST [request]",
                "cmmd": {"enum": "Command::USER [USER]", "feat": "FEATCode::base [<base>]",
                    "desc": "User Name", "type": "CommandType::A [1]",
                    "conf": "ConformanceRequirement::M [1]"},
                "args": "anonymous"
            })
        );
    }

    #[test]
    fn test_parse_response() {
        let h = parse(b"227 Entering Passive Mode (1,2,3,4,5,6)\r\n", 21, 50003);
        assert_eq!(
            serde_json::to_value(h).unwrap(),
            json!({
                "type": "Type::RESPONSE [response]",
                "code": {"enum": "ReturnCode::CODE_227 [227]",
                    "description": "Entering Passive Mode.",
                    "kind": "ResponseKind::PositiveCompletion [2]",
                    "group": "GroupingInformation::Connections [2]"},
                "args": "Entering Passive Mode (1,2,3,4,5,6)",
                "more": false
            })
        );
    }

    #[test]
    fn pypcapkit_bug_33_commands_without_arguments() {
        for (bytes, cmd) in [
            (&b"QUIT\r\n"[..], Command::QUIT),
            (b"PASV\r\n", Command::PASV),
        ] {
            let h = parse(bytes, 40000, 21);
            assert_eq!(
                h.message,
                FtpMessage::Request {
                    command: StrMember::Known(cmd),
                    args: None
                }
            );
            assert_eq!(serde_json::to_value(h).unwrap()["args"], json!(null));
        }
    }

    #[test]
    fn pypcapkit_bug_33_reply_without_text() {
        let h = parse(b"220-\r\n", 21, 40000);
        assert_eq!(
            h.message,
            FtpMessage::Response {
                code: Some(ReturnCode(220)),
                args: None,
                more: true
            }
        );
        let h = parse(b"230\r\n", 21, 40000);
        assert_eq!(
            h.message,
            FtpMessage::Response {
                code: Some(ReturnCode(230)),
                args: None,
                more: false
            }
        );
    }

    #[test]
    fn pypcapkit_bug_33_multi_line_reply() {
        let data = b"211-Extensions supported:\r\n CLNT\r\n MDTM\r\n211 End.\r\n";
        let h = parse(data, 21, 40000);
        let json = serde_json::to_value(h).unwrap();
        assert_eq!(json["code"]["enum"], "ReturnCode::CODE_211 [211]");
        assert_eq!(json["args"], "Extensions supported:");
        assert_eq!(json["more"], true);
        assert_eq!(json["lines"], json!([" CLNT", " MDTM", "211 End."]));
        // A segment starting inside a multi-line reply: tshark's ftp.response.arg is the
        // whole line, without a code.
        let h = parse(
            b"    Data traffic was 154 bytes.\r\n221 Bye.\r\n",
            21,
            40000,
        );
        assert_eq!(
            h.message,
            FtpMessage::Response {
                code: None,
                args: Some(Text(b"    Data traffic was 154 bytes.")),
                more: true
            }
        );
        assert_eq!(h.lines().collect::<Vec<_>>(), [Text(b"221 Bye.")]);
    }

    #[test]
    fn pypcapkit_bug_33_unknown_and_lower_case_commands() {
        let h = parse(b"xyzzy now\r\n", 40000, 21);
        let json = serde_json::to_value(h).unwrap();
        assert_eq!(json["cmmd"]["enum"], "Command::XYZZY [xyzzy]");
        assert_eq!(json["cmmd"]["desc"], json!(null));
        assert_eq!(json["args"], "now");
        // FTP commands are case-insensitive: `user` is USER.
        let h = parse(b"user bob\r\n", 40000, 21);
        assert!(matches!(
            h.message,
            FtpMessage::Request {
                command: StrMember::Known(Command::USER),
                ..
            }
        ));
        // A registry member is never created: the next lookup of XYZZY is still unknown.
        assert_eq!(Command::lookup("XYZZY"), None);
    }

    #[test]
    fn direction_without_ports() {
        let h = Ftp::parse(b"200 OK\r\n", &Ctx::default()).unwrap().header;
        assert!(matches!(h.message, FtpMessage::Response { .. }));
        let h = Ftp::parse(b"NOOP\r\n", &Ctx::default()).unwrap().header;
        assert!(matches!(h.message, FtpMessage::Request { .. }));
    }

    #[test]
    fn claims_and_sniff() {
        assert!(claims(b"USER x\r\n"));
        assert!(claims(b"    continuation\r\n"));
        assert!(!claims(b"\x16\x03\x01\x02\x00"));
        assert!(!claims(b"\r\n"));
        assert!(sniff(b"USER x\r\n"));
        assert!(sniff(b"quit\r\n"));
        assert!(sniff(b"220 ready\r\n"));
        assert!(sniff(b"220-\r\n"));
        assert!(!sniff(b"220 ready"));
        assert!(!sniff(b"HELLO world\r\n"));
        assert!(!sniff(b"999 x\r\n"));
        assert!(!sniff(b"GET / HTTP/1.1\r\n"));
    }

    #[test]
    fn test_impossible_len() {
        let ctx = Ctx {
            offset: 54,
            ..Ctx::default()
        };
        let e = Ftp::parse(b"\r\nUSER x\r\n", &ctx).unwrap_err();
        assert_eq!(e.offset, 54);
        assert_eq!(e.layer, "FTP");
    }
}
