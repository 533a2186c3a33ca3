/**
 * Shared test helpers: real garbage collection (run the tests with
 * `--v8-flags=--expose-gc`; on other engines see {@linkcode collect}) and a
 * reference model of the heap's placement rule.
 *
 * Every test file runs in its own isolate, so each starts with a fresh heap.
 */

import { alloc, cap } from "../mod.ts";

const engine = globalThis as {
  gc?: () => void;
  Bun?: { gc(force: boolean): void };
  lewdWaitForGC?: boolean;
};

/**
 * A forced full collection where the engine offers one: V8's `gc()` (with
 * `--expose-gc`), Bun's `Bun.gc(true)`; none in a browser page, or when a
 * run sets `globalThis.lewdWaitForGC` to test freeing without it
 * (tests/engines/).
 */
const forced = (): (() => void) | undefined =>
  engine.lewdWaitForGC
    ? undefined
    : engine.gc ?? (engine.Bun && (() => engine.Bun!.gc(true)));

/** A full, synchronous collection. */
export function gc(): void {
  const gcFn = forced();
  if (!gcFn) throw new Error("run the tests with --v8-flags=--expose-gc");
  gcFn();
}

/** Lets queued tasks (finalization callbacks among them) run. */
export const tick = (): Promise<void> =>
  new Promise((resolve) => setTimeout(resolve, 0));

/** How long {@linkcode collectUntil} waits where no GC can be forced. */
const WAIT_MS = 60_000;

/**
 * One collection, or a prompt for one: {@linkcode gc} where the engine has
 * it; elsewhere garbage, then 10 ms for the engine's collection and finalization tasks.
 * SpiderMonkey answers some megabytes of short-lived JS objects (it frees
 * buffers in minor collections, which leave weak references alone); Bun's
 * JavaScriptCore answers 16 MiB of written buffer with a full collection
 * (writing it slowed Firefox's prompts eightfold, so only there).
 */
export async function collect(): Promise<void> {
  // A new task first: `WeakRef.prototype.deref` keeps its target alive until
  // the end of the current job, so never collect in that job.
  await tick();
  const gcFn = forced();
  if (gcFn) gcFn();
  else {
    let list: unknown[] = [];
    for (let i = 0; i < 100_000; i++) list = [i, list];
    if (engine.Bun) new Uint8Array(16 << 20).fill(1);
    else new ArrayBuffer(256 << 20);
    await new Promise((resolve) => setTimeout(resolve, 10));
  }
  await tick();
}

/**
 * Collects until `done()` holds (finalizers run in a task after the GC that
 * found their tokens dead), then lets one more round of tasks run so every
 * registry's callbacks for the same collection have run too. Gives up after
 * 50 forced collections, or after a minute of prompted ones.
 */
export async function collectUntil(
  done: () => boolean,
  what = "finalizers",
): Promise<void> {
  const start = performance.now();
  const forcesGC = forced() !== undefined;
  for (
    let round = 0;
    forcesGC ? round < 50 : performance.now() - start < WAIT_MS;
    round++
  ) {
    await collect();
    if (done()) {
      await tick();
      await tick();
      return;
    }
  }
  throw new Error(
    `${what} did not run after ${
      forcesGC ? "50 collections" : `${WAIT_MS / 1000} s of prompts`
    }`,
  );
}

/**
 * Tokens that can be dropped and then awaited: `watched()` makes a token
 * whose collection this tracker sees, `collected()` waits until every token
 * made so far that is no longer referenced has been finalized.
 */
export class Tracker {
  #made = 0;
  #gone = 0;
  #registry = new FinalizationRegistry<number>(() => this.#gone++);

  /** A fresh token whose finalization is counted. */
  token(): object {
    const token = {};
    this.#registry.register(token, 0);
    this.#made++;
    return token;
  }

  /** Tokens finalized so far. */
  get gone(): number {
    return this.#gone;
  }

  /** Collects until `count` more tokens than before were finalized. */
  async collect(count: number): Promise<void> {
    const target = this.#gone + count;
    await collectUntil(() => this.#gone >= target, `${count} token finalizers`);
  }
}

/** A free or used span of the reference model, in blocks. */
export interface Span {
  start: number;
  blocks: number;
  used: boolean;
}

/**
 * The placement rule (docs/CONTRACT.md, section Placement) in its simplest
 * form: a list of spans in address order; best fit by scanning; growth
 * mirrored from `cap`.
 */
export class Model {
  spans: Span[];

  constructor(capBlocks: number) {
    this.spans = [
      { start: 0, blocks: 1, used: true },
      { start: 1, blocks: capBlocks - 1, used: false },
    ];
  }

  /** Where `blocks` go now, or -1 if no free span fits. */
  fit(blocks: number): number {
    let best = -1;
    this.spans.forEach((span, i) => {
      if (
        !span.used && span.blocks >= blocks &&
        (best < 0 || span.blocks < this.spans[best].blocks)
      ) best = i;
    });
    return best;
  }

  /** Extends the model to the heap's current capacity. */
  grow(capBlocks: number): void {
    const last = this.spans[this.spans.length - 1];
    const end = last.start + last.blocks;
    if (capBlocks > end) {
      if (last.used) {
        this.spans.push({ start: end, blocks: capBlocks - end, used: false });
      } else last.blocks += capBlocks - end;
    }
  }

