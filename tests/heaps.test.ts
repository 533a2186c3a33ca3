/**
 * Several heaps. `createHeap()` makes an independent heap
 * with the module's API over its own memory; the module-level exports are the
 * default heap. A heap can adopt an existing memory with a protected prefix.
 */

import assert from "node:assert/strict";
import * as lewd from "../mod.ts";
import { createHeap } from "../mod.ts";
import { collectUntil, Tracker } from "./_helpers.ts";

Deno.test("createHeap: independent memories, placements, stats and callbacks", () => {
  const a = createHeap();
  const b = createHeap();
  assert.notEqual(a.mem, b.mem);
  assert.notEqual(a.mem, lewd.mem);
  const owner = {};
  // The first allocation of each fresh heap is at 16: nothing is shared.
  assert.equal(a.alloc(64, owner), 16);
  assert.equal(b.alloc(64, owner), 16);
  assert.equal(a.malloc(32), 80);
  assert.equal(a.stats().allocations, 2);
  assert.equal(b.stats().allocations, 1);
  a.i32[16 >>> 2] = 7;
  b.i32[16 >>> 2] = 9;
  assert.equal(a.i32[4], 7, "separate bytes");
  // Watchers run for their own heap only; the getters follow resizes.
  const runs: string[] = [];
  a.watch(() => runs.push("a"), owner);
  b.watch(() => runs.push("b"), owner);
  const buffer = a.buf;
  a.grow(2);
  assert.deepEqual(runs, ["a"]);
  assert.notEqual(a.buf, buffer);
  assert.equal(a.cap, 3 * 4096);
  assert.equal(a.i32.length, 3 * 16384);
  assert.equal(a.i32[4], 7, "kept across the grow");
  assert.equal(a.trim(), 2 * 0x1_0000);
  assert.deepEqual(runs, ["a", "a"]);
  a.check();
  b.check();
  lewd.check();
});

Deno.test("createHeap: each heap's finalizers free its own spans", async () => {
  const heap = createHeap();
  let before = 0;
  (() => {
    for (let i = 0; i < 100; i++) heap.alloc(1000, {});
    before = heap.stats().used;
  })();
  assert.ok(before >= 100_000);
  await collectUntil(() => heap.stats().used == 0, "the heap's finalizers");
  assert.ok(heap.trim() > 0);
});

// (module (memory (export "memory") 2) (data (i32.const 0) "static")), a
// module that defines its memory and keeps static data at its start.
const DEFINES_MEMORY = new Uint8Array([
  0,
  97,
  115,
  109,
  1,
  0,
  0,
  0,
  5,
  3,
  1,
  0,
  2,
  7,
  10,
  1,
  6,
  109,
  101,
  109,
  111,
  114,
  121,
  2,
  0,
  11,
  12,
  1,
  0,
  65,
  0,
  11,
  6,
  115,
  116,
  97,
  116,
  105,
  99,
]);

Deno.test("createHeap: adopting a module's memory, its static data protected", () => {
  const instance = new WebAssembly.Instance(
    new WebAssembly.Module(DEFINES_MEMORY),
  );
  const memory = instance.exports.memory as WebAssembly.Memory;
  const heap = createHeap({ memory, reserved: 4096 });
  assert.equal(heap.mem, memory);
  assert.equal(heap.cap, 2 * 4096, "its size, not one page");
  const owner = {};
  for (let i = 0; i < 50; i++) {
    assert.ok(heap.alloc(100, owner) >= 4096, "never in the reserved part");
  }
  assert.equal(
    new TextDecoder().decode(new Uint8Array(memory.buffer, 0, 6)),
    "static",
  );
  assert.equal(heap.spans()[1].kind, "protected");
  heap.grow(1);
  assert.equal(memory.buffer.byteLength, 3 * 0x1_0000, "grown in place");
  heap.check();
});

/** A heap over the memory of a module that defines it, grown to `pages`. */
const adopted = (respawn?: () => WebAssembly.Memory) => {
  const module = new WebAssembly.Module(DEFINES_MEMORY);
  const spawn = () =>
    new WebAssembly.Instance(module).exports.memory as WebAssembly.Memory;
  const memory = spawn();
  const heap = createHeap({ memory, reserved: 4096, respawn });
  return { heap, memory, spawn };
};

Deno.test("createHeap: trimming an adopted memory without respawn throws, changing nothing", async () => {
  const { heap, memory } = adopted();
  const tracker = new Tracker();
  const live = heap.alloc(64, memory);
  new Uint8Array(heap.buf, live, 64).fill(7);
  heap.alloc(5 * 0x1_0000, tracker.token());
  await tracker.collect(1);
  const buffer = heap.buf;
  const size = buffer.byteLength;
  assert.ok(size > 5 * 0x1_0000);
  assert.throws(
    () => heap.trim(),
    (error) =>
      error instanceof TypeError && /^trim: .*respawn/.test(error.message),
  );
  assert.equal(heap.mem, memory, "the module's memory, still");
  assert.equal(heap.buf, buffer);
  assert.equal(buffer.byteLength, size, "not detached");
  assert.ok(new Uint8Array(heap.buf, live, 64).every((byte) => byte == 7));
  await assert.rejects(heap.reclaim(), TypeError);
  assert.equal(heap.mem, memory);
  heap.check();
});

