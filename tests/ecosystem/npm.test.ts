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
import { shippedProblems } from "../_shipped.ts";
import { examples } from "../_markdown.ts";

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
      "the packed README's links resolve in the package; nothing speaks of history",
      async () => {
        assert.deepEqual(
          await shippedProblems(
            workspace.packed,
            (file) => Deno.readTextFile(`${workspace.npm}/${file}`),
          ),
          [],
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
          "./big": { types: "./big.d.ts", default: "./big.js" },
        });
        assert.equal(pkg.types, "./mod.d.ts");
        assert.equal(pkg.main, "./mod.js");
        assert.equal(pkg.sideEffects, false);
        assert.deepEqual(
          [...pkg.files].sort(),
          PACKAGE_FILES.filter((file) => file != "package.json"),
        );
        assert.deepEqual(pkg.engines, { node: ">=20" });
        assert.ok(pkg.keywords.includes("webassembly"));
        // The repository field is the git remote `origin`, if there is one.
        const origin = await new Deno.Command("git", {
          args: ["remote", "get-url", "origin"],
          cwd: ROOT,
          stdout: "piped",
          stderr: "null",
        }).output();
        const url = new TextDecoder().decode(origin.stdout).trim();
        assert.deepEqual(
          pkg.repository,
          origin.success && url ? { type: "git", url } : undefined,
          "the remote origin's URL, or no field",
        );
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
      "a shared heap: 4 worker_threads × 10 000 random operations, no overlap, bytes kept",
      async () => {
        for (
          const file of [
            "shared_stress.mjs",
            "shared_node.mjs",
            "shared_node_worker.mjs",
          ]
        ) {
          await Deno.copyFile(
            `${FIXTURES}${file}`,
            `${workspace.consumer}/${file}`,
          );
        }
        const { stdout } = await sh("node", ["shared_node.mjs"], {
          cwd: workspace.consumer,
        });
        const result = JSON.parse(stdout);
        console.log(`Node shared heap: ${stdout.trim()}`);
        assert.equal(result.threads, 4);
        assert.ok(result.spans > 1000, "thousands of live spans checked");
        assert.ok(result.resizes > 0, "the workers saw the memory grow");
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

    await t.step(
      "CommonJS: require() from Node 20.19 on, import() on every Node 20",
      async () => {
        await Deno.writeTextFile(
          `${workspace.consumer}/require.cjs`,
          `const report = { node: process.version };
try {
  report.required = typeof require("${PACKAGE}").alloc;
} catch (error) {
  report.error = error.code;
}
import("${PACKAGE}").then(({ alloc, i32 }) => {
  const owner = {};
  const ptr = alloc(16, owner);
  i32[ptr >>> 2] = 7;
  report.imported = i32[ptr >>> 2];
  console.log(JSON.stringify(report));
});
`,
        );
        const { stdout } = await sh("node", ["require.cjs"], {
          cwd: workspace.consumer,
        });
        const report = JSON.parse(stdout);
        const [major, minor] = report.node.slice(1).split(".").map(Number);
        // require(esm) without a flag: Node 20.19+, 22.12+, 23+.
        const unflagged = major == 20
          ? minor >= 19
          : major == 22
          ? minor >= 12
          : major > 22;
        if (unflagged) assert.equal(report.required, "function", report.node);
        else assert.equal(report.error, "ERR_REQUIRE_ESM", report.node);
        assert.equal(report.imported, 7, "import() from CommonJS");
      },
    );

    await t.step(
      "the README's TypeScript, pasted into a strict Node project, compiles and runs",
      async () => {
        const project = `${workspace.consumer}/readme`;
        await Deno.mkdir(project);
        const readme = await Deno.readTextFile(`${workspace.npm}/README.md`);
        const files: { name: string; output?: string }[] = [];
        for (const { line, code, output } of examples(readme)) {
          const name = `block_${line}`;
          await Deno.writeTextFile(`${project}/${name}.ts`, code);
          files.push({ name, output });
        }
        assert.ok(files.length >= 3, "the README has its examples");
        await Deno.writeTextFile(
          `${project}/tsconfig.json`,
          JSON.stringify({
            compilerOptions: {
              strict: true,
              module: "nodenext",
              moduleResolution: "nodenext",
              target: "es2022",
              lib: ["es2023", "esnext.disposable", "dom"],
              types: [],
              outDir: "out",
            },
            include: ["*.ts"],
          }),
        );
        await Deno.writeTextFile(
          `${project}/package.json`,
          JSON.stringify({ type: "module", private: true }),
        );
        await sh(`${HERE}node_modules/.bin/tsc`, ["-p", "."], { cwd: project });
        for (const { name, output } of files) {
          const { stdout } = await sh("node", [`out/${name}.js`], {
            cwd: project,
          });
          if (output !== undefined) {
            assert.equal(stdout.trim(), output.trim(), `README ${name}`);
          }
        }
      },
    );
  } finally {
    await cleanUp(workspace);
  }
});
