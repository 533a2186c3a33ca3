/**
 * Strong allocations. `malloc`, `calloc`, `realloc` and `free` as the
 * README's "C-like API" section describes them: placement by
 * the same best-fit rule, never freed by the GC, `realloc` in place when it
 * can, `calloc` zeroed, and every bad argument refused with nothing changed.
 */

import assert from "node:assert/strict";
import {
  alloc,
  buf,
  calloc,
  cap,
  free,
  i32,
  malloc,
  realloc,
  stats,
} from "../mod.ts";
import { Tracker } from "./_helpers.ts";

const bytes = (ptr: number, size: number) =>
  new Uint8Array(buf, ptr >>> 0, size);

/** Everything an observer can see of the heap: must not change on errors. */
const snapshot = () => ({ stats: stats(), cap, next: alloc(16) });

Deno.test("malloc: 16-aligned, never below 16, placed by best fit, and kept through collections", async () => {
  const a = malloc(100);
  const b = malloc(1);
  assert.ok(a >= 16 && a % 16 === 0 && b % 16 === 0);
  assert.equal(b, a + 112, "the low end of the tail, right after `a`");
  // Best fit: a 48-byte hole between two live spans takes a 40-byte request.
  const c = malloc(48);
  const d = malloc(16);
  free(c);
  assert.equal(alloc(40), c, "the scratch sees the hole");
  assert.equal(malloc(40), c);
  // A dropped token's finalizer proves that a collection ran meanwhile.
  const tracker = new Tracker();
  tracker.token();
  await tracker.collect(1);
  const before = stats().used;
  i32[a >>> 2] = 1234;
  tracker.token();
  await tracker.collect(1);
  assert.equal(stats().used, before, "the GC frees no strong allocation");
  assert.equal(i32[a >>> 2], 1234);
  free(a);
  free(b);
  free(c);
  free(d);
  assert.equal(stats().used, 0);
});

Deno.test("free: merges with free neighbours, so the space is whole again", () => {
  const before = stats();
  const a = malloc(64), b = malloc(64), c = malloc(64);
  free(a);
  free(c);
  free(b);
  assert.deepEqual(stats(), before);
  assert.equal(malloc(192), a, "one span of all three");
  free(a);
});

Deno.test("free: 0 does nothing; anything but a live strong allocation's start throws and changes nothing", () => {
  const token = {};
  const owned = alloc(64, token);
  const ptr = malloc(64);
  const freed = malloc(32);
  free(freed);
  const scratch = alloc(16);
  free(0);
  free(-0);
  const before = snapshot();
  const refused: unknown[] = [
    ptr + 16, // interior
    ptr + 4, // unaligned
    freed, // freed already
    owned, // a token's allocation
    scratch, // nothing recorded there
    16 * cap, // past the end
    2 ** 32, // no address
    -(2 ** 31) - 16,
    1.5,
    NaN,
    Infinity,
    -Infinity,
  ];
  for (const value of refused) {
    assert.throws(
      () => free(value as number),
      (error: Error) =>
        error instanceof RangeError && /^free: /.test(error.message),
      `free(${String(value)})`,
    );
  }
  for (const value of ["16", null, undefined, {}, 16n]) {
    assert.throws(() => free(value as number), TypeError, `free(${value})`);
  }
  assert.deepEqual(snapshot(), before);
  free(ptr >>> 0); // the unsigned form is the same address
  assert.throws(() => free(ptr), RangeError, "a double free");
  assert.ok(token);
});

Deno.test("realloc: grows in place into the free span after it, shrinks in place, else moves and copies", () => {
  const a = malloc(32);
  const b = malloc(32);
  const c = malloc(16);
  bytes(a, 32).fill(7);
  free(b);
  // 32 + 32 free after it: 64 fits in place.
  assert.equal(realloc(a, 64), a);
  assert.deepEqual([...bytes(a, 32)], Array(32).fill(7));
  assert.throws(() => free(b), RangeError, "`b` is inside `a` now");
  // Shrinking stays and frees the end, merged with nothing (c follows).
  assert.equal(realloc(a, 20), a);
  assert.equal(malloc(32), a + 32, "the freed end is free");
  // No room after it: a move, with the bytes.
  const moved = realloc(a, 1000);
  assert.notEqual(moved, a);
  assert.deepEqual([...bytes(moved, 32)], Array(32).fill(7));
  assert.throws(() => free(a), RangeError, "the old span was freed");
  assert.equal(realloc(0, 48) % 16, 0, "realloc(0, n) is malloc(n)");
  free(moved);
  free(c);
});

Deno.test("realloc: moves to where malloc would put the new size, growing mem if needed", () => {
  const a = malloc(16);
  bytes(a, 16).set([1, 2, 3, 4, 5, 6, 7, 8, 9, 10, 11, 12, 13, 14, 15, 16]);
  const pin = malloc(16); // nothing free after `a`
  const size = 16 * cap; // more than mem holds: it must grow
  const mem0 = cap;
  const moved = realloc(a, size);
  assert.ok(cap > mem0);
  assert.deepEqual(
    [...bytes(moved, 16)],
    [1, 2, 3, 4, 5, 6, 7, 8, 9, 10, 11, 12, 13, 14, 15, 16],
  );
  free(moved);
  free(pin);
});

Deno.test("realloc: bad pointers and sizes throw and change nothing", () => {
  const token = {};
  const owned = alloc(16, token);
  const ptr = malloc(64);
  const before = snapshot();
  for (const value of [ptr + 16, owned, 7]) {
    assert.throws(() => realloc(value, 16), RangeError, `realloc(${value})`);
  }
  for (const size of [0, -1, 1.5, 2 ** 32, NaN]) {
    assert.throws(() => realloc(ptr, size), RangeError, `size ${size}`);
    assert.throws(() => realloc(0, size), RangeError, `size ${size} of 0`);
  }
  assert.throws(() => realloc(ptr, "8" as unknown as number), TypeError);
  assert.throws(() => realloc("16" as unknown as number, 8), TypeError);
  assert.deepEqual(snapshot(), before);
  free(ptr);
  assert.ok(token);
});

Deno.test("calloc: zeroed even where freed data was, and refuses overflowing products", () => {
  const dirty = malloc(4096);
  bytes(dirty, 4096).fill(0xAB);
  free(dirty);
  const ptr = calloc(1000, 4);
  assert.equal(ptr, dirty, "the same span, best fit");
  assert.ok(bytes(ptr, 4000).every((byte) => byte === 0));
  free(ptr);
  const before = snapshot();
  for (
    const [count, size] of [
      [2 ** 16, 2 ** 16], // 2^32: past the largest size
      [0xFFFF_FFFF, 2],
      [0, 16],
      [16, 0],
      [-1, 16],
      [1.5, 16],
      [2 ** 32, 1],
    ]
  ) {
    assert.throws(
      () => calloc(count, size),
      (error: Error) =>
        error instanceof RangeError && /^calloc: /.test(error.message),
      `calloc(${count}, ${size})`,
    );
  }
  assert.throws(() => calloc("1" as unknown as number, 1), TypeError);
  assert.deepEqual(snapshot(), before);
});
