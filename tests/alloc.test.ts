/**
 * docs/CONTRACT.md, sections alloc, Placement and Growth: sizes, results, the
 * null guard, exact best-fit placement, growth, out of memory, tokens and
 * scratch.
 */

import assert from "node:assert/strict";
import { alloc, buf, cap, mem } from "../mod.ts";
import { Tracker } from "./_helpers.ts";

const keep: unknown[] = [];
const owner = {};
keep.push(owner);

Deno.test("the first allocation in a fresh heap is at 16, never 0–15", () => {
  assert.equal(alloc(1), 16, "scratch sees the same first address");
  assert.equal(alloc(1, owner), 16);
  assert.equal(alloc(1, owner), 32);
});

Deno.test("every size rounds up to whole 16-byte blocks; addresses are 16-aligned", () => {
  let previous = alloc(1, owner);
  for (const size of [1, 15, 16, 17, 31, 32, 33, 100, 1000]) {
    const address = alloc(size, owner);
    assert.equal(address % 16, 0);
    assert.ok(address >= 16);
    const next = alloc(1, owner);
    assert.equal(next - address, Math.ceil(size / 16) * 16, `size ${size}`);
    previous = next;
  }
  assert.ok(previous > 0);
});

Deno.test("the largest size is accepted in principle and fails as out of memory, changing nothing", () => {
  const before = { mem, buf, cap, next: alloc(16) };
  assert.throws(
    () => alloc(4294967280, owner),
    (error: Error) =>
      error instanceof RangeError && /out of memory/.test(error.message) &&
      error.message.includes("4294967280"),
  );
  assert.equal(mem, before.mem);
  assert.equal(buf, before.buf, "mem did not grow");
  assert.equal(cap, before.cap);
  assert.equal(alloc(16), before.next, "the heap is exactly as before");
});

Deno.test("bad sizes throw RangeError or TypeError naming alloc and the value, changing nothing", () => {
  const next = alloc(16);
  const ranges = [
    0,
    -0,
    -1,
    -16,
    1.5,
    0.1,
    NaN,
    Infinity,
    -Infinity,
    4294967281,
    2 ** 32,
    2 ** 32 + 16,
    2 ** 53,
  ];
  for (const size of ranges) {
    for (const token of [undefined, owner]) {
      assert.throws(
        () => alloc(size, token),
        (error: Error) =>
          error instanceof RangeError && error.message.startsWith("alloc:") &&
          error.message.includes(String(size)),
        `size ${size}`,
      );
    }
  }
  const kinds: unknown[] = [
    "16",
    16n,
    null,
    undefined,
    {},
    [16],
    Symbol("16"),
    () => 16,
    true,
  ];
  for (const size of kinds) {
    assert.throws(
      () => alloc(size as number, owner),
      (error: Error) =>
        error instanceof TypeError && error.message.startsWith("alloc:"),
      `size ${String(size)}`,
    );
  }
  assert.equal(alloc(16), next, "nothing changed");
});

Deno.test("sizes are not truncated to 32 bits (2**32 + 16 is not 16)", () => {
  assert.throws(() => alloc(2 ** 32 + 16, owner), RangeError);
});

Deno.test("bad tokens throw TypeError naming alloc and the value; nothing is reserved", () => {
  const next = alloc(16);
  const bads: unknown[] = [
    null,
    0,
    1,
    "token",
    true,
    5n,
    Symbol.for("registered"),
  ];
  for (const token of bads) {
    assert.throws(
      () => alloc(16, token as WeakKey),
      (error: Error) =>
        error instanceof TypeError && error.message.startsWith("alloc:") &&
        error.message.includes(
          typeof token == "string" ? '"token"' : String(token),
        ),
    );
    assert.equal(alloc(16), next, `the span did not leak for ${String(token)}`);
  }
});

Deno.test("a bad token that would need growth changes nothing either", () => {
  const before = { buf, cap };
  assert.throws(() => alloc(cap * 16, 42 as unknown as WeakKey), TypeError);
  assert.equal(buf, before.buf);
  assert.equal(cap, before.cap);
});

