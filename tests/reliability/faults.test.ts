/**
 * Fault injection: `mem.grow` failing, the new Memory of a
 * `trim()` failing, respawns and watchers that throw, and `alloc`/`trim`
 * called from inside a watcher, a respawn or another library's finalizer.
 *
 * Every allocation of this file goes through {@linkcode Live}, which keeps
 * each live allocation's checksum and a reference model of placement; after
 * every fault the heap passes `live.check()`: live bytes unchanged, spans
 * disjoint, aligned and in range, and scratch placements equal to the model's
 * best fit (so the core's free-span index is consistent).
 */

import assert from "node:assert/strict";
import {
  alloc,
  bind,
  buf,
  calloc,
  cap,
  disown,
  grow,
  imports,
  malloc,
  mem,
  type OutOfMemory,
  own,
  realloc,
  stats,
  trim,
  watch,
} from "../../mod.ts";
import { Boom, Live, random } from "./_common.ts";

const live = new Live();
const rand = random(7_2026);
const PAGE = 65536;
let injected = 0;
let reentrant = 0;

/** What the callbacks below do; each test switches one fault on and off. */
const faults = {
  respawnThrows: false,
  watcherThrows: false,
  /** Runs once, from the next respawn. */
  inRespawn: null as (() => void) | null,
  /** Runs once, from the next watcher run. */
  inWatcher: null as (() => void) | null,
};
const runs = { respawn: 0, otherRespawn: 0, watcher: 0, otherWatcher: 0 };

bind(
  () => {},
  live.callback(() => {
    runs.respawn++;
    const action = faults.inRespawn;
    faults.inRespawn = null;
    if (action) {
      reentrant++;
      action();
    }
    if (faults.respawnThrows) {
      injected++;
      throw new Boom("respawn");
    }
  }),
);
bind(() => {}, live.callback(() => runs.otherRespawn++));
const watched = live.token();
watch(
  live.callback(() => {
    runs.watcher++;
    const action = faults.inWatcher;
    faults.inWatcher = null;
    if (action) {
      reentrant++;
      action();
    }
    if (faults.watcherThrows) {
      injected++;
      throw new Boom("watcher");
    }
  }),
  live.tokenOf(watched),
);
watch(live.callback(() => runs.otherWatcher++), live.tokenOf(watched));

/** A request that cannot fit without growing. */
const tooBig = () => cap * 16;
/** Scratch growth: leaves a long free tail for trim to release. */
const growTail = () => live.scratch(cap * 16);

/** Replaces `WebAssembly.Memory.prototype.grow` while `body` runs. */
function refuseGrow<T>(refuse: (delta: number) => boolean, body: () => T): T {
  const grow = WebAssembly.Memory.prototype.grow;
  WebAssembly.Memory.prototype.grow = function (delta: number) {
    if (refuse(delta)) {
      injected++;
      throw new RangeError("injected: WebAssembly.Memory.grow refused");
    }
    return grow.call(this, delta);
  };
  try {
    return body();
  } finally {
    WebAssembly.Memory.prototype.grow = grow;
  }
}

const same = () => {
  const before = { mem, buf, cap, runs: { ...runs } };
  return () => {
    assert.equal(mem, before.mem, "mem is the same object");
    assert.equal(buf, before.buf, "buf is the same buffer");
    assert.equal(cap, before.cap);
    assert.deepEqual(runs, before.runs, "no callback ran");
  };
};

const outOfMemory = (size: number) => (error: unknown) =>
  error instanceof RangeError &&
  error.message === `alloc: out of memory, cannot fit ${size} bytes`;

Deno.test("setup: a fragmented heap of live allocations, some freed by the GC", async () => {
  const made: number[] = [];
  for (let i = 0; i < 400; i++) {
    const size = 1 + Math.floor(rand() * (rand() < 0.9 ? 600 : 9000));
    made.push(rand() < 0.2 ? live.lease(size) : live.alloc(size));
  }
  live.drop(made.filter(() => rand() < 0.4));
  await live.collect();
  live.check();
  assert.ok(live.records.size > 150);
});

Deno.test("mem.grow throws: alloc (with a token or scratch) is out of memory, nothing changed", () => {
  const unchanged = same();
  const size = tooBig();
  refuseGrow(() => true, () => {
    assert.throws(() => live.alloc(size), outOfMemory(size));
    assert.throws(() => live.scratch(size), outOfMemory(size));
  });
  unchanged();
  live.check();
});

