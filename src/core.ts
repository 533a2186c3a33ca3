/**
 * The bookkeeping core: its exports, and one compiled module shared by every
 * heap (each heap instantiates its own copy of the core's memory).
 *
 * @module
 */

import { core as coreText, KEY } from "../lib/core.generated.ts";

/** The core's exports: block-based, i32 only (see `rs_lib/src/lib.rs`). */
export interface Core {
  take(blocks: number): number;
  peek(blocks: number): number;
  free(block: number): number;
  tail(): number;
  grow(cap: number): number;
  cut(cap: number): number;
  memory: WebAssembly.Memory;
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