Deno.test("objects, functions, arrays and non-registered symbols are tokens", () => {
  for (
    const token of [
      {},
      [],
      () => {},
      Symbol("mine"),
      Symbol.iterator,
      new Map(),
    ]
  ) {
    keep.push(token);
    const address = alloc(16, token as WeakKey);
    assert.ok(address >= 16 && address % 16 === 0);
  }
});

Deno.test("a scratch is where alloc(size, token) would go now, and records nothing", () => {
  for (const size of [1, 16, 100, 5000, 70000]) {
    const scratch = alloc(size);
    assert.equal(alloc(size), scratch, "nothing recorded");
    assert.equal(alloc(size, owner), scratch, `size ${size}`);
  }
});

Deno.test("a scratch may grow mem to make room", () => {
  const before = cap;
  const scratch = alloc(before * 16);
  assert.ok(cap > before);
  assert.ok(((scratch >>> 0) + before * 16) / 16 <= cap);
  new Uint8Array(buf, scratch >>> 0, before * 16).fill(1);
});

Deno.test("exact best fit: the smallest free span that fits, the lowest address among equals", async () => {
  // Holes of known sizes, each walled in by a live block, freed by the GC.
  const tracker = new Tracker();
  const wall = {};
  keep.push(wall);
  const sizes = [8, 3, 5, 3, 70, 65, 200, 65, 5];
  const holes = ((): number[] => {
    const starts = sizes.map((blocks) => {
      const start = alloc(blocks * 16, tracker.token());
      alloc(16, wall);
      return start;
    });
    return starts;
  })();
  await tracker.collect(sizes.length);
  const fits = (blocks: number) => alloc(blocks * 16, wall);
  assert.equal(fits(3), holes[1], "the first of two 3-block holes");
  assert.equal(fits(3), holes[3], "then the second");
  assert.equal(
    fits(4),
    holes[2],
    "5 is the smallest that fits 4; lowest of two",
  );
  assert.equal(fits(5), holes[8]);
  assert.equal(fits(66), holes[4], "70 beats 200 and the tail");
  assert.equal(fits(64), holes[5], "65, lowest address first");
  assert.equal(fits(65), holes[7]);
  assert.equal(fits(7), holes[0], "8 beats 200");
  assert.equal(fits(200), holes[6]);
});

Deno.test("growth: one mem.grow call per growth, by at least half the size, never per page", () => {
  const grow = WebAssembly.Memory.prototype.grow;
  let calls = 0;
  WebAssembly.Memory.prototype.grow = function (
    this: WebAssembly.Memory,
    pages: number,
  ) {
    calls++;
    return grow.call(this, pages);
  };
  try {
    const pages = cap / 4096;
    const size = (cap - 16) * 16 + 10 * 65536; // more than is free: must grow
    const startBuf = buf;
    alloc(size, owner);
    assert.equal(calls, 1, "a single mem.grow call");
    assert.notEqual(buf, startBuf);
    assert.ok(cap / 4096 >= pages * 1.5, "at least half the size again");
    calls = 0;
    for (let i = 0; i < 200_000; i++) alloc(64 + (i % 1000), owner);
    assert.ok(calls <= 20, `${calls} mem.grow calls for 200 000 allocations`);
  } finally {
    WebAssembly.Memory.prototype.grow = grow;
  }
});

Deno.test("out of memory when the engine refuses to grow: RangeError, heap unchanged", () => {
  const grow = WebAssembly.Memory.prototype.grow;
  WebAssembly.Memory.prototype.grow = () => {
    throw new RangeError("refused");
  };
  try {
    const before = { buf, cap, next: alloc(16) };
    const size = cap * 16;
    assert.throws(
      () => alloc(size, owner),
      (error: Error) =>
        error instanceof RangeError && /out of memory/.test(error.message) &&
        error.message.includes(String(size)),
    );
    assert.throws(() => alloc(size), RangeError, "scratch too");
    assert.equal(buf, before.buf);
    assert.equal(cap, before.cap);
    assert.equal(alloc(16), before.next);
  } finally {
    WebAssembly.Memory.prototype.grow = grow;
  }
  alloc(cap * 16, owner); // and it works again
});
