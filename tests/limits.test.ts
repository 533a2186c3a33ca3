/**
 * `grow(pages)`, the `limit`, the `cause` of every
 * out-of-memory error (and the heap left exactly as it was), `stats()`, and
 * `unwatch`.
 */

import assert from "node:assert/strict";
import {
  alloc,
  buf,
  calloc,
  cap,
  free,
  grow,
  lease,
  limit,
  malloc,
  mem,
  type OutOfMemory,
  realloc,
  stats,
  trim,
  unwatch,
  watch,
} from "../mod.ts";

const PAGE = 0x1_0000;
const pages = () => cap / 4096;

/** Everything an observer can see of the heap. */
const snapshot = () => ({ stats: stats(), cap, mem, buf, next: alloc(16) });

Deno.test("grow: adds pages now, runs the watchers, returns the size before", () => {
  const owner = {};
  let runs = 0;
  watch(() => runs++, owner);
  const was = pages();
  const memory = mem;
  assert.equal(grow(0), was, "0 pages: nothing");
  assert.equal(runs, 0);
  const tail = stats().tail;
  assert.equal(grow(3), was);
  assert.equal(pages(), was + 3);
  assert.equal(runs, 1);
  assert.equal(mem, memory, "the same Memory, grown");
  assert.equal(buf.byteLength, (was + 3) * PAGE);
  assert.equal(stats().tail, tail + 3 * PAGE, "the new pages join the tail");
  for (const bad of [-1, 1.5, NaN, Infinity]) {
    assert.throws(() => grow(bad), RangeError, `grow(${bad})`);
  }
  assert.throws(() => grow("1" as unknown as number), TypeError);
  assert.equal(runs, 1);
  trim();
});

Deno.test("limit: checked, and growth stops there with a cause that says why; nothing changes", () => {
  for (const bad of [pages() - 1, 65537, 1.5, NaN]) {
    assert.throws(() => limit(bad), RangeError, `limit(${bad})`);
  }
  assert.throws(() => limit(null as unknown as number), TypeError);
  assert.equal(limit(pages() + 2), 65536, "returns the limit before");
  assert.equal(stats().limit, (pages() + 2) * PAGE);
  const keep = malloc(100);
  const before = snapshot();
  const tooBig = (pages() + 2) * PAGE;
  const cases: [string, () => unknown][] = [
    ["alloc", () => alloc(tooBig, {})],
    ["alloc", () => alloc(tooBig)],
    ["malloc", () => malloc(tooBig)],
    ["calloc", () => calloc(tooBig / 16, 16)],
    ["realloc", () => realloc(keep, tooBig)],
    ["lease", () => lease(tooBig)],
  ];
  for (const [name, call] of cases) {
    assert.throws(call, (error: Error) => {
      assert.ok(error instanceof RangeError);
      assert.match(error.message, new RegExp(`^${name}: out of memory`));
      const cause = error.cause as OutOfMemory;
      assert.deepEqual(cause, {
        asked: tooBig,
        capacity: cap * 16,
        largest: stats().largest,
        limit: (pages() + 2) * PAGE,
      });
      return true;
    }, name);
    assert.deepEqual(snapshot(), before, `${name} changed nothing`);
  }
  assert.throws(() => grow(3), (error: Error) => {
    assert.ok(
      error instanceof RangeError && /^grow: out of memory/.test(error.message),
    );
    assert.equal((error.cause as OutOfMemory).asked, 3 * PAGE);
    return true;
  });
  assert.deepEqual(snapshot(), before);
  // Geometric growth is cut to the limit, not refused: a request that fits
  // under it grows mem to exactly the limit.
  const big = malloc((pages() + 1) * PAGE);
  assert.equal(pages(), stats().limit / PAGE);
  free(big);
  free(keep);
  limit(65536);
  trim();
});

Deno.test("stats: figures of a known layout, block 0 in none of them", () => {
  trim();
  const fresh = stats();
  const a = malloc(40), b = malloc(16), c = malloc(100), d = malloc(16);
  free(a);
  free(c);
  const s = stats();
  assert.equal(s.capacity, cap * 16);
  assert.equal(s.used, fresh.used + 32, "b and d: one block each");
  assert.equal(s.used + s.free, s.capacity - 16);
  assert.equal(s.allocations, fresh.allocations + 2);
  assert.equal(s.freeSpans, fresh.freeSpans + 2, "a's and c's spans");
  assert.equal(s.spans, s.allocations + s.freeSpans);
  assert.equal(s.largest, s.tail, "the tail is the longest here");
  assert.equal(s.limit, 65536 * PAGE);
  free(b);
  free(d);
  assert.deepEqual(stats(), fresh);
});

Deno.test("unwatch(watcher, token) and unwatch(token): dropped watchers no longer run", () => {
  const owner = {};
  const runs: string[] = [];
  const a = () => runs.push("a");
  const b = () => runs.push("b");
  watch(a, owner);
  watch(b, owner);
  grow(1);
  assert.deepEqual(runs.splice(0), ["a", "b"]);
  assert.equal(unwatch(a, owner), true);
  assert.equal(unwatch(a, owner), false, "already dropped");
  assert.equal(unwatch(a, {}), false, "never registered there");
  grow(1);
  assert.deepEqual(runs.splice(0), ["b"]);
  assert.equal(unwatch(owner), true);
  assert.equal(unwatch(owner), false, "nothing left");
  grow(1);
  assert.deepEqual(runs.splice(0), []);
  // Watching again after unwatch: runs once per resize, not twice.
  watch(a, owner);
  grow(1);
  assert.deepEqual(runs.splice(0), ["a"]);
  unwatch(owner);
  assert.throws(() => unwatch(1 as unknown as object), TypeError);
  assert.throws(() => unwatch("a" as unknown as () => void, owner), TypeError);
  assert.throws(() => unwatch(a, Symbol.for("x")), TypeError);
  assert.throws(
    () => (unwatch as (...args: unknown[]) => boolean)(),
    TypeError,
  );
  trim();
});

Deno.test("unwatch from inside a watcher: the others still run this time", () => {
  const owner = {};
  const runs: string[] = [];
  const b = () => runs.push("b");
  watch(() => {
    runs.push("a");
    unwatch(b, owner);
  }, owner);
  watch(b, owner);
  grow(1);
  assert.deepEqual(runs.splice(0), ["a", "b"]);
  grow(1);
  assert.deepEqual(runs.splice(0), ["a"]);
  unwatch(owner);
  trim();
});
