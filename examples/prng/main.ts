/**
 * A tour of the PRNG example: draw numbers, churn through many generators,
 * let the GC free their state, and give the pages back with `trim()`.
 *
 *     deno task example
 *
 * (which is `deno run --v8-flags=--expose-gc examples/prng/main.ts`: the flag
 * lets the demo force collections; without it, the demo asks for one with
 * `reclaim()`).
 *
 * @module
 */

import { mem, reclaim } from "../../mod.ts";
import { MyPRNG, trim } from "./prng.ts";
import { prng } from "./prng.generated.ts";

const GENERATORS = 100_000;

const gc = (globalThis as { gc?: () => void }).gc;
const tick = () => new Promise((resolve) => setTimeout(resolve, 0));
const size = () => {
  const bytes = mem.buffer.byteLength;
  return bytes >= 2 ** 20
    ? `${(bytes / 2 ** 20).toFixed(2)} MiB`
    : `${bytes / 1024} KiB`;
};
const draw = (rng: MyPRNG, count: number) =>
  Array.from({ length: count }, () => rng.rand());

console.log(
  `xoshiro128** in ${
    atob(prng).length
  } bytes of hand-written wasm; mem is ${size()}\n`,
);

console.log("new MyPRNG(1), rand() x4:", draw(new MyPRNG(1), 4).join(", "));
console.log("new MyPRNG(2), rand() x4:", draw(new MyPRNG(2), 4).join(", "));
const filled = new Int32Array(4);
new MyPRNG(1).fill(filled);
console.log("new MyPRNG(1), fill(4):  ", filled.join(", "), "(same as rand)");

// A generator that lives through the trim, and a copy of its state to know
// what it should say next.
const keeper = new MyPRNG(2024);
keeper.rand();
const copy = new MyPRNG(0);
copy.state = keeper.state;
const expected = draw(copy, 3);

// Churn: every generator owns 16 bytes until the GC collects it.
for (let i = 0; i < GENERATORS; i++) new MyPRNG(i).rand();
const peak = size();
console.log(`\ncreated and dropped ${GENERATORS} generators; mem is ${peak}`);

// Finalizers run in later tasks, so yield between collections. (The first
// yield also matters: objects registered this task are kept until it ends.)
// Without --expose-gc, reclaim() prompts a collection, waits for it and its
// finalizers, then trims.
let released: number;
if (gc) {
  for (let i = 0; i < 3; i++) {
    await tick();
    gc();
    await tick();
  }
  released = trim();
} else {
  released = await reclaim();
}

console.log(
  `${
    gc ? "trim()" : "reclaim()"
  } released ${released} bytes: mem ${peak} -> ${size()}`,
);

const after = draw(keeper, 3);
const ok = after.every((n, i) => n == expected[i]);
console.log(
  `\nthe generator from before the trim goes on: ${after.join(", ")}`,
  ok ? "(as expected)" : `(EXPECTED ${expected.join(", ")})`,
);
if (!ok) Deno.exit(1);
