/**
 * Evaluation metrics for probes, in plain TypeScript on host arrays: classification (accuracy, balanced accuracy,
 * per-class accuracy, confusion matrix), regression (MAE, RMSE, R², Pearson r), AUROC for a threshold on a
 * continuous target (reduced ejection fraction), and percentile bootstrap confidence intervals.
 */

import { Random } from "@echojepa/core";

/** Classification results. */
export interface ClassificationMetrics {
  /** Fraction of correct predictions. */
  accuracy: number;
  /** Mean of the per-class recalls over classes present in the targets. */
  balancedAccuracy: number;
  /** Recall of each class (NaN for classes absent from the targets). */
  perClassAccuracy: number[];
  /** `confusion[true][pred]` counts. */
  confusion: number[][];
}

/** Accuracy, balanced accuracy, per-class accuracy and the confusion matrix of integer predictions. */
export function classificationMetrics(
  predicted: ArrayLike<number>,
  target: ArrayLike<number>,
  numClasses: number,
): ClassificationMetrics {
  checkLengths("classificationMetrics", predicted, target);
  const confusion = Array.from({ length: numClasses }, () => new Array<number>(numClasses).fill(0));
  let correct = 0;
  for (let i = 0; i < target.length; i++) {
    const t = target[i];
    const p = predicted[i];
    if (!(t >= 0 && t < numClasses && p >= 0 && p < numClasses)) {
      throw new RangeError(
        `classificationMetrics: label ${t} or prediction ${p} outside 0…${numClasses - 1}`,
      );
    }
    confusion[t][p]++;
    if (t === p) correct++;
  }
  const perClassAccuracy = confusion.map((row, c) => {
    const n = row.reduce((s, v) => s + v, 0);
    return n === 0 ? NaN : row[c] / n;
  });
  const present = perClassAccuracy.filter((v) => !Number.isNaN(v));
  return {
    accuracy: correct / target.length,
    balancedAccuracy: present.reduce((s, v) => s + v, 0) / present.length,
    perClassAccuracy,
    confusion,
  };
}

/** Index of the largest value in each row of a row-major `[n, classes]` array. */
export function argmaxRows(scores: ArrayLike<number>, classes: number): number[] {
  const n = scores.length / classes;
  const out = new Array<number>(n);
  for (let i = 0; i < n; i++) {
    let best = 0;
    for (let c = 1; c < classes; c++) if (scores[i * classes + c] > scores[i * classes + best]) best = c;
    out[i] = best;
  }
  return out;
}

/** Regression results, in the units of the inputs. */
export interface RegressionMetrics {
  /** Mean absolute error. */
  mae: number;
  /** Root mean squared error. */
  rmse: number;
  /** Coefficient of determination 1 − SS_res/SS_tot (sklearn `r2_score`). */
  r2: number;
  /** Pearson correlation coefficient. */
  pearson: number;
}

/** MAE, RMSE, R² and Pearson r. */
export function regressionMetrics(
  predicted: ArrayLike<number>,
  target: ArrayLike<number>,
): RegressionMetrics {
  checkLengths("regressionMetrics", predicted, target);
  const n = target.length;
  let abs = 0;
  let sq = 0;
  let mt = 0;
  let mp = 0;
  for (let i = 0; i < n; i++) {
    const d = predicted[i] - target[i];
    abs += Math.abs(d);
    sq += d * d;
    mt += target[i];
    mp += predicted[i];
  }
  mt /= n;
  mp /= n;
  let sst = 0;
  let spp = 0;
  let spt = 0;
  for (let i = 0; i < n; i++) {
    const dt = target[i] - mt;
    const dp = predicted[i] - mp;
    sst += dt * dt;
    spp += dp * dp;
    spt += dt * dp;
  }
  return {
    mae: abs / n,
    rmse: Math.sqrt(sq / n),
    r2: sst === 0 ? NaN : 1 - sq / sst,
    pearson: spp === 0 || sst === 0 ? NaN : spt / Math.sqrt(spp * sst),
  };
}

/**
 * Area under the ROC curve of `score` for the binary `positive` labels (Mann–Whitney U with tied scores counted
 * half). NaN when only one class is present.
 */
export function auroc(score: ArrayLike<number>, positive: ArrayLike<boolean>): number {
  checkLengths("auroc", score, positive);
  const idx = Array.from({ length: score.length }, (_, i) => i).sort((a, b) => score[a] - score[b]);
  let nPos = 0;
  let rankSum = 0;
  for (let i = 0; i < idx.length;) {
    let j = i;
    while (j + 1 < idx.length && score[idx[j + 1]] === score[idx[i]]) j++;
    const midRank = (i + j) / 2 + 1;
    for (let k = i; k <= j; k++) {
      if (positive[idx[k]]) {
        nPos++;
        rankSum += midRank;
      }
    }
    i = j + 1;
  }
  const nNeg = idx.length - nPos;
  if (nPos === 0 || nNeg === 0) return NaN;
  return (rankSum - (nPos * (nPos + 1)) / 2) / (nPos * nNeg);
}

/**
 * AUROC for detecting a target below `threshold` (e.g. EF < 50 %) from a predicted value: lower predictions mean
 * more likely positive.
 */
export function aurocBelow(
  predicted: ArrayLike<number>,
  target: ArrayLike<number>,
  threshold: number,
): number {
  const positive = Array.from(target, (t) => t < threshold);
  return auroc(Array.from(predicted, (p) => -p), positive);
}

/** A point estimate with a percentile bootstrap interval. */
export interface Interval {
  /** The metric on the full sample. */
  value: number;
  /** Lower bound. */
  low: number;
  /** Upper bound. */
  high: number;
}

/**
 * Percentile bootstrap: resamples indices with replacement `resamples` times (seeded), evaluates `metric` on each
 * and returns the (1−level)/2 and (1+level)/2 percentiles. EchoNet reports a 90 % interval (level 0.9).
 */
export function bootstrap(
  n: number,
  metric: (indices: number[]) => number,
  { resamples = 1000, level = 0.9, seed = 0 }: { resamples?: number; level?: number; seed?: number } = {},
): Interval {
  const all = Array.from({ length: n }, (_, i) => i);
  const value = metric(all);
  const next = new Random(seed).source();
  const values: number[] = [];
  for (let r = 0; r < resamples; r++) {
    const sample = all.map(() => Math.floor(next() * n));
    const v = metric(sample);
    if (!Number.isNaN(v)) values.push(v);
  }
  values.sort((a, b) => a - b);
  const at = (q: number): number =>
    values[Math.min(values.length - 1, Math.max(0, Math.floor(q * values.length)))];
  return { value, low: at((1 - level) / 2), high: at((1 + level) / 2) };
}

/** Mean and sample standard deviation (n−1) of repeated runs, as "mean ± std" tables report. */
export function meanStd(values: number[]): { mean: number; std: number } {
  const m = values.reduce((s, v) => s + v, 0) / values.length;
  const v = values.length > 1 ? values.reduce((s, x) => s + (x - m) ** 2, 0) / (values.length - 1) : 0;
  return { mean: m, std: Math.sqrt(v) };
}

function checkLengths(op: string, a: ArrayLike<unknown>, b: ArrayLike<unknown>): void {
  if (a.length !== b.length) throw new RangeError(`${op}: ${a.length} predictions for ${b.length} targets`);
  if (a.length === 0) throw new RangeError(`${op}: no samples`);
}
