/**
 * Pointer kinds. `own` hands a strong allocation to a token;
 * `disown` takes an allocation back from its token (or lease). With the real
 * GC: a finalizer must never free a later allocation that reuses the same
 * address.
 */

import assert from "node:assert/strict";
import { alloc, disown, free, i32, lease, malloc, own, stats } from "../mod.ts";
import { Tracker } from "./_helpers.ts";

const tracker = new Tracker();

// Tokens are made and dropped only in synchronous helpers: a suspended async
// frame may keep stale registers, and with them a dropped token, alive.

/** A token allocation whose token is dropped at once (and tracked). */
const allocDropped = (size: number): number => alloc(size, tracker.token());

/** Hands `ptr` to a token that is dropped at once (and tracked). */
const ownDropped = (ptr: number): void => own(ptr, tracker.token());

// On a fresh heap, so that the freed span is the only best fit.
Deno.test("a finalizer never frees a later allocation at the same address (disown, free, reuse)", async () => {
  // The token's registration cannot be cancelled: its finalizer will come.
  const ptr = allocDropped(48);
  disown(ptr);
  free(ptr);
  // So the span stays reserved until then: nothing else can land there.
  const other = malloc(48);
  assert.notEqual(other, ptr);
  assert.throws(() => free(ptr), RangeError, "freed is freed");
  assert.throws(() => disown(ptr), RangeError, "no resurrection");
  assert.throws(() => own(ptr, {}), RangeError);
  await tracker.collect(1);
  // Now the address is free, and a new allocation reuses it...
  const reused = malloc(48);
  assert.equal(reused, ptr);
  i32[reused >>> 2] = 123;
  // ...and no late finalizer frees it: every token so far is collected.
  const used = stats().used;
  for (let i = 0; i < 3; i++) await tracker.collect(0);
  assert.equal(stats().used, used);
  assert.equal(i32[reused >>> 2], 123);
  free(reused);
  free(other);
});

Deno.test("a finalizer never frees a later allocation at the same address (own, disown, free, reuse)", async () => {
  const ptr = malloc(80);
  ownDropped(ptr); // a cancellable registration
  disown(ptr); // cancelled: no finalizer will come
  free(ptr);
  const reused = malloc(80);
  assert.equal(reused, ptr, "nothing to wait for: the address is free at once");
  await tracker.collect(1); // the dropped token is collected...
  assert.doesNotThrow(() => free(reused), "...and freed nothing");
});

Deno.test("own: a strong allocation is freed after its new token is collected", async () => {
  const ptr = malloc(64);
  const used = stats().used;
  ownDropped(ptr);
  assert.throws(() => free(ptr), RangeError, "free refuses a token's span");
  assert.equal(stats().used, used, "still allocated while the token lives");
  await tracker.collect(1);
  assert.equal(stats().used, used - 64, "freed with the token");
});

Deno.test("disown: a token allocation outlives its token and is freed by free()", async () => {
  const ptr = allocDropped(32);
  disown(ptr);
  i32[ptr >>> 2] = 77;
  const used = stats().used;
  await tracker.collect(1);
  assert.equal(stats().used, used, "the token's finalizer freed nothing");
  assert.equal(i32[ptr >>> 2], 77);
  free(ptr);
  assert.equal(stats().used, used - 32);
});

Deno.test("alloc, disown, own, then both tokens die in either order: freed once, after both", async () => {
  for (const ownerFirst of [true, false]) {
    const pair = (() => {
      const first = tracker.token();
      const ptr = alloc(64, first);
      disown(ptr);
      const second = tracker.token();
      own(ptr, second);
      return { ptr, tokens: ownerFirst ? [second, first] : [first, second] };
    })();
    const used = stats().used;
    pair.tokens.shift(); // drop one
    await tracker.collect(1);
    // Dead owner: kept for the orphaned registration's pending finalizer.
    // Dead orphan: kept for the living owner.
    assert.equal(stats().used, used, `ownerFirst ${ownerFirst}`);
    assert.throws(() => free(pair.ptr), RangeError);
    pair.tokens.shift(); // and the other
    await tracker.collect(1);
    assert.equal(stats().used, used - 64, "freed once both are collected");
  }
});

Deno.test("disown of a lease: disposing it then does nothing, free() frees it", () => {
  const held = lease(64);
  disown(held.ptr);
  held[Symbol.dispose]();
  const used = stats().used;
  free(held.ptr);
  assert.equal(stats().used, used - 64);
  held[Symbol.dispose]();
  assert.equal(stats().used, used - 64);
});

Deno.test("own and disown refuse the wrong kind, bad tokens and non-addresses, changing nothing", () => {
  const token = {};
  const owned = alloc(32, token);
  const strong = malloc(32);
  const before = stats();
  assert.throws(() => own(owned, {}), RangeError, "own needs a strong one");
  assert.throws(() => disown(strong), RangeError, "disown needs a token's");
  assert.throws(() => own(strong, 1 as unknown as object), TypeError);
  assert.throws(() => own(strong, Symbol.for("x")), TypeError);
  for (const value of [strong + 16, 0, 1.5, 2 ** 32, alloc(16)]) {
    assert.throws(() => own(value, {}), RangeError, `own(${value})`);
    assert.throws(() => disown(value), RangeError, `disown(${value})`);
  }
  assert.throws(() => disown("16" as unknown as number), TypeError);
  assert.deepEqual(stats(), before);
  disown(owned);
  assert.throws(() => disown(owned), RangeError, "already strong");
  free(owned);
  free(strong);
  assert.ok(token);
});
