/**
 * Steady-state churn: a live set of `live` allocations (16–1024 B), each op
 * drops a random one and allocates a replacement. The same seeded sequence of
 * slots and sizes drives every variant:
 *
 * - lewd: `alloc(size, token)`; the dropped token is freed by the GC;
 * - floor: the same loop doing only floor (b) — `nop` + `register` of the
 *   token in a registry whose callback calls `nop`;
 * - dlmalloc, talc (bench/peers, WASM) and @thi.ng/malloc (JS), each twice:
 *   with a `FinalizationRegistry` calling `free` (how wasm-bindgen frees), and
 *   with an explicit `free` of the dropped allocation (no tokens, no GC).
 *
 * Every `batch` ops, the token variants run `gc()` and wait for the
 * finalizers (the same cadence for all); that time is counted in. A variant's
 * time per op is (loop + gc + finalizers) ÷ ops; each round runs every
 * variant once, in a shuffled order, from an empty heap.
 *
 *     deno run --v8-flags=--expose-gc --allow-read bench/scenarios/churn.ts
 *
 * @module
 */

import {
  between,
  collect,
  consume,
  countFinalizers,
  emit,
  finalize,
  floorModule,
  gc,
  int,
  median,
  options,
  rng,
  shuffled,
} from "../lib/harness.ts";
import { peerInstance, peerModule, thingPool } from "../lib/peers.ts";

countFinalizers();
const lewd = await import("../../mod.ts");
const { alloc } = lewd;

const LIVE = int("live", 10_000);
const BATCH = int("batch", 10_000);
const BATCHES = int("batches", 5);
const ROUNDS = int("rounds", 11);
const WARMUP = int("warmup", 2);
const OPS = BATCH * BATCHES;
/**
 * @thi.ng/malloc walks its lists on every call (about a millisecond per op
 * with 10 000 live), so it runs only the first `thingOps` ops of the trace.
 */
const THING_OPS = Math.min(int("thingOps", 200), OPS);

const random = rng(int("seed", 2));
const fillSizes = new Int32Array(LIVE).map(() => between(random, 16, 1024));
const slotOf = new Int32Array(OPS).map(() => between(random, 0, LIVE - 1));
const sizes = new Int32Array(OPS).map(() => between(random, 16, 1024));

const nop = floorModule();
const module = peerModule(options.peers);
const POOL = 64 << 20;

/** Milliseconds spent in each part of a variant's run. */
interface Split {
  loop: number;
  gc: number;
  finalizers: number;
}

/** Runs a token variant: fill, then batches each followed by gc + finalizers. */
async function withTokens(
  fill: (slots: object[]) => void,
  batch: (slots: object[], start: number, end: number) => number,
  ops = OPS,
): Promise<Split> {
  const slots: object[] = new Array(LIVE);
  fill(slots);
  await collect(0);
  const split = { loop: 0, gc: 0, finalizers: 0 };
  for (let start = 0; start < ops; start += BATCH) {
    const end = Math.min(start + BATCH, ops);
    const t0 = performance.now();
    consume(batch(slots, start, end));
    const t1 = performance.now();
    gc();
    const t2 = performance.now();
    await finalize(end - start);
    const t3 = performance.now();
    split.loop += t1 - t0;
    split.gc += t2 - t1;
    split.finalizers += t3 - t2;
  }
  slots.fill(undefined as unknown as object);
  await collect(LIVE);
  return split;
}

/** Runs an explicit-free variant: fill, batches, then free what is left. */
function withFree(
  fill: (slots: Int32Array) => void,
  batch: (slots: Int32Array, start: number, end: number) => number,
  empty: (slots: Int32Array) => void,
  ops = OPS,
): Split {
  const slots = new Int32Array(LIVE);
  fill(slots);
  gc();
  const t0 = performance.now();
  for (let start = 0; start < ops; start += BATCH) {
    consume(batch(slots, start, Math.min(start + BATCH, ops)));
  }
  const loop = performance.now() - t0;
  empty(slots);
  return { loop, gc: 0, finalizers: 0 };
}

// --- lewd ---------------------------------------------------------------

function lewdFill(slots: object[]) {
  for (let i = 0; i < LIVE; i++) alloc(fillSizes[i], slots[i] = {});
}

function lewdBatch(
  slots: object[],
  start: number,
  end: number,
): number {
  let sum = 0;
  for (let k = start; k < end; k++) {
    const token = {};
    slots[slotOf[k]] = token;
    sum = (sum + alloc(sizes[k], token)) | 0;
  }
  return sum;
}

