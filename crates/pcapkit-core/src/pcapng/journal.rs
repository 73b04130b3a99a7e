//! systemd Journal Export Block (type 9).

use super::BlockPos;

/// A systemd Journal Export Block: one journal entry in export format.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct SystemdJournalBlock<'a> {
    /// 1-based section number.
    pub section: u32,
    /// Absolute byte offset of the block.
    pub offset: u64,
    /// The whole block as stored (header to trailing length).
    pub raw: &'a [u8],
    /// Block total length.
    pub length: u32,
    /// The entry, with its padding.
    pub data: &'a [u8],
}

impl<'a> SystemdJournalBlock<'a> {
    pub(crate) fn parse(body: &'a [u8], pos: BlockPos<'a>) -> Self {
        Self {
            section: pos.section,
            offset: pos.offset,
            raw: pos.raw,
            length: pos.length,
            data: body,
        }
    }

    /// The entry without trailing NUL padding.
    pub fn entry(&self) -> &'a [u8] {
        let mut end = self.data.len();
        while end > 0 && self.data.get(end - 1) == Some(&0) {
            end -= 1;
        }
        self.data.get(..end).unwrap_or_default()
    }
}
