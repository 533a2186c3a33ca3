/**
 * The repository as a reader finds it: every relative link of its Markdown
 * resolves to a file of the repository, and no file speaks of files outside
 * it, of the project's history or of issue numbers (tests/_shipped.ts). The
 * packages are checked the same way by tests/ecosystem/.
 */

import assert from "node:assert/strict";
import { shippedProblems } from "./_shipped.ts";

const ROOT = new URL("../", import.meta.url).pathname;

/** The files git tracks, but binaries and lock files. */
const trackedFiles = async (): Promise<string[]> => {
  const { success, stdout, stderr } = await new Deno.Command("git", {
    args: ["ls-files", "--cached", "--others", "--exclude-standard"],
    cwd: ROOT,
    stdout: "piped",
    stderr: "piped",
  }).output();
  const decode = (bytes: Uint8Array) => new TextDecoder().decode(bytes);
  assert.ok(success, `git ls-files: ${decode(stderr)}`);
  return decode(stdout).split("\n").filter((file) =>
    file && !/(^|\/)(Cargo|deno|package-lock)\.lock$|\.(wasm|png)$/.test(file)
  );
};

Deno.test("repository: links resolve, nothing speaks of what a reader cannot see", async () => {
  const files = await trackedFiles();
  assert.ok(files.includes("README.md") && files.includes("mod.ts"));
  const present = (
    await Promise.all(
      files.map(async (file) =>
        await Deno.stat(`${ROOT}${file}`).then(() => file, () => null)
      ),
    )
  ).filter((file): file is string => file !== null);
  assert.deepEqual(
    await shippedProblems(
      present,
      (file) => Deno.readTextFile(`${ROOT}${file}`),
    ),
    [],
  );
});
