/**
 * Shared steps of the ecosystem tests: install the pinned tools, build the
 * npm package with `deno task npm`, pack it, install the tarball into a
 * scratch Node project next to the PRNG example, and run Node tools there.
 *
 * Everything happens in a temporary folder (removed by {@linkcode cleanUp});
 * nothing is written into the work tree but `tests/ecosystem/node_modules`
 * (git-ignored), which `npm ci` fills from `package-lock.json`.
 *
 * @module
 */

import assert from "node:assert/strict";
import {
  FILL_LENGTH,
  FILL_SEED,
  hash,
  SEQUENCE_LENGTH,
  SEQUENCE_SEED,
} from "./fixtures/prng_params.mjs";

export const HERE = new URL(".", import.meta.url).pathname;
export const ROOT = new URL("../../", import.meta.url).pathname;
export const FIXTURES = `${HERE}fixtures/`;
export const TOOLS = `${HERE}tools/`;
export const PACKAGE = "@lewd/alloc";
export const EXAMPLE = `${ROOT}examples/prng/prng.ts`;

/**
 * Where the package's sources are, from the repository root: the entry, and
 * the folders of the modules it imports. Every `.ts` file found there (but
 * declarations) is shipped: to JSR as it is, to npm as `.js` + `.d.ts`.
 */
export const SOURCES = ["mod.ts", "src/", "lib/"];

/** Every `.ts` module under `SOURCES`, relative to the root, sorted. */
async function sourceFiles(): Promise<string[]> {
  const files: string[] = [];
  const walk = async (path: string): Promise<void> => {
    const info = await Deno.stat(`${ROOT}${path}`).catch((error) => {
      if (error instanceof Deno.errors.NotFound) return null;
      throw error;
    });
    if (info?.isDirectory) {
      for await (const entry of Deno.readDir(`${ROOT}${path}`)) {
        await walk(`${path.replace(/\/?$/, "/")}${entry.name}`);
      }
    } else if (info && path.endsWith(".ts") && !path.endsWith(".d.ts")) {
      files.push(path);
    }
  };
  for (const source of SOURCES) await walk(source);
  return files.sort();
}

/** The package's TypeScript modules, as they are in the repository. */
export const SOURCE_FILES: string[] = await sourceFiles();

/**
 * The documents both packages carry besides the README and the license: the
 * files of `deno.json`'s `publish.include` that are not modules of the
 * package, sorted.
 */
async function documentFiles(): Promise<string[]> {
  const config = JSON.parse(await Deno.readTextFile(`${ROOT}deno.json`));
  const files: string[] = [];
  const walk = async (path: string): Promise<void> => {
    if (!path.endsWith("/")) {
      files.push(path);
      return;
    }
    for await (const entry of Deno.readDir(`${ROOT}${path}`)) {
      await walk(`${path}${entry.name}${entry.isDirectory ? "/" : ""}`);
    }
  };
  for (const entry of config.publish.include as string[]) {
    if (!SOURCES.includes(entry)) await walk(entry);
  }
  return files.filter((file) =>
    !["deno.json", "README.md", "LICENSE"].includes(file)
  ).sort();
}

/** The documents and examples shipped as they are (see `documentFiles`). */
export const DOCUMENT_FILES: string[] = await documentFiles();

/**
 * The files the npm package must hold, and nothing else: each source module
 * as `.js` and `.d.ts`, the documents as they are, the README, the license
 * and the package.json.
 */
export const PACKAGE_FILES: string[] = [
  ...SOURCE_FILES.flatMap((file) => {
    const stem = file.replace(/\.ts$/, "");
    return [`${stem}.js`, `${stem}.d.ts`];
  }),
  ...DOCUMENT_FILES,
  "LICENSE",
  "README.md",
  "package.json",
].sort();

/**
 * Copies the package's JavaScript files (`PACKAGE_FILES`' `.js`), folders
 * kept, from an installed package to `to`: the code as a user would vendor
 * or serve it, without the package.json.
 */
