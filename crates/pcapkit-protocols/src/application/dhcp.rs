//! BOOTP (RFC 951) and DHCP (RFC 2131, options RFC 2132) on UDP 67/68.
//!
//! One layer (`dhcp`, chain token `DHCP`): the fixed BOOTP header, then, after the
//! magic cookie `99.130.83.99`, the options in order (`options`, each `type`, `length`
//! and its `data`, plus a decoded `value` for the common ones). `message_type` repeats
//! option 53 (DHCP message type) at the top; it is `null` for plain BOOTP. Options stop
//! at `End` (255); an option cut short by the capture ends the list with `truncated`.

use std::net::Ipv4Addr;

use serde::Serialize;
use serde::ser::{SerializeMap, Serializer};

use crate::consts::arp::Hardware;
use crate::consts::dhcp::{MessageType, Opcode, Option as DhcpOption};
use crate::error::{DissectError, Result};
use crate::protocol::{Ctx, Header, Level, Next, Parse, Parsed};
use crate::ser::{Bytes, MacAddr, SeqOf};

use super::Text;

/// Length of the fixed BOOTP header (before the magic cookie).
pub const HEADER_LEN: usize = 236;
/// The DHCP magic cookie.
pub const MAGIC: [u8; 4] = [99, 130, 83, 99];

/// A BOOTP/DHCP message (`dhcp`, chain token `DHCP`).
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct Dhcp<'a> {
    /// The whole message.
    pub data: &'a [u8],
}

fn ip_at(b: &[u8], at: usize) -> Ipv4Addr {
    let mut a = [0u8; 4];
    if let Some(s) = b.get(at..at + 4) {
        a.copy_from_slice(s);
    }
    Ipv4Addr::from(a)
}

fn be16(b: &[u8], at: usize) -> u16 {
    match b.get(at..at + 2) {
        Some(&[x, y]) => u16::from_be_bytes([x, y]),
        _ => 0,
    }
}

fn be32(b: &[u8], at: usize) -> u32 {
    let mut a = [0u8; 4];
    if let Some(s) = b.get(at..at + 4) {
        a.copy_from_slice(s);
    }
    u32::from_be_bytes(a)
}

/// Text up to the first NUL of a fixed field.
fn c_string(b: &[u8]) -> Text<'_> {
    let end = memchr::memchr(0, b).unwrap_or(b.len());
    Text(b.get(..end).unwrap_or_default())
}

/// One option: (code, declared length, data captured).
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct DhcpOpt<'a> {
    /// Option code.
    pub code: DhcpOption,
    /// Declared length.
    pub length: u8,
    /// The data (shorter than `length` when cut short).
    pub data: &'a [u8],
}

/// The options of a message, up to `End`.
#[derive(Clone, Debug)]
pub struct Options<'a>(&'a [u8]);

impl<'a> Iterator for Options<'a> {
    type Item = DhcpOpt<'a>;

    fn next(&mut self) -> Option<DhcpOpt<'a>> {
        loop {
            let (&code, rest) = self.0.split_first()?;
            match code {
                0 => self.0 = rest,
                255 => {
                    self.0 = &[];
                    return Some(DhcpOpt {
                        code: DhcpOption(255),
                        length: 0,
                        data: &[],
                    });
                }
                _ => {
                    let (&length, rest) = rest.split_first().unwrap_or((&0, &[]));
                    let (data, rest) = rest
                        .split_at_checked(usize::from(length))
                        .unwrap_or((rest, &[]));
                    self.0 = rest;
                    return Some(DhcpOpt {
                        code: DhcpOption(code),
                        length,
                        data,
                    });
                }
            }
        }
    }
}

impl<'a> Dhcp<'a> {
    /// op: BOOTREQUEST / BOOTREPLY.
    pub fn op(&self) -> Opcode {
        Opcode(self.data.first().copied().unwrap_or(0))
    }

    /// Transaction ID.
    pub fn xid(&self) -> u32 {
        be32(self.data, 4)
    }

    /// Whether the magic cookie follows the header (DHCP, not plain BOOTP).
    pub fn has_cookie(&self) -> bool {
        self.data.get(HEADER_LEN..HEADER_LEN + 4) == Some(&MAGIC[..])
    }

    /// The options (none without the cookie).
    pub fn options(&self) -> Options<'a> {
        let rest = if self.has_cookie() {
            self.data.get(HEADER_LEN + 4..).unwrap_or_default()
        } else {
            &[]
        };
        Options(rest)
    }

    /// The DHCP message type (option 53), if present.
    pub fn message_type(&self) -> Option<MessageType> {
        self.options()
            .find(|o| o.code == DhcpOption::DHCP_Msg_Type)
            .and_then(|o| o.data.first().copied())
            .map(MessageType)
    }
}

