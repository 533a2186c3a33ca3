/**
 * Inspection and debugging: `spans` lists the memory map, `debug` fills free
 * spans with a pattern, `check` verifies every invariant it can see.
 *
 * @module
 */

import { heap } from "./default.ts";
import { describe, hex } from "./errors.ts";
import { ext, LENGTH, STRONG } from "./extension.ts";
import { statsOf } from "./limits.ts";
import { PAGE_BLOCKS, type State } from "./state.ts";

/**
 * A span of {@linkcode mem}, as {@linkcode spans} lists it.
 *
 * @example
 * ```ts
 * import { type Span, spans } from "@lewd/alloc";
 *
 * const free: Span[] = spans().filter((span) => span.kind == "free");
 * ```
 */
export interface Span {
  /** The address of its first byte (unsigned). */
  start: number;
  /** Its length in bytes (a multiple of 16). */
  size: number;
  /**
   * `"guard"`: bytes 0–15, never handed out; `"token"`: freed after its
   * token is collected or its lease disposed; `"strong"`: freed by
   * {@linkcode free}; `"reserved"`: freed, but held until a pending
   * finalizer has run (see {@linkcode disown}); `"protected"`: never
   * handed out or freed (see {@linkcode protect}); `"free"`.
   */
  kind: "guard" | "protected" | "token" | "strong" | "reserved" | "free";
}

/** {@linkcode spans} of `heap`. */
export const spansOf = (heap: State): Span[] => {
  const list: Span[] = [{ start: 0, size: 16, kind: "guard" }];
  for (let block = 1, span; block < heap.cap; block += span & LENGTH) {
    span = ext(heap).span(block);
    if (!(span & LENGTH)) {
      throw new Error(`lewd: no span starts at ${hex(block * 16)}`);
    }
    list.push({
      start: block * 16,
      size: (span & LENGTH) * 16,
      kind: span < 0
        ? "free"
        : heap.guarded?.has(block)
        ? "protected"
        : span >= STRONG
        ? "strong"
        : heap.kinds?.orphans.get(block)
        ? "reserved"
        : "token",
    });
  }
  return list;
};

/** What `debug` writes into free spans: 0xDEADBEEF in every word. */
const PATTERN = 0xDEAD_BEEF | 0;

const fill = (heap: State, block: number, blocks: number): void => {
  new Int32Array(heap.buf, block * 16, blocks * 4).fill(PATTERN);
};

/** {@linkcode debug} on `heap`. */
export const debugIn = (heap: State, on: boolean): void => {
  if (typeof on != "boolean") {
    throw new TypeError(`debug: on must be a boolean, got ${describe(on)}`);
  }
  const { core } = heap;
  heap.debugging = on;
  const scratches: [number, number][] = heap.scratches = [];
  if (on) {
    for (const span of spansOf(heap)) {
      if (span.kind == "free") fill(heap, span.start / 16, span.size / 16);
    }
    heap.unspan = (block) => {
      fill(heap, block, ext(heap).span(block) & LENGTH);
      core.free(block);
    };
    heap.freshen = (block, blocks, scratch) => {
      if (!scratch) fill(heap, block, blocks);
      else if (scratches.push([block, block + blocks]) > 64) {
        // Keep the list short: the two oldest become the range over both.
        const [a, b] = scratches.splice(0, 2);
        scratches.unshift([Math.min(a[0], b[0]), Math.max(a[1], b[1])]);
      }
    };
  } else {
    heap.unspan = core.free;
    heap.freshen = undefined;
  }
};

