/**
 * Protected and restricted spans. `protect` keeps a range
 * out of the allocator's hands for good; `restrict` confines it to a working
 * range, so that it can share `mem` with another allocator.
 */

import assert from "node:assert/strict";
import {
  cap,
  check,
  disown,
  free,
  malloc,
  own,
  protect,
  realloc,
  spans,
  stats,
  watch,
} from "../mod.ts";

// On this file's fresh heap: a module's static data and stack below its
// __heap_base of 0x3000.
Deno.test("protect: a module's static data and stack are never handed out or freed", () => {
  protect(0, 0x3000);
  const ptr = malloc(16);
  assert.equal(ptr, 0x3000, "the first allocation is past the range");
  const range = spans().find((span) => span.start == 16);
  assert.deepEqual(range, { start: 16, size: 0x3000 - 16, kind: "protected" });
  for (
    const call of [
      () => free(16),
      () => realloc(16, 32),
      () => own(16, {}),
      () => disown(16),
    ]
  ) {
    assert.throws(call, RangeError);
  }
  assert.equal(stats().allocations, 2, "the range and `ptr`");
  free(ptr);
  check();
});

Deno.test("protect: a range that is not free throws and changes nothing; unaligned ranges widen to blocks", () => {
  const a = malloc(64);
  const before = stats();
  assert.throws(() => protect(a + 32, 100), /protect: .* is not free/);
  assert.throws(
    () => protect(0x2000, 0x2000),
    /is not free/,
    "overlaps the first range",
  );
  assert.deepEqual(stats(), before);
  for (
    const [ptr, size] of [[-1.5, 16], [16, 0], [16, 1.5], [2 ** 32, 16], [
      16,
      NaN,
    ]]
  ) {
    assert.throws(
      () => protect(ptr, size),
      RangeError,
      `protect(${ptr}, ${size})`,
    );
  }
  assert.throws(() => protect("16" as unknown as number, 16), TypeError);
  assert.throws(() => protect(0xFFFF_FFF0, 32), /runs past 4 GiB/);
  const size = cap * 16;
  assert.throws(() => protect(a, size * 2), /is not free/, "not grown for it");
  assert.equal(cap * 16, size);
  assert.deepEqual(stats(), before);
  // Bytes a + 72 to a + 92 lie in the blocks from a + 64 to a + 96.
  protect(a + 72, 20);
  const range = spans().find((span) =>
    span.kind == "protected" && span.start > a
  );
  assert.deepEqual(range, { start: a + 64, size: 32, kind: "protected" });
  free(a);
  check();
});

Deno.test("protect: past the end of mem grows it first (the watchers run)", () => {
  const owner = {};
  let runs = 0;
  watch(() => runs++, owner);
  const end = cap * 16;
  protect(end + 0x1_0000, 16);
  assert.ok(cap * 16 >= end + 0x1_0010);
  assert.equal(runs, 1);
  assert.equal(
    spans().find((span) => span.start == end + 0x1_0000)?.kind,
    "protected",
  );
  check();
});
