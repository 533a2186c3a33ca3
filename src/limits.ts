/**
 * Limits and figures: `grow`, `limit` and `stats`.
 *
 * @module
 */

import { heap } from "./default.ts";
import { describe, outOfMemory } from "./errors.ts";
import { ext } from "./extension.ts";
import { growBy } from "./growth.ts";
import { MAX_PAGES, PAGE_BLOCKS, type State } from "./state.ts";

/** Throws unless `pages` is an integer in `[low, high]`. */
const checkPages = (
  name: string,
  pages: number,
  low: number,
  high: number,
): void => {
  if (typeof pages != "number") {
    throw new TypeError(
      `${name}: pages must be a number, got ${describe(pages)}`,
    );
  }
  if (!Number.isInteger(pages) || pages < low || pages > high) {
    throw new RangeError(
      `${name}: pages must be an integer in [${low}, ${high}], got ${pages}`,
    );
  }
};

/** {@linkcode grow} on `heap`. */
export const growIn = (heap: State, pages: number): number => {
  checkPages("grow", pages, 0, 2 ** 53);
  const was = heap.cap / PAGE_BLOCKS;
  if (pages) {
    growBy(heap, pages, () =>
      outOfMemory(
        heap,
        `grow: out of memory, cannot add ${pages} pages to ${was}`,
        pages * 0x1_0000,
      ));
  }
  return was;
};

/** {@linkcode limit} on `heap`. */
export const limitIn = (heap: State, pages: number): number => {
  checkPages("limit", pages, heap.cap / PAGE_BLOCKS, MAX_PAGES);
  const was = heap.maxPages;
  heap.maxPages = pages;
  return was;
};

/**
 * What {@linkcode stats} reports. Sizes are in bytes; the null guard (bytes
 * 0–15) counts in none of them, so `used + free == capacity - 16`.
 *
 * @example
 * ```ts
 * import { type Stats, stats } from "@lewd/alloc";
 *
 * const { free, largest }: Stats = stats();
 * const fragmented = free > 0 && largest < free / 2;
 * ```
 */
export interface Stats {
  /** The size of `mem`. */
  capacity: number;
  /** Bytes in live allocations (token, lease and strong), in whole blocks. */
  used: number;
  /** Bytes in free spans. */
  free: number;
  /** The longest free span: the largest allocation that fits without growing. */
  largest: number;
  /** The free span at the end of `mem`, which `trim` releases (whole pages of it). */
  tail: number;
  /** Live allocations. */
  allocations: number;
  /** Free spans. */
  freeSpans: number;
  /** All spans: `allocations + freeSpans`. */
  spans: number;
  /** The most bytes `mem` may have (`limit` × 65 536). */
  limit: number;
}

/** {@linkcode stats} of `heap`. */
export const statsOf = (heap: State): Stats => {
  const { stat } = ext(heap);
  const used = stat(0) * 16;
  const allocations = stat(1);
  const freeSpans = stat(2);
  return {
    capacity: heap.cap * 16,
    used,
    free: heap.cap * 16 - 16 - used,
    largest: stat(3) * 16,
    tail: heap.core.tail() * 16,
    allocations,
    freeSpans,
    spans: allocations + freeSpans,
    limit: heap.maxPages * 0x1_0000,
  };
};

/**
 * Grows `mem` by `pages` of 64 KiB now, as `WebAssembly.Memory.prototype.grow`
 * does, and runs the watchers (`pages` of 0 changes nothing and runs none).
 * The new pages join the free tail.
 *
 * @param pages How many pages to add: an integer from 0.
 * @returns The size of `mem` in pages before.
 * @throws {TypeError} If `pages` is not a number.
 * @throws {RangeError} If `pages` is not an integer from 0, or out of memory
 * (past the {@linkcode limit}, or refused by the engine; with an
 * {@linkcode OutOfMemory} cause): nothing changes then.
 *
 * @example
 * ```ts
 * import { cap, grow } from "@lewd/alloc";
 *
 * const before = grow(16); // room for 1 MiB more without a resize later
 * console.log(before, cap * 16);
 * ```
 */
export function grow(pages: number): number {
  return growIn(heap, pages);
}

/**
 * Sets the most pages of 64 KiB that `mem` may grow to (65 536, 4 GiB, at
 * first). Growth by {@linkcode alloc} and the others stops there: its +50%
 * step is cut to fit, and what cannot fit is out of memory.
 *
 * @param pages The new maximum: an integer from the current size of `mem` in
 * pages to 65 536.
 * @returns The maximum before.
 * @throws {TypeError} If `pages` is not a number.
 * @throws {RangeError} If `pages` is out of that range; nothing changes.
 *
 * @example
 * ```ts
 * import { limit } from "@lewd/alloc";
 *
 * limit(256); // at most 16 MiB
 * ```
 */
export function limit(pages: number): number {
  return limitIn(heap, pages);
}

/**
 * Reports how `mem` is used, cheaply enough for every frame: O(log n) in the
 * number of free spans, one small object. Counts are as of now: spans whose
 * tokens are dead but not yet finalized still count as used, and so does a
 * freed span kept for a pending finalizer (see {@linkcode disown}).
 *
 * @returns The figures, see {@linkcode Stats}.
 *
 * @example
 * ```ts
 * import { stats } from "@lewd/alloc";
 *
 * const { used, capacity } = stats();
 * console.log(`${(100 * used / capacity).toFixed(1)}% used`);
 * ```
 */
export function stats(): Stats {
  return statsOf(heap);
}
