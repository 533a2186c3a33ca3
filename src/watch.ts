/**
 * `watch` and `unwatch`: resize handlers, held through their tokens.
 *
 * Watchers are reachable only through their token (an ephemeron: a `WeakMap`
 * from token to watchers), so a watcher that captures its token does not keep
 * it alive. Weak refs to the tokens let a resize find those still alive, in
 * the order they were first registered; they are swept on every resize and
 * as they pile up.
 *
 * @module
 */

import { heap } from "./default.ts";
import { checkFunction, checkWeakKey } from "./errors.ts";
import { listen, sweep } from "./notify.ts";
import type { State } from "./state.ts";

/** {@linkcode watch} on `heap`. */
export const watchIn = (
  heap: State,
  watcher: () => unknown,
  token: WeakKey,
): void => {
  checkFunction("watch", "watcher", watcher);
  checkWeakKey("watch", token);
  let set = heap.watchers.get(token);
  listen(heap);
  if (!set) {
    heap.watchers.set(token, set = new Set());
    if (heap.tokens.push(new WeakRef(token)) > heap.swept) sweep(heap);
  }
  set.add(watcher);
};

/** {@linkcode unwatch} on `heap`: `args` as `unwatch` was given them. */
export const unwatchIn = (heap: State, args: unknown[]): boolean => {
  const token = args[args.length - 1] as WeakKey;
  if (args.length > 1) checkFunction("unwatch", "watcher", args[0]);
  checkWeakKey("unwatch", token);
  // The emptied set stays, so its token's weak ref stays the only one.
  const set = heap.watchers.get(token);
  if (!set) return false;
  if (args.length > 1) return set.delete(args[0] as () => unknown);
  const had = set.size > 0;
  set.clear();
  return had;
};

/**
 * Registers a resize handler: `watcher` runs after every resize of
 * {@linkcode mem} (a grow, or a {@linkcode trim} after the respawns), so it can
 * rebuild its views over the new {@linkcode buf}.
 *
 * The watcher is held through `token` only: it may capture the token without
 * keeping it alive, and it is dropped when the token is collected. The same
 * watcher registered twice for one token runs once per resize.
 *
 * @param watcher Called after every resize.
 * @param token The watcher's lifetime: an object or a non-registered symbol.
 * @throws {TypeError} If `watcher` is not a function or `token` cannot be
 * held weakly.
 *
 * @example
 * ```ts
 * import { alloc, buf, watch } from "@lewd/alloc";
 *
 * class Vec4 {
 *   ptr = alloc(16, this);
 *   view = new Float32Array(buf, this.ptr >>> 0, 4);
 *   constructor() {
 *     watch(() => {
 *       this.view = new Float32Array(buf, this.ptr >>> 0, 4);
 *     }, this);
 *   }
 * }
 * ```
 */
export function watch(watcher: () => unknown, token: WeakKey): void {
  watchIn(heap, watcher, token);
}

/**
 * Stops every resize handler of `token` (see {@linkcode watch}). A watcher
 * dropped while the watchers are running still runs this time if it had not
 * yet.
 *
 * @param token The token the watchers were registered with.
 * @returns Whether any watcher was dropped.
 * @throws {TypeError} If `token` cannot be held weakly.
 *
 * @example
 * ```ts
 * import { unwatch, watch } from "@lewd/alloc";
 *
 * const owner = {};
 * watch(() => {}, owner);
 * unwatch(owner); // true
 * ```
 */
export function unwatch(token: WeakKey): boolean;
/**
 * Stops one resize handler: drops `watcher` from `token`'s watchers (see
 * {@linkcode watch}). A watcher dropped while the watchers are running still
 * runs this time if it had not yet.
 *
 * @param watcher The watcher to drop.
 * @param token The token it was registered with.
 * @returns Whether it was registered (and is now dropped).
 * @throws {TypeError} If `watcher` is not a function or `token` cannot be
 * held weakly.
 *
 * @example
 * ```ts
 * import { unwatch, watch } from "@lewd/alloc";
 *
 * const owner = {};
 * const rebuild = () => {};
 * watch(rebuild, owner);
 * unwatch(rebuild, owner); // true
 * unwatch(rebuild, owner); // false: already dropped
 * ```
 */
export function unwatch(watcher: () => unknown, token: WeakKey): boolean;
export function unwatch(...args: unknown[]): boolean {
  return unwatchIn(heap, args);
}
