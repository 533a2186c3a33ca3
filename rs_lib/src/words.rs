//! Where the heap keeps its records: a growable, zero-initialised array of
//! `u32` words, addressed by **byte offset** (a multiple of 4).
//!
//! Byte offsets rather than word indices because a treap node is named by its
//! record's offset (`tree.rs`): reading a link is then a load at a constant
//! offset, with no scaling in between.
//!
//! The heap is generic over this trait so that the same safe code runs natively
//! (over a `Vec`, for `cargo test`) and in the shipped core (over the core's own
//! linear memory, see `linear.rs`).

/// Bytes that can be read without a `reserve`: a fresh heap reads its header
/// and block 0's record before its first `grow`.
pub const ALWAYS: u32 = 4096;

/// A growable array of `u32` words, addressed by byte offset. Words past those
/// ever written read 0.
pub trait Words {
    /// The word at byte offset `at + offset`, which lies below the last
    /// `reserve`d length or below [`ALWAYS`]. The two parts are passed apart so
    /// that a constant `offset` (a link, the start of the records) folds into
    /// the load.
    fn get(&self, at: u32, offset: u32) -> u32;
    /// The two words at byte offset `at + offset` as one: the first in the
    /// low half (as [`Words::get`] reads each).
    fn get2(&self, at: u32, offset: u32) -> u64 {
        self.get(at, offset) as u64 | (self.get(at, offset + 4) as u64) << 32
    }
    /// Overwrites the two words at byte offset `at + offset` with the low and
    /// the high half of `value`.
    fn set2(&mut self, at: u32, offset: u32, value: u64) {
        self.set(at, offset, value as u32);
        self.set(at, offset + 4, (value >> 32) as u32);
    }
    /// Overwrites the word at byte offset `at + offset`, which lies below the
    /// last `reserve`d length.
    fn set(&mut self, at: u32, offset: u32, value: u32);
    /// Makes the first `len` (< 3 GiB) bytes addressable. New words read 0.
    /// Returns false, changing nothing, when the memory for them cannot be had.
    fn reserve(&mut self, len: u32) -> bool;
    /// Copies the `len` bytes at byte offset `from` to `to` (the ranges may
    /// overlap), all below the last `reserve`d length.
    fn copy(&mut self, from: u32, to: u32, len: u32);
}

#[cfg(not(target_arch = "wasm32"))]
impl Words for Vec<u32> {
    fn get(&self, at: u32, offset: u32) -> u32 {
        let at = at + offset;
        assert!(at.is_multiple_of(4), "unaligned word at byte {at}");
        assert!(
            at < ALWAYS || (at as usize) < self.len() * 4,
            "read past the reserved words at {at}"
        );
        self.as_slice().get(at as usize / 4).copied().unwrap_or(0)
    }

    fn set(&mut self, at: u32, offset: u32, value: u32) {
        let at = at + offset;
        assert!(at.is_multiple_of(4), "unaligned word at byte {at}");
        self[at as usize / 4] = value;
    }

    fn copy(&mut self, from: u32, to: u32, len: u32) {
        assert!(from.is_multiple_of(4) && to.is_multiple_of(4) && len.is_multiple_of(4));
        let (from, to, len) = (from as usize / 4, to as usize / 4, len as usize / 4);
        self.copy_within(from..from + len, to);
    }

    fn reserve(&mut self, len: u32) -> bool {
        assert!(len < 3 << 30, "reserve({len}) past 3 GiB");
        let words = (len as usize).div_ceil(4);
        if self.len() < words {
            self.resize(words, 0);
        }
        true
    }
}
