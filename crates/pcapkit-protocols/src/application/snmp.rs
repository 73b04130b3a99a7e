//! Simple Network Management Protocol on UDP 161 / 162: the message header.
//!
//! One layer (`snmp`, chain token `SNMP`). SNMPv1 (RFC 1157) and SNMPv2c (RFC 1901,
//! RFC 3416): `version`, `community`, `pdu_type` and the PDU's header — `request_id`,
//! `error_status`, `error_index` (`non_repeaters` / `max_repetitions` for GetBulk), or
//! for a v1 Trap `enterprise`, `agent_addr`, `generic_trap`, `specific_trap`,
//! `time_stamp` — and `varbinds`, the number of variable bindings. SNMPv3 (RFC 3412):
//! `version` and the `msgGlobalData` fields (`msg_id`, `msg_max_size`, `msg_flags`,
//! `msg_security_model`); the security parameters and the (possibly encrypted) scoped
//! PDU stay undecoded.
//!
//! BER is read with definite lengths only (short form, or long form of at most 4
//! bytes), each checked against the bytes that are there; counting the variable
//! bindings walks the list once, so every loop is bounded by the input length.

use std::fmt;
use std::net::Ipv4Addr;

use serde::Serialize;
use serde::ser::{SerializeMap, Serializer};

use crate::consts::snmp::{PDUType, Version};
use crate::error::{DissectError, Result};
use crate::protocol::{Ctx, Header, Level, Next, Parse, Parsed};

use super::Text;

/// BER tags used by SNMP.
mod tag {
    pub const INTEGER: u8 = 0x02;
    pub const OCTET_STRING: u8 = 0x04;
    pub const OID: u8 = 0x06;
    pub const SEQUENCE: u8 = 0x30;
    /// `IpAddress` (`[APPLICATION 0]`).
    pub const IP_ADDRESS: u8 = 0x40;
    /// `TimeTicks` (`[APPLICATION 3]`).
    pub const TIME_TICKS: u8 = 0x43;
    /// First PDU tag (`[0] IMPLICIT SEQUENCE`, GetRequest); PDUs are 0xa0..=0xa8.
    pub const PDU_BASE: u8 = 0xa0;
}

/// One BER element: its tag, its content and the offset just past it.
struct Tlv<'a> {
    tag: u8,
    content: &'a [u8],
    /// Offset of the content in the message.
    at: usize,
    end: usize,
}

/// A BER reader over the whole message, keeping offsets for errors.
struct Ber<'a> {
    msg: &'a [u8],
    ctx_offset: usize,
}

impl<'a> Ber<'a> {
    fn err(&self, at: usize, what: &'static str) -> DissectError {
        DissectError::malformed(Snmp::NAME, self.ctx_offset + at, what)
    }

