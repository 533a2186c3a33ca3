//! Test-only: walk the big core's records and check every invariant.

use super::index::{BINS, LEFT, NONE, RIGHT, ROOT};
use super::{Heap, END, LEN, START, USED};
use crate::reference::Span;
use crate::words::Words;
use std::vec::Vec;

impl Heap<Vec<u32>> {
    /// The spans tiling `[0, capacity)`, read from the table.
    pub fn spans(&self) -> Vec<Span> {
        let mut spans = vec![Span {
            start: 0,
            len: 1,
            used: true,
        }];
        let mut block = 1;
        while block < self.capacity() {
            let value = self.get(block);
            assert!(value != 0, "no span starts at block {block}");
            let span = if value & USED != 0 {
                Span {
                    start: block,
                    len: value & !USED,
                    used: true,
                }
            } else {
                assert_eq!(self.words.get(value, START), block, "node {value}'s start");
                Span {
                    start: block,
                    len: self.words.get(value, LEN),
                    used: false,
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

    /// The table's entries, slot by slot, each checked to be found by a
    /// lookup of its key.
    fn entries(&self) -> Vec<(u32, u32)> {
        let mut entries = Vec::new();
        for slot in 0..self.slots {
            let key = self.words.get(self.table + slot * 8, 0);
            let value = self.words.get(self.table + slot * 8, 4);
            if key == 0 {
                assert_eq!(value, 0, "an empty slot's value");
                continue;
            }
            assert_eq!(self.get(key), value, "the lookup of key {key:#x}");
            entries.push((key, value));
        }
        entries
    }

    /// Panics with a description of the first broken invariant.
    pub fn check(&self) {
        let spans = self.spans();
        for pair in spans.windows(2) {
            assert!(pair[0].used || pair[1].used, "adjacent free spans {pair:?}");
        }
        // The table holds exactly: each span's start, each free span's end.
        let mut expected: Vec<u32> = Vec::new();
        for span in &spans[1..] {
            expected.push(span.start);
            if !span.used {
                let node = self.get(span.start);
                assert_eq!(
                    self.get((span.start + span.len) | END),
                    node,
                    "end of {span:?}"
                );
                expected.push((span.start + span.len) | END);
            }
        }
        let mut keys: Vec<u32> = self.entries().iter().map(|e| e.0).collect();
        keys.sort_unstable();
        expected.sort_unstable();
        assert_eq!(keys, expected, "the table's keys");
        assert_eq!(self.count as usize, keys.len(), "the entry count");
        assert!(self.count * 4 <= self.slots * 3, "load above 3/4");
        assert_eq!(self.words.get(NONE, 0), 0, "the slot of no node");

        // Every long free span's node is in the treap, once, in key order.
        let mut nodes = Vec::new();
        self.walk(self.words.get(ROOT, 0), None, None, &mut nodes);
        let indexed: Vec<(u32, u32)> = nodes
            .iter()
            .map(|&n| (self.words.get(n, START), self.words.get(n, LEN)))
            .collect();
        let mut free: Vec<(u32, u32)> = spans
            .iter()
            .filter(|s| !s.used)
            .map(|s| (s.start, s.len))
            .collect();
        let mut long: Vec<(u32, u32)> = free.iter().filter(|f| f.1 >= BINS).copied().collect();
        long.sort_by_key(|&(start, len)| (len, start));
        assert_eq!(indexed, long, "the treap holds exactly the long free spans");

        // Every short one is in the bin of its length, once, with a back
        // link to the slot that points to it.
        for bin in 1..BINS {
            let mut members = Vec::new();
            let mut slot = 8 + bin * 4;
            loop {
                let node = self.words.get(slot, 0);
                if node == 0 {
                    break;
                }
                assert_eq!(self.words.get(node, LEFT), slot, "back link of node {node}");
                assert_eq!(self.words.get(node, LEN), bin, "node {node} in bin {bin}");
                members.push(self.words.get(node, START));
                nodes.push(node);
                slot = node + RIGHT;
            }
            let mut expected: Vec<u32> = free.iter().filter(|f| f.1 == bin).map(|f| f.0).collect();
            assert_eq!(
                !members.is_empty(),
                self.small & 1 << bin != 0,
                "bit of bin {bin}"
            );
            members.sort_unstable();
            expected.sort_unstable();
            assert_eq!(members, expected, "the spans of bin {bin}");
        }
        assert_eq!(self.small & 1, 0, "bit 0 names no bin");
        free.sort_unstable();

        // Live nodes and recycled ones are distinct and fill the pool.
        let mut spare = Vec::new();
        let mut node = self.spare;
        while node != 0 {
            spare.push(node);
            node = self.words.get(node, LEN);
        }
        let mut all: Vec<u32> = nodes.iter().chain(&spare).copied().collect();
        all.sort_unstable();
        all.dedup();
        assert_eq!(
            all.len(),
            nodes.len() + spare.len(),
            "a node both live and spare"
        );
        if self.slots != 0 {
            assert_eq!(
                all.len() as u32,
                (self.top - (8 + 64 * 4)) / 16,
                "every node handed out is live or spare"
            );
            assert!(self.top <= self.table, "the pool runs into the table");
            let top = (self.table + self.slots * 8) as usize / 4;
            assert!(
                self.words[top.min(self.words.len())..]
                    .iter()
                    .all(|&w| w == 0),
                "a word written above the table"
            );
        }
    }

    /// In-order walk of the treap, checking key bounds.
    fn walk(&self, tree: u32, low: Option<u64>, high: Option<u64>, out: &mut Vec<u32>) {
        if tree == 0 {
            return;
        }
        let key = self.key_of(tree);
        assert!(
            low.is_none_or(|low| low < key) && high.is_none_or(|high| key < high),
            "treap order at node {tree}"
        );
        self.walk(self.words.get(tree, LEFT), low, Some(key), out);
        out.push(tree);
        self.walk(self.words.get(tree, RIGHT), Some(key), high, out);
    }

    /// Bytes of the core's records: what its memory must hold.
    pub fn record_bytes(&self) -> u32 {
        self.table + self.slots * 8
    }
}
