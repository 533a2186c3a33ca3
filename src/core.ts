/**
 * The bookkeeping core: its exports, and one compiled module shared by every
 * heap (each heap instantiates its own copy of the core's memory).
 *
 * @module
 */

import { core as coreText, KEY } from "../lib/core.generated.ts";

/**
 * A core: the bookkeeping of one heap, as its WebAssembly exports (block
 * based, i32 only; see `rs_lib/src/lib.rs`). `createHeap`'s `core` option
 * takes a function that makes one, such as `bigCore` from
 * `@lewd/alloc/big`.
 *
 * @example
 * ```ts
 * import { type Core, createHeap } from "@lewd/alloc";
 * import { bigCore } from "@lewd/alloc/big";
 *
 * const makeCore: () => Core = bigCore;
 * const heap = createHeap({ core: makeCore });
 * ```
 */
export interface Core {
  /** Reserves `blocks` by best fit: the start block, or 0 if none fits. */
  take(blocks: number): number;
  /** Where `take(blocks)` would go now, or 0; records nothing. */
  peek(blocks: number): number;
  /** Frees the used span starting at `block`: its length, or 0. */
  free(block: number): number;
  /** Free blocks at the end of the memory. */
  tail(): number;
  /** Adds blocks up to `cap` to the free tail: 1, or 0 if it cannot. */
  grow(cap: number): number;
  /** Cuts the free tail back to `cap` blocks: 1, or 0 if it cannot. */
  cut(cap: number): number;
  /** The core's own memory, where its records are. */
  memory: WebAssembly.Memory;
  /** Set on the big core (`src/big.ts`), which has no extension. */
  big?: true;
}

/**
 * The bytes of a generated string: each char code XOR {@linkcode KEY}
 * (`scripts/build_core.ts` says why).
 */
export const bytesOf = (text: string): Uint8Array<ArrayBuffer> =>
  Uint8Array.from(text, (c) => c.charCodeAt(0) ^ KEY);

/** A module from the bytes of a generated string. */
export const compile = (text: string): WebAssembly.Module =>
  new WebAssembly.Module(bytesOf(text));

let compiled: WebAssembly.Module | undefined;

/** A new core, with nothing recorded (block 0 is the whole memory). */
export const newCore = (): Core =>
  new WebAssembly.Instance(compiled ??= compile(coreText))
    .exports as unknown as Core;
