/**
 * JS heap per live allocation, against what the registry alone costs per
 * registration: `Deno.memoryUsage().heapUsed` after a full collection,
 * before and after
 *
 * - registering `count` held tokens (held value: a small integer, as ours)
 *   in a `FinalizationRegistry` of our own;
 * - `alloc(16, token)` for `count` other held tokens.
 *
 * The tokens exist before each "before" reading, so only what the registry or
 * the allocator adds is counted. Repeated `rounds` times (alternating which
 * goes first); everything is dropped and collected between rounds.
 *
 *     deno run --v8-flags=--expose-gc bench/scenarios/heap.ts count=100000
 *
 * @module
 */

import {
  collect,
  consume,
  countFinalizers,
  emit,
  int,
  median,
} from "../lib/harness.ts";

countFinalizers();
const { alloc } = await import("../../mod.ts");

const COUNT = int("count", 100_000);
const ROUNDS = int("rounds", 5);

const heapUsed = () => Deno.memoryUsage().heapUsed;
const tokens = () => Array.from({ length: COUNT }, () => ({}));

/** Bytes the JS heap gains per token when `hold` is applied to each. */
const perToken = async (hold: (token: object, i: number) => void) => {
  let held: object[] | undefined = tokens();
  await collect(0);
  const before = heapUsed();
  held.forEach(hold);
  await collect(0);
  const bytes = (heapUsed() - before) / COUNT;
  consume(held.length);
  held = undefined;
  await collect(COUNT);
  return bytes;
};

const registry = new FinalizationRegistry<number>(() => {});
const registryBytes: number[] = [];
const allocBytes: number[] = [];
for (let round = 0; round < ROUNDS; round++) {
  const byRegistry = () => perToken((token, i) => registry.register(token, i));
  const byAlloc = () => perToken((token) => alloc(16, token));
  if (round % 2) {
    allocBytes.push(await byAlloc());
    registryBytes.push(await byRegistry());
  } else {
    registryBytes.push(await byRegistry());
    allocBytes.push(await byAlloc());
  }
}

emit({
  scenario: "heap",
  count: COUNT,
  rounds: ROUNDS,
  bytes: { registry: median(registryBytes), alloc: median(allocBytes) },
  ratio: median(allocBytes.map((bytes, round) => bytes / registryBytes[round])),
});
