/**
 * Alignment above 16 bytes: `allocAligned`, and the aligned reservations that
 * `malloc`, `lease` and `aligned_alloc` share.
 *
 * @module
 */

import { heap } from "./default.ts";
import { blocksOf, checkWeakKey, describe } from "./errors.ts";
import { ext } from "./extension.ts";
import { reserve, room } from "./growth.ts";
import { owe } from "./pacing.ts";
import type { State } from "./state.ts";

/**
 * An alignment in bytes as blocks: 1 for `undefined` if it is `optional` (16
 * bytes); throws unless it is a power of two from 16 to 65 536.
 */
export const alignOf = (
  name: string,
  align: number | undefined,
  optional = true,
): number => {
  if (align === undefined && optional) return 1;
  if (typeof align != "number") {
    throw new TypeError(
      `${name}: align must be a number, got ${describe(align)}`,
    );
  }
  if (!(align >= 16 && align <= 0x1_0000 && (align & (align - 1)) == 0)) {
    throw new RangeError(
      `${name}: align must be a power of two from 16 to 65536, got ${align}`,
    );
  }
  return align / 16;
};

/** Where `blocks` go now at a multiple of `align` blocks, after growing. */
const roomAligned = (
  heap: State,
  name: string,
  size: number,
  blocks: number,
  align: number,
  soft?: boolean,
): number =>
  room(
    heap,
    name,
    size,
    blocks,
    soft,
    align,
    (n) => ext(heap).aligned(n, align, 0),
  );

/**
 * Takes the span where `blocks` go at a multiple of `align` blocks, after
 * growing `mem` and running the watchers as `room` does; 0 if `soft` and out
 * of memory.
 */
export const reserveAligned = (
  heap: State,
  name: string,
  size: number,
  blocks: number,
  align: number,
  soft?: boolean,
): number =>
  align > 1
    ? roomAligned(heap, name, size, blocks, align, soft) &&
      ext(heap).aligned(blocks, align, 1)
    : reserve(heap, name, size, blocks, soft);

/** {@linkcode allocAligned} on `heap`. */
export const allocAlignedIn = (
  heap: State,
  size: number,
  align: number,
  token?: WeakKey,
): number => {
  const name = "allocAligned";
  const blocks = blocksOf(name, size);
  const over = alignOf(name, align, false);
  if (token === undefined) {
    const block = roomAligned(heap, name, size, blocks, over);
    heap.freshen?.(block, blocks, true);
    return block << 4;
  }
  checkWeakKey(name, token);
  const block = reserveAligned(heap, name, size, blocks, over);
  heap.registry.register(token, block);
  owe(heap, blocks);
  return block << 4;
};

/**
 * {@linkcode alloc} at an address that is a multiple of `align`: with a
 * `token`, an allocation freed after the token is collected; without one, a
 * scratch (where `allocAligned(size, align, token)` would place it now).
 *
 * Placement is the best-fit rule over the aligned addresses: the shortest free
 * span that holds `size` bytes at such an address, the lowest among equals,
 * at its lowest such address; what is left before and after stays free. When
 * `mem` must grow, it grows as for `alloc` (enough for the worst alignment in
 * the tail) and the watchers run before the span is taken, as for
 * {@linkcode malloc}.
 *
 * @param size Bytes to allocate: an integer from 1 to 4 294 967 280.
 * @param align The alignment in bytes: a power of two from 16 to 65 536.
 * @param token The lifetime token: an object or a non-registered symbol.
 * @returns The address, a multiple of `align`.
 * @throws {TypeError} If `size` or `align` is not a number or `token` cannot
 * be held weakly.
 * @throws {RangeError} If `size` or `align` is out of range, or out of memory
 * (with an {@linkcode OutOfMemory} cause). Nothing changes on any error.
 *
 * @example
 * ```ts
 * import { allocAligned } from "@lewd/alloc";
 *
 * const owner = {};
 * const page = allocAligned(4096, 4096, owner); // page-aligned, with a token
 * const tmp = allocAligned(256, 64); // a 64-byte aligned scratch
 * ```
 */
export function allocAligned(
  size: number,
  align: number,
  token?: WeakKey,
): number {
  return allocAlignedIn(heap, size, align, token);
}
