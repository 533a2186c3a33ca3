// Bundles for tests/ecosystem, run by Node with the tools pinned in
// ../package-lock.json. Reads one JSON job list from argv[2], prints one JSON
// report on stdout: for each job, the output path and its size, minified and
// gzip -9. Jobs:
//
//   { "kind": "example", "entry": "/abs/prng.ts", "out": "/abs/prng.mjs" }
//     The example as a plain ES module: its local imports bundled in, its
//     import of the repository's mod.ts rewritten to the package name.
//   { "kind": "esbuild" | "rollup", "cwd": "/abs/consumer",
//     "entry": "/abs/x.mjs", "out": "/abs/x.js", "format": "esm" | "iife" }
//     A consumer bundled and minified as a user would: esbuild --minify, or
//     rollup with @rollup/plugin-node-resolve and @rollup/plugin-terser
//     (defaults), "@lewd/alloc" resolved from cwd's node_modules.

import { readFile } from "node:fs/promises";
import process from "node:process";
import { gzipSync } from "node:zlib";
import * as esbuild from "esbuild";
import { rollup } from "rollup";
import nodeResolve from "@rollup/plugin-node-resolve";
import terser from "@rollup/plugin-terser";

const PACKAGE = "@lewd/alloc";

/** Rewrites the example's `../../mod.ts` to the package, left external. */
const packageForMod = {
  name: "package-for-mod",
  setup(build) {
    build.onResolve({ filter: /(^|\/)mod\.ts$/ }, () => ({
      path: PACKAGE,
      external: true,
    }));
  },
};

const jobs = {
  async example({ entry, out }) {
    await esbuild.build({
      entryPoints: [entry],
      outfile: out,
      bundle: true,
      format: "esm",
      platform: "neutral",
      target: "es2022",
      plugins: [packageForMod],
      logLevel: "error",
    });
  },
  async esbuild({ cwd, entry, out, format }) {
    await esbuild.build({
      absWorkingDir: cwd,
      entryPoints: [entry],
      outfile: out,
      bundle: true,
      minify: true,
      format,
      platform: "browser",
      target: "es2022",
      logLevel: "error",
    });
  },
  async rollup({ cwd, entry, out, format }) {
    const bundle = await rollup({
      input: entry,
      plugins: [nodeResolve({ rootDir: cwd, browser: true }), terser()],
      onwarn(warning, warn) {
        // An empty bundle is what the tree-shaking tests want.
        if (warning.code != "EMPTY_BUNDLE") warn(warning);
      },
    });
    await bundle.write({ file: out, format: format == "esm" ? "es" : format });
    await bundle.close();
  },
};

const report = [];
for (const job of JSON.parse(process.argv[2])) {
  await jobs[job.kind](job);
  const code = await readFile(job.out);
  report.push({
    ...job,
    bytes: code.length,
    gzip: gzipSync(code, { level: 9 }).length,
  });
}
await esbuild.stop();
process.stdout.write(JSON.stringify(report) + "\n");
