/**
 * Label-fraction subsets for sample-efficiency curves: per-class stratified sampling of ceil(fraction · n_class)
 * examples (at least `minPerClass`), seeded, as the reference's `make_stratified_subset.py`.
 */

import { Random } from "@echojepa/core";

/** Indices of a stratified subset of `labels` keeping `fraction` of each class. Sorted ascending. */
export function stratifiedSubset(
  labels: ArrayLike<number>,
  fraction: number,
  seed: number,
  minPerClass = 1,
): number[] {
  if (!(fraction > 0 && fraction <= 1)) {
    throw new RangeError(`stratifiedSubset: fraction ${fraction} not in (0, 1]`);
  }
  return samplePerClass(labels, (n) => Math.max(minPerClass, Math.ceil(fraction * n)), seed);
}

/**
 * Indices of `take(n)` members (at most all `n`) of every class of `labels`, drawn uniformly without replacement
 * with `seed`, classes in ascending order; sorted ascending. The one sampler of stratified fractions and k-shot
 * subsets.
 */
export function samplePerClass(
  labels: ArrayLike<number>,
  take: (n: number) => number,
  seed: number,
): number[] {
  const byClass = new Map<number, number[]>();
  for (let i = 0; i < labels.length; i++) {
    const list = byClass.get(labels[i]) ?? [];
    list.push(i);
    byClass.set(labels[i], list);
  }
  const rand = new Random(seed).source();
  const out: number[] = [];
  for (const [, idx] of [...byClass].sort((a, b) => a[0] - b[0])) {
    const k = Math.min(idx.length, take(idx.length));
    // Partial Fisher–Yates: the first `k` entries become a uniform sample.
    const a = [...idx];
    for (let i = 0; i < k; i++) {
      const j = i + Math.floor(rand() * (a.length - i));
      [a[i], a[j]] = [a[j], a[i]];
    }
    out.push(...a.slice(0, k));
  }
  return out.sort((x, y) => x - y);
}

/** Mean and population standard deviation of training targets, for z-scoring (sklearn `StandardScaler`). */
export interface TargetScaler {
  /** Mean of the training targets. */
  mean: number;
  /** Population standard deviation (1 when it is 0). */
  std: number;
}

/** Fits a scaler on training targets only. */
export function fitScaler(train: ArrayLike<number>): TargetScaler {
  let m = 0;
  for (let i = 0; i < train.length; i++) m += train[i];
  m /= train.length;
  let v = 0;
  for (let i = 0; i < train.length; i++) v += (train[i] - m) ** 2;
  const std = Math.sqrt(v / train.length);
  return { mean: m, std: std > 0 ? std : 1 };
}