/** {@linkcode check} of `heap`. */
export const checkIn = (heap: State): void => {
  const problems: string[] = [];
  let list: Span[] = [];
  try {
    list = spansOf(heap);
  } catch (error) {
    problems.push((error as Error).message);
  }
  let used = 0, allocations = 0, largest = 0, previous = "";
  const free: Span[] = [];
  for (const span of list) {
    const { start, size, kind } = span;
    if (kind == "free") {
      free.push(span);
      largest = Math.max(largest, size);
      if (previous == "free") {
        problems.push(`free spans meet at ${hex(start)} (not merged)`);
      }
      if (
        ext(heap).span((start + size) / 16 - 1) != ext(heap).span(start / 16)
      ) {
        problems.push(`the free span at ${hex(start)}: its ends disagree`);
      }
    } else if (kind != "guard") {
      used += size;
      allocations++;
    }
    previous = kind;
  }
  const counted = {
    used,
    allocations,
    freeSpans: free.length,
    largest,
    tail: previous == "free" ? list[list.length - 1].size : 0,
  };
  const figures = statsOf(heap);
  for (const [name, value] of Object.entries(counted)) {
    const reported = figures[name as keyof typeof counted];
    if (reported !== value) {
      problems.push(`stats().${name} is ${reported}, the spans say ${value}`);
    }
  }
  // The best fit for each free length: the lowest of the shortest that fit.
  const byFit = [...free].sort((a, b) => a.size - b.size || a.start - b.start);
  byFit.forEach(({ start, size }, i) => {
    if (i && byFit[i - 1].size == size) return;
    const placed = heap.core.peek(size / 16) * 16;
    if (placed != start) {
      problems.push(
        `the best-fit index places ${size} bytes at ${hex(placed)}, not ${
          hex(start)
        }`,
      );
    }
  });
  const kindAt = new Map(list.map((span) => [span.start / 16, span.kind]));
  for (const block of heap.kinds?.keys.keys() ?? []) {
    if (kindAt.get(block) != "token") {
      problems.push(
        `a cancellable registration for ${hex(block * 16)}, a ${
          kindAt.get(block)
        } span`,
      );
    }
  }
  for (const [block, freed] of heap.kinds?.orphans ?? []) {
    const kind = kindAt.get(block);
    if (freed ? kind != "reserved" : kind != "strong" && kind != "token") {
      problems.push(
        `an orphaned registration for ${hex(block * 16)}, a ${kind} span`,
      );
    }
  }
  const { mem, buf, i32, cap } = heap;
  if (buf !== mem.buffer || i32.buffer !== buf || cap * 16 != buf.byteLength) {
    problems.push("buf, i32 or cap is not bound to mem");
  }
  if (cap > heap.maxPages * PAGE_BLOCKS) problems.push("mem is past its limit");
  if (heap.debugging) {
    const words = new Int32Array(buf);
    for (const { start, size } of free) {
      for (let word = start / 4; word < (start + size) / 4; word++) {
        if (words[word] == PATTERN) continue;
        // A scratch is free space written on purpose: skip past it.
        const scratch = heap.scratches!.find(([from, to]) =>
          word >= from * 4 && word < to * 4
        );
        if (scratch) {
          word = scratch[1] * 4 - 1;
          continue;
        }
        problems.push(
          `write after free: ${hex(word * 4)}, in the free span ${hex(start)}–${
            hex(start + size)
          }`,
        );
        break;
      }
    }
  }
  if (problems.length) {
    throw new Error(
      `lewd: check found ${problems.length} problem(s):\n- ${
        problems.join("\n- ")
      }`,
    );
  }
};

/**
 * Lists every span of {@linkcode mem} in address order, from the null guard
 * to the end: they tile the memory. O(n) in the number of spans. A scratch is
 * free space, so it shows as (part of) a free span.
 *
 * @returns The spans.
 * @throws {Error} If the core's records do not tile the memory (a bug, which
 * {@linkcode check} reports in more detail).
 *
 * @example
 * ```ts
 * import { malloc, spans } from "@lewd/alloc";
 *
 * malloc(100);
 * for (const { start, size, kind } of spans()) console.log(start, size, kind);
 * ```
 */
export function spans(): Span[] {
  return spansOf(heap);
}

/**
 * Turns the debug mode on or off. On, every span that becomes free is filled
 * with the pattern 0xDEADBEEF (so are all free spans now, and every page
 * `mem` grows by), and {@linkcode check} reports any free byte that no longer
 * holds it: a write after free, or through a stale pointer. Bytes handed out
 * as a scratch are exempt (the scratch is free space used on purpose).
 *
 * This is the one case where the allocator writes into `mem`: only into free
 * spans. It makes every free slower by the cost of filling the span. Turning
 * it on invalidates any scratch.
 *
 * @param on Whether to debug.
 * @throws {TypeError} If `on` is not a boolean.
 *
 * @example
 * ```ts
 * import { check, debug, free, i32, malloc } from "@lewd/alloc";
 *
 * debug(true);
 * const ptr = malloc(16);
 * free(ptr);
 * i32[ptr >>> 2] = 1; // a write after free...
 * try {
 *   check(); // ...is reported here
 * } catch (error) {
 *   console.log((error as Error).message);
 * }
 * i32[ptr >>> 2] = 0xDEADBEEF | 0;
 * debug(false);
 * ```
 */
export function debug(on: boolean): void {
  debugIn(heap, on);
}

/**
 * Verifies every invariant of the heap that can be seen from JS, and throws
 * one readable report of all that is wrong:
 *
 * - the spans tile `mem` from the null guard to the end (docs/CONTRACT.md, Invariants
 *   1–3), and no two free spans are adjacent (every free is merged);
 * - each free span's two ends agree, and {@linkcode stats}' counts match the
 *   spans;
 * - the best-fit index: for every length of free span, the span the next
 *   allocation of that length would take is the lowest of the shortest that
 *   fit;
 * - the pointer kinds' bookkeeping matches the spans;
 * - `buf`, `i32` and `cap` are bound to `mem`, within the {@linkcode limit};
 * - in {@linkcode debug} mode, every free byte still holds the fill pattern.
 *
 * O(n log n) in the number of spans: for tests and debugging, not every frame.
 *
 * @throws {Error} "lewd: check found N problem(s)", one per line after it.
 *
 * @example
 * ```ts
 * import { alloc, check } from "@lewd/alloc";
 *
 * alloc(100, {});
 * check(); // throws if anything is wrong
 * ```
 */
export function check(): void {
  checkIn(heap);
}
