/**
 * `alloc`: allocations owned by a token, and scratches.
 *
 * @module
 */

import { heap } from "./default.ts";
import { blocksOf, checkWeakKey } from "./errors.ts";
import { reserve, room } from "./growth.ts";
import { owe } from "./pacing.ts";
import type { State } from "./state.ts";

/** {@linkcode alloc} on `heap`. */
export const allocOn =
  (heap: State) => (size: number, token?: WeakKey): number => {
    const blocks = blocksOf("alloc", size);
    // The scratch is where the span goes once the watchers have run.
    if (token === undefined) {
      const block = heap.spot(blocks) || room(heap, "alloc", size, blocks);
      heap.freshen?.(block, blocks, true);
      return block << 4;
    }
    // Before anything changes: a bad token holds nothing and moves nothing.
    checkWeakKey("alloc", token);
    const block = heap.place(blocks) || reserve(heap, "alloc", size, blocks);
    heap.registry.register(token, block);
    owe(heap, blocks);
    return block << 4;
  };

/**
 * Allocates `size` bytes and returns the address: a multiple of 16, never
 * below 16, as a signed i32 (addresses at or above 2 GiB come back negative;
 * `ptr >>> 0` gives the unsigned value).
 *
 * With a `token`, the span is freed after the host garbage-collects the token;
 * one token may own any number of allocations. Without one, the address is a
 * **scratch**: where `alloc(size, token)` would place `size` bytes right now,
 * with nothing recorded. A scratch stays valid until the next allocation with
 * a token or the next {@linkcode trim}.
 *
 * Placement is exact best fit: the smallest free span that fits, the lowest
 * address among equals. When nothing fits, `mem` grows (by at least half its
 * size, see {@linkcode mem}, never past the {@linkcode limit}) and the resize
 * watchers run before the span is taken: a call that throws (a watcher's
 * error included) holds nothing.
 *
 * For addresses aligned to more than 16 bytes, see {@linkcode allocAligned}.
 *
 * @param size Bytes to allocate: an integer from 1 to 4 294 967 280.
 * @param token The lifetime token: an object or a non-registered symbol.
 * @returns The address of the allocation.
 * @throws {TypeError} If `size` is not a number or `token` cannot be held
 * weakly. Nothing changes.
 * @throws {RangeError} If `size` is out of range, or "out of memory" (with an
 * {@linkcode OutOfMemory} cause) if `mem` cannot grow enough. Nothing changes.
 *
 * @example
 * ```ts
 * import { alloc, buf } from "@lewd/alloc";
 *
 * const owner = {};
 * const ptr = alloc(1024, owner); // lives as long as `owner`
 * const tmp = alloc(64); // scratch: use it before the next alloc(…, token)
 * new Uint8Array(buf, tmp >>> 0, 64).fill(0);
 * ```
 */
export const alloc: (size: number, token?: WeakKey) => number =
  /*#__PURE__*/ allocOn(heap);
