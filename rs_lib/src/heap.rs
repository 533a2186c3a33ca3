//! The heap: spans of 16-byte blocks tiling `[0, capacity)`, each used or free.
//!
//! Records live outside the managed memory, in [`Words`] (byte offsets):
//!
//! ```text
//! 0              the root of the treap (tree.rs)
//! 4              0: the slot of "no node" (tree.rs)
//! 8 + 4 * bin    the node of the lowest span in small bin `bin` (bins.rs)
//! RECORDS + 8b   the record of block b: a tag word, then a link word
//! ```
//!
//! A **tag** is a boundary tag kept beside the memory instead of in it:
//!
//! - the first block of a used span holds its length inverted, `!length`
//!   (lengths are below 2^31, so the top bit says "used");
//! - the first and the last block of a free span hold its length (one word
//!   when the span is one block long);
//! - every other tag is 0, and so is block 0's: block 0 is a used span that is
//!   never freed, so no address below 16 is handed out, every free span has a
//!   used span to its left, and `free(0)` sees no used start. So are the tags
//!   past the last block (new records read 0, `shrink` clears what it cuts):
//!   the end of the memory looks like a used neighbour.
//!
//! So both neighbours of a span are one load away, and a free span's length
//! can be read from either end.
//!
//! The **link words** make each free span its own treap node, with no node to
//! allocate: the node of the free span starting at block `b` is named by the
//! offset `8b` of its record, its key is `(length, b)`, its left link is the
//! link word of block `b` and its right link that of block `b + 1`. For a span
//! of two blocks or more both words are its own; for a one-block span the
//! second belongs to the next span, which is used (free spans are never
//! adjacent) and so has no use for its link word, or is the spare record past
//! the end of the memory. Node 0 is block 0, a used span: it means "no node".
//!
//! The records cost 8 bytes per 16-byte block and nothing per free span:
//! twice what tags alone would, in exchange for no node pool to allocate, grow
//! or move when the tags grow, which keeps the core small.

use crate::bins::BINS;
use crate::tree::key;
use crate::words::Words;

/// Byte offset of block 0's record, past a least-node word per small bin.
pub(crate) const RECORDS: u32 = LEAST + BINS * 4;
/// Byte offset of the small bins' lowest nodes (`bins.rs`).
pub(crate) const LEAST: u32 = 8;
/// A record's bytes: a tag word and a link word.
pub(crate) const RECORD: u32 = 8;
/// The blocks of a 4 GiB memory, the most a wasm32 memory holds.
const MAX_BLOCKS: u32 = 1 << 28;

/// The bit of a used span's first tag that is clear when the span is
/// **strong** (freed only by an explicit `free`) and set when the facade has
/// a token for it. `take` hands out spans with the bit set.
pub(crate) const STRONG: u32 = 1 << 30;

/// The bit `span` sets for a free span (no used span's `!tag` has it).
pub(crate) const FREE: u32 = 1 << 31;

/// The first tag of a used span of `len` blocks (not strong).
fn used_tag(len: u32) -> u32 {
    !len
}

/// `!tag` if `tag` is a used span's first (its length, with [`STRONG`] set
/// when it is strong), or None.
fn used(tag: u32) -> Option<u32> {
    if (tag as i32) < 0 {
        Some(!tag)
    } else {
        None
    }
}

/// The length of the used span whose first block holds `tag`, or None if
/// `tag` is not a used span's first.
fn used_len(tag: u32) -> Option<u32> {
    used(tag).map(|bits| bits & (MAX_BLOCKS - 1))
}

/// The length of the free span whose first or last block holds `tag`, or 0
/// if `tag` is not a free span's end.
fn free_len(tag: u32) -> u32 {
    if (tag as i32) > 0 {
        tag
    } else {
        0
    }
}

/// An exact best-fit heap of 16-byte blocks. See the module docs for the layout.
///
/// Every field starts at 0, so the heap's static lives in zeroed memory.
pub struct Heap<W> {
    pub(crate) words: W,
    /// The last block of the managed memory: block 0 (the null guard)
    /// until the first `grow`, so a fresh heap needs no special case.
    last: u32,
    /// Bit `b` is set when small bin `b` is not empty.
    pub(crate) small: u64,
    /// What `stat` reads: blocks in used spans and used spans (block 0
    /// aside in both), and free spans.
    pub(crate) counts: [u32; 3],
}

/// Adds `delta` to `count`, wrapping (so `delta.wrapping_neg()` subtracts).
// Out of line: a call is smaller than the load, add and store at each use.
#[inline(never)]
pub(crate) fn bump(count: &mut u32, delta: u32) {
    *count = count.wrapping_add(delta);
}

const USED: usize = 0;
const SPANS: usize = 1;
pub(crate) const FREES: usize = 2;

impl<W: Words> Heap<W> {
    /// A heap of block 0 alone, keeping its records in `words`.
    pub const fn new(words: W) -> Self {
        Heap {
            words,
            last: 0,
            small: 0,
            counts: [0; 3],
        }
    }

