/**
 * `createHeap`: independent heaps, each a state record driven by the same
 * operations as the default heap.
 *
 * @module
 */

import type { alloc } from "./alloc.ts";
import { allocOn } from "./alloc.ts";
import type { allocAligned } from "./align.ts";
import { allocAlignedIn } from "./align.ts";
import type { bind } from "./bind.ts";
import { bindIn } from "./bind.ts";
import type { Core } from "./core.ts";
import type { Imports } from "./imports.ts";
import { importsOf } from "./imports.ts";
import { checkIn, debugIn, type spans, spansOf } from "./inspect.ts";
import type { check, debug } from "./inspect.ts";
import { disownIn, ownIn } from "./kinds.ts";
import type { disown, own } from "./kinds.ts";
import { leaseIn } from "./lease.ts";
import type { lease } from "./lease.ts";
import { growIn, limitIn, statsOf } from "./limits.ts";
import type { grow, limit, stats } from "./limits.ts";
import { policyOf } from "./policy.ts";
import type { policy } from "./policy.ts";
import { protectIn, restrictIn } from "./protect.ts";
import type { protect, restrict } from "./protect.ts";
import { renderOf } from "./render.ts";
import type { render } from "./render.ts";
import { bindSegmentsIn } from "./segments.ts";
import type { bindSegments } from "./segments.ts";
import { createState, PAGE_BLOCKS, type State } from "./state.ts";
import {
  badArgument,
  checkFunction,
  checkOptions,
  describe,
} from "./errors.ts";
import { callocIn, freeIn, mallocIn, move } from "./strong.ts";
import type { calloc, free, malloc, realloc } from "./strong.ts";
import { allocMovableIn, compactIn } from "./movable.ts";
import type { allocMovable, compact } from "./movable.ts";
import { allocations, reclaimWith } from "./reclaim.ts";
import type { reclaim } from "./reclaim.ts";
import { trimIn } from "./trim.ts";
import type { trim } from "./trim.ts";
import { unwatchIn, watchIn } from "./watch.ts";
import type { unwatch, watch } from "./watch.ts";

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
  /**
   * Makes the core that keeps the heap's records; the default core if not
   * given. `bigCore` (from `@lewd/alloc/big`) keeps them per span instead
   * of per block, for heaps of many live allocations. It has no extension:
   * the functions that need one throw a `TypeError` on its heaps (the basic
   * API works).
   */
  core?: () => Core;
  /**
   * How {@linkcode trim} replaces an adopted `memory`: re-instantiates the
   * module that defines it and returns the new instance's memory. The heap
   * then grows that memory to the size it keeps, copies the kept bytes into
   * it (over what the new instance's data segments wrote) and runs the
   * respawns of {@linkcode bind} and the watchers, as for any trim. Without
   * it, a trim that would replace an adopted memory throws, changing
   * nothing: the module that defines a memory cannot follow one that `trim`
   * makes. For a memory made in JS and imported by modules,
   * `() => new WebAssembly.Memory({ initial: 1 })` will do.
   *
   * @example
   * ```ts
   * import { createHeap } from "@lewd/alloc";
   *
   * // (module (memory (export "memory") 1)), compiled:
   * const module = new WebAssembly.Module(new Uint8Array([
   *   0, 97, 115, 109, 1, 0, 0, 0, 5, 3, 1, 0, 1, 7, 10, 1, 6, 109, 101, 109,
   *   111, 114, 121, 2, 0,
   * ]));
   * let instance = new WebAssembly.Instance(module);
   * const heap = createHeap({
   *   memory: instance.exports.memory as WebAssembly.Memory,
   *   respawn: () => {
   *     instance = new WebAssembly.Instance(module);
   *     return instance.exports.memory as WebAssembly.Memory;
   *   },
   * });
   * heap.trim(); // the module follows the heap to its new memory
   * ```
   */
  respawn?: () => WebAssembly.Memory;
}

/**
 * How `trim` replaces an adopted memory: through `respawn`, grown to `pages`
 * if smaller; without one it refuses, changing nothing.
 */
const renewal = (
  heap: State,
  respawn: (() => WebAssembly.Memory) | undefined,
) =>
(pages: number): WebAssembly.Memory => {
  if (!respawn) {
    throw new TypeError(
      "trim: this heap adopted its memory; give createHeap a respawn that re-instantiates the module defining it",
    );
  }
  const next = respawn();
  if (
    !(next instanceof WebAssembly.Memory && next.buffer instanceof ArrayBuffer)
  ) {
    throw new TypeError(
      `trim: the heap's respawn must return an unshared WebAssembly.Memory, got ${
        describe(next)
      }`,
    );
  }
  const size = next.buffer.byteLength / 0x1_0000;
  if (size * PAGE_BLOCKS >= heap.cap) {
    throw new RangeError(
      `trim: the heap's respawn returned a memory of ${size} pages, not smaller than the ${
        heap.cap / PAGE_BLOCKS
      } it replaces`,
    );
  }
  if (size < pages) next.grow(pages - size);
  return next;
};

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
  /** The heap's memory (as `mem` is the default heap's). */
  readonly mem: WebAssembly.Memory;
  /** Its buffer (as `buf`). */
  readonly buf: ArrayBuffer;
  /** An `Int32Array` over all of it (as `i32`). */
  readonly i32: Int32Array;
  /** Its size in blocks (as `cap`). */
  readonly cap: number;
  /** {@linkcode alloc} on this heap. */
  alloc: typeof alloc;
  /** {@linkcode allocAligned} on this heap. */
  allocAligned: typeof allocAligned;
  /** {@linkcode allocMovable} on this heap. */
  allocMovable: typeof allocMovable;
  /** {@linkcode compact} this heap. */
  compact: typeof compact;
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
  /** The C API of this heap, for modules to import (as `imports`). */
  imports: Imports;
  /** {@linkcode grow} on this heap. */
  grow: typeof grow;
  /** {@linkcode limit} on this heap. */
  limit: typeof limit;
  /** {@linkcode stats} of this heap. */
  stats: typeof stats;
  /** {@linkcode trim} on this heap. */
  trim: typeof trim;
  /** {@linkcode reclaim} on this heap. */
  reclaim: typeof reclaim;
  /** {@linkcode bind} to this heap. */
  bind: typeof bind;
  /** {@linkcode bindSegments} to this heap. */
  bindSegments: typeof bindSegments;
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

