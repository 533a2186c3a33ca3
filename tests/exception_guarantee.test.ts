/**
 * docs/CONTRACT.md, section Exception guarantee: a call that throws holds
 * nothing. When an allocating call throws (bad input, out of memory, or a
 * callback's error during the growth it caused), the caller gets no address,
 * so no span stays taken for it: not registered to its token, not strong, not
 * protected, not anywhere. The growth may stay, and its space is free; spans
 * that callbacks took for themselves stay theirs. Validation comes before any
 * change of state, the next-fit cursor included, and a call that throws keeps
 * no callback.
 *
 * Also two rules that keep callbacks and views in step with a resize
 * (sections watch and unwatch, Live bindings): a watcher dropped during a
 * round still runs in that round if it had not run yet, and never after; and
 * a trim detaches the old buffer, as growth does.
 *
 * Every test runs on the module's exports (the default heap) and on a heap
 * from `createHeap()`.
 */

import assert from "node:assert/strict";
import * as lewd from "../mod.ts";
import { createHeap, type Heap } from "../mod.ts";
import { SEGMENTS } from "./_modules.ts";

const faces: [string, Heap][] = [
  ["default heap", lewd],
  ["createHeap()", createHeap()],
];

/** What a call that throws must leave as it was. */
const holdings = (heap: Heap) => {
  const { allocations, used } = heap.stats();
  const held = heap.spans().filter((span) => span.kind != "free");
  return { allocations, used, held };
};

// First in this file: both heaps are fresh, so the only hole below the
// next-fit position is the one made here, which a scan restarted from the
// bottom would take.
for (const [face, heap] of faces) {
  Deno.test(`${face}: under next fit, a rejected call leaves the next-fit position where it was`, () => {
    heap.policy("next");
    try {
      const owner = {};
      const hole = heap.malloc(32);
      const pin = heap.malloc(32);
      heap.free(hole);
      const next = heap.alloc(32); // where alloc(32, token) goes now
      assert.notEqual(next, hole, "next fit carries on after `pin`");
      const rejected: [string, () => unknown][] = [
        ['alloc(32, Symbol.for("x"))', () => heap.alloc(32, Symbol.for("x"))],
        ["alloc(32, 42)", () => heap.alloc(32, 42 as unknown as WeakKey)],
        ["alloc(0, owner)", () => heap.alloc(0, owner)],
        [
          "allocAligned(32, 16, 42)",
          () => heap.allocAligned(32, 16, 42 as unknown as WeakKey),
        ],
        ["lease(32, 24)", () => heap.lease(32, 24)],
        ["malloc(1.5)", () => heap.malloc(1.5)],
        ["calloc(0, 16)", () => heap.calloc(0, 16)],
        ["realloc(pin + 16, 32)", () => heap.realloc(pin + 16, 32)],
      ];
      for (const [call, run] of rejected) {
        assert.throws(
          run,
          (error) => error instanceof TypeError || error instanceof RangeError,
          call,
        );
        assert.equal(heap.alloc(32), next, `after ${call}: the scratch`);
      }
      assert.equal(heap.alloc(32, owner), next, "the next allocation");
      heap.free(pin);
      heap.check();
    } finally {
      heap.policy("best");
    }
  });
}

// Second: the segments' ranges (1024 and 2000) are still free on both heaps.
for (const [face, heap] of faces) {
  Deno.test(`${face}: bindSegments whose spawn throws leaves no range protected and keeps no respawn`, () => {
    const boom = new Error("spawn failed");
    let respawns = 0;
    const before = holdings(heap);
    assert.throws(
      () =>
        heap.bindSegments(
          () => {
            throw boom;
          },
          () => respawns++,
          SEGMENTS,
        ),
      (error) => error === boom,
    );
    assert.deepEqual(holdings(heap), before);
    heap.check();
    heap.alloc(heap.cap * 16); // a scratch: mem grows, nothing is recorded
    assert.ok(heap.trim() > 0);
    assert.equal(respawns, 0, "the respawn was not kept");
  });
}

/**
 * The calls that reserve memory, each asking for `size` bytes (or, for
 * `protect`, a range past the end of mem): `ptr` is a live strong allocation
 * of 64 bytes, `owner` a live token. `soft` calls return 0 when out of memory
 * instead of throwing.
 */