// --- floor (b) ----------------------------------------------------------

const floorRegistry = new FinalizationRegistry<number>((held) => {
  nop(held);
});

function floorFill(slots: object[]) {
  for (let i = 0; i < LIVE; i++) {
    floorRegistry.register(slots[i] = {}, nop(fillSizes[i]));
  }
}

function floorBatch(
  slots: object[],
  start: number,
  end: number,
): number {
  let sum = 0;
  for (let k = start; k < end; k++) {
    const token = {};
    slots[slotOf[k]] = token;
    const held = nop(sizes[k]);
    floorRegistry.register(token, held);
    sum = (sum + held) | 0;
  }
  return sum;
}

// --- dlmalloc -----------------------------------------------------------

const dlGc = peerInstance(module);
const dlGcMalloc = dlGc.dl_malloc;
const dlGcFree = dlGc.dl_free;
const dlRegistry = new FinalizationRegistry<number>((ptr) => dlGcFree(ptr));

function dlGcFill(slots: object[]) {
  for (let i = 0; i < LIVE; i++) {
    dlRegistry.register(slots[i] = {}, dlGcMalloc(fillSizes[i]));
  }
}

function dlGcBatch(
  slots: object[],
  start: number,
  end: number,
): number {
  let sum = 0;
  for (let k = start; k < end; k++) {
    const token = {};
    slots[slotOf[k]] = token;
    const ptr = dlGcMalloc(sizes[k]);
    dlRegistry.register(token, ptr);
    sum = (sum + ptr) | 0;
  }
  return sum;
}

const dl = peerInstance(module);
const dlMalloc = dl.dl_malloc;
const dlFree = dl.dl_free;

function dlFill(slots: Int32Array) {
  for (let i = 0; i < LIVE; i++) slots[i] = dlMalloc(fillSizes[i]);
}

function dlBatch(
  slots: Int32Array,
  start: number,
  end: number,
): number {
  let sum = 0;
  for (let k = start; k < end; k++) {
    const slot = slotOf[k];
    dlFree(slots[slot]);
    const ptr = dlMalloc(sizes[k]);
    slots[slot] = ptr;
    sum = (sum + ptr) | 0;
  }
  return sum;
}

function dlEmpty(slots: Int32Array) {
  for (let i = 0; i < LIVE; i++) dlFree(slots[i]);
}

// --- talc (free needs the size: the held value carries it) -------------

const SIZE_UNIT = 2 ** 32;
const talcGc = peerInstance(module);
const talcGcMalloc = talcGc.talc_malloc;
const talcGcFree = talcGc.talc_free;
const talcRegistry = new FinalizationRegistry<number>((held) => {
  const size = Math.floor(held / SIZE_UNIT);
  talcGcFree(held - size * SIZE_UNIT, size);
});

function talcGcFill(slots: object[]) {
  for (let i = 0; i < LIVE; i++) {
    const size = fillSizes[i];
    talcRegistry.register(slots[i] = {}, talcGcMalloc(size) + size * SIZE_UNIT);
  }
}

function talcGcBatch(
  slots: object[],
  start: number,
  end: number,
): number {
  let sum = 0;
  for (let k = start; k < end; k++) {
    const token = {};
    slots[slotOf[k]] = token;
    const size = sizes[k];
    const ptr = talcGcMalloc(size);
    talcRegistry.register(token, ptr + size * SIZE_UNIT);
    sum = (sum + ptr) | 0;
  }
  return sum;
}

const talc = peerInstance(module);
const talcMalloc = talc.talc_malloc;
const talcFree = talc.talc_free;
const talcSizes = new Int32Array(LIVE);

function talcFill(slots: Int32Array) {
  for (let i = 0; i < LIVE; i++) {
    slots[i] = talcMalloc(talcSizes[i] = fillSizes[i]);
  }
}

function talcBatch(
  slots: Int32Array,
  start: number,
  end: number,
): number {
  let sum = 0;
  for (let k = start; k < end; k++) {
    const slot = slotOf[k];
    talcFree(slots[slot], talcSizes[slot]);
    const ptr = talcMalloc(talcSizes[slot] = sizes[k]);
    slots[slot] = ptr;
    sum = (sum + ptr) | 0;
  }
  return sum;
}

function talcEmpty(slots: Int32Array) {
  for (let i = 0; i < LIVE; i++) talcFree(slots[i], talcSizes[i]);
}

// --- @thi.ng/malloc -----------------------------------------------------

const thingGc = thingPool(POOL);
const thingRegistry = new FinalizationRegistry<number>((ptr) => {
  thingGc.free(ptr);
});

