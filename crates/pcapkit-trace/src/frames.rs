//! [`FrameList`]: a flow's frame numbers, stored compactly (ascending deltas as LEB128
//! varints: one or two bytes per frame for ordinary flows).

/// Frame numbers in increasing order, a byte or two each.
///
/// ```
/// use pcapkit_trace::FrameList;
///
/// let mut l = FrameList::default();
/// for n in [1, 3, 4, 1000, 70_000] {
///     l.push(n);
/// }
/// assert_eq!(l.iter().collect::<Vec<_>>(), [1, 3, 4, 1000, 70_000]);
/// assert_eq!(l.len(), 5);
/// ```
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub struct FrameList {
    bytes: Vec<u8>,
    last: u64,
    len: u64,
}

impl FrameList {
    /// Appends `number`; numbers not above the last one are stored as a zero delta
    /// ignoring order (frame numbers only grow in a capture).
    pub fn push(&mut self, number: u64) {
        let mut delta = number.saturating_sub(self.last);
        self.last = self.last.max(number);
        self.len += 1;
        loop {
            let byte = (delta & 0x7f) as u8; // ok: masked to 7 bits
            delta >>= 7;
            if delta == 0 {
                self.bytes.push(byte);
                return;
            }
            self.bytes.push(byte | 0x80);
        }
    }

    /// How many numbers.
    pub fn len(&self) -> u64 {
        self.len
    }

    /// Whether the list is empty.
    pub fn is_empty(&self) -> bool {
        self.len == 0
    }

    /// The last number pushed (0 if none).
    pub fn last(&self) -> u64 {
        self.last
    }

    /// Bytes of storage used.
    pub fn storage(&self) -> usize {
        self.bytes.capacity()
    }

    /// Releases spare capacity (done when a flow ends).
    pub fn shrink(&mut self) {
        self.bytes.shrink_to_fit();
    }

    /// The numbers in order.
    pub fn iter(&self) -> impl Iterator<Item = u64> + '_ {
        let mut pos = 0usize;
        let mut acc = 0u64;
        std::iter::from_fn(move || {
            let mut delta = 0u64;
            let mut shift = 0u32;
            loop {
                let byte = *self.bytes.get(pos)?;
                pos += 1;
                if shift < 64 {
                    delta |= u64::from(byte & 0x7f) << shift;
                }
                shift += 7;
                if byte & 0x80 == 0 {
                    break;
                }
            }
            acc = acc.saturating_add(delta);
            Some(acc)
        })
    }

    /// The numbers as a vector.
    pub fn to_vec(&self) -> Vec<u64> {
        self.iter().collect()
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use proptest::prelude::*;

    #[test]
    fn compact() {
        let mut l = FrameList::default();
        for n in 1..=1000u64 {
            l.push(n * 2);
        }
        assert_eq!(l.bytes.len(), 1000);
        assert_eq!(l.to_vec(), (1..=1000u64).map(|n| n * 2).collect::<Vec<_>>());
        let mut big = FrameList::default();
        big.push(u64::MAX);
        big.push(u64::MAX);
        assert_eq!(big.to_vec(), [u64::MAX, u64::MAX]);
    }

    proptest! {
        #[test]
        fn round_trip(mut v in proptest::collection::vec(any::<u64>(), 0..200)) {
            v.sort_unstable();
            let mut l = FrameList::default();
            for &n in &v {
                l.push(n);
            }
            prop_assert_eq!(l.to_vec(), v.clone());
            prop_assert_eq!(l.len(), v.len() as u64);
        }
    }
}
