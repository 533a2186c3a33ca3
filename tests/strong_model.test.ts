/**
 * A seeded random workload of strong allocations (`malloc`,
 * `calloc`, `realloc`, `free`) on a fresh heap, run against the reference
 * model: every placement and every in-place `realloc` must match it, the
 * bytes must survive every move, and `stats()` must agree after every step.
 */

import assert from "node:assert/strict";
import { buf, calloc, cap, free, malloc, realloc, stats } from "../mod.ts";
import { blocksOf, Model, random } from "./_helpers.ts";

const bytes = (ptr: number, size: number) =>
  new Uint8Array(buf, ptr >>> 0, size);

Deno.test("random strong workload: placements, in-place reallocs, bytes and stats() follow the model", () => {
  const rand = random(5);
  const model = new Model(cap);
  const live = new Map<number, { size: number; fill: number }>();
  let inPlace = 0, moves = 0, frees = 0;
  const size = () =>
    rand() < 0.8
      ? 1 + Math.floor(rand() * 512)
      : 1 + Math.floor(rand() * 40_000);
  const fill = (ptr: number, n: number, value: number) =>
    bytes(ptr, n).fill(value);
  const pick = () => [...live.keys()][Math.floor(rand() * live.size)];

  for (let step = 0; step < 3000; step++) {
    const r = rand();
    if (r < 0.4 || live.size === 0) {
      const n = size();
      const ptr = rand() < 0.5 ? malloc(n) : calloc(1, n);
      assert.equal(ptr, model.take(blocksOf(n), cap), `step ${step}: alloc`);
      fill(ptr, n, step & 0xFF);
      live.set(ptr, { size: n, fill: step & 0xFF });
    } else if (r < 0.7) {
      const ptr = pick();
      const { size: old, fill: value } = live.get(ptr)!;
      const n = size();
      model.grow(cap);
      const stays = model.resize(ptr, blocksOf(n));
      const got = realloc(ptr, n);
      if (stays) {
        assert.equal(got, ptr, `step ${step}: realloc in place`);
        inPlace++;
      } else {
        model.grow(cap);
        assert.equal(got, model.take(blocksOf(n), cap), `step ${step}: move`);
        model.free(ptr);
        moves++;
      }
      const kept = Math.min(old, n);
      assert.ok(
        bytes(got, kept).every((b) => b === value),
        `step ${step}: bytes kept`,
      );
      fill(got, n, value); // bytes past the old size are not cleared
      live.delete(ptr);
      live.set(got, { size: n, fill: value });
    } else {
      const ptr = pick();
      const { size: n, fill: value } = live.get(ptr)!;
      assert.ok(bytes(ptr, n).every((b) => b === value), `step ${step}`);
      free(ptr);
      model.free(ptr);
      live.delete(ptr);
      frees++;
    }
    model.grow(cap);
    const { limit, ...figures } = stats();
    assert.deepEqual(figures, model.stats(), `step ${step}: stats()`);
    assert.equal(limit, 2 ** 32);
  }
  assert.ok(
    inPlace > 100 && moves > 100 && frees > 500,
    `${inPlace} ${moves} ${frees}`,
  );
  for (const ptr of live.keys()) free(ptr);
  assert.equal(stats().used, 0);
});
