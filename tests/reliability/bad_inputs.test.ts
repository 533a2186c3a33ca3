/**
 * Bad inputs: every export called with every kind of bad argument it can
 * get (sizes, tokens, callbacks, pointers, counts, pages and alignments;
 * `trim` and `stats` take no argument). Each row names the
 * exact error class and message: the function, what was wrong, and the value.
 * After each, the heap is unchanged (the same `mem`, `buf` and `cap`, and a
 * full check: live bytes, and scratch placements equal to the model's), and
 * no callback passed in a bad call was kept: a grow and a trim at the end run
 * none of them.
 *
 * Rows marked `known` expect what the message should say and fail today;
 * they are registered as ignored tests, named with what is wrong, until the
 * allocator is fixed.
 */

import assert from "node:assert/strict";
import {
  alloc,
  allocAligned,
  bind,
  bindSegments,
  buf,
  calloc,
  cap,
  debug,
  disown,
  free,
  grow,
  imports,
  lease,
  limit,
  malloc,
  mem,
  own,
  policy,
  protect,
  realloc,
  render,
  restrict,
  unwatch,
  watch,
} from "../../mod.ts";

import { Live, random } from "./_common.ts";

const live = new Live();
const rand = random(40);
let ran = 0;
/** A valid callback passed beside a bad argument: it must never run. */
const never = () => {
  ran++;
};
/** A valid token passed beside a bad argument. */
const token = {};
/** A live strong allocation and a live token allocation (made in setup). */
const kept = { strong: 0, owned: 0 };

const MAX = 4294967280;
const type = (fn: string, got: string) =>
  `${fn}: size must be a number, got ${got}`;
const range = (fn: string, got: string) =>
  `${fn}: size must be an integer in [1, ${MAX}], got ${got}`;
const weak = (fn: string, got: string) =>
  `${fn}: token must be an object or a non-registered symbol, got ${got}`;
const fun = (fn: string, what: string, got: string) =>
  `${fn}: ${what} must be a function, got ${got}`;
const oom = (fn: string, size: number) =>
  `${fn}: out of memory, cannot fit ${size} bytes`;

interface Row {
  call: string;
  run: () => unknown;
  error: typeof TypeError | typeof RangeError;
  message: string;
  /** Why this row fails today (it is then registered as ignored). */
  known?: string;
}

// deno-lint-ignore no-explicit-any
type Any = any;

