//! IPv4 options (RFC 791, 1108, 1063/1191, 1393, 2113, 4782, 6814), decoded lazily from
//! the option bytes and serialized as PyPCAPKit's multi-dict keyed by `OptionNumber`.
//!
//! A malformed option does not lose the IPv4 header: it becomes an entry with its bytes
//! (`data`) and an `error`; if its length cannot be trusted the list ends there.

use std::net::Ipv4Addr;

use serde::ser::{Serialize, SerializeMap, Serializer};

use crate::consts::RegistryEnum;
use crate::consts::ipv4::{
    ClassificationLevel, OptionClass, OptionNumber, ProtectionAuthority, QSFunction, RouterAlert,
    TSFlag,
};
use crate::error::DissectError;
use crate::internet::common::{Ipv4List, Reader};
use crate::ser::{Bytes, MultiDict, Tuple};

const LAYER: &str = "IPv4";

/// The options area of an IPv4 header (bytes after the first 20, up to IHL × 4).
#[derive(Clone, Copy, PartialEq, Eq)]
pub struct Ipv4Options<'a> {
    data: &'a [u8],
    offset: usize,
}

impl<'a> Ipv4Options<'a> {
    /// Options in `data`, whose first byte is at absolute frame offset `offset`.
    pub fn new(data: &'a [u8], offset: usize) -> Self {
        Self { data, offset }
    }

    /// The raw options area (including padding after EOOL).
    pub fn bytes(&self) -> &'a [u8] {
        self.data
    }

    /// The options in wire order; ends after EOOL or a malformed option.
    pub fn iter(&self) -> Ipv4OptionIter<'a> {
        Ipv4OptionIter {
            data: self.data,
            pos: 0,
            offset: self.offset,
            done: false,
        }
    }
}

impl std::fmt::Debug for Ipv4Options<'_> {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_list().entries(self.iter()).finish()
    }
}

impl Serialize for Ipv4Options<'_> {
    fn serialize<S: Serializer>(&self, serializer: S) -> Result<S::Ok, S::Error> {
        MultiDict(self.iter().map(|o| (o.code, o))).serialize(serializer)
    }
}

/// Iterator over [`Ipv4Options`].
#[derive(Clone, Debug)]
pub struct Ipv4OptionIter<'a> {
    data: &'a [u8],
    pos: usize,
    offset: usize,
    done: bool,
}

impl<'a> Iterator for Ipv4OptionIter<'a> {
    type Item = Ipv4Option<'a>;

    fn next(&mut self) -> Option<Ipv4Option<'a>> {
        if self.done {
            return None;
        }
        let rest = self.data.get(self.pos..).unwrap_or_default();
        let &code = rest.first()?;
        let at = self.offset + self.pos;
        let code_n = OptionNumber(code);
        match code {
            0 => {
                self.done = true;
                return Some(Ipv4Option::new(code_n, 1, Ipv4OptionBody::Eool));
            }
            1 => {
                self.pos += 1;
                return Some(Ipv4Option::new(code_n, 1, Ipv4OptionBody::Nop));
            }
            _ => {}
        }
        let bad = |what: String| {
            Ipv4Option::new(
                code_n,
                rest.len().min(255) as u8, // ok: clamped to u8
                Ipv4OptionBody::Malformed {
                    data: rest.get(1..).unwrap_or_default(),
                    error: DissectError::malformed(LAYER, at, what),
                },
            )
        };
        let Some(&len) = rest.get(1) else {
            self.done = true;
            return Some(bad(format!(
                "option {code} has no length byte (options area ends)"
            )));
        };
        let ulen = usize::from(len);
        let Some(body) = rest.get(2..ulen).filter(|_| ulen >= 2) else {
            self.done = true;
            return Some(bad(format!(
                "option {code} length {len} does not fit the {} bytes left in the header",
                rest.len()
            )));
        };
        self.pos += ulen;
        Some(Ipv4Option::new(code_n, len, parse_body(code_n, body, at)))
    }
}

/// One IPv4 option: `code`, `length`, `type`, then its fields.
#[derive(Clone, Debug, PartialEq)]
pub struct Ipv4Option<'a> {
    /// Option number (the whole type byte).
    pub code: OptionNumber,
    /// Length of the option in bytes (1 for EOOL/NOP).
    pub length: u8,
    /// The decoded fields.
    pub body: Ipv4OptionBody<'a>,
}

