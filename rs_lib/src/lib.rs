//! The bookkeeping core of LEWD Alloc.
//!
//! The TypeScript facade (`mod.ts`) owns the `WebAssembly.Memory` that user
//! modules share; this crate, compiled to `wasm32-unknown-unknown`, decides
//! where allocations go. It never sees that memory: it keeps its records (two
//! words per 16-byte block: a boundary tag and a link of the best-fit index)
//! in its own linear memory.
//!
//! # The narrow waist
//!
//! Every export takes and returns `i32` (read as `u32`). Addresses are in
//! **blocks** of 16 bytes: block `b` is byte address `b << 4`.
//!
//! | export          | argument          | result                                        | when it fails                                   |
//! |-----------------|-------------------|-----------------------------------------------|-------------------------------------------------|
//! | `take(blocks)`  | 1 ≤ blocks < 2^28 | start block of the reserved span              | 0: no free span fits (grow, then retry)         |
//! | `peek(blocks)`  | 1 ≤ blocks < 2^28 | start block `take` would return now           | 0: no free span fits; nothing is recorded       |
//! | `free(block)`   | a start block     | the span's length, after freeing and merging  | 0: no used span starts there; nothing changed   |
//! | `tail()`        | —                 | free blocks at the end of the memory          | —                                               |
//! | `grow(cap)`     | new capacity      | 1 after adding blocks to the free tail        | 0: cap not above now or above 2^28 (4 GiB), or no room for records |
//! | `cut(cap)`      | new capacity      | 1 after cutting the free tail back to `cap`   | 0: cap would cut a used span, or is not below   |
//!
//! The six above are the **core**, which exports its memory too. The seven below
//! are the **extension**: the same crate built with the `ext` feature and
//! `--import-memory`, instantiated (by the facade, on first use) over the
//! core's memory, so that both work on one heap: its statics sit at the same
//! address in both builds, and `scripts/build_core.ts` checks that the layout
//! matches. A program that only allocates with tokens never loads it.
//!
//! | export          | argument          | result                                        | when it fails                                   |
//! |-----------------|-------------------|-----------------------------------------------|-------------------------------------------------|
//! | `span(block)`   | any block         | used start: length, + 2^30 if strong; free start or end: length + 2^31 | 0: no span starts or ends there |
//! | `flip(block)`   | a start block     | 1 after toggling the span's strong bit         | 0: no used span starts there; nothing changed   |
//! | `resize(block, blocks)` | a start block, 1 ≤ blocks < 2^28 | 1 after changing the span's length in place | 0: no used span starts there, or the free span after it is too short |
//! | `stat(which)`   | 0–3               | used blocks, used spans, free spans, longest free span | —                                        |
//! | `aligned(blocks, align, commit)` | 1 ≤ blocks < 2^28, align a power of two ≤ 2^12 | start block of the best fit at a multiple of `align`, reserved if `commit` ≠ 0 | 0: no free span fits |
//! | `claim(start, at, blocks)` | a free span's first block, a range inside it | 1 after reserving `[at, at + blocks)` | 0: not a free span, or the range runs outside it |
//! | `first(blocks, from)` | 1 ≤ blocks < 2^28, any block | the first free span of `blocks` or more in address order from the span at `from` (from block 1 if none starts there) | 0: none before the end |
//!
//! The six core exports are also built with the `big` feature: the **big
//! core** (`src/big/`), which keeps records per span (a hash table and a node
//! pool) instead of per block, has no extension, and orders equal short
//! spans LIFO (docs/CONTRACT.md, section The big core).
//!
//! Block 0 is used from the start and never freed, so 0 is never a valid start
//! and can mean "none" in every result (before the first `grow`, block 0 is
//! the whole memory and every other call answers 0). Placement is exact best fit: the shortest free
//! span that fits, the lowest address among equals, the low end of that span.
//!
//! A used span is **strong** or not: one bit the core keeps for the facade
//! (which frees strong spans only on an explicit `free`), set by `flip` and
//! kept by `resize`; `take` hands out spans that are not strong.

