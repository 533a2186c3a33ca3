// The JSR path: deno.json describes a publishable package, `deno publish
// --dry-run` accepts it (no slow types) with exactly the intended files,
// `deno doc --lint` is silent, every export documents its contract with an
// example, and nothing imports from JSR (which CI cannot reach).

import assert from "node:assert/strict";
import { DOCUMENT_FILES, PACKAGE, ROOT, sh, SOURCE_FILES } from "./_setup.ts";
import { shippedProblems } from "../_shipped.ts";

const deno = Deno.execPath();

/**
 * What JSR gets: the package's modules, the documents the README links,
 * README, license, config.
 */
const PUBLISHED = [
  ...SOURCE_FILES,
  ...DOCUMENT_FILES,
  "LICENSE",
  "README.md",
  "deno.json",
].sort();

/** Plain text from deno, whatever the terminal. */
const plain = { NO_COLOR: "1" };

Deno.test("jsr: deno.json names a scoped, versioned package with exports", async () => {
  const config = JSON.parse(await Deno.readTextFile(`${ROOT}deno.json`));
  assert.equal(config.name, PACKAGE);
  assert.match(config.version, /^\d+\.\d+\.\d+(-[\w.]+)?$/);
  assert.equal(config.exports, "./mod.ts");
  assert.equal(config.license, "MIT");
  assert.ok(Array.isArray(config.publish?.include), "publish.include");
  assert.ok(Array.isArray(config.publish?.exclude), "publish.exclude");
});

Deno.test("jsr: deno doc --lint mod.ts reports nothing", async () => {
  const { stdout, stderr } = await sh(deno, ["doc", "--lint", "mod.ts"], {
    env: plain,
  });
  const problems = (stdout + stderr).split("\n")
    .filter((line) => line.trim() && !/^\s*Checked \d+ files?$/.test(line));
  assert.deepEqual(problems, []);
});

Deno.test("jsr: deno publish --dry-run passes, no slow types, the intended files", async () => {
  const { stdout, stderr } = await sh(
    deno,
    ["publish", "--dry-run", "--allow-dirty"],
    { env: plain },
  );
  const output = stdout + stderr;
  assert.match(output, /Success\s+Dry run complete/);
  const complaints = output.split("\n")
    .filter((line) => /warning|slow type/i.test(line))
    .filter((line) => !/^Checking for slow types/.test(line.trim()));
  assert.deepEqual(complaints, [], output);
  const files = [...output.matchAll(/file:\/\/(\S+) \(/g)]
    .map(([, path]) => path.slice(ROOT.length)).sort();
  assert.deepEqual(files, PUBLISHED, output);
  assert.deepEqual(
    await shippedProblems(files, (file) => Deno.readTextFile(`${ROOT}${file}`)),
    [],
    "the JSR package's README links resolve in it; no file speaks of history",
  );
});

interface DocTag {
  kind: string;
  name?: string;
}
interface DocDeclaration {
  kind: string;
  jsDoc?: { doc?: string; tags?: DocTag[] };
  def: {
    params?: { name?: string; kind: string }[];
    returnType?: { repr: string };
    hasBody?: boolean;
  };
}

Deno.test("jsr: every export documents its parameters, errors and an example", async (t) => {
  const { stdout } = await sh(deno, ["doc", "--json", "mod.ts"], {
    env: plain,
  });
  const doc = JSON.parse(stdout);
  const module = doc.nodes[new URL("mod.ts", `file://${ROOT}`).href];
  const moduleTags: DocTag[] = module.module_doc?.tags ?? [];
  await t.step("the module doc has an example", () => {
    assert.ok(module.module_doc?.doc, "module doc");
    assert.ok(
      moduleTags.some((tag) => tag.kind == "example"),
      "module @example",
    );
  });
  const symbols = module.symbols as {
    name: string;
    declarations: DocDeclaration[];
  }[];
  assert.deepEqual(
    symbols.map((symbol) => symbol.name).sort(),
    [
      "Heap",
      "HeapOptions",
      "Imports",
      "Lease",
      "Movable",
      "OutOfMemory",
      "Policy",
      "RenderOptions",
      "SharedHeap",
      "SharedHeapHandle",
      "SharedHeapOptions",
      "Span",
      "Stats",
      "alloc",
      "allocAligned",
      "allocMovable",
      "bind",
      "bindSegments",
      "buf",
      "calloc",
      "cap",
      "check",
      "compact",
      "createHeap",
      "createSharedHeap",
      "debug",
      "disown",
      "free",
      "grow",
      "i32",
      "imports",
      "joinSharedHeap",
      "lease",
      "limit",
      "malloc",
      "mem",
      "own",
      "policy",
      "protect",
      "realloc",
      "reclaim",
      "render",
      "restrict",
      "spans",
      "stats",
      "trim",
      "unwatch",
      "watch",
    ],
    "the package exports the basic API and every extension",
  );
  for (const { name, declarations } of symbols) {
    await t.step(name, () => {
      for (const declaration of declarations) {
        // An overloaded function's implementation signature is not public.
        if (declaration.def.hasBody && declarations.length > 1) continue;
        const tags = declaration.jsDoc?.tags ?? [];
        const has = (kind: string) => tags.some((tag) => tag.kind == kind);
        assert.ok(declaration.jsDoc?.doc, `${name}: a doc comment`);
        assert.ok(has("example"), `${name}: an @example`);
        if (declaration.kind != "function") continue;
        for (const param of declaration.def.params ?? []) {
          assert.ok(
            tags.some((tag) => tag.kind == "param" && tag.name == param.name),
            `${name}: @param ${param.name}`,
          );
        }
        if (declaration.def.returnType?.repr != "void") {
          assert.ok(has("return"), `${name}: @returns`);
        }
        // What takes no argument may have nothing to throw (`stats`).
        if (declaration.def.params?.length) {
          assert.ok(has("throws"), `${name}: @throws`);
        }
      }
    });
  }
});

Deno.test("jsr: nothing imports from jsr: (CI reaches npm only)", async () => {
  const offenders: string[] = [];
  const skip = new Set([".git", "target", "node_modules", "npm"]);
  const walk = async (dir: string) => {
    for await (const entry of Deno.readDir(dir)) {
      const path = `${dir}${entry.name}`;
      if (entry.isDirectory) {
        if (!skip.has(entry.name)) await walk(`${path}/`);
      } else if (/\.(m?[jt]sx?|json|jsonc)$/.test(entry.name)) {
        const text = await Deno.readTextFile(path);
        const imports = /(?:\bfrom\s*|\bimport\s*\(?\s*|":\s*)["']jsr:/;
        if (imports.test(text)) offenders.push(path.slice(ROOT.length));
      }
    }
  };
  await walk(ROOT);
  assert.deepEqual(offenders, []);
});