Deno.test("mem.grow throws: malloc, calloc, realloc and grow are out of memory with a cause; imports return 0; nothing changed", () => {
  const token = live.token();
  const ptr = live.alloc(64, token);
  disown(ptr); // strong, for realloc
  const unchanged = same();
  const before = stats();
  const size = tooBig();
  const refused = (name: string, asked: number) => (error: unknown) => {
    assert.ok(error instanceof RangeError, String(error));
    assert.match(error.message, new RegExp(`^${name}: out of memory`));
    assert.deepEqual(error.cause as OutOfMemory, {
      asked,
      capacity: cap * 16,
      largest: before.largest,
      limit: 2 ** 32,
    });
    return true;
  };
  refuseGrow(() => true, () => {
    assert.throws(() => malloc(size), refused("malloc", size));
    assert.throws(() => calloc(size / 16, 16), refused("calloc", size));
    assert.throws(() => realloc(ptr, size), refused("realloc", size));
    assert.throws(() => grow(1), refused("grow", PAGE));
    assert.equal(imports.malloc(size), 0);
    assert.equal(imports.calloc(size, 1), 0);
    assert.equal(imports.realloc(ptr, size), 0);
  });
  unchanged();
  assert.deepEqual(stats(), before);
  own(ptr, live.tokenOf(token)); // back to its token, as the model has it
  live.check();
});

Deno.test("mem.grow refuses the geometric step: exactly what is needed is grown instead", () => {
  growTail();
  live.trim(); // a tail shorter than a page
  const pages = buf.byteLength / PAGE;
  const last = live.model.spans.at(-1)!;
  const tail = last.used ? 0 : last.blocks;
  const longest = Math.max(
    ...live.model.spans.map((s) => s.used ? 0 : s.blocks),
  );
  const blocks = longest + 1; // fits nowhere: mem must grow
  const need = Math.ceil((blocks - tail) / 4096);
  assert.ok(pages >>> 1 > need, "the geometric step is more than needed");
  refuseGrow((delta) => delta > need, () => live.alloc(blocks * 16));
  assert.equal(buf.byteLength, (pages + need) * PAGE, "grew by what is needed");
  live.check();
});

Deno.test("new WebAssembly.Memory throws in trim: RangeError with the cause, nothing changed", () => {
  growTail();
  const unchanged = same();
  const Memory = WebAssembly.Memory;
  const cause = new RangeError("injected: out of memory");
  // deno-lint-ignore no-explicit-any
  (WebAssembly as any).Memory = function () {
    injected++;
    throw cause;
  };
  try {
    assert.throws(
      () => live.trim(),
      (error: Error) =>
        error instanceof RangeError &&
        /^trim: cannot create a memory of \d+ bytes$/.test(error.message) &&
        error.cause === cause,
    );
  } finally {
    WebAssembly.Memory = Memory;
  }
  unchanged();
  live.check();
  assert.ok(live.trim() > 0, "the same trim works once memory can be had");
  live.check();
});

Deno.test("a respawn that throws: the other callbacks run, the trim is done, the error rethrown", () => {
  growTail();
  const before = { ...runs };
  faults.respawnThrows = true;
  try {
    assert.throws(() => live.trim(), (e) => e instanceof Boom);
  } finally {
    faults.respawnThrows = false;
  }
  assert.equal(runs.otherRespawn, before.otherRespawn + 1);
  assert.equal(runs.watcher, before.watcher + 1);
  assert.equal(runs.otherWatcher, before.otherWatcher + 1);
  live.check();
  assert.equal(live.trim(), 0, "the trim was done");
});

Deno.test("a respawn and a watcher that both throw: one AggregateError, in order", () => {
  growTail();
  faults.respawnThrows = faults.watcherThrows = true;
  try {
    assert.throws(() => live.trim(), (error) => {
      assert.ok(error instanceof AggregateError);
      assert.deepEqual(
        error.errors.map((e: Error) => e.message),
        ["boom: respawn", "boom: watcher"],
      );
      return true;
    });
  } finally {
    faults.respawnThrows = faults.watcherThrows = false;
  }
  live.check();
});

Deno.test("trim() from inside a watcher, during growth by alloc and by scratch", () => {
  faults.inWatcher = () => live.trim();
  live.alloc(tooBig());
  assert.equal(faults.inWatcher, null, "the watcher ran");
  live.check();
  const top = live.model.spans.at(-1)!;
  assert.ok(top.used || top.blocks < 4096, "trimmed to the page");
  // Scratch: the watcher's trim gives the new pages back, so alloc grows
  // again before it returns; the address is still the model's.
  faults.inWatcher = () => live.trim();
  live.scratch(tooBig());
  live.check();
});

Deno.test("alloc() from inside a watcher grows mem again; both placements follow the model", () => {
  const before = cap;
  faults.inWatcher = () => {
    live.alloc(tooBig() * 2);
    live.alloc(100);
  };
  live.alloc(tooBig());
  assert.ok(cap > before * 3, "grew twice");
  live.check();
});

