/**
 * Debugging. `spans()` lists the spans, `check()` verifies
 * the invariants (and, in `debug` mode, that no free byte was written),
 * `render()` draws the memory map as SVG.
 */

import assert from "node:assert/strict";
import {
  alloc,
  buf,
  cap,
  check,
  debug,
  disown,
  free,
  i32,
  malloc,
  realloc,
  render,
  spans,
  stats,
  trim,
} from "../mod.ts";
import { Tracker } from "./_helpers.ts";

const tracker = new Tracker();
const dropped = (size: number) => alloc(size, tracker.token());

Deno.test("spans: the kinds, in address order, tiling mem from the guard to the end", async () => {
  const owner = {};
  const token = alloc(40, owner);
  const strong = malloc(100);
  const reserved = dropped(64); // disowned and freed while its token lives:
  disown(reserved);
  free(reserved); // reserved until the finalizer
  const list = spans();
  assert.deepEqual(list[0], { start: 0, size: 16, kind: "guard" });
  let at = 0;
  for (const span of list) {
    assert.equal(span.start, at, "contiguous");
    assert.ok(span.size > 0 && span.size % 16 === 0);
    at += span.size;
  }
  assert.equal(at, cap * 16, "to the end");
  const kindOf = (ptr: number) => list.find((s) => s.start === ptr)?.kind;
  assert.equal(kindOf(token), "token");
  assert.equal(kindOf(strong), "strong");
  assert.equal(kindOf(reserved), "reserved");
  assert.equal(list[list.length - 1].kind, "free");
  await tracker.collect(1);
  assert.equal(
    spans().find((s) => s.start === reserved)?.kind,
    "free",
    "freed once the finalizer ran",
  );
  free(strong);
  assert.ok(owner);
});

Deno.test("check: passes after every step of a mixed workload", async () => {
  const strong: number[] = [];
  for (let i = 0; i < 300; i++) {
    const size = 1 + (i * 7919) % 3000;
    if (i % 3 == 0) strong.push(malloc(size));
    else dropped(size);
    if (i % 5 == 0 && strong.length) free(strong.shift()!);
    if (i % 7 == 0 && strong.length) {
      strong.push(realloc(strong.shift()!, size * 2));
    }
    if (i % 50 == 0) await tracker.collect(0);
    check();
  }
  strong.forEach(free);
  await tracker.collect(0);
  trim();
  check();
});

Deno.test("debug: free spans hold the pattern; a write after free is reported, a scratch is not", () => {
  assert.throws(() => debug(1 as unknown as boolean), TypeError);
  debug(true);
  try {
    check();
    const ptr = malloc(64);
    const pin = malloc(16); // so the freed 64 bytes stay a hole of their own
    i32.fill(7, ptr >>> 2, (ptr >>> 2) + 16);
    free(ptr);
    assert.equal(i32[ptr >>> 2], 0xDEADBEEF | 0, "freed bytes are filled");
    // A scratch is free space used on purpose (too big for the hole).
    const scratch = alloc(256);
    assert.ok(scratch > pin);
    new Uint8Array(buf, scratch >>> 0, 256).fill(1);
    check();
    // A write through a stale pointer is not.
    i32[(ptr >>> 2) + 3] = 42;
    assert.throws(check, (error: Error) => {
      assert.match(error.message, /^lewd: check found 1 problem\(s\):/);
      assert.match(
        error.message,
        new RegExp(
          `write after free: 0x${(ptr + 12).toString(16)}, in the free span`,
        ),
      );
      return true;
    });
    i32[(ptr >>> 2) + 3] = 0xDEADBEEF | 0;
    check();
    // New pages are filled too.
    const big = malloc(cap * 16);
    free(big);
    assert.equal(i32[i32.length - 1], 0xDEADBEEF | 0);
    check();
  } finally {
    debug(false);
  }
  const ptr = malloc(32);
  free(ptr);
  i32[ptr >>> 2] = 5; // not reported outside debug mode
  check();
  trim();
});

Deno.test("render: an SVG with a bar per span, the legend, the figures and the scratch outlined", () => {
  const owner = {};
  alloc(1000, owner);
  const strong = malloc(5000);
  const scratch = alloc(512);
  const svg = render({ width: 640, scratch: [scratch, 512] });
  assert.match(svg, /^<svg xmlns="http:\/\/www\.w3\.org\/2000\/svg"/);
  assert.match(svg, /<\/svg>\n$/);
  for (
    const kind of [
      "token",
      "strong",
      "reserved",
      "protected",
      "free",
      "guard",
      "scratch",
    ]
  ) {
    assert.match(svg, new RegExp(`>${kind}</text>`), `legend: ${kind}`);
  }
  const { allocations, freeSpans } = stats();
  assert.match(
    svg,
    new RegExp(`${allocations} allocations, ${freeSpans} free spans`),
  );
  assert.match(svg, /fragmentation \d+\.\d% \(1 − largest ÷ free\)/);
  assert.match(svg, /stroke="#e45756"/, "the scratch outline");
  // Touching spans of one kind share a bar (tokens the GC has not freed yet
  // may lie side by side): a bar per run of them at least.
  const runs = spans().filter((span, i, all) =>
    i == 0 || all[i - 1].kind != span.kind ||
    all[i - 1].start + all[i - 1].size != span.start
  );
  assert.ok(
    (svg.match(/<rect /g) ?? []).length >= runs.length,
    "a bar per run of touching spans of one kind at least",
  );
  assert.match(svg, />0x0</, "the address axis");
  for (const bad of [0, -1, 1.5]) {
    assert.throws(() => render({ width: bad }), RangeError);
    assert.throws(() => render({ rows: bad }), RangeError);
  }
  for (const bad of ["640", true]) {
    const value = bad as unknown as number;
    assert.throws(() => render({ width: value }), TypeError, "width");
    assert.throws(() => render({ rows: value }), TypeError, "rows");
  }
  assert.throws(
    () => render("wide" as unknown as undefined),
    /^TypeError: render: options must be an object, got "wide"/,
  );
  free(strong);
  assert.ok(owner);
});
