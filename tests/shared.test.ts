/**
 * docs/CONTRACT.md, section Shared heaps: in Deno workers here (Node and
 * Chromium: tests/ecosystem/).
 */

import assert from "node:assert/strict";
import {
  createSharedHeap,
  joinSharedHeap,
  type SharedHeapHandle,
} from "../mod.ts";
import { Tracker } from "./_helpers.ts";
import { verify } from "./ecosystem/fixtures/shared_stress.mjs";

const WORKER = new URL(
  "./ecosystem/fixtures/shared_worker.mjs",
  import.meta.url,
);
const MOD = new URL("../mod.ts", import.meta.url).href;

/** Runs `threads` workers of `ops` operations each on `handle`. */
const stress = async (
  handle: SharedHeapHandle,
  threads: number,
  ops: number,
) => {
  const workers = Array.from(
    { length: threads },
    () => new Worker(WORKER, { type: "module" }),
  );
  try {
    return await Promise.all(
      workers.map((worker, thread) =>
        new Promise<{ spans: number[][]; resizes: number }>((done, fail) => {
          worker.onmessage = ({ data }) =>
            data.error ? fail(new Error(data.error)) : done(data);
          worker.onerror = (event) => fail(event.error ?? event.message);
          worker.postMessage({ url: MOD, handle, thread, ops });
        })
      ),
    );
  } finally {
    // Reports first, then the end of the threads: their token spans stay
    // allocated (never freed), which the checks below rely on.
    workers.forEach((worker) => worker.terminate());
  }
};

Deno.test("shared heap: 4 workers × 10 000 random allocations and frees, no overlap, every byte kept", async () => {
  const heap = createSharedHeap({ maximum: 2048 });
  const owner = {};
  const mine = heap.alloc(1000, owner);
  new Uint8Array(heap.buf, mine, 1000).fill(0xEE);
  const reports = await stress(heap.handle, 4, 10_000);
  const spans = reports.flatMap((report) => report.spans);
  spans.push([mine, 1000, 0xEE]);
  assert.equal(verify(heap.mem, [{ spans }]), spans.length);
  assert.ok(spans.length > 1000);
  assert.ok(
    reports.some((report) => report.resizes > 0),
    "workers saw the memory grow",
  );
  heap.check(); // the records' invariants, after all of it
  assert.ok(heap.cap * 16 == heap.mem.buffer.byteLength, "growth seen here");
});

Deno.test("shared heap: growth in one thread is seen at the next call of another", () => {
  const a = createSharedHeap({ maximum: 64 });
  const b = joinSharedHeap(a.handle);
  let seen = 0;
  b.watch(() => seen++, b);
  const owner = {};
  a.alloc(200_000, owner);
  assert.equal(b.cap, 4096, "not yet: b has made no call");
  const ptr = b.alloc(16, owner);
  assert.equal(b.cap, a.cap);
  assert.equal(seen, 1, "b's watcher ran at b's call");
  assert.ok(ptr >= 16);
  a.check();
});

Deno.test("shared heap: trim releases nothing; reclaim frees for reuse", async () => {
  const heap = createSharedHeap({ maximum: 64 });
  const tracker = new Tracker();
  heap.alloc(300_000, tracker.token());
  const size = heap.buf.byteLength;
  await tracker.collect(1);
  assert.equal(heap.trim(), 0);
  assert.equal(heap.buf.byteLength, size, "a shared memory never shrinks");
  assert.equal(await heap.reclaim(), 0);
  assert.equal(heap.stats().used, 0, "the span was freed");
});

Deno.test("shared heap: alloc without a token (a scratch) is refused", () => {
  const heap = createSharedHeap({ maximum: 4 });
  assert.throws(
    () => heap.alloc(16),
    /^TypeError: alloc: a shared heap has no scratch/,
  );
  assert.equal(heap.stats().allocations, 0);
});

Deno.test("shared heap: a lock left held makes calls throw after a wait", () => {
  const heap = createSharedHeap({ maximum: 4 });
  Atomics.store(heap.handle.lock, 0, 12345); // a thread that died holding it
  assert.throws(
    () => heap.alloc(16, {}),
    /shared heap: the lock has been held for over 2000 ms by thread 12345/,
  );
  Atomics.store(heap.handle.lock, 0, 0);
  assert.ok(heap.alloc(16, {}) >= 16, "usable again once released");
});

Deno.test("createSharedHeap and joinSharedHeap refuse bad input", () => {
  for (
    const [options, type] of [
      [undefined, TypeError],
      [{}, TypeError],
      [{ maximum: 0 }, RangeError],
      [{ maximum: 65537 }, RangeError],
      [{ maximum: 1.5 }, RangeError],
      [{ maximum: 4, initial: 5 }, RangeError],
      [{ maximum: 4, initial: "1" }, TypeError],
    ] as const
  ) {
    assert.throws(
      () => createSharedHeap(options as never),
      (error) =>
        error instanceof type &&
        error.message.startsWith("createSharedHeap: "),
      JSON.stringify(options),
    );
  }
  for (
    const handle of [
      undefined,
      {},
      { memory: new WebAssembly.Memory({ initial: 1 }) },
    ]
  ) {
    assert.throws(
      () => joinSharedHeap(handle as never),
      /^TypeError: joinSharedHeap: handle must be/,
    );
  }
});
