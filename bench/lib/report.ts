/**
 * Turns a run's {@linkcode Results} into the one markdown table, the list of
 * targets (met or not, and what stands in the way), the conclusions and
 * bench/RESULTS.md. Every sentence that states a figure computes it here, so
 * a rerun never leaves stale prose behind.
 *
 * @module
 */

import { bigSection } from "./big_report.ts";
import type { FragResult, Results, Split } from "./results.ts";

/** One row of the table. */
export interface Row {
  section: string;
  measure: string;
  ours: string;
  reference: string;
  ratio: string;
  target: string;
  met: string;
}

/** One performance target, as measured. */
export interface Target {
  label: string;
  /** The measured figure in the target's unit (a ratio, a count, bytes). */
  value: number;
  limit: number;
  /** `<` instead of `≤`. */
  strict?: boolean;
  unit: string;
  met: boolean;
  /** Why it is not met, from the figures (empty when met). */
  why: string;
}

// --- formatting -----------------------------------------------------------

/** Three significant digits, plain notation. */
export const sig = (value: number): string => {
  if (!isFinite(value) || value == 0) return String(value);
  const abs = Math.abs(value);
  const digits = abs >= 100 ? 0 : abs >= 10 ? 1 : abs >= 1 ? 2 : 3;
  return value.toFixed(digits);
};

/** Nanoseconds, switching to µs and ms when large. */
export const time = (ns: number): string =>
  ns >= 1e6
    ? `${sig(ns / 1e6)}\u00a0ms`
    : ns >= 1e3
    ? `${sig(ns / 1e3)}\u00a0µs`
    : `${sig(ns)}\u00a0ns`;

/** Milliseconds. */
export const ms = (value: number): string => `${sig(value)}\u00a0ms`;

/** A ratio, `2.45×`. */
export const times = (ratio: number): string => `${sig(ratio)}×`;

/** An integer in groups of three, joined by a narrow no-break space. */
export const int = (value: number): string =>
  Math.round(value).toString().replace(/\B(?=(\d{3})+(?!\d))/g, "\u202f");

/** Bytes as B, KiB or MiB. */
export const bytes = (value: number): string =>
  value >= 1 << 20
    ? `${sig(value / (1 << 20))}\u00a0MiB`
    : value >= 10 << 10
    ? `${sig(value / 1024)}\u00a0KiB`
    : `${int(value)}\u00a0B`;

/** A table's "Met" cell. */
export const yes = (met: boolean) => met ? "yes" : "**no**";

/** A target's figure or limit in its unit: `31.1× floor (b)`, `19 calls`. */
export const inUnit = (target: Target, value: number): string =>
  target.unit == ""
    ? sig(value)
    : target.unit.startsWith("×")
    ? `${sig(value)}${target.unit}`
    : `${int(value)}\u00a0${target.unit}`;

/** `≤ 1.50× floor (b)` or `< 1.00×`. */
export const limitOf = (target: Target): string =>
  `${target.strict ? "<" : "≤"} ${inUnit(target, target.limit)}`;

/** `deno` → `Deno`: the runtime a pressure run used. */
const runtimeName = (runtime: string): string =>
  ({ bun: "Bun (JSC)", firefox: "Firefox (SpiderMonkey)" })[runtime] ??
    runtime[0].toUpperCase() + runtime.slice(1);

// --- the table --------------------------------------------------------------

/** The fragmentation results of one trace, ours first. */
const fragOf = (results: Results, trace: string) =>
  results.frag.filter((result) => result.trace == trace);

/** Peak mem ÷ peak live. */
const memRatio = (result: FragResult) => result.peakMem / result.peakLive;

/** Peak high-water mark ÷ peak live. */
const highRatio = (result: FragResult) => result.highWater / result.peakLive;

/** The peer with the lowest peak mem ÷ peak live on a trace. */
const bestPeer = (results: Results, trace: string): FragResult =>
  fragOf(results, trace).filter((result) =>
    !result.allocator.startsWith("lewd")
  )
    .reduce((best, result) =>
      memRatio(result) < memRatio(best) ? result : best
    );

const lewdOn = (results: Results, trace: string): FragResult =>
  fragOf(results, trace).find((result) => result.allocator == "lewd")!;

/** The ops result with `live` spans. */
const opsAt = (results: Results, live: number) =>
  results.ops.find((result) => result.live == live)!;

const medianOf = (values: number[]) => {
  const sorted = values.slice().sort((a, b) => a - b);
  const mid = sorted.length >>> 1;
  return sorted.length % 2 ? sorted[mid] : (sorted[mid - 1] + sorted[mid]) / 2;
};

/** The core alone on a heap of `live` spans (or the nearest measured). */
const coreAt = (results: Results, live: number) =>
  results.core.heaps.reduce((best, heap) =>
    Math.abs(heap.live - live) < Math.abs(best.live - live) ? heap : best
  );

/**
 * What alloc costs beyond floor (b) and the core's take measured alone: the
 * facade's own work, and whatever makes the core slower inside the real heap
 * (between JS allocations and collections) than alone.
 */
