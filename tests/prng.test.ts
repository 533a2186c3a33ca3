/**
 * The PRNG example (examples/prng/) against a JS model of the same algorithm,
 * and the README's promises about it: generators keep their state across
 * grows and trims, the module is respawned without re-running `init`, and
 * dropped generators give their memory back.
 *
 *     deno test --allow-read --allow-run --v8-flags=--expose-gc tests/prng.test.ts
 */

import {
  deepStrictEqual as assertEquals,
  ok,
  strictEqual as assertSame,
  throws,
} from "node:assert";
import { alloc, i32, mem, trim } from "../mod.ts";
import { collectUntil } from "./_helpers.ts";

// ---------------------------------------------------------------------------
// The model: xoshiro128** (Blackman & Vigna) and how prng.wat seeds a generator.

const GOLDEN = 0x9e3779b9;

const rotl = (x: number, k: number) => (x << k) | (x >>> (32 - k));

const fmix32 = (z: number) => {
  z = Math.imul(z ^ (z >>> 16), 0x85ebca6b);
  z = Math.imul(z ^ (z >>> 13), 0xc2b2ae35);
  return z ^ (z >>> 16);
};

/** What `init` writes at `tab`: splitmix32 outputs 1..256. */
const TABLE = Array.from(
  { length: 256 },
  (_, k) => fmix32(Math.imul(k + 1, GOLDEN)),
);

const hash = (x: number) =>
  TABLE[x & 255] ^ rotl(TABLE[(x >>> 8) & 255], 8) ^
  rotl(TABLE[(x >>> 16) & 255], 16) ^ rotl(TABLE[x >>> 24], 24);

/** The state `seed(self, seed)` writes. */
const seedState = (seed: number): number[] => {
  const state = [1, 2, 3, 4].map((i) =>
    hash((seed + Math.imul(i, GOLDEN)) | 0)
  );
  if ((state[0] | state[1] | state[2] | state[3]) == 0) state[0] = 1;
  return state;
};

/** One step of xoshiro128**: updates `s` in place, returns the output. */
const next = (s: number[]): number => {
  const result = Math.imul(rotl(Math.imul(s[1], 5), 7), 9);
  const t = s[1] << 9;
  s[2] ^= s[0];
  s[3] ^= s[1];
  s[1] ^= s[2];
  s[0] ^= s[3];
  s[2] ^= t;
  s[3] = rotl(s[3], 11);
  return result;
};

const draw = (next: () => number, count: number) =>
  Array.from({ length: count }, next);

// ---------------------------------------------------------------------------
// Import the example with `WebAssembly.Instance` watched, to see each
// (re)spawn of the PRNG module and each call of its `init`. Nothing else
// changes: the instance's own exports are called. (Test files run in
// separate isolates, so the patch stays in this file.)

type Env = { mem: WebAssembly.Memory; tab: number };
const spawns: Env[] = [];
let inits = 0;

const Instance = WebAssembly.Instance;
WebAssembly.Instance = function (
  module: WebAssembly.Module,
  imports?: WebAssembly.Imports,
) {
  const instance = new Instance(module, imports);
  const names = WebAssembly.Module.exports(module).map((e) => e.name);
  if (!names.includes("fill")) return instance;
  const { mem, tab } = imports!.env as Env;
  spawns.push({ mem, tab });
  const exports = instance.exports as { init(): void };
  return {
    exports: {
      ...exports,
      init() {
        inits++;
        exports.init();
      },
    },
  };
} as unknown as typeof WebAssembly.Instance;

const { MyPRNG } = await import("../examples/prng/prng.ts");

const tab = spawns[0].tab;
const table = () => [...i32.subarray(tab >>> 2, (tab >>> 2) + 256)];

// ---------------------------------------------------------------------------

Deno.test("importing the example spawns the module once and runs init once", () => {
  assertEquals(spawns.length, 1);
  assertEquals(inits, 1);
  assertSame(spawns[0].mem, mem);
  assertEquals(tab % 16, 0);
  ok(tab >= 16);
  assertEquals(table(), TABLE);
});

Deno.test("rand is xoshiro128**: published vectors of the C reference", () => {
  const rng = new MyPRNG(0);
  rng.state = [1, 2, 3, 4];
  assertEquals(
    draw(rng.rand, 6).map((n) => n >>> 0),
    [11520, 0, 5927040, 70819200, 2031721883, 1637235492],
  );

  rng.state = [0x964d4a0c, 0xd40ab895, 0xad7fdecb, 0x3006f0f0];
  assertEquals(rng.rand() >>> 0, 0xf1391922);
  assertEquals(
    rng.state.map((n) => n >>> 0),
    [0x72410269, 0xef382c52, 0x2e43bec7, 0x62432f20],
  );
  assertEquals(
    draw(rng.rand, 3).map((n) => n >>> 0),
    [0x6fe53806, 0xa5be2840, 0xf510ee70],
  );
  assertEquals(
    rng.state.map((n) => n >>> 0),
    [0xfc65379c, 0x52006d70, 0x87487639, 0xf1908343],
  );
});

