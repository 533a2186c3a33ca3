/**
 * docs/CONTRACT.md, section The big core: a heap that opts into the big
 * core (`createHeap({ core: bigCore })`, or the big entry point's default
 * heap) has the basic API with the same contract (the suite's basic-API
 * files run on the big entry point too: tests/faces/big.json), the big
 * core's rule among equal best fits, and a clear error from every function
 * that needs the extension.
 */

import assert from "node:assert/strict";
import { createHeap } from "../mod.ts";
import { alloc as bigAlloc, bigCore, cap as bigCap, trim } from "../big.ts";
import { random, Tracker } from "./_helpers.ts";

Deno.test("createHeap takes a core maker, and checks it", () => {
  assert.throws(
    // @ts-expect-error: not a function
    () => createHeap({ core: 42 }),
    { name: "TypeError", message: /^createHeap: core must be a function/ },
  );
  const heap = createHeap({ core: bigCore });
  const owner = {};
  assert.equal(heap.alloc(16, owner), 16, "the first span starts at byte 16");
  assert.equal(heap.alloc(100, owner), 32);
});

Deno.test("a big-core heap keeps `reserved` bytes out of its hands", () => {
  const memory = new WebAssembly.Memory({ initial: 1 });
  const heap = createHeap({ memory, reserved: 1000, core: bigCore });
  assert.equal(heap.alloc(16, {}), 1008, "past 1 000 bytes, rounded to 16");
  assert.equal(heap.mem, memory);
});

Deno.test("the extension's functions throw a TypeError on a big-core heap, holding nothing", () => {
  const heap = createHeap({ core: bigCore });
  const owner = {};
  const before = heap.alloc(64);
  for (
    const call of [
      () => heap.malloc(16),
      () => heap.stats(),
      () => heap.allocAligned(16, 64, owner),
      () => heap.lease(16, 64),
      () => heap.own(before, owner),
      () => heap.spans(),
      () => heap.check(),
      () => heap.policy("first"),
      () => heap.protect(4096, 16),
      () => heap.protect(heap.cap * 16 + 4096, 16), // past the end: no growth
      () => heap.restrict(0, 65536),
    ]
  ) {
    assert.throws(call, { name: "TypeError", message: /big core/ });
  }
  assert.equal(heap.alloc(64), before, "nothing was taken");
  assert.equal(heap.cap, 4096, "nothing grew");
  // What needs only the six core exports works: a lease of 16-byte alignment.
  const lease = heap.lease(64);
  assert.equal(lease.ptr, before);
  lease[Symbol.dispose]();
  assert.equal(heap.alloc(64), before, "the lease freed its span");
});

Deno.test("big core: among equal short spans, the most recently freed goes first", async () => {
  const heap = createHeap({ core: bigCore });
  const tracker = new Tracker();
  const wall = {};
  // Three 2-block holes, walled in, freed in the order b, a, c.
  const holes = (a: object, b: object, c: object) => {
    const spans = [heap.alloc(32, a), heap.alloc(16, wall)];
    spans.push(heap.alloc(32, b), heap.alloc(16, wall));
    spans.push(heap.alloc(32, c), heap.alloc(16, wall));
    return [spans[0], spans[2], spans[4]];
  };
  let a: object | undefined = tracker.token();
  let b: object | undefined = tracker.token();
  let c: object | undefined = tracker.token();
  const [at, bt, ct] = holes(a, b, c);
  b = undefined;
  await tracker.collect(1);
  a = undefined;
  await tracker.collect(1);
  c = undefined;
  await tracker.collect(1);
  assert.deepEqual(
    [heap.alloc(32, wall), heap.alloc(32, wall), heap.alloc(32, wall)],
    [ct, at, bt],
  );
});

Deno.test("big core: among equal long spans, the lowest address goes first", async () => {
  const heap = createHeap({ core: bigCore });
  const tracker = new Tracker();
  const wall = {};
  let tokens: (object | undefined)[] = [0, 1, 2].map(() => tracker.token());
  const starts = tokens.map((token) => {
    const start = heap.alloc(2048, token!);
    heap.alloc(16, wall);
    return start;
  });
  tokens = [tokens[0], undefined, tokens[2]];
  await tracker.collect(1);
  tokens = [undefined, undefined, tokens[2]];
  await tracker.collect(1);
  tokens = [];
  await tracker.collect(1);
  assert.deepEqual(
    [heap.alloc(2048, wall), heap.alloc(2048, wall), heap.alloc(2048, wall)],
    starts,
  );
});

/** 4 000 allocations of random sizes, 300 tokens kept: the kept ranges. */
function churn(heap: ReturnType<typeof createHeap>, tracker: Tracker) {
  const next = random(17);
  const slots: (object | undefined)[] = [];
  const ranges = new Map<object, [number, number]>();
  for (let i = 0; i < 4000; i++) {
    const token = tracker.token();
    const size = 1 + Math.floor(next() * (next() < 0.9 ? 256 : 8192));
    ranges.set(token, [heap.alloc(size, token), size]);
    slots.push(token);
    if (slots.length > 300) {
      slots[Math.floor(next() * slots.length)] = undefined;
    }
  }
  return slots.filter((token) => token).map((token) => ranges.get(token!)!);
}

Deno.test("big core: live spans never overlap under churn, and all is freed", async () => {
  const heap = createHeap({ core: bigCore });
  const tracker = new Tracker();
  const ranges = churn(heap, tracker).sort((x, y) => x[0] - y[0]);
  for (let i = 1; i < ranges.length; i++) {
    assert.ok(ranges[i - 1][0] + ranges[i - 1][1] <= ranges[i][0], "overlap");
  }
  await tracker.collect(4000);
  assert.equal(heap.alloc(16, {}), 16, "everything freed and merged");
  assert.equal(heap.alloc(heap.cap * 16 - 32), 32, "the rest is one span");
});

Deno.test("the big entry point's default heap is its own, and trims", () => {
  const owner = {};
  const ptr = bigAlloc(1 << 20);
  assert.ok(ptr >= 16 && ptr % 16 == 0);
  bigAlloc(16, owner);
  const was = bigCap;
  assert.ok(trim() >= 0);
  assert.ok(bigCap <= was);
});
