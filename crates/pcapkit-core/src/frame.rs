//! One captured frame as the reader hands it out, and its exact timestamp.

use std::fmt;

use crate::LinkType;
use crate::pcapng::{Options, TsResolution};

const NANOS_PER_SEC: u32 = 1_000_000_000;

/// A capture timestamp, exact to the nanosecond.
///
/// The instant is `secs + nanos / 10^9` seconds after 1970-01-01T00:00:00Z, with
/// `nanos` always in `0..1_000_000_000` (floor semantics): half a second before the
/// epoch is `{ secs: -1, nanos: 500_000_000 }` and displays as `-0.5`.
#[derive(Clone, Copy, Debug, PartialEq, Eq, PartialOrd, Ord, Hash, Default)]
pub struct Timestamp {
    /// Whole seconds since the epoch, rounded towards negative infinity.
    pub secs: i64,
    /// Nanoseconds within the second, `0..1_000_000_000`.
    pub nanos: u32,
}

impl Timestamp {
    /// A timestamp from seconds and nanoseconds; nanoseconds of a second or more carry
    /// into the seconds (saturating at `i64::MAX` seconds).
    pub const fn new(secs: i64, nanos: u32) -> Self {
        Self {
            secs: secs.saturating_add((nanos / NANOS_PER_SEC) as i64),
            nanos: nanos % NANOS_PER_SEC,
        }
    }

    /// A timestamp from a signed count of nanoseconds since the epoch (saturating at
    /// the `i64` seconds range).
    pub const fn from_nanos(total: i128) -> Self {
        let secs = total.div_euclid(NANOS_PER_SEC as i128);
        let nanos = total.rem_euclid(NANOS_PER_SEC as i128) as u32; // ok: < 10^9
        let secs = if secs > i64::MAX as i128 {
            i64::MAX
        } else if secs < i64::MIN as i128 {
            i64::MIN
        } else {
            secs as i64
        };
        Self { secs, nanos }
    }

    /// Signed nanoseconds since the epoch.
    pub const fn as_nanos(&self) -> i128 {
        self.secs as i128 * NANOS_PER_SEC as i128 + self.nanos as i128
    }

    /// The decimal epoch text PyPCAPKit's `time_epoch` shows: no trailing zeros
    /// (`"1511106549.91372"`, `"1600000000"`). `format!("{ts:#}")` gives the nine
    /// fractional digits tshark's `frame.time_epoch` shows instead.
    pub fn epoch_string(&self) -> String {
        self.to_string()
    }

    /// A PCAP record's time: `ts_sec` (unsigned) plus a fraction in micro- or
    /// nanoseconds. An out-of-range fraction (≥ one second) carries into the seconds.
    #[inline]
    pub(crate) fn from_pcap(ts_sec: u32, frac: u32, nanosecond: bool) -> Self {
        let frac_ns = if nanosecond {
            u64::from(frac)
        } else {
            u64::from(frac) * 1_000
        };
        let nps = u64::from(NANOS_PER_SEC);
        Self {
            // ok: at most 2^32 + 2^32 * 1000 / 10^9, far below i64::MAX
            secs: i64::from(ts_sec) + (frac_ns / nps) as i64,
            nanos: (frac_ns % nps) as u32, // ok: < 10^9
        }
    }

