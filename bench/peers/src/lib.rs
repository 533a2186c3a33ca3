//! Two WASM-side allocators behind C-style exports, for bench/.
//!
//! | export                | arguments  | result                     |
//! |-----------------------|------------|----------------------------|
//! | `dl_malloc(size)`     | bytes ≥ 1  | address, 0 when out of mem |
//! | `dl_free(ptr)`        | an address | —                          |
//! | `talc_malloc(size)`   | bytes ≥ 1  | address, 0 when out of mem |
//! | `talc_free(ptr,size)` | address, the size it was allocated with | — |
//!
//! dlmalloc is called through its C-shaped `c_malloc`/`c_free` (8-byte
//! alignment on wasm32); talc through `GlobalAlloc` with the same 8-byte
//! alignment, and it needs the size back on free (it keeps no header), as a
//! Rust `dealloc` passes it. Each allocator grows the module's
//! own memory with `memory.grow`, so the harness instantiates the module once
//! per allocator it measures and never mixes the two in one instance.
//!
//! Neither is the `#[global_allocator]` (a null one stands in, see `Unused`):
//! the wrappers call them directly, so
//! a module built with one feature holds that allocator's code alone, which
//! is how bench/ measures each one's code size.
#![cfg_attr(target_arch = "wasm32", no_std)]

#[cfg(target_arch = "wasm32")]
mod exports {
    use core::cell::UnsafeCell;

    /// talc's alignment: what C `malloc` guarantees on wasm32, as dlmalloc's.
    #[cfg(feature = "talc")]
    const ALIGN: usize = 8;

    /// One allocator instance, reached from the exports only.
    struct Single<T>(UnsafeCell<T>);

    // SAFETY: wasm32-unknown-unknown without atomics runs one thread, so the
    // cell is never reached from two threads.
    unsafe impl<T> Sync for Single<T> {}

    #[cfg(feature = "dlmalloc")]
    static DLMALLOC: Single<dlmalloc::Dlmalloc> =
        Single(UnsafeCell::new(dlmalloc::Dlmalloc::new()));

    #[cfg(feature = "dlmalloc")]
    #[no_mangle]
    extern "C" fn dl_malloc(size: usize) -> *mut u8 {
        // SAFETY: single-threaded (see `Single`), and no other reference to
        // the allocator is alive while this one is.
        unsafe { (*DLMALLOC.0.get()).c_malloc(size) }
    }

    #[cfg(feature = "dlmalloc")]
    #[no_mangle]
    extern "C" fn dl_free(ptr: *mut u8) {
        // SAFETY: as in `dl_malloc`; the harness passes only live addresses
        // that `dl_malloc` returned.
        unsafe { (*DLMALLOC.0.get()).c_free(ptr) }
    }

    #[cfg(feature = "talc")]
    static TALC: talc::wasm::WasmDynamicTalc = talc::wasm::new_wasm_dynamic_allocator();

    #[cfg(feature = "talc")]
    #[no_mangle]
    extern "C" fn talc_malloc(size: usize) -> *mut u8 {
        use core::alloc::{GlobalAlloc, Layout};
        // SAFETY: the harness never asks for 0 bytes; ALIGN is a power of two.
        unsafe { TALC.alloc(Layout::from_size_align_unchecked(size, ALIGN)) }
    }

    #[cfg(feature = "talc")]
    #[no_mangle]
    extern "C" fn talc_free(ptr: *mut u8, size: usize) {
        use core::alloc::{GlobalAlloc, Layout};
        // SAFETY: the harness passes a live address from `talc_malloc` with
        // the size it asked for.
        unsafe { TALC.dealloc(ptr, Layout::from_size_align_unchecked(size, ALIGN)) }
    }

    /// talc's `allocator-api2` dependency links Rust's `alloc` crate, which
    /// will not link without some global allocator. This one is never called
    /// (nothing here allocates through `alloc`): it only satisfies the linker,
    /// so the measured talc is still the one behind `talc_malloc`.
    #[cfg(feature = "talc")]
    struct Unused;

    // SAFETY: returning null is always a valid "allocation failed" answer.
    #[cfg(feature = "talc")]
    unsafe impl core::alloc::GlobalAlloc for Unused {
        unsafe fn alloc(&self, _: core::alloc::Layout) -> *mut u8 {
            core::ptr::null_mut()
        }
        unsafe fn dealloc(&self, _: *mut u8, _: core::alloc::Layout) {}
    }

    #[cfg(feature = "talc")]
    #[global_allocator]
    static UNUSED: Unused = Unused;

    #[panic_handler]
    fn panic(_: &core::panic::PanicInfo) -> ! {
        core::arch::wasm32::unreachable()
    }
}
