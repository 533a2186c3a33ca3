/**
 * The binaryen settings the core ships with, shared by the core's build and by
 * the benchmarks (which shrink the peers the same way before comparing sizes).
 *
 * @module
 */

// Pinned here rather than in deno.json: a build tool, not a dependency of the package.
// deno-lint-ignore no-import-prefix
import binaryen from "npm:binaryen@132.0.0";

export { binaryen };

/**
 * Allows the features the core may use (those every current engine has) and
 * runs binaryen's size optimisation, as `wasm-opt -Oz` would.
 */
export function optimizeForSize(module: binaryen.Module): void {
  module.setFeatures(
    binaryen.Features.MVP | binaryen.Features.BulkMemory |
      binaryen.Features.BulkMemoryOpt | binaryen.Features.SignExt |
      binaryen.Features.MutableGlobals,
  );
  binaryen.setOptimizeLevel(2);
  binaryen.setShrinkLevel(2);
  binaryen.setDebugInfo(false);
  module.optimize();
}

/** `optimizeForSize` from bytes to bytes. */
export function shrinkWasm(bytes: Uint8Array): Uint8Array {
  const module = binaryen.readBinary(bytes);
  optimizeForSize(module);
  const out = module.emitBinary();
  module.dispose();
  return out;
}
