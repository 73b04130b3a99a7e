//! Domain Name System (RFC 1035) over UDP and TCP, and its link-local variants
//! mDNS (RFC 6762, UDP 5353) and LLMNR (RFC 4795, UDP 5355), which share its format.
//!
//! One layer per message (`dns`, `mdns`, `llmnr`; chain tokens `DNS`, `mDNS`, `LLMNR`):
//! the header (`id`, `flags`, the four counts) and the four sections `questions`,
//! `answers`, `authority`, `additional`. Record data is decoded for A, AAAA, CNAME, NS,
//! PTR, DNAME, MX, TXT, SOA, SRV and OPT (EDNS(0)); other types keep their `rdata` bytes.
//! Names are followed through compression pointers, at most [`MAX_HOPS`] of them and at
//! most [`MAX_NAME_LEN`] bytes per name, so a pointer loop ends in an error instead of
//! spinning. Over TCP (port 53) a message starts with its 2-byte length (`len`).
//!
//! A message cut short (snaplen) or malformed past its header keeps every question and
//! record decoded before the problem and reports it in `error` (tshark also shows what
//! it could decode); only a header shorter than 12 bytes fails the layer.

use std::fmt::{self, Write as _};
use std::net::{Ipv4Addr, Ipv6Addr};

use serde::Serialize;
use serde::ser::{SerializeMap, SerializeStruct, Serializer};

use crate::consts::dns::{Class, Opcode, RCode, RRType};
use crate::error::{DissectError, Result};
use crate::protocol::{Ctx, Header, Level, Next, Parse, Parsed};
use crate::ser::{Bytes, SeqOf};

/// Length of the message header.
pub const HEADER_LEN: usize = 12;
/// Most compression pointers followed while reading one name.
pub const MAX_HOPS: usize = 128;
/// Most bytes of one name on the wire, length octets included (RFC 1035 §3.1).
pub const MAX_NAME_LEN: usize = 255;

/// The DNS port (UDP and TCP).
pub const PORT: u16 = 53;
/// The mDNS port (UDP).
pub const MDNS_PORT: u16 = 5353;
/// The LLMNR port (UDP and TCP).
pub const LLMNR_PORT: u16 = 5355;

/// Which protocol of the DNS family a message belongs to (from its ports).
#[derive(Clone, Copy, Debug, PartialEq, Eq, Default)]
pub enum Flavor {
    /// Unicast DNS.
    #[default]
    Dns,
    /// Multicast DNS (the top bit of a class is the unicast-response / cache-flush bit).
    Mdns,
    /// Link-Local Multicast Name Resolution (its own flag bits).
    Llmnr,
}

impl Flavor {
    /// The flavor the carrying ports give: port 53 is DNS, else 5353 mDNS, else 5355
    /// LLMNR; no ports (`analyse`) is DNS.
    pub fn from_ports(ports: Option<(u16, u16)>) -> Self {
        let has = |p| ports.is_some_and(|(s, d)| s == p || d == p);
        if has(PORT) {
            Flavor::Dns
        } else if has(MDNS_PORT) {
            Flavor::Mdns
        } else if has(LLMNR_PORT) {
            Flavor::Llmnr
        } else {
            Flavor::Dns
        }
    }
}

fn be16(b: &[u8], at: usize) -> Option<u16> {
    let s = b.get(at..at.checked_add(2)?)?;
    Some(u16::from_be_bytes([*s.first()?, *s.get(1)?]))
}

fn be32(b: &[u8], at: usize) -> Option<u32> {
    let s = b.get(at..at.checked_add(4)?)?;
    let mut a = [0u8; 4];
    a.copy_from_slice(s);
    Some(u32::from_be_bytes(a))
}

/// Why a name could not be read.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
enum NameError {
    /// Ran past the end of the message (at this offset).
    Truncated(usize),
    /// A reserved label type (`0x40`/`0x80` prefixes) at this offset.
    LabelType(usize),
    /// More than [`MAX_HOPS`] pointers (a loop) from this offset.
    Loop(usize),
    /// Longer than [`MAX_NAME_LEN`] bytes, from this offset.
    TooLong(usize),
}

impl NameError {
    fn into_error(self, layer: &'static str, base: usize, len: usize) -> DissectError {
        match self {
            NameError::Truncated(at) => DissectError::truncated(layer, base + at, at + 1, len),
            NameError::LabelType(at) => DissectError::malformed(
                layer,
                base + at,
                "reserved label type in a name (first two bits 01 or 10)",
            ),
            NameError::Loop(at) => DissectError::limit(
                layer,
                base + at,
                "name compression pointers loop (more than 128 hops)",
            ),
            NameError::TooLong(at) => DissectError::malformed(
                layer,
                base + at,
                "name longer than 255 bytes (RFC 1035 section 3.1)",
            ),
        }
    }
}

/// Reads the name at `at`: returns the offset after its in-place bytes (the end label or
/// the first pointer), having checked the whole name through its pointers.
fn check_name(msg: &[u8], at: usize) -> std::result::Result<usize, NameError> {
    let mut pos = at;
    let mut end = None;
    let mut hops = 0;
    let mut wire_len = 0usize;
    loop {
        let len = *msg.get(pos).ok_or(NameError::Truncated(pos))?;
        match len >> 6 {
            0 => {
                let l = usize::from(len);
                wire_len += l + 1;
                if wire_len > MAX_NAME_LEN {
                    return Err(NameError::TooLong(at));
                }
                if len == 0 {
                    return Ok(end.unwrap_or(pos + 1));
                }
                if msg.len() < pos + 1 + l {
                    return Err(NameError::Truncated(msg.len()));
                }
                pos += 1 + l;
            }
            3 => {
                let ptr = be16(msg, pos).ok_or(NameError::Truncated(pos + 1))?;
                end.get_or_insert(pos + 2);
                hops += 1;
                if hops > MAX_HOPS {
                    return Err(NameError::Loop(at));
                }
                pos = usize::from(ptr & 0x3fff);
            }
            _ => return Err(NameError::LabelType(pos)),
        }
    }
}

