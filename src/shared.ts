/**
 * Shared heaps: one heap over a shared `WebAssembly.Memory` that several
 * threads (Web Workers, Deno workers, Node `worker_threads`) allocate from
 * at once. Every thread runs its own instance of the core over one shared
 * memory of records, so the bookkeeping is one; a lock in shared memory
 * makes each call of the heap's API one step that no other thread sees half
 * done. Each thread keeps its own tokens, finalizers, watchers and pacing.
 *
 * The core is built single-threaded, with a memory of its own: here its
 * bytes are rewritten to import a shared one instead (and the extension's
 * import made shared too). Its code needs no atomics: only one thread runs
 * it at a time, and the lock's atomic operations order what each wrote.
 *
 * @module
 */

import { core as coreBytes, ext as extBytes } from "../lib/core.generated.ts";
import type { Core } from "./core.ts";
import { describe } from "./errors.ts";
import type { Ext } from "./extension.ts";
import { rebind } from "./growth.ts";
import { apiOf, type Heap } from "./heap.ts";
import { allocations, reclaimWith } from "./reclaim.ts";
import { createState, MAX_PAGES, type State } from "./state.ts";

/**
 * What a thread needs to join a shared heap: post it to a worker
 * (`postMessage` copies the memories' handles, not their bytes) and call
 * {@linkcode joinSharedHeap} there.
 *
 * @example
 * ```ts
 * import { createSharedHeap, type SharedHeapHandle } from "@lewd/alloc";
 *
 * const handle: SharedHeapHandle = createSharedHeap({ maximum: 16 }).handle;
 * // worker.postMessage(handle);
 * ```
 */
export interface SharedHeapHandle {
  /** The managed memory: shared, of `maximum` pages at most. */
  readonly memory: WebAssembly.Memory;
  /** The core's records: shared, one for every thread's core. */
  readonly records: WebAssembly.Memory;
  /**
   * The lock: 0 when free, else the holder's number; then the number of
   * times `memory` has grown.
   */
  readonly lock: Int32Array;
  /** The most pages `memory` may have. */
  readonly maximum: number;
}

/**
 * A heap of {@linkcode createSharedHeap}, in one thread: a {@linkcode Heap}
 * and the handle that other threads join it with.
 *
 * @example
 * ```ts
 * import { createSharedHeap, type SharedHeap } from "@lewd/alloc";
 *
 * const heap: SharedHeap = createSharedHeap({ maximum: 16 });
 * heap.alloc(64, heap); // a token is required: there is no scratch
 * ```
 */
export interface SharedHeap extends Heap {
  /** What other threads join it with (see {@linkcode joinSharedHeap}). */
  readonly handle: SharedHeapHandle;
}

/**
 * How {@linkcode createSharedHeap} makes a shared heap.
 *
 * @example
 * ```ts
 * import { createSharedHeap, type SharedHeapOptions } from "@lewd/alloc";
 *
 * const options: SharedHeapOptions = { initial: 2, maximum: 1024 };
 * const heap = createSharedHeap(options);
 * ```
 */
export interface SharedHeapOptions {
  /** Pages to start with: an integer from 1 to `maximum` (default 1). */
  initial?: number;
  /**
   * The most pages the memory may have: an integer from 1 to 65 536. A
   * shared memory reserves its maximum up front (address space, not RAM).
   */
  maximum: number;
}

// How long a call waits for the lock before it gives up (see `acquire`).
const PATIENCE = 2000; // ms

/**
 * `bytes` (a module that defines one memory, or imports one as
 * `env.memory`) rewritten to import `env.memory` as a shared memory of at
 * most 65 536 pages: sections 2 (imports) and 5 (memories) dropped, one
 * import section put before section 3 (functions). Everything else stays.
 */
const importingShared = (bytes: Uint8Array): Uint8Array<ArrayBuffer> => {
  const out = [...bytes.subarray(0, 8)];
  // One import: "env" "memory", a memory (2), shared with a maximum (3),
  // of 1 to 65 536 pages (LEB128 0x80 0x80 0x04).
  const entry = [1, 3, 101, 110, 118, 6, 109, 101, 109, 111, 114, 121, 2, 3, 1];
  const imports = [2, entry.length + 3, ...entry, 0x80, 0x80, 4];
  let at = 8;
  while (at < bytes.length) {
    const start = at;
    const id = bytes[at++];
    let size = 0;
    for (let shift = 0;; shift += 7) {
      const byte = bytes[at++];
      size += (byte & 0x7f) * 2 ** shift;
      if (byte < 0x80) break;
    }
    at += size;
    if (id == 3) out.push(...imports);
    if (id != 2 && id != 5) out.push(...bytes.subarray(start, at));
  }
  return Uint8Array.from(out);
};

