//! Test-only: walk the records and check every invariant of the heap.

use crate::bins::BINS;
use crate::heap::Heap;
use crate::words::Words;
use std::collections::BTreeSet;
use std::vec::Vec;

/// One span as the tags describe it.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct Span {
    pub start: u32,
    pub len: u32,
    pub used: bool,
}

impl<W: Words> Heap<W> {
    /// The spans tiling `[0, capacity)`, read from the tags.
    pub fn spans(&self) -> Vec<Span> {
        let mut spans = Vec::new();
        let mut block = 0;
        while block < self.capacity() {
            let tag = self.tag(block);
            assert!(tag != 0, "no span starts at block {block}");
            let span = if tag & 1 == 1 {
                Span { start: block, len: tag >> 1, used: true }
            } else {
                let node = tag >> 1;
                assert_eq!(self.start(node), block, "node {node} of the free span at {block}");
                Span { start: block, len: self.len(node), used: false }
            };
            assert!(span.len >= 1 && block + span.len <= self.capacity(), "{span:?} runs past {}", self.capacity());
            block += span.len;
            spans.push(span);
        }
        spans
    }

    /// Panics with a description of the first broken invariant.
    pub fn check(&self) {
        let spans = self.spans();
        if self.capacity() == 0 {
            return;
        }
        assert_eq!(spans[0], Span { start: 0, len: 1, used: true }, "block 0 is the null guard");
        for pair in spans.windows(2) {
            assert!(pair[0].used || pair[1].used, "adjacent free spans {pair:?}");
        }
        for span in &spans {
            let end = span.start + span.len;
            for block in span.start + 1..end - 1 {
                assert_eq!(self.tag(block), 0, "inner tag of {span:?} at {block}");
            }
            if !span.used {
                assert_eq!(self.tag(end - 1), self.tag(span.start), "end tag of {span:?}");
            } else if span.len > 1 {
                assert_eq!(self.tag(end - 1), 0, "end tag of {span:?}");
            }
        }
        for block in self.capacity()..self.tags_end() {
            assert_eq!(self.tag(block), 0, "tag past the capacity at {block}");
        }

        // Every free span is in exactly the right bin, once, in treap order.
        let mut indexed = BTreeSet::new();
        for bin in 0..BINS {
            let mut nodes = Vec::new();
            self.walk(self.root(bin), None, None, &mut nodes);
            let empty = nodes.is_empty();
            assert_eq!(bin == 0 || empty, self.small & 1 << bin == 0, "bitmap bit of bin {bin}");
            for &node in &nodes {
                let len = self.len(node);
                assert_eq!(if len < BINS { len } else { 0 }, bin, "node {node} of length {len} in bin {bin}");
                assert!(indexed.insert(self.start(node)), "span at {} indexed twice", self.start(node));
            }
            if bin != 0 && !empty {
                let lowest = nodes.iter().copied().min_by_key(|&n| self.start(n)).unwrap();
                assert_eq!(self.least[bin as usize], lowest, "lowest span of bin {bin}");
            }
        }
        let free: BTreeSet<u32> = spans.iter().filter(|s| !s.used).map(|s| s.start).collect();
        assert_eq!(indexed, free, "the bins hold exactly the free spans");
    }

    /// In-order walk of a treap, checking key bounds and heap order.
    fn walk(&self, tree: u32, low: Option<u64>, high: Option<u64>, out: &mut Vec<u32>) {
        if tree == 0 {
            return;
        }
        let key = self.key_of(tree);
        assert!(low.map_or(true, |low| low < key) && high.map_or(true, |high| key < high), "treap order at node {tree}");
        for child in [self.left(tree), self.right(tree)] {
            assert!(child == 0 || self.priority_of(child) <= self.priority_of(tree), "heap order under node {tree}");
        }
        self.walk(self.left(tree), low, Some(key), out);
        out.push(tree);
        self.walk(self.right(tree), Some(key), high, out);
    }
}
