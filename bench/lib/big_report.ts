/**
 * The section of bench/RESULTS.md on the big core: its figures beside the
 * default core's, its targets, and, for each target it misses, why, from the
 * figures of the same run.
 *
 * @module
 */

import { bytes, int, sig, time, times, yes } from "./report.ts";
import type { FragResult, OpsResult, Results } from "./results.ts";

type Big = NonNullable<Results["big"]>;

/** One row of the section's table. */
interface BigRow {
  measure: string;
  big: string;
  base: string;
  ratio: string;
  target: string;
  met?: boolean;
}

/** Each target of the big core, with why it is missed when it is. */
interface BigTarget {
  label: string;
  met: boolean;
  why: string;
}

const opsOf = (big: Big, heap: "big" | "default", live: number): OpsResult =>
  big.ops.find((r) => r.heap == heap && r.live == live)!;

const heapOf = (big: Big, kind: "big" | "default", live: number) =>
  big.cores.heaps.find((h) => h.kind == kind && h.live == live)!;

/** The three ratios of a fragmentation trace, as the main table gives them. */
const fragFigures = (result: FragResult) =>
  `${sig(result.peakMem / result.peakLive)}; ${
    sig(result.highWater / result.peakLive)
  }; ${sig((result.trimmedBytes ?? 0) / result.finalLive)}`;

/** The rows and targets of the big core's section. */
export const bigFigures = (
  results: Results,
): { rows: BigRow[]; targets: BigTarget[] } => {
  const big = results.big!;
  const cores = big.cores;
  const rows: BigRow[] = [];
  const targets: BigTarget[] = [];
  const target = (label: string, met: boolean, why: () => string) =>
    targets.push({ label, met, why: met ? "" : why() });
  /** A random load among as many bytes as the big core's records at `live`. */
  const miss = (live: number) => cores.latency.find((l) => l.live == live)!.ns;

  const wasmMet = cores.coreBytes.big <= 2000;
  rows.push({
    measure: ".wasm size",
    big: `${int(cores.coreBytes.big)} B`,
    base: `${int(cores.coreBytes.default)} B`,
    ratio: "",
    target: "≤ 2 000 B",
    met: wasmMet,
  });
  target(".wasm size", wasmMet, () => "");

  const lives = cores.ratios.map((r) => r.live);
  for (const live of lives) {
    const [b, d] = [heapOf(big, "big", live), heapOf(big, "default", live)];
    const perSpanMet = b.memory.perSpan <= 48;
    const reused = b.memory.again.every((n) => n == b.memory.bytes);
    rows.push({
      measure: `core memory per span, ${int(live)} free + ${
        int(live)
      } used spans`,
      big: `${sig(b.memory.perSpan)} B (${bytes(b.memory.bytes)})`,
      base: `${sig(d.memory.perSpan)} B (${bytes(d.memory.bytes)})`,
      ratio: times(b.memory.perSpan / d.memory.perSpan),
      target: "≤ 48 B per span",
      met: perSpanMet,
    });
    rows.push({
      measure: `core memory after freeing all and rebuilding twice, ${
        int(live)
      }`,
      big: b.memory.again.map(bytes).join(", "),
      base: d.memory.again.map(bytes).join(", "),
      ratio: "",
      target: "the same bytes (reused)",
      met: reused,
    });
    target(
      `core memory at ${int(live)} free spans`,
      perSpanMet && reused,
      () =>
        `${sig(b.memory.perSpan)} B per span, ${
          b.memory.again.map(bytes).join(" and ")
        } after rebuilding`,
    );
  }

  for (const ratio of cores.ratios) {
    const [b, d] = [
      heapOf(big, "big", ratio.live),
      heapOf(big, "default", ratio.live),
    ];
    const goal = ratio.live >= 100_000;
    const met = ratio.take <= 0.5 && ratio.free <= 0.5;
    rows.push({
      measure: `core take / free / peek, ${int(ratio.live)} free spans`,
      big: `${time(b.ns.take)} / ${time(b.ns.free)} / ${time(b.ns.peek)}`,
      base: `${time(d.ns.take)} / ${time(d.ns.free)} / ${time(d.ns.peek)}`,
      ratio: `${times(ratio.take)} / ${times(ratio.free)} / ${
        times(ratio.peek)
      }`,
      target: goal ? "take, free ≤ 0.50×" : "",
      met: goal ? met : undefined,
    });
    if (!goal) continue;
    target(
      `core take and free at ${int(ratio.live)} free spans`,
      met,
      () => {
        const slow = ratio.free > 0.5 ? "free" : "take";
        const [bNs, dNs, load] = [b.ns[slow], d.ns[slow], miss(ratio.live)];
        return `${slow} costs ${time(bNs)} against the default core's ${
          time(dNs)
        } (${times(ratio[slow])}). A random read among ${
          bytes(b.memory.bytes)
        } (the big core's records here) costs ${
          time(load)
        } on this machine (a pointer chase), so half the default core's ${slow} is ${
          sig(dNs / load / 2)
        } of such reads, and a ${slow} of a span whose record left the cache must make at least one, to find that record among the others, before it relinks the rest (${
          sig(bNs / load)
        } reads' worth in all).`;
      },
    );
  }

  const churn = cores.churn;
  const churnMet = churn.bigOverDlmalloc <= 1;
  rows.push({
    measure: `churn trace, core alone (${int(churn.live)} live, ${
      int(churn.ops)
    } ops of 16–1 024 B)`,
    big: `${time(churn.ns.big)} per op`,
    base: `${time(churn.ns.default)} per op; dlmalloc malloc + free ${
      time(churn.ns.dlmalloc)
    }`,
    ratio: `${times(churn.bigOverDlmalloc)} dlmalloc (default ${
      times(churn.defaultOverDlmalloc)
    })`,
    target: "≤ 1.00× dlmalloc",
    met: churnMet,
  });
  target(
    "churn trace against dlmalloc",
    churnMet,
    () =>
      `the big core costs ${
        time(churn.ns.big)
      } per malloc + free against dlmalloc's ${time(churn.ns.dlmalloc)} (${
        times(churn.bigOverDlmalloc)
      }). With ${
        int(churn.live)
      } live spans every record is in the cache, so this is instructions: dlmalloc keeps each chunk's size and links in the memory it hands out, beside the data, and finds both neighbours of a freed chunk by address arithmetic; the core may not write into \`mem\`, so it finds a span and its neighbours through a hash table in its own memory.`,
  );

  const [low, high] = [
    Math.min(...big.ops.map((r) => r.live)),
    Math.max(
      ...big.ops.map((r) => r.live),
    ),
  ];
  const [bLow, bHigh] = [opsOf(big, "big", low), opsOf(big, "big", high)];
  const [dLow, dHigh] = [
    opsOf(big, "default", low),
    opsOf(big, "default", high),
  ];
  const scale = bHigh.ns.allocToken / bLow.ns.allocToken;
  const scaleMet = scale <= 2;
  rows.push({
    measure: `alloc(size, token), ${int(high)} vs ${int(low)} live spans`,
    big: `${time(bHigh.ns.allocToken)} vs ${time(bLow.ns.allocToken)}: ${
      times(scale)
    }`,
    base: `${time(dHigh.ns.allocToken)} vs ${time(dLow.ns.allocToken)}: ${
      times(dHigh.ns.allocToken / dLow.ns.allocToken)
    }`,
    ratio: `${times(bHigh.ns.allocToken / dHigh.ns.allocToken)} at ${
      int(high)
    }`,
    target: `≤ 2.00× its cost at ${int(low)}`,
    met: scaleMet,
  });
  target(
    `alloc(size, token) at ${int(high)} against ${int(low)} live spans`,
    scaleMet,
    () => {
      const most = Math.max(...lives);
      const take = heapOf(big, "big", most).ns.take;
      return `${time(bHigh.ns.allocToken)} against ${
        time(bLow.ns.allocToken)
      } (${times(scale)}); the target leaves ${
        time(2 * bLow.ns.allocToken)
      } per call at ${int(high)}. A \`register\` alone (floor (b)) goes from ${
        time(bLow.ns.floorB)
      } to ${
        time(bHigh.ns.floorB)
      } there, and every take must read the record of the span it takes, at a random place among the records: a random read among ${
        bytes(heapOf(big, "big", most).memory.bytes)
      } of them costs ${
        time(miss(most))
      } on this machine, and the core's take alone at ${
        int(most)
      } free spans costs ${time(take)}.`;
    },
  );

  for (const result of big.frag) {
    const base = results.frag.find((r) =>
      r.trace == result.trace && r.allocator == "lewd"
    );
    rows.push({
      measure:
        `fragmentation, ${result.trace}: peak mem ÷ peak live; high-water ÷ peak live; after trim() ÷ final live`,
      big: fragFigures(result),
      base: base ? fragFigures(base) : "",
      ratio: base
        ? `${times(result.highWater / base.highWater)} high-water`
        : "",
      target: "",
    });
  }
  return { rows, targets };
};

