/**
 * `lease(size)`: deterministic freeing with `using` / `Symbol.dispose`.
 * A disposed lease's later finalization must never free anything.
 */

import assert from "node:assert/strict";
import { alloc, lease } from "../mod.ts";
import { collectUntil } from "./_helpers.ts";

const wall = {};

Deno.test("using frees the span at the end of the scope; the address is reused at once", () => {
  let at: number;
  {
    using held = lease(100);
    at = held.ptr;
    assert.equal(held.size, 100);
    alloc(16, wall);
    assert.notEqual(alloc(100), at, "in use inside the scope");
  }
  assert.equal(alloc(100), at, "free right after the scope");
});

Deno.test("disposing twice frees once; a late GC of the disposed lease frees nothing", async () => {
  const owner = {};
  const { at, ref } = ((): { at: number; ref: WeakRef<object> } => {
    const held = lease(64);
    held[Symbol.dispose]();
    held[Symbol.dispose]();
    return { at: held.ptr, ref: new WeakRef(held) };
  })();
  assert.equal(alloc(64, owner), at, "reused by a new owner");
  await collectUntil(() => ref.deref() === undefined, "lease collection");
  alloc(16, wall);
  assert.notEqual(
    alloc(64),
    at,
    "still owned by `owner`: the finalizer freed nothing",
  );
  assert.ok(owner);
});

Deno.test("an undisposed lease is freed by the GC like alloc(size, token)", async () => {
  // Larger than any hole earlier tests left, so only the tail fits it.
  const size = 100_000;
  const { at, ref } = ((): { at: number; ref: WeakRef<object> } => {
    const held = lease(size);
    return { at: held.ptr, ref: new WeakRef(held) };
  })();
  assert.notEqual(alloc(size), at, "in use while the lease lives");
  await collectUntil(() => ref.deref() === undefined, "lease collection");
  await collectUntil(() => alloc(size) === at, "the lease's finalizer");
});

Deno.test("lease validates its size like alloc, naming lease", () => {
  for (const size of [0, -1, 1.5, 2 ** 32]) {
    assert.throws(
      () => lease(size),
      (e: Error) => e instanceof RangeError && e.message.startsWith("lease:"),
    );
  }
  assert.throws(
    () => lease("8" as unknown as number),
    (e: Error) => e instanceof TypeError && e.message.startsWith("lease:"),
  );
});