const rows: Row[] = [
  // alloc: sizes of the wrong type
  ...([
    ['"16"', "16", '"16"'],
    ["null", null, "null"],
    ["true", true, "true"],
    ["{}", {}, "an object"],
    ["[16]", [16], "an object"],
    ["new Number(16)", new Number(16), "an object"],
    ['Symbol("s")', Symbol("s"), "Symbol(s)"],
    ["() => 16", () => 16, "a function"],
  ] as [string, unknown, string][]).map(([text, size, got]): Row => ({
    call: `alloc(${text}, token)`,
    run: () => alloc(size as Any, token),
    error: TypeError,
    message: type("alloc", got),
  })),
  {
    call: "alloc(undefined)",
    run: () => alloc(undefined as Any),
    error: TypeError,
    message: type("alloc", "undefined"),
  },
  {
    call: "alloc(16n, token)",
    run: () => alloc(16n as Any, token),
    error: TypeError,
    message: type("alloc", "16n"),
  },
  // alloc: sizes out of range, with a token
  ...([
    [0, "0"],
    [-0, "0"],
    [-1, "-1"],
    [-16, "-16"],
    [0.5, "0.5"],
    [1.5, "1.5"],
    [16.5, "16.5"],
    [5e-324, "5e-324"],
    [NaN, "NaN"],
    [Infinity, "Infinity"],
    [-Infinity, "-Infinity"],
    [MAX + 1, "4294967281"],
    [2 ** 32, "4294967296"],
    [2 ** 32 + 16, "4294967312"],
    [2 ** 53, "9007199254740992"],
    [-(2 ** 31), "-2147483648"],
  ] as [number, string][]).map(([size, got]): Row => ({
    call: `alloc(${Object.is(size, -0) ? "-0" : size}, token)`,
    run: () => alloc(size, token),
    error: RangeError,
    message: range("alloc", got),
  })),
  // alloc: sizes out of range, scratch
  ...([[0, "0"], [1.5, "1.5"], [NaN, "NaN"], [2 ** 32, "4294967296"]] as [
    number,
    string,
  ][]).map(([size, got]): Row => ({
    call: `alloc(${size})`,
    run: () => alloc(size),
    error: RangeError,
    message: range("alloc", got),
  })),
  // alloc: a valid size that cannot fit (the heap is not empty)
  {
    call: `alloc(${MAX}, token)`,
    run: () => alloc(MAX, token),
    error: RangeError,
    message: oom("alloc", MAX),
  },
  {
    call: `alloc(${MAX})`,
    run: () => alloc(MAX),
    error: RangeError,
    message: oom("alloc", MAX),
  },
  // alloc: tokens that cannot be held weakly
  ...([
    ["null", null, "null"],
    ["0", 0, "0"],
    ["1", 1, "1"],
    ["NaN", NaN, "NaN"],
    ['"token"', "token", '"token"'],
    ['""', "", '""'],
    ["true", true, "true"],
    ["false", false, "false"],
    [
      'Symbol.for("registered")',
      Symbol.for("registered"),
      "Symbol(registered)",
    ],
    ['Symbol.for("")', Symbol.for(""), "Symbol()"],
  ] as [string, unknown, string][]).map(([text, bad, got]): Row => ({
    call: `alloc(16, ${text})`,
    run: () => alloc(16, bad as Any),
    error: TypeError,
    message: weak("alloc", got),
  })),
  {
    call: "alloc(16, 5n)",
    run: () => alloc(16, 5n as Any),
    error: TypeError,
    message: weak("alloc", "5n"),
  },
  // alloc: both arguments bad: the size is reported
  {
    call: "alloc(0, 5)",
    run: () => alloc(0, 5 as Any),
    error: RangeError,
    message: range("alloc", "0"),
  },
  {
    call: 'alloc("16", null)',
    run: () => alloc("16" as Any, null as Any),
    error: TypeError,
    message: type("alloc", '"16"'),
  },
  // lease: the same sizes, named as lease
  ...([
    ['"16"', "16", TypeError, type("lease", '"16"')],
    ["undefined", undefined, TypeError, type("lease", "undefined")],
    ["{}", {}, TypeError, type("lease", "an object")],
    ["0", 0, RangeError, range("lease", "0")],
    ["-1", -1, RangeError, range("lease", "-1")],
    ["1.5", 1.5, RangeError, range("lease", "1.5")],
    ["NaN", NaN, RangeError, range("lease", "NaN")],
    ["2 ** 32", 2 ** 32, RangeError, range("lease", "4294967296")],
  ] as [string, unknown, typeof TypeError, string][]).map((
    [text, size, error, message],
  ): Row => ({
    call: `lease(${text})`,
    run: () => lease(size as Any),
    error,
    message,
  })),
  {
    call: "lease(16n)",
    run: () => lease(16n as Any),
    error: TypeError,
    message: type("lease", "16n"),
  },
  {
    call: `lease(${MAX})`,
    run: () => lease(MAX),
    error: RangeError,
    message: oom("lease", MAX),
  },
  // bind: spawn, then respawn, must be functions (checked before spawn runs)
  ...([
    ["1", 1, "1"],
    ["null", null, "null"],
    ["undefined", undefined, "undefined"],
    ['"f"', "f", '"f"'],
    ["{}", {}, "an object"],
    ['Symbol("s")', Symbol("s"), "Symbol(s)"],
  ] as [string, unknown, string][]).map(([text, bad, got]): Row => ({
    call: `bind(${text}, never)`,
    run: () => bind(bad as Any, never),
    error: TypeError,
    message: fun("bind", "spawn", got),
  })),
  ...([
    ["null", null, "null"],
    ["undefined", undefined, "undefined"],
    ["1", 1, "1"],
    ['"f"', "f", '"f"'],
    ["{}", {}, "an object"],
    ["[]", [], "an object"],
  ] as [string, unknown, string][]).map(([text, bad, got]): Row => ({
    call: `bind(never, ${text})`,
    run: () => bind(never, bad as Any),
    error: TypeError,
    message: fun("bind", "respawn", got),
  })),
  {
    call: "bind(1, null)",
    run: () => bind(1 as Any, null as Any),
    error: TypeError,
    message: fun("bind", "spawn", "1"),
  },
  // watch: the watcher must be a function, the token a weak key
  ...([
    ["null", null, "null"],
    ["undefined", undefined, "undefined"],
    ["1", 1, "1"],
    ['"f"', "f", '"f"'],
    ["{}", {}, "an object"],
    ['Symbol("s")', Symbol("s"), "Symbol(s)"],
  ] as [string, unknown, string][]).map(([text, bad, got]): Row => ({
    call: `watch(${text}, token)`,
    run: () => watch(bad as Any, token),
    error: TypeError,
    message: fun("watch", "watcher", got),
  })),
  ...([
    ["undefined", undefined, "undefined"],
    ["null", null, "null"],
    ["1", 1, "1"],
    ['"t"', "t", '"t"'],
    ["true", true, "true"],
    ['Symbol.for("t")', Symbol.for("t"), "Symbol(t)"],
  ] as [string, unknown, string][]).map(([text, bad, got]): Row => ({
    call: `watch(never, ${text})`,
    run: () => watch(never, bad as Any),
    error: TypeError,
    message: weak("watch", got),
  })),
  {
    call: "watch(never, 5n)",
    run: () => watch(never, 5n as Any),
    error: TypeError,
    message: weak("watch", "5n"),
  },
  {
    call: "watch(null, null)",
    run: () => watch(null as Any, null as Any),
    error: TypeError,
    message: fun("watch", "watcher", "null"),
  }, // malloc and realloc sizes, as alloc's
  ...([
    ['"16"', "16", '"16"'],
    ["16n", 16n, "16n"],
    ["undefined", undefined, "undefined"],
  ] as [string, unknown, string][]).flatMap(([text, size, got]): Row[] => [
    {
      call: `malloc(${text})`,
      run: () => malloc(size as Any),
      error: TypeError,
      message: type("malloc", got),
    },
    {
      call: `realloc(0, ${text})`,
      run: () => realloc(0, size as Any),
      error: TypeError,
      message: type("realloc", got),
    },
  ]),
  ...([[0, "0"], [1.5, "1.5"], [NaN, "NaN"], [2 ** 32, "4294967296"]] as [
    number,
    string,
  ][]).flatMap(([size, got]): Row[] => [
    {
      call: `malloc(${size})`,
      run: () => malloc(size),
      error: RangeError,
      message: range("malloc", got),
    },
    {
      call: `realloc(strong, ${size})`,
      run: () => realloc(kept.strong, size),
      error: RangeError,
      message: range("realloc", got),
    },
  ]),
  {
    call: `malloc(${MAX})`,
    run: () => malloc(MAX),
    error: RangeError,
    message: oom("malloc", MAX),
  },
  {
    call: `realloc(strong, ${MAX})`,
    run: () => realloc(kept.strong, MAX),
    error: RangeError,
    message: oom("realloc", MAX),
  },
  // calloc: counts
  {
    call: 'calloc("1", 16)',
    run: () => calloc("1" as Any, 16),
    error: TypeError,
    message: 'calloc: count must be a number, got "1"',
  },
  {
    call: "calloc(1, null)",
    run: () => calloc(1, null as Any),
    error: TypeError,
    message: "calloc: size must be a number, got null",
  },
  {
    call: "calloc(-1, 16)",
    run: () => calloc(-1, 16),
    error: RangeError,
    message: "calloc: count must be an integer in [0, 4294967295], got -1",
  },
  {
    call: "calloc(1, 0.5)",
    run: () => calloc(1, 0.5),
    error: RangeError,
    message: "calloc: size must be an integer in [0, 4294967295], got 0.5",
  },
  ...([[65536, 65536], [0, 16], [4294967295, 2]] as [number, number][]).map((
    [count, size],
  ): Row => ({
    call: `calloc(${count}, ${size})`,
    run: () => calloc(count, size),
    error: RangeError,
    message:
      `calloc: count * size must be in [1, ${MAX}], got ${count} * ${size}`,
  })),
  // free, realloc, own, disown: pointers
  ...([
    ["free", (p: number) => free(p)],
    ["realloc", (p: number) => realloc(p, 16)],
    ["own", (p: number) => own(p, token)],
  ] as [string, (p: number) => unknown][]).flatMap(([fn, call]): Row[] =>
    [17, 24, 2 ** 32, -(2 ** 31) - 16, 0.5, NaN, Infinity].map((ptr) => ({
      call: `${fn}(${ptr})`,
      run: () => call(ptr),
      error: RangeError,
      message: `${fn}: ${ptr} is not the address of a live strong allocation`,
    }))
  ),
  {
    call: "free(owned)",
    run: () => free(kept.owned),
    error: RangeError,
    message: "free: <owned> is not the address of a live strong allocation",
  },
  {
    call: "disown(strong)",
    run: () => disown(kept.strong),
    error: RangeError,
    message: "disown: <strong> is not the address of a live token allocation",
  },
  {
    call: "disown(24)",
    run: () => disown(24),
    error: RangeError,
    message: "disown: 24 is not the address of a live token allocation",
  },
  ...(["free", "disown"] as const).map((fn): Row => ({
    call: `${fn}("16")`,
    run: () => (fn == "free" ? free : disown)("16" as Any),
    error: TypeError,
    message: `${fn}: ptr must be a number, got "16"`,
  })),
  {
    call: "own(strong, 42)",
    run: () => own(kept.strong, 42 as Any),
    error: TypeError,
    message: weak("own", "42"),
  },
  {
    call: "imports.free(24)",
    run: () => imports.free(24),
    error: RangeError,
    message: "free: 24 is not the address of a live strong allocation",
  },
  // grow and limit: pages
  ...([
    ["grow", (n: unknown) => grow(n as Any)],
    ["limit", (n: unknown) => limit(n as Any)],
  ] as [string, (n: unknown) => unknown][]).map(([fn, call]): Row => ({
    call: `${fn}("1")`,
    run: () => call("1"),
    error: TypeError,
    message: `${fn}: pages must be a number, got "1"`,
  })),
  ...[-1, 0.5, NaN, 2 ** 53 + 2].map((pages): Row => ({
    call: `grow(${pages})`,
    run: () => grow(pages),
    error: RangeError,
    message: `grow: pages must be an integer in [0, ${2 ** 53}], got ${pages}`,
  })),
  {
    call: "grow(65536)",
    run: () => grow(65536),
    error: RangeError,
    message: "grow: out of memory, cannot add 65536 pages to <pages>",
  },
  // alignments
  ...[0, 8, 24, 1.5, -16, 0x2_0000, NaN].flatMap((align): Row[] => [
    {
      call: `allocAligned(16, ${align}, token)`,
      run: () => allocAligned(16, align, token),
      error: RangeError,
      message:
        `allocAligned: align must be a power of two from 16 to 65536, got ${align}`,
    },
    {
      call: `malloc(16, ${align})`,
      run: () => malloc(16, align),
      error: RangeError,
      message:
        `malloc: align must be a power of two from 16 to 65536, got ${align}`,
    },
  ]),
  {
    call: "allocAligned(16)",
    run: () => (allocAligned as Any)(16),
    error: TypeError,
    message: "allocAligned: align must be a number, got undefined",
  },
  {
    call: 'lease(16, "64")',
    run: () => lease(16, "64" as Any),
    error: TypeError,
    message: 'lease: align must be a number, got "64"',
  },
  {
    call: "allocAligned(16, 64, 42)",
    run: () => allocAligned(16, 64, 42 as Any),
    error: TypeError,
    message: weak("allocAligned", "42"),
  },
  // protect and restrict: ranges
  {
    call: 'protect("16", 16)',
    run: () => protect("16" as Any, 16),
    error: TypeError,
    message: 'protect: ptr must be a number, got "16"',
  },
  ...([[16, 0], [16, 1.5], [-1.5, 16], [2 ** 32, 16]] as [number, number][])
    .map(([ptr, size]): Row => ({
      call: `protect(${ptr}, ${size})`,
      run: () => protect(ptr, size),
      error: RangeError,
      message:
        `protect: ptr must be an address and size an integer from 1, got ${ptr} and ${size}`,
    })),
  {
    call: "protect(strong, 16)",
    run: () => protect(kept.strong, 16),
    error: RangeError,
    message:
      "protect: 0x<strong:hex>–0x<strong+16:hex> is not free (it overlaps an allocation or a protected range)",
  },
  {
    call: "restrict(256, 128)",
    run: () => restrict(256, 128),
    error: RangeError,
    message: "restrict: the range 256–128 holds no block of mem",
  },
  {
    call: "restrict(null, 128)",
    run: () => restrict(null as Any, 128),
    error: TypeError,
    message: "restrict: start must be a number, got null",
  },
  // bindSegments' binary, debug, render
  {
    call: "bindSegments(never, never, new Uint8Array(4))",
    run: () => bindSegments(never, never, new Uint8Array(4)),
    error: TypeError,
    message:
      "bindSegments: binary must be a WebAssembly module's bytes, got an object",
  },
  {
    call: 'debug("yes")',
    run: () => debug("yes" as Any),
    error: TypeError,
    message: 'debug: on must be a boolean, got "yes"',
  },
  {
    call: "render({ width: 0 })",
    run: () => render({ width: 0 }),
    error: RangeError,
    message: "render: width must be a positive integer, got 0",
  },
  {
    call: 'policy("worst")',
    run: () => policy("worst" as Any),
    error: TypeError,
    message: 'policy: name must be "best", "first" or "next", got "worst"',
  },
  // unwatch: watchers and tokens
  {
    call: "unwatch(1)",
    run: () => unwatch(1 as Any),
    error: TypeError,
    message: weak("unwatch", "1"),
  },
  {
    call: 'unwatch("f", token)',
    run: () => unwatch("f" as Any, token),
    error: TypeError,
    message: fun("unwatch", "watcher", '"f"'),
  },
  {
    call: "unwatch(never, null)",
    run: () => unwatch(never, null as Any),
    error: TypeError,
    message: weak("unwatch", "null"),
  },
];