Deno.test("alloc() and trim() from inside a respawn, including growth inside the trim", () => {
  growTail();
  faults.inRespawn = () => {
    live.alloc(48);
    live.alloc(tooBig()); // grows while the outer trim runs its callbacks
    live.trim();
    live.alloc(5000);
  };
  live.trim();
  assert.equal(faults.inRespawn, null, "the respawn ran");
  live.check();
});

Deno.test("mem.grow fails inside a respawn's alloc: the trim is done, the error rethrown", () => {
  growTail();
  let size = 0;
  faults.inRespawn = () => {
    size = tooBig();
    refuseGrow(() => true, () => live.alloc(size));
  };
  assert.throws(() => live.trim(), (error) => outOfMemory(size)(error));
  live.check();
  assert.equal(live.trim(), 0, "the trim was done");
});

Deno.test("a lease disposed from inside a watcher and a respawn; placements follow", () => {
  const leases = [100, 3000, 17, 640].map((size) => live.lease(size));
  faults.inWatcher = () => {
    live.dispose(leases[0]);
    live.alloc(90);
    live.dispose(leases[1]);
  };
  live.alloc(tooBig());
  assert.equal(faults.inWatcher, null, "the watcher ran");
  live.check();
  growTail();
  faults.inRespawn = () => {
    live.dispose(leases[2]);
    live.alloc(20);
    live.dispose(leases[3]);
    live.lease(600);
  };
  live.trim();
  assert.equal(faults.inRespawn, null, "the respawn ran");
  live.check();
});

Deno.test("another library's FinalizationRegistry callback calls alloc, trim and dispose", async () => {
  // Holes of one block between walls: freeing them cannot change where a
  // request of two blocks or more goes, nor what trim releases, whichever
  // registry's callbacks run first.
  live.plug();
  const holes: number[] = [];
  for (let i = 0; i < 50; i++) {
    live.alloc(16);
    holes.push(live.alloc(16));
  }
  live.alloc(16);
  const leases: number[] = [];
  for (let i = 0; i < 5; i++) {
    leases.push(live.lease(64 + i * 16));
    live.alloc(16);
  }
  let otherRuns = 0;
  const other = new FinalizationRegistry<number>((n) => {
    live.settle();
    otherRuns++;
    reentrant++;
    live.dispose(leases[n]);
    live.alloc(32 + n * 16);
    live.scratch(tooBig());
    live.trim();
  });
  ((count: number) => {
    for (let n = 0; n < count; n++) other.register({}, n);
  })(5);
  live.drop(holes);
  await live.collect();
  for (let round = 0; otherRuns < 5 && round < 50; round++) {
    await new Promise((resolve) => setTimeout(resolve, 0));
    (globalThis as { gc?: () => void }).gc?.();
  }
  assert.equal(otherRuns, 5, "the other registry's callbacks ran");
  live.check();
});

// A call that throws holds nothing. These come last before the final check:
// if one held a span here, the model would lose step with the heap for every
// test after it.
Deno.test("mem.grow fails inside a watcher's alloc: the error is rethrown, and neither alloc holds anything", () => {
  const size = tooBig();
  const before = { records: live.records.size, used: stats().used };
  let inner = 0;
  faults.inWatcher = () => {
    inner = tooBig() * 2;
    refuseGrow(() => true, () => live.alloc(inner));
  };
  assert.throws(() => live.alloc(size), (error) => outOfMemory(inner)(error));
  assert.ok(inner > 0, "the watcher ran");
  assert.deepEqual(
    { records: live.records.size, used: stats().used },
    before,
    "nothing held",
  );
  live.check();
});

Deno.test("a watcher that throws on growth: the error is rethrown, and the call holds nothing", () => {
  faults.watcherThrows = true;
  try {
    for (const call of [live.alloc, live.lease, live.scratch]) {
      const before = { records: live.records.size, used: stats().used };
      assert.throws(() => call.call(live, tooBig()), (e) => e instanceof Boom);
      assert.deepEqual(
        { records: live.records.size, used: stats().used },
        before,
        `${call.name}: nothing held`,
      );
      live.check();
    }
  } finally {
    faults.watcherThrows = false;
  }
  live.check();
});

Deno.test("afterwards: everything dropped, collected and trimmed leaves one page, no byte lost", async () => {
  const before = live.records.size;
  assert.ok(before > 100);
  live.drop([...live.records.keys()]);
  await live.collect();
  assert.equal(live.records.size, 0);
  live.trim();
  assert.equal(buf.byteLength, PAGE);
  assert.equal(alloc(PAGE - 16), 16, "one free span: the whole page");
  live.check();
  console.log(
    `faults: ${injected} injected failures, ${reentrant} re-entrant ` +
      `callbacks, ${live.checks} full checks (${live.probes} scratch ` +
      `probes), callback runs ${JSON.stringify(runs)}`,
  );
  assert.ok(injected >= 10);
  assert.ok(trim() === 0);
});
