//! The heap: spans of 16-byte blocks tiling `[0, capacity)`, each used or free.
//!
//! Records live outside the managed memory, in [`Words`]:
//!
//! - a **tag** per block of the managed memory. The first block of a used span
//!   holds `length << 1 | 1`; the first and last blocks of a free span hold
//!   `node << 1` (node ≥ 1); every other tag is 0. Both neighbours of a span are
//!   therefore one load away, as with boundary tags, without writing a byte into
//!   the memory being managed.
//! - a **node** of four words per free span: start, length and two treap links.
//!   Nodes are found through the tags and indexed by the bins (`bins.rs`).
//!
//! Block 0 is a used span that is never freed, so no address below 16 is handed
//! out and every free span has a used span to its left.
//!
//! Layout in the words: the bins' treap roots `[0, BINS)`, the tags from `BINS`
//! to `nodes_at`, then node `n` at `nodes_at + 4n`. Tags grow only when the
//! managed memory does (and then the nodes move up); nodes grow by doubling,
//! when a free needs one and none is spare. Node 0 is never written, so it
//! reads as an empty span at block 0: "no node".

use crate::bins::BINS;
use crate::words::Words;

const START: u32 = 0;
const LEN: u32 = 1;
pub(crate) const LEFT: u32 = 2;
pub(crate) const RIGHT: u32 = 3;

fn used_tag(len: u32) -> u32 {
    len << 1 | 1
}

fn free_tag(node: u32) -> u32 {
    node << 1
}

/// The node of a free span's first or last block, or 0 for any other tag.
fn free_node(tag: u32) -> u32 {
    if tag & 1 == 0 {
        tag >> 1
    } else {
        0
    }
}

/// An exact best-fit heap of 16-byte blocks. See the module docs for the layout.
pub struct Heap<W> {
    pub(crate) words: W,
    /// Blocks in the managed memory; 0 until the first `grow`.
    cap: u32,
    /// Index of node 0's first word (and the end of the tags).
    nodes_at: u32,
    /// The highest node index the words have room for.
    node_room: u32,
    /// The highest node index ever handed out.
    node_top: u32,
    /// Released nodes, linked through their `LEFT` word.
    spare: u32,
    /// Bit `b` is set when small bin `b` is not empty.
    pub(crate) small: u64,
    /// Each small bin's node with the lowest start.
    pub(crate) least: [u32; BINS as usize],
}

impl<W: Words> Heap<W> {
    /// An empty heap (capacity 0) keeping its records in `words`.
    pub const fn new(words: W) -> Self {
        Heap {
            words,
            cap: 0,
            nodes_at: BINS,
            node_room: 0,
            node_top: 0,
            spare: 0,
            small: 0,
            least: [0; BINS as usize],
        }
    }

    /// Blocks in the managed memory.
    pub fn capacity(&self) -> u32 {
        self.cap
    }

    /// One past the last tag word's block.
    #[cfg(test)]
    pub(crate) fn tags_end(&self) -> u32 {
        self.nodes_at - BINS
    }

    /// The root of a bin's treap; the word index `bin` is its slot.
    pub(crate) fn root(&self, bin: u32) -> u32 {
        self.words.get(bin)
    }

    pub(crate) fn tag(&self, block: u32) -> u32 {
        self.words.get(BINS + block)
    }

    fn set_tag(&mut self, block: u32, tag: u32) {
        self.words.set(BINS + block, tag)
    }

    /// The word index of one of a node's four words.
    pub(crate) fn slot(&self, node: u32, field: u32) -> u32 {
        self.nodes_at + node * 4 + field
    }

    fn field(&self, node: u32, field: u32) -> u32 {
        self.words.get(self.slot(node, field))
    }

    fn set_field(&mut self, node: u32, field: u32, value: u32) {
        self.words.set(self.slot(node, field), value)
    }

    pub(crate) fn start(&self, node: u32) -> u32 {
        self.field(node, START)
    }

    pub(crate) fn len(&self, node: u32) -> u32 {
        self.field(node, LEN)
    }

    pub(crate) fn left(&self, node: u32) -> u32 {
        self.field(node, LEFT)
    }

    pub(crate) fn right(&self, node: u32) -> u32 {
        self.field(node, RIGHT)
    }

    fn set_left(&mut self, node: u32, to: u32) {
        self.set_field(node, LEFT, to)
    }

    /// Records the free span `[start, start + len)` in `node` and indexes it.
    #[inline(never)]
    fn put_free(&mut self, node: u32, start: u32, len: u32) {
        self.set_field(node, START, start);
        self.set_field(node, LEN, len);
        self.set_tag(start, free_tag(node));
        self.set_tag(start + len - 1, free_tag(node));
        self.link(node);
    }