impl<'a> Ipv4Option<'a> {
    fn new(code: OptionNumber, length: u8, body: Ipv4OptionBody<'a>) -> Self {
        Self { code, length, body }
    }

    /// The type byte split into copied flag, class and number.
    pub fn option_type(&self) -> OptionType {
        OptionType::from_byte(self.code.0)
    }
}

/// The option type byte: `{change, class, number}`.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct OptionType {
    /// Copied flag (copied into all fragments).
    pub change: bool,
    /// Option class.
    pub class: OptionClass,
    /// Option number (5 bits).
    pub number: u8,
}

impl OptionType {
    /// Splits the type byte.
    pub fn from_byte(b: u8) -> Self {
        Self {
            change: b & 0x80 != 0,
            class: OptionClass((b >> 5) & 3),
            number: b & 0x1f,
        }
    }
}

impl Serialize for OptionType {
    fn serialize<S: Serializer>(&self, serializer: S) -> Result<S::Ok, S::Error> {
        let mut m = serializer.serialize_map(Some(3))?;
        m.serialize_entry("change", &self.change)?;
        m.serialize_entry("class", &self.class)?;
        m.serialize_entry("number", &self.number)?;
        m.end()
    }
}

/// The fields of an IPv4 option, by kind.
#[derive(Clone, Debug, PartialEq)]
pub enum Ipv4OptionBody<'a> {
    /// End of option list (0).
    Eool,
    /// No operation (1).
    Nop,
    /// Security (130, RFC 1108).
    Sec {
        /// Classification level.
        level: ClassificationLevel,
        /// Protection authority flag bytes.
        flags: &'a [u8],
    },
    /// Loose (131) / strict (137) source route or record route (7).
    Route {
        /// Pointer (1-based octet index of the next slot).
        pointer: u8,
        /// Every address slot of the option (not only those before the pointer).
        route: Ipv4List<'a>,
    },
    /// Timestamp (68).
    Ts {
        /// Pointer.
        pointer: u8,
        /// Overflow count.
        overflow: u8,
        /// Which form the timestamps take.
        flag: TSFlag,
        /// The timestamp slots.
        timestamp: Timestamps<'a>,
    },
    /// Extended security (133).
    ESec {
        /// Additional security info format code.
        format: u8,
        /// Additional security info.
        info: &'a [u8],
    },
    /// Stream identifier (136).
    Sid {
        /// Stream ID.
        sid: u16,
    },
    /// MTU probe (11) / MTU reply (12).
    Mtu {
        /// MTU value.
        mtu: u16,
    },
    /// Traceroute (82, RFC 1393).
    Tr {
        /// ID number.
        id: u16,
        /// Outbound hop count.
        outbound: u16,
        /// Return hop count.
        ret: u16,
        /// Originator address.
        originator: Ipv4Addr,
    },
    /// Router alert (148, RFC 2113); every value, including 0, is accepted.
    RtrAlt {
        /// Alert value.
        alert: RouterAlert,
    },
    /// Quick-Start request (25, RFC 4782, function 0).
    QsRequest {
        /// Function (0).
        func: QSFunction,
        /// Rate request.
        rate: u8,
        /// QS TTL.
        ttl: u8,
        /// QS nonce (30 bits).
        nonce: u32,
    },
    /// Quick-Start report of approved rate (25, function 8).
    QsReport {
        /// Function (8).
        func: QSFunction,
        /// Rate report.
        rate: u8,
        /// QS nonce (30 bits).
        nonce: u32,
    },
    /// Any other option: its data bytes.
    Unknown {
        /// Data after type and length.
        data: &'a [u8],
    },
    /// An option whose contents do not match its type.
    Malformed {
        /// Data after the type byte (and length byte, if any).
        data: &'a [u8],
        /// What is wrong.
        error: DissectError,
    },
}