    /// A PCAPNG time: a 64-bit count of `resol` units plus `offset` seconds. Resolutions
    /// finer than a nanosecond truncate to the nanosecond (as tshark does).
    #[inline]
    pub(crate) fn from_raw(raw: u64, resol: TsResolution, offset: i64) -> Self {
        let (secs, nanos) = match resol.units_per_second() {
            // the common resolutions, in 64-bit arithmetic
            Some(1_000_000) => (raw / 1_000_000, (raw % 1_000_000) as u32 * 1_000),
            Some(1_000_000_000) => (raw / 1_000_000_000, (raw % 1_000_000_000) as u32),
            // frac < units <= 2^34, so frac * 10^9 < 2^64
            Some(units) if units > 0 && units <= 1 << 34 => {
                let units = units as u64; // ok: <= 2^34
                let frac = raw % units;
                (
                    raw / units,
                    (frac * u64::from(NANOS_PER_SEC) / units) as u32,
                )
            }
            Some(units) if units > 0 => {
                let raw = u128::from(raw);
                let frac = raw % units; // < 2^64, so frac * 10^9 < 2^94: no overflow
                let nanos = frac * u128::from(NANOS_PER_SEC) / units;
                ((raw / units) as u64, nanos as u32) // ok: raw / units <= raw, nanos < 10^9
            }
            // A resolution too fine for 128 bits: any 64-bit count is below one ns.
            _ => (0, 0),
        };
        let secs = i128::from(secs) + i128::from(offset);
        let secs = if secs > i128::from(i64::MAX) {
            i64::MAX
        } else if secs < i128::from(i64::MIN) {
            i64::MIN
        } else {
            secs as i64 // ok: in range
        };
        Self { secs, nanos }
    }

    /// ISO 8601 text in UTC with `precision` fractional digits (see [`Iso8601`]).
    pub fn iso8601(&self, precision: Precision) -> Iso8601 {
        Iso8601 {
            ts: *self,
            precision,
            utc_offset: false,
        }
    }

    /// The magnitude split for display: sign, whole seconds, nanoseconds.
    fn parts(&self) -> (bool, u64, u32) {
        if self.secs >= 0 {
            (false, self.secs as u64, self.nanos) // ok: non-negative
        } else if self.nanos == 0 {
            (true, self.secs.unsigned_abs(), 0)
        } else {
            // secs + nanos/1e9 < 0: magnitude = (-secs - 1) + (1e9 - nanos)/1e9
            (
                true,
                self.secs.unsigned_abs() - 1,
                NANOS_PER_SEC - self.nanos,
            )
        }
    }
}

