/**
 * The core alone, without the facade, the registry or the GC: where does an
 * `alloc` go? Instantiates the embedded core (lib/core.generated.ts, read at
 * run time) once per heap size, builds the same heap shape as ops.ts in each
 * (2 × live spans of 1–16 blocks, every other one freed: `live` free spans
 * between `live` used ones), then times, in interleaved rounds, `ops` calls
 * of `peek`, of `take`, and of `free` for what `take` returned (which puts
 * the heap back as it was). Before each timed loop it reads through 64 MiB,
 * so the core's records start as cold as they are after the full `gc()` that
 * precedes every loop in ops.ts (and, in real use, after any major GC).
 *
 *     deno run bench/scenarios/core.ts sizes=1000,100000,1000000
 *
 * @module
 */

import { core as coreText, KEY } from "../../lib/core.generated.ts";
import {
  between,
  consume,
  emit,
  int,
  median,
  options,
  rng,
  shuffled,
} from "../lib/harness.ts";

interface Core {
  take(blocks: number): number;
  peek(blocks: number): number;
  free(block: number): number;
  grow(cap: number): number;
}

const LIVES = (options.sizes ?? "1000,100000,1000000").split(",").map(Number);
const ROUNDS = int("rounds", 21);
const WARMUP = int("warmup", 3);
const OPS = int("ops", 10_000);

const bytes = Uint8Array.from(coreText, (c) => c.charCodeAt(0) ^ KEY);
const module = new WebAssembly.Module(bytes);
const random = rng(int("seed", 4));
const sizes = new Int32Array(OPS).map(() => between(random, 1, 16));
/** The blocks that freeing every span of `sizes` gives back. */
const BLOCKS = sizes.reduce((sum, size) => sum + size, 0);

const heaps = LIVES.map((live) => {
  const core = new WebAssembly.Instance(module).exports as unknown as Core;
  // Room for the shape, the ops' spans and slack: 16 blocks each at most.
  if (!core.grow((2 * live + OPS) * 16 + 4096)) throw new Error("grow");
  const starts = new Int32Array(2 * live);
  for (let i = 0; i < 2 * live; i++) {
    starts[i] = core.take(between(random, 1, 16));
  }
  for (let i = 1; i < 2 * live; i += 2) core.free(starts[i]);
  return { live, core, taken: new Int32Array(OPS) };
});

type Heap = typeof heaps[number];

/** Reads one word per cache line of 64 MiB: evicts the caches. */
const evict = (() => {
  const words = new Int32Array(16 << 20);
  return () => {
    let sum = 0;
    for (let i = 0; i < words.length; i += 16) sum = (sum + words[i]) | 0;
    consume(sum);
  };
})();
const perOp = (start: number) => (performance.now() - start) * 1e6 / OPS;

function peek({ core }: Heap): number {
  let sum = 0;
  const start = performance.now();
  for (let i = 0; i < OPS; i++) sum = (sum + core.peek(sizes[i])) | 0;
  const ns = perOp(start);
  consume(sum);
  return ns;
}

function take({ core, taken }: Heap): number {
  const start = performance.now();
  for (let i = 0; i < OPS; i++) taken[i] = core.take(sizes[i]);
  return perOp(start);
}

function free({ core, taken }: Heap): number {
  let sum = 0;
  const start = performance.now();
  for (let i = 0; i < OPS; i++) sum = (sum + core.free(taken[i])) | 0;
  const ns = perOp(start);
  // `free` returns the length it freed: all of them, so every span's.
  if (sum != BLOCKS) {
    throw new Error(`core.free freed ${sum} blocks of ${BLOCKS}`);
  }
  return ns;
}

const times = heaps.map(() => ({
  peek: [] as number[],
  take: [] as number[],
  free: [] as number[],
}));
for (let round = 0; round < WARMUP + ROUNDS; round++) {
  for (const index of shuffled(heaps.map((_, i) => i), random)) {
    const heap = heaps[index];
    evict();
    const ns = { peek: peek(heap), take: 0, free: 0 };
    evict();
    ns.take = take(heap);
    evict();
    ns.free = free(heap);
    if (round >= WARMUP) {
      for (const key of ["peek", "take", "free"] as const) {
        times[index][key].push(ns[key]);
      }
    }
  }
}

emit({
  scenario: "core",
  coreBytes: bytes.length,
  ops: OPS,
  rounds: ROUNDS,
  heaps: heaps.map((heap, i) => ({
    live: heap.live,
    ns: {
      peek: median(times[i].peek),
      take: median(times[i].take),
      free: median(times[i].free),
    },
  })),
  ratio: {
    take_last_first: median(
      times.at(-1)!.take.map((ns, round) => ns / times[0].take[round]),
    ),
  },
});
