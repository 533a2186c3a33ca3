/**
 * docs/CONTRACT.md, section Freeing by the GC: a token's spans are freed after
 * the host collects it, merged at once with free neighbours; data is never
 * moved or cleared; the registry's held value never references the token.
 */

import assert from "node:assert/strict";
import { alloc, buf } from "../mod.ts";
import { collectUntil, Tracker } from "./_helpers.ts";

const wall = {};

Deno.test("a span is freed after its token is collected, and only then", async () => {
  const tracker = new Tracker();
  // Held in an object that is read after each `await`: JavaScriptCore does
  // not keep a local variable that is only written after an `await`.
  const held: { token?: object } = {};
  const address = alloc(100, held.token = tracker.token());
  alloc(16, wall);
  assert.notEqual(alloc(100), address, "still in use while the token lives");
  await tracker.collect(0); // a collection with the token alive frees nothing
  assert.notEqual(alloc(100), address);
  assert.ok(held.token);
  held.token = undefined;
  await tracker.collect(1);
  assert.equal(alloc(100), address, "reused after collection");
});

Deno.test("one token owns any number of allocations; all are freed together", async () => {
  const tracker = new Tracker();
  const addresses =
    ((token: object) => [alloc(32, token), alloc(48, token), alloc(16, token)])(
      tracker.token(),
    );
  alloc(16, wall);
  await tracker.collect(1);
  // The three were adjacent: now one free span of 6 blocks at the first address.
  assert.deepEqual(addresses.map((a) => a - addresses[0]), [0, 32, 80]);
  assert.equal(alloc(96, wall), addresses[0]);
});

Deno.test("freeing merges with both neighbours at once", async () => {
  const tracker = new Tracker();
  const [a, b, c] = ((): number[] => {
    const left = tracker.token(),
      middle = tracker.token(),
      right = tracker.token();
    const spans = [alloc(64, left), alloc(64, middle), alloc(64, right)];
    alloc(16, wall);
    return spans;
  })();
  assert.deepEqual([b - a, c - b], [64, 64]);
  await tracker.collect(3);
  assert.equal(alloc(192, wall), a, "one 12-block span: the three merged");
  assert.notEqual(
    alloc(16, wall),
    b,
    "no stale entry for the middle or right span",
  );
});

Deno.test("freeing never moves or clears data in mem", async () => {
  const tracker = new Tracker();
  const address = ((token: object) => alloc(64, token))(tracker.token());
  alloc(16, wall);
  new Uint8Array(buf, address, 64).fill(0xA5);
  await tracker.collect(1);
  assert.ok(new Uint8Array(buf, address, 64).every((byte) => byte === 0xA5));
});

Deno.test("the token is not kept alive by the allocator (held value is not the token)", async () => {
  const refs = ((): WeakRef<object>[] => {
    const tokens = Array.from({ length: 100 }, () => ({}));
    for (const token of tokens) alloc(16, token);
    return tokens.map((token) => new WeakRef(token));
  })();
  await collectUntil(
    () => refs.every((ref) => ref.deref() === undefined),
    "token collection",
  );
});

Deno.test("a symbol token frees its span when collected", async () => {
  const ref = ((): WeakRef<symbol> => {
    const token = Symbol("lifetime");
    alloc(16, token);
    return new WeakRef(token);
  })();
  await collectUntil(() => ref.deref() === undefined, "symbol collection");
});

Deno.test("frees by the GC never invalidate a scratch", async () => {
  const tracker = new Tracker();
  ((token: object) => alloc(48, token))(tracker.token());
  alloc(16, wall);
  const scratch = alloc(4096);
  new Uint8Array(buf, scratch, 4096).fill(7);
  await tracker.collect(1);
  assert.ok(new Uint8Array(buf, scratch, 4096).every((byte) => byte === 7));
});