/// The timestamp slots of a TS option.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Timestamps<'a> {
    /// Flag 0: 32-bit timestamps (milliseconds since midnight UT, or any value with the
    /// high bit set), serialized as a tuple of integers.
    Only(&'a [u8]),
    /// Flags 1 and 3: (address, timestamp) pairs, serialized as a multi-dict
    /// `address -> [timestamp, ...]`.
    WithAddress(&'a [u8]),
    /// Any other flag: the slot bytes.
    Other(&'a [u8]),
}

impl<'a> Timestamps<'a> {
    /// The timestamp values (without addresses).
    pub fn values(&self) -> impl Iterator<Item = (Option<Ipv4Addr>, u32)> + Clone + 'a {
        let (data, pair) = match *self {
            Timestamps::Only(d) => (d, false),
            Timestamps::WithAddress(d) => (d, true),
            Timestamps::Other(_) => (&[][..], false),
        };
        data.chunks_exact(if pair { 8 } else { 4 }).map(move |c| {
            let mut r = Reader::new(c);
            let addr = if pair { r.ipv4() } else { None };
            (addr, r.u32().unwrap_or_default())
        })
    }
}

impl Serialize for Timestamps<'_> {
    fn serialize<S: Serializer>(&self, serializer: S) -> Result<S::Ok, S::Error> {
        match self {
            Timestamps::Only(_) => Tuple(self.values().map(|(_, t)| t)).serialize(serializer),
            Timestamps::WithAddress(_) => MultiDict(
                self.values()
                    .map(|(a, t)| (a.unwrap_or(Ipv4Addr::UNSPECIFIED), t)),
            )
            .serialize(serializer),
            Timestamps::Other(d) => Bytes(d).serialize(serializer),
        }
    }
}

/// Protection authorities of the SEC flag bytes: bits 0–6 of byte `n` are authorities
/// `8n..8n+6` (bit 7 of each byte says whether another byte follows).
struct Authorities<'a>(&'a [u8]);

impl Serialize for Authorities<'_> {
    fn serialize<S: Serializer>(&self, serializer: S) -> Result<S::Ok, S::Error> {
        let iter = self.0.iter().enumerate().flat_map(|(base, &byte)| {
            (0..7u8).filter_map(move |bit| {
                if byte & (0x80 >> bit) == 0 {
                    return None;
                }
                u8::try_from(base * 8 + usize::from(bit))
                    .ok()
                    .map(ProtectionAuthority)
            })
        });
        Tuple(iter).serialize(serializer)
    }
}

fn parse_body<'a>(code: OptionNumber, body: &'a [u8], at: usize) -> Ipv4OptionBody<'a> {
    let len = body.len() + 2;
    let malformed = |what: &'static str| Ipv4OptionBody::Malformed {
        data: body,
        error: DissectError::malformed(
            LAYER,
            at,
            format!("{} option with length {len}: {what}", code.member_name()),
        ),
    };
    let fixed = |n: usize| body.len() + 2 == n;
    let mut r = Reader::new(body);
    match code {
        OptionNumber::SEC => match r.u8() {
            Some(level) => Ipv4OptionBody::Sec {
                level: ClassificationLevel(level),
                flags: r.rest(),
            },
            None => malformed("needs at least 3 bytes"),
        },
        OptionNumber::LSR | OptionNumber::SSR | OptionNumber::RR => match r.u8() {
            Some(pointer) if r.remaining() % 4 == 0 => Ipv4OptionBody::Route {
                pointer,
                route: Ipv4List(r.rest()),
            },
            _ => malformed("length must be 3 + 4n"),
        },
        OptionNumber::TS => match (r.u8(), r.u8()) {
            (Some(pointer), Some(of)) => {
                let flag = of & 0x0f;
                let slots = r.rest();
                let timestamp = match flag {
                    0 if slots.len() % 4 == 0 => Timestamps::Only(slots),
                    1 | 3 if slots.len() % 8 == 0 => Timestamps::WithAddress(slots),
                    0 | 1 | 3 => return malformed("timestamp slots are not whole"),
                    _ => Timestamps::Other(slots),
                };
                Ipv4OptionBody::Ts {
                    pointer,
                    overflow: of >> 4,
                    flag: TSFlag(flag),
                    timestamp,
                }
            }
            _ => malformed("needs at least 4 bytes"),
        },
        OptionNumber::E_SEC => match r.u8() {
            Some(format) => Ipv4OptionBody::ESec {
                format,
                info: r.rest(),
            },
            None => malformed("needs at least 3 bytes"),
        },
        OptionNumber::SID => match r.u16() {
            Some(sid) if fixed(4) => Ipv4OptionBody::Sid { sid },
            _ => malformed("length must be 4"),
        },
        OptionNumber::MTUP | OptionNumber::MTUR => match r.u16() {
            Some(mtu) if fixed(4) => Ipv4OptionBody::Mtu { mtu },
            _ => malformed("length must be 4"),
        },
        OptionNumber::TR => match (r.u16(), r.u16(), r.u16(), r.ipv4()) {
            (Some(id), Some(outbound), Some(ret), Some(originator)) if fixed(12) => {
                Ipv4OptionBody::Tr {
                    id,
                    outbound,
                    ret,
                    originator,
                }
            }
            _ => malformed("length must be 12"),
        },
        OptionNumber::RTRALT => match r.u16() {
            Some(alert) if fixed(4) => Ipv4OptionBody::RtrAlt {
                alert: RouterAlert(alert),
            },
            _ => malformed("length must be 4"),
        },
        OptionNumber::QS => match (r.u8(), r.u8(), r.u32()) {
            (Some(fr), Some(ttl), Some(n)) if fixed(8) => {
                let func = QSFunction(fr >> 4);
                let rate = fr & 0x0f;
                let nonce = n >> 2;
                match func.0 {
                    0 => Ipv4OptionBody::QsRequest {
                        func,
                        rate,
                        ttl,
                        nonce,
                    },
                    8 => Ipv4OptionBody::QsReport { func, rate, nonce },
                    _ => Ipv4OptionBody::Unknown { data: body },
                }
            }
            _ => malformed("length must be 8"),
        },
        _ => Ipv4OptionBody::Unknown { data: body },
    }
}

