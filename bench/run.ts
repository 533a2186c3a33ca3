/**
 * `deno task bench`: builds the peers, measures sizes, runs every scenario in
 * bench/scenarios/ (each in its own process: `mod.ts` is one heap per
 * isolate), prints one markdown table, and writes bench/RESULTS.md and
 * bench/results.svg.
 *
 * `deno task bench:smoke` (`--smoke`) runs every scenario and the `deno bench`
 * suite briefly with small sizes, prints the table and writes nothing: CI
 * checks that the benchmarks still run, never how fast. `--from=FILE` redraws
 * the table and pages from the results.json a full run saved.
 *
 * Needs cargo with the wasm32-unknown-unknown target, npm and node on PATH.
 *
 * @module
 */

import { gzipSync } from "node:zlib";
import { chart } from "./lib/chart.ts";
import { THING_VERSION } from "./lib/peers.ts";
import {
  conclusions,
  markdownTable,
  resultsMarkdown,
  rows,
  targets,
} from "./lib/report.ts";
import type {
  BigCoreResult,
  ChurnResult,
  CoreResult,
  Env,
  FragResult,
  GrowthResult,
  HeapResult,
  OpsResult,
  PressureResult,
  Results,
  Size,
  TrimResult,
} from "./lib/results.ts";

const smoke = Deno.args.includes("--smoke");

const BENCH = new URL("./", import.meta.url);
const ROOT = new URL("../", BENCH);
const PEERS = new URL("peers/", BENCH);
const TARGET = new URL("peers/target/", BENCH);
const NPM = new URL("npm/", TARGET);
const LOCK = new URL("deno.lock", BENCH);
const path = (url: URL) => decodeURIComponent(url.pathname);

/** esbuild, used to bundle for Node and to measure sizes. */
const ESBUILD_VERSION = "0.28.2";
/** npm packages installed (into the ignored target dir) for esbuild, Node and sizes. */
const NPM_PACKAGES = [
  `esbuild@${ESBUILD_VERSION}`,
  `@thi.ng/malloc@${THING_VERSION}`,
  "@thi.ng/api@8.12.28",
  "@thi.ng/binary@3.6.17",
  "@thi.ng/checks@3.11.1",
  "@thi.ng/errors@2.6.17",
];

const log = (message: string) => console.error(`bench: ${message}`);

/** Runs a command; returns its stdout, throws with its exit code on failure. */
const run = async (
  command: string,
  args: string[],
  options: { cwd?: URL; env?: Record<string, string> } = {},
): Promise<string> => {
  const output = await new Deno.Command(command, {
    args,
    cwd: options.cwd && path(options.cwd),
    env: options.env,
    stdout: "piped",
    stderr: "inherit",
  }).output();
  if (!output.success) {
    throw new Error(`${command} ${args.join(" ")}: exit ${output.code}`);
  }
  return new TextDecoder().decode(output.stdout);
};

/** A command's first output line, or `unknown` if it cannot run. */
const version = async (command: string, args: string[]) => {
  try {
    return (await run(command, args)).trim().split("\n")[0];
  } catch {
    return `${command}: unknown`;
  }
};

// --- build --------------------------------------------------------------

const PEER_WASM = new URL(
  "wasm32-unknown-unknown/release/lewd_bench_peers.wasm",
  TARGET,
);
const sizeWasm = (name: string) => new URL(`size-${name}.wasm`, TARGET);

/** bench/peers: the speed build with both allocators, one size build each. */
const buildPeers = async () => {
  log("building bench/peers (cargo)");
  const cargo = ["build", "--locked", "--target", "wasm32-unknown-unknown"];
  await run("cargo", [...cargo, "--release"], { cwd: PEERS });
  for (const name of ["dlmalloc", "talc"]) {
    await run("cargo", [
      ...cargo,
      "--profile",
      "size",
      "--no-default-features",
      "--features",
      name,
    ], { cwd: PEERS });
    await Deno.copyFile(
      new URL("wasm32-unknown-unknown/size/lewd_bench_peers.wasm", TARGET),
      sizeWasm(name),
    );
  }
};