impl Header for Dhcp<'_> {
    const NAME: &'static str = "DHCP";
    const KEY: &'static str = "dhcp";
    const LEVEL: Option<Level> = Some(Level::Application);
    const ALIASES: &'static [&'static str] = &["BOOTP"];
}

/// Bytes of the fixed header up to and including `giaddr`: the least a message cut by
/// the capture's snaplen must hold to be decoded (in part).
pub const PARTIAL_MIN: usize = 28;

/// Whether a UDP payload on port 67/68 can be BOOTP: op 1 or 2 and a whole fixed header,
/// or (a message cut by the snaplen) at least the fields up to `giaddr` with a
/// hardware address length of at most 16.
pub fn claims(data: &[u8]) -> bool {
    matches!(data.first(), Some(1 | 2))
        && (data.len() >= HEADER_LEN
            || (data.len() >= PARTIAL_MIN && data.get(2).is_some_and(|&h| h <= 16)))
}

impl<'a> Parse<'a> for Dhcp<'a> {
    fn parse(data: &'a [u8], ctx: &Ctx) -> Result<Parsed<Self>> {
        // A message the capture cut short (the parent declared more bytes) shows the
        // fields that were captured, as tshark does; otherwise the header must be whole.
        let cut = ctx.reported_len.is_some_and(|n| n > data.len());
        let need = if cut { PARTIAL_MIN } else { HEADER_LEN };
        crate::wire::need(Self::NAME, ctx, data, need)?;
        if !matches!(data.first(), Some(1 | 2)) {
            return Err(DissectError::bad_value(
                Self::NAME,
                ctx.offset,
                "op",
                u64::from(data.first().copied().unwrap_or(0)),
                "1 (BOOTREQUEST) or 2 (BOOTREPLY)",
            ));
        }
        Ok(Parsed {
            header: Dhcp { data },
            header_len: data.len(),
            payload_len: 0,
            next: Next::Leaf,
        })
    }
}

/// The BOOTP flags field.
#[derive(Serialize)]
struct Flags {
    broadcast: bool,
}

struct OptView<'a>(DhcpOpt<'a>);

impl Serialize for OptView<'_> {
    fn serialize<S: Serializer>(&self, serializer: S) -> std::result::Result<S::Ok, S::Error> {
        let o = self.0;
        let mut m = serializer.serialize_map(None)?;
        m.serialize_entry("type", &o.code)?;
        if o.code.0 == 255 {
            return m.end();
        }
        m.serialize_entry("length", &o.length)?;
        m.serialize_entry("data", &Bytes(o.data))?;
        let d = o.data;
        let addrs = || SeqOf(d.chunks_exact(4).map(|c| ip_at(c, 0)));
        match o.code.0 {
            53 if d.len() == 1 => {
                m.serialize_entry("value", &d.first().map(|&t| MessageType(t)))?
            }
            1 | 28 | 50 | 54 if d.len() == 4 => m.serialize_entry("value", &ip_at(d, 0))?,
            3 | 4 | 5 | 6 | 42 | 44 if d.len() % 4 == 0 => m.serialize_entry("value", &addrs())?,
            12 | 14 | 15 | 17 | 40 | 56 | 60 | 66 | 67 => {
                m.serialize_entry("value", &c_string(d))?
            }
            51 | 58 | 59 if d.len() == 4 => m.serialize_entry("value", &be32(d, 0))?,
            57 if d.len() == 2 => m.serialize_entry("value", &be16(d, 0))?,
            55 => m.serialize_entry("value", &SeqOf(d.iter().map(|&c| DhcpOption(c))))?,
            _ => {}
        }
        if o.data.len() < usize::from(o.length) {
            m.serialize_entry("truncated", &true)?;
        }
        m.end()
    }
}

