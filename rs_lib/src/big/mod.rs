//! The big core: the same six exports as the core (`take`, `peek`, `free`,
//! `tail`, `grow`, `cut`), with records per span instead of per block.
//!
//! Built with the `big` feature. The core keeps two words for every block of
//! the managed memory, reserved for the whole capacity; this one keeps, in
//! its own linear memory (byte offsets, [`Words`]):
//!
//! ```text
//! 0              the root of the treap (index.rs)
//! 4              0: the slot of "no node"
//! 8 + 4 * bin    the node of the lowest span in small bin `bin`
//! POOL ..        the node pool: 16 bytes per free span (pool.rs)
//! table ..       the hash table: 8 bytes per entry (table.rs), at the top
//! ```
//!
//! The table has one entry per used span (its start block → its length with
//! `USED` set) and two per free span (its start block, and its end, the
//! block after its last, with `END` set → its node), so `free` finds both
//! neighbours in two lookups; keys are hashed by neighbourhood (64 blocks to
//! a window of 8 slots), so those lookups mostly share a cache line or two,
//! at the price of longer probes where spans are much shorter than 8 blocks
//! (about 1.2–1.9× the time on spans of one block). A node holds a free
//! span's start and length and its two treap links. Nothing is kept per
//! block: a heap of `s` spans costs at most about 21 bytes per used span and
//! 59 per free one (the table at its lowest load of 3/8, a pool a third
//! empty); see `docs/CONTRACT.md`.
//!
//! Placement is exact best fit at the low end of the span, as in the core;
//! among spans of equal length, the most recently indexed one for short
//! lengths and the lowest for long ones (`index.rs`; `model.rs` is its
//! reference model).

mod index;
mod pool;
mod table;

#[cfg(test)]
mod check;
#[cfg(any(test, feature = "reference"))]
pub mod model;
#[cfg(test)]
mod tests;

use crate::words::Words;
use index::BINS;

/// The bit of a table value that marks a used span's length.
const USED: u32 = 1 << 31;
/// The bit of a table key that marks a free span's end.
const END: u32 = 1 << 31;
/// The blocks of a 4 GiB memory, the most a wasm32 memory holds.
const MAX_BLOCKS: u32 = 1 << 28;

/// Node fields, as byte offsets from the node's name (`index.rs` has the
/// links, at 0 and 12). Node 0 means "no node": its start and length are
/// the slot of no node and small bin 0's word, both always 0.
const START: u32 = 4;
const LEN: u32 = 8;

/// An exact best-fit heap of 16-byte blocks with records per span. See the
/// module docs for the layout. A new heap has an empty pool and an empty
/// first table, in bytes that are always readable (`words::ALWAYS`).
pub struct Heap<W> {
    pub(crate) words: W,
    /// The last block of the managed memory (block 0 before the first `grow`).
    last: u32,
    /// Bit `b` is set when small bin `b` is not empty.
    small: u64,
    /// The next node never handed out, and the head of the recycled ones.
    top: u32,
    spare: u32,
    /// Where the table starts (the pool ends there), its slots (a power of
    /// two), and its entries.
    table: u32,
    slots: u32,
    count: u32,
}

impl<W: Words> Heap<W> {
    /// A heap of block 0 alone, keeping its records in `words`.
    pub const fn new(words: W) -> Self {
        Heap {
            words,
            last: 0,
            small: 0,
            top: pool::POOL,
            spare: 0,
            table: pool::FIRST_TABLE,
            slots: table::FIRST_SLOTS,
            count: 0,
        }
    }

    /// Blocks in the managed memory (1, block 0, before the first `grow`).
    pub fn capacity(&self) -> u32 {
        self.last + 1
    }

    fn node_start(&self, node: u32) -> u32 {
        self.words.get(node, START)
    }

    fn node_len(&self, node: u32) -> u32 {
        self.words.get(node, LEN)
    }

    /// The node of the free span that ends right before `block`, or 0.
    fn ending_at(&self, block: u32) -> u32 {
        self.get(block | END)
    }

