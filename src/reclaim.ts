/**
 * `reclaim`: gives memory back on purpose. Engines collect dropped tokens
 * when they see fit, which for a program that has gone idle may be much
 * later (or never); `reclaim` prompts a collection the way the allocation
 * pacing does, waits until one has run and its finalizers have freed what
 * they hold, then trims.
 *
 * @module
 */

import { heap } from "./default.ts";
import { ext } from "./extension.ts";
import { answered, throwaway } from "./pacing.ts";
import type { State } from "./state.ts";
import { trimIn } from "./trim.ts";

// A prompt large enough that every engine measured counts it (see pacing.ts).
const PROMPT = 0x2000_0000; // 512 MiB, never touched
// How long to wait for a collection after each prompt, and how many prompts.
const WAIT = 100; // ms
const PROMPTS = 10;

const tick = (ms: number) => new Promise((done) => setTimeout(done, ms));

/** Tells whether a collection has run since it was made. */
interface Canary {
  collected: boolean;
  /** Held here: a registry must outlive the wait for its callback to run. */
  registry?: FinalizationRegistry<0>;
}

// The next canary, held until a call drops it. Made at the previous call (or
// at load), it is older than every token dropped since: a collection young
// enough to miss one of those tokens would miss it too (a minor collection
// collects only objects younger than those that survived one).
let elder = {};

/** A canary: `elder`, dropped now, whose finalizer sets `collected`. */
const canary = (): Canary => {
  const canary: Canary = { collected: false };
  canary.registry = new FinalizationRegistry(() => canary.collected = true);
  canary.registry.register(elder, 0);
  elder = {};
  return canary;
};

/** A count of the allocations that `state` holds now. */
export const allocations = (state: State) => (): number => ext(state).stat(1);

/** {@linkcode reclaim}: `live()` counts a heap's allocations, `trim` its. */
export const reclaimWith = async (
  live: () => number,
  trim: () => number,
): Promise<number> => {
  // A `WeakRef` keeps its target until the current job ends (`watch` holds
  // tokens so): let the caller's job end first.
  await tick(0);
  for (let prompt = 0, before = live(); prompt < PROMPTS; prompt++) {
    const seen = canary();
    // JavaScriptCore writes the throwaway, and collects when idle anyway.
    if (answered) throwaway(PROMPT);
    for (let waited = 0; waited < WAIT && !seen.collected; waited += 10) {
      await tick(10);
    }
    // Each registry's finalizers run in tasks of their own after the
    // canary's: a few more turns let the heap's run.
    for (let turn = 0; turn < 3; turn++) await tick(0);
    // Done after a collection that freed nothing more: the one before it
    // found all there was.
    if (seen.collected && before == (before = live())) break;
  }
  return trim();
};

/**
 * Gives memory back on purpose: prompts the engine to collect garbage (as the
 * allocation pacing does, with a large throwaway buffer that is never
 * touched), waits until a collection has run and the finalizers it released
 * have freed their spans, prompts again until a collection frees nothing
 * more, then calls {@linkcode trim}.
 *
 * Without it, a program that drops its tokens and goes idle may keep their
 * memory for a long time: engines collect when they see fit, and an idle
 * program gives them no reason to. Call it after a burst of work, when
 * the memory should go back to the host. It takes two prompts at least
 * (measured: 40–300 ms for 100 000 dropped tokens, with or without
 * watchers), and about a second at most (ten prompts, each followed by up to
 * 100 ms), then trims anyway.
 *
 * Like `trim`, it runs the respawns and watchers when the memory is
 * replaced, and any scratch address is invalid afterwards.
 *
 * @returns A promise of the number of bytes released (`trim`'s result): 0
 * when nothing at the end of `mem` became free.
 * @throws Rejects as `trim` throws: a `RangeError` if the new memory cannot
 * be created, or the errors of the callbacks.
 *
 * @example
 * ```ts
 * import { alloc, reclaim } from "@lewd/alloc";
 *
 * for (let i = 0; i < 1000; i++) alloc(1024, {}); // tokens dropped at once
 * const released = await reclaim(); // bytes given back to the host
 * ```
 */
export function reclaim(): Promise<number> {
  return reclaimWith(allocations(heap), () => trimIn(heap));
}