  /** Expected address of a scratch of `blocks` (growing first if needed). */
  peek(blocks: number, capBlocks: number): number {
    this.grow(capBlocks);
    const i = this.fit(blocks);
    return i < 0 ? -1 : this.spans[i].start * 16;
  }

  take(blocks: number, capBlocks: number): number {
    this.grow(capBlocks);
    return this.takeAt(this.fit(blocks), blocks);
  }

  /** Takes `blocks` at the low end of span `i`; -1 if `i` is -1. */
  takeAt(i: number, blocks: number): number {
    if (i < 0) return -1;
    const span = this.spans[i];
    if (span.blocks > blocks) {
      this.spans.splice(i + 1, 0, {
        start: span.start + blocks,
        blocks: span.blocks - blocks,
        used: false,
      });
    }
    span.blocks = blocks;
    span.used = true;
    return span.start * 16;
  }

  free(address: number): void {
    const i = this.spans.findIndex((s) => s.start * 16 === address && s.used);
    if (i < 0) throw new Error(`model: nothing to free at ${address}`);
    this.spans[i].used = false;
    this.spans = this.spans.reduce<Span[]>((merged, span) => {
      const last = merged[merged.length - 1];
      if (last && !last.used && !span.used) last.blocks += span.blocks;
      else merged.push({ ...span });
      return merged;
    }, []);
  }

  /**
   * Best fit at a multiple of `align` blocks: the shortest free span that
   * holds `blocks` at such an address, the lowest among equals; taken there
   * (the rest on either side stays free). -1 if none fits.
   */
  takeAligned(blocks: number, align: number, capBlocks: number): number {
    this.grow(capBlocks);
    let best = -1, at = 0;
    this.spans.forEach((span, i) => {
      const first = Math.ceil(span.start / align) * align;
      if (
        !span.used && first + blocks <= span.start + span.blocks &&
        (best < 0 || span.blocks < this.spans[best].blocks)
      ) [best, at] = [i, first];
    });
    if (best < 0) return -1;
    const span = this.spans[best];
    const parts: Span[] = [];
    if (at > span.start) {
      parts.push({ start: span.start, blocks: at - span.start, used: false });
    }
    parts.push({ start: at, blocks, used: true });
    const end = span.start + span.blocks;
    if (end > at + blocks) {
      parts.push({
        start: at + blocks,
        blocks: end - at - blocks,
        used: false,
      });
    }
    this.spans.splice(best, 1, ...parts);
    return at * 16;
  }

  /**
   * `realloc` in place: shorter frees the end; longer takes the start of the
   * free span right after. False (nothing changed) if that is too short.
   */
  resize(address: number, blocks: number): boolean {
    const i = this.spans.findIndex((s) => s.start * 16 === address && s.used);
    if (i < 0) throw new Error(`model: nothing to resize at ${address}`);
    const span = this.spans[i];
    const next = this.spans[i + 1];
    const after = next && !next.used ? next.blocks : 0;
    if (blocks > span.blocks + after) return false;
    const rest = span.blocks + after - blocks;
    this.spans.splice(i + 1, after ? 1 : 0);
    span.blocks = blocks;
    if (rest) {
      this.spans.splice(i + 1, 0, {
        start: span.start + blocks,
        blocks: rest,
        used: false,
      });
    }
    return true;
  }

  /** What `stats()` should say, but `limit`. */
  stats(): {
    capacity: number;
    used: number;
    free: number;
    largest: number;
    tail: number;
    allocations: number;
    freeSpans: number;
    spans: number;
  } {
    const used = this.spans.filter((s) => s.used && s.start != 0);
    const free = this.spans.filter((s) => !s.used);
    const last = this.spans[this.spans.length - 1];
    const sum = (spans: Span[]) => spans.reduce((n, s) => n + s.blocks, 0);
    return {
      capacity: (last.start + last.blocks) * 16,
      used: sum(used) * 16,
      free: sum(free) * 16,
      largest: Math.max(0, ...free.map((s) => s.blocks)) * 16,
      tail: last.used ? 0 : last.blocks * 16,
      allocations: used.length,
      freeSpans: free.length,
      spans: used.length + free.length,
    };
  }

  trim(capBlocks: number): void {
    const last = this.spans[this.spans.length - 1];
    const end = last.start + last.blocks;
    if (!last.used && capBlocks < end) {
      last.blocks -= end - capBlocks;
      if (last.blocks === 0) this.spans.pop();
    }
  }
}

/** Blocks a size takes. */
export const blocksOf = (size: number): number => Math.ceil(size / 16);

/** A fresh model of the heap as it is after `holes` were made in a fresh heap. */
export const freshModel = (): Model => new Model(cap);

/** Allocates with a throwaway token; returns only the address. */
export function allocDropped(size: number): number {
  return alloc(size, {});
}

/** A small deterministic PRNG (mulberry32) so a failure can be replayed. */
export function random(seed: number): () => number {
  return () => {
    seed = (seed + 0x6D2B79F5) | 0;
    let t = Math.imul(seed ^ (seed >>> 15), 1 | seed);
    t = (t + Math.imul(t ^ (t >>> 7), 61 | t)) ^ t;
    return ((t ^ (t >>> 14)) >>> 0) / 2 ** 32;
  };
}
