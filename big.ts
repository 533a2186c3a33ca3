/**
 * LEWD Alloc with the big core, for heaps of many live allocations.
 *
 * The big core keeps its records per span (about 30 bytes each, at most 48,
 * reused after frees) instead of 8 bytes per 16-byte block of the whole
 * memory. Placement is exact best fit, as with the default core; among
 * free spans of equal length, a request under 1 KiB gets the one freed
 * last and a larger one the lowest (docs/CONTRACT.md). It has no
 * extension: the functions that need one throw a `TypeError` on its heaps.
 *
 * Two ways to use it: this entry point's basic API ({@linkcode alloc},
 * {@linkcode trim}, {@linkcode bind}, {@linkcode watch}, {@linkcode unwatch},
 * {@linkcode mem}, {@linkcode buf}, {@linkcode i32}, {@linkcode cap}), a
 * default heap of its own with the big core; or `createHeap({ core: bigCore })`
 * from the main entry point. A program that imports neither bundles none of
 * it.
 *
 * @example Allocate from the big default heap
 * ```ts
 * import { alloc, i32 } from "@lewd/alloc/big";
 *
 * const point = { x: 0 };
 * const ptr = alloc(16, point); // freed after `point` is collected
 * i32[ptr >>> 2] = 42;
 * ```
 *
 * @module
 */

export { bigCore } from "./src/big.ts";
export {
  alloc,
  bind,
  buf,
  cap,
  i32,
  mem,
  trim,
  unwatch,
  watch,
} from "./src/big_heap.ts";
