/**
 * Runs bench/gc/churn.ts on Bun (JavaScriptCore) or on the main thread of a
 * headless Firefox ESR page (SpiderMonkey), through tests/engines/engines.ts.
 * Nothing forces a collection: neither engine is given a flag.
 *
 *     deno run -A bench/gc/run_engines.ts bun|firefox [--pacing=off|FILE] [churn.ts arguments]
 *
 * `--pacing=off` bundles a src/pacing.ts that never nudges, to measure what
 * the nudges cost and buy; `--pacing=FILE` bundles FILE in its place (an
 * earlier version, say: `git show REV:src/pacing.ts > FILE`). Prints churn.ts's result with `runtime` replaced by
 * the engine's version, and `pacing`; for Firefox also `rssMiB`, the peak
 * resident memory of the browser's processes (sampled every 20 ms).
 *
 * @module
 */

import {
  bundle,
  runBun,
  runFirefox,
  versions,
} from "../../tests/engines/engines.ts";

/**
 * A src/pacing.ts that never checks, for the pacing-off figures: the same
 * exports, none of which prompts a collection (`reclaim` still waits for one).
 */
const PACING_OFF = `
import type { State } from "./state.ts";
export const answered = false;
export const pace = (heap: State): void => {
  heap.nudgeAt = Infinity;
};
export const nudge = (heap: State): void => {
  heap.debt = 0;
};
export const throwaway = (_size: number): void => {};
export const owe = (heap: State, blocks: number): void => {
  heap.debt += blocks;
};
`;

const [engine, ...rest] = Deno.args;
if (engine != "bun" && engine != "firefox") {
  throw new Error("usage: run_engines.ts bun|firefox [--pacing=off] [...]");
}
const pacing = rest.find((a) => a.startsWith("--pacing="))?.slice(9);
const args = rest.filter((a) => !a.startsWith("--pacing="));
const code = await bundle(
  `import "./bench/gc/churn.ts";\n`,
  engine == "bun" ? "bun" : "browser",
  pacing == "off"
    ? { "src/pacing.ts": PACING_OFF }
    : pacing
    ? { "src/pacing.ts": await Deno.readTextFile(pacing) }
    : {},
);

/** The resident memory of `pid` and its descendants, in bytes. */
function treeRss(pid: number): number {
  let total = 0;
  for (const entry of Deno.readDirSync("/proc")) {
    if (!/^\d+$/.test(entry.name)) continue;
    try {
      const status = Deno.readTextFileSync(`/proc/${entry.name}/status`);
      const name = /^Name:\s*(\S+)/m.exec(status)?.[1] ?? "";
      if (!/firefox|Web Content|Isolated|Socket|RDD|Utility/i.test(name)) {
        continue;
      }
      void pid;
      total += Number(/^VmRSS:\s*(\d+)/m.exec(status)?.[1] ?? 0) * 1024;
    } catch {
      // gone meanwhile
    }
  }
  return total;
}

const version = await versions();
let peakRss = 0;
const sampler = engine == "firefox"
  ? setInterval(() => peakRss = Math.max(peakRss, treeRss(0)), 20)
  : undefined;
const run = engine == "bun"
  ? await runBun(code, args)
  : (await runFirefox([{ code, args }]))[0];
clearInterval(sampler);
if ("error" in run) throw new Error(run.error);
const result = {
  ...(run.result as Record<string, unknown>),
  runtime: engine == "bun" ? version.bun : version.firefox,
  pacing: pacing ?? "src/pacing.ts",
  ...(engine == "firefox" ? { rssMiB: (peakRss / 1048576).toFixed(1) } : {}),
};
console.log(
  args.includes("--json") || args.includes("--result")
    ? JSON.stringify(result)
    : result,
);