/// Fields: `op`, `htype`, `hlen`, `hops`, `xid`, `secs`, `flags` (`broadcast`),
/// `ciaddr`, `yiaddr`, `siaddr`, `giaddr`, `chaddr`, `sname`, `file`, `cookie`,
/// `message_type`, `options`. A message cut by the snaplen before the end of the fixed
/// header shows the fields captured whole (at least up to `giaddr`), then
/// `truncated: true`.
impl Serialize for Dhcp<'_> {
    fn serialize<S: Serializer>(&self, serializer: S) -> std::result::Result<S::Ok, S::Error> {
        let d = self.data;
        let byte = |i: usize| d.get(i).copied().unwrap_or(0);
        let mut m = serializer.serialize_map(None)?;
        m.serialize_entry("op", &self.op())?;
        m.serialize_entry("htype", &Hardware(u16::from(byte(1))))?;
        m.serialize_entry("hlen", &byte(2))?;
        m.serialize_entry("hops", &byte(3))?;
        m.serialize_entry("xid", &self.xid())?;
        m.serialize_entry("secs", &be16(d, 8))?;
        let flags = be16(d, 10);
        m.serialize_entry(
            "flags",
            &Flags {
                broadcast: flags & 0x8000 != 0,
            },
        )?;
        m.serialize_entry("ciaddr", &ip_at(d, 12))?;
        m.serialize_entry("yiaddr", &ip_at(d, 16))?;
        m.serialize_entry("siaddr", &ip_at(d, 20))?;
        m.serialize_entry("giaddr", &ip_at(d, 24))?;
        if d.len() < HEADER_LEN {
            return self.serialize_partial(m);
        }
        let chaddr = d.get(28..44).unwrap_or_default();
        let hlen = usize::from(byte(2));
        match chaddr.get(..6) {
            Some(mac) if hlen == 6 => {
                let mut a = [0u8; 6];
                a.copy_from_slice(mac);
                m.serialize_entry("chaddr", &MacAddr(a))?;
            }
            _ => m.serialize_entry("chaddr", &Bytes(chaddr.get(..hlen).unwrap_or(chaddr)))?,
        }
        m.serialize_entry("sname", &c_string(d.get(44..108).unwrap_or_default()))?;
        m.serialize_entry("file", &c_string(d.get(108..236).unwrap_or_default()))?;
        m.serialize_entry("cookie", &self.has_cookie())?;
        m.serialize_entry("message_type", &self.message_type())?;
        m.serialize_entry("options", &SeqOf(self.options().map(OptView)))?;
        m.end()
    }
}