    /// The element starting at `pos`, which must end by `limit`.
    fn tlv(&self, pos: usize, limit: usize) -> Result<Tlv<'a>> {
        let byte = |i: usize| -> Result<u8> {
            match self.msg.get(i) {
                None => Err(DissectError::truncated(
                    Snmp::NAME,
                    self.ctx_offset,
                    i + 1,
                    self.msg.len(),
                )),
                Some(_) if i >= limit => {
                    Err(self.err(i, "BER element runs past its enclosing element"))
                }
                Some(&b) => Ok(b),
            }
        };
        let tag = byte(pos)?;
        if tag & 0x1f == 0x1f {
            return Err(self.err(pos, "multi-byte BER tag (not used by SNMP)"));
        }
        let first = byte(pos + 1)?;
        let (len, at) = match first {
            0..=0x7f => (usize::from(first), pos + 2),
            0x80 => return Err(self.err(pos + 1, "indefinite BER length (not allowed in SNMP)")),
            0x81..=0x84 => {
                let n = usize::from(first & 0x7f);
                let mut len = 0usize;
                for i in 0..n {
                    len = (len << 8) | usize::from(byte(pos + 2 + i)?);
                }
                (len, pos + 2 + n)
            }
            _ => return Err(self.err(pos + 1, "BER length longer than 4 bytes")),
        };
        let end = at.saturating_add(len);
        if end > self.msg.len() {
            return Err(DissectError::truncated(
                Snmp::NAME,
                self.ctx_offset,
                end,
                self.msg.len(),
            ));
        }
        if end > limit {
            return Err(self.err(pos, "BER element runs past its enclosing element"));
        }
        Ok(Tlv {
            tag,
            content: self.msg.get(at..end).unwrap_or_default(),
            at,
            end,
        })
    }

    /// The element at `pos`, which must have tag `want`.
    fn element(&self, pos: usize, limit: usize, want: u8, what: &'static str) -> Result<Tlv<'a>> {
        let t = self.tlv(pos, limit)?;
        if t.tag == want {
            Ok(t)
        } else {
            Err(self.err(pos, what))
        }
    }

    /// An INTEGER at `pos` (at most 8 content bytes, two's complement).
    fn integer(&self, pos: usize, limit: usize, what: &'static str) -> Result<(i64, usize)> {
        let t = self.element(pos, limit, tag::INTEGER, what)?;
        Ok((self.signed(&t, what)?, t.end))
    }

    fn signed(&self, t: &Tlv<'a>, what: &'static str) -> Result<i64> {
        if t.content.is_empty() || t.content.len() > 8 {
            return Err(self.err(t.at, what));
        }
        let negative = t.content.first().is_some_and(|b| b & 0x80 != 0);
        let init = if negative { -1i64 } else { 0 };
        Ok(t.content
            .iter()
            .fold(init, |acc, &b| (acc << 8) | i64::from(b)))
    }

    fn unsigned(&self, t: &Tlv<'a>, what: &'static str) -> Result<u64> {
        let bytes = match t.content {
            [0, rest @ ..] if !rest.is_empty() => rest,
            c => c,
        };
        if bytes.is_empty() || bytes.len() > 8 {
            return Err(self.err(t.at, what));
        }
        Ok(bytes.iter().fold(0u64, |acc, &b| (acc << 8) | u64::from(b)))
    }
}

/// An OBJECT IDENTIFIER's content bytes, shown in dotted form (`1.3.6.1.4.1.8072`).
#[derive(Clone, Copy, PartialEq, Eq, Default)]
pub struct Oid<'a>(pub &'a [u8]);

impl fmt::Display for Oid<'_> {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        let mut first = true;
        let mut value = 0u128;
        for &b in self.0 {
            value = (value << 7) | u128::from(b & 0x7f);
            if b & 0x80 != 0 {
                if value > u128::from(u64::MAX) {
                    return f.write_str("<invalid OID>");
                }
                continue;
            }
            if first {
                let (a, b) = match value {
                    0..=39 => (0, value),
                    40..=79 => (1, value - 40),
                    _ => (2, value - 80),
                };
                write!(f, "{a}.{b}")?;
                first = false;
            } else {
                write!(f, ".{value}")?;
            }
            value = 0;
        }
        Ok(())
    }
}

impl fmt::Debug for Oid<'_> {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "Oid({self})")
    }
}

impl Serialize for Oid<'_> {
    fn serialize<S: Serializer>(&self, s: S) -> std::result::Result<S::Ok, S::Error> {
        s.collect_str(self)
    }
}

/// The PDU header of an SNMPv1 / SNMPv2c message.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Pdu<'a> {
    /// Get, GetNext, Response, Set, Inform, SNMPv2-Trap, Report.
    Request {
        /// Request ID.
        request_id: i64,
        /// Error status (0: noError).
        error_status: i64,
        /// Index of the variable binding in error (1-based; 0: none).
        error_index: i64,
    },
    /// GetBulkRequest.
    Bulk {
        /// Request ID.
        request_id: i64,
        /// Variables fetched once.
        non_repeaters: i64,
        /// Repetitions for the other variables.
        max_repetitions: i64,
    },
    /// SNMPv1 Trap.
    Trap {
        /// Type of object generating the trap.
        enterprise: Oid<'a>,
        /// Address of that object.
        agent_addr: Ipv4Addr,
        /// Generic trap type (0 coldStart ... 6 enterpriseSpecific).
        generic_trap: i64,
        /// Enterprise-specific trap code.
        specific_trap: i64,
        /// Hundredths of a second since the agent's (re)initialization.
        time_stamp: u64,
    },
}