/** esbuild and @thi.ng/malloc for Node and for sizes, unless already there. */
const installNpm = async () => {
  const installed = async (spec: string) => {
    const at = spec.lastIndexOf("@");
    const manifest = new URL(
      `node_modules/${spec.slice(0, at)}/package.json`,
      NPM,
    );
    try {
      return JSON.parse(await Deno.readTextFile(manifest)).version ==
        spec.slice(at + 1);
    } catch {
      return false;
    }
  };
  if ((await Promise.all(NPM_PACKAGES.map(installed))).every(Boolean)) return;
  log("installing esbuild and @thi.ng/malloc (npm)");
  await Deno.mkdir(NPM, { recursive: true });
  await run("npm", [
    "install",
    "--no-audit",
    "--no-fund",
    "--prefix",
    path(NPM),
    ...NPM_PACKAGES,
  ]);
};

const ESBUILD = new URL("node_modules/.bin/esbuild", NPM);

/** Bundles `entry` with esbuild; returns the output text. */
const bundle = (entry: URL, extra: string[] = []) =>
  run(path(ESBUILD), [path(entry), "--bundle", "--format=esm", ...extra]);

const gzip = (text: string | Uint8Array) =>
  gzipSync(typeof text == "string" ? new TextEncoder().encode(text) : text, {
    level: 9,
  }).length;

const sized = (name: string, what: string, text: string | Uint8Array) => ({
  name,
  what,
  raw: typeof text == "string"
    ? new TextEncoder().encode(text).length
    : text.length,
  gzip: gzip(text),
});

// --- sizes --------------------------------------------------------------

/** Runs the same binaryen passes as scripts/build_core.ts. */
const shrink = async (wasm: Uint8Array): Promise<Uint8Array> =>
  (await import("../scripts/wasm_opt.ts")).shrinkWasm(wasm);

const measureSizes = async (): Promise<Results["sizes"]> => {
  log("measuring sizes");
  // Imported at run time: the core may have been rebuilt since this started.
  const embedded = await import(
    new URL(`lib/core.generated.ts?${Date.now()}`, ROOT).href
  );
  const [coreWasm, extWasm] = [embedded.core, embedded.ext].map((
    text: string,
  ) => Uint8Array.from(text, (c) => c.charCodeAt(0) ^ embedded.KEY));
  const dir = new URL("size/", TARGET);
  await Deno.mkdir(dir, { recursive: true });
  const allocOnly = new URL("alloc-only.ts", dir);
  await Deno.writeTextFile(
    allocOnly,
    `export { alloc } from ${JSON.stringify(path(new URL("mod.ts", ROOT)))};\n`,
  );
  const thing = new URL("thing.js", NPM);
  await Deno.writeTextFile(
    thing,
    `export { MemPool } from "@thi.ng/malloc";\n`,
  );
  const peers: Size[] = [];
  for (const name of ["dlmalloc", "talc"]) {
    const version = name == "dlmalloc" ? "0.2.14" : "5.1.1";
    peers.push(sized(
      `${name} ${version}`,
      'wasm, opt-level "z" + binaryen -O2 shrink 2',
      await shrink(await Deno.readFile(sizeWasm(name))),
    ));
  }
  peers.push(sized(
    `@thi.ng/malloc ${THING_VERSION}`,
    "MemPool, esbuild --minify",
    await bundle(thing, ["--minify"]),
  ));
  // What each extension adds to a consumer of the packed npm package, as
  // tests/ecosystem/sizes.ts measures it (esbuild, gzip -9).
  let extensions: string | undefined;
  try {
    extensions = (await run(Deno.execPath(), ["task", "-q", "sizes"], {
      cwd: ROOT,
    })).trim();
  } catch (error) {
    log(`extension sizes left out: ${(error as Error).message}`);
  }
  return {
    extensions,
    core: sized("core", "lib/core.generated.ts, decoded", coreWasm),
    ext: sized(
      "core extension",
      "lib/core.generated.ts, decoded; loaded on first use",
      extWasm,
    ),
    pkg: sized(
      "mod.ts",
      "all exports",
      await bundle(new URL("mod.ts", ROOT), ["--minify"]),
    ),
    allocOnly: sized(
      "alloc only",
      "`export { alloc } from mod.ts`",
      await bundle(allocOnly, ["--minify"]),
    ),
    peers,
  };
};

// --- scenarios ----------------------------------------------------------

const DENO_RUN = [
  "run",
  `--lock=${path(LOCK)}`,
  "--v8-flags=--expose-gc",
  "--allow-read",
  "--allow-env",
];