impl Dhcp<'_> {
    /// The fields after `giaddr` of a message cut before the end of its fixed header.
    fn serialize_partial<M: SerializeMap>(&self, mut m: M) -> std::result::Result<M::Ok, M::Error> {
        let d = self.data;
        let hlen = usize::from(d.get(2).copied().unwrap_or(0));
        if let Some(chaddr) = d.get(28..44) {
            match chaddr.get(..6) {
                Some(mac) if hlen == 6 => {
                    let mut a = [0u8; 6];
                    a.copy_from_slice(mac);
                    m.serialize_entry("chaddr", &MacAddr(a))?;
                }
                _ => m.serialize_entry("chaddr", &Bytes(chaddr.get(..hlen).unwrap_or(chaddr)))?,
            }
        }
        if let Some(sname) = d.get(44..108) {
            m.serialize_entry("sname", &c_string(sname))?;
        }
        m.serialize_entry("truncated", &true)?;
        m.end()
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    #[test]
    fn snaplen_cut_message_shows_the_captured_fields() {
        let m = discover();
        let cut = Ctx {
            reported_len: Some(m.len()),
            ..Ctx::default()
        };
        // Cut after 54 bytes (a 96-byte snaplen over Ethernet/IPv4/UDP).
        let short = &m[..54];
        assert!(claims(short));
        let p = Dhcp::parse(short, &cut).unwrap();
        assert_eq!((p.header_len, p.next), (54, Next::Leaf));
        let v = serde_json::to_value(p.header).unwrap();
        assert_eq!(v["op"], "Opcode::BOOTREQUEST [1]");
        assert_eq!(v["xid"], 0x3d1d);
        assert_eq!(v["flags"]["broadcast"], true);
        assert_eq!(v["giaddr"], "0.0.0.0");
        assert_eq!(v["chaddr"], "00:0b:82:01:fc:42");
        assert_eq!(v["truncated"], true);
        for absent in ["sname", "file", "cookie", "message_type", "options"] {
            assert!(v.get(absent).is_none(), "{absent}");
        }
        assert_eq!(p.header.message_type(), None);
        let v = serde_json::to_value(Dhcp::parse(&m[..120], &cut).unwrap().header).unwrap();
        assert_eq!(v["sname"], "srv");
        assert!(v.get("file").is_none());
        // Fewer than 28 bytes, or a short message that was not cut: truncation errors.
        assert!(!claims(&m[..27]));
        assert!(Dhcp::parse(&m[..27], &cut).is_err());
        assert!(Dhcp::parse(short, &Ctx::default()).is_err());
        // An implausible hardware address length is not claimed when short.
        let mut odd = m[..54].to_vec();
        odd[2] = 200;
        assert!(!claims(&odd));
    }

    /// A DHCPDISCOVER from 00:0b:82:01:fc:42 with options 53, 61, 50, 55, 12, End.
    fn discover() -> Vec<u8> {
        let mut m = vec![1, 1, 6, 0, 0, 0, 0x3d, 0x1d, 0, 3, 0x80, 0];
        m.extend_from_slice(&[0; 16]); // ciaddr .. giaddr
        m.extend_from_slice(&[0x00, 0x0b, 0x82, 0x01, 0xfc, 0x42]);
        m.extend_from_slice(&[0; 10]);
        let mut sname = [0u8; 64];
        sname[..3].copy_from_slice(b"srv");
        m.extend_from_slice(&sname);
        m.extend_from_slice(&[0; 128]);
        m.extend_from_slice(&MAGIC);
        m.extend_from_slice(&[53, 1, 1]);
        m.extend_from_slice(&[61, 7, 1, 0x00, 0x0b, 0x82, 0x01, 0xfc, 0x42]);
        m.extend_from_slice(&[50, 4, 192, 168, 0, 10]);
        m.extend_from_slice(&[0, 0]); // pads
        m.extend_from_slice(&[55, 4, 1, 3, 6, 42]);
        m.extend_from_slice(&[12, 4, b'h', b'o', b's', b't']);
        m.extend_from_slice(&[51, 4, 0, 0, 0x0e, 0x10]);
        m.extend_from_slice(&[255, 0, 0, 0]);
        m
    }

    #[test]
    fn test_parse_discover() {
        let m = discover();
        assert!(claims(&m));
        let p = Dhcp::parse(&m, &Ctx::default()).unwrap();
        assert_eq!(
            (p.header_len, p.payload_len, p.next),
            (m.len(), 0, Next::Leaf)
        );
        let d = p.header;
        assert_eq!(d.xid(), 0x3d1d);
        assert_eq!(d.message_type(), Some(MessageType::DHCPDISCOVER));
        let json = serde_json::to_value(d).unwrap();
        assert_eq!(json["op"], "Opcode::BOOTREQUEST [1]");
        assert_eq!(json["htype"], "Hardware::Ethernet [1]");
        assert_eq!(
            (&json["hlen"], &json["hops"], &json["secs"]),
            (&json!(6), &json!(0), &json!(3))
        );
        assert_eq!(json["flags"], json!({"broadcast": true}));
        assert_eq!(json["ciaddr"], "0.0.0.0");
        assert_eq!(json["chaddr"], "00:0b:82:01:fc:42");
        assert_eq!(json["sname"], "srv");
        assert_eq!(json["file"], "");
        assert_eq!(json["cookie"], true);
        assert_eq!(json["message_type"], "MessageType::DHCPDISCOVER [1]");
        let o = json["options"].as_array().unwrap();
        assert_eq!(o.len(), 7);
        assert_eq!(
            o[0],
            json!({"type": "Option::DHCP_Msg_Type [53]", "length": 1, "data": [1],
                "value": "MessageType::DHCPDISCOVER [1]"})
        );
        assert_eq!(o[1]["type"], "Option::Client_Id [61]");
        assert!(o[1].get("value").is_none());
        assert_eq!(o[2]["value"], "192.168.0.10");
        assert_eq!(
            o[3]["value"],
            json!([
                "Option::Subnet_Mask [1]",
                "Option::Router [3]",
                "Option::Domain_Server [6]",
                "Option::NTP_Servers [42]"
            ])
        );
        assert_eq!(o[4]["value"], "host");
        assert_eq!(o[5]["value"], 3600);
        assert_eq!(o[6], json!({"type": "Option::End [255]"}));
    }

    #[test]
    fn bootp_without_cookie_and_cut_options() {
        let mut m = discover();
        m[236] = 0;
        let d = Dhcp::parse(&m, &Ctx::default()).unwrap().header;
        assert_eq!(d.options().count(), 0);
        assert_eq!(d.message_type(), None);
        let json = serde_json::to_value(d).unwrap();
        assert_eq!(json["cookie"], false);
        assert_eq!(json["message_type"], json!(null));
        // Cut inside option 61: 53 decoded, 61 truncated.
        let m = discover();
        let d = Dhcp::parse(&m[..248], &Ctx::default()).unwrap().header;
        assert_eq!(d.message_type(), Some(MessageType(1)));
        let json = serde_json::to_value(d).unwrap();
        assert_eq!(json["options"][1]["truncated"], true);
        assert_eq!(json["options"].as_array().unwrap().len(), 2);
        for cut in 0..m.len() {
            if let Ok(p) = Dhcp::parse(&m[..cut], &Ctx::default()) {
                assert!(cut >= HEADER_LEN);
                serde_json::to_string(&p.header).unwrap();
            }
        }
    }

    #[test]
    fn errors() {
        let ctx = Ctx {
            offset: 42,
            ..Ctx::default()
        };
        let m = discover();
        assert_eq!(
            Dhcp::parse(&m[..100], &ctx).unwrap_err(),
            DissectError::truncated("DHCP", 42, HEADER_LEN, 100)
        );
        let mut bad = m.clone();
        bad[0] = 3;
        assert!(!claims(&bad));
        assert_eq!(
            Dhcp::parse(&bad, &ctx).unwrap_err(),
            DissectError::bad_value("DHCP", 42, "op", 3, "1 (BOOTREQUEST) or 2 (BOOTREPLY)")
        );
    }
}
