/**
 * Test helpers: find a Python with PyTorch, and run the fixture scripts under tests/fixtures with it.
 *
 * @module
 */

/** The repository's PyTorch fixture folder. */
export const TORCH_FIXTURES: string = new URL("../../../tests/fixtures/", import.meta.url).pathname;

let found: string | null | undefined;

/** A python3 that imports torch (PATH's, then Debian's /usr/bin/python3), or null. */
export function pythonWithTorch(): string | null {
  if (found !== undefined) return found;
  found = null;
  for (const exe of ["python3", "/usr/bin/python3"]) {
    try {
      const r = new Deno.Command(exe, { args: ["-c", "import torch"], stdout: "null", stderr: "null" })
        .outputSync();
      if (r.success) return (found = exe);
    } catch {
      // Not installed: try the next.
    }
  }
  return found;
}

/** Runs tests/fixtures/check_torch_load.py and parses its JSON. */
export function checkWithTorch(args: string[]): Record<string, unknown> {
  const exe = pythonWithTorch();
  if (!exe) throw new Error("no python3 with torch");
  const r = new Deno.Command(exe, { args: [`${TORCH_FIXTURES}check_torch_load.py`, ...args] }).outputSync();
  const err = new TextDecoder().decode(r.stderr);
  if (!r.success) throw new Error(`check_torch_load.py ${args.join(" ")} failed:\n${err}`);
  return JSON.parse(new TextDecoder().decode(r.stdout));
}

/** Why PyTorch cross-checks are skipped here (for `ignore:` test options), or null when they can run. */
export const NO_TORCH_REASON: string | null = pythonWithTorch() === null
  ? "python3 with PyTorch is not installed (apt-get install python3-torch)"
  : null;
