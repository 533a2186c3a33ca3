/**
 * LEWD Alloc: a tiny JS-side allocator for hand-written WebAssembly.
 *
 * One shared {@linkcode mem} that your modules import; addresses handed out
 * from JS, freed when a JS "token" object is garbage-collected; scratch space
 * for temporary buffers; {@linkcode trim} to give pages back; notifications
 * when the memory is resized. Beyond the seed: strong allocations
 * ({@linkcode malloc}, {@linkcode free}, {@linkcode realloc},
 * {@linkcode calloc}), the same for modules to import ({@linkcode imports}),
 * {@linkcode own}/{@linkcode disown} to change who frees an allocation,
 * {@linkcode grow}, {@linkcode limit} and {@linkcode stats}; aligned
 * allocations, {@linkcode protect}ed ranges, modules with data segments
 * ({@linkcode bind}), and a debugger ({@linkcode check}, {@linkcode render}).
 * The bookkeeping runs in under 2 KiB of embedded WebAssembly and never writes
 * into {@linkcode mem} (outside {@linkcode debug} mode).
 *
 * @example Allocate 16 bytes for as long as an object lives
 * ```ts
 * import { alloc, i32 } from "@lewd/alloc";
 *
 * const point = { x: 0 };
 * const ptr = alloc(16, point); // freed after `point` is collected
 * i32[ptr >>> 2] = 42;
 * ```
 *
 * @module
 */

import { core as coreBytes, ext as extBytes } from "./lib/core.generated.ts";

/** The core's exports: block-based, i32 only (see `rs_lib/src/lib.rs`). */
interface Core {
  take(blocks: number): number;
  peek(blocks: number): number;
  free(block: number): number;
  tail(): number;
  grow(cap: number): number;
  cut(cap: number): number;
  memory: WebAssembly.Memory;
}

/**
 * The core's extension: the same heap, through the core's memory (see
 * `rs_lib/src/lib.rs`), loaded on first use by what needs it.
 */
interface Ext {
  span(block: number): number;
  flip(block: number): number;
  resize(block: number, blocks: number): number;
  stat(which: number): number;
  aligned(blocks: number, align: number, commit: number): number;
  claim(start: number, at: number, blocks: number): number;
  first(blocks: number, from: number): number;
}

const PAGE_BLOCKS = 4096;
const MAX_PAGES = 65536;
const MAX_SIZE = 0xFFFF_FFF0;
/** `core.span`: the strong bit, above the length bits (bit 31: free). */
const STRONG = 0x4000_0000;
const LENGTH = 0x0FFF_FFFF;
/** Held values from here up name a cancellable registration (`adopt`). */
const KEYED = 0x1000_0000;

// What this heap was made from. The module's own heap adopts nothing; in
// lib/heap.generated.ts (built from this file) it is `createHeap`'s argument.
const options: HeapOptions = {};

/**
 * The active memory object. Modules import it (e.g. as `env.mem`).
 *
 * @example
 * ```ts
 * import { mem } from "@lewd/alloc";
 *
 * // (module (import "env" "mem" (memory 1))), compiled:
 * const bytes = new Uint8Array([
 *   0, 97, 115, 109, 1, 0, 0, 0, 2, 12, 1, 3, 101, 110, 118, 3, 109, 101, 109,
 *   2, 0, 1,
 * ]);
 * const module = new WebAssembly.Module(bytes);
 * const instance = new WebAssembly.Instance(module, { env: { mem } });
 * ```
 */
export let mem: WebAssembly.Memory =
  /*#__PURE__*/ (() =>
    options.memory ?? new WebAssembly.Memory({ initial: 1 }))();

/**
 * The active buffer object: `mem.buffer`, rebound on every resize.
 *
 * @example
 * ```ts
 * import { alloc, buf } from "@lewd/alloc";
 *
 * const owner = {};
 * const ptr = alloc(64, owner);
 * // Views over `buf` go stale when mem is resized: rebuild them in a watcher.
 * new Uint8Array(buf, ptr >>> 0, 64).fill(0xff);
 * ```
 */
// Read through a pure call: a bare top-level `mem.buffer` is a property read
// that bundlers must keep, and with it the memory, in every bundle that
// imports this module, even one that uses none of it.
export let buf: ArrayBuffer = /*#__PURE__*/ (() => mem.buffer as ArrayBuffer)();

/**
 * The active signed 32-bit view over all of {@linkcode buf}.
 *
 * @example
 * ```ts
 * import { alloc, i32 } from "@lewd/alloc";
 *
 * const owner = {};
 * const ptr = alloc(16, owner);
 * i32[(ptr >>> 2) + 1] = 7; // the allocation's second word
 * ```
 */
export let i32: Int32Array = /*#__PURE__*/ new Int32Array(buf);

/**
 * The active memory size in 16-byte blocks (`2 ** 28` at 4 GiB).
 *
 * @example
 * ```ts
 * import { cap } from "@lewd/alloc";
 *
 * const bytes = cap * 16; // mem.buffer.byteLength
 * ```
 */
export let cap: number = /*#__PURE__*/ (() => buf.byteLength / 16)();

const compile = (base64: string): WebAssembly.Module =>
  new WebAssembly.Module(Uint8Array.from(atob(base64), (c) => c.charCodeAt(0)));

const core: Core = /*#__PURE__*/ (() => {
  const exports = new WebAssembly.Instance(compile(coreBytes))
    .exports as unknown as Core;
  exports.grow(cap);
  return exports;
})();

let extension: Ext | undefined;

/** The extension, instantiated over the core's memory the first time. */
const ext = (): Ext =>
  extension ??= new WebAssembly.Instance(compile(extBytes), {
    env: { memory: core.memory },
  }).exports as unknown as Ext;

/**
 * Where the next `blocks` go, and taking them there: best fit, the core's
 * own rule, unless {@linkcode policy} chose another.
 */
let spot = (blocks: number): number => core.peek(blocks);
let place = (blocks: number): number => core.take(blocks);

// The held value is the block index (a small integer): nothing per allocation
// references the token, and no object is created for it. Registrations that
// can be cancelled (`own`, `lease`) hold `KEYED + block` instead.
const registry = /*#__PURE__*/ new FinalizationRegistry<number>((held) => {
  debt = 0; // a collection happened: start counting again
  collected = true;
  finalize(held);
});

/**
 * Frees what a finalized registration held. Plain until `own`, `disown` or
 * `lease` first runs (see `kinds`): a bundle that uses none of them carries
 * none of that bookkeeping.
 */
let finalize = (block: number): unknown => unspan(block);

/** Frees `block` in the core (`debug` makes it fill the span first). */
let unspan = (block: number): unknown => core.free(block);

/**
 * Called with each range of blocks that becomes free other than by `unspan`
 * (new pages, the cut end of a `realloc`), and with each scratch; `debug`
 * makes it keep its fill pattern and its list of scratches.
 */
let freshen = (_block: number, _blocks: number, _scratch?: boolean): void => {};
/** Whether `debug` mode is on (the scratch path only looks at this). */
let debugging = false;

// Pointer kinds. An `alloc(size, token)` registration cannot be cancelled (an
// unregister token would slow the hot path), so `disown` leaves it pending as
// an **orphan**: `orphans` maps its block to whether the span has been freed
// since. A freed span with an orphan stays reserved until the orphan's
// finalizer comes, so that finalizer can never free a later allocation at the
// same address. `keys` maps the block of each cancellable registration to its
// unregister token.
const orphans = /*#__PURE__*/ new Map<number, boolean>();
const keys = /*#__PURE__*/ new Map<number, object>();

/** Makes the finalizer tell orphans and cancellable registrations apart. */
const kinds = (): void => {
  finalize = (held) => {
    if (held >= KEYED) {
      keys.delete(held -= KEYED);
      release(held);
    } else {
      // An orphan's own finalizer frees only if the span was freed meanwhile.
      if (orphans.get(held) !== false) unspan(held);
      orphans.delete(held);
    }
  };
};

/** Frees `block` now, or when its orphan's finalizer comes. */
const release = (block: number): void => {
  if (orphans.has(block)) orphans.set(block, true);
  else unspan(block);
};

/** Registers `token` as the owner of `block`; returns the unregister key. */
const adopt = (block: number, token: WeakKey): object => {
  kinds();
  const key = {};
  registry.register(token, KEYED + block, key);
  keys.set(block, key);
  return key;
};

// GC pressure (pitfall 10, issue 8). Engines do not treat `mem` as memory the
// collector should care about (V8 15 counts it, but one growth step is far
// below what starts a collection), so with nobody calling `gc()` tokens die
// long after their spans could have been reused and `mem` balloons. So
// `alloc` keeps `debt`, the blocks handed out with a token since the last
// check, and past `nudgeAt` calls `nudge`: a throwaway ArrayBuffer, never
// touched (address space, no RSS), which engines count as external memory
// and answer with a major GC. V8 11 and V8 15 answer differently; the rules
// come from their sources and from bench/gc/FINDINGS.md:
//
// - `nudgeAt` is a sixteenth of `mem`, at least 512 KiB, but 4 MiB while
//   `mem` is under 4 MiB: the GC a nudge starts costs up to about 1 ms, and
//   nudging small heaps every sixteenth doubled the time of
//   `alloc(size, token)` at 1 000 live spans.
// - Outside browsers (Node 20, Deno 2) every check drops a 256 MiB buffer.
//   In V8 11 each starts a major GC; in V8 15 about every other one does.
// - In a browser window with `transfer` (Chromium) the buffer is detached at
//   once: counted in the constructor, where V8 decides, but not in the limits
//   the GC then sets (a dropped one is, and the next nudge falls short). V8
//   checks again only above the last peak. So: after a finalizer (that GC
//   ran), nudge with 512 MiB; with none, skip three checks (a collection
//   takes that long, and a nudge during one inflates the next limit), then
//   nudge with twice the last size, up to 1 GiB. Until its first major GC V8
//   allows about 385 MB, so the first three nudges come every 512 KiB and
//   double without waiting. This took Chromium from 5.9× to 1.7× in the churn
//   benchmark; in Deno, whose loop runs V8's GC tasks later, it sometimes
//   stalled for good (up to 30×), so Deno drops.
//
// Literals, not expressions, keep bundles that use nothing empty.
const NUDGE = 0x2000_0000; // 512 MiB, detached
const NUDGE_MAX = 0x4000_0000; // 1 GiB
const SMALL = 0x4_0000; // blocks: 4 MiB
const PRIMING = 0x8000; // blocks: 512 KiB
let debt = 0;
let nudgeAt = PRIMING; // re-derived by `pace`
let nudgeSize = 0x1000_0000; // 256 MiB: dropped, or the first detached
/** Early nudges left before the engine's first collection is seen. */
let priming = 3;
/** Checks skipped since the last nudge, with no finalizer run since. */
let skipped = 0;
/** Whether a finalizer ran since the last nudge. */
let collected = false;
/** The most pages `mem` may have (`limit`). */
let maxPages = MAX_PAGES;

