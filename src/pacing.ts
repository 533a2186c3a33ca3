/**
 * GC pressure: engines do not treat `mem` as memory the collector should
 * care about (V8 15 counts it, but one growth step is far below what starts a
 * collection), so with nobody calling `gc()` tokens die long after their
 * spans could have been reused and `mem` balloons. So `alloc` keeps `debt`,
 * the blocks handed out with a token since the last check, and past
 * `nudgeAt` calls {@linkcode nudge}: a throwaway ArrayBuffer, never touched
 * (address space, no RSS), which engines count as external memory and answer
 * with a major GC. V8 11 and V8 15 answer differently; the rules come from
 * their sources and from bench/gc/FINDINGS.md:
 *
 * - `nudgeAt` is a sixteenth of `mem`, at least 512 KiB, but 4 MiB while
 *   `mem` is under 4 MiB: the GC a nudge starts costs up to about 1 ms, and
 *   nudging small heaps every sixteenth doubled the time of
 *   `alloc(size, token)` at 1 000 live spans.
 * - Outside V8 windows (Node 20, Deno 2, Firefox) every check drops a 256 MiB
 *   buffer. In V8 11 each starts a major GC; in V8 15 about every other one
 *   does.
 * - In a V8 window with `transfer` (Chromium) the buffer is detached at
 *   once: counted in the constructor, where V8 decides, but not in the
 *   limits the GC then sets (a dropped one is, and the next nudge falls
 *   short). V8 checks again only above the last peak. So: after a finalizer
 *   (that GC ran), nudge with 512 MiB; with none, skip three checks (a
 *   collection takes that long, and a nudge during one inflates the next
 *   limit), then nudge with twice the last size, up to 1 GiB. Until its first
 *   major GC V8 allows about 385 MB, so the first three nudges come every
 *   512 KiB and double without waiting. In Deno, whose loop runs V8's GC
 *   tasks later, detaching sometimes stalled for good, so Deno drops.
 * - Only V8 windows detach. SpiderMonkey (Firefox) subtracts a detached
 *   buffer at once and never collects for it (the churn bench: 44.5× live,
 *   against 29.7× with no nudge); a dropped one it answers like V8 (1.74×).
 * - JavaScriptCore (Bun, Safari) writes the whole throwaway: 256 MiB cost
 *   36 ms and as much RSS, and the churn bench ran 8–12× slower in busy time
 *   at 3.3× the RSS to hold 2.2–3.4× less `mem`. So there `alloc` never
 *   checks; it frees dropped tokens within about a second of idle time.
 *
 * @module
 */

import type { State } from "./state.ts";

// Literals, not expressions, keep bundles that use nothing empty.
// Nudge sizes are kept as powers of two: their exponents are short.
const NUDGE = 29; // 512 MiB, detached
const NUDGE_MAX = 30; // 1 GiB
const SMALL = 0x4_0000; // blocks: 4 MiB
const PRIMING = 0x8000; // blocks: 512 KiB

// A fresh error tells the engines apart: V8's holds only `stack`,
// JavaScriptCore's a `line` too.
const detaches =
  /*#__PURE__*/ (() =>
    !Reflect.ownKeys(Error())[1] && "document" in globalThis &&
    "transfer" in ArrayBuffer.prototype)();
/** Whether the engine answers a throwaway buffer (not JavaScriptCore). */
export const answered = /*#__PURE__*/ (() => !("line" in Error()))();

/** Re-derives `heap.nudgeAt` from its size and its priming. */
export const pace = (heap: State): void => {
  heap.nudgeAt = !answered
    ? Infinity
    : heap.cap < SMALL && !(detaches && heap.priming)
    ? SMALL
    : Math.max(heap.cap >>> 4, PRIMING);
};

/** `transfer` is ES2024: typed here for the npm build's older lib. */
type Detachable = ArrayBuffer & { transfer(length: number): ArrayBuffer };

/** Prompts the engine to collect: see the module doc. */
export const nudge = (heap: State): void => {
  heap.debt = 0;
  if (detaches) {
    // `wait` is -1 after a finalizer: that GC ran.
    if (heap.wait < 0) {
      heap.nudgeLog = NUDGE;
      heap.priming = 0;
      heap.wait = 3;
    } else if (heap.wait) return void heap.wait--;
    else {
      heap.nudgeLog = Math.min(heap.nudgeLog + 1, NUDGE_MAX);
      // Priming nudges follow each other; then three checks are skipped.
      heap.wait = heap.priming && --heap.priming ? 0 : 3;
    }
    pace(heap);
  }
  throwaway(2 ** heap.nudgeLog);
};

/** A buffer of `size` bytes, never touched, that the engine counts. */
export const throwaway = (size: number): void => {
  try {
    const buffer = new ArrayBuffer(size);
    if (detaches) (buffer as Detachable).transfer(0);
  } catch {
    // No room for the throwaway: the engine is collecting already.
  }
};

/** Counts `blocks` handed out with a token, and nudges when they add up. */
export const owe = (heap: State, blocks: number): void => {
  if ((heap.debt += blocks) > heap.nudgeAt) nudge(heap);
};
