/**
 * The one progress bar of the project, on stderr, as users of tqdm expect: a bar, `done/total`, percentage, rate
 * and ETA, redrawn in place at most every 100 ms. It is quiet when stderr is not a terminal (logs, CI, tests), so
 * a redirected run's output holds only what the program prints on purpose; `ECHOJEPA_PROGRESS=1` turns it on there.
 *
 * @module
 */

/** Options of a {@link ProgressBar}. */
export interface ProgressBarOptions {
  /** Text before the bar (e.g. "prepare"). */
  label?: string;
  /** Draw at all; default: when stderr is a terminal (or `ECHOJEPA_PROGRESS=1` is set). */
  enabled?: boolean;
  /** Bar width in characters (default 24). */
  width?: number;
  /** Unit of the rate (default "it", as tqdm: "3.1 it/s"). */
  unit?: string;
  /** Where the text goes (default: stderr); tests pass their own. */
  write?: (text: string) => void;
  /** The clock in milliseconds (default `performance.now`); tests pass their own. */
  now?: () => number;
}

/** Formats seconds as `1h02m`, `3m05s` or `12s` (`?` when unknown). */
export function formatDuration(seconds: number): string {
  if (!Number.isFinite(seconds) || seconds < 0) return "?";
  const s = Math.round(seconds);
  if (s >= 3600) return `${Math.floor(s / 3600)}h${String(Math.floor((s % 3600) / 60)).padStart(2, "0")}m`;
  if (s >= 60) return `${Math.floor(s / 60)}m${String(s % 60).padStart(2, "0")}s`;
  return `${s}s`;
}

function stderrWrite(text: string): void {
  Deno.stderr.writeSync(new TextEncoder().encode(text));
}

/** Whether to draw by default: on a terminal, or when `ECHOJEPA_PROGRESS=1` asks for it (e.g. a test of a CLI). */
function drawByDefault(): boolean {
  if (typeof Deno === "undefined") return false;
  if (Deno.stderr.isTerminal()) return true;
  try {
    return Deno.env.get("ECHOJEPA_PROGRESS") === "1";
  } catch {
    return false; // no permission to read the environment
  }
}

/**
 * A single-line progress bar: `label [#####-----] 120/400 30.0% 3.1 it/s ETA 1m30s loss 0.42`.
 *
 * The rate is measured from the first {@link ProgressBar.update} (so a resumed job that starts at `done = 120`
 * reports the rate of this run, not of the whole job) and the ETA is the remaining count at that rate.
 *
 * @example
 * ```ts
 * import { ProgressBar } from "@echojepa/core";
 * const bar = new ProgressBar(3, { label: "work" });
 * for (let i = 1; i <= 3; i++) bar.update(i);
 * bar.finish();
 * ```
 */
export class ProgressBar {
  /** The count at which the work is done (may change with {@link ProgressBar.update}'s `total`). */
  total: number;
  readonly #label: string;
  readonly #enabled: boolean;
  readonly #width: number;
  readonly #unit: string;
  readonly #write: (text: string) => void;
  readonly #now: () => number;
  #start: { time: number; done: number } | null = null;
  #lastDraw = -Infinity;
  #lastWidth = 0;

  /** A bar for `total` items; nothing is drawn until the first update. */
  constructor(total: number, options: ProgressBarOptions = {}) {
    this.total = total;
    this.#label = options.label ?? "";
    this.#enabled = options.enabled ?? drawByDefault();
    this.#width = options.width ?? 24;
    this.#unit = options.unit ?? "it";
    this.#write = options.write ?? stderrWrite;
    this.#now = options.now ?? (() => performance.now());
  }

  /** Whether the bar draws anything. */
  get enabled(): boolean {
    return this.#enabled;
  }

  /** Reports `done` of `total` items, with optional trailing text (e.g. a loss); redraws at most every 100 ms. */
  update(done: number, total: number = this.total, text = ""): void {
    this.total = total;
    const now = this.#now();
    if (this.#start === null) this.#start = { time: now, done };
    if (!this.#enabled) return;
    if (now - this.#lastDraw < 100 && done < total) return;
    this.#lastDraw = now;
    this.#draw(this.line(done, now, text));
  }

  /** The text of the bar at `done` (what {@link ProgressBar.update} draws). */
  line(done: number, now: number = this.#now(), text = ""): string {
    const start = this.#start ?? { time: now, done };
    const seconds = (now - start.time) / 1000;
    const rate = seconds > 0 ? (done - start.done) / seconds : 0;
    const eta = rate > 0 ? (this.total - done) / rate : Number.NaN;
    const filled = Math.round(
      (this.#width * Math.min(Math.max(done, 0), this.total)) / Math.max(1, this.total),
    );
    const bar = "#".repeat(filled) + "-".repeat(this.#width - filled);
    const percent = this.total > 0 ? ((100 * done) / this.total).toFixed(1) : "0.0";
    const rateText = rate > 0
      ? `${rate < 10 ? rate.toFixed(2) : rate.toFixed(1)} ${this.#unit}/s`
      : `? ${this.#unit}/s`;
    const parts = [
      this.#label,
      `[${bar}]`,
      `${done}/${this.total}`,
      `${percent}%`,
      rateText,
      `ETA ${formatDuration(eta)}`,
    ];
    if (text) parts.push(text);
    return parts.filter((p) => p !== "").join(" ");
  }

  /** Prints a message on its own line without breaking the bar (printed even when the bar is quiet). */
  log(message: string): void {
    const prefix = this.#enabled && this.#lastWidth > 0 ? "\n" : "";
    this.#write(`${prefix}${message}\n`);
    this.#lastWidth = 0;
  }

  /** Ends the bar's line. */
  finish(): void {
    if (this.#enabled && this.#lastWidth > 0) this.#write("\n");
    this.#lastWidth = 0;
  }

  #draw(line: string): void {
    const pad = " ".repeat(Math.max(0, this.#lastWidth - line.length));
    this.#lastWidth = line.length;
    this.#write(`\r${line}${pad}`);
  }
}
