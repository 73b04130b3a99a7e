//! RFC 815 hole descriptors in byte units, and the byte buffer they describe.
//!
//! A [`Holes`] list starts as one hole `[0, ∞)`. Filling `[first, last)` removes every
//! hole it touches and puts back the parts of those holes it does not cover (RFC 815
//! steps 1-6); what it returns are the sub-ranges that really were holes, i.e. the new
//! bytes. Everything else of the fragment overlapped bytes already received, which are
//! kept (first come, first served). Offsets are bytes throughout (PyPCAPKit bug #349
//! mixed lengths and sequence numbers in its first descriptor).

use smallvec::SmallVec;

/// The end of the open-ended hole before the total length is known.
pub(crate) const INFINITY: u64 = u64::MAX;

/// New byte ranges found by one fill.
pub(crate) type NewRanges = SmallVec<[(u64, u64); 4]>;

/// Sorted, disjoint half-open holes `[first, last)`.
#[derive(Clone, Debug, PartialEq, Eq)]
pub(crate) struct Holes {
    holes: Vec<(u64, u64)>,
}

impl Default for Holes {
    fn default() -> Self {
        Self {
            holes: vec![(0, INFINITY)],
        }
    }
}

impl Holes {
    /// Fills `[first, last)`; appends to `new` the sub-ranges that were holes.
    pub(crate) fn fill(&mut self, first: u64, last: u64, new: &mut NewRanges) {
        if first >= last {
            return;
        }
        // Holes are sorted: find the first one that may intersect.
        let start = self.holes.partition_point(|&(_, hl)| hl <= first);
        // In-order data: it starts a hole and ends inside it, so that hole just
        // shrinks from the front (no other hole can intersect).
        if let Some(h) = self.holes.get_mut(start)
            && h.0 == first
            && last < h.1
        {
            new.push((first, last));
            h.0 = last;
            return;
        }
        let mut i = start;
        let mut replacement: SmallVec<[(u64, u64); 2]> = SmallVec::new();
        while let Some(&(hf, hl)) = self.holes.get(i) {
            if hf >= last {
                break;
            }
            new.push((first.max(hf), last.min(hl)));
            if first > hf {
                replacement.push((hf, first));
            }
            if last < hl {
                replacement.push((last, hl));
            }
            i += 1;
        }
        if i > start || !replacement.is_empty() {
            self.holes.splice(start..i, replacement);
        }
    }

    /// The total length is known (last fragment): holes at or beyond `end` go.
    pub(crate) fn set_end(&mut self, end: u64) {
        self.holes.retain_mut(|h| {
            if h.0 >= end {
                return false;
            }
            h.1 = h.1.min(end);
            true
        });
    }

    /// Holes below `end` (the internal gaps of data that reaches `end`).
    pub(crate) fn inner(&self, end: u64) -> impl Iterator<Item = (u64, u64)> + '_ {
        self.holes
            .iter()
            .filter(move |h| h.0 < end)
            .map(move |&(f, l)| (f, l.min(end)))
    }

    /// Whether no hole is left below `end`.
    pub(crate) fn complete_to(&self, end: u64) -> bool {
        self.holes.first().is_none_or(|h| h.0 >= end)
    }

    /// Number of descriptors.
    pub(crate) fn len(&self) -> usize {
        self.holes.len()
    }

    /// Moves everything `delta` bytes up and adds the hole `[0, delta)`: the data now
    /// starts `delta` bytes later in the buffer.
    pub(crate) fn shift(&mut self, delta: u64) {
        for h in &mut self.holes {
            h.0 = h.0.saturating_add(delta);
            h.1 = h.1.saturating_add(delta);
        }
        match self.holes.first_mut() {
            Some(h) if h.0 == delta => h.0 = 0,
            _ => self.holes.insert(0, (0, delta)),
        }
    }
}

/// What one insertion did.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq)]
pub(crate) struct Inserted {
    /// Bytes that filled holes.
    pub new: u64,
    /// Bytes that were already there (kept as they were).
    pub overlap: u64,
}

/// Bytes at offsets from 0 with the holes between them.
#[derive(Clone, Debug, Default)]
pub(crate) struct Assembler {
    pub(crate) buf: Vec<u8>,
    pub(crate) holes: Holes,
    /// Total length, once the last fragment is known.
    pub(crate) end: Option<u64>,
}

impl Assembler {
    /// Copies the parts of `data` (at `offset`) that fill holes; `None` (nothing
    /// changed) when the data would reach beyond `max_len`.
    pub(crate) fn insert(&mut self, offset: u64, data: &[u8], max_len: usize) -> Option<Inserted> {
        let last = offset.checked_add(data.len() as u64)?;
        if last > max_len as u64 {
            return None;
        }
        let mut new = NewRanges::new();
        self.holes.fill(offset, last, &mut new);
        let mut added = 0u64;
        for &(f, l) in &new {
            let (fu, lu) = (f as usize, l as usize); // ok: below max_len
            // Appended data (the common case) is copied once, not zeroed first.
            if self.buf.len() == fu
                && let Some(src) = data.get(fu - offset as usize..lu - offset as usize)
            {
                self.buf.extend_from_slice(src);
                added += l - f;
                continue;
            }
            if self.buf.len() < lu {
                self.buf.resize(lu, 0);
            }
            let src = data.get(fu - offset as usize..lu - offset as usize);
            if let (Some(dst), Some(src)) = (self.buf.get_mut(fu..lu), src) {
                dst.copy_from_slice(src);
            }
            added += l - f;
        }
        Some(Inserted {
            new: added,
            overlap: data.len() as u64 - added,
        })
    }