/// The body of an SNMP message after its version.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Body<'a> {
    /// SNMPv1 / SNMPv2c (/ v2u): community and PDU.
    Community {
        /// Community string.
        community: Text<'a>,
        /// PDU type (the context-specific tag number).
        pdu_type: PDUType,
        /// The PDU's header fields.
        pdu: Pdu<'a>,
        /// Number of variable bindings.
        varbinds: usize,
    },
    /// SNMPv3 `msgGlobalData`.
    V3 {
        /// Message ID.
        msg_id: i64,
        /// Largest message the sender accepts.
        msg_max_size: i64,
        /// Flags (bit 0 auth, bit 1 priv, bit 2 reportable).
        msg_flags: u8,
        /// Security model (3: USM).
        msg_security_model: i64,
    },
}

/// An SNMP message (`snmp`, chain token `SNMP`).
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct Snmp<'a> {
    /// Message version.
    pub version: Version,
    /// Everything after the version.
    pub body: Body<'a>,
}

impl Header for Snmp<'_> {
    const NAME: &'static str = "SNMP";
    const KEY: &'static str = "snmp";
    const LEVEL: Option<Level> = Some(Level::Application);
}

/// Whether `data` starts an SNMP message: a SEQUENCE whose first element is a one-byte
/// INTEGER version 0 (v1), 1 (v2c), 2 (v2u) or 3 (v3).
pub fn claims(data: &[u8]) -> bool {
    let skip = match data.get(1) {
        Some(0..=0x7f) => 2,
        Some(&b @ 0x81..=0x84) => 2 + usize::from(b & 0x7f),
        _ => return false,
    };
    data.first() == Some(&tag::SEQUENCE)
        && matches!(data.get(skip..skip + 3), Some([tag::INTEGER, 1, 0..=3]))
}

impl<'a> Parse<'a> for Snmp<'a> {
    fn parse(data: &'a [u8], ctx: &Ctx) -> Result<Parsed<Self>> {
        let ber = Ber {
            msg: data,
            ctx_offset: ctx.offset,
        };
        let msg = ber.element(
            0,
            data.len(),
            tag::SEQUENCE,
            "message is not a BER SEQUENCE",
        )?;
        let limit = msg.end;
        let (version, pos) = ber.integer(msg.at, limit, "version is not a small INTEGER")?;
        let version = u8::try_from(version).map_err(|_| {
            DissectError::bad_value(
                Self::NAME,
                ctx.offset + msg.at,
                "version",
                version as u64,
                "0 (v1), 1 (v2c), 2 (v2u) or 3 (v3)",
            )
        })?;
        let body = if version == 3 {
            let global =
                ber.element(pos, limit, tag::SEQUENCE, "msgGlobalData is not a SEQUENCE")?;
            let (msg_id, p) = ber.integer(global.at, global.end, "msgID is not an INTEGER")?;
            let (msg_max_size, p) = ber.integer(p, global.end, "msgMaxSize is not an INTEGER")?;
            let flags = ber.element(
                p,
                global.end,
                tag::OCTET_STRING,
                "msgFlags is not an OCTET STRING",
            )?;
            let (msg_security_model, _) =
                ber.integer(flags.end, global.end, "msgSecurityModel is not an INTEGER")?;
            Body::V3 {
                msg_id,
                msg_max_size,
                msg_flags: flags.content.first().copied().unwrap_or_default(),
                msg_security_model,
            }
        } else {
            let community = ber.element(
                pos,
                limit,
                tag::OCTET_STRING,
                "community is not an OCTET STRING",
            )?;
            let pdu = ber.tlv(community.end, limit)?;
            if !(tag::PDU_BASE..=tag::PDU_BASE + 8).contains(&pdu.tag) {
                return Err(ber.err(community.end, "PDU tag is not one of [0] .. [8]"));
            }
            let pdu_type = PDUType(pdu.tag - tag::PDU_BASE);
            let end = pdu.end;
            let (header, p) = if pdu_type == PDUType::Trap {
                let enterprise = ber.element(pdu.at, end, tag::OID, "enterprise is not an OID")?;
                let addr = ber.element(
                    enterprise.end,
                    end,
                    tag::IP_ADDRESS,
                    "agent-addr is not an IpAddress",
                )?;
                let agent_addr = match addr.content {
                    &[a, b, c, d] => Ipv4Addr::new(a, b, c, d),
                    _ => return Err(ber.err(addr.at, "agent-addr is not 4 bytes")),
                };
                let (generic_trap, p) =
                    ber.integer(addr.end, end, "generic-trap is not an INTEGER")?;
                let (specific_trap, p) = ber.integer(p, end, "specific-trap is not an INTEGER")?;
                let ticks = ber.element(p, end, tag::TIME_TICKS, "time-stamp is not TimeTicks")?;
                let time_stamp = ber.unsigned(&ticks, "time-stamp is not a 32-bit TimeTicks")?;
                (
                    Pdu::Trap {
                        enterprise: Oid(enterprise.content),
                        agent_addr,
                        generic_trap,
                        specific_trap,
                        time_stamp,
                    },
                    ticks.end,
                )
            } else {
                let (request_id, p) = ber.integer(pdu.at, end, "request-id is not an INTEGER")?;
                let (a, p) = ber.integer(p, end, "error-status is not an INTEGER")?;
                let (b, p) = ber.integer(p, end, "error-index is not an INTEGER")?;
                let header = if pdu_type == PDUType::GetBulkRequest {
                    Pdu::Bulk {
                        request_id,
                        non_repeaters: a,
                        max_repetitions: b,
                    }
                } else {
                    Pdu::Request {
                        request_id,
                        error_status: a,
                        error_index: b,
                    }
                };
                (header, p)
            };
            let list = ber.element(p, end, tag::SEQUENCE, "variable-bindings is not a SEQUENCE")?;
            let mut varbinds = 0;
            let mut q = list.at;
            while q < list.end {
                let vb = ber.element(
                    q,
                    list.end,
                    tag::SEQUENCE,
                    "variable binding is not a SEQUENCE",
                )?;
                varbinds += 1;
                q = vb.end;
            }
            Body::Community {
                community: Text(community.content),
                pdu_type,
                pdu: header,
                varbinds,
            }
        };
        Ok(Parsed {
            header: Snmp {
                version: Version(version),
                body,
            },
            header_len: data.len(),
            payload_len: 0,
            next: Next::Leaf,
        })
    }
}

