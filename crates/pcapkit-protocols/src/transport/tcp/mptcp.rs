//! Multipath TCP option (kind 30): every subtype of RFC 6824 (version 0) and RFC 8684
//! (version 1).
//!
//! PyPCAPKit 1.4.1 failed on every subtype and lost the TCP layer (its bug 30). Here
//! each subtype is decoded from its length (and, for MP_JOIN, the segment's SYN/ACK
//! flags); a length that fits no variant gives a `malformed` entry that keeps the
//! subtype and the bytes.
//!
//! Serialized fields after `kind` and `length`: `subtype`, then per subtype
//! - `MP_CAPABLE`: `version`, `flags {req, ext, hsa}`, `skey`, `rkey`, `dl_len`,
//!   `checksum` (absent parts `null`: a v1 SYN carries no key);
//! - `MP_JOIN`: `connection` (the TCP flags that chose the variant), then SYN `backup,
//!   addr_id, token, nonce`, SYN-ACK `backup, addr_id, hmac, nonce`, ACK `hmac`;
//! - `DSS`: `data_fin`, `ack`, `dsn`, `ssn`, `dl_len`, `checksum` (`null` when absent);
//! - `ADD_ADDR`: `version` (IP version), `echo` (v1; `null` for v0), `addr_id`,
//!   `addr`, `port`, `hmac` (`null` when absent);
//! - `REMOVE_ADDR`: `addr_id` (tuple); `MP_PRIO`: `backup`, `addr_id`; `MP_FAIL`:
//!   `dsn`; `MP_FASTCLOSE`: `rkey`; `MP_TCPRST`: `flags {u, v, w, t}`, `reason`;
//! - others: `data` (the bytes after the length byte).

use std::net::{IpAddr, Ipv4Addr, Ipv6Addr};

use serde::Serialize;
use serde::ser::SerializeStruct;

use crate::consts::tcp::{Flags, MPTCPOption};
use crate::ser::{Bytes, Tuple};

use super::options::{be16, be32, be64};

/// A Multipath TCP option: subtype and decoded value.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct Mptcp<'a> {
    /// Subtype (high nibble of the third byte).
    pub subtype: MPTCPOption,
    /// Decoded value.
    pub value: MptcpValue<'a>,
}

/// The MP_JOIN variant, chosen by the segment's SYN and ACK flags.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum JoinKind {
    /// Initial SYN.
    Syn,
    /// SYN/ACK.
    SynAck,
    /// Third ACK.
    Ack,
}