const detaches =
  /*#__PURE__*/ (() =>
    "document" in globalThis && "transfer" in ArrayBuffer.prototype)();

/** Re-derives `nudgeAt` from `cap` and the priming. */
const pace = (): void => {
  nudgeAt = cap < SMALL && !(detaches && priming)
    ? SMALL
    : Math.max(cap >>> 4, PRIMING);
};

/** `transfer` is ES2024: typed here for the npm build's older lib. */
type Detachable = ArrayBuffer & { transfer(length: number): ArrayBuffer };

const nudge = (): void => {
  debt = 0;
  if (detaches) {
    if (collected) [nudgeSize, skipped, priming] = [NUDGE, 0, 0];
    else if (priming) priming--, nudgeSize = Math.min(nudgeSize * 2, NUDGE_MAX);
    else if (++skipped < 4) return;
    else [nudgeSize, skipped] = [Math.min(nudgeSize * 2, NUDGE_MAX), 0];
    collected = false;
    pace();
  }
  try {
    const buffer = new ArrayBuffer(nudgeSize);
    if (detaches) (buffer as Detachable).transfer(0);
  } catch {
    // No room for the throwaway: the engine is collecting already.
  }
};

const respawns: (() => unknown)[] = [];

// Watchers are reachable only through their token (an ephemeron), so a watcher
// that captures its token does not keep it alive. The weak refs let a resize
// find the tokens still alive; they are swept on resize and as they pile up.
const watchers = /*#__PURE__*/ new WeakMap<WeakKey, Set<() => unknown>>();
let tokens: WeakRef<WeakKey>[] = [];
let swept = 64;

const describe = (value: unknown): string =>
  typeof value == "string"
    ? JSON.stringify(value)
    : typeof value == "function"
    ? "a function"
    : value && typeof value == "object"
    ? "an object"
    : typeof value == "bigint"
    ? value + "n"
    : String(value);

const isWeakKey = (value: unknown): value is WeakKey =>
  typeof value == "object" ? value !== null : typeof value == "function" ||
    typeof value == "symbol" && Symbol.keyFor(value) === undefined;

const checkWeakKey = (name: string, value: unknown): void => {
  if (!isWeakKey(value)) {
    throw new TypeError(
      `${name}: token must be an object or a non-registered symbol, got ${
        describe(value)
      }`,
    );
  }
};

const checkFunction = (name: string, what: string, value: unknown): void => {
  if (typeof value != "function") {
    throw new TypeError(
      `${name}: ${what} must be a function, got ${describe(value)}`,
    );
  }
};

const rebind = (next: WebAssembly.Memory): void => {
  mem = next;
  buf = next.buffer as ArrayBuffer; // never shared: we create it
  i32 = new Int32Array(buf);
  cap = buf.byteLength / 16;
  pace();
};

/**
 * Runs the respawns (after a trim), then every live watcher; rethrows what
 * they threw once all have run.
 */
const notify = (respawning: boolean): void => {
  const errors: unknown[] = [];
  const run = (callback: () => unknown) => {
    try {
      callback();
    } catch (error) {
      errors.push(error);
    }
  };
  if (respawning) respawns.slice().forEach(run);
  const refs = tokens;
  tokens = [];
  for (const ref of refs) {
    const token = ref.deref();
    if (token !== undefined) {
      tokens.push(ref);
      [...watchers.get(token)!].forEach(run);
    }
  }
  swept = Math.max(64, tokens.length * 2);
  if (errors.length) {
    throw errors.length == 1
      ? errors[0]
      : new AggregateError(errors, "lewd: resize callbacks threw");
  }
};

/**
 * Adds `pages` to `mem` (and the core's records) and rebinds; false, changing
 * nothing, if the core or the engine refuses.
 */
const enlarge = (pages: number): boolean => {
  // The core reserves its records first, so a refusal changes nothing.
  const was = cap;
  if (core.grow(cap + pages * PAGE_BLOCKS)) {
    try {
      mem.grow(pages);
      rebind(mem);
      freshen(was, cap - was);
      return true;
    } catch {
      core.cut(cap);
    }
  }
  return false;
};

/**
 * Grows `mem` so that the free tail holds `blocks`: by half the current size
 * or by what is needed, whichever is more (geometric growth keeps `mem.grow`
 * calls, each of which detaches the buffer, to a few dozen for any heap), and
 * by exactly what is needed if the engine refuses the larger step; never past
 * the {@linkcode limit}. False, changing nothing, if it cannot.
 */
const expand = (blocks: number): boolean => {
  const pages = cap / PAGE_BLOCKS;
  const need = Math.ceil((blocks - core.tail()) / PAGE_BLOCKS);
  const room = maxPages - pages;
  return need <= room &&
    (enlarge(Math.min(Math.max(need, pages >>> 1), room)) || enlarge(need));
};

/**
 * The longest free span, in blocks: the most that `peek` can place, by
 * bisection (about 28 calls; for errors only, which should not load the
 * extension for it).
 */
const longest = (): number => {
  let [low, high] = [0, cap];
  while (low < high) {
    const mid = (low + high + 1) >>> 1;
    if (core.peek(mid)) low = mid;
    else high = mid - 1;
  }
  return low;
};

/** What {@linkcode OutOfMemory} gives as the `cause` of the error. */
const outOfMemory = (message: string, asked: number): RangeError =>
  new RangeError(message, {
    cause: {
      asked,
      capacity: cap * 16,
      largest: longest() * 16,
      limit: maxPages * 0x1_0000,
    } satisfies OutOfMemory,
  });

const cannotFit = (name: string, size: number): RangeError =>
  outOfMemory(`${name}: out of memory, cannot fit ${size} bytes`, size);

/**
 * The blocks that `size` bytes take; throws if `size` is not an integer from 1
 * to `MAX_SIZE`.
 */
const blocksOf = (name: string, size: number): number => {
  if (typeof size != "number") {
    throw new TypeError(
      `${name}: size must be a number, got ${describe(size)}`,
    );
  }
  if (size >>> 0 !== size || size == 0 || size > MAX_SIZE) {
    throw new RangeError(
      `${name}: size must be an integer in [1, ${MAX_SIZE}], got ${size}`,
    );
  }
  return (size + 15) >>> 4;
};

/**
 * The block where `blocks` go now, after growing `mem` and running the
 * watchers (which may allocate) as often as it takes; 0 if `mem` cannot grow
 * that far and `soft`, else that throws. A watcher that trims on every resize
 * would undo each growth: give up after a few rounds rather than loop forever.
 */
const room = (
  name: string,
  size: number,
  blocks: number,
  soft?: boolean,
  align = 1,
  fit: (blocks: number) => number = spot,
): number => {
  let block;
  for (let round = 0; !(block = fit(blocks)); round++) {
    if (round == 3) {
      throw new RangeError(
        `${name}: resize callbacks keep releasing the room for ${size} bytes`,
      );
    }
    // An aligned span may start up to `align - 1` blocks into the tail.
    if (!expand(blocks + align - 1)) {
      if (soft) return 0;
      throw cannotFit(name, size);
    }
    notify(false);
  }
  return block;
};

/**
 * Takes the span where `blocks` go at a multiple of `align` blocks, after
 * growing `mem` and running the watchers as `room` does; 0 if `soft` and
 * out of memory.
 */
const reserve = (
  name: string,
  size: number,
  blocks: number,
  align: number,
  soft?: boolean,
): number =>
  align > 1
    ? room(
      name,
      size,
      blocks,
      soft,
      align,
      (n) => ext().aligned(n, align, 0),
    ) &&
      ext().aligned(blocks, align, 1)
    : room(name, size, blocks, soft) && place(blocks);

/**
 * An alignment in bytes as blocks: 1 for `undefined` if it is `optional` (16
 * bytes); throws unless it is a power of two from 16 to 65 536.
 */
const alignOf = (
  name: string,
  align: number | undefined,
  optional = true,
): number => {
  if (align === undefined && optional) return 1;
  if (typeof align != "number") {
    throw new TypeError(
      `${name}: align must be a number, got ${describe(align)}`,
    );
  }
  if (!(align >= 16 && align <= 0x1_0000 && (align & (align - 1)) == 0)) {
    throw new RangeError(
      `${name}: align must be a power of two from 16 to 65536, got ${align}`,
    );
  }
  return align / 16;
};

const allocSlow = (size: number, blocks: number, token: WeakKey): number => {
  checkWeakKey("alloc", token);
  if (!expand(blocks)) throw cannotFit("alloc", size);
  const block = place(blocks);
  registry.register(token, block);
  debt += blocks;
  notify(false);
  return block << 4;
};

