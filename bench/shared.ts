/**
 * The cost of the lock: `alloc(size, token)` and `malloc` + `free` on a
 * shared heap (one thread, so the lock is always free) against a
 * `createHeap()` heap, side by side in one process, fresh heaps each round.
 *
 *   deno task bench:shared
 */

import { createHeap, createSharedHeap, type Heap } from "../mod.ts";

const N = 200_000;
const ROUNDS = 7;

/** Nanoseconds per operation of `run` on a fresh heap from `make`. */
const time = (make: () => Heap, run: (heap: Heap) => void) => {
  const heap = make();
  const start = performance.now();
  run(heap);
  return ((performance.now() - start) * 1e6) / N;
};

const cases: Record<string, (heap: Heap) => void> = {
  "alloc(size, token)": (heap) => {
    const owner = {};
    for (let i = 0; i < N; i++) heap.alloc(16 + (i & 63) * 16, owner);
  },
  "malloc + free": (heap) => {
    for (let i = 0; i < N; i++) heap.free(heap.malloc(16 + (i & 63) * 16));
  },
};
const heaps = {
  plain: () => createHeap(),
  shared: () => createSharedHeap({ maximum: 32768 }),
};

const median = (values: number[]) =>
  values.sort((a, b) => a - b)[values.length >> 1];
for (const [name, run] of Object.entries(cases)) {
  const times = { plain: [] as number[], shared: [] as number[] };
  for (let round = 0; round < ROUNDS; round++) {
    times.plain.push(time(heaps.plain, run));
    times.shared.push(time(heaps.shared, run));
    (globalThis as { gc?: () => void }).gc?.();
  }
  const [plain, shared] = [median(times.plain), median(times.shared)];
  console.log(
    `${name}: createHeap ${plain.toFixed(1)} ns, shared ${
      shared.toFixed(1)
    } ns, ratio ${(shared / plain).toFixed(2)}`,
  );
}
