//! Hop-by-Hop (`HOPOPT`, RFC 8200 §4.3) and Destination Options (`IPv6-Opts`, §4.6)
//! headers and their option TLVs, decoded lazily and serialized as PyPCAPKit's
//! multi-dict keyed by the `Option` registry.

use std::net::{Ipv4Addr, Ipv6Addr};

use serde::ser::{Serialize, SerializeMap, Serializer};

use crate::consts::RegistryEnum;
use crate::consts::ipv6::{
    Option as OptType, OptionAction, QSFunction, RouterAlert, SMFDPDMode, SeedID, TaggerID,
};
use crate::consts::reg::TransType;
use crate::error::{DissectError, Result};
use crate::internet::common::{BoolMap, Reader};
use crate::protocol::{Ctx, Header, Level, Next, Parse, Parsed};
use crate::ser::{Bytes, MultiDict};
use crate::wire;

/// The option area of a Hop-by-Hop or Destination Options header.
#[derive(Clone, Copy, PartialEq, Eq)]
pub struct Ipv6Options<'a> {
    data: &'a [u8],
    offset: usize,
    layer: &'static str,
}

impl<'a> Ipv6Options<'a> {
    /// Options in `data` (after next header and length), first byte at absolute offset
    /// `offset`; errors name `layer`.
    pub fn new(data: &'a [u8], offset: usize, layer: &'static str) -> Self {
        Self {
            data,
            offset,
            layer,
        }
    }

    /// The raw option bytes.
    pub fn bytes(&self) -> &'a [u8] {
        self.data
    }

    /// The options in wire order; ends at a malformed option.
    pub fn iter(&self) -> Ipv6OptionIter<'a> {
        Ipv6OptionIter {
            data: self.data,
            pos: 0,
            offset: self.offset,
            layer: self.layer,
            done: false,
        }
    }

    /// The Jumbo Payload length, if a Jumbo Payload option is present.
    pub fn jumbo_len(&self) -> Option<u32> {
        self.iter().find_map(|o| match o.body {
            Ipv6OptionBody::Jumbo { jumbo_len } => Some(jumbo_len),
            _ => None,
        })
    }
}

impl std::fmt::Debug for Ipv6Options<'_> {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_list().entries(self.iter()).finish()
    }
}

impl Serialize for Ipv6Options<'_> {
    fn serialize<S: Serializer>(&self, serializer: S) -> std::result::Result<S::Ok, S::Error> {
        MultiDict(self.iter().map(|o| (o.ty, o))).serialize(serializer)
    }
}

/// Iterator over [`Ipv6Options`].
#[derive(Clone, Debug)]
pub struct Ipv6OptionIter<'a> {
    data: &'a [u8],
    pos: usize,
    offset: usize,
    layer: &'static str,
    done: bool,
}

impl<'a> Iterator for Ipv6OptionIter<'a> {
    type Item = Ipv6Option<'a>;

    fn next(&mut self) -> Option<Ipv6Option<'a>> {
        if self.done {
            return None;
        }
        let rest = self.data.get(self.pos..).unwrap_or_default();
        let &ty = rest.first()?;
        let at = self.offset + self.pos;
        if ty == 0 {
            self.pos += 1;
            return Some(Ipv6Option {
                ty: OptType(0),
                length: 1,
                body: Ipv6OptionBody::Pad,
            });
        }
        let Some(&len) = rest.get(1) else {
            self.done = true;
            return Some(Ipv6Option {
                ty: OptType(ty),
                length: 1,
                body: Ipv6OptionBody::Malformed {
                    data: &[],
                    error: DissectError::malformed(
                        self.layer,
                        at,
                        format!("option {ty} has no length byte (header ends)"),
                    ),
                },
            });
        };
        let end = 2 + usize::from(len);
        let Some(body) = rest.get(2..end) else {
            self.done = true;
            return Some(Ipv6Option {
                ty: OptType(ty),
                length: len.saturating_add(2),
                body: Ipv6OptionBody::Malformed {
                    data: rest.get(2..).unwrap_or_default(),
                    error: DissectError::malformed(
                        self.layer,
                        at,
                        format!(
                            "option {ty} needs {end} bytes, only {} left in the header",
                            rest.len()
                        ),
                    ),
                },
            });
        };
        self.pos += end;
        Some(Ipv6Option {
            ty: OptType(ty),
            length: len.saturating_add(2),
            body: parse_body(ty, body, at, self.layer),
        })
    }
}

