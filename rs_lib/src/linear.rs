//! The core's own linear memory as [`Words`], and the one heap the exports drive.
//!
//! This is the only module with `unsafe`: raw access to the words past the
//! module's static data, and the single mutable heap of a single-threaded module.

use crate::heap::Heap;
use crate::words::Words;
use core::arch::wasm32::{memory_grow, memory_size};

/// Byte address of word 0: the second page. The first holds the (small) stack
/// and the statics; `.cargo/config.toml` sets the stack size and the build
/// checks that `__heap_base` stays below this. A constant base lets every
/// access fold into the load's offset immediate.
const BASE: usize = 0x1_0000;

/// Words laid out from the second page of the core's memory upwards.
pub struct LinearMemory;

impl LinearMemory {
    /// SAFETY: `index` lies below a length passed to `reserve`, so the word is
    /// inside the memory and the offset cannot wrap (an in-bounds `add` lets
    /// the compiler fold `BASE` into each load's offset immediate).
    unsafe fn word(&self, index: u32) -> *mut u32 {
        (BASE as *mut u32).add(index as usize)
    }
}

impl Words for LinearMemory {
    fn get(&self, index: u32) -> u32 {
        // SAFETY: callers only read words below a length they reserved, which
        // lie inside the memory `reserve` grew; nothing else owns those bytes.
        unsafe { *self.word(index) }
    }

    fn set(&mut self, index: u32, value: u32) {
        // SAFETY: as in `get`.
        unsafe { *self.word(index) = value }
    }

    fn reserve(&mut self, len: u32) -> bool {
        let size = (memory_size(0) as u64) << 16;
        let short = (BASE as u64 + len as u64 * 4).saturating_sub(size);
        short == 0 || memory_grow(0, ((short + 0xFFFF) >> 16) as usize) != usize::MAX
    }

    fn copy(&mut self, from: u32, to: u32, count: u32) {
        // SAFETY: both ranges lie below the reserved length (see `get`); `copy` is
        // a memmove, so they may overlap.
        unsafe { core::ptr::copy(self.word(from), self.word(to), count as usize) }
    }

    fn zero(&mut self, at: u32, count: u32) {
        // SAFETY: the range lies below the reserved length (see `get`).
        unsafe { core::ptr::write_bytes(self.word(at), 0, count as usize) }
    }
}

static mut HEAP: Heap<LinearMemory> = Heap::new(LinearMemory);

/// The module's one heap.
pub fn heap() -> &'static mut Heap<LinearMemory> {
    // SAFETY: wasm32-unknown-unknown runs on one thread, and every export takes
    // this reference once and drops it before returning, so it is never aliased.
    unsafe { &mut *core::ptr::addr_of_mut!(HEAP) }
}
