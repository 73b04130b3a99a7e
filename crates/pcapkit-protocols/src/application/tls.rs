//! Transport Layer Security records (RFC 8446 §5, RFC 5246 §6.2) and handshake
//! messages (ClientHello, ServerHello, Certificate; others by type and length).
//!
//! Found on any TCP port by content (see the sniffing policy in [`super`]): the
//! payload must start with a record header of a known content type (20–24), a version
//! `0x03xx` and a length of at most 2^14 + 2048 (RFC 5246 §6.2.3). One layer (`tls`,
//! chain token `TLS`) holds every record of the segment (`records`); a record that goes
//! on past the segment keeps what was captured and says `truncated`. Bytes after the
//! last record that do not start a valid record header are counted in `trailing`.
//!
//! Handshake records after a ChangeCipherSpec in the same segment are encrypted and not
//! decoded; elsewhere a handshake message is decoded only when its type is registered
//! and its length fits in the record (an encrypted Finished message looks random), as
//! Wireshark does without keys. TCP reassembly is not done here: a message split
//! across segments shows its first part, flagged `truncated`.

use serde::Serialize;
use serde::ser::{SerializeMap, Serializer};

use crate::consts::tls::{ContentType, ExtensionType, HandshakeType, Version};
use crate::error::{DissectError, Result};
use crate::protocol::{Ctx, Header, Level, Next, Parse, Parsed};
use crate::ser::{Bytes, SeqOf};

use super::Text;

/// Length of a record header.
pub const RECORD_HEADER_LEN: usize = 5;
/// Largest record length allowed (2^14 plus the 2048 bytes of expansion of RFC 5246).
pub const MAX_RECORD_LEN: usize = (1 << 14) + 2048;

/// A byte cursor whose reads give `None` past the end.
#[derive(Clone, Copy, Debug)]
struct Cursor<'a>(&'a [u8]);

impl<'a> Cursor<'a> {
    fn take(&mut self, n: usize) -> Option<&'a [u8]> {
        let (a, b) = self.0.split_at_checked(n)?;
        self.0 = b;
        Some(a)
    }
    fn u8(&mut self) -> Option<u8> {
        self.take(1)?.first().copied()
    }
    fn u16(&mut self) -> Option<u16> {
        let b = self.take(2)?;
        Some(u16::from_be_bytes([*b.first()?, *b.get(1)?]))
    }
    fn u24(&mut self) -> Option<usize> {
        let b = self.take(3)?;
        Some(
            usize::from(*b.first()?) << 16 | usize::from(*b.get(1)?) << 8 | usize::from(*b.get(2)?),
        )
    }
    /// A vector with a `width`-byte length prefix.
    fn vec(&mut self, width: usize) -> Option<&'a [u8]> {
        let n = match width {
            1 => usize::from(self.u8()?),
            2 => usize::from(self.u16()?),
            _ => self.u24()?,
        };
        self.take(n)
    }
}

/// Whether `data` starts with a plausible record header (the strict sniffing check).
pub fn recognize(data: &[u8]) -> bool {
    header(data).is_some()
}

/// (content type, version, length) of the record header at the start of `data`.
fn header(data: &[u8]) -> Option<(u8, u16, usize)> {
    let mut c = Cursor(data);
    let (ty, version, len) = (c.u8()?, c.u16()?, usize::from(c.u16()?));
    ((20..=24).contains(&ty) && version >> 8 == 3 && version & 0xff <= 4 && len <= MAX_RECORD_LEN)
        .then_some((ty, version, len))
}

/// One record of a segment.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct Record<'a> {
    /// Content type.
    pub content_type: ContentType,
    /// Legacy record version.
    pub version: Version,
    /// Length of the fragment as declared.
    pub length: u16,
    /// The fragment bytes captured in this segment.
    pub fragment: &'a [u8],
    /// Whether a ChangeCipherSpec came before it in this segment (its content is
    /// encrypted).
    pub after_ccs: bool,
}

impl<'a> Record<'a> {
    /// Whether the fragment goes on past the segment.
    pub fn truncated(&self) -> bool {
        self.fragment.len() < usize::from(self.length)
    }