/// Decoded MPTCP subtypes.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum MptcpValue<'a> {
    /// MP_CAPABLE.
    Capable {
        /// MPTCP version.
        version: u8,
        /// Flags byte (A = 0x80 checksum required, B = 0x40 extensibility, C = 0x20 no
        /// more subflows to this address (v1), H = 0x01 HMAC-SHA1/SHA256).
        flags: u8,
        /// Sender's key (absent in a v1 SYN).
        skey: Option<u64>,
        /// Receiver's key (third ACK).
        rkey: Option<u64>,
        /// Data-level length (v1 ACK with data).
        dl_len: Option<u16>,
        /// DSS checksum (v1 ACK with data and checksums).
        checksum: Option<u16>,
    },
    /// MP_JOIN, initial SYN.
    JoinSyn {
        /// Backup path.
        backup: bool,
        /// Address ID.
        addr_id: u8,
        /// Receiver's token.
        token: u32,
        /// Sender's random number.
        nonce: u32,
    },
    /// MP_JOIN, SYN/ACK.
    JoinSynAck {
        /// Backup path.
        backup: bool,
        /// Address ID.
        addr_id: u8,
        /// Sender's truncated HMAC (8 bytes).
        hmac: &'a [u8],
        /// Sender's random number.
        nonce: u32,
    },
    /// MP_JOIN, third ACK.
    JoinAck {
        /// Sender's HMAC (20 bytes).
        hmac: &'a [u8],
    },
    /// DSS (data sequence signal).
    Dss {
        /// DATA_FIN flag.
        data_fin: bool,
        /// Data ACK (4 or 8 bytes).
        ack: Option<u64>,
        /// Data sequence number (4 or 8 bytes).
        dsn: Option<u64>,
        /// Subflow sequence number.
        ssn: Option<u32>,
        /// Data-level length.
        dl_len: Option<u16>,
        /// Checksum (when negotiated).
        checksum: Option<u16>,
    },
    /// ADD_ADDR.
    AddAddr {
        /// IP version of the address (4 or 6).
        version: u8,
        /// Echo flag (v1 only).
        echo: Option<bool>,
        /// Address ID.
        addr_id: u8,
        /// The address.
        addr: IpAddr,
        /// Port, if given.
        port: Option<u16>,
        /// Truncated HMAC (v1, when not an echo).
        hmac: Option<u64>,
    },
    /// REMOVE_ADDR: the address IDs.
    RemoveAddr(&'a [u8]),
    /// MP_PRIO.
    Prio {
        /// Backup path.
        backup: bool,
        /// Address ID (v0 only).
        addr_id: Option<u8>,
    },
    /// MP_FAIL: the data sequence number.
    Fail(u64),
    /// MP_FASTCLOSE: the receiver's key.
    Fastclose(u64),
    /// MP_TCPRST (RFC 8684): flags nibble and reason code.
    TcpRst {
        /// U, V, W, T bits (low nibble of the subtype byte).
        flags: u8,
        /// Reason code.
        reason: u8,
    },
    /// A subtype without a decoder (e.g. MP_EXPERIMENTAL): the bytes after the length.
    Unknown(&'a [u8]),
    /// A length that fits no variant of the subtype.
    Malformed {
        /// The bytes after the length byte.
        data: &'a [u8],
        /// What is wrong.
        malformed: &'static str,
    },
}

/// Decodes the bytes after kind and length of an MPTCP option (`None`: no subtype
/// byte) in a segment whose data-offset/flags word is `word`.
pub fn decode(body: &[u8], word: u16) -> Option<Mptcp<'_>> {
    let (&first, rest) = body.split_first()?;
    let subtype = MPTCPOption(first >> 4);
    let nibble = first & 0x0f;
    // Total option length, as the RFCs count it.
    let len = body.len() + 2;
    let bad = |malformed| MptcpValue::Malformed {
        data: body,
        malformed,
    };
    let value = match subtype {
        MPTCPOption::MP_CAPABLE => match (len, rest.split_first()) {
            (4 | 12 | 20 | 22 | 24, Some((&flags, keys))) => MptcpValue::Capable {
                version: nibble,
                flags,
                skey: (len >= 12).then(|| be64(keys, 0)),
                rkey: (len >= 20).then(|| be64(keys, 8)),
                dl_len: (len >= 22).then(|| be16(keys, 16)),
                checksum: (len >= 24).then(|| be16(keys, 18)),
            },
            _ => bad("MP_CAPABLE needs length 4, 12, 20, 22 or 24"),
        },
        MPTCPOption::MP_JOIN => decode_join(nibble, rest, len, word)
            .unwrap_or_else(|| bad("MP_JOIN needs length 12 (SYN), 16 (SYN/ACK) or 24 (ACK)")),
        MPTCPOption::DSS => decode_dss(rest, len).unwrap_or_else(|| {
            bad("DSS length does not match its flags (data ACK, DSN, checksum)")
        }),
        MPTCPOption::ADD_ADDR => decode_add_addr(nibble, rest, len)
            .unwrap_or_else(|| bad("ADD_ADDR length fits no address/port/HMAC combination")),
        MPTCPOption::REMOVE_ADDR if !rest.is_empty() => MptcpValue::RemoveAddr(rest),
        MPTCPOption::REMOVE_ADDR => {
            bad("REMOVE_ADDR needs at least one address ID (length 4 or more)")
        }
        MPTCPOption::MP_PRIO => match rest {
            [] => MptcpValue::Prio {
                backup: nibble & 0x01 != 0,
                addr_id: None,
            },
            [id] => MptcpValue::Prio {
                backup: nibble & 0x01 != 0,
                addr_id: Some(*id),
            },
            _ => bad("MP_PRIO needs length 3 or 4"),
        },
        MPTCPOption::MP_FAIL if len == 12 => MptcpValue::Fail(be64(rest, 1)),
        MPTCPOption::MP_FAIL => bad("MP_FAIL needs length 12"),
        MPTCPOption::MP_FASTCLOSE if len == 12 => MptcpValue::Fastclose(be64(rest, 1)),
        MPTCPOption::MP_FASTCLOSE => bad("MP_FASTCLOSE needs length 12"),
        MPTCPOption::MP_TCPRST => match rest {
            [reason] => MptcpValue::TcpRst {
                flags: nibble,
                reason: *reason,
            },
            _ => bad("MP_TCPRST needs length 4"),
        },
        _ => MptcpValue::Unknown(body),
    };
    Some(Mptcp { subtype, value })
}

