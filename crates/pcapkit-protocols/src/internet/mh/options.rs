//! Mobility options (RFC 6275 §6.2 and the options PyPCAPKit decodes from RFC 3963,
//! 4283, 4285, 4866, 5568), decoded lazily and serialized as a multi-dict keyed by the
//! MH `Option` registry.

use std::net::Ipv6Addr;

use serde::ser::{Serialize, SerializeMap, Serializer};

use crate::consts::RegistryEnum;
use crate::consts::mh::{
    AuthSubtype, CGAExtension, CGAType, LLACode, MNIDSubtype, Option as OptType,
};
use crate::error::DissectError;
use crate::internet::common::{BeList, Ipv6Prefix, Reader};
use crate::ser::{Bytes, MultiDict, Tuple};

const LAYER: &str = "MH";

/// Seconds from the NTP epoch (1900) to the Unix epoch (1970).
const NTP_UNIX_OFFSET: i64 = 2_208_988_800;

/// The mobility options of a message.
#[derive(Clone, Copy, PartialEq, Eq)]
pub struct MhOptions<'a> {
    data: &'a [u8],
    offset: usize,
}

impl<'a> MhOptions<'a> {
    /// Options in `data`, first byte at absolute offset `offset`.
    pub fn new(data: &'a [u8], offset: usize) -> Self {
        Self { data, offset }
    }

    /// The raw option bytes.
    pub fn bytes(&self) -> &'a [u8] {
        self.data
    }

    /// The options in wire order; ends at a malformed option.
    pub fn iter(&self) -> MhOptionIter<'a> {
        MhOptionIter {
            data: self.data,
            pos: 0,
            offset: self.offset,
            done: false,
        }
    }
}

impl std::fmt::Debug for MhOptions<'_> {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_list().entries(self.iter()).finish()
    }
}

impl Serialize for MhOptions<'_> {
    fn serialize<S: Serializer>(&self, s: S) -> Result<S::Ok, S::Error> {
        MultiDict(self.iter().map(|o| (o.ty, o))).serialize(s)
    }
}

/// Iterator over [`MhOptions`].
#[derive(Clone, Debug)]
pub struct MhOptionIter<'a> {
    data: &'a [u8],
    pos: usize,
    offset: usize,
    done: bool,
}

impl<'a> Iterator for MhOptionIter<'a> {
    type Item = MhOption<'a>;

    fn next(&mut self) -> Option<MhOption<'a>> {
        if self.done {
            return None;
        }
        let rest = self.data.get(self.pos..).unwrap_or_default();
        let &ty = rest.first()?;
        let at = self.offset + self.pos;
        if ty == 0 {
            self.pos += 1;
            return Some(MhOption {
                ty: OptType(0),
                length: 1,
                body: MhOptionBody::Pad,
            });
        }
        let len = rest.get(1).copied();
        let end = 2 + usize::from(len.unwrap_or_default());
        let Some(body) = rest.get(2..end).filter(|_| len.is_some()) else {
            self.done = true;
            return Some(MhOption {
                ty: OptType(ty),
                length: len.map_or(1, |l| l.saturating_add(2)),
                body: MhOptionBody::Malformed {
                    data: rest.get(2..).unwrap_or_default(),
                    error: DissectError::malformed(
                        LAYER,
                        at,
                        format!(
                            "option {ty} needs {end} bytes, only {} left in the message",
                            rest.len()
                        ),
                    ),
                },
            });
        };
        self.pos += end;
        Some(MhOption {
            ty: OptType(ty),
            length: len.unwrap_or_default().saturating_add(2),
            body: parse_body(ty, body, at),
        })
    }
}

/// One mobility option: `type`, `length` (data length + 2; 1 for Pad1), then fields.
#[derive(Clone, Debug, PartialEq)]
pub struct MhOption<'a> {
    /// Option type.
    pub ty: OptType,
    /// Length of the option in bytes, type and length bytes included.
    pub length: u8,
    /// The decoded fields.
    pub body: MhOptionBody<'a>,
}

/// The identifier of an MN-ID option.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum MnIdentifier<'a> {
    /// A network access identifier (subtype 1) that is valid UTF-8.
    Text(&'a str),
    /// An IPv6 address (subtype 2).
    Ipv6(Ipv6Addr),
    /// Anything else.
    Bytes(&'a [u8]),
}

impl Serialize for MnIdentifier<'_> {
    fn serialize<S: Serializer>(&self, s: S) -> Result<S::Ok, S::Error> {
        match self {
            MnIdentifier::Text(t) => s.serialize_str(t),
            MnIdentifier::Ipv6(a) => a.serialize(s),
            MnIdentifier::Bytes(b) => Bytes(b).serialize(s),
        }
    }
}

