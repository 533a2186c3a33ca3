//! The big core's hash table: open addressing with linear probing, 8-byte
//! entries (a key, then a value) at the top of the records, `slots` of them
//! (a power of two). Key 0 marks an empty slot, whose value is 0 too, so a
//! lookup that misses reads 0. Deletion shifts the rest of the cluster back
//! (no tombstones), so the table holds exactly its entries.
//!
//! It doubles in place when it is three quarters full: the new half is
//! zero (nothing above the table was ever written), every old entry is marked, and each marked entry is reinserted by
//! displacement: it takes the first slot on its new probe path that is empty
//! or holds a marked entry, which then moves on the same way. Entries placed
//! this way never move again, so every slot between a placed entry's home
//! and its slot holds a placed entry, and lookups find it. No old copy is
//! left behind.

use super::{Heap, END};
use crate::words::Words;

/// The mark of an entry not yet reinserted while the table doubles (keys
/// are blocks up to 2^28, with `END` at bit 31).
const OLD: u32 = 1 << 30;
/// Fibonacci hashing: the top bits of the key times 2^32 / φ.
const GOLDEN: u32 = 0x9E37_79B1;
/// The slots of the first table.
pub(super) const FIRST_SLOTS: u32 = 256;

impl<W: Words> Heap<W> {
    /// The home slot of `key`: blocks in groups of sixteen share one, so the
    /// keys of neighbouring spans (a free span's end with `END` is keyed
    /// by the start of the span after it) share a cache line, and `free`
    /// finds a span and both its neighbours' entries in one or two. (Groups
    /// of sixteen measured faster than eight at 100 000 and 1 000 000 spans;
    /// on spans of one block, where a group holds 24 entries, `free` is
    /// slower, about 2× the default core's instead of 1.8×.)
    // Out of line: smaller than the body at its two uses.
    #[inline(never)]
    fn home(&self, key: u32) -> u32 {
        ((key & !END) >> 4).wrapping_mul(GOLDEN) >> (self.slots.leading_zeros() + 1)
    }

    fn key_at(&self, slot: u32) -> u32 {
        self.words.get(self.table + slot * 8, 0)
    }

    fn value_at(&self, slot: u32) -> u32 {
        self.words.get(self.table + slot * 8, 4)
    }

    fn set_entry(&mut self, slot: u32, key: u32, value: u32) {
        let entry = key as u64 | (value as u64) << 32;
        self.words.set2(self.table + slot * 8, 0, entry);
    }

    /// The slot that holds `key`, or the empty slot where it would go (while
    /// the table doubles: or the first slot on the way that holds an entry
    /// not yet reinserted).
    // Out of line: every operation probes, in several places.
    #[inline(never)]
    fn find(&self, key: u32) -> u32 {
        let mut slot = self.home(key);
        loop {
            let at = self.key_at(slot);
            if at == key || at == 0 || at & OLD != 0 {
                return slot;
            }
            slot = (slot + 1) & (self.slots - 1);
        }
    }

    /// The value of `key` (never 0), or 0 if it has none.
    pub(super) fn get(&self, key: u32) -> u32 {
        self.value_at(self.find(key))
    }

    /// Sets the value of `key` (≠ 0); a new key needs a slot that `room` made.
    pub(super) fn put(&mut self, key: u32, value: u32) {
        let slot = self.find(key);
        if self.key_at(slot) == 0 {
            self.count += 1;
        }
        self.set_entry(slot, key, value);
    }

    /// Removes `key`, which the table holds: the entries after it in its
    /// cluster that may move back toward their home do.
    pub(super) fn del(&mut self, key: u32) {
        let mask = self.slots - 1;
        let mut hole = self.find(key);
        let mut slot = hole;
        loop {
            slot = (slot + 1) & mask;
            let entry = self.words.get2(self.table + slot * 8, 0);
            if entry == 0 {
                break;
            }
            // It may fill the hole if the hole lies between its home and it.
            let home = self.home(entry as u32);
            if slot.wrapping_sub(home) & mask >= slot.wrapping_sub(hole) & mask {
                self.words.set2(self.table + hole * 8, 0, entry);
                hole = slot;
            }
        }
        self.words.set2(self.table + hole * 8, 0, 0);
        self.count -= 1;
    }

    /// Doubles the table in place (its top must be reserved up to twice its
    /// size already). The new half is zero: the table's top only ever rises
    /// (it doubles, or moves up), so nothing above it was ever written.
    pub(super) fn double(&mut self) {
        let old = self.slots;
        // Empty slots too: an empty one marked reads as "nothing to move".
        for slot in 0..old {
            let key = self.key_at(slot);
            self.words.set(self.table + slot * 8, 0, key | OLD);
        }
        self.slots = old * 2;
        for slot in 0..old {
            let mut entry = self.words.get2(self.table + slot * 8, 0);
            if entry as u32 & OLD == 0 {
                continue;
            }
            self.set_entry(slot, 0, 0);
            loop {
                entry &= !(OLD as u64);
                if entry == 0 {
                    break;
                }
                // The first slot that is empty or holds an old entry is this
                // entry's place; the old one, if any, moves on.
                let at = self.table + self.find(entry as u32) * 8;
                let there = self.words.get2(at, 0);
                self.words.set2(at, 0, entry);
                entry = there;
            }
        }
    }
}
