/**
 * Memory growth from an empty heap to `count` live allocations of 16–1024 B
 * (seeded): how many times `mem` grew, and how big it ended.
 *
 * Ours: `WebAssembly.Memory.prototype.grow` is wrapped to count the calls
 * before `mod.ts` is imported. The wasm peers grow from inside (the
 * `memory.grow` instruction), which no JS wrapper sees: their count is the
 * number of allocations after which `memory.buffer.byteLength` changed — a
 * lower bound, exact unless one allocation grows twice.
 *
 *     deno run --v8-flags=--expose-gc --allow-read bench/scenarios/growth.ts
 *
 * @module
 */

import { between, consume, emit, int, options, rng } from "../lib/harness.ts";
import { peerModule, wasmPeer } from "../lib/peers.ts";

const COUNT = int("count", 200_000);

let grows = 0;
const grow = WebAssembly.Memory.prototype.grow;
WebAssembly.Memory.prototype.grow = function (this, delta: number) {
  grows++;
  return grow.call(this, delta);
};
const lewd = await import("../../mod.ts");

const random = rng(int("seed", 3));
const sizes = Array.from({ length: COUNT }, () => between(random, 16, 1024));
const liveBytes = sizes.reduce((sum, size) => sum + size, 0);

const tokens: object[] = [];
const start = performance.now();
for (const size of sizes) {
  const token = {};
  lewd.alloc(size, token);
  tokens.push(token);
}
const lewdMs = performance.now() - start;
consume(tokens.length);

const module = peerModule(options.peers);
const peers = (["dlmalloc", "talc"] as const).map((name) => {
  const peer = wasmPeer(module, name);
  let changes = 0;
  let bytes = peer.heapBytes();
  for (const size of sizes) {
    peer.malloc(size);
    if (peer.heapBytes() != bytes) {
      changes++;
      bytes = peer.heapBytes();
    }
  }
  return { name, grows: changes, memBytes: bytes };
});

emit({
  scenario: "growth",
  count: COUNT,
  liveBytes,
  lewd: { grows, memBytes: lewd.buf.byteLength, ms: lewdMs },
  peers,
});
