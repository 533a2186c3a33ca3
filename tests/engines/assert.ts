/**
 * The strict `node:assert` functions the suite calls, for the browser page
 * (Bun has `node:assert` itself). Semantics follow Node's strict mode:
 * `equal` is `Object.is`, `deepEqual` compares prototypes, own enumerable
 * keys, and elements of arrays, typed arrays, maps and sets; `throws` takes
 * an error class, a validation function that must return `true`, a RegExp
 * tested against the error's string, or an object whose properties must
 * match.
 *
 * @module
 */

/** A failed assertion. */
export class AssertionError extends Error {
  override name = "AssertionError";
}

const show = (value: unknown): string => {
  try {
    if (typeof value == "bigint") return `${value}n`;
    if (typeof value == "string") return JSON.stringify(value);
    if (typeof value == "function") return `[function ${value.name}]`;
    if (ArrayBuffer.isView(value)) {
      return `${value.constructor.name}(${
        (value as unknown as ArrayLike<number>).length
      })`;
    }
    return typeof value == "object" && value !== null
      ? JSON.stringify(value, (_, v) => typeof v == "bigint" ? `${v}n` : v)
        .slice(0, 400)
      : String(value);
  } catch {
    return Object.prototype.toString.call(value);
  }
};

const failWith = (message: string | Error | undefined, why: string): never => {
  if (message instanceof Error) throw message;
  throw new AssertionError(message ? `${message} (${why})` : why);
};

/** Fails unless `value` is truthy. */
export function ok(value: unknown, message?: string | Error): asserts value {
  if (!value) failWith(message, `expected a truthy value, got ${show(value)}`);
}

/** Fails unless `Object.is(actual, expected)`. */
export function strictEqual<T>(
  actual: unknown,
  expected: T,
  message?: string | Error,
): asserts actual is T {
  if (!Object.is(actual, expected)) {
    failWith(message, `${show(actual)} !== ${show(expected)}`);
  }
}

/** Fails if `Object.is(actual, expected)`. */
export function notStrictEqual(
  actual: unknown,
  expected: unknown,
  message?: string | Error,
): void {
  if (Object.is(actual, expected)) {
    failWith(message, `expected anything but ${show(expected)}`);
  }
}

function same(a: unknown, b: unknown, seen: Map<object, object>): boolean {
  if (Object.is(a, b)) return true;
  if (
    typeof a != "object" || typeof b != "object" || a === null || b === null
  ) return false;
  if (Object.getPrototypeOf(a) !== Object.getPrototypeOf(b)) return false;
  if (seen.get(a) === b) return true;
  seen.set(a, b);
  const tag = Object.prototype.toString.call(a);
  if (tag != Object.prototype.toString.call(b)) return false;
  if (a instanceof Date) return a.getTime() == (b as Date).getTime();
  if (a instanceof RegExp) return String(a) == String(b);
  if (a instanceof Error && a.message != (b as Error).message) return false;
  if (ArrayBuffer.isView(a)) {
    const x = a as unknown as ArrayLike<unknown>;
    const y = b as unknown as ArrayLike<unknown>;
    if (x.length != y.length) return false;
    for (let i = 0; i < x.length; i++) if (!Object.is(x[i], y[i])) return false;
  }
  if (a instanceof Map) {
    const other = b as Map<unknown, unknown>;
    if (a.size != other.size) return false;
    for (const [k, v] of a) {
      if (!other.has(k) || !same(v, other.get(k), seen)) return false;
    }
  }
  if (a instanceof Set) {
    const other = b as Set<unknown>;
    if (a.size != other.size) return false;
    for (const v of a) if (!other.has(v)) return false;
  }
  const keys = Object.keys(a).filter((k) =>
    !ArrayBuffer.isView(a) || isNaN(+k)
  );
  const otherKeys = Object.keys(b).filter((k) =>
    !ArrayBuffer.isView(b) || isNaN(+k)
  );
  if (keys.length != otherKeys.length) return false;
  return keys.every((k) =>
    Object.prototype.hasOwnProperty.call(b, k) &&
    same(
      (a as Record<string, unknown>)[k],
      (b as Record<string, unknown>)[k],
      seen,
    )
  );
}