let modules: [WebAssembly.Module, WebAssembly.Module] | undefined;

/** The core and its extension, each importing a shared memory. */
const sharedModules = () =>
  modules ??= [coreBytes, extBytes].map((text) =>
    new WebAssembly.Module(
      importingShared(Uint8Array.from(text, (c) => c.charCodeAt(0))),
    )
  ) as [WebAssembly.Module, WebAssembly.Module];

/** An integer check for the options: a `RangeError` naming the option. */
const checkPages = (what: string, value: unknown, max: number): number => {
  if (
    typeof value != "number" || !Number.isInteger(value) || value < 1 ||
    value > max
  ) {
    throw new (typeof value == "number" ? RangeError : TypeError)(
      `createSharedHeap: ${what} must be an integer from 1 to ${max}, got ${
        describe(value)
      }`,
    );
  }
  return value;
};

/**
 * Makes a heap over a new shared memory that other threads can join: pass
 * its `handle` to them (`postMessage`) and call {@linkcode joinSharedHeap}
 * there. Every thread gets the whole API of {@linkcode createHeap}'s heaps,
 * and no two threads are ever given overlapping spans.
 *
 * - Each call of the heap's API, and each finalizer's free, holds a lock in
 *   shared memory while it runs, callbacks included: keep watchers short,
 *   and never make one wait for another thread.
 * - A thread sees growth made by another at its next call: its `mem`, `buf`,
 *   `i32` and `cap` are refreshed, and its watchers run, then.
 * - Tokens, finalizers, watchers, respawns, limits and pacing belong to the
 *   thread that made them. A span whose token lives in a thread that ends is
 *   never freed.
 * - `alloc` needs a token: another thread could take a scratch at once.
 * - A shared memory cannot shrink: `trim()` releases nothing and returns 0
 *   (`reclaim()` still frees what collected tokens held, for reuse).
 * - A thread terminated inside a call leaves the lock held: the other
 *   threads' calls then throw an `Error` after waiting 2 s for it, and the
 *   heap cannot be trusted any more.
 *
 * @param options The initial and maximum number of pages.
 * @returns The heap, with the `handle` that other threads join it with.
 * @throws {TypeError} If `options` or a number in it is missing or not a
 * number.
 * @throws {RangeError} If `maximum` is not an integer from 1 to 65 536, or
 * `initial` not one from 1 to `maximum`, or the engine refuses the memory.
 *
 * @example
 * ```ts
 * import { createSharedHeap } from "@lewd/alloc";
 *
 * const heap = createSharedHeap({ maximum: 256 });
 * const owner = {};
 * heap.alloc(64, owner);
 * // new Worker(url).postMessage(heap.handle); there: joinSharedHeap(handle)
 * ```
 */
export function createSharedHeap(options: SharedHeapOptions): SharedHeap {
  if (typeof options != "object" || options === null) {
    throw new TypeError(
      `createSharedHeap: options must be an object, got ${describe(options)}`,
    );
  }
  const maximum = checkPages("maximum", options.maximum, MAX_PAGES);
  const initial = checkPages("initial", options.initial ?? 1, maximum);
  // Records take half of `memory` at most (two words a block), plus a page.
  const records = (maximum >>> 1) + 1;
  let handle: SharedHeapHandle;
  try {
    handle = {
      memory: new WebAssembly.Memory({ initial, maximum, shared: true }),
      records: new WebAssembly.Memory({
        initial: 1,
        maximum: records,
        shared: true,
      }),
      lock: new Int32Array(new SharedArrayBuffer(8)),
      maximum,
    };
  } catch (cause) {
    throw new RangeError(
      `createSharedHeap: cannot create a shared memory of ${maximum} pages`,
      { cause },
    );
  }
  return open(handle);
}

/**
 * Joins, in this thread, the shared heap that `handle` came from (see
 * {@linkcode createSharedHeap}): a heap over the same memory and records,
 * with this thread's own tokens, finalizers, watchers and pacing.
 *
 * @param handle The `handle` of a heap from {@linkcode createSharedHeap},
 * as `postMessage` delivered it.
 * @returns This thread's heap.
 * @throws {TypeError} If `handle` is not such a handle.
 *
 * @example
 * ```ts
 * import { createSharedHeap, joinSharedHeap } from "@lewd/alloc";
 *
 * const { handle } = createSharedHeap({ maximum: 16 });
 * // In a worker, `handle` is what `postMessage` delivered:
 * const heap = joinSharedHeap(handle);
 * heap.alloc(16, {});
 * ```
 */
