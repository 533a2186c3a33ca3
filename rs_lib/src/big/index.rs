//! The best-fit index of the big core. Spans shorter than [`BINS`] blocks
//! sit in bins by exact length, each a doubly linked list with the most
//! recently indexed span first, and a bitmap says which bins hold a span:
//! a short request is a bit scan and a load, and a span leaves its bin in
//! constant time. Longer spans sit in a treap ordered by `(length, start)`,
//! where best fit is a lower-bound search, as in the core (`crate::tree`).
//!
//! So among free spans of equal length, a short request gets the one that
//! became free (or changed length) last, and a long one the lowest; see
//! docs/CONTRACT.md for why.
//!
//! A node is named by its byte offset in the pool (`pool.rs`); its two link
//! words are a treap node's children, or a bin member's next node and the
//! *slot* that points to it (the bin's head word, or the previous member's
//! next word). Every routine works on slots: offsets of words that hold a
//! node's name.

use super::{Heap, LEN, START};
use crate::words::Words;

/// Spans of 1..BINS blocks are binned by length; longer ones only in the treap.
pub const BINS: u32 = 64;

/// The slot of the root, and one that always holds 0 (no node).
pub(super) const ROOT: u32 = 0;
pub(super) const NONE: u32 = 4;
/// Byte offset of the small bins' first nodes (bin 0's word stays 0).
const LEAST: u32 = 8;

const _: () = assert!(LEN == START + 4);

/// A node's links, as byte offsets from its name: a treap node's children,
/// or a bin member's back slot and next node.
pub(super) const LEFT: u32 = 0;
pub(super) const RIGHT: u32 = 12;
const BACK: u32 = LEFT;
const NEXT: u32 = RIGHT;

/// The order key of a free span: shorter first, then lower address.
fn key(len: u32, start: u32) -> u64 {
    (len as u64) << 32 | start as u64
}

/// A bijective 32-bit mixer (as the core's treap): recycled node names are
/// close together, their priorities unrelated.
// Out of line: a call is smaller than the body at each of its four uses.
#[inline(never)]
fn mix(x: u32) -> u32 {
    let x = x.wrapping_mul(0x85EB_CA6B);
    (x ^ x >> 13).wrapping_mul(0xC2B2_AE35)
}

impl<W: Words> Heap<W> {
    /// The key of `node`, read from its fields.
    // Out of line: used in every loop of the treap.
    #[inline(never)]
    pub(super) fn key_of(&self, node: u32) -> u64 {
        // The start, then the length: `key(len, start)` in one read.
        self.words.get2(node, START)
    }

    /// The first node of small bin `bin`, or 0 if it is empty.
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

    /// Gives `node` (in no bin or tree, its start set) the length `len` and
    /// indexes it.
    pub(super) fn link(&mut self, node: u32, len: u32) {
        self.words.set(node, LEN, len);
        if len < BINS {
            // First in its bin: the old first's back link is our next word.
            let head = len * 4 + LEAST;
            let first = self.words.get(head, 0);
            if first != 0 {
                self.words.set(first, BACK, node + NEXT);
            }
            self.words.set(node, NEXT, first);
            self.words.set(node, BACK, head);
            self.words.set(head, 0, node);
            self.small |= 1 << len;
        } else {
            self.insert(node);
        }
    }

    /// Takes `node` out of the index (its fields unchanged).
    pub(super) fn unlink(&mut self, node: u32) {
        let len = self.words.get(node, LEN);
        if len < BINS {
            let (back, next) = (self.words.get(node, BACK), self.words.get(node, NEXT));
            self.words.set(back, 0, next);
            if next != 0 {
                self.words.set(next, BACK, back);
            }
            if self.least(len) == 0 {
                self.small &= !(1 << len);
            }
        } else {
            let at = self.key_of(node);
            let slot = self.lower_bound(at);
            self.merge(
                self.words.get(node, LEFT),
                self.words.get(node, RIGHT),
                slot,
            );
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
