/**
 * LEWD Alloc: a tiny JS-side allocator for hand-written WebAssembly.
 *
 * One shared {@linkcode mem} that your modules import; addresses handed out
 * from JS, freed when a JS "token" object is garbage-collected; scratch space
 * for temporary buffers; {@linkcode trim} to give pages back; notifications
 * when the memory is resized. The bookkeeping runs in a few hundred bytes of
 * embedded WebAssembly and never writes into {@linkcode mem}.
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

import { core as coreBytes } from "./lib/core.generated.ts";

/** The core's exports: block-based, i32 only (see `rs_lib/src/lib.rs`). */
interface Core {
  take(blocks: number): number;
  peek(blocks: number): number;
  free(block: number): number;
  tail(): number;
  grow(cap: number): number;
  shrink(cap: number): number;
}

const PAGE_BLOCKS = 4096;
const MAX_PAGES = 65536;
const MAX_SIZE = 0xFFFF_FFF0;

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
export let mem: WebAssembly.Memory = /*#__PURE__*/ new WebAssembly.Memory({
  initial: 1,
});

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
export let cap: number = PAGE_BLOCKS;

const core: Core = /*#__PURE__*/ (() => {
  const bytes = Uint8Array.from(atob(coreBytes), (c) => c.charCodeAt(0));
  const exports = new WebAssembly.Instance(new WebAssembly.Module(bytes))
    .exports as unknown as Core;
  exports.grow(PAGE_BLOCKS);
  return exports;
})();

// The held value is the block index (a small integer): nothing per allocation
// references the token, and no object is created for it.
const registry = /*#__PURE__*/ new FinalizationRegistry<number>((block) => {
  core.free(block);
  debt = 0; // a collection happened: start counting again
});

// GC pressure (pitfall 10, issue 8). V8 does not count `mem` as memory the
// collector should care about, so with nobody calling `gc()` tokens die in
// bulk long after their spans could have been reused and `mem` balloons. So
// `alloc` keeps `debt`, the blocks handed out with a token since a finalizer
// last ran; past `limit` (a quarter of `mem`, at least 4 MiB) it creates a
// throwaway ArrayBuffer of NUDGE bytes. Engines count ArrayBuffer backing
// stores as external memory and start a major GC when it jumps; the buffer is
// never touched, so it costs address space and no RSS, and dies in that GC.
// A nudge costs about 0.1 ms, hence the floor: a small heap loses little by
// waiting. Literals, not expressions, keep bundles that use nothing empty.
const NUDGE = 0x1000_0000; // 256 MiB
const NUDGE_FLOOR = 0x4_0000; // blocks: 4 MiB
let debt = 0;
let limit = 0x4_0000; // re-derived from cap on every resize

const nudge = (): void => {
  debt = 0;
  try {
    new ArrayBuffer(NUDGE);
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
  limit = Math.max(cap >>> 2, NUDGE_FLOOR);
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
 * Grows `mem` so that the free tail holds `blocks`: by half the current size
 * or by what is needed, whichever is more (geometric growth keeps `mem.grow`
 * calls, each of which detaches the buffer, to a few dozen for any heap), and
 * by exactly what is needed if the engine refuses the larger step.
 */
const expand = (name: string, blocks: number, size: number): void => {
  const pages = cap / PAGE_BLOCKS;
  const need = Math.ceil((blocks - core.tail()) / PAGE_BLOCKS);
  const room = MAX_PAGES - pages;
  if (need <= room) {
    for (const add of [Math.min(Math.max(need, pages >>> 1), room), need]) {
      // The core reserves its records first, so a refusal changes nothing.
      if (core.grow(cap + add * PAGE_BLOCKS)) {
        try {
          mem.grow(add);
          rebind(mem);
          return;
        } catch {
          core.shrink(cap);
        }
      }
    }
  }
  throw new RangeError(`${name}: out of memory, cannot fit ${size} bytes`);
};

const allocSlow = (
  name: string,
  size: number,
  blocks: number,
  token: WeakKey,
  unregister?: WeakKey,
): number => {
  checkWeakKey(name, token);
  expand(name, blocks, size);
  const block = core.take(blocks);
  registry.register(token, block, unregister);
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
 * size, see {@linkcode mem}) and the resize watchers run before `alloc`
 * returns.
 *
 * @param size Bytes to allocate: an integer from 1 to 4 294 967 280.
 * @param token The lifetime token: an object or a non-registered symbol.
 * @returns The address of the allocation.
 * @throws {TypeError} If `size` is not a number or `token` cannot be held
 * weakly. Nothing changes.
 * @throws {RangeError} If `size` is out of range, or "out of memory" if `mem`
 * cannot grow enough. Nothing changes.
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
  return place("alloc", size, token);
}

const place = (
  name: string,
  size: number,
  token?: WeakKey,
  unregister?: WeakKey,
): number => {
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
  const blocks = (size + 15) >>> 4;
  if (token === undefined) {
    // The scratch is where the span goes once the watchers have run (they may
    // allocate). A watcher that trims on every resize would undo each growth:
    // give up after a few rounds rather than loop forever.
    let block;
    for (let round = 0; !(block = core.peek(blocks)); round++) {
      if (round == 3) {
        throw new RangeError(
          `${name}: resize callbacks keep releasing the room for ${size} bytes`,
        );
      }
      expand(name, blocks, size);
      notify(false);
    }
    return block << 4;
  }
  const block = core.take(blocks);
  if (!block) return allocSlow(name, size, blocks, token, unregister);
  try {
    registry.register(token, block, unregister);
  } catch (error) {
    core.free(block);
    checkWeakKey(name, token);
    throw error;
  }
  if ((debt += blocks) > limit) nudge();
  return block << 4;
};

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
 * garbage-collected, as with {@linkcode alloc}.
 *
 * @param size Bytes to allocate: an integer from 1 to 4 294 967 280.
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
export function lease(size: number): Lease {
  const held = {
    ptr: 0,
    size,
    [DISPOSE]() {
      // The lease is also its unregister token: `unregister` is true only the
      // first time and only while the finalizer has not run, so the span is
      // freed exactly once, and a late finalization can never free an address
      // that was reused since.
      if (registry.unregister(held)) core.free(held.ptr >>> 4);
    },
  };
  held.ptr = place("lease", size, held, held);
  return held as unknown as Lease; // DISPOSE is Symbol.dispose where it exists
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
  core.shrink(pages * PAGE_BLOCKS);
  rebind(next);
  notify(true);
  return released;
}

/**
 * Registers `respawn`, then calls `spawn()` and returns its result.
 *
 * `spawn` creates a module instance over {@linkcode mem} and initialises it;
 * `respawn` runs after every {@linkcode trim} (which replaces `mem`), in
 * `bind` order and before the watchers, to create a new instance over the new
 * `mem` and restore the state that is not in memory (mutable globals, tables).
 * `respawn` must be synchronous. If `spawn` throws, `respawn` is not kept.
 *
 * @param spawn Called once, now; its result is returned.
 * @param respawn Called after every trim.
 * @returns What `spawn` returned.
 * @throws {TypeError} If either argument is not a function.
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
): T {
  checkFunction("bind", "spawn", spawn);
  checkFunction("bind", "respawn", respawn);
  const at = respawns.push(respawn) - 1;
  try {
    return spawn();
  } catch (error) {
    respawns.splice(at, 1);
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
