/**
 * docs/CONTRACT.md, section Invariants: a seeded random workload (allocations
 * with tokens, scratches, drops collected by the real GC, trims) run against
 * the reference model. Every placement must match the model's best fit (which
 * also proves free spans are maximal and nothing leaked: invariants 1–3), and
 * a shadow copy of every byte must match `mem` (live bytes survive grow and
 * trim, and the allocator never writes into `mem`: invariants 4–5).
 */

import assert from "node:assert/strict";
import { alloc, buf, cap, trim } from "../mod.ts";
import { blocksOf, Model, random, Tracker } from "./_helpers.ts";

/** The first byte offset where `mem` differs from `expected`, or -1. */
function firstDifference(expected: Uint8Array): number {
  if (expected.length !== buf.byteLength) {
    return Math.min(expected.length, buf.byteLength);
  }
  const actual = new Int32Array(buf);
  const wanted = new Int32Array(
    expected.buffer,
    expected.byteOffset,
    expected.length / 4,
  );
  for (let i = 0; i < actual.length; i++) {
    if (actual[i] !== wanted[i]) return i * 4;
  }
  return -1;
}

Deno.test("random workload: placements follow the model and every byte is accounted for", async () => {
  const rand = random(20261125);
  const tracker = new Tracker();
  const model = new Model(cap);
  let shadow = new Uint8Array(buf).slice();
  const tokens: (object | undefined)[] = [];
  const live: { address: number; token: number }[] = [];
  let scratches = 0, drops = 0, trims = 0, grows = 0;

  // Tokens are touched only in this synchronous helper: a suspended async
  // frame may keep stale registers, and with them a dropped token, alive.
  const allocate = (bytes: number, reuse: boolean) => {
    const index = reuse && tokens.length
      ? tokens.length - 1
      : tokens.push(tracker.token()) - 1;
    const token = tokens[index];
    return token
      ? { index, address: alloc(bytes, token) }
      : { index: -1, address: 0 };
  };
  const write = (address: number, size: number, value: number) => {
    new Uint8Array(buf, address >>> 0, size).fill(value);
    shadow.fill(value, address >>> 0, (address >>> 0) + size);
  };
  const follow = () => {
    if (buf.byteLength !== shadow.length) {
      if (buf.byteLength > shadow.length) grows++;
      const next = new Uint8Array(buf.byteLength);
      next.set(shadow.subarray(0, Math.min(shadow.length, next.length)));
      shadow = next;
    }
  };
  const size = () => {
    const r = rand();
    if (r < 0.6) return 1 + Math.floor(rand() * 256);
    if (r < 0.9) return 1 + Math.floor(rand() * 4096);
    return 1 + Math.floor(rand() * 200_000);
  };

  for (let step = 0; step < 2500; step++) {
    const r = rand();
    if (r < 0.6) {
      const bytes = size();
      const { index, address } = allocate(bytes, rand() < 0.1);
      if (index < 0) continue;
      follow();
      assert.equal(
        address,
        model.take(blocksOf(bytes), cap),
        `step ${step}: alloc(${bytes})`,
      );
      live.push({ address, token: index });
      write(address, bytes, step & 0xFF);
    } else if (r < 0.7) {
      const bytes = size();
      const address = alloc(bytes);
      follow();
      assert.equal(
        address,
        model.peek(blocksOf(bytes), cap),
        `step ${step}: scratch ${bytes}`,
      );
      scratches++;
    } else if (r < 0.8) {
      if (live.length === 0) continue;
      // Drop a few tokens, then let the GC free their spans.
      const dropped = new Set<number>();
      for (let k = 1 + Math.floor(rand() * 8); k > 0; k--) {
        const { token } = live[Math.floor(rand() * live.length)];
        if (tokens[token]) dropped.add(token);
      }
      for (const token of dropped) tokens[token] = undefined;
      await tracker.collect(dropped.size);
      for (let i = live.length - 1; i >= 0; i--) {
        if (dropped.has(live[i].token)) {
          model.free(live[i].address);
          live.splice(i, 1);
        }
      }
      drops += dropped.size;
    } else if (r < 0.85) {
      const before = buf.byteLength;
      const released = trim();
      model.trim(cap);
      follow();
      assert.equal(released, before - buf.byteLength);
      trims++;
    }
    if (step % 100 === 0) {
      assert.equal(firstDifference(shadow), -1, `bytes at step ${step}`);
    }
  }
  assert.equal(firstDifference(shadow), -1);
  // Live spans: aligned, in range, disjoint.
  const spans = live
    .map(({ address }) => address >>> 0)
    .sort((a, b) => a - b);
  for (const address of spans) {
    assert.ok(address >= 16 && address % 16 === 0 && address < cap * 16);
  }
  assert.ok(
    scratches > 100 && drops > 500 && trims > 50 && grows > 3 &&
      live.length > 100,
    JSON.stringify({ scratches, drops, trims, grows }),
  );
});