    /// Blocks in the managed memory (1, block 0, before the first `grow`).
    pub fn capacity(&self) -> u32 {
        self.last + 1
    }

    /// The tag of `block`.
    // Out of line: with the address arithmetic in one place, the core is
    // about 30 bytes smaller.
    #[inline(never)]
    pub(crate) fn tag(&self, block: u32) -> u32 {
        self.words.get(block * RECORD, RECORDS)
    }

    fn set_tag(&mut self, block: u32, tag: u32) {
        self.words.set(block * RECORD, RECORDS, tag)
    }

    /// Tags `[start, start + len)` as free and indexes it.
    fn put_free(&mut self, start: u32, len: u32) {
        self.tag_ends(start, len, len);
        self.link(start * RECORD, len);
    }

    /// Writes `tag` into the first and the last block of `[start, start + len)`.
    fn tag_ends(&mut self, start: u32, len: u32, tag: u32) {
        self.set_tag(start, tag);
        self.set_tag(start + len - 1, tag);
    }

    /// Takes the free span `[start, start + len)` out of the index and the tags.
    fn drop_free(&mut self, start: u32, len: u32) {
        self.unlink(start * RECORD, len);
        self.tag_ends(start, len, 0);
    }

    /// Makes `[start, end)` (used until now, or new) free, merged with a free
    /// neighbour on either side.
    fn release(&mut self, mut start: u32, mut end: u32) {
        // A used span's tag: inner once merged with a free span on the left.
        self.set_tag(start, 0);
        let left = free_len(self.tag(start - 1));
        if left != 0 {
            start -= left;
            self.drop_free(start, left);
        }
        // At the end of the memory this is the spare record's tag: 0.
        let right = free_len(self.tag(end));
        if right != 0 {
            self.drop_free(end, right);
            end += right;
        }
        self.put_free(start, end - start);
    }

    /// The start of the span that `blocks` (≥ 1) would take now, or 0 if none fits.
    pub fn peek(&self, blocks: u32) -> u32 {
        self.fit(blocks)
    }

    /// Reserves `blocks` (≥ 1) by the best-fit rule; returns the start, or 0 if
    /// no free span is long enough (nothing changes then).
    pub fn take(&mut self, blocks: u32) -> u32 {
        let start = self.fit(blocks);
        if start != 0 {
            self.carve(start, start, blocks);
        }
        start
    }

    /// Reserves `[at, at + blocks)` inside the free span starting at `start`;
    /// what is left on either side stays free.
    fn carve(&mut self, start: u32, at: u32, blocks: u32) {
        let end = start + self.tag(start);
        self.drop_free(start, end - start);
        if at > start {
            self.put_free(start, at - start);
        }
        self.set_tag(at, used_tag(blocks));
        if end > at + blocks {
            self.put_free(at + blocks, end - at - blocks);
        }
        bump(&mut self.counts[USED], blocks);
        bump(&mut self.counts[SPANS], 1);
    }

    /// Where `blocks` (≥ 1) go at a multiple of `align` blocks (a power of
    /// two): the shortest free span that holds them at such a multiple, the
    /// lowest among equals, at its lowest such multiple; 0 if none. With
    /// `commit`, reserves them there. Visits the free spans in best-fit order
    /// until one fits: O(log n) per span that is too short once aligned.
    pub fn aligned(&mut self, blocks: u32, align: u32, commit: bool) -> u32 {
        let mut at = key(blocks, 0);
        loop {
            let node = self.words.get(self.lower_bound(at), 0);
            if node == 0 {
                return 0;
            }
            let (start, len) = (node / RECORD, self.words.get(node, RECORDS));
            let first = (start + align - 1) & !(align - 1);
            if first - start + blocks <= len {
                if commit {
                    self.carve(start, first, blocks);
                }
                return first;
            }
            at = key(len, node) + 1;
        }
    }

    /// The first free span of `blocks` (≥ 1) or more, walking the spans in
    /// address order from the one that starts at `from` (from block 1 if no
    /// span starts there); 0 if none does before the end. For the first-fit
    /// and next-fit policies: O(spans walked).
    pub fn first(&self, blocks: u32, from: u32) -> u32 {
        let mut block = if self.starts(from) { from } else { 1 };
        while block <= self.last {
            let tag = self.tag(block);
            let len = match used_len(tag) {
                Some(len) => len,
                None if tag >= blocks => return block,
                None => tag,
            };
            block += len;
        }
        0
    }

    /// Whether a span starts at `block`: a used span's first tag says so; a
    /// free span's could be its last, so the index decides.
    fn starts(&self, block: u32) -> bool {
        if block == 0 || block > self.last {
            return false;
        }
        let tag = self.tag(block);
        (tag as i32) < 0
            || tag != 0
                && self
                    .words
                    .get(self.lower_bound(key(tag, block * RECORD)), 0)
                    == block * RECORD
    }

