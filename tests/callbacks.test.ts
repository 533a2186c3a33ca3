/**
 * docs/CONTRACT.md, section Callbacks: callbacks that throw, and callbacks
 * that call back into alloc.
 */

import assert from "node:assert/strict";
import { alloc, bind, buf, cap, trim, watch } from "../mod.ts";
import { collectUntil } from "./_helpers.ts";

const owner = {};
const grow = () => alloc(cap * 16 * 2);

Deno.test("a watcher may call alloc, which may grow mem again; the heap stays consistent", () => {
  const token = {};
  const spans: [number, number][] = [];
  const take = (size: number) => {
    const address = alloc(size, owner);
    spans.push([address >>> 0, (address >>> 0) + size]);
  };
  let depth = 0;
  watch(() => {
    if (++depth === 1) take(cap * 16 * 3); // grows again from inside the watcher
    take(64);
  }, token);
  const before = cap;
  take(before * 16);
  assert.ok(cap > before * 3, "grew twice");
  assert.ok(depth >= 2, "the watcher ran for each growth");
  assert.equal(
    spans.length,
    2 + depth,
    "outer, inner, and a small one from each watcher run",
  );
  spans.sort((x, y) => x[0] - y[0]);
  for (let i = 1; i < spans.length; i++) {
    assert.ok(spans[i - 1][1] <= spans[i][0], "no two allocations overlap");
  }
  assert.ok(spans[spans.length - 1][1] <= buf.byteLength);
  depth = 99; // stays registered: make later runs harmless
});

Deno.test("a respawn may allocate; trim from a watcher works", () => {
  let inner = 0;
  bind(() => {}, () => {
    inner = alloc(16, owner);
  });
  const token = {};
  let trimmed = -1;
  let once = false;
  watch(() => {
    if (!once) {
      once = true;
      trimmed = trim();
    }
  }, token);
  grow();
  assert.ok(trimmed > 0, "the watcher's trim released the scratch growth");
  assert.ok(inner > 0, "the respawn allocated");
  assert.equal(buf.byteLength % 65536, 0);
});

Deno.test("a throwing watcher does not stop the others; its error is rethrown afterwards", async () => {
  const boom = new Error("boom");
  let after = 0;
  const ref = ((): WeakRef<object> => {
    const token = {};
    watch(() => {
      throw boom;
    }, token);
    watch(() => after++, token);
    const before = cap;
    assert.throws(() => alloc(before * 16, owner), (e) => e === boom);
    assert.equal(after, 1, "the other watcher ran");
    assert.ok(cap > before, "the heap grew and is usable");
    alloc(16, owner);
    return new WeakRef(token);
  })();
  await collectUntil(() => ref.deref() === undefined, "token collection");
});

Deno.test("several errors come back as one AggregateError, after respawns and watchers all ran", () => {
  const token = {};
  const first = new Error("respawn");
  const second = new Error("watcher");
  let ran = 0;
  bind(() => {}, () => {
    throw first;
  });
  bind(() => {}, () => ran++);
  watch(() => {
    throw second;
  }, token);
  watch(() => ran++, token);
  assert.throws(grow, (e) => e === second, "growth: only the watcher throws");
  assert.throws(trim, (e: unknown) => {
    assert.ok(e instanceof AggregateError);
    assert.deepEqual(e.errors, [first, second]);
    return true;
  });
  assert.equal(
    ran,
    3,
    "every other callback ran: watcher on grow, respawn and watcher on trim",
  );
});