/// One CGA Parameters structure (RFC 3972 §3).
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct CgaParameter<'a> {
    /// Modifier (16 bytes).
    pub modifier: CGAType,
    /// Subnet prefix.
    pub prefix: u64,
    /// Collision count.
    pub collision_count: u8,
    /// DER-encoded public key.
    pub public_key: &'a [u8],
    /// Extension fields.
    pub extensions: &'a [u8],
}

impl<'a> CgaParameter<'a> {
    fn parse(data: &'a [u8]) -> Option<Self> {
        let mut r = Reader::new(data);
        let modifier = CGAType(u128::from_be_bytes(r.array()?));
        let prefix = r.u64()?;
        let collision_count = r.u8()?;
        // The public key is a DER SEQUENCE: tag, length (short or long form), contents.
        let key_start = Reader::new(data.get(25..)?);
        let mut k = key_start;
        let _tag = k.u8()?;
        let l0 = k.u8()?;
        let (hdr, len) = if l0 < 0x80 {
            (2, usize::from(l0))
        } else {
            let n = usize::from(l0 & 0x7f);
            if n == 0 || n > 4 {
                return None;
            }
            let len = k
                .bytes(n)?
                .iter()
                .fold(0usize, |acc, &b| (acc << 8) | usize::from(b));
            (2 + n, len)
        };
        let public_key = r.bytes(hdr.checked_add(len)?)?;
        Some(Self {
            modifier,
            prefix,
            collision_count,
            public_key,
            extensions: r.rest(),
        })
    }

    /// `(type, data)` of each extension field.
    pub fn extensions(&self) -> impl Iterator<Item = (CGAExtension, &'a [u8])> + Clone + use<'a> {
        let mut r = Reader::new(self.extensions);
        std::iter::from_fn(move || {
            let ty = r.u16()?;
            let len = r.u16()?;
            let data = r.bytes(len.into())?;
            Some((CGAExtension(ty), data))
        })
    }
}

struct CgaExt<'a>(CGAExtension, &'a [u8]);

impl Serialize for CgaExt<'_> {
    fn serialize<S: Serializer>(&self, s: S) -> Result<S::Ok, S::Error> {
        let mut m = s.serialize_map(None)?;
        m.serialize_entry("type", &self.0)?;
        m.serialize_entry("length", &self.1.len())?;
        let mut r = Reader::new(self.1);
        match (self.0.0, r.u32()) {
            (18, Some(f)) => {
                m.serialize_entry("flag", &(f & 0x8000_0000 != 0))?;
                m.serialize_entry("prefixes", &BeList::<8, u64>::new(r.rest(), |v| v))?;
            }
            _ => m.serialize_entry("data", &Bytes(self.1))?,
        }
        m.end()
    }
}

impl Serialize for CgaParameter<'_> {
    fn serialize<S: Serializer>(&self, s: S) -> Result<S::Ok, S::Error> {
        let mut m = s.serialize_map(None)?;
        m.serialize_entry("modifier", &self.modifier)?;
        m.serialize_entry("prefix", &self.prefix)?;
        m.serialize_entry("collision_count", &self.collision_count)?;
        m.serialize_entry("public_key", &Bytes(self.public_key))?;
        m.serialize_entry(
            "extensions",
            &MultiDict(self.extensions().map(|(t, d)| (t, CgaExt(t, d)))),
        )?;
        m.end()
    }
}