/**
 * Makes an independent heap: the same API as the module's exports (which are
 * the default heap), over a memory of its own, with its own core, registry,
 * watchers and respawns. Heaps never share a byte or a callback.
 *
 * With `options.memory` the heap manages an existing memory (one that a
 * compiled module exports, say) instead of a new one-page memory, keeping the
 * first `options.reserved` bytes (the module's static data and stack) out of
 * its hands. `trim()` replaces a heap's memory, which a module that defines
 * the memory cannot follow by itself: trimming such a heap needs
 * `options.respawn`, which re-instantiates the module (see
 * {@linkcode HeapOptions}); without it, a trim that would release pages
 * throws, changing nothing.
 *
 * @param options What to manage; see {@linkcode HeapOptions}.
 * @returns The heap.
 * @throws {TypeError} If `options` is not an object, `options.memory` is
 * not an unshared `WebAssembly.Memory`, `options.core` is not a function,
 * `options.reserved` is not a number, or `options.respawn` is not a function
 * or comes without `options.memory`.
 * @throws {RangeError} If `options.reserved` is not an integer from 0 to
 * the memory's size.
 *
 * @example
 * ```ts
 * import { alloc, createHeap } from "@lewd/alloc";
 *
 * const heap = createHeap();
 * const owner = {};
 * heap.alloc(64, owner); // in heap.mem
 * alloc(64, owner); // in the module's mem: another heap
 * ```
 */
export function createHeap(options?: HeapOptions): Heap {
  checkOptions("createHeap", options);
  const { memory, reserved = 0, respawn, core } = options ?? {};
  if (core !== undefined && typeof core != "function") {
    throw new TypeError("createHeap: core must be a function, such as bigCore");
  }
  if (
    memory !== undefined &&
    !(memory instanceof WebAssembly.Memory &&
      memory.buffer instanceof ArrayBuffer)
  ) {
    throw new TypeError(
      "createHeap: memory must be an unshared WebAssembly.Memory",
    );
  }
  const size = memory?.buffer.byteLength ?? 0x1_0000;
  if (typeof reserved != "number") {
    throw badArgument("createHeap", "reserved must be a number", reserved);
  }
  if (!Number.isInteger(reserved) || reserved < 0 || reserved > size) {
    throw badArgument(
      "createHeap",
      `reserved must be an integer from 0 to ${size}`,
      reserved,
      RangeError,
    );
  }
  if (respawn !== undefined) {
    checkFunction("createHeap", "respawn", respawn);
    if (!memory) {
      throw new TypeError(
        "createHeap: respawn re-creates an adopted memory: give memory too",
      );
    }
  }
  const heap = createState(memory, undefined, core?.());
  if (reserved > 16) {
    // The big core cannot protect: a span after block 0 that nothing frees.
    if (heap.core.big) heap.core.take(Math.ceil(reserved / 16) - 1);
    else protectIn(heap, 0, reserved);
  }
  return apiOf(
    heap,
    memory ? () => trimIn(heap, renewal(heap, respawn)) : () => trimIn(heap),
  );
}

/** The API of a {@linkcode Heap} over `heap`, `trim` its way to trim. */
export const apiOf = (heap: State, trim: () => number): Heap =>
  ({
    get mem() {
      return heap.mem;
    },
    get buf() {
      return heap.buf;
    },
    get i32() {
      return heap.i32;
    },
    get cap() {
      return heap.cap;
    },
    alloc: allocOn(heap),
    allocAligned: (size, align, token) =>
      allocAlignedIn(heap, size, align, token),
    allocMovable: (size, token) => allocMovableIn(heap, size, token),
    compact: () => compactIn(heap),
    lease: (size, align) => leaseIn(heap, size, align),
    malloc: (size, align) => mallocIn(heap, size, align),
    calloc: (count, size) => callocIn(heap, count, size),
    realloc: (ptr, size) => move(heap, "realloc", ptr, size),
    free: (ptr) => freeIn(heap, ptr),
    own: (ptr, token) => ownIn(heap, ptr, token),
    disown: (ptr) => disownIn(heap, ptr),
    imports: importsOf(heap),
    grow: (pages) => growIn(heap, pages),
    limit: (pages) => limitIn(heap, pages),
    stats: () => statsOf(heap),
    trim,
    reclaim: () => reclaimWith(allocations(heap), trim),
    bind: (spawn, respawn) => bindIn(heap, spawn, respawn),
    bindSegments: (spawn, respawn, binary) =>
      bindSegmentsIn(heap, spawn, respawn, binary),
    watch: (watcher, token) => watchIn(heap, watcher, token),
    unwatch: (...args: unknown[]) => unwatchIn(heap, args),
    protect: (ptr, size) => protectIn(heap, ptr, size),
    restrict: (start, end) => restrictIn(heap, start, end),
    spans: () => spansOf(heap),
    check: () => checkIn(heap),
    debug: (on) => debugIn(heap, on),
    render: (options) => renderOf(heap, options),
    policy: (name) => policyOf(heap, name),
  }) as Heap;
