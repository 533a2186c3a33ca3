// Runs a bundle in Node and reports the bytes of every WebAssembly.Module it
// compiles, in order, base64: what the bundle's embedded strings decode to,
// after the bundler re-printed them. Reads the bundle's path from argv[2];
// prints { "modules": ["AGFzbQ…", …], "result": globalThis.lewdResult } on
// stdout (the consumers of sizes.ts leave their result there).

import process from "node:process";
import { pathToFileURL } from "node:url";

const modules = [];
const Module = WebAssembly.Module;
WebAssembly.Module = new Proxy(Module, {
  construct(target, args) {
    const [source] = args;
    const bytes = ArrayBuffer.isView(source)
      ? new Uint8Array(source.buffer, source.byteOffset, source.byteLength)
      : new Uint8Array(source);
    modules.push(Buffer.from(bytes).toString("base64"));
    return Reflect.construct(target, args);
  },
});
await import(pathToFileURL(process.argv[2]).href);
process.stdout.write(
  JSON.stringify({ modules, result: globalThis.lewdResult }) + "\n",
);
