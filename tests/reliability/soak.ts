/**
 * GC soak: `allocations` allocations with tokens (one in
 * ten a `lease`), of random sizes and random lifetimes, each filled with a
 * pseudo-random pattern whose checksum is verified before it is dropped (or
 * disposed) and, for those still live, at the end. One in eight tokens also
 * gets a watcher (half of them capturing their token). The real GC frees the
 * dropped ones: the loop yields, collects and sometimes trims every
 * {@linkcode CHUNK} allocations.
 *
 * At the end everything is dropped and collected, and then:
 *
 * - `trim()` leaves one page (65 536 bytes) whose whole is one free span:
 *   not a block leaked;
 * - every token was finalized, and no watcher ever ran after its token was
 *   finalized (a watcher index holding watchers strongly would run them);
 * - the JS heap (`Deno.memoryUsage().heapUsed`, after collection) is back
 *   near where it started: the watcher index, its weak references and the
 *   finalizer registry's cells are gone. The caller measures this, after the
 *   soak's own records are garbage too.
 *
 * Run it (N = 10 000 000 by default; ROUNDS = 1 soaks one after another in
 * the same isolate, which shows whether the JS heap keeps growing):
 *
 * ```sh
 * deno task soak [N] [ROUNDS]
 * ```
 *
 * `soak.test.ts` runs two rounds of 200 000 in `deno test`.
 */

import { alloc, buf, lease, trim, watch } from "../../mod.ts";
import type { Lease } from "../../mod.ts";
import { checksum, fill, random } from "./_common.ts";

/** Allocations between two collections. */
export const CHUNK = 16384;
/** Lifetimes are at most this many allocations (or forever). */
const HORIZON = 65536;

/** What a soak did. */
export interface SoakResult {
  allocations: number;
  leases: number;
  disposed: number;
  dropped: number;
  /** Allocations still live at the end (verified), before the final drop. */
  liveAtEnd: number;
  maxLive: number;
  bytesWritten: number;
  /** Checksums verified (each allocation once, when it dies or at the end). */
  verified: number;
  watched: number;
  watcherRuns: number;
  /** Watcher runs after their token was finalized: must be 0. */
  ghostRuns: number;
  resizes: number;
  trims: number;
  collections: number;
  peakMemBytes: number;
  finalMemBytes: number;
  seconds: number;
}

const gc = (globalThis as { gc?: () => void }).gc;
const tick = () => new Promise<void>((resolve) => setTimeout(resolve, 0));

/** Collects until `done()` (finalizers run in a later task than the GC). */
async function collectUntil(
  done: () => boolean,
  what: () => string,
): Promise<number> {
  for (let round = 1; round <= 100; round++) {
    await tick();
    gc!();
    await tick();
    if (done()) return round;
  }
  throw new Error(`soak: after 100 collections, ${what()}`);
}