impl fmt::Display for Timestamp {
    /// `1511106549.91372` (trailing zeros trimmed, PyPCAPKit style); with `{:#}`
    /// `1511106549.913720000` (always nine digits, tshark style).
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        let (negative, secs, nanos) = self.parts();
        if negative {
            f.write_str("-")?;
        }
        write!(f, "{secs}")?;
        if f.alternate() {
            write!(f, ".{nanos:09}")?;
        } else if nanos != 0 {
            let mut frac = nanos;
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

/// ISO 8601 text of a [`Timestamp`] in UTC: `2013-12-05T15:59:59.430926`, with six or
/// nine fractional digits (none when they are all zero, as Python's `isoformat`), and
/// `+00:00` appended when asked for (see [`Timestamp::iso8601`]).
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct Iso8601 {
    ts: Timestamp,
    precision: Precision,
    utc_offset: bool,
}

impl Iso8601 {
    /// Appends the UTC offset `+00:00` (PyPCAPKit's PCAPNG `timestamp` style).
    pub fn with_utc_offset(mut self) -> Self {
        self.utc_offset = true;
        self
    }
}

impl fmt::Display for Iso8601 {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        let days = self.ts.secs.div_euclid(86_400);
        let rem = self.ts.secs.rem_euclid(86_400);
        let (y, m, d) = civil_from_days(days);
        write!(
            f,
            "{y:04}-{m:02}-{d:02}T{:02}:{:02}:{:02}",
            rem / 3600,
            rem / 60 % 60,
            rem % 60
        )?;
        match self.precision {
            Precision::Micro if self.ts.nanos / 1_000 != 0 => {
                write!(f, ".{:06}", self.ts.nanos / 1_000)?
            }
            Precision::Nano if self.ts.nanos != 0 => write!(f, ".{:09}", self.ts.nanos)?,
            _ => {}
        }
        if self.utc_offset {
            f.write_str("+00:00")?;
        }
        Ok(())
    }
}

/// (year, month, day) of a day count since 1970-01-01 (proleptic Gregorian calendar,
/// Howard Hinnant's algorithm).
fn civil_from_days(days: i64) -> (i64, u32, u32) {
    let z = days.saturating_add(719_468);
    let era = z.div_euclid(146_097);
    let doe = z.rem_euclid(146_097); // [0, 146096]
    let yoe = (doe - doe / 1460 + doe / 36_524 - doe / 146_096) / 365; // [0, 399]
    let doy = doe - (365 * yoe + yoe / 4 - yoe / 100); // [0, 365]
    let mp = (5 * doy + 2) / 153; // [0, 11]
    let d = (doy - (153 * mp + 2) / 5 + 1) as u32; // ok: [1, 31]
    let m = if mp < 10 { mp + 3 } else { mp - 9 } as u32; // ok: [1, 12]
    let y = yoe.saturating_add(era.saturating_mul(400)) + i64::from(m <= 2);
    (y, m, d)
}

/// How finely a frame's timestamp was captured: what the output layer prints.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, Default, serde::Serialize)]
pub enum Precision {
    /// Microseconds or coarser (PCAP µs magic; PCAPNG `if_tsresol` ≤ 10^6 per second).
    #[default]
    Micro,
    /// Finer than microseconds (PCAP ns magic; PCAPNG `if_tsresol` > 10^6 per second).
    Nano,
}

impl Precision {
    /// Number of fractional digits: 6 or 9.
    pub const fn digits(self) -> u8 {
        match self {
            Self::Micro => 6,
            Self::Nano => 9,
        }
    }
}

/// The PCAP record header of a frame, as stored in the file.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, Default, serde::Serialize)]
pub struct PcapRecordHeader {
    /// Seconds since the epoch.
    pub ts_sec: u32,
    /// Fraction of the second: microseconds, or nanoseconds in a nanosecond file (the
    /// key name is PyPCAPKit's).
    pub ts_usec: u32,
    /// Bytes captured.
    pub incl_len: u32,
    /// Length on the wire.
    pub orig_len: u32,
}

/// What the PCAPNG packet block (EPB, SPB, obsolete PB) of a frame holds beyond the
/// common frame fields.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct PcapngPacketMeta<'a> {
    /// Block type: 6 (EPB), 3 (SPB) or 2 (obsolete Packet Block).
    pub block_type: u32,
    /// Block total length.
    pub block_length: u32,
    /// 1-based number of the section the block is in.
    pub section: u32,
    /// Interface id (0 for SPB).
    pub interface_id: u32,
    /// Raw 64-bit timestamp in the interface's units (`None` for SPB, which has none).
    pub raw_timestamp: Option<u64>,
    /// The interface's timestamp resolution.
    pub tsresol: TsResolution,
    /// The interface's `if_tsoffset` in seconds.
    pub tsoffset: i64,
    /// Obsolete Packet Block only: the drops count field.
    pub drop_count: Option<u16>,
    /// The block's options (empty for SPB), validated, parsed on demand.
    pub options: Options<'a>,
}

/// Container-specific data of a frame: what the output layer prints besides the
/// common fields.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Default)]
pub enum FrameMeta<'a> {
    /// Built by a user, not read from a file.
    #[default]
    None,
    /// A PCAP record.
    Pcap(PcapRecordHeader),
    /// A PCAPNG packet block.
    Pcapng(PcapngPacketMeta<'a>),
}

/// One frame, borrowed from the reader's buffer: nothing is copied.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct RawFrame<'a> {
    /// 1-based frame number, global across PCAPNG sections.
    pub number: u64,
    /// When the frame was captured (the epoch for Simple Packet Blocks, which have no
    /// time).
    pub timestamp: Timestamp,
    /// How finely `timestamp` was captured.
    pub precision: Precision,
    /// Bytes captured (`data.len()`).
    pub caplen: u32,
    /// Length of the frame on the wire.
    pub origlen: u32,
    /// Link-layer type of `data`.
    pub link_type: LinkType,
    /// Snapshot length of the file (PCAP) or interface (PCAPNG); 0 = unknown/unlimited.
    pub snaplen: u32,
    /// PCAPNG interface id (0 for PCAP).
    pub interface: u32,
    /// Absolute byte offset of the record header / packet block in the input.
    pub offset: u64,
    /// Container-specific fields.
    pub meta: FrameMeta<'a>,
    /// The captured bytes.
    pub data: &'a [u8],
}

