//! The best-fit index: every free span, findable by "shortest that fits, then
//! lowest address" in O(1) for short requests and O(log n) otherwise.
//!
//! Spans shorter than [`BINS`] blocks sit in a bin of their exact length; a
//! bitmap says which bins are non-empty and each bin remembers its lowest span,
//! so a short request is a bit scan and a load. Longer spans share bin 0, a
//! treap ordered by `(length, start)` where best fit is a lower-bound search.

use crate::heap::Heap;
use crate::tree::key;
use crate::words::Words;

/// Bins 1..BINS hold spans of exactly that many blocks; bin 0 holds the rest.
pub const BINS: u32 = 64;

fn bin(len: u32) -> u32 {
    if len < BINS {
        len
    } else {
        0
    }
}

impl<W: Words> Heap<W> {
    /// The free span where `blocks` (≥ 1) go by the best-fit rule, or 0.
    #[inline(never)]
    pub(crate) fn fit(&self, blocks: u32) -> u32 {
        if blocks < BINS {
            let fitting = self.small >> blocks << blocks;
            if fitting != 0 {
                return self.least[fitting.trailing_zeros() as usize];
            }
        }
        self.lower_bound(self.root(0), key(blocks, 0))
    }

    /// Adds a free span's node to its bin.
    #[inline(never)]
    pub(crate) fn link(&mut self, node: u32) {
        let bin = bin(self.len(node));
        let least = self.least[bin as usize];
        if bin != 0 && (self.root(bin) == 0 || self.start(node) < self.start(least)) {
            self.least[bin as usize] = node;
            self.small |= 1 << bin;
        }
        self.insert(bin, node);
    }

    /// Takes a free span's node out of its bin; call before its span changes.
    #[inline(never)]
    pub(crate) fn unlink(&mut self, node: u32) {
        let bin = bin(self.len(node));
        self.remove(bin, node);
        if bin != 0 && self.least[bin as usize] == node {
            let root = self.root(bin);
            if root == 0 {
                self.small &= !(1 << bin);
            }
            self.least[bin as usize] = self.lower_bound(root, 0);
        }
    }
}
