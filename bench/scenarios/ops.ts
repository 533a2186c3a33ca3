/**
 * One process, one heap: the floor and our two operations, interleaved.
 *
 * Builds `live` live spans with as many free spans between them (allocates
 * 2 × live spans of 16–256 B, then drops every other token and collects), so
 * the best-fit index holds `live` free spans of mixed sizes. Then, in each
 * round and in a shuffled order, times `ops` calls of:
 *
 * - floor (a): the empty exported WASM function (`nop`);
 * - floor (b): `nop` plus `register` of a fresh object in a registry whose
 *   callback calls `nop` (the least a GC-tracked address can cost);
 * - `alloc(size, token)` with a fresh token each call;
 * - scratch `alloc(size)`.
 *
 * A full `gc()` precedes every timed loop and the finalizers of the fresh
 * tokens run after it (untimed), so every round starts from the same heap.
 * Each timed loop follows an untimed run of the same loop (warm code).
 * Also runs under Node, bundled by esbuild (bench/run.ts).
 *
 *     deno run --v8-flags=--expose-gc bench/scenarios/ops.ts live=100000
 *
 * Options besides the sizes (`live`, `rounds`, `warmup`, `ops`, `repeat`,
 * `seed`):
 *
 * - `heap=create` measures a heap made by `createHeap()` instead of the
 *   default heap (the module-level exports); `heap=big` the big entry
 *   point's default heap (the big core); `heap=default` is the default.
 * - `mod=PATH` imports the package from PATH (a file path or a `file:` URL)
 *   instead of this tree's `mod.ts`, so `bench/ab.ts` runs this one file
 *   against another revision's code. Without it the import is a literal
 *   `../../mod.ts`, which esbuild bundles (run.ts's Node build). Deno needs
 *   `--allow-read` for it; under Node, PATH must be JavaScript (a bundle of
 *   the package), not `.ts`.
 *
 * @module
 */

import { resolve } from "node:path";
import { pathToFileURL } from "node:url";
import {
  between,
  collect,
  consume,
  countFinalizers,
  emit,
  floorModule,
  gc,
  int,
  median,
  options,
  rng,
  shuffled,
} from "../lib/harness.ts";

/** The part of the package this scenario uses, in every revision measured. */
interface Face {
  alloc(size: number, token?: object): number;
  readonly buf: ArrayBuffer;
}
type Package = Face & { createHeap?: () => Face };

const HEAP = options.heap ?? "default";
if (HEAP != "default" && HEAP != "create" && HEAP != "big") {
  throw new Error(
    `ops.ts: heap=${HEAP}: expected heap=default, heap=create or heap=big`,
  );
}

countFinalizers();
// Imported after countFinalizers, so its registries count their callbacks.
const lewd: Package = options.mod === undefined
  ? await import("../../mod.ts")
  : await import(
    options.mod.startsWith("file:")
      ? options.mod
      : pathToFileURL(resolve(options.mod)).href
  );
if (HEAP == "create" && typeof lewd.createHeap != "function") {
  throw new Error(
    `ops.ts: heap=create: ${options.mod ?? "mod.ts"} has no createHeap`,
  );
}
/**
 * The heap measured: the module's own, one of `createHeap()`, or the big
 * entry point's (big.ts, this tree's: the big core's default heap).
 */
const face: Face = HEAP == "create"
  ? lewd.createHeap!()
  : HEAP == "big"
  ? await import("../../big.ts")
  : lewd;
const { alloc } = face;

const LIVE = int("live", 100_000);
const ROUNDS = int("rounds", 21);
const WARMUP = int("warmup", 3);
const OPS = int("ops", 10_000);
/** Loops that change nothing run this many times longer, for resolution. */
const REPEAT = int("repeat", 10);

const random = rng(int("seed", 1));
const sizes = new Int32Array(OPS).map(() => between(random, 16, 256));
const nop = floorModule();
const registry = new FinalizationRegistry<number>((held) => {
  nop(held);
});

// 2 × LIVE spans, every other one dropped: LIVE live, LIVE free between them.
const live: object[] = [];
for (let i = 0; i < 2 * LIVE; i++) {
  const token = {};
  alloc(between(random, 16, 256), token);
  if (i % 2 == 0) live.push(token);
}
const dropped = await collect(LIVE);

const perOp = (start: number, ops: number) =>
  (performance.now() - start) * 1e6 / ops;

function floorA(): number {
  let sum = 0;
  const start = performance.now();
  for (let r = 0; r < REPEAT; r++) {
    for (let i = 0; i < OPS; i++) sum = (sum + nop(sizes[i])) | 0;
  }
  const ns = perOp(start, OPS * REPEAT);
  consume(sum);
  return ns;
}

function floorB(): number {
  let sum = 0;
  const start = performance.now();
  for (let i = 0; i < OPS; i++) {
    const held = nop(sizes[i]);
    registry.register({}, held);
    sum = (sum + held) | 0;
  }
  const ns = perOp(start, OPS);
  consume(sum);
  return ns;
}

function allocToken(): number {
  let sum = 0;
  const start = performance.now();
  for (let i = 0; i < OPS; i++) sum = (sum + alloc(sizes[i], {})) | 0;
  const ns = perOp(start, OPS);
  consume(sum);
  return ns;
}

function allocScratch(): number {
  let sum = 0;
  const start = performance.now();
  for (let r = 0; r < REPEAT; r++) {
    for (let i = 0; i < OPS; i++) sum = (sum + alloc(sizes[i])) | 0;
  }
  const ns = perOp(start, OPS * REPEAT);
  consume(sum);
  return ns;
}

const variants = { floorA, floorB, allocToken, allocScratch };
type Name = keyof typeof variants;
const names = Object.keys(variants) as Name[];
/** Finalizers each variant leaves behind (its fresh tokens). */
const leaves: Record<Name, number> = {
  floorA: 0,
  floorB: OPS,
  allocToken: OPS,
  allocScratch: 0,
};
const times: Record<Name, number[]> = {
  floorA: [],
  floorB: [],
  allocToken: [],
  allocScratch: [],
};
let stragglers = 0;
for (let round = 0; round < WARMUP + ROUNDS; round++) {
  for (const name of shuffled(names, random)) {
    // An untimed run first: after a long collection the optimised code of a
    // loop that ran once per round may not be ready (or was flushed).
    for (const timed of [false, true]) {
      gc();
      const ns = variants[name]();
      stragglers += leaves[name] - await collect(leaves[name]);
      if (timed && round >= WARMUP) times[name].push(ns);
    }
  }
}

/** The median of the per-round ratios a ÷ b (paired: same round). */
const ratio = (a: Name, b: Name) =>
  median(times[a].map((value, round) => value / times[b][round]));

// Read `live` here so the tokens stay reachable to the end: V8 keeps only the
// variables a suspended module still reads.
consume(live.length);
emit({
  scenario: "ops",
  heap: HEAP,
  live: LIVE,
  liveAfterDrop: 2 * LIVE - dropped,
  rounds: ROUNDS,
  ops: OPS,
  memBytes: face.buf.byteLength,
  stragglers,
  ns: Object.fromEntries(names.map((name) => [name, median(times[name])])),
  ratio: {
    allocToken_floorB: ratio("allocToken", "floorB"),
    allocScratch_floorB: ratio("allocScratch", "floorB"),
    floorB_floorA: ratio("floorB", "floorA"),
    allocToken_floorA: ratio("allocToken", "floorA"),
  },
});