impl Serialize for Ipv4Option<'_> {
    fn serialize<S: Serializer>(&self, serializer: S) -> Result<S::Ok, S::Error> {
        let mut m = serializer.serialize_map(None)?;
        m.serialize_entry("code", &self.code)?;
        m.serialize_entry("length", &self.length)?;
        m.serialize_entry("type", &self.option_type())?;
        match &self.body {
            Ipv4OptionBody::Eool | Ipv4OptionBody::Nop => {}
            Ipv4OptionBody::Sec { level, flags } => {
                m.serialize_entry("level", level)?;
                m.serialize_entry("flags", &Authorities(flags))?;
            }
            Ipv4OptionBody::Route { pointer, route } => {
                m.serialize_entry("pointer", pointer)?;
                m.serialize_entry("route", route)?;
            }
            Ipv4OptionBody::Ts {
                pointer,
                overflow,
                flag,
                timestamp,
            } => {
                m.serialize_entry("pointer", pointer)?;
                m.serialize_entry("overflow", overflow)?;
                m.serialize_entry("flag", flag)?;
                m.serialize_entry("timestamp", timestamp)?;
            }
            Ipv4OptionBody::ESec { format, info } => {
                m.serialize_entry("format", format)?;
                m.serialize_entry("info", &Bytes(info))?;
            }
            Ipv4OptionBody::Sid { sid } => m.serialize_entry("sid", sid)?,
            Ipv4OptionBody::Mtu { mtu } => m.serialize_entry("mtu", mtu)?,
            Ipv4OptionBody::Tr {
                id,
                outbound,
                ret,
                originator,
            } => {
                m.serialize_entry("id", id)?;
                m.serialize_entry("outbound", outbound)?;
                m.serialize_entry("return", ret)?;
                m.serialize_entry("originator", originator)?;
            }
            Ipv4OptionBody::RtrAlt { alert } => m.serialize_entry("alert", alert)?,
            Ipv4OptionBody::QsRequest {
                func,
                rate,
                ttl,
                nonce,
            } => {
                m.serialize_entry("func", func)?;
                m.serialize_entry("rate", rate)?;
                m.serialize_entry("ttl", ttl)?;
                m.serialize_entry("nonce", nonce)?;
            }
            Ipv4OptionBody::QsReport { func, rate, nonce } => {
                m.serialize_entry("func", func)?;
                m.serialize_entry("rate", rate)?;
                m.serialize_entry("nonce", nonce)?;
            }
            Ipv4OptionBody::Unknown { data } => m.serialize_entry("data", &Bytes(data))?,
            Ipv4OptionBody::Malformed { data, error } => {
                m.serialize_entry("data", &Bytes(data))?;
                m.serialize_entry("error", error)?;
            }
        }
        m.end()
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    fn opts(b: &[u8]) -> Vec<Ipv4Option<'_>> {
        Ipv4Options::new(b, 34).iter().collect()
    }

    fn one(b: &[u8]) -> Ipv4Option<'_> {
        let v = opts(b);
        assert_eq!(v.len(), 1, "{v:?}");
        v.into_iter().next().unwrap()
    }

    fn json_of(b: &[u8]) -> serde_json::Value {
        serde_json::to_value(Ipv4Options::new(b, 34)).unwrap()
    }

    #[test]
    fn eool_ends_the_list_and_nop_repeats() {
        let v = opts(&[1, 1, 0, 7, 3, 4]);
        assert_eq!(v.len(), 3);
        assert_eq!(v[2].body, Ipv4OptionBody::Eool);
        let j = json_of(&[1, 1, 0, 0]);
        assert_eq!(
            j,
            json!({
                "OptionNumber::NOP [1]": [
                    {"code": "OptionNumber::NOP [1]", "length": 1,
                     "type": {"change": false, "class": "OptionClass::control [0]", "number": 1}},
                    {"code": "OptionNumber::NOP [1]", "length": 1,
                     "type": {"change": false, "class": "OptionClass::control [0]", "number": 1}}
                ],
                "OptionNumber::EOOL [0]": [
                    {"code": "OptionNumber::EOOL [0]", "length": 1,
                     "type": {"change": false, "class": "OptionClass::control [0]", "number": 0}}
                ]
            })
        );
    }

    #[test]
    fn sec() {
        // Level Secret (0x5A), authorities GENSER (bit 0) and NSA (bit 3), FTI set.
        let o = one(&[130, 4, 0x5a, 0b1001_0001]);
        let j = serde_json::to_value(&o).unwrap();
        assert_eq!(j["level"], "ClassificationLevel::Secret [90]");
        assert_eq!(
            j["flags"],
            json!({"type": "tuple", "value": ["ProtectionAuthority::GENSER [0]", "ProtectionAuthority::NSA [3]"]})
        );
        assert_eq!(j["type"]["change"], true);
        // Only the level: no authorities.
        let j = serde_json::to_value(one(&[130, 3, 0xab])).unwrap();
        assert_eq!(j["flags"], json!({"type": "tuple", "value": []}));
    }

    #[test]
    fn pypcapkit_bug_27_route_lists_every_address() {
        // RR with 3 slots, pointer 8: only one recorded, all three listed.
        let b = [7, 15, 8, 1, 2, 3, 4, 10, 0, 0, 138, 0, 0, 0, 0];
        let j = serde_json::to_value(one(&b)).unwrap();
        assert_eq!(j["pointer"], 8);
        assert_eq!(
            j["route"]["value"],
            json!(["1.2.3.4", "10.0.0.138", "0.0.0.0"])
        );
        for code in [131u8, 137] {
            let mut b = b;
            b[0] = code;
            let o = one(&b);
            assert!(
                matches!(o.body, Ipv4OptionBody::Route { route, .. } if route.iter().count() == 3)
            );
        }
        // Empty route (pointer 4, length 3).
        let o = one(&[137, 3, 4]);
        assert!(
            matches!(o.body, Ipv4OptionBody::Route { pointer: 4, route } if route.iter().count() == 0)
        );
        // Length not 3 + 4n.
        let o = one(&[7, 5, 4, 1, 2]);
        assert!(matches!(o.body, Ipv4OptionBody::Malformed { .. }));
    }

    #[test]
    fn ts_all_flags() {
        // Flag 0: two timestamps.
        let j = serde_json::to_value(one(&[68, 12, 13, 0x10, 0, 0, 0, 1, 0x80, 0, 0, 2])).unwrap();
        assert_eq!(j["pointer"], 13);
        assert_eq!(j["overflow"], 1);
        assert_eq!(j["flag"], "TSFlag::Timestamp_Only [0]");
        assert_eq!(
            j["timestamp"],
            json!({"type": "tuple", "value": [1, 0x8000_0002u32]})
        );
        // Flag 1: address/timestamp pairs, grouped by address.
        let b = [
            68, 28, 29, 0x01, 10, 0, 0, 6, 0, 1, 0x11, 0x94, 10, 0, 0, 138, 0, 0, 0, 5, 10, 0, 0,
            6, 0, 0, 0, 7,
        ];
        let j = serde_json::to_value(one(&b)).unwrap();
        assert_eq!(j["flag"], "TSFlag::IP_with_Timestamp [1]");
        assert_eq!(
            j["timestamp"],
            json!({"10.0.0.6": [70036, 7], "10.0.0.138": [5]})
        );
        // Flag 3: prespecified.
        let j = serde_json::to_value(one(&[68, 12, 5, 0x03, 1, 2, 3, 4, 0, 0, 0, 0])).unwrap();
        assert_eq!(j["flag"], "TSFlag::Prespecified_IP_with_Timestamp [3]");
        assert_eq!(j["timestamp"], json!({"1.2.3.4": [0]}));
        // Unknown flag: raw slots.
        let o = one(&[68, 6, 5, 0x02, 0xaa, 0xbb]);
        assert!(matches!(
            o.body,
            Ipv4OptionBody::Ts {
                timestamp: Timestamps::Other(&[0xaa, 0xbb]),
                ..
            }
        ));
        // Half a pair.
        let o = one(&[68, 8, 5, 0x01, 1, 2, 3, 4]);
        assert!(matches!(o.body, Ipv4OptionBody::Malformed { .. }));
    }

    #[test]
    fn e_sec_sid_mtu_tr() {
        let j = serde_json::to_value(one(&[133, 5, 7, 0xde, 0xad])).unwrap();
        assert_eq!(j["format"], 7);
        assert_eq!(j["code"], "OptionNumber::E_SEC [133]");
        assert_eq!(
            one(&[136, 4, 0x12, 0x34]).body,
            Ipv4OptionBody::Sid { sid: 0x1234 }
        );
        assert_eq!(
            one(&[11, 4, 0x05, 0xdc]).body,
            Ipv4OptionBody::Mtu { mtu: 1500 }
        );
        assert_eq!(
            one(&[12, 4, 0x02, 0x40]).body,
            Ipv4OptionBody::Mtu { mtu: 576 }
        );
        let o = one(&[82, 12, 0, 1, 0, 2, 0, 3, 192, 0, 2, 1]);
        let j = serde_json::to_value(&o).unwrap();
        assert_eq!(
            j,
            json!({"code": "OptionNumber::TR [82]", "length": 12,
                   "type": {"change": false, "class": "OptionClass::debugging_and_measurement [2]", "number": 18},
                   "id": 1, "outbound": 2, "return": 3, "originator": "192.0.2.1"})
        );
        let o = one(&[136, 5, 0, 0, 0]);
        let Ipv4OptionBody::Malformed { error, .. } = o.body else {
            panic!("{o:?}")
        };
        assert_eq!(
            error.to_string(),
            "IPv4 at byte 34: malformed: SID option with length 5: length must be 4"
        );
    }

    #[test]
    fn pypcapkit_bug_26_router_alert_zero() {
        let o = one(&[148, 4, 0, 0]);
        assert_eq!(
            o.body,
            Ipv4OptionBody::RtrAlt {
                alert: RouterAlert(0)
            }
        );
        let j = serde_json::to_value(&o).unwrap();
        assert_eq!(j["alert"], RouterAlert(0).to_string());
        assert!(j["alert"].as_str().unwrap().ends_with("[0]"));
        let j = serde_json::to_value(one(&[148, 4, 0, 1])).unwrap();
        assert_eq!(
            j["alert"],
            "RouterAlert::Aggregated_Reservation_Nesting_Level_0 [1]"
        );
    }

    #[test]
    fn quick_start() {
        let o = one(&[25, 8, 0x03, 30, 0, 0, 0, 0x0c]);
        assert_eq!(
            o.body,
            Ipv4OptionBody::QsRequest {
                func: QSFunction(0),
                rate: 3,
                ttl: 30,
                nonce: 3
            }
        );
        let j = serde_json::to_value(&o).unwrap();
        assert_eq!(j["func"], "QSFunction::Quick_Start_Request [0]");
        let o = one(&[25, 8, 0x85, 0, 0, 0, 0x01, 0x00]);
        assert_eq!(
            o.body,
            Ipv4OptionBody::QsReport {
                func: QSFunction(8),
                rate: 5,
                nonce: 0x40
            }
        );
    }

    #[test]
    fn unknown_and_malformed() {
        let j = json_of(&[134, 4, 0xaa, 0xbb]);
        assert_eq!(
            j["OptionNumber::CIPSO [134]"][0]["data"],
            serde_json::to_value(Bytes(&[0xaa, 0xbb])).unwrap()
        );
        // Length runs past the header: entry with an error, list ends.
        let v = opts(&[1, 7, 9, 4]);
        assert_eq!(v.len(), 2);
        let Ipv4OptionBody::Malformed { error, data } = &v[1].body else {
            panic!()
        };
        assert_eq!(error.offset, 35);
        assert_eq!(*data, &[9, 4]);
        // Missing length byte.
        let v = opts(&[1, 1, 1, 68]);
        assert!(matches!(v[3].body, Ipv4OptionBody::Malformed { .. }));
        // Length below 2 must not loop.
        let v = opts(&[7, 0, 7, 1]);
        assert_eq!(v.len(), 1);
        let v = opts(&[7, 1]);
        assert_eq!(v.len(), 1);
    }
}