Deno.test("setup: a heap with live allocations and holes", async () => {
  const made: number[] = [];
  for (let i = 0; i < 120; i++) {
    made.push(live.alloc(1 + Math.floor(rand() * 2000)));
  }
  live.drop(made.filter(() => rand() < 0.4));
  await live.collect();
  // Through `live`, so that its model knows them; disowned, one is strong.
  kept.owned = live.alloc(48);
  kept.strong = live.alloc(48);
  disown(kept.strong);
  live.check();
  assert.ok(rows.length >= 40, `${rows.length} rows`);
});

for (const row of rows) {
  Deno.test({
    name: `${row.call} throws ${row.error.name}` +
      (row.known ? ` (known issue: ${row.known})` : ""),
    ignore: row.known !== undefined,
    fn() {
      const before = { mem, buf, cap };
      const message = row.message
        .replace("<strong:hex>", kept.strong.toString(16))
        .replace("<strong+16:hex>", (kept.strong + 16).toString(16))
        .replace("<strong>", String(kept.strong))
        .replace("<owned>", String(kept.owned))
        .replace("<pages>", String(cap / 4096));
      assert.throws(row.run, (error: Error) => {
        assert.equal(error.constructor, row.error, String(error));
        assert.equal(error.message, message);
        return true;
      });
      assert.equal(mem, before.mem, "mem unchanged");
      assert.equal(buf, before.buf, "buf unchanged");
      assert.equal(cap, before.cap, "cap unchanged");
      live.check();
    },
  });
}

Deno.test("no callback from a bad call was kept or run: a grow and a trim run none", () => {
  live.scratch(cap * 16);
  live.trim();
  assert.equal(ran, 0);
  live.check();
  const known = rows.filter((row) => row.known).length;
  console.log(
    `bad inputs: ${rows.length} calls across every export ` +
      `(${rows.length - known} checked, ${known} known issues ignored)`,
  );
});
