//! The big core's hash table: open addressing with linear probing, 8-byte
//! entries (a key, then a value) at the top of the records, `slots` of them
//! (a power of two). Key 0 marks an empty slot, whose value is 0 too, so a
//! lookup that misses reads 0. Deletion shifts the rest of the cluster back
//! (no tombstones), so the table holds exactly its entries.
//!
//! It doubles in place when it is three quarters full: the new half is
//! zero (nothing above the table was ever written), every old entry is
//! marked, and each marked entry is reinserted by displacement: it takes the
//! first slot on its new probe path that is empty or holds a marked entry,
//! which then moves on the same way. Entries placed
//! this way never move again, so every slot between a placed entry's home
//! and its slot holds a placed entry, and lookups find it. No old copy is
//! left behind.
//!
//! Keys are hashed by neighbourhood (see `home`): the entries of spans close
//! in the memory sit close in the table, in a window of slots in address
//! order, so the lookups of one operation share cache lines.

use super::Heap;
use crate::words::Words;

/// The mark of an entry not yet reinserted while the table doubles (keys
/// are blocks up to 2^28, with `END` at bit 31).
const OLD: u32 = 1 << 30;
/// Fibonacci hashing: the top bits of the key times 2^32 / φ.
const GOLDEN: u32 = 0x9E37_79B1;
/// The slots of the first table.
pub(super) const FIRST_SLOTS: u32 = 256;

impl<W: Words> Heap<W> {
    /// The home slot of `key`: blocks in groups of 64 hash to a window of 8
    /// consecutive slots, a slot per 8 blocks in address order, so the keys
    /// of neighbouring spans (a free span's end with `END` is keyed by the
    /// start of the span after it) sit in one or two cache lines and `free`
    /// finds a span and both its neighbours' entries there, while a group's
    /// entries spread over the window instead of piling up on one home.
    ///
    /// Measured against one home slot per 16 blocks (big.ts, wasm): `free`
    /// 28–33% and `take` 22–24% faster at 100 000 and 1 000 000 free spans,
    /// churn 5% faster, about even at 300 000; 5–20% slower at 10 000 and
    /// 30 000, where the table fits the caches and the longer probes cost;
    /// `free` at 1 000 spans 22% slower (its frees walk the blocks in order,
    /// and a 16-block group's entries shared one line); on spans of one
    /// block, where a window's 8 homes take about 96 entries, `take`/`free`
    /// 1.2–1.9× slower.
    ///
    /// The group is Fibonacci-hashed: `key << 1` drops `END` and the
    /// arithmetic shift by 7 keeps the group (`OLD`, never set in a key
    /// looked up, would only change the hash). The window offset is added to
    /// the product above the final shift, so the window wraps around the
    /// table without a mask. It is masked to 0..8: an unmasked
    /// `(key >> 3) << shift` adds a term linear in the group, i.e. changes
    /// the multiplier, which measured 3–17× slower at some table sizes.
    ///
    /// Any home below `slots` keeps the table correct: `find` and `del` rely
    /// only on linear probing from `home` (every slot between an entry's home
    /// and its slot is occupied), and `double` on `find`.
    // Out of line: smaller than the body at its two uses.
    #[inline(never)]
    fn home(&self, key: u32) -> u32 {
        let shift = self.slots.leading_zeros() + 1;
        (((key << 1) as i32 >> 7) as u32)
            .wrapping_mul(GOLDEN)
            .wrapping_add((key >> 3 & 7) << shift)
            >> shift
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
            // Empty, or marked (`at << 1` is 0 only for key 0: no span ends
            // at block 0): `OLD` becomes the sign.
            if at == key || (at << 1) as i32 <= 0 {
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