/// One option: `type`, `action`, `change`, `length` (data length + 2; 1 for Pad1), then
/// its fields.
#[derive(Clone, Debug, PartialEq)]
pub struct Ipv6Option<'a> {
    /// Option type (the whole type byte).
    pub ty: OptType,
    /// Length of the option in bytes, type and length bytes included.
    pub length: u8,
    /// The decoded fields.
    pub body: Ipv6OptionBody<'a>,
}

impl Ipv6Option<'_> {
    /// What a node that does not recognise the option does (top two bits of the type).
    pub fn action(&self) -> OptionAction {
        OptionAction(self.ty.0 >> 6)
    }

    /// Whether the option data may change en route (third bit of the type).
    pub fn change(&self) -> bool {
        self.ty.0 & 0x20 != 0
    }
}

/// Identifier of the tagger in an SMF I-DPD option.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum TaggerId<'a> {
    /// An IPv4 address (TidTy 2).
    Ipv4(Ipv4Addr),
    /// An IPv6 address (TidTy 3).
    Ipv6(Ipv6Addr),
    /// Any other tagger ID.
    Bytes(&'a [u8]),
}

impl Serialize for TaggerId<'_> {
    fn serialize<S: Serializer>(&self, s: S) -> std::result::Result<S::Ok, S::Error> {
        match self {
            TaggerId::Ipv4(a) => a.serialize(s),
            TaggerId::Ipv6(a) => a.serialize(s),
            TaggerId::Bytes(b) => Bytes(b).serialize(s),
        }
    }
}

/// Seed identifier of an MPL option.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum MplSeed<'a> {
    /// S = 0: the seed is the IPv6 source address (`null`).
    None,
    /// S = 1 or 2: a 16- or 64-bit integer.
    Int(u64),
    /// S = 3: a 128-bit seed, as bytes.
    Bytes(&'a [u8]),
}

impl Serialize for MplSeed<'_> {
    fn serialize<S: Serializer>(&self, s: S) -> std::result::Result<S::Ok, S::Error> {
        match self {
            MplSeed::None => s.serialize_none(),
            MplSeed::Int(v) => s.serialize_u64(*v),
            MplSeed::Bytes(b) => Bytes(b).serialize(s),
        }
    }
}