/**
 * Allocates `size` bytes and returns the address: a multiple of 16, never
 * below 16, as a signed i32 (addresses at or above 2 GiB come back negative;
 * `ptr >>> 0` gives the unsigned value).
 *
 * With a `token`, the span is freed after the host garbage-collects the token;
 * one token may own any number of allocations. Without one, the address is a
 * **scratch**: where `alloc(size, token)` would place `size` bytes right now,
 * with nothing recorded. A scratch stays valid until the next allocation with
 * a token or the next {@linkcode trim}.
 *
 * Placement is exact best fit: the smallest free span that fits, the lowest
 * address among equals. When nothing fits, `mem` grows (by at least half its
 * size, see {@linkcode mem}, never past the {@linkcode limit}) and the resize
 * watchers run before `alloc` returns.
 *
 * For addresses aligned to more than 16 bytes, see {@linkcode allocAligned}.
 *
 * @param size Bytes to allocate: an integer from 1 to 4 294 967 280.
 * @param token The lifetime token: an object or a non-registered symbol.
 * @returns The address of the allocation.
 * @throws {TypeError} If `size` is not a number or `token` cannot be held
 * weakly. Nothing changes.
 * @throws {RangeError} If `size` is out of range, or "out of memory" (with an
 * {@linkcode OutOfMemory} cause) if `mem` cannot grow enough. Nothing changes.
 *
 * @example
 * ```ts
 * import { alloc, buf } from "@lewd/alloc";
 *
 * const owner = {};
 * const ptr = alloc(1024, owner); // lives as long as `owner`
 * const tmp = alloc(64); // scratch: use it before the next alloc(…, token)
 * new Uint8Array(buf, tmp >>> 0, 64).fill(0);
 * ```
 */
export function alloc(size: number, token?: WeakKey): number {
  const blocks = blocksOf("alloc", size);
  // The scratch is where the span goes once the watchers have run.
  if (token === undefined) {
    const block = spot(blocks) || room("alloc", size, blocks);
    if (debugging) freshen(block, blocks, true);
    return block << 4;
  }
  const block = place(blocks);
  if (!block) return allocSlow(size, blocks, token);
  try {
    registry.register(token, block);
  } catch (error) {
    core.free(block);
    checkWeakKey("alloc", token);
    throw error;
  }
  if ((debt += blocks) > nudgeAt) nudge();
  return block << 4;
}

/**
 * {@linkcode alloc} at an address that is a multiple of `align`: with a
 * `token`, an allocation freed after the token is collected; without one, a
 * scratch (where `allocAligned(size, align, token)` would place it now).
 *
 * Placement is the best-fit rule over the aligned addresses: the shortest free
 * span that holds `size` bytes at such an address, the lowest among equals,
 * at its lowest such address; what is left before and after stays free. When
 * `mem` must grow, it grows as for `alloc` (enough for the worst alignment in
 * the tail) and the watchers run before the span is taken, as for
 * {@linkcode malloc}.
 *
 * @param size Bytes to allocate: an integer from 1 to 4 294 967 280.
 * @param align The alignment in bytes: a power of two from 16 to 65 536.
 * @param token The lifetime token: an object or a non-registered symbol.
 * @returns The address, a multiple of `align`.
 * @throws {TypeError} If `size` or `align` is not a number or `token` cannot
 * be held weakly.
 * @throws {RangeError} If `size` or `align` is out of range, or out of memory
 * (with an {@linkcode OutOfMemory} cause). Nothing changes on any error.
 *
 * @example
 * ```ts
 * import { allocAligned } from "@lewd/alloc";
 *
 * const owner = {};
 * const page = allocAligned(4096, 4096, owner); // page-aligned, with a token
 * const tmp = allocAligned(256, 64); // a 64-byte aligned scratch
 * ```
 */
export function allocAligned(
  size: number,
  align: number,
  token?: WeakKey,
): number {
  const blocks = blocksOf("allocAligned", size);
  const over = alignOf("allocAligned", align, false);
  if (token === undefined) {
    const block = room(
      "allocAligned",
      size,
      blocks,
      false,
      over,
      (n) => ext().aligned(n, over, 0),
    );
    freshen(block, blocks, true);
    return block << 4;
  }
  checkWeakKey("allocAligned", token);
  const block = reserve("allocAligned", size, blocks, over);
  registry.register(token, block);
  if ((debt += blocks) > nudgeAt) nudge();
  return block << 4;
}

// `Symbol.for("Symbol.dispose")` is what TypeScript's downlevelled `using`
// looks for where the engine has no `Symbol.dispose` yet.
const DISPOSE =
  /*#__PURE__*/ (() =>
    Symbol.dispose ?? Symbol.for("Symbol.dispose"))() as typeof Symbol.dispose;

/**
 * An allocation from {@linkcode lease}, freed by its `[Symbol.dispose]()`.
 *
 * @example
 * ```ts
 * import { lease, type Lease } from "@lewd/alloc";
 *
 * const held: Lease = lease(64);
 * held[Symbol.dispose](); // freed now; a second call does nothing
 * ```
 */
export interface Lease {
  /** The address, as {@linkcode alloc} returns it. */
  readonly ptr: number;
  /** The size asked for, in bytes. */
  readonly size: number;
  /** Frees the span now (once; later calls do nothing). */
  [Symbol.dispose](): void;
}

/**
 * Allocates `size` bytes owned by the returned {@linkcode Lease}: disposing
 * it (a `using` declaration, or calling `[Symbol.dispose]()`) frees the span
 * at once; if it is never disposed, the span is freed after the lease is
 * garbage-collected, as with {@linkcode alloc}. If `mem` must grow, the
 * watchers run before the span is taken.
 *
 * {@linkcode disown} turns the allocation strong: disposing the lease then
 * does nothing.
 *
 * @param size Bytes to allocate: an integer from 1 to 4 294 967 280.
 * @param align The alignment in bytes, as for {@linkcode allocAligned}; 16
 * (every address's) if not given.
 * @returns The lease; its `ptr` is the address.
 * @throws {TypeError | RangeError} As {@linkcode alloc}.
 *
 * @example
 * ```ts
 * import { buf, lease } from "@lewd/alloc";
 *
 * {
 *   using tmp = lease(4096);
 *   new Uint8Array(buf, tmp.ptr >>> 0, 4096).fill(1);
 * } // freed here
 * ```
 */
export function lease(size: number, align?: number): Lease {
  const blocks = blocksOf("lease", size);
  const block = reserve("lease", size, blocks, alignOf("lease", align));
  const held = {
    ptr: block << 4,
    size,
    [DISPOSE]() {
      // While the lease owns the span, its key is the block's: so the span
      // is freed once, and never after a `disown` or the finalizer.
      if (keys.get(block) === key) {
        registry.unregister(key);
        keys.delete(block);
        release(block);
      }
    },
  };
  const key = adopt(block, held);
  if ((debt += blocks) > nudgeAt) nudge();
  return held as unknown as Lease; // DISPOSE is Symbol.dispose where it exists
}

/**
 * The `cause` of every out-of-memory `RangeError`: what was asked, what there
 * was, and the limit, in bytes.
 *
 * @example
 * ```ts
 * import { malloc, type OutOfMemory } from "@lewd/alloc";
 *
 * try {
 *   malloc(0xFFFF_FFF0);
 * } catch (error) {
 *   const { asked, limit } = (error as Error).cause as OutOfMemory;
 *   console.log(`${asked} bytes asked, ${limit} allowed`);
 * }
 * ```
 */
export interface OutOfMemory {
  /** The bytes asked for (a size, or pages × 65 536 for {@linkcode grow}). */
  asked: number;
  /** The size of `mem` in bytes when it failed. */
  capacity: number;
  /** The longest free span in bytes (the largest allocation that fit). */
  largest: number;
  /** The most bytes `mem` may have: {@linkcode limit} × 65 536. */
  limit: number;
}

/**
 * The block of the live allocation that `ptr` addresses, strong or not as
 * `strong` says; throws otherwise.
 */
const allocation = (name: string, ptr: number, strong: boolean): number => {
  if (typeof ptr != "number") {
    throw new TypeError(`${name}: ptr must be a number, got ${describe(ptr)}`);
  }
  // An address as a signed or an unsigned i32, a multiple of 16.
  const block = ((ptr | 0) === ptr || ptr >>> 0 === ptr) && !(ptr & 15)
    ? ptr >>> 4
    : 0;
  // Free spans come back negative (their bit 31 is set).
  const span = block && ext().span(block);
  if (
    span <= 0 || (span >= STRONG) != strong || orphans.get(block) ||
    guarded.has(block)
  ) {
    throw new RangeError(
      `${name}: ${ptr} is not the address of a live ${
        strong ? "strong" : "token"
      } allocation`,
    );
  }
  return block;
};

/**
 * A strong allocation of `size` bytes (zeroed if `zero`); 0 if `soft` and
 * out of memory.
 */
const strong = (
  name: string,
  size: number,
  zero?: boolean,
  soft?: boolean,
  align = 1,
): number => {
  const block = reserve(name, size, blocksOf(name, size), align, soft);
  if (!block) return 0;
  ext().flip(block);
  if (zero) new Uint8Array(buf, block * 16, size).fill(0);
  return block << 4;
};

/**
 * Allocates `size` bytes that stay allocated until {@linkcode free}: a
 * **strong** allocation, which the garbage collector never frees. Placed and
 * grown for as {@linkcode alloc} places and grows, except that when `mem`
 * grows the watchers run before the span is taken, so a watcher that throws
 * leaves nothing allocated.
 *
 * @param size Bytes to allocate: an integer from 1 to 4 294 967 280.
 * @param align The alignment in bytes, as for {@linkcode allocAligned}; 16
 * (every address's) if not given.
 * @returns The address (a multiple of 16, or of `align`, at least 16, as a
 * signed i32).
 * @throws {TypeError | RangeError} As {@linkcode alloc}.
 *
 * @example
 * ```ts
 * import { free, i32, malloc } from "@lewd/alloc";
 *
 * const ptr = malloc(64);
 * i32[ptr >>> 2] = 1;
 * free(ptr);
 * ```
 */
export function malloc(size: number, align?: number): number {
  return strong("malloc", size, false, false, alignOf("malloc", align));
}

/** `count * size` as a byte size; throws if either is not a count. */
const product = (name: string, count: number, size: number): number => {
  for (const [what, value] of [["count", count], ["size", size]] as const) {
    if (typeof value != "number") {
      throw new TypeError(
        `${name}: ${what} must be a number, got ${describe(value)}`,
      );
    }
    if (value >>> 0 !== value) {
      throw new RangeError(
        `${name}: ${what} must be an integer in [0, 4294967295], got ${value}`,
      );
    }
  }
  const total = count * size;
  if (total == 0 || total > MAX_SIZE) {
    throw new RangeError(
      `${name}: count * size must be in [1, ${MAX_SIZE}], got ${count} * ${size}`,
    );
  }
  return total;
};

