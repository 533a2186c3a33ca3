/**
 * Draws the memory map that the README shows: the PRNG example's generators
 * (token allocations, some collected), the vector example's storage (strong
 * allocations made from inside WASM), a disowned allocation freed before its
 * token (reserved), a protected range and a scratch, then `render()` to
 * docs/memory-map.svg.
 *
 *     deno task render:example
 *
 * @module
 */

import { alloc, disown, free, malloc, protect, render, spans } from "../mod.ts";
import { MyPRNG } from "../examples/prng/prng.ts";
import { vectors } from "../examples/vector/vector.ts";

const gc = (globalThis as { gc?: () => void }).gc!;
const tick = () => new Promise((resolve) => setTimeout(resolve, 0));

// Generators, every third dropped, then collected: holes between the rest.
const kept: MyPRNG[] = [];
for (let i = 0; i < 3000; i++) {
  const rng = new MyPRNG(i);
  if (i % 3) kept.push(rng);
}
// A vector that grows from inside WASM, and a few strong buffers.
const v = vectors.create();
for (let i = 0; i < 20_000; i++) vectors.push(v, i);
const buffers = Array.from({ length: 40 }, (_, i) => malloc(256 + 64 * i));
buffers.filter((_, i) => i % 2).forEach(free);
// A token allocation disowned and freed while its token lives on: reserved.
const owner = {};
const reserved = alloc(4096, owner);
disown(reserved);
free(reserved);
for (let i = 0; i < 3; i++) {
  await tick();
  gc();
}
await tick();
// A range kept out of the allocator's hands (as a module's static data is),
// inside the longest free span.
const hole = spans().filter((span) => span.kind == "free")
  .reduce((a, b) => b.size > a.size ? b : a);
protect(hole.start + 1024, 2048);
const scratch = alloc(2048);
const out = new URL("../docs/memory-map.svg", import.meta.url);
await Deno.writeTextFile(out, render({ scratch: [scratch, 2048] }));
console.log(`wrote docs/memory-map.svg (${kept.length} generators kept)`);
