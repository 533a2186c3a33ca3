/**
 * `trim`: gives the free pages at the end of `mem` back to the host.
 *
 * @module
 */

import { heap } from "./default.ts";
import { rebind } from "./growth.ts";
import { notify } from "./notify.ts";
import { PAGE_BLOCKS, type State } from "./state.ts";

/** A new memory of `pages` pages: how `trim` replaces a memory it made. */
const fresh = (pages: number): WebAssembly.Memory => {
  try {
    return new WebAssembly.Memory({ initial: pages });
  } catch (cause) {
    throw new RangeError(
      `trim: cannot create a memory of ${pages * PAGE_BLOCKS * 16} bytes`,
      { cause },
    );
  }
};

/**
 * {@linkcode trim} on `heap`; `renew(pages)` makes the memory that replaces
 * `mem`, of `pages` pages at least, and throws, changing nothing, if it
 * cannot (`createHeap` passes its own for a memory it adopted).
 */
export const trimIn = (
  heap: State,
  renew: (pages: number) => WebAssembly.Memory = fresh,
): number => {
  const size = heap.buf.byteLength;
  const pages = Math.ceil((heap.cap - heap.core.tail()) / PAGE_BLOCKS);
  const kept = pages * PAGE_BLOCKS * 16;
  if (kept >= size) return 0;
  const next = renew(pages);
  new Uint8Array(next.buffer).set(new Uint8Array(heap.buf, 0, kept));
  // Views over the old buffer now fail as they do after a growth (its
  // length is 0) instead of reading a memory that nothing uses any more.
  heap.mem.grow(0);
  rebind(heap, next);
  heap.core.cut(heap.cap);
  // Read before the callbacks, which may grow the new memory.
  const released = size - heap.buf.byteLength;
  notify(heap, true);
  return released;
};

/**
 * Releases the free pages at the end of {@linkcode mem} back to the host.
 *
 * If the highest used address, rounded up to 64 KiB (at least one page), is
 * below the current size, a new `WebAssembly.Memory` of that size replaces
 * `mem`, the bytes below it are copied across, `mem`/`buf`/`i32`/`cap` are
 * rebound, every respawn callback runs (in {@linkcode bind} order), then every
 * live watcher. Any scratch address is invalid afterwards.
 *
 * @returns The number of bytes released; 0 when there was nothing to release
 * (then no callback runs and `mem` stays the same object).
 * @throws {RangeError} If the new memory cannot be created; nothing changes.
 * If callbacks throw, the rest still run and the error (or an
 * `AggregateError`) is rethrown afterwards.
 *
 * @example
 * ```ts
 * import { trim } from "@lewd/alloc";
 *
 * const released = trim(); // bytes given back, often 0
 * ```
 */
export function trim(): number {
  return trimIn(heap);
}