Deno.test("createHeap: trim re-creates an adopted memory through respawn", async () => {
  let module!: WebAssembly.Memory;
  const calls: string[] = [];
  const { heap, memory, spawn } = adopted(() => {
    calls.push("memory");
    return module = spawn();
  });
  module = memory;
  heap.bind(() => 0, () => calls.push("bind"));
  heap.watch(() => calls.push("watch"), calls);
  const tracker = new Tracker();
  // The module's static data changed since it was instantiated: the kept
  // bytes, not its data segment, must come back.
  new Uint8Array(memory.buffer).set(new TextEncoder().encode("STATIC"));
  const live = heap.alloc(70_000, calls); // past the first page
  new Uint8Array(heap.buf, live, 70_000).fill(9);
  heap.alloc(8 * 0x1_0000, tracker.token());
  await tracker.collect(1);
  const size = heap.buf.byteLength;
  const buffer = heap.buf;
  calls.length = 0;

  const released = heap.trim();
  assert.deepEqual(calls, ["memory", "bind", "watch"]);
  assert.equal(heap.mem, module, "the heap follows the new instance");
  assert.notEqual(module, memory);
  assert.equal(buffer.byteLength, 0, "the old buffer is detached");
  const kept = Math.ceil((live + 70_000) / 0x1_0000) * 0x1_0000;
  assert.equal(
    heap.buf.byteLength,
    kept,
    "grown from 2 pages to what it keeps",
  );
  assert.equal(released, size - kept);
  assert.equal(
    new TextDecoder().decode(new Uint8Array(heap.buf, 0, 6)),
    "STATIC",
  );
  assert.ok(new Uint8Array(heap.buf, live, 70_000).every((byte) => byte == 9));
  heap.check();
  assert.equal(heap.trim(), 0, "nothing more");
});

Deno.test("createHeap: an adopted memory keeps the module's initial size", async () => {
  let module!: WebAssembly.Memory;
  const { heap, memory, spawn } = adopted(() => module = spawn());
  const tracker = new Tracker();
  heap.alloc(6 * 0x1_0000, tracker.token());
  await tracker.collect(1);
  const size = heap.buf.byteLength;
  // Nothing is live past the first page, but the module asks for two.
  assert.equal(heap.trim(), size - 2 * 0x1_0000);
  assert.equal(heap.mem, module);
  assert.notEqual(module, memory);
  assert.equal(heap.buf.byteLength, 2 * 0x1_0000);
  heap.check();
});

Deno.test("createHeap: a respawn that returns no memory, or too big a one, changes nothing", async () => {
  for (
    const [result, type] of [
      [{}, TypeError],
      [
        new WebAssembly.Memory({ initial: 1, maximum: 1, shared: true }),
        TypeError,
      ],
      [new WebAssembly.Memory({ initial: 64 }), RangeError],
    ] as const
  ) {
    const { heap, memory } = adopted(() => result as WebAssembly.Memory);
    const tracker = new Tracker();
    heap.alloc(5 * 0x1_0000, tracker.token());
    await tracker.collect(1);
    const buffer = heap.buf;
    const size = buffer.byteLength;
    assert.throws(() => heap.trim(), type);
    assert.equal(heap.mem, memory);
    assert.equal(heap.buf, buffer);
    assert.equal(buffer.byteLength, size, "not detached");
    heap.check();
  }
});

Deno.test("createHeap: bad options throw", () => {
  assert.throws(
    () => createHeap({ respawn: () => new WebAssembly.Memory({ initial: 1 }) }),
    /^TypeError: createHeap: respawn .*memory/,
  );
  const { memory } = adopted();
  assert.throws(
    () =>
      createHeap({ memory, respawn: 1 as unknown as () => WebAssembly.Memory }),
    /^TypeError: createHeap: respawn must be a function, got 1/,
  );
  assert.throws(
    () => createHeap({ memory: {} as WebAssembly.Memory }),
    TypeError,
  );
  const shared = new WebAssembly.Memory({
    initial: 1,
    maximum: 1,
    shared: true,
  });
  assert.throws(() => createHeap({ memory: shared }), TypeError);
  for (const reserved of [-1, 1.5, 0x2_0000]) {
    assert.throws(() => createHeap({ reserved }), RangeError, `${reserved}`);
  }
  for (const reserved of ["16", null, 16n]) {
    assert.throws(
      () => createHeap({ reserved } as unknown as { reserved: number }),
      /^TypeError: createHeap: reserved must be a number, got /,
    );
  }
  for (const options of ["big", 1, null]) {
    assert.throws(
      () => createHeap(options as unknown as undefined),
      /^TypeError: createHeap: options must be an object, got /,
    );
  }
});
