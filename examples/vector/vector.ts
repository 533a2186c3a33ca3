/**
 * The wrapper of the example vector module: one instance, bound so that it is
 * re-created over the new memory after every `trim()`.
 *
 * The module allocates from the WASM side through {@linkcode imports}
 * (`env.malloc`, `env.realloc`, `env.free`): it links no allocator of its own.
 *
 * @module
 */

import { bind, imports, mem } from "../../mod.ts";
import { vector } from "./vector.generated.ts";

/** The module's exports; a vector is the address of its 12-byte header. */
export interface VectorModule {
  /** A new, empty vector; 0 when out of memory. */
  create(): number;
  /** Appends `x`; 1, or 0 when out of memory. */
  push(v: number, x: number): number;
  /** Elements in use. */
  len(v: number): number;
  /** The element at `i` (unchecked). */
  get(v: number, i: number): number;
  /** The sum of the elements, wrapping at 32 bits. */
  sum(v: number): number;
  /** Frees the vector's storage and header. */
  destroy(v: number): void;
}

const MODULE = new WebAssembly.Module(
  Uint8Array.from(atob(vector), (c) => c.charCodeAt(0)),
);

const spawn = () =>
  new WebAssembly.Instance(MODULE, { env: { ...imports, mem } })
    .exports as unknown as VectorModule;

/** The module instance over the current `mem`. */
export let vectors: VectorModule = bind(spawn, () => {
  // Nothing lives in the instance (no globals, no tables): its vectors are
  // all in `mem`, which `trim` copied, so a new instance carries on.
  vectors = spawn();
});