const rest = (results: Results, live: number) => {
  const ops = opsAt(results, live);
  return Math.max(
    0,
    ops.ns.allocToken - ops.ns.floorB - coreAt(results, live).ns.take,
  );
};

/** "3.9 µs at 1 000, 524 ns at 100 000, …": the rest, by heap size. */
const restByLive = (results: Results) =>
  results.ops.map((ops) =>
    `${time(rest(results, ops.live))} at ${int(ops.live)}`
  ).join(", ");

/** Node ÷ Deno for `alloc(size, token)` (separate processes, same bundle). */
const runtimeRatio = (results: Results) => {
  const node = medianOf(results.runtimes.node.map((r) => r.ns.allocToken));
  const deno = medianOf(results.runtimes.deno.map((r) => r.ns.allocToken));
  const nodeFloor = medianOf(results.runtimes.node.map((r) => r.ns.floorB));
  const denoFloor = medianOf(results.runtimes.deno.map((r) => r.ns.floorB));
  return { node, deno, nodeFloor, denoFloor, ratio: node / deno };
};

const TRACES = ["uniform", "log-uniform", "phase"];

/** Short names for the peers in table cells. */
const short = (name: string) => name.replace("@thi.ng/malloc", "thi.ng");

/** Every performance target with its measured value and, if missed, why. */
export const targets = (results: Results): Target[] => {
  const at100k = opsAt(results, 100_000);
  const scale = results.ops.map((r) => r.live).sort((a, b) => a - b);
  const first = opsAt(results, scale[0]);
  const last = opsAt(results, scale.at(-1)!);
  const core100k = coreAt(results, at100k.live);
  const coreFirst = results.core.heaps[0];
  const coreLast = results.core.heaps.at(-1)!;
  const churn = results.churn;
  const lewd = churn.ns["lewd"];
  const floor = churn.ns["floor (b)"];
  const dlFR = churn.ns["dlmalloc + FR"];
  const dlFree = churn.ns["dlmalloc, free"];
  const runtimes = runtimeRatio(results);
  const list: Target[] = [];
  const add = (target: Omit<Target, "met" | "why">, why: () => string) => {
    const met = target.strict
      ? target.value < target.limit
      : target.value <= target.limit;
    list.push({ ...target, met, why: met ? "" : why() });
  };

  add(
    {
      label: `alloc(size, token), ${int(at100k.live)} live spans`,
      value: at100k.ratio.allocToken_floorB,
      limit: 1.5,
      unit: "× floor (b)",
    },
    () =>
      `alloc costs ${time(at100k.ns.allocToken)} against ${
        time(at100k.ns.floorB)
      } for floor (b): ${
        time(at100k.ns.allocToken - at100k.ns.floorB)
      } more per call. The core's take alone, on a heap of the same shape, costs ${
        time(core100k.ns.take)
      } at ${int(core100k.live)} free spans (${time(coreFirst.ns.take)} at ${
        int(coreFirst.live)
      }), while its peek costs ${
        time(core100k.ns.peek)
      }: finding the fit is cheap, updating the index (unlinking the span, relinking the rest) is not. What floor (b) and the core's take alone leave unexplained (the facade, and the core running colder in the real heap) is ${
        restByLive(results)
      } live spans.`,
  );
  add(
    {
      label: `scratch alloc(size), ${int(at100k.live)} free spans`,
      value: at100k.ratio.allocScratch_floorB,
      limit: 0.5,
      unit: "× floor (b)",
    },
    () =>
      `scratch costs ${time(at100k.ns.allocScratch)}; the core's peek alone ${
        time(core100k.ns.peek)
      } and an empty call ${time(at100k.ns.floorA)}.`,
  );
  add(
    {
      label: "churn with GC vs the floor (b) loop",
      value: churn.ratio.lewd_floor,
      limit: 1.3,
      unit: "×",
    },
    () =>
      `per op, ours spends ${time(lewd.loop)} in the loop and ${
        time(lewd.finalizers)
      } in finalizers, the floor ${time(floor.loop)} and ${
        time(floor.finalizers)
      }; gc() takes ${time(lewd.gc)} and ${time(floor.gc)}.`,
  );
  add(
    {
      label: "churn with GC vs dlmalloc + FinalizationRegistry",
      value: churn.ratio.lewd_dlmallocFR,
      limit: 1,
      strict: true,
      unit: "×",
    },
    () =>
      `per op: loop ${time(lewd.loop)} vs ${time(dlFR.loop)}, finalizers ${
        time(lewd.finalizers)
      } vs ${time(dlFR.finalizers)}, gc() ${time(lewd.gc)} vs ${
        time(dlFR.gc)
      }. dlmalloc's own malloc + free costs ${
        time(dlFree.loop)
      } (explicit-free run), so its finalizer path is mostly the registry's; ours frees in the core (${
        time(core100k.ns.free)
      } per free at ${int(core100k.live)} spans, core alone).`,
  );
  add(
    {
      label: "JS heap per live allocation vs registry alone",
      value: results.heap.ratio,
      limit: 1.2,
      unit: "×",
    },
    () =>
      `${sig(results.heap.bytes.alloc)} B per allocation vs ${
        sig(results.heap.bytes.registry)
      } B per registration.`,
  );
  add(
    {
      label: `mem.grow calls, empty heap to ${
        int(results.growth.count)
      } allocs`,
      value: results.growth.lewd.grows,
      limit: 20,
      unit: "calls",
    },
    () =>
      `growth by +50% from one page needs ${results.growth.lewd.grows} steps to reach ${
        bytes(results.growth.lewd.memBytes)
      }.`,
  );
  add(
    {
      label: "alloc(size, token) on Node vs Deno",
      value: runtimes.ratio,
      limit: 2,
      unit: "×",
    },
    () =>
      `Node ${time(runtimes.node)} vs Deno ${
        time(runtimes.deno)
      } per alloc; floor (b) ${time(runtimes.nodeFloor)} vs ${
        time(runtimes.denoFloor)
      }.`,
  );
  add(
    {
      label: `scaling: ${int(last.live)} vs ${int(first.live)} live spans`,
      value: last.ns.allocToken / first.ns.allocToken,
      limit: 1.5,
      unit: "× per op",
    },
    () =>
      `alloc costs ${time(first.ns.allocToken)}, ${
        results.ops.slice(1, -1).map((r) =>
          `${time(r.ns.allocToken)} at ${int(r.live)}`
        ).join(", ")
      } and ${time(last.ns.allocToken)} at ${
        int(last.live)
      }. The core's take alone goes from ${time(coreFirst.ns.take)} to ${
        time(coreLast.ns.take)
      } (peek: ${time(coreFirst.ns.peek)} to ${
        time(coreLast.ns.peek)
      }); its records take 8 B per 16-byte block, ${
        bytes(last.memBytes / 2)
      } at ${
        int(last.live)
      } spans, so each step down the index is likely a cache miss. What floor (b) and the core's take alone leave unexplained is ${
        restByLive(results)
      } live spans.`,
  );
  const logUniform = lewdOn(results, "log-uniform");
  add(
    {
      label: "fragmentation, log-uniform: peak mem ÷ peak live",
      value: memRatio(logUniform),
      limit: 1.04,
      unit: "",
    },
    () =>
      `placement is tight — the high-water mark is ${
        sig(highRatio(logUniform))
      }× peak live — but mem grows in +50% steps, so at the peak it held ${
        bytes(logUniform.peakMem)
      } for ${bytes(logUniform.peakLive)} live; trim() at the end gives ${
        bytes(logUniform.trimmedBytes ?? 0)
      } for ${bytes(logUniform.finalLive)} live.`,
  );
  for (const trace of TRACES) {
    const ours = lewdOn(results, trace);
    const best = bestPeer(results, trace);
    add(
      {
        label: `fragmentation, ${trace}: no worse than the best peer`,
        value: memRatio(ours) / memRatio(best),
        limit: 1,
        unit: `× ${short(best.allocator)}`,
      },
      () =>
        `peak mem ÷ peak live is ${sig(memRatio(ours))} against ${
          sig(memRatio(best))
        } for ${best.allocator}, which grows page by page (${
          int(best.grows)
        } grows); our high-water mark is ${sig(highRatio(ours))} against ${
          sig(highRatio(best))
        }: the gap is growth headroom, not placement.`,
    );
  }
  for (const { runtime, free, forced, unpaced } of results.pressure ?? []) {
    const name = runtimeName(runtime);
    add(
      {
        label: `pressure: ${name}, peak mem ÷ peak live, no gc()`,
        value: Number(free.ratio),
        limit: 2,
        unit: "× live",
      },
      () =>
        `${free.peakMemMiB} MiB of mem for ${free.peakLiveMiB} MiB live${
          forced
            ? ` (${forced.ratio}× with gc() every ${
              int(Number(forced.gcEvery))
            } operations)`
            : ""
        }${
          unpaced
            ? `, ${unpaced.ratio}× with the pacing taken out: only V8 answers the nudge, so here mem follows the engine's own collections; bench/gc/FINDINGS.md has the figures.`
            : ": the collections that the nudge starts end later than forced ones, and mem grows by half at a time meanwhile; bench/gc/FINDINGS.md has the mechanics."
        }`,
    );
    if (forced) {
      add(
        {
          label: `pressure: ${name}, busy time per operation vs forced gc()`,
          value: free.busyNsPerOp / forced.busyNsPerOp,
          limit: 1.3,
          unit: "× forced",
        },
        () =>
          `${time(free.busyNsPerOp)} per operation against ${
            time(forced.busyNsPerOp)
          } with gc() every ${int(Number(forced.gcEvery))} operations.`,
      );
    }
  }
  for (const trim of results.trim) {
    add(
      {
        label: `trim() after 64 MiB, ${
          trim.keepMiB ? `${trim.keepMiB} MiB kept` : "all released"
        }`,
        value: trim.ratio,
        limit: 1.1,
        unit: "× create + copy",
      },
      () =>
        `trim() took ${ms(trim.ms.trim)} against ${
          ms(trim.ms.bare)
        } for a bare Memory of ${bytes(trim.keptBytes)} and the copy.`,
    );
  }
  const { core, pkg, allocOnly } = results.sizes;
  add(
    {
      label: "size: whole package, min+gzip",
      value: pkg.gzip,
      limit: 1700,
      unit: "B",
    },
    () =>
      `${int(pkg.gzip)} B, of which the core is ${
        int(core.raw)
      } B of wasm embedded as a latin1 string (gzip ${
        int(core.gzip)
      } B alone).`,
  );
  add(
    {
      label: "size: alloc-only consumer, min+gzip",
      value: allocOnly.gzip,
      limit: 1400,
      unit: "B",
    },
    () =>
      `${int(allocOnly.gzip)} B; the embedded core is ${
        int(core.raw)
      } B of it before embedding and gzip.`,
  );
  add(
    {
      label: "size: core .wasm",
      value: core.raw,
      limit: 1200,
      unit: "B",
    },
    () =>
      `${int(core.raw)} B (the hard limit, 4\u202fKiB, is ${
        core.raw < 4096 ? "met" : "**not met**"
      }).`,
  );
  return list;
};

/** The one markdown table. */
export const rows = (results: Results): Row[] => {
  const list: Row[] = [];
  const row = (
    section: string,
    measure: string,
    ours: string,
    reference = "",
    ratio = "",
    target = "",
    met = "",
  ) => list.push({ section, measure, ours, reference, ratio, target, met });
  const t = targets(results);
  const goal = (label: string) => t.find((target) => target.label == label)!;
  const lim = limitOf;
  const at100k = opsAt(results, 100_000);

  row(
    "floor",
    "(a) empty exported WASM call",
    time(at100k.ns.floorA),
    "",
    "",
  );
  row(
    "floor",
    "(b) (a) + register of a fresh object",
    time(at100k.ns.floorB),
    "",
    `${times(at100k.ratio.floorB_floorA)} (a)`,
  );
  const allocGoal = goal(`alloc(size, token), ${int(at100k.live)} live spans`);
  row(
    "ops",
    `alloc(size, token), fresh tokens, ${int(at100k.live)} live spans`,
    time(at100k.ns.allocToken),
    `floor (b) ${time(at100k.ns.floorB)}`,
    times(allocGoal.value),
    lim(allocGoal),
    yes(allocGoal.met),
  );
  const scratchGoal = goal(
    `scratch alloc(size), ${int(at100k.live)} free spans`,
  );
  row(
    "ops",
    `scratch alloc(size), ${int(at100k.live)} free spans`,
    time(at100k.ns.allocScratch),
    `floor (b) ${time(at100k.ns.floorB)}`,
    times(scratchGoal.value),
    lim(scratchGoal),
    yes(scratchGoal.met),
  );
  for (const heap of results.core.heaps) {
    row(
      "core alone",
      `take / free / peek, ${int(heap.live)} free spans`,
      `${time(heap.ns.take)} / ${time(heap.ns.free)} / ${time(heap.ns.peek)}`,
      "no facade, registry or GC",
    );
  }

  const churn = results.churn;
  const split = (s: Split) =>
    `${time(s.total)} (loop ${time(s.loop)}, gc ${time(s.gc)}, fin ${
      time(s.finalizers)
    })`;
  const churnGoal = goal("churn with GC vs the floor (b) loop");
  const cadence = `${int(churn.live)} live, gc() every ${int(churn.batch)} ops`;
  row(
    "churn",
    `alloc + free per op, ${cadence}`,
    split(churn.ns["lewd"]),
    `floor (b) loop ${split(churn.ns["floor (b)"])}`,
    times(churnGoal.value),
    lim(churnGoal),
    yes(churnGoal.met),
  );
  row(
    "churn",
    "the same, without the gc() calls",
    time(churn.ns["lewd"].loop + churn.ns["lewd"].finalizers),
    `floor (b) ${
      time(churn.ns["floor (b)"].loop + churn.ns["floor (b)"].finalizers)
    }`,
    times(churn.ratio.lewd_floor_noGc),
  );
  const dlGoal = goal("churn with GC vs dlmalloc + FinalizationRegistry");
  row(
    "churn",
    "vs dlmalloc + FinalizationRegistry",
    time(churn.ns["lewd"].total),
    `dlmalloc + FR ${split(churn.ns["dlmalloc + FR"])}`,
    times(dlGoal.value),
    lim(dlGoal),
    yes(dlGoal.met),
  );
  row(
    "churn",
    "vs talc + FinalizationRegistry",
    time(churn.ns["lewd"].total),
    `talc + FR ${split(churn.ns["talc + FR"])}`,
    times(churn.ratio.lewd_talcFR),
  );
  row(
    "churn",
    `vs @thi.ng/malloc + FinalizationRegistry (first ${
      int(churn.thingOps)
    } ops)`,
    time(churn.ns["lewd"].total),
    `thi.ng + FR ${split(churn.ns["@thi.ng/malloc + FR"])}`,
    times(churn.ratio.lewd_thingFR),
  );
  for (const name of ["dlmalloc, free", "talc, free", "@thi.ng/malloc, free"]) {
    row(
      "churn",
      `${short(name)} (explicit, no tokens, no GC)`,
      "",
      time(churn.ns[name].total),
      name.startsWith("dlmalloc")
        ? `ours ${times(churn.ratio.lewd_dlmallocFree)}`
        : "",
    );
  }
  row(
    "churn",
    "our peak mem during churn",
    bytes(churn.lewdPeakMemBytes),
  );

  const heapGoal = goal("JS heap per live allocation vs registry alone");
  row(
    "memory",
    `JS heap per live allocation (${int(results.heap.count)} live)`,
    `${sig(results.heap.bytes.alloc)} B`,
    `registry alone ${sig(results.heap.bytes.registry)} B`,
    times(heapGoal.value),
    lim(heapGoal),
    yes(heapGoal.met),
  );
  const growth = results.growth;
  const growGoal = t.find((target) => target.label.startsWith("mem.grow"))!;
  row(
    "growth",
    `mem.grow calls, empty heap to ${
      int(growth.count)
    } allocations (16–1024 B)`,
    `${growth.lewd.grows} (mem ${bytes(growth.lewd.memBytes)})`,
    growth.peers.map((peer) =>
      `${peer.name} ≥ ${int(peer.grows)} (${bytes(peer.memBytes)})`
    ).join(", "),
    `${sig(growth.lewd.memBytes / growth.liveBytes)}× live`,
    lim(growGoal),
    yes(growGoal.met),
  );
  const runtimes = runtimeRatio(results);
  const nodeGoal = goal("alloc(size, token) on Node vs Deno");
  row(
    "node",
    `alloc(size, token) on ${results.env.node} vs Deno, ${
      int(results.runtimes.node[0].live)
    } live`,
    `Node ${time(runtimes.node)}`,
    `Deno ${time(runtimes.deno)}`,
    times(nodeGoal.value),
    lim(nodeGoal),
    yes(nodeGoal.met),
  );

  for (const ops of results.ops) {
    row(
      "scaling",
      `alloc(size, token), ${int(ops.live)} live spans`,
      time(ops.ns.allocToken),
      `floor (b) ${time(ops.ns.floorB)}, core take ${
        time(coreAt(results, ops.live).ns.take)
      }, rest ${time(rest(results, ops.live))}`,
      `${times(ops.ratio.allocToken_floorB)} (b)`,
    );
  }
  const scaleGoal = t.find((target) => target.label.startsWith("scaling"))!;
  const [first, last] = [results.ops[0], results.ops.at(-1)!];
  row(
    "scaling",
    `alloc(size, token) per op, ${int(last.live)} vs ${int(first.live)} live`,
    `${time(last.ns.allocToken)} vs ${time(first.ns.allocToken)}`,
    `floor (b) ${times(last.ns.floorB / first.ns.floorB)}`,
    times(scaleGoal.value),
    lim(scaleGoal),
    yes(scaleGoal.met),
  );
  const [coreFirst, coreLast] = [
    results.core.heaps[0],
    results.core.heaps.at(-1)!,
  ];
  row(
    "scaling",
    `core take alone, ${int(coreLast.live)} vs ${int(coreFirst.live)} spans`,
    `${time(coreLast.ns.take)} vs ${time(coreFirst.ns.take)}`,
    `peek ${time(coreLast.ns.peek)} vs ${time(coreFirst.ns.peek)}`,
    times(results.core.ratio.take_last_first),
  );

  for (const trace of TRACES) {
    const ours = lewdOn(results, trace);
    const peers = fragOf(results, trace).filter((r) =>
      !r.allocator.startsWith("lewd")
    );
    const best = bestPeer(results, trace);
    const bestGoal = goal(
      `fragmentation, ${trace}: no worse than the best peer`,
    );
    row(
      "fragmentation",
      `${trace}: peak mem ÷ peak live (${bytes(ours.peakLive)})`,
      sig(memRatio(ours)),
      peers.map((p) => `${short(p.allocator)} ${sig(memRatio(p))}`).join(", "),
      `${times(bestGoal.value)} ${short(best.allocator)}`,
      lim(bestGoal),
      yes(bestGoal.met),
    );
    if (trace == "log-uniform") {
      const tight = goal("fragmentation, log-uniform: peak mem ÷ peak live");
      row(
        "fragmentation",
        "log-uniform: peak mem ÷ peak live",
        sig(memRatio(ours)),
        "",
        "",
        lim(tight),
        yes(tight.met),
      );
    }
    row(
      "fragmentation",
      `${trace}: high-water mark ÷ peak live`,
      sig(highRatio(ours)),
      peers.map((p) => `${short(p.allocator)} ${sig(highRatio(p))}`).join(
        ", ",
      ),
    );
    // The placement policies (mod.ts's `policy`), if this run measured them.
    const policies = ["lewd first fit", "lewd next fit"]
      .map((name) => fragOf(results, trace).find((r) => r.allocator == name))
      .filter((r): r is FragResult => r !== undefined);
    if (policies.length) {
      row(
        "policies",
        `${trace}: peak mem ÷ peak live; high-water; replay time`,
        `best fit ${sig(memRatio(ours))}; ${sig(highRatio(ours))}; ${
          ms(ours.ms)
        }`,
        policies.map((r) =>
          `${r.allocator.slice(5)} ${sig(memRatio(r))}; ${sig(highRatio(r))}; ${
            ms(r.ms)
          }`
        ).join(" · "),
      );
    }
    row(
      "fragmentation",
      `${trace}: mem after trim() ÷ final live`,
      `${sig((ours.trimmedBytes ?? 0) / ours.finalLive)} (${
        bytes(ours.trimmedBytes ?? 0)
      })`,
      "peers cannot shrink a wasm memory",
    );
  }

  for (const { runtime, free, forced, unpaced } of results.pressure ?? []) {
    const name = runtimeName(runtime);
    const peak = goal(`pressure: ${name}, peak mem ÷ peak live, no gc()`);
    row(
      "pressure",
      `${name}: peak mem ÷ peak live, churn without gc(), ${int(free.ops)} ops`,
      `${free.ratio}× (${free.peakMemMiB} MiB)`,
      forced
        ? `gc() every ${
          int(Number(forced.gcEvery))
        }: ${forced.ratio}× (${forced.peakMemMiB} MiB)`
        : unpaced
        ? `no pacing: ${unpaced.ratio}× (${unpaced.peakMemMiB} MiB)`
        : "no forced figure (needs a flag)",
      "",
      lim(peak),
      yes(peak.met),
    );
    if (free.floorMiB) {
      row(
        "pressure",
        `${name}: floor ÷ peak live (live + bytes allocated between yields)`,
        `${free.floorRatio}× (${free.floorMiB} MiB)`,
        "the least mem could be if finalizers ran at every yield",
      );
    }
    if (forced) {
      const cost = goal(
        `pressure: ${name}, busy time per operation vs forced gc()`,
      );
      row(
        "pressure",
        `${name}: time per op without gc() (busy; wall)`,
        `${time(free.busyNsPerOp)}; ${time(free.nsPerOp)}`,
        `gc() every ${int(Number(forced.gcEvery))}: ${
          time(forced.busyNsPerOp)
        }; ${time(forced.nsPerOp)}`,
        `${times(cost.value)}; ${times(free.nsPerOp / forced.nsPerOp)}`,
        lim(cost),
        yes(cost.met),
      );
    } else if (unpaced) {
      row(
        "pressure",
        `${name}: time per op without gc() (busy; wall)`,
        `${time(free.busyNsPerOp)}; ${time(free.nsPerOp)}`,
        `no pacing: ${time(unpaced.busyNsPerOp)}; ${time(unpaced.nsPerOp)}`,
        `${times(free.busyNsPerOp / unpaced.busyNsPerOp)}; ${
          times(free.nsPerOp / unpaced.nsPerOp)
        }`,
      );
    } else {
      row(
        "pressure",
        `${name}: time per op without gc() (busy; wall)`,
        `${time(free.busyNsPerOp)}; ${time(free.nsPerOp)}`,
      );
    }
  }

  for (const trim of results.trim) {
    const label = `trim() after 64 MiB, ${
      trim.keepMiB ? `${trim.keepMiB} MiB kept` : "all released"
    }`;
    const trimGoal = goal(label);
    row(
      "trim",
      `${label} (releases ${bytes(trim.releasedBytes)})`,
      ms(trim.ms.trim),
      `new Memory(${bytes(trim.keptBytes)}) + copy ${ms(trim.ms.bare)}`,
      times(trimGoal.value),
      lim(trimGoal),
      yes(trimGoal.met),
    );
  }

  const { core, pkg, allocOnly, peers } = results.sizes;
  const sizeRow = (label: string, size: typeof core, goalLabel: string) => {
    const target = goal(goalLabel);
    row(
      "size",
      label,
      `${int(size.raw)} B (gzip ${int(size.gzip)} B)`,
      size.what,
      "",
      lim(target),
      yes(target.met),
    );
  };
  sizeRow("core .wasm (embedded)", core, "size: core .wasm");
  if (results.sizes.ext) {
    const { ext } = results.sizes;
    row(
      "size",
      "core extension .wasm (embedded)",
      `${int(ext.raw)} B (gzip ${int(ext.gzip)} B)`,
      ext.what,
    );
  }
  sizeRow(
    "mod.ts, esbuild --bundle --minify",
    pkg,
    "size: whole package, min+gzip",
  );
  sizeRow(
    "consumer importing only alloc",
    allocOnly,
    "size: alloc-only consumer, min+gzip",
  );
  for (const peer of peers) {
    row(
      "size",
      `peer: ${peer.name}`,
      "",
      `${int(peer.raw)} B (gzip ${int(peer.gzip)} B), ${peer.what}`,
    );
  }
  return list;
};

/** Renders rows as one markdown table. */
export const markdownTable = (list: Row[]): string => {
  const head =
    "| Section | Measure | LEWD | Reference | Ratio | Target | Met |\n" +
    "|---|---|---|---|---|---|---|\n";
  const escape = (cell: string) => cell.replaceAll("|", "\\|");
  return head +
    list.map((r) =>
      `| ${
        [r.section, r.measure, r.ours, r.reference, r.ratio, r.target, r.met]
          .map(escape).join(" | ")
      } |`
    ).join("\n") + "\n";
};

/** Plain conclusions, every figure computed from this run. */
export const conclusions = (results: Results): string[] => {
  const t = targets(results);
  const met = t.filter((target) => target.met).length;
  const churn = results.churn;
  const ns = churn.ns;
  const gcShare = ns["floor (b)"].gc / ns["floor (b)"].total;
  const sizes = results.sizes;
  const peerSize = (name: string) =>
    sizes.peers.find((peer) => peer.name.startsWith(name))!;
  const frag = TRACES.map((trace) => ({
    trace,
    ours: lewdOn(results, trace),
    best: bestPeer(results, trace),
  }));
  const placement = frag.every(({ trace, ours }) =>
    fragOf(results, trace).every((r) => highRatio(ours) <= highRatio(r))
  );
  const at100k = opsAt(results, 100_000);
  return [
    `${met} of ${t.length} targets are met on this run; the misses are listed above with the figures that explain them.`,
    `If you can free explicitly, link a WASM-side allocator: dlmalloc costs ${
      time(ns["dlmalloc, free"].total)
    } and talc ${
      time(ns["talc, free"].total)
    } per malloc + free in the churn trace, far below any GC-driven scheme, ours included (${
      time(ns["lewd"].total)
    }).`,
    `If lifetimes follow JS objects, the garbage collector is the bill: gc() is ${
      Math.round(gcShare * 100)
    }% of even the floor's time per op at this cadence. Ours runs at ${
      times(churn.ratio.lewd_floor)
    } the floor, dlmalloc + FinalizationRegistry at ${
      times(churn.ratio.dlmallocFR_floor)
    }, talc + FinalizationRegistry at ${times(churn.ratio.talcFR_floor)}.`,
    `One alloc(size, token) costs ${
      times(at100k.ratio.allocToken_floorB)
    } floor (b) at ${
      int(at100k.live)
    } live spans; a scratch alloc(size) costs ${
      times(at100k.ratio.allocScratch_floorB)
    }. Per call, ours ${
      at100k.ns.allocToken < at100k.ns.floorB * 1.5 ? "is" : "is not yet"
    } close to the floor.`,
    scalingNote(results),
    placement
      ? `Placement is the tightest of the four: our high-water mark is at or below every peer's on every trace (${
        frag.map(({ trace, ours }) => `${trace} ${sig(highRatio(ours))}`).join(
          ", ",
        )
      }). The memory we hold at the peak is higher (${
        frag.map(({ trace, ours }) => `${trace} ${sig(memRatio(ours))}`).join(
          ", ",
        )
      }) because mem grows by half its size at a time; trim() gives the headroom back.`
      : `Placement: our high-water mark ÷ peak live is ${
        frag.map(({ trace, ours }) => `${trace} ${sig(highRatio(ours))}`).join(
          ", ",
        )
      }; peak mem ÷ peak live ${
        frag.map(({ trace, ours }) => `${trace} ${sig(memRatio(ours))}`).join(
          ", ",
        )
      }.`,
    `If all you care about is size: our whole package is ${
      int(sizes.pkg.gzip)
    } B min+gzip (${int(sizes.allocOnly.gzip)} B for alloc alone), talc ${
      int(peerSize("talc").gzip)
    } B and dlmalloc ${
      int(peerSize("dlmalloc").gzip)
    } B of gzipped wasm (plus whatever JS you write to drive them), @thi.ng/malloc ${
      int(peerSize("@thi.ng").gzip)
    } B min+gzip.`,
    `@thi.ng/malloc walks linked lists on every call: ${
      time(ns["@thi.ng/malloc, free"].total)
    } per malloc + free with ${
      int(churn.live)
    } live allocations. It is a fine arena for a few hundred, not a heap.`,
  ];
};

/**
 * What the scaling target hides: the per-op ratio of the largest to the
 * smallest heap, and how the core alone and the rest each scale.
 */
const scalingNote = (results: Results): string => {
  const [first, last] = [results.ops[0], results.ops.at(-1)!];
  const ratio = last.ns.allocToken / first.ns.allocToken;
  const core = results.core.ratio.take_last_first;
  const flattered = rest(results, first.live) > rest(results, last.live);
  return `Scaling: alloc costs ${times(ratio)} per op at ${
    int(last.live)
  } live spans what it costs at ${
    int(first.live)
  }, while the core's take alone costs ${times(core)}${
    flattered
      ? `; the ratio ${
        ratio <= 1.5 ? "meets its target only" : "is lower"
      } because the rest (the facade, mostly) is slowest on the smallest heap (${
        restByLive(results)
      } live spans beyond floor (b) and take)`
      : ""
  }.`;
};

/** bench/RESULTS.md. */
export const resultsMarkdown = (
  results: Results,
  table: string,
  chart: string,
): string => {
  const env = results.env;
  const t = targets(results);
  const missed = t.filter((target) => !target.met);
  const churn = results.churn;
  return `# Benchmarks

