/**
 * Reading the layout of a wasm binary, for the build scripts' checks.
 *
 * @module
 */

/** The ids of the sections of a wasm binary, in order. */
export function sectionIds(wasm: Uint8Array): number[] {
  const ids: number[] = [];
  let at = 8; // magic and version
  while (at < wasm.length) {
    ids.push(wasm[at++]);
    let size = 0;
    for (let shift = 0;; shift += 7) {
      const byte = wasm[at++];
      size += (byte & 0x7f) * 2 ** shift;
      if (byte < 0x80) break;
    }
    at += size;
  }
  return ids;
}
