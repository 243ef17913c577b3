/**
 * Run reporting: metrics as JSON lines, and a one-line progress bar with throughput and ETA on stderr.
 *
 * @module
 */

/** One logged step. */
export interface StepMetrics {
  /** Steps completed (1-based step number of this record). */
  step: number;
  /** Epoch (0-based) the step belongs to. */
  epoch: number;
  /** Loss of this step. */
  loss: number;
  /** Mean loss over the steps since the previous record. */
  lossMean: number;
  /** Learning rate used. */
  lr: number;
  /** Weight decay used. */
  weightDecay: number;
  /** EMA momentum used (JEPA). */
  momentum: number;
  /** Collapse monitor: std of target features across the batch (JEPA; null for MAE). */
  targetStd: number | null;
  /** Training throughput: average since the first logged window (which includes kernel compilation). */
  clipsPerSecond: number;
  /** GPU bytes held by live tensors, and the peak so far. */
  memoryBytes: number;
  /** Peak GPU bytes. */
  peakMemoryBytes: number;
  /** Seconds since the run (or resumption) started. */
  elapsedSeconds: number;
  /** Unreadable files skipped so far (each replaced by another clip), by error kind. */
  skipped: Partial<Record<string, number>>;
}

/** Appends JSON lines to a file (created with its folder). */
export class JsonlWriter {
  #file: Deno.FsFile | null = null;
  constructor(readonly path: string) {}

  /** Appends one record. */
  async write(record: object): Promise<void> {
    if (!this.#file) {
      const dir = this.path.slice(0, Math.max(0, this.path.lastIndexOf("/")));
      if (dir) await Deno.mkdir(dir, { recursive: true });
      this.#file = await Deno.open(this.path, { create: true, append: true });
    }
    await this.#file.write(new TextEncoder().encode(JSON.stringify(record) + "\n"));
  }

  /** Closes the file. */
  close(): void {
    this.#file?.close();
    this.#file = null;
  }
}

/** Formats seconds as `1h02m`, `3m05s` or `12s`. */
export function formatDuration(seconds: number): string {
  if (!Number.isFinite(seconds) || seconds < 0) return "?";
  const s = Math.round(seconds);
  if (s >= 3600) return `${Math.floor(s / 3600)}h${String(Math.floor((s % 3600) / 60)).padStart(2, "0")}m`;
  if (s >= 60) return `${Math.floor(s / 60)}m${String(s % 60).padStart(2, "0")}s`;
  return `${s}s`;
}

/** A single-line progress bar on stderr: `[#####-----] 120/400 loss 0.4213 3.1 clips/s ETA 1m30s`. */
export class ProgressBar {
  #lastWidth = 0;
  constructor(
    readonly total: number,
    readonly enabled: boolean = Deno.stderr.isTerminal(),
    readonly width: number = 24,
  ) {}

  /** Redraws the bar at `done` steps with extra text. */
  update(done: number, text: string, etaSeconds: number): void {
    if (!this.enabled) return;
    const filled = Math.round((this.width * Math.min(done, this.total)) / Math.max(1, this.total));
    const line = `[${"#".repeat(filled)}${"-".repeat(this.width - filled)}] ${done}/${this.total} ${text} ` +
      `ETA ${formatDuration(etaSeconds)}`;
    const pad = " ".repeat(Math.max(0, this.#lastWidth - line.length));
    this.#lastWidth = line.length;
    Deno.stderr.writeSync(new TextEncoder().encode(`\r${line}${pad}`));
  }

  /** Prints a message on its own line without breaking the bar. */
  log(message: string): void {
    const prefix = this.enabled && this.#lastWidth > 0 ? "\n" : "";
    Deno.stderr.writeSync(new TextEncoder().encode(`${prefix}${message}\n`));
    this.#lastWidth = 0;
  }

  /** Ends the bar's line. */
  finish(): void {
    if (this.enabled && this.#lastWidth > 0) Deno.stderr.writeSync(new TextEncoder().encode("\n"));
    this.#lastWidth = 0;
  }
}
