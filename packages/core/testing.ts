/**
 * Tests that need an optional file or tool (a real sample, ffmpeg, a browser) are declared with `ignore:` when
 * it is absent, so the runner reports them as ignored with the reason in their name, never as *ok* without
 * having checked anything.
 *
 * @example
 * ```ts
 * import { missingFile, optionalTest } from "@echojepa/core/testing";
 *
 * const sample = "../shared/samples/a4c.avi";
 * optionalTest("the A4C sample decodes", missingFile(sample), () => {
 *   Deno.readFileSync(sample); // runs only when the file exists
 * });
 * ```
 *
 * @module
 */

/** Why a file cannot be used (`"<path> is absent"`), or `undefined` when it exists. */
export function missingFile(path: string | URL): string | undefined {
  try {
    Deno.statSync(path);
    return undefined;
  } catch {
    return `${path instanceof URL ? path.pathname : path} is absent`;
  }
}

/** The first reason of several (`undefined` when none applies). */
export function firstMissing(...reasons: (string | undefined)[]): string | undefined {
  return reasons.find((r) => r !== undefined);
}

/**
 * Declares a test that runs only when `missing` is `undefined`; otherwise it is ignored and its name says why
 * (`name (ignored: ../shared/samples/x.dcm is absent)`).
 */
export function optionalTest(
  name: string,
  missing: string | undefined,
  fn: (t: Deno.TestContext) => void | Promise<void>,
): void {
  Deno.test({
    name: missing === undefined ? name : `${name} (ignored: ${missing})`,
    ignore: missing !== undefined,
    fn,
  });
}