/// The fields of a mobility option, by type.
#[derive(Clone, Debug, PartialEq)]
pub enum MhOptionBody<'a> {
    /// Pad1 (0) or PadN (1, any length including zero data octets).
    Pad,
    /// Binding Refresh Advice (2).
    BindingRefreshAdvice {
        /// Refresh interval (4-second units, as sent).
        interval: u16,
    },
    /// Alternate Care-of Address (3).
    AlternateCareOf {
        /// The address.
        address: Ipv6Addr,
    },
    /// Nonce Indices (4).
    NonceIndices {
        /// Home nonce index.
        home: u16,
        /// Care-of nonce index.
        careof: u16,
    },
    /// Binding Authorization Data (5).
    AuthorizationData {
        /// Authenticator.
        data: &'a [u8],
    },
    /// Mobile Network Prefix (6, RFC 3963).
    MobileNetworkPrefix {
        /// The prefix.
        prefix: Ipv6Prefix,
    },
    /// Link-Layer Address (7, RFC 5568).
    LinkLayerAddress {
        /// Option code.
        code: LLACode,
        /// Link-layer address.
        lla: &'a [u8],
    },
    /// Mobile Node Identifier (8, RFC 4283).
    MnId {
        /// Subtype.
        subtype: MNIDSubtype,
        /// Identifier.
        identifier: MnIdentifier<'a>,
    },
    /// Mobility Message Authentication (9, RFC 4285).
    Auth {
        /// Subtype.
        subtype: AuthSubtype,
        /// Security parameter index.
        spi: u32,
        /// Authentication data.
        data: &'a [u8],
    },
    /// Mobility Message Replay Protection (10, RFC 4285).
    MesgId {
        /// NTP seconds.
        seconds: u32,
        /// NTP fraction.
        fraction: u32,
    },
    /// CGA Parameters Request (11) or Care-of Test Init (15): no fields.
    Empty,
    /// CGA Parameters (12, RFC 4866).
    CgaParameters {
        /// The CGA Parameters structure.
        parameter: CgaParameter<'a>,
    },
    /// Signature (13).
    Signature {
        /// Signature.
        signature: &'a [u8],
    },
    /// Permanent Home Keygen Token (14) or Care-of Test (16).
    Token {
        /// Token.
        token: &'a [u8],
    },
    /// Any other option: its data.
    Unknown {
        /// Option data.
        data: &'a [u8],
    },
    /// An option whose data does not fit its type.
    Malformed {
        /// Option data.
        data: &'a [u8],
        /// What is wrong.
        error: DissectError,
    },
}

fn parse_body(ty: u8, data: &[u8], at: usize) -> MhOptionBody<'_> {
    let malformed = |what: &'static str| MhOptionBody::Malformed {
        data,
        error: DissectError::malformed(
            LAYER,
            at,
            format!(
                "{} option with {} data bytes: {what}",
                OptType(ty).member_name(),
                data.len()
            ),
        ),
    };
    let exact = |n: usize| data.len() == n;
    let mut r = Reader::new(data);
    match ty {
        1 => MhOptionBody::Pad,
        2 => match r.u16() {
            Some(interval) if exact(2) => MhOptionBody::BindingRefreshAdvice { interval },
            _ => malformed("needs 2 bytes"),
        },
        3 => match r.ipv6() {
            Some(address) if exact(16) => MhOptionBody::AlternateCareOf { address },
            _ => malformed("needs 16 bytes"),
        },
        4 => match (r.u16(), r.u16()) {
            (Some(home), Some(careof)) if exact(4) => MhOptionBody::NonceIndices { home, careof },
            _ => malformed("needs 4 bytes"),
        },
        5 => MhOptionBody::AuthorizationData { data },
        6 => match (r.u8(), r.u8(), r.ipv6()) {
            (Some(_), Some(len), Some(addr)) if exact(18) => MhOptionBody::MobileNetworkPrefix {
                prefix: Ipv6Prefix { addr, len },
            },
            _ => malformed("needs 18 bytes"),
        },
        7 => match r.u8() {
            Some(code) => MhOptionBody::LinkLayerAddress {
                code: LLACode(code),
                lla: r.rest(),
            },
            None => malformed("needs at least 1 byte"),
        },
        8 => match r.u8() {
            Some(subtype) => {
                let id = r.rest();
                let identifier = match (subtype, id.len()) {
                    (2, 16) => {
                        MnIdentifier::Ipv6(Reader::new(id).ipv6().unwrap_or(Ipv6Addr::UNSPECIFIED))
                    }
                    (1, _) => {
                        std::str::from_utf8(id).map_or(MnIdentifier::Bytes(id), MnIdentifier::Text)
                    }
                    _ => MnIdentifier::Bytes(id),
                };
                MhOptionBody::MnId {
                    subtype: MNIDSubtype(subtype),
                    identifier,
                }
            }
            None => malformed("needs at least 1 byte"),
        },
        9 => match (r.u8(), r.u32()) {
            (Some(subtype), Some(spi)) => MhOptionBody::Auth {
                subtype: AuthSubtype(subtype),
                spi,
                data: r.rest(),
            },
            _ => malformed("needs at least 5 bytes"),
        },
        10 => match (r.u32(), r.u32()) {
            (Some(seconds), Some(fraction)) if exact(8) => {
                MhOptionBody::MesgId { seconds, fraction }
            }
            _ => malformed("needs 8 bytes"),
        },
        11 | 15 => MhOptionBody::Empty,
        12 => match CgaParameter::parse(data) {
            Some(parameter) => MhOptionBody::CgaParameters { parameter },
            None => malformed("not a CGA Parameters structure"),
        },
        13 => MhOptionBody::Signature { signature: data },
        14 | 16 => MhOptionBody::Token { token: data },
        _ => MhOptionBody::Unknown { data },
    }
}