/** Runs one scenario process and returns its `RESULT` line, parsed. */
const scenario = async <T>(
  file: string,
  args: string[],
  runtime: "deno" | "node" = "deno",
): Promise<T> => {
  const started = performance.now();
  const script = file.startsWith("/") ? file : path(new URL(file, BENCH));
  const out = runtime == "deno"
    ? await run(Deno.execPath(), [...DENO_RUN, script, ...args], { cwd: ROOT })
    : await run("node", ["--expose-gc", script, ...args], { cwd: ROOT });
  const line = out.split("\n").find((l) => l.startsWith("RESULT "));
  if (!line) throw new Error(`${file} ${args.join(" ")}: no RESULT line`);
  log(
    `${file} ${args.join(" ")} (${runtime}): ${
      ((performance.now() - started) / 1000).toFixed(1)
    } s`,
  );
  return JSON.parse(line.slice("RESULT ".length)) as T;
};

/** How big and how long each scenario runs, full or smoke. */
const plan = smoke
  ? {
    core: ["sizes=1000,10000", "rounds=1", "warmup=0", "ops=1000"],
    ops: [
      [1_000, ["rounds=1", "warmup=0", "ops=1000"]],
      [100_000, ["rounds=1", "warmup=0", "ops=1000"]],
    ] as [number, string[]][],
    runtimes: { live: 1_000, processes: 1, args: ["rounds=1", "warmup=0"] },
    churn: [
      "live=1000",
      "batch=1000",
      "batches=2",
      "rounds=1",
      "warmup=0",
      "thingOps=50",
    ],
    trim: ["rounds=1", "warmup=0"],
    heap: ["count=10000", "rounds=1"],
    growth: ["count=20000"],
    frag: ["scale=0.1"],
    big: {
      cores: ["sizes=1000,10000", "rounds=1", "warmup=0", "churnOps=2000"],
      ops: [1_000, 10_000],
      opsArgs: ["rounds=1", "warmup=0", "ops=1000"],
    },
    pressure: 20_000,
  }
  : {
    core: ["rounds=21"],
    ops: [
      [1_000, ["rounds=21"]],
      [100_000, ["rounds=21"]],
      [1_000_000, ["rounds=7", "warmup=1"]],
    ] as [number, string[]][],
    runtimes: { live: 100_000, processes: 2, args: ["rounds=11"] },
    churn: ["rounds=11"],
    trim: ["rounds=9"],
    heap: ["count=100000", "rounds=5"],
    growth: ["count=200000"],
    frag: [] as string[],
    big: {
      cores: [] as string[],
      ops: [1_000, 1_000_000],
      opsArgs: ["rounds=7", "warmup=1"],
    },
    pressure: 2_000_000,
  };

const runScenarios = async (
  peersArg: string,
): Promise<Omit<Results, "smoke" | "env" | "sizes">> => {
  const core = await scenario<CoreResult>("scenarios/core.ts", plan.core);
  const ops: OpsResult[] = [];
  for (const [live, args] of plan.ops) {
    ops.push(
      await scenario<OpsResult>("scenarios/ops.ts", [`live=${live}`, ...args]),
    );
  }

  log("bundling ops.ts for Node");
  const nodeOps = new URL("node/ops.mjs", TARGET);
  await Deno.mkdir(new URL("node/", TARGET), { recursive: true });
  await Deno.writeTextFile(
    nodeOps,
    await bundle(new URL("scenarios/ops.ts", BENCH), ["--platform=node"]),
  );
  const runtimes = { node: [] as OpsResult[], deno: [] as OpsResult[] };
  const runtimeArgs = [`live=${plan.runtimes.live}`, ...plan.runtimes.args];
  for (let i = 0; i < plan.runtimes.processes; i++) {
    const order = i % 2 ? ["deno", "node"] as const : ["node", "deno"] as const;
    for (const runtime of order) {
      runtimes[runtime].push(
        await scenario<OpsResult>(path(nodeOps), runtimeArgs, runtime),
      );
    }
  }

  const churn = await scenario<ChurnResult>("scenarios/churn.ts", [
    peersArg,
    ...plan.churn,
  ]);
  const trim: TrimResult[] = [];
  for (const keep of [16, 0]) {
    trim.push(
      await scenario<TrimResult>("scenarios/trim.ts", [
        `keep=${keep}`,
        ...plan.trim,
      ]),
    );
  }
  const heap = await scenario<HeapResult>("scenarios/heap.ts", plan.heap);
  const growth = await scenario<GrowthResult>("scenarios/growth.ts", [
    peersArg,
    ...plan.growth,
  ]);
  const frag: FragResult[] = [];
  for (const trace of ["uniform", "log-uniform", "phase"]) {
    for (
      const allocator of [
        "lewd",
        "dlmalloc",
        "talc",
        "@thi.ng/malloc",
        "lewd first fit",
        "lewd next fit",
      ]
    ) {
      frag.push(
        await scenario<FragResult>("scenarios/frag.ts", [
          peersArg,
          `trace=${trace}`,
          `allocator=${allocator}`,
          ...plan.frag,
        ]),
      );
    }
  }
  return {
    core,
    ops,
    runtimes,
    churn,
    trim,
    heap,
    growth,
    frag,
    big: await runBig(peersArg),
    pressure: await runPressure(),
  };
};

