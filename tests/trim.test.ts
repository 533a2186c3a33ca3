/** docs/CONTRACT.md, section trim. */

import assert from "node:assert/strict";
import { alloc, bind, buf, cap, i32, mem, trim, watch } from "../mod.ts";
import { Tracker } from "./_helpers.ts";

const owner = {};

Deno.test("trim on a fresh heap releases nothing and keeps the same memory", () => {
  const before = mem;
  assert.equal(trim(), 0);
  assert.equal(mem, before);
  assert.equal(cap, 4096, "at least one page is always kept");
});

Deno.test("trim releases the free pages at the end, keeping live bytes", async () => {
  const tracker = new Tracker();
  const live = alloc(1000, owner);
  new Uint8Array(buf, live, 1000).fill(0x5A);
  const pattern = Uint8Array.from({ length: 256 }, (_, i) => i);
  const more = alloc(256, owner);
  new Uint8Array(buf, more, 256).set(pattern);
  ((token: object) => alloc(10 * 65536, token))(tracker.token());
  const grown = buf.byteLength;
  assert.ok(grown > 10 * 65536);
  await tracker.collect(1);

  const old = mem;
  const released = trim();
  assert.equal(released, grown - 65536, "everything above the first page");
  assert.notEqual(mem, old, "a new Memory replaces mem");
  assert.equal(buf, mem.buffer);
  assert.equal(buf.byteLength, 65536);
  assert.equal(cap, 4096);
  assert.equal(i32.buffer, buf);
  assert.equal(i32.length, 65536 / 4);
  assert.ok(new Uint8Array(buf, live, 1000).every((byte) => byte === 0x5A));
  assert.deepEqual(new Uint8Array(buf, more, 256), pattern);
  assert.equal(trim(), 0, "nothing more to release");
});

Deno.test("trim keeps every page up to the highest used address", async () => {
  const tracker = new Tracker();
  const low = ((token: object) => alloc(3 * 65536, token))(tracker.token());
  const high = alloc(16, owner); // above the span that will be freed
  await tracker.collect(1);
  const before = buf.byteLength;
  const released = trim();
  const kept = Math.ceil((high + 16) / 65536) * 65536;
  assert.equal(buf.byteLength, kept);
  assert.equal(released, before - kept);
  assert.equal(alloc(3 * 65536, owner), low, "the hole below stays usable");
});

Deno.test("trim runs respawns in bind order, then watchers, with the new memory bound", () => {
  const order: string[] = [];
  const seen: WebAssembly.Memory[] = [];
  bind(() => order.push("spawn A"), () => {
    order.push("respawn A");
    seen.push(mem);
  });
  bind(() => order.push("spawn B"), () => order.push("respawn B"));
  const token = {};
  watch(() => order.push("watcher"), token);
  assert.deepEqual(order.splice(0), ["spawn A", "spawn B"]);
  alloc(cap * 16 * 4); // a scratch: grows mem, records nothing
  assert.deepEqual(
    order.splice(0),
    ["watcher"],
    "growth runs watchers, not respawns",
  );
  const old = mem;
  assert.ok(trim() > 0);
  assert.deepEqual(order.splice(0), ["respawn A", "respawn B", "watcher"]);
  assert.notEqual(seen[0], old, "respawns see the new mem");
  assert.equal(seen[0], mem);
  assert.equal(trim(), 0);
  assert.deepEqual(order, [], "no callback when nothing was released");
  assert.ok(token);
});

Deno.test("trim invalidates scratch and re-derives the heap top correctly", () => {
  const scratch = alloc(100 * 65536); // grows mem; nothing recorded
  assert.ok(buf.byteLength >= 100 * 65536);
  trim();
  assert.ok(
    buf.byteLength < 100 * 65536,
    "a scratch holds nothing, so trim releases it",
  );
  assert.ok(scratch > 0);
});

Deno.test("trim throws RangeError and changes nothing when the new Memory cannot be created", () => {
  alloc(20 * 65536); // grow, with nothing recorded, so there is something to release
  const before = { mem, buf, cap };
  const Memory = WebAssembly.Memory;
  WebAssembly.Memory = function () {
    throw new RangeError("no memory");
  } as unknown as typeof WebAssembly.Memory;
  try {
    assert.throws(
      trim,
      (error: Error) =>
        error instanceof RangeError && error.message.startsWith("trim:"),
    );
  } finally {
    WebAssembly.Memory = Memory;
  }
  assert.equal(mem, before.mem);
  assert.equal(buf, before.buf);
  assert.equal(cap, before.cap);
  assert.ok(trim() > 0, "works again afterwards");
});
