//! Novell IPX (EtherType 0x8137, IP protocol 111): the 30-byte header.
//!
//! PyPCAPKit looked the IPX packet type up in the IP protocol table (§10 #28: type 4
//! decoded as IPv4). Here the payload stays `raw`, named by the packet type.

use std::fmt;

use serde::ser::{Serialize, SerializeMap, Serializer};

use crate::consts::ipx::{Packet, Socket};
use crate::error::Result;
use crate::internet::common::Reader;
use crate::protocol::{Ctx, Header, Level, Next, Parse, Parsed, RawProto};
use crate::wire;

/// Length of the header.
pub const HEADER_LEN: usize = 30;

/// An IPX address: network, node and socket.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, Default)]
pub struct IpxAddr {
    /// Network number.
    pub network: [u8; 4],
    /// Node (MAC) address.
    pub node: [u8; 6],
    /// Socket.
    pub socket: Socket,
}

/// Colon- or dash-separated lower-case hex (`00:00:00:01`, `00-11-22-33-44-55`).
struct Sep<'a>(&'a [u8], char);

impl fmt::Display for Sep<'_> {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        for (i, b) in self.0.iter().enumerate() {
            if i > 0 {
                write!(f, "{}", self.1)?;
            }
            write!(f, "{b:02x}")?;
        }
        Ok(())
    }
}

/// The full address `network:node:socket` as colon-separated bytes.
struct FullAddr<'a>(&'a IpxAddr);

impl fmt::Display for FullAddr<'_> {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        let a = self.0;
        write!(
            f,
            "{}:{}:{}",
            Sep(&a.network, ':'),
            Sep(&a.node, ':'),
            Sep(&a.socket.0.to_be_bytes(), ':')
        )
    }
}

/// Serializes a `Display` value as a string without allocating.
struct AsStr<T>(T);

impl<T: fmt::Display> Serialize for AsStr<T> {
    fn serialize<S: Serializer>(&self, s: S) -> std::result::Result<S::Ok, S::Error> {
        s.collect_str(&self.0)
    }
}

impl IpxAddr {
    /// The network number as an integer (what Wireshark shows as `ipx.*.net`).
    pub fn network_u32(&self) -> u32 {
        u32::from_be_bytes(self.network)
    }
}

impl Serialize for IpxAddr {
    fn serialize<S: Serializer>(&self, s: S) -> std::result::Result<S::Ok, S::Error> {
        let mut m = s.serialize_map(Some(4))?;
        m.serialize_entry("network", &AsStr(Sep(&self.network, ':')))?;
        m.serialize_entry("node", &AsStr(Sep(&self.node, '-')))?;
        m.serialize_entry("socket", &self.socket)?;
        m.serialize_entry("addr", &AsStr(FullAddr(self)))?;
        m.end()
    }
}

/// An IPX header (`ipx`, chain token `IPX`).
#[derive(Clone, Copy, Debug, PartialEq, Eq, serde::Serialize)]
pub struct Ipx {
    /// Checksum (0xFFFF: none).
    pub chksum: u16,
    /// Packet length, header included.
    pub len: u16,
    /// Transport control (hop count).
    pub count: u8,
    /// Packet type.
    #[serde(rename = "type")]
    pub ty: Packet,
    /// Destination.
    pub dst: IpxAddr,
    /// Source.
    pub src: IpxAddr,
}

impl Header for Ipx {
    const NAME: &'static str = "IPX";
    const KEY: &'static str = "ipx";
    const LEVEL: Option<Level> = Some(Level::Internet);
}

fn addr(r: &mut Reader<'_>) -> IpxAddr {
    IpxAddr {
        network: r.array().unwrap_or_default(),
        node: r.array().unwrap_or_default(),
        socket: Socket(r.u16().unwrap_or_default()),
    }
}

impl<'a> Parse<'a> for Ipx {
    fn parse(data: &'a [u8], ctx: &Ctx) -> Result<Parsed<Self>> {
        wire::need(Self::NAME, ctx, data, HEADER_LEN)?;
        let mut r = Reader::new(data);
        let chksum = r.u16().unwrap_or_default();
        let len = r.u16().unwrap_or_default();
        let count = r.u8().unwrap_or_default();
        let ty = Packet(r.u8().unwrap_or_default());
        let dst = addr(&mut r);
        let src = addr(&mut r);
        let protocol = ty.name().map_or(RawProto::None, RawProto::Named);
        Ok(Parsed {
            header: Ipx {
                chksum,
                len,
                count,
                ty,
                dst,
                src,
            },
            header_len: HEADER_LEN,
            payload_len: usize::from(len).saturating_sub(HEADER_LEN),
            next: Next::Raw(protocol, None),
        })
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::error::DissectError;
    use serde_json::json;

    /// A PEP (type 4) packet from 00000001:001122334455:0452 to ffffffff:ffffffffffff:0452.
    static PKT: [u8; 34] = [
        0xff, 0xff, 0x00, 0x22, 0x00, 0x04, // chksum, len 34, count, type PEP
        0x00, 0x00, 0x00, 0x02, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0x04, 0x52, // dst
        0x00, 0x00, 0x00, 0x01, 0x00, 0x11, 0x22, 0x33, 0x44, 0x55, 0x04, 0x52, // src
        0x45, 0x00, 0x00, 0x14, // payload that looks like IPv4
    ];

    #[test]
    fn test_parse() {
        let p = Ipx::parse(&PKT, &Ctx::default()).unwrap();
        assert_eq!(p.header.len, 34);
        assert_eq!(p.header.ty, Packet(4));
        assert_eq!(p.header.src.network_u32(), 1);
        assert_eq!(p.header_len, 30);
        assert_eq!(p.payload_len, 4);
        let v = serde_json::to_value(p.header).unwrap();
        assert_eq!(
            v,
            json!({
                "chksum": 65535,
                "len": 34,
                "count": 0,
                "type": "Packet::PEP [4]",
                "dst": {
                    "network": "00:00:00:02",
                    "node": "ff-ff-ff-ff-ff-ff",
                    "socket": Socket(0x452).to_string(),
                    "addr": "00:00:00:02:ff:ff:ff:ff:ff:ff:04:52"
                },
                "src": {
                    "network": "00:00:00:01",
                    "node": "00-11-22-33-44-55",
                    "socket": Socket(0x452).to_string(),
                    "addr": "00:00:00:01:00:11:22:33:44:55:04:52"
                }
            })
        );
    }

    #[test]
    fn pypcapkit_bug_28_ipx_type_is_not_an_ip_protocol() {
        let p = Ipx::parse(&PKT, &Ctx::default()).unwrap();
        assert_eq!(p.next, Next::Raw(RawProto::Named("PEP"), None));
    }

    #[test]
    fn test_impossible_len() {
        let e = Ipx::parse(&PKT[..29], &Ctx::default()).unwrap_err();
        assert_eq!(e, DissectError::truncated("IPX", 0, 30, 29));
    }
}