/**
 * The big core beside the default core: both alone, `alloc` on each core's
 * heap at the smallest and largest live counts (one process each, in turn),
 * and the fragmentation traces on a big-core heap.
 */
const runBig = async (
  peersArg: string,
): Promise<NonNullable<Results["big"]>> => {
  const cores = await scenario<BigCoreResult>("scenarios/big.ts", [
    peersArg,
    ...plan.big.cores,
  ]);
  const ops: OpsResult[] = [];
  for (const live of plan.big.ops) {
    for (const heap of ["big", "default"]) {
      ops.push(
        await scenario<OpsResult>("scenarios/ops.ts", [
          `live=${live}`,
          `heap=${heap}`,
          ...plan.big.opsArgs,
        ]),
      );
    }
  }
  const frag: FragResult[] = [];
  for (const trace of ["uniform", "log-uniform", "phase"]) {
    frag.push(
      await scenario<FragResult>("scenarios/frag.ts", [
        peersArg,
        `trace=${trace}`,
        "allocator=lewd big",
        ...plan.frag,
      ]),
    );
  }
  return { cores, ops, frag };
};

/**
 * Memory pressure: the churn loop of gc/churn.ts with no forced GC (how close
 * `mem` stays to the live set; docs/CONTRACT.md, section Freeing by the GC),
 * and with `gc()` every 5 000 operations for the cost, in Deno and Node; in
 * headless Chromium too (no forced figure: it needs a flag) when a full run
 * finds it, and in Bun and headless Firefox (tests/engines/), with the pacing
 * as it is and taken out.
 */
const runPressure = async (): Promise<NonNullable<Results["pressure"]>> => {
  const free = [String(plan.pressure), "--result"];
  const forced = [...free, "--gc=5000"];
  log("bundling gc/churn.ts for Node");
  const nodeChurn = new URL("node/churn.mjs", TARGET);
  await Deno.writeTextFile(
    nodeChurn,
    await bundle(new URL("gc/churn.ts", BENCH), ["--platform=node"]),
  );
  const pressure: NonNullable<Results["pressure"]> = [];
  for (const runtime of ["deno", "node"] as const) {
    const file = runtime == "deno" ? "gc/churn.ts" : path(nodeChurn);
    pressure.push({
      runtime,
      free: await scenario<PressureResult>(file, free, runtime),
      forced: await scenario<PressureResult>(file, forced, runtime),
    });
  }
  if (smoke) return pressure;
  try {
    const out = await run("node", [
      path(new URL("gc/run_chromium.mjs", BENCH)),
      String(plan.pressure),
      "--json",
    ], { cwd: ROOT });
    const line = out.trim().split("\n").at(-1)!;
    pressure.push({ runtime: "chromium", free: JSON.parse(line) });
  } catch (error) {
    log(`no Chromium run (${error instanceof Error ? error.message : error})`);
  }
  for (const runtime of ["bun", "firefox"] as const) {
    try {
      const engine = async (...extra: string[]) => {
        const out = await run("deno", [
          "run",
          "-A",
          path(new URL("gc/run_engines.ts", BENCH)),
          runtime,
          ...extra,
          String(plan.pressure),
          "--json",
        ], { cwd: ROOT });
        return JSON.parse(out.trim().split("\n").at(-1)!);
      };
      pressure.push({
        runtime,
        free: await engine(),
        unpaced: await engine("--pacing=off"),
      });
    } catch (error) {
      log(
        `no ${runtime} run (${error instanceof Error ? error.message : error})`,
      );
    }
  }
  return pressure;
};

