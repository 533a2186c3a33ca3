/**
 * Resize notification: the respawns and watchers of a heap. A heap runs them
 * grows through its `notify` hook, which does nothing until the first
 * `watch` installs {@linkcode listen}; a trim runs them directly. A program
 * that neither watches nor trims bundles none of this.
 *
 * @module
 */

import type { State } from "./state.ts";

/** Drops the weak refs of collected tokens. */
export const sweep = (heap: State): void => {
  heap.tokens = heap.tokens.filter((ref) => ref.deref());
  heap.swept = Math.max(64, heap.tokens.length * 2);
};

/**
 * Runs the respawns (after a trim, in `bind` order), then every live watcher,
 * each as registered when the round began (so a watcher that a callback drops
 * during the round still runs in it); rethrows what they threw once all have
 * run. A respawn that returns a promise is an error (`TypeError`).
 */
export const notify = (heap: State, respawning?: boolean): void => {
  const errors: unknown[] = [];
  const due = respawning ? heap.respawns.slice() : [];
  const respawns = due.length;
  sweep(heap);
  for (const ref of heap.tokens) due.push(...heap.watchers.get(ref.deref()!)!);
  due.forEach((callback, at) => {
    try {
      // A respawn's work after its first await would race the next trim.
      if ((callback() as Promise<unknown>)?.then && at < respawns) {
        throw new TypeError("trim: a respawn returned a promise");
      }
    } catch (error) {
      errors.push(error);
    }
  });
  if (errors.length) {
    throw errors.length == 1
      ? errors[0]
      : new AggregateError(errors, "lewd: resize callbacks threw");
  }
};

/** Makes `heap`'s growth run its respawns and watchers from now on. */
export const listen = (heap: State): void => {
  heap.notify = () => notify(heap);
};
