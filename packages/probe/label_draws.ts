/**
 * Few-label training sets for label-efficiency curves: k examples per class (k-shot) or a stratified fraction,
 * drawn `draws` times with different seeds, so a few-label result is a mean over draws, not one draw's luck.
 */

import { stratifiedSubset } from "./fractions.ts";
import { Random } from "@echojepa/core";

/** A few-label setting: `k` examples of every class, or `fraction` of each class (stratified). */
export type LabelBudget = { kind: "shot"; k: number } | { kind: "fraction"; fraction: number };

/**
 * Indices of `k` examples of every class of `labels` (all of a class when it has fewer), uniformly drawn with
 * `seed`. Sorted ascending.
 */
export function kShotSubset(labels: ArrayLike<number>, k: number, seed: number): number[] {
  if (!(Number.isInteger(k) && k >= 1)) throw new RangeError(`kShotSubset: k ${k} is not a positive integer`);
  const byClass = new Map<number, number[]>();
  for (let i = 0; i < labels.length; i++) {
    const list = byClass.get(labels[i]) ?? [];
    list.push(i);
    byClass.set(labels[i], list);
  }
  const rand = new Random(seed).source();
  const out: number[] = [];
  for (const [, members] of [...byClass].sort((a, b) => a[0] - b[0])) {
    const pool = [...members];
    const take = Math.min(k, pool.length);
    // Partial Fisher–Yates: the first `take` entries become a uniform sample without replacement.
    for (let i = 0; i < take; i++) {
      const j = i + Math.floor(rand() * (pool.length - i));
      [pool[i], pool[j]] = [pool[j], pool[i]];
    }
    out.push(...pool.slice(0, take));
  }
  return out.sort((a, b) => a - b);
}

/**
 * `draws` training subsets of `labels` under `budget`, draw d seeded by `seed + d` (so adding draws keeps the
 * earlier ones). Indices are into `labels`.
 */
export function labelDraws(
  labels: ArrayLike<number>,
  budget: LabelBudget,
  draws: number,
  seed: number,
): number[][] {
  if (!(Number.isInteger(draws) && draws >= 1)) throw new RangeError(`labelDraws: draws ${draws} < 1`);
  return Array.from(
    { length: draws },
    (_, d) =>
      budget.kind === "shot"
        ? kShotSubset(labels, budget.k, seed + d)
        : stratifiedSubset(labels, budget.fraction, seed + d),
  );
}

/** A short name for a budget, as tables print it: "1-shot", "5-shot", "1%", "10%". */
export function labelBudgetName(budget: LabelBudget): string {
  return budget.kind === "shot" ? `${budget.k}-shot` : `${+(budget.fraction * 100).toFixed(2)}%`;
}
