/**
 * Helpers for the reliability tests: a seeded PRNG, contents with checksums,
 * and {@linkcode Live}, a JS-side record of every live allocation with a
 * reference model of placement, which checks the heap from outside.
 */

import assert from "node:assert/strict";
import { alloc, buf, cap, i32, lease, mem, spans, trim } from "../../mod.ts";
import type { Lease } from "../../mod.ts";
import { blocksOf, collectUntil, Model } from "../_helpers.ts";

// A small deterministic PRNG (mulberry32), so a failure can be replayed.
export { random } from "../_helpers.ts";

/**
 * Fills `size` bytes at `address` with a pseudo-random stream from `seed`
 * and returns their checksum (as {@linkcode checksum} reads it back).
 */
export function fill(address: number, size: number, seed: number): number {
  const at = address >>> 0;
  const words = size >>> 2;
  const first = at >>> 2;
  let x = seed | 1;
  for (let i = 0; i < words; i++) {
    x ^= x << 13;
    x ^= x >>> 17;
    x ^= x << 5;
    i32[first + i] = x;
  }
  if (size & 3) {
    const tail = new Uint8Array(buf, at + words * 4, size & 3);
    for (let i = 0; i < tail.length; i++) tail[i] = (x >>> (8 * i)) ^ 0x5A;
  }
  return checksum(address, size);
}

/** FNV-1a over the words, then the bytes, of `size` bytes at `address`. */
export function checksum(address: number, size: number): number {
  const at = address >>> 0;
  const words = size >>> 2;
  const first = at >>> 2;
  let h = 0x811C9DC5 ^ size;
  for (let i = 0; i < words; i++) h = Math.imul(h ^ i32[first + i], 0x01000193);
  if (size & 3) {
    for (const byte of new Uint8Array(buf, at + words * 4, size & 3)) {
      h = Math.imul(h ^ byte, 0x01000193);
    }
  }
  return h;
}

/** A live allocation as the tests know it. */
export interface Record {
  address: number;
  size: number;
  sum: number;
}

/** Thrown by callbacks on purpose, so a test can tell it from a real error. */
export class Boom extends Error {
  constructor(what: string) {
    super(`boom: ${what}`);
  }
}

/**
 * Every live allocation of a test file (address, size, checksum) and a
 * reference model of placement ({@linkcode Model}) that follows every
 * operation, including those made from inside callbacks.
 *
 * All allocations with a token, trims and drops of the file must go through
 * it, and every callback (watcher, respawn, finalizer) that calls it must be
 * wrapped by {@linkcode Live.callback}, so that the model is up to date when
 * a callback starts. A `trim` shrinks before its callbacks run, so the model
 * applies it when the first one starts (or when the call returns if none
 * ran). An allocation that grows `mem` may take its span before its watchers
 * run or after them (the contract leaves that open): when the first one
 * starts, the heap's spans say which, and the model follows.
 */
export class Live {
  readonly model: Model = new Model(cap);
  readonly records = new Map<number, Record>();
  #tokens: (object | undefined)[] = [];
  #owners = new Map<number, number>(); // address → token index
  #pending: (() => void) | null = null;
  #finalized = 0;
  #registry = new FinalizationRegistry<number>(() => this.#finalized++);
  /** Scratch probes run by full checks. */
  probes = 0;
  /** Full checks run. */
  checks = 0;

