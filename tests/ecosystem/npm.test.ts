// The npm path: `deno task npm` builds the package, `npm pack` packs it, a
// fresh Node project installs the tarball, and the PRNG example runs there
// under Node 20+ with the same results as from the sources in Deno. A
// TypeScript consumer type-checks against the shipped declarations.

import assert from "node:assert/strict";
import {
  assertChecks,
  assertReclaimed,
  cleanUp,
  expectedRun,
  FIXTURES,
  HERE,
  PACKAGE,
  PACKAGE_FILES,
  type ReclaimResult,
  ROOT,
  type RunResult,
  setUp,
  sh,
} from "./_setup.ts";

Deno.test("npm: build, pack, install and run the PRNG example in Node", async (t) => {
  const workspace = await setUp();
  try {
    await t.step(
      "npm/ holds ESM .js, .d.ts, package.json, README, LICENSE",
      async () => {
        const files: string[] = [];
        const walk = async (dir: string, prefix = "") => {
          for await (const entry of Deno.readDir(dir)) {
            if (entry.isDirectory) {
              await walk(`${dir}/${entry.name}`, `${prefix}${entry.name}/`);
            } else files.push(prefix + entry.name);
          }
        };
        await walk(workspace.npm);
        assert.deepEqual(files.sort(), PACKAGE_FILES);
        assert.deepEqual(
          workspace.packed,
          PACKAGE_FILES,
          "npm pack ships exactly these",
        );

        // The facade re-exports; each module of src/ holds its code.
        const mod = await Deno.readTextFile(`${workspace.npm}/mod.js`);
        assert.match(mod, /from "\.\/src\/alloc\.js"/);
        const core = await Deno.readTextFile(`${workspace.npm}/src/core.js`);
        assert.match(core, /from "\.\.\/lib\/core\.generated\.js"/);
        for (const file of files.filter((file) => file.endsWith(".js"))) {
          const code = await Deno.readTextFile(`${workspace.npm}/${file}`);
          assert.doesNotMatch(code, /\.ts["']/, `${file}: no .ts import left`);
          assert.doesNotMatch(
            code,
            /:\s*(number|string|WeakKey)\b[,)=]/,
            `${file}: types stripped`,
          );
        }
        const alloc = await Deno.readTextFile(`${workspace.npm}/src/alloc.js`);
        assert.match(
          alloc,
          /export const alloc =\s*\/\*#__PURE__\*\/ allocOn\(/,
        );
        const bind = await Deno.readTextFile(`${workspace.npm}/src/bind.js`);
        assert.match(bind, /\/\*#__NO_SIDE_EFFECTS__\*\/ function bind\(/);
        const types = (await Promise.all(
          files.filter((file) => file.endsWith(".d.ts")).map((file) =>
            Deno.readTextFile(`${workspace.npm}/${file}`)
          ),
        )).join("\n");
        assert.match(types, /export declare const alloc: /);
        for (const name of ["trim", "bind", "watch"]) {
          assert.match(types, new RegExp(`export declare function ${name}\\b`));
        }
        for (const name of ["mem", "buf", "i32", "cap"]) {
          assert.match(types, new RegExp(`export declare let ${name}: `));
        }
        assert.match(
          types,
          /@example/,
          "doc comments kept in the declarations",
        );
      },
    );

    await t.step(
      "package.json: name, version, exports, types, sideEffects",
      async () => {
        const denoJson = JSON.parse(
          await Deno.readTextFile(`${ROOT}deno.json`),
        );
        const pkg = JSON.parse(
          await Deno.readTextFile(`${workspace.npm}/package.json`),
        );
        assert.equal(pkg.name, PACKAGE);
        assert.equal(pkg.name, denoJson.name);
        assert.equal(pkg.version, denoJson.version);
        assert.equal(pkg.license, denoJson.license);
        assert.equal(pkg.type, "module");
        assert.deepEqual(pkg.exports, {
          ".": { types: "./mod.d.ts", default: "./mod.js" },
        });
        assert.equal(pkg.types, "./mod.d.ts");
        assert.equal(pkg.main, "./mod.js");
        assert.equal(pkg.sideEffects, false);
        assert.ok(
          typeof pkg.description == "string" && pkg.description.length > 10,
        );
        assert.equal(pkg.dependencies, undefined, "no runtime dependencies");
        const license = await Deno.readTextFile(`${ROOT}LICENSE`);
        assert.equal(
          await Deno.readTextFile(`${workspace.npm}/LICENSE`),
          license,
        );
      },
    );

    await t.step(
      "the PRNG example runs under Node from the installed tarball",
      async () => {
        const { stdout } = await sh("node", ["--expose-gc", "node_main.mjs"], {
          cwd: workspace.consumer,
        });
        const { node, result } = JSON.parse(stdout) as {
          node: string;
          result: RunResult;
        };
        const major = Number(node.match(/^v(\d+)/)![1]);
        assert.ok(major >= 20, `Node ${node}: the package targets Node 20+`);
        assert.ok(result.gc, "node --expose-gc gave the driver gc()");
        assertChecks(`Node ${node}`, result, await expectedRun());
        assert.ok(
          result.bytes.releasedAfterChurn > 0,
          "trim() gave the churn's pages back",
        );
      },
    );

    await t.step(
      "reclaim() under Node without --expose-gc gives back dropped tokens' memory",
      async () => {
        for (const file of ["reclaim_run.mjs", "reclaim_main.mjs"]) {
          await Deno.copyFile(
            `${FIXTURES}${file}`,
            `${workspace.consumer}/${file}`,
          );
        }
        const { stdout } = await sh("node", ["reclaim_main.mjs"], {
          cwd: workspace.consumer,
        });
        const result = JSON.parse(stdout) as ReclaimResult;
        console.log(`Node reclaim: ${stdout.trim()}`);
        assertReclaimed(result);
      },
    );

    await t.step(
      "a TypeScript consumer type-checks against the .d.ts (nodenext)",
      async () => {
        const consumer = workspace.consumer;
        await Deno.writeTextFile(
          `${consumer}/typed.ts`,
          `import { alloc, bind, buf, cap, i32, mem, trim, watch } from "${PACKAGE}";
const owner = {};
const ptr: number = alloc(16, owner);
const scratch: number = alloc(64);
const view: Int32Array = i32;
const memory: WebAssembly.Memory = mem;
const buffer: ArrayBuffer = buf;
const blocks: number = cap;
const released: number = trim();
const got: string = bind(() => "spawned", () => {});
watch(() => {}, owner);
// @ts-expect-error: a token must be an object or a symbol
alloc(16, 42);
// @ts-expect-error: watch needs a token
watch(() => {});
export { blocks, buffer, got, memory, ptr, released, scratch, view };
`,
        );
        // No @types/node, no skipLibCheck: the declarations must stand on the
        // standard and DOM libraries alone (plus esnext.disposable, TS 5.2+,
        // for `Lease`'s `[Symbol.dispose]`).
        await Deno.writeTextFile(
          `${consumer}/tsconfig.json`,
          JSON.stringify({
            compilerOptions: {
              strict: true,
              noEmit: true,
              module: "nodenext",
              moduleResolution: "nodenext",
              target: "es2022",
              lib: ["es2023", "esnext.disposable", "dom"],
              types: [],
            },
            files: ["typed.ts"],
          }),
        );
        await sh(`${HERE}node_modules/.bin/tsc`, ["-p", "."], {
          cwd: consumer,
        });
      },
    );
  } finally {
    await cleanUp(workspace);
  }
});