/// The fields of an IPv6 option, by type.
#[derive(Clone, Debug, PartialEq)]
pub enum Ipv6OptionBody<'a> {
    /// Pad1 (0) or PadN (1, any length including zero data octets).
    Pad,
    /// Tunnel Encapsulation Limit (4, RFC 2473).
    TunnelLimit {
        /// Limit.
        limit: u8,
    },
    /// Router Alert (5, RFC 2711).
    RouterAlert {
        /// Alert value.
        value: RouterAlert,
    },
    /// CALIPSO (7, RFC 5570).
    Calipso {
        /// Domain of interpretation.
        domain: u32,
        /// Compartment length (in 32-bit words).
        cmpt_len: u8,
        /// Sensitivity level.
        level: u8,
        /// Checksum.
        checksum: u16,
        /// Compartment bitmap.
        cmpt_bitmap: &'a [u8],
    },
    /// SMF_DPD identification-based (8, RFC 6621, H = 0).
    SmfIdentification {
        /// Tagger ID type.
        tid_type: TaggerID,
        /// TidLen field (tagger ID length − 1; 0 with a NULL tagger).
        tid_len: u8,
        /// Tagger ID (`None` for a NULL tagger).
        tid: Option<TaggerId<'a>>,
        /// Packet identifier.
        id: &'a [u8],
    },
    /// SMF_DPD hash-based (8, H = 1).
    SmfHash {
        /// Hash assist value (the option data; its first bit is the H flag).
        hav: &'a [u8],
    },
    /// Performance and Diagnostic Metrics (15, RFC 8250).
    Pdm {
        /// Scale of delta time last received.
        scaledtlr: u8,
        /// Scale of delta time last sent.
        scaledtls: u8,
        /// Packet sequence number this packet.
        psntp: u16,
        /// Packet sequence number last received.
        psnlr: u16,
        /// Delta time last received.
        deltatlr: u16,
        /// Delta time last sent.
        deltatls: u16,
    },
    /// Quick-Start request (38, RFC 4782, function 0).
    QsRequest {
        /// Function.
        func: QSFunction,
        /// Rate request.
        rate: u8,
        /// QS TTL.
        ttl: u8,
        /// QS nonce (30 bits).
        nonce: u32,
    },
    /// Quick-Start report of approved rate (38, function 8).
    QsReport {
        /// Function.
        func: QSFunction,
        /// Rate report.
        rate: u8,
        /// QS nonce (30 bits).
        nonce: u32,
    },
    /// RPL option (0x23 / 0x63, RFC 6553 / 9008).
    Rpl {
        /// Down (O) flag.
        down: bool,
        /// Rank error (R) flag.
        rank_err: bool,
        /// Forwarding error (F) flag.
        fwd_err: bool,
        /// RPL instance ID.
        id: u8,
        /// Sender rank.
        rank: u16,
    },
    /// MPL option (109, RFC 7731).
    Mpl {
        /// Seed ID length type.
        seed_type: SeedID,
        /// M flag (largest sequence number).
        max: bool,
        /// V flag (unrecognised version: drop).
        drop: bool,
        /// Sequence number.
        seq: u8,
        /// Seed identifier.
        seed_id: MplSeed<'a>,
    },
    /// ILNP Nonce (139, RFC 6744): the nonce, as bytes (its length varies).
    Ilnp {
        /// Nonce value.
        nonce: &'a [u8],
    },
    /// Line-Identification (140, RFC 6788).
    LineId {
        /// Line ID length.
        line_id_len: u8,
        /// Line ID.
        line_id: &'a [u8],
    },
    /// Jumbo Payload (194, RFC 2675).
    Jumbo {
        /// Length of the IPv6 payload (excluding the IPv6 header).
        jumbo_len: u32,
    },
    /// Home Address (201, RFC 6275).
    HomeAddress {
        /// The mobile node's home address.
        address: Ipv6Addr,
    },
    /// Depth-First Forwarding (238, RFC 6971).
    IpDff {
        /// Version.
        version: u8,
        /// Duplicate (D) flag.
        dup: bool,
        /// Return (R) flag.
        ret: bool,
        /// Sequence number.
        seq: u16,
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

fn parse_body<'a>(ty: u8, data: &'a [u8], at: usize, layer: &'static str) -> Ipv6OptionBody<'a> {
    let malformed = |what: &'static str| Ipv6OptionBody::Malformed {
        data,
        error: DissectError::malformed(
            layer,
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
        1 => Ipv6OptionBody::Pad,
        4 => match r.u8() {
            Some(limit) if exact(1) => Ipv6OptionBody::TunnelLimit { limit },
            _ => malformed("needs 1 byte"),
        },
        5 => match r.u16() {
            Some(v) if exact(2) => Ipv6OptionBody::RouterAlert {
                value: RouterAlert(v),
            },
            _ => malformed("needs 2 bytes"),
        },
        7 => match (r.u32(), r.u8(), r.u8(), r.u16()) {
            (Some(domain), Some(cmpt_len), Some(level), Some(checksum)) => {
                Ipv6OptionBody::Calipso {
                    domain,
                    cmpt_len,
                    level,
                    checksum,
                    cmpt_bitmap: r.rest(),
                }
            }
            _ => malformed("needs at least 8 bytes"),
        },
        8 => match r.u8() {
            Some(b) if b & 0x80 == 0 => {
                let tid_ty = (b >> 4) & 0x07;
                let tid_len = b & 0x0f;
                let tid = if tid_ty == 0 {
                    None
                } else {
                    let Some(t) = r.bytes(usize::from(tid_len) + 1) else {
                        return malformed("tagger ID runs past the option");
                    };
                    Some(match (tid_ty, t.len()) {
                        (2, 4) => {
                            TaggerId::Ipv4(Reader::new(t).ipv4().unwrap_or(Ipv4Addr::UNSPECIFIED))
                        }
                        (3, 16) => {
                            TaggerId::Ipv6(Reader::new(t).ipv6().unwrap_or(Ipv6Addr::UNSPECIFIED))
                        }
                        _ => TaggerId::Bytes(t),
                    })
                };
                Ipv6OptionBody::SmfIdentification {
                    tid_type: TaggerID(tid_ty),
                    tid_len,
                    tid,
                    id: r.rest(),
                }
            }
            Some(_) => Ipv6OptionBody::SmfHash { hav: data },
            None => malformed("needs at least 1 byte"),
        },
        15 => match (r.u8(), r.u8(), r.u16(), r.u16(), r.u16(), r.u16()) {
            (Some(a), Some(b), Some(c), Some(d), Some(e), Some(f)) if exact(10) => {
                Ipv6OptionBody::Pdm {
                    scaledtlr: a,
                    scaledtls: b,
                    psntp: c,
                    psnlr: d,
                    deltatlr: e,
                    deltatls: f,
                }
            }
            _ => malformed("needs 10 bytes"),
        },
        38 => match (r.u8(), r.u8(), r.u32()) {
            (Some(fr), Some(ttl), Some(n)) if exact(6) => {
                let func = QSFunction(fr >> 4);
                let rate = fr & 0x0f;
                match func.0 {
                    0 => Ipv6OptionBody::QsRequest {
                        func,
                        rate,
                        ttl,
                        nonce: n >> 2,
                    },
                    8 => Ipv6OptionBody::QsReport {
                        func,
                        rate,
                        nonce: n >> 2,
                    },
                    _ => Ipv6OptionBody::Unknown { data },
                }
            }
            _ => malformed("needs 6 bytes"),
        },
        0x23 | 0x63 => match (r.u8(), r.u8(), r.u16()) {
            (Some(f), Some(id), Some(rank)) => Ipv6OptionBody::Rpl {
                down: f & 0x80 != 0,
                rank_err: f & 0x40 != 0,
                fwd_err: f & 0x20 != 0,
                id,
                rank,
            },
            _ => malformed("needs at least 4 bytes"),
        },
        109 => match (r.u8(), r.u8()) {
            (Some(f), Some(seq)) => {
                let s = f >> 6;
                let seed_id = match s {
                    0 => Some(MplSeed::None),
                    1 => r.u16().map(|v| MplSeed::Int(v.into())),
                    2 => r.u64().map(MplSeed::Int),
                    _ => r.bytes(16).map(MplSeed::Bytes),
                };
                match seed_id {
                    Some(seed_id) => Ipv6OptionBody::Mpl {
                        seed_type: SeedID(s),
                        max: f & 0x20 != 0,
                        drop: f & 0x10 != 0,
                        seq,
                        seed_id,
                    },
                    None => malformed("seed ID runs past the option"),
                }
            }
            _ => malformed("needs at least 2 bytes"),
        },
        139 => Ipv6OptionBody::Ilnp { nonce: data },
        140 => match r.u8() {
            Some(n) => match r.bytes(n.into()) {
                Some(line_id) => Ipv6OptionBody::LineId {
                    line_id_len: n,
                    line_id,
                },
                None => malformed("line ID runs past the option"),
            },
            None => malformed("needs at least 1 byte"),
        },
        194 => match r.u32() {
            Some(jumbo_len) if exact(4) => Ipv6OptionBody::Jumbo { jumbo_len },
            _ => malformed("needs 4 bytes"),
        },
        201 => match r.ipv6() {
            Some(address) if exact(16) => Ipv6OptionBody::HomeAddress { address },
            _ => malformed("needs 16 bytes"),
        },
        238 => match (r.u8(), r.u16()) {
            (Some(f), Some(seq)) if exact(3) => Ipv6OptionBody::IpDff {
                version: f >> 6,
                dup: f & 0x20 != 0,
                ret: f & 0x10 != 0,
                seq,
            },
            _ => malformed("needs 3 bytes"),
        },
        _ => Ipv6OptionBody::Unknown { data },
    }
}

impl Serialize for Ipv6Option<'_> {
    fn serialize<S: Serializer>(&self, serializer: S) -> std::result::Result<S::Ok, S::Error> {
        let mut m = serializer.serialize_map(None)?;
        m.serialize_entry("type", &self.ty)?;
        m.serialize_entry("action", &self.action())?;
        m.serialize_entry("change", &self.change())?;
        m.serialize_entry("length", &self.length)?;
        match &self.body {
            Ipv6OptionBody::Pad => {}
            Ipv6OptionBody::TunnelLimit { limit } => m.serialize_entry("limit", limit)?,
            Ipv6OptionBody::RouterAlert { value } => m.serialize_entry("value", value)?,
            Ipv6OptionBody::Calipso {
                domain,
                cmpt_len,
                level,
                checksum,
                cmpt_bitmap,
            } => {
                m.serialize_entry("domain", domain)?;
                m.serialize_entry("cmpt_len", cmpt_len)?;
                m.serialize_entry("level", level)?;
                m.serialize_entry("checksum", checksum)?;
                m.serialize_entry("cmpt_bitmap", &Bytes(cmpt_bitmap))?;
            }
            Ipv6OptionBody::SmfIdentification {
                tid_type,
                tid_len,
                tid,
                id,
            } => {
                m.serialize_entry("dpd_type", &SMFDPDMode(0))?;
                m.serialize_entry("tid_type", tid_type)?;
                m.serialize_entry("tid_len", tid_len)?;
                m.serialize_entry("tid", tid)?;
                m.serialize_entry("id", &Bytes(id))?;
            }
            Ipv6OptionBody::SmfHash { hav } => {
                m.serialize_entry("dpd_type", &SMFDPDMode(1))?;
                m.serialize_entry("hav", &Bytes(hav))?;
            }
            Ipv6OptionBody::Pdm {
                scaledtlr,
                scaledtls,
                psntp,
                psnlr,
                deltatlr,
                deltatls,
            } => {
                m.serialize_entry("scaledtlr", scaledtlr)?;
                m.serialize_entry("scaledtls", scaledtls)?;
                m.serialize_entry("psntp", psntp)?;
                m.serialize_entry("psnlr", psnlr)?;
                m.serialize_entry("deltatlr", deltatlr)?;
                m.serialize_entry("deltatls", deltatls)?;
            }
            Ipv6OptionBody::QsRequest {
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
            Ipv6OptionBody::QsReport { func, rate, nonce } => {
                m.serialize_entry("func", func)?;
                m.serialize_entry("rate", rate)?;
                m.serialize_entry("nonce", nonce)?;
            }
            Ipv6OptionBody::Rpl {
                down,
                rank_err,
                fwd_err,
                id,
                rank,
            } => {
                m.serialize_entry(
                    "flags",
                    &BoolMap([
                        ("down", *down),
                        ("rank_err", *rank_err),
                        ("fwd_err", *fwd_err),
                    ]),
                )?;
                m.serialize_entry("id", id)?;
                m.serialize_entry("rank", rank)?;
            }
            Ipv6OptionBody::Mpl {
                seed_type,
                max,
                drop,
                seq,
                seed_id,
            } => {
                m.serialize_entry("seed_type", seed_type)?;
                m.serialize_entry("flags", &BoolMap([("max", *max), ("drop", *drop)]))?;
                m.serialize_entry("seq", seq)?;
                m.serialize_entry("seed_id", seed_id)?;
            }
            Ipv6OptionBody::Ilnp { nonce } => m.serialize_entry("nonce", &Bytes(nonce))?,
            Ipv6OptionBody::LineId {
                line_id_len,
                line_id,
            } => {
                m.serialize_entry("line_id_len", line_id_len)?;
                m.serialize_entry("line_id", &Bytes(line_id))?;
            }
            Ipv6OptionBody::Jumbo { jumbo_len } => m.serialize_entry("jumbo_len", jumbo_len)?,
            Ipv6OptionBody::HomeAddress { address } => m.serialize_entry("address", address)?,
            Ipv6OptionBody::IpDff {
                version,
                dup,
                ret,
                seq,
            } => {
                m.serialize_entry("version", version)?;
                m.serialize_entry("flags", &BoolMap([("dup", *dup), ("ret", *ret)]))?;
                m.serialize_entry("seq", seq)?;
            }
            Ipv6OptionBody::Unknown { data } => m.serialize_entry("data", &Bytes(data))?,
            Ipv6OptionBody::Malformed { data, error } => {
                m.serialize_entry("data", &Bytes(data))?;
                m.serialize_entry("error", error)?;
            }
        }
        m.end()
    }
}

/// Decodes the common layout of both options headers: next header, length, options.
fn parse_options_header<'a>(
    layer: &'static str,
    data: &'a [u8],
    ctx: &Ctx,
) -> Result<(TransType, u16, Ipv6Options<'a>)> {
    wire::need(layer, ctx, data, 2)?;
    let next = TransType(data.first().copied().unwrap_or_default());
    let len = (u16::from(data.get(1).copied().unwrap_or_default()) + 1) * 8;
    wire::need(layer, ctx, data, len.into())?;
    let options = Ipv6Options::new(
        data.get(2..usize::from(len)).unwrap_or_default(),
        ctx.offset + 2,
        layer,
    );
    Ok((next, len, options))
}

