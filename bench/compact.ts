/**
 * compact() + trim() after churn: movable allocations of 16–1,024 bytes fill
 * 64 MiB of `mem`, then seven in eight are dropped at random and collected,
 * which leaves the live eighth scattered over all of it. Reports `mem` ÷ live
 * after compact + trim (whole pages), whether every live byte survived, and
 * the time of compact() against one plain copy of the live bytes.
 *
 *   deno task bench:compact
 */

import { allocMovable, buf, compact, type Movable, trim } from "../mod.ts";

const gc = (globalThis as { gc?: () => void }).gc;
if (!gc) throw new Error("run with --v8-flags=--expose-gc");

const TARGET = 64 << 20;
let seed = 12345;
const random = () => (seed = (seed * 1103515245 + 12345) >>> 0) / 2 ** 32;

const kept: { handle: Movable; seed: number }[] = [];
const owner = {};
let live = 0;
(() => {
  while (buf.byteLength < TARGET) {
    const size = 16 + Math.floor(random() * 1009);
    if (random() < 1 / 8) {
      const handle = allocMovable(size, owner);
      const value = kept.length & 255;
      new Uint8Array(buf, handle.ptr, size).fill(value);
      kept.push({ handle, seed: value });
      live += Math.ceil(size / 16) * 16;
    } else allocMovable(size, {});
  }
})();
for (let i = 0; i < 4; i++) {
  gc();
  await new Promise((done) => setTimeout(done, 0));
}
trim(); // the free end, if any: what remains is scattered
const scattered = buf.byteLength;

const start = performance.now();
const moved = compact();
const compactMs = performance.now() - start;
const released = trim();
const intact = kept.every(({ handle, seed }) =>
  new Uint8Array(buf, handle.ptr, handle.size).every((byte) => byte == seed)
);

// A plain copy of the live bytes, best of five.
const from = new Uint8Array(live);
const to = new Uint8Array(live);
let copyMs = Infinity;
for (let i = 0; i < 5; i++) {
  const t = performance.now();
  to.set(from);
  copyMs = Math.min(copyMs, performance.now() - t);
}

console.log(JSON.stringify({
  spans: kept.length,
  liveBytes: live,
  scattered,
  moved,
  released,
  after: buf.byteLength,
  memOverLive: +(buf.byteLength / live).toFixed(3),
  intact,
  compactMs: +compactMs.toFixed(2),
  copyMs: +copyMs.toFixed(3),
  compactOverCopy: +(compactMs / copyMs).toFixed(1),
  nsPerSpan: +((compactMs * 1e6) / kept.length).toFixed(0),
}));
if (!intact) throw new Error("bytes lost");
