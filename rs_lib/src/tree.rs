//! The treap that orders the free spans by `(length, start)`.
//!
//! A node is a free span's record (`heap.rs`), named by its byte offset `8b`
//! for the span starting at block `b`: the key is read from the span's tag,
//! and the two links are the link words of blocks `b` and `b + 1`.
//!
//! A treap stays balanced in expectation (O(log n) depth) with nothing but a
//! priority per node. The priority is a hash of the node's name, so a node
//! stores no extra word and the same operations always build the same tree.
//!
//! Links are words, so every routine works on a *slot* (the offset of the root
//! or of a node's link word) and walks down iteratively: no recursion, no
//! tuples on the shadow stack, few bytes of wasm.

use crate::heap::{Heap, RECORD, RECORDS};
use crate::words::Words;

/// The slot of the root.
pub(crate) const ROOT: u32 = 0;
/// A slot that always holds 0 (no node).
pub(crate) const NONE: u32 = 4;

/// Offsets of a node's two link slots from its name.
pub(crate) const LEFT: u32 = RECORDS + 4;
pub(crate) const RIGHT: u32 = RECORDS + RECORD + 4;

/// The order key of a free span of `len` blocks, named `node`: shorter
/// first, then lower address (a node is eight times its start).
pub fn key(len: u32, node: u32) -> u64 {
    (len as u64) << 32 | node as u64
}

/// A bijective 32-bit mixer (the core of the MurmurHash3 finaliser: multiply,
/// xor-shift, multiply): names that are close or evenly strided still get
/// unrelated priorities: for strides 1..41 and around powers of two, treap
/// depth stays within that of random priorities (a test checks it). One
/// multiply and a xor-shift would be smaller, and far too regular.
fn mix(x: u32) -> u32 {
    let x = x.wrapping_mul(0x85EB_CA6B);
    (x ^ x >> 13).wrapping_mul(0xC2B2_AE35)
}

impl<W: Words> Heap<W> {
    /// `key(len, node)`, with the length read from the span's first tag.
    // Out of line (also `priority_of`): each is used in several loops, where
    // a call is smaller than the body (about 20 and 60 bytes in all).
    #[inline(never)]
    pub(crate) fn key_of(&self, node: u32) -> u64 {
        (self.words.get(node, RECORDS) as u64) << 32 | node as u64
    }

    #[inline(never)]
    pub(crate) fn priority_of(&self, node: u32) -> u32 {
        mix(node)
    }

    #[cfg(test)]
    pub(crate) fn left(&self, node: u32) -> u32 {
        self.words.get(node, LEFT)
    }

    #[cfg(test)]
    pub(crate) fn right(&self, node: u32) -> u32 {
        self.words.get(node, RIGHT)
    }

    /// Hangs the nodes of `tree` keyed below `at` into slot `low` and the rest
    /// into slot `high`.
    fn split(&mut self, mut tree: u32, at: u64, mut low: u32, mut high: u32) {
        while tree != 0 {
            if self.key_of(tree) < at {
                self.words.set(low, 0, tree);
                low = tree + RIGHT;
                tree = self.words.get(low, 0);
            } else {
                self.words.set(high, 0, tree);
                high = tree + LEFT;
                tree = self.words.get(high, 0);
            }
        }
        self.words.set(low, 0, 0);
        self.words.set(high, 0, 0);
    }

    /// Hangs the union of `low` and `high` (every key in `low` below every key
    /// in `high`) into `slot`.
    fn merge(&mut self, mut low: u32, mut high: u32, mut slot: u32) {
        while low != 0 && high != 0 {
            // The root of the union is the part's root of higher priority;
            // the rest of the union hangs on its inner side.
            let from_low = self.priority_of(low) > self.priority_of(high);
            let root = if from_low { low } else { high };
            self.words.set(slot, 0, root);
            let side = if from_low { RIGHT } else { LEFT };
            slot = root + side;
            let rest = self.words.get(root, side);
            if from_low {
                low = rest;
            } else {
                high = rest;
            }
        }
        self.words.set(slot, 0, low | high);
    }

    /// Adds `node` (in no tree) to the treap: it goes where its priority
    /// puts it on the search path of its key, and what hung there is split
    /// between its two sides.
    pub(crate) fn insert(&mut self, node: u32) {
        let (at, priority) = (self.key_of(node), self.priority_of(node));
        let mut slot = ROOT;
        loop {
            let tree = self.words.get(slot, 0);
            if tree == 0 || self.priority_of(tree) < priority {
                self.words.set(slot, 0, node);
                return self.split(tree, at, node + LEFT, node + RIGHT);
            }
            slot = tree + if at < self.key_of(tree) { LEFT } else { RIGHT };
        }
    }

    /// Takes the node keyed `at` out of the treap, which holds it: its two
    /// subtrees, merged, take its place.
    pub(crate) fn remove(&mut self, at: u64) {
        let slot = self.lower_bound(at);
        let node = self.words.get(slot, 0);
        self.merge(
            self.words.get(node, LEFT),
            self.words.get(node, RIGHT),
            slot,
        );
    }

    /// The node with the greatest key (the longest free span), or 0 (block
    /// 0, whose tag is 0) if the treap is empty.
    pub(crate) fn greatest(&self) -> u32 {
        let (mut node, mut next) = (0, self.words.get(ROOT, 0));
        while next != 0 {
            node = next;
            next = self.words.get(node, RIGHT);
        }
        node
    }

    /// The slot holding the node with the least key at or above `at`, or
    /// `NONE` if there is none.
    pub(crate) fn lower_bound(&self, at: u64) -> u32 {
        let (mut slot, mut found) = (ROOT, NONE);
        loop {
            let tree = self.words.get(slot, 0);
            if tree == 0 {
                return found;
            }
            if self.key_of(tree) >= at {
                found = slot;
                slot = tree + LEFT;
            } else {
                slot = tree + RIGHT;
            }
        }
    }
}
