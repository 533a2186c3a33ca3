/**
 * What the package costs a consumer's bundle, min+gzip, measured the way
 * size-limit does: small consumers of the packed and installed npm package
 * (see `setUp` in _setup.ts), bundled and minified with the pinned esbuild
 * (`--bundle --minify --format=esm`) or rollup + @rollup/plugin-terser, then
 * gzip -9 (tools/bundle.mjs).
 *
 * size.test.ts holds the budgets of the `alloc`-only and basic-API consumers.
 * This module also measures the marginal cost of each extension of the API
 * over the basic-API consumer, and prints it as a markdown table (no budget):
 *
 *     deno task sizes
 *
 * From another script (the bench), with a workspace from `setUp`:
 *
 * ```ts
 * import { setUp, cleanUp } from "../tests/ecosystem/_setup.ts";
 * import { extensionCosts, extensionTable } from "../tests/ecosystem/sizes.ts";
 *
 * const workspace = await setUp();
 * console.log(extensionTable(await extensionCosts(workspace)));
 * await cleanUp(workspace);
 * ```
 *
 * @module
 */

import {
  bundle,
  type BundleReport,
  cleanUp,
  PACKAGE,
  setUp,
  sh,
  type Workspace,
} from "./_setup.ts";

export type Bundler = "esbuild" | "rollup";
export const BUNDLERS: readonly Bundler[] = ["esbuild", "rollup"];

/** The basic API: what a program that only allocates and trims imports. */
export const BASIC = [
  "alloc",
  "trim",
  "bind",
  "watch",
  "mem",
  "buf",
  "i32",
  "cap",
] as const;

/** Imports `alloc` alone, and allocates. */
export const ALLOC_ONLY = `import { alloc } from "${PACKAGE}";
const owner = {};
globalThis.lewdResult = [alloc(16, owner), alloc(16, owner), alloc(64)];
globalThis.lewdOwner = owner;
`;

/**
 * Uses the basic API as a program would: an owned allocation with a view that
 * a watcher renews, a bound instance, a scratch that grows the memory, a trim.
 * With `keep`, also imports those exports and keeps each of them (stored in a
 * global, so that a bundler must keep its code; a call would keep no more).
 */
export const basicConsumer = (keep: readonly string[] = []): string =>
  `import { ${[...BASIC, ...keep].join(", ")} } from "${PACKAGE}";
const owner = {};
const ptr = alloc(64, owner);
let view = new Int32Array(buf, ptr, 16);
watch(() => {
  view = new Int32Array(buf, ptr, 16);
}, owner);
const spawned = bind(() => "spawned", () => {});
alloc(1 << 20);
const released = trim();
globalThis.lewdResult = {
  ptr,
  spawned,
  released,
  views: buf === mem.buffer && cap * 16 == buf.byteLength &&
    i32.length * 4 == buf.byteLength && view.length == 16,
};
globalThis.lewdOwner = owner;
${keep.length ? `globalThis.lewdKeep = [${keep.join(", ")}];\n` : ""}`;

/** Compiles the extension too: a strong allocation, freed. */
export const STRONG = `import { free, malloc } from "${PACKAGE}";
free(malloc(16));
globalThis.lewdResult = "freed";
`;

/** Imports every export, uses none: a bundler must leave nothing of it. */
export const unusedConsumer = (exports: readonly string[]): string =>
  `import { ${exports.join(", ")} } from "${PACKAGE}";
console.log("nothing used");
`;

/** The extensions of the API, each measured over the basic-API consumer. */
export const EXTENSIONS: readonly { name: string; exports: string[] }[] = [
  {
    name: "C API and `imports`",
    exports: ["malloc", "calloc", "realloc", "free", "imports"],
  },
  { name: "`lease`", exports: ["lease"] },
  { name: "`reclaim`", exports: ["reclaim"] },
  { name: "`allocMovable` / `compact`", exports: ["allocMovable", "compact"] },
  { name: "`own` / `disown`", exports: ["own", "disown"] },
  { name: "`protect` / `restrict`", exports: ["protect", "restrict"] },
  { name: "data segments (`bindSegments`)", exports: ["bindSegments"] },
  { name: "alignment (`allocAligned`)", exports: ["allocAligned"] },
  { name: "`createHeap`", exports: ["createHeap"] },
  {
    name: "shared heaps",
    exports: ["createSharedHeap", "joinSharedHeap"],
  },
  { name: "`policy`", exports: ["policy"] },
  { name: "`stats` / `limit` / `grow`", exports: ["stats", "limit", "grow"] },
  {
    name: "`debug` / `check` / `render` / `spans`",
    exports: ["debug", "check", "render", "spans"],
  },
];

/** The names the installed package exports, as Node imports it. */
export async function packageExports(workspace: Workspace): Promise<string[]> {
  const { stdout } = await sh("node", [
    "--input-type=module",
    "-e",
    `const m = await import(${JSON.stringify(PACKAGE)});
process.stdout.write(JSON.stringify(Object.keys(m).sort()));`,
  ], { cwd: workspace.consumer });
  return JSON.parse(stdout);
}

