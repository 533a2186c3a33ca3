/**
 * Runs a module on engines other than Deno's V8: Bun (JavaScriptCore) and the
 * main thread of a headless Firefox ESR page (SpiderMonkey). A module is
 * bundled with the esbuild of tests/ecosystem; it reads its arguments from
 * `globalThis.lewdArgs` and leaves its result, any JSON value, in
 * `globalThis.lewdResult` by the end of its top-level code.
 *
 * Bun comes from npm, pinned in tests/engines/package-lock.json and installed
 * here with `npm ci`; Firefox from Debian (`scripts/setup_browser.sh`).
 * Playwright cannot drive Debian's Firefox, so each module gets a page served
 * from a local server, and the page posts its result back to it.
 *
 * @module
 */

import { createRequire } from "node:module";

const HERE = new URL(".", import.meta.url).pathname;
const ROOT = new URL("../../", import.meta.url).pathname;
const ECOSYSTEM = `${ROOT}tests/ecosystem/`;
export const BUN = `${HERE}node_modules/.bin/bun`;
/** Debian's Firefox ESR, or the one `LEWD_FIREFOX` names. */
export const FIREFOX = Deno.env.get("LEWD_FIREFOX") ?? "/usr/bin/firefox-esr";

/** Installs the pinned npm tools once (`npm ci`) unless present. */
async function npmCi(dir: string, probe: string): Promise<void> {
  try {
    await Deno.stat(`${dir}${probe}`);
    return;
  } catch {
    // not installed yet
  }
  const { success, stderr } = await new Deno.Command("npm", {
    args: ["ci", "--no-audit", "--no-fund"],
    cwd: dir,
    stdout: "null",
    stderr: "piped",
  }).output();
  if (!success) {
    throw new Error(`npm ci in ${dir}: ${new TextDecoder().decode(stderr)}`);
  }
}

/** The engines' versions, for reports. */
export async function versions(): Promise<{ bun: string; firefox: string }> {
  await npmCi(HERE, "node_modules/.bin/bun");
  const run = async (cmd: string, args: string[]) =>
    new TextDecoder().decode(
      (await new Deno.Command(cmd, { args, stdout: "piped" }).output()).stdout,
    ).trim();
  return {
    bun: `Bun ${await run(BUN, ["--version"])} (JavaScriptCore)`,
    firefox: `${await run(FIREFOX, ["--version"])} (SpiderMonkey)`,
  };
}

interface Esbuild {
  build(options: Record<string, unknown>): Promise<{
    outputFiles: { text: string }[];
  }>;
}

interface Build {
  onResolve(
    options: { filter: RegExp },
    callback: () => { path: string },
  ): void;
  onLoad(
    options: { filter: RegExp },
    callback: (
      args: { path: string },
    ) => { contents: string; loader: string } | undefined,
  ): void;
}

let esbuild: Esbuild | undefined;

/**
 * Bundles `entry` (code that may import with paths relative to the
 * repository root) into one ES module. For the browser, `node:assert` and
 * `node:assert/strict` resolve to tests/engines/assert.ts; Bun has its own.
 * `replace` maps paths from the root to the code to bundle in their place.
 */
export async function bundle(
  entry: string,
  target: "bun" | "browser",
  replace: Record<string, string> = {},
): Promise<string> {
  if (!esbuild) {
    await npmCi(ECOSYSTEM, "node_modules/esbuild");
    esbuild = createRequire(`${ECOSYSTEM}package.json`)("esbuild") as Esbuild;
  }
  const result = await esbuild.build({
    stdin: { contents: entry, resolveDir: ROOT, loader: "ts" },
    bundle: true,
    write: false,
    format: "esm",
    target: "es2022",
    platform: target == "bun" ? "node" : "browser",
    logLevel: "warning",
    plugins: [{
      name: "lewd-engines",
      setup(build: Build) {
        if (target == "browser") {
          build.onResolve(
            { filter: /^node:assert(\/strict)?$/ },
            () => ({ path: `${HERE}assert.ts` }),
          );
        }
        build.onLoad({ filter: /\.ts$/ }, ({ path }) => {
          const code = replace[path.slice(ROOT.length)];
          return code === undefined
            ? undefined
            : { contents: code, loader: "ts" };
        });
      },
    }],
  });
  return result.outputFiles[0].text;
}

/** What a module run produced: its `lewdResult`, or why there is none. */
export type Run = { result: unknown } | { error: string };

/** Runs a bundled module in Bun with `args` (in `process.argv` too). */
export async function runBun(
  code: string,
  args: string[] = [],
  timeoutMs = 600_000,
): Promise<Run> {
  await npmCi(HERE, "node_modules/.bin/bun");
  const dir = await Deno.makeTempDir({ prefix: "lewd-bun-" });
  try {
    await Deno.writeTextFile(`${dir}/module.js`, code);
    await Deno.writeTextFile(
      `${dir}/main.js`,
      `globalThis.lewdArgs = ${JSON.stringify(args)};\n` +
        `await import("./module.js");\n` +
        `console.log("LEWD_RESULT " + JSON.stringify(globalThis.lewdResult ?? null));\n`,
    );
    const child = new Deno.Command(BUN, {
      args: ["run", `${dir}/main.js`, ...args],
      stdout: "piped",
      stderr: "piped",
    }).spawn();
    const timer = setTimeout(() => child.kill("SIGKILL"), timeoutMs);
    const { code: status, stdout, stderr } = await child.output();
    clearTimeout(timer);
    const out = new TextDecoder().decode(stdout);
    const line = out.split("\n").find((l) => l.startsWith("LEWD_RESULT "));
    if (status == 0 && line) return { result: JSON.parse(line.slice(12)) };
    return {
      error: `bun exited with ${status}\n${out}${
        new TextDecoder().decode(stderr)
      }`,
    };
  } finally {
    await Deno.remove(dir, { recursive: true });
  }
}