/**
 * Allocates `count * size` zeroed bytes as a strong allocation (see
 * {@linkcode malloc}).
 *
 * @param count Elements: an integer from 0 to 2^32 − 1.
 * @param size Bytes per element: an integer from 0 to 2^32 − 1.
 * @returns The address.
 * @throws {TypeError} If either is not a number.
 * @throws {RangeError} If either is not such an integer, or `count * size` is
 * 0 or above 4 294 967 280 (it overflows), or out of memory. Nothing changes.
 *
 * @example
 * ```ts
 * import { buf, calloc } from "@lewd/alloc";
 *
 * const ptr = calloc(100, 4); // 400 zero bytes
 * const counts = new Uint32Array(buf, ptr >>> 0, 100);
 * ```
 */
export function calloc(count: number, size: number): number {
  return strong("calloc", product("calloc", count, size), true);
}

/** `realloc` for both faces: 0 if `soft` and out of memory. */
const move = (
  name: string,
  ptr: number,
  size: number,
  soft?: boolean,
): number => {
  if (ptr === 0) return strong(name, size, false, soft);
  const block = allocation(name, ptr, true);
  const blocks = blocksOf(name, size);
  const len = ext().span(block) & LENGTH;
  if (ext().resize(block, blocks)) {
    if (blocks < len) freshen(block + blocks, len - blocks);
    return block << 4;
  }
  if (!room(name, size, blocks, soft)) return 0;
  const to = place(blocks);
  ext().flip(to);
  new Uint8Array(buf).copyWithin(to * 16, block * 16, (block + len) * 16);
  ext().flip(block);
  release(block);
  return to << 4;
};

/**
 * Changes the size of the strong allocation at `ptr` to `size` bytes and
 * returns its address. It stays where it is when it shrinks or when the free
 * span right after it is long enough; otherwise it moves to where
 * {@linkcode malloc} would put `size` bytes, the old bytes are copied there,
 * and the old span is freed. Bytes past the old size are not cleared.
 * `realloc(0, size)` is `malloc(size)`.
 *
 * @param ptr A strong allocation's address (signed or unsigned), or 0.
 * @param size The new size: an integer from 1 to 4 294 967 280.
 * @returns The address, new or the same.
 * @throws {TypeError} If `ptr` or `size` is not a number.
 * @throws {RangeError} If `ptr` is not 0 and not a live strong allocation's
 * address, if `size` is out of range, or out of memory. Nothing changes.
 *
 * @example
 * ```ts
 * import { free, malloc, realloc } from "@lewd/alloc";
 *
 * let ptr = malloc(16);
 * ptr = realloc(ptr, 4096); // the first 16 bytes came along
 * free(ptr);
 * ```
 */
export function realloc(ptr: number, size: number): number {
  return move("realloc", ptr, size);
}

/**
 * Frees the strong allocation at `ptr` (from {@linkcode malloc},
 * {@linkcode calloc}, {@linkcode realloc} or {@linkcode disown}); the span
 * becomes free and merges with its free neighbours. `free(0)` does nothing.
 *
 * @param ptr A strong allocation's address (signed or unsigned), or 0.
 * @throws {TypeError} If `ptr` is not a number.
 * @throws {RangeError} If `ptr` is anything else: an address inside an
 * allocation, one already freed, a token's allocation, a scratch, or a number
 * that is no address. Nothing changes.
 *
 * @example
 * ```ts
 * import { free, malloc } from "@lewd/alloc";
 *
 * free(malloc(32));
 * free(0); // nothing
 * ```
 */
export function free(ptr: number): void {
  if (ptr === 0) return;
  const block = allocation("free", ptr, true);
  ext().flip(block); // if an orphan keeps it reserved, no longer strong
  release(block);
}

/**
 * Hands the strong allocation at `ptr` to `token`: from now on it is freed
 * after `token` is garbage-collected, as if {@linkcode alloc} had made it,
 * and {@linkcode free} refuses it.
 *
 * @param ptr A strong allocation's address.
 * @param token The new owner: an object or a non-registered symbol.
 * @throws {TypeError} If `ptr` is not a number or `token` cannot be held
 * weakly.
 * @throws {RangeError} If `ptr` is not a live strong allocation's address.
 * Nothing changes on any error.
 *
 * @example
 * ```ts
 * import { malloc, own } from "@lewd/alloc";
 *
 * const owner = {};
 * own(malloc(256), owner); // freed with `owner`
 * ```
 */
export function own(ptr: number, token: WeakKey): void {
  const block = allocation("own", ptr, true);
  checkWeakKey("own", token);
  adopt(block, token);
  ext().flip(block);
}

/**
 * Takes the allocation at `ptr` away from its token (or {@linkcode Lease}):
 * it becomes strong, stays allocated after the token is collected, and is
 * freed by {@linkcode free}. The token's finalizer, when it comes, frees
 * nothing; if the allocation is freed before it comes, the span stays
 * reserved until then, so that a finalizer can never free a later allocation
 * at the same address.
 *
 * @param ptr The address of a live allocation made with a token.
 * @throws {TypeError} If `ptr` is not a number.
 * @throws {RangeError} If `ptr` is not such an address (a strong
 * allocation, a scratch, anything freed). Nothing changes.
 *
 * @example
 * ```ts
 * import { alloc, disown, free } from "@lewd/alloc";
 *
 * const ptr = alloc(64, {});
 * disown(ptr); // survives its token
 * free(ptr);
 * ```
 */
export function disown(ptr: number): void {
  const block = allocation("disown", ptr, false);
  kinds();
  const key = keys.get(block);
  if (key) {
    registry.unregister(key);
    keys.delete(block);
  } else {
    orphans.set(block, false);
  }
  ext().flip(block);
}

// Ranges the allocator must never hand out (`protect`), by first block: strong
// spans that `free`, `realloc`, `own` and `disown` refuse.
const guarded = /*#__PURE__*/ new Set<number>();

/**
 * Marks `size` bytes from `ptr` (widened to whole 16-byte blocks) as
 * **protected**: the allocator never hands them out, and no function frees
 * them. For a compiled module's static data and stack below its
 * `__heap_base`, or for memory that another allocator manages. `mem` grows
 * first if the range runs past its end (and the watchers run).
 *
 * The range must be free: it may not overlap an allocation or another
 * protected range. Bytes 0–15 are never handed out anyway; a range that starts
 * there is protected from byte 16.
 *
 * @param ptr The first byte: an address (signed or unsigned i32).
 * @param size The bytes to protect: an integer from 1.
 * @throws {TypeError} If `ptr` or `size` is not a number.
 * @throws {RangeError} If they are not integers in range, if the range is
 * not free, or out of memory (past the {@linkcode limit}). Nothing changes.
 *
 * @example
 * ```ts
 * import { protect } from "@lewd/alloc";
 *
 * // A module's data and 8 KiB stack below its __heap_base of 0x3000.
 * protect(0, 0x3000);
 * ```
 */
export function protect(ptr: number, size: number): void {
  for (const [what, value] of [["ptr", ptr], ["size", size]] as const) {
    if (typeof value != "number") {
      throw new TypeError(
        `protect: ${what} must be a number, got ${describe(value)}`,
      );
    }
  }
  const start = (ptr | 0) === ptr || ptr >>> 0 === ptr ? ptr >>> 0 : -1;
  if (start < 0 || !(size >= 1) || !Number.isInteger(size)) {
    throw new RangeError(
      `protect: ptr must be an address and size an integer from 1, got ${ptr} and ${size}`,
    );
  }
  const end = Math.ceil((start + size) / 16);
  const first = Math.max(1, Math.floor(start / 16));
  if (end > MAX_PAGES * PAGE_BLOCKS) {
    throw new RangeError(
      `protect: ${hex(start)} + ${size} runs past 4 GiB`,
    );
  }
  if (first >= end) return; // within the guard
  const taken = () =>
    new RangeError(
      `protect: ${hex(first * 16)}–${
        hex(end * 16)
      } is not free (it overlaps an allocation or a protected range)`,
    );
  // Past the end, the range can only be free if it starts in the free tail:
  // say so before growing anything.
  if (end > cap && first < cap - core.tail()) throw taken();
  reach("protect", end);
  const span = spans().find((span) =>
    span.kind == "free" && span.start <= first * 16 &&
    span.start + span.size >= end * 16
  );
  if (!span || !ext().claim(span.start / 16, first, end - first)) {
    throw taken();
  }
  ext().flip(first);
  guarded.add(first);
}

/**
 * Restricts the allocator to the working range `[start, end)` of `mem`, so
 * that it can share the memory with another allocator: protects everything
 * of `mem` outside it (growing `mem` to `end` first if needed) and sets the
 * {@linkcode limit} to the size of `mem`, so that it never grows into memory
 * it does not own. Raising the limit later hands the new pages to this
 * allocator.
 *
 * @param start The first byte of the range (rounded up to 16).
 * @param end The end of the range (rounded down to 16).
 * @throws {TypeError | RangeError} As {@linkcode protect}, or if the range is
 * empty. What was protected before an error stays protected.
 *
 * @example
 * ```ts
 * import { restrict } from "@lewd/alloc";
 *
 * restrict(0x1_0000, 0x4_0000); // this allocator: 64 KiB to 256 KiB
 * ```
 */
export function restrict(start: number, end: number): void {
  for (const [what, value] of [["start", start], ["end", end]] as const) {
    if (typeof value != "number") {
      throw new TypeError(
        `restrict: ${what} must be a number, got ${describe(value)}`,
      );
    }
  }
  const from = Math.max(1, Math.ceil(start / 16));
  const to = Math.floor(end / 16);
  if (!(to > from) || to > MAX_PAGES * PAGE_BLOCKS) {
    throw new RangeError(
      `restrict: the range ${start}–${end} holds no block of mem`,
    );
  }
  // Check first that nothing outside the range is in use, so that an error
  // changes nothing.
  for (const span of spans()) {
    const [a, b] = [span.start / 16, (span.start + span.size) / 16];
    if (span.kind != "free" && span.kind != "guard" && (a < from || b > to)) {
      throw new RangeError(
        `restrict: ${hex(span.start)} is in use, outside ${hex(from * 16)}–${
          hex(to * 16)
        }`,
      );
    }
  }
  reach("restrict", Math.ceil(to / PAGE_BLOCKS) * PAGE_BLOCKS);
  if (from > 1) protect(16, (from - 1) * 16);
  if (cap > to) protect(to * 16, (cap - to) * 16);
  maxPages = cap / PAGE_BLOCKS;
}

