/**
 * Large addresses: allocations above 2 GiB come back
 * negative as i32 and work end to end through `ptr >>> 0`; `mem` grows to
 * the engine's 4 GiB, where `cap` is 2**28 and the last block is usable;
 * past it, alloc is out of memory and changes nothing; the largest
 * allocation that fits the whole memory fits; trim brings it all back to one
 * page. Its own file, so it starts from a fresh heap.
 *
 * Only the bytes written are touched, so the memory used stays far below
 * 4 GiB (the engine commits pages as they are touched), except for trim's
 * copy, which copies only what is kept.
 */

import assert from "node:assert/strict";
import { alloc, buf, cap, i32, mem, trim } from "../../mod.ts";
import { checksum, fill } from "./_common.ts";
import { Tracker } from "../_helpers.ts";

const GiB = 2 ** 30;
const owner = {};
const tracker = new Tracker();
const tokens: (object | undefined)[] = [];
const lastTokens: (object | undefined)[] = [];

/** Allocates with a token this file drops later (in a helper: see below). */
const take = (size: number, list = tokens) =>
  alloc(size, list[list.push(tracker.token()) - 1]);
/** Drops every token in `list`; returns how many. */
const dropAll = (list = tokens) => list.splice(0).length;

/** Writes through `buf` and `i32` at `ptr >>> 0` and reads it back. */
function roundTrip(ptr: number, size: number, seed: number): number {
  const sum = fill(ptr, size, seed);
  assert.equal(checksum(ptr, size), sum);
  const at = ptr >>> 0;
  const bytes = new Uint8Array(buf, at, 16);
  bytes[0] = 0xA5;
  assert.equal(new Uint8Array(buf)[at], 0xA5, "a view over all of buf sees it");
  i32[(at >>> 2) + 1] = -123456789;
  assert.equal(new DataView(buf).getInt32(at + 4, true), -123456789);
  return checksum(ptr, size);
}

Deno.test("allocations above 2 GiB, up to the last block of a 4 GiB memory", async () => {
  const low = alloc(64, owner);
  assert.equal(low, 16, "a fresh heap");
  const lowSum = roundTrip(low, 64, 1);

  // 2 GiB in one allocation: the next one starts past 2**31.
  const filler = take(2 * GiB);
  assert.equal(filler, 80);
  const high = take(1000);
  assert.equal(high >>> 0, 2 * GiB + 80);
  assert.ok(high < 0, "an address above 2 GiB is negative as i32");
  assert.equal(high, (2 * GiB + 80) | 0);
  const highSum = roundTrip(high, 1000, 2);

  // Fill the memory to exactly 4 GiB: the last block is the last allocation.
  const top = (high >>> 0) + 1008;
  const rest = 4 * GiB - 16 - top;
  const big = take(rest);
  assert.equal(big >>> 0, top);
  assert.equal(cap, 2 ** 28, "cap is 2**28 at 4 GiB");
  assert.equal(buf.byteLength, 4 * GiB);
  assert.equal(i32.length, GiB);
  const bigSum = roundTrip(big, 4096, 3); // its first page
  const last = take(16, lastTokens);
  assert.equal(last, -16, "the last block: 2**32 - 16, as i32");
  assert.equal(last >>> 0, 4 * GiB - 16);
  const lastSum = roundTrip(last, 16, 4);
  assert.equal(i32[GiB - 1], new DataView(buf).getInt32(4 * GiB - 4, true));

  // Nothing is left: out of memory, and nothing changes.
  const before = { mem, buf, cap };
  for (const size of [1, 16, 65536, 4294967280]) {
    for (const run of [() => alloc(size, owner), () => alloc(size)]) {
      assert.throws(
        run,
        (error: Error) =>
          error instanceof RangeError &&
          error.message === `alloc: out of memory, cannot fit ${size} bytes`,
      );
    }
  }
  assert.deepEqual({ mem, buf, cap }, before);
  assert.equal(trim(), 0, "the last block is used: nothing to release");

  assert.equal(checksum(low, 64), lowSum);
  assert.equal(checksum(high, 1000), highSum);
  assert.equal(checksum(big, 4096), bigSum);
  assert.equal(checksum(last, 16), lastSum);

  // Free everything above `low` but the last block: trim keeps all pages.
  const made = dropAll();
  await tracker.collect(made);
  assert.equal(trim(), 0, "the last block still holds the top page");
  assert.equal(checksum(last, 16), lastSum);
  assert.equal(
    alloc(4 * GiB - 96),
    80,
    "one free span from 80 to the last block",
  );
});

Deno.test("the largest allocation that fits: all of a 4 GiB memory between two blocks", async () => {
  // The heap: `low` (16..80), a free span, and the last block.
  // A token-owned allocation of everything in between fits exactly.
  const size = 4 * GiB - 96;
  const whole = take(size);
  assert.equal(whole, 80);
  const head = roundTrip(whole, 4096, 5);
  const tailAt = (whole >>> 0) + size - 4096;
  const tail = fill(tailAt, 4096, 6);
  assert.throws(() => alloc(16), RangeError, "full");
  assert.equal(checksum(whole, 4096), head);
  assert.equal(checksum(tailAt, 4096), tail);

  const made = dropAll();
  await tracker.collect(made);
  assert.equal(alloc(size), 80, "free again");
});

Deno.test("once the last block is free, trim releases all but one page", async () => {
  const lowSum = checksum(16, 64);
  const made = dropAll(lastTokens);
  await tracker.collect(made);
  assert.equal(trim(), 4 * GiB - 65536);
  assert.equal(buf.byteLength, 65536);
  assert.equal(cap, 4096);
  assert.equal(i32.length, 16384);
  assert.equal(checksum(16, 64), lowSum, "the live bytes were copied");
  assert.equal(alloc(65536 - 80), 80, "the rest of the page is one free span");
  assert.equal(trim(), 0);
});
