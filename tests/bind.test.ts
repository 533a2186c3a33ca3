/**
 * docs/CONTRACT.md, section bind: with a real WASM module that imports `mem`
 * and is re-instantiated on trim, keeping its state across the trim.
 */

import assert from "node:assert/strict";
import { alloc, bind, buf, mem, trim } from "../mod.ts";
import { COUNTER } from "./_modules.ts";

interface Counter {
  /** Adds 1 to the i32 at `ptr` and returns the new value. */
  bump(ptr: number): number;
  /** The module's mutable global, exported so respawn can capture it. */
  total: WebAssembly.Global;
}

const spawnCounter = (): Counter =>
  new WebAssembly.Instance(COUNTER, { env: { mem } })
    .exports as unknown as Counter;

Deno.test("bind calls spawn at once and returns its result", () => {
  let calls = 0;
  const result = bind(() => {
    calls++;
    return { answer: 42 };
  }, () => {});
  assert.deepEqual(result, { answer: 42 });
  assert.equal(calls, 1);
});

Deno.test("a module bound to mem survives trim: respawned over the new mem, state restored", () => {
  let impl = bind(spawnCounter, () => {
    const total = impl.total.value; // capture
    impl = spawnCounter();
    impl.total.value = total; // restore
  });
  const owner = {};
  const ptr = alloc(16, owner);
  for (let i = 0; i < 5; i++) impl.bump(ptr);
  alloc(64 * 65536); // scratch growth, so trim has pages to release
  const old = mem;
  assert.ok(trim() > 0);
  assert.notEqual(mem, old);
  assert.equal(impl.bump(ptr), 6, "memory state carried over");
  assert.equal(impl.total.value, 6, "global state restored by respawn");
  assert.equal(
    new Int32Array(buf, ptr, 1)[0],
    6,
    "the instance writes the new mem",
  );
});

Deno.test("if spawn throws, respawn is not kept and the error propagates", () => {
  let respawned = 0;
  const boom = new Error("boom");
  assert.throws(() =>
    bind(() => {
      throw boom;
    }, () => respawned++), (error) => error === boom);
  alloc(8 * 65536);
  trim();
  assert.equal(respawned, 0);
});

Deno.test("bind rejects non-functions with TypeError naming bind", () => {
  const fn = () => {};
  for (const bad of [undefined, null, 1, "f", {}]) {
    assert.throws(
      () => bind(bad as () => void, fn),
      (e: Error) => e instanceof TypeError && e.message.startsWith("bind:"),
    );
    assert.throws(
      () => bind(fn, bad as () => void),
      (e: Error) => e instanceof TypeError && e.message.startsWith("bind:"),
    );
  }
});

Deno.test("a respawn that returns a promise fails the trim that calls it with a TypeError", async () => {
  const ran: string[] = [];
  bind(() => 0, async () => {
    await null;
    ran.push("async respawn");
  });
  bind(() => 0, () => ran.push("sync respawn"));
  const owner = {};
  const ptr = alloc(1 << 20, owner); // a growth that trim gives back
  alloc(1 << 20);
  new Uint8Array(buf, ptr >>> 0, 4).set([1, 2, 3, 4]);
  assert.throws(
    () => trim(),
    (error: unknown) =>
      error instanceof TypeError &&
      error.message == "trim: a respawn returned a promise",
  );
  // The trim itself is done, the other respawn ran, the bytes are kept.
  assert.ok(ran.includes("sync respawn"));
  assert.deepEqual([...new Uint8Array(buf, ptr >>> 0, 4)], [1, 2, 3, 4]);
  await null;
});