/**
 * Grows `mem` (exactly, and running the watchers) so that it holds `end`
 * blocks; out of memory past the limit.
 */
const reach = (name: string, end: number): void => {
  if (end > cap) {
    growBy(Math.ceil((end - cap) / PAGE_BLOCKS), () =>
      outOfMemory(
        `${name}: out of memory, cannot reach ${hex(end * 16)}`,
        end * 16,
      ));
  }
};

/**
 * The allocator's functions with the C signatures and failure modes that
 * hand-written modules expect, to import as `env.malloc`, `env.calloc`,
 * `env.realloc`, `env.free` and `env.aligned_alloc`: a module can then
 * allocate without linking an
 * allocator. They make strong allocations, as the functions of the same names
 * do (`aligned_alloc` as `malloc(size, align)`, alignments below 16 counting
 * as 16), with these differences: sizes arrive as i32 and are read unsigned;
 * `malloc`, `calloc` and `realloc` return 0 (NULL) when out of memory (leaving
 * `realloc`'s block as it was), for a size of 0, when `count * size`
 * overflows and for an alignment that is not a power of two up to 65 536;
 * `realloc(ptr, 0)` frees `ptr` and returns 0. `free` of anything
 * but 0 or a live strong allocation throws the `RangeError` of
 * {@linkcode free} through the module, as a trap would. Growth from inside a
 * module rebinds `buf` and `i32` and runs the watchers, which may throw
 * through the module too.
 *
 * @example
 * ```ts
 * import { imports, mem } from "@lewd/alloc";
 *
 * // (module (import "env" "malloc" (func (param i32) (result i32)))
 * //         (import "env" "mem" (memory 1))), compiled:
 * const bytes = new Uint8Array([
 *   0, 97, 115, 109, 1, 0, 0, 0, 1, 6, 1, 96, 1, 127, 1, 127, 2, 25, 2, 3,
 *   101, 110, 118, 6, 109, 97, 108, 108, 111, 99, 0, 0, 3, 101, 110, 118, 3,
 *   109, 101, 109, 2, 0, 1,
 * ]);
 * new WebAssembly.Instance(new WebAssembly.Module(bytes), {
 *   env: { ...imports, mem },
 * });
 * ```
 */
export const imports: {
  /** `void *malloc(size_t size)`. */
  malloc(size: number): number;
  /** `void *calloc(size_t count, size_t size)`. */
  calloc(count: number, size: number): number;
  /** `void *realloc(void *ptr, size_t size)`. */
  realloc(ptr: number, size: number): number;
  /** `void free(void *ptr)`. */
  free(ptr: number): void;
  /** `void *aligned_alloc(size_t alignment, size_t size)`. */
  aligned_alloc(alignment: number, size: number): number;
} = {
  malloc: (size) =>
    (size >>>= 0) && size <= MAX_SIZE ? strong("malloc", size, false, true) : 0,
  calloc: (count, size) => {
    const total = (count >>> 0) * (size >>> 0);
    return total && total <= MAX_SIZE ? strong("calloc", total, true, true) : 0;
  },
  realloc: (ptr, size) => {
    if ((size >>>= 0) && size <= MAX_SIZE) {
      return move("realloc", ptr, size, true);
    }
    if (!size) free(ptr);
    return 0;
  },
  free,
  aligned_alloc: (alignment, size) => {
    alignment = Math.max(alignment >>> 0, 16);
    return (size >>>= 0) && size <= MAX_SIZE && alignment <= 0x1_0000 &&
        !(alignment & (alignment - 1))
      ? strong("aligned_alloc", size, false, true, alignment / 16)
      : 0;
  },
};

/**
 * Grows `mem` by `pages` of 64 KiB now, as `WebAssembly.Memory.prototype.grow`
 * does, and runs the watchers (`pages` of 0 changes nothing and runs none).
 * The new pages join the free tail.
 *
 * @param pages How many pages to add: an integer from 0.
 * @returns The size of `mem` in pages before.
 * @throws {TypeError} If `pages` is not a number.
 * @throws {RangeError} If `pages` is not an integer from 0, or out of memory
 * (past the {@linkcode limit}, or refused by the engine; with an
 * {@linkcode OutOfMemory} cause): nothing changes then.
 *
 * @example
 * ```ts
 * import { cap, grow } from "@lewd/alloc";
 *
 * const before = grow(16); // room for 1 MiB more without a resize later
 * console.log(before, cap * 16);
 * ```
 */
export function grow(pages: number): number {
  checkPages("grow", pages, 0, 2 ** 53);
  const was = cap / PAGE_BLOCKS;
  if (pages) {
    growBy(pages, () =>
      outOfMemory(
        `grow: out of memory, cannot add ${pages} pages to ${was}`,
        pages * 0x1_0000,
      ));
  }
  return was;
}

/**
 * Grows `mem` by exactly `pages` (never past the limit) and runs the
 * watchers; throws `error()`, changing nothing, if it cannot.
 */
const growBy = (pages: number, error: () => RangeError): void => {
  if (pages > maxPages - cap / PAGE_BLOCKS || !enlarge(pages)) throw error();
  notify(false);
};

/** Throws unless `pages` is an integer in `[low, high]`. */
const checkPages = (
  name: string,
  pages: number,
  low: number,
  high: number,
): void => {
  if (typeof pages != "number") {
    throw new TypeError(
      `${name}: pages must be a number, got ${describe(pages)}`,
    );
  }
  if (!Number.isInteger(pages) || pages < low || pages > high) {
    throw new RangeError(
      `${name}: pages must be an integer in [${low}, ${high}], got ${pages}`,
    );
  }
};

/**
 * Sets the most pages of 64 KiB that `mem` may grow to (65 536, 4 GiB, at
 * first). Growth by {@linkcode alloc} and the others stops there: its +50%
 * step is cut to fit, and what cannot fit is out of memory.
 *
 * @param pages The new maximum: an integer from the current size of `mem` in
 * pages to 65 536.
 * @returns The maximum before.
 * @throws {TypeError} If `pages` is not a number.
 * @throws {RangeError} If `pages` is out of that range; nothing changes.
 *
 * @example
 * ```ts
 * import { limit } from "@lewd/alloc";
 *
 * limit(256); // at most 16 MiB
 * ```
 */
export function limit(pages: number): number {
  checkPages("limit", pages, cap / PAGE_BLOCKS, MAX_PAGES);
  const was = maxPages;
  maxPages = pages;
  return was;
}

/**
 * What {@linkcode stats} reports. Sizes are in bytes; the null guard (bytes
 * 0–15) counts in none of them, so `used + free == capacity - 16`.
 *
 * @example
 * ```ts
 * import { type Stats, stats } from "@lewd/alloc";
 *
 * const { free, largest }: Stats = stats();
 * const fragmented = free > 0 && largest < free / 2;
 * ```
 */
export interface Stats {
  /** The size of `mem`. */
  capacity: number;
  /** Bytes in live allocations (token, lease and strong), in whole blocks. */
  used: number;
  /** Bytes in free spans. */
  free: number;
  /** The longest free span: the largest allocation that fits without growing. */
  largest: number;
  /** The free span at the end of `mem`, which {@linkcode trim} releases (whole pages of it). */
  tail: number;
  /** Live allocations. */
  allocations: number;
  /** Free spans. */
  freeSpans: number;
  /** All spans: `allocations + freeSpans`. */
  spans: number;
  /** The most bytes `mem` may have ({@linkcode limit} × 65 536). */
  limit: number;
}

/**
 * Reports how `mem` is used, cheaply enough for every frame: O(log n) in the
 * number of free spans, one small object. Counts are as of now: spans whose
 * tokens are dead but not yet finalized still count as used, and so does a
 * freed span kept for a pending finalizer (see {@linkcode disown}).
 *
 * @returns The figures, see {@linkcode Stats}.
 *
 * @example
 * ```ts
 * import { stats } from "@lewd/alloc";
 *
 * const { used, capacity } = stats();
 * console.log(`${(100 * used / capacity).toFixed(1)}% used`);
 * ```
 */
export function stats(): Stats {
  const used = ext().stat(0) * 16;
  const allocations = ext().stat(1);
  const freeSpans = ext().stat(2);
  return {
    capacity: cap * 16,
    used,
    free: cap * 16 - 16 - used,
    largest: ext().stat(3) * 16,
    tail: core.tail() * 16,
    allocations,
    freeSpans,
    spans: allocations + freeSpans,
    limit: maxPages * 0x1_0000,
  };
}

/**
 * Releases the free pages at the end of {@linkcode mem} back to the host.
 *
 * If the highest used address, rounded up to 64 KiB (at least one page), is
 * below the current size, a new `WebAssembly.Memory` of that size replaces
 * `mem`, the bytes below it are copied across, `mem`/`buf`/`i32`/`cap` are
 * rebound, every respawn callback runs (in {@linkcode bind} order), then every
 * live watcher. Any scratch address is invalid afterwards.
 *
 * @returns The number of bytes released; 0 when there was nothing to release
 * (then no callback runs and `mem` stays the same object).
 * @throws {RangeError} If the new memory cannot be created; nothing changes.
 * If callbacks throw, the rest still run and the error (or an
 * `AggregateError`) is rethrown afterwards.
 *
 * @example
 * ```ts
 * import { trim } from "@lewd/alloc";
 *
 * const released = trim(); // bytes given back, often 0
 * ```
 */