    /// The handshake messages of a handshake record that can be read (see the module
    /// documentation); empty for other records.
    pub fn messages(&self) -> Messages<'a> {
        let plain = self.content_type == ContentType::handshake && !self.after_ccs;
        Messages {
            rest: if plain { self.fragment } else { &[] },
            room: usize::from(self.length),
        }
    }
}

/// The records of a segment.
#[derive(Clone, Debug)]
pub struct Records<'a> {
    rest: &'a [u8],
    after_ccs: bool,
}

impl<'a> Iterator for Records<'a> {
    type Item = Record<'a>;

    fn next(&mut self) -> Option<Record<'a>> {
        let (ty, version, len) = header(self.rest)?;
        let body = self.rest.get(RECORD_HEADER_LEN..).unwrap_or_default();
        let (fragment, rest) = body.split_at_checked(len).unwrap_or((body, &[]));
        self.rest = rest;
        let record = Record {
            content_type: ContentType(ty),
            version: Version(version),
            length: len as u16, // ok: len <= MAX_RECORD_LEN < 2^16
            fragment,
            after_ccs: self.after_ccs,
        };
        if record.content_type == ContentType::change_cipher_spec {
            self.after_ccs = true;
        }
        Some(record)
    }
}

/// A handshake message (possibly cut by the record or segment end).
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct Message<'a> {
    /// Handshake type.
    pub msg_type: HandshakeType,
    /// Length of the body as declared.
    pub length: usize,
    /// The body bytes captured.
    pub body: &'a [u8],
}

/// The readable handshake messages of a record.
#[derive(Clone, Debug)]
pub struct Messages<'a> {
    rest: &'a [u8],
    /// Bytes of the record (as declared) from `rest` on.
    room: usize,
}

impl<'a> Iterator for Messages<'a> {
    type Item = Message<'a>;

    fn next(&mut self) -> Option<Message<'a>> {
        let mut c = Cursor(self.rest);
        let msg_type = HandshakeType(c.u8()?);
        let length = c.u24()?;
        if msg_type.name().is_none() || length + 4 > self.room {
            self.rest = &[];
            return None;
        }
        let body = c.0.get(..length).unwrap_or(c.0);
        self.rest = c.0.get(length..).unwrap_or_default();
        self.room -= length + 4;
        Some(Message {
            msg_type,
            length,
            body,
        })
    }
}

/// The parts of a ClientHello or ServerHello.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct Hello<'a> {
    /// legacy_version.
    pub version: Version,
    /// random (32 bytes).
    pub random: &'a [u8],
    /// legacy_session_id.
    pub session_id: &'a [u8],
    /// Cipher suites offered (ClientHello: 2 bytes each) or chosen (ServerHello: 2 bytes).
    pub cipher_suites: &'a [u8],
    /// Compression methods offered (ClientHello) or chosen (ServerHello: 1 byte).
    pub compression_methods: &'a [u8],
    /// The extensions block (type, length, data)*; empty when absent.
    pub extensions: &'a [u8],
}

impl<'a> Hello<'a> {
    /// Decodes a ClientHello (`client`) or ServerHello body; `None` when cut short.
    pub fn parse(body: &'a [u8], client: bool) -> Option<Self> {
        let mut c = Cursor(body);
        let version = Version(c.u16()?);
        let random = c.take(32)?;
        let session_id = c.vec(1)?;
        let (cipher_suites, compression_methods) = if client {
            (c.vec(2)?, c.vec(1)?)
        } else {
            (c.take(2)?, c.take(1)?)
        };
        let extensions = if c.0.is_empty() { &[][..] } else { c.vec(2)? };
        Some(Hello {
            version,
            random,
            session_id,
            cipher_suites,
            compression_methods,
            extensions,
        })
    }

