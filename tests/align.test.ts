/**
 * Alignment. Power-of-two alignments from 16 bytes to 64 KiB for token and
 * scratch (`allocAligned`), lease and strong allocations (and `aligned_alloc`
 * for modules), placed by the best-fit rule over aligned addresses. The random
 * workload runs on this file's fresh heap against the reference model.
 */

import assert from "node:assert/strict";
import {
  alloc,
  allocAligned,
  cap,
  check,
  free,
  imports,
  lease,
  malloc,
  stats,
} from "../mod.ts";
import { blocksOf, Model, random } from "./_helpers.ts";

Deno.test("random aligned workload: every placement is the model's best fit over aligned addresses", () => {
  const rand = random(61);
  const model = new Model(cap);
  const live: number[] = [];
  let aligned = 0;
  for (let step = 0; step < 2500; step++) {
    const r = rand();
    if (r < 0.55 || live.length == 0) {
      const size = 1 + Math.floor(rand() * (rand() < 0.8 ? 600 : 20_000));
      const align = rand() < 0.7 ? 16 << Math.floor(rand() * 13) : 16;
      const ptr = malloc(size, align);
      const want = align == 16
        ? model.take(blocksOf(size), cap)
        : model.takeAligned(blocksOf(size), align / 16, cap);
      assert.equal(ptr, want, `step ${step}: malloc(${size}, ${align})`);
      assert.equal((ptr >>> 0) % align, 0);
      if (align > 16) aligned++;
      live.push(ptr);
    } else {
      const ptr = live.splice(Math.floor(rand() * live.length), 1)[0];
      free(ptr);
      model.free(ptr);
    }
    model.grow(cap);
    if (step % 250 == 0) {
      const { limit: _, ...figures } = stats();
      assert.deepEqual(figures, model.stats(), `step ${step}: stats()`);
      check();
    }
  }
  assert.ok(aligned > 500, `${aligned} aligned allocations`);
  live.forEach(free);
});

Deno.test("every alignment from 16 to 65536, for tokens, scratches, leases and strong allocations", () => {
  const owner = {};
  for (let align = 16; align <= 0x1_0000; align *= 2) {
    const scratch = allocAligned(48, align);
    const token = allocAligned(48, align, owner);
    assert.equal(token, scratch, `the scratch is where the allocation goes`);
    assert.equal((token >>> 0) % align, 0, `alloc, align ${align}`);
    using held = lease(100, align);
    assert.equal((held.ptr >>> 0) % align, 0, `lease, align ${align}`);
    const strong = malloc(7, align);
    assert.equal((strong >>> 0) % align, 0, `malloc, align ${align}`);
    const c = imports.aligned_alloc(align, 7);
    assert.equal((c >>> 0) % align, 0, `aligned_alloc, align ${align}`);
    free(strong);
    imports.free(c);
  }
  check();
  assert.ok(owner);
});

Deno.test("align: anything but a power of two from 16 to 65536 throws and changes nothing", () => {
  const before = { stats: stats(), next: alloc(16) };
  for (const align of [0, 8, 24, 48, 1.5, -16, 131072, NaN, Infinity]) {
    for (
      const call of [
        () => allocAligned(16, align, {}),
        () => allocAligned(16, align),
        () => malloc(16, align),
        () => lease(16, align),
      ]
    ) {
      assert.throws(call, (error: Error) =>
        error instanceof RangeError &&
        /align must be a power of two from 16 to 65536, got/.test(
          error.message,
        ));
    }
  }
  assert.throws(() => malloc(16, "64" as unknown as number), TypeError);
  assert.throws(() => allocAligned(16, null as unknown as number), TypeError);
  assert.throws(
    () => (allocAligned as (size: number) => number)(16),
    TypeError,
    "align is required",
  );
  assert.equal(imports.aligned_alloc(48, 16), 0, "not a power of two");
  assert.equal(imports.aligned_alloc(0x2_0000, 16), 0, "past 64 KiB");
  assert.deepEqual({ stats: stats(), next: alloc(16) }, before);
});
