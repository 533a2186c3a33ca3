/**
 * Protected ranges: `protect` keeps ranges of `mem` from ever being handed
 * out (a module's static data and stack), `restrict` confines the heap to a
 * working range of a memory it shares with another allocator.
 *
 * @module
 */

import { heap } from "./default.ts";
import { describe, hex, outOfMemory } from "./errors.ts";
import { ext } from "./extension.ts";
import { growBy } from "./growth.ts";
import { spansOf } from "./inspect.ts";
import { MAX_PAGES, PAGE_BLOCKS, type State } from "./state.ts";

/** Throws unless both values are numbers. */
const checkNumbers = (name: string, values: [string, unknown][]): void => {
  for (const [what, value] of values) {
    if (typeof value != "number") {
      throw new TypeError(
        `${name}: ${what} must be a number, got ${describe(value)}`,
      );
    }
  }
};

/**
 * Grows `mem` (exactly, and running the watchers) so that it holds `end`
 * blocks; out of memory past the limit.
 */
const reach = (heap: State, name: string, end: number): void => {
  if (end > heap.cap) {
    growBy(heap, Math.ceil((end - heap.cap) / PAGE_BLOCKS), () =>
      outOfMemory(
        heap,
        `${name}: out of memory, cannot reach ${hex(end * 16)}`,
        end * 16,
      ));
  }
};

/** {@linkcode protect} on `heap`. */
export const protectIn = (heap: State, ptr: number, size: number): void => {
  checkNumbers("protect", [["ptr", ptr], ["size", size]]);
  const start = (ptr | 0) === ptr || ptr >>> 0 === ptr ? ptr >>> 0 : -1;
  if (start < 0 || !(size >= 1) || !Number.isInteger(size)) {
    throw new RangeError(
      `protect: ptr must be an address and size an integer from 1, got ${ptr} and ${size}`,
    );
  }
  const end = Math.ceil((start + size) / 16);
  const first = Math.max(1, Math.floor(start / 16));
  if (end > MAX_PAGES * PAGE_BLOCKS) {
    throw new RangeError(
      `protect: ${hex(start)} + ${size} runs past 4 GiB`,
    );
  }
  if (first >= end) return; // within the guard
  const taken = () =>
    new RangeError(
      `protect: ${hex(first * 16)}–${
        hex(end * 16)
      } is not free (it overlaps an allocation or a protected range)`,
    );
  // Past the end, the range can only be free if it starts in the free tail:
  // say so before growing anything.
  if (end > heap.cap && first < heap.cap - heap.core.tail()) throw taken();
  // A heap without the extension (the big core) throws here, before growing.
  const { claim, flip } = ext(heap);
  reach(heap, "protect", end);
  const span = spansOf(heap).find((span) =>
    span.kind == "free" && span.start <= first * 16 &&
    span.start + span.size >= end * 16
  );
  if (!span || !claim(span.start / 16, first, end - first)) throw taken();
  flip(first);
  (heap.guarded ??= new Set()).add(first);
};

/** {@linkcode restrict} on `heap`. */
export const restrictIn = (heap: State, start: number, end: number): void => {
  checkNumbers("restrict", [["start", start], ["end", end]]);
  const from = Math.max(1, Math.ceil(start / 16));
  const to = Math.floor(end / 16);
  if (!(to > from) || to > MAX_PAGES * PAGE_BLOCKS) {
    throw new RangeError(
      `restrict: the range ${start}–${end} holds no block of mem`,
    );
  }
  // Check first that nothing outside the range is in use, so that an error
  // changes nothing.
  for (const span of spansOf(heap)) {
    const [a, b] = [span.start / 16, (span.start + span.size) / 16];
    if (span.kind != "free" && span.kind != "guard" && (a < from || b > to)) {
      throw new RangeError(
        `restrict: ${hex(span.start)} is in use, outside ${hex(from * 16)}–${
          hex(to * 16)
        }`,
      );
    }
  }
  reach(heap, "restrict", Math.ceil(to / PAGE_BLOCKS) * PAGE_BLOCKS);
  if (from > 1) protectIn(heap, 16, (from - 1) * 16);
  if (heap.cap > to) protectIn(heap, to * 16, (heap.cap - to) * 16);
  heap.maxPages = heap.cap / PAGE_BLOCKS;
};

/**
 * Marks `size` bytes from `ptr` (widened to whole 16-byte blocks) as
 * **protected**: the allocator never hands them out, and no function frees
 * them. For a compiled module's static data and stack below its
 * `__heap_base`, or for memory that another allocator manages. `mem` grows
 * first if the range runs past its end (and the watchers run).
 *
 * The range must be free: it may not overlap an allocation or another
 * protected range. Bytes 0–15 are never handed out anyway; a range that starts
 * there is protected from byte 16.
 *
 * @param ptr The first byte: an address (signed or unsigned i32).
 * @param size The bytes to protect: an integer from 1.
 * @throws {TypeError} If `ptr` or `size` is not a number.
 * @throws {RangeError} If they are not integers in range, if the range is
 * not free, or out of memory (past the {@linkcode limit}). Nothing changes.
 *
 * @example
 * ```ts
 * import { protect } from "@lewd/alloc";
 *
 * // A module's data and 8 KiB stack below its __heap_base of 0x3000.
 * protect(0, 0x3000);
 * ```
 */
export function protect(ptr: number, size: number): void {
  protectIn(heap, ptr, size);
}

/**
 * Restricts the allocator to the working range `[start, end)` of `mem`, so
 * that it can share the memory with another allocator: protects everything
 * of `mem` outside it (growing `mem` to `end` first if needed) and sets the
 * {@linkcode limit} to the size of `mem`, so that it never grows into memory
 * it does not own. Raising the limit later hands the new pages to this
 * allocator.
 *
 * @param start The first byte of the range (rounded up to 16).
 * @param end The end of the range (rounded down to 16).
 * @throws {TypeError | RangeError} As {@linkcode protect}, or if the range is
 * empty. What was protected before an error stays protected.
 *
 * @example
 * ```ts
 * import { restrict } from "@lewd/alloc";
 *
 * restrict(0x1_0000, 0x4_0000); // this allocator: 64 KiB to 256 KiB
 * ```
 */
export function restrict(start: number, end: number): void {
  restrictIn(heap, start, end);
}