macro_rules! options_header {
    ($(#[$doc:meta])* $name:ident, $token:literal, $key:literal) => {
        $(#[$doc])*
        #[derive(Clone, Copy, Debug, PartialEq, serde::Serialize)]
        pub struct $name<'a> {
            /// Next header.
            pub next: TransType,
            /// Header length in bytes ((field + 1) × 8).
            pub length: u16,
            /// The options.
            pub options: Ipv6Options<'a>,
        }

        impl Header for $name<'_> {
            const NAME: &'static str = $token;
            const KEY: &'static str = $key;
            const LEVEL: Option<Level> = Some(Level::Internet);
        }

        impl<'a> Parse<'a> for $name<'a> {
            fn parse(data: &'a [u8], ctx: &Ctx) -> Result<Parsed<Self>> {
                let (next, length, options) = parse_options_header(Self::NAME, data, ctx)?;
                Ok(Parsed {
                    header: Self {
                        next,
                        length,
                        options,
                    },
                    header_len: length.into(),
                    payload_len: data.len().saturating_sub(length.into()),
                    next: Next::IpProto(next),
                })
            }
        }
    };
}

options_header!(
    /// A Hop-by-Hop Options header (`hopopt`, chain token `HOPOPT`).
    Hopopt,
    "HOPOPT",
    "hopopt"
);

