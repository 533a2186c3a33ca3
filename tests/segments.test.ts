/**
 * Modules with data segments. `bindSegments(spawn, respawn, binary)` protects
 * the segments' ranges and restores whatever re-instantiation overwrites on a
 * trim, so the module keeps its runtime state.
 */

import assert from "node:assert/strict";
import {
  alloc,
  bindSegments,
  check,
  malloc,
  mem,
  spans,
  stats,
  trim,
} from "../mod.ts";
import { SEGMENT_AT_GLOBAL, SEGMENTS } from "./_modules.ts";
import { Tracker } from "./_helpers.ts";

const MODULE = new WebAssembly.Module(SEGMENTS);
type Counter = { bump(): number };
const tracker = new Tracker();
/** Allocations whose tokens are dropped at once, to make a tail to trim. */
const garbage = () => {
  for (let i = 0; i < 200; i++) alloc(4096, tracker.token());
};

Deno.test("bindSegments: segments are protected, and their runtime state survives trims", async () => {
  const spawn = () =>
    new WebAssembly.Instance(MODULE, { env: { mem } })
      .exports as unknown as Counter;
  let respawns = 0;
  let counter = bindSegments(spawn, () => {
    counter = spawn();
    respawns++;
  }, SEGMENTS);
  const bytes = () => new Uint8Array(mem.buffer);
  assert.equal(counter.bump(), 2, "the segment's initial 1, bumped");
  assert.equal(counter.bump(), 3);
  const protectedSpans = spans().filter((span) => span.kind == "protected");
  assert.deepEqual(protectedSpans, [
    { start: 1024, size: 16, kind: "protected" },
    { start: 2000, size: 16, kind: "protected" }, // "hello": 2000–2005
  ]);
  // Nothing is ever placed there.
  for (let i = 0; i < 300; i++) {
    const ptr = malloc(16);
    assert.ok(ptr < 1024 || ptr >= 1040, `${ptr}`);
    assert.ok(ptr < 2000 || ptr >= 2016, `${ptr}`);
  }
  bytes().set([72, 73], 2000); // the module's data, changed at run time
  garbage();
  await tracker.collect(200);
  assert.ok(trim() > 0);
  assert.equal(respawns, 1, "re-instantiated, which re-applied the segments…");
  assert.equal(counter.bump(), 4, "…and the counter carried on");
  assert.equal(
    new TextDecoder().decode(bytes().subarray(2000, 2005)),
    "HIllo",
    "and so did the other segment's bytes",
  );
  check();
  assert.ok(stats().allocations >= 302);
});

Deno.test("bindSegments: bad binaries and segments that cannot be placed throw; nothing changes", () => {
  const before = { stats: stats(), spans: spans() };
  const never = () => {
    throw new Error("spawn must not run");
  };
  assert.throws(
    () => bindSegments(never, () => {}, Uint8Array.of(1, 2, 3)),
    TypeError,
  );
  assert.throws(
    () => bindSegments(never, () => {}, "x" as unknown as BufferSource),
    TypeError,
  );
  assert.throws(
    () => bindSegments(never, () => {}, SEGMENT_AT_GLOBAL),
    /bindSegments: a data segment's offset is not an i32\.const/,
  );
  // SEGMENTS' ranges are protected by the first test: not free. (A second
  // instance over the same memory would re-apply the segments anyway.)
  assert.throws(() => bindSegments(never, () => {}, SEGMENTS), /is not free/);
  assert.deepEqual({ stats: stats(), spans: spans() }, before);
});