impl<'a> RawFrame<'a> {
    /// A frame built by hand (e.g. to write it): `caplen = data.len()`, `origlen` as
    /// given, interface 0, no container metadata. Data longer than `u32::MAX` bytes
    /// reports a `caplen` of `u32::MAX`.
    pub fn new(
        number: u64,
        timestamp: Timestamp,
        link_type: LinkType,
        origlen: u32,
        data: &'a [u8],
    ) -> Self {
        Self {
            number,
            timestamp,
            precision: Precision::Nano,
            caplen: u32::try_from(data.len()).unwrap_or(u32::MAX),
            origlen,
            link_type,
            snaplen: 0,
            interface: 0,
            offset: 0,
            meta: FrameMeta::None,
            data,
        }
    }

    /// An owned copy (copies the payload, drops the container metadata).
    pub fn to_owned_frame(&self) -> OwnedFrame {
        OwnedFrame {
            number: self.number,
            timestamp: self.timestamp,
            precision: self.precision,
            caplen: self.caplen,
            origlen: self.origlen,
            link_type: self.link_type,
            snaplen: self.snaplen,
            interface: self.interface,
            offset: self.offset,
            data: self.data.to_vec(),
        }
    }
}

/// A frame that owns its bytes, for callers who do not want to deal with borrowing
/// (see [`crate::Reader::frames`]).
#[derive(Clone, Debug, PartialEq, Eq, Hash)]
pub struct OwnedFrame {
    /// 1-based frame number, global across PCAPNG sections.
    pub number: u64,
    /// When the frame was captured.
    pub timestamp: Timestamp,
    /// How finely `timestamp` was captured.
    pub precision: Precision,
    /// Bytes captured (`data.len()`).
    pub caplen: u32,
    /// Length of the frame on the wire.
    pub origlen: u32,
    /// Link-layer type of `data`.
    pub link_type: LinkType,
    /// Snapshot length of the file or interface; 0 = unknown/unlimited.
    pub snaplen: u32,
    /// PCAPNG interface id (0 for PCAP).
    pub interface: u32,
    /// Absolute byte offset of the record in the input.
    pub offset: u64,
    /// The captured bytes.
    pub data: Vec<u8>,
}

