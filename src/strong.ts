/**
 * Strong allocations, which only an explicit `free` frees: `malloc`,
 * `calloc`, `realloc`, `free`.
 *
 * @module
 */

import { alignOf, reserveAligned } from "./align.ts";
import { heap } from "./default.ts";
import { blocksOf, describe } from "./errors.ts";
import { ext, LENGTH } from "./extension.ts";
import { room } from "./growth.ts";
import { allocation, release } from "./kinds.ts";
import { MAX_SIZE, type State } from "./state.ts";

/**
 * A strong allocation of `size` bytes (zeroed if `zero`) at a multiple of
 * `align` blocks; 0 if `soft` and out of memory.
 */
export const strong = (
  heap: State,
  name: string,
  size: number,
  zero?: boolean,
  soft?: boolean,
  align = 1,
): number => {
  // The extension first: on a heap without one, throw before taking.
  const { flip } = ext(heap);
  const block = reserveAligned(
    heap,
    name,
    size,
    blocksOf(name, size),
    align,
    soft,
  );
  if (!block) return 0;
  flip(block);
  if (zero) new Uint8Array(heap.buf, block * 16, size).fill(0);
  return block << 4;
};

/** `count * size` as a byte size; throws if either is not a count. */
const product = (name: string, count: number, size: number): number => {
  for (const [what, value] of [["count", count], ["size", size]] as const) {
    if (typeof value != "number") {
      throw new TypeError(
        `${name}: ${what} must be a number, got ${describe(value)}`,
      );
    }
    if (value >>> 0 !== value) {
      throw new RangeError(
        `${name}: ${what} must be an integer in [0, 4294967295], got ${value}`,
      );
    }
  }
  const total = count * size;
  if (total == 0 || total > MAX_SIZE) {
    throw new RangeError(
      `${name}: count * size must be in [1, ${MAX_SIZE}], got ${count} * ${size}`,
    );
  }
  return total;
};

/** `realloc` for both faces: 0 if `soft` and out of memory. */
export const move = (
  heap: State,
  name: string,
  ptr: number,
  size: number,
  soft?: boolean,
): number => {
  if (ptr === 0) return strong(heap, name, size, false, soft);
  const block = allocation(heap, name, ptr, true);
  const blocks = blocksOf(name, size);
  const len = ext(heap).span(block) & LENGTH;
  if (ext(heap).resize(block, blocks)) {
    if (blocks < len) heap.freshen?.(block + blocks, len - blocks);
    return block << 4;
  }
  if (!room(heap, name, size, blocks, soft)) return 0;
  const to = heap.place(blocks);
  ext(heap).flip(to);
  new Uint8Array(heap.buf).copyWithin(to * 16, block * 16, (block + len) * 16);
  ext(heap).flip(block);
  release(heap, block);
  return to << 4;
};

/** {@linkcode free} on `heap`. */
export const freeIn = (heap: State, ptr: number): void => {
  if (ptr === 0) return;
  const block = allocation(heap, "free", ptr, true);
  ext(heap).flip(block); // if an orphan keeps it reserved, no longer strong
  release(heap, block);
};

/** {@linkcode malloc} on `heap`. */
export const mallocIn = (heap: State, size: number, align?: number): number =>
  strong(heap, "malloc", size, false, false, alignOf("malloc", align));

/** {@linkcode calloc} on `heap`. */
export const callocIn = (heap: State, count: number, size: number): number =>
  strong(heap, "calloc", product("calloc", count, size), true);

/**
 * Allocates `size` bytes that stay allocated until {@linkcode free}: a
 * **strong** allocation, which the garbage collector never frees. Placed and
 * grown for as {@linkcode alloc} places and grows, except that when `mem`
 * grows the watchers run before the span is taken, so a watcher that throws
 * leaves nothing allocated.
 *
 * @param size Bytes to allocate: an integer from 1 to 4 294 967 280.
 * @param align The alignment in bytes, as for {@linkcode allocAligned}; 16
 * (every address's) if not given.
 * @returns The address (a multiple of 16, or of `align`, at least 16, as a
 * signed i32).
 * @throws {TypeError | RangeError} As {@linkcode alloc}.
 *
 * @example
 * ```ts
 * import { free, i32, malloc } from "@lewd/alloc";
 *
 * const ptr = malloc(64);
 * i32[ptr >>> 2] = 1;
 * free(ptr);
 * ```
 */
export function malloc(size: number, align?: number): number {
  return mallocIn(heap, size, align);
}

/**
 * Allocates `count * size` zeroed bytes as a strong allocation (see
 * {@linkcode malloc}).
 *
 * @param count Elements: an integer from 0 to 2^32 − 1.
 * @param size Bytes per element: an integer from 0 to 2^32 − 1.
 * @returns The address.
 * @throws {TypeError} If either is not a number.
 * @throws {RangeError} If either is not such an integer, or `count * size` is
 * 0 or above 4 294 967 280 (it overflows), or out of memory. Nothing changes.
 *
 * @example
 * ```ts
 * import { buf, calloc } from "@lewd/alloc";
 *
 * const ptr = calloc(100, 4); // 400 zero bytes
 * const counts = new Uint32Array(buf, ptr >>> 0, 100);
 * ```
 */
export function calloc(count: number, size: number): number {
  return callocIn(heap, count, size);
}

/**
 * Changes the size of the strong allocation at `ptr` to `size` bytes and
 * returns its address. It stays where it is when it shrinks or when the free
 * span right after it is long enough; otherwise it moves to where
 * {@linkcode malloc} would put `size` bytes, the old bytes are copied there,
 * and the old span is freed. Bytes past the old size are not cleared.
 * `realloc(0, size)` is `malloc(size)`.
 *
 * @param ptr A strong allocation's address (signed or unsigned), or 0.
 * @param size The new size: an integer from 1 to 4 294 967 280.
 * @returns The address, new or the same.
 * @throws {TypeError} If `ptr` or `size` is not a number.
 * @throws {RangeError} If `ptr` is not 0 and not a live strong allocation's
 * address, if `size` is out of range, or out of memory. Nothing changes.
 *
 * @example
 * ```ts
 * import { free, malloc, realloc } from "@lewd/alloc";
 *
 * let ptr = malloc(16);
 * ptr = realloc(ptr, 4096); // the first 16 bytes came along
 * free(ptr);
 * ```
 */
export function realloc(ptr: number, size: number): number {
  return move(heap, "realloc", ptr, size);
}

/**
 * Frees the strong allocation at `ptr` (from {@linkcode malloc},
 * {@linkcode calloc}, {@linkcode realloc} or {@linkcode disown}); the span
 * becomes free and merges with its free neighbours. `free(0)` does nothing.
 *
 * @param ptr A strong allocation's address (signed or unsigned), or 0.
 * @throws {TypeError} If `ptr` is not a number.
 * @throws {RangeError} If `ptr` is anything else: an address inside an
 * allocation, one already freed, a token's allocation, a scratch, or a number
 * that is no address. Nothing changes.
 *
 * @example
 * ```ts
 * import { free, malloc } from "@lewd/alloc";
 *
 * free(malloc(32));
 * free(0); // nothing
 * ```
 */
export function free(ptr: number): void {
  freeIn(heap, ptr);
}
