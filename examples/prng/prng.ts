/**
 * The README's PRNG walkthrough, runnable: a xoshiro128** PRNG
 * hand-written in WAT (`prng.wat`), wrapped in a JS class whose instances keep
 * their 16 bytes of state in LEWD's shared memory.
 *
 * @example
 * ```ts
 * import { MyPRNG } from "./prng.ts";
 *
 * const rng = new MyPRNG(42);
 * const n = rng.rand(); // a signed 32-bit integer
 * const out = new Int32Array(8);
 * rng.fill(out); // the next 8 values
 * ```
 *
 * @module
 */

import { alloc, bind, buf, cap, mem, trim, watch } from "../../mod.ts";
import { prng } from "./prng.generated.ts";

// Re-exported so that users of the wrapper can give pages back without
// importing the allocator themselves.
export { trim };

/** The exports of `prng.wat`; every argument and result is an i32. */
interface PrngExports {
  /** Writes the 1 KiB table at `tab`. Once per table, never on respawn. */
  init(): void;
  /** Seeds the 16-byte state at `self`. */
  seed(self: number, seed: number): void;
  /** Steps the state at `self` and returns the next value. */
  rand(self: number): number;
  /** Writes `len >> 2` successive values at `out`. */
  fill(self: number, out: number, len: number): void;
}

const PRNG_MOD = /*#__PURE__*/ new WebAssembly.Module(
  /*#__PURE__*/ Uint8Array.from(atob(prng), (c) => c.charCodeAt(0)),
);

// The table lives as long as the module object, i.e. as long as the program.
const tab = /*#__PURE__*/ alloc(1024, PRNG_MOD);

const spawn = (): PrngExports =>
  new WebAssembly.Instance(PRNG_MOD, { env: { mem, tab } })
    .exports as unknown as PrngExports;

let impl = /*#__PURE__*/ bind(
  // Spawn: the first instance computes the table.
  () => {
    const impl = spawn();
    impl.init();
    return impl;
  },
  // Respawn, after trim() replaced `mem`: a new instance over the new memory.
  // The module has no mutable globals or tables to carry over, and the table
  // and every generator's state were copied with the memory, so `init` must
  // not run again.
  () => {
    impl = spawn();
  },
);

/**
 * Largest scratch {@linkcode MyPRNG.fill} asks for: longer outputs are filled
 * in parts, so filling a big array never needs a big allocation.
 */
const FILL_CHUNK = 65536;

/**
 * A xoshiro128** generator whose 128-bit state lives in LEWD's shared memory,
 * freed automatically when the generator is garbage-collected.
 *
 * @example
 * ```ts
 * import { MyPRNG } from "./prng.ts";
 *
 * const a = new MyPRNG(1);
 * const b = new MyPRNG(1);
 * a.rand() === b.rand(); // true: same seed, same sequence
 * ```
 */
export class MyPRNG {
  // The address of the 16-byte state.
  #ptr: number;

  // A view of the state; rebuilt by the watcher whenever `buf` changes.
  #buf: Int32Array;

  /**
   * Creates a generator: allocates its 16 bytes (owned by the new object) and
   * seeds them.
   *
   * @param seed Any 32-bit integer; equal seeds give equal sequences.
   * @throws {RangeError} If memory cannot grow to hold 16 more bytes.
   */
  constructor(seed: number) {
    seed = seed | 0;
    this.#ptr = alloc(16, this) | 0;
    this.#buf = new Int32Array(buf, this.#ptr >>> 0, 4);
    // The watcher captures `this`; LEWD holds it through `this` only, so it
    // does not keep the generator alive.
    watch(() => {
      this.#buf = new Int32Array(buf, this.#ptr >>> 0, 4);
    }, this);
    impl.seed(this.#ptr | 0, seed | 0);
  }

  /**
   * Returns the next value of the sequence.
   *
   * @returns A signed 32-bit integer (`>>> 0` gives the unsigned one).
   */
  rand = (): number => {
    return impl.rand(this.#ptr | 0) | 0;
  };

  /**
   * Fills `out` with the next `out.length` values of the sequence, the same
   * values `out.length` calls to {@linkcode MyPRNG.rand} would return.
   *
   * The values are written by the wasm side into a scratch (at most 64 KiB;
   * longer arrays are filled in parts) and copied into `out`. If the scratch
   * made `mem` grow, the pages are given back with {@linkcode trim}.
   *
   * @param out The array to fill; an empty one is left as is.
   * @throws {RangeError} If memory cannot grow to hold the scratch; then
   * neither `out` nor the generator has changed.
   */
  fill = (out: Int32Array): void => {
    const length = out.byteLength | 0;
    if (length == 0) return;
    const before = cap;
    // The only allocation in this call, so the scratch stays valid while the
    // chunks are written and copied.
    const chunk = Math.min(length, FILL_CHUNK) | 0;
    const scratch = alloc(chunk) | 0;
    for (let done = 0; done < length; done += chunk) {
      const part = Math.min(chunk, length - done) | 0;
      impl.fill(this.#ptr | 0, scratch | 0, part | 0);
      out.set(new Int32Array(buf, scratch >>> 0, part >>> 2), done >>> 2);
    }
    if (cap != before) trim();
  };

  /**
   * The four 32-bit words of the state, as signed integers. Setting it
   * rewinds or forwards the generator to that point of some sequence.
   *
   * @example
   * ```ts
   * import { MyPRNG } from "./prng.ts";
   *
   * const rng = new MyPRNG(7);
   * const saved = rng.state;
   * const x = rng.rand();
   * rng.state = saved;
   * rng.rand() === x; // true
   * ```
   */
  get state(): number[] {
    return [...this.#buf];
  }

  /**
   * @throws {RangeError} If `state` does not have four words, or all of them
   * are zero (xoshiro would return zeros forever).
   */
  set state(state: number[]) {
    if (state.length != 4 || state.every((word) => (word | 0) == 0)) {
      throw new RangeError(
        `MyPRNG.state: expected four 32-bit words, not all zero, got [${state}]`,
      );
    }
    this.#buf.set([state[0]!, state[1]!, state[2]!, state[3]!]);
  }
}
