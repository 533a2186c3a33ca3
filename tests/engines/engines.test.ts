/**
 * The suite on JavaScriptCore (Bun) and SpiderMonkey (headless Firefox ESR,
 * on a page's main thread), beside V8: every test file that needs neither
 * Deno's file and process APIs nor V8 flags. Each file is bundled with
 * tests/engines/harness.ts, which gives it `Deno.test`, and runs in a fresh
 * realm (a Bun process, a page), as `deno test` runs each file in its own
 * isolate. Where `gc()` is not exposed, tests/_helpers.ts waits for
 * collections instead of forcing them.
 *
 * One Deno test per engine and file: it fails if any test case of the file
 * failed on that engine (or the file did not run), and lists the cases.
 *
 * @module
 */

import assert from "node:assert/strict";
import { bundle, type Run, runBun, runFirefox, versions } from "./engines.ts";
import type { Outcome } from "./harness.ts";

/**
 * Left out: tests/layout.test.ts reads the sources with Deno's file API;
 * tests/pressure.test.ts spawns `deno run` (bench/gc/ measures pressure on
 * every engine); tests/reliability/soak.test.ts reads `Deno.memoryUsage`.
 */
export const FILES = [
  "tests/align.test.ts",
  "tests/alloc.test.ts",
  "tests/bind.test.ts",
  "tests/callbacks.test.ts",
  "tests/debug.test.ts",
  "tests/exception_guarantee.test.ts",
  "tests/freeing.test.ts",
  "tests/heaps.test.ts",
  "tests/imports.test.ts",
  "tests/invariants.test.ts",
  "tests/kinds.test.ts",
  "tests/lease.test.ts",
  "tests/limits.test.ts",
  "tests/pacing.test.ts",
  "tests/pitfall3.test.ts",
  "tests/pitfalls.test.ts",
  "tests/policy.test.ts",
  "tests/prng.test.ts",
  "tests/protect.test.ts",
  "tests/restrict.test.ts",
  "tests/segments.test.ts",
  "tests/strong.test.ts",
  "tests/strong_model.test.ts",
  "tests/trim.test.ts",
  "tests/watch.test.ts",
  "tests/reliability/bad_inputs.test.ts",
  "tests/reliability/faults.test.ts",
  "tests/reliability/large.test.ts",
];

/**
 * Run on Bun a second time without `Bun.gc(true)`, which the helpers use when
 * they can: freeing through collections the engine starts by itself.
 */
export const WAITING = [
  "tests/freeing.test.ts",
  "tests/lease.test.ts",
  "tests/prng.test.ts",
  "tests/watch.test.ts",
];

/**
 * Cases that cannot finish on an engine, by engine and name, with the reason.
 * Each is reported as ignored, with its reason, on that engine only.
 */
export const LEFT_OUT: Record<string, Record<string, string>> = {
  firefox: {
    "a symbol token frees its span when collected":
      "SpiderMonkey keeps symbols in its atoms zone, which only a full " +
      "browser-wide GC collects: a dropped symbol was still alive after " +
      "20 s of garbage and timers on a page",
  },
};

/** The bundle's entry: the harness, the file, then its run. */
const entry = (file: string, engine: string, wait = false) =>
  (wait ? "globalThis.lewdWaitForGC = true;\n" : "") +
  `import { runAll } from "./tests/engines/harness.ts";\n` +
  `import "./${file}";\n` +
  `globalThis.lewdResult = await runAll(${
    JSON.stringify(LEFT_OUT[engine] ?? {})
  });\n`;

/** Fails with every failed case of `file` (or the file's own error). */
function verdict(engine: string, file: string, run: Run | undefined): void {
  assert.ok(run, `${engine}: ${file} did not run`);
  if ("error" in run) assert.fail(`${engine}: ${file}: ${run.error}`);
  const outcomes = run.result as Outcome[];
  assert.ok(outcomes.length > 0, `${engine}: ${file} registered no test`);
  const count = (status: Outcome["status"]) =>
    outcomes.filter((o) => o.status == status).length;
  console.log(
    `${engine} ${file}: ${count("passed")} passed, ${
      count("failed")
    } failed, ` +
      `${count("ignored")} ignored (${
        Math.round(outcomes.reduce((ms, o) => ms + o.ms, 0))
      } ms)`,
  );
  for (const o of outcomes) {
    if (o.status == "ignored" && o.error) {
      console.log(`  left out: ${o.name}: ${o.error}`);
    }
  }
  const failed = outcomes.filter((o) => o.status == "failed");
  assert.equal(
    failed.length,
    0,
    failed.map((o) => `${engine}: ${file}: ${o.name}\n${o.error}`).join("\n\n"),
  );
}

const engines = await versions();

Deno.test(`engines: ${engines.bun}`, async (t) => {
  for (const file of FILES) {
    await t.step(file, async () => {
      verdict(
        "bun",
        file,
        await runBun(await bundle(entry(file, "bun"), "bun")),
      );
    });
  }
});

Deno.test(`engines: ${engines.bun}, waiting for collections`, async (t) => {
  for (const file of WAITING) {
    await t.step(file, async () => {
      verdict(
        "bun",
        file,
        await runBun(await bundle(entry(file, "bun", true), "bun")),
      );
    });
  }
});

Deno.test(`engines: ${engines.firefox}`, async (t) => {
  const modules = [];
  for (const file of FILES) {
    modules.push({ code: await bundle(entry(file, "firefox"), "browser") });
  }
  const runs = await runFirefox(
    modules,
    undefined,
    (i, ms) =>
      console.error(`firefox: ${FILES[i]} done in ${Math.round(ms)} ms`),
  );
  for (const [i, file] of FILES.entries()) {
    await t.step(file, () => verdict("firefox", file, runs[i]));
  }
});