impl OwnedFrame {
    /// A borrowed view (no container metadata), e.g. to hand it to a writer.
    pub fn as_raw(&self) -> RawFrame<'_> {
        RawFrame {
            number: self.number,
            timestamp: self.timestamp,
            precision: self.precision,
            caplen: self.caplen,
            origlen: self.origlen,
            link_type: self.link_type,
            snaplen: self.snaplen,
            interface: self.interface,
            offset: self.offset,
            meta: FrameMeta::None,
            data: &self.data,
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn display_trims_and_alternate_pads() {
        let ts = Timestamp::new(1_511_106_549, 913_720_000);
        assert_eq!(ts.to_string(), "1511106549.91372");
        assert_eq!(format!("{ts:#}"), "1511106549.913720000");
        assert_eq!(Timestamp::new(1_600_000_000, 0).to_string(), "1600000000");
        assert_eq!(format!("{:#}", Timestamp::new(7, 0)), "7.000000000");
    }

    #[test]
    fn negative_epochs() {
        let half_before = Timestamp::from_nanos(-500_000_000);
        assert_eq!(
            half_before,
            Timestamp {
                secs: -1,
                nanos: 500_000_000
            }
        );
        assert_eq!(half_before.to_string(), "-0.5");
        assert_eq!(format!("{half_before:#}"), "-0.500000000");
        assert_eq!(Timestamp::new(-3, 0).to_string(), "-3");
        assert_eq!(Timestamp::new(-2, 250_000_000).to_string(), "-1.75");
        assert_eq!(Timestamp::from_nanos(-1).to_string(), "-0.000000001");
        assert_eq!(half_before.as_nanos(), -500_000_000);
        let min = Timestamp::new(i64::MIN, 1);
        assert_eq!(min.to_string(), "-9223372036854775807.999999999");
    }

    #[test]
    fn iso8601() {
        let ts = Timestamp::new(1_386_259_199, 430_926_000);
        assert_eq!(
            ts.iso8601(Precision::Micro).to_string(),
            "2013-12-05T15:59:59.430926"
        );
        assert_eq!(
            ts.iso8601(Precision::Nano).with_utc_offset().to_string(),
            "2013-12-05T15:59:59.430926000+00:00"
        );
        let zero = Timestamp::default()
            .iso8601(Precision::Micro)
            .with_utc_offset();
        assert_eq!(zero.to_string(), "1970-01-01T00:00:00+00:00");
        assert_eq!(
            Timestamp::new(951_782_400, 999)
                .iso8601(Precision::Micro)
                .to_string(),
            "2000-02-29T00:00:00"
        );
        assert_eq!(
            Timestamp::from_nanos(-1)
                .iso8601(Precision::Nano)
                .to_string(),
            "1969-12-31T23:59:59.999999999"
        );
        assert_eq!(
            Timestamp::new(i64::from(u32::MAX), 0)
                .iso8601(Precision::Micro)
                .to_string(),
            "2106-02-07T06:28:15"
        );
        // extremes do not panic
        let _ = Timestamp::new(i64::MAX, 0)
            .iso8601(Precision::Nano)
            .to_string();
        let _ = Timestamp::new(i64::MIN, 0)
            .iso8601(Precision::Nano)
            .to_string();
    }

    #[test]
    fn new_carries_and_saturates() {
        assert_eq!(
            Timestamp::new(1, 2_500_000_000),
            Timestamp {
                secs: 3,
                nanos: 500_000_000
            }
        );
        assert_eq!(Timestamp::new(i64::MAX, 1_000_000_000).secs, i64::MAX);
        assert_eq!(Timestamp::from_nanos(i128::MAX).secs, i64::MAX);
        assert_eq!(Timestamp::from_nanos(i128::MIN).secs, i64::MIN);
    }

    #[test]
    fn pcap_fraction_carries() {
        assert_eq!(
            Timestamp::from_pcap(10, 1_500_000, false),
            Timestamp::new(11, 500_000_000)
        );
        assert_eq!(
            Timestamp::from_pcap(u32::MAX, u32::MAX, false),
            Timestamp::new(4_294_971_589, 967_295_000)
        );
        assert_eq!(Timestamp::from_pcap(5, 7, true), Timestamp::new(5, 7));
    }

    #[test]
    fn pcapng_resolutions() {
        let us = TsResolution::from_option(6);
        assert_eq!(
            Timestamp::from_raw(1_500_000, us, 0),
            Timestamp::new(1, 500_000_000)
        );
        let ns = TsResolution::from_option(9);
        assert_eq!(
            Timestamp::from_raw(1_000_000_007, ns, 10),
            Timestamp::new(11, 7)
        );
        // 2^-10 units: 1536 units = 1.5 s
        let bin = TsResolution::from_option(0x80 | 10);
        assert_eq!(
            Timestamp::from_raw(1536, bin, 0),
            Timestamp::new(1, 500_000_000)
        );
        // 2^-30: one unit = 0.931.. ns, truncated
        let fine = TsResolution::from_option(0x80 | 30);
        assert_eq!(Timestamp::from_raw(3, fine, 0), Timestamp::new(0, 2));
        // picoseconds truncate to ns
        let ps = TsResolution::from_option(12);
        assert_eq!(
            Timestamp::from_raw(1_000_000_001_999, ps, 0),
            Timestamp::new(1, 1)
        );
        // absurd resolutions do not overflow
        let huge = TsResolution::from_option(0x7f);
        assert_eq!(
            Timestamp::from_raw(u64::MAX, huge, -5),
            Timestamp::new(-5, 0)
        );
        let huge_bin = TsResolution::from_option(0xff);
        assert_eq!(
            Timestamp::from_raw(u64::MAX, huge_bin, 0),
            Timestamp::new(0, 0)
        );
        // seconds resolution, u64::MAX units
        let secs = TsResolution::from_option(0);
        assert_eq!(Timestamp::from_raw(u64::MAX, secs, i64::MAX).secs, i64::MAX);
        // negative offset
        assert_eq!(
            Timestamp::from_raw(500_000, us, -1),
            Timestamp::from_nanos(-500_000_000)
        );
    }
}
