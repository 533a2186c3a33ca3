// Bundles bench/gc/churn.ts with esbuild into /tmp and runs it under this Node.
// Usage: node bench/gc/run_node.mjs [churn.ts arguments]; `--expose-gc` is
// passed to the child only when `--gc=K` is given.
import { execFileSync } from "node:child_process";
import { fileURLToPath } from "node:url";
import { dirname, join } from "node:path";
const here = dirname(fileURLToPath(import.meta.url));
const out = "/tmp/lewd-churn.mjs";
execFileSync("esbuild", [
  join(here, "churn.ts"),
  "--bundle",
  "--format=esm",
  "--platform=node",
  "--target=node20",
  `--outfile=${out}`,
  "--log-level=warning",
], { stdio: "inherit" });
const args = process.argv.slice(2);
const flags = args.some((a) => a.startsWith("--gc=")) ? ["--expose-gc"] : [];
execFileSync(process.execPath, [...flags, out, ...args], { stdio: "inherit" });
