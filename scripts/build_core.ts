/**
 * Builds the embedded cores: `cargo build` of rs_lib for wasm32 (the
 * extension with the `ext` feature, importing the core's memory; the big
 * core with the `big` feature), shrink with binaryen, write the core and its
 * extension to `lib/core.generated.ts` and the big core to
 * `lib/big.generated.ts` (its own module, bundled only by a program that
 * imports it) as latin1 strings (see {@linkcode latin1Literal}). With
 * `--check`, fails instead of writing when a committed file differs from
 * what the sources build.
 *
 *     deno task build          # rebuild lib/core.generated.ts, lib/big.generated.ts
 *     deno task build --check  # CI: are the committed cores fresh?
 *
 * @module
 */

import { binaryen, optimizeForSize } from "./wasm_opt.ts";
import { sectionIds } from "./wasm_sections.ts";

const OUT = new URL("../lib/core.generated.ts", import.meta.url);
const BIG_OUT = new URL("../lib/big.generated.ts", import.meta.url);
const WASM = new URL(
  "../target/wasm32-unknown-unknown/release/lewd_core.wasm",
  import.meta.url,
);
/**
 * Where rs_lib/src/linear.rs lays out its words (`BASE`); the statics must end
 * below. Small, so that the offsets of most loads fit in one LEB128 byte.
 */
const WORDS_AT = 64;

const check = Deno.args.includes("--check");

/** The stack size of .cargo/config.toml, which RUSTFLAGS would override. */
const STACK = ["-C", "link-arg=-zstack-size=16"];

/** The link layout of a build: where its statics end, and the heap base. */
interface Layout {
  dataEnd: number;
  heapBase: number;
}

/**
 * Builds the core, or the extension (the `ext` feature, linked to import its
 * memory), or the big core (the `big` feature), and shrinks it; returns the
 * bytes and the layout.
 */
async function build(
  feature: "" | "ext" | "big",
): Promise<[Uint8Array, Layout]> {
  const ext = feature === "ext";
  const cargo = await new Deno.Command("cargo", {
    args: [
      "build",
      "--release",
      "--target",
      "wasm32-unknown-unknown",
      "-p",
      "lewd_core",
      ...(feature ? ["--features", feature] : []),
    ],
    env: ext
      ? {
        CARGO_ENCODED_RUSTFLAGS: [...STACK, "-C", "link-arg=--import-memory"]
          .join("\x1f"),
      }
      : {},
    stdout: "inherit",
    stderr: "inherit",
  }).output();
  if (!cargo.success) Deno.exit(1);

  const module = binaryen.readBinary(await Deno.readFile(WASM));
  const symbol = (name: string) => {
    const global = module.getGlobal(
      binaryen.getExportInfo(module.getExport(name)).value,
    );
    return (binaryen.getExpressionInfo(
      binaryen.getGlobalInfo(global).init,
    ) as binaryen.ConstInfo).value as number;
  };
  const layout = {
    dataEnd: symbol("__data_end"),
    heapBase: symbol("__heap_base"),
  };
  if (layout.heapBase > WORDS_AT) {
    throw new Error(
      `__heap_base ${layout.heapBase} overlaps the core's words at ${WORDS_AT}`,
    );
  }
  // The facade calls functions only; the link symbols stay private. The
  // core's memory is exported, for the extension to import.
  for (
    const name of ["__data_end", "__heap_base", ...(ext ? ["memory"] : [])]
  ) {
    if (module.getExport(name)) module.removeExport(name);
  }
  // With an imported memory the linker adds a start function that zeroes the
  // statics: for the extension, that would wipe the core's heap.
  if (ext) module.setStart(0 as binaryen.FunctionRef);
  optimizeForSize(module);
  exportForwardedCallees(module);
  if (feature === "big") {
    // The big core is held to a size budget that its speed keeps pressing
    // against: rebuilding its control flow from scratch (flatten, then
    // rereloop), dropping stores of values a local already holds (rse) and
    // sinking the rest into their uses before tees come back
    // (simplify-locals-notee) lets the next optimisation fold more (about
    // 47 bytes).
    module.runPasses(["flatten", "rereloop", "rse", "simplify-locals-notee"]);
    module.optimize();
  }
  module.optimize();
  // .cargo/config.toml gives the core a 16-byte stack, below its statics: the
  // code must not touch it (no function keeps a frame in linear memory).
  if (module.getNumGlobals() !== 0) {
    throw new Error(
      "the core uses its shadow stack (a global is left): give it a real stack",
    );
  }
  if (!module.validate()) {
    throw new Error("binaryen produced an invalid module");
  }
  const bytes = module.emitBinary();
  module.dispose();
  // Instantiating the extension must never write into the core's memory: no
  // start function (8), no data segments (11).
  if (ext && sectionIds(bytes).some((id) => id == 8 || id == 11)) {
    throw new Error("the extension would write into the core's memory");
  }
  return [bytes, layout];
}

const [coreBytes, coreLayout] = await build("");
const [extBytes, extLayout] = await build("ext");
const [bigBytes] = await build("big");
// The extension works on the core's heap through the same statics: their
// layout must be the same in both builds.
if (JSON.stringify(coreLayout) !== JSON.stringify(extLayout)) {
  throw new Error(
    `the core's and the extension's statics differ: ${
      JSON.stringify(coreLayout)
    } and ${JSON.stringify(extLayout)}`,
  );
}

/**
 * An export whose body only passes its parameters on to another function (as
 * `peek` and `tail` do, over `Heap::peek` and `Heap::tail`) exports that
 * function instead: the same behaviour, one function less. The next
 * `optimize()` drops the wrapper.
 */
