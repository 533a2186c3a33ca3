//! The treaps that order each bin's free spans by `(length, start)`.
//!
//! A treap stays balanced in expectation (O(log n) depth) with nothing but a
//! priority per node. The priority is a hash of the span's start, so a node
//! stores no extra word and the same operations always build the same tree.
//!
//! Links are words, so every routine works on a *slot* (the word index of a
//! root or of a node's child link) and walks down iteratively: no recursion,
//! no tuples on the shadow stack, few bytes of wasm.

use crate::heap::{Heap, LEFT, RIGHT};
use crate::words::Words;

/// The order key of a free span: shorter first, then lower address.
pub fn key(len: u32, start: u32) -> u64 {
    (len as u64) << 32 | start as u64
}

/// A bijective 32-bit mixer (the MurmurHash3 finaliser): starts that are close
/// or evenly strided still get unrelated priorities.
fn mix(mut x: u32) -> u32 {
    x ^= x >> 16;
    x = x.wrapping_mul(0x85EB_CA6B);
    x ^= x >> 13;
    x = x.wrapping_mul(0xC2B2_AE35);
    x ^ x >> 16
}

impl<W: Words> Heap<W> {
    pub(crate) fn key_of(&self, node: u32) -> u64 {
        key(self.len(node), self.start(node))
    }

    pub(crate) fn priority_of(&self, node: u32) -> u32 {
        mix(self.start(node))
    }

    /// The child slot of `node` on the side where `at` belongs.
    fn toward(&self, node: u32, at: u64) -> u32 {
        self.slot(node, if at < self.key_of(node) { LEFT } else { RIGHT })
    }

    /// Hangs the nodes of `tree` keyed below `at` into slot `low` and the rest
    /// into slot `high`.
    fn split(&mut self, mut tree: u32, at: u64, mut low: u32, mut high: u32) {
        while tree != 0 {
            if self.key_of(tree) < at {
                self.words.set(low, tree);
                low = self.slot(tree, RIGHT);
                tree = self.words.get(low);
            } else {
                self.words.set(high, tree);
                high = self.slot(tree, LEFT);
                tree = self.words.get(high);
            }
        }
        self.words.set(low, 0);
        self.words.set(high, 0);
    }

    /// Hangs the union of `low` and `high` (every key in `low` below every key
    /// in `high`) into `slot`.
    fn merge(&mut self, mut low: u32, mut high: u32, mut slot: u32) {
        while low != 0 && high != 0 {
            if self.priority_of(low) > self.priority_of(high) {
                self.words.set(slot, low);
                slot = self.slot(low, RIGHT);
                low = self.words.get(slot);
            } else {
                self.words.set(slot, high);
                slot = self.slot(high, LEFT);
                high = self.words.get(slot);
            }
        }
        self.words.set(slot, low | high);
    }

    /// Adds `node` (in no tree) to the treap rooted at `slot`.
    #[inline(never)]
    pub(crate) fn insert(&mut self, mut slot: u32, node: u32) {
        let (at, priority) = (self.key_of(node), self.priority_of(node));
        loop {
            let tree = self.words.get(slot);
            if tree == 0 || self.priority_of(tree) < priority {
                self.words.set(slot, node);
                return self.split(tree, at, self.slot(node, LEFT), self.slot(node, RIGHT));
            }
            slot = self.toward(tree, at);
        }
    }

    /// Takes `node` out of the treap rooted at `slot`, which holds it.
    #[inline(never)]
    pub(crate) fn remove(&mut self, mut slot: u32, node: u32) {
        let at = self.key_of(node);
        loop {
            let tree = self.words.get(slot);
            if tree == node {
                return self.merge(self.left(node), self.right(node), slot);
            }
            slot = self.toward(tree, at);
        }
    }

    /// The node with the least key at or above `at` under `tree`, or 0.
    #[inline(never)]
    pub(crate) fn lower_bound(&self, mut tree: u32, at: u64) -> u32 {
        let mut found = 0;
        while tree != 0 {
            let side = if self.key_of(tree) >= at {
                found = tree;
                LEFT
            } else {
                RIGHT
            };
            tree = self.words.get(self.slot(tree, side));
        }
        found
    }
}