impl Serialize for MhOption<'_> {
    fn serialize<S: Serializer>(&self, s: S) -> Result<S::Ok, S::Error> {
        let mut m = s.serialize_map(None)?;
        m.serialize_entry("type", &self.ty)?;
        m.serialize_entry("length", &self.length)?;
        match &self.body {
            MhOptionBody::Pad | MhOptionBody::Empty => {}
            MhOptionBody::BindingRefreshAdvice { interval } => {
                m.serialize_entry("interval", interval)?;
            }
            MhOptionBody::AlternateCareOf { address } => m.serialize_entry("address", address)?,
            MhOptionBody::NonceIndices { home, careof } => {
                m.serialize_entry("home", home)?;
                m.serialize_entry("careof", careof)?;
            }
            MhOptionBody::AuthorizationData { data } => m.serialize_entry("data", &Bytes(data))?,
            MhOptionBody::MobileNetworkPrefix { prefix } => m.serialize_entry("prefix", prefix)?,
            MhOptionBody::LinkLayerAddress { code, lla } => {
                m.serialize_entry("code", code)?;
                m.serialize_entry("lla", &Bytes(lla))?;
            }
            MhOptionBody::MnId {
                subtype,
                identifier,
            } => {
                m.serialize_entry("subtype", subtype)?;
                m.serialize_entry("identifier", identifier)?;
            }
            MhOptionBody::Auth { subtype, spi, data } => {
                m.serialize_entry("subtype", subtype)?;
                m.serialize_entry("spi", spi)?;
                m.serialize_entry("data", &Bytes(data))?;
            }
            MhOptionBody::MesgId { seconds, fraction } => {
                m.serialize_entry("timestamp", &(i64::from(*seconds) - NTP_UNIX_OFFSET))?;
                m.serialize_entry(
                    "ntp_timestamp",
                    &NtpTimestamp {
                        seconds: *seconds,
                        fraction: *fraction,
                    },
                )?;
            }
            MhOptionBody::CgaParameters { parameter } => {
                m.serialize_entry("parameters", &Tuple(std::iter::once(parameter)))?;
            }
            MhOptionBody::Signature { signature } => {
                m.serialize_entry("signature", &Bytes(signature))?;
            }
            MhOptionBody::Token { token } => m.serialize_entry("token", &Bytes(token))?,
            MhOptionBody::Unknown { data } => m.serialize_entry("data", &Bytes(data))?,
            MhOptionBody::Malformed { data, error } => {
                m.serialize_entry("data", &Bytes(data))?;
                m.serialize_entry("error", error)?;
            }
        }
        m.end()
    }
}

/// An NTP timestamp as sent: `{seconds, fraction}`.
struct NtpTimestamp {
    seconds: u32,
    fraction: u32,
}

impl Serialize for NtpTimestamp {
    fn serialize<S: Serializer>(&self, s: S) -> Result<S::Ok, S::Error> {
        let mut m = s.serialize_map(Some(2))?;
        m.serialize_entry("seconds", &self.seconds)?;
        m.serialize_entry("fraction", &self.fraction)?;
        m.end()
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    fn one(ty: u8, data: &[u8]) -> MhOption<'static> {
        let mut b = vec![ty, data.len() as u8];
        b.extend_from_slice(data);
        let b: &'static [u8] = Box::leak(b.into_boxed_slice());
        let v: Vec<_> = MhOptions::new(b, 12).iter().collect();
        assert_eq!(v.len(), 1, "{v:?}");
        v.into_iter().next().unwrap()
    }

    fn j(o: &MhOption<'_>) -> serde_json::Value {
        serde_json::to_value(o).unwrap()
    }

    #[test]
    fn pypcapkit_bug_24_padn_zero_and_nonce_indices() {
        let b = [0x01, 0x00, 0x04, 0x04, 0x00, 0x07, 0x00, 0x09, 0x00];
        let v: Vec<_> = MhOptions::new(&b, 0).iter().collect();
        assert_eq!(v.len(), 3);
        assert_eq!(v[0].body, MhOptionBody::Pad);
        assert_eq!(v[0].length, 2);
        assert_eq!(v[1].body, MhOptionBody::NonceIndices { home: 7, careof: 9 });
        assert_eq!(v[2].body, MhOptionBody::Pad);
        assert_eq!(v[2].length, 1);
        assert_eq!(
            j(&v[1]),
            json!({"type": "Option::Nonce_Indices [4]", "length": 6, "home": 7, "careof": 9})
        );
    }