const reserving: {
  call: string;
  run: (heap: Heap, size: number, ptr: number, owner: object) => unknown;
  soft?: boolean;
}[] = [
  { call: "alloc(size, token)", run: (h, size, _, o) => h.alloc(size, o) },
  {
    call: "allocAligned(size, 4096, token)",
    run: (h, size, _, o) => h.allocAligned(size, 4096, o),
  },
  { call: "lease(size)", run: (h, size) => h.lease(size) },
  { call: "lease(size, 256)", run: (h, size) => h.lease(size, 256) },
  { call: "malloc(size)", run: (h, size) => h.malloc(size) },
  { call: "malloc(size, 1024)", run: (h, size) => h.malloc(size, 1024) },
  { call: "calloc(size / 16, 16)", run: (h, size) => h.calloc(size / 16, 16) },
  { call: "realloc(ptr, size)", run: (h, size, ptr) => h.realloc(ptr, size) },
  {
    call: "imports.malloc(size)",
    run: (h, size) => h.imports.malloc(size),
    soft: true,
  },
  {
    call: "imports.calloc(size / 16, 16)",
    run: (h, size) => h.imports.calloc(size / 16, 16),
    soft: true,
  },
  {
    call: "imports.realloc(ptr, size)",
    run: (h, size, ptr) => h.imports.realloc(ptr, size),
    soft: true,
  },
  {
    call: "imports.aligned_alloc(1024, size)",
    run: (h, size) => h.imports.aligned_alloc(1024, size),
    soft: true,
  },
  {
    call: "protect(past the end, 16)",
    run: (h, size) => h.protect(h.cap * 16 + size, 16),
  },
];

/**
 * A live strong allocation of 64 known bytes (`ptr`), a live token (`owner`)
 * and a `size` that fits no free span, not even with `ptr`'s span and the
 * free span after it: a call for `size` bytes must grow mem.
 */
function room(heap: Heap) {
  const owner = {};
  const ptr = heap.malloc(64);
  const bytes = () => new Uint8Array(heap.buf, ptr >>> 0, 64);
  bytes().fill(0x5A);
  return {
    owner,
    ptr,
    size: heap.stats().largest + 128,
    /** Checks that `ptr` and its bytes are intact, then frees it. */
    done() {
      assert.ok(bytes().every((byte) => byte === 0x5A), "`ptr` is intact");
      heap.free(ptr);
      heap.check();
    },
  };
}

for (const [face, heap] of faces) {
  for (const { call, run } of reserving) {
    Deno.test(`${face}: ${call} holds nothing when a watcher throws during the growth it caused`, () => {
      const boom = new Error("watcher failed");
      const token = {};
      let armed = true;
      heap.watch(() => {
        if (armed) throw boom;
      }, token);
      try {
        const { owner, ptr, size, done } = room(heap);
        const before = holdings(heap);
        const capacity = heap.cap;
        assert.throws(
          () => run(heap, size, ptr, owner),
          (error) => error === boom,
        );
        assert.ok(heap.cap > capacity, "mem grew (and may stay grown)");
        assert.deepEqual(holdings(heap), before, "no span stays reserved");
        done();
      } finally {
        armed = false;
        heap.unwatch(token);
        heap.trim();
      }
    });
  }
}

for (const [face, heap] of faces) {
  Deno.test(`${face}: spans that watchers took during the growth stay theirs when another watcher throws`, () => {
    const boom = new Error("watcher failed");
    const first = {}, second = {};
    let armed = true;
    const taken: number[] = [];
    heap.watch(() => {
      if (armed) taken.push(heap.malloc(64), heap.alloc(64, first));
    }, first);
    heap.watch(() => {
      if (armed) throw boom;
    }, second);
    try {
      const { owner, size, done } = room(heap);
      const before = holdings(heap);
      assert.throws(() => heap.alloc(size, owner), (error) => error === boom);
      assert.equal(taken.length, 2, "the first watcher ran once");
      const held = holdings(heap);
      assert.equal(held.allocations, before.allocations + 2);
      assert.equal(held.used, before.used + 128);
      const kinds = taken.map((at) =>
        held.held.find((span) => span.start == at >>> 0)?.kind
      );
      assert.deepEqual(kinds, ["strong", "token"]);
      heap.free(taken[0]);
      done();
    } finally {
      armed = false;
      heap.unwatch(first);
      heap.unwatch(second);
      heap.trim();
    }
  });
}

