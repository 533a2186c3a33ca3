/**
 * Pointer kinds: which allocations a token owns and which are strong, and
 * moving an allocation from one kind to the other (`own`, `disown`).
 *
 * An `alloc(size, token)` registration cannot be cancelled (an unregister
 * token would slow the hot path), so `disown` leaves it pending as an
 * **orphan**: `orphans` maps its block to whether the span has been freed
 * since. A freed span with an orphan stays reserved until the orphan's
 * finalizer comes, so that finalizer can never free a later allocation at
 * the same address. `keys` maps the block of each cancellable registration
 * (`own`, `lease`) to its unregister token; those registrations hold
 * `KEYED + block`.
 *
 * @module
 */

import { heap } from "./default.ts";
import { checkWeakKey, describe } from "./errors.ts";
import { ext, STRONG } from "./extension.ts";
import type { State } from "./state.ts";

/** The pointer kinds' bookkeeping of one heap. */
export interface Kinds {
  /** Blocks of orphaned registrations: whether the span was freed since. */
  orphans: Map<number, boolean>;
  /** Blocks of cancellable registrations: their unregister keys. */
  keys: Map<number, object>;
}

/** Held values from here up name a cancellable registration. */
const KEYED = 0x1000_0000;

/**
 * The kinds' bookkeeping of `heap`, made on first use together with the
 * finalizer that tells orphans and cancellable registrations apart.
 */
export const kindsOf = (heap: State): Kinds => {
  if (!heap.kinds) {
    const kinds: Kinds = heap.kinds = { orphans: new Map(), keys: new Map() };
    heap.finalize = (held) => {
      if (held >= KEYED) {
        kinds.keys.delete(held -= KEYED);
        release(heap, held);
      } else {
        // An orphan's own finalizer frees only if the span was freed since.
        if (kinds.orphans.get(held) !== false) heap.unspan(held);
        kinds.orphans.delete(held);
      }
    };
  }
  return heap.kinds;
};

/** Frees `block` now, or when its orphan's finalizer comes. */
export const release = (heap: State, block: number): void => {
  if (heap.kinds?.orphans.has(block)) heap.kinds.orphans.set(block, true);
  else heap.unspan(block);
};

/** Registers `token` as the owner of `block`; returns the unregister key. */
export const adopt = (heap: State, block: number, token: WeakKey): object => {
  const key = {};
  heap.registry.register(token, KEYED + block, key);
  kindsOf(heap).keys.set(block, key);
  return key;
};

/**
 * The block of the live allocation that `ptr` addresses, strong or not as
 * `strong` says; throws otherwise.
 */
export const allocation = (
  heap: State,
  name: string,
  ptr: number,
  strong: boolean,
): number => {
  if (typeof ptr != "number") {
    throw new TypeError(`${name}: ptr must be a number, got ${describe(ptr)}`);
  }
  // An address as a signed or an unsigned i32, a multiple of 16.
  const block = ((ptr | 0) === ptr || ptr >>> 0 === ptr) && !(ptr & 15)
    ? ptr >>> 4
    : 0;
  // Free spans come back negative (their bit 31 is set).
  const span = block && ext(heap).span(block);
  if (
    span <= 0 || (span >= STRONG) != strong ||
    heap.kinds?.orphans.get(block) || heap.guarded?.has(block) ||
    heap.movables?.byBlock.has(block)
  ) {
    throw new RangeError(
      `${name}: ${ptr} is not the address of a live ${
        strong ? "strong" : "token"
      } allocation`,
    );
  }
  return block;
};

/** {@linkcode own} on `heap`. */
export const ownIn = (heap: State, ptr: number, token: WeakKey): void => {
  const block = allocation(heap, "own", ptr, true);
  checkWeakKey("own", token);
  adopt(heap, block, token);
  ext(heap).flip(block);
};

/** {@linkcode disown} on `heap`. */
export const disownIn = (heap: State, ptr: number): void => {
  const block = allocation(heap, "disown", ptr, false);
  const { keys, orphans } = kindsOf(heap);
  const key = keys.get(block);
  if (key) {
    heap.registry.unregister(key);
    keys.delete(block);
  } else {
    orphans.set(block, false);
  }
  ext(heap).flip(block);
};

/**
 * Hands the strong allocation at `ptr` to `token`: from now on it is freed
 * after `token` is garbage-collected, as if {@linkcode alloc} had made it,
 * and {@linkcode free} refuses it.
 *
 * @param ptr A strong allocation's address.
 * @param token The new owner: an object or a non-registered symbol.
 * @throws {TypeError} If `ptr` is not a number or `token` cannot be held
 * weakly.
 * @throws {RangeError} If `ptr` is not a live strong allocation's address.
 * Nothing changes on any error.
 *
 * @example
 * ```ts
 * import { malloc, own } from "@lewd/alloc";
 *
 * const owner = {};
 * own(malloc(256), owner); // freed with `owner`
 * ```
 */
export function own(ptr: number, token: WeakKey): void {
  ownIn(heap, ptr, token);
}

/**
 * Takes the allocation at `ptr` away from its token (or {@linkcode Lease}):
 * it becomes strong, stays allocated after the token is collected, and is
 * freed by {@linkcode free}. The token's finalizer, when it comes, frees
 * nothing; if the allocation is freed before it comes, the span stays
 * reserved until then, so that a finalizer can never free a later allocation
 * at the same address.
 *
 * @param ptr The address of a live allocation made with a token.
 * @throws {TypeError} If `ptr` is not a number.
 * @throws {RangeError} If `ptr` is not such an address (a strong
 * allocation, a scratch, anything freed). Nothing changes.
 *
 * @example
 * ```ts
 * import { alloc, disown, free } from "@lewd/alloc";
 *
 * const ptr = alloc(64, {});
 * disown(ptr); // survives its token
 * free(ptr);
 * ```
 */
export function disown(ptr: number): void {
  disownIn(heap, ptr);
}
