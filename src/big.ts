/**
 * The big core: the core's exports over records per span instead of per
 * block (`rs_lib/src/big/`), for heaps of many live allocations. It has no
 * extension, so only the basic API runs on it (see `extension.ts`).
 *
 * @module
 */

import { big as bigBytes } from "../lib/big.generated.ts";
import { compile, type Core } from "./core.ts";

let compiled: WebAssembly.Module | undefined;

/**
 * Makes a big core: pass it as `createHeap`'s `core` option. Its records
 * cost about 30 bytes per span (at most 48) and nothing per block, where the
 * default core's cost 8 bytes per 16-byte block of the whole memory; its
 * placement is exact best fit, with its own rule among spans of equal
 * length (docs/CONTRACT.md). It has no extension: the functions that need
 * one (strong allocations, `own`/`disown`, alignment above 16 bytes,
 * `stats`, `protect`/`restrict`, `policy`, the debugger) throw a
 * `TypeError` on its heaps.
 *
 * @returns A new core, with nothing recorded.
 *
 * @example
 * ```ts
 * import { createHeap } from "@lewd/alloc";
 * import { bigCore } from "@lewd/alloc/big";
 *
 * const heap = createHeap({ core: bigCore });
 * const owner = {};
 * heap.alloc(64, owner);
 * ```
 */
export const bigCore = (): Core => ({
  ...new WebAssembly.Instance(compiled ??= compile(bigBytes))
    .exports as unknown as Core,
  big: true,
});