Deno.test("seed and rand match the JS model for several seeds", () => {
  const seeds = [0, 1, 2, -1, 42, 0x7fffffff, -0x80000000, -GOLDEN, 123456789];
  const states = new Set<string>();
  for (const seed of seeds) {
    const rng = new MyPRNG(seed);
    const model = seedState(seed);
    assertEquals(rng.state, model, `state after seed(${seed})`);
    assertEquals(draw(rng.rand, 100), draw(() => next(model), 100));
    assertEquals(rng.state, model);
    states.add(String(seedState(seed)));
  }
  assertEquals(states.size, seeds.length);
  // Non-integers are truncated like any i32 argument.
  assertEquals(new MyPRNG(42.9).state, seedState(42));
});

Deno.test("fill writes what successive rand calls return", () => {
  // 40 000 values: three scratch chunks of at most 16 384.
  for (const length of [0, 1, 7, 256, 40_000]) {
    const filling = new MyPRNG(length);
    const drawing = new MyPRNG(length);
    const out = new Int32Array(length).fill(-1);
    filling.fill(out);
    assertEquals([...out], draw(drawing.rand, length), `length ${length}`);
    assertEquals(filling.state, drawing.state);
  }
  // Into a view of part of a larger array.
  const rng = new MyPRNG(5);
  const model = seedState(5);
  const outer = new Int32Array(10);
  rng.fill(outer.subarray(3, 6));
  assertEquals(
    [...outer],
    [0, 0, 0, ...draw(() => next(model), 3), 0, 0, 0, 0],
  );
});

Deno.test("the state setter rewinds, and rejects what xoshiro cannot use", () => {
  const rng = new MyPRNG(11);
  const saved = rng.state;
  const first = draw(rng.rand, 5);
  rng.state = saved;
  assertEquals(draw(rng.rand, 5), first);
  throws(() => (rng.state = [0, 0, 0, 0]), RangeError);
  throws(() => (rng.state = [1, 2, 3]), RangeError);
  assertEquals(draw(rng.rand, 5), draw(() => next(saved), 10).slice(5));
});

Deno.test("a grow of mem rebuilds each generator's view (its watcher)", () => {
  const rng = new MyPRNG(77);
  const model = seedState(77);
  assertEquals(draw(rng.rand, 3), draw(() => next(model), 3));

  const before = mem.buffer;
  const size = before.byteLength;
  alloc(size + 4 * 65536); // a scratch that does not fit: mem must grow
  ok(mem.buffer.byteLength > size, "mem grew");
  assertEquals(before.byteLength, 0, "the old buffer is detached");

  assertEquals(rng.state, model);
  assertEquals(draw(rng.rand, 3), draw(() => next(model), 3));
  assertEquals(table(), TABLE);
  trim();
});

Deno.test("trim respawns the module over the new mem; state and table survive, init does not rerun", () => {
  const rng = new MyPRNG(31337);
  const model = seedState(31337);
  draw(rng.rand, 4).forEach(() => next(model));

  alloc(mem.buffer.byteLength + 65536); // grow, leaving only free pages above
  const old = mem;
  const spawned = spawns.length;
  const released = trim();

  ok(released > 0, "trim released the free pages");
  ok(mem !== old, "trim replaced mem");
  assertEquals(spawns.length, spawned + 1, "respawned once");
  assertSame(spawns.at(-1)!.mem, mem, "respawned over the new mem");
  assertSame(spawns.at(-1)!.tab, tab, "with the same table");
  assertEquals(inits, 1, "init ran only at import");
  assertEquals(table(), TABLE);

  assertEquals(rng.state, model);
  assertEquals(draw(rng.rand, 10), draw(() => next(model), 10));
  // Seeding reads the table: a generator made after the trim is still right.
  assertEquals(new MyPRNG(31337).state, seedState(31337));
});

Deno.test("dropped generators are collected, and trim gives their pages back", async () => {
  const survivor = new MyPRNG(2024);
  const model = seedState(2024);
  trim();
  const baseline = mem.buffer.byteLength;

  // 100 000 generators of 16 bytes: more than 1.5 MiB, all unreachable once
  // this function returns.
  const churn = () => {
    for (let i = 0; i < 100_000; i++) new MyPRNG(i).rand();
  };
  churn();
  const peak = mem.buffer.byteLength;
  ok(peak >= baseline + 1_600_000, `mem grew for the generators (${peak})`);

  // Finalizers run in later tasks; collectUntil first ends the task that
  // created the generators (WeakRefs keep their targets until it ends).
  let released = 0;
  await collectUntil(() => {
    released += trim();
    return mem.buffer.byteLength == baseline;
  }, "the generators' finalizers");
  assertEquals(mem.buffer.byteLength, baseline, "back to the baseline");
  assertEquals(released, peak - baseline);

  assertEquals(survivor.state, model);
  assertEquals(draw(survivor.rand, 5), draw(() => next(model), 5));
});
