//! Interface Description Block (type 1).

use nom::Parser;
use nom::number::complete::{u16 as nom_u16, u32 as nom_u32};

use super::{BlockPos, BodyError, OptionValue, Options, TsResolution, block_type};
use crate::LinkType;

mod field {
    /// Link type, reserved, snaplen.
    pub const FIXED_LEN: usize = 8;
}

/// An Interface Description Block: link type, snapshot length and options of the next
/// interface id of the section.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct InterfaceDescriptionBlock<'a> {
    /// 1-based section number.
    pub section: u32,
    /// The interface id this block defines (its index in the section).
    pub interface_id: u32,
    /// Absolute byte offset of the block.
    pub offset: u64,
    /// The whole block as stored (header to trailing length).
    pub raw: &'a [u8],
    /// Block total length.
    pub length: u32,
    /// Link type.
    pub link_type: LinkType,
    /// The reserved 16 bits (0).
    pub reserved: u16,
    /// Snapshot length, 0 = unlimited.
    pub snaplen: u32,
    /// `if_tsresol`, or the default 10^-6.
    pub tsresol: TsResolution,
    /// `if_tsoffset`, or 0.
    pub tsoffset: i64,
    /// All options.
    pub options: Options<'a>,
}

impl<'a> InterfaceDescriptionBlock<'a> {
    /// Parses the body; `interface_id` is the number of IDBs seen before in the section.
    pub(crate) fn parse(
        body: &'a [u8],
        pos: BlockPos<'a>,
        interface_id: u32,
    ) -> Result<Self, BodyError> {
        let e = pos.endian.nom();
        let parsed: nom::IResult<&[u8], _> = (nom_u16(e), nom_u16(e), nom_u32(e)).parse(body);
        let (opts, (link_type, reserved, snaplen)) = parsed
            .map_err(|_| BodyError::short("interface description", field::FIXED_LEN, body))?;
        let options = Options::parse(opts, pos.endian, block_type::IDB)
            .map_err(|err| BodyError::new(err.kind, err.at + field::FIXED_LEN))?;
        let mut tsresol = TsResolution::default();
        let mut tsoffset = 0;
        for o in options.iter() {
            match o.value {
                OptionValue::TsResol(r) => tsresol = r,
                OptionValue::TsOffset(off) => tsoffset = off,
                _ => {}
            }
        }
        Ok(Self {
            section: pos.section,
            interface_id,
            offset: pos.offset,
            raw: pos.raw,
            length: pos.length,
            link_type: LinkType(u32::from(link_type)),
            reserved,
            snaplen,
            tsresol,
            tsoffset,
            options,
        })
    }
}
