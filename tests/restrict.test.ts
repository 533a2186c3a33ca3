/**
 * `restrict` confines the allocator to a working range of
 * `mem` (on this file's fresh heap), so that another allocator can own the
 * rest.
 */

import assert from "node:assert/strict";
import {
  alloc,
  cap,
  check,
  free,
  limit,
  malloc,
  restrict,
  spans,
  stats,
} from "../mod.ts";

Deno.test("restrict: refuses while something outside the range is in use; nothing changes", () => {
  const ptr = malloc(32); // at 16
  const before = { stats: stats(), cap };
  assert.throws(() => restrict(0x1_0000, 0x3_0000), /restrict: 0x10 is in use/);
  assert.deepEqual({ stats: stats(), cap }, before);
  for (const [start, end] of [[0x100, 0x100], [0x200, 0x100], [0, 8]]) {
    assert.throws(() => restrict(start, end), RangeError);
  }
  assert.throws(() => restrict("0" as unknown as number, 16), TypeError);
  free(ptr);
});

Deno.test("restrict: allocations stay in the range, growth stops at it until the limit is raised", () => {
  // The range ends half way through mem's third page: the rest is protected.
  restrict(0x1_0000, 0x2_8000);
  assert.equal(cap * 16, 0x3_0000, "grown to the page of the range's end");
  assert.equal(stats().limit, 0x3_0000);
  const protectedSpans = spans().filter((span) => span.kind == "protected");
  assert.deepEqual(protectedSpans, [
    { start: 16, size: 0x1_0000 - 16, kind: "protected" },
    { start: 0x2_8000, size: 0x8000, kind: "protected" },
  ]);
  const owner = {};
  const made: number[] = [];
  for (let i = 0; i < 60; i++) {
    const ptr = i % 2 ? malloc(1000) : alloc(1000, owner);
    assert.ok(ptr >= 0x1_0000 && ptr + 1000 <= 0x2_8000, `${ptr} in range`);
    made.push(ptr);
  }
  assert.throws(() => malloc(0x2_0000), /out of memory/);
  limit(8);
  const big = malloc(0x2_0000);
  assert.ok(big >= 0x3_0000, "raising the limit gives new pages to it");
  free(big);
  check();
  made.filter((_, i) => i % 2).forEach(free);
});