function thingGcFill(slots: object[]) {
  for (let i = 0; i < LIVE; i++) {
    thingRegistry.register(slots[i] = {}, thingGc.malloc(fillSizes[i]));
  }
}

function thingGcBatch(
  slots: object[],
  start: number,
  end: number,
): number {
  let sum = 0;
  for (let k = start; k < end; k++) {
    const token = {};
    slots[slotOf[k]] = token;
    const ptr = thingGc.malloc(sizes[k]);
    thingRegistry.register(token, ptr);
    sum = (sum + ptr) | 0;
  }
  return sum;
}

const thing = thingPool(POOL);

function thingFill(slots: Int32Array) {
  for (let i = 0; i < LIVE; i++) slots[i] = thing.malloc(fillSizes[i]);
}

function thingBatch(
  slots: Int32Array,
  start: number,
  end: number,
): number {
  let sum = 0;
  for (let k = start; k < end; k++) {
    const slot = slotOf[k];
    thing.free(slots[slot]);
    const ptr = thing.malloc(sizes[k]);
    slots[slot] = ptr;
    sum = (sum + ptr) | 0;
  }
  return sum;
}

function thingEmpty(slots: Int32Array) {
  for (let i = 0; i < LIVE; i++) thing.free(slots[i]);
}

// --- rounds -------------------------------------------------------------

const variants = {
  "lewd": () => withTokens(lewdFill, lewdBatch),
  "floor (b)": () => withTokens(floorFill, floorBatch),
  "dlmalloc + FR": () => withTokens(dlGcFill, dlGcBatch),
  "talc + FR": () => withTokens(talcGcFill, talcGcBatch),
  "@thi.ng/malloc + FR": () => withTokens(thingGcFill, thingGcBatch, THING_OPS),
  "dlmalloc, free": () => Promise.resolve(withFree(dlFill, dlBatch, dlEmpty)),
  "talc, free": () => Promise.resolve(withFree(talcFill, talcBatch, talcEmpty)),
  "@thi.ng/malloc, free": () =>
    Promise.resolve(withFree(thingFill, thingBatch, thingEmpty, THING_OPS)),
};
type Name = keyof typeof variants;
const names = Object.keys(variants) as Name[];
const runs = Object.fromEntries(
  names.map((name) => [name, [] as Split[]]),
) as Record<Name, Split[]>;
let peakMem = 0;
for (let round = 0; round < WARMUP + ROUNDS; round++) {
  for (const name of shuffled(names, random)) {
    const split = await variants[name]();
    if (round >= WARMUP) runs[name].push(split);
    peakMem = Math.max(peakMem, lewd.buf.byteLength);
  }
}

const opsOf = (name: Name) => name.startsWith("@thi.ng") ? THING_OPS : OPS;
const total = (split: Split) => split.loop + split.gc + split.finalizers;
/** Nanoseconds per op of one part of each of a variant's rounds. */
const perRound = (name: Name, part: (split: Split) => number) =>
  runs[name].map((split) => part(split) * 1e6 / opsOf(name));
/** Median over rounds of a ÷ b per op, both measured in the same round. */
const ratio = (a: Name, b: Name, part: (split: Split) => number = total) => {
  const as = perRound(a, part);
  const bs = perRound(b, part);
  return median(as.map((value, round) => value / bs[round]));
};

emit({
  scenario: "churn",
  live: LIVE,
  batch: BATCH,
  ops: OPS,
  thingOps: THING_OPS,
  rounds: ROUNDS,
  lewdPeakMemBytes: peakMem,
  ns: Object.fromEntries(names.map((name) => [name, {
    total: median(perRound(name, total)),
    loop: median(perRound(name, (split) => split.loop)),
    gc: median(perRound(name, (split) => split.gc)),
    finalizers: median(perRound(name, (split) => split.finalizers)),
  }])),
  ratio: {
    lewd_floor: ratio("lewd", "floor (b)"),
    lewd_floor_noGc: ratio(
      "lewd",
      "floor (b)",
      (split) => split.loop + split.finalizers,
    ),
    lewd_dlmallocFR: ratio("lewd", "dlmalloc + FR"),
    lewd_talcFR: ratio("lewd", "talc + FR"),
    lewd_thingFR: ratio("lewd", "@thi.ng/malloc + FR"),
    lewd_dlmallocFree: ratio("lewd", "dlmalloc, free"),
    dlmallocFR_floor: ratio("dlmalloc + FR", "floor (b)"),
    talcFR_floor: ratio("talc + FR", "floor (b)"),
  },
});
