/**
 * The big core beside the default core, both alone (no facade, no GC), in
 * one process: what their records cost, how fast `take` and `free` are as
 * the heap grows, and the churn trace against dlmalloc.
 *
 * - **memory**: for `live` = 1 000, 100 000 and 1 000 000, the shape of
 *   core.ts (2 × live spans of 1–16 blocks, every other one freed: `live`
 *   free spans between `live` used ones) in a fresh instance of each core;
 *   the core's own memory (`memory.buffer.byteLength`) per span. Then every
 *   span is freed and the shape built again with other lengths, twice:
 *   the records must be reused (the same bytes).
 * - **ops**: on those heaps, as core.ts times them (interleaved rounds, the
 *   caches evicted before each loop), `ops` calls of `peek`, of `take`, and
 *   of `free` for what `take` returned.
 * - **latency**: what reading a record out of the cache costs: for each
 *   `live`, nanoseconds per dependent load at random cache lines of a buffer
 *   as large as the big core's records there (a pointer chase).
 * - **churn**: the trace of churn.ts (`churnLive` live allocations of
 *   16–1 024 B, each op drops a random one and allocates a replacement) with
 *   an explicit free, run by each core (taking blocks, growing by half when
 *   nothing fits, as the facade does) and by dlmalloc's `malloc` + `free`
 *   (bench/peers), each from a fresh instance, in shuffled order per round.
 *
 *     deno run --allow-read bench/scenarios/big.ts sizes=1000,100000,1000000
 *
 * @module
 */

import { big as bigText } from "../../lib/big.generated.ts";
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
import { peerInstance, peerModule } from "../lib/peers.ts";

interface Core {
  take(blocks: number): number;
  peek(blocks: number): number;
  free(block: number): number;
  grow(cap: number): number;
  memory: WebAssembly.Memory;
}

const LIVES = (options.sizes ?? "1000,100000,1000000").split(",").map(Number);
const ROUNDS = int("rounds", 15);
const WARMUP = int("warmup", 3);
const OPS = int("ops", 10_000);
const CHURN_LIVE = int("churnLive", 10_000);
const CHURN_OPS = int("churnOps", 50_000);

const compile = (text: string) =>
  new WebAssembly.Module(Uint8Array.from(text, (c) => c.charCodeAt(0) ^ KEY));
const CORES = { default: compile(coreText), big: compile(bigText) };
type Kind = keyof typeof CORES;
const KINDS = Object.keys(CORES) as Kind[];
const newCore = (kind: Kind) =>
  new WebAssembly.Instance(CORES[kind]).exports as unknown as Core;

const random = rng(int("seed", 4));
const sizes = new Int32Array(OPS).map(() => between(random, 1, 16));
const BLOCKS = sizes.reduce((sum, size) => sum + size, 0);

/** Takes 2 × live spans of 1–16 blocks and frees every other one. */
function shape(core: Core, live: number): Int32Array {
  const starts = new Int32Array(2 * live);
  for (let i = 0; i < 2 * live; i++) {
    starts[i] = core.take(between(random, 1, 16));
    if (!starts[i]) throw new Error("shape: take failed");
  }
  for (let i = 1; i < 2 * live; i += 2) core.free(starts[i]);
  return starts;
}

// --- memory ---------------------------------------------------------------

const heaps = LIVES.flatMap((live) =>
  KINDS.map((kind) => {
    const core = newCore(kind);
    if (!core.grow((2 * live + OPS) * 16 + 4096)) throw new Error("grow");
    let starts = shape(core, live);
    const spans = 2 * live + 2; // block 0 and the free tail besides
    const bytes = core.memory.buffer.byteLength;
    // Free all, build again (other lengths): the records are reused.
    const again: number[] = [];
    for (let round = 0; round < 2; round++) {
      for (let i = 0; i < 2 * live; i += 2) core.free(starts[i]);
      starts = shape(core, live);
      again.push(core.memory.buffer.byteLength);
    }
    return {
      kind,
      live,
      core,
      taken: new Int32Array(OPS),
      memory: { bytes, perSpan: bytes / spans, again },
    };
  })
);
type Heap = typeof heaps[number];

