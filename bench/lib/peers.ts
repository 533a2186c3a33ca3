/**
 * The allocators a user would pick instead, behind one small interface for
 * the untimed traces (the timed loops call the exports directly).
 *
 * - dlmalloc and talc: crates.io, compiled into one wasm32 module by
 *   bench/peers/ (C-style `malloc`/`free` exports, no global allocator). Each
 *   use instantiates the module afresh, so each allocator owns its memory.
 * - @thi.ng/malloc: a JS pool over one fixed ArrayBuffer, from npm.
 *
 * @module
 */

// deno-lint-ignore no-import-prefix
import { MemPool } from "npm:@thi.ng/malloc@6.1.150";

/** The exports of bench/peers (see its src/lib.rs). */
export interface PeerExports {
  memory: WebAssembly.Memory;
  __heap_base: WebAssembly.Global;
  dl_malloc(size: number): number;
  dl_free(ptr: number): void;
  talc_malloc(size: number): number;
  talc_free(ptr: number, size: number): void;
}

/** One allocator as the traces drive it. */
export interface Peer {
  readonly name: string;
  /** Address of `size` fresh bytes; throws when out of memory. */
  malloc(size: number): number;
  /** Frees `ptr`, allocated with `size` bytes. */
  free(ptr: number, size: number): void;
  /** Bytes from the heap's base to the end of the memory it has. */
  heapBytes(): number;
  /** Bytes from the heap's base to `ptr`. */
  offset(ptr: number): number;
}

/** Where `deno task bench` builds the peers (speed profile). */
export const PEERS_WASM = new URL(
  "../peers/target/wasm32-unknown-unknown/release/lewd_bench_peers.wasm",
  import.meta.url,
);

/**
 * Builds {@linkcode PEERS_WASM}: the speed build `deno task bench` starts
 * with (cargo and its `wasm32-unknown-unknown` target, crates from
 * bench/peers/Cargo.lock). Throws with cargo's first error lines on failure.
 */
export const buildPeersWasm = async (): Promise<void> => {
  const out = await new Deno.Command("cargo", {
    args: [
      "build",
      "--locked",
      "--release",
      "--target",
      "wasm32-unknown-unknown",
    ],
    cwd: new URL("../peers/", import.meta.url),
    stdout: "null",
    stderr: "piped",
  }).output();
  if (!out.success) {
    const lines = new TextDecoder().decode(out.stderr).split("\n")
      .map((line) => line.trim()).filter((line) => line);
    const errors = lines.filter((line) => /^(= )?(error|note)\b/.test(line))
      .map((line) => line.replace(/^= /, ""));
    throw new Error(
      `cargo build failed: ${
        (errors.length ? errors : lines).slice(0, 2).join(" / ")
      }`,
    );
  }
};

/** A fresh instance of bench/peers: one memory, used by one allocator. */
export const peerInstance = (module: WebAssembly.Module): PeerExports =>
  new WebAssembly.Instance(module).exports as unknown as PeerExports;

/** Compiles bench/peers from {@linkcode PEERS_WASM}. */
export const peerModule = (path: string | URL = PEERS_WASM) =>
  new WebAssembly.Module(Deno.readFileSync(path));

const checked = (ptr: number, name: string, size: number) => {
  if (!ptr) throw new RangeError(`${name}: out of memory for ${size} bytes`);
  return ptr;
};

/**
 * dlmalloc or talc in a fresh instance. The heap's base is `__heap_base`
 * (dlmalloc starts there, talc grows past the initial memory; either way the
 * memory below belongs to the module's stack and statics, not to the heap).
 */
export const wasmPeer = (
  module: WebAssembly.Module,
  name: "dlmalloc" | "talc",
): Peer => {
  const peer = peerInstance(module);
  const base = peer.__heap_base.value as number;
  const heapBytes = () => peer.memory.buffer.byteLength - base;
  const offset = (ptr: number) => ptr - base;
  return name == "dlmalloc"
    ? {
      name,
      malloc: (size) => checked(peer.dl_malloc(size), name, size),
      free: (ptr) => peer.dl_free(ptr),
      heapBytes,
      offset,
    }
    : {
      name,
      malloc: (size) => checked(peer.talc_malloc(size), name, size),
      free: (ptr, size) => peer.talc_free(ptr, size),
      heapBytes,
      offset,
    };
};

/** The @thi.ng/malloc version bench/ uses (also in its imports). */
export const THING_VERSION = "6.1.150";

/**
 * A @thi.ng/malloc pool of `bytes` (fixed: it never grows), 8-byte aligned
 * like the wasm peers. Its "heap" is what its bump pointer `top` has passed.
 */
export const thingPool = (bytes: number): MemPool =>
  new MemPool({ size: bytes, align: 8 });

/** @thi.ng/malloc as a {@linkcode Peer}; `heapBytes` is its high-water `top`. */
export const thingPeer = (bytes: number): Peer => {
  const pool = thingPool(bytes);
  // `top` is protected in the typings; `stats()` would walk both lists.
  const top = () => (pool as unknown as { top: number }).top;
  const base = top();
  return {
    name: "@thi.ng/malloc",
    malloc: (size) => checked(pool.malloc(size), "@thi.ng/malloc", size),
    free: (ptr) => {
      pool.free(ptr);
    },
    heapBytes: () => top() - base,
    offset: (ptr) => ptr - base,
  };
};
