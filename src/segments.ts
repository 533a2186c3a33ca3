/**
 * Modules with active data segments: `bindSegments` reads where a module's
 * segments write into its memory, protects those ranges, and keeps their
 * bytes across every respawn.
 *
 * @module
 */

import { checkCallbacks } from "./bind.ts";
import { heap } from "./default.ts";
import { describe } from "./errors.ts";
import { protectIn } from "./protect.ts";
import type { State } from "./state.ts";

/**
 * The byte ranges that the active data segments of the module `binary` write
 * into its memory 0 on every instantiation, merged where they share a block,
 * as [start, end) in whole blocks.
 */
const segments = (name: string, binary: BufferSource): [number, number][] => {
  const bytes = ArrayBuffer.isView(binary)
    ? new Uint8Array(binary.buffer, binary.byteOffset, binary.byteLength)
    : binary instanceof ArrayBuffer
    ? new Uint8Array(binary)
    : null;
  if (!bytes || bytes[0] != 0 || bytes[1] != 0x61 || bytes[2] != 0x73) {
    throw new TypeError(
      `${name}: binary must be a WebAssembly module's bytes, got ${
        describe(binary)
      }`,
    );
  }
  let at = 8;
  const leb = (signed?: boolean): number => {
    let value = 0, shift = 0, byte;
    do {
      byte = bytes[at++];
      value += (byte & 0x7f) * 2 ** shift;
      shift += 7;
    } while (byte & 0x80);
    return signed && byte & 0x40 ? value - 2 ** shift : value;
  };
  const found: [number, number][] = [];
  while (at < bytes.length) {
    const id = bytes[at++];
    const end = leb() + at;
    for (let count = id == 11 ? leb() : 0; count > 0; count--) {
      const flags = leb();
      const memory = flags == 2 ? leb() : 0;
      if (flags != 1) {
        // An active segment: its offset must be a constant to be known here.
        if (bytes[at++] != 0x41) {
          throw new RangeError(
            `${name}: a data segment's offset is not an i32.const`,
          );
        }
        const offset = leb(true) >>> 0;
        at++; // end
        const length = leb();
        if (length && memory == 0) {
          found.push([
            Math.floor(offset / 16),
            Math.ceil((offset + length) / 16),
          ]);
        }
        at += length;
      } else at += leb();
    }
    at = end;
  }
  found.sort((x, y) => x[0] - y[0]);
  return found.reduce<[number, number][]>((merged, range) => {
    const last = merged[merged.length - 1];
    if (last && range[0] <= last[1]) last[1] = Math.max(last[1], range[1]);
    else merged.push(range);
    return merged;
  }, []);
};

/** {@linkcode bindSegments} on `heap`. */
export const bindSegmentsIn = <T>(
  heap: State,
  spawn: () => T,
  respawn: () => unknown,
  binary: BufferSource,
): T => {
  const name = "bindSegments";
  checkCallbacks(name, spawn, respawn);
  const ranges = segments(name, binary);
  // Saves the bytes the segments wrote (and the module changed since), and
  // writes them back after the new instance has written its initial data.
  const restoring = () => {
    const saved = ranges.map(([start, end]) =>
      new Uint8Array(heap.buf, start * 16, (end - start) * 16).slice()
    );
    try {
      return respawn();
    } finally {
      const bytes = new Uint8Array(heap.buf);
      saved.forEach((data, i) => bytes.set(data, ranges[i][0] * 16));
    }
  };
  const held: number[] = [];
  let at = -1;
  try {
    for (const [start, end] of ranges) {
      protectIn(heap, start * 16, (end - start) * 16);
      if (end > 1) held.push(Math.max(1, start)); // block 0 is the guard's
    }
    at = heap.respawns.push(ranges.length ? restoring : respawn) - 1;
    return spawn();
  } catch (error) {
    if (at >= 0) heap.respawns.splice(at, 1);
    for (const block of held) {
      heap.guarded!.delete(block);
      heap.unspan(block);
    }
    throw error;
  }
};

/**
 * {@linkcode bind} for a module with active **data segments**, which write
 * their bytes into `mem` on every instantiation. Reads the segments from the
 * module's `binary` (their offsets must be `i32.const`),
 * {@linkcode protect}s their ranges before `spawn` (so no allocation is ever
 * placed there), and around every `respawn` saves the bytes of those ranges
 * and writes them back afterwards: the module keeps its runtime state across
 * trims instead of starting over from its initial data. If `spawn` throws,
 * the ranges are released again and `respawn` is not kept.
 *
 * @param spawn Called once, now; its result is returned.
 * @param respawn Called after every trim (synchronous).
 * @param binary The module's bytes.
 * @returns What `spawn` returned.
 * @throws {TypeError} If `spawn` or `respawn` is not a function, or `binary`
 * is not a module's bytes.
 * @throws {RangeError} If a segment's offset is not a constant, or its range
 * is not free (see {@linkcode protect}). Nothing changes on any error.
 *
 * @example
 * ```ts
 * import { bindSegments, mem } from "@lewd/alloc";
 *
 * // (module (import "env" "mem" (memory 1)) (data (i32.const 64) "hi")):
 * const BYTES = new Uint8Array([
 *   0, 97, 115, 109, 1, 0, 0, 0, 2, 12, 1, 3, 101, 110, 118, 3, 109, 101,
 *   109, 2, 0, 1, 11, 9, 1, 0, 65, 192, 0, 11, 2, 104, 105,
 * ]);
 * const MODULE = new WebAssembly.Module(BYTES);
 * let impl = bindSegments(
 *   () => new WebAssembly.Instance(MODULE, { env: { mem } }),
 *   () => {
 *     impl = new WebAssembly.Instance(MODULE, { env: { mem } });
 *   },
 *   BYTES,
 * );
 * ```
 */
export function bindSegments<T>(
  spawn: () => T,
  respawn: () => unknown,
  binary: BufferSource,
): T {
  return bindSegmentsIn(heap, spawn, respawn, binary);
}