// --- ops ------------------------------------------------------------------

const evict = (() => {
  const words = new Int32Array(16 << 20);
  return () => {
    let sum = 0;
    for (let i = 0; i < words.length; i += 16) sum = (sum + words[i]) | 0;
    consume(sum);
  };
})();
const perOp = (start: number, ops: number) =>
  (performance.now() - start) * 1e6 / ops;

function peek({ core }: Heap): number {
  let sum = 0;
  const start = performance.now();
  for (let i = 0; i < OPS; i++) sum = (sum + core.peek(sizes[i])) | 0;
  const ns = perOp(start, OPS);
  consume(sum);
  return ns;
}

function take({ core, taken }: Heap): number {
  const start = performance.now();
  for (let i = 0; i < OPS; i++) taken[i] = core.take(sizes[i]);
  return perOp(start, OPS);
}

function free({ core, taken }: Heap): number {
  let sum = 0;
  const start = performance.now();
  for (let i = 0; i < OPS; i++) sum = (sum + core.free(taken[i])) | 0;
  const ns = perOp(start, OPS);
  if (sum != BLOCKS) throw new Error(`free freed ${sum} of ${BLOCKS} blocks`);
  return ns;
}

const OPERATIONS = ["peek", "take", "free"] as const;
type Operation = typeof OPERATIONS[number];
const times = heaps.map(() => ({ peek: [], take: [], free: [] })) as Record<
  Operation,
  number[]
>[];
for (let round = 0; round < WARMUP + ROUNDS; round++) {
  for (const index of shuffled(heaps.map((_, i) => i), random)) {
    const heap = heaps[index];
    const ns = { peek: 0, take: 0, free: 0 };
    for (const operation of OPERATIONS) {
      evict();
      ns[operation] = { peek, take, free }[operation](heap);
    }
    if (round >= WARMUP) {
      for (const key of OPERATIONS) times[index][key].push(ns[key]);
    }
  }
}

// --- latency --------------------------------------------------------------

/**
 * Nanoseconds per dependent load at random cache lines of `size` bytes (at
 * least 1 MiB): what reading a record that is not in the cache costs.
 */
function chase(size: number): number {
  const lines = Math.max(size, 1 << 20) >>> 6;
  const next = new Int32Array(lines * 16);
  // One cycle through every line in a random order (Sattolo).
  const order = new Int32Array(lines).map((_, i) => i);
  for (let i = lines - 1; i > 0; i--) {
    const j = between(random, 0, i - 1);
    [order[i], order[j]] = [order[j], order[i]];
  }
  for (let i = 0; i < lines; i++) {
    next[order[i] * 16] = order[(i + 1) % lines] * 16;
  }
  const loads = Math.min(OPS * 20, lines);
  const ns: number[] = [];
  for (let round = 0; round < WARMUP + ROUNDS; round++) {
    evict();
    let at = 0;
    const start = performance.now();
    for (let i = 0; i < loads; i++) at = next[at];
    consume(at);
    if (round >= WARMUP) ns.push(perOp(start, loads));
  }
  return median(ns);
}
/** Per size: a random load among as many bytes as the big core's records. */
const latency = LIVES.map((live) => {
  const { bytes } = heaps.find((h) => h.live == live && h.kind == "big")!
    .memory;
  return { live, bytes, ns: chase(bytes) };
});

// --- churn ----------------------------------------------------------------

const churnRandom = rng(int("churnSeed", 2));
const fillSizes = new Int32Array(CHURN_LIVE).map(() =>
  between(churnRandom, 16, 1024)
);
const slotOf = new Int32Array(CHURN_OPS).map(() =>
  between(churnRandom, 0, CHURN_LIVE - 1)
);
const churnSizes = new Int32Array(CHURN_OPS).map(() =>
  between(churnRandom, 16, 1024)
);
const peers = peerModule(options.peers);

