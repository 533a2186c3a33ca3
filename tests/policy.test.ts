/**
 * Placement policies. Best fit (docs/CONTRACT.md, section Placement) stays the
 * default; address-ordered first fit and next fit are options. Each seeded
 * workload runs on a heap of its own (`createHeap`) against a model.
 */

import assert from "node:assert/strict";
import { createHeap, policy } from "../mod.ts";
import { blocksOf, Model, random } from "./_helpers.ts";

/** `Model.take` for first fit and next fit: the first free span that fits, in address order, from `from`. */
function takeFrom(model: Model, blocks: number, from: number): number {
  const spans = model.spans;
  const start = spans.some((s) => s.start == from) ? from : 1;
  let i = spans.findIndex((s) =>
    s.start >= start && !s.used && s.blocks >= blocks
  );
  if (i < 0 && start != 1) {
    i = spans.findIndex((s) => !s.used && s.blocks >= blocks);
  }
  return model.takeAt(i, blocks);
}

for (const name of ["first", "next"] as const) {
  Deno.test(`policy("${name}"): every placement and scratch follows the model`, () => {
    const heap = createHeap();
    assert.equal(heap.policy(name), "best", "best fit by default");
    assert.equal(heap.policy(), name);
    const rand = random(name == "first" ? 11 : 12);
    const model = new Model(heap.cap);
    const live: number[] = [];
    let rover = 1;
    for (let step = 0; step < 2000; step++) {
      if (rand() < 0.6 || live.length == 0) {
        const size = 1 + Math.floor(rand() * (rand() < 0.9 ? 500 : 20_000));
        const blocks = blocksOf(size);
        const scratch = heap.alloc(size);
        model.grow(heap.cap);
        const from = name == "first" ? 1 : rover;
        const probe = new Model(heap.cap);
        probe.spans = model.spans.map((s) => ({ ...s }));
        assert.equal(
          scratch,
          takeFrom(probe, blocks, from),
          `step ${step}: scratch`,
        );
        const ptr = heap.malloc(size);
        model.grow(heap.cap);
        assert.equal(
          ptr,
          takeFrom(model, blocks, from),
          `step ${step}: malloc(${size})`,
        );
        rover = ptr / 16 + blocks;
        live.push(ptr);
      } else {
        const ptr = live.splice(Math.floor(rand() * live.length), 1)[0];
        heap.free(ptr);
        model.free(ptr);
      }
      if (step % 200 == 0) heap.check();
    }
    heap.check();
    const { limit: _, ...figures } = heap.stats();
    assert.deepEqual(figures, model.stats());
  });
}

Deno.test("policy: first fit takes the lowest hole, best fit the tightest, next fit the next", () => {
  const heap = createHeap();
  // Holes of 4, 2 and 3 blocks, in that address order, between pins.
  const [a, , b, , c] = [64, 16, 32, 16, 48].map((size) => heap.malloc(size));
  const end = heap.malloc(16);
  heap.free(a);
  heap.free(b);
  heap.free(c);
  heap.policy("best");
  assert.equal(heap.alloc(32), b, "best: the 2-block hole");
  heap.policy("first");
  assert.equal(heap.alloc(32), a, "first: the lowest hole that fits");
  heap.policy("next");
  const first = heap.malloc(16); // no allocation yet under next fit: from the start
  assert.equal(first, a);
  assert.equal(heap.malloc(16), a + 16, "next: right after the last one");
  heap.free(first);
  assert.equal(heap.malloc(16), a + 32, "not back to the hole behind it");
  assert.ok(end > c);
  heap.check();
});

Deno.test("policy: a bad name throws and changes nothing", () => {
  const was = policy();
  for (const bad of ["worst", "", 1, null]) {
    assert.throws(() => policy(bad as "best"), TypeError);
  }
  assert.equal(policy(), was);
});
