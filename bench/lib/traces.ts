/**
 * The three seeded fragmentation traces, as steps: each step frees some of
 * the live allocations (by id), then makes new ones (ids count up from 0 in
 * allocation order). Every allocator replays the same steps; a GC-driven
 * allocator frees a step's batch with one collection (bench/scenarios/frag.ts).
 *
 * @module
 */

import { between, rng } from "./harness.ts";

/** One step of a trace: frees first, then allocations. */
export interface Step {
  /** Ids of live allocations to free. */
  frees: number[];
  /** Sizes of the new allocations, which take the next ids. */
  allocs: number[];
}

/** A named, seeded sequence of steps. */
export interface Trace {
  name: string;
  description: string;
  steps: Step[];
}

/** Peak and final live bytes (requested sizes) over a trace. */
export const liveBytes = (trace: Trace): { peak: number; final: number } => {
  const sizes: number[] = [];
  let live = 0;
  let peak = 0;
  for (const step of trace.steps) {
    for (const id of step.frees) live -= sizes[id];
    for (const size of step.allocs) {
      sizes.push(size);
      live += size;
    }
    peak = Math.max(peak, live);
  }
  return { peak, final: live };
};

/** Picks `count` distinct ids from `live` at random and removes them. */
const take = (live: number[], count: number, random: () => number) => {
  const out: number[] = [];
  for (let i = 0; i < count && live.length; i++) {
    const at = Math.floor(random() * live.length);
    out.push(live[at]);
    live[at] = live[live.length - 1];
    live.pop();
  }
  return out;
};

/**
 * Uniform 16–1024 B: `target` live allocations, then `steps` rounds of
 * freeing a random fifth and refilling to `target`.
 */
const uniform = (scale: number): Trace => {
  const random = rng(11);
  const target = Math.round(10_000 * scale);
  const live: number[] = [];
  let next = 0;
  const steps: Step[] = [];
  for (let s = 0; s < 40; s++) {
    const frees = s ? take(live, Math.round(target / 5), random) : [];
    const allocs: number[] = [];
    while (live.length < target) {
      allocs.push(between(random, 16, 1024));
      live.push(next++);
    }
    steps.push({ frees, allocs });
  }
  return {
    name: "uniform",
    description:
      `16–1024 B uniform; ${target} live, 39 steps each freeing a random fifth and refilling`,
    steps,
  };
};

/**
 * Log-uniform 16 B–64 KiB with mixed lifetimes: each of 60 steps makes
 * `perStep` allocations; 60% live 1–2 steps, 30% 3–15 steps, 10% to the end.
 */
const logUniform = (scale: number): Trace => {
  const random = rng(12);
  const perStep = Math.round(400 * scale);
  const stepCount = 60;
  const dies: number[][] = Array.from({ length: stepCount + 1 }, () => []);
  const steps: Step[] = [];
  let next = 0;
  for (let s = 0; s < stepCount; s++) {
    const allocs: number[] = [];
    for (let i = 0; i < perStep; i++) {
      allocs.push(Math.floor(Math.exp(random() * Math.log(65536 / 16)) * 16));
      const kind = random();
      const life = kind < 0.6
        ? between(random, 1, 2)
        : kind < 0.9
        ? between(random, 3, 15)
        : stepCount;
      const id = next++;
      if (s + life < stepCount) dies[s + life].push(id);
    }
    steps.push({ frees: dies[s], allocs });
  }
  return {
    name: "log-uniform",
    description:
      `16 B–64 KiB log-uniform; 60 steps of ${perStep} allocations living 1–2 steps (60%), 3–15 (30%) or to the end (10%)`,
    steps,
  };
};

/**
 * Phases: build up `count` allocations of 16–2048 B, free 90% of them at
 * random, build `count` more of 16–4096 B (larger: old holes fit fewer).
 */
const phase = (scale: number): Trace => {
  const random = rng(13);
  const count = Math.round(20_000 * scale);
  const first = Array.from({ length: count }, () => between(random, 16, 2048));
  const ids = Array.from({ length: count }, (_, id) => id);
  const frees = take(ids, Math.round(count * 0.9), random);
  const second = Array.from({ length: count }, () => between(random, 16, 4096));
  return {
    name: "phase",
    description:
      `${count} × 16–2048 B, free 90% at random, then ${count} × 16–4096 B`,
    steps: [
      { frees: [], allocs: first },
      { frees, allocs: [] },
      { frees: [], allocs: second },
    ],
  };
};

/** Every trace by name; `scale` shrinks them for the smoke run. */
export const traces: Record<string, (scale: number) => Trace> = {
  uniform,
  "log-uniform": logUniform,
  phase,
};
