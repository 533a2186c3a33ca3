//! Where the heap keeps its records: a growable, zero-initialised array of `u32`.
//!
//! The heap is generic over this trait so that the same safe code runs natively
//! (over a `Vec`, for `cargo test`) and in the shipped core (over the core's own
//! linear memory, see `linear.rs`).

/// A growable array of `u32` words. Words past those ever written read 0.
pub trait Words {
    /// The word at `index`; `index` lies below the last `reserve`d length.
    fn get(&self, index: u32) -> u32;
    /// Overwrites the word at `index`.
    fn set(&mut self, index: u32, value: u32);
    /// Makes the first `len` words addressable. New words read 0. Returns false,
    /// changing nothing, when the memory for them cannot be had.
    fn reserve(&mut self, len: u32) -> bool;
    /// Moves `count` words from `from` to `to`; the two ranges may overlap.
    fn copy(&mut self, from: u32, to: u32, count: u32);
    /// Writes 0 into `count` words starting at `at`.
    fn zero(&mut self, at: u32, count: u32);
}

#[cfg(not(target_arch = "wasm32"))]
impl Words for Vec<u32> {
    fn get(&self, index: u32) -> u32 {
        self[index as usize]
    }

    fn set(&mut self, index: u32, value: u32) {
        self[index as usize] = value;
    }

    fn reserve(&mut self, len: u32) -> bool {
        if self.len() < len as usize {
            self.resize(len as usize, 0);
        }
        true
    }

    fn copy(&mut self, from: u32, to: u32, count: u32) {
        let from = from as usize;
        self.copy_within(from..from + count as usize, to as usize);
    }

    fn zero(&mut self, at: u32, count: u32) {
        self[at as usize..(at + count) as usize].fill(0);
    }
}
