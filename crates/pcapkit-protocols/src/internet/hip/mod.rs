//! Host Identity Protocol (RFC 7401 / 5201): an extension header inside IPv6
//! (`ipv6.hipv2`, chain `IPv6:HIPv2`), its own layer after IPv4 protocol 139 (`hip`).

mod params;

pub use params::{HipParam, HipParamBody, HipParams, HostIdentity, Locator};

use std::fmt;
use std::net::Ipv6Addr;

use serde::ser::{Serialize, SerializeMap, Serializer};

use crate::consts::hip::Packet;
use crate::consts::reg::TransType;
use crate::error::{DissectError, Result};
use crate::internet::common::{BoolMap, Reader};
use crate::protocol::{Ctx, Header, Level, Next, Parse, Parsed};
use crate::wire;

/// Bytes of the fixed header.
pub const FIXED_LEN: usize = 40;

/// A HIP header (`hip` on its own, `hipv1`/`hipv2` inside IPv6; chain token
/// `HIPv{version}`).
#[derive(Clone, Copy, Debug, PartialEq)]
pub struct Hip<'a> {
    /// Next header (normally No Next Header).
    pub next: TransType,
    /// Header length in bytes ((field + 1) × 8).
    pub length: u16,
    /// Packet type.
    pub ty: Packet,
    /// HIP version.
    pub version: u8,
    /// Checksum as sent.
    pub chksum: u16,
    /// Anonymous (A) control bit.
    pub anonymous: bool,
    /// Sender's host identity tag.
    pub shit: Ipv6Addr,
    /// Receiver's host identity tag.
    pub rhit: Ipv6Addr,
    /// The parameters.
    pub parameters: HipParams<'a>,
}

impl Hip<'_> {
    /// The key PyPCAPKit gives the header inside IPv6 (`hipv2`).
    pub fn ext_key(&self) -> &'static str {
        match self.version {
            1 => "hipv1",
            2 => "hipv2",
            _ => "hip",
        }
    }
}

impl Serialize for Hip<'_> {
    fn serialize<S: Serializer>(&self, s: S) -> std::result::Result<S::Ok, S::Error> {
        let mut m = s.serialize_map(None)?;
        m.serialize_entry("next", &self.next)?;
        m.serialize_entry("length", &self.length)?;
        m.serialize_entry("type", &self.ty)?;
        m.serialize_entry("version", &self.version)?;
        m.serialize_entry("chksum", &self.chksum)?;
        m.serialize_entry("control", &BoolMap([("anonymous", self.anonymous)]))?;
        m.serialize_entry("shit", &self.shit)?;
        m.serialize_entry("rhit", &self.rhit)?;
        m.serialize_entry("parameters", &self.parameters)?;
        m.end()
    }
}

impl Header for Hip<'_> {
    const NAME: &'static str = "HIP";
    const KEY: &'static str = "hip";
    const LEVEL: Option<Level> = Some(Level::Internet);

    fn write_token(&self, f: &mut dyn fmt::Write) -> fmt::Result {
        write!(f, "HIPv{}", self.version)
    }

    fn is_named(&self, name: &str) -> bool {
        name.eq_ignore_ascii_case(Self::NAME)
            || (name
                .get(..4)
                .is_some_and(|p| p.eq_ignore_ascii_case("HIPv"))
                && name.get(4..).and_then(|v| v.parse::<u8>().ok()) == Some(self.version))
    }
}

