//! Test-only: walk the records and check every invariant of the heap.

use crate::bins::BINS;
use crate::heap::{Heap, RECORD, RECORDS, STRONG};
use crate::reference::Span;
use crate::tree::{NONE, ROOT};
use crate::words::Words;
use std::vec::Vec;

impl Heap<Vec<u32>> {
    /// The spans tiling `[0, capacity)`, read from the tags.
    pub fn spans(&self) -> Vec<Span> {
        let mut spans = Vec::new();
        let mut block = 0;
        while block < self.capacity() {
            let tag = self.tag(block);
            let span = if block == 0 {
                assert_eq!(tag, 0, "block 0's tag");
                Span {
                    start: 0,
                    len: 1,
                    used: true,
                }
            } else {
                assert!(tag != 0, "no span starts at block {block}");
                if (tag as i32) < 0 {
                    Span {
                        start: block,
                        len: !tag & !STRONG,
                        used: true,
                    }
                } else {
                    Span {
                        start: block,
                        len: tag,
                        used: false,
                    }
                }
            };
            assert!(
                span.len >= 1 && block + span.len <= self.capacity(),
                "{span:?} runs past {}",
                self.capacity()
            );
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
        assert_eq!(
            spans[0],
            Span {
                start: 0,
                len: 1,
                used: true
            },
            "block 0 is the null guard"
        );
        for pair in spans.windows(2) {
            assert!(pair[0].used || pair[1].used, "adjacent free spans {pair:?}");
        }
        for span in &spans {
            let end = span.start + span.len;
            for block in span.start + 1..end - 1 {
                assert_eq!(self.tag(block), 0, "inner tag of {span:?} at {block}");
            }
            if !span.used {
                assert_eq!(
                    self.tag(end - 1),
                    self.tag(span.start),
                    "end tag of {span:?}"
                );
            } else if span.len > 1 {
                assert_eq!(self.tag(end - 1), 0, "end tag of {span:?}");
            }
        }
        // Tags past the capacity (kept reserved after a shrink) read as no
        // span: the next grow relies on it.
        let reserved = (self.words.len() as u32 * 4 - RECORDS) / RECORD;
        assert!(reserved > self.capacity(), "a record past the last block");
        for block in self.capacity()..reserved {
            assert_eq!(self.tag(block), 0, "tag past the capacity at {block}");
        }

        assert_eq!(self.words.get(NONE, 0), 0, "the slot of no node");

        // Every free span is a node of the treap, once, in key order.
        let mut nodes = Vec::new();
        self.walk(self.words.get(ROOT, 0), None, None, &mut nodes);
        let indexed: Vec<(u32, u32)> = nodes.iter().map(|&n| (n / 8, self.tag(n / 8))).collect();
        let mut free: Vec<(u32, u32)> = spans
            .iter()
            .filter(|s| !s.used)
            .map(|s| (s.start, s.len))
            .collect();
        free.sort_by_key(|&(start, len)| (len, start));
        assert_eq!(indexed, free, "the treap holds exactly the free spans");
        for &node in &nodes {
            assert!(node % 8 == 0 && node != 0, "node {node} names a record");
        }

        // Each small bin knows whether it is empty and its lowest span.
        for bin in 1..BINS {
            let lowest = free
                .iter()
                .filter(|&&(_, len)| len == bin)
                .map(|&(start, _)| start)
                .min();
            assert_eq!(
                lowest.is_some(),
                self.small & 1 << bin != 0,
                "bitmap bit of bin {bin}"
            );
            assert_eq!(
                self.least(bin),
                lowest.unwrap_or(0) * RECORD,
                "lowest span of bin {bin}"
            );
        }
        assert_eq!(self.small & 1, 0, "bit 0 names no bin");
    }

    /// The number of nodes on the longest path from the treap's root down.
    pub fn depth(&self) -> u32 {
        fn below<W: Words>(heap: &Heap<W>, tree: u32) -> u32 {
            if tree == 0 {
                return 0;
            }
            1 + below(heap, heap.words.get(tree, crate::tree::LEFT))
                .max(below(heap, heap.words.get(tree, crate::tree::RIGHT)))
        }
        below(self, self.words.get(ROOT, 0))
    }

    /// In-order walk of the treap, checking key bounds and heap order.
    fn walk(&self, tree: u32, low: Option<u64>, high: Option<u64>, out: &mut Vec<u32>) {
        if tree == 0 {
            return;
        }
        let key = self.key_of(tree);
        assert!(
            low.is_none_or(|low| low < key) && high.is_none_or(|high| key < high),
            "treap order at node {tree}"
        );
        for child in [self.left(tree), self.right(tree)] {
            assert!(
                child == 0 || self.priority_of(child) <= self.priority_of(tree),
                "heap order under node {tree}"
            );
        }
        self.walk(self.left(tree), low, Some(key), out);
        out.push(tree);
        self.walk(self.right(tree), Some(key), high, out);
    }
}
