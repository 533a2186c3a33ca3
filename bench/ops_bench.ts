/**
 * `deno bench` suite: the floor, our two operations and the peers' malloc +
 * free, one call per iteration, for a quick look while working on the code
 * (`deno task bench` runs the full, interleaved, one-heap-per-process
 * comparison and writes bench/RESULTS.md).
 *
 *     deno bench --v8-flags=--expose-gc --allow-read --allow-env bench/ops_bench.ts
 *
 * All benches share one heap (mod.ts is a singleton) with 100 000 live spans
 * of 16–256 B and as many free spans between them. With BENCH_SMOKE=1 each
 * bench runs a few hundred iterations only.
 *
 * @module
 */

import {
  between,
  collect,
  countFinalizers,
  floorModule,
  rng,
} from "./lib/harness.ts";
import {
  peerInstance,
  peerModule,
  PEERS_WASM,
  thingPool,
} from "./lib/peers.ts";

countFinalizers();
const { alloc } = await import("../mod.ts");

const smoke = Deno.env.get("BENCH_SMOKE") == "1";
const LIVE = smoke ? 1_000 : 100_000;
const budget = smoke ? { n: 200, warmup: 20 } : {};

const random = rng(5);
const sizes = new Int32Array(4096).map(() => between(random, 16, 256));
let i = 0;
const next = () => sizes[i++ & 4095];

const live: object[] = [];
for (let k = 0; k < 2 * LIVE; k++) {
  const token = {};
  alloc(next(), token);
  if (k % 2 == 0) live.push(token);
}
await collect(LIVE);

const nop = floorModule();
const registry = new FinalizationRegistry<number>((held) => {
  nop(held);
});

Deno.bench({
  name: "floor (a): empty WASM call",
  group: "alloc",
  ...budget,
  fn: () => {
    nop(next());
  },
});

Deno.bench({
  name: "floor (b): (a) + register",
  group: "alloc",
  baseline: true,
  ...budget,
  fn: () => {
    registry.register({}, nop(next()));
  },
});

Deno.bench({
  name: "alloc(size, token)",
  group: "alloc",
  ...budget,
  fn: () => {
    alloc(next(), {});
  },
});

Deno.bench({
  name: "alloc(size) scratch",
  group: "alloc",
  ...budget,
  fn: () => {
    alloc(next());
  },
});

const module = peerModule(PEERS_WASM);
const dl = peerInstance(module);
const talc = peerInstance(module);
const pool = thingPool(16 << 20);

Deno.bench({
  name: "dlmalloc: malloc + free",
  group: "peers",
  ...budget,
  fn: () => {
    dl.dl_free(dl.dl_malloc(next()));
  },
});

Deno.bench({
  name: "talc: malloc + free",
  group: "peers",
  ...budget,
  fn: () => {
    const size = next();
    talc.talc_free(talc.talc_malloc(size), size);
  },
});

Deno.bench({
  name: "@thi.ng/malloc: malloc + free (empty pool)",
  group: "peers",
  ...budget,
  fn: () => {
    pool.free(pool.malloc(next()));
  },
});

// Keep the live set reachable for as long as the benches run.
globalThis.addEventListener("unload", () => live.length);
