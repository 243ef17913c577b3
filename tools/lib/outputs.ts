/**
 * From probe outputs to what users read: class probabilities and predictions, de-normalised regression values,
 * per-study averaging, and the metrics the paper reports (with bootstrap intervals).
 *
 * @module
 */

import {
  aurocBelow,
  bootstrap,
  classificationMetrics,
  type Interval,
  type ProbeTask,
  regressionMetrics,
  type TargetScaler,
} from "@echojepa/probe";

/** Decoded outputs of n samples. */
export interface DecodedOutputs {
  /** Class index (classification) or value in original units (regression), per sample. */
  predictions: number[];
  /** Classification: softmax probabilities, one row of `classes` per sample; null for regression. */
  probabilities: number[][] | null;
}

/** Turns raw `[n, outputs]` probe outputs into predictions (softmax + argmax, or z·σ + μ). */
export function decodeOutputs(
  task: ProbeTask,
  out: ArrayLike<number>,
  scaler: TargetScaler | null,
): DecodedOutputs {
  if (task.type === "regression") {
    const s = scaler ?? { mean: 0, std: 1 };
    return { predictions: Array.from(out, (z) => z * s.std + s.mean), probabilities: null };
  }
  const k = task.numClasses;
  const probabilities: number[][] = [];
  for (let i = 0; i < out.length / k; i++) {
    const row = Array.from({ length: k }, (_, c) => out[i * k + c]);
    const max = Math.max(...row);
    const exp = row.map((v) => Math.exp(v - max));
    const total = exp.reduce((a, b) => a + b, 0);
    probabilities.push(exp.map((e) => e / total));
  }
  return { predictions: probabilities.map(argmax), probabilities };
}

function argmax(row: number[]): number {
  let best = 0;
  for (let i = 1; i < row.length; i++) if (row[i] > row[best]) best = i;
  return best;
}

/** Averages samples of the same study: mean probabilities (then argmax) or mean values; labels averaged too. */
export function averageByStudy(
  studies: readonly string[],
  decoded: DecodedOutputs,
  labels: readonly (number | undefined)[],
): { studies: string[]; decoded: DecodedOutputs; labels: (number | undefined)[]; counts: number[] } {
  const order: string[] = [];
  const members = new Map<string, number[]>();
  studies.forEach((s, i) => {
    if (!members.has(s)) {
      members.set(s, []);
      order.push(s);
    }
    members.get(s)!.push(i);
  });
  const mean = (xs: number[]): number => xs.reduce((a, b) => a + b, 0) / xs.length;
  const groups = order.map((s) => members.get(s)!);
  const outLabels = groups.map((g) => {
    const ls = g.map((i) => labels[i]).filter((l): l is number => l !== undefined);
    if (ls.length !== g.length) return undefined;
    // A study's class is its clips' majority class (they normally agree); a regression target is their mean.
    return decoded.probabilities ? majority(ls) : mean(ls);
  });
  let out: DecodedOutputs;
  if (decoded.probabilities) {
    const p = decoded.probabilities;
    const probabilities = groups.map((g) => p[g[0]].map((_, c) => mean(g.map((i) => p[i][c]))));
    out = { predictions: probabilities.map(argmax), probabilities };
  } else {
    out = { predictions: groups.map((g) => mean(g.map((i) => decoded.predictions[i]))), probabilities: null };
  }
  return { studies: order, decoded: out, labels: outLabels, counts: groups.map((g) => g.length) };
}

function majority(values: number[]): number {
  const counts = new Map<number, number>();
  for (const v of values) counts.set(v, (counts.get(v) ?? 0) + 1);
  return [...counts].sort((a, b) => b[1] - a[1] || a[0] - b[0])[0][0];
}

/** Metrics of predictions against labels, with 90 % bootstrap intervals of the headline metric. */
export function taskMetrics(
  task: ProbeTask,
  predictions: readonly number[],
  targets: readonly number[],
): Record<string, unknown> {
  const n = targets.length;
  const pick = <T>(xs: readonly T[], idx: number[]): T[] => idx.map((i) => xs[i]);
  if (task.type === "classification") {
    const m = classificationMetrics(predictions, targets, task.numClasses);
    const accuracyCI: Interval = bootstrap(n, (idx) => {
      let hit = 0;
      for (const i of idx) if (predictions[i] === targets[i]) hit++;
      return hit / idx.length;
    });
    return { n, ...m, accuracyCI90: accuracyCI };
  }
  const m = regressionMetrics(predictions, targets);
  const maeCI: Interval = bootstrap(
    n,
    (idx) => regressionMetrics(pick(predictions, idx), pick(targets, idx)).mae,
  );
  return {
    n,
    ...m,
    maeCI90: maeCI,
    // The paper's reduced-EF detection (meaningful when the target is an ejection fraction in %).
    aurocBelow50: aurocBelow(predictions, targets, 50),
    aurocBelow40: aurocBelow(predictions, targets, 40),
  };
}

/** The single number a task is judged by: accuracy (classification) or MAE (regression). */
export function headlineMetric(task: ProbeTask): { name: "accuracy" | "mae"; higherIsBetter: boolean } {
  return task.type === "classification"
    ? { name: "accuracy", higherIsBetter: true }
    : { name: "mae", higherIsBetter: false };
}