export function trim(): number {
  const pages = Math.ceil((cap - core.tail()) / PAGE_BLOCKS);
  const kept = pages * PAGE_BLOCKS * 16;
  const released = buf.byteLength - kept;
  if (released <= 0) return 0;
  let next: WebAssembly.Memory;
  try {
    next = new WebAssembly.Memory({ initial: pages });
  } catch (cause) {
    throw new RangeError(`trim: cannot create a memory of ${kept} bytes`, {
      cause,
    });
  }
  new Uint8Array(next.buffer).set(new Uint8Array(buf, 0, kept));
  core.cut(pages * PAGE_BLOCKS);
  rebind(next);
  notify(true);
  return released;
}

/**
 * The byte ranges that the active data segments of the module `binary` write
 * into its memory 0 on every instantiation, merged where they share a block,
 * as [start, end) in whole blocks.
 */
const segments = (name: string, binary: BufferSource): [number, number][] => {
  const bytes = ArrayBuffer.isView(binary)
    ? new Uint8Array(binary.buffer, binary.byteOffset, binary.byteLength)
    : binary instanceof ArrayBuffer
    ? new Uint8Array(binary)
    : null;
  if (!bytes || bytes[0] != 0 || bytes[1] != 0x61 || bytes[2] != 0x73) {
    throw new TypeError(
      `${name}: binary must be a WebAssembly module's bytes, got ${
        describe(binary)
      }`,
    );
  }
  let at = 8;
  const leb = (signed?: boolean): number => {
    let value = 0, shift = 0, byte;
    do {
      byte = bytes[at++];
      value += (byte & 0x7f) * 2 ** shift;
      shift += 7;
    } while (byte & 0x80);
    return signed && byte & 0x40 ? value - 2 ** shift : value;
  };
  const found: [number, number][] = [];
  while (at < bytes.length) {
    const id = bytes[at++];
    const end = leb() + at;
    for (let count = id == 11 ? leb() : 0; count > 0; count--) {
      const flags = leb();
      const memory = flags == 2 ? leb() : 0;
      if (flags != 1) {
        // An active segment: its offset must be a constant to be known here.
        if (bytes[at++] != 0x41) {
          throw new RangeError(
            `${name}: a data segment's offset is not an i32.const`,
          );
        }
        const offset = leb(true) >>> 0;
        at++; // end
        const length = leb();
        if (length && memory == 0) {
          found.push([
            Math.floor(offset / 16),
            Math.ceil((offset + length) / 16),
          ]);
        }
        at += length;
      } else at += leb();
    }
    at = end;
  }
  found.sort((x, y) => x[0] - y[0]);
  return found.reduce<[number, number][]>((merged, range) => {
    const last = merged[merged.length - 1];
    if (last && range[0] <= last[1]) last[1] = Math.max(last[1], range[1]);
    else merged.push(range);
    return merged;
  }, []);
};

/**
 * Registers `respawn`, then calls `spawn()` and returns its result.
 *
 * `spawn` creates a module instance over {@linkcode mem} and initialises it;
 * `respawn` runs after every {@linkcode trim} (which replaces `mem`), in
 * `bind` order and before the watchers, to create a new instance over the new
 * `mem` and restore the state that is not in memory (mutable globals, tables).
 * `respawn` must be synchronous. If `spawn` throws, `respawn` is not kept.
 *
 * A module with active **data segments** writes their bytes into `mem` on
 * every instantiation. Pass its `binary` and `bind` reads the segments (their
 * offsets must be `i32.const`), {@linkcode protect}s their ranges before
 * `spawn` (so no allocation is ever placed there), and around every
 * `respawn` saves the bytes of those ranges and writes them back afterwards:
 * the module keeps its runtime state across trims instead of starting over
 * from its initial data. If `spawn` throws, the ranges are released again.
 *
 * @param spawn Called once, now; its result is returned.
 * @param respawn Called after every trim.
 * @param binary The module's bytes, if it has data segments.
 * @returns What `spawn` returned.
 * @throws {TypeError} If `spawn` or `respawn` is not a function, or `binary`
 * is not a module's bytes.
 * @throws {RangeError} If a segment's offset is not a constant, or its range
 * is not free (see {@linkcode protect}). Nothing changes on any error.
 *
 * @example
 * ```ts
 * import { bind, mem } from "@lewd/alloc";
 *
 * // (module (import "env" "mem" (memory 1))), compiled:
 * const MODULE = new WebAssembly.Module(
 *   new Uint8Array([
 *     0, 97, 115, 109, 1, 0, 0, 0, 2, 12, 1, 3, 101, 110, 118, 3, 109, 101,
 *     109, 2, 0, 1,
 *   ]),
 * );
 * // A library annotates this call as pure too (see the README).
 * let impl = bind(
 *   () => new WebAssembly.Instance(MODULE, { env: { mem } }),
 *   () => {
 *     impl = new WebAssembly.Instance(MODULE, { env: { mem } });
 *   },
 * );
 * ```
 */
export /*#__NO_SIDE_EFFECTS__*/ function bind<T>(
  spawn: () => T,
  respawn: () => unknown,
  binary?: BufferSource,
): T {
  checkFunction("bind", "spawn", spawn);
  checkFunction("bind", "respawn", respawn);
  const ranges = binary === undefined ? [] : segments("bind", binary);
  const held: number[] = [];
  const unprotect = () => {
    for (const block of held) {
      guarded.delete(block);
      unspan(block);
    }
  };
  let at = -1;
  try {
    for (const [start, end] of ranges) {
      protect(start * 16, (end - start) * 16);
      if (end > 1) held.push(Math.max(1, start)); // block 0 is the guard's
    }
    at = respawns.push(
      ranges.length
        ? () => {
          const saved = ranges.map(([start, end]) =>
            new Uint8Array(buf, start * 16, (end - start) * 16).slice()
          );
          try {
            respawn();
          } finally {
            const bytes = new Uint8Array(buf);
            saved.forEach((data, i) => bytes.set(data, ranges[i][0] * 16));
          }
        }
        : respawn,
    ) - 1;
    return spawn();
  } catch (error) {
    if (at >= 0) respawns.splice(at, 1);
    unprotect();
    throw error;
  }
}

/**
 * Registers a resize handler: `watcher` runs after every resize of
 * {@linkcode mem} (a grow, or a {@linkcode trim} after the respawns), so it can
 * rebuild its views over the new {@linkcode buf}.
 *
 * The watcher is held through `token` only: it may capture the token without
 * keeping it alive, and it is dropped when the token is collected. The same
 * watcher registered twice for one token runs once per resize.
 *
 * @param watcher Called after every resize.
 * @param token The watcher's lifetime: an object or a non-registered symbol.
 * @throws {TypeError} If `watcher` is not a function or `token` cannot be
 * held weakly.
 *
 * @example
 * ```ts
 * import { alloc, buf, watch } from "@lewd/alloc";
 *
 * class Vec4 {
 *   ptr = alloc(16, this);
 *   view = new Float32Array(buf, this.ptr >>> 0, 4);
 *   constructor() {
 *     watch(() => {
 *       this.view = new Float32Array(buf, this.ptr >>> 0, 4);
 *     }, this);
 *   }
 * }
 * ```
 */
export function watch(watcher: () => unknown, token: WeakKey): void {
  checkFunction("watch", "watcher", watcher);
  checkWeakKey("watch", token);
  let set = watchers.get(token);
  if (!set) {
    watchers.set(token, set = new Set());
    if (tokens.push(new WeakRef(token)) > swept) {
      tokens = tokens.filter((ref) => ref.deref() !== undefined);
      swept = Math.max(64, tokens.length * 2);
    }
  }
  set.add(watcher);
}

/**
 * Stops every resize handler of `token` (see {@linkcode watch}). A watcher
 * dropped while the watchers are running still runs this time if it had not
 * yet.
 *
 * @param token The token the watchers were registered with.
 * @returns Whether any watcher was dropped.
 * @throws {TypeError} If `token` cannot be held weakly.
 *
 * @example
 * ```ts
 * import { unwatch, watch } from "@lewd/alloc";
 *
 * const owner = {};
 * watch(() => {}, owner);
 * unwatch(owner); // true
 * ```
 */
export function unwatch(token: WeakKey): boolean;
/**
 * Stops one resize handler: drops `watcher` from `token`'s watchers (see
 * {@linkcode watch}). A watcher dropped while the watchers are running still
 * runs this time if it had not yet.
 *
 * @param watcher The watcher to drop.
 * @param token The token it was registered with.
 * @returns Whether it was registered (and is now dropped).
 * @throws {TypeError} If `watcher` is not a function or `token` cannot be
 * held weakly.
 *
 * @example
 * ```ts
 * import { unwatch, watch } from "@lewd/alloc";
 *
 * const owner = {};
 * const rebuild = () => {};
 * watch(rebuild, owner);
 * unwatch(rebuild, owner); // true
 * unwatch(rebuild, owner); // false: already dropped
 * ```
 */
export function unwatch(watcher: () => unknown, token: WeakKey): boolean;
export function unwatch(...args: unknown[]): boolean {
  const token = args[args.length - 1] as WeakKey;
  if (args.length > 1) checkFunction("unwatch", "watcher", args[0]);
  checkWeakKey("unwatch", token);
  // The emptied set stays, so its token's weak ref stays the only one.
  const set = watchers.get(token);
  if (!set) return false;
  if (args.length > 1) return set.delete(args[0] as () => unknown);
  const had = set.size > 0;
  set.clear();
  return had;
}

/**
 * A span of {@linkcode mem}, as {@linkcode spans} lists it.
 *
 * @example
 * ```ts
 * import { type Span, spans } from "@lewd/alloc";
 *
 * const free: Span[] = spans().filter((span) => span.kind == "free");
 * ```
 */
export interface Span {
  /** The address of its first byte (unsigned). */
  start: number;
  /** Its length in bytes (a multiple of 16). */
  size: number;
  /**
   * `"guard"`: bytes 0–15, never handed out; `"token"`: freed after its
   * token is collected or its lease disposed; `"strong"`: freed by
   * {@linkcode free}; `"reserved"`: freed, but held until a pending
   * finalizer has run (see {@linkcode disown}); `"protected"`: never
   * handed out or freed (see {@linkcode protect}); `"free"`.
   */
  kind: "guard" | "protected" | "token" | "strong" | "reserved" | "free";
}

