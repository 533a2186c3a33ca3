/**
 * The C API for modules: `malloc`, `calloc`, `realloc`, `free` and
 * `aligned_alloc` with the signatures and failure modes C code expects.
 *
 * @module
 */

import { heap } from "./default.ts";
import { MAX_SIZE, type State } from "./state.ts";
import { freeIn, move, strong } from "./strong.ts";

/**
 * The C functions of {@linkcode imports}, as a module imports them.
 *
 * @example
 * ```ts
 * import { imports, type Imports } from "@lewd/alloc";
 *
 * const c: Imports = imports;
 * c.free(c.malloc(64)); // as a module would call them
 * ```
 */
export interface Imports {
  /** `void *malloc(size_t size)`. */
  malloc(size: number): number;
  /** `void *calloc(size_t count, size_t size)`. */
  calloc(count: number, size: number): number;
  /** `void *realloc(void *ptr, size_t size)`. */
  realloc(ptr: number, size: number): number;
  /** `void free(void *ptr)`. */
  free(ptr: number): void;
  /** `void *aligned_alloc(size_t alignment, size_t size)`. */
  aligned_alloc(alignment: number, size: number): number;
}

/** The C API over `heap`. */
export const importsOf = (heap: State): Imports => ({
  malloc: (size) =>
    (size >>>= 0) && size <= MAX_SIZE
      ? strong(heap, "malloc", size, false, true)
      : 0,
  calloc: (count, size) => {
    const total = (count >>> 0) * (size >>> 0);
    return total && total <= MAX_SIZE
      ? strong(heap, "calloc", total, true, true)
      : 0;
  },
  realloc: (ptr, size) => {
    if ((size >>>= 0) && size <= MAX_SIZE) {
      return move(heap, "realloc", ptr, size, true);
    }
    if (!size) freeIn(heap, ptr);
    return 0;
  },
  free: (ptr) => freeIn(heap, ptr),
  aligned_alloc: (alignment, size) => {
    alignment = Math.max(alignment >>> 0, 16);
    return (size >>>= 0) && size <= MAX_SIZE && alignment <= 0x1_0000 &&
        !(alignment & (alignment - 1))
      ? strong(heap, "aligned_alloc", size, false, true, alignment / 16)
      : 0;
  },
});

/**
 * The allocator's functions with the C signatures and failure modes that
 * hand-written modules expect, to import as `env.malloc`, `env.calloc`,
 * `env.realloc`, `env.free` and `env.aligned_alloc`: a module can then
 * allocate without linking an
 * allocator. They make strong allocations, as the functions of the same names
 * do (`aligned_alloc` as `malloc(size, align)`, alignments below 16 counting
 * as 16), with these differences: sizes arrive as i32 and are read unsigned;
 * `malloc`, `calloc` and `realloc` return 0 (NULL) when out of memory (leaving
 * `realloc`'s block as it was), for a size of 0, when `count * size`
 * overflows and for an alignment that is not a power of two up to 65 536;
 * `realloc(ptr, 0)` frees `ptr` and returns 0. `free` of anything
 * but 0 or a live strong allocation throws the `RangeError` of
 * {@linkcode free} through the module, as a trap would. Growth from inside a
 * module rebinds `buf` and `i32` and runs the watchers, which may throw
 * through the module too.
 *
 * @example
 * ```ts
 * import { imports, mem } from "@lewd/alloc";
 *
 * // (module (import "env" "malloc" (func (param i32) (result i32)))
 * //         (import "env" "mem" (memory 1))), compiled:
 * const bytes = new Uint8Array([
 *   0, 97, 115, 109, 1, 0, 0, 0, 1, 6, 1, 96, 1, 127, 1, 127, 2, 25, 2, 3,
 *   101, 110, 118, 6, 109, 97, 108, 108, 111, 99, 0, 0, 3, 101, 110, 118, 3,
 *   109, 101, 109, 2, 0, 1,
 * ]);
 * new WebAssembly.Instance(new WebAssembly.Module(bytes), {
 *   env: { ...imports, mem },
 * });
 * ```
 */
export const imports: Imports = /*#__PURE__*/ importsOf(heap);
