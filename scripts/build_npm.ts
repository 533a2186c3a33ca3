/**
 * Builds the npm package in `npm/` (git-ignored) from the same sources JSR
 * publishes: every entry of `deno.json`'s `exports`, compiled by the
 * TypeScript compiler to ES2022 modules (`.js`) with declarations (`.d.ts`),
 * plus a `package.json`, the README and the license. The compiler follows the
 * imports, so every module the entries reach (src/, lib/) is shipped, and only
 * those. The other files of `deno.json`'s `publish.include` (the documents
 * and the example the README links) are copied as they are, so both packages
 * carry the same documents. The `repository` field is the git remote `origin`'s URL, when there
 * is one (`git remote get-url origin`); otherwise the field is left out.
 *
 *     deno task npm               # build npm/
 *     deno task npm --out DIR     # build into DIR instead (the tests do)
 *     cd npm && npm publish       # (by hand, after a look at `npm pack --dry-run`)
 *
 * One compiler does both halves, so the `.d.ts` files are exactly what the
 * compiler checked, the `/*#__PURE__*\/` and `/*#__NO_SIDE_EFFECTS__*\/`
 * annotations that make the package tree-shakable stay where `mod.ts` put
 * them (comments are kept, and the build fails if one went missing), and
 * relative `.ts` imports are rewritten to `.js`. The build fails on any type
 * error.
 *
 * @module
 */

// A build tool used by this script only: pinned inline (deno.lock records its
// hash), like the tools of the other build scripts.
// deno-lint-ignore no-import-prefix
import ts from "npm:typescript@5.9.3";

const ROOT = new URL("..", import.meta.url);
const rootPath = (relative: string) => new URL(relative, ROOT).pathname;

/** What `deno.json` says about the package (the one source of truth). */
interface DenoJson {
  name: string;
  version: string;
  license?: string;
  exports: string | Record<string, string>;
  publish?: { include?: string[] };
}

/** The compiler settings of the shipped code: what Node 20 and browsers run. */
const COMPILER_OPTIONS: ts.CompilerOptions = {
  target: ts.ScriptTarget.ES2022,
  module: ts.ModuleKind.ESNext,
  moduleResolution: ts.ModuleResolutionKind.Bundler,
  lib: ["lib.es2023.d.ts", "lib.esnext.disposable.d.ts", "lib.dom.d.ts"],
  strict: true,
  declaration: true,
  rewriteRelativeImportExtensions: true,
  removeComments: false,
  newLine: ts.NewLineKind.LineFeed,
  noEmitOnError: true,
  skipLibCheck: true,
  types: [],
};

/** Annotations a bundler needs; each must survive the compile. */
const ANNOTATIONS = ["#__PURE__", "#__NO_SIDE_EFFECTS__"];

const fail = (message: string): never => {
  console.error(`build_npm: ${message}`);
  Deno.exit(1);
};

const count = (text: string, needle: string) => text.split(needle).length - 1;

const parseArgs = (args: string[]): { out: string } => {
  let out = rootPath("npm/");
  for (let i = 0; i < args.length; i++) {
    if (args[i] == "--out" && i + 1 < args.length) {
      out = args[++i];
    } else {
      fail(`unknown argument ${JSON.stringify(args[i])} (usage: --out DIR)`);
    }
  }
  return { out: out.endsWith("/") ? out : `${out}/` };
};

/** `"./mod.ts"` → `"./mod"`: the path without its extension. */
const stem = (path: string) => path.replace(/\.ts$/, "");

const { out } = parseArgs(Deno.args);
const deno: DenoJson = JSON.parse(
  await Deno.readTextFile(rootPath("deno.json")),
);
if (!deno.name?.startsWith("@") || !deno.version || !deno.exports) {
  fail("deno.json needs a scoped name, a version and exports");
}
const entries: Record<string, string> = typeof deno.exports == "string"
  ? { ".": deno.exports }
  : deno.exports;
for (const [key, path] of Object.entries(entries)) {
  if (!/^\.\/[\w./-]+\.ts$/.test(path)) {
    fail(`export ${key} -> ${path}: expected a relative .ts path`);
  }
}

// The package's one-line description is the first sentence of mod.ts's
// module doc, so npm and JSR say the same thing.
const main = await Deno.readTextFile(rootPath(entries["."] ?? "./mod.ts"));
const description = main.match(/^\/\*\*\s*\n\s*\*\s*(.+?)\n/)?.[1]?.trim() ??
  fail("the main module has no module doc to take a description from");

await Deno.remove(out, { recursive: true }).catch((error) => {
  if (!(error instanceof Deno.errors.NotFound)) throw error;
});