const hex = (address: number) => "0x" + address.toString(16);

/**
 * Lists every span of {@linkcode mem} in address order, from the null guard
 * to the end: they tile the memory. O(n) in the number of spans. A scratch is
 * free space, so it shows as (part of) a free span.
 *
 * @returns The spans.
 * @throws {Error} If the core's records do not tile the memory (a bug, which
 * {@linkcode check} reports in more detail).
 *
 * @example
 * ```ts
 * import { malloc, spans } from "@lewd/alloc";
 *
 * malloc(100);
 * for (const { start, size, kind } of spans()) console.log(start, size, kind);
 * ```
 */
export function spans(): Span[] {
  const list: Span[] = [{ start: 0, size: 16, kind: "guard" }];
  for (let block = 1, span; block < cap; block += span & LENGTH) {
    span = ext().span(block);
    if (!(span & LENGTH)) {
      throw new Error(`lewd: no span starts at ${hex(block * 16)}`);
    }
    list.push({
      start: block * 16,
      size: (span & LENGTH) * 16,
      kind: span < 0
        ? "free"
        : guarded.has(block)
        ? "protected"
        : span >= STRONG
        ? "strong"
        : orphans.get(block)
        ? "reserved"
        : "token",
    });
  }
  return list;
}

/** What `debug` writes into free spans: 0xDEADBEEF in every word. */
const PATTERN = 0xDEAD_BEEF | 0;
/** Scratches handed out since `debug` began, as [first, end) blocks. */
let scratches: [number, number][] = [];

const fill = (block: number, blocks: number): void => {
  new Int32Array(buf, block * 16, blocks * 4).fill(PATTERN);
};

/**
 * Turns the debug mode on or off. On, every span that becomes free is filled
 * with the pattern 0xDEADBEEF (so are all free spans now, and every page
 * `mem` grows by), and {@linkcode check} reports any free byte that no longer
 * holds it: a write after free, or through a stale pointer. Bytes handed out
 * as a scratch are exempt (the scratch is free space used on purpose).
 *
 * This is the one case where the allocator writes into `mem`: only into free
 * spans. It makes every free slower by the cost of filling the span. Turning
 * it on invalidates any scratch.
 *
 * @param on Whether to debug.
 * @throws {TypeError} If `on` is not a boolean.
 *
 * @example
 * ```ts
 * import { check, debug, free, i32, malloc } from "@lewd/alloc";
 *
 * debug(true);
 * const ptr = malloc(16);
 * free(ptr);
 * i32[ptr >>> 2] = 1; // a write after free...
 * try {
 *   check(); // ...is reported here
 * } catch (error) {
 *   console.log((error as Error).message);
 * }
 * i32[ptr >>> 2] = 0xDEADBEEF | 0;
 * debug(false);
 * ```
 */
export function debug(on: boolean): void {
  if (typeof on != "boolean") {
    throw new TypeError(`debug: on must be a boolean, got ${describe(on)}`);
  }
  debugging = on;
  scratches = [];
  if (on) {
    for (const span of spans()) {
      if (span.kind == "free") fill(span.start / 16, span.size / 16);
    }
    unspan = (block) => {
      fill(block, ext().span(block) & LENGTH);
      return core.free(block);
    };
    freshen = (block, blocks, scratch) => {
      if (!scratch) fill(block, blocks);
      else if (scratches.push([block, block + blocks]) > 64) {
        // Keep the list short: the two oldest become the range over both.
        const [a, b] = scratches.splice(0, 2);
        scratches.unshift([Math.min(a[0], b[0]), Math.max(a[1], b[1])]);
      }
    };
  } else {
    unspan = (block) => core.free(block);
    freshen = () => {};
  }
}

/**
 * Verifies every invariant of the heap that can be seen from JS, and throws
 * one readable report of all that is wrong:
 *
 * - the spans tile `mem` from the null guard to the end (SPEC.md invariants
 *   1–3), and no two free spans are adjacent (every free is merged);
 * - each free span's two ends agree, and {@linkcode stats}' counts match the
 *   spans;
 * - the best-fit index: for every length of free span, the span the next
 *   allocation of that length would take is the lowest of the shortest that
 *   fit;
 * - the pointer kinds' bookkeeping matches the spans;
 * - `buf`, `i32` and `cap` are bound to `mem`, within the {@linkcode limit};
 * - in {@linkcode debug} mode, every free byte still holds the fill pattern.
 *
 * O(n log n) in the number of spans: for tests and debugging, not every frame.
 *
 * @throws {Error} "lewd: check found N problem(s)", one per line after it.
 *
 * @example
 * ```ts
 * import { alloc, check } from "@lewd/alloc";
 *
 * alloc(100, {});
 * check(); // throws if anything is wrong
 * ```
 */
export function check(): void {
  const problems: string[] = [];
  let list: Span[] = [];
  try {
    list = spans();
  } catch (error) {
    problems.push((error as Error).message);
  }
  let used = 0, allocations = 0, largest = 0, previous = "";
  const free: Span[] = [];
  for (const span of list) {
    const { start, size, kind } = span;
    if (kind == "free") {
      free.push(span);
      largest = Math.max(largest, size);
      if (previous == "free") {
        problems.push(`free spans meet at ${hex(start)} (not merged)`);
      }
      if (ext().span((start + size) / 16 - 1) != ext().span(start / 16)) {
        problems.push(`the free span at ${hex(start)}: its ends disagree`);
      }
    } else if (kind != "guard") {
      used += size;
      allocations++;
    }
    previous = kind;
  }
  const counted = {
    used,
    allocations,
    freeSpans: free.length,
    largest,
    tail: previous == "free" ? list[list.length - 1].size : 0,
  };
  const { limit: _, ...figures } = stats();
  for (const [name, value] of Object.entries(counted)) {
    const reported = figures[name as keyof typeof counted];
    if (reported !== value) {
      problems.push(`stats().${name} is ${reported}, the spans say ${value}`);
    }
  }
  // The best fit for each free length: the lowest of the shortest that fit.
  const byFit = [...free].sort((a, b) => a.size - b.size || a.start - b.start);
  byFit.forEach(({ start, size }, i) => {
    if (i && byFit[i - 1].size == size) return;
    const placed = core.peek(size / 16) * 16;
    if (placed != start) {
      problems.push(
        `the best-fit index places ${size} bytes at ${hex(placed)}, not ${
          hex(start)
        }`,
      );
    }
  });
  const kindAt = new Map(list.map((span) => [span.start / 16, span.kind]));
  for (const block of keys.keys()) {
    if (kindAt.get(block) != "token") {
      problems.push(
        `a cancellable registration for ${hex(block * 16)}, a ${
          kindAt.get(block)
        } span`,
      );
    }
  }
  for (const [block, freed] of orphans) {
    const kind = kindAt.get(block);
    if (freed ? kind != "reserved" : kind != "strong" && kind != "token") {
      problems.push(
        `an orphaned registration for ${hex(block * 16)}, a ${kind} span`,
      );
    }
  }
  if (buf !== mem.buffer || i32.buffer !== buf || cap * 16 != buf.byteLength) {
    problems.push("buf, i32 or cap is not bound to mem");
  }
  if (cap > maxPages * PAGE_BLOCKS) problems.push("mem is past its limit");
  if (debugging) {
    const words = new Int32Array(buf);
    for (const { start, size } of free) {
      for (let word = start / 4; word < (start + size) / 4; word++) {
        if (words[word] == PATTERN) continue;
        // A scratch is free space written on purpose: skip past it.
        const scratch = scratches.find(([from, to]) =>
          word >= from * 4 && word < to * 4
        );
        if (scratch) {
          word = scratch[1] * 4 - 1;
          continue;
        }
        problems.push(
          `write after free: ${hex(word * 4)}, in the free span ${hex(start)}–${
            hex(start + size)
          }`,
        );
        break;
      }
    }
  }
  if (problems.length) {
    throw new Error(
      `lewd: check found ${problems.length} problem(s):\n- ${
        problems.join("\n- ")
      }`,
    );
  }
}

/**
 * What {@linkcode render} draws, and how big.
 *
 * @example
 * ```ts
 * import { alloc, render, type RenderOptions } from "@lewd/alloc";
 *
 * const size = 256;
 * const options: RenderOptions = { width: 480, scratch: [alloc(size), size] };
 * const svg = render(options);
 * ```
 */
export interface RenderOptions {
  /** Width of the map in pixels (960 if not given). */
  width?: number;
  /** Rows the address space wraps into (from the size of `mem` if not given). */
  rows?: number;
  /** A scratch to outline: its address and size, as `alloc(size)` gave it. */
  scratch?: [ptr: number, size: number];
}

const COLORS: Record<Span["kind"] | "scratch", string> = {
  guard: "#6b6b6b",
  protected: "#54a24b",
  token: "#4c78a8",
  strong: "#f58518",
  reserved: "#b279a2",
  free: "#e6e6e6",
  scratch: "#e45756",
};

const bytes = (n: number) =>
  n >= 0x10_0000
    ? `${(n / 0x10_0000).toFixed(2)} MiB`
    : n >= 1024
    ? `${(n / 1024).toFixed(1)} KiB`
    : `${n} B`;

/**
 * Draws the memory map as an SVG document that a browser opens: the address
 * space wraps into rows, left to right from the address on each row's label;
 * each span is a bar coloured by kind (used by a token, strong, reserved,
 * free, the guard; a scratch you pass is outlined), above a legend and the
 * fragmentation figures (used, free, the longest free span, and `1 −
 * longest ÷ free`).
 *
 * @param options Width, rows and a scratch to outline; see
 * {@linkcode RenderOptions}.
 * @returns The SVG text.
 * @throws {RangeError} If `width` or `rows` is not a positive integer.
 *
 * @example
 * ```ts
 * import { alloc, render } from "@lewd/alloc";
 *
 * alloc(1000, {});
 * const svg = render({ width: 640 });
 * // Deno.writeTextFileSync("heap.svg", svg); then open it in a browser
 * ```
 */
