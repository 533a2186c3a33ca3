/**
 * Resize notification: the respawns and watchers of a heap. A heap runs them
 * grows through its `notify` hook, which does nothing until the first
 * `watch` installs {@linkcode listen}; a trim runs them directly. A program
 * that neither watches nor trims bundles none of this.
 *
 * @module
 */

import type { State } from "./state.ts";

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
  const run = (callback: () => unknown, at: number) => {
    try {
      // A respawn's work after its first await would race the next trim.
      if ((callback() as Promise<unknown>)?.then && at < respawns) {
        throw new TypeError("trim: a respawn returned a promise");
      }
    } catch (error) {
      errors.push(error);
    }
  };
  const refs = heap.tokens;
  heap.tokens = [];
  for (const ref of refs) {
    const token = ref.deref();
    if (token !== undefined) {
      heap.tokens.push(ref);
      due.push(...heap.watchers.get(token)!);
    }
  }
  heap.swept = Math.max(64, heap.tokens.length * 2);
  due.forEach(run);
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