/** Fails unless the two values are deeply and strictly equal. */
export function deepStrictEqual<T>(
  actual: unknown,
  expected: T,
  message?: string | Error,
): asserts actual is T {
  if (!same(actual, expected, new Map())) {
    failWith(message, `not deeply equal: ${show(actual)} vs ${show(expected)}`);
  }
}

/** Fails if the two values are deeply and strictly equal. */
export function notDeepStrictEqual(
  actual: unknown,
  expected: unknown,
  message?: string | Error,
): void {
  if (same(actual, expected, new Map())) {
    failWith(message, `deeply equal: ${show(actual)}`);
  }
}

/** Fails unless `string` matches `pattern`. */
export function match(
  string: string,
  pattern: RegExp,
  message?: string | Error,
): void {
  if (typeof string != "string" || !pattern.test(string)) {
    failWith(message, `${show(string)} does not match ${pattern}`);
  }
}

/** Always fails. */
export function fail(message = "failed"): never {
  throw new AssertionError(message);
}

type Expected =
  | (new (...args: never[]) => unknown)
  | ((error: never) => boolean)
  | RegExp
  | Record<string, unknown>;

function check(error: unknown, expected: Expected, message?: string | Error) {
  if (expected instanceof RegExp) {
    if (!expected.test(String(error))) {
      failWith(message, `${show(String(error))} does not match ${expected}`);
    }
  } else if (typeof expected == "function") {
    if (expected.prototype !== undefined && error instanceof expected) return;
    if (expected === Error || expected.prototype instanceof Error) {
      failWith(message, `expected a ${expected.name}, got ${show(error)}`);
    }
    const verdict = (expected as (error: unknown) => unknown).call({}, error);
    if (verdict !== true) {
      failWith(message, `the validation function rejected ${String(error)}`);
    }
  } else {
    for (const [key, want] of Object.entries(expected)) {
      const got = (error as Record<string, unknown>)[key];
      const fits = want instanceof RegExp && typeof got == "string"
        ? want.test(got)
        : same(got, want, new Map());
      if (!fits) failWith(message, `error.${key} is ${show(got)}`);
    }
  }
}

/** Fails unless `fn` throws an error that fits `expected` (if given). */
export function throws(
  fn: () => unknown,
  expected?: Expected | string,
  message?: string | Error,
): void {
  if (typeof expected == "string") [message, expected] = [expected, undefined];
  try {
    fn();
  } catch (error) {
    if (expected !== undefined) check(error, expected, message);
    return;
  }
  failWith(message, "missing expected exception");
}

/** Fails if `fn` throws. */
export function doesNotThrow(fn: () => unknown, message?: string): void {
  try {
    fn();
  } catch (error) {
    failWith(message, `got unwanted exception ${String(error)}`);
  }
}

/** Fails unless the promise rejects with an error that fits `expected`. */
export async function rejects(
  promise: Promise<unknown> | (() => Promise<unknown>),
  expected?: Expected,
  message?: string | Error,
): Promise<void> {
  try {
    await (typeof promise == "function" ? promise() : promise);
  } catch (error) {
    if (expected !== undefined) check(error, expected, message);
    return;
  }
  failWith(message, "missing expected rejection");
}

const assert = Object.assign(
  (value: unknown, message?: string | Error) => ok(value, message),
  {
    AssertionError,
    ok,
    equal: strictEqual,
    strictEqual,
    notEqual: notStrictEqual,
    notStrictEqual,
    deepEqual: deepStrictEqual,
    deepStrictEqual,
    notDeepEqual: notDeepStrictEqual,
    notDeepStrictEqual,
    match,
    fail,
    throws,
    doesNotThrow,
    rejects,
  },
);
export { deepStrictEqual as deepEqual, notStrictEqual as notEqual };
export { strictEqual as equal };
export default assert;