  /** Mirrors a change of capacity (a grow, or a trim) into the model. */
  #sync(): void {
    const last = this.model.spans[this.model.spans.length - 1];
    const end = last.start + last.blocks;
    if (cap > end) this.model.grow(cap);
    else if (cap < end) this.model.trim(cap);
  }

  // A method, so that TypeScript does not narrow `#pending` across a call.
  #unsettled(): boolean {
    return this.#pending !== null;
  }

  /** Applies the operation in progress, if any, to the model. */
  settle(): void {
    const pending = this.#pending;
    this.#pending = null;
    pending?.();
  }

  /** Wraps a callback so that the model is up to date when it runs. */
  callback(body: () => void): () => void {
    return () => {
      this.settle();
      body();
    };
  }

  /** A new token, owned by this record (dropped with {@linkcode drop}). */
  token(): number {
    const token = {};
    this.#registry.register(token, 0);
    return this.#tokens.push(token) - 1;
  }

  /** The token object of index `at` (to watch it, say). */
  tokenOf(at: number): object {
    return this.#tokens[at]!;
  }

  /**
   * `alloc(size, token)` with the placement checked against the model and
   * the bytes filled and summed. If it throws, it holds nothing: nothing is
   * recorded, and the error is rethrown.
   */
  alloc(size: number, token = this.token()): number {
    const address = this.#place(
      `alloc(${size})`,
      blocksOf(size),
      () => alloc(size, this.#tokens[token]!),
    );
    this.#record(address, size, token, true);
    return address;
  }

  /**
   * Runs `call`, which allocates `blocks` with a token, and returns its
   * address, checked against the model's best fit. If mem grows, the span is
   * taken either before the callbacks run or after them: the model takes it
   * when the first callback starts if the heap holds it then, else when the
   * call returns. If the call throws, the heap and the model hold nothing
   * for it.
   */
  #place(name: string, blocks: number, call: () => number): number {
    let early = -1; // the address, if taken before the callbacks ran
    this.#pending = () => {
      this.#sync();
      const at = this.model.peek(blocks, cap);
      const held = spans().some((span) =>
        span.start == at && span.size == blocks * 16 && span.kind == "token"
      );
      if (held) early = this.model.take(blocks, cap);
    };
    let address: number;
    try {
      address = call();
    } catch (error) {
      this.#pending = null;
      if (early >= 0) this.model.free(early);
      throw error;
    }
    this.#pending = null; // if no callback ran, as if taken now
    this.#sync();
    const expected = early >= 0 ? early : this.model.take(blocks, cap);
    assert.equal(address >>> 0, expected, `${name}: best fit`);
    return address;
  }

  #record(address: number, size: number, token: number, write: boolean) {
    assert.ok(
      !this.records.has(address),
      `address ${address} handed out twice`,
    );
    const sum = write
      ? fill(address, size, address ^ size)
      : checksum(address, size);
    this.records.set(address, { address, size, sum });
    this.#owners.set(address, token);
  }

  /**
   * `lease(size)`, checked and recorded like {@linkcode Live.alloc}; the
   * lease is its own token (so {@linkcode drop} lets the GC free it) and
   * {@linkcode dispose} frees it at once. Returns the address.
   */
  lease(size: number): number {
    let held: Lease | undefined;
    const address = this.#place(`lease(${size})`, blocksOf(size), () => {
      held = lease(size);
      return held.ptr;
    });
    assert.equal(held!.size, size);
    this.#registry.register(held!, 0);
    const token = this.#tokens.push(held) - 1;
    this.#record(address, size, token, true);
    return address;
  }

  /** Disposes the lease at `address` (checking its bytes first). */
  dispose(address: number): void {
    const owner = this.#owners.get(address)!;
    const held = this.#tokens[owner] as Lease;
    this.verify(this.records.get(address)!);
    held[Symbol.dispose]();
    this.model.free(address >>> 0);
    this.records.delete(address);
    this.#owners.delete(address);
    held[Symbol.dispose](); // a second dispose does nothing
  }

  /** A scratch `alloc(size)` (which may grow), checked against the model. */
  scratch(size: number): number {
    this.#pending = () => this.#sync();
    let address: number;
    try {
      address = alloc(size);
    } finally {
      this.settle();
      this.#sync();
    }
    assert.equal(
      address,
      this.model.peek(blocksOf(size), cap),
      `scratch ${size}`,
    );
    return address;
  }

  /** `trim()`, mirrored into the model. */
  trim(): number {
    const before = buf.byteLength;
    let kept = -1; // the size right after this trim, before any callback
    this.#pending = () => {
      kept = buf.byteLength;
      this.#sync();
    };
    let released: number;
    try {
      released = trim();
    } finally {
      this.settle();
    }
    assert.equal(released, before - kept, "trim() returns the bytes released");
    return released;
  }

  /**
   * Fills every free span but the free tail (shortest first, each with an
   * allocation of exactly its length), so that what is allocated next lies
   * in a row at the end.
   */
  plug(): void {
    const spans = this.model.spans;
    const holes = spans.filter((s, i) => !s.used && i < spans.length - 1)
      .sort((a, b) => a.blocks - b.blocks || a.start - b.start);
    for (const hole of holes) {
      assert.equal(this.alloc(hole.blocks * 16) >>> 0, hole.start * 16);
    }
  }

  /** Drops the tokens of `addresses` (and every allocation they own). */
  drop(addresses: number[]): number {
    const tokens = new Set(addresses.map((a) => this.#owners.get(a)!));
    for (const t of tokens) this.#tokens[t] = undefined;
    return tokens.size;
  }

  /** Collects until every dropped token is finalized; frees in the model. */
  async collect(): Promise<void> {
    const dropped = this.#tokens.reduce<number>(
      (n, token, i) => n + (token === undefined && this.#isUsed(i) ? 1 : 0),
      0,
    );
    const target = this.#finalized + dropped;
    await collectUntil(() => this.#finalized >= target, "dropped tokens");
    for (const [address, owner] of this.#owners) {
      if (this.#tokens[owner] === undefined) {
        this.verify(this.records.get(address)!);
        this.model.free(address >>> 0);
        this.records.delete(address);
        this.#owners.delete(address);
      }
    }
    this.#sync();
  }

  #isUsed(token: number): boolean {
    for (const owner of this.#owners.values()) if (owner === token) return true;
    return false;
  }

  /** Throws if a live allocation's bytes changed. */
  verify(record: Record): void {
    assert.equal(
      checksum(record.address, record.size),
      record.sum,
      `the ${record.size} bytes at ${record.address >>> 0} changed`,
    );
  }

  /**
   * The full check, from outside: the live bindings agree; every live
   * allocation is aligned, in range, disjoint from the others, and its bytes
   * are unchanged; the model tiles the memory; and a scratch `alloc(size)`
   * for every free length (and one less, and 1 byte) lands exactly where the
   * model's best fit says, without growing: the core's free-span index
   * holds what the model holds.
   */
  check(): void {
    this.checks++;
    this.settle();
    this.#sync();
    assert.equal(buf, mem.buffer, "buf is mem.buffer");
    assert.equal(i32.buffer, buf, "i32 views buf");
    assert.equal(cap * 16, buf.byteLength, "cap is the size in blocks");
    const spans = [...this.records.values()].sort((a, b) =>
      (a.address >>> 0) - (b.address >>> 0)
    );
    let end = 16;
    for (const record of spans) {
      const at = record.address >>> 0;
      assert.equal(at % 16, 0, `${at} is aligned`);
      assert.ok(at >= end, `${at} overlaps the allocation before it`);
      end = at + blocksOf(record.size) * 16;
      assert.ok(end <= cap * 16, `${at} + ${record.size} is in range`);
      this.verify(record);
    }
    let blocks = 0, used = 0;
    for (const span of this.model.spans) {
      assert.equal(span.start, blocks, "the model tiles the memory");
      blocks += span.blocks;
      if (span.used) used += span.blocks;
    }
    assert.equal(blocks, cap, "the model covers the memory");
    const live = spans.reduce((n, r) => n + blocksOf(r.size), 0);
    assert.equal(used - 1, live, "used blocks are the live ones (and block 0)");

    const lengths = [
      ...new Set(
        this.model.spans.filter((s) => !s.used).map((s) => s.blocks),
      ),
    ].sort((a, b) => a - b);
    const sizes = new Set([1]);
    for (const length of lengths.slice(0, 40).concat(lengths.slice(-4))) {
      sizes.add(length * 16).add(length * 16 - 15);
      if (length > 1) sizes.add((length - 1) * 16);
    }
    const before = buf;
    for (const size of sizes) {
      const expected = this.model.peek(blocksOf(size), cap);
      assert.equal(alloc(size), expected, `scratch alloc(${size})`);
      this.probes++;
    }
    assert.equal(buf, before, "no probe grew the memory");
  }
}