/** Where `measure` writes a consumer and its bundles. */
const paths = (workspace: Workspace, name: string, kind: Bundler) => ({
  entry: `${workspace.consumer}/size/${name}.mjs`,
  out: `${workspace.consumer}/size/dist/${name}.${kind}.js`,
});

/**
 * Bundles each consumer (name → source) with each bundler; returns the
 * reports by `name` and bundler.
 */
export async function measure(
  workspace: Workspace,
  consumers: Record<string, string>,
  bundlers: readonly Bundler[] = BUNDLERS,
): Promise<Record<string, Partial<Record<Bundler, BundleReport>>>> {
  await Deno.mkdir(`${workspace.consumer}/size/dist`, { recursive: true });
  for (const [name, code] of Object.entries(consumers)) {
    await Deno.writeTextFile(paths(workspace, name, "esbuild").entry, code);
  }
  const reports = await bundle(
    Object.keys(consumers).flatMap((name) =>
      bundlers.map((kind) => ({
        kind,
        cwd: workspace.consumer,
        ...paths(workspace, name, kind),
        format: "esm" as const,
      }))
    ),
  );
  const result: Record<string, Partial<Record<Bundler, BundleReport>>> = {};
  for (const name of Object.keys(consumers)) {
    result[name] = {};
    for (const kind of bundlers) {
      result[name][kind] = reports.find((report) =>
        report.out == paths(workspace, name, kind).out
      );
    }
  }
  return result;
}

/** One extension's cost over the basic-API consumer. */
export interface ExtensionCost {
  name: string;
  exports: string[];
  /** The exports the package lacks: then nothing was measured. */
  missing: string[];
  /** Basic API + the extension, minified / gzip -9 (bytes). */
  bytes?: number;
  gzip?: number;
  /** Less the basic-API consumer's. */
  extraBytes?: number;
  extraGzip?: number;
}

/**
 * Measures each extension of `EXTENSIONS` (and all of them together) over the
 * basic-API consumer, with one bundler (esbuild unless told).
 */
export async function extensionCosts(
  workspace: Workspace,
  kind: Bundler = "esbuild",
): Promise<{ basic: BundleReport; costs: ExtensionCost[] }> {
  const available = new Set(await packageExports(workspace));
  const every = EXTENSIONS.flatMap((extension) => extension.exports);
  const lacking = every.filter((name) => !available.has(name));
  const all = {
    name: `all of the above${
      lacking.length ? ` but ${lacking.join(", ")}` : ""
    }`,
    exports: every.filter((name) => available.has(name)),
  };
  const extensions = [...EXTENSIONS, all].map((extension) => ({
    ...extension,
    missing: extension.exports.filter((name) => !available.has(name)),
  }));
  const consumers: Record<string, string> = { basic: basicConsumer() };
  extensions.forEach((extension, i) => {
    if (!extension.missing.length) {
      consumers[`extension-${i}`] = basicConsumer(extension.exports);
    }
  });
  const reports = await measure(workspace, consumers, [kind]);
  const basic = reports.basic[kind]!;
  return {
    basic,
    costs: extensions.map((extension, i) => {
      const report = reports[`extension-${i}`]?.[kind];
      return report
        ? {
          ...extension,
          bytes: report.bytes,
          gzip: report.gzip,
          extraBytes: report.bytes - basic.bytes,
          extraGzip: report.gzip - basic.gzip,
        }
        : extension;
    }),
  };
}

const int = (n: number) => n.toLocaleString("en-US");
const signed = (n: number) => (n >= 0 ? "+" : "−") + int(Math.abs(n));

/** The costs of `extensionCosts` as a markdown table. */
export function extensionTable(
  { basic, costs }: { basic: BundleReport; costs: ExtensionCost[] },
): string {
  return [
    `Marginal cost over the basic API (${BASIC.join(", ")}: ${
      int(basic.bytes)
    } B minified, ${int(basic.gzip)} B gzip -9), ${basic.kind} --minify:`,
    "",
    "| extension | exports | minified | + minified | gzip -9 | + gzip -9 |",
    "| --- | --- | ---: | ---: | ---: | ---: |",
    ...costs.map((cost) =>
      cost.missing.length
        ? `| ${cost.name} | ${cost.exports.join(", ")} | not exported: ${
          cost.missing.join(", ")
        } | | | |`
        : `| ${cost.name} | ${cost.exports.join(", ")} | ${
          int(cost.bytes!)
        } | ${signed(cost.extraBytes!)} | ${int(cost.gzip!)} | ${
          signed(cost.extraGzip!)
        } |`
    ),
  ].join("\n");
}

if (import.meta.main) {
  const workspace = await setUp();
  try {
    console.log(extensionTable(await extensionCosts(workspace)));
  } finally {
    await cleanUp(workspace);
  }
}