Deno.test("createHeap(): restrict whose growth's watcher throws protects nothing", () => {
  // A fresh heap: restrict needs nothing in use outside the range, and it
  // would confine any heap it succeeded on.
  const heap = createHeap();
  const boom = new Error("watcher failed");
  const token = {};
  heap.watch(() => {
    throw boom;
  }, token);
  const before = { ...holdings(heap), limit: heap.stats().limit };
  assert.throws(() => heap.restrict(0x1_0000, 0x4_0000), (e) => e === boom);
  assert.ok(heap.cap * 16 >= 0x4_0000, "mem grew (and may stay grown)");
  assert.deepEqual({ ...holdings(heap), limit: heap.stats().limit }, before);
  heap.check();
  assert.ok(token);
});

for (const [face, heap] of faces) {
  for (const { call, run, soft } of reserving) {
    Deno.test(`${face}: ${call} out of memory holds nothing`, () => {
      const { owner, ptr, size, done } = room(heap);
      const was = heap.limit(heap.cap / 4096);
      try {
        const state = () => ({
          ...holdings(heap),
          mem: heap.mem,
          buf: heap.buf,
        });
        const before = state();
        if (soft) assert.equal(run(heap, size, ptr, owner), 0);
        else {
          assert.throws(
            () => run(heap, size, ptr, owner),
            (error: Error) =>
              error instanceof RangeError &&
              /out of memory/.test(error.message),
          );
        }
        assert.deepEqual(state(), before, "nothing changed");
        done();
      } finally {
        heap.limit(was);
        heap.trim();
      }
    });
  }
}

for (const [face, heap] of faces) {
  for (const dropped of ["unwatch(watcher, token)", "unwatch(token)"]) {
    Deno.test(`${face}: a watcher dropped with ${dropped} by an earlier token's watcher still runs in that round, and never after`, () => {
      // A round runs the watchers by token, in the order the tokens first
      // got a watcher.
      const earlier = {}, later = {};
      const runs: string[] = [];
      const watcher = () => runs.push("dropped");
      heap.watch(() => {
        runs.push("dropping");
        if (dropped == "unwatch(token)") heap.unwatch(later);
        else heap.unwatch(watcher, later);
      }, earlier);
      heap.watch(watcher, later);
      try {
        heap.grow(1);
        assert.deepEqual(runs.splice(0), ["dropping", "dropped"], "that round");
        heap.grow(1);
        assert.deepEqual(runs.splice(0), ["dropping"], "the next round");
      } finally {
        heap.unwatch(earlier);
        heap.trim();
      }
    });
  }

  Deno.test(`${face}: a watcher dropped by a respawn still runs in that trim's round, and never after`, () => {
    const token = {};
    const runs: string[] = [];
    const watcher = () => runs.push("watcher");
    let armed = true;
    heap.bind(() => {}, () => {
      if (armed) heap.unwatch(watcher, token);
    }); // kept for the heap's life: harmless once disarmed
    heap.watch(watcher, token);
    try {
      heap.alloc(heap.cap * 16); // a scratch: mem grows, nothing is recorded
      assert.deepEqual(runs.splice(0), ["watcher"], "the growth's round");
      assert.ok(heap.trim() > 0);
      assert.deepEqual(runs.splice(0), ["watcher"], "the trim's round");
      heap.grow(1);
      assert.deepEqual(runs.splice(0), [], "dropped after it");
    } finally {
      armed = false;
      heap.unwatch(token);
      heap.trim();
    }
  });
}

for (const [face, heap] of faces) {
  Deno.test(`${face}: after trim releases pages, views over the old buffer are detached, as after growth`, () => {
    const small = heap.buf;
    heap.alloc(heap.cap * 16); // a scratch: mem grows, nothing is recorded
    assert.equal(small.byteLength, 0, "growth detached the buffer before it");
    const old = heap.buf;
    const bytes = new Uint8Array(old);
    const words = heap.i32;
    assert.ok(heap.trim() > 0);
    assert.notEqual(heap.buf, old);
    assert.equal(old.byteLength, 0, "the buffer before the trim is detached");
    assert.equal(bytes.length, 0);
    assert.equal(words.length, 0);
    assert.equal(words[4], undefined, "reads through old views find nothing");
    assert.throws(() => new Uint8Array(old, 16, 16), TypeError, "no new view");
  });
}