options_header!(
    /// A Destination Options header (`opts` inside IPv6, `ipv6_opts` on its own; chain
    /// token `IPv6-Opts`).
    Ipv6Opts,
    "IPv6-Opts",
    "ipv6_opts"
);

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    fn one(ty: u8, data: &[u8]) -> Ipv6Option<'static> {
        let mut b = vec![ty, data.len() as u8];
        b.extend_from_slice(data);
        let b: &'static [u8] = Box::leak(b.into_boxed_slice());
        let v: Vec<_> = Ipv6Options::new(b, 0, "HOPOPT").iter().collect();
        assert_eq!(v.len(), 1, "{v:?}");
        v.into_iter().next().unwrap()
    }

    fn j(o: &Ipv6Option<'_>) -> serde_json::Value {
        serde_json::to_value(o).unwrap()
    }

    #[test]
    fn pypcapkit_bug_22_pad1_and_empty_padn() {
        // MLD's Hop-by-Hop header: Router Alert (MLD) + PadN with zero data octets.
        let b = [0x3a, 0x00, 0x05, 0x02, 0x00, 0x00, 0x01, 0x00];
        let p = Hopopt::parse(&b, &Ctx::default()).unwrap();
        assert_eq!(p.header.next, TransType::IPv6_ICMP);
        assert_eq!(p.header.length, 8);
        let v: Vec<_> = p.header.options.iter().collect();
        assert_eq!(v.len(), 2);
        assert_eq!(
            v[0].body,
            Ipv6OptionBody::RouterAlert {
                value: RouterAlert(0)
            }
        );
        assert_eq!(v[1].body, Ipv6OptionBody::Pad);
        assert_eq!(v[1].length, 2);
        let s = serde_json::to_value(p.header).unwrap();
        assert_eq!(
            s,
            json!({
                "next": "TransType::IPv6_ICMP [58]",
                "length": 8,
                "options": {
                    "Option::Router_Alert [5]": [{
                        "type": "Option::Router_Alert [5]",
                        "action": "OptionAction::skip [0]",
                        "change": false,
                        "length": 4,
                        "value": "RouterAlert::Datagram_contains_a_Multicast_Listener_Discovery_message [0]"
                    }],
                    "Option::PadN [1]": [{
                        "type": "Option::PadN [1]",
                        "action": "OptionAction::skip [0]",
                        "change": false,
                        "length": 2
                    }]
                }
            })
        );
        // Pad1 × 6.
        let b = [0x11, 0x00, 0, 0, 0, 0, 0, 0];
        let p = Ipv6Opts::parse(&b, &Ctx::default()).unwrap();
        let v: Vec<_> = p.header.options.iter().collect();
        assert_eq!(v.len(), 6);
        assert!(
            v.iter()
                .all(|o| o.body == Ipv6OptionBody::Pad && o.length == 1)
        );
    }

    #[test]
    fn tunnel_limit_and_router_alert() {
        assert_eq!(one(4, &[3]).body, Ipv6OptionBody::TunnelLimit { limit: 3 });
        assert_eq!(
            j(&one(5, &[0, 1]))["value"],
            "RouterAlert::Datagram_contains_RSVP_message [1]"
        );
        assert!(matches!(
            one(5, &[0]).body,
            Ipv6OptionBody::Malformed { .. }
        ));
    }

    #[test]
    fn calipso() {
        let o = one(7, &[0, 0, 0, 1, 1, 2, 0xab, 0xcd, 0xf0, 0, 0, 0]);
        let v = j(&o);
        assert_eq!(v["domain"], 1);
        assert_eq!(v["cmpt_len"], 1);
        assert_eq!(v["level"], 2);
        assert_eq!(v["checksum"], 0xabcd);
        assert_eq!(v["action"], "OptionAction::skip [0]");
    }

    #[test]
    fn smf_dpd() {
        // I-DPD, IPv4 tagger (TidTy 2, TidLen 3), id 0x0102.
        let o = one(8, &[0x23, 192, 0, 2, 1, 1, 2]);
        let v = j(&o);
        assert_eq!(v["dpd_type"], "SMFDPDMode::I_DPD [0]");
        assert_eq!(v["tid_type"], "TaggerID::IPv4 [2]");
        assert_eq!(v["tid_len"], 3);
        assert_eq!(v["tid"], "192.0.2.1");
        // NULL tagger.
        let o = one(8, &[0x00, 9, 9]);
        assert!(matches!(
            o.body,
            Ipv6OptionBody::SmfIdentification {
                tid: None,
                id: &[9, 9],
                ..
            }
        ));
        // H-DPD.
        let o = one(8, &[0x81, 2, 3]);
        assert_eq!(j(&o)["dpd_type"], "SMFDPDMode::H_DPD [1]");
        // Tagger longer than the option.
        assert!(matches!(
            one(8, &[0x2f, 1]).body,
            Ipv6OptionBody::Malformed { .. }
        ));
    }

    #[test]
    fn pdm_quick_start_rpl_mpl() {
        let o = one(15, &[1, 2, 0, 3, 0, 4, 0, 5, 0, 6]);
        assert_eq!(
            o.body,
            Ipv6OptionBody::Pdm {
                scaledtlr: 1,
                scaledtls: 2,
                psntp: 3,
                psnlr: 4,
                deltatlr: 5,
                deltatls: 6
            }
        );
        let o = one(38, &[0x07, 9, 0, 0, 0, 4]);
        assert_eq!(
            o.body,
            Ipv6OptionBody::QsRequest {
                func: QSFunction(0),
                rate: 7,
                ttl: 9,
                nonce: 1
            }
        );
        assert_eq!(j(&o)["change"], true); // 38 = 0b001_00110
        let o = one(38, &[0x82, 0, 0, 0, 0, 8]);
        assert_eq!(
            o.body,
            Ipv6OptionBody::QsReport {
                func: QSFunction(8),
                rate: 2,
                nonce: 2
            }
        );
        let o = one(0x63, &[0xa0, 7, 0x01, 0x00]);
        let v = j(&o);
        assert_eq!(
            v["flags"],
            json!({"down": true, "rank_err": false, "fwd_err": true})
        );
        assert_eq!(v["rank"], 256);
        assert_eq!(v["type"], "Option::RPL_Option_0x63 [99]");
        assert_eq!(v["action"], "OptionAction::discard [1]");
        assert_eq!(v["change"], true);
        let o = one(109, &[0x60, 5, 0x12, 0x34]);
        let v = j(&o);
        assert_eq!(v["seed_type"], "SeedID::SEEDID_16_BIT_UNSIGNED_INTEGER [1]");
        assert_eq!(v["flags"], json!({"max": true, "drop": false}));
        assert_eq!(v["seq"], 5);
        assert_eq!(v["seed_id"], 0x1234);
        assert_eq!(j(&one(109, &[0x00, 1]))["seed_id"], json!(null));
        assert!(matches!(
            one(109, &[0x80, 1, 2]).body,
            Ipv6OptionBody::Malformed { .. }
        ));
    }

    #[test]
    fn ilnp_line_id_jumbo_home_dff_unknown() {
        assert_eq!(
            one(139, &[1, 2, 3, 4]).body,
            Ipv6OptionBody::Ilnp {
                nonce: &[1, 2, 3, 4]
            }
        );
        assert_eq!(
            one(140, &[2, 0xaa, 0xbb]).body,
            Ipv6OptionBody::LineId {
                line_id_len: 2,
                line_id: &[0xaa, 0xbb]
            }
        );
        assert_eq!(
            one(194, &[0, 1, 0, 0]).body,
            Ipv6OptionBody::Jumbo { jumbo_len: 65536 }
        );
        let a = [0x20, 1, 0xd, 0xb8, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 1];
        assert_eq!(j(&one(201, &a))["address"], "2001:db8::1");
        let o = one(238, &[0x60, 0, 9]);
        assert_eq!(
            o.body,
            Ipv6OptionBody::IpDff {
                version: 1,
                dup: true,
                ret: false,
                seq: 9
            }
        );
        let v = j(&one(0x1e, &[5]));
        assert_eq!(v["type"], "Option::RFC3692_style_Experiment_0x1E [30]");
        assert!(v["data"].is_array() || v["data"].is_object());
    }

    #[test]
    fn truncated_option_ends_the_list_with_an_error() {
        let b = [0x06, 0x00, 0x01, 0x09, 0, 0, 0, 0];
        let p = Ipv6Opts::parse(
            &b,
            &Ctx {
                offset: 54,
                ..Ctx::default()
            },
        )
        .unwrap();
        let v: Vec<_> = p.header.options.iter().collect();
        assert_eq!(v.len(), 1);
        let Ipv6OptionBody::Malformed { error, .. } = &v[0].body else {
            panic!()
        };
        assert_eq!(
            error.to_string(),
            "IPv6-Opts at byte 56: malformed: option 1 needs 11 bytes, only 6 left in the header"
        );
    }

    #[test]
    fn test_impossible_len() {
        let e = Hopopt::parse(&[6, 1, 0, 0, 0, 0, 0, 0], &Ctx::default()).unwrap_err();
        assert_eq!(e, DissectError::truncated("HOPOPT", 0, 16, 8));
        let e = Hopopt::parse(&[6], &Ctx::default()).unwrap_err();
        assert_eq!(e, DissectError::truncated("HOPOPT", 0, 2, 1));
    }
}
