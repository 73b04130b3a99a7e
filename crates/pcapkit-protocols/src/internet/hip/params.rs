//! HIP parameters (RFC 7401 §5.2 and the extensions PyPCAPKit decodes), serialized as a
//! multi-dict keyed by the `Parameter` registry.
//!
//! Length accounting follows RFC 7401 §5.2.1 (PyPCAPKit got it wrong, §10 #25): `length`
//! is the Length field (the contents, without type, length and padding), and the next
//! parameter starts after the contents padded to a multiple of 8 bytes counting the
//! 4-byte type/length header. Variable-length integers (puzzle #I/#J, Diffie-Hellman
//! public values, transaction and overlay IDs) are given as bytes.

use std::net::Ipv6Addr;

use serde::ser::{Serialize, SerializeMap, Serializer};

use crate::consts::RegistryEnum;
use crate::consts::hip::{
    Certificate, Cipher, DITypes, ECDSACurve, ECDSALowCurve, ESPTransformSuite, EdDSACurve, Group,
    HIAlgorithm, HITSuite, NATTraversal, NotifyMessage, Parameter, Registration,
    RegistrationFailure, Suite, Transport,
};
use crate::consts::reg::TransType;
use crate::error::DissectError;
use crate::internet::common::{BeList, BoolMap, Ipv6List, Reader};
use crate::ser::{Bytes, MultiDict};

const LAYER: &str = "HIP";

/// The parameters of a HIP packet.
#[derive(Clone, Copy, PartialEq, Eq)]
pub struct HipParams<'a> {
    data: &'a [u8],
    offset: usize,
}

impl<'a> HipParams<'a> {
    /// Parameters in `data`, first byte at absolute offset `offset`.
    pub fn new(data: &'a [u8], offset: usize) -> Self {
        Self { data, offset }
    }

    /// The raw parameter bytes.
    pub fn bytes(&self) -> &'a [u8] {
        self.data
    }

    /// The parameters in wire order; ends at a malformed parameter.
    pub fn iter(&self) -> HipParamIter<'a> {
        HipParamIter {
            data: self.data,
            pos: 0,
            offset: self.offset,
            cipher: None,
            done: false,
        }
    }
}

impl std::fmt::Debug for HipParams<'_> {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_list().entries(self.iter()).finish()
    }
}

impl Serialize for HipParams<'_> {
    fn serialize<S: Serializer>(&self, s: S) -> Result<S::Ok, S::Error> {
        MultiDict(self.iter().map(|p| (p.ty, p))).serialize(s)
    }
}

/// Iterator over [`HipParams`].
#[derive(Clone, Debug)]
pub struct HipParamIter<'a> {
    data: &'a [u8],
    pos: usize,
    offset: usize,
    /// The cipher a preceding HIP_CIPHER parameter names (sizes ENCRYPTED's IV).
    cipher: Option<Cipher>,
    done: bool,
}

impl<'a> Iterator for HipParamIter<'a> {
    type Item = HipParam<'a>;

    fn next(&mut self) -> Option<HipParam<'a>> {
        if self.done {
            return None;
        }
        let rest = self.data.get(self.pos..).unwrap_or_default();
        if rest.is_empty() {
            return None;
        }
        let at = self.offset + self.pos;
        let mut r = Reader::new(rest);
        let (Some(ty), Some(len)) = (r.u16(), r.u16()) else {
            self.done = true;
            return Some(HipParam {
                ty: Parameter(0),
                length: 0,
                body: HipParamBody::Malformed {
                    contents: rest,
                    error: DissectError::malformed(
                        LAYER,
                        at,
                        format!("{} bytes left, a parameter needs at least 4", rest.len()),
                    ),
                },
            });
        };
        let Some(contents) = r.bytes(len.into()) else {
            self.done = true;
            return Some(HipParam {
                ty: Parameter(ty),
                length: len,
                body: HipParamBody::Malformed {
                    contents: r.rest(),
                    error: DissectError::malformed(
                        LAYER,
                        at,
                        format!(
                            "parameter {ty} length {len} runs past the header ({} bytes left)",
                            rest.len() - 4
                        ),
                    ),
                },
            });
        };
        let padded = (4 + usize::from(len)).div_ceil(8) * 8;
        self.pos += padded.min(rest.len());
        let body = parse_body(ty, contents, at, self.cipher);
        if let HipParamBody::HipCipher(ids) = &body {
            self.cipher = ids.iter().next();
        }
        Some(HipParam {
            ty: Parameter(ty),
            length: len,
            body,
        })
    }
}

/// One HIP parameter: `type`, `critical`, `length`, then its fields.
#[derive(Clone, Debug, PartialEq)]
pub struct HipParam<'a> {
    /// Parameter type.
    pub ty: Parameter,
    /// Length of the contents (the Length field).
    pub length: u16,
    /// The decoded fields.
    pub body: HipParamBody<'a>,
}

impl HipParam<'_> {
    /// Whether the parameter is critical (lowest bit of the type).
    pub fn critical(&self) -> bool {
        self.ty.0 & 1 != 0
    }
}

