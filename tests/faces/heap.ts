/**
 * The heap face: mod.ts's names, bound to one heap from `createHeap()`, so
 * that the suite written against the default heap runs against a created
 * heap too. `deno task test` runs `tests/` a second time with
 * `--import-map=tests/faces/heap.json`, which resolves `mod.ts` to this
 * module for every file under `tests/` and `examples/` (this directory
 * still gets the real one).
 *
 * `mem`, `buf`, `i32` and `cap` are `export let` bindings, as in mod.ts.
 * They are refreshed by this heap's first respawn and its first watcher (the
 * watcher of the first token registered), so they are current before any
 * callback a test registers runs: respawns run in `bind` order, before the
 * watchers, and watchers in the order their tokens were first registered.
 *
 * @module
 */

import { createHeap } from "../../mod.ts";

export { createHeap } from "../../mod.ts";
export type * from "../../mod.ts";

const heap = createHeap();

/** The heap's memory, as mod.ts's `mem`. */
export let mem: WebAssembly.Memory = heap.mem;
/** Its buffer, as mod.ts's `buf`. */
export let buf: ArrayBuffer = heap.buf;
/** An `Int32Array` over all of it, as mod.ts's `i32`. */
export let i32: Int32Array = heap.i32;
/** Its size in 16-byte blocks, as mod.ts's `cap`. */
export let cap: number = heap.cap;

const refresh = (): void => {
  mem = heap.mem;
  buf = heap.buf;
  i32 = heap.i32;
  cap = heap.cap;
};

// The watcher's token is `refresh` itself, which the heap's respawns hold
// for as long as the heap lives. (A module-level `const` that no closure
// uses may be collected once the module has run.)
heap.bind(() => 0, refresh);
heap.watch(refresh, refresh);

export const {
  alloc,
  allocAligned,
  allocMovable,
  compact,
  lease,
  malloc,
  calloc,
  realloc,
  free,
  own,
  disown,
  imports,
  grow,
  limit,
  stats,
  trim,
  reclaim,
  bind,
  bindSegments,
  watch,
  unwatch,
  protect,
  restrict,
  spans,
  check,
  debug,
  render,
  policy,
} = heap;