/** Firefox preferences for a quiet, fresh headless profile. */
const PREFS = [
  ["browser.shell.checkDefaultBrowser", false],
  ["browser.startup.homepage_override.mstone", "ignore"],
  ["browser.aboutwelcome.enabled", false],
  ["datareporting.policy.dataSubmissionEnabled", false],
  ["datareporting.healthreport.uploadEnabled", false],
  ["toolkit.telemetry.reportingpolicy.firstRun", false],
  ["app.update.disabledForTesting", true],
  ["browser.tabs.warnOnClose", false],
  ["dom.disable_open_during_load", false],
  ["network.proxy.type", 0],
];

/**
 * Runs each module on the main thread of its own page in one headless
 * Firefox (each page a fresh realm: a new global and a new default heap),
 * one after the other. A page that throws yields an error for that module
 * and the run goes on; one with no result within `timeoutMs` ends the run.
 * `progress` hears of each page done, with its time.
 */
export async function runFirefox(
  modules: { code: string; args?: string[] }[],
  timeoutMs = 600_000,
  progress?: (index: number, ms: number) => void,
): Promise<Run[]> {
  const profile = await Deno.makeTempDir({ prefix: "lewd-firefox-" });
  await Deno.writeTextFile(
    `${profile}/user.js`,
    PREFS.map(([k, v]) => `user_pref(${JSON.stringify(k)}, ${v});`).join(
      "\n",
    ) + "\n",
  );
  const runs: Run[] = [];
  let settle: (run: Run) => void = () => {};
  let current = -1;
  let finished: () => void;
  const allDone = new Promise<void>((r) => finished = r);
  let timer: ReturnType<typeof setTimeout> | undefined;
  const stop = (why: string) => {
    for (let i = 0; i < modules.length; i++) runs[i] ??= { error: why };
    finished();
  };
  /** Moves on to the next module; its page's path, or null at the end. */
  const advance = (): string | null => {
    clearTimeout(timer);
    current++;
    if (current >= modules.length) {
      finished();
      return null;
    }
    const page = current;
    new Promise<Run>((r) => settle = r).then((run) => runs[page] = run);
    timer = setTimeout(() => {
      settle({ error: `no result within ${timeoutMs} ms` });
      stop("not run: an earlier page timed out");
    }, timeoutMs);
    return `/page/${page}`;
  };
  const page = (i: number) =>
    `<!doctype html><meta charset="utf-8"><link rel="icon" href="data:,">
<script>
globalThis.lewdArgs = ${JSON.stringify(modules[i].args ?? [])};
let posted = false;
const post = (body) => {
  if (posted) return;
  posted = true;
  fetch("/done/${i}", { method: "POST", body: JSON.stringify(body) })
    .then((r) => r.json()).then(({ next }) => { if (next) location.href = next; });
};
globalThis.lewdDone = (result) => post({ result });
addEventListener("error", (e) => post({ error: \`\${e.message} at \${e.filename}:\${e.lineno}\` }));
addEventListener("unhandledrejection", (e) => post({ error: String(e.reason?.stack ?? e.reason) }));
</script>
<script type="module">
await import("/module/${i}.js");
lewdDone(globalThis.lewdResult ?? null);
</script>`;
  const server = Deno.serve(
    { hostname: "127.0.0.1", port: 0, onListen() {} },
    async (request) => {
      const path = new URL(request.url).pathname;
      const [, kind, id] = path.split("/");
      const i = parseInt(id);
      if (kind == "page" && i == current) {
        return new Response(page(i), {
          headers: { "content-type": "text/html; charset=utf-8" },
        });
      }
      if (kind == "module" && i == current) {
        return new Response(modules[i].code, {
          headers: { "content-type": "text/javascript; charset=utf-8" },
        });
      }
      if (kind == "done" && request.method == "POST" && i == current) {
        settle(JSON.parse(await request.text()) as Run);
        progress?.(i, performance.now() - started);
        const next = advance();
        started = performance.now();
        return Response.json({ next });
      }
      return new Response("not found", { status: 404 });
    },
  );
  let started = performance.now();
  const first = advance();
  const origin = `http://127.0.0.1:${server.addr.port}`;
  const browser = new Deno.Command(FIREFOX, {
    args: [
      "--headless",
      "--no-remote",
      "--new-instance",
      "--profile",
      profile,
      `${origin}${first}`,
    ],
    stdout: "null",
    stderr: "null",
    env: { MOZ_CRASHREPORTER_DISABLE: "1" },
  }).spawn();
  const exited = browser.status.then((s) => {
    if (current < modules.length) {
      settle({ error: `firefox exited with ${s.code}` });
      stop(`not run: firefox exited with ${s.code}`);
    }
  });
  try {
    await allDone;
  } finally {
    clearTimeout(timer);
    try {
      browser.kill("SIGTERM");
    } catch {
      // already gone
    }
    await exited;
    await server.shutdown();
    await Deno.remove(profile, { recursive: true }).catch(() => {});
  }
  return runs;
}
