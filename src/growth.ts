/**
 * Growth: growing `mem` geometrically until a request fits.
 *
 * @module
 */

import { outOfMemory } from "./errors.ts";
import { PAGE_BLOCKS, rebind, type State } from "./state.ts";

/**
 * Adds `pages` to `mem` (and the core's records) and rebinds; false, changing
 * nothing, if the core or the engine refuses.
 */
const enlarge = (heap: State, pages: number): boolean => {
  // The core reserves its records first, so a refusal changes nothing.
  const was = heap.cap;
  if (heap.core.grow(was + pages * PAGE_BLOCKS)) {
    try {
      heap.mem.grow(pages);
      rebind(heap, heap.mem);
      heap.freshen?.(was, heap.cap - was);
      return true;
    } catch {
      heap.core.cut(was);
    }
  }
  return false;
};

/**
 * Grows `mem` by exactly `pages` (never past the limit) and runs the
 * watchers; throws `error()`, changing nothing, if it cannot.
 */
export const growBy = (
  heap: State,
  pages: number,
  error: () => RangeError,
): void => {
  if (pages > heap.maxPages - heap.cap / PAGE_BLOCKS || !enlarge(heap, pages)) {
    throw error();
  }
  heap.notify();
};

/**
 * The block where `blocks` go now (by `fit`), after growing `mem` and running
 * the watchers (which may allocate) as often as it takes; 0 if `mem` cannot
 * grow that far and `soft`, else that throws. Nothing is taken: a watcher
 * that throws leaves nothing allocated. An aligned fit may start up to
 * `align - 1` blocks into the tail.
 *
 * Each growth adds half the current size or what is needed, whichever is
 * more (geometric growth keeps `mem.grow` calls, each of which detaches the
 * buffer, to a few dozen for any heap), and exactly what is needed if the
 * engine refuses the larger step; never past the limit. A watcher that trims
 * on every resize would undo each growth: give up after a few rounds rather
 * than loop.
 */
export const room = (
  heap: State,
  name: string,
  size: number,
  blocks: number,
  soft?: boolean,
  align = 1,
  fit: (blocks: number) => number = heap.spot,
): number => {
  let block, round = 0;
  while (!(block = fit(blocks))) {
    if (round++ == 3) {
      throw new RangeError(
        `${name}: resize callbacks keep releasing the room for ${size} bytes`,
      );
    }
    const pages = heap.cap / PAGE_BLOCKS;
    const need = Math.ceil(
      (blocks + align - 1 - heap.core.tail()) / PAGE_BLOCKS,
    );
    const left = heap.maxPages - pages;
    if (
      need > left ||
      !enlarge(heap, Math.min(Math.max(need, pages >>> 1), left)) &&
        !enlarge(heap, need)
    ) {
      if (soft) return 0;
      throw outOfMemory(
        heap,
        `${name}: out of memory, cannot fit ${size} bytes`,
        size,
      );
    }
    heap.notify();
  }
  return block;
};

/**
 * Takes the span where `blocks` go, after growing `mem` and running the
 * watchers as `room` does; 0 if `soft` and out of memory.
 */
export const reserve = (
  heap: State,
  name: string,
  size: number,
  blocks: number,
  soft?: boolean,
): number => room(heap, name, size, blocks, soft) && heap.place(blocks);