    /// Sets the total length; false if a different one was set before (the first is
    /// kept).
    pub(crate) fn set_end(&mut self, end: u64) -> bool {
        match self.end {
            Some(e) => e == end,
            None => {
                self.end = Some(end);
                self.holes.set_end(end);
                if self.buf.len() as u64 > end {
                    self.buf.truncate(end as usize); // ok: end < buf.len()
                }
                true
            }
        }
    }

    /// Whether the data is whole: the total is known and no hole remains.
    pub(crate) fn is_complete(&self) -> bool {
        self.end.is_some() && self.holes.complete_to(INFINITY)
    }

    /// Whether the bytes received so far have no gap between them.
    pub(crate) fn is_contiguous(&self) -> bool {
        self.holes.complete_to(self.buf.len() as u64)
    }

    /// The received runs, in order, as (offset, bytes).
    pub(crate) fn runs(&self) -> Vec<(u64, &[u8])> {
        let len = self.buf.len() as u64;
        let mut out = Vec::new();
        let mut at = 0u64;
        for (f, l) in self.holes.inner(len) {
            if f > at
                && let Some(b) = self.buf.get(at as usize..f as usize)
            {
                out.push((at, b));
            }
            at = l;
        }
        if len > at
            && let Some(b) = self.buf.get(at as usize..)
        {
            out.push((at, b));
        }
        out
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn rfc815_fill_splits_and_removes_holes() {
        let mut h = Holes::default();
        let mut new = NewRanges::new();
        h.fill(10, 20, &mut new);
        assert_eq!(new.as_slice(), &[(10, 20)]);
        assert_eq!(h.holes, vec![(0, 10), (20, INFINITY)]);
        new.clear();
        h.fill(5, 25, &mut new);
        assert_eq!(new.as_slice(), &[(5, 10), (20, 25)]);
        assert_eq!(h.holes, vec![(0, 5), (25, INFINITY)]);
        h.set_end(30);
        assert_eq!(h.holes, vec![(0, 5), (25, 30)]);
        new.clear();
        h.fill(0, 30, &mut new);
        assert_eq!(new.as_slice(), &[(0, 5), (25, 30)]);
        assert!(h.complete_to(INFINITY));
    }

    /// PyPCAPKit bug #349: its first hole descriptor was `{first: len, last: maxsize}`
    /// (a payload length next to absolute sequence numbers). Here a first fragment that
    /// arrives last still fills exactly the hole in front of the others.
    #[test]
    fn pypcapkit_349_holes_are_byte_offsets_from_zero() {
        let mut a = Assembler::default();
        assert_eq!(a.insert(100, &[2; 50], 65535).unwrap().new, 50);
        assert!(a.set_end(150));
        assert!(!a.is_complete());
        assert_eq!(a.holes.holes, vec![(0, 100)]);
        let r = a.insert(0, &[1; 100], 65535).unwrap();
        assert_eq!(
            r,
            Inserted {
                new: 100,
                overlap: 0
            }
        );
        assert!(a.is_complete());
        assert_eq!(&a.buf[..100], &[1; 100][..]);
        assert_eq!(&a.buf[100..], &[2; 50][..]);
    }

    #[test]
    fn overlaps_are_first_come_and_counted() {
        let mut a = Assembler::default();
        a.insert(0, b"AAAA", 100).unwrap();
        let r = a.insert(2, b"BBBB", 100).unwrap();
        assert_eq!(r, Inserted { new: 2, overlap: 2 });
        assert_eq!(a.buf, b"AAAABB");
        assert!(a.insert(98, b"xxx", 100).is_none());
        assert_eq!(a.runs(), vec![(0, &b"AAAABB"[..])]);
        a.insert(10, b"C", 100).unwrap();
        assert_eq!(a.runs(), vec![(0, &b"AAAABB"[..]), (10, &b"C"[..])]);
        assert!(!a.is_contiguous());
        assert!(a.set_end(11));
        assert!(!a.set_end(12));
    }

    #[test]
    fn shift_prepends_a_hole() {
        let mut h = Holes::default();
        let mut new = NewRanges::new();
        h.fill(0, 4, &mut new);
        h.shift(3);
        assert_eq!(h.holes, vec![(0, 3), (7, INFINITY)]);
        let mut h = Holes::default();
        h.shift(3);
        assert_eq!(h.holes, vec![(0, INFINITY)]);
    }
}
