/**
 * LEWD Alloc with the big core, for heaps of many live allocations.
 *
 * The big core keeps the bookkeeping per span (at most 48 bytes each, reused
 * after frees) instead of per 16-byte block of the whole memory, and stays
 * as fast at a million spans as at a thousand. It has the same placement
 * rule as the default core (exact best fit, the lowest address among
 * equals) and no extension: a heap with the big core offers the basic API
 * only.
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