// The shipped core has no std; natively (for `cargo test`) the same safe code
// builds with std, which also gives the cdylib a panic handler and allocator.
#![cfg_attr(target_arch = "wasm32", no_std)]

pub mod big;
mod bins;
pub mod heap;
mod tree;
pub mod words;

#[cfg(target_arch = "wasm32")]
mod linear;

#[cfg(test)]
pub mod check;
#[cfg(test)]
mod model;
#[cfg(any(test, feature = "reference"))]
pub mod reference;
#[cfg(test)]
mod tests;

pub use heap::Heap;

#[cfg(target_arch = "wasm32")]
mod exports {
    #[cfg(not(feature = "big"))]
    use crate::linear::heap;

    #[cfg(not(any(feature = "ext", feature = "big")))]
    #[no_mangle]
    extern "C" fn take(blocks: u32) -> u32 {
        heap().take(blocks)
    }

    #[cfg(not(any(feature = "ext", feature = "big")))]
    #[no_mangle]
    extern "C" fn peek(blocks: u32) -> u32 {
        heap().peek(blocks)
    }

    #[cfg(not(any(feature = "ext", feature = "big")))]
    #[no_mangle]
    extern "C" fn free(block: u32) -> u32 {
        heap().free(block)
    }

    #[cfg(feature = "ext")]
    #[no_mangle]
    extern "C" fn span(block: u32) -> u32 {
        heap().span(block)
    }

    #[cfg(feature = "ext")]
    #[no_mangle]
    extern "C" fn flip(block: u32) -> u32 {
        heap().flip(block) as u32
    }

    #[cfg(feature = "ext")]
    #[no_mangle]
    extern "C" fn resize(block: u32, blocks: u32) -> u32 {
        heap().resize(block, blocks) as u32
    }

    #[cfg(feature = "ext")]
    #[no_mangle]
    extern "C" fn stat(which: u32) -> u32 {
        heap().stat(which)
    }

    #[cfg(feature = "ext")]
    #[no_mangle]
    extern "C" fn aligned(blocks: u32, align: u32, commit: u32) -> u32 {
        heap().aligned(blocks, align, commit != 0)
    }

    #[cfg(feature = "ext")]
    #[no_mangle]
    extern "C" fn first(blocks: u32, from: u32) -> u32 {
        heap().first(blocks, from)
    }

    #[cfg(feature = "ext")]
    #[no_mangle]
    extern "C" fn claim(start: u32, at: u32, blocks: u32) -> u32 {
        heap().claim(start, at, blocks) as u32
    }

    #[cfg(not(any(feature = "ext", feature = "big")))]
    #[no_mangle]
    extern "C" fn tail() -> u32 {
        heap().tail()
    }

    #[cfg(not(any(feature = "ext", feature = "big")))]
    #[no_mangle]
    extern "C" fn grow(cap: u32) -> u32 {
        heap().grow(cap) as u32
    }

    #[cfg(not(any(feature = "ext", feature = "big")))]
    #[no_mangle]
    extern "C" fn cut(cap: u32) -> u32 {
        heap().shrink(cap) as u32
    }

    #[cfg(feature = "big")]
    mod big {
        use crate::linear::big_heap;

        #[no_mangle]
        extern "C" fn take(blocks: u32) -> u32 {
            big_heap().take(blocks)
        }

        #[no_mangle]
        extern "C" fn peek(blocks: u32) -> u32 {
            big_heap().peek(blocks)
        }

        #[no_mangle]
        extern "C" fn free(block: u32) -> u32 {
            big_heap().free(block)
        }

        #[no_mangle]
        extern "C" fn tail() -> u32 {
            big_heap().tail()
        }

        #[no_mangle]
        extern "C" fn grow(cap: u32) -> u32 {
            big_heap().grow(cap) as u32
        }

        #[no_mangle]
        extern "C" fn cut(cap: u32) -> u32 {
            big_heap().shrink(cap) as u32
        }
    }

    #[panic_handler]
    fn panic(_: &core::panic::PanicInfo) -> ! {
        core::arch::wasm32::unreachable()
    }
}
