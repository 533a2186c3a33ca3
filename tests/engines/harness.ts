/**
 * The part of `Deno.test` the suite uses, for engines without Deno: each
 * bundle of tests/engines/run.ts imports this module first, so `Deno.test`
 * registers; then {@linkcode runAll} runs the registered tests in order, one
 * at a time (as `deno test` does within a file), and hands back one record
 * per test. Ignored tests are reported as such; sanitizers do not exist here.
 *
 * @module
 */

/** What `deno test` reports for one test, as JSON. */
export interface Outcome {
  name: string;
  status: "passed" | "failed" | "ignored";
  ms: number;
  /** Why it failed, or why it was left out on this engine. */
  error?: string;
}

type Fn = (t: TestContext) => void | Promise<void>;
interface Definition {
  name: string;
  fn: Fn;
  ignore?: boolean;
}
interface TestContext {
  name: string;
  step(name: string | Definition, fn?: Fn): Promise<boolean>;
}

const registered: Definition[] = [];

function define(first: string | Definition, second?: Fn | object, third?: Fn) {
  const definition: Definition = typeof first == "string"
    ? typeof second == "function"
      ? { name: first, fn: second as Fn }
      : { ...second, name: first, fn: third! }
    : first;
  registered.push(definition);
}

const context = (name: string): TestContext => ({
  name,
  async step(step, fn) {
    const definition = typeof step == "string" ? { name: step, fn: fn! } : step;
    if (definition.ignore) return false;
    await definition.fn(context(definition.name));
    return true;
  },
});

const describe = (error: unknown): string =>
  error instanceof Error
    ? `${error.name}: ${error.message}\n${error.stack ?? ""}`
    : `thrown: ${String(error)}`;

/**
 * Runs every registered test in order; never throws. Tests named in `leftOut`
 * are reported as ignored, with the reason given there.
 */
export async function runAll(
  leftOut: Record<string, string> = {},
): Promise<Outcome[]> {
  const outcomes: Outcome[] = [];
  for (const { name, fn, ignore } of registered) {
    const start = performance.now();
    if (ignore || name in leftOut) {
      outcomes.push({ name, status: "ignored", ms: 0, error: leftOut[name] });
      continue;
    }
    try {
      await fn(context(name));
      outcomes.push({ name, status: "passed", ms: performance.now() - start });
    } catch (error) {
      outcomes.push({
        name,
        status: "failed",
        ms: performance.now() - start,
        error: describe(error),
      });
    }
  }
  return outcomes;
}

(globalThis as { Deno?: unknown }).Deno = { test: define };
