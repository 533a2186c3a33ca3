// The browser path: headless Chromium loads pages from 127.0.0.1 that import
// the package (bundled by esbuild, by rollup + terser, and unbundled through
// an import map) on the main thread, where the core must compile
// synchronously, and in a Web Worker, and run the PRNG example there,
// trim() included. Any console error, page error or failed request fails.
// Then, in a Chromium without --expose-gc, reclaim() gives back what 100 000
// dropped tokens held; and four Web Workers share one heap (pages are served
// cross-origin isolated).
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
import { examples } from "../_markdown.ts";

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

      // A shared heap: 4 module workers allocate from it at once.
      for (
        const file of [
          "shared_stress.mjs",
          "shared_worker.mjs",
          "shared_page.mjs",
        ]
      ) {
        await Deno.copyFile(`${FIXTURES}${file}`, `${www}/${file}`);
      }
      await Deno.writeTextFile(
        `${www}/shared.html`,
        html(
          "LEWD Alloc, shared heap",
          `<script type="importmap">${
            JSON.stringify({ imports: { [PACKAGE]: "./pkg/mod.js" } })
          }</script>
<script type="module" src="./shared_page.mjs"></script>`,
        ),
      );
      const shared = await tool<
        { pages: Record<string, PageReport & { value?: { result?: unknown } }> }
      >("browser.mjs", www, "shared.html");
      await t.step(
        "a shared heap: 4 Web Workers × 10 000 random operations, no overlap, bytes kept",
        () => {
          const { value, errors } = shared.pages["shared.html"];
          assert.deepEqual(errors, []);
          assert.equal(value?.error, undefined, value?.error);
          const result = value!.result as unknown as {
            threads: number;
            spans: number;
            resizes: number;
          };
          console.log(`Chromium shared heap: ${JSON.stringify(result)}`);
          assert.equal(result.threads, 4);
          assert.ok(result.spans > 1000, "thousands of live spans checked");
          assert.ok(result.resizes > 0, "the workers saw the memory grow");
        },
      );

      // The README's TypeScript, pasted into a browser app and bundled as
      // it is by esbuild; no --expose-gc, as on a user's page. Each page
      // prints through a console.log that also keeps the lines.
      const readme = await Deno.readTextFile(`${workspace.npm}/README.md`);
      const blocks = examples(readme);
      await Deno.writeTextFile(
        `${consumer}/readme_capture.mjs`,
        `export const lines = [];
const log = console.log;
const show = (value) =>
  Array.isArray(value) ? \`[ \${value.join(", ")} ]\` : String(value);
console.log = (...args) => {
  lines.push(args.map(show).join(" "));
  log(...args);
};
`,
      );
      const readmePages: string[] = [];
      for (const { line, code } of blocks) {
        await Deno.writeTextFile(`${consumer}/readme_${line}.ts`, code);
        await Deno.writeTextFile(
          `${consumer}/readme_${line}_page.mjs`,
          `import { lines } from "./readme_capture.mjs";
import "./readme_${line}.ts";
globalThis.lewdResult = { scope: "window", result: lines };
`,
        );
        await bundle([{
          kind: "esbuild",
          cwd: consumer,
          entry: `${consumer}/readme_${line}_page.mjs`,
          out: `${www}/readme_${line}.js`,
          format: "esm",
        }]);
        await Deno.writeTextFile(
          `${www}/readme_${line}.html`,
          html(
            `LEWD Alloc, README.md:${line}`,
            `<script type="module" src="./readme_${line}.js"></script>`,
          ),
        );
        readmePages.push(`readme_${line}.html`);
      }
      const pasted = await tool<
        { pages: Record<string, PageReport & { value?: { result?: unknown } }> }
      >("browser.mjs", "--no-expose-gc", www, ...readmePages);
      for (const [i, { line, output }] of blocks.entries()) {
        await t.step(`README.md:${line}, bundled, runs in Chromium`, () => {
          const { value, errors } = pasted.pages[readmePages[i]!]!;
          assert.deepEqual(errors, []);
          if (output !== undefined) {
            assert.deepEqual(value?.result, output.trim().split("\n"));
          }
        });
      }
    } finally {
      await cleanUp(workspace);
    }
  },
});
