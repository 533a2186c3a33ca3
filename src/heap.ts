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
import { createState } from "./state.ts";
import { callocIn, freeIn, mallocIn, move } from "./strong.ts";
import type { calloc, free, malloc, realloc } from "./strong.ts";
import { reclaimIn } from "./reclaim.ts";
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
 * the memory cannot follow: do not trim such a heap.
 *
 * @param options What to manage; see {@linkcode HeapOptions}.
 * @returns The heap.
 * @throws {TypeError} If `options.memory` is not an unshared
 * `WebAssembly.Memory`.
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
  const { memory, reserved = 0 } = options ?? {};
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
  if (!Number.isInteger(reserved) || reserved < 0 || reserved > size) {
    throw new RangeError(
      `createHeap: reserved must be an integer from 0 to ${size}, got ${reserved}`,
    );
  }
  const heap = createState(memory);
  if (reserved > 16) protectIn(heap, 0, reserved);
  return {
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
    trim: () => trimIn(heap),
    reclaim: () => reclaimIn(heap),
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
  } as Heap;
}
