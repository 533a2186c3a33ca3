/**
 * docs/CONTRACT.md, section Guarantees, 3 (see pitfalls.test.ts): trim
 * shortens the free tail; the index must see the new length. Its own file
 * (isolate) so the heap starts fresh and every free span is known.
 */

import assert from "node:assert/strict";
import { alloc, buf, trim } from "../mod.ts";
import { Tracker } from "./_helpers.ts";

Deno.test("guarantee 3: after trim shortens the free tail, best fit sees its new length", async () => {
  const tracker = new Tracker();
  const owner = {};
  const hole = ((token: object) => alloc(40 * 65536, token))(tracker.token());
  const wall = alloc(2 * 65536 + 16, owner);
  const top = wall + 2 * 65536 + 16;
  alloc(100 * 65536); // scratch growth: a long free tail
  await tracker.collect(1);
  assert.ok(trim() > 0);
  const tail = buf.byteLength - top;
  assert.ok(tail > 0 && tail < 65536, `the tail is short now (${tail} bytes)`);
  // Free spans: the 40-page hole and the tail. The tail is the better fit
  // for anything up to its length, so it must be chosen.
  assert.equal(alloc(tail), top, "scratch");
  assert.equal(alloc(tail, owner), top);
  assert.equal(alloc(16, owner), hole, "the tail is used up; the hole is next");
});
