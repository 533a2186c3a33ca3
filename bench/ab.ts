/**
 * `deno task bench:ab REV`: the hot path before and after a change. Checks
 * out REV (a commit, tag or branch) in a temporary git worktree, then runs
 * `bench/scenarios/ops.ts` of REV and of the working tree alternately, each in
 * its own process, and prints one markdown table of medians: `alloc(size,
 * token)` and scratch `alloc(size)` in ns and as ratios to floor (b), which
 * each process measures itself (so machine noise moves both sides alike).
 *
 *     deno task bench:ab HEAD~3 [--live=1000,100000] [--pairs=3] [--rounds=11]
 *
 * @module
 */

const args = Deno.args.filter((arg) => !arg.startsWith("--"));
const option = (name: string, fallback: string) =>
  Deno.args.find((arg) => arg.startsWith(`--${name}=`))?.split("=")[1] ??
    fallback;
const rev = args[0];
if (!rev) {
  console.error("usage: deno task bench:ab REV [--live=…] [--pairs=…]");
  Deno.exit(2);
}
const lives = option("live", "1000,100000").split(",").map(Number);
const pairs = Number(option("pairs", "3"));
const rounds = option("rounds", "11");

const ROOT = decodeURIComponent(new URL("../", import.meta.url).pathname);
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

/** One run of the ops scenario in `root`; its RESULT line. */
const ops = async (root: string, live: number): Promise<Ops> => {
  const out = await new Deno.Command(Deno.execPath(), {
    args: [
      "run",
      `--lock=${root}/bench/deno.lock`,
      "--v8-flags=--expose-gc",
      "--allow-read",
      "--allow-env",
      `${root}/bench/scenarios/ops.ts`,
      `live=${live}`,
      `rounds=${rounds}`,
    ],
    cwd: root,
    stdout: "piped",
    stderr: "inherit",
  }).output();
  const line = new TextDecoder().decode(out.stdout).split("\n")
    .find((l) => l.startsWith("RESULT "));
  if (!out.success || !line) throw new Error(`ops.ts in ${root} failed`);
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
const dirty =
  (await git("status", "--porcelain", "--", "mod.ts", "lib", "rs_lib/src")) !=
    "";
const tree = await Deno.makeTempDir({ prefix: "lewd-ab-" });
await git("worktree", "add", "--detach", tree, rev);
try {
  const rows: string[] = [];
  for (const live of lives) {
    const before: Ops[] = [], after: Ops[] = [];
    for (let i = 0; i < pairs; i++) {
      log(`live=${live}, pair ${i + 1} of ${pairs}`);
      before.push(await ops(tree, live));
      after.push(await ops(ROOT, live));
    }
    const figures = (runs: Ops[]) => ({
      token: median(runs.map((r) => r.ns.allocToken)),
      scratch: median(runs.map((r) => r.ns.allocScratch)),
      tokenRatio: median(runs.map((r) => r.ns.allocToken / r.ns.floorB)),
      scratchRatio: median(runs.map((r) => r.ns.allocScratch / r.ns.floorB)),
    });
    const b = figures(before), a = figures(after);
    const cell = (ns: number, ratio: number) =>
      `${ns.toFixed(1)} ns (${ratio.toFixed(2)}×)`;
    rows.push(
      `| ${live.toLocaleString("en-US")} | alloc(size, token) | ${
        cell(b.token, b.tokenRatio)
      } | ${cell(a.token, a.tokenRatio)} | ${
        (a.tokenRatio / b.tokenRatio).toFixed(2)
      } |`,
      `| ${live.toLocaleString("en-US")} | scratch alloc(size) | ${
        cell(b.scratch, b.scratchRatio)
      } | ${cell(a.scratch, a.scratchRatio)} | ${
        (a.scratchRatio / b.scratchRatio).toFixed(2)
      } |`,
    );
  }
  console.log(
    `Medians of ${pairs} alternating process pairs, ${rounds} rounds each; ` +
      `(×) is the ratio to floor (b) in the same process.\n\n` +
      `| live spans | operation | before (${commit}) | after (${head}${
        dirty ? "+changes" : ""
      }) | after ÷ before |\n| ---: | --- | ---: | ---: | ---: |\n` +
      rows.join("\n"),
  );
} finally {
  await git("worktree", "remove", "--force", tree);
}