export function joinSharedHeap(handle: SharedHeapHandle): SharedHeap {
  const shared = (memory: unknown) =>
    memory instanceof WebAssembly.Memory &&
    memory.buffer instanceof SharedArrayBuffer;
  if (
    typeof handle != "object" || handle === null || !shared(handle.memory) ||
    !shared(handle.records) || !(handle.lock instanceof Int32Array) ||
    !(handle.lock.buffer instanceof SharedArrayBuffer) ||
    handle.lock.length != 2 ||
    !Number.isInteger(handle.maximum)
  ) {
    throw new TypeError(
      `joinSharedHeap: handle must be a shared heap's handle, got ${
        describe(handle)
      }`,
    );
  }
  return open(handle);
}

/** This thread's heap over the shared memory and records of `handle`. */
const open = (handle: SharedHeapHandle): SharedHeap => {
  const [core, ext] = sharedModules();
  const env = { env: { memory: handle.records } };
  // The lock's second word counts the growths of `memory`: a thread whose
  // count is behind takes the growth in (cheaper than `memory.buffer`).
  const word = handle.lock;
  const me = (Math.random() * 0x7FFF_FFFF | 0) + 1; // tells threads apart
  let depth = 0;
  let seen = word[1];
  let catchingUp = false;
  // Set once the state exists; `locked` runs before that, for the state.
  let heap: State | undefined = undefined;
  /**
   * Runs `work(...args)` holding the lock (again, if this thread holds it
   * already: a callback may call the heap), after taking in the growth that
   * other threads made since this thread's last call.
   */
  // deno-lint-ignore no-explicit-any
  const locked = <A extends any[], T>(work: (...args: A) => T, args: A): T => {
    if (!depth) acquire(word, me);
    depth++;
    try {
      if (depth == 1 && heap && word[1] != seen) {
        seen = word[1];
        catchingUp = true;
        try {
          rebind(heap, heap.mem);
        } finally {
          catchingUp = false;
        }
        heap.notify();
      }
      return work(...args);
    } finally {
      if (!--depth) Atomics.store(word, 0, 0);
    }
  };
  // The first core to grow its records over `memory` sets the heap up; a
  // joining thread's `grow` to the size it sees changes nothing.
  heap = locked(createState, [
    handle.memory,
    () => {
      // This thread grew `memory` (under the lock): the others are behind.
      if (!catchingUp) seen = ++word[1];
    },
    new WebAssembly.Instance(core, env).exports as unknown as Core,
  ]);
  heap.ext = new WebAssembly.Instance(ext, env).exports as unknown as Ext;
  heap.maxPages = handle.maximum;
  const unspan = heap.unspan;
  heap.unspan = (block) => locked(unspan, [block]);
  const api: Record<string, unknown> = apiOf(heap, () => 0) as never;
  const lockAll = (object: Record<string, unknown>) => {
    for (const [name, value] of Object.entries(object)) {
      if (typeof value == "function") {
        object[name] = (...args: unknown[]) =>
          locked(value as (...args: unknown[]) => unknown, args);
      }
    }
  };
  lockAll(api);
  lockAll(api.imports as Record<string, unknown>);
  // Another thread may take a scratch the moment the lock is released.
  const alloc = api.alloc as (size: number, token?: WeakKey) => number;
  api.alloc = (size: number, token: WeakKey) => {
    if (token === undefined) {
      throw new TypeError(
        "alloc: a shared heap has no scratch (another thread could take it): give a token",
      );
    }
    return alloc(size, token);
  };
  // `reclaim` waits outside the lock, then counts under it; a shared heap's
  // trim is 0.
  const count = allocations(heap);
  api.reclaim = () => reclaimWith(() => locked(count, []), () => 0);
  return Object.defineProperty(api, "handle", { value: handle }) as never;
};

/** Takes the lock for `me`; throws if it stays held for `PATIENCE`. */
const acquire = (word: Int32Array, me: number): void => {
  let since = 0;
  for (let spins = 0; Atomics.compareExchange(word, 0, 0, me); spins++) {
    if (spins % 4096 == 4095) {
      since ||= performance.now();
      if (performance.now() - since > PATIENCE) {
        throw new Error(
          `shared heap: the lock has been held for over ${PATIENCE} ms by thread ${
            Atomics.load(word, 0)
          } (a thread that ended inside a call?)`,
        );
      }
    }
  }
};
