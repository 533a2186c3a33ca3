/**
 * The picture: a hand-written SVG of four horizontal bar panels — every
 * target as measured ÷ limit, churn time per op split by where it went,
 * fragmentation per trace and allocator, and code size.
 *
 * @module
 */

import type { Results } from "./results.ts";
import {
  bytes,
  int,
  inUnit,
  limitOf,
  sig,
  type Target,
  time,
} from "./report.ts";

/** One bar: stacked segments, an optional tick and a note after it. */
interface Bar {
  label: string;
  segments: { value: number; color: string }[];
  tick?: number;
  note: string;
}

interface Panel {
  title: string;
  caption: string;
  bars: Bar[];
  /** Log scale between `min` and `max`, else linear from 0 (or `min`). */
  log?: boolean;
  min?: number;
  max: number;
  /** A vertical reference line (the target, 1×). */
  line?: number;
  /** Tick labels (linear scales). */
  format?: (value: number) => string;
  legend?: { label: string; color: string }[];
}

const WIDTH = 1040;
const LABEL = 310;
const PLOT = 440;
/** Notes sit in their own column right of the plot, clear of every line. */
const NOTES = LABEL + PLOT + 12;
const BAR = 16;
const GAP = 6;
const GREEN = "#2e7d32";
const RED = "#c62828";
const BLUE = "#1f5fa8";
const GREY = "#9e9e9e";
const ORANGE = "#e08a1e";

const escape = (text: string) =>
  text.replaceAll("&", "&amp;").replaceAll("<", "&lt;").replaceAll(">", "&gt;");

/** Round tick values (1, 2 or 5 × 10^k apart) from `min` up to `max`. */
const niceTicks = (min: number, max: number): number[] => {
  const raw = (max - min) / 5;
  const power = 10 ** Math.floor(Math.log10(raw));
  const step = [1, 2, 5, 10].map((m) => m * power).find((s) => s >= raw)!;
  const ticks: number[] = [];
  for (let v = Math.ceil(min / step) * step; v <= max + 1e-9; v += step) {
    ticks.push(Number(v.toPrecision(12)));
  }
  return ticks;
};

/** Draws one panel from `top`; returns its SVG and height. */
const panel = (spec: Panel, top: number): { svg: string; height: number } => {
  const min = spec.min ?? (spec.log ? 0.1 : 0);
  const x = (value: number) => {
    const v = Math.min(Math.max(value, min), spec.max);
    const fraction = spec.log
      ? Math.log(v / min) / Math.log(spec.max / min)
      : (v - min) / (spec.max - min);
    return LABEL + fraction * PLOT;
  };
  const parts: string[] = [];
  parts.push(
    `<text x="16" y="${top + 18}" class="title">${escape(spec.title)}</text>`,
    `<text x="16" y="${top + 36}" class="caption">${
      escape(spec.caption)
    }</text>`,
  );
  let y = top + 50;
  if (spec.legend) {
    let lx = LABEL;
    for (const item of spec.legend) {
      parts.push(
        `<rect x="${lx}" y="${y}" width="10" height="10" fill="${item.color}"/>`,
        `<text x="${lx + 14}" y="${y + 9}" class="small">${
          escape(item.label)
        }</text>`,
      );
      lx += 18 + item.label.length * 6.2;
    }
    y += 18;
  }
  const plotTop = y;
  for (const bar of spec.bars) {
    parts.push(
      `<text x="${LABEL - 8}" y="${y + 12}" class="label" text-anchor="end">${
        escape(bar.label)
      }</text>`,
    );
    let start = min;
    let end = min;
    for (const segment of bar.segments) {
      end = start + segment.value;
      const x0 = x(start);
      const x1 = x(end);
      if (x1 > x0) {
        parts.push(
          `<rect x="${x0.toFixed(1)}" y="${y}" width="${
            (x1 - x0).toFixed(1)
          }" height="${BAR}" fill="${segment.color}"/>`,
        );
      }
      start = end;
    }
    if (bar.tick !== undefined) {
      const tx = x(bar.tick);
      parts.push(
        `<line x1="${tx.toFixed(1)}" x2="${tx.toFixed(1)}" y1="${y - 2}" y2="${
          y + BAR + 2
        }" stroke="#000" stroke-width="2"/>`,
      );
    }
    const clipped = end > spec.max ? "▶ " : "";
    parts.push(
      `<text x="${NOTES}" y="${y + 12}" class="small">${
        escape(clipped + bar.note)
      }</text>`,
    );
    y += BAR + GAP;
  }
  // Axis: ticks at round values.
  const ticks = spec.log
    ? [0.1, 0.3, 1, 3, 10, 30, 100].filter((v) => v >= min && v <= spec.max)
    : niceTicks(min, spec.max);
  for (const tick of ticks) {
    const tx = x(tick);
    parts.push(
      `<line x1="${tx.toFixed(1)}" x2="${tx.toFixed(1)}" y1="${
        plotTop - 4
      }" y2="${y - GAP + 4}" stroke="#ddd"/>`,
      `<text x="${tx.toFixed(1)}" y="${
        y + 10
      }" class="small" text-anchor="middle">${
        spec.log ? `${tick}×` : (spec.format ?? sig)(tick)
      }</text>`,
    );
  }
  if (spec.line !== undefined) {
    const lx = x(spec.line);
    parts.push(
      `<line x1="${lx.toFixed(1)}" x2="${lx.toFixed(1)}" y1="${
        plotTop - 6
      }" y2="${y - GAP + 6}" stroke="#000" stroke-dasharray="4 3"/>`,
    );
  }
  // Grid lines first, so bars draw over them.
  const grid = parts.filter((p) => p.includes('stroke="#ddd"'));
  const rest = parts.filter((p) => !p.includes('stroke="#ddd"'));
  return { svg: [...grid, ...rest].join("\n"), height: y - top + 24 };
};

