/**
 * Paired bootstrap for "A beats B" on one test set: both metrics are evaluated on the same resampled indices, so
 * the interval is of the difference and the per-sample correlation between A and B (same clips, same difficulty)
 * is kept. A claim that A beats B holds when the interval excludes zero.
 */

import type { Interval } from "./metrics.ts";
import { Random } from "@echojepa/core";

/** The difference A − B with its interval and the bootstrap share of resamples where A does not beat B. */
export interface PairedDifference extends Interval {
  /** Fraction of resamples with A − B ≤ 0 (a one-sided bootstrap p-value for "A beats B"). */
  pNotBetter: number;
}

/**
 * Percentile bootstrap of `metricA(indices) − metricB(indices)` over `resamples` resamples of `0..n−1` with
 * replacement (seeded); `level` sets the two-sided interval (default 0.95). Resamples where either metric is NaN
 * are dropped.
 */
export function pairedBootstrap(
  n: number,
  metricA: (indices: number[]) => number,
  metricB: (indices: number[]) => number,
  { resamples = 2000, level = 0.95, seed = 0 }: { resamples?: number; level?: number; seed?: number } = {},
): PairedDifference {
  if (n < 1) throw new RangeError("pairedBootstrap: no samples");
  const all = Array.from({ length: n }, (_, i) => i);
  const value = metricA(all) - metricB(all);
  const next = new Random(seed).source();
  const diffs: number[] = [];
  for (let r = 0; r < resamples; r++) {
    const sample = all.map(() => Math.floor(next() * n));
    const d = metricA(sample) - metricB(sample);
    if (!Number.isNaN(d)) diffs.push(d);
  }
  if (diffs.length === 0) throw new RangeError("pairedBootstrap: every resample was NaN");
  diffs.sort((a, b) => a - b);
  const at = (q: number): number =>
    diffs[Math.min(diffs.length - 1, Math.max(0, Math.floor(q * diffs.length)))];
  const notBetter = diffs.filter((d) => d <= 0).length;
  return { value, low: at((1 - level) / 2), high: at((1 + level) / 2), pNotBetter: notBetter / diffs.length };
}

/** Mean of `correct[i]` (1 or 0) over `indices`: the accuracy metric paired bootstraps usually compare. */
export function accuracyOn(correct: ArrayLike<number>, indices: number[]): number {
  let s = 0;
  for (const i of indices) s += correct[i];
  return s / indices.length;
}
