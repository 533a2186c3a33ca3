//! The best-fit index: every free span, findable by "shortest that fits, then
//! lowest address" in O(1) for short requests and O(log n) otherwise.
//!
//! All free spans sit in one treap ordered by `(length, start)` (`tree.rs`),
//! where best fit is a lower-bound search. On top of it, spans shorter than
//! [`BINS`] blocks are binned by exact length: a bitmap says which lengths
//! have a span and each bin remembers its lowest span, so a short request is
//! a bit scan and a load. When a bin's lowest span leaves, the next one is its
//! successor in the treap.

use crate::heap::{bump, Heap, FREES, LEAST, RECORD, RECORDS};
use crate::tree::key;
use crate::words::Words;

/// Spans of 1..BINS blocks are binned by length; longer ones only in the treap.
pub const BINS: u32 = 64;

impl<W: Words> Heap<W> {
    /// The node of the lowest span in small bin `bin`, or 0 if it is empty.
    // Out of line: a call is smaller than the body at each use (10 bytes
    // in all).
    #[inline(never)]
    pub(crate) fn least(&self, bin: u32) -> u32 {
        self.words.get(bin * 4, LEAST)
    }

    fn set_least(&mut self, bin: u32, node: u32) {
        self.words.set(bin * 4, LEAST, node)
    }

    /// The start of the free span where `blocks` (≥ 1) go by the best-fit
    /// rule, or 0.
    pub(crate) fn fit(&self, blocks: u32) -> u32 {
        if blocks < BINS {
            let fitting = self.small >> blocks << blocks;
            if fitting != 0 {
                return self.least(fitting.trailing_zeros()) / RECORD;
            }
        }
        // Node 0 (none) is block 0.
        self.words.get(self.lower_bound(key(blocks, 0)), 0) / RECORD
    }

    /// Indexes the free span `node` of `len` blocks (tagged already).
    pub(crate) fn link(&mut self, node: u32, len: u32) {
        bump(&mut self.counts[FREES], 1);
        self.insert(node);
        // An empty bin's least node is 0, which wraps to the greatest.
        if len < BINS && node <= self.least(len).wrapping_sub(1) {
            self.set_least(len, node);
            self.small |= 1 << len;
        }
    }

    /// Takes the free span `node` of `len` blocks out of the index (while it
    /// is still tagged).
    pub(crate) fn unlink(&mut self, node: u32, len: u32) {
        let at = self.key_of(node);
        bump(&mut self.counts[FREES], u32::MAX);
        self.remove(at);
        if len < BINS && self.least(len) == node {
            // The successor in the treap, if it is as long (its first tag is
            // its length; node 0's, block 0's, is 0).
            let mut next = self.words.get(self.lower_bound(at), 0);
            if self.words.get(next, RECORDS) != len {
                next = 0;
                self.small &= !(1 << len);
            }
            self.set_least(len, next);
        }
    }
}