/** Runs the soak; throws at the first byte that changed or block lost. */
export async function soak(
  allocations: number,
  seed = 20261125,
  log: (line: string) => void = () => {},
): Promise<SoakResult> {
  if (!gc) throw new Error("soak: run with --v8-flags=--expose-gc");
  if (buf.byteLength !== 65536 || alloc(65536 - 16) !== 16) {
    throw new Error("soak: needs a fresh heap (its own isolate)");
  }
  const started = performance.now();
  const rand = random(seed);
  const result: SoakResult = {
    allocations,
    leases: 0,
    disposed: 0,
    dropped: 0,
    liveAtEnd: 0,
    maxLive: 0,
    bytesWritten: 0,
    verified: 0,
    watched: 0,
    watcherRuns: 0,
    ghostRuns: 0,
    resizes: 0,
    trims: 0,
    collections: 0,
    peakMemBytes: buf.byteLength,
    finalMemBytes: 0,
    seconds: 0,
  };

  // Per live allocation, by slot: address, size, checksum and holder (the
  // token, or the lease). Slots are reused.
  const address: number[] = [];
  const size: number[] = [];
  const sum: number[] = [];
  const holder: (object | undefined)[] = [];
  const spare: number[] = [];
  let live = 0;
  // deaths[step % HORIZON]: the slots that die at that step.
  const deaths: number[][] = Array.from({ length: HORIZON }, () => []);
  // finalized[serial] is set by our own registry when a holder is collected.
  const finalized = new Uint8Array(allocations);
  let finalizedCount = 0;
  const registry = new FinalizationRegistry<number>((serial) => {
    finalized[serial] = 1;
    finalizedCount++;
  });
  // Counts resizes and follows the peak; its token lives as long as the soak.
  const resizeToken = {};
  watch(() => {
    result.resizes++;
    result.peakMemBytes = Math.max(result.peakMemBytes, buf.byteLength);
  }, resizeToken);

  const sizeOf = (): number => {
    const r = rand();
    if (r < 0.6) return 1 + Math.floor(rand() * 64);
    if (r < 0.9) return 65 + Math.floor(rand() * 448);
    if (r < 0.998) return 513 + Math.floor(rand() * 3584);
    return 4097 + Math.floor(rand() * 61440);
  };
  const lifetime = (): number => {
    const r = rand();
    if (r < 0.5) return 1 + Math.floor(rand() * 64);
    if (r < 0.85) return 1 + Math.floor(rand() * 4096);
    if (r < 0.995) return 1 + Math.floor(rand() * (HORIZON - 1));
    return 0; // forever: checked at the end
  };

  const verify = (slot: number) => {
    if (checksum(address[slot], size[slot]) !== sum[slot]) {
      throw new Error(
        `soak: the ${size[slot]} bytes at ${
          address[slot] >>> 0
        } changed while live`,
      );
    }
    result.verified++;
  };

  const kill = (slot: number) => {
    verify(slot);
    const held = holder[slot]!;
    if (Symbol.dispose in held && rand() < 0.5) {
      (held as Lease)[Symbol.dispose]();
      result.disposed++;
    } else result.dropped++;
    holder[slot] = undefined;
    spare.push(slot);
    live--;
  };

  // Every token is made, used and dropped inside this synchronous function:
  // an async frame may keep stale registers, and so dead tokens, alive.
  const run = (from: number, to: number) => {
    for (let step = from; step < to; step++) {
      const dying = deaths[step % HORIZON];
      for (let i = 0; i < dying.length; i++) kill(dying[i]);
      dying.length = 0;

      const bytes = sizeOf();
      const slot = spare.length ? spare.pop()! : address.length;
      let ptr: number;
      let held: object;
      if (rand() < 0.1) {
        const leased = lease(bytes);
        ptr = leased.ptr;
        held = leased;
        result.leases++;
      } else {
        held = {};
        ptr = alloc(bytes, held);
      }
      registry.register(held, step);
      if (rand() < 0.125) {
        const serial = step;
        const watcher = rand() < 0.5
          ? () => {
            result.watcherRuns++;
            if (finalized[serial]) result.ghostRuns++;
          }
          : () => {
            result.watcherRuns++;
            // Captures its own token: must not keep it alive.
            if (finalized[serial] || !held) result.ghostRuns++;
          };
        watch(watcher, held);
        result.watched++;
      }
      address[slot] = ptr;
      size[slot] = bytes;
      holder[slot] = held;
      sum[slot] = fill(ptr, bytes, step ^ 0x5EED);
      result.bytesWritten += bytes;
      if (++live > result.maxLive) result.maxLive = live;
      const life = lifetime();
      if (life) deaths[(step + life) % HORIZON].push(slot);
    }
  };

  const dropAll = () => {
    for (let slot = 0; slot < holder.length; slot++) {
      if (holder[slot] !== undefined) {
        verify(slot);
        holder[slot] = undefined;
        result.liveAtEnd++;
      }
    }
    for (const dying of deaths) dying.length = 0;
  };

  let lastLog = started;
  for (let from = 0; from < allocations; from += CHUNK) {
    run(from, Math.min(allocations, from + CHUNK));
    await tick();
    gc();
    await tick();
    result.collections++;
    if (rand() < 0.25 && trim() > 0) result.trims++;
    if (performance.now() - lastLog > 10_000) {
      lastLog = performance.now();
      log(
        `${Math.min(allocations, from + CHUNK)} allocations, ${live} live, ` +
          `mem ${buf.byteLength} bytes, ${
            ((lastLog - started) / 1000).toFixed(0)
          } s`,
      );
    }
  }

  dropAll();
  result.collections += await collectUntil(
    () => finalizedCount === allocations,
    () => `${allocations - finalizedCount} tokens are still not collected`,
  );
  // One more round, so every registry's callbacks for that GC have run.
  await tick();
  await tick();
  if (trim() > 0) result.trims++;
  result.finalMemBytes = buf.byteLength;
  if (buf.byteLength !== 65536) {
    throw new Error(`soak: mem is ${buf.byteLength} bytes after the soak`);
  }
  if (alloc(65536 - 16) !== 16) {
    throw new Error("soak: the page is not one free span: a block leaked");
  }
  if (result.ghostRuns !== 0) {
    throw new Error(`soak: ${result.ghostRuns} watcher runs after collection`);
  }
  result.seconds = (performance.now() - started) / 1000;
  return result;
}

/** `Deno.memoryUsage().heapUsed` after a few rounds of collection. */
export async function settledHeap(): Promise<number> {
  for (let i = 0; i < 4; i++) {
    await tick();
    gc!();
  }
  await tick();
  return Deno.memoryUsage().heapUsed;
}

if (import.meta.main) {
  const allocations = Number(Deno.args[0] ?? 10_000_000);
  const rounds = Number(Deno.args[1] ?? 1);
  if (!Number.isSafeInteger(allocations) || allocations < 1 || !(rounds >= 1)) {
    throw new Error(`usage: deno task soak [N] [ROUNDS], got ${Deno.args}`);
  }
  const heap = [await settledHeap()];
  for (let round = 1; round <= rounds; round++) {
    const result = await soak(
      allocations,
      20261125 + round,
      (line) => console.log(line),
    );
    heap.push(await settledHeap());
    console.log(JSON.stringify(result));
    console.log(
      `soak ${round}/${rounds}: ${result.allocations} allocations in ${
        result.seconds.toFixed(1)
      } s; ${result.verified} checksums verified, 0 bytes changed; mem ${result.peakMemBytes} bytes at peak, ${result.finalMemBytes} after; ${result.ghostRuns} ` +
        `watcher runs after collection; JS heap ${heap[round - 1]} → ${
          heap[round]
        } bytes (${heap[round] - heap[round - 1]})`,
    );
  }
}