/** The whole picture for a run. */
export const chart = (results: Results, goals: Target[]): string => {
  const churn = results.churn;
  const order = [
    "lewd",
    "floor (b)",
    "dlmalloc + FR",
    "talc + FR",
    "dlmalloc, free",
    "talc, free",
  ];
  // Each bar stacks the medians of the parts, whose sum can pass the median
  // of the totals that the note gives.
  const churnMax = Math.max(
    ...order.map((name) => {
      const split = churn.ns[name];
      return Math.max(split.total, split.loop + split.gc + split.finalizers);
    }),
  ) * 1.05;
  const traces = ["uniform", "log-uniform", "phase"];
  const allocators = ["lewd", "dlmalloc", "talc", "@thi.ng/malloc"];
  const fragColors: Record<string, string> = {
    lewd: BLUE,
    dlmalloc: ORANGE,
    talc: "#7b5ea7",
    "@thi.ng/malloc": GREY,
  };
  const frag = traces.flatMap((trace) =>
    allocators.map((allocator) =>
      results.frag.find((r) => r.trace == trace && r.allocator == allocator)!
    )
  );
  const fragMax = Math.max(...frag.map((r) => r.peakMem / r.peakLive)) * 1.02;
  const sizes = [
    { label: "LEWD: whole package, min+gzip", size: results.sizes.pkg.gzip },
    { label: "LEWD: alloc only, min+gzip", size: results.sizes.allocOnly.gzip },
    { label: "LEWD: core .wasm, gzip", size: results.sizes.core.gzip },
    ...results.sizes.peers.map((peer) => ({
      label: `${peer.name}, gzip`,
      size: peer.gzip,
    })),
  ];
  const panels: Panel[] = [
    {
      title: "Targets: measured ÷ limit",
      caption:
        "Left of the dashed line (1×) is met; log scale, bars past 100× are clipped.",
      log: true,
      min: 0.1,
      max: 100,
      line: 1,
      bars: goals.map((goal) => ({
        label: goal.label.length > 50
          ? goal.label.slice(0, 49) + "…"
          : goal.label,
        // Bars start at the scale's 0.1×: the segment runs from there.
        segments: [{
          value: Math.max(goal.value / goal.limit - 0.1, 1e-4),
          color: goal.met ? GREEN : RED,
        }],
        note: `${inUnit(goal, goal.value)} (${limitOf(goal)})`,
      })),
    },
    {
      title: `Churn: time per alloc + free, ${int(churn.live)} live`,
      caption: `Medians of each part, gc() every ${
        int(churn.batch)
      } ops; @thi.ng/malloc off scale: ${
        time(churn.ns["@thi.ng/malloc + FR"].total)
      } (+FR), ${time(churn.ns["@thi.ng/malloc, free"].total)} (free).`,
      max: churnMax,
      format: time,
      legend: [
        { label: "loop", color: BLUE },
        { label: "gc()", color: GREY },
        { label: "finalizers", color: ORANGE },
      ],
      bars: order.map((name) => ({
        label: name == "lewd" ? "LEWD" : name,
        segments: [
          { value: churn.ns[name].loop, color: BLUE },
          { value: churn.ns[name].gc, color: GREY },
          { value: churn.ns[name].finalizers, color: ORANGE },
        ],
        note: time(churn.ns[name].total),
      })),
    },
    {
      title: "Fragmentation: peak mem ÷ peak live bytes",
      caption:
        "Bar: memory held at the peak; black tick: high-water mark; dashed: the 1.04 target.",
      min: 1,
      max: Math.max(fragMax, 1.1),
      line: 1.04,
      bars: frag.map((r) => ({
        label: `${r.trace}: ${r.allocator == "lewd" ? "LEWD" : r.allocator}`,
        segments: [{
          value: r.peakMem / r.peakLive - 1,
          color: fragColors[r.allocator],
        }],
        tick: r.highWater / r.peakLive,
        note: `${sig(r.peakMem / r.peakLive)} (high-water ${
          sig(r.highWater / r.peakLive)
        })`,
      })),
    },
    {
      title: "Size",
      caption:
        "Bytes of shipped code; the wasm peers also need JS to drive them.",
      max: Math.max(...sizes.map((s) => s.size)) * 1.05,
      format: bytes,
      bars: sizes.map((s) => ({
        label: s.label,
        segments: [{
          value: s.size,
          color: s.label.startsWith("LEWD") ? BLUE : GREY,
        }],
        note: bytes(s.size),
      })),
    },
  ];
  let top = 8;
  const body: string[] = [];
  for (const spec of panels) {
    const drawn = panel(spec, top);
    body.push(drawn.svg);
    top += drawn.height + 10;
  }
  return `<svg xmlns="http://www.w3.org/2000/svg" width="${WIDTH}" height="${top}" viewBox="0 0 ${WIDTH} ${top}" font-family="Helvetica, Arial, sans-serif">
<style>
.title { font-size: 15px; font-weight: bold; fill: #111; }
.caption { font-size: 11.5px; fill: #555; }
.label { font-size: 12px; fill: #222; }
.small { font-size: 11px; fill: #333; }
</style>
<rect width="100%" height="100%" fill="#fff"/>
${body.join("\n")}
</svg>
`;
};
