/**
 * Small pieces every CLI of this folder shares: a user-facing error type, number flag parsing, a main wrapper that
 * prints `tool: message` instead of a stack trace, and CSV/JSON writing helpers.
 *
 * @module
 */

import { EchoJepaError, ProgressBar } from "@echojepa/core";

/** An error caused by the user's input (a flag, a file, a manifest): printed without a stack trace. */
export class CliError extends EchoJepaError {
  /** A user error with the process exit status it should end with (1; 2 for usage errors, as POSIX tools do). */
  constructor(message: string, readonly exitCode: number = 1) {
    super(message);
  }
}

/** Parses a number flag; `undefined` stays undefined. Integers are checked when `integer` is set. */
export function numberFlag(
  flag: string,
  value: string | undefined,
  { integer = false, min = -Infinity }: { integer?: boolean; min?: number } = {},
): number | undefined {
  if (value === undefined) return undefined;
  const n = Number(value);
  if (!Number.isFinite(n) || (integer && !Number.isInteger(n)) || n < min) {
    const kind = integer ? "an integer" : "a number";
    throw new CliError(`--${flag}: expected ${kind}${min > -Infinity ? ` ≥ ${min}` : ""}, got "${value}"`);
  }
  return n;
}

/** Parses a comma-separated list of numbers (`1e-4,5e-5`). */
export function numberListFlag(flag: string, value: string | undefined): number[] | undefined {
  if (value === undefined) return undefined;
  const parts = value.split(",").map((s) => s.trim()).filter((s) => s !== "");
  if (parts.length === 0) throw new CliError(`--${flag}: expected a comma-separated list of numbers`);
  return parts.map((p) => numberFlag(flag, p)!);
}

/** Throws a {@link CliError} naming the flag when a required flag is absent. */
export function required<T>(flag: string, value: T | undefined): T {
  if (value === undefined || value === "") throw new CliError(`--${flag} is required (see --help)`);
  return value;
}

/** Checks that a file or folder exists, with an error that names the flag and the path. */
export async function mustExist(flag: string, path: string): Promise<void> {
  try {
    await Deno.stat(path);
  } catch (e) {
    if (e instanceof Deno.errors.NotFound) throw new CliError(`--${flag}: ${path} does not exist`);
    throw e;
  }
}

/**
 * Checks, before any work starts, that `dir` is (or can be created as) a folder this process can write: creates
 * it, writes and removes a probe file. Throws a {@link CliError} naming the flag and the reason otherwise (a
 * read-only disk, a file in the way, no permission).
 */
export async function ensureWritableDir(flag: string, dir: string): Promise<void> {
  try {
    await Deno.mkdir(dir, { recursive: true });
    const probe = `${dir}/.write-test-${Deno.pid}`;
    await Deno.writeTextFile(probe, "");
    await Deno.remove(probe);
  } catch (e) {
    const why = e instanceof Deno.errors.AlreadyExists || e instanceof Deno.errors.NotADirectory
      ? "a file is in the way"
      : e instanceof Deno.errors.PermissionDenied
      ? "permission denied"
      : (e as Error).message.split("\n")[0];
    throw new CliError(`--${flag} ${dir} is not a writable folder (${why})`);
  }
}

/** The folder that will hold `path` ("." for a bare file name). */
export function parentDir(path: string): string {
  const slash = path.lastIndexOf("/");
  return slash < 0 ? "." : slash === 0 ? "/" : path.slice(0, slash);
}

/** One line of an error: its message with line breaks folded into "; " (a CLI failure is one line on stderr). */
export function oneLine(e: unknown): string {
  const message = e instanceof Error ? e.message : typeof e === "string" ? e : "unexpected failure";
  return message.trim().replace(/\s*\n\s*/g, "; ");
}

/**
 * Runs a CLI's main function: a {@link CliError} (or any error when not debugging) is printed as `tool: message` and
 * the process exits with the error's status (1 for other errors). `ECHOJEPA_DEBUG=1` prints the stack instead.
 */
export async function runCli(tool: string, main: (args: string[]) => Promise<void>): Promise<void> {
  try {
    await main(Deno.args);
  } catch (e) {
    if (Deno.env.get("ECHOJEPA_DEBUG") && !(e instanceof CliError)) throw e;
    console.error(`${tool}: ${oneLine(e)}`);
    Deno.exit(e instanceof CliError ? e.exitCode : 1);
  }
}

/**
 * The project's progress bar on stderr labelled `label`: silent when `enabled` is false, otherwise drawn on a
 * terminal (or with `ECHOJEPA_PROGRESS=1`).
 */
export function progressBar(label: string, enabled = true): ProgressBar {
  return new ProgressBar(0, { label, enabled: enabled ? undefined : false });
}

/** Quotes a CSV field when it holds a comma, quote or newline. */
function csvField(value: string | number): string {
  const text = typeof value === "number" ? (Number.isNaN(value) ? "" : String(value)) : value;
  return /[",\n\r]/.test(text) ? `"${text.replaceAll('"', '""')}"` : text;
}

/** Formats rows (header first) as CSV text. */
export function toCsv(rows: (string | number)[][]): string {
  return rows.map((r) => r.map(csvField).join(",")).join("\n") + "\n";
}

/** Writes JSON (NaN and ±Infinity become null) with a trailing newline, creating the folder. */
export async function writeJson(path: string, value: unknown): Promise<void> {
  await ensureParent(path);
  await Deno.writeTextFile(path, JSON.stringify(value, null, 2) + "\n");
}

/** Creates the folder that will hold `path`. */
export async function ensureParent(path: string): Promise<void> {
  const slash = path.lastIndexOf("/");
  if (slash > 0) await Deno.mkdir(path.slice(0, slash), { recursive: true });
}

/** An absolute version of a path (relative to the working directory). */
export function absolutePath(path: string): string {
  return path.startsWith("/") ? path : `${Deno.cwd()}/${path.replace(/^\.\//, "")}`;
}
