/**
 * The pressure hint per engine (docs/CONTRACT.md, section Freeing by the GC;
 * src/pacing.ts): past a share of `mem` handed out with tokens, `alloc`
 * creates a large throwaway `ArrayBuffer` on V8 and SpiderMonkey, which
 * answer it with a collection, and drops it (it detaches it only in a V8
 * window: SpiderMonkey ignores a detached one). On JavaScriptCore, which
 * would write the whole buffer, it creates none (bench/gc/FINDINGS.md). Runs
 * on every engine of tests/engines/ too.
 */

import assert from "node:assert/strict";
import { alloc, cap } from "../mod.ts";

const agent = (globalThis as { navigator?: { userAgent?: string } })
  .navigator?.userAgent ?? "";
const engine = /\bBun\//.test(agent)
  ? "JavaScriptCore"
  : /Firefox\//.test(agent)
  ? "SpiderMonkey"
  : "V8";

Deno.test(`pacing on ${engine}: throwaway buffers where they are answered`, () => {
  const Original = globalThis.ArrayBuffer;
  const transfer = Object.getOwnPropertyDescriptor(
    Original.prototype,
    "transfer",
  );
  const sizes: number[] = [];
  let detached = 0;
  globalThis.ArrayBuffer = new Proxy(Original, {
    construct(target, args, newTarget) {
      sizes.push(Number(args[0] ?? 0));
      return Reflect.construct(target, args, newTarget);
    },
  });
  if (transfer) {
    Object.defineProperty(Original.prototype, "transfer", {
      ...transfer,
      value(this: ArrayBuffer, ...args: unknown[]) {
        detached++;
        return transfer.value.apply(this, args);
      },
    });
  }
  const tokens: object[] = [];
  let throwaways: number[];
  try {
    // 40 MiB handed out with tokens, kept alive: many times the 4 MiB after
    // which the first check comes.
    for (let i = 0; i < 40_000; i++) {
      const token = {};
      tokens.push(token);
      alloc(1024, token);
    }
  } finally {
    globalThis.ArrayBuffer = Original;
    if (transfer) {
      Object.defineProperty(Original.prototype, "transfer", transfer);
    }
    throwaways = sizes.filter((size) => size >= 2 ** 28);
  }
  assert.ok(cap * 16 >= 40_000 * 1024, "the allocations are all live");
  assert.equal(tokens.length, 40_000);
  if (engine == "JavaScriptCore") {
    assert.deepEqual(throwaways, [], "no throwaway buffer");
  } else {
    assert.ok(throwaways.length > 0, "throwaway buffers");
    // Only a V8 window (Chromium: never under Deno) detaches them.
    assert.equal(detached, 0, "dropped, not detached");
  }
});