Written by \`deno task bench\` (bench/run.ts) on ${env.date}. Do not edit: rerun.

- **Machine**: ${env.cpu}, ${env.cores} cores, ${env.memory}; ${env.os}; load average ${env.load}
- **Runtimes**: ${env.deno}; ${env.node}
- **Toolchains**: ${env.rustc}; esbuild ${env.esbuild}
- **Peers**: ${env.crates} (crates.io, bench/peers/); ${env.npm} (npm)
- **Code**: ${env.commit}

Timings on a shared 2-core machine are noisy: every figure is a median of
several rounds, every comparison a ratio measured in the same process and
round, and only the ratios are worth quoting.

## Results

${table}
${
    results.sizes.extensions
      ? `## Size of each extension

${results.sizes.extensions}

`
      : ""
  }${bigSection(results)}## Picture

![Targets, churn, fragmentation and size](${chart})

## Targets not met, and why

${
    missed.length
      ? missed.map((target) =>
        `- **${target.label}**: ${inUnit(target, target.value)}, target ${
          limitOf(target)
        }. ${target.why[0].toUpperCase()}${target.why.slice(1)}`
      ).join("\n")
      : "All targets are met."
  }

## How it was measured

- **One heap per process.** The scenarios measure \`mod.ts\`'s default heap
  (its exports), one per isolate, so each scenario in
  \`bench/scenarios/\` runs in its own \`deno run --v8-flags=--expose-gc\`
  process and prints one JSON line; \`bench/run.ts\` runs them and builds this
  page. Inside a process, the variants being compared run in a shuffled order
  every round, each timed loop after an untimed run of itself.
- **The floor.** (a) is a hand-written one-function module,
  \`(func (param i32) (result i32) local.get 0)\`; (b) is (a) plus
  \`FinalizationRegistry.prototype.register\` of a fresh object with (a)'s
  result as held value, in a registry whose callback calls (a).
- **Ops and scaling** (\`ops.ts\`): 2 × N spans of 16–256 B, every other token
  dropped and collected, leaves N live spans with N free spans between them.
  Each round times 10 000 calls with fresh tokens; a full \`gc()\` before and
  the finalizers after (untimed) put the heap back. Scratch and floor (a)
  loops change nothing and run ten times longer. \`core.ts\` builds the same
  shape in bare instances of the embedded core (caches evicted before each
  loop) to split the cost; "rest" is alloc − floor (b) − the core's take
  alone: the facade's own work, plus whatever makes the core slower inside the
  real heap than alone.
- **Churn** (\`churn.ts\`): ${int(churn.live)} live allocations of 16–1024 B;
  each op drops a random one and allocates a replacement, from one seeded
  sequence for every variant. The token variants call \`gc()\` every ${
    int(churn.batch)
  } ops and
  wait (macrotask turns) until every finalizer has run; all of it is counted.
  The explicit-free peers free the dropped allocation directly. talc needs the
  size on free, so its held value packs address and size in one number.
  @thi.ng/malloc runs only the first ${
    int(churn.thingOps)
  } ops of the trace: it walks its lists on every call.
- **Frees for fragmentation** (\`frag.ts\`). Each trace is a list of steps
  (frees, then allocations). Ours holds each allocation's token in an array;
  a step's frees drop those references, then one \`gc()\` and macrotask turns
  until every one of the step's finalizers has run (counted by wrapping
  \`FinalizationRegistry\`), before the step's allocations. Freed spans merge
  at once, so the heap after a batch does not depend on the order the
  finalizers ran in: the replay is exact (${
    results.frag.reduce((sum, r) => sum + r.stragglers, 0)
  } tokens in this run outlived their step's collection). The peers free explicitly, in trace
  order. Peak mem is \`mem\`'s size for us, the memory above \`__heap_base\` for
  the wasm peers, and the high-water \`top\` of @thi.ng/malloc's fixed pool;
  the high-water mark is the highest end of any allocation.
- **Growth** (\`growth.ts\`): \`WebAssembly.Memory.prototype.grow\` is wrapped
  before \`mod.ts\` is imported. The wasm peers grow from inside, so their
  count is the number of allocations after which the memory's size changed.
- **Node** runs the same \`ops.ts\`, bundled by esbuild, alternating with Deno
  running that same bundle.
- **Trim** (\`trim.ts\`): each round fills 64 MiB in 64 KiB spans (every byte
  written), drops them, collects, then times \`trim()\` and the bare
  \`new WebAssembly.Memory\` + copy of the bytes trim keeps, alternating order.
- **JS heap** (\`heap.ts\`): \`Deno.memoryUsage().heapUsed\` after a full
  collection, before and after holding 100 000 existing tokens by
  \`register\` alone or by \`alloc(16, token)\`.
- **Size**: the core's bytes are decoded from \`lib/core.generated.ts\` at run
  time; esbuild ${env.esbuild} bundles and minifies (\`--format=esm\`), gzip
  is zlib level 9. Peer code sizes: bench/peers built with one allocator
  (\`opt-level = "z"\`, LTO, as the core) and run through the same binaryen
  passes as \`scripts/build_core.ts\`; @thi.ng/malloc's \`MemPool\` bundled and
  minified by esbuild.

## Conclusions

${conclusions(results).map((line) => `- ${line}`).join("\n")}
`;
};
