/**
 * Churn benchmark: does `mem` stay close to the live set when nobody calls
 * `gc()`? (docs/CONTRACT.md, section Freeing by the GC: the GC nudge is a
 * hint, not a bound; bench/gc/FINDINGS.md has the figures.)
 *
 * 10 000 live allocations of 16–1024 bytes (uniform); each operation drops one
 * at random (its token becomes garbage) and allocates a new one with a fresh
 * token. Every `--every` operations (default 1 000) the loop yields to the
 * event loop, as a real app would, so that FinalizationRegistry callbacks can
 * run. No collection is forced unless `--gc=K` is given (then `gc()` runs every
 * K operations; needs `--expose-gc`).
 *
 * Reports: peak `mem` bytes, peak live bytes (sum of requested sizes), their
 * ratio, the physical floor (live bytes plus the bytes allocated between two
 * yields, the least `mem` could hold if finalizers ran at every yield) and its
 * ratio to the peak live bytes, and ns per operation (wall time including the yields, and "busy" time
 * excluding the time spent awaiting the event loop).
 *
 *   deno run bench/gc/churn.ts [ops] [--gc=K]
 *                              [--yield=message|timeout] [--every=N]
 *   node bench/gc/run_node.mjs [same arguments]   (bundles with esbuild first)
 *   node bench/gc/run_chromium.mjs [same arguments]   (headless Chromium)
 *   deno run -A bench/gc/run_engines.ts bun|firefox [--pacing=off] [same]
 *
 * `--json` prints the result as one JSON line; `--result` as the `RESULT`
 * line that bench/run.ts reads (its "pressure" section).
 *
 * `--yield=timeout` (default) yields with `setTimeout(0)`; `--yield=message` with a MessageChannel round trip (a
 * macrotask, ~20 µs); `--yield=timeout` uses `setTimeout(0)`, which Deno and
 * Node clamp to 1–4 ms, so its wall figure is dominated by sleeping.
 *
 * @module
 */

import * as base from "../../mod.ts";

type Lib = { alloc(size: number, token?: WeakKey): number; cap: number };

// deno-lint-ignore no-explicit-any
const g = globalThis as any;
// In a browser (bench/gc/run_chromium.mjs) the arguments come from `lewdArgs`.
const argv: string[] = g.Deno
  ? g.Deno.args
  : g.process
  ? g.process.argv.slice(2)
  : g.lewdArgs ?? [];
const opt = (name: string, dflt: string): string =>
  argv.find((a) => a.startsWith(`--${name}=`))?.slice(name.length + 3) ?? dflt;
const OPS = Number(argv.find((a) => !a.startsWith("--")) ?? 300_000);
const LIVE = Number(opt("live", "10000"));
const EVERY = Number(opt("every", "1000"));
const GC_EVERY = Number(opt("gc", "0"));
const YIELD = opt("yield", "timeout");
const lib: Lib = base;
if (GC_EVERY && typeof g.gc != "function") {
  throw new Error("--gc=K needs --expose-gc (deno: --v8-flags=--expose-gc)");
}

// mulberry32: deterministic, so every run sees the same sequence.
let seed = 0x9e3779b9;
const rand = (): number => {
  seed = (seed + 0x6d2b79f5) | 0;
  let t = Math.imul(seed ^ (seed >>> 15), 1 | seed);
  t = (t + Math.imul(t ^ (t >>> 7), 61 | t)) ^ t;
  return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
};
const randSize = () => 16 + Math.floor(rand() * 1009); // 16..1024

let channel: MessageChannel | undefined;
let wake: (() => void) | undefined;
const pause = (): Promise<void> => {
  if (YIELD == "timeout") return new Promise((r) => setTimeout(r, 0));
  if (!channel) {
    channel = new MessageChannel();
    channel.port1.onmessage = () => wake!();
  }
  return new Promise((r) => {
    wake = r;
    channel!.port2.postMessage(0);
  });
};

const tokens: object[] = new Array(LIVE);
const sizes = new Int32Array(LIVE);
let live = 0;
for (let i = 0; i < LIVE; i++) {
  const token = {};
  const size = randSize();
  const ptr = lib.alloc(size, token);
  base.i32; // (keeps the import used in all modes)
  tokens[i] = token;
  sizes[i] = size;
  live += size;
  void ptr;
}
let peakLive = live;
let peakMem = lib.cap * 16;
// The physical floor: what must be in `mem` if every dropped token were freed
// at the next yield: the live bytes when a yield ends, plus the blocks
// allocated before the next one.
let windowStart = live;
let windowBytes = 0;
let floor = live;
let idle = 0;
const start = performance.now();
for (let op = 1; op <= OPS; op++) {
  const i = Math.floor(rand() * LIVE);
  const size = randSize();
  const token = {};
  lib.alloc(size, token);
  windowBytes += Math.ceil(size / 16) * 16;
  live += size - sizes[i];
  sizes[i] = size;
  tokens[i] = token; // the old token is garbage now
  if (live > peakLive) peakLive = live;
  const m = lib.cap * 16;
  if (m > peakMem) peakMem = m;
  if (GC_EVERY && op % GC_EVERY == 0) g.gc();
  if (op % EVERY == 0) {
    if (windowStart + windowBytes > floor) floor = windowStart + windowBytes;
    [windowStart, windowBytes] = [live, 0];
    const t = performance.now();
    await pause();
    idle += performance.now() - t;
  }
}
const wall = performance.now() - start;
channel?.port1.close();
const MiB = (n: number) => (n / 1048576).toFixed(2);
const runtime = g.Deno
  ? `deno ${g.Deno.version.v8}`
  : g.process
  ? `node ${g.process.versions.v8}`
  : `browser ${g.navigator?.userAgent}`;
const result = {
  runtime,
  lib: "mod.ts",
  ops: OPS,
  gcEvery: GC_EVERY || "none",
  yield: `${YIELD}/${EVERY}`,
  peakMemMiB: MiB(peakMem),
  peakLiveMiB: MiB(peakLive),
  ratio: (peakMem / peakLive).toFixed(2),
  floorMiB: MiB(floor),
  floorRatio: (floor / peakLive).toFixed(2),
  nsPerOp: Math.round((wall * 1e6) / OPS),
  busyNsPerOp: Math.round(((wall - idle) * 1e6) / OPS),
};
if (argv.includes("--result")) console.log(`RESULT ${JSON.stringify(result)}`);
else console.log(argv.includes("--json") ? JSON.stringify(result) : result);
g.lewdResult = result; // read by bench/gc/run_chromium.mjs