/// Fields: `version`, then `community`, `pdu_type`, the PDU's fields and `varbinds`
/// (v1/v2c), or the `msg_*` fields of `msgGlobalData` (v3).
impl Serialize for Snmp<'_> {
    fn serialize<S: Serializer>(&self, serializer: S) -> std::result::Result<S::Ok, S::Error> {
        let mut m = serializer.serialize_map(None)?;
        m.serialize_entry("version", &self.version)?;
        match self.body {
            Body::Community {
                community,
                pdu_type,
                pdu,
                varbinds,
            } => {
                m.serialize_entry("community", &community)?;
                m.serialize_entry("pdu_type", &pdu_type)?;
                match pdu {
                    Pdu::Request {
                        request_id,
                        error_status,
                        error_index,
                    } => {
                        m.serialize_entry("request_id", &request_id)?;
                        m.serialize_entry("error_status", &error_status)?;
                        m.serialize_entry("error_index", &error_index)?;
                    }
                    Pdu::Bulk {
                        request_id,
                        non_repeaters,
                        max_repetitions,
                    } => {
                        m.serialize_entry("request_id", &request_id)?;
                        m.serialize_entry("non_repeaters", &non_repeaters)?;
                        m.serialize_entry("max_repetitions", &max_repetitions)?;
                    }
                    Pdu::Trap {
                        enterprise,
                        agent_addr,
                        generic_trap,
                        specific_trap,
                        time_stamp,
                    } => {
                        m.serialize_entry("enterprise", &enterprise)?;
                        m.serialize_entry("agent_addr", &agent_addr)?;
                        m.serialize_entry("generic_trap", &generic_trap)?;
                        m.serialize_entry("specific_trap", &specific_trap)?;
                        m.serialize_entry("time_stamp", &time_stamp)?;
                    }
                }
                m.serialize_entry("varbinds", &varbinds)?;
            }
            Body::V3 {
                msg_id,
                msg_max_size,
                msg_flags,
                msg_security_model,
            } => {
                m.serialize_entry("msg_id", &msg_id)?;
                m.serialize_entry("msg_max_size", &msg_max_size)?;
                m.serialize_entry("msg_flags", &msg_flags)?;
                m.serialize_entry("msg_security_model", &msg_security_model)?;
            }
        }
        m.end()
    }
}

#[cfg(test)]
mod tests;
