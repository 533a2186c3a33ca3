/**
 * The shapes of what each scenario prints (its `RESULT` line) and of the
 * whole run that `bench/run.ts` collects.
 *
 * @module
 */

/** ops.ts: one heap of `live` live spans. */
export interface OpsResult {
  runtime: string;
  /**
   * The heap measured: the module's own, one of `createHeap()`, or the big
   * entry point's (the big core).
   */
  heap?: "default" | "create" | "big";
  live: number;
  liveAfterDrop: number;
  memBytes: number;
  stragglers: number;
  ns: {
    floorA: number;
    floorB: number;
    allocToken: number;
    allocScratch: number;
  };
  ratio: {
    allocToken_floorB: number;
    allocScratch_floorB: number;
    floorB_floorA: number;
    allocToken_floorA: number;
  };
}

/** core.ts: the core alone at several heap sizes. */
export interface CoreResult {
  coreBytes: number;
  heaps: { live: number; ns: { peek: number; take: number; free: number } }[];
  ratio: { take_last_first: number };
}

/** big.ts: the big core beside the default core, both alone. */
export interface BigCoreResult {
  coreBytes: { default: number; big: number };
  ops: number;
  rounds: number;
  heaps: {
    kind: "default" | "big";
    live: number;
    memory: { bytes: number; perSpan: number; again: number[] };
    ns: { peek: number; take: number; free: number };
  }[];
  /** Big ÷ default, paired by round. */
  ratios: { live: number; peek: number; take: number; free: number }[];
  /**
   * Per `live`: nanoseconds per dependent load at random cache lines of a
   * buffer as large as the big core's records (`bytes`).
   */
  latency: { live: number; bytes: number; ns: number }[];
  churn: {
    live: number;
    ops: number;
    ns: { default: number; big: number; dlmalloc: number };
    bigOverDlmalloc: number;
    defaultOverDlmalloc: number;
  };
}

/** Nanoseconds per op of one churn variant, and where they went. */
export interface Split {
  total: number;
  loop: number;
  gc: number;
  finalizers: number;
}

/** churn.ts. */
export interface ChurnResult {
  live: number;
  batch: number;
  ops: number;
  thingOps: number;
  lewdPeakMemBytes: number;
  ns: Record<string, Split>;
  ratio: {
    lewd_floor: number;
    lewd_floor_noGc: number;
    lewd_dlmallocFR: number;
    lewd_talcFR: number;
    lewd_thingFR: number;
    lewd_dlmallocFree: number;
    dlmallocFR_floor: number;
    talcFR_floor: number;
  };
}

/** gc/churn.ts: the churn loop with no forced GC, or with one. */
export interface PressureResult {
  runtime: string;
  ops: number;
  /** "none", or operations between forced `gc()` calls. */
  gcEvery: number | "none";
  peakMemMiB: string;
  peakLiveMiB: string;
  ratio: string;
  /** Live bytes plus the bytes allocated between two yields (newer runs). */
  floorMiB?: string;
  floorRatio?: string;
  nsPerOp: number;
  busyNsPerOp: number;
}

/** trim.ts. */
export interface TrimResult {
  keepMiB: number;
  usedMiB: number;
  keptBytes: number;
  releasedBytes: number;
  ms: { trim: number; bare: number };
  ratio: number;
}

/** heap.ts. */
export interface HeapResult {
  count: number;
  bytes: { registry: number; alloc: number };
  ratio: number;
}

/** growth.ts. */
export interface GrowthResult {
  count: number;
  liveBytes: number;
  lewd: { grows: number; memBytes: number; ms: number };
  peers: { name: string; grows: number; memBytes: number }[];
}

/** frag.ts: one allocator on one trace. */
export interface FragResult {
  trace: string;
  description: string;
  allocator: string;
  peakLive: number;
  finalLive: number;
  peakMem: number;
  highWater: number;
  grows: number;
  trimmedBytes?: number;
  stragglers: number;
  ms: number;
}

/** Raw and gzip -9 bytes of one artefact. */
export interface Size {
  name: string;
  what: string;
  raw: number;
  gzip: number;
}

/** Where and with what the run happened. */
export interface Env {
  date: string;
  cpu: string;
  cores: number;
  memory: string;
  os: string;
  load: string;
  deno: string;
  node: string;
  rustc: string;
  esbuild: string;
  crates: string;
  npm: string;
  commit: string;
}

/** Everything one `deno task bench` collects. */
export interface Results {
  smoke: boolean;
  env: Env;
  sizes: {
    core: Size;
    /** The core's extension, loaded on first use (absent in older results). */
    ext?: Size;
    pkg: Size;
    allocOnly: Size;
    peers: Size[];
    /**
     * The marginal min+gzip cost of each extension over the basic API, the
     * markdown table `deno task sizes` prints (absent in older results, or
     * when it could not run).
     */
    extensions?: string;
  };
  core: CoreResult;
  ops: OpsResult[];
  runtimes: { node: OpsResult[]; deno: OpsResult[] };
  churn: ChurnResult;
  trim: TrimResult[];
  heap: HeapResult;
  growth: GrowthResult;
  frag: FragResult[];
  /**
   * The big core (absent in older results): both cores alone (big.ts),
   * `alloc` on the big entry point's heap and on the default one at the
   * smallest and largest live counts (ops.ts), and the fragmentation traces
   * on a big-core heap (frag.ts, `allocator=lewd big`).
   */
  big?: { cores: BigCoreResult; ops: OpsResult[]; frag: FragResult[] };
  /**
   * The churn loop without `gc()` and with `gc()` every 5 000 operations, per
   * runtime (absent in older results; Chromium only where it is installed).
   * Bun and Firefox (full runs, where tests/engines/ can run them) have no
   * forced figure; `unpaced` is the same loop with the pacing taken out.
   */
  pressure?: {
    runtime: string;
    free: PressureResult;
    forced?: PressureResult;
    unpaced?: PressureResult;
  }[];
}
