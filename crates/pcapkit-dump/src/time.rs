//! UTC ISO 8601 timestamps (`2017-11-19T15:49:05.471719+00:00`) without a date library.

use std::fmt;

use pcapkit_core::Timestamp;

/// A timestamp shown as a UTC ISO 8601 date and time with 6 (µs) or 9 (ns) fractional
/// digits and an explicit `+00:00` offset.
///
/// PyPCAPKit prints the local time of the machine without an offset (a bug: the text
/// depends on `TZ`); we always print UTC and say so. Years outside `0000..=9999` are
/// written with a sign, as ISO 8601's expanded form does.
///
/// ```
/// use pcapkit_core::Timestamp;
/// use pcapkit_dump::IsoTime;
///
/// let ts = Timestamp::new(1_511_106_545, 471_719_000);
/// assert_eq!(IsoTime::new(ts, 6).to_string(), "2017-11-19T15:49:05.471719+00:00");
/// assert_eq!(IsoTime::new(ts, 9).to_string(), "2017-11-19T15:49:05.471719000+00:00");
/// ```
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct IsoTime {
    ts: Timestamp,
    digits: u8,
}

impl IsoTime {
    /// `ts` with `digits` fractional digits (6 or 9; anything else is clamped to that
    /// range, 0 prints no fraction).
    pub fn new(ts: Timestamp, digits: u8) -> Self {
        Self {
            ts,
            digits: digits.min(9),
        }
    }
}

/// Days since 1970-01-01 to (year, month, day) in the proleptic Gregorian calendar
/// (Howard Hinnant's `civil_from_days`). Exact for the whole `i64` seconds range.
fn civil_from_days(days: i64) -> (i64, u32, u32) {
    let z = days + 719_468;
    let era = z.div_euclid(146_097);
    let doe = z.rem_euclid(146_097); // [0, 146096]
    let yoe = (doe - doe / 1460 + doe / 36_524 - doe / 146_096) / 365; // [0, 399]
    let y = yoe + era * 400;
    let doy = doe - (365 * yoe + yoe / 4 - yoe / 100); // [0, 365]
    let mp = (5 * doy + 2) / 153; // [0, 11]
    let d = (doy - (153 * mp + 2) / 5 + 1) as u32; // ok: [1, 31]
    let m = if mp < 10 { mp + 3 } else { mp - 9 } as u32; // ok: [1, 12]
    (if m <= 2 { y + 1 } else { y }, m, d)
}

impl fmt::Display for IsoTime {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        let days = self.ts.secs.div_euclid(86_400);
        let sod = self.ts.secs.rem_euclid(86_400);
        let (year, month, day) = civil_from_days(days);
        let (h, m, s) = (sod / 3600, sod / 60 % 60, sod % 60);
        if (0..=9999).contains(&year) {
            write!(f, "{year:04}")?;
        } else {
            write!(f, "{year:+05}")?;
        }
        write!(f, "-{month:02}-{day:02}T{h:02}:{m:02}:{s:02}")?;
        if self.digits > 0 {
            let width = usize::from(self.digits);
            let frac = self.ts.nanos / 10u32.pow(9 - u32::from(self.digits));
            write!(f, ".{frac:0width$}")?;
        }
        f.write_str("+00:00")
    }
}

impl serde::Serialize for IsoTime {
    fn serialize<S: serde::Serializer>(&self, serializer: S) -> Result<S::Ok, S::Error> {
        serializer.collect_str(self)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn iso(secs: i64, nanos: u32, digits: u8) -> String {
        IsoTime::new(Timestamp::new(secs, nanos), digits).to_string()
    }

    #[test]
    fn known_dates() {
        assert_eq!(iso(0, 0, 6), "1970-01-01T00:00:00.000000+00:00");
        assert_eq!(
            iso(1_386_259_199, 430_926_000, 6),
            "2013-12-05T15:59:59.430926+00:00"
        );
        assert_eq!(
            iso(1_795_669_958, 25_867_701, 9),
            "2026-11-26T05:12:38.025867701+00:00"
        );
        // leap day, end of century rules
        assert_eq!(iso(951_782_400, 0, 0), "2000-02-29T00:00:00+00:00");
        assert_eq!(iso(4_107_542_400, 0, 0), "2100-03-01T00:00:00+00:00");
        assert_eq!(
            iso(-1, 999_999_999, 9),
            "1969-12-31T23:59:59.999999999+00:00"
        );
        assert_eq!(iso(-62_167_219_200, 0, 0), "0000-01-01T00:00:00+00:00");
        assert_eq!(iso(253_402_300_800, 0, 0), "+10000-01-01T00:00:00+00:00");
    }

    #[test]
    fn extremes_do_not_panic() {
        for secs in [i64::MIN, i64::MIN + 1, i64::MAX, u32::MAX.into()] {
            let text = iso(secs, 999_999_999, 9);
            assert!(text.ends_with("+00:00"), "{text}");
        }
    }

    #[test]
    fn matches_python_for_a_spread_of_days() {
        // 2024-01-01, 1999-12-31, 1900-03-01
        assert_eq!(iso(1_704_067_200, 0, 0), "2024-01-01T00:00:00+00:00");
        assert_eq!(iso(946_598_400, 0, 0), "1999-12-31T00:00:00+00:00");
        assert_eq!(iso(-2_203_891_200, 0, 0), "1900-03-01T00:00:00+00:00");
    }
}