    /// A node for a new free span, or 0 when the words cannot grow.
    #[inline(never)]
    fn new_node(&mut self) -> u32 {
        let node = self.spare;
        if node != 0 {
            self.spare = self.left(node);
            return node;
        }
        if self.node_top == self.node_room {
            let room = self.node_room * 2 + 15;
            if !self.words.reserve(self.nodes_at + (room + 1) * 4) {
                return 0;
            }
            self.node_room = room;
        }
        self.node_top += 1;
        self.node_top
    }

    #[inline(never)]
    fn release(&mut self, node: u32) {
        self.set_left(node, self.spare);
        self.spare = node;
    }

    /// Room for `blocks` tags, moving the nodes up if they are in the way.
    #[inline(never)]
    fn widen(&mut self, blocks: u32) -> bool {
        let (old, tags) = (self.nodes_at, BINS + blocks);
        if tags <= old {
            return true;
        }
        let nodes = if self.node_room == 0 { 0 } else { (self.node_room + 1) * 4 };
        if !self.words.reserve(tags + nodes) {
            return false;
        }
        self.words.copy(old, tags, nodes);
        self.words.zero(old, tags - old);
        self.nodes_at = tags;
        true
    }

    /// The start of the span that `blocks` (≥ 1) would take now, or 0 if none fits.
    pub fn peek(&self, blocks: u32) -> u32 {
        // Node 0's words are never written, so a miss reads start 0.
        self.start(self.fit(blocks))
    }

    /// Reserves `blocks` (≥ 1) by the best-fit rule; returns the start, or 0 if
    /// no free span is long enough (nothing changes then).
    pub fn take(&mut self, blocks: u32) -> u32 {
        let node = self.fit(blocks);
        if node == 0 {
            return 0;
        }
        let (start, len) = (self.start(node), self.len(node));
        self.unlink(node);
        if len > blocks {
            self.put_free(node, start + blocks, len - blocks);
        } else {
            self.set_tag(start + len - 1, 0);
            self.release(node);
        }
        self.set_tag(start, used_tag(blocks));
        start
    }

    /// Frees the used span starting at `block` and merges it with free
    /// neighbours. Returns false, changing nothing, if no used span starts
    /// there (or if the words could not grow for a new record).
    pub fn free(&mut self, block: u32) -> bool {
        if block == 0 || block >= self.cap {
            return false;
        }
        let tag = self.tag(block);
        if tag & 1 == 0 {
            return false;
        }
        let (mut start, mut end) = (block, block + (tag >> 1));
        self.set_tag(block, 0);
        let mut node = free_node(self.tag(block - 1));
        if node != 0 {
            self.unlink(node);
            self.set_tag(block - 1, 0);
            start = self.start(node);
        }
        let right = if end < self.cap { free_node(self.tag(end)) } else { 0 };
        if right != 0 {
            self.unlink(right);
            self.set_tag(end, 0);
            end += self.len(right);
            if node == 0 {
                node = right;
            } else {
                self.release(right);
            }
        }
        if node == 0 {
            node = self.new_node();
            if node == 0 {
                self.set_tag(block, tag);
                return false;
            }
        }
        self.put_free(node, start, end - start);
        true
    }

    /// The node of the free span at the end of the memory, or 0.
    #[inline(never)]
    fn last_free(&self) -> u32 {
        if self.cap == 0 {
            return 0;
        }
        free_node(self.tag(self.cap - 1))
    }

    /// Free blocks at the end of the memory (0 if the last span is used).
    pub fn tail(&self) -> u32 {
        self.len(self.last_free())
    }

    /// Extends the memory to `cap` blocks (more than now, at least 2); the new
    /// blocks join the free tail. Returns false, changing nothing, if the
    /// records cannot grow.
    pub fn grow(&mut self, cap: u32) -> bool {
        let was = self.cap.max(1);
        if cap <= was || !self.widen(cap) {
            return false;
        }
        let mut node = free_node(self.tag(was - 1));
        let mut start = was;
        if node != 0 {
            self.unlink(node);
            self.set_tag(was - 1, 0);
            start = self.start(node);
        } else {
            node = self.new_node();
            if node == 0 {
                return false;
            }
        }
        if self.cap == 0 {
            self.set_tag(0, used_tag(1));
        }
        self.put_free(node, start, cap - start);
        self.cap = cap;
        true
    }

    /// Cuts the memory back to `cap` blocks, which must keep every used span
    /// (`cap ≥ capacity − tail`) and release something (`cap < capacity`).
    /// Returns false, changing nothing, otherwise.
    pub fn shrink(&mut self, cap: u32) -> bool {
        let node = self.last_free();
        let start = self.start(node);
        if node == 0 || cap < start || cap >= self.cap {
            return false;
        }
        self.unlink(node);
        self.set_tag(self.cap - 1, 0);
        self.set_tag(start, 0);
        if cap == start {
            self.release(node);
        } else {
            self.put_free(node, start, cap - start);
        }
        self.cap = cap;
        true
    }
}