/// The MP_JOIN variant a segment's flags call for; by length when they name none.
fn join_kind(word: u16, len: usize) -> Option<JoinKind> {
    let syn = word & 0x002 != 0;
    let ack = word & 0x010 != 0;
    let by_flags = match (syn, ack) {
        (true, false) => Some(JoinKind::Syn),
        (true, true) => Some(JoinKind::SynAck),
        (false, true) => Some(JoinKind::Ack),
        (false, false) => None,
    };
    let by_len = match len {
        12 => Some(JoinKind::Syn),
        16 => Some(JoinKind::SynAck),
        24 => Some(JoinKind::Ack),
        _ => None,
    };
    // The flags choose (PyPCAPKit's rule); a length that contradicts them wins, since
    // decoding a 12-byte option as a 24-byte one is impossible.
    match (by_flags, by_len) {
        (Some(f), Some(l)) if f != l => Some(l),
        (f, l) => f.filter(|_| l.is_some()).or(l),
    }
}

fn decode_join<'a>(nibble: u8, rest: &'a [u8], len: usize, word: u16) -> Option<MptcpValue<'a>> {
    let backup = nibble & 0x01 != 0;
    let (&addr_id, tail) = rest.split_first()?;
    Some(match join_kind(word, len)? {
        JoinKind::Syn => MptcpValue::JoinSyn {
            backup,
            addr_id,
            token: be32(tail, 0),
            nonce: be32(tail, 4),
        },
        JoinKind::SynAck => MptcpValue::JoinSynAck {
            backup,
            addr_id,
            hmac: tail.get(..8)?,
            nonce: be32(tail, 8),
        },
        JoinKind::Ack => MptcpValue::JoinAck {
            hmac: tail.get(..20)?,
        },
    })
}

fn decode_dss(rest: &[u8], len: usize) -> Option<MptcpValue<'_>> {
    let (&flags, body) = rest.split_first()?;
    let has_ack = flags & 0x01 != 0;
    let ack8 = flags & 0x02 != 0;
    let has_map = flags & 0x04 != 0;
    let dsn8 = flags & 0x08 != 0;
    let data_fin = flags & 0x10 != 0;
    let ack_len = match (has_ack, ack8) {
        (false, _) => 0,
        (true, false) => 4,
        (true, true) => 8,
    };
    let dsn_len = if dsn8 { 8 } else { 4 };
    let map_len = if has_map { dsn_len + 4 + 2 } else { 0 };
    let base = 4 + ack_len + map_len;
    let with_checksum = if len == base {
        false
    } else if has_map && len == base + 2 {
        true
    } else {
        return None;
    };
    let read = |at: usize, n: usize| {
        if n == 8 {
            be64(body, at)
        } else {
            u64::from(be32(body, at))
        }
    };
    Some(MptcpValue::Dss {
        data_fin,
        ack: has_ack.then(|| read(0, ack_len)),
        dsn: has_map.then(|| read(ack_len, dsn_len)),
        ssn: has_map.then(|| be32(body, ack_len + dsn_len)),
        dl_len: has_map.then(|| be16(body, ack_len + dsn_len + 4)),
        checksum: with_checksum.then(|| be16(body, ack_len + dsn_len + 6)),
    })
}

fn decode_add_addr(nibble: u8, rest: &[u8], len: usize) -> Option<MptcpValue<'_>> {
    let (&addr_id, tail) = rest.split_first()?;
    // Version 0 (RFC 6824) puts the IP version (4 or 6) in the low nibble; version 1
    // (RFC 8684) has three reserved bits and the echo flag there.
    let (version, echo, port, hmac) = match (nibble, len) {
        (4, 8) => (4, None, false, false),
        (4, 10) => (4, None, true, false),
        (6, 20) => (6, None, false, false),
        (6, 22) => (6, None, true, false),
        (0 | 1, _) => {
            let echo = nibble == 1;
            match (len, echo) {
                (8, true) => (4, Some(echo), false, false),
                (10, true) => (4, Some(echo), true, false),
                (16, false) => (4, Some(echo), false, true),
                (18, false) => (4, Some(echo), true, true),
                (20, true) => (6, Some(echo), false, false),
                (22, true) => (6, Some(echo), true, false),
                (28, false) => (6, Some(echo), false, true),
                (30, false) => (6, Some(echo), true, true),
                _ => return None,
            }
        }
        _ => return None,
    };
    let alen = if version == 4 { 4 } else { 16 };
    let addr = match version {
        4 => IpAddr::V4(Ipv4Addr::from(be32(tail, 0))),
        _ => IpAddr::V6(Ipv6Addr::from(<[u8; 16]>::try_from(tail.get(..16)?).ok()?)),
    };
    let port_len = if port { 2 } else { 0 };
    Some(MptcpValue::AddAddr {
        version,
        echo,
        addr_id,
        addr,
        port: port.then(|| be16(tail, alen)),
        hmac: hmac.then(|| be64(tail, alen + port_len)),
    })
}