/// A domain name inside a message (decoded through compression pointers when shown).
#[derive(Clone, Copy, PartialEq, Eq)]
pub struct Name<'a> {
    msg: &'a [u8],
    at: usize,
}

impl<'a> Name<'a> {
    /// The labels, first (leftmost) first. Only made for names that [`check_name`]
    /// accepted, so the walk ends; it stops quietly at anything unexpected anyway.
    pub fn labels(&self) -> Labels<'a> {
        Labels {
            msg: self.msg,
            pos: self.at,
            hops: 0,
        }
    }

    /// Whether this is the root name (no labels).
    pub fn is_root(&self) -> bool {
        self.labels().next().is_none()
    }
}

/// Iterator over the labels of a [`Name`].
#[derive(Clone, Debug)]
pub struct Labels<'a> {
    msg: &'a [u8],
    pos: usize,
    hops: usize,
}

impl<'a> Iterator for Labels<'a> {
    type Item = &'a [u8];

    fn next(&mut self) -> Option<&'a [u8]> {
        loop {
            let len = *self.msg.get(self.pos)?;
            match len >> 6 {
                0 if len > 0 => {
                    let start = self.pos + 1;
                    let label = self.msg.get(start..start + usize::from(len))?;
                    self.pos = start + usize::from(len);
                    return Some(label);
                }
                3 if self.hops < MAX_HOPS => {
                    self.hops += 1;
                    self.pos = usize::from(be16(self.msg, self.pos)? & 0x3fff);
                }
                _ => return None,
            }
        }
    }
}

/// Shown as tshark shows it: labels joined by `.`, `<Root>` for the root; bytes
/// outside printable ASCII as `\xNN`.
impl fmt::Display for Name<'_> {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        let mut first = true;
        for label in self.labels() {
            if !first {
                f.write_char('.')?;
            }
            first = false;
            for &b in label {
                if (0x20..0x7f).contains(&b) {
                    f.write_char(char::from(b))?;
                } else {
                    write!(f, "\\x{b:02x}")?;
                }
            }
        }
        if first {
            f.write_str("<Root>")?;
        }
        Ok(())
    }
}

impl fmt::Debug for Name<'_> {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "{:?}", self.to_string())
    }
}

impl Serialize for Name<'_> {
    fn serialize<S: Serializer>(&self, serializer: S) -> std::result::Result<S::Ok, S::Error> {
        serializer.collect_str(self)
    }
}

/// The header flags (16 bits after the ID).
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct Flags(pub u16);

impl Flags {
    /// QR: the message is a response.
    pub fn qr(self) -> bool {
        self.0 & 0x8000 != 0
    }
    /// OPCODE.
    pub fn opcode(self) -> Opcode {
        Opcode(((self.0 >> 11) & 0xf) as u8)
    }
    /// RCODE (the low 4 bits; EDNS(0) extends it in the OPT record).
    pub fn rcode(self) -> RCode {
        RCode((self.0 & 0xf) as u8)
    }
    fn bit(self, n: u16) -> bool {
        self.0 & (1 << n) != 0
    }
}

/// The flags as the message's flavor defines them.
struct FlagsView(Flavor, Flags);

impl Serialize for FlagsView {
    fn serialize<S: Serializer>(&self, serializer: S) -> std::result::Result<S::Ok, S::Error> {
        let FlagsView(flavor, f) = *self;
        let mut st = serializer.serialize_struct("Flags", 10)?;
        st.serialize_field("qr", &f.qr())?;
        st.serialize_field("opcode", &f.opcode())?;
        if flavor == Flavor::Llmnr {
            // RFC 4795 §2.1.1: C, TC, T, then four reserved bits.
            st.serialize_field("c", &f.bit(10))?;
            st.serialize_field("tc", &f.bit(9))?;
            st.serialize_field("t", &f.bit(8))?;
        } else {
            st.serialize_field("aa", &f.bit(10))?;
            st.serialize_field("tc", &f.bit(9))?;
            st.serialize_field("rd", &f.bit(8))?;
            st.serialize_field("ra", &f.bit(7))?;
            st.serialize_field("z", &f.bit(6))?;
            st.serialize_field("ad", &f.bit(5))?;
            st.serialize_field("cd", &f.bit(4))?;
        }
        st.serialize_field("rcode", &f.rcode())?;
        st.end()
    }
}

/// One entry of the question section.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct Question<'a> {
    /// QNAME.
    pub name: Name<'a>,
    /// QTYPE.
    pub qtype: RRType,
    /// QCLASS as sent (for mDNS its top bit asks for a unicast response).
    pub qclass: u16,
}

