/**
 * Validation and errors: every message names the function and the value;
 * `TypeError` for the wrong kind of thing, `RangeError` for a value out of
 * range or out of memory.
 *
 * @module
 */

import { MAX_SIZE, type State } from "./state.ts";

/** A value as an error message shows it. */
export const describe = (value: unknown): string =>
  typeof value == "string"
    ? JSON.stringify(value)
    : typeof value == "function"
    ? "a function"
    : value && typeof value == "object"
    ? "an object"
    : typeof value == "bigint"
    ? value + "n"
    : String(value);

/** An address as error messages and the memory map show it. */
export const hex = (address: number): string => "0x" + address.toString(16);

/**
 * The error for a bad argument: "`name`: `problem`, got `value`" (a
 * `TypeError` unless `type` says otherwise), for the caller to throw.
 */
export const badArgument = (
  name: string,
  problem: string,
  value: unknown,
  type: ErrorConstructor = TypeError,
): Error => new type(`${name}: ${problem}, got ${describe(value)}`);

/** Throws unless `value` can be held weakly (a token). */
export const checkWeakKey = (name: string, value: unknown): void => {
  if (
    typeof value == "object" ? value === null : typeof value != "function" &&
      (typeof value != "symbol" || Symbol.keyFor(value) !== undefined)
  ) {
    throw badArgument(
      name,
      "token must be an object or a non-registered symbol",
      value,
    );
  }
};

/** Throws unless `options` is undefined or an object. */
export const checkOptions = (name: string, options: unknown): void => {
  if (options !== undefined && (typeof options != "object" || !options)) {
    throw badArgument(name, "options must be an object", options);
  }
};

/** Throws unless `value` is a function. */
export const checkFunction = (
  name: string,
  what: string,
  value: unknown,
): void => {
  if (typeof value != "function") {
    throw badArgument(name, what + " must be a function", value);
  }
};

/**
 * The blocks that `size` bytes take; throws if `size` is not an integer from 1
 * to 4 294 967 280.
 */
export const blocksOf = (name: string, size: number): number => {
  if (typeof size != "number") {
    throw badArgument(name, "size must be a number", size);
  }
  if (size >>> 0 !== size || size == 0 || size > MAX_SIZE) {
    throw badArgument(
      name,
      `size must be an integer in [1, ${MAX_SIZE}]`,
      size,
      RangeError,
    );
  }
  return (size + 15) >>> 4;
};

/**
 * The `cause` of every out-of-memory `RangeError`: what was asked, what there
 * was, and the limit, in bytes.
 *
 * @example
 * ```ts
 * import { malloc, type OutOfMemory } from "@lewd/alloc";
 *
 * try {
 *   malloc(0xFFFF_FFF0);
 * } catch (error) {
 *   const { asked, limit } = (error as Error).cause as OutOfMemory;
 *   console.log(`${asked} bytes asked, ${limit} allowed`);
 * }
 * ```
 */
export interface OutOfMemory {
  /** The bytes asked for (a size, or pages × 65 536 for `grow`). */
  asked: number;
  /** The size of `mem` in bytes when it failed. */
  capacity: number;
  /** The longest free span in bytes (the largest allocation that fit). */
  largest: number;
  /** The most bytes `mem` may have: `limit` × 65 536. */
  limit: number;
}

/**
 * The longest free span, in blocks: the most that `peek` can place, by
 * bisection (about 28 calls; for errors only, which should not load the
 * extension for it).
 */
const longest = (heap: State): number => {
  let low = 0, high = heap.cap, mid;
  while (low < high) {
    if (heap.core.peek(mid = (low + high + 1) >>> 1)) low = mid;
    else high = mid - 1;
  }
  return low;
};

/** An out-of-memory error with its {@linkcode OutOfMemory} cause. */
export const outOfMemory = (
  heap: State,
  message: string,
  asked: number,
): RangeError =>
  new RangeError(message, {
    cause: {
      asked,
      capacity: heap.cap * 16,
      largest: longest(heap) * 16,
      limit: heap.maxPages * 0x1_0000,
    } satisfies OutOfMemory,
  });
