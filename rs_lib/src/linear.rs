//! The core's own linear memory as [`Words`], and the one heap the exports drive.
//!
//! This is the only module with `unsafe`: raw access to the words past the
//! module's static data, and the single mutable heap of a single-threaded module.

use crate::words::{Words, ALWAYS};
use core::arch::wasm32::{memory_grow, memory_size};

/// Byte address of word 0: just past the 16-byte stack and the heap's statics
/// (`.cargo/config.toml` sets the stack size; the build checks that
/// `__heap_base` stays at or below this). A constant base folds into each
/// load's offset immediate, and a small one keeps most of those immediates to
/// one LEB128 byte.
const BASE: usize = 64;

// The module's memory starts with one page, so the first words are always there.
const _: () = assert!(BASE + ALWAYS as usize <= 0x1_0000);

/// Words laid out from byte `BASE` of the core's memory upwards.
pub struct LinearMemory;

impl LinearMemory {
    /// SAFETY: `at + offset` lies below a length passed to `reserve` or below
    /// `ALWAYS`, so the word is inside the memory and no sum wraps (in-bounds
    /// `add`s let the compiler fold `BASE + offset` into each load's offset
    /// immediate).
    unsafe fn word(&self, at: u32, offset: u32) -> *mut u32 {
        (BASE as *mut u8)
            .add(at as usize)
            .add(offset as usize)
            .cast()
    }
}

impl Words for LinearMemory {
    fn get(&self, at: u32, offset: u32) -> u32 {
        // SAFETY: callers only read words below a length they reserved or
        // below `ALWAYS`, which lie inside the memory (the first page, or what
        // `reserve` grew); nothing else owns those bytes.
        unsafe { *self.word(at, offset) }
    }

    fn get2(&self, at: u32, offset: u32) -> u64 {
        // SAFETY: as in `get`, for both words (wasm is little-endian: the
        // first word is the low half).
        unsafe { self.word(at, offset).cast::<u64>().read_unaligned() }
    }

    fn set2(&mut self, at: u32, offset: u32, value: u64) {
        // SAFETY: as in `set`, for both words.
        unsafe { self.word(at, offset).cast::<u64>().write_unaligned(value) }
    }

    fn set(&mut self, at: u32, offset: u32, value: u32) {
        // SAFETY: as in `get` (writes stay below a reserved length).
        unsafe { *self.word(at, offset) = value }
    }

    fn copy(&mut self, from: u32, to: u32, len: u32) {
        // SAFETY: as in `set` (both ranges lie below a reserved length);
        // `copy` allows them to overlap (one `memory.copy`).
        unsafe { core::ptr::copy(self.word(from, 0), self.word(to, 0), len as usize / 4) }
    }

    fn reserve(&mut self, len: u32) -> bool {
        // Pages for `BASE + len` bytes (`len` < 3 GiB, so no sum overflows).
        let pages = (BASE + len as usize + 0xFFFF) >> 16;
        let have = memory_size(0);
        pages <= have || memory_grow(0, pages - have) != usize::MAX
    }
}

#[cfg(not(feature = "big"))]
static mut HEAP: crate::Heap<LinearMemory> = crate::Heap::new(LinearMemory);

/// The module's one heap.
#[cfg(not(feature = "big"))]
pub fn heap() -> &'static mut crate::Heap<LinearMemory> {
    // SAFETY: wasm32-unknown-unknown runs on one thread, and every export takes
    // this reference once and drops it before returning, so it is never aliased.
    unsafe { &mut *core::ptr::addr_of_mut!(HEAP) }
}

#[cfg(feature = "big")]
static mut BIG_HEAP: crate::big::Heap<LinearMemory> = crate::big::Heap::new(LinearMemory);

/// The big core's one heap (the `big` feature).
#[cfg(feature = "big")]
pub fn big_heap() -> &'static mut crate::big::Heap<LinearMemory> {
    // SAFETY: as in `heap`.
    unsafe { &mut *core::ptr::addr_of_mut!(BIG_HEAP) }
}
