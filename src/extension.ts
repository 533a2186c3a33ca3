/**
 * The core's extension: the same heap seen through the core's memory
 * (strong bits, in-place resize, statistics, aligned and first-fit placement),
 * instantiated for a heap the first time one of its extensions needs it. A
 * program that only uses the basic API never loads it.
 *
 * @module
 */

import { ext as extBytes } from "../lib/core.generated.ts";
import { compile } from "./core.ts";
import type { State } from "./state.ts";

/** The extension's exports (see `rs_lib/src/lib.rs`). */
export interface Ext {
  span(block: number): number;
  flip(block: number): number;
  resize(block: number, blocks: number): number;
  stat(which: number): number;
  aligned(blocks: number, align: number, commit: number): number;
  claim(start: number, at: number, blocks: number): number;
  first(blocks: number, from: number): number;
}

/** `Ext.span`: the strong bit, above the length bits (bit 31: free). */
export const STRONG = 0x4000_0000;
/** `Ext.span`: the length bits. */
export const LENGTH = 0x0FFF_FFFF;

let compiled: WebAssembly.Module | undefined;

/**
 * The extension of `heap`'s core, instantiated on first use. It reads the
 * default core's records, so a heap with the big core has none: a
 * `TypeError` naming the big core, before anything changes.
 */
export const ext = (heap: State): Ext => {
  if (heap.core.big) {
    throw new TypeError(
      "this function needs the default core's extension, which a heap " +
        "with the big core (bigCore) does not have",
    );
  }
  return heap.ext ??= new WebAssembly.Instance(compiled ??= compile(extBytes), {
    env: { memory: heap.core.memory },
  }).exports as unknown as Ext;
};
