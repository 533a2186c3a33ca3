/**
 * The GC soak at CI size: two rounds of 200 000
 * allocations (see soak.ts; `deno task soak` runs 10 000 000). Each round
 * ends with every token collected, `mem` back to one free page, and no
 * watcher run after its token was finalized. The JS heap after the second
 * round is where the first left it (the first also warms up the JIT): the
 * watcher index and the finalizer registry do not grow with the number of
 * allocations made.
 */

import assert from "node:assert/strict";
import { settledHeap, soak } from "./soak.ts";

Deno.test("GC soak: 2 × 200 000 allocations, every byte checked, nothing left behind", async () => {
  const first = await soak(200_000, 1);
  const afterFirst = await settledHeap();
  const second = await soak(200_000, 2);
  const afterSecond = await settledHeap();
  for (const result of [first, second]) {
    assert.equal(result.verified, result.allocations, "every checksum checked");
    assert.equal(result.finalMemBytes, 65536);
    assert.equal(result.ghostRuns, 0);
    assert.ok(result.watched > 20_000 && result.watcherRuns > 0);
    assert.ok(result.disposed > 5_000 && result.dropped > 150_000);
  }
  const growth = afterSecond - afterFirst;
  console.log(
    `soak: 2 × 200 000 allocations in ${
      (first.seconds + second.seconds).toFixed(1)
    } s; peak mem ${Math.max(first.peakMemBytes, second.peakMemBytes)} ` +
      `bytes, 65536 after; ${first.watched + second.watched} watchers; ` +
      `JS heap after round 2 − after round 1: ${growth} bytes`,
  );
  // A leaked weak reference or finalizer cell per watched token would be
  // 25 000 × 16 bytes or more; per allocation, 200 000 × 16 bytes.
  assert.ok(growth < 128 * 1024, `JS heap grew by ${growth} bytes`);
});