    /// The extensions: (type, data).
    pub fn extensions(&self) -> impl Iterator<Item = (ExtensionType, &'a [u8])> + Clone + 'a {
        let mut c = Cursor(self.extensions);
        std::iter::from_fn(move || {
            let ty = c.u16()?;
            let data = c.vec(2)?;
            Some((ExtensionType(ty), data))
        })
    }

    fn extension(&self, ty: ExtensionType) -> Option<&'a [u8]> {
        self.extensions().find(|e| e.0 == ty).map(|e| e.1)
    }

    /// The cipher suites, as numbers.
    pub fn suites(&self) -> impl Iterator<Item = u16> + Clone + 'a {
        self.cipher_suites
            .chunks_exact(2)
            .map(|p| u16::from_be_bytes([p[0], p[1]])) // ok: chunks_exact(2)
    }

    /// The first host name of the server_name extension (SNI).
    pub fn server_name(&self) -> Option<Text<'a>> {
        let mut c = Cursor(self.extension(ExtensionType::server_name)?);
        let mut list = Cursor(c.vec(2)?);
        while !list.0.is_empty() {
            let kind = list.u8()?;
            let name = list.vec(2)?;
            if kind == 0 {
                return Some(Text(name));
            }
        }
        None
    }

    /// The ALPN protocol names.
    pub fn alpn(&self) -> Option<impl Iterator<Item = Text<'a>> + Clone + 'a> {
        let mut c = Cursor(self.extension(ExtensionType::application_layer_protocol_negotiation)?);
        let mut list = Cursor(c.vec(2)?);
        Some(std::iter::from_fn(move || list.vec(1).map(Text)))
    }

    /// The supported_versions extension: the list (ClientHello) or the chosen one
    /// (ServerHello).
    pub fn supported_versions(
        &self,
        client: bool,
    ) -> Option<impl Iterator<Item = Version> + Clone + 'a> {
        let mut c = Cursor(self.extension(ExtensionType::supported_versions)?);
        let list = if client { c.vec(1)? } else { c.take(2)? };
        Some(
            list.chunks_exact(2)
                .map(|p| Version(u16::from_be_bytes([p[0], p[1]]))), // ok: chunks_exact(2)
        )
    }
}

/// Lengths of the certificates of a (TLS 1.2 style) Certificate message, in order.
pub fn certificate_lengths(body: &[u8]) -> impl Iterator<Item = usize> + Clone + '_ {
    let mut c = Cursor(body);
    let mut list = c.vec(3).map(Cursor).unwrap_or(Cursor(&[]));
    std::iter::from_fn(move || {
        let n = list.u24()?;
        list.take(n).map(|_| n)
    })
}

/// A TLS layer: the records of one TCP segment (`tls`, chain token `TLS`).
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct Tls<'a> {
    /// The segment.
    pub data: &'a [u8],
}

impl<'a> Tls<'a> {
    /// The records.
    pub fn records(&self) -> Records<'a> {
        Records {
            rest: self.data,
            after_ccs: false,
        }
    }

    /// Bytes after the last record that do not start a record header.
    pub fn trailing(&self) -> usize {
        let mut it = self.records();
        for _ in it.by_ref() {}
        it.rest.len()
    }
}

impl Header for Tls<'_> {
    const NAME: &'static str = "TLS";
    const KEY: &'static str = "tls";
    const LEVEL: Option<Level> = Some(Level::Application);
    const ALIASES: &'static [&'static str] = &["SSL"];
}

impl<'a> Parse<'a> for Tls<'a> {
    fn parse(data: &'a [u8], ctx: &Ctx) -> Result<Parsed<Self>> {
        if data.len() < RECORD_HEADER_LEN {
            return Err(DissectError::truncated(
                Self::NAME,
                ctx.offset,
                RECORD_HEADER_LEN,
                data.len(),
            ));
        }
        if !recognize(data) {
            return Err(DissectError::malformed(
                Self::NAME,
                ctx.offset,
                "not a TLS record header (content type 20-24, version 0x0300-0x0304, length up to 18432)",
            ));
        }
        Ok(Parsed {
            header: Tls { data },
            header_len: data.len(),
            payload_len: 0,
            next: Next::Leaf,
        })
    }
}

struct MessageView<'a>(Message<'a>);

