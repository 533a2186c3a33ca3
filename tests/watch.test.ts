/** docs/CONTRACT.md, sections watch and unwatch, and Live bindings. */

import assert from "node:assert/strict";
import { alloc, buf, cap, i32, mem, trim, watch } from "../mod.ts";
import { collectUntil } from "./_helpers.ts";

const grow = () => alloc(cap * 16 * 2); // a scratch past the end: mem grows

Deno.test("live bindings agree with each other and follow every resize", () => {
  const check = () => {
    assert.equal(buf, mem.buffer);
    assert.equal(i32.buffer, buf);
    assert.equal(i32.length, buf.byteLength / 4);
    assert.equal(cap, buf.byteLength / 16);
  };
  check();
  const before = { mem, buf };
  grow();
  check();
  assert.equal(mem, before.mem, "growth keeps the Memory object");
  assert.notEqual(buf, before.buf, "and detaches the old buffer");
  assert.equal(before.buf.byteLength, 0);
  trim();
  check();
});

Deno.test("a watcher runs after every grow and trim, seeing the new buffer", () => {
  const token = {};
  const seen: ArrayBuffer[] = [];
  watch(() => seen.push(buf), token);
  grow();
  assert.deepEqual(seen, [buf]);
  trim();
  assert.equal(seen.length, 2);
  assert.equal(seen[1], buf);
});

Deno.test("the same watcher twice for one token runs once per resize", () => {
  const token = {};
  let runs = 0;
  const watcher = () => runs++;
  watch(watcher, token);
  watch(watcher, token);
  grow();
  assert.equal(runs, 1);
  watch(() => runs++, token);
  grow();
  assert.equal(runs, 3, "a different watcher on the same token runs too");
});

Deno.test("a watcher that captures its own token does not keep it alive", async () => {
  let runs = 0;
  const ref = ((): WeakRef<object> => {
    // A wrapper class does exactly this: watch(() => ...this..., this).
    const self = { view: new Int32Array(buf, 16, 1) };
    watch(() => {
      runs++;
      self.view = new Int32Array(buf, 16, 1);
    }, self);
    return new WeakRef(self);
  })();
  await collectUntil(() => ref.deref() === undefined, "token collection");
  grow();
  assert.equal(runs, 0, "dropped with its token");
});

Deno.test("watchers of collected tokens are dropped; live ones keep running", async () => {
  const live = {};
  let liveRuns = 0, deadRuns = 0;
  watch(() => liveRuns++, live);
  const refs = ((): WeakRef<object>[] =>
    Array.from({ length: 1000 }, () => {
      const token = {};
      watch(() => deadRuns++, token);
      return new WeakRef(token);
    }))();
  await collectUntil(
    () => refs.every((ref) => ref.deref() === undefined),
    "token collection",
  );
  grow();
  assert.equal(deadRuns, 0);
  assert.equal(liveRuns, 1);
  // Reachable until here: JavaScriptCore does not keep a local that is
  // never read after an `await`, so the token would be collected too.
  assert.ok(live);
});

Deno.test("watch rejects non-functions and non-WeakKey tokens with TypeError naming watch", () => {
  const fn = () => {};
  for (const bad of [undefined, null, 1, "f", {}]) {
    assert.throws(
      () => watch(bad as () => void, {}),
      (e: Error) => e instanceof TypeError && e.message.startsWith("watch:"),
    );
  }
  for (const bad of [undefined, null, 1, "t", Symbol.for("registered"), true]) {
    assert.throws(
      () => watch(fn, bad as WeakKey),
      (e: Error) => e instanceof TypeError && e.message.startsWith("watch:"),
    );
  }
  watch(fn, Symbol("ok"));
});

Deno.test("a watcher that trims on every resize cannot hang a growing scratch", () => {
  // Each growth for the scratch is released again by the watcher: alloc gives
  // up with a RangeError instead of looping forever. (Last in this file: the
  // watcher's token lives until the isolate ends.)
  const token = {};
  watch(() => trim(), token);
  assert.throws(
    () => alloc(cap * 16 * 2),
    (e: Error) =>
      e instanceof RangeError &&
      e.message.startsWith("alloc: resize callbacks"),
  );
  alloc(16, token); // still usable
  assert.ok(token);
});