/// The host identity of a HOST_ID parameter.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum HostIdentity<'a> {
    /// ECDSA: curve and public key.
    Ecdsa(ECDSACurve, &'a [u8]),
    /// ECDSA_LOW: curve and public key.
    EcdsaLow(ECDSALowCurve, &'a [u8]),
    /// EdDSA: curve and public key.
    EdDsa(EdDSACurve, &'a [u8]),
    /// Any other algorithm: the bytes.
    Other(&'a [u8]),
}

impl Serialize for HostIdentity<'_> {
    fn serialize<S: Serializer>(&self, s: S) -> Result<S::Ok, S::Error> {
        fn curve<S: Serializer, C: Serialize>(s: S, c: &C, key: &[u8]) -> Result<S::Ok, S::Error> {
            let mut m = s.serialize_map(Some(2))?;
            m.serialize_entry("curve", c)?;
            m.serialize_entry("pubkey", &Bytes(key))?;
            m.end()
        }
        match self {
            HostIdentity::Ecdsa(c, k) => curve(s, c, k),
            HostIdentity::EcdsaLow(c, k) => curve(s, c, k),
            HostIdentity::EdDsa(c, k) => curve(s, c, k),
            HostIdentity::Other(b) => Bytes(b).serialize(s),
        }
    }
}

/// One locator of a LOCATOR_SET parameter (RFC 8046 §4).
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct Locator<'a> {
    /// Traffic type.
    pub traffic: u8,
    /// Locator type.
    pub ty: u8,
    /// Locator length in bytes (the field's 4-byte units × 4).
    pub length: u16,
    /// Preferred (P) bit.
    pub preferred: bool,
    /// Lifetime in seconds.
    pub lifetime: u32,
    /// The locator bytes.
    pub locator: &'a [u8],
}

impl Serialize for Locator<'_> {
    fn serialize<S: Serializer>(&self, s: S) -> Result<S::Ok, S::Error> {
        let mut m = s.serialize_map(Some(6))?;
        m.serialize_entry("traffic", &self.traffic)?;
        m.serialize_entry("type", &self.ty)?;
        m.serialize_entry("length", &self.length)?;
        m.serialize_entry("preferred", &self.preferred)?;
        m.serialize_entry("lifetime", &self.lifetime)?;
        let mut r = Reader::new(self.locator);
        match (self.ty, self.locator.len()) {
            (0, 16) => m.serialize_entry("locator", &r.ipv6())?,
            (1, 20) => {
                struct SpiIp(Option<u32>, Option<Ipv6Addr>);
                impl Serialize for SpiIp {
                    fn serialize<S: Serializer>(&self, s: S) -> Result<S::Ok, S::Error> {
                        let mut m = s.serialize_map(Some(2))?;
                        m.serialize_entry("spi", &self.0)?;
                        m.serialize_entry("ip", &self.1)?;
                        m.end()
                    }
                }
                m.serialize_entry("locator", &SpiIp(r.u32(), r.ipv6()))?;
            }
            _ => m.serialize_entry("locator", &Bytes(self.locator))?,
        }
        m.end()
    }
}

/// The locators of a LOCATOR_SET parameter.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct Locators<'a>(pub &'a [u8]);

impl<'a> Locators<'a> {
    /// The locators in wire order (a truncated last one is dropped).
    pub fn iter(&self) -> impl Iterator<Item = Locator<'a>> + Clone + use<'a> {
        let mut r = Reader::new(self.0);
        std::iter::from_fn(move || {
            let traffic = r.u8()?;
            let ty = r.u8()?;
            let units = r.u8()?;
            let p = r.u8()?;
            let lifetime = r.u32()?;
            let locator = r.bytes(usize::from(units) * 4)?;
            Some(Locator {
                traffic,
                ty,
                length: u16::from(units) * 4,
                preferred: p & 1 != 0,
                lifetime,
                locator,
            })
        })
    }
}

