/** docs/CONTRACT.md, section Movable allocations and compact. */

import assert from "node:assert/strict";
import {
  alloc,
  allocMovable,
  buf,
  check,
  compact,
  createHeap,
  disown,
  free,
  malloc,
  type Movable,
  own,
  protect,
  realloc,
  spans,
  stats,
  trim,
  watch,
} from "../mod.ts";
import { Tracker } from "./_helpers.ts";

const owner = {};

/** Fills `size` bytes at `ptr` with a pattern that depends on `seed`. */
const fill = (ptr: number, size: number, seed: number) => {
  const bytes = new Uint8Array(buf, ptr >>> 0, size);
  for (let i = 0; i < size; i++) bytes[i] = (seed * 31 + i * 7) & 255;
};

/** Whether the pattern of `fill(ptr, size, seed)` is intact. */
const intact = (ptr: number, size: number, seed: number) =>
  new Uint8Array(buf, ptr >>> 0, size).every((byte, i) =>
    byte == ((seed * 31 + i * 7) & 255)
  );

Deno.test("allocMovable returns a handle at a 16-aligned address", () => {
  const handle = allocMovable(100, owner);
  assert.equal(handle.size, 100);
  assert.equal(handle.ptr % 16, 0);
  assert.ok(handle.ptr >= 16);
  const span = spans().find((span) => span.start == handle.ptr);
  assert.ok(span && span.size >= 100 && span.kind == "token");
  check();
});

Deno.test("allocMovable refuses bad sizes and tokens, changing nothing", () => {
  const before = stats();
  for (
    const [size, token, type] of [
      ["8", owner, TypeError],
      [0, owner, RangeError],
      [1.5, owner, RangeError],
      [2 ** 32, owner, RangeError],
      [16, undefined, TypeError],
      [16, Symbol.for("registered"), TypeError],
      [16, 1, TypeError],
    ] as const
  ) {
    assert.throws(
      () => allocMovable(size as number, token as unknown as WeakKey),
      (error) =>
        error instanceof type && error.message.startsWith("allocMovable: "),
      `${String(size)}, ${String(token)}`,
    );
  }
  assert.deepEqual(stats(), before);
});

Deno.test("compact with nothing to move returns 0 and runs no watcher", () => {
  let calls = 0;
  watch(() => calls++, owner);
  allocMovable(32, owner); // already as low as it can go, or not: see below
  compact();
  calls = 0;
  assert.equal(compact(), 0, "a second compact has nothing to move");
  assert.equal(calls, 0);
});

Deno.test("compact slides movable spans down over freed holes, bytes and handles intact", async () => {
  const tracker = new Tracker();
  const fixed: number[] = [];
  const handles: Movable[] = [];
  // Interleave: dropped, movable, dropped, fixed, ...
  for (let i = 0; i < 200; i++) {
    alloc(48, tracker.token());
    const handle = allocMovable(16 + (i % 5) * 40, owner);
    fill(handle.ptr, handle.size, i);
    handles.push(handle);
    alloc(80, tracker.token());
    if (i % 10 == 0) {
      const ptr = alloc(32, owner);
      fill(ptr, 32, 1000 + i);
      fixed.push(ptr);
    }
  }
  await tracker.collect(400);
  const before = handles.map((handle) => handle.ptr);
  let calls = 0;
  watch(() => {
    calls++;
    // Watchers see the handles already moved and the bytes in place.
    assert.ok(handles.every((handle, i) => intact(handle.ptr, handle.size, i)));
  }, owner);

  const moved = compact();
  assert.ok(moved > 0);
  assert.equal(calls, 1, "the watchers ran once");
  assert.ok(handles.some((handle, i) => handle.ptr < before[i]), "some moved");
  assert.ok(handles.every((handle, i) => handle.ptr <= before[i]), "never up");
  assert.equal(
    moved,
    handles.reduce(
      (sum, handle, i) =>
        sum + (handle.ptr == before[i] ? 0 : Math.ceil(handle.size / 16) * 16),
      0,
    ),
    "the bytes of the spans that moved",
  );
  handles.forEach((handle, i) =>
    assert.ok(intact(handle.ptr, handle.size, i), `movable ${i}`)
  );
  fixed.forEach((ptr, i) => assert.ok(intact(ptr, 32, 1000 + i * 10)));
  // Handles still name live token spans, and nothing overlaps.
  const used = new Set(
    spans().filter((span) => span.kind != "free").map((span) => span.start),
  );
  assert.ok(handles.every((handle) => used.has(handle.ptr)));
  check();
});

Deno.test("compact + trim gives back what scattered movable data held", async () => {
  const tracker = new Tracker();
  const keep: { ptr: number; size: number }[] = [];
  for (let i = 0; i < 2000; i++) {
    const handle = allocMovable(256, i % 8 ? tracker.token() : owner);
    if (i % 8 == 0) keep.push(handle);
  }
  await tracker.collect(1750);
  keep.forEach((handle, i) => fill(handle.ptr, 256, i));
  trim();
  const scattered = buf.byteLength;
  compact();
  trim();
  assert.ok(buf.byteLength < scattered, "pages went back");
  const top = Math.max(...keep.map((handle) => handle.ptr + 256));
  assert.ok(top < scattered / 2, "the live spans sit low");
  keep.forEach((handle, i) => assert.ok(intact(handle.ptr, 256, i)));
  check();
});

Deno.test("a movable span is freed where it is when its token is collected", async () => {
  const heap = createHeap(); // a fresh heap: placements known
  const tracker = new Tracker();
  heap.alloc(4096, tracker.token());
  let token: object | undefined = tracker.token();
  const handle = heap.allocMovable(64, token);
  assert.equal(handle.ptr, 16 + 4096);
  await tracker.collect(1);
  assert.equal(heap.compact(), 64);
  assert.equal(handle.ptr, 16, "moved into the freed span below it");
  token = undefined;
  await tracker.collect(1);
  assert.deepEqual(heap.spans().slice(1), [
    { start: 16, size: heap.buf.byteLength - 16, kind: "free" },
  ], "freed at its new address, merged with all the free space");
  heap.check();
});

Deno.test("own, disown, free, realloc and protect refuse a movable address", () => {
  const handle = allocMovable(64, owner);
  const before = stats();
  assert.throws(() => disown(handle.ptr), RangeError);
  assert.throws(() => own(handle.ptr, owner), RangeError);
  assert.throws(() => free(handle.ptr), RangeError);
  assert.throws(() => realloc(handle.ptr, 128), RangeError);
  assert.throws(() => protect(handle.ptr, 16), RangeError);
  assert.deepEqual(stats(), before);
  free(malloc(16));
  check();
});

Deno.test("a watcher that throws during compact: every move done, the error rethrown", async () => {
  const heap = createHeap();
  const tracker = new Tracker();
  heap.alloc(1024, tracker.token());
  const handle = heap.allocMovable(64, owner);
  heap.i32[handle.ptr >>> 2] = 1234;
  await tracker.collect(1);
  const error = new Error("watcher failed");
  let after = 0;
  heap.watch(() => {
    throw error;
  }, owner);
  heap.watch(() => after++, heap);
  assert.throws(() => heap.compact(), (thrown) => thrown === error);
  assert.equal(handle.ptr, 16, "moved");
  assert.equal(heap.i32[handle.ptr >>> 2], 1234);
  assert.equal(after, 1, "the other watchers ran");
  heap.check();
});