/// Decoded record data.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum RData<'a> {
    /// A: an IPv4 address.
    A(Ipv4Addr),
    /// AAAA: an IPv6 address.
    Aaaa(Ipv6Addr),
    /// CNAME, NS, PTR, DNAME: one name.
    Name(Name<'a>),
    /// MX.
    Mx {
        /// Preference.
        preference: u16,
        /// Exchange host.
        exchange: Name<'a>,
    },
    /// TXT: the character-strings (each a length byte and its bytes).
    Txt(&'a [u8]),
    /// SOA.
    Soa {
        /// Primary name server.
        mname: Name<'a>,
        /// Mailbox of the responsible person.
        rname: Name<'a>,
        /// Zone serial.
        serial: u32,
        /// Refresh interval.
        refresh: u32,
        /// Retry interval.
        retry: u32,
        /// Expiry.
        expire: u32,
        /// Negative-caching TTL.
        minimum: u32,
    },
    /// SRV.
    Srv {
        /// Priority.
        priority: u16,
        /// Weight.
        weight: u16,
        /// Port.
        port: u16,
        /// Target host.
        target: Name<'a>,
    },
    /// OPT (EDNS(0)): the option list (code, length, data)*.
    Opt(&'a [u8]),
    /// Any other type, or data that does not fit its type: the bytes.
    Raw(&'a [u8]),
}

/// A resource record of the answer, authority or additional section.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct Record<'a> {
    /// Owner name.
    pub name: Name<'a>,
    /// TYPE.
    pub rtype: RRType,
    /// CLASS as sent (OPT: the UDP payload size; mDNS: top bit is cache-flush).
    pub class: u16,
    /// TTL as sent (OPT: extended RCODE, version, flags).
    pub ttl: u32,
    /// RDLENGTH.
    pub rdlength: u16,
    /// The decoded data.
    pub rdata: RData<'a>,
}

/// Character-strings of a TXT record.
#[derive(Clone, Debug)]
pub struct TxtStrings<'a>(&'a [u8]);

impl<'a> Iterator for TxtStrings<'a> {
    type Item = super::Text<'a>;

    fn next(&mut self) -> Option<super::Text<'a>> {
        let (&len, rest) = self.0.split_first()?;
        let (s, rest) = rest
            .split_at_checked(usize::from(len))
            .unwrap_or((rest, &[]));
        self.0 = rest;
        Some(super::Text(s))
    }
}

/// EDNS(0) options of an OPT record: `(code, data)`.
#[derive(Clone, Debug)]
pub struct EdnsOptions<'a>(&'a [u8]);

impl<'a> Iterator for EdnsOptions<'a> {
    type Item = (u16, &'a [u8]);

    fn next(&mut self) -> Option<(u16, &'a [u8])> {
        let code = be16(self.0, 0)?;
        let len = usize::from(be16(self.0, 2)?);
        let rest = self.0.get(4..).unwrap_or_default();
        let (data, rest) = rest.split_at_checked(len).unwrap_or((rest, &[]));
        self.0 = rest;
        Some((code, data))
    }
}

fn decode_rdata<'a>(msg: &'a [u8], rtype: RRType, at: usize, len: usize) -> RData<'a> {
    let raw = msg.get(at..at + len).unwrap_or_default();
    let end = at + len;
    // A name inside rdata must end inside rdata (its pointers may go anywhere before).
    let name_at = |p: usize| -> Option<(Name<'a>, usize)> {
        let after = check_name(msg, p).ok()?;
        (after <= end).then_some((Name { msg, at: p }, after))
    };
    let decoded = match rtype {
        RRType::A => <[u8; 4]>::try_from(raw).ok().map(|a| RData::A(a.into())),
        RRType::AAAA => <[u8; 16]>::try_from(raw)
            .ok()
            .map(|a| RData::Aaaa(a.into())),
        RRType::CNAME | RRType::NS | RRType::PTR | RRType::DNAME => name_at(at)
            .filter(|&(_, after)| after == end)
            .map(|(n, _)| RData::Name(n)),
        RRType::MX => be16(raw, 0).and_then(|preference| {
            let (exchange, after) = name_at(at + 2)?;
            (after == end).then_some(RData::Mx {
                preference,
                exchange,
            })
        }),
        RRType::SRV => (|| {
            let (priority, weight, port) = (be16(raw, 0)?, be16(raw, 2)?, be16(raw, 4)?);
            let (target, after) = name_at(at + 6)?;
            (after == end).then_some(RData::Srv {
                priority,
                weight,
                port,
                target,
            })
        })(),
        RRType::SOA => (|| {
            let (mname, p) = name_at(at)?;
            let (rname, p) = name_at(p)?;
            let n = |i: usize| be32(msg, p + 4 * i);
            (p + 20 == end).then_some(RData::Soa {
                mname,
                rname,
                serial: n(0)?,
                refresh: n(1)?,
                retry: n(2)?,
                expire: n(3)?,
                minimum: n(4)?,
            })
        })(),
        RRType::TXT => Some(RData::Txt(raw)),
        RRType::OPT => Some(RData::Opt(raw)),
        _ => None,
    };
    decoded.unwrap_or(RData::Raw(raw))
}

/// A DNS-family message (`dns` / `mdns` / `llmnr`, chain token `DNS` / `mDNS` / `LLMNR`).
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Dns<'a> {
    /// Which protocol of the family (from the ports).
    pub flavor: Flavor,
    /// Over TCP: the 2-byte message length before the message.
    pub tcp_len: Option<u16>,
    /// ID.
    pub id: u16,
    /// Flags.
    pub flags: Flags,
    /// QDCOUNT, ANCOUNT, NSCOUNT, ARCOUNT as sent.
    pub counts: [u16; 4],
    /// The questions decoded.
    pub questions: Vec<Question<'a>>,
    /// The answer records decoded.
    pub answers: Vec<Record<'a>>,
    /// The authority records decoded.
    pub authority: Vec<Record<'a>>,
    /// The additional records decoded.
    pub additional: Vec<Record<'a>>,
    /// Where the sections stopped early (cut short or malformed), if they did.
    pub error: Option<DissectError>,
}

