/**
 * What every scenario shares: options, a seeded PRNG, medians, the floor
 * module, forced collection that waits for the finalizers, and the one line
 * of JSON a scenario prints for the driver (`bench/run.ts`).
 *
 * Runs unchanged under Deno and (bundled by esbuild) under Node, so it uses
 * `node:` modules and globals both runtimes have.
 *
 * @module
 */

import process from "node:process";
import { setImmediate } from "node:timers";

/** `key=value` command-line options of a scenario process. */
export const options: Record<string, string> = Object.fromEntries(
  (typeof Deno == "object" ? Deno.args : process.argv.slice(2)).filter((
    arg,
  ) => arg.includes("=")).map((arg) => {
    const at = arg.indexOf("=");
    return [arg.slice(0, at), arg.slice(at + 1)];
  }),
);

/** A numeric option, or `fallback` when it is absent. */
export const int = (name: string, fallback: number): number =>
  name in options ? Number(options[name]) : fallback;

/** Which runtime this is, with its version, for the results. */
export const runtime: string = typeof Deno == "object"
  ? `deno ${Deno.version.deno} (V8 ${Deno.version.v8})`
  : `node ${process.versions.node} (V8 ${process.versions.v8})`;

/** Prints the scenario's result as the one line the driver reads. */
export const emit = (result: Record<string, unknown>): void => {
  console.log("RESULT " + JSON.stringify({ runtime, ...result }));
};

/**
 * mulberry32: a small seeded PRNG, so every allocator and every run sees the
 * same sizes, drops and lifetimes.
 */
export const rng = (seed: number): () => number => {
  let a = seed >>> 0;
  return () => {
    a = (a + 0x6D2B79F5) | 0;
    let t = Math.imul(a ^ (a >>> 15), 1 | a);
    t = (t + Math.imul(t ^ (t >>> 7), 61 | t)) ^ t;
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
};

/** An integer in `[lo, hi]` from `random`. */
export const between = (random: () => number, lo: number, hi: number) =>
  lo + Math.floor(random() * (hi - lo + 1));

/** The median (the mean of the middle two for an even count). */
export const median = (values: number[]): number => {
  const sorted = values.slice().sort((a, b) => a - b);
  const mid = sorted.length >>> 1;
  return sorted.length % 2 ? sorted[mid] : (sorted[mid - 1] + sorted[mid]) / 2;
};

/** A seeded Fisher–Yates shuffle of a copy: the order of a round. */
export const shuffled = <T>(items: T[], random: () => number): T[] => {
  const out = items.slice();
  for (let i = out.length - 1; i > 0; i--) {
    const j = Math.floor(random() * (i + 1));
    [out[i], out[j]] = [out[j], out[i]];
  }
  return out;
};

/**
 * Floor (a): the cheapest exported WASM function with the core's shape, i32
 * in and i32 out — `(func (param i32) (result i32) local.get 0)` — written
 * out by hand so no toolchain sits between it and the engine.
 */
export const floorModule = (): (x: number) => number => {
  const bytes = new Uint8Array([
    ...[0x00, 0x61, 0x73, 0x6d, 0x01, 0x00, 0x00, 0x00], // magic, version 1
    ...[0x01, 0x06, 0x01, 0x60, 0x01, 0x7f, 0x01, 0x7f], // type: (i32) → i32
    ...[0x03, 0x02, 0x01, 0x00], // one function of that type
    ...[0x07, 0x07, 0x01, 0x03, 0x6e, 0x6f, 0x70, 0x00, 0x00], // export "nop"
    ...[0x0a, 0x06, 0x01, 0x04, 0x00, 0x20, 0x00, 0x0b], // body: local.get 0
  ]);
  const instance = new WebAssembly.Instance(new WebAssembly.Module(bytes));
  return instance.exports.nop as (x: number) => number;
};

const gcFunction = (globalThis as { gc?: () => void }).gc;

/** Whether {@linkcode gc} can run (the runtime was given `--expose-gc`). */
export const canGc = (): boolean => gcFunction !== undefined;

/** A full, synchronous garbage collection (`--expose-gc` is required). */
export const gc = (): void => {
  if (!gcFunction) {
    throw new Error("run with --v8-flags=--expose-gc (Node: --expose-gc)");
  }
  gcFunction();
};

let finalizedCount = 0;

/** How many finalization callbacks have run in this process. */
export const finalized = (): number => finalizedCount;

/**
 * Replaces `FinalizationRegistry` with a subclass that counts the callbacks
 * it runs, so a scenario can wait until every dropped token has been freed.
 * Must run before `mod.ts` is imported (scenarios import it dynamically).
 * Every registry in a scenario, the floor's and the peers' too, goes through
 * it, so its one extra call per finalization is in every variant alike.
 */
export const countFinalizers = (): void => {
  const Base = globalThis.FinalizationRegistry;
  globalThis.FinalizationRegistry = class<T> extends Base<T> {
    constructor(callback: (held: T) => void) {
      super((held: T) => {
        finalizedCount++;
        callback(held);
      });
    }
  } as FinalizationRegistryConstructor;
};

/** One macrotask turn, the fastest that lets queued finalizers run. */
export const turn = (): Promise<void> =>
  new Promise((resolve) => setImmediate(resolve));

/**
 * After a `gc()`, yields macrotask turns until `expected` more finalizers
 * have run (or three turns bring none: a token still on the stack, which a
 * later collection frees). Returns how many ran.
 */
export const finalize = async (expected: number): Promise<number> => {
  const start = finalizedCount;
  let idle = 0;
  while (finalizedCount - start < expected && idle < 3) {
    const before = finalizedCount;
    await turn();
    if (finalizedCount == before) {
      if (++idle == 2) gc();
    } else idle = 0;
  }
  return finalizedCount - start;
};

/** `gc()`, then {@linkcode finalize}: the frees behind every dropped token. */
export const collect = (expected: number): Promise<number> => {
  gc();
  return finalize(expected);
};

/** Keeps results alive so no timed loop is optimised away. */
export let sink = 0;

/** Folds a loop's checksum into {@linkcode sink}. */
export const consume = (value: number): void => {
  sink = (sink + value) | 0;
};
