/**
 * Movable allocations and `compact`: spans the heap may slide toward low
 * addresses, so that after long churn a `trim` can give pages back. Only an
 * allocator beside the JS owners can move memory: it knows whom to tell. The
 * handle of each movable span is its record here, and its `ptr` is current
 * after every move.
 *
 * A movable span's registration holds `MOVABLE + id`: the block changes
 * when it moves, the id never does.
 *
 * @module
 */

import { heap } from "./default.ts";
import { blocksOf, checkWeakKey } from "./errors.ts";
import { ext } from "./extension.ts";
import { reserve } from "./growth.ts";
import { kindsOf } from "./kinds.ts";
import { notify } from "./notify.ts";
import { nudge } from "./pacing.ts";
import type { State } from "./state.ts";

/** Held values from here up name a movable span (below: `kinds.ts`). */
const MOVABLE = 0x2000_0000;

/**
 * A movable allocation from {@linkcode allocMovable}: `ptr` is where its
 * bytes are now, and changes only in {@linkcode compact}.
 *
 * @example
 * ```ts
 * import { allocMovable, buf, type Movable } from "@lewd/alloc";
 *
 * const owner = {};
 * const handle: Movable = allocMovable(64, owner);
 * new Uint8Array(buf, handle.ptr >>> 0, handle.size).fill(1);
 * ```
 */
export interface Movable {
  /** The address now, as {@linkcode alloc} returns it. */
  readonly ptr: number;
  /** The size asked for, in bytes. */
  readonly size: number;
}

/** A movable span of one heap: its handle and where it is. */
interface Record {
  handle: Movable;
  block: number;
  blocks: number;
}

/** The movable spans of one heap, by block and by id. */
export interface Movables {
  byBlock: Map<number, Record>;
  byId: Map<number, Record>;
  next: number;
}

/**
 * The movable spans of `heap`, made on first use with the finalizer that
 * frees a collected owner's span wherever it is now.
 */
const movablesOf = (heap: State): Movables => {
  if (!heap.movables) {
    const movables: Movables = heap.movables = {
      byBlock: new Map(),
      byId: new Map(),
      next: 0,
    };
    // The pointer kinds install their finalizer on first use: first, so
    // that this one wraps it for good.
    kindsOf(heap);
    const others = heap.finalize;
    heap.finalize = (held) => {
      if (held < MOVABLE) return others(held);
      const record = movables.byId.get(held - MOVABLE)!;
      movables.byId.delete(held - MOVABLE);
      movables.byBlock.delete(record.block);
      heap.unspan(record.block);
    };
  }
  return heap.movables;
};

/** {@linkcode allocMovable} on `heap`. */
export const allocMovableIn = (
  heap: State,
  size: number,
  token: WeakKey,
): Movable => {
  const blocks = blocksOf("allocMovable", size);
  checkWeakKey("allocMovable", token);
  const movables = movablesOf(heap);
  const block = reserve(heap, "allocMovable", size, blocks);
  const record: Record = {
    handle: {
      get ptr() {
        return record.block << 4;
      },
      size,
    },
    block,
    blocks,
  };
  const id = movables.next++;
  movables.byId.set(id, record);
  movables.byBlock.set(block, record);
  heap.registry.register(token, MOVABLE + id);
  if ((heap.debt += blocks) > heap.nudgeAt) nudge(heap);
  return record.handle;
};

/** {@linkcode compact} on `heap`. */
export const compactIn = (heap: State): number => {
  const movables = heap.movables;
  if (!movables?.byBlock.size) return 0;
  const { first, claim } = ext(heap);
  const bytes = new Uint8Array(heap.buf);
  let moved = 0;
  // Spans that move by the same distance one after the other are copied as
  // one run, once the run ends: copies stay in address order.
  let [from, to, length] = [0, 0, 0];
  const copy = () => bytes.copyWithin(to * 16, from * 16, (from + length) * 16);
  // In address order, each span goes to the first free span from the
  // cursor that holds it: never above where it was (its own place is free
  // once it is freed), so its bytes never land on a span not yet moved.
  let cursor = 1;
  for (const block of [...movables.byBlock.keys()].sort((a, b) => a - b)) {
    const record = movables.byBlock.get(block)!;
    const blocks = record.blocks;
    // Where everything below is packed, it would go where it is.
    if (block == cursor) {
      cursor += blocks;
      continue;
    }
    heap.core.free(block);
    const start = first(blocks, cursor);
    claim(start, start, blocks);
    cursor = start + blocks;
    if (start == block) continue;
    if (block == from + length && start == to + length) length += blocks;
    else {
      copy();
      [from, to, length] = [block, start, blocks];
    }
    movables.byBlock.delete(block);
    movables.byBlock.set(record.block = start, record);
    moved += blocks * 16;
  }
  copy();
  if (moved) notify(heap);
  return moved;
};

/**
 * Allocates `size` bytes that {@linkcode compact} may move, owned by
 * `token` like an allocation of {@linkcode alloc}: freed after the host
 * garbage-collects the token. The returned handle's `ptr` is where the bytes
 * are now; it changes only inside `compact`, so WASM code may hold the
 * address only between compactions.
 *
 * A movable allocation is none of the other kinds: {@linkcode own},
 * {@linkcode disown}, {@linkcode free}, {@linkcode realloc} and
 * {@linkcode protect} refuse its address.
 *
 * @param size Bytes to allocate: an integer from 1 to 4 294 967 280.
 * @param token The lifetime token: an object or a non-registered symbol.
 * @returns The handle: `{ ptr, size }`, `ptr` current after every move.
 * @throws {TypeError} If `size` is not a number or `token` cannot be held
 * weakly. Nothing changes.
 * @throws {RangeError} If `size` is out of range, or "out of memory" if
 * `mem` cannot grow enough. Nothing changes.
 *
 * @example
 * ```ts
 * import { allocMovable, compact, i32 } from "@lewd/alloc";
 *
 * const owner = {};
 * const handle = allocMovable(16, owner);
 * i32[handle.ptr >>> 2] = 42;
 * compact();
 * i32[handle.ptr >>> 2]; // 42, wherever it is now
 * ```
 */
export function allocMovable(size: number, token: WeakKey): Movable {
  return allocMovableIn(heap, size, token);
}

/**
 * Slides the movable allocations toward low addresses, so that the free
 * space gathers at the end of {@linkcode mem}, where {@linkcode trim} can
 * release it. In address order, each movable span moves to the first free
 * span that holds it, from the end of the previous one on: never upward.
 * Other allocations never move. Bytes are copied, the handles updated, then
 * (if anything moved) the watchers run, so that whatever holds an address
 * can refresh it. `mem` stays the same object; any scratch address is
 * invalid afterwards.
 *
 * @returns The bytes moved (whole 16-byte blocks).
 * @throws What the watchers threw, after all have run; every move is done.
 *
 * @example
 * ```ts
 * import { compact, trim } from "@lewd/alloc";
 *
 * compact(); // movable allocations slide down
 * trim(); // the free end goes back to the host
 * ```
 */
export function compact(): number {
  return compactIn(heap);
}