impl Header for Dns<'_> {
    const NAME: &'static str = "DNS";
    const KEY: &'static str = "dns";
    const LEVEL: Option<Level> = Some(Level::Application);
    const ALIASES: &'static [&'static str] = &["mDNS", "LLMNR"];

    fn key(&self) -> &'static str {
        match self.flavor {
            Flavor::Dns => "dns",
            Flavor::Mdns => "mdns",
            Flavor::Llmnr => "llmnr",
        }
    }

    fn write_token(&self, f: &mut dyn fmt::Write) -> fmt::Result {
        f.write_str(match self.flavor {
            Flavor::Dns => "DNS",
            Flavor::Mdns => "mDNS",
            Flavor::Llmnr => "LLMNR",
        })
    }
}

/// Whether `data` (a UDP payload on a DNS-family port) can be a message: a whole header.
pub fn claims(data: &[u8]) -> bool {
    data.len() >= HEADER_LEN
}

/// Whether `data` (a TCP payload on port 53) starts a length-prefixed message: a length
/// of at least a header and a whole header after it.
pub fn claims_tcp(data: &[u8]) -> bool {
    be16(data, 0).is_some_and(|n| usize::from(n) >= HEADER_LEN) && data.len() >= 2 + HEADER_LEN
}

impl<'a> Dns<'a> {
    /// Decodes one message `msg` (starting `base` bytes into the layer's data).
    fn decode(
        msg: &'a [u8],
        ctx: &Ctx,
        base: usize,
        flavor: Flavor,
        tcp_len: Option<u16>,
    ) -> Result<Self> {
        let layer = <Self as Header>::NAME;
        let field = |i: usize| be16(msg, 2 * i).unwrap_or(0);
        if msg.len() < HEADER_LEN {
            return Err(DissectError::truncated(
                layer,
                ctx.offset + base,
                HEADER_LEN,
                msg.len(),
            ));
        }
        let counts = [field(2), field(3), field(4), field(5)];
        let mut dns = Dns {
            flavor,
            tcp_len,
            id: field(0),
            flags: Flags(field(1)),
            counts,
            questions: Vec::new(),
            answers: Vec::new(),
            authority: Vec::new(),
            additional: Vec::new(),
            error: None,
        };
        let origin = ctx.offset + base;
        let name_err = |e: NameError| e.into_error(layer, origin, msg.len());
        let cut = |at: usize, need: usize| {
            DissectError::truncated(layer, origin + at, need, msg.len() - at.min(msg.len()))
        };
        let mut pos = HEADER_LEN;
        // Each question and record consumes at least 5 bytes, so the loops end with the
        // input whatever the counts say.
        let result = (|| -> Result<()> {
            for _ in 0..counts[0] {
                let after = check_name(msg, pos).map_err(name_err)?;
                let (Some(qtype), Some(qclass)) = (be16(msg, after), be16(msg, after + 2)) else {
                    return Err(cut(after, 4));
                };
                dns.questions.push(Question {
                    name: Name { msg, at: pos },
                    qtype: RRType(qtype),
                    qclass,
                });
                pos = after + 4;
            }
            for (section, &count) in counts.iter().enumerate().skip(1) {
                for _ in 0..count {
                    let after = check_name(msg, pos).map_err(name_err)?;
                    let (Some(rtype), Some(class), Some(ttl), Some(rdlength)) = (
                        be16(msg, after),
                        be16(msg, after + 2),
                        be32(msg, after + 4),
                        be16(msg, after + 8),
                    ) else {
                        return Err(cut(after, 10));
                    };
                    let at = after + 10;
                    let len = usize::from(rdlength);
                    if msg.len() < at + len {
                        return Err(cut(at, len));
                    }
                    let rtype = RRType(rtype);
                    let record = Record {
                        name: Name { msg, at: pos },
                        rtype,
                        class,
                        ttl,
                        rdlength,
                        rdata: decode_rdata(msg, rtype, at, len),
                    };
                    match section {
                        1 => dns.answers.push(record),
                        2 => dns.authority.push(record),
                        _ => dns.additional.push(record),
                    }
                    pos = at + len;
                }
            }
            Ok(())
        })();
        dns.error = result.err();
        Ok(dns)
    }

    /// All records of the answer, authority and additional sections, in order.
    pub fn records(&self) -> impl Iterator<Item = &Record<'a>> + Clone {
        self.answers
            .iter()
            .chain(&self.authority)
            .chain(&self.additional)
    }
}

impl<'a> Parse<'a> for Dns<'a> {
    fn parse(data: &'a [u8], ctx: &Ctx) -> Result<Parsed<Self>> {
        let dns = Dns::decode(data, ctx, 0, Flavor::from_ports(ctx.ports), None)?;
        Ok(Parsed {
            header: dns,
            header_len: data.len(),
            payload_len: 0,
            next: Next::Leaf,
        })
    }
}

/// DNS over TCP: a 2-byte length, then the message (`dns`, chain token `DNS`).
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct DnsTcp<'a>(pub Dns<'a>);

impl Header for DnsTcp<'_> {
    const NAME: &'static str = "DNS";
    const KEY: &'static str = "dns";
    const LEVEL: Option<Level> = Some(Level::Application);
    const ALIASES: &'static [&'static str] = &["LLMNR"];

    fn key(&self) -> &'static str {
        self.0.key()
    }

    fn write_token(&self, f: &mut dyn fmt::Write) -> fmt::Result {
        self.0.write_token(f)
    }
}

