/**
 * Allocation from the WASM side. The example vector module
 * (examples/vector/) imports `env.malloc`, `env.realloc` and `env.free` from
 * `imports`; growth it triggers rebinds `buf`/`i32` and runs the watchers.
 * Also the C failure modes of `imports`: 0 for out of memory and bad sizes,
 * and a bad `free` thrown through the module.
 */

import assert from "node:assert/strict";
import {
  buf,
  cap,
  free,
  i32,
  imports,
  limit,
  malloc,
  mem,
  stats,
  trim,
  watch,
} from "../mod.ts";
import { vectors } from "../examples/vector/vector.ts";

Deno.test("a module allocates through imports; growth inside WASM rebinds buf and i32 and runs the watchers", () => {
  let seen = 0;
  const owner = {};
  watch(() => {
    seen++;
    assert.equal(i32.buffer, mem.buffer, "rebound before the watchers run");
  }, owner);
  const memory = mem;
  const v = vectors.create();
  assert.ok(v >= 16 && v % 16 === 0);
  const count = 300_000; // 1.2 MiB of elements: several grows
  for (let i = 0; i < count; i++) assert.equal(vectors.push(v, i * 3), 1);
  assert.ok(seen >= 3, `${seen} resizes`);
  assert.equal(mem, memory, "grown, not replaced");
  assert.equal(buf, mem.buffer);
  assert.equal(i32.length, cap * 4);
  assert.equal(vectors.len(v), count);
  // The elements, read from JS through the live binding.
  const data = i32[v >>> 2] >>> 2;
  assert.equal(i32[data + 12345], 12345 * 3);
  assert.equal(vectors.get(v, count - 1), (count - 1) * 3);
  assert.equal(stats().allocations, 2, "the header and the elements");
  vectors.destroy(v);
  assert.equal(stats().used, 0, "freed from WASM");
  assert.ok(trim() > 0);
  // The bound module was respawned over the new memory and carries on.
  const w = vectors.create();
  vectors.push(w, 5);
  vectors.push(w, 6);
  assert.equal(vectors.sum(w), 11);
  vectors.destroy(w);
});

Deno.test("imports.free of a bad pointer throws RangeError through the module; nothing changes", () => {
  const v = vectors.create();
  vectors.push(v, 1);
  const data = i32[v >>> 2];
  i32[v >>> 2] = data + 16; // corrupt the header: an interior pointer
  const before = stats();
  assert.throws(() => vectors.destroy(v), RangeError);
  assert.deepEqual(stats(), before);
  i32[v >>> 2] = data;
  vectors.destroy(v);
});

Deno.test("imports: C failure modes (0 for size 0, overflow and out of memory)", () => {
  assert.equal(imports.malloc(0), 0);
  assert.equal(
    imports.malloc(-1),
    0,
    "0xFFFFFFFF bytes: past the largest size",
  );
  assert.equal(imports.calloc(0x1_0000, 0x1_0000), 0, "2^32 overflows");
  assert.equal(imports.calloc(0, 8), 0);
  const p = imports.calloc(4, 4);
  assert.ok(p > 0 && new Int32Array(buf, p, 4).every((x) => x === 0));
  // realloc(p, 0) frees and returns NULL; realloc(NULL, n) is malloc(n).
  assert.equal(imports.realloc(p, 0), 0);
  assert.throws(() => free(p), RangeError, "freed by realloc(p, 0)");
  const q = imports.realloc(0, 32);
  assert.ok(q > 0);
  imports.free(q);
  imports.free(0);
  // Out of memory under a limit: NULL, and the old block intact.
  const pages = cap / 4096;
  limit(pages);
  const r = imports.malloc(64);
  new Int32Array(buf, r, 4).set([1, 2, 3, 4]);
  const before = stats();
  assert.equal(imports.malloc(cap * 16), 0);
  assert.equal(imports.calloc(cap, 16), 0);
  assert.equal(imports.realloc(r, cap * 16), 0);
  assert.deepEqual(stats(), before, "nothing changed");
  assert.deepEqual([...new Int32Array(buf, r, 4)], [1, 2, 3, 4]);
  imports.free(r);
  limit(65536);
});

Deno.test("imports: a watcher's error during growth inside WASM propagates through the module", () => {
  const owner = {};
  let armed = true;
  watch(() => {
    if (armed) throw new Error("watcher failed");
  }, owner);
  const v = vectors.create();
  const before = cap;
  assert.throws(() => {
    for (let i = 0; cap == before; i++) vectors.push(v, i);
  }, /watcher failed/);
  armed = false;
  // The growth happened, the failed realloc took nothing: the module can
  // retry and the vector is whole.
  const len = vectors.len(v);
  assert.equal(vectors.push(v, -1), 1);
  assert.equal(vectors.get(v, len), -1);
  vectors.destroy(v);
  const ptr = malloc(16);
  free(ptr);
});