/** The markdown section, or "" for results without the big core. */
export const bigSection = (results: Results): string => {
  if (!results.big) return "";
  const { rows, targets } = bigFigures(results);
  const missed = targets.filter((t) => !t.met);
  const line = (cells: string[]) => `| ${cells.join(" | ")} |`;
  const table = [
    line([
      "Measure",
      "Big core",
      "Default core",
      "Ratio (big ÷ default)",
      "Target",
      "Met",
    ]),
    line(["---", "---", "---", "---", "---", "---"]),
    ...rows.map((row) =>
      line([
        row.measure,
        row.big,
        row.base,
        row.ratio,
        row.target,
        row.met === undefined ? "" : yes(row.met),
      ])
    ),
  ].join("\n");
  return `## The big core beside the default core

\`bench/scenarios/big.ts\` runs both cores alone in one process (interleaved
rounds, medians, ratios paired by round; caches evicted before each loop) and
dlmalloc on the churn trace; \`ops.ts\` times \`alloc\` on each core's heap
(\`heap=big\`, \`heap=default\`, one process each), and \`frag.ts\` replays the
fragmentation traces on a big-core heap (\`allocator="lewd big"\`). The big core's order
among equal short spans is LIFO, the default core's the lowest address
(docs/CONTRACT.md, section The big core).

${table}

${
    missed.length
      ? missed.map((t) =>
        `- **${t.label}**: ${t.why[0].toUpperCase()}${t.why.slice(1)}`
      ).join("\n")
      : "Every target of the big core is met."
  }

`;
};