impl<'a> Parse<'a> for Hip<'a> {
    fn parse(data: &'a [u8], ctx: &Ctx) -> Result<Parsed<Self>> {
        wire::need(Self::NAME, ctx, data, FIXED_LEN)?;
        let mut r = Reader::new(data);
        let next = TransType(r.u8().unwrap_or_default());
        let len = r.u8().unwrap_or_default();
        let ty = Packet(r.u8().unwrap_or_default() & 0x7f);
        let ver = r.u8().unwrap_or_default();
        let chksum = r.u16().unwrap_or_default();
        let controls = r.u16().unwrap_or_default();
        let shit = r.ipv6().unwrap_or(Ipv6Addr::UNSPECIFIED);
        let rhit = r.ipv6().unwrap_or(Ipv6Addr::UNSPECIFIED);
        let length = (u16::from(len) + 1) * 8;
        if usize::from(length) < FIXED_LEN {
            return Err(DissectError::bad_value(
                Self::NAME,
                ctx.offset + 1,
                "length",
                len.into(),
                "at least 4 (a 40-byte header)",
            ));
        }
        wire::need(Self::NAME, ctx, data, length.into())?;
        let parameters = HipParams::new(
            data.get(FIXED_LEN..usize::from(length)).unwrap_or_default(),
            ctx.offset + FIXED_LEN,
        );
        Ok(Parsed {
            header: Hip {
                next,
                length,
                ty,
                version: ver >> 4,
                chksum,
                anonymous: controls & 1 != 0,
                shit,
                rhit,
                parameters,
            },
            header_len: length.into(),
            payload_len: data.len() - usize::from(length),
            next: Next::IpProto(next),
        })
    }
}

#[cfg(test)]
pub(crate) mod tests {
    use super::*;
    use serde_json::json;

    /// An I1 packet (HIPv2) with a DH_GROUP_LIST parameter (groups 9, 8, 7).
    pub(crate) fn i1() -> Vec<u8> {
        let mut b = vec![59, 5, 0x01, 0x21, 0xab, 0xcd, 0x00, 0x01];
        b.extend_from_slice(&"2001:2::1".parse::<Ipv6Addr>().unwrap().octets());
        b.extend_from_slice(&"2001:2::2".parse::<Ipv6Addr>().unwrap().octets());
        b.extend_from_slice(&[0x01, 0xff, 0x00, 0x03, 9, 8, 7, 0]);
        b
    }

    #[test]
    fn test_parse() {
        let b = i1();
        let p = Hip::parse(&b, &Ctx::default()).unwrap();
        let h = p.header;
        assert_eq!(p.header_len, 48);
        assert_eq!(h.version, 2);
        assert!(h.anonymous);
        assert_eq!(h.ext_key(), "hipv2");
        let mut t = String::new();
        h.write_token(&mut t).unwrap();
        assert_eq!(t, "HIPv2");
        assert!(h.is_named("hipv2") && h.is_named("HIP") && !h.is_named("HIPv1"));
        let v = serde_json::to_value(h).unwrap();
        assert_eq!(
            v,
            json!({
                "next": "TransType::IPv6_NoNxt [59]",
                "length": 48,
                "type": "Packet::I1 [1]",
                "version": 2,
                "chksum": 0xabcd,
                "control": {"anonymous": true},
                "shit": "2001:2::1",
                "rhit": "2001:2::2",
                "parameters": {
                    "Parameter::DH_GROUP_LIST [511]": [{
                        "type": "Parameter::DH_GROUP_LIST [511]",
                        "critical": true,
                        "length": 3,
                        "group_id": {"type": "tuple", "value": [
                            "Group::NIST_P_521 [9]", "Group::NIST_P_384 [8]", "Group::NIST_P_256 [7]"
                        ]}
                    }]
                }
            })
        );
    }

    #[test]
    fn test_impossible_len() {
        let b = i1();
        let e = Hip::parse(&b[..39], &Ctx::default()).unwrap_err();
        assert_eq!(e, DissectError::truncated("HIP", 0, 40, 39));
        let e = Hip::parse(&b[..44], &Ctx::default()).unwrap_err();
        assert_eq!(e, DissectError::truncated("HIP", 0, 48, 44));
        let mut b = b;
        b[1] = 3;
        let e = Hip::parse(&b, &Ctx::default()).unwrap_err();
        assert_eq!(
            e.to_string(),
            "HIP at byte 1: invalid length 3: expected at least 4 (a 40-byte header)"
        );
    }
}
