/**
 * Fragmentation: one allocator replays one seeded trace (bench/lib/traces.ts)
 * and reports its peak memory and peak high-water mark against the trace's
 * peak live bytes, and for us the size after `trim()` at the end.
 *
 * Ours frees the way a user's code does, through the GC: each allocation's
 * token sits in an array; a step's frees drop those references, then one
 * `gc()` and macrotask turns until every one of the step's finalizers has run
 * (counted), before the step's allocations. Since freed spans merge at once,
 * the heap after a batch of frees does not depend on the order the
 * finalizers ran in, so this replays the trace exactly. The peers free
 * explicitly, in the trace's order.
 *
 *     deno run --v8-flags=--expose-gc --allow-read bench/scenarios/frag.ts \
 *       trace=log-uniform allocator=lewd
 *
 * `allocator="lewd first fit"` and `"lewd next fit"` replay it with those
 * placement policies (mod.ts's `policy`) instead of best fit, and
 * `"lewd big"` with the big core (big.ts's default heap).
 *
 * @module
 */

import { collect, countFinalizers, emit, options } from "../lib/harness.ts";
import { type Peer, peerModule, thingPeer, wasmPeer } from "../lib/peers.ts";
import { liveBytes, traces } from "../lib/traces.ts";

const trace = traces[options.trace ?? "uniform"](Number(options.scale ?? 1));
const allocator = options.allocator ?? "lewd";
const live = liveBytes(trace);

let grows = 0;
let peakMem = 0;
let highWater = 0;
let stragglers = 0;
let trimmedBytes: number | undefined;
const start = performance.now();

if (allocator.startsWith("lewd")) {
  countFinalizers();
  const grow = WebAssembly.Memory.prototype.grow;
  WebAssembly.Memory.prototype.grow = function (this, delta: number) {
    grows++;
    return grow.call(this, delta);
  };
  // "lewd big": the big entry point's default heap (the big core, its own
  // order among equal best fits; it has no policies).
  const lewd = allocator == "lewd big"
    ? await import("../../big.ts")
    : await import("../../mod.ts");
  // "lewd first fit" and "lewd next fit": the other placement policies.
  if ("policy" in lewd) {
    lewd.policy(
      allocator.includes("first")
        ? "first"
        : allocator.includes("next")
        ? "next"
        : "best",
    );
  }
  const tokens: (object | undefined)[] = [];
  for (const step of trace.steps) {
    if (step.frees.length) {
      for (const id of step.frees) tokens[id] = undefined;
      const freed = await collect(step.frees.length);
      stragglers += step.frees.length - freed;
    }
    for (const size of step.allocs) {
      const token = {};
      const at = lewd.alloc(size, token) >>> 0;
      tokens.push(token);
      highWater = Math.max(highWater, at + size);
    }
    peakMem = Math.max(peakMem, lewd.buf.byteLength);
  }
  lewd.trim();
  trimmedBytes = lewd.buf.byteLength;
  // Read `tokens` after the last await so the live set is still reachable.
  if (tokens.length < 0) throw new Error("unreachable");
} else {
  const peer: Peer = allocator == "@thi.ng/malloc"
    ? thingPeer(1 << 30)
    : wasmPeer(peerModule(options.peers), allocator as "dlmalloc" | "talc");
  const ptrs: number[] = [];
  const sizes: number[] = [];
  let bytes = peer.heapBytes();
  for (const step of trace.steps) {
    for (const id of step.frees) peer.free(ptrs[id], sizes[id]);
    for (const size of step.allocs) {
      const ptr = peer.malloc(size);
      ptrs.push(ptr);
      sizes.push(size);
      highWater = Math.max(highWater, peer.offset(ptr) + size);
      if (peer.heapBytes() != bytes) {
        grows++;
        bytes = peer.heapBytes();
        peakMem = Math.max(peakMem, bytes);
      }
    }
  }
}

emit({
  scenario: "frag",
  trace: trace.name,
  description: trace.description,
  allocator,
  peakLive: live.peak,
  finalLive: live.final,
  peakMem,
  highWater,
  grows,
  trimmedBytes,
  stragglers,
  ms: performance.now() - start,
});
