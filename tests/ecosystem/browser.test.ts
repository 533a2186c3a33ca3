// The browser path: headless Chromium loads pages from 127.0.0.1 that import
// the package (bundled by esbuild, by rollup + terser, and unbundled through
// an import map) on the main thread, where the core must compile
// synchronously, and in a Web Worker, and run the PRNG example there,
// trim() included. Any console error, page error or failed request fails.
// Then, in a Chromium without --expose-gc, reclaim() gives back what 100 000
// dropped tokens held.
//
// Needs Debian's Chromium at /usr/bin/chromium (scripts/setup_browser.sh).
// Without it the test is skipped, unless CI is set: then it fails.

import assert from "node:assert/strict";
import {
  assertChecks,
  assertReclaimed,
  bundle,
  cleanUp,
  copyPackageJs,
  expectedRun,
  FIXTURES,
  PACKAGE,
  type ReclaimResult,
  type RunResult,
  setUp,
  tool,
} from "./_setup.ts";

const CHROMIUM = "/usr/bin/chromium";

const hasChromium = (() => {
  try {
    return Deno.statSync(CHROMIUM).isFile;
  } catch {
    return false;
  }
})();

/** CI, or unknown (no permission to read CI): either way, never skip. */
const onCi = (() => {
  if (
    Deno.permissions.querySync({ name: "env", variable: "CI" }).state !=
      "granted"
  ) {
    return true;
  }
  const ci = Deno.env.get("CI");
  return ci !== undefined && ci !== "" && ci !== "false" && ci !== "0";
})();

const skip = !hasChromium && !onCi;
if (skip) {
  console.warn(
    `browser tests SKIPPED: ${CHROMIUM} is missing (install it with ` +
      "`bash scripts/setup_browser.sh`; with CI set they fail instead)",
  );
}

interface PageReport {
  value?: { scope: string; result?: RunResult; error?: string };
  errors: string[];
}

const html = (title: string, body: string) =>
  `<!doctype html>
<html lang="en">
<meta charset="utf-8">
<link rel="icon" href="data:,">
<title>${title}</title>
${body}
</html>
`;

Deno.test({
  name: skip
    ? `browser: SKIPPED, ${CHROMIUM} is missing (bash scripts/setup_browser.sh)`
    : "browser: the PRNG example in headless Chromium, main thread and Web Worker",
  ignore: skip,
  async fn(t) {
    assert.ok(
      hasChromium,
      `${CHROMIUM} is missing: run \`bash scripts/setup_browser.sh\` (CI is set, or cannot be read without --allow-env; CI must not skip this test)`,
    );
    const workspace = await setUp();
    try {
      const consumer = workspace.consumer;
      const www = `${workspace.dir}/www`;
      await Deno.mkdir(`${www}/pkg/lib`, { recursive: true });
      for (const file of ["browser_main.mjs", "browser_worker.mjs"]) {
        await Deno.copyFile(`${FIXTURES}${file}`, `${consumer}/${file}`);
      }
      await Deno.copyFile(`${FIXTURES}worker_host.js`, `${www}/worker_host.js`);

      // Bundled: main thread as an ES module, worker as a classic script.
      const bundled = ["esbuild", "rollup"] as const;
      await bundle(bundled.flatMap((kind) => [
        {
          kind,
          cwd: consumer,
          entry: `${consumer}/browser_main.mjs`,
          out: `${www}/main-${kind}.js`,
          format: "esm" as const,
        },
        {
          kind,
          cwd: consumer,
          entry: `${consumer}/browser_worker.mjs`,
          out: `${www}/worker-${kind}.js`,
          format: "iife" as const,
        },
      ]));
      const pages: Record<string, "window" | "worker"> = {};
      for (const kind of bundled) {
        await Deno.writeTextFile(
          `${www}/main-${kind}.html`,
          html(
            `LEWD Alloc, ${kind}, main thread`,
            `<script type="module" src="./main-${kind}.js"></script>`,
          ),
        );
        pages[`main-${kind}.html`] = "window";
        await Deno.writeTextFile(
          `${www}/worker-${kind}.html`,
          html(
            `LEWD Alloc, ${kind}, worker`,
            `<script src="./worker_host.js"></script>`,
          ),
        );
        pages[`worker-${kind}.html?worker=worker-${kind}.js`] = "worker";
      }

      // Unbundled: the package's own ES modules, found through an import map.
      await copyPackageJs(`${consumer}/node_modules/${PACKAGE}`, `${www}/pkg`);
      for (
        const file of [
          "prng.mjs",
          "prng_run.mjs",
          "prng_params.mjs",
          "browser_main.mjs",
        ]
      ) {
        await Deno.copyFile(`${consumer}/${file}`, `${www}/${file}`);
      }
      await Deno.writeTextFile(
        `${www}/main-unbundled.html`,
        html(
          "LEWD Alloc, unbundled, main thread",
          `<script type="importmap">${
            JSON.stringify({ imports: { [PACKAGE]: "./pkg/mod.js" } })
          }</script>
<script type="module" src="./browser_main.mjs"></script>`,
        ),
      );
      pages["main-unbundled.html"] = "window";

      const report = await tool<
        { browser: string; pages: Record<string, PageReport> }
      >(
        "browser.mjs",
        www,
        ...Object.keys(pages),
      );
      console.log(`Chromium ${report.browser}`);
      const expected = await expectedRun();

      for (const [page, scope] of Object.entries(pages)) {
        await t.step(
          `${page}: runs in the ${scope}, no console or page errors`,
          () => {
            const { value, errors } = report.pages[page];
            assert.deepEqual(errors, [], `${page}: errors in the browser`);
            assert.ok(value, `${page}: no result`);
            assert.equal(value.error, undefined, `${page}: ${value.error}`);
            assert.equal(value.scope, scope);
            const result = value.result!;
            assert.ok(
              result.gc,
              `${page}: --js-flags=--expose-gc gave the page gc()`,
            );
            assertChecks(page, result, expected);
            assert.ok(
              result.bytes.releasedScratch > 0,
              "trim() released pages",
            );
            assert.ok(
              result.bytes.releasedAfterChurn > 0,
              "trim() gave the churn's pages back",
            );
          },
        );
      }

      // reclaim(): nobody can force a collection here, only its prompt.
      await Deno.copyFile(
        `${FIXTURES}reclaim_run.mjs`,
        `${consumer}/reclaim_run.mjs`,
      );
      await Deno.copyFile(
        `${FIXTURES}reclaim_page.mjs`,
        `${consumer}/reclaim_page.mjs`,
      );
      await bundle([{
        kind: "esbuild",
        cwd: consumer,
        entry: `${consumer}/reclaim_page.mjs`,
        out: `${www}/reclaim.js`,
        format: "esm",
      }]);
      await Deno.writeTextFile(
        `${www}/reclaim.html`,
        html(
          "LEWD Alloc, reclaim",
          `<script type="module" src="./reclaim.js"></script>`,
        ),
      );
      const reclaimed = await tool<
        { pages: Record<string, PageReport & { value?: { result?: unknown } }> }
      >("browser.mjs", "--no-expose-gc", www, "reclaim.html");
      await t.step(
        "reclaim() without --expose-gc gives back what dropped tokens held",
        () => {
          const { value, errors } = reclaimed.pages["reclaim.html"];
          assert.deepEqual(errors, []);
          assert.equal(value?.error, undefined, value?.error);
          const result = value!.result as unknown as ReclaimResult;
          console.log(`Chromium reclaim: ${JSON.stringify(result)}`);
          assertReclaimed(result);
        },
      );
    } finally {
      await cleanUp(workspace);
    }
  },
});
