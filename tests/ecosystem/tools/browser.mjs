// Loads pages in headless Chromium (Debian's /usr/bin/chromium, driven by the
// pinned playwright-core) and reports what they computed. Usage:
//
//   node browser.mjs [--no-expose-gc] DIR PAGE...
//
// Serves DIR on 127.0.0.1 (an ephemeral port, this process only), opens each
// PAGE (a file in DIR) in a fresh context, waits for the page to set
// `globalThis.lewdResult`, and prints one JSON report on stdout (every page is
// served cross-origin isolated):
// { browser, pages: { PAGE: { value, errors } } } where `errors` lists every
// console error, uncaught page error, failed request and HTTP error seen.

import { createServer } from "node:http";
import { readFile } from "node:fs/promises";
import { extname, join, normalize } from "node:path";
import process from "node:process";
import { chromium } from "playwright-core";

const CHROMIUM = "/usr/bin/chromium";
const ARGS = [
  "--headless",
  "--no-sandbox",
  "--disable-gpu",
  "--disable-background-networking",
  "--disable-component-update",
  "--disable-sync",
  "--no-first-run",
  // Lets the example force collections (gc()) on the main thread and in
  // workers, as `node --expose-gc` does.
  "--js-flags=--expose-gc",
];
const TIMEOUT = 60_000;
const TYPES = {
  ".html": "text/html; charset=utf-8",
  ".js": "text/javascript; charset=utf-8",
  ".mjs": "text/javascript; charset=utf-8",
};

const exposeGc = process.argv[2] != "--no-expose-gc";
const [root, ...pages] = process.argv.slice(exposeGc ? 2 : 3);

const server = createServer(async (request, response) => {
  const path = normalize(
    decodeURIComponent(new URL(request.url, "http://x").pathname),
  );
  try {
    if (path.includes("..")) throw new Error("outside the root");
    const body = await readFile(join(root, path));
    response.writeHead(200, {
      "content-type": TYPES[extname(path)] ?? "application/octet-stream",
      "cache-control": "no-store",
      // Cross-origin isolation, so that pages may share memory with workers.
      "cross-origin-opener-policy": "same-origin",
      "cross-origin-embedder-policy": "require-corp",
    });
    response.end(body);
  } catch {
    response.writeHead(404).end();
  }
});
await new Promise((resolve) => server.listen(0, "127.0.0.1", resolve));
const origin = `http://127.0.0.1:${server.address().port}`;

const browser = await chromium.launch({
  executablePath: CHROMIUM,
  args: exposeGc ? ARGS : ARGS.filter((arg) => arg != "--js-flags=--expose-gc"),
  timeout: TIMEOUT,
});
const report = { browser: browser.version(), pages: {} };
try {
  for (const name of pages) {
    const context = await browser.newContext();
    const page = await context.newPage();
    const errors = [];
    // The page's workers log here too; their uncaught errors come as page
    // errors.
    page.on("console", (message) => {
      if (message.type() == "error") {
        errors.push(`console.error: ${message.text()}`);
      }
    });
    page.on(
      "pageerror",
      (error) => errors.push(`page error: ${error.stack ?? error}`),
    );
    page.on(
      "requestfailed",
      (request) =>
        errors.push(
          `request failed: ${request.url()} ${request.failure()?.errorText}`,
        ),
    );
    page.on("response", (response) => {
      if (response.status() >= 400) {
        errors.push(`HTTP ${response.status()}: ${response.url()}`);
      }
    });
    let value;
    try {
      await page.goto(`${origin}/${name}`, { timeout: TIMEOUT });
      await page.waitForFunction(
        () => globalThis.lewdResult !== undefined,
        null,
        {
          timeout: TIMEOUT,
        },
      );
      value = await page.evaluate(() => globalThis.lewdResult);
    } catch (error) {
      errors.push(`driver: ${error.message}`);
    }
    report.pages[name] = { value, errors };
    await context.close();
  }
} finally {
  await browser.close();
  server.close();
}
process.stdout.write(JSON.stringify(report) + "\n");
