//! DHCPv6 (RFC 8415) on UDP 546/547.
//!
//! One layer (`dhcpv6`, chain token `DHCPv6`): `msg_type`, then `transaction_id` for
//! client/server messages or `hop_count`, `link_address`, `peer_address` for relay
//! messages (RELAY-FORW / RELAY-REPL), and the options in order (`options`: `type`,
//! `length`, `data`, plus a decoded `value` for elapsed time, the option request list
//! and server address lists). An option cut short ends the list with `truncated`.

use std::net::Ipv6Addr;

use serde::Serialize;
use serde::ser::{SerializeMap, Serializer};

use crate::consts::dhcpv6::{MessageType, Option as Dhcpv6Option};
use crate::error::Result;
use crate::protocol::{Ctx, Header, Level, Next, Parse, Parsed};
use crate::ser::{Bytes, SeqOf};

/// Length of a client/server message header.
pub const HEADER_LEN: usize = 4;
/// Length of a relay message header.
pub const RELAY_HEADER_LEN: usize = 34;

/// A DHCPv6 message (`dhcpv6`, chain token `DHCPv6`).
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct Dhcpv6<'a> {
    /// The whole message.
    pub data: &'a [u8],
}

fn is_relay(t: u8) -> bool {
    t == 12 || t == 13
}

fn ipv6_at(b: &[u8], at: usize) -> Ipv6Addr {
    let mut a = [0u8; 16];
    if let Some(s) = b.get(at..at + 16) {
        a.copy_from_slice(s);
    }
    Ipv6Addr::from(a)
}

/// One option: (code, declared length, data captured).
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct Opt<'a> {
    /// Option code.
    pub code: Dhcpv6Option,
    /// Declared length.
    pub length: u16,
    /// The data (shorter than `length` when cut short).
    pub data: &'a [u8],
}

/// The options of a message.
#[derive(Clone, Debug)]
pub struct Options<'a>(&'a [u8]);

impl<'a> Iterator for Options<'a> {
    type Item = Opt<'a>;

    fn next(&mut self) -> Option<Opt<'a>> {
        let [a, b, c, d, rest @ ..] = self.0 else {
            self.0 = &[];
            return None;
        };
        let length = u16::from_be_bytes([*c, *d]);
        let (data, rest) = rest
            .split_at_checked(usize::from(length))
            .unwrap_or((rest, &[]));
        self.0 = rest;
        Some(Opt {
            code: Dhcpv6Option(u16::from_be_bytes([*a, *b])),
            length,
            data,
        })
    }
}

impl<'a> Dhcpv6<'a> {
    /// The message type.
    pub fn msg_type(&self) -> MessageType {
        MessageType(self.data.first().copied().unwrap_or(0))
    }

    /// The options.
    pub fn options(&self) -> Options<'a> {
        let at = if is_relay(self.msg_type().0) {
            RELAY_HEADER_LEN
        } else {
            HEADER_LEN
        };
        Options(self.data.get(at..).unwrap_or_default())
    }
}

impl Header for Dhcpv6<'_> {
    const NAME: &'static str = "DHCPv6";
    const KEY: &'static str = "dhcpv6";
    const LEVEL: Option<Level> = Some(Level::Application);
}

/// Whether a UDP payload on port 546/547 can be DHCPv6: a registered message type and a
/// whole header.
pub fn claims(data: &[u8]) -> bool {
    match data.first() {
        Some(&t) if is_relay(t) => data.len() >= RELAY_HEADER_LEN,
        Some(&t) => MessageType(t).name().is_some() && data.len() >= HEADER_LEN,
        None => false,
    }
}

impl<'a> Parse<'a> for Dhcpv6<'a> {
    fn parse(data: &'a [u8], ctx: &Ctx) -> Result<Parsed<Self>> {
        let need = match data.first() {
            Some(&t) if is_relay(t) => RELAY_HEADER_LEN,
            _ => HEADER_LEN,
        };
        crate::wire::need(Self::NAME, ctx, data, need)?;
        Ok(Parsed {
            header: Dhcpv6 { data },
            header_len: data.len(),
            payload_len: 0,
            next: Next::Leaf,
        })
    }
}

struct OptView<'a>(Opt<'a>);

