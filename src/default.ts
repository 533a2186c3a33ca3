/**
 * The default heap: the one that the module-level functions use, and its live
 * bindings `mem`, `buf`, `i32` and `cap` (ES `export let`, reassigned on every
 * resize, so `import { buf } from "@lewd/alloc"` always sees the current
 * buffer). Created on first use by whatever a program imports; a program
 * that uses none of it bundles none of it.
 *
 * @module
 */

import { createState, type State } from "./state.ts";

/**
 * The active memory object. Modules import it (e.g. as `env.mem`).
 *
 * @example
 * ```ts
 * import { mem } from "@lewd/alloc";
 *
 * // (module (import "env" "mem" (memory 1))), compiled:
 * const bytes = new Uint8Array([
 *   0, 97, 115, 109, 1, 0, 0, 0, 2, 12, 1, 3, 101, 110, 118, 3, 109, 101, 109,
 *   2, 0, 1,
 * ]);
 * const module = new WebAssembly.Module(bytes);
 * const instance = new WebAssembly.Instance(module, { env: { mem } });
 * ```
 */
export let mem!: WebAssembly.Memory;

/**
 * The active buffer object: `mem.buffer`, rebound on every resize.
 *
 * @example
 * ```ts
 * import { alloc, buf } from "@lewd/alloc";
 *
 * const owner = {};
 * const ptr = alloc(64, owner);
 * // Views over `buf` go stale when mem is resized: rebuild them in a watcher.
 * new Uint8Array(buf, ptr >>> 0, 64).fill(0xff);
 * ```
 */
export let buf!: ArrayBuffer;

/**
 * The active signed 32-bit view over all of {@linkcode buf}.
 *
 * @example
 * ```ts
 * import { alloc, i32 } from "@lewd/alloc";
 *
 * const owner = {};
 * const ptr = alloc(16, owner);
 * i32[(ptr >>> 2) + 1] = 7; // the allocation's second word
 * ```
 */
export let i32!: Int32Array;

/**
 * The active memory size in 16-byte blocks (`2 ** 28` at 4 GiB).
 *
 * @example
 * ```ts
 * import { cap } from "@lewd/alloc";
 *
 * const bytes = cap * 16; // mem.buffer.byteLength
 * ```
 */
export let cap!: number;

// After the bindings: the heap assigns them as it is made.
/** The default heap's state. */
export const heap: State = /*#__PURE__*/ createState(undefined, (next) => {
  mem = next.mem;
  buf = next.buf;
  i32 = next.i32;
  cap = next.cap;
});
