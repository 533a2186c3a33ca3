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
 * Makes a big core: pass it as `createHeap`'s `core` option. Its bookkeeping costs at most 48 bytes per span and nothing
 * per block, where the default core's costs 8 bytes per 16-byte block of
 * the whole memory; it is the faster of the two once a heap has some
 * 100 000 spans. It has no extension: on its heaps, only `alloc`, `trim`,
 * `bind`, `watch`/`unwatch` and `mem`/`buf`/`i32`/`cap` work, and every
 * other function throws a `TypeError`.
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