/** The `deno bench` suite, briefly (smoke only: it proves the suite runs). */
const benchSuite = async () => {
  log("deno bench bench/ops_bench.ts (smoke)");
  await run(Deno.execPath(), [
    "bench",
    `--lock=${path(LOCK)}`,
    "--v8-flags=--expose-gc",
    "--allow-read",
    "--allow-env",
    path(new URL("ops_bench.ts", BENCH)),
  ], { cwd: ROOT, env: { BENCH_SMOKE: "1" } });
};

// --- environment ----------------------------------------------------------

const environment = async (): Promise<Env> => {
  // Deno reads /proc only with --allow-all; cat (or sysctl on macOS) can.
  const cpuinfo = await run("cat", ["/proc/cpuinfo"]).catch(() => "");
  const cpu = cpuinfo.match(/^model name\s*:\s*(.*)$/m)?.[1] ??
    (await version("sysctl", ["-n", "machdep.cpu.brand_string"])).replace(
      /^sysctl: unknown$/,
      Deno.build.arch,
    );
  const memory = Deno.systemMemoryInfo();
  const lockText = await Deno.readTextFile(new URL("Cargo.lock", PEERS));
  const crate = (name: string) =>
    `${name} ${
      lockText.match(new RegExp(`name = "${name}"\\nversion = "([^"]+)"`))
        ?.[1]
    }`;
  const head = await version("git", [
    "-C",
    path(ROOT),
    "rev-parse",
    "--short",
    "HEAD",
  ]);
  const dirty = await run("git", [
    "-C",
    path(ROOT),
    "status",
    "--porcelain",
    "--",
    "mod.ts",
    "src",
    "lib",
    "rs_lib",
  ]).catch(() => "");
  return {
    date: new Date().toISOString().replace(/\.\d+Z$/, "Z"),
    cpu,
    cores: navigator.hardwareConcurrency,
    memory: `${Math.round(memory.total / 2 ** 30)} GiB RAM`,
    os: `${Deno.build.os} ${Deno.osRelease()}`,
    load: Deno.loadavg().map((n) => n.toFixed(2)).join(" "),
    deno: `deno ${Deno.version.deno} (V8 ${Deno.version.v8})`,
    node: `node ${(await version("node", ["--version"])).replace(/^v/, "")}`,
    rustc: await version("rustc", ["--version"]),
    esbuild: ESBUILD_VERSION,
    crates: [crate("dlmalloc"), crate("talc")].join(", "),
    npm: `@thi.ng/malloc ${THING_VERSION}`,
    commit: `${head}${
      dirty.trim()
        ? " with uncommitted changes to mod.ts, src/, lib/ or rs_lib/"
        : ""
    }`,
  };
};

// --- main -------------------------------------------------------------------

/** Rebuilds the table and pages from a saved run (bench/peers/target/results.json). */
const from = Deno.args.find((arg) => arg.startsWith("--from="))?.slice(7);

const measure = async (): Promise<Results> => {
  await buildPeers();
  await installNpm();
  const env = await environment();
  const sizes = await measureSizes();
  if (smoke) await benchSuite();
  const measured = await runScenarios(`peers=${path(PEER_WASM)}`);
  env.load += ` at the start, ${
    Deno.loadavg().map((n) => n.toFixed(2)).join(" ")
  } at the end`;
  return { smoke, env, sizes, ...measured };
};

const started = performance.now();
const results: Results = from
  ? JSON.parse(await Deno.readTextFile(from))
  : await measure();

const table = markdownTable(rows(results));
console.log(table);
if (smoke) {
  // Rendered, not written: the page's code runs on every smoke run.
  resultsMarkdown(results, table, "results.svg");
  chart(results, targets(results));
  log(`smoke run done in ${((performance.now() - started) / 1000).toFixed(0)} s;
  figures from a smoke run mean nothing, RESULTS.md is not written`);
} else {
  const goals = targets(results);
  await Deno.writeTextFile(
    new URL("results.svg", BENCH),
    chart(results, goals),
  );
  await Deno.writeTextFile(
    new URL("RESULTS.md", BENCH),
    resultsMarkdown(results, table, "results.svg"),
  );
  await Deno.writeTextFile(
    new URL("results.json", TARGET),
    JSON.stringify(results, null, 2),
  );
  // The repository's formatter owns the layout of what is committed.
  await run(Deno.execPath(), ["fmt", "bench/RESULTS.md", "bench/results.svg"], {
    cwd: ROOT,
  });
  for (const line of conclusions(results)) log(line);
  log(
    `wrote bench/RESULTS.md and bench/results.svg in ${
      ((performance.now() - started) / 1000).toFixed(0)
    } s`,
  );
}
