/**
 * `lease`: an allocation owned by an object that can also free it at once
 * (`using`, or `[Symbol.dispose]()`).
 *
 * @module
 */

import { alignOf, reserveAligned } from "./align.ts";
import { heap } from "./default.ts";
import { blocksOf } from "./errors.ts";
import { adopt, release } from "./kinds.ts";
import { owe } from "./pacing.ts";
import type { State } from "./state.ts";

// `Symbol.for("Symbol.dispose")` is what TypeScript's downlevelled `using`
// looks for where the engine has no `Symbol.dispose` yet.
const DISPOSE =
  /*#__PURE__*/ (() =>
    Symbol.dispose ?? Symbol.for("Symbol.dispose"))() as typeof Symbol.dispose;

/**
 * An allocation from {@linkcode lease}, freed by its `[Symbol.dispose]()`.
 *
 * @example
 * ```ts
 * import { lease, type Lease } from "@lewd/alloc";
 *
 * const held: Lease = lease(64);
 * held[Symbol.dispose](); // freed now; a second call does nothing
 * ```
 */
export interface Lease {
  /** The address, as {@linkcode alloc} returns it. */
  readonly ptr: number;
  /** The size asked for, in bytes. */
  readonly size: number;
  /** Frees the span now (once; later calls do nothing). */
  [Symbol.dispose](): void;
}

/** {@linkcode lease} on `heap`. */
export const leaseIn = (heap: State, size: number, align?: number): Lease => {
  const blocks = blocksOf("lease", size);
  const block = reserveAligned(
    heap,
    "lease",
    size,
    blocks,
    alignOf("lease", align),
  );
  const held = {
    ptr: block << 4,
    size,
    [DISPOSE]() {
      // While the lease owns the span, its key is the block's: so the span
      // is freed once, and never after a `disown` or the finalizer.
      const keys = heap.kinds!.keys;
      if (keys.get(block) === key) {
        heap.registry.unregister(key);
        keys.delete(block);
        release(heap, block);
      }
    },
  };
  const key = adopt(heap, block, held);
  owe(heap, blocks);
  return held as unknown as Lease; // DISPOSE is Symbol.dispose where it exists
};

/**
 * Allocates `size` bytes owned by the returned {@linkcode Lease}: disposing
 * it (a `using` declaration, or calling `[Symbol.dispose]()`) frees the span
 * at once; if it is never disposed, the span is freed after the lease is
 * garbage-collected, as with {@linkcode alloc}. If `mem` must grow, the
 * watchers run before the span is taken.
 *
 * {@linkcode disown} turns the allocation strong: disposing the lease then
 * does nothing.
 *
 * @param size Bytes to allocate: an integer from 1 to 4 294 967 280.
 * @param align The alignment in bytes, as for {@linkcode allocAligned}; 16
 * (every address's) if not given.
 * @returns The lease; its `ptr` is the address.
 * @throws {TypeError | RangeError} As {@linkcode alloc}.
 *
 * @example
 * ```ts
 * import { buf, lease } from "@lewd/alloc";
 *
 * {
 *   using tmp = lease(4096);
 *   new Uint8Array(buf, tmp.ptr >>> 0, 4096).fill(1);
 * } // freed here
 * ```
 */
export function lease(size: number, align?: number): Lease {
  return leaseIn(heap, size, align);
}
