/**
 * The big default heap: the basic API (`alloc`, `trim`, `bind`, `watch`,
 * `unwatch`, and the live bindings `mem`, `buf`, `i32`, `cap`) over a heap
 * of its own whose core is the big core. Another heap than the default
 * heap of the main entry point: a program uses one or the other. Created
 * on first use, like the default heap.
 *
 * @module
 */

import { allocOn } from "./alloc.ts";
import { bigCore } from "./big.ts";
import { bindIn } from "./bind.ts";
import { createState, type State } from "./state.ts";
import { trimIn } from "./trim.ts";
import { unwatchIn, watchIn } from "./watch.ts";

/**
 * The big default heap's memory, as `mem` is the default heap's: modules
 * import it (e.g. as `env.mem`).
 *
 * @example
 * ```ts
 * import { mem } from "@lewd/alloc/big";
 *
 * const bytes = mem.buffer.byteLength; // 65536 at first
 * ```
 */
export let mem!: WebAssembly.Memory;

/**
 * The big default heap's buffer: `mem.buffer`, rebound on every resize.
 *
 * @example
 * ```ts
 * import { alloc, buf } from "@lewd/alloc/big";
 *
 * const owner = {};
 * new Uint8Array(buf, alloc(64, owner), 64).fill(0xff);
 * ```
 */
export let buf!: ArrayBuffer;

/**
 * A signed 32-bit view over all of {@linkcode buf}, rebound on every resize.
 *
 * @example
 * ```ts
 * import { alloc, i32 } from "@lewd/alloc/big";
 *
 * const owner = {};
 * i32[alloc(16, owner) >>> 2] = 7;
 * ```
 */
export let i32!: Int32Array;

/**
 * The big default heap's size in 16-byte blocks.
 *
 * @example
 * ```ts
 * import { cap } from "@lewd/alloc/big";
 *
 * const bytes = cap * 16;
 * ```
 */
export let cap!: number;

// Declared after the bindings: creating it sets them.
/** The big default heap's state. */
const heap: State = /*#__PURE__*/ createState(undefined, (next) => {
  mem = next.mem;
  buf = next.buf;
  i32 = next.i32;
  cap = next.cap;
}, /*#__PURE__*/ bigCore());

/**
 * `alloc` of the main entry point, on the big default heap: `size` bytes
 * owned by `token` (freed after the token is collected), or a scratch
 * without one. The same placement (exact best fit, the lowest address
 * among equals), errors and growth.
 *
 * @param size Bytes to allocate: an integer from 1 to 4 294 967 280.
 * @param token The lifetime token: an object or a non-registered symbol.
 * @returns The address of the allocation.
 * @throws {TypeError} If `size` is not a number or `token` cannot be held
 * weakly. Nothing changes.
 * @throws {RangeError} If `size` is out of range, or out of memory.
 *
 * @example
 * ```ts
 * import { alloc } from "@lewd/alloc/big";
 *
 * const owner = {};
 * const ptr = alloc(1024, owner); // lives as long as `owner`
 * ```
 */
export const alloc: (size: number, token?: WeakKey) => number =
  /*#__PURE__*/ allocOn(heap);

/**
 * `trim` of the main entry point, on the big default heap: releases the
 * free pages at the end of {@linkcode mem}.
 *
 * @returns The number of bytes released (0 if none).
 * @throws {RangeError} If the new memory cannot be created; nothing changes.
 *
 * @example
 * ```ts
 * import { trim } from "@lewd/alloc/big";
 *
 * const released = trim();
 * ```
 */
export const trim = (): number => trimIn(heap);

/**
 * `bind` of the main entry point, on the big default heap: runs `spawn`
 * now and `respawn` after every {@linkcode trim}.
 *
 * @param spawn Makes the module's instance now.
 * @param respawn Makes it again over the new {@linkcode mem}.
 * @returns What `spawn` returned.
 * @throws {TypeError} If either is not a function.
 *
 * @example
 * ```ts
 * import { bind } from "@lewd/alloc/big";
 *
 * let spawned = bind(() => 1, () => {
 *   spawned += 1;
 * });
 * ```
 */
export const bind = <T>(spawn: () => T, respawn: () => unknown): T =>
  bindIn(heap, spawn, respawn);

/**
 * `watch` of the main entry point, on the big default heap: `watcher` runs
 * after every resize of {@linkcode mem} while `token` lives.
 *
 * @param watcher Called after each resize.
 * @param token Keeps the watcher registered while it lives.
 * @throws {TypeError} If `watcher` is not a function or `token` cannot be
 * held weakly.
 *
 * @example
 * ```ts
 * import { buf, watch } from "@lewd/alloc/big";
 *
 * const view = { bytes: new Uint8Array(buf) };
 * watch(() => {
 *   view.bytes = new Uint8Array(buf);
 * }, view);
 * ```
 */
export const watch = (watcher: () => unknown, token: WeakKey): void =>
  watchIn(heap, watcher, token);

/**
 * `unwatch` of the main entry point, on the big default heap: removes every
 * watcher of `token`.
 *
 * @param token The token the watchers were registered with.
 * @returns Whether any watcher was dropped.
 * @throws {TypeError} If `token` cannot be held weakly.
 *
 * @example
 * ```ts
 * import { unwatch, watch } from "@lewd/alloc/big";
 *
 * const token = {};
 * watch(() => {}, token);
 * unwatch(token); // true
 * ```
 */
export function unwatch(token: WeakKey): boolean;
/**
 * `unwatch` of the main entry point, on the big default heap: removes the
 * one `watcher` of `token`.
 *
 * @param watcher The watcher to drop.
 * @param token The token it was registered with.
 * @returns Whether it was registered (and is now dropped).
 * @throws {TypeError} If `watcher` is not a function or `token` cannot be
 * held weakly.
 *
 * @example
 * ```ts
 * import { unwatch, watch } from "@lewd/alloc/big";
 *
 * const token = {};
 * const watcher = () => {};
 * watch(watcher, token);
 * unwatch(watcher, token); // true
 * ```
 */
export function unwatch(watcher: () => unknown, token: WeakKey): boolean;
export function unwatch(...args: unknown[]): boolean {
  return unwatchIn(heap, args);
}