impl<'a> Parse<'a> for DnsTcp<'a> {
    fn parse(data: &'a [u8], ctx: &Ctx) -> Result<Parsed<Self>> {
        let Some(len) = be16(data, 0) else {
            return Err(DissectError::truncated(
                Self::NAME,
                ctx.offset,
                2 + HEADER_LEN,
                data.len(),
            ));
        };
        let rest = data.get(2..).unwrap_or_default();
        let msg = rest.get(..usize::from(len)).unwrap_or(rest);
        let mut dns = Dns::decode(msg, ctx, 2, Flavor::from_ports(ctx.ports), Some(len))?;
        if dns.error.is_none() && msg.len() < usize::from(len) {
            dns.error = Some(DissectError::truncated(
                Self::NAME,
                ctx.offset + 2 + msg.len(),
                usize::from(len),
                msg.len(),
            ));
        }
        Ok(Parsed {
            header: DnsTcp(dns),
            header_len: data.len(),
            payload_len: 0,
            next: Next::Leaf,
        })
    }
}

impl Serialize for DnsTcp<'_> {
    fn serialize<S: Serializer>(&self, serializer: S) -> std::result::Result<S::Ok, S::Error> {
        self.0.serialize(serializer)
    }
}

struct QuestionView<'q, 'a>(Flavor, &'q Question<'a>);

impl Serialize for QuestionView<'_, '_> {
    fn serialize<S: Serializer>(&self, serializer: S) -> std::result::Result<S::Ok, S::Error> {
        let QuestionView(flavor, q) = self;
        let mut st = serializer.serialize_struct("Question", 4)?;
        st.serialize_field("name", &q.name)?;
        st.serialize_field("type", &q.qtype)?;
        if *flavor == Flavor::Mdns {
            st.serialize_field("class", &Class(q.qclass & 0x7fff))?;
            st.serialize_field("unicast_response", &(q.qclass & 0x8000 != 0))?;
        } else {
            st.serialize_field("class", &Class(q.qclass))?;
        }
        st.end()
    }
}

struct RecordView<'r, 'a>(Flavor, &'r Record<'a>);

/// One EDNS(0) option in the output.
#[derive(Serialize)]
struct EdnsOption<'a> {
    code: u16,
    data: Bytes<'a>,
}

impl Serialize for RecordView<'_, '_> {
    fn serialize<S: Serializer>(&self, serializer: S) -> std::result::Result<S::Ok, S::Error> {
        let RecordView(flavor, r) = self;
        let mut m = serializer.serialize_map(None)?;
        m.serialize_entry("name", &r.name)?;
        m.serialize_entry("type", &r.rtype)?;
        if let RData::Opt(opts) = r.rdata {
            // RFC 6891 §6.1.3: CLASS is the UDP payload size, TTL the extended RCODE,
            // version and flags.
            m.serialize_entry("udp_payload_size", &r.class)?;
            m.serialize_entry("ext_rcode", &(r.ttl >> 24))?;
            m.serialize_entry("version", &((r.ttl >> 16) & 0xff))?;
            m.serialize_entry("do", &(r.ttl & 0x8000 != 0))?;
            m.serialize_entry("rdlength", &r.rdlength)?;
            m.serialize_entry(
                "options",
                &SeqOf(EdnsOptions(opts).map(|(code, data)| EdnsOption {
                    code,
                    data: Bytes(data),
                })),
            )?;
            return m.end();
        }
        if *flavor == Flavor::Mdns {
            m.serialize_entry("class", &Class(r.class & 0x7fff))?;
            m.serialize_entry("cache_flush", &(r.class & 0x8000 != 0))?;
        } else {
            m.serialize_entry("class", &Class(r.class))?;
        }
        m.serialize_entry("ttl", &r.ttl)?;
        m.serialize_entry("rdlength", &r.rdlength)?;
        match r.rdata {
            RData::A(a) => m.serialize_entry("address", &a)?,
            RData::Aaaa(a) => m.serialize_entry("address", &a)?,
            RData::Name(n) => m.serialize_entry("target", &n)?,
            RData::Mx {
                preference,
                exchange,
            } => {
                m.serialize_entry("preference", &preference)?;
                m.serialize_entry("exchange", &exchange)?;
            }
            RData::Txt(t) => m.serialize_entry("txt", &SeqOf(TxtStrings(t)))?,
            RData::Soa {
                mname,
                rname,
                serial,
                refresh,
                retry,
                expire,
                minimum,
            } => {
                m.serialize_entry("mname", &mname)?;
                m.serialize_entry("rname", &rname)?;
                m.serialize_entry("serial", &serial)?;
                m.serialize_entry("refresh", &refresh)?;
                m.serialize_entry("retry", &retry)?;
                m.serialize_entry("expire", &expire)?;
                m.serialize_entry("minimum", &minimum)?;
            }
            RData::Srv {
                priority,
                weight,
                port,
                target,
            } => {
                m.serialize_entry("priority", &priority)?;
                m.serialize_entry("weight", &weight)?;
                m.serialize_entry("port", &port)?;
                m.serialize_entry("target", &target)?;
            }
            RData::Opt(b) | RData::Raw(b) => m.serialize_entry("rdata", &Bytes(b))?,
        }
        m.end()
    }
}

