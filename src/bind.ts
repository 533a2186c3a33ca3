/**
 * `bind`: modules whose instances must follow `mem` when a trim replaces it.
 *
 * @module
 */

import { heap } from "./default.ts";
import { checkFunction } from "./errors.ts";
import type { State } from "./state.ts";

/** Throws unless `spawn` and `respawn` are functions. */
export const checkCallbacks = (
  name: string,
  spawn: unknown,
  respawn: unknown,
): void => {
  checkFunction(name, "spawn", spawn);
  checkFunction(name, "respawn", respawn);
};

/** {@linkcode bind} on `heap`. */
export const bindIn = <T>(
  heap: State,
  spawn: () => T,
  respawn: () => unknown,
): T => {
  checkCallbacks("bind", spawn, respawn);
  const at = heap.respawns.push(respawn) - 1;
  try {
    return spawn();
  } catch (error) {
    heap.respawns.splice(at, 1);
    throw error;
  }
};

/**
 * Registers `respawn`, then calls `spawn()` and returns its result.
 *
 * `spawn` creates a module instance over {@linkcode mem} and initialises it;
 * it may be async (then `bind` returns its promise). `respawn` runs after
 * every {@linkcode trim} (which replaces `mem`), in `bind` order and before
 * the watchers, to create a new instance over the new `mem` and restore the
 * state that is not in memory (mutable globals, tables). `respawn` must be
 * synchronous. If `spawn` throws, `respawn` is not kept.
 *
 * For a module whose active data segments write into `mem`, use
 * {@linkcode bindSegments} instead.
 *
 * @param spawn Called once, now; its result is returned.
 * @param respawn Called after every trim.
 * @returns What `spawn` returned.
 * @throws {TypeError} If `spawn` or `respawn` is not a function. Nothing
 * changes.
 *
 * @example
 * ```ts
 * import { bind, mem } from "@lewd/alloc";
 *
 * // (module (import "env" "mem" (memory 1))), compiled:
 * const MODULE = new WebAssembly.Module(
 *   new Uint8Array([
 *     0, 97, 115, 109, 1, 0, 0, 0, 2, 12, 1, 3, 101, 110, 118, 3, 109, 101,
 *     109, 2, 0, 1,
 *   ]),
 * );
 * // A library annotates this call as pure too (see the README).
 * let impl = bind(
 *   () => new WebAssembly.Instance(MODULE, { env: { mem } }),
 *   () => {
 *     impl = new WebAssembly.Instance(MODULE, { env: { mem } });
 *   },
 * );
 * ```
 */
export /*#__NO_SIDE_EFFECTS__*/ function bind<T>(
  spawn: () => T,
  respawn: () => unknown,
): T {
  return bindIn(heap, spawn, respawn);
}
