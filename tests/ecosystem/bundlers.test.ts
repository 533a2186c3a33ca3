// The bundler path: small consumers of the installed package, bundled and
// minified with esbuild and with rollup + terser, must keep only what they
// use. Prints the sizes (minified, gzip -9) for the bench table.

import assert from "node:assert/strict";
import {
  bundle,
  type BundleReport,
  cleanUp,
  copyPackageJs,
  PACKAGE,
  setUp,
} from "./_setup.ts";

/**
 * What each consumer does with `from`: the package (whose package.json says
 * sideEffects: false), or its files copied without a package.json, where
 * only the /*#__PURE__*\/ annotations in the code can tell a bundler what
 * it may drop (as for a copy vendored or served from another registry).
 */
const consumers = (from: string) => ({
  // Imports everything and uses nothing: a bundler must drop it all (the
  // memory, the core's instantiation, the registries).
  "unused":
    `import { alloc, allocAligned, bind, buf, calloc, cap, check, createHeap, debug, disown, free, grow, i32, imports, lease, limit, malloc, mem, own, policy, protect, realloc, render, restrict, spans, stats, trim, unwatch, watch } from "${from}";
console.log("nothing used");
`,
  // alloc alone: trim's, watch's and the strong allocations' code must go.
  "alloc-only": `import { alloc } from "${from}";
const owner = {};
globalThis.lewdResult = [alloc(16, owner), alloc(16, owner), alloc(64)];
globalThis.lewdOwner = owner;
`,
  // The whole package, as a library re-exporting it would ship it.
  "whole": `export * from "${from}";
`,
});
const CONSUMERS = {
  ...consumers(PACKAGE),
  "bare-import": `import "${PACKAGE}";
console.log("nothing used");
`,
  ...Object.fromEntries(
    Object.entries(consumers("./raw/mod.js")).map((
      [name, code],
    ) => [`raw-${name}`, code]),
  ) as { [K in `raw-${keyof ReturnType<typeof consumers>}`]: string },
};
type Consumer = keyof typeof CONSUMERS;
const UNUSED = ["unused", "bare-import", "raw-unused"] as const;
const BUNDLERS = ["esbuild", "rollup"] as const;