    #[test]
    fn simple_options() {
        assert_eq!(j(&one(2, &[0, 5]))["interval"], 5);
        let a = "2001:db8::7".parse::<Ipv6Addr>().unwrap();
        assert_eq!(j(&one(3, &a.octets()))["address"], "2001:db8::7");
        assert_eq!(
            one(5, &[1, 2]).body,
            MhOptionBody::AuthorizationData { data: &[1, 2] }
        );
        let mut d = vec![0, 48];
        d.extend_from_slice(&"2001:db8:1::".parse::<Ipv6Addr>().unwrap().octets());
        assert_eq!(j(&one(6, &d))["prefix"], "2001:db8:1::/48");
        let v = j(&one(7, &[2, 0, 0x11, 0x22, 0x33, 0x44, 0x55, 0x66]));
        assert_eq!(v["code"], "LLACode::MH [2]");
        assert_eq!(
            j(&one(8, b"\x01mn@example.net"))["identifier"],
            "mn@example.net"
        );
        let mut d = vec![2];
        d.extend_from_slice(&a.octets());
        assert_eq!(j(&one(8, &d))["identifier"], "2001:db8::7");
        let v = j(&one(9, &[1, 0, 0, 1, 0, 0xaa]));
        assert_eq!(v["subtype"], "AuthSubtype::MN_HA [1]");
        assert_eq!(v["spi"], 256);
        let v = j(&one(10, &[0x83, 0xaa, 0x7e, 0x80, 0x80, 0, 0, 0]));
        assert_eq!(v["timestamp"], 0);
        assert_eq!(
            v["ntp_timestamp"],
            json!({"seconds": 0x83aa7e80u32, "fraction": 0x8000_0000u32})
        );
        assert_eq!(one(11, &[]).body, MhOptionBody::Empty);
        assert_eq!(
            one(13, &[9; 4]).body,
            MhOptionBody::Signature { signature: &[9; 4] }
        );
        assert_eq!(
            one(14, &[8; 8]).body,
            MhOptionBody::Token { token: &[8; 8] }
        );
        assert_eq!(one(15, &[]).body, MhOptionBody::Empty);
        assert_eq!(j(&one(16, &[7; 8]))["type"], "Option::Care_of_Test [16]");
        assert_eq!(one(200, &[1]).body, MhOptionBody::Unknown { data: &[1] });
        assert!(matches!(
            one(4, &[0, 1]).body,
            MhOptionBody::Malformed { .. }
        ));
    }

    #[test]
    fn cga_parameters() {
        let mut d = vec![0u8; 16]; // modifier
        d.extend_from_slice(&[0x20, 0x01, 0x0d, 0xb8, 0, 0, 0, 0]); // prefix
        d.push(1); // collision count
        d.extend_from_slice(&[0x30, 0x03, 1, 2, 3]); // public key
        d.extend_from_slice(&[0, 18, 0, 12, 0x80, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 7]); // Multi-Prefix
        let o = one(12, &d);
        let v = j(&o);
        let p = &v["parameters"]["value"][0];
        assert_eq!(p["prefix"], 0x2001_0db8_0000_0000u64);
        assert_eq!(p["collision_count"], 1);
        let ext = &p["extensions"]["CGAExtension::Multi_Prefix [18]"][0];
        assert_eq!(ext["flag"], true);
        assert_eq!(ext["prefixes"]["value"], json!([7]));
        // Long-form DER length that runs past the option.
        let mut d = vec![0u8; 25];
        d.extend_from_slice(&[0x30, 0x82, 0x01, 0x00]);
        assert!(matches!(one(12, &d).body, MhOptionBody::Malformed { .. }));
    }

    #[test]
    fn truncated_option() {
        let v: Vec<_> = MhOptions::new(&[1, 9, 0], 20).iter().collect();
        assert_eq!(v.len(), 1);
        let MhOptionBody::Malformed { error, .. } = &v[0].body else {
            panic!()
        };
        assert_eq!(
            error.to_string(),
            "MH at byte 20: malformed: option 1 needs 11 bytes, only 3 left in the message"
        );
    }
}
