/**
 * docs/CONTRACT.md, section reclaim. Nothing here calls `gc()`: reclaim's
 * own prompt is what gets dropped tokens collected. The last test runs it in
 * a Deno process without `--expose-gc` (Node and Chromium: tests/ecosystem/).
 */

import assert from "node:assert/strict";
import { alloc, bind, buf, mem, reclaim, watch } from "../mod.ts";

const owner = {};

/** Allocates `count` spans of `size` bytes whose tokens are dropped at once. */
const drop = (count: number, size: number): void => {
  for (let i = 0; i < count; i++) alloc(size, {});
};

Deno.test("reclaim frees what dropped tokens held, then trims it all", async () => {
  const before = buf.byteLength;
  drop(20_000, 64);
  const grown = buf.byteLength;
  assert.ok(grown > before + 1_000_000);
  const released = await reclaim();
  assert.equal(released, grown - 65536, "all but the first page");
  assert.equal(buf.byteLength, 65536);
  assert.equal(mem.buffer, buf);
});

Deno.test("reclaim frees tokens that have watchers, in one call", async () => {
  class Watched {
    ptr = alloc(16, this);
    constructor() {
      watch(() => {}, this);
    }
  }
  const before = buf.byteLength;
  for (let i = 0; i < 50_000; i++) new Watched();
  assert.ok(buf.byteLength > before);
  await reclaim();
  assert.equal(buf.byteLength, before, "all they held went back");
});

Deno.test("reclaim keeps live bytes: only the pages above them go back", async () => {
  drop(5_000, 64);
  // A live span past every dropped one pins the memory below it.
  const live = alloc(256, owner);
  new Uint8Array(buf, live, 256).fill(0xA5);
  const size = buf.byteLength;
  const kept = Math.ceil((live + 256) / 65536) * 65536;
  assert.equal(await reclaim(), size - kept);
  assert.equal(buf.byteLength, kept);
  assert.ok(new Uint8Array(buf, live, 256).every((byte) => byte === 0xA5));
  // The dropped spans below it were freed all the same: 300 000 bytes fit
  // there (above it, less than a page is left).
  assert.ok(alloc(300_000, owner) < live, "placed below the live span");
  assert.equal(await reclaim(), 0, "nothing more to give back");
});

Deno.test("reclaim runs the respawns, then the watchers, as trim does", async () => {
  const calls: string[] = [];
  const spawn = () => ({ at: mem });
  let module: { at: WebAssembly.Memory } = bind(spawn, () => {
    calls.push("respawn");
    return module = spawn();
  });
  watch(() => calls.push("watch"), owner);
  drop(20_000, 64);
  const grown = buf.byteLength;
  calls.length = 0;
  const released = await reclaim();
  assert.ok(released > 0 && released <= grown - 65536);
  assert.deepEqual(calls, ["respawn", "watch"]);
  assert.equal(module.at, mem, "the respawned module sees the new memory");
});

Deno.test("reclaim rejects with a respawn's error, the trim done", async () => {
  const error = new Error("respawn failed");
  bind(() => 0, () => {
    throw error;
  });
  drop(20_000, 64);
  const grown = buf.byteLength;
  await assert.rejects(reclaim(), (thrown) => thrown === error);
  assert.ok(buf.byteLength < grown, "the memory was trimmed all the same");
});

Deno.test({
  name: "reclaim frees 100 000 dropped tokens in a Deno without --expose-gc",
  // Spawns `deno run`: needs --allow-run and --allow-read.
  async fn() {
    const fixtures = new URL("./ecosystem/fixtures/", import.meta.url);
    const map = {
      imports: { "@lewd/alloc": new URL("../mod.ts", import.meta.url).href },
    };
    const output = await new Deno.Command(Deno.execPath(), {
      args: [
        "run",
        "--no-lock",
        "--no-config",
        `--import-map=data:application/json,${
          encodeURIComponent(JSON.stringify(map))
        }`,
        new URL("reclaim_main.mjs", fixtures).pathname,
      ],
      stdout: "piped",
      stderr: "piped",
    }).output();
    const stderr = new TextDecoder().decode(output.stderr);
    assert.ok(output.success, stderr);
    const result = JSON.parse(new TextDecoder().decode(output.stdout));
    assert.equal(result.gc, false, "no gc() in that process");
    assert.ok(result.grown >= 1_600_000, "100 000 × 16 bytes were allocated");
    assert.equal(result.released, result.grown - 65536, "all but one page");
    assert.equal(result.after, 65536);
    const { watched } = result;
    assert.equal(watched.released, watched.grown - 65536, "watched tokens too");
  },
});