/// MP_CAPABLE flags as PyPCAPKit names them.
#[derive(Serialize)]
struct CapableFlags {
    req: bool,
    ext: bool,
    hsa: bool,
}

/// MP_TCPRST flags.
#[derive(Serialize)]
struct RstFlags {
    u: bool,
    v: bool,
    w: bool,
    t: bool,
}

impl Mptcp<'_> {
    /// Writes `subtype` and the subtype's fields into an option's struct.
    pub(crate) fn serialize_fields<T: SerializeStruct>(&self, st: &mut T) -> Result<(), T::Error> {
        st.serialize_field("subtype", &self.subtype)?;
        match self.value {
            MptcpValue::Capable {
                version,
                flags,
                skey,
                rkey,
                dl_len,
                checksum,
            } => {
                st.serialize_field("version", &version)?;
                st.serialize_field(
                    "flags",
                    &CapableFlags {
                        req: flags & 0x80 != 0,
                        ext: flags & 0x40 != 0,
                        hsa: flags & 0x01 != 0,
                    },
                )?;
                st.serialize_field("skey", &skey)?;
                st.serialize_field("rkey", &rkey)?;
                st.serialize_field("dl_len", &dl_len)?;
                st.serialize_field("checksum", &checksum)?;
            }
            MptcpValue::JoinSyn {
                backup,
                addr_id,
                token,
                nonce,
            } => {
                st.serialize_field("connection", &Flags::SYN)?;
                st.serialize_field("backup", &backup)?;
                st.serialize_field("addr_id", &addr_id)?;
                st.serialize_field("token", &token)?;
                st.serialize_field("nonce", &nonce)?;
            }
            MptcpValue::JoinSynAck {
                backup,
                addr_id,
                hmac,
                nonce,
            } => {
                st.serialize_field("connection", &Flags(Flags::SYN.0 | Flags::ACK.0))?;
                st.serialize_field("backup", &backup)?;
                st.serialize_field("addr_id", &addr_id)?;
                st.serialize_field("hmac", &Bytes(hmac))?;
                st.serialize_field("nonce", &nonce)?;
            }
            MptcpValue::JoinAck { hmac } => {
                st.serialize_field("connection", &Flags::ACK)?;
                st.serialize_field("hmac", &Bytes(hmac))?;
            }
            MptcpValue::Dss {
                data_fin,
                ack,
                dsn,
                ssn,
                dl_len,
                checksum,
            } => {
                st.serialize_field("data_fin", &data_fin)?;
                st.serialize_field("ack", &ack)?;
                st.serialize_field("dsn", &dsn)?;
                st.serialize_field("ssn", &ssn)?;
                st.serialize_field("dl_len", &dl_len)?;
                st.serialize_field("checksum", &checksum)?;
            }
            MptcpValue::AddAddr {
                version,
                echo,
                addr_id,
                addr,
                port,
                hmac,
            } => {
                st.serialize_field("version", &version)?;
                st.serialize_field("echo", &echo)?;
                st.serialize_field("addr_id", &addr_id)?;
                st.serialize_field("addr", &addr)?;
                st.serialize_field("port", &port)?;
                st.serialize_field("hmac", &hmac)?;
            }
            MptcpValue::RemoveAddr(ids) => {
                st.serialize_field("addr_id", &Tuple(ids.iter()))?;
            }
            MptcpValue::Prio { backup, addr_id } => {
                st.serialize_field("backup", &backup)?;
                st.serialize_field("addr_id", &addr_id)?;
            }
            MptcpValue::Fail(dsn) => st.serialize_field("dsn", &dsn)?,
            MptcpValue::Fastclose(rkey) => st.serialize_field("rkey", &rkey)?,
            MptcpValue::TcpRst { flags, reason } => {
                st.serialize_field(
                    "flags",
                    &RstFlags {
                        u: flags & 0x08 != 0,
                        v: flags & 0x04 != 0,
                        w: flags & 0x02 != 0,
                        t: flags & 0x01 != 0,
                    },
                )?;
                st.serialize_field("reason", &reason)?;
            }
            MptcpValue::Unknown(data) => st.serialize_field("data", &Bytes(data))?,
            MptcpValue::Malformed { data, malformed } => {
                st.serialize_field("data", &Bytes(data))?;
                st.serialize_field("malformed", malformed)?;
            }
        }
        Ok(())
    }
}