export function render(options?: RenderOptions): string {
  const size = cap * 16;
  const width = options?.width ?? 960;
  const rows = options?.rows ??
    Math.min(64, Math.max(1, Math.ceil(Math.sqrt(size / 0x1000))));
  for (const [name, value] of [["width", width], ["rows", rows]] as const) {
    if (!Number.isInteger(value) || value < 1) {
      throw new RangeError(
        `render: ${name} must be a positive integer, got ${describe(value)}`,
      );
    }
  }
  const perRow = Math.ceil(size / rows / 16) * 16;
  const scale = width / perRow;
  const [left, top, rowHeight, gap] = [96, 58, 18, 6];
  const y = (row: number) => top + row * (rowHeight + gap);
  const out: string[] = [];
  // One bar per span and row it crosses; neighbours of one kind are merged.
  const bars: [row: number, from: number, to: number, kind: string][] = [];
  const bar = (start: number, end: number, kind: string) => {
    for (let at = start; at < end;) {
      const row = Math.floor(at / perRow);
      const stop = Math.min(end, (row + 1) * perRow);
      const last = bars[bars.length - 1];
      if (last && last[0] == row && last[3] == kind && last[2] == at) {
        last[2] = stop;
      } else bars.push([row, at, stop, kind]);
      at = stop;
    }
  };
  const list = spans();
  for (const { start, size: length, kind } of list) {
    bar(start, start + length, kind);
  }
  for (const [row, from, to, kind] of bars) {
    out.push(
      `<rect x="${(left + (from - row * perRow) * scale).toFixed(2)}" y="${
        y(row)
      }" width="${
        Math.max(0.3, (to - from) * scale).toFixed(2)
      }" height="${rowHeight}" fill="${COLORS[kind as Span["kind"]]}"/>`,
    );
  }
  if (options?.scratch) {
    const [ptr, length] = options.scratch;
    const start = ptr >>> 0;
    for (let at = start; at < start + length;) {
      const row = Math.floor(at / perRow);
      const stop = Math.min(start + length, (row + 1) * perRow);
      out.push(
        `<rect x="${(left + (at - row * perRow) * scale).toFixed(2)}" y="${
          y(row) - 1
        }" width="${((stop - at) * scale).toFixed(2)}" height="${
          rowHeight + 2
        }" fill="none" stroke="${COLORS.scratch}" stroke-width="1.5"/>`,
      );
      at = stop;
    }
  }
  for (let row = 0; row < rows && row * perRow < size; row++) {
    out.push(
      `<text x="${left - 6}" y="${y(row) + 13}" text-anchor="end">${
        hex(row * perRow)
      }</text>`,
    );
  }
  const s = stats();
  const fragmentation = s.free ? 1 - s.largest / s.free : 0;
  const legendY = y(rows) + 12;
  const legend = ([
    "token",
    "strong",
    "reserved",
    "protected",
    "free",
    "guard",
    "scratch",
  ] as const)
    .map((kind, i) =>
      `<rect x="${
        left + i * 110
      }" y="${legendY}" width="12" height="12" fill="${
        kind == "scratch" ? "none" : COLORS[kind]
      }"${
        kind == "scratch"
          ? ` stroke="${COLORS.scratch}" stroke-width="1.5"`
          : ""
      }/><text x="${left + i * 110 + 18}" y="${legendY + 11}">${kind}</text>`
    );
  const height = legendY + 30;
  return `<svg xmlns="http://www.w3.org/2000/svg" width="${
    left + width + 20
  }" height="${height}" font-family="sans-serif" font-size="12">
<rect width="100%" height="100%" fill="white"/>
<text x="${left}" y="20" font-size="14" font-weight="bold">LEWD Alloc: mem ${
    bytes(size)
  }, ${s.allocations} allocations, ${s.freeSpans} free spans</text>
<text x="${left}" y="40">used ${bytes(s.used)} (${
    (100 * s.used / size).toFixed(1)
  }%) · free ${bytes(s.free)} · largest free ${
    bytes(s.largest)
  } · fragmentation ${
    (100 * fragmentation).toFixed(1)
  }% (1 − largest ÷ free) · free tail ${bytes(s.tail)} · ${
    bytes(perRow)
  } per row</text>
${out.join("\n")}
${legend.join("\n")}
</svg>
`;
}

/**
 * How {@linkcode createHeap} makes a heap.
 *
 * @example
 * ```ts
 * import { createHeap, type HeapOptions } from "@lewd/alloc";
 *
 * const options: HeapOptions = { memory: new WebAssembly.Memory({ initial: 2 }) };
 * const heap = createHeap(options);
 * ```
 */
export interface HeapOptions {
  /**
   * A memory to manage instead of a new one-page memory: one that a compiled
   * module exports, say. It must not be shared. Its bytes are left as they
   * are; all but the `reserved` ones are free to allocate.
   */
  memory?: WebAssembly.Memory;
  /**
   * Bytes at the start of the memory that the heap must never hand out (a
   * module's static data and stack): {@linkcode protect}ed at once.
   */
  reserved?: number;
}

/**
 * A heap of its own, from {@linkcode createHeap}: the module's API (each
 * function as documented at the module level) over its own memory, with its
 * own core, registry, watchers and respawns. `mem`, `buf`, `i32` and `cap`
 * are getters that always give the current value.
 *
 * @example
 * ```ts
 * import { createHeap, type Heap } from "@lewd/alloc";
 *
 * const heap: Heap = createHeap();
 * const owner = {};
 * heap.i32[heap.alloc(16, owner) >>> 2] = 1;
 * ```
 */
export interface Heap {
  /** The heap's memory ({@linkcode mem}). */
  readonly mem: WebAssembly.Memory;
  /** Its buffer ({@linkcode buf}). */
  readonly buf: ArrayBuffer;
  /** An `Int32Array` over all of it ({@linkcode i32}). */
  readonly i32: Int32Array;
  /** Its size in blocks ({@linkcode cap}). */
  readonly cap: number;
  /** {@linkcode alloc} on this heap. */
  alloc: typeof alloc;
  /** {@linkcode allocAligned} on this heap. */
  allocAligned: typeof allocAligned;
  /** {@linkcode lease} on this heap. */
  lease: typeof lease;
  /** {@linkcode malloc} on this heap. */
  malloc: typeof malloc;
  /** {@linkcode calloc} on this heap. */
  calloc: typeof calloc;
  /** {@linkcode realloc} on this heap. */
  realloc: typeof realloc;
  /** {@linkcode free} on this heap. */
  free: typeof free;
  /** {@linkcode own} on this heap. */
  own: typeof own;
  /** {@linkcode disown} on this heap. */
  disown: typeof disown;
  /** {@linkcode imports} of this heap, for modules to import. */
  imports: typeof imports;
  /** {@linkcode grow} on this heap. */
  grow: typeof grow;
  /** {@linkcode limit} on this heap. */
  limit: typeof limit;
  /** {@linkcode stats} of this heap. */
  stats: typeof stats;
  /** {@linkcode trim} on this heap. */
  trim: typeof trim;
  /** {@linkcode bind} to this heap. */
  bind: typeof bind;
  /** {@linkcode watch} this heap. */
  watch: typeof watch;
  /** {@linkcode unwatch} on this heap. */
  unwatch: typeof unwatch;
  /** {@linkcode protect} on this heap. */
  protect: typeof protect;
  /** {@linkcode restrict} this heap. */
  restrict: typeof restrict;
  /** {@linkcode spans} of this heap. */
  spans: typeof spans;
  /** {@linkcode check} this heap. */
  check: typeof check;
  /** {@linkcode debug} this heap. */
  debug: typeof debug;
  /** {@linkcode render} this heap. */
  render: typeof render;
  /** {@linkcode policy} of this heap. */
  policy: typeof policy;
}

export { createHeap } from "./lib/heap.generated.ts";

/**
 * A placement policy for {@linkcode policy}: `"best"` (exact best fit, the
 * default and SPEC.md's rule), `"first"` (address-ordered first fit) or
 * `"next"` (next fit).
 *
 * @example
 * ```ts
 * import { type Policy, policy } from "@lewd/alloc";
 *
 * const was: Policy = policy("first");
 * policy(was);
 * ```
 */
export type Policy = "best" | "first" | "next";

let chosen: Policy = "best";

/**
 * Chooses where allocations go from now on (and where a scratch is):
 *
 * - `"best"`: exact best fit, SPEC.md's rule and the default: the shortest
 *   free span that fits, the lowest among equals. O(log n).
 * - `"first"`: address-ordered first fit: the lowest free span that fits.
 *   The core walks the spans from the start: O(spans before it).
 * - `"next"`: next fit: the first free span that fits at or after where the
 *   last allocation ended, wrapping around to the start.
 *
 * Each takes the low end of the span it picks. Aligned allocations
 * ({@linkcode allocAligned}) always use best fit. `bench/RESULTS.md` compares
 * the three on the same traces: fragmentation and speed.
 *
 * @param name The policy to use; if not given, nothing changes.
 * @returns The policy before.
 * @throws {TypeError} If `name` is given and is not one of the three.
 *
 * @example
 * ```ts
 * import { alloc, policy } from "@lewd/alloc";
 *
 * policy("next");
 * alloc(64, {});
 * policy("best");
 * ```
 */
export function policy(name?: Policy): Policy {
  const was = chosen;
  if (name === undefined) return was;
  if (name == "best") {
    spot = (blocks) => core.peek(blocks);
    place = (blocks) => core.take(blocks);
  } else if (name == "first" || name == "next") {
    // Next fit starts where the last allocation ended (a span starts
    // there), wrapping around; the core restarts at the first span if no
    // span starts there any more.
    let rover = 1;
    spot = name == "first"
      ? (blocks) => ext().first(blocks, 1)
      : (blocks) => ext().first(blocks, rover) || ext().first(blocks, 1);
    place = (blocks) => {
      const block = spot(blocks);
      if (block) {
        ext().claim(block, block, blocks);
        rover = block + blocks;
      }
      return block;
    };
  } else {
    throw new TypeError(
      `policy: name must be "best", "first" or "next", got ${describe(name)}`,
    );
  }
  chosen = name;
  return was;
}