    /// Makes the used span `[start, end)` free, merged with a free neighbour
    /// on either side. A neighbour's node and entries serve the merged span:
    /// the right one's (its end's entry stays), else the left one's (its
    /// start's entry stays), so a merge costs one entry change per side.
    fn release(&mut self, mut start: u32, mut end: u32) {
        let left = self.ending_at(start);
        // Past the last block the table holds nothing: 0.
        let mut right = self.get(end);
        if right & USED != 0 {
            right = 0;
        }
        let mut node = left;
        if left != 0 {
            self.unlink(left);
            self.del(start);
            self.del(start | END);
            start = self.node_start(left);
        }
        if right != 0 {
            self.unlink(right);
            self.del(end);
            end += self.node_len(right);
            if left != 0 {
                self.free_node(left);
            }
            node = right;
        } else {
            if node == 0 {
                node = self.new_node();
            }
            self.put(end | END, node);
        }
        if node != left {
            self.put(start, node);
        }
        self.words.set(node, START, start);
        self.link(node, end - start);
    }

    /// The start of the span that `blocks` (≥ 1) would take now, or 0 if none fits.
    pub fn peek(&self, blocks: u32) -> u32 {
        self.node_start(self.fit(blocks))
    }

    /// Reserves `blocks` (≥ 1) by the best-fit rule; returns the start, or 0 if
    /// no free span is long enough or the records cannot grow (nothing
    /// changes then).
    pub fn take(&mut self, blocks: u32) -> u32 {
        let node = self.fit(blocks);
        if node == 0 || !self.room() {
            return 0;
        }
        let (start, len) = (self.node_start(node), self.node_len(node));
        self.unlink(node);
        // The start's entry becomes the used span's; what is left keeps
        // the node and its last block's entry, under a new start.
        self.put(start, blocks | USED);
        if len > blocks {
            self.words.set(node, START, start + blocks);
            self.put(start + blocks, node);
            self.link(node, len - blocks);
        } else {
            self.del((start + len) | END);
            self.free_node(node);
        }
        start
    }

    /// Frees the used span starting at `block`, merging it with free
    /// neighbours; returns its length, or 0 (nothing changes) if no used span
    /// starts there.
    pub fn free(&mut self, block: u32) -> u32 {
        if block == 0 || block > self.last {
            return 0;
        }
        let value = self.get(block);
        if value & USED == 0 {
            return 0;
        }
        // A free adds at most a node and an entry: make room before
        // anything changes, or change nothing.
        if !self.room() {
            unreachable_room();
        }
        let len = value & !USED;
        self.release(block, block + len);
        len
    }

    /// The length of the free span at the end of the memory (0 if the last
    /// block is used).
    pub fn tail(&self) -> u32 {
        self.node_len(self.ending_at(self.last + 1))
    }

    /// Grows the memory to `cap` blocks, which must be above the capacity and
    /// at most 2^28 (4 GiB); the new blocks join the free tail. Returns false,
    /// changing nothing, otherwise or if the records cannot grow.
    pub fn grow(&mut self, cap: u32) -> bool {
        let was = self.capacity();
        if cap <= was || cap > MAX_BLOCKS || !self.room() {
            return false;
        }
        self.last = cap - 1;
        // The new blocks as a used span, which `release` frees.
        self.put(was, USED);
        self.release(was, cap);
        true
    }

    /// Cuts the memory back to `cap` blocks, which must keep every used span
    /// (`cap ≥ capacity − tail`) and release something (`cap < capacity`).
    /// Returns false, changing nothing, otherwise.
    pub fn shrink(&mut self, cap: u32) -> bool {
        let end = self.capacity();
        let node = self.ending_at(end);
        let len = self.node_len(node);
        let start = end - len;
        if cap.wrapping_sub(start) >= len {
            return false;
        }
        self.unlink(node);
        self.del(end | END);
        self.last = cap - 1;
        if cap > start {
            // The tail keeps its node and start's entry.
            self.put(cap | END, node);
            self.link(node, cap - start);
        } else {
            self.del(start);
            self.free_node(node);
        }
        true
    }
}

/// A free whose records cannot grow: the core's own memory is exhausted
/// (it traps before changing anything).
#[cold]
fn unreachable_room() -> ! {
    #[cfg(target_arch = "wasm32")]
    core::arch::wasm32::unreachable();
    #[cfg(not(target_arch = "wasm32"))]
    panic!("the big core's records cannot grow");
}

const _: () = assert!(BINS <= 64);
