/**
 * The big face: mod.ts's names, with the basic API (`alloc`, `trim`, `bind`,
 * `watch`, `unwatch`, `mem`, `buf`, `i32`, `cap`) taken from the big entry
 * point (`big.ts`), so that the suite's basic-API tests run against the big
 * core's default heap. `deno task test` runs those files (the ones that use
 * the basic API alone, and leave the order among equal best fits aside) a
 * third time with `--import-map=tests/faces/big.json`.
 *
 * @module
 */

export * from "../../mod.ts";
export {
  alloc,
  bind,
  buf,
  cap,
  i32,
  mem,
  trim,
  unwatch,
  watch,
} from "../../big.ts";