impl Serialize for OptView<'_> {
    fn serialize<S: Serializer>(&self, serializer: S) -> std::result::Result<S::Ok, S::Error> {
        let o = self.0;
        let d = o.data;
        let mut m = serializer.serialize_map(None)?;
        m.serialize_entry("type", &o.code)?;
        m.serialize_entry("length", &o.length)?;
        m.serialize_entry("data", &Bytes(d))?;
        let u16s = || d.chunks_exact(2).map(|p| u16::from_be_bytes([p[0], p[1]])); // ok: chunks_exact(2)
        match o.code.0 {
            6 if d.len() % 2 == 0 => {
                m.serialize_entry("value", &SeqOf(u16s().map(Dhcpv6Option)))?;
            }
            8 if d.len() == 2 => m.serialize_entry("value", &u16s().next())?,
            12 if d.len() == 16 => m.serialize_entry("value", &ipv6_at(d, 0))?,
            22 | 23 | 27 | 28 | 31 | 34 | 40 if d.len() % 16 == 0 => {
                m.serialize_entry("value", &SeqOf(d.chunks_exact(16).map(|c| ipv6_at(c, 0))))?;
            }
            _ => {}
        }
        if d.len() < usize::from(o.length) {
            m.serialize_entry("truncated", &true)?;
        }
        m.end()
    }
}

/// Fields described in the module documentation.
impl Serialize for Dhcpv6<'_> {
    fn serialize<S: Serializer>(&self, serializer: S) -> std::result::Result<S::Ok, S::Error> {
        let d = self.data;
        let mut m = serializer.serialize_map(None)?;
        let t = self.msg_type();
        m.serialize_entry("msg_type", &t)?;
        if is_relay(t.0) {
            m.serialize_entry("hop_count", &d.get(1).copied().unwrap_or(0))?;
            m.serialize_entry("link_address", &ipv6_at(d, 2))?;
            m.serialize_entry("peer_address", &ipv6_at(d, 18))?;
        } else {
            let id = d.get(1..4).map_or(0, |b| {
                b.iter().fold(0u32, |acc, &x| (acc << 8) | u32::from(x))
            });
            m.serialize_entry("transaction_id", &id)?;
        }
        m.serialize_entry("options", &SeqOf(self.options().map(OptView)))?;
        m.end()
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::DissectError;
    use serde_json::json;

    fn solicit() -> Vec<u8> {
        let mut m = vec![1, 0x10, 0x08, 0x74];
        m.extend_from_slice(&[0, 1, 0, 4, 0, 3, 0, 1]); // client id (4 bytes)
        m.extend_from_slice(&[0, 8, 0, 2, 0, 0]); // elapsed time
        m.extend_from_slice(&[0, 6, 0, 4, 0, 23, 0, 24]); // ORO
        m
    }

    #[test]
    fn test_parse_solicit() {
        let m = solicit();
        assert!(claims(&m));
        let p = Dhcpv6::parse(&m, &Ctx::default()).unwrap();
        assert_eq!(
            (p.header_len, p.payload_len, p.next),
            (m.len(), 0, Next::Leaf)
        );
        let json = serde_json::to_value(p.header).unwrap();
        assert_eq!(json["msg_type"], "MessageType::SOLICIT [1]");
        assert_eq!(json["transaction_id"], 0x100874);
        let o = &json["options"];
        assert_eq!(
            o[0],
            json!({"type": "Option::OPTION_CLIENTID [1]", "length": 4, "data": [0, 3, 0, 1]})
        );
        assert_eq!(o[1]["value"], 0);
        assert_eq!(
            o[2]["value"],
            json!([
                "Option::OPTION_DNS_SERVERS [23]",
                "Option::OPTION_DOMAIN_LIST [24]"
            ])
        );
    }

    #[test]
    fn relay_and_truncation() {
        let mut m = vec![12, 1];
        m.extend_from_slice(&"2001:db8::1".parse::<Ipv6Addr>().unwrap().octets());
        m.extend_from_slice(&"fe80::2".parse::<Ipv6Addr>().unwrap().octets());
        m.extend_from_slice(&[0, 9, 0, 4, 1, 0x10, 0x08, 0x74]);
        let json =
            serde_json::to_value(Dhcpv6::parse(&m, &Ctx::default()).unwrap().header).unwrap();
        assert_eq!(json["msg_type"], "MessageType::RELAY_FORW [12]");
        assert_eq!(json["hop_count"], 1);
        assert_eq!(json["link_address"], "2001:db8::1");
        assert_eq!(json["peer_address"], "fe80::2");
        assert_eq!(json["options"][0]["type"], "Option::OPTION_RELAY_MSG [9]");
        assert!(json.get("transaction_id").is_none());
        assert!(!claims(&m[..30]));
        assert_eq!(
            Dhcpv6::parse(&m[..30], &Ctx::default()).unwrap_err(),
            DissectError::truncated("DHCPv6", 0, RELAY_HEADER_LEN, 30)
        );
        let s = solicit();
        let json =
            serde_json::to_value(Dhcpv6::parse(&s[..10], &Ctx::default()).unwrap().header).unwrap();
        assert_eq!(json["options"][0]["truncated"], true);
        assert!(!claims(&[99, 0, 0, 0]));
        for cut in 0..s.len() {
            if let Ok(p) = Dhcpv6::parse(&s[..cut], &Ctx::default()) {
                serde_json::to_string(&p.header).unwrap();
            }
        }
    }
}
