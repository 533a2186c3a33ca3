/**
 * The package's layout: `mod.ts` is the facade (a module doc and
 * re-exports), and the modules of the basic API never reach an extension's
 * module, so that a bundle of the basic API can never carry extension code.
 * Read from the sources' static imports (type-only imports are erased).
 */

import assert from "node:assert/strict";

const ROOT = new URL("../", import.meta.url);
const read = (path: string) => Deno.readTextFileSync(new URL(path, ROOT));

/** The modules `path` imports for their values, as paths from the root. */
const valueImports = (path: string): string[] => {
  const found: string[] = [];
  const source = read(path);
  for (
    const [, clause, target] of source.matchAll(
      /^(?:import|export)\s+([^;]*?)\s*from\s*"([^"]+)";/gms,
    )
  ) {
    if (/^type\b/.test(clause)) continue;
    found.push(new URL(target, new URL(path, ROOT)).pathname.slice(
      ROOT.pathname.length,
    ));
  }
  return found;
};

/** Every module that `path` reaches through value imports. */
const reach = (path: string): Set<string> => {
  const seen = new Set<string>();
  const visit = (at: string) => {
    if (seen.has(at)) return;
    seen.add(at);
    valueImports(at).forEach(visit);
  };
  visit(path);
  return seen;
};

/** The modules of the basic API: alloc, trim, bind, watch, the bindings. */
const BASIC = [
  "src/alloc.ts",
  "src/trim.ts",
  "src/bind.ts",
  "src/watch.ts",
  "src/default.ts",
];
/** What the basic API may reach: its own modules and their plumbing. */
const PLUMBING = [
  "src/core.ts",
  "src/state.ts",
  "src/errors.ts",
  "src/growth.ts",
  "src/notify.ts",
  "src/pacing.ts",
  "lib/core.generated.ts",
];

for (const entry of ["mod.ts", "big.ts"]) {
  Deno.test(`layout: ${entry} holds only its module doc and re-exports`, () => {
    const code = read(entry)
      .replace(/\/\*\*[^]*?\*\//g, "")
      .replace(/^\s*\/\/.*$/gm, "")
      .replace(/export\s+(type\s+)?\{[^}]*\}\s*from\s*"[^"]+";/g, "")
      .trim();
    assert.equal(code, "", "anything but re-exports");
  });
}

Deno.test("layout: the basic API never reaches an extension's module", () => {
  const extensions = [...Deno.readDirSync(new URL("src/", ROOT))]
    .map((entry) => `src/${entry.name}`)
    .filter((path) => ![...BASIC, ...PLUMBING].includes(path));
  assert.ok(extensions.includes("src/big.ts"), "the big core is one");
  assert.ok(extensions.includes("src/extension.ts"), "the list is read");
  for (const module of BASIC) {
    const reached = [...reach(module)];
    assert.deepEqual(
      reached.filter((path) => extensions.includes(path)),
      [],
      `${module} reaches an extension`,
    );
    assert.deepEqual(
      reached.filter((path) => ![...BASIC, ...PLUMBING].includes(path)),
      [],
      `${module} reaches a module that is not in the basic path`,
    );
  }
});

Deno.test("layout: the alloc module reaches only what alloc needs", () => {
  assert.deepEqual([...reach("src/alloc.ts")].sort(), [
    "lib/core.generated.ts",
    "src/alloc.ts",
    "src/core.ts",
    "src/default.ts",
    "src/errors.ts",
    "src/growth.ts",
    "src/pacing.ts",
    "src/state.ts",
  ]);
});

Deno.test("layout: the big entry is the basic API over the big core", () => {
  // Its own modules, the basic API's, and its plumbing: no extension, and
  // not the default heap's core (the main entry's default heap may come
  // along unused: bundlers drop it, see tests/ecosystem/size.test.ts).
  const own = [
    "big.ts",
    "src/big.ts",
    "src/big_heap.ts",
    "lib/big.generated.ts",
  ];
  assert.deepEqual(
    [...reach("big.ts")].filter(
      (path) => ![...own, ...BASIC, ...PLUMBING].includes(path),
    ),
    [],
  );
  for (const module of [...BASIC, "mod.ts"]) {
    assert.ok(
      !reach(module).has("lib/big.generated.ts"),
      `${module} reaches the big core`,
    );
  }
});

Deno.test("layout: no TypeScript is generated from TypeScript", () => {
  const generated = [...Deno.readDirSync(new URL("lib/", ROOT))]
    .map((entry) => entry.name);
  assert.deepEqual(generated.sort(), ["big.generated.ts", "core.generated.ts"]);
});
