/**
 * docs/CONTRACT.md, section Guarantees. Each rules out a mistake found in
 * another published JS-side allocator of this design, whose own test suite
 * passed. Each has a test; those that belong to another file's subject live
 * there:
 *
 * | guarantee: the mistake it rules out             | test                                              |
 * |-------------------------------------------------|---------------------------------------------------|
 * | 1. returning the end of the span                | here                                              |
 * | 2. stale right-hand neighbour after a merge     | freeing.test.ts "merges with both neighbours"     |
 * | 3. free tail shrunk on trim without re-indexing | pitfall3.test.ts (needs a fresh heap)             |
 * | 4. alloc from a resize callback mid-update      | callbacks.test.ts "a watcher may call alloc"      |
 * | 5. span reserved before the token is validated  | alloc.test.ts "bad tokens … nothing is reserved"  |
 * | 6. sizes truncated with `\| 0`                  | alloc.test.ts "not truncated to 32 bits"          |
 * | 7. growing one page at a time                   | alloc.test.ts "growth: one mem.grow call …"       |
 * | 8. watchers held strongly                       | watch.test.ts "captures its own token", "dropped" |
 * | 9. lowest address checked in one child only     | here                                              |
 * | 10. trusting the GC to free in time             | pressure.test.ts "within 6× the live set"         |
 *
 * Rust-side versions of 1, 2, 3 and 9 are in rs_lib/src/tests.rs.
 */

import assert from "node:assert/strict";
import { alloc, buf, cap } from "../mod.ts";
import { blocksOf, Model, Tracker } from "./_helpers.ts";

const owner = {};

Deno.test("guarantee 9: in a fragmented heap, every placement takes the lowest of equal best fits", async () => {
  // Hundreds of holes, many of equal length, in random order of length, freed
  // by the GC; then each request must land exactly where the model says.
  const tracker = new Tracker();
  const model = new Model(cap);
  let seed = 7;
  const next = () => (seed = (seed * 1103515245 + 12345) >>> 0) / 2 ** 32;
  const lengths = [3, 5, 64, 65, 70, 100];
  const made = ((): number[] => {
    const holes: number[] = [];
    for (let i = 0; i < 600; i++) {
      const blocks = lengths[Math.floor(next() * lengths.length)];
      const address = alloc(blocks * 16, tracker.token());
      assert.equal(address, model.take(blocks, cap));
      holes.push(address);
      assert.equal(alloc(16, owner), model.take(1, cap));
    }
    return holes;
  })();
  await tracker.collect(made.length);
  for (const address of made) model.free(address);
  let checked = 0;
  for (let i = 0; i < 500; i++) {
    const size = 16 * (1 + Math.floor(next() * 110));
    assert.equal(
      alloc(size, owner),
      model.take(blocksOf(size), cap),
      `request ${i}: ${size} bytes`,
    );
    checked++;
  }
  assert.equal(checked, 500);
});

Deno.test("guarantee 1: an allocation is the start of its span, so neighbours never overlap", () => {
  const sizes = [16, 48, 17, 1, 1024, 33];
  const addresses = sizes.map((size) => alloc(size, owner));
  addresses.forEach((address, i) =>
    new Uint8Array(buf, address, sizes[i]).fill(i + 1)
  );
  addresses.forEach((address, i) => {
    assert.ok(
      new Uint8Array(buf, address, sizes[i]).every((byte) => byte === i + 1),
      `allocation ${i}`,
    );
  });
});
