//! The big core's node pool and the growth of its records.
//!
//! Nodes are 16 bytes, one per free span, handed out upward from [`POOL`];
//! a node whose span leaves the index is recycled first. The hash table
//! (`table.rs`) sits right above the pool: when the pool is full the table
//! moves up to make room (by half the pool), and when the table is three
//! quarters full it doubles in place. The memory that either leaves behind
//! is the other's next room, so nothing is abandoned.

use super::table::FIRST_SLOTS;
use super::{Heap, LEN};
use crate::words::Words;

/// Byte offset of the first node: past the root, the slot of no node and
/// the small bins' words.
pub(super) const POOL: u32 = 8 + 64 * 4;
/// Where the first table starts: above a pool of 16 nodes.
pub(super) const FIRST_TABLE: u32 = POOL + 16 * NODE;
// A new heap reads its first table without a `reserve`.
const _: () = assert!(FIRST_TABLE + FIRST_SLOTS * 8 <= crate::words::ALWAYS);
/// A node's bytes: left link, start, length, right link.
const NODE: u32 = 16;

impl<W: Words> Heap<W> {
    /// Makes sure that one node and two table entries can be added; false
    /// (nothing changed that matters) if the memory for them cannot be had.
    pub(super) fn room(&mut self) -> bool {
        // A full pool grows by half: the table moves up.
        let by = if self.spare == 0 && self.top == self.table {
            (self.table - POOL) / 2 / NODE * NODE
        } else {
            0
        };
        let bytes = self.slots * 8;
        let double = (self.count + 2) * 4 > self.slots * 3;
        if !self
            .words
            .reserve(self.table + by + bytes + if double { bytes } else { 0 })
        {
            return false;
        }
        // A copy is a call out of wasm even when it moves nothing.
        if by != 0 {
            self.words.copy(self.table, self.table + by, bytes);
            self.table += by;
        }
        if double {
            self.double();
        }
        true
    }

    /// A node for a new free span (there is one: see `room`).
    pub(super) fn new_node(&mut self) -> u32 {
        let node = self.spare;
        if node != 0 {
            self.spare = self.words.get(node, LEN);
            return node;
        }
        self.top += NODE;
        self.top - NODE
    }

    /// Recycles `node`, whose span has left the index and the table.
    // Out of line: smaller than the body at its three uses.
    #[inline(never)]
    pub(super) fn free_node(&mut self, node: u32) {
        self.words.set(node, LEN, self.spare);
        self.spare = node;
    }
}
