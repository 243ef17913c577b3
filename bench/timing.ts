/** Timing helpers shared by the benchmark workloads. */

/** Median of a list of numbers. */
export function median(xs: number[]): number {
  const s = [...xs].sort((a, b) => a - b);
  const mid = s.length >> 1;
  return s.length % 2 ? s[mid] : (s[mid - 1] + s[mid]) / 2;
}

/** What {@link timeRuns} measured. */
export interface Timing {
  /** Median wall time of the timed runs, ms. */
  medianMs: number;
  /** Every timed run, ms. */
  runsMs: number[];
  /** Wall time of the warm-up runs (includes kernel compilation), ms. */
  warmupMs: number;
}

/**
 * Runs `run` `warmup` times untimed, then `reps` times timed. `run` must only resolve once the GPU work it
 * submitted has finished (a readback fences it).
 */
export async function timeRuns(
  run: () => Promise<void>,
  warmup: number,
  reps: number,
  label: string,
): Promise<Timing> {
  const w0 = performance.now();
  for (let i = 0; i < warmup; i++) await run();
  const warmupMs = performance.now() - w0;
  const runsMs: number[] = [];
  for (let i = 0; i < reps; i++) {
    const t0 = performance.now();
    await run();
    runsMs.push(performance.now() - t0);
    progress(`${label}: run ${i + 1}/${reps} ${runsMs[i].toFixed(0)} ms`);
  }
  progress("");
  return { medianMs: median(runsMs), runsMs, warmupMs };
}

const encoder = new TextEncoder();

/** Rewrites one status line on stderr (benchmarks run for minutes; say what is happening). */
export function progress(line: string): void {
  Deno.stderr.writeSync(encoder.encode(`\r\x1b[K${line}`));
}