/// Fields: (`len` over TCP), `id`, `flags`, `qdcount`, `ancount`, `nscount`, `arcount`,
/// `questions`, `answers`, `authority`, `additional`, and `error` when the sections
/// stopped early.
impl Serialize for Dns<'_> {
    fn serialize<S: Serializer>(&self, serializer: S) -> std::result::Result<S::Ok, S::Error> {
        let flavor = self.flavor;
        let mut st = serializer.serialize_struct("DNS", 13)?;
        if let Some(len) = self.tcp_len {
            st.serialize_field("len", &len)?;
        }
        st.serialize_field("id", &self.id)?;
        st.serialize_field("flags", &FlagsView(flavor, self.flags))?;
        st.serialize_field("qdcount", &self.counts[0])?;
        st.serialize_field("ancount", &self.counts[1])?;
        st.serialize_field("nscount", &self.counts[2])?;
        st.serialize_field("arcount", &self.counts[3])?;
        st.serialize_field(
            "questions",
            &SeqOf(self.questions.iter().map(|q| QuestionView(flavor, q))),
        )?;
        for (key, records) in [
            ("answers", &self.answers),
            ("authority", &self.authority),
            ("additional", &self.additional),
        ] {
            st.serialize_field(key, &SeqOf(records.iter().map(|r| RecordView(flavor, r))))?;
        }
        if let Some(e) = &self.error {
            st.serialize_field("error", e)?;
        }
        st.end()
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::ErrorKind;
    use serde_json::json;

    fn name(out: &mut Vec<u8>, labels: &[&str]) {
        for l in labels {
            out.push(l.len() as u8);
            out.extend_from_slice(l.as_bytes());
        }
        out.push(0);
    }

    fn rr(out: &mut Vec<u8>, owner: &[u8], rtype: u16, class: u16, ttl: u32, rdata: &[u8]) {
        out.extend_from_slice(owner);
        out.extend_from_slice(&rtype.to_be_bytes());
        out.extend_from_slice(&class.to_be_bytes());
        out.extend_from_slice(&ttl.to_be_bytes());
        out.extend_from_slice(&(rdata.len() as u16).to_be_bytes());
        out.extend_from_slice(rdata);
    }

    /// A response to `example.com A?` with a CNAME, an A, an AAAA, an MX, a TXT and an
    /// SRV answer, a SOA in the authority section (compressed names), and an OPT record.
    fn response() -> Vec<u8> {
        let mut m = vec![0x12, 0x34, 0x81, 0x80, 0, 1, 0, 6, 0, 1, 0, 1];
        name(&mut m, &["example", "com"]);
        m.extend_from_slice(&[0, 1, 0, 1]);
        // CNAME www.example.com (www + pointer to 12).
        rr(
            &mut m,
            &[0xc0, 12],
            5,
            1,
            3600,
            &[3, b'w', b'w', b'w', 0xc0, 12],
        );
        rr(&mut m, &[0xc0, 12], 1, 1, 60, &[93, 184, 216, 34]);
        let v6: [u8; 16] = "2001:db8::1".parse::<Ipv6Addr>().unwrap().octets();
        rr(&mut m, &[0xc0, 12], 28, 1, 60, &v6);
        rr(
            &mut m,
            &[0xc0, 12],
            15,
            1,
            60,
            &[0, 10, 2, b'm', b'x', 0xc0, 12],
        );
        rr(
            &mut m,
            &[0xc0, 12],
            16,
            1,
            60,
            &[2, b'h', b'i', 0, 3, b'a', b'=', b'b'],
        );
        rr(
            &mut m,
            &[0xc0, 12],
            33,
            1,
            60,
            &[0, 1, 0, 2, 0x13, 0xc4, 1, b's', 0xc0, 12],
        );
        let mut soa = vec![2, b'n', b's', 0xc0, 12, 0xc0, 12];
        for n in [1u32, 2, 3, 4, 5] {
            soa.extend_from_slice(&n.to_be_bytes());
        }
        rr(&mut m, &[0xc0, 12], 6, 1, 300, &soa);
        // OPT: size 1232, DO bit, one option (cookie, 8 bytes).
        let mut opt = vec![0, 10, 0, 8];
        opt.extend_from_slice(&[1, 2, 3, 4, 5, 6, 7, 8]);
        rr(&mut m, &[0], 41, 1232, 0x0000_8000, &opt);
        m
    }

    fn ctx(src: u16, dst: u16) -> Ctx {
        Ctx {
            offset: 42,
            ports: Some((src, dst)),
            ..Ctx::default()
        }
    }

    #[test]
    fn test_parse_response() {
        let m = response();
        let p = Dns::parse(&m, &ctx(53, 40000)).unwrap();
        assert_eq!(p.header_len, m.len());
        assert_eq!(p.payload_len, 0);
        assert_eq!(p.next, Next::Leaf);
        let d = &p.header;
        assert_eq!(d.error, None);
        assert_eq!(d.questions.len(), 1);
        assert_eq!(d.answers.len(), 6);
        assert_eq!(d.authority.len(), 1);
        assert_eq!(d.additional.len(), 1);
        assert_eq!(d.records().count(), 8);
        let json = serde_json::to_value(d).unwrap();
        assert_eq!(json["id"], 0x1234);
        assert_eq!(
            json["flags"],
            json!({"qr": true, "opcode": "Opcode::Query [0]", "aa": false, "tc": false,
                "rd": true, "ra": true, "z": false, "ad": false, "cd": false,
                "rcode": "RCode::NoError [0]"})
        );
        assert_eq!(
            [
                &json["qdcount"],
                &json["ancount"],
                &json["nscount"],
                &json["arcount"]
            ],
            [1, 6, 1, 1]
        );
        assert_eq!(
            json["questions"],
            json!([{"name": "example.com", "type": "RRType::A [1]", "class": "Class::IN [1]"}])
        );
        let a = &json["answers"];
        assert_eq!(
            a[0],
            json!({"name": "example.com", "type": "RRType::CNAME [5]", "class": "Class::IN [1]",
                "ttl": 3600, "rdlength": 6, "target": "www.example.com"})
        );
        assert_eq!(a[1]["address"], "93.184.216.34");
        assert_eq!(a[2]["address"], "2001:db8::1");
        assert_eq!(a[3]["preference"], 10);
        assert_eq!(a[3]["exchange"], "mx.example.com");
        assert_eq!(a[4]["txt"], json!(["hi", "", "a=b"]));
        assert_eq!(
            [&a[5]["priority"], &a[5]["weight"], &a[5]["port"]],
            [1, 2, 5060]
        );
        assert_eq!(a[5]["target"], "s.example.com");
        let soa = &json["authority"][0];
        assert_eq!(soa["mname"], "ns.example.com");
        assert_eq!(soa["rname"], "example.com");
        assert_eq!(
            [
                &soa["serial"],
                &soa["refresh"],
                &soa["retry"],
                &soa["expire"],
                &soa["minimum"]
            ],
            [1, 2, 3, 4, 5]
        );
        assert_eq!(
            json["additional"][0],
            json!({"name": "<Root>", "type": "RRType::OPT [41]", "udp_payload_size": 1232,
                "ext_rcode": 0, "version": 0, "do": true, "rdlength": 12,
                "options": [{"code": 10, "data": [1, 2, 3, 4, 5, 6, 7, 8]}]})
        );
        assert!(json.get("error").is_none());
        assert!(json.get("len").is_none());
    }

    #[test]
    fn unknown_types_and_bad_rdata_stay_raw() {
        let mut m = vec![0, 1, 0, 0, 0, 0, 0, 2, 0, 0, 0, 0];
        rr(&mut m, &[0], 99, 3, 1, b"v=spf1");
        // An A record of 3 bytes does not fit its type.
        rr(&mut m, &[0], 1, 1, 1, &[1, 2, 3]);
        let d = Dns::parse(&m, &ctx(40000, 53)).unwrap().header;
        assert_eq!(d.answers[0].rdata, RData::Raw(b"v=spf1"));
        assert_eq!(d.answers[1].rdata, RData::Raw(&[1, 2, 3]));
        let json = serde_json::to_value(&d).unwrap();
        assert_eq!(json["answers"][0]["type"], "RRType::SPF [99]");
        assert_eq!(json["answers"][0]["class"], "Class::CH [3]");
        assert_eq!(json["answers"][0]["rdata"], json!(b"v=spf1".to_vec()));
        assert_eq!(json["flags"]["qr"], false);
        assert_eq!(RRType(12345).to_string(), "RRType::Unknown [12345]");
    }

    #[test]
    fn compression_loop_is_an_error_not_a_hang() {
        // The question's name points at itself.
        let mut m = vec![0, 1, 0, 0, 0, 1, 0, 0, 0, 0, 0, 0, 0xc0, 12, 0, 1, 0, 1];
        let d = Dns::parse(&m, &ctx(40000, 53)).unwrap().header;
        assert!(d.questions.is_empty());
        let e = d.error.unwrap();
        assert_eq!(e.offset, 42 + 12);
        assert!(matches!(e.kind, ErrorKind::Limit(_)));
        // Two names pointing at each other.
        m[12..14].copy_from_slice(&[0xc0, 14]);
        m.splice(14..14, [0xc0, 12]);
        let d = Dns::parse(&m, &ctx(40000, 53)).unwrap().header;
        assert!(matches!(d.error.unwrap().kind, ErrorKind::Limit(_)));
        // A reserved label type.
        let m = [0, 1, 0, 0, 0, 1, 0, 0, 0, 0, 0, 0, 0x40, 0, 0, 1, 0, 1];
        let e = Dns::parse(&m, &ctx(40000, 53))
            .unwrap()
            .header
            .error
            .unwrap();
        assert_eq!(e.offset, 42 + 12);
        assert!(matches!(e.kind, ErrorKind::Malformed(_)));
    }

    #[test]
    fn long_names_are_rejected() {
        let mut m = vec![0, 1, 0, 0, 0, 1, 0, 0, 0, 0, 0, 0];
        for _ in 0..5 {
            m.push(63);
            m.extend_from_slice(&[b'a'; 63]);
        }
        m.extend_from_slice(&[0, 0, 1, 0, 1]);
        let e = Dns::parse(&m, &ctx(40000, 53))
            .unwrap()
            .header
            .error
            .unwrap();
        assert!(matches!(e.kind, ErrorKind::Malformed(_)));
        assert_eq!(e.offset, 42 + 12);
    }

    #[test]
    fn truncation_at_every_byte_keeps_what_was_decoded() {
        let m = response();
        let full = Dns::parse(&m, &ctx(53, 40000)).unwrap().header;
        for cut in 0..m.len() {
            match Dns::parse(&m[..cut], &ctx(53, 40000)) {
                Err(e) => {
                    assert!(cut < HEADER_LEN);
                    assert_eq!(e, DissectError::truncated("DNS", 42, 12, cut));
                }
                Ok(p) => {
                    let d = p.header;
                    let e = d.error.clone().expect("a cut message reports an error");
                    assert!(matches!(e.kind, ErrorKind::Truncated { .. }), "{e}");
                    assert!(e.offset <= 42 + cut, "{e} at cut {cut}");
                    assert_eq!(d.id, 0x1234);
                    assert!(d.records().count() < full.records().count());
                    serde_json::to_string(&d).unwrap();
                }
            }
        }
    }

    #[test]
    fn over_tcp_with_length_prefix() {
        let m = response();
        let mut seg = (m.len() as u16).to_be_bytes().to_vec();
        seg.extend_from_slice(&m);
        assert!(claims_tcp(&seg));
        assert!(!claims_tcp(&seg[..13]));
        assert!(!claims_tcp(&[0, 5, 1, 2, 3, 4, 5, 6, 7, 8, 9, 10, 11, 12]));
        let p = DnsTcp::parse(&seg, &ctx(53, 40000)).unwrap();
        assert_eq!(p.header_len, seg.len());
        let json = serde_json::to_value(&p.header).unwrap();
        assert_eq!(json["len"], m.len());
        assert_eq!(json["id"], 0x1234);
        assert_eq!(json["answers"][1]["address"], "93.184.216.34");
        assert!(json.get("error").is_none());
        // The message continues in the next segment.
        let p = DnsTcp::parse(&seg[..40], &ctx(53, 40000)).unwrap();
        let e = p.header.0.error.unwrap();
        assert!(matches!(e.kind, ErrorKind::Truncated { .. }));
        let e = DnsTcp::parse(&seg[..1], &ctx(53, 40000)).unwrap_err();
        assert_eq!(e, DissectError::truncated("DNS", 42, 14, 1));
        let e = DnsTcp::parse(&seg[..8], &ctx(53, 40000)).unwrap_err();
        assert_eq!(e, DissectError::truncated("DNS", 44, 12, 6));
    }

    #[test]
    fn mdns_and_llmnr_flavors() {
        let mut m = vec![0, 0, 0x84, 0, 0, 1, 0, 1, 0, 0, 0, 0];
        name(&mut m, &["_http", "_tcp", "local"]);
        m.extend_from_slice(&[0, 12, 0x80, 1]);
        rr(&mut m, &[0xc0, 12], 12, 0x8001, 120, &[1, b'x', 0xc0, 12]);
        let p = Dns::parse(&m, &ctx(5353, 5353)).unwrap();
        let mut token = String::new();
        p.header.write_token(&mut token).unwrap();
        assert_eq!((token.as_str(), p.header.key()), ("mDNS", "mdns"));
        let json = serde_json::to_value(&p.header).unwrap();
        assert_eq!(json["questions"][0]["class"], "Class::IN [1]");
        assert_eq!(json["questions"][0]["unicast_response"], true);
        assert_eq!(json["answers"][0]["cache_flush"], true);
        assert_eq!(json["answers"][0]["target"], "x._http._tcp.local");
        assert_eq!(json["flags"]["aa"], true);

        let p = Dns::parse(&m, &ctx(49152, 5355)).unwrap();
        let mut token = String::new();
        p.header.write_token(&mut token).unwrap();
        assert_eq!((token.as_str(), p.header.key()), ("LLMNR", "llmnr"));
        let json = serde_json::to_value(&p.header).unwrap();
        assert_eq!(json["flags"]["c"], true);
        assert!(json["flags"].get("aa").is_none());
        assert_eq!(json["questions"][0]["class"], "Class::Unknown [32769]");
        // Port 53 wins over the others; no ports is plain DNS.
        assert_eq!(Flavor::from_ports(Some((5353, 53))), Flavor::Dns);
        assert_eq!(Flavor::from_ports(None), Flavor::Dns);
    }

    #[test]
    fn dispatch_by_port() {
        use crate::consts::reg::TransType;
        use crate::{DissectOptions, dissect_next};
        use pcapkit_core::LinkType;
        let m = response();
        let udp = |sport: u16, dport: u16, payload: &[u8]| {
            let mut s = sport.to_be_bytes().to_vec();
            s.extend_from_slice(&dport.to_be_bytes());
            s.extend_from_slice(&(payload.len() as u16 + 8).to_be_bytes());
            s.extend_from_slice(&[0, 0]);
            s.extend_from_slice(payload);
            s
        };
        let chain = |next, data: &[u8]| {
            dissect_next(next, LinkType::NULL, data, &DissectOptions::default())
                .protocols()
                .to_string()
        };
        assert_eq!(
            chain(Next::IpProto(TransType::UDP), &udp(53, 40000, &m)),
            "UDP:DNS"
        );
        assert_eq!(
            chain(Next::IpProto(TransType::UDP), &udp(5353, 5353, &m)),
            "UDP:mDNS"
        );
        assert_eq!(
            chain(Next::IpProto(TransType::UDP), &udp(40000, 5355, &m)),
            "UDP:LLMNR"
        );
        assert_eq!(
            chain(Next::IpProto(TransType::UDP), &udp(53, 40000, &m[..5])),
            "UDP:Raw"
        );
        let mut seg = 40000u16.to_be_bytes().to_vec();
        seg.extend_from_slice(&[
            0, 53, 0, 0, 0, 1, 0, 0, 0, 1, 0x50, 0x18, 0xff, 0xff, 0, 0, 0, 0,
        ]);
        seg.extend_from_slice(&(m.len() as u16).to_be_bytes());
        seg.extend_from_slice(&m);
        assert_eq!(chain(Next::IpProto(TransType::TCP), &seg), "TCP:DNS");
    }
}