export async function copyPackageJs(from: string, to: string): Promise<void> {
  for (const file of PACKAGE_FILES.filter((file) => file.endsWith(".js"))) {
    const target = `${to}/${file}`;
    await Deno.mkdir(target.slice(0, target.lastIndexOf("/")), {
      recursive: true,
    });
    await Deno.copyFile(`${from}/${file}`, target);
  }
}

export interface Output {
  stdout: string;
  stderr: string;
}

/** Runs a command; throws with its output if it fails. */
export async function sh(
  command: string,
  args: string[],
  options: { cwd?: string; env?: Record<string, string> } = {},
): Promise<Output> {
  const { code, stdout, stderr } = await new Deno.Command(command, {
    args,
    cwd: options.cwd ?? ROOT,
    env: options.env,
    stdin: "null",
    stdout: "piped",
    stderr: "piped",
  }).output();
  const out = {
    stdout: new TextDecoder().decode(stdout),
    stderr: new TextDecoder().decode(stderr),
  };
  if (code != 0) {
    throw new Error(
      `${command} ${
        args.join(" ")
      } exited with ${code}\n${out.stdout}\n${out.stderr}`,
    );
  }
  return out;
}

const mtime = async (path: string) =>
  (await Deno.stat(path).catch(() => null))?.mtime?.getTime() ?? -1;

/**
 * `npm ci` in tests/ecosystem unless its node_modules is already newer than
 * the lock file (npm writes node_modules/.package-lock.json on install).
 */
export async function installTools(): Promise<void> {
  const lock = await mtime(`${HERE}package-lock.json`);
  const installed = await mtime(`${HERE}node_modules/.package-lock.json`);
  if (installed >= lock) return;
  await sh("npm", ["ci", "--no-audit", "--no-fund", "--loglevel=error"], {
    cwd: HERE,
  });
}

/** Runs a Node tool from tools/ with a JSON argument; parses its JSON output. */
export async function tool<T>(name: string, ...args: string[]): Promise<T> {
  const { stdout } = await sh("node", [`${TOOLS}${name}`, ...args], {
    cwd: HERE,
  });
  return JSON.parse(stdout) as T;
}

export interface BundleJob {
  kind: "example" | "esbuild" | "rollup";
  entry: string;
  out: string;
  cwd?: string;
  format?: "esm" | "iife";
}

export interface BundleReport extends BundleJob {
  bytes: number;
  gzip: number;
}

/** Bundles with the pinned esbuild / rollup + terser (tools/bundle.mjs). */
export const bundle = (jobs: BundleJob[]): Promise<BundleReport[]> =>
  tool<BundleReport[]>("bundle.mjs", JSON.stringify(jobs));

export interface Workspace {
  /** The temporary folder holding all of it. */
  dir: string;
  /** What `deno task npm --out` built. */
  npm: string;
  /** The packed tarball. */
  tarball: string;
  /** Files in the tarball, as `npm pack --json` lists them. */
  packed: string[];
  /** A Node project with the tarball installed, the example and fixtures. */
  consumer: string;
}

/**
 * Builds, packs and installs the package into a fresh Node project that
 * also holds the example (as prng.mjs) and the fixtures.
 */
