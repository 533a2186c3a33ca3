/**
 * A heap's state: one plain record per heap, which every operation takes as
 * its first argument. The default heap (`default.ts`) and each heap of
 * `createHeap` are records of this one shape, made by {@linkcode createState},
 * so every operation is written once and stays monomorphic.
 *
 * @module
 */

import { type Core, newCore } from "./core.ts";
import type { Ext } from "./extension.ts";
import type { Kinds } from "./kinds.ts";
import type { Movables } from "./movable.ts";
import { pace } from "./pacing.ts";

/** Blocks of 16 bytes in a 64 KiB page. */
export const PAGE_BLOCKS = 4096;
/** The most pages a memory may have (4 GiB). */
export const MAX_PAGES = 65536;
/** The largest size one allocation may ask for. */
export const MAX_SIZE = 0xFFFF_FFF0;

/**
 * The seam through which extensions change how the basic operations behave:
 * each is replaced as a whole (never patched in place), so a program that
 * never loads the extension runs the plain versions below.
 */
export interface Hooks {
  /** Where the next `blocks` would go now, 0 if nothing fits (`policy`). */
  spot(blocks: number): number;
  /** Takes the span where `blocks` go, 0 if nothing fits (`policy`). */
  place(blocks: number): number;
  /**
   * Frees what a finalized registration held: a block, or a keyed
   * registration once the pointer kinds are in use (`kinds.ts`).
   */
  finalize(held: number): void;
  /** Frees `block` in the core (`debug` fills the span first). */
  unspan(block: number): void;
  /**
   * Called with each range of blocks that becomes free other than by
   * `unspan` (new pages, the cut end of a `realloc`), and with each scratch
   * in debug mode (`debug` keeps its fill pattern and scratch list).
   */
  freshen(block: number, blocks: number, scratch?: boolean): void;
  /** Whether debug mode is on (the scratch path only looks at this). */
  debugging: boolean;
  /**
   * Runs the watchers after a growth: nothing until `watch` first registers
   * one (`notify.ts`); respawns run after trims only, which notify directly.
   */
  notify(): void;
}

/** One heap: its memory, its core, its callbacks and its pacing. */
export interface State extends Hooks {
  /** The core's exports over its own records. */
  core: Core;
  /** The managed memory, its buffer, a view and its size in blocks. */
  mem: WebAssembly.Memory;
  buf: ArrayBuffer;
  i32: Int32Array;
  cap: number;
  /** Called after every rebinding (the default heap's live bindings). */
  rebound: (heap: State) => void;
  /** The most pages `mem` may have (`limit`). */
  maxPages: number;
  /** Frees a token's spans after the token is collected. */
  registry: FinalizationRegistry<number>;
  /** Blocks handed out with a token since the last pacing check. */
  debt: number;
  /** The debt that triggers the next check (`pacing.ts`). */
  nudgeAt: number;
  /** The size of the next throwaway buffer (`pacing.ts`). */
  nudgeSize: number;
  /** Early checks left before the engine's first collection is seen. */
  priming: number;
  /** Checks skipped since the last nudge, with no finalizer since. */
  skipped: number;
  /** Whether a finalizer ran since the last nudge. */
  collected: boolean;
  /** The respawn callbacks, in `bind` order. */
  respawns: (() => unknown)[];
  /** Each token's watchers, held through the token only (an ephemeron). */
  watchers: WeakMap<WeakKey, Set<() => unknown>>;
  /** Weak refs to the tokens with watchers, in registration order. */
  tokens: WeakRef<WeakKey>[];
  /** How long `tokens` may get before the dead refs are swept. */
  swept: number;
  /** The core's extension, once loaded (`extension.ts`). */
  ext: Ext | undefined;
  /** The pointer kinds' bookkeeping, once in use (`kinds.ts`). */
  kinds: Kinds | undefined;
  /** The movable spans, once any (`movable.ts`; absent until then). */
  movables?: Movables;
  /** First blocks of the protected ranges, once any (`protect.ts`). */
  guarded: Set<number> | undefined;
  /** Scratches handed out in debug mode, as [first, end) blocks. */
  scratches: [number, number][];
  /** The placement policy's name (`policy.ts`). */
  policy: string;
}

/**
 * A heap over `memory` (a new one-page memory if not given), all of it free
 * but the null guard; `rebound` is told of every later rebinding. A `core`
 * whose records already cover `memory` (a shared heap's) is taken as it is.
 */
export const createState = (
  memory: WebAssembly.Memory = new WebAssembly.Memory({ initial: 1 }),
  rebound: (heap: State) => void = () => {},
  core: Core = newCore(),
): State => {
  const buf = memory.buffer as ArrayBuffer;
  const heap: State = {
    // The core's own functions: no JS frame between alloc and the core.
    spot: core.peek,
    place: core.take,
    finalize: (block) => heap.unspan(block),
    unspan: (block) => core.free(block),
    freshen: () => {},
    debugging: false,
    notify: () => {},
    core,
    mem: memory,
    buf,
    i32: new Int32Array(buf),
    cap: buf.byteLength / 16,
    rebound,
    maxPages: MAX_PAGES,
    // The held value is the block index (a small integer): nothing per
    // allocation references the token, and no object is made for it.
    registry: new FinalizationRegistry((held) => {
      heap.debt = 0; // a collection happened: start counting again
      heap.collected = true;
      heap.finalize(held);
    }),
    debt: 0,
    nudgeAt: 0,
    nudgeSize: 0x1000_0000, // 256 MiB: dropped, or the first detached
    priming: 3,
    skipped: 0,
    collected: false,
    respawns: [],
    watchers: new WeakMap(),
    tokens: [],
    swept: 64,
    ext: undefined,
    kinds: undefined,
    guarded: undefined,
    scratches: [],
    policy: "best",
  };
  core.grow(heap.cap);
  pace(heap);
  return heap;
};
