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