function exportForwardedCallees(module: binaryen.Module) {
  for (let i = module.getNumExports() - 1; i >= 0; i--) {
    const exported = binaryen.getExportInfo(module.getExportByIndex(i));
    if (exported.kind !== binaryen.ExternalFunction) continue;
    const wrapper = binaryen.getFunctionInfo(
      module.getFunction(exported.value),
    );
    const body = binaryen.getExpressionInfo(wrapper.body);
    if (body.id !== binaryen.CallId) continue;
    const call = body as binaryen.CallInfo;
    const callee = binaryen.getFunctionInfo(module.getFunction(call.target));
    const forwards = call.operands.every((operand, index) => {
      const get = binaryen.getExpressionInfo(operand);
      return get.id === binaryen.LocalGetId &&
        (get as binaryen.LocalGetInfo).index === index;
    });
    if (
      call.isReturn || !forwards || callee.params !== wrapper.params ||
      callee.results !== wrapper.results
    ) continue;
    module.removeExport(exported.name);
    module.addFunctionExport(call.target, exported.name);
  }
}

/** The escapes of the control characters that have a one-letter form. */
const SHORT_ESCAPES: Record<number, string> = {
  0x08: "\\b",
  0x09: "\\t",
  0x0a: "\\n",
  0x0b: "\\v",
  0x0c: "\\f",
  0x0d: "\\r",
};

/**
 * What each embedded byte is XORed with. Bundlers re-print the literals
 * (esbuild escapes controls and bytes from 0x80 as `\xNN`, terser writes
 * bytes from 0x80 as two-byte UTF-8), so what a bundle pays for the core is
 * the printed literal, gzipped. XOR with 0x35 maps the wasm's most frequent
 * bytes (0x00–0x04, `local.get`, `i32.const`, `block`) to printable ASCII:
 * measured with esbuild and terser, the core's literal gzips 74 and 52 bytes
 * smaller than with the plain bytes, the extension's 94 and 62; no other key
 * did better on both.
 */
const KEY = 0x35;

/**
 * `bytes` as a double-quoted JS string literal of plain ASCII whose char
 * codes (0–255) are the bytes XOR {@linkcode KEY}, for the facade to decode
 * with `Uint8Array.from(text, (c) => c.charCodeAt(0) ^ KEY)`: printable
 * ASCII as itself (`"` and `\` escaped), `\0` (`\x00` before a digit, which
 * would read as an octal escape), the one-letter escapes `\b \t \n \v \f \r`,
 * and `\xNN` for the other controls and 0x7f–0xff.
 *
 * Latin1 rather than base64: bundlers re-print the literal (esbuild with raw
 * control characters, terser with raw latin1), and gzip packs that smaller
 * than base64, whose 6-bit groups hide the bytes' repetitions. Of the escape
 * styles measured, this one gives the smallest file; the minified bundles do
 * not depend on it (they re-print), within a byte or two of naming noise.
 */
function latin1Literal(wasm: Uint8Array): string {
  const bytes = wasm.map((byte) => byte ^ KEY);
  let text = "";
  for (let i = 0; i < bytes.length; i++) {
    const byte = bytes[i];
    if (byte == 0) {
      const next = bytes[i + 1];
      text += next >= 0x30 && next <= 0x39 ? "\\x00" : "\\0";
    } else if (byte in SHORT_ESCAPES) {
      text += SHORT_ESCAPES[byte];
    } else if (byte == 0x22 || byte == 0x5c) {
      text += "\\" + String.fromCharCode(byte);
    } else if (byte >= 0x20 && byte <= 0x7e) {
      text += String.fromCharCode(byte);
    } else {
      text += "\\x" + byte.toString(16).padStart(2, "0");
    }
  }
  return `"${text}"`;
}

const text =
  `// Generated by \`deno task build\` (scripts/build_core.ts) from rs_lib/. Do not edit.

/** What each byte of the strings below is XORed with. */
export const KEY = ${KEY};

/**
 * The bookkeeping core: ${coreBytes.length} bytes of wasm, one per char code
 * (0 to 255, XOR \`KEY\`).
 */
export const core: string =
  ${latin1Literal(coreBytes)};

/**
 * The core's extension (strong allocations, alignment, stats, the debugger),
 * instantiated over the core's memory on first use: ${extBytes.length} bytes of
 * wasm, one per char code (0 to 255, XOR \`KEY\`).
 */
export const ext: string =
  ${latin1Literal(extBytes)};
`;

const bigText =
  `// Generated by \`deno task build\` (scripts/build_core.ts) from rs_lib/. Do not edit.

/**
 * The big core (records per span, the \`big\` feature): ${bigBytes.length} bytes of
 * wasm, one per char code (latin1, 0 to 255).
 */
export const big: string =
  ${latin1Literal(bigBytes)};
`;

/** Writes `content` to `url`, or with `--check` fails if it differs. */
async function emit(url: URL, content: string, sizes: string) {
  const name = `lib/${url.pathname.split("/").pop()}`;
  if (check) {
    const committed = await Deno.readTextFile(url).catch(() => "");
    if (committed !== content) {
      console.error(`${name} is stale: run \`deno task build\` and commit it.`);
      Deno.exit(1);
    }
    console.log(`${name} is fresh (${sizes}).`);
  } else {
    await Deno.writeTextFile(url, content);
    console.log(`wrote ${name}: ${sizes}.`);
  }
}

await emit(
  OUT,
  text,
  `${coreBytes.length} + ${extBytes.length} bytes of wasm`,
);
await emit(BIG_OUT, bigText, `${bigBytes.length} bytes of wasm`);
