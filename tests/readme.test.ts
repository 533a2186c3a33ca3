/**
 * The README's code, as a user would paste it. Every block is tagged: `ts`
 * blocks are type-checked with strict settings and run, each in a Deno
 * process of its own with `@lewd/alloc` mapped to this checkout's `mod.ts`
 * (no `--expose-gc`, no permissions); a `text` block right after a `ts` block
 * is what that block prints. `sh` and `wat` blocks are not run, but a `wat`
 * block must compile to the bytes the `ts` block after it embeds, and the
 * worked example embeds the module of `examples/prng/` and draws the numbers
 * that example's class draws. (tests/ecosystem/npm.test.ts runs the same
 * blocks in Node against the packed npm package.)
 */

import assert from "node:assert/strict";
// A build tool of the examples, pinned as scripts/build_examples.ts pins it.
// deno-lint-ignore no-import-prefix
import wabtInit from "npm:wabt@1.0.39";
import { codeBlocks, examples } from "./_markdown.ts";
import { prng } from "../examples/prng/prng.generated.ts";
import { MyPRNG } from "../examples/prng/prng.ts";

const ROOT = new URL("../", import.meta.url);
const README = await Deno.readTextFile(new URL("README.md", ROOT));
const BLOCKS = codeBlocks(README);

/** What each tag means; a block with any other tag (or none) fails. */
const KINDS = ["ts", "text", "sh", "wat"];

/**
 * Strict, said out loud (it is Deno's default): the blocks are checked with
 * the package's own sources, which these settings must hold for too.
 */
const COMPILER_OPTIONS = { strict: true, noImplicitAny: true };

/** The wasm a `ts` block embeds: its `const …_WASM = "…" + "…";`, decoded. */
const embeddedWasm = (code: string): Uint8Array | undefined => {
  const literal = code.match(/const \w+_WASM\s*=\s*((?:\s*\+?\s*"[^"]*")+);/);
  if (!literal) return undefined;
  const base64 = [...literal[1]!.matchAll(/"([^"]*)"/g)].map(([, s]) => s)
    .join("");
  return Uint8Array.from(atob(base64), (c) => c.charCodeAt(0));
};

const run = async (command: string[], cwd: string) => {
  const { code, stdout, stderr } = await new Deno.Command(Deno.execPath(), {
    args: command,
    cwd,
    env: { NO_COLOR: "1" },
    stdin: "null",
    stdout: "piped",
    stderr: "piped",
  }).output();
  const decode = (bytes: Uint8Array) => new TextDecoder().decode(bytes);
  return { code, stdout: decode(stdout), stderr: decode(stderr) };
};

Deno.test("readme: every code block is tagged ts, text, sh or wat", () => {
  assert.ok(BLOCKS.length > 0);
  for (const block of BLOCKS) {
    assert.ok(
      KINDS.includes(block.lang),
      `README.md:${block.line}: a block tagged ${
        JSON.stringify(block.lang)
      }; tag it ${KINDS.join(", ")}`,
    );
  }
});

Deno.test("readme: it opens with the two commands of a fresh clone", () => {
  const [first] = BLOCKS;
  assert.equal(first?.lang, "sh");
  const commands = first!.code.split("\n").filter((line) =>
    line.trim() && !line.startsWith("#")
  );
  assert.deepEqual(
    commands.map((line) => line.replace(/\s*#.*$/, "")),
    ["npx -y deno@2 task example", "npx -y deno@2 task test"],
  );
  assert.ok(
    README.indexOf("```") < README.indexOf("\n## "),
    "before the first section",
  );
});

Deno.test("readme: each ts block type-checks strictly and runs as pasted", async (t) => {
  const dir = await Deno.makeTempDir({ prefix: "lewd-readme-" });
  try {
    await Deno.writeTextFile(
      `${dir}/deno.json`,
      JSON.stringify({
        imports: { "@lewd/alloc": new URL("mod.ts", ROOT).href },
        compilerOptions: COMPILER_OPTIONS,
      }),
    );
    for (const block of examples(README)) {
      await t.step(`README.md:${block.line}`, async () => {
        const file = `block_${block.line}.ts`;
        await Deno.writeTextFile(`${dir}/${file}`, block.code);
        const check = await run(["check", "--no-lock", file], dir);
        assert.equal(check.code, 0, `deno check:\n${check.stderr}`);
        const result = await run(["run", "--no-lock", file], dir);
        assert.equal(result.code, 0, `deno run:\n${result.stderr}`);
        if (block.output !== undefined) {
          assert.equal(result.stdout.trim(), block.output.trim());
        }
      });
    }
  } finally {
    await Deno.remove(dir, { recursive: true });
  }
});

Deno.test("readme: a wat block compiles to the bytes the next block embeds", async () => {
  const wabt = await wabtInit();
  let checked = 0;
  BLOCKS.forEach((block, i) => {
    if (block.lang != "wat") return;
    const next = BLOCKS[i + 1];
    assert.equal(next?.lang, "ts", `README.md:${block.line}: no ts after it`);
    const module = wabt.parseWat(`README.md:${block.line}`, block.code);
    try {
      const { buffer } = module.toBinary({});
      assert.deepEqual(embeddedWasm(next!.code), buffer);
      checked++;
    } finally {
      module.destroy();
    }
  });
  assert.ok(checked > 0, "the imports example shows its module");
});

Deno.test("readme: the worked example is examples/prng's, module and all", () => {
  const example = examples(README).find((block) =>
    block.code.includes("class MyPRNG")
  );
  assert.ok(example, "the README holds the MyPRNG class");
  assert.deepEqual(
    embeddedWasm(example.code),
    Uint8Array.from(atob(prng), (c) => c.charCodeAt(0)),
  );
  for (const call of ["alloc(", "bind(", "watch(", "trim("]) {
    assert.ok(example.code.includes(call), `the class uses ${call}…)`);
  }
  // What the block prints, computed by the example's own class.
  const rng = new MyPRNG(1);
  const out = new Int32Array(2);
  new MyPRNG(1).fill(out);
  assert.equal(
    example.output?.trim(),
    `${rng.rand()} ${rng.rand()} and by fill: ${out.join(" ")}`,
  );
});
