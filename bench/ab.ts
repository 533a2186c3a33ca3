/**
 * `deno task bench:ab REV`: the hot path before and after a change. Checks
 * out REV (a commit, tag or branch) in a temporary git worktree, then runs
 * this tree's `bench/scenarios/ops.ts` against REV's `mod.ts` and against
 * this tree's, alternately, each in its own process, and prints one markdown
 * table of medians: `alloc(size, token)` and scratch `alloc(size)` in ns and
 * as ratios to floor (b), which each process measures itself (so machine
 * noise moves both sides alike).
 *
 * Both sides run the same measurement code (this tree's ops.ts, given REV's
 * package as `mod=`); REV's mod.ts loads REV's own lib/ files, since its
 * imports are relative to it. Each comparison runs on two faces: the default
 * heap (the module-level exports) and a heap made by `createHeap()`.
 *
 *     deno task bench:ab REV [--live=1000,100000] [--pairs=3] [--rounds=11]
 *                            [--heaps=default,create]
 *
 * The order of the two sides alternates from pair to pair, so a drift in the
 * machine's speed during the run does not favour either.
 *
 * @module
 */

const args = Deno.args.filter((arg) => !arg.startsWith("--"));
const option = (name: string, fallback: string) =>
  Deno.args.find((arg) => arg.startsWith(`--${name}=`))?.split("=")[1] ??
    fallback;
const rev = args[0];
if (!rev) {
  console.error(
    "usage: deno task bench:ab REV [--live=1000,100000] [--pairs=3] " +
      "[--rounds=11] [--heaps=default,create]",
  );
  Deno.exit(2);
}
const lives = option("live", "1000,100000").split(",").map(Number);
const pairs = Number(option("pairs", "3"));
const rounds = option("rounds", "11");
const HEAPS = { default: "default heap", create: "createHeap()" } as const;
type HeapFace = keyof typeof HEAPS;
const heaps = option("heaps", "default,create").split(",") as HeapFace[];
for (const heap of heaps) {
  if (!(heap in HEAPS)) {
    console.error(`bench:ab: --heaps=${heap}: expected default and/or create`);
    Deno.exit(2);
  }
}

const ROOT = decodeURIComponent(new URL("../", import.meta.url).pathname)
  .replace(/\/$/, "");
const OPS = `${ROOT}/bench/scenarios/ops.ts`;
const log = (message: string) => console.error(`bench:ab: ${message}`);

const git = async (...gitArgs: string[]) => {
  const out = await new Deno.Command("git", { args: gitArgs, cwd: ROOT })
    .output();
  if (!out.success) {
    throw new Error(
      `git ${gitArgs.join(" ")}: ${new TextDecoder().decode(out.stderr)}`,
    );
  }
  return new TextDecoder().decode(out.stdout).trim();
};

interface Ops {
  ns: { floorB: number; allocToken: number; allocScratch: number };
}

/** One run of this tree's ops scenario on the package in `root`. */
const ops = async (
  root: string,
  heap: HeapFace,
  live: number,
): Promise<Ops> => {
  const out = await new Deno.Command(Deno.execPath(), {
    args: [
      "run",
      `--lock=${ROOT}/bench/deno.lock`,
      "--v8-flags=--expose-gc",
      "--allow-read",
      "--allow-env",
      OPS,
      `mod=${root}/mod.ts`,
      `heap=${heap}`,
      `live=${live}`,
      `rounds=${rounds}`,
    ],
    cwd: ROOT,
    stdout: "piped",
    stderr: "inherit",
  }).output();
  const line = new TextDecoder().decode(out.stdout).split("\n")
    .find((l) => l.startsWith("RESULT "));
  if (!out.success || !line) {
    throw new Error(`ops.ts on ${root}/mod.ts (heap=${heap}) failed`);
  }
  return JSON.parse(line.slice("RESULT ".length));
};

const median = (xs: number[]) => {
  const s = [...xs].sort((a, b) => a - b);
  return s.length % 2
    ? s[s.length >> 1]
    : (s[s.length / 2 - 1] + s[s.length / 2]) / 2;
};

const commit = await git("rev-parse", "--short", rev);
const head = await git("rev-parse", "--short", "HEAD");
const dirty = (await git(
  "status",
  "--porcelain",
  "--",
  "mod.ts",
  "src",
  "lib",
  "rs_lib/src",
)) != "";
const tree = await Deno.makeTempDir({ prefix: "lewd-ab-" });
await git("worktree", "add", "--detach", tree, rev);
// Ctrl-C: remove the worktree before leaving.
const interrupted = async () => {
  await git("worktree", "remove", "--force", tree).catch(() => {});
  Deno.exit(130);
};
Deno.addSignalListener("SIGINT", interrupted);
try {
  const rows: string[] = [];
  for (const heap of heaps) {
    for (const live of lives) {
      const before: Ops[] = [], after: Ops[] = [];
      for (let i = 0; i < pairs; i++) {
        log(`${HEAPS[heap]}, live=${live}, pair ${i + 1} of ${pairs}`);
        if (i % 2 == 0) {
          before.push(await ops(tree, heap, live));
          after.push(await ops(ROOT, heap, live));
        } else {
          after.push(await ops(ROOT, heap, live));
          before.push(await ops(tree, heap, live));
        }
      }
      const figures = (runs: Ops[]) => ({
        token: median(runs.map((r) => r.ns.allocToken)),
        scratch: median(runs.map((r) => r.ns.allocScratch)),
        tokenRatio: median(runs.map((r) => r.ns.allocToken / r.ns.floorB)),
        scratchRatio: median(
          runs.map((r) => r.ns.allocScratch / r.ns.floorB),
        ),
      });
      const b = figures(before), a = figures(after);
      const cell = (ns: number, ratio: number) =>
        `${ns.toFixed(1)} ns (${ratio.toFixed(2)}×)`;
      const lead = `| ${HEAPS[heap]} | ${live.toLocaleString("en-US")}`;
      rows.push(
        `${lead} | alloc(size, token) | ${cell(b.token, b.tokenRatio)} | ${
          cell(a.token, a.tokenRatio)
        } | ${(a.tokenRatio / b.tokenRatio).toFixed(2)} |`,
        `${lead} | scratch alloc(size) | ${cell(b.scratch, b.scratchRatio)} | ${
          cell(a.scratch, a.scratchRatio)
        } | ${(a.scratchRatio / b.scratchRatio).toFixed(2)} |`,
      );
    }
  }
  console.log(
    `Medians of ${pairs} alternating process pairs, ${rounds} rounds each; ` +
      `(×) is the ratio to floor (b) in the same process.\n\n` +
      `| heap | live spans | operation | before (${commit}) | after (${head}${
        dirty ? "+changes" : ""
      }) | after ÷ before |\n| --- | ---: | --- | ---: | ---: | ---: |\n` +
      rows.join("\n"),
  );
} finally {
  Deno.removeSignalListener("SIGINT", interrupted);
  await git("worktree", "remove", "--force", tree);
}