/** The trace through a core, growing it by half when nothing fits. */
function churnCore(kind: Kind): number {
  const core = newCore(kind);
  let cap = 4096;
  core.grow(cap);
  const takeGrowing = (size: number) => {
    const blocks = (size + 15) >> 4;
    let block = core.take(blocks);
    while (!block) {
      core.grow(cap += Math.max(cap >> 1, blocks));
      block = core.take(blocks);
    }
    return block;
  };
  const slots = new Int32Array(CHURN_LIVE);
  const start = performance.now();
  for (let i = 0; i < CHURN_LIVE; i++) slots[i] = takeGrowing(fillSizes[i]);
  for (let k = 0; k < CHURN_OPS; k++) {
    const slot = slotOf[k];
    core.free(slots[slot]);
    slots[slot] = takeGrowing(churnSizes[k]);
  }
  for (let i = 0; i < CHURN_LIVE; i++) core.free(slots[i]);
  return perOp(start, CHURN_OPS);
}

/** The trace through dlmalloc's `malloc` and `free`. */
function churnDlmalloc(): number {
  const { dl_malloc: malloc, dl_free: dlFree } = peerInstance(peers);
  const slots = new Int32Array(CHURN_LIVE);
  const start = performance.now();
  for (let i = 0; i < CHURN_LIVE; i++) slots[i] = malloc(fillSizes[i]);
  for (let k = 0; k < CHURN_OPS; k++) {
    const slot = slotOf[k];
    dlFree(slots[slot]);
    slots[slot] = malloc(churnSizes[k]);
  }
  for (let i = 0; i < CHURN_LIVE; i++) dlFree(slots[i]);
  return perOp(start, CHURN_OPS);
}

const churners = {
  default: () => churnCore("default"),
  big: () => churnCore("big"),
  dlmalloc: churnDlmalloc,
};
type Churner = keyof typeof churners;
const churnTimes: Record<Churner, number[]> = {
  default: [],
  big: [],
  dlmalloc: [],
};
for (let round = 0; round < WARMUP + ROUNDS; round++) {
  for (const name of shuffled(Object.keys(churners) as Churner[], random)) {
    const ns = churners[name]();
    if (round >= WARMUP) churnTimes[name].push(ns);
  }
}
const paired = (a: number[], b: number[]) =>
  median(a.map((value, round) => value / b[round]));

emit({
  scenario: "big",
  coreBytes: { default: coreText.length, big: bigText.length },
  ops: OPS,
  rounds: ROUNDS,
  heaps: heaps.map((heap, i) => ({
    kind: heap.kind,
    live: heap.live,
    memory: heap.memory,
    ns: Object.fromEntries(
      OPERATIONS.map((key) => [key, median(times[i][key])]),
    ),
  })),
  /** big ÷ default, paired by round, per size and operation. */
  ratios: LIVES.map((live) => {
    const [d, b] = KINDS.map((kind) =>
      heaps.findIndex((heap) => heap.live == live && heap.kind == kind)
    );
    return {
      live,
      ...Object.fromEntries(
        OPERATIONS.map((key) => [key, paired(times[b][key], times[d][key])]),
      ),
    };
  }),
  /** Per size: ns per dependent load at random lines of the records' size. */
  latency,
  churn: {
    live: CHURN_LIVE,
    ops: CHURN_OPS,
    ns: Object.fromEntries(
      Object.entries(churnTimes).map(([name, ns]) => [name, median(ns)]),
    ),
    bigOverDlmalloc: paired(churnTimes.big, churnTimes.dlmalloc),
    defaultOverDlmalloc: paired(churnTimes.default, churnTimes.dlmalloc),
  },
});
