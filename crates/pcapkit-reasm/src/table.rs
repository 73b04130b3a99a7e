//! A map of open buffers that also knows which is oldest, for eviction.

use std::collections::{HashMap, VecDeque};
use std::hash::Hash;

/// The map's hasher: foldhash, seeded at random per process (keys are chosen by
/// whoever sent the packets; SipHash cost a fifth of the reassembly time).
type State = foldhash::fast::RandomState;

/// Buffers by key, with their creation order. Removing a buffer leaves a stale entry
/// in the order queue, skipped on eviction and compacted away when stale entries
/// outnumber live ones.
#[derive(Debug)]
pub(crate) struct Table<K, V> {
    map: HashMap<K, (u64, V), State>,
    order: VecDeque<(K, u64)>,
    next: u64,
}

impl<K, V> Default for Table<K, V> {
    fn default() -> Self {
        Self {
            map: HashMap::with_hasher(State::default()),
            order: VecDeque::new(),
            next: 0,
        }
    }
}

impl<K: Hash + Eq + Clone, V> Table<K, V> {
    pub(crate) fn len(&self) -> usize {
        self.map.len()
    }

    pub(crate) fn get_mut(&mut self, k: &K) -> Option<&mut V> {
        self.map.get_mut(k).map(|(_, v)| v)
    }

    pub(crate) fn get(&self, k: &K) -> Option<&V> {
        self.map.get(k).map(|(_, v)| v)
    }

    pub(crate) fn contains(&self, k: &K) -> bool {
        self.map.contains_key(k)
    }

    /// Inserts a new buffer (replacing any with this key) as the newest.
    pub(crate) fn insert(&mut self, k: K, v: V) {
        let g = self.next;
        self.next += 1;
        self.order.push_back((k.clone(), g));
        self.map.insert(k, (g, v));
        if self.order.len() > 2 * self.map.len() + 64 {
            let map = &self.map;
            self.order
                .retain(|(k, g)| map.get(k).is_some_and(|(live, _)| live == g));
        }
    }

    pub(crate) fn remove(&mut self, k: &K) -> Option<V> {
        self.map.remove(k).map(|(_, v)| v)
    }

    /// Removes and returns the oldest buffer.
    pub(crate) fn pop_oldest(&mut self) -> Option<(K, V)> {
        while let Some((k, g)) = self.order.pop_front() {
            if self.map.get(&k).is_some_and(|(live, _)| *live == g)
                && let Some((_, v)) = self.map.remove(&k)
            {
                return Some((k, v));
            }
        }
        None
    }

    /// The keys of the buffers for which `f` holds, oldest first.
    pub(crate) fn keys_where(&self, mut f: impl FnMut(&V) -> bool) -> Vec<K> {
        self.order
            .iter()
            .filter_map(|(k, g)| match self.map.get(k) {
                Some((live, v)) if live == g && f(v) => Some(k.clone()),
                _ => None,
            })
            .collect()
    }

    /// Removes and returns every buffer for which `f` holds, oldest first.
    pub(crate) fn take_where(&mut self, mut f: impl FnMut(&V) -> bool) -> Vec<(K, V)> {
        let keys: Vec<K> = self
            .order
            .iter()
            .filter_map(|(k, g)| match self.map.get(k) {
                Some((live, v)) if live == g && f(v) => Some(k.clone()),
                _ => None,
            })
            .collect();
        keys.into_iter()
            .filter_map(|k| self.map.remove(&k).map(|(_, v)| (k, v)))
            .collect()
    }

    /// Removes and returns everything, oldest first.
    pub(crate) fn drain(&mut self) -> Vec<(K, V)> {
        let mut out = Vec::with_capacity(self.map.len());
        while let Some(kv) = self.pop_oldest() {
            out.push(kv);
        }
        self.order.clear();
        out
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn oldest_first_and_stale_entries_skipped() {
        let mut t = Table::default();
        for i in 0..10u32 {
            t.insert(i, i * 10);
        }
        assert_eq!(t.remove(&0), Some(0));
        t.insert(1, 11); // re-created: now the newest
        assert_eq!(t.pop_oldest(), Some((2, 20)));
        assert_eq!(t.keys_where(|v| *v >= 50).first(), Some(&5));
        assert_eq!(
            t.take_where(|v| *v % 20 == 0),
            vec![(4, 40), (6, 60), (8, 80)]
        );
        let rest: Vec<u32> = t.drain().into_iter().map(|(k, _)| k).collect();
        assert_eq!(rest, vec![3, 5, 7, 9, 1]);
        assert_eq!(t.len(), 0);
        for i in 0..10_000u32 {
            t.insert(i % 7, i);
        }
        assert!(t.order.len() <= 2 * 7 + 64 + 1);
    }
}
