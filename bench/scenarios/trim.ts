/**
 * `trim()` after 64 MiB was used and released, against the bare cost of what
 * it must do: create a `WebAssembly.Memory` of the size `trim` keeps and copy
 * the bytes it keeps.
 *
 * Each round allocates 64 KiB spans up to 64 MiB in use (tokens held, every
 * byte written), drops the tokens, collects until every span is free, then
 * times `trim()` and the bare create-and-copy, alternating which goes first.
 * `keep=N` keeps the first N MiB of the 64 live across all rounds (then trim
 * copies N MiB); `keep=0` releases everything (trim keeps one page).
 *
 *     deno run --v8-flags=--expose-gc bench/scenarios/trim.ts keep=16
 *
 * @module
 */

import { collect, countFinalizers, emit, int, median } from "../lib/harness.ts";

countFinalizers();
const lewd = await import("../../mod.ts");
const { alloc, trim } = lewd;

const KEEP_MIB = int("keep", 0);
const ROUNDS = int("rounds", 9);
const WARMUP = int("warmup", 1);
const USED_MIB = 64;
const SPAN = 64 << 10;

/** Allocates `mib` MiB in 64 KiB spans, writes them, returns the tokens. */
const fill = (mib: number): object[] => {
  const tokens: object[] = [];
  for (let i = 0; i < (mib << 20) / SPAN; i++) {
    const token = {};
    const at = alloc(SPAN, token) >>> 0;
    new Uint8Array(lewd.buf, at, SPAN).fill(i & 255);
    tokens.push(token);
  }
  return tokens;
};

const kept = fill(KEEP_MIB);
/** The bytes `trim` keeps, known after the first round's trim. */
let keptBytes = 0;

/** What trim does at the least: a new Memory, the kept bytes copied. */
const bare = (bytes: number): number => {
  const source = lewd.buf;
  const start = performance.now();
  const next = new WebAssembly.Memory({ initial: bytes >>> 16 });
  new Uint8Array(next.buffer).set(new Uint8Array(source, 0, bytes));
  return performance.now() - start;
};

const trims: number[] = [];
const bares: number[] = [];
const released: number[] = [];
for (let round = 0; round < WARMUP + ROUNDS; round++) {
  let tokens: object[] | undefined = fill(USED_MIB - KEEP_MIB);
  const spans = tokens.length;
  tokens = undefined;
  await collect(spans);
  let trimMs = 0;
  let bareMs = 0;
  const trimFirst = round % 2 == 0 || keptBytes == 0;
  if (!trimFirst) bareMs = bare(keptBytes);
  const start = performance.now();
  released.push(trim());
  trimMs = performance.now() - start;
  keptBytes = lewd.buf.byteLength;
  if (trimFirst) bareMs = bare(keptBytes);
  if (round >= WARMUP) {
    trims.push(trimMs);
    bares.push(bareMs);
  }
}

emit({
  scenario: "trim",
  keepMiB: KEEP_MIB,
  usedMiB: USED_MIB,
  keptBytes,
  releasedBytes: median(released),
  rounds: ROUNDS,
  ms: { trim: median(trims), bare: median(bares) },
  ratio: median(trims.map((ms, round) => ms / bares[round])),
  keptAlive: kept.length,
});
