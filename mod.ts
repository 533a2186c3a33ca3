/**
 * LEWD Alloc: a tiny JS-side allocator for hand-written WebAssembly.
 *
 * One shared {@linkcode mem} that your modules import; addresses handed out
 * from JS ({@linkcode alloc}), freed when a JS "token" object is
 * garbage-collected; scratch space for temporary buffers; {@linkcode trim} to
 * give pages back, with {@linkcode bind} to respawn modules over the new
 * memory; {@linkcode watch} to hear of every resize. The bookkeeping runs in
 * 1.2 KB of embedded WebAssembly and never writes into {@linkcode mem}.
 *
 * Extensions, each bundled only by a program that uses it: strong
 * allocations ({@linkcode malloc}, {@linkcode free}, {@linkcode realloc},
 * {@linkcode calloc}) and the same for modules to import
 * ({@linkcode imports}); {@linkcode lease}; {@linkcode reclaim}, which gives memory back on
 * purpose; {@linkcode own} and
 * {@linkcode disown}; movable allocations ({@linkcode allocMovable}) and
 * {@linkcode compact}; {@linkcode grow}, {@linkcode limit} and
 * {@linkcode stats}; aligned allocations ({@linkcode allocAligned});
 * {@linkcode protect}ed ranges and {@linkcode restrict}; modules with data
 * segments ({@linkcode bindSegments}); placement {@linkcode policy};
 * independent heaps ({@linkcode createHeap}) and heaps shared between
 * threads ({@linkcode createSharedHeap}); a debugger
 * ({@linkcode check}, {@linkcode debug}, {@linkcode spans},
 * {@linkcode render}). The contract is docs/CONTRACT.md.
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

export { buf, cap, i32, mem } from "./src/default.ts";
export { alloc } from "./src/alloc.ts";
export { trim } from "./src/trim.ts";
export { bind } from "./src/bind.ts";
export { unwatch, watch } from "./src/watch.ts";

export { allocAligned } from "./src/align.ts";
export { type Lease, lease } from "./src/lease.ts";
export { allocMovable, compact, type Movable } from "./src/movable.ts";
export { calloc, free, malloc, realloc } from "./src/strong.ts";
export { disown, own } from "./src/kinds.ts";
export { type Imports, imports } from "./src/imports.ts";
export { reclaim } from "./src/reclaim.ts";
export { grow, limit, type Stats, stats } from "./src/limits.ts";
export type { OutOfMemory } from "./src/errors.ts";
export { protect, restrict } from "./src/protect.ts";
export { bindSegments } from "./src/segments.ts";
export { check, debug, type Span, spans } from "./src/inspect.ts";
export { render, type RenderOptions } from "./src/render.ts";
export { type Policy, policy } from "./src/policy.ts";
export { createHeap, type Heap, type HeapOptions } from "./src/heap.ts";
export {
  createSharedHeap,
  joinSharedHeap,
  type SharedHeap,
  type SharedHeapHandle,
  type SharedHeapOptions,
} from "./src/shared.ts";