export async function setUp(): Promise<Workspace> {
  await installTools();
  const dir = await Deno.makeTempDir({ prefix: "lewd-ecosystem-" });
  const npm = `${dir}/npm`;
  await sh(Deno.execPath(), ["task", "npm", "--out", npm]);

  const pack = await sh("npm", [
    "pack",
    "--json",
    "--pack-destination",
    dir,
    npm,
  ], { cwd: dir });
  const [packInfo] = JSON.parse(pack.stdout) as {
    filename: string;
    files: { path: string }[];
  }[];
  const tarball = `${dir}/${packInfo.filename}`;

  const consumer = `${dir}/consumer`;
  await Deno.mkdir(consumer);
  await Deno.writeTextFile(
    `${consumer}/package.json`,
    JSON.stringify({ name: "consumer", private: true, type: "module" }),
  );
  await sh("npm", [
    "install",
    "--no-audit",
    "--no-fund",
    "--loglevel=error",
    tarball,
  ], { cwd: consumer });
  for (const file of ["prng_run.mjs", "prng_params.mjs", "node_main.mjs"]) {
    await Deno.copyFile(`${FIXTURES}${file}`, `${consumer}/${file}`);
  }
  await bundle([{
    kind: "example",
    entry: EXAMPLE,
    out: `${consumer}/prng.mjs`,
  }]);
  const example = await Deno.readTextFile(`${consumer}/prng.mjs`);
  assert(
    example.includes(`from "${PACKAGE}"`) && !example.includes("mod.ts"),
    "the bundled example imports the package, not mod.ts",
  );
  return {
    dir,
    npm,
    tarball,
    packed: packInfo.files.map((file) => file.path).sort(),
    consumer,
  };
}

export const cleanUp = (workspace: Workspace): Promise<void> =>
  Deno.remove(workspace.dir, { recursive: true });

/** What fixtures/prng_run.mjs reports. */
export interface RunResult {
  checks: Record<string, boolean>;
  sequence: number[];
  fillHash: number;
  gc: boolean;
  bytes: Record<string, number>;
  resizes: number;
}

/**
 * What the example computes straight from the repository's sources in this
 * Deno process: every other place it runs must agree.
 */
export async function expectedRun(): Promise<
  Pick<RunResult, "sequence" | "fillHash">
> {
  const { MyPRNG } = await import("../../examples/prng/prng.ts");
  const rng = new MyPRNG(SEQUENCE_SEED);
  const filler = new MyPRNG(FILL_SEED);
  return {
    sequence: Array.from({ length: SEQUENCE_LENGTH }, () => rng.rand()),
    fillHash: hash(Array.from({ length: FILL_LENGTH }, () => filler.rand())),
  };
}

/**
 * Fails, naming each check that did not hold, or if the run's numbers differ
 * from `expected` (what the example computes in this Deno process).
 */
export function assertChecks(
  where: string,
  result: RunResult,
  expected: Pick<RunResult, "sequence" | "fillHash">,
): void {
  assert.deepEqual(
    result.sequence,
    expected.sequence,
    `${where}: same numbers as in Deno`,
  );
  assert.equal(
    result.fillHash,
    expected.fillHash,
    `${where}: same fill as in Deno`,
  );
  const failed = Object.entries(result.checks)
    .filter(([, ok]) => ok !== true)
    .map(([name]) => name);
  assert(
    failed.length == 0,
    `${where}: checks failed: ${failed.join(", ")}\n${
      JSON.stringify(result.bytes)
    }`,
  );
}

/** What fixtures/reclaim_run.mjs reports: tokens, then watched tokens. */
export interface ReclaimResult {
  gc: boolean;
  before: number;
  grown: number;
  released: number;
  after: number;
  ms: number;
  watched?: ReclaimResult;
}

/**
 * reclaim() ran where nothing could force a collection and gave back all of
 * `mem` but one page: the 100 000 dropped tokens were collected.
 */
export function assertReclaimed(result: ReclaimResult): void {
  assert(result.watched, "the watched tokens were tried too");
  for (const each of [result, result.watched]) reclaimedAll(each);
}

/** All of `mem` but one page came back. */
function reclaimedAll(result: ReclaimResult): void {
  assert(!result.gc, "no gc() where reclaim is tried");
  assert(result.grown >= 1_600_000, "100 000 × 16 bytes were allocated");
  assert(
    result.released == result.grown - 65536 && result.after == 65536,
    `reclaim released ${result.released} of ${result.grown} bytes`,
  );
}
