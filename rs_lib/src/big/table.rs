//! The big core's hash table: open addressing with linear probing, 8-byte
//! entries (a key, then a value) at the top of the records, `slots` of them
//! (a power of two). Key 0 marks an empty slot, whose value is 0 too, so a
//! lookup that misses reads 0. Deletion shifts the rest of the cluster back
//! (no tombstones), so the table holds exactly its entries.
//!
//! It doubles in place when it is three quarters full: the new half is
//! zeroed, every old entry is marked, and each marked entry is reinserted by
//! displacement: it takes the first slot on its new probe path that is empty
//! or holds a marked entry, which then moves on the same way. Entries placed
//! this way never move again, so every slot between a placed entry's home
//! and its slot holds a placed entry, and lookups find it. No old copy is
//! left behind.

use super::{Heap, END};
use crate::words::Words;

/// The mark of an entry not yet reinserted while the table doubles (keys
/// are blocks below 2^28, with [`super::END`] at bit 31).
const OLD: u32 = 1 << 30;
/// Fibonacci hashing: the top bits of the key times 2^32 / φ.
const GOLDEN: u32 = 0x9E37_79B1;
/// The slots of the first table.
pub(super) const FIRST_SLOTS: u32 = 256;

impl<W: Words> Heap<W> {
    /// The home slot of `key`. A free span's last block `b` (`b | END`)
    /// hashes as block `b + 1`, the start of the span after it: `free`
    /// looks up both in the same place.
    fn home(&self, key: u32) -> u32 {
        ((key & !END) + (key >> 31)).wrapping_mul(GOLDEN) >> self.shift
    }

    fn key_at(&self, slot: u32) -> u32 {
        self.words.get(self.table + slot * 8, 0)
    }

    fn value_at(&self, slot: u32) -> u32 {
        self.words.get(self.table + slot * 8, 4)
    }

    fn set_entry(&mut self, slot: u32, key: u32, value: u32) {
        self.words.set(self.table + slot * 8, 0, key);
        self.words.set(self.table + slot * 8, 4, value);
    }

    /// The slot that holds `key`, or the empty slot where it would go.
    // Out of line: every operation probes, in several places.
    #[inline(never)]
    fn find(&self, key: u32) -> u32 {
        let mut slot = self.home(key);
        loop {
            let at = self.key_at(slot);
            if at == key || at == 0 {
                return slot;
            }
            slot = (slot + 1) & (self.slots - 1);
        }
    }

    /// The value of `key` (never 0), or 0 if it has none (or before the
    /// first `grow`, when there is no table).
    pub(super) fn get(&self, key: u32) -> u32 {
        if self.slots == 0 {
            return 0;
        }
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
            let at = self.key_at(slot);
            if at == 0 {
                break;
            }
            // It may fill the hole if the hole lies between its home and it.
            let home = self.home(at);
            if slot.wrapping_sub(home) & mask >= slot.wrapping_sub(hole) & mask {
                self.set_entry(hole, at, self.value_at(slot));
                hole = slot;
            }
        }
        self.set_entry(hole, 0, 0);
        self.count -= 1;
    }

    /// Doubles the table in place (its top must be reserved up to twice its
    /// size already).
    pub(super) fn double(&mut self) {
        let old = self.slots;
        for slot in 0..old {
            let key = self.key_at(slot);
            if key != 0 {
                self.words.set(self.table + slot * 8, 0, key | OLD);
            }
            self.set_entry(old + slot, 0, 0);
        }
        self.slots = old * 2;
        self.shift -= 1;
        for slot in 0..old {
            let mut key = self.key_at(slot);
            if key & OLD == 0 {
                continue;
            }
            let mut value = self.value_at(slot);
            self.set_entry(slot, 0, 0);
            key &= !OLD;
            let mut at = self.home(key);
            loop {
                let there = self.key_at(at);
                if there == 0 || there & OLD != 0 {
                    let moved = self.value_at(at);
                    self.set_entry(at, key, value);
                    if there == 0 {
                        break;
                    }
                    (key, value) = (there & !OLD, moved);
                    at = self.home(key);
                } else {
                    at = (at + 1) & (self.slots - 1);
                }
            }
        }
    }
}