/// The fields of a HIP parameter, by type.
#[derive(Clone, Debug, PartialEq)]
pub enum HipParamBody<'a> {
    /// ESP_INFO (65).
    EspInfo {
        /// KEYMAT index.
        index: u16,
        /// Old SPI.
        old_spi: u32,
        /// New SPI.
        new_spi: u32,
    },
    /// R1_COUNTER (128, 129).
    R1Counter {
        /// R1 generation counter.
        counter: u64,
    },
    /// LOCATOR_SET (193).
    LocatorSet(Locators<'a>),
    /// PUZZLE (257).
    Puzzle {
        /// #K.
        index: u8,
        /// Lifetime exponent (as sent).
        lifetime: u8,
        /// Opaque data.
        opaque: &'a [u8],
        /// Random #I.
        random: &'a [u8],
    },
    /// SOLUTION (321).
    Solution {
        /// #K.
        index: u8,
        /// Lifetime exponent (as sent).
        lifetime: u8,
        /// Opaque data.
        opaque: &'a [u8],
        /// Random #I.
        random: &'a [u8],
        /// Puzzle solution #J.
        solution: &'a [u8],
    },
    /// SEQ (385).
    Seq {
        /// Update ID.
        id: u32,
    },
    /// ACK (449): update IDs.
    Ack(&'a [u8]),
    /// DH_GROUP_LIST (511): group IDs.
    DhGroupList(&'a [u8]),
    /// DIFFIE_HELLMAN (513).
    DiffieHellman {
        /// Group ID.
        group_id: Group,
        /// Public value length.
        pub_len: u16,
        /// Public value.
        pub_val: &'a [u8],
    },
    /// HIP_TRANSFORM (577, HIPv1): suite IDs.
    HipTransform(&'a [u8]),
    /// HIP_CIPHER (579): cipher IDs.
    HipCipher(BeList<'a, 2, Cipher>),
    /// NAT_TRAVERSAL_MODE (608): mode IDs.
    NatTraversalMode(&'a [u8]),
    /// TRANSACTION_PACING (610).
    TransactionPacing {
        /// Minimum Ta.
        min_ta: u32,
    },
    /// ENCRYPTED (641).
    Encrypted {
        /// The cipher of a preceding HIP_CIPHER parameter, if any.
        cipher: Option<Cipher>,
        /// Initialization vector (when the cipher is known).
        iv: Option<&'a [u8]>,
        /// Encrypted data.
        data: &'a [u8],
    },
    /// HOST_ID (705).
    HostId {
        /// HI length.
        hi_len: u16,
        /// Domain identifier type.
        di_type: DITypes,
        /// Domain identifier length.
        di_len: u16,
        /// Algorithm.
        algorithm: HIAlgorithm,
        /// Host identity.
        hi: HostIdentity<'a>,
        /// Domain identifier.
        di: &'a [u8],
    },
    /// HIT_SUITE_LIST (715): suite IDs (one per byte, in its four high-order bits).
    HitSuiteList(&'a [u8]),
    /// CERT (768).
    Cert {
        /// Certificate group.
        cert_group: Group,
        /// Certificate count.
        cert_count: u8,
        /// Certificate ID.
        cert_id: u8,
        /// Certificate type.
        cert_type: Certificate,
        /// Certificate.
        cert: &'a [u8],
    },
    /// NOTIFICATION (832).
    Notification {
        /// Notify message type.
        msg_type: NotifyMessage,
        /// Notification data.
        msg: &'a [u8],
    },
    /// ECHO_REQUEST/RESPONSE, signed or not (897, 961, 63661, 63425).
    Opaque(&'a [u8]),
    /// REG_INFO (930).
    RegInfo {
        /// Minimum lifetime (as sent).
        min: u8,
        /// Maximum lifetime (as sent).
        max: u8,
        /// Registration types.
        reg_type: &'a [u8],
    },
    /// REG_REQUEST (932) / REG_RESPONSE (934).
    RegLifetime {
        /// Lifetime (as sent).
        lifetime: u8,
        /// Registration types.
        reg_type: &'a [u8],
    },
    /// REG_FAILED (936, RFC 8003 §4.4): failure type, then the registration types it
    /// applies to (PyPCAPKit called the failure type `lifetime`).
    RegFailed {
        /// Failure type.
        failure_type: RegistrationFailure,
        /// Registration types.
        reg_type: &'a [u8],
    },
    /// REG_FROM (950), RELAY_FROM (63998), RELAY_TO (64002).
    Address {
        /// Port.
        port: u16,
        /// Protocol.
        protocol: TransType,
        /// Address.
        address: Ipv6Addr,
    },
    /// TRANSPORT_FORMAT_LIST (2049): parameter types.
    TransportFormatList(&'a [u8]),
    /// ESP_TRANSFORM (4095): suite IDs.
    EspTransform(&'a [u8]),
    /// SEQ_DATA (4481).
    SeqData {
        /// Sequence number.
        seq: u32,
    },
    /// ACK_DATA (4545): acknowledged sequence numbers.
    AckData(&'a [u8]),
    /// PAYLOAD_MIC (4577).
    PayloadMic {
        /// Next header of the protected payload.
        next: TransType,
        /// Payload data (4 bytes).
        payload: &'a [u8],
        /// MIC value.
        mic: &'a [u8],
    },
    /// TRANSACTION_ID (4580) / OVERLAY_ID (4592).
    Id {
        /// Identifier.
        id: &'a [u8],
    },
    /// ROUTE_DST (4601) / ROUTE_VIA (64017).
    Route {
        /// Symmetric flag.
        symmetric: bool,
        /// Must-follow flag.
        must_follow: bool,
        /// HITs.
        hit: Ipv6List<'a>,
    },
    /// HIP_TRANSPORT_MODE (7680).
    TransportMode {
        /// Port.
        port: u16,
        /// Mode IDs.
        mode_id: &'a [u8],
    },
    /// HIP_MAC (61505), HIP_MAC_2 (61569), RVS_HMAC (65500), RELAY_HMAC (65520).
    Hmac {
        /// HMAC.
        hmac: &'a [u8],
    },
    /// HIP_SIGNATURE_2 (61633) / HIP_SIGNATURE (61697).
    Signature {
        /// Signature algorithm.
        algorithm: HIAlgorithm,
        /// Signature.
        signature: &'a [u8],
    },
    /// OVERLAY_TTL (64011).
    OverlayTtl {
        /// TTL.
        ttl: u16,
    },
    /// FROM (65498).
    From {
        /// Address.
        address: Ipv6Addr,
    },
    /// VIA_RVS (65502): addresses.
    ViaRvs(Ipv6List<'a>),
    /// Any other parameter: its contents.
    Unknown {
        /// Contents.
        contents: &'a [u8],
    },
    /// A parameter whose contents do not fit its type.
    Malformed {
        /// Contents.
        contents: &'a [u8],
        /// What is wrong.
        error: DissectError,
    },
}

fn iv_len(c: Cipher) -> Option<usize> {
    match c.0 {
        1 => Some(0),
        2 | 4 => Some(16),
        3 => Some(8),
        _ => None,
    }
}

fn parse_body(ty: u16, c: &[u8], at: usize, cipher: Option<Cipher>) -> HipParamBody<'_> {
    let malformed = |what: &'static str| HipParamBody::Malformed {
        contents: c,
        error: DissectError::malformed(
            LAYER,
            at,
            format!(
                "{} parameter with {} bytes: {what}",
                Parameter(ty).member_name(),
                c.len()
            ),
        ),
    };
    let mut r = Reader::new(c);
    let parsed = (|| {
        Some(match ty {
            65 => {
                r.skip(2)?;
                HipParamBody::EspInfo {
                    index: r.u16()?,
                    old_spi: r.u32()?,
                    new_spi: r.u32()?,
                }
            }
            128 | 129 => {
                r.skip(4)?;
                HipParamBody::R1Counter { counter: r.u64()? }
            }
            193 => HipParamBody::LocatorSet(Locators(c)),
            257 => HipParamBody::Puzzle {
                index: r.u8()?,
                lifetime: r.u8()?,
                opaque: r.bytes(2)?,
                random: r.rest(),
            },
            321 => {
                let index = r.u8()?;
                let lifetime = r.u8()?;
                let opaque = r.bytes(2)?;
                let n = r.remaining() / 2;
                HipParamBody::Solution {
                    index,
                    lifetime,
                    opaque,
                    random: r.bytes(n)?,
                    solution: r.rest(),
                }
            }
            385 => HipParamBody::Seq { id: r.u32()? },
            449 => HipParamBody::Ack(c),
            511 => HipParamBody::DhGroupList(c),
            513 => {
                let group_id = Group(r.u8()?);
                let pub_len = r.u16()?;
                HipParamBody::DiffieHellman {
                    group_id,
                    pub_len,
                    pub_val: r.bytes(pub_len.into())?,
                }
            }
            577 => HipParamBody::HipTransform(c),
            579 => HipParamBody::HipCipher(BeList::new(c, |v| Cipher(v as u16))),
            608 => {
                r.skip(2)?;
                HipParamBody::NatTraversalMode(r.rest())
            }
            610 => HipParamBody::TransactionPacing { min_ta: r.u32()? },
            641 => {
                r.skip(4)?;
                let iv = match cipher.and_then(iv_len) {
                    Some(n) => Some(r.bytes(n)?),
                    None => None,
                };
                HipParamBody::Encrypted {
                    cipher,
                    iv,
                    data: r.rest(),
                }
            }
            705 => {
                let hi_len = r.u16()?;
                let di = r.u16()?;
                let algorithm = HIAlgorithm(r.u16()?);
                let hi_bytes = r.bytes(hi_len.into())?;
                let di_len = di & 0x0fff;
                let di_data = r.bytes(di_len.into())?;
                let mut h = Reader::new(hi_bytes);
                let curve = h.u16();
                let hi = match (algorithm.0, curve) {
                    (7, Some(cv)) => HostIdentity::Ecdsa(ECDSACurve(cv), h.rest()),
                    (9, Some(cv)) => HostIdentity::EcdsaLow(ECDSALowCurve(cv), h.rest()),
                    (13, Some(cv)) => HostIdentity::EdDsa(EdDSACurve(cv), h.rest()),
                    _ => HostIdentity::Other(hi_bytes),
                };
                HipParamBody::HostId {
                    hi_len,
                    di_type: DITypes((di >> 12) as u8), // ok: 4 bits
                    di_len,
                    algorithm,
                    hi,
                    di: di_data,
                }
            }
            715 => HipParamBody::HitSuiteList(c),
            768 => HipParamBody::Cert {
                cert_group: Group(r.u8()?),
                cert_count: r.u8()?,
                cert_id: r.u8()?,
                cert_type: Certificate(r.u8()?),
                cert: r.rest(),
            },
            832 => {
                r.skip(2)?;
                HipParamBody::Notification {
                    msg_type: NotifyMessage(r.u16()?),
                    msg: r.rest(),
                }
            }
            897 | 961 | 63661 | 63425 => HipParamBody::Opaque(c),
            930 => HipParamBody::RegInfo {
                min: r.u8()?,
                max: r.u8()?,
                reg_type: r.rest(),
            },
            932 | 934 => HipParamBody::RegLifetime {
                lifetime: r.u8()?,
                reg_type: r.rest(),
            },
            936 => HipParamBody::RegFailed {
                failure_type: RegistrationFailure(r.u8()?),
                reg_type: r.rest(),
            },
            950 | 63998 | 64002 => {
                let port = r.u16()?;
                let protocol = TransType(r.u8()?);
                r.skip(1)?;
                HipParamBody::Address {
                    port,
                    protocol,
                    address: r.ipv6()?,
                }
            }
            2049 => HipParamBody::TransportFormatList(c),
            4095 => {
                r.skip(2)?;
                HipParamBody::EspTransform(r.rest())
            }
            4481 => HipParamBody::SeqData { seq: r.u32()? },
            4545 => HipParamBody::AckData(c),
            4577 => {
                let next = TransType(r.u8()?);
                r.skip(3)?;
                HipParamBody::PayloadMic {
                    next,
                    payload: r.bytes(4)?,
                    mic: r.rest(),
                }
            }
            4580 | 4592 => HipParamBody::Id { id: c },
            4601 | 64017 => {
                let flags = r.u16()?;
                r.skip(2)?;
                HipParamBody::Route {
                    symmetric: flags & 0x8000 != 0,
                    must_follow: flags & 0x4000 != 0,
                    hit: Ipv6List(r.rest()),
                }
            }
            7680 => HipParamBody::TransportMode {
                port: r.u16()?,
                mode_id: r.rest(),
            },
            61505 | 61569 | 65500 | 65520 => HipParamBody::Hmac { hmac: c },
            61633 | 61697 => HipParamBody::Signature {
                algorithm: HIAlgorithm(r.u16()?),
                signature: r.rest(),
            },
            64011 => HipParamBody::OverlayTtl { ttl: r.u16()? },
            65498 => HipParamBody::From { address: r.ipv6()? },
            65502 => HipParamBody::ViaRvs(Ipv6List(c)),
            _ => HipParamBody::Unknown { contents: c },
        })
    })();
    parsed.unwrap_or_else(|| malformed("too short for its fields"))
}

fn u8s<T>(d: &[u8], f: fn(u64) -> T) -> BeList<'_, 1, T> {
    BeList::new(d, f)
}

fn u16s<T>(d: &[u8], f: fn(u64) -> T) -> BeList<'_, 2, T> {
    BeList::new(d, f)
}

fn u32s(d: &[u8]) -> BeList<'_, 4, u32> {
    BeList::new(d, |v| v as u32)
}

impl Serialize for HipParam<'_> {
    fn serialize<S: Serializer>(&self, s: S) -> Result<S::Ok, S::Error> {
        let mut m = s.serialize_map(None)?;
        m.serialize_entry("type", &self.ty)?;
        m.serialize_entry("critical", &self.critical())?;
        m.serialize_entry("length", &self.length)?;
        match &self.body {
            HipParamBody::EspInfo {
                index,
                old_spi,
                new_spi,
            } => {
                m.serialize_entry("index", index)?;
                m.serialize_entry("old_spi", old_spi)?;
                m.serialize_entry("new_spi", new_spi)?;
            }
            HipParamBody::R1Counter { counter } => m.serialize_entry("counter", counter)?,
            HipParamBody::LocatorSet(l) => {
                m.serialize_entry("locator_set", &crate::ser::Tuple(l.iter()))?;
            }
            HipParamBody::Puzzle {
                index,
                lifetime,
                opaque,
                random,
            } => {
                m.serialize_entry("index", index)?;
                m.serialize_entry("lifetime", lifetime)?;
                m.serialize_entry("opaque", &Bytes(opaque))?;
                m.serialize_entry("random", &Bytes(random))?;
            }
            HipParamBody::Solution {
                index,
                lifetime,
                opaque,
                random,
                solution,
            } => {
                m.serialize_entry("index", index)?;
                m.serialize_entry("lifetime", lifetime)?;
                m.serialize_entry("opaque", &Bytes(opaque))?;
                m.serialize_entry("random", &Bytes(random))?;
                m.serialize_entry("solution", &Bytes(solution))?;
            }
            HipParamBody::Seq { id } => m.serialize_entry("id", id)?,
            HipParamBody::Ack(d) => m.serialize_entry("update_id", &u32s(d))?,
            HipParamBody::DhGroupList(d) => {
                m.serialize_entry("group_id", &u8s(d, |v| Group(v as u8)))?;
            }
            HipParamBody::DiffieHellman {
                group_id,
                pub_len,
                pub_val,
            } => {
                m.serialize_entry("group_id", group_id)?;
                m.serialize_entry("pub_len", pub_len)?;
                m.serialize_entry("pub_val", &Bytes(pub_val))?;
            }
            HipParamBody::HipTransform(d) => {
                m.serialize_entry("suite_id", &u16s(d, |v| Suite(v as u16)))?;
            }
            HipParamBody::HipCipher(ids) => m.serialize_entry("cipher_id", ids)?,
            HipParamBody::NatTraversalMode(d) => {
                m.serialize_entry("mode_id", &u16s(d, |v| NATTraversal(v as u16)))?;
            }
            HipParamBody::TransactionPacing { min_ta } => m.serialize_entry("min_ta", min_ta)?,
            HipParamBody::Encrypted { cipher, iv, data } => {
                m.serialize_entry("cipher", cipher)?;
                m.serialize_entry("iv", &iv.map(Bytes))?;
                m.serialize_entry("data", &Bytes(data))?;
            }
            HipParamBody::HostId {
                hi_len,
                di_type,
                di_len,
                algorithm,
                hi,
                di,
            } => {
                m.serialize_entry("hi_len", hi_len)?;
                m.serialize_entry("di_type", di_type)?;
                m.serialize_entry("di_len", di_len)?;
                m.serialize_entry("algorithm", algorithm)?;
                m.serialize_entry("hi", hi)?;
                m.serialize_entry("di", &Bytes(di))?;
            }
            HipParamBody::HitSuiteList(d) => {
                // RFC 7401 §5.2.10: the suite ID is in the four high-order bits.
                m.serialize_entry("suite_id", &u8s(d, |v| HITSuite((v >> 4) as u8)))?;
            }
            HipParamBody::Cert {
                cert_group,
                cert_count,
                cert_id,
                cert_type,
                cert,
            } => {
                m.serialize_entry("cert_group", cert_group)?;
                m.serialize_entry("cert_count", cert_count)?;
                m.serialize_entry("cert_id", cert_id)?;
                m.serialize_entry("cert_type", cert_type)?;
                m.serialize_entry("cert", &Bytes(cert))?;
            }
            HipParamBody::Notification { msg_type, msg } => {
                m.serialize_entry("msg_type", msg_type)?;
                m.serialize_entry("msg", &Bytes(msg))?;
            }
            HipParamBody::Opaque(d) => m.serialize_entry("opaque", &Bytes(d))?,
            HipParamBody::RegInfo { min, max, reg_type } => {
                m.serialize_entry("lifetime", &LifetimeRange(*min, *max))?;
                m.serialize_entry("reg_type", &u8s(reg_type, |v| Registration(v as u8)))?;
            }
            HipParamBody::RegLifetime { lifetime, reg_type } => {
                m.serialize_entry("lifetime", lifetime)?;
                m.serialize_entry("reg_type", &u8s(reg_type, |v| Registration(v as u8)))?;
            }
            HipParamBody::RegFailed {
                failure_type,
                reg_type,
            } => {
                m.serialize_entry("failure_type", failure_type)?;
                m.serialize_entry("reg_type", &u8s(reg_type, |v| Registration(v as u8)))?;
            }
            HipParamBody::Address {
                port,
                protocol,
                address,
            } => {
                m.serialize_entry("port", port)?;
                m.serialize_entry("protocol", protocol)?;
                m.serialize_entry("address", address)?;
            }
            HipParamBody::TransportFormatList(d) => {
                m.serialize_entry("tf_type", &u16s(d, |v| Parameter(v as u16)))?;
            }
            HipParamBody::EspTransform(d) => {
                m.serialize_entry("suite_id", &u16s(d, |v| ESPTransformSuite(v as u16)))?;
            }
            HipParamBody::SeqData { seq } => m.serialize_entry("seq", seq)?,
            HipParamBody::AckData(d) => m.serialize_entry("ack", &u32s(d))?,
            HipParamBody::PayloadMic { next, payload, mic } => {
                m.serialize_entry("next", next)?;
                m.serialize_entry("payload", &Bytes(payload))?;
                m.serialize_entry("mic", &Bytes(mic))?;
            }
            HipParamBody::Id { id } => m.serialize_entry("id", &Bytes(id))?,
            HipParamBody::Route {
                symmetric,
                must_follow,
                hit,
            } => {
                m.serialize_entry(
                    "flags",
                    &BoolMap([("symmetric", *symmetric), ("must_follow", *must_follow)]),
                )?;
                m.serialize_entry("hit", hit)?;
            }
            HipParamBody::TransportMode { port, mode_id } => {
                m.serialize_entry("port", port)?;
                m.serialize_entry(
                    "mode_id",
                    &u16s(mode_id, |v| Transport(u8::try_from(v).unwrap_or(u8::MAX))),
                )?;
            }
            HipParamBody::Hmac { hmac } => m.serialize_entry("hmac", &Bytes(hmac))?,
            HipParamBody::Signature {
                algorithm,
                signature,
            } => {
                m.serialize_entry("algorithm", algorithm)?;
                m.serialize_entry("signature", &Bytes(signature))?;
            }
            HipParamBody::OverlayTtl { ttl } => m.serialize_entry("ttl", ttl)?,
            HipParamBody::From { address } => m.serialize_entry("address", address)?,
            HipParamBody::ViaRvs(a) => m.serialize_entry("address", a)?,
            HipParamBody::Unknown { contents } => {
                m.serialize_entry("contents", &Bytes(contents))?
            }
            HipParamBody::Malformed { contents, error } => {
                m.serialize_entry("contents", &Bytes(contents))?;
                m.serialize_entry("error", error)?;
            }
        }
        m.end()
    }
}

/// REG_INFO's lifetime range `{min, max}`.
struct LifetimeRange(u8, u8);

impl Serialize for LifetimeRange {
    fn serialize<S: Serializer>(&self, s: S) -> Result<S::Ok, S::Error> {
        let mut m = s.serialize_map(Some(2))?;
        m.serialize_entry("min", &self.0)?;
        m.serialize_entry("max", &self.1)?;
        m.end()
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    /// Builds one parameter with padding.
    fn param(ty: u16, contents: &[u8]) -> Vec<u8> {
        let mut b = ty.to_be_bytes().to_vec();
        b.extend_from_slice(&(contents.len() as u16).to_be_bytes());
        b.extend_from_slice(contents);
        while b.len() % 8 != 0 {
            b.push(0);
        }
        b
    }

    fn all(b: &[u8]) -> Vec<HipParam<'_>> {
        HipParams::new(b, 40).iter().collect()
    }

    fn one(ty: u16, contents: &[u8]) -> serde_json::Value {
        let b = param(ty, contents);
        let v = all(&b);
        assert_eq!(v.len(), 1, "{v:?}");
        serde_json::to_value(&v[0]).unwrap()
    }

    #[test]
    fn pypcapkit_bug_25_length_and_padding() {
        // R1_COUNTER (12 bytes of contents, padded to 16) then SEQ.
        let mut b = param(129, &[0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 5]);
        assert_eq!(b.len(), 16);
        b.extend(param(385, &[0, 0, 0, 9]));
        let v = all(&b);
        assert_eq!(v.len(), 2, "no phantom parameters: {v:?}");
        assert_eq!(v[0].length, 12);
        assert_eq!(v[0].body, HipParamBody::R1Counter { counter: 5 });
        assert_eq!(v[1].body, HipParamBody::Seq { id: 9 });
        let j = serde_json::to_value(&v[0]).unwrap();
        assert_eq!(
            j,
            json!({"type": "Parameter::R1_COUNTER [129]", "critical": true, "length": 12, "counter": 5})
        );
        // PUZZLE decodes (#K 10, lifetime 37, opaque, 8-byte #I).
        let j = one(257, &[10, 37, 0xab, 0xcd, 1, 2, 3, 4, 5, 6, 7, 8]);
        assert_eq!(j["index"], 10);
        assert_eq!(j["lifetime"], 37);
        // HIP_TRANSFORM decodes.
        let j = one(577, &[0, 1, 0, 2]);
        assert_eq!(j["suite_id"]["value"].as_array().unwrap().len(), 2);
    }

    #[test]
    fn esp_info_seq_ack_dh() {
        let j = one(65, &[0, 0, 0, 3, 0, 0, 0, 1, 0, 0, 0, 2]);
        assert_eq!(
            (
                j["index"].clone(),
                j["old_spi"].clone(),
                j["new_spi"].clone()
            ),
            (json!(3), json!(1), json!(2))
        );
        let j = one(449, &[0, 0, 0, 1, 0, 0, 0, 2]);
        assert_eq!(j["update_id"]["value"], json!([1, 2]));
        let j = one(513, &[9, 0, 3, 1, 2, 3]);
        assert_eq!(j["group_id"], "Group::NIST_P_521 [9]");
        assert_eq!(j["pub_len"], 3);
        assert_eq!(j["type"], "Parameter::DIFFIE_HELLMAN [513]");
        assert_eq!(j["critical"], true);
    }

    #[test]
    fn solution_locator_cipher_encrypted() {
        let j = one(321, &[10, 37, 0, 0, 1, 1, 2, 2]);
        assert_eq!(j["random"], serde_json::to_value(Bytes(&[1, 1])).unwrap());
        assert_eq!(j["solution"], serde_json::to_value(Bytes(&[2, 2])).unwrap());
        // One IPv6 locator, one ESP SPI locator.
        let mut c = vec![1, 0, 4, 1, 0, 0, 0, 60];
        c.extend_from_slice(&"2001:db8::1".parse::<Ipv6Addr>().unwrap().octets());
        c.extend_from_slice(&[2, 1, 5, 0, 0, 0, 0, 0, 0, 0, 0, 7]);
        c.extend_from_slice(&"2001:db8::2".parse::<Ipv6Addr>().unwrap().octets());
        let j = one(193, &c);
        let l = &j["locator_set"]["value"];
        assert_eq!(l[0]["preferred"], true);
        assert_eq!(l[0]["lifetime"], 60);
        assert_eq!(l[0]["length"], 16);
        assert_eq!(l[0]["locator"], "2001:db8::1");
        assert_eq!(l[1]["locator"], json!({"spi": 7, "ip": "2001:db8::2"}));
        // HIP_CIPHER AES-128-CBC, then ENCRYPTED with a 16-byte IV.
        let mut b = param(579, &[0, 2]);
        let mut e = vec![0, 0, 0, 0];
        e.extend_from_slice(&[0x11; 16]);
        e.extend_from_slice(&[0x22; 8]);
        b.extend(param(641, &e));
        let v = all(&b);
        let HipParamBody::Encrypted { cipher, iv, data } = &v[1].body else {
            panic!("{v:?}")
        };
        assert_eq!(*cipher, Some(Cipher(2)));
        assert_eq!(*iv, Some(&[0x11; 16][..]));
        assert_eq!(*data, &[0x22; 8]);
        // Without HIP_CIPHER: no IV split.
        let j = one(641, &[0, 0, 0, 0, 1, 2]);
        assert_eq!(j["cipher"], json!(null));
        assert_eq!(j["iv"], json!(null));
    }

    #[test]
    fn host_id_cert_notification() {
        // ECDSA, NIST P-256, 4-byte key, FQDN "a.b".
        let c = [0, 6, 0x10, 3, 0, 7, 0, 1, 9, 9, 9, 9, b'a', b'.', b'b'];
        let j = one(705, &c);
        assert_eq!(j["algorithm"], "HIAlgorithm::ECDSA [7]");
        assert_eq!(j["hi"]["curve"], "ECDSACurve::NIST_P_256 [1]");
        assert_eq!(j["di_type"], "DITypes::FQDN [1]");
        assert_eq!(j["di_len"], 3);
        let j = one(768, &[1, 1, 1, 1, 0xde, 0xad]);
        assert_eq!(j["cert_count"], 1);
        let j = one(832, &[0, 0, 0, 1, 7]);
        assert_eq!(j["msg_type"], NotifyMessage(1).to_string());
    }

    #[test]
    fn registration_and_addresses() {
        let j = one(930, &[1, 255, 1, 2]);
        assert_eq!(j["lifetime"], json!({"min": 1, "max": 255}));
        assert_eq!(j["reg_type"]["value"].as_array().unwrap().len(), 2);
        let j = one(932, &[100, 1]);
        assert_eq!(j["lifetime"], 100);
        let j = one(936, &[0, 1]);
        assert_eq!(j["failure_type"], RegistrationFailure(0).to_string());
        let mut c = vec![0x1f, 0x90, 17, 0];
        c.extend_from_slice(&"2001:db8::9".parse::<Ipv6Addr>().unwrap().octets());
        for ty in [950u16, 63998, 64002] {
            let j = one(ty, &c);
            assert_eq!(j["port"], 8080);
            assert_eq!(j["protocol"], "TransType::UDP [17]");
            assert_eq!(j["address"], "2001:db8::9");
        }
        let j = one(65498, &c[4..]);
        assert_eq!(j["address"], "2001:db8::9");
        let j = one(65502, &c[4..]);
        assert_eq!(j["address"]["value"], json!(["2001:db8::9"]));
        let mut r = vec![0xc0, 0, 0, 0];
        r.extend_from_slice(&c[4..]);
        let j = one(4601, &r);
        assert_eq!(j["flags"], json!({"symmetric": true, "must_follow": true}));
    }

    #[test]
    fn the_rest() {
        assert_eq!(one(610, &[0, 0, 0, 5])["min_ta"], 5);
        assert_eq!(
            one(608, &[0, 0, 0, 1])["mode_id"]["value"]
                .as_array()
                .unwrap()
                .len(),
            1
        );
        assert_eq!(
            one(715, &[16, 32])["suite_id"]["value"]
                .as_array()
                .unwrap()
                .len(),
            2
        );
        assert!(one(897, &[1, 2]).get("opaque").is_some());
        assert_eq!(
            one(2049, &[0x0f, 0xff])["tf_type"]["value"],
            json!(["Parameter::ESP_TRANSFORM [4095]"])
        );
        assert_eq!(
            one(4095, &[0, 0, 0, 1])["suite_id"]["value"]
                .as_array()
                .unwrap()
                .len(),
            1
        );
        assert_eq!(one(4481, &[0, 0, 0, 3])["seq"], 3);
        assert_eq!(one(4545, &[0, 0, 0, 3])["ack"]["value"], json!([3]));
        let j = one(4577, &[6, 0, 0, 0, 1, 2, 3, 4, 9]);
        assert_eq!(j["next"], "TransType::TCP [6]");
        assert!(one(4580, &[1, 2, 3]).get("id").is_some());
        assert_eq!(one(7680, &[0, 80, 0, 2])["port"], 80);
        assert!(one(61505, &[1; 20]).get("hmac").is_some());
        assert_eq!(one(61697, &[0, 5, 1])["algorithm"], "HIAlgorithm::RSA [5]");
        assert_eq!(one(64011, &[0, 9, 0, 0])["ttl"], 9);
        assert!(one(4650, &[1, 2]).get("contents").is_some());
        let j = one(385, &[0, 0]);
        assert!(
            j["error"]
                .as_str()
                .unwrap()
                .contains("SEQ parameter with 2 bytes")
        );
    }

    #[test]
    fn truncated_parameter_ends_the_list() {
        let b = [0x01, 0x81, 0x00, 0x10, 0, 0];
        let v = all(&b);
        assert_eq!(v.len(), 1);
        let HipParamBody::Malformed { error, .. } = &v[0].body else {
            panic!()
        };
        assert_eq!(
            error.to_string(),
            "HIP at byte 40: malformed: parameter 385 length 16 runs past the header (2 bytes left)"
        );
        let v = all(&[0, 1]);
        assert_eq!(v.len(), 1);
    }
}