    /// Reserves `[at, at + blocks)` (`blocks` ≥ 1), which must lie inside the
    /// free span starting at `start`: the facade's way to mark a range it must
    /// never hand out. Returns false, changing nothing, if no free span
    /// starts at `start` (the index says: a tag alone could be a free span's
    /// last) or the range runs outside it.
    pub fn claim(&mut self, start: u32, at: u32, blocks: u32) -> bool {
        if blocks == 0
            || at < start
            || !self.starts(start)
            || at - start + blocks > free_len(self.tag(start))
        {
            return false;
        }
        self.carve(start, at, blocks);
        true
    }

    /// Frees the used span starting at `block` and merges it with free
    /// neighbours; returns its length. Returns 0, changing nothing, if no used
    /// span starts there.
    pub fn free(&mut self, block: u32) -> u32 {
        if block > self.last {
            return 0;
        }
        let Some(len) = used_len(self.tag(block)) else {
            return 0;
        };
        self.release(block, block + len);
        bump(&mut self.counts[USED], len.wrapping_neg());
        bump(&mut self.counts[SPANS], u32::MAX);
        len
    }

    /// What starts (or ends) at `block`: for the first block of a used span,
    /// `!tag`, its length with [`STRONG`] set if it is strong; for the first
    /// or the last block of a free span, its length with [`FREE`] set; else 0.
    pub fn span(&self, block: u32) -> u32 {
        if block > self.last {
            return 0;
        }
        let tag = self.tag(block);
        used(tag).unwrap_or(if tag != 0 { tag | FREE } else { 0 })
    }

    /// Makes the used span starting at `block` strong if it was not, and
    /// not strong if it was. Returns false, changing nothing, if no used span
    /// starts there.
    pub fn flip(&mut self, block: u32) -> bool {
        if block > self.last || used(self.tag(block)).is_none() {
            return false;
        }
        self.set_tag(block, self.tag(block) ^ STRONG);
        true
    }

    /// Changes the length of the used span starting at `block` to `blocks`
    /// (≥ 1) where it lies: a shorter span frees its end (merged with a free
    /// right neighbour); a longer one takes the start of the free span right
    /// after it, which must be long enough. Keeps the span's strong bit.
    /// Returns false, changing nothing, if no used span starts at `block` or
    /// it cannot grow in place.
    pub fn resize(&mut self, block: u32, blocks: u32) -> bool {
        if block > self.last {
            return false;
        }
        let Some(len) = used_len(self.tag(block)) else {
            return false;
        };
        // `[block + blocks, stop)` is released: the cut end, or what is
        // left of the free right neighbour once the span has grown into it.
        let mut stop = block + len;
        if blocks > len {
            let right = free_len(self.tag(stop));
            if right < blocks - len {
                return false;
            }
            self.drop_free(stop, right);
            stop += right;
        }
        if block + blocks < stop {
            self.release(block + blocks, stop);
        }
        // `!tag` is the length with the strong bit: swap the length alone.
        self.set_tag(block, self.tag(block) ^ len ^ blocks);
        self.counts[USED] = self.counts[USED] - len + blocks;
        true
    }

    /// Usage counts for the facade's `stats()`: 0, blocks in used spans;
    /// 1, used spans; 2, free spans; 3, the length of the longest free span
    /// (O(log n)), also for anything above 3; block 0 counts in none.
    pub fn stat(&self, which: u32) -> u32 {
        match self.counts.get(which as usize) {
            Some(&count) => count,
            None => self.tag(self.greatest() / RECORD),
        }
    }

    /// Free blocks at the end of the memory (0 if the last span is used).
    pub fn tail(&self) -> u32 {
        free_len(self.tag(self.last))
    }

    /// Extends the memory to `cap` blocks (more than now, at least 2, at most
    /// 2^28: 4 GiB); the new blocks join the free tail. Returns false, changing
    /// nothing, otherwise or if the records cannot grow.
    pub fn grow(&mut self, cap: u32) -> bool {
        let was = self.capacity();
        // A record per block and the spare one past the end (see above): at
        // most 2^28 + 1 records, so no product overflows.
        if cap <= was || cap > MAX_BLOCKS || !self.words.reserve(RECORDS + (cap + 1) * RECORD) {
            return false;
        }
        self.last = cap - 1;
        self.release(was, cap);
        true
    }

    /// Cuts the memory back to `cap` blocks, which must keep every used span
    /// (`cap ≥ capacity − tail`) and release something (`cap < capacity`).
    /// Returns false, changing nothing, otherwise.
    pub fn shrink(&mut self, cap: u32) -> bool {
        let len = self.tail();
        let start = self.capacity() - len;
        // `start ≤ cap < start + len` (so `len` > 0), in one comparison.
        if cap.wrapping_sub(start) >= len {
            return false;
        }
        self.drop_free(start, len);
        self.last = cap - 1;
        if cap > start {
            self.put_free(start, cap - start);
        }
        true
    }
}