const written: string[] = [];
const program = ts.createProgram({
  rootNames: Object.values(entries).map(rootPath),
  options: { ...COMPILER_OPTIONS, rootDir: rootPath("."), outDir: out },
});
const emit = program.emit(undefined, (fileName, text) => {
  Deno.mkdirSync(fileName.slice(0, fileName.lastIndexOf("/")), {
    recursive: true,
  });
  // The compiler rewrites `.ts` specifiers in what it emits as JavaScript,
  // but leaves type-only imports in declarations as written (`import type`,
  // `export type … from`, and the `import("./x.ts")` of inferred types).
  if (fileName.endsWith(".d.ts")) {
    text = text.replace(
      /((?:from|import)\s*\(?\s*["'])(\.{1,2}\/[^"']*)\.ts(["'])/g,
      "$1$2.js$3",
    );
  }
  Deno.writeTextFileSync(fileName, text);
  written.push(fileName.slice(out.length));
});
const diagnostics = [
  ...ts.getPreEmitDiagnostics(program),
  ...emit.diagnostics,
];
if (diagnostics.length || emit.emitSkipped) {
  console.error(ts.formatDiagnosticsWithColorAndContext(diagnostics, {
    getCanonicalFileName: (name) => name,
    getCurrentDirectory: () => rootPath("."),
    getNewLine: () => "\n",
  }));
  fail("the TypeScript compiler reported errors; nothing was written");
}

// Every source file of ours must come out as .js + .d.ts with its imports
// rewritten and its bundler annotations intact.
for (const source of program.getSourceFiles()) {
  if (source.isDeclarationFile) continue;
  const relative = source.fileName.slice(rootPath(".").length);
  const js = `${stem(relative)}.js`;
  if (!written.includes(js) || !written.includes(`${stem(relative)}.d.ts`)) {
    fail(`${relative} did not produce ${js} and its .d.ts`);
  }
  const emitted = await Deno.readTextFile(out + js);
  for (const annotation of ANNOTATIONS) {
    if (count(emitted, annotation) != count(source.text, annotation)) {
      fail(`${js} lost a ${annotation} annotation that ${relative} has`);
    }
  }
  for (const file of [js, `${stem(relative)}.d.ts`]) {
    const text = await Deno.readTextFile(out + file);
    const stale = text.match(
      /(?:from|import)\s*\(?\s*["'](\.{1,2}\/[^"']*\.ts)["']/,
    );
    if (stale) fail(`${file} still imports ${stale[1]}`);
  }
}

const exportsField: Record<string, { types: string; default: string }> = {};
for (const [key, path] of Object.entries(entries)) {
  exportsField[key] = {
    types: `${stem(path)}.d.ts`,
    default: `${stem(path)}.js`,
  };
}
const mainEntry = exportsField["."];

/** The files under `path` (a file, or a folder ending in `/`), sorted. */
const filesUnder = async (path: string): Promise<string[]> => {
  if (!path.endsWith("/")) return [path];
  const found: string[] = [];
  for await (const entry of Deno.readDir(rootPath(path))) {
    const child = `${path}${entry.name}${entry.isDirectory ? "/" : ""}`;
    found.push(...await filesUnder(child));
  }
  return found.sort();
};

// What JSR ships besides the modules (compiled above), its config, the README
// and the license (written below): copied byte for byte.
const compiled = new Set(
  program.getSourceFiles().map((source) =>
    source.fileName.slice(rootPath(".").length)
  ),
);
const documents: string[] = [];
for (const entry of deno.publish?.include ?? []) {
  for (const file of await filesUnder(entry.replace(/^\.\//, ""))) {
    if (compiled.has(file)) continue;
    if (["deno.json", "README.md", "LICENSE"].includes(file)) continue;
    await Deno.mkdir(`${out}${file}`.replace(/\/[^/]*$/, ""), {
      recursive: true,
    });
    await Deno.copyFile(rootPath(file), `${out}${file}`);
    documents.push(file);
  }
}

let readme = await Deno.readTextFile(rootPath("README.md")).catch(() => null);
if (readme === null) {
  console.error("build_npm: warning: README.md is missing; writing a stub");
  readme = `# ${deno.name}\n\n${description}\n\n    npm install ${deno.name}\n`;
}
await Deno.writeTextFile(`${out}README.md`, readme);
await Deno.copyFile(rootPath("LICENSE"), `${out}LICENSE`).catch(() =>
  fail("LICENSE is missing")
);

/** The URL of the git remote `origin`, or null when git gives none. */
const originUrl = async (): Promise<string | null> => {
  try {
    const { success, stdout } = await new Deno.Command("git", {
      args: ["remote", "get-url", "origin"],
      cwd: rootPath("."),
      stdin: "null",
      stdout: "piped",
      stderr: "null",
    }).output();
    const url = new TextDecoder().decode(stdout).trim();
    return success && url ? url : null;
  } catch (error) {
    // No git on this machine: no URL to give.
    if (error instanceof Deno.errors.NotFound) return null;
    throw error;
  }
};
const origin = await originUrl();

const packageJson = {
  name: deno.name,
  version: deno.version,
  description,
  license: deno.license ?? "MIT",
  ...(origin && { repository: { type: "git", url: origin } }),
  type: "module",
  exports: exportsField,
  ...(mainEntry && { main: mainEntry.default, types: mainEntry.types }),
  // Importing the package does nothing a bundler must keep: the memory, the
  // core and the registries are created by /*#__PURE__*/ expressions.
  sideEffects: false,
  files: [...written.sort(), ...documents, "README.md", "LICENSE"],
  engines: { node: ">=20" },
  keywords: ["wasm", "webassembly", "allocator", "memory", "malloc", "gc"],
};
await Deno.writeTextFile(
  `${out}package.json`,
  JSON.stringify(packageJson, null, 2) + "\n",
);

console.log(
  `build_npm: ${deno.name}@${deno.version} -> ${out} (${
    [...written, ...documents, "package.json", "README.md", "LICENSE"]
      .join(", ")
  })`,
);
