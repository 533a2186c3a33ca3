/**
 * `deno bench` suite: the floor, our two operations and the peers' malloc +
 * free, one call per iteration, for a quick look while working on the code
 * (`deno task bench` runs the full, interleaved, one-heap-per-process
 * comparison and writes bench/RESULTS.md).
 *
 *     deno task bench:ops
 *
 * which runs
 *
 *     deno bench --lock=bench/deno.lock --v8-flags=--expose-gc --allow-read \
 *       --allow-env --allow-run=cargo bench/ops_bench.ts
 *
 * All benches share one heap (the module's default heap) with 100 000 live
 * spans of 16–256 B and as many free spans between them. With BENCH_SMOKE=1
 * each bench runs a few hundred iterations only.
 *
 * The peers' wasm (bench/peers/) is built with cargo the first time it is
 * missing. Without a permission or a tool, the suite runs what it can and
 * says on stderr what it left out:
 *
 * - no `--expose-gc`: the dropped half of the spans is not collected before
 *   the benches, so the heap holds 2 × 100 000 spans in use (freed whenever
 *   the engine collects) instead of live and free spans alternating;
 * - no `--allow-env`: BENCH_SMOKE is not read, and the peer benches are left
 *   out (@thi.ng/malloc reads NODE_ENV when it is imported);
 * - no `--allow-read`, or no built wasm and no `--allow-run=cargo`, or a
 *   failed build (no cargo, no `wasm32-unknown-unknown` target, no network
 *   for the crates): dlmalloc and talc are left out.
 *
 * @module
 */

import {
  between,
  canGc,
  collect,
  countFinalizers,
  floorModule,
  rng,
} from "./lib/harness.ts";

const note = (message: string) => console.error(`ops_bench: ${message}`);
const granted = (descriptor: Deno.PermissionDescriptor) =>
  Deno.permissions.querySync(descriptor).state == "granted";

countFinalizers();
const { alloc } = await import("../mod.ts");

const smoke = granted({ name: "env", variable: "BENCH_SMOKE" }) &&
  Deno.env.get("BENCH_SMOKE") == "1";
const LIVE = smoke ? 1_000 : 100_000;
const budget = smoke ? { n: 200, warmup: 20 } : {};

const random = rng(5);
const sizes = new Int32Array(4096).map(() => between(random, 16, 256));
let i = 0;
const next = () => sizes[i++ & 4095];

const live: object[] = [];
for (let k = 0; k < 2 * LIVE; k++) {
  const token = {};
  alloc(next(), token);
  if (k % 2 == 0) live.push(token);
}
if (canGc()) await collect(LIVE);
else {
  note(
    "no --v8-flags=--expose-gc: the dropped half of the spans is not " +
      "collected first, so the heap holds 2 × N spans in use instead of N " +
      "live spans with N free ones between them",
  );
}

const nop = floorModule();
const registry = new FinalizationRegistry<number>((held) => {
  nop(held);
});

Deno.bench({
  name: "floor (a): empty WASM call",
  group: "alloc",
  ...budget,
  fn: () => {
    nop(next());
  },
});

Deno.bench({
  name: "floor (b): (a) + register",
  group: "alloc",
  baseline: true,
  ...budget,
  fn: () => {
    registry.register({}, nop(next()));
  },
});

Deno.bench({
  name: "alloc(size, token)",
  group: "alloc",
  ...budget,
  fn: () => {
    alloc(next(), {});
  },
});

Deno.bench({
  name: "alloc(size) scratch",
  group: "alloc",
  ...budget,
  fn: () => {
    alloc(next());
  },
});

// --- peers ------------------------------------------------------------------

/** bench/lib/peers.ts, or undefined when @thi.ng/malloc cannot load. */
const loadPeers = async () => {
  const env = ["NODE_ENV", "UMBRELLA_ASSERTS"].every((variable) =>
    granted({ name: "env", variable })
  );
  if (!env) {
    note(
      "peer benches left out: @thi.ng/malloc reads NODE_ENV when it is " +
        "imported (run with --allow-env)",
    );
    return undefined;
  }
  return await import("./lib/peers.ts");
};

type Peers = NonNullable<Awaited<ReturnType<typeof loadPeers>>>;

/** The compiled bench/peers module, built first if need be, or why not. */
const wasmModule = async (
  peers: Peers,
): Promise<WebAssembly.Module | string> => {
  const wasm = peers.PEERS_WASM;
  if (!granted({ name: "read", path: wasm })) {
    return "reading bench/peers' wasm needs --allow-read";
  }
  const built = () => {
    try {
      return Deno.statSync(wasm).isFile;
    } catch {
      return false;
    }
  };
  if (!built()) {
    if (!granted({ name: "run", command: "cargo" })) {
      return "bench/peers is not built and cargo may not run here (it " +
        "needs --allow-run=cargo and cargo on PATH); or run `cargo build " +
        "--release --target wasm32-unknown-unknown` in bench/peers";
    }
    note("building bench/peers (cargo build --release, wasm32)");
    try {
      await peers.buildPeersWasm();
    } catch (error) {
      return error instanceof Deno.errors.NotFound
        ? "cargo is not on PATH"
        : String(error instanceof Error ? error.message : error);
    }
    if (!built()) return `cargo built no ${decodeURIComponent(wasm.pathname)}`;
  }
  return peers.peerModule(wasm);
};

const peers = await loadPeers();
if (peers) {
  const module = await wasmModule(peers);
  if (typeof module == "string") {
    note(`dlmalloc and talc benches left out: ${module}`);
  } else {
    const dl = peers.peerInstance(module);
    const talc = peers.peerInstance(module);

    Deno.bench({
      name: "dlmalloc: malloc + free",
      group: "peers",
      ...budget,
      fn: () => {
        dl.dl_free(dl.dl_malloc(next()));
      },
    });

    Deno.bench({
      name: "talc: malloc + free",
      group: "peers",
      ...budget,
      fn: () => {
        const size = next();
        talc.talc_free(talc.talc_malloc(size), size);
      },
    });
  }

  const pool = peers.thingPool(16 << 20);
  Deno.bench({
    name: "@thi.ng/malloc: malloc + free (empty pool)",
    group: "peers",
    ...budget,
    fn: () => {
      pool.free(pool.malloc(next()));
    },
  });
}

// Keep the live set reachable for as long as the benches run.
globalThis.addEventListener("unload", () => live.length);