impl Serialize for MessageView<'_> {
    fn serialize<S: Serializer>(&self, serializer: S) -> std::result::Result<S::Ok, S::Error> {
        let m = self.0;
        let mut map = serializer.serialize_map(None)?;
        map.serialize_entry("type", &m.msg_type)?;
        map.serialize_entry("length", &m.length)?;
        let client = m.msg_type == HandshakeType::client_hello;
        let hello = (client || m.msg_type == HandshakeType::server_hello)
            .then(|| Hello::parse(m.body, client))
            .flatten();
        if let Some(h) = hello {
            map.serialize_entry("version", &h.version)?;
            map.serialize_entry("random", &Bytes(h.random))?;
            map.serialize_entry("session_id", &Bytes(h.session_id))?;
            if client {
                map.serialize_entry("cipher_suites", &SeqOf(h.suites()))?;
                map.serialize_entry("compression_methods", &SeqOf(h.compression_methods.iter()))?;
            } else {
                map.serialize_entry("cipher_suite", &h.suites().next())?;
                map.serialize_entry("compression_method", &h.compression_methods.first())?;
            }
            map.serialize_entry("extensions", &SeqOf(h.extensions().map(|e| e.0)))?;
            if let Some(sni) = h.server_name() {
                map.serialize_entry("server_name", &sni)?;
            }
            if let Some(alpn) = h.alpn() {
                map.serialize_entry("alpn", &SeqOf(alpn))?;
            }
            if let Some(v) = h.supported_versions(client) {
                if client {
                    map.serialize_entry("supported_versions", &SeqOf(v))?;
                } else {
                    map.serialize_entry("selected_version", &v.clone().next())?;
                }
            }
        } else if m.msg_type == HandshakeType::certificate {
            map.serialize_entry("certificate_lengths", &SeqOf(certificate_lengths(m.body)))?;
        }
        if m.body.len() < m.length {
            map.serialize_entry("truncated", &true)?;
        }
        map.end()
    }
}

struct RecordView<'a>(Record<'a>);

impl Serialize for RecordView<'_> {
    fn serialize<S: Serializer>(&self, serializer: S) -> std::result::Result<S::Ok, S::Error> {
        let r = self.0;
        let mut map = serializer.serialize_map(None)?;
        map.serialize_entry("type", &r.content_type)?;
        map.serialize_entry("version", &r.version)?;
        map.serialize_entry("length", &r.length)?;
        if r.content_type == ContentType::handshake {
            if r.after_ccs {
                map.serialize_entry("encrypted", &true)?;
            } else {
                map.serialize_entry("messages", &SeqOf(r.messages().map(MessageView)))?;
            }
        } else if r.content_type == ContentType::alert && !r.after_ccs && r.length == 2 {
            if let [level, description] = r.fragment {
                map.serialize_entry("alert_level", level)?;
                map.serialize_entry("alert_description", description)?;
            }
        }
        if r.truncated() {
            map.serialize_entry("truncated", &true)?;
        }
        map.end()
    }
}