/** Text that only a function's own code contains, in any minified form. */
const MARKERS = {
  trim: /trim:/, // its RangeError ("trim: cannot create a memory of …")
  watch: /new WeakRef\b|["'`]watcher["'`]/, // its token list; its argument check's name
  core: /WebAssembly\.Module\b/, // the core's synchronous compile
  memory: /WebAssembly\.Memory\b/, // the initial mem
  // The strong API: the address check of free/realloc/own/disown, calloc's product.
  strong: /is not the address of a live|count \* size must be/,
  // The tools: protect's, render's, the alignments' and createHeap's messages.
  tools:
    /is not free \(it overlaps|render: |align must be|createHeap: |policy: /,
};

Deno.test("bundlers: esbuild and rollup + terser keep only what a consumer uses", async (t) => {
  const workspace = await setUp();
  try {
    const jobs = BUNDLERS.flatMap((kind) =>
      (Object.keys(CONSUMERS) as Consumer[]).map((name) => ({
        kind,
        cwd: workspace.consumer,
        entry: `${workspace.consumer}/${name}.mjs`,
        out: `${workspace.consumer}/dist/${name}.${kind}.js`,
        format: "esm" as const,
      }))
    );
    await copyPackageJs(
      `${workspace.consumer}/node_modules/${PACKAGE}`,
      `${workspace.consumer}/raw`,
    );
    for (const [name, code] of Object.entries(CONSUMERS)) {
      await Deno.writeTextFile(`${workspace.consumer}/${name}.mjs`, code);
    }
    const reports = await bundle(jobs);
    const output = new Map<string, { report: BundleReport; code: string }>();
    for (const report of reports) {
      output.set(report.out, {
        report,
        code: await Deno.readTextFile(report.out),
      });
    }
    const get = (kind: string, name: Consumer) =>
      output.get(`${workspace.consumer}/dist/${name}.${kind}.js`)!;

    for (const kind of BUNDLERS) {
      await t.step(
        `${kind}: a consumer that uses nothing keeps no WebAssembly.Module`,
        () => {
          for (const name of UNUSED) {
            const { code } = get(kind, name);
            assert.doesNotMatch(
              code,
              MARKERS.core,
              `${name}: the core's compile is gone`,
            );
            assert.doesNotMatch(code, MARKERS.trim, `${name}: trim is gone`);
            assert.doesNotMatch(code, MARKERS.watch, `${name}: watch is gone`);
          }
        },
      );

      await t.step(
        `${kind}: a consumer that uses nothing keeps no WebAssembly at all`,
        () => {
          for (const name of UNUSED) {
            const { code } = get(kind, name);
            assert.doesNotMatch(
              code,
              /WebAssembly/,
              `${name}: the initial memory is still created:\n${code}`,
            );
            assert.equal(
              code.replace(/\s+/g, ""),
              'console.log("nothingused");',
            );
          }
        },
      );

      await t.step(
        `${kind}: an alloc-only consumer drops trim, watch and the strong API`,
        () => {
          for (const name of ["alloc-only", "raw-alloc-only"] as const) {
            const { code } = get(kind, name);
            assert.match(code, MARKERS.core, `${name}: the core is kept`);
            assert.match(code, MARKERS.memory, `${name}: the memory is kept`);
            assert.doesNotMatch(
              code,
              MARKERS.trim,
              `${name}: trim's code is gone`,
            );
            assert.doesNotMatch(
              code,
              MARKERS.watch,
              `${name}: watch's code is gone`,
            );
            assert.doesNotMatch(
              code,
              MARKERS.strong,
              `${name}: malloc's, free's and the pointer kinds' code is gone`,
            );
            assert.doesNotMatch(
              code,
              MARKERS.tools,
              `${name}: protect's and the debugger's code is gone`,
            );
          }
        },
      );

      await t.step(`${kind}: the whole package keeps trim and watch`, () => {
        for (const name of ["whole", "raw-whole"] as const) {
          const { code } = get(kind, name);
          for (const marker of Object.values(MARKERS)) {
            assert.match(code, marker, name);
          }
        }
      });

      await t.step(`${kind}: the minified bundles run`, async () => {
        const run = async (name: Consumer, script: string) => {
          const file = `${workspace.consumer}/dist/run-${name}.${kind}.mjs`;
          await Deno.writeTextFile(file, script);
          const { stdout } = await new Deno.Command("node", {
            args: [file],
            stdout: "piped",
            stderr: "inherit",
          }).output();
          return JSON.parse(new TextDecoder().decode(stdout));
        };
        assert.deepEqual(
          await run(
            "alloc-only",
            `await import("./alloc-only.${kind}.js");
console.log(JSON.stringify(globalThis.lewdResult));`,
          ),
          [16, 32, 48],
          "first allocations at 16, 32; the scratch right after",
        );
        assert.deepEqual(
          await run(
            "whole",
            `const lewd = await import("./whole.${kind}.js");
const owner = {};
const events = [];
const ptr = lewd.alloc(1 << 20, owner);
lewd.watch(() => events.push("watch"), owner);
const spawned = lewd.bind(() => "spawned", () => events.push("respawn"));
const before = lewd.mem.buffer.byteLength;
lewd.alloc(4 << 20); // a scratch: mem grows, the watcher runs
const grown = lewd.mem.buffer.byteLength;
const released = lewd.trim(); // gives the growth back: respawn, then watcher
const after = lewd.mem.buffer.byteLength;
console.log(JSON.stringify({
  ptr,
  spawned,
  events,
  grew: grown > before,
  released: released == grown - after && after > 1 << 20 && after < grown,
  views: lewd.buf === lewd.mem.buffer && lewd.cap * 16 == after &&
    lewd.i32.length * 4 == after,
}));`,
          ),
          {
            ptr: 16,
            spawned: "spawned",
            events: ["watch", "respawn", "watch"],
            grew: true,
            released: true,
            views: true,
          },
        );
      });
    }

    await t.step("sizes (bytes: minified / gzip -9)", () => {
      const rows = BUNDLERS.flatMap((kind) =>
        (["whole", "alloc-only", "unused"] as const).map((name) => {
          const { report } = get(kind, name);
          return `| ${
            kind == "esbuild" ? "esbuild --minify" : "rollup + terser"
          } | ${name} | ${report.bytes} | ${report.gzip} |`;
        })
      );
      console.log(
        [
          "",
          "| bundler | consumer | minified | gzip -9 |",
          "| --- | --- | ---: | ---: |",
          ...rows,
        ]
          .join("\n"),
      );
      for (const kind of BUNDLERS) {
        const whole = get(kind, "whole").report;
        const allocOnly = get(kind, "alloc-only").report;
        assert.ok(
          allocOnly.bytes < whole.bytes,
          `${kind}: alloc-only is smaller`,
        );
      }
    });
  } finally {
    await cleanUp(workspace);
  }
});
