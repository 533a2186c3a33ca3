// Bundles bench/gc/churn.ts for the browser with esbuild (tests/ecosystem's,
// or $ESBUILD) and runs it on the main thread of headless Chromium (Debian's
// /usr/bin/chromium, driven by the playwright-core installed in
// tests/ecosystem). No --expose-gc: the point is that nothing forces a
// collection.
//
// Usage: node bench/gc/run_chromium.mjs [churn.ts arguments]
//
// The arguments reach churn.ts as `globalThis.lewdArgs` (set by the served
// page); the result is the object churn.ts stores in `globalThis.lewdResult`,
// printed here with `runtime` replaced by the Chromium and V8 versions. Exits
// non-zero on any page error, console error, failed request or timeout.
// Set LEWD_TIMEOUT_MS to change the 20-minute limit.
import { execFileSync } from "node:child_process";
import { createServer } from "node:http";
import { readFileSync } from "node:fs";
import { createRequire } from "node:module";
import { fileURLToPath } from "node:url";
import { dirname, join } from "node:path";
import process from "node:process";

const here = dirname(fileURLToPath(import.meta.url));
const repo = join(here, "..", "..");
const { chromium } = createRequire(
  join(repo, "tests", "ecosystem", "package.json"),
)("playwright-core");

const CHROMIUM = "/usr/bin/chromium";
const ARGS = [
  "--headless",
  "--no-sandbox",
  "--disable-gpu",
  "--disable-background-networking",
  "--disable-component-update",
  "--disable-sync",
  "--no-first-run",
];
const TIMEOUT = Number(process.env.LEWD_TIMEOUT_MS ?? 20 * 60_000);

const out = "/tmp/lewd-churn-browser.js";
const esbuild = process.env.ESBUILD ??
  join(repo, "tests", "ecosystem", "node_modules", ".bin", "esbuild");
execFileSync(esbuild, [
  join(here, "churn.ts"),
  "--bundle",
  "--format=esm",
  "--platform=browser",
  "--target=es2022",
  `--outfile=${out}`,
  "--log-level=warning",
], { stdio: "inherit" });
const bundle = readFileSync(out);

const args = process.argv.slice(2);
if (args.some((a) => a.startsWith("--gc="))) {
  throw new Error("--gc=K needs --expose-gc, which this runner never passes");
}
const html =
  `<!doctype html><meta charset="utf-8"><title>churn</title><link rel="icon" href="data:,">
<script>globalThis.lewdArgs = ${JSON.stringify(args)};</script>
<script type="module">
import "./churn.js";
lewdDone(globalThis.lewdResult ?? null);
</script>
`;

const server = createServer((request, response) => {
  const path = new URL(request.url, "http://x").pathname;
  const [type, body] = path == "/"
    ? ["text/html; charset=utf-8", html]
    : path == "/churn.js"
    ? ["text/javascript; charset=utf-8", bundle]
    : [];
  if (!body) return response.writeHead(404).end();
  response.writeHead(200, {
    "content-type": type,
    "cache-control": "no-store",
  });
  response.end(body);
});
await new Promise((resolve) => server.listen(0, "127.0.0.1", resolve));
const origin = `http://127.0.0.1:${server.address().port}`;

const browser = await chromium.launch({
  executablePath: CHROMIUM,
  args: ARGS,
  timeout: 60_000,
});
let failed = false;
try {
  const cdp = await browser.newBrowserCDPSession();
  const { product, jsVersion } = await cdp.send("Browser.getVersion");
  const context = await browser.newContext();
  const page = await context.newPage();
  const errors = [];
  let fail;
  const failure = new Promise((_, reject) => fail = reject);
  const error = (text) => {
    errors.push(text);
    fail(new Error(text));
  };
  page.on("console", (message) => {
    if (message.type() == "error") error(`console.error: ${message.text()}`);
    else process.stderr.write(`[page ${message.type()}] ${message.text()}\n`);
  });
  page.on("pageerror", (e) => error(`page error: ${e.stack ?? e}`));
  page.on(
    "requestfailed",
    (r) => error(`request failed: ${r.url()} ${r.failure()?.errorText}`),
  );
  page.on("response", (r) => {
    if (r.status() >= 400) error(`HTTP ${r.status()}: ${r.url()}`);
  });
  let done;
  const finished = new Promise((resolve) => done = resolve);
  await page.exposeFunction("lewdDone", (value) => done(value));
  let timer;
  const timeout = new Promise((_, reject) =>
    timer = setTimeout(
      () => reject(new Error(`no result after ${TIMEOUT} ms`)),
      TIMEOUT,
    )
  );
  try {
    await page.goto(`${origin}/`, { timeout: 60_000 });
    const result = await Promise.race([finished, failure, timeout]);
    if (!result) throw new Error("churn.ts set no lewdResult");
    if (errors.length) throw new Error(errors.join("\n"));
    result.runtime = `chromium ${product.split("/").pop()} ` +
      `(V8 ${jsVersion})`;
    console.log(args.includes("--json") ? JSON.stringify(result) : result);
  } catch (e) {
    failed = true;
    console.error(`run_chromium: ${e.message}`);
  } finally {
    clearTimeout(timer);
    await context.close();
  }
} finally {
  await browser.close();
  server.close();
}
process.exitCode = failed ? 1 : 0;
