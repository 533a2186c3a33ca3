/**
 * `render`: the memory map as an SVG picture.
 *
 * @module
 */

import { heap } from "./default.ts";
import { badArgument, checkOptions, hex } from "./errors.ts";
import { type Span, spansOf } from "./inspect.ts";
import { statsOf } from "./limits.ts";
import type { State } from "./state.ts";

/**
 * What {@linkcode render} draws, and how big.
 *
 * @example
 * ```ts
 * import { alloc, render, type RenderOptions } from "@lewd/alloc";
 *
 * const size = 256;
 * const options: RenderOptions = { width: 480, scratch: [alloc(size), size] };
 * const svg = render(options);
 * ```
 */
export interface RenderOptions {
  /** Width of the map in pixels (960 if not given). */
  width?: number;
  /** Rows the address space wraps into (from the size of `mem` if not given). */
  rows?: number;
  /** A scratch to outline: its address and size, as `alloc(size)` gave it. */
  scratch?: [ptr: number, size: number];
}

const COLORS: Record<Span["kind"] | "scratch", string> = {
  guard: "#6b6b6b",
  protected: "#54a24b",
  token: "#4c78a8",
  strong: "#f58518",
  reserved: "#b279a2",
  free: "#e6e6e6",
  scratch: "#e45756",
};

const bytes = (n: number) =>
  n >= 0x10_0000
    ? `${(n / 0x10_0000).toFixed(2)} MiB`
    : n >= 1024
    ? `${(n / 1024).toFixed(1)} KiB`
    : `${n} B`;

/** {@linkcode render} of `heap`. */
export const renderOf = (heap: State, options?: RenderOptions): string => {
  checkOptions("render", options);
  const size = heap.cap * 16;
  const width = options?.width ?? 960;
  const rows = options?.rows ??
    Math.min(64, Math.max(1, Math.ceil(Math.sqrt(size / 0x1000))));
  for (const [name, value] of [["width", width], ["rows", rows]] as const) {
    if (typeof value != "number") {
      throw badArgument("render", `${name} must be a number`, value);
    }
    if (!Number.isInteger(value) || value < 1) {
      throw badArgument(
        "render",
        `${name} must be a positive integer`,
        value,
        RangeError,
      );
    }
  }
  const perRow = Math.ceil(size / rows / 16) * 16;
  const scale = width / perRow;
  const [left, top, rowHeight, gap] = [96, 58, 18, 6];
  const y = (row: number) => top + row * (rowHeight + gap);
  const out: string[] = [];
  // One bar per span and row it crosses; neighbours of one kind are merged.
  const bars: [row: number, from: number, to: number, kind: string][] = [];
  const bar = (start: number, end: number, kind: string) => {
    for (let at = start; at < end;) {
      const row = Math.floor(at / perRow);
      const stop = Math.min(end, (row + 1) * perRow);
      const last = bars[bars.length - 1];
      if (last && last[0] == row && last[3] == kind && last[2] == at) {
        last[2] = stop;
      } else bars.push([row, at, stop, kind]);
      at = stop;
    }
  };
  const list = spansOf(heap);
  for (const { start, size: length, kind } of list) {
    bar(start, start + length, kind);
  }
  for (const [row, from, to, kind] of bars) {
    out.push(
      `<rect x="${(left + (from - row * perRow) * scale).toFixed(2)}" y="${
        y(row)
      }" width="${
        Math.max(0.3, (to - from) * scale).toFixed(2)
      }" height="${rowHeight}" fill="${COLORS[kind as Span["kind"]]}"/>`,
    );
  }
  if (options?.scratch) {
    const [ptr, length] = options.scratch;
    const start = ptr >>> 0;
    for (let at = start; at < start + length;) {
      const row = Math.floor(at / perRow);
      const stop = Math.min(start + length, (row + 1) * perRow);
      out.push(
        `<rect x="${(left + (at - row * perRow) * scale).toFixed(2)}" y="${
          y(row) - 1
        }" width="${((stop - at) * scale).toFixed(2)}" height="${
          rowHeight + 2
        }" fill="none" stroke="${COLORS.scratch}" stroke-width="1.5"/>`,
      );
      at = stop;
    }
  }
  for (let row = 0; row < rows && row * perRow < size; row++) {
    out.push(
      `<text x="${left - 6}" y="${y(row) + 13}" text-anchor="end">${
        hex(row * perRow)
      }</text>`,
    );
  }
  const s = statsOf(heap);
  const fragmentation = s.free ? 1 - s.largest / s.free : 0;
  const legendY = y(rows) + 12;
  const legend = ([
    "token",
    "strong",
    "reserved",
    "protected",
    "free",
    "guard",
    "scratch",
  ] as const)
    .map((kind, i) =>
      `<rect x="${
        left + i * 110
      }" y="${legendY}" width="12" height="12" fill="${
        kind == "scratch" ? "none" : COLORS[kind]
      }"${
        kind == "scratch"
          ? ` stroke="${COLORS.scratch}" stroke-width="1.5"`
          : ""
      }/><text x="${left + i * 110 + 18}" y="${legendY + 11}">${kind}</text>`
    );
  const height = legendY + 30;
  return `<svg xmlns="http://www.w3.org/2000/svg" width="${
    left + width + 20
  }" height="${height}" font-family="sans-serif" font-size="12">
<rect width="100%" height="100%" fill="white"/>
<text x="${left}" y="20" font-size="14" font-weight="bold">LEWD Alloc: mem ${
    bytes(size)
  }, ${s.allocations} allocations, ${s.freeSpans} free spans</text>
<text x="${left}" y="40">used ${bytes(s.used)} (${
    (100 * s.used / size).toFixed(1)
  }%) · free ${bytes(s.free)} · largest free ${
    bytes(s.largest)
  } · fragmentation ${
    (100 * fragmentation).toFixed(1)
  }% (1 − largest ÷ free) · free tail ${bytes(s.tail)} · ${
    bytes(perRow)
  } per row</text>
${out.join("\n")}
${legend.join("\n")}
</svg>
`;
};

/**
 * Draws the memory map as an SVG document that a browser opens: the address
 * space wraps into rows, left to right from the address on each row's label;
 * each span is a bar coloured by kind (used by a token, strong, reserved,
 * free, the guard; a scratch you pass is outlined), above a legend and the
 * fragmentation figures (used, free, the longest free span, and `1 −
 * longest ÷ free`).
 *
 * @param options Width, rows and a scratch to outline; see
 * {@linkcode RenderOptions}.
 * @returns The SVG text.
 * @throws {TypeError} If `options` is not an object, or `width` or `rows`
 * is not a number.
 * @throws {RangeError} If `width` or `rows` is not a positive integer.
 *
 * @example
 * ```ts
 * import { alloc, render } from "@lewd/alloc";
 *
 * alloc(1000, {});
 * const svg = render({ width: 640 });
 * // Deno.writeTextFileSync("heap.svg", svg); then open it in a browser
 * ```
 */
export function render(options?: RenderOptions): string {
  return renderOf(heap, options);
}
