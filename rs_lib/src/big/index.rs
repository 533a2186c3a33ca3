//! The best-fit index of the big core: every free span's node in one treap
//! ordered by `(length, start)`, where best fit is a lower-bound search, and
//! spans shorter than [`BINS`] blocks binned by exact length on top of it (a
//! bitmap of the lengths that have a span, and each bin's lowest span), so a
//! short request is a bit scan and a load.
//!
//! The same scheme as the core's index (`crate::bins`, `crate::tree`), over
//! pool nodes (`pool.rs`) instead of per-block records: a node is named by
//! its byte offset, its key is read from its start and length fields, and
//! every routine works on a *slot* (the offset of the root or of a link).

use super::{Heap, LEN, START};
use crate::words::Words;

/// Spans of 1..BINS blocks are binned by length; longer ones only in the treap.
pub const BINS: u32 = 64;

/// The slot of the root, and one that always holds 0 (no node).
pub(super) const ROOT: u32 = 0;
pub(super) const NONE: u32 = 4;
/// Byte offset of the small bins' lowest nodes (bin 0's word stays 0).
const LEAST: u32 = 8;

/// A node's links, as byte offsets from its name.
pub(super) const LEFT: u32 = 0;
pub(super) const RIGHT: u32 = 12;

/// The order key of a free span: shorter first, then lower address.
fn key(len: u32, start: u32) -> u64 {
    (len as u64) << 32 | start as u64
}

/// A bijective 32-bit mixer (as the core's treap): recycled node names are
/// close together, their priorities unrelated.
fn mix(x: u32) -> u32 {
    let x = x.wrapping_mul(0x85EB_CA6B);
    (x ^ x >> 13).wrapping_mul(0xC2B2_AE35)
}

impl<W: Words> Heap<W> {
    /// The key of `node`, read from its fields.
    // Out of line: used in every loop of the treap.
    #[inline(never)]
    pub(super) fn key_of(&self, node: u32) -> u64 {
        key(self.words.get(node, LEN), self.words.get(node, START))
    }

    /// The node of the lowest span in small bin `bin`, or 0 if it is empty.
    pub(super) fn least(&self, bin: u32) -> u32 {
        self.words.get(bin * 4, LEAST)
    }

    /// The node of the free span where `blocks` (≥ 1) go by the best-fit
    /// rule, or 0.
    pub(super) fn fit(&self, blocks: u32) -> u32 {
        if blocks < BINS {
            let fitting = self.small >> blocks << blocks;
            if fitting != 0 {
                return self.least(fitting.trailing_zeros());
            }
        }
        self.words.get(self.lower_bound(key(blocks, 0)), 0)
    }

    /// Gives `node` (in no tree, its start set) the length `len` and indexes it.
    pub(super) fn link(&mut self, node: u32, len: u32) {
        self.words.set(node, LEN, len);
        self.insert(node);
        if len < BINS {
            let least = self.least(len);
            if least == 0 || self.words.get(node, START) < self.words.get(least, START) {
                self.words.set(len * 4, LEAST, node);
                self.small |= 1 << len;
            }
        }
    }

    /// Takes `node` out of the index (its fields unchanged).
    pub(super) fn unlink(&mut self, node: u32) {
        let at = self.key_of(node);
        let len = (at >> 32) as u32;
        let slot = self.lower_bound(at);
        self.merge(
            self.words.get(node, LEFT),
            self.words.get(node, RIGHT),
            slot,
        );
        if len < BINS && self.least(len) == node {
            // The successor in the treap, if it is as long (node 0's length is 0).
            let mut next = self.words.get(self.lower_bound(at), 0);
            if self.words.get(next, LEN) != len {
                next = 0;
                self.small &= !(1 << len);
            }
            self.words.set(len * 4, LEAST, next);
        }
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
            let from_low = mix(low) > mix(high);
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

    /// Adds `node` (in no tree) where its priority puts it on the search path
    /// of its key; what hung there is split between its two sides.
    fn insert(&mut self, node: u32) {
        let (at, priority) = (self.key_of(node), mix(node));
        let mut slot = ROOT;
        loop {
            let tree = self.words.get(slot, 0);
            if tree == 0 || mix(tree) < priority {
                self.words.set(slot, 0, node);
                return self.split(tree, at, node + LEFT, node + RIGHT);
            }
            slot = tree + if at < self.key_of(tree) { LEFT } else { RIGHT };
        }
    }

    /// The slot holding the node with the least key at or above `at`, or
    /// `NONE` if there is none.
    pub(super) fn lower_bound(&self, at: u64) -> u32 {
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
