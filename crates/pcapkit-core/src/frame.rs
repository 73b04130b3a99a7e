//! One captured frame as the reader hands it out.

use std::fmt;

use crate::LinkType;

/// A capture timestamp: whole seconds since the Unix epoch and nanoseconds, exact.
#[derive(Clone, Copy, Debug, PartialEq, Eq, PartialOrd, Ord, Hash, Default)]
pub struct Timestamp {
    /// Seconds since 1970-01-01T00:00:00Z (negative before).
    pub secs: i64,
    /// Nanoseconds within the second, `0..1_000_000_000`.
    pub nanos: u32,
}

impl Timestamp {
    /// A timestamp from seconds and nanoseconds; nanoseconds of a second or more carry
    /// into the seconds.
    pub const fn new(secs: i64, nanos: u32) -> Self {
        Self {
            secs: secs + (nanos / 1_000_000_000) as i64,
            nanos: nanos % 1_000_000_000,
        }
    }

    /// The decimal epoch text PyPCAPKit's `time_epoch` shows: no trailing zeros
    /// (`"1511106549.91372"`, `"1600000000"`).
    pub fn epoch_string(&self) -> String {
        self.to_string()
    }
}

impl fmt::Display for Timestamp {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "{}", self.secs)?;
        if self.nanos != 0 {
            let mut frac = self.nanos;
            let mut width = 9;
            while frac % 10 == 0 {
                frac /= 10;
                width -= 1;
            }
            write!(f, ".{frac:0width$}")?;
        }
        Ok(())
    }
}

/// One frame, borrowed from the reader's buffer: nothing is copied.
#[derive(Clone, Copy, Debug)]
pub struct RawFrame<'a> {
    /// 1-based frame number, global across PCAPNG sections.
    pub number: u64,
    /// When the frame was captured.
    pub timestamp: Timestamp,
    /// Bytes captured (`data.len()`).
    pub caplen: u32,
    /// Length of the frame on the wire.
    pub origlen: u32,
    /// Link-layer type of `data`.
    pub link_type: LinkType,
    /// PCAPNG interface id (0 for PCAP).
    pub interface: u32,
    /// The captured bytes.
    pub data: &'a [u8],
}
