/**
 * Allocation from the WASM side: a hand-written vector module that imports
 * `env.malloc`, `env.realloc` and `env.free` from LEWD Alloc instead of
 * linking an allocator.
 *
 *     deno task example:vector
 *
 * @module
 */

import { cap, stats, trim, watch } from "../../mod.ts";
import { vectors } from "./vector.ts";
import { vector } from "./vector.generated.ts";

const COUNT = 1_000_000;
const mib = (bytes: number) => `${(bytes / 2 ** 20).toFixed(2)} MiB`;

let resizes = 0;
const owner = {};
watch(() => resizes++, owner);

console.log(
  `a vector in ${atob(vector).length} bytes of hand-written wasm; mem is ${
    mib(cap * 16)
  }\n`,
);

const v = vectors.create();
for (let i = 1; i <= COUNT; i++) {
  if (!vectors.push(v, i)) throw new Error("out of memory");
}
// The vector's realloc calls grew `mem` from inside WASM; the watcher ran.
const expected = (COUNT * (COUNT + 1) / 2) | 0;
console.log(
  `pushed ${vectors.len(v)} numbers from WASM: sum ${vectors.sum(v)} (${
    vectors.sum(v) === expected ? "right" : "WRONG"
  }), mem ${mib(cap * 16)}, ${resizes} resizes seen by a watcher`,
);
const used = stats();
console.log(
  `stats(): ${used.allocations} allocations, ${mib(used.used)} used, ${
    mib(used.free)
  } free, largest free span ${mib(used.largest)}`,
);

vectors.destroy(v);
console.log(`destroy(): freed from WASM; stats().used = ${stats().used}`);
console.log(`trim(): ${mib(trim())} given back; mem is ${mib(cap * 16)}`);

// `trim` replaced mem and respawned the module: it carries on.
const w = vectors.create();
for (let i = 0; i < 10; i++) vectors.push(w, i);
console.log(
  `after the trim, a new vector: len ${vectors.len(w)}, sum ${vectors.sum(w)}`,
);
vectors.destroy(w);
