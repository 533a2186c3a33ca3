/**
 * Placement policies: best fit (the core's own rule), first fit, next fit.
 *
 * @module
 */

import { heap } from "./default.ts";
import { describe } from "./errors.ts";
import { ext } from "./extension.ts";
import type { State } from "./state.ts";

/**
 * A placement policy for {@linkcode policy}: `"best"` (exact best fit, the
 * default and the contract's rule), `"first"` (address-ordered first fit) or
 * `"next"` (next fit).
 *
 * @example
 * ```ts
 * import { type Policy, policy } from "@lewd/alloc";
 *
 * const was: Policy = policy("first");
 * policy(was);
 * ```
 */
export type Policy = "best" | "first" | "next";

/** {@linkcode policy} of `heap`. */
export const policyOf = (heap: State, name?: Policy): Policy => {
  const was = (heap.policy ?? "best") as Policy;
  if (name === undefined) return was;
  const { core } = heap;
  if (name == "best") {
    heap.spot = core.peek;
    heap.place = core.take;
  } else if (name == "first" || name == "next") {
    // Next fit starts where the last allocation ended (a span starts
    // there), wrapping around; the core restarts at the first span if no
    // span starts there any more.
    const { first, claim } = ext(heap);
    let rover = 1;
    const spot = heap.spot = name == "first"
      ? (blocks) => first(blocks, 1)
      : (blocks) => first(blocks, rover) || first(blocks, 1);
    heap.place = (blocks) => {
      const block = spot(blocks);
      if (block) {
        claim(block, block, blocks);
        rover = block + blocks;
      }
      return block;
    };
  } else {
    throw new TypeError(
      `policy: name must be "best", "first" or "next", got ${describe(name)}`,
    );
  }
  heap.policy = name;
  return was;
};

/**
 * Chooses where allocations go from now on (and where a scratch is):
 *
 * - `"best"`: exact best fit, the contract's rule and the default: the shortest
 *   free span that fits, the lowest among equals. O(log n).
 * - `"first"`: address-ordered first fit: the lowest free span that fits.
 *   The core walks the spans from the start: O(spans before it).
 * - `"next"`: next fit: the first free span that fits at or after where the
 *   last allocation ended, wrapping around to the start.
 *
 * Each takes the low end of the span it picks. Aligned allocations
 * ({@linkcode allocAligned}) always use best fit. `bench/RESULTS.md` compares
 * the three on the same traces: fragmentation and speed.
 *
 * @param name The policy to use; if not given, nothing changes.
 * @returns The policy before.
 * @throws {TypeError} If `name` is given and is not one of the three.
 *
 * @example
 * ```ts
 * import { alloc, policy } from "@lewd/alloc";
 *
 * policy("next");
 * alloc(64, {});
 * policy("best");
 * ```
 */
export function policy(name?: Policy): Policy {
  return policyOf(heap, name);
}