/// Fields: `records` (each `type`, `version`, `length`, and per type `messages`,
/// `encrypted`, `alert_level`/`alert_description`, `truncated`), `trailing` when bytes
/// follow the last record.
impl Serialize for Tls<'_> {
    fn serialize<S: Serializer>(&self, serializer: S) -> std::result::Result<S::Ok, S::Error> {
        let mut map = serializer.serialize_map(None)?;
        map.serialize_entry("records", &SeqOf(self.records().map(RecordView)))?;
        let trailing = self.trailing();
        if trailing > 0 {
            map.serialize_entry("trailing", &trailing)?;
        }
        map.end()
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    fn record(ty: u8, version: u16, body: &[u8]) -> Vec<u8> {
        let mut r = vec![ty];
        r.extend_from_slice(&version.to_be_bytes());
        r.extend_from_slice(&(body.len() as u16).to_be_bytes());
        r.extend_from_slice(body);
        r
    }

    fn message(ty: u8, body: &[u8]) -> Vec<u8> {
        let mut m = vec![ty];
        m.extend_from_slice(&(body.len() as u32).to_be_bytes()[1..]);
        m.extend_from_slice(body);
        m
    }

    fn ext(ty: u16, data: &[u8]) -> Vec<u8> {
        let mut e = ty.to_be_bytes().to_vec();
        e.extend_from_slice(&(data.len() as u16).to_be_bytes());
        e.extend_from_slice(data);
        e
    }

    fn client_hello() -> Vec<u8> {
        let mut b = vec![3, 3];
        b.extend_from_slice(&[7; 32]);
        b.extend_from_slice(&[2, 0xaa, 0xbb]); // session id
        b.extend_from_slice(&[0, 4, 0x13, 0x01, 0xc0, 0x2f]); // suites
        b.extend_from_slice(&[1, 0]); // compression
        let sni = [
            0, 14, 0, 0, 11, b'e', b'x', b'a', b'm', b'p', b'l', b'e', b'.', b'c', b'o', b'm',
        ];
        let alpn = [
            0, 12, 2, b'h', b'2', 8, b'h', b't', b't', b'p', b'/', b'1', b'.', b'1',
        ];
        let versions = [4, 3, 4, 3, 3];
        let exts = [
            ext(0, &sni),
            ext(16, &alpn),
            ext(43, &versions),
            ext(0xfe0d, &[1]),
        ]
        .concat();
        b.extend_from_slice(&(exts.len() as u16).to_be_bytes());
        b.extend_from_slice(&exts);
        message(1, &b)
    }

    fn server_flight() -> Vec<u8> {
        let mut sh = vec![3, 3];
        sh.extend_from_slice(&[9; 32]);
        sh.extend_from_slice(&[0, 0x13, 0x01, 0]);
        let exts = ext(43, &[3, 4]);
        sh.extend_from_slice(&(exts.len() as u16).to_be_bytes());
        sh.extend_from_slice(&exts);
        let cert = [0, 0, 10, 0, 0, 3, 1, 2, 3, 0, 0, 1, 9];
        [
            record(22, 0x0303, &[message(2, &sh), message(11, &cert)].concat()),
            record(20, 0x0303, &[1]),
            record(22, 0x0303, &[0x5e, 0x00, 0x00, 0x10, 1, 2, 3, 4]),
            record(21, 0x0303, &[2, 40]),
        ]
        .concat()
    }

    fn parse(data: &[u8]) -> serde_json::Value {
        let p = Tls::parse(data, &Ctx::default()).unwrap();
        assert_eq!(p.header_len, data.len());
        assert_eq!(p.next, Next::Leaf);
        serde_json::to_value(p.header).unwrap()
    }

    #[test]
    fn test_client_hello() {
        let data = record(22, 0x0301, &client_hello());
        assert!(recognize(&data));
        let json = parse(&data);
        let r = &json["records"][0];
        assert_eq!(r["type"], "ContentType::handshake [22]");
        assert_eq!(r["version"], "Version::TLS_1_0 [769]");
        assert_eq!(r["length"], data.len() - 5);
        let m = &r["messages"][0];
        assert_eq!(m["type"], "HandshakeType::client_hello [1]");
        assert_eq!(m["length"], data.len() - 9);
        assert_eq!(m["version"], "Version::TLS_1_2 [771]");
        assert_eq!(m["random"], json!(vec![7; 32]));
        assert_eq!(m["session_id"], json!([0xaa, 0xbb]));
        assert_eq!(m["cipher_suites"], json!([0x1301, 0xc02f]));
        assert_eq!(m["compression_methods"], json!([0]));
        assert_eq!(
            m["extensions"],
            json!([
                "ExtensionType::server_name [0]",
                "ExtensionType::application_layer_protocol_negotiation [16]",
                "ExtensionType::supported_versions [43]",
                "ExtensionType::encrypted_client_hello [65037]"
            ])
        );
        assert_eq!(m["server_name"], "example.com");
        assert_eq!(m["alpn"], json!(["h2", "http/1.1"]));
        assert_eq!(
            m["supported_versions"],
            json!(["Version::TLS_1_3 [772]", "Version::TLS_1_2 [771]"])
        );
        assert!(m.get("truncated").is_none());
        assert!(json.get("trailing").is_none());
    }

    #[test]
    fn test_server_flight() {
        let data = server_flight();
        let json = parse(&data);
        let rs = json["records"].as_array().unwrap();
        assert_eq!(rs.len(), 4);
        let m = &rs[0]["messages"];
        assert_eq!(m[0]["type"], "HandshakeType::server_hello [2]");
        assert_eq!(m[0]["cipher_suite"], 0x1301);
        assert_eq!(m[0]["compression_method"], 0);
        assert_eq!(m[0]["selected_version"], "Version::TLS_1_3 [772]");
        assert_eq!(m[1]["type"], "HandshakeType::certificate [11]");
        assert_eq!(m[1]["certificate_lengths"], json!([3, 1]));
        assert_eq!(rs[1]["type"], "ContentType::change_cipher_spec [20]");
        // After the ChangeCipherSpec the handshake is encrypted.
        assert_eq!(rs[2]["encrypted"], true);
        assert!(rs[2].get("messages").is_none());
        assert_eq!(rs[3]["type"], "ContentType::alert [21]");
        assert!(rs[3].get("alert_level").is_none());
    }

    #[test]
    fn encrypted_looking_handshake_is_not_decoded() {
        // An encrypted Finished at the start of a segment: random type and length.
        let data = record(22, 0x0303, &[0x5e, 0x7f, 0x00, 0x10, 1, 2, 3, 4]);
        assert_eq!(parse(&data)["records"][0]["messages"], json!([]));
        // A known type whose length overruns the record.
        let data = record(22, 0x0303, &[20, 0, 0, 0x40, 1, 2, 3, 4]);
        assert_eq!(parse(&data)["records"][0]["messages"], json!([]));
        // A plain alert.
        let data = record(21, 0x0303, &[2, 40]);
        let r = &parse(&data)["records"][0];
        assert_eq!(
            (&r["alert_level"], &r["alert_description"]),
            (&json!(2), &json!(40))
        );
    }

    #[test]
    fn cut_records_and_trailing_bytes() {
        let full = record(22, 0x0301, &client_hello());
        let json = parse(&full[..60]);
        let r = &json["records"][0];
        assert_eq!(r["truncated"], true);
        assert_eq!(r["messages"][0]["truncated"], true);
        assert_eq!(r["messages"][0]["type"], "HandshakeType::client_hello [1]");
        assert!(r["messages"][0].get("server_name").is_none());
        let mut two = record(23, 0x0303, &[1, 2, 3]);
        two.extend_from_slice(&[0xff, 0, 0]);
        let json = parse(&two);
        assert_eq!(json["records"].as_array().unwrap().len(), 1);
        assert_eq!(json["trailing"], 3);
        for cut in 0..full.len() {
            match Tls::parse(&full[..cut], &Ctx::default()) {
                Ok(p) => {
                    assert!(cut >= RECORD_HEADER_LEN);
                    serde_json::to_string(&p.header).unwrap();
                }
                Err(e) => assert_eq!(e, DissectError::truncated("TLS", 0, RECORD_HEADER_LEN, cut)),
            }
        }
    }

    #[test]
    fn strict_record_header_check() {
        assert!(recognize(&[23, 3, 3, 0, 0]));
        assert!(recognize(&[20, 3, 0, 0x48, 0]));
        assert!(!recognize(&[19, 3, 3, 0, 1]));
        assert!(!recognize(&[25, 3, 3, 0, 1]));
        assert!(!recognize(&[23, 2, 0, 0, 1]));
        assert!(!recognize(&[23, 3, 5, 0, 1]));
        assert!(!recognize(&[23, 3, 3, 0x48, 1]));
        assert!(!recognize(&[23, 3, 3, 0]));
        let ctx = Ctx {
            offset: 54,
            ..Ctx::default()
        };
        let e = Tls::parse(b"GET / HTTP/1.1", &ctx).unwrap_err();
        assert_eq!(e.offset, 54);
        assert!(matches!(e.kind, crate::ErrorKind::Malformed(_)));
    }
}
